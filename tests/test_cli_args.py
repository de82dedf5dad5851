"""``wxjit run`` arguments as in wasmtime: options before FILE, everything after FILE to the guest,
``--`` only separates, ``--env NAME`` inherits, every ``jit.Limits`` field is an option; Wasm text input."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.commands import run as run_cmd

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs_wat2wasm

# prints its argv (one per line) and its environment, exits 0
ECHO = """
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $print_all (param $count i32) (param $ptrs i32)
    (local $i i32) (local $s i32) (local $n i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $s (i32.load (i32.add (local.get $ptrs) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $n (i32.const 0))
      (block $end (loop $len
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1))) (br $len)))
      (i32.store8 (i32.add (local.get $s) (local.get $n)) (i32.const 10))   ;; NUL -> newline
      (i32.store (i32.const 0) (local.get $s))
      (i32.store (i32.const 4) (i32.add (local.get $n) (i32.const 1)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next))))
  (func (export "_start")
    (drop (call $args_sizes (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $print_all (i32.load (i32.const 16)) (i32.const 1024))
    (drop (call $env_sizes (i32.const 16) (i32.const 20)))
    (drop (call $env_get (i32.const 2048) (i32.const 8192)))
    (call $print_all (i32.load (i32.const 16)) (i32.const 2048))))
"""

ADD = '(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))'


def wxjit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jit.cli", "run", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env=env)


@pytest.fixture
def echo(tmp_path: Path) -> str:
    path = tmp_path / "echo.wat"          # run straight from Wasm text
    path.write_text(ECHO)
    return str(path)


def test_everything_after_file_goes_to_the_guest(echo: str) -> None:
    out = wxjit(echo, "--dir", "x", "-v", "--invoke", "f")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [echo, "--dir", "x", "-v", "--invoke", "f"]


def test_double_dash_separates_and_is_not_passed(echo: str) -> None:
    assert wxjit(echo, "--", "--dir", "x").stdout.splitlines() == [echo, "--dir", "x"]
    assert wxjit("--", echo, "a").stdout.splitlines() == [echo, "a"]
    assert wxjit(echo, "a", "--", "b").stdout.splitlines() == [echo, "a", "--", "b"]   # verbatim


def test_invoke_before_file_with_its_arguments_after(tmp_path: Path) -> None:
    path = tmp_path / "add.wat"
    path.write_text(ADD)
    assert wxjit("--invoke", "add", str(path), "2", "40").stdout == "42\n"
    assert wxjit("--invoke", "add", str(path), "--", "2", "-3").stdout == "-1\n"


def test_env_without_value_inherits_from_the_host(echo: str) -> None:
    env = {**os.environ, "WXJIT_TEST_VAR": "from host"}
    out = wxjit("--env", "WXJIT_TEST_VAR", "--env", "B=2", echo, env=env)
    assert out.stdout.splitlines()[1:] == ["WXJIT_TEST_VAR=from host", "B=2"]
    env.pop("WXJIT_TEST_VAR")
    out = wxjit("--env", "WXJIT_TEST_VAR", echo, env=env)
    assert out.returncode == 2 and "no WXJIT_TEST_VAR" in out.stderr and out.stdout == ""


def test_module_without_start_lists_its_exports(tmp_path: Path) -> None:
    path = tmp_path / "add.wasm"
    path.write_bytes(wat(ADD))
    out = wxjit(str(path))
    assert out.returncode == 1
    assert out.stderr == f"wxjit run: {path}: no _start function: use --invoke NAME to call an export " \
                         "(exported functions: add)\n"


def test_every_limits_field_is_an_option() -> None:
    import argparse
    parser = argparse.ArgumentParser()
    run_cmd.configure(parser)
    options = {s for a in parser._actions for s in a.option_strings}
    for field in dataclasses.fields(jit.Limits):
        assert "--" + field.name.replace("_", "-") in options
    args = parser.parse_args(["--max-memory-pages", "3", "--timeout", "1.5", "--max-table-elements",
                              "unlimited", "f.wasm"])
    assert run_cmd._limits(args) == jit.Limits(max_memory_pages=3, timeout=1.5, max_table_elements=None)


def test_limit_options_apply(tmp_path: Path) -> None:
    path = tmp_path / "grow.wat"
    path.write_text('(module (memory 1) (func (export "grow") (param i32) (result i32) '
                    '(memory.grow (local.get 0))))')
    assert wxjit("--invoke", "grow", str(path), "5").stdout == "1\n"
    assert wxjit("--max-memory-pages", "4", "--invoke", "grow", str(path), "5").stdout == "-1\n"
    out = wxjit("--max-stack-bytes", "10", "--invoke", "grow", str(path), "1")
    assert out.returncode == 2 and out.stderr.startswith("wxjit run: max_stack_bytes must be at least")


def test_module_accepts_wasm_text() -> None:
    inst = jit.Instance(jit.Module(ADD))
    assert inst.exports["add"](1, 2) == 3
    inst = jit.Instance(jit.Module(ADD.encode()))
    assert inst.exports["add"](3, 4) == 7
    with pytest.raises(jit.CompileError, match="bad Wasm text"):
        jit.Module("(module (func")


def test_module_from_wat_file(tmp_path: Path) -> None:
    path = tmp_path / "add.wat"
    path.write_text(ADD)
    assert jit.Instance(jit.Module.from_file(path)).exports["add"](5, 6) == 11


def test_missing_text_parser_is_a_clear_compile_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import shutil

    real_import = builtins.__import__

    def no_wasmtime(name: str, *args: object, **kwargs: object) -> object:
        if name == "wasmtime":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_wasmtime)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(jit.CompileError, match=r"no text parser is installed: .*wxjit\[wat\]"):
        jit.Module(ADD)


CAT = """
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (block $eof (loop $more
      (i32.store (i32.const 0) (i32.const 64))      ;; iovec: buf
      (i32.store (i32.const 4) (i32.const 1024))    ;;        len
      (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $eof (i32.eqz (i32.load (i32.const 8))))
      (i32.store (i32.const 4) (i32.load (i32.const 8)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)))
      (br $more)))))
"""


def test_guest_inherits_stdin(tmp_path: Path) -> None:
    path = tmp_path / "cat.wat"
    path.write_text(CAT)
    data = "line one\nline two\n" * 200
    out = subprocess.run([sys.executable, "-m", "jit.cli", "run", str(path)], input=data, capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert (out.returncode, out.stdout) == (0, data), out.stderr


def test_limits_that_cannot_be_lifted_are_usage_errors() -> None:
    out = wxjit("--max-stack-bytes", "unlimited", "--invoke", "fib", "examples/fib.wasm", "3")
    assert out.returncode == 2 and "cannot be lifted" in out.stderr
