"""Tail calls (return_call, return_call_indirect): constant native stack for unbounded tail recursion,
also between functions of different arity (stack-passed arguments of mixed types), through tables,
across instances and to host functions; traps, backtraces, fuel and interrupts keep working.

The stack budget of most instances here is the smallest one (64 KiB): millions of tail calls run in
it, while the same recursion through ``call`` exhausts it after a few thousand frames.
"""
from __future__ import annotations

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm

SMALL_STACK = jit.Limits(max_stack_bytes=64 * 1024)
DEEP = 10_000_000

# $f3 -> $f12 -> $f0 -> $f3 ...: argument areas of 32, 112 and 16 bytes (grow, shrink, grow). Every
# callee checks each argument it received against the value derived from n (unreachable if one was
# marshalled wrongly), so the results only say how many calls ran: 3 per round, 3n - 1 in all.
MUTUAL = """
(module
  (global $n (mut i64) (i64.const 0))
  (global $acc (mut i64) (i64.const 0))
  (func $f0 (result i64)
    (if (i64.eqz (global.get $n)) (then (return (global.get $acc))))
    (return_call $f3 (global.get $n) (i64.add (global.get $acc) (i64.const 1))
                     (f64.convert_i64_s (global.get $n))))
  (func $f3 (export "f3") (param $n i64) (param $acc i64) (param $x f64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (if (f64.ne (local.get $x) (f64.convert_i64_s (local.get $n))) (then unreachable))
    (return_call $f12
      (i32.wrap_i64 (local.get $n)) (local.get $n) (f32.convert_i64_s (local.get $n))
      (f64.mul (local.get $x) (f64.const 0.5)) (i64x2.splat (local.get $n))
      (i32.add (i32.wrap_i64 (local.get $n)) (i32.const 1)) (i64.add (local.get $acc) (i64.const 1))
      (f64.add (local.get $x) (f64.const 0.25)) (i32x4.splat (i32.wrap_i64 (local.get $n)))
      (i32.const 7) (f32.const 1.5) (i64.mul (local.get $n) (i64.const 3))))
  (func $f12 (param $a i32) (param $n i64) (param $c f32) (param $d f64) (param $e v128) (param $f i32)
             (param $acc i64) (param $g f64) (param $h v128) (param $i i32) (param $j f32) (param $k i64)
             (result i64)
    (if (i32.ne (local.get $a) (i32.wrap_i64 (local.get $n))) (then unreachable))
    (if (f32.ne (local.get $c) (f32.convert_i64_s (local.get $n))) (then unreachable))
    (if (f64.ne (local.get $d) (f64.mul (f64.convert_i64_s (local.get $n)) (f64.const 0.5)))
      (then unreachable))
    (if (i64.ne (i64x2.extract_lane 0 (local.get $e)) (local.get $n)) (then unreachable))
    (if (i64.ne (i64x2.extract_lane 1 (local.get $e)) (local.get $n)) (then unreachable))
    (if (i32.ne (local.get $f) (i32.add (local.get $a) (i32.const 1))) (then unreachable))
    (if (f64.ne (local.get $g) (f64.add (f64.convert_i64_s (local.get $n)) (f64.const 0.25)))
      (then unreachable))
    (if (i32.ne (i32x4.extract_lane 0 (local.get $h)) (local.get $a)) (then unreachable))
    (if (i32.ne (i32x4.extract_lane 3 (local.get $h)) (local.get $a)) (then unreachable))
    (if (i32.ne (local.get $i) (i32.const 7)) (then unreachable))
    (if (f32.ne (local.get $j) (f32.const 1.5)) (then unreachable))
    (if (i64.ne (local.get $k) (i64.mul (local.get $n) (i64.const 3))) (then unreachable))
    (global.set $n (i64.sub (local.get $n) (i64.const 1)))
    (global.set $acc (i64.add (local.get $acc) (i64.const 1)))
    (return_call $f0))
  ;; An ordinary call of the chain with live values around it: the caller reads the results where the
  ;; last callee left them and resets its stack pointer (else a loop of such calls would creep).
  (func (export "loop_calls") (param $times i32) (param $n i64) (result i64)
    (local $sum i64) (local $keep f64)
    (local.set $keep (f64.const 3.5))
    (loop $l
      (local.set $sum (i64.add (local.get $sum)
        (i64.add (i64.const 1000)
                 (call $f3 (local.get $n) (i64.const 0) (f64.convert_i64_s (local.get $n))))))
      (local.set $times (i32.sub (local.get $times) (i32.const 1)))
      (br_if $l (local.get $times)))
    (if (f64.ne (local.get $keep) (f64.const 3.5)) (then unreachable))
    (local.get $sum))
  (func $count (export "count") (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $count (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (i64.const 2))))
  (func $count_call (export "count_call") (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (call $count_call (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (i64.const 2))))
)
"""


