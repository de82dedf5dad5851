"""The numeric instructions the fuzzer generates, as one table: name, encoding, operand types, result.

Flags: ``NAN`` — the result may be a NaN whose bits the spec leaves nondeterministic (arithmetic
NaN); ``LEAK`` — the instruction exposes a float's bits (sign or payload) as an integer, so in
"raw NaN" modules it is not generated; ``TRAP`` — may trap (kept for statistics and weighting);
``RELAXED`` — a relaxed SIMD instruction (Wasm 3.0): its result is one of a few the spec allows, so
the oracle accepts wasmtime's deterministic or its native result (``jit.fuzz.oracle``).
"""
from __future__ import annotations

from dataclasses import dataclass

from .encoding import F32, F64, I32, I64, V128, uleb

NAN, LEAK, TRAP, RELAXED = 1, 2, 4, 8


@dataclass(frozen=True)
class NumOp:
    """One numeric instruction: ``code`` is its full encoding (prefix included)."""

    name: str
    code: bytes
    params: tuple[int, ...]
    result: int
    flags: int = 0


def _table() -> list[NumOp]:
    ops: list[NumOp] = []

    def add(name: str, code: int | bytes, params: tuple[int, ...], result: int, flags: int = 0) -> None:
        ops.append(NumOp(name, bytes([code]) if isinstance(code, int) else code, params, result, flags))

    for t, base_test, base_cmp, base_arith, names in (
        (I32, 0x45, 0x46, 0x67, "i32"),
        (I64, 0x50, 0x51, 0x79, "i64"),
    ):
        add(f"{names}.eqz", base_test, (t,), I32)
        for k, cmp in enumerate(("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u")):
            add(f"{names}.{cmp}", base_cmp + k, (t, t), I32)
        for k, un in enumerate(("clz", "ctz", "popcnt")):
            add(f"{names}.{un}", base_arith + k, (t,), t)
        for k, bin_ in enumerate(("add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor",
                                  "shl", "shr_s", "shr_u", "rotl", "rotr")):
            add(f"{names}.{bin_}", base_arith + 3 + k, (t, t), t, TRAP if bin_[:3] in ("div", "rem") else 0)
    for t, base_cmp, base_arith, names in ((F32, 0x5B, 0x8B, "f32"), (F64, 0x61, 0x99, "f64")):
        for k, cmp in enumerate(("eq", "ne", "lt", "gt", "le", "ge")):
            add(f"{names}.{cmp}", base_cmp + k, (t, t), I32)
        for k, un in enumerate(("abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt")):
            add(f"{names}.{un}", base_arith + k, (t,), t, 0 if un in ("abs", "neg") else NAN)
        for k, bin_ in enumerate(("add", "sub", "mul", "div", "min", "max", "copysign")):
            add(f"{names}.{bin_}", base_arith + 7 + k, (t, t), t, LEAK if bin_ == "copysign" else NAN)
    conversions = [
        ("i32.wrap_i64", 0xA7, I64, I32, 0),
        ("i32.trunc_f32_s", 0xA8, F32, I32, TRAP), ("i32.trunc_f32_u", 0xA9, F32, I32, TRAP),
        ("i32.trunc_f64_s", 0xAA, F64, I32, TRAP), ("i32.trunc_f64_u", 0xAB, F64, I32, TRAP),
        ("i64.extend_i32_s", 0xAC, I32, I64, 0), ("i64.extend_i32_u", 0xAD, I32, I64, 0),
        ("i64.trunc_f32_s", 0xAE, F32, I64, TRAP), ("i64.trunc_f32_u", 0xAF, F32, I64, TRAP),
        ("i64.trunc_f64_s", 0xB0, F64, I64, TRAP), ("i64.trunc_f64_u", 0xB1, F64, I64, TRAP),
        ("f32.convert_i32_s", 0xB2, I32, F32, 0), ("f32.convert_i32_u", 0xB3, I32, F32, 0),
        ("f32.convert_i64_s", 0xB4, I64, F32, 0), ("f32.convert_i64_u", 0xB5, I64, F32, 0),
        ("f32.demote_f64", 0xB6, F64, F32, NAN),
        ("f64.convert_i32_s", 0xB7, I32, F64, 0), ("f64.convert_i32_u", 0xB8, I32, F64, 0),
        ("f64.convert_i64_s", 0xB9, I64, F64, 0), ("f64.convert_i64_u", 0xBA, I64, F64, 0),
        ("f64.promote_f32", 0xBB, F32, F64, NAN),
        ("i32.reinterpret_f32", 0xBC, F32, I32, LEAK), ("i64.reinterpret_f64", 0xBD, F64, I64, LEAK),
        ("f32.reinterpret_i32", 0xBE, I32, F32, 0), ("f64.reinterpret_i64", 0xBF, I64, F64, 0),
        ("i32.extend8_s", 0xC0, I32, I32, 0), ("i32.extend16_s", 0xC1, I32, I32, 0),
        ("i64.extend8_s", 0xC2, I64, I64, 0), ("i64.extend16_s", 0xC3, I64, I64, 0),
        ("i64.extend32_s", 0xC4, I64, I64, 0),
    ]
    for name, code, src, dst, flags in conversions:
        add(name, code, (src,), dst, flags)
    sat = [("i32.trunc_sat_f32_s", F32, I32), ("i32.trunc_sat_f32_u", F32, I32),
           ("i32.trunc_sat_f64_s", F64, I32), ("i32.trunc_sat_f64_u", F64, I32),
           ("i64.trunc_sat_f32_s", F32, I64), ("i64.trunc_sat_f32_u", F32, I64),
           ("i64.trunc_sat_f64_s", F64, I64), ("i64.trunc_sat_f64_u", F64, I64)]
    for k, (name, src, dst) in enumerate(sat):
        add(name, bytes([0xFC, k]), (src,), dst)
    return ops


