"""Exception handling (the exnref proposal): throw, throw_ref, try_table across frames, instances and
host functions; payloads of every value type; the unwinder keeping pinned locals and callee-saved
registers; traps, fuel and deep stacks around handlers; W^X; the front end's rules (docs/exceptions.md)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import jit
from jit.runtime.exceptions import retained_exceptions
from jit.runtime.values import ExnRef
from jit.wasm import validate
from jit.wat import wat2wasm

MAIN = r"""
(module
  (import "host" "cb" (func $cb (param i32) (result i32)))
  (import "host" "htag" (tag $htag (param i32)))
  (tag $e (export "e") (param i32))
  (tag $empty (export "empty"))
  (tag $multi (export "multi") (param i32 i64 f32 f64 v128 externref funcref))
  (elem declare func $dummy)
  (func $dummy (export "dummy"))

  ;; n frames deep, then throw $e 4242; each frame adds 1 on the way back (never, when it throws)
  (func $down (export "down") (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (throw $e (i32.const 4242))))
    (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))

  (func (export "catch_deep") (param $n i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $down (local.get $n)))
      (return))
    (i32.add (i32.const 1)))

  ;; intermediate frames with hot locals (pinned to callee-saved registers), clobbered before the throw
  (func $busy (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $i i32)
    (loop $l
      (local.set $a (i32.add (local.get $a) (local.get $i)))
      (local.set $b (i32.xor (local.get $b) (local.get $a)))
      (local.set $c (i32.add (local.get $c) (local.get $b)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (if (i32.eqz (local.get $n)) (then (throw $e (local.get $c))))
    (i32.add (call $busy (i32.sub (local.get $n) (i32.const 1))) (local.get $a)))

  (func $keeps_locals (export "keeps_locals") (param $n i32) (result i32)
    (local $x i32) (local $y i32) (local $z i32) (local $i i32) (local $f f64)
    (loop $l
      (local.set $x (i32.add (local.get $x) (i32.const 3)))
      (local.set $y (i32.add (local.get $y) (i32.const 5)))
      (local.set $z (i32.add (local.get $z) (i32.const 7)))
      (local.set $f (f64.add (local.get $f) (f64.const 0.5)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $busy (local.get $n)))
      (return))
    (drop)
    (i32.add (i32.add (local.get $x) (local.get $y))
             (i32.add (local.get $z) (i32.trunc_f64_s (local.get $f)))))

  (func (export "outer_keeps") (param $n i32) (result i32)
    (local $p i32) (local $q i32) (local $r i32) (local $i i32)
    (loop $l
      (local.set $p (i32.add (local.get $p) (i32.const 11)))
      (local.set $q (i32.add (local.get $q) (i32.const 13)))
      (local.set $r (i32.add (local.get $r) (i32.const 17)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (i32.add (call $keeps_locals (local.get $n))
             (i32.add (local.get $p) (i32.add (local.get $q) (local.get $r)))))

  ;; catch_ref, then throw_ref to an outer handler
  (func (export "rethrow") (param $n i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $h (result i32 exnref)
          (try_table (result i32) (catch_ref $e $h) (call $down (local.get $n)))
          (return))
        (throw_ref))
      (return))
    (i32.add (i32.const 1000)))

  (func (export "catch_all") (param $n i32) (result i32)
    (block $h
      (try_table (catch_all $h) (drop (call $down (local.get $n))))
      (return (i32.const 0)))
    (i32.const 1))

  (func (export "catch_all_ref") (param $n i32) (result i32)
    (block $o (result i32)
      (try_table (result i32) (catch $e $o)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (drop (call $down (local.get $n))))
          (return (i32.const -1)))
        (throw_ref))
      (return))
    (i32.add (i32.const 2000)))

  (func (export "get_exnref") (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (drop (call $down (i32.const 3))))
      (ref.null exn)))
  (func (export "throw_exnref") (param exnref) (throw_ref (local.get 0)))
  (func (export "throw_null") (throw_ref (ref.null exn)))

  ;; host functions: cb throws the host tag (or calls back into Wasm, which throws $e)
  (func (export "host_throws") (param $n i32) (result i32)
    (block $he (result i32)
      (block $hh (result i32)
        (try_table (result i32) (catch $htag $hh) (catch $e $he)
          (call $cb (local.get $n)))
        (return))
      (return (i32.add (i32.const 1000))))
    (i32.add (i32.const 2000)))

  (func $throw_multi (export "throw_multi") (param i32 i64 f32 f64 v128 externref)
    (throw $multi (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5)
                  (ref.func $dummy)))
  (func (export "catch_multi") (param i32 i64 f32 f64 v128 externref)
        (result i32 i64 f32 f64 v128 externref funcref)
    (block $h (result i32 i64 f32 f64 v128 externref funcref)
      (try_table (catch $multi $h)
        (call $throw_multi (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                           (local.get 5)))
      (unreachable)))

  ;; a catch straight to the function's label (the landing pad returns)
  (func (export "catch_to_return") (param $n i32) (result i32)
    (try_table (catch $e 0) (drop (call $down (local.get $n))))
    (i32.const -1))

  ;; a catch to a loop label: retries until the counter runs out
  (func (export "retry") (param $n i32) (result i32)
    (local $tries i32)
    (i32.const 0)
    (loop $again (param i32)
      (drop)
      (local.set $tries (i32.add (local.get $tries) (i32.const 1)))
      (try_table (catch $e $again)
        (if (i32.lt_u (local.get $tries) (local.get $n))
          (then (drop (call $down (i32.const 2))))))
      (return (local.get $tries)))
    (unreachable))

  (func (export "trap_in_handler") (param $n i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $down (local.get $n)))
      (return))
    (drop)
    (unreachable))

  (func (export "spin_in_handler") (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $down (i32.const 4)))
      (return))
    (loop $forever (br $forever))
    (unreachable))
)
"""


class Host:
    def __init__(self) -> None:
        self.tag = jit.Tag(["i32"])
        self.inst: jit.Instance | None = None

    def cb(self, n: int) -> int:
        if n < 0:
            raise jit.WasmException(self.tag, (n * 2,))
        if n == 7:
            assert self.inst is not None
            return self.inst.exports.down(5)      # throws $e in a nested call: WasmException here
        if n == 8:
            raise ValueError("plain Python error")
        return n

    def imports(self) -> dict:
        return {"host": {"cb": jit.Func(self.cb, ["i32"], ["i32"]), "htag": self.tag}}


@pytest.fixture(scope="module")
def main() -> tuple[jit.Instance, Host]:
    host = Host()
    module = jit.Module(MAIN)
    host.inst = jit.Instance(module, host.imports())
    return host.inst, host


def test_throw_and_catch_across_many_frames(main) -> None:
    inst, _ = main
    for depth in (0, 1, 10, 50, 300):
        assert inst.exports.catch_deep(depth) == 4243
    assert inst.exports.catch_to_return(12) == 4242


def test_uncaught_reaches_python_with_tag_payload_and_backtrace(main) -> None:
    inst, _ = main
    with pytest.raises(jit.WasmException) as info:
        inst.exports.down(12)
    exc = info.value
    assert exc.tag == inst.exports.e
    assert exc.tag is inst.exports["e"]
    assert exc.payload == (4242,)
    assert len(exc.backtrace) >= 10 and exc.backtrace[0][1] == "down"
    assert not isinstance(exc, jit.Trap)
    assert inst.exports.catch_deep(3) == 4243          # usable afterwards


def test_unwinder_restores_pinned_locals_and_callee_saved_registers(main) -> None:
    inst, _ = main
    # keeps_locals: x=300 y=500 z=700 f=50 after the catch; outer_keeps adds p+q+r = 410
    for depth in (0, 1, 12):
        assert inst.exports.keeps_locals(depth) == 1550
        assert inst.exports.outer_keeps(depth) == 1960


def test_catch_ref_and_throw_ref_rethrow(main) -> None:
    inst, _ = main
    assert inst.exports.rethrow(11) == 5242
    assert inst.exports.catch_all_ref(11) == 6242


def test_catch_all(main) -> None:
    inst, _ = main
    assert inst.exports.catch_all(10) == 1


def test_catch_to_a_loop_label(main) -> None:
    inst, _ = main
    assert inst.exports.retry(5) == 5


def test_exnref_values_cross_to_python_and_back(main) -> None:
    inst, _ = main
    before = retained_exceptions()
    ref = inst.exports.get_exnref()
    assert isinstance(ref, ExnRef)
    assert retained_exceptions() == before + 1          # caught by reference: kept
    with pytest.raises(jit.WasmException) as info:
        inst.exports.throw_exnref(ref)
    assert info.value.tag == inst.exports.e and info.value.payload == (4242,)
    with pytest.raises(jit.Trap, match="null exception reference"):
        inst.exports.throw_null()


def test_catch_without_ref_recycles_exceptions(main) -> None:
    inst, _ = main
    before = retained_exceptions()
    for _ in range(200):
        assert inst.exports.catch_deep(2) == 4243
        assert inst.exports.catch_all(2) == 1
    assert retained_exceptions() == before


def test_host_function_throws_into_wasm(main) -> None:
    inst, host = main
    assert inst.exports.host_throws(5) == 5             # no exception
    assert inst.exports.host_throws(-4) == 1000 - 8     # WasmException(htag, (-8,)) caught by $htag


def test_wasm_exception_through_a_host_function(main) -> None:
    inst, _ = main
    # Wasm -> host cb -> Wasm down(5) throws $e: uncaught in the inner call, a WasmException in the
    # host function, which lets it propagate: the outer Wasm frames catch it
    assert inst.exports.host_throws(7) == 2000 + 4242


def test_other_host_errors_are_not_wasm_exceptions(main) -> None:
    inst, _ = main
    with pytest.raises(ValueError, match="plain Python error"):
        inst.exports.host_throws(8)


def test_host_exception_with_a_bad_payload_is_an_error(main) -> None:
    inst, host = main
    tag = host.tag
    module = jit.Module('(module (import "h" "f" (func $f)) (func (export "run") (call $f)))')
    bad = jit.Instance(module, {"h": {"f": jit.Func(lambda: (_ for _ in ()).throw(
        jit.WasmException(tag, ("not an int",))))}})
    with pytest.raises(jit.Error, match="expected an i32"):
        bad.exports.run()
    assert inst.exports.host_throws(-1) == 998


def test_uncaught_host_tag_reaches_python(main) -> None:
    _, host = main
    module = jit.Module('(module (import "h" "f" (func $f (param i32) (result i32)))'
                        ' (func (export "run") (param i32) (result i32) (call $f (local.get 0))))')
    inst = jit.Instance(module, {"h": {"f": jit.Func(host.cb, ["i32"], ["i32"])}})
    with pytest.raises(jit.WasmException) as info:
        inst.exports.run(-21)
    assert info.value.tag is host.tag and info.value.payload == (-42,)


def test_multi_value_payload_of_every_type(main) -> None:
    inst, _ = main
    marker = object()
    v = 0x0123456789ABCDEF_FEDCBA9876543210
    args = (-7, -(1 << 40), 1.5, -2.25, v, marker)
    got = inst.exports.catch_multi(*args)
    assert got[:6] == (-7, -(1 << 40), 1.5, -2.25, v, marker)
    assert got[6].name == "dummy"
    with pytest.raises(jit.WasmException) as info:
        inst.exports.throw_multi(*args)
    payload = info.value.payload
    assert payload[:6] == (-7, -(1 << 40), 1.5, -2.25, v, marker)
    assert payload[6].name == "dummy"
    assert info.value.tag == inst.exports.multi


def test_trap_inside_a_handler(main) -> None:
    inst, _ = main
    with pytest.raises(jit.Trap) as info:
        inst.exports.trap_in_handler(10)
    assert info.value.kind == "unreachable"
    assert info.value.func_name == "trap_in_handler"
    assert inst.exports.catch_deep(10) == 4243


def test_fuel_runs_out_inside_a_handler() -> None:
    host = Host()
    inst = jit.Instance(jit.Module(MAIN), host.imports(), jit.Limits(fuel=10_000))
    host.inst = inst
    with pytest.raises(jit.Trap, match="out of fuel"):
        inst.exports.spin_in_handler()


def test_deep_recursion_then_throw(main) -> None:
    inst, _ = main
    assert inst.exports.catch_deep(5000) == 4243
    with pytest.raises(jit.Trap, match="call stack exhausted"):
        inst.exports.catch_deep(10_000_000)
    assert inst.exports.catch_deep(5000) == 4243


TAGS = """
(module
  (import "a" "e" (tag $e (param i32)))
  (tag $own (export "own") (param i32))
  (func (export "throw_imported") (param i32) (throw $e (local.get 0)))
  (func (export "throw_own") (param i32) (throw $own (local.get 0))))
