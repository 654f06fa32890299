/**
 * @file plugins/ollama-classifier/ollama_classifier.c
 * @brief ollama-classifier: classifies careerops.email.v1 records into
 *        careerops.event.v1 records with a local Ollama model.
 *
 * For each email: optionally settle obvious bulk mail (cascade), take a
 * token from the rate bucket (on the host's clock), POST /api/chat (or, with
 * api "openai", /v1/chat/completions) with the fenced email and the event
 * schema as `format` / `response_format`, validate the answer, emit the
 * event. An answer cut at the token limit (done_reason / finish_reason
 * "length") is never accepted: the request is sent once more with
 * num_predict x4, and if that is cut too the local classifier (the
 * rules-classifier engine) decides and the event says so (`fallback`).
 * When the LLM and the local classifier disagree on a job label, the event
 * carries both (`unsure`, `opinions`).
 * Errors (README.md "Errors"): timeouts, connection failures,
 * 429/5xx and invalid answers -> CO_RETRY (the host retries, then
 * dead-letters); 400 -> CO_FAIL; 404 -> CO_FATAL with `ollama pull` hint;
 * 401/403 -> CO_FATAL naming api_key_file.
 */
#include <careerops/plugin.h>

#include "co_http.h"
#include "co_readfile.h"
#include "ollama_answer.h"
#include "ollama_bucket.h"
#include "ollama_cascade.h"
#include "ollama_local.h"
#include "ollama_prompt.h"
#include "rules_model.h"

#include <errno.h>
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
    const char *api_dialect;
    const char *api_key_file;
    int64_t num_predict;
    int local;
    const char *local_rules_dir;
    const char *local_model_file;
} ollama_config_t;

/* The retry after a cut answer asks for this many times more tokens. */
#define OLLAMA_RETRY_FACTOR    4
#define OLLAMA_NUM_PREDICT_MAX 32768
#define OLLAMA_KEY_FILE_MAX    ((size_t)64 << 10) /* api_key_file */

