/* Bulk memory (memory.copy/fill/init) and table helpers (table.grow/fill/copy/init) called from
 * compiled code, plus the native storage of tables.
 *
 * Every helper checks its bounds before writing anything (the spec traps before any write) and
 * returns 0 or the trap code; compiled code raises the trap. A fault inside these helpers would be a
 * real crash (only compiled-code PCs are traps), so they never touch memory outside the bounds. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "vmctx.h"

_Static_assert(offsetof(wx_table, elements) == WX_VMTABLE_ELEMENTS, "VMTable.elements");
_Static_assert(offsetof(wx_table, length) == WX_VMTABLE_LENGTH, "VMTable.length");
_Static_assert(offsetof(wx_table, max) == WX_VMTABLE_MAX, "VMTable.max");
_Static_assert(offsetof(wx_table, elemtype) == WX_VMTABLE_ELEMTYPE, "VMTable.elemtype");
_Static_assert(sizeof(wx_table) == WX_VMTABLE_SIZE, "VMTable size");
_Static_assert(offsetof(wx_segment, base) == WX_VMDATASEG_BASE, "VMDataSegment.base");
_Static_assert(offsetof(wx_segment, length) == WX_VMDATASEG_LENGTH, "VMDataSegment.length");
_Static_assert(offsetof(wx_segment, base) == WX_VMELEMSEG_ITEMS, "VMElemSegment.items");
_Static_assert(offsetof(wx_segment, length) == WX_VMELEMSEG_LENGTH, "VMElemSegment.length");

#define MEM_BASE(m) (*(uint64_t *)((char *)(m) + WX_VMMEMORY_BASE))
#define MEM_LENGTH(m) (*(uint64_t *)((char *)(m) + WX_VMMEMORY_LENGTH))

/* [start, start + n) within [0, limit)? (all u64; no overflow) */
static inline int in_bounds(uint64_t start, uint64_t n, uint64_t limit) {
    return start <= limit && n <= limit - start;
}

uint64_t wx_memory_copy(void *mem, uint64_t dst, uint64_t src, uint64_t n) {
    uint64_t len = MEM_LENGTH(mem);
    dst &= 0xFFFFFFFFu; src &= 0xFFFFFFFFu; n &= 0xFFFFFFFFu;
    if (!in_bounds(dst, n, len) || !in_bounds(src, n, len)) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    char *base = (char *)MEM_BASE(mem);
    memmove(base + dst, base + src, n);
    return 0;
}

uint64_t wx_memory_fill(void *mem, uint64_t dst, uint64_t val, uint64_t n) {
    uint64_t len = MEM_LENGTH(mem);
    dst &= 0xFFFFFFFFu; n &= 0xFFFFFFFFu;
    if (!in_bounds(dst, n, len)) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    memset((char *)MEM_BASE(mem) + dst, (int)(val & 0xFF), n);
    return 0;
}

