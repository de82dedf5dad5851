"""``CodeArena``: many independent code slots for many modules in one growing memfd.

The runtime loads a module with ``load()``: one native call allocates a slot, copies and relocates
the code, publishes it and registers its range with the trap handler; the slot is freed (one native
call) when the returned handle dies. ``alloc()`` / ``CodeSlot`` expose the same steps one by
one. The arena's state lives in native code (``native/arena.c``) behind one mutex. Guarantees:

- W^X: with the default ``memfd`` strategy the code is written through a RW view at a random
  address and run through a separate RX view of the same memfd; ``memfd_strict`` maps the RW view
  only while some slot is being written; ``memfd_pwrite`` never maps one (writes use pwrite).
- Addresses never move: 1 GiB (``reserve``) of address space is reserved up front for each view
  and the memfd is mapped over it with MAP_FIXED as the arena grows.
- The RW view moves to a new random address every ``rotate_every`` allocations, but only when no
  slot is open for writing: ``slot.rw_address`` is stable from ``alloc()`` until that slot's
  ``publish()``. ``slot.write()`` works at any time. The RX view never moves.
- Thread safe: every operation holds the arena's native mutex; none waits for a Python lock, so a
  finalizer may free a slot at any moment.
- Fork safe: a forked child gets a memfd of its own holding the live code, mapped at the same
  addresses (``native/arena.c``), so neither process's loads, frees or lazy compiles reach the other.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import LimitError
from ..native import ffi, lib
from .base import DEFAULT_ROTATE_EVERY, CodeMemoryError, StrategyUnavailable

ARENA_STRATEGIES = {"memfd": "WX_CM_MEMFD", "memfd_strict": "WX_CM_MEMFD_STRICT",
                    "memfd_pwrite": "WX_CM_MEMFD_PWRITE"}


@dataclass(eq=False)
class CodeSlot:
    """A piece of an arena holding one module's code: ``exec_address`` is where it runs."""

    arena: CodeArena = field(repr=False)
    offset: int
    size: int
    exec_address: int
    published: bool = False
    freed: bool = False

    @property
    def rw_address(self) -> int:
        """Writable address of the slot now, 0 when the strategy has no writable view (pwrite).

        Stable from ``alloc()`` until ``publish()``; pass it to native loaders in that window.
        """
        rw = self.arena._info()[1]
        return rw + self.offset if rw else 0

    def write(self, offset: int, data: bytes) -> None:
        """Copy ``data`` to ``offset`` inside the slot (through the RW view or pwrite)."""
        self.arena._write(self, offset, data)

    def load(self, code: Any, relocs: Any, n_relocs: int) -> int:
        """Copy ``code`` (a buffer) into the slot and apply ``n_relocs`` relocation triples from
        ``relocs`` (a ``uint64_t`` buffer) in one native call (``wx_load_code``). Returns -1 when
        done, else the index of the first bad relocation (nothing was written)."""
        return self.arena._load(self, code, relocs, n_relocs)

    def publish(self) -> int:
        """The slot's code is complete; returns ``exec_address``. No syscall for ``memfd``."""
        self.arena._publish(self)
        return self.exec_address


