/* WASI preview1 hot calls answered in C: clock_time_get, clock_res_get, random_get, sched_yield,
 * args_sizes_get/args_get, environ_sizes_get/environ_get.
 *
 * wx_host_call (runtime.c) reaches a handler through the instance's table of fast host functions
 * (VMCTX_HOST_FAST: (handler, context) per import index, jit.runtime.host.install_fast) before it
 * would enter Python. Each handler does exactly what jit/wasi/host.py does for the same call: the
 * same clocks, the same bounds (a pointer or length outside the bound memory's current length gives
 * EFAULT, the writes before it stay done), the same order of writes; it returns 0 to let Python answer
 * whatever it does not handle (no bound memory, an unexpected host error). None of these calls blocks,
 * so none waits on interrupts. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "vmctx.h"
#include "wasi_fast.h"

#define M32 0xFFFFFFFFULL
#define MEM_BASE(m) (*(uint64_t *)((char *)(m) + WX_VMMEMORY_BASE))
#define MEM_LENGTH(m) (*(uint64_t *)((char *)(m) + WX_VMMEMORY_LENGTH))

/* The host clocks of the preview1 clock ids (as time.time_ns, monotonic_ns, process_time_ns and
 * thread_time_ns read them). */
static int host_clock(uint64_t id, clockid_t *out) {
    static const clockid_t clocks[4] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                        CLOCK_THREAD_CPUTIME_ID};
    if (id > 3) return 0;
    *out = clocks[id];
    return 1;
}

/* Store a little-endian u32/u64 at ptr if [ptr, ptr + n) is inside memory; else 0 (EFAULT). */
static int put(void *mem, uint64_t ptr, uint64_t value, unsigned n) {
    uint64_t len = MEM_LENGTH(mem);
    if (ptr > len || len - ptr < n) return 0;
    memcpy((char *)MEM_BASE(mem) + ptr, &value, n);
    return 1;
}

/* clock_time_get (id, precision, *time) and clock_res_get (id, *resolution): one clock read,
 * the result stored at the pointer argument `out` (slot 2 or slot 1). */
static int clock_query(void *c, uint64_t *slots, int resolution, unsigned out) {
    wx_wasi_ctx *ctx = c;
    if (ctx->memory == NULL) return 0;
    clockid_t clk;
    if (!host_clock(slots[0] & M32, &clk)) {
        slots[0] = ctx->errno_inval;
        return 1;
    }
    struct timespec ts;
    if ((resolution ? clock_getres(clk, &ts) : clock_gettime(clk, &ts)) != 0) return 0;
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    if (resolution && ns == 0) ns = 1;
    slots[0] = put(ctx->memory, slots[out] & M32, ns, 8) ? 0 : ctx->errno_fault;
    return 1;
}

static int clock_time_get(void *c, uint64_t *slots) { return clock_query(c, slots, 0, 2); }
static int clock_res_get(void *c, uint64_t *slots) { return clock_query(c, slots, 1, 1); }

static int random_get(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    if (ctx->memory == NULL) return 0;
    uint64_t ptr = slots[0] & M32, n = slots[1] & M32, len = MEM_LENGTH(ctx->memory);
    if (ptr + n > len) {
        slots[0] = ctx->errno_fault;
        return 1;
    }
    char *p = (char *)MEM_BASE(ctx->memory) + ptr;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return 0;               /* Python answers (and maps the host error the same way) */
        }
        p += got;
        n -= (uint64_t)got;
    }
    slots[0] = 0;
    return 1;
}

static int sched_yield_(void *c, uint64_t *slots) {
    (void)c;
    sched_yield();
    slots[0] = 0;
    return 1;
}

/* args_sizes_get / environ_sizes_get: the count, then the bytes with their NULs. */
static int sizes(wx_wasi_ctx *ctx, uint64_t count, uint64_t size, uint64_t *slots) {
    if (ctx->memory == NULL) return 0;
    int ok = put(ctx->memory, slots[0] & M32, count, 4) && size <= M32 &&
             put(ctx->memory, slots[1] & M32, size, 4);
    slots[0] = ok ? 0 : ctx->errno_fault;
    return 1;
}

/* args_get / environ_get: for each string, its address into the pointer array, then its bytes. */
static int strings(wx_wasi_ctx *ctx, const uint8_t *items, uint64_t count, uint64_t *slots) {
    void *mem = ctx->memory;
    if (mem == NULL || items == NULL) return 0;
    uint64_t ptrs = slots[0] & M32, buf = slots[1] & M32, len = MEM_LENGTH(mem);
    const uint8_t *item = items;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t n = strlen((const char *)item) + 1;
        if (buf > M32 || !put(mem, ptrs + 4 * i, buf, 4) || (buf & M32) + n > len) {
            slots[0] = ctx->errno_fault;
            return 1;
        }
        memcpy((char *)MEM_BASE(mem) + (buf & M32), item, n);
        buf += n;
        item += n;
    }
    slots[0] = 0;
    return 1;
}

static int args_sizes_get(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    return sizes(ctx, ctx->argc, ctx->args_size, slots);
}

static int args_get(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    return strings(ctx, ctx->args, ctx->argc, slots);
}

static int environ_sizes_get(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    return sizes(ctx, ctx->envc, ctx->env_size, slots);
}

static int environ_get(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    return strings(ctx, ctx->env, ctx->envc, slots);
}

/* Handler ids: the order of jit/wasi/native.py FAST_FUNCTIONS. */
static const wx_fast_fn handlers[] = {clock_time_get, clock_res_get, random_get, sched_yield_,
                                      args_sizes_get, args_get, environ_sizes_get, environ_get};

uint64_t wx_wasi_fast_handler(uint32_t id) {
    return id < sizeof handlers / sizeof handlers[0] ? (uint64_t)handlers[id] : 0;
}

/* One handler called directly (tests and the micro-benchmark's baseline): 1 answered, 0 not. */
int wx_wasi_fast_call(uint32_t id, wx_wasi_ctx *ctx, uint64_t *slots) {
    wx_fast_fn fn = (wx_fast_fn)wx_wasi_fast_handler(id);
    return fn != NULL ? fn(ctx, slots) : 0;
}
