"""The single-pass compiler: validated Wasm functions to x86-64 machine code.

One pass over each function's instructions, in the family of V8 Liftoff and wasmtime Winch. The
layers, one way down (see docs/architecture.md):

* this module: ``ModuleCompiler`` (functions, host stubs, constant pool, helper GOT) and
  ``FunctionCompiler`` (prologue, hot-local pinning, the dispatch loop and its control stack);
* ``jit.x64.lower``: the lowerings, one mixin class per instruction family, each registered for its
  opcodes in ``jit.x64.lower.LOWERINGS``, the table the dispatch loop looks handlers up in;
* ``jit.x64.context``: the codegen context the lowerings share, the operand stack modelled at
  compile time (``jit.x64.stack``): constants fold into immediates, ``local.get`` is a lazy
  reference read as a memory operand, registers are allocated on demand and spilled when they run
  out, at calls and at control-flow merges;
* ``jit.x64.encoder``: the assembler.

A comparison followed by ``br_if``, ``if`` or ``select`` is fused into one compare-and-branch.

The output is a ``CompiledModule`` (position-independent code, relocations for the helper GOT, the PC
map, signatures); see docs/abi.md for the calling convention and frame layout.
"""
from __future__ import annotations

import gc
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from operator import gt
from struct import Struct

from ..abi import vmctx as V
from ..abi.compiled import CompiledModule
from ..abi.features import PROPOSALS, UnsupportedProposalError
from ..abi.lazy import SLOT_SIZE, FunctionCode, LazyHeader
from ..abi.limits import DEFAULT_LIMITS, Limits
from ..abi.stackmaps import encode as encode_stack_maps
from ..abi.vmctx import VMContextLayout
from ..errors import CompileError, LimitError
from ..wasm.opcodes import OPS
from ..wasm.types import BLOCK_V128, F32, F64, I32, I64, V128, FuncType
from .context import CodegenContext
from .encoder import Assembler, Cond, Label, Mem, Template
from .lower import (
    LOWERINGS,
    OP_BLOCK,
    OP_ELSE,
    OP_END,
    OP_IF,
    OP_LOCAL_GET,
    OP_LOCAL_SET,
    OP_LOCAL_TEE,
    OP_LOOP,
    OP_THROW,
    OP_TRY_TABLE,
    UNSUPPORTED,
)
from .lower.calls import CallLowering
from .lower.control import FUNC, ControlLowering, Ctrl
from .lower.exceptions import ExceptionLowering, build_table
from .lower.float import FloatLowering
from .lower.gc import GcLowering
from .lower.integer import IntegerLowering
from .lower.memory import MemoryLowering
from .lower.references import ReferenceLowering
from .lower.simd import SimdArithmetic, SimdLanes
from .lower.tables import TableLowering
from .lower.tailcalls import TailCallLowering, module_has_tail_calls
from .lower.variables import VariableLowering
from .registers import (
    R8,
    R9,
    R10,
    R12,
    R13,
    RAX,
    RBP,
    RBX,
    RCX,
    RDI,
    RDX,
    RSI,
    RSP,
    VMCTX,
    XMM8,
    XMM9,
    XMM10,
    XMM11,
    XMM12,
    XMM13,
    XMM14,
    Xmm,
)
from .safepoints import SafepointRecorder
from .stack import GPRS, XMMS, Frame, RegAlloc, Val, load_reg, store_reg

# Registers hot locals may be pinned to (jit.x64.stack leaves them out of allocation when used).
CALLEE_SAVED_PINS = (RBX, R12, R13)
GPR_PINS = CALLEE_SAVED_PINS + (R8, R9, R10)
XMM_PINS = (XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14)
M64 = 0xFFFFFFFFFFFFFFFF
PROPOSAL_KEY_BY_NAME = {p.name: p.key for p in PROPOSALS}
SIMD_PREFIX_KEY = 0xFD000         # opcode keys of the 0xFD (v128) instructions start here
DEPTH_WEIGHT = (1, 8, 64, 512)    # weight of a local's use at loop depth 0, 1, 2, 3 and more
PRESCAN_BELOW = max(OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE, OP_END, OP_LOOP, OP_BLOCK, OP_IF, OP_TRY_TABLE,
                    OP_THROW) + 1
