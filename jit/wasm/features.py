"""Which post-MVP Wasm features a decoded module uses (for ``wxjit inspect``).

Feature names follow the proposals merged into Wasm 2.0: ``sign-ext``, ``sat-float-to-int``,
``mutable-globals``, ``multi-value``, ``bulk-memory``, ``reference-types`` and ``simd``.
"""
from __future__ import annotations

from .types import EXTERNREF, FUNCREF, V128, Module

FEATURES = ("mutable-globals", "sign-ext", "sat-float-to-int", "multi-value", "bulk-memory",
            "reference-types", "simd")
_BULK = frozenset(range(0xFC008, 0xFC00F))  # memory.init .. table.copy
_SAT = frozenset(range(0xFC000, 0xFC008))
_SIGN_EXT = frozenset(range(0xC0, 0xC5))
_REF_OPS = frozenset((0xD0, 0xD1, 0xD2, 0x25, 0x26, 0x1C, 0xFC00F, 0xFC010, 0xFC011))
_REFS = frozenset((FUNCREF, EXTERNREF))


def features_used(m: Module) -> list[str]:
    """The features of :data:`FEATURES` that ``m`` uses, in that order."""
    used: set[str] = set()
    all_types = [t for ft in m.types for t in ft.params + ft.results]
    all_types += [g.type.valtype for g in m.globals]
    all_types += [t for body in m.codes for _n, t in body.locals]
    if V128 in all_types:
        used.add("simd")
    if any(t in _REFS for t in all_types):
        used.add("reference-types")
    if any(len(ft.results) > 1 for ft in m.types):
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
