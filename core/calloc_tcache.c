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
 * unchanged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* glibc's own calloc, exported by libc.so.6 under this name too. */
extern void *__libc_calloc(size_t n, size_t size);

/* The largest request glibc's tcache holds (its default tcache_max). */
#define CO__TCACHE_MAX 1032

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (total > CO__TCACHE_MAX)
        return __libc_calloc(n, size);
    void *p = malloc(total);
    if (p != NULL)
        memset(p, 0, total);
    return p;
}
