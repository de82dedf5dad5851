"""Validator: the spec's validation algorithm (appendix "Validation Algorithm") over a decoded Module.

Function bodies are checked iteratively (no recursion, so nesting depth is bounded only by the input)
with an operand stack of value types, the unknown type (0) after unreachable code, and control frames
carrying label types (multi-value blocks included). Operands match by subtyping (Wasm 3.0, through
:class:`jit.wasm.subtyping.TypeContext`): the fast paths compare types for equality and fall back to
the subtype check only on a difference. Module-level rules: the type section (recursive groups,
declared supertypes), limits, constant expressions, unique export names, the start function's type,
table/element/ref types, the data count rule and ``ref.func`` only for declared functions (C.refs:
functions referenced outside function bodies). Non-defaultable locals (non-nullable references) must
be set before they are read, per block (local_init). Every failure raises ``ValidationError`` with the
spec's message, byte offset and function.
"""
from __future__ import annotations

import gc
from bisect import bisect_right

from ..abi.features import PROPOSAL_BY_KEY, Features
from ..errors import ValidationError
from . import opcodes as O
from .subtyping import REF_BOT, TypeContext, check_group_references
from .types import (
    ABSTRACT_HEAP_TYPES,
    ANYREF,
    ARRAYREF,
    BLOCK_EMPTY,
    EQREF,
    EXNREF,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    HEAP_INDEX,
    I31REF,
    I32,
    I64,
    PACKED_I8,
    PACKED_I16,
    REF_NULLABLE,
    REF_TYPE,
    V128,
    ArrayType,
    FuncType,
    GlobalType,
    Instr,
    Limits,
    MemoryType,
    Module,
    StructType,
    TableType,
    block_valtype,
    make_ref,
)

UNKNOWN = 0
MAX_PAGES = 65536
MAX_PAGES_64 = 1 << 48          # a 64-bit memory: at most 2^48 pages (2^64 bytes)
MAX_TABLE_64 = (1 << 64) - 1
_EMPTY: tuple[int, ...] = ()
_LOCAL_LIST_LIMIT = 1 << 16  # expand local types into a list up to this many locals

# Ops with a fixed signature and no immediate to check: key -> (params as list, results as tuple).
_FIXED: dict[int, tuple[list[int], tuple[int, ...]]] = {
    k: (list(i.params), i.results)
    for k, i in O.OPS.items()
    if i.params is not None and i.imm in (O.NONE, O.I32_CONST, O.I64_CONST, O.F32_CONST, O.F64_CONST,
                                          O.V128_CONST)
}
# Memory accesses: key -> (natural alignment, params, results, lanes or None). The first param is
# the address: these lists are for 32-bit memories, _MEMOPS_PARAMS_64 has them for 64-bit ones.
_MEMOPS = {k: (i.align, list(i.params), i.results, i.lanes) for k, i in O.OPS.items()
           if i.imm in (O.MEMARG, O.MEMARG_LANE)}
_MEMOPS_PARAMS_64 = {k: [I64] + params[1:] for k, (_al, params, _r, _l) in _MEMOPS.items()}
_MEMARG_ALIGN_MASK = (1 << O.MEMARG_MEMORY_SHIFT) - 1
_LANE_OPS = {k: (i.lanes, list(i.params), i.results) for k, i in O.OPS.items()
             if i.imm in (O.LANE, O.SHUFFLE)}
_CONST_OPS = {O.op_key(n): t for n, t in (("i32.const", I32), ("i64.const", I64), ("f32.const", F32),
                                          ("f64.const", F64), ("v128.const", V128))}
_K = O.op_key
_REF_NULL, _REF_IS_NULL, _REF_FUNC = _K("ref.null"), _K("ref.is_null"), _K("ref.func")
_TABLE_GET, _TABLE_SET = _K("table.get"), _K("table.set")
# The instructions the loop of ``_FuncValidator.run`` types itself (it binds them to locals).
_UNREACHABLE, _BLOCK, _LOOP, _IF, _ELSE, _END = map(_K, ("unreachable", "block", "loop", "if", "else", "end"))
_BR, _BR_IF, _BR_TABLE, _RETURN, _CALL, _CALL_INDIRECT = map(
    _K, ("br", "br_if", "br_table", "return", "call", "call_indirect"))
_DROP, _SELECT = _K("drop"), _K("select")       # "select" names the untyped one
_SELECT_T = next(k for k, i in O.OPS.items() if i.imm == O.SELECT_T)
_LOCAL_GET, _LOCAL_SET, _LOCAL_TEE = _K("local.get"), _K("local.set"), _K("local.tee")
_GLOBAL_GET, _GLOBAL_SET = _K("global.get"), _K("global.set")
_MEMORY_INIT, _DATA_DROP = O.op_key("memory.init"), O.op_key("data.drop")
_TABLE_INIT, _ELEM_DROP, _TABLE_COPY = O.op_key("table.init"), O.op_key("elem.drop"), O.op_key("table.copy")
_TABLE_GROW, _TABLE_SIZE, _TABLE_FILL = O.op_key("table.grow"), O.op_key("table.size"), O.op_key("table.fill")
_CALL_REF, _REF_AS_NON_NULL = _K("call_ref"), _K("ref.as_non_null")
_BR_ON_NULL, _BR_ON_NON_NULL = _K("br_on_null"), _K("br_on_non_null")
_EXTENDED_CONST = frozenset(map(_K, ("i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul")))
_GC_CONST = frozenset(map(_K, ("struct.new", "struct.new_default", "array.new", "array.new_default",
                               "array.new_fixed", "ref.i31", "any.convert_extern", "extern.convert_any")))
_INDEX_MASK = HEAP_INDEX - 1
_REF_HEAP_MASK = HEAP_INDEX | _INDEX_MASK
_PACKED = (PACKED_I8, PACKED_I16)


def _is_ref(t: int) -> bool:
    return t in ABSTRACT_HEAP_TYPES or bool(t & REF_TYPE)


def _heap(t: int) -> int:
    return t if t in ABSTRACT_HEAP_TYPES else t & _REF_HEAP_MASK


def _nullable(t: int) -> bool:
    return t in ABSTRACT_HEAP_TYPES or bool(t & REF_NULLABLE)


def _defaultable(t: int) -> bool:
    """Numbers, vectors and nullable references have a default value; (ref ht) has none."""
    return not (t & REF_TYPE) or bool(t & REF_NULLABLE)


def _unpacked(storage: int) -> int:
    return I32 if storage in _PACKED else storage
