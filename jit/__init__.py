"""wxjit: an x86-64 JIT compiler for WebAssembly with W^X code memory.

The public API (see docs/ and DESIGN.md): ``validate``, ``Module``, ``Instance``, ``Func``,
``Memory``, ``Global``, ``Table``, ``Limits``, ``Features``, ``collect`` (run the collector of
externrefs and GC objects, docs/gc.md) and the exception hierarchy rooted at ``Error``.
Heavier parts are imported on first use so that ``import jit`` stays cheap.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

from . import dataclass_cache

dataclass_cache.install()        # before any jit module defines a dataclass: see jit/dataclass_cache.py

from . import _accel  # noqa: E402

_accel.install()                 # the compiled build of the hot modules, when current: see jit/_accel.py

from .errors import (  # noqa: E402
    CompileError,
    Error,
    LimitError,
    LinkError,
    MalformedError,
    Trap,
    ValidationError,
    WasmException,
)

__version__ = "0.1.0"

# name -> module that defines it; resolved lazily by __getattr__.
_LAZY = {
    "validate": "jit.wasm",
    "Module": "jit.pipeline",
    "Instance": "jit.runtime.instance",
    "Func": "jit.runtime.externs",
    "Memory": "jit.runtime.externs",
    "Global": "jit.runtime.externs",
    "Table": "jit.runtime.externs",
    "Tag": "jit.runtime.exceptions",
    "Limits": "jit.abi.limits",
    "Features": "jit.abi.features",
    "Cache": "jit.cache",
    "Pool": "jit.pool",
    "collect": "jit.runtime.gc",
}

__all__ = [
    "CompileError", "Error", "LimitError", "LinkError", "MalformedError", "Trap", "ValidationError",
    "WasmException",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