/** One instance (one per stage thread). */
typedef struct ollama_inst_s {
    co_stage_t *st;
    const ollama_config_t *cfg;
    co_http_t *http;
    char *chat_url;
    ollama_bucket_t bucket;
    int openai;            /* api "openai" */
    char *auth_header;     /* "Authorization: Bearer KEY" or NULL */
    ollama_local_t *local; /* second opinion and fallback, or NULL */
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
    {CO_OPT_STR, "api", "ollama", 0, 0, 0,
     offsetof(ollama_config_t, api_dialect),
     "Server dialect: \"ollama\" (POST {base_url}/api/chat with `format`) "
     "or \"openai\" (POST {base_url}/v1/chat/completions with "
     "`response_format` JSON Schema: llama.cpp's server, vLLM, LM Studio, "
     "hosted APIs)."},
    {CO_OPT_STR, "api_key_file", "", CO_OPT_PATH, 0, 0,
     offsetof(ollama_config_t, api_key_file),
     "File holding the API key sent as `Authorization: Bearer KEY` (for "
     "hosted OpenAI-compatible APIs; relative to the manifest's folder); "
     "\"\" sends none. Keep it out of the manifest: only the path goes "
     "there."},
    {CO_OPT_INT, "num_predict", "512", 0, 16, OLLAMA_NUM_PREDICT_MAX,
     offsetof(ollama_config_t, num_predict),
     "Answer token limit (options.num_predict / max_tokens). An answer cut "
     "at the limit is never accepted: it is asked again once with 4 times "
     "the limit, then the local classifier decides."},
    {CO_OPT_BOOL, "local", "true", 0, 0, 0, offsetof(ollama_config_t, local),
     "Run the local classifier (rules-classifier engine) on every email: "
     "its label is the second opinion (a disagreement on a job label marks "
     "the event unsure) and the fallback when the model's answer is cut "
     "twice."},
    {CO_OPT_STR, "local_rules_dir", "", CO_OPT_PATH, 0, 0,
     offsetof(ollama_config_t, local_rules_dir),
     "Rules tables of the local classifier; \"\" uses the installed ones."},
    {CO_OPT_STR, "local_model_file", "", CO_OPT_PATH, 0, 0,
     offsetof(ollama_config_t, local_model_file),
     "Learned model of the local classifier (careerops train --out); \"\" "
     "uses classifier.model next to the rules tables."},
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

/* Reads the API key file into "Authorization: Bearer KEY". */
static int ollama_read_key(const char *path, char **header, char *err,
                           size_t err_size)
{
    /* lib/readfile: fopen() of a FIFO nothing writes to hung run for ever,
     * deaf to SIGTERM (trial 54); it now fails after 5 s */
    char *key = NULL;
    size_t n = 0;
    int rc = co_readfile_max(path, &key, &n, OLLAMA_KEY_FILE_MAX);
    if (rc != 0) {
        snprintf(err, err_size,
                 "cannot read %s: %s (write the API key into that file, "
                 "mode 0600)",
                 path,
                 rc == -EFBIG ? "larger than 64 KiB"
                              : co_readfile_strerror(rc));
        return -1;
    }
    char *a = key, *b = key + n;
    while (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r')
        a++;
    while (b > a &&
           (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n' || b[-1] == '\r'))
        b--;
    *b = '\0';
    rc = 0;
    if (*a == '\0' || strpbrk(a, "\r\n") != NULL) {
        snprintf(err, err_size,
                 "%s is empty or holds more than one line: write only the "
                 "API key",
                 path);
        rc = -1;
    } else if (asprintf(header, "Authorization: Bearer %s", a) < 0) {
        *header = NULL;
        snprintf(err, err_size, "out of memory");
        rc = -1;
    }
    sodium_memzero(key, n);
    free(key);
    return rc;
}

/* ---- lifecycle -------------------------------------------------------- */

/* ABI 1.2 check, also run by init(): model, base_url, keep_alive and
 * api, so that `careerops validate` refuses them before anything starts
 * (nothing is contacted). */
static co_status_t ollama_check(const void *config, char *err, size_t errsz)
{
    const ollama_config_t *cfg = config;
    /* no blank, control character (C0, DEL, C1 as UTF-8) in a model name
     * (trial 47: "llama\t3" and "llama 3" were taken) */
    int bad = cfg->model == NULL || cfg->model[0] == '\0';
    for (const unsigned char *q = (const unsigned char *)cfg->model; !bad && *q;
         q++)
        bad = *q <= ' ' || *q == 0x7f ||
              (q[0] == 0xc2 && q[1] >= 0x80 && q[1] <= 0x9f);
    if (bad) {
        snprintf(err, errsz,
                 "model: empty, or with a blank or a control character: set "
                 "it to a model name such as \"llama3.2:3b\"");
        return CO_FATAL;
    }
    char e[256];
    /* with an API key, every request carries it: plain http only to
     * loopback (Ollama itself has no key: http on a LAN stays allowed) */
    int keyed = cfg->api_key_file != NULL && cfg->api_key_file[0] != '\0';
    if (co_http_check_url_ex(cfg->base_url,
                             CO_BASE_URL_FLAGS | (keyed ? CO_HTTP_URL_TLS : 0),
                             e, sizeof e) != 0) {
        /* not quoted: it may hold a password (trial 53) */
        snprintf(err, errsz, "base_url: %s", e);
        return CO_FATAL;
    }
    if (cfg->keep_alive != NULL && cfg->keep_alive[0] != '\0' &&
        !ollama_keep_alive_valid(cfg->keep_alive)) {
        snprintf(err, errsz,
                 "keep_alive: \"%s\" is not a duration: use e.g. \"5m\", "
                 "\"1h\", \"-1s\" (forever) or \"0\"",
                 cfg->keep_alive);
        return CO_FATAL;
    }
    const char *dialect = cfg->api_dialect ? cfg->api_dialect : "ollama";
    if (strcmp(dialect, "ollama") != 0 && strcmp(dialect, "openai") != 0) {
        snprintf(err, errsz,
                 "api: \"%s\" is unknown: use \"ollama\" (the default) or "
                 "\"openai\"",
                 dialect);
        return CO_FATAL;
    }
    /* stat() only (check() opens nothing): a FIFO hung run (trial 54) */
    const char *kind = cfg->api_key_file && cfg->api_key_file[0]
                           ? co_readfile_not_regular(cfg->api_key_file)
                           : NULL;
    if (kind != NULL) {
        snprintf(err, errsz,
                 "api_key_file: '%s' is %s: write the "
                 "API key into a file (mode 0600) and name that",
                 cfg->api_key_file, kind);
        return CO_FATAL;
    }
    return CO_OK;
}

static co_status_t ollama_init(const co_host_api_t *a, co_stage_t *st,
                               const void *config, void **instance)
{
    api = a;
    const ollama_config_t *cfg = config;
    *instance = NULL;
    char err[512];
    if (ollama_check(cfg, err, sizeof err) != CO_OK) {
        api->set_error(st, "config", "option %s", err);
        return CO_FATAL;
    }
    if (sodium_init() < 0) {
        api->set_error(st, "init", "libsodium failed to initialise");
        return CO_FATAL;
    }
    const char *dialect = cfg->api_dialect ? cfg->api_dialect : "ollama";
    ollama_inst_t *in = calloc(1, sizeof *in);
    if (in == NULL)
        return CO_FATAL;
    in->st = st;
    in->cfg = cfg;
    in->openai = strcmp(dialect, "openai") == 0;
    *instance = in;
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        n--;
    /* A base_url that already ends in /v1 is not given a second one. */
    int has_v1 = n >= 3 && strncmp(cfg->base_url + n - 3, "/v1", 3) == 0;
    if (asprintf(&in->chat_url, "%.*s%s", (int)n, cfg->base_url,
                 !in->openai ? "/api/chat"
                 : has_v1    ? "/chat/completions"
                             : "/v1/chat/completions") < 0)
        in->chat_url = NULL;
    in->http = co_http_new();
    if (in->chat_url == NULL || in->http == NULL) {
        api->set_error(st, "init", "out of memory or libcurl unavailable");
        return CO_FATAL;
    }
    /* a SIGTERM ends a generation the server sits on (the stage stops
     * after the drain; the record is read again at the next start) */
    co_http_stop_with_host(in->http, a, st);
    char err2[600];
    if (cfg->api_key_file != NULL && cfg->api_key_file[0] != '\0' &&
        ollama_read_key(cfg->api_key_file, &in->auth_header, err2,
                        sizeof err2) != 0) {
        api->set_error(st, "config", "option 'api_key_file': %s", err2);
        return CO_FATAL;
    }
    if (cfg->local) {
        in->local = ollama_local_load(cfg->local_rules_dir,
                                      cfg->local_model_file, err2, sizeof err2);
        if (in->local == NULL) {
            api->set_error(st, "config",
                           "%s (or set local: false to run without the "
                           "local classifier)",
                           err2);
            return CO_FATAL;
        }
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
    ollama_local_free(in->local);
    if (in->auth_header != NULL)
        sodium_memzero(in->auth_header, strlen(in->auth_header));
    free(in->auth_header);
    free(in->chat_url);
    free(in);
}

/* ---- one email -------------------------------------------------------- */

static co_status_t ollama_emit_event(ollama_inst_t *in, const co_record_t *rec,
                                     json_t *email, const ollama_event_t *ev,
                                     const char *name, const char *model,
                                     json_t *extra)
{
    char *value = ollama_event_json(email, ev, name, model, extra);
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
    json_t *ej = json_object_get(j, "error");
    const char *e = json_is_object(ej)
                        ? json_string_value(json_object_get(ej, "message"))
                        : json_string_value(ej);
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
    if (r->status == 401 || r->status == 403) {
        api->set_error(in->st, "auth",
                       "%s refused the request (%ld: %s): put a valid API "
                       "key in the file named by 'api_key_file'",
                       in->chat_url, r->status, text);
        return CO_FATAL;
    }
    if (r->status == 404) {
        if ((strstr(text, "not found") != NULL ||
             strstr(text, "does not exist") != NULL) &&
            strstr(text, "model") != NULL)
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

/* One request to the model. Returns CO_OK with `*rc` and `ev` filled from
 * a 200 answer, or the status of an HTTP failure. */
static co_status_t ollama_request(ollama_inst_t *in, const char *user,
                                  long long num_predict, ollama_event_t *ev,
                                  ollama_answer_rc_t *rc, char *err,
                                  size_t err_size)
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
    ollama_request_opts_t o = {.model = cfg->model,
                               .temperature = cfg->temperature,
                               .num_ctx = cfg->num_ctx,
                               .keep_alive = cfg->keep_alive,
                               .num_predict = num_predict,
                               .openai = in->openai};
    char *body = ollama_request_json(&o, user);
    if (body == NULL) {
        api->set_error(in->st, "memory", "cannot build the request");
        return CO_RETRY;
    }
    const char *headers[] = {in->auth_header, NULL};
    co_http_response_t r;
    co_http_post_json(in->http, in->chat_url, body,
                      in->auth_header ? headers : NULL, (long)cfg->timeout_ms,
                      &r);
    free(body);
    api->metric_add(in->st, "model_requests", 1);
    api->metric_set(in->st, "last_request_ms", (double)r.elapsed_ms);
    co_status_t st = CO_OK;
    if (r.fail != CO_HTTP_OK || r.status != 200)
        st = ollama_http_failure(in, &r);
    else
        *rc = ollama_answer_parse(in->openai ? OLLAMA_DIALECT_OPENAI
                                             : OLLAMA_DIALECT_OLLAMA,
                                  r.body, r.body_len, ev, err, err_size);
    co_http_response_clear(&r);
    return st;
}

/* An automatic reply (out of office) the model read as an interview,
 * offer, assessment or rejection: it quotes or names the user's own mail,
 * so it is OTHER, as the rules classifier decides (rules_is_auto_reply(),
 * compiled in; an acknowledgement keeps its label). 1 when `ev` was
 * changed. */
static int ollama_auto_reply(const json_t *email, ollama_event_t *ev)
{
    static const char *const give_way[] = {"INTERVIEW", "OFFER", "ASSESSMENT",
                                           "REJECTION"};
    int job = 0;
    for (size_t i = 0; i < sizeof give_way / sizeof *give_way; i++)
        job |= strcmp(ev->event_type, give_way[i]) == 0;
    if (!job || !rules_is_auto_reply(email))
        return 0;
    ev->event_type = ollama_labels[6]; /* OTHER */
    ev->company[0] = ev->role[0] = ev->scheduled_date[0] = '\0';
    ev->confidence = 1.0;
    if (ev->evidence == NULL)
        ev->evidence = json_array();
    json_array_insert_new(
        ev->evidence, 0,
        json_string("an automatic reply (out of office): OTHER"));
    return 1;
}

/* `opinions`: what the LLM and the local classifier said. */
static json_t *ollama_opinions(const ollama_inst_t *in,
                               const ollama_event_t *llm,
                               const ollama_event_t *local)
{
    return json_pack("{s:b,s:[{s:s,s:s,s:s,s:f},{s:s,s:s,s:s,s:f}]}", "unsure",
                     1, "opinions", "classifier", "ollama-classifier", "model",
                     in->cfg->model, "event_type", llm->event_type,
                     "confidence", llm->confidence, "classifier", "local",
                     "model", ollama_local_name(in->local), "event_type",
                     local->event_type, "confidence", local->confidence);
}

static co_status_t ollama_ask(ollama_inst_t *in, const co_record_t *rec,
                              json_t *email)
{
    const ollama_config_t *cfg = in->cfg;
    /* A random fence tag per request: the email cannot know it. */
    unsigned char raw[8];
    char tag[2 * sizeof raw + 1];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(tag, sizeof tag, raw, sizeof raw);

    int truncated = 0;
    char *user = ollama_user_message(email, tag, (size_t)cfg->max_email_chars,
                                     &truncated);
    if (user == NULL) {
        api->set_error(in->st, "memory", "cannot build the request");
        return CO_RETRY;
    }
    if (truncated)
        api->metric_add(in->st, "truncated_emails", 1);

    ollama_event_t local = {0};
    int have_local = in->local != NULL &&
                     ollama_local_classify(in->local, email, &local) == 0;

    long long limits[2] = {cfg->num_predict,
                           cfg->num_predict * OLLAMA_RETRY_FACTOR};
    if (limits[1] > OLLAMA_NUM_PREDICT_MAX)
        limits[1] = OLLAMA_NUM_PREDICT_MAX;
    ollama_event_t ev = {0};
    ollama_answer_rc_t rc = OLLAMA_ANSWER_BAD_RESPONSE;
    char err[512] = "";
    co_status_t st = CO_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        st = ollama_request(in, user, limits[attempt], &ev, &rc, err,
                            sizeof err);
        if (st != CO_OK || rc != OLLAMA_ANSWER_LENGTH)
            break;
        api->metric_add(in->st, "length_cut_answers", 1);
        api->log(in->st, CO_LOG_WARN, "answer cut at num_predict %lld: %s",
                 limits[attempt],
                 attempt == 0 ? "asking again with a higher limit"
                 : have_local ? "the local classifier decides"
                              : "no local classifier to fall back on");
    }
    free(user);
    if (st != CO_OK) {
        /* HTTP failure: ollama_http_failure() set the error. */
    } else if (rc == OLLAMA_ANSWER_OK) {
        json_t *extra = NULL;
        if (ollama_auto_reply(email, &ev))
            api->metric_add(in->st, "auto_replies_settled", 1);
        if (have_local &&
            ollama_labels_disagree(ev.event_type, local.event_type)) {
            extra = ollama_opinions(in, &ev, &local);
            api->metric_add(in->st, "disagreements", 1);
        }
        st = ollama_emit_event(in, rec, email, &ev, "ollama-classifier",
                               cfg->model, extra);
        json_decref(extra);
        ollama_event_clear(&ev);
    } else if (rc == OLLAMA_ANSWER_LENGTH && have_local) {
        char detail[256];
        snprintf(detail, sizeof detail,
                 "the model's answer was cut at its token limit twice "
                 "(num_predict %lld, then %lld); the local classifier "
                 "decided",
                 limits[0], limits[1]);
        json_t *extra = json_pack("{s:{s:s,s:s,s:s,s:s}}", "fallback", "from",
                                  "ollama-classifier", "model", cfg->model,
                                  "reason", "length", "detail", detail);
        st = ollama_emit_event(in, rec, email, &local,
                               "ollama-classifier/local-fallback",
                               ollama_local_name(in->local), extra);
        json_decref(extra);
        if (st == CO_OK)
            api->metric_add(in->st, "local_fallbacks", 1);
    } else {
        api->metric_add(in->st, "invalid_answers", 1);
        api->set_error(in->st,
                       rc == OLLAMA_ANSWER_BAD_RESPONSE ? "parse"
                       : rc == OLLAMA_ANSWER_LENGTH     ? "length"
                                                        : "schema",
                       "%s", err);
        st = CO_RETRY;
    }
    if (have_local)
        ollama_event_clear(&local);
    return st;
}

/* An OTHER event without the model (classifier "ollama-classifier/<how>"),
 * counted in `metric` once emitted. */
static co_status_t ollama_settle(ollama_inst_t *in, const co_record_t *rec,
                                 json_t *email, json_t *evidence,
                                 double confidence, const char *how,
                                 const char *model, const char *metric)
{
    char name[64];
    snprintf(name, sizeof name, "ollama-classifier/%s", how);
    ollama_event_t ev = {
        .event_type = "OTHER", .confidence = confidence, .evidence = evidence};
    co_status_t st = ollama_emit_event(in, rec, email, &ev, name, model, NULL);
    if (st == CO_OK)
        api->metric_add(in->st, metric, 1);
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
    if (rules_is_bounce(email)) {
        /* the rules classifier's test, compiled in: a bounce quotes the
         * user's own mail about an interview, and a model reads it as one
         * (the rules' learned model did, trial 68) */
        json_array_append_new(
            evidence,
            json_string("a delivery status notification (bounce): OTHER"));
        st = ollama_settle(in, rec, email, evidence, 1.0, "bounce",
                           "bounce-rules-v1", "bounces_settled");
    } else if (in->cfg->cascade && ollama_cascade_settle(email, evidence)) {
        st = ollama_settle(in, rec, email, evidence, 0.9, "cascade",
                           "bulk-rules-v1", "cascade_settled");
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
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* reads no input header */
    .options = ollama_options,
    .config_size = sizeof(ollama_config_t),
    .init = ollama_init,
    .process = ollama_process,
    .destroy = ollama_destroy,
    .check = ollama_check, /* model, base_url, keep_alive, api (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    api = a;
    return &ollama_plugin;
}
