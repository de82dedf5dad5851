"""The compiled-module file format (``.cwasm``): written by ``jit.Module.serialize``, read by ``deserialize``.

Layout (little endian)::

    magic  b"WXJITCW\\0"          8 bytes
    format version                u32  (FORMAT_VERSION)
    header length                 u32
    payload length                u64
    SHA-256 of header + payload   32 bytes
    header                        JSON: wasm_sha256, compiler (version hash), cpu (features used), fuel
    payload                       marshal of plain tuples/lists/ints/bytes (no code objects)

Guarantees: a file is accepted only if the magic, the format version, both lengths (truncation or
trailing bytes) and the checksum match, the compiler that wrote it is this one (``compiler_version()``:
a hash of the sources that shape machine code and the vmctx ABI) and the CPU features it relied on
are present on this machine; anything else raises ``CacheError`` (a ``jit.Error``) saying which check
failed, before a single byte of the payload is interpreted (bytes whose checksum was seen before in this
process reuse their decoded, immutable metadata: ``clear_memo``). The checksum detects corruption, not a
forger who recomputes it: the cache directory must be writable only by its user (like any other
compiled-code cache). Deserializing does no decoding, validation or code generation.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import struct
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Error
from ..wasm import types as T
from ..wasm.types import FuncType
from ..x64.compiled import CompiledModule
from ..x64.cpu import host_features
from .plan import InstancePlan, PlanRecipe
from .vmctx import VMContextLayout

MAGIC = b"WXJITCW\x00"
FORMAT_VERSION = 1
_HEAD = struct.Struct("<8sIIQ32s")
# marshal 2 has no back-references: versions 3+ reference objects by their reference count, which
# would make the bytes of one module depend on what else holds its parts
_MARSHAL_VERSION = 2


class CacheError(Error):
    """A serialized module was rejected (truncated, corrupted, another version or CPU); says why."""


# Sources whose change changes machine code or the ABI it relies on: part of every cache key.
_SOURCE_DIRS = ("x64", "wasm")
_SOURCE_FILES = ("runtime/vmctx.py",)


@lru_cache(maxsize=1)
def compiler_version() -> str:
    """A hash of the compiler's sources (jit/x64, jit/wasm, the vmctx layout) and the format version."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"wxjit-cwasm-{FORMAT_VERSION}".encode())
    paths = [p for d in _SOURCE_DIRS for p in sorted((root / d).glob("*.py"))]
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
    return (tuple(t.params), tuple(t.results))


def _pack_compiled(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(c):
        v = getattr(c, f.name)
        if f.name == "types":
            v = [_pack_functype(t) for t in v]
        elif f.name == "layout":
            v = dataclasses.astuple(v)
        out[f.name] = v
    return out


@lru_cache(maxsize=1)
def _compiled_fields() -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(CompiledModule))


_functypes: dict[tuple, Any] = {}


def _functype(p: tuple, r: tuple) -> Any:
    """An interned FuncType (types are immutable; equal ones are interchangeable)."""
    t = _functypes.get((p, r))
    if t is None:
        t = _functypes[(p, r)] = FuncType(p, r)
    return t


def _unpack_compiled(d: dict[str, Any]) -> Any:
    if frozenset(d) != _compiled_fields():
        raise ValueError("compiled module fields do not match this compiler")
    d = dict(d)
    d["types"] = [_functype(p, r) for p, r in d["types"]]
    layout = object.__new__(VMContextLayout)
    layout.__dict__.update(zip(VMContextLayout.__dataclass_fields__, d["layout"], strict=True))
    d["layout"] = layout
    compiled = object.__new__(CompiledModule)
    compiled.__dict__.update(d)
    return compiled


def _pack_limits(lim: Any) -> tuple:
    return (lim.min, lim.max)


def _pack_desc(kind: str, desc: Any) -> Any:
    if kind == "func":
        return desc
    if kind == "table":
        return (desc.elem, _pack_limits(desc.limits))
    if kind == "memory":
        return _pack_limits(desc.limits)
    return (desc.valtype, desc.mutable)


def _pack_wasm(w: Any) -> tuple:
    """Everything instantiation needs from a decoded module; function bodies and customs stay behind."""
    return (
        [_pack_functype(t) for t in w.types],
        [(i.module, i.name, i.kind, _pack_desc(i.kind, i.desc)) for i in w.imports],
        list(w.funcs),
        [(t.elem, _pack_limits(t.limits)) for t in w.tables],
        [_pack_limits(m.limits) for m in w.memories],
        [(g.type.valtype, g.type.mutable, list(g.init)) for g in w.globals],
        [(e.name, e.kind, e.index) for e in w.exports],
        w.start,
        [(e.mode, e.table, e.offset, e.elemtype, e.init) for e in w.elems],
        [(d.mode, d.memory, d.offset, bytes(d.data)) for d in w.datas],
        w.data_count,
        (w.names.module, dict(w.names.functions)),
    )


