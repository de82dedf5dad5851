"""Hostile modules at compile time: every compile-time ``jit.Limits`` field refuses a module beyond it
with a ``jit.LimitError`` naming the limit and the offset, and the compile bombs of
``bench/hostile_compile.py`` (deep nesting, 1M-target br_table, 50k locals, many functions, huge
bodies) compile and run or are refused by a limit. Compile *time* is measured by the benchmark
script, never asserted here."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import jit
from jit.wasm import FrontEndLimitError, decode, validate
from jit.x64.compiler import compile_module

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import hostile_compile as H  # noqa: E402

I32, I64 = H.I32, H.I64


def limit_error(data: bytes, limits: jit.Limits) -> FrontEndLimitError:
    with pytest.raises(jit.LimitError) as e:
        validate(data, limits)
    assert isinstance(e.value, FrontEndLimitError)
    return e.value


# -- front-end limits ---------------------------------------------------------------------------------

def test_module_bytes() -> None:
    data = H.nesting(10)
    assert validate(data, jit.Limits(max_module_bytes=len(data)))
    err = limit_error(data, jit.Limits(max_module_bytes=len(data) - 1))
    assert err.limit == "max_module_bytes" and err.value == len(data) and err.offset == len(data) - 1
    assert "Limits.max_module_bytes" in str(err) and f"{err.offset:#x}" in str(err)


def test_limit_errors_are_compile_errors_too() -> None:
    # callers reporting bad modules (wxjit validate, the front-end fuzzer) catch jit.CompileError
    err = limit_error(H.many_locals(60_000), jit.Limits())
    assert isinstance(err, jit.CompileError) and err.offset is not None and err.func_index == 0


def test_functions_defined_and_imported() -> None:
    data = H.many_functions(20)
    assert len(validate(data, jit.Limits(max_functions=20)).funcs) == 20
    err = limit_error(data, jit.Limits(max_functions=19))
    assert err.limit == "max_functions" and err.value == 20
    fsec = next(start for sid, start, _ in decode(data).sections if sid == 3)
    assert err.offset == fsec            # the function count itself
    # imported functions count too
    imp = b"\x01m" + b"\x01f" + b"\x00\x00"
    data = H.module([H.functype(bytes([I32]))], [0], [H.body(b"")], imports=[imp, imp])
    assert validate(data, jit.Limits(max_functions=3))
    assert limit_error(data, jit.Limits(max_functions=2)).value == 3
    assert limit_error(data, jit.Limits(max_functions=1)).value == 2   # while reading the imports


@pytest.mark.parametrize("where", ["params", "results"])
def test_params_and_results_per_type(where: str) -> None:
    def mod(n: int) -> bytes:
        t = bytes([I64]) * n
        ft = H.functype(t, b"") if where == "params" else H.functype(b"", t)
        return H.module([H.functype(), ft], [], [])

    assert validate(mod(8), jit.Limits(max_params=8))
    err = limit_error(mod(9), jit.Limits(max_params=8))
    assert err.limit == "max_params" and err.value == 9 and where in str(err) and "type 1" in str(err)
    assert validate(mod(1001), jit.Limits(max_params=None))
    assert limit_error(mod(1001), jit.Limits()).maximum == 1000       # the default


def test_locals_count_parameters_and_runs() -> None:
    def mod(nparams: int, runs: list[tuple[int, int]]) -> bytes:
        return H.module([H.functype(bytes([I32]) * nparams)], [0], [H.body(b"", runs)])

    assert validate(mod(3, [(4, I32), (3, I64)]), jit.Limits(max_locals=10))
    err = limit_error(mod(3, [(4, I32), (4, I64)]), jit.Limits(max_locals=10))
    assert err.limit == "max_locals" and err.value == 11 and err.func_index == 0
    assert "in function 0" in str(err)
    # parameters alone
    assert limit_error(mod(11, []), jit.Limits(max_locals=10)).value == 11


def test_locals_are_refused_before_expansion() -> None:
    # 2**32 - 2 locals in one run: refused by the default limit from the count alone
    data = H.module([H.functype()], [0], [H.body(b"", [(2**32 - 2, I32)])])
    err = limit_error(data, jit.Limits())
    assert err.value == 2**32 - 2 and err.maximum == 50_000
    # the spec's own limit keeps the spec's error (the spec walk depends on it)
    data = H.module([H.functype()], [0], [H.body(b"", [(2**32 - 1, I32), (1, I64)])])
    with pytest.raises(jit.MalformedError, match="too many locals"):
        validate(data, jit.Limits())


def test_decode_without_limits_is_the_spec_decoder() -> None:
    data = H.module([H.functype()], [0], [H.body(b"", [(2**32 - 2, I32)])])
    assert decode(data).codes[0].num_locals == 2**32 - 2
    with pytest.raises(jit.LimitError):
        decode(data, jit.Limits())


def test_unlimited() -> None:
    none = jit.Limits(max_module_bytes=None, max_functions=None, max_params=None, max_locals=None)
    data = H.module([H.functype(bytes([I32]) * 2000)], [0], [H.body(b"", [(100_000, I32)])])
    assert validate(data, none).codes[0].num_locals == 100_000


def test_jit_module_applies_default_limits() -> None:
    with pytest.raises(jit.LimitError, match="max_locals"):
        jit.Module(H.many_locals(50_001))


def test_max_code_bytes() -> None:
    m = validate(H.huge_body(2000))
    with pytest.raises(jit.LimitError, match="max_code_bytes"):
        compile_module(m, limits=jit.Limits(max_code_bytes=10_000))


# -- compile bombs: they compile (and run) or a limit refuses them ------------------------------------

def run_f(data: bytes, *args: int) -> object:
    return jit.Instance(jit.Module(data)).exports.f(*args)


def test_deep_nesting_100k_blocks() -> None:
    assert run_f(H.nesting(100_000)) is None


def test_deep_nesting_loops_and_ifs() -> None:
    assert run_f(H.nesting_loops(20_000)) is None
    assert run_f(H.nesting_if(20_000), 1) == 1
    assert run_f(H.nesting_if(20_000), 0) == 2


def test_branches_to_thousands_of_labels() -> None:
    assert run_f(H.deep_br(3000), 0) == 0
    assert run_f(H.deep_br(3000), 1) == 0      # leaves through the innermost label with 0


def test_br_table_with_1m_targets() -> None:
    f = jit.Instance(jit.Module(H.br_table(1_000_000))).exports.f
    for i in (0, 1, 999_999, 1_000_000, -1):
        assert f(i) is None
    f = jit.Instance(jit.Module(H.br_table_nested(100_000))).exports.f
    for i in (0, 5, 99_999, 100_000):
        assert f(i) is None


def test_50k_locals_compile_and_50001_are_refused() -> None:
    assert run_f(H.many_locals(50_000)) is None
    assert run_f(H.many_local_runs(5_000)) is None
    with pytest.raises(jit.LimitError, match="max_locals"):
        jit.Module(H.many_locals(50_001))


def test_many_functions() -> None:
    assert run_f(H.many_functions(5_000), 3) is None
    with pytest.raises(jit.LimitError, match="max_functions"):
        validate(H.many_functions(5_000), jit.Limits(max_functions=4_999))


def test_huge_function_bodies() -> None:
    # 20k statements x = x * 3 + 1 (mod 2**32)
    x = 0
    for _ in range(20_000):
        x = (x * 3 + 1) & 0xFFFFFFFF
    expected = x - (1 << 32) if x >= 1 << 31 else x
    assert run_f(H.huge_body(20_000), 0) == expected


def test_deep_operand_stacks() -> None:
    assert run_f(H.deep_stack(20_000), 2) == 40_000
    assert run_f(H.many_blocks_with_values(5_000), 0) == 5_000
    assert run_f(H.many_blocks_with_values(5_000), 1) == 35_000      # every br_if taken with 7
    # shapes that were quadratic before 57101ac (spill floor, per-local reference counts)
    assert run_f(H.deep_stack_calls(5_000), 3) == 15_000
    assert run_f(H.deep_stack_local_set(5_000), 3) == 15_000
    assert run_f(H.deep_stack_blocks(5_000), 3) == 15_000
