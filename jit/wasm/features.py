"""Which post-MVP Wasm features and which Wasm 3.0 proposals a decoded module uses (``wxjit inspect``).

``features_used`` names the proposals merged into Wasm 2.0: ``sign-ext``, ``sat-float-to-int``,
``mutable-globals``, ``multi-value``, ``bulk-memory``, ``reference-types`` and ``simd``.
``proposals_used`` names the Wasm 3.0 proposals by their ``jit.abi.features.PROPOSALS`` keys
(``exceptions``, ``tail_call``, ``multi_memory``, ``memory64``, ``function_references``, ``gc``,
``relaxed_simd``, ``extended_const``), found from what the module declares and from its instructions:
an opcode row's ``proposal`` (``jit.wasm.opcodes``) where the table has one, else the opcode ranges
below; types, tags, memories and tables; and the instructions of constant expressions. A proposal
that implies another reports both (``return_call_ref``: tail calls and typed function references).
"""
from __future__ import annotations

from typing import Any

from ..abi.features import PROPOSALS, UnsupportedProposalError
from . import opcodes as O
from .types import (
    ABSTRACT_HEAP_TYPES,
    EXTERNREF,
    FUNCREF,
    I64,
    REF_TYPE,
    V128,
    FuncType,
    Module,
    ref_heap,
)

FEATURES = ("mutable-globals", "sign-ext", "sat-float-to-int", "multi-value", "bulk-memory",
            "reference-types", "simd")
PROPOSAL_KEYS = tuple(p.key for p in PROPOSALS)
_BULK = frozenset(range(0xFC008, 0xFC00F))  # memory.init .. table.copy
_SAT = frozenset(range(0xFC000, 0xFC008))
_SIGN_EXT = frozenset(range(0xC0, 0xC5))
_REF_OPS = frozenset((0xD0, 0xD1, 0xD2, 0x25, 0x26, 0x1C, 0xFC00F, 0xFC010, 0xFC011))
_REFS = frozenset((FUNCREF, EXTERNREF))

# Wasm 3.0 instructions by opcode key -> the proposals they belong to (for rows without ``proposal``).
_OP_PROPOSALS: dict[int, tuple[str, ...]] = {
    0x08: ("exceptions",), 0x0A: ("exceptions",), 0x1F: ("exceptions",),   # throw, throw_ref, try_table
    0x12: ("tail_call",), 0x13: ("tail_call",),                                   # return_call(_indirect)
    0x14: ("function_references",),                                               # call_ref
    0x15: ("tail_call", "function_references"),                                   # return_call_ref
    0xD3: ("gc",),                                                                # ref.eq
    0xD4: ("function_references",), 0xD5: ("function_references",),              # ref.as_non_null, br_on_null
    0xD6: ("function_references",),                                               # br_on_non_null
}
_TAIL_CALL_OPS = frozenset(op for op, keys in _OP_PROPOSALS.items() if "tail_call" in keys)
_PREFIX_PROPOSALS: tuple[tuple[range, str], ...] = (
    (range(0xFB000, 0xFC000), "gc"),                  # struct.*, array.*, ref.test/cast, i31...
    (range(0xFD100, 0xFD114), "relaxed_simd"),
)
_EXTENDED_CONST_OPS = frozenset(O.op_key(f"{t}.{op}") for t in ("i32", "i64") for op in ("add", "sub", "mul"))
# abstract heap types -> the proposal that brings them
_HEAP_PROPOSALS = {0x69: "exceptions", 0x74: "exceptions",                       # exn, noexn
                   **{h: "gc" for h in (0x6E, 0x6D, 0x6C, 0x6B, 0x6A, 0x71, 0x73, 0x72)}}


def features_used(m: Module) -> list[str]:
    """The features of :data:`FEATURES` that ``m`` uses, in that order."""
    used: set[str] = set()
    all_types = [t for ft in _func_types(m) for t in ft.params + ft.results]
    all_types += [g.type.valtype for g in m.globals]
    all_types += [t for body in m.codes for _n, t in body.locals]
    if V128 in all_types:
        used.add("simd")
    if any(t in _REFS for t in all_types):
        used.add("reference-types")
    if any(len(ft.results) > 1 for ft in _func_types(m)):
        used.add("multi-value")
    if any(imp.kind == "global" and imp.desc.mutable for imp in m.imports):
        used.add("mutable-globals")
    nglobals = m.num_imported_globals + len(m.globals)
    if any(e.kind == "global" and e.index < nglobals and m.global_type(e.index).mutable
           for e in m.exports):
        used.add("mutable-globals")
    if any(d.mode == "passive" for d in m.datas) or any(e.mode != "active" for e in m.elems):
        used.add("bulk-memory")
    if m.data_count is not None:
        used.add("bulk-memory")
    if len(m.tables) + m.num_imported_tables > 1 or any(e.elemtype == EXTERNREF for e in m.elems):
        used.add("reference-types")
    for body in m.codes:
        for op, a, _b, _pos in body.code:
            if op > 0xFF:
                if op >> 12 == 0xFD:
                    used.add("simd")
                elif op in _SAT:
                    used.add("sat-float-to-int")
                elif op in _BULK:
                    used.add("bulk-memory")
                elif op in _REF_OPS:
                    used.add("reference-types")
            elif op in _SIGN_EXT:
                used.add("sign-ext")
            elif op in _REF_OPS:
                used.add("reference-types")
            elif (op == 0x02 or op == 0x03 or op == 0x04) and a >= 0:
                used.add("multi-value")
    return [f for f in FEATURES if f in used]


