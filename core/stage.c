/* Stage instances: host services for plugins, the source and consumer
 * loops, retries with backoff, dead letters, commits after delivery. */
#include "stage.h"
#include "err.h"
#include "log.h"
#include "pipeline.h"
#include "util.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define CO__ATOMIC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

const char *co_stage_state_name(co_stage_state_t s)
{
    static const char *const n[] = {"STARTING", "RUNNING", "PAUSED", "WAITING",
                                    "DONE",     "STOPPED", "FAILED"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "UNKNOWN";
}

void co_stage_set_status(co_stage_t *st, co_stage_state_t s, const char *msg)
{
    pthread_mutex_lock(&st->lock);
    st->status = s;
    if (msg)
        snprintf(st->last_error, sizeof st->last_error, "%s", msg);
    pthread_mutex_unlock(&st->lock);
}

co_stage_state_t co_stage_get_status(co_stage_t *st)
{
    pthread_mutex_lock(&st->lock);
    co_stage_state_t s = st->status;
    pthread_mutex_unlock(&st->lock);
    return s;
}

static int co__stopping(co_stage_t *st)
{
    return CO__ATOMIC_LOAD(&st->stop) ||
           (st->rt && CO__ATOMIC_LOAD(&st->rt->stop) == 2);
}

/* ---- clock ----------------------------------------------------------------
 */

static int64_t co__now(co_stage_t *st)
{
    return st->capture_sim ? st->sim_now_ms : co_wall_ms();
}

/* Sleep on the stage's clock, serving producer callbacks; 1 if stopped. */
static int co__sleep(co_stage_t *st, int64_t ms)
{
    if (st->capture_sim) {
        st->sim_now_ms += ms;
        return 0;
    }
    int64_t end = co_mono_ms() + ms;
    for (;;) {
        if (co__stopping(st))
            return 1;
        int64_t left = end - co_mono_ms();
        if (left <= 0)
            return 0;
        int slice = left > 100 ? 100 : (int)left;
        if (st->producer)
            rd_kafka_poll(st->producer, slice);
        else
            co_sleep_ms(slice);
    }
}

/* ---- host services --------------------------------------------------------
 */

static void co__api_log(co_stage_t *st, co_log_level_t level, const char *fmt,
                        ...)
{
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
}

static void co__api_retry_after(co_stage_t *st, uint32_t ms)
{
    st->retry_hint_ms = ms;
}

/* CloudEvents binary-mode headers (Kafka protocol binding). */
static void co__add_ce_headers(co_stage_t *st, rd_kafka_headers_t *h,
                               const co_record_t *rec)
{
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    rnd[6] = (unsigned char)((rnd[6] & 0x0f) | 0x40); /* UUID v4 */
    rnd[8] = (unsigned char)((rnd[8] & 0x3f) | 0x80);
    char id[40];
    snprintf(id, sizeof id,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
             "%02x",
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7],
             rnd[8], rnd[9], rnd[10], rnd[11], rnd[12], rnd[13], rnd[14],
             rnd[15]);
    char type[128] = "careerops.record";
    if (rec->value && rec->value_len > 12) {
        /* cheap look for "schema":"..." near the start of a JSON value */
        size_t scan = rec->value_len < 256 ? rec->value_len : 256;
        const char *v = rec->value;
        const char *k = memmem(v, scan, "\"schema\":\"", 10);
        if (k) {
            const char *s = k + 10;
            const char *e = memchr(s, '"', (size_t)(v + rec->value_len - s));
            if (e && (size_t)(e - s) < sizeof type) {
                memcpy(type, s, (size_t)(e - s));
                type[e - s] = '\0';
            }
        }
    }
    char src[512], ts[40];
    snprintf(src, sizeof src, "/careerops/%s/%s", st->m->pipeline,
             st->sc->name);
    co_rfc3339_now(ts, sizeof ts);
    rd_kafka_header_add(h, "ce_specversion", -1, "1.0", 3);
    rd_kafka_header_add(h, "ce_id", -1, id, (ssize_t)strlen(id));
    rd_kafka_header_add(h, "ce_type", -1, type, (ssize_t)strlen(type));
    rd_kafka_header_add(h, "ce_source", -1, src, (ssize_t)strlen(src));
    rd_kafka_header_add(h, "ce_time", -1, ts, (ssize_t)strlen(ts));
}

/* Backpressure for sources: wait while the downstream lag of the target
 * partition nears the limit (DESIGN.md: embedded broker window). */
static void co__backpressure(co_stage_t *st, const char *topic)
{
    if (st->rt == NULL || st->rt->bp_limit_records <= 0)
        return;
    int64_t t0 = 0;
    for (;;) {
        int64_t worst = 0;
        int64_t avg = st->emit_seq ? st->bytes_out / (int64_t)st->emit_seq : 0;
        int64_t limit = st->rt->bp_limit_records;
        if (st->rt->mock_broker && avg > 0) {
            /* keep below 40% of the mock cluster's per-partition bytes */
            int64_t by_bytes = (CO_MOCK_PARTITION_BYTES * 4 / 10) / (avg + 200);
            if (by_bytes < limit)
                limit = by_bytes;
        }
        if (limit < 10)
            limit = 10;
        int known = 0;
        for (int p = 0; p < st->n_hw; p++) {
            int64_t c = co_runtime_downstream_committed(st->rt, topic, p);
            if (c == -2 && st->rt->mock_broker)
                c = 0; /* the mock cluster's topics start empty */
            if (c < 0)
                continue;
            known = 1;
            int64_t lag = st->hw[p] - c;
            if (lag > worst)
                worst = lag;
        }
        int64_t infl = CO__ATOMIC_LOAD(&st->inflight);
        int nparts = co_manifest_partitions(st->m, topic);
        if (st->n_hw == 0) /* nothing acknowledged yet: count in-flight */
            known = co_runtime_downstream_committed(st->rt, topic, 0) != -1;
        if (!known || worst + infl / nparts + 1 <= limit || co__stopping(st))
            break;
        if (t0 == 0) {
            t0 = co_mono_ms();
            co_stage_set_status(st, CO_STAGE_PAUSED, NULL);
        } else if (co_mono_ms() - t0 > 30000 &&
                   (co_mono_ms() - t0) % 30000 < 20) {
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "paused by backpressure for %lld s: downstream of %s is "
                   "%lld records behind (limit %lld, %lld in flight)",
                   (long long)((co_mono_ms() - t0) / 1000), topic,
                   (long long)worst, (long long)limit, (long long)infl);
        }
        rd_kafka_poll(st->producer, 20);
    }
    if (t0) {
        co_metric_add(st->m_bp_wait, (double)(co_mono_ms() - t0) / 1000.0);
        co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
    }
}

