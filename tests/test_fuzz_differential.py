"""Differential fuzzing against wasmtime: a CI-sized batch of generated modules, the generator's own
guarantees (valid, reproducible, terminating), and a replay of every saved regression module."""
from __future__ import annotations

from pathlib import Path

import pytest

wasmtime = pytest.importorskip("wasmtime", reason="the differential oracle needs the wasmtime package")

from jit.fuzz.campaign import load_finding, replay, seed_of  # noqa: E402
from jit.fuzz.encoding import (  # noqa: E402
    EXPORT_FUNC,
    EXPORT_GLOBAL,
    F32,
    I32,
    FuncSig,
    FuncSpec,
    GlobalSpec,
    ModuleSpec,
)
from jit.fuzz.generator import generate  # noqa: E402
from jit.fuzz.oracle import (  # noqa: E402
    Outcome,
    WasmtimeSide,
    WxjitSide,
    compare_outcomes,
    plan_calls,
    run_module,
    same_value,
)

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"
CI_MODULES = 150
CI_BASE_SEED = 7        # a fixed batch: reproducible in CI; campaigns use other bases


def test_generator_is_reproducible() -> None:
    assert generate(123).encode() == generate(123).encode()
    assert generate(123).encode() != generate(124).encode()


def test_generated_modules_are_valid_for_wasmtime() -> None:
    engine = WasmtimeSide.engine()
    for i in range(60):
        wasmtime.Module.validate(engine, generate(seed_of(CI_BASE_SEED, i)).encode())


def test_generated_modules_terminate_and_cover_traps() -> None:
    kinds: set[str | None] = set()
    for i in range(80):
        gm = generate(seed_of(CI_BASE_SEED, i))
        wt = WasmtimeSide(gm.encode())
        for call in plan_calls(gm):
            out = wt.call(call.func, call.sig, call.args)
            assert out.trap != "OUT_OF_FUEL", f"module {gm.seed} does not terminate"
            kinds.add(out.trap)
    assert None in kinds                                  # some calls return normally
    assert {"MEMORY_OUT_OF_BOUNDS", "INTEGER_DIVISION_BY_ZERO", "BAD_SIGNATURE"} <= kinds


def test_simd_table_agrees_with_the_engines_opcode_table() -> None:
    """The fuzzer writes its SIMD encodings without jit.wasm (a shared mistake would go unseen); here
    the two independent tables are held against each other, and the generator is seen to use them."""
    from jit.fuzz.encoding import V128, uleb
    from jit.fuzz.ops import SIMD_OPS
    from jit.wasm.opcodes import OPS_BY_NAME
    letters = {0x7F: "i", 0x7E: "l", 0x7D: "f", 0x7C: "d", V128: "v"}
    for op in SIMD_OPS:
        name = op.name.split()[0]
        info = OPS_BY_NAME[name]
        sub = info.key & 0xFFF
        assert op.code[0] == 0xFD and op.code[1:1 + len(uleb(sub))] == uleb(sub), op.name
        assert "".join(letters[t] for t in info.params) == "".join(letters[t] for t in op.params), op.name
        assert [letters[t] for t in info.results] == [letters[op.result]], op.name
    used = {op.name.split()[0] for op in SIMD_OPS}
    vector_ops = {n for n, i in OPS_BY_NAME.items() if i.key >> 12 == 0xFD and "load" not in n
                  and "store" not in n and n != "v128.const"}
    assert vector_ops == used
    assert any(b"\xfd" in b"".join(f.body) for gm in (generate(seed_of(CI_BASE_SEED, i)) for i in range(40))
               for f in gm.spec.funcs)


def test_nan_comparison_rules() -> None:
    assert same_value(F32, 0x7FC00000, 0xFFC00001, nan_class=True)
    assert not same_value(F32, 0x7FC00000, 0xFFC00001, nan_class=False)
    assert not same_value(F32, 0x7FC00000, 0x7F800000, nan_class=True)      # NaN vs infinity
    assert not same_value(I32, 0x7FC00000, 0xFFC00001, nan_class=True)      # integers: bits
    sig = FuncSig((), (I32,))
    assert compare_outcomes(sig, Outcome(trap="integer divide by zero"),
                            Outcome(trap="INTEGER_DIVISION_BY_ZERO"), False) is None
    assert compare_outcomes(sig, Outcome(trap="integer overflow"),
                            Outcome(trap="INTEGER_DIVISION_BY_ZERO"), False) == "trap"
    assert compare_outcomes(sig, Outcome(results=[1]), Outcome(results=[0]), False) == "result"


def test_both_sides_pass_signaling_nan_bits_exactly() -> None:
    spec = ModuleSpec()
    spec.funcs.append(FuncSpec(spec.type_index(FuncSig((F32,), (F32,))), [], [b"\x20\x00"]))   # local.get 0
    spec.globals.append(GlobalSpec(I32, True, 0))
    spec.exports = [("f0", EXPORT_FUNC, 0), ("budget", EXPORT_GLOBAL, 0)]
    wasm = spec.encode()
    sig = FuncSig((F32,), (F32,))
    assert WasmtimeSide(wasm).call("f0", sig, [0x7FA00001]).results == [0x7FA00001]
    assert WxjitSide(wasm).call("f0", [0x7FA00001]).results == [0x7FA00001]


@pytest.mark.parametrize("chunk", range(3))
def test_ci_batch_matches_wasmtime(chunk: int) -> None:
    per_chunk = CI_MODULES // 3
    problems = []
    calls = 0
    for i in range(chunk * per_chunk, (chunk + 1) * per_chunk):
        report = run_module(generate(seed_of(CI_BASE_SEED, i)))
        calls += report.calls
        assert not report.hung
        problems += [m.describe() for m in report.mismatches]
    assert calls > per_chunk                                  # the modules were really called
    assert not problems, "\n".join(problems)


REGRESSION_FILES = sorted(p for p in REGRESSIONS.glob("*.wasm"))


@pytest.mark.parametrize("path", REGRESSION_FILES, ids=[p.stem for p in REGRESSION_FILES])
def test_regression_replays_without_mismatch(path: Path) -> None:
    wasm, calls, _ = load_finding(path)
    assert calls, f"{path.name}: nothing to call"
    report = replay(path)
    assert report.calls == len(calls)
    assert not report.mismatches, report.mismatches[0].describe()
