"""Exception handling: ``throw``, ``throw_ref``, ``try_table`` and the zero-cost handler tables.

Nothing runs when a ``try_table`` is entered or left. While compiling, the code offsets of every try
body are recorded as *segments*: a return address in ``(lo, hi]`` belongs to a call made inside the
try bodies whose clauses (innermost first, then the enclosing ones) the segment lists. Each clause has
a *landing pad*, emitted out of line after the function's trap sites:

    mov rsp, rbp ; sub rsp, frame        the frame's fixed rsp (patched with the frame size)
    mov r15, [rbp - 8] ; mov r14, [r15 + MEM_BASE]
    reload the caller-saved pinned locals (stored before every call, as after a call)
    copy the payload from the exception (rax) into the label's slots (+ rax itself for the _ref kinds)
    jmp label                            (or return, when the label is the function's)

The runtime's unwinder (native/unwind.c) finds the segment of each frame's return address, matches the
clauses (tag identity: the VMTag address in the frame's vmctx), restores the callee-saved registers
(rbx, r12, r13: the pinned locals) from the frames it leaves (each function's saves are in the table)
and resumes at the pad with rax = the exception. ``throw`` stores the payload in the outgoing argument
area and calls ``wx_throw(vmctx, tag, payload)``; ``throw_ref`` calls ``wx_throw_ref(vmctx, exn)``.

Table format: see native/unwind.c. ``build_table`` makes it from the ModuleCompiler's records.
"""
from __future__ import annotations

from array import array

from ...abi import vmctx as V
from ...wasm.opcodes import CATCH_ALL, CATCH_ALL_REF, CATCH_REF
from ...wasm.types import EXNREF, V128
from ..encoder import Mem
from ..registers import HEAP, R12, R13, RAX, RBP, RBX, RDI, RDX, RSI, RSP, VMCTX
from ..stack import copy_mem
from . import lowers
from .control import BLOCK, FUNC

_CALLEE_SAVED_BITS = {RBX: 1, R12: 2, R13: 4}


class _Pad:
    __slots__ = ("label", "kind", "tag", "target")

    def __init__(self, label, kind: int, tag: int | None, target) -> None:
        self.label = label
        self.kind = kind
        self.tag = tag
        self.target = target