static int co__produce(co_stage_t *st, const char *topic, int32_t partition,
                       const void *key, size_t klen, const void *val,
                       size_t vlen, rd_kafka_headers_t *hdrs)
{
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            st->producer, RD_KAFKA_V_TOPIC(topic),
            RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY((void *)key, klen),
            RD_KAFKA_V_VALUE((void *)val, vlen),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs),
            RD_KAFKA_V_OPAQUE(st), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            __atomic_add_fetch(&st->inflight, 1, __ATOMIC_SEQ_CST);
            st->bytes_out += (int64_t)(klen + vlen);
            return 0;
        }
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(st->producer, 50);
            if (co__stopping(st) && st->rt && st->rt->stop == 2)
                break;
            continue;
        }
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "cannot produce to %s: %s", topic, rd_kafka_err2str(err));
        break;
    }
    rd_kafka_headers_destroy(hdrs);
    return CO_ERR_KAFKA;
}

static int co__api_emit(co_stage_t *st, const co_record_t *rec)
{
    if (rec == NULL)
        return CO_ERR_INVAL;
    if (st->capture_emit) {
        st->capture_emit(st->capture_arg, rec);
        __atomic_add_fetch(&st->emit_seq, 1, __ATOMIC_SEQ_CST);
        return 0;
    }
    const char *topic = rec->topic ? rec->topic : st->sc->output;
    if (topic == NULL) {
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "emit() without an output topic: give the stage an "
               "\"output\" in the manifest");
        return CO_ERR_INVAL;
    }
    /* sources and processors alike wait while their output's consumers
     * lag too far behind (a fast processor before a slow sink) */
    if (st->sc->output && strcmp(topic, st->sc->output) == 0)
        co__backpressure(st, topic);
    rd_kafka_headers_t *h = rd_kafka_headers_new(rec->header_cnt + 5);
    int has_ce = 0;
    for (size_t i = 0; i < rec->header_cnt; i++) {
        const co_header_t *x = &rec->headers[i];
        if (strcmp(x->name, "ce_specversion") == 0)
            has_ce = 1;
        rd_kafka_header_add(h, x->name, -1, x->value, (ssize_t)x->value_len);
    }
    if (!has_ce)
        co__add_ce_headers(st, h, rec);
    int rc = co__produce(st, topic, rec->partition, rec->key, rec->key_len,
                         rec->value, rec->value_len, h);
    if (rc == 0) {
        __atomic_add_fetch(&st->emit_seq, 1, __ATOMIC_SEQ_CST);
        co_metric_add(st->m_out, 1);
    }
    return rc;
}

/* Produce a record to the dead-letter topic with the error headers. */
static int co__dead_letter(co_stage_t *st, const co_record_t *rec,
                           const char *cls, const char *msg, int attempts)
{
    co_metric_add(st->m_dlq, 1);
    co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
           "dead-lettering record (topic %s partition %d offset %lld) to %s: "
           "[%s] %s",
           rec->topic ? rec->topic : "-", rec->partition,
           (long long)rec->offset, st->sc->dlq_topic, cls, msg);
    if (st->capture_emit)
        return 0;
    rd_kafka_headers_t *h = rd_kafka_headers_new(rec->header_cnt + 10);
    for (size_t i = 0; i < rec->header_cnt; i++)
        rd_kafka_header_add(h, rec->headers[i].name, -1, rec->headers[i].value,
                            (ssize_t)rec->headers[i].value_len);
    char num[64], ts[40];
    rd_kafka_header_add(h, "careerops.error.stage", -1, st->sc->name, -1);
    rd_kafka_header_add(h, "careerops.error.plugin", -1, st->sc->plugin, -1);
    rd_kafka_header_add(h, "careerops.error.class", -1, cls, -1);
    rd_kafka_header_add(h, "careerops.error.message", -1, msg, -1);
    snprintf(num, sizeof num, "%d", attempts);
    rd_kafka_header_add(h, "careerops.error.attempts", -1, num, -1);
    rd_kafka_header_add(h, "careerops.error.topic", -1,
                        rec->topic ? rec->topic : "", -1);
    snprintf(num, sizeof num, "%d", rec->partition);
    rd_kafka_header_add(h, "careerops.error.partition", -1, num, -1);
    snprintf(num, sizeof num, "%lld", (long long)rec->offset);
    rd_kafka_header_add(h, "careerops.error.offset", -1, num, -1);
    rd_kafka_header_add(h, "careerops.error.time", -1,
                        co_rfc3339_now(ts, sizeof ts), -1);
    return co__produce(st, st->sc->dlq_topic, RD_KAFKA_PARTITION_UA, rec->key,
                       rec->key_len, rec->value, rec->value_len, h);
}

static int co__api_dead_letter(co_stage_t *st, const co_record_t *rec,
                               const char *cls, const char *msg)
{
    if (rec == NULL)
        return CO_ERR_INVAL;
    co_record_t r = *rec;
    r.topic = NULL;
    r.partition = -1;
    r.offset = -1;
    return co__dead_letter(st, &r, cls ? cls : "source",
                           msg ? msg : "rejected by the source", 1);
}

static int co__api_secret(co_stage_t *st, const char *name, char **out,
                          size_t *out_len)
{
    if (name == NULL || out == NULL || strchr(name, '/') || name[0] == '.')
        return CO_ERR_INVAL;
    char *file = co_path_join(st->m->secrets_dir, name);
    size_t len = 0;
    int rc = co_read_file(file, out, &len);
    free(file);
    if (rc != 0)
        return CO_ERR_NOTFOUND;
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
    if (rc != CO_ERR_STATE || co__stopping(st))
        return 0;
    if (attempt == 1 || attempt % 10 == 0)
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "waiting for the state store (attempt %d)", attempt);
    co_stage_set_status(st, CO_STAGE_WAITING, "waiting for the state store");
    co__sleep(st, attempt < 10 ? 200 * attempt : 2000);
    return 1;
}

