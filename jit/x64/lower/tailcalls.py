"""Tail calls: ``return_call``, ``return_call_indirect`` and ``return_call_ref`` (the tail-call proposal).

A tail call replaces the caller's frame by the callee's, so unbounded tail recursion runs in constant
native stack, also between functions whose argument areas differ in size (see docs/abi.md,
"Tail calls"). The caller's incoming argument area ends at a fixed address ``E``
(``rbp + 16 + area(caller)``); the callee's area is placed so that it ends at the same ``E``:

* the arguments are first stored into the caller's outgoing area at ``[rsp]`` (the ordinary call
  sequence, ``prepare_args``), then copied, highest slot first, to ``[E - area(callee)]`` (the
  destination is always above the source, so the descending copy is safe even when they overlap);
  a ``return_call`` to an area no larger than the caller's stores them there directly
  (``store_args_in_place``);
* the callee-saved pinned registers, the saved ``rbp`` and the return address are read before the
  copy (a larger callee area may cover them), the return address is stored just below the new area,
  ``rsp`` points at it and the code jumps to the callee, which sees an ordinary call.

Every function of a tail-call chain started by one call therefore has its area ending at that call's
``E``: the chain's stack use is bounded by the largest area, whatever the number of calls. The callee
returns with ``rsp`` at the start of *its* area, where it stored the results; a caller that may see
such a return reads the results at ``[rsp]`` as always and then resets ``rsp`` from ``rbp``
(``reset_stack_pointer``). The host entry stub (``wx_enter``) already reads the results at ``[rsp]``
and restores ``rsp`` from its frame pointer.

Calls that switch instance (imports bound to another instance's function, ``call_indirect``) leave
the callee's vmctx in ``r15`` on return, so their callers reload the pinned registers from
``[rbp - 8]``; with tail calls, a direct callee may itself have tail-called another instance, so in a
module that contains tail calls, direct calls reload them too (``CallLowering.op_call``).
"""
from __future__ import annotations

from operator import itemgetter

from ...abi import vmctx as V
from ...wasm.types import V128, FuncType
from ..context import FLAGS
from ..encoder import Cond, Label, Mem
from ..registers import RAX, RBP, RCX, RDI, RSI, RSP, SCRATCH, Gpr
from ..stack import LOCAL
from . import KEY, lowers
from .calls import arg_area_bytes, arg_slots

OP_RETURN, OP_END = KEY["return"], KEY["end"]
TAIL_CALL_OPS = frozenset(KEY[name] for name in ("return_call", "return_call_indirect", "return_call_ref"))
"""Opcode keys of the tail-call instructions (a module containing one needs post-call fix-ups)."""

RSP_PLACEHOLDER = -0x7FFFFFF0
"""Displacement of ``lea rsp, [rbp + disp32]`` before the frame size is known (forces a disp32)."""


def module_has_tail_calls(module) -> bool:
    """Whether any function body of ``module`` contains a tail-call instruction (the decoder noted it
    in ``module.tail_calls``; a module made otherwise is scanned)."""
    known = getattr(module, "tail_calls", None)
    if known is not None:
        return known
    ops = itemgetter(0)
    return any(not TAIL_CALL_OPS.isdisjoint(map(ops, body.code)) for body in module.codes)


