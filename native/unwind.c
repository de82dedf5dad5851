/* wxjit exception handling: exception objects, handler tables and the unwinder (docs/exceptions.md).
 *
 * Zero cost when nothing throws: compiled code records no state on entering a try_table. Each loaded
 * module has one table (built by jit.x64.lower.exceptions, u32 words):
 *
 *   [n_funcs, n_segs, n_clauses]
 *   funcs    n_funcs x {start, end, mask, disp_rbx, disp_r12, disp_r13}   functions that save
 *            callee-saved registers in their prologue (mask bit 0 rbx, 1 r12, 2 r13; disp from rbp)
 *   segs     n_segs x {lo, hi, first, count}   return addresses in (lo, hi] are covered by the
 *            clauses first .. first+count (innermost try_table first, then the enclosing ones)
 *   clauses  n_clauses x {kind, tag_off, pad}  kind 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref;
 *            tag_off: byte offset of the tag pointer in the frame's vmctx; pad: landing pad offset
 *
 * A throw (wx_throw, wx_throw_ref, or a host function raising jit.WasmException) walks the rbp chain
 * from the throw site: for each Wasm frame it looks the return address up in its module's segments and
 * tries the clauses in order (tag identity = VMTag address, read from the frame's own vmctx at
 * [rbp - 8]); a frame without a matching clause is left after taking back the callee-saved registers its
 * prologue saved. The first match resumes at the landing pad with rsp/rbp of that frame, its callee-saved
 * registers as they were at the call, and rax = the exception. A return address outside compiled code
 * is the entry (wx_enter): the exception is uncaught there and leaves the call with the rc "uncaught
 * exception" (entries are never crossed: a host function between two entries sees a jit.WasmException
 * and re-raises it into the outer Wasm frames if it does not catch it).
 *
 * Exception objects: a catch / catch_all (not _ref) ends the life of an exception that never reached
 * Wasm as a value: it goes to a per-thread free list (the landing pad reads its payload before anything
 * else can throw on this thread). An exception caught by reference (catch_ref, catch_all_ref) may be
 * stored anywhere: it is marked escaped, put on the list of escaped exceptions and charged to the
 * collector's allocation pressure (gc.c); a collection (jit.runtime.gc, gcroots.c) marks the escaped
 * exceptions reachable from its roots, tracing their payloads (the slots the tag's `traced` list
 * names), and wx_exn_sweep frees the others, releasing their tag (VMTag.live). When the pressure
 * passed its trigger, the next throw site collects before it unwinds (the throw is a safepoint of the
 * throwing frame; the exception being thrown is a root of that collection).
 *
 * Exceptions in flight outside any Wasm frame (one that left an entry and waits for Python to take it,
 * one a host function raised) are kept in a per-thread state that every thread links into one list at
 * its first such exception: a collection on any thread marks them (wx_exn_in_flight), so they and
 * what their payloads reach stay alive until the owning thread took them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "unwind.h"
#include "gc.h"
#include "runtime.h"
#include "vmctx.h"

_Static_assert(offsetof(wx_tag, nslots) == WX_VMTAG_NSLOTS, "VMTag.nslots");
_Static_assert(offsetof(wx_tag, live) == WX_VMTAG_LIVE, "VMTag.live");
_Static_assert(offsetof(wx_tag, traced) == WX_VMTAG_TRACED, "VMTag.traced");
_Static_assert(sizeof(wx_tag) == WX_VMTAG_SIZE, "VMTag size");
_Static_assert(offsetof(wx_exn, tag) == WX_VMEXN_TAG, "VMExn.tag");
_Static_assert(offsetof(wx_exn, flags) == WX_VMEXN_FLAGS, "VMExn.flags");
_Static_assert(offsetof(wx_exn, next) == WX_VMEXN_NEXT, "VMExn.next");
_Static_assert(offsetof(wx_exn, nslots) == WX_VMEXN_NSLOTS, "VMExn.nslots");
_Static_assert(offsetof(wx_exn, payload) == WX_VMEXN_PAYLOAD, "VMExn.payload");

#define WX_EH_MAX_HANDLES 65536        /* = WX_MAX_CODE_RANGES of runtime.c */
#define WX_EXN_FREE_MAX 32
#define WX_EXN_ESCAPED 1ULL
#define WX_EXN_MARK 2ULL
/* Bits 32..63 of every live exception's flags: "EXN!". A word of a traced slot is told apart from a GC
 * heap object by it (a GC object's u32 at offset 12 carries 0x4743 in its top half, gc.c). */
