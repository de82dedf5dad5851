"""Linear memory: bounds-checked loads and stores, memory.size/grow and the bulk memory instructions.

Memory 0 of 32-bit type keeps the fast path: its base is pinned in ``HEAP`` and the guard region of
its reservation does the bounds check. Another 32-bit memory is the same with its base loaded from
its ``VMMemoryDesc`` in the vmctx. A 64-bit memory (memory64) is checked explicitly: the effective
address plus the access size, computed with carry detection (offsets up to 2^64-1), must not exceed
the memory's current length, else "out of bounds memory access". The bulk and grow helpers of any
memory but a 32-bit memory 0 are the ``*_at`` ones, which take the ``VMMemory`` and full u64 operands.
"""
from __future__ import annotations

from ...abi import vmctx as V
from ...wasm.opcodes import MEMARG, MEMARG_LANE, OPS, memarg_memory
from ...wasm.types import F32, F64, I32, I64
from ..context import FLAGS, M32
from ..encoder import Cond, Mem
from ..registers import HEAP, R8, RAX, RCX, RDI, RDX, RSI, SCRATCH, VMCTX, Gpr, Xmm
from ..stack import CONST, LOCAL, REG, Val, fits_imm32, is_float, size_of
from . import KEY, lower_with_immediates, lowers

MAX_U64 = (1 << 64) - 1
# bytes touched by each memory access instruction (its natural alignment is log2 of that)
ACCESS_BYTES = {i.name: 1 << i.align for i in OPS.values() if i.imm in (MEMARG, MEMARG_LANE)}
_OOB = "out of bounds memory access"


def memory64_flags(mc) -> tuple[bool, ...]:
    """Per memory of the module compiled by ``mc``: is it a 64-bit memory? (computed once per module)"""
    flags = getattr(mc, "memory64_flags", None)
    if flags is None:
        flags = mc.memory64_flags = tuple(m.address_type == I64 for m in mc.module.all_memories())
    return flags

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


def _load_users() -> dict[int, tuple[int, str, object]]:
    """Opcode key -> (operand type, "op" or "cmp", assembler method or condition): the instructions
    that can read a full-width integer load as their right operand straight from memory."""
    from .integer import INT_BINOPS, INT_COMPARES
    users: dict[int, tuple[int, str, object]] = {}
    for name, (ty, method, _commutative, _fold) in INT_BINOPS.items():
        users[KEY[name]] = (ty, "op", method)
    for name, (ty, cond) in INT_COMPARES.items():
        users[KEY[name]] = (ty, "cmp", cond)
    return users


# loads whose value can be an ALU operand: name -> type (the access is the full width of the type)
FULL_WIDTH_LOADS = {"i32.load": I32, "i64.load": I64}
LOAD_USERS = _load_users()


