/**
 * @file plugins/ollama-classifier/ollama_bucket.h
 * @brief The classifier's token bucket (rate per minute, burst), driven by
 *        a clock the caller supplies so tests run on simulated time.
 *
 * The bucket starts full (`burst` tokens) at its first use and refills
 * continuously at `rate_per_minute / 60000` tokens per ms, never above
 * `burst`. Each model request takes one token; with no token left the
 * caller sleeps until one has accrued. At 5/min with burst 1, request n
 * (0-based) starts at n * 12 s: 12 requests end at 132 s.
 *
 * Pure module (no host, no I/O); one bucket per plugin instance, used from
 * that instance's thread only.
 */
#ifndef OLLAMA_BUCKET_H
#define OLLAMA_BUCKET_H

#include <stdint.h>

/** Clock: current time in ms (any epoch, monotonic enough). */
typedef int64_t (*ollama_now_fn)(void *ctx);
/** Clock: wait `ms` ms; returns non-zero when interrupted (stopping). */
typedef int (*ollama_sleep_fn)(void *ctx, int64_t ms);

/** Bucket state; initialise with ollama_bucket_init(). */
typedef struct ollama_bucket_s {
    double rate_per_ms; /**< refill rate; 0 means unlimited */
    double burst;       /**< capacity in tokens (>= 1) */
    double tokens;      /**< tokens available at last_ms */
    int64_t last_ms;    /**< time of the last refill */
    int primed;         /**< 0 until first use */
} ollama_bucket_t;

/**
 * @brief Set up a bucket.
 * @param rate_per_minute Requests per minute; <= 0 disables limiting.
 * @param burst Capacity; values below 1 are taken as 1.
 */
void ollama_bucket_init(ollama_bucket_t *b, double rate_per_minute,
                        double burst);

/**
 * @brief Refill to `now_ms` and say how long to wait for a token.
 * @returns 0 when a token is available now, else the wait in ms (>= 1).
 */
int64_t ollama_bucket_wait_ms(ollama_bucket_t *b, int64_t now_ms);

/**
 * @brief Take one token, sleeping on the supplied clock as needed.
 * @param waited_ms Out (may be NULL): total ms slept.
 * @returns 0 with a token taken, or 1 if sleep() was interrupted (no token
 *          taken).
 */
int ollama_bucket_acquire(ollama_bucket_t *b, ollama_now_fn now,
                          ollama_sleep_fn sleep, void *ctx, int64_t *waited_ms);

#endif
