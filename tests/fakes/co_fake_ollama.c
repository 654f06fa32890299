/**
 * @file tests/fakes/co_fake_ollama.c
 * @brief The fake Ollama server; see co_fake_ollama.h and WIRE.md 2.
 */
#include "co_fake_ollama.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct co__fo_answer_s {
    int status; /* 200: content, else error */
    int length; /* answer with done_reason/finish_reason "length" */
    char *text; /* content or error message */
    int delay_ms;
    struct co__fo_answer_s *next;
} co__fo_answer_t;

struct co_fake_ollama_s {
    pthread_mutex_t mu;
    char **models;
    size_t model_cnt;
    co__fo_answer_t *answers; /* FIFO */
    char *default_content;
    int delay_ms;
    size_t chats;
    int length_cut; /* next answers cut at "length" (-1: all) */
    char *api_key;  /* OpenAI dialect: required bearer key, or NULL */
    char **prompts; /* user messages received, in order */
    size_t prompt_cnt;
    long long *limits; /* num_predict / max_tokens of each (-1: none) */
};

static void co__fo_free(void *p)
{
    co_fake_ollama_t *o = p;
    for (size_t i = 0; i < o->model_cnt; i++)
        free(o->models[i]);
    free(o->models);
    while (o->answers != NULL) {
        co__fo_answer_t *a = o->answers;
        o->answers = a->next;
        free(a->text);
        free(a);
    }
    free(o->default_content);
    free(o->api_key);
    for (size_t i = 0; i < o->prompt_cnt; i++)
        free(o->prompts[i]);
    free(o->prompts);
    free(o->limits);
    pthread_mutex_destroy(&o->mu);
    free(o);
}

/* "m" and "m:latest" name the same model. */
static int co__fo_same_model(const char *a, const char *b)
{
    size_t la = strcspn(a, ":"), lb = strcspn(b, ":");
    const char *ta = a[la] ? a + la + 1 : "latest";
    const char *tb = b[lb] ? b + lb + 1 : "latest";
    return la == lb && strncmp(a, b, la) == 0 && strcmp(ta, tb) == 0;
}

static int co__fo_known(co_fake_ollama_t *o, const char *model)
{
    pthread_mutex_lock(&o->mu);
    int ok = o->model_cnt == 0;
    for (size_t i = 0; !ok && i < o->model_cnt; i++)
        ok = co__fo_same_model(o->models[i], model);
    pthread_mutex_unlock(&o->mu);
    return ok;
}

static void co__fo_now(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Replies 200 with the JSON value v (reference stolen). */
static void co__fo_reply_value(co_fake_reply_t *reply, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    co_fake_reply_set(reply, 200, "application/json; charset=utf-8", s);
    free(s);
    json_decref(v);
}

/* Parses the body like Ollama's handlers: sets an error reply and returns
 * NULL on empty/invalid JSON or a missing/unknown model. */
static json_t *co__fo_parse(co_fake_ollama_t *o, const co_fake_request_t *req,
                            co_fake_reply_t *reply, const char **model)
{
    if (req->body_len == 0) {
        co_fake_reply_error(reply, 400, "missing request body");
        return NULL;
    }
    json_error_t err;
    json_t *root = json_loadb(req->body, req->body_len, 0, &err);
    if (root == NULL || !json_is_object(root)) {
        char msg[300];
        snprintf(msg, sizeof msg, "invalid character: %s",
                 root ? "request is not a JSON object" : err.text);
        co_fake_reply_error(reply, 400, msg);
        json_decref(root);
        return NULL;
    }
    const char *m = json_string_value(json_object_get(root, "model"));
    if (m == NULL || m[0] == '\0') {
        co_fake_reply_error(reply, 400, "model is required");
        json_decref(root);
        return NULL;
    }
    if (!co__fo_known(o, m)) {
        char msg[300];
        snprintf(msg, sizeof msg, "model '%s' not found", m);
        co_fake_reply_error(reply, 404, msg);
        json_decref(root);
        return NULL;
    }
    *model = m;
    return root;
}

/* A deterministic answer from keywords in the user's messages, so demos
 * with the standalone server give plausible events. */
static char *co__fo_heuristic(json_t *messages)
{
    static const struct {
        const char *word, *label;
    } kw[] = {
        {"unfortunately", "REJECTION"},
        {"offer letter", "OFFER"},
        {"pleased to offer", "OFFER"},
        {"assessment", "ASSESSMENT"},
        {"coding challenge", "ASSESSMENT"},
        {"interview", "INTERVIEW"},
        {"received your application", "APPLICATION_ACK"},
        {"thank you for applying", "APPLICATION_ACK"},
        {"opportunity", "RECRUITER_OUTREACH"},
    };
    const char *label = "OTHER", *hit = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *c = json_string_value(json_object_get(m, "content"));
        if (role == NULL || strcmp(role, "user") != 0 || c == NULL)
            continue;
        for (size_t k = 0; k < sizeof kw / sizeof kw[0] && !hit; k++)
            if (strcasestr(c, kw[k].word) != NULL) {
                label = kw[k].label;
                hit = kw[k].word;
            }
    }
    json_t *ev = json_pack("{s:s,s:n,s:n,s:n,s:f,s:[]}", "event_type", label,
                           "company", "role", "scheduled_date", "confidence",
                           hit ? 0.8 : 0.5, "evidence");
    if (hit)
        json_array_append_new(json_object_get(ev, "evidence"),
                              json_string(hit));
    char *s = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return s;
}

