"""The x86-64 instruction encoder: ``Assembler`` appends machine code for one function or stub.

Guarantees:
- Encodings are the canonical short ones an assembler picks (checked byte for byte against Keystone
  in tests/test_x64_encoder.py): REX only when needed (and always for spl/bpl/sil/dil), legacy
  prefixes (66/F2/F3) before REX, SIB for rsp/r12 bases, disp8 0 for rbp/r13 bases, disp8 when the
  displacement fits, imm8 forms when the immediate fits, accumulator short forms.
- Labels are resolved in one pass plus patching: a jump to a bound (backward) label uses rel8 when it
  fits, otherwise rel32; forward references use rel32 (rel8 with ``short=True``) and are patched
  when the label is bound. ``finish()`` refuses to return code with unbound referenced labels.
- Values are always checked: an immediate, displacement or jump distance out of range raises
  ``EncodingError`` (a ``jit.Error`` and a ``ValueError``). Operand *kinds and sizes* (a register
  where one is required, a size the instruction has, the ``Mem`` rules) are checked when the checks
  are on (``jit.x64.operands.CHECKS``: the tests, ``WXJIT_ENCODER_CHECKS=1``); then every error names
  the instruction, the code offset and the reason, and no partial instruction is left behind. The
  compiler's hot path runs without them: it only makes operands of the right kinds.

Speed: the bytes of an instruction up to its immediate depend only on its form and its register and
memory operands, so they come from a memo (``jit.x64.encoding``) after the first time; registers are
interned (identity hashing) and ``Mem`` is a tuple, so the memo key hashes at C speed.

Operand conventions: ``size`` is the operand size in bits; a ``Label`` where a memory operand is
allowed means ``[rip + label]``. Integer immediates may be given signed or unsigned for their size
(``0xFFFFFFFF`` == ``-1`` for 32-bit operations); 64-bit ALU immediates must fit a sign-extended imm32.
"""
from __future__ import annotations

from .emitter import Emitter
from .encoding import BYTE, MEMO, R8_REG, R8_RM, form, signed
from .operands import Cond, EncodingError, Label, Mem
from .registers import RAX, Gpr, Xmm
from .sse import SseMixin

__all__ = ["Assembler", "Cond", "EncodingError", "Label", "Mem", "Template"]

Reg = Gpr | Xmm
RM = Gpr | Xmm | Mem | Label
Src = Gpr | Mem | Label | int

_ALU_OPS = {"add": 0, "or": 1, "adc": 2, "sbb": 3, "and": 4, "sub": 5, "xor": 6, "cmp": 7}
_ALU_NAMES = tuple(_ALU_OPS)
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
_SIZES = (8, 16, 32, 64)



def _p16(size: int) -> bytes:
    return b"\x66" if size == 16 else b""


def _rr8(size: int) -> int:
    """Byte-register flags of a reg, r/m form: both operands are 8-bit registers at size 8."""
    return R8_REG | R8_RM if size == 8 else 0


# -- form tables: size (and op) -> form id -------------------------------------------------------------
def _by_size(make, sizes=_SIZES) -> dict[int, int]:
    return {s: make(s) for s in sizes}


# ALU: r/m <- reg, reg <- r/m (index op), r/m <- imm8 (83), r/m <- imm (81; 80 for bytes)
_ALU_MR = {s: [form(_p16(s), BYTE[op * 8 + (0 if s == 8 else 1)], s == 64, _rr8(s))
               for op in range(8)] for s in _SIZES}
_ALU_RM = {s: [form(_p16(s), BYTE[op * 8 + (2 if s == 8 else 3)], s == 64, R8_REG if s == 8 else 0)
               for op in range(8)] for s in _SIZES}
