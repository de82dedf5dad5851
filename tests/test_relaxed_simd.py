"""Relaxed SIMD: every instruction's result is one the spec allows, on random and edge inputs, with the
VEX (AVX/FMA) forms and with the SSE4.1 forms (the CPU probe masked); the documented choice is the one
taken; the same inputs always give the same result; and the spec suite passes in both modes.
"""
from __future__ import annotations

import functools
import math
import random
import struct
from fractions import Fraction
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.abi.cpu import host_features
from jit.x64.lower import relaxed_simd

pytestmark = needs_wat2wasm

SPEC3 = Path(__file__).resolve().parents[1] / ".." / "shared" / "spectest3" / "relaxed-simd"
UNARY = ["i32x4.relaxed_trunc_f32x4_s", "i32x4.relaxed_trunc_f32x4_u", "i32x4.relaxed_trunc_f64x2_s_zero",
         "i32x4.relaxed_trunc_f64x2_u_zero"]
BINARY = ["i8x16.relaxed_swizzle", "f32x4.relaxed_min", "f32x4.relaxed_max", "f64x2.relaxed_min",
          "f64x2.relaxed_max", "i16x8.relaxed_q15mulr_s", "i16x8.relaxed_dot_i8x16_i7x16_s"]
TERNARY = ["f32x4.relaxed_madd", "f32x4.relaxed_nmadd", "f64x2.relaxed_madd", "f64x2.relaxed_nmadd",
           "i8x16.relaxed_laneselect", "i16x8.relaxed_laneselect", "i32x4.relaxed_laneselect",
           "i64x2.relaxed_laneselect", "i32x4.relaxed_dot_i8x16_i7x16_add_s"]
ALL = UNARY + BINARY + TERNARY


@functools.cache
def _module() -> bytes:
    funcs = []
    for names, n in ((UNARY, 1), (BINARY, 2), (TERNARY, 3)):
        for name in names:
            params = " ".join(["v128"] * n)
            gets = " ".join(f"local.get {i}" for i in range(n))
            funcs.append(f'(func (export "{name}") (param {params}) (result v128) {gets} {name})')
    return wat("(module " + "\n".join(funcs) + ")")




