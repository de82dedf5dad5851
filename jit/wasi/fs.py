"""Capability file system: guest paths resolved below a *directory file descriptor*, never a host path.

Every directory the guest holds (a preopen or one it opened) is an open host directory descriptor.
``lookup(root_fd, path, follow_last)`` turns a guest path into ``(parent_fd, name)``: an open
descriptor of the directory that holds the last component, and that component's name (never
containing ``/``; ``"."`` for the directory itself). Callers then act with the ``*at`` system calls
(``os.open(name, dir_fd=parent)``, ``os.stat(..., dir_fd=..., follow_symlinks=False)``, ...), so
the host never re-parses a path string and a rename or symlink swap of an already-open directory
cannot move the guest out of its capability.

Resolution of the directory part:

* with ``openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`` (Linux >= 5.6) the kernel walks the
  path and refuses anything that would leave ``root_fd`` (``EXDEV`` -> ``ENOTCAPABLE``), atomically;
* otherwise a cap-std style walk: a stack of ``O_PATH | O_NOFOLLOW`` directory descriptors, one
  component at a time; ``..`` pops and fails at the root; symlinks are read with ``readlinkat``
  and their (relative) targets expanded in place; absolute targets are refused.

Only the last component may be a symlink that is followed, and only when ``follow_last``
(``LOOKUPFLAGS_SYMLINK_FOLLOW``) or the path ends with ``/``; the expansion is re-resolved from
``root_fd`` by the same rules, so the final ``*at`` call is always given a non-symlink name (and
callers pass ``O_NOFOLLOW`` / ``follow_symlinks=False``: a concurrent swap gives ``ELOOP``, not an
escape). Absolute paths and ``..`` above the root give ``ENOTCAPABLE``; more than
``MAX_SYMLINKS`` expansions ``ELOOP``.
"""
from __future__ import annotations

import errno as _errno
import os
import stat
import struct
from types import TracebackType
from typing import Any

from . import abi
from .sandbox import MAX_PATH, MAX_SYMLINKS, WasiError

_SYS_OPENAT2 = 437                      # x86-64 (and every architecture using the generic table)
_RESOLVE_NO_MAGICLINKS, _RESOLVE_BENEATH = 0x02, 0x08
_OPEN_HOW = struct.Struct("<QQQ")       # flags, mode, resolve
_O_PATH = getattr(os, "O_PATH", 0)
_WALK_FLAGS = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | (_O_PATH or os.O_RDONLY)

# libc's syscall() through ctypes, and whether openat2 works here: both found on the first lookup
# that needs them (ctypes costs every `wxjit run` 1 ms to import, and most programs open no file).
_syscall: Any = None                    # None: not loaded yet; False: no syscall() in this libc
_HAVE_OPENAT2: bool | None = None       # None: not probed yet


def _libc_syscall() -> Any:
    """libc's ``syscall`` (restype ``long``, errno kept), or None on a system without it."""
    global _syscall
    if _syscall is None:
        import ctypes
        try:
            fn = ctypes.CDLL(None, use_errno=True).syscall
            fn.restype = ctypes.c_long
            _syscall = fn
        except (OSError, AttributeError):  # pragma: no cover - not a glibc/musl system
            _syscall = False
    return _syscall or None


def _openat2(dir_fd: int, path: str, flags: int) -> int:
    """``openat2(dir_fd, path, {flags, 0, RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS})``; raises OSError."""
    import ctypes
    how = ctypes.create_string_buffer(_OPEN_HOW.pack(flags, 0, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS))
    fd = _libc_syscall()(ctypes.c_long(_SYS_OPENAT2), ctypes.c_int(dir_fd),
                         ctypes.c_char_p(os.fsencode(path)), how, ctypes.c_size_t(_OPEN_HOW.size))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), path)
    return fd


def _probe_openat2() -> bool:
    if os.uname().sysname != "Linux" or _libc_syscall() is None:
        return False
    root = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.close(_openat2(root, ".", _WALK_FLAGS))
    except OSError:
        return False
    finally:
        os.close(root)
    return True


def _openat2_available() -> bool:
    """Whether lookups use openat2 (probed once, on first use)."""
    global _HAVE_OPENAT2
    if _HAVE_OPENAT2 is None:
        _HAVE_OPENAT2 = _probe_openat2()
    return _HAVE_OPENAT2


