"""Multiple memories: loads/stores, memory.size/grow/fill/copy/init and data segments on any memory,
memory.copy between two memories, traps, imports/exports, the Python Memory API per memory, jit.Limits,
jit.Features(multi_memory=False) and a serialize round trip."""
from __future__ import annotations

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.abi import vmctx as V

pytestmark = needs_wat2wasm

PAGE = 65536

THREE = """
(module
  (memory $m0 1 3)
  (memory $m1 2 4)
  (memory $m2 0 1)
  (data (memory $m1) (i32.const 16) "one")
  (data (memory $m0) (i32.const 16) "zero")
  (data $p "passive")
  (export "m0" (memory $m0))
  (export "m1" (memory $m1))
  (export "m2" (memory $m2))
  (func (export "load0") (param i32) (result i32) (i32.load8_u $m0 (local.get 0)))
  (func (export "load1") (param i32) (result i32) (i32.load8_u $m1 (local.get 0)))
  (func (export "load1_off") (param i32) (result i64) (i64.load $m1 offset=0x1fff8 (local.get 0)))
  (func (export "store1") (param i32 i32) (i32.store $m1 (local.get 0) (local.get 1)))
  (func (export "store2") (param i32 i32) (i32.store16 $m2 (local.get 0) (local.get 1)))
  (func (export "load2_const") (result i32) (i32.load $m2 offset=100 (i32.const 4)))
  (func (export "size") (result i32 i32 i32) (memory.size $m0) (memory.size $m1) (memory.size $m2))
  (func (export "grow2") (param i32) (result i32) (memory.grow $m2 (local.get 0)))
  (func (export "copy10") (param i32 i32 i32) (memory.copy $m1 $m0 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy11") (param i32 i32 i32) (memory.copy $m1 $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill1") (param i32 i32 i32) (memory.fill $m1 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init2") (param i32 i32 i32) (memory.init $m2 $p (local.get 0) (local.get 1) (local.get 2)))
)
"""


@pytest.fixture(scope="module")
def three_module() -> jit.Module:
    return jit.Module(wat(THREE))


@pytest.fixture
def inst(three_module: jit.Module) -> jit.Instance:
    return jit.Instance(three_module)


def test_memories_are_separate(inst: jit.Instance) -> None:
    e = inst.exports
    assert bytes(e.m0.data[16:20]) == b"zero" and bytes(e.m1.data[16:19]) == b"one"
    assert e.load0(16) == ord("z") and e.load1(16) == ord("o")
    e.store1(100, 0x11223344)
    assert e.load1(100) == 0x44 and e.load0(100) == 0
    assert e.m1.read(100, 4) == bytes([0x44, 0x33, 0x22, 0x11])
    assert e.m0.read(100, 4) == bytes(4)


def test_instance_memories_and_exports_are_the_same_objects(inst: jit.Instance) -> None:
    mems = inst.memories
    assert len(mems) == 3
    assert mems[0] is inst.memory is inst.exports.m0
    assert mems[1] is inst.exports.m1 and mems[2] is inst.exports.m2
    assert [m.size for m in mems] == [1, 2, 0]
    assert [m.type.limits.max for m in mems] == [3, 4, 1]


def test_other_memory_bounds_trap_through_the_guard_region(inst: jit.Instance) -> None:
    e = inst.exports
    e.store1(2 * PAGE - 4, 7)
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.store1(2 * PAGE - 3, 7)
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.load1(0xFFFFFFFF)
    assert e.load1_off(0) == 7 << 32             # 8 bytes ending exactly at the end of memory 1
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.load1_off(1)
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.store2(0, 1)                           # memory 2 has no pages yet
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.load2_const()


def test_size_and_grow_per_memory(inst: jit.Instance) -> None:
    e = inst.exports
    assert e.size() == (1, 2, 0)
    assert e.grow2(1) == 0
    assert e.grow2(1) == -1                       # max 1
    assert e.size() == (1, 2, 1)
    e.store2(PAGE - 2, 0xBEEF)
    assert e.m2.read(PAGE - 2, 2) == b"\xef\xbe"
    assert e.load2_const() == 0
    assert inst.memories[1].grow(2) == 2 and e.size() == (1, 4, 1)
    with pytest.raises(jit.LimitError):
        inst.memories[1].grow(1)


def test_copy_between_memories(inst: jit.Instance) -> None:
    e = inst.exports
    e.m0.write(1000, b"hello, memory")
    e.copy10(50, 1000, 13)
    assert e.m1.read(50, 13) == b"hello, memory"
    assert e.m0.read(50, 13) == bytes(13)
    e.copy11(52, 50, 13)                          # overlapping, within memory 1
    assert e.m1.read(50, 15) == b"hehello, memory"
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.copy10(2 * PAGE - 4, 0, 5)             # destination (memory 1) too short
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.copy10(0, PAGE - 4, 5)                 # source (memory 0, 1 page) too short
    assert e.m1.read(2 * PAGE - 4, 4) == bytes(4)  # nothing written on a trap


