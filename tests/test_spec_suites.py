"""The core spec suite through ``jit.specrunner`` (each file in a child process, as ``wxjit spec``).

``CORE_FILES`` is every file of ``core``: each must pass completely (every binary command; the text
``assert_malformed`` modules are the only skips). Skips with the reason when ../shared/spectest is absent.
"""
from __future__ import annotations

import json

import pytest

from jit.spectest import spectest_dir

ROOT = spectest_dir()
# Every core file (Wasm 2.0 without SIMD): all of them must pass completely.
CORE_FILES = sorted(p.name for p in (ROOT / "core").iterdir() if p.is_dir()) if ROOT else []



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
