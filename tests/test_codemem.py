"""Code memory strategies: every one publishes runnable code with W^X (except rwx), and the
memfd dual mapping behaves as documented (shared pages, rotation, read-only executable view)."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap

import pytest

from jit import Error
from jit.codemem import (
    DEFAULT,
    CodeMemoryError,
    StrategyUnavailable,
    UnsafeStrategyError,
    create,
    names,
    strategy_class,
)
from jit.native import ffi, lib

MOV_EAX_42_RET = bytes([0xB8, 42, 0, 0, 0, 0xC3])
MOV_EAX_7_RET = bytes([0xB8, 7, 0, 0, 0, 0xC3])
SAFE = [n for n in names() if not strategy_class(n).unsafe]


def maps() -> list[tuple[int, int, str, str]]:
    """(start, end, perms, "inode path") of every mapping of this process."""
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


def wx_mappings() -> list[tuple[int, int, str, str]]:
    return [m for m in maps() if "w" in m[2] and "x" in m[2]]


def mapping_of(addr: int) -> tuple[int, int, str, str] | None:
    return next((m for m in maps() if m[0] <= addr < m[1]), None)


def open_or_skip(name: str, nbytes: int = 8192, **kw):
    try:
        return create(name, nbytes, **kw)
    except StrategyUnavailable as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("name", SAFE)
def test_publish_run_and_no_wx_mapping(name: str) -> None:
    baseline = set(wx_mappings())  # only our own mappings are judged
    with open_or_skip(name) as mem:
        for code, want in ((MOV_EAX_42_RET, 42), (MOV_EAX_7_RET, 7)):  # two loads reuse the region
            mem.begin_write()
            mem.write(4096, code)
            addr = mem.publish()
            assert lib.wx_cm_call0(addr + 4096) == want
            assert set(wx_mappings()) <= baseline
            perms = mapping_of(addr)[2]
            assert perms.startswith("r-x"), perms
            mem.finish()
    assert set(wx_mappings()) <= baseline


def test_wx_check_detects_rwx() -> None:
    """The W^X check above can fail: the rwx yardstick is caught by it."""
    with create("rwx", 4096, allow_unsafe=True) as mem:
        mem.begin_write()
        mem.write(0, MOV_EAX_42_RET)
        addr = mem.publish()
        assert lib.wx_cm_call0(addr) == 42
        assert any(s <= addr < e for s, e, _, _ in wx_mappings())
    assert not any(s <= addr < e for s, e, _, _ in wx_mappings())


def test_rwx_refuses_unless_asked_by_name() -> None:
    with pytest.raises(UnsafeStrategyError, match="allow_unsafe"):
        create("rwx", 4096)
    assert DEFAULT == "memfd"


def test_memfd_views_share_pages_at_different_addresses() -> None:
    with create("memfd", 4096) as mem:
        mem.begin_write()
        rw = mem.writable_address
        mem.write(0, MOV_EAX_42_RET)
        x = mem.publish()
        assert rw is not None and rw != x
        assert bytes(ffi.buffer(ffi.cast("char *", x), 6)) == MOV_EAX_42_RET
        ffi.memmove(ffi.cast("char *", rw) + 1, bytes([99]), 1)  # raw write through the RW view
        assert lib.wx_cm_call0(x) == 99
        rw_map, x_map = mapping_of(rw), mapping_of(x)
        assert rw_map[2] == "rw-s" and x_map[2] == "r-xs"
        assert "memfd:" in rw_map[3] and rw_map[3] == x_map[3]  # same file (inode)


def test_memfd_rotation_moves_only_the_writable_view() -> None:
    with create("memfd", 4096, rotate_every=2) as mem:
        seen, execs = [], set()
        for i in range(6):
            mem.begin_write()
            seen.append(mem.writable_address)
            mem.write(0, bytes([0xB8, i, 0, 0, 0, 0xC3]))
            execs.add(mem.publish())
            assert lib.wx_cm_call0(mem.exec_address) == i
        assert len(execs) == 1
        assert mem.rotations == 2  # at loads 3 and 5
        assert seen[0] == seen[1] != seen[2] == seen[3] != seen[4]
        assert mapping_of(seen[0]) is None  # the old view is gone
        old = mem.writable_address
        mem.rotate()
        assert mem.writable_address != old and mapping_of(old) is None


def test_memfd_rotation_default_on() -> None:
    mem = create("memfd", 4096)
    assert mem.rotate_every > 0
    mem.release()


def test_memfd_executable_view_cannot_be_written() -> None:
    code = textwrap.dedent("""
        from jit.codemem import create
        from jit.native import ffi
        mem = create("memfd", 4096)
        mem.begin_write(); mem.write(0, b"\\xc3"); x = mem.publish()
        print("writing", flush=True)
        ffi.cast("volatile char *", x)[0] = b"\\x90"
        print("survived", flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "writing" in proc.stdout and "survived" not in proc.stdout
    assert proc.returncode == -11, (proc.returncode, proc.stderr)


def test_memfd_strict_view_exists_only_while_writing() -> None:
    with create("memfd_strict", 4096) as mem:
        mem.begin_write()
        rw = mem.writable_address
        assert rw is not None and mapping_of(rw)[2] == "rw-s"
        assert writable_views_of_file_at(rw)  # the check below can see the view
        mem.write(0, MOV_EAX_42_RET)
        x = mem.publish()
        assert mem.writable_address is None
        assert not writable_views_of_file_at(x)
        assert lib.wx_cm_call0(x) == 42


def test_memfd_pwrite_never_maps_a_writable_view() -> None:
    with create("memfd_pwrite", 8192) as mem:
        mem.begin_write()
        assert mem.writable_address is None
        mem.write(4096, MOV_EAX_7_RET)
        x = mem.publish()
        assert not writable_views_of_file_at(x)
        assert lib.wx_cm_call0(x + 4096) == 7


def test_naive_unmaps_after_finish() -> None:
    with create("naive", 4096) as mem:
        mem.begin_write()
        mem.write(0, MOV_EAX_42_RET)
        x = mem.publish()
        assert mapping_of(x)[2].startswith("r-x")
        mem.finish()
        assert mapping_of(x) is None or not mapping_of(x)[2].startswith("r-x")


def test_hugetlb_without_reserved_pages_names_the_sysctl() -> None:
    with open("/proc/sys/vm/nr_hugepages") as f:
        if int(f.read()) != 0:
            pytest.skip("vm.nr_hugepages > 0 here: hugetlb is available")
    with pytest.raises(StrategyUnavailable, match=r"vm\.nr_hugepages is 0.*sysctl vm\.nr_hugepages") as info:
        create("hugetlb", 4096)
    assert info.value.strategy == "hugetlb" and isinstance(info.value, Error)


def test_reuse_lock_beyond_memlock_limit_says_so() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (64 * 1024, hard))
    try:
        with pytest.raises(StrategyUnavailable, match="RLIMIT_MEMLOCK"):
            create("reuse_lock", 1 << 20)
    finally:
        resource.setrlimit(resource.RLIMIT_MEMLOCK, (soft, hard))


