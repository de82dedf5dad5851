"""Control flow: blocks, loops, if/else, branches, return, and the control frames (``Ctrl``).

Control-flow state at every label is canonical: entries below the block's height are constants or
in their spill slots, and the label's values (results, or loop parameters) are in the spill slots
of their positions. Branches copy their values there; nothing else has to agree.
"""
from __future__ import annotations

from ...abi import vmctx as V
from ...wasm.types import V128, FuncType, block_type
from ..context import FLAGS, M32
from ..encoder import Cond, Label, Mem, Template
from ..operands import COND_NEGATED
from ..registers import RBP, RSP, SCRATCH, VMCTX
from ..stack import CONST, LOCAL, SLOT, Val, copy_mem, is_float, load_reg, size_of
from . import OP_SELECT, OP_SELECT_T, lowers

BLOCK, LOOP, IF, ELSE, FUNC = range(5)     # Ctrl kinds


class Ctrl:
    """A control frame: the label branches go to, the stack height at entry and the block type."""

    __slots__ = ("kind", "label", "else_label", "height", "params", "results", "saved", "targeted", "eh")

    def __init__(self, kind: int, label: Label, height: int, params: tuple, results: tuple) -> None:
        self.kind = kind
        self.label = label
        self.else_label: Label | None = None
        self.height = height
        self.params = params
        self.results = results
        self.saved: list[int] = []     # hidden locals holding an `if`'s parameters for its `else`
        self.targeted = False          # some branch jumps to the label
        self.eh: tuple | None = None   # a try_table: (the clauses enclosing it,), see lower/exceptions.py

    @property
    def branch_types(self) -> tuple:
        return self.params if self.kind == LOOP else self.results


def _hint_check(asm, slow: Label) -> None:
    asm.cmp(Mem(VMCTX, disp=V.VMCTX_INTERRUPT_HINT), 0, 64)
    asm.jcc(Cond.NE, slow)


def _interrupt_slow_path(asm, trap: Label) -> None:
    asm.lea(SCRATCH, Mem(VMCTX, disp=V.VMCTX_OWNER))
    asm.cmp(SCRATCH, Mem(VMCTX, disp=V.VMCTX_OWNER_PTR), 64)
    asm.jcc(Cond.E, trap)
    asm.mov(Mem(VMCTX, disp=V.VMCTX_INTERRUPT_HINT), 0, 64)
    asm.mfence()
    asm.mov(SCRATCH, Mem(VMCTX, disp=V.VMCTX_OWNER_PTR), 64)
    asm.cmp(Mem(SCRATCH, disp=V.GROUP_INTERRUPT), 0, 64)
    asm.jcc(Cond.NE, trap)


def _leave_ret(asm) -> None:
    asm.mov(RSP, RBP, 64)
    asm.pop(RBP)
    asm.ret()


# Fixed sequences of every function, assembled once (jit.x64.encoder.Template): the interrupt-hint
# check (hole: its slow path), the slow path up to its jump back (hole: the trap site), the return.
_HINT_CHECK = Template(_hint_check, 1)
_LEAVE_RET = Template(_leave_ret).code
_INTERRUPT_SLOW_PATH = Template(_interrupt_slow_path, 1)


