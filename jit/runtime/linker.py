"""Import resolution: match a module's imports against an import map and check their types.

``resolve(module, imports)`` returns one extern per import, in import order, or raises
``jit.LinkError`` naming the import's module and field with the expected and actual types (also
available as ``.expected`` / ``.actual``). Rules (Wasm 2.0 import matching): functions need the same
signature; globals the same value type and mutability; memories and tables must have at least the
imported minimum (their current size) and, when the import has a maximum, a maximum not above it;
tables also the same element type. Extra entries in the map are ignored.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import LinkError
from ..wasm.types import I64, FuncType, GlobalType, Import, MemoryType, TableType, valtype_name
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
    if kind == "func" or kind == "tag":
        ok = actual == want
    elif kind == "global":
        ok = actual == want
    elif kind == "memory":
        ok = actual.address_type == want.address_type and _limits_match(
            actual.limits.min, actual.limits.max, want.limits.min, want.limits.max)
    elif kind == "table":
        ok = actual.elem == want.elem and actual.address_type == want.address_type and _limits_match(
            ext.size, actual.limits.max, want.limits.min, want.limits.max)
    if not ok:
        raise _fail(imp, want, describe(actual), "incompatible import type")


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
        # fast path: a host function of exactly the imported type
        if not (type(ext) is Func and imp.kind == "func" and ext.type == types[imp.desc]):
            check(module, imp, ext)
        out.append(ext)
    return out
