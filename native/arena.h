/* Code arena: many code slots in one growing memfd (see jit/codemem/arena.py).
 *
 * All state (the code memory, the free list, the open-slot count and the rotation schedule) lives
 * here behind one mutex, so the runtime loads a module in one call (wx_arena_load: allocate a slot,
 * copy, relocate, publish, register the range for the trap handler) and releases it in one call
 * (wx_code_release), and the Python slot API (alloc/write/load/publish/free) shares the same
 * bookkeeping. No function here calls back into Python.
 *
 * Guarantees: blocks never overlap and free space coalesces; addresses never move (the views are
 * mapped over fixed reservations); the writable view moves only while no slot is open for
 * writing; an arena struct lives until it is closed and every wx_code of it is released.
 */
#ifndef WX_ARENA_H
#define WX_ARENA_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "codemem.h"

/* status codes (negative; >= 0 from wx_arena_load is the index of a bad relocation) */
#define WX_ARENA_OK (-1)
#define WX_ARENA_ERR (-2)       /* the code memory failed: reason in a->m.err */
#define WX_ARENA_FULL (-3)      /* the reservation is exhausted */
#define WX_ARENA_RANGES (-4)    /* the trap handler's code range table is full */
#define WX_ARENA_NOMEM (-5)
#define WX_ARENA_CLOSED (-6)
#define WX_ARENA_BAD_SLOT (-7)  /* free/publish of something that is not an open or live slot */

typedef struct wx_arena {
    wx_codemem m;
    pthread_mutex_t lock;
    uint64_t align;
    uint64_t rotate_every;
    uint64_t allocs;
    uint64_t open;           /* slots allocated and not yet published */
    int rotate_due;
    int closed;
    uint64_t refs;           /* the owner + one per live wx_code */
    uint64_t *blk_off;       /* free blocks sorted by offset, never adjacent */
    uint64_t *blk_size;
    size_t nblk, capblk;
    struct wx_arena *next_live;   /* the process's arenas (forked children unshare them) */
    int unshare_failed;      /* a forked child could not get its own code memory: refuse writes */
} wx_arena;

typedef struct wx_code {
    uint64_t exec;           /* where the code runs */
    uint64_t size;           /* bytes of code */
    uint64_t offset;         /* slot offset in the arena */
    uint64_t slot_size;
    int32_t range;           /* handle in the trap handler's code range table */
    wx_arena *arena;
} wx_code;

/* A new arena (NULL on failure, with the reason in err[0..errlen)). rotate_every: move the writable
 * view every N allocations (0: never); align: slot alignment, a power of two. */
wx_arena *wx_arena_new(int strategy, size_t initial, size_t reserve, uint64_t rotate_every, uint64_t align,
                       char *err, size_t errlen, int *unavailable);
/* Unmap the code memory (every slot becomes invalid); idempotent. */
void wx_arena_close(wx_arena *a);
/* Close, and drop the owner's reference (once): the struct is freed with the last wx_code. */
void wx_arena_drop(wx_arena *a);

/* The Python slot API: offsets into the arena. */
int64_t wx_arena_alloc(wx_arena *a, uint64_t n, uint64_t *slot_size);      /* offset, or a status */
int64_t wx_arena_write(wx_arena *a, uint64_t off, const uint8_t *src, uint64_t n);   /* OK or status */
int64_t wx_arena_load_at(wx_arena *a, uint64_t off, const uint8_t *code, uint64_t size,
                         const uint64_t *relocs, uint64_t n_relocs);   /* OK, bad reloc index, status */
int64_t wx_arena_publish(wx_arena *a);      /* one open slot is complete */
int64_t wx_arena_free(wx_arena *a, uint64_t off, uint64_t slot_size, int published);
int64_t wx_arena_rotate(wx_arena *a);       /* move the writable view (now, or when no slot is open) */
uint64_t wx_arena_free_blocks(wx_arena *a, uint64_t *out, uint64_t cap);   /* (offset, size) pairs */
/* out: exec address, writable view address (0: none now), size, reserve, rotations, open slots */
void wx_arena_info(wx_arena *a, uint64_t out[6]);
const char *wx_arena_error(wx_arena *a);     /* the code memory's last failure */

/* The runtime's one-call load: a slot, the code copied and relocated, published, its range
 * registered with the trap handler. NULL on failure (nothing stays allocated), with the reason in
 * wx_arena_load_status() on this thread. */
wx_code *wx_arena_load(wx_arena *a, const uint8_t *code, uint64_t size, const uint64_t *relocs,
                       uint64_t n_relocs);
int64_t wx_arena_load_status(void);
/* Unregister, free the slot, drop the arena reference. The code must no longer run. */
void wx_code_release(wx_code *c);

#endif
