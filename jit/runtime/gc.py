"""The collector: a non-moving mark-sweep over the references Wasm can reach (docs/gc.md).

Roots: the Wasm frames of the collecting thread (stack maps of every safepoint, walked by
``native/gcroots.c``), the tables and globals of live instances and Python-made tables/globals,
passive element segments, the exceptions in flight outside Wasm on any thread, the heap objects and
exceptions Python holds (``GcRef``, ``ExnRef``), and the handles Python made or handed out since the
previous collection. Marking sets one byte per externref handle and, through the GC heap's
operations (``wx_gc_set_heap_ops``), marks and traces heap objects; exnref words mark exception
objects, whose payloads are traced by their tag's types (``native/unwind.c``). The sweep releases
the unmarked externref handles (``jit.runtime.values.EXTERNREFS``), frees the unmarked escaped
exceptions (then ``AFTER_SWEEP`` lets go of the tags only they kept) and unmarked heap objects.

Threading rule: a collection runs only at a safepoint of the collecting thread (``collect()`` from
Python, a host function, or a helper of compiled code that collects) and only when no other thread is
inside Wasm; entries of other threads wait while it marks (``wx_gc_begin``/``wx_gc_end``). Otherwise it
is deferred: ``collect()`` returns None and the next trigger tries again. Triggers: ``collect()``,
allocation pressure (``EXTERNREFS.threshold`` new handles since the last collection), and the bytes of
GC objects and escaped exceptions allocated since the last sweep (``native/gc.c``: the next GC
allocation or throw site collects, or the next exception a host function raises).
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..abi import vmctx as V
from ..errors import Error
from ..native import ffi, lib
from ..wasm.types import V128
from ..wasm.types import is_collected as traced_type
from .gcobjects import held_addresses
from .values import EXTERNREFS, held_exnrefs

MIN_THRESHOLD = 10_000


@dataclass(frozen=True)
class CollectStats:
    """What one collection did: handles live before and released, frames walked, reference words
    seen, heap objects marked, exceptions marked (escaped ones, and those in flight) and escaped
    exceptions freed."""

    live_before: int
    released: int
    frames: int
    words: int
    objects: int
    exceptions: int = 0
    exceptions_freed: int = 0


class _Roots:
    """Registries of the roots outside the stack: weak, so that a root dies with its owner."""

    def __init__(self) -> None:
        self.tables: weakref.WeakSet[Any] = weakref.WeakSet()      # jit.Table with traced elements
        self.globals: weakref.WeakSet[Any] = weakref.WeakSet()     # jit.Global made by Python
        self.instances: weakref.WeakSet[Any] = weakref.WeakSet()   # InstanceState with traced globals/elems
        self._plans: weakref.WeakKeyDictionary[Any, tuple] = weakref.WeakKeyDictionary()

    def plan_roots(self, plan: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(vmctx offsets of the cell pointers of traced globals, vmctx offsets of traced element
        segments) of an instance plan, computed once per plan."""
        got = self._plans.get(plan)
        if got is None:
            w = plan.wasm
            types = w.types
            layout = plan.layout
            globs = tuple(layout.global_ptr(i) for i, g in enumerate(w.all_globals())
                          if traced_type(g.valtype, types))
            elems = tuple(plan.elems_off + V.VMELEMSEG_SIZE * i for i, seg in enumerate(w.elems)
                          if seg.mode == "passive" and traced_type(seg.elemtype, types))
            got = self._plans[plan] = (globs, elems)
        return got

    @staticmethod
    def add_tag(address: int, params: Any, types: Any = ()) -> None:
        """Write the payload slots that hold references a collection follows (``traced_type``) into
        the ``traced`` list of the VMTag at ``address``, in place: a ``jit.Tag``'s cell has room for one
        entry per slot (``jit.runtime.exceptions``), and the list lives as long as the cell. Called
        before any exception of the tag exists; ``types`` resolves concrete reference types (without
        them a concrete type counts as traced, which is safe: words that are no collected object are
        ignored)."""
        slots, at = [], 0
        for t in params:
            if traced_type(t, types):
                slots.append(at)
            at += 2 if t == V128 else 1
        cell = ffi.cast("wx_tag *", address)
        room = cell.traced
        if room == ffi.NULL:
            raise Error(f"the VMTag at {address:#x} has no room for its traced slots")
        for i, slot in enumerate(slots):
            room[1 + i] = slot
        room[0] = len(slots)

    def add_instance(self, state: Any) -> None:
        globs, elems = self.plan_roots(state.plan)
        if globs or elems:
            self.instances.add(state)


ROOTS = _Roots()
AFTER_SWEEP: list[Callable[[], None]] = []
"""Called after every collection that swept, outside it (``jit.runtime.exceptions`` lets go of the
cells of dead tags whose last exceptions were freed)."""
_lock = threading.Lock()
_collections = [0]
_deferred = [0]
_exceptions_freed = [0]


