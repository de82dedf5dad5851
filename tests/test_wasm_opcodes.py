"""The opcode table: consistent rows, and every instruction's encoding as wasmtime's wat2wasm emits it."""
from __future__ import annotations

import pytest

from jit.wasm import OPS, OPS_BY_NAME, decode, op_key
from jit.wasm import opcodes as O

wasmtime = pytest.importorskip("wasmtime", reason="wasmtime provides the reference wat2wasm")

_IMM_TEXT = {
    O.NONE: "", O.BLOCK: "", O.LABEL: "0", O.BR_TABLE: "0 0", O.FUNC: "0",
    O.CALL_INDIRECT: "(type 0)", O.LOCAL: "0", O.GLOBAL: "0", O.TABLE: "0", O.MEMARG: "offset=3",
    O.MEMORY: "", O.I32_CONST: "-5", O.I64_CONST: "-5", O.F32_CONST: "1.5", O.F64_CONST: "1.5",
    O.SELECT_T: "(result i32)", O.REFTYPE: "func", O.MEMORY_INIT: "0", O.DATA: "0",
    O.MEMORY_COPY: "", O.TABLE_INIT: "0 0", O.ELEM: "0", O.TABLE_COPY: "0 0",
    O.V128_CONST: "i32x4 1 2 3 4", O.SHUFFLE: " ".join(str(i) for i in range(16)), O.LANE: "1",
    O.MEMARG_LANE: "offset=3 1", O.TAG: "0", O.TRY_TABLE: "",
}
_SKIP = {"else", "end"}


def _wat(instr: str) -> str:
    if instr.startswith(("block", "loop", "if", "try_table")):
        instr = f"{instr} end"
    return f"""(module (type (func)) (memory 1) (table 1 funcref) (global (mut i32) (i32.const 0))
      (data "x") (elem func 0) (tag)
      (func (local i32) {instr} unreachable))"""


def test_rows_are_consistent() -> None:
    assert len(OPS) == 462  # 201 single-byte and 0xFC rows + 236 SIMD + 2 tail calls + 3 EH + 20 relaxed SIMD
    assert sum(1 for k in OPS if 0xFD000 <= k < 0xFD100) == 236
    assert sum(1 for k in OPS if 0xFD100 <= k <= 0xFD113) == 20   # relaxed SIMD
    for key, info in OPS.items():
        assert info.key == key
        assert (info.params is None) == (info.results is None)
        if info.imm in (O.MEMARG, O.MEMARG_LANE):
            assert info.align is not None
    assert op_key("i32.add") == 0x6A
    assert op_key("select") == 0x1B
    assert OPS_BY_NAME["v128.load64_lane"].lanes == 2
    assert OPS[0xFD00C].encoding == b"\xfd\x0c"
    assert OPS[0xFD0FF].encoding == b"\xfd\xff\x01"
    with pytest.raises(KeyError):
        op_key("i32.frobnicate")


@pytest.mark.parametrize("key", sorted(k for k in OPS if OPS[k].name not in _SKIP))
def test_encoding_matches_wat2wasm(key: int) -> None:
    info = OPS[key]
    wasm = wasmtime.wat2wasm(_wat(f"{info.name} {_IMM_TEXT[info.imm]}".strip()))
    body = decode(wasm).codes[0].code
    assert body[0][0] == key, (info.name, [hex(i[0]) for i in body])
