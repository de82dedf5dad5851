"""The one opcode table of wxjit: a row per Wasm instruction (2.0, and the 3.0 proposals by name).

Each row gives the key (the byte for single-byte opcodes, ``0xFC000 | sub`` / ``0xFD000 | sub`` for
the prefixed ones), the text-format name, the immediate kind (how the decoder reads it and what the
``a``/``b`` fields of an instruction tuple hold) and the stack signature ``params > results`` where it
is fixed (``None`` for the instructions the validator types specially). Rows of a post-2.0 proposal
carry its ``jit.abi.features`` key (``OpInfo.proposal``). Memory instructions also carry
their natural alignment (log2 of the access size) and lane instructions their lane count. The decoder,
validator, compiler and disassembler all read this table; adding an instruction is one row.

Signature letters: ``i`` i32, ``l`` i64, ``f`` f32, ``d`` f64, ``v`` v128.

Address types (multiple memories, memory64, table64): the signatures are written for 32-bit
memories. For a memory access (``MEMARG``/``MEMARG_LANE``) the first parameter is the address and
takes the address type (i32 or i64) of the memory the memarg names; the memory.* and table.*
instructions, ``call_indirect`` and segment offsets are typed by the validator from the address
types of the memories and tables they name. A memarg's ``a`` packs the memory index above the
alignment exponent (``memarg_align(a)``, ``memarg_memory(a)``): for memory 0 it is the exponent.
"""
from __future__ import annotations

from dataclasses import dataclass

from .types import F32, F64, I32, I64, V128

# Immediate kinds (a, b as stored in an instruction tuple).
NONE = "none"                  # -
BLOCK = "blocktype"            # a = s33 block type
LABEL = "label"                # a = depth
BR_TABLE = "br_table"          # a = tuple of depths, b = default depth
FUNC = "func"                  # a = funcidx
CALL_INDIRECT = "call_indirect"  # a = typeidx, b = tableidx
LOCAL = "local"                # a = localidx
GLOBAL = "global"              # a = globalidx
TABLE = "table"                # a = tableidx
MEMARG = "memarg"              # a = align exponent | memidx << MEMARG_MEMORY_SHIFT, b = offset (u64)
MEMORY = "memory"              # a = memidx (a zero byte in 2.0)
I32_CONST = "i32"              # a = signed value
I64_CONST = "i64"              # a = signed value
F32_CONST = "f32"              # a = raw bits
F64_CONST = "f64"              # a = raw bits
SELECT_T = "select_t"          # a = value type (a tuple when the vector length is not 1: invalid)
REFTYPE = "reftype"            # a = ref type
MEMORY_INIT = "memory_init"    # a = dataidx, b = memidx
DATA = "data"                  # a = dataidx
MEMORY_COPY = "memory_copy"    # a = dst memidx, b = src memidx
TABLE_INIT = "table_init"      # a = elemidx, b = tableidx
ELEM = "elem"                  # a = elemidx
TABLE_COPY = "table_copy"      # a = dst tableidx, b = src tableidx
V128_CONST = "v128"            # a = 128-bit unsigned int (little-endian bytes)
SHUFFLE = "shuffle"            # a = bytes(16)
LANE = "lane"                  # a = lane index
MEMARG_LANE = "memarg_lane"    # a = align | memidx << MEMARG_MEMORY_SHIFT, b = (offset, lane)
TYPE = "type"                  # a = typeidx (call_ref, struct.new, array.get, ...)
TYPE_INDEX = "type_index"      # a = typeidx, b = a second u32 (struct field, array.new_fixed count,
                               #     data/elem segment, or the source array type of array.copy)
HEAPTYPE = "heaptype"          # a = heap type (abstract code or HEAP_INDEX | typeidx)
BR_ON_CAST = "br_on_cast"      # a = label depth, b = (source ref type, target ref type)
TAG = "tag"                    # a = tagidx (exception handling)
TRY_TABLE = "try_table"        # a = s33 block type, b = tuple of catch clauses (kind, tagidx|None, label)

# try_table catch clause kinds (the byte before the clause's immediates)
CATCH, CATCH_REF, CATCH_ALL, CATCH_ALL_REF = 0, 1, 2, 3

MEMARG_MEMORY_SHIFT = 6        # a memarg's ``a``: alignment exponent in the low 6 bits, memidx above


def memarg_align(a: int) -> int:
    """The alignment exponent of a memarg's ``a`` immediate."""
    return a & ((1 << MEMARG_MEMORY_SHIFT) - 1)


def memarg_memory(a: int) -> int:
    """The memory index of a memarg's ``a`` immediate (0 unless the memarg named another memory)."""
    return a >> MEMARG_MEMORY_SHIFT


_SIG_LETTERS = {"i": I32, "l": I64, "f": F32, "d": F64, "v": V128}


@dataclass(frozen=True, slots=True)
class OpInfo:
    """One instruction: its key, name, immediate kind and fixed stack signature (or None)."""

    key: int
    name: str
    imm: str
    params: tuple[int, ...] | None
    results: tuple[int, ...] | None
    align: int | None = None   # natural alignment (log2 bytes) of memory accesses
    lanes: int | None = None   # number of lanes addressed by a lane immediate
    proposal: str | None = None  # the jit.abi.features key of the post-2.0 proposal bringing it

    @property
    def prefix(self) -> int | None:
        """0xFC / 0xFD for prefixed opcodes, None for single-byte ones."""
        return self.key >> 12 if self.key > 0xFF else None

    @property
    def encoding(self) -> bytes:
        """The opcode bytes (prefix + LEB sub-opcode, or the single byte)."""
        if self.key <= 0xFF:
            return bytes([self.key])
        sub = self.key & 0xFFF
        out = bytearray([self.key >> 12])
        while True:
            b = sub & 0x7F
            sub >>= 7
            out.append(b | 0x80 if sub else b)
            if not sub:
                return bytes(out)


