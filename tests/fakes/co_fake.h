/**
 * @file tests/fakes/co_fake.h
 * @brief A scriptable fake HTTP server on libmicrohttpd, for tests and
 *        demos that must not touch the network.
 *
 * A co_fake_t listens on 127.0.0.1 (an ephemeral port by default), answers
 * from routes (method + path -> handler) and from a FIFO of scripted
 * one-shot replies that take precedence over the routes, and records every
 * request (method, path, query arguments, headers, body) for assertions.
 * Service fakes (co_fake_ollama.h, later Gmail, Tavily, Chroma, Slack) are
 * sets of routes installed on a co_fake_t.
 *
 * The same code runs in-process (static library `co_fake_lib`, meson
 * dependency `co_fake_dep`) and as the program `co-fake-server` for shell
 * tests (see co_fake_server.c).
 *
 * Threading: the server answers on its own threads (one per connection),
 * so handlers and delays run concurrently with the test. Every function
 * below is thread-safe. Handlers are called without any lock held.
 */
#ifndef CO_FAKE_H
#define CO_FAKE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A running fake server. */
typedef struct co_fake_s co_fake_t;

/** One name/value pair (a header or a query argument). */
typedef struct co_fake_pair_s {
    char *name;  /**< as received (headers: original case) */
    char *value; /**< decoded value ("" when absent) */
} co_fake_pair_t;

/**
 * @brief One request as received. Owned by the server; immutable once
 *        logged and valid until co_fake_stop() or co_fake_reset().
 */
typedef struct co_fake_request_s {
    size_t seq;           /**< 0-based arrival number */
    char *method;         /**< "GET", "POST", ... */
    char *path;           /**< URL path without the query, e.g. "/api/chat" */
    co_fake_pair_t *args; /**< query arguments in order (repeats kept) */
    size_t arg_cnt;       /**< number of args */
    co_fake_pair_t *headers; /**< request headers in order */
    size_t header_cnt;       /**< number of headers */
    char *body;              /**< body, NUL-terminated ("" if none) */
    size_t body_len;         /**< body length in bytes */
} co_fake_request_t;

/**
 * @brief The reply a handler builds. Start state: status 200, empty body,
 *        Content-Type application/json, no delay. Use the co_fake_reply_*
 *        setters; memory is freed by the server.
 */
typedef struct co_fake_reply_s {
    int status;              /**< HTTP status */
    char *body;              /**< malloc'd body or NULL */
    size_t body_len;         /**< body length */
    char content_type[128];  /**< Content-Type ("" for none) */
    co_fake_pair_t *headers; /**< extra response headers */
    size_t header_cnt;       /**< number of extra headers */
    int delay_ms;            /**< wait before answering (interrupted by stop) */
    int drop; /**< non-zero: close the connection without answering */
} co_fake_reply_t;

/**
 * @brief A route handler: fill `reply` for `req`.
 * @param ud The pointer given to co_fake_route().
 * @remark Called on a server thread, concurrently for concurrent requests.
 */
typedef void (*co_fake_handler_fn)(co_fake_t *f, const co_fake_request_t *req,
                                   co_fake_reply_t *reply, void *ud);

/**
 * @brief A scripted one-shot reply (copied by co_fake_push()).
 */
typedef struct co_fake_script_s {
    const char *method;       /**< match this method, NULL: any */
    const char *path;         /**< match this exact path, NULL: any */
    int status;               /**< status (0: 200) */
    const char *content_type; /**< NULL: application/json */
    const char *body;         /**< NUL-terminated body, NULL: empty */
    const char *headers;      /**< extra headers, "Name: value" lines
                                   separated by '\n', or NULL */
    int delay_ms;             /**< delay before answering */
    int drop;                 /**< close without answering */
} co_fake_script_t;

/**
 * @brief Start a fake server on 127.0.0.1.
 * @param port TCP port, or 0 for an ephemeral one (read it back with
 *        co_fake_port()).
 * @returns The server (stop it with co_fake_stop()), or NULL when the port
 *          cannot be bound (errno kept from libmicrohttpd, message on
 *          stderr).
 */
