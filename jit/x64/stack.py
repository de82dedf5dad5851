"""The compile-time model of the Wasm operand stack and the register allocator of the single-pass compiler.

Every entry of the operand stack is a ``Val``: a constant, a value in a register, a value in its
canonical spill slot (one fixed frame slot per stack position), or a not-yet-loaded reference to a
local. Registers are allocated on demand; when none is free the deepest register-held stack entry is
spilled to its slot. A register is owned by exactly one ``Val`` (on the stack, or popped and being
consumed by the instruction being compiled), so ownership is a plain map.

Invariant: an i32 held in a general-purpose register has its upper 32 bits zero.
"""
from __future__ import annotations

from ..wasm.types import F32, F64, I32, V128
from .encoder import Assembler, Mem
from .registers import (
    R8,
    R9,
    R10,
    RAX,
    RBP,
    RCX,
    RDI,
    RDX,
    RSI,
    SCRATCH,
    XMM0,
    XMM1,
    XMM2,
    XMM3,
    XMM4,
    XMM5,
    XMM6,
    XMM7,
    XMM8,
    XMM9,
    XMM10,
    XMM11,
    XMM12,
    XMM13,
    XMM14,
    XMM_SCRATCH,
    Gpr,
    Xmm,
)

CONST, REG, SLOT, LOCAL = 0, 1, 2, 3

# Allocatable for operand-stack values. r11 is the scratch, r14/r15 hold memory base and vmctx, and
# rbx/r12/r13 are reserved for pinned locals: a function that pins them saves them in its prologue,
# so no other function may clobber them (they are callee-saved in our convention, as in SysV).
GPRS = (RAX, RCX, RDX, RSI, RDI, R8, R9, R10)
XMMS = (XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7, XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14)


def is_float(ty: int) -> bool:
    return ty == F32 or ty == F64 or ty == V128


def size_of(ty: int) -> int:
    """Operand size in bits of a GPR-class type (i32 is 32; i64 and references are 64)."""
    return 32 if ty == I32 else 64


class Val:
    """One operand-stack entry: kind (CONST/REG/SLOT/LOCAL), Wasm type, and payload.

    payload: the constant's bit pattern (unsigned), the register, the stack position (SLOT), or the
    local index.
    """

    __slots__ = ("kind", "ty", "x")

    def __init__(self, kind: int, ty: int, x: object = None) -> None:
        self.kind = kind
        self.ty = ty
        self.x = x

    def __repr__(self) -> str:
        names = ("const", "reg", "slot", "local")
        return f"Val({names[self.kind]}, {self.ty:#x}, {self.x!r})"


_RBP_MEMS: dict[int, Mem] = {}


def rbp_mem(disp: int) -> Mem:
    """``[rbp + disp]``, one shared ``Mem`` per displacement (an immutable value)."""
    m = _RBP_MEMS.get(disp)
    if m is None:
        if len(_RBP_MEMS) >= 1 << 16:
            _RBP_MEMS.clear()
        m = _RBP_MEMS[disp] = Mem(RBP, None, 1, disp)
    return m


