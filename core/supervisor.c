/* The supervisor of a run: backpressure view, lag metrics and alerts, idle
 * detection, restarts. */
#include "supervisor.h"
#include "backpressure.h"
#include "log.h"
#include "notify_systemd.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The backpressure view's monitor of group/topic, or NULL. */
static co_lagmon_t *co__bp_mon(const co_runtime_t *rt, const char *group,
                               const char *topic)
{
    for (size_t i = 0; i < rt->n_bp; i++)
        for (size_t k = 0; k < rt->bp[i].n_mons; k++) {
            co_lagmon_t *lm = rt->bp[i].mons[k];
            if (strcmp(co_lagmon_group(lm), group) == 0 &&
                strcmp(co_lagmon_topic(lm), topic) == 0)
                return lm;
        }
    return NULL;
}

static void co__sup_add_mon(co_sup_t *sv, const char *group, const char *topic,
                            const char *stage)
{
    char e[1024];
    co_mon_t mo = {0};
    /* with the producer in this process too, the backpressure view
     * watches the same group: one client for both */
    mo.lm = co__bp_mon(sv->rt, group, topic);
    mo.borrowed = mo.lm != NULL;
    if (mo.lm == NULL)
        mo.lm = co_lagmon_new(sv->rt->m, sv->rt->bootstrap, group, topic, e,
                              sizeof e);
    if (mo.lm == NULL) {
        co_log_warn("no lag monitor for %s on %s: %s", group, topic, e);
        return;
    }
    mo.stage = stage;
    mo.is_dlq = stage == NULL;
    sv->mons = realloc(sv->mons, (sv->n_mons + 1) * sizeof *sv->mons);
    sv->mons[sv->n_mons++] = mo;
}

void co_sup_init(co_sup_t *sv, co_runtime_t *rt, const co_run_opts_t *o)
{
    memset(sv, 0, sizeof *sv);
    sv->rt = rt;
    sv->o = o;
    const co_manifest_t *m = rt->m;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *sc = &m->stages[i];
        if (!co_run_is_local(o, sc->name))
            continue;
        char g[300];
        co_kafka_group_id(m, sc->name, g, sizeof g);
        for (size_t k = 0; k < sc->n_inputs; k++)
            co__sup_add_mon(sv, g, sc->inputs[k], sc->name);
        int seen = 0;
        for (size_t j = 0; j < sv->n_mons; j++)
            if (sv->mons[j].is_dlq &&
                strcmp(co_lagmon_topic(sv->mons[j].lm), sc->dlq_topic) == 0)
                seen = 1;
        if (!seen)
            co__sup_add_mon(sv, "careerops.dlq-depth", sc->dlq_topic, NULL);
    }
    /* --stage on this process's own broker with --bootstrap-file: every
     * topic lives in this process, so the stages of other processes count
     * for idleness and for the sources' saved positions, whatever they
     * read (trials 60, 61: a source alone saved its position past records
     * nobody had read, then past events a later stage had not read) */
    for (size_t i = 0; m->embedded && o->stages != NULL && i < m->n_stages;
         i++) {
        const co_stage_conf_t *sc = &m->stages[i];
        if (co_run_is_local(o, sc->name))
            continue;
        char g[300];
        co_kafka_group_id(m, sc->name, g, sizeof g);
        for (size_t k = 0; k < sc->n_inputs; k++)
            co__sup_add_mon(sv, g, sc->inputs[k], sc->name);
    }
    /* operational alerts: thresholds from the manifest, records to the
     * alerts topic, posts to Slack or PagerDuty (core/alerts.c) */
    sv->alerts = co_alerts_new(m);
    if (sv->alerts) {
        char e[1024] = "";
        rd_kafka_conf_t *ac = co_kafka_conf_new(m, rt->bootstrap, e, sizeof e);
        if (ac) {
            sv->alert_producer =
                rd_kafka_new(RD_KAFKA_PRODUCER, ac, e, sizeof e);
            if (sv->alert_producer == NULL)
                rd_kafka_conf_destroy(ac);
        }
        if (sv->alert_producer == NULL)
            co_log_warn("alerts: no producer for the alerts topic: %s", e);
    }
    sv->restart_at = co_xcalloc(rt->n_inst + 1, sizeof *sv->restart_at);
    sv->started_at = co_xcalloc(rt->n_inst + 1, sizeof *sv->started_at);
    sv->fail_streak = co_xcalloc(rt->n_inst + 1, sizeof *sv->fail_streak);
    for (size_t i = 0; i < rt->n_inst; i++)
        sv->started_at[i] = co_mono_ms();
    const char *why = getenv("CAREEROPS_IDLE_REPORT_MS");
    sv->why_ms = why && atoll(why) > 0 ? atoll(why) : 30000;
}

