"""Hostile modules at run time: infinite loops are stopped by ``instance.interrupt()`` from another
thread, infinite recursion traps "call stack exhausted" and leaves the instance usable (also with huge
frames and on small thread stacks), memory and table bombs are bounded by ``jit.Limits`` or by the
spec's maximums, and huge segments or bulk operations trap instead of touching memory they do not own.

Deadlines use ``threading.Timer(..., instance.interrupt)`` (``jit.Limits(timeout=...)`` is tested with
the runtime). No timed assertions: a hang shows as the test timing out, a crash as a dead child."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm


LOOPS = """
(module
  (func (export "ok") (result i32) i32.const 7)
  (func (export "spin") (loop br 0))
  (func $leaf (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "spin_calls") (local i32)
    (loop local.get 0 call $leaf local.set 0 br 0))
  (func (export "nested") (local i32)
    (loop (loop (loop local.get 0 i32.const 1 i32.add local.tee 0 i32.const 0 i32.ge_s br_if 0)
      br 0) br 0))
  (func $ping (export "ping") (call $pong))
  (func $pong (loop call $ping))
)
"""


def interrupted(inst: jit.Instance, name: str, after: float = 0.05) -> str:
    """Call export ``name`` while a timer interrupts ``inst``; returns the trap kind."""
    timer = threading.Timer(after, inst.interrupt)
    timer.start()
    try:
        inst.exports[name]()
    except jit.Trap as trap:
        return trap.kind
    finally:
        timer.cancel()
    return "returned"


@pytest.fixture(scope="module")
def loops() -> jit.Module:
    return jit.Module(wat(LOOPS))


@pytest.mark.parametrize("name", ["spin", "spin_calls", "nested"])
def test_infinite_loop_is_interrupted(loops: jit.Module, name: str) -> None:
    inst = jit.Instance(loops)
    assert interrupted(inst, name) == "interrupted"
    assert jit.Instance(loops).exports.ok() == 7          # other instances are not affected


def test_interrupt_reaches_a_loop_of_calls_and_recursion_through_loops(loops: jit.Module) -> None:
    # ping -> pong (loop) -> ping -> ...: either the interrupt or the stack limit stops it
    inst = jit.Instance(loops)
    assert interrupted(inst, "ping") in ("interrupted", "call stack exhausted")


def test_interrupt_a_call_running_in_another_thread(loops: jit.Module) -> None:
    inst = jit.Instance(loops)
    kinds: list[str] = []
    started = threading.Event()

    def worker() -> None:
        started.set()
        try:
            inst.exports.spin()
        except jit.Trap as trap:
            kinds.append(trap.kind)

    t = threading.Thread(target=worker)
    t.start()
    started.wait()
    # the GIL is released while Wasm runs: this thread keeps going and can interrupt
    timer = threading.Timer(0.05, inst.interrupt)
    timer.start()
    t.join(timeout=60)
    timer.cancel()
    assert not t.is_alive()
    assert kinds == ["interrupted"]


RECURSION = """
(module
  (func (export "ok") (result i32) i32.const 7)
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $rec)
  (func $a (export "mutual") (param i64) (result i64) local.get 0 call $b)
  (func $b (param i64) (result i64) local.get 0 i64.const 1 i64.add call $a)
  (type $t (func (param i32) (result i32)))
  (table funcref (elem $indirect))
  (func $indirect (export "indirect") (param i32) (result i32)
    local.get 0 i32.const 0 call_indirect (type $t))
  (func $big (export "big") (param i32) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    local.get 0 i32.const 1 i32.add call $big local.get 1 i64.add local.get 16 i64.add)
)
"""


@pytest.mark.parametrize("name, arg", [("rec", 0), ("mutual", 0), ("indirect", 0), ("big", 0)])
def test_infinite_recursion_traps_and_instance_stays_usable(name: str, arg: int) -> None:
    inst = jit.Instance(jit.Module(wat(RECURSION)))
    for _ in range(3):
        with pytest.raises(jit.Trap) as e:
            inst.exports[name](arg)
        assert e.value.kind == "call stack exhausted"
        assert inst.exports.ok() == 7


def _child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300)


def test_recursion_with_huge_frames_in_a_child() -> None:
    # frames of 40,000 i64 locals (320 KB each): the prologue must check the whole frame against the
    # limit, or the second frame jumps over any guard. Run in a child: a crash must not kill pytest.
    body = "(local " + "i64 " * 40_000 + ")"
    text = f"""
    (module
      (func $big (export "big") (param i32) (result i64) {body}
        local.get 0 i32.const 1 i32.add call $big local.get 40000 i64.add)
      (func (export "ok") (result i32) i32.const 7))
    """
    proc = _child(f"""
        import jit
        inst = jit.Instance(jit.Module({wat(text)!r}))
        for _ in range(3):
            try:
                inst.exports.big(0)
            except jit.Trap as t:
                print(t.kind)
        print(inst.exports.ok())
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split("\n")[:4] == ["call stack exhausted"] * 3 + ["7"]