"""Every single-byte opcode the pre-scan looks at is below this (the others cost one compare there)."""


def _prologue(a: Assembler, overflow: Label) -> tuple[int, int]:
    """Frame pointer, stack check (before touching the frame), vmctx slot, frame. Returns the
    offsets of the two imm32 fields patched with the frame size (stack check, ``sub rsp``)."""
    a.push(RBP)
    a.mov(RBP, RSP, 64)
    a.mov(RAX, RSP, 64)
    a.sub(RAX, 0, 64, force_imm32=True)
    check_patch = a.offset - 4
    a.cmp(RAX, Mem(VMCTX, disp=V.VMCTX_STACK_LIMIT), 64)
    a.jcc(Cond.B, overflow)
    a.push(VMCTX)
    a.sub(RSP, 0, 64, force_imm32=True)
    return check_patch, a.offset - 4


PROLOGUE = Template(_prologue, 1)
"""Every function's prologue, assembled once (its one hole: the stack-overflow trap site)."""
_TRAP_STACK_EXHAUSTED = V.TRAP_CODE["call stack exhausted"]
_INT3 = b"\xcc"
_FRAME_PATCH_FAST = 1 << 30
_pack_i32 = Struct("<i").pack_into


class FunctionCompiler(CodegenContext, ControlLowering, VariableLowering, IntegerLowering, FloatLowering,
                       MemoryLowering, CallLowering, TableLowering, ReferenceLowering, SimdArithmetic,
                       SimdLanes, TailCallLowering, ExceptionLowering, SafepointRecorder, GcLowering):
    """Compiles one function body into the module's assembler: the dispatch loop over ``LOWERINGS``."""

    # The per-function state in slots: in an instance dict, more than 30 attributes (CPython's limit
    # for a class's shared keys) made a dict per function and left the lowerings' ``self.x`` reads
    # unspecialized. Attributes a lowering adds on the fly still go to the instance dict.
    __slots__ = ("mc", "asm", "module", "func_index", "body", "sig", "nparams", "num_declared", "if_hidden",
                 "local_types", "frame", "pins", "callee_saved", "stack", "caller_saved_pins", "ra", "ctrls",
                 "dead", "max_outgoing", "rsp_fixups", "trap_sites", "interrupt_slow_paths", "pos",
                 "eh_scope", "eh_lo", "eh_segs", "eh_pads", "eh_rsp_patches", "_traced", "_ref_local_words",
                 "start", "end", "code", "i", "zero_flag")

    def __init__(self, mc: ModuleCompiler, func_index: int, body) -> None:
        self.zero_flag = None
        self.mc = mc
        self.asm: Assembler = mc.asm
        self.module = mc.module
        self.func_index = func_index
        self.body = body
        sig: FuncType = mc.func_types[func_index]
        self.sig = sig
        params = sig.params
        self.nparams = nparams = len(params)
        local_types: list[int] = []
        max_locals = mc.limits.max_locals
        for count, ty in body.locals:
            if max_locals is not None and nparams + len(local_types) + count > max_locals:
                raise LimitError(f"function {func_index} has more than {max_locals} locals "
                                 "(Limits.max_locals)")
            local_types.extend([ty] * count)
        code = body.code
        self.num_declared = nparams + len(local_types)
        # One pre-scan: `if` blocks with parameters need hidden locals, v128 anywhere widens slots,
        # and the uses of each local, weighted by loop depth, pick the pinned ones.
        wide, self.if_hidden, weight = self.prescan(code, local_types)
        self.local_types = [*params, *local_types]
        self.frame = Frame(params, local_types, wide)
        self.pins = self.choose_pinned_locals(weight) if weight and max(weight) >= 3 else []
        self.callee_saved = []      # (register, frame slot) saved in the prologue
        self.stack: list[Val] = []
        if self.pins:
            for reg in sorted({r for _, r in self.pins if r in CALLEE_SAVED_PINS},
                              key=CALLEE_SAVED_PINS.index):
                self.callee_saved.append((reg, self.frame.temp_mem(I64)))
            for idx, reg in self.pins:
                self.frame.local_locs[idx] = reg
            pinned = {r for _, r in self.pins}
            self.caller_saved_pins = [(idx, r) for idx, r in self.pins if r not in CALLEE_SAVED_PINS]
            self.ra = RegAlloc(self.asm, self.stack, self.frame, tuple(r for r in GPRS if r not in pinned),
                               tuple(r for r in XMMS if r not in pinned))
        else:
            self.caller_saved_pins = []
            self.ra = RegAlloc(self.asm, self.stack, self.frame)
        self.ctrls: list[Ctrl] = []
        self.dead = 0               # > 0: compiling unreachable code, counts nested blocks
        self.max_outgoing = 0
        self.rsp_fixups: list[int] = []     # reset_stack_pointer sites, patched with the frame size
        self.trap_sites: list[tuple[Label, int, int]] = []
        self.interrupt_slow_paths: list[tuple[Label, Label, int]] = []   # (slow path, back, wasm pos)
        self.pos = body.offset
        self.eh_init()
        self.safepoint_setup()

    def prescan(self, code, local_types: list[int]) -> tuple[bool, dict[int, int], list[int]]:
        """One pass over the body before compiling it. Returns whether frame slots must be 16 bytes
        (a v128 anywhere), the first hidden local of each `if` with parameters (by instruction index,
        not in compile order: an `if` in dead code is never compiled and must not shift the others;
        ``local_types`` gets the hidden locals appended), and each declared local's use weight
        (uses weighted by loop depth: 1, 8, 64, then 512 from depth 3 on)."""
        module = self.module
        params = self.sig.params
        wide = V128 in params or V128 in self.sig.results or V128 in local_types
        if_hidden: dict[int, int] = {}
        n = self.num_declared
        weight = [0] * n
        loops: list[int] = []      # per open block: 1 for a loop
        push_loop, pop_loop = loops.append, loops.pop
        depth = 0
        scale = 1
        local_get, local_set, local_tee = OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE
        below = PRESCAN_BELOW
        for i, (op, a, b, _pos) in enumerate(code):
            if op >= below:
                if op >= SIMD_PREFIX_KEY:
                    wide = True
            elif op == local_get or op == local_set or op == local_tee:
                if a < n:
                    weight[a] += scale
            elif op == OP_END:
                if loops and pop_loop():
                    depth -= 1
                    scale = DEPTH_WEIGHT[depth if depth < 3 else 3]
            elif op == OP_LOOP:
                push_loop(1)
                depth += 1
                scale = DEPTH_WEIGHT[depth if depth < 3 else 3]
                if a == BLOCK_V128:
                    wide = True
            elif op == OP_BLOCK:
                push_loop(0)
                if a == BLOCK_V128:
                    wide = True
            elif op == OP_IF:
                push_loop(0)
                if a >= 0:
                    if_hidden[i] = len(params) + len(local_types)
                    local_types.extend(module.types[a].params)
                elif a == BLOCK_V128:
                    wide = True
            elif op == OP_TRY_TABLE:
                push_loop(0)
                wide = wide or a == BLOCK_V128 or _v128_payload(module, op, a, b)
            elif op == OP_THROW:        # a v128 payload lands in stack slots
                wide = wide or _v128_payload(module, op, a, b)
        return wide, if_hidden, weight

    def choose_pinned_locals(self, weight: list[int]) -> list[tuple[int, object]]:
        """Pick the hottest locals (``weight``: uses weighted by loop depth) to live in registers all
        along.

        Integer locals go to rbx, r12, r13 (saved in the prologue, so calls keep them) and then
        r8-r10; float locals to xmm8-xmm14. Caller-saved pins are stored before every call and
        reloaded after it.
        """
        n = self.num_declared
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
        code_buf = a.code
        label = self.mc.func_labels[self.func_index]
        pad = -len(code_buf) % 16                # a.align(16), inline: once per function
        if pad:
            code_buf += _INT3 * pad
        a.bind(label)
        self.start = len(code_buf)
        overflow = Label()
        base = a.splice(PROLOGUE, overflow)
        check_patch, frame_patch = base + PROLOGUE.marks[0], base + PROLOGUE.marks[1]
        if self.num_declared != self.nparams:
            self.zero_locals()
        if self.pins:
            self.load_pins()
        self.emit_budget_checks()
        results = self.sig.results
        self.ctrls.append(Ctrl(FUNC, Label(), 0, (), results))
        code = self.body.code
        handlers = LOWERINGS
        self.code = code
        i = 0
        n = len(code)
        get_handler = handlers.get
        while i < n:
            self.i = i
            op, x, y, self.pos = code[i]
            if self.dead:
                # Unreachable code: skip it, counting nested blocks; the enclosing end/else revive.
                if op in (OP_BLOCK, OP_LOOP, OP_IF, OP_TRY_TABLE):
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
            h = get_handler(op)
            if h is None:
                info = OPS.get(op)
                if info is not None and info.name in UNSUPPORTED:
                    raise UnsupportedProposalError(PROPOSAL_KEY_BY_NAME[UNSUPPORTED[info.name]], self.pos,
                                                   self.func_index, self.module.func_name(self.func_index))
                raise CompileError(f"instruction {info.name if info else hex(op)} is not supported yet",
                                   self.pos, self.func_index, self.module.func_name(self.func_index))
            h(self, x, y)
            i = self.i + 1          # a handler may consume the next instruction (fused local.set)
        # Out-of-line interrupt checks and trap sites.
        self.emit_interrupt_slow_paths()
        a.bind(overflow)
        self.call_trap_inline(_TRAP_STACK_EXHAUSTED, self.body.offset)
        for lbl, kind, pos in self.trap_sites:
            a.bind(lbl)
            self.call_trap_inline(kind, pos)     # kind None: the code is in eax (helper result)
        if self.eh_pads or self.eh_scope is not None:
            self.emit_landing_pads()
        self.end = len(code_buf)
        # Frame size: slots below the saved vmctx plus the outgoing argument area, rsp 16-aligned.
        n = 8 * self.frame.max_slot + self.max_outgoing
        n += (8 - n) % 16
        if n < _FRAME_PATCH_FAST:                # a.patch32 (which checks), inline
            _pack_i32(code_buf, frame_patch, n)
            _pack_i32(code_buf, check_patch, n + 8)
        else:
            a.patch32(frame_patch, n)
            a.patch32(check_patch, n + 8)
        if self.rsp_fixups:
            self.patch_stack_pointer_resets(n)
        if self.eh_rsp_patches or self.callee_saved or self.eh_segs:
            self.eh_finish(n + 8)

    def zero_locals(self) -> None:
        """Zero the memory homes of declared locals that live in memory. Pinned locals are zeroed in
        their registers (load_pins); hidden locals and register-save slots are written before read."""
        if self.num_declared == self.nparams:
            return
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


