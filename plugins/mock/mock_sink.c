/**
 * @file plugins/mock/mock_sink.c
 * @brief mock-sink: a sink that appends one JSON line per record it receives
 *        to a file, so tests can check what arrived:
 *        {"key":"..","value":"..","topic":"..","partition":N,"offset":N}
 *
 * process() buffers the line in memory; flush() appends the buffer to `path`
 * and makes it durable (fflush + fsync) before returning CO_OK, so the host
 * commits input offsets only for records that are in the file. A crash
 * before flush loses only the buffer: the records are read again (the file
 * may then hold duplicates, never gaps).
 *
 * Side effects: with `counter_file` set, each record also appends its key as
 * one line to that file at process() time (a stand-in for a Slack post or a
 * paid API call). With `idempotent`, that side effect is guarded by
 * api->idem_begin(key) / api->idem_commit(key): CO_IDEM_DONE skips it;
 * CO_IDEM_PENDING (claimed but never committed: a crash between the side
 * effect and the commit) repeats it, because the mock cannot ask the remote
 * side whether it happened. A real plugin would check the remote side there.
 */
#include <careerops/plugin.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const co_host_api_t *mock_sink_api;

/** Configuration struct filled by the host from mock_sink_options. */
struct mock_sink_config {
    const char *path;
    int64_t sleep_ms;
    int idempotent;
    const char *counter_file;
    int64_t fail_on_flush;
    int headers;
    int flush_sends;
};

static const co_option_t mock_sink_options[] = {
    {CO_OPT_STR, "path", NULL, CO_OPT_REQUIRED | CO_OPT_PATH | CO_OPT_OUTPUT, 0,
     0, offsetof(struct mock_sink_config, path),
     "JSONL file to which flush() appends one line per record received."},
    {CO_OPT_INT, "sleep_ms", "0", 0, 0, 3600000,
     offsetof(struct mock_sink_config, sleep_ms),
     "Milliseconds to wait (on the host's clock) in each process() call."},
    {CO_OPT_BOOL, "idempotent", "false", 0, 0, 0,
     offsetof(struct mock_sink_config, idempotent),
     "Guard the `counter_file` side effect with the host's idempotency "
     "keys (the record key), so it happens once per key."},
    {CO_OPT_STR, "counter_file", NULL, CO_OPT_PATH | CO_OPT_OUTPUT, 0, 0,
     offsetof(struct mock_sink_config, counter_file),
     "File to which each record's side effect appends its key (one line), "
     "so tests can count side effects."},
    {CO_OPT_INT, "fail_on_flush", "0", 0, 0, 1000000,
     offsetof(struct mock_sink_config, fail_on_flush),
     "Make the first N flush() calls return RETRY (test of the host's "
     "retry of flushes)."},
    {CO_OPT_BOOL, "headers", "false", 0, 0, 0,
     offsetof(struct mock_sink_config, headers),
     "Also write the record's headers as a \"headers\" object of strings."},
    {CO_OPT_BOOL, "flush_sends", "false", 0, 0, 0,
     offsetof(struct mock_sink_config, flush_sends),
     "Make flush() behave as a sink that sends over the network with the "
     "stop hook of lib/http: RETRY while the host's stopping() says 1."},
    {0},
};

/** One sink instance. */
struct mock_sink {
    co_stage_t *st;
    const struct mock_sink_config *cfg;
    FILE *out;     /**< `path`, opened for appending */
    FILE *counter; /**< `counter_file`, or NULL */
    char *buf;     /**< lines processed but not flushed */
    size_t len, cap;
    int64_t flush_failures; /**< injected flush failures still to give */
};

/** Open `path` for appending or fail the init with a clear message. */
static FILE *mock_sink_open(struct mock_sink *ms, const char *option,
                            const char *path)
{
    FILE *f = fopen(path, "a");
    /* Unbuffered: each flush is one write() on an O_APPEND file, so the
     * instances of a `concurrency: N` stage sharing the file never
     * interleave their lines. */
    if (f != NULL)
        setvbuf(f, NULL, _IONBF, 0);
    if (f == NULL)
        mock_sink_api->set_error(ms->st, "config",
                                 "mock-sink: cannot open `%s` %s for "
                                 "appending: %s",
                                 option, path, strerror(errno));
    return f;
}

static co_status_t mock_sink_init(const co_host_api_t *api, co_stage_t *st,
                                  const void *config, void **instance)
{
    const struct mock_sink_config *cfg = config;
    struct mock_sink *ms = calloc(1, sizeof *ms);
    if (ms == NULL) {
        api->set_error(st, "memory", "out of memory creating mock-sink");
        return CO_FATAL;
    }
    *instance = ms;
    ms->st = st;
    ms->cfg = cfg;
    ms->flush_failures = cfg->fail_on_flush;
    if (cfg->path == NULL || cfg->path[0] == '\0') {
        api->set_error(st, "config",
                       "mock-sink: option `path` is required "
                       "(the JSONL file to write)");
        return CO_FATAL;
    }
    if (cfg->idempotent &&
        (cfg->counter_file == NULL || cfg->counter_file[0] == '\0')) {
        api->set_error(st, "config",
                       "mock-sink: `idempotent` guards the side effect on "
                       "`counter_file`; set `counter_file` too");
        return CO_FATAL;
    }
    ms->out = mock_sink_open(ms, "path", cfg->path);
    if (ms->out == NULL)
        return CO_FATAL;
    if (cfg->counter_file != NULL && cfg->counter_file[0] != '\0') {
        ms->counter = mock_sink_open(ms, "counter_file", cfg->counter_file);
        if (ms->counter == NULL)
            return CO_FATAL;
    }
    return CO_OK;
}

