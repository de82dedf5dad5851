/* The measured loop of `wxjit bench loader` (see loaderbench.h). */
#define _GNU_SOURCE
#include "loaderbench.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "codemem.h"

#define PAGE ((size_t)4096)

typedef void (*wx_lb_fn)(void);

static inline int one_load(wx_codemem *m, size_t pages)
{
    static const char ret = (char)0xc3;
    if (wx_cm_begin(m))
        return -1;
    uint8_t *w = m->wptr;
    if (w) {
        for (size_t p = 0; p < pages; p++)
            w[p * PAGE] = 0xc3;
    } else {
        for (size_t p = 0; p < pages; p++)
            if (wx_cm_write(m, p * PAGE, &ret, 1))
                return -1;
    }
    uint8_t *x = (uint8_t *)wx_cm_publish(m);
    if (!x)
        return -1;
    for (size_t p = 0; p < pages; p++)
        ((wx_lb_fn)(x + p * PAGE))();
    return wx_cm_finish(m);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (uint64_t)ru.ru_minflt;
}

int wx_lb_run(int strategy, size_t pages, uint64_t iters, uint64_t warmup, uint32_t rotate_every,
              wx_lb_result *out)
{
    wx_codemem m;
    memset(out, 0, sizeof *out);
    int rc = wx_cm_open(&m, strategy, pages * PAGE, pages * PAGE, rotate_every);
    if (!rc) {
        for (uint64_t i = 0; i < warmup && !rc; i++)
            rc = one_load(&m, pages);
        uint64_t f0 = minor_faults(), t0 = now_ns();
        for (uint64_t i = 0; i < iters && !rc; i++)
            rc = one_load(&m, pages);
        out->ns = now_ns() - t0;
        out->minflt = minor_faults() - f0;
    }
    if (rc) {
        out->unavailable = m.unavailable;
        memcpy(out->err, m.err, sizeof out->err);
    }
    wx_cm_close(&m);
    return rc;
}
