"""``wxjit inspect FILE``: sections with sizes, imports, exports, function count, features used."""
from __future__ import annotations

import argparse

HELP = "show a module's sections, imports, exports, functions and the Wasm features it uses"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .wasm file")


def _extern_desc(m, kind: str, desc) -> str:
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
    from jit.commands.validate import describe_error
    from jit.errors import CompileError
    from jit.wasm import decode, validate_module
    from jit.wasm.decoder import SECTION_NAMES
    from jit.wasm.features import features_used

    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as exc:
        print(f"{args.file}: cannot read: {exc.strerror}")
        return 1
    try:
        m = decode(data)
    except CompileError as exc:
        print(f"{args.file}: {describe_error(exc)}")
        return 1
    verdict = "valid"
    try:
        validate_module(m)
    except CompileError as exc:
        verdict = f"INVALID: {describe_error(exc)}"
    print(f"{args.file}: {len(data)} bytes, {verdict}")
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
    return 0