#define WX_EXN_MAGIC 0x45584E2100000000ULL
#define WX_EXN_MAGIC_MASK 0xFFFFFFFF00000000ULL

/* Handler tables by code range handle (wx_register_code), with the code start they are relative to. */
static const uint32_t *_Atomic eh_tables[WX_EH_MAX_HANDLES];
static _Atomic uint64_t eh_starts[WX_EH_MAX_HANDLES];

static __thread wx_exn *tls_free;          /* recycled exception objects of this thread */
static __thread int tls_nfree;
static _Atomic uint64_t n_retained;         /* escaped exceptions not freed by a collection yet */
static wx_exn *_Atomic retained;            /* the escaped exceptions, linked by ->next */

/* Exceptions of one thread in flight outside Wasm frames: roots of collections on any thread. */
typedef struct exn_thread {
    wx_exn *uncaught;        /* an exception that left the innermost entry, until Python takes it */
    wx_exn *thrown;          /* a jit.WasmException a host function raised, until the stub throws it */
    struct exn_thread *next, *prev;
    int linked;
} exn_thread;

static __thread exn_thread tls_exn;
static pthread_mutex_t threads_mutex = PTHREAD_MUTEX_INITIALIZER;
static exn_thread *threads;                 /* every thread that ever had an exception in flight */
static pthread_key_t threads_key;
static pthread_once_t threads_once = PTHREAD_ONCE_INIT;

static void thread_gone(void *p) {          /* thread exit: unlink its state */
    exn_thread *t = p;
    pthread_mutex_lock(&threads_mutex);
    if (t->prev) t->prev->next = t->next; else threads = t->next;
    if (t->next) t->next->prev = t->prev;
    t->linked = 0;
    pthread_mutex_unlock(&threads_mutex);
}

static void make_threads_key(void) { pthread_key_create(&threads_key, thread_gone); }

/* Store e into one of this thread's in-flight slots (linking the thread's state at its first use). */
static void set_in_flight(wx_exn **slot, wx_exn *e) {
    pthread_mutex_lock(&threads_mutex);
    if (!tls_exn.linked) {
        pthread_once(&threads_once, make_threads_key);
        exn_thread *t = &tls_exn;
        t->prev = NULL;
        t->next = threads;
        if (threads) threads->prev = t;
        threads = t;
        t->linked = 1;
        pthread_setspecific(threads_key, t);
    }
    *slot = e;
    pthread_mutex_unlock(&threads_mutex);
}

static wx_exn *take_in_flight(wx_exn **slot) {
    if (*slot == NULL) return NULL;         /* only this thread stores into its slots */
    pthread_mutex_lock(&threads_mutex);
    wx_exn *e = *slot;
    *slot = NULL;
    pthread_mutex_unlock(&threads_mutex);
    return e;
}

static inline uint64_t exn_bytes(const wx_exn *e) { return sizeof(wx_exn) + 8 * (uint64_t)e->cap; }

void wx_eh_register(int handle, const uint32_t *table, uint64_t code_start) {
    if (handle < 0 || handle >= WX_EH_MAX_HANDLES) return;
    atomic_store(&eh_starts[handle], code_start);
    atomic_store(&eh_tables[handle], table);
}

void wx_eh_forget(int handle) {
    if (handle < 0 || handle >= WX_EH_MAX_HANDLES) return;
    atomic_store(&eh_tables[handle], NULL);
}

/* ---------------------------------------------------------------------------------------------- */
/* exception objects                                                                               */

