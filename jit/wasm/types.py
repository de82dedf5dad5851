"""Plain data structures of a decoded WebAssembly module (the front end's output contract).

Value types are ints: their binary codes (``I32 = 0x7F`` ... ``EXTERNREF = 0x6F``); a Wasm 3.0
reference type with no one-byte code is one int too (``make_ref``, below). The type section keeps the
composite type of each index in ``Module.types`` (``FuncType``, or ``StructType`` / ``ArrayType`` for
GC types) and its declaration in ``Module.subtypes`` / ``Module.rec_groups``. An instruction
(``Instr``) is a plain tuple ``(op, a, b, pos)``: the opcode key from :mod:`jit.wasm.opcodes`, two
immediates (``None`` when absent) and the byte offset of the instruction in the module. A decoded
``Module`` is well-formed; after :func:`jit.wasm.validate_module` it is also valid, and the compiler
may rely on every index in it being in range.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

I32 = 0x7F
I64 = 0x7E
F32 = 0x7D
F64 = 0x7C
V128 = 0x7B
FUNCREF = 0x70
EXTERNREF = 0x6F

# Reference types (Wasm 3.0). Abstract heap types have their one-byte binary codes; the nullable
# reference to an abstract heap type (``(ref null func)`` = ``funcref``) IS that code, so FUNCREF and
# EXTERNREF keep their 2.0 values. Every other reference type is encoded as one int:
#   REF_TYPE | (REF_NULLABLE if nullable) | heap
# where ``heap`` is an abstract heap-type code, or HEAP_INDEX | typeidx for a concrete (indexed)
# type. Use make_ref / is_ref / ref_heap / ref_nullable rather than the bits.
EXNREF = 0x69
ANYREF, EQREF, I31REF, STRUCTREF, ARRAYREF = 0x6E, 0x6D, 0x6C, 0x6B, 0x6A
NULLREF, NULLFUNCREF, NULLEXTERNREF, NULLEXNREF = 0x71, 0x73, 0x72, 0x74
ABSTRACT_HEAP_TYPES: dict[int, str] = {
    0x70: "func", 0x6F: "extern", 0x69: "exn", 0x6E: "any", 0x6D: "eq", 0x6C: "i31",
    0x6B: "struct", 0x6A: "array", 0x71: "none", 0x73: "nofunc", 0x72: "noextern", 0x74: "noexn",
}
REF_TYPE = 1 << 30
REF_NULLABLE = 1 << 29
HEAP_INDEX = 1 << 28


def make_ref(heap: int, nullable: bool) -> int:
    """The value type ``(ref null? heap)``; ``heap`` is an abstract code or HEAP_INDEX | typeidx."""
    if nullable and heap in ABSTRACT_HEAP_TYPES:
        return heap
    return REF_TYPE | (REF_NULLABLE if nullable else 0) | heap


def is_ref(t: int) -> bool:
    """True for every reference type (shorthand or general)."""
    return t in ABSTRACT_HEAP_TYPES or bool(t & REF_TYPE)


def ref_nullable(t: int) -> bool:
    return t in ABSTRACT_HEAP_TYPES or bool(t & REF_NULLABLE)


def ref_heap(t: int) -> int:
    """The heap type of reference type ``t``: an abstract code, or HEAP_INDEX | typeidx."""
    return t if t in ABSTRACT_HEAP_TYPES else t & (HEAP_INDEX | (HEAP_INDEX - 1))


PACKED_I8, PACKED_I16 = 0x78, 0x77
"""Packed storage types of struct fields and array elements (never value types)."""

# The top of each abstract hierarchy (``ref_top``) and the bottom (``ref_bottom``).
HEAP_TOP: dict[int, int] = {
    0x70: 0x70, 0x73: 0x70,                       # func, nofunc
    0x6F: 0x6F, 0x72: 0x6F,                       # extern, noextern
    0x69: 0x69, 0x74: 0x69,                       # exn, noexn
    0x6E: 0x6E, 0x6D: 0x6E, 0x6C: 0x6E, 0x6B: 0x6E, 0x6A: 0x6E, 0x71: 0x6E,   # any eq i31 struct array none
}
HEAP_BOTTOM: dict[int, int] = {0x70: 0x73, 0x6F: 0x72, 0x69: 0x74, 0x6E: 0x71}

VALTYPE_NAMES: dict[int, str] = {
    I32: "i32", I64: "i64", F32: "f32", F64: "f64", V128: "v128",
    FUNCREF: "funcref", EXTERNREF: "externref", EXNREF: "exnref",
}
_VALTYPE_BY_NAME = {name: code for code, name in VALTYPE_NAMES.items()}
_VALTYPE_BY_NAME.update({f"{name}ref": code for code, name in ABSTRACT_HEAP_TYPES.items()})
_VALTYPE_BY_NAME.update({"nullfuncref": NULLFUNCREF, "nullexternref": NULLEXTERNREF, "nullref": NULLREF,
                         "nullexnref": NULLEXNREF})
NUM_TYPES = frozenset((I32, I64, F32, F64))
REF_TYPES = frozenset((FUNCREF, EXTERNREF, EXNREF))
VALTYPES = frozenset(VALTYPE_NAMES)
"""The Wasm 2.0 value types (single-byte codes)."""
SHORTHAND_TYPES = frozenset((I32, I64, F32, F64, V128, *ABSTRACT_HEAP_TYPES))
"""Every value type with a one-byte binary code (numbers, v128, ``(ref null <abstract>)``)."""

# Block types as stored in the ``a`` immediate of block/loop/if (the signed s33 value). A single
# result with a one-byte value-type code is that code - 0x80 (-1 for i32 ...); a single result of a
# general reference type t (``(ref null? ht)`` in two or more bytes) is stored as -t (below -0x80).
BLOCK_EMPTY = -64
BLOCK_I32, BLOCK_I64, BLOCK_F32, BLOCK_F64, BLOCK_V128 = -1, -2, -3, -4, -5
BLOCK_FUNCREF, BLOCK_EXTERNREF, BLOCK_EXNREF = -16, -17, -23
BLOCKTYPE_VALTYPE = {BLOCK_I32: I32, BLOCK_I64: I64, BLOCK_F32: F32, BLOCK_F64: F64, BLOCK_V128: V128,
                     BLOCK_FUNCREF: FUNCREF, BLOCK_EXTERNREF: EXTERNREF}
BLOCKTYPE_VALTYPE.update({code - 0x80: code for code in ABSTRACT_HEAP_TYPES})
"""The single-result block types with one-byte codes: s33 immediate -> value type."""
_BLOCKTYPE_VALTYPE = BLOCKTYPE_VALTYPE


def block_valtype(a: int) -> int:
    """The result type of a single-result block type immediate ``a`` (``a < 0``, not BLOCK_EMPTY)."""
    return -a if a < -0x80 else BLOCKTYPE_VALTYPE[a]


def heap_index(t: int) -> int | None:
    """The type index of a concrete reference type ``(ref null? $i)``, else None."""
    if t & REF_TYPE and t & HEAP_INDEX:
        return t & (HEAP_INDEX - 1)
    return None


def value_class(t: int, types: list | tuple = ()) -> int:
    """The Wasm 2.0 type whose representation a value of type ``t`` has at run time: ``t`` for numbers
    and vectors, FUNCREF for the function hierarchy (a ``VMFuncRef`` pointer), EXNREF for exception
    references, EXTERNREF for every other reference (externref ids; GC references are never made).
    ``types``: the module's types, to tell a function type index from a struct/array one."""
    if t in VALTYPE_NAMES or not is_ref(t):
        return t
    h = ref_heap(t)
    if h & HEAP_INDEX:
        x = h & (HEAP_INDEX - 1)
        return FUNCREF if x < len(types) and isinstance(types[x], FuncType) else EXTERNREF
    top = HEAP_TOP.get(h)
    return top if top in (FUNCREF, EXNREF) else EXTERNREF


