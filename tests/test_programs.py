"""Every benchmark program in bench/programs runs under wxjit (WASI) with exactly the native output.

The programs are built by ``jit.benchmarks.programs_build`` (clang 14 for wasm32-wasi, gcc for the
native build whose stdout is the expected output; cached in bench/programs/build/), each both as plain
scalar code and with ``-msimd128``. Skipped with the
reason when the toolchain is missing. Marked slow: each program runs for about half a second.
"""
from __future__ import annotations

import io

import pytest

from jit.benchmarks.programs_build import BuildUnavailable, Program, build_one, find_clang, sources
from jit.wasi import run_command

SOURCES = sources()


def _param(src):  # type: ignore[no-untyped-def]
    return pytest.param(src, id=src.stem)


@pytest.fixture(scope="module")
def toolchain() -> None:
    try:
        find_clang()
    except BuildUnavailable as exc:
        pytest.skip(str(exc))


def test_there_are_at_least_twelve_programs() -> None:
    assert len(SOURCES) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("simd", [False, True], ids=["scalar", "simd128"])
@pytest.mark.parametrize("src", [_param(s) for s in SOURCES])
def test_program_output_matches_native(toolchain, src, simd: bool) -> None:  # type: ignore[no-untyped-def]
    """``simd128``: the build with clang's auto-vectorizer on (v128 code in the hot loops)."""
    prog: Program = build_one(src)
    expected = prog.expected_output()
    assert expected, f"{prog.name}: the native build printed nothing"
    out = io.BytesIO()
    wasm = (prog.simd_wasm if simd else prog.wasm).read_bytes()
    assert run_command(wasm, args=[prog.name], stdout=out) == 0
    assert out.getvalue() == expected


@pytest.mark.slow
def test_simd_builds_are_vectorized(toolchain) -> None:  # type: ignore[no-untyped-def]
    """The ``simd128`` builds really hold v128 code (so the test above exercises the SIMD compiler)."""
    from jit.wasm import validate
    vectorized = 0
    for src in SOURCES:
        module = validate(build_one(src).simd_wasm.read_bytes())
        vectorized += any(insn[0] >> 12 == 0xFD for body in module.codes for insn in body.code)
    assert vectorized >= 10
