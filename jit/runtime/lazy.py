"""Lazily compiled code: a module's functions compiled on their first call (docs/lazy-compilation.md).

``LazyCode`` plays ``LoadedCode``'s part for a module made with ``lazy=True`` (the default of
``jit.Module``). It loads the compiler's *header* (``jit.abi.lazy.LazyHeader``: a jump slot per
function, the lazy entries, the pointer table, the common stub, host-call stubs and a GOT of every
helper) into a segment of the process code arena reserved with room for the functions, and
registers the segment with the trap handler. Every call, funcref, table element and export of a
defined function targets its jump slot, ``jmp [rip + pointer]``; a pointer holds the function's lazy
entry until the function is compiled, so its first call reaches ``wx_lazy_entry`` (native/lazy.c),
which enters Python through cffi as host calls do (``wx_py_lazy_compile`` below, with the GIL).
There ``entry()`` compiles the function (the ``compile`` callable the pipeline gave: the runtime
never imports the compiler), places it in a segment (a new one when the current one is full),
resolves its calls (to the code of functions compiled already, else to their slots) and its helper
references (to the header's GOT), records its PC ranges for traps and backtraces, and installs it
with one native call: the code, then the pointer, written through the arena's writable view.

Fork: a forked child gets code memory of its own at the fork (native/arena.c copies the live code
into a new memfd mapped at the same addresses), so it compiles the functions it calls as the parent
does, without touching the parent's code; each module's compile lock is new in the child (one a
parent thread held at the fork would never be released there).

Threads: compiles of one module are serialized by its lock; a thread that finds the function
compiled (before or after waiting) returns the installed address, so racing threads run the same
code. A compile that raises (``jit.LimitError`` beyond ``Limits.max_code_bytes``, ...) fails that
call with the exception (as a host function's would); the function stays uncompiled.
"""
from __future__ import annotations

import bisect
import itertools
import os
import struct
import threading
import weakref
from array import array
from collections.abc import Callable
from itertools import chain
from typing import Any

from ..abi import stackmaps
from ..errors import CompileError, LimitError
from ..native import ffi, lib
from . import host, traps

_ALIGN = 16
# Room reserved for functions beyond the header, per byte of function bodies and per function:
# what compiled code takes (`wxjit bench compile`: 2.4x the body bytes for SQLite, 6.8x for 10k
# tiny functions whose prologues dominate). Unused room costs address space, not memory (the memfd
# pages are never touched); when it runs out a new segment is reserved.
_ROOM_PER_BODY_BYTE = 3
_ROOM_PER_FUNCTION = 64
_MIN_SEGMENT = 16 * 1024

_tokens = itertools.count(1)
_registry: dict[int, Any] = {}       # token -> weakref of a LazyCode
_pack_i32 = struct.Struct("<i").pack_into
_entry_address = lib.wx_lazy_entry_address()


@ffi.def_extern(name="wx_py_lazy_compile", error=0)
def _lazy_compile(token: int, index: int) -> int:
    """The native entry's way into Python: the code address of defined function ``index`` of the
    module registered under ``token``, compiled now if it is not yet; 0 when that raised."""
    try:
        ref = _registry.get(token)
        code = ref() if ref is not None else None
        if code is None:
            raise CompileError(f"lazy compilation: module {token} is gone")
        return code.entry(code.num_imported + index)
    except BaseException as exc:  # noqa: B036 - crosses back to the call's wrapper, as host calls do
        host._pending.exc = exc
        return 0


# The exception handler table of a segment (layout in native/unwind.c: [n_funcs, n_segs, n_clauses],
# then functions {start, end, mask, disp_rbx, disp_r12, disp_r13}, try-body segments {lo, hi, first,
# count}, clauses {kind, tag_off, pad}), made with room for entries and filled as functions arrive.
_EH_HEAD, _EH_FUNC, _EH_SEG, _EH_CLAUSE = 3, 6, 4, 3
_EH_FREE = 0xFFFFFFFF         # start / lo of an unused entry: after every code offset, so never found
_EH_FUNCS_MIN = 64
_EH_FUNCS_MAX = 4096


