"""WASI preview1 host functions: ``WasiConfig`` (what the guest sees) and ``Wasi`` (its live state).

``Wasi(config).imports()`` gives the ``{"wasi_snapshot_preview1": {name: jit.Func}}`` import map with
*every* preview1 function (those not implemented answer ``ENOSYS``), so any preview1 module links.
The functions need the guest's memory, which exists only after instantiation: call
``wasi.bind(instance)`` before running code (``jit.wasi.run_command`` does all of this).

Guarantees:

* errno values are the preview1 ones (``jit.wasi.abi.ERRNO``); host ``OSError``\\ s are mapped by name,
  a pointer outside linear memory gives ``EFAULT``, invalid UTF-8 in a path ``EILSEQ``;
* only preopened directories are reachable: each directory capability is an open host directory
  descriptor and every path is resolved below it with ``*at`` calls (``jit.wasi.fs``); absolute
  paths, ``..`` above a capability and symlinks leading out of it give ``ENOTCAPABLE``;
* every descriptor carries base and inheriting rights, checked on every call (``jit.wasi.sandbox``);
* ``proc_exit(code)`` raises ``WasiExit(code)``, which propagates unchanged out of the Wasm call;
* stdio are the process's own descriptors by default, or any int fd / Python file-like object;
  output to a descriptor is written through before ``fd_write`` returns, output to a non-terminal
  file-like object in 64 KiB chunks, flushed by ``Wasi.close()`` (and before exit);
* blocking calls (``poll_oneoff``, ``fd_read`` on pipes and terminals) end with ``jit.Trap("interrupted")``
  at the bound instance's deadline or ``interrupt()`` (``jit.wasi.blocking``);
* ``fd_write``/``fd_read`` move data between the stream and linear memory through memoryview slices
  (``os.writev``/``os.readv`` for files: one system call, no copy into Python bytes);
* the hot calls (clocks, random, args/environ, and fd_write/fd_read/fd_seek/fd_tell on plain host
  descriptors) are answered in C with the same results (``jit.wasi.native``); ``self.fds`` is the
  ``FdTable`` that keeps C's view of the descriptors equal to this one, so every change to a
  descriptor goes through it (``refresh(fd)`` after changing an entry's rights or flags).
"""
from __future__ import annotations

import os
import select
import stat
import struct
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Error
from . import abi
from .blocking import DONE, READ, UNBOUND, WRITE, Blocker, poll_target, readable_bytes
from .fs import Lookup, lookup, open_directory
from .native import FD_READ_WAITS, FD_STREAM, FastContext, FdTable, NativeFd
from .sandbox import DIR_RIGHTS, FILE_RIGHTS, PREOPEN_INHERITING, WasiError
from .streams import Stream, file_type, flush_python_stdio

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
_EMPTY = memoryview(bytearray())
_HANGUP = 1      # eventrwflags.fd_readwrite_hangup
_U32, _U64, _U32X2 = abi.U32, abi.U64, abi.U32X2
_IOV_STRUCTS = {n: struct.Struct(f"<{2 * n}I") for n in range(1, 17)}
_WHENCE = {abi.WHENCE_SET: os.SEEK_SET, abi.WHENCE_CUR: os.SEEK_CUR, abi.WHENCE_END: os.SEEK_END}
_CLOCKS: dict[int, tuple[Callable[[], int], str]] = {
    abi.CLOCK_REALTIME: (time.time_ns, "time"),
    abi.CLOCK_MONOTONIC: (time.monotonic_ns, "monotonic"),
    abi.CLOCK_PROCESS_CPUTIME: (time.process_time_ns, "process_time"),
    abi.CLOCK_THREAD_CPUTIME: (time.thread_time_ns, "thread_time"),
}
_R = abi.RIGHTS
_FDFLAGS_TO_OS = {abi.FDFLAGS_APPEND: os.O_APPEND, abi.FDFLAGS_DSYNC: os.O_DSYNC,
                  abi.FDFLAGS_NONBLOCK: os.O_NONBLOCK, abi.FDFLAGS_RSYNC: getattr(os, "O_RSYNC", 0),
                  abi.FDFLAGS_SYNC: os.O_SYNC}


