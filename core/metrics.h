/**
 * @file core/metrics.h
 * @brief Process-wide metrics registry rendered in the Prometheus text
 *        exposition format (version 0.0.4) on /metrics. Not installed.
 * @remark Thread-safe: each metric has its own lock; lookups lock the
 *         registry. Keep the handle from co_metric() on hot paths.
 */
#ifndef CO_CORE_METRICS_H
#define CO_CORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef enum co_metric_type_e {
    CO_METRIC_COUNTER,
    CO_METRIC_GAUGE,
    CO_METRIC_HISTOGRAM /**< seconds, fixed buckets 1 ms .. 60 s */
} co_metric_type_t;

typedef struct co_metric_s co_metric_t;

/**
 * @brief Find or create the metric `name{labels}`.
 * @param name Prometheus name, e.g. "careerops_records_in_total".
 * @param labels Label text without braces (`stage="classify"`), or "".
 * @param help One-line description (first registration wins).
 * @returns A handle valid until the process exits.
 */
co_metric_t *co_metric(const char *name, const char *labels,
                       co_metric_type_t type, const char *help);
/** @brief Add to a counter or gauge. */
void co_metric_add(co_metric_t *m, double v);
/** @brief Set a gauge. */
void co_metric_set(co_metric_t *m, double v);
/** @brief Record one observation (seconds) in a histogram. */
void co_metric_observe(co_metric_t *m, double seconds);
/** @brief Record `n` observations of the same value (seconds) at once:
 *         one lock for many, e.g. for records counted per batch. */
void co_metric_observe_n(co_metric_t *m, double seconds, uint64_t n);
/** @brief Current value of a counter or gauge (histogram: count). */
double co_metric_value(co_metric_t *m);
/** @brief Render every metric as Prometheus text; free() the result. */
char *co_metrics_render(void);

#endif
