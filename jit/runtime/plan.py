"""``InstancePlan``: everything about instantiating one compiled module that does not depend on the instance.

Made once per module (and fuel variant) on first instantiation, so that a fresh instance costs a
handful of attribute sets and native calls:

- a *vmctx template*: the bytes of a new instance's context (header, host-import entries pointing at
  the module's host-call stubs, canonical type ids, constant global initialisers, funcrefs, the data
  and element segment arrays and element items), with the list of offsets holding self-relative
  pointers; ``wx_vmctx_init`` copies it and adds the new vmctx address at those offsets;
- what remains per instance: imported externs, memories, tables, dynamic initialisers
  (``global.get``), active segments;
- a pool of vmctx buffers (bounded by ``pool.max_free_vmctx``), reinitialised from the template on
  reuse, so nothing of a previous instance survives;
- the call specs of the exported functions (typed native entries chosen by signature shape).
"""
from __future__ import annotations

import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..abi import vmctx as V
from ..errors import CompileError, Error
from ..native import ffi, lib
from ..wasm.subtyping import TypeContext, canonical_functype_id
from ..wasm.types import FUNCREF, I64, V128, FuncType
from . import pool
from .values import (
    EXTERNREFS,
    FROM_BITS,
    FUNCREFS,
    MASK32,
    MASK64,
    RAW_MASK,
    REF_TYPES,
    TO_BITS,
    check_bits,
    check_v128_bits,
    v128_to_bits,
)
from .watchdog import WATCHDOG

_vmctx_init = lib.wx_vmctx_init
BUSY = lib.WX_CALL_BUSY
MAGIC = lib.WX_RC_MAGIC


def canonical_type_id(ftype: FuncType) -> int:
    """The process-wide id of a function type standing alone (a host function's; never 0). A
    module's types get theirs from ``jit.wasm.subtyping.canonical_ids`` (iso-recursive: the same
    ids for equal types in any module)."""
    return canonical_functype_id(ftype)


def _align(n: int, a: int) -> int:
    return (n + a - 1) & ~(a - 1)


class _Rel(int):
    """A template value relative to the vmctx address."""


# Constant expressions the template can evaluate: opcode -> value (a _Rel for ref.func).
_STATIC_OPS: dict[int, Callable[[Any, Any], int]] = {
    0x41: lambda layout, a: a & MASK32,                             # i32.const
    0x42: lambda layout, a: a & MASK64,                             # i64.const
    0x43: lambda layout, a: a & MASK32,                             # f32.const (raw bits)
    0x44: lambda layout, a: a & MASK64,                             # f64.const (raw bits)
    0xD0: lambda layout, a: 0,                                      # ref.null
    0xD2: lambda layout, a: _Rel(layout.funcref(a)),                # ref.func
    0xFD00C: lambda layout, a: a,                                   # v128.const (16 bytes)
}


# Extended constant expressions (Wasm 3.0): integer add/sub/mul over the values below them.
_CONST_ARITH: dict[int, tuple[int, Callable[[int, int], int]]] = {
    0x6A: (MASK32, int.__add__), 0x6B: (MASK32, int.__sub__), 0x6C: (MASK32, int.__mul__),   # i32
    0x7C: (MASK64, int.__add__), 0x7D: (MASK64, int.__sub__), 0x7E: (MASK64, int.__mul__),   # i64
}


ConstStackOp = Callable[[Any, list[int]], bool]


def _run_const(expr: list[Any], leaf: Callable[[int, Any, int], int | None],
               on_stack: ConstStackOp | None = None) -> int | None:
    """Evaluate a (validated) constant expression on a stack: ``leaf(op, a, pos)`` gives the value of
    a constant or ``global.get`` (None: not known here); add/sub/mul wrap to their width;
    ``on_stack(instr, stack)`` runs the instructions that work on the stack themselves (the GC ones:
    ``jit.runtime.gcobjects.gc_const_op``) and says whether it took ``instr``."""
    stack: list[int] = []
    for ins in expr:
        op, a, _b, pos = ins
        if op == 0x0B:
            break
        arith = _CONST_ARITH.get(op)
        if arith is not None:
            y = stack.pop()
            x = stack.pop()
            stack.append(arith[1](x, y) & arith[0])
            continue
        if on_stack is not None and on_stack(ins, stack):
            continue
        value = leaf(op, a, pos)
        if value is None:
            return None
        stack.append(value)
    return stack[-1] if stack else 0


