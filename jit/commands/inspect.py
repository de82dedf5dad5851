"""``wxjit inspect FILE...``: sections with sizes, imports, exports, function count, the Wasm 2.0
features and the Wasm 3.0 proposals used.

Several files are shown one after the other (a blank line between them); FILE may be ``.wasm`` or
``.wat``. Exit status 1 when any file could not be read or decoded (``wxjit inspect: FILE: reason``).
"""
from __future__ import annotations

import argparse
from typing import Any

from .common import FAILED, UserError, report

HELP = "show a module's sections, imports, exports, functions and the Wasm features it uses"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help=".wasm or .wat files")


def _extern_desc(m: Any, kind: str, desc: Any) -> str:
    from jit.wasm.types import valtype_name

    if kind == "func":
        return f"func {m.types[desc]}" if desc < len(m.types) else f"func type {desc}"
    if kind == "global":
        return f"global {'mut ' if desc.mutable else ''}{valtype_name(desc.valtype)}"
    lim = desc.limits
    size = f"{lim.min}" + (f"..{lim.max}" if lim.max is not None else "..")
    if kind == "table":
        return f"table {valtype_name(desc.elem)} {size}"
    return f"memory {size} pages"


def main(args: argparse.Namespace) -> int:
    status = 0
    for n, path in enumerate(args.files):
        if n:
            print()
        status = max(status, _inspect(path))
    return status


def _inspect(path: str) -> int:
    from jit.abi.features import PROPOSAL_BY_KEY
    from jit.commands.validate import describe_error
    from jit.errors import CompileError
    from jit.wasm import decode, validate_module
    from jit.wasm.decoder import SECTION_NAMES
    from jit.wasm.features import features_used, proposals_used

    from .common import is_cwasm, wasm_bytes

    try:
        data = wasm_bytes(path)
        if is_cwasm(data):
            raise UserError("a compiled .cwasm file: inspect the .wasm it was compiled from", path)
        m = decode(data)
    except UserError as exc:
        return report("inspect", exc.file, exc.reason, exc.status)
    except CompileError as exc:
        return report("inspect", path, describe_error(exc), FAILED)
    verdict = "valid"
    try:
        validate_module(m)
    except CompileError as exc:
        verdict = f"INVALID: {describe_error(exc)}"
    print(f"{path}: {len(data)} bytes, {verdict}")
    print("sections:")
    customs = iter(m.customs)
    for sid, start, size in m.sections:
        name = SECTION_NAMES[sid]
        if sid == 0:
            name = f'custom "{next(customs)[0]}"'
        print(f"  {name:<24} offset {start:#08x}  size {size}")
    nimp = m.num_imported_funcs
    print(f"functions: {nimp + len(m.funcs)} ({nimp} imported, {len(m.funcs)} defined), "
          f"{sum(b.size for b in m.codes)} code bytes, "
          f"{sum(len(b.code) for b in m.codes)} instructions")
    print(f"types: {len(m.types)}  tables: {m.num_imported_tables + len(m.tables)}  "
          f"memories: {m.num_imported_memories + len(m.memories)}  "
          f"globals: {m.num_imported_globals + len(m.globals)}  elem segments: {len(m.elems)}  "
          f"data segments: {len(m.datas)}  start: {m.start if m.start is not None else '-'}")
    print(f"imports: {len(m.imports)}")
    for imp in m.imports:
        print(f"  {imp.module}.{imp.name}: {_extern_desc(m, imp.kind, imp.desc)}")
    print(f"exports: {len(m.exports)}")
    for exp in m.exports:
        print(f"  {exp.name}: {exp.kind} {exp.index}")
    if m.names.module:
        print(f"module name: {m.names.module}")
    features = features_used(m)
    print(f"features: {', '.join(features) if features else 'none (MVP)'}")
    proposals = proposals_used(m)
    shown = ", ".join(f"{k} ({PROPOSAL_BY_KEY[k].name})" for k in proposals)
    print(f"proposals (Wasm 3.0): {shown if proposals else 'none'}")
    return 0
