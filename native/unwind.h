/* wxjit exception handling (native/unwind.c): exception objects, the zero-cost handler tables of
 * loaded code, and the unwinder that walks Wasm frames to a landing pad (docs/exceptions.md). */
#ifndef WXJIT_UNWIND_H
#define WXJIT_UNWIND_H
#include <stdint.h>

/* VMTag / VMExn of jit/abi/vmctx.py (offsets checked in unwind.c). */
typedef struct wx_tag {
    uint64_t nslots;
    uint64_t live;
    const uint32_t *traced;  /* payload slots a collection follows: count, then slot indices (or NULL) */
} wx_tag;

typedef struct wx_exn {
    wx_tag *tag;
    uint64_t flags;          /* bit 0: escaped (reached Wasm as an exnref: freed by a collection);
                              * bit 1: the collector's mark; bits 32..63: WX_EXN_MAGIC */
    struct wx_exn *next;
    uint32_t nslots, cap;
    uint64_t payload[];
} wx_exn;

/* The callee-saved registers of the frame being unwound, as the asm stubs capture them. */
typedef struct wx_unwind_regs {
    uint64_t rbx, r12, r13, rbp;
} wx_unwind_regs;

/* Python side: handler tables of loaded code, exception objects. */
void wx_eh_register(int handle, const uint32_t *table, uint64_t code_start);
void wx_eh_forget(int handle);
wx_exn *wx_exn_new(wx_tag *tag, uint32_t nslots);
void wx_exn_release(wx_exn *exn);
void wx_exn_set_thrown(wx_exn *exn);
wx_exn *wx_exn_take_uncaught(void);
wx_exn *wx_exn_peek_uncaught(void);
uint64_t wx_exn_retained(void);
wx_exn *wx_exn_retained_first(void);

/* The collector's side (gcroots.c): wx_exn_mark(w) is -1 when w is not an exception object, 0 when
 * it is one marked already, 1 when its payload is to be traced (an escaped exception just marked, or
 * one in flight: those are never swept); wx_exn_each_ref visits the traced payload words;
 * wx_exn_in_flight visits, under the lock of the per-thread states (wx_exn_threads_lock), the
 * exceptions that left an entry or that a host function raised and are not taken yet, on every
 * thread; wx_exn_sweep frees the unmarked escaped exceptions (and clears the marks of the others):
 * it returns how many it freed and the bytes it kept in *kept_bytes. */
int wx_exn_mark(uint64_t w);
void wx_exn_each_ref(uint64_t w, void (*visit)(uint64_t word, void *ctx), void *ctx);
void wx_exn_threads_lock(void);
void wx_exn_threads_unlock(void);
void wx_exn_in_flight(void (*visit)(uint64_t word, void *ctx), void *ctx);
uint64_t wx_exn_sweep(uint64_t *kept_bytes);

/* From runtime.c: a Wasm exception a host function raised (set by the Python dispatcher) is thrown
 * from the host-call stub's frame. */
wx_exn *wx_exn_take_thrown(void);
__attribute__((noreturn)) void wx_unwind(wx_exn *exn, uint64_t pc, uint64_t sp, wx_unwind_regs *regs);

/* Helpers called by compiled code (asm stubs capture the throw site). */
void wx_throw(void *vmctx, wx_tag *tag, uint64_t *payload) __attribute__((noreturn));
void wx_throw_ref(void *vmctx, wx_exn *exn) __attribute__((noreturn));

#endif
