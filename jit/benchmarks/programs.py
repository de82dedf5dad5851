"""``wxjit bench programs DIR``: real WASI programs under wxjit, the ``wasmtime`` package and native code.

DIR is either a source directory of C programs (``bench/programs``: they are built first, and the
native builds come along) or a directory of ``.wasm`` command modules (native binaries from
``--native-dir``, by file stem). For every module, side by side in each repetition: wxjit compile
(``jit.Module``; MB/s of Wasm), instantiate (with WASI), run (``_start``); wasmtime compile,
instantiate, run (its own WASI) when the package is installed; the native run (process start
included). Figures are medians of ``--repeat`` runs; ratios wxjit/wasmtime and wxjit/native per
program and their geometric means; the run is also measured in CPU time of the running thread
(``time.thread_time``), which a loaded machine disturbs much less than wall time. Each output is
checked against the expected one when known (``<name>.out`` next to the module); a mismatch is
flagged in the table, never hidden.
A second table splits wxjit's compile time into stages: decode, validate, codegen, load.
"""
from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Error

HELP = "run WASI programs: wxjit vs the wasmtime package vs native (compile, instantiate, run)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR",
                        help="C sources to build (bench/programs) or a directory of .wasm modules")
    parser.add_argument("--native-dir", metavar="DIR", help="native builds, one per module stem")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians (default 3)")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated program names")
    parser.add_argument("--simd", action="store_true",
                        help="run the C programs' -msimd128 builds (auto-vectorized v128 code)")
    parser.add_argument("--no-wasmtime", action="store_true", help="skip the wasmtime comparison")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of tables")
    parser.add_argument("--plot", metavar="FILE.png", help="grouped bars of run times (matplotlib)")


@dataclass
class ProgramResult:
    """Medians for one program (seconds unless the name says ms; None = not measured)."""

    name: str
    wasm_bytes: int
    output_ok: bool | None = None
    error: str | None = None
    wxjit_compile_ms: float | None = None
    wxjit_mb_per_s: float | None = None
    wxjit_instantiate_ms: float | None = None
    wxjit_run_s: float | None = None
    wxjit_run_cpu_s: float | None = None
    stages_ms: dict[str, float] = field(default_factory=dict)
    wasmtime_compile_ms: float | None = None
    wasmtime_instantiate_ms: float | None = None
    wasmtime_run_s: float | None = None
    wasmtime_run_cpu_s: float | None = None
    wasmtime_output_ok: bool | None = None
    native_run_s: float | None = None
    run_ratio_wasmtime: float | None = None
    run_ratio_native: float | None = None
    run_cpu_ratio_wasmtime: float | None = None
    compile_ratio_wasmtime: float | None = None


@dataclass
class _Target:
    name: str
    wasm: Path
    native: Path | None
    expected: bytes | None


def _targets(directory: Path, native_dir: Path | None, only: list[str] | None,
             simd: bool = False) -> list[_Target]:
    if any(directory.glob("*.c")):
        from .programs_build import build_all

        progs = build_all(only, build_dir=directory / "build", source_dir=directory)
        return [_Target(p.name, p.simd_wasm if simd else p.wasm,
                        p.native if native_dir is None else native_dir / p.name,
                        p.expected_output()) for p in progs]
    if simd:
        raise Error("--simd needs C sources (the -msimd128 builds are made from them)")
    wasms = sorted(directory.glob("*.wasm"))
    if only:
        wasms = [w for w in wasms if w.stem in only]
    if not wasms:
        raise Error(f"no .c or .wasm files in {directory}")
    out = []
    for w in wasms:
        exp = w.with_suffix(".out")
        native = native_dir / w.stem if native_dir is not None else None
        out.append(_Target(w.stem, w, native, exp.read_bytes() if exp.exists() else None))
    return out


# -- one run per engine --------------------------------------------------------------------------

