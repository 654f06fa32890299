/**
 * @file plugins/gmail-source/gmail_source.c
 * @brief gmail-source: the user's Gmail (API v1, format=raw) into
 *        careerops.email.v1 records, with OAuth 2.0 refresh tokens, a full
 *        sync followed by incremental history syncs, rate-limit backoff, a
 *        per-user quota token bucket and an optional Pub/Sub push trigger.
 *
 * Sync position (state key "sync", written with api->source_offset() so it
 * is stored only after every record before it is acknowledged):
 *   {"mode":"full","page_token":"..."|null,"start_history_id":"N",
 *    "claims":["gmail:<id>",...]}
 *   {"mode":"incr","history_id":"N","claims":[...]}
 * A full sync reads messages.list page by page (one page per poll) and
 * saves the next page token after each page; it then continues with
 * history.list from the history id read from users.getProfile before the
 * first page. A 404 from history.list (id too old) starts a full sync again.
 *
 * Duplicates: each Gmail id is claimed with api->idem_begin("gmail:<id>")
 * before it is fetched; the claims are committed only once the position
 * saved after them (which lists them) is seen in the state store, so
 * acknowledged, by this process or, after a crash, the next one. A claim
 * that is DONE is skipped (a resync emits nothing twice); a PENDING one
 * (a crash before acknowledgement) is fetched and emitted again, carrying
 * the same key.
 *
 * Threading: the stage worker drives the instance; the push listener runs
 * on libmicrohttpd's thread and only sets atomics.
 */
#include "co_readfile.h"
#include "co_sealed.h"
#include "gmail_auth.h"
#include "co_http.h"
#include "co_mail.h"
#include "co_mail_source.h"
#include "co_redact.h"
#include "gmail_util.h"

#include <careerops/plugin.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GMAIL_STATE_KEY   "sync"
#define GMAIL_REAUTH_HINT "run `careerops auth gmail` again"

/* Quota units per method (WIRE.md 1.8; profile 1 and watch 100 from the
 * same quota table). */
#define GMAIL_UNITS_GET     5
#define GMAIL_UNITS_LIST    5
#define GMAIL_UNITS_HISTORY 2
#define GMAIL_UNITS_PROFILE 1
#define GMAIL_UNITS_WATCH   100

static const co_host_api_t *gmail_api;

/** Configuration filled by the host from the option table. */
typedef struct gmail_cfg_s {
    const char *token_url;
    const char *api_base;
    const char *user_id;
    const char *query;
    const char *const *label_ids;
    int64_t poll_interval_ms;
    const char *client_id_secret;
    const char *client_secret_secret;
    const char *refresh_token_file;
    const char *refresh_token_key_secret;
    int64_t max_results;
    int64_t batch;
    double quota_units_per_second;
    double quota_burst;
    int64_t token_refresh_margin_ms;
    int64_t backoff_initial_ms;
    int64_t backoff_max_ms;
    int64_t timeout_ms;
    co_mail_source_cfg_t mail; /* shared: limits, archive */
    int once;
    const char *push_listen;
    const char *push_port_file;
    const char *watch_topic;
    int64_t watch_renew_before_ms;
} gmail_cfg_t;

static const co_option_t gmail_options[] = {
    {CO_OPT_STR, "token_url", "https://oauth2.googleapis.com/token", 0, 0, 0,
     offsetof(gmail_cfg_t, token_url),
     "OAuth 2.0 token endpoint used to turn the refresh token into access "
     "tokens."},
    {CO_OPT_STR, "api_base", "https://gmail.googleapis.com/gmail/v1", 0, 0, 0,
     offsetof(gmail_cfg_t, api_base),
     "Gmail API v1 base URL (without /users)."},
    {CO_OPT_STR, "user_id", "me", 0, 0, 0, offsetof(gmail_cfg_t, user_id),
     "Gmail user id; \"me\" is the authorized account."},
    {CO_OPT_STR, "query", "newer_than:7d", 0, 0, 0,
     offsetof(gmail_cfg_t, query),
     "Gmail search query of the first (full) sync, as typed in Gmail's "
     "search box; empty for all mail."},
    {CO_OPT_STRLIST, "label_ids", NULL, 0, 0, 0,
     offsetof(gmail_cfg_t, label_ids),
     "Label ids a message must all carry (e.g. [\"INBOX\"]); history syncs "
     "filter on the first one."},
    {CO_OPT_INT, "poll_interval_ms", "30000", 0, 100, 86400000,
     offsetof(gmail_cfg_t, poll_interval_ms),
     "Time between incremental syncs, in milliseconds (a push notification "
     "starts one at once)."},
    {CO_OPT_STR, "client_id_secret", "gmail_client_id", 0, 0, 0,
     offsetof(gmail_cfg_t, client_id_secret),
     "Name of the secret holding the OAuth client id."},
    {CO_OPT_STR, "client_secret_secret", "gmail_client_secret", 0, 0, 0,
     offsetof(gmail_cfg_t, client_secret_secret),
     "Name of the secret holding the OAuth client secret."},
    {CO_OPT_STR, "refresh_token_file", NULL, CO_OPT_REQUIRED | CO_OPT_PATH, 0,
     0, offsetof(gmail_cfg_t, refresh_token_file),
     "The sealed refresh token file written by `careerops auth gmail "
     "--token-out`."},
    {CO_OPT_STR, "refresh_token_key_secret", "gmail_token_key", 0, 0, 0,
     offsetof(gmail_cfg_t, refresh_token_key_secret),
     "Name of the secret holding the 64-hex-digit key that opens the sealed "
     "refresh token (the --key-file of `careerops auth gmail`)."},
    {CO_OPT_INT, "max_results", "100", 0, 1, 500,
     offsetof(gmail_cfg_t, max_results),
     "Page size of messages.list and history.list (Gmail allows 1..500)."},
    {CO_OPT_INT, "batch", "50", 0, 1, 500, offsetof(gmail_cfg_t, batch),
     "Messages fetched per poll; a page continues on the next poll (keeps "
     "each poll short so the stage stops promptly)."},
    {CO_OPT_DOUBLE, "quota_units_per_second", "250", 0, 0.001, 1000000,
     offsetof(gmail_cfg_t, quota_units_per_second),
     "Per-user quota refill rate in units per second (Gmail: 15000 units "
     "per minute; get/list cost 5, history.list 2)."},
    {CO_OPT_DOUBLE, "quota_burst", "250", 0, 1, 1000000,
     offsetof(gmail_cfg_t, quota_burst),
     "Quota units that may be spent at once before the bucket throttles."},
    {CO_OPT_INT, "token_refresh_margin_ms", "60000", 0, 0, 3600000,
     offsetof(gmail_cfg_t, token_refresh_margin_ms),
     "An access token is refreshed this long before its expires_in ends."},
    {CO_OPT_INT, "backoff_initial_ms", "1000", 0, 1, 3600000,
     offsetof(gmail_cfg_t, backoff_initial_ms),
     "First wait after a rate limit or server error without a retry time; "
     "doubles per consecutive failure."},
    {CO_OPT_INT, "backoff_max_ms", "60000", 0, 1, 86400000,
     offsetof(gmail_cfg_t, backoff_max_ms),
     "Longest exponential backoff wait, in milliseconds."},
    {CO_OPT_INT, "timeout_ms", "30000", 0, 100, 600000,
     offsetof(gmail_cfg_t, timeout_ms), "Timeout of one HTTP request, ms."},
    CO_MAIL_SOURCE_OPTIONS(gmail_cfg_t, mail),
    {CO_OPT_BOOL, "once", "false", 0, 0, 0, offsetof(gmail_cfg_t, once),
     "true: end the stage (EOF) after one complete sync (cron-style runs, "
     "tests); false: keep syncing every poll_interval_ms."},
    {CO_OPT_STR, "push_listen", NULL, 0, 0, 0,
     offsetof(gmail_cfg_t, push_listen),
     "127.0.0.1:PORT on which to receive Pub/Sub push notifications (port 0: "
     "any free port); each one starts a sync at once. Put a TLS reverse "
     "proxy in front for Google."},
    {CO_OPT_STR, "push_port_file", NULL, CO_OPT_PATH, 0, 0,
     offsetof(gmail_cfg_t, push_port_file),
     "With push_listen: write the listening port to this file."},
    {CO_OPT_STR, "watch_topic", NULL, 0, 0, 0,
     offsetof(gmail_cfg_t, watch_topic),
     "Pub/Sub topic (projects/P/topics/T) for users.watch; the watch is "
     "renewed before it expires. Unset: no watch."},
    {CO_OPT_INT, "watch_renew_before_ms", "86400000", 0, 0, 604800000,
     offsetof(gmail_cfg_t, watch_renew_before_ms),
     "Renew the users.watch this long before its expiration."},
    {0},
};

