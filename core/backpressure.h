/**
 * @file core/backpressure.h
 * @brief Backpressure for the sources and processors of a run: the
 *        downstream committed position of every partition a local stage
 *        produces to, measured by the supervisor and read by the stage
 *        before each emit to its output; and
 *        recognising librdkafka's mock cluster (in process, or the
 *        standalone `careerops broker`) whose window is small. Not
 *        installed.
 *
 * The mock cluster of librdkafka 2.0.2 keeps only the newest
 * CO_MOCK_PARTITION_BYTES or CO_MOCK_PARTITION_SETS message sets per
 * partition and silently drops older ones (docs/operations.md). A source
 * or processor pauses while the downstream groups lag too far behind it,
 * whether the broker runs in its own process or in another one, and whether the
 * downstream group has committed yet or not.
 */
#ifndef CO_CORE_BACKPRESSURE_H
#define CO_CORE_BACKPRESSURE_H

#include "pipeline.h"

/** Message sets the mock cluster keeps per partition (librdkafka 2.0.2). */
#define CO_MOCK_PARTITION_SETS 100000

/** Backpressure limit per partition on a real cluster, in records. */
#define CO_BP_LIMIT_RECORDS 100000

/**
 * @brief The per-partition limit the sources of `rt` keep the downstream
 *        lag under: 0 when `no_backpressure`, 40% of the mock cluster's
 *        message-set window on the mock, else CO_BP_LIMIT_RECORDS. (The
 *        sources also keep under 40% of its bytes, from their average
 *        record size.)
 */
int64_t co_bp_limit(const co_runtime_t *rt, int no_backpressure);

/**
 * @brief The high watermark of `topic`/`partition` as co_bp_tick() last
 *        measured it: every producer's records, the other instances and
 *        hosts included (co_stage_env_t::downstream_end).
 * @param rt The co_runtime_t (void * to fit the env callback).
 * @returns The offset, or -1 when no local view covers the partition or
 *          it was not measured yet.
 * @remark Thread-safe (bp_lock).
 */
int64_t co_bp_downstream_end(void *rt, const char *topic, int32_t partition);

/**
 * @brief Build the backpressure view: one entry per local stage with an
 *        output topic, one lag monitor per downstream consumer group.
 * @param o Which stages run in this process.
 * @remark Main thread, before the stages start. A monitor that cannot be
 *         created is logged and left out.
 */
void co_bp_init(co_runtime_t *rt, const co_run_opts_t *o);

/**
 * @brief Measure every downstream group once and publish the minimum
 *        committed offset per partition (a group with no commit counts
 *        from the partition's base). A topic whose groups do not all
 *        answer keeps its previous view.
 * @remark Supervisor thread.
 */
void co_bp_tick(co_runtime_t *rt);

/** @brief Free the view (monitors included). Main thread, stages joined. */
void co_bp_free(co_runtime_t *rt);

#endif
