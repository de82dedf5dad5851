"""The runtime's module: a compiled artifact (``jit.abi.compiled.CompiledModule``) with its code loaded,
ready to instantiate. Decoding, validating and compiling happen above, in ``jit.pipeline`` (whose
``Module`` subclass is ``jit.Module``); the runtime never imports the front end or the compiler.

Loading copies the compiled code into a slot of the process code arena (``jit.codemem``, memfd:
written through the RW view, run through the RX view) and applies the relocations (helper addresses
into the module GOT) in one native call, then registers the code range so that faults inside it
become traps. The loaded code is shared by every instance of the module (all instance state is reached
through vmctx) and released when the module object dies.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

from ..abi.limits import DEFAULT_LIMITS, Limits
from ..errors import Error
from ..native import ffi, lib
from ..wasm.types import FuncType
from . import sigint, traps
from .plan import InstancePlan


class LoadedCode:
    """One module's relocated code in executable memory: ``address`` .. ``address + size``.

    Loading is one native call (``CodeArena.load``: a slot of the process code arena, the code copied
    through its writable view and relocated, i.e. the helper GOT written, published, and the range
    registered with the trap handler). The slot is freed by one native call when this object dies.
    """

    __slots__ = ("address", "size", "compiled", "names", "_slot", "__weakref__")

    def __init__(self, compiled: Any, names: Callable[[int], str | None] | None = None) -> None:
        code = compiled.code or b"\xcc"
        if type(code) is not bytes:          # a deserialized module's view of its file's bytes
            code = ffi.from_buffer(code)
        relocs = compiled.__dict__.get("_wx_flat_relocs")     # shared by every load of this object
        if relocs is None:
            flat = list(chain.from_iterable(compiled.relocations)) or [0]
            relocs = compiled.__dict__["_wx_flat_relocs"] = ffi.new("uint64_t[]", flat)
        self._slot = slot = (_arena or _default_arena()).load(code, relocs, len(compiled.relocations))
        self.address = slot.exec
        self.size = len(code)
        self.compiled = compiled
        self.names = names or _no_names
        traps.register_code(slot.range, self)
        if compiled.eh_table:        # exception handling: the unwinder's table (native/unwind.c)
            table = compiled.__dict__.get("_wx_eh")
            if table is None:
                table = compiled.__dict__["_wx_eh"] = ffi.from_buffer("uint32_t[]", compiled.eh_table)
            lib.wx_eh_register(slot.range, table, slot.exec)
        if compiled.stack_maps:      # stack maps of the safepoints (jit.abi.stackmaps, native/gcroots.c)
            maps = compiled.__dict__.get("_wx_maps")
            if maps is None:
                maps = compiled.__dict__["_wx_maps"] = ffi.from_buffer("uint32_t[]", compiled.stack_maps)
            lib.wx_gc_register_maps(slot.range, maps, slot.exec)


def _no_names(funcidx: int) -> str | None:
    return None


class Module:
    """A loaded module: ``imports`` [(module, name, type)], ``exports`` [(name, type)].

    Types are ``jit.wasm`` types: ``FuncType``, ``MemoryType``, ``TableType``, ``GlobalType``.
    ``serialize()`` / ``deserialize()`` move the compiled code through a checked file format
    (``jit.runtime.serialize``); a deserialized module has no function bodies and is never recompiled.
    Instances with ``Limits(fuel=N)`` run a variant compiled with fuel checks, made on first use by
    ``_compile_variant`` (overridden by ``jit.pipeline.Module``) and kept (a module compiled with fuel
    also serves instances without a fuel limit, with an unreachable budget).
    """

    def __init__(self, wasm: Any, compiled: Any, *, name: str | None = None, limits: Limits | None = None,
                 wasm_sha256: str = "", code: Any = None) -> None:
        """A module from a validated ``jit.wasm`` Module and its ``jit.abi.compiled.CompiledModule``
        (what ``jit.pipeline.Module`` makes from bytes): the code is loaded, nothing is compiled.
        ``code``: ``compiled`` loaded already (a ``jit.runtime.lazy.LazyCode`` for lazy compilation)."""
        self.name = name
        self.limits = limits or DEFAULT_LIMITS
        self.wasm = wasm
        self.wasm_sha256 = wasm_sha256
        self.compiled = compiled
        self.code = code if code is not None else LoadedCode(compiled, wasm.func_name)
        self._init_variants(InstancePlan(wasm, compiled))
        if not sigint._installed:
            sigint.install()          # Ctrl-C interrupts Wasm calls of the main thread (jit.runtime.sigint)

    def _init_variants(self, plan: InstancePlan) -> None:
        # fuel flag -> (CompiledModule, LoadedCode, InstancePlan); code compiled with fuel checks
        # also serves instances without a fuel limit (with an unreachable budget)
        v = (self.compiled, self.code, plan)
        self._variants: dict[bool, tuple[Any, LoadedCode, InstancePlan]] = (
            {True: v, False: v} if self.compiled.fuel else {False: v})

    # -- serialization ---------------------------------------------------------------------------
    def serialize(self, *, fuel: bool | None = None) -> bytes:
        """The compiled code and metadata as a ``.cwasm`` file (``fuel``: which variant; default the
        one this module was made with)."""
        from . import serialize  # here: running a module never needs the file format
        compiled, recipe = self._complete_variant(self.compiled.fuel if fuel is None else fuel)
        return serialize.dumps(compiled, self.wasm, self.wasm_sha256, recipe)

    def _complete_variant(self, fuel: bool) -> tuple[Any, Any]:
        """(CompiledModule with the code of every function, its PlanRecipe): what a .cwasm file holds.
        ``jit.pipeline.Module`` overrides it for lazily compiled variants."""
        compiled, _code, plan = self._variant(fuel)
        return compiled, plan.recipe

    @classmethod
    def deserialize(cls, data: bytes | bytearray | memoryview, *, name: str | None = None,
                    wasm_sha256: str | None = None, fuel: bool | None = None) -> Module:
        """A module from ``serialize()`` output, without decoding, validating or compiling anything.

        Raises ``jit.runtime.serialize.CacheError`` (a ``jit.Error``) for a truncated, corrupted or
        foreign file, or one for other Wasm bytes (``wasm_sha256``) or fuel flag (``fuel``)."""
        from . import serialize
        return cls._from_decoded(serialize.loads(data, wasm_sha256=wasm_sha256, fuel=fuel), name)

    @classmethod
    def _from_decoded(cls, decoded: Any, name: str | None) -> Module:
        """A module for a verified file's decoded contents: its code loaded afresh, the rest shared."""
        self = cls.__new__(cls)
        self.name = name
        self.limits = DEFAULT_LIMITS
        self.wasm = decoded.wasm
        self.wasm_sha256 = decoded.wasm_sha256
        self.compiled = decoded.compiled
        self.code = LoadedCode(decoded.compiled, decoded.wasm.func_name)
        self._init_variants(decoded.plan())
        if not sigint._installed:
            sigint.install()
        return self

    @classmethod
    def deserialize_file(cls, path: str | os.PathLike[str]) -> Module:
        p = Path(path)
        return cls.deserialize(p.read_bytes(), name=p.name)

    # -- variants ----------------------------------------------------------------------------------
    def _variant(self, fuel: bool) -> tuple[Any, LoadedCode, InstancePlan]:
        """(CompiledModule, LoadedCode, InstancePlan) with or without fuel checks, compiled on first use."""
        v = self._variants.get(fuel)
        if v is not None:
            return v
        with _variant_lock:
            v = self._variants.get(fuel)
            if v is not None:
                return v
            if not self.wasm.codes and self.wasm.funcs:
                raise Error("this module was deserialized without its fuel variant; serialize it with "
                            "fuel=True (or cache it with fuel) to run it with Limits(fuel=...)")
            compiled, code = self._load_variant(fuel)
            v = (compiled, code, InstancePlan(self.wasm, compiled))
            self._variants[fuel] = v
            return v

    def _load_variant(self, fuel: bool) -> tuple[Any, Any]:
        """(CompiledModule, its loaded code) of the variant with or without fuel checks."""
        compiled = self._compile_variant(fuel)
        return compiled, LoadedCode(compiled, self.wasm.func_name)

    def _compile_variant(self, fuel: bool) -> Any:
        """The CompiledModule of this module with or without fuel checks. The runtime never compiles:
        ``jit.pipeline.Module`` (which ``jit.Module`` is) overrides this."""
        raise Error("this module holds compiled code only; make it with jit.Module to compile "
                    "its fuel variant")

    # -- types -------------------------------------------------------------------------------------
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


def code_arena() -> Any:
    """The code arena modules are loaded into (the process's, unless a benchmark set another)."""
    return _arena or _default_arena()


def _default_arena() -> Any:
    global _arena
    from ..codemem.arena import default_arena
    _arena = default_arena()
    return _arena


_arena: Any = None
_variant_lock = threading.Lock()     # compiling a variant on first use
