"""Binary decoder: bytes -> :class:`jit.wasm.types.Module` (well-formed, not yet validated).

Follows the spec's binary format for Wasm 2.0 and the reference interpreter's error texts:
lengths and counts larger than the bytes left raise "length out of bounds" before anything is
allocated, reads past the end raise "unexpected end of section or function", a section or body whose
contents do not end exactly at its declared size raises "section size mismatch". Function bodies are
decoded by one table-driven loop into plain ``(op, a, b, pos)`` tuples.

Resource limits (``jit.Limits``: ``max_module_bytes``, ``max_functions``, ``max_params`` for the
parameters and for the results of one type, ``max_locals`` for parameters + declared locals of one
function) are checked as soon as the count is read, before anything is allocated or expanded, and
raise :class:`FrontEndLimitError` (a ``jit.LimitError`` and a ``jit.CompileError``) naming the limit
and the byte offset. A count that the spec itself rejects ("too many locals", "length out of
bounds") keeps the spec's error. Otherwise only ``MalformedError`` escapes.
"""
from __future__ import annotations

import gc
from struct import error as StructError
from typing import TYPE_CHECKING

from ..abi.features import PROPOSAL_BY_KEY, Features, UnsupportedProposalError
from ..errors import CompileError, LimitError, MalformedError, ValidationError
from . import opcodes as O
from .leb import EOF_MESSAGE, read_signed, read_unsigned
from .names import parse_name_section
from .types import (
    ABSTRACT_HEAP_TYPES,
    EXNREF,
    EXTERNREF,
    FUNCREF,
    HEAP_INDEX,
    I32,
    I64,
    NULLEXNREF,
    PACKED_I8,
    PACKED_I16,
    VALTYPES,
    ArrayType,
    DataSegment,
    ElemSegment,
    Export,
    FieldType,
    FunctionBody,
    FuncType,
    Global,
    GlobalType,
    Import,
    Instr,
    Limits,
    MemoryType,
    Module,
    NameSection,
    RecGroup,
    StructType,
    SubType,
    TableType,
    make_ref,
)

if TYPE_CHECKING:
    from ..abi.limits import Limits as ResourceLimits

MAGIC = b"\0asm"
VERSION = b"\x01\0\0\0"

# Section ids in their required order (data count, 12, sits between element and code; tag, 13,
# between memory and global).
SECTION_ORDER = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}
SECTION_NAMES = {
    0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
    7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount", 13: "tag",
}
EXTERN_KINDS = ("func", "table", "memory", "global", "tag")
_EXCEPTIONS = PROPOSAL_BY_KEY["exceptions"].name
_EH_OPS = (0x08, 0x0A, 0x1F)      # throw, throw_ref, try_table
# The legacy exception-handling opcodes (not part of Wasm 3.0): refused by name.
_LEGACY_EH = {0x06: "try", 0x07: "catch", 0x09: "rethrow", 0x18: "delegate", 0x19: "catch_all"}
REFTYPES = (FUNCREF, EXTERNREF, EXNREF)
REF_FUNC = make_ref(FUNCREF, False)
MAX_LOCALS = 0xFFFFFFFF
DEFAULT_FEATURES = Features()

# Immediate-kind codes of the body decoder (small ints compare fastest).
# K_IDX covers every single u32 index immediate (local, global, label, function, table, type).
(K_NONE, K_IDX, K_I32, K_MEMARG, K_END, K_BLOCK, K_ELSE, K_I64, K_F32, K_F64, K_BR_TABLE,
 K_CALL_INDIRECT, K_MEMORY, K_SELECT_T, K_REFTYPE, K_PREFIX, K_ILLEGAL, K_TRY_TABLE,
 K_UNSUPPORTED_EH, K_UNSUPPORTED, K_TAIL_IDX, K_TAIL_CALL_INDIRECT) = range(22)
# The tail calls (return_call, return_call_ref: one index; return_call_indirect: two) have kinds of
# their own, so that the decoder notes that a module has one (``Module.tail_calls``) at no cost to
# the other instructions.
_TAIL_KINDS = {K_IDX: K_TAIL_IDX, K_CALL_INDIRECT: K_TAIL_CALL_INDIRECT}
_TAIL_CALL_OPS = (0x12, 0x13, 0x15)

_KIND_OF_IMM = {
    O.NONE: K_NONE, O.BLOCK: K_BLOCK, O.LABEL: K_IDX, O.BR_TABLE: K_BR_TABLE, O.FUNC: K_IDX,
    O.CALL_INDIRECT: K_CALL_INDIRECT, O.LOCAL: K_IDX, O.GLOBAL: K_IDX, O.TABLE: K_IDX,
    O.MEMARG: K_MEMARG, O.MEMORY: K_MEMORY, O.I32_CONST: K_I32, O.I64_CONST: K_I64,
    O.F32_CONST: K_F32, O.F64_CONST: K_F64, O.SELECT_T: K_SELECT_T, O.REFTYPE: K_REFTYPE,
    O.TYPE: K_IDX, O.TAG: K_IDX, O.TRY_TABLE: K_TRY_TABLE,
}
_PREFIXES = {0xFB: "gc", 0xFC: None, 0xFD: None}
# Opcodes of 3.0 proposals that have no row yet: recognised, and refused as their proposal.
_PROPOSAL_OF_UNKNOWN_OP = {0x15: "tail_call"}
_PROPOSAL_OF_UNKNOWN_PREFIXED = {(0xFD, sub): "relaxed_simd" for sub in range(0x100, 0x114)}
# Value types and heap types of a proposal (abstract heap type code -> Features key).
_HEAP_PROPOSAL = {code: "gc" for code in ABSTRACT_HEAP_TYPES if code not in (FUNCREF, EXTERNREF)}
_HEAP_PROPOSAL[EXNREF] = _HEAP_PROPOSAL[NULLEXNREF] = "exceptions"


