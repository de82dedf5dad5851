"""The ``wxjit`` console script's startup phase: the cyclic garbage collector paused while it is built.

Starting ``wxjit run`` imports some 80 modules and decodes and validates the Wasm module: tens of
thousands of objects (classes, functions, tables, instructions) that live until the process exits,
and almost no cyclic garbage (58 objects for SQLite's 1,089 functions). The collector would scan
them again and again while they are made: 4 ms of a hello world's 85. ``pause()`` (``jit.cli``, for the
console script only) disables it; ``end()`` moves every object made so far into the permanent
generation (``gc.freeze``: never scanned again, still freed by reference counting) and enables the
collector. ``wxjit run`` ends the phase once its module is loaded, before the guest runs; ``jit.cli``
ends it before any other command starts (and after every command). Guarantees: the collector runs
as usual while a guest or a command's work runs; its state is left as found; what the startup
made as cyclic garbage is kept until exit.
"""
from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Disable the collector for the startup (nothing when it is already disabled)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def end() -> None:
    """End the startup: freeze what it made and enable the collector again (idempotent)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
