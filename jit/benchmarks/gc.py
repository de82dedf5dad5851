"""``wxjit bench gc``: Wasm GC allocation (binary trees on ``struct.new``), wxjit vs the ``wasmtime`` package.

Each iteration builds a complete binary tree of ``depth`` (``2**(depth+1) - 1`` nodes, each a
``struct.new`` of two nullable child references) and walks it back (``struct.get`` + ``ref.is_null``),
like the binary-trees program of the benchmarks game; one call runs ``iterations`` trees inside Wasm,
so no Python call is timed. The engines' repetitions are interleaved and the median of the
nanoseconds per node is reported, with the ratio wxjit / wasmtime (the same module bytes; wasmtime with
``Config.wasm_gc``). wxjit gets a fresh instance per repetition; its collections (on allocation
pressure, docs/gc.md) are part of the time, as wasmtime's are. ``--json`` prints the records.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .report import add_reference_options, wasmtime_wanted

HELP = "GC allocation: binary trees on struct.new, wxjit vs wasmtime (GC enabled)"

MODULE = """(module
  (type $node (struct (field $l (ref null $node)) (field $r (ref null $node))))
  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else (struct.new $node (call $make (i32.sub (local.get $d) (i32.const 1)))
                              (call $make (i32.sub (local.get $d) (i32.const 1)))))))
  (func $check (param $n (ref $node)) (result i32)
    (local $l (ref null $node))
    (local.set $l (struct.get $node $l (local.get $n)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else (i32.add (i32.const 1)
              (i32.add (call $check (ref.as_non_null (local.get $l)))
                       (call $check (ref.as_non_null (struct.get $node $r (local.get $n)))))))))
  (func (export "trees") (param $depth i32) (param $n i32) (result i32)
    (local $acc i32)
    (block $done (loop $again
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $check (call $make (local.get $depth)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $again)))
    (local.get $acc)))"""


@dataclass
class Row:
    depth: int
    iterations: int
    nodes_per_call: int
    wxjit_ns_per_node: float
    wasmtime_ns_per_node: float | None

    @property
    def ratio(self) -> float | None:
        w = self.wasmtime_ns_per_node
        return None if w is None else self.wxjit_ns_per_node / w


def _wxjit_factory(wasm: bytes) -> Callable[[], Callable[[int, int], int]]:
    import jit
    module = jit.Module(wasm, lazy=False)

    def fresh() -> Callable[[int, int], int]:
        return jit.Instance(module, {}).exports["trees"]
    return fresh


def _wasmtime_factory(wasm: bytes) -> Callable[[], Callable[[int, int], int]]:
    import wasmtime
    config = wasmtime.Config()
    config.wasm_gc = True
    config.wasm_function_references = True
    engine = wasmtime.Engine(config)
    module = wasmtime.Module(engine, wasm)

    def fresh() -> Callable[[int, int], int]:
        store = wasmtime.Store(engine)
        trees = wasmtime.Instance(store, module, []).exports(store)["trees"]
        return lambda d, n: trees(store, d, n)
    return fresh


def run(depth: int, iterations: int, reps: int, with_wasmtime: bool) -> Row:
    from ..wat import wat2wasm
    wasm = wat2wasm(MODULE)
    nodes = (1 << (depth + 1)) - 1
    engines = [_wxjit_factory(wasm)] + ([_wasmtime_factory(wasm)] if with_wasmtime else [])
    for fresh in engines:                           # both compute the same thing (and warm up)
        assert fresh()(depth, 2) == 2 * nodes
    samples: list[list[float]] = [[] for _ in engines]
    for _ in range(reps):
        for i, fresh in enumerate(engines):
            trees = fresh()
            t0 = time.perf_counter_ns()
            trees(depth, iterations)
            samples[i].append((time.perf_counter_ns() - t0) / (iterations * nodes))
    medians = [statistics.median(s) for s in samples]
    return Row(depth, iterations, iterations * nodes, medians[0], medians[1] if with_wasmtime else None)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depth", type=int, default=10, help="tree depth (default 10: 2047 nodes)")
    parser.add_argument("--iterations", type=int, default=40, help="trees per timed call (default 40)")
    parser.add_argument("--reps", type=int, default=9, help="repetitions for the median (default 9)")
    add_reference_options(parser)


def main(args: argparse.Namespace) -> int:
    row = run(args.depth, args.iterations, args.reps, wasmtime_wanted(args))
    if args.json:
        print(json.dumps([{**asdict(row), "ratio": row.ratio}], indent=1))
        return 0
    wt = f"{row.wasmtime_ns_per_node:.1f}" if row.wasmtime_ns_per_node is not None else "-"
    ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
    print(f"binary trees, depth {row.depth}, {row.nodes_per_call} nodes per call: "
          f"wxjit {row.wxjit_ns_per_node:.1f} ns/node, wasmtime {wt} ns/node, ratio {ratio} "
          f"(median of {args.reps}, same run)")
    return 0
