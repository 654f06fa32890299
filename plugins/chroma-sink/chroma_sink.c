/**
 * @file plugins/chroma-sink/chroma_sink.c
 * @brief chroma-sink: careerops.briefing.v1 records -> a Chroma collection
 *        (HTTP API v2, WIRE.md 4), embedded with Ollama /api/embed
 *        (WIRE.md 2.4), for retrieval with `careerops ask`.
 *
 * process() validates and buffers a briefing (one entry per briefing_id;
 * a redelivered record replaces its entry). flush() looks the collection
 * up by name (GET, then POST with get_or_create and `hnsw:space` cosine
 * when missing) under the configured tenant and database, embeds the
 * buffered summaries in batches of `batch_size`, and upserts them by the
 * collection's UUID with id = briefing_id, document = summary and scalar
 * metadata. Upserts make a replay leave the record count unchanged.
 *
 * Errors: connection failures, timeouts and 5xx -> CO_RETRY (the buffer is
 * kept, nothing is lost; embeddings already computed are kept too). A 4xx
 * on a batch upsert is retried record by record; a record Chroma still
 * refuses (e.g. `Collection expecting embedding with dimension of N, got
 * M`) goes to the dead-letter topic with Chroma's message, and the rest is
 * stored. A 4xx when resolving the collection (bad database name,
 * unauthorized) or Ollama's 404 (model missing) is CO_FATAL.
 */
#include "chroma_ask.h"
#include "co_http.h"

#include <careerops/plugin.h>
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const co_host_api_t *api;

/** The stage configuration (filled by the host from chroma_options). */
typedef struct chroma_config_s {
    const char *chroma_url;
    const char *tenant;
    const char *database;
    const char *collection;
    const char *ollama_url;
    const char *embed_model;
    const char *token;
    const char *token_header;
    int64_t batch_size;
    int64_t timeout_ms;
} chroma_config_t;

/** One buffered briefing. */
typedef struct chroma_item_s {
    char *key;         /* record key copy (for the dead letter) */
    size_t key_len;    /* its length */
    char *value;       /* record value copy */
    size_t value_len;  /* its length */
    char *id;          /* briefing_id */
    char *document;    /* summary */
    json_t *metadata;  /* scalar metadata object */
    json_t *embedding; /* array, once computed */
} chroma_item_t;

typedef struct chroma_inst_s {
    const chroma_config_t *cfg;
    co_stage_t *st;
    co_http_t *http;
    char *auth;       /* token header line, or NULL */
    char coll_id[64]; /* collection UUID, "" until resolved */
    char *coll_base;  /* .../collections */
    chroma_item_t *items;
    size_t n, cap;
    char last_error[1024]; /* the last error message set */
} chroma_inst_t;

static const co_option_t chroma_options[] = {
    {CO_OPT_STR, "chroma_url", "http://127.0.0.1:8000", 0, 0, 0,
     offsetof(chroma_config_t, chroma_url), "Chroma server base URL"},
    {CO_OPT_STR, "tenant", "default_tenant", 0, 0, 0,
     offsetof(chroma_config_t, tenant), "Chroma tenant"},
    {CO_OPT_STR, "database", "default_database", 0, 0, 0,
     offsetof(chroma_config_t, database),
     "Chroma database (at least 3 characters)"},
    {CO_OPT_STR, "collection", "careerops_briefings", 0, 0, 0,
     offsetof(chroma_config_t, collection),
     "Collection name; created with cosine space when missing"},
    {CO_OPT_STR, "ollama_url", "http://127.0.0.1:11434", 0, 0, 0,
     offsetof(chroma_config_t, ollama_url), "Ollama base URL for /api/embed"},
    {CO_OPT_STR, "embed_model", "nomic-embed-text", 0, 0, 0,
     offsetof(chroma_config_t, embed_model), "Ollama embedding model"},
    {CO_OPT_STR, "token", NULL, CO_OPT_SECRET, 0, 0,
     offsetof(chroma_config_t, token),
     "Chroma auth token (e.g. ${secret:chroma_token}); unset: none"},
    {CO_OPT_STR, "token_header", "x-chroma-token", 0, 0, 0,
     offsetof(chroma_config_t, token_header),
     "How the token is sent: x-chroma-token or authorization (Bearer)"},
    {CO_OPT_INT, "batch_size", "32", 0, 1, 1000,
     offsetof(chroma_config_t, batch_size),
     "Briefings per embed and upsert request"},
    {CO_OPT_INT, "timeout_ms", "30000", 0, 100, 600000,
     offsetof(chroma_config_t, timeout_ms), "Timeout of one HTTP request"},
    {0}};