int co_sup_start_instance(co_runtime_t *rt, size_t idx)
{
    co_stage_t *st = rt->inst[idx];
    if (pthread_create(&st->thread, NULL, co_stage_main, st) != 0) {
        co_log_error("cannot start a thread for stage %s", st->sc->name);
        return -1;
    }
    return 0;
}

/* ---- lag, metrics, alerts ----------------------------------------------- */

static void co__sup_metrics(const co_mon_t *mo, const co_lag_t *lag,
                            int64_t *dlq_depth)
{
    char lab[600];
    if (mo->is_dlq) {
        int64_t depth = 0;
        for (int p = 0; p < lag->partitions; p++)
            depth += lag->high[p] - lag->low[p];
        *dlq_depth = (*dlq_depth < 0 ? 0 : *dlq_depth) + depth;
        snprintf(lab, sizeof lab, "topic=\"%s\"", co_lagmon_topic(mo->lm));
        co_metric_set(co_metric("careerops_dead_letter_depth", lab,
                                CO_METRIC_GAUGE,
                                "Records in a dead-letter topic"),
                      (double)depth);
        return;
    }
    for (int p = 0; p < lag->partitions; p++) {
        snprintf(lab, sizeof lab, "stage=\"%s\",topic=\"%s\",partition=\"%d\"",
                 mo->stage, co_lagmon_topic(mo->lm), p);
        co_metric_set(co_metric("careerops_consumer_lag", lab, CO_METRIC_GAUGE,
                                "Records not yet committed by a stage"),
                      (double)lag->per_part[p]);
    }
}

static void co__sup_alerts(co_sup_t *sv, int64_t dlq_depth, int64_t max_lag)
{
    co_alerts_tick(sv->alerts, dlq_depth, max_lag, co_wall_ms());
    char *aj;
    while (sv->alerts && co_alerts_pending_record(sv->alerts, &aj)) {
        json_t *doc = json_loads(aj, 0, NULL);
        const char *key = json_string_value(json_object_get(doc, "dedup_key"));
        if (sv->alert_producer)
            rd_kafka_producev(
                sv->alert_producer,
                RD_KAFKA_V_TOPIC(co_alerts_topic(sv->alerts)),
                RD_KAFKA_V_KEY((void *)(key ? key : ""), key ? strlen(key) : 0),
                RD_KAFKA_V_VALUE(aj, strlen(aj)),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        json_decref(doc);
        free(aj);
    }
    if (sv->alert_producer)
        rd_kafka_poll(sv->alert_producer, 0);
}

/* Measure every monitor (dead-letter ones once a second, with the
 * metrics). Returns 1 when every consumer monitor answered; *total_lag is
 * the sum of their lags. */
static int co__sup_lag(co_sup_t *sv, int64_t *total_lag)
{
    int64_t max_lag = -1, dlq_depth = -1;
    int measured_all = 1;
    int64_t now = co_mono_ms();
    int do_metrics = now - sv->last_metrics >= 1000;
    *total_lag = 0;
    for (size_t j = 0; j < sv->n_mons; j++) {
        co_lag_t lag;
        /* each measurement may wait 2 s when the broker is gone: a stop
         * does not wait for the rest (trial 44: 8-23 s after SIGTERM) */
        if (CO_RT_LOAD(&sv->rt->stop)) {
            measured_all = 0;
            break;
        }
        if (!do_metrics && sv->mons[j].is_dlq)
            continue;
        if (co_lagmon_measure(sv->mons[j].lm, 2000, &lag) != 0) {
            measured_all = 0;
            continue;
        }
        if (!sv->mons[j].is_dlq) {
            *total_lag += lag.total;
            if (lag.total > max_lag)
                max_lag = lag.total;
        }
        if (do_metrics)
            co__sup_metrics(&sv->mons[j], &lag, &dlq_depth);
        co_lag_free(&lag);
    }
    if (do_metrics && !CO_RT_LOAD(&sv->rt->stop)) {
        sv->last_metrics = now;
        co__sup_alerts(sv, dlq_depth, max_lag);
    }
    return measured_all;
}

/* ---- idle detection ------------------------------------------------------ */

/* Snapshot the sources (emits, in-flight, done); then, when every consumer
 * caught up and everything emitted is acknowledged, mark the snapshot safe
 * (sources may save positions up to it). Returns 1 when idle; *done tells
 * whether every source finished. */
static int co__sup_idle(co_sup_t *sv, int *done)
{
    co_runtime_t *rt = sv->rt;
    uint64_t *snap = co_xcalloc(rt->n_inst + 1, sizeof *snap);
    int all_acked = 1;
    *done = 1;
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->sc->n_inputs != 0)
            continue;
        snap[i] = CO_RT_LOAD(&st->emit_seq);
        if (CO_RT_LOAD(&st->inflight) != 0)
            all_acked = 0;
        if (co_stage_get_status(st) != CO_STAGE_DONE)
            *done = 0;
    }
    int64_t total_lag;
    int idle = co__sup_lag(sv, &total_lag) && total_lag == 0 && all_acked;
    if (idle)
        for (size_t i = 0; i < rt->n_inst; i++)
            if (rt->inst[i]->sc->n_inputs == 0)
                CO_RT_STORE(&rt->inst[i]->safe_seq, snap[i]);
    free(snap);
    return idle;
}

