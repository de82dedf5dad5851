"""``jit.Instance``: a module's code bound to its own state (vmctx), plus the exported functions.

Instantiation (Wasm 2.0 order): resolve and type-check imports (``jit.LinkError``), build the vmctx
from the module's template (``jit.runtime.plan``: one native copy, then the imported functions,
memory 0, tables and dynamic initialisers), apply active element then data segments by native
copies (an out-of-bounds segment raises ``jit.Trap``; earlier writes stay visible), run the start
function (a trap raises ``jit.Trap`` from the constructor). Memories and vmctx buffers come from
pools (``jit.runtime.pool``) and go back when the instance and everything exported from it are gone.

Calls: ``inst.exports["f"](*args)`` converts Python values by type and returns None, one value or a
tuple (one native call through a typed entry for up to three arguments and one result);
``.call_raw([bits...])`` takes and returns unsigned bit patterns (a list). A trap raises
``jit.Trap``; an exception raised by a host function comes out unchanged. The instance stays usable
after any trap.

Threads: an *instance group* (an instance and every instance it is linked with through imported
functions or shared tables) runs on one thread at a time. The native entry checks and sets the
group's owner word (no Python lock: a few ns); a host → Wasm re-entry on the running thread is
allowed, and a call from another thread while the group runs waits until it is idle (calls are
serialized; use one instance per thread for parallelism). This is also what keeps the stack limit in
each vmctx (copied at cross-instance calls) owned by the one running thread. Link instances while
they are idle. A funcref of another group passed in from Python (a host function result, a table
written from Python) is not covered by the rule: do not call it concurrently with its own group.

Interruption: ``interrupt()`` (any thread) sets the interrupt flag of the instance's group: the
running call traps with kind "interrupted" at its next function entry or loop header; if no call is
running, the next call traps. The call it stops consumes it: the native entry clears it before the
group is free again, so no other call (on any thread) sees an interrupt already used. ``Limits(timeout=T)``
arms the watchdog (``jit.runtime.watchdog``) for every call from the host. ``Limits(fuel=N)`` runs
the module's fuel variant with a budget of N units for the life of the instance (``fuel`` reads what
is left, and can be set).
"""
from __future__ import annotations

import bisect
import gc
import itertools
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

from ..abi import vmctx as V
from ..abi.limits import DEFAULT_LIMITS, Limits
from ..errors import Error, LimitError, Trap
from ..native import ffi, lib
from ..wasm.subtyping import canonical_functype
from ..wasm.types import V128, FuncType, GlobalType, is_ref
from . import host, linker, sigint
from .externs import Func, Global, InstanceFunction, Memory, Table
from .gc import ROOTS as gc_roots
from .memory import LinearMemory
from .module import Module
from .plan import InstancePlan, canonical_type_id
from .plan import eval_const as _eval_const
from .traps import trap_from_code
from .values import FUNCREFS, MASK32, MASK64, hold
from .watchdog import notify_interrupt

_instance_ids = itertools.count(1)
_ensure_signal_handlers = lib.wx_ensure_signal_handlers
_GROUP_INTERRUPT = V.GROUP_INTERRUPT // 8
_INTERRUPT_HINT = V.VMCTX_INTERRUPT_HINT // 8
_UNLIMITED_FUEL = 1 << 62
_BUSY = lib.WX_CALL_BUSY
_MEM_BASE = V.VMCTX_MEM_BASE // 8
_MEMORY = V.VMCTX_MEMORY // 8

# Live instances of the process (jit.Limits.max_instances): counted with two counters whose
# increments are atomic (no lock, so that a finalizer can never wait for one).
_created = itertools.count(1)
_released = itertools.count(1)
_counts = [0, 0]      # [created, released] so far


def live_instances() -> int:
    """Instances whose state is alive now (an exported function keeps its instance's state alive)."""
    return _counts[0] - _counts[1]


def _count_instance(limit: int | None) -> None:
    if limit is not None and live_instances() >= limit:
        gc.collect()     # instances only kept by reference cycles of user objects
        if live_instances() >= limit:
            raise LimitError(f"too many live instances: Limits.max_instances is {limit}")
    _counts[0] = next(_created)


def _uncount_instance() -> None:
    _counts[1] = next(_released)


