/**
 * @file careerops/host_api.h
 * @brief The table of services the host offers a plugin (ABI v1).
 *
 * Like SQLite's sqlite3_api_routines, this is one `const` struct of function
 * pointers that the host passes to co_plugin_entry() and init(). It is
 * append-only: new services are added at the end, each marked with the minor
 * version that added it, and nothing is ever moved or removed within a major.
 * Its first fields are its own size and version, so a plugin built against a
 * newer header can test a service with CO_API_HAS() before calling it.
 *
 * Threading: the host calls one plugin instance from one thread at a time
 * (its stage worker). Every service below may be called from that thread
 * while a callback of that instance runs; services taking a co_stage_t are
 * not to be called from other threads unless stated.
 */
#ifndef CAREEROPS_HOST_API_H
#define CAREEROPS_HOST_API_H

#include <careerops/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define CO__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CO__PRINTF(f, a)
#endif

/** Result of co_host_api_t::idem_begin(). */
typedef enum co_idem_e {
    CO_IDEM_NEW = 0,    /**< first claim: do the side effect, then commit */
    CO_IDEM_DONE = 1,   /**< already done: skip the side effect */
    CO_IDEM_PENDING = 2 /**< claimed earlier but never committed (a crash
                             between the side effect and idem_commit, or
                             another instance is on it): the plugin decides,
                             e.g. checks the remote side, or repeats */
} co_idem_t;

/**
 * @brief Host services, version 1.1 (1.0 ends at resolve_path).
 *
 * All strings passed in are borrowed for the call; strings returned are
 * owned as documented per function.
 */