enum { GMAIL_FULL = 1, GMAIL_INCR = 2, GMAIL_IDLE = 3 };

/** A growable list of strings. */
typedef struct gmail_strv_s {
    char **v;
    size_t n, cap;
} gmail_strv_t;

/** One stage instance. */
typedef struct gmail_s {
    co_stage_t *st;
    const gmail_cfg_t *cfg;
    co_http_t *http;
    co_mail_source_t *ms; /* normalize -> archive -> record */
    char *client_id, *client_secret, *refresh_token;
    char token[4096];
    int64_t token_exp_ms;
    gmail_bucket_t bucket;
    int fails;        /* consecutive rate-limit/server failures */
    long last_status; /* HTTP status of the last API call (0: none) */

    int loaded;
    int mode;
    uint64_t hid;     /* full: history id at its start; incr/idle: stored */
    uint64_t new_hid; /* incr: history id of the last page */
    char *page_token; /* full: current page; incr: current history page */
    char *next_token; /* next page of the loaded page */
    int page_loaded;
    gmail_strv_t ids; /* ids of the loaded page */
    size_t id_i;
    int synced_once;
    int64_t next_sync_ms;

    gmail_strv_t unc_cur;   /* claimed since the last saved position */
    gmail_strv_t unc_saved; /* claimed before pending_pos */
    char *pending_pos;      /* last position handed to source_offset() */

    struct MHD_Daemon *mhd;
    atomic_int trigger;
    atomic_ullong push_hid;
    int64_t watch_exp_ms;
    int64_t boundary_since_ms; /* waiting for a page's position since */
} gmail_t;

/* ---- small helpers ------------------------------------------------------ */

static int gmail_strv_add(gmail_strv_t *s, const char *x)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        char **v = realloc(s->v, nc * sizeof *v);
        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = nc;
    }
    s->v[s->n] = strdup(x);
    return s->v[s->n++] ? 0 : -1;
}

static void gmail_strv_clear(gmail_strv_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    s->n = 0;
}

static void gmail_strv_free(gmail_strv_t *s)
{
    gmail_strv_clear(s);
    free(s->v);
    s->v = NULL;
    s->cap = 0;
}

static void gmail_set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? strdup(src) : NULL;
}

/* Append "&name=<escaped value>" to a memstream. */
static void gmail_param(FILE *f, const char *name, const char *value)
{
    char *e = curl_easy_escape(NULL, value, 0);
    fprintf(f, "%s%s=%s", ftell(f) > 0 ? "&" : "", name, e ? e : "");
    curl_free(e);
}

/* ---- OAuth ---------------------------------------------------------------*/

static co_status_t gmail_refresh(gmail_t *g)
{
    char *form = NULL;
    size_t fl = 0;
    FILE *f = open_memstream(&form, &fl);
    gmail_param(f, "grant_type", "refresh_token");
    gmail_param(f, "client_id", g->client_id);
    gmail_param(f, "client_secret", g->client_secret);
    gmail_param(f, "refresh_token", g->refresh_token);
    fclose(f);
    co_http_request_t rq = {.method = "POST",
                            .url = g->cfg->token_url,
                            .body = form,
                            .body_len = fl,
                            .content_type = "application/x-www-form-urlencoded",
                            .timeout_ms = (long)g->cfg->timeout_ms};
    co_http_response_t rs;
    co_http_perform(g->http, &rq, &rs);
    sodium_memzero(form, fl);
    free(form);
    gmail_api->metric_add(g->st, "token_requests", 1);
    co_status_t st = CO_OK;
    gmail_err_t e;
    gmail_parse_error(rs.body, &e);
    char why[1024]; /* its `error` and `error_description`, never the body */
    gmail_err_shown(&e, why, sizeof why);
    char shown[512]; /* the URL as messages name it: no password */
    co_redact(shown, sizeof shown, g->cfg->token_url);
    if (rs.fail == CO_HTTP_STOPPED) {
        /* not a token problem: the stage ends, the next run asks again */
        gmail_api->set_error(g->st, "stopping",
                             "stopped while requesting an access token from "
                             "the token endpoint %s: the stage is stopping",
                             shown);
        st = CO_RETRY;
    } else if (rs.status == 200) {
        json_t *j = json_loads(rs.body, 0, NULL);
        const char *at = json_string_value(json_object_get(j, "access_token"));
        json_int_t exp = json_integer_value(json_object_get(j, "expires_in"));
        if (at == NULL || strlen(at) >= sizeof g->token) {
            gmail_api->set_error(g->st, "auth",
                                 "the token endpoint %s answered 200 without "
                                 "a usable access_token",
                                 shown);
            st = CO_RETRY;
        } else {
            snprintf(g->token, sizeof g->token, "%s", at);
            g->token_exp_ms = gmail_api->now_ms(g->st) +
                              (exp > 0 ? (int64_t)exp : 3600) * 1000;
            gmail_api->metric_add(g->st, "token_refreshes", 1);
        }
        json_decref(j);
    } else if (strcmp(e.reason, "invalid_grant") == 0) {
        gmail_api->set_error(g->st, "auth",
                             "Google refused the refresh token (%s): %s to "
                             "authorize CareerOps again",
                             why, GMAIL_REAUTH_HINT);
        st = CO_FATAL;
    } else if (strcmp(e.reason, "invalid_client") == 0 ||
               strcmp(e.reason, "unauthorized_client") == 0) {
        gmail_api->set_error(g->st, "auth",
                             "the token endpoint refused the OAuth client "
                             "(%s): check the secrets %s and %s",
                             why, g->cfg->client_id_secret,
                             g->cfg->client_secret_secret);
        st = CO_FATAL;
    } else {
        uint32_t ra = 0;
        char msg[1280];
        st = co_http_classify(&rs, &ra, msg, sizeof msg);
        if (rs.fail == CO_HTTP_OK) /* not classify()'s excerpt of the body */
            snprintf(msg, sizeof msg, "HTTP %ld%s%s", rs.status,
                     why[0] ? ": " : " (no OAuth error in the answer)", why);
        if (st == CO_OK || st == CO_FAIL)
            st = CO_FATAL; /* another 4xx: a configuration problem */
        gmail_api->set_error(g->st, "auth", "token endpoint %s: %s", shown,
                             msg);
        if (st == CO_RETRY && ra > 0)
            gmail_api->retry_after(g->st, ra);
    }
    co_http_response_clear(&rs);
    return st;
}

