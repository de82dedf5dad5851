/* WASI preview1 hot calls answered in C: clock_time_get, clock_res_get, random_get, sched_yield,
 * args_sizes_get/args_get, environ_sizes_get/environ_get, and fd_write, fd_read, fd_seek, fd_tell on
 * the descriptors jit/wasi/host.py mirrors into ctx->fds (regular files the guest opened, and the
 * stdio streams when all three are host descriptors).
 *
 * wx_host_call (runtime.c) reaches a handler through the instance's table of fast host functions
 * (VMCTX_HOST_FAST: (handler, context) per import index, jit.runtime.host.install_fast) before it
 * would enter Python. Each handler does exactly what jit/wasi/host.py does for the same call: the
 * same clocks, the same bounds (a pointer or length outside the bound memory's current length gives
 * EFAULT, the writes before it stay done), the same order of writes; it returns 0 to let Python answer
 * whatever it does not handle (no bound memory, an unexpected host error).
 *
 * The descriptor calls follow host.py's Wasi.fd_write/fd_read/fd_seek: the same checks in the same
 * order (rights -> ENOTCAPABLE, an iovec array or buffer outside memory -> EFAULT before any I/O, the
 * result pointer checked after the I/O), host errors mapped by ctx->errno_of (abi.HOST_ERRNO).
 * Nothing here waits where Python would wait interruptibly: a read of a pipe or terminal with no input
 * ready, or with the instance's interrupt pending, is declined (Python's Blocker waits or traps); a
 * stream write that meets EAGAIN before writing anything is declined too. A stream write that meets
 * EAGAIN after a partial write polls in slices of WAIT_SLICE_MS and stops early (a short count, errno
 * 0) only when an interrupt arrives, which the guest's next interrupt check then takes. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

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

/* ---- descriptors ---------------------------------------------------------------------------- */

#define MAX_IOVECS 64          /* more non-empty iovecs than this: Python answers */
#define WAIT_SLICE_MS 50       /* as jit.wasi.blocking.SLICE */

/* The mirrored entry of guest fd `fd`, or NULL (Python answers). */
static const wx_wasi_fd *fd_entry(wx_wasi_ctx *ctx, uint64_t fd) {
    fd &= M32;
    if (ctx->memory == NULL || fd >= ctx->nfds || ctx->fds[fd].host_fd < 0) return NULL;
    return &ctx->fds[fd];
}

static uint64_t host_errno(wx_wasi_ctx *ctx, int err) {
    return err > 0 && err < WX_WASI_HOST_ERRNOS ? ctx->errno_of[err] : ctx->errno_io;
}

/* Whether the bound instance's group has an interrupt (or a passed deadline) pending. */
static int interrupt_pending(wx_wasi_ctx *ctx) {
    if (ctx->vmctx == NULL) return 0;
    const char *group = *(char *const *)((const char *)ctx->vmctx + WX_VMCTX_OWNER_PTR);
    return group != NULL && __atomic_load_n((const uint64_t *)(group + WX_GROUP_INTERRUPT), __ATOMIC_ACQUIRE) != 0;
}

/* The iovec array (iovs, n) of guest memory as host iovecs, empty ones left out (as Wasi._iovecs).
 * Returns the number kept, -1 for EFAULT (the array or a buffer outside memory), -2 when there are
 * more than MAX_IOVECS (Python answers). */
static int gather(void *mem, uint64_t iovs, uint64_t n, struct iovec *out, uint64_t *total) {
    uint64_t len = MEM_LENGTH(mem);
    const uint8_t *base = (const uint8_t *)MEM_BASE(mem);
    *total = 0;
    if (n == 0) return 0;
    if (iovs > len || (len - iovs) / 8 < n) return -1;
    for (uint64_t i = 0; i < n; i++) {            /* every entry is checked before any I/O */
        uint32_t v[2];
        memcpy(v, base + iovs + 8 * i, 8);
        if ((uint64_t)v[0] + v[1] > len) return -1;
    }
    int kept = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v[2];
        memcpy(v, base + iovs + 8 * i, 8);
        if (v[1] == 0) continue;
        if (kept == MAX_IOVECS) return -2;
        out[kept].iov_base = (void *)(base + v[0]);
        out[kept].iov_len = v[1];
        kept++;
        *total += v[1];
    }
    return kept;
}

/* The start fd_write and fd_read share: the descriptor of slots[0] holding `right`, and the guest's
 * iovecs (slots[1], slots[2]) gathered into iov (*n of them). NULL when the call is already decided:
 * *answer = 0 (Python handles it) or 1 (slots[0] holds the errno: ENOTCAPABLE or a fault). */
static const wx_wasi_fd *iovec_call(wx_wasi_ctx *ctx, uint64_t *slots, uint64_t right, struct iovec *iov,
                                    int *n, int *answer) {
    const wx_wasi_fd *e = fd_entry(ctx, slots[0]);
    *answer = 0;
    if (e == NULL) return NULL;
    if (!(e->rights & right)) {
        slots[0] = ctx->errno_notcapable;
        *answer = 1;
        return NULL;
    }
    uint64_t total;
    *n = gather(ctx->memory, slots[1] & M32, slots[2] & M32, iov, &total);
    if (*n == -2) return NULL;
    if (*n == -1) {
        slots[0] = ctx->errno_fault;
        *answer = 1;
        return NULL;
    }
    return e;
}

