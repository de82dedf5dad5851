"""jit.Module / jit.Instance: public API, value conversion, globals, memory, linking, exports."""
from __future__ import annotations

import math
import struct
import threading

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm


ARITH = """
(module
  (memory (export "mem") 1 4)
  (global $g (export "g") (mut i32) (i32.const 42))
  (global (export "c64") i64 (i64.const -5))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
  (func (export "fadd") (param f32 f32) (result f32) local.get 0 local.get 1 f32.add)
  (func (export "dmul") (param f64 f64) (result f64) local.get 0 local.get 1 f64.mul)
  (func (export "idf") (param f32) (result f32) local.get 0)
  (func (export "three") (param i32 i64 f64) (result f64 i64 i32) local.get 2 local.get 1 local.get 0)
  (func (export "nothing"))
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "getg") (result i32) global.get $g)
  (func (export "setg") (param i32) local.get 0 global.set $g)
  (data (i32.const 16) "\\01\\02\\03\\04")
)
"""


@pytest.fixture(scope="module")
def inst() -> jit.Instance:
    return jit.Instance(jit.Module(wat(ARITH)))


def test_module_imports_exports() -> None:
    m = jit.Module(wat('(module (import "m" "f" (func (param i64)))'
                       ' (func (export "x") (result i32) i32.const 1))'))
    assert [(mod, name, str(t)) for mod, name, t in m.imports] == [("m", "f", "(i64) -> ()")]
    assert [(name, str(t)) for name, t in m.exports] == [("x", "() -> (i32)")]


def test_from_file(tmp_path) -> None:
    p = tmp_path / "x.wasm"
    p.write_bytes(wat('(module (func (export "one") (result i32) i32.const 1))'))
    assert jit.Instance(jit.Module.from_file(p)).exports.one() == 1


def test_bad_module_raises_compile_error() -> None:
    with pytest.raises(jit.MalformedError):
        jit.Module(b"\0asm\2\0\0\0")
    with pytest.raises(jit.Error):
        jit.Instance("not a module")  # type: ignore[arg-type]


def test_i32_signed_and_unsigned_in_signed_out(inst: jit.Instance) -> None:
    add = inst.exports["add"]
    assert add(1, 2) == 3
    assert add(-1, 0) == -1
    assert add(0xFFFFFFFF, 0) == -1
    assert add(0x7FFFFFFF, 1) == -0x80000000
    assert add.call_raw([0xFFFFFFFF, 2]) == [1]
    with pytest.raises(jit.Error):
        add(1 << 32, 0)
    with pytest.raises(jit.Error):
        add(-(1 << 31) - 1, 0)
    with pytest.raises(jit.Error):
        add(1)
    with pytest.raises(jit.Error):
        add(1.5, 2)


def test_i64(inst: jit.Instance) -> None:
    add64 = inst.exports.add64
    assert add64(-1, -1) == -2
    assert add64((1 << 64) - 1, 2) == 1
    assert add64(1 << 62, 1 << 62) == -(1 << 63)
    assert add64.call_raw([(1 << 64) - 1, 0]) == [(1 << 64) - 1]


def test_floats(inst: jit.Instance) -> None:
    assert inst.exports.fadd(1.5, 2.25) == 3.75
    assert inst.exports.dmul(1e300, 1e10) == math.inf
    assert inst.exports.dmul(-0.0, 1.0) == 0.0 and math.copysign(1, inst.exports.dmul(-0.0, 1.0)) == -1
    assert inst.exports.fadd(0.1, 0.0) == struct.unpack("<f", struct.pack("<f", 0.1))[0]


def test_nan_payload_exact_through_call_raw(inst: jit.Instance) -> None:
    snan32 = 0x7FA00001
    assert inst.exports.idf.call_raw([snan32]) == [snan32]
    neg_nan = 0xFFC12345
    assert inst.exports.idf.call_raw([neg_nan]) == [neg_nan]
    with pytest.raises(jit.Error):
        inst.exports.idf.call_raw([1 << 32])


def test_multi_value_and_no_results(inst: jit.Instance) -> None:
    assert inst.exports.three(-3, 1 << 40, 0.5) == (0.5, 1 << 40, -3)
    assert inst.exports.three.call_raw([5, 6, 0x3FF0000000000000]) == [0x3FF0000000000000, 6, 5]
    assert inst.exports.nothing() is None


