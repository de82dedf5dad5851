"""``LinearMemory``: one Wasm linear memory backed by a fixed virtual reservation.

Guarantees: the reservation (8 GiB + 64 KiB, ``PROT_NONE``) never moves, so compiled code may keep
its base in a register; any ``base + u32 index + u32 offset`` plus an access of up to 16 bytes lies
inside it, so out-of-bounds accesses fault and become traps without explicit checks. Exactly the
first ``pages * 64 KiB`` bytes are read-write. ``grow`` commits pages with ``mprotect`` and honours
the maximum (the declared one, clamped by ``jit.Limits.max_memory_pages``). The native struct
(``VMMemory``) is the single source of truth for the size: compiled code and Python read the same one.
Reservations come from and go back to the memory pool (``jit.runtime.pool``): a new memory's pages
are all zero, whatever a previous owner of the reservation wrote.

A 64-bit memory (memory64, ``is64``) has the same reservation but no guard-page contract: compiled
code checks its accesses explicitly. Its limits may declare up to 2^48 pages; it can hold (and grow
to) at most the reservation, ``MAX_PAGES_64_RESERVED`` pages (8 GiB): a larger minimum raises
``jit.LimitError`` at instantiation, a larger growth fails (-1) as the spec allows.
"""
from __future__ import annotations

import os

from ..errors import LimitError
from ..native import ffi, lib

PAGE_SIZE = 65536
MAX_PAGES = 65536
MAX_PAGES_64 = 1 << 48            # the spec's bound for a 64-bit memory's limits
RESERVE_BYTES = (8 << 30) + PAGE_SIZE
MAX_PAGES_64_RESERVED = RESERVE_BYTES // PAGE_SIZE   # what a 64-bit memory can really hold


_take = lib.wx_mempool_take


class LinearMemory:
    """A linear memory: ``base`` (fixed address), ``pages``, ``length`` (bytes), ``max_pages``."""

    __slots__ = ("_mem", "declared_max", "address", "base", "is64", "__weakref__")

    def __init__(self, min_pages: int, max_pages: int | None = None, limit_pages: int | None = None,
                 is64: bool = False) -> None:
        bound = MAX_PAGES_64 if is64 else MAX_PAGES
        bad_max = max_pages is not None and not min_pages <= max_pages <= bound
        if not 0 <= min_pages <= bound or bad_max:
            raise LimitError(f"invalid memory limits: min {min_pages} pages, max {max_pages} pages")
        effective = bound if max_pages is None else max_pages
        if limit_pages is not None:
            if min_pages > limit_pages:
                raise LimitError(
                    f"memory needs {min_pages} pages but Limits.max_memory_pages is {limit_pages}")
            effective = min(effective, limit_pages)
        if is64:
            if min_pages > MAX_PAGES_64_RESERVED:
                raise LimitError(f"a 64-bit memory of {min_pages} pages exceeds the "
                                 f"{MAX_PAGES_64_RESERVED} pages (8 GiB) wxjit reserves per memory")
            effective = min(effective, MAX_PAGES_64_RESERVED)
        mem = _take(min_pages, effective, RESERVE_BYTES)
        if mem == ffi.NULL:
            err = ffi.errno
            raise LimitError(f"cannot reserve linear memory of {min_pages} pages: {os.strerror(err)}")
        self._mem = mem
        self.declared_max = max_pages
        self.is64 = is64
        self.address = int(ffi.cast("uintptr_t", mem))   # of the native VMMemory (what vmctx points to)
        self.base = int(mem.base)                         # the reservation never moves

    def __del__(self, _give=lib.wx_mempool_give) -> None:
        mem = getattr(self, "_mem", None)
        if mem is not None:
            self._mem = None
            _give(mem)

    @property
    def pages(self) -> int:
        return self._mem.pages

    @property
    def length(self) -> int:
        return self._mem.length

    @property
    def max_pages(self) -> int:
        return self._mem.max_pages

    def grow(self, delta: int) -> int:
        """Grow by ``delta`` pages; the old size in pages, or -1 when it cannot grow."""
        if delta < 0:
            return -1
        if delta > (MAX_PAGES_64 if self.is64 else MAX_PAGES):
            return -1
        old = lib.wx_memory_grow_mem(self._mem, delta)
        return -1 if old == 0xFFFFFFFF else old

    def buffer(self) -> memoryview:
        """A writable view of the accessible bytes (invalidated in size by ``grow``). The view keeps
        this memory alive: its bytes never go back to the pool while a view can still reach them."""
        mem = self._mem
        owned = ffi.gc(ffi.cast("char *", mem.base), lambda _p, _keep=self: None)
        return memoryview(ffi.buffer(owned, mem.length))

    def in_bounds(self, offset: int, size: int) -> bool:
        return 0 <= offset and 0 <= size and offset + size <= self._mem.length

    def write(self, offset: int, data: bytes) -> None:
        """Copy ``data`` at ``offset`` (the caller checked bounds)."""
        if data:
            ffi.memmove(ffi.cast("char *", self._mem.base + offset), data, len(data))

    def read(self, offset: int, size: int) -> bytes:
        return ffi.unpack(ffi.cast("char *", self._mem.base + offset), size) if size else b""
