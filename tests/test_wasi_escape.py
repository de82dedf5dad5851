"""Attacks on the WASI capability sandbox: each runs against a tmp tree with a secret next to the preopen.

Layout: ``tmp/secret.txt`` ("SECRET", outside), ``tmp/root/`` preopened as fd 3 with ``sub/f.txt``
("inside"). Every test asserts the secret is never read, listed, linked, changed or created next to,
and that the errno is the one the sandbox promises. Each runs with openat2 (when the kernel has it)
and with the descriptor walk that replaces it elsewhere.
"""
from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.wasi import ERRNO, Wasi, WasiConfig, abi, fs
from jit.wasi.sandbox import DIR_RIGHTS, FILE_RIGHTS

OK, ENOENT, ENOTCAPABLE, ELOOP = 0, ERRNO["NOENT"], ERRNO["NOTCAPABLE"], ERRNO["LOOP"]
EEXIST, ENOTDIR, EPERM = ERRNO["EXIST"], ERRNO["NOTDIR"], ERRNO["PERM"]
SECRET = b"SECRET"
ALL = DIR_RIGHTS | FILE_RIGHTS
FOLLOW = abi.LOOKUPFLAGS_SYMLINK_FOLLOW


class Guest:
    """The WASI host functions over a fresh memory, called as a guest would (pointers into memory)."""

    def __init__(self, root: Path) -> None:
        self.memory = jit.Memory(2)
        self.wasi = Wasi(WasiConfig(preopens={"/": str(root)}))
        self.wasi.bind(self.memory)
        self.funcs = self.wasi.imports()["wasi_snapshot_preview1"]
        self.top = 1024

    def call(self, name: str, *args: int) -> int:
        self.top = 1024 if self.top > 60000 else self.top
        return self.funcs[name](*args)

    def put(self, data: bytes) -> int:
        ptr = self.top
        self.memory.data[ptr:ptr + len(data)] = data
        self.top += (len(data) + 7) & ~7
        return ptr

    def p(self, text: str) -> tuple[int, int]:
        return self.put(text.encode()), len(text.encode())

    def open(self, path: str, *, dirfd: int = 3, oflags: int = 0, rights: int = ALL, follow: bool = True
             ) -> tuple[int, int]:
        out = self.put(bytes(4))
        rc = self.funcs["path_open"](dirfd, FOLLOW if follow else 0, *self.p(path), oflags, rights, ALL, 0,
                                     out)
        return rc, struct.unpack_from("<I", self.memory.data, out)[0] if rc == OK else -1

    def read(self, fd: int) -> bytes:
        buf, nread = self.put(bytes(64)), self.put(bytes(4))
        rc = self.funcs["fd_read"](fd, self.put(struct.pack("<II", buf, 64)), 1, nread)
        assert rc == OK
        n = struct.unpack_from("<I", self.memory.data, nread)[0]
        return bytes(self.memory.data[buf:buf + n])

    def listing(self, fd: int) -> list[bytes]:
        buf, used = self.put(bytes(4096)), self.put(bytes(4))
        assert self.funcs["fd_readdir"](fd, buf, 4096, 0, used) == OK
        data = bytes(self.memory.data[buf:buf + struct.unpack_from("<I", self.memory.data, used)[0]])
        names, pos = [], 0
        while pos + 24 <= len(data):
            namlen = struct.unpack_from("<I", data, pos + 16)[0]
            names.append(data[pos + 24:pos + 24 + namlen])
            pos += 24 + namlen
        return names


@pytest.fixture(params=["openat2", "walk"])
def tree(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    old = fs.set_openat2(request.param == "openat2")
    if request.param == "openat2" and not fs.openat2_in_use():
        fs.set_openat2(old)
        pytest.skip("the kernel has no openat2")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "root" / "sub").mkdir(parents=True)
    (tmp_path / "root" / "sub" / "f.txt").write_bytes(b"inside")
    try:
        yield tmp_path
    finally:
        fs.set_openat2(old)


def _untouched(tmp: Path) -> None:
    """The secret is intact and nothing appeared next to it."""
    assert (tmp / "secret.txt").read_bytes() == SECRET
    st = os.stat(tmp / "secret.txt")
    assert st.st_nlink == 1 and st.st_mtime_ns == _untouched.mtimes.setdefault(tmp, st.st_mtime_ns)
    assert sorted(os.listdir(tmp)) == ["root", "secret.txt"]