# (key, name, immediate kind, signature "params>results" or None, align or lanes)
# MVP, sign extension, reference types, typed select.
_ROWS: list[tuple] = [
    (0x00, "unreachable", NONE, None),
    (0x01, "nop", NONE, ">"),
    (0x02, "block", BLOCK, None),
    (0x03, "loop", BLOCK, None),
    (0x04, "if", BLOCK, None),
    (0x05, "else", NONE, None),
    (0x08, "throw", TAG, None),            # exception handling (docs/exceptions.md)
    (0x0A, "throw_ref", NONE, None),
    (0x0B, "end", NONE, None),
    (0x0C, "br", LABEL, None),
    (0x0D, "br_if", LABEL, None),
    (0x0E, "br_table", BR_TABLE, None),
    (0x0F, "return", NONE, None),
    (0x10, "call", FUNC, None),
    (0x11, "call_indirect", CALL_INDIRECT, None),
    (0x12, "return_call", FUNC, None),                    # tail calls
    (0x13, "return_call_indirect", CALL_INDIRECT, None),  # tail calls
    (0x1A, "drop", NONE, None),
    (0x1B, "select", NONE, None),
    (0x1C, "select", SELECT_T, None),  # typed select; OPS_BY_NAME maps "select" to 0x1B
    (0x1F, "try_table", TRY_TABLE, None),
    (0x20, "local.get", LOCAL, None),
    (0x21, "local.set", LOCAL, None),
    (0x22, "local.tee", LOCAL, None),
    (0x23, "global.get", GLOBAL, None),
    (0x24, "global.set", GLOBAL, None),
    (0x25, "table.get", TABLE, None),
    (0x26, "table.set", TABLE, None),
    (0x28, "i32.load", MEMARG, "i>i", 2),
    (0x29, "i64.load", MEMARG, "i>l", 3),
    (0x2A, "f32.load", MEMARG, "i>f", 2),
    (0x2B, "f64.load", MEMARG, "i>d", 3),
    (0x2C, "i32.load8_s", MEMARG, "i>i", 0),
    (0x2D, "i32.load8_u", MEMARG, "i>i", 0),
    (0x2E, "i32.load16_s", MEMARG, "i>i", 1),
    (0x2F, "i32.load16_u", MEMARG, "i>i", 1),
    (0x30, "i64.load8_s", MEMARG, "i>l", 0),
    (0x31, "i64.load8_u", MEMARG, "i>l", 0),
    (0x32, "i64.load16_s", MEMARG, "i>l", 1),
    (0x33, "i64.load16_u", MEMARG, "i>l", 1),
    (0x34, "i64.load32_s", MEMARG, "i>l", 2),
    (0x35, "i64.load32_u", MEMARG, "i>l", 2),
    (0x36, "i32.store", MEMARG, "ii>", 2),
    (0x37, "i64.store", MEMARG, "il>", 3),
    (0x38, "f32.store", MEMARG, "if>", 2),
    (0x39, "f64.store", MEMARG, "id>", 3),
    (0x3A, "i32.store8", MEMARG, "ii>", 0),
    (0x3B, "i32.store16", MEMARG, "ii>", 1),
    (0x3C, "i64.store8", MEMARG, "il>", 0),
    (0x3D, "i64.store16", MEMARG, "il>", 1),
    (0x3E, "i64.store32", MEMARG, "il>", 2),
    (0x3F, "memory.size", MEMORY, ">i"),
    (0x40, "memory.grow", MEMORY, "i>i"),
    (0x41, "i32.const", I32_CONST, ">i"),
    (0x42, "i64.const", I64_CONST, ">l"),
    (0x43, "f32.const", F32_CONST, ">f"),
    (0x44, "f64.const", F64_CONST, ">d"),
    (0x45, "i32.eqz", NONE, "i>i"),
    (0x46, "i32.eq", NONE, "ii>i"),
    (0x47, "i32.ne", NONE, "ii>i"),
    (0x48, "i32.lt_s", NONE, "ii>i"),
    (0x49, "i32.lt_u", NONE, "ii>i"),
    (0x4A, "i32.gt_s", NONE, "ii>i"),
    (0x4B, "i32.gt_u", NONE, "ii>i"),
    (0x4C, "i32.le_s", NONE, "ii>i"),
    (0x4D, "i32.le_u", NONE, "ii>i"),
    (0x4E, "i32.ge_s", NONE, "ii>i"),
    (0x4F, "i32.ge_u", NONE, "ii>i"),
    (0x50, "i64.eqz", NONE, "l>i"),
    (0x51, "i64.eq", NONE, "ll>i"),
    (0x52, "i64.ne", NONE, "ll>i"),
    (0x53, "i64.lt_s", NONE, "ll>i"),
    (0x54, "i64.lt_u", NONE, "ll>i"),
    (0x55, "i64.gt_s", NONE, "ll>i"),
    (0x56, "i64.gt_u", NONE, "ll>i"),
    (0x57, "i64.le_s", NONE, "ll>i"),
    (0x58, "i64.le_u", NONE, "ll>i"),
    (0x59, "i64.ge_s", NONE, "ll>i"),
    (0x5A, "i64.ge_u", NONE, "ll>i"),
    (0x5B, "f32.eq", NONE, "ff>i"),
    (0x5C, "f32.ne", NONE, "ff>i"),
    (0x5D, "f32.lt", NONE, "ff>i"),
    (0x5E, "f32.gt", NONE, "ff>i"),
    (0x5F, "f32.le", NONE, "ff>i"),
    (0x60, "f32.ge", NONE, "ff>i"),
    (0x61, "f64.eq", NONE, "dd>i"),
    (0x62, "f64.ne", NONE, "dd>i"),
    (0x63, "f64.lt", NONE, "dd>i"),
    (0x64, "f64.gt", NONE, "dd>i"),
    (0x65, "f64.le", NONE, "dd>i"),
    (0x66, "f64.ge", NONE, "dd>i"),
    (0x67, "i32.clz", NONE, "i>i"),
    (0x68, "i32.ctz", NONE, "i>i"),
    (0x69, "i32.popcnt", NONE, "i>i"),
    (0x6A, "i32.add", NONE, "ii>i"),
    (0x6B, "i32.sub", NONE, "ii>i"),
    (0x6C, "i32.mul", NONE, "ii>i"),
    (0x6D, "i32.div_s", NONE, "ii>i"),
    (0x6E, "i32.div_u", NONE, "ii>i"),
    (0x6F, "i32.rem_s", NONE, "ii>i"),
    (0x70, "i32.rem_u", NONE, "ii>i"),
    (0x71, "i32.and", NONE, "ii>i"),
    (0x72, "i32.or", NONE, "ii>i"),
    (0x73, "i32.xor", NONE, "ii>i"),
    (0x74, "i32.shl", NONE, "ii>i"),
    (0x75, "i32.shr_s", NONE, "ii>i"),
    (0x76, "i32.shr_u", NONE, "ii>i"),
    (0x77, "i32.rotl", NONE, "ii>i"),
    (0x78, "i32.rotr", NONE, "ii>i"),
    (0x79, "i64.clz", NONE, "l>l"),
    (0x7A, "i64.ctz", NONE, "l>l"),
    (0x7B, "i64.popcnt", NONE, "l>l"),
    (0x7C, "i64.add", NONE, "ll>l"),
    (0x7D, "i64.sub", NONE, "ll>l"),
    (0x7E, "i64.mul", NONE, "ll>l"),
    (0x7F, "i64.div_s", NONE, "ll>l"),
    (0x80, "i64.div_u", NONE, "ll>l"),
    (0x81, "i64.rem_s", NONE, "ll>l"),
    (0x82, "i64.rem_u", NONE, "ll>l"),
    (0x83, "i64.and", NONE, "ll>l"),
    (0x84, "i64.or", NONE, "ll>l"),
    (0x85, "i64.xor", NONE, "ll>l"),
    (0x86, "i64.shl", NONE, "ll>l"),
    (0x87, "i64.shr_s", NONE, "ll>l"),
    (0x88, "i64.shr_u", NONE, "ll>l"),
    (0x89, "i64.rotl", NONE, "ll>l"),
    (0x8A, "i64.rotr", NONE, "ll>l"),
    (0x8B, "f32.abs", NONE, "f>f"),
    (0x8C, "f32.neg", NONE, "f>f"),
    (0x8D, "f32.ceil", NONE, "f>f"),
    (0x8E, "f32.floor", NONE, "f>f"),
    (0x8F, "f32.trunc", NONE, "f>f"),
    (0x90, "f32.nearest", NONE, "f>f"),
    (0x91, "f32.sqrt", NONE, "f>f"),
    (0x92, "f32.add", NONE, "ff>f"),
    (0x93, "f32.sub", NONE, "ff>f"),
    (0x94, "f32.mul", NONE, "ff>f"),
    (0x95, "f32.div", NONE, "ff>f"),
    (0x96, "f32.min", NONE, "ff>f"),
    (0x97, "f32.max", NONE, "ff>f"),
    (0x98, "f32.copysign", NONE, "ff>f"),
    (0x99, "f64.abs", NONE, "d>d"),
    (0x9A, "f64.neg", NONE, "d>d"),
    (0x9B, "f64.ceil", NONE, "d>d"),
    (0x9C, "f64.floor", NONE, "d>d"),
    (0x9D, "f64.trunc", NONE, "d>d"),
    (0x9E, "f64.nearest", NONE, "d>d"),
    (0x9F, "f64.sqrt", NONE, "d>d"),
    (0xA0, "f64.add", NONE, "dd>d"),
    (0xA1, "f64.sub", NONE, "dd>d"),
    (0xA2, "f64.mul", NONE, "dd>d"),
    (0xA3, "f64.div", NONE, "dd>d"),
    (0xA4, "f64.min", NONE, "dd>d"),
    (0xA5, "f64.max", NONE, "dd>d"),
    (0xA6, "f64.copysign", NONE, "dd>d"),
    (0xA7, "i32.wrap_i64", NONE, "l>i"),
    (0xA8, "i32.trunc_f32_s", NONE, "f>i"),
    (0xA9, "i32.trunc_f32_u", NONE, "f>i"),
    (0xAA, "i32.trunc_f64_s", NONE, "d>i"),
    (0xAB, "i32.trunc_f64_u", NONE, "d>i"),
    (0xAC, "i64.extend_i32_s", NONE, "i>l"),
    (0xAD, "i64.extend_i32_u", NONE, "i>l"),
    (0xAE, "i64.trunc_f32_s", NONE, "f>l"),
    (0xAF, "i64.trunc_f32_u", NONE, "f>l"),
    (0xB0, "i64.trunc_f64_s", NONE, "d>l"),
    (0xB1, "i64.trunc_f64_u", NONE, "d>l"),
    (0xB2, "f32.convert_i32_s", NONE, "i>f"),
    (0xB3, "f32.convert_i32_u", NONE, "i>f"),
    (0xB4, "f32.convert_i64_s", NONE, "l>f"),
    (0xB5, "f32.convert_i64_u", NONE, "l>f"),
    (0xB6, "f32.demote_f64", NONE, "d>f"),
    (0xB7, "f64.convert_i32_s", NONE, "i>d"),
    (0xB8, "f64.convert_i32_u", NONE, "i>d"),
    (0xB9, "f64.convert_i64_s", NONE, "l>d"),
    (0xBA, "f64.convert_i64_u", NONE, "l>d"),
    (0xBB, "f64.promote_f32", NONE, "f>d"),
    (0xBC, "i32.reinterpret_f32", NONE, "f>i"),
    (0xBD, "i64.reinterpret_f64", NONE, "d>l"),
    (0xBE, "f32.reinterpret_i32", NONE, "i>f"),
    (0xBF, "f64.reinterpret_i64", NONE, "l>d"),
    (0xC0, "i32.extend8_s", NONE, "i>i"),
    (0xC1, "i32.extend16_s", NONE, "i>i"),
    (0xC2, "i64.extend8_s", NONE, "l>l"),
    (0xC3, "i64.extend16_s", NONE, "l>l"),
    (0xC4, "i64.extend32_s", NONE, "l>l"),
    (0xD0, "ref.null", REFTYPE, None),
    (0xD1, "ref.is_null", NONE, None),
    (0xD2, "ref.func", FUNC, None),
    # 0xFC: saturating truncation, bulk memory, table instructions.
    (0xFC000, "i32.trunc_sat_f32_s", NONE, "f>i"),
    (0xFC001, "i32.trunc_sat_f32_u", NONE, "f>i"),
    (0xFC002, "i32.trunc_sat_f64_s", NONE, "d>i"),
    (0xFC003, "i32.trunc_sat_f64_u", NONE, "d>i"),
    (0xFC004, "i64.trunc_sat_f32_s", NONE, "f>l"),
    (0xFC005, "i64.trunc_sat_f32_u", NONE, "f>l"),
    (0xFC006, "i64.trunc_sat_f64_s", NONE, "d>l"),
    (0xFC007, "i64.trunc_sat_f64_u", NONE, "d>l"),
    (0xFC008, "memory.init", MEMORY_INIT, "iii>"),
    (0xFC009, "data.drop", DATA, ">"),
    (0xFC00A, "memory.copy", MEMORY_COPY, "iii>"),
    (0xFC00B, "memory.fill", MEMORY, "iii>"),
    (0xFC00C, "table.init", TABLE_INIT, "iii>"),
    (0xFC00D, "elem.drop", ELEM, ">"),
    (0xFC00E, "table.copy", TABLE_COPY, "iii>"),
    (0xFC00F, "table.grow", TABLE, None),
    (0xFC010, "table.size", TABLE, ">i"),
    (0xFC011, "table.fill", TABLE, None),
    # 0xFD: SIMD.
    (0xFD000, "v128.load", MEMARG, "i>v", 4),
    (0xFD001, "v128.load8x8_s", MEMARG, "i>v", 3),
    (0xFD002, "v128.load8x8_u", MEMARG, "i>v", 3),
    (0xFD003, "v128.load16x4_s", MEMARG, "i>v", 3),
    (0xFD004, "v128.load16x4_u", MEMARG, "i>v", 3),
    (0xFD005, "v128.load32x2_s", MEMARG, "i>v", 3),
    (0xFD006, "v128.load32x2_u", MEMARG, "i>v", 3),
    (0xFD007, "v128.load8_splat", MEMARG, "i>v", 0),
    (0xFD008, "v128.load16_splat", MEMARG, "i>v", 1),
    (0xFD009, "v128.load32_splat", MEMARG, "i>v", 2),
    (0xFD00A, "v128.load64_splat", MEMARG, "i>v", 3),
    (0xFD00B, "v128.store", MEMARG, "iv>", 4),
    (0xFD00C, "v128.const", V128_CONST, ">v"),
    (0xFD00D, "i8x16.shuffle", SHUFFLE, "vv>v", 32),
    (0xFD00E, "i8x16.swizzle", NONE, "vv>v"),
    (0xFD00F, "i8x16.splat", NONE, "i>v"),
    (0xFD010, "i16x8.splat", NONE, "i>v"),
    (0xFD011, "i32x4.splat", NONE, "i>v"),
    (0xFD012, "i64x2.splat", NONE, "l>v"),
    (0xFD013, "f32x4.splat", NONE, "f>v"),
    (0xFD014, "f64x2.splat", NONE, "d>v"),
    (0xFD015, "i8x16.extract_lane_s", LANE, "v>i", 16),
    (0xFD016, "i8x16.extract_lane_u", LANE, "v>i", 16),
    (0xFD017, "i8x16.replace_lane", LANE, "vi>v", 16),
    (0xFD018, "i16x8.extract_lane_s", LANE, "v>i", 8),
    (0xFD019, "i16x8.extract_lane_u", LANE, "v>i", 8),
    (0xFD01A, "i16x8.replace_lane", LANE, "vi>v", 8),
    (0xFD01B, "i32x4.extract_lane", LANE, "v>i", 4),
    (0xFD01C, "i32x4.replace_lane", LANE, "vi>v", 4),
    (0xFD01D, "i64x2.extract_lane", LANE, "v>l", 2),
    (0xFD01E, "i64x2.replace_lane", LANE, "vl>v", 2),
    (0xFD01F, "f32x4.extract_lane", LANE, "v>f", 4),
    (0xFD020, "f32x4.replace_lane", LANE, "vf>v", 4),
    (0xFD021, "f64x2.extract_lane", LANE, "v>d", 2),
    (0xFD022, "f64x2.replace_lane", LANE, "vd>v", 2),
    (0xFD023, "i8x16.eq", NONE, "vv>v"),
    (0xFD024, "i8x16.ne", NONE, "vv>v"),
    (0xFD025, "i8x16.lt_s", NONE, "vv>v"),
    (0xFD026, "i8x16.lt_u", NONE, "vv>v"),
    (0xFD027, "i8x16.gt_s", NONE, "vv>v"),
    (0xFD028, "i8x16.gt_u", NONE, "vv>v"),
    (0xFD029, "i8x16.le_s", NONE, "vv>v"),
    (0xFD02A, "i8x16.le_u", NONE, "vv>v"),
    (0xFD02B, "i8x16.ge_s", NONE, "vv>v"),
    (0xFD02C, "i8x16.ge_u", NONE, "vv>v"),
    (0xFD02D, "i16x8.eq", NONE, "vv>v"),
    (0xFD02E, "i16x8.ne", NONE, "vv>v"),
    (0xFD02F, "i16x8.lt_s", NONE, "vv>v"),
    (0xFD030, "i16x8.lt_u", NONE, "vv>v"),
    (0xFD031, "i16x8.gt_s", NONE, "vv>v"),
    (0xFD032, "i16x8.gt_u", NONE, "vv>v"),
    (0xFD033, "i16x8.le_s", NONE, "vv>v"),
    (0xFD034, "i16x8.le_u", NONE, "vv>v"),
    (0xFD035, "i16x8.ge_s", NONE, "vv>v"),
    (0xFD036, "i16x8.ge_u", NONE, "vv>v"),
    (0xFD037, "i32x4.eq", NONE, "vv>v"),
    (0xFD038, "i32x4.ne", NONE, "vv>v"),
    (0xFD039, "i32x4.lt_s", NONE, "vv>v"),
    (0xFD03A, "i32x4.lt_u", NONE, "vv>v"),
    (0xFD03B, "i32x4.gt_s", NONE, "vv>v"),
    (0xFD03C, "i32x4.gt_u", NONE, "vv>v"),
    (0xFD03D, "i32x4.le_s", NONE, "vv>v"),
    (0xFD03E, "i32x4.le_u", NONE, "vv>v"),
    (0xFD03F, "i32x4.ge_s", NONE, "vv>v"),
    (0xFD040, "i32x4.ge_u", NONE, "vv>v"),
    (0xFD041, "f32x4.eq", NONE, "vv>v"),
    (0xFD042, "f32x4.ne", NONE, "vv>v"),
    (0xFD043, "f32x4.lt", NONE, "vv>v"),
    (0xFD044, "f32x4.gt", NONE, "vv>v"),
    (0xFD045, "f32x4.le", NONE, "vv>v"),
    (0xFD046, "f32x4.ge", NONE, "vv>v"),
    (0xFD047, "f64x2.eq", NONE, "vv>v"),
    (0xFD048, "f64x2.ne", NONE, "vv>v"),
    (0xFD049, "f64x2.lt", NONE, "vv>v"),
    (0xFD04A, "f64x2.gt", NONE, "vv>v"),
    (0xFD04B, "f64x2.le", NONE, "vv>v"),
    (0xFD04C, "f64x2.ge", NONE, "vv>v"),
    (0xFD04D, "v128.not", NONE, "v>v"),
    (0xFD04E, "v128.and", NONE, "vv>v"),
    (0xFD04F, "v128.andnot", NONE, "vv>v"),
    (0xFD050, "v128.or", NONE, "vv>v"),
    (0xFD051, "v128.xor", NONE, "vv>v"),
    (0xFD052, "v128.bitselect", NONE, "vvv>v"),
    (0xFD053, "v128.any_true", NONE, "v>i"),
    (0xFD054, "v128.load8_lane", MEMARG_LANE, "iv>v", 0, 16),
    (0xFD055, "v128.load16_lane", MEMARG_LANE, "iv>v", 1, 8),
    (0xFD056, "v128.load32_lane", MEMARG_LANE, "iv>v", 2, 4),
    (0xFD057, "v128.load64_lane", MEMARG_LANE, "iv>v", 3, 2),
    (0xFD058, "v128.store8_lane", MEMARG_LANE, "iv>", 0, 16),
    (0xFD059, "v128.store16_lane", MEMARG_LANE, "iv>", 1, 8),
    (0xFD05A, "v128.store32_lane", MEMARG_LANE, "iv>", 2, 4),
    (0xFD05B, "v128.store64_lane", MEMARG_LANE, "iv>", 3, 2),
    (0xFD05C, "v128.load32_zero", MEMARG, "i>v", 2),
    (0xFD05D, "v128.load64_zero", MEMARG, "i>v", 3),
    (0xFD05E, "f32x4.demote_f64x2_zero", NONE, "v>v"),
    (0xFD05F, "f64x2.promote_low_f32x4", NONE, "v>v"),
    (0xFD060, "i8x16.abs", NONE, "v>v"),
    (0xFD061, "i8x16.neg", NONE, "v>v"),
    (0xFD062, "i8x16.popcnt", NONE, "v>v"),
    (0xFD063, "i8x16.all_true", NONE, "v>i"),
    (0xFD064, "i8x16.bitmask", NONE, "v>i"),
    (0xFD065, "i8x16.narrow_i16x8_s", NONE, "vv>v"),
    (0xFD066, "i8x16.narrow_i16x8_u", NONE, "vv>v"),
    (0xFD067, "f32x4.ceil", NONE, "v>v"),
    (0xFD068, "f32x4.floor", NONE, "v>v"),
    (0xFD069, "f32x4.trunc", NONE, "v>v"),
    (0xFD06A, "f32x4.nearest", NONE, "v>v"),
    (0xFD06B, "i8x16.shl", NONE, "vi>v"),
    (0xFD06C, "i8x16.shr_s", NONE, "vi>v"),
    (0xFD06D, "i8x16.shr_u", NONE, "vi>v"),
    (0xFD06E, "i8x16.add", NONE, "vv>v"),
    (0xFD06F, "i8x16.add_sat_s", NONE, "vv>v"),
    (0xFD070, "i8x16.add_sat_u", NONE, "vv>v"),
    (0xFD071, "i8x16.sub", NONE, "vv>v"),
    (0xFD072, "i8x16.sub_sat_s", NONE, "vv>v"),
    (0xFD073, "i8x16.sub_sat_u", NONE, "vv>v"),
    (0xFD074, "f64x2.ceil", NONE, "v>v"),
    (0xFD075, "f64x2.floor", NONE, "v>v"),
    (0xFD076, "i8x16.min_s", NONE, "vv>v"),
    (0xFD077, "i8x16.min_u", NONE, "vv>v"),
    (0xFD078, "i8x16.max_s", NONE, "vv>v"),
    (0xFD079, "i8x16.max_u", NONE, "vv>v"),
    (0xFD07A, "f64x2.trunc", NONE, "v>v"),
    (0xFD07B, "i8x16.avgr_u", NONE, "vv>v"),
    (0xFD07C, "i16x8.extadd_pairwise_i8x16_s", NONE, "v>v"),
    (0xFD07D, "i16x8.extadd_pairwise_i8x16_u", NONE, "v>v"),
    (0xFD07E, "i32x4.extadd_pairwise_i16x8_s", NONE, "v>v"),
    (0xFD07F, "i32x4.extadd_pairwise_i16x8_u", NONE, "v>v"),
    (0xFD080, "i16x8.abs", NONE, "v>v"),
    (0xFD081, "i16x8.neg", NONE, "v>v"),
    (0xFD082, "i16x8.q15mulr_sat_s", NONE, "vv>v"),
    (0xFD083, "i16x8.all_true", NONE, "v>i"),
    (0xFD084, "i16x8.bitmask", NONE, "v>i"),
    (0xFD085, "i16x8.narrow_i32x4_s", NONE, "vv>v"),
    (0xFD086, "i16x8.narrow_i32x4_u", NONE, "vv>v"),
    (0xFD087, "i16x8.extend_low_i8x16_s", NONE, "v>v"),
    (0xFD088, "i16x8.extend_high_i8x16_s", NONE, "v>v"),
    (0xFD089, "i16x8.extend_low_i8x16_u", NONE, "v>v"),
    (0xFD08A, "i16x8.extend_high_i8x16_u", NONE, "v>v"),
    (0xFD08B, "i16x8.shl", NONE, "vi>v"),
    (0xFD08C, "i16x8.shr_s", NONE, "vi>v"),
    (0xFD08D, "i16x8.shr_u", NONE, "vi>v"),
    (0xFD08E, "i16x8.add", NONE, "vv>v"),
    (0xFD08F, "i16x8.add_sat_s", NONE, "vv>v"),
    (0xFD090, "i16x8.add_sat_u", NONE, "vv>v"),
    (0xFD091, "i16x8.sub", NONE, "vv>v"),
    (0xFD092, "i16x8.sub_sat_s", NONE, "vv>v"),
    (0xFD093, "i16x8.sub_sat_u", NONE, "vv>v"),
    (0xFD094, "f64x2.nearest", NONE, "v>v"),
    (0xFD095, "i16x8.mul", NONE, "vv>v"),
    (0xFD096, "i16x8.min_s", NONE, "vv>v"),
    (0xFD097, "i16x8.min_u", NONE, "vv>v"),
    (0xFD098, "i16x8.max_s", NONE, "vv>v"),
    (0xFD099, "i16x8.max_u", NONE, "vv>v"),
    (0xFD09B, "i16x8.avgr_u", NONE, "vv>v"),
    (0xFD09C, "i16x8.extmul_low_i8x16_s", NONE, "vv>v"),
    (0xFD09D, "i16x8.extmul_high_i8x16_s", NONE, "vv>v"),
    (0xFD09E, "i16x8.extmul_low_i8x16_u", NONE, "vv>v"),
    (0xFD09F, "i16x8.extmul_high_i8x16_u", NONE, "vv>v"),
    (0xFD0A0, "i32x4.abs", NONE, "v>v"),
    (0xFD0A1, "i32x4.neg", NONE, "v>v"),
    (0xFD0A3, "i32x4.all_true", NONE, "v>i"),
    (0xFD0A4, "i32x4.bitmask", NONE, "v>i"),
    (0xFD0A7, "i32x4.extend_low_i16x8_s", NONE, "v>v"),
    (0xFD0A8, "i32x4.extend_high_i16x8_s", NONE, "v>v"),
    (0xFD0A9, "i32x4.extend_low_i16x8_u", NONE, "v>v"),
    (0xFD0AA, "i32x4.extend_high_i16x8_u", NONE, "v>v"),
    (0xFD0AB, "i32x4.shl", NONE, "vi>v"),
    (0xFD0AC, "i32x4.shr_s", NONE, "vi>v"),
    (0xFD0AD, "i32x4.shr_u", NONE, "vi>v"),
    (0xFD0AE, "i32x4.add", NONE, "vv>v"),
    (0xFD0B1, "i32x4.sub", NONE, "vv>v"),
    (0xFD0B5, "i32x4.mul", NONE, "vv>v"),
    (0xFD0B6, "i32x4.min_s", NONE, "vv>v"),
    (0xFD0B7, "i32x4.min_u", NONE, "vv>v"),
    (0xFD0B8, "i32x4.max_s", NONE, "vv>v"),
    (0xFD0B9, "i32x4.max_u", NONE, "vv>v"),
    (0xFD0BA, "i32x4.dot_i16x8_s", NONE, "vv>v"),
    (0xFD0BC, "i32x4.extmul_low_i16x8_s", NONE, "vv>v"),
    (0xFD0BD, "i32x4.extmul_high_i16x8_s", NONE, "vv>v"),
    (0xFD0BE, "i32x4.extmul_low_i16x8_u", NONE, "vv>v"),
    (0xFD0BF, "i32x4.extmul_high_i16x8_u", NONE, "vv>v"),
    (0xFD0C0, "i64x2.abs", NONE, "v>v"),
    (0xFD0C1, "i64x2.neg", NONE, "v>v"),
    (0xFD0C3, "i64x2.all_true", NONE, "v>i"),
    (0xFD0C4, "i64x2.bitmask", NONE, "v>i"),
    (0xFD0C7, "i64x2.extend_low_i32x4_s", NONE, "v>v"),
    (0xFD0C8, "i64x2.extend_high_i32x4_s", NONE, "v>v"),
    (0xFD0C9, "i64x2.extend_low_i32x4_u", NONE, "v>v"),
    (0xFD0CA, "i64x2.extend_high_i32x4_u", NONE, "v>v"),
    (0xFD0CB, "i64x2.shl", NONE, "vi>v"),
    (0xFD0CC, "i64x2.shr_s", NONE, "vi>v"),
    (0xFD0CD, "i64x2.shr_u", NONE, "vi>v"),
    (0xFD0CE, "i64x2.add", NONE, "vv>v"),
    (0xFD0D1, "i64x2.sub", NONE, "vv>v"),
    (0xFD0D5, "i64x2.mul", NONE, "vv>v"),
    (0xFD0D6, "i64x2.eq", NONE, "vv>v"),
    (0xFD0D7, "i64x2.ne", NONE, "vv>v"),
    (0xFD0D8, "i64x2.lt_s", NONE, "vv>v"),
    (0xFD0D9, "i64x2.gt_s", NONE, "vv>v"),
    (0xFD0DA, "i64x2.le_s", NONE, "vv>v"),
    (0xFD0DB, "i64x2.ge_s", NONE, "vv>v"),
    (0xFD0DC, "i64x2.extmul_low_i32x4_s", NONE, "vv>v"),
    (0xFD0DD, "i64x2.extmul_high_i32x4_s", NONE, "vv>v"),
    (0xFD0DE, "i64x2.extmul_low_i32x4_u", NONE, "vv>v"),
    (0xFD0DF, "i64x2.extmul_high_i32x4_u", NONE, "vv>v"),
    (0xFD0E0, "f32x4.abs", NONE, "v>v"),
    (0xFD0E1, "f32x4.neg", NONE, "v>v"),
    (0xFD0E3, "f32x4.sqrt", NONE, "v>v"),
    (0xFD0E4, "f32x4.add", NONE, "vv>v"),
    (0xFD0E5, "f32x4.sub", NONE, "vv>v"),
    (0xFD0E6, "f32x4.mul", NONE, "vv>v"),
    (0xFD0E7, "f32x4.div", NONE, "vv>v"),
    (0xFD0E8, "f32x4.min", NONE, "vv>v"),
    (0xFD0E9, "f32x4.max", NONE, "vv>v"),
    (0xFD0EA, "f32x4.pmin", NONE, "vv>v"),
    (0xFD0EB, "f32x4.pmax", NONE, "vv>v"),
    (0xFD0EC, "f64x2.abs", NONE, "v>v"),
    (0xFD0ED, "f64x2.neg", NONE, "v>v"),
    (0xFD0EF, "f64x2.sqrt", NONE, "v>v"),
    (0xFD0F0, "f64x2.add", NONE, "vv>v"),
    (0xFD0F1, "f64x2.sub", NONE, "vv>v"),
    (0xFD0F2, "f64x2.mul", NONE, "vv>v"),
    (0xFD0F3, "f64x2.div", NONE, "vv>v"),
    (0xFD0F4, "f64x2.min", NONE, "vv>v"),
    (0xFD0F5, "f64x2.max", NONE, "vv>v"),
    (0xFD0F6, "f64x2.pmin", NONE, "vv>v"),
    (0xFD0F7, "f64x2.pmax", NONE, "vv>v"),
    (0xFD0F8, "i32x4.trunc_sat_f32x4_s", NONE, "v>v"),
    (0xFD0F9, "i32x4.trunc_sat_f32x4_u", NONE, "v>v"),
    (0xFD0FA, "f32x4.convert_i32x4_s", NONE, "v>v"),
    (0xFD0FB, "f32x4.convert_i32x4_u", NONE, "v>v"),
    (0xFD0FC, "i32x4.trunc_sat_f64x2_s_zero", NONE, "v>v"),
    (0xFD0FD, "i32x4.trunc_sat_f64x2_u_zero", NONE, "v>v"),
    (0xFD0FE, "f64x2.convert_low_i32x4_s", NONE, "v>v"),
    (0xFD0FF, "f64x2.convert_low_i32x4_u", NONE, "v>v"),
    # 0xFD 0x100-0x113: relaxed SIMD (Wasm 3.0).
    (0xFD100, "i8x16.relaxed_swizzle", NONE, "vv>v"),
    (0xFD101, "i32x4.relaxed_trunc_f32x4_s", NONE, "v>v"),
    (0xFD102, "i32x4.relaxed_trunc_f32x4_u", NONE, "v>v"),
    (0xFD103, "i32x4.relaxed_trunc_f64x2_s_zero", NONE, "v>v"),
    (0xFD104, "i32x4.relaxed_trunc_f64x2_u_zero", NONE, "v>v"),
    (0xFD105, "f32x4.relaxed_madd", NONE, "vvv>v"),
    (0xFD106, "f32x4.relaxed_nmadd", NONE, "vvv>v"),
    (0xFD107, "f64x2.relaxed_madd", NONE, "vvv>v"),
    (0xFD108, "f64x2.relaxed_nmadd", NONE, "vvv>v"),
    (0xFD109, "i8x16.relaxed_laneselect", NONE, "vvv>v"),
    (0xFD10A, "i16x8.relaxed_laneselect", NONE, "vvv>v"),
    (0xFD10B, "i32x4.relaxed_laneselect", NONE, "vvv>v"),
    (0xFD10C, "i64x2.relaxed_laneselect", NONE, "vvv>v"),
    (0xFD10D, "f32x4.relaxed_min", NONE, "vv>v"),
    (0xFD10E, "f32x4.relaxed_max", NONE, "vv>v"),
    (0xFD10F, "f64x2.relaxed_min", NONE, "vv>v"),
    (0xFD110, "f64x2.relaxed_max", NONE, "vv>v"),
    (0xFD111, "i16x8.relaxed_q15mulr_s", NONE, "vv>v"),
    (0xFD112, "i16x8.relaxed_dot_i8x16_i7x16_s", NONE, "vv>v"),
    (0xFD113, "i32x4.relaxed_dot_i8x16_i7x16_add_s", NONE, "vvv>v"),
]


