/**
 * @file plugins/ollama-classifier/ollama_classifier.c
 * @brief ollama-classifier: classifies careerops.email.v1 records into
 *        careerops.event.v1 records with a local Ollama model.
 *
 * For each email: optionally settle obvious bulk mail (cascade), take a
 * token from the rate bucket (on the host's clock), POST /api/chat with the
 * fenced email and the event schema as `format`, validate the answer, emit
 * the event. Errors (README.md "Errors"): timeouts, connection failures,
 * 429/5xx and invalid answers -> CO_RETRY (the host retries, then
 * dead-letters); 400 -> CO_FAIL; 404 -> CO_FATAL with `ollama pull` hint.
 */
#include <careerops/plugin.h>

#include "co_http.h"
#include "ollama_answer.h"
#include "ollama_bucket.h"
#include "ollama_cascade.h"
#include "ollama_prompt.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Configuration filled by the host from the option table. */
typedef struct ollama_config_s {
    const char *base_url;
    const char *model;
    int64_t timeout_ms;
    int64_t num_ctx;
    const char *keep_alive;
    double temperature;
    int64_t max_email_chars;
    double rate_per_minute;
    int64_t burst;
    int cascade;
} ollama_config_t;

/** One instance (one per stage thread). */
typedef struct ollama_inst_s {
    co_stage_t *st;
    const ollama_config_t *cfg;
    co_http_t *http;
    char *chat_url;
    ollama_bucket_t bucket;
} ollama_inst_t;

static const co_host_api_t *api;

static const co_option_t ollama_options[] = {
    {CO_OPT_STR, "base_url", "http://127.0.0.1:11434", 0, 0, 0,
     offsetof(ollama_config_t, base_url),
     "Ollama server URL (no path); requests go to {base_url}/api/chat."},
    {CO_OPT_STR, "model", NULL, CO_OPT_REQUIRED, 0, 0,
     offsetof(ollama_config_t, model),
     "Model name as `ollama list` shows it, e.g. llama3.2:3b; it must be "
     "pulled first (`ollama pull NAME`)."},
    {CO_OPT_INT, "timeout_ms", "120000", 0, 100, 3600000,
     offsetof(ollama_config_t, timeout_ms),
     "Whole-request timeout in ms (a cold model load on a CPU can take a "
     "minute); a timeout is retried."},
    {CO_OPT_INT, "num_ctx", "8192", 0, 0, 1048576,
     offsetof(ollama_config_t, num_ctx),
     "Context window in tokens (options.num_ctx); 0 leaves the model's "
     "default. Keep it above max_email_chars/3 plus about 800."},
    {CO_OPT_STR, "keep_alive", "5m", 0, 0, 0,
     offsetof(ollama_config_t, keep_alive),
     "How long Ollama keeps the model loaded after a request, as a Go "
     "duration (\"5m\", \"1h\", \"-1s\" = forever, \"0\" = unload); \"\" "
     "leaves the server default."},
    {CO_OPT_DOUBLE, "temperature", "0", 0, 0, 2,
     offsetof(ollama_config_t, temperature),
     "Sampling temperature (options.temperature); 0 for repeatable labels."},
    {CO_OPT_INT, "max_email_chars", "6000", 0, 200, 200000,
     offsetof(ollama_config_t, max_email_chars),
     "Budget in characters for the email in the prompt (headers + body); a "
     "longer body is cut and the cut is marked."},
    {CO_OPT_DOUBLE, "rate_per_minute", "5", 0, 0, 60000,
     offsetof(ollama_config_t, rate_per_minute),
     "Model requests per minute (token bucket on the host clock); 0 turns "
     "the limit off."},
    {CO_OPT_INT, "burst", "1", 0, 1, 1000, offsetof(ollama_config_t, burst),
     "Token bucket capacity: requests allowed back to back after a pause."},
    {CO_OPT_BOOL, "cascade", "false", 0, 0, 0,
     offsetof(ollama_config_t, cascade),
     "Settle obvious bulk mail (job alerts, newsletters with List-Unsubscribe "
     "or List-Id) as OTHER without asking the model."},
    {0}};

/* ---- clock adapters for the bucket ----------------------------------- */

static int64_t ollama_now(void *ctx)
{
    return api->now_ms(ctx);
}

static int ollama_sleep(void *ctx, int64_t ms)
{
    return api->sleep_ms(ctx, ms);
}

/* ---- lifecycle -------------------------------------------------------- */

