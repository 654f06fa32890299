/* libcurl and libpq loaded on first use (see lazylib.h). */
#include "lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Resolve `n` symbols named prefix+names[i] into the pointer slots of
 * `table` (a struct of function pointers in the same order). */
static int co__lazy_load(const char *file, const char *package,
                         const char *prefix, const char *const *names, size_t n,
                         void *table, char *err, size_t err_size)
{
    void *dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        snprintf(err, err_size,
                 "cannot load %s (%s): install the Debian "
                 "package %s",
                 file, dlerror(), package);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char sym[128];
        snprintf(sym, sizeof sym, "%s%s", prefix, names[i]);
        void *f = dlsym(dl, sym);
        if (f == NULL) {
            snprintf(err, err_size,
                     "%s has no function %s: install a newer "
                     "%s",
                     file, sym, package);
            return -1; /* the handle stays open: harmless, once per run */
        }
        /* POSIX: a data pointer from dlsym converts to a function pointer */
        memcpy((char *)table + i * sizeof(void (*)(void)), &f, sizeof f);
    }
    return 0;
}

static const char *const co__curl_names[] = {
    "global_init",  "easy_init",      "easy_setopt",  "easy_perform",
    "easy_getinfo", "easy_reset",     "easy_cleanup", "easy_strerror",
    "slist_append", "slist_free_all", "url",          "url_set",
    "url_get",      "url_cleanup",    "free",         "url_strerror"};
static const char *const co__pq_names[] = {
    /* co_pgmig_pq_t, in its order */
    "exec", "execParams", "resultStatus", "ntuples", "getvalue", "clear",
    "resultErrorMessage", "resultErrorField", "errorMessage", "status",
    /* the rest of co_pq_api_t */
    "connectdbParams", "finish", "getlength", "freemem", "conninfoParse",
    "conninfoFree", "escapeIdentifier"};

_Static_assert(sizeof(co_curl_api_t) == sizeof co__curl_names /
                                            sizeof co__curl_names[0] *
                                            sizeof(void (*)(void)),
               "co__curl_names and co_curl_api_t differ");
_Static_assert(sizeof(co_pq_api_t) == sizeof co__pq_names /
                                          sizeof co__pq_names[0] *
                                          sizeof(void (*)(void)),
               "co__pq_names and co_pq_api_t differ");

static pthread_once_t co__curl_once = PTHREAD_ONCE_INIT;
static co_curl_api_t co__curl_api;
static int co__curl_ok;
static char co__curl_err[512];

static void co__curl_init(void)
{
    co__curl_ok =
        co__lazy_load("libcurl.so.4", "libcurl4", "curl_", co__curl_names,
                      sizeof co__curl_names / sizeof co__curl_names[0],
                      &co__curl_api, co__curl_err, sizeof co__curl_err) == 0 &&
        co__curl_api.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!co__curl_ok && co__curl_err[0] == '\0')
        snprintf(co__curl_err, sizeof co__curl_err, "curl_global_init failed");
}

const co_curl_api_t *co_curl(char *err, size_t err_size)
{
    pthread_once(&co__curl_once, co__curl_init);
    if (!co__curl_ok && err != NULL)
        snprintf(err, err_size, "%s", co__curl_err);
    return co__curl_ok ? &co__curl_api : NULL;
}

static pthread_once_t co__pq_once = PTHREAD_ONCE_INIT;
static co_pq_api_t co__pq_api;
static int co__pq_ok;
static char co__pq_err[512];

static void co__pq_init(void)
{
    co__pq_ok = co__lazy_load("libpq.so.5", "libpq5", "PQ", co__pq_names,
                              sizeof co__pq_names / sizeof co__pq_names[0],
                              &co__pq_api, co__pq_err, sizeof co__pq_err) == 0;
}

const co_pq_api_t *co_pq(char *err, size_t err_size)
{
    pthread_once(&co__pq_once, co__pq_init);
    if (!co__pq_ok && err != NULL)
        snprintf(err, err_size, "%s", co__pq_err);
    return co__pq_ok ? &co__pq_api : NULL;
}
