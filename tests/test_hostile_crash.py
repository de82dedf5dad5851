"""Crash-safety (issue 8 item 4): mutated modules that still validate compile and run without killing
the process (a CI-sized batch of ``tools/crash_fuzz.py``), the fuzzer's crash and hang detection
works, and signals that arrive outside compiled code are not swallowed by our handlers — also while a
Wasm call is running (a host function or another thread crashes). ``tests/test_traps.py`` covers the
plain case (a fault after a trap, no Wasm running); these extend it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import crash_fuzz  # noqa: E402
import fuzz_frontend  # noqa: E402

SEEDS = fuzz_frontend.seed_modules()
WAT2WASM = shutil.which("wat2wasm")
needs_spec = pytest.mark.skipif(
    not SEEDS, reason="spec tests not found (../shared/spectest or $WXJIT_SPECTEST)")
needs_wat = pytest.mark.skipif(WAT2WASM is None, reason="wat2wasm (wabt) is not installed")


@needs_spec
def test_ci_batch_of_mutated_modules_runs_without_crashes() -> None:
    rep = crash_fuzz.run(400, seed=7, spec_seeds=SEEDS)
    assert rep.findings == [], rep.summary()
    assert rep.inputs == 400
    assert rep.valid >= 60 and rep.instantiated >= 50 and rep.calls >= 200, rep.summary()
    assert any(k.startswith("trap:") for k in rep.outcomes), rep.summary()


@needs_spec
@pytest.mark.parametrize("kind", ["crash", "hang"])
def test_fuzzer_detects_a_dying_or_silent_child(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first_valid = next(i for i, (_o, data) in enumerate(crash_fuzz.inputs(3, 100, SEEDS))
                       if _validates(data))
    monkeypatch.setenv("CRASH_FUZZ_SELFTEST", f"{kind}:{first_valid}")
    rep = crash_fuzz.run(first_valid + 30, seed=3, spec_seeds=SEEDS, hang_seconds=5.0)
    assert [(k, i) for k, i, _o, _d in rep.findings] == [(kind, first_valid)]
    if kind == "crash":
        assert "SIGSEGV" in rep.findings[0][3]
    assert rep.child_restarts == 1
    assert rep.valid > 1 and rep.completed >= 1          # the run went on with a new child


def _validates(data: bytes) -> bool:
    import jit

    try:
        jit.validate(data)
    except jit.Error:
        return False
    return True


def _wat(text: str) -> bytes:
    return subprocess.run([WAT2WASM, "-", "--output=-"], input=text.encode(), capture_output=True,
                          check=True).stdout


HOST = """
(module
  (import "host" "f" (func $f))
  (func (export "call_host") call $f)
  (func (export "spin") (loop br 0))
  (func (export "oob") (result i32) i32.const -1 i32.load)
  (memory 1))
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    prelude = f"import ctypes, os, signal, threading, jit\nWASM = {_wat(HOST)!r}\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


@needs_wat
@pytest.mark.parametrize("with_faulthandler", [False, True])
def test_segfault_in_a_host_function_during_a_wasm_call_kills_the_process(with_faulthandler: bool) -> None:
    # an entry frame exists, but the faulting pc is in C code (ctypes), not compiled code: not a trap
    proc = _run(f"""
        import faulthandler
        if {with_faulthandler}:
            faulthandler.enable()
        inst = jit.Instance(jit.Module(WASM), {{"host": {{"f": jit.Func(lambda: ctypes.string_at(0))}}}})
        try:
            inst.exports.oob()
        except jit.Trap as t:
            print(t.kind, flush=True)
        try:
            inst.exports.call_host()
        except BaseException as exc:
            print("swallowed", type(exc).__name__, flush=True)
        print("survived", flush=True)
    """)
    assert proc.stdout.strip() == "out of bounds memory access"
    assert proc.returncode == -signal.SIGSEGV
    if with_faulthandler:
        assert "Fatal Python error" in proc.stderr


@needs_wat
def test_segfault_in_another_thread_while_wasm_runs_kills_the_process() -> None:
    proc = _run("""
        inst = jit.Instance(jit.Module(WASM), {"host": {"f": jit.Func(lambda: None)}})
        def crash():
            ctypes.string_at(0)
        threading.Timer(0.1, crash).start()
        try:
            inst.exports.spin()
        except jit.Trap as t:
            print("trapped", t.kind, flush=True)
        print("survived", flush=True)
    """)
    assert proc.stdout == ""
    assert proc.returncode == -signal.SIGSEGV


@needs_wat
@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL])
def test_signals_sent_to_the_process_are_not_swallowed(sig: signal.Signals) -> None:
    # kill() during a Wasm call (from a host function): si_code is SI_USER and the pc is not in
    # compiled code, so the default action must still happen
    proc = _run(f"""
        kill = jit.Func(lambda: os.kill(os.getpid(), {int(sig)}))
        inst = jit.Instance(jit.Module(WASM), {{"host": {{"f": kill}}}})
        try:
            inst.exports.call_host()
        except BaseException as exc:
            print("swallowed", type(exc).__name__, flush=True)
        print("survived", flush=True)
    """)
    assert proc.stdout == ""
    assert proc.returncode == -sig


def test_crash_fuzz_cli_help() -> None:
    proc = subprocess.run([sys.executable, str(Path(crash_fuzz.__file__)), "--help"], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))
    assert proc.returncode == 0 and "--inputs" in proc.stdout
