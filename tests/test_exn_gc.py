"""Exceptions caught by reference are collected (docs/exceptions.md, docs/gc.md): an escaped exception
stays alive while a root reaches it (a Wasm frame, a global, a table, a struct field, an array element,
the payload of another live exception, an exception in flight, an ``ExnRef`` Python holds), with
everything its payload references (an externref, a GC object), and can still be rethrown with its
payload intact; once nothing reaches it a collection frees it, releases what only it kept, and lets
go of its tag when the tag is gone. The same module runs in wasmtime for the results that do not
depend on collections."""
from __future__ import annotations

import gc as pygc
import threading
import weakref

import pytest

import jit
from jit.runtime import exceptions as X
from jit.runtime import gc as wgc
from jit.runtime.exceptions import retained_exceptions
from jit.runtime.values import ExnRef, _exnref_from_bits, held_exnrefs

WAT = """(module
 (import "h" "collect" (func $collect))
 (type $box (struct (field (mut exnref))))
 (type $arr (array (mut exnref)))
 (tag $e (export "e") (param i32 externref))
 (tag $w (export "w") (param exnref))
 (tag $b (export "b") (param (ref null $box)))
 (global $g (mut exnref) (ref.null exn))
 (table $t 4 exnref)
 (global $s (mut (ref null $box)) (ref.null $box))
 (global $a (mut (ref null $arr)) (ref.null $arr))
 (global $wrapped (mut exnref) (ref.null exn))
 (global $boxed (mut exnref) (ref.null exn))

 (func $make (export "make") (param $i i32) (param $x externref) (result exnref)
   (block $h (result exnref)
     (try_table (catch_all_ref $h) (throw $e (local.get $i) (local.get $x)))
     (unreachable)))

 ;; rethrow an exnref and catch it as $e: its payload
 (func $open (export "open") (param $r exnref) (result i32 externref)
   (block $c (result i32 externref)
     (try_table (catch $e $c) (throw_ref (local.get $r)))
     (unreachable)))

 (func (export "to_global") (param i32 externref) (global.set $g (call $make (local.get 0) (local.get 1))))
 (func (export "from_global") (result i32 externref) (call $open (global.get $g)))
 (func (export "clear_global") (global.set $g (ref.null exn)))

 (func (export "to_table") (param $k i32) (param i32 externref)
   (table.set $t (local.get $k) (call $make (local.get 1) (local.get 2))))
 (func (export "from_table") (param $k i32) (result i32 externref) (call $open (table.get $t (local.get $k))))
 (func (export "clear_table") (param $k i32) (table.set $t (local.get $k) (ref.null exn)))

 (func (export "to_struct") (param i32 externref)
   (global.set $s (struct.new $box (call $make (local.get 0) (local.get 1)))))
 (func (export "from_struct") (result i32 externref) (call $open (struct.get $box 0 (global.get $s))))
 (func (export "clear_struct") (global.set $s (ref.null $box)))

 (func (export "to_array") (param i32 externref)
   (global.set $a (array.new $arr (call $make (local.get 0) (local.get 1)) (i32.const 3))))
 (func (export "from_array") (param $k i32) (result i32 externref)
   (call $open (array.get $arr (global.get $a) (local.get $k))))
 (func (export "clear_array") (global.set $a (ref.null $arr)))

 ;; an exception whose payload is another exception
 (func (export "to_payload") (param i32 externref)
   (global.set $wrapped
     (block $h (result exnref)
       (try_table (catch_all_ref $h) (throw $w (call $make (local.get 0) (local.get 1))))
       (unreachable))))
 (func $unwrap (export "unwrap") (param $r exnref) (result exnref)
   (block $c (result exnref)
     (try_table (catch $w $c) (throw_ref (local.get $r)))
     (unreachable)))
 (func (export "from_payload") (result i32 externref) (call $open (call $unwrap (global.get $wrapped))))
 (func (export "clear_payload") (global.set $wrapped (ref.null exn)))

 ;; exception -> struct -> exception -> externref
 (func (export "to_boxed") (param i32 externref)
   (global.set $boxed
     (block $h (result exnref)
       (try_table (catch_all_ref $h)
         (throw $b (struct.new $box (call $make (local.get 0) (local.get 1)))))
       (unreachable))))
 (func (export "from_boxed") (result i32 externref)
   (call $open
     (struct.get $box 0
       (block $c (result (ref null $box))
         (try_table (catch $b $c) (throw_ref (global.get $boxed)))
         (unreachable)))))
 (func (export "clear_boxed") (global.set $boxed (ref.null exn)))

 ;; only a Wasm frame holds the exception (a local, then an operand-stack slot) across collections
 (func (export "in_frame") (param $i i32) (param $x externref) (result i32 externref)
   (local $r exnref)
   (local.set $r (call $make (local.get $i) (local.get $x)))
   (call $collect)
   (call $make (i32.add (local.get $i) (i32.const 1)) (local.get $x))
   (call $collect)
   (drop)
   (call $open (local.get $r)))

 ;; uncaught: $w leaves the call with its payload exception
 (func (export "throw_wrapped") (param i32 externref)
   (throw $w (call $make (local.get 0) (local.get 1))))

 ;; C++-style cleanups: catch_all_ref + throw_ref, n times
 (func $inner (param i32 externref) (throw $e (local.get 0) (local.get 1)))
 (func $cleanup (param i32 externref)
   (block $h (result exnref)
     (try_table (catch_all_ref $h) (call $inner (local.get 0) (local.get 1)))
     (return))
   (throw_ref))
 (func (export "cleanups") (param $n i32) (param $x externref) (result i32)
   (local $i i32) (local $sum i32)
   (loop $l
     (block $c (result i32 externref)
       (try_table (catch $e $c) (call $cleanup (local.get $i) (local.get $x)))
       (unreachable))
     (drop)
     (local.set $sum (i32.add (local.get $sum)))
     (local.set $i (i32.add (local.get $i) (i32.const 1)))
     (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
   (local.get $sum)))
"""

