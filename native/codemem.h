/* Code memory strategies (see DESIGN.md "Code memory" and jit/codemem/).
 *
 * One struct, one ops table per strategy. The load cycle is
 *   wx_cm_begin -> wx_cm_write... -> wx_cm_publish -> run -> wx_cm_finish
 * and the same functions serve the Python API and the native loader benchmark.
 * Every function returns 0 (or an address) on success and a negative errno on failure,
 * with a human-readable reason in m->err; m->unavailable is set when the strategy cannot
 * work on this machine (no huge pages, memlock limit, ...).
 */
#ifndef WX_CODEMEM_H
#define WX_CODEMEM_H

#include <stddef.h>
#include <stdint.h>

#define WX_CM_NAIVE 0
#define WX_CM_REUSE 1
#define WX_CM_REUSE_LOCK 2
#define WX_CM_HUGETLB 3
#define WX_CM_THP 4
#define WX_CM_REUSE_SHARED 5
#define WX_CM_MEMFD 6
#define WX_CM_MEMFD_STRICT 7
#define WX_CM_MEMFD_PWRITE 8
#define WX_CM_RWX 9
#define WX_CM_COUNT 10

typedef struct wx_codemem {
    int strategy;
    int is_open;
    int fd;            /* memfd, or -1 */
    int writing;       /* between begin and publish */
    int unavailable;   /* set with err when the strategy cannot work here */
    size_t size;       /* bytes mapped (usable) */
    size_t reserve;    /* bytes of address space reserved for growth (>= size) */
    uint8_t *exec;     /* executable view (or the single mapping); NULL for naive between loads */
    uint8_t *rw;       /* writable view of the memfd family while it exists, else NULL */
    uint8_t *wptr;     /* where writes go right now; NULL means pwrite (memfd) or not writable */
    uint8_t *exec_res; /* reservation (guard | exec | ... | guard) */
    size_t exec_res_size;
    uint8_t *rw_res;   /* reservation of the writable view */
    size_t rw_res_size;
    uint64_t loads;
    uint64_t rotations;
    uint32_t rotate_every;     /* memfd: move the writable view every N loads (0 = never) */
    uint32_t rotate_countdown; /* loads left until the next move */
    char err[256];
} wx_codemem;

int wx_cm_open(wx_codemem *m, int strategy, size_t size, size_t reserve, uint32_t rotate_every);
int wx_cm_begin(wx_codemem *m);
int wx_cm_write(wx_codemem *m, size_t off, const char *src, size_t n);
uintptr_t wx_cm_publish(wx_codemem *m);
int wx_cm_finish(wx_codemem *m);
int wx_cm_grow(wx_codemem *m, size_t new_size);
int wx_cm_rotate(wx_codemem *m);
int wx_cm_map_rw(wx_codemem *m);
int wx_cm_unshare(wx_codemem *m, const uint64_t *ranges, size_t n);
int wx_cm_unmap_rw(wx_codemem *m);
void wx_cm_close(wx_codemem *m);
const char *wx_cm_name(int strategy);

/* Call code at addr as int64_t (*)(void). For tests and benchmarks. */
int64_t wx_cm_call0(uintptr_t addr);

#endif
