"""Golden disassembly tests, one ``.wat`` file per case (in the style of wasmtime's ``tests/disas``).

Each ``tests/disas/<family>/<case>.wat`` holds a module and, after the ``EXPECTED`` marker line, the
code wxjit generates for it as comments: every defined function disassembled with Capstone, with the
Wasm instruction each trap site and call came from. The families follow ``jit/x64/lower/`` (control,
variables, integer, float, memory, calls, tables, simd). After an intended change of the generated
code, regenerate every expectation with one switch and review the diff like code::

    WXJIT_UPDATE_GOLDEN=1 pytest tests/test_compiler_disas.py
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from wasm_text import needs_wat2wasm, wat

from jit.wasm import validate
from jit.x64.compiler import compile_module
from jit.x64.disasm import disassemble

pytest.importorskip("capstone", reason="capstone disassembles the compiled code")
pytestmark = needs_wat2wasm

DISAS = Path(__file__).parent / "disas"
EXPECTED = ";; ---- expected code (WXJIT_UPDATE_GOLDEN=1 rewrites everything below) ----"
CASES = sorted(str(p.relative_to(DISAS).with_suffix("")) for p in DISAS.glob("*/*.wat"))
FAMILIES = ("control", "variables", "integer", "float", "memory", "calls", "tables", "simd")


def split_case(text: str) -> tuple[str, str | None]:
    """(module source, expected disassembly or None when the file has no expectation yet)."""
    source, marker, rest = text.partition(EXPECTED + "\n")
    if not marker:
        return text.rstrip("\n") + "\n", None
    lines = [line[3:] if line.startswith(";; ") else line[2:] for line in rest.splitlines()]
    return source.rstrip("\n") + "\n", "\n".join(lines) + "\n"


def render_source(source: str) -> str:
    module = validate(wat(source))
    return "\n".join(disassemble(compile_module(module), module)).rstrip("\n") + "\n"


def render(case: str) -> str:
    """The current disassembly of ``tests/disas/<case>.wat``."""
    source, _ = split_case((DISAS / f"{case}.wat").read_text())
    return render_source(source)


def as_comments(code: str) -> str:
    return "".join(f";; {line}".rstrip() + "\n" for line in code.splitlines())


@pytest.mark.parametrize("case", CASES)
def test_golden_disassembly(case: str) -> None:
    path = DISAS / f"{case}.wat"
    source, expected = split_case(path.read_text())
    actual = render_source(source)
    if os.environ.get("WXJIT_UPDATE_GOLDEN"):
        path.write_text(f"{source}\n{EXPECTED}\n{as_comments(actual)}")
        expected = actual
    assert expected is not None, f"{path.name} has no expected code: run with WXJIT_UPDATE_GOLDEN=1"
    assert actual == expected


def test_every_lowering_family_has_several_cases() -> None:
    per_family = {f: sum(1 for c in CASES if c.startswith(f + "/")) for f in FAMILIES}
    assert all(n >= 2 for n in per_family.values()), per_family
    assert {c.split("/")[0] for c in CASES} <= set(FAMILIES)


def test_split_case_round_trips_what_update_writes() -> None:
    source = "(module)\n"
    code = "func[0] () -> ():\n     0: c3    ret\n\nfunc[1] () -> ():\n     0: c3    ret\n"
    assert split_case(f"{source}\n{EXPECTED}\n{as_comments(code)}") == (source, code)
    assert split_case(source) == (source, None)


def test_constant_folding_leaves_one_immediate_add() -> None:
    text = render("integer/const_fold")
    assert "add eax, 0x2a" in text and "imul" not in text


def test_compare_feeding_br_if_is_fused() -> None:
    text = render("control/fused_br_if")
    assert "set" not in text          # no setcc: the flags of cmp drive the jump
    assert "jae" in text


def test_memory_access_folds_base_index_and_offset() -> None:
    text = render("memory/load_store_offset")
    assert re.search(r"mov r\w+, qword ptr \[r14 \+ r\w+ \+ 0x10\]", text)
    assert re.search(r"mov qword ptr \[r14 \+ r\w+ \+ 8\], r\w+", text)


def test_select_on_a_comparison_uses_cmov() -> None:
    text = render("control/select")
    assert "cmov" in text and "set" not in text
