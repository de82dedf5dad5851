"""Exception handling at run time: ``jit.Tag``, and Wasm exceptions crossing the Python boundary.

A tag's identity is the address of its native ``VMTag`` (``jit.abi.vmctx``): every instance makes
new tags for the ones it defines (two instances of one module have different tags, as the spec says);
an imported tag is the exporter's object, so a ``catch`` in the importer catches what the exporter
throws. ``jit.Tag(params)`` makes a host tag (import it, raise ``jit.WasmException(tag, payload)``
from a host function, or match the tag of an exception that left Wasm).

Exceptions are native objects (``VMExn``: the tag and the payload as slots) owned by the runtime
(native/unwind.c): one that never became an exnref value is recycled when a ``catch``/``catch_all``
takes it or when it reaches Python; one caught by reference (``catch_ref``, ``catch_all_ref``) may be
stored anywhere by Wasm code and lives until a collection (``jit.runtime.gc``) finds nothing reaching
it (``retained_exceptions()`` counts those not freed yet). A tag's ``VMTag`` lives while its ``Tag``
object or any exception of the tag does (``_retained`` keeps the cells of dead tags; they are let go
of after the collection that freed their last exception).
"""
from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from ..errors import Error, WasmException
from ..native import ffi, lib
from ..wasm.subtyping import canonical_functype_id
from ..wasm.types import V128, FuncType
from .externs import parse_valtype
from .gc import AFTER_SWEEP, ROOTS, collect_if_due
from .values import FROM_BITS, MASK64, TO_BITS, v128_to_bits

# VMTag address -> the Tag object (weak), and the cells (with their traced-slot lists) of dead tags
# some exception not freed yet still names.
_by_address: dict[int, weakref.ref] = {}
_retained: dict[int, tuple[Any, Any, FuncType, int]] = {}


def _slots(ft: FuncType) -> int:
    return sum(2 if t == V128 else 1 for t in ft.params)


class Tag:
    """An exception tag: ``type`` (a FuncType with no results; its parameters are the payload) and
    ``type_id``, the canonical id of that type (``jit.wasm.subtyping``: a tag import matches a tag
    whose type is the same type, recursion group included).

    Made by every instance for the tags it defines (``instance.exports["e"]``) or from Python:
    ``jit.Tag(["i32", "f64"])``. Tags compare by identity (their native address)."""

    __slots__ = ("type", "type_id", "_cell", "_traced", "address", "__weakref__")

    def __init__(self, params: Iterable[str | int] = (), *, _type: FuncType | None = None,
                 _type_id: int | None = None) -> None:
        ft = _type if _type is not None else FuncType(tuple(parse_valtype(t) for t in params), ())
        if ft.results:
            raise Error(f"a tag's type has no results, got {ft}")
        self.type = ft
        self.type_id = canonical_functype_id(ft) if _type_id is None else _type_id
        nslots = _slots(ft)
        self._cell = ffi.new("wx_tag *")
        self._cell.nslots = nslots
        self._traced = ffi.new("uint32_t[]", 1 + nslots)    # room for every slot (ROOTS.add_tag)
        self._cell.traced = self._traced
        self.address = int(ffi.cast("uintptr_t", self._cell))
        _by_address[self.address] = weakref.ref(self)
        # Every reference slot a collection follows, with concrete types counted as traced; an
        # instance refines it with its module's types (ROOTS.add_tag) before it can throw.
        ROOTS.add_tag(self.address, ft.params)

    @classmethod
    def _of_retained(cls, address: int) -> Tag:
        cell, traced, ft, type_id = _retained[address]
        t = cls.__new__(cls)
        t.type, t.type_id, t._cell, t._traced, t.address = ft, type_id, cell, traced, address
        _by_address[address] = weakref.ref(t)
        return t

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tag) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __del__(self) -> None:
        try:
            if _by_address.get(self.address) is not None and _by_address[self.address]() in (None, self):
                del _by_address[self.address]
            if self._cell.live:                  # exceptions with this tag are still alive
                _retained[self.address] = (self._cell, self._traced, self.type, self.type_id)
        except Exception:  # noqa: BLE001,S110 - interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"<jit.Tag {self.type} at {self.address:#x}>"


def tag_at(address: int) -> Tag:
    """The Tag whose VMTag is at ``address`` (a kept cell of a dead tag gets a new Tag object)."""
    ref = _by_address.get(address)
    tag = ref() if ref is not None else None
    if tag is None:
        if address not in _retained:
            raise Error(f"no tag at {address:#x}")
        tag = Tag._of_retained(address)
    return tag


def _release_dead_tags() -> None:
    """After a collection: let go of the cells of dead tags whose last exceptions it freed."""
    for address, kept in list(_retained.items()):
        if not kept[0].live:
            del _retained[address]


AFTER_SWEEP.append(_release_dead_tags)


