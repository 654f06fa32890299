/* /health, /metrics and /api/stages on libmicrohttpd, with the Host/Origin
 * check and the control token (see control.h). */
#include "control.h"
#include "control_args.h"
#include "control_token.h"
#include "dashboard.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One open connection (MHD's connection notification). */
typedef struct co__conn_s {
    struct MHD_Connection *c;
    int busy;    /* a request is being answered: never closed for another */
    int closing; /* shut down to make room; MHD has not closed it yet */
    struct co__conn_s *prev, *next;
} co__conn_t;

struct co_control_s {
    struct MHD_Daemon *d;
    co_control_routes_t r;
    int port;
    char host[128];       /* listen address as configured */
    char token[256];      /* the control token */
    char *token_file;     /* where it is */
    int token_made;       /* 1: generated here, removed at stop */
    char **allowed;       /* http.allowed_hosts (copied), NULL-terminated */
    co_dashboard_t *ui;   /* the dashboard (core/dashboard.c) */
    int loopback;         /* 1: listens on 127.0.0.0/8 only */
    pthread_mutex_t lock; /* the connection list below */
    co__conn_t *oldest, *newest; /* open connections, in accept order */
    int live;                    /* open ones not being closed */
    int max_conn;                /* http.max_connections */
    time_t evict_logged;         /* last warning about closing idle ones */
};

/* Queues `body` (taken); `allow` (or NULL) is the Allow header of a 405.
 * A HEAD request gets the same headers without the body (libmicrohttpd
 * leaves it out). */
static enum MHD_Result co__reply_allow(struct MHD_Connection *c,
                                       unsigned status, const char *type,
                                       char *body, const char *allow)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    if (allow != NULL)
        MHD_add_response_header(resp, "Allow", allow);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(resp, "WWW-Authenticate",
                                "Bearer realm=\"careerops\"");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result co__reply(struct MHD_Connection *c, unsigned status,
                                 const char *type, char *body)
{
    return co__reply_allow(c, status, type, body, NULL);
}

/* {"ok":false,"error":MSG}, with an Allow header when `allow` is set. */
static enum MHD_Result co__json_error_allow(struct MHD_Connection *c,
                                            unsigned status, const char *msg,
                                            const char *allow)
{
    json_t *j = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    co_buf_t b = {0};
    co_buf_printf(&b, "%s\n", body ? body : "{\"ok\":false}");
    free(body);
    return co__reply_allow(c, status, "application/json", b.data, allow);
}

static enum MHD_Result co__json_error(struct MHD_Connection *c, unsigned status,
                                      const char *msg)
{
    return co__json_error_allow(c, status, msg, NULL);
}

/* ---- Host and Origin -------------------------------------------------- */

/* 1 if `name` (no port) is an IP literal, localhost or allowed. */
static int co__name_ok(const co_control_t *ctl, const char *name)
{
    struct in_addr a4;
    struct in6_addr a6;
    size_t n = strlen(name);
    if (inet_pton(AF_INET, name, &a4) == 1 ||
        strcasecmp(name, "localhost") == 0)
        return 1;
    if (n > 2 && name[0] == '[' && name[n - 1] == ']') {
        char in[64];
        if (n - 2 >= sizeof in)
            return 0;
        memcpy(in, name + 1, n - 2);
        in[n - 2] = '\0';
        return inet_pton(AF_INET6, in, &a6) == 1;
    }
    for (size_t i = 0; ctl->allowed && ctl->allowed[i]; i++)
        if (strcasecmp(ctl->allowed[i], name) == 0)
            return 1;
    return 0;
}

/* 1 if the Host header names this endpoint (see control.h). */
static int co__host_ok(const co_control_t *ctl, const char *host)
{
    if (host == NULL || host[0] == '\0' || strlen(host) > 255)
        return 0;
    char name[256];
    snprintf(name, sizeof name, "%s", host);
    char *colon = strrchr(name, ':');
    char *bracket = strrchr(name, ']');
    if (colon != NULL && (bracket == NULL || colon > bracket)) {
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || port != ctl->port)
            return 0;
        *colon = '\0';
    }
    return co__name_ok(ctl, name);
}

/* An Origin, when sent, must be this endpoint's own: http://HOST. */
static int co__origin_ok(const char *origin, const char *host)
{
    if (origin == NULL)
        return 1;
    return strncasecmp(origin, "http://", 7) == 0 &&
           strcasecmp(origin + 7, host) == 0;
}

