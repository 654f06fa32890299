/**
 * @file core/port.h
 * @brief A stage's output port: where emit() and dead letters go, behind a
 *        small function table, so the worker and the host services do not
 *        care whether records go to Kafka (port_kafka.c) or to memory
 *        (capture.c). Not installed.
 *
 * Thread-safety: a port is used from its stage's worker thread only.
 */
#ifndef CO_CORE_PORT_H
#define CO_CORE_PORT_H

#include "dlq.h"
#include "stage.h"

/** The operations of an output port. */
struct co_port_s {
    const char *name; /**< "kafka", "capture" */
    /**
     * Send one record to `topic` (NULL: the record's or the stage's).
     * Adds CloudEvents headers when the record has none and the stage's
     * `cloudevents` is "binary" (the default). The current input
     * record (co_stage_t::cur_tok) waits for its acknowledgement.
     * @returns 0, or a negative co_err_t.
     */
    int (*emit)(co_stage_t *st, const co_record_t *rec);
    /**
     * Dead-letter `rec` with the `careerops.error.*` headers of `why`.
     * @returns 0, or a negative co_err_t.
     */
    int (*dead_letter)(co_stage_t *st, const co_record_t *rec,
                       const co_dlq_reason_t *why);
    /** Serve acknowledgements for up to timeout_ms (may be NULL). */
    void (*serve)(co_stage_t *st, int timeout_ms);
    /**
     * Wait until everything sent is acknowledged, at most timeout_ms
     * (-1: until the runtime stops hard).
     * @returns 0, or -1 (timed out, stopped hard, or a delivery failed).
     */
    int (*drain)(co_stage_t *st, int64_t timeout_ms);
};

/** @brief The Kafka port (port_kafka.c). */
extern const co_port_t co_port_kafka;

/**
 * @brief Create the stage's producer (and consumer when it has inputs)
 *        with the host's settings (port_kafka.c).
 * @returns 0, or -1 with the reason in errstr.
 */
int co_port_kafka_setup(co_stage_t *st, char *errstr, size_t errstr_size);

#endif
