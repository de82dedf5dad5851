"""``run_command``: run a WASI command module (instantiate, bind WASI, call ``_start``) -> exit code.

The module may be a ``jit.Module``, Wasm bytes, or a path. Exit code: 0 when ``_start`` returns,
the ``proc_exit`` code otherwise (also when the start function or ``_start`` of a nested call
exits). Traps raise ``jit.Trap`` and other failures ``jit.Error`` (after output is flushed and
files the guest opened are closed); the caller decides how to report them.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import Error
from .host import Wasi, WasiConfig, WasiExit


def load_module(module: Any) -> Any:
    """A ``jit.Module`` from a Module, bytes-like Wasm, or a file path."""
    from ..pipeline import Module

    if isinstance(module, Module):
        return module
    if isinstance(module, (bytes, bytearray, memoryview)):
        return Module(module)
    if isinstance(module, (str, os.PathLike)):
        try:
            return Module.from_file(module)
        except OSError as exc:
            raise Error(f"cannot read {os.fspath(module)!r}: {exc.strerror}") from None
    raise Error(f"run_command needs a jit.Module, Wasm bytes or a path, got {type(module).__name__}")


def run_command(module: Any, config: WasiConfig | None = None, *, args: Iterable[str] | None = None,
                env: Mapping[str, str] | None = None, dirs: Iterable[tuple[str, str]] = (),
                stdin: Any = None, stdout: Any = None, stderr: Any = None, limits: Any = None,
                entry: str = "_start") -> int:
    """Run ``module``'s ``_start`` under WASI and return its exit code.

    Either pass a ``WasiConfig`` or the pieces: ``args`` (argv; default: the file name or "main"),
    ``env``, ``dirs`` as (host, guest) pairs, stdio targets. ``limits``: a ``jit.Limits``.
    """
    from ..runtime.instance import Instance

    if config is None:
        argv = list(args) if args is not None else [
            os.path.basename(os.fspath(module)) if isinstance(module, (str, os.PathLike)) else "main"]
        config = WasiConfig.from_dirs(dirs, args=argv, env=dict(env or {}), stdin=stdin, stdout=stdout,
                                      stderr=stderr)
    mod = load_module(module)
    wasi = Wasi(config)
    try:
        instance = Instance(mod, wasi.imports(), limits)
        wasi.bind(instance)
        start = instance.exports.get(entry)
        if start is None:
            raise Error(f"the module exports no {entry!r} function: not a WASI command")
        start()
        return 0
    except WasiExit as exc:
        return exc.code
    finally:
        wasi.close()