static co_status_t ollama_init(const co_host_api_t *a, co_stage_t *st,
                               const void *config, void **instance)
{
    api = a;
    const ollama_config_t *cfg = config;
    *instance = NULL;
    if (cfg->model == NULL || cfg->model[0] == '\0') {
        api->set_error(st, "config",
                       "option 'model' is empty: set it to an Ollama model "
                       "name such as \"llama3.2:3b\"");
        return CO_FATAL;
    }
    char err[256];
    if (co_http_check_url(cfg->base_url, err, sizeof err) != 0) {
        api->set_error(st, "config", "option 'base_url' (%s): %s",
                       cfg->base_url ? cfg->base_url : "", err);
        return CO_FATAL;
    }
    if (cfg->keep_alive != NULL && cfg->keep_alive[0] != '\0' &&
        !ollama_keep_alive_valid(cfg->keep_alive)) {
        api->set_error(st, "config",
                       "option 'keep_alive' \"%s\" is not a duration: use "
                       "e.g. \"5m\", \"1h\", \"-1s\" (forever) or \"0\"",
                       cfg->keep_alive);
        return CO_FATAL;
    }
    if (sodium_init() < 0) {
        api->set_error(st, "init", "libsodium failed to initialise");
        return CO_FATAL;
    }
    ollama_inst_t *in = calloc(1, sizeof *in);
    if (in == NULL)
        return CO_FATAL;
    in->st = st;
    in->cfg = cfg;
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        n--;
    if (asprintf(&in->chat_url, "%.*s/api/chat", (int)n, cfg->base_url) < 0)
        in->chat_url = NULL;
    in->http = co_http_new();
    *instance = in;
    if (in->chat_url == NULL || in->http == NULL) {
        api->set_error(st, "init", "out of memory or libcurl unavailable");
        return CO_FATAL;
    }
    ollama_bucket_init(&in->bucket, cfg->rate_per_minute, (double)cfg->burst);
    return CO_OK;
}

static void ollama_destroy(void *instance)
{
    ollama_inst_t *in = instance;
    if (in == NULL)
        return;
    co_http_destroy(in->http);
    free(in->chat_url);
    free(in);
}

/* ---- one email -------------------------------------------------------- */

static co_status_t ollama_emit_event(ollama_inst_t *in, const co_record_t *rec,
                                     json_t *email, const ollama_event_t *ev,
                                     const char *name, const char *model)
{
    char *value = ollama_event_json(email, ev, name, model);
    if (value == NULL) {
        api->set_error(in->st, "memory", "cannot build the event");
        return CO_RETRY;
    }
    const char *key = rec->key;
    size_t key_len = rec->key_len;
    if (key == NULL) {
        key = json_string_value(json_object_get(email, "key"));
        key_len = key ? strlen(key) : 0;
    }
    co_record_t out = CO_RECORD_INIT;
    out.key = key;
    out.key_len = key_len;
    out.value = value;
    out.value_len = strlen(value);
    int rc = api->emit(in->st, &out);
    free(value);
    if (rc != 0) {
        api->set_error(in->st, "emit", "cannot emit the event (error %d)", rc);
        return CO_RETRY;
    }
    return CO_OK;
}

/* Ollama's {"error": "..."} text, or the body's start. */
static void ollama_error_text(const co_http_response_t *r, char *out,
                              size_t out_size)
{
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
    const char *e = json_string_value(json_object_get(j, "error"));
    if (e != NULL)
        snprintf(out, out_size, "%s", e);
    else
        snprintf(out, out_size, "%.200s", r->body ? r->body : "");
    json_decref(j);
}

/* Maps a non-200 answer or transport failure to a status. */
static co_status_t ollama_http_failure(ollama_inst_t *in,
                                       const co_http_response_t *r)
{
    const char *model = in->cfg->model;
    uint32_t hint = 0;
    char msg[512];
    co_status_t st = co_http_classify(r, &hint, msg, sizeof msg);
    if (r->fail != CO_HTTP_OK) {
        api->set_error(in->st, co_http_error_class(r), "POST %s: %s",
                       in->chat_url, msg);
        return st;
    }
    char text[300];
    ollama_error_text(r, text, sizeof text);
    if (r->status == 404) {
        if (strstr(text, "not found") != NULL && strstr(text, "model") != NULL)
            api->set_error(in->st, "model",
                           "model '%s' is not available on the Ollama server "
                           "at %s (%s): run `ollama pull %s` there, or set "
                           "'model' to one that `ollama list` shows",
                           model, in->cfg->base_url, text, model);
        else
            api->set_error(in->st, "config",
                           "%s answered 404 (%s): is 'base_url' an Ollama "
                           "server?",
                           in->chat_url, text);
        return CO_FATAL;
    }
    if (r->status == 400) {
        api->set_error(in->st, "http", "Ollama rejected the request (400): %s",
                       text);
        return CO_FAIL;
    }
    api->set_error(in->st, "http", "Ollama answered %ld: %s", r->status, text);
    if (st == CO_RETRY && hint > 0)
        api->retry_after(in->st, hint);
    return st;
}

