/**
 * @file plugins/tavily-researcher/tavily_researcher.c
 * @brief tavily-researcher: careerops.event.v1 (INTERVIEW, OFFER,
 *        ASSESSMENT) -> careerops.briefing.v1, from a Tavily news search
 *        and a general search on the company, synthesized by Ollama (or an
 *        extractive digest), with citations restricted to the result URLs.
 *
 * Costs: search results are cached per company in the state store for
 * `cache_ttl_s` (on the host clock), each topic separately, so a second
 * event for the same company within the TTL, or a retry after one of the
 * two searches failed, pays nothing. Every briefing is kept in the state
 * store under its event key and the event is claimed with idem_begin()/
 * idem_commit(): a replay re-emits the stored briefing without any call.
 *
 * Errors: Tavily 429 -> RETRY (Retry-After, else backoff 1 s doubling to
 * 60 s); 432/433 (plan or pay-as-you-go limit) -> FATAL with the message;
 * 401/403 -> FATAL (key); 5xx, timeouts, connection failures -> RETRY;
 * other 4xx -> FAIL (dead letter). Ollama 404 (model) -> FATAL.
 */
#include "co_http.h"
#include "tavily_brief.h"

#include <careerops/plugin.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

static const co_host_api_t *api;

/** The stage configuration (filled by the host from tavily_options). */
typedef struct tavily_config_s {
    const char *api_key;
    const char *base_url;
    const char *search_depth;
    int64_t max_results;
    int64_t news_days;
    const char *const *include_domains;
    const char *const *exclude_domains;
    const char *ollama_url;
    const char *model;
    int64_t cache_ttl_s;
    int64_t timeout_ms;
    int64_t chat_timeout_ms;
} tavily_config_t;

typedef struct tavily_inst_s {
    const tavily_config_t *cfg;
    co_stage_t *st;
    co_http_t *http;
    co_http_t *http2;  /* the second of two concurrent searches */
    char *auth_header; /* "Authorization: Bearer ..." */
    int backoff_n;     /* consecutive 429s without Retry-After */
} tavily_inst_t;

static const co_option_t tavily_options[] = {
    {CO_OPT_STR, "api_key", NULL, CO_OPT_REQUIRED | CO_OPT_SECRET, 0, 0,
     offsetof(tavily_config_t, api_key),
     "Tavily API key (tvly-...), sent as a Bearer token; use "
     "${secret:tavily_api_key}"},
    {CO_OPT_STR, "base_url", "https://api.tavily.com", 0, 0, 0,
     offsetof(tavily_config_t, base_url), "Tavily API base URL"},
    {CO_OPT_STR, "search_depth", "basic", 0, 0, 0,
     offsetof(tavily_config_t, search_depth),
     "Tavily search_depth: basic (1 credit) or advanced (2 credits)"},
    {CO_OPT_INT, "max_results", "5", 0, 0, 20,
     offsetof(tavily_config_t, max_results),
     "Results per search (each of the news and general searches), 0..20"},
    {CO_OPT_INT, "news_days", "30", 0, 1, 365,
     offsetof(tavily_config_t, news_days),
     "How many days back the news search looks"},
    {CO_OPT_STRLIST, "include_domains", NULL, 0, 0, 0,
     offsetof(tavily_config_t, include_domains),
     "Only search these domains (empty: all)"},
    {CO_OPT_STRLIST, "exclude_domains", NULL, 0, 0, 0,
     offsetof(tavily_config_t, exclude_domains),
     "Never return results from these domains"},
    {CO_OPT_STR, "ollama_url", NULL, 0, 0, 0,
     offsetof(tavily_config_t, ollama_url),
     "Ollama base URL for the synthesized briefing; unset: an extractive "
     "digest of the results"},
    {CO_OPT_STR, "model", "llama3.2:3b", 0, 0, 0,
     offsetof(tavily_config_t, model), "Ollama chat model"},
    {CO_OPT_INT, "cache_ttl_s", "86400", 0, 0, 31536000,
     offsetof(tavily_config_t, cache_ttl_s),
     "Seconds a company's search results are reused (0: never cached)"},
    {CO_OPT_INT, "timeout_ms", "30000", 0, 100, 600000,
     offsetof(tavily_config_t, timeout_ms), "Timeout of one Tavily request"},
    {CO_OPT_INT, "chat_timeout_ms", "120000", 0, 100, 1800000,
     offsetof(tavily_config_t, chat_timeout_ms),
     "Timeout of one Ollama chat request"},
    {0}};