class _Dialect:
    """What one ``Features`` lets the body decoder read: the kind of every single-byte opcode
    (K_UNSUPPORTED for the opcodes of a proposal that is off) and the refused prefixed opcodes."""

    __slots__ = ("features", "kinds", "refused", "proposal_of")

    def __init__(self, features: Features) -> None:
        self.features = features
        kinds = [K_ILLEGAL] * 256
        refused: dict[int, str] = {}
        for key, info in O.OPS.items():
            if info.proposal is not None and not features.allows(info.proposal):
                refused[key] = info.proposal
            if key <= 0xFF:
                kinds[key] = K_UNSUPPORTED if key in refused else _KIND_OF_IMM[info.imm]
        for op, key in _PROPOSAL_OF_UNKNOWN_OP.items():
            if kinds[op] == K_ILLEGAL:
                kinds[op] = K_UNSUPPORTED
                refused[op] = key
        kinds[0x0B] = K_END
        kinds[0x05] = K_ELSE
        for op in _TAIL_CALL_OPS:
            kinds[op] = _TAIL_KINDS.get(kinds[op], kinds[op])
        if not features.exceptions:      # Features(exceptions=False): the EH opcodes are refused
            for op in _EH_OPS:
                kinds[op] = K_UNSUPPORTED_EH
        for prefix, key in _PREFIXES.items():
            if key is None or features.allows(key):
                kinds[prefix] = K_PREFIX
            else:
                kinds[prefix] = K_UNSUPPORTED
                refused[prefix] = key
        self.kinds = kinds
        self.refused = refused

    def unsupported(self, key: int, pos: int) -> UnsupportedProposalError:
        return UnsupportedProposalError(self.refused[key], pos)


_DIALECTS: dict[Features, _Dialect] = {}


def _dialect(features: Features | None) -> _Dialect:
    features = features or DEFAULT_FEATURES
    d = _DIALECTS.get(features)
    if d is None:
        d = _DIALECTS[features] = _Dialect(features)
    return d


_KINDS = _dialect(None).kinds
_PREFIXED_IMM = {key: info.imm for key, info in O.OPS.items() if key > 0xFF}
_DATA_COUNT_OPS = (O.op_key("memory.init"), O.op_key("data.drop"))


def _fail(message: str, pos: int) -> MalformedError:
    return MalformedError(message, pos)


def read_heaptype(data: bytes, pos: int, features: Features) -> tuple[int, int]:
    """A heap type at ``pos``: an abstract code, or HEAP_INDEX | typeidx; returns (heap, new pos)."""
    b = data[pos]
    if b in ABSTRACT_HEAP_TYPES:
        key = _HEAP_PROPOSAL.get(b)
        if key is not None:
            features.require(key, pos)
        return b, pos + 1
    x, p = read_signed(data, pos, 33)
    if x < 0:
        raise _fail("malformed heap type", pos)
    return HEAP_INDEX | min(x, HEAP_INDEX - 1), p


def read_blocktype(data: bytes, pos: int, features: Features) -> tuple[int, int]:
    """(block type immediate, position after it) of the s33 block type at ``pos``: -64 for empty, a
    value type as ``t - 0x80`` (one byte) or ``-t`` (a general reference type), a type index as itself.
    The function body loop inlines the one-byte cases of ``block``/``loop``/``if`` and calls this for
    the rest; ``try_table`` calls it always."""
    b = data[pos]
    if b == 0x40:
        return -64, pos + 1
    if b in VALTYPES:
        return b - 0x80, pos + 1
    if 0x40 <= b < 0x80:             # a one-byte negative s33: a (GC) value type or malformed
        t, p = read_valtype(data, pos, features)
        return (t - 0x80 if t < 0x80 else -t), p
    a, p = read_signed(data, pos, 33)
    if a < 0:
        raise _fail("malformed value type", pos)
    return a, p


def read_valtype(data: bytes, pos: int, features: Features) -> tuple[int, int]:
    """A value type at ``pos`` (one-byte codes, ``(ref null? ht)``); returns (type, new pos)."""
    t = data[pos]
    if t in VALTYPES and t not in _HEAP_PROPOSAL:
        return t, pos + 1
    if t in ABSTRACT_HEAP_TYPES:
        return read_heaptype(data, pos, features)
    if t == 0x63 or t == 0x64:
        features.require("function_references", pos)
        h, p = read_heaptype(data, pos + 1, features)
        return make_ref(h, t == 0x63), p
    raise _fail("malformed value type", pos)