static json_int_t co__fo_prompt_tokens(json_t *messages)
{
    size_t i, chars = 0;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        const char *c = json_string_value(json_object_get(m, "content"));
        chars += c ? strlen(c) : 0;
    }
    return (json_int_t)(chars / 4 + 1);
}

static void co__fo_chat_reply(co_fake_reply_t *reply, const char *model,
                              const char *content, json_int_t prompt_tokens,
                              int stream, const char *reason)
{
    char now[32];
    co__fo_now(now, sizeof now);
    json_int_t eval = (json_int_t)(strlen(content) / 4 + 1);
    json_t *done = json_pack(
        "{s:s,s:s,s:{s:s,s:s},s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:I}", "model", model,
        "created_at", now, "message", "role", "assistant", "content",
        stream ? "" : content, "done", 1, "done_reason", reason,
        "total_duration", (json_int_t)519156641, "load_duration",
        (json_int_t)2154458, "prompt_eval_count", prompt_tokens,
        "prompt_eval_duration", (json_int_t)38380900, "eval_count", eval,
        "eval_duration", (json_int_t)479992100);
    char *last = json_dumps(done, JSON_COMPACT);
    json_decref(done);
    if (!stream) {
        co_fake_reply_set(reply, 200, "application/json; charset=utf-8", last);
        free(last);
        return;
    }
    /* NDJSON: the content in two chunks, then the done line. */
    size_t half = strlen(content) / 2;
    char *first = strndup(content, half);
    json_t *c1 = json_pack("{s:s,s:s,s:{s:s,s:s},s:b}", "model", model,
                           "created_at", now, "message", "role", "assistant",
                           "content", first, "done", 0);
    json_t *c2 = json_pack("{s:s,s:s,s:{s:s,s:s},s:b}", "model", model,
                           "created_at", now, "message", "role", "assistant",
                           "content", content + half, "done", 0);
    char *l1 = json_dumps(c1, JSON_COMPACT), *l2 = json_dumps(c2, JSON_COMPACT);
    char *all = NULL;
    if (asprintf(&all, "%s\n%s\n%s\n", l1, l2, last) < 0)
        all = NULL;
    co_fake_reply_set(reply, 200, "application/x-ndjson", all);
    free(all);
    free(l1);
    free(l2);
    free(first);
    free(last);
    json_decref(c1);
    json_decref(c2);
}

/* Records the user messages of a chat request and its answer limit. */
static void co__fo_record(co_fake_ollama_t *o, json_t *messages,
                          long long limit)
{
    size_t i;
    json_t *m;
    size_t len = 0;
    char *all = NULL;
    FILE *f = open_memstream(&all, &len);
    json_array_foreach(messages, i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *c = json_string_value(json_object_get(m, "content"));
        if (f != NULL && role != NULL && strcmp(role, "user") == 0 && c)
            fprintf(f, "%s%s", len ? "\n" : "", c);
    }
    if (f != NULL)
        fclose(f);
    char **p = realloc(o->prompts, (o->prompt_cnt + 1) * sizeof *p);
    long long *l = realloc(o->limits, (o->prompt_cnt + 1) * sizeof *l);
    if (p != NULL)
        o->prompts = p;
    if (l != NULL)
        o->limits = l;
    if (p == NULL || l == NULL) {
        free(all);
        return;
    }
    o->prompts[o->prompt_cnt] = all ? all : strdup("");
    o->limits[o->prompt_cnt] = limit;
    o->prompt_cnt++;
}

