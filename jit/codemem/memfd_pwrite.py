"""The ``memfd_pwrite`` code memory strategy: no writable view ever exists: code enters the memfd by
pwrite; only the RX view is mapped.
"""
from __future__ import annotations

from .base import CodeMemory


class MemfdPwriteCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "memfd_pwrite"
    native = "WX_CM_MEMFD_PWRITE"
    summary = "no writable view ever exists: code enters the memfd by pwrite; only the RX view is mapped."
    wx = "yes, strictest"


STRATEGY = MemfdPwriteCodeMemory
