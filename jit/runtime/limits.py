"""``jit.Limits``: per-instance resource limits (DESIGN.md, public API).

Enforced now: ``max_stack_bytes`` (the stack budget of an outermost call from the host; nested
host → Wasm calls share it) and ``max_memory_pages`` (clamps the maximum of memories an instance
defines; exceeding it at instantiation raises ``jit.LimitError``, ``memory.grow`` past it returns -1).
``timeout``, ``fuel`` and ``max_table_elements`` are accepted and stored; enforcing them needs the
compiler's interrupt/fuel checks.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import LimitError

DEFAULT_MAX_STACK_BYTES = 512 * 1024
MIN_STACK_BYTES = 16 * 1024


@dataclass(frozen=True)
class Limits:
    """Resource limits of one instance; ``None`` means unlimited."""

    timeout: float | None = None
    fuel: int | None = None
    max_memory_pages: int | None = None
    max_table_elements: int | None = None
    max_stack_bytes: int = DEFAULT_MAX_STACK_BYTES

    def __post_init__(self) -> None:
        if self.max_stack_bytes < MIN_STACK_BYTES:
            raise LimitError(
                f"max_stack_bytes must be at least {MIN_STACK_BYTES}, got {self.max_stack_bytes}")
        for name in ("timeout", "fuel", "max_memory_pages", "max_table_elements"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise LimitError(f"{name} must not be negative, got {value}")
