/* wxjit loader hot paths: see loader.h.
 *
 * Guarantees: wx_load_code validates every relocation before writing anything, never writes outside
 * the code memory, and never makes anything executable (publishing is separate); pooled memories
 * come back with every previously accessible byte zero (memset up to 256 KiB, MADV_DONTNEED on the
 * private anonymous pages beyond), exactly min_pages read-write and the rest PROT_NONE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "vmctx.h"

#define WX_PAGE 65536ULL
#define WX_POOL_CAP 4096
#define WX_POOL_MEMSET_MAX (256 * 1024)

uint64_t wx_helper_address(uint32_t id);

static int64_t check_relocs(size_t size, const uint64_t *relocs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t off = relocs[3 * i], kind = relocs[3 * i + 1], target = relocs[3 * i + 2];
        if (kind != WX_RELOC_HELPER_ABS64 || target >= WX_HELPER_COUNT || off > size || size - off < 8)
            return (int64_t)i;
    }
    return -1;
}

static void apply_relocs(uint8_t *code, const uint64_t *relocs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t addr = wx_helper_address((uint32_t)relocs[3 * i + 2]);
        memcpy(code + relocs[3 * i], &addr, 8);
    }
}

int64_t wx_load_code(wx_codemem *m, size_t off, const uint8_t *code, size_t size, const uint64_t *relocs,
                     size_t n_relocs) {
    int64_t bad = check_relocs(size, relocs, n_relocs);
    if (bad >= 0) return bad;
    if (m->wptr != NULL) {
        if (off > m->size || size > m->size - off) {
            wx_cm_write(m, off, (const char *)code, size);   /* records the range error in m->err */
            return -2;
        }
        memcpy(m->wptr + off, code, size);
        apply_relocs(m->wptr + off, relocs, n_relocs);
        return -1;
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL) return -2;
    memcpy(copy, code, size);
    apply_relocs(copy, relocs, n_relocs);
    int rc = wx_cm_write(m, off, (const char *)copy, size);
    free(copy);
    return rc == 0 ? -1 : -2;
}

int64_t wx_read_file(const char *path, uint8_t *buf, size_t cap) {
    return wx_read_private_file(path, buf, cap, -1);
}

int64_t wx_read_private_file(const char *path, uint8_t *buf, size_t cap, int64_t uid) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | (uid >= 0 ? O_NOFOLLOW : 0));
    if (fd < 0) return -errno;
    if (uid >= 0) {
        struct stat st;
        int bad = 0;
        if (fstat(fd, &st) != 0) bad = -errno;
        else if (!S_ISREG(st.st_mode) || (int64_t)st.st_uid != uid || (st.st_mode & (S_IWGRP | S_IWOTH)))
            bad = WX_READ_NOT_PRIVATE;
        if (bad) {
            close(fd);
            return bad;
        }
    }
    ssize_t n;
    do n = read(fd, buf, cap); while (n < 0 && errno == EINTR);
    int err = errno;
    close(fd);
    return n < 0 ? -err : (int64_t)n;
}