static int co__api_state_get(co_stage_t *st, const char *key, char **out,
                             size_t *len)
{
    int rc, a = 0;
    do
        rc = co_state_get(st->state, st->ns, key, out, len);
    while (co__state_wait(st, rc, ++a));
    return rc;
}

static int co__api_state_put(co_stage_t *st, const char *key, const void *value,
                             size_t len)
{
    int rc, a = 0;
    do
        rc = co_state_put(st->state, st->ns, key, value, len);
    while (co__state_wait(st, rc, ++a));
    return rc;
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
    return rc;
}

static int co__api_idem_commit(co_stage_t *st, const char *key)
{
    int rc, a = 0;
    do
        rc = co_state_idem_commit(st->state, st->ns, key);
    while (co__state_wait(st, rc, ++a));
    return rc;
}

static int co__api_stopping(co_stage_t *st)
{
    return co__stopping(st);
}

static int64_t co__api_now_ms(co_stage_t *st)
{
    return st ? co__now(st) : co_wall_ms();
}

static int co__api_sleep_ms(co_stage_t *st, int64_t ms)
{
    return co__sleep(st, ms);
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
    .state_put = co__api_state_put,
    .source_offset = co__api_source_offset,
    .idem_begin = co__api_idem_begin,
    .idem_commit = co__api_idem_commit,
    .stopping = co__api_stopping,
    .now_ms = co__api_now_ms,
    .sleep_ms = co__api_sleep_ms,
    .stage_name = co__api_stage_name,
    .resolve_path = co__api_resolve_path,
};

/* ---- creation ---------------------------------------------------------------
 */

static int co__state_should_stop(void *arg)
{
    return co__stopping(arg);
}

co_stage_t *co_stage_new(co_runtime_t *rt, const co_manifest_t *m,
                         const co_stage_conf_t *sc, int instance,
                         const char *bootstrap, char *errstr, size_t sz)
{
    const co_plugin_handle_t *ph = co_plugin_load(sc->plugin, errstr, sz);
    if (ph == NULL)
        return NULL;
    co_stage_t *st = co_xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    st->rt = rt;
    st->m = m;
    st->sc = sc;
    st->ph = ph;
    st->instance = instance;
    st->bootstrap = bootstrap;
    co_kafka_group_id(m, sc->name, st->group, sizeof st->group);
    snprintf(st->ns, sizeof st->ns, "%s/%s", m->pipeline, sc->name);
    char lab[512];
    snprintf(lab, sizeof lab, "stage=\"%s\"", sc->name);
    st->m_in = co_metric("careerops_records_in_total", lab, CO_METRIC_COUNTER,
                         "Records processed OK");
    st->m_out = co_metric("careerops_records_out_total", lab, CO_METRIC_COUNTER,
                          "Records emitted");
    st->m_failed =
        co_metric("careerops_records_failed_total", lab, CO_METRIC_COUNTER,
                  "Records that failed (FAIL or retries exhausted)");
    st->m_dlq =
        co_metric("careerops_records_dead_lettered_total", lab,
                  CO_METRIC_COUNTER, "Records sent to a dead-letter topic");
    st->m_retried = co_metric("careerops_records_retried_total", lab,
                              CO_METRIC_COUNTER, "Retries of a record");
    st->m_skipped =
        co_metric("careerops_records_skipped_total", lab, CO_METRIC_COUNTER,
                  "Records skipped by the stage's when predicate");
    st->m_latency =
        co_metric("careerops_processing_seconds", lab, CO_METRIC_HISTOGRAM,
                  "Time in the plugin per record, retries included");
    st->m_rl_wait =
        co_metric("careerops_rate_limit_wait_seconds_total", lab,
                  CO_METRIC_COUNTER, "Time spent waiting for the rate limiter");
    st->m_bp_wait = co_metric("careerops_backpressure_wait_seconds_total", lab,
                              CO_METRIC_COUNTER,
                              "Time a source spent paused by backpressure");
    st->m_loss =
        co_metric("careerops_data_loss_records_total", lab, CO_METRIC_COUNTER,
                  "Records the broker dropped before this stage read them");
    co_bucket_init(&st->bucket, sc->rate_per_s, sc->burst, co_wall_ms());

    char e[1024];
    /* waits (logging) while PostgreSQL is unreachable, until stopped */
    st->state =
        co_state_open_wait(m->state, co__state_should_stop, st, e, sizeof e);
    if (st->state == NULL) {
        co_errf(errstr, sz, "stage %s: state store: %s", sc->name, e);
        co_stage_free(st);
        return NULL;
    }
    const co_plugin_t *p = ph->desc;
    st->cfg = co_options_fill(p, sc->config, m->dir, &st->mem);
    st->err_msg[0] = '\0';
    co_status_t s = p->init(&co_host_api, st, st->cfg, &st->inst);
    if (s != CO_OK) {
        co_errf(errstr, sz, "stage %s: plugin %s failed to start: %s", sc->name,
                sc->plugin, st->err_msg[0] ? st->err_msg : co_status_name(s));
        co_stage_free(st);
        return NULL;
    }
    return st;
}