TRACED_TOPS = frozenset((0x6E, 0x6F))
"""The hierarchies whose words a collection traces (any, extern: externref handles, i31s, GC objects)."""


def is_traced(t: int, types: list | tuple = ()) -> bool:
    """Whether values of type ``t`` are words the collector traces (docs/gc.md): references of the
    any and extern hierarchies; not numbers, funcrefs or exnrefs. ``types`` as for ``value_class``."""
    top = HEAP_TOP.get(t)
    if top is not None:
        return top in TRACED_TOPS
    if not t & REF_TYPE:
        return False
    h = ref_heap(t)
    if h & HEAP_INDEX:
        x = h & (HEAP_INDEX - 1)
        return not (x < len(types) and isinstance(types[x], FuncType))
    return HEAP_TOP.get(h) in TRACED_TOPS


def is_collected(t: int, types: list | tuple = ()) -> bool:
    """Whether values of type ``t`` are words a collection follows (docs/gc.md): the traced ones
    (:func:`is_traced`) and exnrefs (exception objects caught by reference, docs/exceptions.md)."""
    if is_traced(t, types):
        return True
    top = HEAP_TOP.get(t)
    if top is not None:
        return top == EXNREF
    if not t & REF_TYPE:
        return False
    h = ref_heap(t)
    return not h & HEAP_INDEX and HEAP_TOP.get(h) == EXNREF


