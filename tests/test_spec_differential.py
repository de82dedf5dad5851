"""Differential check against wasmtime: every numeric export of every core and SIMD spec module.

For each module of ``../shared/spectest/core`` and ``simd`` that has no imports, every exported function whose
parameters are all numeric is called with random arguments (including NaNs, ±0, infinities and
integer extremes) through wxjit (``call_raw``) and through the ``wasmtime`` package, and the results
are compared bit for bit, or the trap kinds (exports with v128 parameters or results are left out:
wasmtime-py cannot pass v128 values). NaN results follow the spec's nondeterminism: both must be
NaN, and either both canonical or both arithmetic (sign free; an arithmetic NaN's payload is free).
wasmtime-py passes f32 values through Python floats, which quiets signalling NaNs, so f32 arguments
are never signalling NaNs and f32 results are compared with the quiet bit set.

Every call has a deadline in both engines (some spec exports loop as often as an argument says).
Modules that contain ``memory.grow`` or ``table.grow`` are left out: how far a memory or table may
grow is an implementation limit (the spec lets ``grow`` fail), so the engines legitimately diverge
(wasmtime grows a table to billions of elements lazily; wxjit caps it at
``Limits.max_table_elements``). The spec suite's own assertions cover those modules.
Run with ``-s`` to see how many calls were compared.
"""
from __future__ import annotations

import random
import struct
import threading
from pathlib import Path

import pytest

import jit
from jit.spectest import json_files, load_commands, spectest_dir
from jit.wasm import op_key
from jit.wasm.types import F32, F64, I32, I64

wasmtime = pytest.importorskip("wasmtime", reason="the wasmtime package is the reference engine")

if spectest_dir() is None:
    pytest.skip("../shared/spectest is absent", allow_module_level=True)

CALLS_PER_EXPORT = 6
DEADLINE = 0.25
NUMERIC = {I32, I64, F32, F64}
TOTALS = {"modules": 0, "calls": 0, "timeouts": 0, "skipped_imports": 0, "skipped_grow": 0}
GROW_OPS = {op_key("memory.grow"), op_key("table.grow")}

# wasmtime trap codes -> the spec's trap texts
TRAP_TEXT = {
    "STACK_OVERFLOW": "call stack exhausted",
    "MEMORY_OUT_OF_BOUNDS": "out of bounds memory access",
    "HEAP_MISALIGNED": "out of bounds memory access",
    "TABLE_OUT_OF_BOUNDS": "out of bounds table access",
    "INDIRECT_CALL_TO_NULL": "uninitialized element",
    "BAD_SIGNATURE": "indirect call type mismatch",
    "INTEGER_OVERFLOW": "integer overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer divide by zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid conversion to integer",
    "UNREACHABLE": "unreachable",
    "INTERRUPT": "interrupted",
}
# wxjit distinguishes an index beyond the table ("undefined element") where wasmtime reports a
# table access; both are the spec's traps for call_indirect.
EQUIVALENT = {("undefined element", "out of bounds table access")}

F32_SPECIAL = [0, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
               0x7FC12345, 0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x80000001, 0x00800000, 0x4B000000,
               0x4F000000, 0xCF000000, 0x5F000000, 0xDF000000]
F64_SPECIAL = [0, 1 << 63, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
               0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000001, 0x7FF0000000000001,
               0x7FEFFFFFFFFFFFFF, 1, 0x41E0000000000000, 0xC1E0000000000000, 0x43E0000000000000,
               0xC3E0000000000000, 0x41DFFFFFFFC00000, 0xC1E0000000200000]
INT_SPECIAL = {32: [0, 1, 2, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFFFFFE, 16, 31, 32],
               64: [0, 1, 2, (1 << 64) - 1, 1 << 63, (1 << 63) - 1, (1 << 64) - 2, 63, 64, 1 << 32]}


def random_bits(rng: random.Random, ty: int) -> int:
    if ty in (I32, I64):
        bits = 32 if ty == I32 else 64
        r = rng.random()
        if r < 0.5:
            return rng.choice(INT_SPECIAL[bits])
        if r < 0.7:
            return rng.randrange(0, 256)
        return rng.getrandbits(bits)
    if ty == F32:
        x = rng.choice(F32_SPECIAL) if rng.random() < 0.5 else rng.getrandbits(32)
        if (x & 0x7F800000) == 0x7F800000 and x & 0x7FFFFF and not x & 0x400000:
            x |= 0x400000        # no signalling NaN arguments for f32 (see module docstring)
        return x
    return rng.choice(F64_SPECIAL) if rng.random() < 0.5 else rng.getrandbits(64)


def to_wasmtime(bits: int, ty: int):
    if ty == I32:
        return wasmtime.Val.i32(bits - (1 << 32) if bits >> 31 else bits)
    if ty == I64:
        return wasmtime.Val.i64(bits - (1 << 64) if bits >> 63 else bits)
    if ty == F32:
        return wasmtime.Val.f32(struct.unpack("<f", struct.pack("<I", bits))[0])
    return wasmtime.Val.f64(struct.unpack("<d", struct.pack("<Q", bits))[0])


def from_wasmtime(value, ty: int) -> int:
    if ty == I32:
        return value & 0xFFFFFFFF
    if ty == I64:
        return value & 0xFFFFFFFFFFFFFFFF
    if ty == F32:
        return struct.unpack("<I", struct.pack("<f", value))[0]
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def is_nan(bits: int, ty: int) -> bool:
    if ty == F32:
        return (bits & 0x7F800000) == 0x7F800000 and bits & 0x7FFFFF != 0
    return (bits & 0x7FF0000000000000) == 0x7FF0000000000000 and bits & 0xFFFFFFFFFFFFF != 0


