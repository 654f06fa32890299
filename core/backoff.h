/**
 * @file core/backoff.h
 * @brief The retry backoff schedule of stages. Not installed.
 * @remark Pure function; thread-safe.
 */
#ifndef CO_CORE_BACKOFF_H
#define CO_CORE_BACKOFF_H

#include <stdint.h>

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
