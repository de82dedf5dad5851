"""``wxjit bench instantiate``: a fresh instance for every call, wxjit vs the ``wasmtime`` package.

Scenarios (microseconds per iteration; each repetition runs a batch of iterations and the median over
repetitions is reported; the two engines' repetitions are interleaved so machine noise hits both):

- (a) fresh instance + one call of ``add(i32, i32)`` from an already compiled module
  (wasmtime: new Store + Instance + call; its "existing Store" variant is shown too);
- (b) the same for a module with a 64 KiB data segment, one page of memory and 10 imported host
  functions (wasmtime: a Linker with store-independent ``define_func`` host functions);
- (c) load from the on-disk cache + instantiate + call (wxjit: ``Cache.module``; wasmtime:
  ``Module.deserialize_file``); (c') the same with wxjit's in-process memo of decoded metadata
  cleared every time (what the first load of a file in a process costs);
- (d) one call of ``add`` on an existing instance (the cost of a call from Python);
- (e) resident (RSS) and virtual memory growth per 1,000 live instances of a module with one 64 KiB
  page of memory (KiB per instance).

Prints the ratios wxjit / wasmtime (acceptance: (a), (b), (c) <= 0.25, (d) <= 0.1).
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..wasm.leb import encode_unsigned
from .report import add_reference_options, cell, print_json, wasmtime_wanted

HELP = "fresh instance + call, cached load, call overhead, memory per instance: wxjit vs wasmtime"

ACCEPT = {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.10}


# -- modules (hand-encoded: no assembler needed) ------------------------------------------------------

def _vec(items: list[bytes]) -> bytes:
    return encode_unsigned(len(items)) + b"".join(items)


def _name(s: str) -> bytes:
    return encode_unsigned(len(s)) + s.encode()


def _section(sid: int, body: bytes) -> bytes:
    return bytes([sid]) + encode_unsigned(len(body)) + body


ADD_BODY = b"\x00\x20\x00\x20\x01\x6a\x0b"   # no locals; local.get 0; local.get 1; i32.add; end


def module_add(memory_pages: int = 0, data_bytes: int = 0, host_imports: int = 0) -> bytes:
    """``add(i32, i32) -> i32``, optionally with memory (exported as ``memory``), an active data
    segment and host imports (``env.h0..h{n-1}: (i32) -> i32``)."""
    types = [b"\x60\x02\x7f\x7f\x01\x7f", b"\x60\x01\x7f\x01\x7f"]
    out = b"\x00asm\x01\x00\x00\x00" + _section(1, _vec(types))
    if host_imports:
        out += _section(2, _vec([_name("env") + _name(f"h{i}") + b"\x00\x01" for i in range(host_imports)]))
    out += _section(3, _vec([b"\x00"]))
    if memory_pages:
        out += _section(5, _vec([b"\x00" + encode_unsigned(memory_pages)]))
    exports = [_name("add") + b"\x00" + encode_unsigned(host_imports)]
    if memory_pages:
        exports.append(_name("memory") + b"\x02\x00")
    out += _section(7, _vec(exports))
    out += _section(10, _vec([encode_unsigned(len(ADD_BODY)) + ADD_BODY]))
    if data_bytes:
        payload = bytes((i * 7 + 1) & 0xFF for i in range(data_bytes))
        out += _section(11, _vec([b"\x00\x41\x00\x0b" + encode_unsigned(len(payload)) + payload]))
    return out


# -- measurement --------------------------------------------------------------------------------------

@dataclass
class Row:
    """One scenario: wxjit and wasmtime medians (µs per iteration, or KiB per instance for e)."""

    scenario: str
    what: str
    wxjit: float
    wasmtime: float | None
    wasmtime_alt: float | None = None     # (a): wasmtime with an existing Store
    unit: str = "us"

    @property
    def ratio(self) -> float | None:
        return self.wxjit / self.wasmtime if self.wasmtime else None


def _batch(fn: Callable[[], Any], n: int) -> float:
    t0 = time.perf_counter_ns()
    for _ in range(n):
        fn()
    return (time.perf_counter_ns() - t0) / n / 1000.0


def _medians(fns: list[Callable[[], Any] | None], iterations: int, reps: int) -> list[float | None]:
    """Median µs/iteration of each function, repetitions interleaved across functions."""
    batch = max(1, iterations // reps)
    samples: list[list[float]] = [[] for _ in fns]
    for fn in fns:
        if fn is not None:
            _batch(fn, min(batch, 200))            # warm-up
    for _ in range(reps):
        for i, fn in enumerate(fns):
            if fn is not None:
                samples[i].append(_batch(fn, batch))
    return [statistics.median(s) if s else None for s in samples]


def _rss_vsz_kib() -> tuple[int, int]:
    with open("/proc/self/statm") as f:
        size, resident = (int(x) for x in f.read().split()[:2])
    page = os.sysconf("SC_PAGE_SIZE") // 1024
    return resident * page, size * page


def _growth_per_instance(make: Callable[[], Any], count: int) -> tuple[float, float]:
    """(RSS KiB, virtual KiB) per live instance over ``count`` instances (each one's memory touched)."""
    gc.collect()
    keep = [make() for _ in range(16)]       # warm pools and allocators
    del keep
    gc.collect()
    r0, v0 = _rss_vsz_kib()
    keep = [make() for _ in range(count)]
    r1, v1 = _rss_vsz_kib()
    del keep
    gc.collect()
    return (r1 - r0) / count, (v1 - v0) / count


def run(iterations: int, reps: int, instances: int, with_wasmtime: bool) -> list[Row]:
    import jit
    from jit.cache import Cache
    from jit.runtime.serialize import clear_memo

    wasm_a = module_add()
    wasm_b = module_add(memory_pages=1, data_bytes=65536, host_imports=10)
    wasm_e = module_add(memory_pages=1)
    m_a, m_b, m_e = jit.Module(wasm_a), jit.Module(wasm_b), jit.Module(wasm_e)
    host = {"env": {f"h{i}": jit.Func(lambda x: x, ["i32"], ["i32"]) for i in range(10)}}
    tmp = tempfile.TemporaryDirectory(prefix="wxjit-bench-")
    cache = Cache(tmp.name)
    cache.module(wasm_a)                      # compile once and store

    def j_a() -> Any:
        return jit.Instance(m_a).exports.add(1, 2)

    def j_b() -> Any:
        return jit.Instance(m_b, host).exports.add(1, 2)

    def j_c() -> Any:
        return jit.Instance(cache.module(wasm_a)).exports.add(1, 2)

    def j_c_cold() -> Any:
        clear_memo()          # parse the file's metadata again, as the first load in a process does
        return jit.Instance(cache.module(wasm_a)).exports.add(1, 2)

    inst = jit.Instance(m_a)
    add = inst.exports.add

    def j_d() -> Any:
        return add(1, 2)

    def j_e() -> Any:
        i = jit.Instance(m_e)
        i.memory.data[0] = 1
        return i

    w = [None, None, None, None, None]
    w_alt = None
    if with_wasmtime:
        import wasmtime as wt
        engine = wt.Engine()
        wm_a = wt.Module(engine, wasm_a)
        wm_b = wt.Module(engine, wasm_b)
        wm_e = wt.Module(engine, wasm_e)
        linker = wt.Linker(engine)
        i32 = wt.ValType.i32()
        for i in range(10):
            linker.define_func("env", f"h{i}", wt.FuncType([i32], [i32]), lambda x: x)
        cwasm = os.path.join(tmp.name, "add.wasmtime.cwasm")
        with open(cwasm, "wb") as f:
            f.write(wm_a.serialize())
        shared = [wt.Store(engine), 0]

        def w_a() -> Any:
            store = wt.Store(engine)
            return wt.Instance(store, wm_a, []).exports(store)["add"](store, 1, 2)

        def w_a_existing() -> Any:
            # a Store holds at most 10,000 instances: a new one every 5,000 (amortized, ~0.1%)
            if shared[1] >= 5000:
                shared[:] = [wt.Store(engine), 0]
            shared[1] += 1
            store = shared[0]
            return wt.Instance(store, wm_a, []).exports(store)["add"](store, 1, 2)

        def w_b() -> Any:
            store = wt.Store(engine)
            return linker.instantiate(store, wm_b).exports(store)["add"](store, 1, 2)

        def w_c() -> Any:
            store = wt.Store(engine)
            module = wt.Module.deserialize_file(engine, cwasm)
            return wt.Instance(store, module, []).exports(store)["add"](store, 1, 2)

        store_d = wt.Store(engine)
        add_w = wt.Instance(store_d, wm_a, []).exports(store_d)["add"]

        def w_d() -> Any:
            return add_w(store_d, 1, 2)

        def w_e() -> Any:
            store = wt.Store(engine)
            i = wt.Instance(store, wm_e, [])
            i.exports(store)["memory"].write(store, b"\x01", 0)    # touch the page, like wxjit
            return store, i
        w = [w_a, w_b, w_c, w_d, w_e]
        w_alt = w_a_existing

    assert j_a() == 3 and j_b() == 3 and j_c() == 3 and j_d() == 3
    rows: list[Row] = []
    specs = [("a", "fresh instance + add(1,2)", j_a, w[0]),
             ("b", "64 KiB data + 10 host imports: instance + call", j_b, w[1]),
             ("c", "load from disk cache + instance + call", j_c, w[2]),
             ("c'", "  the same, metadata decoded every time (cold)", j_c_cold, w[2]),
             ("d", "call add(1,2) on an existing instance", j_d, w[3])]
    for key, what, jf, wf in specs:
        fns: list[Callable[[], Any] | None] = [jf, wf]
        if key == "a":
            fns.append(w_alt)
        iters = iterations * (10 if key == "d" else 1)
        res = _medians(fns, iters, reps)
        rows.append(Row(key, what, res[0] or 0.0, res[1], res[2] if key == "a" else None))
    rss_j, vsz_j = _growth_per_instance(j_e, instances)
    row_e = Row("e", f"RSS KiB per live instance (1 page, {instances} instances)", rss_j, None, unit="KiB")
    row_v = Row("e", "virtual MiB per live instance (reservations)", vsz_j / 1024, None, unit="MiB")
    if with_wasmtime:
        rss_w, vsz_w = _growth_per_instance(w[4], instances)
        row_e.wasmtime, row_v.wasmtime = rss_w, vsz_w / 1024
    rows += [row_e, row_v]
    tmp.cleanup()
    return rows


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--iterations", type=int, default=10_000,
                        help="iterations per scenario (default 10000)")
    parser.add_argument("--reps", type=int, default=11, help="repetitions (batches) for the median")
    parser.add_argument("--instances", type=int, default=1000, help="live instances for (e)")
    add_reference_options(parser)


