"""CodeArena: many code slots in one memfd; addresses never move, space is reused, W^X holds."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jit import CompileError, Error, LimitError
from jit.codemem import CodeArena, CodeMemoryError, CodeSlot, default_arena
from jit.native import ffi, lib


def ret_const(k: int) -> bytes:
    return bytes([0xB8]) + k.to_bytes(4, "little") + b"\xc3"  # mov eax, k; ret


def maps() -> list[tuple[int, int, str, str]]:
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(maxsplit=5)
            start, end = (int(x, 16) for x in parts[0].split("-"))
            path = parts[5].strip() if len(parts) > 5 else ""
            out.append((start, end, parts[1], f"{parts[4]} {path}"))
    return out


def writable_views_of_file_at(addr: int) -> list[tuple[int, int, str, str]]:
    """Writable mappings of the same file (same inode) as the mapping at addr."""
    file = next(m[3] for m in maps() if m[0] <= addr < m[1])
    return [m for m in maps() if m[3] == file and "w" in m[2]]


def perms_at(addr: int) -> str | None:
    return next((p for s, e, p, _ in maps() if s <= addr < e), None)


@pytest.fixture
def arena():
    a = CodeArena(initial=4096, reserve=64 << 20)
    yield a
    a.close()


def test_slots_run_independently_and_are_wx(arena: CodeArena) -> None:
    slots = [arena.alloc(n) for n in (10, 100, 3000, 7)]
    for k, slot in enumerate(slots):
        slot.write(0, ret_const(k + 1))
        assert slot.publish() == slot.exec_address
    assert [lib.wx_cm_call0(s.exec_address) for s in slots] == [1, 2, 3, 4]
    for slot in slots:
        assert perms_at(slot.exec_address) == "r-xs"
        assert slot.rw_address and perms_at(slot.rw_address) == "rw-s"
        assert slot.rw_address != slot.exec_address
    ends = sorted((s.offset, s.offset + s.size) for s in slots)
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))  # no overlap


def test_growth_keeps_addresses_and_code(arena: CodeArena) -> None:
    first = arena.alloc(64)
    first.write(0, ret_const(5))
    first.publish()
    exec_base = arena.exec_ranges()[0][0]
    big = arena.alloc(3 << 20)  # forces growth by more than doubling
    big.write(big.size - 6, ret_const(6))
    big.publish()
    assert arena.size >= (3 << 20) + 64
    assert arena.exec_ranges()[0][0] == exec_base
    assert lib.wx_cm_call0(first.exec_address) == 5
    assert lib.wx_cm_call0(big.exec_address + big.size - 6) == 6
    start, end = arena.exec_ranges()[0]
    assert start <= first.exec_address < end and big.exec_address + big.size <= end


def test_free_returns_space_for_reuse(arena: CodeArena) -> None:
    a, b = arena.alloc(1000), arena.alloc(1000)
    a.publish()
    b.publish()
    arena.free(a)
    arena.free(b)
    c = arena.alloc(2000)  # fits in the coalesced space of a and b
    assert c.offset == a.offset
    with pytest.raises(CodeMemoryError, match="double free"):
        arena.free(a)
    with pytest.raises(CodeMemoryError, match="outside a freed slot"):
        a.write(0, b"\xc3")


def test_rotation_moves_rw_not_rx_and_waits_for_open_slots() -> None:
    with CodeArena(initial=4096, rotate_every=2) as arena:
        s1 = arena.alloc(16)
        rw1 = s1.rw_address
        s2 = arena.alloc(16)  # second alloc: rotation due, but s1 is still open
        assert s1.rw_address == rw1
        s1.write(0, ret_const(1))
        s2.write(0, ret_const(2))
        s1.publish()
        s2.publish()  # last open slot published: the view moves now
        assert arena.rotations == 1 and s1.rw_address != rw1
        assert perms_at(rw1) is None
        assert lib.wx_cm_call0(s1.exec_address) == 1 and lib.wx_cm_call0(s2.exec_address) == 2
        s2.write(0, ret_const(3))  # writes after publish go through the new view
        assert lib.wx_cm_call0(s2.exec_address) == 3


@pytest.mark.parametrize("strategy", ["memfd_pwrite", "memfd_strict"])
def test_arena_strict_strategies(strategy: str) -> None:
    with CodeArena(strategy, initial=4096) as arena:
        slot = arena.alloc(32)
        if strategy == "memfd_pwrite":
            assert slot.rw_address == 0
        else:
            assert perms_at(slot.rw_address) == "rw-s"
        slot.write(0, ret_const(9))
        slot.publish()
        assert slot.rw_address == 0
        assert not writable_views_of_file_at(slot.exec_address)
        slot.write(0, ret_const(10))  # still possible, by pwrite
        assert lib.wx_cm_call0(slot.exec_address) == 10


def test_arena_errors() -> None:
    with pytest.raises(CodeMemoryError, match="supports the strategies"):
        CodeArena("reuse")
    with pytest.raises(CodeMemoryError, match="unknown|supports"):
        CodeArena("rwx")
    with CodeArena(initial=4096, reserve=8192) as arena:
        with pytest.raises(LimitError, match="full"):
            arena.alloc(1 << 20)
        slot = arena.alloc(64)
        with pytest.raises(CodeMemoryError, match="outside the 64-byte slot"):
            slot.write(60, b"12345")
        with pytest.raises(CodeMemoryError, match="positive"):
            arena.alloc(0)
    with pytest.raises(CodeMemoryError, match="closed"):
        arena.alloc(1)


def test_default_arena_is_a_memfd_singleton() -> None:
    a = default_arena()
    assert a is default_arena() and a.strategy == "memfd"
    slot = a.alloc(8)
    slot.write(0, ret_const(77))
    assert lib.wx_cm_call0(slot.publish()) == 77
    a.free(slot)


def test_arena_rejects_bad_alignment() -> None:
    with pytest.raises(Error, match="power of two"):
        CodeArena(initial=4096, align=48)


def test_load_publishes_registers_and_frees_on_release(arena: CodeArena) -> None:
    relocs = ffi.new("uint64_t[1]")
    loaded = arena.load(ret_const(41), relocs, 0)
    address = loaded.exec
    assert lib.wx_cm_call0(address) == 41
    assert lib.wx_pc_in_code(address) and lib.wx_code_range_at(address) == loaded.range
    assert perms_at(address) == "r-xs"        # runs from the read-execute view
    before = arena.free_blocks
    ffi.release(loaded)
    assert not lib.wx_pc_in_code(address)
    assert sum(size for _, size in arena.free_blocks) == sum(size for _, size in before) + 64


def test_load_rejects_bad_relocations_and_keeps_nothing(arena: CodeArena) -> None:
    before = arena.free_blocks
    relocs = ffi.new("uint64_t[3]", [100, 0, 0])      # patch at offset 100 of a 6-byte function
    with pytest.raises(CompileError, match="bad relocation #0"):
        arena.load(ret_const(1), relocs, 1)
    assert arena.free_blocks == before


def test_free_of_a_free_block_is_refused(arena: CodeArena) -> None:
    slot = arena.alloc(64)
    slot.publish()
    arena.free(slot)
    with pytest.raises(CodeMemoryError, match="double free"):
        arena.free(slot)
    twin = CodeSlot(arena, slot.offset, slot.size, slot.exec_address, published=True)
    with pytest.raises(CodeMemoryError, match="not open or live"):
        arena.free(twin)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(1, 5000)), max_size=60))
def test_free_list_invariants(ops: list[tuple[bool, int]]) -> None:
    total = 1 << 16
    with CodeArena(initial=total, reserve=total, align=64) as arena:
        live: dict[int, CodeSlot] = {}
        for do_alloc, n in ops:
            if do_alloc or not live:
                rounded = (n + 63) & ~63
                try:
                    slot = arena.alloc(n)
                except LimitError:
                    assert all(size < rounded for _, size in arena.free_blocks)
                    continue
                slot.publish()
                assert slot.offset % 64 == 0 and slot.size == rounded
                for other in live.values():
                    assert slot.offset + slot.size <= other.offset or other.offset + other.size <= slot.offset
                live[slot.offset] = slot
            else:
                arena.free(live.pop(min(live)))
            blocks = arena.free_blocks
            assert all(a[0] + a[1] < b[0] for a, b in zip(blocks, blocks[1:], strict=False))  # coalesced
            assert sum(size for _, size in blocks) + sum(s.size for s in live.values()) == total
        for slot in list(live.values()):
            arena.free(slot)
        assert arena.free_blocks == [(0, total)]


FORK_PROGRAM = r"""
import os, jit
const = '(module (func (export "f") (result i32) (i32.const {})))'
a = jit.Instance(jit.Module(const.format(1), lazy=False))
r, w = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    b = jit.Instance(jit.Module(const.format(22), lazy=False))   # same free list as the parent's
    os.write(w, b"x")
    os.read(r2, 1)                                               # the parent loads meanwhile
    os.write(w, f"{a.exports.f()} {b.exports.f()}".encode())
    os._exit(0)
os.read(r, 1)
del a                                                            # its slot is free in the parent
c = jit.Instance(jit.Module(const.format(333), lazy=False))
d = jit.Instance(jit.Module(const.format(4444), lazy=False))
os.write(w2, b"x")
got = os.read(r, 100).decode()
os.waitpid(pid, 0)
print(got, c.exports.f(), d.exports.f())
"""


def test_a_forked_child_has_code_memory_of_its_own() -> None:
    """After fork both processes load code at the same free offsets, and the parent reuses the slots
    it frees: with one shared memfd the child ran the parent's code (B.f() returned 333)."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-c", FORK_PROGRAM], capture_output=True, text=True, timeout=300)
    assert proc.stdout.split() == ["1", "22", "333", "4444"], proc.stderr
