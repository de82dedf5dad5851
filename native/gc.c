/* Wasm GC: type descriptors, per-instance accounting blocks, heap objects and the helpers compiled code
 * calls for allocation and the bulk array instructions (docs/gc.md).
 *
 * Guarantees:
 * - an object is one calloc'd block: the wx_gc_object header (jit/abi/gclayout.py) and its fields or
 *   elements; it is on the process-wide object list (pushed lock-free; wx_gc_sweep, under gc_mutex,
 *   detaches the list, frees the unmarked objects and splices the others back) from its allocation
 *   until wx_gc_sweep frees it; it never moves;
 * - every allocation is charged to the allocating instance's wx_gc_heap; one that would pass the
 *   block's limit calls wx_gc_on_pressure (the collector, when one is installed) once and then traps
 *   "GC heap exhausted" if it still does not fit; nothing is written before every check passed;
 * - allocation pressure collects too: once the bytes allocated process-wide since the last sweep pass
 *   max(32 MiB, the bytes that sweep kept), the next allocation from Wasm asks for a collection;
 *   exceptions caught by reference count as allocated bytes (wx_gc_charge, unwind.c): when they pass
 *   the trigger, the next throw site (wx_gc_collect_if_due) or GC allocation collects;
 * - helpers check null references and bounds before any write and return 0 or the trap code; the
 *   result of an allocation is written to slots[0];
 * - the descriptor table has a fixed address for the life of the process (VMCTX_GC_TYPES).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "gc.h"
#include "gcroots.h"
#include "runtime.h"
#include "vmctx.h"

#define WX_GC_MAX_TYPES (1u << 20)
#define WX_GC_HEADER 32

_Static_assert(sizeof(wx_gc_object) == WX_GC_HEADER, "GC object header");
_Static_assert(offsetof(wx_gc_object, desc) == 0, "OBJ_DESC");
_Static_assert(offsetof(wx_gc_object, length) == 8, "OBJ_LENGTH");
_Static_assert(offsetof(wx_gc_object, flags) == 12, "OBJ_FLAGS");
_Static_assert(offsetof(wx_gc_object, next) == 16, "OBJ_NEXT");
_Static_assert(offsetof(wx_gc_object, heap) == 24, "OBJ_HEAP");
_Static_assert(offsetof(wx_gc_type, cid) == 0, "DESC_CID");
_Static_assert(offsetof(wx_gc_type, kind) == 8, "DESC_KIND");
_Static_assert(offsetof(wx_gc_type, depth) == 12, "DESC_DEPTH");
_Static_assert(offsetof(wx_gc_type, display) == 16, "DESC_DISPLAY");
_Static_assert(offsetof(wx_gc_type, size) == 24, "DESC_SIZE");
_Static_assert(offsetof(wx_gc_type, final) == 28, "DESC_FINAL");
_Static_assert(offsetof(wx_gc_heap, used) == 0, "HEAP_USED");
_Static_assert(offsetof(wx_gc_heap, limit) == 8, "HEAP_LIMIT");

#define WX_GC_MAGIC 0x47430000u      /* flags bits 16..31 of every object: "GC" */
#define KIND_STRUCT 2
#define KIND_ARRAY 3
#define VM_U64(vmctx, off) (*(uint64_t *)((char *)(vmctx) + (off)))
#define FIELDS(o) ((char *)(o) + WX_GC_HEADER)

static pthread_mutex_t gc_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t types_mutex = PTHREAD_MUTEX_INITIALIZER;
static wx_gc_type **types;
static wx_gc_object *objects;      /* every live object, newest first */
static uint64_t object_count;
/* Allocation pressure: a collection is asked for once the bytes allocated since the last one pass
 * gc_trigger = max(GC_MIN_TRIGGER, bytes live after the last sweep), so the heap at most doubles
 * between collections instead of growing to its limit first. */
#define GC_MIN_TRIGGER ((uint64_t)32 << 20)
static uint64_t allocated_since_gc;
static uint64_t gc_trigger = GC_MIN_TRIGGER;
static int collect_due;              /* escaped exceptions passed the trigger: the next throw collects */
static uint64_t exn_kept_bytes;      /* escaped exceptions the last sweep kept (part of the live bytes) */

void (*wx_gc_on_pressure)(void *vmctx, uint64_t bytes, const uint64_t *roots, uint32_t nroots);

