"""``memfd`` code memory (the default): one memfd, an RX view and a separate RW view, both kept.

The RW view sits at a random address (a PROT_NONE placeholder chosen with getrandom and
MAP_FIXED_NOREPLACE) and is moved to a new random address every ``rotate_every`` loads
(``mremap``, so the move costs no page faults). The RX view never moves. No address is ever
both writable and executable. A load costs what ``rwx`` costs: no syscall, no page fault.
"""
from __future__ import annotations

from ..native import ffi, lib
from .base import DEFAULT_ROTATE_EVERY, CodeMemory, CodeMemoryError, native_error


class MemfdCodeMemory(CodeMemory):
    """memfd dual mapping: write through the RW view, run through the RX view of the same pages."""

    name = "memfd"
    native = "WX_CM_MEMFD"
    summary = "memfd + ftruncate; one RX view and one RW view (random address, rotated) of the same pages."
    wx = "no address is both W and X"

    def __init__(self, nbytes: int, *, rotate_every: int = DEFAULT_ROTATE_EVERY,
                 allow_unsafe: bool = False) -> None:
        super().__init__(nbytes, rotate_every=rotate_every, allow_unsafe=allow_unsafe)
        self.rotate_every = rotate_every
        self._countdown = rotate_every + 1 if rotate_every else 0  # the first load does not rotate
        self._exec = int(ffi.cast("uintptr_t", self._m.exec))

    def begin_write(self) -> None:
        if self._closed:
            raise CodeMemoryError(f"{self.name}: the code region was released")
        if self._countdown:
            self._countdown -= 1
            if not self._countdown:
                self._countdown = self.rotate_every
                self.rotate()
        self._writing = True

    def publish(self) -> int:
        if not self._writing:
            raise CodeMemoryError(f"{self.name}: publish() without begin_write()")
        self._writing = False
        return self._exec

    def rotate(self) -> None:
        """Move the writable view to a new random address now (the executable view stays)."""
        if self._closed:
            raise CodeMemoryError(f"{self.name}: the code region was released")
        if lib.wx_cm_rotate(self._m) != 0:
            raise native_error(self._m, self.name, "rotate")

    @property
    def rotations(self) -> int:
        """How many times the writable view has moved."""
        return int(self._m.rotations)


STRATEGY = MemfdCodeMemory
