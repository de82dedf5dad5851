"""Locals, globals and constants.

Two patterns of unoptimized producers (``clang -O0`` keeps every temporary in a local of its own) are
folded here, both exact: ``local.set X; local.get X`` is ``local.tee X``, and a ``local.get X`` that
follows a ``local.set/tee X`` of a constant in the same straight-line code (no ``loop``, ``else`` or
``end`` between them, nothing else writing X) pushes that constant instead of reading X.
"""
from __future__ import annotations

from ...wasm.types import F32, F64, I32, I64
from ..context import FLAGS, M32, M64
from ..encoder import Mem
from ..registers import SCRATCH, VMCTX
from ..stack import CONST, LOCAL, REG, Val, fits_imm32, imm_of, is_float, load_reg, size_of, store_reg
from . import OP_ELSE, OP_END, OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE, OP_LOOP, lowers

CONST_LOCAL_WINDOW = 48
"""At most this many instructions between a local's constant store and a read that reuses it."""
_CONST_LOCAL_TYPES = frozenset((I32, I64, F32, F64))
_MERGES = frozenset((OP_LOOP, OP_ELSE, OP_END))
"""Where other control paths join (and known local values end)."""


class VariableLowering:
    """``local.*``, ``global.*`` and ``*.const`` of ``FunctionCompiler``."""

    # ------------------------------------------------------------------------ locals and globals
    const_locals: dict[int, tuple[int, int]] | None = None
    """Local index -> (constant bits, index of the instruction that stored them), see the module doc."""

    @lowers("local.get")
    def op_local_get(self, idx, _b) -> None:
        known = self.const_locals
        if known is not None and idx in known:
            bits, since = known[idx]
            if self.still_constant(idx, since):
                self.push(CONST, self.local_types[idx], bits)
                return
            del known[idx]
        self.push(LOCAL, self.local_types[idx], idx)

    def still_constant(self, idx: int, since: int) -> bool:
        """Whether nothing between instruction ``since`` and this one can change local ``idx`` or
        join another control path."""
        i = self.i
        if i - since > CONST_LOCAL_WINDOW:
            return False
        code = self.code
        for j in range(since + 1, i):
            op = code[j][0]
            if op in _MERGES or ((op == OP_LOCAL_SET or op == OP_LOCAL_TEE) and code[j][1] == idx):
                return False
        return True

    def remember_const_local(self, idx: int, v: Val) -> None:
        """After local ``idx`` was set from ``v`` by instruction ``self.i``."""
        known = self.const_locals
        if v.kind == CONST and v.ty in _CONST_LOCAL_TYPES:
            if known is None:
                known = self.const_locals = {}
            known[idx] = (v.x, self.i)
        elif known is not None:
            known.pop(idx, None)

    def materialize_local_refs(self, idx: int) -> None:
        """Before local ``idx`` changes: lazy references to it on the stack take its current value."""
        if not self.ra.local_refs[idx]:
            return
        stack = self.stack
        ra = self.ra
        for pos in range(ra.floor, len(stack)):
            v = stack[pos]
            if v.kind == LOCAL and v.x == idx:
                free = ra.free_register(v.ty)
                if free is None:
                    ra.spill(pos)
                else:                     # a copy in a free register: no store now, no load later
                    ra.local_refs[idx] -= 1
                    self.load_into(free, v)
                    ra.claim(free, v)

    @lowers("local.set")
    def op_local_set(self, idx, _b) -> None:
        code = self.code
        nxt = self.i + 1
        if nxt < len(code) and code[nxt][0] == OP_LOCAL_GET and code[nxt][1] == idx:
            self.op_local_tee(idx, None)        # set X; get X = tee X
            self.i = nxt
            return
        v = self.pop()
        if v.kind == LOCAL and v.x == idx:
            return
        self.materialize_local_refs(idx)
        if v.kind == FLAGS:
            self.to_reg(v)
        self.store_local(idx, v)
        self.remember_const_local(idx, v)
        self.release(v)

    def store_local(self, idx: int, v: Val) -> None:
        loc = self.frame.local_locs[idx]
        if isinstance(loc, Mem):
            self.emit_store_val(loc, v)
        else:
            self.load_into(loc, v)

    @lowers("local.tee")
    def op_local_tee(self, idx, _b) -> None:
        v = self.stack[-1]
        if v.kind == LOCAL and v.x == idx:
            return
        self.pop()
        self.materialize_local_refs(idx)
        if v.kind == FLAGS:
            self.to_reg(v)
        self.store_local(idx, v)
        self.remember_const_local(idx, v)
        if v.kind in (REG, CONST):
            self.push_val(v)
        else:
            self.release(v)
            self.push(LOCAL, v.ty, idx)

    def global_mem(self, g: int) -> Mem:
        layout = self.mc.layout
        if g >= layout.num_imported_globals:
            return Mem(VMCTX, disp=layout.defined_global(g))
        self.asm.mov(SCRATCH, Mem(VMCTX, disp=layout.global_ptr(g)), 64)
        return Mem(SCRATCH)

    @lowers("global.get")
    def op_global_get(self, g, _b) -> None:
        ty = self.mc.global_types[g].valtype
        r = self.ra.alloc(ty)
        load_reg(self.asm, r, self.global_mem(g), ty)
        self.push_reg(r, ty)

    @lowers("global.set")
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
    @lowers("i32.const")
    def op_i32_const(self, x, _b) -> None:
        self.push(CONST, I32, x & M32)

    @lowers("i64.const")
    def op_i64_const(self, x, _b) -> None:
        self.push(CONST, I64, x & M64)

    @lowers("f32.const")
    def op_f32_const(self, x, _b) -> None:
        self.push(CONST, F32, x)

    @lowers("f64.const")
    def op_f64_const(self, x, _b) -> None:
        self.push(CONST, F64, x)
