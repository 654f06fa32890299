/**
 * @file tests/fakes/co_fake.c
 * @brief The fake HTTP server framework (libmicrohttpd); see co_fake.h.
 */
#include "co_fake.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Requests bodies above this are answered 413 (tests never need more). */
#define CO__FAKE_MAX_BODY ((size_t)64 * 1024 * 1024)

typedef struct co__fake_route_s {
    char *method; /* NULL: any */
    char *path;
    int prefix;
    co_fake_handler_fn fn;
    void *ud;
} co__fake_route_t;

typedef struct co__fake_script_s {
    char *method, *path, *content_type, *body, *headers;
    int status, delay_ms, drop;
    struct co__fake_script_s *next;
} co__fake_script_t;

typedef struct co__fake_attach_s {
    void *data;
    void (*destroy)(void *);
    struct co__fake_attach_s *next;
} co__fake_attach_t;

struct co_fake_s {
    struct MHD_Daemon *mhd;
    uint16_t port;
    char url[64];
    pthread_mutex_t mu;
    pthread_cond_t cond; /* signalled on a new request and on stop */
    int stopping;
    co__fake_route_t *routes;
    size_t route_cnt;
    co__fake_script_t *scripts; /* FIFO */
    co_fake_request_t **log;
    size_t log_cnt, log_cap;
    FILE *log_out;
    co__fake_attach_t *attached;
};

/* Per-request state between MHD callbacks. */
typedef struct co__fake_conn_s {
    co_fake_request_t *req;
    size_t body_cap;
    int too_large;
} co__fake_conn_t;

static char *co__fake_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void co__fake_pairs_free(co_fake_pair_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
    }
    free(p);
}

static void co__fake_request_free(co_fake_request_t *r)
{
    if (r == NULL)
        return;
    free(r->method);
    free(r->path);
    co__fake_pairs_free(r->args, r->arg_cnt);
    co__fake_pairs_free(r->headers, r->header_cnt);
    free(r->body);
    free(r);
}

static int co__fake_pair_add(co_fake_pair_t **arr, size_t *n, const char *k,
                             const char *v)
{
    co_fake_pair_t *p = realloc(*arr, (*n + 1) * sizeof **arr);
    if (p == NULL)
        return -1;
    *arr = p;
    p[*n].name = strdup(k ? k : "");
    p[*n].value = strdup(v ? v : "");
    (*n)++;
    return 0;
}

static enum MHD_Result co__fake_collect_header(void *cls, enum MHD_ValueKind k,
                                               const char *key,
                                               const char *value)
{
    (void)k;
    co_fake_request_t *r = cls;
    co__fake_pair_add(&r->headers, &r->header_cnt, key, value);
    return MHD_YES;
}

static enum MHD_Result co__fake_collect_arg(void *cls, enum MHD_ValueKind k,
                                            const char *key, const char *value)
{
    (void)k;
    co_fake_request_t *r = cls;
    co__fake_pair_add(&r->args, &r->arg_cnt, key, value);
    return MHD_YES;
}

const char *co_fake_request_header(const co_fake_request_t *r, const char *name)
{
    for (size_t i = 0; r && i < r->header_cnt; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

const char *co_fake_request_arg(const co_fake_request_t *r, const char *name)
{
    for (size_t i = 0; r && i < r->arg_cnt; i++)
        if (strcmp(r->args[i].name, name) == 0)
            return r->args[i].value;
    return NULL;
}

/* ---- reply setters ---------------------------------------------------- */

void co_fake_reply_set(co_fake_reply_t *r, int status, const char *content_type,
                       const char *body)
{
    r->status = status;
    free(r->body);
    r->body = body ? strdup(body) : NULL;
    r->body_len = body ? strlen(body) : 0;
    snprintf(r->content_type, sizeof r->content_type, "%s",
             content_type ? content_type : "application/json");
}

void co_fake_reply_json(co_fake_reply_t *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    co_fake_reply_set(r, status, "application/json; charset=utf-8", s);
    free(s);
}

void co_fake_reply_error(co_fake_reply_t *r, int status, const char *message)
{
    json_t *o = json_pack("{s:s}", "error", message ? message : "");
    char *s = json_dumps(o, JSON_COMPACT);
    co_fake_reply_set(r, status, "application/json; charset=utf-8", s);
    free(s);
    json_decref(o);
}

void co_fake_reply_header(co_fake_reply_t *r, const char *name,
                          const char *value)
{
    co__fake_pair_add(&r->headers, &r->header_cnt, name, value);
}

/* ---- server ----------------------------------------------------------- */

static void co__fake_log_json(co_fake_t *f, const co_fake_request_t *r)
{
    json_t *args = json_array(), *hdrs = json_object();
    for (size_t i = 0; i < r->arg_cnt; i++)
        json_array_append_new(
            args, json_pack("[s,s]", r->args[i].name, r->args[i].value));
    for (size_t i = 0; i < r->header_cnt; i++)
        json_object_set_new(hdrs, r->headers[i].name,
                            json_string(r->headers[i].value));
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:o,s:o,s:s%}", "seq", (json_int_t)r->seq,
                  "method", r->method, "path", r->path, "args", args, "headers",
                  hdrs, "body", r->body, r->body_len);
    if (o != NULL) {
        json_dumpf(o, f->log_out, JSON_COMPACT);
        fputc('\n', f->log_out);
        fflush(f->log_out);
    }
    json_decref(o);
}

