"""``jit.Pool``: results, traps and errors as in-process calls give them, limits, module hashes, cache
affinity, backpressure, and dead workers (SIGKILL) failing only what they were running."""
from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import Future
from pathlib import Path

import pytest
import test_pool_map
from wasm_text import needs_wat2wasm, wat

import jit
from jit.benchmarks.instantiate import module_add
from jit.pool import CommandResult, Pool, QueueFull, UnknownModule, WorkerLost

ADD = module_add()

TRAPS = """(module
  (func $inner (param i32) (result i32) (if (local.get 0) (then unreachable)) (i32.const 1))
  (func (export "boom") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l))))"""

NEEDS_IMPORT = '(module (import "env" "f" (func)) (func (export "g") (call 0)))'

# echo: copies up to 64 bytes of stdin to stdout, "err" to stderr, then proc_exit(3)
ECHO = """(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 200) "err")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 64))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 16) (i32.const 200)) (i32.store (i32.const 20) (i32.const 3))
    (drop (call $write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 3))))"""


@pytest.fixture(scope="module", params=["process", "ray"])
def pool(request: pytest.FixtureRequest) -> Pool:
    """A 2-worker pool on each backend (Ray: a local instance started here, 2 CPUs)."""
    ray = None
    if request.param == "ray":
        ray = pytest.importorskip("ray", reason='the ray backend needs ray: pip install "wxjit[ray]"')
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with Pool(workers=2, backend=request.param) as p:
            yield p
    finally:
        if ray is not None:
            ray.shutdown()


def test_results_by_bytes_and_by_hash(pool: Pool) -> None:
    assert pool.invoke(ADD, "add", (2, 3)).result(timeout=30) == 5
    digest = pool.submit_module(ADD)
    assert len(digest) == 64
    futures = [pool.invoke(digest, "add", (i, 1)) for i in range(500)]
    assert [f.result(timeout=30) for f in futures] == [i + 1 for i in range(500)]


def test_unknown_hash_raises_at_submission(pool: Pool) -> None:
    with pytest.raises(UnknownModule):
        pool.invoke("0" * 64, "add", (1, 2))
    assert issubclass(UnknownModule, jit.Error) and issubclass(WorkerLost, jit.Error)


def test_bad_argument_types(pool: Pool) -> None:
    with pytest.raises(jit.Error):
        pool.invoke(12345, "add", (1, 2))  # type: ignore[arg-type]


@needs_wat2wasm
def test_traps_come_back_like_in_process_ones(pool: Pool) -> None:
    wasm = wat(TRAPS)
    with pytest.raises(jit.Trap) as local:
        jit.Instance(jit.Module(wasm)).exports["boom"](1)
    with pytest.raises(jit.Trap) as remote:
        pool.invoke(wasm, "boom", (1,)).result(timeout=30)
    assert remote.value.kind == local.value.kind == "unreachable"
    assert remote.value.backtrace == local.value.backtrace and len(remote.value.backtrace) >= 2
    assert str(remote.value) == str(local.value)
    assert (remote.value.func_index, remote.value.wasm_offset) == (local.value.func_index,
                                                                   local.value.wasm_offset)
    with pytest.raises(jit.Trap, match="integer divide by zero"):
        pool.invoke(wasm, "div", (1, 0)).result(timeout=30)
    assert pool.invoke(TRAPS, "div", (7, 2)).result(timeout=30) == 3      # Wasm text works too


@needs_wat2wasm
def test_errors_come_back_like_in_process_ones(pool: Pool) -> None:
    with pytest.raises(jit.MalformedError):
        pool.invoke(b"\x00asm\x01\x00\x00\x00\x05", "f").result(timeout=30)
    with pytest.raises(jit.LinkError):
        pool.invoke(NEEDS_IMPORT, "g").result(timeout=30)
    with pytest.raises(KeyError):
        pool.invoke(ADD, "nope", (1, 2)).result(timeout=30)
    with pytest.raises(jit.Error, match="expected 2 argument"):
        pool.invoke(ADD, "add", (1,)).result(timeout=30)


@needs_wat2wasm
def test_limits_timeout_and_fuel_are_enforced_in_the_worker(pool: Pool) -> None:
    t0 = time.monotonic()
    spins = [pool.invoke(TRAPS, "spin", (), jit.Limits(timeout=0.2)) for _ in range(2)]
    for f in spins:
        with pytest.raises(jit.Trap) as exc:
            f.result(timeout=30)
        assert exc.value.kind == "interrupted"
    assert time.monotonic() - t0 < 10
    with pytest.raises(jit.Trap, match="out of fuel"):
        pool.invoke(TRAPS, "spin", (), jit.Limits(fuel=10_000)).result(timeout=30)
    assert pool.invoke(ADD, "add", (1, 1)).result(timeout=30) == 2      # the workers still serve
    assert pool.stats["restarts"] == 0 and pool.stats["lost"] == 0


@needs_wat2wasm
def test_wasi_command(pool: Pool) -> None:
    result = pool.run(ECHO, ["echo", "x"], {"A": "1"}, b"hello pool").result(timeout=30)
    assert result == CommandResult(3, b"hello pool", b"err")