static co_status_t gmail_ensure_token(gmail_t *g)
{
    if (g->token[0] != '\0' &&
        gmail_api->now_ms(g->st) <
            g->token_exp_ms - g->cfg->token_refresh_margin_ms)
        return CO_OK;
    g->token[0] = '\0';
    return gmail_refresh(g);
}

/* ---- API calls ---------------------------------------------------------- */

static int64_t gmail_backoff(gmail_t *g)
{
    int64_t d = g->cfg->backoff_initial_ms;
    for (int i = 0; i < g->fails && d < g->cfg->backoff_max_ms; i++)
        d *= 2;
    if (d > g->cfg->backoff_max_ms)
        d = g->cfg->backoff_max_ms;
    g->fails++;
    return d;
}

/* Wait on the host clock until the quota bucket has `units`. */
static co_status_t gmail_quota(gmail_t *g, int units)
{
    for (;;) {
        int64_t w =
            gmail_bucket_take(&g->bucket, units, gmail_api->now_ms(g->st));
        if (w == 0)
            return CO_OK;
        gmail_api->metric_add(g->st, "quota_wait_seconds", (double)w / 1000);
        if (gmail_api->sleep_ms(g->st, w) != 0)
            return CO_RETRY;
    }
}

/**
 * One Gmail API call with quota, token refresh on 401 (once) and the
 * error policy. On CO_OK, *resp holds a 2xx answer, or (when allow_404)
 * a 404 the caller handles. Other outcomes are reported with set_error()
 * (and retry_after()) and resp is cleared.
 */
static co_status_t gmail_call(gmail_t *g, const char *method, const char *url,
                              const char *body, int units, int allow_404,
                              co_http_response_t *rs)
{
    co_status_t st = gmail_quota(g, units);
    if (st != CO_OK) {
        gmail_api->set_error(g->st, "stopping", "stopping during a quota wait");
        memset(rs, 0, sizeof *rs);
        return st;
    }
    for (int attempt = 0;; attempt++) {
        if ((st = gmail_ensure_token(g)) != CO_OK) {
            memset(rs, 0, sizeof *rs);
            return st;
        }
        char auth[4200];
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", g->token);
        const char *hdrs[] = {auth, "Accept: application/json", NULL};
        co_http_request_t rq = {.method = method,
                                .url = url,
                                .headers = hdrs,
                                .body = body,
                                .body_len = body ? strlen(body) : 0,
                                .timeout_ms = (long)g->cfg->timeout_ms};
        co_http_perform(g->http, &rq, rs);
        sodium_memzero(auth, sizeof auth);
        gmail_api->metric_add(g->st, "api_requests", 1);
        if (rs->status == 401 && attempt == 0) {
            /* expired or revoked access token: refresh once */
            co_http_response_clear(rs);
            g->token[0] = '\0';
            gmail_api->metric_add(g->st, "unauthorized", 1);
            continue;
        }
        break;
    }
    if (rs->fail == CO_HTTP_STOPPED) { /* no failure of Gmail's */
        gmail_api->set_error(
            g->st, "stopping",
            "stopped while calling Gmail %s: the stage is stopping", method);
        co_http_response_clear(rs);
        return CO_RETRY;
    }
    g->last_status = rs->status;
    if ((rs->status >= 200 && rs->status < 300) ||
        (allow_404 && rs->status == 404)) {
        g->fails = 0;
        return CO_OK;
    }
    gmail_err_t e;
    gmail_parse_error(rs->body, &e);
    /* Google's own words, its two fields cut and escaped; never the raw
     * body (as for the token endpoint, trial 57) */
    char why[600];
    gmail_err_shown(&e, why, sizeof why);
    if (rs->status == 401) {
        gmail_api->set_error(g->st, "auth",
                             "Gmail refused a freshly refreshed access token "
                             "(%s): %s",
                             why[0] ? why : "HTTP 401", GMAIL_REAUTH_HINT);
        co_http_response_clear(rs);
        return CO_FATAL;
    }
    if (gmail_is_rate_limit(rs->status, &e)) {
        int64_t d = gmail_retry_after_text(e.message, gmail_api->now_ms(g->st));
        if (d < 0)
            d = rs->retry_after_ms;
        if (d < 0)
            d = gmail_backoff(g);
        else
            g->fails++;
        gmail_api->retry_after(g->st, (uint32_t)d);
        gmail_api->metric_add(g->st, "rate_limited", 1);
        gmail_api->metric_add(g->st, "rate_limit_wait_seconds",
                              (double)d / 1000);
        gmail_api->set_error(g->st, "rate-limit",
                             "Gmail %ld %s (waiting %lld ms)", rs->status, why,
                             (long long)d);
        co_http_response_clear(rs);
        return CO_RETRY;
    }
    uint32_t ra = 0;
    char msg[512];
    st = co_http_classify(rs, &ra, msg, sizeof msg);
    if (why[0] != '\0' && rs->fail == CO_HTTP_OK)
        snprintf(msg, sizeof msg, "HTTP %ld: %s", rs->status, why);
    if (st == CO_RETRY) {
        int64_t d = ra > 0 ? (int64_t)ra : gmail_backoff(g);
        gmail_api->retry_after(g->st, (uint32_t)d);
        gmail_api->metric_add(g->st, "server_error_wait_seconds",
                              (double)d / 1000);
    } else if (st != CO_FATAL) {
        st = CO_FATAL; /* 400/403 permission: fix the configuration */
    }
    gmail_api->set_error(g->st, co_http_error_class(rs), "Gmail %s %s: %s",
                         method, url, msg);
    co_http_response_clear(rs);
    return st;
}

