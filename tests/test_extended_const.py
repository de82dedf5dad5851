"""Extended constant expressions (Wasm 3.0): i32/i64 add, sub and mul over constants and imported
globals in global initialisers and data/element offsets; evaluated per instance (imports) or once
(constants); a module using them survives a .cwasm round trip, and forged constant expressions in a
.cwasm are refused with a reason.
"""
from __future__ import annotations

import marshal

import pytest
from test_cache import meta_parts, payload_parts, seal, with_meta
from wasm_text import needs_wat2wasm, wat

import jit
from jit.errors import CompileError
from jit.runtime import serialize
from jit.runtime.serialize import CacheError

pytestmark = needs_wat2wasm

SOURCE = """(module
  (import "env" "base" (global $base i32))
  (import "env" "big" (global $big i64))
  (memory (export "mem") 1)
  (table (export "tab") 128 funcref)
  (func $f (result i32) i32.const 7)
  (global (export "sum") i32 (i32.add (global.get $base) (i32.const 10)))
  (global (export "diff") i32 (i32.sub (i32.const 3) (i32.mul (global.get $base) (i32.const 2))))
  (global (export "wrap32") i32 (i32.mul (i32.const 0x10000) (i32.const 0x10001)))
  (global (export "wide") i64 (i64.sub (i64.mul (global.get $big) (i64.const 3)) (i64.const 1)))
  (global (export "static") i64 (i64.add (i64.const 0x7fffffffffffffff) (i64.const 2)))
  (data (i32.add (global.get $base) (i32.const 4)) "hi")
  (elem (i32.sub (global.get $base) (i32.const 1)) func $f)
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
)"""


def instance(base: int, big: int) -> jit.Instance:
    return instance_of(jit.Module(wat(SOURCE)), base, big)


def instance_of(module: jit.Module, base: int, big: int) -> jit.Instance:
    imports = {"env": {"base": jit.Global("i32", base),
                       "big": jit.Global("i64", big)}}
    return jit.Instance(module, imports)


def check(inst: jit.Instance, base: int, big: int) -> None:
    e = inst.exports
    assert e.sum.value == base + 10
    assert e.diff.value == 3 - 2 * base
    assert e.wrap32.value == 0x10000                          # 0x1_0001_0000 wrapped to 32 bits
    wide = (big * 3 - 1) & (2**64 - 1)
    assert e.wide.value == (wide - 2**64 if wide >= 2**63 else wide)
    assert e.static.value == -(2**63) + 1                   # wraps
    assert bytes(e.mem.data[base + 4:base + 6]) == b"hi"
    assert e.call(base - 1) == 7


@pytest.mark.parametrize(("base", "big"), [(5, 1), (100, 2**62), (1, -1)])
def test_values_per_instance(base: int, big: int) -> None:
    check(instance(base, big), base, big)


def test_serialized_module_round_trips() -> None:
    module = jit.Module(wat(SOURCE))
    loaded = jit.Module.deserialize(module.serialize())
    check(instance_of(loaded, 9, 7), 9, 7)
    assert loaded.serialize() == module.serialize()


def test_out_of_bounds_offset_from_an_expression_traps_at_instantiation() -> None:
    with pytest.raises(jit.Trap):
        instance(65534, 0)          # data at 65538: past the one page


@pytest.mark.parametrize("bad", [
    "(global i32 (i32.add (i32.const 1)))",                              # one operand
    "(global i32 (i32.add (i32.const 1) (i64.const 2)))",                # mixed types
    "(global i64 (i32.add (i32.const 1) (i32.const 2)))",                # result type
    "(global i32 (i32.div_s (i32.const 1) (i32.const 2)))",              # not a constant instruction
])
def test_invalid_expressions_are_rejected(bad: str) -> None:
    with pytest.raises(CompileError):
        jit.Module(wat(f"(module {bad})"))


def _forge(data: bytes, edit: object) -> bytes:
    header, payload = payload_parts(data)
    meta, code = meta_parts(payload)
    compiled, w, recipe = marshal.loads(meta)
    w = list(w)
    edit(w)     # type: ignore[operator]
    return seal(header, with_meta(marshal.dumps((compiled, tuple(w), tuple(recipe)), 2), code), None)


def _with_global_init(init: list) -> object:
    def edit(w: list) -> None:
        w[5] = [(v, m, init if n == 0 else i) for n, (v, m, i) in enumerate(w[5])]
    return edit


@pytest.mark.parametrize(("init", "reason"), [
    ([(0x41, 1, None, 0), (0x6A, None, None, 0)], "without two operands"),
    ([(0x41, 1, None, 0), (0x42, 2, None, 0), (0x6A, None, None, 0)], "without two operands"),
    ([(0x41, 1, None, 0), (0x41, 2, None, 0)], "does not make one"),
    ([(0x23, 99, None, 0)], "out of range"),
    ([(0x41, 1, None, 0), (0x41, 2, None, 0), (0x6D, None, None, 0)], "not allowed"),
    ([], "not a constant expression"),
])
def test_forged_constant_expressions_are_refused(init: list, reason: str) -> None:
    data = jit.Module(wat(SOURCE)).serialize()
    assert serialize.loads(_forge(data, lambda w: None), key=None)        # the no-op forgery loads
    with pytest.raises(CacheError, match=f"corrupted compiled module payload: global 2: .*{reason}"):
        serialize.loads(_forge(data, _with_global_init(init)), key=None)


def test_disabled_by_features() -> None:
    from jit.wasm import validate
    data = wat("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))")
    with pytest.raises(CompileError, match=r"unsupported proposal 'extended constant expressions' \(at"):
        validate(data, features=jit.Features(extended_const=False))
    validate(data, features=jit.Features(relaxed_simd=False))
    validate(data)