_untouched.mtimes = {}  # type: ignore[attr-defined]


def test_renamed_directory_with_a_symlink_planted_at_its_old_name(tree: Path) -> None:
    """The guest opens sub, renames it and plants ``sub -> ..`` (or the host plants an absolute link):
    its descriptor still names the renamed directory itself, so ../secret.txt stays out of reach."""
    _untouched(tree)
    for planted in ("..", str(tree)):
        g = Guest(tree / "root")
        rc, d = g.open("sub", oflags=abi.OFLAGS_DIRECTORY, rights=DIR_RIGHTS)
        assert rc == OK
        assert g.call("path_rename", 3, *g.p("sub"), 3, *g.p("moved")) == OK
        if planted == "..":
            assert g.call("path_symlink", *g.p(".."), 3, *g.p("sub")) == OK
        else:
            os.symlink(planted, tree / "root" / "sub")
        assert g.open("secret.txt", dirfd=d)[0] == ENOENT
        assert g.read(g.open("f.txt", dirfd=d)[1]) == b"inside"          # the renamed directory
        assert b"secret.txt" not in g.listing(d) and b"f.txt" in g.listing(d)
        assert g.call("path_filestat_get", d, FOLLOW, *g.p("secret.txt"), g.put(bytes(64))) == ENOENT
        rc, new = g.open("created", dirfd=d, oflags=abi.OFLAGS_CREAT)
        assert rc == OK and (tree / "root" / "moved" / "created").exists()
        assert g.open("sub/secret.txt")[0] == ENOTCAPABLE                   # through the planted link
        g.wasi.close()
        os.unlink(tree / "root" / "sub")
        os.rename(tree / "root" / "moved", tree / "root" / "sub")
        _untouched(tree)


def test_symlink_swapped_by_a_racing_thread_never_leads_out(tree: Path) -> None:
    """A host thread flips ``link`` between an inside directory and the outside (absolute and ``..``)
    while the guest opens, stats and lists through it."""
    root = tree / "root"
    (tree / "f.txt").write_bytes(SECRET)            # the same name outside, to be sure what was read
    os.symlink("sub", root / "link")
    stop = threading.Event()
    swaps = [0]

    def swap() -> None:
        targets = ["sub", str(tree), "sub", "..", "sub", "sub/../.."]
        while not stop.is_set():
            tmp = root / f".swap{swaps[0] % 2}"
            os.symlink(targets[swaps[0] % len(targets)], tmp)
            os.replace(tmp, root / "link")
            swaps[0] += 1

    racer = threading.Thread(target=swap)
    racer.start()
    g = Guest(root)
    seen = set()
    deadline = time.monotonic() + 30
    try:
        rounds = 0
        # 400 rounds, and on a loaded machine more until the racer (which needs the GIL) has swapped
        while rounds < 400 or (swaps[0] <= 10 and time.monotonic() < deadline):
            rounds += 1
            time.sleep(0)
            rc, fd = g.open("link/f.txt")
            seen.add(rc)
            if rc == OK:
                assert g.read(fd) == b"inside"
                assert g.call("fd_close", fd) == OK
            else:
                assert rc in (ENOTCAPABLE, ENOENT, ELOOP), rc
            rc, d = g.open("link", oflags=abi.OFLAGS_DIRECTORY, rights=DIR_RIGHTS)
            if rc == OK:
                assert b"secret.txt" not in g.listing(d)
                assert g.call("fd_close", d) == OK
            assert g.call("path_filestat_get", 3, FOLLOW, *g.p("link/secret.txt"), g.put(bytes(64))) in (
                ENOTCAPABLE, ENOENT, ELOOP)
    finally:
        stop.set()
        racer.join()
    os.unlink(tree / "f.txt")
    assert swaps[0] > 10 and seen                   # the race did run
    for leftover in root.glob(".swap*"):
        leftover.unlink()
    _untouched(tree)


def test_dotdot_through_symlinks(tree: Path) -> None:
    root = tree / "root"
    os.symlink("../..", root / "sub" / "up")          # sub/up -> above the root
    os.symlink("sub/..", root / "here")               # stays inside: the root
    os.symlink("sub", root / "s")
    g = Guest(root)
    for path in ("sub/up/secret.txt", "sub/up", "s/../../secret.txt", "here/../secret.txt",
                 "sub/up/root/sub/f.txt", "s/up/../secret.txt"):
        assert g.open(path)[0] == ENOTCAPABLE, path
        assert g.call("path_filestat_get", 3, FOLLOW, *g.p(path), g.put(bytes(64))) == ENOTCAPABLE, path
    assert g.read(g.open("here/sub/f.txt")[1]) == b"inside"
    assert g.read(g.open("s/../sub/f.txt")[1]) == b"inside"
    _untouched(tree)


