/* gmail-source driven through co_plugin_entry() by the fake host
 * (simulated clock, in-memory state and idempotency) against the fake
 * Gmail API and token endpoint on 127.0.0.1. */
#include "co_fake_gmail.h"
#include "co_fake_host.h"
#include "co_http.h"
#include "co_mail.h"
#include "co_sealed.h"
#include "co_test.h"
#include "gmail_util.h"

#include <careerops/plugin.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api);

/** One test's world: fake Gmail, fake host, secrets, plugin instance. */
typedef struct fx_s {
    co_fake_t *f;
    co_fake_gmail_t *g;
    co_fake_host_t *h;
    const co_plugin_t *p;
    void *inst;
    void *cfg;
    char **strs;
    size_t str_cnt;
    char dir[256];
    char token_file[320];
    char api[128], tok[128];
    uint32_t retries[64];
    size_t retry_cnt;
} fx_t;

static void fx_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void fx_setup(fx_t *x)
{
    memset(x, 0, sizeof *x);
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    ck_assert_int_ge(sodium_init(), 0);
    x->f = co_fake_start(0);
    ck_assert_ptr_nonnull(x->f);
    x->g = co_fake_gmail_install(x->f);
    ck_assert_ptr_nonnull(x->g);
    snprintf(x->api, sizeof x->api, "%s/gmail/v1", co_fake_url(x->f));
    snprintf(x->tok, sizeof x->tok, "%s/token", co_fake_url(x->f));
    snprintf(x->dir, sizeof x->dir, "%s/gmail-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(x->dir));
    char p[400];
    snprintf(p, sizeof p, "%s/gmail_client_id", x->dir);
    fx_write(p, CO_FAKE_GMAIL_CLIENT_ID "\n");
    snprintf(p, sizeof p, "%s/gmail_client_secret", x->dir);
    fx_write(p, CO_FAKE_GMAIL_CLIENT_SECRET "\n");
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    snprintf(p, sizeof p, "%s/gmail_token_key", x->dir);
    fx_write(p, hex);
    char *sealed = NULL;
    ck_assert_int_eq(co_sealed_seal(CO_FAKE_GMAIL_REFRESH_TOKEN, key, &sealed),
                     0);
    snprintf(x->token_file, sizeof x->token_file, "%s/token.sealed", x->dir);
    fx_write(x->token_file, sealed);
    free(sealed);
    x->h = co_fake_host_new();
    x->h->secrets_dir = x->dir;
    x->p = co_plugin_entry(&x->h->api);
    ck_assert_ptr_nonnull(x->p);
}

/* Fill the configuration the way the host does: defaults from the option
 * table, then overrides ("name=value", NULL-terminated). */
static void fx_config(fx_t *x, const char *const *over)
{
    free(x->cfg);
    x->cfg = calloc(1, x->p->config_size);
    for (const co_option_t *o = x->p->options; o->type != CO_OPT_END; o++) {
        const char *v = o->def;
        size_t nl = strlen(o->name);
        for (size_t i = 0; over && over[i]; i++)
            if (strncmp(over[i], o->name, nl) == 0 && over[i][nl] == '=')
                v = over[i] + nl + 1;
        if (v == NULL)
            continue;
        char *at = (char *)x->cfg + o->offset;
        switch (o->type) {
        case CO_OPT_STR: {
            char *s = strdup(v);
            x->strs = realloc(x->strs, (x->str_cnt + 1) * sizeof *x->strs);
            x->strs[x->str_cnt++] = s;
            memcpy(at, &s, sizeof s);
            break;
        }
        case CO_OPT_INT: {
            int64_t n = strtoll(v, NULL, 10);
            memcpy(at, &n, sizeof n);
            break;
        }
        case CO_OPT_DOUBLE: {
            double d = strtod(v, NULL);
            memcpy(at, &d, sizeof d);
            break;
        }
        case CO_OPT_BOOL: {
            int b = strcmp(v, "true") == 0;
            memcpy(at, &b, sizeof b);
            break;
        }
        default:
            break;
        }
    }
}

/* Start an instance with the fake's URLs and extra options. */
static co_status_t fx_start(fx_t *x, const char *const *extra)
{
    char a[200], t[200], tf[400];
    snprintf(a, sizeof a, "api_base=%s", x->api);
    snprintf(t, sizeof t, "token_url=%s", x->tok);
    snprintf(tf, sizeof tf, "refresh_token_file=%s", x->token_file);
    const char *over[32] = {a, t, tf, "once=true", "max_results=100"};
    size_t n = 5;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        over[n++] = extra[i];
    over[n] = NULL;
    fx_config(x, over);
    co_fake_host_clear_error(x->h);
    return x->p->init(&x->h->api, co_fake_host_stage(x->h), x->cfg, &x->inst);
}

static void fx_stop(fx_t *x)
{
    if (x->inst != NULL) {
        x->p->stop(x->inst);
        x->p->destroy(x->inst);
    }
    x->inst = NULL;
}

static void fx_teardown(fx_t *x)
{
    fx_stop(x);
    co_fake_host_free(x->h);
    co_fake_stop(x->f);
    for (size_t i = 0; i < x->str_cnt; i++)
        free(x->strs[i]);
    free(x->strs);
    free(x->cfg);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", x->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Poll like the host: RETRY waits (simulated) for the hint or 500 ms.
 * Stops at EOF, FATAL, after max_polls, or once `until_emits` records. */
static co_status_t fx_drive(fx_t *x, int max_polls, size_t until_emits)
{
    co_status_t st = CO_OK;
    for (int i = 0; i < max_polls; i++) {
        co_fake_host_clear_error(x->h);
        st = x->p->poll(x->inst, 1000);
        if (st == CO_RETRY) {
            uint32_t d = x->h->retry_after_set ? x->h->retry_after_ms : 500;
            if (x->retry_cnt < 64)
                x->retries[x->retry_cnt++] = d;
            x->h->now_ms += d;
        }
        if (st == CO_EOF || st == CO_FATAL)
            return st;
        if (until_emits > 0 && x->h->emit_cnt >= until_emits)
            return st;
    }
    return st;
}

static size_t fx_distinct(fx_t *x)
{
    size_t d = 0;
    for (size_t i = 0; i < x->h->emit_cnt; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(x->h->emits[i].key, x->h->emits[k].key) == 0;
        d += !seen;
    }
    return d;
}

START_TEST(t_full_then_history)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 250);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 250);
    ck_assert_uint_eq(fx_distinct(&x), 250);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "list"), 3);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "get"), 250);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "token_refresh"), 1);
    /* the record: schema, key, gmail source */
    json_t *j = json_loads(x.h->emits[0].value, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "schema")),
                     "careerops.email.v1");
    ck_assert_str_eq(json_string_value(json_object_get(j, "key")),
                     x.h->emits[0].key);
    json_t *src = json_object_get(j, "source");
    ck_assert_str_eq(json_string_value(json_object_get(src, "kind")), "gmail");
    ck_assert_ptr_nonnull(json_string_value(json_object_get(src, "gmail_id")));
    ck_assert_ptr_nonnull(
        json_string_value(json_object_get(src, "history_id")));
    json_decref(j);
    /* the stored position: incremental from the profile's history id */
    char hid[32];
    snprintf(hid, sizeof hid, "%llu",
             (unsigned long long)co_fake_gmail_history_id(x.g));
    ck_assert_double_eq(co_fake_host_metric(x.h, "full_syncs"), 1);
    fx_stop(&x);

    /* 20 new messages: a restarted source reads them through history */
    co_fake_gmail_add_generated(x.g, 20);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 270);
    ck_assert_uint_eq(fx_distinct(&x), 270);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "list"), 3);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "history"), 1);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "get"), 270);
    ck_assert_double_eq(co_fake_host_metric(x.h, "history_syncs"), 1);
    ck_assert_double_eq(co_fake_host_metric(x.h, "history_id"),
                        (double)co_fake_gmail_history_id(x.g));
    fx_teardown(&x);
}
END_TEST

