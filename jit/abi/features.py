"""``jit.Features``: which WebAssembly proposals the front end accepts (one row per proposal).

``PROPOSALS`` is the one table of post-2.0 proposals: a key (the field name in ``Features``), the
name used in messages (``unsupported proposal 'exception handling'``) and whether wxjit implements
it. ``Features()`` enables exactly the implemented proposals; an embedder can turn any of them off
(``Features(exceptions=False)``), and a module that uses a disabled or unimplemented proposal fails
to decode or validate with ``CompileError: unsupported proposal '<name>' (at offset ...)``.
The Wasm 2.0 feature set (sign extension, multi-value, bulk memory, reference types, SIMD...) is
always on.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Proposal:
    """One post-2.0 proposal: its ``Features`` field, its name in messages, whether it is built."""

    key: str
    name: str
    implemented: bool


PROPOSALS: tuple[Proposal, ...] = (
    Proposal("exceptions", "exception handling", True),
    Proposal("tail_call", "tail calls", True),
    Proposal("multi_memory", "multiple memories", True),
    Proposal("memory64", "memory64", True),
    Proposal("function_references", "typed function references", False),
    Proposal("gc", "garbage collection", False),
    Proposal("relaxed_simd", "relaxed SIMD", True),
    Proposal("extended_const", "extended constant expressions", True),
)
PROPOSAL_BY_KEY: dict[str, Proposal] = {p.key: p for p in PROPOSALS}


def _implemented(key: str) -> bool:
    return PROPOSAL_BY_KEY[key].implemented


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
    def none(cls) -> Features:
        """Wasm 2.0 only: every post-2.0 proposal off."""
        return cls(**{f.name: False for f in fields(cls)})

    def enabled(self) -> list[str]:
        """Keys of the enabled proposals, in ``PROPOSALS`` order."""
        return [p.key for p in PROPOSALS if getattr(self, p.key)]


assert [f.name for f in fields(Features)] == [p.key for p in PROPOSALS], "one row per Features field"
