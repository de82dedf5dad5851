"""Typed function references: call_ref, ref.as_non_null, br_on_null, br_on_non_null.

A reference is a 64-bit value in a general-purpose register or slot, 0 for null; a function
reference points at a ``VMFuncRef`` (canonical type id, code, vmctx of the callee's instance), the
same record ``call_indirect`` finds in a table. ``call_ref`` needs no type check (validation proved
the reference's type a subtype of the call's); it traps on null and then calls like
``call_indirect``: the callee's own vmctx, and the caller's restored afterwards.
"""
from __future__ import annotations

from ...abi import vmctx as V
from ..encoder import Cond, Mem
from ..registers import RAX, RCX
from ..stack import CONST
from . import lowers
from .control import FUNC


class ReferenceLowering:
    """Typed-function-reference instructions of ``FunctionCompiler``."""

    @lowers("call_ref")
    def op_call_ref(self, typeidx, _b) -> None:
        ft = self.module.types[typeidx]
        ref = self.pop()
        # like call_indirect's index, the reference stays where it is while the arguments are stored
        self.prepare_args(ft)
        asm = self.asm
        self.load_into(RAX, ref)
        self.release(ref)
        self.save_caller_pins()
        asm.test(RAX, RAX, 64)
        self.trap_if(Cond.E, "null function reference")
        asm.mov(RCX, Mem(RAX, disp=V.VMFUNCREF_VMCTX), 64)
        asm.mov(RAX, Mem(RAX, disp=V.VMFUNCREF_CODE), 64)
        self.switch_instance(RCX)
        asm.call(RAX)
        self.record_pc()
        self.record_safepoint()
        self.restore_instance_regs()
        self.restore_caller_pins()
        self.push_results(ft)

    @lowers("ref.as_non_null")
    def op_ref_as_non_null(self, _a, _b) -> None:
        v = self.pop()
        r = self.to_reg(v)
        self.asm.test(r, r, 64)
        self.trap_if(Cond.E, "null reference")
        self.ra.free(v)
        self.push_reg(r, v.ty)

    def branch_if(self, taken: Cond, depth: int) -> None:
        """Branch to ``depth`` when ``taken`` holds (the flags are set), moving the label's values."""
        c = self.ctrls[-1 - depth]
        if c.kind != FUNC and not self.needs_transfer(c.height, len(c.branch_types)):
            c.targeted = True
            self.emit_jcc(taken, c.label)
            return
        skip = self.asm.label()
        self.emit_jcc(self.negate(taken), skip)
        self.branch_to(depth)
        self.asm.bind(skip)

    @lowers("br_on_null")
    def op_br_on_null(self, depth, _b) -> None:
        v = self.pop()
        if v.kind == CONST:                   # ref.null: always taken
            self.branch_to(depth)
            self.set_unreachable()
            return
        r = self.to_reg(v)
        self.asm.test(r, r, 64)
        self.branch_if(Cond.E, depth)
        self.ra.free(v)
        self.push_reg(r, v.ty)

    @lowers("br_on_non_null")
    def op_br_on_non_null(self, depth, _b) -> None:
        v = self.pop()
        if v.kind == CONST:                   # ref.null: never taken
            self.release(v)
            return
        r = self.to_reg(v)
        self.ra.free(v)
        self.push_reg(r, v.ty)                # the branch carries the reference
        self.asm.test(r, r, 64)
        self.branch_if(Cond.NE, depth)
        self.release(self.pop())