/* fd_write(fd, iovs, iovs_len, *nwritten). */
static int fd_write(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    struct iovec iov[MAX_IOVECS];
    int n, answer;
    const wx_wasi_fd *e = iovec_call(ctx, slots, ctx->right_write, iov, &n, &answer);
    if (e == NULL) return answer;
    uint64_t done = 0;
    struct iovec *v = iov;
    while (n > 0) {
        ssize_t w = writev(e->host_fd, v, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN && e->flags & WX_WASI_FD_STREAM) {
                if (done == 0) return 0;        /* Python waits for it (interruptibly) */
                struct pollfd p = {.fd = e->host_fd, .events = POLLOUT};
                while (!interrupt_pending(ctx) && poll(&p, 1, WAIT_SLICE_MS) == 0) {}
                if (interrupt_pending(ctx)) break;   /* a short count; the guest's next check traps */
                continue;
            }
            slots[0] = host_errno(ctx, errno);
            return 1;
        }
        done += (uint64_t)w;
        if (!(e->flags & WX_WASI_FD_STREAM)) break;       /* a file: one writev, as os.writev */
        while (n > 0 && (uint64_t)w >= v->iov_len) {
            w -= (ssize_t)v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + w;
            v->iov_len -= (size_t)w;
        }
    }
    slots[0] = put(ctx->memory, slots[3] & M32, done, 4) ? 0 : ctx->errno_fault;
    return 1;
}

/* fd_read(fd, iovs, iovs_len, *nread). */
static int fd_read(void *c, uint64_t *slots) {
    wx_wasi_ctx *ctx = c;
    struct iovec iov[MAX_IOVECS];
    int n, answer;
    const wx_wasi_fd *e = iovec_call(ctx, slots, ctx->right_read, iov, &n, &answer);
    if (e == NULL) return answer;
    ssize_t got = 0;
    if (n > 0) {
        if (e->flags & WX_WASI_FD_READ_WAITS) {
            /* only when input is there now and no interrupt waits; else Blocker.wait decides */
            struct pollfd p = {.fd = e->host_fd, .events = POLLIN | POLLPRI};
            if (interrupt_pending(ctx) || poll(&p, 1, 0) != 1) return 0;
        }
        do
            got = readv(e->host_fd, iov, n);
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            if (errno == EAGAIN && e->flags & WX_WASI_FD_STREAM) return 0;   /* Stream.read waits again */
            slots[0] = host_errno(ctx, errno);
            return 1;
        }
    }
    slots[0] = put(ctx->memory, slots[3] & M32, (uint64_t)got, 4) ? 0 : ctx->errno_fault;
    return 1;
}

/* fd_seek(fd, offset, whence, *newoffset) and fd_tell(fd, *offset) = fd_seek(fd, 0, CUR, ...). */
static int seek(wx_wasi_ctx *ctx, uint64_t fd, int64_t offset, uint64_t whence, uint64_t out, uint64_t *slots) {
    static const int how[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
    const wx_wasi_fd *e = fd_entry(ctx, fd);
    if (e == NULL) return 0;
    if (whence > 2) {
        slots[0] = ctx->errno_inval;
        return 1;
    }
    if (!(e->rights & ctx->right_seek) && !(offset == 0 && whence == 1 && e->rights & ctx->right_tell)) {
        slots[0] = ctx->errno_notcapable;
        return 1;
    }
    off_t pos = lseek(e->host_fd, (off_t)offset, how[whence]);
    if (pos < 0) {
        slots[0] = host_errno(ctx, errno);
        return 1;
    }
    slots[0] = put(ctx->memory, out, (uint64_t)pos, 8) ? 0 : ctx->errno_fault;
    return 1;
}

static int fd_seek(void *c, uint64_t *slots) {
    return seek(c, slots[0], (int64_t)slots[1], slots[2] & M32, slots[3] & M32, slots);
}

static int fd_tell(void *c, uint64_t *slots) { return seek(c, slots[0], 0, 1, slots[1] & M32, slots); }

/* Handler ids: the order of jit/wasi/native.py FAST_FUNCTIONS. */
static const wx_fast_fn handlers[] = {clock_time_get, clock_res_get, random_get, sched_yield_,
                                      args_sizes_get, args_get, environ_sizes_get, environ_get,
                                      fd_write, fd_read, fd_seek, fd_tell};

uint64_t wx_wasi_fast_handler(uint32_t id) {
    return id < sizeof handlers / sizeof handlers[0] ? (uint64_t)handlers[id] : 0;
}

/* The micro-benchmark's floor: handler `id` called `n` times with fresh copies of `args` (nargs
 * slots), no compiled code and no host-call path around it. Returns how many calls it answered. */
uint64_t wx_wasi_fast_repeat(uint32_t id, wx_wasi_ctx *ctx, const uint64_t *args, uint32_t nargs, uint64_t n) {
    wx_fast_fn fn = (wx_fast_fn)wx_wasi_fast_handler(id);
    uint64_t slots[8], answered = 0;
    if (fn == NULL || nargs > 8) return 0;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(slots, args, nargs * sizeof *args);
        answered += (uint64_t)fn(ctx, slots);
    }
    return answered;
}

/* One handler called directly (tests and the micro-benchmark's baseline): 1 answered, 0 not. */
int wx_wasi_fast_call(uint32_t id, wx_wasi_ctx *ctx, uint64_t *slots) {
    wx_fast_fn fn = (wx_fast_fn)wx_wasi_fast_handler(id);
    return fn != NULL ? fn(ctx, slots) : 0;
}
