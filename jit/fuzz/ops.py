"""The numeric instructions the fuzzer generates, as one table: name, encoding, operand types, result.

Flags: ``NAN`` — the result may be a NaN whose bits the spec leaves nondeterministic (arithmetic
NaN); ``LEAK`` — the instruction exposes a float's bits (sign or payload) as an integer, so in
"raw NaN" modules it is not generated; ``TRAP`` — may trap (kept for statistics and weighting).
"""
from __future__ import annotations

from dataclasses import dataclass

from .encoding import F32, F64, I32, I64

NAN, LEAK, TRAP = 1, 2, 4


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