static int co__token_ok(const co_control_t *ctl, const char *authz)
{
    if (authz == NULL || strncasecmp(authz, "Bearer ", 7) != 0)
        return 0;
    const char *t = authz + 7;
    size_t n = strlen(t), want = strlen(ctl->token);
    return n == want && want > 0 && sodium_memcmp(t, ctl->token, n) == 0;
}

/* The 401 answer's words: a missing token and a wrong one differ. */
static void co__token_refusal(const co_control_t *ctl, const char *authz,
                              co_buf_t *m)
{
    /* beyond loopback the path of the operator's file is not told */
    const char *where = ctl->loopback ? ctl->token_file : "http.token_file";
    if (authz == NULL)
        co_buf_printf(m,
                      "send the control token: Authorization: Bearer TOKEN "
                      "(the token is in %s; at start the host logs that path "
                      "and the dashboard's address with the token: "
                      "http://HOST:PORT/#token=...)",
                      where);
    else if (strncasecmp(authz, "Bearer ", 7) != 0)
        co_buf_printf(m,
                      "the Authorization header must be \"Bearer TOKEN\" "
                      "(the token is in %s)",
                      where);
    else
        co_buf_printf(m, "the token does not match (send the one in %s)",
                      where);
}

/* 401 with co__token_refusal's words, logged. */
static enum MHD_Result co__refuse_token(const co_control_t *ctl,
                                        struct MHD_Connection *c,
                                        const char *method, const char *url,
                                        const char *who, const char *authz)
{
    co_log_warn("control: refused %s %s from %s: %s token (401)", method, url,
                who, authz ? "wrong" : "no");
    co_buf_t m = {0};
    co__token_refusal(ctl, authz, &m);
    enum MHD_Result ret = co__json_error(c, MHD_HTTP_UNAUTHORIZED, m.data);
    co_buf_free(&m);
    return ret;
}

/* ---- requests ---------------------------------------------------------- */

/* POST /api/stages/NAME/ACTION: Origin, token, then the action; logged. */
static enum MHD_Result co__post(co_control_t *ctl, struct MHD_Connection *c,
                                const char *url, const char *host)
{
    char who[64];
    co_control_client(c, who, sizeof who);
    const char *origin =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!co__origin_ok(origin, host)) {
        co_log_warn("control: refused POST %s from %s: Origin %s is not "
                    "this endpoint (403)",
                    url, who, origin);
        return co__json_error(c, MHD_HTTP_FORBIDDEN,
                              "cross-origin request refused");
    }
    const char *authz =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!co__token_ok(ctl, authz))
        return co__refuse_token(ctl, c, "POST", url, who, authz);
    if (strncmp(url, "/api/stages/", 12) == 0 && !ctl->r.stage_action)
        return co__json_error(c, MHD_HTTP_CONFLICT,
                              "no pipeline runs under careerops serve: pause, "
                              "resume and restart act on `careerops run`'s "
                              "stages (its http.listen endpoint)");
    if (strncmp(url, "/api/stages/", 12) != 0) { /* the dashboard's */
        unsigned st = 404;
        char *body = co_dashboard_post(ctl->ui, c, url, &st);
        co_log_info("control: POST %s from %s: %u", url, who, st);
        return body ? co__reply(c, st, "application/json", body)
                    : co__json_error(c, MHD_HTTP_NOT_FOUND, "no such route");
    }
    char stage[256], why[1400] = "";
    const char *rest = url + 12;
    const char *slash = strchr(rest, '/');
    int rc = -1;
    if (slash && (size_t)(slash - rest) < sizeof stage) {
        memcpy(stage, rest, (size_t)(slash - rest));
        stage[slash - rest] = '\0';
        rc = ctl->r.stage_action(ctl->r.arg, stage, slash + 1, why, sizeof why);
    }
    co_log_info("control: POST %s from %s: %s", url, who,
                rc == 0    ? "done (200)"
                : rc == -2 ? why
                           : "no such stage or action (404)");
    if (rc == 0)
        return co__reply(c, MHD_HTTP_OK, "application/json",
                         co_strdup("{\"ok\":true}\n"));
    if (rc == -2)
        return co__json_error(c, MHD_HTTP_CONFLICT, why);
    char msg[1600];
    snprintf(msg, sizeof msg,
             "no such stage or action (pause, resume, restart)%s%s",
             why[0] ? ": " : "", why);
    return co__json_error(c, MHD_HTTP_NOT_FOUND, msg);
}

