"""Instruction encodings from tables: the encoder's memoized ``[prefix] [REX] opcode ModRM [SIB] [disp]``.

An instruction *form* is ``(mandatory prefix, opcode, REX.W, byte-register flags)``, registered once
with ``form()`` and named by a small int. The bytes of a form with a given ModRM.reg value and r/m
operand (a register or a ``Mem``) depend on nothing else, so they are computed once and kept in
``MEMO`` keyed by ``(form id, reg, rm)`` (registers hash by identity, a ``Mem`` as a tuple: both at
C speed); the encoder appends them and then the immediate. Byte-register flags: ``R8_REG`` (the reg
field names an 8-bit register: spl/bpl/sil/dil need a REX prefix), ``R8_RM`` (the same for a register
r/m), ``R8_FORCE`` (always a REX prefix).
"""
from __future__ import annotations

from .operands import EncodingError, Mem
from .registers import Gpr, Xmm

R8_REG, R8_RM, R8_FORCE = 1, 2, 4

FORMS: list[tuple[bytes, bytes, bool, int]] = []
_FORM_IDS: dict[tuple[bytes, bytes, bool, int], int] = {}

MEMO: dict[tuple, bytes] = {}
"""(form id, ModRM.reg, r/m) -> the instruction's bytes up to its immediate; (form id, reg) for the
``opcode+r`` forms. Cleared when it reaches ``MEMO_MAX`` entries."""
MEMO_MAX = 1 << 16

BYTE = tuple(bytes((i,)) for i in range(256))
"""``BYTE[i] == bytes((i,))``."""

_SCALE_BITS = {1: 0, 2: 1, 4: 2, 8: 3}


def form(prefix: bytes, opcode: bytes, w: bool = False, r8: int = 0) -> int:
    """The id of a form (registered on first use)."""
    key = (bytes(prefix), bytes(opcode), bool(w), r8)
    fid = _FORM_IDS.get(key)
    if fid is None:
        fid = _FORM_IDS[key] = len(FORMS)
        FORMS.append(key)
    return fid


def encode(prefix: bytes, opcode: bytes, w: bool, r8: int, reg: int, rm: object) -> bytes:
    """``prefix [REX] opcode ModRM [SIB] [disp]`` with ModRM.reg = ``reg`` (0..15) and r/m = ``rm``."""
    rex = (8 if w else 0) | (reg >> 3) << 2
    force = r8 & R8_FORCE or (r8 & R8_REG and 4 <= reg <= 7)
    t = type(rm)
    if t is Gpr or t is Xmm:
        rex |= rm.ext                                      # type: ignore[attr-defined]
        tail = BYTE[0xC0 | (reg & 7) << 3 | rm.low3]       # type: ignore[attr-defined]
        if r8 & R8_RM and t is Gpr and 4 <= rm.num <= 7:   # type: ignore[attr-defined]
            force = True
    elif t is Mem:
        x, b, tail = encode_mem(reg & 7, rm)               # type: ignore[arg-type]
        rex |= x << 1 | b
    else:
        raise EncodingError(f"bad register/memory operand {rm!r}")
    if rex or force:
        return prefix + BYTE[0x40 | rex] + opcode + tail
    return prefix + opcode + tail


def miss(key: tuple) -> bytes:
    """Encode ``key`` = (form id, reg, rm) and remember it."""
    fid, reg, rm = key
    prefix, opcode, w, r8 = FORMS[fid]
    b = encode(prefix, opcode, w, r8, reg, rm)
    if len(MEMO) >= MEMO_MAX:
        MEMO.clear()
    MEMO[key] = b
    return b


def miss_plusr(key: tuple) -> bytes:
    """Encode ``key`` = (form id, register) of an ``opcode+r`` form and remember it."""
    fid, reg = key
    prefix, opcode, w, r8 = FORMS[fid]
    rex = (8 if w else 0) | reg.ext
    force = r8 & R8_FORCE or (r8 & R8_REG and 4 <= reg.num <= 7)
    b = prefix + (BYTE[0x40 | rex] if rex or force else b"") + opcode[:-1] + BYTE[opcode[-1] + reg.low3]
    if len(MEMO) >= MEMO_MAX:
        MEMO.clear()
    MEMO[key] = b
    return b


def rip_head(fid: int, reg: int) -> bytes:
    """The bytes of a ``[rip + disp32]`` form up to its displacement."""
    prefix, opcode, w, r8 = FORMS[fid]
    rex = (8 if w else 0) | (reg >> 3) << 2
    force = r8 & R8_FORCE or (r8 & R8_REG and 4 <= reg <= 7)
    return prefix + (BYTE[0x40 | rex] if rex or force else b"") + opcode + BYTE[(reg & 7) << 3 | 5]


def encode_mem(reg3: int, m: Mem) -> tuple[int, int, bytes]:
    """ModRM/SIB/displacement for ``m`` with ModRM.reg = ``reg3``; returns (REX.X, REX.B, bytes)."""
    base, index, scale, disp = m
    try:
        sbits = _SCALE_BITS[scale]
        if base is None:
            # mod=00 rm=100 with SIB base=101: [index*scale + disp32]; index=100 means no index.
            x = index.ext if index is not None else 0
            idx3 = index.low3 if index is not None else 4
            sib = bytes((reg3 << 3 | 4, sbits << 6 | idx3 << 3 | 5))
            return x, 0, sib + disp.to_bytes(4, "little", signed=True)
        low3 = base.low3
        if disp == 0 and low3 != 5:  # rbp/r13 with mod=00 would mean rip/no-base
            mod, dbytes = 0, b""
        elif -128 <= disp <= 127:
            mod, dbytes = 1, BYTE[disp & 0xFF]
        else:
            mod, dbytes = 2, disp.to_bytes(4, "little", signed=True)
        if index is None and low3 != 4:  # rsp/r12 as rm means "SIB follows"
            return 0, base.ext, BYTE[mod << 6 | reg3 << 3 | low3] + dbytes
        x = index.ext if index is not None else 0
        idx3 = index.low3 if index is not None else 4
        return x, base.ext, bytes((mod << 6 | reg3 << 3 | 4, sbits << 6 | idx3 << 3 | low3)) + dbytes
    except (OverflowError, KeyError, AttributeError, TypeError):
        raise EncodingError(f"memory operand {m!r} cannot be encoded") from None


# Immediates: the signed value of ``value`` given signed or unsigned for ``size`` bits.
_SMIN = {8: -0x80, 16: -0x8000, 32: -0x80000000, 64: -(1 << 63)}
_SMAX = {8: 0x7F, 16: 0x7FFF, 32: 0x7FFFFFFF, 64: (1 << 63) - 1}
_UMAX = {8: 0xFF, 16: 0xFFFF, 32: 0xFFFFFFFF, 64: (1 << 64) - 1}


def signed(value: int, size: int) -> int:
    """``value`` (in the signed or the unsigned range of ``size`` bits) as a signed number; raises
    ``EncodingError`` outside both ranges."""
    if value < 0:
        if value < _SMIN[size]:
            raise EncodingError(f"immediate {value:#x} does not fit in {size} bits")
        return value
    if value > _SMAX[size]:
        if value > _UMAX[size]:
            raise EncodingError(f"immediate {value:#x} does not fit in {size} bits")
        return value - (1 << size)
    return value
