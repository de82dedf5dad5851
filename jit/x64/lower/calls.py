"""Calls: direct, indirect (through a table), and calls of runtime helpers."""
from __future__ import annotations

from ...abi import gclayout as G
from ...abi import vmctx as V
from ...wasm.types import V128, FuncType
from ..context import FLAGS
from ..encoder import Cond, Mem
from ..registers import HEAP, RAX, RBP, RCX, RDI, RDX, RSP, SCRATCH, VMCTX, Gpr
from ..stack import Val, load_reg
from . import lowers


def arg_slots(types) -> int:
    """8-byte slots taken by values of ``types`` (a v128 takes two)."""
    return sum(2 if t == V128 else 1 for t in types)


_AREA_BYTES: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
"""(params, results) -> arg_area_bytes, computed once per signature (every call asks)."""


def arg_area_bytes(ft: FuncType) -> int:
    """Bytes of the argument area a caller reserves for ``ft`` (docs/abi.md): max(param slots, result
    slots) * 8, rounded up to 16. A callee relies on exactly this much at ``[rbp + 16]``."""
    key = (ft.params, ft.results)
    area = _AREA_BYTES.get(key)
    if area is None:
        area = 8 * max(arg_slots(ft.params), arg_slots(ft.results))
        area += -area % 16
        if len(_AREA_BYTES) >= 4096:
            _AREA_BYTES.clear()
        _AREA_BYTES[key] = area
    return area


