/**
 * @file plugins/mock/tests/mock_fake_host.h
 * @brief A small in-process stand-in for the host, to unit-test plugins
 *        without Kafka: loads a plugin module with dlopen, fills its
 *        configuration struct from the option table like the host does, and
 *        captures what it emits, dead-letters, stores and logs. The clock is
 *        simulated: sleep_ms() advances now_ms() without waiting.
 *
 * Thread-safety: one fake stage per thread; tests are single-threaded.
 */
#ifndef CO_MOCK_FAKE_HOST_H
#define CO_MOCK_FAKE_HOST_H

#include <careerops/plugin.h>
#include <jansson.h>

/** One captured record (emitted or dead-lettered). Strings are copies. */
typedef struct fake_rec_s {
    char *key; /**< NUL-terminated copy, NULL for a null key */
    size_t key_len;
    char *value; /**< NUL-terminated copy, NULL for a null value */
    size_t value_len;
    json_t *headers;                   /**< object name -> string value */
    int64_t at_ms;                     /**< simulated time of the emit() */
    char *error_class, *error_message; /**< dead letters only */
} fake_rec_t;

/** The fake stage: what the plugin did, and knobs for the test. */
struct co_stage_s {
    int64_t now_ms;   /**< simulated clock (starts at 1e12) */
    int64_t slept_ms; /**< total asked through sleep_ms() */
    fake_rec_t *emitted;
    size_t n_emitted, cap_emitted;
    fake_rec_t *dead;
    size_t n_dead, cap_dead;
    char error_class[64];
    char error_message[512];
    json_t *state;      /**< key -> string (state_put / source_offset) */
    int source_offsets; /**< number of source_offset() calls */
    json_t *idem;       /**< key -> "pending" | "done" */
    int emit_fail_at;   /**< fail the n-th emit (1-based) with
                             CO_ERR_KAFKA; 0 never */
    int n_emit_calls;
    int state_down; /**< state services return CO_ERR_STATE */
    int stopping;
};

/** A loaded plugin and one configured instance. */
typedef struct fake_host_s {
    void *dl;
    const co_plugin_t *plugin;
    co_stage_t st;
    void *config; /**< filled configuration struct */
    json_t *strs; /**< keeps option strings alive */
    void *inst;
    co_status_t init_status;
    int64_t n_process; /**< process() calls (input offsets 40, 41..) */
} fake_host_t;

/** The fake host services table. */
extern const co_host_api_t fake_api;

/**
 * @brief dlopen `module` (e.g. "mock-source") from
 *        $CAREEROPS_PLUGIN_PATH/mock/, fill its config from `opts`
 *        ("name=value" strings, NULL-terminated; other options get their
 *        defaults) and call init(). Fails the test on load errors.
 * @returns A new fake host; init_status holds init()'s result.
 */
fake_host_t *fake_host_new(const char *module, const char *const *opts);

/** @brief destroy() the instance, unload, and free everything. */
void fake_host_free(fake_host_t *h);

/** @brief Call process() with a record of the given key/value (NUL-
 *         terminated, either may be NULL) and headers (may be NULL). */
co_status_t fake_host_process(fake_host_t *h, const char *key,
                              const char *value, const co_header_t *headers,
                              size_t header_cnt);

/** @brief Read a file whole (NUL-terminated, malloc'd), NULL if absent. */
char *fake_read_file(const char *path);

/** @brief Number of lines in a file (0 if absent). */
size_t fake_count_lines(const char *path);

#endif
