"""Golden disassembly tests (in the style of wasmtime's tests/disas).

Each ``tests/disas/NAME.wasm`` (source in ``NAME.wat``) is compiled and disassembled; the text must
equal ``NAME.expected``. After an intended change of the generated code, regenerate with
``WXJIT_UPDATE_GOLDEN=1 pytest tests/test_compiler_disas.py`` and review the diff like code.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from jit.wasm import validate
from jit.x64.compiler import compile_module
from jit.x64.disasm import disassemble

pytest.importorskip("capstone", reason="capstone disassembles the compiled code")

DISAS = Path(__file__).parent / "disas"
CASES = sorted(p.stem for p in DISAS.glob("*.wasm"))


def render(name: str) -> str:
    module = validate((DISAS / f"{name}.wasm").read_bytes())
    return "\n".join(disassemble(compile_module(module), module)) + "\n"


@pytest.mark.parametrize("name", CASES)
def test_golden_disassembly(name: str) -> None:
    text = render(name)
    expected = DISAS / f"{name}.expected"
    if os.environ.get("WXJIT_UPDATE_GOLDEN"):
        expected.write_text(text)
    assert expected.exists(), f"no golden file {expected.name}: run with WXJIT_UPDATE_GOLDEN=1"
    assert text == expected.read_text()


def test_constant_folding_leaves_one_immediate_add() -> None:
    text = render("const_fold")
    assert "add eax, 0x2a" in text and "imul" not in text


def test_compare_feeding_br_if_is_fused() -> None:
    text = render("fused_branch")
    assert "set" not in text          # no setcc: the flags of cmp drive the jump
    assert "jae" in text


def test_memory_access_folds_base_index_and_offset() -> None:
    text = render("memory_access")
    assert re.search(r"mov r\w+, qword ptr \[r14 \+ r\w+ \+ 0x10\]", text)
    assert re.search(r"mov qword ptr \[r14 \+ r\w+ \+ 8\], r\w+", text)