def test_absolute_symlinks_from_the_host_and_from_the_guest(tree: Path) -> None:
    root = tree / "root"
    os.symlink(str(tree / "secret.txt"), root / "abs")
    os.symlink(str(tree), root / "absdir")
    g = Guest(root)
    assert g.open("abs")[0] == ENOTCAPABLE
    assert g.open("abs", follow=False)[0] == ELOOP                  # the link itself is not opened
    assert g.open("absdir/secret.txt")[0] == ENOTCAPABLE
    assert g.open("absdir", oflags=abi.OFLAGS_DIRECTORY, rights=DIR_RIGHTS)[0] == ENOTCAPABLE
    assert g.call("path_filestat_get", 3, FOLLOW, *g.p("abs"), g.put(bytes(64))) == ENOTCAPABLE
    assert g.call("path_symlink", *g.p(str(tree / "secret.txt")), 3, *g.p("mine")) == ENOTCAPABLE
    assert not os.path.lexists(root / "mine")
    assert g.call("path_symlink", *g.p("/"), 3, *g.p("mine")) == ENOTCAPABLE
    # a guest-made relative link that climbs out is created (as wasmtime does) but never followed
    assert g.call("path_symlink", *g.p("../secret.txt"), 3, *g.p("rel")) == OK
    assert g.open("rel")[0] == ENOTCAPABLE
    _untouched(tree)


def test_hard_links_to_outside_files(tree: Path) -> None:
    root = tree / "root"
    os.symlink(str(tree / "secret.txt"), root / "abs")
    os.symlink("../secret.txt", root / "rel")
    g = Guest(root)
    assert g.call("path_link", 3, 0, *g.p("../secret.txt"), 3, *g.p("h1")) == ENOTCAPABLE
    assert g.call("path_link", 3, FOLLOW, *g.p("abs"), 3, *g.p("h2")) == ENOTCAPABLE
    assert g.call("path_link", 3, FOLLOW, *g.p("rel"), 3, *g.p("h3")) == ENOTCAPABLE
    assert g.call("path_link", 3, 0, *g.p("sub/f.txt"), 3, *g.p("../h4")) == ENOTCAPABLE
    # without following, the link is to the symlink itself, which still cannot be followed
    assert g.call("path_link", 3, 0, *g.p("abs"), 3, *g.p("h5")) == OK
    assert os.path.islink(root / "h5") and g.open("h5")[0] == ENOTCAPABLE
    _untouched(tree)


ESCAPES = ["../secret.txt", "sub/../../secret.txt", "/secret.txt", "up/secret.txt", "abs", "up"]


@pytest.mark.parametrize("path", ESCAPES)
def test_every_path_call_refuses_to_leave(tree: Path, path: str) -> None:
    root = tree / "root"
    os.symlink("..", root / "up")
    os.symlink(str(tree / "secret.txt"), root / "abs")
    _untouched(tree)
    g = Guest(root)
    here = g.p("sub/f.txt")
    new = path + ("/x" if path in ("abs", "up") else "x")      # a new name beyond the escape
    refused = (ENOTCAPABLE,) if path not in ("abs", "up") else (ENOTCAPABLE, ELOOP, ENOTDIR, EEXIST)
    calls = {
        "path_open": lambda: g.open(path)[0],
        "path_open O_CREAT": lambda: g.open(path, oflags=abi.OFLAGS_CREAT | abi.OFLAGS_TRUNC)[0],
        "path_open dir": lambda: g.open(path, oflags=abi.OFLAGS_DIRECTORY, rights=DIR_RIGHTS)[0],
        "path_filestat_get": lambda: g.call("path_filestat_get", 3, FOLLOW, *g.p(path), g.put(bytes(64))),
        "path_filestat_set_times": lambda: g.call("path_filestat_set_times", 3, FOLLOW, *g.p(path), 1, 1,
                                                  abi.FSTFLAGS_ATIM | abi.FSTFLAGS_MTIM),
        "path_create_directory": lambda: g.call("path_create_directory", 3, *g.p(new)),
        "path_rename from": lambda: g.call("path_rename", 3, *g.p(path + "/secret.txt" if path == "up"
                                                                   else new if path == "abs" else path), 3,
                                           *g.p("stolen")),
        "path_rename to": lambda: g.call("path_rename", 3, *here, 3, *g.p(new)),
        "path_link from": lambda: g.call("path_link", 3, FOLLOW, *g.p(path), 3, *g.p("stolen")),
        "path_link to": lambda: g.call("path_link", 3, 0, *here, 3, *g.p(new)),
        "path_symlink": lambda: g.call("path_symlink", *g.p("sub"), 3, *g.p(new)),
    }
    if path not in ("abs", "up"):     # these name the link itself, which is inside and may be acted on
        calls.update({
            "path_readlink": lambda: g.call("path_readlink", 3, *g.p(path), g.put(bytes(64)), 64,
                                            g.put(bytes(4))),
            "path_unlink_file": lambda: g.call("path_unlink_file", 3, *g.p(path)),
            "path_remove_directory": lambda: g.call("path_remove_directory", 3, *g.p(path)),
        })
    for name, call in calls.items():
        rc = call()
        assert rc in refused or rc in (ENOENT, EEXIST, ENOTDIR, EPERM, ERRNO["INVAL"]), (name, rc)
        _untouched(tree)
    assert not (root / "stolen").exists()
    assert (root / "sub" / "f.txt").read_bytes() == b"inside"
    assert sorted(os.listdir(root)) == ["abs", "sub", "up"]