def static_value(layout: Any, expr: list[Any]) -> int | None:
    """The value of a constant expression that does not depend on the instance, else None."""
    def leaf(op: int, a: Any, _pos: int) -> int | None:
        handler = _STATIC_OPS.get(op)
        return None if handler is None else handler(layout, a)

    if len(expr) == 1 or (len(expr) == 2 and expr[1][0] == 0x0B):    # the common one-instruction case
        handler = _STATIC_OPS.get(expr[0][0])
        return None if handler is None else handler(layout, expr[0][1])
    return _run_const(expr, leaf)


# An active data or element segment: (index, target memory/table, static offset or None,
# offset expression, length).
ActiveSegment = tuple


@dataclass
class PlanRecipe:
    """The process-independent part of a plan: plain data, computed once and stored in .cwasm files.

    ``image`` is the vmctx template with zeros where process addresses go: offsets in ``rel`` get the
    vmctx address added, those in ``code_rel`` the code address (they hold code offsets), those in
    ``type_slots`` the canonical id of a module type index, those in ``data_slots`` the address of a
    data segment's bytes. The offset lists are packed ``uint32`` arrays (``array('I')`` bytes).
    """

    size: int
    datas_off: int
    elems_off: int
    image: bytes
    rel: bytes
    code_rel: bytes
    type_offsets: bytes
    type_index: bytes
    data_offsets: bytes
    data_index: bytes
    dynamic_globals: list[tuple[int, Any]]
    dynamic_items: list[tuple[int, Any]]
    active_datas: list[ActiveSegment]
    active_elems: list[ActiveSegment]

    def to_tuple(self) -> tuple:
        return tuple(getattr(self, f) for f in self.__dataclass_fields__)


