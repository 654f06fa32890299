/**
 * @file lib/archive/co_archive.h
 * @brief The raw message archive: a content-addressed store (SHA-256,
 *        libsodium) in a local folder or any S3-compatible object store
 *        (libcurl SigV4), plus named objects (backups/) with listing,
 *        deletion and retention by age. docs/archive.md defines the
 *        reference format (archive_url, size, sha256).
 *
 * Thread-safety: one co_archive_t per thread; distinct handles are
 * independent (curl_global_init must have run before threads start; the
 * careerops program does it in main).
 */
#ifndef CO_ARCHIVE_H
#define CO_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/** Settings of an archive. Strings are borrowed for co_archive_open only. */
typedef struct co_archive_config_s {
    /** Where: `file:///abs/dir` (or `file://localhost/abs/dir`), a plain
     *  folder path, or
     *  `s3://bucket[/prefix]`. Required. */
    const char *url;
    /** S3 endpoint base URL, e.g. `http://127.0.0.1:8333`; NULL means
     *  `https://s3.REGION.amazonaws.com`. Path-style addressing. */
    const char *s3_endpoint;
    /** SigV4 region; NULL means `us-east-1`. */
    const char *s3_region;
    /** Files holding the access key id and the secret key (first line,
     *  surrounding white space ignored). Never logged. */
    const char *s3_access_key_file;
    const char *s3_secret_key_file;
    /** Per-request timeout in ms (0: 60000). */
    long timeout_ms;
    /** Total time retries of one operation may take, in ms (0: 30000):
     *  transport errors, HTTP 5xx and 429 are retried with exponential
     *  backoff until then. */
    long retry_budget_ms;
    /** When not NULL, the first retry of an operation is announced on
     *  stderr as "NOTE: METHOD ENDPOINT/BUCKET: REASON; retrying for up to
     *  N s" (the endpoint's secrets hidden): commands set it, as a silent
     *  wait of 30 s looked hung (trial 53: `archive ls` against a closed
     *  port). NULL (plugins, which log through the host): nothing printed.
     *  Borrowed for co_archive_open only (at most 63 bytes are kept). */
    const char *retry_note;
    /** When not NULL, asked between retries (every 100 ms of a backoff)
     *  and during each S3 transfer: non-zero ends the operation at once
     *  with "stopped while ...", so that a stage asked to stop does not
     *  wait out the retry budget (trial 55: SIGTERM waited 30 s). Called
     *  from the thread that runs the operation. */
    int (*stop)(void *stop_ctx);
    /** How messages name the two key-file settings, e.g.
     *  "config.archive_s3_access_key_file" when a manifest set them; NULL:
     *  the environment variable and the command's option
     *  ("CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE (--s3-access-key-file)").
     *  Borrowed for co_archive_open only (trial 55: a plugin's error named
     *  the environment variable for a key file its manifest set). */
    const char *access_key_setting, *secret_key_setting;
    void *stop_ctx; /**< passed to stop; borrowed for the archive's life */
} co_archive_config_t;

/** Reference to one stored object (see docs/archive.md). */
typedef struct co_archive_ref_s {
    char url[1024];  /**< archive_url: file://… or s3://bucket/prefix/key */
    char sha256[65]; /**< 64 lower-case hex digits of the content */
    uint64_t size;   /**< bytes */
    int existed;     /**< 1 when the put found the object already stored */
    int repaired;    /**< 1 when the put found a stored object whose bytes
                          did not match its hash and wrote it again */
} co_archive_ref_t;

/** An open archive (opaque). */
typedef struct co_archive_s co_archive_t;

/**
 * Open an archive. Reads the S3 secret files. Does not contact the server.
 * @return a handle to free with co_archive_close(), or NULL with a message
 *         naming the faulty setting in err.
 */
co_archive_t *co_archive_open(const co_archive_config_t *cfg, char *err,
                              size_t errlen);