def read_reftype(data: bytes, pos: int, features: Features) -> tuple[int, int]:
    """A reference type at ``pos``; returns (type, new pos)."""
    t = data[pos]
    if t in ABSTRACT_HEAP_TYPES or t == 0x63 or t == 0x64:
        return read_valtype(data, pos, features)
    raise _fail("malformed reference type", pos)
def unsupported_proposal(key: str, pos: int) -> MalformedError:
    """The error for a module that uses proposal ``key`` (a ``jit.Features`` field) while it is off
    (a ``CompileError``; malformed for the binary format without the proposal)."""
    return MalformedError(f"unsupported proposal '{PROPOSAL_BY_KEY[key].name}'", pos)


# Limits flags (Wasm 3.0): bit 0 = a maximum follows, bit 2 = 64-bit address type (memory64/table64).
LIMITS_HAS_MAX = 0x01
LIMITS_64 = 0x04


def _read_memarg(data: bytes, pos: int, state: _BodyState | None) -> tuple[int, int, int]:
    """A memarg (general form): (``a`` = align exponent | memidx << shift, offset, new pos).

    With multiple memories, flags bit 6 says an explicit memory index follows and flags of 128 or
    more are malformed; without, the flags are the alignment exponent (one of 64 or more is never
    natural: it is kept as 63 for the validator to reject). With memory64 the offset is a u64
    (validation bounds it by the memory's address type), without a u32."""
    flags_pos = pos
    flags, pos = read_unsigned(data, pos, 32)
    if state is not None and not state.multi_memory:
        a = min(flags, 0x3F)
    else:
        if flags >= 0x80:
            raise _fail("malformed memop flags", flags_pos)
        a = flags & 0x3F
        if flags & 0x40:
            memidx, pos = read_unsigned(data, pos, 32)
            a |= memidx << O.MEMARG_MEMORY_SHIFT
    offset, pos = read_unsigned(data, pos, 32 if state is not None and not state.memory64 else 64)
    return a, offset, pos


def _read_memidx(data: bytes, pos: int, state: _BodyState | None) -> tuple[int, int]:
    """A memory index immediate (a zero byte without multiple memories); (index, new pos)."""
    if data[pos] == 0:
        return 0, pos + 1
    if state is not None and not state.multi_memory:
        raise _fail("zero byte expected", pos)
    return read_unsigned(data, pos, 32)


class FrontEndLimitError(LimitError, CompileError):
    """A ``jit.Limits`` field exceeded by a module: ``limit`` (field name), ``value``, ``maximum``,
    ``offset`` (byte offset of the count or size that exceeded it) and ``func_index`` if any.

    Both a ``jit.LimitError`` (a limit refused it) and a ``jit.CompileError`` (the module cannot be
    compiled), so callers that report bad modules (``wxjit validate``, the front-end fuzzer) need no
    extra case."""

    def __init__(self, limit: str, what: str, value: int, maximum: int, offset: int,
                 func_index: int | None = None) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        CompileError.__init__(self, f"{what}: {value} exceeds Limits.{limit} = {maximum}", offset, func_index)


class _Budget:
    """The compile-time fields of a ``jit.Limits`` with ``None`` (unlimited) as a huge number."""

    __slots__ = ("module_bytes", "functions", "params", "locals")

    def __init__(self, limits: ResourceLimits | None) -> None:
        big = 1 << 64
        if limits is None:
            self.module_bytes = self.functions = self.params = self.locals = big
            return
        self.module_bytes = _or(limits.max_module_bytes, big)
        self.functions = _or(limits.max_functions, big)
        self.params = _or(limits.max_params, big)
        self.locals = _or(limits.max_locals, big)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _read_prefixed(data: bytes, pos: int, prefix: int, dialect: _Dialect, state: _BodyState | None = None
                   ) -> tuple[int, object, object, int]:
    """Read a 0xFB / 0xFC / 0xFD instruction after its prefix byte; returns (key, a, b, new pos)."""
    sub_pos = pos
    b = data[pos]
    if b < 0x80:
        sub = b
        pos += 1
    else:
        sub, pos = read_unsigned(data, pos, 32)
    key = (prefix << 12) | sub
    imm = _PREFIXED_IMM.get(key) if sub <= 0xFFF else None
    if imm is None:
        proposal = _PROPOSAL_OF_UNKNOWN_PREFIXED.get((prefix, sub))
        if proposal is not None:
            raise UnsupportedProposalError(proposal, sub_pos - 1)
        raise _fail("illegal opcode", sub_pos - 1)
    if key in dialect.refused:
        raise dialect.unsupported(key, sub_pos - 1)
    a = b_ = None
    if imm == O.NONE:
        pass
    elif imm == O.MEMARG:
        a, b_, pos = _read_memarg(data, pos, state)
    elif imm == O.LANE:
        a = data[pos]
        pos += 1
    elif imm == O.MEMARG_LANE:
        a, off, pos = _read_memarg(data, pos, state)
        b_ = (off, data[pos])
        pos += 1
    elif imm == O.V128_CONST:
        if pos + 16 > len(data):
            raise IndexError
        a = int.from_bytes(data[pos:pos + 16], "little")
        pos += 16
    elif imm == O.SHUFFLE:
        if pos + 16 > len(data):
            raise IndexError
        a = data[pos:pos + 16]
        pos += 16
    elif imm in (O.TABLE, O.DATA, O.ELEM):
        a, pos = read_unsigned(data, pos, 32)
    elif imm == O.MEMORY:  # memory.fill
        a, pos = _read_memidx(data, pos, state)
    elif imm == O.MEMORY_INIT:
        a, pos = read_unsigned(data, pos, 32)
        b_, pos = _read_memidx(data, pos, state)
    elif imm == O.MEMORY_COPY:
        a, pos = _read_memidx(data, pos, state)
        b_, pos = _read_memidx(data, pos, state)
    elif imm in (O.TABLE_INIT, O.TABLE_COPY, O.TYPE_INDEX):
        a, pos = read_unsigned(data, pos, 32)
        b_, pos = read_unsigned(data, pos, 32)
    elif imm == O.TYPE:
        a, pos = read_unsigned(data, pos, 32)
    elif imm == O.HEAPTYPE:
        a, pos = read_heaptype(data, pos, dialect.features)
    elif imm == O.BR_ON_CAST:
        flags_pos = pos
        flags = data[pos]
        if flags & ~3:
            raise _fail("malformed br_on_cast flags", flags_pos)
        a, pos = read_unsigned(data, pos + 1, 32)
        h1, pos = read_heaptype(data, pos, dialect.features)
        h2, pos = read_heaptype(data, pos, dialect.features)
        b_ = (make_ref(h1, bool(flags & 1)), make_ref(h2, bool(flags & 2)))
    else:  # pragma: no cover - every immediate kind of the table is handled above
        raise AssertionError(imm)
    return key, a, b_, pos


