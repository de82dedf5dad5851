"""The ``thp`` code memory strategy: reuse on a 2 MiB-aligned region advised MADV_HUGEPAGE (transparent
huge pages, no setup).
"""
from __future__ import annotations

from .base import CodeMemory


class ThpCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "thp"
    native = "WX_CM_THP"
    summary = "reuse on a 2 MiB-aligned region advised MADV_HUGEPAGE (transparent huge pages, no setup)."
    wx = "yes"


STRATEGY = ThpCodeMemory
