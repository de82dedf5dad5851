"""Wasm text for the tests: ``wat(text)`` assembles a module with the parser ``jit.Module`` uses for text
(``jit.wat``: the wasmtime package, else the ``wasm-tools`` command); test modules that need it set
``pytestmark = needs_wat2wasm`` (skipped with the reason when neither parser is installed)."""
from __future__ import annotations

import importlib.util
import shutil

import pytest

from jit.wat import INSTALL_HINT, wat2wasm

HAVE_WAT = importlib.util.find_spec("wasmtime") is not None or shutil.which("wasm-tools") is not None
WAT2WASM = "jit.wat" if HAVE_WAT else None      # kept for modules that test ``WAT2WASM is None``
needs_wat2wasm = pytest.mark.skipif(not HAVE_WAT, reason=f"no Wasm text parser: {INSTALL_HINT}")


def wat(text: str) -> bytes:
    """The binary module of ``text`` (raises ``jit.MalformedError`` on bad text)."""
    return wat2wasm(text)
