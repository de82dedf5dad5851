"""Trap reporting: native trap codes and pcs → ``jit.Trap`` with kind, function, Wasm offset, backtrace.

Every loaded module registers its code range here (and with the native signal handler, which only
turns faults at registered pcs into traps). After a call returns a nonzero code, ``trap_from_code``
reads the pc and return addresses the native side captured at the trap (innermost first) and maps
each to (function index, function name, Wasm offset) of the module that contains it.
"""
from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from typing import Any

from ..errors import Error, Trap
from ..native import ffi, lib
from .vmctx import TRAP_CODE, TRAP_KINDS

HOST_EXCEPTION = TRAP_CODE["host exception"]
MAX_FRAMES = 64

_lock = threading.Lock()
_starts: list[int] = []
# (start, end, compiled module, native handle, function index -> name or None)
_ranges: list[tuple[int, int, Any, int, Callable[[int], str | None]]] = []
_tls = threading.local()


def _no_name(funcidx: int) -> str | None:
    return None


def register_code(start: int, end: int, compiled: Any,
                  names: Callable[[int], str | None] = _no_name) -> int:
    """Make [start, end) known as compiled code of ``compiled`` (a CompiledModule); returns a handle.
    ``names`` gives function names (name section / export) when the compiled module has none."""
    handle = lib.wx_register_code(start, end)
    if handle < 0:
        raise Error("too many loaded modules: the native code range table is full")
    with _lock:
        i = bisect.bisect_left(_starts, start)
        _starts.insert(i, start)
        _ranges.insert(i, (start, end, compiled, handle, names))
    return handle


def unregister_code(start: int, *, blocking: bool = True) -> bool:
    """Forget the code range at ``start`` (no-op if unknown). ``blocking=False``: return False
    instead of waiting when the registry is locked (finalizers may run inside its critical section)."""
    if not _lock.acquire(blocking):
        return False
    try:
        i = bisect.bisect_left(_starts, start)
        if i < len(_starts) and _starts[i] == start:
            handle = _ranges[i][3]
            del _starts[i]
            del _ranges[i]
            lib.wx_unregister_code(handle)
        return True
    finally:
        _lock.release()


def lookup(pc: int) -> tuple[Any, int, Callable[[int], str | None]] | None:
    """(compiled module, code offset, names) of an address inside registered code, else None."""
    i = bisect.bisect_right(_starts, pc) - 1
    if i >= 0:
        start, end, compiled, _, names = _ranges[i]
        if pc < end:
            return compiled, pc - start, names
    return None


def _frame(pc: int) -> tuple[int | None, str | None, int | None]:
    found = lookup(pc)
    if found is None:
        return None, None, None
    compiled, offset, names = found
    func = compiled.func_at_pc(offset)
    if func is None:
        return None, None, None
    name = compiled.func_names.get(func) or names(func)
    return func, name, compiled.wasm_offset_at(offset)


def _buffer() -> Any:
    buf = getattr(_tls, "buf", None)
    if buf is None:
        buf = _tls.buf = ffi.new("uint64_t[]", MAX_FRAMES)
    return buf


def trap_from_code(code: int) -> BaseException:
    """The exception for a nonzero return code of ``wx_call`` on this thread."""
    if code == HOST_EXCEPTION:
        from .host import take_pending
        return take_pending()
    kind = TRAP_KINDS[code] if 0 < code < len(TRAP_KINDS) else f"unknown trap {code}"
    buf = _buffer()
    n = lib.wx_last_backtrace(buf, MAX_FRAMES)
    backtrace = [_frame(int(buf[i])) for i in range(n)]
    func, name, offset = backtrace[0] if backtrace else (None, None, None)
    return Trap(kind, func, name, offset, [f for f in backtrace if f[0] is not None])
