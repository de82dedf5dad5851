/* wxjit roots and collection: stack maps, the frame walker, marking (docs/gc.md).
 *
 * Stack maps (jit/abi/stackmaps.py has the format): one table of u32 words per loaded code range,
 * registered by handle like the exception tables of unwind.c; a return address is found by binary
 * search over the table's ascending offsets, and its map lists the frame words rbp + 8 * w that hold
 * traced references (externref handles, i31s, GC heap pointers) there.
 *
 * Frames: every Wasm frame is `push rbp; mov rbp, rsp`, so [fp] is the caller's rbp and [fp + 8] the
 * return address into the caller. Compiled code leaves Wasm at safepoints only through host calls
 * (wx_host_call pushes an exit record: the host-call stub's rbp) or through a helper that collects
 * (wx_gc_collect_from_wasm pushes one made of the helper's return address and the caller's rbp).
 * From each exit record of the thread the walker follows the rbp chain while the return address is
 * inside registered code: the map of that return address is read in the frame of the caller (the
 * saved rbp). A return address outside compiled code is the entry stub (wx_enter): that activation
 * ends there, the next exit record (the host call the entry is nested in) continues below.
 *
 * Threads: wx_call counts the threads inside Wasm (outermost entries); jit.runtime.gc collects only
 * when the collecting thread is the only one (its own frames are then the only Wasm frames).
 *
 * Exception objects (unwind.c): a traced word may be an exnref (exnref locals, globals, tables, fields,
 * payload slots are listed like the any/extern references). wx_exn_mark tells it apart (the magic in
 * its flags) and marks it; its payload's traced slots are traced like an object's fields. Exceptions
 * in flight on any thread (wx_gc_mark_in_flight) are roots; the sweep frees the unmarked escaped ones.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gcroots.h"
#include "runtime.h"
#include "bulk.h"
#include "gc.h"
#include "unwind.h"

#define WX_GC_MAX_HANDLES 65536        /* = WX_MAX_CODE_RANGES of runtime.c */
#define HOST_TAG 2u

static const uint32_t *_Atomic sm_tables[WX_GC_MAX_HANDLES];
static _Atomic uint64_t sm_starts[WX_GC_MAX_HANDLES];
static _Atomic int threads_in_wasm;
static const wx_gc_heap_ops *_Atomic heap_ops;

static __thread wx_gc_exit *tls_exits;      /* innermost exit record (they live on the C stack) */
static __thread int tls_nexits;

void wx_gc_register_maps(int handle, const uint32_t *table, uint64_t code_start) {
    if (handle < 0 || handle >= WX_GC_MAX_HANDLES) return;
    atomic_store(&sm_starts[handle], code_start);
    atomic_store(&sm_tables[handle], table);
}

void wx_gc_forget_maps(int handle) {
    if (handle < 0 || handle >= WX_GC_MAX_HANDLES) return;
    atomic_store(&sm_tables[handle], NULL);
}

void wx_gc_set_heap_ops(const wx_gc_heap_ops *ops) { atomic_store(&heap_ops, ops); }

static _Atomic int collecting;

int wx_gc_threads_in_wasm(void) { return atomic_load(&threads_in_wasm); }

/* An outermost entry (wx_call): counted, and held back while another thread collects (Dekker-style:
 * each side announces itself, then looks at the other; sequentially consistent atomics). */
void wx_gc_thread_enters(void) {
    for (;;) {
        atomic_fetch_add(&threads_in_wasm, 1);
        if (!atomic_load(&collecting)) return;
        atomic_fetch_sub(&threads_in_wasm, 1);
        while (atomic_load(&collecting)) sched_yield();
    }
}

void wx_gc_thread_leaves(void) { atomic_fetch_sub(&threads_in_wasm, 1); }

/* A thread holding reference results of a call that Python has not converted yet stays counted as
 * inside Wasm from before the call until wx_gc_release_results: no other thread collects meanwhile,
 * and a collection this thread starts while converting is deferred (its results are in no root). */
static __thread int tls_holding;

int wx_gc_holding_results(void) { return tls_holding; }

void wx_gc_hold_results(void) {
    if (tls_holding++ == 0 && wx_entry_depth() == 0) wx_gc_thread_enters();
}

void wx_gc_release_results(void) {
    if (--tls_holding == 0 && wx_entry_depth() == 0) wx_gc_thread_leaves();
}

/* Start a collection on this thread: 1 when no other thread is inside Wasm (others then wait at
 * their entry until wx_gc_end), 0 otherwise (deferred; nothing to end). */