co_fake_t *co_fake_start(uint16_t port);

/**
 * @brief Stop the server: interrupts pending delays, closes connections,
 *        waits for its threads, runs attached destructors, frees everything
 *        (including the request log). NULL is allowed.
 */
void co_fake_stop(co_fake_t *f);

/** @brief The port the server listens on. */
uint16_t co_fake_port(const co_fake_t *f);

/** @brief "http://127.0.0.1:PORT" (owned by the server, no trailing /). */
const char *co_fake_url(const co_fake_t *f);

/**
 * @brief Add a route. Routes are matched in the order added; `path` is an
 *        exact path, or a prefix when it ends in '*'. A path that matches a
 *        route with another method gets 405; no match gets 404 (text
 *        "404 page not found").
 * @param method "GET", "POST", ..., or NULL for any method.
 * @param path Copied.
 * @returns 0, or -1 when out of memory.
 */
int co_fake_route(co_fake_t *f, const char *method, const char *path,
                  co_fake_handler_fn fn, void *ud);

/**
 * @brief Queue a scripted reply. The first queued script whose method and
 *        path match a request answers it (and is consumed) before routes.
 * @returns 0, or -1 when out of memory.
 */
int co_fake_push(co_fake_t *f, const co_fake_script_t *s);

/** @brief Number of scripted replies not used yet. */
size_t co_fake_pending(co_fake_t *f);

/**
 * @brief Attach data whose lifetime is the server's (a service's state):
 *        `destroy(data)` runs in co_fake_stop() after the threads ended.
 * @returns 0, or -1 when out of memory.
 */
int co_fake_attach(co_fake_t *f, void *data, void (*destroy)(void *));

/**
 * @brief Also write each request as one JSON line to `out` (method, path,
 *        args, headers, body), flushed per line. NULL turns it off.
 * @remark `out` must stay open until co_fake_stop().
 */
void co_fake_log_to(co_fake_t *f, FILE *out);

/** @brief Number of requests logged so far. */
size_t co_fake_request_count(co_fake_t *f);

/**
 * @brief The i-th logged request (0-based), or NULL if out of range.
 *        Valid until co_fake_stop() or co_fake_reset().
 */
const co_fake_request_t *co_fake_request_at(co_fake_t *f, size_t i);

/** @brief The most recent request, or NULL. Same lifetime. */
const co_fake_request_t *co_fake_last_request(co_fake_t *f);

/**
 * @brief Wait (real time) until at least `n` requests were logged.
 * @returns 0, or -1 after timeout_ms.
 */
int co_fake_wait_requests(co_fake_t *f, size_t n, int timeout_ms);

/**
 * @brief Forget the request log and pending scripts (routes stay).
 * @remark Invalidates pointers from co_fake_request_at(); call it only
 *         while no request is in flight.
 */
void co_fake_reset(co_fake_t *f);

/** @brief First header named `name` (case-insensitive), or NULL. */
const char *co_fake_request_header(const co_fake_request_t *r,
                                   const char *name);

/** @brief First query argument named `name`, or NULL. */
const char *co_fake_request_arg(const co_fake_request_t *r, const char *name);

/** @brief Set status and a copy of a NUL-terminated body with a type
 *         (NULL type: application/json). Replaces any previous body. */
void co_fake_reply_set(co_fake_reply_t *r, int status, const char *content_type,
                       const char *body);

/** @brief Set status and a printf-formatted JSON body. */
void co_fake_reply_json(co_fake_reply_t *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** @brief Set status and body `{"error":"<message>"}` (JSON-escaped), the
 *         shape Ollama uses. */
void co_fake_reply_error(co_fake_reply_t *r, int status, const char *message);

/** @brief Add a response header (both strings copied). */
void co_fake_reply_header(co_fake_reply_t *r, const char *name,
                          const char *value);

#ifdef __cplusplus
}
#endif
#endif /* CO_FAKE_H */
