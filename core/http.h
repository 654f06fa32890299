/**
 * @file core/http.h
 * @brief The host's HTTP endpoint (libmicrohttpd), loopback by default:
 *        GET /health, GET /metrics (Prometheus text), GET /api/stages
 *        (JSON), POST /api/stages/NAME/pause|resume|restart. Not installed.
 */
#ifndef CO_CORE_HTTP_H
#define CO_CORE_HTTP_H

#include <stddef.h>

/** What the endpoint asks the running pipeline. Called from
 *  libmicrohttpd's thread: implementations must be thread-safe. */
typedef struct co_http_routes_s {
    /** JSON text of the stages' status (malloc'd). */
    char *(*stages_json)(void *arg);
    /** 1 if every stage is healthy (RUNNING, DONE or PAUSED). */
    int (*healthy)(void *arg);
    /** Apply "pause" | "resume" | "restart" to a stage: 0, or -1 if no
     *  such stage or action. */
    int (*stage_action)(void *arg, const char *stage, const char *action);
    void *arg;
} co_http_routes_t;

typedef struct co_http_s co_http_t;

/**
 * @brief Start serving on `listen` ("127.0.0.1:9464"; port 0 picks a free
 *        one).
 * @param routes Copied.
 * @returns The server, or NULL with the reason in errstr.
 */
co_http_t *co_http_start(const char *listen, const co_http_routes_t *routes,
                         char *errstr, size_t errstr_size);
/** @brief The port actually bound. */
int co_http_port(const co_http_t *h);
/** @brief Stop and free; NULL is allowed. */
void co_http_stop(co_http_t *h);

#endif
