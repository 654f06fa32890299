/**
 * @file core/ratelimit.h
 * @brief Token bucket (rate in tokens per second, burst capacity) on an
 *        injectable clock, and the retry backoff schedule. Not installed.
 * @remark A bucket is used by one thread (its stage worker).
 */
#ifndef CO_CORE_RATELIMIT_H
#define CO_CORE_RATELIMIT_H

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

/**
 * @brief Backoff before retry number `attempt` (1-based): base * 2^(n-1),
 *        capped at `max_ms`, with "equal jitter" (half fixed, half random)
 *        so retrying instances spread out. A plugin hint (Retry-After)
 *        raises the delay to at least `hint_ms`.
 * @param rnd A random value in [0,1).
 * @returns The delay in ms.
 */
int64_t co_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms,
                      int64_t hint_ms, double rnd);

#endif