def test_recursion_on_a_small_thread_stack_in_a_child() -> None:
    proc = _child(f"""
        import threading, jit
        threading.stack_size(256 * 1024)
        inst = jit.Instance(jit.Module({wat(RECURSION)!r}))
        out = []
        def worker():
            for name in ("rec", "big"):
                try:
                    inst.exports[name](0)
                except jit.Trap as t:
                    out.append(t.kind)
            out.append(inst.exports.ok())
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        print(out)
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "['call stack exhausted', 'call stack exhausted', 7]"


MEMORY = """
(module
  (memory (export "mem") 1)
  ;; grow one page at a time until refused, touching the last byte of every new page;
  ;; returns the final size in pages
  (func (export "grow_all") (result i32) (local i32)
    (block (loop
      i32.const 1 memory.grow i32.const -1 i32.eq br_if 1
      memory.size i32.const 65536 i32.mul i32.const 1 i32.sub i32.const 255 i32.store8
      br 0))
    memory.size)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "fill") (param i32 i32) local.get 0 i32.const 1 local.get 1 memory.fill)
  (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u)
)
"""


def test_memory_bomb_is_bounded_by_limits() -> None:
    inst = jit.Instance(jit.Module(wat(MEMORY)), limits=jit.Limits(max_memory_pages=64))
    assert inst.exports.grow_all() == 64
    assert inst.memory.size == 64
    assert inst.exports.load(64 * 65536 - 1) == 255
    with pytest.raises(jit.Trap, match="out of bounds memory access"):
        inst.exports.load(64 * 65536)
    assert inst.exports.grow(1) == -1
    assert inst.exports.grow(0) == 64


@pytest.mark.parametrize("delta", [65536, 0x7FFFFFFF, -1])
def test_memory_grow_beyond_the_spec_maximum_fails(delta: int) -> None:
    inst = jit.Instance(jit.Module(wat(MEMORY)))
    assert inst.exports.grow(delta) == -1
    assert inst.memory.size == 1


@pytest.mark.parametrize("name, args", [
    ("fill", (0, 0x7FFFFFFF)), ("fill", (65535, 2)), ("fill", (-1, -1)),
    ("copy", (0, 1, 0x10000)), ("copy", (1, 0, -1)), ("copy", (-4096, 0, 4096)),
])
def test_bulk_memory_out_of_bounds_traps(name: str, args: tuple[int, ...]) -> None:
    inst = jit.Instance(jit.Module(wat(MEMORY)))
    with pytest.raises(jit.Trap) as e:
        inst.exports[name](*args)
    assert e.value.kind == "out of bounds memory access"
    assert inst.exports.load(0) == 0                     # nothing was written before the check


def test_huge_declared_memory() -> None:
    data = wat('(module (memory (export "mem") 65536) (func (export "last") (result i32) '
               'i32.const -1 i32.load8_u))')
    with pytest.raises(jit.LimitError, match="max_memory_pages"):
        jit.Instance(jit.Module(data), limits=jit.Limits(max_memory_pages=1024))
    # without a limit it is allowed (4 GiB is the spec's maximum) but only reserved, not committed
    proc = _child(f"""
        import resource, jit
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        inst = jit.Instance(jit.Module({data!r}))
        print(inst.memory.size, inst.exports.last())
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    size_and_value, grown_mib = proc.stdout.split("\n")[:2]
    assert size_and_value == "65536 0"
    assert int(grown_mib) < 256


