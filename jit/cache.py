"""``jit.Cache``: an on-disk cache of compiled modules (``.cwasm`` files, ``jit.runtime.serialize``).

    cache = jit.Cache("~/.cache/wxjit")
    module = cache.module(wasm_bytes)            # compiled once, then loaded from disk

A file's name is its key: the SHA-256 of the Wasm bytes, the compiler version (a hash of the
compiler's sources), the CPU features the code may use and the fuel flag. A cached file is checked
before use (format version, lengths, checksum, compiler, CPU, Wasm hash, fuel flag); one that fails
any check is reported in ``stats.rejected`` / ``last_error``, recompiled and replaced, never run.
Files are written atomically (temporary file + rename), so concurrent processes sharing a directory
see either no file or a whole one. The directory must be writable only by trusted users: the
checksum detects corruption, not a forger.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Error
from .runtime.module import Module
from .runtime.serialize import compiler_version, cpu_features

SUFFIX = ".cwasm"


@dataclass
class CacheStats:
    """Counters of one ``Cache`` object."""

    hits: int = 0
    misses: int = 0
    rejected: int = 0      # files that failed a check (then recompiled and replaced)
    stored: int = 0


class Cache:
    """Compiled modules on disk, keyed by Wasm hash + compiler version + CPU features + fuel flag."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory).expanduser()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Error(f"cannot create the cache directory {self.directory}: {exc.strerror}") from None
        self._dir_str = str(self.directory)
        self.stats = CacheStats()
        self.last_error: Error | None = None

    def key(self, wasm: bytes, *, fuel: bool = False) -> str:
        """The cache key (file stem) of ``wasm`` compiled by this wxjit on this CPU."""
        digest = hashlib.sha256(wasm).hexdigest()
        return hashlib.sha256(f"{digest}|{_identity()}|fuel={int(fuel)}".encode()).hexdigest()

    def path(self, wasm: bytes, *, fuel: bool = False) -> Path:
        return self.directory / (self.key(wasm, fuel=fuel) + SUFFIX)

    def _path_str(self, wasm: bytes, fuel: bool) -> str:
        return f"{self._dir_str}/{self.key(wasm, fuel=fuel)}{SUFFIX}"

    def load(self, wasm: bytes, *, fuel: bool = False, name: str | None = None) -> Any | None:
        """The cached module of ``wasm``, or None (missing, or rejected: see ``last_error``)."""
        path = self._path_str(wasm, fuel)
        try:
            data = _read(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.last_error = Error(f"cannot read {path}: {exc.strerror}")
            self.stats.rejected += 1
            return None
        try:
            digest = hashlib.sha256(wasm).hexdigest()
            return Module.deserialize(data, name=name, wasm_sha256=digest, fuel=fuel)
        except Error as exc:
            self.last_error = Error(f"{os.path.basename(path)}: {exc}")
            self.stats.rejected += 1
            return None

    def store(self, module: Any, wasm: bytes, *, fuel: bool = False) -> Path:
        """Write ``module`` (compiled from ``wasm``) into the cache; returns the file."""
        path = self.path(wasm, fuel=fuel)
        write_atomic(path, module.serialize(fuel=fuel))
        self.stats.stored += 1
        return path

    def module(self, wasm: bytes | bytearray | memoryview, *, fuel: bool = False, name: str | None = None,
               limits: Any = None) -> Any:
        """The module of ``wasm``: from the cache when a valid file exists, else compiled and stored."""
        wasm = bytes(wasm)
        module = self.load(wasm, fuel=fuel, name=name)
        if module is not None:
            self.stats.hits += 1
            return module
        self.stats.misses += 1
        module = Module(wasm, name=name, limits=limits, fuel=fuel)
        self.store(module, wasm, fuel=fuel)
        return module

    def module_from_file(self, path: str | os.PathLike[str], *, fuel: bool = False,
                         limits: Any = None) -> Any:
        p = Path(path)
        return self.module(p.read_bytes(), fuel=fuel, name=p.name, limits=limits)

    def __repr__(self) -> str:
        return f"<jit.Cache {self.directory}>"


def _identity() -> str:
    return f"{compiler_version()}|{','.join(cpu_features())}"


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        while len(data) <= size:          # short read (or the file grew): read the rest
            more = os.read(fd, 1 << 20)
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


__all__ = ["Cache", "CacheStats", "write_atomic"]
