/* wxjit loader hot paths (native/loader.c): loading a compiled module into code memory in one call,
 * building an instance context from a prepared template, and the pool of linear memories. */
#ifndef WXJIT_LOADER_H
#define WXJIT_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "codemem.h"
#include "runtime.h"

/* Copy `size` bytes of position-independent code to offset `off` of the code memory `m` (through its
 * writable view, or pwrite when it has none), applying the relocations (offset, kind, target)
 * triples on the way: the module's GOT gets the helper addresses (its link step). Returns -1 on
 * success, the index of the first bad relocation (nothing is written then), or -2 when the write
 * failed (reason in m->err). Publishing is the caller's (the arena's) step. */
int64_t wx_load_code(wx_codemem *m, size_t off, const uint8_t *code, size_t size, const uint64_t *relocs,
                     size_t n_relocs);

/* Open path, read up to cap bytes into buf with one read, close: the bytes read, or -errno. Fewer
 * than cap bytes means the whole file for a regular file (callers check the length they expect
 * and read again the slow way when it does not match). */
int64_t wx_read_file(const char *path, uint8_t *buf, size_t cap);
/* wx_read_file of a file that must be private (uid >= 0): opened without following a symlink, and
 * WX_READ_NOT_PRIVATE (nothing read) unless it is a regular file owned by uid and not writable by
 * group or other. uid < 0: no checks (wx_read_file). */
#define WX_READ_NOT_PRIVATE (-1000000)
int64_t wx_read_private_file(const char *path, uint8_t *buf, size_t cap, int64_t uid);
/* -1 if b[0..n) is exactly one marshal (version 2) object made only of None, bools, ints ('i', 'l'),
 * binary floats, bytes, str, tuples, lists and dicts, nested at most max_depth (<= 64) deep, whose every
 * length and count fits in the bytes after it (so unmarshalling it allocates nothing for a forged
 * count); else the offset of the first byte that breaks this. */
#define WX_MARSHAL_MAX_DEPTH 64
int64_t wx_marshal_check(const uint8_t *b, size_t n, uint32_t max_depth);
/* dst := t->image, then add the address dst to the u64 at each offset of t->rel and code_base to those
 * at t->code_rel: the vmctx template of a module with its self-relative pointers and code offsets
 * made absolute. */
typedef struct wx_vmctx_template {
    const uint8_t *image;      /* the vmctx bytes with offsets where addresses go */
    uint64_t size;
    const uint32_t *rel;       /* offsets of u64s that get the vmctx address added */
    uint64_t n_rel;
    const uint32_t *code_rel;  /* offsets of u64s that get the code address added */
    uint64_t n_code_rel;
} wx_vmctx_template;
void wx_vmctx_init(uint64_t dst_address, const wx_vmctx_template *t, uint64_t code_base);

/* buf[offsets[i]] (u64) := (add ? itself : 0) + table[index[i]], for i < n: patches a template. */
void wx_patch_u64(uint8_t *buf, const uint32_t *offsets, const uint32_t *index, size_t n,
                  const uint64_t *table, int add);
/* Linear memories from a pool of reservations. take: a memory of min_pages accessible (zero) pages;
 * give: back to the pool, zeroed (memset, or MADV_DONTNEED beyond 256 KiB: no byte of it survives), or
 * unmapped when the pool already holds max_free memories. */
wx_memory *wx_mempool_take(uint64_t min_pages, uint64_t max_pages, uint64_t reserve_bytes);
void wx_mempool_give(wx_memory *mem);
void wx_mempool_configure(uint32_t max_free);
uint32_t wx_mempool_free_count(void);
uint32_t wx_mempool_max_free(void);
void wx_mempool_clear(void);

#endif
