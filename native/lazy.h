/* Lazy compilation (native/lazy.c, docs/lazy-compilation.md): the native side of compiling a
 * function on its first call.
 *
 * A lazily compiled module's code starts with one jump slot per function (jmp [rip + pointer]); a
 * pointer holds the function's lazy entry until the function is compiled. The lazy entry reaches
 * the module's common stub, which calls wx_lazy_entry: like wx_host_call it checks the native stack
 * left (48 KiB, out of the headroom the stack limit keeps, not the host stack), enters Python through cffi (wx_py_lazy_compile, which takes the GIL; the module
 * compiles and installs the function, or keeps the exception it raised), puts our fault handlers
 * back in front if anything displaced them, and returns the code address the stub jumps to (or
 * traps "host exception", whose Python exception the caller's wrapper re-raises).
 *
 * wx_lazy_install writes a compiled function and then its pointer through the arena's writable
 * view, under the arena's lock: the code first, the pointer last with one aligned 8-byte release
 * store, so a thread that reads the new pointer (through the executable view of the same pages)
 * runs complete code. Nothing is ever writable and executable at one address, nothing is
 * mprotected, and no instruction that may be running is modified (only a data pointer is).
 */
#ifndef WX_LAZY_H
#define WX_LAZY_H

#include <stdint.h>

#include "arena.h"

/* Copy code[0..n) to arena offset off and then store value at arena offset ptr_off (8-aligned), both
 * through the writable view. WX_ARENA_OK, or a status (WX_ARENA_ERR with the reason in
 * wx_arena_error: no writable view, out of range). The memfd_strict strategy maps its view for the
 * write; memfd_pwrite (no view, no atomic store) is refused: lazy compilation needs a view. */
int64_t wx_lazy_install(wx_arena *a, uint64_t off, const uint8_t *code, uint64_t n, uint64_t ptr_off,
                        uint64_t value);
/* Whether the arena can take wx_lazy_install (its strategy has a writable view). */
int wx_lazy_supported(wx_arena *a);
/* The address the common stub calls: uint64_t wx_lazy_entry(token, defined index, vmctx). */
uint64_t wx_lazy_entry_address(void);

#endif
