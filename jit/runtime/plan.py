"""``InstancePlan``: everything about instantiating one compiled module that does not depend on the instance.

Made once per module (and fuel variant) on first instantiation, so that a fresh instance costs a
handful of attribute sets and native calls:

- a *vmctx template*: the bytes of a new instance's context (header, host-import entries pointing at
  the module's host-call stubs, canonical type ids, constant global initialisers, funcrefs, the data
  and element segment arrays and element items), with the list of offsets holding self-relative
  pointers; ``wx_vmctx_init`` copies it and adds the new vmctx address at those offsets;
- what remains per instance: imported externs, memory 0, tables, dynamic initialisers
  (``global.get``), active segments;
- a pool of vmctx buffers (bounded by ``pool.max_free_vmctx``), reinitialised from the template on
  reuse, so nothing of a previous instance survives;
- the call specs of the exported functions (typed native entries chosen by signature shape).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import CompileError, Error
from ..native import ffi, lib
from ..wasm.types import FuncType
from . import pool
from . import vmctx as V
from .values import FROM_BITS, MASK32, MASK64, RAW_MASK, REF_TYPES, TO_BITS, check_bits

BUSY = lib.WX_CALL_BUSY
_type_ids: dict[FuncType, int] = {}
_type_lock = threading.Lock()


def canonical_type_id(ftype: FuncType) -> int:
    """The process-wide id of a function type (structural: equal types share an id; never 0)."""
    tid = _type_ids.get(ftype)
    if tid is None:
        with _type_lock:
            tid = _type_ids.setdefault(ftype, len(_type_ids) + 1)
    return tid


def _align(n: int, a: int) -> int:
    return (n + a - 1) & ~(a - 1)


class _Rel(int):
    """A template value relative to the vmctx address."""


# Constant expressions the template can evaluate: opcode -> value (a _Rel for ref.func).
_STATIC_OPS: dict[int, Callable[[Any, Any], int]] = {
    0x41: lambda plan, a: a & MASK32,                               # i32.const
    0x42: lambda plan, a: a & MASK64,                               # i64.const
    0x43: lambda plan, a: a & MASK32,                               # f32.const (raw bits)
    0x44: lambda plan, a: a & MASK64,                               # f64.const (raw bits)
    0xD0: lambda plan, a: 0,                                        # ref.null
    0xD2: lambda plan, a: _Rel(plan.layout.funcref(a)),             # ref.func
}


def static_value(plan: Any, expr: list[Any]) -> int | None:
    """The value of a constant expression that does not depend on the instance, else None."""
    value: int | None = 0
    for op, a, _b, _pos in expr:
        if op == 0x0B:
            break
        handler = _STATIC_OPS.get(op)
        if handler is None:
            return None
        value = handler(plan, a)
    return value


@dataclass(frozen=True)
class ActiveSegment:
    """An active data or element segment: its index, target (table), static offset or None, expr."""

    index: int
    target: int
    offset: int | None
    offset_expr: Any
    length: int


class InstancePlan:
    """The instance-independent part of instantiation of one module variant (see module docstring)."""

    def __init__(self, module: Any, compiled: Any, code: Any) -> None:
        w = module.wasm
        self.module = module
        self.compiled = compiled
        self.code = code                     # LoadedCode: keeps the code alive while plans exist
        self.code_base = code_base = code.address
        self.layout = layout = compiled.layout
        self.fuel = bool(compiled.fuel)
        self.func_types = w.all_func_types()
        self.n_imported_funcs = n_imp = compiled.num_imported_funcs
        self.imports = [(imp.kind, imp) for imp in w.imports]
        self.export_index = {exp.name: (exp.kind, exp.index) for exp in w.exports}
        self.memory_limits = (w.memories[0].limits.min, w.memories[0].limits.max) if w.memories else None
        self.defined_tables = [(tt.elem, tt.limits.min, tt.limits.max) for tt in w.tables]
        self.start = w.start
        self._specs: dict[int, CallSpec] = {}
        self.free_vms: list[tuple[Any, int]] = []

        n_datas, n_elems = len(w.datas), len(w.elems)
        self.datas_off = datas_off = _align(layout.size, 16)
        self.elems_off = elems_off = datas_off + V.VMDATASEG_SIZE * n_datas
        items_off = elems_off + V.VMELEMSEG_SIZE * n_elems
        item_offsets = []
        for seg in w.elems:
            item_offsets.append(items_off)
            items_off += 8 * len(seg.init)
        self.size = _align(max(items_off, 16), 16)

        words: dict[int, int] = {}            # byte offset -> u64 value (a _Rel when self-relative)
        words[V.VMCTX_OWNER_PTR] = _Rel(V.VMCTX_OWNER)
        words[V.VMCTX_DATAS] = _Rel(datas_off)
        words[V.VMCTX_ELEMS] = _Rel(elems_off)
        words[V.VMCTX_STACK_BUDGET] = 0
        for i in range(n_imp):                # host imports by default; Wasm imports are patched
            off = layout.imported_func(i)
            words[off + V.VMIMPORT_CODE] = code_base + compiled.host_stub_offsets[i]
            words[off + V.VMIMPORT_VMCTX] = _Rel(0)
        for t, ftype in enumerate(w.types):
            words[layout.type_id(t)] = canonical_type_id(ftype)
        for f, ftype in enumerate(self.func_types):
            off = layout.funcref(f)
            if f < n_imp:
                words[off + V.VMFUNCREF_CODE] = code_base + compiled.host_stub_offsets[f]
            else:
                words[off + V.VMFUNCREF_CODE] = code_base + compiled.func_offsets[f - n_imp]
            words[off + V.VMFUNCREF_VMCTX] = _Rel(0)
            words[off + V.VMFUNCREF_TYPE_ID] = canonical_type_id(ftype)
        n_imp_globals = layout.num_imported_globals
        self.dynamic_globals: list[tuple[int, Any]] = []
        for j, g in enumerate(w.globals):
            i = n_imp_globals + j
            words[layout.global_ptr(i)] = _Rel(layout.defined_global(i))
            value = static_value(self, g.init)
            if value is None:
                self.dynamic_globals.append((i, g.init))
            else:
                words[layout.defined_global(i)] = value
        # data segments: {base, length}; the bytes are the module's (kept alive by the plan)
        self._data_keep = [ffi.from_buffer(seg.data) for seg in w.datas]
        self.active_datas: list[ActiveSegment] = []
        for i, seg in enumerate(w.datas):
            words[datas_off + 16 * i + V.VMDATASEG_BASE] = int(ffi.cast("uintptr_t", self._data_keep[i]))
            words[datas_off + 16 * i + V.VMDATASEG_LENGTH] = len(seg.data)
            if seg.mode == "active":
                off = static_value(self, seg.offset)
                self.active_datas.append(ActiveSegment(i, seg.memory, off, seg.offset, len(seg.data)))
        # element segments: {items, length} and the items (VMFuncRef* of this instance, or 0)
        self.active_elems: list[ActiveSegment] = []
        self.dynamic_items: list[tuple[int, Any]] = []
        for i, seg in enumerate(w.elems):
            words[elems_off + 16 * i + V.VMELEMSEG_ITEMS] = _Rel(item_offsets[i])
            words[elems_off + 16 * i + V.VMELEMSEG_LENGTH] = 0 if seg.mode == "declarative" else len(seg.init)
            for j, expr in enumerate(seg.init):
                value = static_value(self, expr)
                if value is None:
                    self.dynamic_items.append((item_offsets[i] + 8 * j, expr))
                else:
                    words[item_offsets[i] + 8 * j] = value
            if seg.mode == "active":
                off = static_value(self, seg.offset)
                self.active_elems.append(ActiveSegment(i, seg.table, off, seg.offset, len(seg.init)))

        template = bytearray(self.size)
        rel = []
        for off, value in words.items():
            if isinstance(value, _Rel):
                rel.append(off)
            template[off:off + 8] = (int(value) & MASK64).to_bytes(8, "little")
        self.template = ffi.new("uint8_t[]", bytes(template))
        self.rel = ffi.new("uint32_t[]", sorted(rel) or [0])
        self.n_rel = len(rel)

    # -- vmctx buffers ------------------------------------------------------------------------------
    def new_vmctx(self) -> tuple[Any, int]:
        """A vmctx buffer (pooled or new) initialised from the template: (keep-alive, address)."""
        try:
            buf, base = self.free_vms.pop()
        except IndexError:
            buf = ffi.new("uint8_t[]", self.size + 16)
            base = (int(ffi.cast("uintptr_t", buf)) + 15) & ~15
        lib.wx_vmctx_init(ffi.cast("uint8_t *", base), self.template, self.size, self.rel, self.n_rel)
        return buf, base

    def free_vmctx(self, buf: Any, base: int) -> None:
        if len(self.free_vms) < pool.max_free_vmctx:
            self.free_vms.append((buf, base))

    # -- exported functions ------------------------------------------------------------------------
    def call_spec(self, funcidx: int) -> CallSpec:
        spec = self._specs.get(funcidx)
        if spec is None:
            compiled = self.compiled
            ftype = self.func_types[funcidx]
            name = compiled.func_names.get(funcidx) or self.module.wasm.func_name(funcidx) or f"func{funcidx}"
            code = self.code_base + compiled.func_offsets[funcidx - self.n_imported_funcs]
            spec = self._specs[funcidx] = CallSpec(code, ftype, name)
            spec.funcref_offset = self.layout.funcref(funcidx)
        return spec


class CallSpec:
    """How to call one function from Python: ``call(fn, args)`` (typed), ``raw(fn, bits)``, ``timed``.

    ``fn`` is the ``Function`` (it carries the vmctx, the result slot and the instance state). One
    native call per Python call; the typed entries ``wx_call0..3`` take the arguments by value.
    """

    __slots__ = ("code_address", "type", "name", "call", "raw", "timed", "funcref_offset")

    def __init__(self, code_address: int, ftype: FuncType, name: str) -> None:
        self.code_address = code_address
        self.type = ftype
        self.name = name
        self.funcref_offset = 0
        self.call, self.raw = _make_callers(code_address, ftype, name)
        call = self.call

        def timed(fn: Any, args: tuple[Any, ...]) -> Any:
            from .watchdog import WATCHDOG
            token = WATCHDOG.arm(fn._state, fn._state.timeout)
            try:
                return call(fn, args)
            finally:
                WATCHDOG.disarm(token)
        self.timed = timed


def wait_idle(state: Any) -> None:
    """Wait until no thread runs the instance group of ``state`` (contended calls)."""
    owner = state.owner_word
    delay = 20e-6
    while owner[0]:
        time.sleep(delay)
        delay = min(delay * 2, 1e-3)


def _fail(fn: Any, rc: int, args: Any, again: Callable[[Any, Any], Any]) -> Any:
    """The slow path of a call that did not return normally: wait and retry, or raise the trap."""
    if rc == BUSY:
        wait_idle(fn._state)
        return again(fn, args)
    raise fn._state.trap(rc)


def _make_callers(code_address: int, ftype: FuncType,
                  name: str) -> tuple[Callable[[Any, Any], Any], Callable[[Any, Any], list[int]]]:
    code = ffi.cast("void *", code_address)
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

    def raw(fn: Any, bits: Any) -> list[int]:
        bits = list(bits)
        if len(bits) != n_in:
            raise Error(f"{name}: expected {n_in} argument(s), got {len(bits)}")
        slots = new_slots("uint64_t[]", n_slots)
        for i, b in enumerate(bits):
            slots[i] = check_bits(params[i], b)
        state = fn._state
        token = None
        if state.timeout is not None:
            from .watchdog import WATCHDOG
            token = WATCHDOG.arm(state, state.timeout)
        try:
            while True:
                rc = wx_call(code, fn._vm, slots, n_in, n_out)
                if rc != BUSY:
                    break
                wait_idle(state)
        finally:
            if token is not None:
                WATCHDOG.disarm(token)
        if rc:
            raise state.trap(rc)
        out = [slots[i] & masks[i] for i in range(n_out)]
        if has_refs:
            return [FROM_BITS[t](b) if t in REF_TYPES else b for t, b in zip(results, out, strict=True)]
        return out

    def arity(args: tuple[Any, ...]) -> Error:
        return Error(f"{name}: expected {n_in} argument(s) {ftype}, got {len(args)}")

    if not supported:
        def unsupported(fn: Any, args: Any) -> Any:
            raise Error(f"{name}: signature {ftype} cannot be called with Python values yet; use call_raw")
        return unsupported, raw

    conv = fr[0] if n_out == 1 else None
    call: Callable[[Any, Any], Any]
    if n_out <= 1 and n_in == 0:
        call0 = lib.wx_call0

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if args:
                raise arity(args)
            out = fn._out
            rc = call0(code, fn._vm, out)
            if rc:
                return _fail(fn, rc, args, call)
            return conv(out[0]) if conv else None
    elif n_out <= 1 and n_in == 1:
        call1, t0 = lib.wx_call1, to[0]

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != 1:
                raise arity(args)
            out = fn._out
            rc = call1(code, fn._vm, t0(args[0]), out)
            if rc:
                return _fail(fn, rc, args, call)
            return conv(out[0]) if conv else None
    elif n_out <= 1 and n_in == 2:
        call2, t0, t1 = lib.wx_call2, to[0], to[1]

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != 2:
                raise arity(args)
            out = fn._out
            rc = call2(code, fn._vm, t0(args[0]), t1(args[1]), out)
            if rc:
                return _fail(fn, rc, args, call)
            return conv(out[0]) if conv else None
    elif n_out <= 1 and n_in == 3:
        call3, t0, t1, t2 = lib.wx_call3, to[0], to[1], to[2]

        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != 3:
                raise arity(args)
            out = fn._out
            rc = call3(code, fn._vm, t0(args[0]), t1(args[1]), t2(args[2]), out)
            if rc:
                return _fail(fn, rc, args, call)
            return conv(out[0]) if conv else None
    else:
        def call(fn: Any, args: tuple[Any, ...]) -> Any:
            if len(args) != n_in:
                raise arity(args)
            slots = new_slots("uint64_t[]", [t(a) for t, a in zip(to, args, strict=True)] or n_slots) \
                if n_in >= n_out else new_slots("uint64_t[]", n_slots)
            if n_in < n_out:
                for i in range(n_in):
                    slots[i] = to[i](args[i])
            rc = wx_call(code, fn._vm, slots, n_in, n_out)
            if rc:
                return _fail(fn, rc, args, call)
            if n_out == 0:
                return None
            if n_out == 1:
                return fr[0](slots[0])
            return tuple(f(slots[i]) for i, f in enumerate(fr))
    return call, raw


def eval_const(state: Any, expr: list[Any]) -> int:
    """Evaluate a constant expression for one instance (``global.get`` reads its globals)."""
    value = 0
    for op, a, _b, pos in expr:
        if op == 0x0B:
            break
        if op == 0x23:
            value = state.global_bits(a)
            continue
        handler = _STATIC_OPS.get(op)
        if handler is None:
            raise CompileError(f"unsupported constant expression opcode {op:#x}", pos)
        value = handler(state.plan, a)
        if isinstance(value, _Rel):
            value = state.base + int(value)
    return value