ROOT_KINDS = {
    # kind: (store, load, clear), each a function of the exports
    "global": (lambda e, i, x: e.to_global(i, x), lambda e: e.from_global(), lambda e: e.clear_global()),
    "table": (lambda e, i, x: e.to_table(2, i, x), lambda e: e.from_table(2), lambda e: e.clear_table(2)),
    "struct": (lambda e, i, x: e.to_struct(i, x), lambda e: e.from_struct(), lambda e: e.clear_struct()),
    "array": (lambda e, i, x: e.to_array(i, x), lambda e: e.from_array(1), lambda e: e.clear_array()),
    "payload": (lambda e, i, x: e.to_payload(i, x), lambda e: e.from_payload(), lambda e: e.clear_payload()),
    "payload_struct": (lambda e, i, x: e.to_boxed(i, x), lambda e: e.from_boxed(), lambda e: e.clear_boxed()),
}


class Sentinel:
    """A host object passed as the externref of a payload: its weakref says when it is released."""

    __slots__ = ("n", "__weakref__")

    def __init__(self, n: int) -> None:
        self.n = n


def collect_twice() -> None:
    # twice: a handle Python handed out survives one collection (docs/gc.md)
    assert wgc.collect() is not None
    assert wgc.collect() is not None


def settle() -> None:
    """Before counting: cyclic garbage of earlier tests (which may hold ExnRefs) is gone, and so
    are the exceptions only it kept."""
    pygc.collect()
    collect_twice()


@pytest.fixture
def inst() -> jit.Instance:
    return jit.Instance(jit.Module(WAT), {"h": {"collect": jit.Func(collect_twice, [])}})


@pytest.mark.parametrize("kind", sorted(ROOT_KINDS))
def test_stored_exception_survives_collections_and_is_freed_once_unreachable(inst, kind: str) -> None:
    store, load, clear = ROOT_KINDS[kind]
    e = inst.exports
    settle()
    base = retained_exceptions()
    s = Sentinel(7)
    fired: list[int] = []
    w = weakref.ref(s, lambda _r: fired.append(1))
    store(e, 1234, s)
    del s
    kept = retained_exceptions() - base
    assert kept >= 1                                   # caught by reference: an escaped exception
    for _ in range(3):
        collect_twice()
        assert retained_exceptions() - base == kept, "a reachable exception was freed"
        assert not fired, "the externref in a reachable exception's payload was released"
    n, x = load(e)
    assert n == 1234 and x is w() and x.n == 7         # rethrown with its payload intact
    del x
    clear(e)
    collect_twice()
    pygc.collect()
    assert retained_exceptions() == base, "an unreachable exception was not freed"
    assert fired == [1], "the externref only an unreachable exception held was not released"


