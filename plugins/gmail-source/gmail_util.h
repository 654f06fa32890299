/**
 * @file plugins/gmail-source/gmail_util.h
 * @brief Pure helpers of gmail-source (no host, no network): the quota
 *        token bucket, Gmail/OAuth error bodies, "Retry after <time>"
 *        hints and Pub/Sub push bodies (the sealed refresh token file is
 *        lib/sealed).
 *
 * Compiled into the plugin and into its unit tests. Every function is
 * thread-safe (no global state) unless stated.
 */
#ifndef GMAIL_UTIL_H
#define GMAIL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief A token bucket for Gmail's per-user quota units (WIRE.md 1.8).
 *        Not thread-safe: one per plugin instance.
 */
typedef struct gmail_bucket_s {
    double tokens;   /**< units available now */
    double capacity; /**< burst size in units */
    double rate;     /**< units added per second */
    int64_t last_ms; /**< clock of the last refill, ms */
} gmail_bucket_t;

/** @brief Start a full bucket. rate and capacity in units (> 0). */
void gmail_bucket_init(gmail_bucket_t *b, double rate_per_s, double capacity,
                       int64_t now_ms);

/**
 * @brief Take `units` if available.
 * @returns 0 when taken, else the milliseconds to wait before trying again
 *          (nothing taken). Units above the capacity are taken once the
 *          bucket is full.
 */
int64_t gmail_bucket_take(gmail_bucket_t *b, double units, int64_t now_ms);

/** What an error body said (Gmail envelope or flat OAuth). */
typedef struct gmail_err_s {
    char reason[64];   /**< errors[0].reason, or the OAuth `error` */
    char message[512]; /**< error.message, or `error_description` */
} gmail_err_t;

/**
 * @brief Read a Gmail error envelope `{"error":{"message","errors":[{
 *        "reason"}]}}` or an OAuth error `{"error":"invalid_grant",
 *        "error_description":".."}`. Unknown shapes give empty fields.
 * @param body NUL-terminated body or NULL.
 */
void gmail_parse_error(const char *body, gmail_err_t *e);

/** Bytes of each error field (reason, message) that gmail_err_shown()
 *  keeps before escaping them. */
#define GMAIL_ERR_FIELD_MAX 200

/**
 * @brief An error body's two fields as a message or log line shows them:
 *        "REASON: MESSAGE", "REASON", or "" when the body had neither
 *        (trial 57: the token endpoint's error body was logged verbatim,
 *        and it may carry anything). Each field is cut to
 *        GMAIL_ERR_FIELD_MAX bytes on a UTF-8 boundary ("..." added) and
 *        escaped as co_visible() does (control characters \\xNN,
 *        invisible and bidirectional ones \\uNNNN). Nothing else of the
 *        body is shown.
 * @param e As gmail_parse_error() filled it.
 * @param out Receives the text, NUL-terminated (cut to out_size).
 */
void gmail_err_shown(const gmail_err_t *e, char *out, size_t out_size);

/** @brief 1 if status/reason is a Gmail rate limit (429; 403 with
 *         rateLimitExceeded or userRateLimitExceeded). */
int gmail_is_rate_limit(long status, const gmail_err_t *e);

/**
 * @brief Find "Retry after <RFC 3339 time>" in an error message.
 * @returns Milliseconds from now_ms until that time (0 if past), or -1 when
 *          absent or unparseable. Capped at 24 h.
 */
int64_t gmail_retry_after_text(const char *message, int64_t now_ms);

/**
 * @brief Parse an RFC 3339 time ("2023-03-07T18:03:15.961Z", offsets
 *        allowed) into epoch milliseconds.
 * @returns 0 or -1.
 */
int gmail_parse_rfc3339(const char *s, int64_t *ms);

/**
 * @brief Decode a Pub/Sub push body: message.data (base64) holds
 *        `{"emailAddress":..,"historyId":..}` with historyId a string or a
 *        number.
 * @returns 0 and *history_id, or -1 (with a reason in err).
 */
int gmail_push_history_id(const char *body, size_t len, uint64_t *history_id,
                          char *err, size_t err_size);

/** @brief Parse a decimal uint64 from a JSON string or integer value text.
 *  @returns 0 or -1. */
int gmail_parse_u64(const char *s, uint64_t *out);

#endif /* GMAIL_UTIL_H */