/* base (without trailing '/') + formatted path; malloc'd. */
static char *chroma_url(const char *base, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *chroma_url(const char *base, const char *fmt, ...)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    char *path = NULL, *u = NULL;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&path, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return NULL;
    if (asprintf(&u, "%.*s%s", (int)n, base, path) < 0)
        u = NULL;
    free(path);
    return u;
}

/* A path segment percent-encoded by libcurl's rules (unreserved kept). */
static char *chroma_seg(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(3 * n + 1), *p = o;
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
            *p++ = (char)c;
        else
            p += sprintf(p, "%%%02X", c);
    }
    *p = '\0';
    return o;
}

/* Chroma's rule for collection names (a real server answers 400). */
static int chroma_valid_name(const char *n)
{
    size_t len = strlen(n);
    if (len < 3 || len > 512 || !isalnum((unsigned char)n[0]) ||
        !isalnum((unsigned char)n[len - 1]))
        return 0;
    /* nor two periods in a row (Chroma's rule 4; trial 44) */
    return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") == len &&
           strstr(n, "..") == NULL;
}

/* ABI 1.2 check: `careerops validate` refuses what init() would (trial
 * 43: a malformed URL passed validate and failed run); nothing is
 * contacted. */
static co_status_t chroma_check(const void *config, char *err, size_t errsz)
{
    const chroma_config_t *cfg = config;
    char e[256];
    /* with a token, every request carries it: plain http only to
     * loopback */
    int keyed = cfg->token != NULL && cfg->token[0] != '\0';
    if (co_http_check_url_ex(cfg->chroma_url,
                             CO_BASE_URL_FLAGS | (keyed ? CO_HTTP_URL_TLS : 0),
                             e, sizeof e) != 0) {
        snprintf(err, errsz, "chroma_url: %s", e);
        return CO_FATAL;
    }
    if (co_http_check_url_ex(cfg->ollama_url, CO_BASE_URL_FLAGS, e, sizeof e) !=
        0) {
        snprintf(err, errsz, "ollama_url: %s", e);
        return CO_FATAL;
    }
    if (strcasecmp(cfg->token_header, "x-chroma-token") != 0 &&
        strcasecmp(cfg->token_header, "authorization") != 0) {
        /* the value is not echoed when it holds a line break */
        snprintf(err, errsz,
                 "token_header \"%s\": use x-chroma-token or authorization",
                 strpbrk(cfg->token_header, "\r\n") ? "(a line break)"
                                                    : cfg->token_header);
        return CO_FATAL;
    }
    if (cfg->tenant == NULL || cfg->tenant[0] == '\0') {
        snprintf(err, errsz,
                 "tenant: empty: leave it unset for Chroma's "
                 "default_tenant, or name one");
        return CO_FATAL;
    }
    /* a URL path segment: "." and ".." would walk the path, blanks and
     * control characters name nothing (trial 45) */
    int blank = 1, ctl = 0;
    for (const unsigned char *q = (const unsigned char *)cfg->tenant; *q; q++) {
        blank &= *q == ' ' || *q == '\t';
        ctl |= *q < 0x20 || *q == 0x7f;
    }
    if (strcmp(cfg->tenant, ".") == 0 || strcmp(cfg->tenant, "..") == 0 ||
        blank || ctl) {
        snprintf(err, errsz,
                 "tenant: \"%s\" is not a tenant name: name one (letters, "
                 "digits, '_', '-'), or leave it unset for default_tenant",
                 ctl ? "(a control character)" : cfg->tenant);
        return CO_FATAL;
    }
    if (strlen(cfg->database) < 3) {
        snprintf(err, errsz, "database \"%s\" must have at least 3 characters",
                 cfg->database);
        return CO_FATAL;
    }
    if (!chroma_valid_name(cfg->collection)) {
        snprintf(err, errsz,
                 "collection: \"%s\": Chroma wants 3-512 characters from "
                 "[a-zA-Z0-9._-], starting and ending with a letter or digit, "
                 "no two periods in a row",
                 cfg->collection);
        return CO_FATAL;
    }
    if (cfg->token != NULL && strpbrk(cfg->token, "\r\n") != NULL) {
        snprintf(err, errsz, "token has a line break");
        return CO_FATAL;
    }
    return CO_OK;
}

