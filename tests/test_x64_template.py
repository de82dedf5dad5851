"""Templates (``jit.x64.encoder.Template``): a sequence assembled once and spliced in is byte-identical
to assembling it in place, and a template jump to a bound label is refused."""
from __future__ import annotations

import pytest

from jit.x64.encoder import Assembler, Cond, EncodingError, Label, Mem, Template
from jit.x64.registers import RAX, RDI, RSI, VMCTX


def _seq(a: Assembler, exit_: Label, helper: Label) -> int:
    a.mov(RSI, 7, 32)
    a.cmp(RAX, Mem(VMCTX, disp=0x40), 64)
    a.jcc(Cond.B, exit_)
    a.mov(RDI, VMCTX, 64)
    a.sub(RAX, 0, 64, force_imm32=True)
    mark = a.offset - 4
    a.call_rip(helper)
    inner = a.label()
    a.jmp(inner)              # a jump inside the sequence, resolved inside it
    a.bind(inner)
    a.jmp(exit_)
    return mark


TEMPLATE = Template(_seq, 2)


@pytest.mark.parametrize("helper_bound", [False, True])
def test_splice_matches_assembling_in_place(helper_bound: bool) -> None:
    direct, spliced = Assembler(), Assembler()
    results = []
    for a in (direct, spliced):
        helper, exit_ = Label("helper"), Label("exit")
        a.db(b"\x90" * 3)
        if helper_bound:
            a.bind(helper)
            a.dq(0)
        if a is direct:
            results.append(_seq(a, exit_, helper))
        else:
            results.append(a.splice(TEMPLATE, exit_, helper) + TEMPLATE.marks)
        a.db(b"\xcc" * 200)
        a.bind(exit_)
        if not helper_bound:
            a.bind(helper)
            a.dq(0)
    assert spliced.finish() == direct.finish()
    assert results[0] == results[1]


def test_splice_refuses_a_jump_to_a_bound_label() -> None:
    a = Assembler()
    exit_, helper = Label("exit"), Label("helper")
    a.bind(exit_)
    with pytest.raises(EncodingError, match="already bound"):
        a.splice(TEMPLATE, exit_, helper)


def test_template_refuses_a_label_left_unbound() -> None:
    def build(a: Assembler) -> None:
        a.jmp(a.label("dangling"))

    with pytest.raises(EncodingError, match="never bound"):
        Template(build)
