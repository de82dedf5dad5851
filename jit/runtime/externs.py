"""Host-side externals: ``jit.Func``, ``jit.Memory``, ``jit.Global``, ``jit.Table``.

These are what an import map provides and what ``Instance.exports`` returns for memories, globals and
tables. Each owns (or views) the native storage compiled code reads through ``vmctx``: a ``Memory`` its
``LinearMemory``, a ``Global`` a 16-byte cell, a ``Table`` a ``VMTable``. Python values are converted
by type (see ``jit.runtime.values``); bad values raise ``jit.Error``.
"""
from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Iterable
from typing import Any

from ..abi.limits import DEFAULT_MAX_TABLE_ELEMENTS
from ..errors import Error, LimitError
from ..native import ffi, lib
from ..wasm.subtyping import canonical_value_class
from ..wasm.types import (
    EXTERNREF,
    FUNCREF,
    I32,
    I64,
    V128,
    FuncType,
    GlobalType,
    MemoryType,
    TableType,
    is_ref,
    valtype_from_name,
    valtype_name,
)
from ..wasm.types import Limits as WasmLimits
from .gc import ROOTS, traced_type
from .memory import LinearMemory
from .values import FUNCREFS, check_bits, check_v128_bits, from_bits, to_bits, v128_to_bits


def parse_valtype(name: str | int) -> int:
    """Binary code of a value type spelled as in the text format (``"i32"``), or the code itself."""
    if isinstance(name, int):
        valtype_name(name)
        return name
    try:
        return valtype_from_name(name)
    except (ValueError, TypeError):
        raise Error(f"unknown value type {name!r}") from None


def functype_of(params: Iterable[str | int], results: Iterable[str | int]) -> FuncType:
    params, results = tuple(params), tuple(results)
    try:
        return _functype_memo(params, results)
    except TypeError:                       # an unhashable spelling: parse_valtype says what is wrong
        return _functype(params, results)


def _functype(params: tuple[str | int, ...], results: tuple[str | int, ...]) -> FuncType:
    return FuncType(tuple(parse_valtype(t) for t in params), tuple(parse_valtype(t) for t in results))


# FuncType is frozen: one per spelling. A WASI command's imports (~46 functions) are made per run,
# and parsing their types was ~30% of a pool worker's CPU per command.
_functype_memo = functools.lru_cache(maxsize=1024)(_functype)


class InstanceFunction:
    """Base of ``jit.runtime.instance.Function`` (a Wasm function bound to its instance), defined here
    so that the linker recognises one without importing the instance module."""

    __slots__ = ()


class Func:
    """A host function: a Python callable with a Wasm signature.

    Called from Wasm, it receives Python values converted by type and returns ``None`` (no results),
    one value, or a sequence of values. An exception it raises propagates out of the Wasm call
    unchanged.
    """

    __slots__ = ("callable", "type", "_adapter", "_keep", "__weakref__")

    def __init__(self, fn: Callable[..., Any], params: Iterable[str | int] = (),
                 results: Iterable[str | int] = ()) -> None:
        if not callable(fn):
            raise Error(f"jit.Func needs a callable, got {fn!r}")
        self.callable = fn
        self.type = functype_of(params, results)
        self._adapter: Callable[[Any], None] | None = None   # made by the first instance importing it
        self._keep: set[Any] | None = None     # instances whose functions it returned (FUNCREFS.hand_to)

    def __call__(self, *args: Any) -> Any:
        return self.callable(*args)

    def call_raw(self, bits: Iterable[Any]) -> list[Any]:
        """Call with arguments as bit patterns (references as Python objects, None for null) and get
        the results the same way, like an exported Wasm function's ``call_raw``."""
        params, results = self.type.params, self.type.results
        args = list(bits)
        if len(args) != len(params):
            raise Error(f"{self!r} takes {len(params)} argument(s), got {len(args)}")
        values = [a if is_ref(t) else from_bits(t, check_bits(t, a))
                  for t, a in zip(params, args, strict=True)]
        out = self.callable(*values)
        outs = [] if not results else list(out) if len(results) > 1 else [out]
        if len(outs) != len(results):
            raise Error(f"{self!r} returned {len(outs)} value(s), expected {len(results)}")
        return [o if is_ref(t) else to_bits(t, o) for t, o in zip(results, outs, strict=True)]

    def __repr__(self) -> str:
        return f"<jit.Func {getattr(self.callable, '__name__', self.callable)!s} {self.type}>"


