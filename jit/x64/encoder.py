"""The x86-64 instruction encoder: ``Assembler`` appends machine code for one function or stub.

Guarantees:
- Encodings are the canonical short ones an assembler picks (checked byte for byte against Keystone
  in tests/test_x64_encoder.py): REX only when needed (and always for spl/bpl/sil/dil), legacy
  prefixes (66/F2/F3) before REX, SIB for rsp/r12 bases, disp8 0 for rbp/r13 bases, disp8 when the
  displacement fits, imm8 forms when the immediate fits, accumulator short forms.
- Labels are resolved in one pass plus patching: a jump to a bound (backward) label uses rel8 when it
  fits, otherwise rel32; forward references use rel32 (rel8 with ``short=True``) and are patched
  when the label is bound. ``finish()`` refuses to return code with unbound referenced labels.
- Anything that cannot be encoded raises ``EncodingError`` (a ``jit.Error`` and a ``ValueError``)
  naming the instruction, the code offset and the reason; no partial instruction is left behind.

Operand conventions: ``size`` is the operand size in bits; a ``Label`` where a memory operand is
allowed means ``[rip + label]``. Integer immediates may be given signed or unsigned for their size
(``0xFFFFFFFF`` == ``-1`` for 32-bit operations); 64-bit ALU immediates must fit a sign-extended imm32.
"""
from __future__ import annotations

from .operands import (
    Cond,
    EncodingError,
    Label,
    Mem,
    fits_i8,
    fits_i32,
    pack,
    wrap_signed,
)
from .registers import Gpr, Xmm
from .sse import SseMixin

__all__ = ["Assembler", "Cond", "EncodingError", "Label", "Mem"]

Reg = Gpr | Xmm
RM = Gpr | Xmm | Mem | Label
Src = Gpr | Mem | Label | int

_ALU_OPS = {"add": 0, "or": 1, "adc": 2, "sbb": 3, "and": 4, "sub": 5, "xor": 6, "cmp": 7}
_SHIFT_OPS = {"rol": 0, "ror": 1, "shl": 4, "shr": 5, "sar": 7}
_UNARY_OPS = {"not": 2, "neg": 3, "mul": 4, "imul1": 5, "div": 6, "idiv": 7}  # F7 /digit
_BITSCAN = {  # name -> (mandatory prefix, opcode)
    "bsf": (b"", b"\x0f\xbc"),
    "bsr": (b"", b"\x0f\xbd"),
    "tzcnt": (b"\xf3", b"\x0f\xbc"),
    "lzcnt": (b"\xf3", b"\x0f\xbd"),
    "popcnt": (b"\xf3", b"\x0f\xb8"),
}
_IMM_BYTES = {8: 1, 16: 2, 32: 4, 64: 4}

# Intel's recommended multi-byte NOPs (SDM vol. 2B, NOP), indexed by length.
_NOPS = (
    b"",
    b"\x90",
    b"\x66\x90",
    b"\x0f\x1f\x00",
    b"\x0f\x1f\x40\x00",
    b"\x0f\x1f\x44\x00\x00",
    b"\x66\x0f\x1f\x44\x00\x00",
    b"\x0f\x1f\x80\x00\x00\x00\x00",
    b"\x0f\x1f\x84\x00\x00\x00\x00\x00",
    b"\x66\x0f\x1f\x84\x00\x00\x00\x00\x00",
)


def _low_byte_needs_rex(*regs: object) -> bool:
    """spl/bpl/sil/dil are only addressable with a REX prefix (without one they mean ah/ch/dh/bh)."""
    return any(isinstance(r, Gpr) and 4 <= r.num <= 7 for r in regs)


def _is_mem(x: object) -> bool:
    return isinstance(x, Mem | Label)