NUM_OPS: list[NumOp] = _table()

# SIMD (0xFD prefix): (sub-opcode, name, signature, flags). Signature letters: i i32, l i64, f f32,
# d f64, v v128. Written from the spec's opcode list, independently of jit.wasm.
_SIMD: list[tuple[int, str, str, int]] = [
    (0x0E, "i8x16.swizzle", "vv>v", 0),
    (0x0F, "i8x16.splat", "i>v", 0), (0x10, "i16x8.splat", "i>v", 0), (0x11, "i32x4.splat", "i>v", 0),
    (0x12, "i64x2.splat", "l>v", 0), (0x13, "f32x4.splat", "f>v", 0), (0x14, "f64x2.splat", "d>v", 0),
    *[(0x23 + k, f"i8x16.{c}", "vv>v", 0) for k, c in enumerate(
        ("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"))],
    *[(0x2D + k, f"i16x8.{c}", "vv>v", 0) for k, c in enumerate(
        ("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"))],
    *[(0x37 + k, f"i32x4.{c}", "vv>v", 0) for k, c in enumerate(
        ("eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"))],
    *[(0x41 + k, f"f32x4.{c}", "vv>v", 0) for k, c in enumerate(("eq", "ne", "lt", "gt", "le", "ge"))],
    *[(0x47 + k, f"f64x2.{c}", "vv>v", 0) for k, c in enumerate(("eq", "ne", "lt", "gt", "le", "ge"))],
    (0x4D, "v128.not", "v>v", 0), (0x4E, "v128.and", "vv>v", 0), (0x4F, "v128.andnot", "vv>v", 0),
    (0x50, "v128.or", "vv>v", 0), (0x51, "v128.xor", "vv>v", 0), (0x52, "v128.bitselect", "vvv>v", 0),
    (0x53, "v128.any_true", "v>i", 0),
    (0x5E, "f32x4.demote_f64x2_zero", "v>v", NAN), (0x5F, "f64x2.promote_low_f32x4", "v>v", NAN),
    (0x60, "i8x16.abs", "v>v", 0), (0x61, "i8x16.neg", "v>v", 0), (0x62, "i8x16.popcnt", "v>v", 0),
    (0x63, "i8x16.all_true", "v>i", 0), (0x64, "i8x16.bitmask", "v>i", 0),
    (0x65, "i8x16.narrow_i16x8_s", "vv>v", 0), (0x66, "i8x16.narrow_i16x8_u", "vv>v", 0),
    (0x67, "f32x4.ceil", "v>v", NAN), (0x68, "f32x4.floor", "v>v", NAN), (0x69, "f32x4.trunc", "v>v", NAN),
    (0x6A, "f32x4.nearest", "v>v", NAN),
    (0x6B, "i8x16.shl", "vi>v", 0), (0x6C, "i8x16.shr_s", "vi>v", 0), (0x6D, "i8x16.shr_u", "vi>v", 0),
    (0x6E, "i8x16.add", "vv>v", 0), (0x6F, "i8x16.add_sat_s", "vv>v", 0),
    (0x70, "i8x16.add_sat_u", "vv>v", 0),
    (0x71, "i8x16.sub", "vv>v", 0), (0x72, "i8x16.sub_sat_s", "vv>v", 0),
    (0x73, "i8x16.sub_sat_u", "vv>v", 0),
    (0x74, "f64x2.ceil", "v>v", NAN), (0x75, "f64x2.floor", "v>v", NAN),
    (0x76, "i8x16.min_s", "vv>v", 0), (0x77, "i8x16.min_u", "vv>v", 0), (0x78, "i8x16.max_s", "vv>v", 0),
    (0x79, "i8x16.max_u", "vv>v", 0), (0x7A, "f64x2.trunc", "v>v", NAN), (0x7B, "i8x16.avgr_u", "vv>v", 0),
    (0x7C, "i16x8.extadd_pairwise_i8x16_s", "v>v", 0), (0x7D, "i16x8.extadd_pairwise_i8x16_u", "v>v", 0),
    (0x7E, "i32x4.extadd_pairwise_i16x8_s", "v>v", 0), (0x7F, "i32x4.extadd_pairwise_i16x8_u", "v>v", 0),
    (0x80, "i16x8.abs", "v>v", 0), (0x81, "i16x8.neg", "v>v", 0), (0x82, "i16x8.q15mulr_sat_s", "vv>v", 0),
    (0x83, "i16x8.all_true", "v>i", 0), (0x84, "i16x8.bitmask", "v>i", 0),
    (0x85, "i16x8.narrow_i32x4_s", "vv>v", 0), (0x86, "i16x8.narrow_i32x4_u", "vv>v", 0),
    (0x87, "i16x8.extend_low_i8x16_s", "v>v", 0), (0x88, "i16x8.extend_high_i8x16_s", "v>v", 0),
    (0x89, "i16x8.extend_low_i8x16_u", "v>v", 0), (0x8A, "i16x8.extend_high_i8x16_u", "v>v", 0),
    (0x8B, "i16x8.shl", "vi>v", 0), (0x8C, "i16x8.shr_s", "vi>v", 0), (0x8D, "i16x8.shr_u", "vi>v", 0),
    (0x8E, "i16x8.add", "vv>v", 0), (0x8F, "i16x8.add_sat_s", "vv>v", 0),
    (0x90, "i16x8.add_sat_u", "vv>v", 0),
    (0x91, "i16x8.sub", "vv>v", 0), (0x92, "i16x8.sub_sat_s", "vv>v", 0),
    (0x93, "i16x8.sub_sat_u", "vv>v", 0),
    (0x94, "f64x2.nearest", "v>v", NAN), (0x95, "i16x8.mul", "vv>v", 0),
    (0x96, "i16x8.min_s", "vv>v", 0), (0x97, "i16x8.min_u", "vv>v", 0), (0x98, "i16x8.max_s", "vv>v", 0),
    (0x99, "i16x8.max_u", "vv>v", 0), (0x9B, "i16x8.avgr_u", "vv>v", 0),
    (0x9C, "i16x8.extmul_low_i8x16_s", "vv>v", 0), (0x9D, "i16x8.extmul_high_i8x16_s", "vv>v", 0),
    (0x9E, "i16x8.extmul_low_i8x16_u", "vv>v", 0), (0x9F, "i16x8.extmul_high_i8x16_u", "vv>v", 0),
    (0xA0, "i32x4.abs", "v>v", 0), (0xA1, "i32x4.neg", "v>v", 0),
    (0xA3, "i32x4.all_true", "v>i", 0), (0xA4, "i32x4.bitmask", "v>i", 0),
    (0xA7, "i32x4.extend_low_i16x8_s", "v>v", 0), (0xA8, "i32x4.extend_high_i16x8_s", "v>v", 0),
    (0xA9, "i32x4.extend_low_i16x8_u", "v>v", 0), (0xAA, "i32x4.extend_high_i16x8_u", "v>v", 0),
    (0xAB, "i32x4.shl", "vi>v", 0), (0xAC, "i32x4.shr_s", "vi>v", 0), (0xAD, "i32x4.shr_u", "vi>v", 0),
    (0xAE, "i32x4.add", "vv>v", 0), (0xB1, "i32x4.sub", "vv>v", 0), (0xB5, "i32x4.mul", "vv>v", 0),
    (0xB6, "i32x4.min_s", "vv>v", 0), (0xB7, "i32x4.min_u", "vv>v", 0), (0xB8, "i32x4.max_s", "vv>v", 0),
    (0xB9, "i32x4.max_u", "vv>v", 0), (0xBA, "i32x4.dot_i16x8_s", "vv>v", 0),
    (0xBC, "i32x4.extmul_low_i16x8_s", "vv>v", 0), (0xBD, "i32x4.extmul_high_i16x8_s", "vv>v", 0),
    (0xBE, "i32x4.extmul_low_i16x8_u", "vv>v", 0), (0xBF, "i32x4.extmul_high_i16x8_u", "vv>v", 0),
    (0xC0, "i64x2.abs", "v>v", 0), (0xC1, "i64x2.neg", "v>v", 0),
    (0xC3, "i64x2.all_true", "v>i", 0), (0xC4, "i64x2.bitmask", "v>i", 0),
    (0xC7, "i64x2.extend_low_i32x4_s", "v>v", 0), (0xC8, "i64x2.extend_high_i32x4_s", "v>v", 0),
    (0xC9, "i64x2.extend_low_i32x4_u", "v>v", 0), (0xCA, "i64x2.extend_high_i32x4_u", "v>v", 0),
    (0xCB, "i64x2.shl", "vi>v", 0), (0xCC, "i64x2.shr_s", "vi>v", 0), (0xCD, "i64x2.shr_u", "vi>v", 0),
    (0xCE, "i64x2.add", "vv>v", 0), (0xD1, "i64x2.sub", "vv>v", 0), (0xD5, "i64x2.mul", "vv>v", 0),
    *[(0xD6 + k, f"i64x2.{c}", "vv>v", 0)
      for k, c in enumerate(("eq", "ne", "lt_s", "gt_s", "le_s", "ge_s"))],
    (0xDC, "i64x2.extmul_low_i32x4_s", "vv>v", 0), (0xDD, "i64x2.extmul_high_i32x4_s", "vv>v", 0),
    (0xDE, "i64x2.extmul_low_i32x4_u", "vv>v", 0), (0xDF, "i64x2.extmul_high_i32x4_u", "vv>v", 0),
    (0xE0, "f32x4.abs", "v>v", 0), (0xE1, "f32x4.neg", "v>v", 0), (0xE3, "f32x4.sqrt", "v>v", NAN),
    *[(0xE4 + k, f"f32x4.{c}", "vv>v", NAN)
      for k, c in enumerate(("add", "sub", "mul", "div", "min", "max"))],
    (0xEA, "f32x4.pmin", "vv>v", 0), (0xEB, "f32x4.pmax", "vv>v", 0),
    (0xEC, "f64x2.abs", "v>v", 0), (0xED, "f64x2.neg", "v>v", 0), (0xEF, "f64x2.sqrt", "v>v", NAN),
    *[(0xF0 + k, f"f64x2.{c}", "vv>v", NAN)
      for k, c in enumerate(("add", "sub", "mul", "div", "min", "max"))],
    (0xF6, "f64x2.pmin", "vv>v", 0), (0xF7, "f64x2.pmax", "vv>v", 0),
    (0xF8, "i32x4.trunc_sat_f32x4_s", "v>v", 0), (0xF9, "i32x4.trunc_sat_f32x4_u", "v>v", 0),
    (0xFA, "f32x4.convert_i32x4_s", "v>v", 0), (0xFB, "f32x4.convert_i32x4_u", "v>v", 0),
    (0xFC, "i32x4.trunc_sat_f64x2_s_zero", "v>v", 0), (0xFD, "i32x4.trunc_sat_f64x2_u_zero", "v>v", 0),
    (0xFE, "f64x2.convert_low_i32x4_s", "v>v", 0), (0xFF, "f64x2.convert_low_i32x4_u", "v>v", 0),
    # relaxed SIMD
    (0x100, "i8x16.relaxed_swizzle", "vv>v", RELAXED),
    (0x101, "i32x4.relaxed_trunc_f32x4_s", "v>v", RELAXED),
    (0x102, "i32x4.relaxed_trunc_f32x4_u", "v>v", RELAXED),
    (0x103, "i32x4.relaxed_trunc_f64x2_s_zero", "v>v", RELAXED),
    (0x104, "i32x4.relaxed_trunc_f64x2_u_zero", "v>v", RELAXED),
    *[(0x105 + k, name, "vvv>v", NAN | RELAXED) for k, name in enumerate(
        ("f32x4.relaxed_madd", "f32x4.relaxed_nmadd", "f64x2.relaxed_madd", "f64x2.relaxed_nmadd"))],
    *[(0x109 + k, f"{shape}.relaxed_laneselect", "vvv>v", RELAXED)
      for k, shape in enumerate(("i8x16", "i16x8", "i32x4", "i64x2"))],
    *[(0x10D + k, name, "vv>v", NAN | RELAXED) for k, name in enumerate(
        ("f32x4.relaxed_min", "f32x4.relaxed_max", "f64x2.relaxed_min", "f64x2.relaxed_max"))],
    (0x111, "i16x8.relaxed_q15mulr_s", "vv>v", RELAXED),
    (0x112, "i16x8.relaxed_dot_i8x16_i7x16_s", "vv>v", RELAXED),
    (0x113, "i32x4.relaxed_dot_i8x16_i7x16_add_s", "vvv>v", RELAXED),
]
_LETTER = {"i": I32, "l": I64, "f": F32, "d": F64, "v": V128}
# extract/replace_lane: (sub-opcode, name, lane type letter, lanes)
_LANE_OPS = [(0x15, "i8x16.extract_lane_s", "i", 16), (0x16, "i8x16.extract_lane_u", "i", 16),
             (0x18, "i16x8.extract_lane_s", "i", 8), (0x19, "i16x8.extract_lane_u", "i", 8),
             (0x1B, "i32x4.extract_lane", "i", 4), (0x1D, "i64x2.extract_lane", "l", 2),
             (0x1F, "f32x4.extract_lane", "f", 4), (0x21, "f64x2.extract_lane", "d", 2),
             (0x17, "i8x16.replace_lane", "i", 16), (0x1A, "i16x8.replace_lane", "i", 8),
             (0x1C, "i32x4.replace_lane", "i", 4), (0x1E, "i64x2.replace_lane", "l", 2),
             (0x20, "f32x4.replace_lane", "f", 4), (0x22, "f64x2.replace_lane", "d", 2)]