# Post-2.0 proposals: rows per ``jit.abi.features`` key (the decoder refuses them when the feature is off).
_PROPOSAL_ROWS: dict[str, list[tuple]] = {
    "function_references": [
        (0x14, "call_ref", TYPE, None),
        (0x15, "return_call_ref", TYPE, None),            # also tail calls
        (0xD4, "ref.as_non_null", NONE, None),
        (0xD5, "br_on_null", LABEL, None),
        (0xD6, "br_on_non_null", LABEL, None),
    ],
    "gc": [
        (0xD3, "ref.eq", NONE, None),
        (0xFB000, "struct.new", TYPE, None),
        (0xFB001, "struct.new_default", TYPE, None),
        (0xFB002, "struct.get", TYPE_INDEX, None),
        (0xFB003, "struct.get_s", TYPE_INDEX, None),
        (0xFB004, "struct.get_u", TYPE_INDEX, None),
        (0xFB005, "struct.set", TYPE_INDEX, None),
        (0xFB006, "array.new", TYPE, None),
        (0xFB007, "array.new_default", TYPE, None),
        (0xFB008, "array.new_fixed", TYPE_INDEX, None),
        (0xFB009, "array.new_data", TYPE_INDEX, None),
        (0xFB00A, "array.new_elem", TYPE_INDEX, None),
        (0xFB00B, "array.get", TYPE, None),
        (0xFB00C, "array.get_s", TYPE, None),
        (0xFB00D, "array.get_u", TYPE, None),
        (0xFB00E, "array.set", TYPE, None),
        (0xFB00F, "array.len", NONE, None),
        (0xFB010, "array.fill", TYPE, None),
        (0xFB011, "array.copy", TYPE_INDEX, None),
        (0xFB012, "array.init_data", TYPE_INDEX, None),
        (0xFB013, "array.init_elem", TYPE_INDEX, None),
        (0xFB014, "ref.test", HEAPTYPE, None),
        (0xFB015, "ref.test_null", HEAPTYPE, None),      # text: ref.test (ref null ht)
        (0xFB016, "ref.cast", HEAPTYPE, None),
        (0xFB017, "ref.cast_null", HEAPTYPE, None),      # text: ref.cast (ref null ht)
        (0xFB018, "br_on_cast", BR_ON_CAST, None),
        (0xFB019, "br_on_cast_fail", BR_ON_CAST, None),
        (0xFB01A, "any.convert_extern", NONE, None),
        (0xFB01B, "extern.convert_any", NONE, None),
        (0xFB01C, "ref.i31", NONE, None),
        (0xFB01D, "i31.get_s", NONE, None),
        (0xFB01E, "i31.get_u", NONE, None),
    ],
}


