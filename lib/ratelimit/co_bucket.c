/* Token bucket (see co_bucket.h). */
#include "co_bucket.h"

#include <math.h>

void co_bucket_init(co_bucket_t *b, double rate_per_s, double burst,
                    int64_t now_ms)
{
    b->rate = rate_per_s;
    b->burst = burst < 1 ? 1 : burst;
    b->tokens = b->burst;
    b->last_ms = now_ms;
}

int64_t co_bucket_take(co_bucket_t *b, int64_t now_ms)
{
    if (b->rate <= 0)
        return 0;
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * b->rate / 1000.0;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ms = now_ms;
    }
    if (b->tokens >= 1.0 - 1e-9) {
        b->tokens -= 1.0;
        if (b->tokens < 0)
            b->tokens = 0;
        return 0;
    }
    double need = 1.0 - b->tokens;
    double ms = ceil(need * 1000.0 / b->rate);
    if (!(ms < 86400000.0)) /* a day at most: no overflow of the cast */
        return 86400000;
    int64_t wait = (int64_t)ms;
    return wait > 0 ? wait : 1;
}
