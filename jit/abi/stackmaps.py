"""Stack maps: which frame words hold traced references at each safepoint (docs/gc.md).

The contract between the compiler (``jit.x64.safepoints`` records the sites) and the collector
(``native/gcroots.c`` reads the table, ``jit.runtime.gc`` drives it). A *safepoint* is a call made
by compiled code after which a collection may have run: calls of Wasm functions (direct, through
a table, ``call_ref``, imports and host functions), calls of runtime helpers, and the calls of
``throw``/``throw_ref`` (the runtime may collect before it unwinds). It is keyed by its return
address. At a safepoint every live reference of the ``any``/``extern`` hierarchies and every live
exnref (the words the collector follows: externref handles, i31s, GC heap pointers, exception
objects) is in memory, in a word of the frame at ``rbp + 8 * w``: parameters (``w >= 2``), locals
and spilled operand-stack positions (``w < 0``). Reference locals are never pinned to registers and
every operand-stack entry is spilled before a call, so frame words suffice; funcref words are not
listed (functions are not collected).

The table is a packed array of little-endian u32 words, relative to one code start::

    [n_sites, n_pool]
    offsets  n_sites x u32   return-address offsets, strictly ascending
    maps     n_sites x u32   index into pool of each site's map
    pool     n_pool  x u32   maps, each: count, then count word indices w (int32)

A return address without an entry holds no traced reference. Identical maps are stored once.
``b""`` is a module without any. The C side finds a site by binary search over ``offsets``.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass

HEADER_WORDS = 2
MAX_WORD = 1 << 20       # |w|: frames are far smaller than 8 MiB (jit.Limits bounds locals and stack)


@dataclass(frozen=True)
class StackMap:
    """One safepoint: ``offset`` (return address, from the code start) and the frame words
    ``rbp + 8 * w`` for ``w`` in ``words`` that hold traced references there."""

    offset: int
    words: tuple[int, ...]


def encode(sites: list[tuple[int, tuple[int, ...]]]) -> bytes:
    """The packed table of ``sites`` ((offset, words) pairs, any order; empty maps are dropped)."""
    live = sorted((off, words) for off, words in sites if words)
    if not live:
        return b""
    pool = array("I")
    where: dict[tuple[int, ...], int] = {}
    offsets = array("I")
    maps = array("I")
    last = -1
    for off, words in live:
        if off == last:
            raise ValueError(f"two stack maps at code offset {off:#x}")
        last = off
        at = where.get(words)
        if at is None:
            at = where[words] = len(pool)
            pool.append(len(words))
            pool.extend(w & 0xFFFFFFFF for w in words)
        offsets.append(off)
        maps.append(at)
    head = array("I", [len(offsets), len(pool)])
    return (head + offsets + maps + pool).tobytes()


def decode(table: bytes) -> list[StackMap]:
    """The sites of a packed table (ascending); ValueError if it is malformed."""
    if not table:
        return []
    if len(table) % 4:
        raise ValueError("stack-map table is not a whole number of u32 words")
    w = array("I")
    w.frombytes(table)
    if len(w) < HEADER_WORDS:
        raise ValueError("stack-map table too short")
    n, npool = w[0], w[1]
    if len(w) != HEADER_WORDS + 2 * n + npool:
        raise ValueError("stack-map table size does not match its header")
    offsets = w[HEADER_WORDS:HEADER_WORDS + n]
    maps = w[HEADER_WORDS + n:HEADER_WORDS + 2 * n]
    pool = w[HEADER_WORDS + 2 * n:]
    out = []
    prev = -1
    for off, at in zip(offsets, maps, strict=True):
        if off <= prev:
            raise ValueError("stack-map offsets are not strictly ascending")
        prev = off
        if at >= npool or at + 1 + pool[at] > npool:
            raise ValueError("stack map outside the pool")
        words = tuple(x - (1 << 32) if x & 0x80000000 else x for x in pool[at + 1:at + 1 + pool[at]])
        if any(not -MAX_WORD < x < MAX_WORD or x in (0, 1) for x in words):
            raise ValueError("stack-map word outside any frame")
        out.append(StackMap(off, words))
    return out


def check(table: bytes, code_size: int) -> bool:
    """Whether ``table`` is well formed for code of ``code_size`` bytes (the loader trusts it: the
    collector reads and writes nothing but the frame words it names)."""
    try:
        sites = decode(table)
    except ValueError:
        return False
    return all(0 < s.offset <= code_size for s in sites)


def merge(sites: list[StackMap] | list[tuple[int, tuple[int, ...]]], base: int
          ) -> list[tuple[int, tuple[int, ...]]]:
    """``sites`` moved by ``base`` bytes (code placed at ``base`` of a larger code object)."""
    return [(s[0] + base, s[1]) if isinstance(s, tuple) else (s.offset + base, s.words) for s in sites]


__all__ = ["StackMap", "check", "decode", "encode", "merge"]
