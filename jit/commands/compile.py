"""``wxjit compile FILE.wasm -o FILE.cwasm``: compile ahead of time into a checked ``.cwasm`` file.

The output loads with ``jit.Module.deserialize_file`` (no decoding, validation or code generation)
on a machine with the same wxjit and CPU features; ``--fuel`` compiles the variant with fuel checks.
``--cache DIR`` stores the module in a ``jit.Cache`` directory instead of (or as well as) ``-o``.
"""
from __future__ import annotations

import argparse
import sys

HELP = "compile a module ahead of time into a .cwasm file (-o) or a cache directory (--cache)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.wasm", help="the module to compile")
    parser.add_argument("-o", "--output", metavar="FILE.cwasm", help="where to write (default FILE.cwasm)")
    parser.add_argument("--cache", metavar="DIR", help="store in this cache directory (jit.Cache)")
    parser.add_argument("--fuel", action="store_true", help="compile with fuel metering")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    import jit

    from ..cache import Cache, write_atomic
    try:
        src = Path(args.file)
        wasm = src.read_bytes()
        module = jit.Module(wasm, name=src.name, fuel=args.fuel)
        if args.cache:
            print(Cache(args.cache).store(module, wasm, fuel=args.fuel))
        if args.output or not args.cache:
            out = Path(args.output) if args.output else src.with_suffix(".cwasm")
            write_atomic(out.resolve(), module.serialize())
            print(out)
        return 0
    except (jit.Error, OSError) as exc:
        print(f"wxjit compile: {exc}", file=sys.stderr)
        return 2
