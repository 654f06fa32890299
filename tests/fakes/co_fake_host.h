/**
 * @file tests/fakes/co_fake_host.h
 * @brief A fake host for plugin unit tests: a complete co_host_api_t that
 *        captures what a plugin emits, errors, dead letters and metrics,
 *        keeps state and idempotency keys in memory, and runs a simulated
 *        clock (sleep_ms() advances it instantly).
 *
 * Usage:
 * @code
 * co_fake_host_t *h = co_fake_host_new();
 * const co_plugin_t *p = co_plugin_entry(&h->api);   // compiled in, or dlsym
 * void *inst = NULL;
 * p->init(&h->api, co_fake_host_stage(h), &cfg, &inst);
 * co_status_t st = co_fake_host_process(h, p, inst, &rec, 3, NULL);
 * // h->emits[0].value, h->dead[0].message, h->now_ms ...
 * p->destroy(inst);
 * co_fake_host_free(h);
 * @endcode
 *
 * Threading: one thread at a time, like the real host's stage worker.
 */
#ifndef CO_FAKE_HOST_H
#define CO_FAKE_HOST_H

#include <careerops/plugin.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Simulated clock start: 2025-01-01T00:00:00Z in ms. */
#define CO_FAKE_HOST_EPOCH_MS 1735689600000LL

/** One record a plugin emitted (copies; NUL-terminated for convenience). */
typedef struct co_fake_emit_s {
    char *key;        /**< key bytes + NUL, or NULL */
    size_t key_len;   /**< key length */
    char *value;      /**< value bytes + NUL, or NULL */
    size_t value_len; /**< value length */
    char *topic;      /**< rec->topic, or NULL for the stage output */
} co_fake_emit_t;

/** One record the fake host dead-lettered. */
typedef struct co_fake_dead_s {
    char *key;         /**< key + NUL, or NULL */
    char *value;       /**< value + NUL, or NULL */
    char *error_class; /**< from set_error()/dead_letter(), or "" */
    char *message;     /**< from set_error()/dead_letter(), or "" */
    int attempts;      /**< process() calls made for it */
} co_fake_dead_t;

/** The fake host. Read the captured fields directly; do not free them. */
typedef struct co_fake_host_s {
    co_host_api_t api;       /**< pass &h->api to the plugin */
    int64_t now_ms;          /**< simulated clock (ms since the epoch) */
    int64_t slept_ms;        /**< sum of all sleep_ms() calls */
    int stopping;            /**< returned by stopping(); set it to interrupt */
    int emit_rc;             /**< value emit() returns (0; or CO_ERR_KAFKA) */
    const char *secrets_dir; /**< folder for secret(), or NULL */
    const char *base_dir;    /**< folder for resolve_path(), or NULL: cwd */

    co_fake_emit_t *emits; /**< emitted records, in order */
    size_t emit_cnt;       /**< number of emits */
    co_fake_dead_t *dead;  /**< dead letters, in order */
    size_t dead_cnt;       /**< number of dead letters */

    int error_set;           /**< set_error() called since the last clear */
    char error_class[64];    /**< its class */
    char error_msg[2048];    /**< its message */
    int retry_after_set;     /**< retry_after() called since the last clear */
    uint32_t retry_after_ms; /**< its value */
    size_t log_cnt;          /**< log lines written */
    char last_log[1024];     /**< the last log line */
    int in_init; /**< 1 while co_fake_host_start_plugin() runs init(): emit()
                      is refused then, as the host refuses it */

    void *priv; /**< internal: state, idempotency keys, metrics */
} co_fake_host_t;

/** @brief A new fake host with the clock at CO_FAKE_HOST_EPOCH_MS.
 *  @returns The host (free with co_fake_host_free()) or NULL. */
co_fake_host_t *co_fake_host_new(void);

/** @brief Free the host and everything captured. NULL is allowed. */
void co_fake_host_free(co_fake_host_t *h);

/** @brief The stage handle to pass to init(). */
co_stage_t *co_fake_host_stage(co_fake_host_t *h);

/** @brief Forget the last set_error()/retry_after() (before a call). */
void co_fake_host_clear_error(co_fake_host_t *h);

/** @brief Current value of a metric set or added by the plugin, or 0. */
double co_fake_host_metric(co_fake_host_t *h, const char *name);