/* Append the partitions behind, at most 4: " (partition P: committed C,
 * end H; ...)"; a stall shows whether records wait before or after their
 * commit. */
static void co__why_parts(char *why, size_t size, size_t *o,
                          const co_lag_t *lag)
{
    int shown = 0;
    for (int p = 0; p < lag->partitions && *o < size; p++) {
        if (lag->per_part[p] == 0)
            continue;
        if (shown == 4) {
            *o += (size_t)snprintf(why + *o, size - *o, "; ...");
            break;
        }
        char c[24] = "none";
        if (lag->committed[p] >= 0)
            snprintf(c, sizeof c, "%lld", (long long)lag->committed[p]);
        *o += (size_t)snprintf(
            why + *o, size - *o, "%spartition %d: committed %s, end %lld",
            shown ? "; " : " (", p, c, (long long)lag->high[p]);
        shown++;
    }
    if (shown && *o < size)
        *o += (size_t)snprintf(why + *o, size - *o, ")");
}

/* Append, once per stage in a line, for a stage this process runs: how
 * many records its plugin processed OK this run (careerops_records_in_total,
 * one counter for all its instances and inputs) and, when an instance is
 * not RUNNING, its state and reason ("WAITING: sink flush failed ..."), so
 * that a stall says whether the stage or the broker holds the records. */
static void co__why_stage(co_sup_t *sv, const char *stage, char *why,
                          size_t size, size_t *o)
{
    const co_stage_t *first = NULL;
    for (size_t i = 0; i < sv->rt->n_inst && first == NULL; i++)
        if (strcmp(sv->rt->inst[i]->sc->name, stage) == 0)
            first = sv->rt->inst[i];
    if (first == NULL || first->m_in == NULL || *o >= size)
        return;
    double in = co_metric_value(first->m_in);
    *o += (size_t)snprintf(why + *o, size - *o,
                           ", %.0f record%s processed OK by its plugin this "
                           "run (all its inputs)",
                           in, in == 1 ? "" : "s");
    for (size_t i = 0; i < sv->rt->n_inst && *o < size; i++) {
        co_stage_t *st = sv->rt->inst[i];
        if (strcmp(st->sc->name, stage) != 0)
            continue;
        co_stage_state_t s = co_stage_get_status(st);
        if (s == CO_STAGE_RUNNING)
            continue;
        pthread_mutex_lock(&st->lock);
        *o +=
            (size_t)snprintf(why + *o, size - *o, "; instance %d is %s%s%.200s",
                             st->instance, co_stage_state_name(s),
                             st->last_error[0] ? ": " : "", st->last_error);
        pthread_mutex_unlock(&st->lock);
    }
}

/* Log, at INFO, what keeps an --until-idle run from ending: sources not
 * done, records not yet acknowledged, consumers behind or not measured.
 * Called every sv->why_ms (30 s; CAREEROPS_IDLE_REPORT_MS, for tests)
 * while the run is not idle, so that a run that
 * never ends says why (a demo test once waited 600 s without a word). */
