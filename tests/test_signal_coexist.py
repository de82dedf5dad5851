"""wxjit's fault handler coexists with other SIGSEGV handlers (docs/abi.md "Traps", DESIGN.md "Signals").

faulthandler, a Python ``signal.signal(SIGSEGV, ...)`` handler or a C library's ``signal()``, installed
before or after instances exist, from the main thread or another one, by a host function in the middle
of a call or by another thread during one, never turns a trap into a crash or a hang: out-of-bounds
accesses stay ``jit.Trap``. Faults outside compiled code
still reach the handler that was there (faulthandler prints "Fatal Python error") and kill the process.
Everything runs in a child process with a timeout, so a crash or a hang fails the test, not pytest.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
from wasm_text import needs_wat2wasm, wat

pytestmark = needs_wat2wasm

WAT = """
(module
  (import "h" "f" (func $f (param i32)))
  (memory 1)
  (func (export "oob") (param i32) (result i32) local.get 0 i32.load)
  ;; calls the host function, then faults
  (func (export "host_then_oob") (param i32) (result i32) local.get 0 call $f local.get 0 i32.load)
  (func (export "ok") (result i32) i32.const 7))
"""

# The child's prelude: install(how) puts another SIGSEGV handler in front of whatever is there.
PRELUDE = """
import faulthandler, signal, sys, threading, jit
WASM = {wasm!r}
def install(how):
    if how == "faulthandler":
        faulthandler.enable()
    elif how == "python":
        signal.signal(signal.SIGSEGV, lambda *args: print("python handler ran", flush=True))
    elif how == "libc":              # a C library resetting SIGSEGV (here: to the default action)
        import ctypes
        ctypes.CDLL(None).signal(signal.SIGSEGV, ctypes.c_void_p(0))
    elif how == "both":
        faulthandler.enable()
        signal.signal(signal.SIGSEGV, lambda *args: print("python handler ran", flush=True))
pending = []
def host(n):
    if pending:
        install(pending.pop())
def new_instance():
    return jit.Instance(jit.Module(WASM), {{"h": {{"f": jit.Func(host, ["i32"], [])}}}},
                        limits=jit.Limits(timeout=20))
def traps(inst, name="oob", n=3):
    kinds = []
    for _ in range(n):
        try:
            getattr(inst.exports, name)(70000)
        except jit.Trap as t:
            kinds.append(t.kind)
    return kinds
def in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]
"""

OOB = "out of bounds memory access"


def _run(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    source = PRELUDE.format(wasm=wat(WAT)) + textwrap.dedent(code)
    try:
        return subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the child hung (a fault re-executed forever?): {exc.stdout!r} {exc.stderr!r}")


@pytest.mark.parametrize("how", ["faulthandler", "python", "both", "libc"])
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("where", ["main", "thread"])
def test_traps_stay_traps_with_another_handler(how: str, when: str, where: str) -> None:
    # Handlers are installed from the main thread (signal.signal works only there); the Wasm calls
    # run in the main thread or in another one.
    proc = _run(f"""
        run = (lambda fn: fn()) if {where!r} == "main" else in_thread
        if {when!r} == "before":
            install({how!r})
        inst = new_instance()
        result = run(lambda: traps(inst))
        if {when!r} == "after":
            install({how!r})
        result += run(lambda: traps(inst) + traps(new_instance()) + [inst.exports.ok()])
        print(result)
        print(in_thread(lambda: traps(new_instance())) if {where!r} == "main" else traps(new_instance()))
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Fatal Python error" not in proc.stderr
    assert "python handler ran" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert lines == [str([OOB] * 9 + [7]), str([OOB] * 3)]