/* The collection a helper of compiled code asks for under pressure (native/gcroots.c): the helper's
 * return address and the Wasm caller's rbp make the exit record the frame walker starts from. The
 * operands the helper still holds are this thread's pending roots while it runs. */
static __thread const uint64_t *tls_pending;
static __thread uint32_t tls_npending;

void wx_gc_mark_pending(struct wx_gc_marks *m) {
    if (tls_npending) wx_gc_mark_words(m, tls_pending, tls_npending);
}

static void collect_from_wasm(uint64_t ra, uint64_t fp, const uint64_t *roots, uint32_t nroots) {
    if (!wx_pc_in_code(ra)) return;          /* called from the host (constant expressions): no frames */
    tls_pending = roots;
    tls_npending = nroots;
    wx_gc_collect_from_wasm(ra, fp);
    tls_pending = NULL;
    tls_npending = 0;
}

void wx_gc_charge(uint64_t bytes) {
    if (__atomic_add_fetch(&allocated_since_gc, bytes, __ATOMIC_RELAXED) > __atomic_load_n(&gc_trigger, __ATOMIC_RELAXED)) {
        __atomic_store_n(&allocated_since_gc, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&collect_due, 1, __ATOMIC_RELAXED);
    }
}

int wx_gc_take_due(void) { return __atomic_exchange_n(&collect_due, 0, __ATOMIC_RELAXED); }

void wx_gc_collect_if_due(uint64_t ra, uint64_t fp, const uint64_t *roots, uint32_t nroots) {
    if (__atomic_load_n(&collect_due, __ATOMIC_RELAXED) && wx_gc_take_due()) collect_from_wasm(ra, fp, roots, nroots);
}

void wx_gc_note_exn_kept(uint64_t bytes) { __atomic_store_n(&exn_kept_bytes, bytes, __ATOMIC_RELAXED); }

wx_gc_type **wx_gc_types_table(void) {
    pthread_mutex_lock(&types_mutex);
    if (!types) types = calloc(WX_GC_MAX_TYPES, sizeof *types);   /* lazily committed pages */
    pthread_mutex_unlock(&types_mutex);
    return types;
}

int wx_gc_register_type(uint64_t cid, uint32_t kind, uint32_t final, uint32_t depth, const uint64_t *display,
                        uint32_t nfields, const uint32_t *offsets, const uint8_t *sizes, const uint8_t *is_ref,
                        uint32_t size) {
    wx_gc_type **table = wx_gc_types_table();
    if (!table || cid == 0 || cid >= WX_GC_MAX_TYPES) return -1;
    if (__atomic_load_n(&table[cid], __ATOMIC_ACQUIRE)) return 0;
    wx_gc_type *t = calloc(1, sizeof *t);
    uint64_t *disp = malloc(sizeof(uint64_t) * (depth + 1));
    uint32_t *offs = malloc(sizeof(uint32_t) * (nfields + 1));
    uint8_t *sz = malloc(nfields + 1);
    uint32_t *refs = malloc(sizeof(uint32_t) * (nfields + 1));
    if (!t || !disp || !offs || !sz || !refs) {
        free(t); free(disp); free(offs); free(sz); free(refs);
        return -1;
    }
    memcpy(disp, display, sizeof(uint64_t) * (depth + 1));
    uint32_t nrefs = 0;
    for (uint32_t i = 0; i < nfields; i++) {
        offs[i] = offsets[i];
        sz[i] = sizes[i];
        if (is_ref[i]) refs[nrefs++] = offsets[i];
    }
    *t = (wx_gc_type){cid, kind, depth, disp, size, final, nfields, nrefs, offs, sz, refs};
    pthread_mutex_lock(&types_mutex);
    if (table[cid]) {               /* another thread registered it first */
        pthread_mutex_unlock(&types_mutex);
        free(t); free(disp); free(offs); free(sz); free(refs);
        return 0;
    }
    __atomic_store_n(&table[cid], t, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&types_mutex);
    return 0;
}

wx_gc_heap *wx_gc_heap_new(uint64_t limit) {
    wx_gc_heap *h = calloc(1, sizeof *h);
    if (h) {
        h->limit = limit;
        h->refs = 1;
    }
    return h;
}

void wx_gc_heap_release(wx_gc_heap *h) {
    if (h && __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0) free(h);
}

