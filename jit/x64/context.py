"""The codegen context of the single-pass compiler: the value stack and register allocation.

``CodegenContext`` is mixed into ``FunctionCompiler``. Every lowering goes through it to pop its
operands (as registers, immediates or memory operands), allocate registers, push results, spill,
and record trap sites; it sits between the lowerings (``jit.x64.lower``) and the assembler
(``jit.x64.encoder``), over the stack model of ``jit.x64.stack``.
"""
from __future__ import annotations

from functools import partial

from ..abi import vmctx as V
from ..wasm.types import F32, F64, I32
from .encoder import Cond, Label, Mem, Template
from .registers import RAX, RDI, RSI, SCRATCH, VMCTX, Gpr, Xmm
from .stack import (
    CONST,
    LOCAL,
    REG,
    SLOT,
    Val,
    copy_mem,
    fits_imm32,
    imm_of,
    is_float,
    load_reg,
    move_reg,
    store_const,
    store_reg,
)

FLAGS = 4                      # a Val kind: the result of the comparison just emitted, as a condition
M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
SIGN32, SIGN64 = 0x80000000, 0x8000000000000000


def _trap_call(kind: int | None, a, helper: Label) -> None:
    if kind is None:
        a.mov(RSI, RAX, 32)
    else:
        a.mov(RSI, kind, 32)
    a.mov(RDI, VMCTX, 64)
    a.call_rip(helper)


_TRAP_CALLS: dict[int | None, Template] = {}
"""Trap kind -> the call of ``wx_trap`` for it, assembled once (hole: the helper's GOT label)."""