class Frame:
    """Frame addressing of one function.

    Parameters live in the caller's argument area at ``[rbp + 16 + 8*slot]``; ``[rbp - 8]`` holds the
    vmctx; declared locals (and compiler temporaries) take 8-byte frame slots below it, two for a
    v128; then one canonical spill slot per operand-stack position (16 bytes each when the function
    may hold a v128 on its stack).
    """

    def __init__(self, params: tuple[int, ...], local_types: list[int], wide: bool) -> None:
        self.local_mems: list[Mem] = []     # the memory home of every local
        # Where each local lives while the function runs: its memory home, or the register it is
        # pinned to (hot locals; see FunctionCompiler.choose_pinned_locals).
        self.local_locs: list[Mem | Gpr | Xmm] = []
        slot = 0
        for ty in params:
            self.local_mems.append(rbp_mem(16 + 8 * slot))
            slot += 2 if ty == V128 else 1
        self.arg_slots = slot
        slot = 0
        for ty in local_types:
            w = 2 if ty == V128 else 1
            self.local_mems.append(rbp_mem(-8 * (slot + w + 1)))
            slot += w
        self.num_local_slots = slot
        self.local_locs = list(self.local_mems)
        self.width = 2 if wide else 1
        self.max_slot = slot          # one past the highest frame slot used so far
        self._position_mems: list[Mem] = []

    @staticmethod
    def disp(slot: int, width: int = 1) -> int:
        """rbp-relative displacement of frame slot ``slot`` spanning ``width`` 8-byte units."""
        return -8 * (slot + width + 1)

    def position_mem(self, pos: int) -> Mem:
        """The canonical spill slot of operand-stack position ``pos`` (one ``Mem`` per position, made
        once: the encoder memoizes encodings by operand)."""
        mems = self._position_mems
        if pos < len(mems):
            return mems[pos]
        width = self.width
        while len(mems) <= pos:
            slot = self.num_local_slots + len(mems) * width
            if slot + width > self.max_slot:
                self.max_slot = slot + width
            mems.append(rbp_mem(-8 * (slot + width + 1)))
        return mems[pos]

    def temp_mem(self, ty: int) -> Mem:
        """A fresh frame slot reserved after the locals (allocated before any stack slot is used)."""
        w = 2 if ty == V128 else 1
        mem = Mem(RBP, disp=self.disp(self.num_local_slots, w))
        self.num_local_slots += w
        self.max_slot = max(self.max_slot, self.num_local_slots)
        self._position_mems.clear()     # the positions start after the temporaries
        return mem


_EMPTY_OWNERS: dict[tuple, dict] = {}
"""(allocatable GPRs, XMMs) -> the owner map with every register free (copied per function)."""


class RegAlloc:
    """Register ownership for the function being compiled; spills stack entries when full."""

    def __init__(self, asm: Assembler, stack: list[Val], frame: Frame,
                 gprs: tuple = GPRS, xmms: tuple = XMMS) -> None:
        self.asm = asm
        self.stack = stack
        self.frame = frame
        self.gprs = gprs          # allocatable registers (the pinned ones are left out)
        self.xmms = xmms
        owner = _EMPTY_OWNERS.get((gprs, xmms))
        if owner is None:
            owner = _EMPTY_OWNERS[gprs, xmms] = dict.fromkeys(gprs + xmms)
        self.owner: dict[object, Val | None] = owner.copy()   # register -> its Val, None when free
        self.floor = 0            # stack entries below this are constants or in their slots
        self.local_refs = [0] * len(frame.local_locs)   # lazy local.get entries per local

    # --- allocation ---------------------------------------------------------------------------
    def alloc(self, ty: int, exclude: tuple = ()) -> Gpr | Xmm:
        pool = self.xmms if ty == F32 or ty == F64 or ty == V128 else self.gprs
        owner = self.owner
        if exclude:
            for r in pool:
                if owner[r] is None and r not in exclude:
                    return r
        else:
            for r in pool:
                if owner[r] is None:
                    return r
        self.spill_one(pool, exclude)
        return self.alloc(ty, exclude)

    def free_register(self, ty: int) -> Gpr | Xmm | None:
        """A register of ``ty``'s class that nobody owns, or None (never spills)."""
        owner = self.owner
        for r in self.xmms if ty == F32 or ty == F64 or ty == V128 else self.gprs:
            if owner[r] is None:
                return r
        return None

    def claim(self, reg: Gpr | Xmm, val: Val) -> None:
        self.owner[reg] = val
        val.kind = REG
        val.x = reg

    def free(self, val: Val) -> None:
        if val.kind == REG:
            owner = self.owner
            if owner.get(val.x) is val:
                owner[val.x] = None

    def spill_one(self, pool: tuple, exclude: tuple = ()) -> None:
        stack = self.stack
        for pos in range(self.floor, len(stack)):
            v = stack[pos]
            if v.kind == REG and v.x in pool and v.x not in exclude:
                self.spill(pos)
                return
        raise AssertionError("register allocator: nothing left to spill")

    def spill(self, pos: int) -> None:
        """Move stack entry ``pos`` to its canonical slot."""
        v = self.stack[pos]
        if v.kind == SLOT:
            return
        mem = self.frame.position_mem(pos)
        a = self.asm
        if v.kind == REG:
            self.owner[v.x] = None
            store_reg(a, mem, v.x, v.ty)
        elif v.kind == CONST:
            store_const(a, mem, v.x, v.ty)
        else:  # LOCAL: copy from its register or its memory home
            self.local_refs[v.x] -= 1
            src = self.frame.local_locs[v.x]
            if isinstance(src, Mem):
                copy_mem(a, mem, src, v.ty)
            else:
                store_reg(a, mem, src, v.ty)
        v.kind = SLOT
        v.x = pos

    def evict(self, reg: Gpr | Xmm, exclude: tuple = ()) -> None:
        """Make ``reg`` free, moving its current owner to another register (or a slot)."""
        val = self.owner.get(reg)
        if val is None:
            return
        stack = self.stack
        for pos in range(self.floor, len(stack)):
            if stack[pos] is val:
                self.spill(pos)
                return
        # A popped operand being consumed: move it to another register.
        new = self.alloc(val.ty, exclude=exclude + (reg,))
        move_reg(self.asm, new, reg, val.ty)
        self.owner[reg] = None
        self.claim(new, val)


