"""The ``rwx`` code memory strategy: UNSAFE: one RWX mapping -- the upper bound for benchmarks only,
never a default; runs only when asked for by name.
"""
from __future__ import annotations

from .base import CodeMemory


class RwxCodeMemory(CodeMemory):
    """One RWX mapping: the unsafe upper bound, never a default."""

    name = "rwx"
    native = "WX_CM_RWX"
    summary = (
        "UNSAFE: one RWX mapping -- the upper bound for benchmarks only, never a default; runs only "
        "when asked for by name."
    )
    wx = "NO"
    unsafe = True


STRATEGY = RwxCodeMemory
