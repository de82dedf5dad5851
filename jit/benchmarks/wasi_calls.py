"""``wxjit bench wasi_calls``: the cost of one WASI call from compiled code, wxjit vs wasmtime.

A guest loops ``--calls`` times over one WASI function (``clock_time_get`` of the monotonic clock,
``clock_res_get``, ``random_get`` of 16 bytes, ``args_sizes_get``, ``sched_yield``) and the time per
call is the loop's time (CPU time of the calling thread, median of ``--reps`` runs) divided by the
count, minus the same loop without the call. Three engines in the same run: wxjit with the hot calls
answered in C (``jit.wasi.native``), wxjit with every call through Python (``ENABLED = False``, what
every call cost before), and wasmtime-py with its own WASI. Target: <= 0.2 us per call in C.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .report import add_reference_options, wasmtime_wanted

HELP = "ns per WASI call from compiled code (clock, random, args, yield): wxjit C / Python vs wasmtime"

CALLS: dict[str, str] = {
    "empty loop": "",
    "clock_time_get": "(drop (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 64)))",
    "clock_res_get": "(drop (call $clock_res_get (i32.const 1) (i32.const 64)))",
    "random_get 16B": "(drop (call $random_get (i32.const 128) (i32.const 16)))",
    "args_sizes_get": "(drop (call $args_sizes_get (i32.const 64) (i32.const 68)))",
    "sched_yield": "(drop (call $sched_yield))",
}
IMPORTS = """
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (memory (export "memory") 1)
"""


def guest() -> str:
    loop = "(br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"
    funcs = "".join(f'\n  (func (export "f{i}") (param $n i32) (loop $l {body} {loop}))'
                    for i, body in enumerate(CALLS.values()))
    return f"(module {IMPORTS}{funcs})"


@dataclass
class Row:
    """ns per call (loop overhead subtracted) of one WASI function per engine."""

    call: str
    wxjit_c: float
    wxjit_python: float
    wasmtime: float | None

    @property
    def ratio(self) -> float | None:
        return self.wxjit_c / self.wasmtime if self.wasmtime else None


def _median_ns(run: Callable[[int], object], calls: int, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.thread_time_ns()
        run(calls)
        times.append((time.thread_time_ns() - t0) / calls)
    return statistics.median(times)


def _wxjit_runs(binary: bytes, native: bool) -> list[Callable[[int], object]]:
    import jit
    from jit.wasi import Wasi, WasiConfig, abi
    from jit.wasi import native as wasi_native

    saved = wasi_native.ENABLED
    wasi_native.ENABLED = native
    try:
        wasi = Wasi(WasiConfig(args=["bench"]))
        imports = {abi.MODULE: wasi.imports()[abi.MODULE]}
    finally:
        wasi_native.ENABLED = saved
    inst = jit.Instance(jit.Module(binary), imports)
    wasi.bind(inst)
    return [inst.exports[f"f{i}"] for i in range(len(CALLS))]


def _wasmtime_runs(binary: bytes) -> list[Callable[[int], object]]:
    import wasmtime

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    cfg = wasmtime.WasiConfig()
    cfg.argv = ["bench"]
    store.set_wasi(cfg)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    inst = linker.instantiate(store, wasmtime.Module(engine, binary))
    ex = inst.exports(store)
    return [lambda n, f=ex[f"f{i}"]: f(store, n) for i in range(len(CALLS))]


def run(calls: int, reps: int, with_wasmtime: bool) -> list[Row]:
    from ..wat import wat2wasm

    binary = wat2wasm(guest())
    engines = {"c": _wxjit_runs(binary, True), "py": _wxjit_runs(binary, False)}
    if with_wasmtime:
        engines["wt"] = _wasmtime_runs(binary)
    per = {k: [_median_ns(f, calls if k != "py" else max(1, calls // 20), reps) for f in fs]
           for k, fs in engines.items()}
    def net(k: str, i: int) -> float | None:
        if k not in per:
            return None
        return per[k][i] - (per[k][0] if i else 0.0)

    return [Row(name, net("c", i), net("py", i), net("wt", i)) for i, name in enumerate(CALLS)]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=200_000, help="calls per run (default 200000; "
                        "the Python path makes 1/20 of them)")
    parser.add_argument("--reps", type=int, default=5, help="runs per measurement; medians (default 5)")
    add_reference_options(parser)


def main(args: argparse.Namespace) -> int:
    with_wasmtime = wasmtime_wanted(args)
    rows = run(args.calls, args.reps, with_wasmtime)
    if args.json:
        print(json.dumps([{**asdict(r), "ratio": r.ratio} for r in rows], indent=1))
        return 0
    print(f"{'call':18}{'wxjit C':>10}{'wxjit Py':>10}{'wasmtime':>10}{'C/wt':>8}")
    for r in rows:
        wt = f"{r.wasmtime:10.1f}" if r.wasmtime is not None else f"{'-':>10}"
        ratio = f"{r.ratio:8.2f}" if r.ratio is not None and r.call != "empty loop" else f"{'-':>8}"
        print(f"{r.call:18}{r.wxjit_c:10.1f}{r.wxjit_python:10.1f}{wt}{ratio}")
    print(f"(ns per call, CPU time, the empty loop's time per iteration subtracted; median of {args.reps} "
          f"runs of {args.calls} calls)")
    return 0
