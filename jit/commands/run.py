"""``wxjit run [OPTIONS] FILE [ARGS...]``: run a WASI command, or call one export with ``--invoke``.

    wxjit run --dir data::/data --env KEY=VALUE prog.wasm arg1 arg2
    wxjit run --invoke fib lib.wasm 25

Arguments follow wasmtime: options come before FILE and everything after FILE goes to the guest
verbatim (its WASI argv, or the ``--invoke`` call's arguments); a ``--`` right after FILE (or before
it) only separates and is not passed on. FILE may be a ``.wasm`` binary, a ``.wat`` text module or a
``.cwasm`` file from ``wxjit compile`` with ``--allow-precompiled`` (its code runs natively). ``--env NAME``
without ``=`` passes the host's value of NAME (an error when the host does not define it). The guest
reads the process's own stdin/stdout/stderr.

Without ``--invoke``, a module exporting ``_start`` runs as a WASI command: the exit status is its
``proc_exit`` code (0 when ``_start`` returns). A module without ``_start`` is an error (exit 1) that
lists its exported functions. With ``--invoke``, arguments are parsed by the export's parameter
types (integers in decimal or 0x-hex, signed or unsigned; floats as Python float literals incl.
``inf``/``nan``) and results are printed one per line. A module that imports WASI gets it in both modes.

Functions are compiled on their first call (``jit.Module``'s lazy compilation); ``--eager`` compiles
them all before anything runs (``--jobs``: with that many processes), ``--cache`` stores and loads
complete code.

A trap prints its kind and a Wasm backtrace (function names from the name section) and exits with
status 134 (like an abort); a module that fails to load exits with 1, a usage error with 2 and
Ctrl-C with 130. Every ``jit.Limits`` field is an option (``--max-memory-pages`` ...; see ``-h``).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .common import FAILED, USAGE, UserError, report

HELP = "run a WASI command module, or call one export (--invoke NAME FILE ARG...)"
TRAP_STATUS = 134
INTERRUPTED_STATUS = 130
WASI_MODULE = "wasi_snapshot_preview1"

# jit.Limits field -> (metavar, help). One option per field, spelled --field-name (--timeout, --fuel,
# --max-memory-pages ...); a field added to jit.Limits later gets an option with a generic help text.
LIMIT_HELP: dict[str, tuple[str, str]] = {
    "timeout": ("SECONDS", "interrupt a call running longer than this (trap 'interrupted')"),
    "fuel": ("UNITS", "deterministic budget of function entries and loop iterations (trap 'out of fuel')"),
    "max_memory_pages": ("PAGES", "clamp every memory's maximum to this many 64 KiB pages"),
    "max_table_elements": ("ELEMENTS", "clamp every table's maximum to this many elements"),
    "max_stack_bytes": ("BYTES", "Wasm call stack per call from the host (trap 'call stack exhausted')"),
    "host_stack_bytes": ("BYTES", "native stack kept free below the guest's frames for host functions"),
    "max_instances": ("N", "live instances in the process"),
    "max_module_bytes": ("BYTES", "size of the Wasm binary"),
    "max_functions": ("N", "functions in the module"),
    "max_params": ("N", "parameters (and results) of one function type"),
    "max_locals": ("N", "parameters plus declared locals of one function"),
    "max_code_bytes": ("BYTES", "machine code of the module"),
}


def limit_fields() -> list[tuple[str, Any]]:
    """(name, default) of every ``jit.Limits`` field, in declaration order."""
    import dataclasses

    from ..abi.limits import Limits
    return [(f.name, f.default) for f in dataclasses.fields(Limits)]


def _may_be_unlimited(name: str) -> bool:
    import dataclasses

    from ..abi.limits import Limits
    return any(f.name == name and "None" in str(f.type) for f in dataclasses.fields(Limits))


def _limit_value(name: str, text: str) -> int | float | None:
    if text.lower() in ("none", "unlimited"):
        if not _may_be_unlimited(name):
            raise argparse.ArgumentTypeError("this limit cannot be lifted")
        return None
    try:
        return float(text) if name == "timeout" else int(text, 0)
    except ValueError:
        kind = "a number of seconds" if name == "timeout" else "an integer"
        raise argparse.ArgumentTypeError(f"{text!r} is not {kind} (or 'unlimited')") from None


def _limit_type(name: str) -> Any:
    def parse(text: str) -> int | float | None:
        return _limit_value(name, text)
    parse.__name__ = name
    return parse


def _metavar(name: str) -> str:
    if name in LIMIT_HELP:
        return LIMIT_HELP[name][0]
    return "BYTES" if name.endswith("_bytes") else "PAGES" if name.endswith("_pages") else "N"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--invoke", metavar="NAME", help="call this export (arguments after FILE)")
    parser.add_argument("--dir", action="append", default=[], metavar="HOST[::GUEST]",
                        help="preopen a host directory for the module (repeatable)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME[=VALUE]",
                        help="an environment variable for the module; NAME alone passes the host's value")
    parser.add_argument("--eager", action="store_true",
                        help="compile every function before running (default: each on its first call)")
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="eager compiles: N processes (default: all CPUs for large modules; 1: serial)")
    parser.add_argument("--cache", metavar="DIR",
                        help="load compiled code from this cache directory (compile and store on a miss)")
    parser.add_argument("--allow-precompiled", action="store_true",
                        help="run a .cwasm file: its machine code runs natively, so only files you trust")
    limits = parser.add_argument_group("limits (jit.Limits; 'unlimited' lifts a limit that allows it)")
    for name, default in limit_fields():
        metavar = _metavar(name)
        text = LIMIT_HELP.get(name, (metavar, f"jit.Limits.{name}"))[1]
        shown = "none" if default is None else default
        limits.add_argument("--" + name.replace("_", "-"), dest="limit_" + name, type=_limit_type(name),
                            metavar=metavar, default=argparse.SUPPRESS,
                            help=f"{text} (default {shown})")
    parser.add_argument("--profile", choices=["perfmap"],
                        help="perfmap: write /tmp/perf-PID.map naming the JIT code for `perf`")
    parser.add_argument("file", metavar="FILE", help="the module to run (.wasm, .wat or .cwasm)")
    parser.set_defaults(_exit_now=True,      # the console script skips interpreter teardown (jit.cli)
                        _ends_startup=True)  # ... and _run ends its startup phase (jit.commands.startup)
    rest = parser.add_argument("rest", nargs=argparse.REMAINDER, metavar="ARGS",
                               help="the program's arguments (WASI argv), or the --invoke call's arguments")
    rest.required = False


def _limits(args: argparse.Namespace) -> Any:
    import jit
    given = {name: getattr(args, "limit_" + name) for name, _ in limit_fields()
             if hasattr(args, "limit_" + name)}
    return jit.Limits(**given)


def _env(items: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in items:
        if "=" in item:
            key, value = item.split("=", 1)
        else:
            key, value = item, os.environ.get(item)
            if value is None:
                raise UserError(f"--env {item}: the host environment has no {item} to pass on", status=USAGE)
        if not key:
            raise UserError(f"--env {item!r}: empty variable name", status=USAGE)
        env[key] = value
    return env


def _split_rest(args: argparse.Namespace, exports: dict[str, Any]) -> list[str]:
    """The tokens after FILE. Compatibility: ``FILE --invoke NAME ARG...`` (the older spelling) is
    accepted for a module without ``_start``, where wasmtime's reading could only be an error."""
    rest = list(args.rest)
    if args.invoke is None and rest[:1] == ["--invoke"] and "_start" not in exports:
        if len(rest) < 2:
            raise UserError("--invoke needs a function name", status=USAGE)
        args.invoke = rest[1]
        rest = rest[2:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
    return rest


def _parse_arg(text: str, valtype: int) -> object:
    from ..wasm.types import F32, F64, I32, I64, V128, valtype_name
    try:
        if valtype in (I32, I64, V128):      # a v128 is one 128-bit integer (lane 0 lowest)
            return int(text, 0)
        if valtype in (F32, F64):
            return float(text)
    except ValueError:
        pass
    raise UserError(f"cannot read {text!r} as a value of type {valtype_name(valtype)}", status=USAGE)


def format_trap(trap: Any) -> str:
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

    from ..wasi import WasiExit

    try:
        return _run(args)
    except UserError as exc:
        file = exc.file if exc.file is not None else args.file if exc.status == FAILED else None
        return report("run", file, exc.reason, exc.status)
    except WasiExit as exc:
        return exc.code
    except jit.Trap as trap:
        sys.stdout.flush()
        print(format_trap(trap), file=sys.stderr)
        return TRAP_STATUS
    except jit.LimitError as exc:
        return report("run", args.file, exc, FAILED)
    except jit.Error as exc:
        return report("run", args.file, exc, FAILED)
    except (OSError, ValueError) as exc:
        return report("run", args.file, getattr(exc, "strerror", None) or exc, FAILED)


def _run(args: argparse.Namespace) -> int:
    import jit

    from ..wasi import Wasi, WasiConfig, parse_dir
    from . import startup
    from .common import load_module

    env = _env(args.env)
    try:
        limits = _limits(args)
    except jit.LimitError as exc:
        raise UserError(str(exc), status=USAGE) from None
    dirs = []
    for d in args.dir:
        try:
            dirs.append(parse_dir(d))
        except (jit.Error, ValueError) as exc:
            raise UserError(f"--dir {d}: {exc}", status=USAGE) from None
    # The startup phase (no cyclic GC) covers decoding and validating a lazily compiled module; a
    # whole-module compile (--eager, --jobs, --cache, .cwasm) runs with the collector as usual.
    lazy_load = not (args.eager or args.jobs or args.cache or args.allow_precompiled)
    if not lazy_load:
        startup.end()
    module = load_module(args.file, limits=limits, fuel=limits.fuel is not None, cache=args.cache,
                         allow_precompiled=args.allow_precompiled, jobs=args.jobs,
                         lazy=False if args.eager else None)
    startup.end()
    if args.profile == "perfmap":
        from ..runtime.perfmap import write_perf_map  # /tmp/perf-PID.map for `perf`
        write_perf_map(module)
    exports = dict(module.exports)
    rest = _split_rest(args, exports)
    uses_wasi = any(mod == WASI_MODULE for mod, _name, _type in module.imports)
    config = WasiConfig.from_dirs(dirs, args=[args.file, *rest], env=env)
    if args.invoke is None:
        if "_start" in exports:
            from ..wasi import run_command
            return run_command(module, config, limits=limits)
        from ..wasm.types import FuncType
        funcs = [name for name, t in module.exports if isinstance(t, FuncType)]
        listed = ", ".join(funcs) if funcs else "none"
        raise UserError(f"no _start function: use --invoke NAME to call an export (exported functions: "
                        f"{listed})")
    wasi = Wasi(config) if uses_wasi else None
    try:
        instance = jit.Instance(module, wasi.imports() if wasi else {}, limits)
        if wasi:
            wasi.bind(instance)
        return _invoke(instance, args.invoke, rest)
    finally:
        if wasi:
            wasi.close()


def _invoke(instance: Any, name: str, call_args: list[str]) -> int:
    import jit

    from ..runtime.instance import Function

    func = instance.exports.get(name)
    if not isinstance(func, (Function, jit.Func)):
        raise UserError(f"no exported function {name!r}", status=USAGE)
    params = func.type.params
    if len(call_args) != len(params):
        raise UserError(f"{name} takes {len(params)} argument(s) {func.type}, got {len(call_args)}",
                        status=USAGE)
    result = func(*[_parse_arg(a, t) for a, t in zip(call_args, params, strict=True)])
    results = () if result is None else result if isinstance(result, tuple) else (result,)
    for r in results:
        print(r)
    return 0
