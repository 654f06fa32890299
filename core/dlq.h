/**
 * @file core/dlq.h
 * @brief Dead letters: the `careerops.error.*` header names (defined here
 *        once, for the stages that write them and the `careerops dlq`
 *        commands that read them) and the builder of a dead letter's
 *        headers. Not installed.
 *
 * Thread-safety: the functions keep no state; call them from any thread.
 */
#ifndef CO_CORE_DLQ_H
#define CO_CORE_DLQ_H

#include <careerops/types.h>
#include <librdkafka/rdkafka.h>

/** Prefix shared by every dead-letter header. */
#define CO_DLQ_HDR_PREFIX "careerops.error."
/** Stage that gave up on the record. */
#define CO_DLQ_HDR_STAGE CO_DLQ_HDR_PREFIX "stage"
/** Plugin of that stage. */
#define CO_DLQ_HDR_PLUGIN CO_DLQ_HDR_PREFIX "plugin"
/** Error class (api->set_error()'s class, "retries", "source"...). */
#define CO_DLQ_HDR_CLASS CO_DLQ_HDR_PREFIX "class"
/** Human-readable reason. */
#define CO_DLQ_HDR_MESSAGE CO_DLQ_HDR_PREFIX "message"
/** Number of attempts made (decimal). */
#define CO_DLQ_HDR_ATTEMPTS CO_DLQ_HDR_PREFIX "attempts"
/** Topic the record was read from ("" for a source's rejects). */
#define CO_DLQ_HDR_TOPIC CO_DLQ_HDR_PREFIX "topic"
/** Partition it was read from (decimal, -1 for a source). */
#define CO_DLQ_HDR_PARTITION CO_DLQ_HDR_PREFIX "partition"
/** Offset it was read from (decimal, -1 for a source). */
#define CO_DLQ_HDR_OFFSET CO_DLQ_HDR_PREFIX "offset"
/** When it was dead-lettered (RFC 3339, UTC, milliseconds). */
#define CO_DLQ_HDR_TIME CO_DLQ_HDR_PREFIX "time"

/** Why a record is dead-lettered, and by whom. */
typedef struct co_dlq_reason_s {
    const char *stage;  /**< stage name */
    const char *plugin; /**< plugin name */
    const char *cls;    /**< error class */
    const char *msg;    /**< reason */
    int attempts;       /**< attempts made */
} co_dlq_reason_t;

/**
 * @brief Headers of a dead letter: the record's own headers, then the
 *        `careerops.error.*` headers from `why` and the record's topic,
 *        partition and offset.
 * @param rec The failed record (borrowed).
 * @returns A new header list, owned by the caller (librdkafka takes it on a
 *          successful produce).
 */
rd_kafka_headers_t *co_dlq_headers(const co_record_t *rec,
                                   const co_dlq_reason_t *why);

/**
 * @brief `careerops dlq list|show|replay MANIFEST [...]`: print, show or
 *        replay the dead letters of a running broker's dead-letter topic.
 * @param argc,argv Arguments after "careerops" (argv[0] is "dlq").
 * @returns Process exit code: 0, 1 (no such dead letter), 2 (bad usage,
 *          bad manifest, broker unreachable).
 */
int co_cmd_dlq(int argc, char **argv);

#endif