@pytest.fixture(params=["host", "sse4"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sse4":
        monkeypatch.setattr(relaxed_simd, "host_features", lambda: host_features() - {"avx", "fma"})
    return request.param


# ------------------------------------------------------------------ lanes
def lanes(v: int, bits: int) -> list[int]:
    return [(v >> (i * bits)) & ((1 << bits) - 1) for i in range(128 // bits)]


def join(ls: list[int], bits: int) -> int:
    return sum((x & ((1 << bits) - 1)) << (i * bits) for i, x in enumerate(ls))


def signed(x: int, bits: int) -> int:
    return x - (1 << bits) if x >> (bits - 1) else x


def f32(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def f64(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def bits32(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def bits64(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def is_nan(b: int, fbits: int) -> bool:
    return math.isnan(f32(b) if fbits == 32 else f64(b))


# ------------------------------------------------------------------ allowed results, lane by lane
def allowed_trunc(x: float, unsigned: bool) -> set[int]:
    lo, hi = (0, 2**32 - 1) if unsigned else (-(2**31), 2**31 - 1)
    other = 0xFFFFFFFF if unsigned else 0x80000000
    if math.isnan(x):
        return {0, other}
    t = math.trunc(x) if math.isfinite(x) else (hi + 1 if x > 0 else lo - 1)
    if lo <= t <= hi:
        return {t & 0xFFFFFFFF}
    return {min(max(t, lo), hi) & 0xFFFFFFFF, other}


def round_to(fbits: int, q: Fraction | float) -> int:
    try:
        x = float(q)    # correctly rounded to f64 (f32: rounded again, fine for these inputs)
    except OverflowError:
        x = math.inf if q > 0 else -math.inf
    if fbits == 32 and abs(x) >= 2.0**128 - 2.0**103:
        return 0x7F800000 | (0x80000000 if x < 0 else 0)
    return bits32(x) if fbits == 32 else bits64(x)


def allowed_madd(a: int, b: int, c: int, fbits: int, negate: bool) -> set[int] | None:
    """None: any NaN is allowed."""
    fa, fb, fc = (f32(a), f32(b), f32(c)) if fbits == 32 else (f64(a), f64(b), f64(c))
    if not all(map(math.isfinite, (fa, fb, fc))):
        return None if any(map(math.isnan, (fa, fb, fc))) else set()
    sign = -1 if negate else 1
    exact = sign * Fraction(fa) * Fraction(fb) + Fraction(fc)
    product = round_to(fbits, Fraction(fa) * Fraction(fb))
    fp = f32(product) if fbits == 32 else f64(product)
    unfused = round_to(fbits, sign * Fraction(fp) + Fraction(fc)) if math.isfinite(fp) else None
    out = {round_to(fbits, exact)} if exact != 0 else {0, 1 << (fbits - 1)}
    if unfused is not None:
        out.add(unfused)
    return out


def allowed_minmax(a: int, b: int, fbits: int, is_min: bool) -> set[int] | None:
    fa, fb = (f32(a), f32(b)) if fbits == 32 else (f64(a), f64(b))
    if math.isnan(fa) or math.isnan(fb):
        return None
    if fa == fb == 0 and a != b:
        return {a, b}
    return {a if (fa < fb) == is_min or fa == fb else b}


def dot_pairs(a: list[int], b: list[int]) -> list[set[int]]:
    """Per i16 lane: the sums a spec-conforming relaxed_dot may give (b signed or unsigned, i16 sum
    wrapped or saturated)."""
    out = []
    for i in range(0, 16, 2):
        sums = set()
        for interp in (signed, lambda x, _b: x):
            s = signed(a[i], 8) * interp(b[i], 8) + signed(a[i + 1], 8) * interp(b[i + 1], 8)
            sums |= {s, max(-32768, min(32767, s)), signed(s & 0xFFFF, 16)}
        out.append(sums)
    return out


def check(name: str, args: list[int], got: int) -> None:
    shape = name[:5]
    what = f"{name}({', '.join(hex(a) for a in args)}) = {got:#x}"
    if name == "i8x16.relaxed_swizzle":
        a, s = lanes(args[0], 8), lanes(args[1], 8)
        for i, (g, j) in enumerate(zip(lanes(got, 8), s, strict=True)):
            ok = {a[j]} if j < 16 else {0} if j >= 128 else {0, a[j & 15]}
            assert g in ok, f"{what}: lane {i}"
    elif "relaxed_trunc" in name:
        unsigned = "_u" in name
        if "f32x4" in name:
            xs = [f32(x) for x in lanes(args[0], 32)]
        else:
            xs = [f64(x) for x in lanes(args[0], 64)]
        g = lanes(got, 32)
        for i, x in enumerate(xs):
            assert g[i] in allowed_trunc(x, unsigned), f"{what}: lane {i}"
        assert g[len(xs):] == [0] * (4 - len(xs)), what
    elif "madd" in name:
        fbits = 32 if shape == "f32x4" else 64
        for i, (a, b, c, g) in enumerate(zip(*(lanes(x, fbits) for x in (*args, got)), strict=True)):
            ok = allowed_madd(a, b, c, fbits, "nmadd" in name)
            assert (is_nan(g, fbits) if ok is None else g in ok or not ok), f"{what}: lane {i}"
    elif "laneselect" in name:
        lb = {"i8x16": 8, "i16x8": 16, "i32x4": 32, "i64x2": 64}[shape]
        full = (1 << lb) - 1
        for i, (a, b, m, g) in enumerate(zip(*(lanes(x, lb) for x in (*args, got)), strict=True)):
            ok = {(a & m) | (b & ~m & full), a if m >> (lb - 1) else b}
            if m in (0, full):
                ok = {a if m else b}
            assert g in ok, f"{what}: lane {i}"
    elif "relaxed_min" in name or "relaxed_max" in name:
        fbits = 32 if shape == "f32x4" else 64
        for i, (a, b, g) in enumerate(zip(*(lanes(x, fbits) for x in (*args, got)), strict=True)):
            ok = allowed_minmax(a, b, fbits, name.endswith("min"))
            assert (is_nan(g, fbits) or g in (a, b)) if ok is None else g in ok, f"{what}: lane {i}"
    elif name == "i16x8.relaxed_q15mulr_s":
        for i, (a, b, g) in enumerate(zip(*(lanes(x, 16) for x in (*args, got)), strict=True)):
            r = (signed(a, 16) * signed(b, 16) + 0x4000) >> 15
            assert g in {min(r, 0x7FFF) & 0xFFFF, r & 0xFFFF}, f"{what}: lane {i}"
    elif name == "i16x8.relaxed_dot_i8x16_i7x16_s":
        for i, (ok, g) in enumerate(zip(dot_pairs(lanes(args[0], 8), lanes(args[1], 8)), lanes(got, 16),
                                        strict=True)):
            assert g in {s & 0xFFFF for s in ok}, f"{what}: lane {i}"
    elif name == "i32x4.relaxed_dot_i8x16_i7x16_add_s":
        pairs = dot_pairs(lanes(args[0], 8), lanes(args[1], 8))
        c = lanes(args[2], 32)
        for i, g in enumerate(lanes(got, 32)):
            ok = {(x + y + c[i]) & 0xFFFFFFFF for x in pairs[2 * i] for y in pairs[2 * i + 1]}
            assert g in ok, f"{what}: lane {i}"
    else:
        raise AssertionError(name)


# ------------------------------------------------------------------ inputs
F32_EDGES = [0, 0x80000000, 0x7FC00000, 0xFFC00000, 0x7F800000, 0xFF800000, 0x3F800000, 0xBF800000,
             0x4F000000, 0x4F7FFFFF, 0x4F800000, 0xCF000000, 0xCF000001, 0x3F7FFFFF, 0xBF7FFFFF, 0x7F7FFFFF,
             0x00000001, 0x5F800000]
F64_EDGES = [0, 1 << 63, 0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000000,
             0x3FF0000000000000, 0xBFF0000000000000, 0x41E0000000000000, 0x41EFFFFFFFE00000,
             0x41F0000000000000, 0xC1E0000000000000, 0xC1E0000000200000, 0x3FEFFFFFFFFFFFFF,
             0xBFF0000000000001, 0x7FEFFFFFFFFFFFFF, 1]


def rand_v128(rng: random.Random, name: str) -> int:
    shape = name[:5]
    pick = rng.random()
    if ("f32x4" in name or "madd" in name and shape == "f32x4" or "_min" in name or "_max" in name) \
            and shape == "f32x4" or "trunc_f32x4" in name:
        return join([rng.choice(F32_EDGES) if pick < 0.5 else bits32(rng.uniform(-5e9, 5e9))
                     for _ in range(4)], 32)
    if shape == "f64x2" or "trunc_f64x2" in name:
        return join([rng.choice(F64_EDGES) if pick < 0.5 else bits64(rng.uniform(-5e9, 5e9))
                     for _ in range(2)], 64)
    if pick < 0.3:
        return join([rng.choice((0, 0x7F, 0x80, 0xFF, 0x0F, 0x10)) for _ in range(16)], 8)
    return rng.getrandbits(128)


@pytest.mark.parametrize("name", ALL)
def test_results_are_allowed(name: str, mode: str) -> None:
    inst = jit.Instance(jit.Module(_module()), {})
    fn = inst.exports[name]
    rng = random.Random(name)
    nargs = 1 if name in UNARY else 2 if name in BINARY else 3
    for _ in range(300):
        args = [rand_v128(rng, name) for _ in range(nargs)]
        got = fn(*args)
        check(name, args, got)
        assert fn(*args) == got, "the same inputs give the same result"


def _call(name: str, *args: int) -> int:
    return jit.Instance(jit.Module(_module()), {}).exports[name](*args)


def test_documented_choices(mode: str) -> None:
    feats = relaxed_simd.host_features()
    # madd: 1.0000001 * 1.0000153 - 1.0000154 is 2^-46 fused; unfused the product rounds it away
    a, b, c = 0x3F800001, 0x3F800080, 0xBF800081
    got = lanes(_call("f32x4.relaxed_madd", *(join([x] * 4, 32) for x in (a, b, c))), 32)[0]
    fused = round_to(32, Fraction(f32(a)) * Fraction(f32(b)) + Fraction(f32(c)))
    assert (got == fused) == ("fma" in feats), hex(got)
    # laneselect with a mask whose top bit is set but not all ones
    m = join([0x80000000, 0x7FFFFFFF, 0xFFFFFFFF, 0], 32)
    got = _call("i32x4.relaxed_laneselect", join([1, 2, 3, 4], 32), join([5, 6, 7, 8], 32), m)
    expect = [1, 6, 3, 8] if "avx" in feats else [5, 2, 3, 8]     # top bits / bitselect
    assert lanes(got, 32) == expect
    # i16x8 is always bitselect
    a, b, m = join([0x1234] * 8, 16), join([0x5678] * 8, 16), join([0xFF00] * 8, 16)
    got = _call("i16x8.relaxed_laneselect", a, b, m)
    assert lanes(got, 16) == [0x1278] * 8
    # min: the first operand when either is NaN (as pmin)
    nan, one = join([0x7FC00001, 0, 0, 0], 32), join([0x3F800000] * 4, 32)
    assert lanes(_call("f32x4.relaxed_min", nan, one), 32)[0] == 0x7FC00001
    assert lanes(_call("f32x4.relaxed_max", one, nan), 32)[0] == 0x3F800000
    # q15mulr does not saturate; trunc_u saturates, trunc_s gives INT_MIN
    big = join([0x8000] * 8, 16)
    assert lanes(_call("i16x8.relaxed_q15mulr_s", big, big), 16) == [0x8000] * 8
    xs = join([0x7FC00000, 0xBF800000, 0x4F800000, 0x4F000000], 32)
    ones, int_min = 0xFFFFFFFF, 0x80000000
    assert lanes(_call("i32x4.relaxed_trunc_f32x4_u", xs), 32) == [0, 0, ones, int_min]
    assert lanes(_call("i32x4.relaxed_trunc_f32x4_s", xs), 32) == [int_min, ones, int_min, int_min]


@pytest.mark.skipif(not SPEC3.is_dir(), reason="no ../shared/spectest3")
@pytest.mark.parametrize("name", sorted(p.name for p in SPEC3.iterdir()) if SPEC3.is_dir() else [])
def test_spec_suite(name: str, mode: str) -> None:
    from jit.specrunner import run_file
    result = run_file(SPEC3 / name / f"{name}.json")
    assert result.failed == 0 and result.passed > 0, result.failures[:3]


def test_disabled_by_features() -> None:
    from jit.wasm import validate
    data = wat("(module (func (param v128) (result v128) local.get 0 i32x4.relaxed_trunc_f32x4_s))")
    with pytest.raises(jit.CompileError, match=r"unsupported proposal 'relaxed SIMD' \(at offset 0x1b\)"):
        validate(data, features=jit.Features(relaxed_simd=False))
    validate(data, features=jit.Features(extended_const=False))
    validate(data)