static char *gmail_url(gmail_t *g, const char *path, FILE **qs, char **qbuf,
                       size_t *qlen)
{
    char *u = NULL;
    char *uid = curl_easy_escape(NULL, g->cfg->user_id, 0);
    if (asprintf(&u, "%s/users/%s%s", g->cfg->api_base, uid, path) < 0)
        u = NULL;
    curl_free(uid);
    if (qs != NULL)
        *qs = open_memstream(qbuf, qlen);
    return u;
}

static char *gmail_join(char *base, char *q)
{
    char *u = NULL;
    if (asprintf(&u, "%s%s%s", base, q && q[0] ? "?" : "", q ? q : "") < 0)
        u = NULL;
    free(base);
    free(q);
    return u;
}

/* ---- position and idempotency ------------------------------------------ */

static co_status_t gmail_save(gmail_t *g)
{
    char hid[24];
    snprintf(hid, sizeof hid, "%llu", (unsigned long long)g->hid);
    json_t *o = g->mode == GMAIL_FULL
                    ? json_pack("{s:s,s:s?,s:s}", "mode", "full", "page_token",
                                g->page_token, "start_history_id", hid)
                    : json_pack("{s:s,s:s}", "mode", "incr", "history_id", hid);
    /* The claims this position covers travel with it: once the host has
     * stored it, they are acknowledged and can be committed, even by the
     * next process after a crash (gmail_load()). */
    for (size_t i = 0; i < g->unc_cur.n; i++)
        gmail_strv_add(&g->unc_saved, g->unc_cur.v[i]);
    gmail_strv_clear(&g->unc_cur);
    json_t *ids = json_array();
    for (size_t i = 0; i < g->unc_saved.n; i++)
        json_array_append_new(ids, json_string(g->unc_saved.v[i]));
    json_object_set_new(o, "claims", ids);
    char *pos = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (gmail_api->source_offset(g->st, GMAIL_STATE_KEY, pos, strlen(pos)) !=
        0) {
        free(pos);
        gmail_api->set_error(g->st, "state", "cannot save the sync position");
        return CO_RETRY;
    }
    free(g->pending_pos);
    g->pending_pos = pos;
    return CO_OK;
}

/* Commit the claims covered by the last saved position once the host has
 * stored it (it does so only after the records before it are acked). */
static void gmail_commit_acked(gmail_t *g)
{
    if (g->pending_pos == NULL || g->unc_saved.n == 0)
        return;
    char *cur = NULL;
    size_t cl = 0;
    if (gmail_api->state_get(g->st, GMAIL_STATE_KEY, &cur, &cl) == 0 &&
        cur != NULL && strcmp(cur, g->pending_pos) == 0) {
        for (size_t i = 0; i < g->unc_saved.n; i++)
            gmail_api->idem_commit(g->st, g->unc_saved.v[i]);
        gmail_strv_clear(&g->unc_saved);
    }
    gmail_api->free(cur);
}

static void gmail_start_full(gmail_t *g)
{
    g->mode = GMAIL_FULL;
    g->hid = 0;
    gmail_set_str(&g->page_token, NULL);
    g->page_loaded = 0;
}

static co_status_t gmail_load(gmail_t *g)
{
    char *v = NULL;
    size_t vl = 0;
    int rc = gmail_api->state_get(g->st, GMAIL_STATE_KEY, &v, &vl);
    if (rc != 0 && rc != CO_ERR_NOTFOUND) {
        gmail_api->set_error(g->st, "state", "cannot read the sync position");
        return CO_RETRY;
    }
    json_t *j = v ? json_loadb(v, vl, 0, NULL) : NULL;
    const char *mode = json_string_value(json_object_get(j, "mode"));
    uint64_t h = 0;
    if (mode != NULL && strcmp(mode, "incr") == 0 &&
        gmail_parse_u64(json_string_value(json_object_get(j, "history_id")),
                        &h) == 0) {
        g->mode = GMAIL_INCR;
        g->hid = h;
    } else if (mode != NULL && strcmp(mode, "full") == 0) {
        g->mode = GMAIL_FULL;
        gmail_set_str(&g->page_token,
                      json_string_value(json_object_get(j, "page_token")));
        if (gmail_parse_u64(
                json_string_value(json_object_get(j, "start_history_id")),
                &h) == 0)
            g->hid = h;
    } else {
        if (v != NULL)
            gmail_api->log(g->st, CO_LOG_WARN,
                           "unreadable sync position, starting a full sync");
        gmail_start_full(g);
    }
    /* the stored position is acknowledged: commit the claims it covers */
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "claims"), i, c)
    {
        if (json_is_string(c))
            gmail_api->idem_commit(g->st, json_string_value(c));
    }
    json_decref(j);
    gmail_api->free(v);
    g->loaded = 1;
    return CO_OK;
}

/* Gmail's JSON object of a 200 answer, or NULL with the stage's error
 * set and `rs` cleared: a page that is not Gmail's (a proxy's or a captive
 * portal's, with 200) is asked for again, never read as an empty answer
 * or as the message (trial 89). `what` names the call ("history.list");
 * `id` the message, or NULL. */
static json_t *gmail_answer(gmail_t *g, co_http_response_t *rs,
                            const char *what, const char *id)
{
    json_t *j = json_loads(rs->body, 0, NULL);
    if (json_is_object(j))
        return j;
    json_decref(j);
    co_http_response_clear(rs);
    gmail_api->set_error(g->st, "http",
                         "Gmail %s%s%s answered 200 without a JSON object (a "
                         "proxy's page?); asking again",
                         what, id ? " " : "", id ? id : "");
    return NULL;
}

/* ---- one message -------------------------------------------------------- */