def _run_wxjit(data: bytes, name: str, stdout: int | None = None,
               native_wasi: bool | None = None) -> tuple[float, float, float, float, bytes]:
    """(compile, instantiate, run, run CPU) seconds and the output of one wxjit run of ``_start``.
    The guest writes to a ``BytesIO`` (its output is returned) or to file descriptor ``stdout``
    (the caller reads it; b"" is returned); ``native_wasi`` False sends every WASI call through
    Python (``jit.wasi.native.ENABLED``), None leaves the setting as it is."""
    import jit
    from jit.wasi import Wasi, WasiConfig, WasiExit
    from jit.wasi import native as wasi_native

    t0 = time.perf_counter()
    module = jit.Module(data, name=name, lazy=False)    # compile is compile, run is run (as wasmtime)
    t1 = time.perf_counter()
    out = io.BytesIO() if stdout is None else stdout
    saved = wasi_native.ENABLED
    if native_wasi is not None:
        wasi_native.ENABLED = native_wasi
    try:
        wasi = Wasi(WasiConfig(args=[name], stdout=out))
        imports = wasi.imports()
    finally:
        wasi_native.ENABLED = saved
    try:
        instance = jit.Instance(module, imports)
        wasi.bind(instance)
        start = instance.exports["_start"]
        t2 = time.perf_counter()
        c2 = time.thread_time()
        try:
            start()
            code = 0
        except WasiExit as exc:
            code = exc.code
        c3 = time.thread_time()
        t3 = time.perf_counter()
    finally:
        wasi.close()
    if code:
        raise Error(f"{name}: exit code {code} under wxjit")
    return t1 - t0, t2 - t1, t3 - t2, c3 - c2, out.getvalue() if stdout is None else b""


def _stages(data: bytes) -> dict[str, float]:
    """Milliseconds per compile stage (one extra pass): decode, validate, codegen, load."""
    from ..runtime.module import LoadedCode
    from ..wasm import decode, validate_module
    from ..x64.compiler import compile_module

    t0 = time.perf_counter()
    module = decode(data)
    t1 = time.perf_counter()
    validate_module(module)
    t2 = time.perf_counter()
    compiled = compile_module(module)
    t3 = time.perf_counter()
    code = LoadedCode(compiled, module.func_name)
    t4 = time.perf_counter()
    del code
    return {"decode": (t1 - t0) * 1e3, "validate": (t2 - t1) * 1e3, "codegen": (t3 - t2) * 1e3,
            "load": (t4 - t3) * 1e3}


def _run_wasmtime(data: bytes, name: str, out_path: str) -> tuple[float, float, float, float, bytes]:
    """(compile, instantiate, run, run CPU) seconds and the output (written to ``out_path``) of one
    run of ``_start`` under the wasmtime package."""
    import wasmtime

    engine = wasmtime.Engine()
    t0 = time.perf_counter()
    module = wasmtime.Module(engine, data)
    t1 = time.perf_counter()
    store = wasmtime.Store(engine)
    cfg = wasmtime.WasiConfig()
    cfg.argv = [name]
    cfg.stdout_file = out_path
    store.set_wasi(cfg)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    t2 = time.perf_counter()
    c2 = time.thread_time()
    try:
        start(store)
    except wasmtime.ExitTrap as exc:
        if exc.code:
            raise Error(f"{name}: exit code {exc.code} under wasmtime") from None
    c3 = time.thread_time()
    t3 = time.perf_counter()
    del instance, store
    return t1 - t0, t2 - t1, t3 - t2, c3 - c2, Path(out_path).read_bytes()