def is_canonical_nan(bits: int, ty: int) -> bool:
    return (bits & 0x7FFFFF) == 0x400000 if ty == F32 else (bits & 0xFFFFFFFFFFFFF) == 1 << 51


def is_arithmetic_nan(bits: int, ty: int) -> bool:
    return bool(bits & (0x400000 if ty == F32 else 1 << 51))


def same_result(ours: int, theirs: int, ty: int) -> bool:
    """Bit-equal, or both NaNs the spec allows for the same inputs: both canonical, or both
    arithmetic (a non-canonical result means some input NaN was non-canonical, and then any
    arithmetic NaN, canonical included, is a valid result)."""
    if ours == theirs:
        return True
    if ty == F32 and is_nan(ours, ty) and (ours | 0x400000) == theirs:
        return True          # wasmtime-py returned the same NaN quieted by its float conversion
    if ty in (F32, F64) and is_nan(ours, ty):
        if not is_nan(theirs, ty):
            return False
        both_canonical = is_canonical_nan(ours, ty) and is_canonical_nan(theirs, ty)
        return both_canonical or (is_arithmetic_nan(ours, ty) and is_arithmetic_nan(theirs, ty))
    if ty == F32 and is_nan(theirs, ty):
        return False
    return ours == theirs


def call_wxjit(inst, name: str, args: list[int]):
    timer = threading.Timer(DEADLINE, inst.interrupt)
    timer.start()
    try:
        return "ok", inst.exports[name].call_raw(args)
    except jit.Trap as exc:
        return "trap", exc.kind
    finally:
        timer.cancel()


def call_wasmtime(engine, store, func, args: list, results: tuple):
    store.set_epoch_deadline(1)
    timer = threading.Timer(DEADLINE, engine.increment_epoch)
    timer.start()
    try:
        out = func(store, *args)
    except wasmtime.Trap as exc:
        code = exc.trap_code
        return "trap", TRAP_TEXT.get(code.name if code is not None else "", str(exc))
    except wasmtime.WasmtimeError as exc:       # e.g. stack overflow reported as an error
        return "trap", "call stack exhausted" if "stack" in str(exc) else str(exc)
    finally:
        timer.cancel()
    if len(results) == 0:
        return "ok", []
    if len(results) == 1:
        out = [out]
    return "ok", [from_wasmtime(v, t) for v, t in zip(out, results, strict=True)]


def module_paths(json_path: Path) -> list[Path]:
    return [Path(c["filename"]) for c in load_commands(json_path) if c["type"] == "module"]


SUITES = [p for suite in ("core", "simd") for p in json_files(suite)]


@pytest.mark.parametrize("json_path", SUITES, ids=[p.stem for p in SUITES])
def test_numeric_exports_match_wasmtime(json_path: Path) -> None:
    rng = random.Random(json_path.stem)
    config = wasmtime.Config()
    config.epoch_interruption = True
    engine = wasmtime.Engine(config)
    mismatches = []
    for path in module_paths(json_path):
        data = path.read_bytes()
        module = jit.Module(data)
        if module.imports:
            TOTALS["skipped_imports"] += 1
            continue
        if any(insn[0] in GROW_OPS for body in module.wasm.codes for insn in body.code):
            TOTALS["skipped_grow"] += 1
            continue
        try:
            ours = jit.Instance(module, {})
        except jit.Trap:
            continue                     # a start function that traps: covered by the spec run
        store = wasmtime.Store(engine)
        store.set_epoch_deadline(1)
        try:
            theirs = wasmtime.Instance(store, wasmtime.Module(engine, data), [])
        except (wasmtime.Trap, wasmtime.WasmtimeError):
            continue
        TOTALS["modules"] += 1
        exports = theirs.exports(store)
        for name, ftype in module.exports:
            if not isinstance(ftype, jit.wasm.FuncType) or not set(ftype.params) <= NUMERIC \
                    or not set(ftype.results) <= NUMERIC:
                continue
            for _ in range(CALLS_PER_EXPORT):
                args = [random_bits(rng, t) for t in ftype.params]
                a = call_wxjit(ours, name, args)
                b = call_wasmtime(engine, store, exports[name],
                                  [to_wasmtime(x, t) for x, t in zip(args, ftype.params, strict=True)],
                                  ftype.results)
                if "interrupted" in (a[1], b[1]):
                    TOTALS["timeouts"] += 1
                    ours = jit.Instance(module, {})        # the interrupt flag stays set
                    continue
                TOTALS["calls"] += 1
                if a[0] != b[0]:
                    ok = False
                elif a[0] == "trap":
                    ok = a[1] == b[1] or (a[1], b[1]) in EQUIVALENT
                else:
                    ok = all(same_result(x, y, t) for x, y, t in zip(a[1], b[1], ftype.results, strict=True))
                if not ok:
                    call = f"{path.name} {name}{tuple(hex(x) for x in args)}"
                    mismatches.append(f"{call}: wxjit {a} wasmtime {b}")
    assert not mismatches, "\n".join(mismatches[:20])


def test_report_totals() -> None:
    """Prints the totals of the differential runs above (run with -s)."""
    print(f"\nspec differential vs wasmtime: {TOTALS}")
    assert TOTALS["calls"] > 0 or not SUITES
