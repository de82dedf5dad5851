"""LEB128 readers with the spec's malformed-integer rules.

Each reader takes ``(data, pos)`` and returns ``(value, new_pos)``. An encoding longer than
``ceil(N / 7)`` bytes raises ``MalformedError("integer representation too long")``; unused bits of the
last byte that are not zero (unsigned) or not a sign extension (signed) raise
``MalformedError("integer too large")``; running off the end raises
``MalformedError("unexpected end of section or function")``. Callers inline the one-byte case.
"""
from __future__ import annotations

from ..errors import MalformedError

EOF_MESSAGE = "unexpected end of section or function"


def _eof(data: bytes) -> MalformedError:
    return MalformedError(EOF_MESSAGE, len(data))


def read_unsigned(data: bytes, pos: int, bits: int) -> tuple[int, int]:
    """Read an unsigned LEB128 integer of at most ``bits`` bits."""
    start = pos
    result = 0
    shift = 0
    max_bytes = (bits + 6) // 7
    try:
        for _ in range(max_bytes):
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                if shift + 7 > bits and b >> (bits - shift):
                    raise MalformedError("integer too large", start)
                return result, pos
            shift += 7
    except IndexError:
        raise _eof(data) from None
    raise MalformedError("integer representation too long", start)


def read_signed(data: bytes, pos: int, bits: int) -> tuple[int, int]:
    """Read a signed LEB128 integer of at most ``bits`` bits."""
    start = pos
    result = 0
    shift = 0
    max_bytes = (bits + 6) // 7
    try:
        for _ in range(max_bytes):
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if shift > bits:
                    # The bits beyond ``bits`` (and the sign bit) must all be equal.
                    used = bits - (shift - 7)  # value bits in this byte, sign bit included
                    rest = b >> (used - 1)     # sign bit and the unused bits above it
                    if rest != 0 and rest != (0x7F >> (used - 1)):
                        raise MalformedError("integer too large", start)
                if b & 0x40:
                    result -= 1 << shift
                return result, pos
    except IndexError:
        raise _eof(data) from None
    raise MalformedError("integer representation too long", start)


def read_u32(data: bytes, pos: int) -> tuple[int, int]:
    b = data[pos] if pos < len(data) else 0x80
    if b < 0x80:
        return b, pos + 1
    return read_unsigned(data, pos, 32)


def read_s32(data: bytes, pos: int) -> tuple[int, int]:
    return read_signed(data, pos, 32)


def read_s33(data: bytes, pos: int) -> tuple[int, int]:
    return read_signed(data, pos, 33)


def read_s64(data: bytes, pos: int) -> tuple[int, int]:
    return read_signed(data, pos, 64)


def encode_unsigned(value: int) -> bytes:
    """Minimal unsigned LEB128 encoding (for tests and tools)."""
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        out.append(b | 0x80 if value else b)
        if not value:
            return bytes(out)


def encode_signed(value: int) -> bytes:
    """Minimal signed LEB128 encoding (for tests and tools)."""
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        done = (value == 0 and not b & 0x40) or (value == -1 and b & 0x40)
        out.append(b if done else b | 0x80)
        if done:
            return bytes(out)
