"""Cache-affine routing for ``jit.Pool``: a module's home worker by hash, spill-over when busy."""
from __future__ import annotations

from collections.abc import Sequence


def home(digest: str, workers: int) -> int:
    """The worker a module's invocations go to first: its SHA-256 modulo the pool size."""
    return int(digest[:15], 16) % workers


def choose(h: int, loads: Sequence[int], holders: Sequence[bool], spill: int, room: int) -> int:
    """The worker for one invocation of a module whose home worker is ``h``, or -1 when every queue
    is full.

    ``loads``: queued + running invocations per worker; ``holders``: which workers already have the
    module; ``spill``: the load at which the home worker counts as busy; ``room``: the queue bound.
    The home worker wins unless busy; then the least loaded worker holding the module if it is not
    busy either; else the least loaded worker with room (ties go to holders).
    """
    if loads[h] < spill:
        return h
    best, best_key = -1, _NO_KEY
    busy = 4 * room             # above any key of a worker that is not busy (runs once per call: ints,
    for i, load in enumerate(loads):      # not tuples, as keys)
        if load >= room:
            continue
        key = 2 * load + (0 if holders[i] else 1) + (busy if load >= spill or not holders[i] else 0)
        if key < best_key:
            best, best_key = i, key
    if best < 0 and loads[h] < room:
        return h
    return best


_NO_KEY = float("inf")
