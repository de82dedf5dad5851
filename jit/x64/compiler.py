"""The single-pass compiler: validated Wasm functions to x86-64 machine code.

One pass over each function's instructions, in the family of V8 Liftoff and wasmtime Winch. The
operand stack is modelled at compile time (``jit.x64.stack``): constants fold into immediates,
``local.get`` is a lazy reference that instructions read as a memory operand, registers are allocated
on demand and spilled when they run out, at calls and at control-flow merges. A comparison followed by
``br_if``, ``if`` or ``select`` is fused into one compare-and-branch.

Control-flow state at every label is canonical: entries below the block's height are constants or in
their spill slots, and the label's values (results, or loop parameters) are in the spill slots of
their positions. Branches copy their values there; nothing else has to agree.

The output is a ``CompiledModule`` (position-independent code, relocations for the helper GOT, the PC
map, signatures); see docs/abi.md for the calling convention and frame layout.
"""
from __future__ import annotations

import struct

from ..errors import CompileError, LimitError
from ..runtime import vmctx as V
from ..runtime.limits import DEFAULT_LIMITS, Limits
from ..runtime.vmctx import VMContextLayout
from ..wasm.opcodes import OPS, OPS_BY_NAME
from ..wasm.types import F32, F64, FUNCREF, I32, I64, V128, FuncType, block_type
from .compiled import CompiledModule
from .cpu import host_features
from .encoder import Assembler, Cond, Label, Mem
from .registers import (
    CL,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    RAX,
    RBP,
    RBX,
    RCX,
    RDI,
    RDX,
    RSI,
    RSP,
    XMM8,
    XMM9,
    XMM10,
    XMM11,
    XMM12,
    XMM13,
    XMM14,
    XMM15,
    Gpr,
    Xmm,
)
from .simd import SimdLowering, simd_handlers
from .stack import (
    CONST,
    GPRS,
    LOCAL,
    REG,
    SLOT,
    XMMS,
    Frame,
    RegAlloc,
    Val,
    copy_mem,
    fits_imm32,
    imm_of,
    is_float,
    load_reg,
    move_reg,
    size_of,
    store_const,
    store_reg,
    to_s32,
    to_s64,
)

# Registers hot locals may be pinned to (jit.x64.stack leaves them out of allocation when used).
CALLEE_SAVED_PINS = (RBX, R12, R13)
GPR_PINS = CALLEE_SAVED_PINS + (R8, R9, R10)
XMM_PINS = (XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14)

FLAGS = 4                      # a Val kind: the result of the comparison just emitted, as a condition
M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF

BLOCK, LOOP, IF, ELSE, FUNC = range(5)
_K = {name: info.key for name, info in OPS_BY_NAME.items()}
OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE, OP_END = 0x02, 0x03, 0x04, 0x05, 0x0B
OP_BR_IF, OP_SELECT, OP_SELECT_T = 0x0D, 0x1B, 0x1C
FUSE_TARGETS = frozenset((OP_BR_IF, OP_IF, OP_SELECT, OP_SELECT_T))


class Ctrl:
    """A control frame: the label branches go to, the stack height at entry and the block type."""

    __slots__ = ("kind", "label", "else_label", "height", "params", "results", "saved", "targeted")

    def __init__(self, kind: int, label: Label, height: int, params: tuple, results: tuple) -> None:
        self.kind = kind
        self.label = label
        self.else_label: Label | None = None
        self.height = height
        self.params = params
        self.results = results
        self.saved: list[int] = []     # hidden locals holding an `if`'s parameters for its `else`
        self.targeted = False          # some branch jumps to the label

    @property
    def branch_types(self) -> tuple:
        return self.params if self.kind == LOOP else self.results


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

# float binary arithmetic: name -> (type, assembler method)
FLOAT_BINOPS = {f"{p}.{op}": (ty, f"{op}{sfx}") for ty, p, sfx in ((F32, "f32", "ss"), (F64, "f64", "sd"))
                for op in ("add", "sub", "mul", "div")}
# float comparisons: name -> (type, condition after ucomis(a, b), swap operands?)
FLOAT_COMPARES = {}
for _ty, _p in ((F32, "f32"), (F64, "f64")):
    FLOAT_COMPARES.update({
        f"{_p}.eq": (_ty, "eq", False), f"{_p}.ne": (_ty, "ne", False),
        f"{_p}.lt": (_ty, Cond.A, True), f"{_p}.gt": (_ty, Cond.A, False),
        f"{_p}.le": (_ty, Cond.AE, True), f"{_p}.ge": (_ty, Cond.AE, False),
    })
ROUNDING = {"nearest": 0, "floor": 1, "ceil": 2, "trunc": 3}

SIGN32, SIGN64 = 0x80000000, 0x8000000000000000