wx_exn *wx_exn_new(wx_tag *tag, uint32_t nslots) {
    wx_exn *e = tls_free, **link = &tls_free;
    while (e != NULL && e->cap < nslots) {
        link = &e->next;
        e = e->next;
    }
    if (e != NULL) {
        *link = e->next;
        tls_nfree--;
    } else {
        uint32_t cap = nslots < 4 ? 4 : nslots;
        e = malloc(sizeof(wx_exn) + 8 * (size_t)cap);
        if (e == NULL) abort();      /* like any allocation failure of the runtime's own state */
        e->cap = cap;
    }
    e->tag = tag;
    e->flags = WX_EXN_MAGIC;
    e->next = NULL;
    e->nslots = nslots;
    __atomic_add_fetch(&tag->live, 1, __ATOMIC_RELAXED);
    return e;
}

/* The end of an exception that was never an exnref value (escaped ones stay). */
void wx_exn_release(wx_exn *e) {
    if (e == NULL || (e->flags & WX_EXN_ESCAPED)) return;
    __atomic_sub_fetch(&e->tag->live, 1, __ATOMIC_RELAXED);
    e->flags = 0;
    if (tls_nfree < WX_EXN_FREE_MAX) {
        e->next = tls_free;
        tls_free = e;
        tls_nfree++;
    } else {
        free(e);
    }
}

static inline void escape(wx_exn *e) {
    if (!(e->flags & WX_EXN_ESCAPED)) {
        e->flags |= WX_EXN_ESCAPED;
        atomic_fetch_add(&n_retained, 1);
        wx_exn *head = atomic_load(&retained);
        do e->next = head; while (!atomic_compare_exchange_weak(&retained, &head, e));
        wx_gc_charge(exn_bytes(e));          /* past the trigger: the next throw site collects */
    }
}

uint64_t wx_exn_retained(void) { return atomic_load(&n_retained); }

/* The first escaped exception (the others follow through ->next; statistics and tests only: a
 * collection on another thread may free any of them). */
wx_exn *wx_exn_retained_first(void) { return atomic_load(&retained); }

void wx_exn_set_thrown(wx_exn *e) { set_in_flight(&tls_exn.thrown, e); }

wx_exn *wx_exn_take_thrown(void) { return take_in_flight(&tls_exn.thrown); }

/* The exception that left this thread's innermost entry, still a root (Python reads its payload
 * before it takes it). */
wx_exn *wx_exn_peek_uncaught(void) { return tls_exn.uncaught; }

wx_exn *wx_exn_take_uncaught(void) { return take_in_flight(&tls_exn.uncaught); }

/* ---------------------------------------------------------------------------------------------- */
/* collection (driven by gcroots.c and jit.runtime.gc; one collection at a time)                   */

int wx_exn_mark(uint64_t w) {
    if (w == 0 || (w & 7)) return -1;
    wx_exn *e = (wx_exn *)w;
    uint64_t flags = e->flags;
    if ((flags & WX_EXN_MAGIC_MASK) != WX_EXN_MAGIC) return -1;
    if (!(flags & WX_EXN_ESCAPED)) return 1;      /* in flight: never swept, nothing points to it */
    if (flags & WX_EXN_MARK) return 0;
    e->flags = flags | WX_EXN_MARK;
    return 1;
}

void wx_exn_each_ref(uint64_t w, void (*visit)(uint64_t word, void *ctx), void *ctx) {
    const wx_exn *e = (const wx_exn *)w;
    const uint32_t *traced = e->tag->traced;
    if (traced == NULL) return;
    for (uint32_t i = 0; i < traced[0]; i++) {
        uint32_t slot = traced[1 + i];
        if (slot < e->nslots) visit(e->payload[slot], ctx);
    }
}

void wx_exn_threads_lock(void) { pthread_mutex_lock(&threads_mutex); }
void wx_exn_threads_unlock(void) { pthread_mutex_unlock(&threads_mutex); }

void wx_exn_in_flight(void (*visit)(uint64_t word, void *ctx), void *ctx) {
    for (exn_thread *t = threads; t != NULL; t = t->next) {
        if (t->uncaught) visit((uint64_t)t->uncaught, ctx);
        if (t->thrown) visit((uint64_t)t->thrown, ctx);
    }
}

