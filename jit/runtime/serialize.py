"""The compiled-module file format (``.cwasm``): written by ``jit.Module.serialize``, read by ``deserialize``.

Layout (little endian)::

    magic  b"WXJITCW\\0"          8 bytes
    format version                u32  (FORMAT_VERSION)
    header length                 u32
    payload length                u64
    header                        JSON: wasm_sha256, compiler (version hash), cpu (features used), fuel
    payload                       u64 metadata length, then the metadata: marshal (version 2) of plain
                                  tuples/lists/dicts/ints/bytes/str (the per-function and per-PC int
                                  arrays as packed uint32 bytes: PACKED), then the machine code (the
                                  rest of the payload, raw: loaded without a copy through Python)
    MAC                           32 bytes: keyed BLAKE3 of everything above under a key derived from
                                  the reader's key (``file_mac``: a MAC at memory speed)

Guarantees: a file is accepted only if the magic, the format version, both lengths (truncation or
trailing bytes) and the MAC match, the compiler that wrote it is this one (``compiler_version()``:
a hash of the sources that shape machine code and the vmctx ABI) and the CPU features it relied on
are present on this machine; anything else raises ``CacheError`` (a ``jit.Error``) saying which check
failed, before a single byte of the payload is interpreted (bytes whose MAC was seen before in this
process reuse their decoded, immutable metadata: ``clear_memo``). Then the payload is scanned before
``marshal`` sees it (only plain types; every count and length within the bytes left) and every
offset, size, count and index of the decoded contents is checked against its bounds and against the
rest (``check_decoded``): a file that passes the MAC still never makes the loader read or write out
of bounds, allocate for a forged count or crash; anything out of place raises ``CacheError``.

Keys: ``jit.Cache`` uses a secret per-directory key (or the embedder's). ``dumps`` / ``loads`` without
``key`` (``Module.serialize`` / ``Module.deserialize``) use the public ``UNKEYED`` key: that detects
damage, NOT forgery; such bytes are as trusted as their source (like pickle): deserialize only what
you or a trusted party wrote, or pass ``key=`` to ``dumps`` / ``loads``. A MAC vouches for the machine
code and its meaning (the helper of each GOT slot, the function types); the bounds checks cannot.
Deserializing does no decoding, validation or code generation. The decoded module's
``compiled.code`` is a read-only memoryview of the file's bytes when ``loads`` gets ``bytes`` or a
read-only ``mmap`` (the code is copied once, into the code arena, by the load), a copy otherwise.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import marshal
import mmap
import struct
import threading
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Any

from blake3 import blake3 as _blake3

from ..abi import stackmaps
from ..abi import vmctx as V
from ..abi.compiled import CompiledModule
from ..abi.cpu import host_features
from ..abi.vmctx import VMContextLayout
from ..errors import Error
from ..native import ffi, lib
from ..wasm import types as T
from ..wasm.types import FuncType
from .plan import InstancePlan, PlanRecipe, make_recipe

MAGIC = b"WXJITCW\x00"
# 3: exception handling (tags, CompiledModule.eh_table); 4: packed uint32 arrays; 5: address types;
# 6: Wasm 3.0 types (struct/array types, rec groups, subtypes, table initialisers); 7: keyed BLAKE3
# MAC, the machine code raw after the metadata (not inside the marshal payload); 8: stack maps
# (CompiledModule.stack_maps, jit.abi.stackmaps); 9: stack maps list exnref words and throw sites
# (exceptions caught by reference are collected: an older file's maps would let them be freed in use)
FORMAT_VERSION = 9
_HEAD = struct.Struct("<8sIIQ")          # magic, version, header length, payload length
MAC_SIZE = 32                            # keyed BLAKE3 of everything before it, at the end of the file
_META_LEN = struct.Struct("<Q")          # at the start of the payload: the metadata's length
# marshal 2 has no back-references: versions 3+ reference objects by their reference count, which
# would make the bytes of one module depend on what else holds its parts
_MARSHAL_VERSION = 2


class CacheError(Error):
    """A serialized module was rejected (truncated, corrupted, another version or CPU); says why."""


# Sources whose change changes machine code or the ABI it relies on: part of every cache key.
_SOURCE_DIRS = ("abi", "x64", "wasm")
_SOURCE_FILES: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def compiler_version() -> str:
    """A hash of the compiler's sources (jit/abi: vmctx layout, artifact, limits, CPU probe; jit/x64,
    jit/wasm) and the format version."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"wxjit-cwasm-{FORMAT_VERSION}".encode())
    paths = [p for d in _SOURCE_DIRS for p in sorted((root / d).rglob("*.py"))]
    paths += [root / f for f in _SOURCE_FILES]
    for p in paths:
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:32]


@lru_cache(maxsize=1)
def _cpu_features() -> tuple[str, ...]:
    return tuple(sorted(host_features()))


def cpu_features() -> list[str]:
    """The CPU features the compiler relies on here (all code compiled here may use them)."""
    return list(_cpu_features())


# -- plain-data packing --------------------------------------------------------------------------