/** A JSON string of `len` bytes, JSON null for NULL, or NULL when the bytes
 *  are not valid UTF-8. */
static json_t *mock_sink_bytes(const void *p, size_t len)
{
    if (p == NULL)
        return json_null();
    return json_stringn(p, len);
}

/** Build the line for `rec` (without newline). *why says what is wrong when
 *  NULL is returned. */
static char *mock_sink_line(const struct mock_sink *ms, const co_record_t *rec,
                            const char **why)
{
    json_t *o = json_object();
    json_t *key = mock_sink_bytes(rec->key, rec->key_len);
    json_t *value = mock_sink_bytes(rec->value, rec->value_len);
    char *line = NULL;
    *why = NULL;
    if (key == NULL)
        *why = "the record key is not valid UTF-8";
    else if (value == NULL)
        *why = "the record value is not valid UTF-8";
    if (o == NULL || *why != NULL) {
        json_decref(key);
        json_decref(value);
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "key", key);
    json_object_set_new(o, "value", value);
    json_object_set_new(
        o, "topic", rec->topic != NULL ? json_string(rec->topic) : json_null());
    json_object_set_new(o, "partition", json_integer(rec->partition));
    json_object_set_new(o, "offset", json_integer(rec->offset));
    if (ms->cfg->headers) {
        json_t *h = json_object();
        for (size_t i = 0; i < rec->header_cnt; i++) {
            const co_header_t *hd = &rec->headers[i];
            json_t *v = mock_sink_bytes(hd->value, hd->value_len);
            json_object_set_new(h, hd->name, v != NULL ? v : json_null());
        }
        json_object_set_new(o, "headers", h);
    }
    line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return line;
}

/** Append `line` and a newline to the flush buffer. @returns 0 or -1. */
static int mock_sink_buffer(struct mock_sink *ms, const char *line)
{
    size_t n = strlen(line);
    if (ms->len + n + 1 > ms->cap) {
        size_t cap = ms->cap ? ms->cap : 4096;
        while (cap < ms->len + n + 1)
            cap *= 2;
        char *p = realloc(ms->buf, cap);
        if (p == NULL)
            return -1;
        ms->buf = p;
        ms->cap = cap;
    }
    memcpy(ms->buf + ms->len, line, n);
    ms->buf[ms->len + n] = '\n';
    ms->len += n + 1;
    return 0;
}

/** The side effect: append the key as one line to counter_file, guarded by
 *  the idempotency key when `idempotent`. @returns CO_OK or CO_RETRY. */
static co_status_t mock_sink_side_effect(struct mock_sink *ms,
                                         const co_record_t *rec)
{
    const co_host_api_t *api = mock_sink_api;
    char key[512];
    if (rec->key != NULL) {
        size_t n =
            rec->key_len < sizeof key - 1 ? rec->key_len : sizeof key - 1;
        memcpy(key, rec->key, n);
        key[n] = '\0';
    } else {
        snprintf(key, sizeof key, "%s:%" PRId32 ":%" PRId64,
                 rec->topic ? rec->topic : "", rec->partition, rec->offset);
    }
    if (ms->cfg->idempotent) {
        int rc = api->idem_begin(ms->st, key);
        if (rc == CO_IDEM_DONE)
            return CO_OK;
        if (rc != CO_IDEM_NEW && rc != CO_IDEM_PENDING) {
            api->set_error(ms->st, "state", "idem_begin(%s) failed (%d)", key,
                           rc);
            return CO_RETRY;
        }
        /* PENDING: the side effect may or may not have happened; a mock
         * cannot tell, so it repeats it (at-least-once for this window). */
    }
    if (fprintf(ms->counter, "%s\n", key) < 0 || fflush(ms->counter) != 0) {
        api->set_error(ms->st, "io", "cannot append to %s: %s",
                       ms->cfg->counter_file, strerror(errno));
        return CO_RETRY;
    }
    if (ms->cfg->idempotent) {
        int rc = api->idem_commit(ms->st, key);
        if (rc != 0) {
            api->set_error(ms->st, "state", "idem_commit(%s) failed (%d)", key,
                           rc);
            return CO_RETRY;
        }
    }
    return CO_OK;
}

