"""SIMD lowerings (``v128``, the 0xFD instructions) on SSE2 to SSE4.2; see ``jit.x64.simd``.

``SimdArithmetic`` (lane-wise arithmetic, comparisons, conversions, shifts) and ``SimdLanes`` (splats,
lane access, shuffles, reductions, loads and stores) are mixed into ``FunctionCompiler`` over
``jit.x64.simd.SimdOperands``; ``SimdArithmetic`` also carries the relaxed SIMD lowerings
(``jit.x64.lower.relaxed_simd``). The lowerings of the non-obvious instructions (saturating truncation,
float min/max, i64x2 shifts and multiplies) follow V8's SSE code generator.
"""
from __future__ import annotations

from typing import Any

from ...wasm.types import F32, F64, I32, I64, V128
from ..encoder import Cond
from ..registers import SCRATCH, XMM_SCRATCH, Xmm
from ..simd import (
    _EXTRACT,
    _INSERT,
    _LANES,
    BINOPS,
    EXTEND_HIGH,
    FLOAT_COMPARES,
    INT_COMPARES,
    LANE_BITS,
    LOADS,
    ROUNDING,
    SHIFTS,
    SPLAT_LOADS,
    SWAPPED_BINOPS,
    UNOPS,
    SimdOperands,
    _bytes_bits,
    splat_bits,
)
from ..stack import CONST, Val
from . import KEY, lower_all
from .memory import ACCESS_BYTES
from .relaxed_simd import RelaxedSimdLowering