typedef struct co_host_api_s {
    /** sizeof(co_host_api_t) as compiled into the host. @since 1.0 */
    uint32_t size;
    /** (CO_ABI_MAJOR << 16) | CO_ABI_MINOR of the host. @since 1.0 */
    uint32_t version;

    /**
     * @brief Log one line (printf format) as a JSON object on the host's
     *        stderr, tagged with the stage and plugin names.
     * @param st Stage handle from init(). May be NULL outside a stage.
     * @param level A co_log_level_t; any other value is logged at
     *        CO_LOG_WARN.
     * @since 1.0
     */
    void (*log)(co_stage_t *st, co_log_level_t level, const char *fmt, ...)
        CO__PRINTF(3, 4);

    /** @brief malloc() through the host; never returns NULL for size > 0
     *         unless memory is exhausted. @since 1.0 */
    void *(*alloc)(size_t size);
    /** @brief free() memory from alloc() or from a service that says so.
     *         NULL is allowed. @since 1.0 */
    void (*free)(void *ptr);

    /**
     * @brief Produce one record to the stage's output topic (or rec->topic).
     * @param rec Copied before return; the caller keeps ownership.
     * @returns 0, or CO_ERR_INVAL (no output topic; rec NULL; a NULL value
     *          or key with a length; a header without a name, or with a
     *          NULL value and a length; a call from init(), where nothing
     *          may be emitted yet: the host logs which, once per stage),
     *          CO_ERR_KAFKA (the local queue is full for longer than the
     *          stage's patience; return CO_RETRY so the host redelivers).
     * @remark The record is acknowledged later; the host commits the input
     *         offset (or a source position) only after all records emitted
     *         for it are acknowledged by the broker. @since 1.0
     */
    int (*emit)(co_stage_t *st, const co_record_t *rec);

    /**
     * @brief Give detail about the CO_RETRY/CO_FAIL/CO_FATAL the current
     *        callback is about to return: an error class (a short word such
     *        as "http", "parse", "schema") and a message. The host puts them
     *        in the dead-letter headers, the stage status and the log.
     * @since 1.0
     */
    void (*set_error)(co_stage_t *st, const char *error_class, const char *fmt,
                      ...) CO__PRINTF(3, 4);

    /**
     * @brief Ask that the CO_RETRY the current callback returns wait at least
     *        `delay_ms` milliseconds (e.g. from HTTP Retry-After). @since 1.0
     */
    void (*retry_after)(co_stage_t *st, uint32_t delay_ms);

    /**
     * @brief Send a record straight to the dead-letter topic with a reason,
     *        for sources that read input they cannot turn into a record.
     * @param rec The raw input (copied); its key should identify it.
     * @returns 0 or a negative co_err_t. @since 1.0
     */
    int (*dead_letter)(co_stage_t *st, const co_record_t *rec,
                       const char *error_class, const char *message);

    /**
     * @brief Read a secret by name from the manifest's secrets folder
     *        (Docker secrets style: one file per secret, trailing newline
     *        removed).
     * @param out Set to a NUL-terminated copy, free with api->free().
     * @param out_len Set to its length in bytes (may be NULL).
     * @returns 0, CO_ERR_NOTFOUND (no such file, or one that cannot be
     *          read), CO_ERR_INVAL, or (hosts from trial 54 on; earlier
     *          ones said CO_ERR_NOTFOUND) CO_ERR_TRANSIENT when the file is
     *          a named pipe (FIFO) that nothing wrote to within 5 s.
     * @since 1.0
     */
    int (*secret)(co_stage_t *st, const char *name, char **out,
                  size_t *out_len);

    /**
     * @brief Add `delta` to a counter metric of this stage, exported on
     *        /metrics as `careerops_plugin_<name>_total{stage="..."}`.
     * @param name [a-z0-9_]+ . @since 1.0
     */
    void (*metric_add)(co_stage_t *st, const char *name, double delta);
    /** @brief Set a gauge metric of this stage. @since 1.0 */
    void (*metric_set)(co_stage_t *st, const char *name, double value);

    /**
     * @brief Read a value from the host's key-value state store, in this
     *        stage's namespace (pipeline + stage name).
     * @param out Set to a copy (NUL-terminated for convenience), free with
     *        api->free(); NULL if absent.
     * @returns 0 (found), CO_ERR_NOTFOUND, or CO_ERR_STATE when the store is
     *          unreachable (the host has already retried; return CO_RETRY).
     * @since 1.0
     */
    int (*state_get)(co_stage_t *st, const char *key, char **out,
                     size_t *out_len);
    /**
     * @brief Write a value to the state store now (durable on return).
     * @returns 0 or CO_ERR_STATE. @since 1.0
     */
    int (*state_put)(co_stage_t *st, const char *key, const void *value,
                     size_t value_len);

    /**
     * @brief Write a source position once everything emitted before this
     *        call is acknowledged by the broker (Kafka Connect's source
     *        offsets). A crash before that leaves the old value, so the
     *        source re-reads instead of skipping.
     * @returns 0 or a negative co_err_t. @since 1.0
     */
    int (*source_offset)(co_stage_t *st, const char *key, const void *value,
                         size_t value_len);

    /**
     * @brief Claim an idempotency key for this stage before a side effect.
     * @returns CO_IDEM_NEW, CO_IDEM_DONE, CO_IDEM_PENDING, or CO_ERR_STATE.
     * @remark Claims survive restarts (PostgreSQL when `state` is set).
     * @since 1.0
     */
    int (*idem_begin)(co_stage_t *st, const char *key);
    /** @brief Mark a claimed key done after the side effect succeeded.
     *  @returns 0 or CO_ERR_STATE. @since 1.0 */
    int (*idem_commit)(co_stage_t *st, const char *key);

    /**
     * @brief Non-zero once the host asked the stage to stop (SIGTERM,
     *        pause/restart): long loops in poll() should return. While
     *        the sink's last flush() at the stage's end runs, 0 for its
     *        first 10 s, so that it can send what it holds (a second
     *        signal ends that at once). Any thread. @since 1.0
     */
    int (*stopping)(co_stage_t *st);

    /**
     * @brief The host's clock in milliseconds since the epoch. Tests inject
     *        a simulated clock here; plugins should use it for timing
     *        decisions (caches, TTLs). @since 1.0
     */
    int64_t (*now_ms)(co_stage_t *st);

    /**
     * @brief Wait `ms` milliseconds on the host's clock, returning early if
     *        the stage is stopping. @returns 0, or 1 if interrupted.
     * @since 1.0
     */
    int (*sleep_ms)(co_stage_t *st, int64_t ms);

    /** @brief The stage's name from the manifest. Owned by the host.
     *  @since 1.0 */
    const char *(*stage_name)(co_stage_t *st);

    /**
     * @brief Resolve a path relative to the manifest's folder.
     * @returns A new string (free with api->free()), NULL on no memory.
     * @since 1.0
     */
    char *(*resolve_path)(co_stage_t *st, const char *path);

    /* ---- 1.1: services for plugin commands (co_command_t) -------------- */

    /**
     * @brief Read one stage's configuration from a manifest, parsed and
     *        checked exactly as `careerops run` would (secrets resolved,
     *        includes and defaults of the manifest applied; the plugin's
     *        option defaults are NOT applied).
     * @param manifest Path of the manifest file.
     * @param stage The stage's name, or NULL for the first stage whose
     *        plugin is `plugin`.
     * @param plugin The plugin the stage must use (e.g. "chroma-sink").
     * @param config_json Set to the stage's `config` object as compact JSON
     *        ("{}" if none); free with api->free().
     * @param index Set to the stage's index in `stages` (may be NULL), for
     *        messages such as "stages[2].config.url".
     * @param err Receives a message naming the manifest, the JSON path and
     *        the fix on failure.
     * @returns 0, CO_ERR_NOTFOUND (no such stage, or it uses another
     *          plugin), CO_ERR_INVAL (the manifest has errors).
     * @remark Main thread only (commands). @since 1.1
     */
    int (*stage_config)(const char *manifest, const char *stage,
                        const char *plugin, char **config_json, int *index,
                        char *err, size_t err_size);

    /**
     * @brief Create and start stage `stage` of `manifest` in-process, as
     *        `careerops run` would configure it, without Kafka (what
     *        `careerops eval` measures).
     * @param sets "path=value" manifest overrides, NULL-terminated, or NULL.
     * @returns A capture (free with capture_close()), or NULL with the reason
     *          in err (a source or sink stage is refused: only a stage that
     *          takes and emits records can be measured).
     * @remark Main thread only. @since 1.1
     */
    co_capture_t *(*capture_open)(const char *manifest, const char *stage,
                                  const char *const *sets, char *err,
                                  size_t err_size);
    /**
     * @brief Hand one record (key and value bytes, borrowed) to the stage's
     *        process(), retrying CO_RETRY on a simulated clock.
     * @returns The final status; what the plugin emitted is appended to the
     *          capture. @since 1.1
     */
    co_status_t (*capture_process)(co_capture_t *c, const void *key,
                                   size_t key_len, const void *value,
                                   size_t value_len);
    /** @brief Number of records captured since the last capture_clear().
     *  @since 1.1 */
    size_t (*capture_count)(const co_capture_t *c);
    /** @brief Value of captured record i (NUL-terminated, owned by the
     *  capture until capture_clear/close); len may be NULL. @since 1.1 */
    const char *(*capture_value)(const co_capture_t *c, size_t i, size_t *len);
    /** @brief The message the plugin gave with set_error() for the last
     *  capture_process() ("" if none); owned by the capture. @since 1.1 */
    const char *(*capture_error)(const co_capture_t *c);
    /** @brief Forget the captured records. @since 1.1 */
    void (*capture_clear)(co_capture_t *c);
    /** @brief Stop and destroy the stage and the capture; NULL ok.
     *  @since 1.1 */
    void (*capture_close)(co_capture_t *c);
} co_host_api_t;

/**
 * True if the host table `api` contains service `fn` and it is set.
 * Use before calling a service newer than 1.0 (Redis RMAPI_FUNC_SUPPORTED).
 */
#define CO_API_HAS(api, fn)                                                    \
    ((api) != NULL &&                                                          \
     offsetof(co_host_api_t, fn) + sizeof((api)->fn) <= (api)->size &&         \
     (api)->fn != NULL)

#ifdef __cplusplus
}
#endif
#endif /* CAREEROPS_HOST_API_H */
