/* Code arena: see arena.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "loader.h"
#include "runtime.h"

static uint64_t round_to(uint64_t n, uint64_t align) { return (n + align - 1) & ~(align - 1); }

/* ---- free list: sorted, coalesced [offset, offset + size) blocks ---------------------------- */

static int64_t fl_alloc(wx_arena *a, uint64_t size) {
    for (size_t i = 0; i < a->nblk; i++) {
        if (a->blk_size[i] < size) continue;
        uint64_t off = a->blk_off[i];
        if (a->blk_size[i] == size) {
            memmove(a->blk_off + i, a->blk_off + i + 1, (a->nblk - i - 1) * sizeof(uint64_t));
            memmove(a->blk_size + i, a->blk_size + i + 1, (a->nblk - i - 1) * sizeof(uint64_t));
            a->nblk--;
        } else {
            a->blk_off[i] += size;
            a->blk_size[i] -= size;
        }
        return (int64_t)off;
    }
    return -1;
}

static int fl_reserve(wx_arena *a) {
    if (a->nblk < a->capblk) return 0;
    size_t cap = a->capblk ? a->capblk * 2 : 16;
    uint64_t *o = realloc(a->blk_off, cap * sizeof(uint64_t));
    if (o == NULL) return -1;
    a->blk_off = o;
    uint64_t *s = realloc(a->blk_size, cap * sizeof(uint64_t));
    if (s == NULL) return -1;
    a->blk_size = s;
    a->capblk = cap;
    return 0;
}

/* Give [off, off + size) back, merging with its neighbours; BAD_SLOT if it overlaps free space. */
static int64_t fl_free(wx_arena *a, uint64_t off, uint64_t size) {
    size_t lo = 0, hi = a->nblk;   /* first block starting at or after off */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->blk_off[mid] < off) lo = mid + 1; else hi = mid;
    }
    size_t i = lo;
    if ((i < a->nblk && a->blk_off[i] < off + size) ||
        (i > 0 && a->blk_off[i - 1] + a->blk_size[i - 1] > off))
        return WX_ARENA_BAD_SLOT;
    int joins_prev = i > 0 && a->blk_off[i - 1] + a->blk_size[i - 1] == off;
    int joins_next = i < a->nblk && off + size == a->blk_off[i];
    if (joins_prev && joins_next) {
        a->blk_size[i - 1] += size + a->blk_size[i];
        memmove(a->blk_off + i, a->blk_off + i + 1, (a->nblk - i - 1) * sizeof(uint64_t));
        memmove(a->blk_size + i, a->blk_size + i + 1, (a->nblk - i - 1) * sizeof(uint64_t));
        a->nblk--;
    } else if (joins_prev) {
        a->blk_size[i - 1] += size;
    } else if (joins_next) {
        a->blk_off[i] = off;
        a->blk_size[i] += size;
    } else {
        if (fl_reserve(a) != 0) return WX_ARENA_NOMEM;
        memmove(a->blk_off + i + 1, a->blk_off + i, (a->nblk - i) * sizeof(uint64_t));
        memmove(a->blk_size + i + 1, a->blk_size + i, (a->nblk - i) * sizeof(uint64_t));
        a->blk_off[i] = off;
        a->blk_size[i] = size;
        a->nblk++;
    }
    return WX_ARENA_OK;
}

/* ---- arena life ------------------------------------------------------------------------------ */

/* ---- fork: every arena of a forked child gets code memory of its own ---------------------------
 * The views of a memfd arena are shared mappings: without this, a child loading code would write
 * into the parent's code memory (and the parent, reusing a freed slot, into code the child runs).
 * Before fork every arena's lock is taken (no operation is half done in the child); the child's
 * handler copies each arena's live code into a new memfd mapped over the same views (wx_cm_unshare). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static wx_arena *live_arenas;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void before_fork(void) {
    pthread_mutex_lock(&live_lock);
    for (wx_arena *a = live_arenas; a != NULL; a = a->next_live) pthread_mutex_lock(&a->lock);
}

static void after_fork_in_parent(void) {
    for (wx_arena *a = live_arenas; a != NULL; a = a->next_live) pthread_mutex_unlock(&a->lock);
    pthread_mutex_unlock(&live_lock);
}

/* The live code of `a`: the complement of its free list in [0, size), as (offset, length) pairs in
 * `out` (room for nblk + 1 pairs); their count. */
