"""A tiny, independent Wasm binary encoder used by the differential fuzzer.

It deliberately shares nothing with ``jit.wasm`` (no opcode table, no LEB helpers): a bug in the
front end must not be mirrored by the generator. ``ModuleSpec`` is plain data (functions hold their
bodies as lists of already encoded instructions, so the minimizer can delete instructions);
``ModuleSpec.encode()`` guarantees a well-formed binary, validity is the generator's business.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

I32, I64, F32, F64, V128, FUNCREF = 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70
VALTYPE_NAMES = {I32: "i32", I64: "i64", F32: "f32", F64: "f64", V128: "v128"}
NUM_TYPES = (I32, I64, F32, F64)


def uleb(n: int) -> bytes:
    """Unsigned LEB128."""
    if n < 0:
        raise ValueError(f"uleb of negative {n}")
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n: int) -> bytes:
    """Signed LEB128."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def signed(bits: int, width: int) -> int:
    """Interpret an unsigned bit pattern of ``width`` bits as two's complement."""
    bits &= (1 << width) - 1
    return bits - (1 << width) if bits >> (width - 1) else bits


def vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def name(s: str) -> bytes:
    data = s.encode()
    return uleb(len(data)) + data


def i32_const(bits: int) -> bytes:
    return b"\x41" + sleb(signed(bits, 32))


def i64_const(bits: int) -> bytes:
    return b"\x42" + sleb(signed(bits, 64))


def f32_const(bits: int) -> bytes:
    return b"\x43" + struct.pack("<I", bits & 0xFFFFFFFF)


def f64_const(bits: int) -> bytes:
    return b"\x44" + struct.pack("<Q", bits & 0xFFFFFFFFFFFFFFFF)


def v128_const(bits: int) -> bytes:
    return b"\xfd\x0c" + (bits & ((1 << 128) - 1)).to_bytes(16, "little")


CONST = {I32: i32_const, I64: i64_const, F32: f32_const, F64: f64_const, V128: v128_const}


@dataclass(frozen=True)
class FuncSig:
    """A function type: parameter and result value types (binary codes)."""

    params: tuple[int, ...]
    results: tuple[int, ...]

    def encode(self) -> bytes:
        return (b"\x60" + uleb(len(self.params)) + bytes(self.params)
                + uleb(len(self.results)) + bytes(self.results))

    def __str__(self) -> str:
        p = " ".join(VALTYPE_NAMES[t] for t in self.params)
        r = " ".join(VALTYPE_NAMES[t] for t in self.results)
        return f"[{p}] -> [{r}]"


@dataclass
class FuncSpec:
    """One defined function: its type index, declared locals and body (encoded instructions, no final end)."""

    type_index: int
    locals: list[int]
    body: list[bytes]

    def encode(self) -> bytes:
        groups: list[list[int]] = []
        for t in self.locals:
            if groups and groups[-1][1] == t:
                groups[-1][0] += 1
            else:
                groups.append([1, t])
        payload = vec([uleb(n) + bytes([t]) for n, t in groups]) + b"".join(self.body) + b"\x0b"
        return uleb(len(payload)) + payload


@dataclass
class GlobalSpec:
    valtype: int
    mutable: bool
    init_bits: int

    def encode(self) -> bytes:
        return bytes([self.valtype, 1 if self.mutable else 0]) + CONST[self.valtype](self.init_bits) + b"\x0b"


@dataclass
class ModuleSpec:
    """A whole module as plain data; ``encode()`` emits the binary (sections in canonical order)."""

    types: list[FuncSig] = field(default_factory=list)
    funcs: list[FuncSpec] = field(default_factory=list)
    table_size: int = 0                                          # one funcref table (0: none)
    elems: list[tuple[int, list[int]]] = field(default_factory=list)   # (offset, func indices)
    memory: tuple[int, int | None] | None = None                # (min, max) pages
    globals: list[GlobalSpec] = field(default_factory=list)
    exports: list[tuple[str, int, int]] = field(default_factory=list)  # (name, kind, index)
    datas: list[tuple[int, bytes]] = field(default_factory=list)

    def type_index(self, sig: FuncSig) -> int:
        """Index of ``sig`` in the type section, appending it if new."""
        try:
            return self.types.index(sig)
        except ValueError:
            self.types.append(sig)
            return len(self.types) - 1

    def encode(self) -> bytes:
        out = bytearray(b"\x00asm\x01\x00\x00\x00")

        def section(sid: int, payload: bytes) -> None:
            out.append(sid)
            out.extend(uleb(len(payload)))
            out.extend(payload)

        section(1, vec([t.encode() for t in self.types]))
        section(3, vec([uleb(f.type_index) for f in self.funcs]))
        if self.table_size:
            section(4, vec([bytes([FUNCREF, 1]) + uleb(self.table_size) + uleb(self.table_size)]))
        if self.memory is not None:
            lo, hi = self.memory
            section(5, vec([(b"\x00" + uleb(lo)) if hi is None else (b"\x01" + uleb(lo) + uleb(hi))]))
        if self.globals:
            section(6, vec([g.encode() for g in self.globals]))
        section(7, vec([name(n) + bytes([kind]) + uleb(idx) for n, kind, idx in self.exports]))
        if self.elems:
            section(9, vec([b"\x00" + i32_const(off) + b"\x0b" + vec([uleb(f) for f in fs])
                            for off, fs in self.elems]))
        section(10, vec([f.encode() for f in self.funcs]))
        if self.datas:
            section(11, vec([b"\x00" + i32_const(off) + b"\x0b" + uleb(len(d)) + d for off, d in self.datas]))
        return bytes(out)


EXPORT_FUNC, EXPORT_TABLE, EXPORT_MEMORY, EXPORT_GLOBAL = 0, 1, 2, 3