/* The next answer (under the lock): the queued one, or NULL with
 * `*content` from the default. Applies a pending length cut. */
static co__fo_answer_t *co__fo_next(co_fake_ollama_t *o, json_t *messages,
                                    long long limit, char **content,
                                    int *length, int *delay_ms)
{
    pthread_mutex_lock(&o->mu);
    o->chats++;
    co__fo_record(o, messages, limit);
    co__fo_answer_t *a = o->answers;
    if (a != NULL)
        o->answers = a->next;
    *content = a                    ? NULL
               : o->default_content ? strdup(o->default_content)
                                    : NULL;
    *delay_ms = a && a->delay_ms ? a->delay_ms : o->delay_ms;
    *length = a != NULL && a->length;
    if (o->length_cut != 0 && (a == NULL || a->status == 200)) {
        *length = 2; /* cut the content in half too */
        if (o->length_cut > 0)
            o->length_cut--;
    }
    pthread_mutex_unlock(&o->mu);
    return a;
}

/* The content of a 200 answer; cut in half when `length` is 2. */
static char *co__fo_content(co__fo_answer_t *a, char *content, json_t *messages,
                            int length)
{
    if (a != NULL)
        content = strdup(a->text);
    else if (content == NULL)
        content = co__fo_heuristic(messages);
    if (content != NULL && length == 2)
        content[strlen(content) / 2] = '\0';
    return content;
}

static void co__fo_answer_free(co__fo_answer_t *a)
{
    if (a != NULL) {
        free(a->text);
        free(a);
    }
}

static void co__fo_chat(co_fake_t *f, const co_fake_request_t *req,
                        co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_ollama_t *o = ud;
    const char *model = NULL;
    json_t *root = co__fo_parse(o, req, reply, &model);
    if (root == NULL)
        return;
    json_t *format = json_object_get(root, "format");
    if (format != NULL && !json_is_object(format) &&
        !(json_is_string(format) &&
          strcmp(json_string_value(format), "json") == 0)) {
        co_fake_reply_error(reply, 400,
                            "invalid format: unsupported value; expected "
                            "\"json\" or a valid JSON Schema object");
        json_decref(root);
        return;
    }
    json_t *stream = json_object_get(root, "stream");
    int streaming = stream == NULL || json_is_true(stream);
    json_t *messages = json_object_get(root, "messages");
    json_t *np =
        json_object_get(json_object_get(root, "options"), "num_predict");
    char *content = NULL;
    int length = 0;
    co__fo_answer_t *a = co__fo_next(
        o, messages, json_is_integer(np) ? json_integer_value(np) : -1,
        &content, &length, &reply->delay_ms);
    if (a != NULL && a->status != 200) {
        co_fake_reply_error(reply, a->status, a->text);
    } else {
        content = co__fo_content(a, content, messages, length);
        co__fo_chat_reply(reply, model, content ? content : "",
                          co__fo_prompt_tokens(messages), streaming,
                          length ? "length" : "stop");
    }
    free(content);
    co__fo_answer_free(a);
    json_decref(root);
}

/* ---- the OpenAI-compatible dialect (/v1/chat/completions) -------------- */

/* OpenAI's error shape: {"error":{"message","type","param","code"}}. */
static void co__fo_openai_error(co_fake_reply_t *reply, int status,
                                const char *message, const char *type,
                                const char *code)
{
    json_t *e = json_pack("{s:{s:s,s:s,s:n,s:s?}}", "error", "message", message,
                          "type", type, "param", "code", code);
    char *s = json_dumps(e, JSON_COMPACT);
    co_fake_reply_set(reply, status, "application/json; charset=utf-8", s);
    free(s);
    json_decref(e);
}