/* ABI 1.2 check: `careerops validate` refuses what init() would (trial
 * 43); nothing is contacted, the key is never printed. */
/* A domain name as Tavily's include/exclude_domains take it: labels of
 * letters, digits and '-' (or any byte >= 0x80, an IDN) joined by single
 * dots, no leading or trailing dot (trial 45: "a..com", ".", ".x.com"
 * passed). */
/* 1 when s holds a blank or a control character (a tab, a line break:
 * trial 46; a space, C1 as UTF-8: trial 47). */
static int tavily_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f ||
            (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return 1;
    return 0;
}

static int tavily_domain_ok(const char *d)
{
    if (d == NULL || d[0] == '\0')
        return 0;
    size_t n = strlen(d);
    if (n > 1 && d[n - 1] == '.')
        n--; /* a fully qualified name: "x.com." (trial 46) */
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            /* no empty label, none ending with '-' */
            if (label == 0 || d[i - 1] == '-')
                return 0;
            label = 0;
        } else if (isalnum(c) || c >= 0x80 || c == '_' ||
                   (c == '-' && label > 0)) /* none starting with '-' */
            label++;
        else
            return 0;
    }
    return label > 0 && d[n - 1] != '-';
}

static co_status_t tavily_check(const void *config, char *err, size_t errsz)
{
    const tavily_config_t *cfg = config;
    char e[256];
    /* every request carries the API key: plain http only to loopback */
    if (co_http_check_url_ex(cfg->base_url, CO_BASE_URL_FLAGS | CO_HTTP_URL_TLS,
                             e, sizeof e) != 0) {
        snprintf(err, errsz, "base_url: %s", e);
        return CO_FATAL;
    }
    if (cfg->ollama_url != NULL && cfg->ollama_url[0] != '\0' &&
        co_http_check_url_ex(cfg->ollama_url, CO_BASE_URL_FLAGS, e, sizeof e) !=
            0) {
        snprintf(err, errsz, "ollama_url: %s", e);
        return CO_FATAL;
    }
    /* Tavily knows these two; the model is Ollama's (trial 44: "deep" and
     * an empty model passed validate) */
    if (cfg->search_depth == NULL ||
        (strcmp(cfg->search_depth, "basic") != 0 &&
         strcmp(cfg->search_depth, "advanced") != 0)) {
        snprintf(err, errsz,
                 "search_depth: \"%.40s\" is unknown: use \"basic\" (the "
                 "default) or \"advanced\"",
                 cfg->search_depth ? cfg->search_depth : "");
        return CO_FATAL;
    }
    if (cfg->model == NULL || cfg->model[0] == '\0' ||
        strspn(cfg->model, " \t") == strlen(cfg->model) ||
        tavily_has_control(cfg->model)) {
        /* blank or with a line break (trial 45) */
        snprintf(
            err, errsz,
            "model: empty, blank or with a control character: name an Ollama "
            "model such as \"llama3.2:3b\" (the default)");
        return CO_FATAL;
    }
    for (int k = 0; k < 2; k++) {
        const char *const *l = k ? cfg->exclude_domains : cfg->include_domains;
        for (size_t i = 0; l != NULL && l[i] != NULL; i++)
            if (!tavily_domain_ok(l[i])) {
                snprintf(err, errsz,
                         "%s: \"%.60s\" is not a domain name: give names "
                         "such as \"news.example.com\"",
                         k ? "exclude_domains" : "include_domains", l[i]);
                return CO_FATAL;
            }
    }
    if (cfg->api_key == NULL || cfg->api_key[0] == '\0' ||
        strpbrk(cfg->api_key, "\r\n") != NULL) {
        snprintf(err, errsz,
                 "api_key: empty or has a line break: put the key in the "
                 "secret file tavily_api_key and set \"api_key\": "
                 "\"${secret:tavily_api_key}\"");
        return CO_FATAL;
    }
    return CO_OK;
}

