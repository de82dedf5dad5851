/* WASI preview1 functions answered in C without entering Python (wasi_fast.c). */
#ifndef WXJIT_WASI_FAST_H
#define WXJIT_WASI_FAST_H
#include <stdint.h>

/* The state one jit.wasi.Wasi shares with its C handlers (jit/wasi/native.py fills it). */
typedef struct wx_wasi_ctx {
    void *memory;              /* the bound VMMemory (NULL: not bound to one; Python answers) */
    const uint8_t *args;       /* the arguments, each with its NUL, back to back (NULL: Python answers) */
    uint64_t argc, args_size;
    const uint8_t *env;        /* "KEY=VALUE" strings, the same way */
    uint64_t envc, env_size;
    uint64_t errno_fault, errno_inval;   /* preview1 errno values (jit.wasi.abi) */
} wx_wasi_ctx;

/* A handler: 1 when it answered (the errno result in slots[0]), 0 when Python has to. */
typedef int (*wx_fast_fn)(void *ctx, uint64_t *slots);

uint64_t wx_wasi_fast_handler(uint32_t id);
int wx_wasi_fast_call(uint32_t id, wx_wasi_ctx *ctx, uint64_t *slots);
#endif
