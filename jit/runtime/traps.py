"""Trap reporting: native trap codes and pcs → ``jit.Trap`` with kind, function, Wasm offset, backtrace.

Every loaded module's code range is in the native code range table (the signal handler only turns
faults at registered pcs into traps); here each range handle maps to its loaded code. After a call
returns a nonzero code, ``trap_from_code`` reads the pc and return addresses the native side
captured at the trap (innermost first) and maps each to (function index, function name, Wasm
offset) of the module that contains it.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

from ..abi.vmctx import TRAP_CODE, TRAP_KINDS
from ..errors import Trap
from ..native import ffi, lib

HOST_EXCEPTION = TRAP_CODE["host exception"]
UNCAUGHT_EXCEPTION = TRAP_CODE["uncaught exception"]
MAX_FRAMES = 64

# The loaded code of each handle of the native code range table (weak: a module's code leaves the
# table when it dies; a stale entry is replaced when its handle is reused).
_owners: dict[int, Any] = {}
_tls = threading.local()


def register_code(handle: int, loaded: Any) -> None:
    """Make the code ``loaded`` (a LoadedCode: address, size, compiled, names), registered natively
    under ``handle``, known to trap reports."""
    _owners[handle] = weakref.ref(loaded)


def lookup(pc: int) -> tuple[Any, int, Callable[[int], str | None]] | None:
    """(compiled module, code offset, names) of an address inside registered code, else None."""
    ref = _owners.get(lib.wx_code_range_at(pc))
    loaded = ref() if ref is not None else None
    if loaded is None or not loaded.address <= pc < loaded.address + loaded.size:
        return None
    return loaded.compiled, pc - loaded.address, loaded.names


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
    if code == UNCAUGHT_EXCEPTION:        # not a trap: the Wasm exception, with where it was thrown
        from .exceptions import take_uncaught
        exc = take_uncaught()
        exc.backtrace = [f for f in backtrace if f[0] is not None]
        return exc
    func, name, offset = backtrace[0] if backtrace else (None, None, None)
    return Trap(kind, func, name, offset, [f for f in backtrace if f[0] is not None])