static co_status_t tavily_init(const co_host_api_t *a, co_stage_t *st,
                               const void *config, void **instance)
{
    api = a;
    const tavily_config_t *cfg = config;
    char err[512];
    if (tavily_check(cfg, err, sizeof err) != CO_OK) {
        a->set_error(st, "config", "%s", err);
        return CO_FATAL;
    }
    if (sodium_init() < 0) {
        a->set_error(st, "config", "libsodium failed to initialise");
        return CO_FATAL;
    }
    tavily_inst_t *in = calloc(1, sizeof *in);
    if (in == NULL)
        return CO_FATAL;
    *instance = in;
    in->cfg = cfg;
    in->st = st;
    in->http = co_http_new();
    in->http2 = co_http_new();
    if (in->http == NULL || in->http2 == NULL ||
        asprintf(&in->auth_header, "Authorization: Bearer %s", cfg->api_key) <
            0) {
        in->auth_header = NULL;
        a->set_error(st, "config", "out of memory");
        return CO_FATAL;
    }
    /* a SIGTERM ends a search the server sits on */
    co_http_stop_with_host(in->http, a, st);
    co_http_stop_with_host(in->http2, a, st);
    return CO_OK;
}

static void tavily_destroy(void *instance)
{
    tavily_inst_t *in = instance;
    if (in == NULL)
        return;
    co_http_destroy(in->http);
    co_http_destroy(in->http2);
    if (in->auth_header != NULL)
        sodium_memzero(in->auth_header, strlen(in->auth_header));
    free(in->auth_header);
    free(in);
}

/* URL = base (without trailing '/') + path; malloc'd. */
static char *tavily_url(const char *base, const char *path)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    char *u = NULL;
    return asprintf(&u, "%.*s%s", (int)n, base, path) < 0 ? NULL : u;
}

/* One Tavily search request: what is sent and what came back. The request
 * part touches no host API, so two of them can run at once. */
typedef struct tavily_req_s {
    tavily_inst_t *in;
    const tavily_event_t *ev;
    const char *topic;
    co_http_t *http;
    co_http_response_t r;
} tavily_req_t;

/* Send q's search and wait for the answer (in q->r). Thread-safe for
 * requests with different http handles. */
static void tavily_request(tavily_req_t *q)
{
    const tavily_config_t *c = q->in->cfg;
    tavily_search_opts_t o = {c->search_depth, (int)c->max_results,
                              (int)c->news_days, c->include_domains,
                              c->exclude_domains};
    char *query = tavily_query(q->ev, q->topic);
    json_t *body = tavily_search_body(&o, q->topic, query);
    char *text = json_dumps(body, JSON_COMPACT);
    char *url = tavily_url(c->base_url, "/search");
    const char *headers[] = {q->in->auth_header, NULL};
    co_http_post_json(q->http, url, text, headers, (long)c->timeout_ms, &q->r);
    free(query);
    free(text);
    json_decref(body);
    free(url);
}

static void *tavily_request_thread(void *arg)
{
    tavily_request(arg);
    return NULL;
}

/* The answer of one search; *results is set on CO_OK, *limited on a 429
 * (the backoff without Retry-After doubles per attempt, not per search). */
