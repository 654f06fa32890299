/**
 * @file careerops/types.h
 * @brief Basic types of the CareerOps plugin ABI v1: versions, status
 *        codes, error codes, records and headers.
 *
 * These headers are the whole contract between the host (`careerops`) and a
 * stage plugin. They use only C99 and <stddef.h>/<stdint.h>: no third-party
 * type ever crosses the ABI.
 *
 * Versioning follows GStreamer/libuv: the same major means a compatible ABI;
 * a minor adds fields or functions at the end of a struct and never moves
 * anything. The host refuses a plugin with another major, or a newer minor
 * than its own.
 */
#ifndef CAREEROPS_TYPES_H
#define CAREEROPS_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI major version: a plugin built for another major is refused. */
#define CO_ABI_MAJOR 1
/**
 * ABI minor version: a plugin built for a newer minor is refused.
 * 1.1 added plugin commands (co_plugin_t::commands, co_command_t) and the
 * command services of co_host_api_t (stage_config, capture_*).
 * 1.2 added co_plugin_t::check (a configuration checked by `validate`).
 * 1.3 added co_plugin_t::flags (CO_PLUGIN_NO_INPUT_HEADERS: the plugin
 * reads no input header, so the host need not parse them).
 */
#define CO_ABI_MINOR 3

/**
 * @brief What a plugin callback tells the host about one unit of work.
 *
 * DESIGN.md section 3, "Errors":
 * - CO_OK: done; the host moves on.
 * - CO_RETRY: transient (HTTP 429/5xx, timeout). The host retries the same
 *   record with exponential backoff and jitter, honouring a hint given with
 *   co_host_api_t::retry_after, up to the stage's limits, then treats it as
 *   CO_FAIL.
 * - CO_FAIL: permanent for this record. The host routes it to the stage's
 *   dead-letter topic with `careerops.error.*` headers (or stops the stage if
 *   `errors.tolerance` is `none`).
 * - CO_FATAL: the stage cannot go on (bad credentials, model missing). The
 *   host stops the stage, reports FAILED with the message, and commits nothing
 *   past the last acknowledged record.
 * - CO_EOF: sources only, from poll(): the input is exhausted and will never
 *   grow; the host drains, commits and ends the stage.
 */
typedef enum co_status_e {
    CO_OK = 0,
    CO_RETRY = 1,
    CO_FAIL = 2,
    CO_FATAL = 3,
    CO_EOF = 4
} co_status_t;

/**
 * X-macro of the error codes returned by host services (0 or negative).
 * HTTP 429/5xx and timeouts map to TRANSIENT; other 4xx to UPSTREAM.
 */
#define CO_ERR_MAP(XX)                                                         \
    XX(INVAL, -1, "invalid argument")                                          \
    XX(NOMEM, -2, "out of memory")                                             \
    XX(CONFIG, -3, "bad configuration")                                        \
    XX(ABI, -4, "incompatible ABI")                                            \
    XX(TRANSIENT, -5, "temporary failure")                                     \
    XX(UPSTREAM, -6, "remote error")                                           \
    XX(KAFKA, -7, "kafka")                                                     \
    XX(NOTFOUND, -8, "not found")                                              \
    XX(STATE, -9, "state store unavailable")                                   \
    XX(UNSUPPORTED, -10, "not supported by this host")

/** Error codes: 0 is success, every error is negative. */
typedef enum co_err_e {
    CO_ERR_OK = 0,
#define CO__ERR_ENUM(name, val, str) CO_ERR_##name = val,
    CO_ERR_MAP(CO__ERR_ENUM)
#undef CO__ERR_ENUM
} co_err_t;

/** Stage kinds, combined as a bit mask in co_plugin_t::kinds. */
typedef enum co_kind_e {
    CO_KIND_SOURCE = 1u << 0,    /**< produces records from outside (poll) */
    CO_KIND_PROCESSOR = 1u << 1, /**< consumes one topic, emits to another */
    CO_KIND_SINK = 1u << 2       /**< consumes a topic, writes outside */
} co_kind_t;

/** Log levels (syslog order). */
typedef enum co_log_level_e {
    CO_LOG_ERROR = 3,
    CO_LOG_WARN = 4,
    CO_LOG_INFO = 6,
    CO_LOG_DEBUG = 7
} co_log_level_t;

/**
 * @brief One Kafka record header (name, binary value).
 * @remark Borrowed: valid for the duration of the call that passed it.
 */
typedef struct co_header_s {
    const char *name;  /**< NUL-terminated header name */
    const void *value; /**< value bytes, may be NULL for a null header */
    size_t value_len;  /**< length of value in bytes */
} co_header_t;

/**
 * @brief One record, as handed to process() or given to emit().
 *
 * Records the host passes in are borrowed: every pointer is valid only until
 * the callback returns. Records a plugin passes to emit() are copied by the
 * host before emit() returns, so the plugin may free or reuse its buffers.
 *
 * `size` must be set to sizeof(co_record_t) by whoever fills the struct; the
 * host reads fields only below it (fields are only ever appended).
 */
typedef struct co_record_s {
    uint32_t size;              /**< sizeof(co_record_t) of the filler */
    const void *key;            /**< record key bytes, or NULL */
    size_t key_len;             /**< key length in bytes */
    const void *value;          /**< record value bytes, or NULL */
    size_t value_len;           /**< value length in bytes */
    const co_header_t *headers; /**< array of header_cnt headers, or NULL */
    size_t header_cnt;          /**< number of headers */
    const char *topic;    /**< in: topic read from; emit: NULL = stage output
                               (a topic no stage of the manifest names is
                               sent, with one WARN per name) */
    int32_t partition;    /**< in: partition; emit: -1 = by key hash */
    int64_t offset;       /**< in: offset in partition; emit: ignored */
    int64_t timestamp_ms; /**< in: record time (ms since epoch); emit: 0=now */
} co_record_t;

/** Initializer for a record to emit: unset fields zero, partition -1. */
#define CO_RECORD_INIT                                                         \
    {                                                                          \
        sizeof(co_record_t), NULL, 0, NULL, 0, NULL, 0, NULL, -1, 0, 0         \
    }

/** Opaque per-stage-instance handle the host passes to a plugin. */
typedef struct co_stage_s co_stage_t;

/**
 * Opaque handle of a stage run in-process by the host for a command
 * (co_host_api_t::capture_open, ABI 1.1): records go in by call, what the
 * stage's plugin emits is kept in memory.
 */
typedef struct co_capture_s co_capture_t;

#ifdef __cplusplus
}
#endif
#endif /* CAREEROPS_TYPES_H */
