"""Native stack headroom for host functions (jit.Limits.host_stack_bytes, docs/abi.md "Entering").

Deep guest recursion stops while ``host_stack_bytes`` of native stack (plus the trap path's headroom)
is still free below the guest's frames, and every host call checks that it is there: a stack-hungry
host function (json.dumps of a deeply nested list) called at any depth runs, or the call traps
"call stack exhausted"; the process never dies. On threads too small for both, the guest's budget
shrinks, not the headroom. Runs in child processes, so that a crash fails the test, not pytest.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm

# $rec calls the host function at every depth, then recurses; 32 i64 locals make each frame larger.
WAT = """
(module
  (import "h" "hungry" (func $hungry (param i32)))
  (func $rec (export "rec") (param i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
           i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    local.get 0 call $hungry
    local.get 0 i32.const 1 i32.add call $rec)
  (func $plain (export "plain") (param i32) local.get 0 i32.const 1 i32.add call $plain)
  (func (export "ok") (result i32) i32.const 7))
"""

PRELUDE = """
import json, sys, threading, jit
WASM = {wasm!r}
NESTED = []
for _ in range(900):              # json.dumps recurses in C once per level (about 100 KiB in all)
    NESTED = [NESTED]
deepest = [0]
def hungry(n):
    deepest[0] = max(deepest[0], n)
    json.dumps(NESTED)
def run(limits, name="rec"):
    inst = jit.Instance(jit.Module(WASM), {{"h": {{"hungry": jit.Func(hungry, ["i32"], [])}}}},
                        limits=limits)
    try:
        inst.exports[name](0)
        return "returned"
    except jit.Trap as t:
        return t.kind
def on_thread(kib, fn):
    out = []
    threading.stack_size(kib * 1024)
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    threading.stack_size(0)
    return out[0] if out else "thread died"
"""


def _child(code: str) -> subprocess.CompletedProcess[str]:
    source = PRELUDE.format(wasm=wat(WAT)) + textwrap.dedent(code)
    try:
        return subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the child hung: {exc.stdout!r} {exc.stderr!r}")


@pytest.mark.parametrize("kib", [256, 512, 1024])
@pytest.mark.parametrize("max_stack", [None, 8 * 1024 * 1024])
def test_deep_recursion_into_a_stack_hungry_host_function_traps(kib: int, max_stack: int | None) -> None:
    limits = "jit.Limits()" if max_stack is None else f"jit.Limits(max_stack_bytes={max_stack})"
    proc = _child(f"""
        print(on_thread({kib}, lambda: run({limits})))
        print(on_thread({kib}, lambda: run({limits}, "plain")))
        print(deepest[0] > 0 or {kib} == 256)
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == ["call stack exhausted"] * 2 + ["True"]


def test_main_thread_keeps_the_default_budget() -> None:
    proc = _child("""
        print(run(jit.Limits()))
        print(deepest[0] > 100)
        print(run(jit.Limits(max_stack_bytes=1 << 30)))       # the 8 MiB main stack runs out first
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == ["call stack exhausted", "True", "call stack exhausted"]


def test_small_functions_still_run_on_a_small_thread() -> None:
    # A 256 KiB thread has no room for the guest budget and 256 KiB of host stack: the guest keeps a
    # small stack, host calls there trap instead of running without their headroom.
    proc = _child("""
        def calls():
            inst = jit.Instance(jit.Module(WASM), {"h": {"hungry": jit.Func(hungry, ["i32"], [])}})
            return [inst.exports.ok(), run(jit.Limits()), deepest[0]]
        print(on_thread(256, calls))
        print(on_thread(256, lambda: run(jit.Limits(host_stack_bytes=64 * 1024), "plain")))
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == ["[7, 'call stack exhausted', 0]", "call stack exhausted"]


def test_more_host_stack_means_less_guest_depth() -> None:
    proc = _child("""
        depths = []
        for host in (64 * 1024, 256 * 1024, 512 * 1024):
            deepest[0] = 0
            kind = on_thread(2048, lambda: run(jit.Limits(max_stack_bytes=64 << 20, host_stack_bytes=host)))
            depths.append((kind, deepest[0]))
        print(depths[0][0], depths[1][0], depths[2][0])
        print(depths[0][1] > depths[1][1] > depths[2][1] > 0)
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [" ".join(["call stack exhausted"] * 3), "True"]


def test_host_stack_bytes_is_validated() -> None:
    with pytest.raises(jit.LimitError):
        jit.Limits(host_stack_bytes=-1)
    assert jit.Limits().host_stack_bytes == 256 * 1024
