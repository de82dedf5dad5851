"""The worker process of ``jit.Pool``: runs invocations in fresh instances of cached modules.

Protocol (one duplex pipe per worker; every message is a list, a batch):

- parent -> worker: ``("m", sha256, wasm)`` (module bytes, sent once per worker),
  ``("i", id, sha256, export, args, limits)`` (invoke), ``("b", id, sha256, export, packed, limits)``
  (a chunk of invocations of one export, ``Pool.map``; ``packed``: ``jit.pool.wire.pack_args``),
  ``("r", id, sha256, argv, env, stdin, limits)`` (WASI command), or ``None`` alone (exit);
- worker -> parent: ``[(id, ok, value), ...]`` for a whole batch; ``value`` is the result (for a chunk:
  ``jit.pool.wire.pack_results``), or the exception the call raised (``jit.Trap`` keeps its kind and
  backtrace, see ``_reduce_trap``; a ``jit.WasmException``'s tag becomes a ``RemoteTag``).

Modules are compiled once per pool through the shared on-disk ``jit.Cache`` (compilation of one
module is serialized across workers by a file lock) and kept loaded in a per-worker LRU.
"""
from __future__ import annotations

import copyreg
import fcntl
import io
import os
import pickle
import signal
from collections import OrderedDict
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..errors import Error, Trap, WasmException
from ..wasm.types import valtype_name
from .wire import pack_results, unpack_args


@dataclass(frozen=True)
class CommandResult:
    """What a WASI command run by ``Pool.run`` produced."""

    exit_code: int
    stdout: bytes
    stderr: bytes


def _rebuild_trap(kind: str, func_index: int | None, func_name: str | None, wasm_offset: int | None,
                  backtrace: list[tuple[int, str | None, int | None]], extra: dict[str, Any]) -> Trap:
    trap = Trap(kind, func_index, func_name, wasm_offset, backtrace)
    trap.__dict__.update(extra)
    return trap


def _reduce_trap(trap: Trap) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a Trap through its constructor (the default would rebuild it from its message)."""
    return _rebuild_trap, (trap.kind, trap.func_index, trap.func_name, trap.wasm_offset,
                           trap.backtrace, dict(trap.__dict__))


copyreg.pickle(Trap, _reduce_trap)


@dataclass(frozen=True)
class RemoteTag:
    """The tag of a ``jit.WasmException`` that came back from a pool worker (tags live in one process).

    ``module``: the SHA-256 of the module that defines the tag (``None`` when unknown, e.g. from a WASI
    command); ``index``: the tag's index in that module's tag index space; ``export``: a name the
    module exports it under (or ``None``); ``params``: the payload's value types. Two exceptions of
    the same tag of the same module have equal ``RemoteTag``s."""

    module: str | None
    index: int | None
    export: str | None
    params: tuple[str, ...]


def _rebuild_wasm_exception(tag: Any, payload: tuple[Any, ...],
                            backtrace: list[tuple[int, str | None, int | None]]) -> WasmException:
    exc = WasmException(tag, payload)
    exc.backtrace = backtrace
    return exc


def _reduce_wasm_exception(exc: WasmException) -> tuple[Any, tuple[Any, ...]]:
    return _rebuild_wasm_exception, (exc.tag, exc.payload, exc.backtrace)


copyreg.pickle(WasmException, _reduce_wasm_exception)


def remote_exception(exc: WasmException, digest: str | None, instance: Any) -> WasmException:
    """``exc`` with its ``jit.Tag`` replaced by the ``RemoteTag`` naming it in module ``digest``."""
    if isinstance(exc.tag, RemoteTag):
        return exc
    tag = exc.tag
    index = export = None
    state = getattr(instance, "_state", None)
    if state is not None:
        index = next((k for k, t in enumerate(state.tags) if t == tag), None)
        export = next((name for name, (kind, i) in state.plan.export_index.items()
                       if kind == "tag" and i == index), None)
    params = tuple(valtype_name(t) for t in getattr(getattr(tag, "type", None), "params", ()))
    module = digest if index is not None else None
    remote = WasmException(RemoteTag(module, index, export, params), exc.payload)
    remote.backtrace = exc.backtrace
    return remote


def portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a ``jit.Error`` carrying its type name and message."""
    exc.__traceback__ = None
    if isinstance(exc, WasmException) and not isinstance(exc.tag, RemoteTag):
        exc = remote_exception(exc, None, None)
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return Error(f"{type(exc).__name__}: {exc}")


