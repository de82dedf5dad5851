"""``wxjit run FILE.wasm --invoke NAME ARG...``: instantiate a module and call one export.

Arguments are parsed by the export's parameter types (integers in decimal or 0x-hex, signed or
unsigned; floats as Python float literals incl. ``inf``/``nan``). Results are printed one per line:
integers as signed decimals, floats as Python floats. Without ``--invoke`` the module is only
instantiated (its start function runs). A trap prints ``trap: <kind>`` and exits with status 1.
"""
from __future__ import annotations

import argparse
import sys

HELP = "instantiate a module and call one of its exports, printing the results"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.wasm", help="the module to run")
    parser.add_argument("--invoke", nargs="+", metavar=("NAME", "ARG"),
                        help="the exported function to call, followed by its arguments")


def _parse_arg(text: str, valtype: int) -> object:
    from ..errors import Error
    from ..wasm.types import F32, F64, I32, I64, valtype_name
    try:
        if valtype in (I32, I64):
            return int(text, 0)
        if valtype in (F32, F64):
            return float(text)
    except ValueError:
        pass
    raise Error(f"cannot read {text!r} as an {valtype_name(valtype)}")


def main(args: argparse.Namespace) -> int:
    import jit

    from ..runtime.instance import Function

    try:
        module = jit.Module.from_file(args.file)
        instance = jit.Instance(module, {})
        if not args.invoke:
            return 0
        name, call_args = args.invoke[0], args.invoke[1:]
        func = instance.exports.get(name)
        if not isinstance(func, (Function, jit.Func)):
            print(f"wxjit run: no exported function {name!r}", file=sys.stderr)
            return 2
        params = func.type.params
        if len(call_args) != len(params):
            print(f"wxjit run: {name} takes {len(params)} argument(s) {func.type}, "
                  f"got {len(call_args)}", file=sys.stderr)
            return 2
        result = func(*[_parse_arg(a, t) for a, t in zip(call_args, params, strict=True)])
    except jit.Trap as trap:
        print(f"trap: {trap}", file=sys.stderr)
        return 1
    except (jit.Error, OSError) as exc:
        print(f"wxjit run: {exc}", file=sys.stderr)
        return 2
    results = () if result is None else result if isinstance(result, tuple) else (result,)
    for r in results:
        print(r)
    return 0