def ref_top(t: int) -> int:
    """The abstract top heap type (func, extern, exn or any) of an *abstract* reference type ``t``;
    concrete types need the module's types (:func:`jit.wasm.subtyping.TypeContext.top`)."""
    return HEAP_TOP[ref_heap(t)]


Instr = tuple[int, Any, Any, int]


def heap_name(h: int) -> str:
    """Text-format name of heap type ``h`` ("func", "$3")."""
    if h & HEAP_INDEX:
        return f"${h & (HEAP_INDEX - 1)}"
    return ABSTRACT_HEAP_TYPES.get(h, f"<heap {h:#x}>")


def valtype_name(t: int) -> str:
    """Text-format name of value type ``t`` ("i32", "funcref", "(ref null $2)", "(ref func)", ...)."""
    name = VALTYPE_NAMES.get(t)
    if name is not None:
        return name
    if t in ABSTRACT_HEAP_TYPES:
        return f"{ABSTRACT_HEAP_TYPES[t]}ref"
    if t & REF_TYPE:
        null = "null " if t & REF_NULLABLE else ""
        return f"(ref {null}{heap_name(ref_heap(t))})"
    if t == PACKED_I8:
        return "i8"
    if t == PACKED_I16:
        return "i16"
    return f"<type {t:#x}>"


def valtype_from_name(name: str) -> int:
    """Binary code of the value type spelled ``name`` in the text format; ValueError if unknown."""
    try:
        return _VALTYPE_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown value type {name!r}") from None


@dataclass(frozen=True, slots=True)
class FuncType:
    """A function signature; structural equality, hashable."""

    params: tuple[int, ...]
    results: tuple[int, ...]

    def __str__(self) -> str:
        p = ", ".join(valtype_name(t) for t in self.params)
        r = ", ".join(valtype_name(t) for t in self.results)
        return f"({p}) -> ({r})"


@dataclass(frozen=True, slots=True)
class FieldType:
    """A struct field or array element: a value type or packed type (PACKED_I8/PACKED_I16), and
    whether it is mutable."""

    storage: int
    mutable: bool

    def __str__(self) -> str:
        t = valtype_name(self.storage)
        return f"(mut {t})" if self.mutable else t


@dataclass(frozen=True, slots=True)
class StructType:
    """A struct type (GC): its fields in order."""

    fields: tuple[FieldType, ...]

    def __str__(self) -> str:
        return "(struct " + " ".join(f"(field {f})" for f in self.fields) + ")"


@dataclass(frozen=True, slots=True)
class ArrayType:
    """An array type (GC): its element type."""

    field: FieldType

    def __str__(self) -> str:
        return f"(array {self.field})"


CompositeType = FuncType | StructType | ArrayType


