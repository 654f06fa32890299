/**
 * @file tests/fakes/co_fake_slack.h
 * @brief A fake Slack incoming webhook and a fake PagerDuty Events API v2
 *        (WIRE.md section 5) on a co_fake_t.
 *
 * Slack: `POST /services/...` answers 200 `ok` (text/plain) to a valid
 * message. Checks as Slack makes them: a body that is not a JSON object ->
 * 400 `invalid_payload`; neither `text` nor `blocks` -> 400 `no_text`;
 * more than 50 blocks, an unknown block type, a header over 150 characters,
 * a section text over 3000 or a button URL over 3000 -> 400
 * `invalid_blocks`. Paths that stand for dead hooks:
 * `/services/archived/...` -> 410 `channel_is_archived`,
 * `/services/gone/...` -> 404 `no_service`, `/services/notfound/...` ->
 * 404 `channel_not_found`, `/services/revoked/...` -> 403 `invalid_token`,
 * `/services/webapi/...` -> 200 `{"ok":false,"error":"invalid_auth"}` (the
 * Web API's form, as some proxies answer). Queued answers
 * (co_fake_slack_push()) come first: e.g. 429 with `Retry-After`, 500
 * `rollup_error`, 400 `invalid_payload`.
 *
 * PagerDuty: `POST /v2/enqueue` with {"routing_key" (32 characters),
 * "event_action": "trigger"|"acknowledge"|"resolve", "dedup_key",
 * "payload": {"summary","source","severity"}} (payload required for
 * trigger; dedup_key required for acknowledge/resolve) -> 202
 * {"status":"success","message":"Event processed","dedup_key":..}; an
 * invalid event -> 400 {"status":"invalid event","message":"Event object
 * is invalid","errors":[..]}.
 *
 * Every request is also in the co_fake_t request log. Thread-safe.
 */
#ifndef CO_FAKE_SLACK_H
#define CO_FAKE_SLACK_H

#include "co_fake.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The fake's state; owned by the co_fake_t it is installed on. */
typedef struct co_fake_slack_s co_fake_slack_t;

/**
 * @brief Install the Slack webhook and PagerDuty routes on `f`.
 * @returns The handle (freed by co_fake_stop(f)), or NULL.
 */
co_fake_slack_t *co_fake_slack_install(co_fake_t *f);

/**
 * @brief Queue the next webhook answer (before validation).
 * @param status e.g. 429, 500, 400, 410.
 * @param body Slack's plain-text body (copied), e.g. "rollup_error"; NULL
 *        for an empty body.
 * @param retry_after_s Retry-After header in seconds; < 0: none.
 */
void co_fake_slack_push(co_fake_slack_t *s, int status, const char *body,
                        int retry_after_s);

/** @brief Delay every `ok` answer by `ms` (real time). */
void co_fake_slack_set_delay(co_fake_slack_t *s, int ms);

/** @brief Webhook requests received (any outcome). */
size_t co_fake_slack_attempts(co_fake_slack_t *s);

/** @brief Webhook messages accepted (answered `ok`). */
size_t co_fake_slack_posts(co_fake_slack_t *s);

/**
 * @brief Copy of the i-th accepted message body (0-based).
 * @returns A malloc'd string (free()), or NULL when out of range.
 */
char *co_fake_slack_post_at(co_fake_slack_t *s, size_t i);

/** @brief PagerDuty events accepted (202). */
size_t co_fake_pagerduty_events(co_fake_slack_t *s);

/**
 * @brief Copy of the i-th accepted PagerDuty event body (0-based).
 * @returns A malloc'd string (free()), or NULL when out of range.
 */
char *co_fake_pagerduty_event_at(co_fake_slack_t *s, size_t i);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_SLACK_H */