void wx_gc_lock(void) { pthread_mutex_lock(&gc_mutex); }
void wx_gc_unlock(void) { pthread_mutex_unlock(&gc_mutex); }
wx_gc_object *wx_gc_first_object(void) { return __atomic_load_n(&objects, __ATOMIC_ACQUIRE); }
uint64_t wx_gc_object_count(void) { return __atomic_load_n(&object_count, __ATOMIC_RELAXED); }

static inline uint64_t object_bytes(wx_gc_type *t, uint64_t length) {
    return WX_GC_HEADER + ((t->kind == KIND_ARRAY ? t->size * length : t->size) + 7) / 8 * 8;
}

/* The reference operands an allocation helper still has to store while it allocates: the collector
 * must keep them if the allocation collects. Gathered only then (the fast path never looks). */
typedef struct pending {
    const uint64_t *slots;
    uint32_t n;          /* values at slots (struct: its fields; array: n elements of the type's size) */
    uint8_t fields;      /* 1: the values are the struct's fields (sizes per field) */
    uint64_t ra, fp;     /* the helper's return address into Wasm and the Wasm caller's rbp */
} pending;

/* The reference words among the pending operands, in a malloc'd array (NULL if none or no memory). */
static uint64_t *gather_roots(wx_gc_type *t, const pending *p, uint32_t *count) {
    *count = 0;
    if (!p || !p->n || !t->nrefs) return NULL;
    uint64_t *out = malloc(sizeof(uint64_t) * p->n);
    if (!out) return NULL;
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        uint32_t size = p->fields ? t->sizes[i] : t->size;
        int is_ref = t->kind == KIND_ARRAY;
        for (uint32_t j = 0; !is_ref && j < t->nrefs; j++) is_ref = t->refs[j] == t->offsets[i];
        if (is_ref && p->slots[k]) out[(*count)++] = p->slots[k];
        k += size == 16 ? 2 : 1;
    }
    return out;
}

