"""The spec suites (``core`` and ``simd``: all of Wasm 2.0) through ``jit.specrunner``, each file in a
child process, as ``wxjit spec`` runs them.

Every file of both suites must pass completely (every binary command; the text ``assert_malformed``
modules are the only skips). Skips with the reason when ../shared/spectest is absent.

Every file runs with lazy compilation (the default) and, in the slow suite, once more with eager
compilation.

The Wasm 3.0 suite (``../shared/spectest3``, see its README.md) runs the same way for the files listed
in ``SPECTEST3_PASSING``: the ones wxjit passes completely. A file joins the list when the feature it
tests lands (``wxjit spec ../shared/spectest3/<group>`` shows which files pass).
"""
from __future__ import annotations

import json

import pytest

from jit.specrunner import have_text_parser
from jit.spectest import spectest3_dir, spectest_dir

ROOT = spectest_dir()
SUITE_FILES = [(suite, p.name) for suite in ("core", "simd")
               for p in sorted((ROOT / suite).iterdir()) if p.is_dir()] if ROOT else []



def expected_counts(commands: list[dict]) -> tuple[int, int]:
    """(passed, skipped) for a file that wxjit passes completely. Text modules without a binary are
    only in assert_malformed/assert_invalid; they run through the text parser when one is installed
    (they must be rejected), else they are skipped."""
    text_only = sum(1 for c in commands if c.get("module_type") == "text" and "binary_filename" not in c)
    skipped = 0 if have_text_parser() else text_only
    return len(commands) - skipped, skipped


# Modules compile lazily by default (each function on its first call); the slow suite runs every
# file again with eager compilation (WXJIT_LAZY=0 in the child), so both ways pass the whole suite.
EAGER = pytest.param(True, marks=pytest.mark.slow, id="eager")
MODES = [pytest.param(False, id="lazy"), EAGER]


@pytest.mark.skipif(ROOT is None, reason="the spec test suite (../shared/spectest) is not available")
@pytest.mark.parametrize("eager", MODES)
@pytest.mark.parametrize(("suite", "name"), SUITE_FILES, ids=[f"{s}/{n}" for s, n in SUITE_FILES])
def test_spec_file(suite: str, name: str, eager: bool) -> None:
    from jit.specrunner import run_isolated

    path = ROOT / suite / name / f"{name}.json"
    result = run_isolated(path, eager=eager)
    assert result.crash is None, result.crash
    assert result.failures == [], result.failures[:5]
    commands = json.loads(path.read_text())["commands"]
    assert (result.passed, result.skipped) == expected_counts(commands)