def _pack_functype(t: Any) -> tuple:
    """A type-section entry: (params, results) for a function type, ("s", ((storage, mutable), ...))
    for a struct type, ("a", storage, mutable) for an array type."""
    if isinstance(t, T.StructType):
        return ("s", tuple((f.storage, f.mutable) for f in t.fields))
    if isinstance(t, T.ArrayType):
        return ("a", t.field.storage, t.field.mutable)
    return (tuple(t.params), tuple(t.results))


# CompiledModule fields with one int per function or per PC map entry: stored as packed uint32 bytes
# and loaded as ``array('I')`` (one copy each, no int object per element until one is read).
PACKED = frozenset(("func_offsets", "func_ends", "pc_offsets", "pc_wasm", "func_types"))
assert array("I").itemsize == 4


def _u32_bytes(values: Any) -> bytes:
    """``values`` (ints in 0..2^32-1) as packed little-endian uint32."""
    if isinstance(values, array) and values.typecode == "I":
        return values.tobytes()
    return array("I", values).tobytes()


def _u32_array(b: Any, what: str) -> array:
    """Packed uint32 bytes as an ``array('I')``; ``_Bad`` unless they are bytes of a multiple of 4."""
    if type(b) is not bytes or len(b) % 4:
        raise _Bad(f"{what}: not a packed uint32 array")
    a = array("I")
    a.frombytes(b)
    return a
def _unpack_type(p: tuple) -> Any:
    _need(type(p) is tuple and len(p) in (2, 3), "bad type")
    if p[0] == "s":
        _need(type(p[1]) is tuple, "bad struct type")
        return T.StructType(tuple(T.FieldType(st, mut) for st, mut in p[1]))
    if p[0] == "a":
        return T.ArrayType(T.FieldType(p[1], p[2]))
    return _functype(*p)


def _pack_compiled(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(c):
        if f.name == "code":                   # stored raw after the metadata
            continue
        v = getattr(c, f.name)
        if f.name == "types":
            v = [_pack_functype(t) for t in v]
        elif f.name == "layout":
            v = dataclasses.astuple(v)
        elif f.name in PACKED:
            v = _u32_bytes(v)
        out[f.name] = v
    return out


@lru_cache(maxsize=1)
def _compiled_fields() -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(CompiledModule)) - {"code"}


_functypes: dict[tuple, Any] = {}


def _functype(p: tuple, r: tuple) -> Any:
    """An interned FuncType (types are immutable; equal ones are interchangeable)."""
    t = _functypes.get((p, r))
    if t is None:
        t = _functypes[(p, r)] = FuncType(p, r)
    return t


def _unpack_compiled(d: dict[str, Any], code: Any) -> Any:
    if frozenset(d) != _compiled_fields():
        raise ValueError("compiled module fields do not match this compiler")
    d = dict(d)
    d["code"] = code
    for name in PACKED:
        d[name] = _u32_array(d[name], name)
    d["types"] = [_unpack_type(p) for p in d["types"]]
    layout = object.__new__(VMContextLayout)
    layout.__dict__.update(zip(VMContextLayout.__dataclass_fields__, d["layout"], strict=True))
    d["layout"] = layout
    compiled = object.__new__(CompiledModule)
    compiled.__dict__.update(d)
    return compiled


def _pack_limits(lim: Any) -> tuple:
    return (lim.min, lim.max)


def _pack_desc(kind: str, desc: Any) -> Any:
    if kind in ("func", "tag"):
        return desc
    if kind == "table":
        return (desc.elem, _pack_limits(desc.limits), desc.address_type)
    if kind == "memory":
        return (*_pack_limits(desc.limits), desc.address_type)
    return (desc.valtype, desc.mutable)


def _pack_wasm(w: Any) -> tuple:
    """Everything instantiation needs from a decoded module; function bodies and customs stay behind."""
    return (
        [_pack_functype(t) for t in w.types],
        [(i.module, i.name, i.kind, _pack_desc(i.kind, i.desc)) for i in w.imports],
        _u32_bytes(w.funcs),
        [(t.elem, _pack_limits(t.limits), t.address_type) for t in w.tables],
        [(*_pack_limits(m.limits), m.address_type) for m in w.memories],
        [(g.type.valtype, g.type.mutable, list(g.init)) for g in w.globals],
        [(e.name, e.kind, e.index) for e in w.exports],
        w.start,
        [(e.mode, e.table, e.offset, e.elemtype, e.init) for e in w.elems],
        [(d.mode, d.memory, d.offset, bytes(d.data)) for d in w.datas],
        w.data_count,
        (w.names.module, dict(w.names.functions)),
        [(st.final, tuple(st.supertypes)) for st in w.subtypes],
        [(g.start, g.count) for g in w.rec_groups],
        [None if init is None else list(init) for init in w.table_inits],
        list(w.tags),
    )


