"""The ``reuse_lock`` code memory strategy: reuse with MAP_LOCKED; bounded by RLIMIT_MEMLOCK (fails
saying so beyond it).
"""
from __future__ import annotations

from .base import CodeMemory


class ReuseLockCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "reuse_lock"
    native = "WX_CM_REUSE_LOCK"
    summary = "reuse with MAP_LOCKED; bounded by RLIMIT_MEMLOCK (fails saying so beyond it)."
    wx = "yes"


STRATEGY = ReuseLockCodeMemory
