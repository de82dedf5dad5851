"""Tables and references: table.*, elem.drop, ref.null, ref.is_null, ref.func."""
from __future__ import annotations

from ...abi import vmctx as V
from ...wasm.types import FUNCREF, I32, I64
from ..encoder import Cond, Mem
from ..registers import R8, RAX, RCX, RDI, RDX, RSI, SCRATCH, VMCTX, Gpr
from ..stack import CONST
from . import lowers


class TableLowering:
    """Table and reference instructions of ``FunctionCompiler``."""

    @lowers("elem.drop")
    def op_elem_drop(self, seg, _b) -> None:
        self.asm.mov(SCRATCH, Mem(VMCTX, disp=V.VMCTX_ELEMS), 64)
        self.asm.mov(Mem(SCRATCH, disp=V.VMELEMSEG_SIZE * seg + V.VMELEMSEG_LENGTH), 0, 64)

    def table_ptr(self, t: int) -> Mem:
        return Mem(VMCTX, disp=self.mc.layout.table(t))

    def table_is64(self, t: int) -> bool:
        """A 64-bit table (table64): i64 indices and sizes; its helpers are the ``*_at`` ones."""
        return self.module.table_type(t).address_type == I64

    def table_check(self, t: int, idx: Gpr) -> None:
        """r11 = the element array of table ``t``; traps unless idx < length."""
        asm = self.asm
        asm.mov(SCRATCH, self.table_ptr(t), 64)
        asm.cmp(idx, Mem(SCRATCH, disp=V.VMTABLE_LENGTH), 64)
        self.trap_if(Cond.AE, "out of bounds table access")
        asm.mov(SCRATCH, Mem(SCRATCH, disp=V.VMTABLE_ELEMENTS), 64)

    @lowers("table.get")
    def op_table_get(self, t, _b) -> None:
        idx = self.pop()
        r = self.to_reg(idx)
        self.table_check(t, r)
        self.asm.mov(r, Mem(SCRATCH, r, 8, 0), 64)
        self.ra.free(idx)
        self.push_reg(r, self.module.table_type(t).elem)

    @lowers("table.set")
    def op_table_set(self, t, _b) -> None:
        val = self.pop()
        idx = self.pop()
        v = self.to_reg(val)
        r = self.to_reg(idx, exclude=(v,))
        self.table_check(t, r)
        self.asm.mov(Mem(SCRATCH, r, 8, 0), v, 64)
        self.release(val, idx)

    @lowers("table.size")
    def op_table_size(self, t, _b) -> None:
        ty = I64 if self.table_is64(t) else I32
        r = self.ra.alloc(ty)
        self.asm.mov(r, self.table_ptr(t), 64)
        self.asm.mov(r, Mem(r, disp=V.VMTABLE_LENGTH), 64 if ty == I64 else 32)
        self.push_reg(r, ty)

    @lowers("table.grow")
    def op_table_grow(self, t, _b) -> None:
        init, n = self.pop_to_memory(2)
        asm = self.asm
        self.save_caller_pins()
        self.load_into(RSI, init)
        self.load_into(RDX, n)
        asm.mov(RDI, self.table_ptr(t), 64)
        is64 = self.table_is64(t)
        asm.call_rip(self.mc.helper_label("wx_table_grow_at" if is64 else "wx_table_grow"))
        self.record_pc()
        self.record_safepoint()
        self.restore_caller_pins()
        if is64:
            self.push_reg(RAX, I64)
            return
        asm.mov(RAX, RAX, 32)
        self.push_reg(RAX, I32)

    @lowers("table.fill")
    def op_table_fill(self, t, _b) -> None:
        i, val, n = self.pop_to_memory(3)
        helper = "wx_table_fill_at" if self.table_is64(t) else "wx_table_fill"
        self.call_checked_helper(helper, [(RSI, i), (RDX, val), (RCX, n), (RDI, self.table_ptr(t))])

    @lowers("table.copy")
    def op_table_copy(self, dst_t, src_t) -> None:
        d, s_, n = self.pop_to_memory(3)
        helper = "wx_table_copy_at" if self.table_is64(dst_t) or self.table_is64(src_t) else "wx_table_copy"
        self.call_checked_helper(helper, [(RDX, d), (RCX, s_), (R8, n), (RDI, self.table_ptr(dst_t)),
                                          (RSI, self.table_ptr(src_t))])

    @lowers("table.init")
    def op_table_init(self, seg, t) -> None:
        d, s_, n = self.pop_to_memory(3)
        segp = (Mem(VMCTX, disp=V.VMCTX_ELEMS), V.VMELEMSEG_SIZE * seg)
        helper = "wx_table_init_at" if self.table_is64(t) else "wx_table_init"
        self.call_checked_helper(helper, [(RDX, d), (RCX, s_), (R8, n), (RSI, segp),
                                          (RDI, self.table_ptr(t))])

    # ------------------------------------------------------------------------ references
    @lowers("ref.null")
    def op_ref_null(self, ty, _b) -> None:
        self.push(CONST, ty, 0)

    @lowers("ref.is_null")
    def op_ref_is_null(self, _a, _b) -> None:
        v = self.pop()
        if v.kind == CONST:
            self.push(CONST, I32, int(v.x == 0))
            return
        src = self.operand(v, allow_imm=False)
        if isinstance(src, Mem):
            self.asm.cmp(src, 0, 64)
        else:
            self.asm.test(src, src, 64)
        self.release(v)
        self.push_cond(Cond.E)

    @lowers("ref.func")
    def op_ref_func(self, f, _b) -> None:
        r = self.ra.alloc(FUNCREF)
        self.asm.lea(r, Mem(VMCTX, disp=self.mc.layout.funcref(f)))
        self.push_reg(r, FUNCREF)
