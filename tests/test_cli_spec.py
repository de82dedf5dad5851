"""``jit.specrunner``: trap texts match as prefixes the right way round, ``either`` results, bad files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

from jit.specrunner import Mismatch, expected_results, run_file, trap_text_matches

pytestmark = needs_wat2wasm


def test_trap_text_is_a_prefix_of_the_message() -> None:
    assert trap_text_matches("out of bounds memory access", "out of bounds memory access")
    assert trap_text_matches("integer divide", "integer divide by zero")
    assert not trap_text_matches("out of bounds memory access", "out of bounds")      # the old, wrong way
    assert not trap_text_matches("integer overflow", "integer divide by zero")
    assert trap_text_matches("uninitialized element 2", "uninitialized element")     # the index allowance
    assert not trap_text_matches("uninitialized element x", "uninitialized element")


def test_either_alternatives() -> None:
    one = {"type": "i32", "value": "1"}
    two = {"type": "i32", "value": "2"}
    assert expected_results({"expected": [one]}) == [[one]]
    assert expected_results({"either": [one, two]}) == [[one], [two]]                 # wabt
    assert expected_results({"either": [[one, two], [two, one]]}) == [[one, two], [two, one]]
    assert expected_results({"expected": [{"type": "either", "values": [one, two]}, one]}) == \
        [[one, one], [two, one]]                                                      # wasm-tools
    with pytest.raises(Mismatch):
        expected_results({"type": "assert_return"})


def write_spec(tmp_path: Path, commands: list[dict]) -> Path:
    (tmp_path / "m.wasm").write_bytes(wat("""(module
      (func (export "two") (result i32) (i32.const 2))
      (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))"""))
    path = tmp_path / "t.json"
    module = {"type": "module", "line": 1, "filename": "m.wasm"}
    path.write_text(json.dumps({"commands": [module, *commands]}))
    return path


def test_run_file_with_either_and_traps(tmp_path: Path) -> None:
    call = {"type": "invoke", "field": "two", "args": []}
    div0 = {"type": "invoke", "field": "div", "args": [{"type": "i32", "value": "0"}]}
    path = write_spec(tmp_path, [
        {"type": "assert_return", "line": 2, "action": call,
         "either": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}]},
        {"type": "assert_return", "line": 3, "action": call,
         "expected": [{"type": "either", "values": [{"type": "i32", "value": "7"}]}]},
        {"type": "assert_trap", "line": 4, "action": div0, "text": "integer divide by zero"},
        {"type": "assert_trap", "line": 5, "action": div0, "text": "integer divide by zero, really"},
    ])
    result = run_file(path)
    assert result.passed == 3 and result.failed == 2
    assert [f["line"] for f in result.failures] == [3, 5]
    assert result.failures[0]["message"] == "got [2], expected ['7']"
