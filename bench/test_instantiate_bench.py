"""pytest-benchmark: a fresh instance per call (issue 7) and the interruption latency (issue 8).

Run with ``pytest bench/test_instantiate_bench.py --benchmark-only``; not part of the default test
run. The side-by-side comparison with wasmtime is ``wxjit bench instantiate``.
"""
from __future__ import annotations

import statistics
import tempfile
import threading
import time

import pytest

import jit
from jit.benchmarks.instantiate import module_add
from jit.cache import Cache

ADD = module_add()
DATA = module_add(memory_pages=1, data_bytes=65536, host_imports=10)
HOST = {"env": {f"h{i}": jit.Func(lambda x: x, ["i32"], ["i32"]) for i in range(10)}}


def test_a_fresh_instance_and_call(benchmark) -> None:
    m = jit.Module(ADD)
    assert benchmark(lambda: jit.Instance(m).exports.add(1, 2)) == 3


def test_b_data_segment_and_host_imports(benchmark) -> None:
    m = jit.Module(DATA)
    assert benchmark(lambda: jit.Instance(m, HOST).exports.add(1, 2)) == 3


def test_c_load_from_cache_instance_and_call(benchmark) -> None:
    with tempfile.TemporaryDirectory() as d:
        cache = Cache(d)
        cache.module(ADD)
        assert benchmark(lambda: jit.Instance(cache.module(ADD)).exports.add(1, 2)) == 3
        assert cache.stats.misses == 1


def test_d_call_on_an_existing_instance(benchmark) -> None:
    add = jit.Instance(jit.Module(ADD)).exports.add
    assert benchmark(add, 1, 2) == 3


@pytest.mark.parametrize("how", ["timeout", "interrupt"])
def test_interruption_latency(how: str) -> None:
    """Median and max delay between the deadline / interrupt() and the trap reaching Python, over
    100 runs (printed; run with -s). Not a pass/fail timing assertion."""
    m = jit.Module(module_spin())
    limits = jit.Limits(timeout=0.01) if how == "timeout" else None
    inst = jit.Instance(m, limits=limits)
    delays = []
    for _ in range(100):
        if how == "timeout":
            t0 = time.perf_counter()
            with pytest.raises(jit.Trap, match="interrupted"):
                inst.exports.spin()
            delays.append(time.perf_counter() - t0 - 0.01)
        else:
            stamp: list[float] = []

            def stop(stamp: list[float] = stamp) -> None:
                time.sleep(0.002)
                stamp.append(time.perf_counter())
                inst.interrupt()
            t = threading.Thread(target=stop)
            t.start()
            with pytest.raises(jit.Trap, match="interrupted"):
                inst.exports.spin()
            delays.append(time.perf_counter() - stamp[0])
            t.join()
    print(f"\n{how}: interruption latency over 100 runs: median {statistics.median(delays) * 1e6:.0f} us, "
          f"max {max(delays) * 1e6:.0f} us")


def module_spin() -> bytes:
    """``(func (export "spin") (loop br 0))``"""
    return (b"\x00asm\x01\x00\x00\x00"
            b"\x01\x04\x01\x60\x00\x00"                 # type section: () -> ()
            b"\x03\x02\x01\x00"                         # function section
            b"\x07\x08\x01\x04spin\x00\x00"             # export "spin" func 0
            b"\x0a\x09\x01\x07\x00\x03\x40\x0c\x00\x0b\x0b")   # body: loop br 0 end end
