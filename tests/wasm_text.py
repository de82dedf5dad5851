"""Wasm text for the tests: ``wat(text)`` assembles a module with wabt's ``wat2wasm``; test modules that
need it set ``pytestmark = needs_wat2wasm`` (skipped with the reason when wabt is not installed)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

WAT2WASM = shutil.which("wat2wasm")
needs_wat2wasm = pytest.mark.skipif(WAT2WASM is None, reason="wat2wasm (wabt) is not installed")


def wat(text: str) -> bytes:
    """The binary module of ``text`` (raises ``CalledProcessError`` on bad text)."""
    return subprocess.run([WAT2WASM, "-", "--output=-"], input=text.encode(), capture_output=True,
                          check=True).stdout
