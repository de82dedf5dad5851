/* cwasm (native/cwasm.c): bounds checks of the packed uint32 arrays of a .cwasm file's metadata, at
 * memory speed (jit/runtime/serialize.py). Each returns the index of the first element that breaks
 * its rule, or -1 when every element keeps it. */
#ifndef WX_CWASM_H
#define WX_CWASM_H
#include <stddef.h>
#include <stdint.h>

int64_t wx_u32_above(const uint32_t *a, size_t n, uint32_t hi);
int64_t wx_u32_unsorted(const uint32_t *a, size_t n, uint32_t hi);
int64_t wx_func_ranges_check(const uint32_t *offs, const uint32_t *ends, size_t n, uint32_t size);
int64_t wx_u32_lookup_mismatch(const uint32_t *a, const uint32_t *idx, size_t n, const uint32_t *table,
                               size_t ntable);
int64_t wx_u32_progression(const uint32_t *a, size_t n, uint64_t start, uint64_t step);
int64_t wx_u32_merge_check(const uint32_t *r, size_t nr, const uint32_t *s, size_t ns, uint64_t start,
                           uint64_t step, size_t count);
int64_t wx_eh_table_check(const uint32_t *w, size_t nw, uint32_t code_size, const uint32_t *offs,
                          const uint32_t *ends, size_t n_funcs, uint64_t tags_lo, uint64_t tags_hi);
int64_t wx_image_funcrefs_check(const uint8_t *image, const uint8_t *stub, size_t n, size_t first_word,
                                size_t stride_words, const uint32_t *vals, size_t count);
#endif
