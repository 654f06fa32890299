/**
 * @file tests/fakes/co_fake_slack.c
 * @brief Fake Slack incoming webhook and PagerDuty Events API v2 (see
 *        co_fake_slack.h).
 */
#include "co_fake_slack.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct co__fs_answer_s {
    int status, retry_after_s;
    char *body;
    struct co__fs_answer_s *next;
} co__fs_answer_t;

typedef struct co__fs_list_s {
    char **items;
    size_t n;
} co__fs_list_t;

struct co_fake_slack_s {
    pthread_mutex_t mu;
    co__fs_answer_t *answers; /* FIFO */
    int delay_ms;
    size_t attempts;
    co__fs_list_t posts, events;
};

static void co__fs_list_add(co__fs_list_t *l, const char *s)
{
    char **p = realloc(l->items, (l->n + 1) * sizeof *p);
    if (p == NULL)
        return;
    l->items = p;
    l->items[l->n++] = strdup(s);
}

static char *co__fs_list_at(co_fake_slack_t *s, co__fs_list_t *l, size_t i)
{
    pthread_mutex_lock(&s->mu);
    char *r = i < l->n && l->items[i] ? strdup(l->items[i]) : NULL;
    pthread_mutex_unlock(&s->mu);
    return r;
}

static void co__fs_free(void *p)
{
    co_fake_slack_t *s = p;
    while (s->answers != NULL) {
        co__fs_answer_t *a = s->answers;
        s->answers = a->next;
        free(a->body);
        free(a);
    }
    for (size_t i = 0; i < s->posts.n; i++)
        free(s->posts.items[i]);
    for (size_t i = 0; i < s->events.n; i++)
        free(s->events.items[i]);
    free(s->posts.items);
    free(s->events.items);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* Length in characters of a text object's "text". */
static size_t co__fs_text_len(json_t *text_obj)
{
    size_t n = 0;
    for (const char *p = json_string_value(json_object_get(text_obj, "text"));
         p && *p; p++)
        n += ((unsigned char)*p & 0xC0) != 0x80;
    return n;
}

/* NULL when the blocks are acceptable, else the reason. */
static const char *co__fs_check_blocks(json_t *blocks)
{
    if (blocks == NULL)
        return NULL;
    if (!json_is_array(blocks) || json_array_size(blocks) > 50)
        return "more than 50 blocks or not an array";
    size_t i;
    json_t *b;
    json_array_foreach(blocks, i, b)
    {
        const char *t = json_string_value(json_object_get(b, "type"));
        if (t == NULL)
            return "block without type";
        if (strcmp(t, "header") == 0) {
            if (co__fs_text_len(json_object_get(b, "text")) > 150)
                return "header text over 150";
        } else if (strcmp(t, "section") == 0) {
            if (co__fs_text_len(json_object_get(b, "text")) > 3000)
                return "section text over 3000";
        } else if (strcmp(t, "actions") == 0) {
            size_t j;
            json_t *e;
            json_array_foreach(json_object_get(b, "elements"), j, e)
            {
                const char *u = json_string_value(json_object_get(e, "url"));
                if (u != NULL && strlen(u) > 3000)
                    return "button url over 3000";
            }
        } else if (strcmp(t, "context") != 0 && strcmp(t, "divider") != 0 &&
                   strcmp(t, "image") != 0) {
            return "unknown block type";
        }
    }
    return NULL;
}

static void co__fs_webhook(co_fake_t *f, const co_fake_request_t *req,
                           co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_slack_t *s = ud;
    pthread_mutex_lock(&s->mu);
    s->attempts++;
    co__fs_answer_t *a = s->answers;
    if (a != NULL)
        s->answers = a->next;
    int delay = s->delay_ms;
    pthread_mutex_unlock(&s->mu);
    if (a != NULL) {
        co_fake_reply_set(reply, a->status, "text/html",
                          a->body ? a->body : "");
        if (a->retry_after_s >= 0) {
            char v[32];
            snprintf(v, sizeof v, "%d", a->retry_after_s);
            co_fake_reply_header(reply, "Retry-After", v);
        }
        free(a->body);
        free(a);
        return;
    }
    if (strncmp(req->path, "/services/archived", 18) == 0) {
        co_fake_reply_set(reply, 410, "text/html", "channel_is_archived");
        return;
    }
    if (strncmp(req->path, "/services/gone", 14) == 0) {
        co_fake_reply_set(reply, 404, "text/html", "no_service");
        return;
    }
    if (strncmp(req->path, "/services/notfound", 18) == 0) {
        co_fake_reply_set(reply, 404, "text/html", "channel_not_found");
        return;
    }
    if (strncmp(req->path, "/services/revoked", 17) == 0) {
        co_fake_reply_set(reply, 403, "text/html", "invalid_token");
        return;
    }
    if (strncmp(req->path, "/services/webapi", 16) == 0) {
        co_fake_reply_set(reply, 200, "application/json",
                          "{\"ok\":false,\"error\":\"invalid_auth\"}");
        return;
    }
    json_t *m = json_loads(req->body, 0, NULL);
    const char *bad = NULL;
    if (m == NULL || !json_is_object(m))
        bad = "invalid_payload";
    else if (json_object_get(m, "text") == NULL &&
             json_object_get(m, "blocks") == NULL)
        bad = "no_text";
    else if (co__fs_check_blocks(json_object_get(m, "blocks")) != NULL)
        bad = "invalid_blocks";
    json_decref(m);
    if (bad != NULL) {
        co_fake_reply_set(reply, 400, "text/html", bad);
        return;
    }
    pthread_mutex_lock(&s->mu);
    co__fs_list_add(&s->posts, req->body);
    pthread_mutex_unlock(&s->mu);
    co_fake_reply_set(reply, 200, "text/plain", "ok");
    reply->delay_ms = delay;
}

static void co__fs_pd_invalid(co_fake_reply_t *reply, const char *why)
{
    json_t *j = json_pack("{s:s, s:s, s:[s]}", "status", "invalid event",
                          "message", "Event object is invalid", "errors", why);
    char *txt = json_dumps(j, JSON_COMPACT);
    co_fake_reply_set(reply, 400, NULL, txt);
    free(txt);
    json_decref(j);
}

static void co__fs_pagerduty(co_fake_t *f, const co_fake_request_t *req,
                             co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_slack_t *s = ud;
    json_t *e = json_loads(req->body, 0, NULL);
    const char *rk = json_string_value(json_object_get(e, "routing_key"));
    const char *act = json_string_value(json_object_get(e, "event_action"));
    const char *dk = json_string_value(json_object_get(e, "dedup_key"));
    json_t *p = json_object_get(e, "payload");
    const char *sev = json_string_value(json_object_get(p, "severity"));
    const char *why = NULL;
    if (e == NULL || !json_is_object(e))
        why = "Event object is not JSON";
    else if (rk == NULL || strlen(rk) != 32)
        why = "'routing_key' must be 32 characters";
    else if (act == NULL ||
             (strcmp(act, "trigger") != 0 && strcmp(act, "resolve") != 0 &&
              strcmp(act, "acknowledge") != 0))
        why = "'event_action' is invalid";
    else if (strcmp(act, "trigger") == 0 &&
             (!json_is_string(json_object_get(p, "summary")) ||
              !json_is_string(json_object_get(p, "source")) || sev == NULL ||
              (strcmp(sev, "critical") != 0 && strcmp(sev, "error") != 0 &&
               strcmp(sev, "warning") != 0 && strcmp(sev, "info") != 0)))
        why = "'payload' needs summary, source and a valid severity";
    else if (strcmp(act, "trigger") != 0 && dk == NULL)
        why = "'dedup_key' is required for acknowledge and resolve";
    if (why != NULL) {
        json_decref(e);
        co__fs_pd_invalid(reply, why);
        return;
    }
    char gen[32];
    snprintf(gen, sizeof gen, "fake-%zu", co_fake_pagerduty_events(s));
    co_fake_reply_json(reply, 202,
                       "{\"status\":\"success\",\"message\":\"Event "
                       "processed\",\"dedup_key\":\"%s\"}",
                       dk ? dk : gen);
    json_decref(e);
    pthread_mutex_lock(&s->mu);
    co__fs_list_add(&s->events, req->body);
    pthread_mutex_unlock(&s->mu);
}

co_fake_slack_t *co_fake_slack_install(co_fake_t *f)
{
    co_fake_slack_t *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    if (co_fake_attach(f, s, co__fs_free) != 0) {
        co__fs_free(s);
        return NULL;
    }
    if (co_fake_route(f, "POST", "/services/*", co__fs_webhook, s) != 0 ||
        co_fake_route(f, "POST", "/v2/enqueue", co__fs_pagerduty, s) != 0)
        return NULL;
    return s;
}

void co_fake_slack_push(co_fake_slack_t *s, int status, const char *body,
                        int retry_after_s)
{
    co__fs_answer_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return;
    a->status = status;
    a->body = body ? strdup(body) : NULL;
    a->retry_after_s = retry_after_s;
    pthread_mutex_lock(&s->mu);
    co__fs_answer_t **pp = &s->answers;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = a;
    pthread_mutex_unlock(&s->mu);
}

void co_fake_slack_set_delay(co_fake_slack_t *s, int ms)
{
    pthread_mutex_lock(&s->mu);
    s->delay_ms = ms;
    pthread_mutex_unlock(&s->mu);
}

size_t co_fake_slack_attempts(co_fake_slack_t *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->attempts;
    pthread_mutex_unlock(&s->mu);
    return n;
}

size_t co_fake_slack_posts(co_fake_slack_t *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->posts.n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

char *co_fake_slack_post_at(co_fake_slack_t *s, size_t i)
{
    return co__fs_list_at(s, &s->posts, i);
}

size_t co_fake_pagerduty_events(co_fake_slack_t *s)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->events.n;
    pthread_mutex_unlock(&s->mu);
    return n;
}

char *co_fake_pagerduty_event_at(co_fake_slack_t *s, size_t i)
{
    return co__fs_list_at(s, &s->events, i);
}
