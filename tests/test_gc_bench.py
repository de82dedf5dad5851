"""``wxjit bench gc`` runs and both engines compute the same trees (no timing asserted)."""
from __future__ import annotations

import pytest

from jit.benchmarks import gc as bench
from tests.wasm_text import needs_wat2wasm

pytestmark = needs_wat2wasm


def test_binary_trees_benchmark_runs_wxjit_only() -> None:
    row = bench.run(depth=4, iterations=3, reps=1, with_wasmtime=False)
    assert row.nodes_per_call == 3 * 31 and row.wxjit_ns_per_node > 0 and row.ratio is None


def test_binary_trees_agree_with_wasmtime() -> None:
    pytest.importorskip("wasmtime", reason="wasmtime-py is the reference engine")
    row = bench.run(depth=3, iterations=2, reps=1, with_wasmtime=True)
    assert row.wasmtime_ns_per_node is not None and row.ratio is not None
