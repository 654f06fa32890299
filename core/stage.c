/* Stage instances: life cycle, status, and one record through the plugin
 * with retries, backoff and rate limits. The host services are in
 * host_api.c, the ports in port_kafka.c and capture.c, the loops in
 * worker.c and worker_source.c. */
#include "stage.h"
#include "crash.h"
#include "eos.h"
#include "err.h"
#include "log.h"
#include "port.h"
#include "util.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define CO__ATOMIC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

extern const co_host_api_t co_host_api;

const char *co_stage_state_name(co_stage_state_t s)
{
    static const char *const n[] = {"STARTING", "RUNNING", "PAUSED", "WAITING",
                                    "DONE",     "STOPPED", "FAILED"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "UNKNOWN";
}

void co_stage_set_status(co_stage_t *st, co_stage_state_t s, const char *msg)
{
    /* a fatal Kafka error is final for this instance: the loops winding
     * down (a source's WAITING, RUNNING) do not hide it */
    if (s != CO_STAGE_FAILED && co_port_kafka_failed(st))
        return;
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

int co_stage_hard_stop(const co_stage_t *st)
{
    return st->env && st->env->stop &&
           CO__ATOMIC_LOAD(st->env->stop) == CO_STOP_HARD;
}

const char *co_stage_stop_tail(const co_stage_t *st)
{
    if (CO__ATOMIC_LOAD(&st->stop) == CO_STOP_RESTART)
        return " when the stage starts again (a restart; duplicates, none "
               "lost)";
    /* trial 85: "none lost", then the standalone embedded broker was
     * killed and its records were gone */
    return st->env != NULL && st->env->mock_broker && !st->env->embedded
               ? " at the next start (duplicates, none lost while the "
                 "embedded broker runs: a broker that stops takes its "
                 "records along, docs/operations.md \"Deferred source "
                 "positions\"); exit status 1"
               : " at the next start (duplicates, none lost); exit status 1";
}

int co_stage_stopping(const co_stage_t *st)
{
    /* a fatal Kafka error ends every wait (retries, backpressure) too */
    return CO__ATOMIC_LOAD(&st->stop) != CO_STOP_NONE ||
           co_stage_hard_stop(st) || co_port_kafka_failed(st);
}

int64_t co_stage_now(const co_stage_t *st)
{
    return st->capture_sim ? st->sim_now_ms : co_wall_ms();
}

int co_stage_sleep(co_stage_t *st, int64_t ms)
{
    if (st->capture_sim) {
        st->sim_now_ms += ms;
        return 0;
    }
    int64_t end = co_mono_ms() + ms;
    for (;;) {
        if (co_stage_stopping(st))
            return 1;
        int64_t left = end - co_mono_ms();
        if (left <= 0)
            return 0;
        int slice = left > 100 ? 100 : (int)left;
        if (st->port && st->port->serve)
            st->port->serve(st, slice);
        else
            co_sleep_ms(slice);
    }
}
/* ---- creation ---------------------------------------------------------------
 */

/* Consulted only while the store is unreachable (PostgreSQL down: the
 * backend waits inside the call): the stage shows WAITING with why, as a
 * sink waiting in its own flush does, so `careerops status` and /health
 * tell a stage stalled on its state from one at work. host_api.c sets
 * RUNNING again when the operation returns. */
static int co__state_should_stop(void *arg)
{
    co_stage_t *st = arg;
    co_stage_state_t now =
        st->state_waiting ? CO_STAGE_WAITING : co_stage_get_status(st);
    if (now == CO_STAGE_RUNNING || now == CO_STAGE_STARTING) {
        st->state_waiting = 1;
        co_stage_set_status(st, CO_STAGE_WAITING,
                            "waiting for PostgreSQL (the state store)");
    }
    return co_stage_stopping(st);
}

/* While the store is being opened no record is in flight, so any stop
 * request (a first SIGTERM/SIGINT) ends the wait for PostgreSQL. */
/* How long a batch run (`run --until-idle`) waits at start for a state
 * store that does not answer before it gives up, exit 1 (trial 65: it
 * waited for ever, then exit 0 at a signal); `run` waits until stopped. */
#define CO_STAGE_UNTIL_IDLE_STATE_WAIT_MS 60000

/* CO_STAGE_UNTIL_IDLE_STATE_WAIT_MS, or CAREEROPS_UNTIL_IDLE_STATE_WAIT_MS
 * (ms, for tests) */
static int64_t co__until_idle_state_wait_ms(void)
{
    const char *v = getenv("CAREEROPS_UNTIL_IDLE_STATE_WAIT_MS");
    long long ms = v != NULL ? atoll(v) : 0;
    return ms > 0 ? ms : CO_STAGE_UNTIL_IDLE_STATE_WAIT_MS;
}

static int co__state_open_should_stop(void *arg)
{
    co_stage_t *st = arg;
    if (st->env && st->env->until_idle) {
        int64_t now = co_mono_ms();
        if (st->state_wait_from_ms == 0)
            st->state_wait_from_ms = now;
        else if (now - st->state_wait_from_ms >= co__until_idle_state_wait_ms())
            st->state_gave_up = 1;
    }
    return st->state_gave_up || co_stage_stopping(st) ||
           (st->env && st->env->stop &&
            CO__ATOMIC_LOAD(st->env->stop) != CO_STOP_NONE);
}

/* co_stage_new_gave_up(): whether this thread's last co_stage_new() failed
 * because --until-idle gave up on the state store. */
static _Thread_local int co__state_gave_up;

int co_stage_new_gave_up(void)
{
    return co__state_gave_up;
}

/* A full bucket of this instance's share of the stage's rate: the rate
 * and burst are the stage's, so `concurrency` instances take 1/N each
 * (trial 73: 4 instances let 4 times the rate through); a burst of at
 * least 1. */
static void co__bucket_new(const co_stage_t *st, co_bucket_t *b, int64_t now)
{
    int n = st->sc->concurrency > 1 ? st->sc->concurrency : 1;
    double burst = st->sc->burst / n;
    co_bucket_init(b, st->sc->rate_per_s / n, burst < 1 ? 1 : burst, now);
}

co_stage_t *co_stage_new(const co_stage_env_t *env, const co_manifest_t *m,
                         const co_stage_conf_t *sc, int instance,
                         const char *bootstrap, char *errstr, size_t sz)
{
    co__state_gave_up = 0;
    const co_plugin_handle_t *ph =
        co_plugin_load_as(sc->plugin, sc->plugin_file, errstr, sz);
    if (ph == NULL)
        return NULL;
    co_stage_t *st = co_xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    st->env = env;
    st->m = m;
    st->sc = sc;
    st->ph = ph;
    st->in_headers = co_plugin_input_headers(ph->desc, sc->input_headers);
    st->instance = instance;
    st->bootstrap = bootstrap;
    st->lat_start_ms = st->lat_end_ms = -1;
    st->lat_block = 1;
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
    co__bucket_new(st, &st->bucket, co_wall_ms());
    co_ce_init(&st->ce, m->pipeline, sc->name);
    st->port = &co_port_kafka;

    char e[1024];
    /* waits (logging) while PostgreSQL is unreachable, until stopped */
    st->state = co_state_open_wait(m->state, co__state_open_should_stop, st, e,
                                   sizeof e);
    co_state_set_stop(st->state, co__state_should_stop, st);
    co__state_gave_up = st->state == NULL && st->state_gave_up;
    if (co__state_gave_up)
        co_errf(errstr, sz,
                "stage %s: state store: not reachable within %d s, and "
                "--until-idle gives up (a run without it waits until the "
                "store answers): %s",
                sc->name, (int)(co__until_idle_state_wait_ms() / 1000), e);
    else if (st->state == NULL)
        co_errf(errstr, sz, "stage %s: state store: %s", sc->name, e);
    if (st->state == NULL) {
        co_stage_free(st);
        return NULL;
    }
    const co_plugin_t *p = ph->desc;
    st->cfg = co_options_fill(p, sc->config, m->dir, &st->mem);
    st->err_msg[0] = '\0';
    st->in_init = 1;
    co_status_t s = p->init(&co_host_api, st, st->cfg, &st->inst);
    st->in_init = 0;
    if (s != CO_OK) {
        co_errf(errstr, sz, "stage %s: plugin %s failed to start: %s%s",
                sc->name, sc->plugin,
                st->err_msg[0] ? st->err_msg : co_status_name(s),
                st->err_msg[0] ? ""
                               : " (its init() gave no reason: a plugin says "
                                 "why with set_error() before it returns)");
        co_stage_free(st);
        return NULL;
    }
    return st;
}

/* How long a stopping stage's consumer may take to leave its group (ms). */
#define CO__CLOSE_WAIT_MS 10000

static int co__give_up(void *arg)
{
    return co_stage_hard_stop(arg);
}

void co_stage_close_consumer(co_stage_t *st)
{
    if (st == NULL)
        return;
    if (st->commit_q) {
        rd_kafka_queue_destroy(st->commit_q);
        st->commit_q = NULL;
    }
    for (size_t i = 0; st->in_rkt && i < st->sc->n_inputs; i++)
        if (st->in_rkt[i])
            rd_kafka_topic_destroy(st->in_rkt[i]);
    free(st->in_rkt);
    st->in_rkt = NULL;
    if (st->consumer &&
        co_kafka_consumer_close(st->consumer, CO__CLOSE_WAIT_MS,
                                co_stage_rebalance_cb, co__give_up, st) != 0) {
        char when[80];
        /* a second signal cuts the wait short (trial 59: "within 10 s"
         * 0.1 s after it) */
        if (co_stage_hard_stop(st))
            snprintf(when, sizeof when, "(a second signal stopped the host)");
        else
            snprintf(when, sizeof when, "within %d s (is the broker gone?)",
                     CO__CLOSE_WAIT_MS / 1000);
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "the consumer did not leave group %s %s: closed without it; "
               "the group's coordinator notices after session.timeout.ms, "
               "and records not committed are read again",
               st->group, when);
    }
    st->consumer = NULL;
}

void co_stage_free(co_stage_t *st)
{
    if (st == NULL)
        return;
    /* Close the consumer first: its revocation callback flushes the plugin
     * and commits (core/worker.c), so the instance must still exist (a
     * SIGTERM during a sink outage crashed in flush(NULL) otherwise). */
    co_stage_close_consumer(st);
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
    for (int i = 0; i < 2; i++)
        if (st->out_rkt[i])
            rd_kafka_topic_destroy(st->out_rkt[i]);
    if (st->producer) {
        /* a stage that stopped unfinished waited for the broker already */
        rd_kafka_flush(st->producer, st->unfinished_at_stop ? 0 : 10000);
        rd_kafka_destroy(st->producer);
    }
    if (st->commit_q)
        rd_kafka_queue_destroy(st->commit_q);
    co_offtrack_free(&st->trk);
    co_offtrack_free(&st->src_trk);
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
    /* counts, written as integers (trial 80: "records_in":1.0) */
    const char *const names[] = {"records_in",     "records_out",
                                 "records_failed", "dead_lettered",
                                 "retried",        "skipped"};
    co_metric_t *const ms[] = {st->m_in,  st->m_out,     st->m_failed,
                               st->m_dlq, st->m_retried, st->m_skipped};
    for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
        json_object_set_new(o, names[i],
                            json_integer((json_int_t)co_metric_value(ms[i])));
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
 * the value at that field path (e.g. "company") of `doc`, created full on
 * first use. Records without the field share the stage's bucket. */
static co_bucket_t *co__bucket_for(co_stage_t *st, json_t *doc)
{
    json_t *v = doc ? co_json_path(doc, st->sc->rate_key) : NULL;
    char key[256];
    if (json_is_string(v)) {
        snprintf(key, sizeof key, "%s", json_string_value(v));
    } else if (v != NULL && !json_is_null(v)) {
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(key, sizeof key, "%s", t ? t : "");
        free(t);
    } else {
        return &st->bucket;
    }
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
    co__bucket_new(st, &kb->bucket, co_stage_now(st));
    return &kb->bucket;
}

/* Wait for a rate-limit token; records are never dropped. The wait goes
 * in slices of at most 200 ms, each counted in the wait metric and
 * followed by the loop's chores (co_stage_wait_chores()): what finished
 * before this record is flushed and committed meanwhile (trial 71: at a
 * few records a minute nothing was committed and the metrics stood still
 * for the whole wait). Returns 0, 1 when stopped (or FAILED) first, or 2
 * when the stage was paused meanwhile (the record goes back). */
static int co__rate_wait(co_stage_t *st, json_t *doc)
{
    if (st->sc->rate_per_s <= 0)
        return 0;
    co_bucket_t *b = st->sc->rate_key ? co__bucket_for(st, doc) : &st->bucket;
    int rc = 0;
    for (;;) {
        int64_t w = co_bucket_take(b, co_stage_now(st));
        if (w == 0)
            break;
        /* when the token comes: a drain does not wait past it (drain.c) */
        if (CO__ATOMIC_LOAD(&st->rl_wait_until_ms) == 0)
            CO__ATOMIC_STORE(&st->rl_wait_until_ms, co_mono_ms() + w);
        if (w > 200 && !st->capture_sim)
            w = 200;
        int stopped = co_stage_sleep(st, w);
        co_metric_add(st->m_rl_wait, (double)w / 1000.0);
        int chores = stopped || st->capture_sim ? 0 : co_stage_wait_chores(st);
        if (stopped || chores != 0) {
            rc = stopped || chores < 0 ? 1 : 2;
            break;
        }
    }
    CO__ATOMIC_STORE(&st->rl_wait_until_ms, (int64_t)0);
    return rc;
}

/* Call fn with the stage's retry policy. Returns the final status, or -1 if
 * the stage was asked to stop while backing off. */
int co_stage_with_retry(co_stage_t *st, co_stage_call_fn fn, const void *arg,
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
        /* asked to stop meanwhile (a plugin's request that heard the stop
         * ends with CO_RETRY): its words, not "retry 1 in N ms" for a
         * retry that would not happen (the sleep would return at once) */
        if (co_stage_stopping(st)) {
            co_log(CO_LOG_INFO, st->sc->name, st->sc->plugin,
                   "not retried (the stage is stopping): %s",
                   st->err_msg[0] ? st->err_msg : "(no detail)");
            return -1;
        }
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
        if (co_stage_sleep(st, d))
            return -1;
    }
}

co_status_t co_stage_plugin_status(co_stage_t *st, const char *fn, int s,
                                   unsigned allowed)
{
    if (s >= 0 && s < 32 && (allowed & CO_STATUS_BIT(s)))
        return (co_status_t)s;
    static const char *const names[] = {"CO_OK", "CO_RETRY", "CO_FAIL",
                                        "CO_FATAL", "CO_EOF"};
    char ok[80] = "";
    size_t n = 0;
    for (unsigned i = 0; i < 5; i++)
        if (allowed & CO_STATUS_BIT(i))
            n += (size_t)snprintf(ok + n, sizeof ok - n, "%s%s", n ? ", " : "",
                                  names[i]);
    snprintf(st->err_class, sizeof st->err_class, "plugin");
    if (s == CO_EOF)
        snprintf(st->err_msg, sizeof st->err_msg,
                 "%s returned CO_EOF (4), which only a source's poll() may "
                 "return (a bug in plugin %s)",
                 fn, st->sc->plugin);
    else
        snprintf(st->err_msg, sizeof st->err_msg,
                 "%s returned %d, not one of %s (a bug in plugin %s)", fn, s,
                 ok, st->sc->plugin);
    return CO_FATAL;
}

static co_status_t co__call_process(co_stage_t *st, const void *arg)
{
    const co_record_t *rec = arg;
    co_crash_enter(st->sc->name, st->sc->plugin, "process()", rec->topic,
                   rec->partition, rec->offset);
    st->cur_in = rec;
    int s = (int)st->ph->desc->process(st->inst, rec);
    st->cur_in = NULL;
    co_crash_leave();
    return co_stage_plugin_status(
        st, "process()", s,
        CO_STATUS_BIT(CO_OK) | CO_STATUS_BIT(CO_RETRY) |
            CO_STATUS_BIT(CO_FAIL) | CO_STATUS_BIT(CO_FATAL));
}

/* The record's value parsed once, only when the stage's `when` or
 * rate_limit.key needs it (NULL otherwise or when it is not JSON). */
static json_t *co__doc_for(co_stage_t *st, const co_record_t *rec)
{
    int need = (st->sc->when && json_object_size(st->sc->when) > 0) ||
               (st->sc->rate_key && st->sc->rate_per_s > 0);
    if (!need || rec->value == NULL)
        return NULL;
    return json_loadb(rec->value, rec->value_len, 0, NULL);
}

/* Latency of n records that took dt ms together. All in one millisecond
 * (the common case): n zeros, counted once per batch, and the next block
 * twice as long. Else one observation of dt and n - 1 zeros (exact for
 * n = 1), and blocks of one record again. */
static void co__lat_account(co_stage_t *st, int64_t dt, uint32_t n)
{
    if (dt == 0) {
        st->n_lat_zero += n;
        st->lat_block = st->lat_block < 32 ? st->lat_block * 2 : 32;
        return;
    }
    co_metric_observe(st->m_latency, (double)dt / 1000.0);
    st->n_lat_zero += n - 1;
    st->lat_block = 1;
}

void co_stage_lat_close(co_stage_t *st)
{
    if (st->lat_pend == 0)
        return;
    st->lat_end_ms = co_mono_ms();
    co__lat_account(st, st->lat_end_ms - st->lat_t0, st->lat_pend);
    st->lat_pend = 0;
}

co_status_t co_stage_process_one(co_stage_t *st, const co_record_t *rec)
{
    int64_t t0 = st->lat_start_ms; /* set by the worker, or -1 */
    st->lat_start_ms = -1;
    json_t *doc = co__doc_for(st, rec);
    if (doc == NULL && st->sc->when && json_object_size(st->sc->when) > 0) {
        /* `when` cannot test it: a dead letter, not a silent skip (trial
         * 71: a record with a null value vanished) */
        snprintf(st->err_class, sizeof st->err_class, "when");
        snprintf(st->err_msg, sizeof st->err_msg,
                 "the record's value is %s, "
                 "so the stage's `when` cannot test it",
                 rec->value == NULL
                     ? "null (no value)"
                     : "not a JSON object or array (or is nested too deeply)");
        st->attempts = 1;
        co_metric_add(st->m_failed, 1);
        return CO_FAIL;
    }
    if (st->sc->when && !co_when_match_doc(st->sc->when, doc)) {
        json_decref(doc);
        co_metric_add(st->m_skipped, 1);
        return CO_OK;
    }
    int stopped = co__rate_wait(st, doc);
    json_decref(doc);
    if (stopped)
        return (co_status_t)(stopped == 2 ? CO_STAGE_PUT_BACK : -1);
    int s;
    if (t0 < 0 || st->sc->rate_per_s > 0) { /* alone: its own clock reads */
        co_stage_lat_close(st);
        t0 = co_mono_ms();
        s = co_stage_with_retry(st, co__call_process, rec, st->sc->retries);
        st->lat_end_ms = co_mono_ms();
        co__lat_account(st, st->lat_end_ms - t0, 1);
    } else { /* the next of a batch: t0 is where the previous one ended */
        if (st->lat_pend == 0)
            st->lat_t0 = t0;
        s = co_stage_with_retry(st, co__call_process, rec, st->sc->retries);
        if (++st->lat_pend >= st->lat_block)
            co_stage_lat_close(st);
    }
    if (s == CO_OK)
        st->n_in_unpublished++; /* co_stage_publish_counts() */
    else if (s == CO_FAIL)
        co_metric_add(st->m_failed, 1);
    return (co_status_t)s;
}

void co_stage_publish_counts(co_stage_t *st)
{
    if (st->n_in_unpublished) {
        co_metric_add(st->m_in, (double)st->n_in_unpublished);
        st->n_in_unpublished = 0;
    }
    if (st->n_out_unpublished) {
        co_metric_add(st->m_out, (double)st->n_out_unpublished);
        st->n_out_unpublished = 0;
    }
    if (st->n_lat_zero) {
        co_metric_observe_n(st->m_latency, 0.0, st->n_lat_zero);
        st->n_lat_zero = 0;
    }
}

void co_stage_fatal(co_stage_t *st, const char *what)
{
    char m[1200];
    snprintf(m, sizeof m, "%s: %s", what,
             st->err_msg[0] ? st->err_msg : "(the plugin gave no detail)");
    co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin, "stage FAILED: %s", m);
    co_stage_set_status(st, CO_STAGE_FAILED, m);
}