def _unpack_wasm(t: tuple) -> Any:
    (types, imports, funcs, tables, memories, globals_, exports, start, elems, datas, data_count, names,
     subtypes, rec_groups, table_inits, tags) = t

    def lim(p: tuple) -> Any:
        return T.Limits(p[0], p[1])

    def desc(kind: str, d: Any) -> Any:
        if kind in ("func", "tag"):
            return d
        if kind == "table":
            return T.TableType(d[0], lim(d[1]), d[2])
        if kind == "memory":
            return T.MemoryType(lim(d), d[2])
        return T.GlobalType(d[0], d[1])

    comps = [_unpack_type(p) for p in types]
    _need(len(subtypes) == len(comps), "subtype count does not match the types")
    return T.Module(
        types=comps,
        subtypes=[T.SubType(c, final, tuple(supers))
                  for c, (final, supers) in zip(comps, subtypes, strict=True)],
        rec_groups=[T.RecGroup(a, n) for a, n in rec_groups],
        table_inits=list(table_inits),
        imports=[T.Import(m, n, k, desc(k, d)) for m, n, k, d in imports],
        funcs=_u32_array(funcs, "function types"),
        tables=[T.TableType(e, lim(p), at) for e, p, at in tables],
        memories=[T.MemoryType(lim(p), p[2]) for p in memories],
        globals=[T.Global(T.GlobalType(v, m), init) for v, m, init in globals_],
        exports=[T.Export(n, k, i) for n, k, i in exports],
        start=start,
        elems=[T.ElemSegment(*e) for e in elems],
        datas=[T.DataSegment(*d) for d in datas],
        data_count=data_count,
        names=T.NameSection(names[0], dict(names[1])),
        tags=list(tags),
    )


# -- the file --------------------------------------------------------------------------------------

# The key of files written and read without one: anybody can compute it, so such files are checked
# for damage, not for their author (``Module.serialize`` / ``deserialize``; ``jit.Cache`` uses a secret).
UNKEYED = b"wxjit-cwasm-unkeyed-integrity-only"
MIN_KEY_BYTES = 16
_macs: dict[bytes, tuple[bytes, bytes]] = {}    # key -> (BLAKE3 MAC key, key fingerprint)
_MAC_CONTEXT = "wxjit 2026 .cwasm file MAC key (format 7)"


def _mac_state(key: bytes | None) -> tuple[bytes, bytes]:
    """The 32-byte BLAKE3 key that the MAC of files under ``key`` uses (BLAKE3's key derivation of
    ``key`` in wxjit's own context: computed once per key) and a short fingerprint of the key (part
    of the decoded-file memo's keys)."""
    if key is None:
        key = UNKEYED
    hit = _macs.get(key)
    if hit is None:
        if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
            raise CacheError(f"a cache key must be bytes, at least {MIN_KEY_BYTES} of them")
        if len(_macs) >= 64:
            _macs.clear()
        hit = _macs[key] = (_blake3(key, derive_key_context=_MAC_CONTEXT).digest(),
                            hashlib.sha256(b"wxjit-key-id|" + key).digest()[:8])
    return hit


def file_mac(key: bytes | None, *parts: Any) -> bytes:
    """The MAC of a file whose bytes before the MAC are the concatenated ``parts`` (buffers), under
    ``key`` (None: the public ``UNKEYED`` key): keyed BLAKE3 (a MAC at several GB/s, where
    HMAC-SHA256 runs at 1)."""
    h = _blake3(key=_mac_state(key)[0])
    for p in parts:
        h.update(p)
    return h.digest()


def dumps(compiled: Any, wasm: Any, wasm_sha256: str, recipe: Any, *, key: bytes | None = None) -> bytes:
    """The bytes of a .cwasm file for one compiled module (its fuel flag is in ``compiled.fuel``) and
    its instantiation recipe (``jit.runtime.plan.PlanRecipe``), authenticated with ``key`` (None: the
    public ``UNKEYED`` key, integrity only)."""
    header = json.dumps({"wasm_sha256": wasm_sha256, "compiler": compiler_version(),
                         "cpu": cpu_features(), "fuel": bool(compiled.fuel)}, sort_keys=True).encode()
    try:
        meta = marshal.dumps((_pack_compiled(compiled), _pack_wasm(wasm), recipe.to_tuple()),
                             _MARSHAL_VERSION)
    except (ValueError, OverflowError) as exc:
        raise CacheError(f"cannot serialize this module: {exc}") from None
    code = compiled.code
    fixed = _HEAD.pack(MAGIC, FORMAT_VERSION, len(header), _META_LEN.size + len(meta) + len(code))
    parts = (fixed, header, _META_LEN.pack(len(meta)), meta, code)
    return b"".join((*parts, file_mac(key, *parts)))


class DecodedModule:
    """The verified, decoded contents of one .cwasm file: immutable, shared by every load of its bytes.

    ``compiled`` (CompiledModule), ``wasm`` (a skeleton ``jit.wasm`` Module without function bodies),
    ``recipe`` (PlanRecipe), ``header`` (dict) and, made on first use, the ``InstancePlan``.
    """

    __slots__ = ("compiled", "wasm", "recipe", "header", "wasm_sha256", "fuel", "_plan")

    def __init__(self, compiled: Any, wasm: Any, recipe: PlanRecipe, header: dict[str, Any]) -> None:
        self.compiled, self.wasm, self.recipe, self.header = compiled, wasm, recipe, header
        self.wasm_sha256: str = header["wasm_sha256"]
        self.fuel: bool = header["fuel"]
        self._plan: InstancePlan | None = None

    def plan(self) -> InstancePlan:
        plan = self._plan
        if plan is None:
            plan = self._plan = InstancePlan(self.wasm, self.compiled, self.recipe)
        return plan