START_TEST(t_resume_between_pages)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 250);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    /* first page done and its position stored, then the process dies */
    fx_drive(&x, 100, 100);
    ck_assert_uint_eq(x.h->emit_cnt, 100);
    fx_stop(&x);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    fx_drive(&x, 100, 200);
    ck_assert_uint_eq(x.h->emit_cnt, 200);
    fx_stop(&x);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 250);   /* no duplicate */
    ck_assert_uint_eq(fx_distinct(&x), 250); /* no gap */
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "get"), 250);
    fx_teardown(&x);
}
END_TEST

/* Killed in the middle of a page: the page is read again from its stored
 * token; its messages claimed but never acknowledged (PENDING) are fetched
 * and emitted again with the same keys (at least once), nothing is lost. */
START_TEST(t_resume_mid_page)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 250);
    ck_assert_int_eq(fx_start(&x, (const char *const[]){"batch=10", NULL}),
                     CO_OK);
    /* the host refuses records from the 131st on: the poll fails mid-page */
    for (int i = 0; i < 100 && x.h->emit_cnt < 130; i++)
        x.p->poll(x.inst, 1000);
    x.h->emit_rc = CO_ERR_KAFKA;
    ck_assert_int_eq(x.p->poll(x.inst, 1000), CO_RETRY);
    ck_assert_str_eq(x.h->error_class, "emit");
    fx_stop(&x); /* and the process dies */
    x.h->emit_rc = 0;
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(fx_distinct(&x), 250);    /* no gap */
    ck_assert_uint_eq(x.h->emit_cnt, 250 + 30); /* page 2 repeated */
    fx_teardown(&x);
}
END_TEST