def _sig(text: str | None) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    if text is None:
        return None, None
    params, results = text.split(">")
    return tuple(_SIG_LETTERS[c] for c in params), tuple(_SIG_LETTERS[c] for c in results)


def _build(rows: list[tuple], proposal: str | None = None,
           ops: dict[int, OpInfo] | None = None) -> dict[int, OpInfo]:
    ops = {} if ops is None else ops
    for row in rows:
        key, name, imm, sig, *extra = row
        params, results = _sig(sig)
        align = lanes = None
        if imm in (MEMARG, MEMARG_LANE):
            align = extra[0]
            lanes = extra[1] if len(extra) > 1 else None
        elif extra:
            lanes = extra[0]
        assert key not in ops, hex(key)
        ops[key] = OpInfo(key, name, imm, params, results, align, lanes, proposal)
    return ops


OPS: dict[int, OpInfo] = _build(_ROWS)
for _proposal, _rows in _PROPOSAL_ROWS.items():
    _build(_rows, _proposal, OPS)
OPS_BY_NAME: dict[str, OpInfo] = {}
for _info in OPS.values():
    OPS_BY_NAME.setdefault(_info.name, _info)
del _info


def op_key(name: str) -> int:
    """The opcode key of the instruction called ``name`` ("i32.add" -> 0x6A)."""
    try:
        return OPS_BY_NAME[name].key
    except KeyError:
        raise KeyError(f"unknown instruction {name!r}") from None


def op_name(key: int) -> str:
    """Text-format name of opcode ``key``."""
    info = OPS.get(key)
    return info.name if info is not None else f"<op {key:#x}>"
