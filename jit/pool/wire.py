"""Compact forms of a chunk of invocations (``Pool.map``) and of its results, for the worker pipe.

A chunk's arguments whose values are all ``int`` (i64 range) or ``float`` with the same types in every
call are packed with ``struct`` (one format per call, e.g. ``"qd"``); anything else (bools, references,
big unsigned integers, mixed shapes) stays a list of tuples (pickled). Results that are all ``int`` or
all ``float`` come back as the bytes of an ``array`` (``"q"``/``"d"``), others as a list. Errors of single
calls travel beside the values as ``{position: exception}``. Both forms give back the same Python values.
"""
from __future__ import annotations

import struct
from array import array
from collections.abc import Sequence
from itertools import chain
from typing import Any

_ARG_CODES = {int: "q", float: "d"}
_RESULT_CODES = {int: "q", float: "d"}

PackedArgs = tuple[str, int, Any]            # (format per call or "" , calls, bytes | list of tuples)
PackedResults = tuple[str, Any, dict[int, BaseException]]   # (array typecode or "", values, errors)


def pack_args(chunk: Sequence[tuple[Any, ...]]) -> PackedArgs:
    """``chunk`` (argument tuples) as ``(fmt, n, payload)``: struct bytes when ``fmt`` is not ``"?"``."""
    n = len(chunk)
    types = tuple(map(type, chunk[0]))
    fmt = "".join([_ARG_CODES.get(t, "?") for t in types])
    if "?" not in fmt and all(tuple(map(type, a)) == types for a in chunk):
        if not fmt:
            return fmt, n, b""
        try:
            return fmt, n, struct.pack("<" + fmt * n, *chain.from_iterable(chunk))
        except struct.error:          # an int beyond the i64 range: keep the Python values
            pass
    return "?", n, [tuple(a) for a in chunk]


def unpack_args(packed: PackedArgs) -> list[tuple[Any, ...]] | Any:
    """The argument tuples of a packed chunk."""
    fmt, n, payload = packed
    if fmt == "?":
        return payload
    if not fmt:
        return [()] * n
    return struct.iter_unpack("<" + fmt, payload)


def pack_results(values: list[Any], errors: dict[int, BaseException]) -> PackedResults:
    """A chunk's results (``None`` where ``errors`` has the call's exception)."""
    if not errors:
        kinds = set(map(type, values))
        if len(kinds) == 1:
            code = _RESULT_CODES.get(kinds.pop())
            if code is not None:
                try:
                    return code, array(code, values).tobytes(), errors
                except OverflowError:         # an i64 result beyond the signed range
                    pass
    return "", values, errors


def unpack_results(packed: PackedResults) -> tuple[list[Any], dict[int, BaseException]]:
    """The values of a packed chunk result and its errors by position."""
    code, values, errors = packed
    if code:
        values = array(code, values).tolist()
    return values, errors


__all__ = ["PackedArgs", "PackedResults", "pack_args", "pack_results", "unpack_args", "unpack_results"]
