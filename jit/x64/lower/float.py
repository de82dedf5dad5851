"""Float arithmetic, comparisons, rounding, conversions and truncations (f32 and f64)."""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import vmctx as V
from ...wasm.types import F32, F64, I32, I64
from ..context import FLAGS, M32, M64, SIGN32, SIGN64
from ..encoder import Cond, Label, Mem
from ..registers import SCRATCH, XMM_SCRATCH, Gpr, Xmm
from ..stack import CONST, LOCAL, REG, SLOT
from . import lower_named

if TYPE_CHECKING:
    from ..compiler import FunctionCompiler


# float binary arithmetic: name -> (type, assembler method)
FLOAT_BINOPS = {f"{p}.{op}": (ty, f"{op}{sfx}") for ty, p, sfx in ((F32, "f32", "ss"), (F64, "f64", "sd"))
                for op in ("add", "sub", "mul", "div")}
# float comparisons: name -> (type, condition after ucomis(a, b), swap operands?)
FLOAT_COMPARES = {}
for _ty, _p in ((F32, "f32"), (F64, "f64")):
    FLOAT_COMPARES.update({
        f"{_p}.eq": (_ty, "eq", False), f"{_p}.ne": (_ty, "ne", False),
        f"{_p}.lt": (_ty, Cond.A, True), f"{_p}.gt": (_ty, Cond.A, False),
        f"{_p}.le": (_ty, Cond.AE, True), f"{_p}.ge": (_ty, Cond.AE, False),
    })
ROUNDING = {"nearest": 0, "floor": 1, "ceil": 2, "trunc": 3}


