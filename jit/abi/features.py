"""``jit.Features``: which WebAssembly proposals the front end accepts (one row per proposal).

``PROPOSALS`` is the one table of post-2.0 proposals: a key (the field name in ``Features``), the
name used in messages (``unsupported proposal 'exception handling'``), whether wxjit implements it
and whether its front end (decoding and validation) is complete. ``Features()`` enables the
implemented proposals and the validated-only ones; an embedder can turn any of them off
(``Features(exceptions=False)``), and a module that uses a disabled or unimplemented proposal fails
to decode with ``CompileError: unsupported proposal '<name>' (at offset ...)``
(:class:`UnsupportedProposalError`). The Wasm 2.0 feature set (sign extension, multi-value, bulk
memory, reference types, SIMD...) is always on.

A validated-only proposal is decoded and validated in full, so ``jit.validate`` gives the spec's
verdict on its modules, but the compiler lowers none of its instructions: compiling a function that
uses one raises ``unsupported proposal '<name>'`` at that instruction (none is today: GC was the last,
docs/gc.md). ``Features(gc=False)`` refuses every GC construct (rec groups,
``sub``, struct/array types, the abstract heap types any/eq/i31/struct/array/none/nofunc/noextern and
the 0xFB instructions) while decoding.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from ..errors import CompileError


@dataclass(frozen=True, slots=True)
class Proposal:
    """One post-2.0 proposal: its ``Features`` field, its name in messages, whether it is built
    (compiled and run) and whether only its front end is (``validated``: decoded and validated)."""

    key: str
    name: str
    implemented: bool
    validated: bool = False


PROPOSALS: tuple[Proposal, ...] = (
    Proposal("exceptions", "exception handling", True),
    Proposal("tail_call", "tail calls", True),
    Proposal("multi_memory", "multiple memories", True),
    Proposal("memory64", "memory64", True),
    Proposal("function_references", "typed function references", True),
    Proposal("gc", "garbage collection", True),
    Proposal("relaxed_simd", "relaxed SIMD", True),
    Proposal("extended_const", "extended constant expressions", True),
)
PROPOSAL_BY_KEY: dict[str, Proposal] = {p.key: p for p in PROPOSALS}


def _implemented(key: str) -> bool:
    p = PROPOSAL_BY_KEY[key]
    return p.implemented or p.validated


class UnsupportedProposalError(CompileError):
    """A module uses a proposal that is disabled in its ``Features`` or not implemented:
    ``unsupported proposal '<name>' (at offset ...)``. ``proposal`` is the ``PROPOSALS`` key."""

    def __init__(self, key: str, offset: int | None = None, func_index: int | None = None,
                 func_name: str | None = None) -> None:
        self.proposal = key
        super().__init__(f"unsupported proposal '{PROPOSAL_BY_KEY[key].name}'", offset, func_index, func_name)


@dataclass(frozen=True, slots=True)
class Features:
    """The proposals a module may use; the default is every implemented one."""

    exceptions: bool = _implemented("exceptions")
    tail_call: bool = _implemented("tail_call")
    multi_memory: bool = _implemented("multi_memory")
    memory64: bool = _implemented("memory64")
    function_references: bool = _implemented("function_references")
    gc: bool = _implemented("gc")
    relaxed_simd: bool = _implemented("relaxed_simd")
    extended_const: bool = _implemented("extended_const")

    @classmethod
    def compiled(cls) -> Features:
        """The proposals wxjit compiles and runs (the validated-only ones, such as gc, off): what a
        differential fuzzer may generate."""
        return cls(**{p.key: p.implemented for p in PROPOSALS})

    @classmethod
    def none(cls) -> Features:
        """Wasm 2.0 only: every post-2.0 proposal off."""
        return cls(**{f.name: False for f in fields(cls)})

    def enabled(self) -> list[str]:
        """Keys of the enabled proposals, in ``PROPOSALS`` order."""
        return [p.key for p in PROPOSALS if getattr(self, p.key)]

    def allows(self, key: str) -> bool:
        """Whether the front end accepts proposal ``key``: enabled here, and built (at least its
        front end)."""
        return getattr(self, key) and _implemented(key)

    def require(self, key: str, offset: int | None = None) -> None:
        """Raise :class:`UnsupportedProposalError` unless proposal ``key`` is allowed."""
        if not self.allows(key):
            raise UnsupportedProposalError(key, offset)

    @classmethod
    def parse(cls, spec: str, base: Features | None = None) -> Features:
        """Features from a wasmtime-style list ``"gc=n,tail_call"`` (``name``, ``name=y|n``; names as
        the ``Features`` fields, with ``-`` for ``_``; ``all``/``none`` switch every proposal)."""
        values = {f.name: getattr(base or cls(), f.name) for f in fields(cls)}
        for item in filter(None, (x.strip() for x in spec.split(","))):
            name, _, flag = item.partition("=")
            name = name.strip().replace("-", "_")
            on = flag.strip().lower() not in ("n", "no", "false", "0", "off")
            if name in ("all", "none"):
                values = {k: (name == "all") == on for k in values}
            elif name in values:
                values[name] = on
            else:
                raise ValueError(f"unknown proposal {name!r} (known: {', '.join(values)})")
        return cls(**values)


assert [f.name for f in fields(Features)] == [p.key for p in PROPOSALS], "one row per Features field"
