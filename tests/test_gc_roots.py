"""Precise roots and collection of externrefs (docs/gc.md): stack maps, frames, tables, globals,
exception payloads; objects reachable from Wasm are never released, unreachable ones are."""
from __future__ import annotations

import gc as pygc
import threading
import weakref

import pytest

import jit
from jit.abi import stackmaps
from jit.runtime import gc as wgc
from jit.runtime.values import EXTERNREFS
from jit.wat import wat2wasm


class Obj:
    """A Python object with a weakref that records its release."""

    def __init__(self, n: int) -> None:
        self.n = n


class Tracker:
    def __init__(self) -> None:
        self.fired: set[int] = set()

    def make(self, n: int) -> Obj:
        o = Obj(n)
        o.ref = weakref.ref(o, lambda _r, n=n: self.fired.add(n))   # an attribute: no cycle
        return o


def collect_twice() -> None:
    """Handles handed out since the previous collection survive one: two make it final."""
    assert wgc.collect() is not None
    assert wgc.collect() is not None


def module(wat: str, lazy: bool) -> jit.Module:
    return jit.Module(wat, lazy=lazy)


LAZY = pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])

ROOTS_WAT = """(module
 (import "h" "cb" (func $cb))
 (table $t (export "t") 4 externref)
 (global $g (export "g") (mut externref) (ref.null extern))
 (func (export "hold_param") (param $x externref) (result externref)
   (call $cb) (local.get $x))
 (func (export "hold_local") (param $x externref) (result externref) (local $y externref)
   (local.set $y (local.get $x)) (local.set $x (ref.null extern))
   (call $cb) (local.get $y))
 (func (export "hold_stack") (param $x externref) (result externref)
   (local.get $x) (local.set $x (ref.null extern)) (call $cb))
 (func $inner (param $x externref) (result externref)
   (call $cb) (local.get $x))
 (func (export "hold_nested") (param $x externref) (result externref)
   (local.get $x) (local.set $x (ref.null extern)) (call $inner (ref.null extern)) (drop))
 (func (export "put") (param $i i32) (param $x externref) (table.set $t (local.get $i) (local.get $x)))
 (func (export "tget") (param $i i32) (result externref) (table.get $t (local.get $i)))
 (func (export "setg") (param $x externref) (global.set $g (local.get $x)))
 (func (export "getg") (result externref) (global.get $g))
)"""


def test_stack_map_format_round_trip():
    sites = [(40, (2, -3)), (8, (-2,)), (90, (2, -3)), (100, ())]
    table = stackmaps.encode(sites)
    maps = stackmaps.decode(table)
    assert [(m.offset, m.words) for m in maps] == [(8, (-2,)), (40, (2, -3)), (90, (2, -3))]
    assert stackmaps.check(table, 100) and not stackmaps.check(table, 89)
    assert len(table) == 4 * (2 + 3 + 3 + 2 + 3)        # the map (2, -3) is stored once
    assert stackmaps.encode([(4, ())]) == b"" and stackmaps.decode(b"") == []
    assert not stackmaps.check(table[:-4], 100)
    with pytest.raises(ValueError):
        stackmaps.encode([(4, (2,)), (4, (3,))])


def test_compiler_records_reference_words_only():
    from jit.wasm import validate
    from jit.x64.compiler import compile_module
    w = validate(wat2wasm(ROOTS_WAT))
    sites = stackmaps.decode(compile_module(w).stack_maps)
    assert sites, "calls with live externrefs have stack maps"
    assert all(s.words and all(x >= 2 or x <= -2 for x in s.words) for s in sites)
    numbers = validate(wat2wasm("""(module (import "h" "cb" (func $cb))
        (func (param i64) (result i64) (local f64) (call $cb) (local.get 0)))"""))
    assert compile_module(numbers).stack_maps == b""


def test_reference_calls_cost_no_code():
    """A function holding an externref across a call compiles to the same bytes as one holding an
    i64: the stack map is data beside the code."""
    from jit.wasm import validate
    from jit.x64.compiler import compile_module
    src = """(module (import "h" "cb" (func $cb (param T) (result T)))
      (func (export "f") (param $x T) (result T) (local $y T)
        (local.set $y (local.get $x)) (local.get $y) (call $cb (local.get $x)) (drop)))"""
    ext = compile_module(validate(wat2wasm(src.replace("T", "externref"))))
    num = compile_module(validate(wat2wasm(src.replace("T", "i64"))))
    assert ext.code == num.code
    assert ext.stack_maps and not num.stack_maps


