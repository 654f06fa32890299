/**
 * @file core/state.h
 * @brief The host's state store: key-value state per stage namespace and
 *        idempotency claims. Not installed; internal to the host.
 *
 * Backends, chosen by the manifest's `state` string:
 * - NULL or "" or "memory:": in memory, lost at exit (tests, dry runs).
 * - "file:PATH": a JSON file rewritten atomically on every write (a single
 *   process; for demos without PostgreSQL).
 * - anything else: a libpq connection string or URI
 *   ("postgresql://user@/db?host=/path", "host=127.0.0.1 port=5432 ...").
 *   The schema is created and migrated by versioned SQL the host owns
 *   (core/state_pg.c, table schema_migrations).
 *
 * Namespaces and keys are UTF-8 text; anything else is CO_ERR_INVAL.
 * Values are any bytes.
 *
 * Thread-safety: one co_state_t per thread. Open one per stage worker.
 * Errors: functions return 0 on success, CO_ERR_NOTFOUND for a missing key,
 * CO_ERR_STATE when the backend is unreachable after the backend's own
 * bounded retry (callers then back off and retry; a record is never
 * dead-lettered because the store is down).
 */
#ifndef CO_CORE_STATE_H
#define CO_CORE_STATE_H

#include <careerops/host_api.h>
#include <stddef.h>
#include <stdint.h>

typedef struct co_state_s co_state_t;

/** Backend operations; every backend implements all of them. */
typedef struct co_state_ops_s {
    int (*get)(co_state_t *s, const char *ns, const char *key, char **out,
               size_t *out_len);
    int (*put)(co_state_t *s, const char *ns, const char *key,
               const void *value, size_t value_len);
    int (*idem_begin)(co_state_t *s, const char *ns, const char *key);
    int (*idem_commit)(co_state_t *s, const char *ns, const char *key);
    void (*close)(co_state_t *s);
} co_state_ops_t;

/** Common head of every backend's state struct. */
struct co_state_s {
    const co_state_ops_t *ops;
    /** Called while waiting for an unreachable backend (may be NULL):
     *  returns non-zero to give up (the stage is stopping). */
    int (*should_stop)(void *arg);
    void *should_stop_arg;
};

/**
 * @brief Open a state store.
 * @param uri See the file comment. Borrowed.
 * @param errstr Filled with a readable reason on failure.
 * @returns A new store (close with co_state_close()), or NULL.
 * @remark For PostgreSQL this connects and runs migrations; if the server is
 *         unreachable it fails (callers retry with backoff).
 */
co_state_t *co_state_open(const char *uri, char *errstr, size_t errstr_size);

/** @brief Read `key` in namespace `ns`. `*out` is malloc'd (NUL-terminated);
 *  free with free(). @returns 0, CO_ERR_NOTFOUND or CO_ERR_STATE. */
int co_state_get(co_state_t *s, const char *ns, const char *key, char **out,
                 size_t *out_len);
/** @brief Insert or replace `key` in `ns`. Durable on return.
 *  @returns 0 or CO_ERR_STATE. */
int co_state_put(co_state_t *s, const char *ns, const char *key,
                 const void *value, size_t value_len);
/** @brief Claim an idempotency key. First claim returns CO_IDEM_NEW;
 *  a claim already committed CO_IDEM_DONE; a claim made but not committed
 *  CO_IDEM_PENDING. @returns that, or CO_ERR_STATE. */
int co_state_idem_begin(co_state_t *s, const char *ns, const char *key);
/** @brief Mark a claim done. @returns 0 or CO_ERR_STATE. */
int co_state_idem_commit(co_state_t *s, const char *ns, const char *key);
/** @brief Close and free; NULL is allowed. */
void co_state_close(co_state_t *s);

/**
 * @brief Claim stage `stage` of a file:PATH state store for this process,
 *        for a run whose broker is its own (in process): two such runs of
 *        one stage on one file each read all their input and, their
 *        claims (co_state_idem_begin()) taken for a crash's leftovers,
 *        printed each notification twice (trial 59). An open file
 *        description lock (F_OFD_SETLK) on one byte of PATH.lock, chosen by
 *        the stage's name, held while *fd stays open; the store's own
 *        flock() on that file is a separate lock.
 * @param uri The state URI (borrowed); other than file:PATH: nothing done.
 * @param stage The stage's name (borrowed).
 * @param fd In/out: -1 at first (PATH.lock is opened then); close it at
 *        the run's end to release every claim.
 * @returns 0 (claimed, or nothing to claim), 1 when another process holds
 *          the stage, -1 when PATH.lock cannot be opened or locked
 *          (errno set; the store reports it at open). Thread-safe for
 *          distinct fds.
 */
int co_state_claim_stage(const char *uri, const char *stage, int *fd);