void co_stage_free(co_stage_t *st)
{
    if (st == NULL)
        return;
    const co_plugin_t *p = st->ph ? st->ph->desc : NULL;
    if (p && st->inst) {
        if (p->stop)
            p->stop(st->inst);
        if (p->destroy)
            p->destroy(st->inst);
    } else if (p && p->destroy && st->inst) {
        p->destroy(st->inst);
    }
    st->inst = NULL;
    co_options_free(st->cfg, st->mem);
    if (st->consumer) {
        rd_kafka_consumer_close(st->consumer);
        if (st->commit_q) {
            rd_kafka_queue_destroy(st->commit_q);
            st->commit_q = NULL;
        }
        rd_kafka_destroy(st->consumer);
    }
    if (st->producer) {
        rd_kafka_flush(st->producer, 10000);
        rd_kafka_destroy(st->producer);
    }
    if (st->offsets)
        rd_kafka_topic_partition_list_destroy(st->offsets);
    if (st->commit_q)
        rd_kafka_queue_destroy(st->commit_q);
    for (size_t i = 0; i < st->n_pend; i++) {
        free(st->pend[i].key);
        free(st->pend[i].value);
    }
    free(st->pend);
    for (size_t i = 0; i < st->n_expect; i++)
        free(st->expect[i].topic);
    free(st->expect);
    for (size_t i = 0; i < st->n_kb; i++)
        free(st->kb[i].key);
    free(st->kb);
    free(st->hw);
    co_state_close(st->state);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

char *co_stage_status_json(co_stage_t *st)
{
    json_t *o = json_object();
    pthread_mutex_lock(&st->lock);
    json_object_set_new(o, "stage", json_string(st->sc->name));
    json_object_set_new(o, "plugin", json_string(st->sc->plugin));
    json_object_set_new(o, "instance", json_integer(st->instance));
    json_object_set_new(o, "status",
                        json_string(co_stage_state_name(st->status)));
    json_object_set_new(o, "last_error", json_string(st->last_error));
    pthread_mutex_unlock(&st->lock);
    json_object_set_new(o, "records_in", json_real(co_metric_value(st->m_in)));
    json_object_set_new(o, "records_out",
                        json_real(co_metric_value(st->m_out)));
    json_object_set_new(o, "records_failed",
                        json_real(co_metric_value(st->m_failed)));
    json_object_set_new(o, "dead_lettered",
                        json_real(co_metric_value(st->m_dlq)));
    json_object_set_new(o, "retried",
                        json_real(co_metric_value(st->m_retried)));
    json_object_set_new(o, "skipped",
                        json_real(co_metric_value(st->m_skipped)));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* ---- processing ------------------------------------------------------------
 */

static double co__rand01(void)
{
    return (double)randombytes_uniform(1000000) / 1000000.0;
}

/* The bucket for a record: the stage's, or with rate_limit.key the one of
 * the value at that field path (e.g. "company"), created full on first
 * use. Records without the field share the stage's bucket. */
static co_bucket_t *co__bucket_for(co_stage_t *st, const co_record_t *rec)
{
    if (st->sc->rate_key == NULL || rec == NULL || rec->value == NULL)
        return &st->bucket;
    json_t *doc = json_loadb(rec->value, rec->value_len, 0, NULL);
    json_t *v = doc ? co_json_path(doc, st->sc->rate_key) : NULL;
    char key[256];
    int have = 0;
    if (json_is_string(v)) {
        snprintf(key, sizeof key, "%s", json_string_value(v));
        have = 1;
    } else if (v != NULL && !json_is_null(v)) {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(key, sizeof key, "%s", t ? t : "");
        free(t);
        have = 1;
    }
    json_decref(doc);
    if (!have)
        return &st->bucket;
    for (size_t i = 0; i < st->n_kb; i++)
        if (strcmp(st->kb[i].key, key) == 0)
            return &st->kb[i].bucket;
    if (st->n_kb >= 4096) { /* bound memory: forget idle keys */
        for (size_t i = 0; i < st->n_kb; i++)
            free(st->kb[i].key);
        st->n_kb = 0;
    }
    co_keybucket_t *nv = realloc(st->kb, (st->n_kb + 1) * sizeof *nv);
    if (nv == NULL)
        return &st->bucket;
    st->kb = nv;
    co_keybucket_t *kb = &st->kb[st->n_kb++];
    kb->key = co_strdup(key);
    co_bucket_init(&kb->bucket, st->sc->rate_per_s, st->sc->burst, co__now(st));
    return &kb->bucket;
}

/* Wait for a rate-limit token; records are never dropped. */
static int co__rate_wait(co_stage_t *st, const co_record_t *rec)
{
    if (st->sc->rate_per_s <= 0)
        return 0;
    co_bucket_t *b = co__bucket_for(st, rec);
    int64_t waited = 0;
    for (;;) {
        int64_t w = co_bucket_take(b, co__now(st));
        if (w == 0)
            break;
        waited += w;
        if (co__sleep(st, w))
            return 1;
    }
    if (waited)
        co_metric_add(st->m_rl_wait, (double)waited / 1000.0);
    return 0;
}

/* Call fn with the stage's retry policy. Returns the final status, or -1 if
 * the stage was asked to stop while backing off. */
typedef co_status_t (*co__call_fn)(co_stage_t *st, const void *arg);

static int co__with_retry(co_stage_t *st, co__call_fn fn, const void *arg,
                          int retries)
{
    for (int attempt = 0;; attempt++) {
        st->err_class[0] = '\0';
        st->err_msg[0] = '\0';
        st->retry_hint_ms = 0;
        st->attempts = attempt + 1;
        co_status_t s = fn(st, arg);
        if (s != CO_RETRY)
            return (int)s;
        co_metric_add(st->m_retried, 1);
        if (retries >= 0 && attempt >= retries) {
            char m[1100];
            snprintf(m, sizeof m, "gave up after %d retries: %s", retries,
                     st->err_msg[0] ? st->err_msg : "plugin asked to retry");
            snprintf(st->err_msg, sizeof st->err_msg, "%s", m);
            if (!st->err_class[0])
                snprintf(st->err_class, sizeof st->err_class, "retries");
            return CO_FAIL;
        }
        int64_t d = co_backoff_ms(attempt + 1, st->sc->backoff_ms,
                                  st->sc->backoff_max_ms, st->retry_hint_ms,
                                  co__rand01());
        co_log(CO_LOG_INFO, st->sc->name, st->sc->plugin,
               "retry %d in %lld ms: %s", attempt + 1, (long long)d,
               st->err_msg[0] ? st->err_msg : "(no detail)");
        if (co__sleep(st, d))
            return -1;
    }
}

static co_status_t co__call_process(co_stage_t *st, const void *arg)
{
    return st->ph->desc->process(st->inst, arg);
}

co_status_t co_stage_process_one(co_stage_t *st, const co_record_t *rec)
{
    if (st->sc->when &&
        !co_when_match(st->sc->when, rec->value, rec->value_len)) {
        co_metric_add(st->m_skipped, 1);
        return CO_OK;
    }
    if (co__rate_wait(st, rec))
        return (co_status_t)-1;
    int64_t t0 = co_mono_ms();
    int s = co__with_retry(st, co__call_process, rec, st->sc->retries);
    co_metric_observe(st->m_latency, (double)(co_mono_ms() - t0) / 1000.0);
    if (s == CO_OK)
        co_metric_add(st->m_in, 1);
    else if (s == CO_FAIL)
        co_metric_add(st->m_failed, 1);
    return (co_status_t)s;
}

/* ---- delivery reports and commits ---------------------------------------- */

static void co__dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg,
                      void *opaque)
{
    (void)rk;
    (void)opaque;
    co_stage_t *st = msg->_private;
    if (st == NULL)
        return;
    __atomic_sub_fetch(&st->inflight, 1, __ATOMIC_SEQ_CST);
    if (msg->err) {
        st->delivery_failed = 1;
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "delivery to %s failed: %s; the input will be re-read",
               rd_kafka_topic_name(msg->rkt), rd_kafka_err2str(msg->err));
        return;
    }
    if (st->sc->output &&
        strcmp(rd_kafka_topic_name(msg->rkt), st->sc->output) == 0 &&
        msg->partition >= 0) {
        if (msg->partition >= st->n_hw) {
            int n = msg->partition + 1;
            st->hw = realloc(st->hw, (size_t)n * sizeof *st->hw);
            for (int i = st->n_hw; i < n; i++)
                st->hw[i] = 0;
            st->n_hw = n;
        }
        if (msg->offset + 1 > st->hw[msg->partition])
            st->hw[msg->partition] = msg->offset + 1;
    }
}