def loads(data: bytes | bytearray | memoryview, *, wasm_sha256: str | None = None,
          fuel: bool | None = None, key: bytes | None = None) -> DecodedModule:
    """The ``DecodedModule`` of a .cwasm file, or ``CacheError``.

    ``key``: the file's MAC must be the one made with this key (None: the public ``UNKEYED`` key).
    ``wasm_sha256`` / ``fuel``: when given, the file must be for exactly these Wasm bytes / fuel flag.
    ``data`` may be any buffer: nothing decoded refers to it afterwards.
    """
    states = _macs.get(UNKEYED if key is None else key)
    mac_key, fingerprint = states if states is not None else _mac_state(key)
    if len(data) < _HEAD.size + MAC_SIZE:
        raise CacheError(f"truncated compiled module: {len(data)} bytes, the header and MAC alone have "
                         f"{_HEAD.size + MAC_SIZE}")
    magic, version, hlen, plen = _HEAD.unpack_from(data)
    if magic != MAGIC:
        raise CacheError(f"not a wxjit compiled module (magic {magic!r})")
    if version != FORMAT_VERSION:
        raise CacheError(f"compiled module format version {version}, this wxjit reads {FORMAT_VERSION}")
    end = _HEAD.size + hlen + plen
    if end + MAC_SIZE != len(data):
        raise CacheError(f"truncated or padded compiled module: {len(data)} bytes, the header says "
                         f"{end + MAC_SIZE}")
    view = memoryview(data)
    digest = _blake3(view[:end], key=mac_key).digest()
    if not hmac.compare_digest(digest, view[end:]):
        raise CacheError("compiled module not authenticated: its MAC does not match this cache's key "
                         "(written with another key, damaged or forged)")
    memo_key = digest + fingerprint
    hit = _decoded.get(memo_key)
    if hit is not None:                       # these very bytes were decoded and checked before
        decoded = hit[0]
        if (wasm_sha256 is not None and decoded.wasm_sha256 != wasm_sha256) or (
                fuel is not None and decoded.fuel != fuel):
            _check_wanted(decoded.wasm_sha256, decoded.fuel, wasm_sha256, fuel)
        return decoded
    body = view[_HEAD.size:end]
    try:
        header = json.loads(bytes(body[:hlen]))
        compiler, cpu = header["compiler"], header["cpu"]
        file_fuel, file_wasm = header["fuel"], header["wasm_sha256"]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise CacheError(f"corrupted compiled module header: {type(exc).__name__}: {exc}") from None
    if not isinstance(header, dict) or not isinstance(cpu, list) or not all(isinstance(c, str) for c in cpu):
        raise CacheError("corrupted compiled module header: bad field types")
    if compiler != compiler_version():
        raise CacheError(f"compiled by another wxjit compiler ({compiler}; this one is {compiler_version()})")
    missing = set(cpu) - set(_cpu_features())
    if missing:
        raise CacheError(f"compiled for CPU features this machine lacks: {', '.join(sorted(missing))}")
    if not isinstance(file_wasm, str) or not isinstance(file_fuel, bool):
        raise CacheError("corrupted compiled module header: bad field types")
    _check_wanted(file_wasm, file_fuel, wasm_sha256, fuel)
    try:
        payload = body[hlen:]
        _need(len(payload) >= _META_LEN.size, "no metadata length")
        meta_end = _META_LEN.size + _META_LEN.unpack_from(payload)[0]
        _need(meta_end <= len(payload), f"metadata length {meta_end - _META_LEN.size} beyond the "
              f"{len(payload) - _META_LEN.size} bytes left")
        meta = payload[_META_LEN.size:meta_end]
        check_marshal(meta)
        packed_compiled, packed_wasm, packed_recipe = marshal.loads(meta)
        # the code: a view of the caller's bytes or read-only mapping (copied once, by the load),
        # else a copy
        code = payload[meta_end:]
        if not (type(data) is bytes or (type(data) is mmap.mmap and view.readonly)):
            code = bytes(code)
        compiled = _unpack_compiled(packed_compiled, code)
        wasm = _unpack_wasm(packed_wasm)
        recipe = PlanRecipe(*packed_recipe)
        check_decoded(compiled, wasm, recipe, file_fuel)
    except _Bad as exc:
        raise CacheError(f"corrupted compiled module payload: {exc}") from None
    except (ValueError, TypeError, EOFError, KeyError, IndexError, AttributeError, OverflowError,
            MemoryError, RecursionError) as exc:
        raise CacheError(f"corrupted compiled module payload: {type(exc).__name__}: {exc}") from None
    decoded = DecodedModule(compiled, wasm, recipe, header)
    _remember(memo_key, decoded, len(data))
    return decoded


# -- bounds checks of decoded metadata ---------------------------------------------------------------

_MARSHAL_MAX_DEPTH = 32


def check_marshal(b: bytes | memoryview) -> None:
    """``_Bad`` unless ``b`` is one marshal (version 2) object made only of None, bools, ints, floats,
    bytes, str, tuples, lists and dicts, nested at most 32 deep, whose every length and count fits in
    the bytes that follow it (so ``marshal.loads`` never allocates for a forged huge count), with no
    bytes after it (one native pass: ``wx_marshal_check``)."""
    bad = lib.wx_marshal_check(ffi.from_buffer(b), len(b), _MARSHAL_MAX_DEPTH)
    if bad >= 0:
        raise _Bad(f"payload malformed or out of bounds at byte {bad} of {len(b)}")


