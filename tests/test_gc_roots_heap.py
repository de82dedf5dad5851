"""The collector and the GC heap (docs/gc.md): heap objects reachable from globals, frames, other
objects and Python handles survive collections run by allocation pressure or ``jit.collect()``;
unreachable ones are freed, and externrefs held only by freed objects are released."""
from __future__ import annotations

import weakref

import jit
from jit.native import lib
from jit.runtime import gc as wgc

WAT = """(module
 (type $node (struct (field $v i64) (field $next (ref null $node)) (field $ext externref)))
 (global $list (mut (ref null $node)) (ref.null $node))
 (func (export "push") (param $v i64) (param $x externref)
   (global.set $list (struct.new $node (local.get $v) (global.get $list) (local.get $x))))
 (func $garbage (export "garbage") (param $n i32)
   (loop $l
     (drop (struct.new $node (i64.const 1) (ref.null $node) (ref.null extern)))
     (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
 (func (export "sum") (result i64) (local $p (ref null $node)) (local $s i64)
   (local.set $p (global.get $list))
   (block $done (loop $l
     (br_if $done (ref.is_null (local.get $p)))
     (local.set $s (i64.add (local.get $s) (struct.get $node $v (local.get $p))))
     (local.set $p (struct.get $node $next (local.get $p)))
     (br $l)))
   (local.get $s))
 (func (export "held_by_frame") (param $v i64) (result i64) (local $p (ref null $node))
   (local.set $p (struct.new $node (local.get $v) (ref.null $node) (ref.null extern)))
   (call $garbage (i32.const 20000))
   (struct.get $node $v (local.get $p)))
 (func (export "make") (param $v i64) (result (ref $node))
   (struct.new $node (local.get $v) (ref.null $node) (ref.null extern)))
 (func (export "value") (param (ref $node)) (result i64) (struct.get $node $v (local.get 0)))
 (func (export "drop_list") (global.set $list (ref.null $node)))
)"""


class Obj:
    pass


def test_pressure_collects_garbage_and_keeps_what_is_reachable():
    inst = jit.Instance(jit.Module(WAT), {}, limits=jit.Limits(max_gc_heap_bytes=64 << 10))
    e = inst.exports
    fired: set[int] = set()
    for i in range(100):
        o = Obj()
        o.ref = weakref.ref(o, lambda _r, i=i: fired.add(i))
        e.push(i, o)
    del o
    before = wgc.stats()["collections"]
    e.garbage(50_000)            # ~2 MB of garbage through a 64 KiB heap: collections free it
    assert wgc.stats()["collections"] > before
    assert e.sum() == sum(range(100)) and not fired
    assert e.held_by_frame(41) == 41      # a local holds its object across collections
    e.drop_list()
    assert wgc.collect() is not None and wgc.collect() is not None
    assert fired == set(range(100))       # externrefs held only by freed objects are released
    assert lib.wx_gc_object_count() < 100


def test_python_handles_keep_objects():
    inst = jit.Instance(jit.Module(WAT), {}, limits=jit.Limits(max_gc_heap_bytes=64 << 10))
    e = inst.exports
    h = e.make(7)
    e.garbage(50_000)
    assert wgc.collect() is not None
    assert e.value(h) == 7
    stats = wgc.collect()
    assert stats is not None and stats.objects >= 1


def test_allocation_pressure_collects_long_before_the_heap_limit():
    """With the default limit (1 GiB) garbage is still collected: the collector runs once the bytes
    allocated since the last sweep pass max(32 MiB, what that sweep kept), so the heap stays small."""
    inst = jit.Instance(jit.Module(WAT), {})
    e = inst.exports
    before = wgc.stats()["collections"]
    for _ in range(8):
        e.garbage(1_000_000)       # 8 x ~56 MB of unreachable nodes
    assert wgc.stats()["collections"] >= before + 4
    assert lib.wx_gc_object_count() < 2_000_000   # at most ~2 trigger's worth alive, not 8 million