class WasiExit(Exception):  # noqa: N818 - it is an exit, not an error
    """Raised by ``proc_exit``: the guest asked to exit with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(f"exit code {code}")
        self.code = code


@dataclass
class WasiConfig:
    """What a WASI guest sees.

    ``args``: argv (``args[0]`` is the program name); ``env``: environment (nothing is inherited);
    ``preopens``: guest directory name -> host directory; ``stdin``/``stdout``/``stderr``: ``None``
    for the process's own fd 0/1/2, an int fd, or a Python file-like object (binary or text).
    """

    args: list[str] = field(default_factory=lambda: ["main"])
    env: Mapping[str, str] = field(default_factory=dict)
    preopens: Mapping[str, str] = field(default_factory=dict)
    stdin: Any = None
    stdout: Any = None
    stderr: Any = None

    @classmethod
    def from_dirs(cls, dirs: Iterable[tuple[str, str]], **kwargs: Any) -> WasiConfig:
        """A config whose preopens come from (host, guest) pairs, as ``--dir HOST::GUEST`` gives."""
        return cls(preopens={guest: host for host, guest in dirs}, **kwargs)

    def imports(self) -> tuple[dict[str, dict[str, Any]], Wasi]:
        """The import map and the ``Wasi`` state behind it (bind it to the instance after creating it)."""
        wasi = Wasi(self)
        return wasi.imports(), wasi


def parse_dir(spec: str) -> tuple[str, str]:
    """``"HOST::GUEST"`` or ``"HOST"`` (guest name = host path) -> (host, guest)."""
    host, sep, guest = spec.partition("::")
    return (host, guest) if sep else (spec, spec)


class _Fd:
    """One open descriptor: a stdio stream, an OS file descriptor, or a directory capability."""

    __slots__ = ("filetype", "stream", "os_fd", "dir_fd", "preopen", "rights", "inheriting", "fdflags",
                 "listing")

    def __init__(self, filetype: int, *, stream: Stream | None = None, os_fd: int | None = None,
                 dir_fd: int | None = None, preopen: str | None = None, rights: int = abi.RIGHTS_ALL,
                 inheriting: int = abi.RIGHTS_ALL, fdflags: int = 0) -> None:
        self.filetype = filetype
        self.stream = stream
        self.os_fd = os_fd            # a file (not a directory)
        self.dir_fd = dir_fd          # host descriptor of a directory capability
        self.preopen = preopen        # guest name when preopened
        self.rights = rights
        self.inheriting = inheriting
        self.fdflags = fdflags
        self.listing: list[tuple[bytes, int, int]] | None = None


# How a failure inside a WASI function becomes its errno result (a WASI function never raises).
_ERRNO_OF: tuple[tuple[type | tuple[type, ...], Callable[[BaseException], int]], ...] = (
    (WasiError, lambda exc: exc.errno),
    (OSError, abi.from_oserror),
    (UnicodeError, lambda exc: abi.EILSEQ),
    ((struct.error, IndexError), lambda exc: abi.EFAULT),   # a pointer or length outside memory
    (OverflowError, lambda exc: abi.EINVAL),
)
_FAILURES = tuple(t for types, _ in _ERRNO_OF for t in (types if isinstance(types, tuple) else (types,)))


def _errno_of(exc: BaseException) -> int:
    for types, errno in _ERRNO_OF:
        if isinstance(exc, types):
            return errno(exc)
    raise exc


def _guard(fn: Callable[..., int]) -> Callable[..., int]:
    """Turn the failures of a host function into errno results (see ``_ERRNO_OF``)."""
    def call(*args: int) -> int:
        try:
            return fn(*args)
        except _FAILURES as exc:
            return _errno_of(exc)
    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


class Wasi:
    """The live state of one WASI guest: descriptor table, streams, args/env, its memory once bound."""

    _blocker: Blocker = UNBOUND     # how blocking calls wait; bind() gives the instance's (deadlines)

    def __init__(self, config: WasiConfig) -> None:
        self.config = config
        self.args = [a.encode() if isinstance(a, str) else bytes(a) for a in config.args]
        self.env = [f"{k}={v}".encode() for k, v in config.env.items()]
        self._fast = FastContext(self.args, self.env)     # what the C handlers of hot calls read
        self._memory: Any = None
        self._mv = _EMPTY
        self._mv_len = 0
        self.streams = [Stream(0 if config.stdin is None else config.stdin, buffered=False),
                        Stream(1 if config.stdout is None else config.stdout),
                        Stream(2 if config.stderr is None else config.stderr, buffered=False)]
        # stdio goes to C only when no stream is a Python object (whose buffer could hold earlier output)
        self._native_stdio = all(s.fd is not None for s in self.streams)
        self.fds: FdTable = FdTable(self._fast.fds, self._native_fd)
        for i, s in enumerate(self.streams):
            self.fds[i] = _Fd(s.filetype, stream=s, rights=s.rights, inheriting=0)
        for fd, (guest, host) in enumerate(config.preopens.items(), start=3):
            try:
                dir_fd = open_directory(host)
            except OSError:
                self.close()
                raise Error(f"preopen {guest!r}: host directory {host!r} does not exist "
                            "or is not a directory") from None
            self.fds[fd] = _Fd(abi.FILETYPE_DIRECTORY, dir_fd=dir_fd, preopen=guest, rights=DIR_RIGHTS,
                               inheriting=PREOPEN_INHERITING)

    # -- binding and lifetime ----------------------------------------------------------------------
    def bind(self, target: Any) -> None:
        """Give the host functions the guest's memory: an instance (its export "memory") or a jit.Memory."""
        mem = target
        exports = getattr(target, "exports", None)
        if exports is not None:
            mem = exports.get("memory") or getattr(target, "memory", None)
        if mem is None or not hasattr(mem, "data_size"):
            raise Error("WASI needs the module to export its memory as \"memory\"")
        self._memory = mem
        self._mv_len = -1
        self._blocker = Blocker.of(target)
        self._fast.bind(mem, getattr(target, "_state", None) if self._blocker is not UNBOUND else None)
        if self._native_stdio:        # output printed by Python so far comes before the guest's
            flush_python_stdio()
        for s in self.streams:
            s.blocker = self._blocker

    def flush(self) -> None:
        """Write out buffered output."""
        for s in self.streams:
            s.flush()

    def close(self) -> None:
        """Flush the streams and close every descriptor the guest opened (not the stdio targets)."""
        try:
            self.flush()
        finally:
            entries = list(self.fds.values())
            self.fds.clear()          # first: C must never see a host fd number that is closed (reused)
            for e in entries:
                for fd in (e.os_fd, e.dir_fd):
                    if fd is not None:
                        try:
                            os.close(fd)
                        except OSError:
                            pass

    def imports(self) -> dict[str, dict[str, Any]]:
        """``{"wasi_snapshot_preview1": {name: jit.Func}}`` for every preview1 function."""
        funcs = {}
        for name, (params, results) in abi.SIGNATURES.items():
            impl = getattr(self, name, None)
            if impl is None:
                impl = _enosys
            elif name not in _UNGUARDED:
                impl = _guard(impl)
            if name in _GATED:
                impl = self._gate(impl, _GATED[name])
            funcs[name] = self._fast.func(name, impl, params, results)
        return {abi.MODULE: funcs}

    # -- memory helpers ----------------------------------------------------------------------------
    def _mem(self) -> memoryview:
        m = self._memory
        if m is None:
            return _EMPTY
        n = m.data_size
        if n != self._mv_len:
            self._mv = m.data
            self._mv_len = n
        return self._mv

    def _bytes(self, ptr: int, length: int) -> memoryview:
        mv = self._mem()
        ptr &= M32
        length &= M32
        if ptr + length > len(mv):
            raise WasiError(abi.EFAULT)
        return mv[ptr:ptr + length]

    def _str(self, ptr: int, length: int) -> str:
        return bytes(self._bytes(ptr, length)).decode("utf-8")

    def _put(self, ptr: int, data: bytes) -> None:
        self._bytes(ptr, len(data))[:] = data

    def _iovecs(self, mv: memoryview, iovs: int, n: int) -> list[memoryview]:
        n &= M32
        if n == 0:
            return []
        st = _IOV_STRUCTS.get(n) or struct.Struct(f"<{2 * n}I")
        vec = st.unpack_from(mv, iovs & M32)
        size = len(mv)
        out = []
        for i in range(0, 2 * n, 2):
            a, length = vec[i], vec[i + 1]
            if a + length > size:
                raise WasiError(abi.EFAULT)
            if length:
                out.append(mv[a:a + length])
        return out

    def _fd(self, fd: int) -> _Fd:
        e = self.fds.get(fd & M32)
        if e is None:
            raise WasiError(abi.EBADF)
        return e

    def _gate(self, impl: Callable[..., int], right: int) -> Callable[..., int]:
        """``impl`` (of four arguments) behind a check that its descriptor (the first) holds ``right``."""
        fds = self.fds

        def gated(fd: int, a: int, b: int, c: int) -> int:
            e = fds.get(fd)
            if e is not None and not e.rights & right and e.dir_fd is None:
                return abi.ENOTCAPABLE      # (a directory: impl gives the usual EISDIR/EBADF)
            return impl(fd, a, b, c)
        gated.__name__ = impl.__name__
        return gated

    @staticmethod
    def _need(e: _Fd, right: int, errno: int = abi.ENOTCAPABLE) -> None:
        if not e.rights & right:
            raise WasiError(errno)

    def _dir(self, fd: int, right: int = 0) -> _Fd:
        e = self._fd(fd)
        if e.dir_fd is None:
            raise WasiError(abi.ENOTDIR)
        if right:
            self._need(e, right)
        return e

    def _lookup(self, fd: int, ptr: int, length: int, follow: bool, right: int) -> Lookup:
        """The guest path at ``ptr`` resolved below directory ``fd``, which must hold ``right``."""
        e = self._dir(fd, right)
        return lookup(e.dir_fd, self._str(ptr, length), follow)  # type: ignore[arg-type]

    def _os_fd(self, e: _Fd) -> int:
        if e.os_fd is not None:
            return e.os_fd
        if e.stream is not None and e.stream.fd is not None:
            e.stream.flush()
            return e.stream.fd
        raise WasiError(abi.EBADF)

    def _before_write(self, stream: Stream) -> None:
        for s in self.streams:
            if s is not stream and s.buf:
                s.flush()

    def _native_fd(self, e: _Fd) -> NativeFd | None:
        """What the C handlers of fd_write/fd_read/fd_seek/fd_tell know of ``e`` (None: Python answers)."""
        if e.os_fd is not None:
            waits = e.filetype != abi.FILETYPE_REGULAR_FILE and not e.fdflags & abi.FDFLAGS_NONBLOCK
            return NativeFd(e.os_fd, FD_READ_WAITS if waits else 0, e.rights)
        s = e.stream
        if s is not None and s.fd is not None and self._native_stdio:
            waits = s.filetype != abi.FILETYPE_REGULAR_FILE
            return NativeFd(s.fd, FD_STREAM | (FD_READ_WAITS if waits else 0), e.rights)
        return None

    def _new_fd(self, entry: _Fd) -> int:
        fd = 3
        while fd in self.fds:
            fd += 1
        self.fds[fd] = entry
        return fd

    # -- args and environment ----------------------------------------------------------------------
    def _sizes(self, items: list[bytes], count_ptr: int, size_ptr: int) -> int:
        mv = self._mem()
        _U32.pack_into(mv, count_ptr & M32, len(items))
        _U32.pack_into(mv, size_ptr & M32, sum(len(a) + 1 for a in items))
        return 0

    def _strings(self, items: list[bytes], ptrs: int, buf: int) -> int:
        mv = self._mem()
        ptrs &= M32
        buf &= M32
        for i, item in enumerate(items):
            _U32.pack_into(mv, ptrs + 4 * i, buf)
            self._put(buf, item + b"\0")
            buf += len(item) + 1
        return 0

    def args_sizes_get(self, argc_ptr: int, size_ptr: int) -> int:
        return self._sizes(self.args, argc_ptr, size_ptr)

    def args_get(self, argv: int, buf: int) -> int:
        return self._strings(self.args, argv, buf)

    def environ_sizes_get(self, count_ptr: int, size_ptr: int) -> int:
        return self._sizes(self.env, count_ptr, size_ptr)

    def environ_get(self, environ: int, buf: int) -> int:
        return self._strings(self.env, environ, buf)

    # -- clocks, random, scheduling, exit ----------------------------------------------------------
    def clock_time_get(self, clock: int, precision: int, out: int) -> int:
        entry = _CLOCKS.get(clock & M32)
        if entry is None:
            return abi.EINVAL
        _U64.pack_into(self._mem(), out & M32, entry[0]())
        return 0

    def clock_res_get(self, clock: int, out: int) -> int:
        entry = _CLOCKS.get(clock & M32)
        if entry is None:
            return abi.EINVAL
        res = max(1, round(time.get_clock_info(entry[1]).resolution * 1e9))
        _U64.pack_into(self._mem(), out & M32, res)
        return 0

    def random_get(self, buf: int, length: int) -> int:
        view = self._bytes(buf, length)
        view[:] = os.urandom(len(view))
        return 0

    def sched_yield(self) -> int:
        os.sched_yield()
        return 0

    def proc_exit(self, code: int) -> None:
        self.flush()
        raise WasiExit(code & M32)

    def poll_oneoff(self, in_ptr: int, out_ptr: int, nsubs: int, nevents_ptr: int) -> int:
        """Wait for the first of the subscriptions: clocks (sleeps), reads and writes on pipes,
        terminals and sockets (files and in-memory streams are always ready). The bound instance's
        deadline or ``interrupt()`` ends the wait with ``jit.Trap("interrupted")`` (jit.wasi.blocking)."""
        nsubs &= M32
        if nsubs == 0:
            return abi.EINVAL
        mv = self._mem()
        in_ptr &= M32
        subs: list[tuple[int, int, int, int]] = []   # userdata, type, wake time | os fd | -1, errno
        polls: dict[int, int] = {}
        for i in range(nsubs):
            base = in_ptr + i * abi.SUBSCRIPTION.size
            userdata, tag, clock, timeout, _precision, flags = abi.SUBSCRIPTION.unpack_from(mv, base)
            if tag == abi.EVENTTYPE_CLOCK:
                entry = _CLOCKS.get(clock)
                if entry is None:
                    subs.append((userdata, tag, -1, abi.EINVAL))
                    continue
                now = entry[0]()
                deadline = timeout if flags & abi.SUBCLOCKFLAGS_ABSTIME else now + timeout
                subs.append((userdata, tag, time.monotonic_ns() + max(0, deadline - now), 0))
            elif tag in (abi.EVENTTYPE_FD_READ, abi.EVENTTYPE_FD_WRITE):
                e = self.fds.get(abi.SUBSCRIPTION_FD.unpack_from(mv, base)[2])
                where = -1 if e is None else poll_target(e)
                if where >= 0:
                    polls[where] = polls.get(where, 0) | (READ if tag == abi.EVENTTYPE_FD_READ else WRITE)
                subs.append((userdata, tag, where, 0 if e is not None else abi.EBADF))
            else:
                return abi.EINVAL
        clocks = [w for _, tag, w, err in subs if tag == abi.EVENTTYPE_CLOCK and not err]
        if any(err or (tag != abi.EVENTTYPE_CLOCK and w < 0) for _, tag, w, err in subs):
            until: int | None = 0          # something is ready now: only look at the others
        else:
            until = min(clocks) if clocks else None
            self.flush()
        revents = self._blocker.wait(polls, until)
        now = time.monotonic_ns()
        mv = self._mem()
        out_ptr &= M32
        n = 0
        for userdata, tag, where, err in subs:
            nbytes = rwflags = 0
            if tag == abi.EVENTTYPE_CLOCK:
                if not err and where > now:
                    continue
            elif where >= 0:
                got = revents.get(where, 0)
                if not got & ((READ if tag == abi.EVENTTYPE_FD_READ else WRITE) | DONE):
                    continue
                err = abi.EBADF if got & select.POLLNVAL else 0
                rwflags = _HANGUP if got & select.POLLHUP else 0
                nbytes = readable_bytes(where) if tag == abi.EVENTTYPE_FD_READ else 0
            abi.EVENT.pack_into(mv, out_ptr + n * abi.EVENT.size, userdata, err, tag, nbytes, rwflags)
            n += 1
        _U32.pack_into(mv, nevents_ptr & M32, n)
        return 0

    # -- descriptors -------------------------------------------------------------------------------
    def fd_write(self, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
        e = self.fds.get(fd)
        if e is None:
            return abi.EBADF
        if not e.rights & _FD_WRITE and e.dir_fd is None:
            return abi.ENOTCAPABLE
        mv = self._mem()
        try:
            if iovs_len == 1:
                a, length = _U32X2.unpack_from(mv, iovs & M32)
                if a + length > len(mv):
                    return abi.EFAULT
                views = [mv[a:a + length]]
            else:
                views = self._iovecs(mv, iovs, iovs_len)
                length = sum(len(v) for v in views)
            s = e.stream
            if s is not None:
                if not s.limit:       # unbuffered (stderr): buffered stdout goes first
                    self._before_write(s)
                n = s.write(views, length)
            elif e.os_fd is not None:
                n = os.writev(e.os_fd, views) if views else 0
            else:
                return abi.EBADF
            _U32.pack_into(mv, nwritten & M32, n)
            return 0
        except _FAILURES as exc:     # unguarded (hot path): the same mapping as _guard
            return _errno_of(exc)

    def fd_read(self, fd: int, iovs: int, iovs_len: int, nread: int) -> int:
        e = self.fds.get(fd)
        if e is None:
            return abi.EBADF
        mv = self._mem()
        try:
            views = self._iovecs(mv, iovs, iovs_len)
            if e.stream is not None:
                self.flush()
                n = e.stream.read(views) if views else 0
            elif e.os_fd is not None:
                if views and e.filetype != abi.FILETYPE_REGULAR_FILE and not e.fdflags & abi.FDFLAGS_NONBLOCK:
                    self._blocker.wait_readable(e.os_fd)     # a FIFO: interruptible (may trap)
                n = os.readv(e.os_fd, views) if views else 0
            else:
                return abi.EISDIR
            _U32.pack_into(mv, nread & M32, n)
            return 0
        except _FAILURES as exc:     # unguarded (hot path): the same mapping as _guard
            return _errno_of(exc)

    def fd_pread(self, fd: int, iovs: int, iovs_len: int, offset: int, nread: int) -> int:
        e = self._fd(fd)
        mv = self._mem()
        views = self._iovecs(mv, iovs, iovs_len)
        if e.os_fd is None:
            return abi.ESPIPE if e.stream is not None else abi.EISDIR
        self._need(e, _R["fd_read"] | _R["fd_seek"])
        n = os.preadv(e.os_fd, views, offset & M64) if views else 0
        _U32.pack_into(mv, nread & M32, n)
        return 0

    def fd_pwrite(self, fd: int, iovs: int, iovs_len: int, offset: int, nwritten: int) -> int:
        e = self._fd(fd)
        mv = self._mem()
        views = self._iovecs(mv, iovs, iovs_len)
        if e.os_fd is None:
            return abi.ESPIPE if e.stream is not None else abi.EISDIR
        self._need(e, _R["fd_write"] | _R["fd_seek"])
        n = os.pwritev(e.os_fd, views, offset & M64) if views else 0
        _U32.pack_into(mv, nwritten & M32, n)
        return 0

    def fd_seek(self, fd: int, offset: int, whence: int, out: int) -> int:
        e = self._fd(fd)
        how = _WHENCE.get(whence & M32)
        if how is None:
            return abi.EINVAL
        if e.dir_fd is not None:
            return abi.EBADF
        if e.stream is not None and e.stream.fd is None:
            return abi.ESPIPE
        if not e.rights & _R["fd_seek"] and not (offset == 0 and how == os.SEEK_CUR
                                                 and e.rights & _R["fd_tell"]):
            return abi.ENOTCAPABLE
        pos = os.lseek(self._os_fd(e), offset, how)
        _U64.pack_into(self._mem(), out & M32, pos)
        return 0

    def fd_tell(self, fd: int, out: int) -> int:
        return self.fd_seek(fd, 0, abi.WHENCE_CUR, out)

    def fd_close(self, fd: int) -> int:
        e = self._fd(fd)
        if e.stream is not None:
            e.stream.flush()
        del self.fds[fd & M32]
        for host_fd in (e.os_fd, e.dir_fd):
            if host_fd is not None:
                os.close(host_fd)
        return 0

    def fd_renumber(self, fd: int, to: int) -> int:
        e = self._fd(fd)
        self._fd(to)
        if fd & M32 != to & M32:
            self.fd_close(to)
            self.fds[to & M32] = e
            del self.fds[fd & M32]
        return 0

    def fd_sync(self, fd: int) -> int:
        e = self._fd(fd)
        self._need(e, _R["fd_sync"])
        if e.stream is not None:
            e.stream.flush()
        elif e.os_fd is not None:
            os.fsync(e.os_fd)
        return 0

    def fd_datasync(self, fd: int) -> int:
        e = self._fd(fd)
        self._need(e, _R["fd_datasync"])
        if e.stream is not None:
            e.stream.flush()
        elif e.os_fd is not None:
            os.fdatasync(e.os_fd)
        return 0

    def fd_advise(self, fd: int, offset: int, length: int, advice: int) -> int:
        self._need(self._fd(fd), _R["fd_advise"])
        return 0 if 0 <= advice <= 5 else abi.EINVAL

    def fd_allocate(self, fd: int, offset: int, length: int) -> int:
        e = self._fd(fd)
        if e.os_fd is None:
            return abi.EBADF
        self._need(e, _R["fd_allocate"])
        end = (offset & M64) + (length & M64)
        if os.fstat(e.os_fd).st_size < end:
            os.ftruncate(e.os_fd, end)
        return 0

    def fd_fdstat_get(self, fd: int, out: int) -> int:
        e = self._fd(fd)
        abi.FDSTAT.pack_into(self._mem(), out & M32, e.filetype, e.fdflags, e.rights, e.inheriting)
        return 0

    def fd_fdstat_set_flags(self, fd: int, flags: int) -> int:
        e = self._fd(fd)
        flags &= 0xFFFF
        if flags & ~0x1F:
            return abi.EINVAL
        self._need(e, _R["fd_fdstat_set_flags"])
        if e.os_fd is not None:
            import fcntl
            mask = os.O_APPEND | os.O_NONBLOCK
            cur = fcntl.fcntl(e.os_fd, fcntl.F_GETFL)
            new = cur & ~mask
            for bit, osbit in _FDFLAGS_TO_OS.items():
                if flags & bit and osbit & mask:
                    new |= osbit
            fcntl.fcntl(e.os_fd, fcntl.F_SETFL, new)
        elif flags & ~abi.FDFLAGS_APPEND:
            return abi.ENOTSUP
        e.fdflags = flags
        self.fds.refresh(fd & M32)
        return 0

    def fd_fdstat_set_rights(self, fd: int, rights: int, inheriting: int) -> int:
        e = self._fd(fd)
        rights &= M64
        inheriting &= M64
        if rights & ~e.rights or inheriting & ~e.inheriting:
            return abi.ENOTCAPABLE
        e.rights, e.inheriting = rights, inheriting
        self.fds.refresh(fd & M32)
        return 0

    def _stat_of(self, e: _Fd) -> Any:
        if e.dir_fd is not None:
            return os.fstat(e.dir_fd)
        if e.os_fd is not None:
            return os.fstat(e.os_fd)
        if e.stream is not None and e.stream.fd is not None:
            return os.fstat(e.stream.fd)
        return None

    def _put_filestat(self, out: int, st: Any, filetype: int | None = None) -> None:
        if st is None:
            abi.FILESTAT.pack_into(self._mem(), out & M32, 0, 0, filetype or 0, 1, 0, 0, 0, 0)
            return
        abi.FILESTAT.pack_into(self._mem(), out & M32, st.st_dev & M64, st.st_ino & M64,
                               file_type(st.st_mode), st.st_nlink, st.st_size,
                               st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns)

    def fd_filestat_get(self, fd: int, out: int) -> int:
        e = self._fd(fd)
        self._need(e, _R["fd_filestat_get"])
        self._put_filestat(out, self._stat_of(e), e.filetype)
        return 0

    def fd_filestat_set_size(self, fd: int, size: int) -> int:
        e = self._fd(fd)
        if e.os_fd is None:
            return abi.EBADF if e.dir_fd is None else abi.EISDIR
        self._need(e, _R["fd_filestat_set_size"])
        os.ftruncate(e.os_fd, size & M64)
        return 0

    @staticmethod
    def _times(st: Any, atim: int, mtim: int, flags: int) -> tuple[int, int]:
        if flags & abi.FSTFLAGS_ATIM and flags & abi.FSTFLAGS_ATIM_NOW or \
                flags & abi.FSTFLAGS_MTIM and flags & abi.FSTFLAGS_MTIM_NOW or flags & ~0xF:
            raise WasiError(abi.EINVAL)
        now = time.time_ns()
        a = now if flags & abi.FSTFLAGS_ATIM_NOW else (atim & M64 if flags & abi.FSTFLAGS_ATIM
                                                       else st.st_atime_ns)
        m = now if flags & abi.FSTFLAGS_MTIM_NOW else (mtim & M64 if flags & abi.FSTFLAGS_MTIM
                                                       else st.st_mtime_ns)
        return a, m

    def fd_filestat_set_times(self, fd: int, atim: int, mtim: int, flags: int) -> int:
        e = self._fd(fd)
        target = e.os_fd if e.os_fd is not None else e.dir_fd
        if target is None:
            return abi.EBADF
        self._need(e, _R["fd_filestat_set_times"])
        os.utime(target, ns=self._times(os.fstat(target), atim, mtim, flags))
        return 0

    def fd_prestat_get(self, fd: int, out: int) -> int:
        e = self._fd(fd)
        if e.preopen is None:
            return abi.EBADF
        abi.PRESTAT.pack_into(self._mem(), out & M32, abi.PREOPENTYPE_DIR, len(e.preopen.encode()))
        return 0

    def fd_prestat_dir_name(self, fd: int, buf: int, length: int) -> int:
        e = self._fd(fd)
        if e.preopen is None:
            return abi.EBADF
        name = e.preopen.encode()
        if (length & M32) < len(name):
            return abi.ENAMETOOLONG
        self._put(buf, name)
        return 0

    def fd_readdir(self, fd: int, buf: int, length: int, cookie: int, bufused: int) -> int:
        e = self._dir(fd, _R["fd_readdir"])
        cookie &= M64
        if cookie == 0 or e.listing is None:
            e.listing = _list_dir(e.dir_fd, e.preopen is not None)  # type: ignore[arg-type]
        length &= M32
        out = bytearray()
        for i in range(cookie, len(e.listing)):
            name, ino, dtype = e.listing[i]
            out += abi.DIRENT.pack(i + 1, ino, len(name), dtype)
            out += name
            if len(out) >= length:
                break
        data = bytes(out[:length])
        self._put(buf, data)
        _U32.pack_into(self._mem(), bufused & M32, len(data))
        return 0

    # -- paths ---------------------------------------------------------------------------------------
    def path_open(self, dirfd: int, dirflags: int, path: int, path_len: int, oflags: int, rights: int,
                  inheriting: int, fdflags: int, out: int) -> int:
        d = self._dir(dirfd, _R["path_open"])
        follow = bool(dirflags & abi.LOOKUPFLAGS_SYMLINK_FOLLOW)
        if oflags & abi.OFLAGS_CREAT:
            self._need(d, _R["path_create_file"])
        if oflags & abi.OFLAGS_TRUNC:
            self._need(d, _R["path_filestat_set_size"], abi.EPERM)
        rights &= M64
        inheriting &= M64
        writable = bool(rights & d.inheriting & _R["fd_write"])
        creating = oflags & (abi.OFLAGS_CREAT | abi.OFLAGS_TRUNC | abi.OFLAGS_EXCL)
        with self._lookup(dirfd, path, path_len, follow, 0) as at:
            st = at.lstat()
            is_dir = st is not None and stat.S_ISDIR(st.st_mode)
            if oflags & abi.OFLAGS_DIRECTORY:
                if creating:
                    return abi.EINVAL
                if st is None:
                    return abi.ENOENT
                if stat.S_ISLNK(st.st_mode):
                    return abi.ELOOP
                if not is_dir:
                    return abi.ENOTDIR
                if writable:
                    return abi.EISDIR
            elif is_dir and (writable or creating):
                return abi.EEXIST if oflags & abi.OFLAGS_EXCL else abi.EISDIR
            elif st is None and at.slash:
                return abi.EISDIR if oflags & abi.OFLAGS_CREAT else abi.ENOENT
            if is_dir:
                host_fd = os.open(at.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                  dir_fd=at.parent)
                entry = _Fd(abi.FILETYPE_DIRECTORY, dir_fd=host_fd, rights=rights & d.inheriting & DIR_RIGHTS,
                            inheriting=inheriting & d.inheriting)
            else:
                entry = self._open_file(at, rights & d.inheriting & FILE_RIGHTS, inheriting & d.inheriting,
                                        oflags, fdflags)
        new = self._new_fd(entry)
        try:
            _U32.pack_into(self._mem(), out & M32, new)
        except struct.error:
            self.fd_close(new)
            raise
        return 0

    @staticmethod
    def _open_file(at: Lookup, rights: int, inheriting: int, oflags: int, fdflags: int) -> _Fd:
        """Open the non-directory ``at`` (never through a symlink) with the access its rights allow."""
        readable = bool(rights & abi.RIGHTS_READ)
        writable = bool(rights & abi.RIGHTS_WRITE)
        flags = os.O_RDWR if readable and writable else os.O_WRONLY if writable else os.O_RDONLY
        flags |= os.O_CLOEXEC | os.O_NOFOLLOW
        for bit, osbit in ((abi.OFLAGS_CREAT, os.O_CREAT), (abi.OFLAGS_EXCL, os.O_EXCL),
                           (abi.OFLAGS_TRUNC, os.O_TRUNC)):
            if oflags & bit:
                flags |= osbit
        for bit, osbit in _FDFLAGS_TO_OS.items():
            if fdflags & bit:
                flags |= osbit
        fd = os.open(at.name, flags, 0o666, dir_fd=at.parent)
        try:
            ftype = file_type(os.fstat(fd).st_mode)
        except OSError:
            os.close(fd)
            raise
        return _Fd(ftype, os_fd=fd, rights=rights, inheriting=inheriting, fdflags=fdflags & 0x1F)

    def path_create_directory(self, fd: int, path: int, length: int) -> int:
        with self._lookup(fd, path, length, False, _R["path_create_directory"]) as at:
            os.mkdir(at.name, dir_fd=at.parent)
        return 0

    def path_remove_directory(self, fd: int, path: int, length: int) -> int:
        with self._lookup(fd, path, length, False, _R["path_remove_directory"]) as at:
            if at.name == ".":          # as rmdir(2) and wasmtime: not the directory itself
                return abi.EINVAL
            os.rmdir(at.name, dir_fd=at.parent)
        return 0

    def path_unlink_file(self, fd: int, path: int, length: int) -> int:
        with self._lookup(fd, path, length, False, _R["path_unlink_file"]) as at:
            st = at.lstat()
            if st is None:
                return abi.ENOENT
            if stat.S_ISDIR(st.st_mode):
                return abi.EISDIR
            if at.slash:
                return abi.ENOTDIR
            os.unlink(at.name, dir_fd=at.parent)
        return 0

    def path_rename(self, fd: int, old: int, old_len: int, new_fd: int, new: int, new_len: int) -> int:
        with self._lookup(fd, old, old_len, False, _R["path_rename_source"]) as src, \
                self._lookup(new_fd, new, new_len, False, _R["path_rename_target"]) as dst:
            if "." in (src.name, dst.name):
                return abi.ERRNO["BUSY"]
            st = src.lstat()
            if st is None:
                return abi.ENOENT
            if (src.slash or dst.slash) and not stat.S_ISDIR(st.st_mode):
                return abi.ENOTDIR
            os.rename(src.name, dst.name, src_dir_fd=src.parent, dst_dir_fd=dst.parent)
        return 0

    def path_link(self, old_fd: int, flags: int, old: int, old_len: int, new_fd: int, new: int,
                  new_len: int) -> int:
        """Hard links are made to what the source names itself (following a symlink is resolved here)."""
        follow = bool(flags & abi.LOOKUPFLAGS_SYMLINK_FOLLOW)
        with self._lookup(old_fd, old, old_len, follow, _R["path_link_source"]) as src, \
                self._lookup(new_fd, new, new_len, False, _R["path_link_target"]) as dst:
            st = src.lstat()
            if st is None:
                return abi.ENOENT
            if stat.S_ISDIR(st.st_mode):
                return abi.EPERM
            if dst.lstat() is not None or dst.name == ".":
                return abi.EEXIST
            if dst.slash or src.slash:
                return abi.ENOENT
            os.link(src.name, dst.name, src_dir_fd=src.parent, dst_dir_fd=dst.parent,
                    follow_symlinks=False)
        return 0

    def path_symlink(self, old: int, old_len: int, fd: int, new: int, new_len: int) -> int:
        """Symlink targets must be relative (an absolute one could only ever point out of the sandbox)."""
        target = self._str(old, old_len)
        if "\0" in target:
            return abi.EILSEQ
        if target.startswith("/"):
            self._dir(fd, _R["path_symlink"])
            return abi.ENOTCAPABLE
        with self._lookup(fd, new, new_len, False, _R["path_symlink"]) as at:
            if at.name == "." or at.lstat() is not None:
                return abi.EEXIST
            if at.slash:
                return abi.ENOENT
            os.symlink(target, at.name, dir_fd=at.parent)
        return 0

    def path_readlink(self, fd: int, path: int, length: int, buf: int, buf_len: int, bufused: int) -> int:
        with self._lookup(fd, path, length, False, _R["path_readlink"]) as at:
            data = os.readlink(os.fsencode(at.name), dir_fd=at.parent)[: buf_len & M32]
        self._put(buf, data)
        _U32.pack_into(self._mem(), bufused & M32, len(data))
        return 0

    def path_filestat_get(self, fd: int, flags: int, path: int, length: int, out: int) -> int:
        follow = bool(flags & abi.LOOKUPFLAGS_SYMLINK_FOLLOW)
        with self._lookup(fd, path, length, follow, _R["path_filestat_get"]) as at:
            st = os.stat(at.name, dir_fd=at.parent, follow_symlinks=False)
        self._put_filestat(out, st)
        return 0

    def path_filestat_set_times(self, fd: int, flags: int, path: int, length: int, atim: int, mtim: int,
                                fst_flags: int) -> int:
        follow = bool(flags & abi.LOOKUPFLAGS_SYMLINK_FOLLOW)
        with self._lookup(fd, path, length, follow, _R["path_filestat_set_times"]) as at:
            st = os.stat(at.name, dir_fd=at.parent, follow_symlinks=False)
            os.utime(at.name, ns=self._times(st, atim, mtim, fst_flags), dir_fd=at.parent,
                     follow_symlinks=False)
        return 0

    # -- sockets (none can be opened: every descriptor is not a socket) ------------------------------
    def _not_socket(self, fd: int) -> int:
        self._fd(fd)
        return abi.ERRNO["NOTSOCK"]

    def sock_shutdown(self, fd: int, how: int) -> int:
        return self._not_socket(fd)

    def sock_accept(self, fd: int, flags: int, out: int) -> int:
        return self._not_socket(fd)

    def sock_recv(self, fd: int, iovs: int, iovs_len: int, flags: int, nread: int, oflags: int) -> int:
        return self._not_socket(fd)

    def sock_send(self, fd: int, iovs: int, iovs_len: int, flags: int, nwritten: int) -> int:
        return self._not_socket(fd)


def _enosys(*args: int) -> int:
    return abi.ENOSYS


_UNGUARDED = {"fd_write", "fd_read", "proc_exit"}
# Unguarded hot paths whose right is checked by Wasi._gate in front of them (fd_write checks its own).
_GATED = {"fd_read": abi.RIGHTS["fd_read"]}
_FD_WRITE = abi.RIGHTS["fd_write"]


def _list_dir(dir_fd: int, root: bool) -> list[tuple[bytes, int, int]]:
    """Entries of a directory for fd_readdir: ``.``, ``..``, then the names in sorted order.

    ``..`` of a capability root reports the root itself (nothing about the host above it leaks).
    """
    st = os.fstat(dir_fd)
    parent = st if root else os.stat("..", dir_fd=dir_fd)
    out = [(b".", st.st_ino, abi.FILETYPE_DIRECTORY), (b"..", parent.st_ino, abi.FILETYPE_DIRECTORY)]
    with os.scandir(dir_fd) as it:
        entries = sorted(it, key=lambda d: d.name)
    for d in entries:
        try:
            ftype = file_type(d.stat(follow_symlinks=False).st_mode)
        except OSError:
            ftype = abi.FILETYPE_UNKNOWN
        out.append((os.fsencode(d.name), d.inode(), ftype))
    return out
