/* wxjit roots and collection (native/gcroots.c, docs/gc.md): stack maps of loaded code, the frame
 * walker, the count of threads inside Wasm, the marking of reference words (externref handles and,
 * through the heap's operations, GC heap objects). jit.runtime.gc drives a collection. */
#ifndef WXJIT_GCROOTS_H
#define WXJIT_GCROOTS_H
#include <stdint.h>

/* Registered by the GC heap (h16gcobj's native/gc.c) so that marking can trace heap objects:
 * mark(obj) sets the object's mark bit and returns 1 if it was clear (0: marked already, or not an
 * object of the heap); each_ref(obj, visit, ctx) calls visit(word, ctx) for every reference field
 * of obj; sweep() frees every unmarked object and clears the marks of the others. */
typedef struct wx_gc_heap_ops {
    int (*mark)(uint64_t obj);
    void (*each_ref)(uint64_t obj, void (*visit)(uint64_t word, void *ctx), void *ctx);
    void (*sweep)(void);
} wx_gc_heap_ops;

/* A collection's marks: one byte per externref handle (marks[h] = 1: reachable). */
typedef struct wx_gc_marks {
    uint8_t *handles;
    uint64_t n_handles;
    uint64_t words;          /* reference words seen (statistics) */
    uint64_t frames;         /* Wasm frames walked */
    uint64_t objects;        /* heap objects marked */
    uint64_t exceptions;     /* escaped exceptions marked */
    uint64_t exceptions_freed;   /* escaped exceptions the sweep freed */
} wx_gc_marks;

void wx_gc_register_maps(int handle, const uint32_t *table, uint64_t code_start);
void wx_gc_forget_maps(int handle);
void wx_gc_set_heap_ops(const wx_gc_heap_ops *ops);

int wx_gc_threads_in_wasm(void);
int wx_gc_begin(void);
void wx_gc_end(void);
void wx_gc_thread_enters(void);
void wx_gc_thread_leaves(void);
int wx_gc_holding_results(void);
void wx_gc_hold_results(void);
void wx_gc_release_results(void);
int wx_gc_exit_depth(void);
/* An exit from Wasm at a safepoint: fp is a frame-shaped record, [fp] the Wasm caller's rbp and
 * [fp + 8] the return address into it. Records live on the C stack of the exiting call. */
typedef struct wx_gc_exit {
    uint64_t fp;
    struct wx_gc_exit *prev;
} wx_gc_exit;
void wx_gc_exit_push(wx_gc_exit *rec, uint64_t fp);
void wx_gc_exit_pop(wx_gc_exit *rec);
int wx_gc_collect_from_wasm(uint64_t return_address, uint64_t wasm_fp);

int wx_gc_mark_frames(wx_gc_marks *m);
void wx_gc_mark_words(wx_gc_marks *m, const uint64_t *words, uint64_t n);
void wx_gc_mark_word_ptrs(wx_gc_marks *m, const uint64_t *ptrs, uint64_t n);
void wx_gc_mark_tables(wx_gc_marks *m, const uint64_t *tables, uint64_t n);
void wx_gc_mark_segments(wx_gc_marks *m, const uint64_t *segments, uint64_t n);
void wx_gc_mark_in_flight(wx_gc_marks *m);
void wx_gc_mark_held_exceptions(wx_gc_marks *m, uint64_t *words, uint64_t n);
void wx_gc_sweep_heap(wx_gc_marks *m);
int64_t wx_gc_lookup_map(uint64_t pc, int32_t *out, int max);
#endif
