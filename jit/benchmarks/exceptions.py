"""``wxjit bench exceptions``: the cost of exception handling, wxjit vs the ``wasmtime`` package.

Scenarios (nanoseconds per iteration of a loop inside Wasm, so no Python call is timed; each
repetition runs one call of ``iterations`` iterations, the engines' repetitions are interleaved and
the median is reported):

- (a) ``throw_catch``: a ``try_table`` around a call chain 10 frames deep whose last frame throws a
  tag with an i32 payload: one throw, unwinding 10 frames, one catch per iteration;
- (b) ``try_no_throw``: the same chain, returning normally, inside the ``try_table``;
- (c) ``plain``: the same chain with no handler at all;
- (b/c) the run-time cost of having handlers installed when nothing throws (1.0 = none).

The module is the same bytes for both engines (wasmtime with ``Config.wasm_exceptions``). Prints the
figures and the ratios wxjit / wasmtime; ``--json`` prints the records.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial

from .report import add_reference_options, cell, print_json, wasmtime_wanted

HELP = "throw-catch across 10 frames and the cost of idle handlers: wxjit vs wasmtime"

DEPTH = 10


def module_text(depth: int = DEPTH) -> str:
    """The benchmark module: ``$f0`` throws when its argument is nonzero, ``$f1..`` call down."""
    chain = [
        "(func $f0 (param $x i32) (result i32)\n"
        "  (if (local.get $x) (then (throw $e (local.get $x))))\n"
        "  (i32.const 1))"
    ]
    for i in range(1, depth):
        chain.append(f"(func $f{i} (param i32) (result i32) "
                     f"(i32.add (call $f{i - 1} (local.get 0)) (i32.const 1)))")
    top = f"$f{depth - 1}"

    def loop(name: str, body: str) -> str:
        return (f'(func (export "{name}") (param $n i32) (result i32)\n'
                "  (local $acc i32)\n"
                "  (block $done (loop $l\n"
                "    (br_if $done (i32.eqz (local.get $n)))\n"
                f"    (local.set $acc (i32.add (local.get $acc) {body}))\n"
                "    (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
                "    (br $l)))\n"
                "  (local.get $acc))")

    handled = ("(block $h (result i32) (try_table (result i32) (catch $e $h) "
               f"(call {top} (local.get $throw))))")
    return "\n".join([
        "(module",
        "(tag $e (param i32))",
        "(global $g (mut i32) (i32.const 0))",
        *chain,
        loop("throw_catch", handled.replace("(local.get $throw)", "(i32.const 7)")),
        loop("try_no_throw", handled.replace("(local.get $throw)", "(global.get $g)")),
        loop("plain", f"(call {top} (global.get $g))"),
        ")",
    ])


@dataclass
class Row:
    scenario: str
    what: str
    wxjit: float
    wasmtime: float | None
    unit: str = "ns"

    @property
    def ratio(self) -> float | None:
        return None if self.wasmtime is None else self.wxjit / self.wasmtime


def _time_ns(fn: Callable[[int], int], n: int) -> float:
    t0 = time.perf_counter_ns()
    fn(n)
    return (time.perf_counter_ns() - t0) / n


def _medians(fns: list[Callable[[int], int] | None], n: int, reps: int) -> list[float | None]:
    samples: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        if fn is not None:
            fn(max(1, n // 10))                    # warm-up
    for _ in range(reps):
        for i, fn in enumerate(fns):
            if fn is not None:
                samples[i].append(_time_ns(fn, n))
    return [statistics.median(s) if s else None for s in samples]


def _wxjit_exports(wasm: bytes) -> dict[str, Callable[[int], int]]:
    import jit
    inst = jit.Instance(jit.Module(wasm))
    return {name: inst.exports[name] for name in ("throw_catch", "try_no_throw", "plain")}


def _wasmtime_exports(wasm: bytes) -> dict[str, Callable[[int], int]]:
    import wasmtime
    config = wasmtime.Config()
    config.wasm_exceptions = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    inst = wasmtime.Instance(store, wasmtime.Module(engine, wasm), [])
    exports = inst.exports(store)
    return {name: partial(exports[name], store) for name in ("throw_catch", "try_no_throw", "plain")}


def run(iterations: int, reps: int, with_wasmtime: bool) -> list[Row]:
    from ..wat import wat2wasm
    wasm = wat2wasm(module_text())
    ours = _wxjit_exports(wasm)
    theirs = _wasmtime_exports(wasm) if with_wasmtime else None
    expected = {"throw_catch": 7, "try_no_throw": DEPTH, "plain": DEPTH}
    for name, want in expected.items():           # both engines compute the same thing
        assert ours[name](3) == 3 * want, name
        if theirs is not None:
            assert theirs[name](3) == 3 * want, name
    rows = []
    what = {"a": "throw + catch across 10 frames", "b": "10-frame call chain inside a try_table",
            "c": "10-frame call chain, no handler"}
    for key, name in (("a", "throw_catch"), ("b", "try_no_throw"), ("c", "plain")):
        n = iterations if key == "a" else iterations * 10
        mine, other = _medians([ours[name], theirs[name] if theirs else None], n, reps)
        assert mine is not None
        rows.append(Row(key, what[key], mine, other))
    b, c = rows[1], rows[2]
    rows.append(Row("b/c", "idle handler overhead (try / plain)", b.wxjit / c.wxjit,
                    None if b.wasmtime is None or c.wasmtime is None else b.wasmtime / c.wasmtime,
                    unit="x"))
    return rows


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--iterations", type=int, default=20_000,
                        help="throws per repetition (default 20000; the no-throw loops run 10x more)")
    parser.add_argument("--reps", type=int, default=9, help="repetitions for the median")
    add_reference_options(parser)


def main(args: argparse.Namespace) -> int:
    with_wasmtime = wasmtime_wanted(args)
    rows = run(args.iterations, args.reps, with_wasmtime)
    if args.json:
        print_json([{**asdict(r), "ratio": r.ratio} for r in rows])
        return 0
    print(f"{'':5}{'scenario':42}{'wxjit':>10}{'wasmtime':>10}{'ratio':>8}")
    for r in rows:
        wt = cell(r.wasmtime, 10, 2)
        ratio = cell(r.ratio, 8, 3)
        print(f"{r.scenario:5}{r.what:42}{r.wxjit:10.2f}{wt}{ratio}")
    print(f"(ns per iteration inside Wasm, median of {args.reps} runs; b/c: no-throw time with a "
          "handler installed over without)")
    return 0
