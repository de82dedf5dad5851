"""LEB128 readers: values, and the spec's "too long" / "too large" / end-of-input errors."""
from __future__ import annotations

import pytest

from jit.errors import MalformedError
from jit.wasm.leb import encode_signed, encode_unsigned, read_s32, read_s33, read_s64, read_u32


@pytest.mark.parametrize("value", [0, 1, 63, 64, 127, 128, 0x3FFF, 0x4000, 2**31, 2**32 - 1])
def test_u32_roundtrip(value: int) -> None:
    enc = encode_unsigned(value)
    assert read_u32(enc + b"\xaa", 0) == (value, len(enc))


@pytest.mark.parametrize("value", [0, -1, 63, -64, 64, -65, 2**31 - 1, -(2**31)])
def test_s32_roundtrip(value: int) -> None:
    assert read_s32(encode_signed(value), 0) == (value, len(encode_signed(value)))


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63), -1, 2**40])
def test_s64_roundtrip(value: int) -> None:
    assert read_s64(encode_signed(value), 0)[0] == value


def test_redundant_but_short_encodings_are_accepted() -> None:
    assert read_u32(bytes.fromhex("8080808000"), 0) == (0, 5)
    assert read_s32(bytes.fromhex("ffffffff7f"), 0) == (-1, 5)
    assert read_s64(bytes.fromhex("ffffffffffffffffff7f"), 0) == (-1, 10)


@pytest.mark.parametrize("reader,hexdata", [
    (read_u32, "808080808000"), (read_s32, "ffffffffff7f"), (read_s33, "808080808000"),
    (read_s64, "8080808080808080808000"),
])
def test_too_long(reader, hexdata: str) -> None:
    with pytest.raises(MalformedError, match="integer representation too long"):
        reader(bytes.fromhex(hexdata), 0)


@pytest.mark.parametrize("reader,hexdata", [
    (read_u32, "8280808070"), (read_u32, "8080808010"), (read_s32, "ffffffff0f"),
    (read_s32, "8080808070"), (read_s33, "8080808010"), (read_s64, "ffffffffffffffffff01"),
    (read_s64, "80808080808080808002"),
])
def test_too_large(reader, hexdata: str) -> None:
    with pytest.raises(MalformedError, match="integer too large"):
        reader(bytes.fromhex(hexdata), 0)


def test_end_of_input() -> None:
    with pytest.raises(MalformedError, match="unexpected end") as info:
        read_u32(b"\x80\x80", 0)
    assert info.value.offset == 2
