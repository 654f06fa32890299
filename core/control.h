/**
 * @file core/control.h
 * @brief The host's control and metrics endpoint (libmicrohttpd), loopback
 *        by default: GET /health, GET /metrics (Prometheus text), GET
 *        /api/stages (JSON), POST /api/stages/NAME/pause|resume|restart,
 *        and the dashboard: / and /api/... (core/dashboard.h).
 *        Not installed. docs/operations.md "Control API" is the user's
 *        view.
 *
 * Every request must carry a Host header naming this endpoint: an IP
 * address, `localhost`, or a name of the manifest's `http.allowed_hosts`,
 * with the bound port if a port is given (a DNS-rebinding page sends its
 * own name and gets 403). A POST must also send, when it sends an Origin,
 * the same origin as its Host (`http://HOST`; else 403), and the control
 * token as `Authorization: Bearer TOKEN` (else 401). Beyond loopback every
 * /api/ request needs the token, checked before the route (an unknown path
 * answers 401, not 404), and the token must come from `http.token_file`.
 * The token is the
 * content of `http.token_file`, or, when none is configured, a random
 * token made at each start and written (mode 0600) to
 * `$XDG_RUNTIME_DIR/careerops/PIPELINE-PID.token` (else
 * `/tmp/careerops-UID/`), removed at stop. Each POST is logged with the
 * client's address and the answer.
 *
 * No route reads a request body: one announced (Content-Length > 0 or
 * Transfer-Encoding) answers 413 before it is read. A connection silent
 * for `http.idle_timeout_s` is closed; beyond `http.max_connections` the
 * oldest idle connection is closed for each newcomer (docs/dashboard.md).
 */
#ifndef CO_CORE_CONTROL_H
#define CO_CORE_CONTROL_H

#include "manifest.h"

#include <stddef.h>

/** What the endpoint asks the running pipeline. Called from
 *  libmicrohttpd's threads (one per connection, possibly at once):
 *  implementations must be thread-safe. */
typedef struct co_control_routes_s {
    /** JSON text of the stages' status (malloc'd; the endpoint frees it). */
    char *(*stages_json)(void *arg);
    /** /health's JSON body (malloc'd; the endpoint frees it): "ok",
     *  "degraded" (a stage WAITING, e.g. for its database) or "unhealthy"
     *  (a stage STOPPED or FAILED), with the stages that are not running
     *  and their last errors; `*ok` is set to 0 for "unhealthy" (503),
     *  else 1 (200). */
    char *(*health)(void *arg, int *ok);
    /** Apply "pause" | "resume" | "restart" to a stage: 0; -1 if no such
     *  stage or action (no such stage: `why` names the stages this process
     *  runs, for the 404); -2 if the stage's state refuses it (pause or
     *  resume of a FAILED, STOPPED or DONE stage), with why in `why`
     *  (409). */
    int (*stage_action)(void *arg, const char *stage, const char *action,
                        char *why, size_t why_size);
    void *arg; /**< passed to each callback */
} co_control_routes_t;

/** A running endpoint. */
typedef struct co_control_s co_control_t;

/**
 * @brief Start serving on `m->http_listen` ("127.0.0.1:9464"; port 0 picks
 *        a free one) with the token, allowed hosts, idle timeout and
 *        connection limit of `m`, and log the
 *        address actually bound and where the token is.
 * @param m The manifest (borrowed; what is needed is copied).
 * @param routes Copied.
 * @returns The endpoint, or NULL with the reason in errstr (bad listen
 *          address, an address beyond loopback without
 *          `http.token_file`, port in use, unreadable or too short token
 *          file, no place to write a generated token).
 * @remark Main thread; the callbacks then run on libmicrohttpd's threads,
 *         one per connection (at most http.max_connections + 16).
 */
co_control_t *co_control_start(const co_manifest_t *m,
                               const co_control_routes_t *routes, char *errstr,
                               size_t errstr_size);

/**
 * @brief Check `http.token_file` as co_control_start() will read it: one
 *        line of CO_CONTROL_TOKEN_MIN to 255 characters without spaces.
 *        Logs a warning when other users can read the file.
 * @param file The token file's path (resolved against the manifest).
 * @param errstr Receives "http.token_file FILE: what is wrong and the fix".
 * @returns 0 if the token is usable, -1 if not.
 * @remark Reads the file (the token is wiped from memory after); any
 *         thread.
 */
int co_control_token_check(const char *file, char *errstr, size_t errstr_size);

/**
 * @brief Check an `http.listen` value ("IPV4:PORT", ":PORT" or "PORT"; port
 *        0..65535) as co_control_start() will parse it, without binding,
 *        and that an address beyond loopback (not 127.0.0.0/8) comes with
 *        `http.token_file` (the per-start token is for loopback only).
 * @param listen The value; NULL (unset: 127.0.0.1) is valid.
 * @param token_file `http.token_file`, or NULL when not configured.
 * @param errstr Receives what is wrong and the fix (a good value, or how to
 *        make a token file).
 * @returns 0 if valid, -1 if not.
 * @remark Pure; any thread.
 */
int co_control_listen_check(const char *listen, const char *token_file,
                            char *errstr, size_t errstr_size);

/** @brief The port actually bound. */
int co_control_port(const co_control_t *c);

/** @brief The endpoint's dashboard (owned by `c`; read-only). */
struct co_dashboard_s *co_control_dashboard(const co_control_t *c);

/**
 * @brief The dashboard's address for a browser: on loopback
 *        `http://HOST:PORT/#token=TOKEN` (the page reads the token from the
 *        fragment, which the browser never sends, keeps it for the tab and
 *        removes it from the address bar: how Jupyter hands its token
 *        over), beyond loopback `http://HOST:PORT/` (the page asks for the
 *        token of `http.token_file`).
 * @param out Receives it, NUL-terminated, at most `size` bytes: it holds
 *        the token, print it only where the operator reads.
 * @remark Any thread.  @since trial 43 (no endpoint hands the token out)
 */
void co_control_page_url(const co_control_t *c, char *out, size_t size);

/** @brief The file that holds the control token (owned by `c`). */
const char *co_control_token_file(const co_control_t *c);

/** @brief Stop, remove a generated token file, and free; NULL is allowed. */
void co_control_stop(co_control_t *c);

/** Shortest token accepted from `http.token_file`, in characters. */
#define CO_CONTROL_TOKEN_MIN 16

#endif