static co_status_t tavily_answer(tavily_inst_t *in, const char *topic,
                                 co_http_response_t r, json_t **results,
                                 int *limited)
{
    api->metric_add(in->st, "tavily_requests", 1);
    co_status_t s;
    char *msg =
        r.fail == CO_HTTP_OK ? tavily_error_text(r.body, r.body_len) : NULL;
    if (r.fail == CO_HTTP_OK && r.status == 200) {
        char err[300];
        *results = tavily_parse_results(r.body, r.body_len, err, sizeof err);
        if (*results == NULL) {
            api->set_error(in->st, "parse", "Tavily %s search: %s", topic, err);
            s = CO_RETRY;
        } else {
            s = CO_OK;
        }
    } else if (r.fail == CO_HTTP_OK && r.status == 429) {
        uint32_t delay;
        if (r.retry_after_ms >= 0) {
            delay = (uint32_t)r.retry_after_ms;
        } else {
            int n = in->backoff_n < 6 ? in->backoff_n : 6;
            delay = 1000u << n;
            if (delay > 60000)
                delay = 60000;
        }
        *limited = 1;
        api->metric_add(in->st, "tavily_rate_limited", 1);
        api->set_error(in->st, "rate_limit", "Tavily 429 (retry in %u ms): %s",
                       delay, msg);
        api->retry_after(in->st, delay);
        s = CO_RETRY;
    } else if (r.fail == CO_HTTP_OK && (r.status == 432 || r.status == 433)) {
        api->set_error(
            in->st, "quota", "Tavily %ld: %s (%s; the stage stops until %s)",
            r.status, msg,
            r.status == 432 ? "the API key's plan limit is exceeded"
                            : "the pay-as-you-go spending limit is exceeded",
            r.status == 432 ? "the plan is upgraded or its credits renew"
                            : "the limit is raised in the Tavily dashboard");
        s = CO_FATAL;
    } else if (r.fail == CO_HTTP_OK && (r.status == 401 || r.status == 403)) {
        api->set_error(in->st, "auth",
                       "Tavily %ld: %s (check the secret behind api_key, "
                       "e.g. secrets/tavily_api_key)",
                       r.status, msg);
        s = CO_FATAL;
    } else {
        uint32_t delay = 0;
        char m[512];
        s = co_http_classify(&r, &delay, m, sizeof m);
        api->set_error(in->st, co_http_error_class(&r), "Tavily %s search: %s",
                       topic, m);
        if (s == CO_RETRY && delay > 0)
            api->retry_after(in->st, delay);
        if (s == CO_OK) { /* another 2xx: not a search answer */
            api->set_error(in->st, "parse", "Tavily answered %ld to a search",
                           r.status);
            s = CO_RETRY;
        }
    }
    free(msg);
    co_http_response_clear(&r);
    return s;
}

/* The cache key of a topic's results for ev's company (malloc), or NULL
 * (error set). */
static char *tavily_cache_key(tavily_inst_t *in, const tavily_event_t *ev,
                              const char *topic)
{
    char *norm = tavily_company_norm(ev->company);
    char *key = NULL;
    if (norm == NULL || asprintf(&key, "cache:%s:%s", topic, norm) < 0) {
        key = NULL;
        api->set_error(in->st, "memory", "out of memory");
    }
    free(norm);
    return key;
}

/* Cached results of `key` into *results (left NULL when none or stale).
 * Returns CO_OK, or CO_RETRY when the state store is unreachable. */
static co_status_t tavily_cached(tavily_inst_t *in, const char *key,
                                 int64_t now, json_t **results)
{
    char *val = NULL;
    size_t len = 0;
    int rc = api->state_get(in->st, key, &val, &len);
    if (rc == 0 && in->cfg->cache_ttl_s > 0) {
        json_t *c = json_loadb(val, len, 0, NULL);
        json_t *at = json_object_get(c, "at");
        json_t *res = json_object_get(c, "results");
        if (json_is_integer(at) && json_is_array(res) &&
            now - json_integer_value(at) < in->cfg->cache_ttl_s * 1000 &&
            now >= json_integer_value(at)) {
            *results = json_incref(res);
            api->metric_add(in->st, "cache_hits", 1);
        }
        json_decref(c);
    }
    api->free(val);
    if (rc < 0 && rc != CO_ERR_NOTFOUND) {
        api->set_error(in->st, "state", "state store unreachable (%s)", key);
        return CO_RETRY;
    }
    return CO_OK;
}

