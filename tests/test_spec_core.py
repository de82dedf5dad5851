"""The core spec suite through ``jit.specrunner`` (each file in a child process, as ``wxjit spec``).

``CORE_FILES`` is the list of files that must pass completely; it grows as the engine does (issue 5
adds the rest of ``core``). Skips with the reason when ../shared/spectest is absent.
"""
from __future__ import annotations

import json

import pytest

from jit.spectest import spectest_dir

# Issue 4 (integers, control flow, calls, memory, traps).
CORE_FILES = [
    "address", "align", "block", "br", "br_if", "br_table", "call", "fac", "forward", "i32", "i64",
    "int_exprs", "int_literals", "labels", "load", "local_get", "local_set", "local_tee", "loop",
    "memory", "memory_grow", "memory_redundancy", "memory_size", "memory_trap", "nop", "return",
    "select", "stack", "start", "store", "switch", "traps", "unreachable", "unreached-valid", "unwind",
    "endianness", "skip-stack-guard-page",
]

ROOT = spectest_dir()


@pytest.mark.skipif(ROOT is None, reason="the spec test suite (../shared/spectest) is not available")
@pytest.mark.parametrize("name", CORE_FILES)
def test_core_file(name: str) -> None:
    from jit.specrunner import run_isolated

    path = ROOT / "core" / name / f"{name}.json"
    result = run_isolated(path)
    assert result.crash is None, result.crash
    assert result.failures == [], result.failures[:5]
    commands = json.loads(path.read_text())["commands"]
    text_modules = sum(1 for c in commands if c.get("module_type") == "text")
    assert result.skipped == text_modules
    assert result.passed == len(commands) - text_modules