class _Group:
    """Instances linked by imports or shared tables: one group block (owner word, interrupt flag)."""

    __slots__ = ("word", "members", "__weakref__")

    def __init__(self) -> None:
        self.word = ffi.new("uint64_t[]", V.GROUP_SIZE // 8)
        self.members: dict[int, Any] = {}     # instance id -> weak reference to its InstanceState

    def set_hints(self) -> None:
        """Set the interrupt hint in every member's vmctx (compiled code checks the hint; a set
        hint makes it read this group's flag). The states are held while their vmctx is written."""
        for ref in list(self.members.values()):
            st = ref()
            if st is not None and not st._released:
                st.vm[_INTERRUPT_HINT] = 1

    @property
    def address(self) -> int:
        return int(ffi.cast("uintptr_t", self.word))


class InstanceState:
    """Everything an instance owns; kept alive by the Instance, its exports and tables it writes to.

    Released (vmctx to the plan's pool, memory to the memory pool, host dispatch and funcref owner
    entries removed) when the last of them goes, by reference counting: nothing here refers back to
    the Instance or to Function objects.
    """

    __slots__ = ("plan", "module", "code", "code_base", "limits", "timeout", "_buf", "base", "vm", "id",
                 "memory", "memory_extern", "memories", "memory_externs", "tables", "globals", "funcs",
                 "imports", "group", "owner_word", "facade", "tags", "gc_heap", "_keep", "_released",
                 "__weakref__")

    def global_bits(self, index: int) -> int:
        cell = ffi.cast("uint64_t *", self.vm[self.plan.layout.global_ptr(index) // 8])
        if self.plan.wasm.global_type(index).valtype == V128:
            return int(cell[0]) | int(cell[1]) << 64
        return int(cell[0])

    def function(self, funcidx: int) -> Any:
        """The callable for function ``funcidx`` of the index space (imported extern or Function).

        Function objects are cached by weak reference (a Function refers to this state: a strong
        cache would make a reference cycle and delay the release of every instance to the GC)."""
        ref = self.funcs.get(funcidx)
        f = ref() if ref is not None else None
        if f is None:
            if funcidx < self.plan.n_imported_funcs:
                return self.imports_of("func")[funcidx]
            f = Function(self, funcidx)
            self.funcs[funcidx] = weakref.ref(f)
        return f

    def imports_of(self, want: str) -> list[Any]:
        """The imported externs of one kind, in index order."""
        return [ext for (kind, _), ext in zip(self.plan.imports, self.imports, strict=True) if kind == want]

    # -- interruption ------------------------------------------------------------------------------
    # The flag lives in the group block (owner_word[1]); the native entry clears it when the call it
    # stopped returns, before the group is released, so no other call can see a consumed interrupt.
    def interrupt(self) -> None:
        self.owner_word[_GROUP_INTERRUPT] = 1
        if self.group is not None:   # after the flag: a hint always finds the flag it announces
            self.group.set_hints()
        # A fault handler installed by another thread during the call (signal.signal's only sets a
        # flag, so the faulting access would re-execute forever): ours back in front, it traps.
        _ensure_signal_handlers()
        notify_interrupt()       # host functions blocked in a wait (jit.wasi.blocking) check theirs

    def interrupt_pending(self) -> bool:
        """Whether an interrupt (``interrupt()`` or a passed deadline) waits for a call to stop."""
        return bool(self.owner_word[_GROUP_INTERRUPT])

    def clear_interrupt(self) -> None:
        self.owner_word[_GROUP_INTERRUPT] = 0

    def trap(self, rc: int) -> BaseException:
        """The exception for return code ``rc`` of a call into this instance."""
        if rc == _BUSY:
            return Error("the instance is running on another thread")
        return trap_from_code(rc)

    # -- lifetime ----------------------------------------------------------------------------------
    def __del__(self) -> None:
        if getattr(self, "_released", True):
            return
        self._released = True
        try:
            if self.imports:
                host.unregister(self.id)
            if self.group is not None:
                self.group.members.pop(self.id, None)
            _uncount_instance()
            # the owner entry goes before the vmctx buffer can be reused by another instance
            if _owners.pop(self.base, None) is not None:
                _owners_fresh[0] = False
            self.plan.free_vmctx(self._buf)
        except Exception:  # noqa: BLE001,S110 - interpreter shutdown: modules may be gone
            pass


class Function(InstanceFunction):
    """An exported Wasm function bound to its instance: ``f(*args)`` and ``f.call_raw([bits])``."""

    __slots__ = ("_spec", "_state", "_call", "_vm", "_code", "__weakref__")

    def __init__(self, state: InstanceState, funcidx: int) -> None:
        plan = state.plan
        self._spec = spec = plan._specs.get(funcidx) or plan.call_spec(funcidx)
        self._state = state
        self._code = ffi.cast("void *", state.code_base + spec.code_offset)
        self._vm = state.vm
        self._call = spec.call if state.timeout is None else spec.timed
        if state.gc_heap is not None or plan.wasm.subtypes:    # GC types: check handles (docs/gc.md)
            self._call = _checked_call(self._call, plan, funcidx, spec.name)

    @property
    def type(self) -> FuncType:
        return self._spec.type

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def code_address(self) -> int:
        return self._state.code_base + self._spec.code_offset

    @property
    def vmctx_address(self) -> int:
        return self._state.base

    @property
    def funcref_address(self) -> int:
        return self._state.base + self._spec.funcref_offset

    @property
    def type_id(self) -> int:
        """The canonical id of the function's type (``jit.wasm.subtyping``; linking compares it)."""
        return int(ffi.cast("uint64_t *", self.funcref_address + V.VMFUNCREF_TYPE_ID)[0])

    def __call__(self, *args: Any) -> Any:
        return self._call(self, args)

    def call_raw(self, bits: Any) -> list[int]:
        """Call with unsigned bit patterns; returns the results as unsigned bit patterns."""
        return self._spec.raw(self, bits)

    @property
    def instance(self) -> Instance:
        """The instance this function belongs to."""
        return Instance._of(self._state)

    def __repr__(self) -> str:
        return f"<jit export function {self.name} {self.type}>"


def _checked_call(call: Any, plan: InstancePlan, funcidx: int, name: str) -> Any:
    """``call`` behind a check of the Python arguments against the function's GC parameter types
    (cached per plan and function)."""
    from .gcobjects import param_checker
    cache = plan.__dict__.setdefault("_gc_param_checks", {})
    if funcidx not in cache:
        cache[funcidx] = param_checker(plan.wasm, plan.wasm.func_type(funcidx), name)
    check = cache[funcidx]
    if check is None:
        return call

    def checked(fn: Any, args: tuple[Any, ...]) -> Any:
        check(args)
        return call(fn, args)
    return checked


class Exports(Mapping[str, Any]):
    """Read-only mapping of export name → extern. Names are also attributes, except those of Mapping
    methods (``get``, ``keys``, ``items``, ``values``): use ``exports["get"]`` for those.
    Extern objects are made on first access and are the same object afterwards."""

    __slots__ = ("_state", "_items")

    def __init__(self, state: InstanceState) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_items", {})

    def __getitem__(self, name: str) -> Any:
        item = self._items.get(name)
        if item is None:
            kind, index = self._state.plan.export_index[name]   # KeyError for unknown names
            item = self._items[name] = _export(self._state, kind, index)
        return item

    def __iter__(self) -> Iterator[str]:
        return iter(self._state.plan.export_index)

    def __len__(self) -> int:
        return len(self._state.plan.export_index)

    def __contains__(self, name: object) -> bool:
        return name in self._state.plan.export_index

    def __getattr__(self, name: str) -> Any:
        item = self._items.get(name)
        if item is None:
            try:
                kind, index = self._state.plan.export_index[name]
            except KeyError:
                raise AttributeError(f"no export named {name!r}") from None
            item = self._items[name] = _export(self._state, kind, index)
        return item

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("exports are read-only")

    def __repr__(self) -> str:
        return f"<exports {', '.join(self._state.plan.export_index)}>"


def _export(state: InstanceState, kind: str, index: int) -> Any:
    if kind == "func":
        return state.function(index)
    if kind == "memory":
        return _memory_extern(state, index)
    if kind == "table":
        return state.tables[index]
    if kind == "tag":
        return state.tags[index]
    g = state.globals.get(index)           # imported globals (strong), defined ones (weak: no cycle)
    if isinstance(g, weakref.ref):
        g = g()
    if g is None:
        gtype = state.module.wasm.global_type(index)
        gtype = GlobalType(state.plan.types.to_canonical(gtype.valtype), gtype.mutable)
        g = Global._view(gtype, state.base + state.plan.layout.defined_global(index), state)
        state.globals[index] = weakref.ref(g)
    return g


def _memory_extern(state: InstanceState, index: int = 0) -> Memory | None:
    """The ``Memory`` of memory ``index`` (one object per memory), or None if there is none."""
    if index >= len(state.memories):
        return None
    ext = state.memory_externs[index]
    if ext is None:
        ext = state.memory_externs[index] = Memory._wrap(state.memories[index])
        if index == 0:
            state.memory_extern = ext
    return ext


def _set_memory(st: InstanceState, lm: LinearMemory, ext: Memory | None) -> None:
    """Bind the next memory of the index space: its vmctx descriptor (and the header for memory 0)."""
    index = len(st.memories)
    st.memories.append(lm)
    st.memory_externs.append(ext)
    vm = st.vm
    desc = st.plan.layout.memory_desc(index)
    vm[(desc + V.VMMEMDESC_BASE) // 8] = lm.base
    vm[(desc + V.VMMEMDESC_MEMORY) // 8] = lm.address
    if index == 0:
        st.memory = lm
        st.memory_extern = ext
        vm[_MEM_BASE] = lm.base
        vm[_MEMORY] = lm.address


# Instance states by vmctx address (weak), to turn a funcref (a VMFuncRef address inside some vmctx)
# back into a function object. Entries are added and removed with single dict operations (atomic
# under the GIL: a finalizer never waits for anything); the sorted view that maps an address to its
# vmctx is rebuilt on the first lookup after a change. Every change stores False in _owners_fresh
# after changing the dict; a rebuild stores True before it copies the dict, so a change that the
# copy misses always leaves False behind.
_owners: dict[int, Any] = {}
_owners_sorted: list[int] = []
_owners_fresh = [False]
_owners_lock = threading.Lock()


def _register_owner(state: InstanceState) -> None:
    _owners[state.base] = weakref.ref(state)
    _owners_fresh[0] = False


def _owner_of(address: int) -> InstanceState | None:
    """The live state whose vmctx contains ``address``."""
    global _owners_sorted
    with _owners_lock:           # lookups only: registrations and finalizers never take it
        if not _owners_fresh[0]:
            _owners_fresh[0] = True
            _owners_sorted = sorted(_owners)
        starts = _owners_sorted
    i = bisect.bisect_right(starts, address) - 1
    if i < 0:
        return None
    ref = _owners.get(starts[i])
    state = ref() if ref is not None else None
    if state is None or state.base != starts[i] or address >= state.base + state.plan.size:
        return None
    return state


def _resolve_funcref(address: int) -> Any:
    state = _owner_of(address)
    if state is not None:
        rel = address - state.base - state.plan.layout.funcrefs
        funcidx, misaligned = divmod(rel, V.VMFUNCREF_SIZE)
        if rel >= 0 and not misaligned and funcidx < state.plan.n_funcs:
            return state.function(funcidx)
    raise Error(f"funcref {address:#x} does not belong to a live instance")


FUNCREFS.resolve = _resolve_funcref


def _join_groups(state: InstanceState, peers: list[InstanceState]) -> None:
    """Put ``state`` and every peer into one group (merging their groups)."""
    group = next((p.group for p in peers if p.group is not None), None) or _Group()
    for member in [state, *peers]:
        old = member.group
        if old is group:
            continue
        movers = [member] if old is None else [s for s in _group_states(old)]
        for s in movers:
            if s.owner_word[_GROUP_INTERRUPT]:          # a pending interrupt stays pending
                group.word[_GROUP_INTERRUPT] = 1
            s.group = group
            group.members[s.id] = weakref.ref(s)
            s.vm[V.VMCTX_OWNER_PTR // 8] = group.address
            s.owner_word = group.word
    if group.word[_GROUP_INTERRUPT]:
        group.set_hints()


def _group_states(group: _Group) -> list[InstanceState]:
    ids = set(group.members)
    out = []
    for ref in list(_owners.values()):
        s = ref()
        if s is not None and s.id in ids and s.group is group:
            out.append(s)
    return out


class Instance:
    """An instantiated module (see the module docstring). ``exports`` is a read-only Mapping."""

    __slots__ = ("_state", "exports", "__weakref__")

    def __init__(self, module: Module, imports: Mapping[str, Mapping[str, Any]] | None = None,
                 limits: Limits | None = None, *, _code: Any = None) -> None:
        """``_code``: run the module's code loaded elsewhere (an object with ``address``; for benchmarks)."""
        if not isinstance(module, Module):
            raise Error(f"jit.Instance needs a jit.Module, got {type(module).__name__}")
        limits = limits or DEFAULT_LIMITS
        if _ensure_signal_handlers() < 0:
            host.ensure_signal_handlers()     # raises the error
        fuel = limits.fuel is not None
        _compiled, code, plan = module._variants.get(fuel) or module._variant(fuel)
        if _code is not None:
            code = _code
        externs = _resolve(plan, module.wasm, imports) if plan.imports else []
        if limits.max_instances is None:
            _counts[0] = next(_created)
        else:
            _count_instance(limits.max_instances)
        st = InstanceState()
        st._released = True
        try:
            st.plan = plan
            st.module = module
            st.code = code
            st.code_base = code.address
            st.limits = limits
            st.timeout = limits.timeout
            st._buf = entry = plan.new_vmctx(code.address)
            st.base = base = entry[1]
            st.vm = vm = entry[2]
            st.owner_word = entry[3]
            st.id = iid = next(_instance_ids)
            st.memory = st.memory_extern = None
            st.memories = []
            st.memory_externs = []
            st.tables = []
            st.globals = {}
            st.funcs = {}
            st.imports = externs
            st.group = None
            st.facade = None
            st.tags = []
            st.gc_heap = None
            st._keep = None        # instances whose funcrefs this one may hold (FUNCREFS.hand_to)
            st._released = False
        except BaseException:
            _uncount_instance()
            raise
        vm[V.VMCTX_INSTANCE_ID // 8] = iid
        vm[V.VMCTX_STACK_BUDGET // 8] = limits.max_stack_bytes
        vm[V.VMCTX_HOST_STACK // 8] = limits.host_stack_bytes or 1     # 0 would mean the default
        if plan.fuel:
            vm[V.VMCTX_FUEL // 8] = _UNLIMITED_FUEL if limits.fuel is None else limits.fuel
        if plan.wasm.types:                   # Wasm GC: descriptors for casts and allocation (docs/gc.md)
            _setup_gc(st, vm, limits)
        _register_owner(st)
        self._state = st
        gc_roots.add_instance(st)      # traced globals and element segments (jit.runtime.gc)
        self.exports = Exports(st)
        st.facade = weakref.ref(self)
        if externs:
            cached = plan.link_cache
            if cached is not None and cached[1] is externs and cached[2] is not None:
                host.register(st.id, cached[2])      # host functions only: the template is linked
            else:
                _link(st, externs)
            host.install_fast(st, [e for (kind, _), e in zip(plan.imports, externs, strict=True)
                                   if kind == "func"])
        if plan.tag_types:                    # the instance's own tags: new identities (after imports)
            from .exceptions import Tag
            layout = plan.layout
            for ft, type_id in zip(plan.tag_types, plan.tag_type_ids, strict=True):
                tag = Tag(_type=ft, _type_id=type_id)
                gc_roots.add_tag(tag.address, ft.params, plan.wasm.types)   # its traced payload slots
                vm[layout.tag(len(st.tags)) // 8] = tag.address
                st.tags.append(tag)
        for lo, hi, is64 in plan.defined_memories:      # Limits.max_memory_pages caps each one
            _set_memory(st, LinearMemory(lo, hi, limits.max_memory_pages, is64), None)
        if plan.defined_tables:
            layout = plan.layout
            first = len(st.tables)
            for i, (elem, lo, hi, is64, _init) in enumerate(plan.defined_tables):
                table = Table(elem, lo, hi, limit=limits.max_table_elements, table64=is64)
                table._keep.add(st)
                st.tables.append(table)
                vm[layout.table(first + i) // 8] = table.address
        for i, expr in plan.dynamic_globals:
            value = eval_const(st, expr)
            slot = ffi.cast("uint64_t *", base + plan.layout.defined_global(i))
            slot[0] = value & MASK64
            slot[1] = value >> 64          # the high half of a v128 (16 bytes per global)
        for off, expr in plan.dynamic_items:
            ffi.cast("uint64_t *", base + off)[0] = eval_const(st, expr)
        if plan.defined_tables:
            first = len(st.tables) - len(plan.defined_tables)
            for i, (_elem, lo, _hi, _is64, init) in enumerate(plan.defined_tables):
                if init is not None and lo:          # a table with an initialiser expression
                    value = eval_const(st, init)
                    if value:
                        st.tables[first + i]._fill(value)
        if plan.active_elems:
            _init_elems(st)
        if plan.active_datas:
            _init_datas(st)
        if plan.start is not None:
            f = st.function(plan.start)
            if f.type.params or f.type.results:
                raise Error(f"start function {plan.start} has type {f.type}")
            f()

    @classmethod
    def _of(cls, state: InstanceState) -> Instance:
        """The Instance object of ``state`` (a new facade if the original one is gone)."""
        inst = state.facade() if state.facade is not None else None
        if inst is None:
            inst = cls.__new__(cls)
            inst._state = state
            inst.exports = Exports(state)
            state.facade = weakref.ref(inst)
        return inst

    # -- public ------------------------------------------------------------------------------------
    def interrupt(self) -> None:
        """Stop the running call of this instance's group (trap "interrupted"), or the next one."""
        self._state.interrupt()

    @property
    def module(self) -> Module:
        return self._state.module

    @property
    def limits(self) -> Limits:
        return self._state.limits

    @property
    def vmctx_address(self) -> int:
        return self._state.base

    @property
    def fuel(self) -> int | None:
        """Fuel left (``Limits(fuel=N)``); negative once exhausted; None without a fuel limit."""
        st = self._state
        if st.limits.fuel is None:
            return None
        v = int(st.vm[V.VMCTX_FUEL // 8])
        return v - (1 << 64) if v >= 1 << 63 else v

    @fuel.setter
    def fuel(self, units: int) -> None:
        st = self._state
        if st.limits.fuel is None:
            raise Error("this instance has no fuel limit (create it with jit.Limits(fuel=N))")
        if not 0 <= units < 1 << 62:
            raise LimitError(f"fuel must be in [0, 2**62), got {units}")
        st.vm[V.VMCTX_FUEL // 8] = units

    @property
    def memory(self) -> Memory | None:
        """Memory 0 of this instance (defined or imported), or None."""
        return _memory_extern(self._state)

    @property
    def memories(self) -> list[Memory]:
        """Every memory of this instance, in index order (imported ones first)."""
        st = self._state
        return [_memory_extern(st, i) for i in range(len(st.memories))]

    def function(self, funcidx: int) -> Any:
        """The callable for function ``funcidx`` of the index space (imported extern or Function)."""
        return self._state.function(funcidx)

    def __repr__(self) -> str:
        return f"<jit.Instance of {self._state.module!r}>"


def _setup_gc(st: InstanceState, vm: Any, limits: Limits) -> None:
    """Register the module's canonical types natively and give the instance its GC heap block."""
    from ..wasm.subtyping import canonical_ids
    from ..wasm.types import ArrayType, StructType
    from .gcobjects import new_heap, register_types, types_table
    wasm = st.plan.wasm
    register_types(canonical_ids(wasm))
    vm[V.VMCTX_GC_TYPES // 8] = types_table()
    if any(isinstance(t, (StructType, ArrayType)) for t in wasm.types):
        st.gc_heap = new_heap(limits.max_gc_heap_bytes)
        vm[V.VMCTX_GC_HEAP // 8] = int(ffi.cast("uintptr_t", st.gc_heap))


def eval_const(st: InstanceState, expr: list[Any]) -> int:
    """A constant expression's value for instance ``st`` (GC instructions allocate in its heap)."""
    from .gcobjects import gc_const_op, uses_gc
    if uses_gc(expr):
        return _eval_const(st, expr, gc_const_op(st))
    return _eval_const(st, expr)


def _resolve(plan: InstancePlan, wasm: Any, imports: Any) -> list[Any]:
    """The imported externs, type-checked; the same list as last time when ``imports`` is the same
    mapping holding the same host functions (a few identity checks instead of type comparisons)."""
    cached = plan.link_cache
    if cached is not None and cached[0] is imports:
        externs = cached[1]
        for (_kind, imp), ext in zip(plan.imports, externs, strict=True):
            ns = imports.get(imp.module)
            if ns is None or ns.get(imp.name) is not ext:
                break
        else:
            return externs
    externs = linker.resolve(wasm, imports)
    plan.link_cache = (imports, externs, None)
    return externs


def _link(st: InstanceState, externs: list[Any]) -> None:
    """Bind the imports: functions (host adapters or other instances' code), memory, tables, globals."""
    plan = st.plan
    layout = plan.layout
    vm = st.vm
    adapters: list[Any] = []
    peers: list[InstanceState] = []
    fi = ti = gi = 0
    for (kind, imp), ext in zip(plan.imports, externs, strict=True):
        if kind == "func":
            if isinstance(ext, Func):
                adapter = ext._adapter
                if adapter is None:
                    adapter = ext._adapter = host.make_adapter(ext.callable, canonical_functype(ext.type),
                                                               f"import {imp.module}.{imp.name}", ext)
                adapters.append(adapter)
                # import entry and funcref are the template's (host stub, this vmctx)
            else:
                adapters.append(None)
                code, callee_vm = ext.code_address, ext.vmctx_address
                off = layout.imported_func(fi) // 8
                vm[off + V.VMIMPORT_CODE // 8] = code
                vm[off + V.VMIMPORT_VMCTX // 8] = callee_vm
                ref = layout.funcref(fi) // 8
                vm[ref + V.VMFUNCREF_CODE // 8] = code
                vm[ref + V.VMFUNCREF_VMCTX // 8] = callee_vm
                vm[ref + V.VMFUNCREF_TYPE_ID // 8] = ext.type_id     # its own type (maybe a subtype)
                peers.append(ext._state)
                if any(is_ref(t) for t in ext._spec.type.params):     # it may keep our funcrefs
                    hold(ext._state, st)
            fi += 1
        elif kind == "memory":
            _set_memory(st, ext._lm, ext)
        elif kind == "tag":
            vm[layout.tag(len(st.tags)) // 8] = ext.address
            st.tags.append(ext)
        elif kind == "table":
            vm[layout.table(ti) // 8] = ext.address
            peers.extend(s for s in ext._keep if isinstance(s, InstanceState) and not s._released)
            ext._keep.add(st)
            st.tables.append(ext)
            ti += 1
        else:
            vm[layout.global_ptr(gi) // 8] = ext.address
            st.globals[gi] = ext
            if ext.type.mutable and is_ref(ext.type.valtype):     # we may store our funcrefs there
                hold(ext if ext._owner is None else ext._owner, st)
            gi += 1
    if fi:
        host.register(st.id, adapters)
    if len(adapters) == len(externs) and all(a is not None for a in adapters):
        plan.link_cache = (plan.link_cache[0] if plan.link_cache else None, externs, adapters)
    if peers:
        _join_groups(st, peers)


def _init_elems(st: InstanceState) -> None:
    plan = st.plan
    vm_elems = plan.elems_off
    for seg in plan.active_elems:
        index, target, offset, offset_expr, length = seg
        seg_ptr = ffi.cast("wx_segment *", st.base + vm_elems + V.VMELEMSEG_SIZE * index)
        if offset is None:
            offset = eval_const(st, offset_expr) & (MASK64 if plan.table64[target] else MASK32)
        table = st.tables[target]
        rc = lib.wx_table_init_at(ffi.cast("wx_table *", table.address), seg_ptr, offset, 0, length)
        seg_ptr.length = 0     # active segments are dropped once applied
        if rc:
            raise Trap("out of bounds table access")


def _init_datas(st: InstanceState) -> None:
    plan = st.plan
    memories = st.memories
    for seg in plan.active_datas:
        index, memidx, offset, offset_expr, length = seg
        seg_ptr = ffi.cast("wx_segment *", st.base + plan.datas_off + V.VMDATASEG_SIZE * index)
        mem = memories[memidx] if memidx < len(memories) else None
        if offset is None:
            offset = eval_const(st, offset_expr) & (MASK64 if mem is not None and mem.is64 else MASK32)
        rc = 1 if mem is None else lib.wx_memory_init_at(ffi.cast("void *", mem.address), seg_ptr, offset, 0,
                                                          length)
        seg_ptr.length = 0     # active segments are dropped once applied
        if rc:
            raise Trap("out of bounds memory access")


sigint.register_types(Function, InstanceState)

__all__ = ["Exports", "Function", "Instance", "InstanceState", "canonical_type_id", "live_instances"]