class TailCallLowering:
    """Tail calls of ``FunctionCompiler`` and the stack-pointer reset after calls that may return
    from a tail-called function."""

    def reset_stack_pointer(self) -> None:
        """After a call whose callee may have tail-called: ``rsp`` back to this frame's bottom (the
        results have been read at ``[rsp]``). The displacement is patched once the frame size is known.
        Left out when the next instruction returns (the epilogue sets rsp from rbp)."""
        nxt = self.code[self.i + 1][0] if self.i + 1 < len(self.code) else None
        if nxt == OP_RETURN or (nxt == OP_END and len(self.ctrls) == 1):
            return
        self.asm.lea(RSP, Mem(RBP, disp=RSP_PLACEHOLDER))
        self.rsp_fixups.append(self.asm.offset - 4)

    def patch_stack_pointer_resets(self, frame_bytes: int) -> None:
        """Patch every ``reset_stack_pointer`` with the final frame size (below the saved vmctx)."""
        for at in self.rsp_fixups:
            self.asm.patch32(at, -(frame_bytes + 8))

    def emit_tail_jump(self, ft: FuncType, target: Label | Gpr, in_place: bool = False) -> None:
        """Replace this frame by a call of ``target`` (type ``ft``) with the arguments staged at
        ``[rsp]`` (or already in the callee's area: ``in_place``); ``target`` is a label or a
        register other than rsi/rdi/r11."""
        asm = self.asm
        own = arg_area_bytes(self.sig)
        delta = own - arg_area_bytes(ft)       # the callee's area starts at rbp + 16 + delta
        for reg, mem in self.callee_saved:
            asm.mov(reg, mem, 64)
        if delta:
            asm.mov(RSI, Mem(RBP, disp=8), 64)     # return address
            asm.mov(RDI, Mem(RBP), 64)             # the caller's rbp
        for slot in reversed(range(0 if in_place else arg_slots(ft.params))):
            asm.mov(SCRATCH, Mem(RSP, disp=8 * slot), 64)
            asm.mov(Mem(RBP, disp=16 + delta + 8 * slot), SCRATCH, 64)
        if delta:
            asm.lea(RSP, Mem(RBP, disp=8 + delta))
            asm.mov(Mem(RSP), RSI, 64)
            asm.mov(RBP, RDI, 64)
        else:
            asm.mov(RSP, RBP, 64)
            asm.pop(RBP)
        asm.jmp(target)
        self.set_unreachable()

    def store_args_in_place(self, ft: FuncType) -> bool:
        """When the callee's area is not larger than ours (it lies inside our incoming area, above
        every frame slot), store the arguments straight into it instead of staging them at ``[rsp]``.
        An argument read from a parameter slot that an earlier argument's store overwrites is first
        spilled to its frame slot. Returns False (nothing emitted) for a larger callee area."""
        delta = arg_area_bytes(self.sig) - arg_area_bytes(ft)
        if delta < 0:
            return False
        n = len(ft.params)
        base = len(self.stack) - n
        args = self.stack[base:]
        written: set[int] = set()          # incoming-area slots (from rbp + 16) stored so far
        dests: list[int] = []
        slot = delta // 8
        for k, v in enumerate(args):
            width = 2 if v.ty == V128 else 1
            if v.kind == FLAGS:
                self.to_reg(v)
            elif v.kind == LOCAL and v.x < self.nparams:
                home = self.frame.local_locs[v.x]
                if isinstance(home, Mem) and written.intersection(range((home.disp - 16) // 8,
                                                                         (home.disp - 16) // 8 + width)):
                    self.ra.spill(base + k)
            dests.append(slot)
            written.update(range(slot, slot + width))
            slot += width
        for v, dest in zip(args, dests, strict=True):
            self.emit_store_val(Mem(RBP, disp=16 + 8 * dest), v)
        for v in self.truncate(base):
            self.release(v)
        return True

    @lowers("return_call")
    def op_return_call(self, f, _b) -> None:
        ft = self.mc.func_types[f]
        in_place = self.store_args_in_place(ft)
        if not in_place:
            self.prepare_args(ft)
        if f < self.mc.num_imported_funcs:
            self.load_import_target(f)
            self.emit_tail_jump(ft, RAX, in_place)
        else:
            self.emit_tail_jump(ft, self.mc.func_labels[f], in_place)

    @lowers("return_call_indirect")
    def op_return_call_indirect(self, typeidx, table) -> None:
        ft = self.module.types[typeidx]
        idx = self.pop()
        self.prepare_args(ft)
        self.load_into(RAX, idx)
        self.release(idx)
        self.load_table_target(typeidx, table)
        self.emit_tail_jump(ft, RAX)

    @lowers("return_call_ref")
    def op_return_call_ref(self, typeidx, _b) -> None:
        """Tail call of a function reference: trap on null (the frame still intact), else switch to
        the callee's instance (its ``VMFuncRef``) and replace this frame, as ``return_call_indirect``."""
        ft = self.module.types[typeidx]
        ref = self.pop()
        self.prepare_args(ft)
        asm = self.asm
        self.load_into(RAX, ref)
        self.release(ref)
        asm.test(RAX, RAX, 64)
        self.trap_if(Cond.E, "null function reference")
        asm.mov(RCX, Mem(RAX, disp=V.VMFUNCREF_VMCTX), 64)
        asm.mov(RAX, Mem(RAX, disp=V.VMFUNCREF_CODE), 64)
        self.switch_instance(RCX)
        self.emit_tail_jump(ft, RAX)