static void tavily_cache_put(tavily_inst_t *in, const char *key, int64_t now,
                             json_t *results)
{
    if (in->cfg->cache_ttl_s <= 0)
        return;
    json_t *c =
        json_pack("{s:I,s:O}", "at", (json_int_t)now, "results", results);
    char *text = json_dumps(c, JSON_COMPACT);
    /* A failed put only costs a later search; not an error. */
    if (api->state_put(in->st, key, text, strlen(text)) != 0)
        api->log(in->st, CO_LOG_WARN, "could not cache %s", key);
    free(text);
    json_decref(c);
}

/* The news and the general search results for ev's company, from the
 * per-company cache or Tavily. The searches that are not cached run at
 * the same time (one on a helper thread, each with its own connection),
 * so a briefing waits for the slower search, not for the sum. Both are
 * answered and cached even when one fails; the news search's error is the
 * one reported. */
static co_status_t tavily_results(tavily_inst_t *in, const tavily_event_t *ev,
                                  json_t **news, json_t **general)
{
    static const char *const topics[2] = {"news", "general"};
    json_t **res[2] = {news, general};
    char *key[2] = {NULL, NULL};
    tavily_req_t q[2] = {{0}};
    co_status_t st[2] = {CO_OK, CO_OK}, s = CO_OK;
    int64_t now = api->now_ms(in->st);
    int want[2] = {0, 0};
    for (int i = 0; i < 2 && s == CO_OK; i++) {
        key[i] = tavily_cache_key(in, ev, topics[i]);
        s = key[i] ? tavily_cached(in, key[i], now, res[i]) : CO_RETRY;
        want[i] = *res[i] == NULL;
        q[i] = (tavily_req_t){in, ev, topics[i], i ? in->http2 : in->http, {0}};
    }
    if (s == CO_OK) {
        pthread_t th;
        int threaded =
            want[0] && want[1] &&
            pthread_create(&th, NULL, tavily_request_thread, &q[1]) == 0;
        for (int i = 0; i < 2; i++)
            if (want[i] && !(i == 1 && threaded))
                tavily_request(&q[i]);
        if (threaded)
            pthread_join(th, NULL);
        /* general first, so that a failed news search's error stands */
        int limited = 0;
        for (int i = 1; i >= 0; i--) {
            if (!want[i])
                continue;
            st[i] = tavily_answer(in, topics[i], q[i].r, res[i], &limited);
            if (st[i] == CO_OK)
                tavily_cache_put(in, key[i], now, *res[i]);
        }
        s = st[0] != CO_OK ? st[0] : st[1];
        in->backoff_n = limited      ? in->backoff_n + 1
                        : s == CO_OK ? 0
                                     : in->backoff_n;
    }
    free(key[0]);
    free(key[1]);
    return s;
}

/* The Ollama briefing text (unfiltered) into *out. */
static co_status_t tavily_chat(tavily_inst_t *in, const tavily_event_t *ev,
                               json_t *news, json_t *general, char **out)
{
    const tavily_config_t *c = in->cfg;
    json_t *body = tavily_chat_body(c->model, ev, news, general);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char *url = tavily_url(c->ollama_url, "/api/chat");
    co_http_response_t r;
    co_http_post_json(in->http, url, text, NULL, (long)c->chat_timeout_ms, &r);
    free(text);
    api->metric_add(in->st, "chat_requests", 1);
    co_status_t s = CO_OK;
    json_t *root = NULL;
    if (r.fail == CO_HTTP_OK && r.status == 404) {
        json_t *e = json_loadb(r.body, r.body_len, 0, NULL);
        const char *m = json_string_value(json_object_get(e, "error"));
        api->set_error(in->st, "model",
                       "Ollama %s: %s (run `ollama pull %s` or set model)", url,
                       m ? m : "404", c->model);
        json_decref(e);
        s = CO_FATAL;
    } else if (r.fail == CO_HTTP_OK && r.status == 200) {
        root = json_loadb(r.body, r.body_len, 0, NULL);
        const char *content = json_string_value(
            json_object_get(json_object_get(root, "message"), "content"));
        if (content == NULL || content[0] == '\0') {
            api->set_error(in->st, "parse",
                           "Ollama %s answered without message.content", url);
            s = CO_RETRY;
        } else {
            *out = strdup(content);
        }
    } else {
        uint32_t delay = 0;
        char m[512];
        s = co_http_classify(&r, &delay, m, sizeof m);
        if (s == CO_OK)
            s = CO_RETRY;
        api->set_error(in->st, co_http_error_class(&r), "Ollama %s: %s", url,
                       m);
        if (s == CO_RETRY && delay > 0)
            api->retry_after(in->st, delay);
    }
    json_decref(root);
    free(url);
    co_http_response_clear(&r);
    return s;
}