def test_huge_data_segments() -> None:
    payload = bytes(range(256)) * 65536          # 16 MiB
    big = wat(f'(module (memory (export "mem") 256) (data (i32.const 0) "{_wat_bytes(payload[:16])}"))')
    assert jit.Instance(jit.Module(big)).memory.size == 256
    data = _module_with_data(256, 0, payload)
    inst = jit.Instance(jit.Module(data))
    assert bytes(inst.memory.data[16 * 2**20 - 4:16 * 2**20]) == payload[-4:]
    # one byte past the end of memory: the whole instantiation traps
    with pytest.raises(jit.Trap) as e:
        jit.Instance(jit.Module(_module_with_data(256, 1, payload)))
    assert e.value.kind == "out of bounds memory access"
    with pytest.raises(jit.Trap):
        jit.Instance(jit.Module(_module_with_data(1, 0xFFFFFFFF, b"x")))
    # the module-size limit refuses it before decoding
    with pytest.raises(jit.LimitError, match="max_module_bytes"):
        jit.validate(data, jit.Limits(max_module_bytes=2**20))


def _wat_bytes(b: bytes) -> str:
    return "".join(f"\\{x:02x}" for x in b)


def _module_with_data(pages: int, offset: int, payload: bytes) -> bytes:
    from jit.fuzz.encoding import sleb, uleb

    def section(sid: int, body: bytes) -> bytes:
        return bytes([sid]) + uleb(len(body)) + body

    mem = section(5, b"\x01\x00" + uleb(pages))
    const = sleb(offset if offset < 2**31 else offset - 2**32)
    seg = b"\x00\x41" + const + b"\x0b" + uleb(len(payload)) + payload
    return b"\0asm\x01\0\0\0" + mem + section(11, b"\x01" + seg)


TABLE = """
(module
  (table $t (export "t") 1 funcref)
  (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow $t)
  (func (export "size") (result i32) table.size $t)
  (func (export "fill") (param i32 i32) local.get 0 ref.null func local.get 1 table.fill $t)
  (func (export "call") (param i32) local.get 0 call_indirect (param) (result))
)
"""


def test_table_bomb_is_bounded() -> None:
    inst = jit.Instance(jit.Module(wat(TABLE)), limits=jit.Limits(max_table_elements=1000))
    assert inst.exports.grow(999) == 1
    assert inst.exports.grow(1) == -1
    assert inst.exports.size() == 1000
    default = jit.Instance(jit.Module(wat(TABLE)))
    assert default.exports.grow(-1) == -1                # 2**32 - 1 more elements: refused
    assert default.exports.grow(0x7FFFFFFF) == -1
    assert default.exports.size() == 1


@pytest.mark.parametrize("name, args, kind", [
    ("fill", (0, 2), "out of bounds table access"),
    ("fill", (-1, 1), "out of bounds table access"),
    ("call", (0,), "uninitialized element"),
    ("call", (-1,), "undefined element"),
])
def test_table_operations_out_of_bounds_trap(name: str, args: tuple[int, ...], kind: str) -> None:
    inst = jit.Instance(jit.Module(wat(TABLE)))
    with pytest.raises(jit.Trap) as e:
        inst.exports[name](*args)
    assert e.value.kind == kind


def test_huge_declared_table_is_refused() -> None:
    data = wat("(module (table 4294967295 funcref))")
    with pytest.raises(jit.LimitError, match="max_table_elements"):
        jit.Instance(jit.Module(data))
