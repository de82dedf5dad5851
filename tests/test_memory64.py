"""memory64 and table64: explicit bounds checks of 64-bit memories (near 2^32 and 2^64, offsets whose
sum overflows), i64 memory.size/grow, bulk instructions between 32- and 64-bit memories, 64-bit
tables, the Python API, huge declared memories (validated, never allocated), jit.Features(memory64=
False), the linker's address-type check and a serialize round trip."""
from __future__ import annotations

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.runtime.memory import MAX_PAGES_64_RESERVED

pytestmark = needs_wat2wasm

PAGE = 65536
U64 = (1 << 64) - 1

MEM64 = """
(module
  (memory $m i64 1 3)
  (memory $s 1)
  (data (memory $m) (i64.const 8) "\\01\\02\\03\\04\\05\\06\\07\\08")
  (data $p "passive!")
  (export "mem" (memory $m))
  (export "small" (memory $s))
  (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load_off_max") (param i64) (result i32)
    (i32.load8_u offset=0xffffffffffffffff (local.get 0)))
  (func (export "load_off_big") (param i64) (result i32) (i32.load offset=0x100000000 (local.get 0)))
  (func (export "load_off_8") (param i64) (result i32) (i32.load offset=8 (local.get 0)))
  (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "store_const") (param i64) (i64.store (i64.const 65528) (local.get 0)))
  (func (export "v128_load") (param i64) (result i64) (i64x2.extract_lane 1 (v128.load (local.get 0))))
  (func (export "size") (result i64) (memory.size $m))
  (func (export "grow") (param i64) (result i64) (memory.grow $m (local.get 0)))
  (func (export "fill") (param i64 i32 i64) (memory.fill $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_to64")
    (param i64 i32 i32) (memory.copy $m $s (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_to32")
    (param i32 i64 i32) (memory.copy $s $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy64") (param i64 i64 i64) (memory.copy $m $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i64 i32 i32) (memory.init $m $p (local.get 0) (local.get 1) (local.get 2)))
)
"""


@pytest.fixture(scope="module")
def mem64_module() -> jit.Module:
    return jit.Module(wat(MEM64))


@pytest.fixture
def inst(mem64_module: jit.Module) -> jit.Instance:
    return jit.Instance(mem64_module)


def oob():
    return pytest.raises(jit.Trap, match="out of bounds memory access")


def test_loads_stores_and_bounds(inst: jit.Instance) -> None:
    e = inst.exports
    assert e.load(8) == 0x0807060504030201
    e.store(PAGE - 8, -2)
    assert e.load(PAGE - 8) == -2 and e.mem.read(PAGE - 8, 8) == b"\xfe" + b"\xff" * 7
    with oob():
        e.load(PAGE - 7)                          # one byte beyond the end
    with oob():
        e.store(PAGE, 1)
    with oob():
        e.load(1 << 32)                           # a 32-bit memory's index would wrap here
    with oob():
        e.load(-8)                                # 2^64 - 8: the end overflows
    with oob():
        e.load8(-1)
    e.store_const(5)
    assert e.load(PAGE - 8) == 5
    assert e.v128_load(PAGE - 16) == 5
    with oob():
        e.v128_load(PAGE - 15)


def test_offsets_that_overflow(inst: jit.Instance) -> None:
    e = inst.exports
    with oob():
        e.load_off_max(0)                         # offset 2^64-1 + a 1-byte access
    with oob():
        e.load_off_max(1)                         # address + offset wraps to 0
    with oob():
        e.load_off_big(0)                         # offset 2^32, beyond the 1-page memory
    assert e.load_off_8(0) == 0x04030201
    with oob():
        e.load_off_8(-8)                          # 2^64 - 8 + 8 wraps to 0: still out of bounds
    with oob():
        e.load_off_8(PAGE - 11)


def test_size_and_grow_are_i64(inst: jit.Instance) -> None:
    e = inst.exports
    assert e.size() == 1
    assert e.grow(2) == 1 and e.size() == 3
    assert e.grow(1) == -1                        # max 3
    assert e.grow(1 << 40) == -1 and e.grow(-1) == -1
    assert e.grow(0) == 3
    e.store(3 * PAGE - 8, 9)
    assert e.load(3 * PAGE - 8) == 9
    assert inst.exports.mem.size == 3 and inst.exports.mem.data_size == 3 * PAGE


def test_bulk_between_32_and_64_bit_memories(inst: jit.Instance) -> None:
    e = inst.exports
    e.small.write(100, b"from32")
    e.copy_to64(PAGE - 6, 100, 6)
    assert e.mem.read(PAGE - 6, 6) == b"from32"
    with oob():
        e.copy_to64(PAGE - 5, 100, 6)
    with oob():
        e.copy_to64(-1, 100, 6)
    e.copy_to32(200, 8, 4)
    assert e.small.read(200, 4) == b"\x01\x02\x03\x04"
    with oob():
        e.copy_to32(0, 1 << 32, 1)
    e.copy64(1, 8, 8)
    assert e.mem.read(0, 10) == b"\0\x01\x02\x03\x04\x05\x06\x07\x08\x02"
    with oob():
        e.copy64(0, 0, -1)
    e.fill(10, 0x5A, 3)
    assert e.mem.read(9, 5) == b"\x02ZZZ\x06"
    with oob():
        e.fill(-2, 0, 3)
    e.init(PAGE - 4, 4, 4)
    assert e.mem.read(PAGE - 4, 4) == b"ive!"
    with oob():
        e.init(PAGE - 3, 4, 4)


