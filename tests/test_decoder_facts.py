"""Facts the decoder notes while reading function bodies, which the compiler reads instead of walking
every body again: ``Module.tail_calls`` (whether any body has ``return_call``, ``return_call_indirect``
or ``return_call_ref``; direct calls then reload the instance registers after returning)."""
from __future__ import annotations

import pytest
from wasm_text import needs_wat2wasm, wat

from jit.wasm.decoder import decode
from jit.wasm.types import Module
from jit.x64.lower.tailcalls import module_has_tail_calls

pytestmark = needs_wat2wasm

PLAIN = """(module (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const 0x12)))
                   (func (result i32) (call $f (i32.const 0x13))))"""
TAIL_CALLS = {
    "return_call": """(module (func $f (param i32) (result i32) (local.get 0))
                              (func (result i32) (return_call $f (i32.const 0x15))))""",
    "return_call_indirect": """(module (type $t (func (result i32))) (table 1 funcref)
                              (func (result i32) (return_call_indirect (type $t) (i32.const 0))))""",
    "return_call_ref": """(module (type $t (func (result i32))) (elem declare func $g)
                              (func $g (result i32) (i32.const 1))
                              (func (result i32) (return_call_ref $t (ref.func $g))))""",
}


def test_a_module_without_tail_calls_says_so() -> None:
    m = decode(wat(PLAIN))
    assert m.tail_calls is False
    assert module_has_tail_calls(m) is False


@pytest.mark.parametrize("name", sorted(TAIL_CALLS))
def test_each_tail_call_instruction_is_noted(name: str) -> None:
    m = decode(wat(TAIL_CALLS[name]))
    assert m.tail_calls is True
    assert module_has_tail_calls(m) is True
    assert any(op in (0x12, 0x13, 0x15) for op, *_ in m.codes[-1].code)


def test_a_module_made_otherwise_is_scanned() -> None:
    decoded = decode(wat(TAIL_CALLS["return_call"]))
    m = Module(types=decoded.types, funcs=decoded.funcs, codes=decoded.codes)
    assert m.tail_calls is None
    assert module_has_tail_calls(m) is True
    m.codes = decode(wat(PLAIN)).codes
    assert module_has_tail_calls(m) is False