int wx_gc_begin(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&collecting, &expected, 1)) return 0;
    int mine = wx_entry_depth() > 0;
    if (atomic_load(&threads_in_wasm) != mine) {
        atomic_store(&collecting, 0);
        return 0;
    }
    return 1;
}

void wx_gc_end(void) { atomic_store(&collecting, 0); }

int wx_gc_exit_depth(void) { return tls_nexits; }

void wx_gc_exit_push(wx_gc_exit *rec, uint64_t fp) {
    rec->fp = fp;
    rec->prev = tls_exits;
    tls_exits = rec;
    tls_nexits++;
}

void wx_gc_exit_pop(wx_gc_exit *rec) {
    tls_exits = rec->prev;
    tls_nexits--;
}

/* A helper called by compiled code that needs a collection (the GC heap's allocator, under
 * pressure): its asm entry passes its return address and rbp (the Wasm caller's frame). */
int wx_py_gc_collect(void);
int wx_gc_collect_from_wasm(uint64_t return_address, uint64_t wasm_fp) {
    uint64_t frame[2] = {wasm_fp, return_address};     /* shaped like a frame: [fp], [fp + 8] */
    wx_gc_exit rec;
    wx_gc_exit_push(&rec, (uint64_t)frame);
    int rc = wx_py_gc_collect();
    wx_gc_exit_pop(&rec);
    return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* stack maps                                                                                      */

/* The map of return address ``pc`` (count, then int32 words) or NULL. */
static const uint32_t *find_map(uint64_t pc) {
    int h = wx_code_range_at(pc);
    if (h < 0 || h >= WX_GC_MAX_HANDLES) return NULL;
    const uint32_t *t = atomic_load(&sm_tables[h]);
    if (t == NULL) return NULL;
    uint64_t start = atomic_load(&sm_starts[h]);
    if (pc < start || pc - start > UINT32_MAX) return NULL;
    uint32_t off = (uint32_t)(pc - start), n = t[0];
    const uint32_t *offsets = t + 2;
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (offsets[mid] < off) lo = mid + 1; else hi = mid;
    }
    if (lo == n || offsets[lo] != off) return NULL;
    return t + 2 + 2 * (size_t)n + offsets[n + lo];
}

int64_t wx_gc_lookup_map(uint64_t pc, int32_t *out, int max) {
    const uint32_t *map = find_map(pc);
    if (map == NULL) return -1;
    uint32_t n = map[0];
    for (uint32_t i = 0; i < n && (int)i < max; i++) out[i] = (int32_t)map[1 + i];
    return n;
}

/* ---------------------------------------------------------------------------------------------- */
/* marking                                                                                         */

typedef struct {
    wx_gc_marks *m;
    uint64_t *stack;
    size_t n, cap;
} marker;

static void visit(uint64_t w, void *ctx);

static void push_object(marker *k, uint64_t obj) {
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 1024;
        uint64_t *s = realloc(k->stack, cap * sizeof(uint64_t));
        if (s == NULL) abort();       /* like any allocation failure of the runtime's own state */
        k->stack = s;
        k->cap = cap;
    }
    k->stack[k->n++] = obj;
}

#define EXN_ENTRY 1u            /* low bit of a mark-stack entry: an exception object, not a heap object */

static void visit(uint64_t w, void *ctx) {
    marker *k = ctx;
    if (w == 0 || (w & 1)) return;                 /* null, i31 */
    if ((w & 3) == HOST_TAG) {                     /* externref handle */
        uint64_t h = w >> 2;
        if (h < k->m->n_handles) k->m->handles[h] = 1;
        return;
    }
    int exn = wx_exn_mark(w);                      /* an exnref (or an exception in flight) */
    if (exn >= 0) {
        if (exn) {
            k->m->exceptions++;
            push_object(k, w | EXN_ENTRY);
        }
        return;
    }
    const wx_gc_heap_ops *ops = atomic_load(&heap_ops);
    if (ops != NULL && ops->mark(w)) {
        k->m->objects++;
        push_object(k, w);
    }
}

static void drain(marker *k) {
    const wx_gc_heap_ops *ops = atomic_load(&heap_ops);
    while (k->n > 0) {
        uint64_t obj = k->stack[--k->n];
        if (obj & EXN_ENTRY) wx_exn_each_ref(obj & ~(uint64_t)EXN_ENTRY, visit, k);
        else if (ops != NULL) ops->each_ref(obj, visit, k);
    }
    free(k->stack);
    k->stack = NULL;
    k->cap = 0;
}

static void mark(marker *k, uint64_t w) {
    k->m->words++;
    visit(w, k);
}

