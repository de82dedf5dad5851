"""SIMD (``v128``, the 0xFD instructions) for the single-pass compiler, on SSE2 to SSE4.2.

The lowerings are in ``jit.x64.lower.simd``; this module holds their tables and operand
primitives (``SimdOperands``), and the CPU check. v128 values live in xmm registers and 16-byte
spill slots like the scalar floats (``jit.x64.stack``). Each instruction pops its operands into
registers it owns, computes in place and pushes the result register. Packed instructions never
take memory operands (legacy SSE encodings require 16-byte alignment; frame slots are not aligned).
``xmm15`` is the scratch register; sequences that need more get temporaries from the allocator.
The tables map instruction names to their lowering; ``jit.x64.lower.simd.simd_handlers()`` turns them
into compiler handlers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..abi.cpu import host_features
from ..errors import CompileError
from ..wasm.types import V128
from .registers import Xmm
from .stack import REG, Val

NEEDED_FEATURES = ("ssse3", "sse4_1", "sse4_2")
ONES = (1 << 128) - 1


def splat_bits(value: int, lane_bits: int) -> int:
    """The v128 whose lanes of ``lane_bits`` bits all hold ``value``."""
    value &= (1 << lane_bits) - 1
    out = 0
    for i in range(128 // lane_bits):
        out |= value << (i * lane_bits)
    return out


def _bytes_bits(lanes: list[int]) -> int:
    return int.from_bytes(bytes(b & 0xFF for b in lanes), "little")


# name -> SSE method: "dst = dst op src" lane by lane.
BINOPS: dict[str, str] = {
    "v128.and": "pand", "v128.or": "por", "v128.xor": "pxor",
    "i8x16.add": "paddb", "i8x16.add_sat_s": "paddsb", "i8x16.add_sat_u": "paddusb",
    "i8x16.sub": "psubb", "i8x16.sub_sat_s": "psubsb", "i8x16.sub_sat_u": "psubusb",
    "i8x16.min_s": "pminsb", "i8x16.min_u": "pminub", "i8x16.max_s": "pmaxsb", "i8x16.max_u": "pmaxub",
    "i8x16.avgr_u": "pavgb",
    "i8x16.narrow_i16x8_s": "packsswb", "i8x16.narrow_i16x8_u": "packuswb",
    "i16x8.add": "paddw", "i16x8.add_sat_s": "paddsw", "i16x8.add_sat_u": "paddusw",
    "i16x8.sub": "psubw", "i16x8.sub_sat_s": "psubsw", "i16x8.sub_sat_u": "psubusw",
    "i16x8.mul": "pmullw", "i16x8.min_s": "pminsw", "i16x8.min_u": "pminuw", "i16x8.max_s": "pmaxsw",
    "i16x8.max_u": "pmaxuw", "i16x8.avgr_u": "pavgw",
    "i16x8.narrow_i32x4_s": "packssdw", "i16x8.narrow_i32x4_u": "packusdw",
    "i32x4.add": "paddd", "i32x4.sub": "psubd", "i32x4.mul": "pmulld", "i32x4.min_s": "pminsd",
    "i32x4.min_u": "pminud", "i32x4.max_s": "pmaxsd", "i32x4.max_u": "pmaxud",
    "i32x4.dot_i16x8_s": "pmaddwd",
    "i64x2.add": "paddq", "i64x2.sub": "psubq",
    "f32x4.add": "addps", "f32x4.sub": "subps", "f32x4.mul": "mulps", "f32x4.div": "divps",
    "f64x2.add": "addpd", "f64x2.sub": "subpd", "f64x2.mul": "mulpd", "f64x2.div": "divpd",
}

# name -> SSE method computing "dst = src op dst": the operands swapped.
SWAPPED_BINOPS: dict[str, str] = {
    "v128.andnot": "pandn",                       # a & ~b = pandn(b, a)
    "f32x4.pmin": "minps", "f64x2.pmin": "minpd",   # b < a ? b : a
    "f32x4.pmax": "maxps", "f64x2.pmax": "maxpd",   # a < b ? b : a
}

_LANES = {"i8x16": "b", "i16x8": "w", "i32x4": "d", "i64x2": "q"}

# Integer comparisons: name -> (how, method(s), invert). "cmp": dst = a op b; "rcmp": dst = b op a;
# "eqmin"/"eqmax": dst = (op(a, b) == a), i.e. a <= b / a >= b.
INT_COMPARES: dict[str, tuple[str, str, bool]] = {}
for _shape, _s in _LANES.items():
    _eq, _gt = f"pcmpeq{_s}", f"pcmpgt{_s}"
    INT_COMPARES[f"{_shape}.eq"] = ("cmp", _eq, False)
    INT_COMPARES[f"{_shape}.ne"] = ("cmp", _eq, True)
    INT_COMPARES[f"{_shape}.gt_s"] = ("cmp", _gt, False)
    INT_COMPARES[f"{_shape}.lt_s"] = ("rcmp", _gt, False)
    if _shape == "i64x2":
        INT_COMPARES[f"{_shape}.le_s"] = ("cmp", _gt, True)
        INT_COMPARES[f"{_shape}.ge_s"] = ("rcmp", _gt, True)
        continue
    _min_s, _max_s, _min_u, _max_u = (f"pmins{_s}", f"pmaxs{_s}", f"pminu{_s}", f"pmaxu{_s}")
    INT_COMPARES[f"{_shape}.le_s"] = ("eqmin", _min_s, False)
    INT_COMPARES[f"{_shape}.ge_s"] = ("eqmax", _max_s, False)
    INT_COMPARES[f"{_shape}.le_u"] = ("eqmin", _min_u, False)
    INT_COMPARES[f"{_shape}.ge_u"] = ("eqmax", _max_u, False)
    INT_COMPARES[f"{_shape}.gt_u"] = ("eqmin", _min_u, True)
    INT_COMPARES[f"{_shape}.lt_u"] = ("eqmax", _max_u, True)

# Float comparisons: name -> (cmpps/cmppd predicate, operands swapped).
FLOAT_COMPARES: dict[str, tuple[int, bool]] = {}
for _shape in ("f32x4", "f64x2"):
    FLOAT_COMPARES.update({f"{_shape}.eq": (0, False), f"{_shape}.ne": (4, False),
                           f"{_shape}.lt": (1, False), f"{_shape}.le": (2, False),
                           f"{_shape}.gt": (1, True), f"{_shape}.ge": (2, True)})

# Lane-width shifts by a scalar count: name -> (lane bits, SSE method).
SHIFTS: dict[str, tuple[int, str]] = {}
for _shape, _bits in (("i16x8", 16), ("i32x4", 32), ("i64x2", 64)):
    _sfx = _LANES[_shape]
    SHIFTS[f"{_shape}.shl"] = (_bits, f"psll{_sfx}")
    SHIFTS[f"{_shape}.shr_u"] = (_bits, f"psrl{_sfx}")
    SHIFTS[f"{_shape}.shr_s"] = (_bits, f"psra{_sfx}")    # psraq does not exist: v_i64x2_shr_s

# Unary operations done by one instruction "dst = op(dst)".
UNOPS: dict[str, str] = {
    "i8x16.abs": "pabsb", "i16x8.abs": "pabsw", "i32x4.abs": "pabsd",
    "f32x4.sqrt": "sqrtps", "f64x2.sqrt": "sqrtpd",
    "i16x8.extend_low_i8x16_s": "pmovsxbw", "i16x8.extend_low_i8x16_u": "pmovzxbw",
    "i32x4.extend_low_i16x8_s": "pmovsxwd", "i32x4.extend_low_i16x8_u": "pmovzxwd",
    "i64x2.extend_low_i32x4_s": "pmovsxdq", "i64x2.extend_low_i32x4_u": "pmovzxdq",
    "f32x4.convert_i32x4_s": "cvtdq2ps", "f64x2.convert_low_i32x4_s": "cvtdq2pd",
    "f32x4.demote_f64x2_zero": "cvtpd2ps", "f64x2.promote_low_f32x4": "cvtps2pd",
}
# The high-half extensions: the high 8 bytes moved down first.
EXTEND_HIGH: dict[str, str] = {
    name.replace("_low_", "_high_"): method for name, method in UNOPS.items() if "extend_low" in name
}
ROUNDING = {"nearest": 0, "floor": 1, "ceil": 2, "trunc": 3}

# Loads: name -> (SSE method, access bytes) for those that are one instruction into a register.
LOADS: dict[str, tuple[str, int]] = {
    "v128.load": ("movdqu", 16),
    "v128.load8x8_s": ("pmovsxbw", 8), "v128.load8x8_u": ("pmovzxbw", 8),
    "v128.load16x4_s": ("pmovsxwd", 8), "v128.load16x4_u": ("pmovzxwd", 8),
    "v128.load32x2_s": ("pmovsxdq", 8), "v128.load32x2_u": ("pmovzxdq", 8),
    "v128.load32_zero": ("movd", 4), "v128.load64_zero": ("movq", 8),
}
SPLAT_LOADS = {"v128.load8_splat": 8, "v128.load16_splat": 16, "v128.load32_splat": 32,
               "v128.load64_splat": 64}
LANE_BITS = {"8": 8, "16": 16, "32": 32, "64": 64}
_INSERT = {8: "pinsrb", 16: "pinsrw", 32: "pinsrd", 64: "pinsrq"}
_EXTRACT = {8: "pextrb", 16: "pextrw", 32: "pextrd", 64: "pextrq"}


class SimdOperands:
    """The v128 operand primitives the SIMD lowerings (``jit.x64.lower.simd``) share."""

    if TYPE_CHECKING:  # what FunctionCompiler provides
        asm: Any
        ra: Any
        pos: int
        func_index: int

    # -- operands ----------------------------------------------------------------------------------
    def v_check(self) -> None:
        missing = [f for f in NEEDED_FEATURES if f not in host_features()]
        if missing:
            raise CompileError(f"SIMD needs the CPU features {', '.join(missing)}", self.pos, self.func_index)

    def v_pop(self, exclude: tuple = ()) -> tuple[Val, Xmm]:
        """Pop a v128 into a register this instruction owns."""
        v = self.pop()
        return v, self.to_reg(v, exclude)

    def v_temp(self, exclude: tuple = ()) -> tuple[Xmm, Val]:
        """A temporary xmm register, held until ``self.ra.free(token)``."""
        token = Val(REG, V128, None)
        r = self.ra.alloc(V128, exclude)
        self.ra.claim(r, token)
        return r, token

    def v_const(self, reg: Xmm, bits: int) -> Xmm:
        self.load_const(reg, bits & ONES, V128)
        return reg

    def v_ones(self, reg: Xmm) -> Xmm:
        self.asm.pcmpeqd(reg, reg)
        return reg

    def v_push(self, reg: Xmm, ty: int = V128) -> None:
        self.push_reg(reg, ty)

    def v_binary(self) -> tuple[Val, Xmm, Val, Xmm]:
        b = self.pop()
        a = self.pop()
        ra = self.to_reg(a)
        rb = self.to_reg(b, exclude=(ra,))
        return a, ra, b, rb

    def v_ternary(self) -> tuple[Val, Xmm, Val, Xmm, Val, Xmm]:
        """Pop ``a b c`` (c on top) into three distinct registers this instruction owns."""
        c = self.pop()
        a, ra, b, rb = self.v_binary()
        rc = self.to_reg(c, exclude=(ra, rb))
        return a, ra, b, rb, c, rc

    def v_emit_bitselect(self, ra: Xmm, rb: Xmm, mask: Xmm) -> None:
        """``ra = (ra & mask) | (rb & ~mask)``; clobbers ``mask``."""
        self.asm.pand(ra, mask)
        self.asm.pandn(mask, rb)
        self.asm.por(ra, mask)