class _Bad(Exception):
    """A decoded value out of its bounds (reported as a CacheError)."""


_MAX_PAGES = 65536
_MAX_PAGES_64 = 1 << 48


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise _Bad(what)


def _is_int(v: Any, lo: int = 0, hi: int = (1 << 32) - 1) -> bool:
    return type(v) is int and lo <= v <= hi


def _int_list_ok(v: Any, hi: int) -> bool:
    """``v`` is a list of ints in [0, hi], by C-speed scans (no Python frame per element)."""
    return type(v) is list and (not v or (set(map(type, v)) == _INT_ONLY and min(v) >= 0 and max(v) <= hi))


def _int_list(v: Any, what: str, hi: int) -> list[int]:
    _need(_int_list_ok(v, hi), f"{what}: not a list of ints in [0, {hi}]")
    return v


_INT_ONLY = {int}


def _u32p(a: array) -> Any:
    """A ``uint32_t *`` at a non-empty ``array('I')`` (for the native scans of native/cwasm.c)."""
    return ffi.from_buffer("uint32_t[]", a)


def _u32_ok(a: array, hi: int) -> bool:
    """Every element of the ``array('I')`` ``a`` is in [0, hi] (one native scan)."""
    if not a:
        return True
    return hi >= 0 and lib.wx_u32_above(_u32p(a), len(a), min(hi, 0xFFFFFFFF)) < 0


def _check_limits(lim: Any, hi: int, what: str) -> None:
    _need(_is_int(lim.min, 0, hi) and (lim.max is None or _is_int(lim.max, lim.min, hi)),
          f"{what} limits out of bounds")


def _check_table_type(t: Any, what: str) -> None:
    _need(T.is_ref(t.elem) and _valtype_ok(t.elem, len(_WASM_TYPES)) and t.address_type in (T.I32, T.I64),
          f"bad {what} type")
    _check_limits(t.limits, (1 << (64 if t.address_type == T.I64 else 32)) - 1, what)


def _check_memory_type(m: Any, what: str) -> None:
    _need(m.address_type in (T.I32, T.I64), f"bad {what} type")
    _check_limits(m.limits, _MAX_PAGES_64 if m.address_type == T.I64 else _MAX_PAGES, what)


_CONST_OP_TYPE = {0x41: T.I32, 0x42: T.I64, 0x43: T.F32, 0x44: T.F64, 0xFD00C: T.V128}
# extended constant expressions: i32/i64 add, sub, mul -> the type of both operands and the result
_CONST_ARITH_TYPE = {0x6A: T.I32, 0x6B: T.I32, 0x6C: T.I32, 0x7C: T.I64, 0x7D: T.I64, 0x7E: T.I64}
_MAX_CONST_LEN = 1 << 16


def _check_const(expr: Any, valtype: int, n_funcs: int, global_types: list[int], what: str) -> None:
    """A constant expression, then optionally ``end``: constants, ``ref.null``/``ref.func``,
    ``global.get`` of a global in ``global_types`` and the extended-const i32/i64 add/sub/mul, each
    with its immediate in bounds, leaving exactly one value of ``valtype`` on a stack."""
    _need(type(expr) is list and 1 <= len(expr) <= _MAX_CONST_LEN, f"{what}: not a constant expression")
    body = expr
    if type(expr[-1]) is tuple and len(expr[-1]) == 4 and expr[-1][0] == 0x0B:
        body = expr[:-1]
    stack: list[int] = []
    for ins in body:
        _need(type(ins) is tuple and len(ins) == 4 and _is_int(ins[3], 0, 1 << 40),
              f"{what}: bad instruction")
        op, a = ins[0], ins[1]
        if op in _CONST_OP_TYPE:
            _need(type(a) is int and -(1 << 127) <= a < (1 << 128), f"{what}: constant out of range")
            stack.append(_CONST_OP_TYPE[op])
        elif op in _CONST_ARITH_TYPE:
            t = _CONST_ARITH_TYPE[op]
            _need(len(stack) >= 2 and stack[-1] == t and stack[-2] == t,
                  f"{what}: opcode {op!r} without two operands of its type")
            stack.pop()
        elif op == 0x23:
            _need(_is_int(a, 0, len(global_types) - 1), f"{what}: global.get {a!r} out of range")
            stack.append(global_types[a])
        elif op == 0xD2:
            _need(_is_int(a, 0, n_funcs - 1), f"{what}: function index out of range")
            stack.append(T.FUNCREF)
        elif op == 0xD0:
            _need(type(a) is int and T.is_ref(a), f"{what}: bad ref.null type")
            stack.append(a)
        else:
            _need(False, f"{what}: opcode {op!r} is not allowed in a constant expression")
    _need(len(stack) == 1 and _same_kind(stack[0], valtype),
          f"{what}: the constant expression does not make one {valtype!r}")


_WASM_TYPES: list[Any] = []     # the types of the module _check_wasm is checking (for _ref_top)