@pytest.fixture(scope="module")
def mutual() -> jit.Instance:
    return jit.Instance(jit.Module(wat(MUTUAL)), limits=SMALL_STACK)


def test_ten_million_deep_self_tail_recursion_in_a_small_stack(mutual: jit.Instance) -> None:
    assert mutual.exports.count(DEEP, 0) == 2 * DEEP
    with pytest.raises(jit.Trap, match="call stack exhausted"):   # the same recursion with call
        mutual.exports.count_call(DEEP, 0)


def test_mutual_tail_recursion_between_0_3_and_12_parameters(mutual: jit.Instance) -> None:
    for n in (0, 1, 2, 5):
        assert mutual.exports.f3(n, 0, float(n)) == (3 * n - 1 if n else 0)
    rounds = DEEP // 3 + 1          # 10 million tail calls
    assert mutual.exports.f3(rounds, 0, float(rounds)) == 3 * rounds - 1


def test_callers_of_a_tail_chain_keep_their_frame(mutual: jit.Instance) -> None:
    assert mutual.exports.loop_calls(100_000, 4) == 100_000 * (1000 + 11)


INDIRECT = """
(module
  (type $two (func (param i64 i64) (result i64)))
  (type $five (func (param i64 f64 v128 i32 i64) (result i64)))
  (type $bad (func (param i64) (result i64)))
  (table 4 funcref)
  (elem (i32.const 0) $two $five $other)
  (func $two (type $two) (param $n i64) (param $acc i64) (result i64)
    (if (i64.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call_indirect (type $five)
      (local.get $n) (f64.convert_i64_s (local.get $n)) (i64x2.splat (local.get $acc))
      (i32.const 7) (local.get $acc) (i32.const 1)))
  (func $five (type $five) (param $n i64) (param $x f64) (param $v v128) (param $i i32) (param $acc i64)
        (result i64)
    (if (f64.ne (local.get $x) (f64.convert_i64_s (local.get $n))) (then unreachable))
    (if (i64.ne (i64x2.extract_lane 1 (local.get $v)) (local.get $acc)) (then unreachable))
    (if (i32.ne (local.get $i) (i32.const 7)) (then unreachable))
    (return_call_indirect (type $two)
      (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (i64.const 1)) (i32.const 0)))
  (func $other (param i64) (result i64) (local.get 0))
  (func (export "run") (param i64) (result i64)
    (return_call_indirect (type $two) (local.get 0) (i64.const 0) (i32.const 0)))
  (func (export "call_slot") (param i64 i32) (result i64)
    (return_call_indirect (type $bad) (local.get 0) (local.get 1)))
)
"""


def test_mutual_tail_recursion_through_call_indirect() -> None:
    inst = jit.Instance(jit.Module(wat(INDIRECT)), limits=SMALL_STACK)
    assert inst.exports.run(5) == 5
    assert inst.exports.run(3_000_000) == 3_000_000
    assert inst.exports.call_slot(9, 2) == 9
    for slot, kind in ((0, "indirect call type mismatch"), (3, "uninitialized element"),
                       (4, "undefined element")):
        with pytest.raises(jit.Trap) as info:
            inst.exports.call_slot(9, slot)
        assert info.value.kind == kind