def test_a_wasm_frame_keeps_its_exception_across_collections(inst) -> None:
    s = Sentinel(3)
    base_freed = wgc.stats()["exceptions_freed"]
    n, x = inst.exports.in_frame(55, s)
    assert n == 55 and x is s
    # the operand-stack one dropped before the second collection... and the local's after the call
    collect_twice()
    assert wgc.stats()["exceptions_freed"] - base_freed >= 2


def test_python_held_exnref_survives_and_can_be_rethrown(inst) -> None:
    e = inst.exports
    s = Sentinel(9)
    fired: list[int] = []
    w = weakref.ref(s, lambda _r: fired.append(1))
    ref = e.make(99, s)
    del s
    assert isinstance(ref, ExnRef) and ref.address in held_exnrefs()
    collect_twice()
    collect_twice()
    assert not fired
    n, x = e.open(ref)
    assert n == 99 and x is w()
    del x
    settle()
    base = retained_exceptions()
    address = ref.address
    del ref
    assert address not in held_exnrefs()
    collect_twice()
    pygc.collect()
    assert retained_exceptions() == base - 1 and fired == [1]


def test_uncaught_exception_payload_exnref_stays_alive_through_python(inst) -> None:
    e = inst.exports
    s = Sentinel(5)
    with pytest.raises(jit.WasmException) as info:
        e.throw_wrapped(77, s)
    exc = info.value
    assert exc.tag == e.w
    (inner,) = exc.payload
    del info
    assert isinstance(inner, ExnRef)
    collect_twice()
    collect_twice()
    n, x = e.open(inner)
    assert n == 77 and x is s


def test_host_thrown_exception_payload_stays_alive(inst) -> None:
    """A host function raises a WasmException whose payload is an exnref (only the exception object
    in flight holds it once the ExnRef is gone); Wasm catches it and opens the inner exception."""
    wat = """(module
      (import "h" "w" (tag $w (param exnref)))
      (import "h" "raise" (func $raise (param i32 externref)))
      (import "m" "open" (func $open (param exnref) (result i32 externref)))
      (func (export "go") (param i32 externref) (result i32 externref)
        (block $c (result exnref)
          (try_table (catch $w $c) (call $raise (local.get 0) (local.get 1)))
          (unreachable))
        (call $open)))"""
    e = inst.exports

    def raise_(i: int, x: object) -> None:
        ref = e.make(i, x)
        exc = jit.WasmException(e.w, (ref,))
        del ref
        raise exc

    other = jit.Instance(jit.Module(wat), {"h": {"w": e.w, "raise": jit.Func(raise_, ["i32", "externref"])},
                                           "m": {"open": e.open}})
    s = Sentinel(1)
    n, x = other.exports.go(31, s)
    assert n == 31 and x is s


def test_dead_tags_are_let_go_of_with_their_last_exception() -> None:
    def collect_nothing() -> None:
        pass

    inst = jit.Instance(jit.Module(WAT), {"h": {"collect": jit.Func(collect_nothing, [])}})
    inst.exports.to_global(1, None)
    address = inst.exports.e.address
    del inst
    pygc.collect()
    collect_twice()
    # the instance is gone, so is its global: the exception is freed and the tag's cell with it
    assert address not in X._retained


