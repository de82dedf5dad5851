"""SIMD (v128) beyond the spec suite's one-instruction assertions: many live vectors (spills),
vectors through blocks, loops, select, calls, call_indirect, globals and multi-value returns, and
unaligned and out-of-bounds memory accesses, compared with wasmtime; and v128 at the Python boundary.
"""
from __future__ import annotations

import random

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm


STRESS = """(module
  (memory (export "mem") 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (table 2 funcref)
  (elem (i32.const 0) $addv $subv)
  (type $vv (func (param v128 v128) (result v128)))
  (func $addv (type $vv) local.get 0 local.get 1 i32x4.add)
  (func $subv (type $vv) local.get 0 local.get 1 i32x4.sub)
  ;; many live v128 values: forces spills
  (func (export "pressure") (param $x i32) (result i32)
    (local $v v128)
    local.get $x i32x4.splat local.set $v
    local.get $v local.get $v i32x4.add
    local.get $v local.get $v i32x4.mul
    local.get $v i32x4.neg
    local.get $v local.get $v i32x4.sub
    local.get $v i8x16.popcnt
    local.get $v i32x4.abs
    local.get $v local.get $v i16x8.mul
    local.get $v local.get $v i64x2.mul
    local.get $v local.get $v i32x4.max_s
    local.get $v local.get $v i32x4.min_u
    local.get $v local.get $v v128.xor
    local.get $v local.get $v v128.or
    local.get $v local.get $v i8x16.avgr_u
    local.get $v local.get $v i16x8.add_sat_s
    local.get $v local.get $v i32x4.eq
    local.get $v local.get $v i32x4.gt_u
    local.get $v local.get $v i64x2.add
    local.get $v local.get $v i8x16.sub
    i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add
    i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add i32x4.add
    i32x4.extract_lane 2)
  ;; v128 through blocks, br_if, select, calls, call_indirect, globals, loops
  (func (export "flow") (param $n i32) (param $k i32) (result i32)
    (local $acc v128) (local $i i32)
    global.get $g local.set $acc
    block $done
      loop $l
        local.get $i local.get $n i32.ge_u br_if $done
        local.get $acc
        local.get $i i32x4.splat
        local.get $i i32.const 1 i32.and call_indirect (type $vv)
        local.set $acc
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    block (result v128)
      local.get $acc
      local.get $acc local.get $acc call $addv
      local.get $k select (result v128)
      local.get $k br_if 0
      i32x4.neg
    end
    global.set $g
    global.get $g i32x4.extract_lane 0
    global.get $g i32x4.extract_lane 3 i32.add)
  (func (export "memop") (param $a i32) (result i32)
    local.get $a
    local.get $a v128.load offset=3
    local.get $a i32.const 16 i32.add v128.load
    i8x16.add
    local.get $a i32.const 5 i32.add i32.const 99 i32.store
    v128.store
    local.get $a i32.load16_u offset=7)
  (func (export "fill") (param $a i32) (param $x i32)
    local.get $a local.get $x i32.store)
  (func $ret2 (param $x i64) (result v128 i32)
    local.get $x i64x2.splat local.get $x i32.wrap_i64)
  (func (export "use2") (param $x i64) (result i64)
    local.get $x call $ret2 i64.extend_i32_u i64x2.splat i64x2.add i64x2.extract_lane 1)
)
"""


@pytest.fixture(scope="module")
def engines():
    wasmtime = pytest.importorskip("wasmtime", reason="the wasmtime package is the reference engine")
    data = wat(STRESS)
    ours = jit.Instance(jit.Module(data)).exports
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    theirs = wasmtime.Instance(store, wasmtime.Module(engine, data), []).exports(store)

    def both(name: str, *args: int) -> tuple[object, object]:
        try:
            a = ours[name](*args)
        except jit.Trap as trap:
            a = ("trap", trap.kind)
        try:
            b = theirs[name](store, *args)
        except wasmtime.Trap as trap:
            b = ("trap", "out of bounds memory access" if "out of bounds" in str(trap) else str(trap))
        return a, b
    return both


