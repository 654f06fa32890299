/**
 * @file lib/http/co_http.h
 * @brief A small HTTP/JSON client over libcurl shared by the HTTP plugins
 *        (Ollama, Gmail, Tavily, Chroma, Slack), and the mapping of HTTP
 *        outcomes onto stage status codes.
 *
 * Static library `co_http_lib` (meson dependency `co_http_dep`), linked into
 * each plugin that talks HTTP. Nothing here crosses the plugin ABI.
 *
 * Error policy (STYLE.md "Errors", DESIGN.md section 3): HTTP 408, 429 and
 * every 5xx, timeouts and connection failures are transient (CO_RETRY, with
 * the server's Retry-After as a hint); other 4xx are permanent for the
 * record (CO_FAIL); a malformed URL or one refused by the loopback guard is a
 * configuration problem (CO_FATAL). A plugin that knows its service better
 * (e.g. Ollama's 404 "model not found" is FATAL) checks those cases first
 * and calls co_http_classify() for the rest.
 *
 * Loopback guard: when the environment variable CAREEROPS_LOOPBACK_ONLY is
 * "1" (the test suite sets it), every URL whose host is not 127.0.0.0/8,
 * `localhost` or `[::1]` is refused before any connection is made, so a test
 * can never reach the network by mistake.
 *
 * Threading: a co_http_t handle is used by one thread at a time (one per
 * plugin instance); different handles may be used concurrently. libcurl's
 * global initialisation is done once, thread-safely, on first use.
 */
#ifndef CO_HTTP_H
#define CO_HTTP_H

#include "co_redact.h" /* CO_URL_* flags */

#include <careerops/host_api.h>
#include <careerops/types.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default whole-transfer timeout when a request gives 0, in ms. */
#define CO_HTTP_DEFAULT_TIMEOUT_MS 30000L
/** Default cap on a response body when a request gives 0, in bytes. */
#define CO_HTTP_DEFAULT_MAX_BODY ((size_t)16 * 1024 * 1024)

/** What went wrong below HTTP (co_http_response_t::fail). */
typedef enum co_http_fail_e {
    CO_HTTP_OK = 0,           /**< an HTTP response arrived (any status) */
    CO_HTTP_TIMEOUT = 1,      /**< no complete answer within timeout_ms */
    CO_HTTP_CONNECT = 2,      /**< refused, reset, DNS, TLS, empty reply */
    CO_HTTP_TOO_LARGE = 3,    /**< body exceeded the request's max_body */
    CO_HTTP_BAD_URL = 4,      /**< malformed URL or scheme not http(s) */
    CO_HTTP_NOT_LOOPBACK = 5, /**< refused: CAREEROPS_LOOPBACK_ONLY=1 */
    CO_HTTP_OTHER = 6,        /**< any other libcurl failure */
    CO_HTTP_STOPPED = 7       /**< the request's stop hook asked to stop */
} co_http_fail_t;

/** A reusable client handle (one libcurl easy handle; keeps connections
 *  alive between requests). */
typedef struct co_http_s co_http_t;

/**
 * @brief One request. All pointers are borrowed for the duration of the
 *        call. Zero-initialise and set what you need.
 */
typedef struct co_http_request_s {
    const char *method; /**< "GET", "POST", "PUT", "DELETE", ...; NULL means
                             POST when body != NULL, else GET */
    const char *url;    /**< absolute http:// or https:// URL */
    const char *const *headers; /**< NULL-terminated "Name: value" lines,
                                     or NULL */
    const char *body;           /**< request body, or NULL */
    size_t body_len;            /**< its length in bytes */
    const char *content_type;   /**< body type; NULL: application/json */
    long timeout_ms;         /**< whole transfer; 0: CO_HTTP_DEFAULT_TIMEOUT_MS
                              */
    long connect_timeout_ms; /**< connect phase; 0: min(timeout_ms, 10 s) */
    size_t max_body;         /**< response cap; 0: CO_HTTP_DEFAULT_MAX_BODY */
    /** When not NULL, asked before the request starts and during the
     *  transfer (libcurl's progress callback, about once a second while
     *  waiting for the server, more often while data flows): non-zero
     *  ends the request at once with CO_HTTP_STOPPED and "stopped while
     *  ..." in co_http_response_t::error, so that a stage asked to stop
     *  does not wait out timeout_ms (trial 57: a SIGTERM during
     *  gmail-source's token request waited 30 s). Called from the thread
     *  that runs co_http_perform(); it must not block. NULL: never
     *  stopped. @since trial 57 */
    int (*stop)(void *stop_ctx);
    void *stop_ctx; /**< passed to stop; borrowed for the call */
} co_http_request_t;