static size_t live_ranges(const wx_arena *a, uint64_t *out) {
    size_t n = 0;
    uint64_t at = 0;
    for (size_t i = 0; i <= a->nblk; i++) {
        uint64_t end = i < a->nblk ? a->blk_off[i] : a->m.size;
        if (end > at) {
            out[2 * n] = at;
            out[2 * n + 1] = end - at;
            n++;
        }
        if (i < a->nblk) at = a->blk_off[i] + a->blk_size[i];
    }
    return n;
}

static void after_fork_in_child(void) {
    for (wx_arena *a = live_arenas; a != NULL; a = a->next_live) {
        if (!a->closed) {
            uint64_t *ranges = malloc((a->nblk + 1) * 2 * sizeof(uint64_t));
            if (ranges == NULL || wx_cm_unshare(&a->m, ranges, live_ranges(a, ranges)) != 0)
                a->unshare_failed = 1;
            free(ranges);
        }
        pthread_mutex_unlock(&a->lock);
    }
    pthread_mutex_unlock(&live_lock);
}

static void install_atfork(void) { pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child); }

static void add_live(wx_arena *a) {
    pthread_once(&atfork_once, install_atfork);
    pthread_mutex_lock(&live_lock);
    a->next_live = live_arenas;
    live_arenas = a;
    pthread_mutex_unlock(&live_lock);
}

static void remove_live(wx_arena *a) {
    pthread_mutex_lock(&live_lock);
    for (wx_arena **p = &live_arenas; *p != NULL; p = &(*p)->next_live) {
        if (*p == a) {
            *p = a->next_live;
            break;
        }
    }
    pthread_mutex_unlock(&live_lock);
}

