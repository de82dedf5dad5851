"""``CodeArena``: many independent code slots for many modules in one growing memfd.

The runtime allocates a slot per loaded module, writes its code, publishes it and frees it when
the module dies. Guarantees:

- W^X: with the default ``memfd`` strategy the code is written through a RW view at a random
  address and run through a separate RX view of the same memfd; ``memfd_strict`` maps the RW view
  only while some slot is being written; ``memfd_pwrite`` never maps one (writes use pwrite).
- Addresses never move: 1 GiB (``reserve``) of address space is reserved up front for each view
  and the memfd is mapped over it with MAP_FIXED as the arena grows.
- The RW view moves to a new random address every ``rotate_every`` allocations, but only when no
  slot is open for writing: ``slot.rw_address`` is stable from ``alloc()`` until that slot's
  ``publish()``. ``slot.write()`` works at any time. The RX view never moves.
- Thread safe: alloc/free/publish/write/rotate hold the arena's lock.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import LimitError
from ..native import ffi, lib
from .alloc import FreeList
from .base import DEFAULT_ROTATE_EVERY, PAGE_SIZE, CodeMemoryError, native_error

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
        return self.arena._rw_address(self.offset)

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
        self.strategy = strategy
        self.rotate_every = rotate_every
        self._lock = threading.Lock()
        self._free = FreeList(align)
        m = ffi.new("wx_codemem *")
        if lib.wx_cm_open(m, getattr(lib, native), initial, reserve, 0) != 0:
            raise native_error(m, strategy, "open")
        self._m = ffi.gc(m, lib.wx_cm_close)
        self._exec_base = int(ffi.cast("uintptr_t", m.exec))
        self._size = int(m.size)
        self._free.add(0, self._size)
        self._open = 0  # slots allocated but not yet published
        self._allocs = 0
        self._rotate_due = False
        self._closed = False

    # -- public -----------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Bytes of code memory mapped now (grows on demand, up to the reservation)."""
        return self._size

    @property
    def reserve(self) -> int:
        return int(self._m.reserve)

    @property
    def rotations(self) -> int:
        return int(self._m.rotations)

    def alloc(self, nbytes: int) -> CodeSlot:
        """A new slot of at least ``nbytes`` bytes, open for writing until ``publish()``."""
        if not isinstance(nbytes, int) or isinstance(nbytes, bool) or nbytes <= 0:
            raise CodeMemoryError(f"code arena: slot size must be a positive number of bytes, got {nbytes!r}")
        with self._lock:
            self._check_open()
            self._allocs += 1
            if self.rotate_every and self._allocs % self.rotate_every == 0:
                self._rotate_due = True
            if self._open == 0:
                self._rotate_if_due()
            offset = self._free.alloc(nbytes)
            if offset is None:
                self._grow(nbytes)
                offset = self._free.alloc(nbytes)
                assert offset is not None
            if self._open == 0 and self.strategy == "memfd_strict" and lib.wx_cm_begin(self._m) != 0:
                self._free.free(offset, nbytes)
                raise native_error(self._m, self.strategy, "mapping the writable view")
            self._open += 1
            return CodeSlot(self, offset, self._free.round(nbytes), self._exec_base + offset)

    def free(self, slot: CodeSlot, *, blocking: bool = True) -> bool:
        """Return the slot's space for reuse. The caller guarantees its code no longer runs.

        ``blocking=False`` (for finalizers, which may run inside the arena's own critical section on
        this thread): give up and return False when the lock is taken; True when freed."""
        if not self._lock.acquire(blocking):
            return False
        try:
            if slot.arena is not self:
                raise CodeMemoryError(f"slot at offset {slot.offset:#x} belongs to another arena")
            if slot.freed:
                raise CodeMemoryError(f"double free of the code slot at offset {slot.offset:#x}")
            if not slot.published:
                self._close_write()
            slot.freed = True
            self._free.free(slot.offset, slot.size)
            return True
        finally:
            self._lock.release()

    def exec_ranges(self) -> list[tuple[int, int]]:
        """The executable mapping(s) as (start, end): where compiled code can be."""
        return [(self._exec_base, self._exec_base + self._size)]

    def rotate(self) -> None:
        """Move the writable view to a new random address (at the next moment no slot is open)."""
        with self._lock:
            self._rotate_due = True
            if self._open == 0:
                self._rotate_if_due()

    def close(self) -> None:
        """Unmap the arena. Every slot becomes invalid."""
        with self._lock:
            if not self._closed:
                self._closed = True
                lib.wx_cm_close(self._m)

    def __enter__(self) -> CodeArena:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals (called by CodeSlot) ------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise CodeMemoryError("the code arena was closed")

    def _rw_address(self, offset: int) -> int:
        rw = self._m.rw
        return 0 if rw == ffi.NULL else int(ffi.cast("uintptr_t", rw)) + offset

    def _write(self, slot: CodeSlot, offset: int, data: bytes) -> None:
        try:
            if type(data) is not bytes:
                data = ffi.from_buffer(data)
            n = len(data)
            if slot.freed or offset < 0 or offset + n > slot.size:
                what = "a freed slot" if slot.freed else f"the {slot.size}-byte slot"
                raise CodeMemoryError(f"write of {n} bytes at offset {offset:#x} is outside {what}")
            with self._lock:
                self._check_open()
                if lib.wx_cm_write(self._m, slot.offset + offset, data, n) != 0:
                    raise native_error(self._m, self.strategy, "write")
        except (TypeError, OverflowError) as exc:
            raise CodeMemoryError(f"bad write at offset {offset!r}: {exc}") from None

    def _load(self, slot: CodeSlot, code: Any, relocs: Any, n_relocs: int) -> int:
        n = len(code)
        if slot.freed or slot.published or n > slot.size:
            raise CodeMemoryError(f"cannot load {n} bytes into the code slot at offset {slot.offset:#x}")
        with self._lock:
            self._check_open()
            bad = lib.wx_load_code(self._m, slot.offset, code, n, relocs, n_relocs)
        if bad == -2:
            raise native_error(self._m, self.strategy, "load")
        return int(bad)

    def _publish(self, slot: CodeSlot) -> None:
        with self._lock:
            if slot.freed:
                raise CodeMemoryError(f"publish of the freed code slot at offset {slot.offset:#x}")
            if not slot.published:
                slot.published = True
                self._close_write()

    def _close_write(self) -> None:
        self._open -= 1
        if self._open == 0:
            if self.strategy == "memfd_strict" and not lib.wx_cm_publish(self._m):
                raise native_error(self._m, self.strategy, "removing the writable view")
            self._rotate_if_due()

    def _rotate_if_due(self) -> None:
        if self._rotate_due and self.strategy == "memfd":
            if lib.wx_cm_rotate(self._m) != 0:
                raise native_error(self._m, self.strategy, "rotate")
        self._rotate_due = False

    def _grow(self, nbytes: int) -> None:
        need = self._free.round(nbytes) - self._free.tail(self._size)
        new_size = max(self._size * 2, self._size + need)
        new_size = min(-(-new_size // PAGE_SIZE) * PAGE_SIZE, self.reserve)
        if new_size - self._size < need:
            raise LimitError(
                f"code arena is full: {nbytes} more bytes do not fit in the {self.reserve}-byte reservation"
            )
        if lib.wx_cm_grow(self._m, new_size) != 0:
            raise native_error(self._m, self.strategy, "grow")
        self._free.add(self._size, new_size - self._size)
        self._size = new_size


_default: CodeArena | None = None
_default_lock = threading.Lock()


def default_arena() -> CodeArena:
    """The process-wide arena (memfd, created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = CodeArena()
        return _default
