"""``wxjit bench wasi_calls``: the cost of one WASI call from compiled code, wxjit vs wasmtime.

A guest loops ``--calls`` times over one WASI function (``clock_time_get`` of the monotonic clock,
``clock_res_get``, ``random_get`` of 16 bytes, ``args_sizes_get``, ``sched_yield``, and on regular
files it opened in a preopened temporary directory: ``fd_write`` and ``fd_read`` of 16 bytes,
``fd_seek``, ``fd_tell``; the file read is rewound before each run) and the time per
call is the loop's time (CPU time of the calling thread, median of ``--reps`` runs) divided by the
count, minus the same loop without the call. Three engines in the same run, and the floor ("C alone":
the same C handler called from a C loop, so what is left is the system call itself): wxjit with the hot calls
answered in C (``jit.wasi.native``), wxjit with every call through Python (``ENABLED = False``, what
every call cost before), and wasmtime-py with its own WASI. Target: <= 0.2 us per call in C.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import Error
from .report import add_reference_options, cell, print_json, wasmtime_wanted

HELP = ("ns per WASI call from compiled code (clock, random, args, yield, fd read/write/seek/tell): "
        "wxjit C / Python vs wasmtime")
READ_BYTES = 16



@dataclass(frozen=True)
class Call:
    """One measured row: a WASI function and its arguments (ints, or "rfd"/"wfd": the guest's file
    descriptor global); ``function`` None is the empty loop."""

    function: str | None
    args: tuple[int | str, ...] = ()


CALLS: dict[str, Call] = {
    "empty loop": Call(None),
    "clock_time_get": Call("clock_time_get", (1, 0, 64)),
    "clock_res_get": Call("clock_res_get", (1, 64)),
    "random_get 16B": Call("random_get", (128, 16)),
    "args_sizes_get": Call("args_sizes_get", (64, 68)),
    "sched_yield": Call("sched_yield"),
    "fd_write 16B file": Call("fd_write", ("wfd", 256, 1, 72)),      # iovec at 256: 16 bytes at 512
    "fd_read 16B file": Call("fd_read", ("rfd", 264, 1, 72)),        # iovec at 264: 16 bytes at 1024
    "fd_seek": Call("fd_seek", ("wfd", 0, 1, 80)),
    "fd_tell": Call("fd_tell", ("rfd", 80)),
}


def _body(call: Call) -> str:
    if call.function is None:
        return ""
    from ..wasi import abi
    params = abi.SIGNATURES[call.function][0]
    args = " ".join(f"(global.get ${a})" if isinstance(a, str) else f"({t}.const {a})"
                    for a, t in zip(call.args, params, strict=True))
    return f"(drop (call ${call.function} {args}))"


IMPORTS = """
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $rfd (export "rfd") (mut i32) (i32.const -1))
  (global $wfd (export "wfd") (mut i32) (i32.const -1))
  ;; iovecs: 16 bytes at 512 (written) and at 1024 (read into); file names at 300 and 310
  (data (i32.const 256) "\\00\\02\\00\\00\\10\\00\\00\\00\\00\\04\\00\\00\\10\\00\\00\\00")
  (data (i32.const 300) "in.dat")
  (data (i32.const 310) "out.dat")
  (func (export "setup") (result i32)
    (local $rc i32)
    ;; fd 3 is the preopened directory; in.dat for reading, out.dat created for writing
    (local.set $rc (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 6) (i32.const 0)
      (i64.const 0x1FFFFFFF) (i64.const 0x1FFFFFFF) (i32.const 0) (i32.const 88)))
    (if (local.get $rc) (then (return (local.get $rc))))
    (global.set $rfd (i32.load (i32.const 88)))
    (local.set $rc (call $path_open (i32.const 3) (i32.const 0) (i32.const 310) (i32.const 7) (i32.const 9)
      (i64.const 0x1FFFFFFF) (i64.const 0x1FFFFFFF) (i32.const 0) (i32.const 88)))
    (global.set $wfd (i32.load (i32.const 88)))
    (local.get $rc))
  (func (export "rewind") (result i32)
    (call $fd_seek (global.get $rfd) (i64.const 0) (i32.const 0) (i32.const 80))
    (drop (call $fd_seek (global.get $wfd) (i64.const 0) (i32.const 0) (i32.const 80))))
"""


def guest() -> str:
    loop = "(br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"
    funcs = "".join(f'\n  (func (export "f{i}") (param $n i32) (loop $l {body} {loop}))'
                    for i, body in enumerate(map(_body, CALLS.values())))
    return f"(module {IMPORTS}{funcs})"


@dataclass
class Row:
    """ns per call (loop overhead subtracted) of one WASI function per engine."""

    call: str
    wxjit_c: float
    wxjit_python: float
    wasmtime: float | None
    handler_alone: float | None = None
    """the C handler called in a C loop (no compiled code, no host-call path): the floor"""

    @property
    def ratio(self) -> float | None:
        return self.wxjit_c / self.wasmtime if self.wasmtime else None


def _median_ns(run: Callable[[int], object], rewind: Callable[[], int], calls: int, reps: int) -> float:
    times = []
    if rewind() != 0:
        raise Error("the benchmark guest could not rewind its files")
    run(1)      # untimed: a lazily compiled loop compiles on its first call, which is not the call's cost
    for _ in range(reps):
        if rewind() != 0:
            raise Error("the benchmark guest could not rewind its files")
        t0 = time.thread_time_ns()
        run(calls)
        times.append((time.thread_time_ns() - t0) / calls)
    return statistics.median(times)


_FLOORS: list[Callable[[int], object] | None] = []     # per row: the handler alone (the C engine's)
_CLOSE: list[Callable[[], None]] = []     # the wxjit guests' Wasi.close, called when a run is done
Runs = tuple[list[Callable[[int], object]], Callable[[], int]]
"""One callable per CALLS row (the loop of n calls) and the guest's rewind."""