class FunctionCompiler(SimdLowering):
    """Compiles one function body into the module's assembler."""

    def __init__(self, mc: ModuleCompiler, func_index: int, body) -> None:
        self.mc = mc
        self.asm: Assembler = mc.asm
        self.module = mc.module
        self.func_index = func_index
        self.body = body
        self.sig: FuncType = self.module.func_type(func_index)
        local_types: list[int] = []
        max_locals = mc.limits.max_locals
        for count, ty in body.locals:
            if max_locals is not None and len(self.sig.params) + len(local_types) + count > max_locals:
                raise LimitError(f"function {func_index} has more than {max_locals} locals "
                                 "(Limits.max_locals)")
            local_types.extend([ty] * count)
        self.nparams = len(self.sig.params)
        code = body.code
        # Pre-scan: `if` blocks with parameters need hidden locals; v128 anywhere widens slots.
        wide = V128 in self.sig.params or V128 in self.sig.results or V128 in local_types
        # instruction index of an `if` with parameters -> its first hidden local (by position, not in
        # compile order: an `if` in dead code is never compiled and must not shift the others)
        self.if_hidden: dict[int, int] = {}
        for i, (op, a, _b, _pos) in enumerate(code):
            if op == OP_IF and a >= 0:
                self.if_hidden[i] = len(self.sig.params) + len(local_types)
                local_types.extend(self.module.types[a].params)
            elif op >= 0xFD000:
                wide = True
            elif op in (OP_BLOCK, OP_LOOP, OP_IF) and a == -5:
                wide = True
        self.local_types = list(self.sig.params) + local_types
        self.num_declared = self.nparams + sum(c for c, _ in body.locals)
        self.frame = Frame(self.sig.params, local_types, wide)
        self.pins = self.choose_pinned_locals(code)
        self.callee_saved = []      # (register, frame slot) saved in the prologue
        for reg in sorted({r for _, r in self.pins if r in CALLEE_SAVED_PINS}, key=CALLEE_SAVED_PINS.index):
            self.callee_saved.append((reg, self.frame.temp_mem(I64)))
        for idx, reg in self.pins:
            self.frame.local_locs[idx] = reg
        pinned = {r for _, r in self.pins}
        self.caller_saved_pins = [(idx, r) for idx, r in self.pins if r not in CALLEE_SAVED_PINS]
        self.stack: list[Val] = []
        self.ra = RegAlloc(self.asm, self.stack, self.frame, tuple(r for r in GPRS if r not in pinned),
                           tuple(r for r in XMMS if r not in pinned))
        self.ctrls: list[Ctrl] = []
        self.dead = 0               # > 0: compiling unreachable code, counts nested blocks
        self.max_outgoing = 0
        self.trap_sites: list[tuple[Label, int, int]] = []
        self.pos = body.offset

    def choose_pinned_locals(self, code) -> list[tuple[int, object]]:
        """Pick the hottest locals (uses weighted by loop depth) to live in registers all along.

        Integer locals go to rbx, r12, r13 (saved in the prologue, so calls keep them) and then
        r8-r10; float locals to xmm8-xmm14. Caller-saved pins are stored before every call and
        reloaded after it.
        """
        n = self.num_declared
        weight = [0] * n
        depth = 0
        loops: list[int] = []
        scale = (1, 8, 64, 512)
        for op, a, _b, _pos in code:
            if op == 0x20 or op == 0x21 or op == 0x22:
                if a < n:
                    weight[a] += scale[depth if depth < 3 else 3]
            elif op == OP_LOOP:
                loops.append(1)
                depth += 1
            elif op == OP_BLOCK or op == OP_IF:
                loops.append(0)
            elif op == OP_END and loops:
                depth -= loops.pop()
        order = sorted((i for i in range(n) if weight[i] >= 3), key=lambda i: -weight[i])
        gprs, xmms = list(GPR_PINS), list(XMM_PINS)
        pins = []
        for i in order:
            ty = self.local_types[i]
            pool = xmms if ty in (F32, F64) else gprs if ty in (I32, I64) else None
            if pool:
                pins.append((i, pool.pop(0)))
        return pins

    def load_pins(self) -> None:
        """Prologue: save the callee-saved registers we pin, load parameters, zero pinned locals."""
        a = self.asm
        for reg, mem in self.callee_saved:
            a.mov(mem, reg, 64)
        for idx, reg in self.pins:
            ty = self.local_types[idx]
            if idx < self.nparams:
                load_reg(a, reg, self.frame.local_mems[idx], ty)
            elif isinstance(reg, Xmm):
                a.xorps(reg, reg)
            else:
                a.xor(reg, reg, 32)

    def save_caller_pins(self) -> None:
        for idx, reg in self.caller_saved_pins:
            store_reg(self.asm, self.frame.local_mems[idx], reg, self.local_types[idx])

    def restore_caller_pins(self) -> None:
        for idx, reg in self.caller_saved_pins:
            load_reg(self.asm, reg, self.frame.local_mems[idx], self.local_types[idx])

    # ------------------------------------------------------------------------------------ driver
    def compile(self) -> None:
        a = self.asm
        label = self.mc.func_labels[self.func_index]
        a.align(16)
        a.bind(label)
        self.start = a.offset
        # Prologue: frame pointer, stack check (before touching the frame), vmctx slot, frame.
        a.push(RBP)
        a.mov(RBP, RSP, 64)
        a.mov(RAX, RSP, 64)
        a.sub(RAX, 0, 64, force_imm32=True)
        check_patch = a.offset - 4
        overflow = a.label()
        a.cmp(RAX, Mem(R15, disp=V.VMCTX_STACK_LIMIT), 64)
        a.jcc(Cond.B, overflow)
        a.push(R15)
        a.sub(RSP, 0, 64, force_imm32=True)
        frame_patch = a.offset - 4
        self.zero_locals()
        self.load_pins()
        self.emit_budget_checks()
        results = self.sig.results
        self.ctrls.append(Ctrl(FUNC, a.label(), 0, (), results))
        code = self.body.code
        handlers = HANDLERS
        self.code = code
        i = 0
        n = len(code)
        while i < n:
            insn = code[i]
            self.i = i
            op = insn[0]
            self.pos = insn[3]
            if self.dead:
                # Unreachable code: skip it, counting nested blocks; the enclosing end/else revive.
                if op in (OP_BLOCK, OP_LOOP, OP_IF):
                    self.dead += 1
                elif op == OP_END:
                    if self.dead == 1:
                        self.op_end(None, None)
                    else:
                        self.dead -= 1
                elif op == OP_ELSE and self.dead == 1:
                    self.op_else(None, None)
                i += 1
                continue
            h = handlers.get(op)
            if h is None:
                info = OPS.get(op)
                raise CompileError(f"instruction {info.name if info else hex(op)} is not supported yet",
                                   self.pos, self.func_index, self.module.func_name(self.func_index))
            h(self, insn[1], insn[2])
            i = self.i + 1          # a handler may consume the next instruction (fused local.set)
        # Out-of-line trap sites.
        a.bind(overflow)
        self.call_trap_inline(V.TRAP_CODE["call stack exhausted"], self.body.offset)
        for lbl, kind, pos in self.trap_sites:
            a.bind(lbl)
            self.call_trap_inline(kind, pos)     # kind None: the code is in eax (helper result)
        self.end = a.offset
        # Frame size: slots below the saved vmctx plus the outgoing argument area, rsp 16-aligned.
        n = 8 * self.frame.max_slot + self.max_outgoing
        n += (8 - n) % 16
        a.patch32(frame_patch, n)
        a.patch32(check_patch, n + 8)

    def zero_locals(self) -> None:
        """Zero the memory homes of declared locals that live in memory. Pinned locals are zeroed in
        their registers (load_pins); hidden locals and register-save slots are written before read."""
        pinned = {idx for idx, _ in self.pins}
        in_memory = [i for i in range(self.nparams, self.num_declared) if i not in pinned]
        mems = [self.frame.local_mems[i] for i in in_memory]
        wide = [self.local_types[i] == V128 for i in in_memory]
        nslots = len(mems) + sum(wide)
        if nslots == 0:
            return
        a = self.asm
        a.xor(RAX, RAX, 32)
        if nslots <= 16:
            for mem, w in zip(mems, wide, strict=True):
                a.mov(mem, RAX, 64)
                if w:
                    a.mov(Mem(RBP, disp=mem.disp + 8), RAX, 64)
            return
        # Many locals: clear the whole declared-locals area (slots 0 .. declared) with rep stosq.
        declared = sum(2 if t == V128 else 1 for t in self.local_types[self.nparams:self.num_declared])
        a.lea(RDI, Mem(RBP, disp=Frame.disp(declared - 1)))
        a.mov(RCX, declared, 32)
        a.db(b"\xf3\x48\xab")          # rep stosq

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
        return self.push(REG, ty, reg)

    def pop(self) -> Val:
        v = self.stack.pop()
        if v.kind == LOCAL:
            self.ra.local_refs[v.x] -= 1
        if len(self.stack) < self.ra.floor:
            self.ra.floor = len(self.stack)
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
        for v in vals:
            self.ra.free(v)

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
            loc = self.mem_of(v)
            if isinstance(loc, Mem):
                load_reg(a, reg, loc, v.ty)
            else:
                move_reg(a, reg, loc, v.ty)

    def load_const(self, reg, bits: int, ty: int) -> None:
        a = self.asm
        if isinstance(reg, Xmm):
            if bits == 0:
                a.xorps(reg, reg)
            elif ty == F32:
                a.mov(R11, bits & M32, 32)
                a.movd(reg, R11)
            elif ty == F64:
                a.mov(R11, bits, 64)
                a.movq(reg, R11)
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
        if v.kind == CONST:
            if allow_imm and not is_float(v.ty) and fits_imm32(v.x, v.ty):
                return imm_of(v.x, v.ty)
            return self.to_reg(v)
        if v.kind == REG:
            return v.x
        if v.kind == FLAGS:
            return self.materialize_flags(v)
        return self.mem_of(v)

    def materialize_flags(self, v: Val) -> Gpr:
        r = self.ra.alloc(I32)
        self.emit_setcc(v.x, r)
        self.ra.claim(r, v)
        return r

    def emit_setcc(self, cond, r: Gpr) -> None:
        a = self.asm
        if cond == "feq":          # ordered and equal
            a.setcc(Cond.E, r)
            a.setcc(Cond.NP, R11)
            a.and_(r, R11, 8)
        elif cond == "fne":        # unordered or not equal
            a.setcc(Cond.NE, r)
            a.setcc(Cond.P, R11)
            a.or_(r, R11, 8)
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
        self.mc.pc_offsets.append(self.asm.offset if offset is None else offset)
        self.mc.pc_wasm.append(self.pos)

    def trap_if(self, cond: Cond, kind: str) -> None:
        lbl = self.asm.label()
        self.asm.jcc(cond, lbl)
        self.trap_sites.append((lbl, V.TRAP_CODE[kind], self.pos))

    def call_trap_inline(self, kind: int, pos: int) -> None:
        a = self.asm
        if kind is None:
            a.mov(RSI, RAX, 32)
        else:
            a.mov(RSI, kind, 32)
        a.mov(RDI, R15, 64)
        a.call_rip(self.mc.helper_label("wx_trap"))
        self.mc.pc_offsets.append(a.offset)
        self.mc.pc_wasm.append(pos)

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
            if not isinstance(src, Mem):
                store_reg(self.asm, dst, src, v.ty)
            elif src != dst:
                copy_mem(self.asm, dst, src, v.ty)

    def emit_transfer(self, height: int, arity: int) -> None:
        """Copy the top ``arity`` values into the slots of positions height.. (branch to a label)."""
        base = len(self.stack) - arity
        for j in range(arity):
            v = self.stack[base + j]
            if v.kind == SLOT and v.x == height + j:
                continue
            self.emit_store_val(self.frame.position_mem(height + j), v)

    def needs_transfer(self, height: int, arity: int) -> bool:
        base = len(self.stack) - arity
        return any(not (v.kind == SLOT and v.x == height + j)
                   for j, v in enumerate(self.stack[base:]))

    def emit_return_moves(self) -> None:
        """Store the function's results into the argument area (may alias parameters)."""
        results = self.sig.results
        n = len(results)
        base = len(self.stack) - n
        vals = self.stack[base:]
        # Values read from the parameter area are staged in their own position slots first.
        def in_arg_area(v: Val) -> bool:
            return v.kind == LOCAL and v.x < self.nparams and isinstance(self.mem_of(v), Mem)

        for j, v in enumerate(vals):
            if in_arg_area(v):
                copy_mem(self.asm, self.frame.position_mem(base + j), self.frame.local_mems[v.x], v.ty)
        slot = 0
        for j, v in enumerate(vals):
            dst = Mem(RBP, disp=16 + 8 * slot)
            if in_arg_area(v):
                copy_mem(self.asm, dst, self.frame.position_mem(base + j), v.ty)
            else:
                self.emit_store_val(dst, v)
            slot += 2 if v.ty == V128 else 1

    def emit_return(self) -> None:
        self.emit_return_moves()
        a = self.asm
        for reg, mem in self.callee_saved:
            a.mov(reg, mem, 64)
        a.mov(RSP, RBP, 64)
        a.pop(RBP)
        a.ret()

    def branch_to(self, depth: int) -> None:
        """Unconditional branch to the label at ``depth``."""
        c = self.ctrls[-1 - depth]
        if c.kind == FUNC:
            self.emit_return()
            return
        c.targeted = True
        self.emit_transfer(c.height, len(c.branch_types))
        self.asm.jmp(c.label)

    def set_unreachable(self) -> None:
        """The rest of the current block is dead: drop values above the block's height."""
        c = self.ctrls[-1]
        while len(self.stack) > c.height:
            self.release(self.pop())
        self.dead = 1

    # ------------------------------------------------------------------------ control flow
    def block_sig(self, bt: int) -> FuncType:
        return block_type(self.module, bt)

    def enter(self, kind: int, bt: int) -> Ctrl:
        ft = self.block_sig(bt)
        nparams = len(ft.params)
        height = len(self.stack) - nparams
        # Canonical state at the merge: everything below in a constant or a slot; parameters in slots
        # (a loop's back edges and an `if` without else write them there).
        self.spill_all()
        self.spill_range(height, also_consts=True)
        c = Ctrl(kind, self.asm.label(), height, ft.params, ft.results)
        self.ctrls.append(c)
        return c

    def op_block(self, bt, _b) -> None:
        self.enter(BLOCK, bt)

    def op_loop(self, bt, _b) -> None:
        c = self.enter(LOOP, bt)
        self.asm.bind(c.label)
        self.emit_budget_checks()

    def emit_budget_checks(self) -> None:
        """At function entries and loop headers: one compare of the group's interrupt flag (set by
        ``Instance.interrupt()`` or a deadline) and, when compiled with fuel, one unit of fuel."""
        asm = self.asm
        asm.mov(R11, Mem(R15, disp=V.VMCTX_OWNER_PTR), 64)
        asm.cmp(Mem(R11, disp=V.GROUP_INTERRUPT), 0, 32)
        self.trap_if(Cond.NE, "interrupted")
        if self.mc.fuel:
            asm.sub(Mem(R15, disp=V.VMCTX_FUEL), 1, 64)
            self.trap_if(Cond.S, "out of fuel")

    def op_if(self, bt, _b) -> None:
        cond = self.pop()
        a = self.asm
        if cond.kind == FLAGS:
            jump_if_false = self.negate(cond.x)
        else:
            if cond.kind == CONST:
                r = self.to_reg(cond)
            else:
                r = self.operand(cond, allow_imm=False)
            if isinstance(r, Mem):
                a.cmp(r, 0, 32)
            else:
                a.test(r, r, 32)
            self.release(cond)
            jump_if_false = Cond.E
        c = self.enter(IF, bt)
        c.else_label = a.label()
        if c.params:                            # keep the parameters for the else branch
            first = self.if_hidden[self.i]
            for j in range(len(c.params)):
                c.saved.append(first + j)
                self.emit_store_val(self.frame.local_mems[first + j], self.stack[c.height + j])
        self.emit_jcc(jump_if_false, c.else_label)

    def negate(self, cond):
        if cond == "feq":
            return "fne"
        if cond == "fne":
            return "feq"
        return Cond(cond).negate()

    def emit_jcc(self, cond, label: Label) -> None:
        a = self.asm
        if cond == "feq":           # ZF=1 and PF=0
            skip = a.label()
            a.jcc(Cond.P, skip)
            a.jcc(Cond.E, label)
            a.bind(skip)
        elif cond == "fne":         # ZF=0 or PF=1
            a.jcc(Cond.P, label)
            a.jcc(Cond.NE, label)
        else:
            a.jcc(cond, label)

    def finish_block_values(self, c: Ctrl, reachable: bool) -> None:
        """At the end of a block's straight-line path: results into their slots, stack reset."""
        if reachable:
            self.emit_transfer(c.height, len(c.results))
        while len(self.stack) > c.height:
            self.release(self.pop())

    def op_else(self, _a, _b) -> None:
        c = self.ctrls[-1]
        reachable = not self.dead
        self.finish_block_values(c, reachable)
        if reachable:
            c.targeted = True
            self.asm.jmp(c.label)
        self.dead = 0
        self.asm.bind(c.else_label)
        c.else_label = None
        c.kind = ELSE
        for j, ty in enumerate(c.params):
            self.push(LOCAL, ty, c.saved[j])

    def op_end(self, _a, _b) -> None:
        c = self.ctrls.pop()
        reachable = not self.dead
        self.dead = 0
        if c.kind == FUNC:
            if reachable:
                self.emit_return()
            while self.stack:
                self.release(self.pop())
            self.asm.bind(c.label)
            return
        self.finish_block_values(c, reachable)
        if c.kind == LOOP:
            live = reachable
        else:
            live = reachable or c.targeted
            if c.else_label is not None:      # `if` without `else`: the false path passes through
                self.asm.bind(c.else_label)
                live = True
            self.asm.bind(c.label)
        for ty in c.results:
            self.push(SLOT, ty)
        if not live:
            self.set_unreachable()

    def op_br(self, depth, _b) -> None:
        self.branch_to(depth)
        self.set_unreachable()

    def op_br_if(self, depth, _b) -> None:
        cond = self.pop()
        a = self.asm
        if cond.kind == FLAGS:
            taken = cond.x
        else:
            r = self.operand(cond, allow_imm=False) if cond.kind != CONST else self.to_reg(cond)
            if isinstance(r, Mem):
                a.cmp(r, 0, 32)
            else:
                a.test(r, r, 32)
            self.release(cond)
            taken = Cond.NE
        c = self.ctrls[-1 - depth]
        if c.kind != FUNC and not self.needs_transfer(c.height, len(c.branch_types)):
            c.targeted = True
            self.emit_jcc(taken, c.label)
            return
        skip = a.label()
        self.emit_jcc(self.negate(taken), skip)
        self.branch_to(depth)
        a.bind(skip)

    def op_br_table(self, depths, default) -> None:
        idx = self.pop()
        a = self.asm
        r = self.to_reg(idx)
        self.release(idx)
        # Targets that need no values moved are jumped to directly; the others (and returns) go
        # through one stub each that moves the values, then jumps.
        stubs: dict[int, Label] = {}
        for d in (*depths, default):
            if d in stubs:
                continue
            c = self.ctrls[-1 - d]
            if c.kind != FUNC and not self.needs_transfer(c.height, len(c.branch_types)):
                c.targeted = True
                stubs[d] = c.label
            else:
                stubs[d] = a.label()
        direct = {d for d, lbl in stubs.items() if lbl is self.ctrls[-1 - d].label}
        a.cmp(r, len(depths), 32)
        a.jcc(Cond.AE, stubs[default])
        table = a.label()
        a.lea(R11, table)
        a.movsx(r, Mem(R11, r, 4, 0), 32, 64)
        a.add(r, R11, 64)
        a.jmp(r)
        a.align(4)
        a.bind(table)
        for d in depths:
            a.dd_label(stubs[d], table)
        for d, lbl in stubs.items():
            if d not in direct:
                a.bind(lbl)
                self.branch_to(d)
        self.set_unreachable()

    def op_return(self, _a, _b) -> None:
        self.emit_return()
        self.set_unreachable()

    def op_unreachable(self, _a, _b) -> None:
        self.call_trap_inline(V.TRAP_CODE["unreachable"], self.pos)
        self.set_unreachable()

    def op_nop(self, _a, _b) -> None:
        pass

    def op_drop(self, _a, _b) -> None:
        self.release(self.pop())

    def op_select(self, _a, _b) -> None:
        cond = self.pop()
        b = self.pop()
        v = self.pop()
        a = self.asm
        ty = v.ty
        if cond.kind == CONST:
            keep, lose = (v, b) if cond.x & M32 else (b, v)
            self.release(lose)
            if keep.kind == SLOT:          # its position changed
                self.move_to_top(keep)
            else:
                self.push_val(keep)
            return
        if cond.kind == FLAGS:
            pick_b = self.negate(cond.x)
        else:
            c = self.to_reg(cond)
            pick_b = Cond.E     # cond == 0 picks the second operand
        # Operands are loaded with moves only, which leave the flags of a fused comparison intact.
        if cond.kind != FLAGS:
            a.test(c, c, 32)
            self.release(cond)
        dst = self.to_reg(v)
        src = self.to_reg(b, exclude=(dst,)) if is_float(ty) or b.kind == CONST else self.operand(b)
        if is_float(ty):
            skip = a.label()
            self.emit_jcc(self.negate(pick_b), skip)
            a.movaps(dst, src)
            a.bind(skip)
        elif pick_b in ("feq", "fne"):
            skip = a.label()
            self.emit_jcc(self.negate(pick_b), skip)
            a.mov(dst, src, size_of(ty))     # 32-bit forms keep i32 zero-extended
            a.bind(skip)
        else:
            a.cmovcc(pick_b, dst, src, size_of(ty))
        self.release(b)
        self.push_reg(dst, ty)

    def move_to_top(self, v: Val) -> None:
        """Push a SLOT value that came from another position (select of constants)."""
        r = self.ra.alloc(v.ty)
        load_reg(self.asm, r, self.frame.position_mem(v.x), v.ty)
        self.push_reg(r, v.ty)

    # ------------------------------------------------------------------------ locals and globals
    def op_local_get(self, idx, _b) -> None:
        self.push(LOCAL, self.local_types[idx], idx)

    def materialize_local_refs(self, idx: int) -> None:
        """Before local ``idx`` changes: lazy references to it on the stack take its current value."""
        if not self.ra.local_refs[idx]:
            return
        stack = self.stack
        for pos in range(self.ra.floor, len(stack)):
            v = stack[pos]
            if v.kind == LOCAL and v.x == idx:
                self.ra.spill(pos)

    def op_local_set(self, idx, _b) -> None:
        v = self.pop()
        if v.kind == LOCAL and v.x == idx:
            return
        self.materialize_local_refs(idx)
        if v.kind == FLAGS:
            self.to_reg(v)
        self.store_local(idx, v)
        self.release(v)

    def store_local(self, idx: int, v: Val) -> None:
        loc = self.frame.local_locs[idx]
        if isinstance(loc, Mem):
            self.emit_store_val(loc, v)
        else:
            self.load_into(loc, v)

    def op_local_tee(self, idx, _b) -> None:
        v = self.stack[-1]
        if v.kind == LOCAL and v.x == idx:
            return
        self.pop()
        self.materialize_local_refs(idx)
        if v.kind == FLAGS:
            self.to_reg(v)
        self.store_local(idx, v)
        if v.kind in (REG, CONST):
            self.push_val(v)
        else:
            self.release(v)
            self.push(LOCAL, v.ty, idx)

    def global_mem(self, g: int) -> Mem:
        layout = self.mc.layout
        if g >= layout.num_imported_globals:
            return Mem(R15, disp=layout.defined_global(g))
        self.asm.mov(R11, Mem(R15, disp=layout.global_ptr(g)), 64)
        return Mem(R11)

    def op_global_get(self, g, _b) -> None:
        ty = self.module.global_type(g).valtype
        r = self.ra.alloc(ty)
        load_reg(self.asm, r, self.global_mem(g), ty)
        self.push_reg(r, ty)

    def op_global_set(self, g, _b) -> None:
        v = self.pop()
        ty = v.ty
        if v.kind == CONST and not is_float(ty) and fits_imm32(v.x, ty):
            self.asm.mov(self.global_mem(g), imm_of(v.x, ty), size_of(ty))
        else:
            r = self.to_reg(v)          # before global_mem, which may use the scratch register
            store_reg(self.asm, self.global_mem(g), r, ty)
        self.release(v)

    # ------------------------------------------------------------------------ constants
    def op_i32_const(self, x, _b) -> None:
        self.push(CONST, I32, x & M32)

    def op_i64_const(self, x, _b) -> None:
        self.push(CONST, I64, x & M64)

    def op_f32_const(self, x, _b) -> None:
        self.push(CONST, F32, x)

    def op_f64_const(self, x, _b) -> None:
        self.push(CONST, F64, x)

    # ------------------------------------------------------------------------ integer arithmetic
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

    def int_shift(self, name: str) -> None:
        ty, method, fold = INT_SHIFTS[name]
        b = self.pop()
        a = self.pop()
        size = size_of(ty)
        if a.kind == CONST and b.kind == CONST:
            self.push(CONST, ty, fold(a.x, b.x))
            return
        if b.kind == CONST:
            dst = self.to_reg(a)
            count = b.x & (size - 1)
            if count:
                getattr(self.asm, method)(dst, count, size)
            self.push_reg(dst, ty)
            return
        if not (b.kind == REG and b.x == RCX):
            self.ra.evict(RCX)
            self.load_into(RCX, b)
            self.ra.free(b)
            self.ra.claim(RCX, b)
        dst = self.to_reg(a, exclude=(RCX,))
        getattr(self.asm, method)(dst, CL, size)
        self.release(b)
        self.push_reg(dst, ty)

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
        """Push a comparison result: fused into the next instruction when it branches on it."""
        nxt = self.code[self.i + 1][0] if self.i + 1 < len(self.code) else None
        if nxt in FUSE_TARGETS:
            self.push_val(Val(FLAGS, I32, cond))
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
            v.x = self.negate(v.x)
            self.push_val(v)
            return
        src = self.operand(v, allow_imm=False)
        if isinstance(src, Mem):
            self.asm.cmp(src, 0, size_of(ty))
        else:
            self.asm.test(src, src, size_of(ty))
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
        const_divisor = b.x if b.kind == CONST and b.x != 0 else None
        if const_divisor is not None and kind in ("div_u", "rem_u") \
                and (const_divisor & (const_divisor - 1)) == 0:
            # Unsigned division by a power of two: a shift or a mask.
            dst = self.to_reg(a)
            shift = const_divisor.bit_length() - 1
            if kind == "div_u":
                if shift:
                    asm.shr(dst, shift, size)
            elif const_divisor - 1 <= 0x7FFFFFFF:
                asm.and_(dst, const_divisor - 1, size)
            else:
                asm.mov(R11, const_divisor - 1, 64)
                asm.and_(dst, R11, size)
            self.push_reg(dst, ty)
            return
        self.ra.evict(RAX, exclude=(RDX,))
        self.ra.evict(RDX, exclude=(RAX,))
        divisor = self.to_reg(b, exclude=(RAX, RDX))
        if not (a.kind == REG and a.x == RAX):
            self.load_into(RAX, a)
            self.ra.free(a)
            self.ra.claim(RAX, a)
        done = asm.label()
        if const_divisor is None:
            asm.test(divisor, divisor, size)
            self.trap_if(Cond.E, "integer divide by zero")
        signed = kind in ("div_s", "rem_s")
        if signed and (const_divisor is None or _s(const_divisor, size) == -1):
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

    def int_unop(self, name: str) -> None:
        ty = I32 if name.startswith("i32") else I64
        size = size_of(ty)
        op = name[4:]
        v = self.pop()
        if v.kind == CONST:
            self.push(CONST, ty, _fold_unop(op, v.x, size))
            return
        src = self.operand(v, allow_imm=False)
        dst = self.ra.alloc(ty, exclude=(src,) if isinstance(src, Gpr) else ())
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
        self.push_reg(dst, ty)

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

    # ------------------------------------------------------------------------ memory
    def address(self, addr: Val, offset: int) -> Mem:
        """The memory operand for a Wasm address plus static offset (guard pages do the bounds check).

        The index is a zero-extended i32 and the offset a u32, so the address is below 2^33: inside
        the memory's 8 GiB reservation.
        """
        asm = self.asm
        if addr.kind == CONST:
            ea = (addr.x & M32) + offset
            if ea <= 0x7FFFFFFF:
                return Mem(R14, disp=ea)
            asm.mov(R11, ea, 64)
            return Mem(R14, R11)
        r = self.operand(addr, allow_imm=False)
        if isinstance(r, Mem):
            asm.mov(R11, r, 32)
            r = R11
        if offset <= 0x7FFFFFFF:
            return Mem(R14, r, 1, offset)
        # A static offset of 2^31 or more: r11 = index + 2^31, the rest fits the displacement.
        asm.mov(R11, r, 32)
        asm.add(R11, 0x7FFFFFFF, 64)
        asm.add(R11, 1, 64)
        return Mem(R14, R11, 1, offset - 0x80000000)

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

    def op_memory_size(self, _a, _b) -> None:
        r = self.ra.alloc(I32)
        self.asm.mov(r, Mem(R15, disp=V.VMCTX_MEMORY), 64)
        self.asm.mov(r, Mem(r, disp=V.VMMEMORY_PAGES), 32)
        self.push_reg(r, I32)

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

    def call_helper(self, name: str) -> None:
        """Call a native helper (all registers are free: the caller spilled). rdi = vmctx."""
        asm = self.asm
        asm.mov(RDI, R15, 64)
        asm.call_rip(self.mc.helper_label(name))
        self.record_pc()

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
        rslots = sum(2 if t == V128 else 1 for t in ft.results)
        area = 8 * max(slot, rslots)
        area += -area % 16
        self.max_outgoing = max(self.max_outgoing, area)

    def push_results(self, ft: FuncType) -> None:
        slot = 0
        for ty in ft.results:
            r = self.ra.alloc(ty)
            load_reg(self.asm, r, Mem(RSP, disp=8 * slot), ty)
            self.push_reg(r, ty)
            slot += 2 if ty == V128 else 1

    def restore_instance_regs(self) -> None:
        asm = self.asm
        asm.mov(R15, Mem(RBP, disp=-8), 64)
        asm.mov(R14, Mem(R15, disp=V.VMCTX_MEM_BASE), 64)

    def op_call(self, f, _b) -> None:
        ft = self.module.func_type(f)
        self.prepare_args(ft)
        asm = self.asm
        self.save_caller_pins()
        if f < self.module.num_imported_funcs:
            off = self.mc.layout.imported_func(f)
            asm.mov(RAX, Mem(R15, disp=off + V.VMIMPORT_CODE), 64)
            asm.mov(RCX, Mem(R15, disp=off + V.VMIMPORT_VMCTX), 64)
            self.switch_instance(RCX)
            asm.call(RAX)
            self.record_pc()
            self.restore_instance_regs()
        else:
            asm.call(self.mc.func_labels[f])
            self.record_pc()
        self.restore_caller_pins()
        self.push_results(ft)

    def switch_instance(self, callee_vmctx: Gpr) -> None:
        asm = self.asm
        asm.mov(RDX, Mem(R15, disp=V.VMCTX_STACK_LIMIT), 64)
        asm.mov(Mem(callee_vmctx, disp=V.VMCTX_STACK_LIMIT), RDX, 64)
        asm.mov(R15, callee_vmctx, 64)
        asm.mov(R14, Mem(R15, disp=V.VMCTX_MEM_BASE), 64)

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
        layout = self.mc.layout
        asm.mov(RCX, Mem(R15, disp=layout.table(table)), 64)
        asm.cmp(RAX, Mem(RCX, disp=V.VMTABLE_LENGTH), 64)
        self.trap_if(Cond.AE, "undefined element")
        asm.mov(RCX, Mem(RCX, disp=V.VMTABLE_ELEMENTS), 64)
        asm.mov(RCX, Mem(RCX, RAX, 8, 0), 64)
        asm.test(RCX, RCX, 64)
        self.trap_if(Cond.E, "uninitialized element")
        asm.mov(RDX, Mem(R15, disp=layout.type_id(typeidx)), 64)
        asm.cmp(RDX, Mem(RCX, disp=V.VMFUNCREF_TYPE_ID), 64)
        self.trap_if(Cond.NE, "indirect call type mismatch")
        asm.mov(RAX, Mem(RCX, disp=V.VMFUNCREF_CODE), 64)
        asm.mov(RCX, Mem(RCX, disp=V.VMFUNCREF_VMCTX), 64)
        self.switch_instance(RCX)
        asm.call(RAX)
        self.record_pc()
        self.restore_instance_regs()
        self.restore_caller_pins()
        self.push_results(ft)

    # ------------------------------------------------------------------------ bulk memory and tables
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
        self.restore_caller_pins()
        asm.test(RAX, RAX, 32)
        lbl = asm.label()
        asm.jcc(Cond.NE, lbl)
        self.trap_sites.append((lbl, None, self.pos))

    def op_memory_copy(self, _dst_mem, _src_mem) -> None:
        d, s_, n = self.pop_to_memory(3)
        mem = Mem(R15, disp=V.VMCTX_MEMORY)
        self.call_checked_helper("wx_memory_copy", [(RSI, d), (RDX, s_), (RCX, n), (RDI, mem)])

    def op_memory_fill(self, _mem, _b) -> None:
        d, val, n = self.pop_to_memory(3)
        mem = Mem(R15, disp=V.VMCTX_MEMORY)
        self.call_checked_helper("wx_memory_fill", [(RSI, d), (RDX, val), (RCX, n), (RDI, mem)])

    def op_memory_init(self, seg, _mem) -> None:
        d, s_, n = self.pop_to_memory(3)
        segp = (Mem(R15, disp=V.VMCTX_DATAS), V.VMDATASEG_SIZE * seg)
        self.call_checked_helper("wx_memory_init", [(RDX, d), (RCX, s_), (R8, n), (RSI, segp),
                                                    (RDI, Mem(R15, disp=V.VMCTX_MEMORY))])

    def op_data_drop(self, seg, _b) -> None:
        self.asm.mov(R11, Mem(R15, disp=V.VMCTX_DATAS), 64)
        self.asm.mov(Mem(R11, disp=V.VMDATASEG_SIZE * seg + V.VMDATASEG_LENGTH), 0, 64)

    def op_elem_drop(self, seg, _b) -> None:
        self.asm.mov(R11, Mem(R15, disp=V.VMCTX_ELEMS), 64)
        self.asm.mov(Mem(R11, disp=V.VMELEMSEG_SIZE * seg + V.VMELEMSEG_LENGTH), 0, 64)

    def table_ptr(self, t: int) -> Mem:
        return Mem(R15, disp=self.mc.layout.table(t))

    def table_check(self, t: int, idx: Gpr) -> None:
        """r11 = the element array of table ``t``; traps unless idx < length."""
        asm = self.asm
        asm.mov(R11, self.table_ptr(t), 64)
        asm.cmp(idx, Mem(R11, disp=V.VMTABLE_LENGTH), 64)
        self.trap_if(Cond.AE, "out of bounds table access")
        asm.mov(R11, Mem(R11, disp=V.VMTABLE_ELEMENTS), 64)

    def op_table_get(self, t, _b) -> None:
        idx = self.pop()
        r = self.to_reg(idx)
        self.table_check(t, r)
        self.asm.mov(r, Mem(R11, r, 8, 0), 64)
        self.ra.free(idx)
        self.push_reg(r, self.module.table_type(t).elem)

    def op_table_set(self, t, _b) -> None:
        val = self.pop()
        idx = self.pop()
        v = self.to_reg(val)
        r = self.to_reg(idx, exclude=(v,))
        self.table_check(t, r)
        self.asm.mov(Mem(R11, r, 8, 0), v, 64)
        self.release(val, idx)

    def op_table_size(self, t, _b) -> None:
        r = self.ra.alloc(I32)
        self.asm.mov(r, self.table_ptr(t), 64)
        self.asm.mov(r, Mem(r, disp=V.VMTABLE_LENGTH), 32)
        self.push_reg(r, I32)

    def op_table_grow(self, t, _b) -> None:
        init, n = self.pop_to_memory(2)
        asm = self.asm
        self.save_caller_pins()
        self.load_into(RSI, init)
        self.load_into(RDX, n)
        asm.mov(RDI, self.table_ptr(t), 64)
        asm.call_rip(self.mc.helper_label("wx_table_grow"))
        self.record_pc()
        self.restore_caller_pins()
        asm.mov(RAX, RAX, 32)
        self.push_reg(RAX, I32)

    def op_table_fill(self, t, _b) -> None:
        i, val, n = self.pop_to_memory(3)
        self.call_checked_helper("wx_table_fill", [(RSI, i), (RDX, val), (RCX, n), (RDI, self.table_ptr(t))])

    def op_table_copy(self, dst_t, src_t) -> None:
        d, s_, n = self.pop_to_memory(3)
        self.call_checked_helper("wx_table_copy", [(RDX, d), (RCX, s_), (R8, n), (RDI, self.table_ptr(dst_t)),
                                                   (RSI, self.table_ptr(src_t))])

    def op_table_init(self, seg, t) -> None:
        d, s_, n = self.pop_to_memory(3)
        segp = (Mem(R15, disp=V.VMCTX_ELEMS), V.VMELEMSEG_SIZE * seg)
        self.call_checked_helper("wx_table_init", [(RDX, d), (RCX, s_), (R8, n), (RSI, segp),
                                                   (RDI, self.table_ptr(t))])

    # ------------------------------------------------------------------------ references
    def op_ref_null(self, ty, _b) -> None:
        self.push(CONST, ty, 0)

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

    def op_ref_func(self, f, _b) -> None:
        r = self.ra.alloc(FUNCREF)
        self.asm.lea(r, Mem(R15, disp=self.mc.layout.funcref(f)))
        self.push_reg(r, FUNCREF)

    # ------------------------------------------------------------------------ floats
    def float_binop(self, name: str) -> None:
        ty, method = FLOAT_BINOPS[name]
        b = self.pop()
        a = self.pop()
        if method.startswith(("add", "mul")) and b.kind == REG and a.kind != REG:
            a, b = b, a
        target, dst = self.binop_destination(a, b)
        src = self.to_reg(b) if b.kind in (CONST, FLAGS) else self.operand(b)
        getattr(self.asm, method)(dst, src)
        self.release(b)
        self.push_binop_result(target, dst, ty)

    def float_minmax(self, name: str) -> None:
        ty = F32 if name.startswith("f32") else F64
        is_min = name.endswith("min")
        sfx = "ss" if ty == F32 else "sd"
        ps = "ps" if ty == F32 else "pd"
        b = self.pop()
        a = self.pop()
        dst = self.to_reg(a)
        src = self.to_reg(b, exclude=(dst,))
        asm = self.asm
        nan, normal, done = asm.label(), asm.label(), asm.label()
        getattr(asm, "ucomi" + sfx)(dst, src)
        asm.jcc(Cond.P, nan)
        asm.jcc(Cond.NE, normal)
        # Equal: ±0 are ordered by their sign bits (min: or, max: and).
        getattr(asm, ("or" if is_min else "and") + ps)(dst, src)
        asm.jmp(done)
        asm.bind(nan)
        getattr(asm, "add" + sfx)(dst, src)       # propagates a (quieted) NaN
        asm.jmp(done)
        asm.bind(normal)
        getattr(asm, ("min" if is_min else "max") + sfx)(dst, src)
        asm.bind(done)
        self.release(b)
        self.push_reg(dst, ty)

    def sign_mask(self, ty: int, invert: bool) -> Xmm:
        bits = (SIGN32 if ty == F32 else SIGN64)
        if invert:
            bits ^= (M32 if ty == F32 else M64)
        self.load_const(XMM15, bits, ty)
        return XMM15

    def float_unop(self, name: str) -> None:
        ty = F32 if name.startswith("f32") else F64
        op = name[4:]
        ps = "ps" if ty == F32 else "pd"
        sfx = "ss" if ty == F32 else "sd"
        v = self.pop()
        asm = self.asm
        if v.kind == CONST and op in ("abs", "neg"):
            sign = SIGN32 if ty == F32 else SIGN64
            self.push(CONST, ty, v.x & ~sign if op == "abs" else v.x ^ sign)
            return
        dst = self.to_reg(v)
        if op == "abs":
            getattr(asm, "and" + ps)(dst, self.sign_mask(ty, invert=True))
        elif op == "neg":
            getattr(asm, "xor" + ps)(dst, self.sign_mask(ty, invert=False))
        elif op == "sqrt":
            getattr(asm, "sqrt" + sfx)(dst, dst)
        else:
            getattr(asm, "round" + sfx)(dst, dst, ROUNDING[op] | 8)
        self.push_reg(dst, ty)

    def float_copysign(self, name: str) -> None:
        ty = F32 if name.startswith("f32") else F64
        ps = "ps" if ty == F32 else "pd"
        b = self.pop()
        a = self.pop()
        dst = self.to_reg(a)
        src = self.to_reg(b, exclude=(dst,))
        asm = self.asm
        getattr(asm, "and" + ps)(dst, self.sign_mask(ty, invert=True))
        getattr(asm, "and" + ps)(src, self.sign_mask(ty, invert=False))
        getattr(asm, "or" + ps)(dst, src)
        self.release(b)
        self.push_reg(dst, ty)

    def float_compare(self, name: str) -> None:
        ty, cond, swap = FLOAT_COMPARES[name]
        sfx = "ss" if ty == F32 else "sd"
        b = self.pop()
        a = self.pop()
        if swap:
            a, b = b, a
        lhs = self.to_reg(a)
        rhs = self.to_reg(b) if b.kind in (CONST, FLAGS) else self.operand(b)
        getattr(self.asm, "ucomi" + sfx)(lhs, rhs)
        self.release(a, b)
        self.push_cond({"eq": "feq", "ne": "fne"}.get(cond, cond))

    def float_convert(self, name: str) -> None:
        v = self.pop()
        asm = self.asm
        res_ty = F32 if name.startswith("f32") else F64
        sfx = "ss" if res_ty == F32 else "sd"
        if name in ("f32.demote_f64", "f64.promote_f32"):
            dst = self.to_reg(v)
            (asm.cvtsd2ss if res_ty == F32 else asm.cvtss2sd)(dst, dst)
            self.push_reg(dst, res_ty)
            return
        src_ty = I32 if "_i32_" in name else I64
        unsigned = name.endswith("_u")
        src = self.to_reg(v)
        dst = self.ra.alloc(res_ty)
        asm.xorps(dst, dst)
        cvt = getattr(asm, "cvtsi2" + sfx)
        if src_ty == I32:
            # Unsigned i32 is zero-extended in the register: convert as a 64-bit signed value.
            cvt(dst, src, 64 if unsigned else 32)
        elif not unsigned:
            cvt(dst, src, 64)
        else:
            big, done = asm.label(), asm.label()
            asm.test(src, src, 64)
            asm.jcc(Cond.S, big)
            cvt(dst, src, 64)
            asm.jmp(done)
            asm.bind(big)
            # Halve with the lost bit kept sticky, convert, double: correctly rounded.
            asm.mov(R11, src, 64)
            asm.shr(R11, 1, 64)
            asm.and_(src, 1, 32)
            asm.or_(R11, src, 64)
            cvt(dst, R11, 64)
            getattr(asm, "add" + sfx)(dst, dst)
            asm.bind(done)
        self.release(v)
        self.push_reg(dst, res_ty)

    def reinterpret(self, name: str) -> None:
        v = self.pop()
        res_ty = {"i32.reinterpret_f32": I32, "i64.reinterpret_f64": I64,
                  "f32.reinterpret_i32": F32, "f64.reinterpret_i64": F64}[name]
        if v.kind in (CONST, SLOT) or (v.kind == LOCAL and isinstance(self.mem_of(v), Mem)):
            v.ty = res_ty
            self.push_val(v)
            return
        src = self.to_reg(v)
        dst = self.ra.alloc(res_ty)
        asm = self.asm
        if res_ty == I32:
            asm.movd(dst, src)
        elif res_ty == I64:
            asm.movq(dst, src)
        elif res_ty == F32:
            asm.movd(dst, src)
        else:
            asm.movq(dst, src)
        self.release(v)
        self.push_reg(dst, res_ty)

    def float_trunc(self, name: str) -> None:
        """i32/i64.trunc[_sat]_f32/f64_s/u."""
        sat = "_sat_" in name
        res_ty = I32 if name.startswith("i32") else I64
        src_ty = F32 if "_f32_" in name else F64
        unsigned = name.endswith("_u")
        v = self.pop()
        x = self.to_reg(v)
        dst = self.ra.alloc(res_ty)
        TruncEmitter(self, x, dst, src_ty, res_ty, unsigned, sat).emit()
        self.release(v)
        self.push_reg(dst, res_ty)


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