_SHUFFLES = [bytes(range(16)), bytes(range(16, 32)), bytes(range(15, -1, -1)),
             bytes([0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23]),
             bytes([31, 0, 30, 1, 29, 2, 28, 3, 8, 8, 8, 8, 24, 25, 26, 27]), bytes([5] * 16)]


def _simd_table() -> list[NumOp]:
    ops: list[NumOp] = []
    for sub, name, sig, flags in _SIMD:
        params, result = sig.split(">")
        ops.append(NumOp(name, b"\xfd" + uleb(sub), tuple(_LETTER[c] for c in params), _LETTER[result],
                         flags))
    for sub, name, lane_type, lanes in _LANE_OPS:
        for lane in sorted({0, 1, lanes - 1}):
            code = b"\xfd" + uleb(sub) + bytes([lane])
            if "extract" in name:
                ops.append(NumOp(f"{name} {lane}", code, (V128,), _LETTER[lane_type]))
            else:
                ops.append(NumOp(f"{name} {lane}", code, (V128, _LETTER[lane_type]), V128))
    for k, lanes in enumerate(_SHUFFLES):
        ops.append(NumOp(f"i8x16.shuffle #{k}", b"\xfd\x0d" + lanes, (V128, V128), V128))
    return ops


SIMD_OPS: list[NumOp] = _simd_table()
OPS_BY_NAME: dict[str, NumOp] = {op.name: op for op in NUM_OPS}