class ExceptionLowering:
    """Exception-handling instructions of ``FunctionCompiler`` (state set up by ``eh_init``)."""

    def eh_init(self) -> None:
        self.eh_scope: tuple | None = None     # clauses (kind, tag offset, pad label) covering the code
        self.eh_lo = 0
        self.eh_segs: list[tuple[int, int, tuple]] = []
        self.eh_pads: list[_Pad] = []
        self.eh_rsp_patches: list[int] = []

    def eh_switch(self, scope: tuple | None) -> None:
        """The clauses covering the code from here on change: close the current segment."""
        off = self.asm.offset
        if self.eh_scope is not None and off > self.eh_lo:
            self.eh_segs.append((self.eh_lo, off, self.eh_scope))
        self.eh_scope = scope
        self.eh_lo = off

    # ------------------------------------------------------------------------ instructions
    @lowers("throw")
    def op_throw(self, tagidx, _b) -> None:
        ft = self.module.tag_type(tagidx)
        self.prepare_args(ft)                 # the payload in the outgoing area, as call arguments
        a = self.asm
        self.save_caller_pins()
        a.mov(RDI, VMCTX, 64)
        a.mov(RSI, Mem(VMCTX, disp=self.mc.layout.tag(tagidx)), 64)
        a.mov(RDX, RSP, 64)
        a.call_rip(self.mc.helper_label("wx_throw"))
        self.record_pc()
        self.record_safepoint()               # the runtime may collect before it unwinds
        self.set_unreachable()

    @lowers("throw_ref")
    def op_throw_ref(self, _a, _b) -> None:
        v = self.pop()
        self.spill_all()
        self.load_into(RSI, v)
        self.release(v)
        a = self.asm
        self.save_caller_pins()
        a.mov(RDI, VMCTX, 64)
        a.call_rip(self.mc.helper_label("wx_throw_ref"))
        self.record_pc()
        self.record_safepoint()               # (the exception itself is that collection's root)
        self.set_unreachable()

    @lowers("try_table")
    def op_try_table(self, bt, catches) -> None:
        layout = self.mc.layout
        clauses = []
        for kind, tagidx, depth in catches:          # labels of the enclosing context
            target = self.ctrls[-1 - depth]
            if target.kind != FUNC:
                target.targeted = True
            pad = _Pad(self.asm.label("pad"), kind, tagidx, target)
            self.eh_pads.append(pad)
            clauses.append((kind, 0 if tagidx is None else layout.tag(tagidx), pad.label))
        c = self.enter(BLOCK, bt)
        c.eh = (self.eh_scope,)                       # the enclosing clauses, back at the end
        self.eh_switch(tuple(clauses) + (self.eh_scope or ()))

    def eh_leave(self, c) -> None:
        """The end of a try_table (called by ``op_end``): its clauses stop covering the code."""
        self.eh_switch(c.eh[0])

    # ------------------------------------------------------------------------ landing pads
    def emit_landing_pads(self) -> None:
        """Out of line, after the trap sites: one pad per catch clause (see the module docstring)."""
        self.eh_switch(None)
        a = self.asm
        for pad in self.eh_pads:
            a.bind(pad.label)
            a.mov(RSP, RBP, 64)
            a.sub(RSP, 0, 64, force_imm32=True)
            self.eh_rsp_patches.append(a.offset - 4)
            a.mov(VMCTX, Mem(RBP, disp=-8), 64)
            a.mov(HEAP, Mem(VMCTX, disp=V.VMCTX_MEM_BASE), 64)
            self.restore_caller_pins()
            types: list[int] = []
            if pad.kind not in (CATCH_ALL, CATCH_ALL_REF):
                types = list(self.module.tag_type(pad.tag).params)
            ref = pad.kind in (CATCH_REF, CATCH_ALL_REF)
            target = pad.target
            if target.kind == FUNC:
                dests, slot = [], 0
                for ty in types + ([EXNREF] if ref else []):
                    dests.append(Mem(RBP, disp=16 + 8 * slot))
                    slot += 2 if ty == V128 else 1
            else:
                n = len(types) + ref
                dests = [self.frame.position_mem(target.height + j) for j in range(n)]
            slot = 0
            for j, ty in enumerate(types):
                copy_mem(a, dests[j], Mem(RAX, disp=V.VMEXN_PAYLOAD + 8 * slot), ty)
                slot += 2 if ty == V128 else 1
            if ref:
                a.mov(dests[-1], RAX, 64)
            if target.kind == FUNC:
                for reg, mem in self.callee_saved:
                    a.mov(reg, mem, 64)
                a.mov(RSP, RBP, 64)
                a.pop(RBP)
                a.ret()
            else:
                a.jmp(target.label)

    def eh_finish(self, frame_bytes: int) -> None:
        """After the frame size is known: patch the pads, hand the function's records to the module."""
        for at in self.eh_rsp_patches:
            self.asm.patch32(at, frame_bytes)
        mc = self.mc
        if self.callee_saved:
            mask, disps = 0, {RBX: 0, R12: 0, R13: 0}
            for reg, mem in self.callee_saved:
                mask |= _CALLEE_SAVED_BITS[reg]
                disps[reg] = mem.disp
            mc.eh_funcs.append((self.start, self.end, mask, disps[RBX], disps[R12], disps[R13]))
        for lo, hi, clauses in self.eh_segs:
            mc.eh_segs.append((lo, hi, tuple((k, t, lbl.offset) for k, t, lbl in clauses)))


def build_table(funcs: list[tuple], segs: list[tuple]) -> bytes:
    """The handler table of a module (u32 words; layout in native/unwind.c), b"" when empty."""
    if not funcs and not segs:
        return b""
    lists: dict[tuple, int] = {}
    clauses: list[int] = []
    seg_words: list[int] = []
    for lo, hi, cl in sorted(segs):
        first = lists.get(cl)
        if first is None:
            first = lists[cl] = len(clauses) // 3
            for kind, tag_off, pad in cl:
                clauses += (kind, tag_off, pad)
        seg_words += (lo, hi, first, len(cl))
    words = [len(funcs), len(segs), len(clauses) // 3]
    for start, end, mask, d0, d1, d2 in sorted(funcs):
        words += (start, end, mask, d0 & 0xFFFFFFFF, d1 & 0xFFFFFFFF, d2 & 0xFFFFFFFF)
    return array("I", words + seg_words + clauses).tobytes()


__all__ = ["ExceptionLowering", "build_table"]