/* Appends r to the log; takes ownership. */
static void co__fake_log_add(co_fake_t *f, co_fake_request_t *r)
{
    pthread_mutex_lock(&f->mu);
    if (f->log_cnt == f->log_cap) {
        size_t cap = f->log_cap ? f->log_cap * 2 : 16;
        co_fake_request_t **p = realloc(f->log, cap * sizeof *p);
        if (p == NULL) {
            pthread_mutex_unlock(&f->mu);
            co__fake_request_free(r);
            return;
        }
        f->log = p;
        f->log_cap = cap;
    }
    r->seq = f->log_cnt;
    f->log[f->log_cnt++] = r;
    if (f->log_out != NULL)
        co__fake_log_json(f, r);
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
}

static int co__fake_match(const char *want_method, const char *want_path,
                          int prefix, const co_fake_request_t *r)
{
    if (want_path != NULL) {
        size_t n = strlen(want_path);
        if (prefix ? strncmp(r->path, want_path, n) != 0
                   : strcmp(r->path, want_path) != 0)
            return 0;
    }
    return want_method == NULL || strcmp(want_method, r->method) == 0;
}

/* Takes the first matching script out of the queue, or NULL. */
static co__fake_script_t *co__fake_take_script(co_fake_t *f,
                                               const co_fake_request_t *r)
{
    pthread_mutex_lock(&f->mu);
    co__fake_script_t **pp = &f->scripts, *s = NULL;
    for (; *pp != NULL; pp = &(*pp)->next) {
        if (co__fake_match((*pp)->method, (*pp)->path, 0, r)) {
            s = *pp;
            *pp = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return s;
}

static void co__fake_script_free(co__fake_script_t *s)
{
    if (s == NULL)
        return;
    free(s->method);
    free(s->path);
    free(s->content_type);
    free(s->body);
    free(s->headers);
    free(s);
}

static void co__fake_script_apply(const co__fake_script_t *s,
                                  co_fake_reply_t *reply)
{
    co_fake_reply_set(reply, s->status ? s->status : 200, s->content_type,
                      s->body ? s->body : "");
    reply->delay_ms = s->delay_ms;
    reply->drop = s->drop;
    /* "Name: value" lines separated by '\n'. */
    for (const char *p = s->headers; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, len), *colon = strchr(line, ':');
        if (colon != NULL) {
            *colon = '\0';
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            co_fake_reply_header(reply, line, v);
        }
        free(line);
        p = nl ? nl + 1 : p + len;
    }
}

static void co__fake_dispatch(co_fake_t *f, const co_fake_request_t *r,
                              co_fake_reply_t *reply)
{
    co__fake_script_t *s = co__fake_take_script(f, r);
    if (s != NULL) {
        co__fake_script_apply(s, reply);
        co__fake_script_free(s);
        return;
    }
    /* Routes are only added during setup, so no lock is needed to read. */
    int path_seen = 0;
    for (size_t i = 0; i < f->route_cnt; i++) {
        co__fake_route_t *rt = &f->routes[i];
        if (!co__fake_match(NULL, rt->path, rt->prefix, r))
            continue;
        path_seen = 1;
        if (rt->method == NULL || strcmp(rt->method, r->method) == 0) {
            rt->fn(f, r, reply, rt->ud);
            return;
        }
    }
    if (path_seen)
        co_fake_reply_set(reply, 405, "text/plain", "405 method not allowed");
    else
        co_fake_reply_set(reply, 404, "text/plain", "404 page not found");
}

/* CLOCK_MONOTONIC time `ms` from now, for pthread_cond_timedwait(). */
static struct timespec co__fake_deadline(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Sleeps up to ms (real time), returning early when the server stops. */
static void co__fake_delay(co_fake_t *f, int ms)
{
    struct timespec until = co__fake_deadline(ms);
    pthread_mutex_lock(&f->mu);
    while (!f->stopping &&
           pthread_cond_timedwait(&f->cond, &f->mu, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&f->mu);
}

static enum MHD_Result co__fake_answer(co_fake_t *f,
                                       struct MHD_Connection *conn,
                                       co_fake_request_t *req)
{
    co_fake_reply_t reply = {.status = 200};
    snprintf(reply.content_type, sizeof reply.content_type, "application/json");
    co__fake_dispatch(f, req, &reply);
    if (reply.delay_ms > 0)
        co__fake_delay(f, reply.delay_ms);

    enum MHD_Result ret = MHD_NO;
    if (!reply.drop) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            reply.body_len, reply.body ? reply.body : (void *)"",
            MHD_RESPMEM_MUST_COPY);
        if (resp != NULL) {
            if (reply.content_type[0])
                MHD_add_response_header(resp, "Content-Type",
                                        reply.content_type);
            for (size_t i = 0; i < reply.header_cnt; i++)
                MHD_add_response_header(resp, reply.headers[i].name,
                                        reply.headers[i].value);
            ret = MHD_queue_response(conn, (unsigned)reply.status, resp);
            MHD_destroy_response(resp);
        }
    }
    free(reply.body);
    co__fake_pairs_free(reply.headers, reply.header_cnt);
    return ret;
}

static enum MHD_Result co__fake_access(void *cls, struct MHD_Connection *conn,
                                       const char *url, const char *method,
                                       const char *version, const char *upload,
                                       size_t *upload_size, void **con_cls)
{
    (void)version;
    co_fake_t *f = cls;
    co__fake_conn_t *c = *con_cls;
    if (c == NULL) {
        c = calloc(1, sizeof *c);
        if (c == NULL)
            return MHD_NO;
        c->req = calloc(1, sizeof *c->req);
        if (c->req == NULL) {
            free(c);
            return MHD_NO;
        }
        c->req->method = strdup(method);
        c->req->path = strdup(url);
        c->req->body = calloc(1, 1);
        MHD_get_connection_values(conn, MHD_HEADER_KIND,
                                  co__fake_collect_header, c->req);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND,
                                  co__fake_collect_arg, c->req);
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        co_fake_request_t *r = c->req;
        size_t n = *upload_size;
        *upload_size = 0;
        if (c->too_large || r->body_len + n > CO__FAKE_MAX_BODY) {
            c->too_large = 1;
            return MHD_YES;
        }
        if (r->body_len + n + 1 > c->body_cap) {
            size_t cap = c->body_cap ? c->body_cap : 4096;
            while (cap < r->body_len + n + 1)
                cap *= 2;
            char *p = realloc(r->body, cap);
            if (p == NULL)
                return MHD_NO;
            r->body = p;
            c->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }
    if (c->too_large) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            0, (void *)"", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret = MHD_queue_response(conn, 413, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    co_fake_request_t *req = c->req;
    c->req = NULL;
    co__fake_log_add(f, req); /* the log owns it now; it is immutable */
    return co__fake_answer(f, conn, req);
}

static void co__fake_completed(void *cls, struct MHD_Connection *conn,
                               void **con_cls,
                               enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    co__fake_conn_t *c = *con_cls;
    if (c == NULL)
        return;
    co__fake_request_free(c->req);
    free(c);
    *con_cls = NULL;
}

co_fake_t *co_fake_start(uint16_t port)
{
    co_fake_t *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &ca);
    pthread_condattr_destroy(&ca);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
            MHD_USE_ERROR_LOG,
        port, NULL, NULL, co__fake_access, f, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, co__fake_completed,
        f, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
    if (f->mhd == NULL) {
        fprintf(stderr, "co_fake: cannot listen on 127.0.0.1:%u\n", port);
        pthread_cond_destroy(&f->cond);
        pthread_mutex_destroy(&f->mu);
        free(f);
        return NULL;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(f->mhd, MHD_DAEMON_INFO_BIND_PORT);
    f->port = di ? di->port : port;
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", f->port);
    return f;
}

void co_fake_reset(co_fake_t *f)
{
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->log_cnt; i++)
        co__fake_request_free(f->log[i]);
    f->log_cnt = 0;
    while (f->scripts != NULL) {
        co__fake_script_t *s = f->scripts;
        f->scripts = s->next;
        co__fake_script_free(s);
    }
    pthread_mutex_unlock(&f->mu);
}

void co_fake_stop(co_fake_t *f)
{
    if (f == NULL)
        return;
    pthread_mutex_lock(&f->mu);
    f->stopping = 1;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
    MHD_stop_daemon(f->mhd);
    co_fake_reset(f);
    free(f->log);
    for (size_t i = 0; i < f->route_cnt; i++) {
        free(f->routes[i].method);
        free(f->routes[i].path);
    }
    free(f->routes);
    while (f->attached != NULL) {
        co__fake_attach_t *a = f->attached;
        f->attached = a->next;
        if (a->destroy)
            a->destroy(a->data);
        free(a);
    }
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

uint16_t co_fake_port(const co_fake_t *f)
{
    return f->port;
}

const char *co_fake_url(const co_fake_t *f)
{
    return f->url;
}

int co_fake_route(co_fake_t *f, const char *method, const char *path,
                  co_fake_handler_fn fn, void *ud)
{
    pthread_mutex_lock(&f->mu);
    co__fake_route_t *p =
        realloc(f->routes, (f->route_cnt + 1) * sizeof *f->routes);
    if (p == NULL) {
        pthread_mutex_unlock(&f->mu);
        return -1;
    }
    f->routes = p;
    co__fake_route_t *rt = &p[f->route_cnt++];
    size_t n = strlen(path);
    rt->method = co__fake_strdup(method);
    rt->prefix = n > 0 && path[n - 1] == '*';
    rt->path = strndup(path, rt->prefix ? n - 1 : n);
    rt->fn = fn;
    rt->ud = ud;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

int co_fake_push(co_fake_t *f, const co_fake_script_t *s)
{
    co__fake_script_t *n = calloc(1, sizeof *n);
    if (n == NULL)
        return -1;
    n->method = co__fake_strdup(s->method);
    n->path = co__fake_strdup(s->path);
    n->content_type = co__fake_strdup(s->content_type);
    n->body = co__fake_strdup(s->body);
    n->headers = co__fake_strdup(s->headers);
    n->status = s->status;
    n->delay_ms = s->delay_ms;
    n->drop = s->drop;
    pthread_mutex_lock(&f->mu);
    co__fake_script_t **pp = &f->scripts;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = n;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

size_t co_fake_pending(co_fake_t *f)
{
    size_t n = 0;
    pthread_mutex_lock(&f->mu);
    for (co__fake_script_t *s = f->scripts; s; s = s->next)
        n++;
    pthread_mutex_unlock(&f->mu);
    return n;
}

int co_fake_attach(co_fake_t *f, void *data, void (*destroy)(void *))
{
    co__fake_attach_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return -1;
    a->data = data;
    a->destroy = destroy;
    pthread_mutex_lock(&f->mu);
    a->next = f->attached;
    f->attached = a;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

void co_fake_log_to(co_fake_t *f, FILE *out)
{
    pthread_mutex_lock(&f->mu);
    f->log_out = out;
    pthread_mutex_unlock(&f->mu);
}

size_t co_fake_request_count(co_fake_t *f)
{
    pthread_mutex_lock(&f->mu);
    size_t n = f->log_cnt;
    pthread_mutex_unlock(&f->mu);
    return n;
}

const co_fake_request_t *co_fake_request_at(co_fake_t *f, size_t i)
{
    pthread_mutex_lock(&f->mu);
    const co_fake_request_t *r = i < f->log_cnt ? f->log[i] : NULL;
    pthread_mutex_unlock(&f->mu);
    return r;
}

const co_fake_request_t *co_fake_last_request(co_fake_t *f)
{
    pthread_mutex_lock(&f->mu);
    const co_fake_request_t *r = f->log_cnt ? f->log[f->log_cnt - 1] : NULL;
    pthread_mutex_unlock(&f->mu);
    return r;
}

int co_fake_wait_requests(co_fake_t *f, size_t n, int timeout_ms)
{
    struct timespec until = co__fake_deadline(timeout_ms);
    int rc = 0;
    pthread_mutex_lock(&f->mu);
    while (f->log_cnt < n && rc == 0)
        rc = pthread_cond_timedwait(&f->cond, &f->mu, &until);
    int ok = f->log_cnt >= n;
    pthread_mutex_unlock(&f->mu);
    return ok ? 0 : -1;
}