static co_status_t gmail_message(gmail_t *g, const char *id)
{
    char ikey[160];
    snprintf(ikey, sizeof ikey, "gmail:%s", id);
    int c = gmail_api->idem_begin(g->st, ikey);
    if (c == CO_IDEM_DONE) {
        gmail_api->metric_add(g->st, "skipped_known", 1);
        return CO_OK;
    }
    if (c < 0) {
        gmail_api->set_error(g->st, "state", "idempotency store unreachable");
        return CO_RETRY;
    }
    char *eid = curl_easy_escape(NULL, id, 0), path[600];
    snprintf(path, sizeof path, "/messages/%s", eid);
    curl_free(eid);
    char *url =
        gmail_join(gmail_url(g, path, NULL, NULL, NULL), strdup("format=raw"));
    co_http_response_t rs;
    co_status_t st = gmail_call(g, "GET", url, NULL, GMAIL_UNITS_GET, 1, &rs);
    free(url);
    if (st != CO_OK)
        return st;
    if (rs.status == 404) { /* deleted since it was listed */
        gmail_api->log(g->st, CO_LOG_INFO, "message %s is gone, skipped", id);
        co_http_response_clear(&rs);
        gmail_strv_add(&g->unc_cur, ikey);
        return CO_OK;
    }
    /* not Gmail's answer: asked again, never dead-lettered as the
     * message (trial 89: the message was lost for good) */
    json_t *j = gmail_answer(g, &rs, "messages.get", id);
    if (j == NULL)
        return CO_RETRY;
    const char *raw = json_string_value(json_object_get(j, "raw"));
    const char *thread = json_string_value(json_object_get(j, "threadId"));
    const char *hid = json_string_value(json_object_get(j, "historyId"));
    unsigned char *bytes = NULL;
    size_t blen = 0;
    int e = 0;
    if (raw == NULL ||
        co_mail_b64url_decode(raw, strlen(raw), &bytes, &blen) != 0) {
        /* no raw message to archive: the answer itself is the input */
        co_record_t rec = CO_RECORD_INIT;
        rec.key = ikey;
        rec.key_len = strlen(ikey);
        char msg[768];
        snprintf(msg, sizeof msg, "gmail id %s: %s", id,
                 raw == NULL ? "messages.get answered without a raw field"
                             : "the raw field is not base64url");
        e = gmail_api->dead_letter(g->st, &rec, "parse", msg);
        if (e == 0) {
            gmail_api->metric_add(g->st, "dead_letters", 1);
            gmail_api->log(g->st, CO_LOG_WARN, "dead letter: %s", msg);
        } else {
            gmail_api->set_error(g->st, "emit",
                                 "the host did not take a dead letter");
        }
    } else {
        json_t *src =
            json_pack("{s:s,s:s,s:s?,s:s?}", "kind", "gmail", "gmail_id", id,
                      "history_id", hid, "thread_id", thread);
        char *sj = json_dumps(src, JSON_COMPACT);
        json_decref(src);
        co_header_t h = {"careerops.gmail.id", id, strlen(id)};
        co_mail_msg_t msg = {.raw = bytes,
                             .len = blen,
                             .source_json = sj,
                             .dl_key = ikey,
                             .headers = &h,
                             .header_cnt = 1};
        e = co_mail_source_emit(g->ms, &msg, NULL) < 0;
        free(sj);
    }
    free(bytes);
    json_decref(j);
    co_http_response_clear(&rs);
    if (e != 0)
        return CO_RETRY; /* the stage's error says why */
    gmail_strv_add(&g->unc_cur, ikey);
    return CO_OK;
}

static co_status_t gmail_page_messages(gmail_t *g)
{
    for (int64_t n = 0; g->id_i < g->ids.n; g->id_i++, n++) {
        if (gmail_api->stopping(g->st) || n >= g->cfg->batch)
            return CO_OK;
        co_status_t st = gmail_message(g, g->ids.v[g->id_i]);
        if (st != CO_OK)
            return st;
    }
    return CO_OK;
}

/* A sync (full or incremental, counted under METRIC) has read its last
 * page: idle until the next poll, and save the state. */
static co_status_t gmail_sync_done(gmail_t *g, const char *metric)
{
    gmail_set_str(&g->page_token, NULL);
    g->mode = GMAIL_IDLE;
    g->synced_once = 1;
    g->next_sync_ms = gmail_api->now_ms(g->st) + g->cfg->poll_interval_ms;
    gmail_api->metric_add(g->st, metric, 1);
    gmail_api->metric_set(g->st, "history_id", (double)g->hid);
    return gmail_save(g);
}

/* ---- full sync ----------------------------------------------------------- */

static co_status_t gmail_profile(gmail_t *g)
{
    char *url = gmail_url(g, "/profile", NULL, NULL, NULL);
    co_http_response_t rs;
    co_status_t st =
        gmail_call(g, "GET", url, NULL, GMAIL_UNITS_PROFILE, 0, &rs);
    free(url);
    if (st != CO_OK)
        return st;
    json_t *j = json_loads(rs.body, 0, NULL);
    if (gmail_parse_u64(json_string_value(json_object_get(j, "historyId")),
                        &g->hid) != 0) {
        gmail_api->set_error(g->st, "http",
                             "users.getProfile answered without historyId");
        st = CO_RETRY;
    }
    json_decref(j);
    co_http_response_clear(&rs);
    return st;
}

/* Page boundaries are commit points: the next page starts once the host
 * has stored the position saved after the previous one (all its records
 * acknowledged), so a crash between pages repeats nothing. Waits at most
 * GMAIL_BOUNDARY_MAX_MS in case the store never reports it. */
#define GMAIL_BOUNDARY_MAX_MS 30000

static int gmail_boundary_wait(gmail_t *g, int timeout_ms)
{
    if (g->unc_saved.n == 0) {
        g->boundary_since_ms = 0;
        return 0;
    }
    int64_t now = gmail_api->now_ms(g->st);
    if (g->boundary_since_ms == 0)
        g->boundary_since_ms = now;
    if (now - g->boundary_since_ms >= GMAIL_BOUNDARY_MAX_MS) {
        gmail_api->log(g->st, CO_LOG_WARN,
                       "the saved position was not seen in the state store "
                       "after %d ms; continuing",
                       GMAIL_BOUNDARY_MAX_MS);
        g->boundary_since_ms = 0;
        return 0;
    }
    gmail_api->sleep_ms(g->st,
                        timeout_ms >= 0 && timeout_ms < 20 ? timeout_ms : 20);
    return 1;
}

