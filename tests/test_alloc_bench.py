"""The allocation benchmark's builds (bench/alloc, jit.benchmarks.alloc_build) and ``wxjit bench alloc``.

Both allocators give the native build's output under wxjit; mimalloc reads the clock while it
allocates and those calls are answered in C; missing sources give BuildUnavailable saying what to
set. Skips (with the reason) without clang or the mimalloc sources.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jit.benchmarks import alloc_build
from jit.benchmarks.alloc_build import BuildUnavailable

REPO = Path(__file__).resolve().parents[1]


def _built(allocator: str, opt: str = "-O2") -> alloc_build.Target:
    try:
        return alloc_build.build_alloc(allocator, opt)
    except BuildUnavailable as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("allocator", ["dlmalloc", "mimalloc"])
def test_alloc_benchmark_prints_the_native_checksum_under_wxjit(allocator: str, tmp_path) -> None:
    from jit.benchmarks.alloc import _run_wxjit
    target = _built(allocator)
    _, out = _run_wxjit(target.wasm.read_bytes(), target.name, str(tmp_path / "out"), True)
    assert out == target.expected_output()
    assert out.startswith(b"alloc: ") and b"checksum" in out


def _python_calls(target: alloc_build.Target, native: bool) -> dict[str, int]:
    """Run the target; the WASI calls that reached Python, by name."""
    import jit
    from jit.runtime import host
    from jit.wasi import Wasi, WasiConfig, WasiExit, abi
    from jit.wasi import native as wasi_native
    saved = wasi_native.ENABLED
    wasi_native.ENABLED = native
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        wasi = Wasi(WasiConfig(args=["alloc"], stdout=null))
        funcs = wasi.imports()[abi.MODULE]
    finally:
        wasi_native.ENABLED = saved
    seen: dict[str, int] = {}
    for name, f in funcs.items():
        inner = host.make_adapter(f.callable, f.type, name)

        def counting(slots, inner=inner, name=name) -> None:
            seen[name] = seen.get(name, 0) + 1
            inner(slots)
        f._adapter = counting
    inst = jit.Instance(jit.Module(target.wasm.read_bytes()), {abi.MODULE: funcs})
    wasi.bind(inst)
    try:
        inst.exports["_start"]()
    except WasiExit as exc:
        assert exc.code == 0
    finally:
        wasi.close()
        os.close(null)
    return seen


def test_mimalloc_reads_the_clock_and_c_answers_it() -> None:
    target = _built("mimalloc")
    assert _python_calls(target, False).get("clock_time_get", 0) > 1000
    native = _python_calls(target, True)
    assert native.get("clock_time_get", 0) == 0 and native.get("fd_write", 0) == 0


def test_missing_mimalloc_sources_say_what_to_set(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WXJIT_MIMALLOC_SRC", str(tmp_path))
    with pytest.raises(BuildUnavailable, match="WXJIT_MIMALLOC_SRC"):
        alloc_build.mimalloc_sources(tmp_path / "build")
    monkeypatch.delenv("WXJIT_MIMALLOC_SRC")
    monkeypatch.setenv("WXJIT_MIMALLOC_GIT", str(tmp_path / "nowhere"))
    with pytest.raises(BuildUnavailable, match="github.com/microsoft/mimalloc"):
        alloc_build.mimalloc_sources(tmp_path / "build")


def test_bench_alloc_json() -> None:
    _built("dlmalloc")
    proc = subprocess.run([sys.executable, "-m", "jit.cli", "bench", "alloc", "--only", "alloc-dlmalloc",
                           "--repeat", "1", "--no-wasmtime", "--json"], capture_output=True, cwd=REPO,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()
    (record,) = json.loads(proc.stdout)
    assert record["name"] == "alloc-dlmalloc" and record["output_ok"] is True
    assert record["wxjit_s"] > 0 and record["wxjit_python_wasi_s"] > 0 and record["wasmtime_s"] is None