START_TEST(t_history_404_resync)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 120);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 120);
    fx_stop(&x);
    co_fake_gmail_expire_history(x.g);
    co_fake_gmail_add_generated(x.g, 7);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_double_eq(co_fake_host_metric(x.h, "resyncs"), 1);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "list"), 2 + 2);
    /* zero duplicates: only the 7 new messages were emitted or fetched */
    ck_assert_uint_eq(x.h->emit_cnt, 127);
    ck_assert_uint_eq(fx_distinct(&x), 127);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "get"), 127);
    ck_assert_double_eq(co_fake_host_metric(x.h, "skipped_known"), 120);
    fx_teardown(&x);
}
END_TEST

START_TEST(t_expired_token)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 5);
    const char *o[] = {"once=false", "poll_interval_ms=1000", NULL};
    ck_assert_int_eq(fx_start(&x, o), CO_OK);
    fx_drive(&x, 50, 5);
    ck_assert_uint_eq(x.h->emit_cnt, 5);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "token_refresh"), 1);
    /* the server forgets the access token before expires_in ends */
    co_fake_gmail_expire_tokens(x.g);
    co_fake_gmail_add_generated(x.g, 3);
    fx_drive(&x, 50, 8);
    ck_assert_uint_eq(x.h->emit_cnt, 8);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "unauthorized"), 1);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "token_refresh"), 2);
    ck_assert_uint_eq(x.retry_cnt, 0);
    /* cached until shortly before expires_in (3599 s, margin 60 s) */
    x.h->now_ms += 3530LL * 1000;
    co_fake_gmail_add_generated(x.g, 1);
    fx_drive(&x, 50, 9);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "token_refresh"), 2);
    x.h->now_ms += 30LL * 1000; /* within the margin now */
    co_fake_gmail_add_generated(x.g, 1);
    fx_drive(&x, 50, 10);
    ck_assert_uint_eq(x.h->emit_cnt, 10);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "token_refresh"), 3);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "unauthorized"), 1);
    fx_teardown(&x);
}
END_TEST

START_TEST(t_invalid_grant)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 3);
    co_fake_gmail_revoke(x.g);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 10, 0), CO_FATAL);
    ck_assert_str_eq(x.h->error_class, "auth");
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "invalid_grant"));
    ck_assert_ptr_nonnull(
        strstr(x.h->error_msg, "run `careerops auth gmail` again"));
    ck_assert_uint_eq(x.h->emit_cnt, 0);
    fx_teardown(&x);
}
END_TEST

/* trial 57: the token endpoint's error body is never logged whole: its
 * `error` and `error_description` only, escaped and cut */
START_TEST(t_token_error_body)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 1);
    char body[1024], tail[300];
    memset(tail, 'y', 250);
    tail[250] = '\0';
    snprintf(body, sizeof body,
             "{\"error\":\"invalid_grant\",\"error_description\":\"Bad\\u001b"
             "[2J\\ntoken %s-CUT\",\"refresh_token\":\"LEAK-RT\",\"debug\":"
             "\"LEAK-DEBUG\"}",
             tail);
    co_fake_script_t sc = {
        .method = "POST", .path = "/token", .status = 400, .body = body};
    ck_assert_int_eq(co_fake_push(x.f, &sc), 0);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 10, 0), CO_FATAL);
    const char *m = x.h->error_msg;
    ck_assert_msg(strstr(m, "(invalid_grant: Bad\\x1b[2J\\x0atoken yyy") &&
                      strstr(m, "y...)") && !strstr(m, "CUT") &&
                      !strstr(m, "LEAK") && !strchr(m, '\x1b') &&
                      !strchr(m, '\n'),
                  "%s", m);
    ck_assert_ptr_nonnull(strstr(m, "run `careerops auth gmail` again"));
    /* a server error: its status and fields, not the body; an HTML error
     * page: the status only */
    fx_stop(&x);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    const struct {
        int status;
        const char *body, *want;
    } cases[] = {
        {503, "{\"error\":\"temporarily_unavailable\",\"trace\":\"LEAK\"}",
         ": HTTP 503: temporarily_unavailable"},
        {502, "<html><body>LEAK-HTML</body></html>",
         ": HTTP 502 (no OAuth error in the answer)"},
    };
    for (size_t i = 0; i < 2; i++) {
        sc.status = cases[i].status;
        sc.body = cases[i].body;
        ck_assert_int_eq(co_fake_push(x.f, &sc), 0);
        co_fake_host_clear_error(x.h);
        ck_assert_int_eq(x.p->poll(x.inst, 1000), CO_RETRY);
        ck_assert_msg(strstr(x.h->error_msg, cases[i].want) &&
                          !strstr(x.h->error_msg, "LEAK"),
                      "%s", x.h->error_msg);
    }
    fx_teardown(&x);
}
END_TEST