class CallLowering:
    """Calls of ``FunctionCompiler`` and the helper-call sequences other lowerings share."""

    def call_helper(self, name: str) -> None:
        """Call a native helper (all registers are free: the caller spilled). rdi = vmctx."""
        asm = self.asm
        asm.mov(RDI, VMCTX, 64)
        asm.call_rip(self.mc.helper_label(name))
        self.record_pc()
        self.record_safepoint()

    # ------------------------------------------------------------------------ calls
    def prepare_args(self, ft: FuncType) -> None:
        """Spill the stack below the arguments and store the arguments into the outgoing area."""
        n = len(ft.params)
        args = self.truncate(len(self.stack) - n)
        self.spill_all()
        slot = 0
        for v in args:
            if v.kind == FLAGS:
                self.to_reg(v)
            self.emit_store_val(Mem(RSP, disp=8 * slot), v)
            self.release(v)
            slot += 2 if v.ty == V128 else 1
        self.max_outgoing = max(self.max_outgoing, arg_area_bytes(ft))

    def push_results(self, ft: FuncType, may_tail: bool = True) -> None:
        """After a call: push the results read at ``[rsp]``. Unless the callee certainly returned like
        an ordinary call (``may_tail=False``), then reset rsp: a callee that tail-called may return
        with rsp at its own argument area (jit.x64.lower.tailcalls)."""
        slot = 0
        for ty in ft.results:
            r = self.ra.alloc(ty)
            load_reg(self.asm, r, Mem(RSP, disp=8 * slot), ty)
            self.push_reg(r, ty)
            slot += 2 if ty == V128 else 1
        if may_tail:
            self.reset_stack_pointer()

    def restore_instance_regs(self) -> None:
        asm = self.asm
        asm.mov(VMCTX, Mem(RBP, disp=-8), 64)
        asm.mov(HEAP, Mem(VMCTX, disp=V.VMCTX_MEM_BASE), 64)

    @lowers("call")
    def op_call(self, f, _b) -> None:
        ft = self.mc.func_types[f]
        self.prepare_args(ft)
        asm = self.asm
        self.save_caller_pins()
        # A callee may have tail-called (docs/abi.md "Tail calls"): it can return with another
        # instance's vmctx and rsp at its own argument area. Only a direct callee of a module
        # without tail calls certainly returns like an ordinary call.
        may_tail = True
        if f < self.mc.num_imported_funcs:
            self.load_import_target(f)
            asm.call(RAX)
            self.record_pc()
            self.record_safepoint()
            self.restore_instance_regs()
        else:
            asm.call(self.mc.func_labels[f])
            self.record_pc()
            self.record_safepoint()
            may_tail = self.mc.tail_calls
            if may_tail:
                self.restore_instance_regs()
        self.restore_caller_pins()
        self.push_results(ft, may_tail)

    def load_import_target(self, f: int) -> None:
        """rax = the code of imported function ``f``; switch to its instance (r15, r14)."""
        asm = self.asm
        off = self.mc.layout.imported_func(f)
        asm.mov(RAX, Mem(VMCTX, disp=off + V.VMIMPORT_CODE), 64)
        asm.mov(RCX, Mem(VMCTX, disp=off + V.VMIMPORT_VMCTX), 64)
        self.switch_instance(RCX)

    def switch_instance(self, callee_vmctx: Gpr) -> None:
        asm = self.asm
        asm.mov(RDX, Mem(VMCTX, disp=V.VMCTX_STACK_LIMIT), 64)
        asm.mov(Mem(callee_vmctx, disp=V.VMCTX_STACK_LIMIT), RDX, 64)
        asm.mov(VMCTX, callee_vmctx, 64)
        asm.mov(HEAP, Mem(VMCTX, disp=V.VMCTX_MEM_BASE), 64)

    @lowers("call_indirect")
    def op_call_indirect(self, typeidx, table) -> None:
        ft = self.module.types[typeidx]
        idx = self.pop()
        # The index stays where it is (register, its slot, a local or a constant): storing the
        # arguments writes only lower slots and the outgoing area.
        self.prepare_args(ft)
        asm = self.asm
        self.load_into(RAX, idx)
        self.release(idx)
        self.save_caller_pins()
        self.load_table_target(typeidx, table)
        asm.call(RAX)
        self.record_pc()
        self.record_safepoint()
        self.restore_instance_regs()
        self.restore_caller_pins()
        self.push_results(ft)

    def load_table_target(self, typeidx: int, table: int) -> None:
        """With the element index in rax: check it against table ``table`` (bounds, null, type
        ``typeidx``), then rax = the function's code; switch to its instance (r15, r14)."""
        asm = self.asm
        layout = self.mc.layout
        asm.mov(RCX, Mem(VMCTX, disp=layout.table(table)), 64)
        asm.cmp(RAX, Mem(RCX, disp=V.VMTABLE_LENGTH), 64)
        self.trap_if(Cond.AE, "undefined element")
        asm.mov(RCX, Mem(RCX, disp=V.VMTABLE_ELEMENTS), 64)
        asm.mov(RCX, Mem(RCX, RAX, 8, 0), 64)
        asm.test(RCX, RCX, 64)
        self.trap_if(Cond.E, "uninitialized element")
        asm.mov(RDX, Mem(VMCTX, disp=layout.type_id(typeidx)), 64)
        asm.cmp(RDX, Mem(RCX, disp=V.VMFUNCREF_TYPE_ID), 64)
        if self.gc_final(typeidx):
            self.trap_if(Cond.NE, "indirect call type mismatch")
        else:                   # a subtype of a non-final type matches too (its supertype display)
            self.subtype_check(typeidx)
        asm.mov(RAX, Mem(RCX, disp=V.VMFUNCREF_CODE), 64)
        asm.mov(RCX, Mem(RCX, disp=V.VMFUNCREF_VMCTX), 64)
        self.switch_instance(RCX)

    def subtype_check(self, typeidx: int) -> None:
        """With the flags of comparing rdx (the canonical id of ``typeidx``) with the function's id and
        rcx = the VMFuncRef: trap unless the function's type is ``typeidx`` or declares it on its
        supertype chain (the descriptor display of jit.abi.gclayout). Clobbers rax and r11."""
        asm = self.asm
        ok = asm.label()
        asm.jcc(Cond.E, ok)
        depth = self.gc_depth(typeidx)
        asm.mov(RAX, Mem(VMCTX, disp=V.VMCTX_GC_TYPES), 64)
        asm.mov(SCRATCH, Mem(RCX, disp=V.VMFUNCREF_TYPE_ID), 64)
        asm.mov(RAX, Mem(RAX, SCRATCH, 8, 0), 64)
        asm.test(RAX, RAX, 64)
        self.trap_if(Cond.E, "indirect call type mismatch")
        asm.cmp(Mem(RAX, disp=G.DESC_DEPTH), depth, 32)
        self.trap_if(Cond.B, "indirect call type mismatch")
        asm.mov(RAX, Mem(RAX, disp=G.DESC_DISPLAY), 64)
        asm.cmp(RDX, Mem(RAX, disp=8 * depth), 64)
        self.trap_if(Cond.NE, "indirect call type mismatch")
        asm.bind(ok)

    # ----------------------------------------------- helper calls of bulk memory and table instructions
    def pop_to_memory(self, n: int) -> list[Val]:
        """Pop ``n`` operands after spilling everything, so each one is a constant or in memory and
        can be loaded into any argument register without clobbering another."""
        self.spill_all()
        return self.truncate(len(self.stack) - n)

    def call_checked_helper(self, name: str, args: list[tuple[Gpr, object]]) -> None:
        """Call a bulk/table helper with SysV arguments; a nonzero result is the trap code."""
        asm = self.asm
        self.save_caller_pins()
        for reg, src in args:
            if isinstance(src, Val):
                self.load_into(reg, src)
            elif isinstance(src, Mem):
                asm.mov(reg, src, 64)
            elif isinstance(src, tuple):          # (Mem of a pointer, byte offset to add)
                asm.mov(reg, src[0], 64)
                if src[1]:
                    asm.add(reg, src[1], 64)
            else:
                asm.mov(reg, src, 64)
        asm.call_rip(self.mc.helper_label(name))
        self.record_pc()
        self.record_safepoint()
        self.restore_caller_pins()
        asm.test(RAX, RAX, 32)
        lbl = asm.label()
        asm.jcc(Cond.NE, lbl)
        self.trap_sites.append((lbl, None, self.pos))
