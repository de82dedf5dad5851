"""Test support: a guest instance whose WASI imports count the calls that reached Python, so tests
can tell the C fast path (``jit.wasi.native``) from the Python one."""
from __future__ import annotations

from collections.abc import Iterable

import jit
from jit.runtime import host
from jit.wasi import Wasi, WasiConfig, abi
from jit.wasi import native as wasi_native


class CountingGuest:
    """An instance of ``module`` with its own ``Wasi(config)`` (C fast path on or off by ``native``);
    ``python_calls`` counts the calls of ``counted`` that reached Python."""

    def __init__(self, module: jit.Module, native: bool, config: WasiConfig, counted: Iterable[str]) -> None:
        saved = wasi_native.ENABLED
        wasi_native.ENABLED = native
        try:
            self.wasi = Wasi(config)
            funcs = self.wasi.imports()[abi.MODULE]
        finally:
            wasi_native.ENABLED = saved
        self.python_calls = 0
        for name in counted:
            f = funcs[name]
            inner = host.make_adapter(f.callable, f.type, name)

            def counting(slots, inner=inner) -> None:
                self.python_calls += 1
                inner(slots)
            f._adapter = counting
        self.inst = jit.Instance(module, {abi.MODULE: funcs})
        self.wasi.bind(self.inst)
        self.mem = self.inst.exports["memory"]
