"""The spec suites (``core`` and ``simd``: all of Wasm 2.0) through ``jit.specrunner``, each file in a
child process, as ``wxjit spec`` runs them.

Every file of both suites must pass completely (every binary command; the text ``assert_malformed``
modules are the only skips). Skips with the reason when ../shared/spectest is absent.
"""
from __future__ import annotations

import json

import pytest

from jit.spectest import spectest_dir

ROOT = spectest_dir()
SUITE_FILES = [(suite, p.name) for suite in ("core", "simd")
               for p in sorted((ROOT / suite).iterdir()) if p.is_dir()] if ROOT else []



@pytest.mark.skipif(ROOT is None, reason="the spec test suite (../shared/spectest) is not available")
@pytest.mark.parametrize(("suite", "name"), SUITE_FILES, ids=[f"{s}/{n}" for s, n in SUITE_FILES])
def test_spec_file(suite: str, name: str) -> None:
    from jit.specrunner import run_isolated

    path = ROOT / suite / name / f"{name}.json"
    result = run_isolated(path)
    assert result.crash is None, result.crash
    assert result.failures == [], result.failures[:5]
    commands = json.loads(path.read_text())["commands"]
    text_modules = sum(1 for c in commands if c.get("module_type") == "text")
    assert result.skipped == text_modules
    assert result.passed == len(commands) - text_modules