static int tavily_emit(tavily_inst_t *in, const char *key, size_t key_len,
                       const char *value, size_t value_len)
{
    co_record_t out = CO_RECORD_INIT;
    out.key = key;
    out.key_len = key_len;
    out.value = value;
    out.value_len = value_len;
    return api->emit(in->st, &out);
}

/* Re-emits the stored briefing of an event already handled. 1: done,
 * 0: none stored, -1: error set (RETRY). */
static int tavily_reemit(tavily_inst_t *in, const char *brief_key,
                         const char *key, size_t key_len)
{
    char *val = NULL;
    size_t len = 0;
    int rc = api->state_get(in->st, brief_key, &val, &len);
    if (rc == CO_ERR_NOTFOUND)
        return 0;
    if (rc < 0) {
        api->set_error(in->st, "state", "state store unreachable");
        return -1;
    }
    rc = tavily_emit(in, key, key_len, val, len);
    api->free(val);
    if (rc != 0) {
        api->set_error(in->st, "kafka", "emit failed (%d)", rc);
        return -1;
    }
    api->metric_add(in->st, "briefings_replayed", 1);
    return 1;
}

static const char *tavily_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static co_status_t tavily_process(void *instance, const co_record_t *rec)
{
    tavily_inst_t *in = instance;
    json_error_t je;
    json_t *root =
        rec->value ? json_loadb(rec->value, rec->value_len, 0, &je) : NULL;
    if (!json_is_object(root)) {
        api->set_error(in->st, "parse",
                       "input is not a careerops.event.v1 JSON object (%s)",
                       root ? "not an object" : je.text);
        json_decref(root);
        return CO_FAIL;
    }
    tavily_event_t ev = {0};
    ev.event_type = tavily_str(root, "event_type");
    ev.company = tavily_str(root, "company");
    ev.role = tavily_str(root, "role");
    ev.scheduled_date = tavily_str(root, "scheduled_date");
    char *key = rec->key ? strndup(rec->key, rec->key_len) : NULL;
    if (key == NULL || key[0] == '\0') {
        free(key);
        const char *k = tavily_str(json_object_get(root, "email"), "key");
        key = k ? strdup(k) : NULL;
    }
    ev.key = key;
    if (ev.event_type == NULL || (strcmp(ev.event_type, "INTERVIEW") != 0 &&
                                  strcmp(ev.event_type, "OFFER") != 0 &&
                                  strcmp(ev.event_type, "ASSESSMENT") != 0)) {
        /* Normally filtered by the stage's `when`; nothing to research. */
        api->metric_add(in->st, "skipped", 1);
        free(key);
        json_decref(root);
        return CO_OK;
    }
    if (ev.company == NULL) {
        api->log(in->st, CO_LOG_INFO, "%s event %s has no company: no briefing",
                 ev.event_type, key ? key : "(no key)");
        api->metric_add(in->st, "skipped_no_company", 1);
        free(key);
        json_decref(root);
        return CO_OK;
    }
    if (key == NULL) {
        api->set_error(in->st, "schema",
                       "event has neither a record key nor email.key");
        json_decref(root);
        return CO_FAIL;
    }

    co_status_t s = CO_OK;
    char *idem = NULL, *brief_key = NULL, *summary = NULL, *raw = NULL;
    char *text = NULL;
    json_t *news = NULL, *general = NULL, *sources = NULL, *brief = NULL;
    if (asprintf(&idem, "briefing:%s", key) < 0 ||
        asprintf(&brief_key, "brief:%s", key) < 0) {
        s = CO_RETRY;
        goto out;
    }
    int claim = api->idem_begin(in->st, idem);
    if (claim < 0) {
        api->set_error(in->st, "state", "idempotency store unreachable");
        s = CO_RETRY;
        goto out;
    }
    if (claim == CO_IDEM_DONE || claim == CO_IDEM_PENDING) {
        int r = tavily_reemit(in, brief_key, key, strlen(key));
        if (r < 0) {
            s = CO_RETRY;
            goto out;
        }
        if (r == 1) {
            if (claim == CO_IDEM_PENDING && api->idem_commit(in->st, idem) != 0)
                s = CO_RETRY;
            goto out;
        }
        /* Claimed but no briefing stored: build it (the cache still
         * spares the searches made before). */
    }
    s = tavily_results(in, &ev, &news, &general);
    if (s != CO_OK)
        goto out;
    sources = tavily_sources(news, general);
    int use_chat = in->cfg->ollama_url != NULL && in->cfg->ollama_url[0];
    if (use_chat)
        s = tavily_chat(in, &ev, news, general, &raw);
    else
        raw = tavily_digest(&ev, news, general);
    if (s != CO_OK)
        goto out;
    size_t dropped = 0;
    summary = tavily_filter_urls(raw, sources, &dropped);
    if (dropped > 0) {
        api->metric_add(in->st, "citations_dropped", (double)dropped);
        api->log(in->st, CO_LOG_WARN,
                 "briefing for %s: dropped %zu URL(s) that are not search "
                 "results",
                 ev.company, dropped);
    }
    unsigned char hash[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    char *seed = NULL;
    if (asprintf(&seed, "careerops.briefing.v1\n%s", key) < 0) {
        s = CO_RETRY;
        goto out;
    }
    crypto_hash_sha256(hash, (const unsigned char *)seed, strlen(seed));
    free(seed);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    brief = tavily_briefing(hex, &ev, summary, sources, api->now_ms(in->st),
                            use_chat ? in->cfg->model : NULL);
    text = json_dumps(brief, JSON_COMPACT);
    if (api->state_put(in->st, brief_key, text, strlen(text)) != 0) {
        api->set_error(in->st, "state", "could not store the briefing");
        s = CO_RETRY;
        goto out;
    }
    if (tavily_emit(in, key, strlen(key), text, strlen(text)) != 0) {
        api->set_error(in->st, "kafka", "emit failed");
        s = CO_RETRY;
        goto out;
    }
    if (api->idem_commit(in->st, idem) != 0)
        api->log(in->st, CO_LOG_WARN,
                 "idem_commit failed for %s (a replay re-emits the stored "
                 "briefing)",
                 key);
    api->metric_add(in->st, "briefings", 1);
out:
    free(idem);
    free(brief_key);
    free(summary);
    free(raw);
    free(text);
    json_decref(news);
    json_decref(general);
    json_decref(sources);
    json_decref(brief);
    free(key);
    json_decref(root);
    return s;
}

static const co_plugin_t tavily_desc = {
    CO_PLUGIN_HEADER,
    .name = "tavily-researcher",
    .version = "1.0.0",
    .description = "Company briefings for interview, offer and assessment "
                   "events from Tavily searches, synthesized by Ollama with "
                   "citations restricted to the results.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* reads no input header */
    .options = tavily_options,
    .config_size = sizeof(tavily_config_t),
    .init = tavily_init,
    .check = tavily_check, /* URLs, api_key (ABI 1.2) */
    .process = tavily_process,
    .destroy = tavily_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    api = a;
    return &tavily_desc;
}
