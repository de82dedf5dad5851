"""Decoder: module structures of the data contract, and malformed input raising MalformedError."""
from __future__ import annotations

import tracemalloc

import pytest

from jit.errors import MalformedError
from jit.wasm import (
    EXTERNREF,
    F64,
    FUNCREF,
    I32,
    I64,
    FuncType,
    GlobalType,
    Limits,
    MemoryType,
    TableType,
    block_type,
    decode,
    op_key,
)

wasmtime = pytest.importorskip("wasmtime", reason="wasmtime provides the reference wat2wasm")
wat2wasm = wasmtime.wat2wasm

HEADER = b"\0asm\x01\0\0\0"


def test_structures() -> None:
    wasm = wat2wasm("""
      (module $mod
        (type $t (func (param i32 i64) (result f64)))
        (import "env" "f" (func $imp (type $t)))
        (import "env" "t" (table 2 10 funcref))
        (import "env" "m" (memory 1 2))
        (import "env" "g" (global (mut i64)))
        (table 3 externref)
        (global $c i32 (i32.const 7))
        (func $add (param $x i32) (param i64) (result f64) (local $y i32) (local i64 i64)
          f64.const 1.5)
        (export "add" (func $add))
        (start $s)
        (func $s)
        (elem (i32.const 0) $add)
        (elem funcref (ref.null func) (ref.func $add))
        (elem declare func $s)
        (data (i32.const 1) "hi")
        (data "passive"))""")
    m = decode(wasm)
    assert m.types[0] == FuncType((I32, I64), (F64,))
    assert str(m.types[0]) == "(i32, i64) -> (f64)"
    assert [(i.module, i.name, i.kind) for i in m.imports] == [
        ("env", "f", "func"), ("env", "t", "table"), ("env", "m", "memory"), ("env", "g", "global")]
    assert m.imports[1].desc == TableType(FUNCREF, Limits(2, 10))
    assert m.imports[2].desc == MemoryType(Limits(1, 2))
    assert m.imports[3].desc == GlobalType(I64, True)
    assert m.num_imported_funcs == 1 and m.num_imported_tables == 1
    assert m.tables == [TableType(EXTERNREF, Limits(3, None))]
    assert m.globals[0].init == [(op_key("i32.const"), 7, None, m.globals[0].init[0][3])]
    assert m.func_type(0) == m.func_type(1) == m.types[0]
    assert m.table_type(1).elem == EXTERNREF and m.memory_type(0).limits.max == 2
    assert m.global_type(1) == GlobalType(I32, False)
    assert m.start == 2
    body = m.codes[0]
    assert body.locals == [(1, I32), (2, I64)] and body.num_locals == 3
    assert body.local_type((I32, I64), 4) == I64 and body.local_type((I32, I64), 5) is None
    assert body.code[0][0] == op_key("f64.const") and body.code[-1][0] == 0x0B
    assert wasm[body.offset] == 0x44  # f64.const is the first instruction byte
    modes = [(e.mode, e.elemtype, len(e.init)) for e in m.elems]
    assert modes == [("active", FUNCREF, 1), ("passive", FUNCREF, 2), ("declarative", FUNCREF, 1)]
    assert m.elems[0].init == [[(0xD2, 1, None, m.elems[0].init[0][0][3])]]
    assert [(d.mode, d.data) for d in m.datas] == [("active", b"hi"), ("passive", b"passive")]
    assert m.names.module == "mod"
    assert m.names.functions[1] == "add" and m.func_name(1) == "add"
    assert m.names.locals[1][0] == "x" and m.names.locals[1][2] == "y"


def test_instruction_immediates() -> None:
    wasm = wat2wasm("""(module (memory 1) (table 1 funcref) (type $v (func))
      (func (param i32) (result i32)
        (block $b (result i32) (loop $l (br_table $b $l $b (local.get 0))))
        (call_indirect (type $v) (i32.const 0))
        (drop (i64.const -9)) (drop (f32.const -0.0)) (drop (i32.load16_u offset=40 align=1 (i32.const 0)))
        (drop (memory.grow (i32.const 1)))
        (drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3)))
        (drop (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
        (drop (v128.load8_lane offset=4 7 (i32.const 0) (v128.const i64x2 0 0)))
        ))""")
    code = decode(wasm).codes[0].code
    ops: dict = {}
    for c in code:
        ops.setdefault(c[0], c)  # first occurrence of each opcode
    assert ops[0x02][1] == -1 and ops[0x03][1] == -64
    assert ops[0x0E][1:3] == ((1, 0), 1)
    assert ops[0x11][1:3] == (0, 0)
    assert ops[0x42][1] == -9 and ops[0x43][1] == 0x80000000
    assert ops[0x2F][1:3] == (0, 40)
    assert ops[0x40][1] == 0 and ops[0x1C][1] == I32
    assert ops[0xFD00C][1] == int.from_bytes(bytes(range(1, 17)), "little")
    assert ops[0xFD054][1:3] == (0, (4, 7))


def test_multi_value_block_type() -> None:
    m = decode(wat2wasm("(module (func (result i32 i64) (block (result i32 i64) i32.const 1 i64.const 2)))"))
    blk = m.codes[0].code[0]
    assert blk[1] >= 0 and block_type(m, blk[1]).results == (I32, I64)
    assert block_type(m, -64) == FuncType((), ()) and block_type(m, -17).results == (EXTERNREF,)


@pytest.mark.parametrize("data,message", [
    (b"", "unexpected end"), (b"\0asn\x01\0\0\0", "magic header not detected"),
    (b"\0asm\x02\0\0\0", "unknown binary version"), (HEADER + b"\x0e\x00", "malformed section id"),
    (HEADER + b"\x01\x07\x01\x60\x00\x00", "length out of bounds"),
    (HEADER + b"\x08\x01\x00\x08\x01\x00", "unexpected content after last section"),
    (HEADER + b"\x01\x05\x01\x60\x00\x00\x00", "section size mismatch"),
    (HEADER + b"\x03\x02\x01\x00", "function and code section have inconsistent lengths"),
])
def test_malformed(data: bytes, message: str) -> None:
    with pytest.raises(MalformedError, match=message):
        decode(data)


def test_huge_counts_fail_before_allocating() -> None:
    data = HEADER + b"\x01\x06\xff\xff\xff\xff\x0f\x60"  # 4 billion types declared
    tracemalloc.start()
    try:
        with pytest.raises(MalformedError, match="unexpected end"):
            decode(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000


def test_huge_local_count_is_not_expanded() -> None:
    # one function declaring 2**32 - 1 i32 locals: well-formed, stored as one run
    body = b"\x01\xff\xff\xff\xff\x0f\x7f\x0b"
    data = (HEADER + b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"
            + b"\x0a" + bytes([len(body) + 2, 1, len(body)]) + body)
    m = decode(data)
    assert m.codes[0].num_locals == 2**32 - 1 and m.codes[0].locals == [(2**32 - 1, I32)]


def test_deep_nesting_decodes() -> None:
    depth = 50_000
    body = b"\x00" + b"\x02\x40" * depth + b"\x0b" * depth + b"\x0b"
    size = len(body)
    code = b"\x01" + _uleb(size) + body
    data = HEADER + b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a" + _uleb(len(code)) + code
    m = decode(data)
    assert len(m.codes[0].code) == 2 * depth + 1


def _uleb(n: int) -> bytes:
    from jit.wasm.leb import encode_unsigned

    return encode_unsigned(n)