static co_status_t chroma_init(const co_host_api_t *a, co_stage_t *st,
                               const void *config, void **instance)
{
    api = a;
    const chroma_config_t *cfg = config;
    char err[512];
    if (chroma_check(cfg, err, sizeof err) != CO_OK) {
        a->set_error(st, "config", "%s", err);
        return CO_FATAL;
    }
    chroma_inst_t *in = calloc(1, sizeof *in);
    if (in == NULL)
        return CO_FATAL;
    *instance = in;
    in->cfg = cfg;
    in->st = st;
    in->http = co_http_new();
    if (in->http != NULL) /* a SIGTERM ends a request Chroma sits on */
        co_http_stop_with_host(in->http, a, st);
    char *t = chroma_seg(cfg->tenant), *d = chroma_seg(cfg->database);
    in->coll_base = chroma_url(
        cfg->chroma_url, "/api/v2/tenants/%s/databases/%s/collections", t, d);
    free(t);
    free(d);
    if (cfg->token != NULL && cfg->token[0] != '\0') {
        int rc =
            strcasecmp(cfg->token_header, "authorization") == 0
                ? asprintf(&in->auth, "Authorization: Bearer %s", cfg->token)
                : asprintf(&in->auth, "x-chroma-token: %s", cfg->token);
        if (rc < 0)
            in->auth = NULL;
    }
    if (in->http == NULL || in->coll_base == NULL) {
        a->set_error(st, "config", "out of memory");
        return CO_FATAL;
    }
    return CO_OK;
}

static void chroma_item_free(chroma_item_t *it)
{
    free(it->key);
    free(it->value);
    free(it->id);
    free(it->document);
    json_decref(it->metadata);
    json_decref(it->embedding);
    memset(it, 0, sizeof *it);
}

static void chroma_destroy(void *instance)
{
    chroma_inst_t *in = instance;
    if (in == NULL)
        return;
    for (size_t i = 0; i < in->n; i++)
        chroma_item_free(&in->items[i]);
    free(in->items);
    co_http_destroy(in->http);
    free(in->auth);
    free(in->coll_base);
    free(in);
}

/* Chroma's error text: "Name: message", or the body's start. */
static void chroma_error_text(const co_http_response_t *r, char *out, size_t n)
{
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
    const char *name = json_string_value(json_object_get(j, "error"));
    const char *msg = json_string_value(json_object_get(j, "message"));
    if (msg != NULL)
        snprintf(out, n, "%s%s%s", name ? name : "", name ? ": " : "", msg);
    else
        snprintf(out, n, "%.200s", r->body ? r->body : "");
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    json_decref(j);
}

/* Maps a failed transfer or non-2xx answer onto a status, with the error
 * set. `what` names the request. */
static co_status_t chroma_fail(chroma_inst_t *in, const co_http_response_t *r,
                               const char *what)
{
    uint32_t delay = 0;
    char m[512];
    co_status_t s = co_http_classify(r, &delay, m, sizeof m);
    if (r->fail == CO_HTTP_OK && r->status >= 400) {
        char e[400];
        chroma_error_text(r, e, sizeof e);
        snprintf(in->last_error, sizeof in->last_error, "%s: HTTP %ld: %s",
                 what, r->status, e);
        api->set_error(in->st, "chroma", "%s", in->last_error);
    } else {
        snprintf(in->last_error, sizeof in->last_error, "%s: %s", what, m);
        api->set_error(in->st, co_http_error_class(r), "%s", in->last_error);
    }
    if (s == CO_RETRY && delay > 0)
        api->retry_after(in->st, delay);
    return s == CO_OK ? CO_RETRY : s;
}

static int chroma_perform(chroma_inst_t *in, const char *method,
                          const char *url, const char *body,
                          co_http_response_t *r)
{
    const char *headers[] = {in->auth, NULL};
    co_http_request_t req = {.method = method,
                             .url = url,
                             .headers = headers,
                             .body = body,
                             .body_len = body ? strlen(body) : 0,
                             .timeout_ms = (long)in->cfg->timeout_ms};
    return co_http_perform(in->http, &req, r);
}