def _run_native(path: Path) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.run([str(path)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    t1 = time.perf_counter()
    if proc.returncode:
        raise Error(f"{path}: native exit code {proc.returncode}")
    return t1 - t0, proc.stdout


# -- measurement ---------------------------------------------------------------------------------

def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def measure(targets: list[_Target], repeat: int, use_wasmtime: bool,
            show_progress: bool = False) -> list[ProgramResult]:
    import jit.wasi  # noqa: F401 - warm up: the first program must not pay for imports

    from .report import progress

    results = []
    with tempfile.TemporaryDirectory() as tmp, \
            progress(len(targets) * repeat, "programs", show_progress) as advance:
        out_path = os.path.join(tmp, "stdout")
        for t in targets:
            data = t.wasm.read_bytes()
            r = ProgramResult(t.name, len(data))
            wx: list[tuple[float, float, float, float]] = []
            wt: list[tuple[float, float, float, float]] = []
            nat: list[float] = []
            try:
                r.stages_ms = _stages(data)
                for _ in range(repeat):
                    c, i, run, cpu, out = _run_wxjit(data, t.name)
                    wx.append((c, i, run, cpu))
                    if t.expected is not None:
                        r.output_ok = (r.output_ok is not False) and out == t.expected
                    if use_wasmtime:
                        c, i, run, cpu, out = _run_wasmtime(data, t.name, out_path)
                        wt.append((c, i, run, cpu))
                        if t.expected is not None:
                            r.wasmtime_output_ok = (r.wasmtime_output_ok is not False) and out == t.expected
                    if t.native is not None and t.native.exists():
                        nat.append(_run_native(t.native)[0])
                    advance(t.name)
            except Exception as exc:   # one failing program (trap, engine error) must not hide the others
                r.error = f"{type(exc).__name__}: {exc}"
            _fill(r, wx, wt, nat)
            results.append(r)
    return results


def _fill(r: ProgramResult, wx: list[tuple[float, float, float, float]],
          wt: list[tuple[float, float, float, float]],
          nat: list[float]) -> None:
    if wx:
        c = _median([x[0] for x in wx])
        r.wxjit_compile_ms = c * 1e3
        r.wxjit_mb_per_s = r.wasm_bytes / c / 1e6
        r.wxjit_instantiate_ms = _median([x[1] for x in wx]) * 1e3
        r.wxjit_run_s = _median([x[2] for x in wx])
        r.wxjit_run_cpu_s = _median([x[3] for x in wx])
    if wt:
        r.wasmtime_compile_ms = _median([x[0] for x in wt]) * 1e3
        r.wasmtime_instantiate_ms = _median([x[1] for x in wt]) * 1e3
        r.wasmtime_run_s = _median([x[2] for x in wt])
        r.wasmtime_run_cpu_s = _median([x[3] for x in wt])
    r.native_run_s = _median(nat)
    if r.wxjit_run_s and r.wasmtime_run_s:
        r.run_ratio_wasmtime = r.wxjit_run_s / r.wasmtime_run_s
    if r.wxjit_run_cpu_s and r.wasmtime_run_cpu_s:
        r.run_cpu_ratio_wasmtime = r.wxjit_run_cpu_s / r.wasmtime_run_cpu_s
    if r.wxjit_run_s and r.native_run_s:
        r.run_ratio_native = r.wxjit_run_s / r.native_run_s
    if r.wxjit_compile_ms and r.wasmtime_compile_ms:
        r.compile_ratio_wasmtime = r.wxjit_compile_ms / r.wasmtime_compile_ms


def geomean(values: list[float]) -> float | None:
    """Geometric mean of the positive values (None when there are none)."""
    vs = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in vs) / len(vs)) if vs else None


def summary(results: list[ProgramResult]) -> dict[str, float | None]:
    """Geometric means over the programs whose output was right."""
    good = [r for r in results if r.output_ok is not False and r.error is None]
    return {
        "geomean_run_wxjit_over_wasmtime": geomean([r.run_ratio_wasmtime for r in good]),  # type: ignore[misc]
        "geomean_run_cpu_wxjit_over_wasmtime": geomean([r.run_cpu_ratio_wasmtime for r in good]),  # type: ignore[misc]
        "geomean_run_wxjit_over_native": geomean([r.run_ratio_native for r in good]),  # type: ignore[misc]
        "geomean_compile_wxjit_over_wasmtime": geomean([r.compile_ratio_wasmtime for r in good]),  # type: ignore[misc]
        "geomean_wxjit_mb_per_s": geomean([r.wxjit_mb_per_s for r in good]),  # type: ignore[misc]
    }


# -- output --------------------------------------------------------------------------------------