/* A Gmail API error (not the token endpoint's): its reason and message,
 * cut and escaped, never the raw body (trial 57's follow-up) */
START_TEST(t_api_error_body)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 1);
    char msg[400];
    memset(msg, 'z', 300);
    msg[300] = '\0';
    static const char head[] = "No \x1b[2J access ";
    memcpy(msg, head, sizeof head - 1);
    co_fake_gmail_push_error(x.g, 403, "insufficientPermissions", msg);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 10, 0), CO_FATAL);
    const char *m = x.h->error_msg;
    ck_assert_msg(strstr(m, "HTTP 403: insufficientPermissions: No "
                            "\\x1b[2J access zzz") &&
                      strstr(m, "z...") && !strchr(m, '\x1b') &&
                      !strstr(m, "\"error\""),
                  "%s", m);
    fx_teardown(&x);
}
END_TEST

START_TEST(t_rate_limits)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 10);
    /* profile: 429; list: 403 user limit with a retry time 7.5 s after the
     * simulated clock's start; then 403 project limit; a get: 503 */
    co_fake_gmail_push_error(x.g, 429, "rateLimitExceeded",
                             "Too many concurrent requests for user");
    co_fake_gmail_push_error(x.g, 403, "userRateLimitExceeded",
                             "User-rate limit exceeded.  Retry after "
                             "2025-01-01T00:00:08.500Z");
    co_fake_gmail_push_error(
        x.g, 403, "rateLimitExceeded",
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per "
        "minute per user'");
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 10);
    ck_assert_uint_eq(x.retry_cnt, 3);
    /* exponential backoff 1 s, then the message's time (8.5 s - 1 s
     * waited), then 4 s (third consecutive failure) */
    ck_assert_uint_eq(x.retries[0], 1000);
    ck_assert_uint_eq(x.retries[1], 7500);
    ck_assert_uint_eq(x.retries[2], 4000);
    ck_assert_double_eq(co_fake_host_metric(x.h, "rate_limited"), 3);
    ck_assert_double_eq_tol(co_fake_host_metric(x.h, "rate_limit_wait_seconds"),
                            12.5, 1e-9);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "injected"), 3);
    /* server errors are retried too, never skipped */
    co_fake_gmail_push_error(x.g, 503, "backendError", "Backend Error");
    co_fake_gmail_push_error(x.g, 500, "backendError", "Backend Error");
    fx_stop(&x);
    co_fake_gmail_add_generated(x.g, 2);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 12);
    ck_assert_uint_eq(x.retry_cnt, 5);
    ck_assert_double_gt(co_fake_host_metric(x.h, "server_error_wait_seconds"),
                        0);
    fx_teardown(&x);
}
END_TEST

static void check_same_keys(fx_t *x, const char *const *raws, size_t n)
{
    ck_assert_uint_eq(x->h->emit_cnt, n);
    for (size_t i = 0; i < n; i++) {
        char *doc = NULL, key[65], err[256];
        ck_assert_int_eq(co_mail_to_json(raws[i], strlen(raws[i]), NULL, NULL,
                                         &doc, NULL, key, err, sizeof err),
                         0);
        free(doc);
        int found = 0;
        for (size_t k = 0; k < x->h->emit_cnt; k++)
            found |= strcmp(x->h->emits[k].key, key) == 0;
        ck_assert_msg(found, "message %zu not emitted with key %s", i, key);
    }
}

