/* The host services table (co_host_api) that plugins call. */
#include "stage.h"
#include "capture.h"
#include "command.h"
#include "err.h"
#include "log.h"
#include "port.h"
#include "util.h"
#include "emit_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)

static void co__api_log(co_stage_t *st, co_log_level_t level, const char *fmt,
                        ...)
{
    /* a level outside co_log_level_t (trial 83: 99 was dropped in
     * silence) is logged at WARN, which a plugin's bug should not hide */
    if (level != CO_LOG_ERROR && level != CO_LOG_WARN && level != CO_LOG_INFO &&
        level != CO_LOG_DEBUG)
        level = CO_LOG_WARN;
    va_list ap;
    va_start(ap, fmt);
    co_logv(level, st ? st->sc->name : NULL, st ? st->sc->plugin : NULL, fmt,
            ap);
    va_end(ap);
}

static void *co__api_alloc(size_t n)
{
    return malloc(n ? n : 1);
}

static void co__api_free(void *p)
{
    free(p);
}

static void co__api_set_error(co_stage_t *st, const char *cls, const char *fmt,
                              ...)
{
    snprintf(st->err_class, sizeof st->err_class, "%s", cls ? cls : "plugin");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err_msg, sizeof st->err_msg, fmt, ap);
    va_end(ap);
    co_secret_redact(st->err_msg, sizeof st->err_msg);
}

static void co__api_retry_after(co_stage_t *st, uint32_t ms)
{
    st->retry_hint_ms = ms;
}

static int co__api_emit(co_stage_t *st, const co_record_t *rec)
{
    /* said at WARN once per stage and fault: the plugin may ignore the
     * CO_ERR_INVAL (trial 83: emit() from init() crashed the host, no producer
     * yet) */
    const char *why = co_emit_refusal(rec, st->in_init);
    if (why != NULL) {
        if (st->emit_refused != why) {
            st->emit_refused = why;
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "%s; refused with CO_ERR_INVAL (a bug of the plugin; said "
                   "once for each fault)",
                   why);
        }
        return CO_ERR_INVAL;
    }
    /* the same refusal under `plugins test` as in `run` (trial 83: the
     * capture took a sink's records, and the hint asked for an "output"
     * that validate refuses on a sink) */
    if (rec->topic == NULL && st->sc->output == NULL) {
        int sink =
            (st->ph->desc->kinds & (CO_KIND_SOURCE | CO_KIND_PROCESSOR)) == 0;
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "emit() without an output topic: %s",
               sink ? "the plugin is a sink, and a sink emits nothing (it "
                      "writes to the outside world; a processor emits its "
                      "output)"
                    : "give the stage an \"output\" in the manifest, or "
                      "set the record's topic");
        return CO_ERR_INVAL;
    }
    return st->port->emit(st, rec);
}

static int co__api_dead_letter(co_stage_t *st, const co_record_t *rec,
                               const char *cls, const char *msg)
{
    if (rec == NULL)
        return CO_ERR_INVAL;
    co_record_t r = *rec;
    /* A sink or transform rejecting one of its input records (postgres-sink)
     * keeps where it came from, so `careerops dlq replay` can send it back
     * (careerops.error.topic); a source's raw input has no position. */
    if (st->sc->n_inputs == 0 || rec->topic == NULL) {
        r.topic = NULL;
        r.partition = -1;
        r.offset = -1;
    }
    return co_stage_dead_letter(st, &r, cls ? cls : "source",
                                msg ? msg : "rejected by the source", 1);
}

static int co__api_secret(co_stage_t *st, const char *name, char **out,
                          size_t *out_len)
{
    if (name == NULL || out == NULL || strchr(name, '/') || name[0] == '.')
        return CO_ERR_INVAL;
    char *file = co_path_join(st->m->secrets_dir, name);
    size_t len = 0;
    int rc = co_read_file_max(file, out, &len, CO_READ_SECRET_MAX);
    free(file);
    /* a FIFO nothing wrote to within 5 s is said as such: it was "missing
     * or empty" though the file is there (trial 54) */
    if (rc != 0)
        return rc == -ETIMEDOUT ? CO_ERR_TRANSIENT : CO_ERR_NOTFOUND;
    while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
        (*out)[--len] = '\0';
    if (out_len)
        *out_len = len;
    return 0;
}

static co_metric_t *co__plugin_metric(co_stage_t *st, const char *name,
                                      co_metric_type_t t)
{
    char full[256], labels[512];
    snprintf(full, sizeof full, "careerops_plugin_%s%s", name,
             t == CO_METRIC_COUNTER ? "_total" : "");
    for (char *p = full; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            *p = '_';
    snprintf(labels, sizeof labels, "stage=\"%s\",plugin=\"%s\"", st->sc->name,
             st->sc->plugin);
    return co_metric(full, labels, t, "Plugin-defined metric");
}

static void co__api_metric_add(co_stage_t *st, const char *name, double d)
{
    co_metric_add(co__plugin_metric(st, name, CO_METRIC_COUNTER), d);
}

static void co__api_metric_set(co_stage_t *st, const char *name, double v)
{
    co_metric_set(co__plugin_metric(st, name, CO_METRIC_GAUGE), v);
}

/* Run a state operation, waiting (never failing a record) while the store
 * is down, unless the stage is stopping. */
static int co__state_wait(co_stage_t *st, int rc, int attempt)
{
    if (rc != CO_ERR_STATE || co_stage_stopping(st))
        return 0;
    if (attempt == 1 || attempt % 10 == 0)
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "waiting for the state store (attempt %d)", attempt);
    st->state_waiting = 1;
    co_stage_set_status(st, CO_STAGE_WAITING, "waiting for the state store");
    co_stage_sleep(st, attempt < 10 ? 200 * attempt : 2000);
    return 1;
}