def test_compiled_once_per_pool_and_affine(tmp_path: Path) -> None:
    mods = [module_add(memory_pages=1, data_bytes=i + 1) for i in range(6)]
    with Pool(workers=2, cache_dir=tmp_path) as p:
        futures = [p.invoke(m, "add", (i, i)) for i in range(300) for m in mods]
        assert all(f.result(timeout=60) == 2 * (k // len(mods)) for k, f in enumerate(futures))
    assert len(list(tmp_path.glob("*.cwasm"))) == len(mods)
    assert tmp_path.exists()            # a cache_dir given by the caller is kept


def test_backpressure_raises_when_not_blocking() -> None:
    with Pool(workers=1, queue_size=4, batch=1, block=False) as p:
        futures = []
        with pytest.raises(QueueFull):
            for i in range(10_000):
                futures.append(p.invoke(ADD, "add", (i, 0)))
        assert [f.result(timeout=30) for f in futures] == list(range(len(futures)))


@needs_wat2wasm
def test_killed_worker_fails_only_its_running_calls() -> None:
    with Pool(workers=1, batch=1) as p:
        spin = p.invoke(TRAPS, "spin", (), jit.Limits(timeout=60))
        queued = [p.invoke(ADD, "add", (i, 1)) for i in range(50)]
        time.sleep(0.5)
        assert spin.running()
        os.kill(p.worker_pids()[0], signal.SIGKILL)
        with pytest.raises(WorkerLost, match="signal 9"):
            spin.result(timeout=30)
        assert [f.result(timeout=30) for f in queued] == [i + 1 for i in range(50)]
        assert p.invoke(ADD, "add", (20, 22)).result(timeout=30) == 42
        assert p.stats["restarts"] == 1 and p.stats["lost"] == 1


def test_shutdown_answers_everything_then_refuses() -> None:
    p = Pool(workers=2)
    futures = [p.invoke(ADD, "add", (i, 0)) for i in range(1000)]
    p.shutdown()
    assert all(f.done() for f in futures)
    with pytest.raises(jit.Error, match="shut down"):
        p.invoke(ADD, "add", (1, 2))


def _soak(total: int, kills: int, workers: int = 2) -> Counter[str]:
    """``total`` invocations while a thread SIGKILLs a worker ``kills`` times; every one is answered
    exactly once (a result or WorkerLost)."""
    outcome: Counter[str] = Counter()
    answered = [0] * total
    lock = threading.Lock()
    mods = [module_add(memory_pages=1, data_bytes=i + 1) for i in range(8)]

    def done(i: int, f: Future[int]) -> None:
        exc = f.exception()
        with lock:
            answered[i] += 1
            if exc is None:
                assert f.result() == i % 1000 + 1
                outcome["ok"] += 1
            else:
                assert isinstance(exc, WorkerLost), exc
                outcome["lost"] += 1

    with Pool(workers=workers, queue_size=256) as p:
        stop = threading.Event()

        def killer() -> None:
            rng = random.Random(1)
            for _ in range(kills):
                time.sleep(rng.uniform(0.005, 0.03))
                if stop.is_set():
                    break
                pid = rng.choice(p.worker_pids())
                os.kill(pid, signal.SIGKILL)
                outcome["kills"] += 1
                while pid in p.worker_pids():        # until replaced: every kill hits a live worker
                    time.sleep(0.001)

        t = threading.Thread(target=killer)
        t.start()
        hashes = [p.submit_module(m) for m in mods]
        for i in range(total):
            f = p.invoke(hashes[i % len(hashes)], "add", (i % 1000, 1))
            f.add_done_callback(lambda f, i=i: done(i, f))
        t.join()
        stop.set()
        p.shutdown()
        outcome["restarts"] = p.stats["restarts"]
    assert answered == [1] * total
    assert outcome["ok"] + outcome["lost"] == total
    return outcome


def test_soak_small() -> None:
    outcome = _soak(5_000, 5)
    assert outcome["restarts"] >= 1


@pytest.mark.slow
def test_soak_100k_invocations_100_kills() -> None:
    outcome = _soak(100_000, 100)
    assert outcome["kills"] == 100 and outcome["restarts"] >= 100
    print(dict(outcome))


@needs_wat2wasm
def test_killed_ray_actor_fails_only_its_running_call(pool: Pool) -> None:
    """The Ray variant of the SIGKILL test, on the fixture's pool (a second Ray pool would find no
    free CPU on the 2-CPU local instance); the process backend has its own test above."""
    if pool.backend != "ray":
        pytest.skip("the process backend is covered by test_killed_worker_fails_only_its_running_calls")
    before = dict(pool.stats)
    spin = pool.invoke(TRAPS, "spin", (), jit.Limits(timeout=60))
    time.sleep(1)
    victim = pool.worker_pids()[pool._slots.index(next(s for s in pool._slots if s.inflight))]
    os.kill(victim, signal.SIGKILL)
    with pytest.raises(WorkerLost):
        spin.result(timeout=60)
    assert pool.invoke(ADD, "add", (20, 22)).result(timeout=60) == 42
    assert pool.stats["restarts"] == before["restarts"] + 1 and pool.stats["lost"] == before["lost"] + 1


@needs_wat2wasm
@pytest.mark.parametrize("check", ["test_map_gives_results_in_order",
                                   "test_map_values_match_in_process_calls",
                                   "test_map_raises_a_calls_error_at_its_turn",
                                   "test_wasm_exception_keeps_its_tag_as_a_remote_tag",
                                   "test_futures_work_with_wait_as_completed_callbacks_and_many_threads"])
def test_map_checks_on_ray(pool: Pool, check: str) -> None:
    """test_pool_map.py's checks on the Ray backend (the process backend runs them there)."""
    if pool.backend != "ray":
        pytest.skip("the process backend runs these in test_pool_map.py")
    getattr(test_pool_map, check)(pool)