class FloatLowering:
    """Float instructions of ``FunctionCompiler``."""

    def float_binop(self, name: str) -> None:
        ty, method = FLOAT_BINOPS[name]
        b = self.pop()
        a = self.pop()
        if method.startswith(("add", "mul")) and b.kind == REG and a.kind != REG:
            a, b = b, a
        target, dst = self.binop_destination(a, b)
        if b.kind == CONST:         # from the constant pool: mulsd xmm0, [rip + c]
            src = self.mc.const_label(b.x, 16)
        else:
            src = self.to_reg(b) if b.kind == FLAGS else self.operand(b)
        getattr(self.asm, method)(dst, src)
        self.release(b)
        self.push_binop_result(target, dst, ty)

    def float_minmax(self, name: str) -> None:
        ty = F32 if name.startswith("f32") else F64
        is_min = name.endswith("min")
        sfx = "ss" if ty == F32 else "sd"
        ps = "ps" if ty == F32 else "pd"
        b = self.pop()
        a = self.pop()
        dst = self.to_reg(a)
        src = self.to_reg(b, exclude=(dst,))
        asm = self.asm
        nan, normal, done = asm.label(), asm.label(), asm.label()
        getattr(asm, "ucomi" + sfx)(dst, src)
        asm.jcc(Cond.P, nan)
        asm.jcc(Cond.NE, normal)
        # Equal: ±0 are ordered by their sign bits (min: or, max: and).
        getattr(asm, ("or" if is_min else "and") + ps)(dst, src)
        asm.jmp(done)
        asm.bind(nan)
        getattr(asm, "add" + sfx)(dst, src)       # propagates a (quieted) NaN
        asm.jmp(done)
        asm.bind(normal)
        getattr(asm, ("min" if is_min else "max") + sfx)(dst, src)
        asm.bind(done)
        self.release(b)
        self.push_reg(dst, ty)

    def sign_mask(self, ty: int, invert: bool) -> Xmm:
        bits = (SIGN32 if ty == F32 else SIGN64)
        if invert:
            bits ^= (M32 if ty == F32 else M64)
        self.load_const(XMM_SCRATCH, bits, ty)
        return XMM_SCRATCH

    def float_unop(self, name: str) -> None:
        ty = F32 if name.startswith("f32") else F64
        op = name[4:]
        ps = "ps" if ty == F32 else "pd"
        sfx = "ss" if ty == F32 else "sd"
        v = self.pop()
        asm = self.asm
        if v.kind == CONST and op in ("abs", "neg"):
            sign = SIGN32 if ty == F32 else SIGN64
            self.push(CONST, ty, v.x & ~sign if op == "abs" else v.x ^ sign)
            return
        dst = self.to_reg(v)
        if op == "abs":
            getattr(asm, "and" + ps)(dst, self.sign_mask(ty, invert=True))
        elif op == "neg":
            getattr(asm, "xor" + ps)(dst, self.sign_mask(ty, invert=False))
        elif op == "sqrt":
            getattr(asm, "sqrt" + sfx)(dst, dst)
        else:
            getattr(asm, "round" + sfx)(dst, dst, ROUNDING[op] | 8)
        self.push_reg(dst, ty)

    def float_copysign(self, name: str) -> None:
        ty = F32 if name.startswith("f32") else F64
        ps = "ps" if ty == F32 else "pd"
        b = self.pop()
        a = self.pop()
        dst = self.to_reg(a)
        src = self.to_reg(b, exclude=(dst,))
        asm = self.asm
        getattr(asm, "and" + ps)(dst, self.sign_mask(ty, invert=True))
        getattr(asm, "and" + ps)(src, self.sign_mask(ty, invert=False))
        getattr(asm, "or" + ps)(dst, src)
        self.release(b)
        self.push_reg(dst, ty)

    def float_compare(self, name: str) -> None:
        ty, cond, swap = FLOAT_COMPARES[name]
        sfx = "ss" if ty == F32 else "sd"
        b = self.pop()
        a = self.pop()
        if swap:
            a, b = b, a
        lhs = self.operand(a) if a.kind == LOCAL else None   # ucomis* only reads: a pinned local will do
        if not isinstance(lhs, Xmm):
            lhs = self.to_reg(a)
        rhs = self.to_reg(b) if b.kind in (CONST, FLAGS) else self.operand(b)
        getattr(self.asm, "ucomi" + sfx)(lhs, rhs)
        self.release(a, b)
        self.push_cond({"eq": "feq", "ne": "fne"}.get(cond, cond))

    def float_convert(self, name: str) -> None:
        v = self.pop()
        asm = self.asm
        res_ty = F32 if name.startswith("f32") else F64
        sfx = "ss" if res_ty == F32 else "sd"
        if name in ("f32.demote_f64", "f64.promote_f32"):
            dst = self.to_reg(v)
            (asm.cvtsd2ss if res_ty == F32 else asm.cvtss2sd)(dst, dst)
            self.push_reg(dst, res_ty)
            return
        src_ty = I32 if "_i32_" in name else I64
        unsigned = name.endswith("_u")
        src = self.to_reg(v)
        dst = self.ra.alloc(res_ty)
        asm.xorps(dst, dst)
        cvt = getattr(asm, "cvtsi2" + sfx)
        if src_ty == I32:
            # Unsigned i32 is zero-extended in the register: convert as a 64-bit signed value.
            cvt(dst, src, 64 if unsigned else 32)
        elif not unsigned:
            cvt(dst, src, 64)
        else:
            big, done = asm.label(), asm.label()
            asm.test(src, src, 64)
            asm.jcc(Cond.S, big)
            cvt(dst, src, 64)
            asm.jmp(done)
            asm.bind(big)
            # Halve with the lost bit kept sticky, convert, double: correctly rounded.
            asm.mov(SCRATCH, src, 64)
            asm.shr(SCRATCH, 1, 64)
            asm.and_(src, 1, 32)
            asm.or_(SCRATCH, src, 64)
            cvt(dst, SCRATCH, 64)
            getattr(asm, "add" + sfx)(dst, dst)
            asm.bind(done)
        self.release(v)
        self.push_reg(dst, res_ty)

    def reinterpret(self, name: str) -> None:
        v = self.pop()
        res_ty = {"i32.reinterpret_f32": I32, "i64.reinterpret_f64": I64,
                  "f32.reinterpret_i32": F32, "f64.reinterpret_i64": F64}[name]
        if v.kind in (CONST, SLOT) or (v.kind == LOCAL and isinstance(self.mem_of(v), Mem)):
            v.ty = res_ty
            self.push_val(v)
            return
        src = self.to_reg(v)
        dst = self.ra.alloc(res_ty)
        asm = self.asm
        if res_ty == I32:
            asm.movd(dst, src)
        elif res_ty == I64:
            asm.movq(dst, src)
        elif res_ty == F32:
            asm.movd(dst, src)
        else:
            asm.movq(dst, src)
        self.release(v)
        self.push_reg(dst, res_ty)

    def float_trunc(self, name: str) -> None:
        """i32/i64.trunc[_sat]_f32/f64_s/u."""
        sat = "_sat_" in name
        res_ty = I32 if name.startswith("i32") else I64
        src_ty = F32 if "_f32_" in name else F64
        unsigned = name.endswith("_u")
        v = self.pop()
        x = self.to_reg(v)
        dst = self.ra.alloc(res_ty)
        TruncEmitter(self, x, dst, src_ty, res_ty, unsigned, sat).emit()
        self.release(v)
        self.push_reg(dst, res_ty)


