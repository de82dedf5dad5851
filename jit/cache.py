"""``jit.Cache``: an on-disk cache of compiled modules (``.cwasm`` files, ``jit.runtime.serialize``).

    cache = jit.Cache("~/.cache/wxjit")
    module = cache.module(wasm_bytes)            # compiled once, then loaded from disk

A file's name is its key: the SHA-256 of the Wasm bytes, the compiler version (a hash of the
compiler's sources), the CPU features the code may use and the fuel flag. A cached file is checked
before use (format version, lengths, MAC, compiler, CPU, Wasm hash, fuel flag, then the bounds of
every offset, size and count in it); one that fails any check is reported in ``stats.rejected`` /
``last_error``, recompiled and replaced, never run. Files are written atomically (temporary file +
rename), so concurrent processes sharing a directory see either no file or a whole one.

Authentication: every file carries a MAC, keyed BLAKE3 (header, metadata and code), under a secret key:
the embedder's (``Cache(dir, key=...)``, at least 16 bytes) or the directory's own, a random 32-byte
``KEY_FILE`` created once with mode 0600 (atomically: concurrent processes agree on one key). A file
made with another key (another user, another cache, ``Module.serialize()``'s public key) is rejected.
The directory and each file must be owned by the current user and not writable by group or other,
and the key file readable by its owner only; otherwise ``CacheError`` names the path and the reason.
"""
from __future__ import annotations

import errno
import hashlib
import mmap
import os
import secrets
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Error
from .native import ffi, lib
from .pipeline import Module
from .runtime.serialize import MIN_KEY_BYTES, CacheError, compiler_version, cpu_features, dumps
from .runtime.serialize import loads as _loads

SUFFIX = ".cwasm"
KEY_FILE = ".wxjit-cache-key"
KEY_BYTES = 32


@dataclass
class CacheStats:
    """Counters of one ``Cache`` object."""

    hits: int = 0
    misses: int = 0
    rejected: int = 0      # files that failed a check (then recompiled and replaced)
    stored: int = 0