"""

CATCHER = """
(module
  (import "a" "e" (tag $e (param i32)))
  (import "b" "throw_imported" (func $ti (param i32)))
  (import "b" "throw_own" (func $to (param i32)))
  (func (export "catch_imported") (param i32) (result i32)
    (block $h (result i32) (try_table (catch $e $h) (call $ti (local.get 0))) (i32.const -1)))
  (func (export "catch_own") (param i32) (result i32)
    (block $h (result i32) (try_table (catch $e $h) (call $to (local.get 0))) (i32.const -1))))
"""


def test_exceptions_across_instances_with_an_imported_tag(main) -> None:
    inst, host = main
    a = {"e": inst.exports.e}
    b = jit.Instance(jit.Module(TAGS), {"a": a})
    c = jit.Instance(jit.Module(CATCHER), {"a": a, "b": b.exports})
    assert c.exports.catch_imported(31) == 31
    with pytest.raises(jit.WasmException) as info:
        c.exports.catch_own(32)
    assert info.value.tag is b.exports.own and info.value.payload == (32,)


def test_tag_identity_is_per_instance(main) -> None:
    inst, host = main
    other = Host()
    inst2 = jit.Instance(jit.Module(MAIN), other.imports())
    assert inst2.exports.e != inst.exports.e
    # B throws instance 2's $e; C catches instance 1's $e: not the same tag
    b = jit.Instance(jit.Module(TAGS), {"a": {"e": inst2.exports.e}})
    c = jit.Instance(jit.Module(CATCHER), {"a": {"e": inst.exports.e}, "b": b.exports})
    with pytest.raises(jit.WasmException) as info:
        c.exports.catch_imported(5)
    assert info.value.tag is inst2.exports.e


def test_tag_import_type_is_checked(main) -> None:
    with pytest.raises(jit.LinkError, match="incompatible import type"):
        jit.Instance(jit.Module(TAGS), {"a": {"e": jit.Tag(["i64"])}})
    with pytest.raises(jit.LinkError, match="incompatible import type"):
        jit.Instance(jit.Module(TAGS), {"a": {"e": jit.Func(lambda x: None, ["i32"])}})


def test_serialized_module_keeps_its_handlers() -> None:
    host = Host()
    data = jit.Module(MAIN).serialize()
    inst = jit.Instance(jit.Module.deserialize(data), host.imports())
    host.inst = inst
    assert inst.exports.catch_deep(12) == 4243
    assert inst.exports.outer_keeps(3) == 1960
    assert inst.exports.host_throws(7) == 2000 + 4242


def test_parallel_compile_matches_serial() -> None:
    from jit.parallel import compile_parallel
    from jit.x64.compiler import compile_module

    module = validate(wat2wasm(MAIN))
    serial = compile_module(module)
    parallel = compile_parallel(module, jobs=2)
    assert parallel.code == serial.code and parallel.eh_table == serial.eh_table


def test_disabled_proposal_is_rejected() -> None:
    data = wat2wasm(MAIN)
    with pytest.raises(jit.CompileError, match="unsupported proposal 'exception handling'"):
        validate(data, features=jit.Features(exceptions=False))
    with pytest.raises(jit.CompileError, match="unsupported proposal 'exception handling'"):
        validate(wat2wasm('(module (func (try_table)))'), features=jit.Features.none())
    validate(data)        # on by default


@pytest.mark.parametrize("text, message", [
    ('(module (tag $t (param i32)) (func (throw $t)))', "type mismatch"),
    ('(module (func (throw 0)))', "unknown tag 0"),
    ('(module (tag (param i32)) (func (block $h (try_table (catch 0 $h)))))', "type mismatch"),
    ('(module (func (block $h (result exnref) (try_table (catch_all $h))) (drop)))', "type mismatch"),
    ('(module (func (block $h (result i64) (try_table (catch_all_ref $h))) (drop)))', "type mismatch"),
    ('(module (func (throw_ref (i32.const 0))))', "type mismatch"),
    ('(module (type (func (result i32))) (tag (type 0)))', "non-empty tag result type"),
])
def test_validation_rules(text: str, message: str) -> None:
    with pytest.raises(jit.ValidationError, match=message):
        validate(wat2wasm(text))


def test_legacy_exception_instructions_are_refused() -> None:
    # `try` (0x06) ... `end`: the legacy proposal, not part of Wasm 3.0 (docs/exceptions.md)
    body = bytes([0x06, 0x40, 0x0B, 0x0B])
    data = (b"\0asm\x01\0\0\0" + b"\x01\x04\x01\x60\x00\x00" + b"\x03\x02\x01\x00"
            + b"\x0a" + bytes([len(body) + 2, 1, len(body) + 1, 0]) + body)
    with pytest.raises(jit.MalformedError, match="legacy exception handling"):
        validate(data)


W_X_PROGRAM = r"""
import re, sys
sys.path.insert(0, sys.argv[1])
import jit
import test_exceptions as T
host = T.Host()
inst = jit.Instance(jit.Module(T.MAIN), host.imports())
host.inst = inst
for _ in range(20):
    assert inst.exports.catch_deep(12) == 4243
    assert inst.exports.host_throws(7) == 2000 + 4242
    try:
        inst.exports.down(3)
    except jit.WasmException:
        pass
