"""What the commands share: one error format and reading a module file in any accepted form.

Errors print as one line, ``wxjit <command>: <file>: <reason>``, never a traceback; a failed
run/validation exits with ``FAILED`` (1), a usage error with ``USAGE`` (2).
"""
from __future__ import annotations

import os
import sys
from typing import Any

FAILED = 1
USAGE = 2
CWASM_MAGIC = b"WXJITCW\x00"       # jit.runtime.serialize.MAGIC (not imported: it pulls in the compiler)


class UserError(Exception):
    """A one-line error for the user: ``reason`` about ``file`` (or nothing), and the exit status."""

    def __init__(self, reason: str, file: str | None = None, status: int = FAILED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file = file
        self.status = status


def report(command: str, file: str | os.PathLike[str] | None, reason: object, status: int = FAILED) -> int:
    """Print ``wxjit <command>: <file>: <reason>`` (one line) to stderr and return ``status``."""
    text = " ".join(str(reason).split("\n")[0:1]) or type(reason).__name__
    where = f"{os.fspath(file)}: " if file is not None else ""
    sys.stdout.flush()
    print(f"wxjit {command}: {where}{text}", file=sys.stderr)
    return status


def os_reason(exc: OSError) -> str:
    """``No such file or directory`` rather than ``[Errno 2] No such file or directory: 'x'``."""
    return exc.strerror or str(exc)


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of ``path``, or ``UserError`` saying why not."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        raise UserError("is a directory", os.fspath(path)) from None
    except OSError as exc:
        raise UserError(f"cannot read: {os_reason(exc)}", os.fspath(path)) from None


def is_cwasm(data: bytes) -> bool:
    return data[:len(CWASM_MAGIC)] == CWASM_MAGIC


def wasm_bytes(path: str | os.PathLike[str], data: bytes | None = None) -> bytes:
    """A module file as Wasm binary: ``.wat`` text (or any file starting with ``(``) is assembled."""
    if data is None:
        data = read_file(path)
    if data[:4] == b"\0asm":          # a binary: no need to import the text assembler
        return data
    from ..wat import is_text, wat2wasm
    if is_text(data):
        return wat2wasm(data)
    return data


def load_module(path: str | os.PathLike[str], *, limits: Any = None, fuel: bool = False,
                cache: str | None = None, allow_precompiled: bool = False, jobs: int | None = None,
                lazy: bool | None = None) -> Any:
    """A ``jit.Module`` from a ``.wasm``, ``.wat`` or ``.cwasm`` file (through ``cache`` when given).

    A ``.cwasm`` file is machine code that runs natively; its checksum proves it undamaged, not that we
    made it (anyone can write one), so like wasmtime's ``--allow-precompiled`` it loads only when asked.
    The cache directory is different: its files carry a MAC under the cache's private key.
    ``lazy``: compile each function on its first call (``jit.Module``); a cache compiles eagerly."""
    import jit

    data = read_file(path)
    name = os.path.basename(os.fspath(path))
    if is_cwasm(data):
        if not allow_precompiled:
            raise UserError("a precompiled module (.cwasm) runs its machine code natively: pass "
                            "--allow-precompiled to run a file you trust", os.fspath(path))
        module = jit.Module.deserialize(data, name=name, fuel=True if fuel else None)
        return module
    wasm = wasm_bytes(path, data)
    if cache:
        from ..cache import Cache
        return Cache(cache).module(wasm, fuel=fuel, name=name, limits=limits, jobs=jobs)
    return jit.Module(wasm, name=name, limits=limits, fuel=fuel, jobs=jobs, lazy=lazy)
