"""The front end: decode (``decode``) and validate (``validate_module``) Wasm 2.0 binary modules.

``validate(data)`` does both and returns the validated :class:`Module`; bad input raises
``jit.MalformedError`` (decoding) or ``jit.ValidationError`` (validation), both ``jit.CompileError``.
``validate`` applies the compile-time fields of a ``jit.Limits`` (default ``jit.Limits()``): module
size, function count, parameters/results per type and locals per function beyond them raise
``jit.LimitError`` (:class:`FrontEndLimitError`, with the limit's name and the byte offset), checked
while decoding, before anything is expanded. ``decode(data, limits=None)`` is the spec's decoder alone
unless given limits.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .decoder import FrontEndLimitError, decode
from .opcodes import OPS, OPS_BY_NAME, OpInfo, op_key, op_name
from .types import (
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    V128,
    VALTYPE_NAMES,
    DataSegment,
    ElemSegment,
    Export,
    FunctionBody,
    FuncType,
    Global,
    GlobalType,
    Import,
    Instr,
    Limits,
    MemoryType,
    Module,
    NameSection,
    TableType,
    block_type,
    valtype_from_name,
    valtype_name,
)
from .validator import validate_module

if TYPE_CHECKING:
    from ..abi.features import Features
    from ..abi.limits import Limits as ResourceLimits


def validate(data: bytes | bytearray | memoryview, limits: ResourceLimits | None = None,
             features: Features | None = None) -> Module:
    """Decode and validate ``data``; returns the validated Module or raises jit.CompileError
    (jit.LimitError for a module beyond ``limits``, default ``jit.Limits()``; ``unsupported proposal``
    for one that ``features``, default ``jit.Features()``, leaves out)."""
    if limits is None:
        from ..abi.limits import DEFAULT_LIMITS as limits
    module = decode(data, limits, features)
    validate_module(module, features)
    return module


__all__ = [
    "EXTERNREF", "F32", "F64", "FUNCREF", "I32", "I64", "V128", "VALTYPE_NAMES",
    "DataSegment", "ElemSegment", "Export", "FrontEndLimitError", "FuncType", "FunctionBody", "Global",
    "GlobalType", "Import", "Instr", "Limits", "MemoryType", "Module", "NameSection", "OPS", "OPS_BY_NAME",
    "OpInfo", "TableType", "block_type", "decode", "op_key", "op_name", "validate",
    "validate_module", "valtype_from_name", "valtype_name",
]
