"""Operands of the x86-64 encoder: memory references, labels, condition codes, immediates.

``Mem`` is a validated ``[base + index*scale + disp]`` reference (no size: the instruction gives
it). ``Label`` is a position in one assembler's code; where an instruction takes a memory operand, a
``Label`` means ``[rip + label]``. ``Cond`` numbers the condition codes as the hardware does, so
``0x70 + cond`` is the short jcc. ``EncodingError`` is what the encoder raises for anything it cannot
encode; it is both a ``jit.Error`` and a ``ValueError``.
"""
from __future__ import annotations

import os
from enum import IntEnum
from operator import itemgetter

from ..errors import Error
from .registers import Gpr


class EncodingError(Error, ValueError):
    """An instruction cannot be encoded as asked (bad operand kinds, immediate out of range, ...)."""


CHECKS: bool = os.environ.get("WXJIT_ENCODER_CHECKS", "") not in ("", "0")
"""Whether the encoder checks every operand (kinds, sizes, the ``Mem`` rules) before it emits: on in
the tests (tests/conftest.py) and with ``WXJIT_ENCODER_CHECKS=1``; off, the compiler's hot path only
checks what depends on values (immediates and displacements in range, jump distances). Change it with
``set_checks``: an ``Assembler`` reads it when it is made."""


def set_checks(on: bool) -> None:
    """Turn the encoder's operand checks on or off (for assemblers and ``Mem`` made from now on)."""
    global CHECKS
    CHECKS = bool(on)


class Cond(IntEnum):
    """x86 condition codes (the low nibble of jcc/setcc/cmovcc opcodes)."""

    O = 0
    NO = 1
    B = 2
    AE = 3
    E = 4
    NE = 5
    BE = 6
    A = 7
    S = 8
    NS = 9
    P = 10
    NP = 11
    L = 12
    GE = 13
    LE = 14
    G = 15
    # aliases
    C = 2
    NAE = 2
    NC = 3
    NB = 3
    Z = 4
    NZ = 5
    NA = 6
    NBE = 7
    PE = 10
    PO = 11
    NGE = 12
    NL = 13
    NG = 14
    NLE = 15

    def negate(self) -> Cond:
        """The opposite condition (flips the low bit): E <-> NE, L <-> GE, ..."""
        return COND_NEGATED[self]

    @property
    def mnemonic(self) -> str:
        """Lower-case suffix as assemblers spell it: ``"e"``, ``"ne"``, ``"ae"``."""
        return self.name.lower()


COND_NEGATED: tuple[Cond, ...] = tuple(Cond(c ^ 1) for c in range(16))
"""Condition code (an int or a ``Cond``) -> the opposite ``Cond``: a lookup instead of an enum call."""

_SCALE_BITS = {1: 0, 2: 1, 4: 2, 8: 3}

INT8_MIN, INT8_MAX = -(1 << 7), (1 << 7) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def fits_i8(value: int) -> bool:
    return INT8_MIN <= value <= INT8_MAX


def fits_i32(value: int) -> bool:
    return INT32_MIN <= value <= INT32_MAX


def _check_mem(base: object, index: object, scale: object, disp: object) -> None:
    if base is not None and not isinstance(base, Gpr):
        raise EncodingError(f"memory base must be a Gpr or None, got {base!r}")
    if index is not None:
        if not isinstance(index, Gpr):
            raise EncodingError(f"memory index must be a Gpr or None, got {index!r}")
        if index.num == 4:
            raise EncodingError("rsp cannot be an index register")
    if scale not in _SCALE_BITS:
        raise EncodingError(f"scale must be 1, 2, 4 or 8, got {scale!r}")
    if index is None and scale != 1:
        raise EncodingError(f"scale {scale} without an index register")
    if not isinstance(disp, int) or isinstance(disp, bool) or not fits_i32(disp):
        raise EncodingError(f"displacement {disp!r} does not fit in a signed 32-bit field")


_tuple_new = tuple.__new__


class Mem(tuple):
    """A memory reference ``[base + index*scale + disp]``.

    ``base`` may be None (then the address is ``index*scale + disp32``, or the absolute ``disp32``);
    ``index`` may not be RSP; ``scale`` is 1, 2, 4 or 8 and must be 1 without an index; ``disp`` is a
    signed 32-bit value. RIP-relative addressing is spelled with a ``Label`` instead.

    An immutable value: a tuple ``(base, index, scale, disp)`` underneath, so it compares and hashes
    at C speed (the encoder memoizes encodings by it). The operand rules are checked when the
    encoder's checks are on (``operands.CHECKS``, the tests); without them a displacement out of
    range still fails when the operand is encoded.
    """

    __slots__ = ()

    def __new__(cls, base: Gpr | None, index: Gpr | None = None, scale: int = 1, disp: int = 0) -> Mem:
        if CHECKS:
            _check_mem(base, index, scale, disp)
        return _tuple_new(cls, (base, index, scale, disp))

    base = property(itemgetter(0), doc="The base register, or None.")
    index = property(itemgetter(1), doc="The index register, or None.")
    scale = property(itemgetter(2), doc="The index scale: 1, 2, 4 or 8.")
    disp = property(itemgetter(3), doc="The signed 32-bit displacement.")

    def __getnewargs__(self) -> tuple:
        return tuple(self)

    def __repr__(self) -> str:
        return f"Mem(base={self[0]!r}, index={self[1]!r}, scale={self[2]!r}, disp={self[3]!r})"

    @property
    def scale_bits(self) -> int:
        return _SCALE_BITS[self[2]]

    def intel(self) -> str:
        """Intel-syntax text of the address part, e.g. ``[rax + rcx*4 - 0x10]``."""
        base, index, scale, disp = self
        parts = []
        if base is not None:
            parts.append(base.name)
        if index is not None:
            parts.append(f"{index.name}*{scale}")
        text = " + ".join(parts)
        if not parts:
            text = f"{disp:#x}"
        elif disp:
            text += f" - {-disp:#x}" if disp < 0 else f" + {disp:#x}"
        return f"[{text}]"


class Label:
    """A position in an assembler's code, bound once with ``Assembler.bind``.

    Labels compare by identity. ``offset`` is None until bound.
    """

    __slots__ = ("name", "offset")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.offset: int | None = None

    @property
    def bound(self) -> bool:
        return self.offset is not None

    def __repr__(self) -> str:
        where = f"@{self.offset:#x}" if self.offset is not None else "unbound"
        return f"Label({self.name or hex(id(self))} {where})"


def wrap_signed(value: int, bits: int, what: str) -> int:
    """``value`` as a signed ``bits``-bit number; accepts the signed and the unsigned range."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodingError(f"{what}: immediate must be an int, got {value!r}")
    if not -(1 << (bits - 1)) <= value < (1 << bits):
        raise EncodingError(f"{what}: immediate {value:#x} does not fit in {bits} bits")
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def pack(value: int, nbytes: int) -> bytes:
    """Little-endian two's complement of ``value`` in ``nbytes`` (caller has range-checked it)."""
    return (value & ((1 << (8 * nbytes)) - 1)).to_bytes(nbytes, "little")