# Two instances: $ping (in A) tail-calls $pong (in B) through A's table, $pong tail-calls $ping
# through its import. Each counts in its own global and memory, so running with the other instance's
# vmctx or memory base would show.
PING = """
(module
  (type $pong (func (param i64 f64 i64) (result i64)))
  (table (export "table") 1 funcref)
  (memory (export "mem") 1)
  (global $pings (export "pings") (mut i64) (i64.const 0))
  (func $ping (export "ping") (param $n i64) (result i64)
    (global.set $pings (i64.add (global.get $pings) (i64.const 1)))
    (i64.store (i32.const 8) (i64.add (i64.load (i32.const 8)) (i64.const 1)))
    (if (i64.eqz (local.get $n)) (then (return (global.get $pings))))
    (return_call_indirect (type $pong)
      (local.get $n) (f64.const 0.5) (i64.load (i32.const 8)) (i32.const 0)))
  (func (export "pings_in_memory") (result i64) (i64.load (i32.const 8)))
)
"""
PONG = """
(module
  (import "a" "ping" (func $ping (param i64) (result i64)))
  (import "a" "table" (table 1 funcref))
  (memory 1)
  (global $pongs (export "pongs") (mut i64) (i64.const 0))
  (elem (i32.const 0) $pong)
  (func $pong (param $n i64) (param $x f64) (param $pings i64) (result i64)
    (global.set $pongs (i64.add (global.get $pongs) (i64.const 1)))
    (i64.store (i32.const 8) (i64.add (i64.load (i32.const 8)) (i64.const 1)))
    (if (f64.ne (local.get $x) (f64.const 0.5)) (then unreachable))
    (if (i64.ne (local.get $pings) (global.get $pongs)) (then unreachable))
    (return_call $ping (i64.sub (local.get $n) (i64.const 1))))
  (func $via (param i64) (result i64) (return_call $ping (local.get 0)))
  (func (export "start") (param i64) (result i64)
    (local $r i64)
    ;; a direct call of a function that tail-calls another instance: this frame's vmctx and memory
    ;; base are back in their registers afterwards
    (local.set $r (call $via (local.get 0)))
    (i64.add (local.get $r) (i64.mul (i64.load (i32.const 8)) (i64.const 1000000000))))
)
"""


def test_tail_calls_across_two_instances() -> None:
    a = jit.Instance(jit.Module(wat(PING)), limits=SMALL_STACK)
    b = jit.Instance(jit.Module(wat(PONG)), {"a": a.exports}, limits=SMALL_STACK)
    n = 1_000_000
    assert b.exports.start(n) == (n + 1) + n * 1_000_000_000
    assert a.exports.pings.value == n + 1 and b.exports.pongs.value == n
    assert a.exports.pings_in_memory() == n + 1


HOST = """
(module
  (import "env" "wide" (func $wide (param i64 f64 i64 i32 f32 i64 i64 i64 i64 i64 i64 i64 i64)
                                   (result i64)))
  (import "env" "narrow" (func $narrow (result i64)))
  (func $down (export "down") (param $n i64) (result i64)
    (if (i64.eqz (local.get $n))
      (then (return_call $wide (i64.const 1) (f64.const 2.5) (i64.const 3) (i32.const 5)
                               (f32.const 6.5) (i64.const 7) (i64.const 8) (i64.const 9)
                               (i64.const 10) (i64.const 11) (i64.const 12) (i64.const 13)
                               (local.get $n))))
    (return_call $down (i64.sub (local.get $n) (i64.const 1))))
  (func (export "narrow") (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)
    (return_call $narrow))
  (func (export "twice") (param i64) (result i64)
    (i64.add (call $down (local.get 0)) (call $down (local.get 0))))
)
"""


