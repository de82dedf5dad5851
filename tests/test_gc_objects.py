"""Wasm GC objects and instructions: layout, accesses, casts, the Python boundary, limits (docs/gc.md)."""
from __future__ import annotations

import pickle

import pytest

import jit
from jit.abi import gclayout as G
from jit.runtime.gcobjects import GcRef, I31Ref, gc_from_bits, held_addresses
from tests.wasm_text import needs_wat2wasm, wat

pytestmark = needs_wat2wasm

STRUCTS = r"""
(module
  (type $pt (struct (field $x (mut i32)) (field $b (mut i8)) (field $h i16) (field $d (mut f64))
                    (field $v v128) (field $r (mut anyref))))
  (type $arr (array (mut i16)))
  (type $varr (array (mut f32)))
  (func (export "make") (param i32 f64) (result (ref $pt))
    (struct.new $pt (local.get 0) (i32.const -1) (i32.const 0x18000) (local.get 1)
                    (v128.const i64x2 7 9) (ref.i31 (i32.const 5))))
  (func (export "x") (param (ref $pt)) (result i32) (struct.get $pt $x (local.get 0)))
  (func (export "b_s") (param (ref $pt)) (result i32) (struct.get_s $pt $b (local.get 0)))
  (func (export "b_u") (param (ref $pt)) (result i32) (struct.get_u $pt $b (local.get 0)))
  (func (export "h_s") (param (ref $pt)) (result i32) (struct.get_s $pt $h (local.get 0)))
  (func (export "d") (param (ref $pt)) (result f64) (struct.get $pt $d (local.get 0)))
  (func (export "v_hi") (param (ref $pt)) (result i64)
    (i64x2.extract_lane 1 (struct.get $pt $v (local.get 0))))
  (func (export "set_x") (param (ref null $pt) i32) (struct.set $pt $x (local.get 0) (local.get 1)))
  (func (export "r") (param (ref $pt)) (result anyref) (struct.get $pt $r (local.get 0)))
  (func (export "arr") (param i32 i32) (result (ref $arr)) (array.new $arr (local.get 0) (local.get 1)))
  (func (export "aget_s") (param (ref null $arr) i32) (result i32)
    (array.get_s $arr (local.get 0) (local.get 1)))
  (func (export "aset") (param (ref $arr) i32 i32) (array.set $arr (local.get 0) (local.get 1) (local.get 2)))
  (func (export "alen") (param arrayref) (result i32) (array.len (local.get 0)))
  (func (export "fsum") (result f32) (local $a (ref $varr))
    (local.set $a (array.new_fixed $varr 3 (f32.const 1.5) (f32.const 2) (f32.const 4)))
    (f32.add (array.get $varr (local.get $a) (i32.const 0))
             (f32.add (array.get $varr (local.get $a) (i32.const 1))
                      (array.get $varr (local.get $a) (i32.const 2)))))
  (func (export "is_pt") (param anyref) (result i32) (ref.test (ref $pt) (local.get 0)))
  (func (export "same") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
  (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "i31_s") (param i31ref) (result i32) (i31.get_s (local.get 0)))
)
"""


@pytest.fixture(scope="module")
def structs():
    return jit.Instance(jit.Module(wat(STRUCTS)), {}).exports


def test_struct_fields_of_every_storage_type(structs) -> None:
    p = structs.make(42, 2.5)
    assert isinstance(p, GcRef) and p.kind == "struct"
    assert structs.x(p) == 42
    assert structs.b_s(p) == -1 and structs.b_u(p) == 255          # packed i8, both extensions
    assert structs.h_s(p) == -32768                                 # 0x18000 wrapped to i16 0x8000
    assert structs.d(p) == 2.5
    assert structs.v_hi(p) == 9
    assert structs.r(p) == I31Ref(5)
    structs.set_x(p, -7)
    assert structs.x(p) == -7


def test_null_and_bounds_traps_have_the_spec_messages(structs) -> None:
    with pytest.raises(jit.Trap, match="null structure reference"):
        structs.set_x(None, 1)
    with pytest.raises(jit.Trap, match="null array reference"):
        structs.aget_s(None, 0)
    a = structs.arr(-2, 3)
    assert len(a) == 3 and structs.alen(a) == 3 and structs.aget_s(a, 2) == -2
    structs.aset(a, 1, 0x12345)
    assert structs.aget_s(a, 1) == 0x2345
    with pytest.raises(jit.Trap, match="out of bounds array access"):
        structs.aget_s(a, 3)
    with pytest.raises(jit.Trap, match="out of bounds array access"):
        structs.aget_s(a, -1)                                       # a huge unsigned index
    assert structs.fsum() == 7.5


