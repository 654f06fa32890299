/**
 * @file plugins/slack-sink/slack_sink.c
 * @brief slack-sink: posts each careerops.notification.v1 record to a
 *        Slack incoming webhook as a Block Kit message, once per event.
 *
 * Delivery (docs/notifications.md):
 * - api->idem_begin(event_key) before posting: CO_IDEM_DONE skips the
 *   record (a replay or a redelivery after a crash).
 * - The post; Slack's `ok` -> api->idem_commit(event_key).
 * - 429 (honouring Retry-After) and 5xx -> CO_RETRY; other 4xx -> CO_FAIL
 *   with Slack's body (dead-letter topic).
 * - CO_IDEM_PENDING: the key was claimed but never marked done. When this
 *   sink recorded that Slack definitely did not post it (a 4xx/429/5xx
 *   answer; state key `unsent:<event_key>`), it is posted normally.
 *   Otherwise the outcome of the earlier post is unknown (a crash between
 *   Slack's answer and the commit, or a timeout): `on_pending` decides,
 *   "repost" (default: post again, marked as a possible repeat) or "skip".
 */
#include "slack_format.h"

#include "co_http.h"

#include <careerops/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const co_host_api_t *api;

/** Configuration filled by the host from the option table. */
struct slack_sink_conf {
    const char *webhook_url;
    int64_t timeout_ms;
    const char *on_pending;
    const char *now;
};

/** One instance (one stage worker). */
struct slack_sink {
    co_stage_t *st;
    const struct slack_sink_conf *conf;
    co_http_t *http;
    int pending_skip;      /* on_pending == "skip" */
    int64_t now;           /* `now` parsed (s since the epoch), or -1 */
    char *posted_uncommit; /* posted `ok` but idem_commit failed: commit
                              only, never post it again */
};

static const co_option_t slack_sink_options[] = {
    {CO_OPT_STR, "webhook_url", NULL, CO_OPT_REQUIRED | CO_OPT_SECRET, 0, 0,
     offsetof(struct slack_sink_conf, webhook_url),
     "Slack incoming-webhook URL; give it as ${secret:slack_webhook}."},
    {CO_OPT_INT, "timeout_ms", "10000", 0, 100, 120000,
     offsetof(struct slack_sink_conf, timeout_ms),
     "Whole-request timeout for one post, in milliseconds."},
    {CO_OPT_STR, "on_pending", "repost", 0, 0, 0,
     offsetof(struct slack_sink_conf, on_pending),
     "When an earlier post's outcome is unknown (crash between Slack's "
     "answer and the commit): 'repost' (marked as a possible repeat) or "
     "'skip'."},
    {CO_OPT_STR, "now", NULL, 0, 0, 0, offsetof(struct slack_sink_conf, now),
     "text: the time a scheduled date is compared with to mark it \"past\" "
     "(RFC 3339, e.g. 2025-10-20T09:00:00Z; the demo sets it from "
     "CAREEROPS_DEMO_NOW, as for console-sink); default: the wall clock."},
    {0}};

/* ABI 1.2 check: `careerops validate` refuses a bad webhook_url, on_pending or
 * `now` before any stage starts (init() says the same). */
static co_status_t slack_sink_check(const void *config, char *err, size_t errsz)
{
    const struct slack_sink_conf *c = config;
    int64_t now;
    char e[256];
    /* the URL itself is a secret: named, never printed (trial 43: validate
     * passed a webhook_url that run then refused); in clear text only to
     * this machine (the tests' fakes: trial 53), the host as libcurl reads
     * it ("http:/hooks.example" passed a prefix check: trial 54); no
     * fragment, which Slack never gets */
    if (co_http_check_url_ex(c->webhook_url,
                             CO_HTTP_URL_TLS | CO_URL_NO_FRAGMENT, e,
                             sizeof e) != 0) {
        snprintf(err, errsz,
                 "webhook_url: %s; set it to the Slack incoming-webhook URL "
                 "(https://hooks.slack.com/services/...)",
                 e);
        return CO_FATAL;
    }
    if (strcmp(c->on_pending, "repost") != 0 &&
        strcmp(c->on_pending, "skip") != 0) {
        snprintf(err, errsz,
                 "on_pending: \"%s\" is unknown: use \"repost\" (the "
                 "default) or \"skip\"",
                 c->on_pending);
        return CO_FATAL;
    }
    if (c->now != NULL && *c->now != '\0' &&
        slack_parse_time(c->now, &now) != 0) {
        snprintf(err, errsz,
                 "now: \"%s\" is not a time: use an RFC 3339 UTC time such "
                 "as 2025-10-20T09:00:00Z, or leave it unset for the wall "
                 "clock",
                 c->now);
        return CO_FATAL;
    }
    return CO_OK;
}

