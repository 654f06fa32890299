/**
 * @file lib/ratelimit/co_bucket.h
 * @brief Token bucket (rate in tokens per second, burst capacity) on an
 *        injectable clock. Static library `co_ratelimit` (prefix
 *        co_bucket_), libc only; the host's per-stage rate limits use it,
 *        plugins may too. Not installed.
 * @remark A bucket is used by one thread (e.g. its stage worker).
 */
#ifndef CO_LIB_BUCKET_H
#define CO_LIB_BUCKET_H

#include <stdint.h>

/** A token bucket. Zero rate means unlimited. */
typedef struct co_bucket_s {
    double rate;     /**< tokens per second (0 = unlimited) */
    double burst;    /**< capacity in tokens (>= 1) */
    double tokens;   /**< tokens available now */
    int64_t last_ms; /**< clock reading of the last refill */
} co_bucket_t;

/** @brief Initialise a full bucket at clock reading `now_ms`. */
void co_bucket_init(co_bucket_t *b, double rate_per_s, double burst,
                    int64_t now_ms);

/**
 * @brief Take one token if available at `now_ms`.
 * @returns 0 if taken, else the wait in ms until one will be available
 *          (take again then). Records are never dropped: callers wait.
 */
int64_t co_bucket_take(co_bucket_t *b, int64_t now_ms);

#endif