/* Wait until every produced record is acknowledged. 0 ok, -1 stopped hard
 * or a delivery failed. */
static int co__drain_producer(co_stage_t *st)
{
    if (st->producer == NULL)
        return 0;
    int warned = 0;
    int64_t t0 = co_mono_ms();
    while (rd_kafka_outq_len(st->producer) > 0) {
        rd_kafka_flush(st->producer, 500);
        if (st->rt && CO__ATOMIC_LOAD(&st->rt->stop) == 2)
            return -1;
        if (!warned && co_mono_ms() - t0 > 10000) {
            warned = 1;
            co_stage_set_status(st, CO_STAGE_WAITING,
                                "waiting for the broker to acknowledge");
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "waiting for the broker to acknowledge %d records",
                   rd_kafka_outq_len(st->producer));
        }
    }
    if (warned)
        co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
    if (st->delivery_failed) {
        st->delivery_failed = 0;
        return -1;
    }
    return 0;
}

static co_status_t co__call_flush(co_stage_t *st, const void *arg)
{
    (void)arg;
    return st->ph->desc->flush(st->inst);
}

/* Rewind the consumer to its last committed offsets (after a failed
 * delivery): records are processed again, never lost. */
static void co__rewind(co_stage_t *st)
{
    rd_kafka_topic_partition_list_t *asg = NULL;
    if (rd_kafka_assignment(st->consumer, &asg) || asg == NULL)
        return;
    if (rd_kafka_committed(st->consumer, asg, 10000) == 0) {
        for (int i = 0; i < asg->cnt; i++)
            if (asg->elems[i].offset < 0)
                asg->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_error_t *e =
            rd_kafka_seek_partitions(st->consumer, asg, 10000);
        if (e)
            rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(asg);
    rd_kafka_topic_partition_list_destroy(st->offsets);
    st->offsets = rd_kafka_topic_partition_list_new(8);
    st->uncommitted = 0;
}

/* Commit st->offsets and wait at most timeout_ms for the answer. A plain
 * synchronous rd_kafka_commit() can wait forever when it overlaps a
 * rebalance, and a member that does not poll stalls the whole group;
 * on a timeout the stage keeps consuming and commits again later. */
static rd_kafka_resp_err_t co__commit_offsets(co_stage_t *st, int timeout_ms)
{
    /* its own queue, so that late answers to asynchronous commits are not
     * taken for this one's */
    rd_kafka_queue_t *q = rd_kafka_queue_new(st->consumer);
    rd_kafka_resp_err_t err =
        rd_kafka_commit_queue(st->consumer, st->offsets, q, NULL, NULL);
    if (err) {
        rd_kafka_queue_destroy(q);
        return err;
    }
    rd_kafka_event_t *ev = NULL;
    int64_t end = co_mono_ms() + timeout_ms;
    while (ev == NULL) {
        int64_t left = end - co_mono_ms();
        if (left <= 0 || (st->rt && CO__ATOMIC_LOAD(&st->rt->stop) == 2)) {
            rd_kafka_queue_destroy(q);
            return RD_KAFKA_RESP_ERR__TIMED_OUT;
        }
        ev = rd_kafka_queue_poll(q, (int)(left > 100 ? 100 : left));
    }
    err = rd_kafka_event_error(ev);
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    return err;
}

/* Answers to earlier asynchronous commits: a failed one makes the next
 * cycle commit again (the position list is cumulative). */
static void co__commit_results(co_stage_t *st)
{
    rd_kafka_event_t *ev;
    while (st->commit_q && (ev = rd_kafka_queue_poll(st->commit_q, 0))) {
        rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
        if (err) {
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "offset commit failed (%s); will commit again",
                   rd_kafka_err2str(err));
            if (st->uncommitted == 0)
                st->uncommitted = 1;
        }
        rd_kafka_event_destroy(ev);
    }
}

/* Flush outputs (and the sink), then commit the processed offsets.
 * Regular cycles commit asynchronously: a member that waits for a commit
 * answer without polling stalls a rebalance of its whole group (and the
 * answer waits for the rebalance). Before partitions are revoked and at
 * the end, `sync` waits for the answer (at most 10 s).
 * Returns 0, or -1 when the stage must stop (FATAL flush). */
