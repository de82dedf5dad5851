"""Wasm GC objects as the runtime sees them: type descriptors, heaps, Python handles, constant expressions.

- ``register_types`` gives every canonical type id of a module (and its supertypes) its native
  descriptor (``native/gc.c``) before the module's code or constant expressions can allocate or cast;
  registering is idempotent and process-wide, so casts work across modules.
- ``new_heap`` makes the accounting block of one instance (``jit.Limits.max_gc_heap_bytes``); an
  allocation past its limit traps "GC heap exhausted".
- At the Python boundary a heap object is a ``GcRef``: an opaque handle that keeps the object alive
  while Python holds it (``held_addresses`` are roots for the collector) and can be passed back in; an
  i31 is an ``I31Ref`` (a value: its 31-bit payload). A ``GcRef`` cannot be pickled, and one used in a
  process other than the one that made it (after a fork) raises ``jit.Error``.
- ``gc_const_op`` evaluates the constant expressions that use GC instructions (``struct.new``,
  ``array.new*``, ``ref.i31``, ``any.convert_extern``...) for globals, element segments and tables.
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ..abi import gclayout as G
from ..errors import Error, Trap
from ..native import ffi, lib
from ..wasm.subtyping import KIND_ARRAY, KIND_FUNC, canonical_type
from ..wasm.types import HEAP_INDEX, ArrayType, FuncType, StructType

_KIND = {KIND_FUNC: G.KIND_FUNC, 0x6B: G.KIND_STRUCT, KIND_ARRAY: G.KIND_ARRAY}
_registered: set[int] = set()
_lock = threading.Lock()


def _storages(comp: FuncType | StructType | ArrayType) -> list[int]:
    if isinstance(comp, StructType):
        return [f.storage for f in comp.fields]
    if isinstance(comp, ArrayType):
        return [comp.field.storage]
    return []


def register_types(cids: Iterable[int]) -> None:
    """Make sure every canonical id of ``cids`` (and every supertype) has its native descriptor."""
    for cid in cids:
        if cid in _registered:
            continue
        with _lock:
            _register(cid)


def _register(cid: int) -> None:
    if cid in _registered or cid == 0:
        return
    ct = canonical_type(cid)
    chain = [cid]
    sup = ct.super
    while sup:
        _register(sup)
        chain.append(sup)
        sup = canonical_type(sup).super
    chain.reverse()
    storages = _storages(ct.comp)
    if isinstance(ct.comp, ArrayType):
        offsets, size = [0], G.storage_bytes(storages[0])
    else:
        offsets, size = G.struct_layout(storages)
    sizes = [G.storage_bytes(s) for s in storages]
    refs = [int(G.is_ref_storage(s)) for s in storages]
    n = len(storages)
    rc = lib.wx_gc_register_type(cid, _KIND[ct.kind], int(ct.final), ct.depth, ffi.new("uint64_t[]", chain),
                                 n, ffi.new("uint32_t[]", offsets or 1), ffi.new("uint8_t[]", sizes or 1),
                                 ffi.new("uint8_t[]", refs or 1), size)
    if rc != 0:
        raise Error(f"cannot register GC type {cid} (out of memory or too many types)")
    _registered.add(cid)


def types_table() -> int:
    """Address of the process-wide descriptor table (VMCTX_GC_TYPES)."""
    return int(ffi.cast("uintptr_t", lib.wx_gc_types_table()))


def new_heap(limit: int | None) -> Any:
    """A new accounting block (released when the returned cdata is collected)."""
    h = lib.wx_gc_heap_new((1 << 64) - 1 if limit is None else limit)
    if h == ffi.NULL:
        raise MemoryError("cannot allocate a GC heap block")
    return ffi.gc(h, lib.wx_gc_heap_release)


# -- Python handles --------------------------------------------------------------------------------
class HeldAddresses:
    """How many Python handles hold each runtime object, by address: the addresses held are roots
    for the collector. Re-entrant: a handle's ``__del__`` may run (a cyclic collection started by an
    allocation) while the lock is held by the same thread."""

    __slots__ = ("_counts", "_lock")

    def __init__(self) -> None:
        self._counts: Counter[int] = Counter()
        self._lock = threading.RLock()

    def hold(self, address: int) -> None:
        with self._lock:
            self._counts[address] += 1

    def release(self, address: int) -> None:
        with self._lock:
            n = self._counts[address] - 1
            if n > 0:
                self._counts[address] = n
            else:
                self._counts.pop(address, None)

    def addresses(self) -> list[int]:
        with self._lock:
            return list(self._counts)


_HELD = HeldAddresses()


def held_addresses() -> list[int]:
    """Addresses of the heap objects Python holds handles to (roots for the collector)."""
    return _HELD.addresses()


_KIND_NAMES = {G.KIND_STRUCT: "struct", G.KIND_ARRAY: "array"}


MINTED = object()
"""The runtime's token for making a ``GcRef`` or ``ExnRef`` from an address it knows to be an object."""