static void co__sup_log_why(co_sup_t *sv, int64_t busy_ms)
{
    co_runtime_t *rt = sv->rt;
    char why[1500] = "";
    size_t o = 0;
#define CO__WHY(...)                                                           \
    do {                                                                       \
        if (o < sizeof why)                                                    \
            o += (size_t)snprintf(why + o, sizeof why - o, __VA_ARGS__);       \
    } while (0)
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->sc->n_inputs != 0)
            continue;
        co_stage_state_t s = co_stage_get_status(st);
        if (s != CO_STAGE_DONE)
            CO__WHY("%ssource %s is %s", o ? "; " : "", st->sc->name,
                    co_stage_state_name(s));
        long long inflight = (long long)CO_RT_LOAD(&st->inflight);
        if (inflight != 0)
            CO__WHY("%s%s: %lld records not yet acknowledged", o ? "; " : "",
                    st->sc->name, inflight);
    }
    /* each stage's count and state once, at its first topic behind */
    char *told = co_xcalloc(sv->n_mons + 1, 1);
    for (size_t j = 0; j < sv->n_mons && !CO_RT_LOAD(&rt->stop); j++) {
        const co_mon_t *mo = &sv->mons[j];
        co_lag_t lag;
        if (mo->is_dlq)
            continue;
        if (co_lagmon_measure(mo->lm, 2000, &lag) != 0) {
            CO__WHY("%sthe lag of stage %s on %s is not measured (broker not "
                    "answering?)",
                    o ? "; " : "", mo->stage, co_lagmon_topic(mo->lm));
            continue;
        }
        if (lag.total != 0) {
            CO__WHY("%sstage %s is %lld record%s behind on %s", o ? "; " : "",
                    mo->stage, (long long)lag.total, lag.total == 1 ? "" : "s",
                    co_lagmon_topic(mo->lm));
            co__why_parts(why, sizeof why, &o, &lag);
            int said = 0;
            for (size_t k = 0; k < j && !said; k++)
                said = told[k] && strcmp(sv->mons[k].stage, mo->stage) == 0;
            if (!said)
                co__why_stage(sv, mo->stage, why, sizeof why, &o);
            told[j] = 1;
        }
        co_lag_free(&lag);
    }
    free(told);
#undef CO__WHY
    co_log_info("--until-idle: not idle for %lld s: %s",
                (long long)busy_ms / 1000,
                o ? why : "no source, consumer or output waiting now");
}

/* ---- restarts ------------------------------------------------------------ */

/* Replace instance i (its worker returned) by a fresh one and start it.
 * Returns 0, or -1 when it cannot be created. */
static int co__sup_restart(co_sup_t *sv, size_t i)
{
    co_runtime_t *rt = sv->rt;
    co_stage_t *st = rt->inst[i];
    char e[2048];
    if (CO_RT_LOAD(&st->finished) != CO_FINISH_JOINED) {
        pthread_join(st->thread, NULL);
        CO_RT_STORE(&st->finished, CO_FINISH_JOINED);
    }
    const co_stage_conf_t *sc = st->sc;
    co_log_info("restarting stage %s (instance %d)", sc->name, st->instance);
    co_stage_t *fresh = co_stage_new(&rt->env, rt->m, sc, st->instance,
                                     rt->bootstrap, e, sizeof e);
    if (fresh == NULL) {
        co_log_error("restart of %s failed: %s", sc->name, e);
        co_stage_set_status(st, CO_STAGE_FAILED, e);
        return -1;
    }
    pthread_mutex_lock(&rt->inst_lock);
    rt->inst[i] = fresh;
    pthread_mutex_unlock(&rt->inst_lock);
    /* the old consumer leaves the group before the fresh one joins */
    co_stage_free(st);
    return co_sup_start_instance(rt, i);
}

/* errors.restart under --until-idle: 1 (said once) when instance i
 * FAILED CO_SUP_QUICK_FAIL_MAX times in a row, each soon after its start,
 * so that the run ends instead of restarting it for ever. */
static int co__sup_gives_up(co_sup_t *sv, size_t i, int64_t now)
{
    if (now - sv->started_at[i] >= CO_SUP_QUICK_FAIL_MS)
        sv->fail_streak[i] = 0;
    if (!sv->o->until_idle || ++sv->fail_streak[i] < CO_SUP_QUICK_FAIL_MAX)
        return 0;
    if (sv->fail_streak[i] == CO_SUP_QUICK_FAIL_MAX)
        co_log_error("stage %s FAILED %d times in a row, each within %d s of "
                     "its start: --until-idle does not restart it again "
                     "(errors.restart); fix the cause in its last error",
                     sv->rt->inst[i]->sc->name, CO_SUP_QUICK_FAIL_MAX,
                     CO_SUP_QUICK_FAIL_MS / 1000);
    return 1;
}

/* One pass over the instances: begin a restart when one was requested
 * (control API) or a stage FAILED with a restart policy; finish restarts
 * whose worker returned and whose backoff passed. *failed is set when a
 * stage FAILED without a restart policy. Returns 0, or -1 when a restart
 * could not be done. */
