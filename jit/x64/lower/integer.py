"""Integer arithmetic, comparisons, division, bit counts and conversions (i32 and i64).

The tables map instruction names to what the shared lowering needs (assembler method, constant
fold); every name of a table is registered for the method that reads it (end of module).
"""
from __future__ import annotations

from ...abi.cpu import host_features
from ...errors import CompileError
from ...wasm.types import I32, I64
from ..context import FLAGS, M32, M64
from ..encoder import Cond, Mem
from ..registers import CL, RAX, RCX, RDX, SCRATCH, Gpr
from ..stack import CONST, LOCAL, REG, SLOT, Val, size_of, to_s32, to_s64
from . import FUSE_TARGETS, KEY, OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE, lower_named, lowers
from .divmagic import signed_magic, unsigned_magic

OP_I64_EQZ = KEY["i64.eqz"]
ADD_KEY = {I32: KEY["i32.add"], I64: KEY["i64.add"]}
CONST_KEY = {I32: KEY["i32.const"], I64: KEY["i64.const"]}
ADD_SUB_KEYS = {I32: (KEY["i32.add"], KEY["i32.sub"]), I64: (KEY["i64.add"], KEY["i64.sub"])}

# Instructions that take a comparison result straight from the flags.
FLAG_CONSUMERS = FUSE_TARGETS | {KEY["i32.eqz"], KEY["drop"]}

# --- integer operation tables ---------------------------------------------------------------------

def _u(x: int, size: int) -> int:
    return x & (M32 if size == 32 else M64)


def _rot(x: int, k: int, size: int) -> int:
    """Rotate left by k (0 <= k < size)."""
    return _u((x << k) | (x >> (size - k)), size) if k else x


def _s(x: int, size: int) -> int:
    return to_s32(x) if size == 32 else to_s64(x)


# name -> (type, assembler method, commutative, constant fold)
INT_BINOPS = {}
for _ty, _p, _sz in ((I32, "i32", 32), (I64, "i64", 64)):
    INT_BINOPS.update({
        f"{_p}.add": (_ty, "add", True, lambda a, b, s=_sz: _u(a + b, s)),
        f"{_p}.sub": (_ty, "sub", False, lambda a, b, s=_sz: _u(a - b, s)),
        f"{_p}.and": (_ty, "and_", True, lambda a, b, s=_sz: a & b),
        f"{_p}.or": (_ty, "or_", True, lambda a, b, s=_sz: a | b),
        f"{_p}.xor": (_ty, "xor", True, lambda a, b, s=_sz: a ^ b),
        f"{_p}.mul": (_ty, "imul", True, lambda a, b, s=_sz: _u(a * b, s)),
    })


INT_SHIFTS = {}
for _ty, _p, _sz in ((I32, "i32", 32), (I64, "i64", 64)):
    _m = _sz - 1
    INT_SHIFTS.update({
        f"{_p}.shl": (_ty, "shl", lambda a, b, s=_sz, m=_m: _u(a << (b & m), s)),
        f"{_p}.shr_u": (_ty, "shr", lambda a, b, s=_sz, m=_m: a >> (b & m)),
        f"{_p}.shr_s": (_ty, "sar", lambda a, b, s=_sz, m=_m: _u(_s(a, s) >> (b & m), s)),
        f"{_p}.rotl": (_ty, "rol", lambda a, b, s=_sz, m=_m: _rot(a, b & m, s)),
        f"{_p}.rotr": (_ty, "ror", lambda a, b, s=_sz, m=_m: _rot(a, (s - (b & m)) & m, s)),
    })

# name -> (operand type, condition for "a OP b", signed?)
INT_COMPARES = {}
for _ty, _p in ((I32, "i32"), (I64, "i64")):
    INT_COMPARES.update({
        f"{_p}.eq": (_ty, Cond.E), f"{_p}.ne": (_ty, Cond.NE),
        f"{_p}.lt_s": (_ty, Cond.L), f"{_p}.lt_u": (_ty, Cond.B),
        f"{_p}.gt_s": (_ty, Cond.G), f"{_p}.gt_u": (_ty, Cond.A),
        f"{_p}.le_s": (_ty, Cond.LE), f"{_p}.le_u": (_ty, Cond.BE),
        f"{_p}.ge_s": (_ty, Cond.GE), f"{_p}.ge_u": (_ty, Cond.AE),
    })
