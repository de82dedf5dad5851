"""The Wasm GC object model shared by compiled code, the runtime and ``native/gc.c`` (docs/gc.md).

A reference in the ``any`` hierarchy is one 8-byte word: 0 is null, ``word & 1`` an i31 (payload
``word >> 1``), ``word & 3 == 2`` a host (externref) handle, ``word & 3 == 0`` a pointer to a heap
object. A heap object is 8-byte aligned and starts with an ``OBJ_HEADER_SIZE``-byte header; its fields
(struct) or elements (array) follow. Every canonical type id (``jit.wasm.subtyping``) that reaches the
runtime has one native type descriptor (``wx_gc_type``), in a process-wide table indexed by the id whose
address never changes (``VMCTX_GC_TYPES``). Compiled code reads the header and descriptor fields
named here; ``native/gc.c`` checks the offsets with static asserts.
"""
from __future__ import annotations

# --- object header -------------------------------------------------------------------------------
OBJ_DESC = 0            # wx_gc_type*: the object's type descriptor
OBJ_LENGTH = 8          # u32: element count of an array (0 for a struct)
OBJ_FLAGS = 12          # u32: bit 0 = mark (the collector's); bits 16..31 = OBJ_MAGIC
OBJ_NEXT = 16           # object*: the process-wide list of all objects (the sweep walks it)
OBJ_HEAP = 24           # wx_gc_heap*: the accounting block the object's bytes are charged to
OBJ_HEADER_SIZE = 32    # fields/elements start here
OBJ_MARK = 1            # the mark bit in OBJ_FLAGS
OBJ_MAGIC = 0x47430000  # "GC": the collector traces a word as an object only if its flags carry it

# --- type descriptor (wx_gc_type) ----------------------------------------------------------------
DESC_CID = 0            # u64: the canonical type id
DESC_KIND = 8           # u32: KIND_FUNC / KIND_STRUCT / KIND_ARRAY
DESC_DEPTH = 12         # u32: length of the declared supertype chain above the type
DESC_DISPLAY = 16       # u64*: canonical ids of the chain, root first; display[depth] is the type itself
DESC_SIZE = 24          # u32: struct: bytes of the fields; array: bytes of one element
DESC_FINAL = 28         # u32: 1 for a final type

KIND_FUNC, KIND_STRUCT, KIND_ARRAY = 1, 2, 3

# --- the accounting block of one instance (wx_gc_heap) ---------------------------------------------
HEAP_USED = 0           # u64: bytes of live objects charged to this block
HEAP_LIMIT = 8          # u64: jit.Limits.max_gc_heap_bytes (an allocation past it traps)

# Storage types: value type / packed type code -> bytes in an object.
STORAGE_BYTES: dict[int, int] = {0x78: 1, 0x77: 2, 0x7F: 4, 0x7D: 4, 0x7E: 8, 0x7C: 8, 0x7B: 16}
REF_BYTES = 8


def storage_bytes(storage: int) -> int:
    """Bytes a field or element of storage type ``storage`` takes (references: 8)."""
    return STORAGE_BYTES.get(storage, REF_BYTES)


def is_ref_storage(storage: int) -> bool:
    """Whether a field of this storage type holds a reference (traced by the collector)."""
    return storage not in STORAGE_BYTES


def struct_layout(storages: list[int] | tuple[int, ...]) -> tuple[list[int], int]:
    """(byte offset of each field from the start of the fields, total bytes rounded up to 8): fields
    in order, each aligned to its size (at most 8)."""
    offsets: list[int] = []
    pos = 0
    for s in storages:
        n = storage_bytes(s)
        align = min(n, 8)
        pos = (pos + align - 1) & -align
        offsets.append(pos)
        pos += n
    return offsets, (pos + 7) & -8
