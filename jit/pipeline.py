"""The one place that knows the whole pipeline: bytes → decode → validate → compile → load.

``jit.Module`` is this module's ``Module``: Wasm bytes (or text) in, a ``jit.runtime.module.Module``
(loaded code, ready to instantiate) out. The layers below never call up: ``jit.wasm`` decodes and
validates, ``jit.x64`` (or ``jit.parallel``) compiles to a ``jit.abi.compiled.CompiledModule``, and
``jit.runtime`` loads and runs that artifact without importing the compiler.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from .abi.features import Features
from .abi.limits import DEFAULT_LIMITS, Limits
from .runtime import module as _runtime


class Module(_runtime.Module):
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
                 limits: Limits | None = None, fuel: bool = False, jobs: int | None = None,
                 features: Features | None = None) -> None:
        from .parallel import compile_parallel, should_parallelize
        from .x64.compiler import compile_module

        if isinstance(data, str) or _is_text(data):     # Wasm text: assembled first (jit.wat)
            from .wat import wat2wasm
            data = wat2wasm(data)
        data = bytes(data)
        limits = limits or DEFAULT_LIMITS
        wasm = _validate(data, limits, features)
        n = should_parallelize(wasm, jobs)     # jobs: worker processes (jit.parallel)
        compiled = (compile_parallel(wasm, fuel=fuel, limits=limits, jobs=n) if n > 1
                    else compile_module(wasm, fuel=fuel, limits=limits))
        super().__init__(wasm, compiled, name=name, limits=limits,
                         wasm_sha256=hashlib.sha256(data).hexdigest())

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, limits: Limits | None = None) -> Module:
        p = Path(path)
        return cls(p.read_bytes(), name=p.name, limits=limits)

    def _compile_variant(self, fuel: bool) -> Any:
        from .x64.compiler import compile_module
        return compile_module(self.wasm, fuel=fuel, limits=self.limits)


def _is_text(data: bytes | bytearray | memoryview) -> bool:
    if data[:4] == b"\0asm":
        return False
    from .wat import is_text
    return is_text(data)


def _validate(data: bytes, limits: Limits, features: Features | None = None) -> Any:
    """Decode and validate (``jit.wasm.validate``) within the compile-time ``limits``, accepting the
    proposals ``features`` enables (default ``jit.Features()``)."""
    from .wasm import validate
    return validate(data, limits, features)
