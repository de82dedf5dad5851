"""Differential fuzzing of the compiler against wasmtime.

``generate(seed)`` makes a random valid module (``jit.fuzz.generator``), ``run_module`` runs it in
both engines and reports mismatches (``jit.fuzz.oracle``), ``minimize`` shrinks a mismatching module
(``jit.fuzz.minimize``), and ``jit.fuzz.campaign`` runs long campaigns in crash-isolated worker
processes (``wxjit fuzz``). wasmtime is needed only here, never by the engine itself.
"""
from __future__ import annotations

from .generator import GenConfig, GeneratedModule, generate

__all__ = ["GenConfig", "GeneratedModule", "generate"]