class Lookup:
    """A resolved guest path: ``parent`` (a directory fd) and ``name`` in it; close it when done."""

    __slots__ = ("parent", "name", "owned", "slash")

    def __init__(self, parent: int, name: str, owned: bool, slash: bool) -> None:
        self.parent = parent
        self.name = name
        self.owned = owned        # parent is a descriptor opened for this lookup (closed by close())
        self.slash = slash        # the guest path ended with "/": the target must be a directory

    def close(self) -> None:
        """Close the parent descriptor if it was opened for this lookup."""
        if self.owned:
            self.owned = False
            os.close(self.parent)

    def __enter__(self) -> Lookup:
        return self

    def __exit__(self, t: type[BaseException] | None, v: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def lstat(self) -> os.stat_result | None:
        """``fstatat(parent, name, AT_SYMLINK_NOFOLLOW)``, or None when the name does not exist."""
        try:
            return os.stat(self.name, dir_fd=self.parent, follow_symlinks=False)
        except FileNotFoundError:
            return None


def _split(path: str) -> tuple[list[str], str, bool]:
    """(directory components, last name, trailing slash) of a relative guest path."""
    slash = path.endswith("/")
    comps = [c for c in path.split("/") if c]
    if not comps:
        return [], ".", slash
    last = comps[-1]
    if last in (".", ".."):
        return comps, ".", True
    return comps[:-1], last, slash


def _walk(root: int, comps: list[str]) -> int:
    """The directory ``comps`` names below ``root``, by a descriptor walk (root itself or a new fd)."""
    stack: list[int] = []
    pending = list(reversed(comps))
    links = 0
    try:
        while pending:
            comp = pending.pop()
            if comp in ("", "."):
                continue
            if comp == "..":
                if not stack:
                    raise WasiError(abi.ENOTCAPABLE)
                os.close(stack.pop())
                continue
            top = stack[-1] if stack else root
            try:
                fd = os.open(comp, _WALK_FLAGS, dir_fd=top)
            except OSError as exc:
                if exc.errno not in (_errno.ENOTDIR, _errno.ELOOP):
                    raise
                try:
                    target = os.readlink(comp, dir_fd=top)
                except OSError:
                    raise exc from None
                links += 1
                if links > MAX_SYMLINKS:
                    raise WasiError(abi.ELOOP) from None
                if target.startswith("/"):
                    raise WasiError(abi.ENOTCAPABLE) from None
                pending.extend(reversed(target.split("/")))
                continue
            stack.append(fd)
    except BaseException:
        for fd in stack:
            os.close(fd)
        raise
    for fd in stack[:-1]:
        os.close(fd)
    return stack[-1] if stack else root


def _open_dir(root: int, comps: list[str]) -> int:
    if not comps or all(c == "." for c in comps):
        return root
    if _openat2_available():
        try:
            return _openat2(root, "/".join(comps), _WALK_FLAGS & ~os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno == _errno.EXDEV:
                raise WasiError(abi.ENOTCAPABLE) from None
            # ENOSYS/EPERM: no openat2 here (old kernel, seccomp); EAGAIN: the kernel saw a
            # concurrent rename while resolving ".." and gave up: the walk decides instead
            if exc.errno not in (_errno.ENOSYS, _errno.EPERM, _errno.EAGAIN):
                raise
    return _walk(root, comps)


def lookup(root: int, path: str, follow_last: bool) -> Lookup:
    """Resolve guest ``path`` below directory descriptor ``root`` (see the module docstring)."""
    if not path:
        raise WasiError(abi.ENOENT)
    if len(path) > MAX_PATH:
        raise WasiError(abi.ENAMETOOLONG)
    if "\0" in path:
        raise WasiError(abi.EILSEQ)
    if path.startswith("/"):
        raise WasiError(abi.ENOTCAPABLE)
    comps, name, slash = _split(path)
    links = 0
    while True:
        parent = _open_dir(root, comps)
        found = Lookup(parent, name, parent != root, slash)
        if name == "." or not (follow_last or slash):
            break
        try:
            target = os.readlink(name, dir_fd=parent)
        except OSError:             # not a symlink, or missing: the name itself is the result
            break
        found.close()
        links += 1
        if links > MAX_SYMLINKS:
            raise WasiError(abi.ELOOP)
        if target.startswith("/"):
            raise WasiError(abi.ENOTCAPABLE)
        more, name, more_slash = _split(target)
        comps = comps + more
        slash = slash or more_slash
    if slash and name != ".":
        try:
            st = found.lstat()
        except BaseException:
            found.close()
            raise
        if st is not None and not stat.S_ISDIR(st.st_mode):
            found.close()
            raise WasiError(abi.ENOTDIR)
    return found


def open_directory(host: str) -> int:
    """A read-only descriptor of host directory ``host`` (a preopen)."""
    return os.open(host, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def openat2_in_use() -> bool:
    """Whether lookups go through openat2 (else through the descriptor walk)."""
    return _openat2_available()


def set_openat2(enabled: bool) -> bool:
    """Use (or stop using) openat2 for lookups, when the kernel has it; returns the previous setting."""
    global _HAVE_OPENAT2
    old = _openat2_available()
    _HAVE_OPENAT2 = enabled and _probe_openat2()
    return old
