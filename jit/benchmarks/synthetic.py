"""Synthetic modules of many small functions, generated as bytes (compile benchmarks, parallel tests).

``many_functions(n)``: ``n`` functions ``(i32, i32) -> i32`` mixing arithmetic, memory loads (trap
sites), float constants (the constant pool) and calls to other functions spread over the module.
"""
from __future__ import annotations

import struct

from ..wasm.leb import encode_signed as sleb
from ..wasm.leb import encode_unsigned as uleb


def _section(sid: int, payload: bytes) -> bytes:
    return bytes((sid,)) + uleb(len(payload)) + payload


def _vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def _body(i: int, n: int) -> bytes:
    code = bytearray(b"\x20\x00\x20\x01\x6a")                 # local.get 0, local.get 1, i32.add
    code += b"\x41" + sleb(i * 2654435761 % 100003) + b"\x73"  # i32.const k, i32.xor
    if i % 3 == 0:                                           # i32.load offset=4 of (x & 0xfff)
        code += b"\x20\x00\x41" + sleb(0xFFF) + b"\x71\x28\x02\x04\x6a"
    if i % 4 == 1:                                           # f64 constant: (i32)(f64)x * c
        code += b"\x20\x00\xb7\x44" + struct.pack("<d", 1.5 + i % 97) + b"\xa2\xaa\x6a"
    if i % 2 == 0 and n > 1:                                 # call a function elsewhere
        j = (i * 7919 + 1) % n
        code += b"\x20\x00\x20\x01\x10" + uleb(j) + b"\x6a"
    code += b"\x0b"
    return uleb(len(code) + 1) + b"\x00" + bytes(code)        # no locals


def many_functions(n: int) -> bytes:
    """A valid module with ``n`` small functions (exports ``f0`` and ``flast``) and one memory page."""
    types = _section(1, _vec([b"\x60\x02\x7f\x7f\x01\x7f"]))
    funcs = _section(3, _vec([b"\x00"] * n))
    memory = _section(5, _vec([b"\x00\x01"]))
    exports = _section(7, _vec([uleb(2) + b"f0" + b"\x00\x00",
                                uleb(5) + b"flast" + b"\x00" + uleb(n - 1)]))
    code = _section(10, _vec([_body(i, n) for i in range(n)]))
    return b"\0asm\x01\0\0\0" + types + funcs + memory + exports + code
