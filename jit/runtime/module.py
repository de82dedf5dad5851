"""``jit.Module``: decode + validate + compile a Wasm binary and load its code, ready to instantiate.

Loading copies the compiled code into a slot of the process code arena (``jit.codemem``, memfd:
written through the RW view, run through the RX view), applies the relocations in one native call
(helper addresses into the module GOT) and registers the code range so that faults inside it become
traps. The loaded code is shared by every instance of the module (all instance state is reached
through vmctx) and released when the module object dies.
"""
from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import CompileError
from ..native import ffi, lib
from ..wasm.types import FuncType
from . import traps


class LoadedCode:
    """One module's relocated code in executable memory: ``address`` .. ``address + size``."""

    __slots__ = ("address", "size", "compiled", "_finalizer", "__weakref__")

    def __init__(self, compiled: Any, names: Callable[[int], str | None] | None = None) -> None:
        from ..codemem.arena import default_arena

        code = bytearray(compiled.code or b"\xcc")
        flat = [v for reloc in compiled.relocations for v in reloc]
        relocs = ffi.new("uint64_t[]", flat or [0])
        bad = lib.wx_relocate(ffi.from_buffer(code), len(code), relocs, len(compiled.relocations))
        if bad >= 0:
            raise CompileError(f"bad relocation {compiled.relocations[bad]!r} (code size {len(code)})")
        arena = default_arena()
        slot = arena.alloc(len(code))
        try:
            slot.write(0, bytes(code))
            self.address = slot.publish()
        except BaseException:
            arena.free(slot)
            raise
        self.size = len(code)
        self.compiled = compiled
        if names is None:
            traps.register_code(self.address, self.address + self.size, compiled)
        else:
            traps.register_code(self.address, self.address + self.size, compiled, names)
        self._finalizer = weakref.finalize(self, _release, arena, slot, self.address)


def _release(arena: Any, slot: Any, address: int) -> None:
    traps.unregister_code(address)
    arena.free(slot)


class Module:
    """A compiled module: ``imports`` [(module, name, type)], ``exports`` [(name, type)].

    Types are ``jit.wasm`` types: ``FuncType``, ``MemoryType``, ``TableType``, ``GlobalType``.
    Raises ``jit.CompileError`` (``MalformedError`` / ``ValidationError``) on bad input.
    """

    def __init__(self, data: bytes | bytearray | memoryview, *, name: str | None = None) -> None:
        from ..wasm import validate
        from ..x64.compiler import compile_module

        self.name = name
        self.wasm = validate(bytes(data))
        self.compiled = compile_module(self.wasm)
        self.code = LoadedCode(self.compiled, self.wasm.func_name)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Module:
        p = Path(path)
        return cls(p.read_bytes(), name=p.name)

    @property
    def imports(self) -> list[tuple[str, str, Any]]:
        w = self.wasm
        return [(imp.module, imp.name, w.types[imp.desc] if imp.kind == "func" else imp.desc)
                for imp in w.imports]

    @property
    def exports(self) -> list[tuple[str, Any]]:
        w = self.wasm
        getters = {"func": w.func_type, "table": w.table_type, "memory": w.memory_type,
                   "global": w.global_type}
        return [(exp.name, getters[exp.kind](exp.index)) for exp in w.exports]

    def func_type(self, funcidx: int) -> FuncType:
        return self.wasm.func_type(funcidx)

    def __repr__(self) -> str:
        return f"<jit.Module {self.name or ''} {len(self.wasm.funcs)} funcs, {self.code.size} code bytes>"