def _ref_top(t: int) -> int:
    """The top of a reference type's hierarchy (func for a function type index)."""
    if t in T.ABSTRACT_HEAP_TYPES:
        return T.HEAP_TOP[t]
    h = T.ref_heap(t)
    if h & T.HEAP_INDEX:
        x = h & (T.HEAP_INDEX - 1)
        return T.FUNCREF if x < len(_WASM_TYPES) and isinstance(_WASM_TYPES[x], T.FuncType) else T.ANYREF
    return T.HEAP_TOP.get(h, -1)


def _same_kind(t1: int, t2: int) -> bool:
    """The same number/vector type, or references of one hierarchy (the validator checked subtyping
    before the module was written; this keeps a damaged file from mixing representations)."""
    if t1 == t2:
        return True
    return T.is_ref(t1) and T.is_ref(t2) and _ref_top(t1) == _ref_top(t2)


def _valtype_ok(t: Any, n_types: int) -> bool:
    if type(t) is not int:
        return False
    if t in T.SHORTHAND_TYPES:
        return True
    if not t & T.REF_TYPE or t & ~(T.REF_TYPE | T.REF_NULLABLE | T.HEAP_INDEX | (T.HEAP_INDEX - 1)):
        return False
    h = T.ref_heap(t)
    return h < n_types | T.HEAP_INDEX if h & T.HEAP_INDEX else h in T.ABSTRACT_HEAP_TYPES


def _check_wasm(w: Any) -> None:
    """Every index, count and limit of a decoded module skeleton within its bounds."""
    n_types = len(w.types)
    _WASM_TYPES[:] = w.types
    for t in w.types:
        if isinstance(t, T.FuncType):
            _need(all(_valtype_ok(v, n_types) for v in (*t.params, *t.results)),
                  "bad value type in a function type")
    _need(len(w.subtypes) == n_types and sum(g.count for g in w.rec_groups) == n_types
          and all(_int_list_ok(list(st.supertypes), n_types - 1) for st in w.subtypes), "bad type section")
    kinds = ("func", "table", "memory", "global", "tag")
    for imp in w.imports:
        _need(type(imp.module) is str and type(imp.name) is str and imp.kind in kinds, "bad import")
        if imp.kind == "func":
            _need(_is_int(imp.desc, 0, n_types - 1), "import type index out of range")
        elif imp.kind == "tag":
            _need(_is_int(imp.desc, 0, n_types - 1) and not w.types[imp.desc].results,
                  "bad imported tag type")
        elif imp.kind == "table":
            _check_table_type(imp.desc, "imported table")
        elif imp.kind == "memory":
            _check_memory_type(imp.desc, "imported memory")
        else:
            _need(_valtype_ok(imp.desc.valtype, n_types) and type(imp.desc.mutable) is bool,
                  "bad imported global type")
    _need(_u32_ok(w.funcs, n_types - 1), "function type index out of range")
    for t in w.tables:
        _check_table_type(t, "table")
    for m in w.memories:
        _check_memory_type(m, "memory")
    n_funcs = w.num_imported_funcs + len(w.funcs)
    n_tables = w.num_imported_tables + len(w.tables)
    n_memories = w.num_imported_memories + len(w.memories)
    n_imp_globals = w.num_imported_globals
    n_globals = n_imp_globals + len(w.globals)
    global_types = [imp.desc.valtype for imp in w.imports if imp.kind == "global"]
    for i, g in enumerate(w.globals):
        _need(_valtype_ok(g.type.valtype, n_types) and type(g.type.mutable) is bool, "bad global type")
        _check_const(g.init, g.type.valtype, n_funcs, list(global_types), f"global {n_imp_globals + i}")
        global_types.append(g.type.valtype)
    _need(len(w.table_inits) == len(w.tables), "table initialiser count does not match")
    for i, (t, init) in enumerate(zip(w.tables, w.table_inits, strict=True)):
        if init is not None:
            _check_const(init, t.elem, n_funcs, global_types[:n_imp_globals], f"table {i} initialiser")
    _need(_int_list_ok(w.tags, n_types - 1) and not any(w.types[t].results for t in w.tags), "bad tag type")
    spaces = {"func": n_funcs, "table": n_tables, "memory": n_memories, "global": n_globals,
              "tag": w.num_imported_tags + len(w.tags)}
    names = set()
    for e in w.exports:
        _need(type(e.name) is str and e.name not in names and e.kind in kinds
              and _is_int(e.index, 0, spaces.get(e.kind, 0) - 1), "export out of range")
        names.add(e.name)
    if w.start is not None:
        _need(_is_int(w.start, 0, n_funcs - 1), "start function out of range")
        t = w.func_type(w.start)
        _need(not t.params and not t.results, "start function has parameters or results")

    for i, seg in enumerate(w.elems):
        _need(seg.mode in ("active", "passive", "declarative") and _valtype_ok(seg.elemtype, n_types)
              and T.is_ref(seg.elemtype)
              and type(seg.init) is list, f"element segment {i}: bad mode or type")
        if seg.mode == "active":
            _need(_is_int(seg.table, 0, n_tables - 1), f"element segment {i}: table out of range")
            _check_const(seg.offset, w.table_type(seg.table).address_type, n_funcs, global_types,
                         f"element segment {i}")
        else:
            _need(seg.offset is None, f"element segment {i}: offset of a non-active segment")
        for expr in seg.init:
            _check_const(expr, seg.elemtype, n_funcs, global_types, f"element segment {i} item")
    for i, seg in enumerate(w.datas):
        _need(seg.mode in ("active", "passive") and type(seg.data) is bytes, f"data segment {i}: bad mode")
        if seg.mode == "active":
            _need(_is_int(seg.memory, 0, n_memories - 1), f"data segment {i}: memory out of range")
            _check_const(seg.offset, w.memory_type(seg.memory).address_type, n_funcs, global_types,
                         f"data segment {i}")
        else:
            _need(seg.offset is None, f"data segment {i}: offset of a non-active segment")
    _need(w.data_count is None or w.data_count == len(w.datas), "data count does not match")
    _need(w.names.module is None or type(w.names.module) is str, "bad module name")
    _need(all(type(k) is int and type(v) is str for k, v in w.names.functions.items()), "bad function names")


