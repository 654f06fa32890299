/**
 * @file tests/fakes/co_fake_tavily.h
 * @brief A fake Tavily Search API (WIRE.md section 3) on a co_fake_t.
 *
 * Route: `POST /search`. Checks as Tavily does them: when a key is set
 * (co_fake_tavily_set_key()), a missing or different `Authorization: Bearer`
 * key -> 401 `{"detail":{"error":"Unauthorized: missing or invalid API
 * key."}}`; a body that is not a JSON object -> 400; a `query` shorter than
 * 2 characters -> 400 `Query is too short. Min query length is 2
 * characters.`; a `topic` other than general|news|finance -> 400.
 *
 * Answer: queued errors first (co_fake_tavily_push_error(); 429 carries
 * `Retry-After` when given), then the results set with
 * co_fake_tavily_set_results() for that topic, else `max_results` (default
 * 5, at most 3 here) generated results whose URLs are
 * `https://<topic>.example/<slug of the query>/<n>`; news results carry
 * `published_date`. Every 200 carries `query`, `answer` null, `images` [],
 * `results`, `response_time`, `usage` `{"credits":1}` and `request_id`.
 *
 * Thread-safety: all functions may be called while requests are served.
 */
#ifndef CO_FAKE_TAVILY_H
#define CO_FAKE_TAVILY_H

#include "co_fake.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Tavily's 429 message. */
#define CO_FAKE_TAVILY_429                                                     \
    "Your request has been blocked due to excessive requests. Please "         \
    "reduce rate of requests."
/** A 432 message (plan limit). */
#define CO_FAKE_TAVILY_432                                                     \
    "This request exceeds your plan's set usage limit. Please upgrade your "   \
    "plan or contact support@tavily.com"
/** A 433 message (pay-as-you-go limit). */
#define CO_FAKE_TAVILY_433                                                     \
    "This request exceeds the pay-as-you-go limit. You can increase your "     \
    "limit on the Tavily dashboard."

/** The fake's state; owned by the co_fake_t it is installed on. */
typedef struct co_fake_tavily_s co_fake_tavily_t;

/**
 * @brief Install the Tavily route on `f`.
 * @returns The fake's handle (freed by co_fake_stop(f)), or NULL.
 */
co_fake_tavily_t *co_fake_tavily_install(co_fake_t *f);

/** @brief Require `Authorization: Bearer <key>` (copied); NULL: accept
 *         any request. */
void co_fake_tavily_set_key(co_fake_tavily_t *t, const char *key);

/**
 * @brief Queue an error answer for the next search: `status` with
 *        `{"detail":{"error":message}}` (NULL message: Tavily's text for
 *        401/429/432/433, else "Internal Server Error").
 * @param status 0 queues a normal answer (to fail a later request).
 * @param retry_after_s Sent as `Retry-After` when >= 0.
 */
void co_fake_tavily_push_error(co_fake_tavily_t *t, int status,
                               const char *message, int retry_after_s);

/**
 * @brief Answer searches of `topic` ("news", "general", or NULL for both)
 *        with this `results` JSON array text (copied; each element like
 *        Tavily's {title,url,content,score[,published_date]}).
 * @returns 0, or -1 when `results_json` is not a JSON array.
 */
int co_fake_tavily_set_results(co_fake_tavily_t *t, const char *topic,
                               const char *results_json);

/** @brief Number of /search requests received (answered or not). */
size_t co_fake_tavily_search_count(co_fake_tavily_t *t);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_TAVILY_H */
