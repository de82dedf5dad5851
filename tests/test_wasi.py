"""WASI preview1 host functions, called directly against a jit.Memory: errno values, memory layouts,
stdio capture and buffering, files, directories, and the capability sandbox (escapes refused)."""
from __future__ import annotations

import io
import os
import struct
import time

import pytest

import jit
from jit.wasi import ERRNO, SIGNATURES, Wasi, WasiConfig, WasiExit, abi, parse_dir
from jit.wasi.sandbox import DIR_RIGHTS

OK = 0
EBADF, EFAULT, EINVAL, ENOENT = ERRNO["BADF"], ERRNO["FAULT"], ERRNO["INVAL"], ERRNO["NOENT"]
ENOTCAPABLE, ENOSYS, EEXIST, EISDIR = ERRNO["NOTCAPABLE"], ERRNO["NOSYS"], ERRNO["EXIST"], ERRNO["ISDIR"]
ENOTEMPTY, ENOTDIR, ELOOP = ERRNO["NOTEMPTY"], ERRNO["NOTDIR"], ERRNO["LOOP"]
END = 2 * 65536                     # the guest memory: 2 pages
RIGHTS_RW = (abi.RIGHTS["fd_read"] | abi.RIGHTS["fd_write"] | abi.RIGHTS["fd_seek"] | abi.RIGHTS["fd_tell"]
             | abi.RIGHTS["fd_filestat_get"] | abi.RIGHTS["fd_filestat_set_size"])