def decode_expr(data: bytes, pos: int, state: _BodyState | None = None) -> tuple[list[Instr], int]:
    """Decode instructions from ``pos`` up to and including the matching final ``end``.

    Returns the instruction list (final ``end`` included) and the position after it. Reads past the
    end of ``data`` raise "unexpected end of section or function" (as IndexError, converted by the
    caller); the caller checks the end position against the declared size.
    """
    code: list[Instr] = []
    append = code.append
    dialect = state.dialect if state is not None else _dialect(None)
    kinds = dialect.kinds
    opens: list[int] = []  # opcode of each open block (0x05 once an if has seen its else)
    push_open = opens.append
    while True:
        op = data[pos]
        k = kinds[op]
        if k == K_NONE:
            append((op, None, None, pos))
            pos += 1
        elif k == K_IDX:
            b = data[pos + 1]
            if b < 0x80:
                append((op, b, None, pos))
                pos += 2
            else:
                a, p = read_unsigned(data, pos + 1, 32)
                append((op, a, None, pos))
                pos = p
        elif k == K_I32:
            b = data[pos + 1]
            if b < 0x40:
                append((op, b, None, pos))
                pos += 2
            elif b < 0x80:
                append((op, b - 0x80, None, pos))
                pos += 2
            else:
                a, p = read_signed(data, pos + 1, 32)
                append((op, a, None, pos))
                pos = p
        elif k == K_MEMARG:
            a = data[pos + 1]
            b = data[pos + 2]
            if a < 0x40 and b < 0x80:
                append((op, a, b, pos))
                pos += 3
            else:
                a, b, p = _read_memarg(data, pos + 1, state)
                append((op, a, b, pos))
                pos = p
        elif k == K_END:
            append((op, None, None, pos))
            pos += 1
            if not opens:
                return code, pos
            opens.pop()
        elif k == K_BLOCK:
            b = data[pos + 1]
            if b == 0x40:
                a = -64
                p = pos + 2
            elif b in VALTYPES:
                a = b - 0x80
                p = pos + 2
            else:
                a, p = read_blocktype(data, pos + 1, dialect.features)
            append((op, a, None, pos))
            push_open(op)
            pos = p
        elif k == K_ELSE:
            if not opens or opens[-1] != 0x04:
                raise _fail("END opcode expected", pos)
            opens[-1] = 0x05
            append((op, None, None, pos))
            pos += 1
        elif k == K_I64:
            a, p = read_signed(data, pos + 1, 64)
            append((op, a, None, pos))
            pos = p
        elif k == K_F32:
            if pos + 5 > len(data):
                raise IndexError
            append((op, int.from_bytes(data[pos + 1:pos + 5], "little"), None, pos))
            pos += 5
        elif k == K_F64:
            if pos + 9 > len(data):
                raise IndexError
            append((op, int.from_bytes(data[pos + 1:pos + 9], "little"), None, pos))
            pos += 9
        elif k == K_BR_TABLE:
            n, p = read_unsigned(data, pos + 1, 32)
            if n > len(data) - p:
                raise _fail("length out of bounds", pos + 1)
            targets = []
            for _ in range(n):
                b = data[p]
                if b < 0x80:
                    targets.append(b)
                    p += 1
                else:
                    t, p = read_unsigned(data, p, 32)
                    targets.append(t)
            default, p = read_unsigned(data, p, 32)
            append((op, tuple(targets), default, pos))
            pos = p
        elif k == K_CALL_INDIRECT:
            a, p = read_unsigned(data, pos + 1, 32)
            b, p = read_unsigned(data, p, 32)
            append((op, a, b, pos))
            pos = p
        elif k == K_MEMORY:
            if data[pos + 1] == 0:
                append((op, 0, None, pos))
                pos += 2
            else:
                a, p = _read_memidx(data, pos + 1, state)
                append((op, a, None, pos))
                pos = p
        elif k == K_SELECT_T:
            n, p = read_unsigned(data, pos + 1, 32)
            if n > len(data) - p:
                raise _fail("length out of bounds", pos + 1)
            types = []
            for _ in range(n):
                t, p = read_valtype(data, p, dialect.features)
                types.append(t)
            append((op, types[0] if n == 1 else tuple(types), None, pos))
            pos = p
        elif k == K_REFTYPE:      # ref.null: a = the nullable reference type of its heap type
            h, p = read_heaptype(data, pos + 1, dialect.features)
            if h & HEAP_INDEX:
                dialect.features.require("function_references", pos + 1)
            append((op, make_ref(h, True), None, pos))
            pos = p
        elif k == K_TRY_TABLE:
            a, p = read_blocktype(data, pos + 1, dialect.features)
            n, p = read_unsigned(data, p, 32)
            if n > len(data) - p:
                raise _fail("length out of bounds", p)
            catches = []
            for _ in range(n):
                kind = data[p]
                if kind > 3:
                    raise _fail("malformed catch clause", p)
                p += 1
                tag = None
                if kind < 2:       # catch / catch_ref name a tag
                    tag, p = read_unsigned(data, p, 32)
                label, p = read_unsigned(data, p, 32)
                catches.append((kind, tag, label))
            append((op, a, tuple(catches), pos))
            push_open(op)
            pos = p
        elif k == K_UNSUPPORTED_EH:
            raise _fail(f"illegal opcode (unsupported proposal '{_EXCEPTIONS}')", pos)
        elif k == K_PREFIX:
            key, a, b, p = _read_prefixed(data, pos + 1, op, dialect, state)
            if state is not None and key in _DATA_COUNT_OPS:
                state.uses_data_count = True
            append((key, a, b, pos))
            pos = p
        elif k == K_UNSUPPORTED:
            raise dialect.unsupported(op, pos)
        elif k == K_TAIL_IDX or k == K_TAIL_CALL_INDIRECT:
            if state is not None:
                state.tail_calls = True
            a, p = read_unsigned(data, pos + 1, 32)
            b = None
            if k == K_TAIL_CALL_INDIRECT:
                b, p = read_unsigned(data, p, 32)
            append((op, a, b, pos))
            pos = p
        elif op in _LEGACY_EH:
            raise _fail(f"legacy exception handling instruction '{_LEGACY_EH[op]}' is not supported "
                        "(only the Wasm 3.0 try_table/throw_ref form; see docs/exceptions.md)", pos)
        else:
            raise _fail("illegal opcode", pos)


