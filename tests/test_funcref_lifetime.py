"""A funcref keeps its instance alive wherever it can be stored: an instance dropped by Python must not
be freed (its vmctx reused by another instance) while another instance, a table or a global may still
call it. Before, the calls below ran another instance's function (or trapped on a type mismatch)."""
from __future__ import annotations

import gc
import weakref

import jit

STORE = """(module
  (type $t (func (result i32)))
  (table $tb 1 funcref)
  (global $g (export "g") (mut funcref) (ref.null func))
  (func (export "store") (param funcref) (table.set $tb (i32.const 0) (local.get 0)))
  (func (export "callit") (result i32) (call_indirect (type $t) (i32.const 0)))
  (func (export "call_global") (result i32)
    (table.set $tb (i32.const 0) (global.get $g))
    (call_indirect (type $t) (i32.const 0))))"""

ANSWER = """(module (func $f (export "f") (result i32) (i32.const 42)))"""

CALLER = """(module
  (import "b" "store" (func $store (param funcref)))
  (import "b" "g" (global $g (mut funcref)))
  (func $f (result i32) (i32.const 42))
  (elem declare func $f)
  (func (export "store") (call $store (ref.func $f)))
  (func (export "set_global") (global.set $g (ref.func $f))))"""

NO_REFS = """(module
  (import "b" "callit" (func $callit (result i32)))
  (func (export "go") (result i32) (call $callit)))"""

# Same signature as the stored functions, returning something else: what a freed instance's reused
# vmctx ran instead before.
DECOY = """(module (memory 1) (func (export "x") (result i32) (i32.const 7)))"""


def _churn(decoy: jit.Module) -> list[jit.Instance]:
    gc.collect()
    return [jit.Instance(decoy) for _ in range(20)]


def test_a_function_passed_from_python_lives_as_long_as_the_callee() -> None:
    store, answer, decoy = jit.Module(STORE), jit.Module(ANSWER), jit.Module(DECOY)
    b = jit.Instance(store)
    for _ in range(5):
        a = jit.Instance(answer)
        b.exports.store(a.exports.f)
        alive = weakref.ref(a._state)
        del a
        held = _churn(decoy)
        assert alive() is not None
        assert b.exports.callit() == 42
        del held
    del b
    gc.collect()
    assert alive() is None                      # and no longer than that


def test_a_function_passed_by_wasm_through_an_import_lives_as_long_as_the_callee() -> None:
    store, caller, decoy = jit.Module(STORE), jit.Module(CALLER), jit.Module(DECOY)
    b = jit.Instance(store)
    for _ in range(5):
        a = jit.Instance(caller, {"b": {"store": b.exports.store, "g": b.exports.g}})
        a.exports.store()
        alive = weakref.ref(a._state)
        del a
        held = _churn(decoy)
        assert alive() is not None
        assert b.exports.callit() == 42
        del held
    del b, caller        # (the caller's module caches its last imports: b's exports)
    gc.collect()
    assert alive() is None


def test_a_function_stored_in_an_imported_global_lives_as_long_as_the_global() -> None:
    store, caller, decoy = jit.Module(STORE), jit.Module(CALLER), jit.Module(DECOY)
    b = jit.Instance(store)
    a = jit.Instance(caller, {"b": {"store": b.exports.store, "g": b.exports.g}})
    a.exports.set_global()
    alive = weakref.ref(a._state)
    del a
    held = _churn(decoy)
    assert alive() is not None and b.exports.call_global() == 42
    del held


def test_a_python_global_set_to_a_function_keeps_its_instance() -> None:
    answer = jit.Module(ANSWER)
    g = jit.Global("funcref", None, mutable=True)
    a = jit.Instance(answer)
    g.value = a.exports.f
    alive = weakref.ref(a._state)
    del a
    gc.collect()
    assert alive() is not None and g.value() == 42
    g.value = None
    del g
    gc.collect()
    assert alive() is None


def test_an_import_that_cannot_carry_references_does_not_keep_the_importer() -> None:
    """Fresh instances that call a long-lived one without passing references are freed as before."""
    store, no_refs, answer = jit.Module(STORE), jit.Module(NO_REFS), jit.Module(ANSWER)
    b = jit.Instance(store)
    b.exports.store(jit.Instance(answer).exports.f)
    a = jit.Instance(no_refs, {"b": {"callit": b.exports.callit}})
    assert a.exports.go() == 42
    alive = weakref.ref(a._state)
    del a
    gc.collect()
    assert alive() is None and b.exports.callit() == 42


def test_a_function_a_host_function_returns_lives_as_long_as_the_host_function() -> None:
    answer, decoy = jit.Module(ANSWER), jit.Module(DECOY)
    importer = jit.Module("""(module
      (type $t (func (result i32)))
      (import "h" "give" (func $give (result funcref)))
      (table $tb 1 funcref)
      (func (export "take") (table.set $tb (i32.const 0) (call $give)))
      (func (export "callit") (result i32) (call_indirect (type $t) (i32.const 0))))""")
    a = jit.Instance(answer)
    given = [a.exports.f]
    give = jit.Func(lambda: given[0], results=["funcref"])
    b = jit.Instance(importer, {"h": {"give": give}})
    b.exports.take()
    alive = weakref.ref(a._state)
    del a
    given.clear()                       # the host function lets go of its own reference
    held = _churn(decoy)
    assert alive() is not None and b.exports.callit() == 42
    del held


def test_a_function_in_a_host_thrown_payload_lives_as_long_as_the_host_function() -> None:
    answer, decoy = jit.Module(ANSWER), jit.Module(DECOY)
    tag = jit.Tag(["funcref"])
    importer = jit.Module("""(module
      (type $t (func (result i32)))
      (import "h" "tag" (tag $e (param funcref)))
      (import "h" "raise" (func $raise))
      (table $tb 1 funcref)
      (func (export "take") (local $f funcref)
        (local.set $f (block $caught (result funcref)
          (try_table (catch $e $caught) (call $raise))
          (ref.null func)))
        (table.set $tb (i32.const 0) (local.get $f)))
      (func (export "callit") (result i32) (call_indirect (type $t) (i32.const 0))))""")
    a = jit.Instance(answer)
    given = [a.exports.f]

    def raise_it() -> None:
        raise jit.WasmException(tag, (given[0],))
    b = jit.Instance(importer, {"h": {"tag": tag, "raise": jit.Func(raise_it)}})
    b.exports.take()
    alive = weakref.ref(a._state)
    del a
    given.clear()
    held = _churn(decoy)
    assert alive() is not None and b.exports.callit() == 42
    del held
