/* Internal to lib/archive: the handle and the S3 backend. */
#ifndef CO_ARCHIVE_INT_H
#define CO_ARCHIVE_INT_H

#include "co_archive.h"

#include <sys/types.h>

struct co_archive_s {
    int is_s3;
    char root[1024];     /* folder (file) or prefix without slashes (s3) */
    char base_url[1100]; /* file:///root or s3://bucket[/prefix] */
    /* S3 */
    char bucket[256];
    char endpoint[512];
    char region[64];
    char akey[256];
    char skey[256];
    long timeout_ms, budget_ms;
    void *curl; /* CURL *, kept for connection reuse (S3) */
};

/* S3 operations; keys are relative to the prefix. sha_hex may be NULL
 * (then the payload is sent UNSIGNED-PAYLOAD). */
int co_s3_head(co_archive_t *a, const char *key, int *found, char *err,
               size_t errlen);
int co_s3_put(co_archive_t *a, const char *key, FILE *in, off_t len,
              const char *sha_hex, char *err, size_t errlen);
int co_s3_get(co_archive_t *a, const char *key, FILE *out, char *err,
              size_t errlen);
int co_s3_delete(co_archive_t *a, const char *key, char *err, size_t errlen);
int co_s3_list(co_archive_t *a, const char *prefix, co_archive_list_cb cb,
               void *ud, char *err, size_t errlen);
int co_s3_make_bucket(co_archive_t *a, char *err, size_t errlen);

#endif
