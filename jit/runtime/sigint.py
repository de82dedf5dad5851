"""Ctrl-C stops a running Wasm call: SIGINT interrupts the main thread's call and raises KeyboardInterrupt.

Wasm runs with the GIL released, so Python's SIGINT handler (which runs in the main thread between
bytecodes) cannot run until the call returns by itself. ``install()`` (called when an instance is
created on the main thread; it does nothing unless SIGINT has Python's ``default_int_handler`` and no
wakeup fd is set, e.g. by asyncio) makes the C-level signal handler write to a pipe
(``signal.set_wakeup_fd``) that a daemon thread reads. On SIGINT that thread finds the Wasm functions
the main thread is calling (in its Python frames: ``sys._current_frames()``) and interrupts their
groups, the same mechanism as ``Instance.interrupt()``: the call stops at its next function entry or
loop header. Back in Python, the SIGINT handler installed here clears the interrupt flags it set (so no
later call sees a stale interrupt) and raises KeyboardInterrupt, which replaces the call's "interrupted"
trap (the handler runs as soon as the trap path enters a Python function). Calls on other threads are
not touched. A host function blocked in a system call gets KeyboardInterrupt from Python as usual.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

_lock = threading.Lock()
_installed = False
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_interrupted: list[Any] = []      # InstanceStates interrupted for the pending SIGINT (flags to clear)


def install() -> bool:
    """Route SIGINT to running Wasm calls of the main thread; True when active (idempotent, cheap)."""
    global _installed
    if _installed:
        return True
    if threading.get_ident() != threading.main_thread().ident:
        return False
    with _lock:
        if _installed:
            return True
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return False
        r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            old = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        except ValueError:
            os.close(r)
            os.close(w)
            return False
        if old != -1:                   # somebody else (an event loop) owns the wakeup fd: leave it
            signal.set_wakeup_fd(old)
            os.close(r)
            os.close(w)
            return False
        os.set_blocking(r, True)
        signal.signal(signal.SIGINT, _on_sigint)
        threading.Thread(target=_watch, args=(r,), name="wxjit-sigint", daemon=True).start()
        _installed = True
        return True


# SIGINTs the watcher has read from the wakeup fd, and SIGINTs the Python handler has turned into
# KeyboardInterrupt. When the handler ran first (the main thread was in Python code, not in Wasm), the
# watcher must not interrupt anything: a later call would stop on a Ctrl-C that was already delivered.
_seen = 0
_handled = 0


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler (main thread, after the interrupted call returned or in host code)."""
    global _handled
    with _lock:
        _handled += 1
        states = list(_interrupted)
        _interrupted.clear()
    for st in states:
        st.clear_interrupt()
    raise KeyboardInterrupt


def _watch(fd: int) -> None:
    while True:
        try:
            data = os.read(fd, 512)
        except InterruptedError:
            continue
        except OSError:
            return
        if not data:
            return
        if signal.SIGINT in data:
            _on_wakeup(data.count(signal.SIGINT))


def _on_wakeup(signals: int) -> None:
    """The watcher's side of a SIGINT: interrupt the main thread's calls unless the handler already
    consumed that SIGINT (both sides decide under one lock, so exactly one of them acts)."""
    global _seen
    with _lock:
        _seen += signals
    # The main thread may be between Python and Wasm (its call frame not yet visible, or the native
    # call not yet entered), where neither an interrupt nor the handler can act: try again until the
    # handler has run, i.e. until the SIGINT has become a KeyboardInterrupt.
    deadline = time.monotonic() + 2.0     # the handler runs at the main thread's next bytecode
    while signal.getsignal(signal.SIGINT) is _on_sigint and time.monotonic() < deadline:
        with _lock:
            if _handled >= _seen:
                return
            _interrupt_main_calls_locked()
        time.sleep(0.005)


# (Function, InstanceState) of jit.runtime.instance, which registers them at import (it imports this
# module, so this module does not import it back); no instance exists before that.
class _NoInstances:
    pass


_types: tuple[type, type] = (_NoInstances, _NoInstances)


def register_types(function_type: type, state_type: type) -> None:
    global _types
    _types = (function_type, state_type)


def interrupt_main_calls() -> int:
    """Interrupt every Wasm call in progress on the main thread; returns how many groups."""
    with _lock:
        return _interrupt_main_calls_locked()


def _interrupt_main_calls_locked() -> int:
    function_type, state_type = _types
    frame = sys._current_frames().get(threading.main_thread().ident or 0)
    states: list[Any] = []
    while frame is not None:
        if frame.f_code.co_filename.startswith(_PACKAGE_DIR):      # the callers are wxjit frames
            for value in list(frame.f_locals.values()):
                st = value._state if isinstance(value, function_type) else value
                if isinstance(st, state_type) and all(st is not s for s in states):
                    states.append(st)
        frame = frame.f_back
    _interrupted.extend(states)
    for st in states:
        st.interrupt()
    return len(states)