# The condition that holds for "b OP' a" when "a OP b" (operands swapped).
SWAPPED = {Cond.E: Cond.E, Cond.NE: Cond.NE, Cond.L: Cond.G, Cond.G: Cond.L, Cond.LE: Cond.GE,
           Cond.GE: Cond.LE, Cond.B: Cond.A, Cond.A: Cond.B, Cond.BE: Cond.AE, Cond.AE: Cond.BE}
_CMP_FOLD = {
    Cond.E: lambda a, b, s: a == b, Cond.NE: lambda a, b, s: a != b,
    Cond.L: lambda a, b, s: _s(a, s) < _s(b, s), Cond.G: lambda a, b, s: _s(a, s) > _s(b, s),
    Cond.LE: lambda a, b, s: _s(a, s) <= _s(b, s), Cond.GE: lambda a, b, s: _s(a, s) >= _s(b, s),
    Cond.B: lambda a, b, s: a < b, Cond.A: lambda a, b, s: a > b,
    Cond.BE: lambda a, b, s: a <= b, Cond.AE: lambda a, b, s: a >= b,
}

# name -> (type, kind) kind: div_s div_u rem_s rem_u
INT_DIVS = {f"{p}.{k}": (ty, k) for ty, p in ((I32, "i32"), (I64, "i64"))
            for k in ("div_s", "div_u", "rem_s", "rem_u")}


def _fold_div(kind: str, a: int, b: int, size: int) -> int | None:
    if kind == "div_u":
        return a // b
    if kind == "rem_u":
        return a % b
    sa, sb = _s(a, size), _s(b, size)
    if kind == "div_s":
        if sa == -(1 << (size - 1)) and sb == -1:
            return None          # traps at run time
        q = abs(sa) // abs(sb)
        return _u(q if (sa < 0) == (sb < 0) else -q, size)
    r = abs(sa) % abs(sb)
    return _u(-r if sa < 0 else r, size)


def imm_of_size(bits: int, size: int) -> int:
    """A bit pattern as the signed immediate of a ``size``-bit operation."""
    return to_s32(bits) if size == 32 else to_s64(bits)


def _fold_unop(op: str, x: int, size: int) -> int:
    if op == "clz":
        return size - x.bit_length()
    if op == "ctz":
        return size if x == 0 else (x & -x).bit_length() - 1
    return bin(x).count("1")


EXTENDS = {
    "i64.extend_i32_s": (I64, 32, True), "i64.extend_i32_u": (I64, 32, False),
    "i32.extend8_s": (I32, 8, True), "i32.extend16_s": (I32, 16, True),
    "i64.extend8_s": (I64, 8, True), "i64.extend16_s": (I64, 16, True), "i64.extend32_s": (I64, 32, True),
}


# Two-operand instructions whose ZF says whether their result is zero (not imul: ZF undefined).
_SETS_ZERO_FLAG = frozenset(("add", "sub", "and_", "or_", "xor"))