class TruncEmitter:
    """Float to integer truncation with the spec's traps (or saturation for trunc_sat)."""

    def __init__(self, fc: FunctionCompiler, x: Xmm, dst: Gpr, src_ty: int, res_ty: int,
                 unsigned: bool, sat: bool) -> None:
        self.fc, self.a, self.x, self.dst = fc, fc.asm, x, dst
        self.src_ty, self.res_ty, self.unsigned, self.sat = src_ty, res_ty, unsigned, sat
        self.sfx = "ss" if src_ty == F32 else "sd"

    def const(self, value: float) -> Label:
        bits = struct.unpack("<I", struct.pack("<f", value))[0] if self.src_ty == F32 else \
            struct.unpack("<Q", struct.pack("<d", value))[0]
        return self.fc.mc.const_label(bits, 16)

    def ucomi(self, x: Xmm, src) -> None:
        getattr(self.a, "ucomi" + self.sfx)(x, src)

    def cvtt(self, dst: Gpr, x: Xmm, size: int) -> None:
        getattr(self.a, "cvtt" + self.sfx + "2si")(dst, x, size)

    def fail(self, kind: str) -> Label:
        """A label that traps (or, for saturation, is not used)."""
        lbl = self.a.label()
        self.fc.trap_sites.append((lbl, V.TRAP_CODE[kind], self.fc.pos))
        return lbl

    def emit(self) -> None:
        if self.res_ty == I64 and self.unsigned:
            self.emit_u64()
        elif self.unsigned:
            self.emit_u32()
        else:
            self.emit_signed()

    def emit_signed(self) -> None:
        a, x, dst = self.a, self.x, self.dst
        size = 32 if self.res_ty == I32 else 64
        lo = -2.0 ** (size - 1)
        self.cvtt(dst, x, size)
        done, slow = a.label(), a.label()
        a.cmp(dst, 1, size)            # only INT_MIN overflows when 1 is subtracted
        a.jcc(Cond.O, slow)
        a.bind(done)
        # out of line would be nicer; the slow path follows a jump over it
        after = a.label()
        a.jmp(after)
        a.bind(slow)
        if self.sat:
            # NaN -> 0; negative -> INT_MIN (already); positive -> INT_MAX.
            zero, isneg = a.label(), a.label()
            self.ucomi(x, x)
            a.jcc(Cond.P, zero)
            a.xorps(XMM15, XMM15)
            self.ucomi(x, XMM15)
            a.jcc(Cond.B, isneg)
            a.mov(dst, (1 << (size - 1)) - 1, size)
            a.jmp(after)
            a.bind(zero)
            a.xor(dst, dst, 32)
            a.bind(isneg)
            a.jmp(after)
        else:
            self.ucomi(x, x)
            a.jcc(Cond.P, self.fail("invalid conversion to integer"))
            if size == 32 and self.src_ty == F64:
                # valid iff -2^31 - 1 < x < 2^31 (all truncate to INT_MIN here)
                self.ucomi(x, self.const(lo - 1.0))
                a.jcc(Cond.BE, self.fail("integer overflow"))
                self.ucomi(x, self.const(-lo))
                a.jcc(Cond.AE, self.fail("integer overflow"))
            else:
                self.ucomi(x, self.const(lo))
                a.jcc(Cond.NE, self.fail("integer overflow"))
            a.jmp(after)
        a.bind(after)

    def emit_u32(self) -> None:
        # Truncate as a signed 64-bit value: valid iff the result is within [0, 2^32).
        a, x, dst = self.a, self.x, self.dst
        self.cvtt(dst, x, 64)
        after, slow = a.label(), a.label()
        a.mov(R11, dst, 64)
        a.shr(R11, 32, 64)
        a.jcc(Cond.NE, slow)
        a.jmp(after)
        a.bind(slow)
        if self.sat:
            zero = a.label()
            self.ucomi(x, x)
            a.jcc(Cond.P, zero)
            a.xorps(XMM15, XMM15)
            self.ucomi(x, XMM15)
            a.jcc(Cond.B, zero)
            a.mov(dst, M32, 32)
            a.jmp(after)
            a.bind(zero)
            a.xor(dst, dst, 32)
        else:
            self.ucomi(x, x)
            a.jcc(Cond.P, self.fail("invalid conversion to integer"))
            a.jmp(self.fail("integer overflow"))
        a.bind(after)

    def emit_u64(self) -> None:
        a, x, dst = self.a, self.x, self.dst
        big, after, neg = a.label(), a.label(), a.label()
        two63 = self.const(2.0 ** 63)
        self.ucomi(x, two63)
        a.jcc(Cond.AE, big)                     # x >= 2^63 (ordered)
        self.cvtt(dst, x, 64)                   # NaN and x <= -1 give negative results
        a.test(dst, dst, 64)
        a.jcc(Cond.S, neg)
        a.jmp(after)
        a.bind(big)
        getattr(a, "movap" + ("s" if self.src_ty == F32 else "d"))(XMM15, x)
        getattr(a, "sub" + self.sfx)(XMM15, two63)
        self.cvtt(dst, XMM15, 64)
        a.test(dst, dst, 64)
        if self.sat:
            sat_max = a.label()
            a.jcc(Cond.S, sat_max)
            a.mov(R11, SIGN64, 64)
            a.xor(dst, R11, 64)
            a.jmp(after)
            a.bind(sat_max)
            a.mov(dst, -1, 64)
            a.jmp(after)
            a.bind(neg)
            a.xor(dst, dst, 32)              # NaN or negative -> 0
        else:
            a.jcc(Cond.S, self.fail("integer overflow"))
            a.mov(R11, SIGN64, 64)
            a.xor(dst, R11, 64)
            a.jmp(after)
            a.bind(neg)
            self.ucomi(x, x)
            a.jcc(Cond.P, self.fail("invalid conversion to integer"))
            # -1 < x < 0 truncates to 0 and cannot reach here; anything else negative overflows.
            a.jmp(self.fail("integer overflow"))
        a.bind(after)