START_TEST(t_padded_unpadded)
{
    /* lengths 0, 1 and 2 mod 3 so that padding differs */
    static const char *const raws[] = {
        "From: Ana <ana@example.com>\r\nSubject: a\r\n\r\nbody\r\n",
        "From: Ana <ana@example.com>\r\nSubject: ab\r\n\r\nbody\r\n",
        "From: Ana <ana@example.com>\r\nSubject: abc\r\n\r\nbody\r\n"};
    for (int padded = 0; padded < 2; padded++) {
        fx_t x;
        fx_setup(&x);
        co_fake_gmail_set_padded(x.g, padded);
        for (int i = 0; i < 3; i++)
            co_fake_gmail_add(x.g, raws[i], strlen(raws[i]), NULL);
        ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
        ck_assert_int_eq(fx_drive(&x, 20, 0), CO_EOF);
        check_same_keys(&x, raws, 3);
        ck_assert_uint_eq(x.h->dead_cnt, 0);
        fx_teardown(&x);
    }
}
END_TEST

START_TEST(t_dead_letter)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 2);
    long bad = co_fake_gmail_add(x.g, "\x01\x02 no headers at all", 20, NULL);
    co_fake_gmail_add_generated(x.g, 2);
    char id[32];
    co_fake_gmail_id(bad, id, sizeof id);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 20, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 4);
    ck_assert_uint_eq(x.h->dead_cnt, 1);
    ck_assert_ptr_nonnull(strstr(x.h->dead[0].key, id));
    ck_assert_ptr_nonnull(strstr(x.h->dead[0].message, id));
    ck_assert_str_eq(x.h->dead[0].error_class, "parse");
    fx_teardown(&x);
}
END_TEST

/* A 200 answer that is not Gmail's JSON (a proxy's or a captive portal's
 * page) is asked for again: messages.get's is no dead letter and the
 * message is read (trial 89: it was lost for good), history.list's is no
 * empty history, messages.list's no empty list. */
START_TEST(t_html_200_retried)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 3);
    char id[32], path[128];
    co_fake_gmail_id(1, id, sizeof id);
    snprintf(path, sizeof path, "/gmail/v1/users/me/messages/%s", id);
    co_fake_script_t html = {.method = "GET",
                             .path = path,
                             .content_type = "text/html",
                             .body = "<html>Proxy: please log in</html>"};
    ck_assert_int_eq(co_fake_push(x.f, &html), 0);
    html.path = "/gmail/v1/users/me/messages";
    ck_assert_int_eq(co_fake_push(x.f, &html), 0);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 50, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 3);
    ck_assert_uint_eq(x.h->dead_cnt, 0);
    ck_assert_uint_ge(x.retry_cnt, 2);
    ck_assert_uint_eq(co_fake_pending(x.f), 0);
    /* incremental: the history page is a proxy's too */
    fx_stop(&x);
    co_fake_gmail_add_generated(x.g, 2);
    html.path = "/gmail/v1/users/me/history";
    ck_assert_int_eq(co_fake_push(x.f, &html), 0);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 50, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 5);
    ck_assert_uint_eq(co_fake_pending(x.f), 0);
    fx_teardown(&x);
}
END_TEST

START_TEST(t_mime_torture)
{
    const char *corpus = co_test_corpus();
    char inv[4096];
    snprintf(inv, sizeof inv, "%s/mime-torture/inventory.csv", corpus);
    FILE *f = fopen(inv, "r");
    ck_assert_ptr_nonnull(f);
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_set_padded(x.g, 0);
    char line[8192];
    size_t n = 0, ok = 0;
    char **keys = NULL;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ',');
        char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        char path[4096];
        snprintf(path, sizeof path, "%s/mime-torture/%s", corpus, c1 + 1);
        FILE *m = fopen(path, "rb");
        if (m == NULL)
            continue;
        fseek(m, 0, SEEK_END);
        long len = ftell(m);
        fseek(m, 0, SEEK_SET);
        char *buf = malloc((size_t)len + 1);
        ck_assert_uint_eq(fread(buf, 1, (size_t)len, m), (size_t)len);
        fclose(m);
        co_fake_gmail_add(x.g, buf, (size_t)len, NULL);
        char *doc = NULL, key[65], err[256];
        keys = realloc(keys, (n + 1) * sizeof *keys);
        keys[n] = NULL;
        if (co_mail_to_json(buf, (size_t)len, NULL, NULL, &doc, NULL, key, err,
                            sizeof err) == 0) {
            keys[n] = strdup(key);
            ok++;
        }
        free(doc);
        free(buf);
        n++;
    }
    fclose(f);
    ck_assert_uint_gt(n, 50);
    const char *o[] = {"max_results=500", "quota_units_per_second=100000",
                       "quota_burst=100000", NULL};
    ck_assert_int_eq(fx_start(&x, o), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 50, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, ok);
    ck_assert_uint_eq(x.h->dead_cnt, n - ok);
    /* every file's key (as mailbox-source makes it) arrived */
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == NULL)
            continue;
        int found = 0;
        for (size_t k = 0; k < x.h->emit_cnt && !found; k++)
            found = strcmp(x.h->emits[k].key, keys[i]) == 0;
        ck_assert_msg(found, "mime-torture message %zu: key %s missing", i,
                      keys[i]);
        free(keys[i]);
    }
    free(keys);
    fprintf(stderr,
            "mime-torture through the fake Gmail: %zu files, %zu "
            "records with the files' keys, %zu dead letters\n",
            n, ok, n - ok);
    fx_teardown(&x);
}
END_TEST