/**
 * @brief dlopen() a built plugin module (RTLD_NOW | RTLD_LOCAL |
 *        `extra_flags`, e.g. RTLD_NODELETE) and call its entry point with
 *        h's API, as the host's loader does.
 * @param handle Out: the dlopen() handle; dlclose() it when done.
 * @param err Out: on failure, dlerror()'s message.
 * @returns The plugin's descriptor, or NULL with err.
 */
const co_plugin_t *co_fake_host_dlopen(co_fake_host_t *h, const char *module,
                                       int extra_flags, void **handle,
                                       char *err, size_t err_size);

/**
 * @brief A record with key `key` (borrowed) and the compact JSON of
 *        `value` (taken: decref'd here) as its value, for process().
 * @returns The record; free its value with free((void *)rec.value).
 */
co_record_t co_fake_record_json(const char *key, json_t *value);

/**
 * @brief Deliver one record the way the real host does (DESIGN.md 3):
 *        call process(); on CO_RETRY wait (simulated) for the retry_after()
 *        hint or an exponential backoff (500 ms doubling, 60 s cap, no
 *        jitter) and call again, at most `max_retries` more times; a
 *        CO_RETRY after that, or a CO_FAIL, dead-letters the record with
 *        the last set_error() class and message.
 * @param attempts Out (may be NULL): process() calls made.
 * @returns CO_OK, CO_FAIL (dead-lettered; see h->dead) or CO_FATAL.
 */
co_status_t co_fake_host_process(co_fake_host_t *h, const co_plugin_t *p,
                                 void *inst, const co_record_t *rec,
                                 int max_retries, int *attempts);

/** Memory the host's option filling owns (core/options.h). */
typedef struct co_optmem_s co_optmem_t;

/** A plugin instance started with co_fake_host_start_plugin(). Owns `cfg`,
 *  `mem` and `inst` until co_fake_host_stop_plugin(); `p` is borrowed. */
typedef struct co_fake_plugin_s {
    const co_plugin_t *p; /**< the descriptor (borrowed) */
    void *inst;           /**< what init() returned, or NULL */
    void *cfg;            /**< the filled configuration struct, or NULL */
    co_optmem_t *mem;     /**< memory behind `cfg` */
    int faults;           /**< configuration faults found (0 when valid) */
} co_fake_plugin_t;

/**
 * @brief Start a plugin the way the host does: validate the configuration
 *        against p->options (each fault printed to stderr as
 *        "config: stages[0].config.KEY: ..."), fill the configuration
 *        struct (CO_OPT_PATH values resolved against h->base_dir, else
 *        "."), call the plugin's check() on it (ABI 1.2, when the
 *        descriptor has one, as `careerops validate` and `run` do), then
 *        call p->init() with the fake host's stage.
 *
 * A check() refusal is one fault: its message is printed to stderr as
 * "config: stages[0].config.KEY: ..." (KEY when the message starts with a
 * declared option's name and ": ", else "config: stages[0].config: ...")
 * and kept in h->error_msg (h->error_class "config", h->error_set 1), where
 * an init() refusal's set_error() message would be. Not thread-safe (one
 * thread at a time per host, like the rest of the fake host).
 * @param conf The stage's `config` object; the reference is stolen (like
 *        json_object_set_new()), also on failure.
 * @param extra NULL, or a JSON object as text whose keys are set over
 *        those of `conf` (text that is not a JSON object counts as a fault).
 * @param out Zeroed or stopped; receives the instance, the configuration
 *        and the number of faults. Free with co_fake_host_stop_plugin(),
 *        also after a failure.
 * @returns init()'s status, or CO_FATAL without calling init() when the
 *          configuration has faults (out->faults > 0), check()'s refusal
 *          included.
 * Defined in co_fake_host_plugin.c, part of co_fake_dep, which links the
 * core's options.c (a copy of co_fake_host.c alone does not have it).
 */
co_status_t co_fake_host_start_plugin(co_fake_host_t *h, const co_plugin_t *p,
                                      json_t *conf, const char *extra,
                                      co_fake_plugin_t *out);

/**
 * @brief Stop what co_fake_host_start_plugin() started: p->destroy() the
 *        instance (if any), free the configuration, and zero everything
 *        but `p`. Safe on a zeroed or already stopped struct, and NULL.
 */
void co_fake_host_stop_plugin(co_fake_plugin_t *fp);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_HOST_H */
