"""``jit.Pool.map`` (chunks of invocations, packed arguments and results), futures shared by many
waiters, and ``jit.WasmException`` through the pool (its tag as a ``RemoteTag``)."""
from __future__ import annotations

import concurrent.futures
import threading

import pytest
from wasm_text import needs_wat2wasm, wat

import jit
from jit.benchmarks.instantiate import module_add
from jit.pool import Pool, RemoteTag, wire

ADD = module_add()

NUMS = """(module
  (func (export "f64") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func (export "i64") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0)))
  (func (export "none") (param i32))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))"""

THROWS = """(module
  (tag $e (export "e") (param i32 f64))
  (tag $other)
  (func (export "throw") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $other)))
    (throw $e (local.get 0) (f64.const 2.5))))"""


@pytest.fixture(scope="module")
def pool() -> Pool:
    """A 2-worker process pool. The Ray backend runs these checks from test_worker_pool.py
    (test_map_checks_on_ray), late in the suite: `ray.init` puts absl's failure signal handler in
    front of wasmtime's in this process, after which a wasmtime trap (the reference engine of the
    differential tests) kills the process, with or without wxjit loaded."""
    with Pool(workers=2) as p:
        yield p


def test_map_gives_results_in_order(pool: Pool) -> None:
    assert list(pool.map(ADD, "add", ((i, 1) for i in range(1000)), chunksize=64)) == [
        i + 1 for i in range(1000)]
    assert list(pool.map(ADD, "add", [])) == []
    assert list(pool.map(pool.submit_module(ADD), "add", [(2, 3)])) == [5]
    with pytest.raises(jit.Error, match="chunksize"):
        pool.map(ADD, "add", [(1, 2)], chunksize=0)


@needs_wat2wasm
def test_map_values_match_in_process_calls(pool: Pool) -> None:
    wasm = wat(NUMS)
    local = jit.Instance(jit.Module(wasm)).exports
    floats = [(i / 3, -1.5) for i in range(100)]
    assert list(pool.map(wasm, "f64", floats)) == [local["f64"](*a) for a in floats]
    big = [(v,) for v in (0, 1, -(2**63), 2**63 - 1, 2**64 - 1, 12345678901234)]   # 2**64-1: not packed
    assert list(pool.map(wasm, "i64", big)) == [local["i64"](*a) for a in big]
    assert list(pool.map(wasm, "none", [(i,) for i in range(10)])) == [None] * 10
    mixed = [(1, 2), (3.0, 4.0), (True, 1)]                       # not one shape: sent as Python values
    expected = []
    for a in mixed:
        try:
            expected.append(local["div"](*a))
        except jit.Error as exc:
            expected.append(type(exc))
    got = []
    for a in mixed:
        try:
            got.append(next(pool.map(wasm, "div", [a])))
        except jit.Error as exc:
            got.append(type(exc))
    assert got == expected


@needs_wat2wasm
def test_map_raises_a_calls_error_at_its_turn(pool: Pool) -> None:
    wasm = wat(NUMS)
    results = pool.map(wasm, "div", [(6, 3), (8, 2), (1, 0), (9, 3)], chunksize=3)
    assert next(results) == 2 and next(results) == 4
    with pytest.raises(jit.Trap, match="integer divide by zero"):
        next(results)


def test_wire_forms_round_trip() -> None:
    cases = [[(1, 2), (3, 4)], [(1.5,), (2.0,)], [()], [(), ()], [(1, 2.5)], [(2**64 - 1,)], [(1,), (1.0,)],
             [(True,)], [(1, 2), (3,)], [(b"x",)]]
    for chunk in cases:
        packed = wire.pack_args(chunk)
        assert [tuple(a) for a in wire.unpack_args(packed)] == chunk
        assert (packed[0] == "?") == any(
            any(type(v) not in (int, float) for v in a) or len({tuple(map(type, b)) for b in chunk}) > 1
            or any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in a) for a in chunk)
    for values in ([1, 2, -3], [1.5, float("inf")], [None, None], [2**64 - 1, 1], [1, 2.0], []):
        packed = wire.pack_results(values, {})
        assert wire.unpack_results(packed) == (values, {})
    err = jit.Error("x")
    assert wire.unpack_results(wire.pack_results([1, None], {1: err})) == ([1, None], {1: err})


@needs_wat2wasm
def test_wasm_exception_keeps_its_tag_as_a_remote_tag(pool: Pool) -> None:
    wasm = wat(THROWS)
    digest = pool.submit_module(wasm)
    with pytest.raises(jit.WasmException) as local:
        jit.Instance(jit.Module(wasm)).exports["throw"](7)
    with pytest.raises(jit.WasmException) as remote:
        pool.invoke(wasm, "throw", (7,)).result(timeout=30)
    assert remote.value.payload == local.value.payload == (7, 2.5)
    assert remote.value.tag == RemoteTag(digest, 0, "e", ("i32", "f64"))
    assert remote.value.backtrace == local.value.backtrace
    with pytest.raises(jit.WasmException) as again:
        next(pool.map(wasm, "throw", [(8,)]))
    assert again.value.tag == remote.value.tag and again.value.payload == (8, 2.5)
    with pytest.raises(jit.WasmException) as other:
        pool.invoke(digest, "throw", (0,)).result(timeout=30)
    assert other.value.tag == RemoteTag(digest, 1, None, ()) and other.value.payload == ()


def test_futures_work_with_wait_as_completed_callbacks_and_many_threads(pool: Pool) -> None:
    futures = [pool.invoke(ADD, "add", (i, 1)) for i in range(300)]
    done, not_done = concurrent.futures.wait(futures, timeout=60)
    assert not not_done and sorted(f.result() for f in done) == [i + 1 for i in range(300)]
    futures = [pool.invoke(ADD, "add", (i, 2)) for i in range(300)]
    assert sorted(f.result() for f in concurrent.futures.as_completed(futures, timeout=60)) == [
        i + 2 for i in range(300)]
    called = threading.Event()
    seen: list[int] = []
    f = pool.invoke(ADD, "add", (40, 2))
    f.add_done_callback(lambda f: (seen.append(f.result()), called.set()))
    assert called.wait(30) and seen == [42]            # resolved with nobody waiting in result()
    errors: list[BaseException] = []

    def caller(k: int) -> None:
        try:
            for i in range(200):
                assert pool.invoke(ADD, "add", (i, k)).result(timeout=30) == i + k
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pytest.raises(concurrent.futures.TimeoutError):
        pool.invoke(wat('(module (func (export "spin") (loop $l (br $l))))'), "spin", (),
                    jit.Limits(timeout=2)).result(timeout=0.05)
