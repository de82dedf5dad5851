/* Wasm GC: type descriptors, per-instance accounting blocks, heap objects and the helpers compiled code
 * calls for allocation and the bulk array instructions (docs/gc.md).
 *
 * Guarantees:
 * - an object is one calloc'd block: the wx_gc_object header (jit/abi/gclayout.py) and its fields or
 *   elements; it is on the process-wide object list (under gc_mutex) from its allocation until
 *   wx_gc_sweep frees it; it never moves;
 * - every allocation is charged to the allocating instance's wx_gc_heap; one that would pass the
 *   block's limit calls wx_gc_on_pressure (the collector, when one is installed) once and then traps
 *   "GC heap exhausted" if it still does not fit; nothing is written before every check passed;
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

#define KIND_STRUCT 2
#define KIND_ARRAY 3
#define VM_U64(vmctx, off) (*(uint64_t *)((char *)(vmctx) + (off)))
#define FIELDS(o) ((char *)(o) + WX_GC_HEADER)

static pthread_mutex_t gc_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t types_mutex = PTHREAD_MUTEX_INITIALIZER;
static wx_gc_type **types;
static wx_gc_object *objects;      /* every live object, newest first */
static uint64_t object_count;

void (*wx_gc_on_pressure)(void *vmctx, uint64_t bytes, const uint64_t *roots, uint32_t nroots);

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
wx_gc_object *wx_gc_first_object(void) { return objects; }
uint64_t wx_gc_object_count(void) { return __atomic_load_n(&object_count, __ATOMIC_RELAXED); }

static inline uint64_t object_bytes(wx_gc_type *t, uint64_t length) {
    return WX_GC_HEADER + ((t->kind == KIND_ARRAY ? t->size * length : t->size) + 7) / 8 * 8;
}

/* A zeroed object of type t (length elements for an array) charged to the vmctx's heap, or NULL with
 * *rc set to the trap code. roots/nroots: the reference operands the caller still has to store (kept
 * alive by a collection the allocation may run). */
static wx_gc_object *gc_alloc_rooted(void *vmctx, wx_gc_type *t, uint64_t length, uint64_t *rc,
                                     const uint64_t *roots, uint32_t nroots) {
    wx_gc_heap *h = (wx_gc_heap *)VM_U64(vmctx, WX_VMCTX_GC_HEAP);
    if (!h || !t || length > 0xFFFFFFFFu) {
        *rc = WX_TRAP_GC_HEAP_EXHAUSTED;
        return NULL;
    }
    uint64_t bytes = object_bytes(t, length);
    if (__atomic_load_n(&h->used, __ATOMIC_RELAXED) + bytes > h->limit) {
        if (wx_gc_on_pressure) wx_gc_on_pressure(vmctx, bytes, roots, nroots);
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
    o->heap = h;
    __atomic_add_fetch(&h->used, bytes, __ATOMIC_RELAXED);
    __atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&gc_mutex);
    o->next = objects;
    objects = o;
    object_count++;
    pthread_mutex_unlock(&gc_mutex);
    return o;
}

static inline wx_gc_object *gc_alloc(void *vmctx, wx_gc_type *t, uint64_t length, uint64_t *rc) {
    return gc_alloc_rooted(vmctx, t, length, rc, NULL, 0);
}

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
    wx_gc_object **link = &objects;
    while (*link) {
        wx_gc_object *o = *link;
        if (o->flags & 1) {
            o->flags &= ~1u;
            link = &o->next;
        } else {
            *link = o->next;
            wx_gc_free(o);
            freed++;
        }
    }
    object_count -= freed;
    pthread_mutex_unlock(&gc_mutex);
    return freed;
}

static inline wx_gc_type *type_of(uint64_t cid) {
    return (types && cid < WX_GC_MAX_TYPES) ? __atomic_load_n(&types[cid], __ATOMIC_ACQUIRE) : NULL;
}

/* Store the value at slots (one slot, or two for 16 bytes) into n bytes at dst; returns slots used. */
static inline int put(char *dst, const uint64_t *slots, uint32_t n) {
    memcpy(dst, slots, n);
    return n == 16 ? 2 : 1;
}

/* The reference operands among n values at slots whose sizes are sizes[i] (or size for all, when sizes is
 * NULL), into a malloc'd array (NULL when there are none or on failure: then nothing is rooted). */
