/* quicksort: sort pseudo-random 32-bit keys with a hand-written median-of-three quicksort plus
   insertion sort, then verify and print checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void isort(uint32_t *a, long lo, long hi) {
    for (long i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i]; long j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static void qsort_u32(uint32_t *a, long lo, long hi) {
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        uint32_t x = a[lo], y = a[mid], z = a[hi];
        uint32_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { qsort_u32(a, lo, j); lo = i; } else { qsort_u32(a, i, hi); hi = j; }
    }
    isort(a, lo, hi);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 5000000;
    uint32_t *a = malloc(sizeof(uint32_t) * n);
    uint64_t s = 88172645463325252ull;
    for (long i = 0; i < n; i++) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; a[i] = (uint32_t)(s >> 16); }
    qsort_u32(a, 0, n - 1);
    long bad = 0;
    uint64_t h = 0;
    for (long i = 0; i < n; i++) { if (i && a[i - 1] > a[i]) bad++; h = h * 31 + a[i]; }
    printf("n %ld\nunsorted pairs %ld\nmin %u max %u median %u\nhash %016llx\n", n, bad, a[0], a[n - 1], a[n / 2],
           (unsigned long long)h);
    free(a);
    return 0;
}