@LAZY
@pytest.mark.parametrize("export", ["hold_param", "hold_local", "hold_stack", "hold_nested"])
def test_frame_holds_reference_across_collection(lazy, export):
    tr = Tracker()
    stats = []
    box = [tr.make(2)]       # during the collections its only holder is the Wasm frame
    ref = box[0].ref

    def cb() -> None:
        box.clear()          # Python lets go: the frame is the only holder now
        stats.append(wgc.collect())
        stats.append(wgc.collect())
        stats.append(wgc.collect())

    inst = jit.Instance(module(ROOTS_WAT, lazy), {"h": {"cb": jit.Func(cb)}})
    back = inst.exports[export](box[0])
    assert all(s is not None for s in stats)
    assert back is ref() and back.n == 2 and 2 not in tr.fired
    assert any(s.frames >= 1 and s.words >= 1 for s in stats)
    del back
    collect_twice()
    assert 2 in tr.fired


@LAZY
def test_tables_and_globals_are_roots(lazy):
    tr = Tracker()
    inst = jit.Instance(module(ROOTS_WAT, lazy), {"h": {"cb": jit.Func(lambda: None)}})
    e = inst.exports
    e.put(0, tr.make(0))
    e.setg(tr.make(1))
    e.put(1, tr.make(2))
    for _ in range(3):
        collect_twice()
    assert tr.fired == set()
    assert e.tget(0).n == 0 and e.getg().n == 1 and e.tget(1).n == 2
    e.put(1, None)
    collect_twice()
    assert tr.fired == {2}
    e.setg(None)
    collect_twice()
    assert tr.fired == {1, 2}
    del inst, e
    pygc.collect()
    collect_twice()
    assert tr.fired == {0, 1, 2}


def test_imported_table_and_global_of_python():
    tr = Tracker()
    wat = """(module (import "h" "t" (table 2 externref)) (import "h" "g" (global (mut externref)))
      (func (export "put") (param externref) (table.set 0 (i32.const 1) (local.get 0)))
      (func (export "setg") (param externref) (global.set 0 (local.get 0))))"""
    table = jit.Table("externref", 2)
    glob = jit.Global("externref", None, mutable=True)
    inst = jit.Instance(jit.Module(wat), {"h": {"t": table, "g": glob}})
    inst.exports.put(tr.make(0))
    inst.exports.setg(tr.make(1))
    del inst
    pygc.collect()
    collect_twice()
    assert tr.fired == set()         # the table and the global outlive the instance
    del table, glob
    pygc.collect()
    collect_twice()
    assert tr.fired == {0, 1}


@LAZY
def test_tail_call_frames_keep_references(lazy):
    tr = Tracker()
    box = [tr.make(7)]

    def cb() -> None:
        box.clear()
        collect_twice()

    wat = """(module (import "h" "cb" (func $cb))
      (func $callee (param $a i32) (param $x externref) (result externref) (call $cb) (local.get $x))
      (func (export "f") (param $x externref) (result externref)
        (return_call $callee (i32.const 1) (local.get $x))))"""
    inst = jit.Instance(module(wat, lazy), {"h": {"cb": jit.Func(cb)}})
    out = inst.exports.f(box[0])
    assert out.n == 7 and 7 not in tr.fired
    del out
    collect_twice()
    assert 7 in tr.fired


def test_escaped_exception_payload_is_a_root():
    tr = Tracker()
    wat = """(module (tag $e (param externref))
      (global $keep (mut exnref) (ref.null exn))
      (func (export "catch") (param externref)
        (block $h (result externref exnref)
          (try_table (catch_ref $e $h) (throw $e (local.get 0))) (unreachable))
        (global.set $keep) (drop))
      (func (export "rethrow") (result externref)
        (block $h (result externref)
          (try_table (catch $e $h) (throw_ref (global.get $keep))) (unreachable))))"""
    inst = jit.Instance(jit.Module(wat))
    inst.exports.catch(tr.make(3))
    collect_twice()
    assert 3 not in tr.fired
    assert inst.exports.rethrow().n == 3


def test_collection_waits_for_other_threads_inside_wasm():
    started, release = threading.Event(), threading.Event()
    results = []

    def blocking() -> None:
        started.set()
        release.wait(10)

    wat = """(module (import "h" "b" (func $b)) (func (export "f") (call $b)))"""
    inst = jit.Instance(jit.Module(wat), {"h": {"b": jit.Func(blocking)}})
    t = threading.Thread(target=inst.exports.f)
    t.start()
    assert started.wait(10)
    results.append(wgc.collect())          # another thread is inside Wasm: deferred
    release.set()
    t.join(10)
    assert results == [None]
    assert wgc.collect() is not None


