/*
 * hello: a complete, small CareerOps stage plugin, built out of tree.
 *
 * A processor that puts a greeting in front of every record's value
 * ("hello, " + value), adds an `x-hello` header, and sends records that are
 * too large to the dead-letter topic. It shows every part of the ABI a
 * plugin needs; docs/plugin-guide.md walks through it.
 *
 * Build: make            (uses `pkg-config --cflags careerops-plugin`)
 * Run:   CAREEROPS_PLUGIN_PATH=$PWD careerops run pipeline.json
 *
 * Only the installed headers are used; the plugin links no host library.
 * Standard C99, so it also builds with -std=c99 -pedantic -Werror.
 */
#include <careerops/plugin.h>
#include <stdlib.h>
#include <string.h>

/* The host's services, saved by the entry point. Valid for the life of the
 * process; the same table is passed to init(). */
static const co_host_api_t *api;

/* Configuration struct: the host fills it from the stage's manifest
 * `config` object, using the offsets in the option table below. Strings are
 * owned by the host and stay valid until destroy() returns. */
struct hello_config {
    const char *greeting;    /* CO_OPT_STR  -> const char * */
    int64_t max_value_bytes; /* CO_OPT_INT  -> int64_t */
    int keep_headers;        /* CO_OPT_BOOL -> int */
};

/* Declared options: the host validates the manifest against this table
 * before anything starts (an unknown key, a wrong type or a value out of
 * [min, max] is an error naming `stages[N].config.KEY`), fills in defaults,
 * and prints the table in `careerops plugins info hello`. */
static const co_option_t hello_options[] = {
    {CO_OPT_STR, "greeting", "hello", 0, 0, 0,
     offsetof(struct hello_config, greeting),
     "Text put in front of every value, followed by \", \"."},
    {CO_OPT_INT, "max_value_bytes", "1048576", 0, 1, 67108864,
     offsetof(struct hello_config, max_value_bytes),
     "Larger values are sent to the dead-letter topic instead."},
    {CO_OPT_BOOL, "keep_headers", "true", 0, 0, 0,
     offsetof(struct hello_config, keep_headers),
     "Copy the input record's headers to the output record."},
    {0}};

/* One instance per stage (or per `concurrency` slot). The host calls an
 * instance from one thread at a time, so it needs no locks. */
struct hello {
    co_stage_t *st;                 /* handle for host services */
    const struct hello_config *cfg; /* borrowed until destroy() */
    size_t greeting_len;
    char *buf; /* output value, reused from record to record */
    size_t buf_cap;
    co_header_t *headers; /* output headers, reused */
    size_t headers_cap;
    long long greeted; /* records emitted by this instance */
};

/* Make sure inst->buf holds `need` bytes. Returns 0, or -1 without memory. */
static int hello_reserve(struct hello *h, size_t need)
{
    char *p;
    if (need <= h->buf_cap)
        return 0;
    p = realloc(h->buf, need);
    if (p == NULL)
        return -1;
    h->buf = p;
    h->buf_cap = need;
    return 0;
}

/* Same for the header array. */
static int hello_reserve_headers(struct hello *h, size_t need)
{
    co_header_t *p;
    if (need <= h->headers_cap)
        return 0;
    p = realloc(h->headers, need * sizeof *p);
    if (p == NULL)
        return -1;
    h->headers = p;
    h->headers_cap = need;
    return 0;
}

/* init(): check what the option table cannot express, create the instance.
 * On CO_FATAL the host reports the set_error() message and never starts the
 * stage; destroy() is still called if *instance was set. */
static co_status_t hello_init(const co_host_api_t *host, co_stage_t *st,
                              const void *config, void **instance)
{
    const struct hello_config *cfg = config;
    struct hello *h;
    if (strlen(cfg->greeting) > 200) {
        host->set_error(st, "config",
                        "greeting is %lu bytes; keep it under 200 "
                        "(stages[].config.greeting)",
                        (unsigned long)strlen(cfg->greeting));
        return CO_FATAL;
    }
    h = calloc(1, sizeof *h);
    if (h == NULL) {
        host->set_error(st, "memory", "out of memory");
        return CO_FATAL;
    }
    h->st = st;
    h->cfg = cfg;
    h->greeting_len = strlen(cfg->greeting);
    *instance = h;
    host->log(st, CO_LOG_INFO, "hello: greeting records with \"%s\"",
              cfg->greeting);
    return CO_OK;
}

