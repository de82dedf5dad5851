"""``jit.Pool``: a pool of worker processes that runs Wasm invocations in fresh instances.

    with jit.Pool(workers=2) as pool:
        h = pool.submit_module(wasm)                    # optional: later calls may pass the hash
        pool.invoke(h, "add", (1, 2)).result()          # -> 3, in a fresh instance in a worker
        pool.run(wasi_wasm, ["prog", "x"], {}, b"").result()   # -> CommandResult(exit_code, ...)

Every call returns a ``concurrent.futures.Future`` whose result or exception is what the in-process
call would give (``jit.Trap`` with its kind and backtrace, ``jit.Error`` subclasses, ...).

- Cache affinity: modules are compiled once per pool into a shared on-disk ``jit.Cache`` (a
  temporary directory, on ``/dev/shm`` when it exists, unless ``cache_dir`` is given) and kept
  loaded in a per-worker segmented LRU (see ``jit.pool.worker``). A module's
  invocations go to its home worker (hash modulo pool size) unless that one already has ``batch``
  invocations queued or running; then to the least loaded worker (preferring ones that have the
  module). Module bytes are sent to a worker once. An idle worker is sent a call at once; a busy
  one is sent the calls queued meanwhile as one batch (at most ``batch``) when its results arrive.
- Isolation: a worker that dies is replaced; only the invocations it was running (at most ``batch``)
  fail with ``WorkerLost``. Queues live in the parent, so nothing queued is lost. ``jit.Limits``
  (timeout, fuel, memory) apply per invocation, inside the worker.
- Backpressure: each worker's queue holds at most ``queue_size`` invocations. When every queue is
  full, ``invoke``/``run`` block until there is room (``block=False``: raise ``QueueFull``).
- The parent keeps the bytes of every module it was given (to resend to replacement workers);
  ``forget_module`` drops one.

Worker processes start through a multiprocessing "forkserver" (no fork of a process with threads
and native state), which imports the caller's ``__main__`` module: scripts that make a pool need the
``if __name__ == "__main__":`` guard, as with ``concurrent.futures.ProcessPoolExecutor``.

``backend="ray"`` runs the workers as Ray actors (``pip install wxjit[ray]``; see ``jit.pool.ray``).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import select
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

from ..errors import Error
from ..wat import is_text, wat2wasm
from . import routing
from .wire import pack_args, unpack_results
from .worker import CommandResult, RemoteTag

__all__ = ["CommandResult", "Pool", "QueueFull", "RemoteTag", "UnknownModule", "WorkerLost"]


class WorkerLost(Error):
    """The worker process running this invocation died (crash, kill, out of memory)."""


class QueueFull(Error):
    """Every worker queue is full and the pool was made with ``block=False``."""


class UnknownModule(Error):
    """A module hash that was never submitted to this pool (or was forgotten)."""


_PARK = 0.002      # s: how long a thread that does not receive waits before it looks again
_CHUNK_CALLS_IN_FLIGHT = 512   # calls of Pool.map chunks sent to one worker at a time (at least one
#                                chunk): two chunks of the default 256, one runs and one waits in the
#                                pipe, so big chunks spread over the workers; small ones (a module's
#                                few calls of a window) still go many to a message
_BATCHES_IN_FLIGHT = 2  # messages sent to one worker and not answered: one runs, the next waits in the
#                         pipe, so the worker does not idle while the parent turns a batch around
_PICKLE = pickle.HIGHEST_PROTOCOL
_DONE = frozenset(("CANCELLED", "CANCELLED_AND_NOTIFIED", "FINISHED"))
_PARKED_CHECK = 0.001  # s: a dispatcher that stepped aside looks again after this, then after twice as
_PARKED_MAX = 0.008    # long each time callers received meanwhile, up to this; it takes over after a tick
#                        with no caller receiving (callbacks nobody waits for: <= 2 ticks late). Each
#                        look takes the GIL from a busy caller: at a 1 ms tick, 24 ms of CPU per second


_RAM_DIRS = ("/dev/shm",)


def _scratch_dir() -> str | None:
    """Where a pool's own cache goes: a RAM file system when there is one (creating a file there
    costs ~20 µs of CPU against ~300 µs on the ext4 disk measured; a never-seen module creates one),
    else the default temporary directory."""
    for d in _RAM_DIRS:
        if os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK):
            return d
    return None


class _PoolFuture(Future):  # type: ignore[type-arg]
    """A ``Future`` whose ``result``/``exception`` receive in the waiting thread (see ``Pool._lead``).

    All futures of a pool share one ``Condition`` (``Future.__init__`` makes one per future: 40% of the
    parent's CPU per call was spent there); a waiter woken for another future waits again. The pool
    resolves a whole batch of them under one acquisition of that condition (``Pool._settle``), and
    ``done``/``result`` of a finished future read its state without the lock (it is written last,
    after the result, and never changes again)."""

    def __init__(self, pool: Pool) -> None:        # Future.__init__'s fields, with the shared condition
        self._condition = pool._futures_condition
        self._state = "PENDING"
        self._result = None
        self._exception = None
        self._waiters: list[Any] = []
        self._done_callbacks: list[Any] = []
        self._pool = pool

    def done(self) -> bool:
        return self._state in _DONE

    def result(self, timeout: float | None = None) -> Any:
        if self._state == "FINISHED" and self._exception is None:
            return self._result
        if self._state not in _DONE:
            self._pool._lead(self, timeout)
        return super().result(0 if self._state in _DONE else timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        if not self.done():
            self._pool._lead(self, timeout)
        return super().exception(0 if self.done() else timeout)


_PRELOAD = ["jit", "jit.cache", "jit.runtime.instance", "jit.runtime.module", "jit.wasi.command",
            "jit.pool.worker", "jit.x64.compiler"]


class _Worker:
    """Parent-side state of one worker slot: the process, its pipe, its queue and what it runs."""

    __slots__ = ("index", "process", "conn", "pending", "inflight", "batches", "chunks", "sent", "generation",
                 "eof")

    def __init__(self, index: int) -> None:
        self.index = index
        self.process: Any = None
        self.conn: Connection | None = None
        self.pending: deque[tuple[Any, ...]] = deque()     # (future, message, running) not yet sent
        self.inflight: dict[int, Future[Any]] = {}
        # the messages sent and not answered, oldest first: [(future, message), ...] each. The worker
        # reads one message, runs it and answers before reading the next, so when it dies only the
        # oldest can have run; the others are still unread in its pipe.
        self.batches: deque[list[tuple[Future[Any], tuple[Any, ...]]]] = deque()
        self.chunks: dict[int, int] = {}                     # chunks (Pool.map) in flight: id -> calls
        self.sent: set[str] = set()                          # module hashes this process has
        self.generation = 0
        self.eof = False                                     # conn reported EOF: the worker died

    @property
    def load(self) -> int:
        return len(self.pending) + len(self.inflight)


class Pool:
    """Worker processes running invocations in fresh instances (see the module docstring)."""

    def __init__(self, workers: int = 2, cache_dir: str | os.PathLike[str] | None = None,
                 queue_size: int = 1024, *, batch: int = 32, lru_size: int = 64, block: bool = True,
                 backend: str = "process", start_method: str = "forkserver",
                 worker_main: Callable[[Connection, str, int], None] | None = None) -> None:
        """``worker_main``: another worker loop speaking ``jit.pool.worker``'s protocol (a module-level
        function; the benchmark's wasmtime pool uses it)."""
        if workers < 1:
            raise Error(f"a pool needs at least one worker, got {workers}")
        if queue_size < 1 or batch < 1:
            raise Error("queue_size and batch must be positive")
        if backend not in ("process", "ray"):
            raise Error(f"unknown pool backend {backend!r} (process, ray)")
        self.workers = workers
        self.queue_size = queue_size
        self.batch = batch
        self.block = block
        self.backend = backend
        self._own_cache = cache_dir is None
        self.cache_dir = (tempfile.mkdtemp(prefix="wxjit-pool-", dir=_scratch_dir()) if cache_dir is None
                          else os.fspath(os.path.expanduser(cache_dir)))
        os.makedirs(self.cache_dir, exist_ok=True)
        self._lru_size = lru_size
        self._worker_main = worker_main
        self._modules: dict[str, bytes] = {}
        self._homes: dict[str, int] = {}                 # module hash -> its home worker
        self._digests: dict[bytes, str] = {}
        self._texts: dict[str, str] = {}                 # Wasm text -> hash of its binary
        self._lock = threading.RLock()     # reentrant: Ray may run a done-callback inside send()
        self._room = threading.Condition(self._lock)
        self._room_waiters = 0             # threads waiting in _room (notified only when there are some)
        self._futures_lock = threading.RLock()             # shared by the pool's futures (their
        self._futures_condition = threading.Condition(self._futures_lock)   # condition)
        self._next_id = 0
        self._outstanding = 0
        self._closed = False
        self._stopping = False
        self._rx = threading.Lock()        # held by the one thread that receives from the workers
        self._wanted = 0                   # callers waiting to receive themselves
        self._parked = False               # the dispatcher stepped aside for them
        self._leads = 0                    # times a caller received (the dispatcher waits for a quiet tick)
        self._topology = 0                 # changes when a worker's pipe or process changes
        self._poller: tuple[Any, Any, dict[int, Any]] | None = None
        self._lost = 0
        self._restarts = 0
        self._ray = backend == "ray"
        if not self._ray:
            self._ctx = multiprocessing.get_context(start_method)
            if start_method == "forkserver":
                self._ctx.set_forkserver_preload(_PRELOAD)
        self._slots = [_Worker(i) for i in range(workers)]
        for slot in self._slots:
            self._start(slot)
        if self._ray:
            return
        self._wake_r, self._wake_w = os.pipe()
        self._dispatcher = threading.Thread(target=self._dispatch, name="jit.Pool dispatcher", daemon=True)
        self._dispatcher.start()

    # -- public API ------------------------------------------------------------------------------
    def submit_module(self, wasm: bytes | bytearray | memoryview) -> str:
        """Register ``wasm`` with the pool; returns its hex SHA-256, usable in place of the bytes."""
        return self._digest(wasm)

    def forget_module(self, digest: str) -> None:
        """Drop the parent's copy of a module (later calls by hash raise ``UnknownModule``)."""
        with self._lock:
            wasm = self._modules.pop(digest, None)
            if wasm is not None:
                self._digests.pop(wasm, None)
                self._texts = {t: d for t, d in self._texts.items() if d != digest}

    def invoke(self, module: bytes | str, export: str, args: Sequence[Any] = (),
               limits: Any = None) -> Future[Any]:
        """Call ``export(*args)`` in a fresh instance of ``module`` (Wasm bytes or text, or a submitted
        hash; an unknown hash raises ``UnknownModule`` here)."""
        digest = self._digest(module)
        return self._submit(digest, ("i", 0, digest, export, tuple(args), limits))

    def run(self, module: bytes | str, argv: Sequence[str] = ("main",), env: Mapping[str, str] | None = None,
            stdin: bytes = b"", limits: Any = None) -> Future[CommandResult]:
        """Run ``module`` as a WASI command; the result is a ``CommandResult`` (exit code, output)."""
        digest = self._digest(module)
        return self._submit(digest, ("r", 0, digest, list(argv), dict(env or {}), bytes(stdin), limits))

    @property
    def stats(self) -> dict[str, int]:
        """Counters: ``lost`` invocations (WorkerLost), worker ``restarts``, ``outstanding`` calls."""
        return {"lost": self._lost, "restarts": self._restarts, "outstanding": self._outstanding}

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers."""
        with self._lock:
            if self._ray:
                return [s.conn.pid() for s in self._slots]  # type: ignore[union-attr]
            return [s.process.pid for s in self._slots]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking calls; ``wait``: until every accepted call is answered; then stop the workers."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if cancel_futures:
                for slot in self._slots:
                    kept = [entry for entry in slot.pending if entry[2] or not entry[0].cancel()]
                    self._outstanding -= len(slot.pending) - len(kept)
                    slot.pending = deque(kept)
            self._room.notify_all()
            if wait:
                while self._outstanding:
                    self._wait_room(None)
        if self._ray:
            for slot in self._slots:
                if slot.conn is not None:
                    slot.conn.close()
        else:
            self._stopping = True
            os.write(self._wake_w, b"x")
            self._dispatcher.join()
            for slot in self._slots:
                self._stop(slot)
            os.close(self._wake_r)
            os.close(self._wake_w)
        if self._own_cache:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    close = shutdown

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"<jit.Pool {self.backend} workers={self.workers} cache={self.cache_dir}>"

    # -- submission ------------------------------------------------------------------------------
    def _digest(self, module: Any) -> str:
        if isinstance(module, str):
            if module in self._modules:
                return module
            if not is_text(module):
                raise UnknownModule(f"no module with hash {module!r} was submitted to this pool")
            digest = self._texts.get(module)
            if digest is None:
                digest = self._texts[module] = self._digest(wat2wasm(module))
            return digest
        if type(module) is not bytes:
            if not isinstance(module, (bytearray, memoryview)):
                raise Error(f"a pool module is Wasm bytes or a submitted hash, got {type(module).__name__}")
            module = bytes(module)
        digest = self._digests.get(module)
        if digest is None:
            digest = hashlib.sha256(module).hexdigest()
            with self._lock:
                self._modules.setdefault(digest, module)
                self._digests[module] = digest
        return digest

    def _submit(self, digest: str, msg: tuple[Any, ...], spill: int = 0) -> Future[Any]:
        """Queue one message (a call, or a chunk of calls) for a worker chosen by ``routing``;
        ``spill``: the load at which the home worker counts as busy (default ``batch``)."""
        fut: Future[Any] = Future() if self._ray else _PoolFuture(self)
        spill = spill or self.batch
        while True:
            with self._lock:
                if self._closed:
                    raise Error("the pool is shut down")
                slots = self._slots
                home = self._homes.get(digest)
                if home is None:
                    home = self._homes[digest] = routing.home(digest, len(slots))
                slot = slots[home]
                load = len(slot.pending) + len(slot.inflight)
                if load >= spill:
                    if len(slots) == 1:
                        i = 0 if load < self.queue_size else -1
                    else:
                        i = routing.choose(home, [len(s.pending) + len(s.inflight) for s in slots],
                                           [digest in s.sent for s in slots], spill, self.queue_size)
                    if i < 0:
                        if not self.block:
                            raise QueueFull(f"all {len(slots)} worker queues are full "
                                            f"({self.queue_size} each)")
                        if self._ray:
                            self._wait_room(None)
                            continue
                        leading = True
                    else:
                        slot, leading = slots[i], False
                else:
                    leading = False
                if not leading:
                    self._next_id += 1
                    self._outstanding += 1
                    slot.pending.append((fut, (msg[0], self._next_id, *msg[2:]), False))
                    if not slot.inflight or (len(slot.pending) >= self.batch
                                             and len(slot.batches) < _BATCHES_IN_FLIGHT):
                        # an idle worker gets the call now; a busy one gets a full batch as one
                        # message, or what queued meanwhile when its results arrive (measured: 2-3x
                        # the throughput of sending every call at once)
                        self._pump(slot)
                    return fut
            self._make_room()

    def _wait_room(self, timeout: float | None) -> None:
        """Wait for ``_room`` (lock held)."""
        self._room_waiters += 1
        try:
            self._room.wait(timeout)
        finally:
            self._room_waiters -= 1

    def _make_room(self) -> None:
        """Every queue is full: receive results in this thread (as ``_lead`` does, the dispatcher
        stepping aside) rather than wait for the dispatcher to receive them and wake this thread,
        which cost a thread switch pair and lock contention per batch."""
        with self._lock:
            self._wanted += 1
        try:
            if self._rx.acquire(blocking=False):
                try:
                    self._poll(_PARKED_CHECK, wake=False)
                finally:
                    self._rx.release()
                return
            os.write(self._wake_w, b"x")           # the dispatcher holds _rx: ask it to step aside
            with self._lock:
                self._wait_room(_PARKED_CHECK)
        finally:
            with self._lock:
                self._wanted -= 1
                self._leads += 1

    def map(self, module: bytes | str, export: str, args_iter: Iterable[Sequence[Any]], *,
            limits: Any = None, chunksize: int = 256, timeout: float | None = None) -> Iterator[Any]:
        """``export(*args)`` in a fresh instance for every ``args`` of ``args_iter``, like
        ``Executor.map`` (starmap-style): all calls are submitted now, in chunks of ``chunksize`` (one
        pipe message and one Future per chunk, arguments and results packed by ``jit.pool.wire``);
        the returned iterator gives the results in order and raises a call's exception when its turn
        comes (a worker lost in the middle of a chunk fails that chunk's calls with ``WorkerLost``).
        ``timeout`` (s, from this call) bounds the wait for each result (``TimeoutError``)."""
        if chunksize < 1:
            raise Error(f"chunksize must be positive, got {chunksize}")
        deadline = None if timeout is None else time.monotonic() + timeout
        digest = self._digest(module)
        futures: list[Future[Any]] = []
        chunk: list[Sequence[Any]] = []
        for args in args_iter:
            chunk.append(args)
            if len(chunk) == chunksize:
                futures.append(self._submit(digest, ("b", 0, digest, export, pack_args(chunk), limits), 1))
                chunk = []
        if chunk:
            futures.append(self._submit(digest, ("b", 0, digest, export, pack_args(chunk), limits), 1))
        return self._map_results(futures, deadline)

    @staticmethod
    def _map_results(futures: list[Future[Any]], deadline: float | None) -> Iterator[Any]:
        futures.reverse()
        try:
            while futures:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                values, errors = unpack_results(futures[-1].result(left))
                futures.pop()
                if not errors:
                    yield from values
                    continue
                for k, value in enumerate(values):
                    if k in errors:
                        raise errors[k]
                    yield value
        finally:
            for f in futures:
                f.cancel()

    def _pump(self, slot: _Worker) -> None:
        """Send queued calls to ``slot``: at most ``batch`` per message, at most ``_BATCHES_IN_FLIGHT``
        messages unanswered (lock held)."""
        while slot.pending and slot.conn is not None and len(slot.batches) < _BATCHES_IN_FLIGHT:
            if not self._send_batch(slot):
                return

    def _send_batch(self, slot: _Worker) -> bool:
        """Send one message of queued calls to ``slot``; False when nothing could be sent."""
        out: list[tuple[Any, ...]] = []
        taken: list[tuple[Future[Any], tuple[Any, ...]]] = []
        pending, inflight, sent, ray = slot.pending, slot.inflight, slot.sent, self._ray
        with self._futures_lock:          # the futures' state changes below (cancel() takes it too)
            while pending and len(taken) < self.batch:
                if pending[0][1][0] == "b":
                    calls = pending[0][1][4][1]
                    if slot.chunks and sum(slot.chunks.values()) + calls > _CHUNK_CALLS_IN_FLIGHT:
                        break
                    slot.chunks[pending[0][1][1]] = calls
                fut, msg, running = pending.popleft()
                if not running:
                    if not ray and fut._state == "PENDING":
                        fut._state = "RUNNING"
                    elif not fut.set_running_or_notify_cancel():
                        self._outstanding -= 1
                        slot.chunks.pop(msg[1], None)
                        continue
                digest = msg[2]
                if digest not in sent:
                    wasm = self._modules.get(digest)
                    if wasm is None:       # forgotten while queued
                        fut.set_exception(UnknownModule(f"module {digest} was forgotten"))
                        self._outstanding -= 1
                        slot.chunks.pop(msg[1], None)
                        continue
                    out.append(("m", digest, wasm))
                    sent.add(digest)
                out.append(msg)
                inflight[msg[1]] = fut
                taken.append((fut, msg))
        if not taken:
            if self._room_waiters:
                self._room.notify_all()
            return False
        try:
            if ray:
                slot.conn.send(out)  # type: ignore[union-attr]
            else:       # (Connection.send's ForkingPickler: a pickler class instance per message)
                slot.conn.send_bytes(pickle.dumps(out, _PICKLE))  # type: ignore[union-attr]
        except (OSError, ValueError):
            # the worker is gone: these calls never ran; requeue them for its replacement
            self._requeue(slot, taken)
            slot.conn = None
            self._topology += 1
            return False
        slot.batches.append(taken)
        return True

    def _requeue(self, slot: _Worker, taken: list[tuple[Future[Any], tuple[Any, ...]]]) -> None:
        """Put calls that were sent but never read by the worker back at the front of its queue."""
        for fut, msg in reversed(taken):
            slot.inflight.pop(msg[1], None)
            slot.chunks.pop(msg[1], None)
            slot.pending.appendleft((fut, msg, True))

    # -- worker processes ------------------------------------------------------------------------
    def _start(self, slot: _Worker) -> None:
        from .worker import main

        if self._ray:
            from . import ray

            slot.conn = ray.start(self, slot, self.cache_dir, self._lru_size)  # type: ignore[assignment]
            slot.sent = set()
            slot.generation += 1
            return
        main = self._worker_main or main
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=main, args=(child, self.cache_dir, self._lru_size),
                                 name=f"jit.Pool worker {slot.index}", daemon=True)
        proc.start()
        child.close()
        slot.process, slot.conn = proc, parent
        slot.eof = False
        self._topology += 1
        slot.sent = set()
        slot.generation += 1

    def _stop(self, slot: _Worker) -> None:
        try:
            if slot.conn is not None:
                slot.conn.send(None)
        except (OSError, ValueError):
            pass
        slot.process.join(timeout=2)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        if slot.conn is not None:
            slot.conn.close()

    def _dispatch(self) -> None:
        """Receive results and restart dead workers until shutdown, while no caller does it (a thread
        waiting in ``result()`` receives itself: no thread hand-off on the way back, see ``_lead``)."""
        seen = -1
        stepped_aside = False
        tick = _PARKED_CHECK
        parked = select.poll()         # (connection.wait would build a selector per tick)
        parked.register(self._wake_r, select.POLLIN)
        while not self._stopping:
            if self._wanted or self._leads != seen:
                # a caller leads, or did during the last tick: step aside (waking this thread after
                # every lead, to hand it back, cost a thread switch pair per result() call)
                seen = self._leads
                if not stepped_aside and self._room_waiters:
                    with self._lock:       # a submitter waits for _rx (see _make_room): it is free
                        self._room.notify_all()
                tick = min(tick * 2, _PARKED_MAX) if stepped_aside else _PARKED_CHECK
                stepped_aside = self._parked = True
                if parked.poll(tick * 1000):
                    os.read(self._wake_r, 4096)
                self._parked = False
                continue
            stepped_aside = False
            with self._rx:
                if not self._wanted:
                    self._poll(None, wake=True)

    def _poll(self, timeout: float | None, wake: bool) -> None:
        """One wait for results and deaths, and their handling (``_rx`` held). ``wake``: the wake-up
        pipe ends the wait too (the dispatcher's). The ``select.poll`` objects are kept while the set
        of workers stays the same (``multiprocessing.connection.wait`` builds a selector per call)."""
        with self._lock:
            key = (self._topology, wake)
            if self._poller is None or self._poller[0] != key:
                poller = select.poll()
                fds: dict[int, tuple[bool, _Worker]] = {}
                for slot in self._slots:
                    if slot.conn is not None and not slot.eof:
                        fds[slot.conn.fileno()] = (True, slot)
                    fds[slot.process.sentinel] = (False, slot)
                if wake:
                    fds[self._wake_r] = (False, None)  # type: ignore[assignment]
                for fd in fds:
                    poller.register(fd, select.POLLIN)
                self._poller = (key, poller, fds)
            _, poller, fds = self._poller
        events = poller.poll(None if timeout is None else max(0, int(timeout * 1000 + 0.999)))
        dead = []
        for fd, _ in events:
            is_conn, slot = fds[fd]
            if is_conn:
                if slot.conn is not None and not slot.eof:
                    self._receive(slot, slot.conn)
            elif slot is None:
                os.read(self._wake_r, 4096)
            else:
                dead.append(slot)
        for slot in dead:
            if not slot.process.is_alive():
                self._replace(slot)

    def _lead(self, fut: Future[Any], timeout: float | None) -> None:
        """Wait for ``fut`` in the calling thread, receiving results itself while no other thread
        does (the dispatcher steps aside when asked through its wake-up pipe)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            self._wanted += 1
        try:
            asked = False
            while not fut.done():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return
                if self._rx.acquire(blocking=False):
                    try:
                        while not fut.done() and not self._stopping:
                            left = None if deadline is None else deadline - time.monotonic()
                            if left is not None and left <= 0:
                                return
                            self._poll(left, wake=False)
                    finally:
                        self._rx.release()
                    return
                if not asked:                      # the dispatcher holds _rx: ask it to step aside
                    asked = True
                    os.write(self._wake_w, b"x")
                try:                               # follow meanwhile: whoever leads may resolve fut
                    Future.exception(fut, _PARK if left is None else min(left, _PARK))
                except TimeoutError:
                    pass
        finally:
            with self._lock:
                self._wanted -= 1
                self._leads += 1

    def _receive(self, slot: _Worker, conn: Connection) -> None:
        try:
            results = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            slot.eof = True         # the sentinel reports the death
            self._topology += 1
            return
        self._resolve(slot, results)

    def _resolve(self, slot: _Worker, results: list[tuple[int, bool, Any]]) -> None:
        done = []
        with self._lock:
            if results:                 # the answer to one message: forget that message
                first = results[0][0]
                for k, taken in enumerate(slot.batches):
                    if taken[0][1][1] == first:
                        del slot.batches[k]
                        break
            for call_id, ok, value in results:
                fut = slot.inflight.pop(call_id, None)
                if slot.chunks:
                    slot.chunks.pop(call_id, None)
                if fut is not None:
                    done.append((fut, ok, value))
            self._pump(slot)
        self._settle(done)
        self._finished(len(done))

    def _settle(self, done: list[tuple[Future[Any], bool, Any]]) -> None:
        """Resolve futures (``(future, ok, result or exception)``): what ``set_result``/``set_exception``
        do, for a whole batch under one acquisition of the shared condition, then the callbacks."""
        if self._ray:
            for fut, ok, value in done:
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
            return
        called = []
        with self._futures_lock:
            for fut, ok, value in done:
                if fut._state in _DONE:
                    continue
                if ok:
                    fut._result = value
                else:
                    fut._exception = value
                fut._state = "FINISHED"
                for waiter in fut._waiters:       # concurrent.futures.wait / as_completed
                    if ok:
                        waiter.add_result(fut)
                    else:
                        waiter.add_exception(fut)
                if fut._done_callbacks:
                    called.append(fut)
            self._futures_condition.notify_all()
        for fut in called:
            fut._invoke_callbacks()

    def _finished(self, n: int) -> None:
        if n:
            with self._lock:
                self._outstanding -= n
                if self._room_waiters:
                    self._room.notify_all()

    def _actor_lost(self, slot: _Worker, conn: Any, exc: BaseException) -> None:
        """A Ray actor died: fail what it was running, start a new one (once per dead actor)."""
        with self._lock:
            if slot.conn is not conn:
                return
            lost = list(slot.inflight.values())
            slot.inflight.clear()
            slot.chunks.clear()
            slot.batches.clear()
            self._lost += len(lost)
            self._restarts += 1
            slot.conn = None
            if not self._closed or slot.pending:
                self._start(slot)
                self._pump(slot)
        self._settle([(fut, False, WorkerLost(f"worker {slot.index} (a Ray actor) died while running this "
                                              f"call: {type(exc).__name__}")) for fut in lost])
        self._finished(len(lost))

    def _replace(self, slot: _Worker) -> None:
        """A worker died: deliver what it sent, fail what it was running, start a new one."""
        conn = slot.conn
        if conn is not None:
            try:
                while conn.poll(0):
                    self._resolve(slot, pickle.loads(conn.recv_bytes()))
            except (EOFError, OSError):
                pass
        code = slot.process.exitcode
        slot.process.join()
        with self._lock:
            # the oldest unanswered message was running; the later ones are unread in the dead
            # worker's pipe: they go back to the queue, for the replacement
            running = slot.batches.popleft() if slot.batches else []
            while slot.batches:
                self._requeue(slot, slot.batches.pop())
            lost = [fut for fut, msg in running if slot.inflight.pop(msg[1], None) is not None]
            lost += slot.inflight.values()          # (none: every sent call is in a message)
            slot.inflight.clear()
            slot.chunks.clear()
            if conn is not None:
                conn.close()
            slot.conn = None
            self._topology += 1
            self._lost += len(lost)
            self._restarts += 1
            if not self._closed or slot.pending:
                self._start(slot)
                self._pump(slot)
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        self._settle([(fut, False, WorkerLost(f"worker {slot.index} died ({how}) while running this call"))
                      for fut in lost])
        self._finished(len(lost))