/* Sets in->coll_id: GET by name, else create (get_or_create, cosine). */
static co_status_t chroma_collection(chroma_inst_t *in)
{
    if (in->coll_id[0] != '\0')
        return CO_OK;
    char *name = chroma_seg(in->cfg->collection);
    char *url = chroma_url(in->coll_base, "/%s", name);
    free(name);
    co_http_response_t r;
    chroma_perform(in, "GET", url, NULL, &r);
    free(url);
    if (r.fail == CO_HTTP_OK && r.status == 404) {
        co_http_response_clear(&r);
        json_t *b =
            json_pack("{s:s,s:{s:s},s:b}", "name", in->cfg->collection,
                      "metadata", "hnsw:space", "cosine", "get_or_create", 1);
        char *text = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        chroma_perform(in, "POST", in->coll_base, text, &r);
        free(text);
    }
    co_status_t s = CO_OK;
    if (r.fail == CO_HTTP_OK && r.status == 200) {
        json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (id == NULL || strlen(id) >= sizeof in->coll_id) {
            api->set_error(in->st, "parse",
                           "Chroma collection answer without an id");
            s = CO_RETRY;
        } else {
            snprintf(in->coll_id, sizeof in->coll_id, "%s", id);
            api->log(in->st, CO_LOG_INFO, "collection %s is %s",
                     in->cfg->collection, in->coll_id);
        }
        json_decref(j);
    } else {
        char what[300];
        snprintf(what, sizeof what, "Chroma collection %s/%s/%s",
                 in->cfg->tenant, in->cfg->database, in->cfg->collection);
        s = chroma_fail(in, &r, what);
        if (s == CO_FAIL)
            s = CO_FATAL; /* a configuration problem, not the record's */
    }
    co_http_response_clear(&r);
    return s;
}

/* Embeds items [from, to) that have no embedding yet. */
static co_status_t chroma_embed(chroma_inst_t *in, size_t from, size_t to)
{
    json_t *input = json_array();
    for (size_t i = from; i < to; i++)
        if (in->items[i].embedding == NULL)
            json_array_append_new(input, json_string(in->items[i].document));
    if (json_array_size(input) == 0) {
        json_decref(input);
        return CO_OK;
    }
    json_t *b =
        json_pack("{s:s,s:o}", "model", in->cfg->embed_model, "input", input);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    char *url = chroma_url(in->cfg->ollama_url, "/api/embed");
    co_http_response_t r;
    co_http_post_json(in->http, url, text, NULL, (long)in->cfg->timeout_ms, &r);
    free(text);
    co_status_t s = CO_OK;
    if (r.fail == CO_HTTP_OK && r.status == 200) {
        json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
        json_t *embs = json_object_get(j, "embeddings");
        size_t k = 0;
        for (size_t i = from; i < to; i++) {
            if (in->items[i].embedding != NULL)
                continue;
            json_t *e = json_array_get(embs, k++);
            if (!json_is_array(e) || json_array_size(e) == 0) {
                api->set_error(in->st, "parse",
                               "Ollama %s: expected one embedding per input",
                               url);
                s = CO_RETRY;
                break;
            }
            in->items[i].embedding = json_incref(e);
        }
        json_decref(j);
        api->metric_add(in->st, "embed_requests", 1);
    } else if (r.fail == CO_HTTP_OK && r.status == 404) {
        char e[400];
        chroma_error_text(&r, e, sizeof e);
        api->set_error(in->st, "model",
                       "Ollama %s: %s (run `ollama pull %s` or set "
                       "embed_model)",
                       url, e, in->cfg->embed_model);
        s = CO_FATAL;
    } else {
        s = chroma_fail(in, &r, "Ollama /api/embed");
        if (s == CO_FAIL)
            s = CO_FATAL; /* our request is wrong for every record */
    }
    free(url);
    co_http_response_clear(&r);
    return s;
}

/* Upserts items [from, to). CO_FAIL: Chroma refused them (4xx), error set
 * and in->last_error holds it. A deleted collection is resolved again on
 * the next flush (CO_RETRY). */