def check_decoded(compiled: Any, wasm: Any, recipe: Any, fuel: bool) -> None:
    """Raise ``_Bad`` unless every offset, size and count of a decoded file is within its bounds and
    consistent with the rest: the module skeleton's indices, the vmctx layout (derived again from the
    skeleton), function and stub offsets inside the code and in the compiler's order, relocations, the
    PC map, and the instantiation recipe (made again from the checked parts and compared)."""
    _check_wasm(wasm)
    c = compiled
    code = c.code
    _need(type(code) in (bytes, memoryview) and len(code) < (1 << 31), "bad code size")
    size = len(code)
    n_imp = wasm.num_imported_funcs
    _need(c.num_imported_funcs == n_imp and c.fuel is fuel, "function counts or fuel flag do not match")
    _need(list(c.types) == list(wasm.types), "types do not match the module")
    _need(c.layout == VMContextLayout.for_module(wasm), "vmctx layout does not match the module")
    # the compiler names each signature by the first index of an equal type (ModuleCompiler.compile)
    first: dict[Any, int] = {}
    for i, t in enumerate(wasm.types):
        first.setdefault(t, i)
    canonical = array("I", [first[t] for t in wasm.types])
    declared = array("I", [imp.desc for imp in wasm.imports if imp.kind == "func"]) + wasm.funcs
    ft = c.func_types
    _need(len(ft) == len(declared) and (not declared or lib.wx_u32_lookup_mismatch(
        _u32p(ft), _u32p(declared), len(declared), _u32p(canonical), len(canonical)) < 0),
        "function types do not match the module")
    offs, ends = c.func_offsets, c.func_ends
    _need(len(offs) == len(ends) == len(wasm.funcs), "function offset count does not match")
    # every start == _align16(previous end) (0 first) and start < end <= size (one native scan)
    _need(not offs or lib.wx_func_ranges_check(_u32p(offs), _u32p(ends), len(offs), size) < 0,
          "function offsets out of place")
    pos = ends[-1] if ends else 0
    stubs = _int_list(c.host_stub_offsets, "host stub offsets", size)
    _need(len(stubs) == n_imp, "host stub count does not match")
    stride = stubs[1] - stubs[0] if len(stubs) > 1 else 16
    for i, s in enumerate(stubs):
        _need(s == (_align16(pos) if i == 0 else stubs[0] + i * stride), f"host stub offset {s} out of place")
    if stubs:
        _need(stride > 0 and stride % 16 == 0 and stubs[-1] + stride <= size, "host stubs out of bounds")
        pos = stubs[-1] + 1
    code_end = _align16(pos)
    rel = c.relocations
    _need(type(rel) is list, "bad relocations")
    got = size - 8 * len(rel)             # the GOT: one u64 per relocation, at the end of the code
    for i, r in enumerate(rel):
        _need(type(r) is tuple and len(r) == 3 and r[0] == got + 8 * i and _is_int(r[0], code_end, size - 8)
              and r[1] == V.RELOC_HELPER_ABS64 and _is_int(r[2], 0, len(V.HELPERS) - 1),
              f"relocation {r!r} out of bounds")
    pcs, wasm_pcs = c.pc_offsets, c.pc_wasm     # uint32 arrays: every wasm offset is in range
    _need(len(pcs) == len(wasm_pcs) and (not pcs or lib.wx_u32_unsorted(_u32p(pcs), len(pcs), size) < 0),
          "pc map out of order")
    names = c.func_names
    _need(type(names) is dict and all(type(k) is int and type(v) is str for k, v in names.items()),
          "bad function names")
    _check_eh_table(c.eh_table, size, offs, ends, c.layout)
    _need(type(c.stack_maps) is bytes and stackmaps.check(c.stack_maps, size), "bad stack maps")
    _check_recipe(recipe, c, wasm)


def _check_eh_table(table: Any, code_size: int, offs: array, ends: array, layout: Any) -> None:
    """``_Bad`` unless the exception handler table is safe for the unwinder (native/unwind.c reads it
    without checks): the rules of ``jit.runtime.exceptions.check_eh_table``, in one native scan
    (``wx_eh_table_check``)."""
    _need(type(table) is bytes and len(table) % 4 == 0, "bad exception handler table")
    if not table:
        return
    words = ffi.from_buffer("uint32_t[]", table)
    funcs_at = (_u32p(offs), _u32p(ends)) if offs else (ffi.NULL, ffi.NULL)
    tags = layout.tags
    bad = lib.wx_eh_table_check(words, len(table) // 4, code_size, *funcs_at, len(offs), tags,
                                tags + 8 * layout.num_tags)
    _need(bad < 0, f"exception handler table: bad word {bad}")


