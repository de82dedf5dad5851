/* The loader benchmark's measured loop (jit/benchmarks/loader.py), in C because a Python loop
 * cannot time a 40 ns iteration. Model of the memfd blog post: a module of N pages; one
 * iteration = get a writable view, write a `ret` at the start of each page, make executable,
 * call the start of each page (and, for naive, unmap).
 */
#ifndef WX_LOADERBENCH_H
#define WX_LOADERBENCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct wx_lb_result {
    uint64_t ns;          /* wall time of the measured iterations */
    uint64_t minflt;      /* minor page faults during them (this thread) */
    int unavailable;      /* the strategy cannot work here; err says why */
    char err[256];
} wx_lb_result;

int wx_lb_run(int strategy, size_t pages, uint64_t iters, uint64_t warmup, uint32_t rotate_every,
              wx_lb_result *out);

#endif
