"""``wxjit objdump FILE.wasm [--func N]``: the machine code of each function, with Wasm offsets."""
from __future__ import annotations

import argparse

HELP = "disassemble the compiled code of a module (Capstone), with Wasm offsets and names"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a .wasm or .wat module")
    p.add_argument("--func", type=int, action="append", metavar="N",
                   help="function index to show (repeatable; default: all defined functions)")


def main(args: argparse.Namespace) -> int:
    from ..errors import Error
    from ..wasm import validate
    from ..x64.compiler import compile_module
    from ..x64.disasm import disassemble
    from .common import FAILED, USAGE, UserError, is_cwasm, report, wasm_bytes
    from .validate import describe_error

    try:
        data = wasm_bytes(args.file)
        if is_cwasm(data):
            raise UserError("a compiled .cwasm file: disassemble the .wasm it was compiled from", args.file)
        module = validate(data)
        compiled = compile_module(module)
    except UserError as exc:
        return report("objdump", exc.file, exc.reason, exc.status)
    except Error as exc:
        return report("objdump", args.file, describe_error(exc), FAILED)
    nimp = compiled.num_imported_funcs
    total = nimp + len(compiled.func_offsets)
    for f in args.func or []:
        if not nimp <= f < total:
            defined = f"{nimp}..{total - 1}" if total > nimp else "none"
            return report("objdump", args.file,
                          f"function {f} is not a defined function (defined: {defined})", USAGE)
    for line in disassemble(compiled, module, args.func):
        print(line)
    return 0