static co_status_t chroma_upsert(chroma_inst_t *in, size_t from, size_t to)
{
    json_t *ids = json_array(), *embs = json_array(), *docs = json_array(),
           *metas = json_array();
    for (size_t i = from; i < to; i++) {
        json_array_append_new(ids, json_string(in->items[i].id));
        json_array_append(embs, in->items[i].embedding);
        json_array_append_new(docs, json_string(in->items[i].document));
        json_array_append(metas, in->items[i].metadata);
    }
    json_t *b = json_pack("{s:o,s:o,s:o,s:o}", "ids", ids, "embeddings", embs,
                          "documents", docs, "metadatas", metas);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    char *url = chroma_url(in->coll_base, "/%s/upsert", in->coll_id);
    co_http_response_t r;
    chroma_perform(in, "POST", url, text, &r);
    free(text);
    free(url);
    co_status_t s = CO_OK;
    if (r.fail == CO_HTTP_OK && r.status >= 200 && r.status < 300) {
        api->metric_add(in->st, "upserted", (double)(to - from));
    } else if (r.fail == CO_HTTP_OK && r.status == 404) {
        /* the collection was deleted meanwhile: resolve it again */
        in->coll_id[0] = '\0';
        chroma_fail(in, &r, "Chroma upsert");
        s = CO_RETRY;
    } else {
        s = chroma_fail(in, &r, "Chroma upsert");
    }
    co_http_response_clear(&r);
    return s;
}

/* Drops items [0, k) from the buffer. */
static void chroma_shift(chroma_inst_t *in, size_t k)
{
    for (size_t i = 0; i < k; i++)
        chroma_item_free(&in->items[i]);
    memmove(in->items, in->items + k, (in->n - k) * sizeof *in->items);
    in->n -= k;
}

/* Sends the dead letter of the first buffered item with in->last_error
 * and drops it. */
static void chroma_dead_first(chroma_inst_t *in)
{
    chroma_item_t *it = &in->items[0];
    co_record_t dl = CO_RECORD_INIT;
    dl.key = it->key;
    dl.key_len = it->key_len;
    dl.value = it->value;
    dl.value_len = it->value_len;
    api->log(in->st, CO_LOG_WARN, "briefing %s dead-lettered: %s", it->id,
             in->last_error);
    api->dead_letter(in->st, &dl, "chroma", in->last_error);
    api->metric_add(in->st, "dead_lettered", 1);
    chroma_shift(in, 1);
}

static co_status_t chroma_flush(void *instance)
{
    chroma_inst_t *in = instance;
    co_status_t s = in->n > 0 ? chroma_collection(in) : CO_OK;
    while (s == CO_OK && in->n > 0) {
        size_t to = in->n < (size_t)in->cfg->batch_size
                        ? in->n
                        : (size_t)in->cfg->batch_size;
        s = chroma_embed(in, 0, to);
        if (s == CO_OK)
            s = chroma_upsert(in, 0, to);
        if (s == CO_OK) {
            chroma_shift(in, to);
        } else if (s == CO_FAIL) {
            /* Isolate the refused records: one by one; the ones Chroma
             * still rejects go to the dead-letter topic. */
            if (to == 1) {
                chroma_dead_first(in);
                s = CO_OK;
                continue;
            }
            for (size_t i = 0; i < to; i++) {
                s = chroma_upsert(in, 0, 1);
                if (s == CO_OK)
                    chroma_shift(in, 1);
                else if (s == CO_FAIL)
                    chroma_dead_first(in);
                else
                    break;
                s = CO_OK;
            }
        }
    }
    api->metric_set(in->st, "buffered", (double)in->n);
    return s;
}

/* The scalar metadata Chroma stores with a briefing. */
static json_t *chroma_metadata(json_t *b)
{
    json_t *m = json_object();
    json_t *ev = json_object_get(b, "event");
    struct {
        const char *name;
        json_t *v;
    } f[] = {
        {"company", json_object_get(b, "company")},
        {"role", json_object_get(b, "role")},
        {"event_type", json_object_get(ev, "event_type")},
        {"event_key", json_object_get(ev, "key")},
        {"scheduled_date", json_object_get(ev, "scheduled_date")},
        {"generated_at", json_object_get(b, "generated_at")},
        {"generator_model",
         json_object_get(json_object_get(b, "generator"), "model")},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (json_is_string(f[i].v)) /* Chroma metadata: no nulls */
            json_object_set(m, f[i].name, f[i].v);
    /* Chroma metadata values are scalars: the URLs as one string, one per
     * line. */
    char *urls = NULL;
    size_t len = 0, n = 0;
    FILE *u = open_memstream(&urls, &len);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(b, "sources"), i, s)
    {
        const char *url = json_string_value(json_object_get(s, "url"));
        if (url != NULL)
            fprintf(u, "%s%s", n++ ? "\n" : "", url);
    }
    fclose(u);
    json_object_set_new(m, "source_urls", json_string(urls));
    json_object_set_new(m, "source_count", json_integer((json_int_t)n));
    free(urls);
    json_object_set_new(m, "schema", json_string("careerops.briefing.v1"));
    return m;
}

