"""Lowerings of Wasm instructions to x86-64, one module per family, and the one table they fill.

Each family module (``control``, ``variables``, ``integer``, ``float``, ``memory``, ``calls``,
``tailcalls``, ``tables``, ``references``, ``simd``) defines a mixin class of ``FunctionCompiler``
methods and registers, when it is imported, a handler for each opcode it lowers: ``LOWERINGS[key] =
handler``, called by the dispatch loop as ``handler(compiler, a, b)`` with the instruction's
immediates. Registration happens once at import; dispatch is one dict lookup and one call. An opcode
with no registered lowering is rejected with ``CompileError("... is not supported yet")``, or with
``unsupported proposal '<name>'`` when ``UNSUPPORTED`` names its proposal.

Adding an instruction: a row in ``jit.wasm.opcodes``, then a lowering registered here with
``@lowers("name")`` on an ``op_*(self, a, b)`` method, or ``lower_named(names, method)`` for a method
shared by a table of instructions (``method(self, name)``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...wasm.opcodes import OPS, OPS_BY_NAME, SELECT_T

KEY: dict[str, int] = {name: info.key for name, info in OPS_BY_NAME.items()}
"""Instruction name -> opcode key (``select`` is the untyped 0x1B)."""

OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE, OP_END = KEY["block"], KEY["loop"], KEY["if"], KEY["else"], KEY["end"]
OP_TRY_TABLE, OP_THROW = KEY["try_table"], KEY["throw"]
OP_BR_IF, OP_SELECT = KEY["br_if"], KEY["select"]
OP_SELECT_T = next(k for k, i in OPS.items() if i.imm == SELECT_T)      # typed select (0x1C)
OP_LOCAL_GET, OP_LOCAL_SET, OP_LOCAL_TEE = KEY["local.get"], KEY["local.set"], KEY["local.tee"]
FUSE_TARGETS = frozenset((OP_BR_IF, OP_IF, OP_SELECT, OP_SELECT_T))
"""Instructions a preceding comparison is fused into (compare-and-branch, cmov)."""

UNSUPPORTED: dict[str, str] = {}
"""Instructions of the opcode table with no lowering yet: name -> the proposal that brings them (its
name in ``jit.abi.features.PROPOSALS``; a row added for a proposal the compiler does not implement goes
here; tests/test_lowering_coverage.py checks that every row is lowered or listed). Compiling one raises
``unsupported proposal '<name>'``. Every instruction of the table is lowered today."""

Handler = Callable[[Any, Any, Any], None]
LOWERINGS: dict[int, Handler] = {}
"""Opcode key -> handler(compiler, a, b): the compiler's dispatch table."""


def _register(op: str | int, handler: Handler) -> None:
    key = KEY[op] if isinstance(op, str) else op
    if key in LOWERINGS:
        raise RuntimeError(f"two lowerings registered for opcode {op!r}")
    LOWERINGS[key] = handler


def lowers(*ops: str | int) -> Callable[[Handler], Handler]:
    """Decorator: register ``handler(self, a, b)`` for the instructions ``ops`` (names or keys)."""
    def register(handler: Handler) -> Handler:
        for op in ops:
            _register(op, handler)
        return handler
    return register


def _named(method: Callable[[Any, str], None], name: str) -> Handler:
    return lambda self, a, b: method(self, name)


def _with_immediates(method: Callable[[Any, str, Any, Any], None], name: str) -> Handler:
    return lambda self, a, b: method(self, name, a, b)


def lower_named(names: Iterable[str], method: Callable[[Any, str], None]) -> None:
    """Register ``method(self, name)`` for each instruction of ``names`` (a lowering table)."""
    for name in names:
        _register(name, _named(method, name))


def lower_with_immediates(names: Iterable[str], method: Callable[[Any, str, Any, Any], None]) -> None:
    """Register ``method(self, name, a, b)`` for each instruction of ``names`` (memory accesses)."""
    for name in names:
        _register(name, _with_immediates(method, name))


def lower_all(handlers: dict[int, Handler]) -> None:
    """Register a prepared ``key -> handler`` table (the SIMD family builds its own)."""
    for key, handler in handlers.items():
        _register(key, handler)
