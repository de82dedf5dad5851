"""Every subcommand, given a missing, empty, truncated, non-Wasm or v128-exporting input, answers with
one line ``wxjit <command>: <file>: <reason>`` and exit status 1 (never a traceback or an abort);
usage errors are one line and exit status 2."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs_wat2wasm

V128 = """(module (global (export "budget") (mut i32) (i32.const 0))
  (func (export "id") (param v128) (result v128) (local.get 0)))"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("inputs")
    fib = (ROOT / "examples" / "fib.wasm").read_bytes()
    files = {"missing": d / "missing.wasm", "empty": d / "empty.wasm", "truncated": d / "truncated.wasm",
             "not-wasm": d / "notes.wasm", "v128": d / "v128.wasm"}
    files["empty"].write_bytes(b"")
    files["truncated"].write_bytes(fib[: len(fib) // 2])
    files["not-wasm"].write_bytes(b"\x7fELF\x02\x01\x01 this is not a module\n")
    files["v128"].write_bytes(wat(V128))
    return files


def wxjit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jit.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


# command line for an input file; the commands that accept a module fail on every bad input
COMMANDS: dict[str, list[str]] = {
    "run": ["run", "{}"],
    "compile": ["compile", "{}", "-o", "{out}"],
    "validate": ["validate", "{}"],
    "inspect": ["inspect", "{}"],
    "objdump": ["objdump", "{}"],
    "spec": ["spec", "{}"],
    "fuzz": ["fuzz", "--replay", "{}"],
}
# (command, input) pairs that succeed: a v128 export is a fine module for these
SUCCEEDS = {("compile", "v128"), ("validate", "v128"), ("inspect", "v128"), ("objdump", "v128"),
            ("fuzz", "v128")}    # the oracle passes v128 through wasmtime's raw value union


def assert_one_line_error(out: subprocess.CompletedProcess, command: str, status: int) -> str:
    assert out.returncode == status, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"wxjit {command}: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("kind", ["missing", "empty", "truncated", "not-wasm", "v128"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_input_is_one_line(command: str, kind: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    path = inputs[kind]
    argv = [a.format(path, out=tmp_path / "out.cwasm") for a in COMMANDS[command]]
    out = wxjit(*argv)
    if (command, kind) in SUCCEEDS:
        assert out.returncode == 0, out.stderr
        return
    line = assert_one_line_error(out, command, 1)
    assert line.startswith(f"wxjit {command}: {path}: "), line


def test_messages_say_what_is_wrong(inputs: dict[str, Path], tmp_path: Path) -> None:
    assert wxjit("run", str(inputs["missing"])).stderr.endswith("cannot read: No such file or directory\n")
    out = wxjit("run", str(inputs["v128"]))
    assert "no _start function" in out.stderr and "exported functions: id" in out.stderr
    assert wxjit("fuzz", "--replay", str(inputs["v128"])).stdout.endswith(": 3 calls, ok\n")
    assert "no 'budget' global" in wxjit("fuzz", "--replay", "examples/fib.wasm").stderr
    out = wxjit("compile", "examples/fib.wasm", "-o", "/nonexistent/dir/x.cwasm")
    assert assert_one_line_error(out, "compile", 1) == \
        "wxjit compile: /nonexistent/dir/x.cwasm: cannot write: No such file or directory"


def test_usage_errors_are_one_line_with_status_2() -> None:
    assert_one_line_error(wxjit("run"), "run", 2)
    assert_one_line_error(wxjit("run", "--fuel", "lots", "x.wasm"), "run", 2)
    assert_one_line_error(wxjit("run", "--invoke", "fib", "examples/fib.wasm", "1", "2"), "run", 2)
    assert_one_line_error(wxjit("run", "--invoke", "nope", "examples/fib.wasm"), "run", 2)
    assert wxjit("frobnicate").returncode == 2


def test_version() -> None:
    import jit
    out = wxjit("--version")
    assert (out.returncode, out.stdout) == (0, f"wxjit {jit.__version__}\n")


def test_cwasm_runs_and_is_checked(tmp_path: Path) -> None:
    cwasm = tmp_path / "fib.cwasm"
    assert wxjit("compile", "examples/fib.wasm", "-o", str(cwasm)).returncode == 0
    refused = assert_one_line_error(wxjit("run", "--invoke", "fib", str(cwasm), "20"), "run", 1)
    assert "--allow-precompiled" in refused           # native code from a file: only when asked
    run = ("run", "--allow-precompiled", "--invoke", "fib", str(cwasm))
    out = wxjit(*run, "20")
    assert (out.returncode, out.stdout) == (0, "6765\n")
    data = bytearray(cwasm.read_bytes())
    data[-1] ^= 0xFF                                  # corrupted: refused by the integrity check
    cwasm.write_bytes(bytes(data))
    assert_one_line_error(wxjit(*run, "20"), "run", 1)
    cwasm.write_bytes(bytes(data[:40]))               # truncated
    assert "truncated" in assert_one_line_error(wxjit(*run, "1"), "run", 1)


def test_inspect_several_files(tmp_path: Path) -> None:
    text = tmp_path / "add.wat"
    text.write_text('(module (func (export "add") (param i32 i32) (result i32) '
                    '(i32.add (local.get 0) (local.get 1))))')
    out = wxjit("inspect", "examples/fib.wasm", str(text))
    assert out.returncode == 0
    assert "examples/fib.wasm: " in out.stdout and f"{text}: " in out.stdout and "add: func 0" in out.stdout


def test_loader_table_says_memfd_is_wx() -> None:
    from jit.benchmarks.loader import wx_text
    assert wx_text("memfd").startswith("yes")
    assert "UNSAFE" in wx_text("rwx") and wx_text("rwx").startswith("NO")


def test_run_imports_no_benchmark() -> None:
    code = ("import sys; from jit.cli import main; "
            "main(['run', '--invoke', 'fib', 'examples/fib.wasm', '3']); "
            "print(sorted(m for m in sys.modules "
            "if m.startswith('jit.benchmarks') or m == 'concurrent.futures'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.splitlines() == ["2", "[]"], out.stderr
