"""The official WASI preview1 test suite (``../shared/wasi-testsuite``): all 72 modules, run in-process.

Each test follows the suite's README: argv = [name] + args, exactly ``env``, ``root`` preopened as
``"/"`` (fd 3) from a writable copy of the fixture folder (``shared/`` is read-only in CI), scratch
``*.cleanup`` entries removed before and after, and the exit code / stdout prefix compared.
"""
from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from jit import Trap
from jit.wasi import run_command

SUITE = Path(__file__).resolve().parents[2] / "shared" / "wasi-testsuite"
CASES = sorted(SUITE.glob("tests/*/testsuite/wasm32-wasip1/*.wasm"))


def _writable_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    for top, dirs, files in os.walk(dst):
        for name in dirs + files:
            p = os.path.join(top, name)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    os.chmod(dst, os.stat(dst).st_mode | 0o200)
    return dst


def _cleanup(root: Path) -> None:
    for p in sorted(root.glob("**/*.cleanup"), reverse=True):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()


@pytest.mark.skipif(not CASES, reason=f"the WASI test suite is not at {SUITE}")
@pytest.mark.parametrize("wasm", CASES, ids=lambda p: f"{p.parts[-4]}/{p.stem}")
def test_wasi_testsuite(wasm: Path, tmp_path: Path) -> None:
    spec_file = wasm.with_suffix(".json")
    spec = json.loads(spec_file.read_text()) if spec_file.exists() else {}
    dirs = []
    root = None
    if spec.get("root"):
        root = _writable_copy(wasm.parent / spec["root"], tmp_path / "root")
        _cleanup(root)
        dirs = [(str(root), "/")]
    out, err = io.BytesIO(), io.BytesIO()
    try:
        code = run_command(wasm, args=[wasm.name, *spec.get("args", [])], env=spec.get("env", {}),
                           dirs=dirs, stdin=io.BytesIO(), stdout=out, stderr=err)
    except Trap as exc:
        pytest.fail(f"{exc}\n{err.getvalue().decode(errors='replace')[-2000:]}")
    if root is not None:
        _cleanup(root)
    assert code == spec.get("exit_code", 0), err.getvalue().decode(errors="replace")[-2000:]
    for name, data in (("stdout", out), ("stderr", err)):
        if name in spec:
            assert data.getvalue().decode().startswith(spec[name])
