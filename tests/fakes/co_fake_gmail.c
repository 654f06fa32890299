/**
 * @file tests/fakes/co_fake_gmail.c
 * @brief The fake Gmail API and OAuth token endpoint (see co_fake_gmail.h).
 */
#include "co_fake_gmail.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define FG_FIRST_HISTORY 1000ULL
#define FG_MAX_KINDS     16

typedef struct fg_msg_s {
    char id[32];
    unsigned char *raw;
    size_t len;
    uint64_t hid;
    char *label;
} fg_msg_t;

typedef struct fg_err_s {
    int status;
    char *reason;
    char *message;
} fg_err_t;

struct co_fake_gmail_s {
    pthread_mutex_t mu;
    fg_msg_t *msgs;
    size_t cnt, cap;
    uint64_t hid;     /* newest history id */
    uint64_t min_hid; /* oldest valid startHistoryId */
    int padded;
    int token_gen;
    unsigned long token_seq;
    int revoked;
    int expires_in;
    int64_t watch_exp;
    int get_delay_ms;
    int token_delay_ms; /* refresh_token grants */
    fg_err_t *errs;
    size_t err_cnt;
    char kinds[FG_MAX_KINDS][16];
    size_t counts[FG_MAX_KINDS];
    char verifier[160];
};

static void fg_count(co_fake_gmail_t *g, const char *kind)
{
    for (int i = 0; i < FG_MAX_KINDS; i++) {
        if (g->kinds[i][0] == '\0')
            snprintf(g->kinds[i], sizeof g->kinds[i], "%s", kind);
        if (strcmp(g->kinds[i], kind) == 0) {
            g->counts[i]++;
            return;
        }
    }
}

size_t co_fake_gmail_count(co_fake_gmail_t *g, const char *kind)
{
    size_t n = 0;
    pthread_mutex_lock(&g->mu);
    for (int i = 0; i < FG_MAX_KINDS; i++)
        if (strcmp(g->kinds[i], kind) == 0)
            n = g->counts[i];
    pthread_mutex_unlock(&g->mu);
    return n;
}

