"""Compiler bugs found by the benchmark programs and the fuzzers, kept as regression tests.

Each case in ``tests/regressions/cases.json`` names a module (source ``.wat`` beside it), an export,
arguments and the expected results (as Python values, typed by the export's signature).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import jit

HERE = Path(__file__).parent / "regressions"
CASES = json.loads((HERE / "cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_regression(case: dict) -> None:
    inst = jit.Instance(jit.Module((HERE / case["file"]).read_bytes()), {})
    result = inst.exports[case["export"]](*case["args"])
    got = list(result) if isinstance(result, tuple) else ([] if result is None else [result])
    assert got == case["expected"], case["bug"]
