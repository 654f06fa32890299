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

/**
 * @brief A fatal error of the stage's producer or consumer (librdkafka's
 *        INTRODUCTION.md, "Fatal errors"; rd_kafka_fatal_error()): logs
 *        one line `FATAL: stage NAME: kafka producer|consumer fatal error:
 *        ERROR_NAME: reason (check SETTING ...)`, sets the stage FAILED
 *        and co_stage_t::kafka_fatal, after which the stage stops and
 *        commits nothing more (port_kafka_fatal.c). Only the first call of
 *        a stage instance logs.
 * @param rk The client that failed (NULL: the producer); its recorded
 *        fatal error is reported, else `err` and `reason`.
 * Thread-safety: any thread (the status is locked, the flag atomic).
 */
void co_port_kafka_fatal(co_stage_t *st, rd_kafka_t *rk,
                         rd_kafka_resp_err_t err, const char *reason);

/** @brief 1 once co_port_kafka_fatal() ran for the stage. Thread-safe. */
int co_port_kafka_failed(const co_stage_t *st);

/**
 * @brief The error_cb of the stage's producer and consumer (opaque: the
 *        stage): RD_KAFKA_RESP_ERR__FATAL goes to co_port_kafka_fatal(),
 *        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN makes the stage WAITING
 *        (co_port_kafka_broker_check()), other errors are logged at ERROR
 *        as librdkafka logs them without an error_cb. Served by
 * rd_kafka_poll()/rd_kafka_consumer_poll().
 */
void co_port_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason,
                            void *opaque);

/**
 * @brief While librdkafka reports every broker down
 *        (RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, to the error_cb): the stage
 *        shows WAITING with the reason (so /health says "degraded",
 *        docs/operations.md "Errors"); every 2 s a metadata request (1 s
 *        at most) asks whether the broker answers again, and when it does
 *        the stage is RUNNING again. Call once per loop of the worker; a
 *        no-op while the brokers are up. Worker thread only.
 * @returns 1 while the brokers are down, else 0.
 */
int co_port_kafka_broker_check(co_stage_t *st);

/**
 * @brief Read the test hook CAREEROPS_TEST_KAFKA_FATAL_AFTER (a count of
 *        records; only when set) into co_stage_t::test_fatal_after.
 * @returns 0, or -1 with errstr naming the variable when it is not a
 *          positive integer.
 */
int co_port_kafka_test_hook(co_stage_t *st, char *errstr, size_t errstr_size);

/** @brief The test hook's fault: rd_kafka_test_fatal_error() on the
 *         producer with OUT_OF_ORDER_SEQUENCE_NUMBER (an idempotent
 *         producer's fatal error), once per process. Thread-safe. */
void co_port_kafka_test_fatal(co_stage_t *st);

#endif
