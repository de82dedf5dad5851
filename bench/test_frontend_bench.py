"""pytest-benchmark: decode + validate of a generated module (2000 realistic functions, ~850 KB).

Run with ``pytest bench/test_frontend_bench.py``; ``python bench/frontend_throughput.py`` prints
MB/s for the spec modules too and the 1x/4x/16x linearity table.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frontend_throughput import make_module  # noqa: E402

from jit.wasm import decode, validate_module  # noqa: E402

pytest.importorskip("pytest_benchmark")


@pytest.fixture(scope="module")
def module_bytes() -> bytes:
    return make_module(2000)


def test_decode(benchmark, module_bytes: bytes) -> None:
    m = benchmark(decode, module_bytes)
    assert len(m.codes) == 2000
    benchmark.extra_info["MB"] = len(module_bytes) / 1e6


def test_decode_validate(benchmark, module_bytes: bytes) -> None:
    benchmark(lambda: validate_module(decode(module_bytes)))
    benchmark.extra_info["MB"] = len(module_bytes) / 1e6


@pytest.mark.parametrize("repeat", [1, 4, 16])
def test_linearity(benchmark, repeat: int) -> None:
    data = make_module(500, repeat=repeat)
    benchmark.pedantic(lambda: validate_module(decode(data)), rounds=3, iterations=1)
    benchmark.extra_info["MB"] = len(data) / 1e6