static co_status_t mock_sink_process(void *instance, const co_record_t *rec)
{
    struct mock_sink *ms = instance;
    const co_host_api_t *api = mock_sink_api;
    if (ms->cfg->sleep_ms > 0)
        api->sleep_ms(ms->st, ms->cfg->sleep_ms);
    const char *why = NULL;
    char *line = mock_sink_line(ms, rec, &why);
    if (line == NULL) {
        if (why == NULL) {
            api->set_error(ms->st, "memory", "out of memory");
            return CO_RETRY;
        }
        api->set_error(ms->st, "encoding",
                       "%s (the mock sink writes JSON "
                       "strings)",
                       why);
        return CO_FAIL;
    }
    if (ms->counter != NULL) {
        co_status_t s = mock_sink_side_effect(ms, rec);
        if (s != CO_OK) {
            free(line);
            return s;
        }
    }
    int rc = mock_sink_buffer(ms, line);
    free(line);
    if (rc != 0) {
        api->set_error(ms->st, "memory", "out of memory buffering a line");
        return CO_RETRY;
    }
    return CO_OK;
}

static co_status_t mock_sink_flush(void *instance)
{
    struct mock_sink *ms = instance;
    const co_host_api_t *api = mock_sink_api;
    if (ms->flush_failures > 0) {
        ms->flush_failures--;
        api->set_error(ms->st, "injected",
                       "injected flush failure (%" PRId64 " more to come)",
                       ms->flush_failures);
        return CO_RETRY;
    }
    if (ms->cfg->flush_sends && ms->len > 0 && api->stopping(ms->st)) {
        api->set_error(ms->st, "stopped",
                       "stopped while about to send (the stage is stopping)");
        return CO_RETRY;
    }
    if (ms->len > 0 && fwrite(ms->buf, 1, ms->len, ms->out) != ms->len) {
        /* Part of the buffer may be in the file: the retry writes it all
         * again, so the file may get duplicates, never gaps. */
        api->set_error(ms->st, "io", "cannot write %s: %s", ms->cfg->path,
                       strerror(errno));
        clearerr(ms->out);
        return CO_RETRY;
    }
    if (fflush(ms->out) != 0 || fsync(fileno(ms->out)) != 0) {
        api->set_error(ms->st, "io", "cannot sync %s: %s", ms->cfg->path,
                       strerror(errno));
        return CO_RETRY;
    }
    ms->len = 0;
    return CO_OK;
}

static void mock_sink_destroy(void *instance)
{
    struct mock_sink *ms = instance;
    if (ms == NULL)
        return;
    /* Unflushed lines are dropped on purpose: their offsets were not
     * committed, so the host delivers those records again. */
    if (ms->out != NULL)
        fclose(ms->out);
    if (ms->counter != NULL)
        fclose(ms->counter);
    free(ms->buf);
    free(ms);
}

/* What a path to append to must not be, or NULL: a folder, or a FIFO
 * (fopen() for appending would block until a reader comes). A device
 * (/dev/null, as the idle benchmark's sink) is written to. */
static const char *mock_sink_not_file(const char *path)
{
    struct stat sb;
    if (path == NULL || *path == '\0' || stat(path, &sb) != 0)
        return NULL;
    return S_ISDIR(sb.st_mode)    ? "a folder"
           : S_ISFIFO(sb.st_mode) ? "a pipe (FIFO)"
                                  : NULL;
}

/* ABI 1.2 check: validate refuses what init() would fail on or hang on
 * (trial 67: a folder or a FIFO as `path` or `counter_file` passed
 * validate), and one file given as both. */
static co_status_t mock_sink_check(const void *config, char *err, size_t errsz)
{
    const struct mock_sink_config *cfg = config;
    const char *names[] = {"path", "counter_file"};
    const char *vals[] = {cfg->path, cfg->counter_file};
    for (int i = 0; i < 2; i++) {
        const char *why = mock_sink_not_file(vals[i]);
        if (why != NULL) {
            snprintf(err, errsz,
                     "%s: '%s' is %s: name a file (created if missing)",
                     names[i], vals[i], why);
            return CO_FATAL;
        }
    }
    struct stat a, b;
    if (cfg->path != NULL && cfg->counter_file != NULL &&
        *cfg->counter_file != '\0' &&
        (strcmp(cfg->path, cfg->counter_file) == 0 ||
         (stat(cfg->path, &a) == 0 && stat(cfg->counter_file, &b) == 0 &&
          a.st_dev == b.st_dev && a.st_ino == b.st_ino))) {
        snprintf(err, errsz,
                 "counter_file: '%s' is the file of `path` too: the side "
                 "effects' keys would mix with the records; give another "
                 "file",
                 cfg->counter_file);
        return CO_FATAL;
    }
    return CO_OK;
}

static const co_plugin_t mock_sink_plugin = {
    CO_PLUGIN_HEADER,
    .name = "mock-sink",
    .version = "1.0.0",
    .description = "Test sink: appends one JSON line per record to a file "
                   "on flush, with optional guarded side effects.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SINK,
    .options = mock_sink_options,
    .config_size = sizeof(struct mock_sink_config),
    .check = mock_sink_check,
    .init = mock_sink_init,
    .process = mock_sink_process,
    .flush = mock_sink_flush,
    .destroy = mock_sink_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    mock_sink_api = api;
    return &mock_sink_plugin;
}