/* Checks the bearer key and the body; NULL after an error reply. */
static json_t *co__fo_openai_parse(co_fake_ollama_t *o,
                                   const co_fake_request_t *req,
                                   co_fake_reply_t *reply, const char **model)
{
    pthread_mutex_lock(&o->mu);
    char *want = o->api_key ? strdup(o->api_key) : NULL;
    pthread_mutex_unlock(&o->mu);
    if (want != NULL) {
        const char *auth = co_fake_request_header(req, "Authorization");
        int ok = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
                 strcmp(auth + 7, want) == 0;
        free(want);
        if (!ok) {
            co__fo_openai_error(reply, 401,
                                auth ? "Incorrect API key provided."
                                     : "You didn't provide an API key.",
                                "invalid_request_error",
                                auth ? "invalid_api_key" : NULL);
            return NULL;
        }
    }
    json_error_t err;
    json_t *root =
        json_loadb(req->body ? req->body : "", req->body_len, 0, &err);
    if (!json_is_object(root)) {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "We could not parse the JSON body of your request. (%s)",
                 root ? "not an object" : err.text);
        co__fo_openai_error(reply, 400, msg, "invalid_request_error", NULL);
        json_decref(root);
        return NULL;
    }
    const char *m = json_string_value(json_object_get(root, "model"));
    if (m == NULL || *m == '\0') {
        co__fo_openai_error(reply, 400, "you must provide a model parameter",
                            "invalid_request_error", NULL);
        json_decref(root);
        return NULL;
    }
    if (!co__fo_known(o, m)) {
        char msg[300];
        snprintf(msg, sizeof msg, "The model `%s` does not exist.", m);
        co__fo_openai_error(reply, 404, msg, "invalid_request_error",
                            "model_not_found");
        json_decref(root);
        return NULL;
    }
    json_t *rf = json_object_get(root, "response_format");
    const char *rft = json_string_value(json_object_get(rf, "type"));
    int rf_ok =
        rf == NULL ||
        (rft != NULL &&
         (strcmp(rft, "text") == 0 || strcmp(rft, "json_object") == 0 ||
          (strcmp(rft, "json_schema") == 0 &&
           json_is_string(
               json_object_get(json_object_get(rf, "json_schema"), "name")) &&
           json_is_object(json_object_get(json_object_get(rf, "json_schema"),
                                          "schema")))));
    if (!rf_ok) {
        co__fo_openai_error(reply, 400,
                            "Invalid 'response_format': expected type "
                            "text, json_object or json_schema with "
                            "json_schema.name and json_schema.schema",
                            "invalid_request_error", NULL);
        json_decref(root);
        return NULL;
    }
    *model = m;
    return root;
}

static void co__fo_openai_chat(co_fake_t *f, const co_fake_request_t *req,
                               co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_ollama_t *o = ud;
    const char *model = NULL;
    json_t *root = co__fo_openai_parse(o, req, reply, &model);
    if (root == NULL)
        return;
    json_t *messages = json_object_get(root, "messages");
    json_t *mt = json_object_get(root, "max_completion_tokens");
    if (!json_is_integer(mt))
        mt = json_object_get(root, "max_tokens");
    char *content = NULL;
    int length = 0;
    co__fo_answer_t *a = co__fo_next(
        o, messages, json_is_integer(mt) ? json_integer_value(mt) : -1,
        &content, &length, &reply->delay_ms);
    if (a != NULL && a->status != 200) {
        co__fo_openai_error(
            reply, a->status, a->text,
            a->status == 429 ? "rate_limit_exceeded" : "server_error", NULL);
    } else {
        content = co__fo_content(a, content, messages, length);
        json_int_t prompt = co__fo_prompt_tokens(messages);
        json_int_t done = (json_int_t)(content ? strlen(content) / 4 + 1 : 1);
        json_t *out = json_pack(
            "{s:s,s:s,s:I,s:s,s:[{s:i,s:{s:s,s:s},s:n,s:s}],s:{s:I,s:I,s:I}}",
            "id", "chatcmpl-fake", "object", "chat.completion", "created",
            (json_int_t)time(NULL), "model", model, "choices", "index", 0,
            "message", "role", "assistant", "content", content ? content : "",
            "logprobs", "finish_reason", length ? "length" : "stop", "usage",
            "prompt_tokens", prompt, "completion_tokens", done, "total_tokens",
            prompt + done);
        co__fo_reply_value(reply, out);
    }
    free(content);
    co__fo_answer_free(a);
    json_decref(root);
}

static void co__fo_openai_models(co_fake_t *f, const co_fake_request_t *req,
                                 co_fake_reply_t *reply, void *ud)
{
    (void)f;
    (void)req;
    co_fake_ollama_t *o = ud;
    json_t *data = json_array();
    pthread_mutex_lock(&o->mu);
    for (size_t i = 0; i < o->model_cnt; i++)
        json_array_append_new(data, json_pack("{s:s,s:s,s:I,s:s}", "id",
                                              o->models[i], "object", "model",
                                              "created", (json_int_t)1735689600,
                                              "owned_by", "library"));
    pthread_mutex_unlock(&o->mu);
    co__fo_reply_value(reply,
                       json_pack("{s:s,s:o}", "object", "list", "data", data));
}

