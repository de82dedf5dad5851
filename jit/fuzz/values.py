"""Interesting bit patterns per value type: boundaries of every conversion, NaNs with payloads, ±0,
denormals, infinities, extremes and rounding ties. Used for constants in generated code and for the
argument vectors the harness passes to exported functions.
"""
from __future__ import annotations

import random
import struct

from .encoding import F32, F64, I32, I64, V128


def f32_bits(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


_I32 = [0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0xFFFE,
        0xFFFC, 0xFFF8, 0x1FFFF, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFF80,
        0xFFFF8000, 0x55555555, 0xAAAAAAAA, 0x12345678]
_I64 = [0, 1, 2, 31, 32, 63, 64, 65, 0xFF, 0xFFFF, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFF, 0x80000000,
        0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x8000000000000001, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF80000000,
        0xFFFFFFFFFFFFFFFE, 0x0020000000000000, 0x0020000000000001, 0x001FFFFFFFFFFFFF,
        0x8000000000000400, 0x7FFFFFFFFFFFFC00, 0xFFFFFFFFFFFFFC00, 0x0123456789ABCDEF]
_F32 = [f32_bits(x) for x in (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.49999997,
                              2147483648.0, 2147483520.0, -2147483648.0, -2147483904.0, 4294967296.0,
                              4294967040.0, 9.223372e18, -9.223372e18, 1.8446743e19, 1.8446742e19,
                              -0.99999994, 8388608.5, 16777216.0, 16777217.0, 1e-45, -1e-45, 1.1754942e-38,
                              3.4028235e38, -3.4028235e38, float("inf"), float("-inf"), 0.1, -123.75)]
_F32 += [0x7FC00000, 0xFFC00000, 0x7FA00000, 0xFF800001, 0x7FC00001, 0x7FFFFFFF, 0x5F000000, 0xDF000000,
         0x4F000000, 0xCF000000, 0x5F800000, 0x4F800000]
_F64 = [f64_bits(x) for x in (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994,
                              2147483647.9, 2147483648.0, -2147483648.9, -2147483649.0, 4294967295.9,
                              4294967296.0, -0.9, -1.0, 9223372036854775808.0, -9223372036854775808.0,
                              18446744073709551616.0, 4503599627370496.5, 9007199254740993.0, 5e-324, -5e-324,
                              2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
                              float("inf"), float("-inf"), 0.1, 1e10, -7.25)]
_F64 += [0x7FF8000000000000, 0xFFF8000000000000, 0x7FF4000000000000, 0xFFF0000000000001, 0x7FF8000000000001,
         0x7FFFFFFFFFFFFFFF, 0x43DFFFFFFFFFFFFF, 0xC3E0000000000000, 0xC3E0000000000001, 0x43EFFFFFFFFFFFFF,
         0x41DFFFFFFFC00000, 0xC1E0000000000000, 0x41EFFFFFFFE00000, 0x3FF0000000000001]

INTERESTING: dict[int, list[int]] = {I32: _I32, I64: _I64, F32: _F32, F64: _F64}
WIDTH = {I32: 32, I64: 64, F32: 32, F64: 64}


def random_bits(rng: random.Random, t: int) -> int:
    """A value of type ``t`` as an unsigned bit pattern: mostly interesting, sometimes random (a v128:
    lanes of one scalar type, or random bytes)."""
    if t == V128:
        lane = rng.choice((I32, I64, F32, F64, None))
        if lane is None:
            return rng.getrandbits(128)
        width = WIDTH[lane]
        return sum(random_bits(rng, lane) << (i * width) for i in range(128 // width))
    r = rng.random()
    if r < 0.55:
        return rng.choice(INTERESTING[t])
    if r < 0.75:
        if t in (I32, I64):
            return rng.randint(-300, 300) & ((1 << WIDTH[t]) - 1)
        x = rng.choice((rng.uniform(-300.0, 300.0), float(rng.randint(-100, 100)) + rng.choice((0.0, 0.5)),
                        rng.uniform(-3e9, 3e9), rng.uniform(-2e19, 2e19)))
        return f32_bits(x) if t == F32 else f64_bits(x)
    return rng.getrandbits(WIDTH[t])
