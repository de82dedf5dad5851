"""Host functions: values by type, exceptions out unchanged, host → Wasm → host re-entry, and W^X for
the whole process (extern "Python" host calls never need a writable+executable page)."""
from __future__ import annotations

import subprocess
import traceback

import pytest
from wasm_text import needs_wat2wasm, wat

import jit

pytestmark = needs_wat2wasm


HOST = """
(module
  (import "env" "f" (func $f (param i32 i64 f32 f64) (result i32)))
  (import "env" "pair" (func $pair (param i32) (result i32 i64)))
  (import "env" "rec" (func $rec (param i32) (result i32)))
  (import "env" "boom" (func $boom))
  (func (export "call_f") (param i32 i64 f32 f64) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $f i32.const 1 i32.add)
  (func (export "call_pair") (param i32) (result i32 i64) local.get 0 call $pair)
  (func (export "call_pair_i") (param i32) (result i32) local.get 0 call $pair drop)
  (func (export "down") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 100 else local.get 0 call $rec end)
  (func (export "boom") call $boom)
  (func (export "ok") (result i32) i32.const 5)
)
"""


class Boom(Exception):
    pass


class Host:
    def __init__(self) -> None:
        self.seen: list[tuple] = []
        self.inst: jit.Instance | None = None
        self.exc: BaseException = Boom("bang")

    def f(self, a: int, b: int, c: float, d: float) -> int:
        self.seen.append((a, b, c, d))
        return a * 2

    def pair(self, x: int) -> tuple[int, int]:
        return (x + 1, -x)

    def rec(self, n: int) -> int:
        assert self.inst is not None
        return self.inst.exports.down(n - 1) + 1   # host -> Wasm -> host ...

    def boom(self) -> None:
        raise self.exc


def make(host: Host) -> jit.Instance:
    imports = {"env": {
        "f": jit.Func(host.f, ["i32", "i64", "f32", "f64"], ["i32"]),
        "pair": jit.Func(host.pair, ["i32"], ["i32", "i64"]),
        "rec": jit.Func(host.rec, ["i32"], ["i32"]),
        "boom": jit.Func(host.boom),
    }}
    inst = jit.Instance(jit.Module(wat(HOST)), imports)
    host.inst = inst
    return inst


@pytest.fixture
def host() -> Host:
    return Host()


def test_arguments_and_results_convert_by_type(host: Host) -> None:
    inst = make(host)
    assert inst.exports.call_f(-3, -(1 << 40), 1.5, -2.25) == -5
    assert host.seen == [(-3, -(1 << 40), 1.5, -2.25)]
    assert inst.exports.call_pair(5) == (6, -5)
    assert inst.exports.call_pair_i(-1) == 0
    assert inst.exports.call_pair.call_raw([1]) == [2, (1 << 64) - 1]


def test_exception_comes_out_unchanged(host: Host) -> None:
    inst = make(host)
    with pytest.raises(Boom) as e:
        inst.exports.boom()
    assert e.value is host.exc
    frames = [f.name for f in traceback.extract_tb(e.value.__traceback__)]
    assert "boom" in frames   # the host function's own frame is kept
    assert inst.exports.ok() == 5  # still usable
    host.exc = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        inst.exports.boom()
    assert inst.exports.down(3) == 103


def test_reentry_host_wasm_host(host: Host) -> None:
    inst = make(host)
    assert inst.exports.down(0) == 100
    assert inst.exports.down(50) == 150


def test_exception_from_nested_host_call_unwinds_all_levels(host: Host) -> None:
    inst = make(host)
    original = host.rec

    def rec(n: int) -> int:
        if n == 1:
            raise host.exc
        return original(n)

    host.rec = rec  # type: ignore[method-assign]
    inst = make(host)
    with pytest.raises(Boom) as e:
        inst.exports.down(5)
    assert e.value is host.exc
    from jit.native import lib
    assert lib.wx_entry_depth() == 0
    assert inst.exports.down(0) == 100


def test_bad_host_results_raise_jit_error(host: Host) -> None:
    host.pair = lambda x: (1,)  # type: ignore[method-assign]
    inst = make(host)
    with pytest.raises(jit.Error):
        inst.exports.call_pair(1)
    host.f = lambda *a: 1 << 40  # type: ignore[method-assign]
    inst = make(host)
    with pytest.raises(jit.Error):
        inst.exports.call_f(0, 0, 0.0, 0.0)


def test_host_call_from_start_and_wasm_import_of_another_instance(host: Host) -> None:
    lib_inst = make(host)
    user = jit.Instance(jit.Module(wat("""(module (import "lib" "down" (func $d (param i32) (result i32)))
        (func (export "go") (result i32) i32.const 4 call $d))""")), {"lib": lib_inst.exports})
    assert user.exports.go() == 104


W_X_PROGRAM = r"""
import re, sys
sys.path.insert(0, sys.argv[1])
import jit
import test_host_calls as T
host = T.Host()
inst = T.make(host)
for _ in range(10):
    assert inst.exports.call_f(1, 2, 3.0, 4.0) == 3
    assert inst.exports.down(3) == 103
text = jit.Instance(jit.Module('(module (func (export "k") (result i32) i32.const 7))'), {})
assert text.exports.k() == 7
assert "wasmtime" not in sys.modules, "Wasm text must not pull wasmtime-py (rwx pages) into the process"
maps = open("/proc/self/maps").read().splitlines()
rwx = [line for line in maps if re.match(r"^\S+ rwx", line)]
assert rwx == [], rwx
assert any("r-xs" in line and "memfd" in line for line in maps), "no RX view of the code memfd"
print("ok")
"""


def test_no_mapping_is_writable_and_executable() -> None:
    """W^X is a property of the whole process: checked in a fresh interpreter, because other
    libraries loaded by the test session (wasmtime-py's ctypes callbacks) map rwx pages of their own."""
    import os
    import sys
    from pathlib import Path

    env = dict(os.environ, WXJIT_TEST_WAT="wasm-tools")    # no wasmtime-py in the checked process
    out = subprocess.run([sys.executable, "-c", W_X_PROGRAM, str(Path(__file__).parent)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