/**
 * @brief The outcome of one request. Owned by the caller; release the
 *        memory with co_http_response_clear().
 */
typedef struct co_http_response_s {
    long status;            /**< HTTP status, or 0 when none arrived */
    char *body;             /**< NUL-terminated body (malloc), never NULL after
                                 co_http_perform() unless out of memory */
    size_t body_len;        /**< body length in bytes (without the NUL) */
    char *content_type;     /**< Content-Type header (malloc) or NULL */
    int64_t retry_after_ms; /**< parsed Retry-After in ms, -1 if absent or
                                 unparseable */
    co_http_fail_t fail;    /**< CO_HTTP_OK when status is valid */
    char error[256];        /**< readable transport error ("" if none); never
                                 contains the URL path or query */
    int64_t elapsed_ms;     /**< wall time of the transfer */
} co_http_response_t;

/**
 * @brief Initialise libcurl once for the process (pthread_once).
 * @returns 0, or CO_ERR_UPSTREAM if curl_global_init() failed.
 * @remark Thread-safe; co_http_new() calls it, so calling it is optional.
 */
int co_http_global_init(void);

/**
 * @brief Create a client handle.
 * @returns A handle to free with co_http_destroy(), or NULL (no memory or
 *          libcurl failed to initialise).
 */
co_http_t *co_http_new(void);

/** @brief Free a handle and its connections. NULL is allowed. */
void co_http_destroy(co_http_t *h);

/**
 * @brief Make every request of this client that has no stop hook of its
 *        own (co_http_request_t::stop NULL; co_http_post_json() and
 *        co_http_get() among them) end when the host says the stage is
 *        stopping (co_host_api_t::stopping): a plugin calls it once at
 *        init, so that a SIGTERM ends a request the server sits on within
 *        about a second instead of after timeout_ms (slack-sink,
 *        ollama-classifier, tavily-researcher, chroma-sink). A stage is
 *        "stopping" only at its own stop, after the shutdown drain: the
 *        requests of the drain are not cut.
 * @param h The client (not NULL).
 * @param api,st The host's table and the stage; borrowed for the
 *        client's life.
 * @remark Call it before the client's first request; a client is used by
 *         one thread at a time.
 */
void co_http_stop_with_host(co_http_t *h, const co_host_api_t *api,
                            co_stage_t *st);

/**
 * @brief Perform one request synchronously.
 * @param h Handle, or NULL to use a temporary one (no connection reuse).
 * @param req The request (borrowed).
 * @param resp Filled in every case (zeroed first; any previous content is
 *        NOT freed: call co_http_response_clear() between uses).
 * @returns 0 when an HTTP response arrived, whatever its status (check
 *          resp->status); otherwise a negative co_err_t and resp->fail says
 *          why: CO_ERR_TRANSIENT (timeout, connection failure),
 *          CO_ERR_INVAL (bad URL, refused by the loopback guard),
 *          CO_ERR_UPSTREAM (body too large, other libcurl error),
 *          CO_ERR_TRANSIENT with CO_HTTP_STOPPED (req->stop answered
 *          non-zero), CO_ERR_NOMEM.
 * @remark Blocks the calling thread for at most about req->timeout_ms, or
 *         about a second after req->stop first answers non-zero. There are
 *         no retries nor backoff sleeps in lib/http: a caller retries by
 *         returning CO_RETRY, and the host's waits hear a stop.
 */
int co_http_perform(co_http_t *h, const co_http_request_t *req,
                    co_http_response_t *resp);

/**
 * @brief POST a JSON document (Content-Type: application/json).
 * @param json NUL-terminated JSON text (borrowed).
 * @param headers Extra "Name: value" lines, NULL-terminated, or NULL.
 * @param timeout_ms Whole-transfer timeout in ms (0: default).
 * @returns As co_http_perform().
 */