def test_fill_and_init_on_other_memories(inst: jit.Instance) -> None:
    e = inst.exports
    e.fill1(10, 0xAB, 5)
    assert e.m1.read(9, 7) == b"\0" + b"\xab" * 5 + b"\0"
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.fill1(2 * PAGE - 1, 0, 2)
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        e.init2(0, 0, 1)                          # memory 2 is empty
    e.grow2(1)
    e.init2(3, 1, 4)
    assert e.m2.read(0, 8) == b"\0\0\0assi\0"


def test_python_memory_api_checks_bounds(inst: jit.Instance) -> None:
    m1 = inst.exports.m1
    with pytest.raises(jit.Error):
        m1.read(2 * PAGE - 1, 2)
    with pytest.raises(jit.Error):
        m1.write(2 * PAGE, b"x")
    m1.write(2 * PAGE - 1, b"x")
    assert m1.read(2 * PAGE - 1, 1) == b"x" and m1.data_size == 2 * PAGE


def test_import_several_memories_shared_with_the_exporter(three_module: jit.Module) -> None:
    owner = jit.Instance(three_module)
    user = jit.Module(wat("""
      (module
        (import "o" "a" (memory 1))
        (import "o" "b" (memory 2))
        (memory 1)
        (func (export "put") (param i32 i32)
          (i32.store8 1 (local.get 0) (local.get 1))
          (i32.store8 2 (local.get 0) (local.get 1)))
        (func (export "sum") (param i32) (result i32)
          (i32.add (i32.load8_u 0 (local.get 0)) (i32.load8_u 1 (local.get 0))))
        (func (export "size1") (result i32) (memory.size 1)))"""))
    u = jit.Instance(user, {"o": {"a": owner.exports.m0, "b": owner.exports.m1}})
    assert u.memories[0] is owner.exports.m0 and u.memories[1] is owner.exports.m1
    u.exports.put(7, 40)
    assert owner.exports.load1(7) == 40 and u.memories[2].read(7, 1) == b"\x28"
    assert u.exports.sum(16) == ord("z") + ord("o")
    owner.exports.m1.grow(1)                      # growth through one instance is seen by the other
    assert u.exports.size1() == 3
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        u.exports.put(3 * PAGE - 1, 1)            # in memory 1 (grown), beyond memory 2 (1 page)
    assert owner.exports.load1(3 * PAGE - 1) == 1  # the first store happened


def test_limits_cap_every_memory(three_module: jit.Module) -> None:
    inst = jit.Instance(three_module, limits=jit.Limits(max_memory_pages=2))
    assert inst.memories[1].size == 2
    with pytest.raises(jit.LimitError):
        inst.memories[1].grow(1)                  # declared max 4, capped at 2
    assert inst.exports.grow2(1) == 0
    with pytest.raises(jit.LimitError, match="max_memory_pages"):
        jit.Instance(three_module, limits=jit.Limits(max_memory_pages=1))   # memory 1 needs 2


def test_vmctx_descriptors(inst: jit.Instance) -> None:
    layout = inst.module.compiled.layout
    assert layout.num_memories == 3
    from jit.native import ffi
    vm = ffi.cast("uint64_t *", inst.vmctx_address)
    for i, mem in enumerate(inst._state.memories):
        desc = layout.memory_desc(i) // 8
        assert vm[desc + V.VMMEMDESC_BASE // 8] == mem.base
        assert vm[desc + V.VMMEMDESC_MEMORY // 8] == mem.address
    assert vm[V.VMCTX_MEM_BASE // 8] == inst._state.memories[0].base


def test_features_off_rejects_multiple_memories() -> None:
    data = wat(THREE)
    with pytest.raises(jit.CompileError, match="unsupported proposal 'multiple memories'"):
        jit.Module(data, features=jit.Features(multi_memory=False))
    with pytest.raises(jit.CompileError, match="unsupported proposal 'multiple memories'"):
        jit.validate(data, features=jit.Features.none())
    one = wat("(module (memory 1) (func (drop (i32.load 0 (i32.const 0)))))")
    jit.validate(one, features=jit.Features(multi_memory=False))


def test_serialize_round_trip(three_module: jit.Module) -> None:
    again = jit.Module.deserialize(three_module.serialize())
    inst = jit.Instance(again)
    e = inst.exports
    assert e.size() == (1, 2, 0) and e.load1(16) == ord("o")
    e.m0.write(0, b"abc")
    e.copy10(5, 0, 3)
    assert e.m1.read(5, 3) == b"abc"
    assert len(inst.memories) == 3
