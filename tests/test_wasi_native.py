"""WASI hot calls answered in C (native/wasi_fast.c) give what the Python implementation gives.

One guest module re-exports clock_time_get, clock_res_get, random_get, sched_yield, args_* and
environ_*; it is run twice, with the C handlers and with every call through Python
(``jit.wasi.native.ENABLED = False``), over edge arguments (pointers at the end of memory and beyond,
invalid clock ids, 32-bit wrap-around): the same errno, the same bytes written (clock values within
the time between the calls), and the C path never enters Python. A NUL inside an argument, or a
Wasi bound to no jit.Memory, makes the handler decline: Python answers.
"""
from __future__ import annotations

import time

import pytest
from wasi_counting import CountingGuest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.wasi import Wasi, WasiConfig, abi
from jit.wasi import native as wasi_native

pytestmark = needs_wat2wasm

NAMES = wasi_native.FAST_FUNCTIONS
GUEST = """
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $ctg (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $crg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $rg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sy (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $ag (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $eg (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "clock_time_get") (param i32 i64 i32) (result i32)
    (call $ctg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "clock_res_get") (param i32 i32) (result i32) (call $crg (local.get 0) (local.get 1)))
  (func (export "random_get") (param i32 i32) (result i32) (call $rg (local.get 0) (local.get 1)))
  (func (export "sched_yield") (result i32) (call $sy))
  (func (export "args_sizes_get") (param i32 i32) (result i32) (call $asg (local.get 0) (local.get 1)))
  (func (export "args_get") (param i32 i32) (result i32) (call $ag (local.get 0) (local.get 1)))
  (func (export "environ_sizes_get") (param i32 i32) (result i32) (call $esg (local.get 0) (local.get 1)))
  (func (export "environ_get") (param i32 i32) (result i32) (call $eg (local.get 0) (local.get 1)))
  (func (export "clock_loop") (param i32 i32) (result i32) (local i32)
    (loop $l
      (local.set 2 (call $ctg (i32.const 1) (i64.const 0) (local.get 1)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 2)))
"""
END = 65536
PTRS = [0, 8, END - 8, END - 7, END - 4, END - 1, END, END + 8, 0x7FFFFFFF, 0xFFFFFFF8, 0xFFFFFFFF]


@pytest.fixture(scope="module")
def module() -> jit.Module:
    return jit.Module(wat(GUEST))


class Run(CountingGuest):
    """An instance of the guest with its own Wasi; counts the calls that reached Python."""

    def __init__(self, module: jit.Module, native: bool, args=("prog", "a b", ""), env=None) -> None:
        config = WasiConfig(args=list(args), env=env if env is not None else {"K": "v", "E": ""})
        super().__init__(module, native, config, NAMES)

    def __call__(self, name: str, *args: int) -> tuple[int, bytes]:
        self.mem.data[:] = b"\xaa" * END
        rc = self.inst.exports[name](*args)
        return rc, bytes(self.mem.data)


def s32(x: int) -> int:
    return x - (1 << 32) if x >> 31 else x


def test_args_environ_sched_yield_match_python_and_stay_native(module) -> None:
    fast, slow = Run(module, True), Run(module, False)
    cases = [("sched_yield",)]
    for name in ("args_sizes_get", "environ_sizes_get", "args_get", "environ_get"):
        for p in PTRS:
            cases += [(name, s32(p), 16), (name, 16, s32(p)), (name, s32(p), s32(p))]
        cases += [(name, END - 12, END - 9), (name, 0, END - 10)]
    for case in cases:
        assert fast(*case) == slow(*case), case
    assert fast.python_calls == 0 and slow.python_calls == len(cases)


def test_clocks_and_random_match_python_and_stay_native(module) -> None:
    fast, slow = Run(module, True), Run(module, False)
    n = 0
    for clock in (0, 1, 2, 3, 4, -1, 7):
        for p in PTRS:
            rc_f, mem_f = fast("clock_res_get", clock, s32(p))
            rc_s, mem_s = slow("clock_res_get", clock, s32(p))
            assert (rc_f, mem_f) == (rc_s, mem_s), (clock, p)
            t0 = time.monotonic_ns()
            rc_f, mem_f = fast("clock_time_get", clock, 0, s32(p))
            rc_s, mem_s = slow("clock_time_get", clock, 0, s32(p))
            elapsed = time.monotonic_ns() - t0
            n += 2
            assert rc_f == rc_s, (clock, p)
            if rc_f == 0 and clock in (0, 1):      # wall and monotonic clocks: the same within the calls
                a = int.from_bytes(mem_f[p:p + 8], "little")
                b = int.from_bytes(mem_s[p:p + 8], "little")
                assert 0 <= b - a <= elapsed + 10**6, (clock, p, a, b)
            else:
                diff = [i for i in range(END) if mem_f[i] != mem_s[i]]
                assert all(p <= i < p + 8 for i in diff), (clock, p)
    for ptr, length in ((0, 0), (0, 16), (END - 16, 16), (END - 16, 17), (END, 0), (END, 1), (0, END),
                        (1, END), (0xFFFFFFF0, 0x20)):
        rc_f, mem_f = fast("random_get", s32(ptr), s32(length))
        rc_s, mem_s = slow("random_get", s32(ptr), s32(length))
        n += 1
        assert rc_f == rc_s, (ptr, length)
        if rc_f == 0 and length >= 16:
            assert mem_f[ptr:ptr + length] != b"\xaa" * length
        unchanged = b"\xaa" * END
        assert mem_f[:ptr] == unchanged[:ptr] and mem_f[ptr + length:] == unchanged[ptr + length:]
    assert fast.python_calls == 0 and slow.python_calls == n


def test_a_nul_inside_an_argument_goes_to_python(module) -> None:
    fast, slow = Run(module, True, args=("x\0y", "z")), Run(module, False, args=("x\0y", "z"))
    assert fast("args_get", 0, 64) == slow("args_get", 0, 64)
    assert fast("args_sizes_get", 0, 4) == slow("args_sizes_get", 0, 4)
    assert fast.python_calls == 1          # only args_get declined; the sizes are known
    assert fast("clock_time_get", 1, 0, 0)[0] == 0 and fast.python_calls == 1


def test_a_hot_loop_of_clock_reads_never_enters_python(module) -> None:
    run = Run(module, True)
    assert run.inst.exports["clock_loop"](100000, 64) == 0
    assert run.python_calls == 0


def test_unbound_wasi_declines_and_python_answers(module) -> None:
    wasi = Wasi(WasiConfig(args=["p"]))
    funcs = wasi.imports()[abi.MODULE]
    inst = jit.Instance(module, {abi.MODULE: funcs})
    assert inst.exports["clock_time_get"](1, 0, 0) == abi.EFAULT      # Python's answer: no memory
    wasi.bind(inst)
    assert inst.exports["clock_time_get"](1, 0, 0) == 0
