"""WASI hot calls answered by the C runtime (``native/wasi_fast.c``) instead of Python.

``clock_time_get``, ``clock_res_get``, ``random_get``, ``sched_yield``, ``args_sizes_get``/``args_get``,
``environ_sizes_get``/``environ_get``, ``fd_write``, ``fd_read``, ``fd_seek`` and ``fd_tell`` of a ``Wasi``
are ``FastFunc`` imports: ordinary ``jit.Func``\\ s
(their Python implementation in ``jit.wasi.host`` stays the reference, used by direct calls) that
also carry a C handler and the ``wx_wasi_ctx`` it reads. An instance importing them gets a table of
those handlers (``jit.runtime.host.install_fast``), which ``wx_host_call`` tries before Python.

Guarantees: a handler gives the same result as the Python function for every input (same clocks,
errno values from ``jit.wasi.abi``, EFAULT for anything outside the bound memory's current length,
the same writes in the same order); when it cannot (no bound memory, an argument or variable with a
NUL byte inside, an unexpected host error) it declines and Python answers.

The descriptor calls read ``FdMirror``: guest fd -> (host fd, flags, rights), kept equal to the
``Wasi``'s descriptor table by ``FdTable`` (every insertion, removal and rights/flags change goes
through it). Only plain host descriptors are mirrored (files the guest opened, and stdio when all
three streams are host descriptors, so no Python-side buffer can hold earlier output); directories,
captured streams and closed descriptors are not, and Python answers for them. A read that would wait
(a pipe or terminal with no input, or an interrupt pending) is declined, so the waiting stays in
``jit.wasi.blocking`` where a deadline or ``interrupt()`` ends it. Python's own ``sys.stdout`` and
``sys.stderr`` are flushed when the ``Wasi`` is bound (and by every WASI call Python answers); text
that other host functions print through them while the guest runs reaches fd 1/2 when Python flushes
it, as with any mix of buffered and direct writes to one descriptor.
"""
from __future__ import annotations

import errno as _errno
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..native import ffi, lib
from ..runtime.externs import Func
from . import abi

FAST_FUNCTIONS = ("clock_time_get", "clock_res_get", "random_get", "sched_yield",
                  "args_sizes_get", "args_get", "environ_sizes_get", "environ_get",
                  "fd_write", "fd_read", "fd_seek", "fd_tell")
"""Handler ids in native/wasi_fast.c, in order."""
FAST_ID = {name: i for i, name in enumerate(FAST_FUNCTIONS)}
ENABLED = True
"""False: every WASI call goes through Python (tests compare the two paths)."""


class FastFunc(Func):
    """A host function with a C handler: ``fast`` = (handler address, context address)."""

    __slots__ = ("fast", "_keep")

    def __init__(self, fn: Callable[..., Any], params: Iterable[str | int], results: Iterable[str | int],
                 handler: int, ctx: Any) -> None:
        super().__init__(fn, params=params, results=results)
        self.fast = (handler, int(ffi.cast("uintptr_t", ctx)))
        self._keep = ctx


def _blob(items: list[bytes]) -> tuple[Any, int, int]:
    """(buffer of the strings with their NULs or NULL when one holds a NUL, count, total bytes)."""
    data = b"".join(item + b"\0" for item in items)
    if any(b"\0" in item for item in items):
        return ffi.NULL, len(items), len(data)
    return ffi.new("uint8_t[]", data or b"\0"), len(items), len(data)


MAX_MIRRORED_FD = 4096
"""Guest descriptors at or above this number are never mirrored (Python answers for them)."""
FD_STREAM = lib.WX_WASI_FD_STREAM
FD_READ_WAITS = lib.WX_WASI_FD_READ_WAITS


@dataclass(frozen=True)
class NativeFd:
    """What the C handlers know of one guest descriptor: the host fd, ``FD_*`` flags, its rights."""

    host_fd: int
    flags: int
    rights: int


