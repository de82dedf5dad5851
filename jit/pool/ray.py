"""``jit.Pool(backend="ray")``: the pool's workers as Ray actors (``pip install "wxjit[ray]"``).

The parent side is the same as with processes (per-worker queues in the parent, hash-affine routing,
at most ``batch`` calls running per worker); a worker is an actor running ``jit.pool.worker.handle``
on each batch. An actor that dies (killed, crashed, its node lost) fails only the calls it was running
with ``WorkerLost`` and is replaced by a new actor. A death is noticed through a failed call, so
calls already sent to an idle actor that died unnoticed fail with ``WorkerLost`` too (they never
ran); the process backend watches its workers and has no such window. Ray is initialized with
defaults when it is not already (call ``ray.init(...)`` first to choose the cluster); each actor
asks for one CPU. The cache directory must be reachable under the same path where the actors run
(one machine, or a shared file system).
"""
from __future__ import annotations

import os
from concurrent.futures import Future
from typing import Any

from ..errors import Error

try:
    import ray
except ImportError:         # pragma: no cover - depends on the environment
    ray = None


def _actor_class() -> Any:
    @ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)
    class PoolWorker:
        """One worker: the module store and LRU of ``jit.pool.worker``."""

        def __init__(self, cache_dir: str, lru_size: int) -> None:
            from .worker import _Modules

            self.modules = _Modules(cache_dir, lru_size)

        def handle(self, batch: list[tuple[Any, ...]]) -> list[tuple[int, bool, Any]]:
            from .worker import handle, sendable

            return sendable(handle(self.modules, batch))

        def pid(self) -> int:
            return os.getpid()

    return PoolWorker


_ACTOR: Any = None


class RayConn:
    """The ``send`` side of a worker slot, for an actor: each batch is one actor task."""

    def __init__(self, pool: Any, slot: Any, cache_dir: str, lru_size: int) -> None:
        global _ACTOR
        if _ACTOR is None:
            _ACTOR = _actor_class()
        self.pool = pool
        self.slot = slot
        self.actor = _ACTOR.remote(cache_dir, lru_size)
        self._pid = self.actor.pid.remote()     # first in the actor's queue: never behind a long call

    def send(self, batch: list[tuple[Any, ...]] | None) -> None:
        if batch is None:
            return
        fut = self.actor.handle.remote(batch).future()
        fut.add_done_callback(self._done)

    def _done(self, fut: Future[Any]) -> None:
        exc = fut.exception()
        if exc is None:
            self.pool._resolve(self.slot, fut.result())
        else:
            self.pool._actor_lost(self.slot, self, exc)

    def pid(self) -> int:
        return int(ray.get(self._pid))

    def close(self) -> None:
        ray.kill(self.actor, no_restart=True)


def start(pool: Any, slot: Any, cache_dir: str, lru_size: int) -> RayConn:
    """A new actor for ``slot`` (Ray initialized on first use)."""
    if ray is None:
        raise Error('backend="ray" needs the ray package: pip install "wxjit[ray]"')
    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    return RayConn(pool, slot, cache_dir, lru_size)
