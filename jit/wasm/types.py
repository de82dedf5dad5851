"""Plain data structures of a decoded WebAssembly module (the front end's output contract).

Value types are ints: their binary codes (``I32 = 0x7F`` ... ``EXTERNREF = 0x6F``). An instruction
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


VALTYPE_NAMES: dict[int, str] = {
    I32: "i32", I64: "i64", F32: "f32", F64: "f64", V128: "v128",
    FUNCREF: "funcref", EXTERNREF: "externref", EXNREF: "exnref",
}
_VALTYPE_BY_NAME = {name: code for code, name in VALTYPE_NAMES.items()}
NUM_TYPES = frozenset((I32, I64, F32, F64))
REF_TYPES = frozenset((FUNCREF, EXTERNREF, EXNREF))
VALTYPES = frozenset(VALTYPE_NAMES)

# Block types as stored in the ``a`` immediate of block/loop/if (the signed s33 value).
BLOCK_EMPTY = -64
BLOCK_I32, BLOCK_I64, BLOCK_F32, BLOCK_F64, BLOCK_V128 = -1, -2, -3, -4, -5
BLOCK_FUNCREF, BLOCK_EXTERNREF, BLOCK_EXNREF = -16, -17, -23
BLOCKTYPE_VALTYPE = {BLOCK_I32: I32, BLOCK_I64: I64, BLOCK_F32: F32, BLOCK_F64: F64, BLOCK_V128: V128,
                     BLOCK_FUNCREF: FUNCREF, BLOCK_EXTERNREF: EXTERNREF, BLOCK_EXNREF: EXNREF}
"""The single-result block types: s33 immediate -> value type."""
_BLOCKTYPE_VALTYPE = BLOCKTYPE_VALTYPE

Instr = tuple[int, Any, Any, int]


def valtype_name(t: int) -> str:
    """Text-format name of value type ``t`` ("i32", ...)."""
    return VALTYPE_NAMES.get(t, f"<type {t:#x}>")


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
class Limits:
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
    module: str | None = None
    functions: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)


@dataclass(slots=True)
class Module:
    """A decoded module. Index spaces put imports first; the lists below hold definitions only."""

    types: list[FuncType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    funcs: list[int] = field(default_factory=list)
    tables: list[TableType] = field(default_factory=list)
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


def block_type(module: Module, a: int) -> FuncType:
    """The function type of a block/loop/if whose ``a`` immediate is ``a`` (see BLOCK_EMPTY)."""
    if a >= 0:
        return module.types[a]
    if a == BLOCK_EMPTY:
        return FuncType((), ())
    return FuncType((), (_BLOCKTYPE_VALTYPE[a],))