class _EhTable:
    """A segment's handler table for the unwinder, registered once and never moved or freed while the
    segment lives: its counts are its capacities, and unused entries sort after every real one (start
    and lo ``_EH_FREE``), so the binary searches of a concurrent unwinder find the same real entries
    whether an entry being filled in reads as unused or as the new function's (whose code has not run
    yet). A function that does not fit goes to a new segment."""

    __slots__ = ("words", "caps", "used")

    def __init__(self, funcs: int, segs: int, clauses: int) -> None:
        self.caps = (funcs, segs, clauses)
        self.used = [0, 0, 0]
        image = (array("I", (funcs, segs, clauses)) + array("I", (_EH_FREE, _EH_FREE, 0, 0, 0, 0)) * funcs
                 + array("I", (_EH_FREE, _EH_FREE, 0, 0)) * segs + array("I", (0, 0, 0)) * clauses)
        self.words = ffi.new("uint32_t[]", len(image))
        ffi.memmove(self.words, image, 4 * len(image))

    def fits(self, fc: Any) -> bool:
        nf, ns, nc = self.caps
        uf, us, uc = self.used
        return (uf + len(fc.eh_funcs) <= nf and us + len(fc.eh_segs) <= ns
                and uc + sum(len(cl) for _lo, _hi, cl in fc.eh_segs) <= nc)

    def add(self, fc: Any, start: int) -> None:
        """The records of ``fc`` placed at segment offset ``start`` (each entry's start / lo last)."""
        w = self.words
        nf, ns, _nc = self.caps
        segs_at, clauses_at = _EH_HEAD + _EH_FUNC * nf, _EH_HEAD + _EH_FUNC * nf + _EH_SEG * ns
        u = self.used
        for f_start, f_end, mask, d0, d1, d2 in fc.eh_funcs:
            at = _EH_HEAD + _EH_FUNC * u[0]
            w[at + 1], w[at + 2] = start + f_end, mask
            w[at + 3], w[at + 4], w[at + 5] = d0 & 0xFFFFFFFF, d1 & 0xFFFFFFFF, d2 & 0xFFFFFFFF
            w[at] = start + f_start
            u[0] += 1
        for lo, hi, clauses in fc.eh_segs:
            first = u[2]
            for kind, tag_off, pad in clauses:
                at = clauses_at + _EH_CLAUSE * u[2]
                w[at], w[at + 1], w[at + 2] = kind, tag_off, start + pad
                u[2] += 1
            at = segs_at + _EH_SEG * u[1]
            w[at + 1], w[at + 2], w[at + 3] = start + hi, first, len(clauses)
            w[at] = start + lo
            u[1] += 1


class _Segment:
    """A slot of the code arena holding compiled functions (the first one also the header), registered
    with the trap handler as one range. ``compiled`` is itself: ``jit.runtime.traps`` asks it which
    function and Wasm offset a pc is at (``func_at_pc``, ``wasm_offset_at``, ``func_names``)."""

    __slots__ = ("slot", "handle", "address", "size", "used", "names", "func_names", "starts", "ends",
                 "funcs", "pc_offsets", "pc_wasm", "eh", "safepoints", "maps", "__weakref__")

    def __init__(self, slot: Any, handle: int, names: Callable[[int], str | None],
                 func_names: dict[int, str], eh: _EhTable | None) -> None:
        self.slot = slot
        self.handle = handle
        self.address = slot.exec_address
        self.size = slot.size
        self.used = 0
        self.names = names
        self.func_names = func_names
        self.starts: list[int] = []        # code offsets of the functions placed here, ascending
        self.ends: list[int] = []
        self.funcs: list[int] = []
        self.pc_offsets: list[int] = []    # ascending too: functions are placed one after another
        self.pc_wasm: list[int] = []
        self.eh = eh
        self.safepoints: list[tuple[int, tuple[int, ...]]] = []    # stack maps, ascending offsets
        self.maps: list[Any] = []        # the registered table and the one before (a walker may read it)
        if eh is not None and (eh.caps[0] or eh.caps[1]):
            lib.wx_eh_register(handle, eh.words, self.address)

    def fits(self, fc: Any, start: int) -> bool:
        return start + len(fc.code) <= self.size and (
            (not fc.eh_funcs and not fc.eh_segs) or (self.eh is not None and self.eh.fits(fc)))

    @property
    def compiled(self) -> _Segment:
        return self

    def add(self, start: int, end: int, index: int, pc_offsets: list[int], pc_wasm: list[int]) -> None:
        """Record a function placed at ``start`` (before it can run: a trap in it finds it here)."""
        self.pc_offsets.extend(start + p for p in pc_offsets)
        self.pc_wasm.extend(pc_wasm)
        self.funcs.append(index)
        self.ends.append(end)
        self.starts.append(start)

    def add_stack_maps(self, safepoints: list[tuple[int, tuple[int, ...]]], start: int) -> None:
        """Stack maps of a function placed at ``start``: the segment's table is re-encoded and
        registered again (jit.abi.stackmaps; the previous table stays alive one more round)."""
        self.safepoints.extend(stackmaps.merge(safepoints, start))
        table = ffi.from_buffer("uint32_t[]", stackmaps.encode(self.safepoints))
        lib.wx_gc_register_maps(self.handle, table, self.address)
        self.maps = [self.maps[-1], table] if self.maps else [table]

    def func_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return self.funcs[i]
        return None

    def func_at_pc(self, offset: int) -> int | None:
        """As ``CompiledModule.func_at_pc``: a return address may be the end of its function."""
        return self.func_at(offset - 1)

    def wasm_offset_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.pc_offsets, offset) - 1
        if i >= 0 and self.func_at_pc(offset) == self.func_at_pc(self.pc_offsets[i]):
            return self.pc_wasm[i]
        return None