class GcRef:
    """A Wasm GC heap object (struct or array) held by Python: opaque; keeps the object alive while it
    exists; equal to another handle of the same object; usable only in the process that made it."""

    __slots__ = ("_address", "_pid", "__weakref__")

    def __init__(self, address: int, minted: object = None) -> None:
        if minted is not MINTED:        # an address from anywhere but the runtime would be read as an object
            raise Error("a GcRef comes only from Wasm (a result, a global, a table element or a field); "
                        "it cannot be made from an address")
        self._pid = os.getpid()
        self._address = address
        _HELD.hold(address)

    def __del__(self) -> None:
        address = getattr(self, "_address", None)
        if address is not None:
            _HELD.release(address)

    def _word(self) -> int:
        if self._pid != os.getpid():
            raise Error("a GC reference belongs to the process that made it; it cannot be used after fork")
        return self._address

    @property
    def kind(self) -> str:
        """"struct" or "array"."""
        desc = ffi.cast("wx_gc_object *", self._word()).desc
        return _KIND_NAMES.get(desc.kind, "?")

    @property
    def type_id(self) -> int:
        """The canonical type id of the object (``jit.wasm.subtyping``)."""
        return int(ffi.cast("wx_gc_object *", self._word()).desc.cid)

    def __len__(self) -> int:
        obj = ffi.cast("wx_gc_object *", self._word())
        if obj.desc.kind != G.KIND_ARRAY:
            raise TypeError("a struct reference has no length")
        return int(obj.length)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GcRef) and other._address == self._address

    def __hash__(self) -> int:
        return hash(self._address)

    def __reduce__(self) -> Any:
        raise Error("a GC reference cannot leave its process (it cannot be pickled)")

    def __repr__(self) -> str:
        return f"<GcRef {self.kind} of type {self.type_id} at {self._address:#x}>"