class ControlLowering:
    """Control instructions of ``FunctionCompiler``."""

    zero_flag: tuple | None = None
    """(index of the last instruction it belongs to, code length, register, size) after an ALU
    instruction whose ZF tells whether that register is zero; see ``flags_test_zero``."""

    def flags_test_zero(self, r, size: int) -> None:
        """Set ZF from whether ``r`` is zero: ``test r, r``, unless the previous instruction's ALU
        operation computed ``r`` (of this size) as the last code emitted (``sub ecx, 1; jne``)."""
        zf = self.zero_flag
        if zf is not None and zf[1] == len(self.asm.code) and zf[0] == self.i - 1 and zf[2] is r \
                and zf[3] == size:
            return
        self.asm.test(r, r, size)

    def emit_transfer(self, height: int, arity: int) -> None:
        """Copy the top ``arity`` values into the slots of positions height.. (branch to a label)."""
        base = len(self.stack) - arity
        for j in range(arity):
            v = self.stack[base + j]
            if v.kind == SLOT and v.x == height + j:
                continue
            self.emit_store_val(self.frame.position_mem(height + j), v)

    def needs_transfer(self, height: int, arity: int) -> bool:
        if not arity:
            return False
        base = len(self.stack) - arity
        return any(not (v.kind == SLOT and v.x == height + j)
                   for j, v in enumerate(self.stack[base:]))

    def emit_return_moves(self) -> None:
        """Store the function's results into the argument area (may alias parameters)."""
        results = self.sig.results
        n = len(results)
        base = len(self.stack) - n
        vals = self.stack[base:]
        frame = self.frame
        nparams = self.nparams
        # Values read from the parameter area are staged in their own position slots first.
        staged = None
        for j, v in enumerate(vals):
            if v.kind == LOCAL and v.x < nparams and isinstance(frame.local_locs[v.x], Mem):
                copy_mem(self.asm, frame.position_mem(base + j), frame.local_mems[v.x], v.ty)
                staged = (staged or set()) | {j}
        slot = 0
        for j, v in enumerate(vals):
            dst = Mem(RBP, disp=16 + 8 * slot)
            if staged and j in staged:
                copy_mem(self.asm, dst, frame.position_mem(base + j), v.ty)
            else:
                self.emit_store_val(dst, v)
            slot += 2 if v.ty == V128 else 1

    def emit_return(self) -> None:
        self.emit_return_moves()
        a = self.asm
        for reg, mem in self.callee_saved:
            a.mov(reg, mem, 64)
        a.code += _LEAVE_RET

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

    @lowers("block")
    def op_block(self, bt, _b) -> None:
        self.enter(BLOCK, bt)

    @lowers("loop")
    def op_loop(self, bt, _b) -> None:
        c = self.enter(LOOP, bt)
        self.asm.bind(c.label)
        self.emit_budget_checks()

    def emit_budget_checks(self) -> None:
        """At function entries and loop headers: one compare of the vmctx's interrupt hint (set by
        ``Instance.interrupt()`` or a deadline; see ``emit_interrupt_slow_paths``) and, when compiled
        with fuel, one unit of fuel."""
        asm = self.asm
        slow, back = Label(), Label()
        asm.splice(_HINT_CHECK, slow)
        asm.bind(back)
        self.interrupt_slow_paths.append((slow, back, self.pos))
        if self.mc.fuel:
            asm.sub(Mem(VMCTX, disp=V.VMCTX_FUEL), 1, 64)
            self.trap_if(Cond.S, "out of fuel")

    def emit_interrupt_slow_paths(self) -> None:
        """Out of line, after the function: where a set interrupt hint leads. An instance alone (its
        group block inline in the vmctx) has the flag itself as the hint: trap. A group member
        clears its hint, then (after a barrier, so that an interrupt() racing with the clear is seen
        either in the flag or in a hint set again) traps if the group's flag is set, else goes back."""
        asm = self.asm
        interrupted = V.TRAP_CODE["interrupted"]
        for slow, back, pos in self.interrupt_slow_paths:
            trap = Label()
            self.trap_sites.append((trap, interrupted, pos))
            asm.bind(slow)
            asm.splice(_INTERRUPT_SLOW_PATH, trap)
            asm.jmp(back)

    @lowers("if")
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
                self.flags_test_zero(r, 32)
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
        return COND_NEGATED[cond]

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

    @lowers("else")
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

    @lowers("end")
    def op_end(self, _a, _b) -> None:
        c = self.ctrls.pop()
        if c.eh is not None:
            self.eh_leave(c)
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

    @lowers("br")
    def op_br(self, depth, _b) -> None:
        self.branch_to(depth)
        self.set_unreachable()

    @lowers("br_if")
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
                self.flags_test_zero(r, 32)
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

    @lowers("br_table")
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
        a.lea(SCRATCH, table)
        a.movsx(r, Mem(SCRATCH, r, 4, 0), 32, 64)
        a.add(r, SCRATCH, 64)
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

    @lowers("return")
    def op_return(self, _a, _b) -> None:
        self.emit_return()
        self.set_unreachable()

    @lowers("unreachable")
    def op_unreachable(self, _a, _b) -> None:
        self.call_trap_inline(V.TRAP_CODE["unreachable"], self.pos)
        self.set_unreachable()

    @lowers("nop")
    def op_nop(self, _a, _b) -> None:
        pass

    @lowers("drop")
    def op_drop(self, _a, _b) -> None:
        self.release(self.pop())

    @lowers(OP_SELECT, OP_SELECT_T)
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
