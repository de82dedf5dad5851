"""What the compiler hands the runtime for lazy compilation (docs/lazy-compilation.md).

A lazily compiled module is loaded as a *header* (a ``CompiledModule`` whose ``func_offsets`` are
the functions' jump slots, plus host stubs and a GOT of every helper) described by ``LazyHeader``,
and then one ``FunctionCode`` per function, compiled on its first call and placed by the runtime.
Plain data (classes with slots: made per compiled function, and cheaper to import than dataclasses,
which matters for ``wxjit run``'s startup): the runtime reads it without importing the compiler.
"""
from __future__ import annotations

# One jump slot per defined function, ``jmp [rip + pointer]`` (6 bytes, 2 of padding), and one lazy
# entry, ``call common`` (5 bytes, 3 of padding): the pointer's target until the function is compiled.
SLOT_SIZE = 8


class LazyHeader:
    """Where the lazy machinery sits in the header's code (byte offsets from its start).

    Defined function ``i`` (index ``num_imported_funcs + i``) has its jump slot at
    ``slots + SLOT_SIZE * i`` (that is ``func_offsets[i]``: funcrefs, exports and calls all target
    it), its lazy entry at ``lazy_entries + SLOT_SIZE * i`` and its code pointer at
    ``pointers + 8 * i``, which holds the lazy entry's address until the function is compiled (the
    runtime makes them absolute when it loads the header). The common stub (at ``common``) reads the
    module token at ``token`` and calls the native entry whose address is at ``entry``; the runtime
    writes both u64 words when it loads the header. ``got`` gives the GOT slot of every helper, which
    compiled functions call as ``call [rip + slot]``.
    """

    __slots__ = ("num_functions", "slots", "lazy_entries", "pointers", "token", "entry", "common", "got")

    def __init__(self, num_functions: int, slots: int, lazy_entries: int, pointers: int, token: int,
                 entry: int, common: int, got: dict[str, int]) -> None:
        self.num_functions = num_functions
        self.slots = slots
        self.lazy_entries = lazy_entries
        self.pointers = pointers
        self.token = token
        self.entry = entry
        self.common = common
        self.got = got

    def __repr__(self) -> str:
        return "LazyHeader(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__) + ")"


class FunctionCode:
    """One function compiled on its own: position-independent code at offset 0 (its constant pool
    after ``end``, 16-aligned), whose only outside references are rel32 fields: calls (and jumps) to
    other functions and ``[rip + GOT]`` operands of helpers. A field at ``at`` holds
    ``target - rel_to`` (offsets from the code start) once the runtime has placed the code.

    ``index``: the function index (imports included); ``calls``: (field offset, rel_to, callee
    function index); ``helpers``: (field offset, rel_to, helper name); ``pc_offsets`` / ``pc_wasm``:
    as ``CompiledModule.pc_offsets`` / ``pc_wasm``, sorted; ``eh_funcs`` / ``eh_segs``: the
    exception-handling records of ``jit.x64.lower.exceptions`` (the function's saved callee-saved
    registers, its try-body segments with their clauses; layout in native/unwind.c), at code offsets."""

    __slots__ = ("index", "code", "end", "calls", "helpers", "pc_offsets", "pc_wasm", "eh_funcs", "eh_segs",
                 "safepoints")

    def __init__(self, index: int, code: bytes, end: int, calls: list[tuple[int, int, int]],
                 helpers: list[tuple[int, int, str]], pc_offsets: list[int], pc_wasm: list[int],
                 eh_funcs: list[tuple] | None = None, eh_segs: list[tuple] | None = None,
                 safepoints: list[tuple[int, tuple[int, ...]]] | None = None) -> None:
        self.index = index
        self.code = code
        self.end = end
        self.calls = calls
        self.helpers = helpers
        self.pc_offsets = pc_offsets
        self.pc_wasm = pc_wasm
        self.eh_funcs = eh_funcs or []
        self.eh_segs = eh_segs or []
        self.safepoints = safepoints or []      # stack maps (jit.abi.stackmaps), at code offsets
