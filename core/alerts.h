/**
 * @file core/alerts.h
 * @brief The host's operational alerts: dead-letter depth and consumer lag
 *        checked against the manifest's `alerts` thresholds; one alert per
 *        crossing and one resolve when the value falls back, posted to a
 *        Slack incoming webhook or the PagerDuty Events API v2, logged, and
 *        queued as a careerops.alert.v1 record for the alerts topic.
 *
 * Alert record (value of a record on `alerts.topic`, key = dedup_key):
 * @code
 * {"schema":"careerops.alert.v1","pipeline":"demo","alert":"dlq_depth",
 *  "action":"trigger","value":11,"threshold":10,
 *  "dedup_key":"careerops/demo/dlq_depth/1735689600000",
 *  "time":"2025-01-01T00:00:00.000Z",
 *  "summary":"CareerOps demo: dead-letter depth 11 is above 10"}
 * @endcode
 * `alert` is "dlq_depth" or "consumer_lag"; `action` "trigger" or
 * "resolve"; a trigger and its resolve share the dedup_key (the time of the
 * crossing in ms), which is also PagerDuty's dedup_key.
 *
 * Threading: co_alerts_tick() and co_alerts_pending_record() are meant for
 * the supervisor thread; every function is thread-safe (one mutex). Posts
 * run on a small worker thread owned by the co_alerts_t, so a tick never
 * waits for the network.
 */
#ifndef CO_CORE_ALERTS_H
#define CO_CORE_ALERTS_H

#include "manifest.h"

#include <stdint.h>

/** The alerting state of one pipeline. */
typedef struct co_alerts_s co_alerts_t;

/** Counters, for tests and /metrics. */
typedef struct co_alerts_counts_s {
    int64_t alerts;      /**< triggers decided (threshold crossings) */
    int64_t resolves;    /**< resolves decided */
    int64_t posted;      /**< posts the webhook accepted (2xx) */
    int64_t post_errors; /**< posts given up after retries */
} co_alerts_counts_t;

/** Timeout of one post, in ms; a post is tried at most 3 times. */
#define CO_ALERTS_POST_TIMEOUT_MS 5000

/**
 * @brief Create the alerting state from `m->alerts`.
 * @param m The manifest (borrowed; values are copied).
 * @returns A new state (free with co_alerts_free()), or NULL when both
 *          thresholds are 0 (alerts off) or out of memory. With no
 *          webhook_url, alerts are only logged and queued as records.
 *          `kind` "pagerduty" posts Events API v2 events (routing_key
 *          required, else alerts are only logged, with a warning); anything
 *          else posts Slack webhook messages.
 */
co_alerts_t *co_alerts_new(const co_manifest_t *m);

/**
 * @brief Check the current values against the thresholds. A value that
 *        goes above its threshold (`dlq_depth > alerts.dlq_depth`) makes
 *        the alert pending (one WARN line); if it is still above after
 *        `alerts.for_s` seconds (like Prometheus' `for:`), ONE alert is
 *        triggered (an ERROR line); falling back to or under the threshold
 *        ends a pending alert quietly (INFO) and resolves a fired one
 *        (ONE resolve). Triggers and resolves are logged, queued for
 *        posting and queued as records. for_s 0 fires at the first tick.
 * @param dlq_depth Dead letters waiting (< 0: unknown, not checked).
 * @param max_consumer_lag Largest lag of any stage (< 0: unknown).
 * @param now_ms The caller's clock (ms since the epoch): the record's time,
 *        the dedup_key and the for_s duration. Injectable for tests.
 * @remark Never blocks on the network. NULL `a` is allowed (no-op).
 */
void co_alerts_tick(co_alerts_t *a, int64_t dlq_depth, int64_t max_consumer_lag,
                    int64_t now_ms);

/**
 * @brief Take the oldest alert record not yet produced.
 * @param json Out: the careerops.alert.v1 JSON (malloc; free()).
 * @returns 1 when a record was returned, 0 when none is pending.
 * @remark The record's key is its `dedup_key`; the topic co_alerts_topic().
 */
int co_alerts_pending_record(co_alerts_t *a, char **json);

/** @brief The alerts topic name (owned by `a`). */
const char *co_alerts_topic(const co_alerts_t *a);

/** @brief Copy the counters into `out`. */
void co_alerts_counts(co_alerts_t *a, co_alerts_counts_t *out);

/**
 * @brief Wait (real time) until every queued post is done.
 * @returns 0, or -1 after timeout_ms. For tests and shutdown.
 */
int co_alerts_drain(co_alerts_t *a, int timeout_ms);

/**
 * @brief Stop the worker (the post in flight is finished or times out;
 *        queued posts are dropped with a log line) and free everything.
 *        NULL is allowed.
 */
void co_alerts_free(co_alerts_t *a);

#endif /* CO_CORE_ALERTS_H */