class Memory:
    """A linear memory that can be imported and exported; ``.size`` is in 64 KiB pages.

    ``memory64=True`` makes a 64-bit memory (i64 addresses; it matches only 64-bit memory imports).
    ``read``/``write`` check bounds and raise ``jit.Error`` outside the current length."""

    __slots__ = ("_lm", "__weakref__")

    def __init__(self, min_pages: int, max_pages: int | None = None, *, memory64: bool = False,
                 _lm: LinearMemory | None = None) -> None:
        self._lm = _lm if _lm is not None else LinearMemory(min_pages, max_pages, is64=memory64)

    @classmethod
    def _wrap(cls, lm: LinearMemory) -> Memory:
        return cls(0, _lm=lm)

    @property
    def data(self) -> memoryview:
        """A writable view of the current bytes (take a new one after ``grow``)."""
        return self._lm.buffer()

    @property
    def size(self) -> int:
        return self._lm.pages

    @property
    def data_size(self) -> int:
        return self._lm.length

    @property
    def memory64(self) -> bool:
        return self._lm.is64

    @property
    def type(self) -> MemoryType:
        return MemoryType(WasmLimits(self._lm.pages, self._lm.declared_max), I64 if self._lm.is64 else I32)

    def read(self, offset: int, size: int) -> bytes:
        """``size`` bytes at ``offset``; ``jit.Error`` unless they are all within the memory."""
        if not self._lm.in_bounds(offset, size):
            raise Error(f"read of {size} bytes at {offset} is outside the memory ({self._lm.length} bytes)")
        return self._lm.read(offset, size)

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """Copy ``data`` to ``offset``; ``jit.Error`` (and nothing written) unless it fits."""
        data = bytes(data)
        if not self._lm.in_bounds(offset, len(data)):
            raise Error(f"write of {len(data)} bytes at {offset} is outside the memory "
                        f"({self._lm.length} bytes)")
        self._lm.write(offset, data)

    def grow(self, delta: int) -> int:
        """Grow by ``delta`` pages and return the old size; ``jit.LimitError`` if it cannot."""
        old = self._lm.grow(delta)
        if old < 0:
            raise LimitError(
                f"memory of {self._lm.pages} pages cannot grow by {delta} (max {self._lm.max_pages})")
        return old

    def __repr__(self) -> str:
        kind = " i64" if self._lm.is64 else ""
        return f"<jit.Memory{kind} {self._lm.pages} pages, max {self._lm.declared_max}>"


