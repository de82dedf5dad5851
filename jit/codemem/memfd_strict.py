"""The ``memfd_strict`` code memory strategy: like memfd, but the RW view (at a random address) exists
only while code is written.
"""
from __future__ import annotations

from .base import CodeMemory


class MemfdStrictCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "memfd_strict"
    native = "WX_CM_MEMFD_STRICT"
    summary = "like memfd, but the RW view (at a random address) exists only while code is written."
    wx = "yes, strictly"


STRATEGY = MemfdStrictCodeMemory