class CodeArena:
    """Code slots of various sizes carved out of one memfd (see the module docstring)."""

    def __init__(self, strategy: str = "memfd", *, reserve: int = 1 << 30, initial: int = 1 << 20,
                 rotate_every: int = DEFAULT_ROTATE_EVERY, align: int = 64) -> None:
        native = ARENA_STRATEGIES.get(strategy)
        if native is None:
            raise CodeMemoryError(
                f"a code arena supports the strategies {', '.join(ARENA_STRATEGIES)}, not {strategy!r}"
            )
        if not 0 < initial <= reserve:
            raise CodeMemoryError(f"code arena: need 0 < initial ({initial}) <= reserve ({reserve})")
        if align <= 0 or align & (align - 1):
            raise CodeMemoryError(f"code arena: slot alignment must be a power of two, got {align}")
        self.strategy = strategy
        self.rotate_every = rotate_every
        self.align = align
        err = ffi.new("char[256]")
        unavailable = ffi.new("int *")
        a = lib.wx_arena_new(getattr(lib, native), initial, reserve, rotate_every, align, err, 256,
                             unavailable)
        if a == ffi.NULL:
            reason = ffi.string(err).decode(errors="replace") or "unknown error"
            if unavailable[0]:
                raise StrategyUnavailable(strategy, reason)
            raise CodeMemoryError(f"{strategy}: open failed: {reason}")
        self._a = ffi.gc(a, lib.wx_arena_drop)
        self._load_native = lib.wx_arena_load
        self._exec_base = self._info()[0]
        self._closed = False

    # -- public -----------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Bytes of code memory mapped now (grows on demand, up to the reservation)."""
        return self._info()[2]

    @property
    def reserve(self) -> int:
        return self._info()[3]

    @property
    def rotations(self) -> int:
        return self._info()[4]

    @property
    def free_blocks(self) -> list[tuple[int, int]]:
        """The free space as sorted, coalesced (offset, size) blocks."""
        cap = 64
        while True:
            out = ffi.new("uint64_t[]", 2 * cap)
            n = lib.wx_arena_free_blocks(self._a, out, cap)
            if n <= cap:
                return [(out[2 * i], out[2 * i + 1]) for i in range(n)]
            cap = n

    def alloc(self, nbytes: int) -> CodeSlot:
        """A new slot of at least ``nbytes`` bytes, open for writing until ``publish()``."""
        if not isinstance(nbytes, int) or isinstance(nbytes, bool) or nbytes <= 0:
            raise CodeMemoryError(f"code arena: slot size must be a positive number of bytes, got {nbytes!r}")
        size = ffi.new("uint64_t *")
        offset = lib.wx_arena_alloc(self._a, nbytes, size)
        if offset < 0:
            raise self._error(offset, "alloc", nbytes)
        return CodeSlot(self, offset, int(size[0]), self._exec_base + offset)

    def load(self, code: bytes, relocs: Any, n_relocs: int) -> Any:
        """Allocate, copy ``code``, apply ``n_relocs`` relocation triples from ``relocs`` (a ``uint64_t``
        buffer), publish and register the range with the trap handler: one native call. Returns the
        ``wx_code *`` (``exec``: the address, ``size``, ``range``: the trap handler's handle), which
        frees the slot in one native call when it dies (or at ``ffi.release``; the code must no longer
        run then). Raises ``jit.CompileError`` for a bad relocation, ``jit.LimitError`` when the
        arena is full."""
        c = self._load_native(self._a, code, len(code), relocs, n_relocs)
        if c == ffi.NULL:
            raise self._error(lib.wx_arena_load_status(), "load", len(code))
        return ffi.gc(c, lib.wx_code_release)

    def free(self, slot: CodeSlot) -> None:
        """Return the slot's space for reuse. The caller guarantees its code no longer runs."""
        if slot.arena is not self:
            raise CodeMemoryError(f"slot at offset {slot.offset:#x} belongs to another arena")
        if slot.freed:
            raise CodeMemoryError(f"double free of the code slot at offset {slot.offset:#x}")
        rc = lib.wx_arena_free(self._a, slot.offset, slot.size, slot.published)
        slot.freed = True
        if rc != lib.WX_ARENA_OK:
            raise self._error(rc, "free", slot.size)

    def exec_ranges(self) -> list[tuple[int, int]]:
        """The executable mapping(s) as (start, end): where compiled code can be."""
        return [(self._exec_base, self._exec_base + self.size)]

    def rotate(self) -> None:
        """Move the writable view to a new random address (at the next moment no slot is open)."""
        rc = lib.wx_arena_rotate(self._a)
        if rc != lib.WX_ARENA_OK:
            raise self._error(rc, "rotate", 0)

    def close(self) -> None:
        """Unmap the arena. Every slot becomes invalid."""
        self._closed = True
        lib.wx_arena_close(self._a)

    def __enter__(self) -> CodeArena:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals (called by CodeSlot) ------------------------------------------------------
    def _info(self) -> Any:
        out = ffi.new("uint64_t[6]")
        lib.wx_arena_info(self._a, out)
        return out

    def _error(self, rc: int, what: str, nbytes: int) -> Exception:
        if rc == lib.WX_ARENA_FULL:
            return LimitError(f"code arena is full: {nbytes} more bytes do not fit in the "
                              f"{self.reserve}-byte reservation")
        if rc == lib.WX_ARENA_CLOSED:
            return CodeMemoryError("the code arena was closed")
        if rc == lib.WX_ARENA_RANGES:
            return LimitError("too many loaded modules: the native code range table is full")
        if rc == lib.WX_ARENA_NOMEM:
            return MemoryError(f"code arena: out of memory during {what}")
        if rc == lib.WX_ARENA_BAD_SLOT:
            return CodeMemoryError(f"code arena: {what} of a slot that is not open or live")
        if rc >= 0:
            from ..errors import CompileError
            return CompileError(f"bad relocation #{rc} (code size {nbytes})")
        reason = ffi.string(lib.wx_arena_error(self._a)).decode(errors="replace") or "unknown error"
        return CodeMemoryError(f"{self.strategy}: {what} failed: {reason}")

    def _check_slot(self, slot: CodeSlot, what: str) -> None:
        if slot.freed:
            raise CodeMemoryError(f"{what} of the freed code slot at offset {slot.offset:#x}")

    def _write(self, slot: CodeSlot, offset: int, data: bytes) -> None:
        try:
            if type(data) is not bytes:
                data = ffi.from_buffer(data)
            n = len(data)
            if slot.freed or offset < 0 or offset + n > slot.size:
                what = "a freed slot" if slot.freed else f"the {slot.size}-byte slot"
                raise CodeMemoryError(f"write of {n} bytes at offset {offset:#x} is outside {what}")
            rc = lib.wx_arena_write(self._a, slot.offset + offset, data, n)
        except (TypeError, OverflowError) as exc:
            raise CodeMemoryError(f"bad write at offset {offset!r}: {exc}") from None
        if rc != lib.WX_ARENA_OK:
            raise self._error(rc, "write", n)

    def _load(self, slot: CodeSlot, code: Any, relocs: Any, n_relocs: int) -> int:
        n = len(code)
        if slot.freed or slot.published or n > slot.size:
            raise CodeMemoryError(f"cannot load {n} bytes into the code slot at offset {slot.offset:#x}")
        bad = lib.wx_arena_load_at(self._a, slot.offset, code, n, relocs, n_relocs)
        if bad < -1:
            raise self._error(bad, "load", n)
        return int(bad)

    def _publish(self, slot: CodeSlot) -> None:
        self._check_slot(slot, "publish")
        if not slot.published:
            slot.published = True
            rc = lib.wx_arena_publish(self._a)
            if rc != lib.WX_ARENA_OK:
                raise self._error(rc, "publish", slot.size)


_default: CodeArena | None = None
_default_lock = threading.Lock()


def default_arena() -> CodeArena:
    """The process-wide arena (memfd, created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = CodeArena()
        return _default
