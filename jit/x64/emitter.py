"""The base of the x86-64 ``Assembler``: the code buffer, memoized forms, checks, data, labels, jumps.

See ``jit.x64.encoder`` for the guarantees; the forms and their memo are in ``jit.x64.encoding``.
"""
from __future__ import annotations

from struct import Struct
from struct import error as StructError

from . import operands as _operands
from .encoding import BYTE, MEMO, R8_FORCE, encode, form, miss, miss_plusr, rip_head, signed
from .operands import Cond, EncodingError, Label, Mem, fits_i8, fits_i32, pack, wrap_signed
from .registers import Gpr, Xmm

RM = Gpr | Xmm | Mem | Label
_pack_i32 = Struct("<i").pack_into              # (code, at, value): a rel32 field in place
_SIZES = (8, 16, 32, 64)
_EMIT_MEMO: dict[tuple, bytes] = {}
_FF = form(b"", b"\xff")                       # jmp /4, call /2 (r/m64)
_JCC_SHORT = [BYTE[0x70 + cc] for cc in range(16)]
_JCC_LONG = [bytes((0x0F, 0x80 + cc)) for cc in range(16)]
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


class Emitter:
    """The part of ``Assembler`` below the instructions: the code buffer, emitting a memoized form,
    operand checks, data directives, labels and jumps."""

    def __init__(self) -> None:
        self.code = bytearray()
        # label -> pending fixups (field offset, field size, offset the value is relative to)
        self._fixups: dict[Label, list[tuple[int, int, int]]] = {}
        self.checks = _operands.CHECKS        # operand kind/size checks (see the module docstring)

    # ------------------------------------------------------------------ basics
    @property
    def offset(self) -> int:
        """Current end of code (where the next instruction goes)."""
        return len(self.code)

    def _fail(self, what: str, reason: str) -> EncodingError:
        return EncodingError(f"{what} at code offset {len(self.code):#x}: {reason}")

    def _op(self, fid: int, reg: int, rm: RM, imm: bytes = b"") -> None:
        """Emit form ``fid`` with ModRM.reg = ``reg`` and r/m = ``rm``, then ``imm``."""
        b = MEMO.get((fid, reg, rm))
        if b is None:
            if type(rm) is Label:                 # [rip + label]: never memoized
                code = self.code
                code += rip_head(fid, reg)
                code += b"\0\0\0\0"
                at = len(code) - 4
                code += imm
                self._ref(rm, at, 4, len(code))
                return
            try:
                b = miss((fid, reg, rm))
            except EncodingError as e:
                raise self._fail("instruction", str(e)) from None
        code = self.code
        code += b
        if imm:
            code += imm

    def _plusr(self, fid: int, reg: Gpr, imm: bytes = b"") -> None:
        """Emit an ``opcode+r`` form (``B8+r``, ``50+r``, ``0F C8+r``), then ``imm``."""
        b = MEMO.get((fid, reg))
        if b is None:
            b = miss_plusr((fid, reg))
        code = self.code
        code += b
        if imm:
            code += imm

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
        if type(rm) is Label:
            self._op(form(prefix, opcode, w, R8_FORCE if rex8 else 0), reg, rm, imm)
            return
        key = (opcode, reg, rm, w, prefix, rex8)
        b = _EMIT_MEMO.get(key)
        if b is None:
            try:
                b = encode(prefix, opcode, w, R8_FORCE if rex8 else 0, reg, rm)
            except EncodingError as e:
                raise self._fail("instruction", str(e)) from None
            if len(_EMIT_MEMO) >= 4096:
                _EMIT_MEMO.clear()
            _EMIT_MEMO[key] = b
        code = self.code
        code += b
        if imm:
            code += imm

    def _emit_plusr(self, opcode: bytes, reg: Gpr, *, w: bool = False, prefix: bytes = b"",
                    imm: bytes = b"", rex8: bool = False) -> None:
        """Emit an opcode whose last byte carries the register (``B8+r``, ``50+r``, ``0F C8+r``)."""
        self._plusr(form(prefix, opcode, w, R8_FORCE if rex8 else 0), reg, imm)

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

    def _simm(self, what: str, value: int, size: int) -> int:
        """The fast ``_imm``: range only (the checks add the type)."""
        try:
            v = signed(value, size)
        except EncodingError as e:
            raise self._fail(what, str(e)) from None
        if size == 64 and not -0x80000000 <= v <= 0x7FFFFFFF:
            raise self._fail(what, f"immediate {value:#x} does not fit in a sign-extended imm32")
        return v

    # ------------------------------------------------------------------ operand checks (checks on)
    def _check_dst_src(self, name: str, dst: object, src: object, size: int, sizes: tuple[int, ...],
                       mem_dst_imm: bool = True) -> None:
        """The rules of ``op dst, src`` for ALU/mov-like instructions."""
        self._check_size(name, size, sizes)
        if isinstance(src, int):
            if name == "mov" and isinstance(dst, Gpr):
                self._wrap(name, src, 64 if size == 64 else size)
                return
            self._gpr_or_mem(name, dst)
            self._imm(name, src, size)
        elif isinstance(src, Gpr):
            self._gpr_or_mem(name, dst)
        elif isinstance(src, Mem | Label):
            if name == "mov":
                self._gpr(name, dst)
            elif not isinstance(dst, Gpr):
                self._gpr_or_mem(name, dst)
                raise self._fail(name, "memory to memory is not encodable")
        else:
            self._gpr_or_mem(name, dst)
            raise self._fail(name, f"bad source operand {src!r}")

    # ------------------------------------------------------------------ data
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
        pad = -len(self.code) % n
        if fill is None:
            self.nop(pad)
        elif pad:
            self.code += BYTE[fill] * pad

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
        self._ref(target, len(self.code) - 4, 4, base.offset)

    def patch32(self, at: int, value: int) -> None:
        """Overwrite the 32-bit field at ``at`` (e.g. a frame size emitted with ``force_imm32``)."""
        if not 0 <= at <= len(self.code) - 4:
            raise self._fail("patch32", f"offset {at:#x} outside the code")
        if -0x80000000 <= value <= 0x7FFFFFFF and type(value) is int:
            _pack_i32(self.code, at, value)
        else:
            self.code[at:at + 4] = pack(self._wrap("patch32", value, 32), 4)
    # ------------------------------------------------------------------ labels and control flow
    label = staticmethod(Label)
    """``label(name="")``: a new unbound label (the ``Label`` class itself: no call in between)."""

    def bind(self, label: Label) -> None:
        """Bind ``label`` to the current offset and patch every jump already aimed at it."""
        if label.offset is not None:
            raise self._fail("bind", f"{label!r} is already bound")
        code = self.code
        here = label.offset = len(code)
        fixups = self._fixups.pop(label, None)
        if fixups is None:
            return
        for at, size, rel_to in fixups:
            value = here - rel_to
            if size == 1:
                if not -128 <= value <= 127:
                    raise self._fail("bind", f"short jump at {at - 1:#x} to {label!r} is {value} bytes away")
                code[at] = value & 0xFF
            else:
                try:
                    _pack_i32(code, at, value)
                except StructError:
                    raise self._fail("bind", f"{label!r} is out of rel32 range") from None

    def _ref(self, label: Label, at: int, size: int, rel_to: int) -> None:
        """Fill the field at ``at`` with ``label - rel_to`` now or when the label is bound."""
        if type(label) is not Label and not isinstance(label, Label):
            raise self._fail("label reference", f"expected a Label, got {label!r}")
        if label.offset is None:
            fixups = self._fixups.get(label)
            if fixups is None:
                self._fixups[label] = [(at, size, rel_to)]
            else:
                fixups.append((at, size, rel_to))
            return
        value = label.offset - rel_to
        if size == 1:
            if not fits_i8(value):
                raise self._fail("short jump", f"{label!r} is {value} bytes away")
            self.code[at] = value & 0xFF
        else:
            if not fits_i32(value):
                raise self._fail("jump", f"{label!r} is out of rel32 range")
            _pack_i32(self.code, at, value)

    def splice(self, template, *labels: Label) -> int:
        """Append a ``jit.x64.encoder.Template`` with its holes aimed at ``labels``; return where it
        starts. A jump of the template to an already bound label is refused (see ``Template``)."""
        code = self.code
        base = len(code)
        code += template.code
        fixups = self._fixups
        for at, size, rel_to, i, jump in template.refs:
            lbl = labels[i]
            if lbl.offset is None and type(lbl) is Label:     # the common case of _ref, inlined
                pending = fixups.get(lbl)
                if pending is None:
                    fixups[lbl] = [(base + at, size, base + rel_to)]
                else:
                    pending.append((base + at, size, base + rel_to))
                continue
            if jump and lbl.offset is not None:
                raise self._fail("splice", f"template jump to {lbl!r}, which is already bound")
            self._ref(lbl, base + at, size, base + rel_to)
        return base

    def _jump(self, short_op: bytes, long_op: bytes, target: Label, short: bool) -> None:
        code = self.code
        off = target.offset
        if off is not None:                      # backward: rel8 when it fits
            value = off - (len(code) + len(short_op) + 1)
            if -128 <= value <= 127:
                code += short_op
                code.append(value & 0xFF)
                return
            if short:
                raise self._fail("short jump", f"{target!r} is out of rel8 range")
            value = off - (len(code) + len(long_op) + 4)
            if not -0x80000000 <= value <= 0x7FFFFFFF:
                raise self._fail("jump", f"{target!r} is out of rel32 range")
            code += long_op
            code += value.to_bytes(4, "little", signed=True)
            return
        if short:
            code += short_op
            code.append(0)
            fix = (len(code) - 1, 1, len(code))
        else:
            code += long_op
            code += b"\0\0\0\0"
            fix = (len(code) - 4, 4, len(code))
        fixups = self._fixups.get(target)
        if fixups is None:
            self._fixups[target] = [fix]
        else:
            fixups.append(fix)

    def jmp(self, target: Label | Gpr | Mem, *, short: bool = False) -> None:
        """``jmp label`` (rel8/rel32, see the module docstring) or an indirect ``jmp r/m64``."""
        if type(target) is Label:
            self._jump(b"\xeb", b"\xe9", target, short)
        else:
            if self.checks:
                self._gpr_or_mem("jmp", target)
            self._op(_FF, 4, target)

    def jmp_rip(self, label: Label) -> None:
        """``jmp qword ptr [rip + label]``."""
        self._op(_FF, 4, label)

    def jcc(self, cond: Cond, target: Label, *, short: bool = False) -> None:
        if type(target) is not Label:
            raise self._fail("jcc", f"target must be a Label, got {target!r}")
        if self.checks:
            Cond(cond)
        self._jump(_JCC_SHORT[cond], _JCC_LONG[cond], target, short)

    def call(self, target: Label | Gpr | Mem) -> None:
        """``call label`` (always rel32) or an indirect ``call r/m64``."""
        if type(target) is Label:
            self.code += b"\xe8\0\0\0\0"
            self._ref(target, len(self.code) - 4, 4, len(self.code))
        else:
            if self.checks:
                self._gpr_or_mem("call", target)
            self._op(_FF, 2, target)

    def call_rip(self, label: Label) -> None:
        """``call qword ptr [rip + label]`` (e.g. through an import table slot)."""
        self._op(_FF, 2, label)

    def call_rel32(self) -> int:
        """Emit ``call rel32`` with a zero field; return the field's offset (for a relocation)."""
        self.code += b"\xe8\0\0\0\0"
        return len(self.code) - 4

    def jmp_rel32(self) -> int:
        """Emit ``jmp rel32`` with a zero field; return the field's offset (for a relocation)."""
        self.code += b"\xe9\0\0\0\0"
        return len(self.code) - 4

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
