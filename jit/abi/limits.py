"""``jit.Limits``: resource limits for modules and instances (DESIGN.md, public API).

One object carries every limit; ``jit.Module(data, limits=...)`` applies the compile-time ones and
``jit.Instance(module, imports, limits=...)`` the run-time ones. The defaults protect the host from
hostile modules while admitting every spec test and real program; ``None`` means unlimited where the
field allows it. A limit exceeded while compiling or instantiating raises ``jit.LimitError``; at run
time it is a ``jit.Trap`` ("interrupted", "out of fuel", "call stack exhausted") or a failed
``memory.grow``/``table.grow`` (-1), as the spec allows.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import LimitError

DEFAULT_MAX_STACK_BYTES = 512 * 1024
MIN_STACK_BYTES = 16 * 1024
DEFAULT_HOST_STACK_BYTES = 256 * 1024
DEFAULT_MAX_TABLE_ELEMENTS = 10_000_000       # 80 MB of table per table
DEFAULT_MAX_GC_HEAP_BYTES = 1 << 30           # Wasm GC objects one instance may keep allocated


@dataclass(frozen=True)
class Limits:
    """Resource limits; see the module docstring for where each one applies."""

    # --- run time (per instance) -----------------------------------------------------------------
    timeout: float | None = None           # seconds per call from the host -> Trap("interrupted")
    fuel: int | None = None                # units (function entries + loop iterations) -> Trap("out of fuel")
    # clamps the maximum of each memory (every one of a multi-memory instance, 32- or 64-bit; there is
    # no per-memory cap: the embedder who needs one imports a jit.Memory made with its own maximum);
    # None: the spec's bound (65536 pages, or the 8 GiB reservation of a 64-bit memory)
    max_memory_pages: int | None = None
    max_table_elements: int | None = DEFAULT_MAX_TABLE_ELEMENTS
    max_stack_bytes: int = DEFAULT_MAX_STACK_BYTES
    # Native stack kept free below the guest's deepest frame for host functions (Python code, C
    # libraries) called from Wasm. Never given to the guest: on a thread too small for both, the
    # guest's stack shrinks ("call stack exhausted" sooner); a host call without it traps the same.
    host_stack_bytes: int = DEFAULT_HOST_STACK_BYTES
    max_instances: int | None = None       # live instances of the process (counted at creation)
    # Bytes of Wasm GC objects (headers included) allocated by one instance and not yet freed; an
    # allocation past it traps "GC heap exhausted" (after a collection, when a collector runs). None: no cap.
    max_gc_heap_bytes: int | None = DEFAULT_MAX_GC_HEAP_BYTES
    # --- compile time (per module) ---------------------------------------------------------------
    max_module_bytes: int | None = 256 * 1024 * 1024
    max_functions: int | None = 1_000_000
    max_params: int | None = 1_000         # parameters (and results) of one function type
    max_locals: int | None = 50_000        # parameters + declared locals of one function
    max_code_bytes: int | None = 512 * 1024 * 1024   # machine code of one module

    def __post_init__(self) -> None:
        if self.max_stack_bytes < MIN_STACK_BYTES:
            raise LimitError(
                f"max_stack_bytes must be at least {MIN_STACK_BYTES}, got {self.max_stack_bytes}")
        for name in ("host_stack_bytes", "timeout", "fuel", "max_memory_pages", "max_table_elements",
                     "max_instances", "max_gc_heap_bytes", "max_module_bytes", "max_functions", "max_params",
                     "max_locals", "max_code_bytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise LimitError(f"{name} must not be negative, got {value}")


DEFAULT_LIMITS = Limits()
