"""The ``wxjit`` command: one subcommand per module in ``jit/commands/``.

Each command module defines ``HELP`` (one line), ``configure(parser)`` and ``main(args) -> int``;
it must be cheap to import (heavy imports go inside ``main``).
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMANDS = ["run", "compile", "validate", "inspect", "objdump", "spec", "bench", "fuzz"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxjit", description="x86-64 JIT compiler for WebAssembly")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        try:
            mod = import_module(f"jit.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"jit.commands.{name}":
                raise
            continue  # not built yet
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_main=mod.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._main(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
