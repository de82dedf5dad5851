/* WASI preview1 functions answered in C without entering Python (wasi_fast.c). */
#ifndef WXJIT_WASI_FAST_H
#define WXJIT_WASI_FAST_H
#include <stdint.h>

/* One guest descriptor the C handlers may answer: a host fd (a regular file or stdio stream the
 * guest holds), its rights, and how reads and writes behave (WX_WASI_FD_* flags). host_fd < 0:
 * Python answers every call on it (directories, captured streams, closed descriptors). */
typedef struct wx_wasi_fd {
    int32_t host_fd;
    uint32_t flags;
    uint64_t rights;
} wx_wasi_fd;

#define WX_WASI_FD_STREAM 1u      /* a stdio stream: writes complete (short writes and EAGAIN retried) */
#define WX_WASI_FD_READ_WAITS 2u  /* a pipe/terminal: a read waits through Python's Blocker when empty */
#define WX_WASI_HOST_ERRNOS 160   /* host errno values mapped by errno_of (larger ones: EIO) */

/* The state one jit.wasi.Wasi shares with its C handlers (jit/wasi/native.py fills it). */
typedef struct wx_wasi_ctx {
    void *memory;              /* the bound VMMemory (NULL: not bound to one; Python answers) */
    const uint8_t *args;       /* the arguments, each with its NUL, back to back (NULL: Python answers) */
    uint64_t argc, args_size;
    const uint8_t *env;        /* "KEY=VALUE" strings, the same way */
    uint64_t envc, env_size;
    uint64_t errno_fault, errno_inval;   /* preview1 errno values (jit.wasi.abi) */
    uint64_t errno_notcapable, errno_io;
    wx_wasi_fd *fds;           /* guest fd -> entry, nfds of them (guest fds beyond: Python answers) */
    uint64_t nfds;
    uint64_t right_read, right_write, right_seek, right_tell;
    void *vmctx;               /* the bound instance (its group's interrupt flag), or NULL */
    uint16_t errno_of[WX_WASI_HOST_ERRNOS];   /* host errno -> preview1 errno (abi.HOST_ERRNO) */
} wx_wasi_ctx;

/* A handler: 1 when it answered (the errno result in slots[0]), 0 when Python has to. */
typedef int (*wx_fast_fn)(void *ctx, uint64_t *slots);

uint64_t wx_wasi_fast_handler(uint32_t id);
int wx_wasi_fast_call(uint32_t id, wx_wasi_ctx *ctx, uint64_t *slots);
uint64_t wx_wasi_fast_repeat(uint32_t id, wx_wasi_ctx *ctx, const uint64_t *args, uint32_t nargs, uint64_t n);
#endif
