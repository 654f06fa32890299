/**
 * @file plugins/chroma-sink/chroma_ask.c
 * @brief `careerops ask "QUESTION" --manifest M [--stage S] [-n N]
 *        [--company NAME]`: retrieval over the briefings a chroma-sink
 *        stage stored. Reads that stage's configuration from the manifest
 *        (defaults from the plugin's own option table), embeds the question
 *        with Ollama /api/embed (WIRE.md 2.4), looks the collection up by
 *        name and queries it by UUID (WIRE.md 4), and prints the nearest
 *        briefings: company, event, distance, the head of the summary and
 *        the sources.
 *
 * A command of the chroma-sink plugin (ABI 1.1, co_command_t): the host
 * reads the stage's configuration (api->stage_config); the defaults come
 * from the plugin's own option table.
 *
 * Exit status: 0 briefings printed, 1 nothing stored/found or a service
 * error (message on stderr), 2 usage or manifest errors.
 * Honours CAREEROPS_LOOPBACK_ONLY=1 like the plugins (tests).
 */
#include "chroma_ask.h"
#include "co_http.h"
#include "co_cli.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lines and bytes of a summary printed per briefing. */
#define CO_ASK_HEAD_LINES 8
#define CO_ASK_HEAD_BYTES 600

typedef struct co__ask_cfg_s {
    const char *chroma_url, *tenant, *database, *collection;
    const char *ollama_url, *embed_model, *token, *token_header;
    long timeout_ms;
} co__ask_cfg_t;

static void co__ask_usage(FILE *out)
{
    fprintf(out,
            "Usage: careerops ask \"QUESTION\" --manifest FILE [--stage NAME] "
            "[-n N] [--company NAME]\n"
            "Searches the company briefings a chroma-sink stage stored.\n\n"
            "  --manifest FILE   the pipeline manifest (required)\n"
            "  --stage NAME      the chroma-sink stage (default: the first "
            "one)\n"
            "  -n N              how many briefings to print (default 3)\n"
            "  --company NAME    only briefings whose company is NAME\n");
}

/* The stage's config value for `name`, else the plugin option's default.
 */
static const char *co__ask_opt(json_t *conf, const co_option_t *options,
                               const char *name)
{
    json_t *v = json_object_get(conf, name);
    if (json_is_string(v))
        return json_string_value(v);
    for (const co_option_t *o = options; o && o->type; o++)
        if (strcmp(o->name, name) == 0)
            return o->def;
    return NULL;
}

static size_t co__ask_write(char *p, size_t sz, size_t n, void *ud)
{
    return fwrite(p, sz, n, ud);
}

/* One request (POST when body != NULL). Returns the parsed JSON answer of
 * a 2xx (new reference) and sets *status; NULL with a message printed
 * otherwise (*status = 0 on transport errors, or the HTTP status). */
static json_t *co__ask_http(const co__ask_cfg_t *c, const char *url,
                            const char *body, const char *auth, long *status,
                            int quiet_404)
{
    *status = 0;
    char why[512];
    /* with a token, plain http only to loopback */
    if (co_http_check_url_ex(url, auth != NULL ? CO_HTTP_URL_TLS : 0, why,
                             sizeof why) != 0) {
        fprintf(stderr, "error: %s\n", why);
        return NULL;
    }
    CURL *h = curl_easy_init();
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    struct curl_slist *hd =
        curl_slist_append(NULL, "Content-Type: application/json");
    if (auth != NULL)
        hd = curl_slist_append(hd, auth);
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, co__ask_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, mem);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    if (body != NULL)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(h);
    fclose(mem);
    json_t *out = NULL;
    if (rc != CURLE_OK) {
        fprintf(stderr, "error: %s: %s\n", url,
                err[0] ? err : curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        if (*status >= 200 && *status < 300) {
            out = json_loadb(buf, len, JSON_DECODE_ANY, NULL);
            if (out == NULL)
                fprintf(stderr, "error: %s answered %ld with no JSON\n", url,
                        *status);
        } else if (!(quiet_404 && *status == 404)) {
            json_t *e = json_loadb(buf, len, 0, NULL);
            const char *m = json_string_value(json_object_get(e, "message"));
            if (m == NULL)
                m = json_string_value(json_object_get(e, "error"));
            fprintf(stderr, "error: %s answered %ld: %.300s\n", url, *status,
                    m ? m : (buf ? buf : ""));
            json_decref(e);
        }
    }
    free(buf);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    return out;
}

/* base without trailing '/' + path; malloc'd. */
static char *co__ask_join(const char *base, const char *path)
{
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    char *u = NULL;
    return asprintf(&u, "%.*s%s", (int)n, base, path) < 0 ? NULL : u;
}