_ALU_I8 = _by_size(lambda s: form(_p16(s), b"\x80" if s == 8 else b"\x83", s == 64, R8_RM if s == 8 else 0))
_ALU_I = _by_size(lambda s: form(_p16(s), b"\x80" if s == 8 else b"\x81", s == 64, R8_RM if s == 8 else 0))
_ACC_HEAD = {8: b"", 16: b"\x66", 32: b"", 64: b"\x48"}
# test
_TEST_MR = _by_size(lambda s: form(_p16(s), b"\x84" if s == 8 else b"\x85", s == 64, _rr8(s)))
_TEST_I = _by_size(lambda s: form(_p16(s), b"\xf6" if s == 8 else b"\xf7", s == 64, R8_RM if s == 8 else 0))
# mov
_MOV_MR = _by_size(lambda s: form(_p16(s), b"\x88" if s == 8 else b"\x89", s == 64, _rr8(s)))
_MOV_RM = _by_size(lambda s: form(_p16(s), b"\x8a" if s == 8 else b"\x8b", s == 64, R8_REG if s == 8 else 0))
_MOV_MI = _by_size(lambda s: form(_p16(s), b"\xc6" if s == 8 else b"\xc7", s == 64))
_MOV_RI = _by_size(lambda s: form(_p16(s), b"\xb0" if s == 8 else b"\xb8", s == 64, R8_REG if s == 8 else 0))
# movzx/movsx: (src size, dst size) -> form
_MOVZX = {(ss, ds): form(_p16(ds), b"\x0f\xb6" if ss == 8 else b"\x0f\xb7", ds == 64, R8_RM if ss == 8 else 0)
          for ss in (8, 16) for ds in (16, 32, 64)}
_MOVSX = {(ss, ds): form(_p16(ds), {8: b"\x0f\xbe", 16: b"\x0f\xbf", 32: b"\x63"}[ss], ds == 64,
                         R8_RM if ss == 8 else 0)
          for ss in (8, 16, 32) for ds in (16, 32, 64) if ss < ds}
_LEA = _by_size(lambda s: form(_p16(s), b"\x8d", s == 64), (16, 32, 64))
_CMOV = {s: [form(_p16(s), bytes((0x0F, 0x40 + cc)), s == 64) for cc in range(16)] for s in (16, 32, 64)}
_SETCC = [form(b"", bytes((0x0F, 0x90 + cc)), False, R8_RM) for cc in range(16)]
# shifts: by CL, by 1, by imm8
_SHIFT_CL = _by_size(lambda s: form(_p16(s), b"\xd2" if s == 8 else b"\xd3", s == 64, R8_RM if s == 8 else 0))
_SHIFT_1 = _by_size(lambda s: form(_p16(s), b"\xd0" if s == 8 else b"\xd1", s == 64, R8_RM if s == 8 else 0))
_SHIFT_I = _by_size(lambda s: form(_p16(s), b"\xc0" if s == 8 else b"\xc1", s == 64, R8_RM if s == 8 else 0))
_IMUL = _by_size(lambda s: form(_p16(s), b"\x0f\xaf", s == 64), (16, 32, 64))
_IMUL3_8 = _by_size(lambda s: form(_p16(s), b"\x6b", s == 64), (16, 32, 64))
_IMUL3 = _by_size(lambda s: form(_p16(s), b"\x69", s == 64), (16, 32, 64))
_UNARY = _by_size(lambda s: form(_p16(s), b"\xf6" if s == 8 else b"\xf7", s == 64, R8_RM if s == 8 else 0))
_INCDEC = _by_size(lambda s: form(_p16(s), b"\xfe" if s == 8 else b"\xff", s == 64, R8_RM if s == 8 else 0))
_BITSCAN_F = {(name, s): form(_p16(s) + pfx, opc, s == 64) for name, (pfx, opc) in _BITSCAN.items()
              for s in (16, 32, 64)}
_PUSH = form(b"", b"\x50")
_POP = form(b"", b"\x58")
_BSWAP = {32: form(b"", b"\x0f\xc8"), 64: form(b"", b"\x0f\xc8", True)}
_MOVABS = form(b"", b"\xb8", True)