def test_handles_casts_identity_and_i31(structs) -> None:
    p, q = structs.make(1, 0.0), structs.make(1, 0.0)
    assert structs.is_pt(p) == 1 and structs.is_pt(structs.arr(0, 1)) == 0
    assert structs.is_pt(I31Ref(3)) == 0 and structs.is_pt(None) == 0
    assert structs.same(p, p) == 1 and structs.same(p, q) == 0
    assert p == p and p != q and hash(p) == hash(gc_from_bits(p._address))
    assert structs.i31(-1) == I31Ref(0x7FFFFFFF) and structs.i31_s(I31Ref(0x7FFFFFFF)) == -1
    assert structs.same(I31Ref(9), structs.i31(9)) == 1
    assert p._address in held_addresses()                           # a root while Python holds it
    with pytest.raises(jit.Error, match="comes only from Wasm"):     # never one read from a made-up address
        GcRef(p._address + 8)
    with pytest.raises(jit.Error, match="cannot leave its process"):
        pickle.dumps(p)


def test_object_header_is_the_documented_layout(structs) -> None:
    from jit.native import ffi
    a = structs.arr(5, 4)
    obj = ffi.cast("wx_gc_object *", a._address)
    assert obj.length == 4 and obj.desc.kind == G.KIND_ARRAY and obj.desc.size == 2
    assert a._address % 8 == 0
    assert G.struct_layout([0x78, 0x7F, 0x77, 0x7E]) == ([0, 4, 8, 16], 24)


def test_heap_limit_traps_cleanly() -> None:
    m = jit.Module(wat("""(module (type $a (array i8))
        (func (export "alloc") (param i32) (result (ref $a)) (array.new_default $a (local.get 0))))"""))
    inst = jit.Instance(m, {}, limits=jit.Limits(max_gc_heap_bytes=4096))
    kept = [inst.exports.alloc(1000) for _ in range(3)]
    with pytest.raises(jit.Trap, match="GC heap exhausted"):
        inst.exports.alloc(2000)
    assert len(kept[0]) == 1000
    with pytest.raises(jit.Trap, match="GC heap exhausted"):
        jit.Instance(m, {}, limits=jit.Limits(max_gc_heap_bytes=16)).exports.alloc(0)


def test_casts_across_modules_and_non_final_call_indirect() -> None:
    types = "(rec (type $s (sub (struct (field i32)))) (type $t (sub $s (struct (field i32 i64)))))"
    a = jit.Instance(jit.Module(wat(f"""(module {types}
        (func (export "mk") (result anyref) (struct.new $t (i32.const 1) (i64.const 2))))""")), {})
    b = jit.Instance(jit.Module(wat(f"""(module {types}
        (func (export "is_s") (param anyref) (result i32) (ref.test (ref $s) (local.get 0)))
        (func (export "get0") (param anyref) (result i32) (struct.get $s 0 (ref.cast (ref $s) (local.get 0))))
        (func (export "bad") (param anyref) (result i32) (struct.get $t 0 (ref.cast (ref $t) (local.get 0))))
        (func (export "mk_s") (result anyref) (struct.new $s (i32.const 3))))""")), {})
    t_obj = a.exports.mk()
    assert b.exports.is_s(t_obj) == 1 and b.exports.get0(t_obj) == 1
    assert b.exports.bad(t_obj) == 1
    with pytest.raises(jit.Trap, match="cast failure"):
        b.exports.bad(b.exports.mk_s())
    calls = jit.Instance(jit.Module(wat("""(module
        (type $f (sub (func (result i32)))) (type $g (sub $f (func (result i32))))
        (type $h (func (result i32)))
        (table 2 funcref) (elem (i32.const 0) $one $two)
        (func $one (type $g) (i32.const 1)) (func $two (type $h) (i32.const 2))
        (func (export "call") (param i32) (result i32) (call_indirect (type $f) (local.get 0))))""")), {})
    assert calls.exports.call(0) == 1            # $g <: $f: no trap
    with pytest.raises(jit.Trap, match="indirect call type mismatch"):
        calls.exports.call(1)


