"""``wxjit bench pool``: ``jit.Pool`` throughput and latency vs workers, against a wasmtime-py pool.

Scenarios (each with 1 and 2 workers; every invocation runs in a fresh instance):

- (a) ``one``: one small module (``add``) invoked repeatedly;
- (b) ``mix``: 64 modules, invoked in a skewed (Zipf-like) order, and a share (``--fresh``, default 2%)
  of never-seen modules that must be compiled first;
- (c) ``wasi``: a WASI command (writes its stdin to stdout) run with argv, env and stdin.

Throughput: ``--calls`` invocations submitted as fast as the pool takes them (bounded queues), per
second, median of ``--reps`` repetitions, through two APIs: ``invoke`` (one call, one Future) and
``map`` (the batched API: chunks of 256 calls, one Future per chunk; in (b) each window of 256 calls is
grouped by module, one ``map`` per module; (c) has no batched form). Latency, two figures: unloaded,
one ``invoke`` at a time (submit -> result, nothing else in flight: the cost of a round trip through
the pool), p50/p99 over ``--latency-calls`` calls; and saturated, the p50 of every 64th ``invoke`` of
the throughput runs (submit -> its future done, behind the bounded queues: mostly queueing).
Beside the rates, the CPU time per call of the parent process and of the workers (Linux /proc),
which do not depend on what else the machine runs. The reference is the same pool (parent,
routing, pipes, framing) with a worker loop that uses the ``wasmtime`` package (``wasmtime.Module``
compiled once per worker and kept, a new ``Store`` + ``Instance`` per call), so the ratios compare
the engines inside the same machinery.
In-process p50 of fresh instance + call (no pool) is shown for scale.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import Error

HELP = "jit.Pool: invocations/s and p50/p99 latency vs workers, against a wasmtime-py pool"

WORKERS = (1, 2)
SCENARIOS = ("one", "mix", "wasi")

ECHO_WAT = """(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 64))
    (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"""


# -- the wasmtime-py worker loop (same protocol as jit.pool.worker) ---------------------------------------

def wasmtime_worker(conn: Connection, cache_dir: str, lru_size: int) -> None:
    """``jit.pool.worker.main`` with wasmtime: modules compiled once per worker, kept in an LRU."""
    import signal

    import wasmtime

    from ..pool.wire import pack_results, unpack_args
    from ..pool.worker import CommandResult, portable, receive, reply

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    engine = wasmtime.Engine()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    wasm: dict[str, bytes] = {}
    loaded: OrderedDict[str, Any] = OrderedDict()
    tmp = tempfile.mkdtemp(prefix="wt-pool-", dir=cache_dir)

    def module(digest: str) -> Any:
        m = loaded.get(digest)
        if m is None:
            m = loaded[digest] = wasmtime.Module(engine, wasm[digest])
            if len(loaded) > lru_size:
                loaded.popitem(last=False)
        else:
            loaded.move_to_end(digest)
        return m

    def run(digest: str, argv: list[str], env: dict[str, str], stdin: bytes) -> CommandResult:
        paths = [os.path.join(tmp, n) for n in ("in", "out", "err")]
        with open(paths[0], "wb") as f:
            f.write(stdin)
        cfg = wasmtime.WasiConfig()
        cfg.argv = argv
        cfg.env = list(env.items())
        cfg.stdin_file, cfg.stdout_file, cfg.stderr_file = paths
        store = wasmtime.Store(engine)
        store.set_wasi(cfg)
        code = 0
        try:
            linker.instantiate(store, module(digest)).exports(store)["_start"](store)
        except wasmtime.ExitTrap as exc:
            code = exc.code
        with open(paths[1], "rb") as f1, open(paths[2], "rb") as f2:
            return CommandResult(code, f1.read(), f2.read())

    def chunk(digest: str, export: str, packed: Any) -> Any:
        values: list[Any] = []
        errors: dict[int, BaseException] = {}
        m = module(digest)
        for args in unpack_args(packed):
            try:
                store = wasmtime.Store(engine)
                values.append(wasmtime.Instance(store, m, []).exports(store)[export](store, *args))
            except Exception as exc:     # noqa: BLE001
                errors[len(values)] = portable(exc)
                values.append(None)
        return pack_results(values, errors)

    while True:
        batch = receive(conn)
        if batch is None:
            return
        out = []
        for msg in batch:
            if msg[0] == "m":
                wasm[msg[1]] = msg[2]
                continue
            try:
                if msg[0] == "i":
                    store = wasmtime.Store(engine)
                    inst = wasmtime.Instance(store, module(msg[2]), [])
                    value = inst.exports(store)[msg[3]](store, *msg[4])
                elif msg[0] == "b":
                    value = chunk(msg[2], msg[3], msg[4])
                else:
                    value = run(msg[2], msg[3], msg[4], msg[5])
                out.append((msg[1], True, value))
            except BaseException as exc:     # noqa: BLE001
                out.append((msg[1], False, portable(exc)))
        reply(conn, out)


# -- workloads --------------------------------------------------------------------------------------------

@dataclass
class Row:
    """One (engine, scenario, workers) measurement."""

    engine: str
    scenario: str
    workers: int
    calls_per_s: float
    p50_us: float                            # unloaded: one invoke in flight
    p99_us: float
    map_calls_per_s: float | None = None     # the batched API (None: the scenario has none)
    saturated_p50_us: float | None = None    # invoke latency during the throughput runs (queueing)
    parent_cpu_us: float | None = None       # CPU µs per call: parent process, workers (see Rate)
    worker_cpu_us: float | None = None
    map_parent_cpu_us: float | None = None
    map_worker_cpu_us: float | None = None

    def model_scaling(self, batched: bool) -> float | None:
        """2·w/(w + p): the 1 -> 2 worker scaling the CPU costs of this (1-worker) row allow."""
        p, w = ((self.map_parent_cpu_us, self.map_worker_cpu_us) if batched
                else (self.parent_cpu_us, self.worker_cpu_us))
        return None if p is None or not w else 2 * w / (w + p)


MIX_MODULES = 64


def mix_module(i: int) -> bytes:
    """The ``i``-th module of (b)'s mix: ``add`` with one page of memory and an ``i + 1``-byte data
    segment (0 <= i < MIX_MODULES)."""
    from .instantiate import module_add

    return module_add(memory_pages=1, data_bytes=i + 1)


def fresh_module(salt: int) -> bytes:
    """A module never seen before for every ``salt``: one of the mix's shapes (a data segment of at
    most ``MIX_MODULES`` bytes, so it always fits its one page) plus a custom section holding the salt,
    which changes the module's hash and so forces a compilation. (Growing the data segment with the
    salt instead overflowed the page after ~1000 fresh modules: instantiation trapped.)"""
    from ..wasm.leb import encode_unsigned

    name = b"wxjit-bench-salt"
    body = encode_unsigned(len(name)) + name + salt.to_bytes(8, "little")
    return mix_module(salt % MIX_MODULES) + b"\x00" + encode_unsigned(len(body)) + body


class _Workload:
    """The calls of one scenario: ``next_call(i) -> (kind, module, args)``."""

    def __init__(self, scenario: str, fresh: float, echo: bytes) -> None:
        from .instantiate import module_add

        self.scenario = scenario
        self.add = module_add()
        self.echo = echo
        self.mix = [mix_module(i) for i in range(MIX_MODULES)]
        self.fresh = fresh
        self.rng = random.Random(7)
        self.salt = 1
        weights = [1 / (k + 1) for k in range(len(self.mix))]
        self.order = self.rng.choices(range(len(self.mix)), weights, k=4096)

    def call(self, pool: Any, i: int) -> Any:
        if self.scenario == "one":
            return pool.invoke(self.add, "add", (i & 0xFFFF, 1))
        if self.scenario == "wasi":
            return pool.run(self.echo, ["echo", str(i)], {"I": str(i)}, b"hello %d" % i)
        if self.rng.random() < self.fresh:          # a module nobody has seen: compiled first
            self.salt += 1
            return pool.invoke(fresh_module(self.salt), "add", (i, 1))
        return pool.invoke(self.mix[self.order[i % len(self.order)]], "add", (i, 1))


    def batch(self, pool: Any, start: int, n: int, chunksize: int = 256) -> list[Any]:
        """Calls ``start..start+n`` through ``Pool.map`` ((b): grouped by module per window of
        ``chunksize`` calls); their results."""
        if self.scenario == "one":
            return list(pool.map(self.add, "add", ((i & 0xFFFF, 1) for i in range(start, start + n)),
                                 chunksize=chunksize))
        iters = []                      # every window submitted before any result is awaited
        for w in range(start, start + n, chunksize):
            groups: dict[bytes, list[tuple[int, int]]] = {}
            for i in range(w, min(w + chunksize, start + n)):
                if self.rng.random() < self.fresh:
                    self.salt += 1
                    module = fresh_module(self.salt)
                else:
                    module = self.mix[self.order[i % len(self.order)]]
                groups.setdefault(module, []).append((i, 1))
            iters += [pool.map(m, "add", args, chunksize=chunksize) for m, args in groups.items()]
        return [r for it in iters for r in it]


@dataclass
class Rate:
    """One throughput run: calls/s, and the CPU µs per call of the parent process and of the workers
    (the load-independent model of the brief: with parent cost p and worker cost w per call, n workers
    on n cores reach n·w/(w + p) times one worker's throughput when the parent shares the cores)."""

    calls_per_s: float
    parent_cpu_us: float
    worker_cpu_us: float | None
    latency_p50_us: float | None = None      # submit -> done of sampled calls (saturated pool)


_LATENCY_SAMPLE = 64        # every 64th invoke of a throughput run is timed (a done-callback)


def _cpu_seconds(pids: list[int]) -> float | None:
    """CPU seconds of processes ``pids`` (Linux /proc/PID/schedstat, ns; None elsewhere)."""
    total = 0
    try:
        for pid in pids:
            with open(f"/proc/{pid}/schedstat") as f:
                total += int(f.read().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return total / 1e9


def _measured(pool: Any, calls: int, body: Callable[[], Any]) -> Rate:
    pids = pool.worker_pids()
    w0, t0, c0 = _cpu_seconds(pids), time.process_time(), time.perf_counter()
    body()
    elapsed = time.perf_counter() - c0
    t1, w1 = time.process_time(), _cpu_seconds(pids)
    parent = (t1 - t0) / calls * 1e6
    worker = None if w0 is None or w1 is None or pool.worker_pids() != pids else (w1 - w0) / calls * 1e6
    return Rate(calls / elapsed, parent, worker)


def _throughput(pool: Any, work: _Workload, calls: int) -> Rate:
    latencies: list[float] = []
    clock = time.perf_counter

    def timed(t0: float) -> Callable[[Any], None]:
        return lambda f: latencies.append(clock() - t0)

    def body() -> None:
        futures = []
        for i in range(calls):
            if i % _LATENCY_SAMPLE:
                futures.append(work.call(pool, i))
            else:
                t0 = clock()
                f = work.call(pool, i)
                f.add_done_callback(timed(t0))
                futures.append(f)
        for f in futures:
            f.result()

    rate = _measured(pool, calls, body)
    rate.latency_p50_us = statistics.median(latencies) * 1e6 if latencies else None
    return rate


def _map_throughput(pool: Any, work: _Workload, calls: int) -> Rate:
    return _measured(pool, calls, lambda: work.batch(pool, 0, calls))


def _median_rate(rates: list[Rate]) -> Rate:
    workers = [r.worker_cpu_us for r in rates if r.worker_cpu_us is not None]
    latencies = [r.latency_p50_us for r in rates if r.latency_p50_us is not None]
    return Rate(statistics.median(r.calls_per_s for r in rates),
                statistics.median(r.parent_cpu_us for r in rates),
                statistics.median(workers) if workers else None,
                statistics.median(latencies) if latencies else None)


def _latency(pool: Any, work: _Workload, calls: int) -> tuple[float, float]:
    samples = []
    for i in range(calls):
        t0 = time.perf_counter()
        work.call(pool, i).result()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return samples[len(samples) // 2] * 1e6, samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1e6


def in_process_p50_us(calls: int = 5000) -> float:
    """p50 of a fresh ``jit.Instance`` + one call of ``add`` in this process (no pool)."""
    from ..pipeline import Module
    from ..runtime.instance import Instance
    from .instantiate import module_add

    module = Module(module_add())
    samples = []
    for i in range(calls):
        t0 = time.perf_counter()
        Instance(module).exports["add"](i, 1)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def run(calls: int, latency_calls: int, reps: int, fresh: float, engines: list[str],
        scenarios: list[str], advance: Callable[[str], None] = lambda label: None) -> list[Row]:
    """Measure every (scenario, workers, engine); the engines alternate within each repetition."""
    from ..pool import Pool
    from ..wat import wat2wasm

    echo = wat2wasm(ECHO_WAT)
    rows = []
    for scenario in scenarios:
        for workers in WORKERS:
            pools = {e: Pool(workers=workers, worker_main=wasmtime_worker if e == "wasmtime" else None)
                     for e in engines}
            try:
                loads = {e: _Workload(scenario, fresh, echo) for e in engines}
                for e in engines:                         # warm up: workers started, modules loaded
                    _throughput(pools[e], loads[e], max(200, calls // 10))
                batched = scenario != "wasi"
                if batched:
                    for e in engines:
                        _map_throughput(pools[e], loads[e], max(200, calls // 10))
                tput: dict[str, list[Rate]] = {e: [] for e in engines}
                mput: dict[str, list[Rate]] = {e: [] for e in engines}
                for _ in range(reps):
                    for e in engines:
                        tput[e].append(_throughput(pools[e], loads[e], calls))
                        if batched:
                            mput[e].append(_map_throughput(pools[e], loads[e], calls))
                for e in engines:
                    p50, p99 = _latency(pools[e], loads[e], latency_calls)
                    t = _median_rate(tput[e])
                    m = _median_rate(mput[e]) if batched else None
                    rows.append(Row(e, scenario, workers, t.calls_per_s, p50, p99,
                                    m.calls_per_s if m else None, t.latency_p50_us, t.parent_cpu_us,
                                    t.worker_cpu_us, m.parent_cpu_us if m else None,
                                    m.worker_cpu_us if m else None))
                    advance(f"{scenario} x{workers} {e}")
            finally:
                for p in pools.values():
                    p.shutdown()
    return rows


def plot(rows: list[Row], path: str) -> None:
    from .report import require_matplotlib

    plt = require_matplotlib()
    scenarios = sorted({r.scenario for r in rows}, key=SCENARIOS.index)
    fig, axes = plt.subplots(1, len(scenarios), figsize=(4.2 * len(scenarios), 4), squeeze=False)
    for ax, scenario in zip(axes[0], scenarios, strict=True):
        for engine, color in (("wxjit", "tab:blue"), ("wasmtime", "tab:orange")):
            for api, style in (("invoke", "o-"), ("map", "s--")):
                pts = sorted((r.workers, r.calls_per_s if api == "invoke" else r.map_calls_per_s)
                             for r in rows if r.engine == engine and r.scenario == scenario)
                if pts and all(p[1] is not None for p in pts):
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=color,
                            label=f"{engine} {api}")
        ax.set_title(f"({'abc'[SCENARIOS.index(scenario)]}) {scenario}")
        ax.set_xlabel("workers")
        ax.set_xticks(list(WORKERS))
        ax.set_ylabel("invocations / s")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.35)          # room above the curves for the legend
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="upper left", ncol=2)
    fig.suptitle("jit.Pool throughput vs workers (fresh instance per invocation)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=20_000, help="invocations per throughput repetition")
    parser.add_argument("--latency-calls", type=int, default=2_000, help="sequential calls for p50/p99")
    parser.add_argument("--reps", type=int, default=3, help="throughput repetitions (median)")
    parser.add_argument("--fresh", type=float, default=0.02, help="share of never-seen modules in (b)")
    parser.add_argument("--only", help="comma-separated scenarios (one, mix, wasi)")
    parser.add_argument("--no-wasmtime", action="store_true", help="measure wxjit only")
    parser.add_argument("--json", action="store_true", help="print JSON records instead of the table")
    parser.add_argument("--plot", metavar="FILE.png", help="throughput vs workers (matplotlib)")


def main(args: argparse.Namespace) -> int:
    from .report import print_json, print_table, progress, require_matplotlib, stdout_is_tty

    try:
        if args.plot:
            require_matplotlib()
        scenarios = args.only.split(",") if args.only else list(SCENARIOS)
        if any(s not in SCENARIOS for s in scenarios):
            raise Error(f"--only takes {', '.join(SCENARIOS)}")
        engines = ["wxjit"]
        if not args.no_wasmtime:
            try:
                import wasmtime  # noqa: F401
                engines.append("wasmtime")
            except ImportError:
                print("wasmtime package not installed: measuring wxjit only", file=sys.stderr)
        total = len(scenarios) * len(WORKERS) * len(engines)
        with progress(total, "pool", stdout_is_tty() and not args.json) as advance:
            rows = run(args.calls, args.latency_calls, args.reps, args.fresh, engines, scenarios, advance)
        local = in_process_p50_us()
    except Error as exc:
        print(f"wxjit bench pool: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json([*rows, {"in_process_fresh_instance_call_p50_us": local}])
    else:
        by = {(r.engine, r.scenario, r.workers): r for r in rows}
        table = []
        notes = [f"in-process fresh instance + call (no pool): p50 {local:.1f} µs",
                 "p50/p99 µs: unloaded, one invoke in flight (a round trip through the pool); "
                 "sat p50: invokes during the throughput runs (queueing behind full queues), in ms",
                 "invoke: one call, one Future; map: Pool.map, chunks of 256 calls ((b): grouped by module);",
                 "×1w: over the 1-worker pool's throughput; CPU p/w: parent / worker CPU µs per call;",
                 "wt: the wasmtime-py pool in the same run; vs wt: wxjit over wasmtime-py (invoke / map)"]

        def rate(v: float | None) -> str:
            return "-" if v is None else f"{v:,.0f}"

        def ratio(a: float | None, b: float | None) -> str:
            return f"{a / b:.2f}" if a is not None and b else "-"

        def cpu(p: float | None, w: float | None) -> str:
            return "-" if p is None else f"{p:.1f}/{'-' if w is None else f'{w:.1f}'}"

        for r in rows:
            if r.engine != "wxjit":
                continue
            w = by.get(("wasmtime", r.scenario, r.workers))
            one = by.get(("wxjit", r.scenario, WORKERS[0]))
            name = f"({'abc'[SCENARIOS.index(r.scenario)]}) {r.scenario}"
            table.append([name, str(r.workers),
                          rate(r.calls_per_s), ratio(r.calls_per_s, one.calls_per_s if one else None),
                          rate(r.map_calls_per_s),
                          ratio(r.map_calls_per_s, one.map_calls_per_s if one else None),
                          f"{r.p50_us:.0f}", f"{r.p99_us:.0f}",
                          "-" if r.saturated_p50_us is None else f"{r.saturated_p50_us / 1000:.1f}",
                          cpu(r.parent_cpu_us, r.worker_cpu_us),
                          cpu(r.map_parent_cpu_us, r.map_worker_cpu_us),
                          rate(w.calls_per_s) if w else "-", rate(w.map_calls_per_s) if w else "-",
                          f"{w.p50_us:.0f}" if w else "-",
                          (f"{ratio(r.calls_per_s, w.calls_per_s)} / "
                           f"{ratio(r.map_calls_per_s, w.map_calls_per_s)}") if w else "-"])
            if r.workers == 1:
                models = [f"{api} {m:.2f}×" for api, m in (("invoke", r.model_scaling(False)),
                                                            ("map", r.model_scaling(True))) if m]
                if models:
                    notes.append(f"{name}: 1 -> 2 workers allowed by the CPU costs, 2w/(w+p): "
                                 f"{', '.join(models)}")
        notes.append(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; throughput: median of "
                     f"{args.reps} runs of {args.calls} calls")
        print_table("jit.Pool: fresh instance per invocation",
                    [("scenario", "left"), ("workers", "right"), ("invoke/s", "right"), ("×1w", "right"),
                     ("map/s", "right"), ("×1w", "right"), ("p50 µs", "right"), ("p99 µs", "right"),
                     ("sat p50 ms", "right"),
                     ("CPU p/w invoke", "right"), ("CPU p/w map", "right"), ("wt invoke/s", "right"),
                     ("wt map/s", "right"), ("wt p50 µs", "right"), ("vs wt", "right")], table, notes)
    if args.plot:
        plot(rows, args.plot)
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


__all__ = ["Row", "configure", "in_process_p50_us", "main", "run", "wasmtime_worker"]