def test_bounds_near_4gib() -> None:
    """A 64-bit memory a page larger than 4 GiB: accesses across 2^32 work, the end still traps."""
    m = jit.Module(wat("""
      (module (memory (export "mem") i64 65537 65537)
        (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
        (func (export "load") (param i64) (result i32) (i32.load (local.get 0))))"""))
    inst = jit.Instance(m)
    e = inst.exports
    for addr in ((1 << 32) - 2, 1 << 32, (1 << 32) + PAGE - 4):
        e.store(addr, 0x61626364)
        assert e.load(addr) == 0x61626364
    assert e.mem.read((1 << 32) - 2, 6) == b"dcdcba"       # the second store overlapped the first
    with oob():
        e.load((1 << 32) + PAGE - 3)
    assert e.mem.size == 65537


def test_table64() -> None:
    m = jit.Module(wat("""
      (module
        (type $t (func (result i32)))
        (table $t64 i64 2 10 funcref)
        (table $t32 3 funcref)
        (elem (table $t64) (i64.const 1) func $f)
        (func $f (result i32) (i32.const 42))
        (func (export "size") (result i64) (table.size $t64))
        (func (export "grow") (param i64) (result i64) (table.grow $t64 (ref.null func) (local.get 0)))
        (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t64 (local.get 0))))
        (func (export "set") (param i64) (table.set $t64 (local.get 0) (ref.func $f)))
        (func (export "fill") (param i64 i64) (table.fill $t64 (local.get 0) (ref.func $f) (local.get 1)))
        (func (export "call") (param i64) (result i32) (call_indirect $t64 (type $t) (local.get 0)))
        (func (export "copy_to32")
    (param i32 i64 i32) (table.copy $t32 $t64 (local.get 0) (local.get 1) (local.get 2)))
        (func (export "call32") (param i32) (result i32) (call_indirect $t32 (type $t) (local.get 0))))"""))
    e = jit.Instance(m).exports
    assert e.size() == 2 and e.call(1) == 42 and e.is_null(0) == 1
    with pytest.raises(jit.Trap, match="undefined element"):
        e.call(1 << 32)
    with pytest.raises(jit.Trap, match="out of bounds table access"):
        e.is_null(-1)
    assert e.grow(3) == 2 and e.size() == 5
    assert e.grow(6) == -1 and e.grow(1 << 40) == -1
    e.set(4)
    assert e.call(4) == 42
    e.fill(2, 2)
    assert e.call(3) == 42
    with pytest.raises(jit.Trap, match="out of bounds table access"):
        e.fill(4, -1)
    e.copy_to32(0, 3, 2)
    assert e.call32(1) == 42


def test_python_api_and_linking() -> None:
    mem = jit.Memory(1, 4, memory64=True)
    assert mem.memory64 and mem.type.address_type == jit.wasm.I64 and mem.size == 1
    mem.write(PAGE - 2, b"hi")
    assert mem.grow(1) == 1 and mem.size == 2 and mem.read(PAGE - 2, 2) == b"hi"
    user = jit.Module(wat("""
      (module (import "env" "m" (memory i64 1))
        (func (export "peek") (param i64) (result i32) (i32.load8_u (local.get 0))))"""))
    inst = jit.Instance(user, {"env": {"m": mem}})
    assert inst.exports.peek(PAGE - 1) == ord("i") and inst.memory is mem
    with oob():
        inst.exports.peek(2 * PAGE)
    with pytest.raises(jit.LinkError, match="incompatible import type"):
        jit.Instance(user, {"env": {"m": jit.Memory(1)}})
    plain = jit.Module(wat('(module (import "env" "m" (memory 1)))'))
    with pytest.raises(jit.LinkError, match="incompatible import type"):
        jit.Instance(plain, {"env": {"m": mem}})


def test_huge_declared_memories_validate_without_allocating() -> None:
    data = wat("(module (memory i64 0x1000000000000) (func (export \"f\") (result i64) (memory.size)))")
    module = jit.Module(data)                     # 2^48 pages: valid, compiled, nothing reserved
    with pytest.raises(jit.LimitError):
        jit.Instance(module)
    grow_only = jit.Module(wat("(module (memory (export \"m\") i64 1 0x1000000000000))"))
    inst = jit.Instance(grow_only)
    assert inst.memory.type.limits.max == 1 << 48
    with pytest.raises(jit.LimitError):
        inst.memory.grow(MAX_PAGES_64_RESERVED)  # beyond the reservation: fails, as the spec allows
    with pytest.raises(jit.ValidationError, match="2\\^48"):
        jit.validate(wat("(module (memory i64 0x1000000000001))"))


def test_features_off_rejects_64_bit_memories_and_tables() -> None:
    for text in ("(module (memory i64 1))", "(module (table i64 1 funcref))"):
        with pytest.raises(jit.CompileError, match="unsupported proposal 'memory64'"):
            jit.Module(wat(text), features=jit.Features(memory64=False))
    jit.validate(wat("(module (memory i64 1))"), features=jit.Features(multi_memory=False))


def test_serialize_round_trip(mem64_module: jit.Module) -> None:
    again = jit.Module.deserialize(mem64_module.serialize())
    assert again.wasm.memories[0].address_type == jit.wasm.I64
    e = jit.Instance(again).exports
    assert e.load(8) == 0x0807060504030201
    with oob():
        e.load(PAGE - 7)
    assert e.grow(1) == 1 and e.size() == 2
