"""LinearMemory / jit.Memory: the reservation, committed size, growth and the native entry pieces."""
from __future__ import annotations

import pytest

import jit
from jit.abi import vmctx as V
from jit.native import ffi, lib
from jit.runtime.memory import PAGE_SIZE, RESERVE_BYTES, LinearMemory


def _maps_entry(address: int) -> str:
    with open("/proc/self/maps") as f:
        for line in f:
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            if lo <= address < hi:
                return line
    raise AssertionError(f"{address:#x} is not mapped")


def test_reservation_layout() -> None:
    m = LinearMemory(2, 10)
    assert m.pages == 2 and m.length == 2 * PAGE_SIZE and m.max_pages == 10
    assert _maps_entry(m.base).split()[1].startswith("rw")
    assert _maps_entry(m.base + 2 * PAGE_SIZE).split()[1] == "---p"
    assert _maps_entry(m.base + RESERVE_BYTES - 1).split()[1] == "---p"
    # u32 index + u32 offset + a 16-byte access stays inside the reservation
    assert (1 << 32) * 2 + 16 <= RESERVE_BYTES


def test_grow_commits_pages_and_honours_max() -> None:
    m = LinearMemory(0, 3)
    assert m.length == 0
    assert m.grow(2) == 0 and m.pages == 2
    assert _maps_entry(m.base + PAGE_SIZE).split()[1].startswith("rw")
    assert m.grow(2) == -1 and m.pages == 2
    assert m.grow(1) == 2 and m.grow(0) == 3
    assert m.grow(-1) == -1


def test_limit_clamps_max() -> None:
    m = LinearMemory(1, None, limit_pages=2)
    assert m.max_pages == 2 and m.declared_max is None
    with pytest.raises(jit.LimitError):
        LinearMemory(3, None, limit_pages=2)
    with pytest.raises(jit.LimitError):
        LinearMemory(5, 4)


def test_memory_extern_data_view() -> None:
    mem = jit.Memory(1, 2)
    mem.data[0:3] = b"abc"
    assert bytes(mem.data[:3]) == b"abc" and mem.size == 1 and mem.data_size == PAGE_SIZE
    assert mem.grow(1) == 1 and len(mem.data) == 2 * PAGE_SIZE
    with pytest.raises(jit.LimitError):
        mem.grow(1)
    assert mem.type.limits.min == 2 and mem.type.limits.max == 2


def test_native_struct_matches_vmctx_layout() -> None:
    m = LinearMemory(1, 1)
    raw = ffi.cast("uint64_t *", m.address)
    assert raw[V.VMMEMORY_BASE // 8] == m.base
    assert raw[V.VMMEMORY_LENGTH // 8] == PAGE_SIZE
    assert raw[V.VMMEMORY_PAGES // 8] == 1
    assert raw[V.VMMEMORY_MAX_PAGES // 8] == 1
    assert raw[V.VMMEMORY_RESERVED // 8] == RESERVE_BYTES
    assert ffi.sizeof("wx_memory") == V.VMMEMORY_SIZE


def test_relocation_writes_helper_addresses() -> None:
    code = bytearray(24)
    relocs = ffi.new("uint64_t[]", [8, V.RELOC_HELPER_ABS64, V.HELPER_ID["wx_host_call"]])
    assert lib.wx_relocate(ffi.from_buffer(code), len(code), relocs, 1) == -1
    assert int.from_bytes(code[8:16], "little") == lib.wx_helper_address(V.HELPER_ID["wx_host_call"]) != 0
    bad = ffi.new("uint64_t[]", [20, V.RELOC_HELPER_ABS64, 0, 0, 99, 0])
    assert lib.wx_relocate(ffi.from_buffer(code), len(code), bad, 2) == 0   # would overrun the code
    assert lib.wx_helper_address(len(V.HELPERS)) == 0
