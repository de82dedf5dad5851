"""``wxjit objdump FILE.wasm [--func N]``: the machine code of each function, with Wasm offsets."""
from __future__ import annotations

import argparse
import sys

HELP = "disassemble the compiled code of a module (Capstone), with Wasm offsets and names"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a .wasm module")
    p.add_argument("--func", type=int, action="append", metavar="N",
                   help="function index to show (repeatable; default: all defined functions)")


def main(args: argparse.Namespace) -> int:
    from ..errors import CompileError
    from ..wasm import validate
    from ..x64.compiler import compile_module
    from ..x64.disasm import disassemble

    try:
        with open(args.file, "rb") as f:
            module = validate(f.read())
        compiled = compile_module(module)
    except OSError as exc:
        print(f"wxjit objdump: {exc}", file=sys.stderr)
        return 2
    except CompileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    nimp = compiled.num_imported_funcs
    total = nimp + len(compiled.func_offsets)
    for f in args.func or []:
        if not nimp <= f < total:
            print(f"wxjit objdump: function {f} is not a defined function (defined: {nimp}..{total - 1})",
                  file=sys.stderr)
            return 2
    for line in disassemble(compiled, module, args.func):
        print(line)
    return 0
