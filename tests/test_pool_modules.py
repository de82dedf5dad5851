"""``jit.Pool`` internals with observable guarantees: a module is compiled once per pool (a worker
loads what another stored), the workers' segmented LRU keeps modules in use when a stream of
modules used once goes by, a store that fails does not fail the call, and a killed worker fails
only the message it was running (the next one, still unread in its pipe, runs on the replacement)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm

import jit
from jit.benchmarks.instantiate import module_add
from jit.pool import Pool, WorkerLost
from jit.pool.worker import LOCK_FILE, _Modules

MODS = [module_add(memory_pages=1, data_bytes=i + 1) for i in range(12)]


def _digest(wasm: bytes) -> str:
    import hashlib

    return hashlib.sha256(wasm).hexdigest()


def _worker(cache_dir: Path, lru_size: int = 4) -> _Modules:
    modules = _Modules(str(cache_dir), lru_size)
    for m in MODS:
        modules.wasm[_digest(m)] = m
    return modules


def _call(modules: _Modules, wasm: bytes) -> int:
    return jit.Instance(modules.get(_digest(wasm), False)).exports["add"](40, 2)


def test_second_worker_loads_what_the_first_compiled(tmp_path: Path) -> None:
    first, second = _worker(tmp_path), _worker(tmp_path)
    assert _call(first, MODS[0]) == 42
    assert first.cache.stats.misses == 1 and first.cache.stats.stored == 1
    assert _call(second, MODS[0]) == 42
    assert second.cache.stats.misses == 0 and second.cache.stats.stored == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".lock")] == [LOCK_FILE]


def test_modules_used_once_do_not_evict_the_ones_in_use(tmp_path: Path) -> None:
    modules = _worker(tmp_path, lru_size=4)       # main segment 4, probation max(4, 1) = 4
    hot = MODS[:3]
    for m in hot * 2:                             # used twice: in the main segment
        _call(modules, m)
    for m in MODS[3:]:                            # nine modules used once each
        _call(modules, m)
    assert {d for d, _ in modules.loaded} == {_digest(m) for m in hot}
    assert len(modules.probation) == modules.probation_size == 4
    hits = modules.cache.stats.hits
    for m in hot:
        _call(modules, m)
    assert modules.cache.stats.hits == hits       # no reload from the cache file


def test_main_segment_is_bounded_least_recently_used_first(tmp_path: Path) -> None:
    modules = _worker(tmp_path, lru_size=4)
    for m in MODS[:6] * 2:
        _call(modules, m)
    assert [d for d, _ in modules.loaded] == [_digest(m) for m in MODS[2:6]]


def test_a_failed_store_only_costs_a_compilation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modules = _worker(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(modules.cache, "store", full)
    assert _call(modules, MODS[5]) == 42
    assert not list(tmp_path.glob("*.cwasm"))


def test_pool_cache_is_private_and_removed(tmp_path: Path) -> None:
    p = Pool(workers=1)
    try:
        assert p.invoke(MODS[0], "add", (1, 2)).result(timeout=30) == 3
        assert os.stat(p.cache_dir).st_mode & 0o077 == 0
    finally:
        p.shutdown()
    assert not os.path.exists(p.cache_dir)


SPIN = '(module (func (export "spin") (loop $l (br $l))))'


@needs_wat2wasm
def test_killed_worker_requeues_the_message_it_had_not_read() -> None:
    with Pool(workers=1, batch=4) as p:
        spin = p.invoke(SPIN, "spin", (), jit.Limits(timeout=60))    # an idle worker: sent alone
        unread = [p.invoke(MODS[0], "add", (i, 1)) for i in range(4)]  # a full batch: sent at once
        later = [p.invoke(MODS[0], "add", (i, 2)) for i in range(20)]  # queued in the parent
        time.sleep(0.5)
        assert spin.running() and all(f.running() for f in unread)
        os.kill(p.worker_pids()[0], signal.SIGKILL)
        with pytest.raises(WorkerLost, match="signal 9"):
            spin.result(timeout=30)
        assert [f.result(timeout=30) for f in unread] == [i + 1 for i in range(4)]
        assert [f.result(timeout=30) for f in later] == [i + 2 for i in range(20)]
        assert p.stats["lost"] == 1 and p.stats["restarts"] == 1


@pytest.mark.parametrize(("home", "loads", "holders", "expected"), [
    (0, [3, 0, 0], [True, False, False], 0),          # the home worker, not busy (spill 4)
    (0, [4, 9, 2], [True, False, True], 2),           # busy: a holder that is not busy
    (0, [4, 1, 6], [True, False, True], 1),           # no such holder: the least loaded
    (0, [5, 5, 5], [False, False, True], 2),          # all busy: the least loaded, ties to holders
    (1, [10, 10, 10], [True, True, True], -1),        # all full (room 10)
    (1, [10, 9, 10], [True, False, True], 1),         # only one with room
])
def test_routing_choice(home: int, loads: list[int], holders: list[bool], expected: int) -> None:
    from jit.pool import routing

    assert routing.choose(home, loads, holders, spill=4, room=10) == expected
