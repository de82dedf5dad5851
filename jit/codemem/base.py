"""The code memory interface: one region of machine code that is written, published and run.

A ``CodeMemory`` is created for a capacity in bytes and then reused for load after load::

    with create("memfd", 4096) as mem:
        mem.begin_write()            # get a writable view (strategy dependent)
        mem.write(0, code)           # through the writable view, or pwrite for memfd_pwrite
        addr = mem.publish()         # make executable; returns the executable address
        ...                          # run code at addr
        mem.finish()                 # this load is done (naive unmaps; others keep the region)

Guarantees: except for ``rwx`` no address of the region is ever writable and executable at the
same time; every failure is a ``CodeMemoryError`` (a ``jit.Error``) with the reason, and a
strategy that cannot work on this machine raises ``StrategyUnavailable`` saying how to enable it.
The syscalls live in ``native/codemem.c``.
"""
from __future__ import annotations

import os
from typing import Any, ClassVar

from ..errors import Error
from ..native import ffi, lib

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

#: The memfd writable view moves to a new random address every this many loads. One move costs
#: about 8 µs (placeholder mmap + mremap + munmap), i.e. ~2 ns per load at 4096.
DEFAULT_ROTATE_EVERY = 4096


class CodeMemoryError(Error):
    """A code memory operation failed; the message says which and why."""


class StrategyUnavailable(CodeMemoryError):
    """The strategy cannot work on this machine (huge pages not reserved, memlock limit, ...)."""

    def __init__(self, strategy: str, reason: str) -> None:
        self.strategy = strategy
        self.reason = reason
        super().__init__(f"code memory strategy {strategy!r} is unavailable: {reason}")


class UnsafeStrategyError(CodeMemoryError):
    """An unsafe strategy (``rwx``) was requested without asking for it explicitly."""


def native_error(m: Any, strategy: str, what: str) -> CodeMemoryError:
    """Turn the error state of a ``wx_codemem`` into the right exception."""
    reason = ffi.string(m.err).decode(errors="replace") or "unknown error"
    if m.unavailable:
        return StrategyUnavailable(strategy, reason)
    return CodeMemoryError(f"{strategy}: {what} failed: {reason}")


class CodeMemory:
    """One region of code memory for a sequence of loads; subclasses are the strategies.

    Subclasses set ``name``, ``native`` (the ``WX_CM_*`` constant), ``summary`` and ``wx``
    (how W^X holds) and may override the hot methods with cheaper Python paths.
    """

    name: ClassVar[str] = ""
    native: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    wx: ClassVar[str] = "yes"
    unsafe: ClassVar[bool] = False
    #: whether ``finish()`` does work (only naive unmaps); lets callers skip the call
    needs_finish: ClassVar[bool] = False

    def __init__(self, nbytes: int, *, rotate_every: int = DEFAULT_ROTATE_EVERY,
                 allow_unsafe: bool = False) -> None:
        if self.unsafe and not allow_unsafe:
            raise UnsafeStrategyError(
                f"{self.name!r} maps code writable and executable at once; it is a benchmark "
                "yardstick only and runs only when asked for by name with allow_unsafe=True"
            )
        if not isinstance(nbytes, int) or isinstance(nbytes, bool) or nbytes <= 0:
            raise CodeMemoryError(f"{self.name}: region size must be a positive byte count, got {nbytes!r}")
        if not isinstance(rotate_every, int) or not 0 <= rotate_every < 2**32:
            raise CodeMemoryError(f"{self.name}: rotate_every must be in [0, 2**32), got {rotate_every!r}")
        m = ffi.new("wx_codemem *")
        if lib.wx_cm_open(m, getattr(lib, self.native), nbytes, nbytes, rotate_every) != 0:
            raise native_error(m, self.name, "open")
        self._m = ffi.gc(m, lib.wx_cm_close)
        self.nbytes = nbytes
        self.size: int = m.size
        self._writing = False
        self._closed = False
        self._exec = 0

    # -- the load cycle ------------------------------------------------------------------------
    def begin_write(self) -> None:
        """Start a load: make the region writable (a writable view, mprotect RW, or nothing)."""
        if self._closed:
            raise CodeMemoryError(f"{self.name}: the code region was released")
        if lib.wx_cm_begin(self._m) != 0:
            raise native_error(self._m, self.name, "begin_write")
        self._writing = True

    def write(self, offset: int, data: bytes) -> None:
        """Copy ``data`` to ``offset`` of the region (between ``begin_write`` and ``publish``)."""
        if not self._writing:
            raise CodeMemoryError(f"{self.name}: write at offset {offset:#x} outside begin_write()/publish()")
        try:
            if type(data) is not bytes:
                data = ffi.from_buffer(data)
            if offset < 0 or lib.wx_cm_write(self._m, offset, data, len(data)) != 0:
                raise CodeMemoryError(
                    f"{self.name}: write of {len(data)} bytes at offset {offset:#x} is outside "
                    f"the {self.size}-byte region"
                )
        except (TypeError, OverflowError) as exc:
            raise CodeMemoryError(f"{self.name}: bad write at offset {offset!r}: {exc}") from None

    @property
    def writable_address(self) -> int | None:
        """Address of the writable view right now, or None when there is none (pwrite, published)."""
        if self._closed or self._m.wptr == ffi.NULL:
            return None
        return int(ffi.cast("uintptr_t", self._m.wptr))

    def publish(self) -> int:
        """End the write: make the code executable and return its executable address."""
        if not self._writing:
            raise CodeMemoryError(f"{self.name}: publish() without begin_write()")
        addr = lib.wx_cm_publish(self._m)
        if not addr:
            raise native_error(self._m, self.name, "publish")
        self._writing = False
        self._exec = addr
        return addr

    @property
    def exec_address(self) -> int:
        """Executable address of the last published load (0 before the first publish)."""
        return self._exec

    def finish(self) -> None:
        """The code of this load is no longer run (naive unmaps it; a no-op elsewhere)."""
        if self.needs_finish and not self._closed and lib.wx_cm_finish(self._m) != 0:
            raise native_error(self._m, self.name, "finish")

    # -- lifetime ------------------------------------------------------------------------------
    def release(self) -> None:
        """Unmap everything; the region cannot be used afterwards. Idempotent."""
        if not self._closed:
            self._closed = True
            self._writing = False
            lib.wx_cm_close(self._m)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> CodeMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "released" if self._closed else f"{self.size} bytes"
        return f"<{type(self).__name__} {self.name} {state}>"