def test_readdir_of_the_root_does_not_describe_the_parent(tree: Path) -> None:
    g = Guest(tree / "root")
    names = g.listing(3)
    assert sorted(names) == [b".", b"..", b"sub"]
    assert b"secret.txt" not in names


def test_rights_are_enforced_and_only_dropped(tree: Path) -> None:
    g = Guest(tree / "root")
    rc, fd = g.open("sub/f.txt", rights=abi.RIGHTS["fd_read"])
    assert rc == OK and g.read(fd) == b"inside"
    iov = g.put(struct.pack("<II", g.put(b"x"), 1))
    assert g.call("fd_write", fd, iov, 1, g.put(bytes(4))) == ENOTCAPABLE
    assert g.call("fd_fdstat_set_rights", fd, 0, 0) == OK
    assert g.call("fd_read", fd, iov, 1, g.put(bytes(4))) == ENOTCAPABLE
    assert g.call("fd_fdstat_set_rights", fd, abi.RIGHTS["fd_read"], 0) == ENOTCAPABLE
    # a directory without path_open hands out nothing; O_TRUNC needs path_filestat_set_size
    assert g.call("fd_fdstat_set_rights", 3, DIR_RIGHTS & ~abi.RIGHTS["path_filestat_set_size"], ALL) == OK
    assert g.open("sub/f.txt", oflags=abi.OFLAGS_TRUNC)[0] == EPERM
    fewer = DIR_RIGHTS & ~abi.RIGHTS["path_filestat_set_size"] & ~abi.RIGHTS["path_open"]
    assert g.call("fd_fdstat_set_rights", 3, fewer, ALL) == OK
    assert g.open("sub/f.txt")[0] == ENOTCAPABLE
    assert (tree / "root" / "sub" / "f.txt").read_bytes() == b"inside"


ATTACK_WAT = """
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "sub")
  (data (i32.const 32) "moved")
  (data (i32.const 48) "..")
  (data (i32.const 64) "secret.txt")
  (func (export "_start") (local $rc i32)
    ;; fd 3 = "/" ; open sub as a directory -> fd at [0]
    (local.set $rc (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 3) (i32.const 2)
                               (i64.const DIR_RIGHTS) (i64.const ALL) (i32.const 0) (i32.const 0)))
    (if (local.get $rc) (then (call $exit (i32.const 100))))
    (local.set $rc (call $rename (i32.const 3) (i32.const 16) (i32.const 3) (i32.const 3) (i32.const 32)
                                 (i32.const 5)))
    (if (local.get $rc) (then (call $exit (i32.const 101))))
    (local.set $rc (call $symlink (i32.const 48) (i32.const 2) (i32.const 3) (i32.const 16) (i32.const 3)))
    (if (local.get $rc) (then (call $exit (i32.const 102))))
    ;; open secret.txt below the (renamed) directory fd: exit with the errno
    (call $exit (call $open (i32.load (i32.const 0)) (i32.const 1) (i32.const 64) (i32.const 10)
                            (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))))
"""


