/**
 * @file plugins/slack-sink/slack_format.h
 * @brief Pure formatting for the slack-sink plugin: mrkdwn escaping,
 *        length limits, the Block Kit message built from a
 *        careerops.notification.v1 record, and the mapping of Slack's
 *        incoming-webhook answers onto stage status codes (WIRE.md 5).
 *
 * Nothing here does I/O or touches the host: every function is a pure
 * function of its arguments and is thread-safe. Strings returned are
 * malloc'd and owned by the caller (free()).
 */
#ifndef SLACK_FORMAT_H
#define SLACK_FORMAT_H

#include <careerops/types.h>
#include <stddef.h>
#include <stdint.h>

/** Slack's limits (WIRE.md 5, Block Kit reference), in characters. */
#define SLACK_MAX_SECTION_TEXT 3000
#define SLACK_MAX_HEADER_TEXT  150
#define SLACK_MAX_BLOCKS       50
#define SLACK_MAX_TEXT         40000
#define SLACK_MAX_CONTEXT_TEXT 2000
#define SLACK_MAX_BUTTON_TEXT  75
#define SLACK_MAX_URL          3000
/** Sources listed in the message at most (the rest are counted). */
#define SLACK_MAX_SOURCES 10

/** The notification schema this sink accepts. */
#define SLACK_NOTIFICATION_SCHEMA "careerops.notification.v1"

/**
 * @brief Escape text for Slack mrkdwn: `&` -> `&amp;`, `<` -> `&lt;`,
 *        `>` -> `&gt;`, nothing else ([FMT] in WIRE.md 5). After this, the
 *        text cannot contain a control sequence (`<!channel>`, `<@U..>`,
 *        `<url|label>`).
 * @param s NUL-terminated UTF-8 text, or NULL (treated as "").
 * @returns A new string (free()), or NULL when out of memory.
 */
char *slack_escape(const char *s);

/**
 * @brief Cut text to at most `max_chars` Unicode characters, ending it with
 *        an ellipsis (U+2026, counted in the limit) when anything was cut.
 *        The cut never splits a UTF-8 sequence, an entity made by
 *        slack_escape() (`&amp;`), or a `<...>` control sequence made by
 *        this module.
 * @param s NUL-terminated UTF-8 text or NULL (""); max_chars >= 1.
 * @returns A new string (free()), or NULL when out of memory.
 */
char *slack_truncate(const char *s, size_t max_chars);

/** @brief Number of Unicode characters (UTF-8 lead bytes) in `s`. */
size_t slack_utf8_len(const char *s);

/**
 * @brief Build the webhook body for one notification.
 *
 * Blocks: a header (the title), a section (company, role, date, subject,
 * sender, summary; mrkdwn), a section listing the sources as links when
 * there are any, a context line (event type, event key, and the repeat
 * warning when `possible_repeat`), and an actions block with a button to
 * the briefing when `briefing_url` is an http(s) URL. `text` is the
 * notification fallback. Every piece of text from the record is escaped
 * with slack_escape() and cut to Slack's limits with slack_truncate().
 *
 * @param notification_json The record value (careerops.notification.v1).
 * @param len Its length in bytes.
 * @param possible_repeat Non-zero: mark the message as possibly sent
 *        before (see docs/notifications.md).
 * @param event_key Out (may be NULL): a malloc'd copy of the key the
 *        notice is posted once under: `notice_key` when the notification
 *        has one (a correction of an event already posted), else
 *        `event_key`.
 * @param err Out: on failure, what is wrong with the record and how to
 *        fix it.
 * @returns The JSON body (free()), or NULL when the record is not valid
 *          JSON, not the notification schema, or lacks `event_key`.
 */
char *slack_format_message(const char *notification_json, size_t len,
                           int possible_repeat, char **event_key, char *err,
                           size_t err_size);

/**
 * @brief slack_format_message() with the "now" a scheduled date is compared
 *        with to mark it ", past" (slack_format_message() uses the wall
 *        clock).
 * @param now Seconds since the epoch (UTC), e.g. the stage's `now` option.
 */
char *slack_format_message_at(const char *notification_json, size_t len,
                              int possible_repeat, int64_t now,
                              char **event_key, char *err, size_t err_size);

/**
 * @brief Parse an RFC 3339 UTC time ("2025-10-20T09:00:00Z", fractions
 *        ignored) or a date alone ("2025-10-20", midnight UTC).
 * @param out Set to seconds since the epoch.
 * @returns 0, or -1 when s is NULL or not such a time. Thread-safe.
 */
int slack_parse_time(const char *s, int64_t *out);

/**
 * @brief Map an incoming-webhook answer onto a stage status.
 *
 * - 2xx -> CO_OK (Slack answers `ok`, text/plain).
 * - 429 -> CO_RETRY, `*retry_after_ms` = the Retry-After header (1 s when
 *   absent, as the Slack SDK assumes).
 * - 5xx (e.g. `rollup_error`) -> CO_RETRY.
 * - other 4xx (`invalid_payload`, `channel_is_archived`, `no_service`,
 *   `channel_not_found`, `invalid_token`, `action_prohibited`, ...) and
 *   3xx -> CO_FAIL; the message carries Slack's body.
 * - A JSON body `{"ok":false,"error":E}` (the Web API's form, also sent by
 *   some proxies and Workflow webhooks, even with HTTP 200) is never
 *   success: E `ratelimited` (or HTTP 429) -> CO_RETRY honouring
 *   Retry-After; 5xx or E `internal_error`, `fatal_error`,
 *   `service_unavailable`, `request_timeout` -> CO_RETRY; any other E
 *   (`channel_not_found`, `invalid_auth`, `not_in_channel`, ...) ->
 *   CO_FAIL with "slack: HTTP 200 ok:false E".
 *
 * @param status HTTP status (> 0).
 * @param body Response body (may be NULL).
 * @param retry_after_ms Parsed Retry-After in ms, or -1 when absent.
 * @param out_retry_ms Out: delay hint for CO_RETRY, else 0.
 * @param msg Out: "slack: HTTP 410 channel_is_archived".
 * @returns CO_OK, CO_RETRY or CO_FAIL.
 */
co_status_t slack_classify(long status, const char *body,
                           int64_t retry_after_ms, uint32_t *out_retry_ms,
                           char *msg, size_t msg_size);

#endif /* SLACK_FORMAT_H */
