"""WASI hot calls answered by the C runtime (``native/wasi_fast.c``) instead of Python.

``clock_time_get``, ``clock_res_get``, ``random_get``, ``sched_yield``, ``args_sizes_get``/``args_get`` and
``environ_sizes_get``/``environ_get`` of a ``Wasi`` are ``FastFunc`` imports: ordinary ``jit.Func``\\ s
(their Python implementation in ``jit.wasi.host`` stays the reference, used by direct calls) that
also carry a C handler and the ``wx_wasi_ctx`` it reads. An instance importing them gets a table of
those handlers (``jit.runtime.host.install_fast``), which ``wx_host_call`` tries before Python.

Guarantees: a handler gives the same result as the Python function for every input (same clocks,
errno values from ``jit.wasi.abi``, EFAULT for anything outside the bound memory's current length,
the same writes in the same order); when it cannot (no bound memory, an argument or variable with a
NUL byte inside, an unexpected host error) it declines and Python answers. These calls never block.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..native import ffi, lib
from ..runtime.externs import Func
from . import abi

FAST_FUNCTIONS = ("clock_time_get", "clock_res_get", "random_get", "sched_yield",
                  "args_sizes_get", "args_get", "environ_sizes_get", "environ_get")
"""Handler ids in native/wasi_fast.c, in order."""
FAST_ID = {name: i for i, name in enumerate(FAST_FUNCTIONS)}
ENABLED = True
"""False: every WASI call goes through Python (tests compare the two paths)."""


class FastFunc(Func):
    """A host function with a C handler: ``fast`` = (handler address, context address)."""

    __slots__ = ("fast", "_keep")

    def __init__(self, fn: Callable[..., Any], params: Iterable[str | int], results: Iterable[str | int],
                 handler: int, ctx: Any) -> None:
        super().__init__(fn, params=params, results=results)
        self.fast = (handler, int(ffi.cast("uintptr_t", ctx)))
        self._keep = ctx


def _blob(items: list[bytes]) -> tuple[Any, int, int]:
    """(buffer of the strings with their NULs or NULL when one holds a NUL, count, total bytes)."""
    data = b"".join(item + b"\0" for item in items)
    if any(b"\0" in item for item in items):
        return ffi.NULL, len(items), len(data)
    return ffi.new("uint8_t[]", data or b"\0"), len(items), len(data)


class FastContext:
    """The ``wx_wasi_ctx`` of one ``Wasi``: its args and environment, and its bound memory."""

    def __init__(self, args: list[bytes], env: list[bytes]) -> None:
        self.ctx = ctx = ffi.new("wx_wasi_ctx *")
        self._args, ctx.argc, ctx.args_size = _blob(args)
        self._env, ctx.envc, ctx.env_size = _blob(env)
        ctx.args = self._args
        ctx.env = self._env
        ctx.errno_fault = abi.EFAULT
        ctx.errno_inval = abi.EINVAL
        ctx.memory = ffi.NULL

    def bind(self, memory: Any) -> None:
        """The memory the handlers use: a ``jit.Memory`` (or none: Python answers)."""
        lm = getattr(memory, "_lm", None)
        address = getattr(lm, "address", None)
        self.ctx.memory = ffi.cast("void *", address) if address else ffi.NULL

    def func(self, name: str, impl: Callable[..., Any], params: Iterable[str | int],
             results: Iterable[str | int]) -> Func:
        """The import for ``name``: a ``FastFunc`` when it has a C handler, else a plain ``Func``."""
        fid = FAST_ID.get(name)
        if fid is None or not ENABLED:
            return Func(impl, params=params, results=results)
        return FastFunc(impl, params, results, lib.wx_wasi_fast_handler(fid), self.ctx)