def _release(arena: Any, segments: list[tuple[Any, int]], token: int) -> None:
    """Free the segments (the module is gone, so no code of it runs); called by a finalizer."""
    _registry.pop(token, None)
    for slot, handle in segments:
        lib.wx_unregister_code(handle)
        try:
            arena.free(slot)
        except Exception:  # noqa: BLE001,S110 - interpreter shutdown, or an arena closed by its owner
            pass


def supported(arena: Any) -> bool:
    """Whether ``arena`` (a ``jit.codemem.arena.CodeArena``) can hold lazily compiled code."""
    return bool(lib.wx_lazy_supported(arena._a))


_LIVE: weakref.WeakSet[LazyCode] = weakref.WeakSet()


def _new_locks_in_child() -> None:
    for code in list(_LIVE):
        code._lock = threading.RLock()


os.register_at_fork(after_in_child=_new_locks_in_child)


class LazyCode:
    """A lazily compiled module's code (see the module docstring): ``address`` (the header's, the base
    of the code offsets in ``compiled``), ``size``, ``compiled`` (the header's ``CompiledModule``),
    ``names``; ``entry(index)`` compiles on demand, ``compile_all()`` compiles the rest."""

    __slots__ = ("address", "size", "compiled", "names", "header", "num_imported", "limits", "arena",
                 "token", "code_bytes", "compiles", "listeners", "_compile", "_entries", "_segments",
                 "_owned", "_lock", "_room", "__weakref__")

    def __init__(self, compiled: Any, header: Any, compile: Callable[[int], Any], *, arena: Any,
                 names: Callable[[int], str | None], limits: Any, body_bytes: int) -> None:
        self.compiled = compiled
        self.header = header
        self.names = names
        self.limits = limits
        self.arena = arena
        self.num_imported = compiled.num_imported_funcs
        self._compile = compile
        self._lock = threading.RLock()
        _LIVE.add(self)
        self.compiles = 0           # functions compiled so far
        self.code_bytes = 0         # their code, constant pools included
        self.listeners: list[Callable[[int, int, int], None]] = []   # (index, address, size) per compile
        n = header.num_functions
        self._entries = [0] * n     # code address of each compiled defined function, 0 until then
        self._segments: list[_Segment] = []
        self._owned: list[tuple[Any, int]] = []     # (arena slot, code range handle): freed at the end
        self.token = token = next(_tokens)
        weakref.finalize(self, _release, arena, self._owned, token)
        self._room = _ROOM_PER_BODY_BYTE * body_bytes + _ROOM_PER_FUNCTION * n
        code = bytearray(compiled.code)
        seg = self._new_segment(len(code) + self._room, header=True)
        base = self.address = seg.address
        self.size = len(code)
        first = base + header.lazy_entries
        code[header.pointers:header.pointers + 8 * n] = array("Q", range(first, first + 8 * n, 8)).tobytes()
        code[header.token:header.token + 8] = token.to_bytes(8, "little")
        code[header.entry:header.entry + 8] = _entry_address.to_bytes(8, "little")
        flat = list(chain.from_iterable(compiled.relocations)) or [0]
        bad = seg.slot.load(bytes(code), ffi.new("uint64_t[]", flat), len(compiled.relocations))
        if bad != -1:
            raise CompileError(f"bad relocation #{bad} in the lazy header")
        seg.slot.publish()
        seg.used = len(code)
        _registry[token] = weakref.ref(self)

    def _new_segment(self, nbytes: int, header: bool = False, fc: Any = None) -> _Segment:
        """A new arena slot of at least ``nbytes`` (open until published), registered for traps and,
        with a handler table sized for ``fc`` and more, for the unwinder."""
        slot = self.arena.alloc(max(nbytes, _MIN_SEGMENT))
        handle = lib.wx_register_code(slot.exec_address, slot.exec_address + slot.size)
        if handle < 0:
            self.arena.free(slot)
            raise LimitError("too many loaded modules: the native code range table is full")
        self._owned.append((slot, handle))
        prev = self._segments[-1].eh if self._segments else None
        nf = min(max(_EH_FUNCS_MIN, 2 * prev.caps[0] if prev else self.header.num_functions), _EH_FUNCS_MAX)
        ns = nc = 0
        if fc is not None and fc.eh_segs:       # try-body segments: room for this one and as many more
            ns = 2 * max(len(fc.eh_segs), prev.caps[1] if prev else 0, 16)
            nc = 2 * max(sum(len(cl) for _lo, _hi, cl in fc.eh_segs), prev.caps[2] if prev else 0, 16)
        elif prev is not None:
            ns, nc = prev.caps[1], prev.caps[2]
        eh = _EhTable(max(nf, len(fc.eh_funcs) if fc is not None else 0), ns, nc)
        seg = _Segment(slot, handle, self.names, self.compiled.func_names, eh)
        traps.register_code(handle, seg)
        self._segments.append(seg)
        if not header:
            slot.publish()          # written later through wx_lazy_install only
        return seg

    # -- compiling ----------------------------------------------------------------------------
    def is_compiled(self, index: int) -> bool:
        return bool(self._entries[index - self.num_imported])

    def compiled_functions(self) -> list[int]:
        """Function indices (of the index space) compiled so far, ascending."""
        nimp = self.num_imported
        return [nimp + i for i, a in enumerate(self._entries) if a]

    def entry(self, index: int) -> int:
        """The code address of defined function ``index``, compiling and installing it first if needed."""
        i = index - self.num_imported
        address = self._entries[i]
        if address:
            return address
        with self._lock:
            address = self._entries[i]
            if not address:
                address = self._install(self._compile(index))
            return address

    def compile_all(self) -> None:
        """Compile every function not compiled yet (in index order)."""
        nimp = self.num_imported
        for i in range(len(self._entries)):
            if not self._entries[i]:
                self.entry(nimp + i)

    def _install(self, fc: Any) -> int:
        """Place, link and install one ``FunctionCode``; its address (lock held)."""
        size = len(fc.code)
        limit = self.limits.max_code_bytes
        if limit is not None and self.size + self.code_bytes + size > limit:
            raise LimitError(f"compiled code of {self.size + self.code_bytes + size} bytes exceeds "
                             f"Limits.max_code_bytes = {limit} (compiling function {fc.index} lazily)")
        seg = self._segments[-1]
        start = -(-seg.used // _ALIGN) * _ALIGN
        if not seg.fits(fc, start):
            seg = self._new_segment(max(size, self._room // 2), fc=fc)
            start = 0
        seg.used = start + size                       # taken before anything else can run
        address = seg.address + start
        code = bytearray(fc.code)
        h = self.header
        entries, nimp, slots = self._entries, self.num_imported, self.address + h.slots
        try:
            for at, rel_to, callee in fc.calls:       # a compiled callee directly, else its slot
                target = entries[callee - nimp] or slots + 8 * (callee - nimp)
                _pack_i32(code, at, target - address - rel_to)
            got = h.got
            for at, rel_to, name in fc.helpers:
                _pack_i32(code, at, self.address + got[name] - address - rel_to)
        except struct.error:
            raise CompileError(f"lazy compilation: function {fc.index} placed out of rel32 reach") from None
        seg.add(start, start + fc.end, fc.index, fc.pc_offsets, fc.pc_wasm)
        if fc.safepoints:        # before the code can run: a collection walking it finds its maps
            seg.add_stack_maps(fc.safepoints, start)
        if fc.eh_funcs or fc.eh_segs:
            seg.eh.add(fc, start)
        i = fc.index - nimp
        rc = lib.wx_lazy_install(self.arena._a, seg.slot.offset + start, bytes(code), size,
                                 self._segments[0].slot.offset + h.pointers + 8 * i, address)
        if rc != lib.WX_ARENA_OK:
            raise self.arena._error(rc, "lazy install", size)
        entries[i] = address
        self.compiles += 1
        self.code_bytes += size
        for listener in self.listeners:
            listener(fc.index, address, fc.end)
        return address

    # -- introspection ------------------------------------------------------------------------
    def function_ranges(self) -> list[tuple[int, int, int]]:
        """(function index, start address, size) of every compiled function."""
        out = []
        for seg in self._segments:
            out.extend((f, seg.address + s, e - s) for f, s, e in zip(seg.funcs, seg.starts, seg.ends,
                                                                      strict=True))
        return out