def collect() -> CollectStats | None:
    """Collect now if this thread may (the threading rule above); None when deferred."""
    if not _lock.acquire(blocking=False):       # another collection is running (or this one: a
        _deferred[0] += 1                        # weakref callback of the release calling collect)
        return None
    try:
        result = _collect()
    finally:
        _lock.release()
    if result is not None:
        for hook in AFTER_SWEEP:
            hook()
    return result


def _collect() -> CollectStats | None:
    refs = EXTERNREFS
    if not lib.wx_gc_begin():
        _deferred[0] += 1
        return None
    released: list[object] = []
    try:
        n = len(refs.objects)
        buf = bytearray(n)
        marks = ffi.new("wx_gc_marks *")
        cbuf = ffi.from_buffer("uint8_t[]", buf)
        marks.handles = cbuf
        marks.n_handles = n
        if lib.wx_gc_mark_frames(marks) < 0:     # not at a safepoint of every activation
            _deferred[0] += 1
            return None
        tables = [t.address for t in list(ROOTS.tables)]
        if tables:
            lib.wx_gc_mark_tables(marks, ffi.new("uint64_t[]", tables), len(tables))
        cells = [g.address for g in list(ROOTS.globals)]
        segments = []
        for st in list(ROOTS.instances):
            if st._released:
                continue
            globs, elems = ROOTS.plan_roots(st.plan)
            vm = st.vm
            cells.extend(int(vm[off // 8]) for off in globs)
            segments.extend(st.base + off for off in elems)
        if cells:
            lib.wx_gc_mark_word_ptrs(marks, ffi.new("uint64_t[]", cells), len(cells))
        if segments:
            lib.wx_gc_mark_segments(marks, ffi.new("uint64_t[]", segments), len(segments))
        lib.wx_gc_mark_pending(marks)      # the operands of an allocation (or the throw) collecting
        # Exceptions outside Wasm frames, on every thread, before the handles Python holds: a thread
        # makes the ExnRefs of an uncaught exception's payload before it takes the exception, so
        # each of them is either still in flight here or already held below.
        lib.wx_gc_mark_in_flight(marks)
        held = held_addresses()            # what Python holds handles to: GcRef, then ExnRef (only
        if held:                           # addresses of escaped exceptions are read)
            lib.wx_gc_mark_words(marks, ffi.new("uint64_t[]", held), len(held))
        held = held_exnrefs()
        if held:
            lib.wx_gc_mark_held_exceptions(marks, ffi.new("uint64_t[]", held), len(held))
        cutoff = refs.epoch            # handles handed out since the previous collection stay
        refs.epoch += 1
        objects, touched = refs.objects, refs.touched
        dead = [h for h in range(1, n) if not buf[h] and objects[h] is not None and touched[h] < cutoff]
        live_before = refs.live
        released = refs.release(dead)
        lib.wx_gc_sweep_heap(marks)
        refs.made = 0
        refs.threshold = max(MIN_THRESHOLD, refs.live)     # 100% growth over the survivors
        _collections[0] += 1
        _exceptions_freed[0] += int(marks.exceptions_freed)
        return CollectStats(live_before, len(dead), int(marks.frames), int(marks.words), int(marks.objects),
                            int(marks.exceptions), int(marks.exceptions_freed))
    finally:
        lib.wx_gc_end()
        del released        # the table's references go after the collection: callbacks run here


def stats() -> dict[str, int]:
    """Counters: collections run, collections deferred, externref handles held, the next threshold,
    escaped exceptions kept now and freed by collections so far."""
    return {"collections": _collections[0], "deferred": _deferred[0], "handles": EXTERNREFS.live,
            "threshold": EXTERNREFS.threshold, "exceptions": int(lib.wx_exn_retained()),
            "exceptions_freed": _exceptions_freed[0]}


def collect_if_due() -> None:
    """Collect when escaped exceptions or GC allocations passed the pressure trigger (``native/gc.c``)
    and no throw site or allocation collected yet: called where Python may collect (a host function
    raising ``jit.WasmException``)."""
    if lib.wx_gc_take_due():
        collect()


def _pressure() -> None:
    collect()


EXTERNREFS.pressure = _pressure


@ffi.def_extern()
def wx_py_gc_collect() -> int:
    """A helper of compiled code asks for a collection (native/gcroots.c wx_gc_collect_from_wasm):
    1 when it ran, 0 when it was deferred."""
    try:
        return 0 if collect() is None else 1
    except Exception:  # noqa: BLE001 - never unwind Python through compiled code
        return 0


__all__ = ["AFTER_SWEEP", "CollectStats", "ROOTS", "collect", "collect_if_due", "stats", "traced_type"]