class SimdArithmetic(RelaxedSimdLowering):
    """Lane-wise v128 arithmetic, comparisons, conversions and shifts of ``FunctionCompiler``."""

    # -- lane-wise binary --------------------------------------------------------------------------
    def v_binop(self, name: str) -> None:
        a, ra, b, rb = self.v_binary()
        getattr(self.asm, BINOPS[name])(ra, rb)
        self.release(b)
        self.v_push(ra)

    def v_swapped_binop(self, name: str) -> None:
        a, ra, b, rb = self.v_binary()
        getattr(self.asm, SWAPPED_BINOPS[name])(rb, ra)
        self.release(a)
        self.v_push(rb)

    def v_int_compare(self, name: str) -> None:
        how, method, invert = INT_COMPARES[name]
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        if how == "cmp":
            getattr(asm, method)(ra, rb)
            dst, other = ra, b
        elif how == "rcmp":
            getattr(asm, method)(rb, ra)
            dst, other = rb, a
        else:   # (min|max)(a, b) == a
            asm.movdqa(XMM_SCRATCH, ra)
            getattr(asm, method)(XMM_SCRATCH, rb)
            getattr(asm, "pcmpeq" + method[-1])(ra, XMM_SCRATCH)
            dst, other = ra, b
        if invert:
            asm.pxor(dst, self.v_ones(XMM_SCRATCH))
        self.release(other)
        self.v_push(dst)

    def v_float_compare(self, name: str) -> None:
        pred, swapped = FLOAT_COMPARES[name]
        method = "cmpps" if name.startswith("f32") else "cmppd"
        a, ra, b, rb = self.v_binary()
        if swapped:
            getattr(self.asm, method)(rb, ra, pred)
            self.release(a)
            self.v_push(rb)
        else:
            getattr(self.asm, method)(ra, rb, pred)
            self.release(b)
            self.v_push(ra)

    def v_float_minmax(self, name: str) -> None:
        """NaN-propagating min/max with -0 < +0 (V8's sequences)."""
        is_f32 = name.startswith("f32")
        t = "ps" if is_f32 else "pd"
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        op = getattr(asm, ("min" if name.endswith("min") else "max") + t)
        asm.movdqa(XMM_SCRATCH, rb)
        op(XMM_SCRATCH, ra)                       # op(b, a)
        op(ra, rb)                          # op(a, b)
        if name.endswith("min"):
            getattr(asm, "or" + t)(XMM_SCRATCH, ra)           # -0 and NaN from either order
            getattr(asm, "cmp" + t)(ra, XMM_SCRATCH, 3)       # unordered: NaN lanes
            getattr(asm, "or" + t)(XMM_SCRATCH, ra)
        else:
            getattr(asm, "xor" + t)(ra, XMM_SCRATCH)          # where the two orders differ
            getattr(asm, "or" + t)(XMM_SCRATCH, ra)           # NaNs
            getattr(asm, "sub" + t)(XMM_SCRATCH, ra)          # sign discrepancies and quiet NaNs
            getattr(asm, "cmp" + t)(ra, XMM_SCRATCH, 3)
        if is_f32:
            asm.psrld(ra, 10)
        else:
            asm.psrlq(ra, 13)
        getattr(asm, "andn" + t)(ra, XMM_SCRATCH)             # canonical NaN payloads
        self.release(b)
        self.v_push(ra)

    def v_i64x2_mul(self, _name: str) -> None:
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        t, token = self.v_temp(exclude=(ra, rb))
        asm.movdqa(t, ra)
        asm.psrlq(t, 32)
        asm.pmuludq(t, rb)                  # a.hi * b.lo
        asm.movdqa(XMM_SCRATCH, rb)
        asm.psrlq(XMM_SCRATCH, 32)
        asm.pmuludq(XMM_SCRATCH, ra)              # b.hi * a.lo
        asm.paddq(t, XMM_SCRATCH)
        asm.psllq(t, 32)
        asm.pmuludq(ra, rb)                 # a.lo * b.lo
        asm.paddq(ra, t)
        self.ra.free(token)
        self.release(b)
        self.v_push(ra)

    def v_q15mulr(self, _name: str) -> None:
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        asm.pmulhrsw(ra, rb)
        self.v_const(XMM_SCRATCH, splat_bits(0x8000, 16))
        asm.pcmpeqw(XMM_SCRATCH, ra)              # only 0x8000 * 0x8000 gives 0x8000: saturate to 0x7fff
        asm.pxor(ra, XMM_SCRATCH)
        self.release(b)
        self.v_push(ra)

    def v_extmul(self, name: str) -> None:
        shape = name[:5]
        high = "_high_" in name
        signed = name.endswith("_s")
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        if shape == "i16x8":
            ext = "pmovsxbw" if signed else "pmovzxbw"
            for r in (ra, rb):
                if high:
                    asm.pshufd(r, r, 0xEE)
                getattr(asm, ext)(r, r)
            asm.pmullw(ra, rb)
        elif shape == "i32x4":
            asm.movdqa(XMM_SCRATCH, ra)
            asm.pmullw(ra, rb)                                      # low halves of the products
            getattr(asm, "pmulhw" if signed else "pmulhuw")(XMM_SCRATCH, rb)   # high halves
            getattr(asm, "punpckhwd" if high else "punpcklwd")(ra, XMM_SCRATCH)
        else:
            order = 0xFA if high else 0x50      # lanes 2,2,3,3 / 0,0,1,1
            asm.pshufd(ra, ra, order)
            asm.pshufd(rb, rb, order)
            getattr(asm, "pmuldq" if signed else "pmuludq")(ra, rb)
        self.release(b)
        self.v_push(ra)

    def v_swizzle(self, _name: str) -> None:
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        asm.paddusb(rb, self.v_const(XMM_SCRATCH, splat_bits(0x70, 8)))    # indexes >= 16 -> top bit set
        asm.pshufb(ra, rb)
        self.release(b)
        self.v_push(ra)

    # -- lane-wise unary ---------------------------------------------------------------------------
    def v_unop(self, name: str) -> None:
        v, r = self.v_pop()
        getattr(self.asm, UNOPS[name])(r, r)
        self.v_push(r)

    def v_extend_high(self, name: str) -> None:
        v, r = self.v_pop()
        self.asm.pshufd(r, r, 0xEE)
        getattr(self.asm, EXTEND_HIGH[name])(r, r)
        self.v_push(r)

    def v_not(self, _name: str) -> None:
        v, r = self.v_pop()
        self.asm.pxor(r, self.v_ones(XMM_SCRATCH))
        self.v_push(r)

    def v_neg(self, name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
        getattr(asm, "psub" + _LANES[name[:5]])(XMM_SCRATCH, r)
        asm.movdqa(r, XMM_SCRATCH)
        self.v_push(r)

    def v_i64x2_abs(self, _name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
        asm.pcmpgtq(XMM_SCRATCH, r)               # all ones where negative
        asm.pxor(r, XMM_SCRATCH)
        asm.psubq(r, XMM_SCRATCH)
        self.v_push(r)

    def v_float_sign(self, name: str) -> None:
        """abs/neg: clear/flip the sign bits."""
        v, r = self.v_pop()
        bits = 32 if name.startswith("f32") else 64
        sign = splat_bits(1 << (bits - 1), bits)
        if name.endswith("abs"):
            self.asm.pand(r, self.v_const(XMM_SCRATCH, ~sign))
        else:
            self.asm.pxor(r, self.v_const(XMM_SCRATCH, sign))
        self.v_push(r)

    def v_round(self, name: str) -> None:
        v, r = self.v_pop()
        method = "roundps" if name.startswith("f32") else "roundpd"
        getattr(self.asm, method)(r, r, ROUNDING[name[6:]])
        self.v_push(r)

    def v_popcnt(self, _name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        lut = _bytes_bits([bin(i).count("1") for i in range(16)])
        t, token = self.v_temp(exclude=(r,))
        self.v_const(XMM_SCRATCH, splat_bits(0x0F, 8))
        asm.movdqa(t, r)
        asm.psrlw(t, 4)
        asm.pand(t, XMM_SCRATCH)                  # high nibbles
        asm.pand(r, XMM_SCRATCH)                  # low nibbles
        self.v_const(XMM_SCRATCH, lut)
        asm.pshufb(XMM_SCRATCH, r)
        asm.movdqa(r, XMM_SCRATCH)
        self.v_const(XMM_SCRATCH, lut)
        asm.pshufb(XMM_SCRATCH, t)
        asm.paddb(r, XMM_SCRATCH)
        self.ra.free(token)
        self.v_push(r)

    def v_extadd(self, name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        signed = name.endswith("_s")
        if name.startswith("i16x8"):
            if signed:      # pmaddubsw(unsigned ones, signed x)
                self.v_const(XMM_SCRATCH, splat_bits(1, 8))
                asm.pmaddubsw(XMM_SCRATCH, r)
                asm.movdqa(r, XMM_SCRATCH)
            else:           # pmaddubsw(unsigned x, signed ones)
                asm.pmaddubsw(r, self.v_const(XMM_SCRATCH, splat_bits(1, 8)))
        else:
            if not signed:  # bias to signed, sum, unbias: (x - 2^15) + (y - 2^15) + 2^16
                asm.pxor(r, self.v_const(XMM_SCRATCH, splat_bits(0x8000, 16)))
            asm.pmaddwd(r, self.v_const(XMM_SCRATCH, splat_bits(1, 16)))
            if not signed:
                asm.paddd(r, self.v_const(XMM_SCRATCH, splat_bits(0x10000, 32)))
        self.v_push(r)

    def v_convert_u(self, name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        if name.startswith("f32x4"):
            # exact high and low 16-bit halves, one rounding when they are added
            asm.movdqa(XMM_SCRATCH, r)
            asm.pslld(XMM_SCRATCH, 16)
            asm.psrld(XMM_SCRATCH, 16)            # low halves
            asm.psubd(r, XMM_SCRATCH)             # high halves (times 2^16)
            asm.cvtdq2ps(XMM_SCRATCH, XMM_SCRATCH)
            asm.psrld(r, 1)                 # stays positive as a signed int
            asm.cvtdq2ps(r, r)
            asm.addps(r, r)
            asm.addps(r, XMM_SCRATCH)
        else:
            # (2^52 + x) as a double, minus 2^52
            asm.unpcklps(r, self.v_const(XMM_SCRATCH, splat_bits(0x43300000, 32)))
            asm.subpd(r, self.v_const(XMM_SCRATCH, splat_bits(0x4330000000000000, 64)))
        self.v_push(r)

    def v_trunc_sat(self, name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        if name == "i32x4.trunc_sat_f32x4_s":
            asm.movdqa(XMM_SCRATCH, r)
            asm.cmpps(XMM_SCRATCH, XMM_SCRATCH, 0)      # not NaN
            asm.pand(r, XMM_SCRATCH)              # NaN -> 0
            asm.pxor(XMM_SCRATCH, r)              # top bit set where r >= 0
            asm.cvttps2dq(r, r)
            asm.pand(XMM_SCRATCH, r)
            asm.psrad(XMM_SCRATCH, 31)            # positive overflow (0x80000000 from a positive input)
            asm.pxor(r, XMM_SCRATCH)              # -> 0x7fffffff
        elif name == "i32x4.trunc_sat_f32x4_u":
            t, token = self.v_temp(exclude=(r,))
            asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
            asm.maxps(r, XMM_SCRATCH)             # NaN and negatives -> 0
            asm.pcmpeqd(XMM_SCRATCH, XMM_SCRATCH)
            asm.psrld(XMM_SCRATCH, 1)
            asm.cvtdq2ps(XMM_SCRATCH, XMM_SCRATCH)      # 2^31 as a float
            asm.movdqa(t, r)
            asm.subps(t, XMM_SCRATCH)             # x - 2^31
            asm.cmpps(XMM_SCRATCH, t, 2)          # 2^31 <= x - 2^31: beyond the u32 range
            asm.cvttps2dq(t, t)
            asm.pxor(t, XMM_SCRATCH)
            asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
            asm.pmaxsd(t, XMM_SCRATCH)            # lanes below 2^31 add nothing
            asm.cvttps2dq(r, r)             # 0x80000000 for lanes >= 2^31
            asm.paddd(r, t)
            self.ra.free(token)
        elif name == "i32x4.trunc_sat_f64x2_s_zero":
            asm.movdqa(XMM_SCRATCH, r)
            asm.cmppd(XMM_SCRATCH, XMM_SCRATCH, 0)      # not NaN
            asm.andpd(XMM_SCRATCH, self.v_temp_const(splat_bits(0x41DFFFFFFFC00000, 64), r))   # 2^31 - 1
            asm.minpd(r, XMM_SCRATCH)             # clamp above; NaN lanes take 0
            asm.cvttpd2dq(r, r)             # below: 0x80000000 is already INT_MIN
        else:  # i32x4.trunc_sat_f64x2_u_zero
            asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
            asm.maxpd(r, XMM_SCRATCH)             # NaN and negatives -> 0
            asm.minpd(r, self.v_const(XMM_SCRATCH, splat_bits(0x41EFFFFFFFE00000, 64)))   # 2^32 - 1
            asm.roundpd(r, r, 3)
            asm.addpd(r, self.v_const(XMM_SCRATCH, splat_bits(0x4330000000000000, 64)))  # integer bits low
            asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
            asm.shufps(r, XMM_SCRATCH, 0x88)      # the low dwords of both doubles, then zeros
        self.v_push(r)

    def v_temp_const(self, bits: int, busy: Xmm) -> Xmm:
        """A constant in a temporary register (freed at once: use it in the next instruction)."""
        t, token = self.v_temp(exclude=(busy, XMM_SCRATCH))
        self.v_const(t, bits)
        self.ra.free(token)
        return t

    # -- shifts ------------------------------------------------------------------------------------
    def v_shift_count(self, count: Val, lane_bits: int) -> Xmm | int:
        """The shift count modulo the lane width: an int for a constant, else in xmm15."""
        if count.kind == CONST:
            return count.x % lane_bits
        self.asm.mov(SCRATCH, self.operand(count, allow_imm=False), 32)
        self.asm.and_(SCRATCH, lane_bits - 1, 32)
        self.release(count)
        self.asm.movd(XMM_SCRATCH, SCRATCH)
        return XMM_SCRATCH

    def v_shift(self, name: str) -> None:
        lane_bits, method = SHIFTS[name]
        count = self.pop()
        v, r = self.v_pop()
        if name == "i64x2.shr_s":
            self.v_i64x2_shr_s(r, count)
        else:
            getattr(self.asm, method)(r, self.v_shift_count(count, lane_bits))
        self.v_push(r)

    def v_i64x2_shr_s(self, r: Xmm, count: Val) -> None:
        """((x >>> n) ^ m) - m with m = 2^63 >>> n."""
        asm = self.asm
        t, token = self.v_temp(exclude=(r,))
        n = self.v_shift_count(count, 64)
        self.v_const(t, splat_bits(1 << 63, 64))
        asm.psrlq(t, n)
        asm.psrlq(r, n)
        asm.pxor(r, t)
        asm.psubq(r, t)
        self.ra.free(token)

    def v_i8x16_shift(self, name: str) -> None:
        count = self.pop()
        v, r = self.v_pop()
        asm = self.asm
        t, token = self.v_temp(exclude=(r,))
        if name == "i8x16.shr_s":
            # bytes to the high halves of words, arithmetic shift by n + 8, pack back
            if count.kind == CONST:
                n = count.x % 8 + 8
            else:
                self.v_shift_count(count, 8)
                asm.add(SCRATCH, 8, 32)
                asm.movd(XMM_SCRATCH, SCRATCH)
                n = XMM_SCRATCH
            asm.movdqa(t, r)
            asm.punpcklbw(r, r)
            asm.punpckhbw(t, t)
            asm.psraw(r, n)
            asm.psraw(t, n)
            asm.packsswb(r, t)
        else:
            # word shifts, then clear the bits that crossed into the neighbour byte
            n = self.v_shift_count(count, 8)
            if isinstance(n, int):
                mask = ((0xFF << n) if name.endswith("shl") else (0xFF >> n)) & 0xFF
                self.v_const(t, splat_bits(mask, 8))
            else:
                self.v_ones(t)
                if name.endswith("shl"):
                    asm.psllw(t, n)                  # low byte: 0xff << n
                else:
                    asm.psrlw(t, n)
                    asm.psrlw(t, 8)                  # low byte: 0xff >> n
                asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
                asm.pshufb(t, XMM_SCRATCH)                 # that byte everywhere
                asm.movd(XMM_SCRATCH, SCRATCH)                 # the count again
                n = XMM_SCRATCH
            getattr(asm, "psllw" if name.endswith("shl") else "psrlw")(r, n)
            asm.pand(r, t)
        self.ra.free(token)
        self.v_push(r)


class SimdLanes(SimdOperands):
    """v128 splats, lane access, shuffles, reductions, loads, stores and constants of ``FunctionCompiler``."""

    # -- lanes -------------------------------------------------------------------------------------
    def v_splat(self, name: str) -> None:
        shape = name[:5]
        v = self.pop()
        bits = {"i8x16": 8, "i16x8": 16, "i32x4": 32, "i64x2": 64, "f32x4": 32, "f64x2": 64}[shape]
        if v.kind == CONST:
            self.push(CONST, V128, splat_bits(v.x, bits))
            return
        asm = self.asm
        if shape in ("f32x4", "f64x2"):
            r = self.to_reg(v)
            if shape == "f32x4":
                asm.shufps(r, r, 0)
            else:
                asm.unpcklpd(r, r)
            self.ra.free(v)
            self.v_push(r)
            return
        src = self.to_reg(v)
        r = self.ra.alloc(V128)
        if bits == 64:
            asm.movq(r, src)
            asm.punpcklqdq(r, r)
        else:
            asm.movd(r, src)
            self.v_broadcast(r, bits)
        self.release(v)
        self.v_push(r)

    def v_broadcast(self, r: Xmm, bits: int) -> None:
        """Lane 0 (of ``bits`` bits) to every lane."""
        asm = self.asm
        if bits == 8:
            asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
            asm.pshufb(r, XMM_SCRATCH)
        elif bits == 16:
            asm.pshuflw(r, r, 0)
            asm.pshufd(r, r, 0)
        elif bits == 32:
            asm.pshufd(r, r, 0)
        else:
            asm.punpcklqdq(r, r)

    def v_extract_lane(self, name: str, lane: int) -> None:
        shape = name[:5]
        v, r = self.v_pop()
        asm = self.asm
        if shape in ("f32x4", "f64x2"):
            if lane:
                asm.pshufd(r, r, lane if shape == "f32x4" else 0xEE)
            self.ra.free(v)
            self.v_push(r, F32 if shape == "f32x4" else F64)
            return
        bits = int(shape[1:].split("x")[0])
        ty = I64 if bits == 64 else I32
        dst = self.ra.alloc(ty)
        if bits == 32 and lane == 0:
            asm.movd(dst, r)
        elif bits == 64 and lane == 0:
            asm.movq(dst, r)
        else:
            getattr(asm, _EXTRACT[bits])(dst, r, lane)
        if name.endswith("_s"):
            asm.movsx(dst, dst, bits, 32)
        self.release(v)
        self.push_reg(dst, ty)

    def v_replace_lane(self, name: str, lane: int) -> None:
        shape = name[:5]
        x = self.pop()
        v, r = self.v_pop()
        asm = self.asm
        if shape == "f32x4":
            src = self.to_reg(x, exclude=(r,))
            asm.insertps(r, src, lane << 4)
        elif shape == "f64x2":
            src = self.to_reg(x, exclude=(r,))
            if lane == 0:
                asm.movsd(r, src)
            else:
                asm.unpcklpd(r, src)
        else:
            bits = int(shape[1:].split("x")[0])
            src = self.to_reg(x)
            getattr(asm, _INSERT[bits])(r, src, lane)
        self.release(x)
        self.v_push(r)

    def v_shuffle(self, lanes: bytes) -> None:
        a, ra, b, rb = self.v_binary()
        asm = self.asm
        asm.pshufb(ra, self.v_const(XMM_SCRATCH, _bytes_bits([x if x < 16 else 0x80 for x in lanes])))
        asm.pshufb(rb, self.v_const(XMM_SCRATCH, _bytes_bits([x - 16 if x >= 16 else 0x80 for x in lanes])))
        asm.por(ra, rb)
        self.release(b)
        self.v_push(ra)

    def v_bitselect(self, _name: str) -> None:
        _a, ra, b, rb, c, rc = self.v_ternary()
        self.v_emit_bitselect(ra, rb, rc)
        self.release(b, c)
        self.v_push(ra)

    # -- tests and masks ---------------------------------------------------------------------------
    def v_any_true(self, _name: str) -> None:
        v, r = self.v_pop()
        self.asm.ptest(r, r)
        self.release(v)
        self.push_cond(Cond.NE)

    def v_all_true(self, name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        asm.pxor(XMM_SCRATCH, XMM_SCRATCH)
        getattr(asm, "pcmpeq" + _LANES[name[:5]])(XMM_SCRATCH, r)     # all ones in the zero lanes
        asm.ptest(XMM_SCRATCH, XMM_SCRATCH)
        self.release(v)
        self.push_cond(Cond.E)

    def v_bitmask(self, name: str) -> None:
        v, r = self.v_pop()
        asm = self.asm
        dst = self.ra.alloc(I32)
        shape = name[:5]
        if shape == "i8x16":
            asm.pmovmskb(dst, r)
        elif shape == "i16x8":
            asm.packsswb(r, r)              # signs survive the saturation
            asm.pmovmskb(dst, r)
            asm.movzx(dst, dst, 8, 32)
        elif shape == "i32x4":
            asm.movmskps(dst, r)
        else:
            asm.movmskpd(dst, r)
        self.release(v)
        self.push_reg(dst, I32)

    # -- memory ------------------------------------------------------------------------------------
    def v_load(self, name: str, _align: int, offset: int) -> None:
        addr = self.pop()
        mem = self.address(addr, offset, _align, ACCESS_BYTES[name])
        self.release(addr)
        r = self.ra.alloc(V128)
        asm = self.asm
        self.record_pc()
        if name in LOADS:
            getattr(asm, LOADS[name][0])(r, mem)
        else:
            bits = SPLAT_LOADS[name]
            if bits == 64:
                asm.movq(r, mem)
            elif bits == 32:
                asm.movd(r, mem)
            else:
                asm.pxor(r, r)
                getattr(asm, _INSERT[bits])(r, mem, 0)
            self.v_broadcast(r, bits)
        self.v_push(r)

    def v_store(self, _name: str, _align: int, offset: int) -> None:
        v = self.pop()
        addr = self.pop()
        src = self.to_reg(v)
        mem = self.address(addr, offset, _align, ACCESS_BYTES[_name])
        self.record_pc()
        self.asm.movdqu(mem, src)
        self.release(v, addr)

    def v_lane_access(self, name: str, prefix: str, offset: int, a: int = 0
                      ) -> tuple[Val, Xmm, Val, Any, int]:
        """Pop the vector and the address of a lane load/store: (vector, its register, address,
        memory operand, lane bits). The trap site is recorded: the next instruction is the access."""
        bits = LANE_BITS[name[len(prefix):].split("_")[0]]
        v = self.pop()
        addr = self.pop()
        r = self.to_reg(v)
        mem = self.address(addr, offset, a, ACCESS_BYTES[name])
        self.record_pc()
        return v, r, addr, mem, bits

    def v_load_lane(self, name: str, _align: int, imm: tuple[int, int]) -> None:
        offset, lane = imm
        v, r, addr, mem, bits = self.v_lane_access(name, "v128.load", offset, _align)
        getattr(self.asm, _INSERT[bits])(r, mem, lane)
        self.release(addr)
        self.v_push(r)

    def v_store_lane(self, name: str, _align: int, imm: tuple[int, int]) -> None:
        offset, lane = imm
        v, r, addr, mem, bits = self.v_lane_access(name, "v128.store", offset, _align)
        if bits == 64 and lane == 0:
            self.asm.movq(mem, r)
        elif bits == 32 and lane == 0:
            self.asm.movd(mem, r)
        else:
            getattr(self.asm, _EXTRACT[bits])(mem, r, lane)
        self.release(v, addr)

    def v128_const(self, bits: int, _b: Any) -> None:
        self.push(CONST, V128, bits)


def simd_handlers(key: dict[str, int]) -> dict[int, Any]:
    """Opcode key -> handler(compiler, a, b) for every v128 instruction, from the tables above."""
    h: dict[int, Any] = {}

    def named(method: Any, name: str) -> Any:
        def handler(self: Any, _a: Any, _b: Any) -> None:
            self.v_check()
            method(self, name)
        return handler

    def with_imm(method: Any, name: str) -> Any:
        def handler(self: Any, a: Any, b: Any) -> None:
            self.v_check()
            method(self, name, a, b)
        return handler

    def with_lane(method: Any, name: str) -> Any:
        def handler(self: Any, lane: int, _b: Any) -> None:
            self.v_check()
            method(self, name, lane)
        return handler

    s, t = SimdArithmetic, SimdLanes
    groups: list[tuple[Any, Any]] = [
        (BINOPS, s.v_binop), (SWAPPED_BINOPS, s.v_swapped_binop), (INT_COMPARES, s.v_int_compare),
        (FLOAT_COMPARES, s.v_float_compare), (SHIFTS, s.v_shift), (UNOPS, s.v_unop),
        (EXTEND_HIGH, s.v_extend_high),
        (("f32x4.min", "f32x4.max", "f64x2.min", "f64x2.max"), s.v_float_minmax),
        (("i8x16.shl", "i8x16.shr_s", "i8x16.shr_u"), s.v_i8x16_shift),
        (("i64x2.mul",), s.v_i64x2_mul), (("i16x8.q15mulr_sat_s",), s.v_q15mulr),
        ([n for n in key if "extmul" in n], s.v_extmul), (("i8x16.swizzle",), s.v_swizzle),
        (("v128.not",), s.v_not), (("i8x16.neg", "i16x8.neg", "i32x4.neg", "i64x2.neg"), s.v_neg),
        (("i64x2.abs",), s.v_i64x2_abs),
        (("f32x4.abs", "f32x4.neg", "f64x2.abs", "f64x2.neg"), s.v_float_sign),
        ([f"{t}.{r}" for t in ("f32x4", "f64x2") for r in ROUNDING], s.v_round),
        (("i8x16.popcnt",), s.v_popcnt), ([n for n in key if "extadd_pairwise" in n], s.v_extadd),
        (("f32x4.convert_i32x4_u", "f64x2.convert_low_i32x4_u"), s.v_convert_u),
        ([n for n in key if ".trunc_sat_f" in n and n.startswith("i32x4")], s.v_trunc_sat),
        ([f"{t}.splat" for t in ("i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2")], t.v_splat),
        (("v128.bitselect",), t.v_bitselect), (("v128.any_true",), t.v_any_true),
        ([f"{t}.all_true" for t in _LANES], t.v_all_true), ([f"{t}.bitmask" for t in _LANES], t.v_bitmask),
    ]
    for names, method in groups:
        for name in names:
            h[key[name]] = named(method, name)
    for name in key:
        if name.endswith(("extract_lane", "extract_lane_s", "extract_lane_u")):
            h[key[name]] = with_lane(t.v_extract_lane, name)
        elif name.endswith("replace_lane"):
            h[key[name]] = with_lane(t.v_replace_lane, name)
    for name in (*LOADS, *SPLAT_LOADS):
        h[key[name]] = with_imm(t.v_load, name)
    h[key["v128.store"]] = with_imm(t.v_store, "v128.store")
    for bits in (8, 16, 32, 64):
        h[key[f"v128.load{bits}_lane"]] = with_imm(t.v_load_lane, f"v128.load{bits}_lane")
        h[key[f"v128.store{bits}_lane"]] = with_imm(t.v_store_lane, f"v128.store{bits}_lane")
    h[key["i8x16.shuffle"]] = with_lane(lambda self, _name, lanes: self.v_shuffle(lanes), "i8x16.shuffle")
    h[key["v128.const"]] = lambda self, a, b: self.v128_const(a, b)
    return h


lower_all(simd_handlers(KEY))
