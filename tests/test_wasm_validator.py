"""Validator: the spec's typing rules, error texts, positions and function names."""
from __future__ import annotations

import pytest

import jit
from jit.errors import CompileError, ValidationError
from jit.wasm import decode, validate, validate_module

wasmtime = pytest.importorskip("wasmtime", reason="wasmtime provides the reference wat2wasm")


def wat(text: str) -> bytes:
    return wasmtime.wat2wasm(text)


def invalid(text: str) -> ValidationError:
    module = decode(wat(text))
    with pytest.raises(ValidationError) as info:
        validate_module(module)
    return info.value


def test_public_api_returns_module() -> None:
    m = jit.validate(wat("(module (func (export \"f\") (result i32) i32.const 1))"))
    assert m.exports[0].name == "f"
    assert validate(wat("(module)")).types == []


@pytest.mark.parametrize("body,message", [
    ("(i32.add (i32.const 1) (i64.const 2))", "type mismatch"),
    ("(local.get 5)", "unknown local 5"),
    ("(global.get 3)", "unknown global 3"),
    ("(br 2)", "unknown label 2"),
    ("(call 9)", "unknown function 9"),
    ("(drop (i32.load align=8 (i32.const 0)))", "alignment must not be larger than natural"),
    ("(drop (ref.func 0))", "undeclared function reference"),
    ("(table.size 4) drop", "unknown table 4"),
    ("(block (result i32) (i32.const 1) (i32.const 2))", "type mismatch"),
    ("(if (i32.const 1) (then (i32.const 1)))", "type mismatch"),
    ("(data.drop 0)", "unknown data segment 0"),
    ("(elem.drop 0)", "unknown elem segment 0"),
])
def test_body_errors(body: str, message: str) -> None:
    err = invalid(f"(module (memory 1) (func $fn {body}))")
    assert err.message == message
    assert err.func_index == 0 and err.func_name == "fn"
    assert err.offset is not None and err.offset > 8


def test_unreachable_code_is_polymorphic() -> None:
    validate(wat("""(module (func (result i32) unreachable i32.add)
      (func (result i64) (block (result i64) (br 0 (unreachable))))
      (func (param i32) (result i32) (block (result i32) (br_table 0 0 (i32.const 1) (local.get 0))))
      (func unreachable select drop))"""))
    assert invalid("(module (func unreachable (i64.const 0) i32.eqz drop))").message == "type mismatch"


def test_multi_value_blocks() -> None:
    validate(wat("""(module (func (result i32 i64)
      (i32.const 1) (block (param i32) (result i32 i64) (i64.const 2))))"""))
    assert invalid("(module (func (result i32 i64) (i32.const 1)))").message == "type mismatch"


@pytest.mark.parametrize("module,message", [
    ("(module (memory 65537))", "memory size must be at most 65536 pages (4GiB)"),
    ("(module (memory 2 1))", "size minimum must not be greater than maximum"),
    ("(module (table 2 1 funcref))", "size minimum must not be greater than maximum"),
    ("(module (memory i64 0x1000000000001))", "memory size must be at most 2^48 pages"),
    ("(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))", "duplicate export name"),
    ("(module (func (param i32)) (start 0))", "start function"),
    ("(module (global i32 (i32.div_u (i32.const 1) (i32.const 2))))", "constant expression required"),
    ("(module (global i32 (i64.const 1)))", "type mismatch"),
    ("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))", "unknown global 0"),
    ("(module (import \"a\" \"b\" (global (mut i32))) (global i32 (global.get 0)))",
     "constant expression required"),
    ("(module (global i32 (i32.const 1)) (func (global.set 0 (i32.const 1))))", "global is immutable"),
    ("(module (table 1 externref) (elem (i32.const 0) func))", "type mismatch"),
    ("(module (func (call_indirect (i32.const 0))))", "unknown table 0"),
])
def test_module_errors(module: str, message: str) -> None:
    assert invalid(module).message == message


def test_ref_func_declared_by_export_or_elem() -> None:
    validate(wat('(module (func $f (drop (ref.func $f))) (export "f" (func $f)))'))
    validate(wat("(module (func $f (drop (ref.func $f))) (elem declare func $f))"))


def test_deep_nesting_no_recursion_error() -> None:
    depth = 100_000
    body = "(block " * depth + ")" * depth
    validate(wat(f"(module (func {body}))"))


def test_errors_are_compile_errors() -> None:
    with pytest.raises(CompileError):
        jit.validate(b"\0asm\x01\0\0\0\x01")
