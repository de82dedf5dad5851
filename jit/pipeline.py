"""The one place that knows the whole pipeline: bytes → decode → validate → compile → load.

``jit.Module`` is this module's ``Module``: Wasm bytes (or text) in, a ``jit.runtime.module.Module``
(loaded code, ready to instantiate) out. The layers below never call up: ``jit.wasm`` decodes and
validates, ``jit.x64`` (or ``jit.parallel``) compiles to a ``jit.abi.compiled.CompiledModule``, and
``jit.runtime`` loads and runs that artifact without importing the compiler. With lazy compilation
(the default) the compile step is split: ``jit.x64.compiler.LazyCompiler`` makes the header now and
compiles each function when ``jit.runtime.lazy`` asks for it, on the function's first call.
"""
from __future__ import annotations

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
    ``jit.LimitError`` beyond the compile-time ``limits``: the module is decoded and validated here,
    whatever ``lazy`` says.

    ``lazy`` (default True; ``WXJIT_LAZY=0`` in the environment makes it False, to run a program or a
    test suite both ways): compile each function on its first call (docs/lazy-compilation.md);
    calls reach functions through per-module jump slots, and ``Limits.max_code_bytes`` is checked as
    code is compiled (a compile beyond it raises ``jit.LimitError`` from the call that needed it).
    ``lazy=False`` compiles every function now, with direct calls between them. ``serialize()`` (and
    ``jit.Cache``) always writes the complete code: a lazy module compiles the whole module for it
    (the same bytes as ``lazy=False``). ``jobs``: compile eagerly with this many processes
    (``jit.parallel``; byte-identical code); by default all CPUs for modules whose function bodies
    exceed ``jit.parallel.PARALLEL_THRESHOLD`` bytes, else serially; ``jobs=1`` is serial. Lazy
    compiles are always in this process.

    ``serialize()`` / ``deserialize()`` move the compiled code through a checked file format
    (``jit.runtime.serialize``); a deserialized module has no function bodies and is never
    recompiled. Instances with ``Limits(fuel=N)`` run a variant compiled with fuel checks (lazily too
    when the module is lazy), made on first use and kept (a module compiled with fuel also serves
    instances without a fuel limit, with an unreachable budget).
    ``features`` (a ``jit.Features``, default ``Features()``): the post-2.0 proposals the module may
    use; one it does not allow, or one wxjit does not implement, raises ``CompileError:
    unsupported proposal '<name>'``.
    """

    lazy = False        # deserialized modules hold complete code

    def __init__(self, data: bytes | bytearray | memoryview | str, *, name: str | None = None,
                 limits: Limits | None = None, fuel: bool = False, jobs: int | None = None,
                 features: Features | None = None, lazy: bool | None = None) -> None:
        if isinstance(data, str) or _is_text(data):     # Wasm text: assembled first (jit.wat)
            from .wat import wat2wasm
            data = wat2wasm(data)
        data = bytes(data)
        limits = limits or DEFAULT_LIMITS
        wasm = _validate(data, limits, features)
        self.jobs = jobs
        self._complete: dict[bool, tuple[Any, Any]] = {}
        self._data = data            # hashed when wasm_sha256 is first read (serialize, cache)
        sha256 = ""
        if lazy is None:
            lazy = lazy_default()
        if lazy and wasm.funcs and _lazy_possible():
            _check_supported(wasm)
            self.lazy = True
            compiled, code = _load_lazy(wasm, fuel, limits)
            super().__init__(wasm, compiled, name=name, limits=limits, wasm_sha256=sha256, code=code)
            return
        compiled = _compile_eager(wasm, fuel, limits, jobs)
        super().__init__(wasm, compiled, name=name, limits=limits, wasm_sha256=sha256)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, limits: Limits | None = None,
                  lazy: bool | None = None, features: Features | None = None) -> Module:
        p = Path(path)
        return cls(p.read_bytes(), name=p.name, limits=limits, lazy=lazy, features=features)

    @property
    def wasm_sha256(self) -> str:
        """SHA-256 (hex) of the Wasm binary, computed on first use: running a module never needs it,
        and ``hashlib`` (OpenSSL) costs ``wxjit run`` 2 ms to import."""
        digest = self.__dict__.get("_wasm_sha256")
        if not digest:
            import hashlib
            digest = self.__dict__["_wasm_sha256"] = hashlib.sha256(self._data).hexdigest()
            self._data = None
        return digest

    @wasm_sha256.setter
    def wasm_sha256(self, value: str) -> None:
        self.__dict__["_wasm_sha256"] = value

    @property
    def compiled_functions(self) -> list[int]:
        """Indices (in the function index space) of the defined functions compiled so far: every one
        unless the module is lazy (then those called at least once, in its default variant)."""
        code = self._variants[self.compiled.fuel][1]
        if hasattr(code, "compiled_functions"):
            return code.compiled_functions()
        nimp = self.wasm.num_imported_funcs
        return list(range(nimp, nimp + len(self.wasm.funcs)))

    def _load_variant(self, fuel: bool) -> tuple[Any, Any]:
        if self.lazy:
            return _load_lazy(self.wasm, fuel, self.limits)
        return super()._load_variant(fuel)

    def _compile_variant(self, fuel: bool) -> Any:
        return _compile_eager(self.wasm, fuel, self.limits, getattr(self, "jobs", None))

    def _complete_variant(self, fuel: bool) -> tuple[Any, Any]:
        """A lazy variant's complete code: the whole module compiled as ``lazy=False`` would (kept)."""
        compiled, code, plan = self._variant(fuel)
        if not self.lazy:
            return compiled, plan.recipe
        done = self._complete.get(fuel)
        if done is None:
            from .runtime.plan import make_recipe
            full = _compile_eager(self.wasm, fuel, self.limits, self.jobs)
            done = self._complete[fuel] = (full, make_recipe(full, self.wasm))
        return done