START_TEST(t_quota_bucket)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 10);
    /* 10 units/s, burst 10: profile 1 + list 5 + 10 gets x 5 = 56 units,
     * 46 beyond the burst -> about 4.6 s of simulated waiting */
    const char *o[] = {"quota_units_per_second=10", "quota_burst=10", NULL};
    ck_assert_int_eq(fx_start(&x, o), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 50, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 10);
    double w = co_fake_host_metric(x.h, "quota_wait_seconds");
    ck_assert_double_ge(w, 4.5);
    ck_assert_double_le(w, 4.8);
    ck_assert_int_ge(x.h->slept_ms, 4500);
    fx_teardown(&x);
}
END_TEST

static void post_push(uint16_t port, const char *inner)
{
    size_t l = strlen(inner);
    size_t el = sodium_base64_encoded_len(l, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(el);
    sodium_bin2base64(b64, el, (const unsigned char *)inner, l,
                      sodium_base64_VARIANT_ORIGINAL);
    char *body = NULL, url[64];
    ck_assert_int_ge(asprintf(&body,
                              "{\"message\":{\"data\":\"%s\",\"messageId\":"
                              "\"1\"},\"subscription\":\"projects/p/"
                              "subscriptions/s\"}",
                              b64),
                     0);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/push", port);
    co_http_response_t rs;
    ck_assert_int_eq(co_http_post_json(NULL, url, body, NULL, 5000, &rs), 0);
    ck_assert_int_eq(rs.status, 204);
    co_http_response_clear(&rs);
    free(body);
    free(b64);
}

START_TEST(t_push_and_watch)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 3);
    co_fake_gmail_set_watch_expiration(x.g,
                                       CO_FAKE_HOST_EPOCH_MS + 2LL * 86400000);
    char pf[400], pfo[420];
    snprintf(pf, sizeof pf, "%s/push.port", x.dir);
    snprintf(pfo, sizeof pfo, "push_port_file=%s", pf);
    const char *o[] = {"once=false",
                       "poll_interval_ms=86400000",
                       "push_listen=127.0.0.1:0",
                       pfo,
                       "watch_topic=projects/fictional/topics/careerops",
                       NULL};
    ck_assert_int_eq(fx_start(&x, o), CO_OK);
    fx_drive(&x, 20, 3);
    ck_assert_uint_eq(x.h->emit_cnt, 3);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "watch"), 1);
    FILE *f = fopen(pf, "r");
    ck_assert_ptr_nonnull(f);
    unsigned port = 0;
    ck_assert_int_eq(fscanf(f, "%u", &port), 1);
    fclose(f);
    /* two new messages and a push with historyId as a string */
    co_fake_gmail_add_generated(x.g, 2);
    post_push((uint16_t)port, "{\"emailAddress\":\"jordan.doe@example.com\","
                              "\"historyId\":\"1005\"}");
    fx_drive(&x, 5, 5);
    ck_assert_uint_eq(x.h->emit_cnt, 5);
    ck_assert_double_eq(co_fake_host_metric(x.h, "push_triggers"), 1);
    /* and as a number */
    co_fake_gmail_add_generated(x.g, 1);
    post_push((uint16_t)port, "{\"emailAddress\":\"jordan.doe@example.com\","
                              "\"historyId\":1006}");
    fx_drive(&x, 5, 6);
    ck_assert_uint_eq(x.h->emit_cnt, 6);
    ck_assert_double_eq(co_fake_host_metric(x.h, "push_triggers"), 2);
    /* a bad push body is refused with 400 */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/push", port);
    co_http_response_t rs;
    ck_assert_int_eq(co_http_post_json(NULL, url, "{}", NULL, 5000, &rs), 0);
    ck_assert_int_eq(rs.status, 400);
    co_http_response_clear(&rs);
    /* the watch is renewed one day before it expires */
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "watch"), 1);
    co_fake_gmail_set_watch_expiration(x.g,
                                       CO_FAKE_HOST_EPOCH_MS + 3LL * 86400000);
    x.h->now_ms = CO_FAKE_HOST_EPOCH_MS + 86400000LL + 1000;
    fx_drive(&x, 3, 0);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "watch"), 2);
    ck_assert_double_eq(co_fake_host_metric(x.h, "watch_renewals"), 2);
    fx_teardown(&x);
}
END_TEST

