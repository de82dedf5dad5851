"""Wasm text for the tests: ``wat(text)`` assembles a module. In the test session it uses
``wasmtime.wat2wasm`` in-process (fast; the session imports wasmtime-py as its oracle anyway), else the
parser ``jit.Module`` uses for text (``jit.wat``: the ``wasm-tools`` command in a child process). A fresh
interpreter that checks W^X for the whole process sets ``WXJIT_TEST_WAT=wasm-tools``, because importing
wasmtime-py maps an rwx page. Test modules that need a parser set ``pytestmark = needs_wat2wasm`` (skipped
with the reason when neither is installed)."""
from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

from jit.wat import INSTALL_HINT, wat2wasm

HAVE_WAT = importlib.util.find_spec("wasmtime") is not None or shutil.which("wasm-tools") is not None
WAT2WASM = "jit.wat" if HAVE_WAT else None      # kept for modules that test ``WAT2WASM is None``
needs_wat2wasm = pytest.mark.skipif(not HAVE_WAT, reason=f"no Wasm text parser: {INSTALL_HINT}")


_IN_PROCESS = (os.environ.get("WXJIT_TEST_WAT") != "wasm-tools"
               and importlib.util.find_spec("wasmtime") is not None)


def wat(text: str) -> bytes:
    """The binary module of ``text`` (raises ``jit.MalformedError`` or ``wasmtime.WasmtimeError`` on bad
    text)."""
    if _IN_PROCESS:
        import wasmtime

        return bytes(wasmtime.wat2wasm(text))
    return wat2wasm(text)
