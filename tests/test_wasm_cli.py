"""``wxjit validate`` and ``wxjit inspect``."""
from __future__ import annotations

from pathlib import Path

import pytest

from jit.cli import main

wasmtime = pytest.importorskip("wasmtime", reason="wasmtime provides the reference wat2wasm")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "good.wasm"
    good.write_bytes(wasmtime.wat2wasm("""(module (import "env" "m" (memory 1))
      (func $f (export "run") (param i64) (result i32) (i32.extend8_s (i32.wrap_i64 (local.get 0)))))"""))
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(wasmtime.wat2wasm("(module (func $oops (result i32) (i64.const 1)))"))
    return good, bad


def test_validate(files, capsys) -> None:
    good, bad = files
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok\n"
    assert main(["validate", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"{good}: ok\n"
    err = captured.err.splitlines()
    assert err[0].startswith(f"wxjit validate: {bad}: type mismatch at offset 0x")
    assert err[0].endswith("in function 0 (oops)")


def test_inspect(files, capsys) -> None:
    good, _ = files
    assert main(["inspect", str(good)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "env.m: memory 1.. pages" in out
    assert "run: func 0" in out and "functions: 1 (0 imported, 1 defined)" in out
    assert "features: sign-ext" in out
