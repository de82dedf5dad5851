"""Division and remainder by constants (shifts, masks, multiply-high) against wasmtime, bit for bit.

Every ``i32``/``i64`` ``div_s``/``div_u``/``rem_s``/``rem_u`` by each edge divisor (0, ±1, powers of
two and their neighbours, INT_MIN, INT_MAX, the all-ones pattern, 3, 7, 641, 65521, ...) is compiled
with the dividend in three places the lowering treats differently (a local in memory, a value in a
register, a register-pinned local) and called with edge and random dividends in both engines: same
result or same trap (``INT_MIN / -1`` overflows; a zero divisor divides by zero). The magic constants
themselves are checked exhaustively near every multiple of the divisor.
"""
from __future__ import annotations

import random

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.x64.lower.divmagic import signed_magic, unsigned_magic

wasmtime = pytest.importorskip("wasmtime", reason="the wasmtime package is the reference engine")
pytestmark = needs_wat2wasm

KINDS = ("div_s", "div_u", "rem_s", "rem_u")
SIZES = {"i32": 32, "i64": 64}


def divisors(bits: int) -> list[int]:
    """Edge divisors as bit patterns."""
    top = 1 << bits
    half = 1 << (bits - 1)
    out = {0, 1, top - 1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 25, 100, 125, 641, 1000, 65521, 65535, 65537,
           1000000007, half - 1, half, half + 1, top - 2, top - 3, top - 7}
    for k in (4, 8, 16, 30, 31, 32, 33, 62, 63):
        if k < bits:
            out |= {1 << k, (1 << k) - 1, (1 << k) + 1, top - (1 << k), top - (1 << k) + 1}
    rng = random.Random(bits)
    out |= {rng.randrange(top) for _ in range(6)}
    return sorted(x % top for x in out)


def dividends(bits: int, rng: random.Random) -> list[int]:
    top = 1 << bits
    half = 1 << (bits - 1)
    base = {0, 1, 2, 3, 6, 7, 8, 65520, 65521, 65522, half - 1, half, half + 1, top - 1, top - 2, top - 7,
            top - 65521, 4294967295, 4294967296, 4294967297}
    base |= {rng.randrange(top) for _ in range(10)}
    base |= {rng.randrange(1 << 20) for _ in range(4)}
    return sorted(x % top for x in base)


def s(x: int, bits: int) -> int:
    return x - (1 << bits) if x >> (bits - 1) else x


def build_module() -> tuple[bytes, list[tuple[str, str, int]]]:
    funcs, cases = [], []
    for p, bits in SIZES.items():
        for kind in KINDS:
            for d in divisors(bits):
                const = f"({p}.const {s(d, bits)})"
                body = {
                    # dividend read from its memory home (one use: not pinned)
                    "m": f"(local.get 0) {const} ({p}.{kind})",
                    # dividend in a register the lowering owns
                    "r": f"(local.get 0) ({p}.const 0) ({p}.xor) {const} ({p}.{kind})",
                    # dividend in a register-pinned local (used often enough to be pinned)
                    "p": f"(local.get 0) {const} ({p}.{kind}) (local.get 0) (local.get 0) (drop) (drop)",
                }
                for variant, code in body.items():
                    name = f"{p}_{kind}_{d:x}_{variant}"
                    funcs.append(f'(func (export "{name}") (param {p}) (result {p}) {code})')
                    cases.append((name, p, d))
    return wat("(module\n" + "\n".join(funcs) + "\n)"), cases


def outcome_wx(fn, x: int) -> tuple[str, int | str]:
    try:
        return "ok", fn.call_raw([x])[0]
    except jit.Trap as t:
        return "trap", t.kind


TRAPS = {"INTEGER_OVERFLOW": "integer overflow", "INTEGER_DIVISION_BY_ZERO": "integer divide by zero"}


def outcome_wt(store, fn, x: int, bits: int) -> tuple[str, int | str]:
    try:
        r = fn(store, s(x, bits))
        return "ok", r % (1 << bits)
    except wasmtime.Trap as t:
        return "trap", TRAPS.get(t.trap_code.name, t.trap_code.name) if t.trap_code else str(t)


def test_constant_divisors_match_wasmtime() -> None:
    binary, cases = build_module()
    inst = jit.Instance(jit.Module(binary), {})
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wt = wasmtime.Instance(store, wasmtime.Module(engine, binary), [])
    exports = wt.exports(store)
    rng = random.Random(18)
    compared = 0
    mismatches = []
    for name, p, _d in cases:
        bits = SIZES[p]
        fn_wx, fn_wt = inst.exports[name], exports[name]
        for x in dividends(bits, rng):
            a, b = outcome_wx(fn_wx, x), outcome_wt(store, fn_wt, x, bits)
            compared += 1
            if a != b:
                mismatches.append((name, hex(x), a, b))
    assert not mismatches, mismatches[:20]
    assert compared > 10000


def test_traps_of_constant_divisors() -> None:
    inst = jit.Instance(jit.Module(wat("""(module
      (func (export "min_div_m1") (param i32) (result i32) (local.get 0) (i32.const -1) (i32.div_s))
      (func (export "min_rem_m1") (param i64) (result i64) (local.get 0) (i64.const -1) (i64.rem_s))
      (func (export "div_zero") (param i32) (result i32) (local.get 0) (i32.const 0) (i32.div_u))
      (func (export "const_min_div_m1") (result i32)
        (i32.const 0x80000000) (i32.const -1) (i32.div_s)))""")), {})
    ex = inst.exports
    with pytest.raises(jit.Trap, match="integer overflow"):
        ex["min_div_m1"].call_raw([0x80000000])
    assert ex["min_div_m1"].call_raw([5]) == [0xFFFFFFFB]
    assert ex["min_rem_m1"].call_raw([1 << 63]) == [0]
    with pytest.raises(jit.Trap, match="integer divide by zero"):
        ex["div_zero"].call_raw([7])
    with pytest.raises(jit.Trap, match="integer overflow"):
        ex["const_min_div_m1"].call_raw([])


@pytest.mark.parametrize("bits", [32, 64])
def test_magic_constants_exact_near_every_boundary(bits: int) -> None:
    """floor(x*m/2^p) against x // d at the extremes and around multiples of d (the proof's cases)."""
    rng = random.Random(bits)
    ds = [d for d in divisors(bits) if d >= 3 and d & (d - 1)]
    for d in ds + [rng.randrange(3, 1 << bits) | 1 for _ in range(200)]:
        m, p = unsigned_magic(d, bits)
        top = (1 << bits) - 1
        xs = {0, 1, d - 1, d, top, top - top % d - 1, top - top % d} | {rng.randrange(top) for _ in range(50)}
        for x in xs:
            if 0 <= x <= top:
                assert (x * m) >> p == x // d, (d, x)
        if d < 1 << (bits - 1):
            m, p = signed_magic(d, bits)
            half = 1 << (bits - 1)
            for x in xs | {-half, half - 1} | {-y for y in xs}:
                if -half <= x < half:
                    t = (x * m) >> p
                    q = t + (t < 0)
                    assert q == (abs(x) // d) * (1 if x >= 0 else -1), (d, x)
