"""Instantiation from module plans and cheap export calls: lazy exports with stable identity,
exported functions outliving their Instance object, typed entries for every arity, instances without
reference cycles (released at once), segments applied in order with earlier writes kept."""
from __future__ import annotations

import gc

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.runtime import instance as I
from jit.runtime import pool

pytestmark = needs_wat2wasm


SRC = """
(module
  (memory (export "mem") 1)
  (global $g (export "g") (mut i32) (i32.const 3))
  (table (export "tab") 2 funcref)
  (elem (i32.const 1) $f0)
  (data (i32.const 8) "abc")
  (func $f0 (export "f0") (result i32) i32.const 7)
  (func (export "f1") (param i64) (result i64) local.get 0 i64.const 1 i64.add)
  (func (export "f2") (param f64 f32) (result f64) local.get 0 local.get 1 f64.promote_f32 f64.add)
  (func (export "f3") (param i32 i32 i32) (result i32) local.get 0 local.get 1 i32.mul local.get 2 i32.sub)
  (func (export "f5") (param i32 i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 2 i32.add local.get 3 i32.add local.get 4 i32.add)
  (func (export "swap") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
  (func (export "nothing"))
  (func (export "ref") (result funcref) ref.func $f0)
  (func (export "neg") (result i32) i32.const -1))
"""


@pytest.fixture(scope="module")
def module() -> jit.Module:
    return jit.Module(wat(SRC))


def test_typed_calls_of_every_shape(module: jit.Module) -> None:
    e = jit.Instance(module).exports
    assert e.f0() == 7 and e.neg() == -1
    assert e.f1(2**63 - 1) == -(2**63)
    assert e.f2(1.5, 0.25) == 1.75
    assert e.f3(6, 7, 2) == 40
    assert e.f5(1, 2, 3, 4, 5) == 15
    assert e.swap(1, 2) == (2, 1)
    assert e.nothing() is None
    assert e.ref() is e.f0                        # funcref back to the same export object
    assert e.f3.call_raw([6, 7, 2]) == [40] and e.swap.call_raw([1, 2]) == [2, 1]
    with pytest.raises(jit.Error, match="expected 3 argument"):
        e.f3(1, 2)
    with pytest.raises(jit.Error, match="expected an i32"):
        e.f3(1, 2, "x")


def test_result_equal_to_the_entry_sentinel_is_a_result() -> None:
    from jit.native import lib
    magic = lib.WX_RC_MAGIC
    m = jit.Module(wat(f'(module (func (export "k") (result i64) i64.const {magic - 2**64}))'))
    assert jit.Instance(m).exports.k() == magic - 2**64


def test_exports_are_lazy_and_stable(module: jit.Module) -> None:
    inst = jit.Instance(module)
    assert list(inst.exports) == ["mem", "g", "tab", "f0", "f1", "f2", "f3", "f5", "swap", "nothing",
                                  "ref", "neg"]
    assert len(inst.exports) == 12 and "f0" in inst.exports and "zz" not in inst.exports
    assert inst.exports._items == {}              # nothing made before it is asked for
    assert inst.exports.f1 is inst.exports["f1"] is inst.function(1)
    assert inst.exports.g is inst.exports.g
    with pytest.raises(AttributeError):
        getattr(inst.exports, "zz")  # noqa: B009 - the attribute path is what is tested
    with pytest.raises(AttributeError):
        inst.exports.f0 = 1


def test_an_export_keeps_its_instance_alive(module: jit.Module) -> None:
    f0 = jit.Instance(module).exports.f0
    g = jit.Instance(module).exports.g
    gc.collect()
    assert f0() == 7 and g.value == 3
    assert isinstance(f0.instance, jit.Instance) and f0.instance.exports.f0() == 7


def test_instances_are_released_without_the_garbage_collector(module: jit.Module) -> None:
    m = jit.Module(wat(SRC.replace('(table (export "tab") 2 funcref)\n  (elem (i32.const 1) $f0)', "")
                       .replace("(func (export \"ref\") (result funcref) ref.func $f0)", "")))
    gc.collect()
    gc.disable()
    try:
        live = I.live_instances()
        for _ in range(100):
            inst = jit.Instance(m)
            inst.exports.f0()
            inst.exports.g.value = 9
            assert inst.exports.mem.data[8:11] == b"abc"
            del inst
        assert I.live_instances() == live
        assert pool.free_memories() >= 1
    finally:
        gc.enable()


def test_instances_share_nothing(module: jit.Module) -> None:
    a, b = jit.Instance(module), jit.Instance(module)
    a.exports.g.value = 100
    a.exports.mem.data[0] = 1
    assert b.exports.g.value == 3 and b.exports.mem.data[0] == 0
    assert a.vmctx_address != b.vmctx_address


def test_segments_apply_in_order_and_keep_earlier_writes() -> None:
    shared = jit.Memory(1)
    src = """(module (import "env" "mem" (memory 1))
      (data (i32.const 0) "first") (data (i32.const 65534) "too long"))"""
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        jit.Instance(jit.Module(wat(src)), {"env": {"mem": shared}})
    assert bytes(shared.data[:5]) == b"first"


def test_start_function_runs_and_can_trap() -> None:
    ok = jit.Module(wat('(module (global (export "g") (mut i32) (i32.const 0)) '
                        '(func $s i32.const 5 global.set 0) (start $s))'))
    assert jit.Instance(ok).exports.g.value == 5
    bad = jit.Module(wat("(module (func $s unreachable) (start $s))"))
    with pytest.raises(jit.Trap, match="unreachable"):
        jit.Instance(bad)


def test_host_imports_are_linked_per_instance() -> None:
    src = """(module (import "env" "f" (func $f (param i32) (result i32)))
      (func (export "call") (param i32) (result i32) local.get 0 call $f))"""
    m = jit.Module(wat(src))
    seen = []
    a = jit.Instance(m, {"env": {"f": jit.Func(lambda x: seen.append(("a", x)) or x + 1, ["i32"], ["i32"])}})
    b = jit.Instance(m, {"env": {"f": jit.Func(lambda x: seen.append(("b", x)) or x * 2, ["i32"], ["i32"])}})
    assert a.exports.call(10) == 11 and b.exports.call(10) == 20
    assert seen == [("a", 10), ("b", 10)]
    with pytest.raises(jit.LinkError):
        jit.Instance(m, {"env": {"f": jit.Func(lambda: 0, [], ["i32"])}})
