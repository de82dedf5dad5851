"""SSE/SSE2/SSSE3/SSE4.1 instructions of the encoder, plus SSE4.2 ``pcmpgtq``: scalar and packed float
arithmetic, packed integer arithmetic, compares, shifts, shuffles, conversions, bit ops and moves (all
128-bit legacy encodings, no VEX).

Mixed into ``jit.x64.encoder.Assembler``; every method emits ``[66|F2|F3] [REX] 0F [38|3A] op ModRM
[imm8]`` through the assembler's ``_emit`` (or ``_op`` with a form id of ``jit.x64.encoding.form``:
the table-driven methods; both memoize the bytes). Most forms are generated from the tables below: one row per
mnemonic with its mandatory prefix and opcode; the generated methods are attached to ``SseMixin`` after
the class. ``dst``/``src`` are ``Xmm`` registers or memory (``Mem``, or a ``Label`` for
``[rip + label]``) as each instruction allows; anything else raises ``EncodingError``.

A few VEX.128 forms (``_VEX_FMA``: FMA3 ``vfmadd231ps``...; ``_VEX_BLENDV``: AVX ``vpblendvb``...) take
xmm registers only; the compiler emits them only when ``jit.abi.cpu.host_features()`` reports
``fma`` / ``avx`` (the relaxed SIMD lowerings).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from .encoding import BYTE, form
from .operands import EncodingError, Label, Mem
from .registers import Gpr, Xmm

XmmOrMem = Xmm | Mem | Label

# float arithmetic: op -> opcode after 0F; the ss/sd/ps/pd forms differ only in the prefix.
_FLOAT_ARITH = (("add", 0x58), ("mul", 0x59), ("sub", 0x5C), ("min", 0x5D), ("div", 0x5E), ("max", 0x5F),
                ("sqrt", 0x51))

# name -> opcode after 66 0F (SSE2 packed integer).
_INT_0F = {
    "paddb": 0xFC, "paddw": 0xFD, "paddd": 0xFE, "paddq": 0xD4,
    "psubb": 0xF8, "psubw": 0xF9, "psubd": 0xFA, "psubq": 0xFB,
    "paddsb": 0xEC, "paddsw": 0xED, "paddusb": 0xDC, "paddusw": 0xDD,
    "psubsb": 0xE8, "psubsw": 0xE9, "psubusb": 0xD8, "psubusw": 0xD9,
    "pminub": 0xDA, "pmaxub": 0xDE, "pminsw": 0xEA, "pmaxsw": 0xEE, "pavgb": 0xE0, "pavgw": 0xE3,
    "pmullw": 0xD5, "pmulhw": 0xE5, "pmulhuw": 0xE4, "pmuludq": 0xF4, "pmaddwd": 0xF5,
    "pxor": 0xEF, "pand": 0xDB, "pandn": 0xDF, "por": 0xEB,
    "pcmpeqb": 0x74, "pcmpeqw": 0x75, "pcmpeqd": 0x76, "pcmpgtb": 0x64, "pcmpgtw": 0x65, "pcmpgtd": 0x66,
    "packsswb": 0x63, "packuswb": 0x67, "packssdw": 0x6B,
    "punpcklbw": 0x60, "punpcklwd": 0x61, "punpckldq": 0x62, "punpcklqdq": 0x6C,
    "punpckhbw": 0x68, "punpckhwd": 0x69, "punpckhdq": 0x6A, "punpckhqdq": 0x6D,
}

# name -> opcode after 66 0F 38 (SSSE3, SSE4.1, SSE4.2 pcmpgtq).
_INT_0F38 = {
    "pshufb": 0x00, "pmaddubsw": 0x04, "pmulhrsw": 0x0B, "pabsb": 0x1C, "pabsw": 0x1D, "pabsd": 0x1E,
    "ptest": 0x17, "pmuldq": 0x28, "pcmpeqq": 0x29, "packusdw": 0x2B, "pcmpgtq": 0x37,
    "pminsb": 0x38, "pminsd": 0x39, "pminuw": 0x3A, "pminud": 0x3B,
    "pmaxsb": 0x3C, "pmaxsd": 0x3D, "pmaxuw": 0x3E, "pmaxud": 0x3F, "pmulld": 0x40,
    "pmovsxbw": 0x20, "pmovsxwd": 0x23, "pmovsxdq": 0x25,
    "pmovzxbw": 0x30, "pmovzxwd": 0x33, "pmovzxdq": 0x35,
}

# name -> (mandatory prefix, opcode after it); all are "op xmm, xmm/mem" with reg = dst.
_BINOPS: dict[str, tuple[bytes, bytes]] = {
    **{f"{op}{t}": (pfx, b"\x0f" + bytes((code,)))
       for op, code in _FLOAT_ARITH
       for t, pfx in (("ss", b"\xf3"), ("sd", b"\xf2"), ("ps", b""), ("pd", b"\x66"))},
    "cvtss2sd": (b"\xf3", b"\x0f\x5a"),
    "cvtsd2ss": (b"\xf2", b"\x0f\x5a"),
    "cvtps2pd": (b"", b"\x0f\x5a"),
    "cvtpd2ps": (b"\x66", b"\x0f\x5a"),
    "cvtdq2ps": (b"", b"\x0f\x5b"),
    "cvttps2dq": (b"\xf3", b"\x0f\x5b"),
    "cvtdq2pd": (b"\xf3", b"\x0f\xe6"),
    "cvttpd2dq": (b"\x66", b"\x0f\xe6"),
    **{f"{op}{t}": (pfx, b"\x0f" + bytes((code,)))
       for op, code in (("and", 0x54), ("andn", 0x55), ("or", 0x56), ("xor", 0x57), ("unpckl", 0x14),
                        ("unpckh", 0x15))
       for t, pfx in (("ps", b""), ("pd", b"\x66"))},
    "ucomiss": (b"", b"\x0f\x2e"),
    "ucomisd": (b"\x66", b"\x0f\x2e"),
    "comiss": (b"", b"\x0f\x2f"),
    "comisd": (b"\x66", b"\x0f\x2f"),
    **{name: (b"\x66", b"\x0f" + bytes((code,))) for name, code in _INT_0F.items()},
    **{name: (b"\x66", b"\x0f\x38" + bytes((code,))) for name, code in _INT_0F38.items()},
}

# name -> (prefix, opcode); "op xmm, xmm/mem, imm8".
_BINOPS_IMM: dict[str, tuple[bytes, bytes]] = {
    "roundps": (b"\x66", b"\x0f\x3a\x08"),
    "roundpd": (b"\x66", b"\x0f\x3a\x09"),
    "roundss": (b"\x66", b"\x0f\x3a\x0a"),
    "roundsd": (b"\x66", b"\x0f\x3a\x0b"),
    "cmpss": (b"\xf3", b"\x0f\xc2"),
    "cmpsd": (b"\xf2", b"\x0f\xc2"),
    "cmpps": (b"", b"\x0f\xc2"),
    "cmppd": (b"\x66", b"\x0f\xc2"),
    "shufps": (b"", b"\x0f\xc6"),
    "pshufd": (b"\x66", b"\x0f\x70"),
    "pshuflw": (b"\xf2", b"\x0f\x70"),
    "pshufhw": (b"\xf3", b"\x0f\x70"),
    "palignr": (b"\x66", b"\x0f\x3a\x0f"),
    "pblendw": (b"\x66", b"\x0f\x3a\x0e"),
    "insertps": (b"\x66", b"\x0f\x3a\x21"),
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

# name -> (opcode, /digit) of "op xmm, imm8", all with the 66 prefix.
_SHIFT_IMM: dict[str, tuple[bytes, int]] = {
    "psrlw": (b"\x0f\x71", 2), "psraw": (b"\x0f\x71", 4), "psllw": (b"\x0f\x71", 6),
    "psrld": (b"\x0f\x72", 2), "psrad": (b"\x0f\x72", 4), "pslld": (b"\x0f\x72", 6),
    "psrlq": (b"\x0f\x73", 2), "psrldq": (b"\x0f\x73", 3), "psllq": (b"\x0f\x73", 6),
    "pslldq": (b"\x0f\x73", 7),
}

# name -> opcode of "op xmm, xmm/m128" (count in the low qword), 66 prefix; psrldq/pslldq have none.
_SHIFT_XMM: dict[str, bytes] = {
    "psrlw": b"\x0f\xd1", "psrld": b"\x0f\xd2", "psrlq": b"\x0f\xd3", "psraw": b"\x0f\xe1",
    "psrad": b"\x0f\xe2", "psllw": b"\x0f\xf1", "pslld": b"\x0f\xf2", "psllq": b"\x0f\xf3",
}


# VEX.128 forms (AVX, FMA) used where the CPU probe reports them (relaxed SIMD), register operands
# only: name -> (pp: 1 = 66, map: 2 = 0F38 / 3 = 0F3A, VEX.W, opcode).
# "op dst, src1, src2": dst = src1 * src2 +/- dst (FMA 231 forms, fused: one rounding).
_VEX_FMA: dict[str, tuple[int, int, int, int]] = {
    "vfmadd231ps": (1, 2, 0, 0xB8), "vfmadd231pd": (1, 2, 1, 0xB8),
    "vfnmadd231ps": (1, 2, 0, 0xBC), "vfnmadd231pd": (1, 2, 1, 0xBC),
}
# "op dst, src1, src2, mask": dst = the lanes of src2 where the mask lane's top bit is set, else src1 (AVX,
# four operands, the mask register in imm8[7:4]).
_VEX_BLENDV: dict[str, tuple[int, int, int, int]] = {
    "vblendvps": (1, 3, 0, 0x4A), "vblendvpd": (1, 3, 0, 0x4B), "vpblendvb": (1, 3, 0, 0x4C),
}


def _imm8(owner: SseMixin, what: str, imm: int) -> bytes:
    if type(imm) is int and -0x80 <= imm <= 0xFF:
        return BYTE[imm & 0xFF]
    return BYTE[owner._wrap(what, imm, 8) & 0xFF]


def _named(op: Callable[..., None], name: str, doc: str) -> Callable[..., None]:
    op.__name__ = name
    op.__qualname__ = f"SseMixin.{name}"
    op.__doc__ = doc
    return op


def _binop(name: str) -> Callable[..., None]:
    prefix, opcode = _BINOPS[name]
    fid = form(prefix, opcode)

    def op(self: SseMixin, dst: Xmm, src: XmmOrMem) -> None:
        if self.checks:
            self._xmm(name, dst)
            self._xmm_or_mem(name, src)
        self._op(fid, dst.num, src)

    return _named(op, name, f"``{name} dst, src`` (dst: Xmm, src: Xmm or memory).")


def _binop_imm(name: str) -> Callable[..., None]:
    prefix, opcode = _BINOPS_IMM[name]
    fid = form(prefix, opcode)

    def op(self: SseMixin, dst: Xmm, src: XmmOrMem, imm: int) -> None:
        if self.checks:
            self._xmm(name, dst)
            self._xmm_or_mem(name, src)
        self._op(fid, dst.num, src, _imm8(self, name, imm))

    return _named(op, name, f"``{name} dst, src, imm8`` (dst: Xmm, src: Xmm or memory).")


def _move(name: str) -> Callable[..., None]:
    prefix, load, store = _MOVES[name]
    fid_load, fid_store = form(prefix, load), form(prefix, store)

    def op(self: SseMixin, dst: XmmOrMem, src: XmmOrMem) -> None:
        td, ts = type(dst), type(src)
        if td is Xmm and (ts is Xmm or ts is Mem or ts is Label):
            self._op(fid_load, dst.num, src)
        elif ts is Xmm and (td is Mem or td is Label):
            self._op(fid_store, src.num, dst)
        else:
            raise self._fail(name, f"bad operands {dst!r}, {src!r}")

    return _named(op, name, f"``{name} dst, src``: xmm <- xmm, xmm <- mem, mem <- xmm.")


def _shift(name: str) -> Callable[..., None]:
    opcode, digit = _SHIFT_IMM[name]
    by_xmm = _SHIFT_XMM.get(name)

    if by_xmm is None:
        def op_imm(self: SseMixin, dst: Xmm, imm: int) -> None:
            self._emit(opcode, digit, self._xmm(name, dst), prefix=b"\x66", imm=_imm8(self, name, imm))

        return _named(op_imm, name, f"``{name} xmm, imm8``.")

    def op(self: SseMixin, dst: Xmm, count: int | XmmOrMem) -> None:
        if isinstance(count, int):
            self._emit(opcode, digit, self._xmm(name, dst), prefix=b"\x66", imm=_imm8(self, name, count))
        else:
            self._emit(by_xmm, self._xmm(name, dst).num, self._xmm_or_mem(name, count), prefix=b"\x66")

    return _named(op, name, f"``{name} xmm, count``: count an imm8, or an xmm/m128 (low qword).")


def _vex_fma(name: str) -> Callable[..., None]:
    pp, mmmmm, w, opcode = _VEX_FMA[name]

    def op(self: SseMixin, dst: Xmm, src1: Xmm, src2: Xmm) -> None:
        self._emit_vex(name, pp, mmmmm, w, opcode, dst, src1, src2)

    return _named(op, name, f"``{name} dst, src1, src2`` (VEX.128, xmm registers).")


def _vex_blendv(name: str) -> Callable[..., None]:
    pp, mmmmm, w, opcode = _VEX_BLENDV[name]

    def op(self: SseMixin, dst: Xmm, src1: Xmm, src2: Xmm, mask: Xmm) -> None:
        imm = bytes((self._xmm(name, mask).num << 4,))
        self._emit_vex(name, pp, mmmmm, w, opcode, dst, src1, src2, imm)

    return _named(op, name, f"``{name} dst, src1, src2, mask`` (VEX.128, xmm registers).")


class SseMixin:
    """The SSE part of ``Assembler`` (see the module docstring).

    The table-driven methods (``addss``, ``paddb``, ``roundps``, ``movdqa``, ``psllw``, ...) are
    attached after the class, one per row of ``_BINOPS``, ``_BINOPS_IMM``, ``_MOVES`` and ``_SHIFT_IMM``.
    """

    if TYPE_CHECKING:
        checks: bool
        code: bytearray

        def _op(self, fid: int, reg: int, rm: Gpr | Xmm | Mem | Label, imm: bytes = b"") -> None: ...

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

    def _emit_vex(self, what: str, pp: int, mmmmm: int, w: int, opcode: int, reg: object, vvvv: object,
                  rm: object, imm: bytes = b"") -> None:
        """Emit the three-byte VEX.128 form ``C4 [RXB.mmmmm] [W.vvvv.L.pp] opcode ModRM [imm]`` with
        register operands only (``reg`` = ModRM.reg, ``vvvv`` = the extra source, ``rm`` = ModRM.rm)."""
        r, v, m = self._xmm(what, reg).num, self._xmm(what, vvvv).num, self._xmm(what, rm).num
        byte1 = ((~r >> 3) & 1) << 7 | 1 << 6 | ((~m >> 3) & 1) << 5 | mmmmm
        byte2 = w << 7 | (~v & 15) << 3 | pp
        self.code += bytes((0xC4, byte1, byte2, opcode, 0xC0 | (r & 7) << 3 | (m & 7))) + imm

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

    def pmovmskb(self, dst: Gpr, src: Xmm) -> None:
        """Sign bits of the sixteen bytes of ``src`` into ``dst`` (``66 0F D7``)."""
        self._emit(b"\x0f\xd7", self._gpr("pmovmskb", dst).num, self._xmm("pmovmskb", src), prefix=b"\x66")

    def _extract(self, name: str, opcode: bytes, w: bool, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        self._emit(opcode, self._xmm(name, src).num, self._gpr_or_mem(name, dst), w=w,
                   prefix=b"\x66", imm=_imm8(self, name, imm))

    def _insert(self, name: str, opcode: bytes, w: bool, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        self._emit(opcode, self._xmm(name, dst).num, self._gpr_or_mem(name, src), w=w,
                   prefix=b"\x66", imm=_imm8(self, name, imm))

    def pextrb(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """Byte ``imm`` of ``src`` into ``dst`` (zero-extended into a register; SSE4.1)."""
        self._extract("pextrb", b"\x0f\x3a\x14", False, dst, src, imm)

    def pextrw(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """Word ``imm`` of ``src`` into ``dst``: a register (zero-extended) with the SSE2 ``66 0F C5``
        (reg = the GPR), memory with the SSE4.1 ``66 0F 3A 15``."""
        if isinstance(dst, Gpr):
            self._emit(b"\x0f\xc5", dst.num, self._xmm("pextrw", src), prefix=b"\x66",
                       imm=_imm8(self, "pextrw", imm))
        else:
            self._extract("pextrw", b"\x0f\x3a\x15", False, dst, src, imm)

    def pextrd(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """Dword ``imm`` of ``src`` into ``dst`` (SSE4.1)."""
        self._extract("pextrd", b"\x0f\x3a\x16", False, dst, src, imm)

    def pextrq(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """Qword ``imm`` of ``src`` into ``dst`` (SSE4.1)."""
        self._extract("pextrq", b"\x0f\x3a\x16", True, dst, src, imm)

    def extractps(self, dst: Gpr | Mem | Label, src: Xmm, imm: int) -> None:
        """The bits of float ``imm`` of ``src`` into a 32-bit ``dst`` (SSE4.1)."""
        self._extract("extractps", b"\x0f\x3a\x17", False, dst, src, imm)

    def pinsrb(self, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        """The low byte of ``src`` into byte ``imm`` of ``dst`` (SSE4.1)."""
        self._insert("pinsrb", b"\x0f\x3a\x20", False, dst, src, imm)

    def pinsrw(self, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        """The low word of ``src`` into word ``imm`` of ``dst`` (SSE2)."""
        self._insert("pinsrw", b"\x0f\xc4", False, dst, src, imm)

    def pinsrd(self, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        """``src`` into dword ``imm`` of ``dst`` (SSE4.1)."""
        self._insert("pinsrd", b"\x0f\x3a\x22", False, dst, src, imm)

    def pinsrq(self, dst: Xmm, src: Gpr | Mem | Label, imm: int) -> None:
        """``src`` into qword ``imm`` of ``dst`` (SSE4.1)."""
        self._insert("pinsrq", b"\x0f\x3a\x22", True, dst, src, imm)


def _attach(table: Mapping[str, object], make: Callable[[str], Callable[..., None]]) -> None:
    """One method of ``SseMixin`` per row of ``table``, built by ``make(name)``."""
    for name in table:
        assert name not in vars(SseMixin), f"{name} is both a table row and a method"
        setattr(SseMixin, name, make(name))


_attach(_BINOPS, _binop)
_attach(_BINOPS_IMM, _binop_imm)
_attach(_MOVES, _move)
_attach(_SHIFT_IMM, _shift)
_attach(_VEX_FMA, _vex_fma)
_attach(_VEX_BLENDV, _vex_blendv)
