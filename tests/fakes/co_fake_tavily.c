/**
 * @file tests/fakes/co_fake_tavily.c
 * @brief The fake Tavily Search API; see co_fake_tavily.h and WIRE.md 3.
 */
#include "co_fake_tavily.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct co__ft_error_s {
    int status;
    char *message;
    int retry_after_s;
    struct co__ft_error_s *next;
} co__ft_error_t;

struct co_fake_tavily_s {
    pthread_mutex_t mu;
    char *key;
    co__ft_error_t *errors; /* FIFO */
    json_t *news;           /* results for topic news, or NULL */
    json_t *general;        /* results for other topics, or NULL */
    size_t searches;
    size_t request_ids;
};

static void co__ft_free(void *p)
{
    co_fake_tavily_t *t = p;
    while (t->errors != NULL) {
        co__ft_error_t *e = t->errors;
        t->errors = e->next;
        free(e->message);
        free(e);
    }
    json_decref(t->news);
    json_decref(t->general);
    free(t->key);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static void co__ft_detail(co_fake_reply_t *reply, int status, const char *msg)
{
    json_t *j = json_pack("{s:{s:s}}", "detail", "error", msg);
    char *s = json_dumps(j, JSON_COMPACT);
    co_fake_reply_set(reply, status, "application/json", s);
    free(s);
    json_decref(j);
}

static const char *co__ft_default_message(int status)
{
    switch (status) {
    case 401:
        return "Unauthorized: missing or invalid API key.";
    case 429:
        return CO_FAKE_TAVILY_429;
    case 432:
        return CO_FAKE_TAVILY_432;
    case 433:
        return CO_FAKE_TAVILY_433;
    default:
        return "Internal Server Error";
    }
}

/* Generated results for a query: https://<topic>.example/<slug>/<n>. */
static json_t *co__ft_generate(const char *topic, const char *query, int n)
{
    char slug[64];
    size_t j = 0;
    for (const char *p = query; *p && j + 1 < sizeof slug; p++)
        if (isalnum((unsigned char)*p))
            slug[j++] = (char)tolower((unsigned char)*p);
        else if (j > 0 && slug[j - 1] != '-')
            slug[j++] = '-';
    while (j > 0 && slug[j - 1] == '-')
        j--;
    slug[j] = '\0';
    json_t *arr = json_array();
    for (int i = 1; i <= n; i++) {
        char url[160], title[160], content[400];
        snprintf(url, sizeof url, "https://%s.example/%s/%d", topic, slug, i);
        snprintf(title, sizeof title, "%s result %d: %s", topic, i, query);
        snprintf(content, sizeof content,
                 "Result %d about %s. The company builds products for its "
                 "customers and announced news this quarter.",
                 i, query);
        json_t *r = json_pack("{s:s,s:s,s:s,s:f,s:n,s:n}", "title", title,
                              "url", url, "content", content, "score",
                              0.9 - 0.1 * i, "raw_content", "favicon");
        if (strcmp(topic, "news") == 0) {
            char date[40];
            snprintf(date, sizeof date, "Mon, 0%d Mar 2025 10:00:00 GMT", i);
            json_object_set_new(r, "published_date", json_string(date));
        }
        json_array_append_new(arr, r);
    }
    return arr;
}

static void co__ft_search(co_fake_t *f, const co_fake_request_t *req,
                          co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_tavily_t *t = ud;
    pthread_mutex_lock(&t->mu);
    t->searches++;
    size_t rid = ++t->request_ids;
    char *key = t->key ? strdup(t->key) : NULL;
    co__ft_error_t *e = NULL;
    pthread_mutex_unlock(&t->mu);

    if (key != NULL) {
        const char *auth = co_fake_request_header(req, "Authorization");
        int ok = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
                 strcmp(auth + 7, key) == 0;
        free(key);
        if (!ok) {
            co__ft_detail(reply, 401, co__ft_default_message(401));
            return;
        }
    }
    pthread_mutex_lock(&t->mu);
    e = t->errors;
    if (e != NULL)
        t->errors = e->next;
    pthread_mutex_unlock(&t->mu);
    if (e != NULL && e->status == 0) { /* pass: answer normally */
        free(e->message);
        free(e);
        e = NULL;
    } else if (e != NULL) {
        co__ft_detail(reply, e->status,
                      e->message ? e->message
                                 : co__ft_default_message(e->status));
        if (e->retry_after_s >= 0) {
            char v[16];
            snprintf(v, sizeof v, "%d", e->retry_after_s);
            co_fake_reply_header(reply, "Retry-After", v);
        }
        free(e->message);
        free(e);
        return;
    }

    json_t *root = json_loadb(req->body, req->body_len, 0, NULL);
    if (!json_is_object(root)) {
        co__ft_detail(reply, 400, "Invalid JSON body.");
        json_decref(root);
        return;
    }
    const char *query = json_string_value(json_object_get(root, "query"));
    if (query == NULL || strlen(query) < 2) {
        co__ft_detail(reply, 400,
                      "Query is too short. Min query length is 2 "
                      "characters.");
        json_decref(root);
        return;
    }
    const char *topic = json_string_value(json_object_get(root, "topic"));
    if (topic == NULL)
        topic = "general";
    if (strcmp(topic, "general") != 0 && strcmp(topic, "news") != 0 &&
        strcmp(topic, "finance") != 0) {
        co__ft_detail(reply, 400,
                      "Invalid topic. Must be 'general', 'news' "
                      "or 'finance'.");
        json_decref(root);
        return;
    }
    json_t *mr = json_object_get(root, "max_results");
    int n = json_is_integer(mr) ? (int)json_integer_value(mr) : 5;
    if (n > 3)
        n = 3;
    pthread_mutex_lock(&t->mu);
    json_t *set = strcmp(topic, "news") == 0 ? t->news : t->general;
    json_t *results = set ? json_deep_copy(set) : NULL;
    pthread_mutex_unlock(&t->mu);
    if (results == NULL)
        results = co__ft_generate(topic, query, n < 0 ? 0 : n);
    char request_id[40];
    snprintf(request_id, sizeof request_id, "req-%08zu", rid);
    json_t *out = json_pack("{s:s,s:n,s:[],s:o,s:f,s:{s:i},s:s,s:n}", "query",
                            query, "answer", "images", "results", results,
                            "response_time", 0.42, "usage", "credits", 1,
                            "request_id", request_id, "follow_up_questions");
    char *s = json_dumps(out, JSON_COMPACT);
    co_fake_reply_set(reply, 200, "application/json", s);
    free(s);
    json_decref(out);
    json_decref(root);
}

co_fake_tavily_t *co_fake_tavily_install(co_fake_t *f)
{
    co_fake_tavily_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    pthread_mutex_init(&t->mu, NULL);
    if (co_fake_attach(f, t, co__ft_free) != 0) {
        co__ft_free(t);
        return NULL;
    }
    if (co_fake_route(f, "POST", "/search", co__ft_search, t) != 0)
        return NULL;
    return t;
}

void co_fake_tavily_set_key(co_fake_tavily_t *t, const char *key)
{
    pthread_mutex_lock(&t->mu);
    free(t->key);
    t->key = key ? strdup(key) : NULL;
    pthread_mutex_unlock(&t->mu);
}

void co_fake_tavily_push_error(co_fake_tavily_t *t, int status,
                               const char *message, int retry_after_s)
{
    co__ft_error_t *e = calloc(1, sizeof *e);
    if (e == NULL)
        return;
    e->status = status;
    e->message = message ? strdup(message) : NULL;
    e->retry_after_s = retry_after_s;
    pthread_mutex_lock(&t->mu);
    co__ft_error_t **pp = &t->errors;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = e;
    pthread_mutex_unlock(&t->mu);
}

int co_fake_tavily_set_results(co_fake_tavily_t *t, const char *topic,
                               const char *results_json)
{
    json_t *a = json_loads(results_json, 0, NULL);
    if (!json_is_array(a)) {
        json_decref(a);
        return -1;
    }
    pthread_mutex_lock(&t->mu);
    if (topic == NULL || strcmp(topic, "news") == 0) {
        json_decref(t->news);
        t->news = json_incref(a);
    }
    if (topic == NULL || strcmp(topic, "news") != 0) {
        json_decref(t->general);
        t->general = json_incref(a);
    }
    pthread_mutex_unlock(&t->mu);
    json_decref(a);
    return 0;
}

size_t co_fake_tavily_search_count(co_fake_tavily_t *t)
{
    pthread_mutex_lock(&t->mu);
    size_t n = t->searches;
    pthread_mutex_unlock(&t->mu);
    return n;
}