assert "wasmtime" not in sys.modules
maps = open("/proc/self/maps").read().splitlines()
rwx = [line for line in maps if re.match(r"^\S+ rwx", line)]
assert rwx == [], rwx
print("ok")
"""


def test_w_x_holds_while_throwing() -> None:
    env = dict(os.environ, WXJIT_TEST_WAT="wasm-tools")
    out = subprocess.run([sys.executable, "-c", W_X_PROGRAM, str(Path(__file__).parent)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


EXNREF_STORAGE = """
(module
  (tag $e (param i32))
  (table $t 2 exnref)
  (global $g (mut exnref) (ref.null exn))
  (func (export "keep") (param i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (throw $e (local.get 0)))
      (unreachable))
    (global.set $g)
    (table.set $t (i32.const 1) (global.get $g)))
  (func (export "rethrow_from_table") (throw_ref (table.get $t (i32.const 1))))
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "grow") (result i32) (table.grow $t (ref.null exn) (i32.const 3))))
"""


def test_exnref_in_globals_and_tables() -> None:
    inst = jit.Instance(jit.Module(EXNREF_STORAGE))
    assert inst.exports.is_null(1) == 1
    inst.exports.keep(77)
    assert (inst.exports.is_null(1), inst.exports.is_null(0), inst.exports.grow()) == (0, 1, 2)
    for _ in range(3):                       # the stored exception stays valid: rethrown each time
        with pytest.raises(jit.WasmException) as info:
            inst.exports.rethrow_from_table()
        assert info.value.payload == (77,)


def test_unwinding_through_another_module_restores_its_registers() -> None:
    """A (throws) <- B (hot locals pinned to callee-saved registers) <- C (catches, hot locals):
    the unwinder takes B's saved registers back from B's module's table."""
    A = jit.Instance(jit.Module('''(module (tag $e (export "e") (param i32))
      (func (export "boom") (param i32) (result i32) (throw $e (local.get 0))))'''))
    B = jit.Instance(jit.Module('''(module (import "a" "boom" (func $boom (param i32) (result i32)))
      (func (export "mid") (param $n i32) (result i32)
        (local $a i32) (local $b i32) (local $c i32) (local $i i32)
        (loop $l
          (local.set $a (i32.add (local.get $a) (i32.const 1000)))
          (local.set $b (i32.add (local.get $b) (i32.const 2000)))
          (local.set $c (i32.add (local.get $c) (i32.const 3000)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
        (i32.add (call $boom (local.get $n))
                 (i32.add (local.get $a) (i32.add (local.get $b) (local.get $c))))))'''),
      {"a": A.exports})
    C = jit.Instance(jit.Module('''(module (import "a" "e" (tag $e (param i32)))
      (import "b" "mid" (func $mid (param i32) (result i32)))
      (func (export "top") (param $n i32) (result i32)
        (local $x i32) (local $y i32) (local $z i32) (local $i i32)
        (loop $l
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (local.set $y (i32.add (local.get $y) (i32.const 2)))
          (local.set $z (i32.add (local.get $z) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
        (block $h (result i32) (try_table (result i32) (catch $e $h) (call $mid (local.get $n))) (return))
        (i32.add (i32.add (local.get $x) (i32.add (local.get $y) (local.get $z))))))'''),
      {"a": A.exports, "b": B.exports})
    assert C.exports.top(5) == 65       # the payload + x, y, z of the catching frame


