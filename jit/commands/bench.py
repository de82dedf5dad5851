"""``wxjit bench <benchmark>``: a registry of benchmarks, one module ``jit/benchmarks/<name>.py`` each.

A benchmark module defines ``HELP`` (one line), ``configure(parser)`` and ``main(args) -> int``,
like a command. Adding a benchmark is adding its module and one entry to ``BENCHMARKS``.
"""
from __future__ import annotations

import argparse

HELP = "run a benchmark (loader: code memory strategies; see `wxjit bench -h`)"

BENCHMARKS = ["loader", "programs", "instantiate", "compile", "pool", "exceptions", "wasi_calls", "startup",
              "cached", "alloc"]


def configure(parser: argparse.ArgumentParser) -> None:
    from .registry import add_subcommands

    add_subcommands(parser, "jit.benchmarks", BENCHMARKS, "benchmark", "_bench_main")


def main(args: argparse.Namespace) -> int:
    return int(args._bench_main(args) or 0)