def test_bad_input_raises_codemem_errors() -> None:
    with pytest.raises(CodeMemoryError, match="unknown code memory strategy 'bogus'"):
        create("bogus", 4096)
    for bad in (0, -1, 1.5, "4096"):
        with pytest.raises(CodeMemoryError, match="positive"):
            create("memfd", bad)  # type: ignore[arg-type]
    mem = create("memfd", 4096)
    with pytest.raises(CodeMemoryError, match="outside begin_write"):
        mem.write(0, b"\xc3")
    mem.begin_write()
    with pytest.raises(CodeMemoryError, match=r"8 bytes at offset 0xffc is outside the 4096-byte region"):
        mem.write(4092, b"12345678")
    with pytest.raises(CodeMemoryError, match="outside"):
        mem.write(-1, b"\xc3")
    with pytest.raises(CodeMemoryError, match="bad write"):
        mem.write(0, 42)  # type: ignore[arg-type]
    mem.write(0, bytearray(b"\xc3"))  # any buffer works
    mem.release()
    mem.release()  # idempotent
    with pytest.raises(CodeMemoryError, match="released"):
        mem.begin_write()


@pytest.mark.parametrize("name", ["naive", "reuse", "memfd_pwrite"])
def test_publish_requires_begin(name: str) -> None:
    with create(name, 4096) as mem, pytest.raises(CodeMemoryError, match="without begin_write"):
        mem.publish()


def test_no_fd_or_mapping_leak_after_release() -> None:
    before_fds = len(os.listdir("/proc/self/fd"))
    before_maps = len(maps())
    for name in ("memfd", "memfd_strict", "memfd_pwrite", "reuse", "thp"):
        mem = open_or_skip(name, 3 * 4096)
        mem.begin_write()
        mem.write(0, b"\xc3")
        mem.publish()
        mem.release()
    assert len(os.listdir("/proc/self/fd")) == before_fds
    assert len(maps()) <= before_maps + 1