def test_constant_expressions_allocate() -> None:
    inst = jit.Instance(jit.Module(wat("""(module (type $p (struct (field i32) (field i64)))
        (type $a (array i32))
        (global $g (ref $p) (struct.new $p (i32.const 7) (i64.const 8)))
        (global $h (ref $a) (array.new_fixed $a 2 (i32.const 4) (i32.add (i32.const 1) (i32.const 2))))
        (global $i i31ref (ref.i31 (i32.const -3)))
        (table $t 2 anyref (ref.i31 (i32.const 11)))
        (func (export "f") (result i32) (struct.get $p 0 (global.get $g)))
        (func (export "h") (result i32) (array.get $a (global.get $h) (i32.const 1)))
        (func (export "i") (result i32) (i31.get_s (global.get $i)))
        (func (export "t") (result i32) (i31.get_u (ref.cast i31ref (table.get $t (i32.const 1))))))""")), {})
    e = inst.exports
    assert e.f() == 7 and e.h() == 3 and e.i() == -3 and e.t() == 11


def test_handles_are_type_checked_at_the_boundary(structs) -> None:
    p = structs.make(1, 0.0)
    a = structs.arr(0, 2)
    with pytest.raises(jit.Error, match="argument 0 is a GC array"):
        structs.x(a)
    with pytest.raises(jit.Error, match="argument 0 is null"):
        structs.x(None)
    with pytest.raises(jit.Error, match="argument 0 is an i31"):
        structs.alen(I31Ref(1))
    with pytest.raises(jit.Error, match="host object"):
        structs.same(object(), None)
    assert structs.is_pt(p) == 1 and structs.same(I31Ref(1), None) == 0


LIST = """(module
  (type $cell (struct (field $v i32) (field $next (ref null $cell))))
  (global $keep (mut (ref null $cell)) (ref.null $cell))
  (func $build (param $n i32) (result (ref null $cell)) (local $l (ref null $cell))
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $l (struct.new $cell (local.get $n) (local.get $l)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))
    (local.get $l))
  (func $sum (param $l (ref null $cell)) (result i32) (local $s i32)
    (block $done (loop $again
      (br_if $done (ref.is_null (local.get $l)))
      (local.set $s (i32.add (local.get $s) (struct.get $cell $v (local.get $l))))
      (local.set $l (struct.get $cell $next (local.get $l)))
      (br $again)))
    (local.get $s))
  (func (export "garbage") (param $n i32) (result i32) (call $sum (call $build (local.get $n))))
  (func (export "keep") (param $n i32) (global.set $keep (call $build (local.get $n))))
  (func (export "kept") (result i32) (call $sum (global.get $keep)))
  (func (export "list") (param $n i32) (result (ref null $cell)) (call $build (local.get $n)))
  (func (export "sum") (param (ref null $cell)) (result i32) (call $sum (local.get 0))))"""


def test_collection_frees_unreachable_objects_and_keeps_roots() -> None:
    from jit.native import lib
    from jit.runtime import gc as collector
    inst = jit.Instance(jit.Module(wat(LIST)), {})
    e = inst.exports
    e.keep(100)
    held = e.list(50)
    assert e.garbage(1000) == 500500
    before = lib.wx_gc_object_count()
    assert collector.collect() is not None
    after = lib.wx_gc_object_count()
    assert before - after >= 1000                      # the garbage list is gone
    assert e.kept() == 5050 and e.sum(held) == 1275    # the global's list and the handle's stay
    del held
    assert collector.collect() is not None
    assert lib.wx_gc_object_count() <= after - 50
    assert e.kept() == 5050


def test_allocation_pressure_collects_instead_of_trapping() -> None:
    # each garbage(1000) call makes 1000 cells of 48 bytes: 20 calls need ~1 MB, the limit is 256 KiB
    inst = jit.Instance(jit.Module(wat(LIST)), {}, limits=jit.Limits(max_gc_heap_bytes=256 * 1024))
    inst.exports.keep(10)
    for _ in range(20):
        assert inst.exports.garbage(1000) == 500500
    assert inst.exports.kept() == 55
    with pytest.raises(jit.Trap, match="GC heap exhausted"):
        inst.exports.keep(10_000)                      # live data past the limit still traps