def main(args: argparse.Namespace) -> int:
    with_wasmtime = wasmtime_wanted(args)
    rows = run(args.iterations, args.reps, args.instances, with_wasmtime)
    if args.json:
        print_json([{**asdict(r), "ratio": r.ratio} for r in rows])
        return 0
    print(f"{'':3}{'scenario':52}{'wxjit':>10}{'wasmtime':>10}{'ratio':>8}  accept")
    for r in rows:
        wt = cell(r.wasmtime, 10, 2)
        ratio = cell(r.ratio, 8, 3)
        limit = ACCEPT.get(r.scenario) if r.unit == "us" else None
        verdict = "" if limit is None or r.ratio is None else ("ok" if r.ratio <= limit else f"> {limit}")
        print(f"{r.scenario:3}{r.what:52}{r.wxjit:10.2f}{wt}{ratio}  {verdict}")
        if r.wasmtime_alt is not None:
            print(f"{'':3}{'  (wasmtime with an existing Store)':52}{'':10}{r.wasmtime_alt:10.2f}"
                  f"{r.wxjit / r.wasmtime_alt:8.3f}")
    print(f"(us per iteration, median of {args.reps} batches of {args.iterations} iterations; "
          f"(d) batches are 10x longer; (e) per live instance)")
    return 0