/* 8 dimensions from an FNV-1a hash of the text, unit length. */
static json_t *co__fo_vector(const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    double v[8], norm = 0;
    for (int i = 0; i < 8; i++) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        v[i] = (double)(h >> 11) / (double)(1ULL << 53) - 0.5;
        norm += v[i] * v[i];
    }
    json_t *arr = json_array();
    for (int i = 0; i < 8; i++)
        json_array_append_new(arr, json_real(v[i] / sqrt(norm)));
    return arr;
}

static void co__fo_embed(co_fake_t *f, const co_fake_request_t *req,
                         co_fake_reply_t *reply, void *ud)
{
    (void)f;
    co_fake_ollama_t *o = ud;
    const char *model = NULL;
    json_t *root = co__fo_parse(o, req, reply, &model);
    if (root == NULL)
        return;
    json_t *input = json_object_get(root, "input"), *embs = json_array();
    if (json_is_string(input)) {
        json_array_append_new(embs, co__fo_vector(json_string_value(input)));
    } else if (json_is_array(input)) {
        size_t i;
        json_t *s;
        json_array_foreach(input, i, s)
        {
            if (!json_is_string(s)) {
                co_fake_reply_error(reply, 400, "invalid input type");
                json_decref(embs);
                json_decref(root);
                return;
            }
            json_array_append_new(embs, co__fo_vector(json_string_value(s)));
        }
    }
    json_t *out =
        json_pack("{s:s,s:o,s:I,s:I,s:I}", "model", model, "embeddings", embs,
                  "total_duration", (json_int_t)14143917, "load_duration",
                  (json_int_t)1019500, "prompt_eval_count",
                  (json_int_t)(json_array_size(embs) * 8));
    co__fo_reply_value(reply, out);
    pthread_mutex_lock(&o->mu);
    reply->delay_ms = o->delay_ms;
    pthread_mutex_unlock(&o->mu);
    json_decref(root);
}

static void co__fo_tags(co_fake_t *f, const co_fake_request_t *req,
                        co_fake_reply_t *reply, void *ud)
{
    (void)f;
    (void)req;
    co_fake_ollama_t *o = ud;
    json_t *models = json_array();
    pthread_mutex_lock(&o->mu);
    for (size_t i = 0; i < o->model_cnt; i++) {
        char name[256];
        snprintf(name, sizeof name, "%s%s", o->models[i],
                 strchr(o->models[i], ':') ? "" : ":latest");
        json_array_append_new(
            models,
            json_pack("{s:s,s:s,s:s,s:I,s:s,s:{s:s,s:s,s:[s],s:s,s:s}}", "name",
                      name, "model", name, "modified_at",
                      "2025-01-01T00:00:00Z", "size", (json_int_t)2019393189,
                      "digest",
                      "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3a"
                      "bbcb5b8b72",
                      "details", "format", "gguf", "family", "llama",
                      "families", "llama", "parameter_size", "3.2B",
                      "quantization_level", "Q4_K_M"));
    }
    pthread_mutex_unlock(&o->mu);
    co__fo_reply_value(reply, json_pack("{s:o}", "models", models));
}

static void co__fo_version(co_fake_t *f, const co_fake_request_t *req,
                           co_fake_reply_t *reply, void *ud)
{
    (void)f;
    (void)req;
    (void)ud;
    co_fake_reply_set(reply, 200, "application/json; charset=utf-8",
                      "{\"version\":\"0.11.4\"}");
}

static void co__fo_root(co_fake_t *f, const co_fake_request_t *req,
                        co_fake_reply_t *reply, void *ud)
{
    (void)f;
    (void)req;
    (void)ud;
    co_fake_reply_set(reply, 200, "text/plain; charset=utf-8",
                      "Ollama is running");
}