/* indent, the n bytes at p through co_cli_shown(), tail, a newline. */
static void co__ask_line(const char *indent, const char *p, size_t n,
                         const char *tail)
{
    char *piece = strndup(p, n);
    printf("%s%s%s\n", indent, piece ? co_cli_shown(piece) : "", tail);
    free(piece);
}

static void co__ask_print(json_t *ans, size_t q)
{
    json_t *ids = json_array_get(json_object_get(ans, "ids"), q);
    json_t *docs = json_array_get(json_object_get(ans, "documents"), q);
    json_t *metas = json_array_get(json_object_get(ans, "metadatas"), q);
    json_t *dists = json_array_get(json_object_get(ans, "distances"), q);
    for (size_t i = 0; i < json_array_size(ids); i++) {
        json_t *m = json_array_get(metas, i);
        const char *company = json_string_value(json_object_get(m, "company"));
        const char *type = json_string_value(json_object_get(m, "event_type"));
        const char *date =
            json_string_value(json_object_get(m, "scheduled_date"));
        const char *role = json_string_value(json_object_get(m, "role"));
        /* the briefings hold what emails and web pages said: an escape
         * sequence or U+202E there is written \x1b, \u202e */
        printf("%zu. %s", i + 1,
               company ? co_cli_shown(company) : "(unknown company)");
        if (type != NULL)
            printf(" - %s", co_cli_shown(type));
        if (date != NULL)
            printf(" %s", co_cli_shown(date));
        printf(" (distance %.3f, id %s)\n",
               json_number_value(json_array_get(dists, i)),
               co_cli_shown(json_string_value(json_array_get(ids, i))));
        if (role != NULL)
            printf("   role: %s\n", co_cli_shown(role));
        const char *doc = json_string_value(json_array_get(docs, i));
        int lines = 0;
        size_t used = 0;
        for (const char *p = doc ? doc : "";
             *p && lines < CO_ASK_HEAD_LINES && used < CO_ASK_HEAD_BYTES;) {
            size_t n = strcspn(p, "\n");
            if (n > 0) {
                int w = (int)(n < CO_ASK_HEAD_BYTES - used
                                  ? n
                                  : CO_ASK_HEAD_BYTES - used);
                co__ask_line("   ", p, (size_t)w, (size_t)w < n ? " ..." : "");
                used += n;
                lines++;
            }
            p += n + (p[n] == '\n');
        }
        const char *urls = json_string_value(json_object_get(m, "source_urls"));
        if (urls != NULL && urls[0] != '\0') {
            printf("   sources:\n");
            for (const char *p = urls; *p;) {
                size_t n = strcspn(p, "\n");
                if (n > 0)
                    co__ask_line("     ", p, n, "");
                p += n + (p[n] == '\n');
            }
        }
        printf("\n");
    }
}

static int co__ask_run(const co__ask_cfg_t *c, const char *question, int n,
                       const char *company)
{
    int rc = 1;
    char *auth = NULL;
    if (c->token != NULL && c->token[0] != '\0') {
        int r = strcasecmp(c->token_header, "authorization") == 0
                    ? asprintf(&auth, "Authorization: Bearer %s", c->token)
                    : asprintf(&auth, "x-chroma-token: %s", c->token);
        if (r < 0)
            auth = NULL;
    }
    long status;
    char *url = co__ask_join(c->ollama_url, "/api/embed");
    json_t *req =
        json_pack("{s:s,s:s}", "model", c->embed_model, "input", question);
    char *body = json_dumps(req, JSON_COMPACT);
    json_t *emb = co__ask_http(c, url, body, NULL, &status, 0);
    json_t *vec = json_array_get(json_object_get(emb, "embeddings"), 0);
    free(url);
    free(body);
    json_decref(req);
    json_t *coll = NULL, *ans = NULL;
    char *t = curl_easy_escape(NULL, c->tenant, 0);
    char *d = curl_easy_escape(NULL, c->database, 0);
    char *name = curl_easy_escape(NULL, c->collection, 0);
    char *path = NULL;
    if (!json_is_array(vec)) {
        if (emb != NULL)
            fprintf(stderr, "error: Ollama returned no embedding\n");
        goto out;
    }
    if (asprintf(&path, "/api/v2/tenants/%s/databases/%s/collections/%s", t, d,
                 name) < 0) {
        path = NULL;
        goto out;
    }
    url = co__ask_join(c->chroma_url, path);
    coll = co__ask_http(c, url, NULL, auth, &status, 1);
    free(url);
    if (coll == NULL) {
        if (status == 404)
            fprintf(stderr,
                    "No briefings stored yet: collection %s does not exist in "
                    "%s/%s (run the pipeline with the chroma-sink stage "
                    "first)\n",
                    c->collection, c->tenant, c->database);
        goto out;
    }
    const char *id = json_string_value(json_object_get(coll, "id"));
    free(path);
    if (id == NULL ||
        asprintf(&path, "/api/v2/tenants/%s/databases/%s/collections/%s/query",
                 t, d, id) < 0) {
        path = NULL;
        fprintf(stderr, "error: Chroma's collection answer has no id\n");
        goto out;
    }
    req =
        json_pack("{s:[O],s:i,s:[s,s,s]}", "query_embeddings", vec, "n_results",
                  n, "include", "documents", "metadatas", "distances");
    if (company != NULL)
        json_object_set_new(req, "where",
                            json_pack("{s:{s:s}}", "company", "$eq", company));
    body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    url = co__ask_join(c->chroma_url, path);
    ans = co__ask_http(c, url, body, auth, &status, 0);
    free(url);
    free(body);
    if (ans == NULL)
        goto out;
    if (json_array_size(json_array_get(json_object_get(ans, "ids"), 0)) == 0) {
        printf("No briefings found%s%s.\n", company ? " for " : "",
               company ? co_cli_shown(company) : "");
        goto out;
    }
    co__ask_print(ans, 0);
    rc = 0;
out:
    free(path);
    curl_free(t);
    curl_free(d);
    curl_free(name);
    json_decref(emb);
    json_decref(coll);
    json_decref(ans);
    free(auth);
    return rc;
}

