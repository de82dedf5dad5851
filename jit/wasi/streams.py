"""Standard streams of a WASI guest: the process's own file descriptors or Python file-like objects.

A ``Stream`` writes guest bytes (memoryview slices of linear memory) to an OS file descriptor with
``os.writev`` or to a file-like object (binary, or text: decoded as UTF-8 with replacement), and
reads into guest memory with ``os.readv`` or ``readinto``.

* Output to a file descriptor is written through: it has reached the descriptor when ``fd_write``
  returns (partial writes are completed, ``EAGAIN`` on a non-blocking descriptor waits until it is
  writable), so a guest that prints and is then killed or spins forever has shown its output, as
  with wasmtime.
* Output to a file-like object that is not a terminal (an in-memory capture) is collected and
  handed over in chunks of ``BUFFER_BYTES``; the owner (``jit.wasi.host.Wasi``) flushes the other
  streams before writing to one, so the relative order of stdout and stderr is kept, and flushes
  everything at exit.
* A read from a pipe, terminal or socket first waits through ``blocker`` (``jit.wasi.blocking``), so
  a deadline or ``Instance.interrupt()`` ends a guest blocked on input.
"""
from __future__ import annotations

import io
import os
import sys
from typing import Any

from . import abi
from .blocking import UNBOUND, Blocker

BUFFER_BYTES = 1 << 16


def _isatty(target: Any) -> bool:
    try:
        return bool(os.isatty(target) if isinstance(target, int) else target.isatty())
    except (AttributeError, OSError, ValueError):
        return False


class Stream:
    """One stdio endpoint. ``target``: an OS fd (int) or a file-like object; ``None`` is not allowed.

    ``buffered``: collect output for a non-terminal file-like object (descriptors are always written
    through). ``blocker``: how reads wait (``Wasi.bind`` sets the instance's)."""

    __slots__ = ("fd", "obj", "text", "tty", "limit", "buf", "filetype", "blocker")

    def __init__(self, target: Any, buffered: bool = True) -> None:
        self.fd: int | None = target if isinstance(target, int) else None
        self.obj: Any = None if isinstance(target, int) else target
        self.text = isinstance(self.obj, io.TextIOBase)
        self.tty = _isatty(target)
        self.limit = BUFFER_BYTES if buffered and not self.tty and self.fd is None else 0
        self.buf = bytearray()
        self.filetype = self._filetype()
        self.blocker: Blocker = UNBOUND

    def _filetype(self) -> int:
        if self.tty:
            return abi.FILETYPE_CHARACTER_DEVICE
        if self.fd is None:
            return abi.FILETYPE_UNKNOWN
        try:
            mode = os.fstat(self.fd).st_mode
        except OSError:
            return abi.FILETYPE_UNKNOWN
        return file_type(mode)

    @property
    def rights(self) -> int:
        """A terminal cannot seek or tell (that is how wasi-libc's ``isatty`` recognises one)."""
        return abi.RIGHTS_ALL & ~abi.RIGHTS_SEEK_TELL if self.tty else abi.RIGHTS_ALL

    # -- output ------------------------------------------------------------------------------------
    def write(self, views: list[memoryview], total: int) -> int:
        """Write all ``views`` (``total`` bytes); returns ``total``. Raises OSError from the host."""
        if self.limit:
            buf = self.buf
            for v in views:
                buf += v
            if len(buf) >= self.limit:
                self.flush()
            return total
        if self.fd is not None:
            if self.fd in (1, 2):
                flush_python_stdio()
            self._write_fd(views)
            return total
        for v in views:
            self._emit(v)
        return total

    def _write_fd(self, views: list[memoryview]) -> None:
        """All of ``views`` to the descriptor (one ``writev`` in the common case)."""
        fd = self.fd
        assert fd is not None
        while views:
            try:
                n = os.writev(fd, views)
            except BlockingIOError:
                self.blocker.wait_writable(fd)
                continue
            while views and n >= len(views[0]):
                n -= len(views[0])
                views = views[1:]
            if n:
                views = [views[0][n:], *views[1:]]

    def flush(self) -> None:
        if self.buf:
            data, self.buf = self.buf, bytearray()
            self._emit(memoryview(data))
        if self.obj is not None:
            flush = getattr(self.obj, "flush", None)
            if flush is not None:
                flush()

    def _emit(self, data: memoryview) -> None:
        if self.fd is not None:
            if self.fd in (1, 2):
                flush_python_stdio()
            self._write_fd([data])
        elif self.text:
            self.obj.write(bytes(data).decode("utf-8", "replace"))
        else:
            while data:
                n = self.obj.write(data)
                if n is None or n >= len(data):
                    break
                data = data[n:]

    # -- input -------------------------------------------------------------------------------------
    def read(self, views: list[memoryview]) -> int:
        """Read into ``views`` like ``readv``: stops at the first short read; 0 at end of input.
        Waits for input on a pipe, terminal or socket through ``blocker`` (it may trap)."""
        if self.fd is not None:
            if self.filetype != abi.FILETYPE_REGULAR_FILE:
                self.blocker.wait_readable(self.fd)
            while True:
                try:
                    return os.readv(self.fd, views)
                except BlockingIOError:        # someone else took the input: wait again
                    self.blocker.wait_readable(self.fd)
        total = 0
        for v in views:
            n = self._read_into(v)
            total += n
            if n < len(v):
                break
        return total

    def _read_into(self, view: memoryview) -> int:
        obj = self.obj
        if self.text:
            data = obj.read(len(view)).encode("utf-8")[: len(view)]
        else:
            readinto = getattr(obj, "readinto", None)
            if readinto is not None:
                return readinto(view) or 0
            data = obj.read(len(view)) or b""
        view[: len(data)] = data
        return len(data)


def flush_python_stdio() -> None:
    """Flush Python's sys.stdout and sys.stderr (before output goes to fd 1 or 2 directly)."""
    for s in (sys.stdout, sys.stderr):
        try:
            if s is not None:
                s.flush()
        except (OSError, ValueError):
            pass


_FILETYPES = {
    0o040000: abi.FILETYPE_DIRECTORY,
    0o100000: abi.FILETYPE_REGULAR_FILE,
    0o120000: abi.FILETYPE_SYMBOLIC_LINK,
    0o020000: abi.FILETYPE_CHARACTER_DEVICE,
    0o060000: abi.FILETYPE_BLOCK_DEVICE,
    0o140000: abi.FILETYPE_SOCKET_STREAM,
}


def file_type(mode: int) -> int:
    """The WASI filetype of a host ``st_mode`` (FIFOs and others: UNKNOWN)."""
    return _FILETYPES.get(mode & 0o170000, abi.FILETYPE_UNKNOWN)
