"""The ``naive`` code memory strategy: mmap private RW, write, mprotect RX, run, munmap -- a fresh
mapping per load.
"""
from __future__ import annotations

from .base import CodeMemory


class NaiveCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "naive"
    native = "WX_CM_NAIVE"
    summary = "mmap private RW, write, mprotect RX, run, munmap -- a fresh mapping per load."
    wx = "yes"
    needs_finish = True


STRATEGY = NaiveCodeMemory