class _BodyState:
    """Facts the module decoder learns from function bodies (whether they use the data count), the
    dialect the enabled proposals allow (opcode kinds), and the enabled proposals that change how
    bodies are read (multiple memories, memory64)."""

    __slots__ = ("uses_data_count", "tail_calls", "dialect", "kinds", "multi_memory", "memory64")

    def __init__(self, features: Features | None = None) -> None:
        self.uses_data_count = False
        self.tail_calls = False
        self.dialect = _dialect(features)
        self.kinds = self.dialect.kinds
        self.multi_memory = features is None or features.multi_memory
        self.memory64 = features is None or features.memory64


class _Decoder:
    """Module-level reader over ``data`` (not hot: one method call per field is fine)."""

    def __init__(self, data: bytes, budget: _Budget, features: Features | None = None) -> None:
        self.data = data
        self.pos = 0
        self.module = Module()
        self.budget = budget
        self.features = features if features is not None else Features()
        self.num_func_imports = 0
        self.features = features or DEFAULT_FEATURES
        self.body_state = _BodyState(self.features)
        self.exceptions = self.features.exceptions
        self.num_memories = 0

    def require_exceptions(self, pos: int, what: str) -> None:
        """Features(exceptions=False): the tag section and tag imports/exports are what they are to a
        decoder without the proposal (``what``: its Wasm 2.0 error), naming the proposal."""
        if not self.exceptions:
            raise _fail(f"{what} (unsupported proposal '{_EXCEPTIONS}')", pos)

    # -- primitives ---------------------------------------------------------------------------
    def byte(self) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise _fail(EOF_MESSAGE, pos)
        self.pos = pos + 1
        return self.data[pos]

    def u32(self) -> int:
        value, self.pos = read_unsigned(self.data, self.pos, 32)
        return value

    def length(self) -> int:
        """A u32 size or name length that must not exceed the bytes left ("length out of bounds")."""
        start = self.pos
        n = self.u32()
        if n > len(self.data) - self.pos:
            raise _fail("length out of bounds", start)
        return n

    def count(self) -> int:
        """A u32 vector count; every element takes at least one byte, so a count larger than the
        bytes left fails here, before anything is allocated."""
        n = self.u32()
        if n > len(self.data) - self.pos:
            raise _fail(EOF_MESSAGE, len(self.data))
        return n

    def raw(self, n: int) -> bytes:
        pos = self.pos
        if n > len(self.data) - pos:
            raise _fail(EOF_MESSAGE, len(self.data))
        self.pos = pos + n
        return self.data[pos:pos + n]

    def name(self) -> str:
        n = self.length()
        start = self.pos
        raw = self.raw(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _fail("malformed UTF-8 encoding", start) from None

    def valtype(self) -> int:
        pos = self.pos
        if pos >= len(self.data):
            raise _fail(EOF_MESSAGE, pos)
        t = self.data[pos]
        if t in VALTYPES and t not in _HEAP_PROPOSAL:
            self.pos = pos + 1
            return t
        t, self.pos = read_valtype(self.data, pos, self.features)
        return t

    def reftype(self) -> int:
        if self.pos >= len(self.data):
            raise _fail(EOF_MESSAGE, self.pos)
        t, self.pos = read_reftype(self.data, self.pos, self.features)
        return t

    def storage_type(self) -> int:
        pos = self.pos
        if pos < len(self.data) and self.data[pos] in (PACKED_I8, PACKED_I16):
            self.pos = pos + 1
            return self.data[pos]
        return self.valtype()

    def field_type(self) -> FieldType:
        t = self.storage_type()
        return FieldType(t, self.mutability())

    def mutability(self) -> bool:
        pos = self.pos
        mut = self.byte()
        if mut > 1:
            raise _fail("malformed mutability", pos)
        return bool(mut)

    def flag_byte(self) -> int:
        """A flag or form byte, which the spec encodes as a one-byte LEB128 integer."""
        pos = self.pos
        b = self.byte()
        if b >= 0x80:
            raise _fail("integer representation too long", pos)
        return b

    def limits(self) -> tuple[Limits, int]:
        """Limits and their address type: flags 0/1 (i32, u32 bounds), 4/5 (i64, u64 bounds)."""
        pos = self.pos
        flags = self.flag_byte()
        if flags & ~(LIMITS_HAS_MAX | LIMITS_64):
            raise _fail("integer too large", pos)
        bits = 32
        if flags & LIMITS_64:
            if not self.features.memory64:
                raise unsupported_proposal("memory64", pos)
            bits = 64
        lo, self.pos = read_unsigned(self.data, self.pos, bits)
        hi = None
        if flags & LIMITS_HAS_MAX:
            hi, self.pos = read_unsigned(self.data, self.pos, bits)
        return Limits(lo, hi), I64 if flags & LIMITS_64 else I32

    def table_type(self) -> TableType:
        elem = self.reftype()
        limits, address_type = self.limits()
        return TableType(elem, limits, address_type)

    def memory_type(self) -> MemoryType:
        pos = self.pos
        self.num_memories += 1
        if self.num_memories > 1 and not self.features.multi_memory:
            # invalid in Wasm 2.0 (a validation rule), found here before any memory index is read
            raise ValidationError(f"unsupported proposal '{PROPOSAL_BY_KEY['multi_memory'].name}'", pos)
        limits, address_type = self.limits()
        return MemoryType(limits, address_type)

    def global_type(self) -> GlobalType:
        t = self.valtype()
        return GlobalType(t, self.mutability())

    def const_expr(self) -> list[Instr]:
        code, self.pos = decode_expr(self.data, self.pos, self.body_state)
        code.pop()  # the final end
        return code

    # -- module -------------------------------------------------------------------------------
    def decode(self) -> Module:
        data = self.data
        if len(data) < 4:
            raise _fail("unexpected end", len(data))
        if data[:4] != MAGIC:
            raise _fail("magic header not detected", 0)
        if len(data) < 8:
            raise _fail("unexpected end", len(data))
        if data[4:8] != VERSION:
            raise _fail("unknown binary version", 4)
        self.pos = 8
        m = self.module
        last = 0
        func_count: int | None = None
        code_count: int | None = None
        data_seen = False
        while self.pos < len(data):
            id_pos = self.pos
            sid = self.byte()
            if sid > 13:
                raise _fail("malformed section id", id_pos)
            if sid == 13:
                self.require_exceptions(id_pos, "malformed section id")
            size = self.length()
            start = self.pos
            m.sections.append((sid, start, size))
            if sid == 0:
                self._custom(start + size)
            else:
                order = SECTION_ORDER[sid]
                if order <= last:
                    raise _fail("unexpected content after last section", id_pos)
                last = order
                if sid == 3:
                    func_count = self._section(sid)
                elif sid == 10:
                    if func_count is None and self._peek_count() > 0:
                        raise _fail("function and code section have inconsistent lengths", start)
                    code_count = self._code(func_count or 0)
                elif sid == 11:
                    data_seen = True
                    self._section(sid)
                else:
                    self._section(sid)
            if self.pos != start + size:
                raise _fail("section size mismatch", start)
        if (func_count or 0) != (code_count or 0):
            raise _fail("function and code section have inconsistent lengths", len(data))
        if m.data_count is not None and m.data_count != len(m.datas):
            raise _fail("data count and data section have inconsistent lengths", len(data))
        if data_seen and m.datas and m.data_count is None and self.body_state.uses_data_count:
            raise _fail("data count section required", len(data))
        self._names()
        m.tail_calls = self.body_state.tail_calls
        return m

    def _peek_count(self) -> int:
        save = self.pos
        n = self.u32()
        self.pos = save
        return n

    def _custom(self, end: int) -> None:
        name = self.name()
        if self.pos > end:
            raise _fail(EOF_MESSAGE, end)
        self.module.customs.append((name, self.data[self.pos:end]))
        self.pos = end

    def _names(self) -> None:
        names = NameSection()
        for name, payload in self.module.customs:
            if name == "name":
                names = parse_name_section(payload)
                break
        self.module.names = names

    def _section(self, sid: int) -> int | None:
        m = self.module
        if sid == 12:
            m.data_count = self.u32()
            return None
        if sid == 8:
            m.start = self.u32()
            return None
        count_pos = self.pos
        n = self.count()
        if sid == 3:
            total = self.num_func_imports + n
            if total > self.budget.functions:
                raise FrontEndLimitError("max_functions", "functions (imported + defined)", total,
                                         self.budget.functions, count_pos)
        if sid == 3:                             # type indices below 128: one byte each
            data = self.data
            pos = self.pos
            run = data[pos:pos + n]
            if len(run) == n and max(run, default=0) < 0x80:
                self.module.funcs.extend(run)
                self.pos = pos + n
                return n
        reader = self._READERS[sid]
        for _ in range(n):
            reader(self)
        return n

    def _type(self) -> None:
        """One recursive type group: ``0x4E vec(subtype)`` or a single subtype."""
        m = self.module
        pos = self.pos
        if pos < len(self.data) and self.data[pos] == 0x4E:
            self.features.require("gc", pos)
            self.pos += 1
            start = len(m.types)
            n = self.count()
            for _ in range(n):
                self._subtype()
            m.rec_groups.append(RecGroup(start, n))
        else:
            m.rec_groups.append(RecGroup(len(m.types), 1))
            self._subtype()

    def _subtype(self) -> None:
        pos = self.pos
        form = self.flag_byte()
        final = True
        supers: tuple[int, ...] = ()
        if form == 0x50 or form == 0x4F:
            self.features.require("gc", pos)
            final = form == 0x4F
            supers = tuple(self.u32() for _ in range(self.count()))
            pos = self.pos
            form = self.flag_byte()
        if form == 0x60:
            params = tuple(self.valtype() for _ in range(self._arity("parameters")))
            results = tuple(self.valtype() for _ in range(self._arity("results")))
            comp: FuncType | StructType | ArrayType = FuncType(params, results)
        elif form == 0x5F:
            self.features.require("gc", pos)
            comp = StructType(tuple(self.field_type() for _ in range(self.count())))
        elif form == 0x5E:
            self.features.require("gc", pos)
            comp = ArrayType(self.field_type())
        else:
            raise _fail("malformed functype" if form < 0x4E or form > 0x60 else "malformed definition type",
                        pos)
        self.module.types.append(comp)
        self.module.subtypes.append(SubType(comp, final, supers))

    def _arity(self, what: str) -> int:
        pos = self.pos
        n = self.count()
        if n > self.budget.params:
            raise FrontEndLimitError("max_params", f"{what} of type {len(self.module.types)}", n,
                                     self.budget.params, pos)
        return n

    def _import(self) -> None:
        module = self.name()
        name = self.name()
        pos = self.pos
        kind = self.byte()
        desc: object
        if kind == 0:
            desc = self.u32()
            self.num_func_imports += 1
            if self.num_func_imports > self.budget.functions:
                raise FrontEndLimitError("max_functions", "imported functions", self.num_func_imports,
                                         self.budget.functions, pos)
        elif kind == 1:
            desc = self.table_type()
        elif kind == 2:
            desc = self.memory_type()
        elif kind == 3:
            desc = self.global_type()
        elif kind == 4:
            self.require_exceptions(pos, "malformed import kind")
            desc = self.tag_type()
        else:
            raise _fail("malformed import kind", pos)
        self.module.imports.append(Import(module, name, EXTERN_KINDS[kind], desc))

    def _function(self) -> None:
        self.module.funcs.append(self.u32())

    def _table(self) -> None:
        pos = self.pos
        init = None
        if pos < len(self.data) and self.data[pos] == 0x40:   # 0x40 0x00 tabletype expr
            self.features.require("function_references", pos)
            self.pos += 1
            zpos = self.pos
            if self.byte() != 0:
                raise _fail("malformed table", zpos)
            tt = self.table_type()
            init = self.const_expr()
        else:
            tt = self.table_type()
        self.module.tables.append(tt)
        self.module.table_inits.append(init)

    def _memory(self) -> None:
        self.module.memories.append(self.memory_type())

    def tag_type(self) -> int:
        """A tag type: the attribute byte (0, exception) and the type index of its signature."""
        pos = self.pos
        if self.byte() != 0:
            raise _fail("malformed tag attribute", pos)
        return self.u32()

    def _tag(self) -> None:
        self.module.tags.append(self.tag_type())

    def _global(self) -> None:
        gt = self.global_type()
        self.module.globals.append(Global(gt, self.const_expr()))

    def _export(self) -> None:
        name = self.name()
        pos = self.pos
        kind = self.byte()
        if kind > 4:
            raise _fail("malformed export kind", pos)
        if kind == 4:
            self.require_exceptions(pos, "malformed export kind")
        self.module.exports.append(Export(name, EXTERN_KINDS[kind], self.u32()))

    def _elem(self) -> None:
        pos = self.pos
        flags = self.u32()
        if flags > 7:
            raise _fail("malformed elements segment kind", pos)
        mode = "passive" if flags & 1 else "active"
        if flags & 3 == 3:
            mode = "declarative"
        table = self.u32() if flags & 3 == 2 else 0
        offset = self.const_expr() if mode == "active" else None
        ref_func = 0xD2
        if flags & 4:  # element expressions
            elemtype = self.reftype() if flags & 3 else FUNCREF
            init = [self.const_expr() for _ in range(self.count())]
        else:  # function indices: (ref func)
            if flags & 3:
                kpos = self.pos
                if self.byte() != 0x00:
                    raise _fail("malformed element kind", kpos)
            elemtype = REF_FUNC
            init = []
            for _ in range(self.count()):
                ipos = self.pos
                init.append([(ref_func, self.u32(), None, ipos)])
        self.module.elems.append(ElemSegment(mode, table, offset, elemtype, init))

    def _data(self) -> None:
        pos = self.pos
        flags = self.u32()
        if flags > 2:
            raise _fail("malformed data segment kind", pos)
        memory = self.u32() if flags == 2 else 0
        offset = None if flags == 1 else self.const_expr()
        payload = self.raw(self.u32())
        self.module.datas.append(DataSegment("passive" if flags == 1 else "active", memory, offset, payload))

    def _code(self, func_count: int) -> int:
        n = self.count()
        if n != func_count:
            raise _fail("function and code section have inconsistent lengths", self.pos)
        data = self.data
        end_of_data = len(data)
        m = self.module
        codes = m.codes
        append_body = codes.append
        state = self.body_state
        max_locals = self.budget.locals
        # parameters + locals only need counting when a function's locals come near the budget
        max_params = max((len(t.params) for t in m.types if isinstance(t, FuncType)), default=0)
        locals_fit = max_locals - max_params
        for i in range(n):
            pos = self.pos
            size = data[pos] if pos < end_of_data else 0x80
            if size < 0x80 and size < end_of_data - pos:     # one-byte size (small functions)
                body_start = pos + 1
                nruns = data[body_start] if body_start < end_of_data else 0x80
            else:
                size = self.length()
                body_start = self.pos
                nruns = 0x80
            if nruns == 0:                                  # no locals: the common small function
                code_start = body_start + 1
                runs: list[tuple[int, int]] = []
                total = 0
            else:
                self.pos = body_start
                runs = []
                total = 0
                for _ in range(self.count()):
                    count = self.u32()
                    total += count
                    if total > MAX_LOCALS:
                        raise _fail("too many locals", body_start)
                    runs.append((count, self.valtype()))
                code_start = self.pos
            if total > locals_fit:
                nparams = self._num_params(i)
                if total + nparams > max_locals:       # after the spec's own check
                    raise FrontEndLimitError("max_locals", "parameters + locals", nparams + total,
                                             max_locals, body_start, self.num_func_imports + i)
            code, pos = decode_expr(data, code_start, state)
            if pos != body_start + size:
                raise _fail("section size mismatch", body_start)
            self.pos = pos
            append_body(FunctionBody(runs, code, code_start, size, total))
        return n

    def _num_params(self, i: int) -> int:
        """Parameters of defined function ``i`` (0 if its type index is invalid: validation says so)."""
        m = self.module
        t = m.funcs[i] if i < len(m.funcs) else -1
        ft = m.types[t] if 0 <= t < len(m.types) else None
        return len(ft.params) if isinstance(ft, FuncType) else 0

    _READERS = {1: _type, 2: _import, 3: _function, 4: _table, 5: _memory, 6: _global, 7: _export,
                9: _elem, 11: _data, 13: _tag}


def decode(data: bytes | bytearray | memoryview, limits: ResourceLimits | None = None,
           features: Features | None = None) -> Module:
    """Decode a binary module. Raises MalformedError (with the byte offset) on any bad input.

    ``limits`` is a ``jit.Limits`` whose compile-time fields raise :class:`FrontEndLimitError` (a
    ``jit.LimitError``) when exceeded. ``None`` (the default here) checks only the spec's own limits:
    ``decode`` alone is the spec's decoder; ``validate`` and ``jit.Module`` apply ``jit.Limits()``.
    ``features`` (a ``jit.Features``, default ``Features()``): a construct of a proposal it does not
    allow raises ``UnsupportedProposalError`` ("unsupported proposal '...'", a ``CompileError``).

    The cyclic garbage collector is paused while decoding: the millions of instruction tuples
    of a large module hold no cycles, and collections triggered by their allocation would make
    decoding time grow faster than linearly with module size.
    """
    budget = _Budget(limits)
    if len(data) > budget.module_bytes:
        raise FrontEndLimitError("max_module_bytes", "module size in bytes", len(data),
                                 budget.module_bytes, budget.module_bytes)
    data = bytes(data)
    decoder = _Decoder(data, budget, features)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        module = decoder.decode()
        if features is not None and not (features.relaxed_simd and features.extended_const
                                         and features.tail_call):
            from .features import refuse_disabled
            refuse_disabled(module, features)
        return module
    except IndexError:
        raise MalformedError(EOF_MESSAGE, len(data)) from None
    except (StructError, OverflowError, MemoryError, RecursionError) as exc:  # defensive
        raise MalformedError(f"malformed module: {exc}", decoder.pos) from None
    finally:
        if gc_was_enabled:
            gc.enable()
