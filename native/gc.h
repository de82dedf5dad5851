/* Wasm GC heap objects, type descriptors and the allocation helpers compiled code calls (gc.c).
 * The layouts are jit/abi/gclayout.py's (static asserts in gc.c); docs/gc.md describes them. */
#ifndef WXJIT_GC_H
#define WXJIT_GC_H
#include <stdint.h>

typedef struct wx_gc_type {
    uint64_t cid;          /* canonical type id */
    uint32_t kind;         /* 1 func, 2 struct, 3 array */
    uint32_t depth;        /* supertype chain length */
    uint64_t *display;     /* display[0..depth]: canonical ids of the chain, root first, self last */
    uint32_t size;         /* struct: bytes of the fields; array: bytes of one element */
    uint32_t final;
    uint32_t nfields;      /* struct: field count; array: 1 (the element) */
    uint32_t nrefs;        /* fields that hold references (array: 1 if its elements do) */
    uint32_t *offsets;     /* per field: byte offset from the start of the fields */
    uint8_t *sizes;        /* per field: bytes */
    uint32_t *refs;        /* offsets of the reference fields (struct) */
} wx_gc_type;

typedef struct wx_gc_heap {
    uint64_t used;         /* bytes of live objects charged here */
    uint64_t limit;        /* an allocation past it traps "GC heap exhausted" */
    uint64_t refs;         /* the instance + every object charged here */
} wx_gc_heap;

typedef struct wx_gc_object {
    wx_gc_type *desc;
    uint32_t length;       /* array elements (0 for a struct) */
    uint32_t flags;        /* bit 0: mark */
    struct wx_gc_object *next;   /* the process-wide list of all objects */
    wx_gc_heap *heap;
} wx_gc_object;

wx_gc_type **wx_gc_types_table(void);
int wx_gc_register_type(uint64_t cid, uint32_t kind, uint32_t final, uint32_t depth, const uint64_t *display,
                        uint32_t nfields, const uint32_t *offsets, const uint8_t *sizes, const uint8_t *is_ref,
                        uint32_t size);
wx_gc_heap *wx_gc_heap_new(uint64_t limit);
void wx_gc_heap_release(wx_gc_heap *h);
/* The collector's hook, called by an allocation that does not fit its heap block's limit (a safepoint:
 * the caller's frame has its stack map). roots[0..nroots) are the reference operands of the allocation
 * being made (held only by the helper while it runs): the collector must keep them. */
extern void (*wx_gc_on_pressure)(void *vmctx, uint64_t bytes, const uint64_t *roots, uint32_t nroots);
/* Escaped exceptions (unwind.c) count as allocated bytes; past the trigger a collection is due, run
 * by the next throw site (wx_gc_collect_if_due: ra/fp the throw's return address and Wasm rbp, roots
 * the exception being thrown) or GC allocation. wx_gc_take_due: whether one was due (and clears it).
 * wx_gc_note_exn_kept: the bytes of escaped exceptions the sweep kept, part of the next trigger. */
void wx_gc_charge(uint64_t bytes);
int wx_gc_take_due(void);
void wx_gc_collect_if_due(uint64_t ra, uint64_t fp, const uint64_t *roots, uint32_t nroots);
void wx_gc_note_exn_kept(uint64_t bytes);
void wx_gc_trace(wx_gc_object *o, void (*visit)(uint64_t *slot, void *ctx), void *ctx);
void wx_gc_free(wx_gc_object *o);
uint64_t wx_gc_sweep(void);
uint64_t wx_gc_object_count(void);
void wx_gc_lock(void);
void wx_gc_unlock(void);
wx_gc_object *wx_gc_first_object(void);

uint64_t wx_gc_struct_new(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_struct_new_default(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_new(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_new_default(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_new_fixed(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_new_data(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_new_elem(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_fill(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_copy(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_init_data(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_array_init_elem(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots);
uint64_t wx_gc_type_sub(uint64_t cid, uint64_t super_cid);
/* Marks (native/gcroots.c) the reference operands of the allocation this thread is making while it
 * collects (none outside an allocation). */
struct wx_gc_marks;
void wx_gc_mark_pending(struct wx_gc_marks *m);
#endif
