"""``wxjit bench pool`` run small: every scenario and engine completes, and (b)'s never-seen modules
stay valid however many are made (they once grew a data segment past their memory and trapped)."""
from __future__ import annotations

import argparse
import json

import pytest

import jit
from jit.benchmarks import pool as bench


@pytest.mark.parametrize("salt", [1, 1023, 1024, 5000, 2**40])
def test_fresh_modules_instantiate_for_any_salt(salt: int) -> None:
    wasm = bench.fresh_module(salt)
    assert wasm != bench.fresh_module(salt + 1)
    assert jit.Instance(jit.Module(wasm)).exports["add"](40, 2) == 42


def _engines() -> list[str]:
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        return ["wxjit"]
    return ["wxjit", "wasmtime"]


def test_benchmark_path_small() -> None:
    engines = _engines()
    rows = bench.run(calls=300, latency_calls=20, reps=1, fresh=0.3, engines=engines,
                     scenarios=list(bench.SCENARIOS))
    assert {(r.engine, r.scenario, r.workers) for r in rows} == {
        (e, s, w) for e in engines for s in bench.SCENARIOS for w in bench.WORKERS}
    assert all(r.calls_per_s > 0 and 0 < r.p50_us <= r.p99_us for r in rows)


def test_benchmark_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    bench.configure(parser)
    args = parser.parse_args(["--json", "--only", "one", "--no-wasmtime", "--reps", "1", "--calls", "200",
                              "--latency-calls", "20"])
    assert bench.main(args) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["workers"] for r in records if r.get("scenario") == "one"] == list(bench.WORKERS)
