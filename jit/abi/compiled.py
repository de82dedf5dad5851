"""``CompiledModule``: the compiler's output, a plain serializable object.

It holds everything the loader and runtime need and nothing tied to a process: position-independent
code for all defined functions (plus stubs and a GOT of helper addresses filled by relocation at load
time), the function offsets, the PC map used for traps and backtraces, and the module metadata
(types, imports, exports, segments) needed to instantiate it without the original bytes.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from .vmctx import VMContextLayout


@dataclass
class CompiledModule:
    """The compiled code of a module and what loading and running it needs (see the module docstring)."""

    code: bytes
    # Entry offset of every DEFINED function (index i = function index num_imported_funcs + i).
    func_offsets: list[int]
    # End offset (exclusive) of every defined function's code, for PC -> function lookups.
    func_ends: list[int]
    # Offset of the host-call stub of every imported function (index = import function index).
    # The runtime points an imported host function's VMIMPORT_CODE at it.
    host_stub_offsets: list[int]
    # (code offset, kind, target): see jit.abi.vmctx RELOC_* kinds.
    relocations: list[tuple[int, int, int]]
    # Sorted code offsets of instructions that can trap or call (memory accesses, trap calls, calls),
    # and for each the Wasm byte offset of the instruction it came from.
    pc_offsets: list[int]
    pc_wasm: list[int]
    # Signatures: the module's type section and the type index of every function of the index space.
    types: list[Any]            # jit.wasm.types.FuncType (abi imports no layer above it)
    func_types: list[int]
    layout: VMContextLayout
    num_imported_funcs: int
    func_names: dict[int, str] = field(default_factory=dict)
    # Compiled with fuel metering (see jit.x64.compiler.compile_module).
    fuel: bool = False
    # Exception handling: the handler table the unwinder reads (u32 words, layout in native/unwind.c;
    # functions that save callee-saved registers, try-body segments, catch clauses); b"" if none.
    eh_table: bytes = b""
    # Stack maps: the traced reference words of each frame at every safepoint (jit.abi.stackmaps,
    # read by native/gcroots.c); b"" if none.
    stack_maps: bytes = b""

    def func_at(self, code_offset: int) -> int | None:
        """The function index whose code contains ``code_offset``, or None (stubs, GOT)."""
        i = bisect.bisect_right(self.func_offsets, code_offset) - 1
        if i >= 0 and code_offset < self.func_ends[i]:
            return self.num_imported_funcs + i
        return None

    def func_at_pc(self, code_offset: int) -> int | None:
        """The function of a trap pc or return address: looked up at ``code_offset - 1``, because a
        call that ends a function returns to the function's end (a faulting instruction is never a
        function's first byte, the prologue is)."""
        return self.func_at(code_offset - 1)

    def wasm_offset_at(self, code_offset: int) -> int | None:
        """The Wasm byte offset of the instruction at (or returning to) ``code_offset``."""
        i = bisect.bisect_right(self.pc_offsets, code_offset) - 1
        if i >= 0 and self.func_at_pc(code_offset) == self.func_at_pc(self.pc_offsets[i]):
            return self.pc_wasm[i]
        return None
