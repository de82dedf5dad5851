"""Import resolution: match a module's imports against an import map and check their types.

``resolve(module, imports)`` returns one extern per import, in import order, or raises
``jit.LinkError`` naming the import's module and field with the expected and actual types (also
available as ``.expected`` / ``.actual``). Rules (Wasm 3.0 import matching, types compared by
canonical id: ``jit.wasm.subtyping``): a function's type must be a subtype of the imported one (equal,
or a declared subtype); an immutable global's value type a subtype of the imported one, a mutable
global's the same type; memories and tables must have at least the imported minimum (their current
size) and, when the import has a maximum, a maximum not above it; tables also the same element type.
Types of other instances' globals and tables are in canonical form (``TypeContext.to_canonical``);
a host extern's types name no module type. Extra entries in the map are ignored.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import LinkError
from ..wasm.subtyping import TypeContext, canonical_functype_id, canonical_heap_sub, canonical_val_sub
from ..wasm.types import HEAP_INDEX, I64, FuncType, GlobalType, Import, MemoryType, TableType, valtype_name
from .externs import Func, Global, InstanceFunction, Memory, Table


def describe(t: Any) -> str:
    """Text-format-like description of an extern type."""
    if isinstance(t, FuncType):
        return f"func {t}"
    if isinstance(t, GlobalType):
        vt = valtype_name(t.valtype)
        return f"global (mut {vt})" if t.mutable else f"global {vt}"
    if isinstance(t, MemoryType):
        mx = "" if t.limits.max is None else f" {t.limits.max}"
        at = "i64 " if t.address_type == I64 else ""
        return f"memory {at}{t.limits.min}{mx}"
    if isinstance(t, TableType):
        mx = "" if t.limits.max is None else f" {t.limits.max}"
        at = "i64 " if t.address_type == I64 else ""
        return f"table {at}{t.limits.min}{mx} {valtype_name(t.elem)}"
    return type(t).__name__


def extern_kind(ext: Any) -> str | None:
    if isinstance(ext, (Func, InstanceFunction)):
        return "func"
    if type(ext).__name__ == "Tag" and hasattr(ext, "address"):      # jit.runtime.exceptions.Tag
        return "tag"
    if isinstance(ext, Memory):
        return "memory"
    if isinstance(ext, Global):
        return "global"
    if isinstance(ext, Table):
        return "table"
    return None


def _limits_match(actual_min: int, actual_max: int | None, want_min: int, want_max: int | None) -> bool:
    if actual_min < want_min:
        return False
    if want_max is None:
        return True
    return actual_max is not None and actual_max <= want_max


def _fail(imp: Import, expected: Any, actual: str, why: str) -> LinkError:
    err = LinkError(
        f"{why} for import {imp.module!r} {imp.name!r}: expected {describe(expected)}, got {actual}",
        imp.module, imp.name)
    err.expected = describe(expected)  # type: ignore[attr-defined]
    err.actual = actual  # type: ignore[attr-defined]
    return err


def expected_type(module: Any, imp: Import) -> Any:
    return module.types[imp.desc] if imp.kind in ("func", "tag") else imp.desc


def check(module: Any, imp: Import, ext: Any) -> None:
    """Raise LinkError unless ``ext`` matches import ``imp`` of ``module``."""
    want = expected_type(module, imp)
    kind = extern_kind(ext)
    if kind is None:
        raise _fail(imp, want, f"{type(ext).__name__} (not an extern)", "incompatible import type")
    actual = ext.type
    if kind != imp.kind:
        raise _fail(imp, want, describe(actual), "incompatible import type")
    ok = True
    if kind == "func":
        want_id = TypeContext(module).canon[imp.desc]
        ok = canonical_heap_sub(HEAP_INDEX | func_type_id(ext), HEAP_INDEX | want_id)
    elif kind == "tag":      # the same type (tags are invariant), recursion group included
        ok = ext.type_id == TypeContext(module).canon[imp.desc]
    elif kind == "global":
        tc = TypeContext(module)
        want_t = tc.to_canonical(want.valtype)
        ok = actual.mutable == want.mutable and (
            actual.valtype == want_t if want.mutable else canonical_val_sub(actual.valtype, want_t))
    elif kind == "memory":
        ok = actual.address_type == want.address_type and _limits_match(
            actual.limits.min, actual.limits.max, want.limits.min, want.limits.max)
    elif kind == "table":
        ok = (actual.elem == TypeContext(module).to_canonical(want.elem)
              and actual.address_type == want.address_type) and _limits_match(
            ext.size, actual.limits.max, want.limits.min, want.limits.max)
    if not ok:
        raise _fail(imp, want, describe(actual), "incompatible import type")


def func_type_id(ext: Any) -> int:
    """The canonical type id of a function extern: a Wasm function's own, a host function's type
    standing alone."""
    if isinstance(ext, Func):
        return canonical_functype_id(ext.type)
    return ext.type_id


def resolve(module: Any, imports: Mapping[str, Mapping[str, Any]] | None) -> list[Any]:
    """One extern per import of ``module`` (a jit.wasm Module), type-checked."""
    imports = imports or {}
    types = module.types
    out = []
    for imp in module.imports:
        namespace = imports.get(imp.module)
        ext = namespace.get(imp.name) if namespace is not None else None
        if ext is None:
            raise _fail(imp, expected_type(module, imp), "nothing", "unknown import")
        # fast path: a host function of exactly the imported type (standing alone: a type in a
        # recursive group with others is another type)
        if not (type(ext) is Func and imp.kind == "func" and ext.type == types[imp.desc]
                and canonical_functype_id(ext.type) == TypeContext(module).canon[imp.desc]):
            check(module, imp, ext)
        out.append(ext)
    return out
