"""Seeded generator of random *valid* Wasm modules for differential testing.

``generate(seed)`` always returns the same module for the same seed (``random.Random(seed)`` only,
no global state). Every module terminates: loops count down a private counter that is decremented
at the loop head (so branches back to a loop from anywhere are safe), and every function starts by
decrementing the exported mutable global ``budget`` and returns default values once it is zero,
which bounds calls, recursion and call_indirect cycles. The harness resets ``budget`` before each
call.

Floats: in "canon" modules (most) every instruction whose NaN result the spec leaves
nondeterministic is followed by ``x == x ? x : canonical NaN``, so every observable bit is
deterministic and results compare bit for bit. In "raw" modules NaNs flow freely but instructions
that would expose NaN bits to integers or memory (reinterpret, float stores, copysign) are not
generated; float results there compare NaN == NaN by class.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .encoding import (
    CONST,
    EXPORT_FUNC,
    EXPORT_GLOBAL,
    EXPORT_MEMORY,
    F32,
    F64,
    I32,
    I64,
    NUM_TYPES,
    V128,
    FuncSig,
    FuncSpec,
    GlobalSpec,
    ModuleSpec,
    sleb,
    uleb,
)
from .ops import LEAK, LOADS_BY_TYPE, NAN, NUM_OPS, SIMD_OPS, STORES, TRAP, MemOp, NumOp
from .values import f32_bits, f64_bits, random_bits

CANON_NAN = {F32: 0x7FC00000, F64: 0x7FF8000000000000}
EQ = {F32: b"\x5b", F64: b"\x61"}
# v128 float shapes: (canonical NaN in every lane, lane-wise eq, v128.bitselect)
V128_CANON = {"f32x4": (int.from_bytes(bytes.fromhex("0000c07f") * 4, "little"), b"\xfd\x41"),
              "f64x2": (int.from_bytes(bytes.fromhex("000000000000f87f") * 2, "little"), b"\xfd\x47")}
BITSELECT = b"\xfd\x52"
# constant divisors the compiler lowers without div: ±1, powers of two and neighbours, INT_MIN/MAX, odd
# magic-number divisors (0 traps; -1 overflows on INT_MIN)
EDGE_DIVISORS = {t: [x % (1 << n) for x in (0, 1, -1, 2, -2, 3, 7, -7, 10, 641, 65521, 1 << 16, (1 << 16) + 1,
                                            (1 << (n - 1)) - 1, 1 << (n - 1), -3, 1000000007, (1 << 32) - 1)]
                 for t, n in ((I32, 32), (I64, 64))}
# scaled-index address arithmetic, base + (index << k) +/- c (one lea in the compiler): opcodes
# (shl, add, sub), bases and displacements near the wrap-around, shift counts including masked ones
SCALED_OPS = {I32: (b"\x74", b"\x6a", b"\x6b"), I64: (b"\x86", b"\x7c", b"\x7d")}
SCALED_BASES = {t: [x % (1 << n) for x in (0, 8, 0xE80, 0xFFF0, (1 << 31) - 8, 1 << 31, (1 << 32) - 16, -4,
                                           (1 << (n - 1)) - 8, -(1 << (n - 1)))]
                for t, n in ((I32, 32), (I64, 64))}
SCALED_SHIFTS = {I32: (0, 1, 2, 3, 3, 4, 33, 35), I64: (0, 1, 2, 3, 3, 4, 65, 67)}
SCALED_DISPS = (4, 8, 16, 0xE80, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 32)
TEST_MASKS = {I32: (1, 0x80, 0xFFFF, 0x80000000, 0xFFFFFFFF),
              I64: (1, 0x80000000, 0xFFFFFFFF, 1 << 32, 1 << 63, (1 << 64) - 1)}
COMPARES = [op for op in NUM_OPS if op.result == I32 and len(op.params) == 2 and op.params[0] == op.params[1]
            and op.name.split(".")[1] in ("eq", "ne", "lt", "gt", "le", "ge", "lt_s", "lt_u", "gt_s", "gt_u",
                                          "le_s", "le_u", "ge_s", "ge_u")]
# i32.add, sub, mul, and, or, xor: results a branch may test through the flags they set
FLAG_SETTING_BINOPS = (b"\x6a", b"\x6b", b"\x6c", b"\x71", b"\x72", b"\x73")
BUDGET_EXPORT = "budget"
BUDGET_CALLS = 48
MEMORY_EXPORT = "mem"


@dataclass
class GenConfig:
    """Size knobs of generated modules."""

    max_funcs: int = 6
    max_params: int = 4
    max_results: int = 3
    max_depth: int = 4
    max_steps: int = 5            # statements/operations per body
    max_instrs: int = 350         # per function; beyond it only leaves are generated
    max_loop_nesting: int = 2
    canon_probability: float = 0.75
    simd_probability: float = 0.5   # of the canonicalizing modules


@dataclass(frozen=True)
class ExportedFunc:
    name: str
    func_index: int
    sig: FuncSig


@dataclass
class GeneratedModule:
    """A generated module: its spec (plain data), exported functions and how to compare floats."""

    seed: int | str
    spec: ModuleSpec
    funcs: list[ExportedFunc]
    canon: bool
    global_exports: list[tuple[str, int]] = field(default_factory=list)   # (name, valtype)

    def encode(self) -> bytes:
        return self.spec.encode()


@dataclass
class _Label:
    types: tuple[int, ...]
    is_loop: bool = False


def _memarg(align: int, offset: int) -> bytes:
    return uleb(align) + uleb(offset)


class _ModuleGen:
    def __init__(self, rng: random.Random, cfg: GenConfig) -> None:
        self.rng = rng
        self.cfg = cfg
        self.spec = ModuleSpec()
        self.canon = rng.random() < cfg.canon_probability
        # SIMD only where NaNs are canonicalized: a vector's lanes can be read back as integers
        self.simd = self.canon and rng.random() < cfg.simd_probability
        self.value_types = NUM_TYPES + (V128,) if self.simd else NUM_TYPES
        self.sigs: list[FuncSig] = []
        self.globals: list[GlobalSpec] = []
        self.mem_pages: int | None = None
        self.table_size = 0
        self.table_slots: list[int | None] = []

    def random_sig(self) -> FuncSig:
        r = self.rng
        params = tuple(r.choice(NUM_TYPES) for _ in range(r.randint(0, self.cfg.max_params)))
        n_res = r.choices((0, 1, 2, 3), (2, 6, 2, 1))[0]
        results = tuple(r.choice(NUM_TYPES) for _ in range(min(n_res, self.cfg.max_results)))
        return FuncSig(params, results)

    def build(self) -> tuple[ModuleSpec, list[ExportedFunc], list[tuple[str, int]]]:
        r, spec = self.rng, self.spec
        pool = [self.random_sig() for _ in range(r.randint(1, 4))]
        n_funcs = r.randint(1, self.cfg.max_funcs)
        self.sigs = [r.choice(pool) for _ in range(n_funcs)]
        # globals: budget first, then mutable and immutable ones of every type
        self.globals.append(GlobalSpec(I32, True, BUDGET_CALLS))
        for t in NUM_TYPES:
            for _ in range(r.randint(0, 2)):
                self.globals.append(GlobalSpec(t, r.random() < 0.8, random_bits(r, t)))
        spec.globals = self.globals
        if r.random() < 0.92:
            lo = r.choices((0, 1, 2), (1, 16, 6))[0]
            self.mem_pages = lo
            spec.memory = (lo, lo + r.randint(0, 2))
            for _ in range(r.randint(0, 3)):
                if lo:
                    n = r.randint(1, 24)
                    off = r.choice((0, r.randint(0, lo * 65536 - n), lo * 65536 - n))
                    spec.datas.append((off, bytes(r.getrandbits(8) for _ in range(n))))
        if r.random() < 0.8:
            self.table_size = r.randint(1, 8)
            self.table_slots = [None] * self.table_size
            spec.table_size = self.table_size
            slot = 0
            while slot < self.table_size:
                if r.random() < 0.3:
                    slot += 1     # a null entry
                    continue
                n = r.randint(1, self.table_size - slot)
                funcs = [r.randrange(n_funcs) for _ in range(n)]
                spec.elems.append((slot, funcs))
                self.table_slots[slot:slot + n] = funcs
                slot += n + 1
        for i, sig in enumerate(self.sigs):
            type_index = spec.type_index(sig)
            body, extra_locals = _FuncGen(self, sig).generate()
            spec.funcs.append(FuncSpec(type_index, extra_locals, body))
            del i
        exports = [ExportedFunc(f"f{i}", i, sig) for i, sig in enumerate(self.sigs)]
        spec.exports = [(e.name, EXPORT_FUNC, e.func_index) for e in exports]
        gexports = [(BUDGET_EXPORT, I32)]
        spec.exports.append((BUDGET_EXPORT, EXPORT_GLOBAL, 0))
        for gi, g in enumerate(self.globals[1:], start=1):
            spec.exports.append((f"g{gi}", EXPORT_GLOBAL, gi))
            gexports.append((f"g{gi}", g.valtype))
        if spec.memory is not None:
            spec.exports.append((MEMORY_EXPORT, EXPORT_MEMORY, 0))
        return spec, exports, gexports


class _FuncGen:
    """Generates one function body; every method keeps the code valid by construction."""

    def __init__(self, mg: _ModuleGen, sig: FuncSig) -> None:
        self.mg = mg
        self.rng = mg.rng
        self.cfg = mg.cfg
        self.sig = sig
        self.local_types: list[int] = list(sig.params)
        self.n_params = len(sig.params)
        self.types = mg.value_types
        self.pool: dict[int, list[int]] = {t: [] for t in self.types}
        for i, t in enumerate(sig.params):
            self.pool[t].append(i)
        for _ in range(self.rng.randint(0, 10)):
            self.pool_local(self.rng.choice(self.types))
        self.scratch: dict[int, int] = {}
        self.code: list[bytes] = []
        self.labels: list[_Label] = [_Label(sig.results)]
        self.loop_nesting = 0

    # -- bookkeeping ---------------------------------------------------------------------------------
    def new_local(self, t: int) -> int:
        self.local_types.append(t)
        return len(self.local_types) - 1

    def pool_local(self, t: int) -> int:
        idx = self.new_local(t)
        self.pool[t].append(idx)
        return idx

    def any_local(self, t: int) -> int:
        if not self.pool[t]:
            return self.pool_local(t)
        return self.rng.choice(self.pool[t])

    def emit(self, *chunks: bytes) -> None:
        self.code.extend(chunks)

    def full(self) -> bool:
        return len(self.code) >= self.cfg.max_instrs

    def blocktype(self, params: tuple[int, ...], results: tuple[int, ...]) -> bytes:
        if not params and not results:
            return b"\x40"
        if not params and len(results) == 1:
            return bytes(results)
        return sleb(self.mg.spec.type_index(FuncSig(params, results)))

    def depth_of(self, label_pos: int) -> int:
        return len(self.labels) - 1 - label_pos

    # -- whole function ------------------------------------------------------------------------------
    def generate(self) -> tuple[list[bytes], list[int]]:
        # Call budget: return default values once the exported budget global reaches zero.
        self.emit(b"\x23\x00", b"\x45", b"\x04\x40")
        self.labels.append(_Label(()))
        for t in self.sig.results:
            self.emit(CONST[t](0))
        self.emit(b"\x0f", b"\x0b")
        self.labels.pop()
        self.emit(b"\x23\x00", CONST[I32](1), b"\x6b", b"\x24\x00")
        steps = self.rng.randint(1, self.cfg.max_steps + 3)
        self.gen_body((), self.sig.results, self.cfg.max_depth, steps=steps)
        return self.code, self.local_types[self.n_params:]

    # -- sequences -----------------------------------------------------------------------------------
    def fit(self, stack: list[int], target: tuple[int, ...], depth: int) -> None:
        """Turn the values ``stack`` (types, on the operand stack) into exactly ``target``."""
        while stack and (len(stack) > len(target) or tuple(stack) != target[:len(stack)]):
            t = stack.pop()
            if self.rng.random() < 0.3:
                self.emit(b"\x21" + uleb(self.any_local(t)))
            else:
                self.emit(b"\x1a")
        for t in target[len(stack):]:
            self.gen_expr(t, depth)
            stack.append(t)

    def gen_body(self, ins: tuple[int, ...], outs: tuple[int, ...], depth: int,
                 steps: int | None = None) -> None:
        """Code that consumes ``ins`` (already on the stack) and leaves ``outs``; may end in a branch."""
        r = self.rng
        stack = list(ins)
        if steps is None:
            steps = r.randint(0, self.cfg.max_steps)
        for _ in range(steps):
            if self.full():
                break
            x = r.random()
            if x < 0.3 and stack:
                self.apply_op(stack, depth)
            elif x < 0.55:
                t = r.choice(self.types)
                self.gen_expr(t, depth)
                stack.append(t)
            else:
                self.gen_stmt(depth)
        if depth > 0 and r.random() < 0.12:
            self.gen_terminator(stack, depth)
            return
        self.fit(stack, outs, depth)

    def apply_op(self, stack: list[int], depth: int) -> None:
        r = self.rng
        t = stack[-1]
        choices = [op for op in self.num_ops() if op.params[-1] == t and
                   tuple(stack[-len(op.params):]) == op.params and len(stack) >= len(op.params)]
        x = r.random()
        if choices and x < 0.7:
            op = r.choice(choices)
            del stack[-len(op.params):]
            self.emit_numop(op)
            stack.append(op.result)
        elif x < 0.85:
            self.emit(b"\x22" + uleb(self.any_local(t)))
        elif x < 0.93:
            stack.pop()
            self.emit(b"\x1a")
        else:
            self.gen_expr(t, depth - 1)
            self.gen_expr(I32, depth - 1)
            stack.pop()
            self.emit(b"\x1b" if r.random() < 0.5 else b"\x1c\x01" + bytes([t]))
            stack.append(t)

    def gen_terminator(self, stack: list[int], depth: int) -> None:
        r = self.rng
        x = r.random()
        if x < 0.45:
            pos = r.randrange(len(self.labels))
            self.fit(stack, self.labels[pos].types, depth - 1)
            self.emit(b"\x0c" + uleb(self.depth_of(pos)))
        elif x < 0.8:
            pos = r.randrange(len(self.labels))
            types = self.labels[pos].types
            same = [i for i, lab in enumerate(self.labels) if lab.types == types]
            targets = [r.choice(same) for _ in range(r.randint(0, 5))]
            default = r.choice(same)
            self.fit(stack, types, depth - 1)
            self.gen_index(len(targets) + 2, depth - 1)
            self.emit(b"\x0e" + uleb(len(targets)) + b"".join(uleb(self.depth_of(p)) for p in targets)
                      + uleb(self.depth_of(default)))
        elif x < 0.95:
            self.fit(stack, self.sig.results, depth - 1)
            self.emit(b"\x0f")
        else:
            self.emit(b"\x00")

    def gen_index(self, n: int, depth: int) -> None:
        """An i32 that is mostly a small index below ``n`` (sometimes anything)."""
        r = self.rng
        x = r.random()
        if x < 0.8:
            self.emit(CONST[I32](r.randrange(n)))
        elif x < 0.9:
            self.emit(CONST[I32](r.choice((n, n + 1, 0xFFFFFFFF))))
        else:
            self.gen_expr(I32, depth)
            if r.random() < 0.7:
                self.emit(CONST[I32](7), b"\x71")

    # -- statements (net stack effect zero) ----------------------------------------------------------
    def gen_stmt(self, depth: int) -> None:
        if self.full() or depth <= 0:
            t = self.rng.choice(self.types)
            self.gen_expr(t, 0)
            self.emit(b"\x21" + uleb(self.any_local(t)))
            return
        stmt = self.rng.choices(_STMTS, _STMT_WEIGHTS)[0]
        stmt(self, depth)

    def st_local_set(self, depth: int) -> None:
        t = self.rng.choice(self.types)
        self.gen_expr(t, depth - 1)
        self.emit(b"\x21" + uleb(self.any_local(t)))

    def st_global_set(self, depth: int) -> None:
        muts = [i for i, g in enumerate(self.mg.globals) if g.mutable and i > 0]
        if not muts:
            return self.st_local_set(depth)
        gi = self.rng.choice(muts)
        self.gen_expr(self.mg.globals[gi].valtype, depth - 1)
        self.emit(b"\x24" + uleb(gi))

    def st_store(self, depth: int) -> None:
        if self.mg.mem_pages is None:
            return self.st_local_set(depth)
        stores = STORES if self.mg.canon else [m for m in STORES if m.valtype in (I32, I64)]
        op = self.rng.choice(stores)
        align, offset = self.memarg(op)
        self.gen_address(op, depth - 1, offset)
        self.gen_expr(op.valtype, depth - 1)
        self.emit(bytes([op.code]) + _memarg(align, offset))

    def st_drop(self, depth: int) -> None:
        self.gen_expr(self.rng.choice(self.types), depth - 1)
        self.emit(b"\x1a")

    def st_block(self, depth: int) -> None:
        r = self.rng
        kind = r.choices(("block", "if", "loop"), (3, 3, 2))[0]
        params = tuple(r.choice(self.types) for _ in range(r.choices((0, 1, 2), (6, 3, 1))[0]))
        results = tuple(r.choice(self.types) for _ in range(r.choices((0, 1, 2), (5, 3, 1))[0]))
        for t in params:
            self.gen_expr(t, depth - 1)
        self.gen_structured(kind, params, results, depth - 1)
        for t in reversed(results):
            self.emit(b"\x1a" if r.random() < 0.5 else b"\x21" + uleb(self.any_local(t)))

    def st_call(self, depth: int) -> None:
        f = self.rng.randrange(len(self.mg.sigs))
        sig = self.mg.sigs[f]
        for t in sig.params:
            self.gen_expr(t, depth - 1)
        self.emit(b"\x10" + uleb(f))
        for _t in reversed(sig.results):
            self.emit(b"\x1a")

    def st_call_indirect(self, depth: int) -> None:
        if not self.mg.table_size:
            return self.st_call(depth)
        sig = self.rng.choice(self.mg.sigs) if self.rng.random() < 0.95 else self.mg.random_sig()
        for t in sig.params:
            self.gen_expr(t, depth - 1)
        self.gen_table_index(sig, depth - 1)
        self.emit(b"\x11" + uleb(self.mg.spec.type_index(sig)) + b"\x00")
        for _t in reversed(sig.results):
            self.emit(b"\x1a")

    def st_br_if(self, depth: int) -> None:
        pos = self.rng.randrange(len(self.labels))
        types = self.labels[pos].types
        for t in types:
            self.gen_expr(t, depth - 1)
        self.gen_cond(depth - 1)
        self.emit(b"\x0d" + uleb(self.depth_of(pos)))
        for _t in types:
            self.emit(b"\x1a")

    def st_trap_if(self, depth: int) -> None:
        self.gen_cond(depth - 1)
        self.emit(b"\x45")     # eqz: mostly false
        self.emit(b"\x04\x40", b"\x00", b"\x0b")

    def st_nop(self, depth: int) -> None:
        self.emit(b"\x01")

    def st_bulk(self, depth: int) -> None:
        if self.mg.mem_pages is None:
            return self.st_local_set(depth)
        r = self.rng
        self.gen_address(None, depth - 1)
        if r.random() < 0.5:
            self.gen_expr(I32, depth - 1)             # fill value
            self.emit(CONST[I32](r.choice((0, 1, 7, 32, 100, 65536, 0xFFFFFFFF))))
            self.emit(b"\xfc\x0b\x00")
        else:
            self.gen_address(None, depth - 1)
            self.emit(CONST[I32](r.choice((0, 1, 3, 8, 33, 256, 65536))))
            self.emit(b"\xfc\x0a\x00\x00")

    def st_memory_grow(self, depth: int) -> None:
        if self.mg.mem_pages is None:
            return self.st_local_set(depth)
        self.emit(CONST[I32](self.rng.choice((0, 1, 1, 2, 5, 0xFFFFFFFF))), b"\x40\x00", b"\x1a")

    # -- structured control --------------------------------------------------------------------------
    def gen_structured(self, kind: str, params: tuple[int, ...], results: tuple[int, ...],
                       depth: int) -> None:
        """block / if / loop of type params -> results; the params are already on the stack."""
        r = self.rng
        if kind == "loop" and self.loop_nesting >= self.cfg.max_loop_nesting:
            kind = "block"
        bt = self.blocktype(params, results)
        if kind == "block":
            self.emit(b"\x02" + bt)
            self.labels.append(_Label(results))
            self.gen_body(params, results, depth)
            self.labels.pop()
            self.emit(b"\x0b")
        elif kind == "if":
            self.gen_cond(depth)
            self.emit(b"\x04" + bt)
            self.labels.append(_Label(results))
            self.gen_body(params, results, depth)
            if params != results or r.random() < 0.7:
                self.emit(b"\x05")
                self.gen_body(params, results, depth)
            self.labels.pop()
            self.emit(b"\x0b")
        else:
            self.gen_loop(params, results, depth, bt)

    def gen_loop(self, params: tuple[int, ...], results: tuple[int, ...], depth: int, bt: bytes) -> None:
        r = self.rng
        counter = self.new_local(I32)
        self.emit(CONST[I32](r.randint(1, 4)), b"\x21" + uleb(counter))
        self.emit(b"\x02" + bt)
        self.labels.append(_Label(results))
        self.emit(b"\x03" + bt)
        self.labels.append(_Label(params, is_loop=True))
        self.loop_nesting += 1
        # head: leave through the block once the counter is exhausted, else count down
        self.emit(b"\x20" + uleb(counter), b"\x45", b"\x04\x40")
        self.labels.append(_Label(()))
        for t in results:
            self.gen_expr(t, 0)
        self.emit(b"\x0c\x02", b"\x0b")
        self.labels.pop()
        self.emit(b"\x20" + uleb(counter), CONST[I32](1), b"\x6b", b"\x21" + uleb(counter))
        x = r.random()
        if x < 0.45:
            self.gen_body(params, params, depth)
            self.emit(b"\x0c\x00")
        elif x < 0.75:
            self.gen_body(params, params, depth)
            self.gen_cond(depth)
            self.emit(b"\x0d\x00")
            self.gen_body(params, results, depth)
        else:
            self.gen_body(params, results, depth)
        self.loop_nesting -= 1
        self.labels.pop()
        self.emit(b"\x0b")
        self.labels.pop()
        self.emit(b"\x0b")

    # -- expressions (push exactly one value) --------------------------------------------------------
    def num_ops(self) -> list[NumOp]:
        return _OPS[self.mg.canon, self.mg.simd]

    def emit_numop(self, op: NumOp) -> None:
        self.emit(op.code)
        if op.flags & NAN and self.mg.canon:
            t = op.result
            s = self.scratch.get(t)
            if s is None:
                s = self.scratch[t] = self.new_local(t)
            if t == V128:        # NaN lanes -> the canonical NaN: bitselect(x, canon, x == x)
                canon, eq = V128_CANON[op.name[:5]]
                self.emit(b"\x22" + uleb(s), CONST[V128](canon), b"\x20" + uleb(s), b"\x20" + uleb(s), eq,
                          BITSELECT)
                return
            self.emit(b"\x22" + uleb(s), CONST[t](CANON_NAN[t]), b"\x20" + uleb(s), b"\x20" + uleb(s), EQ[t],
                      b"\x1b")

    def gen_cond(self, depth: int) -> None:
        if depth > 0 and not self.full() and self.rng.random() < 0.3:
            # a comparison (floats too: NaN operands) under 0-2 i32.eqz: fused compare-and-branch
            op = self.rng.choice(COMPARES)
            for p in op.params:
                self.gen_expr(p, depth - 1)
            self.emit(op.code, b"\x45" * self.rng.choice((0, 1, 1, 2)))
            return
        if depth > 0 and not self.full() and self.rng.random() < 0.15:
            # a bit test (and + test fusion): x & mask, as i32, or as i64 under i64.eqz
            t = self.rng.choice((I32, I32, I64))
            self.gen_expr(t, depth - 1)
            if self.rng.random() < 0.6:
                self.emit(CONST[t](self.rng.choice(TEST_MASKS[t])))
            else:
                self.gen_expr(t, depth - 1)
            if t == I32:
                self.emit(b"\x71", b"\x45" * self.rng.choice((0, 1, 2)))      # i32.and, 0-2 i32.eqz
            else:
                self.emit(b"\x83\x50", b"\x45" * self.rng.choice((0, 1)))   # i64.and, i64.eqz
            return
        if depth > 0 and not self.full() and self.rng.random() < 0.15:
            # an ALU result tested right away, maybe through local.tee, under 0-1 i32.eqz: the
            # branch reuses the flags of add/sub/and/or/xor (not imul's)
            self.gen_expr(I32, depth - 1)
            if self.rng.random() < 0.5:
                self.emit(CONST[I32](self.rng.choice((1, -1, 3))))
            else:
                self.gen_expr(I32, depth - 1)
            self.emit(self.rng.choice(FLAG_SETTING_BINOPS))
            if self.rng.random() < 0.5:
                self.emit(b"\x22" + uleb(self.any_local(I32)))
            self.emit(b"\x45" * self.rng.choice((0, 0, 1)))
            return
        self.gen_expr(I32, depth)

    def gen_leaf(self, t: int) -> None:
        r = self.rng
        x = r.random()
        if x < 0.45:
            self.emit(CONST[t](random_bits(r, t)))
        elif x < 0.85 or not any(g.valtype == t for g in self.mg.globals):
            self.emit(b"\x20" + uleb(self.any_local(t)))
        else:
            gi = r.choice([i for i, g in enumerate(self.mg.globals) if g.valtype == t])
            self.emit(b"\x23" + uleb(gi))

    def gen_expr(self, t: int, depth: int) -> None:
        if depth <= 0 or self.full():
            return self.gen_leaf(t)
        kinds, weights = _EXPRS[t]
        self.rng.choices(kinds, weights)[0](self, t, depth)

    def ex_leaf(self, t: int, depth: int) -> None:
        self.gen_leaf(t)

    def ex_numop(self, t: int, depth: int) -> None:
        ops, weights = _PRODUCERS[self.mg.canon, self.mg.simd][t]
        op = self.rng.choices(ops, weights)[0]
        if t in (I32, I64) and self.rng.random() < 0.06:
            return self.gen_scaled_add(t, depth)
        if op.flags & TRAP and op.params[0] in (I32, I64) and self.rng.random() < 0.3:
            # division by a constant edge divisor (shift, mask and multiply-high lowerings)
            self.gen_expr(op.params[0], depth - 1)
            self.emit(CONST[op.params[0]](self.rng.choice(EDGE_DIVISORS[op.params[0]])))
            return self.emit_numop(op)
        for p in op.params:
            self.gen_expr(p, depth - 1)
        if op.flags & TRAP and op.params[0] in (I32, I64) and self.rng.random() < 0.85:
            self.emit(CONST[op.params[0]](1), b"\x72" if op.params[0] == I32 else b"\x84")   # divisor | 1
        self.emit_numop(op)

    def gen_scaled_add(self, t: int, depth: int) -> None:
        """``base + (index << k)`` in the operand orders the compiler fuses into one lea (base below
        on the stack, pushed after the shift, or a local.get just before the add), sometimes followed
        by ``+/- const``; bases and displacements near 2^31/2^32 make the sum wrap."""
        r = self.rng
        shl, add, sub = SCALED_OPS[t]
        k = CONST[t](r.choice(SCALED_SHIFTS[t]))

        def base() -> None:
            if r.random() < 0.35:
                self.emit(CONST[t](r.choice(SCALED_BASES[t])))
            else:
                self.gen_expr(t, depth - 1)

        order = r.randrange(3)
        if order == 0:
            base()
            self.gen_expr(t, depth - 1)
            self.emit(k, shl, add)
        else:
            self.gen_expr(t, depth - 1)
            self.emit(k, shl)
            if order == 1:
                base()
            else:
                self.emit(b"\x20" + uleb(self.any_local(t)))
            self.emit(add)
        if r.random() < 0.5:
            self.emit(CONST[t](r.choice(SCALED_DISPS)), r.choice((add, sub)))

    def ex_load(self, t: int, depth: int) -> None:
        if self.mg.mem_pages is None:
            return self.ex_numop(t, depth)
        op = self.rng.choice(LOADS_BY_TYPE[t])
        align, offset = self.memarg(op)
        self.gen_address(op, depth - 1, offset)
        self.emit(bytes([op.code]) + _memarg(align, offset))

    def ex_select(self, t: int, depth: int) -> None:
        self.gen_expr(t, depth - 1)
        self.gen_expr(t, depth - 1)
        self.gen_cond(depth - 1)
        self.emit(b"\x1b" if self.rng.random() < 0.5 else b"\x1c\x01" + bytes([t]))

    def ex_tee(self, t: int, depth: int) -> None:
        self.gen_expr(t, depth - 1)
        self.emit(b"\x22" + uleb(self.any_local(t)))

    def ex_via_local(self, t: int, depth: int) -> None:
        """The shape of -O0 code: a value (often a constant) stored to a local and read back, right
        away or after a few statements that may write the local again or open blocks and loops (the
        compiler folds set+get into tee and forwards constants within straight-line code)."""
        r = self.rng
        if t != V128 and r.random() < 0.5:
            self.emit(CONST[t](random_bits(r, t)))
        else:
            self.gen_expr(t, depth - 1)
        idx = self.any_local(t) if r.random() < 0.5 else self.pool_local(t)
        self.emit(b"\x21" + uleb(idx))
        for _ in range(r.choice((0, 0, 1, 2))):
            self.gen_stmt(depth - 1)
        self.emit(b"\x20" + uleb(idx))

    def _drop_extra_results(self, results: tuple[int, ...]) -> None:
        for rt in reversed(results[1:]):
            self.emit(b"\x21" + uleb(self.any_local(rt)))

    def ex_call(self, t: int, depth: int) -> None:
        cands = [f for f, s in enumerate(self.mg.sigs) if s.results[:1] == (t,)]
        if not cands:
            return self.ex_numop(t, depth)
        f = self.rng.choice(cands)
        sig = self.mg.sigs[f]
        for p in sig.params:
            self.gen_expr(p, depth - 1)
        self.emit(b"\x10" + uleb(f))
        self._drop_extra_results(sig.results)

    def ex_call_indirect(self, t: int, depth: int) -> None:
        cands = [s for s in self.mg.sigs if s.results[:1] == (t,)]
        if not cands or not self.mg.table_size:
            return self.ex_numop(t, depth)
        sig = self.rng.choice(cands)
        if self.rng.random() < 0.05:
            sig = FuncSig(sig.params[:-1] if sig.params else (I64,), sig.results)   # likely a wrong type
        for p in sig.params:
            self.gen_expr(p, depth - 1)
        self.gen_table_index(sig, depth - 1)
        self.emit(b"\x11" + uleb(self.mg.spec.type_index(sig)) + b"\x00")
        self._drop_extra_results(sig.results)

    def gen_table_index(self, sig: FuncSig, depth: int) -> None:
        """Mostly a slot holding a function of type ``sig``; otherwise any index (null, wrong type, OOB)."""
        slots = [i for i, f in enumerate(self.mg.table_slots) if f is not None and self.mg.sigs[f] == sig]
        if slots and self.rng.random() < 0.85:
            self.emit(CONST[I32](self.rng.choice(slots)))
        else:
            self.gen_index(self.mg.table_size, depth)

    def ex_block(self, t: int, depth: int) -> None:
        r = self.rng
        params = tuple(r.choice(self.types) for _ in range(r.choices((0, 1, 2), (5, 3, 2))[0]))
        results = (t,) + tuple(r.choice(self.types) for _ in range(r.choices((0, 1, 2), (6, 2, 1))[0]))
        for p in params:
            self.gen_expr(p, depth - 1)
        self.gen_structured(r.choices(("block", "if", "loop"), (3, 3, 2))[0], params, results, depth - 1)
        self._drop_extra_results(results)

    def ex_br_if(self, t: int, depth: int) -> None:
        cands = [i for i, lab in enumerate(self.labels) if lab.types == (t,)]
        if not cands:
            return self.ex_numop(t, depth)
        self.gen_expr(t, depth - 1)
        self.gen_cond(depth - 1)
        self.emit(b"\x0d" + uleb(self.depth_of(self.rng.choice(cands))))

    def ex_memory(self, t: int, depth: int) -> None:
        if self.mg.mem_pages is None:
            return self.ex_numop(t, depth)
        if self.rng.random() < 0.6:
            self.emit(b"\x3f\x00")
        else:
            self.emit(CONST[I32](self.rng.choice((0, 1, 2, 3, 0x10000, 0xFFFFFFFF))), b"\x40\x00")

    # -- memory helpers ------------------------------------------------------------------------------
    def memarg(self, op: MemOp) -> tuple[int, int]:
        """(alignment exponent, offset) of an access."""
        r = self.rng
        natural = op.size.bit_length() - 1
        offset = r.choices((0, r.randint(1, 16), r.choice((0xFFF0, 0xFFFF, 0x10000, 0x1FFF8, 0xFFFFFFFF))),
                           (30, 12, 1))[0]
        return r.randint(0, natural), offset

    def gen_address(self, op: MemOp | None, depth: int, offset: int = 0) -> None:
        """An i32 address: small, near the (current or initial) end of memory, or computed."""
        r = self.rng
        size = (op.size if op else 8) + (offset if offset < 0x100 else 0)
        x = r.random()
        pages = self.mg.mem_pages or 0
        if x < 0.35:
            self.emit(CONST[I32](r.randint(0, 64)))
        elif x < 0.55:
            self.emit(CONST[I32](pages * 65536 - self.end_distance(size)))
        elif x < 0.7:
            self.emit(b"\x3f\x00", CONST[I32](16), b"\x74", CONST[I32](self.end_distance(size)), b"\x6b")
        elif x < 0.8:
            self.gen_scaled_add(I32, depth)
            if r.random() < 0.5:
                self.emit(CONST[I32](r.choice((0xFFF8, 0x1FFFF))), b"\x71")
        else:
            self.gen_expr(I32, depth)
            if r.random() < 0.97:
                mask = r.choice((0xFF, 0xFFF, 0x7FFF, 0xFFF0, 0xFFF8, 0x1FFFF))
                if pages > 1 and r.random() < 0.5:
                    mask &= pages * 65536 - 8
                self.emit(CONST[I32](mask), b"\x71")

    def end_distance(self, size: int) -> int:
        """How far below the end of memory an access starts: mostly in bounds, sometimes straddling."""
        r = self.rng
        return r.randint(size, size + 24) if r.random() < 0.9 else r.randint(-2, size - 1)


_STMTS: list[Callable[[_FuncGen, int], None]] = [
    _FuncGen.st_local_set, _FuncGen.st_global_set, _FuncGen.st_store, _FuncGen.st_drop, _FuncGen.st_block,
    _FuncGen.st_call, _FuncGen.st_call_indirect, _FuncGen.st_br_if, _FuncGen.st_trap_if, _FuncGen.st_nop,
    _FuncGen.st_bulk, _FuncGen.st_memory_grow,
]
_STMT_WEIGHTS = [6, 4, 6, 2, 7, 2, 2, 2, 0.4, 0.5, 0.7, 0.5]

_CANON_OPS = list(NUM_OPS)
_RAW_OPS = [op for op in NUM_OPS if not op.flags & LEAK]
# (canon, simd) -> the operations a module may use
_OPS = {(True, False): _CANON_OPS, (False, False): _RAW_OPS, (True, True): _CANON_OPS + SIMD_OPS}
_PRODUCERS = {key: {t: ([op for op in ops if op.result == t],
                        [0.1 if op.flags & TRAP and op.params[0] in (F32, F64) else 1.0
                         for op in ops if op.result == t])
                    for t in (*NUM_TYPES, V128)}
              for key, ops in _OPS.items()}

_EXPR_TABLE: list[tuple[Callable[[_FuncGen, int, int], None], float, float]] = [
    # (method, weight for i32/i64, weight for f32/f64)
    (_FuncGen.ex_leaf, 3, 3), (_FuncGen.ex_numop, 10, 10), (_FuncGen.ex_load, 2, 2),
    (_FuncGen.ex_select, 1, 1), (_FuncGen.ex_tee, 1, 1), (_FuncGen.ex_call, 1, 1),
    (_FuncGen.ex_call_indirect, 1, 1), (_FuncGen.ex_block, 2, 2), (_FuncGen.ex_br_if, 0.7, 0.7),
    (_FuncGen.ex_memory, 0.5, 0), (_FuncGen.ex_via_local, 1, 1),
]
_NO_V128 = (_FuncGen.ex_memory, _FuncGen.ex_load, _FuncGen.ex_call, _FuncGen.ex_call_indirect)
_EXPRS = {t: ([m for m, *_ in _EXPR_TABLE],
              [0 if (m is _FuncGen.ex_memory and t != I32) or (t == V128 and m in _NO_V128)
               else wi if t in (I32, I64) else wf
               for m, wi, wf in _EXPR_TABLE])
          for t in (*NUM_TYPES, V128)}


def generate(seed: int | str, cfg: GenConfig | None = None) -> GeneratedModule:
    """The module for ``seed`` (same seed and config → same bytes)."""
    mg = _ModuleGen(random.Random(seed), cfg or GenConfig())
    spec, funcs, gexports = mg.build()
    return GeneratedModule(seed, spec, funcs, mg.canon, gexports)


def arg_vectors(seed: int | str, sig: FuncSig, count: int) -> list[list[int]]:
    """``count`` argument vectors (unsigned bit patterns) for ``sig``, reproducible from ``seed``."""
    rng = random.Random(f"args:{seed}")
    return [[random_bits(rng, t) for t in sig.params] for _ in range(count)]


__all__ = ["BUDGET_CALLS", "BUDGET_EXPORT", "MEMORY_EXPORT", "ExportedFunc", "GenConfig", "GeneratedModule",
           "arg_vectors", "generate", "f32_bits", "f64_bits", "F32", "F64", "I32", "I64"]