# --- handler table -----------------------------------------------------------------------------------

def _build_handlers() -> dict:
    fc = FunctionCompiler
    h: dict = {
        0x00: fc.op_unreachable, 0x01: fc.op_nop, OP_BLOCK: fc.op_block, OP_LOOP: fc.op_loop,
        OP_IF: fc.op_if, OP_ELSE: fc.op_else, OP_END: fc.op_end, 0x0C: fc.op_br, OP_BR_IF: fc.op_br_if,
        0x0E: fc.op_br_table, 0x0F: fc.op_return, 0x10: fc.op_call, 0x11: fc.op_call_indirect,
        0x1A: fc.op_drop, OP_SELECT: fc.op_select, OP_SELECT_T: fc.op_select,
        0x20: fc.op_local_get, 0x21: fc.op_local_set, 0x22: fc.op_local_tee,
        0x23: fc.op_global_get, 0x24: fc.op_global_set,
        _K["memory.size"]: fc.op_memory_size, _K["memory.grow"]: fc.op_memory_grow,
        _K["i32.const"]: fc.op_i32_const, _K["i64.const"]: fc.op_i64_const,
        _K["f32.const"]: fc.op_f32_const, _K["f64.const"]: fc.op_f64_const,
        _K["ref.null"]: fc.op_ref_null, _K["ref.is_null"]: fc.op_ref_is_null, _K["ref.func"]: fc.op_ref_func,
        _K["memory.copy"]: fc.op_memory_copy, _K["memory.fill"]: fc.op_memory_fill,
        _K["memory.init"]: fc.op_memory_init, _K["data.drop"]: fc.op_data_drop,
        _K["elem.drop"]: fc.op_elem_drop, _K["table.get"]: fc.op_table_get, _K["table.set"]: fc.op_table_set,
        _K["table.size"]: fc.op_table_size, _K["table.grow"]: fc.op_table_grow,
        _K["table.fill"]: fc.op_table_fill, _K["table.copy"]: fc.op_table_copy,
        _K["table.init"]: fc.op_table_init,
    }

    def bind(method, name):
        return lambda self, a, b: method(self, name)

    def bind_mem(method, name):
        return lambda self, a, b: method(self, name, a, b)

    # Every instruction of a lowering table goes to the method that reads that table.
    for names, method in ((INT_BINOPS, fc.int_binop), (INT_SHIFTS, fc.int_shift),
                          (INT_COMPARES, fc.int_compare), (INT_DIVS, fc.int_div),
                          (FLOAT_BINOPS, fc.float_binop), (FLOAT_COMPARES, fc.float_compare),
                          (EXTENDS, fc.int_convert)):
        for name in names:
            h[_K[name]] = bind(method, name)
    h[_K["i32.wrap_i64"]] = bind(fc.int_convert, "i32.wrap_i64")
    for p in ("i32", "i64"):
        for op in ("clz", "ctz", "popcnt"):
            h[_K[f"{p}.{op}"]] = bind(fc.int_unop, f"{p}.{op}")
    h[_K["i32.eqz"]] = lambda self, a, b: self.int_eqz(I32)
    h[_K["i64.eqz"]] = lambda self, a, b: self.int_eqz(I64)
    for name in LOADS:
        h[_K[name]] = bind_mem(fc.op_load, name)
    for name in STORES:
        h[_K[name]] = bind_mem(fc.op_store, name)
    for p in ("f32", "f64"):
        h[_K[f"{p}.min"]] = bind(fc.float_minmax, f"{p}.min")
        h[_K[f"{p}.max"]] = bind(fc.float_minmax, f"{p}.max")
        h[_K[f"{p}.copysign"]] = bind(fc.float_copysign, f"{p}.copysign")
        for op in ("abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"):
            h[_K[f"{p}.{op}"]] = bind(fc.float_unop, f"{p}.{op}")
        for src in ("i32", "i64"):
            for sg in ("s", "u"):
                name = f"{p}.convert_{src}_{sg}"
                h[_K[name]] = bind(fc.float_convert, name)
    h[_K["f32.demote_f64"]] = bind(fc.float_convert, "f32.demote_f64")
    h[_K["f64.promote_f32"]] = bind(fc.float_convert, "f64.promote_f32")
    for name in ("i32.reinterpret_f32", "i64.reinterpret_f64", "f32.reinterpret_i32", "f64.reinterpret_i64"):
        h[_K[name]] = bind(fc.reinterpret, name)
    for r in ("i32", "i64"):
        for f in ("f32", "f64"):
            for sg in ("s", "u"):
                for mid in ("trunc", "trunc_sat"):
                    name = f"{r}.{mid}_{f}_{sg}"
                    h[_K[name]] = bind(fc.float_trunc, name)
    h.update(simd_handlers(_K))
    return h


