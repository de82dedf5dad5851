"""A first-fit free list over offsets, with coalescing: the bookkeeping of ``CodeArena``.

Pure Python and independent of any mapping, so its invariants are testable on their own:
blocks never overlap, freed space coalesces with its neighbours, and after freeing everything
the free list is one block covering all space added.
"""
from __future__ import annotations

from bisect import bisect_left

from ..errors import Error


class FreeList:
    """Free ``[offset, offset + size)`` blocks, sorted by offset, never adjacent (always coalesced)."""

    def __init__(self, align: int = 64) -> None:
        if align <= 0 or align & (align - 1):
            raise Error(f"allocation alignment must be a power of two, got {align}")
        self.align = align
        self._starts: list[int] = []
        self._sizes: list[int] = []

    def round(self, size: int) -> int:
        return (size + self.align - 1) & ~(self.align - 1)

    @property
    def blocks(self) -> list[tuple[int, int]]:
        """The free blocks as (offset, size), sorted."""
        return list(zip(self._starts, self._sizes, strict=True))

    @property
    def free_bytes(self) -> int:
        return sum(self._sizes)

    def alloc(self, size: int) -> int | None:
        """Take ``size`` (rounded to the alignment) bytes, first fit; None if no block is big enough."""
        size = self.round(size)
        for i, have in enumerate(self._sizes):
            if have >= size:
                start = self._starts[i]
                if have == size:
                    del self._starts[i], self._sizes[i]
                else:
                    self._starts[i] += size
                    self._sizes[i] -= size
                return start
        return None

    def free(self, offset: int, size: int) -> None:
        """Give ``[offset, offset + round(size))`` back, merging with adjacent free blocks."""
        size = self.round(size)
        i = bisect_left(self._starts, offset)
        if (i < len(self._starts) and self._starts[i] < offset + size) or (
            i > 0 and self._starts[i - 1] + self._sizes[i - 1] > offset
        ):
            raise Error(f"double free or overlap: block at offset {offset:#x} ({size} bytes) is already free")
        if i > 0 and self._starts[i - 1] + self._sizes[i - 1] == offset:
            i -= 1
            self._sizes[i] += size
        else:
            self._starts.insert(i, offset)
            self._sizes.insert(i, size)
        if i + 1 < len(self._starts) and self._starts[i] + self._sizes[i] == self._starts[i + 1]:
            self._sizes[i] += self._sizes.pop(i + 1)
            del self._starts[i + 1]

    def add(self, offset: int, size: int) -> None:
        """Add new space (the arena grew); same as freeing it."""
        self.free(offset, size)

    def tail(self, end: int) -> int:
        """Size of the free block that ends exactly at ``end`` (0 if none)."""
        if self._starts and self._starts[-1] + self._sizes[-1] == end:
            return self._sizes[-1]
        return 0
