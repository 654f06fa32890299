/**
 * @file core/supervisor.h
 * @brief The supervisor of `careerops run`: every 100 ms it refreshes the
 *        backpressure view, measures consumer lag and dead-letter depth
 *        (metrics, alerts), detects idleness (sources done, everything
 *        acknowledged and consumed) and restarts stages that failed (with
 *        backoff, when configured) or that the control API asked to
 *        restart. Not installed.
 */
#ifndef CO_CORE_SUPERVISOR_H
#define CO_CORE_SUPERVISOR_H

#include "alerts.h"
#include "pipeline.h"

/** A lag monitor the supervisor reads. */
typedef struct co_mon_s {
    co_lagmon_t *lm;   /**< owned, unless borrowed */
    const char *stage; /**< consuming stage (borrowed), NULL for a
                            dead-letter topic */
    int is_dlq;
    int borrowed; /**< lm belongs to the backpressure view (co_bp_free()
                       frees it, after co_sup_free()) */
} co_mon_t;

/** A stage that FAILED this soon after its start (ms) failed "at once". */
#define CO_SUP_QUICK_FAIL_MS 10000
/** `run --until-idle` gives up on a stage after this many such FATALs in a
 *  row, errors.restart or not (trial 83: a FATAL on every record restarted
 *  forever, and the run never returned). */
#define CO_SUP_QUICK_FAIL_MAX 5

/** The supervisor's state for one run. */
typedef struct co_sup_s {
    co_runtime_t *rt;       /**< borrowed */
    const co_run_opts_t *o; /**< borrowed */
    co_mon_t *mons;         /**< lag of local consumers, dlq depth */
    size_t n_mons;
    co_alerts_t *alerts;        /**< or NULL */
    rd_kafka_t *alert_producer; /**< or NULL */
    int64_t *restart_at; /**< per instance: when to start it again, 0 none */
    int64_t *started_at; /**< per instance: co_mono_ms() of its last start */
    int *fail_streak;    /**< per instance: FATALs in a row, each within
                              CO_SUP_QUICK_FAIL_MS of its start */
    int64_t last_metrics;
    int idle_rounds;
    int64_t busy_since; /**< co_mono_ms() of the first round not idle */
    int64_t why_at;     /**< co_mono_ms() of the last "not idle" log line */
    int64_t why_ms; /**< --until-idle: ms between "not idle" lines (30000) */
} co_sup_t;

/**
 * @brief Set up the monitors (lag of every local consumer group, depth of
 *        each local stage's dead-letter topic) and the alerts.
 * @remark Main thread, after the instances exist. Never fails: what cannot
 *         be created is logged and left out.
 */
void co_sup_init(co_sup_t *sv, co_runtime_t *rt, const co_run_opts_t *o);

/**
 * @brief Supervise until the runtime's stop flag is set, or (with
 *        until_idle) until every source is done and every stage caught up,
 *        or a stage failed without a restart policy.
 * @returns 0, or 1 when a stage FAILED (until_idle) or could not be
 *          restarted.
 * @remark Main thread.
 */
int co_sup_run(co_sup_t *sv);

/**
 * @brief Start the worker thread of instance `idx`.
 * @returns 0, or -1 (logged).
 */
int co_sup_start_instance(co_runtime_t *rt, size_t idx);

/** @brief Flush alerts, free the monitors (not those borrowed from the
 *         backpressure view). Main thread, before co_bp_free(). */
void co_sup_free(co_sup_t *sv);

/**
 * @brief Graceful stop on the in-process embedded broker: stop the
 *        sources, wait up to `timeout_ms` for every local consumer group
 *        to catch up, then save the sources' positions (only when it did,
 *        since the broker's data ends with the process) (drain.c).
 * @remark Main thread, after co_sup_run() returned.
 */
void co_drain_embedded(co_sup_t *sv, int64_t timeout_ms);

#endif
