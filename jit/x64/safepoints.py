"""Stack maps of the single-pass compiler: the traced reference words of a frame at each safepoint.

``SafepointRecorder.record_safepoint()`` is called right after every call instruction that may
collect (Wasm calls, host calls, runtime helpers); the return address is the key. It costs no code:
at a call every operand-stack entry below the arguments is a constant or in its canonical slot
(``spill_all``), reference locals are never pinned (``choose_pinned_locals`` pins numbers only) and
live in their memory homes, so the map is the list of those homes and slots that hold an
``any``/``extern``-hierarchy reference or an exnref (``jit.wasm.types.is_collected``; format and
guarantees: ``jit.abi.stackmaps``, docs/gc.md). ``throw`` and ``throw_ref`` are safepoints too: the
runtime may collect there before it unwinds (docs/exceptions.md).
Outgoing arguments are not listed: they are the callee's parameters and its own maps list them.
"""
from __future__ import annotations

from ..wasm.types import F32, F64, I32, I64, V128
from ..wasm.types import is_collected as traced
from .stack import SLOT

_NUMBERS = frozenset((I32, I64, F32, F64, V128))
"""Value types that are never traced."""


class SafepointRecorder:
    """Mixin of ``FunctionCompiler``: ``record_safepoint`` appends (return offset, frame words) to
    ``mc.safepoints``."""

    def safepoint_setup(self) -> None:
        """Once per function: the frame words of its reference locals (params and declared locals;
        the hidden locals of ``if`` parameters are copies of operand-stack values, which are listed
        where they live)."""
        types = self.module.types
        cache = self.mc.__dict__.setdefault("_traced_types", {})
        self._traced = cache
        if _NUMBERS.issuperset(self.local_types):       # the common case: no reference local at all
            self._ref_local_words = ()
            return
        words = []
        for i in range(self.num_declared):
            t = self.local_types[i]
            is_traced = cache.get(t)
            if is_traced is None:
                is_traced = cache[t] = traced(t, types)
            if is_traced:
                words.append(self.frame.local_mems[i].disp >> 3)
        self._ref_local_words = tuple(words)

    def record_safepoint(self) -> None:
        """The map of the call that just ended at the current offset (spilled stack + ref locals)."""
        cache = self._traced
        words = None
        stack = self.stack
        position_mem = self.frame.position_mem
        for pos in range(len(stack)):
            v = stack[pos]
            if v.kind != SLOT:
                continue
            is_traced = cache.get(v.ty)
            if is_traced is None:
                is_traced = cache[v.ty] = traced(v.ty, self.module.types)
            if is_traced:
                if words is None:
                    words = list(self._ref_local_words)
                words.append(position_mem(pos).disp >> 3)
        if words is None:
            if not self._ref_local_words:
                return
            words = self._ref_local_words
        self.mc.safepoints.append((len(self.asm.code), tuple(sorted(words))))