def make_recipe(compiled: Any, w: Any) -> PlanRecipe:
    """The recipe of one compiled module (see ``PlanRecipe``)."""
    layout = compiled.layout
    n_imp = compiled.num_imported_funcs
    n_datas, n_elems = len(w.datas), len(w.elems)
    datas_off = _align(layout.size, 16)
    elems_off = datas_off + V.VMDATASEG_SIZE * n_datas
    items_off = elems_off + V.VMELEMSEG_SIZE * n_elems
    item_offsets = []
    for seg in w.elems:
        item_offsets.append(items_off)
        items_off += 8 * len(seg.init)
    size = _align(max(items_off, 16), 16)
    funcrefs = layout.funcrefs
    type_ids = layout.type_ids
    imported_funcs = layout.imported_funcs
    func_types = [imp.desc for imp in w.imports if imp.kind == "func"] + list(w.funcs)

    words: dict[int, int] = {}            # byte offset -> constant u64
    rel: list[int] = [V.VMCTX_OWNER_PTR, V.VMCTX_DATAS, V.VMCTX_ELEMS]
    words[V.VMCTX_OWNER_PTR] = V.VMCTX_OWNER
    words[V.VMCTX_DATAS] = datas_off
    words[V.VMCTX_ELEMS] = elems_off
    code_rel: list[int] = []
    type_offsets: list[int] = []
    type_index: list[int] = []
    for i in range(n_imp):                # host imports by default; Wasm imports are patched
        off = imported_funcs + V.VMIMPORT_SIZE * i
        words[off + V.VMIMPORT_CODE] = compiled.host_stub_offsets[i]
        code_rel.append(off + V.VMIMPORT_CODE)
        rel.append(off + V.VMIMPORT_VMCTX)
    for t in range(len(w.types)):
        type_offsets.append(type_ids + 8 * t)
        type_index.append(t)
    # one funcref per function: slices of ranges, no Python frame per function (cached loads of
    # modules with many functions make this recipe again to check it)
    n_funcs, step = len(func_types), V.VMFUNCREF_SIZE
    end = funcrefs + step * n_funcs
    funcref_code = list(compiled.host_stub_offsets[:n_imp]) + list(compiled.func_offsets)
    code_rel.extend(range(funcrefs + V.VMFUNCREF_CODE, end, step))
    rel.extend(range(funcrefs + V.VMFUNCREF_VMCTX, end, step))
    type_offsets.extend(range(funcrefs + V.VMFUNCREF_TYPE_ID, end, step))
    type_index.extend(func_types)

    def put(off: int, value: int) -> None:
        if isinstance(value, _Rel):
            rel.append(off)
        words[off] = int(value)

    n_imp_globals = layout.num_imported_globals
    dynamic_globals: list[tuple[int, Any]] = []
    for j, g in enumerate(w.globals):
        i = n_imp_globals + j
        put(layout.global_ptr(i), _Rel(layout.defined_global(i)))
        value = static_value(layout, g.init)
        if value is None:
            dynamic_globals.append((i, g.init))
        else:
            put(layout.defined_global(i), value)
    data_offsets: list[int] = []
    data_index: list[int] = []
    active_datas: list[ActiveSegment] = []
    for i, seg in enumerate(w.datas):
        data_offsets.append(datas_off + 16 * i + V.VMDATASEG_BASE)
        data_index.append(i)
        words[datas_off + 16 * i + V.VMDATASEG_LENGTH] = len(seg.data)
        if seg.mode == "active":
            active_datas.append((i, seg.memory, static_value(layout, seg.offset), seg.offset, len(seg.data)))
    active_elems: list[ActiveSegment] = []
    dynamic_items: list[tuple[int, Any]] = []
    for i, seg in enumerate(w.elems):
        put(elems_off + 16 * i + V.VMELEMSEG_ITEMS, _Rel(item_offsets[i]))
        words[elems_off + 16 * i + V.VMELEMSEG_LENGTH] = 0 if seg.mode == "declarative" else len(seg.init)
        for j, expr in enumerate(seg.init):
            value = static_value(layout, expr)
            if value is None:
                dynamic_items.append((item_offsets[i] + 8 * j, expr))
            else:
                put(item_offsets[i] + 8 * j, value)
        if seg.mode == "active":
            active_elems.append((i, seg.table, static_value(layout, seg.offset), seg.offset, len(seg.init)))

    image = bytearray(size)
    if n_funcs:                     # the funcref code words, written as one strided slice
        first = funcrefs + V.VMFUNCREF_CODE
        assert first % 8 == 0 and step % 8 == 0
        memoryview(image).cast("Q")[first // 8:first // 8 + n_funcs * (step // 8):step // 8] = \
            array("Q", funcref_code)
    for off, value in words.items():
        if value > MASK64:          # a v128 (globals have 16 bytes)
            image[off:off + 16] = value.to_bytes(16, "little")
        else:
            image[off:off + 8] = (value & MASK64).to_bytes(8, "little")

    def u32(values: list[int]) -> bytes:
        return array("I", values).tobytes()

    return PlanRecipe(size, datas_off, elems_off, bytes(image), u32(sorted(rel)), u32(code_rel),
                      u32(type_offsets), u32(type_index), u32(data_offsets), u32(data_index),
                      dynamic_globals, dynamic_items, active_datas, active_elems)


class InstancePlan:
    """The instance-independent part of instantiation of one compiled module (see module docstring).

    It does not depend on where the code was loaded either (``new_vmctx`` takes the code address), so
    every load of the same compiled module shares one plan: a module read again from a cache file
    reuses the plan of the bytes' decoded metadata (``jit.runtime.serialize``).
    """

    def __init__(self, wasm: Any, compiled: Any, recipe: PlanRecipe | None = None) -> None:
        w = wasm
        if recipe is None:
            recipe = make_recipe(compiled, w)
        self.wasm = w
        self.compiled = compiled
        self.recipe = recipe
        self.layout = compiled.layout
        self.fuel = bool(compiled.fuel)
        self.n_imported_funcs = compiled.num_imported_funcs
        self.n_funcs = compiled.num_imported_funcs + len(w.funcs)
        self.imports = [(imp.kind, imp) for imp in w.imports]
        self.export_index = {exp.name: (exp.kind, exp.index) for exp in w.exports}
        # defined memories and tables: (min, max, is 64-bit) / (elem type in canonical form, min, max,
        # is 64-bit, initialiser expression or None)
        self.n_imported_memories = w.num_imported_memories
        self.defined_memories = [(mt.limits.min, mt.limits.max, mt.address_type == I64) for mt in w.memories]
        self.types = TypeContext(w)             # canonical ids of the module's types
        inits = w.table_inits or [None] * len(w.tables)
        self.defined_tables = [(self.types.to_canonical(tt.elem), tt.limits.min, tt.limits.max,
                                tt.address_type == I64, init)
                               for tt, init in zip(w.tables, inits, strict=True)]
        self.table64 = [tt.address_type == I64 for tt in w.all_tables()]
        self.tag_types = [w.types[t] for t in w.tags]        # defined tags (exception handling)
        self.tag_type_ids = [self.types.canon[t] for t in w.tags]
        self.start = w.start
        self._specs: dict[int, CallSpec] = {}
        # (imports mapping, resolved externs, adapters when every import is a host function, else None)
        self.link_cache: tuple[Any, list[Any], list[Any] | None] | None = None
        self.free_vms: list[tuple[Any, int, Any, Any]] = []
        self.size = recipe.size
        self.datas_off = recipe.datas_off
        self.elems_off = recipe.elems_off
        self.dynamic_globals = recipe.dynamic_globals
        self.dynamic_items = recipe.dynamic_items
        self.active_datas = recipe.active_datas
        self.active_elems = recipe.active_elems

        self.template = tmpl = ffi.new("uint8_t[]", recipe.image)
        patch = lib.wx_patch_u64
        n_types = len(recipe.type_offsets) // 4
        if n_types:
            ids = ffi.new("uint64_t[]", self.types.canon)
            patch(tmpl, ffi.from_buffer("uint32_t[]", recipe.type_offsets),
                  ffi.from_buffer("uint32_t[]", recipe.type_index), n_types, ids, 0)
        self._data_keep = [ffi.from_buffer(seg.data) for seg in w.datas]
        if self._data_keep:
            addrs = ffi.new("uint64_t[]", [int(ffi.cast("uintptr_t", d)) for d in self._data_keep])
            patch(tmpl, ffi.from_buffer("uint32_t[]", recipe.data_offsets),
                  ffi.from_buffer("uint32_t[]", recipe.data_index), len(self._data_keep), addrs, 0)
        self.vmctx_template = t = ffi.new("wx_vmctx_template *")   # points into template and recipe
        t.image, t.size = tmpl, self.size
        t.rel, t.n_rel = ffi.from_buffer("uint32_t[]", recipe.rel), len(recipe.rel) // 4
        t.code_rel, t.n_code_rel = ffi.from_buffer("uint32_t[]", recipe.code_rel), len(recipe.code_rel) // 4

    # -- vmctx buffers ------------------------------------------------------------------------------
    def new_vmctx(self, code_base: int) -> tuple[Any, int, Any, Any]:
        """A vmctx buffer (pooled or new) initialised from the template for code loaded at
        ``code_base``: (keep-alive, address, ``uint64_t *`` at it, ``uint64_t *`` at its owner word)."""
        try:
            entry = self.free_vms.pop()
        except IndexError:
            buf = ffi.new("uint8_t[]", self.size + 16)
            base = (int(ffi.cast("uintptr_t", buf)) + 15) & ~15
            entry = (buf, base, ffi.cast("uint64_t *", base), ffi.cast("uint64_t *", base + V.VMCTX_OWNER))
        _vmctx_init(entry[1], self.vmctx_template, code_base)
        return entry

    def free_vmctx(self, entry: tuple[Any, int, Any, Any]) -> None:
        """Take back a buffer from ``new_vmctx`` (kept for reuse up to ``pool.max_free_vmctx`` buffers
        and ``pool.MAX_FREE_VMCTX_BYTES`` bytes per plan)."""
        free = self.free_vms
        if len(free) < pool.max_free_vmctx and (len(free) + 1) * self.size <= pool.MAX_FREE_VMCTX_BYTES:
            free.append(entry)

    # -- exported functions ------------------------------------------------------------------------
    def call_spec(self, funcidx: int) -> CallSpec:
        spec = self._specs.get(funcidx)
        if spec is None:
            compiled = self.compiled
            ftype = self.wasm.func_type(funcidx)
            name = compiled.func_names.get(funcidx) or self.wasm.func_name(funcidx) or f"func{funcidx}"
            offset = compiled.func_offsets[funcidx - self.n_imported_funcs]
            spec = self._specs[funcidx] = CallSpec(offset, ftype, name, self.layout.funcref(funcidx),
                                                   self.types.functype(ftype))
        return spec


class CallSpec:
    """How to call one function from Python: its code offset and the callers of its signature.

    ``call(fn, args)`` (typed), ``raw(fn, bits)`` and ``timed(fn, args)`` take the ``Function``, which
    carries the code pointer, the vmctx and the instance state. The callers depend
    only on the signature and are shared process-wide. One native call per Python call; the typed
    entries ``wx_call0..3`` take the arguments by value.
    """

    __slots__ = ("code_offset", "type", "name", "call", "raw", "timed", "funcref_offset")

    def __init__(self, code_offset: int, ftype: FuncType, name: str, funcref_offset: int,
                 shape: FuncType | None = None) -> None:
        """``shape``: ``ftype`` with its reference types as value classes (funcref / externref), the
        types values are converted by (``jit.wasm.subtyping.canonical_functype``)."""
        self.code_offset = code_offset
        self.type = ftype
        self.name = name
        self.funcref_offset = funcref_offset
        self.call, self.raw, self.timed = callers(shape or ftype)


@lru_cache(maxsize=4096)
def callers(ftype: FuncType) -> tuple[Callable[[Any, Any], Any], Callable[[Any, Any], list[int]],
                                      Callable[[Any, Any], Any]]:
    """(call, raw, timed) for functions of type ``ftype``."""
    call, raw = _make_callers(ftype)
    if any(t in REF_TYPES and t != FUNCREF for t in ftype.params + ftype.results):   # collectable ones
        call, raw = _holding_collections(call), _holding_collections(raw)
    funcref_params = [i for i, t in enumerate(ftype.params) if t == FUNCREF]
    if funcref_params:
        call, raw = _handing_funcrefs(call, funcref_params), _handing_funcrefs(raw, funcref_params)

    def timed(fn: Any, args: tuple[Any, ...]) -> Any:
        token = WATCHDOG.arm(fn._state, fn._state.timeout)
        try:
            return call(fn, args)
        finally:
            WATCHDOG.disarm(token)
    return call, raw, timed


def _holding_collections(inner: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``inner``, with other threads' collections held off from before its arguments are converted
    until its reference results are Python objects: an argument's handle is in no root until the call
    enters Wasm, a result's none between the return and the conversion (native/gcroots.c
    ``wx_gc_hold_results``); a collection could otherwise free either meanwhile."""
    hold, release, refs = lib.wx_gc_hold_results, lib.wx_gc_release_results, EXTERNREFS

    def call(fn: Any, args: Any) -> Any:
        hold()
        try:
            return inner(fn, args)
        finally:
            release()
            if refs.made >= refs.threshold and refs.pressure is not None:
                refs.pressure()      # the collection the conversions asked for (deferred while held)
    return call


def _handing_funcrefs(inner: Callable[[Any, Any], Any], indices: list[int]) -> Callable[[Any, Any], Any]:
    """``inner``, with the instances of the functions passed at ``indices`` kept alive by the callee's."""
    hand_to = FUNCREFS.hand_to

    def call(fn: Any, args: Any) -> Any:
        args = tuple(args)
        for i in indices:
            if i < len(args):
                hand_to(fn._state, args[i])
        return inner(fn, args)
    return call


def wait_idle(state: Any) -> None:
    """Wait until no thread runs the instance group of ``state`` (contended calls)."""
    owner = state.owner_word
    delay = 20e-6
    while owner[0]:
        time.sleep(delay)
        delay = min(delay * 2, 1e-3)


def call_with_slots(fn: Any, slots: Any, n_in: int, n_out: int) -> None:
    """One ``wx_call`` of ``fn`` with its arguments in ``slots`` (results come back there), under the
    instance's timeout, waiting while another thread runs the group; a trap raises."""
    state = fn._state
    token = WATCHDOG.arm(state, state.timeout) if state.timeout is not None else None
    try:
        while True:
            rc = lib.wx_call(fn._code, fn._vm, slots, n_in, n_out)
            if rc != BUSY:
                break
            wait_idle(state)
    finally:
        if token is not None:
            WATCHDOG.disarm(token)
    if rc:
        raise state.trap(rc)


def _fail(fn: Any, rc: int, args: Any, again: Callable[[Any, Any], Any]) -> Any:
    """The slow path of a call that did not return normally: wait and retry, or raise the trap."""
    if rc == BUSY:
        wait_idle(fn._state)
        return again(fn, args)
    raise fn._state.trap(rc)


def _make_callers(ftype: FuncType) -> tuple[Callable[[Any, Any], Any], Callable[[Any, Any], list[int]]]:
    if V128 in ftype.params or V128 in ftype.results:
        return _make_v128_callers(ftype)
    params, results = ftype.params, ftype.results
    n_in, n_out = len(params), len(results)
    n_slots = max(n_in, n_out, 1)
    wx_call = lib.wx_call
    supported = all(t in TO_BITS for t in params) and all(t in FROM_BITS for t in results)
    to = [TO_BITS.get(t) for t in params]
    fr = [FROM_BITS.get(t) for t in results]
    masks = [RAW_MASK.get(t, MASK64) for t in results]   # i32/f32 results: upper halves are not ours
    has_refs = any(t in REF_TYPES for t in results)
    new_slots = ffi.new
    last_rc = lib.wx_last_rc

    def raw(fn: Any, bits: Any) -> list[int]:
        bits = list(bits)
        if len(bits) != n_in:
            raise Error(f"{fn.name}: expected {n_in} argument(s), got {len(bits)}")
        slots = new_slots("uint64_t[]", n_slots)
        for i, b in enumerate(bits):
            slots[i] = check_bits(params[i], b)
        call_with_slots(fn, slots, n_in, n_out)
        out = [slots[i] & masks[i] for i in range(n_out)]
        if has_refs:
            return [FROM_BITS[t](b) if t in REF_TYPES else b for t, b in zip(results, out, strict=True)]
        return out

    def arity(fn: Any, args: tuple[Any, ...]) -> Error:
        return Error(f"{fn.name}: expected {n_in} argument(s) {ftype}, got {len(args)}")

    if not supported:
        def unsupported(fn: Any, args: Any) -> Any:
            raise Error(f"{fn.name}: signature {ftype} cannot be called with Python values yet; use call_raw")
        return unsupported, raw

    conv = fr[0] if n_out == 1 else None
    call: Callable[[Any, Any], Any]
    if n_out <= 1 and n_in == 0:
        call0 = lib.wx_call0

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if args:
                raise arity(fn, args)
            r = call0(fn._code, fn._vm)
            if r == MAGIC:
                rc = last_rc()
                if rc:
                    return _fail(fn, rc, args, call)
            return conv(r) if conv else None
    elif n_out <= 1 and n_in == 1:
        call1, t0 = lib.wx_call1, to[0]

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != 1:
                raise arity(fn, args)
            r = call1(fn._code, fn._vm, t0(args[0]))
            if r == MAGIC:
                rc = last_rc()
                if rc:
                    return _fail(fn, rc, args, call)
            return conv(r) if conv else None
    elif n_out <= 1 and n_in == 2:
        call2, t0, t1 = lib.wx_call2, to[0], to[1]

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != 2:
                raise arity(fn, args)
            r = call2(fn._code, fn._vm, t0(args[0]), t1(args[1]))
            if r == MAGIC:
                rc = last_rc()
                if rc:
                    return _fail(fn, rc, args, call)
            return conv(r) if conv else None
    elif n_out <= 1 and n_in == 3:
        call3, t0, t1, t2 = lib.wx_call3, to[0], to[1], to[2]

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != 3:
                raise arity(fn, args)
            r = call3(fn._code, fn._vm, t0(args[0]), t1(args[1]), t2(args[2]))
            if r == MAGIC:
                rc = last_rc()
                if rc:
                    return _fail(fn, rc, args, call)
            return conv(r) if conv else None
    else:
        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != n_in:
                raise arity(fn, args)
            slots = new_slots("uint64_t[]", [t(a) for t, a in zip(to, args, strict=True)] or n_slots) \
                if n_in >= n_out else new_slots("uint64_t[]", n_slots)
            if n_in < n_out:
                for i in range(n_in):
                    slots[i] = to[i](args[i])
            rc = wx_call(fn._code, fn._vm, slots, n_in, n_out)
            if rc:
                return _fail(fn, rc, args, call)
            if n_out == 0:
                return None
            if n_out == 1:
                return fr[0](slots[0])
            return tuple(f(slots[i]) for i, f in enumerate(fr))
    return call, raw


def _make_v128_callers(ftype: FuncType) -> tuple[Callable[[Any, Any], Any], Callable[[Any, Any], list[int]]]:
    """Callers of a signature with v128 values: each takes two slots (low half first). A v128 is a
    Python int (unsigned when returned); the other types convert as usual."""
    params, results = ftype.params, ftype.results
    n_in, n_out = len(params), len(results)
    in_slots = sum(2 if t == V128 else 1 for t in params)
    out_slots = sum(2 if t == V128 else 1 for t in results)
    n_slots = max(in_slots, out_slots, 1)
    if not all(t == V128 or t in TO_BITS for t in params + results):
        raise Error(f"signature {ftype} cannot cross the Python boundary")
    masks = [RAW_MASK.get(t, MASK64) for t in results]

    def invoke(fn: Any, bits: list[int]) -> list[int]:
        slots = ffi.new("uint64_t[]", n_slots)
        k = 0
        for t, b in zip(params, bits, strict=True):
            if t == V128:
                slots[k], slots[k + 1] = b & MASK64, b >> 64
                k += 2
            else:
                slots[k] = b
                k += 1
        call_with_slots(fn, slots, in_slots, out_slots)
        out, k = [], 0
        for t, mask in zip(results, masks, strict=True):
            if t == V128:
                out.append(int(slots[k]) | int(slots[k + 1]) << 64)
                k += 2
            else:
                out.append(int(slots[k]) & mask)
                k += 1
        return out

    def raw(fn: Any, bits: Any) -> list[int]:
        bits = list(bits)
        if len(bits) != n_in:
            raise Error(f"{fn.name}: expected {n_in} argument(s), got {len(bits)}")
        out = invoke(fn, [check_v128_bits(b) if t == V128 else check_bits(t, b)
                          for t, b in zip(params, bits, strict=True)])
        return [FROM_BITS[t](b) if t in REF_TYPES else b for t, b in zip(results, out, strict=True)]

    def call(fn: Any, args: tuple[Any, ...]) -> Any:
        if len(args) != n_in:
            raise Error(f"{fn.name}: expected {n_in} argument(s) {ftype}, got {len(args)}")
        out = invoke(fn, [v128_to_bits(a) if t == V128 else TO_BITS[t](a)
                          for t, a in zip(params, args, strict=True)])
        values = [b if t == V128 else FROM_BITS[t](b) for t, b in zip(results, out, strict=True)]
        if n_out == 0:
            return None
        return values[0] if n_out == 1 else tuple(values)

    return call, raw


def eval_const(state: Any, expr: list[Any], on_stack: ConstStackOp | None = None) -> int:
    """Evaluate a constant expression for one instance (``global.get`` reads its globals;
    ``on_stack``: see ``_run_const``)."""
    def leaf(op: int, a: Any, pos: int) -> int:
        if op == 0x23:
            return state.global_bits(a)
        handler = _STATIC_OPS.get(op)
        if handler is None:
            raise CompileError(f"unsupported constant expression opcode {op:#x}", pos)
        value = handler(state.plan.layout, a)
        return state.base + int(value) if isinstance(value, _Rel) else value

    value = _run_const(expr, leaf, on_stack)
    assert value is not None
    return value