static int co__commit_cycle(co_stage_t *st, int sync)
{
    st->last_commit_ms = co_mono_ms();
    co__commit_results(st);
    if (st->uncommitted == 0)
        return 0;
    if (co__drain_producer(st) != 0) {
        if (st->rt && CO__ATOMIC_LOAD(&st->rt->stop) == 2)
            return -1;
        co__rewind(st);
        return 0;
    }
    if (st->ph->desc->flush) {
        /* a sink that cannot reach its store waits (RETRY) as long as it
         * takes; only FAIL/FATAL stop it */
        int s = co__with_retry(st, co__call_flush, NULL, -1);
        if (s != CO_OK) {
            char m[1200];
            snprintf(m, sizeof m,
                     "sink flush failed (%s): %s; offsets not "
                     "committed, records will be read again",
                     s < 0 ? "stopped" : co_status_name((co_status_t)s),
                     st->err_msg);
            co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin, "%s", m);
            if (s >= 0)
                co_stage_set_status(st, CO_STAGE_FAILED, m);
            return -1;
        }
        /* records the flush dead-lettered must be acknowledged too */
        if (co__drain_producer(st) != 0) {
            if (st->rt && CO__ATOMIC_LOAD(&st->rt->stop) == 2)
                return -1;
            co__rewind(st);
            return 0;
        }
    }
    if (st->offsets->cnt == 0) {
        st->uncommitted = 0;
        return 0;
    }
    if (!sync) {
        if (st->commit_q == NULL)
            st->commit_q = rd_kafka_queue_new(st->consumer);
        rd_kafka_resp_err_t err = rd_kafka_commit_queue(
            st->consumer, st->offsets, st->commit_q, NULL, NULL);
        if (err)
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "offset commit failed (%s); will commit again",
                   rd_kafka_err2str(err));
        else
            st->uncommitted = 0;
        return 0;
    }
    rd_kafka_resp_err_t err = co__commit_offsets(st, 10000);
    if (err) {
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "offset commit failed (%s); will commit again",
               rd_kafka_err2str(err));
        return 0;
    }
    st->uncommitted = 0;
    return 0;
}

/* Sources: write the positions whose records are all acknowledged (and, in
 * embedded in-process mode, consumed downstream). */
static void co__source_commit(co_stage_t *st, int final)
{
    if (st->n_pend == 0)
        return;
    if (co__drain_producer(st) != 0)
        return; /* failed deliveries: keep old positions, re-read */
    uint64_t limit = UINT64_MAX;
    if (st->rt && st->rt->defer_source_offsets && !final)
        limit = CO__ATOMIC_LOAD(&st->safe_seq);
    size_t done = 0;
    for (size_t i = 0; i < st->n_pend; i++) {
        if (st->pend[i].seq > limit)
            break;
        /* only the newest value per key needs writing */
        int newer = 0;
        for (size_t j = i + 1; j < st->n_pend && st->pend[j].seq <= limit; j++)
            if (strcmp(st->pend[j].key, st->pend[i].key) == 0)
                newer = 1;
        if (!newer && co__api_state_put(st, st->pend[i].key, st->pend[i].value,
                                        st->pend[i].len) != 0)
            break;
        free(st->pend[i].key);
        free(st->pend[i].value);
        done++;
    }
    memmove(st->pend, st->pend + done, (st->n_pend - done) * sizeof *st->pend);
    st->n_pend -= done;
}

void co_stage_source_commit_final(co_stage_t *st)
{
    co__source_commit(st, 1);
}

/* ---- worker loops
 * ------------------------------------------------------------ */

static co_status_t co__call_poll(co_stage_t *st, const void *arg)
{
    (void)arg;
    return st->ph->desc->poll(st->inst, 100);
}

static co_status_t co__call_start(co_stage_t *st, const void *arg)
{
    (void)arg;
    return st->ph->desc->start(st->inst);
}

static void co__fatal(co_stage_t *st, const char *what)
{
    char m[1200];
    snprintf(m, sizeof m, "%s: %s", what,
             st->err_msg[0] ? st->err_msg : "(the plugin gave no detail)");
    co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin, "stage FAILED: %s", m);
    co_stage_set_status(st, CO_STAGE_FAILED, m);
}

static int co__source_loop(co_stage_t *st)
{
    int fails = 0;
    while (!co__stopping(st)) {
        if (CO__ATOMIC_LOAD(&st->pause)) {
            co_stage_set_status(st, CO_STAGE_PAUSED, NULL);
            co__sleep(st, 100);
            continue;
        }
        int s = co__with_retry(st, co__call_poll, NULL, st->sc->retries);
        rd_kafka_poll(st->producer, 0);
        if (s < 0)
            break;
        if (s == CO_FATAL) {
            co__source_commit(st, 1);
            co__fatal(st, "source FATAL");
            return -1;
        }
        if (s == CO_FAIL) {
            /* a source never skips input: pause, report, try again */
            fails++;
            co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
                   "source keeps failing (%d): %s; pausing %lld ms", fails,
                   st->err_msg, (long long)st->sc->backoff_max_ms);
            co_stage_set_status(st, CO_STAGE_WAITING, st->err_msg);
            co__sleep(st, st->sc->backoff_max_ms);
            continue;
        }
        fails = 0;
        if (co_stage_get_status(st) != CO_STAGE_RUNNING)
            co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
        if (s == CO_EOF) {
            co__source_commit(st, 0);
            co_stage_set_status(st, CO_STAGE_DONE, NULL);
            /* keep positions flowing until the supervisor stops us */
            while (!co__stopping(st)) {
                co__sleep(st, 100);
                co__source_commit(st, 0);
            }
            break;
        }
        if (co_mono_ms() - st->last_commit_ms >= st->sc->commit_interval_ms) {
            st->last_commit_ms = co_mono_ms();
            co__source_commit(st, 0);
        }
    }
    co__drain_producer(st);
    co__source_commit(st, st->rt == NULL || !st->rt->defer_source_offsets);
    return 0;
}

static co_expect_t *co__expect(co_stage_t *st, const char *topic, int32_t p)
{
    for (size_t i = 0; i < st->n_expect; i++)
        if (st->expect[i].partition == p &&
            strcmp(st->expect[i].topic, topic) == 0)
            return &st->expect[i];
    co_expect_t *v = realloc(st->expect, (st->n_expect + 1) * sizeof *v);
    if (v == NULL)
        abort();
    st->expect = v;
    co_expect_t *e = &st->expect[st->n_expect++];
    e->topic = co_strdup(topic);
    e->partition = p;
    e->next = -1;
    return e;
}

static void co__report_loss(co_stage_t *st, const char *topic, int32_t p,
                            int64_t from, int64_t to)
{
    co_metric_add(st->m_loss, (double)(to - from));
    char m[600];
    snprintf(m, sizeof m,
             "DATA LOSS: topic %s partition %d offsets %lld..%lld (%lld "
             "records) were dropped by the broker before stage %s read them "
             "(retention window exceeded; on the embedded broker, 5 MiB per "
             "partition)",
             topic, p, (long long)from, (long long)(to - 1),
             (long long)(to - from), st->sc->name);
    co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin, "%s", m);
    pthread_mutex_lock(&st->lock);
    snprintf(st->last_error, sizeof st->last_error, "%s", m);
    pthread_mutex_unlock(&st->lock);
}

