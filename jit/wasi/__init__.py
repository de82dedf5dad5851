"""WASI preview1 for wxjit: host functions, a capability sandbox, and ``run_command``.

``run_command(path_or_module, args=[...], env={...}, dirs=[(host, guest)], stdout=io.BytesIO())``
runs a WASI command and returns its exit code; ``WasiConfig`` + ``Wasi`` give the import map for
embedding (``Wasi(config).imports()``, then ``wasi.bind(instance)``). See ``jit.wasi.host``.
"""
from __future__ import annotations

from .abi import ERRNO, SIGNATURES
from .command import load_module, run_command
from .host import Wasi, WasiConfig, WasiExit, parse_dir

__all__ = ["ERRNO", "SIGNATURES", "Wasi", "WasiConfig", "WasiExit", "load_module", "parse_dir", "run_command"]