class Assembler(SseMixin, Emitter):
    """Appends x86-64 machine code to ``code``; see the module docstring for what it guarantees."""

    # ------------------------------------------------------------------ integer ALU
    def _alu(self, op: int | str, dst: Gpr | Mem | Label, src: Src, size: int,
             force_imm32: bool = False) -> None:
        if type(op) is str:
            op = _ALU_OPS[op]
        if self.checks:
            self._check_dst_src(_ALU_NAMES[op], dst, src, size, _SIZES)
        ts = type(src)
        if ts is Gpr:
            self._op(_ALU_MR[size][op], src.num, dst)
        elif ts is int or (isinstance(src, int) and ts is not bool):
            v = self._simm(_ALU_NAMES[op], src, size)
            if size == 8:
                if dst is RAX:
                    self.code += BYTE[op * 8 + 4] + BYTE[v & 0xFF]
                else:
                    self._op(_ALU_I8[8], op, dst, BYTE[v & 0xFF])
            elif -128 <= v <= 127 and not force_imm32:
                self._op(_ALU_I8[size], op, dst, BYTE[v & 0xFF])
            elif dst is RAX:
                self.code += _ACC_HEAD[size] + BYTE[op * 8 + 5] + v.to_bytes(_IMM_BYTES[size], "little",
                                                                            signed=True)
            else:
                self._op(_ALU_I[size], op, dst, v.to_bytes(_IMM_BYTES[size], "little", signed=True))
        elif ts is Mem or ts is Label:
            if type(dst) is not Gpr:
                raise self._fail(_ALU_NAMES[op], "memory to memory is not encodable")
            self._op(_ALU_RM[size][op], dst.num, src)
        else:
            raise self._fail(_ALU_NAMES[op], f"bad source operand {src!r}")

    def add(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        """``add dst, src``. ``force_imm32`` keeps a 4-byte immediate (for patching later)."""
        self._alu(0, dst, src, size, force_imm32)

    def or_(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu(1, dst, src, size, force_imm32)

    def adc(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu(2, dst, src, size, force_imm32)

    def sbb(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu(3, dst, src, size, force_imm32)

    def and_(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu(4, dst, src, size, force_imm32)

    def sub(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        """``sub dst, src``. ``sub(RSP, 0, 64, force_imm32=True)`` leaves a patchable frame size."""
        self._alu(5, dst, src, size, force_imm32)

    def xor(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu(6, dst, src, size, force_imm32)

    def cmp(self, dst: Gpr | Mem, src: Src, size: int = 64, *, force_imm32: bool = False) -> None:
        self._alu(7, dst, src, size, force_imm32)

    def test(self, dst: Gpr | Mem, src: Gpr | Mem | int, size: int = 64) -> None:
        """``test dst, src`` (commutative: a memory ``src`` with a register ``dst`` is swapped)."""
        if self.checks:
            self._check_size("test", size, _SIZES)
            self._gpr_or_mem("test", dst)
            if isinstance(src, int):
                self._imm("test", src, size)
            elif not isinstance(src, Gpr) and not (isinstance(src, Mem | Label) and isinstance(dst, Gpr)):
                raise self._fail("test", f"bad operands {dst!r}, {src!r}")
        ts = type(src)
        if ts is Gpr:
            self._op(_TEST_MR[size], src.num, dst)
        elif ts is int or (isinstance(src, int) and ts is not bool):
            v = self._simm("test", src, size)
            imm = v.to_bytes(_IMM_BYTES[size], "little", signed=True)
            if dst is RAX:
                self.code += _ACC_HEAD[size] + (b"\xa8" if size == 8 else b"\xa9") + imm
            else:
                self._op(_TEST_I[size], 0, dst, imm)
        elif (ts is Mem or ts is Label) and type(dst) is Gpr:
            self._op(_TEST_MR[size], dst.num, src)
        else:
            raise self._fail("test", f"bad operands {dst!r}, {src!r}")

    # ------------------------------------------------------------------ moves
    def mov(self, dst: Gpr | Mem | Label, src: Src, size: int = 64) -> None:
        """``mov dst, src`` for 8/16/32/64-bit operands.

        reg <- imm: size 32 uses ``B8+r imm32`` (zero-extends); size 64 uses ``C7 /0`` with a
        sign-extended imm32 when the value fits, else ``movabs`` with imm64. ``src`` a Label loads
        ``[rip + label]``; ``dst`` a Label stores there.
        """
        if self.checks:
            self._check_dst_src("mov", dst, src, size, _SIZES)
        ts = type(src)
        if ts is Gpr:                             # the memo lookup of _op, inlined (the hottest form)
            b = MEMO.get((_MOV_MR[size], src.num, dst))
            if b is None:
                self._op(_MOV_MR[size], src.num, dst)
            else:
                self.code += b
        elif ts is Mem:
            b = MEMO.get((_MOV_RM[size], dst.num, src))
            if b is None:
                self._op(_MOV_RM[size], dst.num, src)
            else:
                self.code += b
        elif ts is Label:
            self._op(_MOV_RM[size], dst.num, src)
        elif ts is int or (isinstance(src, int) and ts is not bool):
            if type(dst) is Gpr:
                try:
                    v = signed(src, size)
                except EncodingError as e:
                    raise self._fail("mov", str(e)) from None
                if size == 64:
                    if -0x80000000 <= v <= 0x7FFFFFFF:
                        self._op(_MOV_MI[64], 0, dst, v.to_bytes(4, "little", signed=True))
                    else:
                        self._plusr(_MOVABS, dst, v.to_bytes(8, "little", signed=True))
                else:
                    self._plusr(_MOV_RI[size], dst, v.to_bytes(size >> 3, "little", signed=True))
                return
            v = self._simm("mov", src, size)
            self._op(_MOV_MI[size], 0, dst, v.to_bytes(_IMM_BYTES[size], "little", signed=True))
        else:
            raise self._fail("mov", f"bad source operand {src!r}")

    def movzx(self, dst: Gpr, src: Gpr | Mem | Label, src_size: int, dst_size: int = 32) -> None:
        """Zero-extending load/move from an 8- or 16-bit source (``0F B6`` / ``0F B7``)."""
        if self.checks:
            self._check_size("movzx", src_size, (8, 16))
            self._check_size("movzx", dst_size, (16, 32, 64))
            self._gpr("movzx", dst)
            self._gpr_or_mem("movzx", src)
        self._op(_MOVZX[src_size, dst_size], dst.num, src)

    def movsx(self, dst: Gpr, src: Gpr | Mem | Label, src_size: int, dst_size: int = 64) -> None:
        """Sign-extending move: ``0F BE`` / ``0F BF``, and ``movsxd`` (``63``) for 32 -> 64."""
        if self.checks:
            self._check_size("movsx", src_size, (8, 16, 32))
            self._check_size("movsx", dst_size, (16, 32, 64))
            self._gpr("movsx", dst)
            self._gpr_or_mem("movsx", src)
        fid = _MOVSX.get((src_size, dst_size))
        if fid is None:
            raise self._fail("movsx", f"cannot extend {src_size} bits to {dst_size}")
        self._op(fid, dst.num, src)

    def movsxd(self, dst: Gpr, src: Gpr | Mem | Label) -> None:
        self.movsx(dst, src, 32, 64)

    def lea(self, dst: Gpr, src: Mem | Label, size: int = 64) -> None:
        """``lea dst, [address]``; a Label gives ``lea dst, [rip + label]``."""
        ts = type(src)
        if self.checks:
            self._check_size("lea", size, (16, 32, 64))
            self._gpr("lea", dst)
        if ts is not Mem and ts is not Label:
            raise self._fail("lea", f"source must be a memory operand or label, got {src!r}")
        self._op(_LEA[size], dst.num, src)

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
        self._op(form(prefix, b"\x86" if size == 8 else b"\x87", w, _rr8(size)), b.num, a)

    def bswap(self, reg: Gpr, size: int = 64) -> None:
        if self.checks:
            self._check_size("bswap", size, (32, 64))
            self._gpr("bswap", reg)
        self._plusr(_BSWAP[size], reg)

    def cmovcc(self, cond: Cond, dst: Gpr, src: Gpr | Mem | Label, size: int = 64) -> None:
        if self.checks:
            self._check_size("cmovcc", size, (16, 32, 64))
            self._gpr("cmovcc", dst)
            self._gpr_or_mem("cmovcc", src)
            Cond(cond)
        self._op(_CMOV[size][cond], dst.num, src)

    def setcc(self, cond: Cond, dst: Gpr | Mem | Label) -> None:
        """``setcc r/m8`` (the caller zero-extends if it needs a full register)."""
        if self.checks:
            self._gpr_or_mem("setcc", dst)
            Cond(cond)
        self._op(_SETCC[cond], 0, dst)

    # ------------------------------------------------------------------ shifts, mul/div, unary
    def _shift(self, name: str, dst: Gpr | Mem | Label, count: int | Gpr, size: int) -> None:
        op = _SHIFT_OPS[name]
        if self.checks:
            self._check_size(name, size, _SIZES)
            self._gpr_or_mem(name, dst)
            if isinstance(count, Gpr):
                if count.num != 1:
                    raise self._fail(name, f"a register shift count must be CL, got {count!r}")
            elif not (isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 255):
                raise self._fail(name, f"shift count must be CL or an int 0..255, got {count!r}")
        if type(count) is Gpr:
            self._op(_SHIFT_CL[size], op, dst)
        elif count == 1:
            self._op(_SHIFT_1[size], op, dst)
        elif 0 <= count <= 255:
            self._op(_SHIFT_I[size], op, dst, BYTE[count])
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
        if self.checks:
            self._check_size("imul", size, (16, 32, 64))
            self._gpr("imul", dst)
            self._gpr_or_mem("imul", src)
        self._op(_IMUL[size], dst.num, src)

    def imul3(self, dst: Gpr, src: Gpr | Mem | Label, imm: int, size: int = 64) -> None:
        """``imul dst, src, imm`` (``6B`` with imm8 when it fits, else ``69``)."""
        if self.checks:
            self._check_size("imul", size, (16, 32, 64))
            self._gpr("imul", dst)
            self._gpr_or_mem("imul", src)
            self._imm("imul", imm, size)
        v = self._simm("imul", imm, size)
        if -128 <= v <= 127:
            self._op(_IMUL3_8[size], dst.num, src, BYTE[v & 0xFF])
        else:
            self._op(_IMUL3[size], dst.num, src, v.to_bytes(_IMM_BYTES[size], "little", signed=True))

    def _unary(self, name: str, digit: int, dst: Gpr | Mem | Label, size: int) -> None:
        if self.checks:
            self._check_size(name, size, _SIZES)
            self._gpr_or_mem(name, dst)
        self._op(_UNARY[size], digit, dst)

    def mul(self, src: Gpr | Mem, size: int = 64) -> None:
        """Unsigned ``rdx:rax = rax * src``."""
        self._unary("mul", 4, src, size)

    def imul1(self, src: Gpr | Mem, size: int = 64) -> None:
        """Signed one-operand ``rdx:rax = rax * src`` (``F7 /5``)."""
        self._unary("imul", 5, src, size)

    def div(self, src: Gpr | Mem, size: int = 64) -> None:
        """Unsigned divide of ``rdx:rax`` by ``src``."""
        self._unary("div", 6, src, size)

    def idiv(self, src: Gpr | Mem, size: int = 64) -> None:
        """Signed divide of ``rdx:rax`` by ``src``."""
        self._unary("idiv", 7, src, size)

    def neg(self, dst: Gpr | Mem, size: int = 64) -> None:
        self._unary("neg", 3, dst, size)

    def not_(self, dst: Gpr | Mem, size: int = 64) -> None:
        self._unary("not", 2, dst, size)

    def inc(self, dst: Gpr | Mem, size: int = 64) -> None:
        if self.checks:
            self._check_size("inc", size, _SIZES)
            self._gpr_or_mem("inc", dst)
        self._op(_INCDEC[size], 0, dst)

    def dec(self, dst: Gpr | Mem, size: int = 64) -> None:
        if self.checks:
            self._check_size("dec", size, _SIZES)
            self._gpr_or_mem("dec", dst)
        self._op(_INCDEC[size], 1, dst)

    def cdq(self) -> None:
        """Sign-extend eax into edx:eax."""
        self.code += b"\x99"

    def cqo(self) -> None:
        """Sign-extend rax into rdx:rax."""
        self.code += b"\x48\x99"

    def _bitscan(self, name: str, dst: Gpr, src: Gpr | Mem | Label, size: int) -> None:
        if self.checks:
            self._check_size(name, size, (16, 32, 64))
            self._gpr(name, dst)
            self._gpr_or_mem(name, src)
        self._op(_BITSCAN_F[name, size], dst.num, src)

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
        if self.checks:
            self._gpr("push", reg)
        self._plusr(_PUSH, reg)

    def pop(self, reg: Gpr) -> None:
        if self.checks:
            self._gpr("pop", reg)
        self._plusr(_POP, reg)

    def ret(self) -> None:
        self.code.append(0xC3)

    def ud2(self) -> None:
        self.code += b"\x0f\x0b"

    def int3(self) -> None:
        self.code.append(0xCC)

    def mfence(self) -> None:
        """Full memory barrier: earlier stores are visible before later loads (x86 may reorder those)."""
        self.code += b"\x0f\xae\xf0"


def _is_jump_field(code: bytes, at: int) -> bool:
    """Whether the 4-byte field at ``at`` is a jump's rel32 (``E9``, ``0F 80+cc``), as opposed to a
    ``call rel32`` or a ``[rip + label]`` displacement (whose ModRM byte is never E9 or 80..8F)."""
    op = code[at - 1]
    return op == 0xE9 or (0x80 <= op <= 0x8F and at >= 2 and code[at - 2] == 0x0F)


class Template:
    """A fixed instruction sequence assembled once, spliced in with ``Assembler.splice``.

    ``Template(build, nlabels)`` runs ``build(asm, *holes)`` on a fresh ``Assembler`` with ``nlabels``
    unbound labels and keeps the bytes, the references to the holes and what ``build`` returns
    (``marks``: offsets inside the sequence, e.g. of fields patched later). Splicing it with labels
    gives exactly the bytes assembling the sequence there would, provided each jump in it aims at a
    label that is still unbound (a forward jump, rel32): ``splice`` refuses a bound one. Calls and
    ``[rip + label]`` operands may aim at any label. A label ``build`` makes itself must be bound
    inside the sequence.
    """

    __slots__ = ("code", "refs", "marks")

    def __init__(self, build, nlabels: int = 0) -> None:
        asm = Assembler()
        holes = [Label(f"hole{i}") for i in range(nlabels)]
        self.marks = build(asm, *holes)
        index = {id(lbl): i for i, lbl in enumerate(holes)}
        code = bytes(asm.code)
        refs = []
        for lbl, fixups in asm._fixups.items():
            i = index.get(id(lbl))
            if i is None:
                raise EncodingError(f"template: {lbl!r} is referenced but never bound")
            for at, size, rel_to in fixups:
                refs.append((at, size, rel_to, i, size == 4 and _is_jump_field(code, at)))
        if any(lbl.offset is not None for lbl in holes):
            raise EncodingError("template: a hole label was bound inside the sequence")
        refs.sort()
        self.code = code
        self.refs = tuple(refs)

