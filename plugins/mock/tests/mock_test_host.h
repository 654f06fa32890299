/**
 * @file plugins/mock/tests/mock_test_host.h
 * @brief Loads a plugin module with dlopen into the shared fake host
 *        (tests/fakes/co_fake_host.h: captures emits, errors and dead
 *        letters; in-memory state; simulated clock), fills its configuration
 *        struct from the option table as the real host does, and adds what
 *        the mock plugins' tests need on top: the headers and time of each
 *        emit, a failure of the n-th emit, and an unreachable state store.
 *
 * Thread-safety: one test host at a time (the wrappers find it through a
 * static); tests are single-threaded.
 */
#ifndef CO_MOCK_TEST_HOST_H
#define CO_MOCK_TEST_HOST_H

#include "co_fake_host.h"
#include <jansson.h>

/** A plugin loaded into a fake host, with one configured instance. */
typedef struct mt_host_s {
    co_fake_host_t *fh; /**< the fake host: fh->emits, fh->dead, fh->now_ms,
                             fh->slept_ms, fh->error_class/msg, fh->stopping */
    co_stage_t *st;     /**< fake stage handle */
    void *dl;
    const co_plugin_t *plugin;
    void *config; /**< filled configuration struct */
    json_t *strs; /**< keeps option strings alive */
    void *inst;
    co_status_t init_status; /**< what init() returned */
    int64_t n_process;       /**< process() calls (input offsets 40, 41..) */

    json_t *emit_headers; /**< per emit: object of header name -> string */
    json_t *emit_at;      /**< per emit: fh->now_ms at the call */
    int emit_fail_at;     /**< make the n-th emit() call (1-based) fail with
                               CO_ERR_KAFKA; 0 never */
    int emit_calls;       /**< emit() calls so far */
    int state_down;       /**< state and idempotency services fail with
                               CO_ERR_STATE */
    int source_offsets;   /**< source_offset() calls */
} mt_host_t;

/**
 * @brief dlopen $CAREEROPS_PLUGIN_PATH/mock/MODULE.so, fill its config from
 *        `opts` ("name=value", NULL-terminated, may be NULL; other options
 *        take their defaults) and call init(). Test failures on load errors.
 */
mt_host_t *mt_host_new(const char *module, const char *const *opts);

/** @brief stop(), destroy(), unload and free. */
void mt_host_free(mt_host_t *h);

/** @brief process() a record with these NUL-terminated key and value (NULL
 *         for null), topic "in_topic", partition 2, offset 40 + n. */
co_status_t mt_process(mt_host_t *h, const char *key, const char *value,
                       const co_header_t *headers, size_t header_cnt);

/** @brief The state value of `key` (static buffer), or NULL if absent. */
const char *mt_state(mt_host_t *h, const char *key);

/** @brief Store a state value as the source would have. */
void mt_state_set(mt_host_t *h, const char *key, const char *value);

/** @brief Header `name` of emitted record i, or NULL. */
const char *mt_emit_header(mt_host_t *h, size_t i, const char *name);

/** @brief fh->now_ms when emitted record i was emitted. */
int64_t mt_emit_at(mt_host_t *h, size_t i);

/** @brief Read a file whole (NUL-terminated, malloc'd), NULL if absent. */
char *mt_read_file(const char *path);

/** @brief Number of lines in a file (0 if absent). */
size_t mt_count_lines(const char *path);

#endif
