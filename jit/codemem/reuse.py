"""The ``reuse`` code memory strategy: one private mapping (between guard pages) kept; mprotect RW,
write, mprotect RX.
"""
from __future__ import annotations

from .base import CodeMemory


class ReuseCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "reuse"
    native = "WX_CM_REUSE"
    summary = "one private mapping (between guard pages) kept; mprotect RW, write, mprotect RX."
    wx = "yes"


STRATEGY = ReuseCodeMemory
