/**
 * @file tests/fakes/co_fake_gmail.h
 * @brief A fake Gmail API v1 and Google OAuth 2.0 token endpoint (WIRE.md
 *        section 1) on a co_fake_t, for gmail-source and `careerops auth
 *        gmail` tests.
 *
 * Routes (paths relative to co_fake_url()):
 * - `POST /token`: form-encoded. `grant_type=refresh_token` checks
 *   client_id, client_secret and refresh_token against the configured
 *   credentials (400 `invalid_grant` once revoked or for another token,
 *   401 `invalid_client` for another client) and issues an access token;
 *   `grant_type=authorization_code` needs `code`, `redirect_uri` and a
 *   `code_verifier` of 43..128 characters and issues the configured refresh
 *   token plus an access token.
 * - `GET /gmail/v1/users/{u}/profile`, `GET .../messages` (labelIds,
 *   maxResults, pageToken; newest first; empty list omits `messages`),
 *   `GET .../messages/{id}?format=raw` (padded or unpadded base64url),
 *   `GET .../history` (startHistoryId, historyTypes, maxResults, pageToken;
 *   404 below the oldest valid id), `POST .../watch`, `POST .../stop`.
 *   Every API call needs `Authorization: Bearer <token>` with a token of the
 *   current generation, else 401 in the Gmail error envelope.
 * - Administration for shell tests: `POST /_fake/gmail/add?n=N` (N more
 *   generated messages), `POST /_fake/gmail/expire-history`,
 *   `POST /_fake/gmail/expire-tokens`, `POST /_fake/gmail/revoke`,
 *   `GET /_fake/gmail/counts`.
 *
 * Failure injection: co_fake_gmail_push_error() queues replies that answer
 * the next API calls (not the token endpoint) before the normal routes.
 * History ids start at 1000 and grow by one per added message.
 *
 * Thread-safety: every function may be called while requests are served.
 */
#ifndef CO_FAKE_GMAIL_H
#define CO_FAKE_GMAIL_H

#include "co_fake.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default credentials of the fake (fictional). */
#define CO_FAKE_GMAIL_CLIENT_ID     "fake-client.apps.example"
#define CO_FAKE_GMAIL_CLIENT_SECRET "fake-client-secret"
#define CO_FAKE_GMAIL_REFRESH_TOKEN "1//fake-refresh-token-0123456789"

/** The fake's state; owned by the co_fake_t it is installed on. */
typedef struct co_fake_gmail_s co_fake_gmail_t;

/**
 * @brief Install the Gmail and token routes on `f`.
 * @returns The handle (freed by co_fake_stop(f)), or NULL (no memory).
 */
co_fake_gmail_t *co_fake_gmail_install(co_fake_t *f);

/**
 * @brief Add one message (newest). The raw bytes are copied.
 * @param label A label id besides INBOX (e.g. "Label_7"), or NULL.
 * @returns Its index (its id is co_fake_gmail_id()), or -1 (no memory).
 */
long co_fake_gmail_add(co_fake_gmail_t *g, const void *raw, size_t len,
                       const char *label);

/** @brief Add `n` generated job-mail messages (fictional companies). */
void co_fake_gmail_add_generated(co_fake_gmail_t *g, int n);

/** @brief The Gmail id of message `index` into buf ("18f0" + hex). */
void co_fake_gmail_id(long index, char *buf, size_t size);

/** @brief Message count. */
size_t co_fake_gmail_message_count(co_fake_gmail_t *g);

/** @brief Current history id (the id of the newest change). */
uint64_t co_fake_gmail_history_id(co_fake_gmail_t *g);

/** @brief 1: serve `raw` with `=` padding (default), 0: without. */
void co_fake_gmail_set_padded(co_fake_gmail_t *g, int padded);

/** @brief Make every history id issued so far too old (history.list 404). */
void co_fake_gmail_expire_history(co_fake_gmail_t *g);

/** @brief Invalidate every access token issued so far (API answers 401). */
void co_fake_gmail_expire_tokens(co_fake_gmail_t *g);

/** @brief Revoke the refresh token: the token endpoint answers
 *         400 invalid_grant. */
void co_fake_gmail_revoke(co_fake_gmail_t *g);

/** @brief `expires_in` of issued access tokens, seconds (default 3599). */
void co_fake_gmail_set_expires_in(co_fake_gmail_t *g, int seconds);

/** @brief `expiration` (epoch ms) that users.watch returns (default: now +
 *         7 days, real clock). */
void co_fake_gmail_set_watch_expiration(co_fake_gmail_t *g, int64_t ms);

/** @brief Delay every messages.get answer by `ms` (shell tests). */
void co_fake_gmail_set_get_delay(co_fake_gmail_t *g, int ms);

/** @brief Delay every refresh_token answer of the token endpoint by `ms`
 *         (not the authorization_code exchange of `auth gmail`), e.g. to
 *         stop a stage while its token request hangs (trial 57). */
void co_fake_gmail_set_token_delay(co_fake_gmail_t *g, int ms);

/**
 * @brief Queue an error reply for the next API call (FIFO).
 * @param status HTTP status.
 * @param reason Gmail reason ("rateLimitExceeded", "userRateLimitExceeded",
 *        "backendError", ...).
 * @param message The envelope's message (e.g. "User-rate limit exceeded.
 *        Retry after 2025-01-01T00:00:05Z"). Copied.
 */
void co_fake_gmail_push_error(co_fake_gmail_t *g, int status,
                              const char *reason, const char *message);

/**
 * @brief Requests served so far by kind: "token", "token_refresh",
 *        "token_code", "profile", "list", "get", "history", "watch",
 *        "stop", "unauthorized", "injected".
 */
size_t co_fake_gmail_count(co_fake_gmail_t *g, const char *kind);

/** @brief The code_verifier of the last authorization_code exchange
 *         (copied into buf, "" if none). */
void co_fake_gmail_last_verifier(co_fake_gmail_t *g, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_GMAIL_H */
