/**
 * @file core/lazylib.h
 * @brief libcurl and libpq, loaded (dlopen) the first time the host needs
 *        them instead of linked into `careerops`: most runs post no alert
 *        webhook and keep their state in memory, and the two libraries
 *        bring about 1.5 MB of resident pages (GnuTLS, OpenLDAP, Kerberos,
 *        libssh2, ...) into every process. Not installed.
 *
 * Each function returns a table of the library's functions (the names
 * without their prefix, same signatures as <curl/curl.h> and
 * <libpq-fe.h>), or NULL after writing why to err (the library file that
 * could not be opened or the symbol that is missing, and the Debian
 * package to install). A table, once loaded, stays valid for the life of
 * the process.
 *
 * Thread-safety: all functions are thread-safe (pthread_once).
 */
#ifndef CO_CORE_LAZYLIB_H
#define CO_CORE_LAZYLIB_H

#include "co_pgmig.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <stddef.h>

/** The libcurl functions the host uses (alerts, the loopback guard). */
typedef struct co_curl_api_s {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_reset)(CURL *c);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content,
                         unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart part, char **content,
                         unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    void (*free)(void *p);
    const char *(*url_strerror)(CURLUcode code); /* libcurl >= 7.80 */
} co_curl_api_t;

/** The libpq functions the host uses (the PostgreSQL state store): those
 *  lib/pgmigrate needs, then the others. */
typedef struct co_pq_api_s {
    co_pgmig_pq_t q; /**< exec, execParams, resultStatus, ... status */
    PGconn *(*connectdbParams)(const char *const *keywords,
                               const char *const *values, int expand_dbname);
    void (*finish)(PGconn *conn);
    int (*getlength)(const PGresult *res, int tup_num, int field_num);
    void (*freemem)(void *ptr);
    PQconninfoOption *(*conninfoParse)(const char *conninfo, char **errmsg);
    void (*conninfoFree)(PQconninfoOption *opts);
    char *(*escapeIdentifier)(PGconn *conn, const char *str, size_t len);
} co_pq_api_t;

/**
 * @brief libcurl (libcurl.so.4), loaded and initialised
 *        (curl_global_init) on the first call.
 * @param err Receives the reason on failure (may be NULL).
 * @returns The table, or NULL.
 */
const co_curl_api_t *co_curl(char *err, size_t err_size);

/**
 * @brief libpq (libpq.so.5), loaded on the first call.
 * @param err Receives the reason on failure (may be NULL).
 * @returns The table, or NULL.
 */
const co_pq_api_t *co_pq(char *err, size_t err_size);

#endif
