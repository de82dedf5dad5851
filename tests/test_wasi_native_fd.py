"""fd_write, fd_read, fd_seek and fd_tell answered in C (native/wasi_fast.c) give what Python gives.

A guest re-exports the descriptor calls. Each case runs twice, with the C handlers and with every
call through Python (``jit.wasi.native.ENABLED = False``), on its own copy of the same files: the
same errno, the same guest memory, the same file contents, and the C path never enters Python for
a plain descriptor. Rights (a read-only fd cannot be written: ENOTCAPABLE), bad pointers (iovec
arrays and buffers outside memory: EFAULT, never a crash), the mirror of the descriptor table after
renumber/close/set_rights, the order of output written through C and through Python, and a read of
an empty pipe on stdin still ending at the deadline are checked here.
"""
from __future__ import annotations

import os
import struct
import threading
import time

import pytest
from wasi_counting import CountingGuest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.wasi import WasiConfig, abi

pytestmark = needs_wat2wasm

FD_CALLS = ("fd_write", "fd_read", "fd_seek", "fd_tell")
GUEST = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $s (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $t (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $rights (param i32 i64 i64) (result i32)))
  (memory (export "memory") 1)
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    (call $w (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
    (call $r (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "fd_seek") (param i32 i64 i32 i32) (result i32)
    (call $s (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "fd_tell") (param i32 i32) (result i32) (call $t (local.get 0) (local.get 1)))
  (func (export "path_open") (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)
    (call $open (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                (local.get 6) (local.get 7) (local.get 8)))
  (func (export "fd_close") (param i32) (result i32) (call $close (local.get 0)))
  (func (export "fd_renumber") (param i32 i32) (result i32) (call $renumber (local.get 0) (local.get 1)))
  (func (export "fd_fdstat_set_rights") (param i32 i64 i64) (result i32)
    (call $rights (local.get 0) (local.get 1) (local.get 2)))
  (func (export "write_loop") (param $fd i32) (param $n i32) (result i32) (local $rc i32)
    (loop $l
      (local.set $rc (call $w (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 60)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $rc)))
"""
END = 65536
R = abi.RIGHTS
READ_ONLY = R["fd_read"] | R["fd_seek"] | R["fd_tell"] | R["fd_fdstat_set_flags"]
READ_WRITE = READ_ONLY | R["fd_write"]
PATH = 1024          # where the guest finds the file name
OUT_FD = 1100        # path_open's result


@pytest.fixture(scope="module")
def module() -> jit.Module:
    return jit.Module(wat(GUEST))


class Run(CountingGuest):
    """An instance of the guest with its own Wasi over ``root`` (preopened as fd 3); counts the
    descriptor calls that reached Python."""

    def __init__(self, module: jit.Module, native: bool, root: str, **stdio) -> None:
        super().__init__(module, native, WasiConfig(args=["p"], preopens={"/": root}, **stdio), FD_CALLS)

    def __call__(self, name: str, *args: int) -> int:
        return self.inst.exports[name](*args)

    def open(self, name: str, rights: int, oflags: int = 0) -> int:
        data = name.encode()
        self.mem.data[PATH:PATH + len(data)] = data
        rc = self("path_open", 3, 0, PATH, len(data), oflags, rights, rights, 0, OUT_FD)
        assert rc == 0, abi.ERRNO_NAMES[rc]
        return struct.unpack_from("<I", self.mem.data, OUT_FD)[0]

    def iovecs(self, at: int, *vecs: tuple[int, int]) -> None:
        for i, (ptr, length) in enumerate(vecs):
            struct.pack_into("<II", self.mem.data, at + 8 * i, ptr & 0xFFFFFFFF, length & 0xFFFFFFFF)

    def snapshot(self) -> bytes:
        return bytes(self.mem.data)


def s32(x: int) -> int:
    return x - (1 << 32) if x >> 31 & 1 else x


def pair(module: jit.Module, tmp_path, content: bytes = b"0123456789abcdef" * 64):
    """The same guest with C handlers and through Python, each over its own copy of one file."""
    runs = []
    for native in (True, False):
        root = tmp_path / ("c" if native else "py")
        root.mkdir()
        (root / "f").write_bytes(content)
        (root / "ro").write_bytes(content)
        run = Run(module, native, str(root))
        run.root = root
        runs.append(run)
    return runs


def both(fast: Run, slow: Run, name: str, *args: int) -> int:
    rc_f, rc_s = fast(name, *args), slow(name, *args)
    assert rc_f == rc_s, (name, args, abi.ERRNO_NAMES.get(rc_f), abi.ERRNO_NAMES.get(rc_s))
    assert fast.snapshot() == slow.snapshot(), (name, args)
    return rc_f


def test_file_reads_writes_and_seeks_match_python_and_stay_native(module, tmp_path) -> None:
    fast, slow = pair(module, tmp_path)
    fds = {n: (fast.open(n, READ_WRITE if n == "f" else READ_ONLY), slow.open(n, READ_WRITE if n == "f"
                                                                              else READ_ONLY))
           for n in ("f", "ro")}
    assert fds["f"][0] == fds["f"][1] and fds["ro"][0] == fds["ro"][1]
    rw, ro = fds["f"][0], fds["ro"][0]
    cases = []
    for run in (fast, slow):
        run.mem.data[:16] = b"ABCDEFGHIJKLMNOP"
        run.iovecs(100, (0, 5), (8, 0), (10, 6))                     # an empty iovec in the middle
        run.iovecs(200, (END - 4, 4), (END - 4, 5))                  # the second ends past memory
        run.iovecs(300, (0xFFFFFFFF, 2))                             # wraps past 2**32
        run.iovecs(400, (3000, 7), (3100, 100))
        run.iovecs(END - 8, (0, 4))                                  # the array itself at the end
    for fd in (rw, ro, 99, -1, 0x7FFFFFFF):
        for iovs, n in ((100, 3), (100, 0), (200, 1), (200, 2), (300, 1), (END - 8, 1), (END - 4, 1),
                        (END, 1), (s32(0xFFFFFFF8), 1), (100, 0x20000000), (100, -1)):
            for out in (60, END - 4, END - 3, END):
                cases.append(("fd_write", fd, iovs, n, s32(out)))
                cases.append(("fd_read", fd, 400 if iovs == 100 else iovs, n, s32(out)))
        for offset, whence in ((0, 0), (3, 0), (-1, 1), (0, 1), (5, 2), (-5, 2), (-100000, 2), (0, 3),
                               (1 << 40, 0), (-(1 << 63), 0), ((1 << 63) - 1, 1)):
            for out in (64, END - 8, END - 7):
                cases.append(("fd_seek", fd, offset, whence, s32(out)))
        for out in (64, END - 8, END - 7, -1):
            cases.append(("fd_tell", fd, out))
    for case in cases:
        both(fast, slow, *case)
    assert fast.python_calls == sum(case[1] not in (rw, ro) for case in cases)   # unknown fds only
    assert slow.python_calls == len(cases)
    fast.wasi.close()
    slow.wasi.close()
    for name in ("f", "ro"):
        assert (fast.root / name).read_bytes() == (slow.root / name).read_bytes()
    assert (fast.root / "f").read_bytes() != (fast.root / "ro").read_bytes()     # writes happened


def test_write_on_a_read_only_descriptor_is_not_capable(module, tmp_path) -> None:
    fast, slow = pair(module, tmp_path)
    for run in (fast, slow):
        fd = run.open("ro", READ_ONLY)
        run.mem.data[:4] = b"xyzw"
        run.iovecs(100, (0, 4))
        assert run("fd_write", fd, 100, 1, 60) == abi.ENOTCAPABLE
        assert run("fd_read", fd, 100, 1, 60) == 0
        assert run("fd_fdstat_set_rights", fd, R["fd_write"] | R["fd_seek"], 0) == abi.ENOTCAPABLE
        assert run("fd_fdstat_set_rights", fd, R["fd_seek"], 0) == 0     # drop fd_read and fd_tell
        assert run("fd_read", fd, 100, 1, 60) == abi.ENOTCAPABLE
        assert run("fd_tell", fd, 64) == 0 and run("fd_seek", fd, 0, 0, 64) == 0
        assert run("fd_fdstat_set_rights", fd, 0, 0) == 0
        assert run("fd_tell", fd, 64) == abi.ENOTCAPABLE
        assert run("fd_seek", fd, 1, 0, 64) == abi.ENOTCAPABLE
    assert fast.python_calls == 0
    assert (fast.root / "ro").read_bytes() == (slow.root / "ro").read_bytes()


def test_the_mirror_follows_close_renumber_and_rights(module, tmp_path) -> None:
    fast, _ = pair(module, tmp_path)
    wasi = fast.wasi
    a = fast.open("f", READ_WRITE)
    b = fast.open("ro", READ_ONLY)

    def check() -> None:
        for fd in range(0, 16):
            e = wasi.fds.get(fd)
            native = wasi._fast.fds.get(fd)
            expect = None if e is None else wasi._native_fd(e)
            assert native == expect, fd
    check()
    assert fast("fd_renumber", a, b) == 0
    check()
    assert wasi._fast.fds.get(a) is None and wasi._fast.fds.get(b).rights == READ_WRITE
    assert fast("fd_fdstat_set_rights", b, R["fd_read"], 0) == 0
    check()
    assert fast("fd_close", b) == 0
    check()
    assert fast("fd_write", b, 100, 1, 60) == abi.EBADF         # Python answers for a closed fd
    assert fast("fd_seek", 3, 0, 0, 64) == abi.EBADF            # a directory: Python answers
    wasi.close()
    check()


def test_output_through_c_and_python_keeps_its_order(module, tmp_path) -> None:
    """One iovec goes through C, 100 iovecs (more than C takes) through Python, a host write in
    between: the pipe receives them in program order."""
    r, w = os.pipe()
    try:
        run = Run(module, True, str(tmp_path), stdout=w, stderr=w)
        mem = run.mem.data
        mem[0:3] = b"C1\n"
        run.iovecs(100, (0, 3))
        python_line = b"P" * 99 + b"\n"
        mem[1000:1100] = python_line
        run.iovecs(200, *[(1000 + i, 1) for i in range(100)])        # 100 one-byte iovecs
        mem[20:23] = b"C3\n"
        run.iovecs(1200, (20, 3))
        assert run("fd_write", 1, 100, 1, 60) == 0
        assert run("fd_write", 1, 200, 100, 60) == 0
        os.write(w, b"H\n")
        assert run("fd_write", 2, 1200, 1, 60) == 0
        assert run("fd_write", 1, 100, 1, 60) == 0
        assert run.python_calls == 1
        os.close(w)
        w = -1
        out = b""
        while chunk := os.read(r, 4096):
            out += chunk
        assert out == b"C1\n" + python_line + b"H\nC3\nC1\n"
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_captured_stdio_goes_to_python(module, tmp_path) -> None:
    import io
    out = io.BytesIO()
    run = Run(module, True, str(tmp_path), stdout=out)
    run.mem.data[0:2] = b"hi"
    run.iovecs(100, (0, 2))
    assert run("fd_write", 1, 100, 1, 60) == 0
    assert run("fd_write", 2, 100, 1, 60) == 0     # stderr is fd 2, but stdout has a Python buffer
    assert run.python_calls == 2
    run.wasi.flush()
    assert out.getvalue() == b"hi"


def test_a_hot_write_loop_to_a_file_never_enters_python(module, tmp_path) -> None:
    (tmp_path / "f").write_bytes(b"")
    run = Run(module, True, str(tmp_path))
    fd = run.open("f", READ_WRITE)
    run.mem.data[0:1] = b"x"
    run.iovecs(0, (8, 1))
    run.mem.data[8:9] = b"y"
    assert run("write_loop", fd, 10000) == 0
    assert run.python_calls == 0
    run.wasi.close()
    assert (tmp_path / "f").read_bytes() == b"y" * 10000


def test_stdin_pipe_reads_in_c_when_ready_and_wait_interruptibly_when_empty(module, tmp_path) -> None:
    r, w = os.pipe()
    try:
        run = Run(module, True, str(tmp_path), stdin=r)
        run.iovecs(100, (0, 16))
        os.write(w, b"ready")
        assert run("fd_read", 0, 100, 1, 60) == 0
        assert bytes(run.mem.data[0:5]) == b"ready" and struct.unpack_from("<I", run.mem.data, 60)[0] == 5
        assert run.python_calls == 0
        # empty: C declines, Python's Blocker waits and the interrupt ends it with a trap
        timer = threading.Timer(0.2, run.inst.interrupt)
        timer.start()
        t0 = time.monotonic()
        with pytest.raises(jit.Trap, match="interrupted"):
            run("fd_read", 0, 100, 1, 60)
        timer.join()
        assert time.monotonic() - t0 < 5
        assert run.python_calls == 1
        # input there but an interrupt pending: Python answers (and traps), as without C
        os.write(w, b"more")
        run.inst.interrupt()
        with pytest.raises(jit.Trap, match="interrupted"):
            run("fd_read", 0, 100, 1, 60)
        assert run("fd_read", 0, 100, 1, 60) == 0 and bytes(run.mem.data[0:4]) == b"more"
    finally:
        os.close(r)
        os.close(w)


def test_wasi_calls_benchmark_measures_every_row_and_the_c_floor() -> None:
    from jit.benchmarks import wasi_calls
    rows = wasi_calls.run(calls=200, reps=1, with_wasmtime=False)
    assert [r.call for r in rows] == list(wasi_calls.CALLS)
    for r in rows:
        assert r.wasmtime is None and r.handler_alone is not None, r.call
        assert r.handler_alone >= 0 and r.wxjit_python > 0 or r.call == "empty loop", r.call


def test_after_close_every_call_is_ebadf_and_no_reused_host_fd_is_written(module, tmp_path) -> None:
    (tmp_path / "f").write_bytes(b"")
    run = Run(module, True, str(tmp_path))
    fd = run.open("f", READ_WRITE)
    run.wasi.close()
    reused = os.open(tmp_path / "other", os.O_WRONLY | os.O_CREAT)     # may take the closed number
    try:
        run.mem.data[0:2] = b"no"
        run.iovecs(100, (0, 2))
        assert run("fd_write", fd, 100, 1, 60) == abi.EBADF
        assert run("fd_write", 1, 100, 1, 60) == abi.EBADF
        assert (tmp_path / "other").read_bytes() == b""
    finally:
        os.close(reused)