/* process(): one borrowed record in; zero or more records out through
 * api->emit(), which copies them, so our buffers can be reused at once. */
static co_status_t hello_process(void *instance, const co_record_t *rec)
{
    struct hello *h = instance;
    co_record_t out = CO_RECORD_INIT;
    size_t n_in = h->cfg->keep_headers ? rec->header_cnt : 0;
    size_t len;
    int rc;

    /* A permanent problem with this record: FAIL sends it, unchanged, to
     * the dead-letter topic with this class and message. */
    if (rec->value_len > (size_t)h->cfg->max_value_bytes) {
        api->set_error(h->st, "too_large",
                       "value of %lu bytes exceeds max_value_bytes %lld",
                       (unsigned long)rec->value_len,
                       (long long)h->cfg->max_value_bytes);
        return CO_FAIL;
    }

    len = h->greeting_len + 2 + rec->value_len;
    if (hello_reserve(h, len) != 0 || hello_reserve_headers(h, n_in + 1) != 0) {
        /* Transient: the host retries the same record with backoff. */
        api->set_error(h->st, "memory", "out of memory");
        return CO_RETRY;
    }
    memcpy(h->buf, h->cfg->greeting, h->greeting_len);
    memcpy(h->buf + h->greeting_len, ", ", 2);
    if (rec->value_len > 0)
        memcpy(h->buf + h->greeting_len + 2, rec->value, rec->value_len);

    if (n_in > 0)
        memcpy(h->headers, rec->headers, n_in * sizeof *h->headers);
    h->headers[n_in].name = "x-hello";
    h->headers[n_in].value = h->cfg->greeting;
    h->headers[n_in].value_len = h->greeting_len;

    out.key = rec->key; /* borrowed from the input: fine, emit copies */
    out.key_len = rec->key_len;
    out.value = h->buf;
    out.value_len = len;
    out.headers = h->headers;
    out.header_cnt = n_in + 1;
    rc = api->emit(h->st, &out);
    if (rc != 0) {
        /* The producer queue stayed full: let the host redeliver. */
        api->set_error(h->st, "emit", "emit failed (%d)", rc);
        return CO_RETRY;
    }
    h->greeted++;
    /* Services added after ABI 1.0 must be tested before use; metric_add is
     * 1.0, so this check is always true here, but it shows the pattern. */
    if (CO_API_HAS(api, metric_add))
        api->metric_add(h->st, "greeted", 1);
    return CO_OK;
}

/* stop(): no more calls will come except destroy(). Nothing to release. */
static void hello_stop(void *instance)
{
    struct hello *h = instance;
    api->log(h->st, CO_LOG_INFO, "hello: greeted %lld records", h->greeted);
}

/* destroy(): free the instance. Also called after a failed init(). */
static void hello_destroy(void *instance)
{
    struct hello *h = instance;
    if (h == NULL)
        return;
    free(h->buf);
    free(h->headers);
    free(h);
}

/* The descriptor: constant, with CO_PLUGIN_HEADER first (ABI version and
 * size, checked by the host), then designated initializers. */
static const co_plugin_t hello_plugin = {
    CO_PLUGIN_HEADER,
    .name = "hello", /* must match the file name hello.so */
    .version = "1.0.0",
    .description = "Example processor: greets every record's value.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .options = hello_options,
    .config_size = sizeof(struct hello_config),
    .init = hello_init,
    .process = hello_process,
    .stop = hello_stop,
    .destroy = hello_destroy,
};

/* The one exported symbol. Everything else is static and the module is
 * built with -fvisibility=hidden. */
CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
{
    api = a;
    return &hello_plugin;
}