/* The methods a known route answers ("GET, HEAD" or "POST"), or NULL for
 * the page's files and unknown paths. */
static const char *co__allow(const char *url)
{
    static const char *const reads[] = {"/health",          "/metrics",
                                        "/api/stages",      "/api/applications",
                                        "/api/application", "/api/interviews",
                                        "/api/funnel",      "/api/deadletters"};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        if (strcmp(url, reads[i]) == 0)
            return "GET, HEAD";
    if (strncmp(url, "/api/emails/", 12) == 0)
        return "GET, HEAD";
    if (strncmp(url, "/api/stages/", 12) == 0 ||
        strcmp(url, "/api/relabel") == 0 ||
        strcmp(url, "/api/deadletters/replay") == 0)
        return "POST";
    return NULL;
}

/* ---- connections and bodies ------------------------------------------- */

/* Marks the connection of `c` as answering a request (busy=1) or done. */
static void co__conn_busy(co_control_t *ctl, struct MHD_Connection *c, int busy)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pthread_mutex_lock(&ctl->lock);
    if (ci != NULL && ci->socket_context != NULL)
        ((co__conn_t *)ci->socket_context)->busy = busy;
    pthread_mutex_unlock(&ctl->lock);
}

/* 1 if the connection of `k` may be closed for a newcomer: idle (not
 * answering a request), or, when `stalled`, answering one whose client
 * does not read it (bytes wait unsent in the socket's send queue: trial
 * 43's slow readers pipelining 800 requests each). A request waiting on
 * the database has nothing queued and is left alone. */
static int co__conn_evictable(const co__conn_t *k, int stalled, int *fd)
{
    const union MHD_ConnectionInfo *ci =
        k->closing
            ? NULL
            : MHD_get_connection_info(k->c, MHD_CONNECTION_INFO_CONNECTION_FD);
    int queued = 0;
    if (ci == NULL ||
        (k->busy &&
         (!stalled || ioctl(ci->connect_fd, TIOCOUTQ, &queued) != 0 ||
          queued <= 0)))
        return 0;
    *fd = ci->connect_fd;
    return 1;
}

/* Beyond http.max_connections, the oldest idle connection (a client
 * holding a slot without asking, or waiting between requests), else the
 * oldest one whose client does not read its answer, is shut down so that
 * the new one is served: a pile of idle clients or of slow readers cannot
 * lock /health out. libmicrohttpd has no such policy (its limit refuses
 * the newcomer), hence this code. Runs on one of MHD's threads with
 * ctl->lock held. */
static void co__conn_evict(co_control_t *ctl)
{
    for (int stalled = 0; stalled < 2; stalled++) {
        co__conn_t *k = ctl->oldest;
        int fd;
        /* the newcomer (the newest) is the one to serve */
        while (ctl->live > ctl->max_conn && k != NULL && k != ctl->newest) {
            if (co__conn_evictable(k, stalled, &fd) &&
                shutdown(fd, SHUT_RDWR) == 0) {
                k->closing = 1;
                ctl->live--;
                time_t now = time(NULL);
                if (now - ctl->evict_logged >= 60) {
                    ctl->evict_logged = now;
                    co_log_warn("http: %d connections open "
                                "(http.max_connections): closing the oldest "
                                "idle ones, or ones that do not read their "
                                "answers, for new clients",
                                ctl->max_conn);
                }
            }
            k = k->next;
        }
    }
}

static void co__conn_notify(void *cls, struct MHD_Connection *c, void **sock,
                            enum MHD_ConnectionNotificationCode code)
{
    co_control_t *ctl = cls;
    co__conn_t *k = *sock;
    pthread_mutex_lock(&ctl->lock);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        k = co_xcalloc(1, sizeof *k);
        k->c = c;
        k->prev = ctl->newest;
        if (ctl->newest)
            ctl->newest->next = k;
        else
            ctl->oldest = k;
        ctl->newest = k;
        ctl->live++;
        *sock = k;
        co__conn_evict(ctl);
    } else if (k != NULL) {
        if (!k->closing)
            ctl->live--;
        *(k->prev ? &k->prev->next : &ctl->oldest) = k->next;
        *(k->next ? &k->next->prev : &ctl->newest) = k->prev;
        free(k);
        *sock = NULL;
    }
    pthread_mutex_unlock(&ctl->lock);
}

static void co__completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode code)
{
    (void)con_cls;
    (void)code;
    co__conn_busy(cls, c, 0);
}

