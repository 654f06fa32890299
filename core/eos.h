/**
 * @file core/eos.h
 * @brief `delivery: exactly-once` for processor stages: a transactional
 *        producer whose transactions carry the stage's outputs, its dead
 *        letters and the consumed input offsets (KIP-447 style, with the
 *        consumer's group metadata), so a downstream `read_committed`
 *        consumer sees each input's outputs once. Not installed.
 *
 * One transaction covers a batch of input records: it commits once
 * `max_batch` records are in it, `commit_interval_ms` passed since it
 * began, or the input is idle (docs/operations.md, "Exactly-once").
 * An abortable error aborts it and rewinds every input partition to the
 * first offset the transaction consumed; a fatal one (fenced by a newer
 * instance with the same transactional.id, or an unrecoverable producer
 * error) stops the stage as FAILED.
 *
 * Thread-safety: every function runs on the stage's worker thread (the
 * rebalance callback too: librdkafka calls it from the consumer poll).
 */
#ifndef CO_CORE_EOS_H
#define CO_CORE_EOS_H

#include "stage.h"

/**
 * @brief Why `delivery: exactly-once` cannot run on the broker at
 *        `bootstrap` (librdkafka's mock cluster: `careerops broker`), with
 *        the fix, into `out` (`size` bytes, always NUL-terminated).
 *        `bootstrap` may be NULL. Thread-safe.
 */
void co_eos_mock_refusal(char *out, size_t size, const char *bootstrap);

/**
 * @brief The stage's transactional.id: `careerops.PIPELINE.STAGE.INSTANCE`,
 *        with `.MEMBER` appended when the environment variable
 *        CAREEROPS_MEMBER is set (one distinct, stable value per process
 *        when several processes run the same exactly-once stage). The same
 *        value is the consumer's group.instance.id (static membership), so
 *        a restarted process takes over its predecessor's partitions at
 *        once and fences it.
 * @param out Buffer of `size` bytes, always NUL-terminated.
 * @returns 0, or -1 when CAREEROPS_MEMBER holds characters other than
 *          letters, digits, `.`, `_` and `-` (the reason in errstr).
 */
int co_eos_transactional_id(const co_stage_t *st, char *out, size_t size,
                            char *errstr, size_t errstr_size);

/**
 * @brief Producer settings of an exactly-once stage, applied after the
 *        at-least-once defaults: transactional.id, enable.idempotence
 *        true, and message.timeout.ms equal to transaction.timeout.ms
 *        unless the manifest's kafka block sets it (librdkafka refuses an
 *        unlimited message timeout on a transactional producer).
 * @returns 0, or -1 with the reason in errstr.
 */
int co_eos_producer_conf(const co_stage_t *st, rd_kafka_conf_t *conf,
                         char *errstr, size_t errstr_size);

/**
 * @brief Consumer settings of an exactly-once stage: read_committed input,
 *        static group membership (group.instance.id), and the rebalance
 *        callback co_eos_rebalance_cb().
 * @returns 0, or -1 with the reason in errstr.
 */
int co_eos_consumer_conf(const co_stage_t *st, rd_kafka_conf_t *conf,
                         char *errstr, size_t errstr_size);

/**
 * @brief Rebalance callback of an exactly-once stage: before partitions
 *        are revoked the open transaction is committed (aborted if that
 *        fails: the next owner re-reads the records); on assignment the
 *        consumer starts at the group's committed offsets.
 */
void co_eos_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque);

/**
 * @brief The consumer loop of an exactly-once processor stage (instead of
 *        co_stage_consumer_loop()). Refuses librdkafka's mock cluster
 *        (it does not filter aborted transactions for read_committed
 *        consumers) with a FATAL naming the fix.
 * @returns 0 (stopped on request, last transaction committed), or -1 when
 *          the stage FAILED (reason in its status).
 */
int co_stage_eos_loop(co_stage_t *st);

#endif