@needs_wat2wasm
def test_renamed_directory_attack_as_a_wasm_command(tree: Path) -> None:
    """The same attack as a compiled guest: it exits with the errno of its last open (ENOENT)."""
    from jit.wasi import run_command

    text = ATTACK_WAT.replace("DIR_RIGHTS", str(DIR_RIGHTS)).replace("ALL", str(ALL))
    code = run_command(wat(text), dirs=[(str(tree / "root"), "/")])
    assert code == ENOENT
    assert os.path.islink(tree / "root" / "sub") and (tree / "root" / "moved" / "f.txt").exists()
    _untouched(tree)


# -- the same calls in wasmtime (the Python package), where the errno is expected to agree ----------

def _forwarder() -> bytes:
    """A module exporting each WASI import under its own name (so a host can call them with pointers)."""
    names = ("path_open", "path_rename", "path_symlink", "path_remove_directory", "fd_seek", "sock_shutdown")
    text = ['(module']
    for n in names:
        params, results = abi.SIGNATURES[n]
        text.append(f'(import "wasi_snapshot_preview1" "{n}" (func ${n} (param {" ".join(params)}) '
                    f'(result {" ".join(results)})))')
    text.append('(memory (export "memory") 1)')
    for n in names:
        params, _ = abi.SIGNATURES[n]
        args = " ".join(f"(local.get {i})" for i in range(len(params)))
        text.append(f'(func (export "{n}") {" ".join(f"(param {t})" for t in params)} (result i32) '
                    f'(call ${n} {args}))')
    return wat("\n".join(text) + ")")


def _script(call: Callable[..., int], write: Callable[[int, bytes], object]) -> list[int]:
    """Errnos of a fixed sequence of attacks and edge cases; ``call(name, *args)``, ``write(ptr, data)``."""
    top = [1024]

    def p(text: str) -> tuple[int, int]:
        ptr = top[0]
        write(ptr, text.encode())
        top[0] += len(text) + 8
        return ptr, len(text)

    def op(path: str, oflags: int = 0, rights: int = ALL, follow: int = 1, dirfd: int = 3) -> int:
        return call("path_open", dirfd, follow, *p(path), oflags, rights, ALL, 0, 512)

    return [op("abs", follow=0), op("sub/f.txt/"), op("nothere"),
            call("path_remove_directory", 3, *p(".")),
            call("sock_shutdown", 1, 2), call("sock_shutdown", 99, 2),
            op("sub", abi.OFLAGS_DIRECTORY, DIR_RIGHTS),                  # -> fd 4
            call("fd_seek", 4, 0, 1, 960),
            call("path_rename", 3, *p("sub"), 3, *p("moved")),
            call("path_symlink", *p(".."), 3, *p("sub")),
            op("secret.txt", dirfd=4)]                                     # the renamed-directory attack


def _in_wasmtime(wasmtime: Any, root: Path, module: bytes) -> list[int]:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.preopen_dir(str(root), "/")
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    exports = linker.instantiate(store, wasmtime.Module(engine, module)).exports(store)
    memory = exports["memory"]
    return _script(lambda n, *a: exports[n](store, *a), lambda ptr, data: memory.write(store, data, ptr))


def _in_jit(root: Path) -> list[int]:
    g = Guest(root)

    def write(ptr: int, data: bytes) -> None:
        g.memory.data[ptr:ptr + len(data)] = data
    return _script(g.call, write)


@needs_wat2wasm
def test_errnos_agree_with_wasmtime(tmp_path: Path) -> None:
    """Same tree, same calls: wasmtime and jit.wasi answer the same errnos (escapes aside: there
    wasmtime says EPERM and jit.wasi ENOTCAPABLE)."""
    wasmtime = pytest.importorskip("wasmtime")
    results = []
    for runtime in ("wasmtime", "jit"):
        tmp = tmp_path / runtime
        (tmp / "root" / "sub").mkdir(parents=True)
        (tmp / "secret.txt").write_bytes(SECRET)
        (tmp / "root" / "sub" / "f.txt").write_bytes(b"inside")
        os.symlink(str(tmp / "secret.txt"), tmp / "root" / "abs")
        root = tmp / "root"
        results.append(_in_wasmtime(wasmtime, root, _forwarder()) if runtime == "wasmtime" else _in_jit(root))
        assert (tmp / "secret.txt").read_bytes() == SECRET
    assert results[0] == results[1]
    assert results[1][-1] == ENOENT