static co_status_t slack_sink_init(const co_host_api_t *a, co_stage_t *st,
                                   const void *config, void **instance)
{
    const struct slack_sink_conf *c = config;
    char err[512];
    if (slack_sink_check(c, err, sizeof err) != CO_OK) {
        a->set_error(st, "config", "%s", err);
        return CO_FATAL;
    }
    int64_t now = -1;
    if (c->now != NULL && *c->now != '\0')
        slack_parse_time(c->now, &now); /* checked above */
    struct slack_sink *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CO_FATAL;
    s->now = now;
    *instance = s;
    s->st = st;
    s->conf = c;
    s->pending_skip = strcmp(c->on_pending, "skip") == 0;
    s->http = co_http_new();
    if (s->http == NULL) {
        a->set_error(st, "http", "cannot initialise libcurl");
        return CO_FATAL;
    }
    co_http_stop_with_host(s->http, a, st); /* a SIGTERM ends a hung post */
    return CO_OK;
}

/* Marks `key` as definitely not posted (or clears the mark with "0"). */
static int slack_sink_mark(struct slack_sink *s, const char *key,
                           const char *val)
{
    char skey[512];
    snprintf(skey, sizeof skey, "unsent:%s", key);
    return api->state_put(s->st, skey, val, strlen(val));
}

/* 1 when an earlier attempt recorded that Slack did not post `key`, 0 when
 * not, -1 when the state store cannot be read. */
static int slack_sink_known_unsent(struct slack_sink *s, const char *key)
{
    char skey[512], *v = NULL;
    snprintf(skey, sizeof skey, "unsent:%s", key);
    int rc = api->state_get(s->st, skey, &v, NULL);
    int found = rc == 0 && v != NULL && strcmp(v, "1") == 0;
    api->free(v);
    return rc == CO_ERR_STATE ? -1 : found;
}

static co_status_t slack_sink_commit(struct slack_sink *s, const char *key)
{
    if (api->idem_commit(s->st, key) != 0) {
        /* Posted but not recorded: remember it so the retry only commits. */
        free(s->posted_uncommit);
        s->posted_uncommit = strdup(key);
        api->set_error(s->st, "state",
                       "posted event %s but could not mark it done in the "
                       "state store; retrying the mark only",
                       key);
        return CO_RETRY;
    }
    free(s->posted_uncommit);
    s->posted_uncommit = NULL;
    return CO_OK;
}

/* The message body for rec, on the configured `now` or the wall clock. */
static char *slack_sink_format(const struct slack_sink *s,
                               const co_record_t *rec, int possible_repeat,
                               char **key, char *err, size_t err_size)
{
    return slack_format_message_at(rec->value, rec->value_len, possible_repeat,
                                   s->now >= 0 ? s->now : (int64_t)time(NULL),
                                   key, err, err_size);
}

