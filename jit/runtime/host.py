"""Host calls: the one ``@ffi.def_extern`` dispatcher compiled code reaches through ``wx_host_call``.

Compiled code calls an imported Python function through its host-call stub → ``wx_host_call`` →
``wx_py_host_call`` (cffi API-mode ``extern "Python+C"``; no ``ffi.callback``, so no writable and
executable page). The dispatcher finds the instance by the id in its vmctx and runs the import's
adapter, which converts the argument slots, calls the Python function and writes the results back.
If it raises, the exception object is kept in thread-local state and -1 is returned; the native
side then unwinds to the innermost entry with the "host exception" code and the Python wrapper of
that call re-raises the very same object (traceback kept). Also installs the signal handlers on
demand (never at import time).
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from ..abi.vmctx import VMCTX_HOST_FAST, VMCTX_INSTANCE_ID
from ..errors import Error, WasmException
from ..native import ffi, lib
from ..wasm.types import FUNCREF, FuncType
from .values import FROM_BITS, FUNCREFS, TO_BITS

# instance id -> list of adapters (one per imported function index; None for Wasm imports)
_dispatch: dict[int, list[Callable[[Any], None] | None]] = {}
_pending = threading.local()
_ID_SLOT = VMCTX_INSTANCE_ID // 8


def _on_error(exc_type: type, exc: BaseException | None, tb: Any) -> int:
    # Only reached when the dispatcher itself failed (e.g. unknown instance id).
    _pending.exc = exc if exc is not None else Error("host call failed")
    return -1


@ffi.def_extern(name="wx_py_host_call", error=-1, onerror=_on_error)
def _host_call(vmctx: Any, index: int, slots: Any) -> int:
    try:
        _dispatch[ffi.cast("uint64_t *", vmctx)[_ID_SLOT]][index](slots)
        return 0
    except WasmException as exc:      # thrown into the calling Wasm frames (native/unwind.c)
        try:
            held_by = getattr(_dispatch[ffi.cast("uint64_t *", vmctx)[_ID_SLOT]][index], "held_by", None)
            holder = held_by() if held_by is not None else None
            if holder is not None:     # functions in the payload live as long as the jit.Func
                for value in exc.payload:
                    FUNCREFS.hand_to(holder, value)
            from .exceptions import throw_from_host
            throw_from_host(exc)
            return -2
        except BaseException as bad:  # noqa: B036 - e.g. a payload that does not fit the tag
            _pending.exc = bad
            return -1
    except BaseException as exc:  # noqa: B036 - every exception must cross back to the caller
        _pending.exc = exc
        return -1


def _handing(holder: Any, conv: Callable[[Any], int]) -> Callable[[Any], int]:
    hand_to, held_by = FUNCREFS.hand_to, weakref.ref(holder)     # (the Func holds this adapter)

    def to_bits(value: Any) -> int:
        h = held_by()
        if h is not None:
            hand_to(h, value)
        return conv(value)
    return to_bits


_fast_tables: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_FAST_SLOT = VMCTX_HOST_FAST // 8


def install_fast(state: Any, funcs: list[Any]) -> None:
    """Give ``state``'s vmctx the table of its imported functions answered in C: a ``Func`` with a
    ``fast`` = (handler address, context address) attribute (e.g. jit.wasi.native.FastFunc), by
    function import index. ``wx_host_call`` tries the handler before Python (it may decline)."""
    entries = [(i, f.fast) for i, f in enumerate(funcs) if getattr(f, "fast", None) is not None]
    if not entries:
        return
    table = ffi.new("uint64_t[]", 2 * len(funcs))
    for i, (handler, ctx) in entries:
        table[2 * i] = handler
        table[2 * i + 1] = ctx
    _fast_tables[state] = table          # as long as the instance (the contexts live in the funcs)
    state.vm[_FAST_SLOT] = int(ffi.cast("uintptr_t", table))


def take_pending() -> BaseException:
    """The exception a host function raised on this thread (cleared)."""
    exc = getattr(_pending, "exc", None)
    _pending.exc = None
    return exc if exc is not None else Error("host call failed without an exception")


def register(instance_id: int, adapters: list[Callable[[Any], None] | None]) -> None:
    _dispatch[instance_id] = adapters


def unregister(instance_id: int) -> None:
    _dispatch.pop(instance_id, None)


_ensure = lib.wx_ensure_signal_handlers


def ensure_signal_handlers() -> None:
    """Install our fault handlers, or put them back in front (e.g. after faulthandler.enable())."""
    if _ensure() < 0:
        raise Error("cannot install the wxjit signal handlers (sigaction failed)")


def make_adapter(fn: Callable[..., Any], ftype: FuncType, where: str,
                 holder: Any = None) -> Callable[[Any], None]:
    """The slot-level adapter calling Python ``fn`` with signature ``ftype``. A function ``fn`` returns
    keeps its instance alive as long as ``holder`` (the ``jit.Func``, which its importers keep)."""
    try:
        from_bits = [FROM_BITS[t] for t in ftype.params]
        to_bits = [TO_BITS[t] for t in ftype.results]
    except KeyError:
        raise Error(f"{where}: signature {ftype} cannot cross the Python boundary yet") from None
    if holder is not None:
        to_bits = [_handing(holder, conv) if t == FUNCREF else conv
                   for t, conv in zip(ftype.results, to_bits, strict=True)]
    n_params = len(from_bits)
    n_results = len(to_bits)

    if n_results == 0:
        def adapter(slots: Any) -> None:
            fn(*[from_bits[i](slots[i]) for i in range(n_params)])
    elif n_results == 1:
        conv = to_bits[0]

        def adapter(slots: Any) -> None:
            slots[0] = conv(fn(*[from_bits[i](slots[i]) for i in range(n_params)]))
    else:
        def adapter(slots: Any) -> None:
            results = fn(*[from_bits[i](slots[i]) for i in range(n_params)])
            try:
                values = tuple(results)
            except TypeError:
                values = ()
            if len(values) != n_results:
                raise Error(f"{where}: host function returned {results!r}, expected {n_results} results")
            for i in range(n_results):
                slots[i] = to_bits[i](values[i])
    if holder is not None:
        adapter.held_by = weakref.ref(holder)      # type: ignore[attr-defined]  (see _host_call)
    return adapter
