"""Interruption: interrupt() from another thread, the per-call timeout watchdog, fuel; the GIL is
released while Wasm runs. (Latency figures are measured by `wxjit bench instantiate --latency`.)"""
from __future__ import annotations

import threading
import time

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.runtime.watchdog import WATCHDOG

pytestmark = needs_wat2wasm


SPIN = """
(module
  (import "env" "tick" (func $tick))
  (func (export "spin") (loop br 0))
  (func (export "spin_calls") (loop call $tick br 0))
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    block loop
      local.get $i local.get $n i32.ge_u br_if 1
      local.get $i i32.const 1 i32.add local.set $i
      br 0 end end
    local.get $i)
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0 else
    local.get 0 i32.const 1 i32.sub call $rec end))
"""


@pytest.fixture(scope="module")
def module() -> jit.Module:
    return jit.Module(wat(SPIN))


def make(module: jit.Module, limits: jit.Limits | None = None, tick=lambda: None) -> jit.Instance:
    return jit.Instance(module, {"env": {"tick": jit.Func(tick)}}, limits)


def test_interrupt_from_another_thread_stops_a_running_loop(module: jit.Module) -> None:
    started = threading.Event()
    inst = make(module, tick=started.set)
    threading.Thread(target=lambda: (started.wait(), inst.interrupt())).start()
    with pytest.raises(jit.Trap) as info:
        inst.exports.spin_calls()
    assert info.value.kind == "interrupted"
    assert inst.exports.count(1000) == 1000      # the flag was cleared when the trap was reported


def test_interrupt_before_a_call_stops_the_next_call(module: jit.Module) -> None:
    inst = make(module)
    inst.interrupt()
    with pytest.raises(jit.Trap, match="interrupted"):
        inst.exports.count(5)
    assert inst.exports.count(5) == 5


def test_gil_is_released_while_wasm_runs(module: jit.Module) -> None:
    inst = make(module)
    progress = []
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            progress.append(1)
            if len(progress) >= 1000:
                inst.interrupt()           # only reachable if this thread ran while Wasm spun
                return
    t = threading.Thread(target=worker)
    t.start()
    try:
        with pytest.raises(jit.Trap, match="interrupted"):
            inst.exports.spin()            # a loop without calls: only the interrupt check can stop it
    finally:
        stop.set()
        t.join()
    assert len(progress) >= 1000


def test_timeout_interrupts_each_call_from_the_host(module: jit.Module) -> None:
    inst = make(module, jit.Limits(timeout=0.05))
    fired = WATCHDOG.fired
    with pytest.raises(jit.Trap) as info:
        inst.exports.spin()
    assert info.value.kind == "interrupted" and WATCHDOG.fired == fired + 1
    assert inst.exports.count(100) == 100          # a short call is not interrupted
    with pytest.raises(jit.Trap, match="interrupted"):
        inst.exports.spin_calls()                  # the deadline applies to every call
    with pytest.raises(jit.Trap, match="interrupted"):
        inst.exports.spin.call_raw([])


def test_timeout_costs_nothing_without_a_deadline(module: jit.Module) -> None:
    spec_call = make(module).exports.count._call
    timed_call = make(module, jit.Limits(timeout=1.0)).exports.count._call
    assert spec_call is not timed_call
    assert spec_call.__name__ == "call" and timed_call.__name__ == "timed"


def test_one_watchdog_thread_for_many_timed_calls(module: jit.Module) -> None:
    inst = make(module, jit.Limits(timeout=5.0))
    inst.exports.count(1)
    threads = threading.active_count()
    for _ in range(2000):
        assert inst.exports.count(3) == 3
    assert threading.active_count() == threads
    assert sum(1 for t in threading.enumerate() if t.name == "wxjit-watchdog") == 1


def test_stale_deadline_does_not_hit_the_next_call(module: jit.Module) -> None:
    inst = make(module, jit.Limits(timeout=0.001))
    for _ in range(200):     # calls that end around their deadline, some after it fired
        try:
            inst.exports.count(20000)
        except jit.Trap as trap:
            assert trap.kind == "interrupted"
    time.sleep(0.01)          # every deadline armed above has passed (not a timing assertion)
    inst2 = make(module, jit.Limits(timeout=10.0))
    assert inst2.exports.count(10) == 10
    assert inst._state.vm[1] == 0                  # no flag left behind by a fired deadline


def test_fuel_is_deterministic_and_reported(module: jit.Module) -> None:
    a = make(module, jit.Limits(fuel=10_000))
    b = make(module, jit.Limits(fuel=10_000))
    assert a.exports.count(100) == 100 and b.exports.count(100) == 100
    assert a.fuel == b.fuel and 0 < a.fuel < 10_000
    used = 10_000 - a.fuel
    assert 100 <= used <= 110                      # one unit per loop iteration plus entries
    with pytest.raises(jit.Trap) as info:
        a.exports.count(1_000_000)
    assert info.value.kind == "out of fuel" and a.fuel < 0
    with pytest.raises(jit.Trap, match="out of fuel"):
        a.exports.count(1)                         # exhausted for good...
    a.fuel = 500                                   # ...until refuelled
    assert a.exports.count(10) == 10
    with pytest.raises(jit.Trap, match="out of fuel"):
        make(module, jit.Limits(fuel=50)).exports.rec(1000)
    assert make(module).fuel is None


def test_fuel_variant_is_compiled_once(module: jit.Module) -> None:
    make(module, jit.Limits(fuel=1))
    compiled = module._variant(True)[0]
    make(module, jit.Limits(fuel=2))
    assert module._variant(True)[0] is compiled and compiled.fuel and not module.compiled.fuel
