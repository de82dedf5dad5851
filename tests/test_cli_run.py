"""``wxjit run``: WASI commands (output, argv, exit status), ``--invoke``, trap backtraces."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wasm_text import needs_wat2wasm, wat

pytestmark = needs_wat2wasm
ROOT = Path(__file__).resolve().parent.parent

HELLO = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))       ;; iovec: buf
    (i32.store (i32.const 4) (i32.const 6))        ;;        len
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $args_sizes (i32.const 32) (i32.const 36)))
    (call $exit (i32.load (i32.const 32)))))        ;; exit status = argc
"""

TRAPS = """
(module
  (func $inner (export "inner") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0))))
"""


def wasm(tmp_path: Path, name: str, text: str) -> Path:
    out = tmp_path / f"{name}.wasm"
    out.write_bytes(wat(text))
    return out


def wxjit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jit.cli", "run", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_wasi_command_output_and_exit_status(tmp_path: Path) -> None:
    out = wxjit(str(wasm(tmp_path, "hello", HELLO)), "a", "b")
    assert out.stdout == "hello\n"
    assert out.returncode == 3           # argc: the file name and two arguments


def test_invoke_prints_results() -> None:
    out = wxjit("--invoke", "fib", "examples/fib.wasm", "20")
    assert (out.returncode, out.stdout) == (0, "6765\n")


def test_trap_prints_kind_and_backtrace(tmp_path: Path) -> None:
    out = wxjit("--invoke", "outer", str(wasm(tmp_path, "traps", TRAPS)), "0")
    assert out.returncode == 134
    lines = out.stderr.splitlines()
    assert lines[0] == "trap: integer divide by zero"
    assert "func[0] inner" in lines[1] and "func[1] outer" in lines[2]


def test_bad_arguments_are_usage_errors() -> None:
    out = wxjit("--invoke", "fib", "examples/fib.wasm")
    assert out.returncode == 2 and "takes 1 argument" in out.stderr