@dataclass(frozen=True, slots=True)
class SubType:
    """A type-section entry as Wasm 3.0 declares it: the composite type (also ``Module.types[i]``),
    whether it is final, and its declared supertypes (type indices; at most one is valid)."""

    comp: CompositeType
    final: bool = True
    supertypes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RecGroup:
    """A recursive type group: the type indices ``start .. start + count - 1``. A 2.0 type (no
    ``rec``) is a group of one."""

    start: int
    count: int


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits of a table or memory: ``min`` and ``max`` (None: no maximum), in elements or pages."""

    min: int
    max: int | None = None


@dataclass(frozen=True, slots=True)
class TableType:
    """A table type; ``address_type`` is I32, or I64 for a 64-bit table (table64): the type of its
    element indices, sizes and lengths."""

    elem: int
    limits: Limits
    address_type: int = I32


@dataclass(frozen=True, slots=True)
class MemoryType:
    """A memory type; ``address_type`` is I32, or I64 for a 64-bit memory (memory64): the type of its
    addresses, sizes (in pages) and lengths."""

    limits: Limits
    address_type: int = I32


@dataclass(frozen=True, slots=True)
class GlobalType:
    """A global's value type and mutability."""

    valtype: int
    mutable: bool


@dataclass(slots=True)
class Import:
    """An import; ``desc`` is a type index (func, tag) or a TableType / MemoryType / GlobalType."""

    module: str
    name: str
    kind: str
    desc: Any


@dataclass(slots=True)
class Export:
    """An export: its name, the kind of what it exports and that thing's index in its index space."""

    name: str
    kind: str
    index: int


@dataclass(slots=True)
class Global:
    """A defined global; ``init`` is its constant expression without the final ``end``."""

    type: GlobalType
    init: list[Instr]


@dataclass(slots=True)
class ElemSegment:
    """An element segment; every element is a constant expression (without ``end``)."""

    mode: str  # "active" | "passive" | "declarative"
    table: int
    offset: list[Instr] | None
    elemtype: int
    init: list[list[Instr]]


@dataclass(slots=True)
class DataSegment:
    """A data segment; an active one has its memory and its offset as a constant expression (without
    ``end``)."""

    mode: str  # "active" | "passive"
    memory: int
    offset: list[Instr] | None
    data: bytes


@dataclass(slots=True)
class FunctionBody:
    """A function body: local runs as declared, the decoded instructions (final ``end`` included),
    the byte offset of its first instruction and the body size in bytes (after the size field)."""

    locals: list[tuple[int, int]]
    code: list[Instr]
    offset: int
    size: int
    num_locals: int = 0  # total number of declared locals (not counting params)

    def local_type(self, params: tuple[int, ...], index: int) -> int | None:
        """Type of local ``index`` (params first), or None when out of range."""
        if index < len(params):
            return params[index]
        index -= len(params)
        if index >= self.num_locals:
            return None
        ends = []
        total = 0
        for count, _t in self.locals:
            total += count
            ends.append(total)
        return self.locals[bisect_right(ends, index)][1]


@dataclass(slots=True)
class NameSection:
    """The name section: the module's name, function names and local names by function index."""

    module: str | None = None
    functions: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass(slots=True)