static co_status_t gmail_full_step(gmail_t *g, int timeout_ms)
{
    co_status_t st;
    if (!g->page_loaded && gmail_boundary_wait(g, timeout_ms))
        return CO_OK;
    if (!g->page_loaded) {
        if (g->hid == 0 && (st = gmail_profile(g)) != CO_OK)
            return st;
        char *q = NULL;
        size_t ql = 0;
        FILE *qs;
        char *base = gmail_url(g, "/messages", &qs, &q, &ql);
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)g->cfg->max_results);
        gmail_param(qs, "maxResults", n);
        if (g->cfg->query && g->cfg->query[0])
            gmail_param(qs, "q", g->cfg->query);
        for (size_t i = 0; g->cfg->label_ids && g->cfg->label_ids[i]; i++)
            gmail_param(qs, "labelIds", g->cfg->label_ids[i]);
        if (g->page_token)
            gmail_param(qs, "pageToken", g->page_token);
        fclose(qs);
        char *url = gmail_join(base, q);
        co_http_response_t rs;
        st = gmail_call(g, "GET", url, NULL, GMAIL_UNITS_LIST, 0, &rs);
        free(url);
        if (st == CO_FATAL && g->page_token != NULL && g->last_status == 400) {
            /* a stored page token Gmail no longer knows: start over (the
             * idempotency claims keep it from emitting twice) */
            gmail_api->log(g->st, CO_LOG_WARN,
                           "stored page token refused, full sync restarts");
            gmail_start_full(g);
            return CO_OK;
        }
        if (st != CO_OK)
            return st;
        json_t *j = gmail_answer(g, &rs, "messages.list", NULL);
        if (j == NULL)
            return CO_RETRY;
        gmail_strv_clear(&g->ids);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(j, "messages"), i, m)
        {
            const char *id = json_string_value(json_object_get(m, "id"));
            if (id != NULL)
                gmail_strv_add(&g->ids, id);
        }
        gmail_set_str(&g->next_token,
                      json_string_value(json_object_get(j, "nextPageToken")));
        json_decref(j);
        co_http_response_clear(&rs);
        g->page_loaded = 1;
        g->id_i = 0;
    }
    if ((st = gmail_page_messages(g)) != CO_OK || g->id_i < g->ids.n)
        return st;
    g->page_loaded = 0;
    gmail_api->metric_add(g->st, "pages", 1);
    if (g->next_token != NULL) {
        gmail_set_str(&g->page_token, g->next_token);
        return gmail_save(g);
    }
    return gmail_sync_done(g, "full_syncs");
}

/* ---- incremental sync ---------------------------------------------------- */

static co_status_t gmail_incr_step(gmail_t *g)
{
    co_status_t st;
    if (!g->page_loaded) {
        char *q = NULL;
        size_t ql = 0;
        FILE *qs;
        char *base = gmail_url(g, "/history", &qs, &q, &ql);
        char n[24], h[24];
        snprintf(h, sizeof h, "%llu", (unsigned long long)g->hid);
        snprintf(n, sizeof n, "%lld", (long long)g->cfg->max_results);
        gmail_param(qs, "startHistoryId", h);
        gmail_param(qs, "historyTypes", "messageAdded");
        gmail_param(qs, "maxResults", n);
        if (g->cfg->label_ids && g->cfg->label_ids[0])
            gmail_param(qs, "labelId", g->cfg->label_ids[0]);
        if (g->page_token)
            gmail_param(qs, "pageToken", g->page_token);
        fclose(qs);
        char *url = gmail_join(base, q);
        co_http_response_t rs;
        st = gmail_call(g, "GET", url, NULL, GMAIL_UNITS_HISTORY, 1, &rs);
        free(url);
        if (st != CO_OK)
            return st;
        if (rs.status == 404) {
            gmail_api->log(g->st, CO_LOG_WARN,
                           "history id %llu is too old for Gmail: full "
                           "resync (known messages are skipped)",
                           (unsigned long long)g->hid);
            gmail_api->metric_add(g->st, "resyncs", 1);
            co_http_response_clear(&rs);
            gmail_start_full(g);
            return CO_OK;
        }
        json_t *j = gmail_answer(g, &rs, "history.list", NULL);
        if (j == NULL)
            return CO_RETRY;
        gmail_strv_clear(&g->ids);
        size_t i, k;
        json_t *hr, *ma;
        json_array_foreach(json_object_get(j, "history"), i, hr)
        {
            json_array_foreach(json_object_get(hr, "messagesAdded"), k, ma)
            {
                const char *id = json_string_value(
                    json_object_get(json_object_get(ma, "message"), "id"));
                int dup = 0;
                for (size_t x = 0; id && x < g->ids.n && !dup; x++)
                    dup = strcmp(g->ids.v[x], id) == 0;
                if (id != NULL && !dup)
                    gmail_strv_add(&g->ids, id);
            }
        }
        uint64_t nh = 0;
        if (gmail_parse_u64(json_string_value(json_object_get(j, "historyId")),
                            &nh) == 0 &&
            nh > g->new_hid)
            g->new_hid = nh;
        gmail_set_str(&g->next_token,
                      json_string_value(json_object_get(j, "nextPageToken")));
        json_decref(j);
        co_http_response_clear(&rs);
        g->page_loaded = 1;
        g->id_i = 0;
    }
    if ((st = gmail_page_messages(g)) != CO_OK || g->id_i < g->ids.n)
        return st;
    g->page_loaded = 0;
    if (g->next_token != NULL) { /* history page tokens stay in memory */
        gmail_set_str(&g->page_token, g->next_token);
        return CO_OK;
    }
    if (g->new_hid > g->hid)
        g->hid = g->new_hid;
    return gmail_sync_done(g, "history_syncs");
}

/* ---- users.watch and push ----------------------------------------------- */

static co_status_t gmail_watch(gmail_t *g)
{
    if (g->cfg->watch_topic == NULL ||
        gmail_api->now_ms(g->st) <
            g->watch_exp_ms - g->cfg->watch_renew_before_ms)
        return CO_OK;
    json_t *labels = json_array();
    for (size_t i = 0; g->cfg->label_ids && g->cfg->label_ids[i]; i++)
        json_array_append_new(labels, json_string(g->cfg->label_ids[i]));
    json_t *b = json_pack("{s:s,s:o,s:s}", "topicName", g->cfg->watch_topic,
                          "labelIds", labels, "labelFilterAction", "include");
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    char *url = gmail_url(g, "/watch", NULL, NULL, NULL);
    co_http_response_t rs;
    co_status_t st =
        gmail_call(g, "POST", url, body, GMAIL_UNITS_WATCH, 0, &rs);
    free(url);
    free(body);
    if (st != CO_OK)
        return st;
    json_t *j = json_loads(rs.body, 0, NULL);
    uint64_t exp = 0;
    if (gmail_parse_u64(json_string_value(json_object_get(j, "expiration")),
                        &exp) != 0)
        exp = (uint64_t)(gmail_api->now_ms(g->st) + 86400000);
    g->watch_exp_ms = (int64_t)exp;
    gmail_api->metric_add(g->st, "watch_renewals", 1);
    gmail_api->metric_set(g->st, "watch_expiration_ms", (double)exp);
    json_decref(j);
    co_http_response_clear(&rs);
    return CO_OK;
}

