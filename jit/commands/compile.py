"""``wxjit compile FILE -o FILE.cwasm``: compile ahead of time into a checked ``.cwasm`` file.

FILE is a ``.wasm`` binary or ``.wat`` text. The output runs with ``wxjit run FILE.cwasm`` and loads
with ``jit.Module.deserialize_file`` (no decoding, validation or code generation; the file's integrity
is checked first) on a machine with the same wxjit and CPU features; ``--fuel`` compiles the variant
with fuel checks. ``--cache DIR`` stores the module in a ``jit.Cache`` directory instead of (or as well
as) ``-o``.
"""
from __future__ import annotations

import argparse

from .common import FAILED, UserError, os_reason, report

HELP = "compile a module ahead of time into a .cwasm file (-o) or a cache directory (--cache)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the module to compile (.wasm or .wat)")
    parser.add_argument("-o", "--output", metavar="FILE.cwasm", help="where to write (default FILE.cwasm)")
    parser.add_argument("--cache", metavar="DIR", help="store in this cache directory (jit.Cache)")
    parser.add_argument("--fuel", action="store_true", help="compile with fuel metering")
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="compile with N processes (default: all CPUs for large modules; 1: serial)")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    import jit

    from ..cache import Cache, write_atomic
    from .common import is_cwasm, read_file, wasm_bytes
    try:
        src = Path(args.file)
        data = read_file(src)
        if is_cwasm(data):
            raise UserError("already compiled (a .cwasm file): run it with `wxjit run`", args.file)
        wasm = wasm_bytes(src, data)
        module = jit.Module(wasm, name=src.name, fuel=args.fuel, jobs=args.jobs, lazy=False)   # AOT: all
        if args.cache:
            print(Cache(args.cache).store(module, wasm, fuel=args.fuel))
        if args.output or not args.cache:
            out = Path(args.output) if args.output else src.with_suffix(".cwasm")
            if out.resolve() == src.resolve():
                raise UserError("the output would overwrite the input (use -o)", args.file)
            try:
                write_atomic(out.resolve(), module.serialize())
            except OSError as exc:        # the message names the file, not write_atomic's temp file
                raise UserError(f"cannot write: {os_reason(exc)}", str(out)) from None
            print(out)
        return 0
    except UserError as exc:
        return report("compile", exc.file, exc.reason, exc.status)
    except jit.Error as exc:
        return report("compile", args.file, exc, FAILED)
    except OSError as exc:
        return report("compile", args.file, os_reason(exc), FAILED)