static co_status_t chroma_process(void *instance, const co_record_t *rec)
{
    chroma_inst_t *in = instance;
    json_error_t je;
    json_t *b =
        rec->value ? json_loadb(rec->value, rec->value_len, 0, &je) : NULL;
    const char *schema = json_string_value(json_object_get(b, "schema"));
    const char *id = json_string_value(json_object_get(b, "briefing_id"));
    const char *summary = json_string_value(json_object_get(b, "summary"));
    if (!json_is_object(b) || schema == NULL ||
        strcmp(schema, "careerops.briefing.v1") != 0 || id == NULL ||
        id[0] == '\0' || summary == NULL || summary[0] == '\0') {
        api->set_error(in->st, "schema",
                       "input is not a careerops.briefing.v1 record with a "
                       "briefing_id and a summary (%s)",
                       b == NULL ? je.text : "missing or wrong fields");
        json_decref(b);
        return CO_FAIL;
    }
    size_t slot = in->n;
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(in->items[i].id, id) == 0)
            slot = i; /* redelivered: replace */
    if (slot == in->n) {
        if (in->n == in->cap) {
            size_t cap = in->cap ? in->cap * 2 : 16;
            chroma_item_t *p = realloc(in->items, cap * sizeof *p);
            if (p == NULL) {
                json_decref(b);
                api->set_error(in->st, "memory", "out of memory");
                return CO_RETRY;
            }
            in->items = p;
            in->cap = cap;
        }
        in->n++;
    } else {
        chroma_item_free(&in->items[slot]);
    }
    chroma_item_t *it = &in->items[slot];
    memset(it, 0, sizeof *it);
    it->key = malloc(rec->key_len + 1);
    it->value = malloc(rec->value_len + 1);
    if (it->key != NULL && rec->key != NULL)
        memcpy(it->key, rec->key, rec->key_len);
    if (it->key != NULL)
        it->key[rec->key_len] = '\0';
    it->key_len = rec->key ? rec->key_len : 0;
    if (it->value != NULL) {
        memcpy(it->value, rec->value, rec->value_len);
        it->value[rec->value_len] = '\0';
    }
    it->value_len = rec->value_len;
    it->id = strdup(id);
    it->document = strdup(summary);
    it->metadata = chroma_metadata(b);
    json_decref(b);
    api->metric_set(in->st, "buffered", (double)in->n);
    return CO_OK;
}

static int chroma_ask_run(const co_host_api_t *a, int argc, char **argv)
{
    if (!CO_API_HAS(a, stage_config)) {
        fprintf(stderr, "error: `ask` needs a host of plugin ABI 1.1 or "
                        "newer: upgrade careerops\n");
        return 1;
    }
    return chroma_cmd_ask(a, chroma_options, argc, argv);
}

/* Commands of `careerops` this plugin provides (ABI 1.1). */
static const co_command_t chroma_commands[] = {
    {"ask", CHROMA_ASK_HELP, chroma_ask_run},
    {NULL, NULL, NULL},
};

static const co_plugin_t chroma_desc = {
    CO_PLUGIN_HEADER,
    .name = "chroma-sink",
    .version = "1.0.0",
    .description = "Stores briefings in a Chroma collection (HTTP API v2) "
                   "with Ollama embeddings, for retrieval with careerops ask.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SINK,
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* reads no input header */
    .options = chroma_options,
    .config_size = sizeof(chroma_config_t),
    .init = chroma_init,
    .check = chroma_check, /* URLs, names, token (ABI 1.2) */
    .process = chroma_process,
    .flush = chroma_flush,
    .destroy = chroma_destroy,
    .commands = chroma_commands,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    api = a;
    return &chroma_desc;
}
