"""Blocking WASI calls that a deadline or ``Instance.interrupt()`` can end: ``Blocker``.

A WASI host function that waits (``poll_oneoff`` sleeping or watching descriptors, ``fd_read`` on a
pipe or terminal) runs outside compiled code, so the interrupt flag the watchdog and ``interrupt()``
set is never checked by the guest while it waits. ``Wasi.bind(instance)`` gives the guest a
``Blocker`` of that instance, and every wait goes through it:

* sleeps wait on ``jit.runtime.watchdog.INTERRUPTS``, which every interrupt notifies (an immediate
  wake); waits on descriptors use ``poll`` in slices of ``SLICE`` seconds and check in between;
* when the instance's interrupt is pending, the wait consumes it (as the native entry does for a
  call it stops) and raises ``jit.Trap("interrupted")``: a guest blocked in a host call ends with
  the same trap as a spinning one, for ``interrupt()`` and ``Limits(timeout=...)`` alike.

A Wasi bound to a bare memory (or not bound) gets ``UNBOUND``: the same waits, never interrupted.
"""
from __future__ import annotations

import fcntl
import math
import select
import termios
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Trap
from ..runtime.watchdog import INTERRUPTS
from . import abi

SLICE = 0.05          # seconds between interrupt checks while poll() waits on descriptors
_SLEEP_SLICE = 0.5    # a sleep re-checks even without a notification (robustness only)
READ = select.POLLIN | select.POLLPRI
WRITE = select.POLLOUT
DONE = select.POLLHUP | select.POLLERR | select.POLLNVAL    # ready for reads and writes alike


class Blocker:
    """The waits of one WASI guest. ``state``: the bound instance's state, or None (never interrupted)."""

    __slots__ = ("_state",)

    def __init__(self, state: Any = None) -> None:
        self._state: Callable[[], Any] | None = weakref.ref(state) if state is not None else None

    @classmethod
    def of(cls, target: Any) -> Blocker:
        """The blocker of what ``Wasi.bind`` received: a ``jit.Instance`` or anything else (UNBOUND)."""
        state = getattr(target, "_state", None)
        if state is None or not hasattr(state, "interrupt_pending"):
            return UNBOUND
        return cls(state)

    def pending(self) -> bool:
        """Whether the instance's group has an interrupt (or a passed deadline) waiting."""
        state = self._state() if self._state is not None else None
        return state is not None and state.interrupt_pending()

    def check(self) -> None:
        """Raise ``jit.Trap("interrupted")`` (consuming the interrupt) if one is pending."""
        if self.pending():
            state = self._state() if self._state is not None else None
            if state is not None:
                state.clear_interrupt()
            raise Trap("interrupted")

    def sleep_until(self, until_ns: int) -> None:
        """Sleep until ``time.monotonic_ns()`` reaches ``until_ns``, or trap at an interrupt."""
        with INTERRUPTS:
            while True:
                self.check()
                remaining = (until_ns - time.monotonic_ns()) / 1e9
                if remaining <= 0:
                    return
                INTERRUPTS.wait(min(remaining, _SLEEP_SLICE))

    def wait(self, polls: Mapping[int, int], until_ns: int | None = None) -> dict[int, int]:
        """Wait until one of ``polls`` (fd -> poll events) is ready or ``until_ns`` (monotonic) passes;
        returns {fd: revents} of the ready ones (empty at the deadline). Traps at an interrupt."""
        if not polls:
            if until_ns is None:
                raise ValueError("a wait needs descriptors or a deadline")
            self.sleep_until(until_ns)
            return {}
        poller = select.poll()
        for fd, events in polls.items():
            poller.register(fd, events)
        interruptible = self._state is not None
        while True:
            self.check()
            timeout = SLICE if interruptible else None
            if until_ns is not None:
                remaining = max(0.0, (until_ns - time.monotonic_ns()) / 1e9)
                timeout = remaining if timeout is None else min(timeout, remaining)
            ready = poller.poll(None if timeout is None else math.ceil(timeout * 1000))
            if ready:
                return dict(ready)
            if until_ns is not None and time.monotonic_ns() >= until_ns:
                return {}

    def wait_readable(self, fd: int) -> None:
        """Block until ``fd`` has input, end of input or an error (then a read will not block)."""
        self.wait({fd: READ})

    def wait_writable(self, fd: int) -> None:
        """Block until ``fd`` accepts output (after a write to a non-blocking fd raised EAGAIN)."""
        self.wait({fd: WRITE})


UNBOUND = Blocker()


def poll_target(entry: Any) -> int:
    """The OS descriptor ``poll_oneoff`` waits on for a WASI descriptor entry (``jit.wasi.host._Fd``),
    or -1 when it is always ready: files, directories, in-memory streams."""
    if entry.filetype in (abi.FILETYPE_REGULAR_FILE, abi.FILETYPE_DIRECTORY):
        return -1
    if entry.os_fd is not None:
        return int(entry.os_fd)
    stream = entry.stream
    return -1 if stream is None or stream.fd is None else int(stream.fd)


def readable_bytes(fd: int) -> int:
    """Bytes waiting to be read on a pipe, terminal or socket (0 when the host cannot tell)."""
    try:
        buf = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    return int.from_bytes(buf, "little")
