"""The front end: decode (``decode``) and validate (``validate_module``) Wasm 2.0 binary modules.

``validate(data)`` does both and returns the validated :class:`Module`; bad input raises
``jit.MalformedError`` (decoding) or ``jit.ValidationError`` (validation), both ``jit.CompileError``.
"""
from __future__ import annotations

from .decoder import decode
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


def validate(data: bytes | bytearray | memoryview) -> Module:
    """Decode and validate ``data``; returns the validated Module or raises jit.CompileError."""
    module = decode(data)
    validate_module(module)
    return module


__all__ = [
    "EXTERNREF", "F32", "F64", "FUNCREF", "I32", "I64", "V128", "VALTYPE_NAMES",
    "DataSegment", "ElemSegment", "Export", "FuncType", "FunctionBody", "Global", "GlobalType",
    "Import", "Instr", "Limits", "MemoryType", "Module", "NameSection", "OPS", "OPS_BY_NAME",
    "OpInfo", "TableType", "block_type", "decode", "op_key", "op_name", "validate",
    "validate_module", "valtype_from_name", "valtype_name",
]