static void fg_free(void *p)
{
    co_fake_gmail_t *g = p;
    for (size_t i = 0; i < g->cnt; i++) {
        free(g->msgs[i].raw);
        free(g->msgs[i].label);
    }
    for (size_t i = 0; i < g->err_cnt; i++) {
        free(g->errs[i].reason);
        free(g->errs[i].message);
    }
    free(g->errs);
    free(g->msgs);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

void co_fake_gmail_id(long index, char *buf, size_t size)
{
    snprintf(buf, size, "18f0%08lx", (unsigned long)index);
}

long co_fake_gmail_add(co_fake_gmail_t *g, const void *raw, size_t len,
                       const char *label)
{
    pthread_mutex_lock(&g->mu);
    long idx = -1;
    if (g->cnt == g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 64;
        fg_msg_t *m = realloc(g->msgs, nc * sizeof *m);
        if (m == NULL)
            goto out;
        g->msgs = m;
        g->cap = nc;
    }
    fg_msg_t *m = &g->msgs[g->cnt];
    memset(m, 0, sizeof *m);
    m->raw = malloc(len + 1);
    if (m->raw == NULL)
        goto out;
    memcpy(m->raw, raw, len);
    m->len = len;
    m->label = label ? strdup(label) : NULL;
    idx = (long)g->cnt;
    co_fake_gmail_id(idx, m->id, sizeof m->id);
    m->hid = ++g->hid;
    g->cnt++;
out:
    pthread_mutex_unlock(&g->mu);
    return idx;
}

void co_fake_gmail_add_generated(co_fake_gmail_t *g, int n)
{
    static const char *const cos[] = {"Fictional Widgets", "Example Labs",
                                      "Nowhere Analytics", "Imaginary Soft"};
    for (int i = 0; i < n; i++) {
        size_t k = co_fake_gmail_message_count(g);
        char buf[1024];
        int len =
            snprintf(buf, sizeof buf,
                     "From: Casey Recruiter <talent@%zu.fictional.example>\r\n"
                     "To: Jordan Doe <jordan.doe@example.com>\r\n"
                     "Subject: Interview invitation %zu at %s\r\n"
                     "Date: Mon, 06 Jan 2025 %02zu:%02zu:00 +0000\r\n"
                     "Message-ID: <gen-%zu@fake-gmail.example>\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                     "Hello Jordan,\r\n\r\nWe would like to invite you to an "
                     "interview (message %zu).\r\n",
                     k, k, cos[k % 4], (k / 60) % 24, k % 60, k, k);
        co_fake_gmail_add(g, buf, (size_t)len, NULL);
    }
}

size_t co_fake_gmail_message_count(co_fake_gmail_t *g)
{
    pthread_mutex_lock(&g->mu);
    size_t n = g->cnt;
    pthread_mutex_unlock(&g->mu);
    return n;
}

uint64_t co_fake_gmail_history_id(co_fake_gmail_t *g)
{
    pthread_mutex_lock(&g->mu);
    uint64_t h = g->hid;
    pthread_mutex_unlock(&g->mu);
    return h;
}

#define FG_SET(name, field, type)                                              \
    void co_fake_gmail_##name(co_fake_gmail_t *g, type v)                      \
    {                                                                          \
        pthread_mutex_lock(&g->mu);                                            \
        g->field = v;                                                          \
        pthread_mutex_unlock(&g->mu);                                          \
    }
FG_SET(set_padded, padded, int)
FG_SET(set_expires_in, expires_in, int)
FG_SET(set_watch_expiration, watch_exp, int64_t)
FG_SET(set_get_delay, get_delay_ms, int)
FG_SET(set_token_delay, token_delay_ms, int)

void co_fake_gmail_expire_history(co_fake_gmail_t *g)
{
    pthread_mutex_lock(&g->mu);
    g->min_hid = g->hid + 1;
    pthread_mutex_unlock(&g->mu);
}

void co_fake_gmail_expire_tokens(co_fake_gmail_t *g)
{
    pthread_mutex_lock(&g->mu);
    g->token_gen++;
    pthread_mutex_unlock(&g->mu);
}

void co_fake_gmail_revoke(co_fake_gmail_t *g)
{
    pthread_mutex_lock(&g->mu);
    g->revoked = 1;
    pthread_mutex_unlock(&g->mu);
}

void co_fake_gmail_push_error(co_fake_gmail_t *g, int status,
                              const char *reason, const char *message)
{
    pthread_mutex_lock(&g->mu);
    fg_err_t *e = realloc(g->errs, (g->err_cnt + 1) * sizeof *e);
    if (e != NULL) {
        g->errs = e;
        e[g->err_cnt].status = status;
        e[g->err_cnt].reason = strdup(reason ? reason : "backendError");
        e[g->err_cnt].message = strdup(message ? message : "Backend Error");
        g->err_cnt++;
    }
    pthread_mutex_unlock(&g->mu);
}

void co_fake_gmail_last_verifier(co_fake_gmail_t *g, char *buf, size_t size)
{
    pthread_mutex_lock(&g->mu);
    snprintf(buf, size, "%s", g->verifier);
    pthread_mutex_unlock(&g->mu);
}

/* ---- replies ------------------------------------------------------------ */

static void fg_reply(co_fake_reply_t *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    co_fake_reply_set(r, status, "application/json; charset=UTF-8", s);
    free(s);
    json_decref(j);
}

/* The Gmail error envelope (WIRE.md 1.7). */
static void fg_error(co_fake_reply_t *r, int status, const char *reason,
                     const char *message, const char *st)
{
    fg_reply(r, status,
             json_pack("{s:{s:i,s:s,s:[{s:s,s:s,s:s}],s:s}}", "error", "code",
                       status, "message", message, "errors", "message", message,
                       "domain", status == 403 ? "usageLimits" : "global",
                       "reason", reason, "status", st));
}

/* A field of a form-encoded body, unescaped into a new string, or NULL. */
static char *fg_form(const char *body, const char *name)
{
    size_t nl = strlen(name);
    const char *p = body;
    while (p != NULL && *p != '\0') {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            char *v = strndup(p + nl + 1, seg - nl - 1);
            for (char *c = v; *c; c++)
                if (*c == '+')
                    *c = ' ';
            v[MHD_http_unescape(v)] = '\0';
            return v;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static void fg_issue(co_fake_gmail_t *g, json_t *o)
{
    char tok[96];
    snprintf(tok, sizeof tok, "ya29.fake-%d-%lu", g->token_gen, ++g->token_seq);
    json_object_set_new(o, "access_token", json_string(tok));
    json_object_set_new(o, "expires_in", json_integer(g->expires_in));
    json_object_set_new(
        o, "scope",
        json_string("https://www.googleapis.com/auth/gmail.readonly"));
    json_object_set_new(o, "token_type", json_string("Bearer"));
}

static void fg_token(co_fake_t *f, const co_fake_request_t *req,
                     co_fake_reply_t *r, void *ud)
{
    (void)f;
    co_fake_gmail_t *g = ud;
    char *gt = fg_form(req->body, "grant_type");
    char *cid = fg_form(req->body, "client_id");
    char *sec = fg_form(req->body, "client_secret");
    char *rt = fg_form(req->body, "refresh_token");
    char *code = fg_form(req->body, "code");
    char *ver = fg_form(req->body, "code_verifier");
    char *redir = fg_form(req->body, "redirect_uri");
    const char *ct = co_fake_request_header(req, "Content-Type");
    pthread_mutex_lock(&g->mu);
    fg_count(g, "token");
    if (ct == NULL ||
        strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        fg_reply(r, 400,
                 json_pack("{s:s,s:s}", "error", "invalid_request",
                           "error_description",
                           "Content-Type must be "
                           "application/x-www-form-urlencoded"));
    } else if (gt == NULL) {
        fg_reply(r, 400,
                 json_pack("{s:s,s:s}", "error", "invalid_request",
                           "error_description",
                           "Missing required parameter: grant_type"));
    } else if (cid == NULL || strcmp(cid, CO_FAKE_GMAIL_CLIENT_ID) != 0 ||
               sec == NULL || strcmp(sec, CO_FAKE_GMAIL_CLIENT_SECRET) != 0) {
        fg_reply(r, 401,
                 json_pack("{s:s,s:s}", "error", "invalid_client",
                           "error_description",
                           "The OAuth client was not found."));
    } else if (strcmp(gt, "refresh_token") == 0) {
        fg_count(g, "token_refresh");
        r->delay_ms = g->token_delay_ms;
        if (rt == NULL)
            fg_reply(r, 400,
                     json_pack("{s:s,s:s}", "error", "invalid_request",
                               "error_description",
                               "Missing required parameter: refresh_token"));
        else if (g->revoked || strcmp(rt, CO_FAKE_GMAIL_REFRESH_TOKEN) != 0)
            fg_reply(r, 400,
                     json_pack("{s:s,s:s}", "error", "invalid_grant",
                               "error_description",
                               "Token has been expired or revoked."));
        else {
            json_t *o = json_object();
            fg_issue(g, o);
            fg_reply(r, 200, o);
        }
    } else if (strcmp(gt, "authorization_code") == 0) {
        fg_count(g, "token_code");
        size_t vl = ver ? strlen(ver) : 0;
        if (code == NULL || code[0] == '\0' || redir == NULL || vl < 43 ||
            vl > 128) {
            fg_reply(r, 400,
                     json_pack("{s:s,s:s}", "error", "invalid_grant",
                               "error_description",
                               "Missing code, redirect_uri or a valid "
                               "code_verifier."));
        } else {
            snprintf(g->verifier, sizeof g->verifier, "%s", ver);
            json_t *o = json_object();
            fg_issue(g, o);
            json_object_set_new(o, "refresh_token",
                                json_string(CO_FAKE_GMAIL_REFRESH_TOKEN));
            fg_reply(r, 200, o);
        }
    } else {
        fg_reply(r, 400, json_pack("{s:s}", "error", "unsupported_grant_type"));
    }
    pthread_mutex_unlock(&g->mu);
    free(gt), free(cid), free(sec), free(rt), free(code), free(ver),
        free(redir);
}

static int fg_authorized(co_fake_gmail_t *g, const co_fake_request_t *req)
{
    const char *a = co_fake_request_header(req, "Authorization");
    char want[64];
    snprintf(want, sizeof want, "Bearer ya29.fake-%d-", g->token_gen);
    return a != NULL && strncmp(a, want, strlen(want)) == 0;
}

static int fg_has_label(const fg_msg_t *m, const co_fake_request_t *req)
{
    for (size_t i = 0; i < req->arg_cnt; i++) {
        if (strcmp(req->args[i].name, "labelIds") != 0 &&
            strcmp(req->args[i].name, "labelId") != 0)
            continue;
        const char *l = req->args[i].value;
        if (strcmp(l, "INBOX") != 0 &&
            (m->label == NULL || strcmp(m->label, l) != 0))
            return 0;
    }
    return 1;
}

static size_t fg_arg_size(const co_fake_request_t *req, const char *name,
                          size_t def)
{
    const char *v = co_fake_request_arg(req, name);
    long n = v ? atol(v) : 0;
    return n > 0 ? (size_t)n : def;
}

static void fg_list(co_fake_gmail_t *g, const co_fake_request_t *req,
                    co_fake_reply_t *r)
{
    fg_count(g, "list");
    size_t max = fg_arg_size(req, "maxResults", 100);
    const char *pt = co_fake_request_arg(req, "pageToken");
    size_t skip = pt ? (size_t)atol(pt + (pt[0] == 'p')) : 0;
    json_t *arr = json_array();
    size_t seen = 0, total = 0;
    int more = 0;
    for (size_t i = g->cnt; i-- > 0;) { /* newest first */
        fg_msg_t *m = &g->msgs[i];
        if (!fg_has_label(m, req))
            continue;
        total++;
        if (seen++ < skip)
            continue;
        if (json_array_size(arr) == max) {
            more = 1;
            continue;
        }
        json_array_append_new(
            arr, json_pack("{s:s,s:s}", "id", m->id, "threadId", m->id));
    }
    json_t *o = json_object();
    if (json_array_size(arr) > 0)
        json_object_set_new(o, "messages", arr);
    else
        json_decref(arr);
    if (more) {
        char tok[32];
        snprintf(tok, sizeof tok, "p%zu", skip + max);
        json_object_set_new(o, "nextPageToken", json_string(tok));
    }
    json_object_set_new(o, "resultSizeEstimate", json_integer((long)total));
    fg_reply(r, 200, o);
}

static void fg_get(co_fake_gmail_t *g, const char *id,
                   const co_fake_request_t *req, co_fake_reply_t *r)
{
    fg_count(g, "get");
    r->delay_ms = g->get_delay_ms;
    const char *fmt = co_fake_request_arg(req, "format");
    for (size_t i = 0; i < g->cnt; i++) {
        fg_msg_t *m = &g->msgs[i];
        if (strcmp(m->id, id) != 0)
            continue;
        if (fmt == NULL || strcmp(fmt, "raw") != 0) {
            fg_error(r, 400, "invalidArgument",
                     "this fake serves format=raw only", "INVALID_ARGUMENT");
            return;
        }
        int var = g->padded ? sodium_base64_VARIANT_URLSAFE
                            : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
        size_t bl = sodium_base64_encoded_len(m->len, var);
        char *b = malloc(bl);
        sodium_bin2base64(b, bl, m->raw, m->len, var);
        char hid[24], date[24];
        snprintf(hid, sizeof hid, "%llu", (unsigned long long)m->hid);
        snprintf(date, sizeof date, "%llu",
                 1736150400000ULL + (unsigned long long)i * 60000ULL);
        json_t *labels = json_pack("[s]", "INBOX");
        if (m->label)
            json_array_append_new(labels, json_string(m->label));
        fg_reply(r, 200,
                 json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:i,s:s}", "id", m->id,
                           "threadId", m->id, "labelIds", labels, "snippet",
                           "Hello", "historyId", hid, "internalDate", date,
                           "sizeEstimate", (int)m->len, "raw", b));
        free(b);
        return;
    }
    fg_error(r, 404, "notFound", "Requested entity was not found.",
             "NOT_FOUND");
}

static void fg_history(co_fake_gmail_t *g, const co_fake_request_t *req,
                       co_fake_reply_t *r)
{
    fg_count(g, "history");
    const char *s = co_fake_request_arg(req, "startHistoryId");
    char *end = NULL;
    unsigned long long start = s ? strtoull(s, &end, 10) : 0;
    if (s == NULL || end == s || *end != '\0') {
        fg_error(r, 400, "invalidArgument",
                 "Missing/invalid parameter: startHistoryId",
                 "INVALID_ARGUMENT");
        return;
    }
    if (start < g->min_hid) {
        fg_error(r, 404, "notFound", "Requested entity was not found.",
                 "NOT_FOUND");
        return;
    }
    size_t max = fg_arg_size(req, "maxResults", 100);
    const char *pt = co_fake_request_arg(req, "pageToken");
    size_t skip = pt ? (size_t)atol(pt + (pt[0] == 'h')) : 0;
    json_t *arr = json_array();
    size_t seen = 0;
    int more = 0;
    for (size_t i = 0; i < g->cnt; i++) { /* ascending */
        fg_msg_t *m = &g->msgs[i];
        if (m->hid <= start || !fg_has_label(m, req))
            continue;
        if (seen++ < skip)
            continue;
        if (json_array_size(arr) == max) {
            more = 1;
            break;
        }
        char hid[24];
        snprintf(hid, sizeof hid, "%llu", (unsigned long long)m->hid);
        json_array_append_new(
            arr, json_pack("{s:s,s:[{s:s,s:s}],s:[{s:{s:s,s:s,s:[s]}}]}", "id",
                           hid, "messages", "id", m->id, "threadId", m->id,
                           "messagesAdded", "message", "id", m->id, "threadId",
                           m->id, "labelIds", "INBOX"));
    }
    char cur[24];
    snprintf(cur, sizeof cur, "%llu", (unsigned long long)g->hid);
    json_t *o = json_pack("{s:s}", "historyId", cur);
    if (json_array_size(arr) > 0)
        json_object_set_new(o, "history", arr);
    else
        json_decref(arr);
    if (more) {
        char tok[32];
        snprintf(tok, sizeof tok, "h%zu", skip + max);
        json_object_set_new(o, "nextPageToken", json_string(tok));
    }
    fg_reply(r, 200, o);
}

static void fg_api(co_fake_t *f, const co_fake_request_t *req,
                   co_fake_reply_t *r, void *ud)
{
    (void)f;
    co_fake_gmail_t *g = ud;
    pthread_mutex_lock(&g->mu);
    /* /gmail/v1/users/{u}/rest */
    const char *rest = req->path + strlen("/gmail/v1/users/");
    rest = strchr(rest, '/');
    if (!fg_authorized(g, req)) {
        fg_count(g, "unauthorized");
        fg_error(r, 401, "authError",
                 "Request had invalid authentication credentials. Expected "
                 "OAuth 2 access token, login cookie or other valid "
                 "authentication credential.",
                 "UNAUTHENTICATED");
    } else if (g->err_cnt > 0) {
        fg_count(g, "injected");
        fg_err_t e = g->errs[0];
        memmove(g->errs, g->errs + 1, --g->err_cnt * sizeof *g->errs);
        fg_error(r, e.status, e.reason, e.message,
                 e.status == 429 || e.status == 403 ? "RESOURCE_EXHAUSTED"
                                                    : "UNAVAILABLE");
        free(e.reason);
        free(e.message);
    } else if (rest == NULL) {
        fg_error(r, 404, "notFound", "Not Found", "NOT_FOUND");
    } else if (strcmp(rest, "/profile") == 0) {
        fg_count(g, "profile");
        char cur[24];
        snprintf(cur, sizeof cur, "%llu", (unsigned long long)g->hid);
        fg_reply(r, 200,
                 json_pack("{s:s,s:i,s:i,s:s}", "emailAddress",
                           "jordan.doe@example.com", "messagesTotal",
                           (int)g->cnt, "threadsTotal", (int)g->cnt,
                           "historyId", cur));
    } else if (strcmp(rest, "/messages") == 0) {
        fg_list(g, req, r);
    } else if (strncmp(rest, "/messages/", 10) == 0) {
        fg_get(g, rest + 10, req, r);
    } else if (strcmp(rest, "/history") == 0) {
        fg_history(g, req, r);
    } else if (strcmp(rest, "/watch") == 0 &&
               strcmp(req->method, "POST") == 0) {
        fg_count(g, "watch");
        json_t *b = json_loads(req->body, 0, NULL);
        if (!json_is_string(json_object_get(b, "topicName"))) {
            fg_error(r, 400, "invalidArgument", "Invalid topicName",
                     "INVALID_ARGUMENT");
        } else {
            int64_t exp = g->watch_exp;
            if (exp == 0) {
                struct timeval tv;
                gettimeofday(&tv, NULL);
                exp = (int64_t)tv.tv_sec * 1000 + 7LL * 86400000;
            }
            char cur[24], es[24];
            snprintf(cur, sizeof cur, "%llu", (unsigned long long)g->hid);
            snprintf(es, sizeof es, "%lld", (long long)exp);
            fg_reply(
                r, 200,
                json_pack("{s:s,s:s}", "historyId", cur, "expiration", es));
        }
        json_decref(b);
    } else if (strcmp(rest, "/stop") == 0) {
        fg_count(g, "stop");
        co_fake_reply_set(r, 204, "", "");
    } else {
        fg_error(r, 404, "notFound", "Not Found", "NOT_FOUND");
    }
    pthread_mutex_unlock(&g->mu);
}

static void fg_admin(co_fake_t *f, const co_fake_request_t *req,
                     co_fake_reply_t *r, void *ud)
{
    (void)f;
    co_fake_gmail_t *g = ud;
    const char *what = req->path + strlen("/_fake/gmail/");
    if (strcmp(what, "add") == 0) {
        const char *n = co_fake_request_arg(req, "n");
        co_fake_gmail_add_generated(g, n ? atoi(n) : 1);
    } else if (strcmp(what, "expire-history") == 0) {
        co_fake_gmail_expire_history(g);
    } else if (strcmp(what, "expire-tokens") == 0) {
        co_fake_gmail_expire_tokens(g);
    } else if (strcmp(what, "revoke") == 0) {
        co_fake_gmail_revoke(g);
    } else if (strcmp(what, "counts") != 0) {
        co_fake_reply_error(r, 404, "unknown admin action");
        return;
    }
    pthread_mutex_lock(&g->mu);
    json_t *o = json_object();
    for (int i = 0; i < FG_MAX_KINDS && g->kinds[i][0]; i++)
        json_object_set_new(o, g->kinds[i], json_integer((long)g->counts[i]));
    json_object_set_new(o, "messages", json_integer((long)g->cnt));
    pthread_mutex_unlock(&g->mu);
    fg_reply(r, 200, o);
}

co_fake_gmail_t *co_fake_gmail_install(co_fake_t *f)
{
    if (sodium_init() < 0)
        return NULL;
    co_fake_gmail_t *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    pthread_mutex_init(&g->mu, NULL);
    g->hid = FG_FIRST_HISTORY;
    g->padded = 1;
    g->expires_in = 3599;
    if (co_fake_attach(f, g, fg_free) != 0) {
        fg_free(g);
        return NULL;
    }
    if (co_fake_route(f, "POST", "/token", fg_token, g) != 0 ||
        co_fake_route(f, NULL, "/gmail/v1/users/*", fg_api, g) != 0 ||
        co_fake_route(f, NULL, "/_fake/gmail/*", fg_admin, g) != 0)
        return NULL;
    return g;
}