def test_tail_call_to_a_host_function() -> None:
    seen = []

    def wide(*args):
        seen.append(args)
        return args[0] + int(args[1]) + args[2] + args[3] + int(args[4]) + sum(args[5:])

    types = ["i64", "f64", "i64", "i32", "f32"] + ["i64"] * 8
    expected = 1 + 2 + 3 + 5 + 6 + sum(range(7, 14))
    env = {"wide": jit.Func(wide, types, ["i64"]), "narrow": jit.Func(lambda: 99, [], ["i64"])}
    inst = jit.Instance(jit.Module(wat(HOST)), {"env": env}, limits=SMALL_STACK)
    assert inst.exports.down(1_000_000) == expected
    assert seen[-1] == (1, 2.5, 3, 5, 6.5, 7, 8, 9, 10, 11, 12, 13, 0)
    assert inst.exports.twice(10) == 2 * expected
    assert inst.exports.narrow(*range(10)) == 99

    def boom(*_args):
        raise KeyError("from the host")
    env["wide"] = jit.Func(boom, types, ["i64"])
    inst = jit.Instance(jit.Module(wat(HOST)), {"env": env}, limits=SMALL_STACK)
    with pytest.raises(KeyError, match="from the host"):
        inst.exports.down(1000)
    assert inst.exports.narrow(*range(10)) == 99


TRAP = """
(module
  (func $leaf (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $chain (param $n i32) (param $x i64) (param $y f64) (result i32)
    (if (i32.eqz (local.get $n)) (then (return_call $leaf (i32.const 0))))
    (return_call $chain (i32.sub (local.get $n) (i32.const 1)) (local.get $x) (local.get $y)))
  (func $outer (param i32) (result i32)
    (return_call $chain (local.get 0) (i64.const 1) (f64.const 2)))
  (func $entry (export "entry") (param i32) (result i32)
    (i32.add (i32.const 1) (call $outer (local.get 0))))
)
"""


def test_trap_deep_in_a_tail_chain_and_its_backtrace() -> None:
    module = jit.Module(wat(TRAP))
    inst = jit.Instance(module, limits=SMALL_STACK)
    with pytest.raises(jit.Trap) as info:
        inst.exports.entry(1_000_000)
    trap = info.value
    assert trap.kind == "integer divide by zero"
    # The tail-called frames replaced their callers (as in wasmtime): leaf, then the entry's frame.
    assert [name for _f, name, _off in trap.backtrace] == ["leaf", "entry"]
    div = next(pos for op, _a, _b, pos in module.wasm.codes[0].code if op == 0x6E)
    assert trap.func_name == "leaf" and trap.wasm_offset == div
    call = next(pos for op, _a, _b, pos in module.wasm.codes[3].code if op == 0x10)
    assert trap.backtrace[1][2] == call


SPIN = """
(module
  (func $a (export "spin") (param i64 f64) (return_call $b (i32.const 1)))
  (func $b (param i32) (return_call $a (i64.const 2) (f64.const 3)))
  (func $self (export "self") (return_call $self))
)
"""


@pytest.mark.parametrize("export, args", [("spin", (1, 2.0)), ("self", ())])
def test_fuel_stops_an_infinite_tail_loop(export: str, args: tuple) -> None:
    inst = jit.Instance(jit.Module(wat(SPIN)), limits=jit.Limits(fuel=1_000_000))
    with pytest.raises(jit.Trap, match="out of fuel"):
        inst.exports[export](*args)
    assert inst.fuel < 0


@pytest.mark.parametrize("export, args", [("spin", (1, 2.0)), ("self", ())])
def test_timeout_interrupts_an_infinite_tail_loop(export: str, args: tuple) -> None:
    inst = jit.Instance(jit.Module(wat(SPIN)), limits=jit.Limits(timeout=0.05, max_stack_bytes=64 * 1024))
    with pytest.raises(jit.Trap, match="interrupted"):
        inst.exports[export](*args)


