"""The ``wxjit`` command: one subcommand per module in ``jit/commands/``.

Each command module defines ``HELP`` (one line), ``configure(parser)`` and ``main(args) -> int``;
it must be cheap to import (heavy imports go inside ``main``).
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMANDS = ["run", "compile", "validate", "inspect", "objdump", "spec", "bench", "fuzz"]


def add_subcommands(parser: argparse.ArgumentParser, package: str, names: list[str], dest: str,
                    main_key: str) -> None:
    """One subparser per module ``package.<name>`` (``HELP``, ``configure``, ``main``); the chosen
    module's ``main`` lands in ``args.<main_key>``. Shared by ``wxjit`` and ``wxjit bench``."""
    sub = parser.add_subparsers(dest=dest, metavar=dest.upper())
    sub.required = True
    for name in names:
        mod = import_module(f"{package}.{name}")
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(**{main_key: mod.main})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wxjit", description="x86-64 JIT compiler for WebAssembly")
    add_subcommands(parser, "jit.commands", COMMANDS, "command", "_main")
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
