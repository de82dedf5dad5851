"""``wxjit bench alloc``: allocation-heavy and ``-O0`` programs, wxjit vs wasmtime, CPU time.

The targets come from ``jit.benchmarks.alloc_build``: the allocation benchmark (``bench/alloc/alloc.c``)
with wasi-libc's dlmalloc and with mimalloc (which reads the clock on its hot path, so every
``clock_time_get`` counts), each at ``-O2`` and ``-O0``, and a few ``bench/programs`` at ``-O0``.
Every repetition runs each target under wxjit with the WASI hot calls in C, under wxjit with every
WASI call through Python (``jit.wasi.native.ENABLED = False``; ``--no-python-wasi`` skips it) and
under the ``wasmtime`` package, in this order, on this thread: the figure is the CPU time of the
calling thread for ``_start`` (compile and instantiate excluded), median of ``--repeat`` runs; the
ratio is wxjit (C WASI) / wasmtime. Outputs are checked against the native build's; a mismatch is
flagged, never hidden. Missing clang or mimalloc sources: a clear error saying what to install.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from . import programs
from .report import add_reference_options, print_json, print_table, progress, stdout_is_tty, wasmtime_wanted

HELP = "allocation benchmark (dlmalloc, mimalloc) and -O0 programs: wxjit vs wasmtime CPU time"
ENGINES = ("wxjit", "wxjit_python_wasi", "wasmtime")


@dataclass
class AllocResult:
    """Median CPU seconds of one target per engine (None: not measured) and the outputs' check."""

    name: str
    allocator: str
    opt: str
    wxjit_s: float | None = None
    wxjit_python_wasi_s: float | None = None
    wasmtime_s: float | None = None
    output_ok: bool | None = None
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        return self.wxjit_s / self.wasmtime_s if self.wxjit_s and self.wasmtime_s else None

    @property
    def python_wasi_ratio(self) -> float | None:
        return self.wxjit_python_wasi_s / self.wasmtime_s if self.wxjit_python_wasi_s and self.wasmtime_s \
            else None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per engine and target; medians (default 3)")
    parser.add_argument("--only", metavar="NAMES",
                        help="comma-separated targets (e.g. alloc-mimalloc,sha256-O0)")
    parser.add_argument("--no-python-wasi", action="store_true",
                        help="skip the wxjit run with every WASI call through Python")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the targets even when cached")
    add_reference_options(parser)


def _run_wxjit(data: bytes, name: str, out_path: str, native_wasi: bool) -> tuple[float, bytes]:
    """CPU seconds of ``_start`` and the output, the guest writing to a file (so stdout takes the
    C path when ``native_wasi``)."""
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        cpu = programs._run_wxjit(data, name, stdout=fd, native_wasi=native_wasi)[3]
    finally:
        os.close(fd)
    with open(out_path, "rb") as f:
        return cpu, f.read()


def _run_wasmtime(data: bytes, name: str, out_path: str) -> tuple[float, bytes]:
    """CPU seconds of ``_start`` and the output under the wasmtime package."""
    _, _, _, cpu, out = programs._run_wasmtime(data, name, out_path)
    return cpu, out


def measure(names: list[str] | None, repeat: int, with_wasmtime: bool, python_wasi: bool,
            rebuild: bool = False, show_progress: bool = False) -> list[AllocResult]:
    """Build (cached) and run every target; see the module docstring."""
    from .alloc_build import build_all

    targets = build_all(names, force=rebuild)
    engines: dict[str, Callable[[bytes, str, str], tuple[float, bytes]]] = {
        "wxjit": lambda d, n, o: _run_wxjit(d, n, o, True)}
    if python_wasi:
        engines["wxjit_python_wasi"] = lambda d, n, o: _run_wxjit(d, n, o, False)
    if with_wasmtime:
        engines["wasmtime"] = _run_wasmtime
    results = []
    with tempfile.TemporaryDirectory(prefix="wxjit-alloc-") as tmp, \
            progress(len(targets) * repeat * len(engines), "alloc", show_progress) as advance:
        out_path = os.path.join(tmp, "stdout")
        for t in targets:
            r = AllocResult(t.name, t.allocator, t.opt)
            data = t.wasm.read_bytes()
            expected = t.expected_output()
            times: dict[str, list[float]] = {k: [] for k in engines}
            try:
                for _ in range(repeat):
                    for engine, run in engines.items():
                        elapsed, out = run(data, t.name, out_path)
                        times[engine].append(elapsed)
                        r.output_ok = r.output_ok is not False and out == expected
                        advance(f"{t.name} {engine}")
            except Exception as exc:   # one failing target (trap, engine error) must not hide the others
                r.error = f"{type(exc).__name__}: {exc}"
            for engine, xs in times.items():
                if xs:
                    setattr(r, f"{engine}_s", statistics.median(xs))
            results.append(r)
    return results


def _f(v: float | None, fmt: str) -> str:
    return "-" if v is None else format(v, fmt)


def main(args: argparse.Namespace) -> int:
    with_wasmtime = wasmtime_wanted(args)
    names = [n.strip() for n in args.only.split(",")] if args.only else None
    results = measure(names, args.repeat, with_wasmtime, not args.no_python_wasi, args.rebuild,
                      show_progress=stdout_is_tty() and not args.json)
    if args.json:
        print_json([{**r.__dict__, "ratio": r.ratio, "python_wasi_ratio": r.python_wasi_ratio}
                    for r in results])
        return 0 if all(r.error is None and r.output_ok for r in results) else 1
    rows = [[r.name, r.allocator, r.opt, _f(r.wxjit_s, ".3f"), _f(r.wxjit_python_wasi_s, ".3f"),
             _f(r.wasmtime_s, ".3f"), _f(r.ratio, ".2f"), _f(r.python_wasi_ratio, ".2f"),
             "ok" if r.output_ok else ("-" if r.output_ok is None else "WRONG")] for r in results]
    notes = [f"{r.name}: {r.error}" for r in results if r.error]
    notes.append(f"CPU seconds of _start (compile/instantiate excluded), median of {args.repeat} runs; "
                 "wx/wt = wxjit (WASI hot calls in C) / wasmtime; "
                 "py/wt = wxjit with every WASI call in Python")
    print_table("allocation and -O0 programs", [("target", "left"), ("allocator", "left"), ("opt", "left"),
                                                ("wxjit s", "right"), ("wx Py-WASI s", "right"),
                                                ("wasmtime s", "right"), ("wx/wt", "right"),
                                                ("py/wt", "right"), ("output", "left")], rows, notes)
    return 0 if all(r.error is None and r.output_ok for r in results) else 1