def lazy_default() -> bool:
    """The ``lazy`` of a ``jit.Module`` made without one: True unless ``WXJIT_LAZY=0``."""
    return os.environ.get("WXJIT_LAZY", "1") != "0"


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


def _compile_eager(wasm: Any, fuel: bool, limits: Limits, jobs: int | None) -> Any:
    """Every function now: serially, or across processes (``jit.parallel``) for large modules."""
    from .parallel import compile_parallel, should_parallelize
    n = should_parallelize(wasm, jobs)
    if n > 1:
        return compile_parallel(wasm, fuel=fuel, limits=limits, jobs=n)
    from .x64.compiler import compile_module
    return compile_module(wasm, fuel=fuel, limits=limits)


def _lazy_possible() -> bool:
    """Lazy code needs an arena with a writable view (every strategy but ``memfd_pwrite``)."""
    from .runtime.lazy import supported
    return supported(_runtime.code_arena())


def _load_lazy(wasm: Any, fuel: bool, limits: Limits) -> tuple[Any, Any]:
    """(header CompiledModule, LazyCode) of a lazily compiled variant."""
    from .runtime.lazy import LazyCode
    from .x64.compiler import LazyCompiler
    compiler = LazyCompiler(wasm, fuel, limits)
    compiled, header = compiler.header()
    code = LazyCode(compiled, header, compiler.compile_function, arena=_runtime.code_arena(),
                    names=wasm.func_name, limits=limits, body_bytes=sum(b.size for b in wasm.codes))
    return compiled, code


def _check_supported(wasm: Any) -> None:
    """What an eager compile would refuse whatever the function: an instruction without a lowering
    (``jit.x64.lower``) or SIMD on a CPU without the features it needs fails at ``Module(...)`` in lazy
    mode too. Nothing to scan (the usual case) when every opcode is lowered and the CPU has SIMD."""
    from operator import itemgetter

    from .wasm.opcodes import OPS
    from .x64 import simd
    from .x64.compiler import HANDLERS  # every family has registered its lowerings
    missing = OPS.keys() - HANDLERS.keys()
    no_simd = [f for f in simd.NEEDED_FEATURES if f not in simd.host_features()]
    if not missing and not no_simd:
        return
    from .errors import CompileError
    first = itemgetter(0)
    nimp = wasm.num_imported_funcs
    for i, body in enumerate(wasm.codes):
        used = set(map(first, body.code))
        bad = used & missing
        uses_simd = no_simd and any(op >> 12 == 0xFD for op in used)
        if not bad and not uses_simd:
            continue
        op = min(bad) if bad else None
        pos = next(p for o, _a, _b, p in body.code if (o == op if bad else o >> 12 == 0xFD))
        if bad and OPS[op].proposal is not None:      # a proposal the compiler does not build (GC)
            from .abi.features import UnsupportedProposalError
            raise UnsupportedProposalError(OPS[op].proposal, pos, nimp + i, wasm.func_name(nimp + i))
        what = (f"instruction {OPS[op].name} is not supported yet" if bad
                else f"SIMD needs the CPU features {', '.join(no_simd)}")
        raise CompileError(what, pos, nimp + i, wasm.func_name(nimp + i))
