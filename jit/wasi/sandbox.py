"""Capability sandbox: resolve a guest path relative to a directory capability, never leaving it.

``resolve(root, path, follow_last)`` walks ``path`` one component at a time below the host directory
``root`` (a preopen or a directory opened through one), following symbolic links by hand:

* absolute paths, and symlinks whose target is absolute, are refused (``ENOTCAPABLE``);
* ``..`` may only climb back up to ``root``, never above it (``ENOTCAPABLE``);
* a relative symlink is expanded in place and its target is checked by the same rules, so a chain of
  links cannot escape either; more than ``MAX_SYMLINKS`` expansions give ``ELOOP``;
* the last component is followed only when ``follow_last`` (``LOOKUPFLAGS_SYMLINK_FOLLOW``), so
  ``unlink``/``readlink``/``lstat`` act on the link itself; callers that open the result pass
  ``O_NOFOLLOW`` when the last component was not followed.

The walk checks the host file system with ``lstat``; it is not atomic against a concurrent host
process swapping a directory for a symlink between the check and the use (the guest itself cannot
race it: a WASI command is single-threaded).
"""
from __future__ import annotations

import os
import stat

from . import abi

MAX_SYMLINKS = 40
MAX_PATH = 4096


class WasiError(Exception):
    """A WASI errno to return to the guest (internal to ``jit.wasi``)."""

    def __init__(self, errno: int) -> None:
        super().__init__(abi.ERRNO_NAMES[errno])
        self.errno = errno


def resolve(root: str, path: str, follow_last: bool) -> str:
    """The host path that guest ``path`` names below directory ``root``; raises ``WasiError``."""
    if not path:
        raise WasiError(abi.ENOENT)
    if len(path) > MAX_PATH:
        raise WasiError(abi.ENAMETOOLONG)
    if "\0" in path:
        raise WasiError(abi.EILSEQ)
    if path.startswith("/"):
        raise WasiError(abi.ENOTCAPABLE)
    must_be_dir = path.endswith("/")
    pending = path.split("/")
    pending.reverse()            # a stack: the next component is pending[-1]
    parts: list[str] = []        # resolved components below root (no links, no dots)
    links = 0
    while pending:
        comp = pending.pop()
        if comp in ("", "."):
            continue
        if comp == "..":
            if not parts:
                raise WasiError(abi.ENOTCAPABLE)
            parts.pop()
            continue
        last = all(c in ("", ".") for c in pending)
        host = os.path.join(root, *parts, comp)
        if last and not follow_last and not must_be_dir:
            parts.append(comp)
            break
        try:
            st = os.lstat(host)
        except FileNotFoundError:
            if last:
                parts.append(comp)
                break
            raise WasiError(abi.ENOENT) from None
        except OSError as exc:
            raise WasiError(abi.from_oserror(exc)) from None
        if stat.S_ISLNK(st.st_mode):
            links += 1
            if links > MAX_SYMLINKS:
                raise WasiError(abi.ELOOP)
            target = os.readlink(host)
            if target.startswith("/"):
                raise WasiError(abi.ENOTCAPABLE)
            if must_be_dir and last:
                target += "/"
            pending.extend(reversed(target.split("/")))
            continue
        if (not last or must_be_dir) and not stat.S_ISDIR(st.st_mode):
            raise WasiError(abi.ENOTDIR)
        parts.append(comp)
    return os.path.join(root, *parts) if parts else root
