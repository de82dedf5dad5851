"""Parallel compilation (jit.parallel): byte-identical to the serial compile, errors in function order."""
from __future__ import annotations

import pytest

import jit
from jit.abi.limits import DEFAULT_LIMITS, Limits
from jit.benchmarks.synthetic import many_functions
from jit.parallel import PARALLEL_THRESHOLD, compile_parallel, partition, should_parallelize
from jit.pipeline import _validate
from jit.x64.compiler import compile_module


def _wasm(n: int):
    return _validate(many_functions(n), DEFAULT_LIMITS)


@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_parallel_is_byte_identical(jobs: int) -> None:
    m = _wasm(300)
    serial = compile_module(m)
    parallel = compile_parallel(m, jobs=jobs)
    assert parallel.code == serial.code
    assert parallel == serial


def test_parallel_with_fuel_is_byte_identical() -> None:
    m = _wasm(120)
    assert compile_parallel(m, fuel=True, jobs=2) == compile_module(m, fuel=True)


def test_module_jobs_runs_the_same() -> None:
    data = many_functions(200)
    serial, parallel = jit.Module(data, jobs=1), jit.Module(data, jobs=2)
    assert parallel.compiled == serial.compiled
    a, b = jit.Instance(serial), jit.Instance(parallel)
    for name in ("f0", "flast"):
        assert a.exports[name](3, 4) == b.exports[name](3, 4)


def test_partition_covers_in_order() -> None:
    sizes = [5, 1, 1, 1, 100, 1, 1, 1, 1, 50]
    for parts in range(1, 12):
        runs = partition(sizes, parts)
        assert runs[0][0] == 0 and runs[-1][1] == len(sizes)
        assert all(lo < hi for lo, hi in runs)
        assert all(a[1] == b[0] for a, b in zip(runs, runs[1:], strict=False))
        assert len(runs) <= parts


def test_threshold() -> None:
    small = _wasm(50)
    assert should_parallelize(small, None) == 1
    assert should_parallelize(small, 1) == 1
    assert should_parallelize(small, 4) == 4
    big = _wasm(PARALLEL_THRESHOLD // 20)
    assert should_parallelize(big, 1) == 1


def test_worker_error_is_raised() -> None:
    m = _wasm(200)
    with pytest.raises(jit.LimitError):
        compile_parallel(m, limits=Limits(max_code_bytes=1000), jobs=2)