def test_faulthandler_enabled_in_another_thread() -> None:
    # faulthandler.enable() from a thread also gives that thread faulthandler's (smaller) altstack.
    proc = _run("""
        inst = new_instance()
        def worker():
            kinds = traps(inst, n=1)
            faulthandler.enable()
            return kinds + traps(inst) + traps(new_instance())
        print(in_thread(worker))
        print(traps(inst))
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [str([OOB] * 7), str([OOB] * 3)]


@pytest.mark.parametrize("how, where", [("faulthandler", "main"), ("faulthandler", "thread"),
                                        ("python", "main")])       # signal.signal: main thread only
def test_handler_installed_by_a_host_function_during_the_call(how: str, where: str) -> None:
    # The host function puts another handler in front while the Wasm call is running; the fault
    # after it returns is still a trap.
    proc = _run(f"""
        def scenario():
            inst = new_instance()
            pending.append({how!r})
            return traps(inst, "host_then_oob", 1) + traps(inst, "host_then_oob", 2) + [inst.exports.ok()]
        print(scenario() if {where!r} == "main" else in_thread(scenario))
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Fatal Python error" not in proc.stderr
    assert proc.stdout.splitlines() == [str([OOB] * 3 + [7])]


def test_handlers_reinstalled_many_times() -> None:
    # Every call finds another handler in front; each time ours goes back in front.
    proc = _run("""
        inst = new_instance()
        kinds = []
        for i in range(50):
            install("faulthandler" if i % 2 else "python")
            kinds += traps(inst, n=1)
            faulthandler.disable()
        print(kinds == ["out of bounds memory access"] * 50)
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["True"]


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("where", ["main", "thread"])
def test_fault_outside_compiled_code_reaches_faulthandler(when: str, where: str) -> None:
    proc = _run(f"""
        import ctypes
        def scenario():
            if {when!r} == "before":
                faulthandler.enable()
            inst = new_instance()
            print(traps(inst, n=1), flush=True)
            if {when!r} == "after":
                faulthandler.enable()
                print(traps(inst, n=1), flush=True)      # ours back in front
            ctypes.string_at(0)                         # a real crash in C code
            print("survived", flush=True)
        scenario() if {where!r} == "main" else in_thread(scenario)
    """)
    assert "survived" not in proc.stdout
    assert proc.stdout.splitlines() == [str([OOB])] * (1 if when == "before" else 2)
    assert proc.returncode == -signal.SIGSEGV, proc.stderr[-3000:]
    assert "Fatal Python error: Segmentation fault" in proc.stderr


@pytest.mark.parametrize("when", ["before", "after"])
def test_fault_outside_compiled_code_with_a_python_handler_dies_instead_of_spinning(when: str) -> None:
    # Python's handler only sets a flag and returns: the access would re-execute forever. Chained to
    # from ours, its return means the fault is real: the default action kills the process.
    proc = _run(f"""
        import ctypes
        if {when!r} == "before":
            install("python")
        inst = new_instance()
        print(traps(inst, n=1), flush=True)
        if {when!r} == "after":
            install("python")
            print(traps(inst, n=1), flush=True)
        ctypes.string_at(0)
        print("survived", flush=True)
    """, timeout=30)
    assert "survived" not in proc.stdout
    assert proc.returncode == -signal.SIGSEGV, proc.stderr[-3000:]


def test_python_handler_installed_after_instances_before_a_timed_call() -> None:
    # The case that used to spin: a Python handler in front, then a faulting access under a timeout.
    proc = _run("""
        inst = new_instance()
        install("python")
        print(traps(inst, n=2))
        print(in_thread(lambda: traps(inst, n=2)))
    """, timeout=30)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [str([OOB] * 2)] * 2


def test_handler_installed_by_another_thread_during_a_timed_call() -> None:
    # The running call cannot see a handler installed while it runs; its deadline (or any interrupt)
    # puts ours back in front, so the spinning access traps instead of re-executing forever.
    proc = _run('''
        import time
        inst = jit.Instance(jit.Module(SPIN), limits=jit.Limits(timeout=3))
        out = []
        def worker():
            try:
                inst.exports.spin_then_oob()
            except jit.Trap as t:
                out.append(t.kind)
        t = threading.Thread(target=worker)
        t.start()
        time.sleep(0.3)
        install("python")                      # while the call spins
        inst.exports.mem.data[0] = 1           # now it faults
        t.join(20)
        print(out, t.is_alive())
    '''.replace("SPIN", repr(wat(SPIN))), timeout=40)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # (the Python-level handler runs in the main thread for the faults its C handler saw meanwhile)
    lines = [line for line in proc.stdout.splitlines() if line != "python handler ran"]
    assert lines in ([f"['{OOB}'] False"], ["['interrupted'] False"])


SPIN = """
(module
  (memory (export "mem") 1)
  (func (export "spin_then_oob") (result i32)
    (loop (br_if 0 (i32.eqz (i32.load8_u (i32.const 0)))))
    (i32.load (i32.const 70000))))
"""


def test_a_restored_default_action_keeps_another_engines_handler() -> None:
    # faulthandler enabled first (as pytest does) saves the default action; wasmtime's handler and
    # ours go in front of it; faulthandler.disable() then puts the default action back over everyone.
    # Ours returns in front at the next call, and must still chain to wasmtime's handler, which
    # resumes wasmtime's own traps: before, its next trap killed the process.
    wasmtime = pytest.importorskip("wasmtime", reason="wasmtime (test extra) is the other engine")
    del wasmtime
    proc = _run("""
        import wasmtime
        faulthandler.enable()
        inst = new_instance()
        store = wasmtime.Store(wasmtime.Engine())
        module = wasmtime.Module(store.engine, WASM)
        host_f = wasmtime.Func(store, wasmtime.FuncType([wasmtime.ValType.i32()], []), lambda n: None)
        other = wasmtime.Instance(store, module, [host_f])
        def both():
            kinds = traps(inst, n=1)
            try:
                other.exports(store)["oob"](store, 70000)
            except wasmtime.Trap:
                kinds.append("wasmtime trap")
            return kinds
        print(both())
        faulthandler.disable()
        print(both() + both())
    """)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines() == [str([OOB, "wasmtime trap"]), str([OOB, "wasmtime trap"] * 2)]
