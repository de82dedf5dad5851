"""``jit.Module``: decode + validate + compile a Wasm binary and load its code, ready to instantiate.

Loading copies the compiled code into a slot of the process code arena (``jit.codemem``, memfd:
written through the RW view, run through the RX view) and applies the relocations (helper addresses
into the module GOT) in one native call, then registers the code range so that faults inside it
become traps. The loaded code is shared by every instance of the module (all instance state is reached
through vmctx) and released when the module object dies.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import threading
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

from ..errors import Error
from ..native import ffi
from ..wasm.types import FuncType
from . import serialize, sigint, traps
from .limits import DEFAULT_LIMITS, Limits
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


def _no_names(funcidx: int) -> str | None:
    return None


class Module:
    """A compiled module: ``imports`` [(module, name, type)], ``exports`` [(name, type)].

    ``data`` is a Wasm binary or Wasm text (a ``str``, or bytes starting with ``(``), assembled by
    ``jit.wat.wat2wasm``; ``from_file`` reads ``.wasm`` and ``.wat`` files alike.

    Types are ``jit.wasm`` types: ``FuncType``, ``MemoryType``, ``TableType``, ``GlobalType``.
    Raises ``jit.CompileError`` (``MalformedError`` / ``ValidationError``) on bad input and
    ``jit.LimitError`` beyond the compile-time ``limits``. ``serialize()`` / ``deserialize()`` move
    the compiled code through a checked file format (``jit.runtime.serialize``); a deserialized module
    has no function bodies and is never recompiled. Instances with ``Limits(fuel=N)`` run a variant
    compiled with fuel checks, made on first use and kept (a module compiled with fuel also serves
    instances without a fuel limit, with an unreachable budget). ``jobs``: compile with this many
    processes (``jit.parallel``; byte-identical code); by default all CPUs for modules whose function
    bodies exceed ``jit.parallel.PARALLEL_THRESHOLD`` bytes, else serially; ``jobs=1`` is serial.
    """

    def __init__(self, data: bytes | bytearray | memoryview | str, *, name: str | None = None,
                 limits: Limits | None = None, fuel: bool = False, jobs: int | None = None) -> None:
        from ..parallel import compile_parallel, should_parallelize
        from ..x64.compiler import compile_module

        if isinstance(data, str) or _is_text(data):     # Wasm text: assembled first (jit.wat)
            from ..wat import wat2wasm
            data = wat2wasm(data)
        data = bytes(data)
        self.name = name
        self.limits = limits = limits or DEFAULT_LIMITS
        self.wasm = _validate(data, limits)
        self.wasm_sha256 = hashlib.sha256(data).hexdigest()
        n = should_parallelize(self.wasm, jobs)     # jobs: worker processes (jit.parallel)
        self.compiled = (compile_parallel(self.wasm, fuel=fuel, limits=limits, jobs=n) if n > 1
                         else compile_module(self.wasm, fuel=fuel, limits=limits))
        self.code = LoadedCode(self.compiled, self.wasm.func_name)
        self._init_variants(InstancePlan(self.wasm, self.compiled))
        if not sigint._installed:
            sigint.install()          # Ctrl-C interrupts Wasm calls of the main thread (jit.runtime.sigint)

    def _init_variants(self, plan: InstancePlan) -> None:
        # fuel flag -> (CompiledModule, LoadedCode, InstancePlan); code compiled with fuel checks
        # also serves instances without a fuel limit (with an unreachable budget)
        v = (self.compiled, self.code, plan)
        self._variants: dict[bool, tuple[Any, LoadedCode, InstancePlan]] = (
            {True: v, False: v} if self.compiled.fuel else {False: v})

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, limits: Limits | None = None) -> Module:
        p = Path(path)
        return cls(p.read_bytes(), name=p.name, limits=limits)

    # -- serialization ---------------------------------------------------------------------------
    def serialize(self, *, fuel: bool | None = None) -> bytes:
        """The compiled code and metadata as a ``.cwasm`` file (``fuel``: which variant; default the
        one this module was made with)."""
        compiled, _code, plan = self._variant(self.compiled.fuel if fuel is None else fuel)
        return serialize.dumps(compiled, self.wasm, self.wasm_sha256, plan.recipe)

    @classmethod
    def deserialize(cls, data: bytes | bytearray | memoryview, *, name: str | None = None,
                    wasm_sha256: str | None = None, fuel: bool | None = None) -> Module:
        """A module from ``serialize()`` output, without decoding, validating or compiling anything.

        Raises ``jit.runtime.serialize.CacheError`` (a ``jit.Error``) for a truncated, corrupted or
        foreign file, or one for other Wasm bytes (``wasm_sha256``) or fuel flag (``fuel``)."""
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
            from ..x64.compiler import compile_module
            compiled = compile_module(self.wasm, fuel=fuel, limits=self.limits)
            v = (compiled, LoadedCode(compiled, self.wasm.func_name), InstancePlan(self.wasm, compiled))
            self._variants[fuel] = v
            return v

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


def _is_text(data: bytes | bytearray | memoryview) -> bool:
    if data[:4] == b"\0asm":
        return False
    from ..wat import is_text
    return is_text(data)


def _default_arena() -> Any:
    global _arena
    from ..codemem.arena import default_arena
    _arena = default_arena()
    return _arena


_arena: Any = None
_variant_lock = threading.Lock()     # compiling a variant on first use


def _validate(data: bytes, limits: Limits) -> Any:
    from ..wasm import validate
    if _VALIDATE_TAKES_LIMITS:
        return validate(data, limits)
    return validate(data)


def _validate_takes_limits() -> bool:
    from ..wasm import validate
    return "limits" in inspect.signature(validate).parameters


_VALIDATE_TAKES_LIMITS = _validate_takes_limits()