@dataclass(frozen=True)
class MemOp:
    """A load or store: ``valtype`` is the value loaded/stored, ``size`` the access width in bytes."""

    name: str
    code: int
    valtype: int
    size: int
    store: bool


MEM_OPS: list[MemOp] = [
    MemOp("i32.load", 0x28, I32, 4, False), MemOp("i64.load", 0x29, I64, 8, False),
    MemOp("f32.load", 0x2A, F32, 4, False), MemOp("f64.load", 0x2B, F64, 8, False),
    MemOp("i32.load8_s", 0x2C, I32, 1, False), MemOp("i32.load8_u", 0x2D, I32, 1, False),
    MemOp("i32.load16_s", 0x2E, I32, 2, False), MemOp("i32.load16_u", 0x2F, I32, 2, False),
    MemOp("i64.load8_s", 0x30, I64, 1, False), MemOp("i64.load8_u", 0x31, I64, 1, False),
    MemOp("i64.load16_s", 0x32, I64, 2, False), MemOp("i64.load16_u", 0x33, I64, 2, False),
    MemOp("i64.load32_s", 0x34, I64, 4, False), MemOp("i64.load32_u", 0x35, I64, 4, False),
    MemOp("i32.store", 0x36, I32, 4, True), MemOp("i64.store", 0x37, I64, 8, True),
    MemOp("f32.store", 0x38, F32, 4, True), MemOp("f64.store", 0x39, F64, 8, True),
    MemOp("i32.store8", 0x3A, I32, 1, True), MemOp("i32.store16", 0x3B, I32, 2, True),
    MemOp("i64.store8", 0x3C, I64, 1, True), MemOp("i64.store16", 0x3D, I64, 2, True),
    MemOp("i64.store32", 0x3E, I64, 4, True),
]
LOADS_BY_TYPE: dict[int, list[MemOp]] = {t: [m for m in MEM_OPS if not m.store and m.valtype == t]
                                         for t in (I32, I64, F32, F64)}
STORES: list[MemOp] = [m for m in MEM_OPS if m.store]


def ops_producing(result: int) -> list[NumOp]:
    return [op for op in NUM_OPS if op.result == result]
