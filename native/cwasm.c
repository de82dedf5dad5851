/* Bounds checks of the packed uint32 arrays of .cwasm metadata (see cwasm.h). */
#include "cwasm.h"

/* a[i] <= hi for every i. */
int64_t wx_u32_above(const uint32_t *a, size_t n, uint32_t hi) {
    for (size_t i = 0; i < n; i++)
        if (a[i] > hi) return (int64_t)i;
    return -1;
}

/* a is non-decreasing and a[i] <= hi. */
int64_t wx_u32_unsorted(const uint32_t *a, size_t n, uint32_t hi) {
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i] > hi || a[i] < prev) return (int64_t)i;
        prev = a[i];
    }
    return -1;
}

/* Function i spans offs[i] .. ends[i] of a code of `size` bytes: the first starts at 0, every start is
 * 16-aligned, start < end <= size, and each starts at the previous end aligned up to 16 (0 to 15 bytes
 * of padding between them). */
int64_t wx_func_ranges_check(const uint32_t *offs, const uint32_t *ends, size_t n, uint32_t size) {
    for (size_t i = 0; i < n; i++) {
        uint32_t start = offs[i], end = ends[i];
        if ((start & 15) || start >= end || end > size) return (int64_t)i;
        if (i == 0 ? start != 0 : (start < ends[i - 1] || start - ends[i - 1] >= 16)) return (int64_t)i;
    }
    return -1;
}

/* idx[i] < ntable and a[i] == table[idx[i]]. */
int64_t wx_u32_lookup_mismatch(const uint32_t *a, const uint32_t *idx, size_t n, const uint32_t *table,
                               size_t ntable) {
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= ntable || a[i] != table[idx[i]]) return (int64_t)i;
    return -1;
}

/* a[i] == start + i * step: the per-function rows of a vmctx recipe (one entry per funcref). */
int64_t wx_u32_progression(const uint32_t *a, size_t n, uint64_t start, uint64_t step) {
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)a[i] != start + (uint64_t)i * step) return (int64_t)i;
    return -1;
}

/* r (nr entries) is the sorted merge of the sorted s (ns entries) and the progression start + k * step
 * (k < count): the index in r of the first entry that differs, nr if r is too short or too long. */
int64_t wx_u32_merge_check(const uint32_t *r, size_t nr, const uint32_t *s, size_t ns, uint64_t start,
                           uint64_t step, size_t count) {
    size_t i = 0, k = 0;
    for (size_t j = 0; j < nr; j++) {
        uint64_t p = start + (uint64_t)k * step, want;
        if (i < ns && (k >= count || (uint64_t)s[i] <= p)) want = s[i++];
        else if (k < count) { want = p; k++; }
        else return (int64_t)j;
        if ((uint64_t)r[j] != want) return (int64_t)j;
    }
    return (i == ns && k == count) ? -1 : (int64_t)nr;
}