HANDLERS = _build_handlers()


class ModuleCompiler:
    """Compiles every defined function of a validated module into one ``CompiledModule``."""

    def __init__(self, module, fuel: bool = False, limits: Limits = DEFAULT_LIMITS) -> None:
        self.module = module
        self.fuel = fuel
        self.limits = limits
        self.asm = Assembler()
        self.layout = VMContextLayout.for_module(module)
        nfuncs = module.num_imported_funcs + len(module.funcs)
        self.func_labels = [self.asm.label(f"func{i}") for i in range(nfuncs)]
        self.helpers: dict[str, Label] = {}
        self.consts: dict[tuple[int, int], Label] = {}
        self.pc_offsets: list[int] = []
        self.pc_wasm: list[int] = []

    def helper_label(self, name: str) -> Label:
        lbl = self.helpers.get(name)
        if lbl is None:
            lbl = self.helpers[name] = self.asm.label(name)
        return lbl

    def const_label(self, bits: int, size: int) -> Label:
        key = (bits, size)
        lbl = self.consts.get(key)
        if lbl is None:
            lbl = self.consts[key] = self.asm.label("const")
        return lbl

    def compile(self) -> CompiledModule:
        m = self.module
        a = self.asm
        nimp = m.num_imported_funcs
        func_offsets, func_ends = [], []
        for i, body in enumerate(m.codes):
            fc = FunctionCompiler(self, nimp + i, body)
            fc.compile()
            func_offsets.append(fc.start)
            func_ends.append(fc.end)
        # Host-call stubs for imported functions (see docs/abi.md).
        host_stubs = []
        for i in range(nimp):
            a.align(16)
            host_stubs.append(a.offset)
            a.push(RBP)
            a.mov(RBP, RSP, 64)
            a.mov(RDI, R15, 64)
            a.mov(RSI, i, 32)
            a.lea(RDX, Mem(RBP, disp=16))
            a.call_rip(self.helper_label("wx_host_call"))
            a.pop(RBP)
            a.ret()
        # Constant pool (16 bytes each, aligned) and the GOT of helper addresses.
        a.align(16)
        for (bits, _size), lbl in self.consts.items():
            a.bind(lbl)
            a.dq(bits & M64)
            a.dq(bits >> 64)
        relocations = []
        for name, lbl in self.helpers.items():
            a.bind(lbl)
            relocations.append((a.offset, V.RELOC_HELPER_ABS64, V.HELPER_ID[name]))
            a.dq(0)
        code = a.finish()
        if self.limits.max_code_bytes is not None and len(code) > self.limits.max_code_bytes:
            raise LimitError(f"compiled code of {len(code)} bytes exceeds Limits.max_code_bytes = "
                             f"{self.limits.max_code_bytes}")
        order = sorted(range(len(self.pc_offsets)), key=self.pc_offsets.__getitem__)
        func_types = [m.func_type(i) for i in range(nimp + len(m.funcs))]
        type_index = {}
        for i, t in enumerate(m.types):
            type_index.setdefault(t, i)
        return CompiledModule(
            code=code,
            func_offsets=func_offsets,
            func_ends=func_ends,
            host_stub_offsets=host_stubs,
            relocations=relocations,
            pc_offsets=[self.pc_offsets[i] for i in order],
            pc_wasm=[self.pc_wasm[i] for i in order],
            types=list(m.types),
            func_types=[type_index[t] for t in func_types],
            layout=self.layout,
            num_imported_funcs=nimp,
            func_names=dict(m.names.functions) if m.names else {},
        )


def compile_module(module, fuel: bool = False, limits: Limits | None = None) -> CompiledModule:
    """Compile a validated ``jit.wasm.Module`` to machine code.

    ``fuel``: also count one unit of fuel at every function entry and loop iteration (trap "out of
    fuel" when ``vmctx.fuel`` goes negative). Interrupt checks are always compiled in.
    ``limits``: ``max_locals`` per function and ``max_code_bytes`` (``jit.LimitError`` beyond them).
    """
    compiled = ModuleCompiler(module, fuel, limits or DEFAULT_LIMITS).compile()
    compiled.fuel = fuel
    return compiled


__all__ = ["compile_module", "FunctionCompiler", "ModuleCompiler"]