def _prepared(run: Runs, setup: Callable[[], int]) -> Runs:
    rc = setup()
    if rc != 0:
        raise Error(f"the benchmark guest could not open its files (WASI errno {rc})")
    return run


def _wxjit_runs(binary: bytes, native: bool, directory: str) -> Runs:
    import jit
    from jit.wasi import Wasi, WasiConfig, abi
    from jit.wasi import native as wasi_native

    saved = wasi_native.ENABLED
    wasi_native.ENABLED = native
    try:
        wasi = Wasi(WasiConfig(args=["bench"], preopens={".": directory}))
        imports = {abi.MODULE: wasi.imports()[abi.MODULE]}
    finally:
        wasi_native.ENABLED = saved
    inst = jit.Instance(jit.Module(binary), imports)
    wasi.bind(inst)
    ex = inst.exports
    _CLOSE.append(wasi.close)
    runs = _prepared(([ex[f"f{i}"] for i in range(len(CALLS))], ex["rewind"]), ex["setup"])
    if native:
        _FLOORS[:] = [_handler_alone(wasi, ex, call) for call in CALLS.values()]
    return runs


def _handler_alone(wasi: Any, exports: Any, call: Call) -> Callable[[int], object] | None:
    """n calls of ``call``'s C handler from a C loop (``wx_wasi_fast_repeat``), or None (no handler)."""
    from ..native import ffi, lib
    from ..wasi import native as wasi_native

    if call.function is None:
        return lambda n: None
    fid = wasi_native.FAST_ID.get(call.function)
    if fid is None:
        return None
    args = ffi.new("uint64_t[]", [exports[a].value if isinstance(a, str) else a for a in call.args] or [0])
    ctx = wasi._fast.ctx

    def repeat(n: int) -> None:
        if lib.wx_wasi_fast_repeat(fid, ctx, args, len(call.args), n) != n:
            raise Error(f"the C handler of {call.function} declined a call")
    return repeat


def _wasmtime_runs(binary: bytes, directory: str) -> Runs:
    import wasmtime

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    cfg = wasmtime.WasiConfig()
    cfg.argv = ["bench"]
    cfg.preopen_dir(directory, ".")
    store.set_wasi(cfg)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    inst = linker.instantiate(store, wasmtime.Module(engine, binary))
    ex = inst.exports(store)
    return _prepared(([lambda n, f=ex[f"f{i}"]: f(store, n) for i in range(len(CALLS))],
                      lambda: ex["rewind"](store)), lambda: ex["setup"](store))


def run(calls: int, reps: int, with_wasmtime: bool) -> list[Row]:
    from ..wat import wat2wasm

    binary = wat2wasm(guest())
    with tempfile.TemporaryDirectory(prefix="wxjit-wasi-calls-") as directory:
        with open(f"{directory}/in.dat", "wb") as f:
            f.write(bytes(READ_BYTES * calls))
        engines = {"c": _wxjit_runs(binary, True, directory), "py": _wxjit_runs(binary, False, directory)}
        if with_wasmtime:
            engines["wt"] = _wasmtime_runs(binary, directory)
        # The Python path makes 1/20 of the calls, but its empty loop never leaves compiled code: it runs the
        # full count, so the baseline subtracted from every Python row is not noise over a few iterations.
        per = {k: [_median_ns(f, rewind, calls if k != "py" or i == 0 else max(1, calls // 20), reps)
                   for i, f in enumerate(fs)]
               for k, (fs, rewind) in engines.items()}
        rewind_c = engines["c"][1]
        floor = [None if f is None else _median_ns(f, rewind_c, calls, reps) for f in _FLOORS]
        engines.clear()
        while _CLOSE:
            _CLOSE.pop()()

    def net(k: str, i: int) -> float | None:
        if k not in per:
            return None
        return per[k][i] - (per[k][0] if i else 0.0)

    return [Row(name, net("c", i), net("py", i), net("wt", i), floor[i]) for i, name in enumerate(CALLS)]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=200_000, help="calls per run (default 200000; "
                        "the Python path makes 1/20 of them)")
    parser.add_argument("--reps", type=int, default=5, help="runs per measurement; medians (default 5)")
    add_reference_options(parser)


def main(args: argparse.Namespace) -> int:
    with_wasmtime = wasmtime_wanted(args)
    rows = run(args.calls, args.reps, with_wasmtime)
    if args.json:
        print_json([{**asdict(r), "ratio": r.ratio} for r in rows])
        return 0
    print(f"{'call':18}{'wxjit C':>10}{'C alone':>10}{'wxjit Py':>10}{'wasmtime':>10}{'C/wt':>8}")
    for r in rows:
        wt = cell(r.wasmtime, 10, 1)
        alone = cell(r.handler_alone, 10, 1)
        ratio = f"{r.ratio:8.2f}" if r.ratio is not None and r.call != "empty loop" else f"{'-':>8}"
        print(f"{r.call:18}{r.wxjit_c:10.1f}{alone}{r.wxjit_python:10.1f}{wt}{ratio}")
    print(f"(ns per call, CPU time, the empty loop's time per iteration subtracted; median of {args.reps} "
          f"runs of {args.calls} calls; 'C alone': the C handler called from a C loop, i.e. the system "
          "call and checks without compiled code or the host-call path)")
    return 0
