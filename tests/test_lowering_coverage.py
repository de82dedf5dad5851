"""Every instruction of the opcode table is lowered by the x64 compiler or listed as unsupported.

The compiler's dispatch table is ``jit.x64.lower.LOWERINGS``, filled at import by the family modules
of ``jit.x64.lower``; ``jit.x64.lower.UNSUPPORTED`` names the rows without a lowering and the
proposal they belong to.
"""
from __future__ import annotations

import ast
import pathlib

import pytest

import jit
import jit.x64.compiler as compiler
from jit.wasm.opcodes import OPS, OPS_BY_NAME
from jit.x64.lower import KEY, LOWERINGS, UNSUPPORTED, lowers

X64 = pathlib.Path(compiler.__file__).parent


def test_every_opcode_row_is_lowered_or_listed_as_unsupported() -> None:
    missing = [info.name for key, info in OPS.items()
               if key not in LOWERINGS and info.name not in UNSUPPORTED]
    assert missing == [], f"instructions with neither a lowering nor an UNSUPPORTED entry: {missing}"


def test_unsupported_entries_name_a_proposal_and_are_not_lowered() -> None:
    for name, proposal in UNSUPPORTED.items():
        assert name in OPS_BY_NAME, f"UNSUPPORTED lists {name!r}, which is not in the opcode table"
        assert isinstance(proposal, str) and proposal, f"UNSUPPORTED[{name!r}] must name its proposal"
        assert OPS_BY_NAME[name].key not in LOWERINGS, f"{name} is lowered but still listed as unsupported"


def test_lowerings_are_only_registered_for_rows_of_the_opcode_table() -> None:
    assert sorted(set(LOWERINGS) - set(OPS)) == []


def test_the_compiler_dispatches_on_the_registry() -> None:
    assert compiler.HANDLERS is LOWERINGS


def test_a_second_lowering_for_an_opcode_is_refused() -> None:
    with pytest.raises(RuntimeError, match="two lowerings"):
        lowers("i32.add")(lambda self, a, b: None)
    assert LOWERINGS[KEY["i32.add"]] is not None


def test_an_opcode_without_lowering_is_a_compile_error(monkeypatch) -> None:
    # i32.popcnt: (func (param i32) (result i32) local.get 0 i32.popcnt)
    body = bytes([0x00, 0x20, 0x00, 0x69, 0x0B])
    wasm = (b"\0asm\1\0\0\0" + bytes([1, 6, 1, 0x60, 1, 0x7F, 1, 0x7F]) + bytes([3, 2, 1, 0])
            + bytes([10, len(body) + 2, 1, len(body)]) + body)
    jit.Module(wasm)
    monkeypatch.delitem(LOWERINGS, KEY["i32.popcnt"])
    with pytest.raises(jit.CompileError, match="i32.popcnt is not supported yet"):
        jit.Module(wasm)


def _class_sizes(path: pathlib.Path) -> dict[str, int]:
    tree = ast.parse(path.read_text())
    return {node.name: node.end_lineno - node.lineno + 1 for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)}


@pytest.mark.parametrize("path", sorted(X64.rglob("*.py")), ids=lambda p: str(p.relative_to(X64)))
def test_x64_modules_and_classes_stay_small(path: pathlib.Path) -> None:
    """The layering of issue 13: no x64 module over 800 lines, no class over 600."""
    assert len(path.read_text().splitlines()) <= 800
    for name, size in _class_sizes(path).items():
        assert size <= 600, f"class {name} has {size} lines"