def proposals_used(m: Module) -> list[str]:
    """The Wasm 3.0 proposals ``m`` uses, as ``PROPOSALS`` keys in that table's order."""
    used: set[str] = set()
    for t in _value_types(m):
        used |= _valtype_proposals(t)
    if any(not isinstance(ct, FuncType) for ct in m.types):
        used.add("gc")                                   # struct and array types
    for st in getattr(m, "subtypes", ()):
        if not st.final or st.supertypes:
            used.add("gc")
    if any(g.count > 1 for g in getattr(m, "rec_groups", ())):
        used.add("gc")
    if getattr(m, "tags", None) or any(imp.kind == "tag" for imp in m.imports):
        used.add("exceptions")
    if len(m.all_memories()) > 1:
        used.add("multi_memory")
    if any(getattr(x, "address_type", None) == I64 for x in (*m.all_memories(), *m.all_tables())):
        used.add("memory64")
    for expr in _const_exprs(m):
        for op, a, _b, _pos in expr:
            if op in _EXTENDED_CONST_OPS:
                used.add("extended_const")
            used |= _op_proposals(op, a)
    for body in m.codes:
        for op, a, _b, _pos in body.code:
            used |= _op_proposals(op, a)
    return [k for k in PROPOSAL_KEYS if k in used]


def refuse_disabled(m: Module, features: Any) -> None:
    """Raise ``UnsupportedProposalError`` (``unsupported proposal '<name>'``, at the first use) when ``m``
    uses relaxed SIMD, extended constant expressions or tail calls and ``features`` turns them off.
    Runs only for a disabled proposal, so the default front end pays nothing."""
    if not features.relaxed_simd:
        relaxed = _PREFIX_PROPOSALS[1][0]
        for body in m.codes:
            for op, _a, _b, pos in body.code:
                if op in relaxed:
                    raise UnsupportedProposalError("relaxed_simd", pos)
    if not features.tail_call:
        for body in m.codes:
            for op, _a, _b, pos in body.code:
                if op in _TAIL_CALL_OPS:
                    raise UnsupportedProposalError("tail_call", pos)
    if not features.extended_const:
        for expr in _const_exprs(m):
            for op, _a, _b, pos in expr:
                if op in _EXTENDED_CONST_OPS:
                    raise UnsupportedProposalError("extended_const", pos)


def _op_proposals(op: int, a: Any) -> set[str]:
    out: set[str] = set()
    info = O.OPS.get(op)
    proposal = getattr(info, "proposal", None)
    if proposal:
        out.add(proposal)
    out.update(_OP_PROPOSALS.get(op, ()))
    for keys, key in _PREFIX_PROPOSALS:
        if op in keys:
            out.add(key)
    if info is not None and info.imm in (O.REFTYPE, O.SELECT_T) and isinstance(a, int):
        out |= _valtype_proposals(a)                     # ref.null ht, select (result t)
    return out


def _valtype_proposals(t: int) -> set[str]:
    if t in ABSTRACT_HEAP_TYPES:
        key = _HEAP_PROPOSALS.get(t)
        return {key} if key else set()
    if t & REF_TYPE:                                     # (ref null? ht) beyond the two shorthands
        heap = ref_heap(t)
        out = {"function_references"}
        key = _HEAP_PROPOSALS.get(heap)
        if key:
            out.add(key)
        return out
    return set()


def _func_types(m: Module) -> list[FuncType]:
    return [ft for ft in m.types if isinstance(ft, FuncType)]


def _value_types(m: Module) -> list[int]:
    out = [t for ft in _func_types(m) for t in ft.params + ft.results]
    out += [g.type.valtype for g in m.globals]
    out += [t for body in m.codes for _n, t in body.locals]
    out += [imp.desc.valtype for imp in m.imports if imp.kind == "global"]
    out += [t.elem for t in m.all_tables()]
    out += [e.elemtype for e in m.elems]
    for ct in m.types:
        for f in getattr(ct, "fields", ()) or ((ct.field,) if hasattr(ct, "field") else ()):
            out.append(f.storage)
    return out


def _const_exprs(m: Module) -> list[list[Any]]:
    exprs: list[list[Any]] = [g.init for g in m.globals]
    for e in m.elems:
        exprs.extend(e.init)
        if e.offset is not None:
            exprs.append(e.offset)
    exprs.extend(d.offset for d in m.datas if d.offset is not None)
    exprs.extend(init for init in getattr(m, "table_inits", ()) if init)
    return exprs