co_fake_ollama_t *co_fake_ollama_install(co_fake_t *f)
{
    co_fake_ollama_t *o = calloc(1, sizeof *o);
    if (o == NULL)
        return NULL;
    pthread_mutex_init(&o->mu, NULL);
    if (co_fake_attach(f, o, co__fo_free) != 0) {
        co__fo_free(o);
        return NULL;
    }
    if (co_fake_route(f, "GET", "/", co__fo_root, o) != 0 ||
        co_fake_route(f, "HEAD", "/", co__fo_root, o) != 0 ||
        co_fake_route(f, "GET", "/api/version", co__fo_version, o) != 0 ||
        co_fake_route(f, "GET", "/api/tags", co__fo_tags, o) != 0 ||
        co_fake_route(f, "POST", "/api/chat", co__fo_chat, o) != 0 ||
        co_fake_route(f, "POST", "/api/embed", co__fo_embed, o) != 0 ||
        co_fake_route(f, "POST", "/v1/chat/completions", co__fo_openai_chat,
                      o) != 0 ||
        co_fake_route(f, "GET", "/v1/models", co__fo_openai_models, o) != 0)
        return NULL;
    return o;
}

void co_fake_ollama_add_model(co_fake_ollama_t *o, const char *name)
{
    pthread_mutex_lock(&o->mu);
    char **p = realloc(o->models, (o->model_cnt + 1) * sizeof *p);
    if (p != NULL) {
        o->models = p;
        p[o->model_cnt++] = strdup(name);
    }
    pthread_mutex_unlock(&o->mu);
}

static void co__fo_push(co_fake_ollama_t *o, int status, const char *text,
                        int delay_ms, int length)
{
    co__fo_answer_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return;
    a->status = status;
    a->text = strdup(text ? text : "");
    a->delay_ms = delay_ms;
    a->length = length;
    pthread_mutex_lock(&o->mu);
    co__fo_answer_t **pp = &o->answers;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = a;
    pthread_mutex_unlock(&o->mu);
}

void co_fake_ollama_push_content(co_fake_ollama_t *o, const char *content,
                                 int delay_ms)
{
    co__fo_push(o, 200, content, delay_ms, 0);
}

void co_fake_ollama_push_length(co_fake_ollama_t *o, const char *content)
{
    co__fo_push(o, 200, content, 0, 1);
}

void co_fake_ollama_set_length_cut(co_fake_ollama_t *o, int count)
{
    pthread_mutex_lock(&o->mu);
    o->length_cut = count;
    pthread_mutex_unlock(&o->mu);
}

void co_fake_ollama_set_api_key(co_fake_ollama_t *o, const char *key)
{
    pthread_mutex_lock(&o->mu);
    free(o->api_key);
    o->api_key = key ? strdup(key) : NULL;
    pthread_mutex_unlock(&o->mu);
}

size_t co_fake_ollama_prompt_count(co_fake_ollama_t *o)
{
    pthread_mutex_lock(&o->mu);
    size_t n = o->prompt_cnt;
    pthread_mutex_unlock(&o->mu);
    return n;
}

char *co_fake_ollama_prompt(co_fake_ollama_t *o, size_t i,
                            long long *answer_limit)
{
    pthread_mutex_lock(&o->mu);
    char *p = i < o->prompt_cnt ? strdup(o->prompts[i]) : NULL;
    if (answer_limit != NULL)
        *answer_limit = i < o->prompt_cnt ? o->limits[i] : -1;
    pthread_mutex_unlock(&o->mu);
    return p;
}

int co_fake_ollama_prompts_contain(co_fake_ollama_t *o, const char *needle)
{
    pthread_mutex_lock(&o->mu);
    int hit = 0;
    for (size_t i = 0; i < o->prompt_cnt && !hit; i++)
        hit = strstr(o->prompts[i], needle) != NULL;
    pthread_mutex_unlock(&o->mu);
    return hit;
}

void co_fake_ollama_push_error(co_fake_ollama_t *o, int status,
                               const char *message, int delay_ms)
{
    co__fo_push(o, status, message, delay_ms, 0);
}

void co_fake_ollama_set_delay(co_fake_ollama_t *o, int ms)
{
    pthread_mutex_lock(&o->mu);
    o->delay_ms = ms;
    pthread_mutex_unlock(&o->mu);
}

void co_fake_ollama_set_default_content(co_fake_ollama_t *o,
                                        const char *content)
{
    pthread_mutex_lock(&o->mu);
    free(o->default_content);
    o->default_content = content ? strdup(content) : NULL;
    pthread_mutex_unlock(&o->mu);
}

size_t co_fake_ollama_chat_count(co_fake_ollama_t *o)
{
    pthread_mutex_lock(&o->mu);
    size_t n = o->chats;
    pthread_mutex_unlock(&o->mu);
    return n;
}