_MEMORY_SIZE, _MEMORY_GROW = O.op_key("memory.size"), O.op_key("memory.grow")
_MEMORY_FILL, _MEMORY_COPY = O.op_key("memory.fill"), O.op_key("memory.copy")


def _min_address_type(a: int, b: int) -> int:
    """The type of a length that spans two memories or tables: i64 only if both are 64-bit."""
    return I64 if a == I64 and b == I64 else I32


_RETURN_CALL, _RETURN_CALL_INDIRECT = O.op_key("return_call"), O.op_key("return_call_indirect")
_THROW, _THROW_REF, _TRY_TABLE = O.op_key("throw"), O.op_key("throw_ref"), O.op_key("try_table")
_EXN = make_ref(EXNREF, False)          # (ref exn): what catch_ref / catch_all_ref hand to their label


def _matches(actual: int, expected: int) -> bool:
    """``actual`` <: ``expected`` for the types exception handling produces (equal, or (ref exn) <:
    exnref); the general subtyping of typed references belongs to the type-system work."""
    return actual == expected or (actual == _EXN and expected == EXNREF)
_RETURN_CALL_REF = O.op_key("return_call_ref")


class _Context:
    """The validation context C of the spec (index spaces with their types)."""

    def __init__(self, m: Module, features: Features | None = None) -> None:
        self.module = m
        self.features = features or Features()
        self.types = m.types
        self.tc: TypeContext | None = None          # made once the type section is valid
        self.funcs: list[FuncType] = []
        self.func_types: list[int] = []             # the type index of each function
        self.tables: list[TableType] = []
        self.memories: list[MemoryType] = []
        self.globals: list[GlobalType] = []
        self.num_imported_globals = 0
        self.elem_types: list[int] = [e.elemtype for e in m.elems]
        self.data_count = m.data_count
        self.refs: set[int] = set()
        self.tags: list[FuncType] = []          # the type of every tag (imports first)

    def check_valtype(self, t: int, pos: int | None, funcidx: int | None = None) -> None:
        """A value type's type index (if any) must exist."""
        if t & REF_TYPE and t & HEAP_INDEX and (t & _INDEX_MASK) >= len(self.types):
            raise _err(f"unknown type {t & _INDEX_MASK}", pos, self, funcidx)

    def func_type(self, x: int, pos: int | None, funcidx: int | None = None) -> FuncType:
        """Type index ``x`` as a function type ("unknown type" / "non-function type")."""
        if x >= len(self.types):
            raise _err(f"unknown type {x}", pos, self, funcidx)
        ft = self.types[x]
        if not isinstance(ft, FuncType):
            raise _err(f"non-function type {x}", pos, self, funcidx)
        return ft

    def val_sub(self, t1: int, t2: int) -> bool:
        return t1 == t2 or self.tc.val_sub(t1, t2)  # type: ignore[union-attr]


def _err(msg: str, pos: int | None, ctx: _Context | None = None, funcidx: int | None = None
         ) -> ValidationError:
    name = ctx.module.func_name(funcidx) if ctx is not None and funcidx is not None else None
    return ValidationError(msg, pos, funcidx, name)


def _check_limits(limits: Limits, bound: int, pos: int | None, too_big: str) -> None:
    if limits.min > bound or (limits.max is not None and limits.max > bound):
        raise _err(too_big, pos)
    if limits.max is not None and limits.min > limits.max:
        raise _err("size minimum must not be greater than maximum", pos)


def _check_memory(mt: MemoryType, pos: int | None) -> None:
    if mt.address_type == I64:
        _check_limits(mt.limits, MAX_PAGES_64, pos, "memory size must be at most 2^48 pages")
    else:
        _check_limits(mt.limits, MAX_PAGES, pos, "memory size must be at most 65536 pages (4GiB)")


def _check_table(tt: TableType, pos: int | None) -> None:
    if tt.address_type == I64:
        _check_limits(tt.limits, MAX_TABLE_64, pos, "table size must be at most 2^64-1")
    else:
        _check_limits(tt.limits, 0xFFFFFFFF, pos, "table size must be at most 2^32-1")


# Extended constant expressions (Wasm 3.0): i32/i64 add, sub and mul -> their operand type.
_CONST_ARITH_OPS = {O.op_key(f"{t}.{op}"): ty for t, ty in (("i32", I32), ("i64", I64))
                    for op in ("add", "sub", "mul")}


def _const_expr(ctx: _Context, expr: list[Instr], expected: int, num_globals: int, pos: int | None) -> None:
    """Check a constant expression producing one value of type ``expected`` (a subtype of it);
    ``num_globals``: the globals it may read (the immutable ones among them)."""
    if len(expr) == 1:                        # the common shapes, without a function validator
        op, a, _b, p = expr[0]
        t = _CONST_OPS.get(op)
        if t is None:
            if op == _REF_NULL:
                ctx.check_valtype(a, p)
                t = a
            elif op == _REF_FUNC:
                if a >= len(ctx.funcs):
                    raise _err(f"unknown function {a}", p)
                t = make_ref(HEAP_INDEX | ctx.func_types[a], False)
            elif op == _GLOBAL_GET:
                if a >= num_globals:
                    raise _err(f"unknown global {a}", p)
                g = ctx.globals[a]
                if g.mutable:
                    raise _err("constant expression required", p)
                t = g.valtype
        if t is not None:
            if not ctx.val_sub(t, expected):
                raise _err("type mismatch", p)
            return
    for op, a, _b, p in expr:
        if op in _CONST_OPS or op == _REF_NULL or op == _REF_FUNC:
            continue
        if op == _GLOBAL_GET:
            if a >= num_globals:
                raise _err(f"unknown global {a}", p)
            if ctx.globals[a].mutable:
                raise _err("constant expression required", p)
            continue
        if op in _EXTENDED_CONST:        # the decoder refused them if extended_const is off
            continue
        if op in _GC_CONST:
            continue
        raise _err("constant expression required", p)
    end = (expr[-1][3] + 1) if expr else (pos or 0)
    body = _ConstBody(expr + [(_END, None, None, end)])
    _FuncValidator(ctx, None, FuncType((), (expected,)), body, num_globals).run()


class _ConstBody:
    """A constant expression seen as a function body without locals."""

    __slots__ = ("code", "locals", "num_locals", "offset")

    def __init__(self, code: list[Instr]) -> None:
        self.code = code
        self.locals: list[tuple[int, int]] = []
        self.num_locals = 0
        self.offset = code[0][3] if code else 0


def _check_tag(ctx: _Context, typeidx: int, pos: int | None) -> None:
    if typeidx >= len(ctx.types):
        raise _err(f"unknown type {typeidx}", pos)
    ft = ctx.types[typeidx]
    if ft.results:
        raise _err("non-empty tag result type", pos)
    ctx.tags.append(ft)


