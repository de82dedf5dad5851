"""The ``wxjit`` command: one subcommand per module in ``jit/commands/``.

Each command module defines ``HELP`` (one line), ``configure(parser)`` and ``main(args) -> int``;
it must be cheap to import (heavy imports go inside ``main``). Errors are one line,
``wxjit <command>: [<file>: ]<reason>``: exit status 1 for a failed run or validation, 2 for a usage
error, 130 for Ctrl-C; no user error shows a traceback.
"""
from __future__ import annotations

import argparse
import sys
from importlib import import_module
from typing import NoReturn

COMMANDS = ["run", "compile", "validate", "inspect", "objdump", "spec", "bench", "fuzz"]


class Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors: ``wxjit run: the following arguments are required: FILE``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} -h)\n")


# The words of the command line not yet matched to a subparser (None: configure every subcommand).
# Only the chosen subcommand is configured, so ``wxjit run`` does not import every benchmark.
_words: list[str] | None = None


def add_subcommands(parser: argparse.ArgumentParser, package: str, names: list[str], dest: str,
                    main_key: str) -> None:
    """One subparser per module ``package.<name>`` (``HELP``, ``configure``, ``main``); the chosen
    module's ``main`` lands in ``args.<main_key>``. Shared by ``wxjit`` and ``wxjit bench``. When the
    command line is known (``build_parser(argv)``), only the subcommand it names is configured (and
    its module's heavy imports made); the others get their one-line help only."""
    global _words
    sub = parser.add_subparsers(dest=dest, metavar=dest.upper(), parser_class=Parser)
    sub.required = True
    chosen: str | None = None
    if _words is not None:
        i = next((k for k, w in enumerate(_words) if not w.startswith("-")), None)
        if i is not None and _words[i] in names:
            chosen, _words = _words[i], _words[i + 1:]
    for name in names:
        if _words is not None and name != chosen:
            sub.add_parser(name, help=_help_of(package, name))
            continue
        mod = import_module(f"{package}.{name}")
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(**{main_key: mod.main})


def _help_of(package: str, name: str) -> str:
    """A subcommand's ``HELP`` without running its module (only ``jit.commands`` modules are cheap)."""
    if package == "jit.commands":
        return import_module(f"{package}.{name}").HELP
    from importlib.util import find_spec
    spec = find_spec(f"{package}.{name}")
    if spec is None or spec.origin is None:
        return ""
    import ast
    with open(spec.origin, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HELP" for t in node.targets):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
    return ""


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``wxjit`` parser; given the command line, only the subcommand it names is configured."""
    global _words
    from . import __version__

    _words = list(argv) if argv is not None else None
    try:
        parser = Parser(prog="wxjit", description="x86-64 JIT compiler for WebAssembly")
        parser.add_argument("-V", "--version", action="version", version=f"wxjit {__version__}")
        add_subcommands(parser, "jit.commands", COMMANDS, "command", "_main")
    finally:
        _words = None
    return parser


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = build_parser(words).parse_args(words)
    command = getattr(args, "command", "")
    try:
        return int(args._main(args) or 0)
    except KeyboardInterrupt:
        if argv is None:                 # the command line: exit at once, like a process killed by SIGINT
            _exit_now(130)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:       # a user error a command did not report itself: still one line
        from .commands.common import UserError, report
        from .errors import Error
        if isinstance(exc, UserError):
            return report(command, exc.file, exc.reason, exc.status)
        if isinstance(exc, (Error, OSError)):
            return report(command, getattr(exc, "filename", None), getattr(exc, "strerror", None) or exc)
        raise


def _exit_now(status: int) -> None:
    """Flush stdout/stderr and leave without interpreter teardown (which can take 100+ ms with
    modules, instances and code memory to free): Ctrl-C ends ``wxjit`` within a few milliseconds."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001,S110 - a closed or broken stream: nothing left to save
            pass
    import os
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