# --- moves between locations --------------------------------------------------------------------

def move_reg(a: Assembler, dst, src, ty: int) -> None:
    if dst is src:
        return
    if type(dst) is Xmm:
        a.movaps(dst, src)
    else:
        a.mov(dst, src, 64)


def load_reg(a: Assembler, dst, mem: Mem, ty: int) -> None:
    if ty == F32:
        a.movss(dst, mem)
    elif ty == F64:
        a.movsd(dst, mem)
    elif ty == V128:
        a.movdqu(dst, mem)
    else:
        a.mov(dst, mem, size_of(ty))


def store_reg(a: Assembler, mem: Mem, src, ty: int) -> None:
    if ty == F32:
        a.movss(mem, src)
    elif ty == F64:
        a.movsd(mem, src)
    elif ty == V128:
        a.movdqu(mem, src)
    else:
        a.mov(mem, src, size_of(ty))


def store_const(a: Assembler, mem: Mem, bits: int, ty: int) -> None:
    if ty == V128:
        lo, hi = bits & 0xFFFFFFFFFFFFFFFF, bits >> 64
        for part, off in ((lo, 0), (hi, 8)):
            m = Mem(mem.base, mem.index, mem.scale, mem.disp + off)
            _store_u64(a, m, part, SCRATCH)
        return
    if ty in (I32, F32):
        a.mov(mem, to_s32(bits), 32)
    else:
        _store_u64(a, mem, bits, SCRATCH)


def _store_u64(a: Assembler, mem: Mem, bits: int, scratch: Gpr) -> None:
    s = to_s64(bits)
    if -(1 << 31) <= s < (1 << 31):
        a.mov(mem, s, 64)
    else:
        a.mov(scratch, bits, 64)
        a.mov(mem, scratch, 64)


def copy_mem(a: Assembler, dst: Mem, src: Mem, ty: int) -> None:
    if ty == V128:
        a.movdqu(XMM_SCRATCH, src)
        a.movdqu(dst, XMM_SCRATCH)
    else:
        size = 32 if ty in (I32, F32) else 64
        a.mov(SCRATCH, src, size)
        a.mov(dst, SCRATCH, size)


def to_s32(x: int) -> int:
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x & 0x80000000 else x


def to_s64(x: int) -> int:
    x &= 0xFFFFFFFFFFFFFFFF
    return x - (1 << 64) if x & (1 << 63) else x


def fits_imm32(bits: int, ty: int) -> bool:
    """Whether a constant can be an instruction immediate for an operation of type ``ty``."""
    if ty == I32:
        return True
    return -(1 << 31) <= to_s64(bits) < (1 << 31)


def imm_of(bits: int, ty: int) -> int:
    return to_s32(bits) if ty == I32 else to_s64(bits)
