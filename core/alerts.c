/**
 * @file core/alerts.c
 * @brief Operational alerts (see alerts.h): threshold crossings, posts to
 *        Slack or PagerDuty Events API v2 over libcurl on a worker thread,
 *        careerops.alert.v1 records.
 */
#include "alerts.h"

#include "lazylib.h"
#include "log.h"
#include "url.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/** One queued post or record (a singly linked FIFO). */
typedef struct co__alert_item_s {
    char *text; /* post body or record JSON */
    struct co__alert_item_s *next;
} co__alert_item_t;

/** One watched value. */
typedef struct co__alert_watch_s {
    const char *name;  /* "dlq_depth" | "consumer_lag" */
    const char *label; /* for humans */
    int64_t threshold; /* 0: off */
    int firing;
    int pending;        /* above the threshold, not yet for for_ms */
    int64_t pending_ms; /* when it went above */
    char dedup_key[256];
} co__alert_watch_t;

struct co_alerts_s {
    pthread_mutex_t mu;
    pthread_cond_t cond; /* queue changes, stop */
    char *pipeline, *url, *routing_key, *topic;
    int pagerduty;
    int64_t for_ms; /* how long a crossing must last before it fires */
    co__alert_watch_t watch[2];
    co__alert_item_t *posts, *records; /* FIFOs */
    int busy;                          /* worker is posting */
    int stop;
    int worker_started;
    pthread_t worker;
    co_alerts_counts_t counts;
};

static void co__alerts_push(co__alert_item_t **q, char *text)
{
    co__alert_item_t *it = calloc(1, sizeof *it);
    if (it == NULL) {
        free(text);
        return;
    }
    it->text = text;
    while (*q != NULL)
        q = &(*q)->next;
    *q = it;
}

static char *co__alerts_pop(co__alert_item_t **q)
{
    co__alert_item_t *it = *q;
    if (it == NULL)
        return NULL;
    *q = it->next;
    char *t = it->text;
    free(it);
    return t;
}

static void co__alerts_clear(co__alert_item_t **q)
{
    char *t;
    while ((t = co__alerts_pop(q)) != NULL)
        free(t);
}

/* ---- posting (worker thread) ---------------------------------------- */

typedef struct co__alert_resp_s {
    long status;
    int64_t retry_after_ms;
} co__alert_resp_t;

static size_t co__alerts_discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

static size_t co__alerts_header(char *p, size_t sz, size_t n, void *ud)
{
    co__alert_resp_t *r = ud;
    size_t len = sz * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        char v[32] = "";
        size_t vl = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
        memcpy(v, p + 12, vl);
        v[vl] = '\0';
        char *end;
        long s = strtol(v, &end, 10);
        if (end != v && s >= 0)
            r->retry_after_ms = (int64_t)(s > 3600 ? 3600 : s) * 1000;
    }
    return len;
}

/* One POST; returns 0 with r->status set, or -1 on a transport error. */
static int co__alerts_post_once(CURL *c, const char *url, const char *body,
                                co__alert_resp_t *r, char *err)
{
    const co_curl_api_t *cu = co_curl(NULL, 0); /* loaded: see start */
    struct curl_slist *h =
        cu->slist_append(NULL, "Content-Type: application/json");
    cu->easy_reset(c);
    cu->easy_setopt(c, CURLOPT_URL, url);
    cu->easy_setopt(c, CURLOPT_POSTFIELDS, body);
    cu->easy_setopt(c, CURLOPT_HTTPHEADER, h);
    cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)CO_ALERTS_POST_TIMEOUT_MS);
    cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    cu->easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, co__alerts_discard);
    cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, co__alerts_header);
    cu->easy_setopt(c, CURLOPT_HEADERDATA, r);
    cu->easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    r->status = 0;
    r->retry_after_ms = -1;
    err[0] = '\0';
    CURLcode cc = cu->easy_perform(c);
    cu->slist_free_all(h);
    if (cc != CURLE_OK) {
        if (!err[0])
            snprintf(err, CURL_ERROR_SIZE, "%s", cu->easy_strerror(cc));
        return -1;
    }
    cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    return 0;
}

