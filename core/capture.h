/**
 * @file core/capture.h
 * @brief Run one stage's plugin in-process without Kafka: records go in by
 *        call, what the plugin emits is captured in memory. Used by
 *        `careerops eval` and by tests. Not installed.
 *
 * The stage is configured exactly as `careerops run` would configure it
 * (manifest parsing, `--set` overrides, option validation, secrets), so an
 * evaluation measures the same classifier the pipeline runs.
 *
 * Thread-safety: a co_capture_t is used from one thread.
 */
#ifndef CO_CORE_CAPTURE_H
#define CO_CORE_CAPTURE_H

#include <careerops/types.h>
#include <stddef.h>
#include <stdint.h>

/* co_capture_t is declared in <careerops/types.h> (ABI 1.1). */

/**
 * @brief Load the manifest, apply `sets` ("path=value", NULL-terminated,
 *        may be NULL), and create and start an instance of stage
 *        `stage_name`'s plugin. Sink stages (no output) are refused:
 *        they emit nothing to capture.
 * @returns A new capture, or NULL with the reason (manifest errors with
 *          their JSON paths; an unknown, source or sink stage with the
 *          names of the stages that can be used) in errstr.
 */
co_capture_t *co_capture_new(const char *manifest_path, const char *stage_name,
                             const char *const *sets, char *errstr,
                             size_t errstr_size);

/**
 * @brief co_capture_new() on manifest text in memory; sink stages are
 *        accepted (`careerops plugins test` runs sinks this way).
 * @param label Names the manifest in messages (e.g. "plugins test").
 * @param dir Folder that relative paths and secrets resolve against.
 */
co_capture_t *co_capture_new_buffer(const char *text, size_t len,
                                    const char *label, const char *dir,
                                    const char *stage_name, char *errstr,
                                    size_t errstr_size);

/**
 * @brief Call the plugin's flush() once (sinks), if it has one.
 * @returns Its status (CO_OK without a flush()); the message is in
 *          co_capture_error().
 */
co_status_t co_capture_flush(co_capture_t *c);

/**
 * @brief Hand one record to the plugin's process() (retrying CO_RETRY up to
 *        the stage's retry limit on the injectable clock, without sleeping
 *        when the clock is simulated). The record is in partition 0 of the
 *        stage's first input, at offset 0 for the capture's first record,
 *        1 for the next, and so on in call order (co_capture_clear() does
 *        not restart them).
 * @param key,value Borrowed bytes (value is usually JSON).
 * @returns The final status. Emitted records are appended to the capture.
 */
co_status_t co_capture_process(co_capture_t *c, const void *key, size_t key_len,
                               const void *value, size_t value_len);

/** @brief Number of records captured so far. */
size_t co_capture_count(const co_capture_t *c);
/** @brief Value of captured record i (NUL-terminated copy owned by the
 *         capture, valid until clear/destroy); len may be NULL. */
const char *co_capture_value(const co_capture_t *c, size_t i, size_t *len);
/** @brief Message the plugin gave with api->set_error() for the last call
 *         ("" if none). Owned by the capture. */
const char *co_capture_error(const co_capture_t *c);
/** @brief The capture's simulated clock (ms since the epoch): retries and
 *         rate-limit waits advance it instead of sleeping. */
int64_t co_capture_now_ms(const co_capture_t *c);
/** @brief Forget captured records (keeps the plugin instance). */
void co_capture_clear(co_capture_t *c);
/** @brief Stop and destroy the plugin instance and the capture; NULL ok. */
void co_capture_destroy(co_capture_t *c);

#endif