static void co__rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t *parts,
                             void *opaque)
{
    co_stage_t *st = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        /* learn where we start, to detect records lost before we read
         * them */
        rd_kafka_topic_partition_list_t *c =
            rd_kafka_topic_partition_list_copy(parts);
        if (rd_kafka_committed(rk, c, 10000) == 0)
            for (int i = 0; i < c->cnt; i++) {
                co_expect_t *e =
                    co__expect(st, c->elems[i].topic, c->elems[i].partition);
                /* with no commit yet, reading must start where the log
                 * started: 0 on the mock cluster (in process or `careerops
                 * broker`), else the low watermark at first sight */
                int64_t lo = -1, hi = -1;
                if (c->elems[i].offset < 0 && st->rt && !st->rt->mock_broker)
                    rd_kafka_query_watermark_offsets(rk, c->elems[i].topic,
                                                     c->elems[i].partition,
                                                     &lo, &hi, 5000);
                e->next = c->elems[i].offset >= 0 ? c->elems[i].offset
                          : (st->rt && st->rt->mock_broker) ? 0
                                                            : lo;
            }
        rd_kafka_topic_partition_list_destroy(c);
        rd_kafka_assign(rk, parts);
    } else {
        co__commit_cycle(st, 1);
        /* whatever could not be committed belongs to the next owner now:
         * it re-reads those records (duplicates, never loss); never commit
         * them later over its progress */
        rd_kafka_topic_partition_list_destroy(st->offsets);
        st->offsets = rd_kafka_topic_partition_list_new(8);
        st->uncommitted = 0;
        for (size_t i = 0; i < st->n_expect; i++)
            st->expect[i].next = -1;
        rd_kafka_assign(rk, NULL);
    }
}