class Assembler(SseMixin):
    """Appends x86-64 machine code to ``code``; see the module docstring for what it guarantees."""

    def __init__(self) -> None:
        self.code = bytearray()
        # label -> pending fixups (field offset, field size, offset the value is relative to)
        self._fixups: dict[Label, list[tuple[int, int, int]]] = {}

    # ------------------------------------------------------------------ basics
    @property
    def offset(self) -> int:
        """Current end of code (where the next instruction goes)."""
        return len(self.code)

    def _fail(self, what: str, reason: str) -> EncodingError:
        return EncodingError(f"{what} at code offset {self.offset:#x}: {reason}")

    def _emit(
        self,
        opcode: bytes,
        reg: int,
        rm: RM,
        *,
        w: bool = False,
        prefix: bytes = b"",
        imm: bytes = b"",
        rex8: bool = False,
    ) -> None:
        """Emit ``prefix REX opcode ModRM [SIB] [disp] imm``.

        ``reg`` is the ModRM.reg value (register number 0..15 or an opcode extension /0../7),
        ``rm`` a register or a memory operand; ``rex8`` forces a REX prefix (byte registers).
        """
        rex = (8 if w else 0) | ((reg >> 3) << 2)
        reg3 = reg & 7
        label: Label | None = None
        if isinstance(rm, Gpr | Xmm):
            rex |= rm.ext
            tail = bytes((0xC0 | reg3 << 3 | rm.low3,))
        elif isinstance(rm, Mem):
            x, b, tail = _encode_mem(reg3, rm)
            rex |= x << 1 | b
        elif isinstance(rm, Label):
            label = rm
            tail = bytes((reg3 << 3 | 5,)) + b"\0\0\0\0"
        else:
            raise self._fail("instruction", f"bad register/memory operand {rm!r}")
        out = self.code
        out += prefix
        if rex or rex8:
            out.append(0x40 | rex)
        out += opcode
        out += tail
        disp_at = len(out) - 4
        out += imm
        if label is not None:
            self._ref(label, disp_at, 4, len(out))

    def _emit_plusr(self, opcode: bytes, reg: Gpr, *, w: bool = False, prefix: bytes = b"",
                    imm: bytes = b"", rex8: bool = False) -> None:
        """Emit an opcode whose last byte carries the register (``B8+r``, ``50+r``, ``0F C8+r``)."""
        rex = (8 if w else 0) | reg.ext
        out = self.code
        out += prefix
        if rex or rex8:
            out.append(0x40 | rex)
        out += opcode[:-1]
        out.append(opcode[-1] + reg.low3)
        out += imm

    def _check_size(self, what: str, size: int, allowed: tuple[int, ...]) -> None:
        if size not in allowed:
            raise self._fail(what, f"operand size must be one of {allowed}, got {size!r}")

    def _gpr(self, what: str, x: object) -> Gpr:
        if not isinstance(x, Gpr):
            raise self._fail(what, f"expected a general-purpose register, got {x!r}")
        return x

    def _gpr_or_mem(self, what: str, x: object) -> Gpr | Mem | Label:
        if not isinstance(x, Gpr | Mem | Label):
            raise self._fail(what, f"expected a general-purpose register or memory operand, got {x!r}")
        return x

    def _wrap(self, what: str, value: int, bits: int) -> int:
        """``wrap_signed`` with the code offset in the error."""
        try:
            return wrap_signed(value, bits, what)
        except EncodingError as e:
            raise self._fail(what, str(e).removeprefix(f"{what}: ")) from None

    def _imm(self, what: str, value: int, size: int) -> int:
        """A signed immediate for an instruction of ``size`` bits (64-bit: must fit imm32)."""
        v = self._wrap(what, value, size)
        if size == 64 and not fits_i32(v):
            raise self._fail(what, f"immediate {value:#x} does not fit in a sign-extended imm32")
        return v

    # ------------------------------------------------------------------ integer ALU
    def _alu(self, name: str, dst: Gpr | Mem | Label, src: Src, size: int,
             force_imm32: bool = False) -> None:
        op = _ALU_OPS[name]
        self._check_size(name, size, (8, 16, 32, 64))
        dst = self._gpr_or_mem(name, dst)
        prefix = b"\x66" if size == 16 else b""
        w = size == 64
        if isinstance(src, int):
            imm = self._imm(name, src, size)
            nbytes = _IMM_BYTES[size]
            is_acc = isinstance(dst, Gpr) and dst.num == 0
            if size == 8:
                if is_acc:
                    self.code += bytes((op * 8 + 4,)) + pack(imm, 1)
                else:
                    self._emit(b"\x80", op, dst, imm=pack(imm, 1), rex8=_low_byte_needs_rex(dst))
            elif fits_i8(imm) and not force_imm32:
                self._emit(b"\x83", op, dst, w=w, prefix=prefix, imm=pack(imm, 1))
            elif is_acc:
                self.code += prefix + (b"\x48" if w else b"") + bytes((op * 8 + 5,)) + pack(imm, nbytes)
            else:
                self._emit(b"\x81", op, dst, w=w, prefix=prefix, imm=pack(imm, nbytes))
        elif isinstance(src, Gpr):
            opc = op * 8 + (0 if size == 8 else 1)
            self._emit(bytes((opc,)), src.num, dst, w=w, prefix=prefix,
                       rex8=size == 8 and _low_byte_needs_rex(src, dst))
        elif _is_mem(src):
            if not isinstance(dst, Gpr):
                raise self._fail(name, "memory to memory is not encodable")
            opc = op * 8 + (2 if size == 8 else 3)
            self._emit(bytes((opc,)), dst.num, src, w=w, prefix=prefix,
                       rex8=size == 8 and _low_byte_needs_rex(dst))
        else:
            raise self._fail(name, f"bad source operand {src!r}")

    def add(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        """``add dst, src``. ``force_imm32`` keeps a 4-byte immediate (for patching later)."""
        self._alu("add", dst, src, size, force_imm32)

    def or_(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu("or", dst, src, size, force_imm32)

    def adc(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu("adc", dst, src, size, force_imm32)

    def sbb(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu("sbb", dst, src, size, force_imm32)

    def and_(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu("and", dst, src, size, force_imm32)

    def sub(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        """``sub dst, src``. ``sub(RSP, 0, 64, force_imm32=True)`` leaves a patchable frame size."""
        self._alu("sub", dst, src, size, force_imm32)

    def xor(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu("xor", dst, src, size, force_imm32)

    def cmp(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu("cmp", dst, src, size, force_imm32)

    def test(self, dst: Gpr | Mem, src: Gpr | Mem | int, size: int = 64) -> None:
        """``test dst, src`` (commutative: a memory ``src`` with a register ``dst`` is swapped)."""
        self._check_size("test", size, (8, 16, 32, 64))
        dst = self._gpr_or_mem("test", dst)
        prefix = b"\x66" if size == 16 else b""
        w = size == 64
        if isinstance(src, int):
            imm = self._imm("test", src, size)
            nbytes = _IMM_BYTES[size]
            if isinstance(dst, Gpr) and dst.num == 0:
                opc = b"\xa8" if size == 8 else b"\xa9"
                self.code += prefix + (b"\x48" if w else b"") + opc + pack(imm, nbytes)
            else:
                self._emit(b"\xf6" if size == 8 else b"\xf7", 0, dst, w=w, prefix=prefix,
                           imm=pack(imm, nbytes), rex8=size == 8 and _low_byte_needs_rex(dst))
            return
        if _is_mem(src) and isinstance(dst, Gpr):
            dst, src = src, dst
        if not isinstance(src, Gpr):
            raise self._fail("test", f"bad operands {dst!r}, {src!r}")
        self._emit(b"\x84" if size == 8 else b"\x85", src.num, dst, w=w, prefix=prefix,
                   rex8=size == 8 and _low_byte_needs_rex(src, dst))

    # ------------------------------------------------------------------ moves
    def mov(self, dst: Gpr | Mem | Label, src: Src, size: int = 64) -> None:
        """``mov dst, src`` for 8/16/32/64-bit operands.

        reg <- imm: size 32 uses ``B8+r imm32`` (zero-extends); size 64 uses ``C7 /0`` with a
        sign-extended imm32 when the value fits, else ``movabs`` with imm64. ``src`` a Label loads
        ``[rip + label]``; ``dst`` a Label stores there.
        """
        self._check_size("mov", size, (8, 16, 32, 64))
        prefix = b"\x66" if size == 16 else b""
        w = size == 64
        if isinstance(src, int):
            if isinstance(dst, Gpr):
                if size == 64:
                    v = self._wrap("mov", src, 64)
                    if fits_i32(v):
                        self._emit(b"\xc7", 0, dst, w=True, imm=pack(v, 4))
                    else:
                        self._emit_plusr(b"\xb8", dst, w=True, imm=pack(v, 8))
                    return
                v = self._wrap("mov", src, size)
                self._emit_plusr(b"\xb0" if size == 8 else b"\xb8", dst, prefix=prefix,
                                 imm=pack(v, size // 8), rex8=size == 8 and _low_byte_needs_rex(dst))
                return
            if not _is_mem(dst):
                raise self._fail("mov", f"bad destination {dst!r}")
            v = self._imm("mov", src, size)
            self._emit(b"\xc6" if size == 8 else b"\xc7", 0, dst, w=w, prefix=prefix,
                       imm=pack(v, _IMM_BYTES[size]))
        elif isinstance(src, Gpr):
            dst = self._gpr_or_mem("mov", dst)
            self._emit(b"\x88" if size == 8 else b"\x89", src.num, dst, w=w, prefix=prefix,
                       rex8=size == 8 and _low_byte_needs_rex(src, dst))
        elif _is_mem(src):
            dst = self._gpr("mov", dst)
            self._emit(b"\x8a" if size == 8 else b"\x8b", dst.num, src, w=w, prefix=prefix,
                       rex8=size == 8 and _low_byte_needs_rex(dst))
        else:
            raise self._fail("mov", f"bad source operand {src!r}")

    def movzx(self, dst: Gpr, src: Gpr | Mem | Label, src_size: int, dst_size: int = 32) -> None:
        """Zero-extending load/move from an 8- or 16-bit source (``0F B6`` / ``0F B7``)."""
        self._check_size("movzx", src_size, (8, 16))
        self._check_size("movzx", dst_size, (16, 32, 64))
        dst = self._gpr("movzx", dst)
        src = self._gpr_or_mem("movzx", src)
        self._emit(b"\x0f\xb6" if src_size == 8 else b"\x0f\xb7", dst.num, src, w=dst_size == 64,
                   prefix=b"\x66" if dst_size == 16 else b"",
                   rex8=src_size == 8 and _low_byte_needs_rex(src))

    def movsx(self, dst: Gpr, src: Gpr | Mem | Label, src_size: int, dst_size: int = 64) -> None:
        """Sign-extending move: ``0F BE`` / ``0F BF``, and ``movsxd`` (``63``) for 32 -> 64."""
        self._check_size("movsx", src_size, (8, 16, 32))
        self._check_size("movsx", dst_size, (16, 32, 64))
        dst = self._gpr("movsx", dst)
        src = self._gpr_or_mem("movsx", src)
        if src_size >= dst_size:
            raise self._fail("movsx", f"cannot extend {src_size} bits to {dst_size}")
        opcode = {8: b"\x0f\xbe", 16: b"\x0f\xbf", 32: b"\x63"}[src_size]
        self._emit(opcode, dst.num, src, w=dst_size == 64, prefix=b"\x66" if dst_size == 16 else b"",
                   rex8=src_size == 8 and _low_byte_needs_rex(src))

    def movsxd(self, dst: Gpr, src: Gpr | Mem | Label) -> None:
        self.movsx(dst, src, 32, 64)

    def lea(self, dst: Gpr, src: Mem | Label, size: int = 64) -> None:
        """``lea dst, [address]``; a Label gives ``lea dst, [rip + label]``."""
        self._check_size("lea", size, (16, 32, 64))
        dst = self._gpr("lea", dst)
        if not _is_mem(src):
            raise self._fail("lea", f"source must be a memory operand or label, got {src!r}")
        self._emit(b"\x8d", dst.num, src, w=size == 64, prefix=b"\x66" if size == 16 else b"")

    def xchg(self, a: Gpr, b: Gpr, size: int = 64) -> None:
        """``xchg a, b`` (the one-byte ``90+r`` form when one side is the accumulator)."""
        self._check_size("xchg", size, (8, 16, 32, 64))
        a = self._gpr("xchg", a)
        b = self._gpr("xchg", b)
        prefix = b"\x66" if size == 16 else b""
        w = size == 64
        # xchg eax, eax must not be 90 (nop): it zero-extends rax.
        if size != 8 and (a.num == 0 or b.num == 0) and not (size == 32 and a.num == b.num == 0):
            other = b if a.num == 0 else a
            self._emit_plusr(b"\x90", other, w=w, prefix=prefix)
            return
        self._emit(b"\x86" if size == 8 else b"\x87", b.num, a, w=w, prefix=prefix,
                   rex8=size == 8 and _low_byte_needs_rex(a, b))

    def bswap(self, reg: Gpr, size: int = 64) -> None:
        self._check_size("bswap", size, (32, 64))
        self._emit_plusr(b"\x0f\xc8", self._gpr("bswap", reg), w=size == 64)

    def cmovcc(self, cond: Cond, dst: Gpr, src: Gpr | Mem | Label, size: int = 64) -> None:
        self._check_size("cmovcc", size, (16, 32, 64))
        dst = self._gpr("cmovcc", dst)
        src = self._gpr_or_mem("cmovcc", src)
        self._emit(bytes((0x0F, 0x40 + Cond(cond))), dst.num, src, w=size == 64,
                   prefix=b"\x66" if size == 16 else b"")

    def setcc(self, cond: Cond, dst: Gpr | Mem | Label) -> None:
        """``setcc r/m8`` (the caller zero-extends if it needs a full register)."""
        dst = self._gpr_or_mem("setcc", dst)
        self._emit(bytes((0x0F, 0x90 + Cond(cond))), 0, dst, rex8=_low_byte_needs_rex(dst))

    # ------------------------------------------------------------------ shifts, mul/div, unary
    def _shift(self, name: str, dst: Gpr | Mem | Label, count: int | Gpr, size: int) -> None:
        op = _SHIFT_OPS[name]
        self._check_size(name, size, (8, 16, 32, 64))
        dst = self._gpr_or_mem(name, dst)
        prefix = b"\x66" if size == 16 else b""
        w = size == 64
        rex8 = size == 8 and _low_byte_needs_rex(dst)
        byte = size == 8
        if isinstance(count, Gpr):
            if count.num != 1:
                raise self._fail(name, f"a register shift count must be CL, got {count!r}")
            self._emit(b"\xd2" if byte else b"\xd3", op, dst, w=w, prefix=prefix, rex8=rex8)
        elif isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 255:
            if count == 1:
                self._emit(b"\xd0" if byte else b"\xd1", op, dst, w=w, prefix=prefix, rex8=rex8)
            else:
                self._emit(b"\xc0" if byte else b"\xc1", op, dst, w=w, prefix=prefix,
                           imm=bytes((count,)), rex8=rex8)
        else:
            raise self._fail(name, f"shift count must be CL or an int 0..255, got {count!r}")

    def shl(self, dst: Gpr | Mem, count: int | Gpr, size: int = 64) -> None:
        self._shift("shl", dst, count, size)

    def shr(self, dst: Gpr | Mem, count: int | Gpr, size: int = 64) -> None:
        self._shift("shr", dst, count, size)

    def sar(self, dst: Gpr | Mem, count: int | Gpr, size: int = 64) -> None:
        self._shift("sar", dst, count, size)

    def rol(self, dst: Gpr | Mem, count: int | Gpr, size: int = 64) -> None:
        self._shift("rol", dst, count, size)

    def ror(self, dst: Gpr | Mem, count: int | Gpr, size: int = 64) -> None:
        self._shift("ror", dst, count, size)

    def imul(self, dst: Gpr, src: Gpr | Mem | Label, size: int = 64) -> None:
        """Two-operand ``imul dst, src`` (``0F AF``)."""
        self._check_size("imul", size, (16, 32, 64))
        dst = self._gpr("imul", dst)
        src = self._gpr_or_mem("imul", src)
        self._emit(b"\x0f\xaf", dst.num, src, w=size == 64, prefix=b"\x66" if size == 16 else b"")

    def imul3(self, dst: Gpr, src: Gpr | Mem | Label, imm: int, size: int = 64) -> None:
        """``imul dst, src, imm`` (``6B`` with imm8 when it fits, else ``69``)."""
        self._check_size("imul", size, (16, 32, 64))
        dst = self._gpr("imul", dst)
        src = self._gpr_or_mem("imul", src)
        v = self._imm("imul", imm, size)
        prefix = b"\x66" if size == 16 else b""
        if fits_i8(v):
            self._emit(b"\x6b", dst.num, src, w=size == 64, prefix=prefix, imm=pack(v, 1))
        else:
            self._emit(b"\x69", dst.num, src, w=size == 64, prefix=prefix, imm=pack(v, _IMM_BYTES[size]))

    def _unary(self, name: str, digit: int, dst: Gpr | Mem | Label, size: int) -> None:
        self._check_size(name, size, (8, 16, 32, 64))
        dst = self._gpr_or_mem(name, dst)
        self._emit(b"\xf6" if size == 8 else b"\xf7", digit, dst, w=size == 64,
                   prefix=b"\x66" if size == 16 else b"", rex8=size == 8 and _low_byte_needs_rex(dst))

    def mul(self, src: Gpr | Mem, size: int = 64) -> None:
        """Unsigned ``rdx:rax = rax * src``."""
        self._unary("mul", _UNARY_OPS["mul"], src, size)

    def imul1(self, src: Gpr | Mem, size: int = 64) -> None:
        """Signed one-operand ``rdx:rax = rax * src`` (``F7 /5``)."""
        self._unary("imul", _UNARY_OPS["imul1"], src, size)

    def div(self, src: Gpr | Mem, size: int = 64) -> None:
        """Unsigned divide of ``rdx:rax`` by ``src``."""
        self._unary("div", _UNARY_OPS["div"], src, size)

    def idiv(self, src: Gpr | Mem, size: int = 64) -> None:
        """Signed divide of ``rdx:rax`` by ``src``."""
        self._unary("idiv", _UNARY_OPS["idiv"], src, size)

    def neg(self, dst: Gpr | Mem, size: int = 64) -> None:
        self._unary("neg", _UNARY_OPS["neg"], dst, size)

    def not_(self, dst: Gpr | Mem, size: int = 64) -> None:
        self._unary("not", _UNARY_OPS["not"], dst, size)

    def inc(self, dst: Gpr | Mem, size: int = 64) -> None:
        self._check_size("inc", size, (8, 16, 32, 64))
        dst = self._gpr_or_mem("inc", dst)
        self._emit(b"\xfe" if size == 8 else b"\xff", 0, dst, w=size == 64,
                   prefix=b"\x66" if size == 16 else b"", rex8=size == 8 and _low_byte_needs_rex(dst))

    def dec(self, dst: Gpr | Mem, size: int = 64) -> None:
        self._check_size("dec", size, (8, 16, 32, 64))
        dst = self._gpr_or_mem("dec", dst)
        self._emit(b"\xfe" if size == 8 else b"\xff", 1, dst, w=size == 64,
                   prefix=b"\x66" if size == 16 else b"", rex8=size == 8 and _low_byte_needs_rex(dst))

    def cdq(self) -> None:
        """Sign-extend eax into edx:eax."""
        self.code += b"\x99"

    def cqo(self) -> None:
        """Sign-extend rax into rdx:rax."""
        self.code += b"\x48\x99"

    def _bitscan(self, name: str, dst: Gpr, src: Gpr | Mem | Label, size: int) -> None:
        self._check_size(name, size, (16, 32, 64))
        prefix, opcode = _BITSCAN[name]
        dst = self._gpr(name, dst)
        src = self._gpr_or_mem(name, src)
        self._emit(opcode, dst.num, src, w=size == 64,
                   prefix=(b"\x66" if size == 16 else b"") + prefix)

    def bsf(self, dst: Gpr, src: Gpr | Mem, size: int = 64) -> None:
        self._bitscan("bsf", dst, src, size)

    def bsr(self, dst: Gpr, src: Gpr | Mem, size: int = 64) -> None:
        self._bitscan("bsr", dst, src, size)

    def lzcnt(self, dst: Gpr, src: Gpr | Mem, size: int = 64) -> None:
        self._bitscan("lzcnt", dst, src, size)

    def tzcnt(self, dst: Gpr, src: Gpr | Mem, size: int = 64) -> None:
        self._bitscan("tzcnt", dst, src, size)

    def popcnt(self, dst: Gpr, src: Gpr | Mem, size: int = 64) -> None:
        self._bitscan("popcnt", dst, src, size)

    # ------------------------------------------------------------------ stack and misc
    def push(self, reg: Gpr) -> None:
        self._emit_plusr(b"\x50", self._gpr("push", reg))

    def pop(self, reg: Gpr) -> None:
        self._emit_plusr(b"\x58", self._gpr("pop", reg))

    def ret(self) -> None:
        self.code.append(0xC3)

    def ud2(self) -> None:
        self.code += b"\x0f\x0b"

    def int3(self) -> None:
        self.code.append(0xCC)

    def mfence(self) -> None:
        """Full memory barrier: earlier stores are visible before later loads (x86 may reorder those)."""
        self.code += b"\x0f\xae\xf0"

    def nop(self, n: int = 1) -> None:
        """``n`` bytes of Intel's recommended NOPs (the longest first, 9 bytes at most each)."""
        if not isinstance(n, int) or n < 0:
            raise self._fail("nop", f"length must be a non-negative int, got {n!r}")
        while n > 0:
            k = min(n, 9)
            self.code += _NOPS[k]
            n -= k

    def align(self, n: int, fill: int | None = 0xCC) -> None:
        """Pad to a multiple of ``n`` (a power of two) with ``fill`` bytes, or NOPs if ``fill`` is None."""
        if not isinstance(n, int) or n <= 0 or n & (n - 1):
            raise self._fail("align", f"alignment must be a power of two, got {n!r}")
        pad = -self.offset % n
        if fill is None:
            self.nop(pad)
        else:
            self.code += bytes((fill,)) * pad

    def db(self, data: bytes | bytearray | int) -> None:
        """Raw bytes (or one byte given as an int)."""
        if isinstance(data, int):
            self.code.append(self._wrap("db", data, 8) & 0xFF)
        else:
            self.code += data

    def dd(self, value: int) -> None:
        """A 32-bit little-endian value (signed or unsigned)."""
        self.code += pack(self._wrap("dd", value, 32), 4)

    def dq(self, value: int) -> None:
        """A 64-bit little-endian value (signed or unsigned)."""
        self.code += pack(self._wrap("dq", value, 64), 8)

    def dd_label(self, target: Label, base: Label) -> None:
        """A 32-bit ``target - base`` (jump tables); ``base`` must already be bound."""
        if base.offset is None:
            raise self._fail("dd_label", f"base {base!r} must be bound")
        self.code += b"\0\0\0\0"
        self._ref(target, self.offset - 4, 4, base.offset)

    def patch32(self, at: int, value: int) -> None:
        """Overwrite the 32-bit field at ``at`` (e.g. a frame size emitted with ``force_imm32``)."""
        if not 0 <= at <= self.offset - 4:
            raise self._fail("patch32", f"offset {at:#x} outside the code")
        self.code[at:at + 4] = pack(self._wrap("patch32", value, 32), 4)

    # ------------------------------------------------------------------ labels and control flow
    def label(self, name: str = "") -> Label:
        """A new unbound label."""
        return Label(name)

    def bind(self, label: Label) -> None:
        """Bind ``label`` to the current offset and patch every jump already aimed at it."""
        if label.offset is not None:
            raise self._fail("bind", f"{label!r} is already bound")
        label.offset = self.offset
        for at, size, rel_to in self._fixups.pop(label, ()):
            value = label.offset - rel_to
            if size == 1:
                if not fits_i8(value):
                    raise self._fail("bind", f"short jump at {at - 1:#x} to {label!r} is {value} bytes away")
                self.code[at] = value & 0xFF
            else:
                self.code[at:at + 4] = pack(value, 4)

    def _ref(self, label: Label, at: int, size: int, rel_to: int) -> None:
        """Fill the field at ``at`` with ``label - rel_to`` now or when the label is bound."""
        if not isinstance(label, Label):
            raise self._fail("label reference", f"expected a Label, got {label!r}")
        if label.offset is None:
            self._fixups.setdefault(label, []).append((at, size, rel_to))
            return
        value = label.offset - rel_to
        if size == 1:
            if not fits_i8(value):
                raise self._fail("short jump", f"{label!r} is {value} bytes away")
            self.code[at] = value & 0xFF
        else:
            if not fits_i32(value):
                raise self._fail("jump", f"{label!r} is out of rel32 range")
            self.code[at:at + 4] = pack(value, 4)

    def _jump(self, short_op: bytes, long_op: bytes, target: Label, short: bool) -> None:
        if target.offset is not None:
            near = fits_i8(target.offset - (self.offset + len(short_op) + 1))
            if short and not near:
                raise self._fail("short jump", f"{target!r} is out of rel8 range")
            short = near
        op = short_op if short else long_op
        size = 1 if short else 4
        self.code += op + bytes(size)
        self._ref(target, self.offset - size, size, self.offset)

    def jmp(self, target: Label | Gpr | Mem, *, short: bool = False) -> None:
        """``jmp label`` (rel8/rel32, see the module docstring) or an indirect ``jmp r/m64``."""
        if isinstance(target, Label):
            self._jump(b"\xeb", b"\xe9", target, short)
        else:
            self._emit(b"\xff", 4, self._gpr_or_mem("jmp", target))

    def jmp_rip(self, label: Label) -> None:
        """``jmp qword ptr [rip + label]``."""
        self._emit(b"\xff", 4, label)

    def jcc(self, cond: Cond, target: Label, *, short: bool = False) -> None:
        if not isinstance(target, Label):
            raise self._fail("jcc", f"target must be a Label, got {target!r}")
        cc = Cond(cond)
        self._jump(bytes((0x70 + cc,)), bytes((0x0F, 0x80 + cc)), target, short)

    def call(self, target: Label | Gpr | Mem) -> None:
        """``call label`` (always rel32) or an indirect ``call r/m64``."""
        if isinstance(target, Label):
            self.code += b"\xe8\0\0\0\0"
            self._ref(target, self.offset - 4, 4, self.offset)
        else:
            self._emit(b"\xff", 2, self._gpr_or_mem("call", target))

    def call_rip(self, label: Label) -> None:
        """``call qword ptr [rip + label]`` (e.g. through an import table slot)."""
        self._emit(b"\xff", 2, label)

    def call_rel32(self) -> int:
        """Emit ``call rel32`` with a zero field; return the field's offset (for a relocation)."""
        self.code += b"\xe8\0\0\0\0"
        return self.offset - 4

    def jmp_rel32(self) -> int:
        """Emit ``jmp rel32`` with a zero field; return the field's offset (for a relocation)."""
        self.code += b"\xe9\0\0\0\0"
        return self.offset - 4

    @property
    def unbound_labels(self) -> list[Label]:
        """Labels referenced but not yet bound."""
        return list(self._fixups)

    def finish(self) -> bytes:
        """The code; raises ``EncodingError`` if a referenced label was never bound."""
        if self._fixups:
            names = ", ".join(repr(lbl) for lbl in self._fixups)
            raise self._fail("finish", f"referenced labels never bound: {names}")
        return bytes(self.code)


def _encode_mem(reg3: int, m: Mem) -> tuple[int, int, bytes]:
    """ModRM/SIB/displacement for ``m`` with ModRM.reg = ``reg3``; returns (REX.X, REX.B, bytes)."""
    disp = m.disp
    index = m.index
    base = m.base
    if base is None:
        # mod=00 rm=100 with SIB base=101: [index*scale + disp32]; index=100 means no index.
        x = index.ext if index is not None else 0
        idx3 = index.low3 if index is not None else 4
        sib = m.scale_bits << 6 | idx3 << 3 | 5
        return x, 0, bytes((reg3 << 3 | 4, sib)) + pack(disp, 4)
    if disp == 0 and base.low3 != 5:  # rbp/r13 with mod=00 would mean rip/no-base
        mod, dbytes = 0, b""
    elif fits_i8(disp):
        mod, dbytes = 1, pack(disp, 1)
    else:
        mod, dbytes = 2, pack(disp, 4)
    if index is None and base.low3 != 4:  # rsp/r12 as rm means "SIB follows"
        return 0, base.ext, bytes((mod << 6 | reg3 << 3 | base.low3,)) + dbytes
    x = index.ext if index is not None else 0
    idx3 = index.low3 if index is not None else 4
    sib = m.scale_bits << 6 | idx3 << 3 | base.low3
    return x, base.ext, bytes((mod << 6 | reg3 << 3 | 4, sib)) + dbytes