wx_arena *wx_arena_new(int strategy, size_t initial, size_t reserve, uint64_t rotate_every, uint64_t align,
                       char *err, size_t errlen, int *unavailable) {
    *unavailable = 0;
    if (align == 0 || (align & (align - 1)) != 0) {
        snprintf(err, errlen, "slot alignment must be a power of two, got %llu", (unsigned long long)align);
        return NULL;
    }
    wx_arena *a = calloc(1, sizeof *a);
    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (wx_cm_open(&a->m, strategy, initial, reserve, 0) != 0) {
        snprintf(err, errlen, "%s", a->m.err);
        *unavailable = a->m.unavailable;
        free(a);
        return NULL;
    }
    pthread_mutex_init(&a->lock, NULL);
    a->align = align;
    a->rotate_every = rotate_every;
    a->refs = 1;
    if (fl_free(a, 0, a->m.size) != WX_ARENA_OK) {
        wx_cm_close(&a->m);
        free(a);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    add_live(a);
    return a;
}

static void destroy(wx_arena *a) {
    pthread_mutex_destroy(&a->lock);
    free(a->blk_off);
    free(a->blk_size);
    free(a);
}

/* Drop one reference (lock held); returns 1 when the caller must destroy the arena after unlocking. */
static int unref(wx_arena *a) { return --a->refs == 0; }

void wx_arena_close(wx_arena *a) {
    pthread_mutex_lock(&a->lock);
    int was_open = !a->closed;
    if (was_open) {
        a->closed = 1;
        wx_cm_close(&a->m);
    }
    pthread_mutex_unlock(&a->lock);
    if (was_open) remove_live(a);
}

void wx_arena_drop(wx_arena *a) {
    wx_arena_close(a);
    pthread_mutex_lock(&a->lock);
    int last = unref(a);
    pthread_mutex_unlock(&a->lock);
    if (last) destroy(a);
}

/* ---- slots (lock held in every helper below) ------------------------------------------------- */

static int64_t rotate_if_due(wx_arena *a) {
    if (a->rotate_due && a->m.strategy == WX_CM_MEMFD && wx_cm_rotate(&a->m) != 0) return WX_ARENA_ERR;
    a->rotate_due = 0;
    return WX_ARENA_OK;
}

static int64_t grow(wx_arena *a, uint64_t need) {
    uint64_t size = a->m.size, tail = 0;
    if (a->nblk && a->blk_off[a->nblk - 1] + a->blk_size[a->nblk - 1] == size) tail = a->blk_size[a->nblk - 1];
    uint64_t more = need - tail;
    uint64_t page = (uint64_t)getpagesize();
    uint64_t new_size = size * 2 > size + more ? size * 2 : size + more;
    new_size = round_to(new_size, page);
    if (new_size > a->m.reserve) new_size = a->m.reserve;
    if (new_size < size + more) return WX_ARENA_FULL;
    if (wx_cm_grow(&a->m, new_size) != 0) return WX_ARENA_ERR;
    return fl_free(a, size, new_size - size);
}

static int64_t alloc_locked(wx_arena *a, uint64_t n, uint64_t *slot_size) {
    if (a->closed) return WX_ARENA_CLOSED;
    if (a->unshare_failed) return WX_ARENA_ERR;     /* its memory is the parent's (a->m.err says why) */
    uint64_t size = round_to(n ? n : 1, a->align);
    a->allocs++;
    if (a->rotate_every && a->allocs % a->rotate_every == 0) a->rotate_due = 1;
    if (a->open == 0 && rotate_if_due(a) != WX_ARENA_OK) return WX_ARENA_ERR;
    int64_t off = fl_alloc(a, size);
    if (off < 0) {
        int64_t rc = grow(a, size);
        if (rc != WX_ARENA_OK) return rc;
        off = fl_alloc(a, size);
        if (off < 0) return WX_ARENA_FULL;
    }
    if (a->open == 0 && a->m.strategy == WX_CM_MEMFD_STRICT && wx_cm_begin(&a->m) != 0) {
        fl_free(a, (uint64_t)off, size);
        return WX_ARENA_ERR;
    }
    a->open++;
    *slot_size = size;
    return off;
}

static int64_t close_write(wx_arena *a) {
    if (a->open == 0) return WX_ARENA_BAD_SLOT;
    if (--a->open == 0 && !a->closed) {
        if (a->m.strategy == WX_CM_MEMFD_STRICT && wx_cm_publish(&a->m) == 0) return WX_ARENA_ERR;
        return rotate_if_due(a);
    }
    return WX_ARENA_OK;
}

int64_t wx_arena_alloc(wx_arena *a, uint64_t n, uint64_t *slot_size) {
    pthread_mutex_lock(&a->lock);
    int64_t rc = alloc_locked(a, n, slot_size);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int64_t wx_arena_write(wx_arena *a, uint64_t off, const uint8_t *src, uint64_t n) {
    pthread_mutex_lock(&a->lock);
    int64_t rc = a->closed ? WX_ARENA_CLOSED : a->unshare_failed ? WX_ARENA_ERR
                 : wx_cm_write(&a->m, off, (const char *)src, n) == 0 ? WX_ARENA_OK : WX_ARENA_ERR;
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int64_t wx_arena_load_at(wx_arena *a, uint64_t off, const uint8_t *code, uint64_t size,
                         const uint64_t *relocs, uint64_t n_relocs) {
    pthread_mutex_lock(&a->lock);
    int64_t rc = a->closed ? WX_ARENA_CLOSED : a->unshare_failed ? WX_ARENA_ERR
                 : wx_load_code(&a->m, off, code, size, relocs, n_relocs);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int64_t wx_arena_publish(wx_arena *a) {
    pthread_mutex_lock(&a->lock);
    int64_t rc = close_write(a);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int64_t wx_arena_free(wx_arena *a, uint64_t off, uint64_t slot_size, int published) {
    pthread_mutex_lock(&a->lock);
    int64_t rc = fl_free(a, off, slot_size);
    if (rc == WX_ARENA_OK && !published) rc = close_write(a);
    pthread_mutex_unlock(&a->lock);
    return rc;
}

int64_t wx_arena_rotate(wx_arena *a) {
    pthread_mutex_lock(&a->lock);
    a->rotate_due = 1;
    int64_t rc = a->open == 0 && !a->closed ? rotate_if_due(a) : WX_ARENA_OK;
    pthread_mutex_unlock(&a->lock);
    return rc;
}

uint64_t wx_arena_free_blocks(wx_arena *a, uint64_t *out, uint64_t cap) {
    pthread_mutex_lock(&a->lock);
    uint64_t n = a->nblk;
    for (uint64_t i = 0; i < n && i < cap; i++) {
        out[2 * i] = a->blk_off[i];
        out[2 * i + 1] = a->blk_size[i];
    }
    pthread_mutex_unlock(&a->lock);
    return n;
}

void wx_arena_info(wx_arena *a, uint64_t out[6]) {
    pthread_mutex_lock(&a->lock);
    out[0] = (uint64_t)a->m.exec;
    out[1] = (uint64_t)a->m.rw;
    out[2] = a->m.size;
    out[3] = a->m.reserve;
    out[4] = a->m.rotations;
    out[5] = a->open;
    pthread_mutex_unlock(&a->lock);
}

const char *wx_arena_error(wx_arena *a) { return a->m.err; }

/* ---- the runtime's load ---------------------------------------------------------------------- */

static __thread int64_t last_status = WX_ARENA_OK;

int64_t wx_arena_load_status(void) { return last_status; }

wx_code *wx_arena_load(wx_arena *a, const uint8_t *code, uint64_t size, const uint64_t *relocs,
                       uint64_t n_relocs) {
    int64_t *status = &last_status;
    wx_code *c = malloc(sizeof *c);
    if (c == NULL) {
        *status = WX_ARENA_NOMEM;
        return NULL;
    }
    pthread_mutex_lock(&a->lock);
    uint64_t slot_size = 0;
    int64_t off = alloc_locked(a, size, &slot_size);
    int64_t rc = off < 0 ? off : wx_load_code(&a->m, (uint64_t)off, code, size, relocs, n_relocs);
    if (off >= 0) {
        int64_t closed = close_write(a);     /* published (or abandoned) either way */
        if (rc == WX_ARENA_OK) rc = closed;
    }
    int32_t range = -1;
    if (rc == WX_ARENA_OK) {
        uint64_t start = (uint64_t)a->m.exec + (uint64_t)off;
        range = wx_register_code(start, start + size);
        if (range < 0) rc = WX_ARENA_RANGES;
    }
    if (rc != WX_ARENA_OK) {
        if (off >= 0) fl_free(a, (uint64_t)off, slot_size);
        pthread_mutex_unlock(&a->lock);
        free(c);
        *status = rc;
        return NULL;
    }
    a->refs++;
    c->exec = (uint64_t)a->m.exec + (uint64_t)off;
    c->size = size;
    c->offset = (uint64_t)off;
    c->slot_size = slot_size;
    c->range = range;
    c->arena = a;
    pthread_mutex_unlock(&a->lock);
    *status = WX_ARENA_OK;
    return c;
}

void wx_code_release(wx_code *c) {
    if (c == NULL) return;
    wx_arena *a = c->arena;
    wx_unregister_code(c->range);
    pthread_mutex_lock(&a->lock);
    if (!a->closed) fl_free(a, c->offset, c->slot_size);
    int last = unref(a);
    pthread_mutex_unlock(&a->lock);
    if (last) destroy(a);
    free(c);
}