static uint64_t *ref_operands(const uint64_t *slots, uint32_t n, const uint8_t *sizes, uint32_t size,
                              const uint32_t *is_ref_offsets, wx_gc_type *t, uint32_t *count) {
    *count = 0;
    if (!t || !t->nrefs) return NULL;
    uint64_t *out = malloc(sizeof(uint64_t) * n);
    if (!out) return NULL;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz = sizes ? sizes[i] : size;
        int is_ref = t->kind == KIND_ARRAY;
        for (uint32_t j = 0; !is_ref && j < t->nrefs; j++) is_ref = is_ref_offsets[j] == t->offsets[i];
        if (is_ref && slots[k]) out[(*count)++] = slots[k];
        k += sz == 16 ? 2 : 1;
    }
    return out;
}

uint64_t wx_gc_struct_new(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    uint64_t rc = 0;
    wx_gc_type *t = type_of(cid);
    uint32_t nroots = 0;
    uint64_t *roots = t ? ref_operands(slots, t->nfields, t->sizes, 0, t->refs, t, &nroots) : NULL;
    wx_gc_object *o = gc_alloc_rooted(vmctx, t, 0, &rc, roots, nroots);
    free(roots);
    if (!o) return rc;
    int k = 0;
    for (uint32_t i = 0; i < t->nfields; i++) k += put(FIELDS(o) + t->offsets[i], slots + k, t->sizes[i]);
    slots[0] = (uint64_t)o;
    return 0;
}

uint64_t wx_gc_struct_new_default(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    uint64_t rc = 0;
    wx_gc_object *o = gc_alloc(vmctx, type_of(cid), 0, &rc);
    if (!o) return rc;
    slots[0] = (uint64_t)o;
    return 0;
}

static void fill(wx_gc_object *o, uint64_t at, uint64_t n, const uint64_t *value) {
    uint32_t size = o->desc->size;
    char *p = FIELDS(o) + at * size;
    for (uint64_t i = 0; i < n; i++, p += size) memcpy(p, value, size);
}

uint64_t wx_gc_array_new(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    if (!t) return WX_TRAP_GC_HEAP_EXHAUSTED;
    uint64_t value[2] = {slots[0], t->size == 16 ? slots[1] : 0};
    uint64_t length = slots[t->size == 16 ? 2 : 1] & 0xFFFFFFFFu;
    uint64_t rc = 0;
    int root = t->nrefs && value[0];
    wx_gc_object *o = gc_alloc_rooted(vmctx, t, length, &rc, value, root ? 1 : 0);
    if (!o) return rc;
    fill(o, 0, length, value);
    slots[0] = (uint64_t)o;
    return 0;
}

uint64_t wx_gc_array_new_default(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    uint64_t rc = 0;
    wx_gc_object *o = gc_alloc(vmctx, type_of(cid), slots[0] & 0xFFFFFFFFu, &rc);
    if (!o) return rc;
    slots[0] = (uint64_t)o;
    return 0;
}

uint64_t wx_gc_array_new_fixed(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    uint64_t rc = 0;
    uint32_t nroots = 0;
    uint64_t *roots = t ? ref_operands(slots, (uint32_t)imm, NULL, t->size, t->refs, t, &nroots) : NULL;
    wx_gc_object *o = gc_alloc_rooted(vmctx, t, imm, &rc, roots, nroots);
    free(roots);
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

uint64_t wx_gc_array_new_data(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    if (!t) return WX_TRAP_GC_HEAP_EXHAUSTED;
    wx_segment *seg = data_segment(vmctx, imm);
    uint64_t s = slots[0] & 0xFFFFFFFFu, n = slots[1] & 0xFFFFFFFFu;
    if (!in_bounds(s, n * t->size, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    uint64_t rc = 0;
    wx_gc_object *o = gc_alloc(vmctx, t, n, &rc);
    if (!o) return rc;
    memcpy(FIELDS(o), (const char *)seg->base + s, n * t->size);
    slots[0] = (uint64_t)o;
    return 0;
}

uint64_t wx_gc_array_new_elem(void *vmctx, uint64_t cid, uint64_t imm, uint64_t *slots) {
    wx_gc_type *t = type_of(cid);
    if (!t) return WX_TRAP_GC_HEAP_EXHAUSTED;
    wx_segment *seg = elem_segment(vmctx, imm);
    uint64_t s = slots[0] & 0xFFFFFFFFu, n = slots[1] & 0xFFFFFFFFu;
    if (!in_bounds(s, n, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    uint64_t rc = 0;
    wx_gc_object *o = gc_alloc(vmctx, t, n, &rc);
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