static int co__sup_restarts(co_sup_t *sv, int *failed)
{
    co_runtime_t *rt = sv->rt;
    *failed = 0;
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        int64_t now = co_mono_ms();
        if (sv->restart_at[i] == 0) {
            int req =
                __atomic_exchange_n(&rt->restart_req[i], 0, __ATOMIC_SEQ_CST);
            int dead = co_stage_get_status(st) == CO_STAGE_FAILED &&
                       CO_RT_LOAD(&st->finished);
            if (!req && dead && !st->sc->restart)
                *failed = 1;
            if (!req && !(dead && st->sc->restart))
                continue;
            if (!req && co__sup_gives_up(sv, i, now)) {
                *failed = 1;
                continue;
            }
            /* the pending restart lives here, so nothing the worker or
             * the control API writes to st->stop can cancel it */
            sv->restart_at[i] = now + (req ? 0 : st->sc->restart_backoff_ms);
            if (sv->restart_at[i] == 0)
                sv->restart_at[i] = 1;
            CO_RT_STORE(&st->stop, CO_STOP_RESTART);
        }
        if (now < sv->restart_at[i] || !CO_RT_LOAD(&st->finished))
            continue;
        sv->restart_at[i] = 0;
        sv->started_at[i] = now;
        if (co__sup_restart(sv, i) != 0)
            return -1;
    }
    return 0;
}

int co_sup_run(co_sup_t *sv)
{
    co_runtime_t *rt = sv->rt;
    while (!CO_RT_LOAD(&rt->stop)) {
        co_sleep_ms(100);
        co_notify_watchdog();
        co_bp_tick(rt);
        int sources_done;
        int idle = co__sup_idle(sv, &sources_done);
        int failed;
        if (co__sup_restarts(sv, &failed) != 0) {
            CO_RT_STORE(&rt->stop, CO_STOP_REQUESTED);
            return 1;
        }
        if (!sv->o->until_idle)
            continue;
        if (failed) {
            co_log_error("a stage FAILED; stopping (see /api/stages or the "
                         "log for the reason)");
            return 1;
        }
        sv->idle_rounds = (idle && sources_done) ? sv->idle_rounds + 1 : 0;
        int64_t now = co_mono_ms();
        if (sv->busy_since == 0 || sv->idle_rounds > 0)
            sv->busy_since = sv->why_at = now;
        else if (now - sv->why_at >= sv->why_ms) {
            sv->why_at = now;
            co__sup_log_why(sv, now - sv->busy_since);
        }
        /* idle means three observations in a row of every source done,
         * every output acknowledged and every consumer's lag 0: the two
         * after the first 20 ms apart, not two more rounds */
        while (sv->idle_rounds > 0 && sv->idle_rounds < 3 &&
               !CO_RT_LOAD(&rt->stop)) {
            co_sleep_ms(20);
            idle = co__sup_idle(sv, &sources_done);
            sv->idle_rounds = (idle && sources_done) ? sv->idle_rounds + 1 : 0;
        }
        if (sv->idle_rounds >= 3) {
            int sources_here = 0, all_here = 1;
            for (size_t i = 0; i < rt->n_inst; i++)
                sources_here += rt->inst[i]->sc->n_inputs == 0;
            for (size_t i = 0; i < rt->m->n_stages; i++)
                all_here &= co_run_is_local(sv->o, rt->m->stages[i].name);
            /* trial 63: "all sources done" in a run of no source, before
             * the source of another process had written anything; trial
             * 64: "every stage caught up" with stages elsewhere behind */
            if (sources_here && all_here)
                co_log_info("all sources done and every stage caught up");
            else if (sources_here)
                co_log_info("the sources here are done and every stage in "
                            "this process caught up; stages of other "
                            "processes may still be reading what they "
                            "wrote");
            else
                co_log_info("every stage here caught up with what its inputs "
                            "hold; no source runs in this process, so what "
                            "the sources of other processes write from now "
                            "on is read by a later run");
            return 0;
        }
    }
    return 0;
}

void co_sup_free(co_sup_t *sv)
{
    if (sv->alert_producer) {
        rd_kafka_flush(sv->alert_producer, 5000);
        rd_kafka_destroy(sv->alert_producer);
    }
    co_alerts_drain(sv->alerts, 5000);
    co_alerts_free(sv->alerts);
    for (size_t j = 0; j < sv->n_mons; j++)
        if (!sv->mons[j].borrowed)
            co_lagmon_free(sv->mons[j].lm);
    free(sv->mons);
    free(sv->restart_at);
    free(sv->started_at);
    free(sv->fail_streak);
    memset(sv, 0, sizeof *sv);
}