@pytest.mark.parametrize("body, message", [
    ("(func $f (result i64) (i64.const 1)) (func (result i32) (return_call $f))", "type mismatch"),
    ("(func $f (param i32)) (func (return_call $f (i64.const 1)))", "type mismatch"),
    ("(table 1 funcref) (type $t (func (result i64))) (func (result i32) "
     "(return_call_indirect (type $t) (i32.const 0)))", "type mismatch"),
])
def test_invalid_tail_calls(body: str, message: str) -> None:
    with pytest.raises(jit.ValidationError, match=message):
        jit.Module(wat(f"(module {body})"))


def test_code_after_a_tail_call_is_stack_polymorphic() -> None:
    m = jit.Module(wat("""(module (func $f (result i32) (i32.const 4))
        (func (export "g") (result i32) (return_call $f) (i32.add) (i64.const 1) (drop)))"""))
    assert jit.Instance(m).exports.g() == 4


# Arguments read from the caller's own parameter slots while the callee's area (not larger than the
# caller's) is written over them: swaps, rotations with v128, and a smaller area at the top.
PERMUTE = """
(module
  (func $pair (param i64 i64) (result i64) (i64.add (i64.mul (local.get 0) (i64.const 1000)) (local.get 1)))
  (func $swap (export "swap") (param i64 i64) (result i64) (return_call $pair (local.get 1) (local.get 0)))
  (func $rot (param $a v128) (param $b i64) (param $c v128) (param $n i32) (result i64)
    (if (i32.eqz (local.get $n))
      (then (return (i64.add (i64.add (i64x2.extract_lane 0 (local.get $a))
                                      (i64.mul (local.get $b) (i64.const 100)))
                             (i64.mul (i64x2.extract_lane 1 (local.get $c)) (i64.const 10000))))))
    (return_call $rot (local.get $c) (i64x2.extract_lane 0 (local.get $a))
                      (i64x2.splat (local.get $b)) (i32.sub (local.get $n) (i32.const 1))))
  (func (export "rot") (param i64 i64 i64 i32) (result i64)
    (return_call $rot (i64x2.splat (local.get 0)) (local.get 1) (i64x2.splat (local.get 2)) (local.get 3)))
  (func (export "shrink") (param $a i64) (param $b i64) (param $c i64) (param $d i64) (param $e i64)
                          (param $f i64) (result i64)
    (return_call $pair (local.get $a) (local.get $e)))
  (func (export "shrink_sum") (param $a i64) (param $b i64) (param $c i64) (param $d i64) (param $e i64)
                              (param $f i64) (result i64)
    (return_call $pair (i64.add (local.get $e) (local.get $f)) (local.get $e)))
)
"""


def test_arguments_read_from_the_slots_they_overwrite() -> None:
    inst = jit.Instance(jit.Module(wat(PERMUTE)))
    assert inst.exports.swap(1, 2) == 2001
    # (a, b, c) -> (c, a, b) each round, as v128/i64/v128
    for n, (a, b, c) in enumerate([(1, 2, 3), (3, 1, 2), (2, 3, 1), (1, 2, 3)]):
        assert inst.exports.rot(1, 2, 3, n) == a + 100 * b + 10000 * c
    assert inst.exports.shrink(1, 2, 3, 4, 5, 6) == 1005
    assert inst.exports.shrink_sum(1, 2, 3, 4, 5, 6) == 11005


# Generated chains: functions of random signatures (0 to 16 parameters of every value type) in one
# cycle, each reached by return_call or return_call_indirect. Every argument has a value derived from
# ($s, type, position mod 3) that its callee checks (unreachable on a mismatch); a caller passes its
# own parameter where one has the same type and position class, so arguments are also read from the
# slots the callee's area is being written over.
TYPES = ("i32", "i64", "f32", "f64", "v128")