static co_status_t ollama_ask(ollama_inst_t *in, const co_record_t *rec,
                              json_t *email)
{
    const ollama_config_t *cfg = in->cfg;
    int64_t waited = 0;
    if (ollama_bucket_acquire(&in->bucket, ollama_now, ollama_sleep, in->st,
                              &waited) != 0) {
        api->set_error(in->st, "stopping",
                       "stage stopping while waiting for the rate limit");
        return CO_RETRY;
    }
    if (waited > 0)
        api->metric_add(in->st, "rate_wait_ms", (double)waited);

    /* A random fence tag per request: the email cannot know it. */
    unsigned char raw[8];
    char tag[2 * sizeof raw + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(tag, sizeof tag, raw, sizeof raw);

    int truncated = 0;
    char *user = ollama_user_message(email, tag, (size_t)cfg->max_email_chars,
                                     &truncated);
    ollama_request_opts_t o = {.model = cfg->model,
                               .temperature = cfg->temperature,
                               .num_ctx = cfg->num_ctx,
                               .keep_alive = cfg->keep_alive};
    char *body = user ? ollama_request_json(&o, user) : NULL;
    free(user);
    if (body == NULL) {
        api->set_error(in->st, "memory", "cannot build the request");
        return CO_RETRY;
    }
    if (truncated)
        api->metric_add(in->st, "truncated_emails", 1);

    co_http_response_t r;
    co_http_post_json(in->http, in->chat_url, body, NULL, (long)cfg->timeout_ms,
                      &r);
    free(body);
    api->metric_add(in->st, "model_requests", 1);
    api->metric_set(in->st, "last_request_ms", (double)r.elapsed_ms);

    co_status_t st;
    if (r.fail != CO_HTTP_OK || r.status != 200) {
        st = ollama_http_failure(in, &r);
    } else {
        ollama_event_t ev;
        char err[512];
        ollama_answer_rc_t rc =
            ollama_answer_parse(r.body, r.body_len, &ev, err, sizeof err);
        if (rc == OLLAMA_ANSWER_OK) {
            st = ollama_emit_event(in, rec, email, &ev, "ollama-classifier",
                                   cfg->model);
            ollama_event_clear(&ev);
        } else {
            api->metric_add(in->st, "invalid_answers", 1);
            api->set_error(
                in->st, rc == OLLAMA_ANSWER_BAD_RESPONSE ? "parse" : "schema",
                "%s", err);
            st = CO_RETRY;
        }
    }
    co_http_response_clear(&r);
    return st;
}

static co_status_t ollama_process(void *instance, const co_record_t *rec)
{
    ollama_inst_t *in = instance;
    json_error_t je;
    json_t *email = json_loadb(rec->value ? rec->value : "",
                               rec->value ? rec->value_len : 0, 0, &je);
    const char *schema = json_string_value(json_object_get(email, "schema"));
    if (email == NULL || schema == NULL ||
        strcmp(schema, "careerops.email.v1") != 0) {
        if (email == NULL)
            api->set_error(in->st, "parse",
                           "input record is not JSON (%s at offset %d): "
                           "expected a careerops.email.v1 document",
                           je.text, je.position);
        else
            api->set_error(in->st, "parse",
                           "input record has schema '%s': expected "
                           "careerops.email.v1 (is 'input' the mail "
                           "source's topic?)",
                           schema ? schema : "(none)");
        json_decref(email);
        return CO_FAIL;
    }

    co_status_t st;
    json_t *evidence = json_array();
    if (in->cfg->cascade && ollama_cascade_settle(email, evidence)) {
        ollama_event_t ev = {
            .event_type = "OTHER", .confidence = 0.9, .evidence = evidence};
        st = ollama_emit_event(in, rec, email, &ev, "ollama-classifier/cascade",
                               "bulk-rules-v1");
        if (st == CO_OK)
            api->metric_add(in->st, "cascade_settled", 1);
    } else {
        st = ollama_ask(in, rec, email);
    }
    json_decref(evidence);
    json_decref(email);
    return st;
}

static const co_plugin_t ollama_plugin = {
    CO_PLUGIN_HEADER,
    .name = "ollama-classifier",
    .version = "1.0.0",
    .description = "Classifies emails into careerops events with a local "
                   "Ollama model (JSON Schema output, validated).",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .options = ollama_options,
    .config_size = sizeof(ollama_config_t),
    .init = ollama_init,
    .process = ollama_process,
    .destroy = ollama_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    api = a;
    return &ollama_plugin;
}
