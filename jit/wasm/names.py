"""The ``name`` custom section: module, function and local names (for errors, traps, disassembly).

The spec lets engines ignore a malformed name section, so :func:`parse_name_section` never raises:
it keeps whatever subsections parsed cleanly and drops the rest.
"""
from __future__ import annotations

from ..errors import MalformedError
from .leb import read_unsigned
from .types import NameSection


class _Bad(Exception):
    pass


def _u32(data: bytes, pos: int) -> tuple[int, int]:
    try:
        return read_unsigned(data, pos, 32)
    except MalformedError:
        raise _Bad from None


def _name(data: bytes, pos: int) -> tuple[str, int]:
    n, pos = _u32(data, pos)
    if n > len(data) - pos:
        raise _Bad
    try:
        return data[pos:pos + n].decode("utf-8"), pos + n
    except UnicodeDecodeError:
        raise _Bad from None


def _name_map(data: bytes, pos: int) -> tuple[dict[int, str], int]:
    count, pos = _u32(data, pos)
    if count > len(data) - pos:
        raise _Bad
    out: dict[int, str] = {}
    for _ in range(count):
        idx, pos = _u32(data, pos)
        out[idx], pos = _name(data, pos)
    return out, pos


def parse_name_section(payload: bytes) -> NameSection:
    """Parse the payload of a custom section called "name" (leniently)."""
    names = NameSection()
    pos = 0
    try:
        while pos < len(payload):
            sub_id = payload[pos]
            size, pos = _u32(payload, pos + 1)
            end = pos + size
            if end > len(payload):
                raise _Bad
            body = payload[pos:end]
            if sub_id == 0:
                names.module, _ = _name(body, 0)
            elif sub_id == 1:
                names.functions, _ = _name_map(body, 0)
            elif sub_id == 2:
                count, p = _u32(body, 0)
                if count > len(body) - p:
                    raise _Bad
                for _ in range(count):
                    fidx, p = _u32(body, p)
                    names.locals[fidx], p = _name_map(body, p)
            pos = end
    except (_Bad, IndexError):
        pass
    return names