def test_an_idle_handler_compiles_to_the_code_of_a_plain_block() -> None:
    """Zero cost when nothing throws: a try_table's body is the code of the same body in a block; the
    only addition is the landing pad, out of line after the function's trap sites."""
    import re

    import capstone

    from jit.benchmarks.exceptions import module_text
    from jit.x64.compiler import compile_module

    text = module_text()
    handled = "(try_table (result i32) (catch $e $h) (call $f9 (global.get $g)))"
    assert handled in text
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    listings = []
    for t in (text, text.replace(handled, "(block (result i32) (call $f9 (global.get $g)))")):
        module = validate(wat2wasm(t))
        compiled = compile_module(module)
        i = next(e.index for e in module.exports if e.name == "try_no_throw") - module.num_imported_funcs
        code = compiled.code[compiled.func_offsets[i]:compiled.func_ends[i]]
        listings.append([re.sub(r"rip \+ 0x[0-9a-f]+", "rip + GOT", f"{x.mnemonic} {x.op_str}")
                         for x in md.disasm(code, 0)])
    with_try, with_block = listings
    assert with_try[:len(with_block)] == with_block
    pad = with_try[len(with_block):]
    assert pad[0] == "mov rsp, rbp" and pad[-1].startswith("jmp") and len(pad) == 7