static co_status_t slack_sink_process(void *instance, const co_record_t *rec)
{
    struct slack_sink *s = instance;
    char err[1024];
    char *key = NULL;
    /* Parse first (without the repeat mark) to get the key and reject bad
     * records before claiming anything. */
    char *body = slack_sink_format(s, rec, 0, &key, err, sizeof err);
    if (body == NULL) {
        api->set_error(s->st, "schema", "%s", err);
        return CO_FAIL;
    }
    co_status_t ret;
    if (s->posted_uncommit != NULL && strcmp(s->posted_uncommit, key) == 0) {
        ret = slack_sink_commit(s, key);
        goto out;
    }
    int idem = api->idem_begin(s->st, key);
    if (idem < 0) {
        api->set_error(s->st, "state",
                       "state store unavailable for the idempotency claim");
        ret = CO_RETRY;
        goto out;
    }
    if (idem == CO_IDEM_DONE) {
        api->metric_add(s->st, "skipped_duplicates", 1);
        api->log(s->st, CO_LOG_DEBUG, "event %s already posted, skipped", key);
        ret = CO_OK;
        goto out;
    }
    int unsent = idem == CO_IDEM_PENDING ? slack_sink_known_unsent(s, key) : 0;
    if (unsent < 0) {
        api->set_error(s->st, "state", "state store unavailable");
        ret = CO_RETRY;
        goto out;
    }
    if (idem == CO_IDEM_PENDING && !unsent) {
        if (s->pending_skip) {
            api->log(s->st, CO_LOG_WARN,
                     "event %s: an earlier post's outcome is unknown; "
                     "skipped (on_pending=skip)",
                     key);
            api->metric_add(s->st, "pending_skipped", 1);
            ret = slack_sink_commit(s, key);
            goto out;
        }
        free(body);
        free(key);
        body = slack_sink_format(s, rec, 1, &key, err, sizeof err);
        if (body == NULL) {
            api->set_error(s->st, "schema", "%s", err);
            return CO_FAIL;
        }
        api->log(s->st, CO_LOG_WARN,
                 "event %s: an earlier post's outcome is unknown; posting "
                 "again marked as a possible repeat",
                 key);
        api->metric_add(s->st, "possible_repeats", 1);
    } else if (idem == CO_IDEM_PENDING) {
        /* Known unsent: clear the mark before the post, so that a crash
         * after Slack's answer is not mistaken for "not sent". */
        if (slack_sink_mark(s, key, "0") != 0) {
            api->set_error(s->st, "state", "state store unavailable");
            ret = CO_RETRY;
            goto out;
        }
    }

    co_http_response_t resp;
    int rc = co_http_post_json(s->http, s->conf->webhook_url, body, NULL,
                               (long)s->conf->timeout_ms, &resp);
    if (rc != 0) {
        uint32_t delay = 0;
        char msg[512];
        ret = co_http_classify(&resp, &delay, msg, sizeof msg);
        api->set_error(s->st, co_http_error_class(&resp), "slack: %s", msg);
        if (ret == CO_RETRY && delay > 0)
            api->retry_after(s->st, delay);
        /* A refused connection never reached Slack; a timeout may have. */
        if (resp.fail == CO_HTTP_CONNECT)
            slack_sink_mark(s, key, "1");
        co_http_response_clear(&resp);
        goto out;
    }
    uint32_t delay = 0;
    char msg[512];
    ret = slack_classify(resp.status, resp.body, resp.retry_after_ms, &delay,
                         msg, sizeof msg);
    co_http_response_clear(&resp);
    if (ret == CO_OK) {
        api->metric_add(s->st, "posted", 1);
        ret = slack_sink_commit(s, key);
        if (ret == CO_OK)
            api->log(s->st, CO_LOG_INFO, "posted event %s", key);
        goto out;
    }
    /* Slack answered with an error: nothing was posted. */
    slack_sink_mark(s, key, "1");
    api->set_error(s->st, "http", "%s", msg);
    if (ret == CO_RETRY) {
        api->metric_add(s->st, "retries", 1);
        if (delay > 0)
            api->retry_after(s->st, delay);
    } else {
        api->metric_add(s->st, "failed", 1);
    }
out:
    free(body);
    free(key);
    return ret;
}

static void slack_sink_destroy(void *instance)
{
    struct slack_sink *s = instance;
    if (s == NULL)
        return;
    co_http_destroy(s->http);
    free(s->posted_uncommit);
    free(s);
}

static const co_plugin_t slack_sink_desc = {
    CO_PLUGIN_HEADER,
    .name = "slack-sink",
    .version = "1.0.0",
    .description = "Posts notifications to a Slack incoming webhook as Block "
                   "Kit messages, once per event.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SINK,
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* reads no input header */
    .options = slack_sink_options,
    .config_size = sizeof(struct slack_sink_conf),
    .init = slack_sink_init,
    .process = slack_sink_process,
    .destroy = slack_sink_destroy,
    .check = slack_sink_check, /* on_pending, now (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    api = a;
    return &slack_sink_desc;
}