class Guest:
    """A Wasi bound to a fresh 2-page memory, with helpers to place data and read results."""

    def __init__(self, **config: object) -> None:
        self.memory = jit.Memory(END // 65536)
        self.wasi = Wasi(WasiConfig(**config))   # type: ignore[arg-type]
        self.wasi.bind(self.memory)
        self.funcs = self.wasi.imports()["wasi_snapshot_preview1"]
        self.top = 1024

    def call(self, name: str, *args: int) -> int:
        return self.funcs[name](*args)

    def put(self, data: bytes) -> int:
        ptr = self.top
        self.memory.data[ptr:ptr + len(data)] = data
        self.top += (len(data) + 7) & ~7
        return ptr

    def alloc(self, n: int) -> int:
        return self.put(bytes(n))

    def iovecs(self, *chunks: bytes) -> tuple[int, int]:
        vec = b"".join(struct.pack("<II", self.put(c), len(c)) for c in chunks)
        return self.put(vec), len(chunks)

    def u32(self, ptr: int) -> int:
        return struct.unpack_from("<I", self.memory.data, ptr)[0]

    def u64(self, ptr: int) -> int:
        return struct.unpack_from("<Q", self.memory.data, ptr)[0]

    def read(self, ptr: int, n: int) -> bytes:
        return bytes(self.memory.data[ptr:ptr + n])

    def path(self, text: str) -> tuple[int, int]:
        data = text.encode()
        return self.put(data), len(data)

    def open(self, dirfd: int, path: str, oflags: int = 0, rights: int = RIGHTS_RW, follow: bool = True,
             fdflags: int = 0) -> tuple[int, int]:
        out = self.alloc(4)
        rc = self.call("path_open", dirfd, int(follow), *self.path(path), oflags, rights, 0, fdflags, out)
        return rc, self.u32(out) if rc == OK else -1


def test_errno_values_are_the_preview1_ones() -> None:
    assert (ERRNO["SUCCESS"], ERRNO["2BIG"], ERRNO["BADF"]) == (0, 1, 8)
    assert (ERRNO["FAULT"], ERRNO["INVAL"]) == (21, 28)
    assert (ERRNO["NOENT"], ERRNO["NOSYS"], ERRNO["NOTDIR"], ERRNO["NOTCAPABLE"]) == (44, 52, 54, 76)
    assert abi.from_oserror(FileNotFoundError(2, "x")) == ENOENT
    assert abi.from_oserror(OSError(95, "x")) == ERRNO["NOTSUP"]


def test_every_preview1_function_is_provided_with_its_signature() -> None:
    funcs = Guest().funcs
    assert set(funcs) == set(SIGNATURES)
    assert len(SIGNATURES) == 46
    path_open = funcs["path_open"].type
    assert [jit.wasm.valtype_name(t) for t in path_open.params] == \
        ["i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"]
    assert funcs["proc_exit"].type.results == ()


def test_unimplemented_functions_answer_enosys() -> None:
    g = Guest()
    assert g.call("proc_raise", 9) == ENOSYS


def test_socket_calls_on_non_sockets() -> None:
    """No descriptor is a socket: a bad fd gives EBADF, any other ENOTSOCK (as wasmtime)."""
    g = Guest()
    enotsock = abi.ERRNO["NOTSOCK"]
    assert g.call("sock_shutdown", 0, 0) == enotsock
    assert g.call("sock_shutdown", 99, 0) == EBADF
    assert g.call("sock_accept", 1, 0, 0) == enotsock
    assert g.call("sock_recv", 0, 0, 0, 0, 0, 0) == enotsock
    assert g.call("sock_send", 77, 0, 0, 0, 0) == EBADF


def test_args_and_environ_layout() -> None:
    g = Guest(args=["prog", "héllo", ""], env={"A": "1", "LONG": "x" * 10})
    sizes = g.alloc(8)
    assert g.call("args_sizes_get", sizes, sizes + 4) == OK
    assert g.u32(sizes) == 3
    assert g.u32(sizes + 4) == len(b"prog\0h\xc3\xa9llo\0\0")
    argv, buf = g.alloc(12), g.alloc(32)
    assert g.call("args_get", argv, buf) == OK
    ptrs = [g.u32(argv + 4 * i) for i in range(3)]
    assert ptrs[0] == buf
    assert g.read(ptrs[1], 7) == "héllo".encode() + b"\0"
    assert g.read(ptrs[2], 1) == b"\0"
    assert g.call("environ_sizes_get", sizes, sizes + 4) == OK
    assert (g.u32(sizes), g.u32(sizes + 4)) == (2, len("A=1\0LONG=xxxxxxxxxx\0"))
    env, buf = g.alloc(8), g.alloc(32)
    assert g.call("environ_get", env, buf) == OK
    assert g.read(g.u32(env + 4), 16) == b"LONG=xxxxxxxxxx\0"


def test_fd_write_gathers_iovecs_into_a_bytesio() -> None:
    out = io.BytesIO()
    g = Guest(stdout=out)
    iov, n = g.iovecs(b"hello, ", b"", b"world\n")
    nw = g.alloc(4)
    assert g.call("fd_write", 1, iov, n, nw) == OK
    assert g.u32(nw) == 13
    g.wasi.flush()
    assert out.getvalue() == b"hello, world\n"


def test_stdout_is_buffered_in_big_chunks_and_stderr_keeps_the_order() -> None:
    out = io.BytesIO()
    g = Guest(stdout=out, stderr=out)
    nw = g.alloc(4)
    line = g.iovecs(b"line\n")
    for _ in range(10):
        assert g.call("fd_write", 1, *line, nw) == OK
    assert out.getvalue() == b""            # not a terminal: collected, not written per call
    assert g.call("fd_write", 2, *g.iovecs(b"err\n"), nw) == OK
    assert out.getvalue() == b"line\n" * 10 + b"err\n"
    big = g.iovecs(b"x" * 70000)
    assert g.call("fd_write", 1, *big, nw) == OK
    assert len(out.getvalue()) == 50 + 4 + 70000   # the chunk threshold (64 KiB) flushes by itself


def test_text_streams_receive_decoded_text() -> None:
    out = io.StringIO()
    g = Guest(stdout=out)
    assert g.call("fd_write", 1, *g.iovecs("grüße\n".encode()), g.alloc(4)) == OK
    g.wasi.close()
    assert out.getvalue() == "grüße\n"


def test_fd_write_errors() -> None:
    g = Guest(stdout=io.BytesIO())
    nw = g.alloc(4)
    assert g.call("fd_write", 9, *g.iovecs(b"x"), nw) == EBADF
    bad_iov = g.put(struct.pack("<II", END - 6, 100))    # runs past the end of memory
    assert g.call("fd_write", 1, bad_iov, 1, nw) == EFAULT
    assert g.call("fd_write", 1, END - 4, 2, nw) == EFAULT  # the iovec array itself is out of bounds
    assert g.call("fd_write", 1, *g.iovecs(b"x"), END - 1) == EFAULT


def test_fd_read_from_a_file_like_stdin() -> None:
    g = Guest(stdin=io.BytesIO(b"abcdefgh"))
    a, b = g.alloc(3), g.alloc(8)
    iov = g.put(struct.pack("<IIII", a, 3, b, 8))
    nr = g.alloc(4)
    assert g.call("fd_read", 0, iov, 2, nr) == OK
    assert g.u32(nr) == 8
    assert g.read(a, 3) + g.read(b, 5) == b"abcdefgh"
    assert g.call("fd_read", 0, iov, 2, nr) == OK
    assert g.u32(nr) == 0                              # end of input


def test_fdstat_of_stdio_and_isatty_convention() -> None:
    g = Guest(stdout=io.BytesIO())
    st = g.alloc(24)
    assert g.call("fd_fdstat_get", 1, st) == OK
    filetype, flags, rights, _ = abi.FDSTAT.unpack_from(g.memory.data, st)
    assert filetype == abi.FILETYPE_UNKNOWN and rights & abi.RIGHTS_SEEK_TELL  # not a tty
    assert g.call("fd_fdstat_get", 77, st) == EBADF


def test_clocks_random_yield_and_poll() -> None:
    g = Guest()
    t = g.alloc(8)
    before = time.time_ns()
    assert g.call("clock_time_get", abi.CLOCK_REALTIME, 1, t) == OK
    assert before <= g.u64(t) <= time.time_ns()
    assert g.call("clock_time_get", abi.CLOCK_MONOTONIC, 1, t) == OK
    assert g.call("clock_time_get", 99, 1, t) == EINVAL
    assert g.call("clock_res_get", abi.CLOCK_MONOTONIC, t) == OK and g.u64(t) >= 1
    buf = g.alloc(64)
    assert g.call("random_get", buf, 64) == OK and g.read(buf, 64) != bytes(64)
    assert g.call("random_get", END - 6, 64) == EFAULT
    assert g.call("sched_yield") == OK
    sub = g.put(abi.SUBSCRIPTION.pack(0xABCD, abi.EVENTTYPE_CLOCK, abi.CLOCK_MONOTONIC, 2_000_000, 0, 0))
    events, nev = g.alloc(32), g.alloc(4)
    t0 = time.monotonic()
    assert g.call("poll_oneoff", sub, events, 1, nev) == OK
    assert time.monotonic() - t0 >= 0.002
    assert g.u32(nev) == 1
    userdata, err, etype, _, _ = abi.EVENT.unpack_from(g.memory.data, events)
    assert (userdata, err, etype) == (0xABCD, 0, abi.EVENTTYPE_CLOCK)
    assert g.call("poll_oneoff", sub, events, 0, nev) == EINVAL


def test_proc_exit_raises_wasi_exit() -> None:
    g = Guest()
    with pytest.raises(WasiExit) as info:
        g.call("proc_exit", 3)
    assert info.value.code == 3


# -- files and directories --------------------------------------------------------------------------

@pytest.fixture
def sandbox(tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "f.txt").write_bytes(b"inside")
    (tmp_path / "secret.txt").write_bytes(b"outside")
    return root


def test_prestat(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={"/data": str(sandbox)})
    ps = g.alloc(8)
    assert g.call("fd_prestat_get", 3, ps) == OK
    assert abi.PRESTAT.unpack_from(g.memory.data, ps) == (0, 5)
    name = g.alloc(8)
    assert g.call("fd_prestat_dir_name", 3, name, 5) == OK and g.read(name, 5) == b"/data"
    assert g.call("fd_prestat_get", 4, ps) == EBADF          # wasi-libc stops scanning here
    assert g.call("fd_prestat_get", 1, ps) == EBADF          # open, but not a preopen


def test_missing_preopen_directory_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(jit.Error, match="does not exist"):
        Wasi(WasiConfig(preopens={"d": str(tmp_path / "nope")}))
    assert parse_dir("/h::g") == ("/h", "g") and parse_dir("/h") == ("/h", "/h")


def test_create_write_seek_read_stat(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={".": str(sandbox)})
    rc, fd = g.open(3, "new.txt", abi.OFLAGS_CREAT | abi.OFLAGS_EXCL)
    assert rc == OK and fd == 4
    nw = g.alloc(4)
    assert g.call("fd_write", fd, *g.iovecs(b"0123456789"), nw) == OK and g.u32(nw) == 10
    pos = g.alloc(8)
    assert g.call("fd_seek", fd, -4, abi.WHENCE_END, pos) == OK and g.u64(pos) == 6
    assert g.call("fd_tell", fd, pos) == OK and g.u64(pos) == 6
    buf = g.alloc(8)
    iov = g.put(struct.pack("<II", buf, 8))
    assert g.call("fd_read", fd, iov, 1, nw) == OK and g.read(buf, g.u32(nw)) == b"6789"
    assert g.call("fd_pread", fd, iov, 1, 2, nw) == OK and g.read(buf, g.u32(nw)) == b"23456789"
    assert g.call("fd_pwrite", fd, *g.iovecs(b"AB"), 0, nw) == OK
    fs = g.alloc(64)
    assert g.call("fd_filestat_get", fd, fs) == OK
    st = abi.FILESTAT.unpack_from(g.memory.data, fs)
    assert st[2] == abi.FILETYPE_REGULAR_FILE and st[4] == 10
    assert g.call("fd_filestat_set_size", fd, 4) == OK
    assert g.call("fd_close", fd) == OK
    assert g.call("fd_close", fd) == EBADF
    assert (sandbox / "new.txt").read_bytes() == b"AB23"
    assert g.open(3, "new.txt", abi.OFLAGS_CREAT | abi.OFLAGS_EXCL)[0] == EEXIST
    assert g.open(3, "missing.txt")[0] == ENOENT
    assert g.call("fd_seek", 3, 0, abi.WHENCE_SET, pos) == EBADF  # a directory is not seekable
    assert g.call("fd_seek", 0, 0, 7, pos) == EINVAL


def test_directories_and_path_operations(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={".": str(sandbox)})
    assert g.call("path_create_directory", 3, *g.path("d")) == OK
    assert g.call("path_create_directory", 3, *g.path("d")) == EEXIST
    assert g.call("path_remove_directory", 3, *g.path("sub")) == ENOTEMPTY
    assert g.call("path_unlink_file", 3, *g.path("sub")) == EISDIR
    assert g.call("path_rename", 3, *g.path("sub/f.txt"), 3, *g.path("d/g.txt")) == OK
    assert (sandbox / "d" / "g.txt").read_bytes() == b"inside"
    assert g.call("path_symlink", *g.path("d/g.txt"), 3, *g.path("ln")) == OK
    buf, used = g.alloc(32), g.alloc(4)
    assert g.call("path_readlink", 3, *g.path("ln"), buf, 32, used) == OK
    assert g.read(buf, g.u32(used)) == b"d/g.txt"
    fs = g.alloc(64)
    assert g.call("path_filestat_get", 3, 0, *g.path("ln"), fs) == OK
    assert abi.FILESTAT.unpack_from(g.memory.data, fs)[2] == abi.FILETYPE_SYMBOLIC_LINK
    assert g.call("path_filestat_get", 3, 1, *g.path("ln"), fs) == OK
    assert abi.FILESTAT.unpack_from(g.memory.data, fs)[2] == abi.FILETYPE_REGULAR_FILE
    assert g.open(3, "ln", follow=False)[0] == ELOOP          # O_NOFOLLOW on a symlink
    assert g.open(3, "d/g.txt/x")[0] == ENOTDIR
    assert g.call("path_unlink_file", 3, *g.path("ln")) == OK
    assert (sandbox / "d" / "g.txt").exists()
    assert g.call("path_unlink_file", 3, *g.path("d/g.txt")) == OK
    assert g.call("path_remove_directory", 3, *g.path("d")) == OK
    assert g.call("path_remove_directory", 3, *g.path(".")) == EINVAL     # as rmdir(2) and wasmtime
    assert g.call("path_create_directory", 9, *g.path("x")) == EBADF
    assert g.call("path_create_directory", 1, *g.path("x")) == ENOTDIR


def test_readdir_lists_entries_with_cookies(sandbox) -> None:  # type: ignore[no-untyped-def]
    (sandbox / "a.txt").write_bytes(b"")
    g = Guest(preopens={".": str(sandbox)})
    buf, used = g.alloc(4096), g.alloc(4)

    def entries(cookie: int, size: int) -> list[tuple[int, bytes, int]]:
        assert g.call("fd_readdir", 3, buf, size, cookie, used) == OK
        data, out, off = g.read(buf, g.u32(used)), [], 0
        while off + 24 <= len(data):
            nxt, _ino, namlen, dtype = abi.DIRENT.unpack_from(data, off)
            out.append((nxt, data[off + 24:off + 24 + namlen], dtype))
            off += 24 + namlen
        return out

    all_entries = entries(0, 4096)
    assert [(n, t) for _, n, t in all_entries] == [
        (b".", abi.FILETYPE_DIRECTORY), (b"..", abi.FILETYPE_DIRECTORY),
        (b"a.txt", abi.FILETYPE_REGULAR_FILE), (b"sub", abi.FILETYPE_DIRECTORY)]
    assert [c for c, _, _ in all_entries] == [1, 2, 3, 4]
    assert [n for _, n, _ in entries(2, 4096)] == [b"a.txt", b"sub"]
    assert g.call("fd_readdir", 3, buf, 30, 0, used) == OK and g.u32(used) == 30   # truncated: buffer full
    rc, sub = g.open(3, "sub", abi.OFLAGS_DIRECTORY, rights=DIR_RIGHTS)
    assert rc == OK
    assert [n for _, n, _ in entries(0, 4096)] == [b".", b"..", b"a.txt", b"sub"]  # fd 3 unchanged
    assert g.call("fd_readdir", sub, buf, 4096, 0, used) == OK
    assert g.open(3, "sub/f.txt", abi.OFLAGS_DIRECTORY)[0] == ENOTDIR


# -- the sandbox ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["../secret.txt", "sub/../../secret.txt", "/etc/passwd", "..", "sub/../.."])
def test_escapes_are_refused(sandbox, path) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={".": str(sandbox)})
    assert g.open(3, path)[0] == ENOTCAPABLE
    fs = g.alloc(64)
    assert g.call("path_filestat_get", 3, 1, *g.path(path), fs) == ENOTCAPABLE