class CodegenContext:
    """The operand stack, register allocation, spills and trap sites of ``FunctionCompiler``."""

    # ------------------------------------------------------------------------ stack primitives
    # Every change of the operand stack goes through push/push_val/pop/truncate, which keep two
    # invariants that make the single pass linear: entries below ``ra.floor`` are constants or in
    # their slots (spilling starts there), and ``ra.local_refs[i]`` counts the lazy ``local.get i``
    # entries on the stack (``local.set i`` scans only when it is nonzero).
    def push(self, kind: int, ty: int, x: object = None) -> Val:
        v = Val(kind, ty, x)
        if kind == REG:
            self.ra.owner[x] = v
        elif kind == SLOT:
            v.x = len(self.stack)
        elif kind == LOCAL:
            self.ra.local_refs[x] += 1
        self.stack.append(v)
        return v

    def push_val(self, v: Val) -> None:
        """Push back a value taken off the stack (same position for a SLOT)."""
        if v.kind == LOCAL:
            self.ra.local_refs[v.x] += 1
        self.stack.append(v)

    def push_reg(self, reg, ty: int) -> Val:
        v = Val(REG, ty, reg)
        self.ra.owner[reg] = v
        self.stack.append(v)
        return v

    def pop(self) -> Val:
        stack = self.stack
        v = stack.pop()
        if v.kind == LOCAL:
            self.ra.local_refs[v.x] -= 1
        ra = self.ra
        if len(stack) < ra.floor:
            ra.floor = len(stack)
        return v

    def truncate(self, base: int) -> list[Val]:
        """Remove and return the entries from position ``base`` up."""
        removed = self.stack[base:]
        del self.stack[base:]
        for v in removed:
            if v.kind == LOCAL:
                self.ra.local_refs[v.x] -= 1
        if base < self.ra.floor:
            self.ra.floor = base
        return removed

    def release(self, *vals: Val) -> None:
        owner = self.ra.owner
        for v in vals:
            if v.kind == REG and owner.get(v.x) is v:
                owner[v.x] = None

    def mem_of(self, v: Val) -> Mem | Gpr | Xmm:
        """Where a SLOT or LOCAL value is: its slot, or the local's memory home or pinned register."""
        if v.kind == SLOT:
            return self.frame.position_mem(v.x)
        return self.frame.local_locs[v.x]

    def load_into(self, reg, v: Val) -> None:
        """Emit code putting ``v``'s value into ``reg`` (no ownership change)."""
        a = self.asm
        if v.kind == REG:
            move_reg(a, reg, v.x, v.ty)
        elif v.kind == CONST:
            self.load_const(reg, v.x, v.ty)
        elif v.kind == FLAGS:
            raise AssertionError("flags value must be consumed by the next instruction")
        else:
            loc = self.frame.position_mem(v.x) if v.kind == SLOT else self.frame.local_locs[v.x]
            if type(loc) is Mem:
                load_reg(a, reg, loc, v.ty)
            else:
                move_reg(a, reg, loc, v.ty)

    def load_const(self, reg, bits: int, ty: int) -> None:
        a = self.asm
        if type(reg) is Xmm:
            if bits == 0:
                a.xorps(reg, reg)
            elif ty == F32:
                a.mov(SCRATCH, bits & M32, 32)
                a.movd(reg, SCRATCH)
            elif ty == F64:
                a.mov(SCRATCH, bits, 64)
                a.movq(reg, SCRATCH)
            else:
                a.movdqu(reg, self.mc.const_label(bits, 16))
        else:
            a.mov(reg, bits, 32 if ty == I32 else 64)

    def to_reg(self, v: Val, exclude: tuple = ()) -> Gpr | Xmm:
        """Put a popped value in a register it owns (which the caller may clobber); return it."""
        if v.kind == REG and v.x not in exclude:
            return v.x
        if v.kind == FLAGS:
            return self.materialize_flags(v)
        r = self.ra.alloc(v.ty, exclude)
        self.load_into(r, v)
        self.ra.free(v)
        self.ra.claim(r, v)
        return r

    def operand(self, v: Val, allow_imm: bool = True):
        """A source operand for ``v``: an immediate, a register or a memory reference."""
        kind = v.kind
        if kind == REG:
            return v.x
        if kind == CONST:
            if allow_imm and not is_float(v.ty) and fits_imm32(v.x, v.ty):
                return imm_of(v.x, v.ty)
            return self.to_reg(v)
        if kind == FLAGS:
            return self.materialize_flags(v)
        if kind == SLOT:
            return self.frame.position_mem(v.x)
        return self.frame.local_locs[v.x]

    def materialize_flags(self, v: Val) -> Gpr:
        r = self.ra.alloc(I32)
        self.emit_setcc(v.x, r)
        self.ra.claim(r, v)
        return r

    def emit_setcc(self, cond, r: Gpr) -> None:
        a = self.asm
        if cond == "feq":          # ordered and equal
            a.setcc(Cond.E, r)
            a.setcc(Cond.NP, SCRATCH)
            a.and_(r, SCRATCH, 8)
        elif cond == "fne":        # unordered or not equal
            a.setcc(Cond.NE, r)
            a.setcc(Cond.P, SCRATCH)
            a.or_(r, SCRATCH, 8)
        else:
            a.setcc(cond, r)
        a.movzx(r, r, 8, 32)

    def spill_all(self) -> None:
        """Every stack entry in a constant or its slot (before calls and at control-flow merges)."""
        stack = self.stack
        for pos in range(self.ra.floor, len(stack)):
            kind = stack[pos].kind
            if kind == REG or kind == LOCAL:
                self.ra.spill(pos)
            elif kind == FLAGS:
                raise AssertionError("flags on the stack at a merge")
        self.ra.floor = len(stack)

    def spill_range(self, start: int, also_consts: bool) -> None:
        for pos in range(start, len(self.stack)):
            v = self.stack[pos]
            if v.kind != SLOT and (also_consts or v.kind != CONST):
                self.ra.spill(pos)

    def record_pc(self, offset: int | None = None) -> None:
        mc = self.mc
        mc.pc_offsets.append(len(self.asm.code) if offset is None else offset)
        mc.pc_wasm.append(self.pos)

    def trap_if(self, cond: Cond, kind: str) -> None:
        lbl = self.asm.label()
        self.asm.jcc(cond, lbl)
        self.trap_sites.append((lbl, V.TRAP_CODE[kind], self.pos))

    def call_trap_inline(self, kind: int | None, pos: int) -> None:
        """``wx_trap(vmctx, kind)`` (kind None: the code is in eax), a PC map entry at its return."""
        template = _TRAP_CALLS.get(kind)
        if template is None:
            template = _TRAP_CALLS[kind] = Template(partial(_trap_call, kind), 1)
        a = self.asm
        mc = self.mc
        helper = mc.helpers.get("wx_trap")
        a.splice(template, helper if helper is not None else mc.helper_label("wx_trap"))
        mc.pc_offsets.append(len(a.code))
        mc.pc_wasm.append(pos)

    # ------------------------------------------------------------------------ value transfers
    def emit_store_val(self, dst: Mem, v: Val) -> None:
        """Emit a copy of ``v`` into ``dst`` without changing any allocation state."""
        if v.kind == REG:
            store_reg(self.asm, dst, v.x, v.ty)
        elif v.kind == CONST:
            store_const(self.asm, dst, v.x, v.ty)
        elif v.kind == FLAGS:
            raise AssertionError("flags value in a transfer")
        else:
            src = self.mem_of(v)
            if type(src) is not Mem:
                store_reg(self.asm, dst, src, v.ty)
            elif src != dst:
                copy_mem(self.asm, dst, src, v.ty)