class TruncEmitter:
    """Float to integer truncation with the spec's traps (or saturation for trunc_sat)."""

    def __init__(self, fc: FunctionCompiler, x: Xmm, dst: Gpr, src_ty: int, res_ty: int,
                 unsigned: bool, sat: bool) -> None:
        self.fc, self.a, self.x, self.dst = fc, fc.asm, x, dst
        self.src_ty, self.res_ty, self.unsigned, self.sat = src_ty, res_ty, unsigned, sat
        self.sfx = "ss" if src_ty == F32 else "sd"

    def const(self, value: float) -> Label:
        bits = struct.unpack("<I", struct.pack("<f", value))[0] if self.src_ty == F32 else \
            struct.unpack("<Q", struct.pack("<d", value))[0]
        return self.fc.mc.const_label(bits, 16)

    def ucomi(self, x: Xmm, src) -> None:
        getattr(self.a, "ucomi" + self.sfx)(x, src)

    def cvtt(self, dst: Gpr, x: Xmm, size: int) -> None:
        getattr(self.a, "cvtt" + self.sfx + "2si")(dst, x, size)

    def fail(self, kind: str) -> Label:
        """A label that traps (or, for saturation, is not used)."""
        lbl = self.a.label()
        self.fc.trap_sites.append((lbl, V.TRAP_CODE[kind], self.fc.pos))
        return lbl

    def emit(self) -> None:
        if self.res_ty == I64 and self.unsigned:
            self.emit_u64()
        elif self.unsigned:
            self.emit_u32()
        else:
            self.emit_signed()

    def emit_signed(self) -> None:
        a, x, dst = self.a, self.x, self.dst
        size = 32 if self.res_ty == I32 else 64
        lo = -2.0 ** (size - 1)
        self.cvtt(dst, x, size)
        done, slow = a.label(), a.label()
        a.cmp(dst, 1, size)            # only INT_MIN overflows when 1 is subtracted
        a.jcc(Cond.O, slow)
        a.bind(done)
        # out of line would be nicer; the slow path follows a jump over it
        after = a.label()
        a.jmp(after)
        a.bind(slow)
        if self.sat:
            # NaN -> 0; negative -> INT_MIN (already); positive -> INT_MAX.
            zero, isneg = a.label(), a.label()
            self.ucomi(x, x)
            a.jcc(Cond.P, zero)
            a.xorps(XMM_SCRATCH, XMM_SCRATCH)
            self.ucomi(x, XMM_SCRATCH)
            a.jcc(Cond.B, isneg)
            a.mov(dst, (1 << (size - 1)) - 1, size)
            a.jmp(after)
            a.bind(zero)
            a.xor(dst, dst, 32)
            a.bind(isneg)
            a.jmp(after)
        else:
            self.ucomi(x, x)
            a.jcc(Cond.P, self.fail("invalid conversion to integer"))
            if size == 32 and self.src_ty == F64:
                # valid iff -2^31 - 1 < x < 2^31 (all truncate to INT_MIN here)
                self.ucomi(x, self.const(lo - 1.0))
                a.jcc(Cond.BE, self.fail("integer overflow"))
                self.ucomi(x, self.const(-lo))
                a.jcc(Cond.AE, self.fail("integer overflow"))
            else:
                self.ucomi(x, self.const(lo))
                a.jcc(Cond.NE, self.fail("integer overflow"))
            a.jmp(after)
        a.bind(after)

    def emit_u32(self) -> None:
        # Truncate as a signed 64-bit value: valid iff the result is within [0, 2^32).
        a, x, dst = self.a, self.x, self.dst
        self.cvtt(dst, x, 64)
        after, slow = a.label(), a.label()
        a.mov(SCRATCH, dst, 64)
        a.shr(SCRATCH, 32, 64)
        a.jcc(Cond.NE, slow)
        a.jmp(after)
        a.bind(slow)
        if self.sat:
            zero = a.label()
            self.ucomi(x, x)
            a.jcc(Cond.P, zero)
            a.xorps(XMM_SCRATCH, XMM_SCRATCH)
            self.ucomi(x, XMM_SCRATCH)
            a.jcc(Cond.B, zero)
            a.mov(dst, M32, 32)
            a.jmp(after)
            a.bind(zero)
            a.xor(dst, dst, 32)
        else:
            self.ucomi(x, x)
            a.jcc(Cond.P, self.fail("invalid conversion to integer"))
            a.jmp(self.fail("integer overflow"))
        a.bind(after)

    def emit_u64(self) -> None:
        a, x, dst = self.a, self.x, self.dst
        big, after, neg = a.label(), a.label(), a.label()
        two63 = self.const(2.0 ** 63)
        self.ucomi(x, two63)
        a.jcc(Cond.AE, big)                     # x >= 2^63 (ordered)
        self.cvtt(dst, x, 64)                   # NaN and x <= -1 give negative results
        a.test(dst, dst, 64)
        a.jcc(Cond.S, neg)
        a.jmp(after)
        a.bind(big)
        getattr(a, "movap" + ("s" if self.src_ty == F32 else "d"))(XMM_SCRATCH, x)
        getattr(a, "sub" + self.sfx)(XMM_SCRATCH, two63)
        self.cvtt(dst, XMM_SCRATCH, 64)
        a.test(dst, dst, 64)
        if self.sat:
            sat_max = a.label()
            a.jcc(Cond.S, sat_max)
            a.mov(SCRATCH, SIGN64, 64)
            a.xor(dst, SCRATCH, 64)
            a.jmp(after)
            a.bind(sat_max)
            a.mov(dst, -1, 64)
            a.jmp(after)
            a.bind(neg)
            a.xor(dst, dst, 32)              # NaN or negative -> 0
        else:
            a.jcc(Cond.S, self.fail("integer overflow"))
            a.mov(SCRATCH, SIGN64, 64)
            a.xor(dst, SCRATCH, 64)
            a.jmp(after)
            a.bind(neg)
            self.ucomi(x, x)
            a.jcc(Cond.P, self.fail("invalid conversion to integer"))
            # -1 < x < 0 truncates to 0 and cannot reach here; anything else negative overflows.
            a.jmp(self.fail("integer overflow"))
        a.bind(after)


fc = FloatLowering
lower_named(FLOAT_BINOPS, fc.float_binop)
lower_named(FLOAT_COMPARES, fc.float_compare)
_P = ("f32", "f64")
lower_named([f"{p}.{op}" for p in _P for op in ("min", "max")], fc.float_minmax)
lower_named([f"{p}.copysign" for p in _P], fc.float_copysign)
lower_named([f"{p}.{op}" for p in _P for op in ("abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest")],
            fc.float_unop)
lower_named([f"{p}.convert_{src}_{sg}" for p in _P for src in ("i32", "i64") for sg in ("s", "u")]
            + ["f32.demote_f64", "f64.promote_f32"], fc.float_convert)
lower_named(("i32.reinterpret_f32", "i64.reinterpret_f64", "f32.reinterpret_i32", "f64.reinterpret_i64"),
            fc.reinterpret)
lower_named([f"{r}.{mid}_{f}_{sg}" for r in ("i32", "i64") for f in _P for sg in ("s", "u")
             for mid in ("trunc", "trunc_sat")], fc.float_trunc)
del fc