int chroma_cmd_ask(const co_host_api_t *api, const co_option_t *options,
                   int argc, char **argv)
{
    static const struct option opts[] = {
        {"manifest", required_argument, NULL, 'm'},
        {"stage", required_argument, NULL, 's'},
        {"results", required_argument, NULL, 'n'},
        {"company", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *manifest = NULL, *stage = NULL, *company = NULL;
    int n = 3, c;
    if (co_cli_once(argc, argv, opts, NULL, "careerops ask") != 0)
        return 2;
    optind = 0; /* full re-initialisation of GNU getopt */
    while ((c = co_cli_getopt(argc, argv, "m:s:n:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            manifest = optarg;
            break;
        case 's':
            stage = optarg;
            break;
        case 'c':
            company = optarg;
            break;
        case 'n': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 1 || v > 100) {
                fprintf(stderr, "error: -n %s: give a number 1..100\n",
                        co_cli_shown(optarg));
                return 2;
            }
            n = (int)v;
            break;
        }
        case 'h':
            co__ask_usage(stdout);
            return 0;
        default:
            co__ask_usage(stderr);
            return 2;
        }
    }
    /* The question: the remaining words. */
    char *question = NULL;
    size_t qlen = 0;
    FILE *qs = open_memstream(&question, &qlen);
    for (int i = optind; i < argc; i++)
        fprintf(qs, "%s%s", i > optind ? " " : "", argv[i]);
    fclose(qs);
    if (manifest == NULL || qlen == 0) {
        fprintf(stderr, "error: %s\n",
                manifest == NULL ? "--manifest FILE is required"
                                 : "no question given");
        co__ask_usage(stderr);
        free(question);
        return 2;
    }
    char err[1024] = "", *conf_json = NULL;
    int index = 0, rc = 2;
    json_t *conf = NULL;
    if (api->stage_config(manifest, stage, "chroma-sink", &conf_json, &index,
                          err, sizeof err) != 0) {
        fprintf(stderr, "error: %s (name a chroma-sink stage with --stage)\n",
                err);
        goto out;
    }
    conf = json_loads(conf_json, 0, NULL);
    api->free(conf_json);
    co__ask_cfg_t cfg = {
        .chroma_url = co__ask_opt(conf, options, "chroma_url"),
        .tenant = co__ask_opt(conf, options, "tenant"),
        .database = co__ask_opt(conf, options, "database"),
        .collection = co__ask_opt(conf, options, "collection"),
        .ollama_url = co__ask_opt(conf, options, "ollama_url"),
        .embed_model = co__ask_opt(conf, options, "embed_model"),
        .token = co__ask_opt(conf, options, "token"),
        .token_header = co__ask_opt(conf, options, "token_header"),
        .timeout_ms = 30000};
    json_t *to = json_object_get(conf, "timeout_ms");
    if (json_is_integer(to))
        cfg.timeout_ms = (long)json_integer_value(to);
    const char *need[] = {"chroma_url", "tenant",     "database",
                          "collection", "ollama_url", "embed_model"};
    const char *vals[] = {cfg.chroma_url, cfg.tenant,     cfg.database,
                          cfg.collection, cfg.ollama_url, cfg.embed_model};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (vals[i] == NULL) {
            fprintf(stderr,
                    "error: stages[%d].config.%s is not set and the plugin's "
                    "default is unavailable: set it in %s\n",
                    index, need[i], co_cli_shown(manifest));
            goto out;
        }
    }
    if (cfg.token_header == NULL)
        cfg.token_header = "x-chroma-token";
    co_http_global_init();
    rc = co__ask_run(&cfg, question, n, company);
out:
    json_decref(conf);
    free(question);
    return rc;
}
