"""``wxjit bench cached``: a cached load of a large compiled module, wxjit vs wasmtime, same run.

Each module (default: the synthetic module of 100k small functions of ``wxjit bench compile``, a
~29 MB ``.cwasm``; or ``--module FILE.wasm``, repeatable) is compiled once into a private temporary
``jit.Cache`` (and, for wasmtime, serialized once to a file). Then, ``--reps`` times, interleaved:

- ``wxjit cold``: ``Cache.load`` with the in-process memo of decoded metadata cleared, i.e. what the
  first load of a file in a process costs: open + checks + read, MAC (keyed BLAKE3) over the whole
  file, decode and bounds-check the metadata, copy + relocate the code into the code arena;
- ``wxjit memo``: the same file loaded again in the process (metadata shared, file still read, MAC
  checked and code copied);
- ``wasmtime``: ``wasmtime.Module.deserialize_file`` of its own artifact (mmap).

Reports CPU milliseconds (``time.process_time``; median, min-max), file MB and MB/s, and the ratio
wxjit cold / wasmtime. The target (issue 14): a cached load of a 30 MB ``.cwasm`` <= 30 ms CPU.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .report import add_reference_options, wasmtime_wanted

HELP = "cached load of a large compiled module (.cwasm): wxjit cold/memo vs wasmtime deserialize"

TARGET_MS = 30.0
ENGINES = ("wxjit cold", "wxjit memo", "wasmtime")


@dataclass
class CachedResult:
    """One JSON record of ``--json``: one module and engine."""

    module: str
    engine: str
    file_bytes: int                    # wxjit's .cwasm
    median_ms: float
    min_ms: float
    max_ms: float
    mb_per_s: float
    reps: int


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--module", action="append", metavar="FILE.wasm",
                        help="measure this module (repeatable; default: the synthetic 100k functions)")
    parser.add_argument("--reps", type=int, default=9, help="loads per engine (median; default 9)")
    add_reference_options(parser)


def _wxjit_loaders(wasm: bytes, directory: str) -> tuple[Any, Any, int]:
    """(cold load, memo load, file size): closures returning a loaded module."""
    from jit.cache import Cache
    from jit.errors import Error
    from jit.runtime.serialize import clear_memo

    cache = Cache(directory)
    cache.module(wasm)                         # compiled eagerly and stored
    size = cache.path(wasm).stat().st_size

    def memo() -> Any:
        module = cache.load(wasm)
        if module is None:
            raise Error(f"the cached file was not loaded: {cache.last_error}")
        return module

    def cold() -> Any:
        clear_memo()
        return memo()

    return cold, memo, size


def _wasmtime_loader(wasm: bytes, directory: str) -> Any:
    import wasmtime

    engine = wasmtime.Engine()
    path = os.path.join(directory, "module.wasmtime.cwasm")
    with open(path, "wb") as f:
        f.write(wasmtime.Module(engine, wasm).serialize())
    return lambda: wasmtime.Module.deserialize_file(engine, path)


def _time(load: Any) -> float:
    t0 = time.process_time()
    module = load()
    elapsed = time.process_time() - t0
    del module
    return elapsed


def measure(modules: list[tuple[str, Path]], reps: int, with_wasmtime: bool,
            show_progress: bool = False) -> list[CachedResult]:
    """Compile and store every module, then time ``reps`` interleaved loads per engine."""
    from .report import progress, summarize

    results = []
    with progress(len(modules) * (reps + 1), "cached", show_progress) as advance:
        for name, path in modules:
            wasm = path.read_bytes()
            with tempfile.TemporaryDirectory(prefix="wxjit-bench-cached-") as tmp:
                cold, memo, size = _wxjit_loaders(wasm, os.path.join(tmp, "cache"))
                loaders = {"wxjit cold": cold, "wxjit memo": memo}
                if with_wasmtime:
                    loaders["wasmtime"] = _wasmtime_loader(wasm, tmp)
                for load in loaders.values():        # warm-up: page cache, code arena grown
                    _time(load)
                advance(f"{name} compiled")
                samples: dict[str, list[float]] = {e: [] for e in loaders}
                for _ in range(reps):
                    for engine, load in loaders.items():
                        samples[engine].append(_time(load))
                    advance(name)
            mb = size / 1e6
            for engine, values in samples.items():
                med, lo, hi = summarize(values)
                results.append(CachedResult(name, engine, size, round(med * 1e3, 2),
                                            round(lo * 1e3, 2), round(hi * 1e3, 2),
                                            round(mb / med, 1) if med else 0.0, reps))
    return results


def _print(results: list[CachedResult]) -> None:
    from .report import print_table

    cold = {r.module: r.median_ms for r in results if r.engine == "wxjit cold"}
    wt = {r.module: r.median_ms for r in results if r.engine == "wasmtime"}
    rows = []
    for r in results:
        ratio = ""
        if r.engine != "wasmtime" and wt.get(r.module):
            ratio = f"{r.median_ms / wt[r.module]:.1f}x"
        rows.append([r.module, r.engine, f"{r.file_bytes / 1e6:.1f}", f"{r.median_ms:.1f}",
                     f"{r.min_ms:.1f}–{r.max_ms:.1f}", f"{r.mb_per_s:,.0f}", ratio])
    notes = [f"{results[0].reps if results else 0} interleaved loads per engine; CPU time of this process; "
             "file MB: wxjit's .cwasm."]
    for module, ms in cold.items():
        verdict = "met" if ms <= TARGET_MS else "NOT met"
        notes.append(f"{module}: wxjit cold load {ms:.1f} ms CPU (target <= {TARGET_MS:.0f} ms for a 30 MB "
                     f".cwasm: {verdict})")
    print_table("cached load (ms CPU; median)",
                [("module", "left"), ("engine", "left"), ("file MB", "right"), ("ms", "right"),
                 ("min–max", "right"), ("MB/s", "right"), ("vs wasmtime", "right")], rows, notes)


def main(args: argparse.Namespace) -> int:
    from jit.errors import Error

    from .report import print_json, stdout_is_tty

    if args.reps < 1:
        print("wxjit bench cached: --reps must be at least 1", file=sys.stderr)
        return 2
    try:
        if args.module:
            modules = [(Path(p).name, Path(p)) for p in args.module]
            for _name, p in modules:
                if not p.is_file():
                    raise Error(f"{p}: no such file")
        else:
            from .compile import synthetic
            modules = [("synth-100k", synthetic(100_000))]
        results = measure(modules, args.reps, wasmtime_wanted(args),
                          show_progress=stdout_is_tty() and not args.json)
    except Error as exc:
        print(f"wxjit bench cached: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print_json(results)
    else:
        _print(results)
    return 0
