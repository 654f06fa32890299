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

/** @brief PostgreSQL backend (core/state_pg.c). Same contract as
 *  co_state_open(). */
co_state_t *co_state_pg_open(const char *conninfo, char *errstr,
                             size_t errstr_size);

#endif
