"""Disassembly of compiled code with Capstone, interleaved with the Wasm instructions it came from.

Used by ``wxjit objdump`` and by the golden disassembly tests. Each function is printed with its
index and name; instructions that can trap or call carry the Wasm byte offset (and the Wasm
instruction at that offset) they were compiled from.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator

from ..abi.compiled import CompiledModule
from ..wasm.opcodes import OPS


def _wasm_text(insn: tuple) -> str:
    op, a, b, _pos = insn
    info = OPS.get(op)
    name = info.name if info else hex(op)
    imms = [repr(x) for x in (a, b) if x is not None]
    return " ".join([name, *imms])


def disassemble_function(compiled: CompiledModule, funcidx: int, wasm_module=None,
                         base_address: int = 0) -> Iterator[str]:
    """Lines of ``offset: bytes  mnemonic operands  ; wasm@offset text`` for one defined function."""
    import capstone

    i = funcidx - compiled.num_imported_funcs
    start, end = compiled.func_offsets[i], compiled.func_ends[i]
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    md.skipdata = True
    wasm_at: dict[int, str] = {}
    if wasm_module is not None:
        body = wasm_module.codes[i]
        for insn in body.code:
            wasm_at[insn[3]] = _wasm_text(insn)
    lo = bisect.bisect_left(compiled.pc_offsets, start)
    hi = bisect.bisect_right(compiled.pc_offsets, end)   # a trailing call returns to `end`
    # pc map entries: trap/access sites at the instruction, calls at the return address
    marks = {compiled.pc_offsets[k]: compiled.pc_wasm[k] for k in range(lo, hi)}
    after_call = -1
    for ins in md.disasm(compiled.code[start:end], base_address + start):
        off = ins.address - base_address
        text = f"{off:6x}: {ins.bytes.hex():<22} {ins.mnemonic} {ins.op_str}".rstrip()
        if ins.mnemonic == "call":          # calls are mapped by their return address
            pos = marks.get(off + ins.size)
            after_call = off + ins.size
        else:
            pos = marks.get(off) if off != after_call else None
        if pos is not None:
            text = f"{text:<72} ; wasm@{pos:#x} {wasm_at.get(pos, '')}".rstrip()
        yield text


def disassemble(compiled: CompiledModule, wasm_module=None, funcs: list[int] | None = None) -> Iterator[str]:
    """Every (or the selected) defined function, with a header line per function."""
    nimp = compiled.num_imported_funcs
    indices = funcs if funcs is not None else range(nimp, nimp + len(compiled.func_offsets))
    for f in indices:
        name = compiled.func_names.get(f)
        ftype = compiled.types[compiled.func_types[f]]
        yield f"func[{f}]{' <' + name + '>' if name else ''} {ftype}:"
        yield from disassemble_function(compiled, f, wasm_module)
        yield ""
