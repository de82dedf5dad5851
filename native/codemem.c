/* Code memory strategies: the syscalls behind jit/codemem (see codemem.h).
 *
 * Persistent mappings live inside a PROT_NONE reservation with guard pages on both sides,
 * so that no foreign private writable mapping sits next to them (the kernel would merge and
 * split it on every mprotect). The memfd writable view is placed at a random address and
 * moved (mremap onto a fresh random placeholder) every rotate_every loads; the executable
 * view never moves.
 */
#define _GNU_SOURCE
#include "codemem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE ((size_t)4096)
#define HUGE ((size_t)2 << 20)
#define GUARD PAGE

static size_t round_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

static int fail(wx_codemem *m, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(m->err, sizeof m->err, fmt, ap);
    va_end(ap);
    if (err && k >= 0 && (size_t)k < sizeof m->err)
        snprintf(m->err + k, sizeof m->err - (size_t)k, ": %s", strerror(err));
    return err ? -err : -EINVAL;
}

static int unavailable(wx_codemem *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err, sizeof m->err, fmt, ap);
    va_end(ap);
    m->unavailable = 1;
    return -ENOTSUP;
}

/* A random page-aligned address in [1 TiB, 64 TiB), clear of the kernel's mmap area. */
static void *random_hint(size_t size)
{
    uint64_t r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        r = ((uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(uintptr_t)&r;
    }
    const uint64_t lo = 1ull << 40, hi = 1ull << 46;
    uint64_t span = hi - lo - size;
    return (void *)(uintptr_t)((lo + r % span) & ~(uint64_t)(PAGE - 1));
}

/* Reserve PROT_NONE [guard | size (aligned) | guard]; return the aligned inner start. */
static uint8_t *reserve_range(size_t size, size_t align, int randomize, uint8_t **res, size_t *res_size)
{
    size_t total = size + 2 * GUARD + (align > PAGE ? align : 0);
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *p = MAP_FAILED;
    for (int i = 0; randomize && i < 16 && p == MAP_FAILED; i++)
        p = mmap(random_hint(total), total, PROT_NONE, flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        p = mmap(NULL, total, PROT_NONE, flags, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    *res = p;
    *res_size = total;
    return (uint8_t *)round_up((uintptr_t)p + GUARD, align);
}

static int read_long(const char *path, long *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fscanf(f, "%ld", out) == 1;
    fclose(f);
    return ok ? 0 : -1;
}

/* Bytes currently locked by this process (VmLck), 0 if unknown. */
static size_t locked_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t kb = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmLck: %zu kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

/* ---- building blocks ------------------------------------------------------------------- */

/* A private anonymous mapping with prot, inside a guarded reservation. */
static int map_private(wx_codemem *m, size_t align, int extra_flags, int prot, const char *what)
{
    uint8_t *inner = reserve_range(m->size, align, 0, &m->exec_res, &m->exec_res_size);
    if (!inner)
        return fail(m, errno, "%s: reserving %zu bytes failed", what, m->size);
    void *p = mmap(inner, m->size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | extra_flags, -1, 0);
    if (p == MAP_FAILED)
        return fail(m, errno, "%s: mmap of %zu bytes failed", what, m->size);
    m->exec = inner;
    return 0;
}

static int create_memfd(wx_codemem *m)
{
    int fd = memfd_create("wxjit-code", MFD_CLOEXEC | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) /* MFD_EXEC needs Linux 6.3 */
        fd = memfd_create("wxjit-code", MFD_CLOEXEC);
    if (fd < 0)
        return fail(m, errno, "memfd_create failed");
    m->fd = fd;
    if (ftruncate(fd, (off_t)m->size) != 0)
        return fail(m, errno, "ftruncate of the memfd to %zu bytes failed", m->size);
    uint8_t *inner = reserve_range(m->reserve, PAGE, 0, &m->exec_res, &m->exec_res_size);
    if (!inner)
        return fail(m, errno, "reserving %zu bytes for the executable view failed", m->reserve);
    if (mmap(inner, m->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
        return fail(m, errno, "mapping the executable view failed");
    m->exec = inner;
    return 0;
}

/* After fork: the views still map the parent's memfd, so a write by either process would change the
 * other's code (and a slot the parent frees and reuses would change code the child runs). Give this
 * process a memfd of its own holding the bytes of `ranges` ((offset, length) pairs: the live code),
 * mapped over both views at the same addresses; MAP_FIXED replaces a mapping in one step and the
 * bytes are the same, so nothing running sees a difference. Only syscalls: safe in an atfork
 * child handler. */
int wx_cm_unshare(wx_codemem *m, const uint64_t *ranges, size_t n)
{
    if (!m->is_open || m->fd < 0)
        return 0;                 /* private mappings: fork already copies them on write */
    int fd = memfd_create("wxjit-code", MFD_CLOEXEC | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create("wxjit-code", MFD_CLOEXEC);
    if (fd < 0)
        return fail(m, errno, "fork: memfd_create for the child's code failed");
    if (ftruncate(fd, (off_t)m->size) != 0) {
        int e = errno;
        close(fd);
        return fail(m, e, "fork: ftruncate of the child's code memfd failed");
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t off = ranges[2 * i], len = ranges[2 * i + 1];
        while (len > 0) {
            ssize_t w = pwrite(fd, m->exec + off, len, (off_t)off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                int e = w < 0 ? errno : EIO;
                close(fd);
                return fail(m, e, "fork: copying the code to the child's memfd failed");
            }
            off += (uint64_t)w;
            len -= (uint64_t)w;
        }
    }
    if (mmap(m->exec, m->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
        (m->rw && mmap(m->rw, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)) {
        int e = errno;
        close(fd);
        return fail(m, e, "fork: mapping the child's code memfd failed");
    }
    close(m->fd);
    m->fd = fd;
    return 0;
}

int wx_cm_map_rw(wx_codemem *m)
{
    if (m->rw)
        return 0;
    if (m->fd < 0)
        return fail(m, EINVAL, "this strategy has no writable view");
    uint8_t *inner = reserve_range(m->reserve, PAGE, 1, &m->rw_res, &m->rw_res_size);
    if (!inner)
        return fail(m, errno, "reserving the writable view failed");
    if (mmap(inner, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m->fd, 0) == MAP_FAILED) {
        int e = errno;
        munmap(m->rw_res, m->rw_res_size);
        m->rw_res = NULL;
        return fail(m, e, "mapping the writable view failed");
    }
    m->rw = inner;
    return 0;
}

int wx_cm_unmap_rw(wx_codemem *m)
{
    if (!m->rw)
        return 0;
    if (munmap(m->rw_res, m->rw_res_size) != 0)
        return fail(m, errno, "unmapping the writable view failed");
    if (m->wptr == m->rw)
        m->wptr = NULL;
    m->rw = NULL;
    m->rw_res = NULL;
    m->rw_res_size = 0;
    return 0;
}

int wx_cm_rotate(wx_codemem *m)
{
    if (!m->rw)
        return 0;
    uint8_t *res;
    size_t res_size;
    uint8_t *inner = reserve_range(m->reserve, PAGE, 1, &res, &res_size);
    if (!inner)
        return fail(m, errno, "reserving a new place for the writable view failed");
    /* mremap moves the page table entries too: no faults after the move. */
    if (mremap(m->rw, m->size, m->size, MREMAP_MAYMOVE | MREMAP_FIXED, inner) == MAP_FAILED &&
        mmap(inner, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m->fd, 0) == MAP_FAILED) {
        int e = errno;
        munmap(res, res_size);
        return fail(m, e, "moving the writable view failed");
    }
    munmap(m->rw_res, m->rw_res_size);
    if (m->wptr == m->rw)
        m->wptr = inner;
    m->rw = inner;
    m->rw_res = res;
    m->rw_res_size = res_size;
    m->rotations++;
    return 0;
}

int wx_cm_grow(wx_codemem *m, size_t new_size)
{
    new_size = round_up(new_size, PAGE);
    if (!m->is_open || m->fd < 0)
        return fail(m, EINVAL, "%s regions cannot grow", wx_cm_name(m->strategy));
    if (new_size <= m->size)
        return 0;
    if (new_size > m->reserve)
        return fail(m, ENOSPC, "growing to %zu bytes exceeds the %zu reserved", new_size, m->reserve);
    size_t old = m->size, n = new_size - old;
    if (ftruncate(m->fd, (off_t)new_size) != 0)
        return fail(m, errno, "ftruncate of the memfd to %zu bytes failed", new_size);
    if (mmap(m->exec + old, n, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, m->fd, (off_t)old) == MAP_FAILED)
        return fail(m, errno, "extending the executable view failed");
    if (m->rw &&
        mmap(m->rw + old, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m->fd, (off_t)old) == MAP_FAILED)
        return fail(m, errno, "extending the writable view failed");
    m->size = new_size;
    return 0;
}

static int flip(wx_codemem *m, int prot, const char *what)
{
    if (mprotect(m->exec, m->size, prot) != 0)
        return fail(m, errno, "mprotect %s failed", what);
    return 0;
}

/* ---- strategies ------------------------------------------------------------------------ */

static int nop(wx_codemem *m) { (void)m; return 0; }

static int naive_begin(wx_codemem *m)
{
    if (m->exec)
        munmap(m->exec, m->size);
    void *p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        m->exec = m->wptr = NULL;
        return fail(m, errno, "mmap of %zu bytes failed", m->size);
    }
    m->exec = m->wptr = p;
    return 0;
}

static int naive_finish(wx_codemem *m)
{
    if (m->exec && munmap(m->exec, m->size) != 0)
        return fail(m, errno, "munmap failed");
    m->exec = m->wptr = NULL;
    return 0;
}

static int flip_begin(wx_codemem *m)
{
    int rc = flip(m, PROT_READ | PROT_WRITE, "to read-write");
    if (!rc)
        m->wptr = m->exec;
    return rc;
}

static int flip_publish(wx_codemem *m)
{
    m->wptr = NULL;
    return flip(m, PROT_READ | PROT_EXEC, "to read-execute");
}

static int reuse_open(wx_codemem *m) { return map_private(m, PAGE, 0, PROT_READ | PROT_EXEC, "reuse"); }

static int reuse_shared_open(wx_codemem *m)
{
    uint8_t *inner = reserve_range(m->size, PAGE, 0, &m->exec_res, &m->exec_res_size);
    if (!inner)
        return fail(m, errno, "reuse_shared: reserving %zu bytes failed", m->size);
    if (mmap(inner, m->size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        return fail(m, errno, "reuse_shared: mmap of %zu bytes failed", m->size);
    m->exec = inner;
    return 0;
}

static int reuse_lock_open(wx_codemem *m)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        size_t have = locked_bytes();
        if (have + m->size > rl.rlim_cur)
            return unavailable(m,
                "reuse_lock needs %zu more bytes locked (%zu already) but RLIMIT_MEMLOCK is %llu bytes; "
                "raise it with `ulimit -l` or /etc/security/limits.conf",
                m->size, have, (unsigned long long)rl.rlim_cur);
    }
    int rc = map_private(m, PAGE, MAP_LOCKED, PROT_READ | PROT_EXEC, "reuse_lock");
    if (rc == -EAGAIN || rc == -ENOMEM || rc == -EPERM)
        return unavailable(m, "reuse_lock: locking %zu bytes failed (%s); check RLIMIT_MEMLOCK (`ulimit -l`)",
                           m->size, strerror(-rc));
    return rc;
}

static int hugetlb_open(wx_codemem *m)
{
    long n = 0;
    if (read_long("/proc/sys/vm/nr_hugepages", &n) != 0 || n <= 0)
        return unavailable(m, "hugetlb needs reserved huge pages but vm.nr_hugepages is %ld; "
                              "set it with `sysctl vm.nr_hugepages=64` "
                              "(or `wxjit bench loader --setup-hugepages 64` as root)", n);
    m->size = round_up(m->size, HUGE);
    m->reserve = m->size;
    int rc = map_private(m, HUGE, MAP_HUGETLB, PROT_READ | PROT_EXEC, "hugetlb");
    if (rc == -ENOMEM)
        return unavailable(m, "hugetlb: no free 2 MiB huge page for %zu bytes (vm.nr_hugepages is %ld, "
                              "see HugePages_Free in /proc/meminfo)", m->size, n);
    return rc;
}

static int thp_open(wx_codemem *m)
{
    char buf[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return unavailable(m, "thp: this kernel has no transparent huge pages "
                              "(/sys/kernel/mm/transparent_hugepage/enabled is missing)");
    if (!fgets(buf, sizeof buf, f))
        buf[0] = 0;
    fclose(f);
    if (strstr(buf, "[never]"))
        return unavailable(m, "thp: transparent huge pages are disabled; "
                              "write madvise to /sys/kernel/mm/transparent_hugepage/enabled");
    m->size = round_up(m->size, HUGE);
    m->reserve = m->size;
    int rc = map_private(m, HUGE, 0, PROT_READ | PROT_WRITE, "thp");
    if (rc)
        return rc;
    if (madvise(m->exec, m->size, MADV_HUGEPAGE) != 0)
        return fail(m, errno, "thp: madvise(MADV_HUGEPAGE) failed");
    return flip(m, PROT_READ | PROT_EXEC, "to read-execute");
}

static int memfd_open(wx_codemem *m)
{
    int rc = create_memfd(m);
    if (!rc)
        rc = wx_cm_map_rw(m);
    if (!rc)
        m->wptr = m->rw;
    return rc;
}

static int memfd_begin(wx_codemem *m)
{
    if (m->rotate_every && --m->rotate_countdown == 0) {
        m->rotate_countdown = m->rotate_every;
        return wx_cm_rotate(m);
    }
    return 0;
}

/* The writable view is mapped into a persistent PROT_NONE placeholder at a random address only
 * while code is written, and replaced by PROT_NONE again on publish (keeping the page tables, which
 * halves the cost against a fresh random mapping per load). The placeholder moves every
 * rotate_every loads. */
static int memfd_strict_begin(wx_codemem *m)
{
    if (m->rw)
        return 0;
    if (m->rw_res && m->rotate_every && --m->rotate_countdown == 0) {
        m->rotate_countdown = m->rotate_every;
        munmap(m->rw_res, m->rw_res_size);
        m->rw_res = NULL;
        m->rotations++;
    }
    if (!m->rw_res && !reserve_range(m->reserve, PAGE, 1, &m->rw_res, &m->rw_res_size)) {
        m->rw_res = NULL;
        return fail(m, errno, "reserving the writable view failed");
    }
    uint8_t *inner = m->rw_res + GUARD;
    if (mmap(inner, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, m->fd, 0) == MAP_FAILED)
        return fail(m, errno, "mapping the writable view failed");
    m->rw = m->wptr = inner;
    return 0;
}

static int memfd_strict_publish(wx_codemem *m)
{
    if (!m->rw)
        return 0;
    if (mmap(m->rw, m->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) ==
        MAP_FAILED)
        return fail(m, errno, "removing the writable view failed");
    m->rw = m->wptr = NULL;
    return 0;
}

static int rwx_open(wx_codemem *m)
{
    int rc = map_private(m, PAGE, 0, PROT_READ | PROT_WRITE | PROT_EXEC, "rwx");
    if (!rc)
        m->wptr = m->exec;
    return rc;
}

typedef struct {
    const char *name;
    int (*open)(wx_codemem *);
    int (*begin)(wx_codemem *);
    int (*publish)(wx_codemem *);
    int (*finish)(wx_codemem *);
} wx_cm_ops;

static const wx_cm_ops OPS[WX_CM_COUNT] = {
    [WX_CM_NAIVE] = {"naive", nop, naive_begin, flip_publish, naive_finish},
    [WX_CM_REUSE] = {"reuse", reuse_open, flip_begin, flip_publish, nop},
    [WX_CM_REUSE_LOCK] = {"reuse_lock", reuse_lock_open, flip_begin, flip_publish, nop},
    [WX_CM_HUGETLB] = {"hugetlb", hugetlb_open, flip_begin, flip_publish, nop},
    [WX_CM_THP] = {"thp", thp_open, flip_begin, flip_publish, nop},
    [WX_CM_REUSE_SHARED] = {"reuse_shared", reuse_shared_open, flip_begin, flip_publish, nop},
    [WX_CM_MEMFD] = {"memfd", memfd_open, memfd_begin, nop, nop},
    [WX_CM_MEMFD_STRICT] = {"memfd_strict", create_memfd, memfd_strict_begin, memfd_strict_publish, nop},
    [WX_CM_MEMFD_PWRITE] = {"memfd_pwrite", create_memfd, nop, nop, nop},
    [WX_CM_RWX] = {"rwx", rwx_open, nop, nop, nop},
};

const char *wx_cm_name(int strategy)
{
    return strategy >= 0 && strategy < WX_CM_COUNT ? OPS[strategy].name : "?";
}

/* ---- the load cycle -------------------------------------------------------------------- */

int wx_cm_open(wx_codemem *m, int strategy, size_t size, size_t reserve, uint32_t rotate_every)
{
    memset(m, 0, sizeof *m);
    m->fd = -1;
    if (strategy < 0 || strategy >= WX_CM_COUNT)
        return fail(m, EINVAL, "unknown code memory strategy %d", strategy);
    if (size == 0)
        return fail(m, EINVAL, "a code region needs at least one byte");
    m->strategy = strategy;
    m->size = round_up(size, PAGE);
    m->reserve = reserve > m->size ? round_up(reserve, PAGE) : m->size;
    m->rotate_every = rotate_every;
    m->rotate_countdown = rotate_every + 1; /* the first load does not rotate */
    m->is_open = 1;
    int rc = OPS[strategy].open(m);
    if (rc) {
        char err[sizeof m->err];
        int unavail = m->unavailable;
        memcpy(err, m->err, sizeof err);
        wx_cm_close(m);
        memcpy(m->err, err, sizeof err);
        m->unavailable = unavail;
    }
    return rc;
}

int wx_cm_begin(wx_codemem *m)
{
    if (!m->is_open)
        return fail(m, EBADF, "the code region was released");
    int rc = OPS[m->strategy].begin(m);
    if (rc)
        return rc;
    m->loads++;
    m->writing = 1;
    return 0;
}

int wx_cm_write(wx_codemem *m, size_t off, const char *src, size_t n)
{
    if (off > m->size || n > m->size - off)
        return fail(m, ERANGE, "write of %zu bytes at offset %#zx is outside the %zu-byte region", n, off,
                    m->size);
    if (m->wptr) {
        memcpy(m->wptr + off, src, n);
        return 0;
    }
    if (m->fd < 0)
        return fail(m, EACCES, "the code region is not writable now (begin a write first)");
    while (n) {
        ssize_t k = pwrite(m->fd, src, n, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return fail(m, k < 0 ? errno : EIO, "pwrite into the memfd at offset %#zx failed", off);
        src += k;
        off += (size_t)k;
        n -= (size_t)k;
    }
    return 0;
}

uintptr_t wx_cm_publish(wx_codemem *m)
{
    if (!m->is_open || !m->exec) {
        fail(m, EBADF, "nothing to publish (begin a write first)");
        return 0;
    }
    if (OPS[m->strategy].publish(m))
        return 0;
    m->writing = 0;
    return (uintptr_t)m->exec;
}

int wx_cm_finish(wx_codemem *m)
{
    if (!m->is_open)
        return 0;
    return OPS[m->strategy].finish(m);
}

void wx_cm_close(wx_codemem *m)
{
    if (!m->is_open)
        return;
    if (m->exec_res)
        munmap(m->exec_res, m->exec_res_size);
    else if (m->exec)
        munmap(m->exec, m->size); /* naive */
    if (m->rw_res)
        munmap(m->rw_res, m->rw_res_size);
    if (m->fd >= 0)
        close(m->fd);
    m->is_open = 0;
    m->fd = -1;
    m->writing = 0;
    m->exec = m->rw = m->wptr = m->exec_res = m->rw_res = NULL;
    m->exec_res_size = m->rw_res_size = 0;
    m->size = m->reserve = 0;
}

int64_t wx_cm_call0(uintptr_t addr)
{
    return ((int64_t(*)(void))addr)();
}
