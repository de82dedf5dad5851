"""The ``hugetlb`` code memory strategy: MAP_HUGETLB 2 MiB pages with mprotect flips; needs
vm.nr_hugepages > 0 (fails saying so).
"""
from __future__ import annotations

from .base import CodeMemory


class HugetlbCodeMemory(CodeMemory):
    """See the module docstring."""

    name = "hugetlb"
    native = "WX_CM_HUGETLB"
    summary = "MAP_HUGETLB 2 MiB pages with mprotect flips; needs vm.nr_hugepages > 0 (fails saying so)."
    wx = "yes"


STRATEGY = HugetlbCodeMemory