def test_exports_mapping_is_read_only(inst: jit.Instance) -> None:
    ex = inst.exports
    assert "add" in ex and len(ex) == len(list(ex))
    assert ex["add"] is ex.add
    with pytest.raises(AttributeError):
        ex.add = None
    with pytest.raises(TypeError):
        ex["add"] = None  # type: ignore[index]
    with pytest.raises(AttributeError):
        _ = ex.nope


def test_memory_data_segment_and_grow(inst: jit.Instance) -> None:
    mem = inst.exports.mem
    assert isinstance(mem, jit.Memory)
    assert bytes(mem.data[16:20]) == b"\1\2\3\4"
    assert inst.exports.load(16) == 0x04030201
    mem.data[100:104] = b"\xff\0\0\0"
    assert inst.exports.load(100) == 255
    inst.exports.store(200, -2)
    assert bytes(mem.data[200:204]) == b"\xfe\xff\xff\xff"
    size = inst.exports.size()
    assert mem.size == size
    assert inst.exports.grow(1) == size
    assert mem.size == size + 1 and len(mem.data) == (size + 1) * 65536
    assert mem.grow(0) == size + 1
    assert inst.exports.grow(100) == -1  # max is 4
    with pytest.raises(jit.LimitError):
        mem.grow(100)


def test_globals(inst: jit.Instance) -> None:
    g = inst.exports.g
    assert isinstance(g, jit.Global) and g.value == 42
    inst.exports.setg(-7)
    assert g.value == -7 and g.value_raw == 0xFFFFFFF9
    g.value = 9
    assert inst.exports.getg() == 9
    c = inst.exports.c64
    assert c.value == -5
    with pytest.raises(jit.Error):
        c.value = 1


def test_host_global_and_memory_imports() -> None:
    src = """(module
      (import "env" "g" (global $g i64))
      (import "env" "mg" (global $mg (mut f64)))
      (import "env" "mem" (memory 1))
      (func (export "g") (result i64) global.get $g)
      (func (export "bump") global.get $mg f64.const 1 f64.add global.set $mg)
      (func (export "peek") (param i32) (result i32) local.get 0 i32.load8_u))"""
    g = jit.Global("i64", -9)
    mg = jit.Global("f64", 1.5, mutable=True)
    mem = jit.Memory(1, 2)
    mem.data[5] = 77
    inst = jit.Instance(jit.Module(wat(src)), {"env": {"g": g, "mg": mg, "mem": mem}, "extra": {}})
    assert inst.exports.g() == -9
    inst.exports.bump()
    assert mg.value == 2.5
    assert inst.exports.peek(5) == 77


def test_link_errors_name_import_and_types() -> None:
    m = jit.Module(wat('(module (import "env" "f" (func (param i32) (result i32))))'))
    with pytest.raises(jit.LinkError) as e:
        jit.Instance(m, {})
    assert e.value.module == "env" and e.value.name == "f" and "(i32) -> (i32)" in str(e.value)
    with pytest.raises(jit.LinkError) as e:
        jit.Instance(m, {"env": {"f": jit.Func(lambda x: x, ["i64"], ["i32"])}})
    assert e.value.expected == "func (i32) -> (i32)" and e.value.actual == "func (i64) -> (i32)"
    with pytest.raises(jit.LinkError):
        jit.Instance(m, {"env": {"f": jit.Global("i32", 1)}})
    mm = jit.Module(wat('(module (import "env" "m" (memory 2 3)))'))
    with pytest.raises(jit.LinkError):
        jit.Instance(mm, {"env": {"m": jit.Memory(1, 3)}})
    with pytest.raises(jit.LinkError):
        jit.Instance(mm, {"env": {"m": jit.Memory(2)}})   # no max, import wants max 3
    jit.Instance(mm, {"env": {"m": jit.Memory(2, 3)}})
    gm = jit.Module(wat('(module (import "env" "g" (global (mut i32))))'))
    with pytest.raises(jit.LinkError):
        jit.Instance(gm, {"env": {"g": jit.Global("i32", 0)}})