def _check_recipe(recipe: Any, c: Any, wasm: Any) -> None:
    """``_Bad`` unless ``recipe`` is exactly ``make_recipe(c, wasm)``, at memory speed: the recipe of
    the module without its defined functions (``make_recipe`` of a skeleton: O(imports, globals,
    segments)) plus the rows that one funcref per defined function adds to it (code, vmctx and type
    offsets in arithmetic progression, the function types, the functions' code offsets in the image),
    compared by native scans and one strided copy instead of a Python int per function."""
    n_def = len(wasm.funcs)
    stub_c = object.__new__(type(c))
    stub_c.__dict__.update(c.__dict__)
    stub_c.func_offsets = stub_c.func_ends = array("I")
    stub = make_recipe(stub_c, dataclasses.replace(wasm, funcs=array("I")))
    r = recipe
    _need(all(getattr(r, f) == getattr(stub, f) for f in _RECIPE_SAME), "instantiation recipe does not match")
    step = V.VMFUNCREF_SIZE
    base = c.layout.funcrefs + step * c.num_imported_funcs      # the first defined function's funcref

    def grows(name: str, start: int) -> Any:
        """``recipe.name`` is the skeleton's plus ``start + k * step`` for each defined function k."""
        full, head = getattr(r, name), getattr(stub, name)
        a = _u32_array(full, name)
        n0 = len(head) // 4
        _need(len(a) == n0 + n_def and full[:len(head)] == head and (not n_def or lib.wx_u32_progression(
            _u32p(a) + n0, n_def, start, step) < 0), f"instantiation recipe: {name} does not match")
        return a

    grows("code_rel", base + V.VMFUNCREF_CODE)
    grows("type_offsets", base + V.VMFUNCREF_TYPE_ID)
    _need(r.type_index == stub.type_index + wasm.funcs.tobytes(), "instantiation recipe: types do not match")
    rel, head = _u32_array(r.rel, "rel"), _u32_array(stub.rel, "rel")
    _need(lib.wx_u32_merge_check(_u32p(rel) if rel else ffi.NULL, len(rel), _u32p(head) if head else ffi.NULL,
                                 len(head), base + V.VMFUNCREF_VMCTX, step, n_def) < 0,
          "instantiation recipe: relocations do not match")
    _need(type(r.image) is bytes and len(r.image) == len(stub.image), "instantiation recipe: bad image")
    # the skeleton's image with each defined function's code offset in its funcref (one native scan)
    offs = _u32p(c.func_offsets) if n_def else ffi.NULL
    first = (base + V.VMFUNCREF_CODE) // 8
    _need(lib.wx_image_funcrefs_check(r.image, stub.image, len(r.image), first, step // 8, offs, n_def) < 0,
          "instantiation recipe: image does not match")


# PlanRecipe fields that do not grow with the number of defined functions
_RECIPE_SAME = ("size", "datas_off", "elems_off", "data_offsets", "data_index", "dynamic_globals",
                "dynamic_items", "active_datas", "active_elems")


def _align16(n: int) -> int:
    return (n + 15) & ~15


def _remember(digest: bytes, decoded: DecodedModule, nbytes: int) -> None:
    """Put a decoded file in the memo, dropping the oldest beyond its count and byte bounds."""
    global _decoded_bytes
    with _memo_lock:
        if digest in _decoded:
            return
        _decoded[digest] = (decoded, nbytes)
        _decoded_bytes += nbytes
        while _decoded and (len(_decoded) > DECODED_MEMO_SIZE or _decoded_bytes > DECODED_MEMO_BYTES):
            _old, size = _decoded.pop(next(iter(_decoded)))
            _decoded_bytes -= size


def _check_wanted(file_wasm: str, file_fuel: bool, wasm_sha256: str | None, fuel: bool | None) -> None:
    if wasm_sha256 is not None and file_wasm != wasm_sha256:
        raise CacheError(f"compiled from other Wasm bytes (sha256 {file_wasm[:16]}..., "
                         f"expected {wasm_sha256[:16]}...)")
    if fuel is not None and file_fuel != fuel:
        raise CacheError(f"compiled {'with' if file_fuel else 'without'} fuel metering, wanted the other")


# Decoded contents of verified files by their SHA-256 (the checksum every load recomputes): the
# decoded objects are immutable, so loading the same bytes again shares them instead of parsing
# again. Code is still copied, relocated and published by every load. Bounded by count and by the
# files' total size, oldest out first.
DECODED_MEMO_SIZE = 256
DECODED_MEMO_BYTES = 64 << 20
_decoded: dict[bytes, tuple[DecodedModule, int]] = {}     # MAC + key fingerprint -> decoded
_decoded_bytes = 0
_memo_lock = threading.Lock()


def clear_memo() -> None:
    """Forget every decoded file (the next load of each parses it again)."""
    global _decoded_bytes
    with _memo_lock:
        _decoded.clear()
        _decoded_bytes = 0
