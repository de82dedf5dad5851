"""Multiply-high constants for integer division by a constant (Granlund-Montgomery; Hacker's Delight ch. 10).

A division by a constant ``d`` that is not a power of two becomes ``floor(x * m / 2**p)`` for a magic
multiplier ``m = ceil(2**p / d)``. ``magic(d, xmax, ymax, pmin)`` returns the smallest such ``(m, p)``
with ``p >= pmin`` that is exact over the whole operand range, proved here from the two extreme cases
(not sampled):

* for every ``0 <= x <= xmax``: ``floor(x * m / 2**p) == x // d``;
* for every ``1 <= y <= ymax`` (signed division; 0 for unsigned): ``floor(-y * m / 2**p) + 1 ==
  -(y // d)``, that is the truncated quotient of a negative dividend is the floored product plus one.

With ``e = m*d - 2**p`` (0 < e < d since d is not a power of two) and ``x = q*d + r``, the product is
``q + (r + x*e / 2**p) / d``: exact iff ``r + x*e/2**p < d`` for every x (``<= d`` on the negative
side, where ``r = 0`` needs ``e > 0``). The left side grows with x within one residue class, so only
the largest x of residue ``d-1`` and the largest x of all (with its own residue) can fail.
"""
from __future__ import annotations


def _side_ok(d: int, e: int, p: int, top: int, strict: bool) -> bool:
    """``r + x*e/2**p < d`` (or ``<=``) for every ``0 <= x <= top``, where ``r = x mod d``."""
    if top <= 0:
        return True
    one = 1 << p
    r_top = top % d
    nc = top - r_top - 1                  # the largest x <= top with x mod d == d-1 (if any)
    if strict:
        ok = top * e < (d - r_top) * one
        return ok and (nc < 0 or nc * e < one)
    ok = top * e <= (d - r_top) * one
    return ok and (nc < 0 or nc * e <= one)


def magic(d: int, xmax: int, ymax: int = 0, pmin: int = 0) -> tuple[int, int]:
    """The smallest exact ``(m, p)`` (``p >= pmin``) for dividing ``[-ymax, xmax]`` by ``d >= 3``, not a
    power of two (see the module docstring)."""
    if d < 3 or d & (d - 1) == 0:
        raise ValueError(f"divisor {d} is a power of two or below 3")
    p = pmin
    while True:
        one = 1 << p
        m = -(-one // d)
        e = m * d - one
        if _side_ok(d, e, p, xmax, strict=True) and _side_ok(d, e, p, ymax, strict=False):
            return m, p
        p += 1


def unsigned_magic(d: int, bits: int, pmin: int = 0) -> tuple[int, int]:
    """Magic for an unsigned ``bits``-wide dividend."""
    return magic(d, (1 << bits) - 1, 0, pmin)


def signed_magic(d: int, bits: int, pmin: int = 0) -> tuple[int, int]:
    """Magic for a signed ``bits``-wide dividend and divisor magnitude ``d``."""
    half = 1 << (bits - 1)
    return magic(d, half - 1, half, pmin)


__all__ = ["magic", "signed_magic", "unsigned_magic"]