ROOT3 = spectest3_dir()
SPECTEST3_PASSING: dict[str, tuple[str, ...]] = {
    "core": (
        "address", "align", "annotations", "binary", "binary-leb128", "block", "br", "br_if",
        "call", "call_indirect", "comments", "const", "conversions", "custom", "endianness",
        "exports", "f32", "f32_bitwise", "f32_cmp", "f64", "f64_bitwise", "f64_cmp", "fac",
        "float_exprs", "float_literals", "float_memory", "float_misc", "forward", "func",
        "func_ptrs", "i32", "i64", "id", "if", "imports", "inline-module", "int_exprs", "int_literals",
        "labels", "left-to-right", "load", "local_get", "local_set", "local_tee", "loop", "memory",
        "memory_grow", "memory_redundancy", "memory_size", "memory_trap", "names", "nop",
        "obsolete-keywords", "ref_func", "return", "return_call", "return_call_indirect", "select",
        "skip-stack-guard-page", "stack", "start",
        "store", "switch", "table_get", "table_grow", "table_set", "table_size", "token", "traps",
        "type", "unreachable", "unreached-invalid", "unwind", "utf8-custom-section-id",
        "utf8-import-field", "utf8-import-module", "utf8-invalid-encoding",
        # typed function references and the 3.0 type system (types helper)
        "br_on_non_null", "br_on_null", "br_table", "call_ref", "data", "elem", "global", "linking",
        "local_init", "ref", "ref_as_non_null", "ref_is_null", "ref_null", "table", "type-canon",
        "type-equivalence", "type-rec", "unreached-valid", "instance", "return_call_ref",
    ),
    "bulk-memory": (
        "bulk", "memory_copy", "memory_fill", "memory_init", "table_copy", "table_fill",
        "table_init", "table-sub",
    ),
    "simd": (
        "simd_address", "simd_align", "simd_bit_shift", "simd_bitwise", "simd_boolean",
        "simd_const", "simd_conversions", "simd_f32x4", "simd_f32x4_arith", "simd_f32x4_cmp",
        "simd_f32x4_pmin_pmax", "simd_f32x4_rounding", "simd_f64x2", "simd_f64x2_arith",
        "simd_f64x2_cmp", "simd_f64x2_pmin_pmax", "simd_f64x2_rounding", "simd_i16x8_arith",
        "simd_i16x8_arith2", "simd_i16x8_cmp", "simd_i16x8_extadd_pairwise_i8x16",
        "simd_i16x8_extmul_i8x16", "simd_i16x8_q15mulr_sat_s", "simd_i16x8_sat_arith",
        "simd_i32x4_arith", "simd_i32x4_arith2", "simd_i32x4_cmp", "simd_i32x4_dot_i16x8",
        "simd_i32x4_extadd_pairwise_i16x8", "simd_i32x4_extmul_i16x8", "simd_i32x4_trunc_sat_f32x4",
        "simd_i32x4_trunc_sat_f64x2", "simd_i64x2_arith", "simd_i64x2_arith2", "simd_i64x2_cmp",
        "simd_i64x2_extmul_i32x4", "simd_i8x16_arith", "simd_i8x16_arith2", "simd_i8x16_cmp",
        "simd_i8x16_sat_arith", "simd_int_to_int_extend", "simd_lane", "simd_linking", "simd_load",
        "simd_load16_lane", "simd_load32_lane", "simd_load64_lane", "simd_load8_lane",
        "simd_load_extend", "simd_load_splat", "simd_load_zero", "simd_select", "simd_splat",
        "simd_store", "simd_store16_lane", "simd_store32_lane", "simd_store64_lane",
        "simd_store8_lane", "simd_memory-multi",
    ),
    "relaxed-simd": (
        "i16x8_relaxed_q15mulr_s", "i32x4_relaxed_trunc", "i8x16_relaxed_swizzle",
        "relaxed_dot_product", "relaxed_laneselect", "relaxed_madd_nmadd", "relaxed_min_max",
    ),
    "gc": (
        "array", "array_copy", "array_fill", "array_init_data", "array_init_elem", "array_new_data",
        "array_new_elem", "binary-gc", "br_on_cast", "br_on_cast_fail", "extern", "i31", "ref_cast",
        "ref_eq", "ref_test", "struct", "type-subtyping",
    ),
    "multi-memory": (
        "address0", "address1", "align0", "binary0", "data0", "data1", "data_drop0", "exports0",
        "float_exprs0", "float_exprs1", "float_memory0", "imports0", "imports1", "imports2",
        "imports3", "imports4", "linking0", "linking1", "linking2", "linking3", "load0", "load1",
        "load2", "memory-multi", "memory_copy0", "memory_copy1", "memory_fill0", "memory_grow",
        "memory_init0", "memory_size0", "memory_size1", "memory_size2", "memory_size3",
        "memory_size_import", "memory_trap0", "memory_trap1", "start0", "store0", "store1",
        "store2", "traps0",
    ),
    "memory64": (
        "address64", "align64", "binary_leb128_64", "bulk64", "call_indirect64", "endianness64",
        "float_memory64", "load64", "memory64", "memory64-imports", "memory_copy64",
        "memory_fill64", "memory_grow64", "memory_init64", "memory_redundancy64", "memory_trap64",
        "table64", "table_copy64", "table_copy_mixed", "table_fill64", "table_get64",
        "table_grow64", "table_init64", "table_set64", "table_size64",
    ),
    "exceptions": (
        "tag", "throw", "throw_ref", "try_table",
    ),
}
SUITE3_FILES = [(group, name) for group, names in SPECTEST3_PASSING.items() for name in names]


@pytest.mark.skipif(ROOT3 is None, reason="the Wasm 3.0 spec suite (../shared/spectest3) is absent")
@pytest.mark.parametrize("eager", MODES)
@pytest.mark.parametrize(("group", "name"), SUITE3_FILES, ids=[f"spectest3/{g}/{n}" for g, n in SUITE3_FILES])
def test_spec3_file(group: str, name: str, eager: bool) -> None:
    from jit.specrunner import run_isolated

    path = ROOT3 / group / name / f"{name}.json"
    result = run_isolated(path, eager=eager)
    assert result.crash is None, result.crash
    assert result.failures == [], result.failures[:5]
    commands = json.loads(path.read_text())["commands"]
    assert (result.passed, result.skipped) == expected_counts(commands)