def _v128_payload(module, op: int, a, b) -> bool:
    """Whether a throw / try_table moves a v128 exception payload (it needs 16-byte stack slots)."""
    if op == OP_THROW:
        return V128 in module.tag_type(a).params
    return any(tag is not None and V128 in module.tag_type(tag).params for _k, tag, _l in b)


HANDLERS = LOWERINGS     # every family module above has registered its lowerings


class ModuleCompiler:
    """Compiles every defined function of a validated module into one ``CompiledModule``."""

    def __init__(self, module, fuel: bool = False, limits: Limits = DEFAULT_LIMITS) -> None:
        self.module = module
        self.fuel = fuel
        self.limits = limits
        self.asm = Assembler()
        self.layout = VMContextLayout.for_module(module)
        # the type of every function of the index space and the number of imported ones (the
        # module's own accessors rescan its imports on every call)
        self.func_types: list[FuncType] = module.all_func_types()
        self.num_imported_funcs = nimp = module.num_imported_funcs
        self.global_types = module.all_globals()
        nfuncs = nimp + len(module.funcs)
        self.func_labels = [self.asm.label(f"func{i}") for i in range(nfuncs)]
        self.helpers: dict[str, Label] = {}
        self.consts: dict[tuple[int, int], Label] = {}
        self.pc_offsets: list[int] = []
        self.pc_wasm: list[int] = []
        # Exception handling (jit.x64.lower.exceptions): functions saving callee-saved registers and
        # try-body segments with their clauses, at code offsets
        self.eh_funcs: list[tuple] = []
        self.eh_segs: list[tuple] = []
        self.safepoints: list[tuple[int, tuple[int, ...]]] = []    # stack maps (jit.x64.safepoints)
        self._tail_calls: bool | None = None

    @property
    def tail_calls(self) -> bool:
        """Whether the module contains tail calls (computed on first use): then a direct callee may
        return like a tail-called function (jit.x64.lower.tailcalls)."""
        if self._tail_calls is None:
            self._tail_calls = module_has_tail_calls(self.module)
        return self._tail_calls

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
        nimp = m.num_imported_funcs
        func_offsets, func_ends = [], []
        with gc_paused():
            for i, body in enumerate(m.codes):
                fc = FunctionCompiler(self, nimp + i, body)
                fc.compile()
                func_offsets.append(fc.start)
                func_ends.append(fc.end)
            return self.finish(func_offsets, func_ends)

    def finish(self, func_offsets: list[int], func_ends: list[int]) -> CompiledModule:
        """Everything after the function bodies: host-call stubs, constant pool, helper GOT, and the
        ``CompiledModule`` (also the parallel compiler's last step, after it merged the bodies)."""
        m = self.module
        a = self.asm
        nimp = m.num_imported_funcs
        # Host-call stubs for imported functions (see docs/abi.md).
        host_stubs = []
        for i in range(nimp):
            a.align(16)
            host_stubs.append(a.offset)
            a.push(RBP)
            a.mov(RBP, RSP, 64)
            a.mov(RDI, VMCTX, 64)
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
        pc_offsets, pc_wasm = self.pc_offsets, self.pc_wasm
        if any(map(gt, pc_offsets, islice(pc_offsets, 1, None))):     # not in code order already
            order = sorted(range(len(pc_offsets)), key=pc_offsets.__getitem__)
            pc_offsets, pc_wasm = [pc_offsets[i] for i in order], [pc_wasm[i] for i in order]
        func_types = self.func_types
        type_index = {}
        for i, t in enumerate(m.types):
            type_index.setdefault(t, i)
        return CompiledModule(
            code=code,
            func_offsets=func_offsets,
            func_ends=func_ends,
            host_stub_offsets=host_stubs,
            relocations=relocations,
            pc_offsets=list(pc_offsets),
            pc_wasm=list(pc_wasm),
            types=list(m.types),
            func_types=[type_index[t] for t in func_types],
            layout=self.layout,
            num_imported_funcs=nimp,
            func_names=dict(m.names.functions) if m.names else {},
            eh_table=build_table(self.eh_funcs, self.eh_segs),
            stack_maps=encode_stack_maps(self.safepoints),
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: the compiler makes no reference cycles (its objects die by
    reference counting), and collections triggered by its allocations would rescan the decoded
    module's many instruction tuples again and again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def external_refs(asm: Assembler) -> list[tuple[Label, int, int, int]]:
    """(label, field offset, field size, offset the value is relative to) of every reference to a
    label ``asm`` has not bound: what code compiled apart (a run of functions in a worker process,
    one lazily compiled function) leaves for whoever places it."""
    return [(lbl, at, size, rel_to) for lbl, fixups in asm._fixups.items() for at, size, rel_to in fixups]


class _FuncLabels(dict):
    """Function index -> Label, made on first use (one function's compile names only its callees)."""

    __slots__ = ()

    def __missing__(self, index: int) -> Label:
        lbl = self[index] = Label(f"func{index}")
        return lbl


class _FunctionContext(ModuleCompiler):
    """The ``ModuleCompiler`` state a ``FunctionCompiler`` uses, for code compiled apart from the
    module's other functions: its own assembler from offset 0, labels made on demand (not one per
    function of the module), the vmctx layout computed once by the owner."""

    def __init__(self, module, fuel: bool, limits: Limits, layout: VMContextLayout,  # noqa: B027
                 tail_calls: bool | None = None, func_types: list[FuncType] | None = None) -> None:
        self.module = module
        self.fuel = fuel
        self.limits = limits
        self.layout = layout
        self.func_types = func_types if func_types is not None else module.all_func_types()
        self.num_imported_funcs = module.num_imported_funcs
        self.global_types = module.all_globals()
        self.asm = Assembler()
        self.func_labels = _FuncLabels()
        self.helpers = {}
        self.consts = {}
        self.pc_offsets = []
        self.pc_wasm = []
        self.eh_funcs = []
        self.eh_segs = []
        self.safepoints = []
        self._tail_calls = tail_calls


class LazyCompiler:
    """Lazy compilation (docs/lazy-compilation.md): a header of jump slots now, each function later.

    ``header()`` is the code loaded when the module is made: one 8-byte jump slot per defined
    function (``jmp [rip + pointer]``, the target of every call, funcref and export of it), one lazy
    entry per function (``call common``), the pointer table (each pointer starts at the function's
    lazy entry), the common stub (which calls the native ``wx_lazy_entry`` with the module's token and
    the function, then jumps to the code it returns), the host-call stubs and a GOT of every helper.
    ``compile_function(index)`` compiles one function into relocatable ``FunctionCode`` (the same
    ``FunctionCompiler`` as eager compiles: same code apart from the targets of calls). Each call
    compiles with fresh state, so compiles of one module may nest or run on several threads.
    """

    def __init__(self, module, fuel: bool = False, limits: Limits | None = None) -> None:
        self.module = module
        self.fuel = fuel
        self.limits = limits or DEFAULT_LIMITS
        self.layout = VMContextLayout.for_module(module)
        self._tail_calls: bool | None = None
        self.func_types: list[FuncType] = module.all_func_types()

    def header(self) -> tuple[CompiledModule, LazyHeader]:
        m = self.module
        ctx = _FunctionContext(m, self.fuel, self.limits, self.layout, func_types=self.func_types)
        a = ctx.asm
        n = len(m.funcs)
        slots, entries, pointers = 0, SLOT_SIZE * n, 2 * SLOT_SIZE * n
        token, entry = 3 * SLOT_SIZE * n, 3 * SLOT_SIZE * n + 8
        common = (entry + 8 + 15) & ~15
        # jump slot i: jmp [rip + pointers + 8i] (the displacement is the same for every slot), int3 x2
        slot = 0x25FF | ((pointers - slots - 6) << 16) | (0xCCCC << 48)
        a.db(array("Q", [slot]).tobytes() * n)
        # lazy entry i: call common (rel32 = common - (entries + 8i + 5)), int3 x3
        first = 0xE8 | ((common - entries - 5) << 8) | (0xCCCCCC << 40)
        a.db(array("Q", range(first, first - (8 << 8) * n, -(8 << 8))).tobytes())
        a.db(bytes(8 * n + 16))          # pointers (made absolute at load), token, native entry
        a.align(16)
        entries_label, token_label, entry_label = Label("lazy_entries"), Label("token"), Label("entry")
        entries_label.offset, token_label.offset, entry_label.offset = entries, token, entry
        assert a.offset == common
        # common: rax = entries + 8i + 5 (the lazy entry's return address) -> rsi = i
        a.pop(RAX)
        a.push(RBP)
        a.mov(RBP, RSP, 64)
        a.lea(RSI, entries_label)
        a.sub(RAX, RSI, 64)
        a.shr(RAX, 3, 64)
        a.mov(RSI, RAX, 64)
        a.mov(RDI, token_label, 64)
        a.mov(RDX, VMCTX, 64)
        a.call_rip(entry_label)       # code address of function i (or a trap: it never returns then)
        a.pop(RBP)
        a.jmp(RAX)
        for name in V.HELPERS:        # the GOT has every helper: functions compiled later use them
            ctx.helper_label(name)
        compiled = ctx.finish([slots + SLOT_SIZE * i for i in range(n)],
                              [slots + SLOT_SIZE * (i + 1) for i in range(n)])
        compiled.fuel = self.fuel
        got = {name: lbl.offset for name, lbl in ctx.helpers.items()}
        return compiled, LazyHeader(n, slots, entries, pointers, token, entry, common, got)

    def compile_function(self, index: int) -> FunctionCode:
        """Function ``index`` (of the index space; a defined function) as relocatable code."""
        m = self.module
        if self._tail_calls is None:         # one scan of the module, on the first compile
            self._tail_calls = module_has_tail_calls(m)
        ctx = _FunctionContext(m, self.fuel, self.limits, self.layout, self._tail_calls, self.func_types)
        fc = FunctionCompiler(ctx, index, m.codes[index - ctx.num_imported_funcs])
        fc.compile()
        a = ctx.asm
        end = a.offset
        a.align(16)
        for (bits, _size), lbl in ctx.consts.items():     # the function's own constant pool
            a.bind(lbl)
            a.dq(bits & M64)
            a.dq(bits >> 64)
        funcs = {id(lbl): i for i, lbl in ctx.func_labels.items()}
        helpers = {id(lbl): name for name, lbl in ctx.helpers.items()}
        calls, helper_refs = [], []
        for lbl, at, size, rel_to in external_refs(a):
            if size != 4:
                raise CompileError(f"internal error: a {size}-byte reference to {lbl!r} leaves the function",
                                   None, index)
            callee = funcs.get(id(lbl))
            if callee is not None:
                calls.append((at, rel_to, callee))
            else:
                helper_refs.append((at, rel_to, helpers[id(lbl)]))
        return FunctionCode(index, bytes(a.code), end, calls, helper_refs, ctx.pc_offsets, ctx.pc_wasm,
                            ctx.eh_funcs, ctx.eh_segs, ctx.safepoints)


def compile_module(module, fuel: bool = False, limits: Limits | None = None) -> CompiledModule:
    """Compile a validated ``jit.wasm.Module`` to machine code.

    ``fuel``: also count one unit of fuel at every function entry and loop iteration (trap "out of
    fuel" when ``vmctx.fuel`` goes negative). Interrupt checks are always compiled in.
    ``limits``: ``max_locals`` per function and ``max_code_bytes`` (``jit.LimitError`` beyond them).
    """
    compiled = ModuleCompiler(module, fuel, limits or DEFAULT_LIMITS).compile()
    compiled.fuel = fuel
    return compiled


__all__ = ["compile_module", "external_refs", "gc_paused", "FunctionCompiler", "LazyCompiler",
           "ModuleCompiler"]
