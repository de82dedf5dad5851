"""Pools of instance resources, and their bound: what makes a fresh instance cheap and RSS flat.

- Linear memories come from a native pool of reservations (``native/loader.c``): every byte a
  released memory ever made accessible is reset (zeroed in place up to 256 KiB, so that the next
  instance takes no page faults; ``madvise(MADV_DONTNEED)`` beyond), so no byte of the previous
  instance survives, and it is kept for the next instance, up to ``max_free_memories``; beyond that
  it is unmapped.
- Instance contexts (vmctx buffers) are kept per module plan, up to ``max_free_vmctx`` buffers and
  ``MAX_FREE_VMCTX_BYTES`` bytes each, and reinitialised from the module's template on reuse. Plans
  are shared by every load of the same compiled module and live as long as it (or the cache's memo
  of decoded files, ``jit.runtime.serialize``) does.

Free pooled resources cost at most ``max_free_memories`` × 256 KiB of resident memory for small
memories (larger ones keep no pages) plus the vmctx buffers. Live instances are bounded by
``jit.Limits.max_instances`` (when set).
"""
from __future__ import annotations

from ..native import lib

DEFAULT_MAX_FREE_MEMORIES = 64
DEFAULT_MAX_FREE_VMCTX = 64
MAX_FREE_VMCTX_BYTES = 256 << 10

max_free_vmctx = DEFAULT_MAX_FREE_VMCTX


def configure(*, max_free_memories: int | None = None, max_free_vmctx: int | None = None) -> None:
    """Set the pool bounds (free memories process-wide, free vmctx buffers per module)."""
    if max_free_memories is not None:
        if not 0 <= max_free_memories <= 4096:
            raise ValueError(f"max_free_memories must be in [0, 4096], got {max_free_memories}")
        lib.wx_mempool_configure(max_free_memories)
    if max_free_vmctx is not None:
        if max_free_vmctx < 0:
            raise ValueError(f"max_free_vmctx must not be negative, got {max_free_vmctx}")
        globals()["max_free_vmctx"] = max_free_vmctx


def free_memories() -> int:
    """Memories waiting in the pool now."""
    return int(lib.wx_mempool_free_count())


def max_free_memories() -> int:
    return int(lib.wx_mempool_max_free())


def clear() -> None:
    """Unmap every pooled memory."""
    lib.wx_mempool_clear()
