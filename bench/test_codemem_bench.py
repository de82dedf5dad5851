"""pytest-benchmark: the Python-driven load cycle per code memory strategy (1 page).

Run with ``pytest bench --benchmark-only``; not part of the default test run.
"""
from __future__ import annotations

import pytest

from jit.codemem import StrategyUnavailable, create, names
from jit.native import lib

RET = b"\xc3"


@pytest.mark.parametrize("name", names())
def test_load_cycle(benchmark, name: str) -> None:
    try:
        mem = create(name, 4096, allow_unsafe=name == "rwx")
    except StrategyUnavailable as exc:
        pytest.skip(str(exc))
    begin, write, publish, finish, call = mem.begin_write, mem.write, mem.publish, mem.finish, lib.wx_cm_call0

    def cycle() -> int:
        begin()
        write(0, RET)
        addr = publish()
        call(addr)
        finish()
        return addr

    with mem:
        assert benchmark(cycle)


def test_arena_alloc_write_publish_free(benchmark) -> None:
    from jit.codemem import CodeArena

    with CodeArena(initial=1 << 16) as arena:
        def cycle() -> None:
            slot = arena.alloc(256)
            slot.write(0, RET)
            call_addr = slot.publish()
            lib.wx_cm_call0(call_addr)
            arena.free(slot)

        benchmark(cycle)