/* 1 if the request announces a body (Content-Length > 0, or chunked). */
static int co__has_body(struct MHD_Connection *c)
{
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    const char *te =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
    return (len != NULL && strspn(len, "0") != strlen(len)) || te != NULL;
}

/* No route takes a request body (parameters go in the query string): 413
 * at once, before a byte of it is read; libmicrohttpd then closes the
 * connection. */
static enum MHD_Result co__no_body(struct MHD_Connection *c, const char *method,
                                   const char *url)
{
    co_buf_t m = {0};
    co_buf_printf(&m,
                  "%s %s takes no request body: send its parameters in the "
                  "query string (no route of this endpoint reads a body)",
                  method, url);
    enum MHD_Result ret = co__json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, m.data);
    co_buf_free(&m);
    return ret;
}

static enum MHD_Result co__handler(void *cls, struct MHD_Connection *c,
                                   const char *url, const char *method,
                                   const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    co_control_t *ctl = cls;
    if (*con_cls == NULL || *con_cls == co_control_nul_uri) {
        int nul = *con_cls == co_control_nul_uri; /* first call: headers */
        *con_cls = ctl;
        co__conn_busy(ctl, c, 1);
        if (nul)
            return co__json_error(c, MHD_HTTP_BAD_REQUEST,
                                  "the path or query holds %00 (a NUL byte) "
                                  "or the path %2F (a slash): no name, key "
                                  "or file contains one; send the value "
                                  "without it");
        return co__has_body(c) ? co__no_body(c, method, url) : MHD_YES;
    }
    if (*upload_size != 0) { /* after the 413: dropped, not read on */
        *upload_size = 0;
        return MHD_YES;
    }
    char bad[256];
    if (co_control_header_repeated(c, bad, sizeof bad))
        return co__json_error(c, MHD_HTTP_BAD_REQUEST, bad);
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!co__host_ok(ctl, host)) {
        char who[64];
        co_control_client(c, who, sizeof who);
        co_log_warn("control: refused %s %s from %s: Host %s (403)", method,
                    url, who, host ? host : "(none)");
        return co__json_error(c, MHD_HTTP_FORBIDDEN,
                              "Host is not this endpoint: use an IP address "
                              "or localhost, or add the name to "
                              "http.allowed_hosts");
    }
    if (co_control_arg_repeated(c, bad, sizeof bad))
        return co__json_error(c, MHD_HTTP_BAD_REQUEST, bad);
    int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int is_post = strcmp(method, "POST") == 0;
    /* beyond loopback every request of the API needs the token, before its
     * route is looked up (no route discovery without it); the page's own
     * files (/, app.js, ...), /health and /metrics hold no mail */
    const char *authz =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!ctl->loopback && strncmp(url, "/api/", 5) == 0 &&
        !co__token_ok(ctl, authz)) {
        char who[64];
        co_control_client(c, who, sizeof who);
        return co__refuse_token(ctl, c, method, url, who, authz);
    }
    const char *allow = co__allow(url);
    if (allow == NULL && strncmp(url, "/api/", 5) == 0)
        return co__json_error(c, MHD_HTTP_NOT_FOUND,
                              "no such route: see docs/dashboard.md for the "
                              "API (/api/applications, /api/stages, ...)");
    if (allow != NULL && !(strcmp(allow, "POST") == 0 ? is_post : is_get)) {
        co_buf_t m = {0};
        co_buf_printf(&m, "%s %s: this route answers %s only", method, url,
                      allow);
        enum MHD_Result ret =
            co__json_error_allow(c, MHD_HTTP_METHOD_NOT_ALLOWED, m.data, allow);
        co_buf_free(&m);
        return ret;
    }
    if (is_post && allow != NULL)
        return co__post(ctl, c, url, host);
    /* on loopback too, the mail (applications, raw messages, dead letters)
     * needs the token: any local user reaches a loopback port (trial 43);
     * GET /api/stages (the stages' states, as /metrics) needs none */
    if (allow != NULL && strncmp(url, "/api/", 5) == 0 &&
        strcmp(url, "/api/stages") != 0 && !co__token_ok(ctl, authz)) {
        char who[64];
        co_control_client(c, who, sizeof who);
        return co__refuse_token(ctl, c, method, url, who, authz);
    }
    if (strcmp(url, "/health") == 0) {
        int ok = 1;
        char *body = ctl->r.health ? ctl->r.health(ctl->r.arg, &ok) : NULL;
        return co__reply(c, ok ? 200 : 503, "application/json",
                         body ? body : co_strdup("{\"status\":\"ok\"}\n"));
    }
    if (strcmp(url, "/metrics") == 0)
        return co__reply(c, 200, "text/plain; version=0.0.4",
                         co_metrics_render());
    if (strcmp(url, "/api/stages") == 0 && ctl->r.stages_json)
        return co__reply(c, 200, "application/json",
                         ctl->r.stages_json(ctl->r.arg));
    if (strncmp(url, "/api/emails/", 12) == 0) /* raw message */
        return co_dashboard_original(ctl->ui, c, url);
    unsigned st = 404;
    const char *type = "text/plain";
    char *body = co_dashboard_get(ctl->ui, c, url, &st, &type);
    if (body != NULL && !is_get) { /* one of the page's files */
        free(body);
        return co__json_error_allow(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                                    "the page's files answer GET and HEAD "
                                    "only",
                                    "GET, HEAD");
    }
    if (body)
        return co__reply(c, st, type, body);
    return co__json_error(c, MHD_HTTP_NOT_FOUND,
                          "not found: try /, /health, /metrics, /api/stages");
}

