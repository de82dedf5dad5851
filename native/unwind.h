/* wxjit exception handling (native/unwind.c): exception objects, the zero-cost handler tables of
 * loaded code, and the unwinder that walks Wasm frames to a landing pad (docs/exceptions.md). */
#ifndef WXJIT_UNWIND_H
#define WXJIT_UNWIND_H
#include <stdint.h>

/* VMTag / VMExn of jit/abi/vmctx.py (offsets checked in unwind.c). */
typedef struct wx_tag {
    uint64_t nslots;
    uint64_t live;
} wx_tag;

typedef struct wx_exn {
    wx_tag *tag;
    uint64_t flags;          /* bit 0: escaped (reached Wasm as an exnref): never freed */
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
uint64_t wx_exn_retained(void);
wx_exn *wx_exn_retained_first(void);

/* From runtime.c: a Wasm exception a host function raised (set by the Python dispatcher) is thrown
 * from the host-call stub's frame. */
wx_exn *wx_exn_take_thrown(void);
__attribute__((noreturn)) void wx_unwind(wx_exn *exn, uint64_t pc, uint64_t sp, wx_unwind_regs *regs);

/* Helpers called by compiled code (asm stubs capture the throw site). */
void wx_throw(void *vmctx, wx_tag *tag, uint64_t *payload) __attribute__((noreturn));
void wx_throw_ref(void *vmctx, wx_exn *exn) __attribute__((noreturn));

#endif
