"""Ctrl-C (SIGINT) stops a running Wasm call: KeyboardInterrupt in Python, status 130 for ``wxjit run``."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs_wat2wasm

SPIN = """(module (memory (export "memory") 1)
  (func (export "spin") (loop $l (br $l)))
  (func (export "one") (result i32) (i32.const 1))
  (func (export "_start") (loop $l (br $l))))"""

API = r"""
import sys, time, jit
inst = jit.Instance(jit.Module(sys.argv[1]))
print("ready", flush=True)
t0 = time.monotonic()
try:
    inst.exports["spin"]()
    print("returned", flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
# the same instance runs again, with no interrupt left over
print("one", inst.exports["one"](), flush=True)
"""


def test_sigint_interrupts_a_python_call() -> None:
    proc = subprocess.Popen([sys.executable, "-c", API, SPIN], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.1)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    guard = threading.Timer(30, proc.kill)           # a hang fails the test instead of stalling it
    guard.start()
    try:
        line = proc.stdout.readline().strip()
        elapsed = time.monotonic() - t0
        # read the rest through the same buffered reader: communicate() reads the raw pipe and would
        # miss a line the reader has already buffered together with the first one
        out = proc.stdout.read()
        err = proc.stderr.read() if proc.stderr else ""
        proc.wait()
    finally:
        guard.cancel()
    assert line == "KeyboardInterrupt", err
    assert elapsed < 1.0
    assert out == "one 1\n" and proc.returncode == 0, (proc.returncode, err)


def test_wxjit_run_exits_130_on_sigint(tmp_path: Path) -> None:
    spin = tmp_path / "spin.wat"
    spin.write_text(SPIN)
    proc = subprocess.Popen([sys.executable, "-m", "jit.cli", "run", str(spin)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(1.5)                       # compiled and spinning
    assert proc.poll() is None
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    rc = proc.wait(timeout=30)
    assert rc == 130 and time.monotonic() - t0 < 1.0
    assert "Traceback" not in proc.stderr.read()


def test_not_installed_over_a_custom_handler_or_off_the_main_thread() -> None:
    code = r"""
import signal, threading
from jit.runtime import sigint
signal.signal(signal.SIGINT, lambda *a: None)
assert sigint.install() is False
signal.signal(signal.SIGINT, signal.default_int_handler)
box = []
t = threading.Thread(target=lambda: box.append(sigint.install())); t.start(); t.join()
assert box == [False]
assert sigint.install() is True and signal.getsignal(signal.SIGINT) is sigint._on_sigint
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout == "ok\n", out.stderr


@pytest.mark.parametrize("n", [3])
def test_repeated_ctrl_c_each_stops_one_call(n: int) -> None:
    code = API + f"""
for _ in range({n - 1}):
    print("ready", flush=True)
    try:
        inst.exports["spin"]()
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", code, SPIN], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    for _ in range(n):
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline().strip() == "KeyboardInterrupt"
        if _ == 0:
            assert proc.stdout.readline().strip() == "one 1"
    proc.communicate(timeout=30)
    assert proc.returncode == 0