uint64_t wx_exn_sweep(uint64_t *kept_bytes) {
    /* Escapes push concurrently only from threads inside Wasm, which wait while a collection runs;
     * the list is still taken whole and the survivors put back in front of anything pushed since. */
    wx_exn *list = atomic_exchange(&retained, NULL);
    wx_exn *head = NULL, *tail = NULL;
    uint64_t freed = 0, kept = 0;
    while (list != NULL) {
        wx_exn *e = list;
        list = e->next;
        if (e->flags & WX_EXN_MARK) {
            e->flags &= ~WX_EXN_MARK;
            kept += exn_bytes(e);
            e->next = NULL;
            if (tail) tail->next = e; else head = e;
            tail = e;
        } else {
            __atomic_sub_fetch(&e->tag->live, 1, __ATOMIC_RELAXED);
            e->flags = 0;
            free(e);
            freed++;
        }
    }
    if (head != NULL) {
        wx_exn *cur = atomic_load(&retained);
        do tail->next = cur; while (!atomic_compare_exchange_weak(&retained, &cur, head));
    }
    atomic_fetch_sub(&n_retained, freed);
    if (kept_bytes) *kept_bytes = kept;
    return freed;
}

/* ---------------------------------------------------------------------------------------------- */
/* the unwinder                                                                                    */

void wx_resume(uint64_t pad, uint64_t sp, wx_unwind_regs *regs, wx_exn *exn) __attribute__((noreturn));
__attribute__((noreturn)) void wx_trap_c(void *vmctx, uint64_t kind, uint64_t pc, uint64_t fp);

__asm__(
    ".text\n"
    /* wx_resume(pad, sp, regs, exn): continue at a landing pad of the frame regs->rbp. */
    ".globl wx_resume\n"
    ".type wx_resume, @function\n"
    "wx_resume:\n"
    "    mov 0(%rdx), %rbx\n"
    "    mov 8(%rdx), %r12\n"
    "    mov 16(%rdx), %r13\n"
    "    mov 24(%rdx), %rbp\n"
    "    mov %rcx, %rax\n"
    "    mov %rsi, %rsp\n"
    "    jmp *%rdi\n"
    ".size wx_resume, .-wx_resume\n"
    /* wx_throw(vmctx, tag, payload) / wx_throw_ref(vmctx, exn), called from compiled code: capture the
     * throw site (return address, the frame's rsp) and the callee-saved registers, then the C part. */
    ".globl wx_throw\n"
    ".type wx_throw, @function\n"
    "wx_throw:\n"
    "    mov (%rsp), %rcx\n"
    "    lea 8(%rsp), %r8\n"
    "    push %rbp\n"
    "    push %r13\n"
    "    push %r12\n"
    "    push %rbx\n"
    "    mov %rsp, %r9\n"
    "    sub $8, %rsp\n"
    "    call wx_throw_c\n"
    "    ud2\n"
    ".size wx_throw, .-wx_throw\n"
    ".globl wx_throw_ref\n"
    ".type wx_throw_ref, @function\n"
    "wx_throw_ref:\n"
    "    mov (%rsp), %rdx\n"
    "    lea 8(%rsp), %rcx\n"
    "    push %rbp\n"
    "    push %r13\n"
    "    push %r12\n"
    "    push %rbx\n"
    "    mov %rsp, %r8\n"
    "    sub $8, %rsp\n"
    "    call wx_throw_ref_c\n"
    "    ud2\n"
    ".size wx_throw_ref, .-wx_throw_ref\n");

