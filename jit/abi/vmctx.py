"""The one place that knows the instance context (``vmctx``) layout and the native ABI constants.

Compiled code reaches everything instance-specific through ``r15`` (vmctx): the memory base, the
stack limit, imported functions, tables, globals and canonical type ids. The C runtime needs the
fixed header, the struct layouts, the trap kinds and the helper ids; ``native/vmctx.h`` is generated
from this module (``python -m jit.abi.vmctx > native/vmctx.h``) and a test checks it is current.
See docs/abi.md for the calling convention.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

# --- fixed vmctx header (byte offsets) -------------------------------------------------------
VMCTX_STACK_LIMIT = 0     # u64: rsp must stay above this (set on every entry from the host)
VMCTX_FUEL = 8            # i64: remaining fuel when fuel metering is on
VMCTX_MEM_BASE = 16       # u64: base address of memory 0 (also kept in r14)
VMCTX_MEMORY = 24         # VMMemory*: memory 0 (defined or imported), NULL if none
VMCTX_INSTANCE_ID = 32    # u64: the Python-side instance handle (host calls, trap reports)
VMCTX_STACK_BUDGET = 40   # u64: stack bytes an outermost host entry lets compiled code use (0 = 512 KiB)
VMCTX_DATAS = 48          # VMDataSegment*: the module's data segments (passive ones until dropped)
VMCTX_ELEMS = 56          # VMElemSegment*: the module's element segments (resolved references)
VMCTX_OWNER_PTR = 64      # VMGroup*: the group block of this instance's group (never NULL once made)
VMCTX_OWNER = 72          # VMGroup: the block of an instance alone (a group's is allocated apart)
VMCTX_HOST_STACK = 88     # u64: native stack bytes an outermost host entry keeps free below the guest's
                          # stack limit for host functions (0 = 256 KiB; jit.Limits.host_stack_bytes)
VMCTX_HOST_FAST = 96      # u64*: host functions answered in C, (handler, context) per import index, or
                          # NULL (jit.runtime.host.install_fast; wx_host_call tries them before Python)
VMCTX_GC_HEAP = 104      # wx_gc_heap*: the accounting block of this instance's GC allocations (docs/gc.md)
VMCTX_GC_TYPES = 112     # wx_gc_type**: the process-wide GC type descriptor table, indexed by canonical id
VMCTX_HEADER_SIZE = 120

# --- VMGroup: what the instances of one group share -------------------------------------------
GROUP_OWNER = 0           # u64: token of the thread running code of this group (0 = idle)
GROUP_INTERRUPT = 8       # u64: nonzero = stop at the next check (interrupt / deadline); the native
                          # entry clears it when the call it stopped returns, before the group is free
GROUP_SIZE = 16
# u64 at a fixed vmctx offset that compiled code checks with one compare at function entries and loop
# headers: the interrupt flag itself for an instance alone (its group block is VMCTX_OWNER), a hint
# for a member of a group (set in every member by interrupt(); a set hint sends the check to a slow
# path that reads the group's flag, and clears the hint when it finds the flag clear)
VMCTX_INTERRUPT_HINT = VMCTX_OWNER + GROUP_INTERRUPT

# --- VMMemory: one linear memory, shared by every instance that imports it --------------------
VMMEMORY_BASE = 0         # u64: start of the reservation (never moves)
VMMEMORY_LENGTH = 8       # u64: accessible bytes (pages * 65536)
VMMEMORY_PAGES = 16       # u64: current pages
VMMEMORY_MAX_PAGES = 24   # u64: maximum pages (declared max, clamped by limits; 65536 if none)
VMMEMORY_RESERVED = 32    # u64: bytes reserved (accessible + guard, PROT_NONE beyond LENGTH)
VMMEMORY_SIZE = 40

# --- VMMemoryDesc: one per memory of the index space, in the vmctx (memory 0 also has the header
# fields above and r14). The base never moves (the reservation is fixed), so it is copied inline;
# the length is read through the shared VMMemory (another instance may grow it).
VMMEMDESC_BASE = 0        # u64: base address of the memory (VMMemory.base)
VMMEMDESC_MEMORY = 8      # VMMemory*: the memory (defined or imported)
VMMEMDESC_SIZE = 16

# --- VMTable: one table, shared by every instance that imports it -----------------------------
VMTABLE_ELEMENTS = 0      # u64*: element array (reallocated on growth)
VMTABLE_LENGTH = 8        # u64: current length
VMTABLE_MAX = 16          # u64: maximum length (0xFFFFFFFF if none)
VMTABLE_ELEMTYPE = 24     # u64: 0x70 funcref / 0x6F externref
VMTABLE_SIZE = 32
# funcref elements are VMFuncRef* (0 = null); externref elements are host reference ids (0 = null).

# --- VMFuncRef: what a funcref points to -------------------------------------------------------
VMFUNCREF_CODE = 0        # u64: entry address (internal calling convention)
VMFUNCREF_VMCTX = 8       # u64: the callee's vmctx
VMFUNCREF_TYPE_ID = 16    # u64: canonical (process-wide, structural) type id of the function
VMFUNCREF_SIZE = 24

# --- VMDataSegment / VMElemSegment: segments of one instance; dropping one sets its length to 0 ----
VMDATASEG_BASE = 0        # u64: address of the segment's bytes
VMDATASEG_LENGTH = 8      # u64: byte length (0 once dropped)
VMDATASEG_SIZE = 16
VMELEMSEG_ITEMS = 0       # u64*: the elements as table values (VMFuncRef* / externref ids / 0)
VMELEMSEG_LENGTH = 8      # u64: element count (0 once dropped)
VMELEMSEG_SIZE = 16

# --- VMTag: one exception tag (docs/exceptions.md); its address is the tag's identity ------------
VMTAG_NSLOTS = 0          # u64: payload slots of an exception with this tag (a v128 takes two)
VMTAG_LIVE = 8            # u64: exception objects with this tag not freed yet (the tag's cell stays
                          # alive while any is: caught-by-reference ones until a collection frees them)
VMTAG_TRACED = 16         # u32*: the payload slots a collection traces (count, then slot indices) or NULL
VMTAG_SIZE = 24

# --- VMExn: an exception object (what an exnref points to; 0 is the null exnref) ---------------
VMEXN_TAG = 0             # VMTag*
VMEXN_FLAGS = 8           # u64: bit 0 escaped (caught by reference: collected), bit 1 mark; 32..63 magic
VMEXN_NEXT = 16           # VMExn*: free-list link
VMEXN_NSLOTS = 24         # u32 slots used, u32 slots allocated
VMEXN_PAYLOAD = 32        # u64[nslots]: the tag's parameters as slots (v128: two, low half first)

# --- imported function entry in vmctx ----------------------------------------------------------
VMIMPORT_CODE = 0
VMIMPORT_VMCTX = 8
VMIMPORT_SIZE = 16

# --- trap kinds (codes shared with C) ----------------------------------------------------------
TRAP_KINDS = [
    "none",                               # 0
    "unreachable",                        # 1
    "integer divide by zero",             # 2
    "integer overflow",                   # 3
    "invalid conversion to integer",      # 4
    "out of bounds memory access",        # 5
    "out of bounds table access",         # 6
    "indirect call type mismatch",        # 7
    "undefined element",                  # 8
    "uninitialized element",              # 9
    "call stack exhausted",               # 10
    "interrupted",                        # 11
    "out of fuel",                        # 12
    "host exception",                     # 13: a host function raised; Python re-raises it
    "null exception reference",           # 14: throw_ref of a null exnref
    "uncaught exception",                 # 15: not a trap: a Wasm exception left the call (WasmException)
    "null function reference",            # 16: call_ref of null
    "null reference",                     # 17: ref.as_non_null of null
    # Wasm GC (docs/gc.md)
    "null structure reference",           # 18: struct.get/set of null
    "null array reference",               # 19: array.* of null
    "null i31 reference",                 # 20: i31.get_* of null
    "out of bounds array access",         # 21
    "cast failure",                       # 22: ref.cast
    "GC heap exhausted",                  # 23: an allocation past jit.Limits.max_gc_heap_bytes
]
TRAP_CODE = {name: i for i, name in enumerate(TRAP_KINDS)}

# --- native helpers compiled code calls through the module's GOT (relocated at load) ------------
# Each is a C function with the SysV ABI; the comment gives its C signature.
HELPERS = [
    "wx_trap",            # 0: noreturn void wx_trap(void *vmctx, uint64_t kind)  (pc = return address)
    "wx_memory_grow",     # 1: uint64_t (void *vmctx, uint64_t delta_pages) -> old pages or 0xFFFFFFFF
    "wx_host_call",       # 2: void wx_host_call(void *vmctx, uint64_t import_index, uint64_t *slots)
    # Bulk memory and tables (native/bulk.c). They check bounds before any write and return 0 or
    # the trap code; compiled code traps with that code.
    "wx_memory_copy",     # 3: uint64_t (VMMemory *m, uint64_t dst, uint64_t src, uint64_t n)
    "wx_memory_fill",     # 4: uint64_t (VMMemory *m, uint64_t dst, uint64_t val, uint64_t n)
    "wx_memory_init",     # 5: uint64_t (VMMemory *m, VMDataSegment *seg, u64 dst, u64 src, u64 n)
    "wx_table_grow",      # 6: uint64_t (VMTable *t, uint64_t init, uint64_t delta) -> old size or 0xFFFFFFFF
    "wx_table_fill",      # 7: uint64_t (VMTable *t, uint64_t i, uint64_t val, uint64_t n)
    "wx_table_copy",      # 8: uint64_t (VMTable *dst, VMTable *src, uint64_t d, uint64_t s, uint64_t n)
    "wx_table_init",      # 9: uint64_t (VMTable *t, VMElemSegment *seg, uint64_t d, uint64_t s, uint64_t n)
    # Exception handling (native/unwind.c): they never return; the exception unwinds to a landing pad
    # (rax = the VMExn*) or, uncaught, to the innermost entry (rc "uncaught exception").
    "wx_throw",           # 10: noreturn (void *vmctx, VMTag *tag, uint64_t *payload)
    "wx_throw_ref",       # 11: noreturn (void *vmctx, VMExn *exn); traps on null
    # Any memory or table (multiple memories, memory64, table64): operands are full u64 values
    # (compiled code zero-extends i32 ones); grow returns UINT64_MAX on failure.
    "wx_memory_grow_at",  # (VMMemory *m, uint64_t delta_pages) -> old pages or UINT64_MAX
    "wx_memory_copy_at",  # uint64_t (VMMemory *dst_m, VMMemory *src_m, uint64_t d, uint64_t s, uint64_t n)
    "wx_memory_fill_at",  # uint64_t (VMMemory *m, uint64_t dst, uint64_t val, uint64_t n)
    "wx_memory_init_at",  # uint64_t (VMMemory *m, VMDataSegment *seg, u64 dst, u64 src, u64 n)
    "wx_table_grow_at",   # uint64_t (VMTable *t, uint64_t init, uint64_t delta) -> old size or UINT64_MAX
    "wx_table_fill_at",   # uint64_t (VMTable *t, uint64_t i, uint64_t val, uint64_t n)
    "wx_table_copy_at",   # uint64_t (VMTable *dst, VMTable *src, uint64_t d, uint64_t s, uint64_t n)
    "wx_table_init_at",   # uint64_t (VMTable *t, VMElemSegment *seg, uint64_t d, uint64_t s, uint64_t n)
    # Wasm GC (native/gc.c, docs/gc.md): uint64_t (void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots)
    # -> 0 or the trap code; the operands are in slots (a v128 takes two), a result goes to slots[0].
    "wx_gc_struct_new",
    "wx_gc_struct_new_default",
    "wx_gc_array_new",
    "wx_gc_array_new_default",
    "wx_gc_array_new_fixed",
    "wx_gc_array_new_data",
    "wx_gc_array_new_elem",
    "wx_gc_array_fill",
    "wx_gc_array_copy",
    "wx_gc_array_init_data",
    "wx_gc_array_init_elem",
    "wx_gc_type_sub",     # uint64_t (uint64_t cid, uint64_t super_cid) -> 1 if a subtype (never traps)
]
HELPER_ID = {name: i for i, name in enumerate(HELPERS)}

# Relocation kinds in CompiledModule.relocations: (code offset, kind, target)
RELOC_HELPER_ABS64 = 0    # write the absolute address of HELPERS[target] as u64 at offset


def _align(n: int, a: int) -> int:
    return (n + a - 1) & ~(a - 1)


@dataclass(frozen=True)
class VMContextLayout:
    """Offsets of the variable part of one module's vmctx, derived from its index-space counts."""

    num_imported_funcs: int
    num_funcs: int            # whole function index space (imported + defined)
    num_tables: int           # whole table index space
    num_globals: int          # whole global index space
    num_imported_globals: int
    num_types: int
    num_tags: int = 0         # whole tag index space (exception handling)
    num_memories: int = 0     # whole memory index space (imported + defined)

    @property
    def imported_funcs(self) -> int:        # VMIMPORT_SIZE each
        return VMCTX_HEADER_SIZE

    @property
    def tables(self) -> int:                # VMTable* each
        return self.imported_funcs + VMIMPORT_SIZE * self.num_imported_funcs

    @property
    def global_ptrs(self) -> int:           # u64* each, for every global (defined ones point inline)
        return self.tables + 8 * self.num_tables

    @property
    def type_ids(self) -> int:              # u64 each: canonical type id of each module type index
        return self.global_ptrs + 8 * self.num_globals

    @property
    def defined_globals(self) -> int:       # 16 bytes each (room for v128), 16-aligned
        return _align(self.type_ids + 8 * self.num_types, 16)

    @property
    def funcrefs(self) -> int:              # VMFuncRef for every function of the index space
        return self.defined_globals + 16 * (self.num_globals - self.num_imported_globals)

    @property
    def tags(self) -> int:                  # VMTag* for every tag of the index space
        return self.funcrefs + VMFUNCREF_SIZE * self.num_funcs

    @property
    def size(self) -> int:
        return _align(self.memory_descs + VMMEMDESC_SIZE * self.num_memories, 16)

    def tag(self, i: int) -> int:
        return self.tags + 8 * i

    @property
    def memory_descs(self) -> int:          # VMMemoryDesc for every memory of the index space
        return self.tags + 8 * self.num_tags

    def memory_desc(self, i: int) -> int:
        """Offset of the VMMemoryDesc of memory ``i`` (an index of the whole space)."""
        return self.memory_descs + VMMEMDESC_SIZE * i

    def imported_func(self, i: int) -> int:
        return self.imported_funcs + VMIMPORT_SIZE * i

    def table(self, i: int) -> int:
        return self.tables + 8 * i

    def global_ptr(self, i: int) -> int:
        return self.global_ptrs + 8 * i

    def defined_global(self, i: int) -> int:
        """Offset of the inline storage of global ``i`` (an index of the whole space, i >= imported)."""
        return self.defined_globals + 16 * (i - self.num_imported_globals)

    def type_id(self, typeidx: int) -> int:
        return self.type_ids + 8 * typeidx

    def funcref(self, funcidx: int) -> int:
        return self.funcrefs + VMFUNCREF_SIZE * funcidx

    @classmethod
    def for_module(cls, module) -> VMContextLayout:  # module: jit.wasm.Module
        return cls(
            num_imported_funcs=module.num_imported_funcs,
            num_funcs=module.num_imported_funcs + len(module.funcs),
            num_tables=module.num_imported_tables + len(module.tables),
            num_globals=module.num_imported_globals + len(module.globals),
            num_imported_globals=module.num_imported_globals,
            num_types=len(module.types),
            num_tags=module.num_imported_tags + len(module.tags),
            num_memories=module.num_imported_memories + len(module.memories),
        )