/**
 * @brief co_state_open(), but while a PostgreSQL server is unreachable keep
 *        trying with backoff (100 ms doubling to 5 s, a "waiting for
 *        PostgreSQL" line at most every 5 s) until it answers or
 *        `should_stop(arg)` returns non-zero. The store gets `should_stop`
 *        as its stop callback. Errors retrying cannot fix (a bad file, a
 *        schema newer than this host) fail at once.
 * @param should_stop May be NULL: then give up after CO_STATE_MAX_WAIT_MS.
 * @returns A new store, or NULL with the reason in errstr.
 */
co_state_t *co_state_open_wait(const char *uri, int (*should_stop)(void *arg),
                               void *arg, char *errstr, size_t errstr_size);

/** @brief PostgreSQL backend (core/state_pg.c). Same contract as
 *  co_state_open(). */
co_state_t *co_state_pg_open(const char *conninfo, char *errstr,
                             size_t errstr_size);

/**
 * @brief Set the callback consulted while waiting for an unreachable
 *        backend (see co_state_s::should_stop).
 * @param should_stop Returns non-zero to give up; NULL means "wait at most
 *        CO_STATE_MAX_WAIT_MS, then return CO_ERR_STATE".
 * @remark Call from the thread that owns `s`.
 */
void co_state_set_stop(co_state_t *s, int (*should_stop)(void *arg), void *arg);

/** How long an operation waits for an unreachable backend when no
 *  should_stop callback is set, in milliseconds. */
#define CO_STATE_MAX_WAIT_MS 30000

/**
 * @brief The newest schema version of the host's PostgreSQL tables
 *        (schema_migrations.version after co_state_pg_open()).
 */
int co_state_pg_schema_latest(void);

/**
 * @brief Migrate the host's PostgreSQL tables up to `target_version`
 *        (0 = newest) without opening a store. For tests and
 *        `careerops` maintenance commands.
 * @param conninfo libpq connection string or URI. Borrowed.
 * @returns The schema version now in the database (>= 0), or CO_ERR_STATE
 *          (unreachable, or a newer schema than this host knows) or
 *          CO_ERR_INVAL (bad target) with the reason in errstr.
 * @remark Concurrent migrations serialize on an advisory lock.
 */
int co_state_pg_migrate(const char *conninfo, int target_version, char *errstr,
                        size_t errstr_size);

struct json_t;

/** The version of the file:PATH document format this host writes (its
 *  "careerops_state" member). */
#define CO_STATE_DOC_VERSION 1

/**
 * @brief Check the sections of a state document (the file:PATH format,
 *        see core/state.c): every "state" namespace an object whose values
 *        are strings or {"base64": string}, every "idem" namespace an
 *        object whose values are "pending" or "done". A position edited
 *        into a number made a source wait forever, unheard (trial 62).
 * @param doc The parsed file (a jansson json_t *; borrowed), with "state"
 *        and "idem" objects.
 * @param why Filled on failure with the JSON path of the first bad value
 *        and the fix.
 * @returns 0, or -1. Thread-safe.
 */
int co_state_doc_check(const struct json_t *doc, char *why, size_t why_size);

/* Internal to core/state*.c. */

/**
 * @brief The bytes of a state value as the memory: and file: stores keep
 *        it: a JSON string (valid UTF-8), or {"base64": "..."} decoded
 *        with libsodium's original-variant codec.
 * @param v The value (borrowed).
 * @param out Receives a malloc'd copy, NUL-terminated (caller frees).
 * @param out_len Receives its length in bytes (may be NULL).
 * @returns 0, CO_ERR_STATE for any other form or base64 that does not
 *          decode, or CO_ERR_NOMEM. Pure; any thread.
 */
int co_state_value_decode(const struct json_t *v, char **out, size_t *out_len);

/**
 * @brief Log one line as a JSON object on stderr
 *        ({"level":"warn","msg":"...","component":"state"}).
 */
void co__state_log(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * @brief Sleep the backoff for retry `attempt` (100 ms doubling, 5 s cap),
 *        in slices, consulting s->should_stop.
 * @param waited_ms In/out: total waited so far (for the no-callback limit).
 * @returns 0 to try again, 1 to give up (stopping or limit reached).
 */
int co__state_backoff(co_state_t *s, int attempt, int64_t *waited_ms);

/**
 * @brief Open a file:PATH store (co_state_open() of "file:PATH") whose
 *        waits for PATH.lock, held by another process, end when
 *        `should_stop(arg)` returns non-zero (NULL: after
 *        CO_STATE_MAX_WAIT_MS); the store keeps the callback.
 * @returns A new store, or NULL with the reason in errstr.
 */
co_state_t *co__state_file_open(const char *path, int (*should_stop)(void *),
                                void *arg, char *errstr, size_t n);

#endif