def _collect_refs(m: Module) -> set[int]:
    refs: set[int] = set()
    exprs: list[list[Instr]] = [g.init for g in m.globals]
    exprs.extend(init for init in m.table_inits if init)
    for e in m.elems:
        exprs.extend(e.init)
        if e.offset is not None:
            exprs.append(e.offset)
    exprs.extend(d.offset for d in m.datas if d.offset is not None)
    for expr in exprs:
        for op, a, _b, _p in expr:
            if op == _REF_FUNC:
                refs.add(a)
    refs.update(e.index for e in m.exports if e.kind == "func")
    return refs


def validate_module(m: Module, features: Features | None = None) -> None:
    """Validate a decoded module; raises ValidationError (with offset and function) if invalid.

    ``features`` (default ``jit.Features()``): with multiple memories off, a second memory is
    invalid ("unsupported proposal 'multiple memories'", the Wasm 2.0 rule); with GC off, constant
    expressions read only imported globals (the Wasm 2.0 rule).

    Like the decoder, it pauses the cyclic garbage collector (it allocates no cycles).
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _validate_module(m, features if features is not None else Features())
    finally:
        if gc_was_enabled:
            gc.enable()


def _validate_types(ctx: _Context, pos: int | None) -> None:
    """The type section: references inside each recursive group, then canonical ids, then every
    declared supertype (earlier, not final, and matched by the subtype)."""
    m = ctx.module
    if not m.subtypes and m.types:            # a module made without the decoder: 2.0 types
        from .types import RecGroup, SubType
        m.subtypes = [SubType(t) for t in m.types]
        m.rec_groups = [RecGroup(i, 1) for i in range(len(m.types))]
    for group in m.rec_groups:
        bad = check_group_references(m, group)
        if bad is not None:
            raise _err(f"unknown type {bad[1]}", pos)
    ctx.tc = tc = TypeContext(m)
    for x, st in enumerate(m.subtypes):
        if len(st.supertypes) > 1:
            raise _err(f"type {x} has multiple supertypes", pos)
        for s in st.supertypes:
            if s >= x:
                raise _err(f"forward use of type {s} in sub type definition", pos)
            sup = m.subtypes[s]
            if sup.final:
                raise _err(f"sub type {x} has final super type {s}", pos)
            if not tc.comp_sub(st.comp, sup.comp):
                raise _err(f"sub type {x} does not match super type {s}", pos)


def _check_reftype_table(ctx: _Context, tt: TableType, pos: int | None) -> None:
    _check_table(tt, pos)
    ctx.check_valtype(tt.elem, pos)


def _validate_module(m: Module, features: Features) -> None:
    ctx = _Context(m, features)
    section_pos = {sid: start for sid, start, _size in m.sections}
    _validate_types(ctx, section_pos.get(1))
    for imp in m.imports:
        pos = section_pos.get(2)
        if imp.kind == "func":
            ctx.funcs.append(ctx.func_type(imp.desc, pos))
            ctx.func_types.append(imp.desc)
        elif imp.kind == "table":
            _check_reftype_table(ctx, imp.desc, pos)
            ctx.tables.append(imp.desc)
        elif imp.kind == "memory":
            _check_memory(imp.desc, pos)
            ctx.memories.append(imp.desc)
        elif imp.kind == "tag":
            _check_tag(ctx, imp.desc, pos)
        else:
            ctx.check_valtype(imp.desc.valtype, pos)
            ctx.globals.append(imp.desc)
    ctx.num_imported_globals = len(ctx.globals)
    for t in m.funcs:
        ctx.funcs.append(ctx.func_type(t, section_pos.get(3)))
        ctx.func_types.append(t)
    ctx.refs = _collect_refs(m)
    for i, tt in enumerate(m.tables):
        pos = section_pos.get(4)
        _check_reftype_table(ctx, tt, pos)
        init = m.table_inits[i] if i < len(m.table_inits) else None
        if init is not None:
            _const_expr(ctx, init, tt.elem, ctx.num_imported_globals, pos)
        elif not _nullable(tt.elem):
            raise _err("type mismatch", pos)
        ctx.tables.append(tt)
    for mt in m.memories:
        _check_memory(mt, section_pos.get(5))
        ctx.memories.append(mt)
    if len(ctx.memories) > 1 and not features.multi_memory:
        raise _err(f"unsupported proposal '{PROPOSAL_BY_KEY['multi_memory'].name}'", section_pos.get(5))
    for t in m.tags:
        _check_tag(ctx, t, section_pos.get(13))
    # Wasm 3.0 (with GC): an initialiser may read every global before it; 2.0: the imported ones
    gc_consts = ctx.features.allows("gc")
    for g in m.globals:
        pos = section_pos.get(6)
        ctx.check_valtype(g.type.valtype, pos)
        _const_expr(ctx, g.init, g.type.valtype, len(ctx.globals) if gc_consts else ctx.num_imported_globals,
                    pos)
        ctx.globals.append(g.type)

    seen: set[str] = set()
    spaces = {"func": (ctx.funcs, "function"), "table": (ctx.tables, "table"),
              "memory": (ctx.memories, "memory"), "global": (ctx.globals, "global"),
              "tag": (ctx.tags, "tag")}
    for exp in m.exports:
        space, what = spaces[exp.kind]
        if exp.index >= len(space):
            raise _err(f"unknown {what} {exp.index}", section_pos.get(7))
        if exp.name in seen:
            raise _err("duplicate export name", section_pos.get(7))
        seen.add(exp.name)

    if m.start is not None:
        pos = section_pos.get(8)
        if m.start >= len(ctx.funcs):
            raise _err(f"unknown function {m.start}", pos)
        ft = ctx.funcs[m.start]
        if ft.params or ft.results:
            raise _err("start function", pos)

    nglobals = len(ctx.globals) if gc_consts else ctx.num_imported_globals
    for e in m.elems:
        pos = section_pos.get(9)
        ctx.check_valtype(e.elemtype, pos)
        if e.mode == "active":
            if e.table >= len(ctx.tables):
                raise _err(f"unknown table {e.table}", pos)
            _const_expr(ctx, e.offset or [], ctx.tables[e.table].address_type, nglobals, pos)
            if not ctx.val_sub(e.elemtype, ctx.tables[e.table].elem):
                raise _err("type mismatch", pos)
        for expr in e.init:
            _const_expr(ctx, expr, e.elemtype, nglobals, pos)
    for d in m.datas:
        pos = section_pos.get(11)
        if d.mode == "active":
            if d.memory >= len(ctx.memories):
                raise _err(f"unknown memory {d.memory}", pos)
            _const_expr(ctx, d.offset or [], ctx.memories[d.memory].address_type, nglobals, pos)

    nimported = len(ctx.funcs) - len(m.funcs)
    for i, body in enumerate(m.codes):
        funcidx = nimported + i
        _FuncValidator(ctx, funcidx, ctx.funcs[funcidx], body).run()


class _Frame:
    """A control frame: the instruction that opened it, its start and end types, the operand stack
    height at entry, whether the rest of the block is unreachable and how many non-defaultable
    locals had been set at entry (``init_height``: the ones set inside are unset again at its end)."""

    __slots__ = ("op", "start", "end", "height", "unreachable", "init_height")

    def __init__(self, op: int, start: tuple[int, ...], end: tuple[int, ...], height: int,
                 init_height: int = 0) -> None:
        self.op = op
        self.start = start
        self.end = end
        self.height = height
        self.unreachable = False
        self.init_height = init_height


class _FuncValidator:
    """Validates one function body (the spec's algorithm, iterative). ``funcidx`` None: a constant
    expression (``num_globals``: the globals it may read)."""

    def __init__(self, ctx: _Context, funcidx: int | None, ft: FuncType, body,
                 num_globals: int | None = None) -> None:
        self.ctx = ctx
        self.tc: TypeContext = ctx.tc  # type: ignore[assignment]
        self.funcidx = funcidx
        self.ft = ft
        self.body = body
        self.stack: list[int] = []
        self.ctrls: list[_Frame] = []
        self._run_ends: list[int] | None = None
        self.num_globals = len(ctx.globals) if num_globals is None else num_globals
        self.unset: set[int] = set()       # non-defaultable locals not set yet
        self.inits: list[int] = []         # the non-defaultable locals set so far, in order

    def err(self, msg: str, pos: int) -> ValidationError:
        return _err(msg, pos, self.ctx, self.funcidx)

    # -- slow paths of the operand stack ----------------------------------------------------------
    def pop(self, expect: int, pos: int) -> int:
        """Pop an operand that must match ``expect`` (a subtype of it; UNKNOWN matches all)."""
        stack = self.stack
        frame = self.ctrls[-1]
        if len(stack) == frame.height:
            if frame.unreachable:
                return UNKNOWN
            raise self.err("type mismatch", pos)
        actual = stack.pop()
        if (actual != expect and actual != UNKNOWN and expect != UNKNOWN
                and not self.tc.val_sub(actual, expect)):
            raise self.err("type mismatch", pos)
        return actual

    def pop_ref(self, pos: int) -> int:
        """Pop a reference operand (REF_BOT from an unreachable empty stack)."""
        t = self.pop(UNKNOWN, pos)
        if t == UNKNOWN:
            return REF_BOT
        if not _is_ref(t):
            raise self.err("type mismatch", pos)
        return t

    def pop_vals(self, types, pos: int) -> list[int]:
        n = len(types)
        if not n:
            return []
        stack = self.stack
        if len(stack) - n >= self.ctrls[-1].height:     # fast path: exactly the expected types
            top = stack[-n:]
            if top == types if type(types) is list else tuple(top) == types:
                del stack[-n:]
                return top
        popped = [self.pop(t, pos) for t in reversed(types)]
        popped.reverse()
        return popped

    def label_types(self, depth: int, pos: int) -> tuple[int, ...]:
        ctrls = self.ctrls
        if depth >= len(ctrls):
            raise self.err(f"unknown label {depth}", pos)
        frame = ctrls[-1 - depth]
        return frame.start if frame.op == _LOOP else frame.end

    def unreachable(self) -> None:
        frame = self.ctrls[-1]
        del self.stack[frame.height:]
        frame.unreachable = True

    def block_type(self, a: int, pos: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if a >= 0:
            ft = self.ctx.func_type(a, pos, self.funcidx)
            return ft.params, ft.results
        if a == BLOCK_EMPTY:
            return _EMPTY, _EMPTY
        t = block_valtype(a)
        self.check_valtype(t, pos)
        return _EMPTY, (t,)

    def check_valtype(self, t: int, pos: int) -> None:
        if t & REF_TYPE and t & HEAP_INDEX and (t & _INDEX_MASK) >= len(self.ctx.types):
            raise self.err(f"unknown type {t & _INDEX_MASK}", pos)

    def reset_locals(self, frame: _Frame) -> None:
        """Unset the non-defaultable locals set inside ``frame``."""
        inits = self.inits
        if len(inits) > frame.init_height:
            self.unset.update(inits[frame.init_height:])
            del inits[frame.init_height:]

    def set_local(self, index: int) -> None:
        self.unset.discard(index)
        self.inits.append(index)

    def local_types(self) -> tuple[list[int] | tuple[int, ...], int]:
        """The type of every local (params first; only read), and how many there are."""
        if not self.body.locals:
            return self.ft.params, len(self.ft.params)
        params = list(self.ft.params)
        total = len(params) + self.body.num_locals
        nparams = len(params)
        index = nparams
        for count, t in self.body.locals:
            if t > 0xFF:
                self.check_valtype(t, self.body.offset)
                if not _defaultable(t):
                    if count > _LOCAL_LIST_LIMIT:
                        raise self.err("too many non-defaultable locals", self.body.offset)
                    self.unset.update(range(index, index + count))
            index += count
        if total <= _LOCAL_LIST_LIMIT:
            for count, t in self.body.locals:
                params.extend([t] * count)
        return params, total

    def local_type(self, index: int, pos: int) -> int:
        """Type of a local beyond the expanded list (huge local counts): bisect over the runs."""
        nparams = len(self.ft.params)
        if index < nparams:
            return self.ft.params[index]
        if index - nparams >= self.body.num_locals:
            raise self.err(f"unknown local {index}", pos)
        if self._run_ends is None:
            ends, total = [], 0
            for count, _t in self.body.locals:
                total += count
                ends.append(total)
            self._run_ends = ends
        return self.body.locals[bisect_right(self._run_ends, index - nparams)][1]

    def table(self, index: int, pos: int) -> TableType:
        tables = self.ctx.tables
        if index >= len(tables):
            raise self.err(f"unknown table {index}", pos)
        return tables[index]

    def memory_address_type(self, index: int, pos: int) -> int:
        """I32 or I64: the address type of memory ``index`` (which must exist)."""
        memories = self.ctx.memories
        if index >= len(memories):
            raise self.err(f"unknown memory {index}", pos)
        return memories[index].address_type

    def memory_access(self, op: int, a: int, b, pos: int) -> list[int]:
        """Check a memarg naming a memory other than a 32-bit memory 0; the params of ``op`` for it."""
        memidx = a >> O.MEMARG_MEMORY_SHIFT
        at = self.memory_address_type(memidx, pos)
        offset = b[0] if isinstance(b, tuple) else b
        if at == I32 and offset > 0xFFFFFFFF:
            raise self.err("offset out of range", pos)
        return _MEMOPS_PARAMS_64[op] if at == I64 else _MEMOPS[op][1]

    def elem(self, index: int, pos: int) -> int:
        if index >= len(self.ctx.elem_types):
            raise self.err(f"unknown elem segment {index}", pos)
        return self.ctx.elem_types[index]

    def data(self, index: int, pos: int) -> None:
        count = self.ctx.data_count
        if count is None or index >= count:
            raise self.err(f"unknown data segment {index}", pos)

    def global_type(self, index: int, pos: int) -> GlobalType:
        if index >= self.num_globals:
            raise self.err(f"unknown global {index}", pos)
        return self.ctx.globals[index]

    # -- the loop ---------------------------------------------------------------------------------
    def run(self) -> None:
        ctx = self.ctx
        stack = self.stack
        ctrls = self.ctrls
        push = stack.append
        pop = self.pop
        fixed = _FIXED
        memops = _MEMOPS
        ltypes, nlocals = self.local_types()
        nltypes = len(ltypes)
        unset = self.unset
        funcs = ctx.funcs
        gtypes = ctx.globals
        nglobals = self.num_globals
        results = self.ft.results
        memory0_32 = bool(ctx.memories) and ctx.memories[0].address_type == I32
        ctrls.append(_Frame(_BLOCK, _EMPTY, results, 0))
        # opcode keys as locals: as fast to compare with as literals
        LOCAL_GET, LOCAL_SET, LOCAL_TEE = _LOCAL_GET, _LOCAL_SET, _LOCAL_TEE
        GLOBAL_GET, GLOBAL_SET = _GLOBAL_GET, _GLOBAL_SET
        BLOCK, LOOP, IF, ELSE, END = _BLOCK, _LOOP, _IF, _ELSE, _END
        BR, BR_IF, BR_TABLE = _BR, _BR_IF, _BR_TABLE
        RETURN, CALL, CALL_INDIRECT, UNREACHABLE = _RETURN, _CALL, _CALL_INDIRECT, _UNREACHABLE
        DROP, SELECT, SELECT_T = _DROP, _SELECT, _SELECT_T
        height = 0
        for op, a, b, pos in self.body.code:
            sig = fixed.get(op)
            if sig is not None:
                params, res = sig
                n = len(params)
                if n:
                    if len(stack) - n >= height and stack[-n:] == params:
                        stack[-n:] = res        # the operands replaced by the results at once
                        continue
                    for t in reversed(params):
                        pop(t, pos)
                if res:
                    stack.extend(res)
                continue
            if op == LOCAL_GET:
                if unset and a in unset:
                    raise self.err("uninitialized local", pos)
                if a < nltypes:
                    push(ltypes[a])
                else:
                    push(self.local_type(a, pos))
            elif op == LOCAL_SET or op == LOCAL_TEE:
                t = ltypes[a] if a < nltypes else self.local_type(a, pos)
                if len(stack) > height and stack[-1] == t:
                    if op == LOCAL_SET:
                        stack.pop()
                else:
                    pop(t, pos)
                    if op == LOCAL_TEE:
                        push(t)
                if unset and a in unset:
                    self.set_local(a)
            elif op in memops:
                align, params, res, lanes = memops[op]
                if not ctx.memories:
                    raise self.err("unknown memory 0", pos)
                if a > _MEMARG_ALIGN_MASK or not memory0_32 or (b if lanes is None else b[0]) > 0xFFFFFFFF:
                    params = self.memory_access(op, a, b, pos)
                    a &= _MEMARG_ALIGN_MASK
                if a > align:
                    raise self.err("alignment must not be larger than natural", pos)
                if lanes is not None and b[1] >= lanes:
                    raise self.err("invalid lane index", pos)
                if len(stack) - len(params) >= height and stack[-len(params):] == params:
                    del stack[-len(params):]
                else:
                    for t in reversed(params):
                        pop(t, pos)
                if res:
                    stack.extend(res)
            elif op == GLOBAL_GET:
                if a >= nglobals:
                    raise self.err(f"unknown global {a}", pos)
                push(gtypes[a].valtype)
            elif op == GLOBAL_SET:
                if a >= nglobals:
                    raise self.err(f"unknown global {a}", pos)
                g = gtypes[a]
                if not g.mutable:
                    raise self.err("global is immutable", pos)
                pop(g.valtype, pos)
            elif op == CALL:
                if a >= len(funcs):
                    raise self.err(f"unknown function {a}", pos)
                ft = funcs[a]
                self.pop_vals(ft.params, pos)
                stack.extend(ft.results)
            elif op == BR_IF:
                pop(I32, pos)
                types = self.label_types(a, pos)
                self.pop_vals(types, pos)
                stack.extend(types)
            elif op == BLOCK or op == LOOP or op == IF:
                if op == IF:
                    pop(I32, pos)
                params, res = self.block_type(a, pos)
                self.pop_vals(params, pos)
                height = len(stack)
                ctrls.append(_Frame(op, params, res, height, len(self.inits)))
                stack.extend(params)
            elif op == END:
                frame = ctrls[-1]
                end = frame.end
                if len(stack) - height != len(end) or end and tuple(stack[height:]) != end:
                    self.pop_vals(end, pos)
                    if len(stack) != height:
                        raise self.err("type mismatch", pos)
                if (frame.op == IF and frame.start != end
                        and not self.results_match(frame.start, end)):
                    raise self.err("type mismatch", pos)
                ctrls.pop()
                if len(self.inits) > frame.init_height:
                    self.reset_locals(frame)
                # the block's results replace its operands (the same types, or after a polymorphic
                # stack, the declared ones)
                stack[height:] = end
                height = ctrls[-1].height if ctrls else 0
            elif op == ELSE:
                frame = ctrls[-1]
                if frame.op != IF:
                    raise self.err("else without if", pos)
                self.pop_vals(frame.end, pos)
                if len(stack) != frame.height:
                    raise self.err("type mismatch", pos)
                frame.op = ELSE
                frame.unreachable = False
                self.reset_locals(frame)
                stack.extend(frame.start)
            elif op == BR:
                self.pop_vals(self.label_types(a, pos), pos)
                self.unreachable()
            elif op == RETURN:
                self.pop_vals(results, pos)
                self.unreachable()
            elif op == UNREACHABLE:
                self.unreachable()
            elif op == DROP:
                pop(UNKNOWN, pos)
            elif op == SELECT or op == SELECT_T:
                self.select(a if op == SELECT_T else None, pos)
            elif op == BR_TABLE:
                pop(I32, pos)
                default = self.label_types(b, pos)
                arity = len(default)
                for depth in a:
                    types = self.label_types(depth, pos)
                    if len(types) != arity:
                        raise self.err("type mismatch", pos)
                    stack.extend(self.pop_vals(types, pos))
                self.pop_vals(default, pos)
                self.unreachable()
            elif op == CALL_INDIRECT:
                tt = self.table(b, pos)
                if tt.elem != FUNCREF and not self.tc.val_sub(tt.elem, FUNCREF):
                    raise self.err("type mismatch", pos)
                ft = ctx.func_type(a, pos, self.funcidx)
                pop(tt.address_type, pos)
                self.pop_vals(ft.params, pos)
                stack.extend(ft.results)
            else:
                self.rare(op, a, b, pos)
                height = ctrls[-1].height if ctrls else 0     # try_table opens a frame

    def results_match(self, ts1: tuple[int, ...], ts2: tuple[int, ...]) -> bool:
        val_sub = self.tc.val_sub
        return len(ts1) == len(ts2) and all(val_sub(x, y) for x, y in zip(ts1, ts2, strict=True))
    def tag(self, index: int, pos: int) -> FuncType:
        tags = self.ctx.tags
        if index >= len(tags):
            raise self.err(f"unknown tag {index}", pos)
        return tags[index]

    def try_table(self, bt: int, catches: tuple, pos: int) -> None:
        """``try_table bt catch*``: each catch clause's label (in the enclosing context) must accept
        the tag's parameters, then (ref exn) for the _ref kinds; then a block of type ``bt``."""
        for kind, tagidx, label in catches:
            produced: tuple[int, ...] = ()
            if kind in (O.CATCH, O.CATCH_REF):
                produced = self.tag(tagidx, pos).params
            if kind in (O.CATCH_REF, O.CATCH_ALL_REF):
                produced = (*produced, _EXN)
            types = self.label_types(label, pos)
            if len(types) != len(produced) or not all(map(self.tc.val_sub, produced, types)):
                raise self.err("type mismatch", pos)
        params, res = self.block_type(bt, pos)
        self.pop_vals(params, pos)
        self.ctrls.append(_Frame(_TRY_TABLE, params, res, len(self.stack)))
        self.stack.extend(params)

    def select(self, t: int | tuple | None, pos: int) -> None:
        if isinstance(t, tuple):
            raise self.err("invalid result arity", pos)
        pop = self.pop
        pop(I32, pos)
        if t is not None:
            self.check_valtype(t, pos)
            pop(t, pos)
            pop(t, pos)
            self.stack.append(t)
            return
        t1 = pop(UNKNOWN, pos)
        t2 = pop(UNKNOWN, pos)
        if _is_ref(t1) or _is_ref(t2) or (t1 == V128) != (t2 == V128) and t1 and t2:
            raise self.err("type mismatch", pos)
        if t1 != t2 and t1 != UNKNOWN and t2 != UNKNOWN:
            raise self.err("type mismatch", pos)
        self.stack.append(t2 if t1 == UNKNOWN else t1)

    def tail_call(self, callee: FuncType, pos: int) -> None:
        """``return_call*``: the callee's results are the caller's; the arguments are popped and the
        rest of the block is unreachable (stack-polymorphic)."""
        if not self.results_match(callee.results, self.ft.results):
            raise self.err("type mismatch", pos)
        self.pop_vals(callee.params, pos)
        self.unreachable()

    def rare(self, op: int, a, b, pos: int) -> None:
        """The instructions that are neither hot nor fixed-signature."""
        stack = self.stack
        pop = self.pop
        ctx = self.ctx
        if op in _LANE_OPS:
            lanes, params, res = _LANE_OPS[op]
            if isinstance(a, bytes):
                if any(x >= lanes for x in a):
                    raise self.err("invalid lane index", pos)
            elif a >= lanes:
                raise self.err("invalid lane index", pos)
            self.pop_vals(params, pos)
            stack.extend(res)
        elif op == _MEMORY_SIZE:
            stack.append(self.memory_address_type(a, pos))
        elif op == _MEMORY_GROW:
            at = self.memory_address_type(a, pos)
            pop(at, pos)
            stack.append(at)
        elif op == _MEMORY_FILL:
            at = self.memory_address_type(a, pos)
            self.pop_vals((at, I32, at), pos)
        elif op == _MEMORY_COPY:
            dst = self.memory_address_type(a, pos)
            src = self.memory_address_type(b, pos)
            self.pop_vals((dst, src, _min_address_type(dst, src)), pos)
        elif op == _REF_NULL:
            self.check_valtype(a, pos)
            stack.append(a)
        elif op == _REF_IS_NULL:
            self.pop_ref(pos)
            stack.append(I32)
        elif op == _REF_FUNC:
            if a >= len(ctx.funcs):
                raise self.err(f"unknown function {a}", pos)
            if a not in ctx.refs and self.funcidx is not None:
                raise self.err("undeclared function reference", pos)
            stack.append(make_ref(HEAP_INDEX | ctx.func_types[a], False))
        elif op == _REF_AS_NON_NULL:
            t = self.pop_ref(pos)
            stack.append(make_ref(_heap(t), False))
        elif op == _BR_ON_NULL:
            t = self.pop_ref(pos)
            types = self.label_types(a, pos)
            self.pop_vals(types, pos)
            stack.extend(types)
            stack.append(make_ref(_heap(t), False))
        elif op == _BR_ON_NON_NULL:
            types = self.label_types(a, pos)
            if not types or not _is_ref(types[-1]):
                raise self.err("type mismatch", pos)
            pop(make_ref(_heap(types[-1]), True), pos)
            self.pop_vals(types[:-1], pos)
            stack.extend(types[:-1])
        elif op == _CALL_REF:
            ft = ctx.func_type(a, pos, self.funcidx)
            pop(make_ref(HEAP_INDEX | a, True), pos)
            self.pop_vals(ft.params, pos)
            stack.extend(ft.results)
        elif op == _TABLE_GET:
            tt = self.table(a, pos)
            pop(tt.address_type, pos)
            stack.append(tt.elem)
        elif op == _TABLE_SET:
            tt = self.table(a, pos)
            pop(tt.elem, pos)
            pop(tt.address_type, pos)
        elif op == _TABLE_SIZE:
            stack.append(self.table(a, pos).address_type)
        elif op == _TABLE_GROW:
            tt = self.table(a, pos)
            pop(tt.address_type, pos)
            pop(tt.elem, pos)
            stack.append(tt.address_type)
        elif op == _TABLE_FILL:
            tt = self.table(a, pos)
            pop(tt.address_type, pos)
            pop(tt.elem, pos)
            pop(tt.address_type, pos)
        elif op == _MEMORY_INIT:
            at = self.memory_address_type(b, pos)
            self.data(a, pos)
            self.pop_vals((at, I32, I32), pos)
        elif op == _DATA_DROP:
            self.data(a, pos)
        elif op == _TABLE_INIT:
            tt = self.table(b, pos)
            et = self.elem(a, pos)
            if not ctx.val_sub(et, tt.elem):
                raise self.err("type mismatch", pos)
            self.pop_vals((tt.address_type, I32, I32), pos)
        elif op == _ELEM_DROP:
            self.elem(a, pos)
        elif op == _THROW:
            self.pop_vals(self.tag(a, pos).params, pos)
            self.unreachable()
        elif op == _THROW_REF:
            pop(EXNREF, pos)
            self.unreachable()
        elif op == _TRY_TABLE:
            self.try_table(a, b, pos)
        elif op == _RETURN_CALL:
            if a >= len(ctx.funcs):
                raise self.err(f"unknown function {a}", pos)
            self.tail_call(ctx.funcs[a], pos)
        elif op == _RETURN_CALL_INDIRECT:
            tt = self.table(b, pos)
            if tt.elem != FUNCREF and not self.tc.val_sub(tt.elem, FUNCREF):
                raise self.err("type mismatch", pos)
            ft = ctx.func_type(a, pos, self.funcidx)
            pop(tt.address_type, pos)
            self.tail_call(ft, pos)
        elif op == _RETURN_CALL_REF:
            ft = ctx.func_type(a, pos, self.funcidx)
            pop(make_ref(HEAP_INDEX | a, True), pos)
            self.tail_call(ft, pos)
        elif op == _TABLE_COPY:
            dst = self.table(a, pos)
            src = self.table(b, pos)
            if not ctx.val_sub(src.elem, dst.elem):
                raise self.err("type mismatch", pos)
            self.pop_vals((dst.address_type, src.address_type,
                           _min_address_type(dst.address_type, src.address_type)), pos)
        elif op in _GC_RULES:
            _GC_RULES[op](self, a, b, pos)
        else:  # pragma: no cover - the decoder only produces opcodes of the table
            raise self.err(f"unsupported instruction {O.op_name(op)}", pos)

    # -- GC (validated, not compiled) -------------------------------------------------------------
    def struct_type(self, x: int, pos: int) -> StructType:
        types = self.ctx.types
        if x >= len(types):
            raise self.err(f"unknown type {x}", pos)
        st = types[x]
        if not isinstance(st, StructType):
            raise self.err(f"non-structure type {x}", pos)
        return st

    def array_type(self, x: int, pos: int) -> ArrayType:
        types = self.ctx.types
        if x >= len(types):
            raise self.err(f"unknown type {x}", pos)
        at = types[x]
        if not isinstance(at, ArrayType):
            raise self.err(f"non-array type {x}", pos)
        return at

    def gc_struct_new(self, x: int, _b, pos: int, default: bool = False) -> None:
        st = self.struct_type(x, pos)
        if default:
            if not all(_defaultable(_unpacked(f.storage)) for f in st.fields):
                raise self.err("field type is not defaultable", pos)
        else:
            self.pop_vals([_unpacked(f.storage) for f in st.fields], pos)
        self.stack.append(make_ref(HEAP_INDEX | x, False))

    def gc_struct_field(self, x: int, i: int, pos: int, packed: bool | None):
        st = self.struct_type(x, pos)
        if i >= len(st.fields):
            raise self.err(f"unknown field {i}", pos)
        f = st.fields[i]
        if packed is not None and packed != (f.storage in _PACKED):
            raise self.err("field is packed" if f.storage in _PACKED else "field is unpacked", pos)
        return f

    def gc_struct_get(self, x: int, i: int, pos: int, packed: bool) -> None:
        f = self.gc_struct_field(x, i, pos, packed)
        self.pop(make_ref(HEAP_INDEX | x, True), pos)
        self.stack.append(_unpacked(f.storage))

    def gc_struct_set(self, x: int, i: int, pos: int) -> None:
        f = self.gc_struct_field(x, i, pos, None)
        if not f.mutable:
            raise self.err("immutable field", pos)
        self.pop(_unpacked(f.storage), pos)
        self.pop(make_ref(HEAP_INDEX | x, True), pos)

    def gc_array_new(self, x: int, pos: int, operands: tuple[int, ...], default: bool = False) -> None:
        at = self.array_type(x, pos)
        t = _unpacked(at.field.storage)
        if default and not _defaultable(t):
            raise self.err("array type is not defaultable", pos)
        self.pop_vals(operands if default or not operands else (t, *operands), pos)
        self.stack.append(make_ref(HEAP_INDEX | x, False))

    def gc_array_mut(self, x: int, pos: int) -> int:
        at = self.array_type(x, pos)
        if not at.field.mutable:
            raise self.err("immutable array", pos)
        return _unpacked(at.field.storage)

    def gc_numeric_array(self, x: int, pos: int) -> None:
        t = _unpacked(self.array_type(x, pos).field.storage)
        if _is_ref(t):
            raise self.err("array type is not numeric or vector", pos)

    def gc_elem_into_array(self, x: int, y: int, pos: int) -> None:
        t = _unpacked(self.array_type(x, pos).field.storage)
        et = self.elem(y, pos)
        if not self.ctx.val_sub(et, t):
            raise self.err("type mismatch", pos)

    def gc_cast_types(self, rt: int, pos: int) -> int:
        """The operand type of ref.test/ref.cast to ``rt``: the nullable top of its hierarchy."""
        self.check_valtype(rt, pos)
        return self.tc.top(rt)

    def gc_br_on_cast(self, depth: int, types: tuple[int, int], pos: int, fail: bool) -> None:
        rt1, rt2 = types
        self.check_valtype(rt1, pos)
        self.check_valtype(rt2, pos)
        if not self.ctx.val_sub(rt2, rt1):
            raise self.err("type mismatch", pos)
        labels = self.label_types(depth, pos)
        if not labels:
            raise self.err("type mismatch", pos)
        # the type that branches, and the type that stays (rt1 minus rt2)
        diff = make_ref(_heap(rt1), False) if _nullable(rt2) else rt1
        branch, stays = (diff, rt2) if fail else (rt2, diff)
        if not self.ctx.val_sub(branch, labels[-1]):
            raise self.err("type mismatch", pos)
        self.pop(rt1, pos)
        self.pop_vals(labels[:-1], pos)
        self.stack.extend(labels[:-1])
        self.stack.append(stays)


def _gc_rules() -> dict:
    K = O.op_key
    ref = make_ref

    def struct_new(v, a, b, pos):
        v.gc_struct_new(a, b, pos)

    def struct_new_default(v, a, b, pos):
        v.gc_struct_new(a, b, pos, default=True)

    def array_new(v, a, b, pos):
        v.gc_array_new(a, pos, (I32,))

    def array_new_default(v, a, b, pos):
        v.gc_array_new(a, pos, (I32,), default=True)

    def array_new_fixed(v, a, n, pos):
        t = _unpacked(v.array_type(a, pos).field.storage)
        frame = v.ctrls[-1]
        available = len(v.stack) - frame.height
        if n > available and not frame.unreachable:
            raise v.err("type mismatch", pos)
        v.pop_vals([t] * min(n, available), pos)
        v.stack.append(ref(HEAP_INDEX | a, False))

    def array_new_data(v, a, b, pos):
        v.gc_numeric_array(a, pos)
        v.data(b, pos)
        v.pop_vals((I32, I32), pos)
        v.stack.append(ref(HEAP_INDEX | a, False))

    def array_new_elem(v, a, b, pos):
        v.gc_elem_into_array(a, b, pos)
        v.pop_vals((I32, I32), pos)
        v.stack.append(ref(HEAP_INDEX | a, False))

    def array_get(packed):
        def rule(v, a, b, pos):
            f = v.array_type(a, pos).field
            if packed != (f.storage in _PACKED):
                raise v.err("array is packed" if f.storage in _PACKED else "array is unpacked", pos)
            v.pop_vals((ref(HEAP_INDEX | a, True), I32), pos)
            v.stack.append(_unpacked(f.storage))
        return rule

    def array_set(v, a, b, pos):
        t = v.gc_array_mut(a, pos)
        v.pop_vals((ref(HEAP_INDEX | a, True), I32, t), pos)

    def array_len(v, a, b, pos):
        v.pop(ARRAYREF, pos)
        v.stack.append(I32)

    def array_fill(v, a, b, pos):
        t = v.gc_array_mut(a, pos)
        v.pop_vals((ref(HEAP_INDEX | a, True), I32, t, I32), pos)

    def array_copy(v, a, b, pos):
        dst = v.gc_array_mut(a, pos)
        src = v.array_type(b, pos).field.storage
        dst_storage = v.array_type(a, pos).field.storage
        if not v.tc.storage_sub(src, dst_storage):
            raise v.err("array types do not match", pos)
        del dst
        v.pop_vals((ref(HEAP_INDEX | a, True), I32, ref(HEAP_INDEX | b, True), I32, I32), pos)

    def array_init_data(v, a, b, pos):
        v.gc_array_mut(a, pos)
        v.data(b, pos)
        v.gc_numeric_array(a, pos)
        v.pop_vals((ref(HEAP_INDEX | a, True), I32, I32, I32), pos)

    def array_init_elem(v, a, b, pos):
        v.gc_array_mut(a, pos)
        v.gc_elem_into_array(a, b, pos)
        v.pop_vals((ref(HEAP_INDEX | a, True), I32, I32, I32), pos)

    def ref_test(nullable):
        def rule(v, h, b, pos):
            rt = ref(h, nullable)
            v.pop(v.gc_cast_types(rt, pos), pos)
            v.stack.append(I32)
        return rule

    def ref_cast(nullable):
        def rule(v, h, b, pos):
            rt = ref(h, nullable)
            v.pop(v.gc_cast_types(rt, pos), pos)
            v.stack.append(rt)
        return rule

    def br_on_cast(v, a, b, pos):
        v.gc_br_on_cast(a, b, pos, fail=False)

    def br_on_cast_fail(v, a, b, pos):
        v.gc_br_on_cast(a, b, pos, fail=True)

    def convert(src, dst):
        def rule(v, a, b, pos):
            t = v.pop_ref(pos)             # must match (ref null src); keeps its nullability
            if t != REF_BOT and not v.tc.val_sub(t, src):
                raise v.err("type mismatch", pos)
            v.stack.append(ref(dst, _nullable(t)))
        return rule

    def ref_eq(v, a, b, pos):
        v.pop_vals((EQREF, EQREF), pos)
        v.stack.append(I32)

    def ref_i31(v, a, b, pos):
        v.pop(I32, pos)
        v.stack.append(ref(I31REF, False))

    def i31_get(v, a, b, pos):
        v.pop(I31REF, pos)
        v.stack.append(I32)

    return {
        K("struct.new"): struct_new, K("struct.new_default"): struct_new_default,
        K("struct.get"): lambda v, a, b, pos: v.gc_struct_get(a, b, pos, False),
        K("struct.get_s"): lambda v, a, b, pos: v.gc_struct_get(a, b, pos, True),
        K("struct.get_u"): lambda v, a, b, pos: v.gc_struct_get(a, b, pos, True),
        K("struct.set"): lambda v, a, b, pos: v.gc_struct_set(a, b, pos),
        K("array.new"): array_new, K("array.new_default"): array_new_default,
        K("array.new_fixed"): array_new_fixed, K("array.new_data"): array_new_data,
        K("array.new_elem"): array_new_elem, K("array.get"): array_get(False),
        K("array.get_s"): array_get(True), K("array.get_u"): array_get(True),
        K("array.set"): array_set, K("array.len"): array_len, K("array.fill"): array_fill,
        K("array.copy"): array_copy, K("array.init_data"): array_init_data,
        K("array.init_elem"): array_init_elem,
        K("ref.test"): ref_test(False), K("ref.test_null"): ref_test(True),
        K("ref.cast"): ref_cast(False), K("ref.cast_null"): ref_cast(True),
        K("br_on_cast"): br_on_cast, K("br_on_cast_fail"): br_on_cast_fail,
        K("any.convert_extern"): convert(EXTERNREF, ANYREF),
        K("extern.convert_any"): convert(ANYREF, EXTERNREF),
        K("ref.eq"): ref_eq, K("ref.i31"): ref_i31, K("i31.get_s"): i31_get, K("i31.get_u"): i31_get,
    }


_GC_RULES = _gc_rules()