class MemoryLowering:
    """Memory instructions of ``FunctionCompiler``."""

    def memory_is64(self, memidx: int) -> bool:
        return memory64_flags(self.mc)[memidx]

    def memory_ptr(self, memidx: int) -> Mem:
        """Where the vmctx holds memory ``memidx``'s ``VMMemory*``."""
        if memidx == 0:
            return Mem(VMCTX, disp=V.VMCTX_MEMORY)
        return Mem(VMCTX, disp=self.mc.layout.memory_desc(memidx) + V.VMMEMDESC_MEMORY)

    def address(self, addr: Val, offset: int, a: int = 0, size: int = 1) -> Mem:
        """The memory operand for a Wasm address plus static offset, for an access of ``size`` bytes
        to the memory named by memarg immediate ``a`` (memory 0 by default).

        32-bit memories: guard pages do the bounds check. The index is a zero-extended i32 and the
        offset a u32, so the address is below 2^33: inside the memory's 8 GiB reservation.
        64-bit memories: an explicit check (see ``address64``).
        """
        memidx = memarg_memory(a)
        if memidx or memory64_flags(self.mc)[0]:
            if self.memory_is64(memidx):
                return self.address64(addr, offset, memidx, size)
            return self.address_other32(addr, offset, memidx)
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

    def address_other32(self, addr: Val, offset: int, memidx: int) -> Mem:
        """A 32-bit memory other than memory 0: as memory 0, with SCRATCH = its base (from its
        descriptor) plus the index, so the guard region still does the bounds check."""
        asm = self.asm
        base = Mem(VMCTX, disp=self.mc.layout.memory_desc(memidx) + V.VMMEMDESC_BASE)
        if addr.kind == CONST:
            asm.mov(SCRATCH, (addr.x & M32) + offset, 64)
            asm.add(SCRATCH, base, 64)
            return Mem(SCRATCH)
        r = self.operand(addr, allow_imm=False)
        asm.mov(SCRATCH, r, 32)            # zero-extends the i32 index
        asm.add(SCRATCH, base, 64)
        if offset <= 0x7FFFFFFF:
            return Mem(SCRATCH, disp=offset)
        asm.add(SCRATCH, 0x7FFFFFFF, 64)
        asm.add(SCRATCH, 1, 64)
        return Mem(SCRATCH, disp=offset - 0x80000000)

    def address64(self, addr: Val, offset: int, memidx: int, size: int) -> Mem:
        """A 64-bit memory: ``end = addr + offset + size`` with unsigned overflow trapping, then
        ``end <= length`` or trap; the operand is ``base + end - size``. ``addr`` ends up in a register
        it owns (the caller releases it as usual)."""
        asm = self.asm
        r = self.to_reg(addr)
        end = offset + size
        if end > MAX_U64:                  # no address can be in bounds
            asm.xor(SCRATCH, SCRATCH, 32)  # ZF = 1
            self.trap_if(Cond.E, _OOB)
        elif end <= 0x7FFFFFFF:
            asm.add(r, end, 64)
            self.trap_if(Cond.B, _OOB)     # carry: beyond 2^64
        else:
            asm.mov(SCRATCH, end, 64)
            asm.add(r, SCRATCH, 64)
            self.trap_if(Cond.B, _OOB)
        asm.mov(SCRATCH, self.memory_ptr(memidx), 64)
        asm.cmp(r, Mem(SCRATCH, disp=V.VMMEMORY_LENGTH), 64)
        self.trap_if(Cond.A, _OOB)
        if memidx == 0:
            return Mem(HEAP, r, 1, -size)
        asm.mov(SCRATCH, Mem(SCRATCH, disp=V.VMMEMORY_BASE), 64)
        return Mem(SCRATCH, r, 1, -size)

    def load_as_operand(self, ty: int, align: int, offset: int) -> bool:
        """``x OP load`` (add, sub, and, or, xor, mul, or a comparison, the load's value as the right
        operand, the next instruction): the operation reads memory itself (``add eax, [r14 + rcx]``,
        ``cmp ebx, [r14 + rcx + 8]``). The operation's pc is the load's, so a fault there is the
        load's "out of bounds memory access"."""
        code = self.code
        j = self.i + 1
        user = LOAD_USERS.get(code[j][0]) if j < len(code) else None
        if user is None or user[0] != ty or len(self.stack) < 2:
            return False
        a = self.stack[-2]
        if a.kind == CONST or a.kind == FLAGS:
            return False
        addr = self.pop()
        a = self.pop()
        self.i = j                          # the operation is consumed here
        size = size_of(ty)
        _ty, kind, what = user
        asm = self.asm
        if kind == "cmp":
            lhs = self.operand(a, allow_imm=False)
            if isinstance(lhs, Mem):
                lhs = self.to_reg(a)
            mem = self.address(addr, offset, align, size // 8)
            self.record_pc()
            asm.cmp(lhs, mem, size)
            self.release(a, addr)
            self.push_cond(what)
            return True
        target = self.pinned_result_target(a, addr)    # not X when the address reads X
        if target is None:
            dst = self.to_reg(a)
        else:
            idx, dst = target
            self.materialize_local_refs(idx)
            if not (a.kind == LOCAL and a.x == idx):
                self.load_into(dst, a)
            self.release(a)
        mem = self.address(addr, offset, align, size // 8)
        self.record_pc()
        getattr(asm, what)(dst, mem, size)
        self.release(addr)
        self.push_binop_result(None if target is None else target[0], dst, ty)
        return True

    def op_load(self, name: str, align: int, offset: int) -> None:
        ty, nbytes, signed = LOADS[name]
        if name in FULL_WIDTH_LOADS and self.load_as_operand(ty, align, offset):
            return
        addr = self.pop()
        mem = self.address(addr, offset, align, nbytes)
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
        mem = self.address(addr, offset, align, nbytes)
        self.record_pc()
        if ty == F32:
            asm.movss(mem, src)
        elif ty == F64:
            asm.movsd(mem, src)
        else:
            asm.mov(mem, src, nbytes * 8)
        self.release(val, addr)

    @lowers("memory.size")
    def op_memory_size(self, memidx, _b) -> None:
        is64 = self.memory_is64(memidx)
        ty = I64 if is64 else I32
        r = self.ra.alloc(ty)
        self.asm.mov(r, self.memory_ptr(memidx), 64)
        self.asm.mov(r, Mem(r, disp=V.VMMEMORY_PAGES), 64 if is64 else 32)
        self.push_reg(r, ty)

    @lowers("memory.grow")
    def op_memory_grow(self, memidx, _b) -> None:
        is64 = self.memory_is64(memidx)
        delta = self.pop()
        self.spill_all()
        self.save_caller_pins()
        self.load_into(RSI, delta)
        self.release(delta)
        if memidx == 0 and not is64:
            self.call_helper("wx_memory_grow")
        else:
            self.asm.mov(RDI, self.memory_ptr(memidx), 64)
            self.asm.call_rip(self.mc.helper_label("wx_memory_grow_at"))
            self.record_pc()
        self.restore_caller_pins()
        if is64:
            self.push_reg(RAX, I64)
        else:
            self.asm.mov(RAX, RAX, 32)
            self.push_reg(RAX, I32)

    def bulk_fast(self, *memories: int) -> bool:
        """The 2.0 helpers (32-bit operands) serve instructions on memory 0 of 32-bit type only."""
        return not any(memories) and not self.memory_is64(0)

    @lowers("memory.copy")
    def op_memory_copy(self, dst_mem, src_mem) -> None:
        d, s_, n = self.pop_to_memory(3)
        if self.bulk_fast(dst_mem, src_mem):
            mem = Mem(VMCTX, disp=V.VMCTX_MEMORY)
            self.call_checked_helper("wx_memory_copy", [(RSI, d), (RDX, s_), (RCX, n), (RDI, mem)])
            return
        self.call_checked_helper("wx_memory_copy_at", [(RDX, d), (RCX, s_), (R8, n),
                                                       (RDI, self.memory_ptr(dst_mem)),
                                                       (RSI, self.memory_ptr(src_mem))])

    @lowers("memory.fill")
    def op_memory_fill(self, memidx, _b) -> None:
        d, val, n = self.pop_to_memory(3)
        fast = self.bulk_fast(memidx)
        self.call_checked_helper("wx_memory_fill" if fast else "wx_memory_fill_at",
                                 [(RSI, d), (RDX, val), (RCX, n), (RDI, self.memory_ptr(memidx))])

    @lowers("memory.init")
    def op_memory_init(self, seg, memidx) -> None:
        d, s_, n = self.pop_to_memory(3)
        segp = (Mem(VMCTX, disp=V.VMCTX_DATAS), V.VMDATASEG_SIZE * seg)
        fast = self.bulk_fast(memidx)
        self.call_checked_helper("wx_memory_init" if fast else "wx_memory_init_at",
                                 [(RDX, d), (RCX, s_), (R8, n), (RSI, segp), (RDI, self.memory_ptr(memidx))])

    @lowers("data.drop")
    def op_data_drop(self, seg, _b) -> None:
        self.asm.mov(SCRATCH, Mem(VMCTX, disp=V.VMCTX_DATAS), 64)
        self.asm.mov(Mem(SCRATCH, disp=V.VMDATASEG_SIZE * seg + V.VMDATASEG_LENGTH), 0, 64)


lower_with_immediates(LOADS, MemoryLowering.op_load)
lower_with_immediates(STORES, MemoryLowering.op_store)
