"""``jit.Instance``: a module's code bound to its own state (vmctx), plus the exported functions.

Instantiation (Wasm 2.0 order): resolve and type-check imports (``jit.LinkError``), build the vmctx
(header, imported functions, tables, global pointers, canonical type ids, inline globals, funcrefs),
create or import memory 0 and the tables, evaluate global initializers, apply active element then
data segments (an out-of-bounds segment raises ``jit.Trap``; earlier writes stay visible), run the
start function (a trap raises ``jit.Trap`` from the constructor).

Calls: ``inst.exports["f"](*args)`` converts Python values by type and returns None, one value or a
tuple; ``.call_raw([bits...])`` takes and returns unsigned bit patterns (a list). A trap raises
``jit.Trap``; an exception raised by a host function comes out unchanged. Each instance has a
re-entrant lock, so several threads may share it (calls are serialized; host → Wasm re-entry on the
same thread works). The instance stays usable after any trap.
"""
from __future__ import annotations

import bisect
import itertools
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import CompileError, Error, Trap
from ..native import ffi, lib
from ..wasm.types import FuncType
from . import host, linker
from . import vmctx as V
from .externs import Func, Global, Memory, Table
from .limits import Limits
from .memory import LinearMemory
from .module import Module
from .traps import trap_from_code
from .values import FROM_BITS, FUNCREFS, MASK32, MASK64, RAW_MASK, REF_TYPES, TO_BITS, check_bits

_instance_ids = itertools.count(1)
_type_ids: dict[FuncType, int] = {}
_type_lock = threading.Lock()


def canonical_type_id(ftype: FuncType) -> int:
    """The process-wide id of a function type (structural: equal types share an id; never 0)."""
    tid = _type_ids.get(ftype)
    if tid is None:
        with _type_lock:
            tid = _type_ids.setdefault(ftype, len(_type_ids) + 1)
    return tid


def _make_callers(code_address: int, vm: Any, ftype: FuncType, lock: Any,
                  name: str) -> tuple[Callable[..., Any], Callable[[Any], list[int]]]:
    """The typed and raw call functions of one export (specialized for the common shapes)."""
    code = ffi.cast("void *", code_address)
    params, results = ftype.params, ftype.results
    n_in, n_out = len(params), len(results)
    slots = ffi.new("uint64_t[]", max(n_in, n_out, 1))
    wx_call = lib.wx_call
    supported = all(t in TO_BITS for t in params) and all(t in FROM_BITS for t in results)
    to = [TO_BITS.get(t) for t in params]
    fr = [FROM_BITS.get(t) for t in results]
    masks = [RAW_MASK.get(t, MASK64) for t in results]   # i32/f32 results: upper halves are not ours
    has_refs = any(t in REF_TYPES for t in results)

    def raw(bits: Any) -> list[int]:
        bits = list(bits)
        if len(bits) != n_in:
            raise Error(f"{name}: expected {n_in} argument(s), got {len(bits)}")
        for i, b in enumerate(bits):
            slots[i] = check_bits(params[i], b)
        with lock:
            rc = wx_call(code, vm, slots, n_in, n_out)
            out = [slots[i] & masks[i] for i in range(n_out)]
        if rc:
            raise trap_from_code(rc)
        if has_refs:
            return [FROM_BITS[t](b) if t in REF_TYPES else b for t, b in zip(results, out, strict=True)]
        return out

    def arity(args: tuple[Any, ...]) -> Error:
        return Error(f"{name}: expected {n_in} argument(s) {ftype}, got {len(args)}")

    if not supported:
        def unsupported(*args: Any) -> Any:
            raise Error(f"{name}: signature {ftype} cannot be called with Python values yet; use call_raw")
        return unsupported, raw

    conv = fr[0] if n_out == 1 else None
    if n_out <= 1 and n_in == 0:
        call0 = lib.wx_call0

        def call(*args: Any) -> Any:
            if args:
                raise arity(args)
            with lock:
                rc = call0(code, vm, slots)
                r = slots[0]
            if rc:
                raise trap_from_code(rc)
            return conv(r) if conv else None
    elif n_out <= 1 and n_in == 1:
        call1, t0 = lib.wx_call1, to[0]

        def call(*args: Any) -> Any:
            if len(args) != 1:
                raise arity(args)
            a = t0(args[0])
            with lock:
                rc = call1(code, vm, a, slots)
                r = slots[0]
            if rc:
                raise trap_from_code(rc)
            return conv(r) if conv else None
    elif n_out <= 1 and n_in == 2:
        call2, t0, t1 = lib.wx_call2, to[0], to[1]

        def call(*args: Any) -> Any:
            if len(args) != 2:
                raise arity(args)
            a, b = t0(args[0]), t1(args[1])
            with lock:
                rc = call2(code, vm, a, b, slots)
                r = slots[0]
            if rc:
                raise trap_from_code(rc)
            return conv(r) if conv else None
    else:
        def call(*args: Any) -> Any:
            if len(args) != n_in:
                raise arity(args)
            bits = [t(a) for t, a in zip(to, args, strict=True)]
            with lock:
                for i in range(n_in):
                    slots[i] = bits[i]
                rc = wx_call(code, vm, slots, n_in, n_out)
                out = [slots[i] for i in range(n_out)]
            if rc:
                raise trap_from_code(rc)
            if n_out == 0:
                return None
            if n_out == 1:
                return fr[0](out[0])
            return tuple(f(b) for f, b in zip(fr, out, strict=True))
    return call, raw