def _derive(ty: str, tag: int) -> str:
    base = f"(i64.add (global.get $s) (i64.const {tag * 1000003}))"
    return {
        "i32": f"(i32.wrap_i64 {base})",
        "i64": base,
        "f32": f"(f32.convert_i32_s (i32.and (i32.wrap_i64 {base}) (i32.const 0xFFFFF)))",
        "f64": f"(f64.convert_i64_s {base})",
        "v128": f"(i64x2.replace_lane 1 (i64x2.splat {base}) (i64.xor {base} (i64.const 0x5555)))",
    }[ty]


def _same(ty: str, a: str, b: str) -> str:
    if ty == "v128":
        return (f"(i32.and (i64.eq (i64x2.extract_lane 0 {a}) (i64x2.extract_lane 0 {b}))"
                f" (i64.eq (i64x2.extract_lane 1 {a}) (i64x2.extract_lane 1 {b})))")
    return f"({ty}.eq {a} {b})"


def generated_chain(seed: int, nfuncs: int = 10) -> str:
    import random
    rng = random.Random(seed)
    sigs = [[rng.choice(TYPES) for _ in range(rng.choice((0, 1, 2, 3, 5, 8, 12, 16)))]
            for _ in range(nfuncs)]
    order = list(range(nfuncs))
    rng.shuffle(order)
    succ = {order[k]: order[(k + 1) % nfuncs] for k in range(nfuncs)}
    out = ["(module", "  (global $s (mut i64) (i64.const 0))", "  (global $left (mut i64) (i64.const 0))",
           f"  (table {nfuncs} funcref)",
           "  (elem (i32.const 0) " + " ".join(f"$f{i}" for i in range(nfuncs)) + ")"]
    for i, sig in enumerate(sigs):
        out.append(f"  (type $t{i} (func (param {' '.join(sig)}) (result i64)))")
    for i, sig in enumerate(sigs):
        body = []
        for j, ty in enumerate(sig):
            body.append(f"(if (i32.eqz {_same(ty, f'(local.get {j})', _derive(ty, j % 3))})"
                        " (then unreachable))")
        body.append("(if (i64.eqz (global.get $left))"
                    " (then (return (i64.add (global.get $s) (i64.const 7)))))")
        body.append("(global.set $left (i64.sub (global.get $left) (i64.const 1)))")
        nxt = succ[i]
        args = []
        for j, ty in enumerate(sigs[nxt]):
            own = [k for k, t in enumerate(sig) if t == ty and k % 3 == j % 3]
            forward = own and rng.random() < 0.7
            args.append(f"(local.get {rng.choice(own)})" if forward else _derive(ty, j % 3))
        if rng.random() < 0.5:
            body.append(f"(return_call $f{nxt} {' '.join(args)})")
        else:
            body.append(f"(return_call_indirect (type $t{nxt}) {' '.join(args)} (i32.const {nxt}))")
        out.append(f"  (func $f{i} (type $t{i})\n    " + "\n    ".join(body) + ")")
    first = order[0]
    args = " ".join(_derive(ty, j % 3) for j, ty in enumerate(sigs[first]))
    out.append(f"""  (func (export "run") (param $s i64) (param $n i64) (result i64)
    (global.set $s (local.get $s))
    (global.set $left (local.get $n))
    (i64.sub (call $f{first} {args}) (i64.const 7)))""")
    out.append(")")
    return "\n".join(out)


@pytest.mark.parametrize("seed", range(6))
def test_generated_tail_call_chains(seed: int) -> None:
    inst = jit.Instance(jit.Module(wat(generated_chain(seed))), limits=SMALL_STACK)
    for s, n in ((5, 0), (12345, 37), (-99, 1000), (424242, 300_000)):
        assert inst.exports.run(s, n) == s