class Module:
    """A decoded module. Index spaces put imports first; the lists below hold definitions only."""

    # The type section: ``types[i]`` is the composite type of type index i (a FuncType for function
    # types, which is all the compiler and runtime read), ``subtypes[i]`` its Wasm 3.0 declaration
    # (finality and supertypes), ``rec_groups`` the recursive groups covering every index in order.
    types: list[FuncType] = field(default_factory=list)
    subtypes: list[SubType] = field(default_factory=list)
    rec_groups: list[RecGroup] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    funcs: list[int] = field(default_factory=list)
    tables: list[TableType] = field(default_factory=list)
    # the initialiser of each defined table (``None``: null of the element type), without ``end``
    table_inits: list[list[Instr] | None] = field(default_factory=list)
    memories: list[MemoryType] = field(default_factory=list)
    globals: list[Global] = field(default_factory=list)
    # Defined tags (exception handling): the type index of each; its type has no results.
    tags: list[int] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    start: int | None = None
    elems: list[ElemSegment] = field(default_factory=list)
    datas: list[DataSegment] = field(default_factory=list)
    data_count: int | None = None
    codes: list[FunctionBody] = field(default_factory=list)
    customs: list[tuple[str, bytes]] = field(default_factory=list)
    names: NameSection = field(default_factory=NameSection)
    # (section id, offset of its contents, size) in file order; custom sections have id 0.
    sections: list[tuple[int, int, int]] = field(default_factory=list)
    # the process-wide canonical id of every type index (jit.wasm.subtyping.canonical_ids), once made
    canonical: list[int] | None = None
    # whether a function body has a tail call (set by the decoder; None: unknown, the compiler scans)
    tail_calls: bool | None = None

    def _imported(self, kind: str) -> list[Import]:
        return [imp for imp in self.imports if imp.kind == kind]

    @property
    def num_imported_funcs(self) -> int:
        return sum(1 for imp in self.imports if imp.kind == "func")

    @property
    def num_imported_tables(self) -> int:
        return sum(1 for imp in self.imports if imp.kind == "table")

    @property
    def num_imported_memories(self) -> int:
        return sum(1 for imp in self.imports if imp.kind == "memory")

    @property
    def num_imported_globals(self) -> int:
        return sum(1 for imp in self.imports if imp.kind == "global")

    @property
    def num_imported_tags(self) -> int:
        return sum(1 for imp in self.imports if imp.kind == "tag")

    def all_tags(self) -> list[int]:
        """The type index of every tag in the index space (imports first)."""
        return [imp.desc for imp in self._imported("tag")] + list(self.tags)

    def tag_type(self, tagidx: int) -> FuncType:
        """The function type of tag ``tagidx`` (its parameters are the exception's payload)."""
        return self.types[self.all_tags()[tagidx]]

    def all_func_types(self) -> list[FuncType]:
        """The type of every function in the index space (imports first)."""
        types = self.types
        return [types[imp.desc] for imp in self._imported("func")] + [types[t] for t in self.funcs]

    def all_tables(self) -> list[TableType]:
        return [imp.desc for imp in self._imported("table")] + list(self.tables)

    def all_memories(self) -> list[MemoryType]:
        return [imp.desc for imp in self._imported("memory")] + list(self.memories)

    def all_globals(self) -> list[GlobalType]:
        return [imp.desc for imp in self._imported("global")] + [g.type for g in self.globals]

    def func_type(self, funcidx: int) -> FuncType:
        """Type of function ``funcidx`` in the whole index space (imports first)."""
        imported = self._imported("func")
        if funcidx < len(imported):
            return self.types[imported[funcidx].desc]
        return self.types[self.funcs[funcidx - len(imported)]]

    def table_type(self, i: int) -> TableType:
        imported = self._imported("table")
        return imported[i].desc if i < len(imported) else self.tables[i - len(imported)]

    def memory_type(self, i: int) -> MemoryType:
        imported = self._imported("memory")
        return imported[i].desc if i < len(imported) else self.memories[i - len(imported)]

    def global_type(self, i: int) -> GlobalType:
        imported = self._imported("global")
        return imported[i].desc if i < len(imported) else self.globals[i - len(imported)].type

    def func_name(self, funcidx: int) -> str | None:
        """The function's name from the name section, else its first export name, else None."""
        name = self.names.functions.get(funcidx)
        if name is not None:
            return name
        for exp in self.exports:
            if exp.kind == "func" and exp.index == funcidx:
                return exp.name
        return None


_SHORTHAND_BLOCK_TYPES: dict[int, FuncType] = {}
"""Block type immediate < 0 -> its (immutable) function type, made once."""


def block_type(module: Module, a: int) -> FuncType:
    """The function type of a block/loop/if whose ``a`` immediate is ``a`` (see BLOCK_EMPTY)."""
    if a >= 0:
        return module.types[a]
    ft = _SHORTHAND_BLOCK_TYPES.get(a)
    if ft is None:
        ft = FuncType((), ()) if a == BLOCK_EMPTY else FuncType((), (block_valtype(a),))
        _SHORTHAND_BLOCK_TYPES[a] = ft
    return ft