/* Waits up to ms unless stopping; called with a->mu held. */
static void co__alerts_wait(co_alerts_t *a, int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    while (!a->stop && pthread_cond_timedwait(&a->cond, &a->mu, &t) == 0)
        ;
}

/* Posts one body: up to 3 tries; 429 (Retry-After, capped at 5 s), 5xx and
 * transport errors are retried, other statuses are final. */
static void co__alerts_deliver(co_alerts_t *a, CURL *c, const char *body)
{
    char err[CURL_ERROR_SIZE];
    for (int attempt = 0; attempt < 3; attempt++) {
        co__alert_resp_t r;
        int rc = co__alerts_post_once(c, a->url, body, &r, err);
        if (rc == 0 && r.status >= 200 && r.status < 300) {
            pthread_mutex_lock(&a->mu);
            a->counts.posted++;
            pthread_mutex_unlock(&a->mu);
            return;
        }
        int retry = rc != 0 || r.status == 429 || r.status >= 500;
        co_log(CO_LOG_WARN, NULL, NULL,
               "alerts: post to the %s webhook failed (%s%s%ld)%s",
               a->pagerduty ? "PagerDuty" : "Slack", rc ? err : "",
               rc ? "" : "HTTP ", rc ? 0L : r.status,
               retry && attempt < 2 ? ", retrying" : "");
        if (!retry)
            break;
        int64_t delay = r.retry_after_ms >= 0 && rc == 0 ? r.retry_after_ms
                                                         : 500LL << attempt;
        if (delay > 5000)
            delay = 5000;
        pthread_mutex_lock(&a->mu);
        if (attempt < 2)
            co__alerts_wait(a, delay);
        int stop = a->stop;
        pthread_mutex_unlock(&a->mu);
        if (stop)
            break;
    }
    pthread_mutex_lock(&a->mu);
    a->counts.post_errors++;
    pthread_mutex_unlock(&a->mu);
}

static void *co__alerts_worker(void *arg)
{
    co_alerts_t *a = arg;
    const co_curl_api_t *cu = co_curl(NULL, 0);
    CURL *c = cu != NULL ? cu->easy_init() : NULL;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->stop && a->posts == NULL)
            pthread_cond_wait(&a->cond, &a->mu);
        if (a->stop)
            break;
        char *body = co__alerts_pop(&a->posts);
        a->busy = 1;
        pthread_mutex_unlock(&a->mu);
        if (c != NULL)
            co__alerts_deliver(a, c, body);
        free(body);
        pthread_mutex_lock(&a->mu);
        a->busy = 0;
        pthread_cond_broadcast(&a->cond);
    }
    pthread_mutex_unlock(&a->mu);
    if (c != NULL)
        cu->easy_cleanup(c);
    return NULL;
}

/* ---- decisions ------------------------------------------------------- */

static void co__alerts_time(int64_t ms, char *buf, size_t size)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%03dZ", base, (int)(ms % 1000));
}

/* Builds the post body for Slack or PagerDuty. */
static char *co__alerts_post_body(co_alerts_t *a, const co__alert_watch_t *w,
                                  int trigger, const char *summary)
{
    json_t *j;
    if (a->pagerduty) {
        j = trigger
                ? json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "routing_key",
                            a->routing_key, "event_action", "trigger",
                            "dedup_key", w->dedup_key, "payload", "summary",
                            summary, "source", a->pipeline, "severity", "error")
                : json_pack("{s:s, s:s, s:s}", "routing_key", a->routing_key,
                            "event_action", "resolve", "dedup_key",
                            w->dedup_key);
    } else {
        /* Pipeline names come from the operator's manifest; the summary
         * holds no email text, so no mrkdwn escaping is needed beyond
         * what Slack tolerates. */
        char text[1024];
        snprintf(text, sizeof text, "%s %s",
                 trigger ? ":rotating_light:" : ":white_check_mark:", summary);
        j = json_pack("{s:s}", "text", text);
    }
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

