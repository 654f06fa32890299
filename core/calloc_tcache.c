/* calloc() through malloc() for small blocks, so that glibc's per-thread
 * cache (tcache) serves them.
 *
 * Why our own code: glibc 2.36 (Debian 12) takes calloc() straight to its
 * arena (_int_malloc under the arena lock) and never from the tcache,
 * while free() puts the block into the tcache; librdkafka 2.0.2 callocs
 * an op for every consumed record (broker thread) and a parse buffer
 * every time a record's headers are read (worker thread), so every one of
 * those took glibc's slow path. Served from the tcache, the host took
 * about 0.4 µs less CPU per 100 B record with CloudEvents headers
 * (bench/host, docs/benchmarks.md). Blocks over the tcache's largest size
 * (1032 bytes) gain nothing and go to glibc's calloc, which skips the
 * memset for fresh pages (no idle RSS grows from zeroing them).
 *
 * Linked into the `careerops` executable only (meson option
 * calloc_tcache, default on) and never into sanitizer builds, whose
 * runtime replaces the allocator. A definition in the executable takes
 * the place of libc's for every library and plugin (ELF interposition);
 * the block is an ordinary malloc() block, so free() and realloc() work
 * unchanged.
 *
 * Larger blocks go to the calloc() that comes next in the lookup order
 * (dlsym(RTLD_NEXT)): glibc's, or that of an allocator the operator put
 * in with LD_PRELOAD (jemalloc, tcmalloc, mimalloc), whose free() then
 * gets the block. Calling glibc's own __libc_calloc() there, as before,
 * gave jemalloc's free() a glibc block and the host crashed at its first
 * records (session 19). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef void *(*co__calloc_fn)(size_t, size_t);
static _Atomic(co__calloc_fn) co__next_calloc;
static atomic_flag co__resolving = ATOMIC_FLAG_INIT;

/* The next calloc(), resolved once; NULL while another thread resolves
 * it (dlsym() may allocate: that calloc() must not resolve again) or when
 * there is none. */
static co__calloc_fn co__next(void)
{
    co__calloc_fn f = atomic_load(&co__next_calloc);
    if (f == NULL && !atomic_flag_test_and_set(&co__resolving)) {
        f = (co__calloc_fn)dlsym(RTLD_NEXT, "calloc");
        atomic_store(&co__next_calloc, f);
    }
    return f;
}

/* The largest request glibc's tcache holds (its default tcache_max). */
#define CO__TCACHE_MAX 1032

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    co__calloc_fn next;
    if (total > CO__TCACHE_MAX && (next = co__next()) != NULL)
        return next(n, size);
    void *p = malloc(total);
    if (p != NULL)
        memset(p, 0, total);
    return p;
}