class IntegerLowering:
    """Integer instructions of ``FunctionCompiler``."""

    def binop_destination(self, a: Val, b: Val) -> tuple[int | None, object]:
        """The register a two-operand instruction computes into, holding ``a`` already: the register
        of the pinned local the next instruction stores to (returned as the local's index), or a
        fresh register owned by ``a`` (index None)."""
        target = self.pinned_result_target(a, b)
        if target is None:
            return None, self.to_reg(a)
        idx, dst = target
        self.materialize_local_refs(idx)
        if not (a.kind == LOCAL and a.x == idx):
            self.load_into(dst, a)
        self.release(a)
        return idx, dst

    def push_binop_result(self, target: int | None, dst, ty: int) -> None:
        if target is None:
            self.push_reg(dst, ty)
        else:
            self.finish_pinned_result(target, ty)

    def pinned_result_target(self, a: Val, b: Val) -> tuple[int, object] | None:
        """When the next instruction is ``local.set/tee X`` of a register-pinned local, compute the
        result straight into X's register: (X, register). Not when the second operand reads X (the
        first operand is copied into X's register before the operation) and X is not the first."""
        if self.i + 1 >= len(self.code):
            return None
        op, idx = self.code[self.i + 1][0], self.code[self.i + 1][1]
        if op != 0x21 and op != 0x22:
            return None
        reg = self.frame.local_locs[idx]
        if isinstance(reg, Mem):
            return None
        if b.kind == LOCAL and b.x == idx and not (a.kind == LOCAL and a.x == idx):
            return None
        return idx, reg

    def finish_pinned_result(self, idx: int, ty: int) -> None:
        """The fused ``local.set/tee``: the value is already in the local's register."""
        op = self.code[self.i + 1][0]
        self.i += 1
        if op == 0x22:
            self.push(LOCAL, ty, idx)

    def int_binop(self, name: str) -> None:
        ty, method, commutative, fold = INT_BINOPS[name]
        b = self.pop()
        a = self.pop()
        size = size_of(ty)
        if a.kind == CONST and b.kind == CONST:
            self.push(CONST, ty, fold(a.x, b.x))
            return
        if commutative and b.kind == REG and a.kind != REG:
            a, b = b, a
        if a.kind == LOCAL and (method == "add" or method == "sub") and self.lea_add(a, b, ty, method):
            return
        if method == "and_" and self.and_to_flags(a, b, ty):
            return
        target, dst = self.binop_destination(a, b)
        if method == "imul":
            src = self.operand(b, allow_imm=True)
            if isinstance(src, int):
                self.asm.imul3(dst, dst, src, size)
            else:
                self.asm.imul(dst, src, size)
        else:
            src = self.operand(b)
            getattr(self.asm, method)(dst, src, size)
        self.release(b)
        self.push_binop_result(target, dst, ty)
        if method in _SETS_ZERO_FLAG:
            self.zero_flag = (self.i, len(self.asm.code), dst, size)

    def int_shift(self, name: str) -> None:
        ty, method, fold = INT_SHIFTS[name]
        b = self.pop()
        a = self.pop()
        size = size_of(ty)
        if a.kind == CONST and b.kind == CONST:
            self.push(CONST, ty, fold(a.x, b.x))
            return
        if b.kind == CONST:
            count = b.x & (size - 1)
            if 1 <= count <= 3 and method == "shl" and self.fuse_scaled_add(a, count, ty):
                return
            target, dst = self.binop_destination(a, b)
            if count:
                getattr(self.asm, method)(dst, count, size)
            self.push_binop_result(target, dst, ty)
            return
        if not (b.kind == REG and b.x == RCX):
            self.ra.evict(RCX)
            self.load_into(RCX, b)
            self.ra.free(b)
            self.ra.claim(RCX, b)
        pinned = self.pinned_result_target(a, b)      # never rcx: pinned registers are not allocatable
        if pinned is None:
            target, dst = None, self.to_reg(a, exclude=(RCX,))
        else:
            target, dst = pinned
            self.materialize_local_refs(target)
            if not (a.kind == LOCAL and a.x == target):
                self.load_into(dst, a)
            self.release(a)
        getattr(self.asm, method)(dst, CL, size)
        self.release(b)
        self.push_binop_result(target, dst, ty)

    # -------------------------------------------------------------------- address arithmetic
    def fuse_scaled_add(self, index: Val, shift: int, ty: int) -> bool:
        """``x + (index << shift)`` (shift 1..3; the add next, its other operand on the stack or a
        ``local.get`` just before it), then optionally ``+/- const``, as one ``lea`` of the operand
        size: ``lea dst, [x + index*2^shift + disp]``. Always exact: an i32 ``lea`` computes the sum
        modulo 2^32 (and zero-extends), which is what the chain of wrapping i32 operations gives, so
        no range proof is needed (folding into a memory operand would need one, see docs/abi.md)."""
        code = self.code
        j = self.i + 1
        n = len(code)
        add = ADD_KEY[ty]
        size = size_of(ty)
        if j < n and code[j][0] == add:
            base = self.stack[-1]
            last, on_stack = j, True
        elif j + 1 < n and code[j][0] == OP_LOCAL_GET and code[j + 1][0] == add:
            base = Val(LOCAL, ty, code[j][1])          # consumed at once: never on the stack
            last, on_stack = j + 1, False
        else:
            return False
        disp = 0
        if last + 2 < n and code[last + 1][0] == CONST_KEY[ty] and code[last + 2][0] in ADD_SUB_KEYS[ty]:
            c = _s(_u(code[last + 1][1], size), size)
            disp = c if code[last + 2][0] == add else -c
            last += 2
        if base.kind == CONST:
            disp += _s(base.x, size)
        disp = _s(_u(disp, size), size)                # the sum modulo 2^size, as the lea computes it
        if not -(1 << 31) <= disp < (1 << 31):         # i64 only: not a displacement
            return False
        if on_stack:
            self.pop()
        if base.kind == CONST:
            base_reg = None
        else:
            base_reg = self.operand(base, allow_imm=False)
            if isinstance(base_reg, Mem):
                base_reg = self.to_reg(base)
        index_reg = self.operand(index, allow_imm=False)
        if isinstance(index_reg, Mem):
            index_reg = self.to_reg(index, exclude=(base_reg,) if base_reg is not None else ())
        self.i = last
        target = self.pinned_lea_target()
        if target is not None:
            idx, dst = target
            self.materialize_local_refs(idx)
        elif index.kind == REG:
            dst = index.x
        elif base.kind == REG:
            dst = base.x
        else:
            dst = self.ra.alloc(ty)
        self.asm.lea(dst, Mem(base_reg, index_reg, 1 << shift, disp), size)
        self.release(base, index)
        if target is None:
            self.push_reg(dst, ty)
        else:
            self.finish_pinned_result(target[0], ty)
        return True

    def and_to_flags(self, a: Val, b: Val, ty: int) -> bool:
        """``x & y`` that only a branch, ``if``, ``select``, ``i32.eqz``/``i64.eqz`` or ``drop`` reads:
        one ``test`` (nothing written), the result kept in the flags as "nonzero"."""
        nxt = self.code[self.i + 1][0] if self.i + 1 < len(self.code) else None
        if not (nxt in FLAG_CONSUMERS if ty == I32 else nxt == OP_I64_EQZ):
            return False
        if a.kind == CONST:
            a, b = b, a
        lhs = self.operand(a, allow_imm=False)
        rhs = self.operand(b)
        if isinstance(rhs, Mem):
            lhs, rhs = rhs, lhs
        if isinstance(rhs, Mem):
            rhs = self.to_reg(a)
        self.asm.test(lhs, rhs, size_of(ty))
        self.release(a, b)
        self.push_val(Val(FLAGS, I32, Cond.NE))
        return True

    def lea_add(self, a: Val, b: Val, ty: int, method: str) -> bool:
        """``local + const``, ``local - const`` or ``local + local`` of register-pinned locals as one
        ``lea`` into a fresh register (or the pinned local the next instruction sets) instead of a copy
        and an add; the sum wraps as the add's does."""
        src = self.frame.local_locs[a.x]
        if not isinstance(src, Gpr):
            return False
        size = size_of(ty)
        if b.kind == CONST:
            c = _s(_u(-b.x if method == "sub" else b.x, size), size)
            if not -(1 << 31) <= c < (1 << 31):
                return False
            index = None
        elif method == "add" and b.kind == LOCAL and isinstance(self.frame.local_locs[b.x], Gpr):
            c, index = 0, self.frame.local_locs[b.x]
        else:
            return False
        target = self.pinned_lea_target()
        if target is not None:
            idx, dst = target
            if idx == a.x:
                return False                         # in place: add X, src is as good
            self.materialize_local_refs(idx)
        else:
            dst = self.ra.alloc(ty)
        if ty == I32:
            c = to_s32(c & M32)
        self.asm.lea(dst, Mem(src, index, 1, c), size)
        if target is None:
            self.push_reg(dst, ty)
        else:
            self.finish_pinned_result(target[0], ty)
        return True

    def pinned_lea_target(self) -> tuple[int, Gpr] | None:
        """(X, X's register) when the next instruction is ``local.set/tee X`` of a register-pinned
        local: an ``lea`` reads all its sources before it writes, so X may be one of them."""
        j = self.i + 1
        if j >= len(self.code):
            return None
        op, idx = self.code[j][0], self.code[j][1]
        if op != OP_LOCAL_SET and op != OP_LOCAL_TEE:
            return None
        reg = self.frame.local_locs[idx]
        return (idx, reg) if isinstance(reg, Gpr) else None

    def int_compare(self, name: str) -> None:
        ty, cond = INT_COMPARES[name]
        b = self.pop()
        a = self.pop()
        size = size_of(ty)
        if a.kind == CONST and b.kind == CONST:
            self.push(CONST, I32, int(_CMP_FOLD[cond](a.x, b.x, size)))
            return
        if a.kind == CONST or (a.kind != REG and b.kind == REG):
            a, b = b, a
            cond = SWAPPED[cond]
        lhs = self.operand(a, allow_imm=False)     # cmp reads both: a pinned local or a slot will do
        rhs = self.operand(b)
        if isinstance(lhs, Mem) and isinstance(rhs, Mem):
            lhs = self.to_reg(a)
        self.asm.cmp(lhs, rhs, size)
        self.release(a, b)
        self.push_cond(cond)

    def push_cond(self, cond) -> None:
        """Push a comparison result: kept in the flags when the next instruction branches on it,
        negates it (``i32.eqz``: the negated condition, NaN cases included, is pushed again) or drops
        it; else materialized with setcc."""
        nxt = self.code[self.i + 1][0] if self.i + 1 < len(self.code) else None
        if nxt in FLAG_CONSUMERS:
            self.push_val(Val(FLAGS, I32, cond))
            return
        if nxt == OP_LOCAL_SET or nxt == OP_LOCAL_TEE:
            idx = self.code[self.i + 1][1]
            reg = self.frame.local_locs[idx]
            if isinstance(reg, Gpr):           # setcc straight into the pinned local (moves keep flags)
                self.materialize_local_refs(idx)
                self.emit_setcc(cond, reg)
                self.finish_pinned_result(idx, I32)
                return
        r = self.ra.alloc(I32)
        self.emit_setcc(cond, r)
        self.push_reg(r, I32)

    def int_eqz(self, ty: int) -> None:
        v = self.pop()
        if v.kind == CONST:
            self.push(CONST, I32, int(v.x == 0))
            return
        if v.kind == FLAGS:
            self.push_cond(self.negate(v.x))
            return
        src = self.operand(v, allow_imm=False)
        if isinstance(src, Mem):
            self.asm.cmp(src, 0, size_of(ty))
        else:
            self.flags_test_zero(src, size_of(ty))
        self.release(v)
        self.push_cond(Cond.E)

    def int_div(self, name: str) -> None:
        ty, kind = INT_DIVS[name]
        size = size_of(ty)
        b = self.pop()
        a = self.pop()
        asm = self.asm
        if a.kind == CONST and b.kind == CONST and b.x != 0:
            folded = _fold_div(kind, a.x, b.x, size)
            if folded is not None:
                self.push(CONST, ty, folded)
                return
        if b.kind == CONST and b.x != 0:
            self.int_div_by_const(kind, ty, a, b.x)
            return
        # A variable divisor (or the constant 0, which traps here at run time). A dividend already in
        # rax stays there (no round trip through another register).
        if self.ra.owner.get(RAX) is not a:
            self.ra.evict(RAX, exclude=(RDX,))
        self.ra.evict(RDX, exclude=(RAX,))
        divisor = self.to_reg(b, exclude=(RAX, RDX))
        if not (a.kind == REG and a.x == RAX):
            self.load_into(RAX, a)
            self.ra.free(a)
            self.ra.claim(RAX, a)
        done = asm.label()
        asm.test(divisor, divisor, size)
        self.trap_if(Cond.E, "integer divide by zero")
        signed = kind in ("div_s", "rem_s")
        if signed:
            normal = asm.label()
            asm.cmp(divisor, -1, size)
            asm.jcc(Cond.NE, normal)
            if kind == "div_s":
                # INT_MIN / -1 overflows; anything else / -1 is a negation.
                asm.neg(RAX, size)
                self.trap_if(Cond.O, "integer overflow")
            else:
                asm.xor(RDX, RDX, 32)
            asm.jmp(done)
            asm.bind(normal)
        if signed:
            asm.cdq() if size == 32 else asm.cqo()
            asm.idiv(divisor, size)
        else:
            asm.xor(RDX, RDX, 32)
            asm.div(divisor, size)
        asm.bind(done)
        self.release(b)
        if kind.startswith("div"):
            self.push_reg(RAX, ty)
        else:
            self.ra.free(a)
            self.push_reg(RDX, ty)

    def int_div_by_const(self, kind: str, ty: int, a: Val, d: int) -> None:
        """Division or remainder by a nonzero constant ``d`` (its bit pattern): shifts and masks for
        powers of two, a multiply-high by a magic constant (``divmagic``) for the rest; no ``div``.
        Traps only where Wasm does: ``INT_MIN / -1``."""
        size = size_of(ty)
        signed = kind in ("div_s", "rem_s")
        is_div = kind.startswith("div")
        ad = abs(_s(d, size)) if signed else d
        if a.kind == CONST:                        # only INT_MIN / -1 is left unfolded
            self.to_reg(a)
        if ad == 1:
            if not is_div:                         # x rem ±1 == 0 (no trap, also for INT_MIN)
                self.release(a)
                self.push(CONST, ty, 0)
            elif d == 1:
                self.push_val(a)
            else:                                  # x / -1: a negation that overflows for INT_MIN
                dst = self.to_reg(a)
                self.asm.neg(dst, size)
                self.trap_if(Cond.O, "integer overflow")
                self.push_reg(dst, ty)
            return
        if ad & (ad - 1) == 0:
            (self.div_signed_pow2 if signed else self.div_unsigned_pow2)(is_div, ty, a, d, ad)
        elif size == 32:
            (self.div_signed_magic32 if signed else self.div_unsigned_magic32)(is_div, a, d, ad)
        else:
            self.div_magic64(signed, is_div, a, d, ad)

    def div_unsigned_pow2(self, is_div: bool, ty: int, a: Val, d: int, ad: int) -> None:
        """x / 2^k is a logical shift, x % 2^k a mask."""
        size = size_of(ty)
        asm = self.asm
        dst = self.to_reg(a)
        shift = ad.bit_length() - 1
        if is_div:
            asm.shr(dst, shift, size)
        else:
            self.and_mask(dst, ad - 1, size)
        self.push_reg(dst, ty)

    def and_mask(self, dst: Gpr, mask: int, size: int) -> None:
        """``dst &= mask`` (the mask's bit pattern) with an immediate when it fits one."""
        if size == 32 or -(1 << 31) <= to_s64(mask) < (1 << 31):
            self.asm.and_(dst, imm_of_size(mask, size), size)
        else:
            self.asm.mov(SCRATCH, mask, 64)
            self.asm.and_(dst, SCRATCH, size)

    def div_signed_pow2(self, is_div: bool, ty: int, a: Val, d: int, ad: int) -> None:
        """Signed x / ±2^k rounds toward zero: add 2^k - 1 to a negative x before the arithmetic shift
        (the bias is x's sign spread over the low k bits); x % ±2^k is x minus the rounded multiple."""
        size = size_of(ty)
        asm = self.asm
        k = ad.bit_length() - 1
        dst = self.to_reg(a)
        asm.mov(SCRATCH, dst, 64)
        if k > 1:
            asm.sar(SCRATCH, k - 1, size)
        asm.shr(SCRATCH, size - k, size)          # bias: 2^k - 1 when x < 0, else 0
        if is_div:
            asm.add(dst, SCRATCH, size)           # x + bias
            asm.sar(dst, k, size)
            if _s(d, size) < 0:
                asm.neg(dst, size)
        else:
            asm.add(SCRATCH, dst, size)           # x + bias, then the multiple of 2^k at or below it
            if size == 32 or k < 32:
                asm.and_(SCRATCH, imm_of_size(_u(-ad, size), size), size)
            else:
                asm.shr(SCRATCH, k, size)
                asm.shl(SCRATCH, k, size)
            asm.sub(dst, SCRATCH, size)
        self.push_reg(dst, ty)

    def dividend_register(self, a: Val, exclude: tuple = ()) -> object:
        """A register holding the dividend that may be read but not written (a pinned local's too)."""
        src = self.operand(a, allow_imm=False)
        if isinstance(src, Mem) or src in exclude:
            return self.to_reg(a, exclude=exclude)
        return src

    def div_unsigned_magic32(self, is_div: bool, a: Val, d: int, ad: int) -> None:
        """u32 x / d as (x * m) >> p in one 64-bit multiply when m < 2^32; for a 33-bit m, as
        ((x * (m - 2^32) >> 32) + x) >> (p - 32). The remainder is x - q*d."""
        asm = self.asm
        m, p = unsigned_magic(d, 32)
        x = self.dividend_register(a)
        q = self.ra.alloc(I64, exclude=(x,))
        low = m if m < (1 << 32) else m - (1 << 32)
        if low < (1 << 31):
            asm.imul3(q, x, low, 64)              # x is zero-extended in its register
        else:
            asm.mov(q, low, 32)
            asm.imul(q, x, 64)
        if m < (1 << 32):
            asm.shr(q, p, 64)
        else:
            asm.shr(q, 32, 64)
            asm.add(q, x, 64)
            asm.shr(q, p - 32, 64)
        self.finish_magic(is_div, a, x, q, I32, ad, negate=False)

    def div_signed_magic32(self, is_div: bool, a: Val, d: int, ad: int) -> None:
        """s32 x / d: the sign-extended x times m (m < 2^32, so the 64-bit product cannot overflow),
        arithmetic shift by p, plus one when negative (truncation), negated for a negative d."""
        asm = self.asm
        m, p = signed_magic(ad, 32)
        x = self.dividend_register(a)
        q = self.ra.alloc(I64, exclude=(x,))
        asm.movsxd(q, x)
        if m < (1 << 31):
            asm.imul3(q, q, m, 64)
        else:
            asm.mov(SCRATCH, m, 32)
            asm.imul(q, SCRATCH, 64)
        asm.sar(q, p, 64)
        asm.mov(SCRATCH, q, 32)
        asm.shr(SCRATCH, 31, 32)
        asm.add(q, SCRATCH, 32)
        self.finish_magic(is_div, a, x, q, I32, ad, negate=_s(d, 32) < 0)

    def div_magic64(self, signed: bool, is_div: bool, a: Val, d: int, ad: int) -> None:
        """i64 x / d: the high half of the 128-bit product in rdx (mul/imul), then as for i32; a 65-bit
        unsigned m adds x back with the halving trick (no carry out), a signed m >= 2^63 adds x."""
        asm = self.asm
        self.ra.evict(RAX, exclude=(RDX,))
        self.ra.evict(RDX, exclude=(RAX,))
        x = self.dividend_register(a, exclude=(RAX, RDX))
        if signed:
            m, p = signed_magic(ad, 64, pmin=64)
            asm.mov(RAX, m, 64)
            asm.imul1(x, 64)
            if m >= (1 << 63):
                asm.add(RDX, x, 64)
            asm.sar(RDX, p - 64, 64)
            asm.mov(SCRATCH, RDX, 64)
            asm.shr(SCRATCH, 63, 64)
            asm.add(RDX, SCRATCH, 64)
            q = RDX
        else:
            m, p = unsigned_magic(d, 64, pmin=64)
            asm.mov(RAX, m & M64, 64)
            asm.mul(x, 64)
            if m < (1 << 64):
                asm.shr(RDX, p - 64, 64)
                q = RDX
            else:
                asm.mov(RAX, x, 64)
                asm.sub(RAX, RDX, 64)
                asm.shr(RAX, 1, 64)
                asm.add(RAX, RDX, 64)
                asm.shr(RAX, p - 65, 64)
                q = RAX
        self.finish_magic(is_div, a, x, q, I64, ad, negate=signed and _s(d, 64) < 0)

    def finish_magic(self, is_div: bool, a: Val, x, q, ty: int, ad: int, negate: bool) -> None:
        """Push the quotient ``q`` (an unowned register), or the remainder x - q*|d| computed in q."""
        asm = self.asm
        size = size_of(ty)
        if is_div:
            if negate:
                asm.neg(q, size)
        else:
            if size == 32 or ad < (1 << 31):
                asm.imul3(q, q, imm_of_size(ad, size), size)
            else:
                asm.mov(SCRATCH, ad, 64)
                asm.imul(q, SCRATCH, size)
            if a.kind == REG and a.x == x:        # the dividend's register is ours: x -= q*|d|
                asm.sub(x, q, size)
                self.push_reg(x, ty)
                return
            asm.neg(q, size)
            asm.add(q, x, size)
        self.release(a)
        self.push_reg(q, ty)

    def int_unop(self, name: str) -> None:
        ty = I32 if name.startswith("i32") else I64
        size = size_of(ty)
        op = name[4:]
        v = self.pop()
        if v.kind == CONST:
            self.push(CONST, ty, _fold_unop(op, v.x, size))
            return
        src = self.operand(v, allow_imm=False)
        pinned = self.pinned_result_target(v, v)
        if pinned is not None and pinned[1] != src:      # into the pinned local the next insn sets
            target, dst = pinned
            self.materialize_local_refs(target)
        else:
            target, dst = None, self.ra.alloc(ty, exclude=(src,) if isinstance(src, Gpr) else ())
        asm = self.asm
        feats = host_features()
        if op == "clz":
            if "abm" in feats:
                asm.lzcnt(dst, src, size)
            else:
                asm.mov(dst, 2 * size - 1, 32)
                asm.bsr(dst, src, size)
                asm.xor(dst, size - 1, 32)
        elif op == "ctz":
            if "bmi1" in feats:
                asm.tzcnt(dst, src, size)
            else:
                asm.mov(dst, size, 32)
                asm.bsf(dst, src, size)
        else:
            if "popcnt" not in feats:
                raise CompileError("popcnt needs the POPCNT instruction", self.pos, self.func_index)
            asm.popcnt(dst, src, size)
        self.release(v)
        self.push_binop_result(target, dst, ty)

    def int_convert(self, name: str) -> None:
        v = self.pop()
        asm = self.asm
        if name == "i32.wrap_i64":
            if v.kind == CONST:
                self.push(CONST, I32, v.x & M32)
                return
            if v.kind in (SLOT, LOCAL):   # little-endian: the low half is at the same address
                r = self.ra.alloc(I32)
                asm.mov(r, self.mem_of(v), 32)
            else:
                r = v.x
                asm.mov(r, r, 32)
            self.release(v)
            self.push_reg(r, I32)
            return
        # extensions: name -> (result type, source bits, signed)
        ty, bits, signed = EXTENDS[name]
        size = size_of(ty)
        if v.kind == CONST:
            x = v.x & ((1 << bits) - 1)
            if signed and x >> (bits - 1):
                x -= 1 << bits
            self.push(CONST, ty, _u(x, size))
            return
        src = self.operand(v, allow_imm=False)
        # Extend in place only a register this instruction owns (never a pinned local's register).
        dst = src if v.kind == REG else self.ra.alloc(ty)
        if signed:
            asm.movsx(dst, src, bits, size)
        elif dst != src:
            asm.mov(dst, src, 32)
        self.ra.free(v)
        self.push_reg(dst, ty)


fc = IntegerLowering
for _names, _method in ((INT_BINOPS, fc.int_binop), (INT_SHIFTS, fc.int_shift),
                        (INT_COMPARES, fc.int_compare), (INT_DIVS, fc.int_div), (EXTENDS, fc.int_convert)):
    lower_named(_names, _method)
lower_named(("i32.wrap_i64",), fc.int_convert)
lower_named([f"{p}.{op}" for p in ("i32", "i64") for op in ("clz", "ctz", "popcnt")], fc.int_unop)
lowers("i32.eqz")(lambda self, a, b: self.int_eqz(I32))
lowers("i64.eqz")(lambda self, a, b: self.int_eqz(I64))
del fc
