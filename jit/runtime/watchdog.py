"""The deadline watchdog: one daemon thread and a heap of deadlines for ``jit.Limits(timeout=...)``.

A call from the host on an instance with a timeout arms a deadline (``arm``) and disarms it when the
call returns (``disarm``). At a deadline the watchdog interrupts the instance's group (sets the
interrupt flag of its vmctx, which compiled code checks at every function entry and loop header), so
the running call traps with kind "interrupted". Guarantees:

- no thread and no cost at all until the first timed call; then one thread for the process, not one
  timer per call; calls without a timeout never touch it;
- a deadline that fires after its call has returned does nothing (disarm and fire are serialized by
  one lock), and if it fired while the call was finishing without reaching a check, ``disarm`` clears
  the flag so that the next call is not interrupted by a stale deadline.

Host functions that block (WASI sleeps and reads, ``jit.wasi.blocking``) cannot see the flag while
they wait: every interrupt (a deadline or ``Instance.interrupt()``) also notifies ``INTERRUPTS``, and
a waiter woken by it checks the flag of its own instance.
"""
from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Any


class _Deadline:
    __slots__ = ("when", "state", "active", "fired")

    def __init__(self, when: float, state: Any) -> None:
        self.when = when
        self.state = state
        self.active = True
        self.fired = False


class Watchdog:
    """A deadline heap served by one lazily started daemon thread (see the module docstring)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self.fired = 0   # deadlines that interrupted a call (for tests and statistics)

    def arm(self, state: Any, timeout: float) -> _Deadline:
        """Interrupt ``state``'s group ``timeout`` seconds from now unless disarmed first."""
        d = _Deadline(time.monotonic() + timeout, state)
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wxjit-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._heap, (d.when, next(self._seq), d))
            if self._heap[0][2] is d:
                self._cond.notify()
        return d

    def disarm(self, d: _Deadline) -> None:
        with self._cond:
            d.active = False
            if d.fired:
                d.state.clear_interrupt()
            d.state = None

    def _run(self) -> None:
        heap = self._heap
        with self._cond:
            while True:
                while heap and not heap[0][2].active:
                    heapq.heappop(heap)
                if not heap:
                    self._cond.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                d = heapq.heappop(heap)[2]
                d.fired = True
                self.fired += 1
                d.state.interrupt()


WATCHDOG = Watchdog()

INTERRUPTS = threading.Condition()   # an RLock: an interrupt() from a signal handler may re-enter
"""Notified after every interrupt, so that host functions waiting on it wake up and check theirs."""


def notify_interrupt() -> None:
    """Wake every host function waiting on ``INTERRUPTS`` (called after an interrupt flag is set)."""
    with INTERRUPTS:
        INTERRUPTS.notify_all()