def test_vectors_under_register_pressure_match_wasmtime(engines) -> None:
    rng = random.Random(7)
    for x in [0, 1, -1, 2**31 - 1, -(2**31)] + [rng.randint(-(2**31), 2**31 - 1) for _ in range(200)]:
        a, b = engines("pressure", x)
        assert a == b, (x, a, b)


def test_vectors_through_control_flow_calls_and_globals_match_wasmtime(engines) -> None:
    for n in range(20):
        for k in (0, 1, 7):
            a, b = engines("flow", n, k)
            assert a == b, (n, k, a, b)
    rng = random.Random(8)
    for x in [0, -1, 2**63 - 1, -(2**63)] + [rng.randint(-(2**63), 2**63 - 1) for _ in range(100)]:
        a, b = engines("use2", x)
        assert a == b, (x, a, b)


def test_unaligned_and_out_of_bounds_vectors_match_wasmtime(engines) -> None:
    rng = random.Random(9)
    for addr in [rng.randint(0, 65535 - 40) for _ in range(60)]:
        for j in range(0, 40, 4):
            v = rng.randint(-(2**31), 2**31 - 1)
            engines("fill", addr + j, v)
        a, b = engines("memop", addr)
        assert a == b, (addr, a, b)
    for addr in (65535 - 31, 65535 - 18, 65530, 65536, -1):
        a, b = engines("memop", addr)
        assert a == b and (addr == 65535 - 31 or a == ("trap", "out of bounds memory access")), (addr, a, b)


V128_FUNCS = """
(module
  (func (export "add") (param v128 v128) (result v128) local.get 0 local.get 1 i32x4.add)
  (func (export "mix") (param i32 v128 f64) (result v128 f64 i32)
    local.get 1 local.get 2 local.get 0))
"""


def test_v128_crosses_the_python_boundary_as_ints() -> None:
    e = jit.Instance(jit.Module(wat(V128_FUNCS))).exports
    lanes = lambda *xs: sum((x & 0xFFFFFFFF) << (32 * i) for i, x in enumerate(xs))  # noqa: E731
    assert e.add(lanes(1, 2, 3, 4), lanes(10, 20, 30, -4)) == lanes(11, 22, 33, 0)
    assert e.add(-1, 1) == lanes(0, -1, -1, -1)              # -1: all ones
    assert e.add.call_raw([lanes(1, 1, 1, 1), lanes(2, 2, 2, 2)]) == [lanes(3, 3, 3, 3)]
    assert e.mix(-5, 2**127, 1.5) == (2**127, 1.5, -5)
    assert e.mix.call_raw([0xFFFFFFFB, 2**127, 0x3FF8000000000000]) == [2**127, 0x3FF8000000000000,
                                                                         0xFFFFFFFB]
    with pytest.raises(jit.Error, match="v128"):
        e.add(2**128, 0)
    with pytest.raises(jit.Error, match="v128"):
        e.add.call_raw([-1, 0])                              # raw bits are unsigned
    with pytest.raises(jit.Error, match="expected 2 argument"):
        e.add(1)


def test_simd_needs_the_cpu_features(monkeypatch) -> None:
    from jit.x64 import simd
    monkeypatch.setattr(simd, "host_features", lambda: frozenset({"sse4_1"}))
    with pytest.raises(jit.CompileError, match="SIMD needs the CPU features ssse3, sse4_2"):
        jit.Module(wat(V128_FUNCS))


def test_v128_globals_from_python() -> None:
    module = jit.Module(wat("""
      (module
        (import "env" "seed" (global $seed v128))
        (global $g (export "g") (mut v128) (global.get $seed))
        (func (export "bump") (global.set $g (i64x2.add (global.get $g) (v128.const i64x2 1 1)))))"""))
    seed = jit.Global("v128", (7 << 64) | 5)
    assert seed.value == seed.value_raw == (7 << 64) | 5
    e = jit.Instance(module, {"env": {"seed": seed}}).exports
    e.bump()
    assert e.g.value == (8 << 64) | 6
    e.g.value = -1
    assert e.g.value_raw == (1 << 128) - 1
    e.g.value_raw = 2**127
    e.bump()
    assert e.g.value == 2**127 | (1 << 64) | 1
    with pytest.raises(jit.Error, match="v128"):
        e.g.value_raw = -1
    with pytest.raises(jit.Error, match="v128"):
        e.g.value = 2**128