/* The segment of ``off`` (a return address relative to the code start): lo < off <= hi. */
static const uint32_t *find_segment(const uint32_t *t, uint32_t off) {
    uint32_t nf = t[0], ns = t[1];
    const uint32_t *segs = t + 3 + 6 * nf;
    uint32_t lo = 0, hi = ns;
    while (lo < hi) {        /* first segment with seg.lo >= off */
        uint32_t mid = (lo + hi) / 2;
        if (segs[4 * mid] < off) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return NULL;
    const uint32_t *s = segs + 4 * (lo - 1);
    return off <= s[1] ? s : NULL;
}

/* The function of ``off`` (a return address: looked up at off - 1) if it saves registers. */
static const uint32_t *find_func(const uint32_t *t, uint32_t off) {
    uint32_t nf = t[0];
    const uint32_t *funcs = t + 3;
    uint32_t lo = 0, hi = nf, at = off - 1;
    while (lo < hi) {        /* first function with start > at */
        uint32_t mid = (lo + hi) / 2;
        if (funcs[6 * mid] <= at) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return NULL;
    const uint32_t *f = funcs + 6 * (lo - 1);
    return at < f[1] ? f : NULL;
}

__attribute__((noreturn)) void wx_unwind(wx_exn *exn, uint64_t pc, uint64_t sp, wx_unwind_regs *regs) {
    uint64_t throw_pc = pc, throw_fp = regs->rbp;
    for (;;) {
        uint64_t fp = regs->rbp;
        int h = wx_code_range_at(pc);
        if (h < 0) break;                          /* the entry: uncaught in this call */
        const uint32_t *t = atomic_load(&eh_tables[h]);
        if (t != NULL) {
            uint64_t start = atomic_load(&eh_starts[h]);
            uint32_t off = (uint32_t)(pc - start);
            const uint32_t *seg = find_segment(t, off);
            if (seg != NULL) {
                const uint32_t *clauses = t + 3 + 6 * t[0] + 4 * t[1];
                uint64_t vmctx = *(uint64_t *)(fp - 8);
                for (uint32_t i = 0; i < seg[3]; i++) {
                    const uint32_t *c = clauses + 3 * (seg[2] + i);
                    uint32_t kind = c[0];
                    if (kind < 2 && *(wx_tag **)(vmctx + c[1]) != exn->tag) continue;
                    if (kind & 1) escape(exn);
                    else wx_exn_release(exn);      /* read by the pad before anything can reuse it */
                    wx_resume(start + c[2], sp, regs, exn);
                }
            }
            const uint32_t *f = find_func(t, off);
            if (f != NULL) {                       /* leaving the frame: its caller's registers back */
                if (f[2] & 1) regs->rbx = *(uint64_t *)(fp + (int32_t)f[3]);
                if (f[2] & 2) regs->r12 = *(uint64_t *)(fp + (int32_t)f[4]);
                if (f[2] & 4) regs->r13 = *(uint64_t *)(fp + (int32_t)f[5]);
            }
        }
        if (fp == 0 || (fp & 7)) break;
        pc = ((uint64_t *)fp)[1];
        sp = fp + 16;
        regs->rbp = ((uint64_t *)fp)[0];
        if (regs->rbp <= fp) break;                /* frames grow towards higher addresses */
    }
    set_in_flight(&tls_exn.uncaught, exn);
    wx_trap_c(NULL, WX_TRAP_UNCAUGHT_EXCEPTION, throw_pc, throw_fp);
}

__attribute__((noreturn, used)) void wx_throw_c(void *vmctx, wx_tag *tag, uint64_t *payload, uint64_t pc,
                                               uint64_t sp, wx_unwind_regs *regs) {
    (void)vmctx;
    uint32_t n = (uint32_t)tag->nslots;
    wx_exn *e = wx_exn_new(tag, n);
    memcpy(e->payload, payload, 8 * (size_t)n);
    uint64_t root = (uint64_t)e;
    wx_gc_collect_if_due(pc, regs->rbp, &root, 1);    /* a safepoint: the exception is its root */
    wx_unwind(e, pc, sp, regs);
}

__attribute__((noreturn, used)) void wx_throw_ref_c(void *vmctx, wx_exn *exn, uint64_t pc, uint64_t sp,
                                                   wx_unwind_regs *regs) {
    if (exn == NULL) wx_trap_c(vmctx, WX_TRAP_NULL_EXCEPTION_REFERENCE, pc, regs->rbp);
    uint64_t root = (uint64_t)exn;
    wx_gc_collect_if_due(pc, regs->rbp, &root, 1);
    wx_unwind(exn, pc, sp, regs);
}
