"""WASI preview1 ABI facts: errno codes, enum/flag values, struct layouts and every function signature.

Everything here is data taken from the ``wasi_snapshot_preview1`` witx (phases/snapshot); the host
functions in ``jit.wasi.host`` use these names rather than literals. ``SIGNATURES`` lists every
preview1 import with its core Wasm type, so that any preview1 module links even where the host only
answers ``ENOSYS``.
"""
from __future__ import annotations

import errno as _errno
import struct

# --- errno (u16) --------------------------------------------------------------------------------
ERRNO_NAMES = (
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY", "BADF",
    "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK",
    "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ", "INPROGRESS",
    "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK", "MSGSIZE", "MULTIHOP",
    "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC",
    "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY",
    "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE",
    "PROTO", "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT",
    "TXTBSY", "XDEV", "NOTCAPABLE",
)
ERRNO = {name: code for code, name in enumerate(ERRNO_NAMES)}
SUCCESS = 0
E2BIG, EACCES, EBADF = ERRNO["2BIG"], ERRNO["ACCES"], ERRNO["BADF"]
EEXIST, EFAULT = ERRNO["EXIST"], ERRNO["FAULT"]
EINVAL, EIO, EISDIR, ELOOP, ENAMETOOLONG = ERRNO["INVAL"], ERRNO["IO"], ERRNO["ISDIR"], ERRNO["LOOP"], \
    ERRNO["NAMETOOLONG"]
ENOENT, ENOSYS, ENOTDIR, ENOTEMPTY, ENOTSUP = ERRNO["NOENT"], ERRNO["NOSYS"], ERRNO["NOTDIR"], \
    ERRNO["NOTEMPTY"], ERRNO["NOTSUP"]
EPERM, ESPIPE, EILSEQ, ENOTCAPABLE = ERRNO["PERM"], ERRNO["SPIPE"], ERRNO["ILSEQ"], ERRNO["NOTCAPABLE"]

# host errno (Python's errno module) -> WASI errno, by name
HOST_ERRNO = {getattr(_errno, "E" + name): code for name, code in ERRNO.items()
              if hasattr(_errno, "E" + name)}
HOST_ERRNO[_errno.EOPNOTSUPP] = ENOTSUP
HOST_ERRNO[getattr(_errno, "EWOULDBLOCK", _errno.EAGAIN)] = ERRNO["AGAIN"]


def from_oserror(exc: OSError) -> int:
    """The WASI errno for a host ``OSError`` (EIO when it has no known counterpart)."""
    return HOST_ERRNO.get(exc.errno or 0, EIO)


# --- enums and flags ----------------------------------------------------------------------------
FILETYPE_UNKNOWN, FILETYPE_BLOCK_DEVICE, FILETYPE_CHARACTER_DEVICE, FILETYPE_DIRECTORY = 0, 1, 2, 3
FILETYPE_REGULAR_FILE, FILETYPE_SOCKET_DGRAM, FILETYPE_SOCKET_STREAM, FILETYPE_SYMBOLIC_LINK = 4, 5, 6, 7

FDFLAGS_APPEND, FDFLAGS_DSYNC, FDFLAGS_NONBLOCK, FDFLAGS_RSYNC, FDFLAGS_SYNC = 1, 2, 4, 8, 16
OFLAGS_CREAT, OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC = 1, 2, 4, 8
LOOKUPFLAGS_SYMLINK_FOLLOW = 1
WHENCE_SET, WHENCE_CUR, WHENCE_END = 0, 1, 2
CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME, CLOCK_THREAD_CPUTIME = 0, 1, 2, 3
FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW = 1, 2, 4, 8
EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE = 0, 1, 2
SUBCLOCKFLAGS_ABSTIME = 1
PREOPENTYPE_DIR = 0

RIGHT_NAMES = (
    "fd_datasync", "fd_read", "fd_seek", "fd_fdstat_set_flags", "fd_sync", "fd_tell", "fd_write",
    "fd_advise", "fd_allocate", "path_create_directory", "path_create_file", "path_link_source",
    "path_link_target", "path_open", "fd_readdir", "path_readlink", "path_rename_source",
    "path_rename_target", "path_filestat_get", "path_filestat_set_size", "path_filestat_set_times",
    "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "path_symlink",
    "path_remove_directory", "path_unlink_file", "poll_fd_readwrite", "sock_shutdown", "sock_accept",
)
RIGHTS = {name: 1 << bit for bit, name in enumerate(RIGHT_NAMES)}
RIGHTS_ALL = (1 << len(RIGHT_NAMES)) - 1
RIGHTS_READ = RIGHTS["fd_read"] | RIGHTS["fd_readdir"]
RIGHTS_WRITE = (RIGHTS["fd_datasync"] | RIGHTS["fd_write"] | RIGHTS["fd_allocate"]
                | RIGHTS["fd_filestat_set_size"])
