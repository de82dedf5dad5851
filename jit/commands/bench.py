"""``wxjit bench <benchmark>``: a registry of benchmarks, one module ``jit/benchmarks/<name>.py`` each.

A benchmark module defines ``HELP`` (one line), ``configure(parser)`` and ``main(args) -> int``,
like a command. Adding a benchmark is adding its module and one entry to ``BENCHMARKS``.
"""
from __future__ import annotations

import argparse
from importlib import import_module

HELP = "run a benchmark (loader: code memory strategies; see `wxjit bench -h`)"

BENCHMARKS = ["loader", "programs", "instantiate"]


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="benchmark", metavar="BENCHMARK")
    sub.required = True
    for name in BENCHMARKS:
        try:
            mod = import_module(f"jit.benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"jit.benchmarks.{name}":
                raise
            continue  # not built yet
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_bench_main=mod.main)


def main(args: argparse.Namespace) -> int:
    return int(args._bench_main(args) or 0)