START_TEST(t_config_errors)
{
    fx_t x;
    fx_setup(&x);
    /* the default Google URLs are refused under CAREEROPS_LOOPBACK_ONLY */
    fx_config(&x, (const char *const[]){NULL});
    char tf[400];
    snprintf(tf, sizeof tf, "refresh_token_file=%s", x.token_file);
    fx_config(&x, (const char *const[]){tf, NULL});
    ck_assert_int_eq(
        x.p->init(&x.h->api, co_fake_host_stage(x.h), x.cfg, &x.inst),
        CO_FATAL);
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "token_url"));
    fx_stop(&x);
    /* a plain-text token file */
    char plain[400];
    snprintf(plain, sizeof plain, "%s/plain", x.dir);
    fx_write(plain, CO_FAKE_GMAIL_REFRESH_TOKEN "\n");
    char pf[420];
    snprintf(pf, sizeof pf, "refresh_token_file=%s", plain);
    ck_assert_int_eq(fx_start(&x, (const char *const[]){pf, NULL}), CO_FATAL);
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "careerops auth gmail"));
    fx_stop(&x);
    /* a missing secret */
    ck_assert_int_eq(
        fx_start(&x, (const char *const[]){"client_id_secret=nope", NULL}),
        CO_FATAL);
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "\"nope\""));
    fx_stop(&x);
    /* push_listen must be loopback */
    ck_assert_int_eq(
        fx_start(&x, (const char *const[]){"push_listen=0.0.0.0:0", NULL}),
        CO_FATAL);
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "loopback"));
    fx_teardown(&x);
}
END_TEST

/* A bad key blames the secret, not refresh_token_file (trial 57): another
 * key, a cut one, one written in base64; named as the manifest names it. */
START_TEST(t_bad_token_key)
{
    fx_t x;
    fx_setup(&x);
    unsigned char other[32];
    randombytes_buf(other, sizeof other);
    char hex[65], b64[64], cut[64], p[400];
    sodium_bin2hex(hex, sizeof hex, other, sizeof other);
    sodium_bin2base64(b64, sizeof b64, other, sizeof other,
                      sodium_base64_VARIANT_ORIGINAL);
    memcpy(cut, hex, 63);
    cut[63] = '\0';
    const char *keys[] = {hex, cut, b64};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/my_key", x.dir);
        fx_write(p, keys[i]);
        ck_assert_int_eq(fx_start(&x,
                                  (const char *const[]){
                                      "refresh_token_key_secret=my_key", NULL}),
                         CO_FATAL);
        const char *m = x.h->error_msg;
        ck_assert_msg(strncmp(m,
                              "secret \"my_key\" does not open config."
                              "refresh_token_file",
                              52) == 0,
                      "%s", m);
        ck_assert_msg(strstr(m, "the secret most likely holds the wrong key") &&
                          strstr(m, "`careerops auth gmail --key-file "
                                    "KEYFILE`"),
                      "%s", m);
        fx_stop(&x);
    }
    /* the file's own faults still name the file */
    snprintf(p, sizeof p, "%s/my_key", x.dir);
    fx_write(p, hex);
    fx_write(x.token_file, "careerops-sealed-v1 !!!not base64!!!\n");
    ck_assert_int_eq(
        fx_start(
            &x, (const char *const[]){"refresh_token_key_secret=my_key", NULL}),
        CO_FATAL);
    ck_assert_msg(strncmp(x.h->error_msg, "config.refresh_token_file ", 26) ==
                      0,
                  "%s", x.h->error_msg);
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "damaged"));
    fx_teardown(&x);
}
END_TEST

/* Every URL these tests configure is loopback (and co_http refuses any
 * other while CAREEROPS_LOOPBACK_ONLY=1). */
START_TEST(t_loopback_only)
{
    fx_t x;
    fx_setup(&x);
    char err[256];
    ck_assert_str_eq(getenv("CAREEROPS_LOOPBACK_ONLY"), "1");
    ck_assert_int_eq(co_http_check_url(x.api, err, sizeof err), 0);
    ck_assert_int_eq(co_http_check_url(x.tok, err, sizeof err), 0);
    ck_assert_int_ne(co_http_check_url("https://oauth2.googleapis.com/token",
                                       err, sizeof err),
                     0);
    ck_assert_int_ne(co_http_check_url("https://gmail.googleapis.com/gmail/v1",
                                       err, sizeof err),
                     0);
    fx_teardown(&x);
}
END_TEST