def test_symlinks_escaping_the_preopen_are_refused(sandbox) -> None:  # type: ignore[no-untyped-def]
    outside = sandbox.parent / "secret.txt"
    os.symlink(str(outside), sandbox / "abs")                 # absolute target
    os.symlink("../secret.txt", sandbox / "rel")              # relative, climbing out
    os.symlink("../..", sandbox / "sub" / "up")               # a directory link out
    os.symlink("sub/f.txt", sandbox / "ok")                   # stays inside
    os.symlink("loop", sandbox / "loop")
    g = Guest(preopens={".": str(sandbox)})
    for p in ("abs", "rel", "sub/up/secret.txt", "sub/up"):
        assert g.open(3, p)[0] == ENOTCAPABLE, p
    assert g.open(3, "loop")[0] == ELOOP
    rc, fd = g.open(3, "ok")
    assert rc == OK
    buf, nr = g.alloc(16), g.alloc(4)
    assert g.call("fd_read", fd, g.put(struct.pack("<II", buf, 16)), 1, nr) == OK
    assert g.read(buf, g.u32(nr)) == b"inside"
    # without following, the link itself is the object: unlink removes the link, not the target
    assert g.call("path_unlink_file", 3, *g.path("rel")) == OK
    assert outside.read_bytes() == b"outside"
    # creating an absolute symlink is refused too
    assert g.call("path_symlink", *g.path("/etc/passwd"), 3, *g.path("evil")) == ENOTCAPABLE
    assert not (sandbox / "evil").exists()


