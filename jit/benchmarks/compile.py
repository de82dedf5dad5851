"""``wxjit bench compile``: compile speed of wxjit vs wasmtime's Cranelift and Winch, same run.

Every compile runs in a fresh child process (``python -c``), so peak RSS (``VmHWM``) is the one
compile's, and CPU time is ``time.process_time()`` (all threads: Cranelift compiles in parallel, so
its wall time is reported too) plus the CPU of any worker processes (``RUSAGE_CHILDREN``). What each
engine imports runs before the clock starts (wasmtime's ``Engine`` is made before it too): with
``PYTHONDONTWRITEBYTECODE`` an import compiles its source, which is no part of compiling Wasm.
wxjit's time is split into decode / validate / codegen / load. Engines:

- ``wxjit``: serial (``jobs=1``); ``wxjit-jN``: parallel compile with N processes (wall time);
- ``cranelift``: wasmtime's default (parallel); ``cranelift-1``: ``parallel_compilation = False``;
- ``winch``: wasmtime's baseline compiler (``wasmtime_config_strategy_set(config, 2)``).

Modules: the benchmark programs (``bench/programs``), SQLite (the amalgamation from the PyPI sdist
of ``sqlean.py``, built with clang 14 to wasm32-wasi and cached under ``~/.cache/wxjit-bench``) and
synthetic modules of 10k and 100k small functions (``jit.benchmarks.synthetic``). Ratios are CPU
time wxjit / other engine per module, and their geometric mean.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HELP = "compile speed: decode/validate/codegen/load, MB/s, peak RSS; wxjit vs Cranelift and Winch"

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wxjit-bench"
SQLITE_PACKAGE = "sqlean.py==3.50.4.5"
SQLITE_FLAGS = ["-O2", "-Wl,--strip-debug", "-DSQLITE_OS_OTHER=1", "-DSQLITE_THREADSAFE=0",
                "-DSQLITE_OMIT_LOAD_EXTENSION", "-DSQLITE_OMIT_WAL", "-DSQLITE_OMIT_SHARED_CACHE"]
SQLITE_DRIVER = r"""
#include <stdio.h>
#include "sqlite3.h"
int sqlite3_os_init(void) { return SQLITE_OK; }
int sqlite3_os_end(void) { return SQLITE_OK; }
int main(void) {
  sqlite3 *db;
  printf("%s %d\n", sqlite3_libversion(), sqlite3_open(":memory:", &db));
  return 0;
}
"""


@dataclass
class Result:
    """One compile of one module by one engine (medians over the repetitions)."""

    module: str
    engine: str
    code_bytes: int
    instructions: int
    cpu_s: float
    wall_s: float
    peak_rss_kib: int
    phases: dict[str, float] = field(default_factory=dict)   # wxjit: decode/validate/codegen/load CPU s

    @property
    def mb_per_s(self) -> float:
        return self.code_bytes / 1e6 / self.cpu_s if self.cpu_s else 0.0

    @property
    def us_per_instruction(self) -> float:
        return self.cpu_s * 1e6 / self.instructions if self.instructions else 0.0


# -- modules ---------------------------------------------------------------------------------------

def build_sqlite(cache_dir: Path = CACHE_DIR) -> Path:
    """SQLite built to wasm32-wasi from the amalgamation in the ``sqlean.py`` sdist (cached)."""
    from .programs_build import SYSROOT, find_clang

    out = cache_dir / "sqlite.wasm"
    if out.exists():
        return out
    clang = find_clang()
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                        SQLITE_PACKAGE, "-d", tmp], check=True, capture_output=True)
        import tarfile
        sdist = next(t.glob("*.tar.gz"))
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                if member.name.endswith(("sqlite/sqlite3.c", "sqlite/sqlite3.h")):
                    member.name = Path(member.name).name
                    tar.extract(member, tmp, filter="data")
        src = (t / "sqlite3.c").read_text(errors="replace")
        marker = src.find("/************************** End of sqlite3.c")
        if marker > 0:       # sqlean appends its extensions' init after the amalgamation proper
            (t / "sqlite3.c").write_text(src[:marker])
        (t / "driver.c").write_text(SQLITE_DRIVER)
        tmp_out = t / "sqlite.wasm"
        subprocess.run([clang, "--target=wasm32-wasi", f"--sysroot={SYSROOT}", *SQLITE_FLAGS, f"-I{tmp}",
                        str(t / "driver.c"), str(t / "sqlite3.c"), "-o", str(tmp_out)],
                       check=True, capture_output=True)
        shutil.move(str(tmp_out), out)
    return out


def synthetic(n: int, cache_dir: Path = CACHE_DIR) -> Path:
    """The synthetic module of ``n`` small functions, written under the cache directory."""
    from .synthetic import many_functions

    out = cache_dir / f"synthetic-{n}.wasm"
    if not out.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        out.write_bytes(many_functions(n))
    return out


def modules(names: list[str] | None, notes: list[str]) -> list[tuple[str, Path]]:
    """(name, path) of every benchmark module available; what is missing goes to ``notes``."""
    from ..errors import Error
    from .programs_build import build_all

    found: list[tuple[str, Path]] = []
    try:
        found += [(p.name, p.wasm) for p in build_all()]
    except Error as exc:
        notes.append(f"benchmark programs skipped: {exc}")
    try:
        found.append(("sqlite", build_sqlite()))
    except (Error, OSError, subprocess.CalledProcessError) as exc:
        notes.append(f"sqlite skipped: {exc}")
    found += [("synth-10k", synthetic(10_000)), ("synth-100k", synthetic(100_000))]
    if names:
        found = [(n, p) for n, p in found if n in names]
    return found


# -- one compile, in a child process ---------------------------------------------------------------

def _vm_hwm_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child(engine: str, path: str) -> dict[str, Any]:
    """Compile ``path`` once with ``engine`` in this (fresh) process; the measurements as a dict."""
    import resource
    import time

    data = Path(path).read_bytes()

    def cpu() -> float:
        ch = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + ch.ru_utime + ch.ru_stime

    phases: dict[str, float] = {}
    if engine.startswith("wxjit"):
        from ..abi.limits import DEFAULT_LIMITS
        from ..codemem import arena as _arena  # noqa: F401 - imported before the clock, like the Engine
        from ..runtime.module import LoadedCode
        from ..wasm.decoder import decode
        from ..wasm.validator import validate_module
        from ..x64.compiler import compile_module
        jobs = int(engine.partition("-j")[2] or 1)
        wall0, t0 = time.perf_counter(), cpu()
        m = decode(data, DEFAULT_LIMITS)
        t1 = cpu()
        validate_module(m)
        t2 = cpu()
        if jobs > 1:
            from ..parallel import compile_parallel
            compiled = compile_parallel(m, jobs=jobs)
        else:
            compiled = compile_module(m)
        t3 = cpu()
        LoadedCode(compiled)
        t4, wall1 = cpu(), time.perf_counter()
        phases = {"decode": t1 - t0, "validate": t2 - t1, "codegen": t3 - t2, "load": t4 - t3}
        code_bytes = sum(b.size for b in m.codes)
        instructions = sum(len(b.code) for b in m.codes)
    else:
        import wasmtime
        from wasmtime import _ffi as ffi
        config = wasmtime.Config()
        if engine == "winch":
            ffi.wasmtime_config_strategy_set(config.ptr(), 2)
        if engine == "cranelift-1":
            config.parallel_compilation = False
        eng = wasmtime.Engine(config)
        wall0, t0 = time.perf_counter(), cpu()
        wasmtime.Module(eng, data)
        t4, wall1 = cpu(), time.perf_counter()
        code_bytes = instructions = 0
    return {"cpu_s": t4 - t0, "wall_s": wall1 - wall0, "peak_rss_kib": _vm_hwm_kib(), "phases": phases,
            "code_bytes": code_bytes, "instructions": instructions}


def measure(engine: str, path: Path, timeout: float = 1800) -> dict[str, Any]:
    """``child(engine, path)`` in a fresh Python process."""
    code = ("import json, sys; from jit.benchmarks.compile import child; "
            "print(json.dumps(child(sys.argv[1], sys.argv[2])))")
    proc = subprocess.run([sys.executable, "-c", code, engine, str(path)], capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} on {path.name}: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(mods: list[tuple[str, Path]], engines: list[str], reps: int, advance: Any) -> list[Result]:
    """Every engine on every module, ``reps`` times (engines interleaved), medians."""
    results = []
    for name, path in mods:
        samples: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
        for _ in range(reps):
            for e in engines:
                samples[e].append(measure(e, path))
        ref = samples[engines[0]][0] if engines[0].startswith("wxjit") else {}
        for e in engines:
            s = samples[e]
            med = statistics.median
            results.append(Result(
                name, e, ref.get("code_bytes", 0), ref.get("instructions", 0),
                med(x["cpu_s"] for x in s), med(x["wall_s"] for x in s),
                int(med(x["peak_rss_kib"] for x in s)),
                {k: med(x["phases"][k] for x in s) for k in s[0]["phases"]}))
        advance(name)
    return results


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def ratios(results: list[Result], other: str, key: str = "cpu_s", base: str = "wxjit") -> dict[str, float]:
    """Per module: ``key`` of ``base`` / ``key`` of ``other``."""
    by = {(r.module, r.engine): r for r in results}
    return {m: getattr(by[m, base], key) / getattr(by[m, other], key)
            for m, e in by if e == base and (m, other) in by and getattr(by[m, other], key)}


# -- command ---------------------------------------------------------------------------------------

def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("modules", nargs="*", help="modules to measure (default: all)")
    parser.add_argument("--reps", type=int, default=3, help="compiles per module and engine (median)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the wxjit-jN parallel row")
    parser.add_argument("--no-wasmtime", action="store_true", help="measure wxjit only")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    parser.add_argument("--plot", metavar="PNG", help="also write a bar chart of CPU time per module")


def main(args: argparse.Namespace) -> int:
    from .report import grouped_bars, print_table, progress, stdout_is_tty

    notes: list[str] = []
    mods = modules(args.modules or None, notes)
    engines = ["wxjit"] + ([f"wxjit-j{args.jobs}"] if args.jobs > 1 else [])
    if not args.no_wasmtime:
        engines += ["cranelift", "cranelift-1", "winch"]
    with progress(len(mods), "compile", stdout_is_tty() and not args.json) as advance:
        results = run(mods, engines, args.reps, advance)
    vs = {o: ratios(results, o) for o in engines[1:] if not o.startswith("wxjit")}
    from .. import _accel
    build = _accel.status()      # the children run with this environment: the same modules compiled
    notes.append(f"wxjit build: {build.mode} ({len(build.compiled)} of {len(_accel.MODULES)} modules compiled"
                 + (f"; {build.reason}" if build.reason else "") + "; docs/compiled-build.md)")
    if args.json:
        print(json.dumps({"build": {"mode": build.mode, "compiled_modules": list(build.compiled),
                                    "reason": build.reason},
                          "results": [{**asdict(r), "mb_per_s": r.mb_per_s,
                                       "us_per_instruction": r.us_per_instruction} for r in results],
                          "cpu_ratio": vs, "cpu_ratio_geomean": {o: geomean(list(v.values()))
                                                                 for o, v in vs.items()},
                          "notes": notes}, indent=1))
    else:
        rows = []
        for r in results:
            ph = "/".join(f"{r.phases[k] * 1e3:.0f}" for k in ("decode", "validate", "codegen", "load")) \
                if r.phases else ""
            rows.append([r.module, r.engine, f"{r.cpu_s * 1e3:.1f}", f"{r.wall_s * 1e3:.1f}", ph,
                         f"{r.mb_per_s:.3f}" if r.engine == "wxjit" else "",
                         f"{r.us_per_instruction:.2f}" if r.engine == "wxjit" else "",
                         f"{r.peak_rss_kib / 1024:.0f}"])
        for o, v in vs.items():
            notes.append(f"CPU wxjit/{o}: geomean {geomean(list(v.values())):.1f}x  (" +
                         ", ".join(f"{m} {x:.1f}" for m, x in v.items()) + ")")
        par = ratios(results, f"wxjit-j{args.jobs}", "wall_s") if args.jobs > 1 else {}
        if par:
            notes.append(f"parallel speedup (wall, wxjit / wxjit-j{args.jobs}): " +
                         ", ".join(f"{m} {x:.2f}" for m, x in par.items()))
        print_table("compile (ms; median; phases = decode/validate/codegen/load CPU ms)",
                    [("module", "left"), ("engine", "left"), ("CPU ms", "right"), ("wall ms", "right"),
                     ("phases", "right"), ("MB/s", "right"), ("µs/insn", "right"), ("peak MiB", "right")],
                    rows, notes)
    if args.plot:
        names = list(dict.fromkeys(r.module for r in results))
        by = {(r.module, r.engine): r.cpu_s for r in results}
        grouped_bars(args.plot, "compile CPU time (s, log)", names,
                     {e: [by.get((m, e)) for m in names] for e in engines}, "CPU seconds")
    return 0
