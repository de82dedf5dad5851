"""Conversions between Python values and the 64-bit slots that cross the native boundary.

A slot holds: i32 as its zero-extended bit pattern, i64 bits, f32 bits in the low 32, f64 bits
(docs/abi.md). ``to_bits`` accepts i32 in [-2**31, 2**32) and i64 in [-2**63, 2**64) and floats as
Python floats (or ints); ``from_bits`` returns signed ints and Python floats. Raw bit patterns (exact
NaN payloads) go through ``check_bits``;
references cross as Python objects (None for null), see ``EXTERNREFS`` (released by collections,
``jit.runtime.gc``) and ``FUNCREFS``. Conversion
tables are keyed by the binary value type code.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ..errors import Error
from ..wasm.types import EXNREF, EXTERNREF, F32, F64, FUNCREF, I32, I64, valtype_name
from .gcobjects import MINTED, GcRef, HeldAddresses, I31Ref, gc_from_bits, gc_to_bits

GC_VALUE_TYPES = (GcRef, I31Ref)

_F32 = struct.Struct("<f")
_F64 = struct.Struct("<d")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def _int_to_bits(bits: int, lo: int, hi: int, mask: int, name: str) -> Callable[[object], int]:
    def convert(v: object) -> int:
        if type(v) is int and lo <= v < hi:
            return v & mask
        if isinstance(v, int) and lo <= v < hi:
            return int(v) & mask
        raise Error(f"expected an {name} (an int in [{lo}, {hi})), got {v!r}")
    return convert


def _f32_to_bits(v: object) -> int:
    if isinstance(v, (float, int)):
        try:
            return _U32.unpack(_F32.pack(v))[0]
        except OverflowError:
            return 0x7F800000 if v > 0 else 0xFF800000
    raise Error(f"expected an f32 (a float), got {v!r}")


def _f64_to_bits(v: object) -> int:
    if isinstance(v, (float, int)):
        try:
            return _U64.unpack(_F64.pack(v))[0]
        except OverflowError:
            return 0x7FF0000000000000 if v > 0 else 0xFFF0000000000000
    raise Error(f"expected an f64 (a float), got {v!r}")


def _i32_from_bits(b: int) -> int:
    b &= MASK32
    return b - 0x100000000 if b & 0x80000000 else b


def _i64_from_bits(b: int) -> int:
    return b - 0x10000000000000000 if b & 0x8000000000000000 else b


def _f32_from_bits(b: int) -> float:
    return _F32.unpack(_U32.pack(b & MASK32))[0]


def _f64_from_bits(b: int) -> float:
    return _F64.unpack(_U64.pack(b))[0]


HOST_TAG = 2
"""Low two bits of a word that holds a host (externref) handle; see ``_ExternRefs``."""


class _ExternRefs:
    """The per-process externref table: a Python object <-> a handle ``h >= 1``. In compiled code the
    object is the word ``(h << 2) | 2`` (``HOST_TAG``), so it can never be mistaken for an i31 (low bit
    1) or a GC heap pointer (low bits 00) once converted into the ``any`` hierarchy.

    Lifetime (docs/gc.md): the table holds the object while its handle may be reachable from Wasm.
    A collection (``jit.runtime.gc``) marks the handles reachable from Wasm frames, tables, globals,
    element segments and exception payloads, and releases the others: the table drops its reference
    (a weakref callback fires once nothing else holds the object) and the handle is reused. A handle
    made or handed out by ``to_bits`` since the previous collection is never released (Python may be
    about to pass it into Wasm), so conversions need no per-call bookkeeping beyond one list store.
    ``pressure`` is called when ``threshold`` new handles were made since the last collection.
    """

    def __init__(self) -> None:
        self.objects: list[object] = [None]  # handle -> object (None: free); handle 0 is null
        self.ids: dict[int, int] = {}         # id(obj) -> handle
        self.touched: list[int] = [0]         # handle -> epoch of its last to_bits
        self.free: list[int] = []             # released handles, reused first
        self.epoch = 1                        # advanced by every collection
        self.made = 0                         # handles made since the last collection
        self.threshold = 10_000
        self.pressure: Callable[[], object] | None = None

    def to_bits(self, obj: object) -> int:
        h = self.ids.get(id(obj))               # first: the common case (an object passed before)
        if h is not None:
            self.touched[h] = self.epoch
            return (h << 2) | HOST_TAG
        if obj is None:
            return 0
        if isinstance(obj, GC_VALUE_TYPES):     # a Wasm GC value back into Wasm: its own word
            return gc_to_bits(obj)  # type: ignore[return-value]
        return self._new(obj)

    def _new(self, obj: object) -> int:
        if self.free:
            h = self.free.pop()
            self.objects[h] = obj
            self.touched[h] = self.epoch
        else:
            h = len(self.objects)
            self.objects.append(obj)
            self.touched.append(self.epoch)
        self.ids[id(obj)] = h
        self.made += 1
        if self.made >= self.threshold and self.pressure is not None:
            self.pressure()          # the new handle is touched in this epoch: it survives
        return (h << 2) | HOST_TAG

    def from_bits(self, bits: int) -> object:
        if bits & 3 == HOST_TAG:
            try:
                obj = self.objects[bits >> 2]
            except IndexError:
                obj = None
            if obj is None:
                raise Error(f"not a live externref: {bits:#x}")
            return obj
        if bits == 0:
            return None
        return gc_from_bits(bits)               # an i31 or a GC heap object (the any hierarchy)

    @property
    def live(self) -> int:
        """Handles held now."""
        return len(self.ids)

    def release(self, handles: list[int]) -> list[object]:
        """Drop ``handles`` (unreachable ones, found by a collection); their objects, for the caller to
        let go of once the collection is over (weakref callbacks then run outside it)."""
        objects, ids, free = self.objects, self.ids, self.free
        out = []
        for h in handles:
            obj = objects[h]
            objects[h] = None
            del ids[id(obj)]
            free.append(h)
            out.append(obj)
        return out


EXTERNREFS = _ExternRefs()


class _FuncRefs:
    """funcref <-> Python: a funcref is the address of a ``VMFuncRef``; ``jit.runtime.instance`` sets
    ``resolve`` (address -> export function object) and objects carry ``funcref_address``."""

    resolve: Callable[[int], object] | None = None

    def to_bits(self, obj: object) -> int:
        if obj is None:
            return 0
        addr = getattr(obj, "funcref_address", None)
        if not isinstance(addr, int):
            raise Error(f"expected a funcref (a Wasm function of an instance, or None), got {obj!r}")
        return addr

    def from_bits(self, bits: int) -> object:
        if bits == 0:
            return None
        if self.resolve is None:
            raise Error("no instance owns this funcref")
        return self.resolve(bits)

    @staticmethod
    def hand_to(holder: Any, obj: object) -> None:
        """``holder`` was handed ``obj`` from Python: if ``obj`` is a Wasm function, ``hold`` its
        instance (``holder`` may store the funcref in a table or global, or pass it on)."""
        state = getattr(obj, "_state", None)
        if state is not None:
            hold(holder, state)


def hold(holder: Any, state: Any) -> None:
    """``holder`` (an instance's state, or a Global: anything with a ``_keep`` slot) may hold funcrefs
    of the instance whose state is ``state``: that instance lives at least as long as ``holder``, so
    its vmctx and code are never freed, or reused by another instance, while such a funcref can still
    be called."""
    if state is not holder:
        keep = holder._keep
        if keep is None:
            holder._keep = {state}
        else:
            keep.add(state)


FUNCREFS = _FuncRefs()


_EXN_HELD = HeldAddresses()


def held_exnrefs() -> list[int]:
    """Addresses of the exception objects Python holds ``ExnRef``s to (roots for the collector)."""
    return _EXN_HELD.addresses()


class ExnRef:
    """A non-null exnref in Python: the address of a runtime exception object (one that reached Wasm
    as a value). It keeps the exception (and what its payload references) alive while it exists,
    like a ``GcRef`` does a heap object: collections free escaped exceptions that nothing reaches
    (docs/exceptions.md)."""

    __slots__ = ("address",)

    def __init__(self, address: int, minted: object = None) -> None:
        if minted is not MINTED:        # the unwinder would read a made-up address as an exception
            raise Error("an ExnRef comes only from Wasm (a result, a global, a table element or a "
                        "payload); it cannot be made from an address")
        self.address = address
        _EXN_HELD.hold(address)

    def __del__(self) -> None:
        address = getattr(self, "address", None)
        if address is not None:
            _EXN_HELD.release(address)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExnRef) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __repr__(self) -> str:
        return f"<exnref {self.address:#x}>"


def _exnref_to_bits(obj: object) -> int:
    if obj is None:
        return 0
    if isinstance(obj, ExnRef):
        return obj.address
    raise Error(f"expected an exnref (None, or an exnref a Wasm function returned), got {obj!r}")


def _exnref_from_bits(bits: int) -> object:
    return None if bits == 0 else ExnRef(bits, MINTED)

TO_BITS: dict[int, Callable[[object], int]] = {
    I32: _int_to_bits(32, -(1 << 31), 1 << 32, MASK32, "i32"),
    I64: _int_to_bits(64, -(1 << 63), 1 << 64, MASK64, "i64"),
    F32: _f32_to_bits,
    F64: _f64_to_bits,
    FUNCREF: FUNCREFS.to_bits,
    EXTERNREF: EXTERNREFS.to_bits,
    EXNREF: _exnref_to_bits,
}
REF_TYPES = (FUNCREF, EXTERNREF, EXNREF)

FROM_BITS: dict[int, Callable[[int], object]] = {
    I32: _i32_from_bits,
    I64: _i64_from_bits,
    F32: _f32_from_bits,
    F64: _f64_from_bits,
    FUNCREF: FUNCREFS.from_bits,
    EXTERNREF: EXTERNREFS.from_bits,
    EXNREF: _exnref_from_bits,
}

RAW_MASK: dict[int, int] = {I32: MASK32, I64: MASK64, F32: MASK32, F64: MASK64,
                            FUNCREF: MASK64, EXTERNREF: MASK64, EXNREF: MASK64}


def to_bits(valtype: int, value: object) -> int:
    """The slot bits of Python ``value`` as a ``valtype`` (jit.Error if it does not fit)."""
    try:
        return TO_BITS[valtype](value)
    except KeyError:
        raise Error(f"values of type {valtype_name(valtype)} cannot cross the Python boundary yet") from None


def from_bits(valtype: int, bits: int) -> object:
    """The Python value of slot ``bits`` holding a ``valtype``."""
    try:
        return FROM_BITS[valtype](bits)
    except KeyError:
        raise Error(f"values of type {valtype_name(valtype)} cannot cross the Python boundary yet") from None


V128_MASK = (1 << 128) - 1


def v128_to_bits(value: object) -> int:
    """A v128 from Python: an int in [-2**127, 2**128) (lane 0 in the lowest bits), as unsigned bits.
    A v128 is two slots at the native boundary (low half first); it has no other Python form."""
    if isinstance(value, int) and -(1 << 127) <= value <= V128_MASK:
        return int(value) & V128_MASK
    raise Error(f"expected a v128 (an int in [-2**127, 2**128)), got {value!r}")


def check_v128_bits(bits: object) -> int:
    """``bits`` as the unsigned bit pattern of a v128 (jit.Error when it is not one)."""
    if isinstance(bits, int) and 0 <= bits <= V128_MASK:
        return int(bits)
    raise Error(f"expected the bit pattern of a v128 (an int in [0, 2**128)), got {bits!r}")


def check_bits(valtype: int, bits: object) -> int:
    """``bits`` as an unsigned bit pattern of ``valtype`` (jit.Error when it is not one); references
    are Python objects (None for null) and are converted like typed values."""
    if valtype in REF_TYPES:
        return TO_BITS[valtype](bits)
    mask = RAW_MASK.get(valtype, MASK64)
    if isinstance(bits, int) and 0 <= bits <= mask:
        return int(bits)
    raise Error(f"expected the bit pattern of an {valtype_name(valtype)} (an int in [0, {mask:#x}]), "
                f"got {bits!r}")
