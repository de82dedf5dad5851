"""Traps: every kind reaches Python as jit.Trap with function, Wasm offset and backtrace; the process
survives deep recursion; faults outside compiled code stay crashes; faulthandler does not break traps."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm


TRAPS = """
(module
  (memory 1)
  (func $unr (export "unr") nop unreachable)
  (func (export "oob") (param i32) (result i32) local.get 0 i32.load offset=4)
  (func (export "oob_store") (param i32) local.get 0 i64.const 1 i64.store)
  (func (export "div0") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "rem0") (param i64 i64) (result i64) local.get 0 local.get 1 i64.rem_u)
  (func (export "ovf") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func $inner (param i32) (result i32) local.get 0 i32.load)
  (func $middle (export "middle") (param i32) (result i32) i32.const 1 drop local.get 0 call $inner)
  (func (export "outer") (param i32) (result i32) local.get 0 call $middle)
  (func $rec (export "rec") (param i64) (result i64) local.get 0 i64.const 1 i64.add call $rec)
  (func $depth (export "depth") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0 else
    local.get 0 i32.const 1 i32.sub call $depth i32.const 1 i32.add end)
  (func (export "ok") (result i32) i32.const 7)
)
"""


@pytest.fixture(scope="module")
def module() -> jit.Module:
    return jit.Module(wat(TRAPS))


@pytest.fixture(scope="module")
def inst(module: jit.Module) -> jit.Instance:
    return jit.Instance(module)


def _instr_offset(module: jit.Module, funcidx: int, opcode: int) -> int:
    body = module.wasm.codes[funcidx - module.wasm.num_imported_funcs]
    return next(pos for op, _a, _b, pos in body.code if op == opcode)


@pytest.mark.parametrize("name, args, kind", [
    ("unr", (), "unreachable"),
    ("oob", (65532,), "out of bounds memory access"),
    ("oob", (-1,), "out of bounds memory access"),
    ("oob_store", (65529,), "out of bounds memory access"),
    ("div0", (1, 0), "integer divide by zero"),
    ("rem0", (1, 0), "integer divide by zero"),
    ("ovf", (-0x80000000, -1), "integer overflow"),
    ("rec", (0,), "call stack exhausted"),
])
def test_trap_kinds_and_instance_stays_usable(inst: jit.Instance, name: str, args: tuple, kind: str) -> None:
    for _ in range(3):   # repeated traps must keep working (SA_NODEFER, no leaked entry frames)
        with pytest.raises(jit.Trap) as e:
            inst.exports[name](*args)
        assert e.value.kind == kind
        assert isinstance(e.value, jit.Error)
        assert inst.exports.ok() == 7


def test_trap_location_is_the_wasm_instruction(module: jit.Module, inst: jit.Instance) -> None:
    with pytest.raises(jit.Trap) as e:
        inst.exports.unr()
    assert e.value.func_index == 0 and e.value.func_name == "unr"
    assert e.value.wasm_offset == _instr_offset(module, 0, 0x00)
    with pytest.raises(jit.Trap) as e:
        inst.exports.oob(65535)
    assert e.value.func_index == 1
    assert e.value.wasm_offset == _instr_offset(module, 1, 0x28)   # i32.load
    assert "in function 1" in str(e.value)


def test_backtrace_walks_wasm_frames(module: jit.Module, inst: jit.Instance) -> None:
    with pytest.raises(jit.Trap) as e:
        inst.exports.outer(70000)
    funcs = [f for f, _name, _off in e.value.backtrace]
    assert funcs == [6, 7, 8]
    assert e.value.backtrace[0][2] == _instr_offset(module, 6, 0x28)
    assert e.value.backtrace[1][2] is not None and e.value.backtrace[1][1] == "middle"


def test_stack_budget_follows_limits(module: jit.Module) -> None:
    big = jit.Instance(module)
    small = jit.Instance(module, limits=jit.Limits(max_stack_bytes=32 * 1024))
    assert big.exports.depth(2000) == 2000
    with pytest.raises(jit.Trap) as e:
        small.exports.depth(2000)
    assert e.value.kind == "call stack exhausted"
    assert small.exports.depth(10) == 10


def test_traps_in_other_threads(inst: jit.Instance) -> None:
    kinds: list[str] = []

    def worker() -> None:
        for name, args in (("rec", (0,)), ("oob", (65535,)), ("div0", (1, 0))):
            try:
                inst.exports[name](*args)
            except jit.Trap as t:
                kinds.append(t.kind)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert kinds == ["call stack exhausted", "out of bounds memory access", "integer divide by zero"]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    prelude = f"""
import subprocess, jit
WASM = {wat(TRAPS)!r}
"""
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_faulthandler_enabled_after_instances_does_not_make_traps_fatal() -> None:
    proc = _run("""
        import faulthandler
        m = jit.Module(WASM)
        i1 = jit.Instance(m)
        faulthandler.enable()          # now faulthandler is in front of our handlers
        i2 = jit.Instance(m)           # creating an instance puts ours back in front
        for inst in (i1, i2):
            for _ in range(3):
                try:
                    inst.exports.oob(65535)
                except jit.Trap as t:
                    print(t.kind)
        print("alive")
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:7] == ["out of bounds memory access"] * 6 + ["alive"]
    assert "Fatal Python error" not in proc.stderr


def test_handlers_are_installed_lazily() -> None:
    proc = _run("""
        import signal
        from jit.native import lib
        m = jit.Module(WASM)
        print(lib.wx_signal_handlers_in_front())
        jit.Instance(m)
        print(lib.wx_signal_handlers_in_front())
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "1"]


@pytest.mark.parametrize("with_faulthandler", [False, True])
def test_fault_outside_compiled_code_is_not_swallowed(with_faulthandler: bool) -> None:
    proc = _run(f"""
        import ctypes, faulthandler
        if {with_faulthandler}:
            faulthandler.enable()
        inst = jit.Instance(jit.Module(WASM))
        try:
            inst.exports.oob(65535)
        except jit.Trap:
            print("trapped", flush=True)
        ctypes.string_at(0)            # a real crash in C code
        print("survived")
    """)
    assert proc.stdout.strip() == "trapped"
    assert proc.returncode == -signal.SIGSEGV
    if with_faulthandler:
        assert "Fatal Python error" in proc.stderr


def test_trap_is_not_swallowed_without_an_entry_frame() -> None:
    # A fault at a compiled-code pc is a trap only inside a Wasm call; the handler is not a catch-all.
    proc = _run("""
        import ctypes
        from jit.native import lib
        inst = jit.Instance(jit.Module(WASM))
        print(lib.wx_entry_depth(), flush=True)
        ctypes.string_at(8)
    """)
    assert proc.stdout.strip() == "0"
    assert proc.returncode == -signal.SIGSEGV