/* Dead letters written by the stages of this process (co_stage_end_of_run) */
static int64_t co__dead_letters;

int64_t co_stage_dead_letters(void)
{
    return __atomic_load_n(&co__dead_letters, __ATOMIC_SEQ_CST);
}

int co_stage_dead_letter(co_stage_t *st, const co_record_t *rec,
                         const char *cls, const char *msg, int attempts)
{
    __atomic_add_fetch(&co__dead_letters, 1, __ATOMIC_SEQ_CST);
    co_metric_add(st->m_dlq, 1);
    co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
           "dead-lettering record (topic %s partition %d offset %lld) to %s: "
           "[%s] %s",
           rec->topic ? rec->topic : "-", rec->partition,
           (long long)rec->offset, st->sc->dlq_topic, cls, msg);
    co_dlq_reason_t why = {st->sc->name, st->sc->plugin, cls, msg, attempts};
    return st->port->dead_letter(st, rec, &why);
}

/* ---- worker thread ------------------------------------------------------ */

static co_status_t co__call_start(co_stage_t *st, const void *arg)
{
    (void)arg;
    return st->ph->desc->start(st->inst);
}

void *co_stage_main(void *arg)
{
    co_stage_t *st = arg;
    char e[1024];
    if (co_port_kafka_setup(st, e, sizeof e) != 0) {
        snprintf(st->err_msg, sizeof st->err_msg, "%s", e);
        co_stage_fatal(st, "kafka setup");
        CO__ATOMIC_STORE(&st->finished, CO_FINISH_RETURNED);
        return NULL;
    }
    st->last_commit_ms = co_mono_ms();
    st->last_flush_ms = st->last_commit_ms;
    if (st->ph->desc->start) {
        int s = co_stage_with_retry(st, co__call_start, NULL, -1 /* forever */);
        if (s != CO_OK) {
            if (s >= 0)
                co_stage_fatal(st, "plugin start failed");
            CO__ATOMIC_STORE(&st->finished, CO_FINISH_RETURNED);
            return NULL;
        }
    }
    co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
    int rc = st->sc->n_inputs == 0 ? co_stage_source_loop(st)
             : st->sc->delivery == CO_DELIVERY_EXACTLY_ONCE
                 ? co_stage_eos_loop(st)
                 : co_stage_consumer_loop(st);
    if (co_port_kafka_failed(st))
        rc = -1; /* FAILED (co_port_kafka_fatal()), not STOPPED */
    if (rc == 0 && co_stage_get_status(st) != CO_STAGE_DONE)
        co_stage_set_status(st, CO_STAGE_STOPPED, NULL);
    CO__ATOMIC_STORE(&st->finished, CO_FINISH_RETURNED);
    return NULL;
}
