/**
 * @file plugins/ollama-classifier/ollama_bucket.c
 * @brief Token bucket on an injected clock; see ollama_bucket.h.
 *
 * Written here rather than taken from a library: it is a dozen lines, and
 * it must run on the host's injectable clock (api->now_ms/sleep_ms), which
 * no packaged rate limiter supports.
 */
#include "ollama_bucket.h"

#include <math.h>

/* Tolerance for floating-point refill: a token is "whole" at 1 - EPS. */
#define OLLAMA_BUCKET_EPS 1e-9

void ollama_bucket_init(ollama_bucket_t *b, double rate_per_minute,
                        double burst)
{
    b->rate_per_ms = rate_per_minute > 0 ? rate_per_minute / 60000.0 : 0;
    b->burst = burst >= 1 ? burst : 1;
    b->tokens = b->burst;
    b->last_ms = 0;
    b->primed = 0;
}

int64_t ollama_bucket_wait_ms(ollama_bucket_t *b, int64_t now_ms)
{
    if (b->rate_per_ms <= 0)
        return 0;
    if (!b->primed) {
        b->primed = 1;
        b->last_ms = now_ms;
        b->tokens = b->burst;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * b->rate_per_ms;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ms = now_ms;
    }
    if (b->tokens >= 1 - OLLAMA_BUCKET_EPS)
        return 0;
    int64_t wait = (int64_t)ceil((1 - b->tokens) / b->rate_per_ms);
    return wait > 0 ? wait : 1;
}

int ollama_bucket_acquire(ollama_bucket_t *b, ollama_now_fn now,
                          ollama_sleep_fn sleep, void *ctx, int64_t *waited_ms)
{
    int64_t waited = 0, w;
    while ((w = ollama_bucket_wait_ms(b, now(ctx))) > 0) {
        if (sleep(ctx, w) != 0) {
            if (waited_ms)
                *waited_ms = waited;
            return 1;
        }
        waited += w;
    }
    if (b->rate_per_ms > 0)
        b->tokens = b->tokens >= 1 ? b->tokens - 1 : 0;
    if (waited_ms)
        *waited_ms = waited;
    return 0;
}