def test_cleanups_are_collected_under_pressure(inst) -> None:
    """C++-style cleanups (catch_all_ref + throw_ref) in a loop: the pressure trigger collects
    without jit.collect(), at throw sites, and every rethrown payload is intact (the sum)."""
    before = wgc.stats()
    s = Sentinel(0)
    n = 600_000                    # > 32 MiB of escaped exceptions: at least one trigger
    want = (n * (n - 1) // 2) & 0xFFFFFFFF
    assert inst.exports.cleanups(n, s) == want - (1 << 32 if want >= 1 << 31 else 0)
    after = wgc.stats()
    assert after["exceptions_freed"] > before["exceptions_freed"]
    assert after["collections"] > before["collections"]
    assert retained_exceptions() < n


def test_threads_collect_while_another_holds_an_uncaught_exception() -> None:
    """The exception that left one thread's entry is a root of a collection another thread runs
    (the payloads carry no new externref: a handle converted by a thread that another thread's two
    collections overtake before it enters Wasm is the limitation docs/gc.md states)."""
    inst = jit.Instance(jit.Module(WAT), {"h": {"collect": jit.Func(lambda: None, [])}})
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for i in range(500):
                try:
                    inst.exports.throw_wrapped(i, None)
                except jit.WasmException as exc:
                    assert inst.exports.open(exc.payload[0]) == (i, None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive():
        wgc.collect()
    t.join()
    assert not errors, errors


def _wasmtime_results() -> dict[str, object]:
    wt = pytest.importorskip("wasmtime", reason="the wasmtime package is the reference engine")
    from jit.wat import wat2wasm
    config = wt.Config()
    config.wasm_exceptions = True
    config.wasm_gc = True
    config.wasm_function_references = True
    engine = wt.Engine(config)
    store = wt.Store(engine)
    collect = wt.Func(store, wt.FuncType([], []), lambda: None)
    module = wt.Module(engine, wat2wasm(WAT))
    exports = wt.Instance(store, module, [collect]).exports(store)
    out: dict[str, object] = {}
    for kind, (store_fn, load_fn, _clear) in sorted(ROOT_KINDS.items()):
        class E:                       # the exports as attributes, called with the store
            def __getattr__(self, name: str):
                return lambda *a: exports[name](store, *a)
        store_fn(E(), 4321, None)
        out[kind] = load_fn(E())[0]
    out["cleanups"] = exports["cleanups"](store, 1000, None)
    out["in_frame"] = exports["in_frame"](store, 8, None)[0]
    return out


def test_results_match_wasmtime() -> None:
    theirs = _wasmtime_results()
    inst = jit.Instance(jit.Module(WAT), {"h": {"collect": jit.Func(collect_twice, [])}})
    e = inst.exports
    ours: dict[str, object] = {}
    for kind, (store, load, _clear) in sorted(ROOT_KINDS.items()):
        store(e, 4321, None)
        collect_twice()
        ours[kind] = load(e)[0]
    ours["cleanups"] = e.cleanups(1000, None)
    ours["in_frame"] = e.in_frame(8, None)[0]
    assert ours == theirs


def test_python_made_global_and_table_keep_exceptions_alive(inst) -> None:
    """A ``jit.Global``/``jit.Table`` of exnref made by Python, imported and written by Wasm, is a root."""
    wat = """(module
      (import "p" "g" (global $g (mut exnref)))
      (import "p" "t" (table $t 2 exnref))
      (import "m" "make" (func $make (param i32 externref) (result exnref)))
      (func (export "store") (param i32 externref)
        (global.set $g (call $make (local.get 0) (local.get 1)))
        (table.set $t (i32.const 1) (call $make (i32.add (local.get 0) (i32.const 1)) (local.get 1)))))"""
    e = inst.exports
    g = jit.Global("exnref", None, mutable=True)
    t = jit.Table("exnref", 2)
    user = jit.Instance(jit.Module(wat), {"p": {"g": g, "t": t}, "m": {"make": e.make}})
    s = Sentinel(2)
    fired: list[int] = []
    w = weakref.ref(s, lambda _r: fired.append(1))
    user.exports.store(40, s)
    del user, s
    pygc.collect()
    collect_twice()
    collect_twice()
    assert not fired
    assert e.open(g.value) == (40, w())
    assert e.open(_exnref_from_bits(int(t._t.elements[1]))) == (41, w())     # (a Table has no element API)
    g.value = None
    collect_twice()
    assert not fired                                  # the table's exception still holds it
    t._set_bits(1, 0)
    collect_twice()
    pygc.collect()
    assert fired == [1]


def test_an_exnref_cannot_be_made_from_an_address() -> None:
    """Only the runtime makes ExnRefs: one made up from an address would reach throw_ref's unwinder."""
    with pytest.raises(jit.Error, match="comes only from Wasm"):
        ExnRef(0x10)
    assert not held_exnrefs() or 0x10 not in held_exnrefs()


def test_a_held_address_that_is_no_exception_is_never_read_by_the_collector() -> None:
    """The collector reads only held addresses that are retained exceptions (it looks them up in its
    own list), so even a handle the runtime minted wrongly cannot make it read foreign memory."""
    forged = _exnref_from_bits(0x10)
    collect_twice()
    del forged