/* Walk the Wasm frames of one activation from an exit record. */
static void walk(marker *k, uint64_t fp) {
    for (;;) {
        if (fp == 0 || (fp & 7)) return;
        uint64_t ra = ((uint64_t *)fp)[1];
        uint64_t caller = ((uint64_t *)fp)[0];
        if (wx_code_range_at(ra) < 0) return;       /* the entry stub: this activation ends */
        if (caller <= fp || (caller & 7)) return;   /* frames grow towards higher addresses */
        k->m->frames++;
        const uint32_t *map = find_map(ra);
        if (map != NULL) {
            for (uint32_t i = 0; i < map[0]; i++) {
                int64_t w = (int32_t)map[1 + i];
                mark(k, *(uint64_t *)(caller + 8 * w));
            }
        }
        fp = caller;
    }
}

/* The frames of every activation of this thread. -1: not at a safepoint of every activation (an
 * entry without an exit: e.g. inside a lazy compilation); nothing is marked then. */
int wx_gc_mark_frames(wx_gc_marks *m) {
    if (tls_nexits != wx_entry_depth()) return -1;
    marker k = {m, NULL, 0, 0};
    for (wx_gc_exit *e = tls_exits; e != NULL; e = e->prev) walk(&k, e->fp);
    drain(&k);
    return 0;
}

void wx_gc_mark_words(wx_gc_marks *m, const uint64_t *words, uint64_t n) {
    marker k = {m, NULL, 0, 0};
    for (uint64_t i = 0; i < n; i++) mark(&k, words[i]);
    drain(&k);
}

void wx_gc_mark_word_ptrs(wx_gc_marks *m, const uint64_t *ptrs, uint64_t n) {
    marker k = {m, NULL, 0, 0};
    for (uint64_t i = 0; i < n; i++)
        if (ptrs[i] != 0) mark(&k, *(const uint64_t *)ptrs[i]);
    drain(&k);
}

void wx_gc_mark_tables(wx_gc_marks *m, const uint64_t *tables, uint64_t n) {
    marker k = {m, NULL, 0, 0};
    for (uint64_t i = 0; i < n; i++) {
        const wx_table *t = (const wx_table *)tables[i];
        if (t == NULL) continue;
        for (uint64_t j = 0; j < t->length; j++) mark(&k, t->elements[j]);
    }
    drain(&k);
}

void wx_gc_mark_segments(wx_gc_marks *m, const uint64_t *segments, uint64_t n) {
    marker k = {m, NULL, 0, 0};
    for (uint64_t i = 0; i < n; i++) {
        const wx_segment *s = (const wx_segment *)segments[i];
        if (s == NULL || s->base == 0) continue;
        for (uint64_t j = 0; j < s->length; j++) mark(&k, ((const uint64_t *)s->base)[j]);
    }
    drain(&k);
}

static int cmp_word(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exceptions Python holds ExnRefs to: marked when they are on the list of escaped exceptions
 * (found by walking the list, so an address that is no exception object is never read). Sorts words.
 * The list is stable meanwhile: only threads inside Wasm escape exceptions, and they wait. */
void wx_gc_mark_held_exceptions(wx_gc_marks *m, uint64_t *words, uint64_t n) {
    if (n == 0) return;
    qsort(words, n, sizeof *words, cmp_word);
    marker k = {m, NULL, 0, 0};
    for (wx_exn *e = wx_exn_retained_first(); e != NULL; e = e->next) {
        uint64_t w = (uint64_t)e;
        if (bsearch(&w, words, n, sizeof *words, cmp_word)) mark(&k, w);
    }
    drain(&k);
}

/* The exceptions in flight outside Wasm frames on every thread (unwind.c); traced under the lock that
 * keeps their owners from taking (and freeing) them meanwhile. */
static void mark_word(uint64_t w, void *ctx) { mark(ctx, w); }

void wx_gc_mark_in_flight(wx_gc_marks *m) {
    marker k = {m, NULL, 0, 0};
    wx_exn_threads_lock();
    wx_exn_in_flight(mark_word, &k);
    drain(&k);
    wx_exn_threads_unlock();
}

void wx_gc_sweep_heap(wx_gc_marks *m) {
    uint64_t kept = 0;
    uint64_t freed = wx_exn_sweep(&kept);
    if (m != NULL) m->exceptions_freed = freed;
    wx_gc_note_exn_kept(kept);               /* counted in the next trigger, like live objects */
    const wx_gc_heap_ops *ops = atomic_load(&heap_ops);
    if (ops != NULL) ops->sweep();
}