static void co__alerts_fire(co_alerts_t *a, co__alert_watch_t *w, int trigger,
                            int64_t value, int64_t now_ms)
{
    if (trigger)
        snprintf(w->dedup_key, sizeof w->dedup_key, "careerops/%s/%s/%lld",
                 a->pipeline, w->name, (long long)now_ms);
    char summary[512], when[40];
    snprintf(summary, sizeof summary, "CareerOps %s: %s %lld is %s %lld",
             a->pipeline, w->label, (long long)value,
             trigger ? "above" : "back to or under", (long long)w->threshold);
    co__alerts_time(now_ms, when, sizeof when);
    co_log(trigger ? CO_LOG_ERROR : CO_LOG_INFO, NULL, NULL,
           "alert %s: %s (dedup_key %s)", trigger ? "trigger" : "resolve",
           summary, w->dedup_key);
    json_t *rec =
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "schema",
                  "careerops.alert.v1", "pipeline", a->pipeline, "alert",
                  w->name, "action", trigger ? "trigger" : "resolve", "value",
                  (json_int_t)value, "threshold", (json_int_t)w->threshold,
                  "dedup_key", w->dedup_key, "time", when, "summary", summary);
    char *rec_s = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    json_decref(rec);
    if (rec_s != NULL)
        co__alerts_push(&a->records, rec_s);
    if (trigger)
        a->counts.alerts++;
    else
        a->counts.resolves++;
    if (a->url != NULL && (!a->pagerduty || a->routing_key != NULL)) {
        char *body = co__alerts_post_body(a, w, trigger, summary);
        if (body != NULL) {
            co__alerts_push(&a->posts, body);
            pthread_cond_broadcast(&a->cond);
        }
    }
}

/* Pending while above the threshold for less than for_ms (logged once at
 * WARN), firing after (ERROR, post, record), resolved when back. */
static void co__alerts_check(co_alerts_t *a, co__alert_watch_t *w,
                             int64_t value, int64_t now_ms)
{
    if (w->threshold <= 0 || value < 0)
        return;
    int above = value > w->threshold;
    if (w->firing) {
        if (!above) {
            w->firing = 0;
            co__alerts_fire(a, w, 0, value, now_ms);
        }
        return;
    }
    if (!above) {
        if (w->pending)
            co_log(CO_LOG_INFO, NULL, NULL,
                   "alert %s no longer pending: %s %lld is back to or under "
                   "%lld before alerts.for_s",
                   w->name, w->label, (long long)value,
                   (long long)w->threshold);
        w->pending = 0;
        return;
    }
    if (!w->pending) {
        w->pending = 1;
        w->pending_ms = now_ms;
        if (a->for_ms > 0)
            co_log(CO_LOG_WARN, NULL, NULL,
                   "alert %s pending: %s %lld is above %lld; it fires if it "
                   "stays above for %lld s (alerts.for_s)",
                   w->name, w->label, (long long)value,
                   (long long)w->threshold, (long long)(a->for_ms / 1000));
    }
    if (now_ms - w->pending_ms >= a->for_ms) {
        w->pending = 0;
        w->firing = 1;
        co__alerts_fire(a, w, 1, value, now_ms);
    }
}

void co_alerts_tick(co_alerts_t *a, int64_t dlq_depth, int64_t max_consumer_lag,
                    int64_t now_ms)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->mu);
    co__alerts_check(a, &a->watch[0], dlq_depth, now_ms);
    co__alerts_check(a, &a->watch[1], max_consumer_lag, now_ms);
    pthread_mutex_unlock(&a->mu);
}

/* ---- life cycle ------------------------------------------------------ */

static char *co__alerts_dup(const char *s)
{
    return s != NULL && *s ? strdup(s) : NULL;
}

