"""The x86-64 encoder checked against Keystone (bytes) and Capstone (decodings, label targets).

Every form in tests/x64_forms.py is emitted by our ``Assembler`` and assembled by Keystone from the
same Intel text; the bytes must be equal, or, where two encodings are legal, both must decode with
Capstone to the same instruction and ours must not be longer (so a missed short form still fails).
Today every form is byte-identical to Keystone. Each form is assembled by Keystone in one batch;
only a form whose batch differs is compared instruction by instruction. Labels, RIP-relative
operands and absolute addresses are checked by decoding with Capstone and following the target.
"""
from __future__ import annotations

import pytest
from x64_forms import DISPS, FORMS  # tests/ is on sys.path (pytest rootdir-relative)

from jit.errors import Error
from jit.x64.encoder import Assembler, Cond, EncodingError, Mem
from jit.x64.registers import (
    CL,
    GPRS,
    R8,
    R12,
    R13,
    RAX,
    RBP,
    RCX,
    RDX,
    RSI,
    RSP,
    XMM0,
    XMM9,
    Gpr,
    Xmm,
)

keystone = pytest.importorskip("keystone", reason="keystone-engine (reference assembler) is not installed")
capstone = pytest.importorskip("capstone", reason="capstone (the reference disassembler) is not installed")
from capstone import x86_const  # noqa: E402


@pytest.fixture(scope="module")
def ks() -> keystone.Ks:
    return keystone.Ks(keystone.KS_ARCH_X86, keystone.KS_MODE_64)


@pytest.fixture(scope="module")
def md() -> capstone.Cs:
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    md.detail = True
    return md


def decode_one(md: capstone.Cs, code: bytes) -> str | None:
    """Capstone's text for ``code`` if it is exactly one instruction, else None."""
    insns = list(md.disasm(code, 0))
    if len(insns) != 1 or insns[0].size != len(code):
        return None
    return f"{insns[0].mnemonic} {insns[0].op_str}".strip()


def disasm(md: capstone.Cs, code: bytes) -> list:
    insns = list(md.disasm(code, 0))
    assert sum(i.size for i in insns) == len(code), "code does not decode completely"
    return insns


# ---------------------------------------------------------------- every form against Keystone
@pytest.mark.parametrize("form", sorted(FORMS))
def test_form_matches_keystone(form: str, ks: keystone.Ks, md: capstone.Cs) -> None:
    insts = FORMS[form]()
    assert insts, form
    a = Assembler()
    ours: list[bytes] = []
    for _text, meth, args in insts:
        start = a.offset
        getattr(a, meth)(*args)
        ours.append(bytes(a.code[start:]))
    try:
        batch = bytes(ks.asm("\n".join(text for text, _, _ in insts))[0] or b"")
    except keystone.KsError:
        batch = None
    if batch == b"".join(ours):
        return
    failures = []
    for (text, _, _), mine in zip(insts, ours, strict=True):
        try:
            ref = bytes(ks.asm(text)[0] or b"")
        except keystone.KsError as e:
            failures.append(f"{text}: Keystone cannot assemble it ({e}); ours {mine.hex(' ')}")
            continue
        if ref == mine:
            continue
        ours_text, ref_text = decode_one(md, mine), decode_one(md, ref)
        if ours_text is not None and ours_text == ref_text and len(mine) <= len(ref):
            continue  # a different but equivalent encoding, and not a longer one
        failures.append(f"{text}: ours {mine.hex(' ')} [{ours_text}] != Keystone {ref.hex(' ')} [{ref_text}]")
    assert not failures, f"{len(failures)} of {len(insts)} differ:\n" + "\n".join(failures[:20])


# ---------------------------------------------------------------- absolute addresses
# Keystone is no reference for [disp32] without base or index: it turns a positive address into
# rip-relative and uses the moffs form (movabs) for the accumulator. We check Capstone's operands.
@pytest.mark.parametrize("disp", DISPS)
def test_absolute_address(disp: int, md: capstone.Cs) -> None:
    m = Mem(None, None, 1, disp)
    a = Assembler()
    a.mov(RAX, m, 32)
    a.add(R8, m, 64)
    a.lea(RCX, m)
    a.mov(m, -1, 64)
    a.movss(XMM9, m)
    insns = disasm(md, a.finish())
    assert [i.mnemonic for i in insns] == ["mov", "add", "lea", "mov", "movss"]
    for insn in insns:
        mems = [op for op in insn.operands if op.type == x86_const.X86_OP_MEM]
        assert len(mems) == 1, insn.op_str
        assert mems[0].mem.base == 0 and mems[0].mem.index == 0, insn.op_str
        assert mems[0].mem.disp == disp, insn.op_str


