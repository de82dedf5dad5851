"""The compiled build (jit/_accel.py, docs/compiled-build.md): used only when current, same machine code.

The finder is checked on a package laid out in a temporary directory (a manifest, a compiled file, a
source whose hash matches or not). The compiler's output is compared between the compiled build and
``WXJIT_PURE_PYTHON=1`` in child processes: SHA-256 of the code and relocations (or the error) of
every module, byte for byte; those tests skip when this checkout has no compiled build.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jit import _accel

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = _accel.importlib.machinery.EXTENSION_SUFFIXES[0]
MODULE = "jit.wasm.leb"

# One line per input: its name, then the SHA-256 of code + relocations, PC map, handler tables and stack
# maps, or the error.
DIGESTS = r"""
import hashlib, sys
from pathlib import Path
import jit, jit._accel
from jit.abi.limits import DEFAULT_LIMITS
from jit.wasm.decoder import decode
from jit.wasm.validator import validate_module
from jit.x64.compiler import compile_module
print(jit._accel.status().mode)
for p in sys.argv[1:]:
    try:
        m = decode(Path(p).read_bytes(), DEFAULT_LIMITS)
        validate_module(m)
        c = compile_module(m)
        meta = (c.relocations, c.func_offsets, c.pc_offsets, c.pc_wasm, c.eh_table, c.stack_maps)
        out = hashlib.sha256(c.code + repr(meta).encode()).hexdigest()
    except jit.Error as exc:
        out = f"{type(exc).__name__}: {exc}"
    print(Path(p).name, out)
"""


def _layout(tmp: Path, source: bytes, recorded: bytes) -> _accel._Finder:
    pkg, compiled = tmp / "jit", tmp / "jit" / "_compiled"
    (pkg / "wasm").mkdir(parents=True)
    compiled.mkdir()
    (pkg / "wasm" / "leb.py").write_bytes(recorded)
    digest = _accel.source_hash(str(pkg / "wasm" / "leb.py"))
    (pkg / "wasm" / "leb.py").write_bytes(source)
    (compiled / (MODULE + SUFFIX)).write_bytes(b"")
    _accel.write_manifest(str(compiled / "manifest.txt"), SUFFIX, {MODULE: (MODULE + SUFFIX, digest)})
    return _accel._Finder(str(pkg), str(compiled))


def test_finder_uses_a_compiled_module_built_from_the_current_source(tmp_path: Path) -> None:
    finder = _layout(tmp_path, b"X = 1\n", b"X = 1\n")
    spec = finder.find_spec(MODULE)
    assert spec is not None and spec.origin.endswith(MODULE + SUFFIX)
    assert finder.used == [MODULE] and finder.stale == []
    assert finder.find_spec("jit.wasm.types") is None          # not a compiled module: the stock import


def test_finder_ignores_a_compiled_module_whose_source_changed(tmp_path: Path) -> None:
    finder = _layout(tmp_path, b"X = 2\n", b"X = 1\n")
    assert finder.find_spec(MODULE) is None
    assert finder.stale == [MODULE] and finder.used == []


def test_finder_without_or_with_a_damaged_manifest(tmp_path: Path) -> None:
    finder = _accel._Finder(str(tmp_path / "jit"), str(tmp_path / "nothing"))
    assert finder.find_spec(MODULE) is None and finder.reason == "no compiled build"
    finder = _layout(tmp_path, b"X = 1\n", b"X = 1\n")
    (tmp_path / "jit" / "_compiled" / "manifest.txt").write_text("{not a manifest")
    assert finder.find_spec(MODULE) is None and finder.reason.startswith("unreadable compiled-build manifest")
    finder = _layout(tmp_path / "other", b"X = 1\n", b"X = 1\n")
    manifest = tmp_path / "other" / "jit" / "_compiled" / "manifest.txt"
    manifest.write_text(manifest.read_text().replace(SUFFIX, ".cpython-39-x.so"))
    assert finder.find_spec(MODULE) is None and "another Python" in finder.reason


def _run(env_pure: bool, files: list[Path]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop(_accel.PURE_ENV, None)
    if env_pure:
        env[_accel.PURE_ENV] = "1"
    proc = subprocess.run([sys.executable, "-c", DIGESTS, *map(str, files)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def test_pure_python_switch() -> None:
    assert _run(True, [])[0] == "pure"


def _compiled_build_or_skip() -> None:
    manifest = Path(_accel.MANIFEST)
    if not manifest.exists() or not _accel.read_manifest(str(manifest))[1]:
        pytest.skip("no compiled build in this checkout (pip install -e ., or python setup.py build_ext "
                    "--inplace)")


def _same_code_both_ways(files: list[Path]) -> None:
    _compiled_build_or_skip()
    compiled, pure = _run(False, files), _run(True, files)
    assert compiled[0] in ("compiled", "partial") and pure[0] == "pure"
    assert compiled[1:] == pure[1:]
    assert len(pure) == len(files) + 1


def test_machine_code_is_identical_compiled_and_pure() -> None:
    files = sorted((ROOT / "tests").rglob("*.wasm"))
    assert files
    _same_code_both_ways(files)


@pytest.mark.slow
def test_benchmark_programs_code_is_identical_compiled_and_pure() -> None:
    from jit.benchmarks.compile import CACHE_DIR
    from jit.benchmarks.programs_build import BuildUnavailable, build_all

    try:
        files = [p.wasm for p in build_all()]
    except BuildUnavailable as exc:
        pytest.skip(f"benchmark programs unavailable: {exc}")
    files += [p for p in (CACHE_DIR / "sqlite.wasm",) if p.exists()]
    _same_code_both_ways(files)