/* skip_keys_file (lib/mail's co_mail_source, the same for mailbox-source
 * and imap-source): a message whose idempotency key is listed is fetched
 * but not emitted (metric skipped_known_keys), the others are emitted as
 * without the file; a line that is not a key fails the start naming the
 * line; a file that does not exist holds no key. */
START_TEST(t_skip_keys_file)
{
    fx_t x;
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 5);
    ck_assert_int_eq(fx_start(&x, NULL), CO_OK);
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(x.h->emit_cnt, 5);
    char keys[5][65];
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(x.h->emits[i].key_len, 64);
        memcpy(keys[i], x.h->emits[i].key, 65);
    }
    fx_teardown(&x);

    /* the same mail read again (a new account state), two keys settled */
    fx_setup(&x);
    co_fake_gmail_add_generated(x.g, 5);
    char path[400], opt[420], text[256];
    snprintf(path, sizeof path, "%s/corrected.keys", x.dir);
    snprintf(opt, sizeof opt, "skip_keys_file=%s", path);
    snprintf(text, sizeof text, "%s\n\n%s\n", keys[1], keys[3]);
    fx_write(path, text);
    ck_assert_int_eq(fx_start(&x, (const char *const[]){opt, NULL}), CO_OK);
    ck_assert_ptr_nonnull(strstr(x.h->last_log, "2 message key(s) in "));
    ck_assert_ptr_nonnull(strstr(x.h->last_log, "are not emitted"));
    ck_assert_int_eq(fx_drive(&x, 100, 0), CO_EOF);
    ck_assert_uint_eq(co_fake_gmail_count(x.g, "get"), 5);
    ck_assert_uint_eq(x.h->emit_cnt, 3);
    for (size_t i = 0; i < x.h->emit_cnt; i++) {
        ck_assert_str_ne(x.h->emits[i].key, keys[1]);
        ck_assert_str_ne(x.h->emits[i].key, keys[3]);
    }
    ck_assert_str_eq(x.h->emits[0].key, keys[0]);
    ck_assert_str_eq(x.h->emits[1].key, keys[2]);
    ck_assert_str_eq(x.h->emits[2].key, keys[4]);
    ck_assert_double_eq(co_fake_host_metric(x.h, "skipped_known_keys"), 2);
    ck_assert_double_eq(co_fake_host_metric(x.h, "messages_read"), 3);
    fx_stop(&x);

    /* a line that is not a key: the start fails, naming the line */
    snprintf(text, sizeof text, "%s\nnot-a-key\n", keys[0]);
    fx_write(path, text);
    ck_assert_int_eq(fx_start(&x, (const char *const[]){opt, NULL}), CO_FATAL);
    ck_assert_str_eq(x.h->error_class, "config");
    ck_assert_ptr_nonnull(strstr(x.h->error_msg, "config.skip_keys_file: "));
    ck_assert_ptr_nonnull(
        strstr(x.h->error_msg, "line 2 is not an idempotency key"));
    fx_stop(&x);

    /* a file that does not exist holds no key */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(fx_start(&x, (const char *const[]){opt, NULL}), CO_OK);
    fx_teardown(&x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gmail-source");
    TCase *tc = tcase_create("fake-gmail");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, t_full_then_history);
    tcase_add_test(tc, t_resume_between_pages);
    tcase_add_test(tc, t_resume_mid_page);
    tcase_add_test(tc, t_history_404_resync);
    tcase_add_test(tc, t_expired_token);
    tcase_add_test(tc, t_invalid_grant);
    tcase_add_test(tc, t_token_error_body);
    tcase_add_test(tc, t_rate_limits);
    tcase_add_test(tc, t_api_error_body);
    tcase_add_test(tc, t_padded_unpadded);
    tcase_add_test(tc, t_dead_letter);
    tcase_add_test(tc, t_html_200_retried);
    tcase_add_test(tc, t_mime_torture);
    tcase_add_test(tc, t_quota_bucket);
    tcase_add_test(tc, t_push_and_watch);
    tcase_add_test(tc, t_config_errors);
    tcase_add_test(tc, t_loopback_only);
    tcase_add_test(tc, t_bad_token_key);
    tcase_add_test(tc, t_skip_keys_file);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
