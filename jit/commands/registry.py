"""The subcommand registry shared by ``wxjit`` (``jit.cli``) and ``wxjit bench`` (``commands/bench.py``):
one subparser per module ``package.<name>`` defining ``HELP``, ``configure(parser)`` and ``main(args)``.
It lives below ``jit.cli`` so that the commands never import the ``wxjit`` entry point back.
"""
from __future__ import annotations

import argparse
from importlib import import_module
from typing import NoReturn


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
    its module's heavy imports made), and no other command module is imported; without a chosen
    subcommand (``wxjit -h``, a typo) every command's one-line help is shown."""
    global _words
    sub = parser.add_subparsers(dest=dest, metavar=dest.upper(), parser_class=Parser)
    sub.required = True
    chosen: str | None = None
    if _words is not None:
        i = next((k for k, w in enumerate(_words) if not w.startswith("-")), None)
        if i is not None and _words[i] in names:
            chosen, _words = _words[i], _words[i + 1:]
    for name in names:
        if _words is not None and chosen is not None and name != chosen:
            continue                   # never parsed nor shown: the command line names another one
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