class Cache:
    """Compiled modules on disk, keyed by Wasm hash + compiler version + CPU features + fuel flag."""

    def __init__(self, directory: str | os.PathLike[str], *, key: bytes | None = None) -> None:
        """Open (creating it, mode 0700) the cache ``directory``; ``key``: the MAC key of its files
        (default: the directory's own ``KEY_FILE``, created on first use)."""
        self.directory = Path(directory).expanduser()
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise Error(f"cannot create the cache directory {self.directory}: {exc.strerror}") from None
        check_private(self.directory, os.stat(self.directory), "cache directory")
        if key is None:
            key = load_or_create_key(self.directory / KEY_FILE)
        elif not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise CacheError(f"a cache key must be bytes, at least {MIN_KEY_BYTES} of them")
        self._key = key
        self._dir_str = str(self.directory)
        self._paths: dict[tuple[str, bool], bytes] = {}     # (Wasm sha256, fuel) -> file path
        self.stats = CacheStats()
        self.last_error: Error | None = None

    def key(self, wasm: bytes, *, fuel: bool = False) -> str:
        """The cache key (file stem) of ``wasm`` compiled by this wxjit on this CPU."""
        return _key(hashlib.sha256(wasm).hexdigest(), fuel)

    def path(self, wasm: bytes, *, fuel: bool = False) -> Path:
        return self.directory / (self.key(wasm, fuel=fuel) + SUFFIX)

    def load(self, wasm: bytes, *, fuel: bool = False, name: str | None = None) -> Any | None:
        """The cached module of ``wasm``, or None (missing, or rejected: see ``last_error``)."""
        digest = hashlib.sha256(wasm).hexdigest()
        path = self._paths.get((digest, fuel))
        if path is None:
            if len(self._paths) >= _PATH_MEMO_SIZE:
                self._paths.clear()
            path = self._paths[(digest, fuel)] = f"{self._dir_str}/{_key(digest, fuel)}{SUFFIX}".encode()
        key = self._key
        try:
            try:
                decoded = _loads(_read_fast(path), wasm_sha256=digest, fuel=fuel, key=key)
            except CacheError:
                # the verdict on a rejected file comes from a plain, complete read
                decoded = _loads(_read(path), wasm_sha256=digest, fuel=fuel, key=key)
            return Module._from_decoded(decoded, name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.last_error = Error(f"cannot read {os.fsdecode(path)}: {exc.strerror}")
        except Error as exc:
            kind = CacheError if isinstance(exc, CacheError) else Error
            self.last_error = kind(f"{os.fsdecode(os.path.basename(path))}: {exc}")
        self.stats.rejected += 1
        return None

    def store(self, module: Any, wasm: bytes, *, fuel: bool = False) -> Path:
        """Write ``module`` (compiled from ``wasm``) into the cache; returns the file."""
        path = self.path(wasm, fuel=fuel)
        compiled, recipe = module._complete_variant(fuel)     # a lazy module's complete code
        write_atomic(path, dumps(compiled, module.wasm, module.wasm_sha256, recipe, key=self._key))
        self.stats.stored += 1
        return path

    def module(self, wasm: bytes | bytearray | memoryview, *, fuel: bool = False, name: str | None = None,
               limits: Any = None, jobs: int | None = None) -> Any:
        """The module of ``wasm``: from the cache when a valid file exists, else compiled (with
        ``jobs`` processes, see ``jit.Module``; eagerly: the file holds every function) and stored."""
        if type(wasm) is not bytes:
            wasm = bytes(wasm)
        module = self.load(wasm, fuel=fuel, name=name)
        if module is not None:
            self.stats.hits += 1
            return module
        self.stats.misses += 1
        module = Module(wasm, name=name, limits=limits, fuel=fuel, jobs=jobs, lazy=False)
        self.store(module, wasm, fuel=fuel)
        return module

    def module_from_file(self, path: str | os.PathLike[str], *, fuel: bool = False,
                         limits: Any = None) -> Any:
        p = Path(path)
        return self.module(p.read_bytes(), fuel=fuel, name=p.name, limits=limits)

    def __repr__(self) -> str:
        return f"<jit.Cache {self.directory}>"


def check_private(path: str | bytes | os.PathLike[str], st: os.stat_result, what: str) -> None:
    """``CacheError`` unless ``st`` (of ``path``) is owned by this user and not writable by group/other."""
    reason = None
    if st.st_uid != os.geteuid():
        reason = f"owned by uid {st.st_uid}, not by this user (uid {os.geteuid()})"
    elif st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        who = "group" if st.st_mode & stat.S_IWGRP else "other"
        reason = f"writable by {who} (mode {st.st_mode & 0o7777:o})"
    elif what == "cache directory" and not stat.S_ISDIR(st.st_mode):
        reason = "not a directory"
    elif what != "cache directory" and not stat.S_ISREG(st.st_mode):
        reason = "not a regular file"
    if reason is not None:
        raise CacheError(f"refusing {what} {os.fsdecode(path)}: {reason}")


def load_or_create_key(path: Path) -> bytes:
    """The secret key in ``path`` (mode 0600, owned by this user), made first if there is none.

    A new key is written whole to a private temporary file and then linked to ``path``
    (``link`` creates exclusively, like O_CREAT|O_EXCL, but no process ever sees a partial key): of
    processes racing to create it, one wins and the others read the winner's key."""
    for _attempt in range(3):
        try:
            return _read_key(path)
        except FileNotFoundError:
            pass
        fd, tmp = tempfile.mkstemp(prefix=KEY_FILE + ".", suffix=".tmp", dir=path.parent)  # mode 0600
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
            os.close(fd)
            fd = -1
            try:
                os.link(tmp, path)
            except FileExistsError:
                continue                                 # another process made it first: read theirs
            except OSError:                              # no hard links here: create exclusively
                _create_key_exclusive(path)
        finally:
            if fd >= 0:
                os.close(fd)
            os.unlink(tmp)
    return _read_key(path)


def _create_key_exclusive(path: Path) -> None:
    """Write a new key to ``path`` with O_CREAT|O_EXCL (mode 0600); nothing if it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    try:
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise CacheError(f"refusing cache key file {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        check_private(path, st, "cache key file")
        if st.st_mode & 0o077:
            raise CacheError(f"refusing cache key file {path}: readable by others (mode "
                             f"{st.st_mode & 0o7777:o}, must be 600)")
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise CacheError(f"refusing cache key file {path}: {len(key)} bytes, a key has {KEY_BYTES}")
    return key


def _identity() -> str:
    return f"{compiler_version()}|{','.join(cpu_features())}"


_key_hashers: dict[bool, Any] = {}


def _key(wasm_sha256: str, fuel: bool) -> str:
    """The file stem of a Wasm hash: SHA-256 of this compiler's identity, the fuel flag and the hash."""
    h = _key_hashers.get(fuel)
    if h is None:
        h = _key_hashers[fuel] = hashlib.sha256(f"{_identity()}|fuel={int(fuel)}|".encode())
    h = h.copy()
    h.update(wasm_sha256.encode())
    return h.hexdigest()


_PATH_MEMO_SIZE = 4096
_UID = os.geteuid()
_tls = threading.local()
_FAST_READ_MAX = 16 << 20


def _read_fast(path: bytes) -> Any:
    """The bytes of ``path`` as a buffer that the next read on this thread reuses: one native call
    (open, fstat: owned by this user and not writable by group/other, one read, close) into a
    per-thread buffer; files that fill it are read again with ``_read``
    and the buffer grows for next time (up to 16 MiB)."""
    buf = getattr(_tls, "buf", None)
    if buf is None:
        buf = _tls.buf = ffi.new("uint8_t[]", 64 << 10)
    cap = len(buf)
    n = lib.wx_read_private_file(path, buf, cap, _UID)
    if n == lib.WX_READ_NOT_PRIVATE:
        check_private(path, os.lstat(path), "cache file")
        raise CacheError(f"refusing cache file {os.fsdecode(path)}: not private")   # changed meanwhile
    if n < 0:
        err = -n
        if err == errno.ENOENT:
            raise FileNotFoundError(err, os.strerror(err), path)
        raise OSError(err, os.strerror(err), path)
    if n < cap:
        return ffi.buffer(buf, n)
    data = _read(path)
    if type(data) is bytes and len(data) <= _FAST_READ_MAX:
        _tls.buf = ffi.new("uint8_t[]", max(cap * 2, 1 << (len(data)).bit_length()))
    return data


_MMAP_MIN = 1 << 20
_MMAP_FLAGS = mmap.MAP_PRIVATE | getattr(mmap, "MAP_POPULATE", 0)


def _read(path: str | bytes) -> bytes | mmap.mmap:
    """The whole file ``path``, which must be private (``check_private``): its bytes, or from 1 MiB
    on a read-only private mapping of it (prefaulted: no copy; ``loads`` keeps a view of the code,
    which the load copies once, into the code arena). Cache files are replaced by rename, never
    rewritten in place, so a mapping always sees one whole file; only a process of this user
    truncating it in place meanwhile could make a read of the mapping fault."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    try:
        st = os.fstat(fd)
        check_private(path, st, "cache file")
        size = st.st_size
        if size >= _MMAP_MIN:
            return mmap.mmap(fd, size, flags=_MMAP_FLAGS, prot=mmap.PROT_READ)
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
