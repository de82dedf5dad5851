"""The ``reuse_shared`` code memory strategy: a MAP_SHARED anonymous mapping kept; mprotect flips."""
from __future__ import annotations

from .base import CodeMemory


class ReuseSharedCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "reuse_shared"
    native = "WX_CM_REUSE_SHARED"
    summary = "a MAP_SHARED anonymous mapping kept; mprotect flips."
    wx = "yes"


STRATEGY = ReuseSharedCodeMemory