def test_a_directory_opened_below_a_preopen_is_its_own_root(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={".": str(sandbox)})
    rc, sub = g.open(3, "sub", abi.OFLAGS_DIRECTORY, rights=DIR_RIGHTS)
    assert rc == OK
    assert g.open(sub, "f.txt")[0] == OK
    assert g.open(sub, "../sub/f.txt")[0] == ENOTCAPABLE


def test_invalid_utf8_path_and_bad_pointer(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={".": str(sandbox)})
    ptr = g.put(b"\xff\xfe")
    assert g.call("path_create_directory", 3, ptr, 2) == ERRNO["ILSEQ"]
    assert g.call("path_create_directory", 3, END - 6, 100) == EFAULT


def test_renumber_moves_a_descriptor(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Guest(preopens={".": str(sandbox)})
    _, a = g.open(3, "sub/f.txt")
    _, b = g.open(3, "sub/f.txt")
    assert g.call("fd_renumber", a, b) == OK
    assert g.call("fd_close", a) == EBADF
    assert g.call("fd_close", b) == OK
    assert g.call("fd_renumber", 40, 3) == EBADF


def test_every_failure_maps_to_one_errno_table() -> None:
    """Guarded functions and the unguarded hot paths (fd_read/fd_write) share one mapping."""
    import struct

    from jit.wasi import abi
    from jit.wasi.host import _errno_of
    from jit.wasi.sandbox import WasiError

    assert _errno_of(WasiError(abi.ENOTCAPABLE)) == abi.ENOTCAPABLE
    assert _errno_of(FileNotFoundError(2, "x")) == abi.from_oserror(FileNotFoundError(2, "x"))
    assert _errno_of(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")) == abi.EILSEQ
    assert _errno_of(struct.error("x")) == abi.EFAULT
    assert _errno_of(IndexError("x")) == abi.EFAULT
    assert _errno_of(OverflowError("x")) == abi.EINVAL
    with pytest.raises(KeyError):
        _errno_of(KeyError("not a WASI failure: a bug, it must surface"))