def payload_values(ft: FuncType, slots: Any) -> tuple:
    out, k = [], 0
    for t in ft.params:
        if t == V128:
            out.append(int(slots[k]) | int(slots[k + 1]) << 64)
            k += 2
        else:
            out.append(FROM_BITS[t](int(slots[k])))
            k += 1
    return tuple(out)


def exception_from_native(exn: Any) -> WasmException:
    """The WasmException for a native exception object (its payload as Python values)."""
    tag = tag_at(int(ffi.cast("uintptr_t", exn.tag)))
    return WasmException(tag, payload_values(tag.type, exn.payload))


def take_uncaught() -> WasmException:
    """The exception that just left a call on this thread (rc "uncaught exception")."""
    exn = lib.wx_exn_peek_uncaught()       # still a root of collections while its payload is read
    if exn == ffi.NULL:
        return WasmException(None, ())
    try:
        return exception_from_native(exn)
    finally:
        lib.wx_exn_release(lib.wx_exn_take_uncaught())


def throw_from_host(exc: WasmException) -> None:
    """Make ``exc`` (raised by a host function) the exception the host-call helper throws into Wasm."""
    tag = exc.tag
    if not isinstance(tag, Tag):
        raise Error(f"jit.WasmException needs a jit.Tag, got {tag!r}")
    params = tag.type.params
    if len(exc.payload) != len(params):
        raise Error(f"{tag!r} takes {len(params)} payload value(s), got {len(exc.payload)}")
    bits: list[int] = []
    for t, v in zip(params, exc.payload, strict=True):
        if t == V128:
            b = v128_to_bits(v)
            bits += (b & MASK64, b >> 64)
        else:
            try:
                bits.append(TO_BITS[t](v))
            except KeyError:
                raise Error(f"values of type {t:#x} cannot cross the Python boundary yet") from None
    collect_if_due()            # exceptions caught by reference passed the pressure trigger
    exn = lib.wx_exn_new(tag._cell, len(bits))
    for i, b in enumerate(bits):
        exn.payload[i] = b
    lib.wx_exn_set_thrown(exn)


def retained_exceptions() -> int:
    """Exceptions that were caught by reference and that no collection has freed yet."""
    return int(lib.wx_exn_retained())


__all__ = ["Tag", "WasmException", "exception_from_native", "retained_exceptions", "tag_at",
           "take_uncaught", "throw_from_host"]


def check_eh_table(table: bytes, code_size: int, func_offsets: list[int], func_ends: list[int],
                   layout: Any) -> bool:
    """Whether a handler table read from a file is safe for the unwinder (native/unwind.c reads it
    without checks): every count, offset and index in range, functions and segments sorted and inside
    function code, displacements inside the frame's save area, tag offsets inside the vmctx tags."""
    from array import array
    from bisect import bisect_right
    if not table:
        return True
    if len(table) % 4:
        return False
    w = array("I", table).tolist()
    if len(w) < 3:
        return False
    nf, ns, nc = w[:3]
    if len(w) != 3 + 6 * nf + 4 * ns + 3 * nc:
        return False
    funcs = w[3:3 + 6 * nf]
    segs = w[3 + 6 * nf:3 + 6 * nf + 4 * ns]
    clauses = w[3 + 6 * nf + 4 * ns:]
    def is_body(start: int, end: int) -> bool:  # [start, end) is one function's code (no set of all
        j = bisect_right(func_offsets, start) - 1  # functions: a cached load stays O(table) here)
        return j >= 0 and func_offsets[j] == start and func_ends[j] == end

    def inside(lo: int, hi: int) -> bool:       # [lo, hi] within one function's code
        j = bisect_right(func_offsets, lo) - 1
        return j >= 0 and hi <= func_ends[j]
    prev_end = 0
    for i in range(nf):
        start, end, mask, *disps = funcs[6 * i:6 * i + 6]
        if not is_body(start, end) or start < prev_end or not 0 < mask < 8:
            return False
        for bit, d in zip((1, 2, 4), disps, strict=True):
            d = d - (1 << 32) if d >= 1 << 31 else d
            if mask & bit and not (-(1 << 20) <= d <= -16 and d % 8 == 0):
                return False
        prev_end = end
    prev_hi = 0
    tags_lo, tags_hi = layout.tags, layout.tags + 8 * layout.num_tags
    for i in range(ns):
        lo, hi, first, count = segs[4 * i:4 * i + 4]
        if not prev_hi <= lo < hi <= code_size or first + count > nc:
            return False
        if not inside(lo, hi):
            return False
        prev_hi = hi
    for i in range(nc):
        kind, tag_off, pad = clauses[3 * i:3 * i + 3]
        tag_ok = tags_lo <= tag_off < tags_hi and tag_off % 8 == 0
        if kind > 3 or not inside(pad, pad + 1) or (kind < 2 and not tag_ok):
            return False
    return True