def test_instance_to_instance_imports() -> None:
    a = jit.Instance(jit.Module(wat("""(module (memory (export "m") 1)
        (func (export "twice") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
        (func (export "put") (param i32 i32) local.get 0 local.get 1 i32.store))""")))
    b = jit.Instance(jit.Module(wat("""(module (import "a" "twice" (func $t (param i32) (result i32)))
        (import "a" "m" (memory 1))
        (func (export "quad") (param i32) (result i32) local.get 0 call $t call $t)
        (func (export "get") (param i32) (result i32) local.get 0 i32.load))""")), {"a": a.exports})
    assert b.exports.quad(5) == 20
    a.exports.put(8, 1234)
    assert b.exports["get"](8) == 1234  # .get is Mapping.get


def test_start_function_runs_and_trap_in_start_raises() -> None:
    calls = []
    src = '(module (import "h" "f" (func $f)) (func $s call $f) (start $s))'
    jit.Instance(jit.Module(wat(src)), {"h": {"f": jit.Func(lambda: calls.append(1))}})
    assert calls == [1]
    with pytest.raises(jit.Trap) as e:
        jit.Instance(jit.Module(wat("(module (func $s unreachable) (start $s))")))
    assert e.value.kind == "unreachable"


def test_data_segment_out_of_bounds_is_a_trap() -> None:
    with pytest.raises(jit.Trap) as e:
        jit.Instance(jit.Module(wat('(module (memory 1) (data (i32.const 65535) "ab"))')))
    assert e.value.kind == "out of bounds memory access"


def test_limits_clamp_memory() -> None:
    m = jit.Module(wat('(module (memory 1)'
                       ' (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))'))
    inst = jit.Instance(m, limits=jit.Limits(max_memory_pages=3))
    assert inst.exports.grow(2) == 1
    assert inst.exports.grow(1) == -1
    with pytest.raises(jit.LimitError):
        jit.Instance(jit.Module(wat("(module (memory 5))")), limits=jit.Limits(max_memory_pages=3))
    with pytest.raises(jit.LimitError):
        jit.Limits(max_stack_bytes=10)


def test_concurrent_calls_from_threads() -> None:
    src = """(module (func $fib (export "fib") (param i32) (result i32)
        local.get 0 i32.const 2 i32.lt_u if (result i32) local.get 0 else
        local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end))"""
    inst = jit.Instance(jit.Module(wat(src)))
    fib = inst.exports.fib
    results: list[int] = []

    def worker() -> None:
        for _ in range(20):
            results.append(fib(15))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [610] * 80


def test_many_instances_release_their_memory() -> None:
    m = jit.Module(wat("(module (memory 1))"))
    for _ in range(3000):   # 3000 x 8 GiB of reservations would not fit if they were leaked
        jit.Instance(m)


def test_reexported_host_function_has_call_raw() -> None:
    """An export that is a re-exported host import keeps the export contract (call_raw, bits in/out)."""
    import struct

    f = jit.Func(lambda a, x: (a + 1, x * 2), params=["i32", "f64"], results=["i32", "f64"])
    one_and_half = struct.unpack("<Q", struct.pack("<d", 1.5))[0]
    assert f.call_raw([0xFFFFFFFF, one_and_half]) == [0, struct.unpack("<Q", struct.pack("<d", 3.0))[0]]
    marker = object()
    g = jit.Func(lambda r: r, params=["externref"], results=["externref"])
    assert g.call_raw([marker])[0] is marker


REF_GLOBALS = """
(module
  (type $s (struct (field i32)))
  (global (export "ext") (mut externref) (ref.null extern))
  (global (export "fn") (mut funcref) (ref.null func))
  (global (export "st") (mut (ref null $s)) (ref.null $s))
  (func (export "id") (param i32) (result i32) local.get 0)
  (func (export "set_ext") (param externref) (global.set 0 (local.get 0)))
  (func (export "get_ext") (result externref) (global.get 0)))
"""


def test_reference_globals_read_and_write_python_objects():
    inst = jit.Instance(jit.Module(wat(REF_GLOBALS)))
    ext, fn, st = inst.exports["ext"], inst.exports["fn"], inst.exports["st"]
    obj = object()
    inst.exports["set_ext"](obj)
    assert ext.value is obj                      # the object, not the word Wasm holds
    other = object()
    ext.value = other
    assert inst.exports["get_ext"]() is other    # what Python stored, Wasm reads
    fn.value = inst.exports["id"]
    assert fn.value(7) == 7
    ext.value = None
    assert ext.value is None and inst.exports["get_ext"]() is None
    with pytest.raises(jit.Error, match="can only be set to None"):
        st.value = object()                      # a host object is not a struct: refused, never stored
    assert st.value is None
