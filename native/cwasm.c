/* Bounds checks of the packed uint32 arrays of .cwasm metadata (see cwasm.h). */
#include "cwasm.h"
#include <string.h>

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

/* The function of `offs`/`ends` (n sorted functions) whose code contains [lo, hi]: its index, or -1. */
static int64_t func_containing(const uint32_t *offs, const uint32_t *ends, size_t n, uint32_t lo, uint64_t hi) {
    size_t a = 0, b = n;                 /* first function starting after lo: a */
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (offs[m] <= lo) a = m + 1; else b = m;
    }
    if (a == 0 || hi > ends[a - 1]) return -1;
    return (int64_t)(a - 1);
}

/* The exception handler table (u32 words, layout in native/unwind.c): the same rules as the Python
 * check_eh_table of jit/runtime/exceptions.py. Function entries (start, end, mask, 3 displacements)
 * are whole functions in increasing order with 0 < mask < 8 and each used displacement in
 * [-2^20, -16] and 8-aligned; segments (lo, hi, first clause, count) are sorted, inside one
 * function's code and name clauses that exist; clauses (kind, tag offset, landing pad) have kind <= 3,
 * a landing pad inside a function and, for kinds 0 and 1, an 8-aligned tag offset in [tags_lo,
 * tags_hi). Returns -1 when every rule holds, else the index of the first bad word. */
int64_t wx_eh_table_check(const uint32_t *w, size_t nw, uint32_t code_size, const uint32_t *offs,
                          const uint32_t *ends, size_t n_funcs, uint64_t tags_lo, uint64_t tags_hi) {
    if (nw < 3) return 0;
    uint64_t nf = w[0], ns = w[1], nc = w[2];
    if ((uint64_t)nw != 3 + 6 * nf + 4 * ns + 3 * nc) return 0;
    const uint32_t *f = w + 3, *s = f + 6 * nf, *c = s + 4 * ns;
    uint32_t prev_end = 0;
    for (uint64_t i = 0; i < nf; i++, f += 6) {
        uint32_t start = f[0], end = f[1], mask = f[2];
        int64_t j = func_containing(offs, ends, n_funcs, start, end);
        if (j < 0 || offs[j] != start || ends[j] != end || start < prev_end || mask == 0 || mask >= 8)
            return (int64_t)(f - w);
        for (int k = 0; k < 3; k++) {
            int32_t d = (int32_t)f[3 + k];
            if ((mask >> k) & 1 && !(d >= -(1 << 20) && d <= -16 && d % 8 == 0)) return (int64_t)(f + 3 + k - w);
        }
        prev_end = end;
    }
    uint32_t prev_hi = 0;
    for (uint64_t i = 0; i < ns; i++, s += 4) {
        uint32_t lo = s[0], hi = s[1];
        if (!(prev_hi <= lo && lo < hi && hi <= code_size) || (uint64_t)s[2] + s[3] > nc
            || func_containing(offs, ends, n_funcs, lo, hi) < 0)
            return (int64_t)(s - w);
        prev_hi = hi;
    }
    for (uint64_t i = 0; i < nc; i++, c += 3) {
        uint32_t kind = c[0], tag_off = c[1], pad = c[2];
        int tag_ok = tag_off >= tags_lo && tag_off < tags_hi && tag_off % 8 == 0;
        if (kind > 3 || func_containing(offs, ends, n_funcs, pad, (uint64_t)pad + 1) < 0 || (kind < 2 && !tag_ok))
            return (int64_t)(c - w);
    }
    return -1;
}

/* The instantiation image of a module (n bytes) is the image of its skeleton (`stub`: the module
 * without its defined functions) with u64 word first_word + k * stride_words set to vals[k] for each
 * k < count (each defined function's code offset in its funcref): -1 when it is, else the byte index
 * of the first difference (n when the words do not fit). */
int64_t wx_image_funcrefs_check(const uint8_t *image, const uint8_t *stub, size_t n, size_t first_word,
                                size_t stride_words, const uint32_t *vals, size_t count) {
    size_t pos = 0;
    if (count && (stride_words == 0 || (first_word + (count - 1) * stride_words + 1) * 8 > n)) return (int64_t)n;
    for (size_t k = 0; k <= count; k++) {
        size_t at = k < count ? (first_word + k * stride_words) * 8 : n;   /* next word to skip */
        if (at > pos && memcmp(image + pos, stub + pos, at - pos) != 0) {
            for (size_t i = pos; i < at; i++)
                if (image[i] != stub[i]) return (int64_t)i;
        }
        if (k == count) break;
        uint64_t word;
        memcpy(&word, image + at, 8);
        if (word != (uint64_t)vals[k]) return (int64_t)at;
        pos = at + 8;
    }
    return -1;
}
