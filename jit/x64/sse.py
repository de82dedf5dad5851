"""SSE/SSE2/SSE4.1 instructions of the encoder (scalar float arithmetic, conversions, bit ops, moves).

Mixed into ``jit.x64.encoder.Assembler``; every method emits ``[66|F2|F3] [REX] 0F ... ModRM`` through
the assembler's ``_emit``. Most forms are generated from the tables below: one row per mnemonic with
its mandatory prefix and opcode. ``dst``/``src`` are ``Xmm`` registers or memory (``Mem``, or a
``Label`` for ``[rip + label]``) as each instruction allows; anything else raises ``EncodingError``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .operands import EncodingError, Label, Mem
from .registers import Gpr, Xmm

XmmOrMem = Xmm | Mem | Label

# name -> (mandatory prefix, opcode after it); all are "op xmm, xmm/mem" with reg = dst.
_BINOPS: dict[str, tuple[bytes, bytes]] = {
    **{f"{op}{t}": (pfx, b"\x0f" + bytes((code,)))
       for op, code in (("add", 0x58), ("mul", 0x59), ("sub", 0x5C), ("min", 0x5D), ("div", 0x5E),
                        ("max", 0x5F), ("sqrt", 0x51))
       for t, pfx in (("ss", b"\xf3"), ("sd", b"\xf2"))},
    "cvtss2sd": (b"\xf3", b"\x0f\x5a"),
    "cvtsd2ss": (b"\xf2", b"\x0f\x5a"),
    **{f"{op}{t}": (pfx, b"\x0f" + bytes((code,)))
       for op, code in (("and", 0x54), ("andn", 0x55), ("or", 0x56), ("xor", 0x57))
       for t, pfx in (("ps", b""), ("pd", b"\x66"))},
    "ucomiss": (b"", b"\x0f\x2e"),
    "ucomisd": (b"\x66", b"\x0f\x2e"),
    "comiss": (b"", b"\x0f\x2f"),
    "comisd": (b"\x66", b"\x0f\x2f"),
    "pxor": (b"\x66", b"\x0f\xef"),
    "pand": (b"\x66", b"\x0f\xdb"),
    "pandn": (b"\x66", b"\x0f\xdf"),
    "por": (b"\x66", b"\x0f\xeb"),
    "pcmpeqb": (b"\x66", b"\x0f\x74"),
    "pcmpeqd": (b"\x66", b"\x0f\x76"),
    "pcmpeqq": (b"\x66", b"\x0f\x38\x29"),
    "unpcklps": (b"", b"\x0f\x14"),
    "unpcklpd": (b"\x66", b"\x0f\x14"),
}

# name -> (prefix, opcode); "op xmm, xmm/mem, imm8".
_BINOPS_IMM: dict[str, tuple[bytes, bytes]] = {
    "roundss": (b"\x66", b"\x0f\x3a\x0a"),
    "roundsd": (b"\x66", b"\x0f\x3a\x0b"),
    "cmpss": (b"\xf3", b"\x0f\xc2"),
    "cmpsd": (b"\xf2", b"\x0f\xc2"),
    "cmpps": (b"", b"\x0f\xc2"),
    "cmppd": (b"\x66", b"\x0f\xc2"),
    "shufps": (b"", b"\x0f\xc6"),
    "pshufd": (b"\x66", b"\x0f\x70"),
}

# name -> (prefix, load opcode (reg = dst xmm), store opcode (reg = src xmm)).
_MOVES: dict[str, tuple[bytes, bytes, bytes]] = {
    "movss": (b"\xf3", b"\x0f\x10", b"\x0f\x11"),
    "movsd": (b"\xf2", b"\x0f\x10", b"\x0f\x11"),
    "movups": (b"", b"\x0f\x10", b"\x0f\x11"),
    "movupd": (b"\x66", b"\x0f\x10", b"\x0f\x11"),
    "movaps": (b"", b"\x0f\x28", b"\x0f\x29"),
    "movapd": (b"\x66", b"\x0f\x28", b"\x0f\x29"),
    "movdqa": (b"\x66", b"\x0f\x6f", b"\x0f\x7f"),
    "movdqu": (b"\xf3", b"\x0f\x6f", b"\x0f\x7f"),
}

# name -> (opcode, /digit); "op xmm, imm8", all with the 66 prefix.
_SHIFT_IMM: dict[str, tuple[bytes, int]] = {
    "psrlw": (b"\x0f\x71", 2), "psraw": (b"\x0f\x71", 4), "psllw": (b"\x0f\x71", 6),
    "psrld": (b"\x0f\x72", 2), "psrad": (b"\x0f\x72", 4), "pslld": (b"\x0f\x72", 6),
    "psrlq": (b"\x0f\x73", 2), "psrldq": (b"\x0f\x73", 3), "psllq": (b"\x0f\x73", 6),
    "pslldq": (b"\x0f\x73", 7),
}


def _imm8(owner: SseMixin, what: str, imm: int) -> bytes:
    return bytes((owner._wrap(what, imm, 8) & 0xFF,))


def _binop(name: str) -> Callable[..., None]:
    prefix, opcode = _BINOPS[name]

    def op(self: SseMixin, dst: Xmm, src: XmmOrMem) -> None:
        self._emit(opcode, self._xmm(name, dst).num, self._xmm_or_mem(name, src), prefix=prefix)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name} dst, src`` (dst: Xmm, src: Xmm or memory)."
    return op


def _binop_imm(name: str) -> Callable[..., None]:
    prefix, opcode = _BINOPS_IMM[name]

    def op(self: SseMixin, dst: Xmm, src: XmmOrMem, imm: int) -> None:
        self._emit(opcode, self._xmm(name, dst).num, self._xmm_or_mem(name, src), prefix=prefix,
                   imm=_imm8(self, name, imm))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name} dst, src, imm8``."
    return op


def _move(name: str) -> Callable[..., None]:
    prefix, load, store = _MOVES[name]

    def op(self: SseMixin, dst: XmmOrMem, src: XmmOrMem) -> None:
        if isinstance(dst, Xmm) and isinstance(src, Xmm | Mem | Label):
            self._emit(load, dst.num, src, prefix=prefix)
        elif isinstance(dst, Mem | Label) and isinstance(src, Xmm):
            self._emit(store, src.num, dst, prefix=prefix)
        else:
            raise self._fail(name, f"bad operands {dst!r}, {src!r}")

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name} dst, src``: xmm <- xmm, xmm <- mem, mem <- xmm."
    return op


def _shift_imm(name: str) -> Callable[..., None]:
    opcode, digit = _SHIFT_IMM[name]

    def op(self: SseMixin, dst: Xmm, imm: int) -> None:
        self._emit(opcode, digit, self._xmm(name, dst), prefix=b"\x66", imm=_imm8(self, name, imm))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``{name} xmm, imm8``."
    return op


class SseMixin:
    """The SSE part of ``Assembler`` (see the module docstring)."""

    if TYPE_CHECKING:
        def _emit(self, opcode: bytes, reg: int, rm: Gpr | Xmm | Mem | Label, *, w: bool = False,
                  prefix: bytes = b"", imm: bytes = b"", rex8: bool = False) -> None: ...

        def _fail(self, what: str, reason: str) -> EncodingError: ...

        def _gpr(self, what: str, x: object) -> Gpr: ...

        def _gpr_or_mem(self, what: str, x: object) -> Gpr | Mem | Label: ...

        def _wrap(self, what: str, value: int, bits: int) -> int: ...

    def _xmm(self, what: str, x: object) -> Xmm:
        if not isinstance(x, Xmm):
            raise self._fail(what, f"expected an xmm register, got {x!r}")
        return x

    def _xmm_or_mem(self, what: str, x: object) -> XmmOrMem:
        if not isinstance(x, Xmm | Mem | Label):
            raise self._fail(what, f"expected an xmm register or memory operand, got {x!r}")
        return x

    # scalar arithmetic
    addss = _binop("addss")
    addsd = _binop("addsd")
    subss = _binop("subss")
    subsd = _binop("subsd")
    mulss = _binop("mulss")
    mulsd = _binop("mulsd")
    divss = _binop("divss")
    divsd = _binop("divsd")
    sqrtss = _binop("sqrtss")
    sqrtsd = _binop("sqrtsd")
    minss = _binop("minss")
    minsd = _binop("minsd")
    maxss = _binop("maxss")
    maxsd = _binop("maxsd")
    cvtss2sd = _binop("cvtss2sd")
    cvtsd2ss = _binop("cvtsd2ss")
    # compares setting EFLAGS (``a`` is the register, ``b`` register or memory)
    ucomiss = _binop("ucomiss")
    ucomisd = _binop("ucomisd")
    comiss = _binop("comiss")
    comisd = _binop("comisd")
    # packed bit operations
    andps = _binop("andps")
    andpd = _binop("andpd")
    andnps = _binop("andnps")
    andnpd = _binop("andnpd")
    orps = _binop("orps")
    orpd = _binop("orpd")
    xorps = _binop("xorps")
    xorpd = _binop("xorpd")
    pxor = _binop("pxor")
    pand = _binop("pand")
    pandn = _binop("pandn")
    por = _binop("por")
    pcmpeqb = _binop("pcmpeqb")
    pcmpeqd = _binop("pcmpeqd")
    pcmpeqq = _binop("pcmpeqq")
    unpcklps = _binop("unpcklps")
    unpcklpd = _binop("unpcklpd")
    # with an imm8
    roundss = _binop_imm("roundss")
    roundsd = _binop_imm("roundsd")
    cmpss = _binop_imm("cmpss")
    cmpsd = _binop_imm("cmpsd")
    cmpps = _binop_imm("cmpps")
    cmppd = _binop_imm("cmppd")
    shufps = _binop_imm("shufps")
    pshufd = _binop_imm("pshufd")
    # moves
    movss = _move("movss")
    movsd = _move("movsd")
    movups = _move("movups")
    movupd = _move("movupd")
    movaps = _move("movaps")
    movapd = _move("movapd")
    movdqa = _move("movdqa")
    movdqu = _move("movdqu")
    # shifts by an immediate
    psrlw = _shift_imm("psrlw")
    psraw = _shift_imm("psraw")
    psllw = _shift_imm("psllw")
    psrld = _shift_imm("psrld")
    psrad = _shift_imm("psrad")
    pslld = _shift_imm("pslld")
    psrlq = _shift_imm("psrlq")
    psllq = _shift_imm("psllq")
    psrldq = _shift_imm("psrldq")
    pslldq = _shift_imm("pslldq")

    def movd(self, dst: Xmm | Gpr | Mem | Label, src: Xmm | Gpr | Mem | Label) -> None:
        """32-bit ``movd``: xmm <- gpr/mem (``66 0F 6E``), gpr/mem <- xmm (``66 0F 7E``)."""
        if isinstance(dst, Xmm) and isinstance(src, Gpr | Mem | Label):
            self._emit(b"\x0f\x6e", dst.num, src, prefix=b"\x66")
        elif isinstance(src, Xmm) and isinstance(dst, Gpr | Mem | Label):
            self._emit(b"\x0f\x7e", src.num, dst, prefix=b"\x66")
        else:
            raise self._fail("movd", f"bad operands {dst!r}, {src!r}")

    def movq(self, dst: Xmm | Gpr | Mem | Label, src: Xmm | Gpr | Mem | Label) -> None:
        """64-bit ``movq``: xmm <- gpr (``66 REX.W 0F 6E``), gpr <- xmm (``66 REX.W 0F 7E``),
        xmm <- xmm/mem (``F3 0F 7E``, zeroes the upper half), mem <- xmm (``66 0F D6``)."""
        if isinstance(dst, Xmm):
            if isinstance(src, Gpr):
                self._emit(b"\x0f\x6e", dst.num, src, w=True, prefix=b"\x66")
                return
            if isinstance(src, Xmm | Mem | Label):
                self._emit(b"\x0f\x7e", dst.num, src, prefix=b"\xf3")
                return
        elif isinstance(src, Xmm):
            if isinstance(dst, Gpr):
                self._emit(b"\x0f\x7e", src.num, dst, w=True, prefix=b"\x66")
                return
            if isinstance(dst, Mem | Label):
                self._emit(b"\x0f\xd6", src.num, dst, prefix=b"\x66")
                return
        raise self._fail("movq", f"bad operands {dst!r}, {src!r}")

    def _cvt_to_xmm(self, name: str, prefix: bytes, dst: Xmm, src: Gpr | Mem | Label, size: int) -> None:
        if size not in (32, 64):
            raise self._fail(name, f"integer size must be 32 or 64, got {size!r}")
        self._emit(b"\x0f\x2a", self._xmm(name, dst).num, self._gpr_or_mem(name, src),
                   w=size == 64, prefix=prefix)

    def cvtsi2ss(self, dst: Xmm, src: Gpr | Mem | Label, size: int = 64) -> None:
        """Signed ``size``-bit integer to float32."""
        self._cvt_to_xmm("cvtsi2ss", b"\xf3", dst, src, size)

    def cvtsi2sd(self, dst: Xmm, src: Gpr | Mem | Label, size: int = 64) -> None:
        """Signed ``size``-bit integer to float64."""
        self._cvt_to_xmm("cvtsi2sd", b"\xf2", dst, src, size)

    def _cvt_to_gpr(self, name: str, prefix: bytes, opcode: bytes, dst: Gpr, src: XmmOrMem,
                    size: int) -> None:
        if size not in (32, 64):
            raise self._fail(name, f"integer size must be 32 or 64, got {size!r}")
        self._emit(opcode, self._gpr(name, dst).num, self._xmm_or_mem(name, src), w=size == 64,
                   prefix=prefix)

    def cvttss2si(self, dst: Gpr, src: XmmOrMem, size: int = 64) -> None:
        """float32 to signed integer, truncating (0x80..0 on overflow/NaN)."""
        self._cvt_to_gpr("cvttss2si", b"\xf3", b"\x0f\x2c", dst, src, size)

    def cvttsd2si(self, dst: Gpr, src: XmmOrMem, size: int = 64) -> None:
        """float64 to signed integer, truncating (0x80..0 on overflow/NaN)."""
        self._cvt_to_gpr("cvttsd2si", b"\xf2", b"\x0f\x2c", dst, src, size)

    def cvtss2si(self, dst: Gpr, src: XmmOrMem, size: int = 64) -> None:
        """float32 to signed integer with the MXCSR rounding mode."""
        self._cvt_to_gpr("cvtss2si", b"\xf3", b"\x0f\x2d", dst, src, size)

    def cvtsd2si(self, dst: Gpr, src: XmmOrMem, size: int = 64) -> None:
        """float64 to signed integer with the MXCSR rounding mode."""
        self._cvt_to_gpr("cvtsd2si", b"\xf2", b"\x0f\x2d", dst, src, size)

    def movmskps(self, dst: Gpr, src: Xmm) -> None:
        """Sign bits of the four floats of ``src`` into ``dst``."""
        self._emit(b"\x0f\x50", self._gpr("movmskps", dst).num, self._xmm("movmskps", src))

    def movmskpd(self, dst: Gpr, src: Xmm) -> None:
        """Sign bits of the two doubles of ``src`` into ``dst``."""
        self._emit(b"\x0f\x50", self._gpr("movmskpd", dst).num, self._xmm("movmskpd", src), prefix=b"\x66")

    def _extract(self, name: str, w: bool, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        self._emit(b"\x0f\x3a\x16", self._xmm(name, src).num, self._gpr_or_mem(name, dst), w=w,
                   prefix=b"\x66", imm=_imm8(self, name, imm))

    def _insert(self, name: str, w: bool, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        self._emit(b"\x0f\x3a\x22", self._xmm(name, dst).num, self._gpr_or_mem(name, src), w=w,
                   prefix=b"\x66", imm=_imm8(self, name, imm))

    def pextrd(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """Dword ``imm`` of ``src`` into ``dst`` (SSE4.1)."""
        self._extract("pextrd", False, dst, src, imm)

    def pextrq(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """Qword ``imm`` of ``src`` into ``dst`` (SSE4.1)."""
        self._extract("pextrq", True, dst, src, imm)

    def pinsrd(self, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        """``src`` into dword ``imm`` of ``dst`` (SSE4.1)."""
        self._insert("pinsrd", False, dst, src, imm)

    def pinsrq(self, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        """``src`` into qword ``imm`` of ``dst`` (SSE4.1)."""
        self._insert("pinsrq", True, dst, src, imm)