LOCK_FILE = "compile.lock"      # in the cache directory: one byte-range lock per module hash
_LOCK_RANGE = 1 << 30


class _Modules:
    """Module bytes this worker was sent, and the loaded ``jit.Module`` objects (a segmented LRU).

    Loading: the shared cache file if there is one (no lock: files are replaced by rename, never
    rewritten); else, under the module's lock (a byte-range lock of the pool's one ``LOCK_FILE``,
    no file per module), the cache again (another worker may just have stored it), or compile and
    store: one compilation per pool. The loaded modules are a 2Q cache: a module enters a probation
    segment of ``max(4, lru_size // 4)`` entries and moves to the main LRU (``lru_size`` entries)
    when used again; one evicted from probation leaves its key in a list of the last ``lru_size``
    such keys, and a module found there goes straight to the main LRU when it comes back. So a
    stream of modules used once (the never-seen share of the workload) does not evict the modules
    in use, and a set of modules used in turn that is larger than probation still settles in the
    main LRU."""

    def __init__(self, cache_dir: str, lru_size: int) -> None:
        from ..cache import Cache

        self.cache = Cache(cache_dir)
        self.cache_dir = cache_dir
        self.lru_size = lru_size
        self.probation_size = max(4, lru_size // 4)
        self.wasm: dict[str, bytes] = {}
        self.loaded: OrderedDict[tuple[str, bool], Any] = OrderedDict()      # used twice or more
        self.probation: OrderedDict[tuple[str, bool], Any] = OrderedDict()   # used once
        self.ghosts: OrderedDict[tuple[str, bool], None] = OrderedDict()     # keys out of probation
        self._lock_fd = -1

    def get(self, digest: str, fuel: bool) -> Any:
        key = (digest, fuel)
        module = self.loaded.get(key)
        if module is not None:
            self.loaded.move_to_end(key)
            return module
        module = self.probation.pop(key, None)
        if module is not None:            # second use: into the main segment
            self._keep(key, module)
            return module
        wasm = self.wasm.get(digest)
        if wasm is None:
            raise Error(f"worker was not sent module {digest}")
        module = self.cache.load(wasm, fuel=fuel)
        if module is None:
            module = self._compile_once(digest, wasm, fuel)
        if self.ghosts.pop(key, 0) is None:     # back soon after leaving probation: in use
            self._keep(key, module)
            return module
        self.probation[key] = module
        if len(self.probation) > self.probation_size:
            gone, _ = self.probation.popitem(last=False)
            self.ghosts[gone] = None
            if len(self.ghosts) > self.lru_size:
                self.ghosts.popitem(last=False)
        return module

    def _keep(self, key: tuple[str, bool], module: Any) -> None:
        self.loaded[key] = module
        if len(self.loaded) > self.lru_size:
            self.loaded.popitem(last=False)

    def _compile_once(self, digest: str, wasm: bytes, fuel: bool) -> Any:
        """Under the module's lock: the cache file another worker stored meanwhile, or compile and
        store (a store that fails, e.g. a full disk, only costs the other workers a compilation)."""
        from ..pipeline import Module

        if self._lock_fd < 0:
            self._lock_fd = os.open(os.path.join(self.cache_dir, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
        offset = int(digest[:15], 16) % _LOCK_RANGE * 2 + fuel
        fcntl.lockf(self._lock_fd, fcntl.LOCK_EX, 1, offset)
        try:
            module = self.cache.load(wasm, fuel=fuel)
            if module is None:
                self.cache.stats.misses += 1
                module = Module(wasm, fuel=fuel, lazy=False)
                try:
                    self.cache.store(module, wasm, fuel=fuel)
                except OSError:
                    pass
            return module
        finally:
            fcntl.lockf(self._lock_fd, fcntl.LOCK_UN, 1, offset)


def invoke(modules: _Modules, digest: str, export: str, args: tuple[Any, ...], limits: Any) -> Any:
    """Instantiate ``digest`` afresh and call ``export(*args)``."""
    from ..runtime.instance import Instance

    module = modules.get(digest, limits is not None and limits.fuel is not None)
    instance = Instance(module, None, limits)
    try:
        return instance.exports[export](*args)
    except WasmException as exc:
        raise remote_exception(exc, digest, instance) from None


def invoke_chunk(modules: _Modules, digest: str, export: str, packed: Any, limits: Any) -> Any:
    """``invoke`` for every argument tuple of a packed chunk; the packed results (an error of one call
    goes beside the values, the others still run)."""
    from ..runtime.instance import Instance

    module = modules.get(digest, limits is not None and limits.fuel is not None)
    values: list[Any] = []
    errors: dict[int, BaseException] = {}
    for args in unpack_args(packed):
        instance = None
        try:
            instance = Instance(module, None, limits)
            values.append(instance.exports[export](*args))
        except BaseException as exc:      # noqa: BLE001 - every failure goes back to the caller
            if isinstance(exc, WasmException):
                exc = remote_exception(exc, digest, instance)
            errors[len(values)] = portable(exc)
            values.append(None)
    return pack_results(values, errors)


def run(modules: _Modules, digest: str, argv: list[str], env: dict[str, str], stdin: bytes,
        limits: Any) -> CommandResult:
    """Run ``digest`` as a WASI command with captured stdout/stderr."""
    from ..wasi.command import run_command

    module = modules.get(digest, limits is not None and limits.fuel is not None)
    out, err = io.BytesIO(), io.BytesIO()
    code = run_command(module, args=argv, env=env, stdin=io.BytesIO(stdin), stdout=out, stderr=err,
                       limits=limits)
    return CommandResult(code, out.getvalue(), err.getvalue())


def handle(modules: _Modules, batch: list[tuple[Any, ...]]) -> list[tuple[int, bool, Any]]:
    """Run one batch of messages; the results (``(id, ok, value)``) of its calls."""
    out: list[tuple[int, bool, Any]] = []
    for msg in batch:
        kind = msg[0]
        if kind == "m":
            modules.wasm[msg[1]] = msg[2]
            continue
        try:
            if kind == "i":
                value = invoke(modules, msg[2], msg[3], msg[4], msg[5])
            elif kind == "b":
                value = invoke_chunk(modules, msg[2], msg[3], msg[4], msg[5])
            else:
                value = run(modules, msg[2], msg[3], msg[4], msg[5], msg[6])
            out.append((msg[1], True, value))
        except BaseException as exc:      # noqa: BLE001 - every failure goes back to the caller
            out.append((msg[1], False, portable(exc)))
    return out


def sendable(out: list[tuple[int, bool, Any]]) -> list[tuple[int, bool, Any]]:
    """``out`` with every value that cannot be pickled replaced by a ``jit.Error``."""
    return [_checked(item) for item in out]


def main(conn: Connection, cache_dir: str, lru_size: int) -> None:
    """The worker loop: receive a batch, run it, send its results; exit on ``None`` or EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent decides when workers stop
    modules = _Modules(cache_dir, lru_size)
    while True:
        batch = receive(conn)
        if batch is None:
            return
        out = handle(modules, batch)
        if out:
            reply(conn, out)


def receive(conn: Connection) -> list[tuple[Any, ...]] | None:
    """The next batch from the parent; ``None``: exit (asked to, or the parent is gone)."""
    try:
        return pickle.loads(conn.recv_bytes())
    except (EOFError, OSError):
        return None


def reply(conn: Connection, out: list[tuple[int, bool, Any]]) -> None:
    """Send a batch's results (not ``Connection.send``: its ``ForkingPickler`` builds a pickler class
    instance per message); values that cannot be pickled become ``jit.Error``s."""
    try:
        data = pickle.dumps(out, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = pickle.dumps(sendable(out), pickle.HIGHEST_PROTOCOL)
    conn.send_bytes(data)


def _checked(item: tuple[int, bool, Any]) -> tuple[int, bool, Any]:
    try:
        pickle.dumps(item[2])
        return item
    except Exception as exc:
        return item[0], False, Error(f"the result cannot be sent back: {exc}")