class Global:
    """A global variable: ``.value`` (typed Python value), ``.value_raw`` (bit pattern)."""

    __slots__ = ("type", "_cell", "_owner", "_keep", "__weakref__")

    def __init__(self, valtype: str | int, value: Any = 0, mutable: bool = False) -> None:
        self.type = GlobalType(parse_valtype(valtype), bool(mutable))
        self._cell = ffi.new("uint64_t[2]")
        self._owner = None
        self._keep = None       # instances whose funcrefs were stored here (FUNCREFS.hand_to)
        self._set(value)
        if traced_type(self.type.valtype):
            ROOTS.globals.add(self)     # its cell is a root of collections (jit.runtime.gc)

    @classmethod
    def _view(cls, gtype: GlobalType, address: int, owner: object) -> Global:
        """A Global whose storage is a cell inside an instance's vmctx (kept alive by ``owner``)."""
        g = cls.__new__(cls)
        g.type = gtype
        g._cell = ffi.cast("uint64_t *", address)
        g._owner = owner
        g._keep = None
        return g

    @property
    def address(self) -> int:
        return int(ffi.cast("uintptr_t", self._cell))

    def _set(self, value: Any) -> None:
        t = canonical_value_class(self.type.valtype)
        if t in (FUNCREF, EXTERNREF):
            if value is None:
                self._cell[0] = 0
            elif self.type.valtype in (FUNCREF, EXTERNREF):   # the abstract nullable types take any value
                self._cell[0] = to_bits(t, value)
                if t == FUNCREF:     # the function's instance lives as long as this cell's holder
                    FUNCREFS.hand_to(self if self._owner is None else self._owner, value)
            else:
                raise Error(f"a global of type {valtype_name(self.type.valtype)} can only be set to None "
                            "(null) from Python")
        elif t == V128:
            self._store_v128(v128_to_bits(value))
        else:
            self._cell[0] = to_bits(t, value)

    def _store_v128(self, bits: int) -> None:
        self._cell[0] = bits & 0xFFFFFFFFFFFFFFFF
        self._cell[1] = bits >> 64

    @property
    def value(self) -> Any:
        t = canonical_value_class(self.type.valtype)
        if t == V128:
            return self.value_raw          # a v128 is an unsigned 128-bit int (lane 0 lowest)
        return from_bits(t, self._cell[0])

    @value.setter
    def value(self, value: Any) -> None:
        if not self.type.mutable:
            raise Error("cannot set an immutable global")
        self._set(value)

    @property
    def value_raw(self) -> int:
        if self.type.valtype == V128:
            return int(self._cell[0]) | int(self._cell[1]) << 64
        return int(self._cell[0])

    @value_raw.setter
    def value_raw(self, bits: int) -> None:
        if not self.type.mutable:
            raise Error("cannot set an immutable global")
        if self.type.valtype == V128:
            self._store_v128(check_v128_bits(bits))
        else:
            t = canonical_value_class(self.type.valtype)
            self._cell[0] = check_bits(t, bits)
            if t == FUNCREF and bits is not None:
                FUNCREFS.hand_to(self if self._owner is None else self._owner, bits)

    def __repr__(self) -> str:
        mut = "mut " if self.type.mutable else ""
        return f"<jit.Global {mut}{valtype_name(self.type.valtype)} = {self.value!r}>"


class Table:
    """A table of references: a native ``VMTable`` (native/bulk.c storage, grown by compiled code).

    Elements are ``VMFuncRef*`` / externref ids / 0 for null. Every instance that defines, imports or
    writes into the table is kept alive by it (``_keep``), so the funcrefs it holds stay valid.
    """

    __slots__ = ("type", "_t", "_keep", "__weakref__")

    def __init__(self, elemtype: str | int, min: int, max: int | None = None, *,
                 limit: int | None = DEFAULT_MAX_TABLE_ELEMENTS, table64: bool = False) -> None:
        """``limit`` (``jit.Limits.max_table_elements``) caps growth: ``table.grow`` beyond it fails.
        ``table64``: a 64-bit table (i64 indices; its max may be any u64, its length stays below 2^32)."""
        et = parse_valtype(elemtype)
        if not is_ref(et):
            raise Error(f"table elements must be references, got {valtype_name(et)}")
        if min < 0 or (max is not None and max < min) or min > 0xFFFFFFFF:
            raise LimitError(f"invalid table limits: min {min}, max {max}")
        if limit is not None and min > limit:
            raise LimitError(f"table of {min} elements exceeds Limits.max_table_elements = {limit}")
        self.type = TableType(et, WasmLimits(min, max), I64 if table64 else I32)
        cap = 0xFFFFFFFF if max is None else builtins.min(max, 0xFFFFFFFF)
        if limit is not None:
            cap = builtins.min(cap, limit)
        t = lib.wx_table_new(canonical_value_class(et), min, cap, 0)
        if t == ffi.NULL:
            raise LimitError(f"cannot allocate a table of {min} elements")
        self._t = ffi.gc(t, lib.wx_table_free)
        self._keep: set[object] = set()
        if traced_type(et):
            ROOTS.tables.add(self)      # its elements are roots of collections (jit.runtime.gc)

    @property
    def address(self) -> int:
        """Address of the native ``VMTable``."""
        return int(ffi.cast("uintptr_t", self._t))

    @property
    def size(self) -> int:
        return int(self._t.length)

    def _set_bits(self, index: int, bits: int) -> None:
        self._t.elements[index] = bits

    def _fill(self, bits: int) -> None:
        """Every element := ``bits`` (a table's initialiser expression)."""
        lib.wx_table_fill(self._t, 0, bits, self._t.length)

    def __repr__(self) -> str:
        return f"<jit.Table {valtype_name(self.type.elem)} size {self.size}>"
