/* Bulk memory and table helpers called from compiled code, and native table storage (bulk.c). */
#ifndef WXJIT_BULK_H
#define WXJIT_BULK_H
#include <stdint.h>

/* Field layouts are the vmctx.h offsets; these mirror them for C code (checked by static asserts). */
typedef struct wx_table {
    uint64_t *elements;
    uint64_t length;
    uint64_t max;
    uint64_t elemtype;
} wx_table;

typedef struct wx_segment {
    uint64_t base;     /* data: byte address; elem: uint64_t* items */
    uint64_t length;   /* bytes or elements; 0 once dropped */
} wx_segment;

wx_table *wx_table_new(uint64_t elemtype, uint64_t min, uint64_t max, uint64_t init);
void wx_table_free(wx_table *t);

uint64_t wx_memory_copy(void *mem, uint64_t dst, uint64_t src, uint64_t n);
uint64_t wx_memory_fill(void *mem, uint64_t dst, uint64_t val, uint64_t n);
uint64_t wx_memory_init(void *mem, wx_segment *seg, uint64_t dst, uint64_t src, uint64_t n);
uint64_t wx_table_grow(wx_table *t, uint64_t init, uint64_t delta);
uint64_t wx_table_fill(wx_table *t, uint64_t i, uint64_t val, uint64_t n);
uint64_t wx_table_copy(wx_table *dst, wx_table *src, uint64_t d, uint64_t s, uint64_t n);
uint64_t wx_table_init(wx_table *t, wx_segment *seg, uint64_t d, uint64_t s, uint64_t n);
/* The same for any memory or table (multiple memories, memory64, table64): 64-bit operands taken as
 * they are (compiled code zero-extends i32 ones); memory.copy between two memories. */
uint64_t wx_memory_copy_at(void *dst_mem, void *src_mem, uint64_t dst, uint64_t src, uint64_t n);
uint64_t wx_memory_fill_at(void *mem, uint64_t dst, uint64_t val, uint64_t n);
uint64_t wx_memory_init_at(void *mem, wx_segment *seg, uint64_t dst, uint64_t src, uint64_t n);
uint64_t wx_table_grow_at(wx_table *t, uint64_t init, uint64_t delta);
uint64_t wx_table_fill_at(wx_table *t, uint64_t i, uint64_t val, uint64_t n);
uint64_t wx_table_copy_at(wx_table *dst, wx_table *src, uint64_t d, uint64_t s, uint64_t n);
uint64_t wx_table_init_at(wx_table *t, wx_segment *seg, uint64_t d, uint64_t s, uint64_t n);
#endif
