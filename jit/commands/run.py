"""``wxjit run FILE.wasm [ARGS...]``: run a WASI command, or call one export with ``--invoke``.

    wxjit run prog.wasm arg1 arg2 --dir data::/data --env KEY=VALUE
    wxjit run lib.wasm --invoke fib 25

Options may come before or after FILE; after FILE, ``--invoke NAME`` takes every remaining token as
the call's arguments, and ``--`` ends the options (everything after it goes to the program's argv).

Without ``--invoke``, a module exporting ``_start`` runs as a WASI command: the exit status is its
``proc_exit`` code (0 when ``_start`` returns). Other modules are instantiated (their start function
runs). With ``--invoke``, arguments are parsed by the export's parameter types (integers in decimal or
0x-hex, signed or unsigned; floats as Python float literals incl. ``inf``/``nan``) and results are
printed one per line. A module that imports WASI gets it in both modes.

A trap prints its kind and a Wasm backtrace (function names from the name section) and exits with
status 134 (like an abort); usage and load errors exit with status 2.
"""
from __future__ import annotations

import argparse
import sys

HELP = "run a WASI command module, or call one export (--invoke NAME ARG...)"
TRAP_STATUS = 134
WASI_MODULE = "wasi_snapshot_preview1"
_VALUE_OPTIONS = ("--dir", "--env", "--timeout", "--fuel", "--cache")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.wasm", help="the module to run")
    parser.add_argument("rest", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="program arguments (WASI argv), or --invoke NAME ARG...")
    parser.add_argument("--invoke", metavar="NAME", help="call this export instead of _start")
    parser.add_argument("--dir", action="append", default=[], metavar="HOST[::GUEST]",
                        help="preopen a host directory for the module (repeatable)")
    parser.add_argument("--env", action="append", default=[], metavar="K=V",
                        help="an environment variable for the module (repeatable)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="interrupt a call running longer than this (trap 'interrupted')")
    parser.add_argument("--fuel", type=int, metavar="N",
                        help="deterministic budget of function entries and loop iterations")
    parser.add_argument("--cache", metavar="DIR",
                        help="load compiled code from this cache directory (compile and store on a miss)")


def _split_rest(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Options written after FILE, the program's argv, and the --invoke arguments."""
    argv: list[str] = []
    invoke_args: list[str] = []
    rest = list(args.rest)
    i = 0
    while i < len(rest):
        tok = rest[i]
        if tok == "--":
            argv.extend(rest[i + 1:])
            break
        if tok == "--invoke":
            if i + 1 >= len(rest):
                raise SystemExit("wxjit run: --invoke needs a function name")
            args.invoke = rest[i + 1]
            invoke_args = rest[i + 2:]
            break
        if tok in _VALUE_OPTIONS:
            if i + 1 >= len(rest):
                raise SystemExit(f"wxjit run: {tok} needs a value")
            value = rest[i + 1]
            if tok == "--dir":
                args.dir.append(value)
            elif tok == "--env":
                args.env.append(value)
            elif tok == "--timeout":
                args.timeout = float(value)
            elif tok == "--cache":
                args.cache = value
            else:
                args.fuel = int(value)
            i += 2
            continue
        if args.invoke is not None:
            invoke_args.append(tok)
        else:
            argv.append(tok)
        i += 1
    return argv, invoke_args


def _parse_arg(text: str, valtype: int) -> object:
    from ..errors import Error
    from ..wasm.types import F32, F64, I32, I64, V128, valtype_name
    try:
        if valtype in (I32, I64, V128):      # a v128 is one 128-bit integer (lane 0 lowest)
            return int(text, 0)
        if valtype in (F32, F64):
            return float(text)
    except ValueError:
        pass
    raise Error(f"cannot read {text!r} as a value of type {valtype_name(valtype)}")


def format_trap(trap) -> str:
    """``trap: KIND`` and one line per Wasm frame, innermost first."""
    lines = [f"trap: {trap.kind}"]
    frames = trap.backtrace or ([(trap.func_index, trap.func_name, trap.wasm_offset)]
                                if trap.func_index is not None else [])
    for n, (index, name, offset) in enumerate(frames):
        where = f" at wasm offset {offset:#x}" if offset is not None else ""
        lines.append(f"  {n}: func[{index}] {name or '<unnamed>'}{where}")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    import jit

    from ..wasi import Wasi, WasiConfig, WasiExit, parse_dir

    try:
        argv, invoke_args = _split_rest(args)
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in args.env)
        limits = jit.Limits(timeout=args.timeout, fuel=args.fuel)
        if args.cache:
            from ..cache import Cache
            module = Cache(args.cache).module_from_file(args.file, fuel=args.fuel is not None)
        else:
            module = jit.Module.from_file(args.file)
        uses_wasi = any(mod == WASI_MODULE for mod, _name, _type in module.imports)
        config = WasiConfig.from_dirs([parse_dir(d) for d in args.dir], args=[args.file, *argv], env=env)
        if args.invoke is None and "_start" in dict(module.exports):
            from ..wasi import run_command
            return run_command(module, config, limits=limits)
        wasi = Wasi(config) if uses_wasi else None
        try:
            instance = jit.Instance(module, wasi.imports() if wasi else {}, limits)
            if wasi:
                wasi.bind(instance)
            if args.invoke is None:
                return 0
            return _invoke(instance, args.invoke, invoke_args)
        finally:
            if wasi:
                wasi.close()
    except WasiExit as exc:
        return exc.code
    except jit.Trap as trap:
        sys.stdout.flush()
        print(format_trap(trap), file=sys.stderr)
        return TRAP_STATUS
    except (jit.Error, OSError, ValueError) as exc:
        print(f"wxjit run: {exc}", file=sys.stderr)
        return 2


def _invoke(instance, name: str, call_args: list[str]) -> int:
    import jit

    from ..runtime.instance import Function

    func = instance.exports.get(name)
    if not isinstance(func, (Function, jit.Func)):
        print(f"wxjit run: no exported function {name!r}", file=sys.stderr)
        return 2
    params = func.type.params
    if len(call_args) != len(params):
        print(f"wxjit run: {name} takes {len(params)} argument(s) {func.type}, got {len(call_args)}",
              file=sys.stderr)
        return 2
    result = func(*[_parse_arg(a, t) for a, t in zip(call_args, params, strict=True)])
    results = () if result is None else result if isinstance(result, tuple) else (result,)
    for r in results:
        print(r)
    return 0
