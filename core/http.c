/* /health, /metrics and /api/stages on libmicrohttpd. */
#include "http.h"
#include "metrics.h"
#include "util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct co_http_s {
    struct MHD_Daemon *d;
    co_http_routes_t r;
    int port;
};

static enum MHD_Result co__reply(struct MHD_Connection *c, unsigned status,
                                 const char *type, char *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result co__handler(void *cls, struct MHD_Connection *c,
                                   const char *url, const char *method,
                                   const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    co_http_t *h = cls;
    if (*con_cls == NULL) { /* first call: headers only */
        *con_cls = h;
        return MHD_YES;
    }
    if (*upload_size != 0) { /* ignore request bodies */
        *upload_size = 0;
        return MHD_YES;
    }
    int is_get = strcmp(method, "GET") == 0;
    if (is_get && strcmp(url, "/health") == 0) {
        int ok = h->r.healthy ? h->r.healthy(h->r.arg) : 1;
        return co__reply(c, ok ? 200 : 503, "application/json",
                         co_strdup(ok ? "{\"status\":\"ok\"}\n"
                                      : "{\"status\":\"unhealthy\"}\n"));
    }
    if (is_get && strcmp(url, "/metrics") == 0)
        return co__reply(c, 200, "text/plain; version=0.0.4",
                         co_metrics_render());
    if (is_get && strcmp(url, "/api/stages") == 0 && h->r.stages_json)
        return co__reply(c, 200, "application/json",
                         h->r.stages_json(h->r.arg));
    if (strcmp(method, "POST") == 0 && strncmp(url, "/api/stages/", 12) == 0 &&
        h->r.stage_action) {
        char stage[256];
        const char *rest = url + 12;
        const char *slash = strchr(rest, '/');
        if (slash && (size_t)(slash - rest) < sizeof stage) {
            memcpy(stage, rest, (size_t)(slash - rest));
            stage[slash - rest] = '\0';
            if (h->r.stage_action(h->r.arg, stage, slash + 1) == 0)
                return co__reply(c, 200, "application/json",
                                 co_strdup("{\"ok\":true}\n"));
        }
        return co__reply(c, 404, "application/json",
                         co_strdup("{\"ok\":false,\"error\":\"no such stage "
                                   "or action (pause, resume, restart)\"}\n"));
    }
    return co__reply(c, 404, "text/plain",
                     co_strdup("not found: try /health, /metrics, "
                               "/api/stages\n"));
}

co_http_t *co_http_start(const char *listen, const co_http_routes_t *routes,
                         char *errstr, size_t sz)
{
    char host[128] = "127.0.0.1";
    int port = 0;
    const char *colon = strrchr(listen, ':');
    if (colon) {
        size_t n = (size_t)(colon - listen);
        if (n >= sizeof host)
            n = sizeof host - 1;
        if (n > 0) {
            memcpy(host, listen, n);
            host[n] = '\0';
        }
        port = atoi(colon + 1);
    } else {
        port = atoi(listen);
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        co_errf(errstr, sz,
                "http.listen \"%s\": host must be an IPv4 address such as "
                "127.0.0.1",
                listen);
        return NULL;
    }
    co_http_t *h = co_xcalloc(1, sizeof *h);
    h->r = *routes;
    h->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port,
                            NULL, NULL, co__handler, h, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&sa, MHD_OPTION_END);
    if (h->d == NULL) {
        co_errf(errstr, sz, "cannot listen on %s (port in use?)", listen);
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : port;
    return h;
}

int co_http_port(const co_http_t *h)
{
    return h->port;
}

void co_http_stop(co_http_t *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}