def _unpack_wasm(t: tuple) -> Any:
    types, imports, funcs, tables, memories, globals_, exports, start, elems, datas, data_count, names = t

    def lim(p: tuple) -> Any:
        return T.Limits(p[0], p[1])

    def desc(kind: str, d: Any) -> Any:
        if kind == "func":
            return d
        if kind == "table":
            return T.TableType(d[0], lim(d[1]))
        if kind == "memory":
            return T.MemoryType(lim(d))
        return T.GlobalType(d[0], d[1])

    return T.Module(
        types=[_functype(p, r) for p, r in types],
        imports=[T.Import(m, n, k, desc(k, d)) for m, n, k, d in imports],
        funcs=list(funcs),
        tables=[T.TableType(e, lim(p)) for e, p in tables],
        memories=[T.MemoryType(lim(p)) for p in memories],
        globals=[T.Global(T.GlobalType(v, m), init) for v, m, init in globals_],
        exports=[T.Export(n, k, i) for n, k, i in exports],
        start=start,
        elems=[T.ElemSegment(*e) for e in elems],
        datas=[T.DataSegment(*d) for d in datas],
        data_count=data_count,
        names=T.NameSection(names[0], dict(names[1])),
    )


# -- the file --------------------------------------------------------------------------------------

def dumps(compiled: Any, wasm: Any, wasm_sha256: str, recipe: Any) -> bytes:
    """The bytes of a .cwasm file for one compiled module (its fuel flag is in ``compiled.fuel``) and
    its instantiation recipe (``jit.runtime.plan.PlanRecipe``)."""
    header = json.dumps({"wasm_sha256": wasm_sha256, "compiler": compiler_version(),
                         "cpu": cpu_features(), "fuel": bool(compiled.fuel)}, sort_keys=True).encode()
    try:
        payload = marshal.dumps((_pack_compiled(compiled), _pack_wasm(wasm), recipe.to_tuple()),
                                _MARSHAL_VERSION)
    except ValueError as exc:
        raise CacheError(f"cannot serialize this module: {exc}") from None
    digest = hashlib.sha256(header + payload).digest()
    return _HEAD.pack(MAGIC, FORMAT_VERSION, len(header), len(payload), digest) + header + payload


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
          fuel: bool | None = None) -> DecodedModule:
    """The ``DecodedModule`` of a .cwasm file, or ``CacheError``.

    ``wasm_sha256`` / ``fuel``: when given, the file must be for exactly these Wasm bytes / fuel flag.
    ``data`` may be any buffer: nothing decoded refers to it afterwards.
    """
    if len(data) < _HEAD.size:
        raise CacheError(f"truncated compiled module: {len(data)} bytes, the header alone has {_HEAD.size}")
    magic, version, hlen, plen, digest = _HEAD.unpack_from(data)
    if magic != MAGIC:
        raise CacheError(f"not a wxjit compiled module (magic {magic!r})")
    if version != FORMAT_VERSION:
        raise CacheError(f"compiled module format version {version}, this wxjit reads {FORMAT_VERSION}")
    if _HEAD.size + hlen + plen != len(data):
        raise CacheError(f"truncated or padded compiled module: {len(data)} bytes, the header says "
                         f"{_HEAD.size + hlen + plen}")
    body = memoryview(data)[_HEAD.size:]
    if hashlib.sha256(body).digest() != digest:
        raise CacheError("corrupted compiled module: checksum mismatch")
    hit = _decoded.get(digest)
    if hit is not None:                       # these very bytes were decoded and checked before
        decoded = hit[0]
        if (wasm_sha256 is not None and decoded.wasm_sha256 != wasm_sha256) or (
                fuel is not None and decoded.fuel != fuel):
            _check_wanted(decoded.wasm_sha256, decoded.fuel, wasm_sha256, fuel)
        return decoded
    try:
        header = json.loads(bytes(body[:hlen]))
        compiler, cpu = header["compiler"], header["cpu"]
        file_fuel, file_wasm = header["fuel"], header["wasm_sha256"]
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheError(f"corrupted compiled module header: {exc}") from None
    if compiler != compiler_version():
        raise CacheError(f"compiled by another wxjit compiler ({compiler}; this one is {compiler_version()})")
    missing = set(cpu) - set(_cpu_features())
    if missing:
        raise CacheError(f"compiled for CPU features this machine lacks: {', '.join(sorted(missing))}")
    if not isinstance(file_wasm, str) or not isinstance(file_fuel, bool):
        raise CacheError("corrupted compiled module header: bad field types")
    _check_wanted(file_wasm, file_fuel, wasm_sha256, fuel)
    try:
        packed_compiled, packed_wasm, packed_recipe = marshal.loads(body[hlen:])
        compiled = _unpack_compiled(packed_compiled)
        wasm = _unpack_wasm(packed_wasm)
        recipe = PlanRecipe(*packed_recipe)
    except (ValueError, TypeError, EOFError, KeyError) as exc:
        raise CacheError(f"corrupted compiled module payload: {exc}") from None
    decoded = DecodedModule(compiled, wasm, recipe, header)
    _remember(digest, decoded, len(data))
    return decoded


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
_decoded: dict[bytes, tuple[DecodedModule, int]] = {}
_decoded_bytes = 0
_memo_lock = threading.Lock()


def clear_memo() -> None:
    """Forget every decoded file (the next load of each parses it again)."""
    global _decoded_bytes
    with _memo_lock:
        _decoded.clear()
        _decoded_bytes = 0