typedef struct gmail_conn_s {
    char *buf;
    size_t len;
    int too_big;
} gmail_conn_t;

static enum MHD_Result gmail_push_handler(void *cls, struct MHD_Connection *c,
                                          const char *url, const char *method,
                                          const char *version, const char *data,
                                          size_t *size, void **con_cls)
{
    (void)url;
    (void)version;
    gmail_t *g = cls;
    gmail_conn_t *cc = *con_cls;
    if (cc == NULL) {
        cc = calloc(1, sizeof *cc);
        if (cc == NULL)
            return MHD_NO;
        *con_cls = cc;
        return MHD_YES;
    }
    if (*size > 0) {
        if (cc->len + *size > 65536) {
            cc->too_big = 1;
        } else {
            char *nb = realloc(cc->buf, cc->len + *size + 1);
            if (nb == NULL)
                return MHD_NO;
            memcpy(nb + cc->len, data, *size);
            cc->buf = nb;
            cc->len += *size;
            cc->buf[cc->len] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    int status = 204;
    char err[256] = "";
    uint64_t hid = 0;
    if (strcmp(method, "POST") != 0) {
        status = 405;
        snprintf(err, sizeof err, "POST a Pub/Sub push message");
    } else if (cc->too_big || cc->buf == NULL ||
               gmail_push_history_id(cc->buf, cc->len, &hid, err, sizeof err) !=
                   0) {
        status = 400;
        if (err[0] == '\0')
            snprintf(err, sizeof err, "empty or oversized push body");
    } else {
        unsigned long long prev = atomic_load(&g->push_hid);
        while (hid > prev &&
               !atomic_compare_exchange_weak(&g->push_hid, &prev, hid))
            ;
        atomic_store(&g->trigger, 1);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(err), err, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void gmail_push_done(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode tc)
{
    (void)cls;
    (void)c;
    (void)tc;
    gmail_conn_t *cc = *con_cls;
    if (cc != NULL) {
        free(cc->buf);
        free(cc);
    }
    *con_cls = NULL;
}

static co_status_t gmail_push_start(gmail_t *g)
{
    const char *l = g->cfg->push_listen;
    const char *colon = strrchr(l, ':');
    char host[64] = "";
    long port = -1;
    if (colon != NULL && (size_t)(colon - l) < sizeof host) {
        memcpy(host, l, (size_t)(colon - l));
        host[colon - l] = '\0';
        char *end;
        port = strtol(colon + 1, &end, 10);
        if (*end != '\0')
            port = -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (port < 0 || port > 65535 ||
        inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
        (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        gmail_api->set_error(g->st, "config",
                             "config.push_listen \"%s\" must be "
                             "127.0.0.1:PORT (loopback only; put a TLS "
                             "reverse proxy in front for Pub/Sub)",
                             l);
        return CO_FATAL;
    }
    sa.sin_port = htons((uint16_t)port);
    g->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
        NULL, NULL, gmail_push_handler, g, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, gmail_push_done, g, MHD_OPTION_END);
    if (g->mhd == NULL) {
        gmail_api->set_error(g->st, "config",
                             "cannot listen on %s for push notifications", l);
        return CO_FATAL;
    }
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(g->mhd, MHD_DAEMON_INFO_BIND_PORT);
    unsigned p = di ? di->port : (unsigned)port;
    gmail_api->log(g->st, CO_LOG_INFO, "push endpoint on http://127.0.0.1:%u/",
                   p);
    if (g->cfg->push_port_file != NULL && g->cfg->push_port_file[0] != '\0') {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", g->cfg->push_port_file);
        FILE *f = fopen(tmp, "w");
        if (f == NULL || fprintf(f, "%u\n", p) < 0 || fclose(f) != 0 ||
            rename(tmp, g->cfg->push_port_file) != 0) {
            gmail_api->set_error(g->st, "config", "cannot write %s",
                                 g->cfg->push_port_file);
            return CO_FATAL;
        }
    }
    return CO_OK;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void gmail_destroy(void *inst);

static co_status_t gmail_secret(gmail_t *g, const char *name, char **out)
{
    return co_mail_source_secret(gmail_api, g->st, name,
                                 "it (see `careerops auth gmail`)", out);
}

/* ABI 1.2 check, also run by init(): the two URLs, so that `careerops
 * validate` refuses them before anything starts (nothing is contacted). */
static co_status_t gmail_check(const void *config, char *err, size_t errsz)
{
    const gmail_cfg_t *cfg = config;
    const char *urls[2][2] = {{"token_url", cfg->token_url},
                              {"api_base", cfg->api_base}};
    /* the token URL gets the client secret: no fragment nor secret in its
     * query, plain http only to loopback (trial 54) */
    const unsigned flags[2] = {
        CO_HTTP_URL_TLS | CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET, 0};
    for (int i = 0; i < 2; i++) {
        char e[384];
        if (urls[i][1] == NULL ||
            co_http_check_url_ex(urls[i][1], flags[i], e, sizeof e) != 0) {
            snprintf(err, errsz, "%s: %s", urls[i][0],
                     urls[i][1] ? e : "missing");
            return CO_FATAL;
        }
    }
    /* stat() only (check() opens nothing): validate said ok for a missing
     * token file or a FIFO (trial 56) */
    const char *kind = cfg->refresh_token_file
                           ? co_readfile_not_regular(cfg->refresh_token_file)
                           : NULL;
    if (kind != NULL) {
        snprintf(err, errsz,
                 "refresh_token_file: '%s' is %s: create it with `careerops "
                 "auth gmail --token-out FILE`",
                 cfg->refresh_token_file, kind);
        return CO_FATAL;
    }
    return co_mail_source_check(&cfg->mail, err, errsz);
}

static co_status_t gmail_init(const co_host_api_t *api, co_stage_t *st,
                              const void *config, void **instance)
{
    gmail_api = api;
    const gmail_cfg_t *cfg = config;
    if (sodium_init() < 0) {
        api->set_error(st, "config", "libsodium failed to initialise");
        return CO_FATAL;
    }
    gmail_t *g = calloc(1, sizeof *g);
    if (g == NULL)
        return CO_FATAL;
    *instance = g;
    g->st = st;
    g->cfg = cfg;
    char err[512];
    if (gmail_check(cfg, err, sizeof err) != CO_OK) {
        api->set_error(st, "config", "config.%s", err);
        return CO_FATAL;
    }
    co_status_t s;
    if ((s = gmail_secret(g, cfg->client_id_secret, &g->client_id)) != CO_OK ||
        (s = gmail_secret(g, cfg->client_secret_secret, &g->client_secret)) !=
            CO_OK)
        return s;
    char *keyhex = NULL, *sealed = NULL;
    size_t sl = 0;
    if ((s = gmail_secret(g, cfg->refresh_token_key_secret, &keyhex)) != CO_OK)
        return s;
    /* a FIFO that nothing writes to is refused after 5 s, not waited for
     * (trial 55: run hung, one SIGTERM not heard) */
    int frc = cfg->refresh_token_file != NULL
                  ? co_readfile_max(cfg->refresh_token_file, &sealed, &sl, 8192)
                  : -ENOENT;
    if (frc != 0) {
        api->set_error(st, "config",
                       "config.refresh_token_file \"%s\" cannot be read (%s): "
                       "create it with `careerops auth gmail --token-out "
                       "FILE`",
                       cfg->refresh_token_file ? cfg->refresh_token_file
                                               : "(unset)",
                       co_readfile_strerror(frc));
        free(keyhex);
        return CO_FATAL;
    }
    int rc =
        co_sealed_open(sealed, sl, keyhex, &g->refresh_token, err, sizeof err);
    sodium_memzero(keyhex, strlen(keyhex));
    free(keyhex);
    free(sealed);
    if (rc == CO_SEALED_BAD_KEY) {
        /* the key, not the file: a wrong, cut or re-encoded key blamed
         * refresh_token_file (trial 57) */
        api->set_error(st, "config",
                       "secret \"%s\" does not open config."
                       "refresh_token_file \"%s\" (%s): the secret most "
                       "likely holds the wrong key; put in it the content "
                       "of the KEYFILE that `careerops auth gmail --key-file "
                       "KEYFILE` wrote with that token file (64 hex digits), "
                       "or run `careerops auth gmail` again to write both",
                       cfg->refresh_token_key_secret, cfg->refresh_token_file,
                       err);
        return CO_FATAL;
    }
    if (rc != 0) {
        api->set_error(st, "config",
                       "config.refresh_token_file %s: %s (write it and its "
                       "key with `careerops auth gmail`)",
                       cfg->refresh_token_file, err);
        return CO_FATAL;
    }
    g->http = co_http_new();
    if (g->http == NULL) {
        api->set_error(st, "config", "libcurl failed to initialise");
        return CO_FATAL;
    }
    /* a SIGTERM ends a request the server sits on at once, not after
     * timeout_ms (trial 57: the token request waited 30 s) */
    co_http_stop_with_host(g->http, api, st);
    if ((g->ms = co_mail_source_new(api, st, &cfg->mail)) == NULL)
        return CO_FATAL;
    gmail_bucket_init(&g->bucket, cfg->quota_units_per_second, cfg->quota_burst,
                      api->now_ms(st));
    if (cfg->push_listen != NULL && cfg->push_listen[0] != '\0')
        return gmail_push_start(g);
    return CO_OK;
}

/* Idle: wait for the next sync time or a push, in short steps. */
static co_status_t gmail_idle(gmail_t *g, int timeout_ms)
{
    int64_t now = gmail_api->now_ms(g->st);
    if (atomic_exchange(&g->trigger, 0)) {
        gmail_api->metric_add(g->st, "push_triggers", 1);
        g->mode = GMAIL_INCR;
        return CO_OK;
    }
    if (g->synced_once && g->cfg->once)
        return CO_EOF;
    if (now >= g->next_sync_ms) {
        g->mode = GMAIL_INCR;
        return CO_OK;
    }
    int64_t w = g->next_sync_ms - now;
    if (timeout_ms >= 0 && w > timeout_ms)
        w = timeout_ms;
    if (g->mhd != NULL && w > 200)
        w = 200; /* notice pushes quickly */
    if (w > 0)
        gmail_api->sleep_ms(g->st, w);
    return CO_OK;
}

static co_status_t gmail_poll(void *inst, int timeout_ms)
{
    gmail_t *g = inst;
    co_status_t st;
    if (!g->loaded && (st = gmail_load(g)) != CO_OK)
        return st;
    gmail_commit_acked(g);
    if ((st = gmail_watch(g)) != CO_OK)
        return st;
    switch (g->mode) {
    case GMAIL_FULL:
        return gmail_full_step(g, timeout_ms);
    case GMAIL_INCR:
        atomic_store(&g->trigger, 0);
        g->new_hid = g->new_hid > g->hid ? g->new_hid : g->hid;
        return gmail_incr_step(g);
    default:
        return gmail_idle(g, timeout_ms);
    }
}

static void gmail_stop(void *inst)
{
    gmail_t *g = inst;
    if (g != NULL && g->mhd != NULL) {
        MHD_stop_daemon(g->mhd);
        g->mhd = NULL;
    }
}

static void gmail_destroy(void *inst)
{
    gmail_t *g = inst;
    if (g == NULL)
        return;
    gmail_stop(g);
    co_http_destroy(g->http);
    if (g->refresh_token != NULL) {
        sodium_memzero(g->refresh_token, strlen(g->refresh_token));
        free(g->refresh_token);
    }
    if (g->client_secret != NULL)
        sodium_memzero(g->client_secret, strlen(g->client_secret));
    free(g->client_secret);
    free(g->client_id);
    sodium_memzero(g->token, sizeof g->token);
    free(g->page_token);
    free(g->next_token);
    free(g->pending_pos);
    gmail_strv_free(&g->ids);
    gmail_strv_free(&g->unc_cur);
    gmail_strv_free(&g->unc_saved);
    co_mail_source_free(g->ms);
    free(g);
}

/* Commands of `careerops` this plugin provides (ABI 1.1). */
static const co_command_t gmail_commands[] = {
    {"auth gmail", GMAIL_AUTH_HELP, gmail_cmd_auth},
    {NULL, NULL, NULL},
};

static const co_plugin_t gmail_plugin = {
    CO_PLUGIN_HEADER,
    .name = "gmail-source",
    .version = "1.0.0",
    .description = "Reads the user's Gmail (API v1, OAuth 2.0) into "
                   "careerops.email.v1 records: full sync, then history.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SOURCE,
    .options = gmail_options,
    .config_size = sizeof(gmail_cfg_t),
    .init = gmail_init,
    .poll = gmail_poll,
    .stop = gmail_stop,
    .destroy = gmail_destroy,
    .commands = gmail_commands,
    .check = gmail_check, /* token_url, api_base, archive (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    /* GMime's start-up is not thread-safe: do it here, on the host's main
     * thread, before any stage thread runs */
    co_mail_init();
    gmail_api = api;
    return &gmail_plugin;
}