def test_disabled_by_features() -> None:
    from jit.wasm import validate
    data = wat("(module (func $f (result i32) (i32.const 1)) (func (result i32) (return_call $f)))")
    pos = data.index(bytes([0x12, 0x00]))
    with pytest.raises(jit.CompileError, match=rf"unsupported proposal 'tail calls' \(at offset {pos:#x}\)"):
        validate(data, features=jit.Features(tail_call=False))
    indirect = wat("(module (table 1 funcref) (func (return_call_indirect (i32.const 0))))")
    with pytest.raises(jit.CompileError, match="unsupported proposal 'tail calls'"):
        validate(indirect, features=jit.Features(tail_call=False))
    validate(data, features=jit.Features(relaxed_simd=False))
    validate(data)
    assert jit.Features().tail_call


# return_call_ref: mutual recursion through function references of different arity, one of them in
# another instance (the callee's vmctx comes from the reference), and a null reference trapping.
REF_LIB = """
(module
  (type $big (func (param i64 f64 i64 i64 i64 i64) (result i64)))
  (type $small (func (param i64) (result i64)))
  (global $calls (export "calls") (mut i64) (i64.const 0))
  (func $big (export "big") (type $big) (param $n i64) (param $x f64) (param i64 i64 i64)
        (param $back i64) (result i64)
    (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
    (if (f64.ne (local.get $x) (f64.convert_i64_s (local.get $n))) (then unreachable))
    (i64.add (local.get $n) (local.get $back)))
)
"""
REF_MAIN = """
(module
  (type $big (func (param i64 f64 i64 i64 i64 i64) (result i64)))
  (type $small (func (param i64) (result i64)))
  (import "lib" "big" (func $lib_big (type $big)))
  (global $calls (export "calls") (mut i64) (i64.const 0))
  (elem declare func $small $big $lib_big)
  (func $small (type $small) (param $n i64) (result i64)
    (global.set $calls (i64.add (global.get $calls) (i64.const 1)))
    (return_call_ref $big (local.get $n) (f64.convert_i64_s (local.get $n))
                          (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (ref.func $big)))
  (func $big (type $big) (param $n i64) (param $x f64) (param i64 i64 i64 i64) (result i64)
    (if (f64.ne (local.get $x) (f64.convert_i64_s (local.get $n))) (then unreachable))
    (if (i64.eqz (local.get $n))
      (then (return_call_ref $big (local.get $n) (local.get $x) (i64.const 0) (i64.const 0)
                                  (i64.const 0) (i64.const 100) (ref.func $lib_big))))
    (return_call_ref $small (i64.sub (local.get $n) (i64.const 1)) (ref.func $small)))
  (func (export "run") (param i64) (result i64) (return_call_ref $small (local.get 0) (ref.func $small)))
  (func (export "null") (result i64) (return_call_ref $small (i64.const 1) (ref.null $small)))
)
"""


def test_return_call_ref_across_arities_and_instances() -> None:
    lib = jit.Instance(jit.Module(wat(REF_LIB)), limits=SMALL_STACK)
    main = jit.Instance(jit.Module(wat(REF_MAIN)), {"lib": lib.exports}, limits=SMALL_STACK)
    assert main.exports.run(1_000_000) == 100
    assert main.exports.calls.value == 1_000_001 and lib.exports.calls.value == 1
    with pytest.raises(jit.Trap) as info:
        main.exports.null()
    assert info.value.kind == "null function reference"
    assert [name for _f, name, _off in info.value.backtrace] == ["null"]


def test_return_call_ref_disabled_by_features() -> None:
    from jit.wasm import validate
    data = wat(REF_LIB.replace('(global $calls', '(elem declare func $big) (func (result i64) '
                               '(return_call_ref $big (i64.const 0) (f64.const 0) (i64.const 0) '
                               '(i64.const 0) (i64.const 0) (i64.const 0) (ref.func $big))) (global $calls'))
    validate(data)
    for off in ("tail_call", "function_references"):
        with pytest.raises(jit.CompileError, match="unsupported proposal"):
            validate(data, features=jit.Features(**{off: False}))