/* ---- life cycle ---------------------------------------------------------- */

static int co__parse_listen(const char *listen, char *host, size_t hsz,
                            struct sockaddr_in *sa, char *errstr, size_t sz)
{
    snprintf(host, hsz, "127.0.0.1");
    const char *colon = strrchr(listen, ':');
    const char *ps = colon ? colon + 1 : listen;
    if (colon && colon > listen)
        snprintf(host, hsz, "%.*s", (int)(colon - listen), listen);
    char *end;
    long port = strtol(ps, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (*ps == '\0' || *end != '\0' || port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        co_errf(errstr, sz,
                "http.listen \"%s\": give IPV4:PORT such as 127.0.0.1:9464 "
                "(port 0 picks a free one)",
                listen);
        return -1;
    }
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

/* 1 if `sa` is in 127.0.0.0/8. */
static int co__is_loopback(const struct sockaddr_in *sa)
{
    return (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
}

/* Beyond loopback the token comes from a file (issue 16): a per-start
 * token would have to travel to the remote user by other means. */
static int co__beyond_loopback_check(const char *listen,
                                     const struct sockaddr_in *sa,
                                     const char *token_file, char *errstr,
                                     size_t sz)
{
    if (co__is_loopback(sa) || token_file != NULL)
        return 0;
    co_errf(errstr, sz,
            "http.listen \"%s\" is beyond loopback, which needs the control "
            "token from a file: set http.token_file to a file holding one "
            "line of %d or more characters (`head -c 32 /dev/urandom | "
            "base64 > token && chmod 600 token`), or listen on "
            "127.0.0.1:PORT (the host then makes a token per start)",
            listen, CO_CONTROL_TOKEN_MIN);
    return -1;
}

int co_control_token_check(const char *file, char *errstr, size_t sz)
{
    co_control_t *ctl = co_xcalloc(1, sizeof *ctl);
    int rc = co_control_token_read(file, ctl->token, sizeof ctl->token,
                                   &ctl->token_file, errstr, sz);
    sodium_memzero(ctl->token, sizeof ctl->token);
    free(ctl->token_file);
    free(ctl);
    return rc;
}

int co_control_listen_check(const char *listen, const char *token_file,
                            char *errstr, size_t sz)
{
    char host[128];
    struct sockaddr_in sa;
    if (listen == NULL)
        return 0;
    if (co__parse_listen(listen, host, sizeof host, &sa, errstr, sz) != 0)
        return -1;
    return co__beyond_loopback_check(listen, &sa, token_file, errstr, sz);
}

static void co__free(co_control_t *ctl)
{
    co_dashboard_free(ctl->ui);
    if (ctl->token_made && ctl->token_file)
        unlink(ctl->token_file);
    sodium_memzero(ctl->token, sizeof ctl->token);
    free(ctl->token_file);
    for (size_t i = 0; ctl->allowed && ctl->allowed[i]; i++)
        free(ctl->allowed[i]);
    free(ctl->allowed);
    pthread_mutex_destroy(&ctl->lock);
    free(ctl);
}

co_control_t *co_control_start(const co_manifest_t *m,
                               const co_control_routes_t *routes, char *errstr,
                               size_t sz)
{
    struct sockaddr_in sa;
    co_control_t *ctl = co_xcalloc(1, sizeof *ctl);
    pthread_mutex_init(&ctl->lock, NULL);
    ctl->r = *routes;
    const char *listen = m->http_listen ? m->http_listen : "127.0.0.1:0";
    size_t na = 0;
    while (m->http_allowed_hosts && m->http_allowed_hosts[na])
        na++;
    ctl->allowed = co_xcalloc(na + 1, sizeof *ctl->allowed);
    for (size_t i = 0; i < na; i++)
        ctl->allowed[i] = co_strdup(m->http_allowed_hosts[i]);
    if (co__parse_listen(listen, ctl->host, sizeof ctl->host, &sa, errstr,
                         sz) != 0 ||
        co__beyond_loopback_check(listen, &sa, m->http_token_file, errstr,
                                  sz) != 0 ||
        (m->http_token_file
             ? co_control_token_read(m->http_token_file, ctl->token,
                                     sizeof ctl->token, &ctl->token_file,
                                     errstr, sz)
             : co_control_token_make(m->pipeline, ctl->token, sizeof ctl->token,
                                     &ctl->token_file, errstr, sz)) != 0) {
        co__free(ctl);
        return NULL;
    }
    ctl->token_made = m->http_token_file == NULL;
    ctl->loopback = co__is_loopback(&sa);
    ctl->ui = co_dashboard_new(m);
    ctl->max_conn = m->http_max_connections > 0 ? m->http_max_connections
                                                : CO_HTTP_MAX_CONNECTIONS;
    unsigned idle = m->http_idle_timeout_s > 0
                        ? (unsigned)m->http_idle_timeout_s
                        : CO_HTTP_IDLE_TIMEOUT_S;
    /* a thread per connection (the connection list under ctl->lock), so
     * that no request waits behind a dashboard read of the database (trial
     * 43: /health; trial 45: a pool gave a waiting thread a second
     * connection); poll where there is one, so that connections beyond
     * select's 1024 descriptors do not lock the endpoint out; room above
     * max_conn for the newcomers that co__conn_evict makes space for */
    ctl->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
            MHD_USE_AUTO,
        0, NULL, NULL, co__handler, ctl, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, idle,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)ctl->max_conn + 16,
        MHD_OPTION_NOTIFY_CONNECTION, co__conn_notify, ctl,
        MHD_OPTION_NOTIFY_COMPLETED, co__completed, ctl,
        MHD_OPTION_URI_LOG_CALLBACK, co_control_uri_check, NULL,
        MHD_OPTION_END);
    if (ctl->d == NULL) {
        co_errf(errstr, sz, "cannot listen on %s (port in use?)", listen);
        co__free(ctl);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(ctl->d, MHD_DAEMON_INFO_BIND_PORT);
    ctl->port = info ? info->port : ntohs(sa.sin_port);
    co_log_info("http endpoint on %s:%d (/health, /metrics, /api/stages); "
                "POST /api/stages/NAME/pause|resume|restart (and the "
                "dashboard's mail) needs the token in %s",
                ctl->host, ctl->port, ctl->token_file);
    if (ctl->loopback) { /* as Jupyter: the page's URL carries the token */
        char url[512];
        co_control_page_url(ctl, url, sizeof url);
        co_log_info("dashboard: %s (the page keeps the token for the tab)",
                    url);
        sodium_memzero(url, sizeof url);
    }
    if (!ctl->loopback)
        co_log_warn("http: %s:%d is not loopback-only: anyone who can reach "
                    "it reads /health, /metrics and the page's own files "
                    "(/, app.js, style.css: no data); every /api/ route, "
                    "reads included, needs the token in %s",
                    ctl->host, ctl->port, ctl->token_file);
    return ctl;
}

int co_control_port(const co_control_t *c)
{
    return c->port;
}

co_dashboard_t *co_control_dashboard(const co_control_t *c)
{
    return c->ui;
}

void co_control_page_url(const co_control_t *c, char *out, size_t size)
{
    const char *host = strcmp(c->host, "0.0.0.0") == 0 ? "127.0.0.1" : c->host;
    if (c->loopback)
        snprintf(out, size, "http://%s:%d/#token=%s", host, c->port, c->token);
    else
        snprintf(out, size, "http://%s:%d/", host, c->port);
}

const char *co_control_token_file(const co_control_t *c)
{
    return c->token_file;
}

void co_control_stop(co_control_t *c)
{
    if (c == NULL)
        return;
    MHD_stop_daemon(c->d);
    co__free(c);
}
