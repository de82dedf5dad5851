"""Code memory: where compiled code lives, behind one interface with several strategies.

``create(name, nbytes)`` returns a ``CodeMemory`` for the load cycle (see ``jit.codemem.base``);
``CodeArena`` / ``default_arena()`` carve many code slots out of one memfd for the runtime.
``memfd`` (dual mapping, W^X) is the default; ``rwx`` is the unsafe benchmark yardstick and
runs only when asked for by name with ``allow_unsafe=True``. One module per strategy.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from .base import (
    DEFAULT_ROTATE_EVERY,
    PAGE_SIZE,
    CodeMemory,
    CodeMemoryError,
    StrategyUnavailable,
    UnsafeStrategyError,
)

DEFAULT = "memfd"

#: name -> module defining STRATEGY, in the order of DESIGN.md's table
STRATEGIES: dict[str, str] = {
    name: f"jit.codemem.{name}"
    for name in ("naive", "reuse", "reuse_lock", "hugetlb", "thp", "reuse_shared",
                 "memfd", "memfd_strict", "memfd_pwrite", "rwx")
}


def names() -> list[str]:
    """Every strategy name, in table order."""
    return list(STRATEGIES)


def strategy_class(name: str) -> type[CodeMemory]:
    """The ``CodeMemory`` subclass registered under ``name``."""
    module = STRATEGIES.get(name)
    if module is None:
        raise CodeMemoryError(f"unknown code memory strategy {name!r}; known: {', '.join(STRATEGIES)}")
    return import_module(module).STRATEGY


def create(name: str, nbytes: int, **options: Any) -> CodeMemory:
    """A code region of ``nbytes`` with strategy ``name`` (options: rotate_every, allow_unsafe)."""
    return strategy_class(name)(nbytes, **options)


def __getattr__(name: str) -> Any:
    if name in ("CodeArena", "CodeSlot", "default_arena"):
        return getattr(import_module("jit.codemem.arena"), name)
    raise AttributeError(f"module 'jit.codemem' has no attribute {name!r}")


__all__ = [
    "DEFAULT", "DEFAULT_ROTATE_EVERY", "PAGE_SIZE", "STRATEGIES", "CodeArena", "CodeMemory",
    "CodeMemoryError", "CodeSlot", "StrategyUnavailable", "UnsafeStrategyError", "create",
    "default_arena", "names", "strategy_class",
]