# ---------------------------------------------------------------- NOPs and alignment
INTEL_NOPS = {
    1: "90", 2: "66 90", 3: "0f 1f 00", 4: "0f 1f 40 00", 5: "0f 1f 44 00 00", 6: "66 0f 1f 44 00 00",
    7: "0f 1f 80 00 00 00 00", 8: "0f 1f 84 00 00 00 00 00", 9: "66 0f 1f 84 00 00 00 00 00",
}


@pytest.mark.parametrize("n", range(0, 24))
def test_nop_lengths(n: int, md: capstone.Cs) -> None:
    # Keystone mis-assembles "nop word ptr [rax + rax]" (as prefetch), so the reference is Intel's table.
    a = Assembler()
    a.nop(n)
    code = a.finish()
    assert len(code) == n
    insns = disasm(md, code)
    assert all(i.mnemonic == "nop" for i in insns)
    if 1 <= n <= 9:
        assert code.hex(" ") == INTEL_NOPS[n]
        assert len(insns) == 1
    assert len(insns) == -(-n // 9)


def test_align() -> None:
    a = Assembler()
    a.ret()
    a.align(16)
    assert a.code == b"\xc3" + b"\xcc" * 15
    a.align(16)
    assert a.offset == 16
    a.ret()
    a.align(8, fill=None)
    assert a.code[17:] == bytes.fromhex(INTEL_NOPS[7].replace(" ", ""))
    with pytest.raises(EncodingError):
        a.align(3)


def test_data_directives() -> None:
    a = Assembler()
    a.db(b"\x01\x02")
    a.db(0xFF)
    a.dd(-1)
    a.dd(0x12345678)
    a.dq(2**64 - 1)
    a.dq(-2)
    assert a.finish() == bytes.fromhex("0102ff ffffffff 78563412 ffffffffffffffff feffffffffffffff")
    with pytest.raises(EncodingError):
        a.dd(2**32)
    with pytest.raises(EncodingError):
        a.dq(2**64)


# ---------------------------------------------------------------- labels and jumps
def _target(insn) -> int:
    ops = insn.operands
    assert len(ops) == 1 and ops[0].type == x86_const.X86_OP_IMM, insn.op_str
    return ops[0].imm


JCC_MNEMONICS = {
    Cond.O: "jo", Cond.NO: "jno", Cond.B: "jb", Cond.AE: "jae", Cond.E: "je", Cond.NE: "jne",
    Cond.BE: "jbe", Cond.A: "ja", Cond.S: "js", Cond.NS: "jns", Cond.P: "jp", Cond.NP: "jnp",
    Cond.L: "jl", Cond.GE: "jge", Cond.LE: "jle", Cond.G: "jg",
}


@pytest.mark.parametrize("gap", [0, 1, 100, 125, 126, 127, 128, 129, 130, 1000, 70000])
def test_backward_jumps_pick_rel8_when_it_fits(gap: int, md: capstone.Cs) -> None:
    a = Assembler()
    top = a.label("top")
    a.nop(3)
    a.bind(top)
    a.nop(gap)
    at = a.offset
    a.jmp(top)
    jmp_len = a.offset - at
    at2 = a.offset
    a.jcc(Cond.NE, top)
    jcc_len = a.offset - at2
    code = a.finish()
    # rel8 when top - (end of a 2-byte jump) >= -128
    assert jmp_len == (2 if 3 - (at + 2) >= -128 else 5)
    assert jcc_len == (2 if 3 - (at2 + 2) >= -128 else 6)
    if gap == 126:  # the farthest rel8 reach: -128
        assert code[at:at + 2] == b"\xeb\x80"
    insns = [i for i in disasm(md, code) if i.mnemonic != "nop"]
    assert [i.mnemonic for i in insns] == ["jmp", "jne"]
    assert [_target(i) for i in insns] == [3, 3]


@pytest.mark.parametrize("cond", list(Cond))
def test_jcc_forward_and_backward(cond: Cond, md: capstone.Cs) -> None:
    a = Assembler()
    back, fwd, far = a.label(), a.label(), a.label()
    a.bind(back)
    a.jcc(cond, back)
    a.jcc(cond, fwd)
    a.jcc(cond, far)
    a.jcc(cond, fwd, short=True)
    a.bind(fwd)
    a.nop(300)
    a.bind(far)
    a.ret()
    insns = disasm(md, a.finish())
    jumps = [i for i in insns if i.mnemonic.startswith("j")]
    assert [i.mnemonic for i in jumps] == [JCC_MNEMONICS[cond]] * 4
    assert [i.size for i in jumps] == [2, 6, 6, 2]
    assert [_target(i) for i in jumps] == [0, fwd.offset, far.offset, fwd.offset]
    assert fwd.offset == 16 and far.offset == 316


def test_forward_jmp_call_and_many_references(md: capstone.Cs) -> None:
    a = Assembler()
    end = a.label("end")
    for _ in range(3):
        a.jmp(end)
        a.call(end)
        a.jmp(end, short=True)
    a.nop(50)
    a.bind(end)
    a.ret()
    insns = disasm(md, a.finish())
    jumps = [i for i in insns if i.mnemonic in ("jmp", "call")]
    assert [(i.mnemonic, i.size) for i in jumps] == [("jmp", 5), ("call", 5), ("jmp", 2)] * 3
    assert {_target(i) for i in jumps} == {end.offset}
    assert a.unbound_labels == []


def test_backward_call_is_rel32(md: capstone.Cs) -> None:
    a = Assembler()
    f = a.label()
    a.bind(f)
    a.ret()
    a.call(f)
    insns = disasm(md, a.finish())
    assert insns[1].bytes[0] == 0xE8 and _target(insns[1]) == 0


def test_short_forward_jump_out_of_range_fails_at_bind() -> None:
    a = Assembler()
    far = a.label("far")
    a.jmp(far, short=True)
    a.nop(128)  # one byte more than rel8 can reach
    with pytest.raises(EncodingError, match="short jump"):
        a.bind(far)


def test_short_forward_jump_at_limit() -> None:
    a = Assembler()
    lbl = a.label()
    a.jmp(lbl, short=True)
    a.nop(127)
    a.bind(lbl)
    assert a.code[:2] == b"\xeb\x7f"


def test_short_backward_jump_out_of_range_raises_before_emitting() -> None:
    a = Assembler()
    top = a.label()
    a.bind(top)
    a.nop(200)
    with pytest.raises(EncodingError):
        a.jmp(top, short=True)
    assert a.offset == 200


def test_call_rel32_and_jmp_rel32_return_field_offsets() -> None:
    a = Assembler()
    a.nop(3)
    assert a.call_rel32() == 4
    assert a.jmp_rel32() == 9
    assert a.finish() == bytes.fromhex("0f1f00 e800000000 e900000000")


def test_unbound_label_fails_finish_and_double_bind() -> None:
    a = Assembler()
    lbl = a.label("nowhere")
    a.jmp(lbl)
    with pytest.raises(EncodingError, match="nowhere"):
        a.finish()
    a.bind(lbl)
    assert a.finish() == b"\xe9\0\0\0\0"
    with pytest.raises(EncodingError, match="already bound"):
        a.bind(lbl)
    unused = a.label()
    assert a.finish() == b"\xe9\0\0\0\0" and not unused.bound


def _rip_target(insn) -> int:
    mems = [op for op in insn.operands if op.type == x86_const.X86_OP_MEM]
    assert len(mems) == 1 and mems[0].mem.base == x86_const.X86_REG_RIP, insn.op_str
    return insn.address + insn.size + mems[0].mem.disp


@pytest.mark.parametrize("forward", [True, False])
def test_rip_relative_operands(forward: bool, md: capstone.Cs) -> None:
    a = Assembler()
    data = a.label("data")
    if not forward:
        a.bind(data)
        a.dq(0x1122334455667788)
    a.lea(RAX, data)
    a.lea(R13, data, 32)
    a.mov(RCX, data, 64)
    a.mov(R8, data, 32)
    a.mov(data, RSI, 64)
    a.mov(data, 7, 32)           # the imm32 follows the disp32: disp is relative to the very end
    a.cmp(data, 1, 64)           # imm8 after the disp32
    a.add(RDX, data, 64)
    a.call_rip(data)
    a.jmp_rip(data)
    a.movsd(XMM9, data)
    a.roundsd(XMM0, data, 4)     # SSE4.1 with a trailing imm8
    a.movq(data, XMM0)
    if forward:
        a.align(8)
        a.bind(data)
        a.dq(0x1122334455667788)
    code = a.finish()
    start = 0 if forward else 8  # skip the data in front
    insns = list(md.disasm(code[start:], start))
    n = 13
    insns = insns[:n]
    expected = ["lea", "lea", "mov", "mov", "mov", "mov", "cmp", "add", "call", "jmp", "movsd", "roundsd",
                "movq"]
    assert [i.mnemonic for i in insns] == expected
    assert [_rip_target(i) for i in insns] == [data.offset] * n


def test_jump_table_with_dd_label() -> None:
    a = Assembler()
    cases = [a.label(f"case{i}") for i in range(3)]
    a.bind(cases[0])
    a.ret()
    table = a.label("table")
    a.bind(table)
    for c in cases:
        a.dd_label(c, table)
    a.bind(cases[1])
    a.ret()
    a.nop(5)
    a.bind(cases[2])
    code = a.finish()
    entries = [int.from_bytes(code[1 + 4 * i:5 + 4 * i], "little", signed=True) for i in range(3)]
    assert [table.offset + e for e in entries] == [c.offset for c in cases]


def test_patch32_frame_size(md: capstone.Cs) -> None:
    a = Assembler()
    a.sub(RSP, 0, 64, force_imm32=True)
    field = a.offset - 4
    a.patch32(field, 0x120)
    insns = disasm(md, a.finish())
    assert f"{insns[0].mnemonic} {insns[0].op_str}" == "sub rsp, 0x120"


# ---------------------------------------------------------------- errors and operand model
@pytest.mark.parametrize("call", [
    lambda a: a.add(RAX, 2**31, 64),
    lambda a: a.add(RAX, -(2**31) - 1, 64),
    lambda a: a.add(RAX, 2**32, 32),
    lambda a: a.add(RAX, 256, 8),
    lambda a: a.cmp(Mem(RAX), 2**40, 64),
    lambda a: a.mov(Mem(RAX), 2**31, 64),
    lambda a: a.mov(RAX, 2**64, 64),
    lambda a: a.mov(RAX, -(2**63) - 1, 64),
    lambda a: a.mov(Mem(RAX), Mem(RCX), 64),
    lambda a: a.add(Mem(RAX), Mem(RCX), 64),
    lambda a: a.add(RAX, RCX, 128),
    lambda a: a.shl(RAX, RDX, 64),
    lambda a: a.shl(RAX, 256, 64),
    lambda a: a.movsx(RAX, RCX, 32, 32),
    lambda a: a.movzx(RAX, RCX, 32, 64),
    lambda a: a.lea(RAX, RCX),
    lambda a: a.addsd(RAX, XMM0),
    lambda a: a.addsd(XMM0, RAX),
    lambda a: a.movss(Mem(RAX), Mem(RCX)),
    lambda a: a.movd(XMM0, XMM9),
    lambda a: a.cvtsi2sd(XMM0, RAX, 16),
    lambda a: a.jcc(Cond.E, RAX),
    lambda a: a.push(XMM0),
    lambda a: a.add(RAX, True, 64),
    lambda a: a.roundsd(XMM0, XMM9, 256),
    lambda a: a.dd(2**32),
])
def test_unencodable_raises_encoding_error(call) -> None:
    a = Assembler()
    a.nop(2)
    with pytest.raises(EncodingError) as info:
        call(a)
    assert isinstance(info.value, Error) and isinstance(info.value, ValueError)
    assert "at code offset 0x2" in str(info.value)
    assert a.offset == 2, "a failed instruction must not leave bytes behind"


@pytest.mark.parametrize("kwargs", [
    dict(base=RAX, index=RSP), dict(base=RAX, index=RCX, scale=3), dict(base=RAX, scale=2),
    dict(base=RAX, disp=2**31), dict(base=RAX, disp=-(2**31) - 1), dict(base=XMM0),
])
def test_bad_memory_operands(kwargs) -> None:
    with pytest.raises(EncodingError):
        Mem(**kwargs)


def test_r12_is_a_valid_index() -> None:
    a = Assembler()
    a.mov(RAX, Mem(RBP, R12, 2), 64)
    assert a.finish() == bytes.fromhex("4a8b446500")


def test_cond_negate_and_aliases() -> None:
    pairs = [(Cond.E, Cond.NE), (Cond.B, Cond.AE), (Cond.L, Cond.GE), (Cond.LE, Cond.G),
             (Cond.BE, Cond.A), (Cond.O, Cond.NO), (Cond.S, Cond.NS), (Cond.P, Cond.NP)]
    for x, y in pairs:
        assert x.negate() is y and y.negate() is x
    assert (Cond.Z, Cond.NZ, Cond.C, Cond.NC) == (Cond.E, Cond.NE, Cond.B, Cond.AE)
    assert [c.value for c in Cond] == list(range(16))


def test_register_model() -> None:
    assert [r.name for r in GPRS] == ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                      "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
    assert [RSP.name_for(s) for s in (64, 32, 16, 8)] == ["rsp", "esp", "sp", "spl"]
    assert [R13.name_for(s) for s in (64, 32, 16, 8)] == ["r13", "r13d", "r13w", "r13b"]
    assert Xmm(15).name == "xmm15" and CL == RCX == Gpr(1)
    assert len({Gpr(3), Gpr(3), Xmm(3)}) == 2
    with pytest.raises(ValueError):
        Gpr(16)
    with pytest.raises(ValueError):
        RAX.name_for(12)


def test_byte_registers_force_rex_only_for_spl_bpl_sil_dil() -> None:
    a = Assembler()
    a.setcc(Cond.E, RCX)   # cl: no REX
    a.setcc(Cond.E, RSI)   # sil: REX 40
    a.mov(R12, RSP, 8)     # r12b <- spl: REX.B
    assert a.finish() == bytes.fromhex("0f94c1 400f94c6 4188e4")
