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
    char retry_note[64]; /* "" or co_archive_config_t.retry_note */
    void *curl;          /* CURL *, kept for connection reuse (S3) */
    int (*stop)(void *); /* co_archive_config_t.stop, or NULL */
    void *stop_ctx;
};

/* S3 operations; keys are relative to the prefix. sha_hex may be NULL
 * (then the payload is sent UNSIGNED-PAYLOAD).
 * co_s3_head: *found, and the object's Content-Length (*size, -1 unknown)
 * and x-amz-meta-sha256 (sha_hex, "" when the object has none). */
int co_s3_head(co_archive_t *a, const char *key, int *found, int64_t *size,
               char sha_hex[65], char *err, size_t errlen);
/* Whether the object at key is the one with this size and SHA-256: 1 yes,
 * 0 absent, 2 present but different (why says how; an object without
 * x-amz-meta-sha256, stored before it was written, is judged on its size),
 * -1 error (err). */
int co_s3_intact(co_archive_t *a, const char *key, uint64_t size,
                 const char *sha_hex, char *why, size_t whylen, char *err,
                 size_t errlen);
/* PUT with x-amz-content-sha256 = sha_hex (the server rejects a body that
 * does not match) and x-amz-meta-sha256 = sha_hex, then a HEAD that must
 * report the same size and hash; 0, or -1 with err. */
int co_s3_put(co_archive_t *a, const char *key, FILE *in, off_t len,
              const char *sha_hex, char *err, size_t errlen);
/* GET into out; 0, -2 with err when there is no such object (404), -1
 * with err otherwise. */
int co_s3_get(co_archive_t *a, const char *key, FILE *out, char *err,
              size_t errlen);
int co_s3_delete(co_archive_t *a, const char *key, char *err, size_t errlen);
int co_s3_list(co_archive_t *a, const char *prefix, co_archive_list_cb cb,
               void *ud, char *err, size_t errlen);
int co_s3_make_bucket(co_archive_t *a, char *err, size_t errlen);

#endif