class Function:
    """An exported Wasm function bound to its instance: ``f(*args)`` and ``f.call_raw([bits])``."""

    __slots__ = ("type", "name", "instance", "code_address", "vmctx_address", "funcref_address", "_call",
                 "_raw", "__weakref__")

    def __init__(self, instance: Instance, code_address: int, ftype: FuncType, name: str,
                 funcref_address: int) -> None:
        self.type = ftype
        self.funcref_address = funcref_address
        self.name = name
        self.instance = instance
        self.code_address = code_address
        self.vmctx_address = instance.vmctx_address
        self._call, self._raw = _make_callers(code_address, instance._vm, ftype, instance._lock, name)

    def __call__(self, *args: Any) -> Any:
        return self._call(*args)

    def call_raw(self, bits: Any) -> list[int]:
        """Call with unsigned bit patterns; returns the results as unsigned bit patterns."""
        return self._raw(bits)

    def __repr__(self) -> str:
        return f"<jit export function {self.name} {self.type}>"


class Exports(Mapping[str, Any]):
    """Read-only mapping of export name → extern. Names are also attributes, except those of Mapping
    methods (``get``, ``keys``, ``items``, ``values``): use ``exports["get"]`` for those."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, Any]) -> None:
        object.__setattr__(self, "_items", items)

    def __getitem__(self, name: str) -> Any:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(f"no export named {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("exports are read-only")

    def __repr__(self) -> str:
        return f"<exports {', '.join(self._items)}>"


# Instances by the address range of their vmctx, to turn a funcref (a VMFuncRef address) back into a
# function object.
_owner_starts: list[int] = []
_owner_refs: list[tuple[int, Any]] = []   # (end, weakref to the instance)
_owner_lock = threading.Lock()


def _register_owner(inst: Instance, start: int, end: int) -> None:
    with _owner_lock:
        i = bisect.bisect_left(_owner_starts, start)
        _owner_starts.insert(i, start)
        _owner_refs.insert(i, (end, weakref.ref(inst)))


def _unregister_owner(start: int) -> None:
    with _owner_lock:
        i = bisect.bisect_left(_owner_starts, start)
        if i < len(_owner_starts) and _owner_starts[i] == start:
            del _owner_starts[i]
            del _owner_refs[i]


def _resolve_funcref(address: int) -> Any:
    i = bisect.bisect_right(_owner_starts, address) - 1
    if i >= 0:
        end, ref = _owner_refs[i]
        inst = ref()
        if inst is not None and address < end:
            rel = address - _owner_starts[i] - inst._layout.funcrefs
            if rel >= 0 and rel % V.VMFUNCREF_SIZE == 0:
                return inst.function(rel // V.VMFUNCREF_SIZE)
    raise Error(f"funcref {address:#x} does not belong to a live instance")


FUNCREFS.resolve = _resolve_funcref


_CONST_OPS: dict[int, Callable[[Instance, Any], int]] = {
    0x41: lambda inst, a: a & MASK32,                # i32.const
    0x42: lambda inst, a: a & MASK64,                # i64.const
    0x43: lambda inst, a: a & MASK32,                # f32.const (raw bits)
    0x44: lambda inst, a: a & MASK64,                # f64.const (raw bits)
    0x23: lambda inst, a: inst._global_bits(a),      # global.get
    0xD0: lambda inst, a: 0,                         # ref.null
    0xD2: lambda inst, a: inst._funcref_address(a),  # ref.func
}


class Instance:
    """An instantiated module (see the module docstring). ``exports`` is a read-only Mapping."""

    def __init__(self, module: Module, imports: Mapping[str, Mapping[str, Any]] | None = None,
                 limits: Limits | None = None) -> None:
        if not isinstance(module, Module):
            raise Error(f"jit.Instance needs a jit.Module, got {type(module).__name__}")
        host.ensure_signal_handlers()
        self.module = module
        self.limits = limits = limits or Limits()
        w = module.wasm
        compiled = module.compiled
        layout = compiled.layout
        externs = linker.resolve(w, imports)
        self._externs = externs
        self._lock = threading.RLock()
        self._id = next(_instance_ids)
        self._layout = layout
        self._vm_buf = ffi.new("uint8_t[]", layout.size + 16)
        base = (int(ffi.cast("uintptr_t", self._vm_buf)) + 15) & ~15
        self.vmctx_address = base
        self._vm = vm = ffi.cast("uint64_t *", base)
        vm[V.VMCTX_STACK_BUDGET // 8] = limits.max_stack_bytes
        vm[V.VMCTX_FUEL // 8] = limits.fuel or 0
        vm[V.VMCTX_INSTANCE_ID // 8] = self._id
        code_base = module.code.address

        by_kind: dict[str, list[tuple[Any, Any]]] = {"func": [], "table": [], "memory": [], "global": []}
        for imp, ext in zip(w.imports, externs, strict=True):
            by_kind[imp.kind].append((imp, ext))

        # imported functions
        adapters: list[Any] = []
        self._funcs: list[Any] = []          # extern per imported function, Function per defined one
        func_types = w.all_func_types()
        for i, (imp, ext) in enumerate(by_kind["func"]):
            if isinstance(ext, Func):
                code, callee_vm = code_base + compiled.host_stub_offsets[i], base
                adapters.append(host.make_adapter(ext.callable, ext.type, f"import {imp.module}.{imp.name}"))
            else:
                code, callee_vm = ext.code_address, ext.vmctx_address
                adapters.append(None)
            off = layout.imported_func(i) // 8
            vm[off + V.VMIMPORT_CODE // 8] = code
            vm[off + V.VMIMPORT_VMCTX // 8] = callee_vm
            self._funcs.append(ext)
        host.register(self._id, adapters)
        _register_owner(self, base, base + layout.size)
        self._finalizer = weakref.finalize(self, _forget, self._id, base)

        # canonical type ids and funcrefs
        for t, ftype in enumerate(w.types):
            vm[layout.type_id(t) // 8] = canonical_type_id(ftype)
        n_imp = compiled.num_imported_funcs
        for f, ftype in enumerate(func_types):
            off = layout.funcref(f) // 8
            if f < n_imp:
                imp_off = layout.imported_func(f) // 8
                vm[off + V.VMFUNCREF_CODE // 8] = vm[imp_off]
                vm[off + V.VMFUNCREF_VMCTX // 8] = vm[imp_off + 1]
            else:
                vm[off + V.VMFUNCREF_CODE // 8] = code_base + compiled.func_offsets[f - n_imp]
                vm[off + V.VMFUNCREF_VMCTX // 8] = base
            vm[off + V.VMFUNCREF_TYPE_ID // 8] = canonical_type_id(ftype)

        # memory 0
        self._memory: LinearMemory | None = None
        self._memory_extern: Memory | None = None
        if by_kind["memory"]:
            self._memory_extern = by_kind["memory"][0][1]
            self._memory = self._memory_extern._lm
        elif w.memories:
            lim = w.memories[0].limits
            self._memory = LinearMemory(lim.min, lim.max, limits.max_memory_pages)
        if self._memory is not None:
            vm[V.VMCTX_MEM_BASE // 8] = self._memory.base
            vm[V.VMCTX_MEMORY // 8] = self._memory.address

        # tables
        self._tables: list[Table] = [ext for _, ext in by_kind["table"]]
        for tt in w.tables:
            self._tables.append(Table(tt.elem, tt.limits.min, tt.limits.max, limit=limits.max_table_elements))
        for i, table in enumerate(self._tables):
            vm[layout.table(i) // 8] = table.address
            table._keep.add(self)

        # globals
        self._globals: list[Global | None] = []
        n_imp_globals = layout.num_imported_globals
        for i, (_, ext) in enumerate(by_kind["global"]):
            vm[layout.global_ptr(i) // 8] = ext.address
            self._globals.append(ext)
        for j, g in enumerate(w.globals):
            i = n_imp_globals + j
            addr = base + layout.defined_global(i)
            vm[layout.global_ptr(i) // 8] = addr
            ffi.cast("uint64_t *", addr)[0] = self._eval_const(g.init)
            self._globals.append(None)

        # defined functions and exports
        self._funcs.extend([None] * (len(func_types) - n_imp))   # Function objects are made on demand
        self.exports = Exports({exp.name: self._export(exp.kind, exp.index) for exp in w.exports})

        self._build_segments()
        self._init_elems()
        self._init_datas()
        if w.start is not None:
            self._run_start(w.start)

    # -- public ------------------------------------------------------------------------------------
    def interrupt(self) -> None:
        """Ask running code to stop at its next interrupt check (it traps with kind "interrupted")."""
        self._vm[V.VMCTX_INTERRUPT // 8] = 1

    @property
    def memory(self) -> Memory | None:
        """Memory 0 of this instance (defined or imported), or None."""
        if self._memory is None:
            return None
        if self._memory_extern is None:
            self._memory_extern = Memory._wrap(self._memory)
        return self._memory_extern

    def function(self, funcidx: int) -> Any:
        """The callable for function ``funcidx`` of the index space (imported extern or Function)."""
        f = self._funcs[funcidx]
        if f is None:
            compiled = self.module.compiled
            n_imp = compiled.num_imported_funcs
            ftype = self.module.wasm.func_type(funcidx)
            name = compiled.func_names.get(funcidx) or f"func{funcidx}"
            f = Function(self, self.module.code.address + compiled.func_offsets[funcidx - n_imp], ftype, name,
                         self._funcref_address(funcidx))
            self._funcs[funcidx] = f
        return f

    def __repr__(self) -> str:
        return f"<jit.Instance of {self.module!r}>"

    # -- internals ---------------------------------------------------------------------------------
    def _export(self, kind: str, index: int) -> Any:
        if kind == "func":
            return self.function(index)
        if kind == "memory":
            return self.memory
        if kind == "table":
            return self._tables[index]
        g = self._globals[index]
        if g is None:
            gtype = self.module.wasm.global_type(index)
            g = Global._view(gtype, self.vmctx_address + self._layout.defined_global(index), self)
            self._globals[index] = g
        return g

    def _global_bits(self, index: int) -> int:
        return int(ffi.cast("uint64_t *", self._vm[self._layout.global_ptr(index) // 8])[0])

    def _funcref_address(self, funcidx: int) -> int:
        return self.vmctx_address + self._layout.funcref(funcidx)

    def _eval_const(self, expr: list[Any]) -> int:
        value = 0
        for op, a, _b, pos in expr:
            if op == 0x0B:
                break
            handler = _CONST_OPS.get(op)
            if handler is None:
                raise CompileError(f"unsupported constant expression opcode {op:#x}", pos)
            value = handler(self, a)
        return value

    def _build_segments(self) -> None:
        """The VMDataSegment / VMElemSegment arrays of vmctx (bulk memory and table.init read them)."""
        w = self.module.wasm
        vm = self._vm
        self._data_bytes = [ffi.from_buffer(seg.data) for seg in w.datas]
        self._datas = ffi.new("wx_segment[]", max(len(w.datas), 1))
        for i, seg in enumerate(w.datas):
            self._datas[i].base = int(ffi.cast("uintptr_t", self._data_bytes[i]))
            self._datas[i].length = len(seg.data)
        self._elem_items = [ffi.new("uint64_t[]", [self._eval_const(e) for e in seg.init] or [0])
                            for seg in w.elems]
        self._elems = ffi.new("wx_segment[]", max(len(w.elems), 1))
        for i, seg in enumerate(w.elems):
            self._elems[i].base = int(ffi.cast("uintptr_t", self._elem_items[i]))
            self._elems[i].length = len(seg.init)
        vm[V.VMCTX_DATAS // 8] = int(ffi.cast("uintptr_t", self._datas))
        vm[V.VMCTX_ELEMS // 8] = int(ffi.cast("uintptr_t", self._elems))

    def _init_elems(self) -> None:
        for i, seg in enumerate(self.module.wasm.elems):
            if seg.mode != "active":
                if seg.mode == "declarative":
                    self._elems[i].length = 0
                continue
            self._elems[i].length = 0   # active segments are dropped once applied
            table = self._tables[seg.table]
            offset = self._eval_const(seg.offset) & MASK32
            n = len(seg.init)
            if offset + n > table.size:
                raise Trap("out of bounds table access")
            for j, expr in enumerate(seg.init):
                table._set_bits(offset + j, self._eval_const(expr))

    def _init_datas(self) -> None:
        for i, seg in enumerate(self.module.wasm.datas):
            if seg.mode != "active":
                continue
            self._datas[i].length = 0   # active segments are dropped once applied
            mem = self._memory
            offset = self._eval_const(seg.offset) & MASK32
            if mem is None or not mem.in_bounds(offset, len(seg.data)):
                raise Trap("out of bounds memory access")
            mem.write(offset, seg.data)

    def _run_start(self, funcidx: int) -> None:
        f = self.function(funcidx)
        if f.type.params or f.type.results:
            raise Error(f"start function {funcidx} has type {f.type}")
        f()


def _forget(instance_id: int, vmctx_address: int) -> None:
    host.unregister(instance_id)
    _unregister_owner(vmctx_address)


__all__ = ["Exports", "Function", "Instance", "canonical_type_id"]
