"""``wxjit bench cached``: the cached-load benchmark runs on a small module and reports every engine."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_cached_reports_cold_memo_and_wasmtime() -> None:
    cmd = [sys.executable, "-m", "jit.cli", "bench", "cached", "--module", "examples/fib.wasm", "--reps", "2",
           "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    engines = [r["engine"] for r in records]
    assert engines[:2] == ["wxjit cold", "wxjit memo"]
    assert set(engines) <= {"wxjit cold", "wxjit memo", "wasmtime"}
    for r in records:
        assert r["module"] == "fib.wasm" and r["reps"] == 2 and r["file_bytes"] > 0
        assert 0 <= r["min_ms"] <= r["median_ms"] <= r["max_ms"]


def test_bench_cached_refuses_a_missing_module() -> None:
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "bench", "cached", "--module", "nope.wasm",
                           "--no-wasmtime"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1 and "nope.wasm: no such file" in proc.stderr