uint64_t wx_memory_init(void *mem, wx_segment *seg, uint64_t dst, uint64_t src, uint64_t n) {
    uint64_t len = MEM_LENGTH(mem);
    dst &= 0xFFFFFFFFu; src &= 0xFFFFFFFFu; n &= 0xFFFFFFFFu;
    if (!in_bounds(dst, n, len) || !in_bounds(src, n, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    memcpy((char *)MEM_BASE(mem) + dst, (const char *)seg->base + src, n);
    return 0;
}

wx_table *wx_table_new(uint64_t elemtype, uint64_t min, uint64_t max, uint64_t init) {
    wx_table *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->elements = calloc(min ? min : 1, sizeof(uint64_t));
    if (t->elements == NULL) { free(t); return NULL; }
    for (uint64_t i = 0; i < min; i++) t->elements[i] = init;
    t->length = min;
    t->max = max;
    t->elemtype = elemtype;
    return t;
}

void wx_table_free(wx_table *t) {
    if (t == NULL) return;
    free(t->elements);
    free(t);
}

uint64_t wx_table_grow(wx_table *t, uint64_t init, uint64_t delta) {
    uint64_t old = t->length;
    delta &= 0xFFFFFFFFu;
    if (delta == 0) return old;
    if (delta > t->max - old || old + delta > 0xFFFFFFFFu) return 0xFFFFFFFFu;
    uint64_t *grown = realloc(t->elements, (old + delta) * sizeof(uint64_t));
    if (grown == NULL) return 0xFFFFFFFFu;
    for (uint64_t i = old; i < old + delta; i++) grown[i] = init;
    t->elements = grown;
    t->length = old + delta;
    return old;
}

uint64_t wx_table_fill(wx_table *t, uint64_t i, uint64_t val, uint64_t n) {
    i &= 0xFFFFFFFFu; n &= 0xFFFFFFFFu;
    if (!in_bounds(i, n, t->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    for (uint64_t k = 0; k < n; k++) t->elements[i + k] = val;
    return 0;
}

uint64_t wx_table_copy(wx_table *dst, wx_table *src, uint64_t d, uint64_t s, uint64_t n) {
    d &= 0xFFFFFFFFu; s &= 0xFFFFFFFFu; n &= 0xFFFFFFFFu;
    if (!in_bounds(d, n, dst->length) || !in_bounds(s, n, src->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    memmove(dst->elements + d, src->elements + s, n * sizeof(uint64_t));
    return 0;
}

uint64_t wx_table_init(wx_table *t, wx_segment *seg, uint64_t d, uint64_t s, uint64_t n) {
    d &= 0xFFFFFFFFu; s &= 0xFFFFFFFFu; n &= 0xFFFFFFFFu;
    if (!in_bounds(d, n, t->length) || !in_bounds(s, n, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    memcpy(t->elements + d, (const uint64_t *)seg->base + s, n * sizeof(uint64_t));
    return 0;
}

/* Any memory or table: multiple memories, memory64, table64. The operands are full u64 values
 * (compiled code and the instantiation code zero-extend 32-bit ones), so 64-bit addresses, lengths
 * and indices are checked as they are; in_bounds never overflows. */

uint64_t wx_memory_copy_at(void *dst_mem, void *src_mem, uint64_t dst, uint64_t src, uint64_t n) {
    if (!in_bounds(dst, n, MEM_LENGTH(dst_mem)) || !in_bounds(src, n, MEM_LENGTH(src_mem)))
        return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    memmove((char *)MEM_BASE(dst_mem) + dst, (const char *)MEM_BASE(src_mem) + src, n);
    return 0;
}

uint64_t wx_memory_fill_at(void *mem, uint64_t dst, uint64_t val, uint64_t n) {
    if (!in_bounds(dst, n, MEM_LENGTH(mem))) return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    memset((char *)MEM_BASE(mem) + dst, (int)(val & 0xFF), n);
    return 0;
}

uint64_t wx_memory_init_at(void *mem, wx_segment *seg, uint64_t dst, uint64_t src, uint64_t n) {
    if (!in_bounds(dst, n, MEM_LENGTH(mem)) || !in_bounds(src, n, seg->length))
        return WX_TRAP_OUT_OF_BOUNDS_MEMORY_ACCESS;
    memcpy((char *)MEM_BASE(mem) + dst, (const char *)seg->base + src, n);
    return 0;
}

/* table.grow of a 64-bit table: the old length, or UINT64_MAX when it cannot grow (the length stays
 * below 2^32 here as for 32-bit tables, and within t->max). */
uint64_t wx_table_grow_at(wx_table *t, uint64_t init, uint64_t delta) {
    uint64_t old = t->length;
    if (delta == 0) return old;
    if (delta > t->max - old || delta > 0xFFFFFFFFu - old) return UINT64_MAX;
    uint64_t *grown = realloc(t->elements, (old + delta) * sizeof(uint64_t));
    if (grown == NULL) return UINT64_MAX;
    for (uint64_t i = old; i < old + delta; i++) grown[i] = init;
    t->elements = grown;
    t->length = old + delta;
    return old;
}

uint64_t wx_table_fill_at(wx_table *t, uint64_t i, uint64_t val, uint64_t n) {
    if (!in_bounds(i, n, t->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    for (uint64_t k = 0; k < n; k++) t->elements[i + k] = val;
    return 0;
}

uint64_t wx_table_copy_at(wx_table *dst, wx_table *src, uint64_t d, uint64_t s, uint64_t n) {
    if (!in_bounds(d, n, dst->length) || !in_bounds(s, n, src->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    memmove(dst->elements + d, src->elements + s, n * sizeof(uint64_t));
    return 0;
}

uint64_t wx_table_init_at(wx_table *t, wx_segment *seg, uint64_t d, uint64_t s, uint64_t n) {
    if (!in_bounds(d, n, t->length) || !in_bounds(s, n, seg->length)) return WX_TRAP_OUT_OF_BOUNDS_TABLE_ACCESS;
    memcpy(t->elements + d, (const uint64_t *)seg->base + s, n * sizeof(uint64_t));
    return 0;
}