class FdMirror:
    """The C array of ``wx_wasi_fd`` entries (guest fd -> ``NativeFd`` or nothing), grown on demand.

    A replaced array is kept alive with this mirror (a handler running on another thread may still
    read it); entries are written before the array is published."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self._arrays: list[Any] = []
        self._grow(8)

    def _grow(self, n: int) -> None:
        old = self._arrays[-1] if self._arrays else None
        new = ffi.new("wx_wasi_fd[]", n)
        for i in range(n):
            new[i].host_fd = -1
        if old is not None:
            ffi.memmove(new, old, ffi.sizeof(old))
        self._arrays.append(new)
        self._ctx.fds = new
        self._ctx.nfds = n

    def set(self, fd: int, entry: NativeFd | None) -> None:
        """Mirror guest ``fd`` as ``entry`` (None: Python answers for it)."""
        if fd < 0 or fd >= MAX_MIRRORED_FD:
            return
        if entry is None:
            if fd < self._ctx.nfds:
                self._ctx.fds[fd].host_fd = -1
            return
        if fd >= self._ctx.nfds:
            self._grow(min(MAX_MIRRORED_FD, max(fd + 1, 2 * self._ctx.nfds)))
        slot = self._ctx.fds[fd]
        slot.host_fd = -1                   # never half-updated with a live host fd
        slot.flags = entry.flags
        slot.rights = entry.rights
        slot.host_fd = entry.host_fd

    def clear(self) -> None:
        for i in range(self._ctx.nfds):
            self._ctx.fds[i].host_fd = -1

    def get(self, fd: int) -> NativeFd | None:
        """The mirrored entry of ``fd`` (tests compare it with the Python table)."""
        if not 0 <= fd < self._ctx.nfds or self._ctx.fds[fd].host_fd < 0:
            return None
        slot = self._ctx.fds[fd]
        return NativeFd(slot.host_fd, slot.flags, slot.rights)


class FdTable(dict):  # type: ignore[type-arg]
    """A ``Wasi``'s descriptor table (guest fd -> entry) that keeps an ``FdMirror`` equal to it.

    ``native_of(entry)`` says what an entry is for C (or None). Changes to an entry in place (rights,
    flags) are published with ``refresh(fd)``."""

    def __init__(self, mirror: FdMirror, native_of: Callable[[Any], NativeFd | None]) -> None:
        super().__init__()
        self._mirror = mirror
        self._native_of = native_of

    def __setitem__(self, fd: int, entry: Any) -> None:
        super().__setitem__(fd, entry)
        self._mirror.set(fd, self._native_of(entry))

    def __delitem__(self, fd: int) -> None:
        super().__delitem__(fd)
        self._mirror.set(fd, None)

    def pop(self, fd: int, *default: Any) -> Any:  # type: ignore[override]
        self._mirror.set(fd, None)
        return super().pop(fd, *default)

    def popitem(self) -> tuple[int, Any]:
        fd, entry = super().popitem()
        self._mirror.set(fd, None)
        return fd, entry

    def setdefault(self, fd: int, default: Any = None) -> Any:  # type: ignore[override]
        if fd not in self:
            self[fd] = default
        return self[fd]

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for fd, entry in dict(*args, **kwargs).items():
            self[fd] = entry

    def clear(self) -> None:
        super().clear()
        self._mirror.clear()

    def refresh(self, fd: int) -> None:
        """Publish the current state of ``fd``'s entry (after its rights or flags changed)."""
        entry = self.get(fd)
        self._mirror.set(fd, None if entry is None else self._native_of(entry))


def _errno_table() -> Any:
    table = [abi.EIO] * lib.WX_WASI_HOST_ERRNOS
    for host, wasi in abi.HOST_ERRNO.items():
        if 0 < host < len(table):
            table[host] = wasi
    assert getattr(_errno, "EWOULDBLOCK", _errno.EAGAIN) < len(table)
    return table


_ERRNO_OF = _errno_table()


class FastContext:
    """The ``wx_wasi_ctx`` of one ``Wasi``: its args and environment, its descriptor mirror, and its
    bound memory and instance."""

    def __init__(self, args: list[bytes], env: list[bytes]) -> None:
        self.ctx = ctx = ffi.new("wx_wasi_ctx *")
        self._args, ctx.argc, ctx.args_size = _blob(args)
        self._env, ctx.envc, ctx.env_size = _blob(env)
        ctx.args = self._args
        ctx.env = self._env
        ctx.errno_fault = abi.EFAULT
        ctx.errno_inval = abi.EINVAL
        ctx.errno_notcapable = abi.ENOTCAPABLE
        ctx.errno_io = abi.EIO
        ctx.errno_of = _ERRNO_OF
        ctx.right_read = abi.RIGHTS["fd_read"]
        ctx.right_write = abi.RIGHTS["fd_write"]
        ctx.right_seek = abi.RIGHTS["fd_seek"]
        ctx.right_tell = abi.RIGHTS["fd_tell"]
        ctx.memory = ffi.NULL
        ctx.vmctx = ffi.NULL
        self.fds = FdMirror(ctx)

    def bind(self, memory: Any, state: Any = None) -> None:
        """The memory the handlers use: a ``jit.Memory`` (or none: Python answers); ``state``: the
        bound instance's state, whose interrupt flag the descriptor calls honour (or None)."""
        lm = getattr(memory, "_lm", None)
        address = getattr(lm, "address", None)
        self.ctx.memory = ffi.cast("void *", address) if address else ffi.NULL
        vmctx = getattr(state, "base", None)
        self.ctx.vmctx = ffi.cast("void *", vmctx) if isinstance(vmctx, int) and vmctx else ffi.NULL
        if vmctx:                      # the instance gone, its vmctx is freed: stop reading it
            weakref.finalize(state, _forget_vmctx, self.ctx, vmctx)

    def func(self, name: str, impl: Callable[..., Any], params: Iterable[str | int],
             results: Iterable[str | int]) -> Func:
        """The import for ``name``: a ``FastFunc`` when it has a C handler, else a plain ``Func``."""
        fid = FAST_ID.get(name)
        if fid is None or not ENABLED:
            return Func(impl, params=params, results=results)
        return FastFunc(impl, params, results, lib.wx_wasi_fast_handler(fid), self.ctx)


def _forget_vmctx(ctx: Any, vmctx: int) -> None:
    if int(ffi.cast("uintptr_t", ctx.vmctx)) == vmctx:
        ctx.vmctx = ffi.NULL