static int32_t rd_i32(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

int64_t wx_marshal_check(const uint8_t *b, size_t n, uint32_t max_depth) {
    int64_t stack[WX_MARSHAL_MAX_DEPTH];   /* items left at each level; -1: a dict (until '0') */
    if (max_depth > WX_MARSHAL_MAX_DEPTH) max_depth = WX_MARSHAL_MAX_DEPTH;
    size_t depth = 1, pos = 0;
    stack[0] = 1;
    while (depth > 0) {
        int64_t left = stack[depth - 1];
        if (left == 0) {
            depth--;
            continue;
        }
        if (pos >= n) return (int64_t)pos;
        size_t at = pos;
        uint8_t t = b[pos++];
        if (t == '0') {
            if (left != -1) return (int64_t)at;
            depth--;
            continue;
        }
        if (left > 0) stack[depth - 1] = left - 1;
        size_t rest = n - pos;
        switch (t) {
        case 'N': case 'T': case 'F':
            break;
        case 'i':
            if (rest < 4) return (int64_t)at;
            pos += 4;
            break;
        case 'g':
            if (rest < 8) return (int64_t)at;
            pos += 8;
            break;
        case 'l': {                         /* a signed count of 2-byte digits */
            if (rest < 4) return (int64_t)at;
            int64_t k = rd_i32(b + pos);
            uint64_t size = 2 * (uint64_t)(k < 0 ? -k : k);
            if (size > rest - 4) return (int64_t)at;
            pos += 4 + size;
            break;
        }
        case 's': case 'u': case 't': {     /* bytes, str, interned str */
            if (rest < 4) return (int64_t)at;
            int32_t k = rd_i32(b + pos);
            if (k < 0 || (uint64_t)k > rest - 4) return (int64_t)at;
            pos += 4 + (size_t)k;
            break;
        }
        case '(': case '[': {
            if (depth >= max_depth || rest < 4) return (int64_t)at;
            int32_t k = rd_i32(b + pos);
            if (k < 0 || (uint64_t)k > rest - 4) return (int64_t)at;   /* each item takes a byte */
            pos += 4;
            stack[depth++] = k;
            break;
        }
        case '{':
            if (depth >= max_depth) return (int64_t)at;
            stack[depth++] = -1;
            break;
        default:
            return (int64_t)at;
        }
    }
    return pos == n ? -1 : (int64_t)pos;
}

void wx_vmctx_init(uint64_t dst_address, const wx_vmctx_template *t, uint64_t code_base) {
    uint8_t *dst = (uint8_t *)dst_address;
    memcpy(dst, t->image, t->size);
    for (uint64_t i = 0; i < t->n_rel; i++) *(uint64_t *)(dst + t->rel[i]) += dst_address;
    for (uint64_t i = 0; i < t->n_code_rel; i++) *(uint64_t *)(dst + t->code_rel[i]) += code_base;
}

void wx_patch_u64(uint8_t *buf, const uint32_t *offsets, const uint32_t *index, size_t n,
                  const uint64_t *table, int add) {
    for (size_t i = 0; i < n; i++) {
        uint64_t *p = (uint64_t *)(buf + offsets[i]);
        *p = (add ? *p : 0) + table[index[i]];
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* memory pool                                                                                     */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static wx_memory *pool[WX_POOL_CAP];
static uint32_t pool_used;
static uint32_t pool_max = 64;

static int set_pages(wx_memory *mem, uint64_t pages) {
    uint64_t want = pages * WX_PAGE;
    if (want > mem->length) {
        if (mprotect((void *)(mem->base + mem->length), want - mem->length, PROT_READ | PROT_WRITE) != 0)
            return -1;
    } else if (want < mem->length) {
        if (mprotect((void *)(mem->base + want), mem->length - want, PROT_NONE) != 0) return -1;
    }
    mem->length = want;
    mem->pages = pages;
    return 0;
}

wx_memory *wx_mempool_take(uint64_t min_pages, uint64_t max_pages, uint64_t reserve) {
    uint64_t page = (uint64_t)getpagesize();
    reserve = (reserve + page - 1) & ~(page - 1);
    if (min_pages > max_pages || min_pages * WX_PAGE > reserve) {
        errno = EINVAL;
        return NULL;
    }
    wx_memory *mem = NULL;
    pthread_mutex_lock(&pool_lock);
    for (uint32_t i = pool_used; i > 0; i--) {
        if (pool[i - 1]->reserved == reserve) {
            mem = pool[i - 1];
            pool[i - 1] = pool[--pool_used];
            break;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    if (mem == NULL) return wx_memory_new(min_pages, max_pages, reserve);
    if (set_pages(mem, min_pages) != 0) {
        int err = errno;
        wx_memory_free(mem);
        errno = err;
        return NULL;
    }
    mem->max_pages = max_pages;
    return mem;
}

void wx_mempool_give(wx_memory *mem) {
    if (mem == NULL) return;
    /* Small memories are zeroed in place (their pages stay resident: no page faults for the next
     * instance); larger ones drop their pages. Either way every byte that was ever accessible reads
     * as zero afterwards: the accessible length only grows, and everything beyond it is untouched. */
    if (mem->length <= WX_POOL_MEMSET_MAX) {
        memset((void *)mem->base, 0, mem->length);
    } else if (madvise((void *)mem->base, mem->length, MADV_DONTNEED) != 0) {
        wx_memory_free(mem);   /* cannot prove it is clean: never reuse it */
        return;
    }
    pthread_mutex_lock(&pool_lock);
    if (pool_used < pool_max) {
        pool[pool_used++] = mem;
        mem = NULL;
    }
    pthread_mutex_unlock(&pool_lock);
    if (mem != NULL) wx_memory_free(mem);
}

void wx_mempool_clear(void) {
    pthread_mutex_lock(&pool_lock);
    uint32_t n = pool_used;
    wx_memory *items[WX_POOL_CAP];
    memcpy(items, pool, sizeof(wx_memory *) * n);
    pool_used = 0;
    pthread_mutex_unlock(&pool_lock);
    for (uint32_t i = 0; i < n; i++) wx_memory_free(items[i]);
}

void wx_mempool_configure(uint32_t max_free) {
    if (max_free > WX_POOL_CAP) max_free = WX_POOL_CAP;
    wx_memory *extra[WX_POOL_CAP];
    uint32_t n = 0;
    pthread_mutex_lock(&pool_lock);
    pool_max = max_free;
    while (pool_used > pool_max) extra[n++] = pool[--pool_used];
    pthread_mutex_unlock(&pool_lock);
    for (uint32_t i = 0; i < n; i++) wx_memory_free(extra[i]);
}

uint32_t wx_mempool_free_count(void) {
    pthread_mutex_lock(&pool_lock);
    uint32_t n = pool_used;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

uint32_t wx_mempool_max_free(void) { return pool_max; }
