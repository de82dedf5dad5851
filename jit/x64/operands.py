"""Operands of the x86-64 encoder: memory references, labels, condition codes, immediates.

``Mem`` is a validated ``[base + index*scale + disp]`` reference (no size: the instruction gives
it). ``Label`` is a position in one assembler's code; where an instruction takes a memory operand, a
``Label`` means ``[rip + label]``. ``Cond`` numbers the condition codes as the hardware does, so
``0x70 + cond`` is the short jcc. ``EncodingError`` is what the encoder raises for anything it cannot
encode; it is both a ``jit.Error`` and a ``ValueError``.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ..errors import Error
from .registers import Gpr


class EncodingError(Error, ValueError):
    """An instruction cannot be encoded as asked (bad operand kinds, immediate out of range, ...)."""


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
        return Cond(self.value ^ 1)

    @property
    def mnemonic(self) -> str:
        """Lower-case suffix as assemblers spell it: ``"e"``, ``"ne"``, ``"ae"``."""
        return self.name.lower()


_SCALE_BITS = {1: 0, 2: 1, 4: 2, 8: 3}

INT8_MIN, INT8_MAX = -(1 << 7), (1 << 7) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def fits_i8(value: int) -> bool:
    return INT8_MIN <= value <= INT8_MAX


def fits_i32(value: int) -> bool:
    return INT32_MIN <= value <= INT32_MAX


@dataclass(frozen=True, slots=True)
class Mem:
    """A memory reference ``[base + index*scale + disp]``.

    ``base`` may be None (then the address is ``index*scale + disp32``, or the absolute ``disp32``);
    ``index`` may not be RSP; ``scale`` is 1, 2, 4 or 8 and must be 1 without an index; ``disp`` is a
    signed 32-bit value. RIP-relative addressing is spelled with a ``Label`` instead.
    """

    base: Gpr | None
    index: Gpr | None = None
    scale: int = 1
    disp: int = 0

    def __post_init__(self) -> None:
        if self.base is not None and not isinstance(self.base, Gpr):
            raise EncodingError(f"memory base must be a Gpr or None, got {self.base!r}")
        if self.index is not None:
            if not isinstance(self.index, Gpr):
                raise EncodingError(f"memory index must be a Gpr or None, got {self.index!r}")
            if self.index.num == 4:
                raise EncodingError("rsp cannot be an index register")
        if self.scale not in _SCALE_BITS:
            raise EncodingError(f"scale must be 1, 2, 4 or 8, got {self.scale!r}")
        if self.index is None and self.scale != 1:
            raise EncodingError(f"scale {self.scale} without an index register")
        if not isinstance(self.disp, int) or not fits_i32(self.disp):
            raise EncodingError(f"displacement {self.disp!r} does not fit in a signed 32-bit field")

    @property
    def scale_bits(self) -> int:
        return _SCALE_BITS[self.scale]

    def intel(self) -> str:
        """Intel-syntax text of the address part, e.g. ``[rax + rcx*4 - 0x10]``."""
        parts = []
        if self.base is not None:
            parts.append(self.base.name)
        if self.index is not None:
            parts.append(f"{self.index.name}*{self.scale}")
        text = " + ".join(parts)
        if not parts:
            text = f"{self.disp:#x}"
        elif self.disp:
            text += f" - {-self.disp:#x}" if self.disp < 0 else f" + {self.disp:#x}"
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