def _f(v: float | None, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def _ok(v: bool | None) -> str:
    return "?" if v is None else "yes" if v else "NO"


def print_tables(results: list[ProgramResult], repeat: int) -> None:
    from .report import print_table

    cols = [("program", "left"), ("wasm KB", "right"), ("ok", "center"),
            ("wx compile ms", "right"), ("MB/s", "right"), ("wx inst ms", "right"), ("wx run s", "right"),
            ("wt compile ms", "right"), ("wt inst ms", "right"), ("wt run s", "right"),
            ("native s", "right"), ("run wx/wt", "right"), ("cpu wx/wt", "right"), ("run wx/native", "right")]
    rows = []
    for r in results:
        ok = "ERR" if r.error else _ok(r.output_ok)
        rows.append([r.name, f"{r.wasm_bytes / 1024:.1f}", ok, _f(r.wxjit_compile_ms, ".1f"),
                     _f(r.wxjit_mb_per_s, ".2f"), _f(r.wxjit_instantiate_ms, ".2f"), _f(r.wxjit_run_s, ".3f"),
                     _f(r.wasmtime_compile_ms, ".1f"), _f(r.wasmtime_instantiate_ms, ".2f"),
                     _f(r.wasmtime_run_s, ".3f"), _f(r.native_run_s, ".3f"),
                     _f(r.run_ratio_wasmtime, ".2f"), _f(r.run_cpu_ratio_wasmtime, ".2f"),
                     _f(r.run_ratio_native, ".2f")])
    s = summary(results)
    rows.append(["geomean", "", "", "", _f(s["geomean_wxjit_mb_per_s"], ".2f"), "", "", "", "", "", "",
                 _f(s["geomean_run_wxjit_over_wasmtime"], ".2f"),
                 _f(s["geomean_run_cpu_wxjit_over_wasmtime"], ".2f"),
                 _f(s["geomean_run_wxjit_over_native"], ".2f")])
    notes = [f"medians of {repeat} runs; wx = wxjit, wt = wasmtime package (Cranelift); native = gcc -O2, "
             "process start included; cpu = run time in CPU time of the running thread; "
             "ok = output equals the native output; geomeans over correct programs"]
    notes += [f"{r.name}: {r.error}" for r in results if r.error]
    notes += [f"{r.name}: wasmtime output differs from the expected one" for r in results
              if r.wasmtime_output_ok is False]
    print_table("wxjit bench programs", cols, rows, notes)
    stage_cols = [("program", "left"), ("decode ms", "right"), ("validate ms", "right"),
                  ("codegen ms", "right"), ("load ms", "right"), ("total ms", "right"),
                  ("codegen share", "right")]
    stage_rows = []
    for r in results:
        st = r.stages_ms
        if not st:
            continue
        total = sum(st.values())
        stage_rows.append([r.name, *(f"{st[k]:.1f}" for k in ("decode", "validate", "codegen", "load")),
                           f"{total:.1f}", f"{st['codegen'] / total:.0%}"])
    if stage_rows:
        print_table("wxjit compile stages (one pass)", stage_cols, stage_rows)


def plot(results: list[ProgramResult], path: str) -> None:
    from .report import grouped_bars

    groups = [r.name for r in results]
    series = {"wxjit": [r.wxjit_run_s for r in results], "wasmtime": [r.wasmtime_run_s for r in results],
              "native": [r.native_run_s for r in results]}
    series = {k: v for k, v in series.items() if any(x is not None for x in v)}
    grouped_bars(path, "WASI programs: run time (s), lower is better", groups, series, "seconds", log=False)


def main(args: argparse.Namespace) -> int:
    from .report import print_json, require_matplotlib, stdout_is_tty

    try:
        if args.plot:
            require_matplotlib()
        if args.repeat < 1:
            raise Error("--repeat must be at least 1")
        use_wasmtime = not args.no_wasmtime
        if use_wasmtime:
            try:
                import wasmtime  # noqa: F401
            except ImportError:
                print("wasmtime package not installed: comparing with native only", file=sys.stderr)
                use_wasmtime = False
        only = args.only.split(",") if args.only else None
        native_dir = Path(args.native_dir) if args.native_dir else None
        targets = _targets(Path(args.dir), native_dir, only, simd=args.simd)
        results = measure(targets, args.repeat, use_wasmtime, show_progress=stdout_is_tty() and not args.json)
    except Error as exc:
        print(f"wxjit bench programs: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json([*results, {"summary": summary(results)}])
    else:
        print_tables(results, args.repeat)
    if args.plot:
        plot(results, args.plot)
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 1 if any(r.error or r.output_ok is False for r in results) else 0
