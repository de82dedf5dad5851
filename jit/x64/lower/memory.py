"""Linear memory: bounds-checked loads and stores, memory.size/grow and the bulk memory instructions."""
from __future__ import annotations

from ...abi import vmctx as V
from ...wasm.types import F32, F64, I32, I64
from ..context import M32
from ..encoder import Mem
from ..registers import HEAP, R8, RAX, RCX, RDI, RDX, RSI, SCRATCH, VMCTX, Gpr, Xmm
from ..stack import CONST, REG, Val, fits_imm32, is_float, size_of
from . import lower_with_immediates, lowers

# loads: name -> (result type, access bytes, signed)
LOADS = {
    "i32.load": (I32, 4, False), "i64.load": (I64, 8, False), "f32.load": (F32, 4, False),
    "f64.load": (F64, 8, False), "i32.load8_s": (I32, 1, True), "i32.load8_u": (I32, 1, False),
    "i32.load16_s": (I32, 2, True), "i32.load16_u": (I32, 2, False), "i64.load8_s": (I64, 1, True),
    "i64.load8_u": (I64, 1, False), "i64.load16_s": (I64, 2, True), "i64.load16_u": (I64, 2, False),
    "i64.load32_s": (I64, 4, True), "i64.load32_u": (I64, 4, False),
}
# stores: name -> (value type, access bytes)
STORES = {
    "i32.store": (I32, 4), "i64.store": (I64, 8), "f32.store": (F32, 4), "f64.store": (F64, 8),
    "i32.store8": (I32, 1), "i32.store16": (I32, 2), "i64.store8": (I64, 1), "i64.store16": (I64, 2),
    "i64.store32": (I64, 4),
}


class MemoryLowering:
    """Memory instructions of ``FunctionCompiler``."""

    def address(self, addr: Val, offset: int) -> Mem:
        """The memory operand for a Wasm address plus static offset (guard pages do the bounds check).

        The index is a zero-extended i32 and the offset a u32, so the address is below 2^33: inside
        the memory's 8 GiB reservation.
        """
        asm = self.asm
        if addr.kind == CONST:
            ea = (addr.x & M32) + offset
            if ea <= 0x7FFFFFFF:
                return Mem(HEAP, disp=ea)
            asm.mov(SCRATCH, ea, 64)
            return Mem(HEAP, SCRATCH)
        r = self.operand(addr, allow_imm=False)
        if isinstance(r, Mem):
            asm.mov(SCRATCH, r, 32)
            r = SCRATCH
        if offset <= 0x7FFFFFFF:
            return Mem(HEAP, r, 1, offset)
        # A static offset of 2^31 or more: r11 = index + 2^31, the rest fits the displacement.
        asm.mov(SCRATCH, r, 32)
        asm.add(SCRATCH, 0x7FFFFFFF, 64)
        asm.add(SCRATCH, 1, 64)
        return Mem(HEAP, SCRATCH, 1, offset - 0x80000000)

    def op_load(self, name: str, align: int, offset: int) -> None:
        ty, nbytes, signed = LOADS[name]
        addr = self.pop()
        mem = self.address(addr, offset)
        self.release(addr)
        dst = self.ra.alloc(ty)
        asm = self.asm
        self.record_pc()
        if ty == F32:
            asm.movss(dst, mem)
        elif ty == F64:
            asm.movsd(dst, mem)
        elif nbytes == 8:
            asm.mov(dst, mem, 64)
        elif nbytes == 4:
            if signed:
                asm.movsx(dst, mem, 32, 64)
            else:
                asm.mov(dst, mem, 32)
        elif signed:
            asm.movsx(dst, mem, nbytes * 8, size_of(ty))
        else:
            asm.movzx(dst, mem, nbytes * 8, 32)
        self.push_reg(dst, ty)

    def op_store(self, name: str, align: int, offset: int) -> None:
        ty, nbytes = STORES[name]
        val = self.pop()
        addr = self.pop()
        asm = self.asm
        if val.kind == CONST and not is_float(ty) and (nbytes < 8 or fits_imm32(val.x, I64)):
            bits = 8 * nbytes
            src = val.x & ((1 << bits) - 1)
            if src >> (bits - 1):
                src -= 1 << bits
        else:
            src = self.to_reg(val)
        if isinstance(src, Gpr | Xmm) and addr.kind == REG and addr.x == src:
            raise AssertionError("address and value share a register")
        mem = self.address(addr, offset)
        self.record_pc()
        if ty == F32:
            asm.movss(mem, src)
        elif ty == F64:
            asm.movsd(mem, src)
        else:
            asm.mov(mem, src, nbytes * 8)
        self.release(val, addr)

    @lowers("memory.size")
    def op_memory_size(self, _a, _b) -> None:
        r = self.ra.alloc(I32)
        self.asm.mov(r, Mem(VMCTX, disp=V.VMCTX_MEMORY), 64)
        self.asm.mov(r, Mem(r, disp=V.VMMEMORY_PAGES), 32)
        self.push_reg(r, I32)

    @lowers("memory.grow")
    def op_memory_grow(self, _a, _b) -> None:
        delta = self.pop()
        self.spill_all()
        self.save_caller_pins()
        self.load_into(RSI, delta)
        self.release(delta)
        self.call_helper("wx_memory_grow")
        self.restore_caller_pins()
        self.asm.mov(RAX, RAX, 32)
        self.push_reg(RAX, I32)

    @lowers("memory.copy")
    def op_memory_copy(self, _dst_mem, _src_mem) -> None:
        d, s_, n = self.pop_to_memory(3)
        mem = Mem(VMCTX, disp=V.VMCTX_MEMORY)
        self.call_checked_helper("wx_memory_copy", [(RSI, d), (RDX, s_), (RCX, n), (RDI, mem)])

    @lowers("memory.fill")
    def op_memory_fill(self, _mem, _b) -> None:
        d, val, n = self.pop_to_memory(3)
        mem = Mem(VMCTX, disp=V.VMCTX_MEMORY)
        self.call_checked_helper("wx_memory_fill", [(RSI, d), (RDX, val), (RCX, n), (RDI, mem)])

    @lowers("memory.init")
    def op_memory_init(self, seg, _mem) -> None:
        d, s_, n = self.pop_to_memory(3)
        segp = (Mem(VMCTX, disp=V.VMCTX_DATAS), V.VMDATASEG_SIZE * seg)
        self.call_checked_helper("wx_memory_init", [(RDX, d), (RCX, s_), (R8, n), (RSI, segp),
                                                    (RDI, Mem(VMCTX, disp=V.VMCTX_MEMORY))])

    @lowers("data.drop")
    def op_data_drop(self, seg, _b) -> None:
        self.asm.mov(SCRATCH, Mem(VMCTX, disp=V.VMCTX_DATAS), 64)
        self.asm.mov(Mem(SCRATCH, disp=V.VMDATASEG_SIZE * seg + V.VMDATASEG_LENGTH), 0, 64)


lower_with_immediates(LOADS, MemoryLowering.op_load)
lower_with_immediates(STORES, MemoryLowering.op_store)