int co_http_post_json(co_http_t *h, const char *url, const char *json,
                      const char *const *headers, long timeout_ms,
                      co_http_response_t *resp);

/**
 * @brief GET a URL. Parameters and result as co_http_post_json().
 */
int co_http_get(co_http_t *h, const char *url, const char *const *headers,
                long timeout_ms, co_http_response_t *resp);

/** @brief Free the memory a response holds and zero it. NULL allowed. */
void co_http_response_clear(co_http_response_t *resp);

/**
 * @brief Map a response onto a stage status, with a message for
 *        api->set_error() and a delay for api->retry_after().
 *
 * - transport: TIMEOUT, CONNECT, STOPPED -> CO_RETRY; TOO_LARGE, OTHER ->
 *   CO_FAIL; BAD_URL, NOT_LOOPBACK -> CO_FATAL.
 * - 2xx -> CO_OK; 408, 429, 5xx -> CO_RETRY; other 3xx/4xx -> CO_FAIL.
 *
 * @param resp The response from co_http_perform().
 * @param retry_after_ms Out (may be NULL): the Retry-After hint in ms for
 *        CO_RETRY (0 when the server gave none), else 0.
 * @param msg Out (may be NULL): "HTTP 503: <first 300 bytes of the body on
 *        one line>" or the transport error.
 * @param msg_size Size of msg in bytes.
 * @returns The status. Pure function; thread-safe.
 */
co_status_t co_http_classify(const co_http_response_t *resp,
                             uint32_t *retry_after_ms, char *msg,
                             size_t msg_size);

/**
 * @brief A short error class for api->set_error(): "timeout", "connect",
 *        "config" (bad URL, loopback guard), "http" (a status),
 *        "stopping" (the stop hook), "io".
 * @returns A static string.
 */
const char *co_http_error_class(const co_http_response_t *resp);

/**
 * @brief Parse a Retry-After header value (RFC 9110 10.2.3): delay-seconds
 *        or an HTTP-date (parsed with curl_getdate()).
 * @param value Header value (leading/trailing blanks allowed), or NULL.
 * @param now_s Current time in seconds since the epoch, for HTTP-dates.
 * @returns The delay in ms (0 for a date in the past), or -1 when value is
 *          NULL, empty or unparseable. Capped at 24 h.
 */
int64_t co_http_parse_retry_after(const char *value, int64_t now_s);

/**
 * @brief Check a URL before use: http or https, parseable, and loopback
 *        when CAREEROPS_LOOPBACK_ONLY=1.
 * @param err Out: the reason, naming the URL's host (may be NULL).
 * @returns 0, or CO_ERR_INVAL.
 */
int co_http_check_url(const char *url, char *err, size_t err_size);

/** co_http_check_url_ex() flag: plain http:// only to a loopback host (as
 *  libcurl reads it), for a URL that is or carries a credential. */
#define CO_HTTP_URL_TLS 0x100

/**
 * @brief co_http_check_url() of a URL that is or carries a credential (a
 *        webhook, an OAuth token endpoint): with any flag, it must also be
 *        SCHEME://HOST[:PORT]/PATH as co_url_server() reads it.
 * @param flags CO_HTTP_URL_TLS and co_url_server()'s CO_URL_NO_FRAGMENT,
 *        CO_URL_NO_QUERY_SECRET (co_redact.h); 0: co_http_check_url().
 * @param err Out: the reason; it never quotes the URL but its scheme or a
 *        host refused by CAREEROPS_LOOPBACK_ONLY (may be NULL).
 * @returns 0, or CO_ERR_INVAL.
 * @remark Any thread. @since trial 54
 */
int co_http_check_url_ex(const char *url, unsigned flags, char *err,
                         size_t err_size);

/** co_http_check_url_ex() flags of a service's base URL, to which request
 *  paths are appended (ollama, tavily, chroma): a '#' fragment or a secret
 *  in the query would swallow the path and be logged in every retry and
 *  dead letter (trial 56). */
#define CO_BASE_URL_FLAGS (CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET)

#ifdef __cplusplus
}
#endif
#endif /* CO_HTTP_H */
