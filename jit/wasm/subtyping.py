"""Wasm 3.0 type equivalence and subtyping: canonical type ids and the matching rules.

Types are iso-recursive: two type indices denote the same type when their recursive groups are
structurally identical once every reference *inside* the group is written relative to the group and
every reference *outside* it is replaced by the outside type's canonical id, and they sit at the same
position in their groups. :func:`canonical_ids` interns each group of a module in one process-wide
table (the same group in two modules gets the same ids), so "same type" is "same canonical id" —
within a module (type-equivalence), across modules (linking, ``call_indirect`` between instances) and
in the runtime's signature ids (``jit.runtime.plan.canonical_type_id``).

Subtyping between concrete types is declared: ``$a <: $b`` when they are equal or ``$b`` is on
``$a``'s chain of declared supertypes (kept per canonical id). Abstract heap types form the four
hierarchies of the spec::

    any > eq > {i31, struct, array} > none      func > nofunc      extern > noextern      exn > noexn

with every concrete struct/array type between ``struct``/``array`` and ``none`` and every function
type between ``func`` and ``nofunc``. ``HEAP_BOT`` is the validator's bottom heap type (the type of a
reference popped from an unreachable stack): a subtype of everything.

Reference types in canonical form (``to_canonical``) carry ``HEAP_INDEX | canonical id`` instead of
a module's type index; the linker compares import and export types in that form.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .types import (
    ABSTRACT_HEAP_TYPES,
    ANYREF,
    ARRAYREF,
    EQREF,
    EXNREF,
    EXTERNREF,
    FUNCREF,
    HEAP_INDEX,
    HEAP_TOP,
    I31REF,
    NULLEXNREF,
    NULLEXTERNREF,
    NULLFUNCREF,
    NULLREF,
    REF_NULLABLE,
    REF_TYPE,
    STRUCTREF,
    ArrayType,
    FieldType,
    FuncType,
    Module,
    RecGroup,
    StructType,
    SubType,
)

HEAP_BOT = 0xFF
"""The bottom heap type of the validation algorithm (never in a module)."""
REF_BOT = REF_TYPE | HEAP_BOT
"""``(ref bot)``: the reference type of a value popped from an unreachable stack."""
_INDEX_MASK = HEAP_INDEX - 1

# Kinds of composite types, named by their abstract heap type.
KIND_FUNC, KIND_STRUCT, KIND_ARRAY = FUNCREF, STRUCTREF, ARRAYREF


def kind_of(comp: FuncType | StructType | ArrayType) -> int:
    if isinstance(comp, FuncType):
        return KIND_FUNC
    return KIND_STRUCT if isinstance(comp, StructType) else KIND_ARRAY


# abstract heap type -> the abstract heap types it is a subtype of (itself included)
_ABSTRACT_SUPERS: dict[int, frozenset[int]] = {
    ANYREF: frozenset((ANYREF,)),
    EQREF: frozenset((EQREF, ANYREF)),
    I31REF: frozenset((I31REF, EQREF, ANYREF)),
    STRUCTREF: frozenset((STRUCTREF, EQREF, ANYREF)),
    ARRAYREF: frozenset((ARRAYREF, EQREF, ANYREF)),
    NULLREF: frozenset((NULLREF, I31REF, STRUCTREF, ARRAYREF, EQREF, ANYREF)),
    FUNCREF: frozenset((FUNCREF,)),
    NULLFUNCREF: frozenset((NULLFUNCREF, FUNCREF)),
    EXTERNREF: frozenset((EXTERNREF,)),
    NULLEXTERNREF: frozenset((NULLEXTERNREF, EXTERNREF)),
    EXNREF: frozenset((EXNREF,)),
    NULLEXNREF: frozenset((NULLEXNREF, EXNREF)),
}
# composite kind -> abstract heap types above every concrete type of that kind, and its bottom
_KIND_SUPERS = {KIND_FUNC: frozenset((FUNCREF,)), KIND_STRUCT: frozenset((STRUCTREF, EQREF, ANYREF)),
                KIND_ARRAY: frozenset((ARRAYREF, EQREF, ANYREF))}
_KIND_BOTTOM = {KIND_FUNC: NULLFUNCREF, KIND_STRUCT: NULLREF, KIND_ARRAY: NULLREF}


@dataclass(frozen=True, slots=True)
class CanonicalType:
    """What the process knows about one canonical type: its kind, finality, declared supertype
    (a canonical id, 0 for none), depth in its supertype chain and composite type in canonical form."""

    kind: int
    final: bool
    super: int
    depth: int
    comp: FuncType | StructType | ArrayType


_lock = threading.Lock()
_groups: dict[tuple, tuple[int, ...]] = {}   # canonical key of a rec group -> ids of its types
_types: list[CanonicalType | None] = [None]   # canonical id -> CanonicalType (id 0 is no type)


def canonical_type(cid: int) -> CanonicalType:
    return _types[cid]  # type: ignore[return-value]


def _key_val(t: int, start: int, end: int, canon: list[int]) -> object:
    if t & REF_TYPE and t & HEAP_INDEX:
        x = t & _INDEX_MASK
        null = bool(t & REF_NULLABLE)
        if start <= x < end:
            return (null, "r", x - start)
        return (null, "c", canon[x])
    return t


def _key_comp(comp, start: int, end: int, canon: list[int]) -> tuple:
    if isinstance(comp, FuncType):
        return ("f", tuple(_key_val(t, start, end, canon) for t in comp.params),
                tuple(_key_val(t, start, end, canon) for t in comp.results))
    if isinstance(comp, StructType):
        return ("s", tuple((_key_val(f.storage, start, end, canon), f.mutable) for f in comp.fields))
    f = comp.field
    return ("a", _key_val(f.storage, start, end, canon), f.mutable)


def _canon_val(t: int, start: int, ids: tuple[int, ...], canon: list[int]) -> int:
    if t & REF_TYPE and t & HEAP_INDEX:
        x = t & _INDEX_MASK
        cid = ids[x - start] if x >= start else canon[x]
        return (t & ~_INDEX_MASK) | cid
    return t


def _canon_comp(comp, start: int, ids: tuple[int, ...], canon: list[int]):
    if isinstance(comp, FuncType):
        return FuncType(tuple(_canon_val(t, start, ids, canon) for t in comp.params),
                        tuple(_canon_val(t, start, ids, canon) for t in comp.results))
    if isinstance(comp, StructType):
        return StructType(tuple(FieldType(_canon_val(f.storage, start, ids, canon), f.mutable)
                                for f in comp.fields))
    return ArrayType(FieldType(_canon_val(comp.field.storage, start, ids, canon), comp.field.mutable))


def _intern_group(subtypes: list[SubType], start: int, canon: list[int]) -> tuple[int, ...]:
    """The canonical ids of the group ``subtypes`` (type indices from ``start``); every reference
    to an index below ``start`` is looked up in ``canon``."""
    end = start + len(subtypes)
    key = tuple((st.final, tuple(("r", s - start) if s >= start else ("c", canon[s]) for s in st.supertypes),
                 _key_comp(st.comp, start, end, canon)) for st in subtypes)
    ids = _groups.get(key)
    if ids is not None:
        return ids
    with _lock:
        ids = _groups.get(key)
        if ids is not None:
            return ids
        first = len(_types)
        ids = tuple(range(first, first + len(subtypes)))
        for st in subtypes:
            sup = 0
            if st.supertypes:
                s = st.supertypes[0]
                sup = ids[s - start] if s >= start else canon[s]
            depth = _types[sup].depth + 1 if 0 < sup < len(_types) else 0  # type: ignore[union-attr]
            _types.append(CanonicalType(kind_of(st.comp), st.final, sup, depth,
                                        _canon_comp(st.comp, start, ids, canon)))
        _groups[key] = ids
    return ids


def check_group_references(m: Module, group: RecGroup) -> tuple[int, int] | None:
    """The first (type index, referenced index) of ``group`` that refers past the end of the group
    (an "unknown type"), or None. Canonicalisation needs every reference to be backward or inside."""
    end = group.start + group.count
    for x in range(group.start, end):
        st = m.subtypes[x]
        for s in st.supertypes:
            if s >= end:
                return x, s
        for t in _comp_valtypes(st.comp):
            if t & REF_TYPE and t & HEAP_INDEX and (t & _INDEX_MASK) >= end:
                return x, t & _INDEX_MASK
    return None


def _comp_valtypes(comp) -> list[int]:
    if isinstance(comp, FuncType):
        return [*comp.params, *comp.results]
    if isinstance(comp, StructType):
        return [f.storage for f in comp.fields]
    return [comp.field.storage]


def canonical_ids(m: Module) -> list[int]:
    """The canonical id of every type index of ``m`` (made once and kept in ``m.canonical``).

    Needs every reference in a group to point backwards or inside the group (the validator checks
    that first: :func:`check_group_references`)."""
    if m.canonical is not None and len(m.canonical) == len(m.types):
        return m.canonical
    canon: list[int] = []
    groups = m.rec_groups or [RecGroup(i, 1) for i in range(len(m.types))]
    subtypes = m.subtypes or [SubType(t) for t in m.types]
    for g in groups:
        canon.extend(_intern_group(subtypes[g.start:g.start + g.count], g.start, canon))
    m.canonical = canon
    return canon


def canonical_functype_id(ft: FuncType) -> int:
    """The canonical id of a function type standing alone (a final type in a group of one) whose
    value types hold no module type index: the type of a host function."""
    return _intern_group([SubType(ft)], 0, [])[0]


# -- matching (canonical form: concrete heap types are HEAP_INDEX | canonical id) ---------------------

def _is_concrete(h: int) -> bool:
    return bool(h & HEAP_INDEX)


def canonical_heap_sub(h1: int, h2: int) -> bool:
    """``h1 <: h2`` for heap types in canonical form."""
    if h1 == h2 or h1 == HEAP_BOT:
        return True
    if h2 == HEAP_BOT:
        return False
    types = _types
    if h1 & HEAP_INDEX:
        c1 = types[h1 & _INDEX_MASK]
        if h2 & HEAP_INDEX:
            target = h2 & _INDEX_MASK
            depth = types[target].depth  # type: ignore[union-attr]
            while c1 is not None and c1.depth > depth:
                c1 = types[c1.super] if c1.super else None
            return c1 is not None and c1 is types[target]
        return h2 in _KIND_SUPERS[c1.kind]  # type: ignore[union-attr]
    if h2 & HEAP_INDEX:
        return h1 == _KIND_BOTTOM[types[h2 & _INDEX_MASK].kind]  # type: ignore[union-attr]
    supers = _ABSTRACT_SUPERS.get(h1)
    return supers is not None and h2 in supers


def canonical_val_sub(t1: int, t2: int) -> bool:
    """``t1 <: t2`` for value types in canonical form (0, the unknown type, matches everything)."""
    if t1 == t2 or t1 == 0:
        return True
    if not (is_reftype(t1) and is_reftype(t2)):
        return False
    if nullable(t1) and not nullable(t2):
        return False
    return canonical_heap_sub(heap(t1), heap(t2))


def is_reftype(t: int) -> bool:
    return t in ABSTRACT_HEAP_TYPES or bool(t & REF_TYPE)


def nullable(t: int) -> bool:
    return t in ABSTRACT_HEAP_TYPES or bool(t & REF_NULLABLE)


def heap(t: int) -> int:
    return t if t in ABSTRACT_HEAP_TYPES else t & (HEAP_INDEX | _INDEX_MASK)


def canonical_top(t: int) -> int:
    """The abstract top heap type (func, extern, exn, any) of a reference type in canonical form."""
    h = heap(t)
    if h & HEAP_INDEX:
        return FUNCREF if _types[h & _INDEX_MASK].kind == KIND_FUNC else ANYREF  # type: ignore[union-attr]
    return HEAP_TOP.get(h, h)


def canonical_value_class(t: int) -> int:
    """:func:`jit.wasm.types.value_class` of a value type in canonical form."""
    if not is_reftype(t):
        return t
    top = canonical_top(t)
    return top if top in (FUNCREF, EXNREF) else EXTERNREF


def canonical_functype(ft: FuncType) -> FuncType:
    """``ft`` with every reference type replaced by its value class (the shape the runtime's
    callers and host adapters convert values by)."""
    if all(t in _PLAIN for t in ft.params) and all(t in _PLAIN for t in ft.results):
        return ft
    return FuncType(tuple(map(canonical_value_class, ft.params)),
                    tuple(map(canonical_value_class, ft.results)))


_PLAIN = frozenset((0x7F, 0x7E, 0x7D, 0x7C, 0x7B, FUNCREF, EXTERNREF, EXNREF))


class TypeContext:
    """The types of one module for the validator: canonical ids, and matching of module-local
    value types (``HEAP_INDEX | typeidx``) through them."""

    __slots__ = ("module", "canon", "ntypes")

    def __init__(self, m: Module, canon: list[int] | None = None) -> None:
        self.module = m
        self.canon = canon if canon is not None else canonical_ids(m)
        self.ntypes = len(self.canon)

    def to_canonical(self, t: int) -> int:
        """Value type ``t`` with its type index (if any) replaced by the canonical id."""
        if t & REF_TYPE and t & HEAP_INDEX:
            x = t & _INDEX_MASK
            if x < self.ntypes:
                return (t & ~_INDEX_MASK) | self.canon[x]
        return t

    def val_sub(self, t1: int, t2: int) -> bool:
        """``t1 <: t2`` for module-local value types."""
        if t1 == t2 or t1 == 0:
            return True
        if not (is_reftype(t1) and is_reftype(t2)):
            return False
        return canonical_val_sub(self.to_canonical(t1), self.to_canonical(t2))

    def heap_sub(self, h1: int, h2: int) -> bool:
        if h1 == h2:
            return True
        c = self.canon
        if h1 & HEAP_INDEX and h1 != HEAP_BOT:
            h1 = HEAP_INDEX | c[h1 & _INDEX_MASK]
        if h2 & HEAP_INDEX and h2 != HEAP_BOT:
            h2 = HEAP_INDEX | c[h2 & _INDEX_MASK]
        return canonical_heap_sub(h1, h2)

    def val_eq(self, t1: int, t2: int) -> bool:
        """The same type (equal canonical forms)."""
        return t1 == t2 or self.to_canonical(t1) == self.to_canonical(t2)

    def top(self, t: int) -> int:
        """The abstract top heap type of reference type ``t``."""
        return canonical_top(self.to_canonical(t))

    def functype(self, ft: FuncType) -> FuncType:
        """``ft`` (module-local) with its reference types as value classes (canonical_functype)."""
        return canonical_functype(FuncType(tuple(map(self.to_canonical, ft.params)),
                                           tuple(map(self.to_canonical, ft.results))))

    def storage_sub(self, s1: int, s2: int) -> bool:
        if s1 in (0x78, 0x77) or s2 in (0x78, 0x77):
            return s1 == s2
        return self.val_sub(s1, s2)

    def field_sub(self, f1: FieldType, f2: FieldType) -> bool:
        if f1.mutable != f2.mutable or not self.storage_sub(f1.storage, f2.storage):
            return False
        return not f1.mutable or self.storage_sub(f2.storage, f1.storage)

    def comp_sub(self, c1, c2) -> bool:
        """Composite type ``c1`` matches ``c2`` (the rule a declared subtype must satisfy)."""
        if isinstance(c1, FuncType) and isinstance(c2, FuncType):
            return (len(c1.params) == len(c2.params) and len(c1.results) == len(c2.results)
                    and all(self.val_sub(b, a) for a, b in zip(c1.params, c2.params, strict=True))
                    and all(self.val_sub(a, b) for a, b in zip(c1.results, c2.results, strict=True)))
        if isinstance(c1, StructType) and isinstance(c2, StructType):
            return (len(c1.fields) >= len(c2.fields)
                    and all(self.field_sub(a, b) for a, b in zip(c1.fields, c2.fields, strict=False)))
        if isinstance(c1, ArrayType) and isinstance(c2, ArrayType):
            return self.field_sub(c1.field, c2.field)
        return False

    def type_sub(self, x1: int, x2: int) -> bool:
        """Type index ``x1`` is a subtype of type index ``x2`` (equal or declared)."""
        return canonical_heap_sub(HEAP_INDEX | self.canon[x1], HEAP_INDEX | self.canon[x2])


__all__ = [
    "HEAP_BOT", "REF_BOT", "CanonicalType", "TypeContext", "canonical_functype", "canonical_functype_id",
    "canonical_heap_sub", "canonical_ids", "canonical_top", "canonical_type", "canonical_val_sub",
    "canonical_value_class", "check_group_references", "kind_of",
]