co_alerts_t *co_alerts_new(const co_manifest_t *m)
{
    const co_alerts_conf_t *c = &m->alerts;
    if (c->dlq_depth <= 0 && c->consumer_lag <= 0)
        return NULL;
    co_alerts_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    pthread_mutex_init(&a->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&a->cond, &ca);
    pthread_condattr_destroy(&ca);
    a->pipeline = strdup(m->pipeline ? m->pipeline : "careerops");
    a->url = co__alerts_dup(c->webhook_url);
    a->routing_key = co__alerts_dup(c->routing_key);
    a->topic = strdup(c->topic ? c->topic : "alerts");
    a->pagerduty = c->kind != NULL && strcmp(c->kind, "pagerduty") == 0;
    a->for_ms = c->for_s > 0 ? c->for_s * 1000 : 0;
    a->watch[0] = (co__alert_watch_t){.name = "dlq_depth",
                                      .label = "dead-letter depth",
                                      .threshold = c->dlq_depth};
    a->watch[1] = (co__alert_watch_t){.name = "consumer_lag",
                                      .label = "consumer lag",
                                      .threshold = c->consumer_lag};
    if (a->pipeline == NULL || a->topic == NULL) {
        co_alerts_free(a);
        return NULL;
    }
    if (a->url != NULL && !co_url_allowed(a->url)) {
        co_log(CO_LOG_WARN, NULL, NULL,
               "alerts.webhook_url is not a loopback address and "
               "CAREEROPS_LOOPBACK_ONLY=1: alerts are only logged");
        free(a->url);
        a->url = NULL;
    }
    if (a->url != NULL && a->pagerduty && a->routing_key == NULL)
        co_log(CO_LOG_WARN, NULL, NULL,
               "alerts.kind is \"pagerduty\" but alerts.routing_key is "
               "missing: alerts are only logged; set the integration key");
    char cerr[512];
    if (a->url != NULL && co_curl(cerr, sizeof cerr) == NULL) {
        co_log(CO_LOG_WARN, NULL, NULL,
               "alerts.webhook_url is set but %s: alerts are only logged",
               cerr);
        free(a->url);
        a->url = NULL;
    }
    if (a->url != NULL) {
        if (pthread_create(&a->worker, NULL, co__alerts_worker, a) == 0)
            a->worker_started = 1;
        else
            co_log(CO_LOG_WARN, NULL, NULL,
                   "alerts: cannot start the post thread (%s); alerts are "
                   "only logged",
                   strerror(errno));
    }
    return a;
}

int co_alerts_pending_record(co_alerts_t *a, char **json)
{
    *json = NULL;
    if (a == NULL)
        return 0;
    pthread_mutex_lock(&a->mu);
    *json = co__alerts_pop(&a->records);
    pthread_mutex_unlock(&a->mu);
    return *json != NULL;
}

const char *co_alerts_topic(const co_alerts_t *a)
{
    return a ? a->topic : "alerts";
}

void co_alerts_counts(co_alerts_t *a, co_alerts_counts_t *out)
{
    memset(out, 0, sizeof *out);
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->mu);
    *out = a->counts;
    pthread_mutex_unlock(&a->mu);
}

int co_alerts_drain(co_alerts_t *a, int timeout_ms)
{
    if (a == NULL)
        return 0;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += timeout_ms / 1000;
    t.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    while (a->worker_started && (a->posts != NULL || a->busy))
        if (pthread_cond_timedwait(&a->cond, &a->mu, &t) != 0) {
            rc = -1;
            break;
        }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

void co_alerts_free(co_alerts_t *a)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->mu);
    if (a->worker_started)
        pthread_join(a->worker, NULL);
    if (a->posts != NULL)
        co_log(CO_LOG_WARN, NULL, NULL,
               "alerts: shutting down with unsent alert posts (dropped)");
    co__alerts_clear(&a->posts);
    co__alerts_clear(&a->records);
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->mu);
    free(a->pipeline);
    free(a->url);
    free(a->routing_key);
    free(a->topic);
    free(a);
}