/* The state operation returned: a stage that showed WAITING for its store
 * (here or in the store's own wait, core/stage.c) is RUNNING again, unless
 * something else changed its status meanwhile. */
static int co__state_done(co_stage_t *st, int rc)
{
    if (st->state_waiting) {
        st->state_waiting = 0;
        pthread_mutex_lock(&st->lock);
        if (st->status == CO_STAGE_WAITING)
            st->status = CO_STAGE_RUNNING;
        pthread_mutex_unlock(&st->lock);
    }
    return rc;
}

static int co__api_state_get(co_stage_t *st, const char *key, char **out,
                             size_t *len)
{
    int rc, a = 0;
    do
        rc = co_state_get(st->state, st->ns, key, out, len);
    while (co__state_wait(st, rc, ++a));
    return co__state_done(st, rc);
}

int co_stage_state_put(co_stage_t *st, const char *key, const void *value,
                       size_t len)
{
    int rc, a = 0;
    do
        rc = co_state_put(st->state, st->ns, key, value, len);
    while (co__state_wait(st, rc, ++a));
    return co__state_done(st, rc);
}

static int co__api_source_offset(co_stage_t *st, const char *key,
                                 const void *value, size_t len)
{
    if (key == NULL)
        return CO_ERR_INVAL;
    /* replace an older pending value for the same key only if it has the
     * same seq: positions must be written in order */
    co_srcpos_t *v = realloc(st->pend, (st->n_pend + 1) * sizeof *v);
    if (v == NULL)
        return CO_ERR_NOMEM;
    st->pend = v;
    co_srcpos_t *p = &st->pend[st->n_pend++];
    p->key = co_strdup(key);
    p->value = co_xmalloc(len + 1);
    memcpy(p->value, value, len);
    p->value[len] = '\0';
    p->len = len;
    p->seq = CO__ATOMIC_LOAD(&st->emit_seq);
    return 0;
}

static int co__api_idem_begin(co_stage_t *st, const char *key)
{
    int rc, a = 0;
    do
        rc = co_state_idem_begin(st->state, st->ns, key);
    while (co__state_wait(st, rc, ++a));
    return co__state_done(st, rc);
}

static int co__api_idem_commit(co_stage_t *st, const char *key)
{
    int rc, a = 0;
    do
        rc = co_state_idem_commit(st->state, st->ns, key);
    while (co__state_wait(st, rc, ++a));
    return co__state_done(st, rc);
}

static int co__api_stopping(co_stage_t *st)
{
    /* the last flush at the end sends what the sink holds: its requests
     * are not cut for a while (a second signal or a fatal Kafka error
     * still stops it) */
    int64_t since = CO__ATOMIC_LOAD(&st->end_flush_since_ms);
    if (since != 0 && co_mono_ms() - since < CO_LAST_FLUSH_GRACE_MS &&
        !co_stage_hard_stop(st) && !co_port_kafka_failed(st))
        return 0;
    return co_stage_stopping(st);
}

static int64_t co__api_now_ms(co_stage_t *st)
{
    return st ? co_stage_now(st) : co_wall_ms();
}

/* A plugin that sleeps after set_error() in the same call (the host clears
 * the error before each poll, process and flush) is waiting out a failure
 * outside it, e.g. postgres-sink reconnecting inside flush() for up to
 * wait_s: the stage shows WAITING with that error while it sleeps (it
 * showed RUNNING with no error), and RUNNING again after, unless something
 * else changed the status meanwhile. */
static int co__api_sleep_ms(co_stage_t *st, int64_t ms)
{
    int waiting =
        st->err_msg[0] != '\0' && co_stage_get_status(st) == CO_STAGE_RUNNING;
    if (waiting)
        co_stage_set_status(st, CO_STAGE_WAITING, st->err_msg);
    int rc = co_stage_sleep(st, ms);
    if (waiting) {
        pthread_mutex_lock(&st->lock);
        if (st->status == CO_STAGE_WAITING)
            st->status = CO_STAGE_RUNNING;
        pthread_mutex_unlock(&st->lock);
    }
    return rc;
}

static const char *co__api_stage_name(co_stage_t *st)
{
    return st->sc->name;
}

static char *co__api_resolve_path(co_stage_t *st, const char *path)
{
    return co_path_join(st->m->dir, path);
}

const co_host_api_t co_host_api = {
    .size = sizeof(co_host_api_t),
    .version = (CO_ABI_MAJOR << 16) | CO_ABI_MINOR,
    .log = co__api_log,
    .alloc = co__api_alloc,
    .free = co__api_free,
    .emit = co__api_emit,
    .set_error = co__api_set_error,
    .retry_after = co__api_retry_after,
    .dead_letter = co__api_dead_letter,
    .secret = co__api_secret,
    .metric_add = co__api_metric_add,
    .metric_set = co__api_metric_set,
    .state_get = co__api_state_get,
    .state_put = co_stage_state_put,
    .source_offset = co__api_source_offset,
    .idem_begin = co__api_idem_begin,
    .idem_commit = co__api_idem_commit,
    .stopping = co__api_stopping,
    .now_ms = co__api_now_ms,
    .sleep_ms = co__api_sleep_ms,
    .stage_name = co__api_stage_name,
    .resolve_path = co__api_resolve_path,
    /* 1.1: services for plugin commands (core/command.c, core/capture.c) */
    .stage_config = co_command_stage_config,
    .capture_open = co_capture_new,
    .capture_process = co_capture_process,
    .capture_count = co_capture_count,
    .capture_value = co_capture_value,
    .capture_error = co_capture_error,
    .capture_clear = co_capture_clear,
    .capture_close = co_capture_destroy,
};
