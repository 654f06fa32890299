/* Exponential backoff with equal jitter. */
#include "backoff.h"

int64_t co_backoff_ms(int attempt, int64_t base_ms, int64_t max_ms,
                      int64_t hint_ms, double rnd)
{
    if (attempt < 1)
        attempt = 1;
    double d = (double)base_ms;
    for (int i = 1; i < attempt && d < (double)max_ms; i++)
        d *= 2;
    if (d > (double)max_ms)
        d = (double)max_ms;
    int64_t delay = (int64_t)(d / 2 + rnd * d / 2);
    if (hint_ms > delay)
        delay = hint_ms;
    if (delay > max_ms && hint_ms <= max_ms)
        delay = max_ms;
    return delay;
}