RIGHTS_SEEK_TELL = RIGHTS["fd_seek"] | RIGHTS["fd_tell"]

# --- struct layouts (little endian, wasm32) -----------------------------------------------------
U8 = struct.Struct("<B")
U16 = struct.Struct("<H")
U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")
U32X2 = struct.Struct("<II")
FDSTAT = struct.Struct("<BxHxxxxQQ")          # filetype, fs_flags, rights_base, rights_inheriting: 24 bytes
FILESTAT = struct.Struct("<QQBxxxxxxxQQQQQ")  # dev, ino, filetype, nlink, size, atim, mtim, ctim: 64 bytes
PRESTAT = struct.Struct("<BxxxI")             # tag, u.dir.pr_name_len: 8 bytes
DIRENT = struct.Struct("<QQIBxxx")            # d_next, d_ino, d_namlen, d_type: 24 bytes
SUBSCRIPTION = struct.Struct("<QBxxxxxxxIxxxxQQHxxxxxx")  # userdata, tag, clock id, timeout, precision, flags
SUBSCRIPTION_FD = struct.Struct("<QBxxxxxxxI")           # userdata, tag, file_descriptor
EVENT = struct.Struct("<QHBxxxxxQHxxxxxx")                # userdata, error, type, nbytes, flags: 32 bytes
assert (FDSTAT.size, FILESTAT.size, PRESTAT.size, DIRENT.size, SUBSCRIPTION.size, EVENT.size) == \
    (24, 64, 8, 24, 48, 32)

# --- every preview1 function: name -> (params, results) in core Wasm types ----------------------
_I, _L = "i32", "i64"
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "args_get": ((_I, _I), (_I,)),
    "args_sizes_get": ((_I, _I), (_I,)),
    "environ_get": ((_I, _I), (_I,)),
    "environ_sizes_get": ((_I, _I), (_I,)),
    "clock_res_get": ((_I, _I), (_I,)),
    "clock_time_get": ((_I, _L, _I), (_I,)),
    "fd_advise": ((_I, _L, _L, _I), (_I,)),
    "fd_allocate": ((_I, _L, _L), (_I,)),
    "fd_close": ((_I,), (_I,)),
    "fd_datasync": ((_I,), (_I,)),
    "fd_fdstat_get": ((_I, _I), (_I,)),
    "fd_fdstat_set_flags": ((_I, _I), (_I,)),
    "fd_fdstat_set_rights": ((_I, _L, _L), (_I,)),
    "fd_filestat_get": ((_I, _I), (_I,)),
    "fd_filestat_set_size": ((_I, _L), (_I,)),
    "fd_filestat_set_times": ((_I, _L, _L, _I), (_I,)),
    "fd_pread": ((_I, _I, _I, _L, _I), (_I,)),
    "fd_prestat_get": ((_I, _I), (_I,)),
    "fd_prestat_dir_name": ((_I, _I, _I), (_I,)),
    "fd_pwrite": ((_I, _I, _I, _L, _I), (_I,)),
    "fd_read": ((_I, _I, _I, _I), (_I,)),
    "fd_readdir": ((_I, _I, _I, _L, _I), (_I,)),
    "fd_renumber": ((_I, _I), (_I,)),
    "fd_seek": ((_I, _L, _I, _I), (_I,)),
    "fd_sync": ((_I,), (_I,)),
    "fd_tell": ((_I, _I), (_I,)),
    "fd_write": ((_I, _I, _I, _I), (_I,)),
    "path_create_directory": ((_I, _I, _I), (_I,)),
    "path_filestat_get": ((_I, _I, _I, _I, _I), (_I,)),
    "path_filestat_set_times": ((_I, _I, _I, _I, _L, _L, _I), (_I,)),
    "path_link": ((_I, _I, _I, _I, _I, _I, _I), (_I,)),
    "path_open": ((_I, _I, _I, _I, _I, _L, _L, _I, _I), (_I,)),
    "path_readlink": ((_I, _I, _I, _I, _I, _I), (_I,)),
    "path_remove_directory": ((_I, _I, _I), (_I,)),
    "path_rename": ((_I, _I, _I, _I, _I, _I), (_I,)),
    "path_symlink": ((_I, _I, _I, _I, _I), (_I,)),
    "path_unlink_file": ((_I, _I, _I), (_I,)),
    "poll_oneoff": ((_I, _I, _I, _I), (_I,)),
    "proc_exit": ((_I,), ()),
    "proc_raise": ((_I,), (_I,)),
    "sched_yield": ((), (_I,)),
    "random_get": ((_I, _I), (_I,)),
    "sock_accept": ((_I, _I, _I), (_I,)),
    "sock_recv": ((_I, _I, _I, _I, _I, _I), (_I,)),
    "sock_send": ((_I, _I, _I, _I, _I), (_I,)),
    "sock_shutdown": ((_I, _I), (_I,)),
}
MODULE = "wasi_snapshot_preview1"