def test_released_handle_is_a_clear_error():
    from jit.runtime.values import EXTERNREFS as refs
    o = Obj(0)
    bits = refs.to_bits(o)
    assert refs.from_bits(bits) is o
    del o
    collect_twice()
    with pytest.raises(jit.Error, match="not a live externref"):
        refs.from_bits(bits)


def test_serialized_module_keeps_stack_maps(tmp_path):
    tr = Tracker()
    box = [tr.make(5)]
    out = []

    def cb() -> None:
        box.clear()
        out.append(wgc.collect())
        out.append(wgc.collect())

    data = jit.Module(ROOTS_WAT, lazy=True).serialize()
    m = jit.Module.deserialize(data)
    inst = jit.Instance(m, {"h": {"cb": jit.Func(cb)}})
    got = inst.exports.hold_stack(box[0])
    assert got.n == 5 and 5 not in tr.fired and None not in out


def test_pressure_triggers_collections():
    before = wgc.stats()["collections"]
    wat = """(module (func (export "id") (param externref) (result externref) (local.get 0)))"""
    f = jit.Instance(jit.Module(wat)).exports.id
    tr = Tracker()
    n = 5 * wgc.MIN_THRESHOLD
    for i in range(n):
        f(tr.make(i))
    assert wgc.stats()["collections"] > before
    assert EXTERNREFS.live < 3 * wgc.MIN_THRESHOLD      # bounded: survivors plus one threshold
    assert len(tr.fired) > n // 2


@LAZY
def test_nested_activations_are_all_walked(lazy):
    """Wasm -> host -> Wasm -> host -> collect: both activations' frames hold a reference."""
    tr = Tracker()
    box = [tr.make(10), tr.make(11)]
    stats = []
    wat = """(module (import "h" "outer" (func $outer)) (import "h" "inner" (func $inner))
      (table $t 1 funcref) (elem (table $t) (i32.const 0) func $via_table)
      (type $v (func (param externref) (result externref)))
      (func $via_table (type $v) (call $inner) (local.get 0))
      (func (export "a") (param externref) (result externref) (local.get 0) (call $outer))
      (func (export "b") (param externref) (result externref)
        (call_indirect (type $v) (local.get 0) (i32.const 0))))"""
    inst = None

    def outer() -> None:
        got = inst.exports.b(box.pop())       # the second object: held by frames of the nested call
        assert got.n == 11 and 11 not in tr.fired

    def inner() -> None:
        box.clear()
        stats.append(wgc.collect())
        stats.append(wgc.collect())

    inst = jit.Instance(module(wat, lazy), {"h": {"outer": jit.Func(outer), "inner": jit.Func(inner)}})
    out = inst.exports.a(box[0])
    assert out.n == 10 and not ({10, 11} & tr.fired)
    assert all(s is not None and s.frames >= 3 for s in stats)
    del out
    collect_twice()
    assert {10, 11} <= tr.fired


def test_call_ref_frames_keep_references():
    tr = Tracker()
    box = [tr.make(20)]

    def cb() -> None:
        box.clear()
        collect_twice()

    wat = """(module (import "h" "cb" (func $cb))
      (type $v (func (param externref) (result externref)))
      (func $callee (type $v) (call $cb) (local.get 0))
      (elem declare func $callee)
      (func (export "f") (param externref) (result externref)
        (local.get 0) (call_ref $v (local.get 0) (ref.func $callee)) (drop)))"""
    inst = jit.Instance(jit.Module(wat), {"h": {"cb": jit.Func(cb)}})
    out = inst.exports.f(box[0])
    assert out.n == 20 and 20 not in tr.fired
    del out
    collect_twice()
    assert 20 in tr.fired


TAKE = """(module
  (table $t 1 externref)
  (func (export "put") (param externref) (table.set $t (i32.const 0) (local.get 0)))
  (func (export "take") (result externref)
    (table.get $t (i32.const 0))
    (table.set $t (i32.const 0) (ref.null extern))))"""


def test_references_crossing_a_call_survive_other_threads_collecting():
    """An argument's handle is in no root between its conversion and the call's entry into Wasm, and
    a result's none between the return and its conversion: another thread collecting all the time
    must free neither (before, put's handle was released within a few hundred rounds)."""
    inst = jit.Instance(jit.Module(wat2wasm(TAKE)))
    stop = threading.Event()

    def collect_all_the_time() -> None:
        while not stop.is_set():
            wgc.collect()
    t = threading.Thread(target=collect_all_the_time)
    t.start()

    class Box:
        pass
    try:
        for _ in range(3000):
            box = Box()
            inst.exports.put(box)
            wgc.collect()                     # ages the handle: only the table holds it now
            assert inst.exports.take() is box
    finally:
        stop.set()
        t.join()