class I31Ref:
    """An ``i31ref`` value in Python: its 31-bit payload ``value`` (unsigned, 0 <= value < 2**31);
    ``signed`` is the ``i31.get_s`` view. Equal to another with the same payload, as ``ref.eq`` says."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        if not isinstance(value, int):
            raise Error(f"an i31 payload is an int, got {value!r}")
        self.value = value & 0x7FFFFFFF

    @property
    def signed(self) -> int:
        v = self.value
        return v - (1 << 31) if v & 0x40000000 else v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, I31Ref) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("i31", self.value))

    def __repr__(self) -> str:
        return f"I31Ref({self.value})"


def gc_from_bits(bits: int) -> object:
    """The Python value of a non-null, non-host word of the ``any`` hierarchy."""
    if bits & 1:
        return I31Ref(bits >> 1)
    return GcRef(bits, MINTED)


def gc_to_bits(obj: object) -> int | None:
    """The word of a GC value (GcRef, I31Ref), or None when ``obj`` is not one."""
    if isinstance(obj, GcRef):
        return obj._word()
    if isinstance(obj, I31Ref):
        return (obj.value << 1) | 1
    return None


# -- constant expressions ----------------------------------------------------------------------------
_ALLOC = {
    0xFB000: ("wx_gc_struct_new", None), 0xFB001: ("wx_gc_struct_new_default", 0),
    0xFB006: ("wx_gc_array_new", None), 0xFB007: ("wx_gc_array_new_default", 1),
    0xFB008: ("wx_gc_array_new_fixed", None),
}
GC_CONST_OPS = frozenset((*_ALLOC, 0xFB01A, 0xFB01B, 0xFB01C))


def uses_gc(expr: list[Any]) -> bool:
    """Whether a constant expression needs ``gc_const_op``."""
    return any(ins[0] in GC_CONST_OPS for ins in expr)


def gc_const_op(state: Any) -> Callable[[Any, list[int]], bool]:
    """The GC instructions of constant expressions for the instance ``state``, as the ``on_stack``
    hook of ``jit.runtime.plan.eval_const``: ``ref.i31``, the extern/any conversions and the
    allocations work on the evaluation stack (allocations in the instance's heap); the hook returns
    False for every other instruction."""
    wasm = state.plan.wasm
    canon = wasm.canonical

    def on_stack(ins: Any, stack: list[int]) -> bool:
        op, a, b, pos = ins
        if op == 0xFB01C:                         # ref.i31
            stack.append(((stack.pop() & 0x7FFFFFFF) << 1) | 1)
        elif op in (0xFB01A, 0xFB01B):           # any.convert_extern / extern.convert_any: the same word
            pass
        elif op in _ALLOC:
            name, fixed = _ALLOC[op]
            comp = wasm.types[a]
            if op == 0xFB000:
                n = len(comp.fields)
                widths = [2 if f.storage == 0x7B else 1 for f in comp.fields]
            elif op == 0xFB006:
                n, widths = 2, [2 if comp.field.storage == 0x7B else 1, 1]
            elif op == 0xFB008:
                n, widths = b, [2 if comp.field.storage == 0x7B else 1] * b
            else:
                n, widths = fixed, [1] * fixed
            operands = stack[len(stack) - n:] if n else []
            del stack[len(stack) - n:]
            slots = ffi.new("uint64_t[]", max(sum(widths), 1))
            k = 0
            for value, w in zip(operands, widths, strict=True):
                slots[k] = value & 0xFFFFFFFFFFFFFFFF
                if w == 2:
                    slots[k + 1] = value >> 64
                k += w
            register_types([canon[a]])
            imm = b if op == 0xFB008 else 0
            rc = getattr(lib, name)(ffi.cast("void *", state.base), canon[a], imm, slots)
            if rc:
                from ..abi.vmctx import TRAP_KINDS
                raise Trap(TRAP_KINDS[rc], None, None, pos)
            stack.append(int(slots[0]))
        else:
            return False
        return True

    return on_stack


# -- typed parameters at the Python boundary ----------------------------------------------------------
def _describe(obj: object) -> str:
    if isinstance(obj, GcRef):
        return f"a GC {obj.kind} of type {obj.type_id}"
    if isinstance(obj, I31Ref):
        return "an i31"
    return "null" if obj is None else f"a host object ({type(obj).__name__})"


def param_checker(wasm: Any, ft: FuncType, name: str) -> Callable[[tuple[Any, ...]], None] | None:
    """A check of Python arguments against the ``any``-hierarchy parameter types of ``ft`` (module-local
    types of ``wasm``): a GcRef must be of a subtype, an I31Ref needs i31/eq/any, a host object needs
    any, None a nullable type; a mismatch raises ``jit.Error``. None when no parameter needs one."""
    from ..wasm.subtyping import TypeContext, canonical_heap_sub, canonical_top, heap, nullable
    from ..wasm.types import ANYREF, I31REF, is_ref, valtype_name
    ctx = TypeContext(wasm)
    checks: list[tuple[int, int, bool, str]] = []
    for i, t in enumerate(ft.params):
        if not is_ref(t):
            continue
        ct = ctx.to_canonical(t)
        if canonical_top(ct) != ANYREF or heap(ct) == ANYREF:
            continue
        checks.append((i, heap(ct), nullable(ct), valtype_name(t)))
    if not checks:
        return None

    def check(args: tuple[Any, ...]) -> None:
        for i, h, null_ok, tname in checks:
            if i >= len(args):
                return
            a = args[i]
            if a is None:
                ok = null_ok
            elif isinstance(a, GcRef):
                ok = canonical_heap_sub(HEAP_INDEX | a.type_id, h)
            elif isinstance(a, I31Ref):
                ok = canonical_heap_sub(I31REF, h)
            else:
                ok = False
            if not ok:
                raise Error(f"{name}: argument {i} is {_describe(a)}, which is not a {tname}")
    return check
