/* wxjit runtime: entry into compiled code, traps (signals and explicit), host calls, linear memory.
 *
 * See docs/abi.md. Everything here is called either from Python through cffi (wx_call*, wx_memory_*,
 * wx_install_signal_handlers, wx_register_code, wx_relocate, ...) or from compiled code through the
 * module GOT (the helpers wx_trap, wx_memory_grow, wx_host_call; their ids are in vmctx.h).
 */
#ifndef WXJIT_RUNTIME_H
#define WXJIT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/* One linear memory; the layout is VMMemory of jit/abi/vmctx.py (offsets checked in runtime.c). */
typedef struct wx_memory {
    uint64_t base;       /* start of the reservation (never moves) */
    uint64_t length;     /* accessible bytes */
    uint64_t pages;      /* current pages */
    uint64_t max_pages;  /* maximum pages */
    uint64_t reserved;   /* bytes reserved (PROT_NONE beyond length) */
} wx_memory;

/* --- entry ------------------------------------------------------------------------------------ */
/* Returned by wx_call* when another thread is running the instance's group (nothing was done). */
#define WX_CALL_BUSY (-1)
/* What the typed entries wx_call0..3 return when the call did not return normally (see wx_last_rc). */
#define WX_RC_MAGIC 0x8000DEAD0BADF00DULL
int wx_call(void *code, void *vmctx, uint64_t *slots, uint32_t n_in, uint32_t n_out);
uint64_t wx_call0(void *code, void *vmctx);
uint64_t wx_call1(void *code, void *vmctx, uint64_t a0);
uint64_t wx_call2(void *code, void *vmctx, uint64_t a0, uint64_t a1);
uint64_t wx_call3(void *code, void *vmctx, uint64_t a0, uint64_t a1, uint64_t a2);
int wx_last_rc(void);
uint64_t wx_last_trap_pc(void);
uint64_t wx_last_trap_fp(void);
int wx_last_backtrace(uint64_t *out, int max);
int wx_entry_depth(void);

/* --- signals and code ranges ------------------------------------------------------------------- */
int wx_install_signal_handlers(void);
int wx_ensure_signal_handlers(void);
int wx_signal_handlers_in_front(void);
int wx_register_code(uint64_t start, uint64_t end);
void wx_unregister_code(int handle);
int wx_pc_in_code(uint64_t pc);
int wx_code_range_at(uint64_t pc);   /* handle of the range holding pc, or -1 */

/* --- loading ------------------------------------------------------------------------------------ */
uint64_t wx_helper_address(uint32_t id);
int64_t wx_relocate(uint8_t *code, size_t size, const uint64_t *relocs, size_t n_relocs);

/* --- linear memory ------------------------------------------------------------------------------ */
wx_memory *wx_memory_new(uint64_t min_pages, uint64_t max_pages, uint64_t reserve_bytes);
void wx_memory_free(wx_memory *mem);
uint64_t wx_memory_grow_mem(wx_memory *mem, uint64_t delta_pages);

/* --- helpers called by compiled code (SysV ABI) ------------------------------------------------- */
void wx_trap(void *vmctx, uint64_t kind) __attribute__((noreturn));
uint64_t wx_memory_grow(void *vmctx, uint64_t delta_pages);
uint64_t wx_memory_grow_at(wx_memory *mem, uint64_t delta_pages);
void wx_host_call(void *vmctx, uint64_t import_index, uint64_t *slots);

#endif
