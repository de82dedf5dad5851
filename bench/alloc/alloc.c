/* Allocation benchmark: a working set of blocks replaced at random (sizes 8 B - 4 KiB with a few up to
 * 64 KiB), short-lived linked lists, and a growing/shrinking buffer (realloc). Every block is written
 * and read back, and the output is a checksum of contents only (never of addresses), so it is the same
 * for every allocator. Built against wasi-libc's malloc (dlmalloc) and against mimalloc
 * (jit/benchmarks/alloc_build.py: -DUSE_MIMALLOC), at -O2 and -O0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef USE_MIMALLOC
#include <mimalloc.h>
#define xmalloc mi_malloc
#define xfree mi_free
#define xrealloc mi_realloc
#define ALLOCATOR "mimalloc"
#else
#define xmalloc malloc
#define xfree free
#define xrealloc realloc
#define ALLOCATOR "libc"
#endif

#define SLOTS 4096
#define ROUNDS 3000000

static uint32_t rng = 0x9E3779B9u;
static uint32_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static size_t pick_size(void) {
    uint32_t r = next();
    if ((r & 1023) == 0) return 16384 + (r >> 16) % 49152;     /* rare large blocks */
    if ((r & 15) == 0) return 512 + (r >> 8) % 3584;
    return 8 + (r >> 8) % 248;
}

struct node {
    struct node *next;
    uint32_t value;
};

int main(void) {
    static unsigned char *slot[SLOTS];
    static size_t slot_size[SLOTS];
    uint64_t sum = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint32_t i = next() % SLOTS;
        if (slot[i] != NULL) {
            sum += slot[i][0] + slot[i][slot_size[i] - 1];
            xfree(slot[i]);
        }
        size_t n = pick_size();
        unsigned char *p = xmalloc(n);
        if (p == NULL) return 1;
        memset(p, (int)(round & 0xFF), n);
        p[n - 1] = (unsigned char)(n & 0xFF);
        slot[i] = p;
        slot_size[i] = n;
        if ((round & 255) == 0) {          /* a short-lived list */
            struct node *head = NULL;
            for (uint32_t k = 0; k < 200; k++) {
                struct node *e = xmalloc(sizeof *e);
                if (e == NULL) return 1;
                e->next = head;
                e->value = next() & 0xFFFF;
                head = e;
            }
            while (head != NULL) {
                struct node *e = head;
                head = e->next;
                sum += e->value;
                xfree(e);
            }
        }
        if ((round & 4095) == 0) {         /* a buffer grown by realloc, then dropped */
            unsigned char *buf = NULL;
            size_t len = 0;
            for (int k = 0; k < 64; k++) {
                size_t grow = 64 + next() % 1024;
                unsigned char *nb = xrealloc(buf, len + grow);
                if (nb == NULL) return 1;
                memset(nb + len, k, grow);
                buf = nb;
                len += grow;
            }
            sum += buf[len / 2] + len;
            xfree(buf);
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slot[i] != NULL) {
            sum += slot[i][slot_size[i] - 1];
            xfree(slot[i]);
        }
    }
    printf("alloc: %d rounds, checksum %llu\n", ROUNDS, (unsigned long long)sum);
    (void)ALLOCATOR;
    return 0;
}