def c_header() -> str:
    """The text of native/vmctx.h."""
    out = [
        "/* GENERATED by `python -m jit.abi.vmctx > native/vmctx.h`; do not edit.",
        " * The vmctx layout and ABI constants shared by compiled code, Python and C. */",
        "#ifndef WXJIT_VMCTX_H",
        "#define WXJIT_VMCTX_H",
        "",
    ]
    mod = sys.modules[__name__]
    for name in sorted(vars(mod)):
        if name.startswith(("VMCTX_", "GROUP_", "VMMEMORY_", "VMTABLE_", "VMFUNCREF_", "VMIMPORT_", "RELOC_",
                            "VMDATASEG_", "VMELEMSEG_", "VMTAG_", "VMEXN_", "VMMEMDESC_")):
            out.append(f"#define WX_{name} {getattr(mod, name)}")
    out.append("")
    for i, kind in enumerate(TRAP_KINDS):
        out.append(f"#define WX_TRAP_{kind.upper().replace(' ', '_')} {i}")
    out.append(f"#define WX_TRAP_COUNT {len(TRAP_KINDS)}")
    out.append("")
    for i, name in enumerate(HELPERS):
        out.append(f"#define WX_HELPER_{name[3:].upper()} {i}")
    out.append(f"#define WX_HELPER_COUNT {len(HELPERS)}")
    out.append("/* X-macro over the helpers in id order: WX_HELPER_LIST(X) expands X(name) for each. */")
    out.append("#define WX_HELPER_LIST(X) " + " ".join(f"X({name})" for name in HELPERS))
    out += ["", "#endif", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(c_header())