/**
 * Check an archive's URL as co_archive_open() does, without opening it or
 * reading a file (for `careerops validate`): s3://bucket[/prefix] with no
 * credentials in it, file:///ABSOLUTE/PATH or file://localhost/PATH (RFC
 * 8089: no other host, no login), or a folder path; a scheme in lower case
 * with two slashes. No message quotes a password.
 * @return 0, or -1 with the reason in err.
 */
int co_archive_check_url(const char *url, char *err, size_t errlen);

/**
 * co_archive_check_url() of cfg->url, and for S3 an endpoint without a
 * login or password in it; what co_archive_open() checks before it reads
 * a file. 0, or -1 with the reason in err (nothing secret quoted).
 */
int co_archive_check(const co_archive_config_t *cfg, char *err, size_t errlen);

/** Close an archive and wipe its credentials from memory. NULL is fine. */
void co_archive_close(co_archive_t *a);

/**
 * Whether the archive is there: a folder archive's folder exists (1) or not
 * (0). An S3 archive is not asked (no request): 1. Thread-safe.
 */
int co_archive_exists(const co_archive_t *a);

/** Create the folder or the S3 bucket if missing. 0, or -1 with err. */
int co_archive_init(co_archive_t *a, char *err, size_t errlen);

/**
 * Store `len` bytes content-addressed under sha256/ab/cdef… (idempotent:
 * content already there is not written again and keeps its first date; a
 * folder archive's stored copy is hashed first, and rewritten when corrupt,
 * ref->repaired set).
 * @return 0 and *ref filled, or -1 with err.
 */
int co_archive_put(co_archive_t *a, const void *buf, size_t len,
                   co_archive_ref_t *ref, char *err, size_t errlen);

/** co_archive_put() for a file's contents, streamed (any size). */
int co_archive_put_file(co_archive_t *a, const char *path,
                        co_archive_ref_t *ref, char *err, size_t errlen);

/**
 * Store a file under a chosen key (e.g. `backups/…`), overwriting.
 * @return 0 and *ref filled, or -1 with err.
 */
int co_archive_put_named(co_archive_t *a, const char *key, const char *path,
                         co_archive_ref_t *ref, char *err, size_t errlen);

/**
 * Write an object to `out`. `ref` is an archive_url of this archive, a key
 * (`sha256/ab/…`, `backups/…`), `sha256:HEX` or 64 hex digits. Content
 * under sha256/ is checked against its hash before a byte is written to
 * `out` (-1 on a mismatch, nothing written).
 * @return 0; -2 with err when the reference names nothing (unknown
 *         reference: "not found"; a string that is no reference at all:
 *         "is not a reference" with the forms; another archive's); -1 with
 *         err on any other failure (I/O, the server, a hash mismatch).
 */
int co_archive_get(co_archive_t *a, const char *ref, FILE *out, char *err,
                   size_t errlen);

/** Called by co_archive_list() per object; non-zero stops the listing. */
typedef int (*co_archive_list_cb)(const char *key, time_t mtime, uint64_t size,
                                  void *ud);

/** List the objects whose key starts with `prefix`. 0 or -1 with err. */
int co_archive_list(co_archive_t *a, const char *prefix, co_archive_list_cb cb,
                    void *ud, char *err, size_t errlen);

/** Delete one object by key (absent is fine). 0 or -1 with err. */
int co_archive_delete(co_archive_t *a, const char *key, char *err,
                      size_t errlen);

/**
 * Delete the objects under `prefix` stored before `before` (seconds since
 * the epoch). *n_deleted counts them. 0 or -1 with err.
 */
int co_archive_prune(co_archive_t *a, const char *prefix, time_t before,
                     size_t *n_deleted, char *err, size_t errlen);

/** The archive_url of `key` in this archive, into buf. */
void co_archive_url_of(const co_archive_t *a, const char *key, char *buf,
                       size_t buflen);

#endif