static void push_object(wx_gc_object *o) {
    wx_gc_object *head = __atomic_load_n(&objects, __ATOMIC_RELAXED);
    do {
        o->next = head;
    } while (!__atomic_compare_exchange_n(&objects, &head, o, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    __atomic_add_fetch(&object_count, 1, __ATOMIC_RELAXED);
}

/* A zeroed object of type t (length elements for an array) charged to the vmctx's heap, or NULL with
 * *rc set to the trap code. ops: the reference operands the caller still has to store (or NULL). */
static wx_gc_object *gc_alloc_ops(void *vmctx, wx_gc_type *t, uint64_t length, uint64_t *rc, const pending *ops) {
    wx_gc_heap *h = (wx_gc_heap *)VM_U64(vmctx, WX_VMCTX_GC_HEAP);
    if (!h || !t || length > 0xFFFFFFFFu) {
        *rc = WX_TRAP_GC_HEAP_EXHAUSTED;
        return NULL;
    }
    uint64_t bytes = object_bytes(t, length);
    int pressure = __atomic_add_fetch(&allocated_since_gc, bytes, __ATOMIC_RELAXED)
                   > __atomic_load_n(&gc_trigger, __ATOMIC_RELAXED);
    if (pressure)          /* one attempt per trigger's worth of bytes, also when it is deferred */
        __atomic_store_n(&allocated_since_gc, 0, __ATOMIC_RELAXED);
    if (pressure || __atomic_load_n(&h->used, __ATOMIC_RELAXED) + bytes > h->limit) {
        if (ops && ops->ra) {
            uint32_t nroots = 0;
            uint64_t *roots = gather_roots(t, ops, &nroots);
            if (wx_gc_on_pressure) wx_gc_on_pressure(vmctx, bytes, roots, nroots);
            else collect_from_wasm(ops->ra, ops->fp, roots, nroots);
            free(roots);
        }
        if (__atomic_load_n(&h->used, __ATOMIC_RELAXED) + bytes > h->limit) {
            *rc = WX_TRAP_GC_HEAP_EXHAUSTED;
            return NULL;
        }
    }
    wx_gc_object *o = calloc(1, bytes);
    if (!o) {
        *rc = WX_TRAP_GC_HEAP_EXHAUSTED;
        return NULL;
    }
    o->desc = t;
    o->length = (uint32_t)length;
    o->flags = WX_GC_MAGIC;
    o->heap = h;
    __atomic_add_fetch(&h->used, bytes, __ATOMIC_RELAXED);
    __atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
    push_object(o);
    return o;
}

/* In a helper called by compiled code (built with a frame pointer): its return address and the caller's
 * rbp, for the frame walker of a collection. */
#define WASM_SITE (uint64_t)__builtin_return_address(0), *(uint64_t *)__builtin_frame_address(0)
#define HELPER __attribute__((optimize("no-omit-frame-pointer"), noinline))

void wx_gc_free(wx_gc_object *o) {
    wx_gc_heap *h = o->heap;
    __atomic_sub_fetch(&h->used, object_bytes(o->desc, o->length), __ATOMIC_RELAXED);
    free(o);
    wx_gc_heap_release(h);
}

void wx_gc_trace(wx_gc_object *o, void (*visit)(uint64_t *slot, void *ctx), void *ctx) {
    wx_gc_type *t = o->desc;
    if (!t->nrefs) return;
    if (t->kind == KIND_ARRAY) {
        uint64_t *e = (uint64_t *)FIELDS(o);
        for (uint32_t i = 0; i < o->length; i++) visit(&e[i], ctx);
        return;
    }
    for (uint32_t i = 0; i < t->nrefs; i++) visit((uint64_t *)(FIELDS(o) + t->refs[i]), ctx);
}

uint64_t wx_gc_sweep(void) {
    uint64_t freed = 0;
    pthread_mutex_lock(&gc_mutex);
    /* Allocations push concurrently (CAS on the head): take the whole list, sweep it alone, then put
     * the survivors back in front of whatever was pushed meanwhile. */
    wx_gc_object *list = __atomic_exchange_n(&objects, NULL, __ATOMIC_ACQUIRE);
    wx_gc_object *head = NULL, *tail = NULL;
    uint64_t live = 0;
    while (list) {
        wx_gc_object *o = list;
        list = o->next;
        if (o->flags & 1) {
            live += object_bytes(o->desc, o->length);
            o->flags &= ~1u;
            o->next = NULL;
            if (tail) tail->next = o; else head = o;
            tail = o;
        } else {
            wx_gc_free(o);
            freed++;
        }
    }
    if (head) {
        wx_gc_object *cur = __atomic_load_n(&objects, __ATOMIC_RELAXED);
        do {
            tail->next = cur;
        } while (!__atomic_compare_exchange_n(&objects, &cur, head, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    }
    __atomic_sub_fetch(&object_count, freed, __ATOMIC_RELAXED);
    live += __atomic_load_n(&exn_kept_bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&gc_trigger, live > GC_MIN_TRIGGER ? live : GC_MIN_TRIGGER, __ATOMIC_RELAXED);
    __atomic_store_n(&allocated_since_gc, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&collect_due, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&gc_mutex);
    return freed;
}

static inline wx_gc_type *type_of(uint64_t cid) {
    return (types && cid < WX_GC_MAX_TYPES) ? __atomic_load_n(&types[cid], __ATOMIC_ACQUIRE) : NULL;
}

/* Store the value at slots (one slot, or two for 16 bytes) into n bytes at dst; returns slots used. */
static inline int put(char *dst, const uint64_t *slots, uint32_t n) {
    switch (n) {
    case 8: memcpy(dst, slots, 8); return 1;
    case 4: memcpy(dst, slots, 4); return 1;
    case 2: memcpy(dst, slots, 2); return 1;
    case 1: *dst = (char)slots[0]; return 1;
    default: memcpy(dst, slots, 16); return 2;
    }
}

HELPER uint64_t wx_gc_struct_new(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    uint64_t rc = 0;
    wx_gc_type *t = type_of(cid);
    pending ops = {slots, t ? t->nfields : 0, 1, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, t, 0, &rc, &ops);
    if (!o) return rc;
    int k = 0;
    for (uint32_t i = 0; i < t->nfields; i++) k += put(FIELDS(o) + t->offsets[i], slots + k, t->sizes[i]);
    slots[0] = (uint64_t)o;
    return 0;
}

HELPER uint64_t wx_gc_struct_new_default(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    uint64_t rc = 0;
    pending ops = {NULL, 0, 0, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, type_of(cid), 0, &rc, &ops);
    if (!o) return rc;
    slots[0] = (uint64_t)o;
    return 0;
}

static void fill(wx_gc_object *o, uint64_t at, uint64_t n, const uint64_t *value) {
    uint32_t size = o->desc->size;
    char *p = FIELDS(o) + at * size;
    for (uint64_t i = 0; i < n; i++, p += size) memcpy(p, value, size);
}

HELPER uint64_t wx_gc_array_new(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    if (!t) return WX_TRAP_GC_HEAP_EXHAUSTED;
    uint64_t value[2] = {slots[0], t->size == 16 ? slots[1] : 0};
    uint64_t length = slots[t->size == 16 ? 2 : 1] & 0xFFFFFFFFu;
    uint64_t rc = 0;
    pending ops = {value, 1, 0, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, t, length, &rc, &ops);
    if (!o) return rc;
    fill(o, 0, length, value);
    slots[0] = (uint64_t)o;
    return 0;
}

HELPER uint64_t wx_gc_array_new_default(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    uint64_t rc = 0;
    pending ops = {NULL, 0, 0, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, type_of(cid), slots[0] & 0xFFFFFFFFu, &rc, &ops);
    if (!o) return rc;
    slots[0] = (uint64_t)o;
    return 0;
}

HELPER uint64_t wx_gc_array_new_fixed(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    uint64_t rc = 0;
    pending ops = {slots, (uint32_t)imm, 0, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, t, imm, &rc, &ops);
    if (!o) return rc;
    int k = 0;
    for (uint64_t i = 0; i < imm; i++) k += put(FIELDS(o) + i * t->size, slots + k, t->size);
    slots[0] = (uint64_t)o;
    return 0;
}

static inline int in_bounds(uint64_t start, uint64_t n, uint64_t limit) {
    return start <= limit && n <= limit - start;
}

static inline wx_segment *data_segment(void *vmctx, uint64_t i) {
    return (wx_segment *)VM_U64(vmctx, WX_VMCTX_DATAS) + i;
}

static inline wx_segment *elem_segment(void *vmctx, uint64_t i) {
    return (wx_segment *)VM_U64(vmctx, WX_VMCTX_ELEMS) + i;
}

HELPER uint64_t wx_gc_array_new_data(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    if (!t) return WX_TRAP_GC_HEAP_EXHAUSTED;
    wx_segment *seg = data_segment(vmctx, imm);
    uint64_t s = slots[0] & 0xFFFFFFFFu, n = slots[1] & 0xFFFFFFFFu;
    if (!in_bounds(s, n * t->size, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    uint64_t rc = 0;
    pending ops = {NULL, 0, 0, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, t, n, &rc, &ops);
    if (!o) return rc;
    memcpy(FIELDS(o), (const char *)seg->base + s, n * t->size);
    slots[0] = (uint64_t)o;
    return 0;
}

HELPER uint64_t wx_gc_array_new_elem(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    if (!t) return WX_TRAP_GC_HEAP_EXHAUSTED;
    wx_segment *seg = elem_segment(vmctx, imm);
    uint64_t s = slots[0] & 0xFFFFFFFFu, n = slots[1] & 0xFFFFFFFFu;
    if (!in_bounds(s, n, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    uint64_t rc = 0;
    pending ops = {NULL, 0, 0, WASM_SITE};
    wx_gc_object *o = gc_alloc_ops(vmctx, t, n, &rc, &ops);
    if (!o) return rc;
    memcpy(FIELDS(o), (const uint64_t *)seg->base + s, n * 8);
    slots[0] = (uint64_t)o;
    return 0;
}

/* slots: array, index, value (1 or 2 slots), count */
uint64_t wx_gc_array_fill(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_object *o = (wx_gc_object *)slots[0];
    if (!o) return WX_TRAP_NULL_ARRAY_REFERENCE;
    uint64_t i = slots[1] & 0xFFFFFFFFu;
    uint64_t value[2] = {slots[2], o->desc->size == 16 ? slots[3] : 0};
    uint64_t n = slots[o->desc->size == 16 ? 4 : 3] & 0xFFFFFFFFu;
    if (!in_bounds(i, n, o->length)) return WX_TRAP_OUT_OF_BOUNDS_ARRAY_ACCESS;
    fill(o, i, n, value);
    return 0;
}

/* slots: dst array, dst index, src array, src index, count */
uint64_t wx_gc_array_copy(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_object *d = (wx_gc_object *)slots[0], *s = (wx_gc_object *)slots[2];
    if (!d || !s) return WX_TRAP_NULL_ARRAY_REFERENCE;
    uint64_t di = slots[1] & 0xFFFFFFFFu, si = slots[3] & 0xFFFFFFFFu, n = slots[4] & 0xFFFFFFFFu;
    if (!in_bounds(di, n, d->length) || !in_bounds(si, n, s->length)) return WX_TRAP_OUT_OF_BOUNDS_ARRAY_ACCESS;
    uint32_t size = d->desc->size;
    memmove(FIELDS(d) + di * size, FIELDS(s) + si * size, n * size);
    return 0;
}

/* slots: array, array index, segment offset, count */
uint64_t wx_gc_array_init_data(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_object *o = (wx_gc_object *)slots[0];
    if (!o) return WX_TRAP_NULL_ARRAY_REFERENCE;
    uint64_t d = slots[1] & 0xFFFFFFFFu, s = slots[2] & 0xFFFFFFFFu, n = slots[3] & 0xFFFFFFFFu;
    uint32_t size = o->desc->size;
    if (!in_bounds(d, n, o->length)) return WX_TRAP_OUT_OF_BOUNDS_ARRAY_ACCESS;
    wx_segment *seg = data_segment(vmctx, imm);
    if (!in_bounds(s, n * size, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    memcpy(FIELDS(o) + d * size, (const char *)seg->base + s, n * size);
    return 0;
}

uint64_t wx_gc_array_init_elem(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_object *o = (wx_gc_object *)slots[0];
    if (!o) return WX_TRAP_NULL_ARRAY_REFERENCE;
    uint64_t d = slots[1] & 0xFFFFFFFFu, s = slots[2] & 0xFFFFFFFFu, n = slots[3] & 0xFFFFFFFFu;
    if (!in_bounds(d, n, o->length)) return WX_TRAP_OUT_OF_BOUNDS_ARRAY_ACCESS;
    wx_segment *seg = elem_segment(vmctx, imm);
    if (!in_bounds(s, n, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    memcpy(FIELDS(o) + d * 8, (const uint64_t *)seg->base + s, n * 8);
    return 0;
}

uint64_t wx_gc_type_sub(uint64_t cid, uint64_t super_cid) {
    if (cid == super_cid) return 1;
    wx_gc_type *t = type_of(cid), *s = type_of(super_cid);
    if (!t || !s || t->depth < s->depth) return 0;
    return t->display[s->depth] == super_cid;
}

/* ---------------------------------------------------------------------------------------------- */
/* the heap's operations for the collector (native/gcroots.c, wx_gc_set_heap_ops)                  */

/* Whether word w is an object of this heap: 8-aligned, its flags carry the magic and its descriptor is
 * the registered one of its id (a funcref or another pointer that reached a traced slot is refused). */
static int is_object(uint64_t w) {
    if (!w || (w & 7)) return 0;
    wx_gc_object *o = (wx_gc_object *)w;
    if ((o->flags & 0xFFFF0000u) != WX_GC_MAGIC) return 0;
    wx_gc_type *t = o->desc;
    return t && type_of(t->cid) == t;
}

static int ops_mark(uint64_t w) {
    if (!is_object(w)) return 0;
    wx_gc_object *o = (wx_gc_object *)w;
    if (o->flags & 1) return 0;
    o->flags |= 1;
    return 1;
}

static void ops_each_ref(uint64_t w, void (*visit)(uint64_t word, void *ctx), void *ctx) {
    wx_gc_object *o = (wx_gc_object *)w;
    wx_gc_type *t = o->desc;
    if (!t->nrefs) return;
    if (t->kind == KIND_ARRAY) {
        const uint64_t *e = (const uint64_t *)FIELDS(o);
        for (uint32_t i = 0; i < o->length; i++) visit(e[i], ctx);
        return;
    }
    for (uint32_t i = 0; i < t->nrefs; i++) visit(*(const uint64_t *)(FIELDS(o) + t->refs[i]), ctx);
}

static void ops_sweep(void) { wx_gc_sweep(); }

static const wx_gc_heap_ops heap_ops = {ops_mark, ops_each_ref, ops_sweep};

__attribute__((constructor)) static void install_heap_ops(void) { wx_gc_set_heap_ops(&heap_ops); }
