"""Capability sandbox policy: the WASI errno exception, path limits and the rights model.

Paths are resolved by ``jit.wasi.fs`` below directory *descriptors*; this module says what a
descriptor may do. Every descriptor carries ``rights`` (what it may do itself) and ``inheriting``
(the most that descriptors opened through it may get). ``path_open`` grants the requested rights
masked by the directory's ``inheriting`` rights and by what the opened object's type supports
(``DIR_RIGHTS`` / ``FILE_RIGHTS``: a directory never has ``fd_seek``, ``fd_read``...).
``fd_fdstat_set_rights`` can only drop rights. A call made without the right it needs fails
with ``ENOTCAPABLE`` (``path_open`` with ``O_TRUNC`` but no ``path_filestat_set_size``: ``EPERM``,
as wasmtime and the WASI test suite have it).
"""
from __future__ import annotations

from . import abi

MAX_SYMLINKS = 40
MAX_PATH = 4096

R = abi.RIGHTS
DIR_RIGHTS = (R["path_create_directory"] | R["path_create_file"] | R["path_link_source"]
              | R["path_link_target"] | R["path_open"] | R["fd_readdir"] | R["path_readlink"]
              | R["path_rename_source"] | R["path_rename_target"] | R["path_symlink"]
              | R["path_remove_directory"] | R["path_unlink_file"] | R["path_filestat_get"]
              | R["path_filestat_set_size"] | R["path_filestat_set_times"] | R["fd_filestat_get"]
              | R["fd_filestat_set_times"] | R["fd_fdstat_set_flags"] | R["fd_sync"] | R["fd_datasync"]
              | R["fd_advise"] | R["poll_fd_readwrite"])
FILE_RIGHTS = (R["fd_datasync"] | R["fd_read"] | R["fd_seek"] | R["fd_fdstat_set_flags"] | R["fd_sync"]
               | R["fd_tell"] | R["fd_write"] | R["fd_advise"] | R["fd_allocate"] | R["fd_filestat_get"]
               | R["fd_filestat_set_size"] | R["fd_filestat_set_times"] | R["poll_fd_readwrite"])
PREOPEN_INHERITING = DIR_RIGHTS | FILE_RIGHTS


class WasiError(Exception):
    """A WASI errno to return to the guest (internal to ``jit.wasi``)."""

    def __init__(self, errno: int) -> None:
        super().__init__(abi.ERRNO_NAMES[errno])
        self.errno = errno