static int co__consumer_loop(co_stage_t *st)
{
    rd_kafka_topic_partition_list_t *subs =
        rd_kafka_topic_partition_list_new((int)st->sc->n_inputs);
    for (size_t i = 0; i < st->sc->n_inputs; i++)
        rd_kafka_topic_partition_list_add(subs, st->sc->inputs[i],
                                          RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(st->consumer, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (err) {
        snprintf(st->err_msg, sizeof st->err_msg, "subscribe: %s",
                 rd_kafka_err2str(err));
        co__fatal(st, "cannot subscribe");
        return -1;
    }
    co_header_t hbuf[64];
    int rc = 0;
    while (!co__stopping(st)) {
        if (CO__ATOMIC_LOAD(&st->pause)) {
            co_stage_set_status(st, CO_STAGE_PAUSED, NULL);
            co__commit_cycle(st, 0);
            rd_kafka_poll(st->producer, 100);
            /* keep the group membership alive */
            rd_kafka_message_t *m0 = rd_kafka_consumer_poll(st->consumer, 0);
            if (m0) {
                /* not processed: rewind to it */
                rd_kafka_seek(rd_kafka_topic_new(st->consumer,
                                                 rd_kafka_topic_name(m0->rkt),
                                                 NULL),
                              m0->partition, m0->offset, 1000);
                rd_kafka_message_destroy(m0);
            }
            continue;
        }
        if (co_stage_get_status(st) == CO_STAGE_PAUSED ||
            co_stage_get_status(st) == CO_STAGE_STARTING)
            co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(st->consumer, 100);
        rd_kafka_poll(st->producer, 0);
        if (msg == NULL) {
            if (co_mono_ms() - st->last_commit_ms >= st->sc->commit_interval_ms)
                if (co__commit_cycle(st, 0) != 0) {
                    rc = -1;
                    break;
                }
            continue;
        }
        if (msg->err) {
            if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                       "consumer: %s", rd_kafka_message_errstr(msg));
            rd_kafka_message_destroy(msg);
            continue;
        }
        const char *topic = rd_kafka_topic_name(msg->rkt);
        co_expect_t *ex = co__expect(st, topic, msg->partition);
        if (ex->next >= 0 && msg->offset > ex->next) {
            /* A jump is loss only if the broker no longer has the skipped
             * offsets (below its log start); transaction markers and
             * compaction also leave gaps that lost nothing. */
            int64_t lo = -1, hi = -1;
            if (rd_kafka_get_watermark_offsets(st->consumer, topic,
                                               msg->partition, &lo, &hi) ||
                lo < 0)
                rd_kafka_query_watermark_offsets(
                    st->consumer, topic, msg->partition, &lo, &hi, 5000);
            if (lo > ex->next)
                co__report_loss(st, topic, msg->partition, ex->next,
                                lo < msg->offset ? lo : msg->offset);
        }
        ex->next = msg->offset + 1;

        co_record_t rec = CO_RECORD_INIT;
        rec.key = msg->key;
        rec.key_len = msg->key_len;
        rec.value = msg->payload;
        rec.value_len = msg->len;
        rec.topic = topic;
        rec.partition = msg->partition;
        rec.offset = msg->offset;
        rec.timestamp_ms = rd_kafka_message_timestamp(msg, NULL);
        rd_kafka_headers_t *hdrs = NULL;
        size_t nh = 0;
        if (rd_kafka_message_headers(msg, &hdrs) == 0) {
            const char *name;
            const void *val;
            size_t size;
            while (nh < 64 &&
                   rd_kafka_header_get_all(hdrs, nh, &name, &val, &size) == 0) {
                hbuf[nh].name = name;
                hbuf[nh].value = val;
                hbuf[nh].value_len = size;
                nh++;
            }
        }
        rec.headers = nh ? hbuf : NULL;
        rec.header_cnt = nh;
        st->cur = msg;
        co_status_t s = co_stage_process_one(st, &rec);
        st->cur = NULL;
        if ((int)s < 0) { /* stopping mid-retry: leave it unprocessed */
            rd_kafka_message_destroy(msg);
            break;
        }
        if (s == CO_FAIL) {
            if (st->sc->tolerance_all) {
                co__dead_letter(
                    st, &rec, st->err_class[0] ? st->err_class : "plugin",
                    st->err_msg[0] ? st->err_msg : "the plugin returned FAIL",
                    st->attempts);
            } else {
                char m[1300];
                snprintf(m, sizeof m,
                         "record %s[%d]@%lld failed and errors.tolerance is "
                         "none: %s",
                         topic, msg->partition, (long long)msg->offset,
                         st->err_msg);
                snprintf(st->err_msg, sizeof st->err_msg, "%s", m);
                rd_kafka_message_destroy(msg);
                co__commit_cycle(st, 1);
                co__fatal(st, "stage stopped");
                rc = -1;
                break;
            }
        } else if (s == CO_FATAL) {
            rd_kafka_message_destroy(msg);
            co__commit_cycle(st, 1);
            co__fatal(st, "plugin FATAL");
            rc = -1;
            break;
        }
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(
            st->offsets, topic, msg->partition);
        if (tp == NULL)
            tp = rd_kafka_topic_partition_list_add(st->offsets, topic,
                                                   msg->partition);
        tp->offset = msg->offset + 1;
        st->uncommitted++;
        rd_kafka_message_destroy(msg);
        if (st->uncommitted >= st->sc->max_batch ||
            co_mono_ms() - st->last_commit_ms >= st->sc->commit_interval_ms)
            if (co__commit_cycle(st, 0) != 0) {
                rc = -1;
                break;
            }
    }
    if (rc == 0)
        co__commit_cycle(st, 1);
    return rc;
}

static void co__log_cb(const rd_kafka_t *rk, int level, const char *fac,
                       const char *buf)
{
    (void)rk;
    /* the manifest's kafka properties go to producers and consumers alike;
     * librdkafka's note that one of them ignores a property is noise */
    if (strstr(buf, "will be ignored by this"))
        level = 7;
    co_log(level <= 3   ? CO_LOG_ERROR
           : level <= 4 ? CO_LOG_WARN
                        : CO_LOG_DEBUG,
           NULL, "librdkafka", "%s: %s", fac, buf);
}

static int co__kafka_setup(co_stage_t *st, char *errstr, size_t sz)
{
    char e[512];
    rd_kafka_conf_t *pc = co_kafka_conf_new(st->m, st->bootstrap, errstr, sz);
    if (pc == NULL)
        return -1;
    /* Producer: idempotent (no duplicates from librdkafka's own retries),
     * acks=all; batches up to 5 ms. */
    co_kafka_set(pc, "enable.idempotence", "true", NULL, 0);
    co_kafka_set(pc, "linger.ms", "5", NULL, 0);
    co_kafka_set(pc, "message.timeout.ms", "0", NULL, 0); /* retry forever */
    rd_kafka_conf_set_dr_msg_cb(pc, co__dr_cb);
    rd_kafka_conf_set_log_cb(pc, co__log_cb);
    st->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e);
    if (st->producer == NULL) {
        co_errf(errstr, sz, "kafka producer: %s", e);
        rd_kafka_conf_destroy(pc);
        return -1;
    }
    if (st->sc->n_inputs == 0)
        return 0;
    rd_kafka_conf_t *cc = co_kafka_conf_new(st->m, st->bootstrap, errstr, sz);
    if (cc == NULL)
        return -1;
    char cid[400];
    snprintf(cid, sizeof cid, "%s-%d", st->group, st->instance);
    if (co_kafka_set(cc, "group.id", st->group, errstr, sz) ||
        co_kafka_set(cc, "client.id", cid, errstr, sz)) {
        rd_kafka_conf_destroy(cc);
        return -1;
    }
    co_kafka_set(cc, "enable.auto.commit", "false", NULL, 0);
    co_kafka_set(cc, "enable.auto.offset.store", "false", NULL, 0);
    co_kafka_set(cc, "auto.offset.reset", "earliest", NULL, 0);
    /* Prefetch: at most 16 MiB or 20,000 records queued per instance,
     * instead of librdkafka's 64 MiB/100,000 (docs/operations.md). */
    if (!json_object_get(st->m->kafka, "queued.max.messages.kbytes"))
        co_kafka_set(cc, "queued.max.messages.kbytes", "16384", NULL, 0);
    if (!json_object_get(st->m->kafka, "queued.min.messages"))
        co_kafka_set(cc, "queued.min.messages", "20000", NULL, 0);
    if (!json_object_get(st->m->kafka, "fetch.wait.max.ms"))
        co_kafka_set(cc, "fetch.wait.max.ms", "100", NULL, 0);
    /* The mock cluster holds every rebalance for session.timeout.ms - 1 s
     * (44 s with the default): 6 s, the least that survives its 3 s
     * first-join delay (docs/operations.md). */
    if (st->rt && st->rt->mock_broker &&
        !json_object_get(st->m->kafka, "session.timeout.ms")) {
        co_kafka_set(cc, "session.timeout.ms", "6000", NULL, 0);
        if (!json_object_get(st->m->kafka, "heartbeat.interval.ms"))
            co_kafka_set(cc, "heartbeat.interval.ms", "500", NULL, 0);
    }
    rd_kafka_conf_set_rebalance_cb(cc, co__rebalance_cb);
    rd_kafka_conf_set_opaque(cc, st);
    rd_kafka_conf_set_log_cb(cc, co__log_cb);
    st->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof e);
    if (st->consumer == NULL) {
        co_errf(errstr, sz, "kafka consumer: %s", e);
        rd_kafka_conf_destroy(cc);
        return -1;
    }
    rd_kafka_poll_set_consumer(st->consumer);
    st->offsets = rd_kafka_topic_partition_list_new(8);
    return 0;
}

void *co_stage_main(void *arg)
{
    co_stage_t *st = arg;
    char e[1024];
    if (co__kafka_setup(st, e, sizeof e) != 0) {
        snprintf(st->err_msg, sizeof st->err_msg, "%s", e);
        co__fatal(st, "kafka setup");
        CO__ATOMIC_STORE(&st->finished, 1);
        return NULL;
    }
    st->last_commit_ms = co_mono_ms();
    if (st->ph->desc->start) {
        int s = co__with_retry(st, co__call_start, NULL, -1 /* forever */);
        if (s != CO_OK) {
            if (s >= 0)
                co__fatal(st, "plugin start failed");
            CO__ATOMIC_STORE(&st->finished, 1);
            return NULL;
        }
    }
    co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
    int rc =
        st->sc->n_inputs == 0 ? co__source_loop(st) : co__consumer_loop(st);
    if (rc == 0 && co_stage_get_status(st) != CO_STAGE_DONE)
        co_stage_set_status(st, CO_STAGE_STOPPED, NULL);
    CO__ATOMIC_STORE(&st->finished, 1);
    return NULL;
}
