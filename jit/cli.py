"""The ``wxjit`` command: one subcommand per module in ``jit/commands/``.

Each command module defines ``HELP`` (one line), ``configure(parser)`` and ``main(args) -> int``;
it must be cheap to import (heavy imports go inside ``main``). Startup: given a command line, only
the named command's module is imported and configured (``jit.commands.registry``). Errors are one line,
``wxjit <command>: [<file>: ]<reason>``: exit status 1 for a failed run or validation, 2 for a usage
error, 130 for Ctrl-C; no user error shows a traceback.
"""
from __future__ import annotations

import argparse
import sys

from .commands import registry, startup
from .commands.registry import Parser, add_subcommands

COMMANDS = ["run", "compile", "validate", "inspect", "objdump", "spec", "bench", "fuzz"]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``wxjit`` parser; given the command line, only the subcommand it names is configured."""
    from . import __version__

    registry._words = list(argv) if argv is not None else None
    try:
        parser = Parser(prog="wxjit", description="x86-64 JIT compiler for WebAssembly")
        parser.add_argument("-V", "--version", action="version", version=f"wxjit {__version__}")
        add_subcommands(parser, "jit.commands", COMMANDS, "command", "_main")
    finally:
        registry._words = None
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``, the console script) -> exit status."""
    if argv is None:
        startup.pause()                  # no cyclic GC while imports build long-lived objects
    try:
        return _main(sys.argv[1:] if argv is None else argv, argv is None)
    finally:
        startup.end()


def _main(words: list[str], console: bool) -> int:
    args = build_parser(words).parse_args(words)
    command = getattr(args, "command", "")
    if not getattr(args, "_ends_startup", False):
        startup.end()                    # `wxjit run` ends it itself, once its module is loaded
    try:
        status = int(args._main(args) or 0)
        if console and getattr(args, "_exit_now", False):
            _exit_now(status)            # `wxjit run`: its output is flushed, nothing else to tear down
        return status
    except KeyboardInterrupt:
        if console:                      # the command line: exit at once, like a process killed by SIGINT
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
    modules, instances and code memory to free): Ctrl-C ends ``wxjit`` within a few milliseconds, and
    a command that asks for it (``_exit_now`` in its parser defaults: ``wxjit run``, whose WASI
    streams are flushed and files closed when the guest returns) ends as soon as it is done."""
    from .dataclass_cache import save
    save()                               # what atexit would have written
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001,S110 - a closed or broken stream: nothing left to save
            pass
    import os
    os._exit(status)


if __name__ == "__main__":
    sys.exit(main())
