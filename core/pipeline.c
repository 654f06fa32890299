/* careerops run: set-up, supervisor, backpressure, idle detection,
 * signals, shutdown. */
#include "pipeline.h"
#include "alerts.h"
#include "err.h"
#include "control.h"
#include "log.h"
#include "util.h"
#include "validate.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CO__LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define CO__STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

int64_t co_runtime_downstream_committed(co_runtime_t *rt, const char *topic,
                                        int32_t partition)
{
    int64_t r = -1;
    pthread_mutex_lock(&rt->bp_lock);
    for (size_t i = 0; i < rt->n_bp; i++) {
        if (strcmp(rt->bp[i].topic, topic) != 0 || rt->bp[i].n_mons == 0)
            continue;
        if (partition < rt->bp[i].n_parts)
            r = rt->bp[i].parts[partition].committed;
        else if (rt->bp[i].n_parts == 0)
            r = -2; /* consumed downstream, not measured yet */
    }
    pthread_mutex_unlock(&rt->bp_lock);
    return r;
}

/* co_stage_env_t::downstream_committed */
static int64_t co__downstream_committed(void *rt, const char *topic,
                                        int32_t partition)
{
    return co_runtime_downstream_committed(rt, topic, partition);
}

/* ---- signals ------------------------------------------------------------- */

static co_runtime_t *co__sig_rt;

static void *co__signal_thread(void *arg)
{
    sigset_t *set = arg;
    for (;;) {
        int sig;
        if (sigwait(set, &sig) != 0)
            continue;
        if (sig == SIGUSR1) /* internal wake-up at exit */
            return NULL;
        int prev = CO__LOAD(&co__sig_rt->stop);
        co_log_info("received %s: %s", sig == SIGINT ? "SIGINT" : "SIGTERM",
                    prev ? "stopping now" : "finishing in-flight records");
        CO__STORE(&co__sig_rt->stop, prev ? 2 : 1);
    }
}

/* ---- monitors --------------------------------------------------------------
 */

typedef struct co__mon_s {
    co_lagmon_t *lm;
    const char *stage; /* consuming stage, NULL for a dead-letter topic */
    int is_dlq;
    co_metric_t **lag_metrics;
    int n_lag;
} co__mon_t;

static int co__is_local(const co_run_opts_t *o, const char *name)
{
    if (o->stages == NULL)
        return 1;
    for (size_t i = 0; o->stages[i]; i++)
        if (strcmp(o->stages[i], name) == 0)
            return 1;
    return 0;
}

static char *co__stages_json(void *arg)
{
    co_runtime_t *rt = arg;
    co_buf_t b = {0};
    co_buf_printf(&b, "{\"pipeline\":\"%s\",\"stages\":[", rt->m->pipeline);
    for (size_t i = 0; i < rt->n_inst; i++) {
        char *s = co_stage_status_json(rt->inst[i]);
        co_buf_printf(&b, "%s%s", i ? "," : "", s);
        free(s);
    }
    co_buf_printf(&b, "]}\n");
    return b.data;
}

static int co__healthy(void *arg)
{
    co_runtime_t *rt = arg;
    for (size_t i = 0; i < rt->n_inst; i++)
        if (co_stage_get_status(rt->inst[i]) == CO_STAGE_FAILED)
            return 0;
    return 1;
}

static int co__stage_action(void *arg, const char *stage, const char *action)
{
    co_runtime_t *rt = arg;
    int found = 0;
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (strcmp(st->sc->name, stage) != 0)
            continue;
        if (strcmp(action, "pause") == 0)
            CO__STORE(&st->pause, 1);
        else if (strcmp(action, "resume") == 0)
            CO__STORE(&st->pause, 0);
        else if (strcmp(action, "restart") == 0)
            CO__STORE(&st->stop, 3); /* supervisor restarts it */
        else
            return -1;
        found = 1;
    }
    return found ? 0 : -1;
}

static int co__start_instance(co_runtime_t *rt, size_t idx)
{
    co_stage_t *st = rt->inst[idx];
    if (pthread_create(&st->thread, NULL, co_stage_main, st) != 0) {
        co_log_error("cannot start a thread for stage %s", st->sc->name);
        return -1;
    }
    return 0;
}

int co_pipeline_run(co_manifest_t *m, const co_run_opts_t *o)
{
    co_runtime_t rt;
    memset(&rt, 0, sizeof rt);
    rt.m = m;
    pthread_mutex_init(&rt.bp_lock, NULL);
    co__sig_rt = &rt;
    int exit_code = 0;
    char e[2048];
    co__mon_t *mons = NULL;
    size_t n_mons = 0;
    co_control_t *http = NULL;
    co_alerts_t *alerts = NULL;
    rd_kafka_t *alert_producer = NULL;

    /* every stage named must exist */
    for (size_t i = 0; o->stages && o->stages[i]; i++)
        if (co_manifest_stage(m, o->stages[i]) == NULL) {
            fprintf(stderr, "error: --stage %s: no such stage in %s (stages: ",
                    o->stages[i], m->path);
            for (size_t j = 0; j < m->n_stages; j++)
                fprintf(stderr, "%s%s", j ? ", " : "", m->stages[j].name);
            fprintf(stderr, ")\n");
            return 2;
        }
    co_diag_t d = {0};
    if (co_validate_plugins(m, &d) != 0) {
        co_diag_print(&d, m->path);
        co_diag_free(&d);
        return 2;
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_t sigthr;
    pthread_create(&sigthr, NULL, co__signal_thread, &set);

    if (m->embedded) {
        rt.emb = co_embedded_start(1, e, sizeof e);
        if (rt.emb == NULL) {
            co_log_error("%s", e);
            exit_code = 2;
            goto out;
        }
        rt.bootstrap = co_strdup(co_embedded_bootstraps(rt.emb));
        for (size_t i = 0; i < m->n_topics; i++)
            co_embedded_create_topic(rt.emb, m->topics[i].name,
                                     m->topics[i].partitions);
        co_log_info("embedded broker (in memory, librdkafka mock cluster) at "
                    "%s",
                    rt.bootstrap);
        if (o->bootstrap_file) {
            FILE *f = fopen(o->bootstrap_file, "w");
            if (f) {
                fprintf(f, "%s\n", rt.bootstrap);
                fclose(f);
            }
        }
        rt.defer_source_offsets = 1;
    } else {
        rt.bootstrap = co_strdup(
            json_string_value(json_object_get(m->kafka, "bootstrap.servers")));
        if (co_kafka_create_topics(m, rt.bootstrap, e, sizeof e) != 0) {
            co_log_error("%s", e);
            exit_code = 2;
            goto out;
        }
    }
    rt.bp_limit_records = o->no_backpressure ? 0 : 100000;
    rt.env = (co_stage_env_t){&rt.stop, rt.emb != NULL, rt.defer_source_offsets,
                              rt.bp_limit_records, co__downstream_committed,
                              &rt};

    /* instances */
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *sc = &m->stages[i];
        if (!co__is_local(o, sc->name))
            continue;
        int n = sc->n_inputs == 0 ? 1 : sc->concurrency;
        for (int k = 0; k < n; k++) {
            co_stage_t *st =
                co_stage_new(&rt.env, m, sc, k, rt.bootstrap, e, sizeof e);
            if (st == NULL) {
                co_log_error("%s", e);
                exit_code = 2;
                goto stop_all;
            }
            rt.inst = realloc(rt.inst, (rt.n_inst + 1) * sizeof *rt.inst);
            rt.inst[rt.n_inst++] = st;
        }
    }

    /* monitors: backpressure for local sources, lag for local consumers,
     * dead-letter depth */
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *src = &m->stages[i];
        if (!co__is_local(o, src->name) || src->n_inputs != 0 || !src->output)
            continue;
        co_bp_topic_t bt = {0};
        bt.topic = co_strdup(src->output);
        for (size_t j = 0; j < m->n_stages; j++)
            for (size_t k = 0; k < m->stages[j].n_inputs; k++)
                if (strcmp(m->stages[j].inputs[k], src->output) == 0) {
                    char g[300];
                    co_kafka_group_id(m, m->stages[j].name, g, sizeof g);
                    co_lagmon_t *lm = co_lagmon_new(m, rt.bootstrap, g,
                                                    src->output, e, sizeof e);
                    if (lm) {
                        bt.mons =
                            realloc(bt.mons, (bt.n_mons + 1) * sizeof *bt.mons);
                        bt.mons[bt.n_mons++] = lm;
                    }
                }
        rt.bp = realloc(rt.bp, (rt.n_bp + 1) * sizeof *rt.bp);
        rt.bp[rt.n_bp++] = bt;
    }
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *sc = &m->stages[i];
        if (!co__is_local(o, sc->name))
            continue;
        char g[300];
        co_kafka_group_id(m, sc->name, g, sizeof g);
        for (size_t k = 0; k < sc->n_inputs; k++) {
            co__mon_t mo = {0};
            mo.lm =
                co_lagmon_new(m, rt.bootstrap, g, sc->inputs[k], e, sizeof e);
            mo.stage = sc->name;
            if (mo.lm) {
                mons = realloc(mons, (n_mons + 1) * sizeof *mons);
                mons[n_mons++] = mo;
            }
        }
        int seen = 0;
        for (size_t j = 0; j < n_mons; j++)
            if (mons[j].is_dlq &&
                strcmp(co_lagmon_topic(mons[j].lm), sc->dlq_topic) == 0)
                seen = 1;
        if (!seen) {
            co__mon_t mo = {0};
            mo.lm = co_lagmon_new(m, rt.bootstrap, "careerops.dlq-depth",
                                  sc->dlq_topic, e, sizeof e);
            mo.is_dlq = 1;
            if (mo.lm) {
                mons = realloc(mons, (n_mons + 1) * sizeof *mons);
                mons[n_mons++] = mo;
            }
        }
    }

    /* operational alerts: thresholds from the manifest, records to the
     * alerts topic, posts to Slack or PagerDuty (core/alerts.c) */
    alerts = co_alerts_new(m);
    if (alerts) {
        rd_kafka_conf_t *ac = co_kafka_conf_new(m, rt.bootstrap, e, sizeof e);
        if (ac)
            alert_producer = rd_kafka_new(RD_KAFKA_PRODUCER, ac, e, sizeof e);
        if (alert_producer == NULL)
            co_log_warn("alerts: no producer for the alerts topic: %s", e);
    }

    for (size_t i = 0; i < rt.n_inst; i++)
        if (co__start_instance(&rt, i) != 0) {
            exit_code = 2;
            goto stop_all;
        }

    if (m->http_listen) {
        co_control_routes_t r = {co__stages_json, co__healthy,
                                 co__stage_action, &rt};
        http = co_control_start(m, &r, e, sizeof e); /* logs its address */
        if (http == NULL)
            co_log_warn("http: %s", e);
    }
    co_log_info("pipeline %s running %zu stage instance(s)", m->pipeline,
                rt.n_inst);

    int idle_rounds = 0;
    int64_t last_metrics = 0;
    int64_t *restart_at = co_xcalloc(rt.n_inst + 1, sizeof *restart_at);
    while (!CO__LOAD(&rt.stop)) {
        co_sleep_ms(100);
        /* backpressure view */
        for (size_t i = 0; i < rt.n_bp; i++) {
            co_bp_topic_t *bt = &rt.bp[i];
            int np = 0;
            int64_t mins[1024];
            int have = 0;
            for (size_t k = 0; k < bt->n_mons; k++) {
                co_lag_t lag;
                if (co_lagmon_measure(bt->mons[k], 2000, &lag) != 0)
                    continue;
                np = lag.partitions < 1024 ? lag.partitions : 1024;
                for (int p = 0; p < np; p++) {
                    int64_t c =
                        lag.committed[p] >= 0 ? lag.committed[p] : lag.low[p];
                    if (!have || c < mins[p])
                        mins[p] = c;
                }
                have = 1;
                co_lag_free(&lag);
            }
            if (!have)
                continue;
            pthread_mutex_lock(&rt.bp_lock);
            if (bt->n_parts != np) {
                free(bt->parts);
                bt->parts = co_xcalloc((size_t)np, sizeof *bt->parts);
                bt->n_parts = np;
            }
            for (int p = 0; p < np; p++)
                bt->parts[p].committed = mins[p];
            pthread_mutex_unlock(&rt.bp_lock);
        }
        /* idle detection: positions are safe once everything emitted is
         * acknowledged and consumed by every downstream stage */
        uint64_t *snap = co_xcalloc(rt.n_inst + 1, sizeof *snap);
        int all_acked = 1, sources_done = 1;
        for (size_t i = 0; i < rt.n_inst; i++) {
            co_stage_t *st = rt.inst[i];
            if (st->sc->n_inputs != 0)
                continue;
            snap[i] = CO__LOAD(&st->emit_seq);
            if (CO__LOAD(&st->inflight) != 0)
                all_acked = 0;
            if (co_stage_get_status(st) != CO_STAGE_DONE)
                sources_done = 0;
        }
        int64_t total_lag = 0, max_lag = -1, dlq_depth = -1;
        int measured_all = 1;
        int64_t now = co_mono_ms();
        int do_metrics = now - last_metrics >= 1000;
        for (size_t j = 0; j < n_mons; j++) {
            co_lag_t lag;
            if (!do_metrics && mons[j].is_dlq)
                continue;
            if (co_lagmon_measure(mons[j].lm, 2000, &lag) != 0) {
                measured_all = 0;
                continue;
            }
            if (!mons[j].is_dlq) {
                total_lag += lag.total;
                if (lag.total > max_lag)
                    max_lag = lag.total;
            }
            if (do_metrics) {
                char lab[600];
                if (mons[j].is_dlq) {
                    int64_t depth = 0;
                    for (int p = 0; p < lag.partitions; p++)
                        depth += lag.high[p] - lag.low[p];
                    dlq_depth = (dlq_depth < 0 ? 0 : dlq_depth) + depth;
                    snprintf(lab, sizeof lab, "topic=\"%s\"",
                             co_lagmon_topic(mons[j].lm));
                    co_metric_set(co_metric("careerops_dead_letter_depth", lab,
                                            CO_METRIC_GAUGE,
                                            "Records in a dead-letter topic"),
                                  (double)depth);
                } else {
                    for (int p = 0; p < lag.partitions; p++) {
                        snprintf(lab, sizeof lab,
                                 "stage=\"%s\",topic=\"%s\",partition=\"%d\"",
                                 mons[j].stage, co_lagmon_topic(mons[j].lm), p);
                        co_metric_set(
                            co_metric("careerops_consumer_lag", lab,
                                      CO_METRIC_GAUGE,
                                      "Records not yet committed by a stage"),
                            (double)lag.per_part[p]);
                    }
                }
            }
            co_lag_free(&lag);
        }
        if (do_metrics) {
            last_metrics = now;
            co_alerts_tick(alerts, dlq_depth, max_lag, co_wall_ms());
            char *aj;
            while (alerts && co_alerts_pending_record(alerts, &aj)) {
                json_t *doc = json_loads(aj, 0, NULL);
                const char *key =
                    json_string_value(json_object_get(doc, "dedup_key"));
                if (alert_producer)
                    rd_kafka_producev(alert_producer,
                                      RD_KAFKA_V_TOPIC(co_alerts_topic(alerts)),
                                      RD_KAFKA_V_KEY((void *)(key ? key : ""),
                                                     key ? strlen(key) : 0),
                                      RD_KAFKA_V_VALUE(aj, strlen(aj)),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                      RD_KAFKA_V_END);
                json_decref(doc);
                free(aj);
            }
            if (alert_producer)
                rd_kafka_poll(alert_producer, 0);
        }
        int idle = measured_all && total_lag == 0 && all_acked;
        if (idle)
            for (size_t i = 0; i < rt.n_inst; i++)
                if (rt.inst[i]->sc->n_inputs == 0)
                    CO__STORE(&rt.inst[i]->safe_seq, snap[i]);
        free(snap);
        /* failed stages: restart if configured */
        int failed = 0;
        for (size_t i = 0; i < rt.n_inst; i++) {
            co_stage_t *st = rt.inst[i];
            co_stage_state_t s = co_stage_get_status(st);
            int restart_req = CO__LOAD(&st->stop) == 3;
            if (!restart_req &&
                (s != CO_STAGE_FAILED || !CO__LOAD(&st->finished)))
                continue;
            if (!restart_req && !st->sc->restart) {
                failed = 1;
                continue;
            }
            if (restart_at[i] == 0) {
                restart_at[i] = co_mono_ms() +
                                (restart_req ? 0 : st->sc->restart_backoff_ms);
                CO__STORE(&st->stop, 1);
            }
            if (co_mono_ms() < restart_at[i] || !CO__LOAD(&st->finished))
                continue;
            if (CO__LOAD(&st->finished) != 2) {
                pthread_join(st->thread, NULL);
                CO__STORE(&st->finished, 2);
            }
            const co_stage_conf_t *sc = st->sc;
            co_log_info("restarting stage %s", sc->name);
            co_stage_t *fresh = co_stage_new(&rt.env, m, sc, st->instance,
                                             rt.bootstrap, e, sizeof e);
            restart_at[i] = 0;
            if (fresh == NULL) {
                co_log_error("restart of %s failed: %s", sc->name, e);
                co_stage_set_status(st, CO_STAGE_FAILED, e);
                exit_code = 1;
                CO__STORE(&rt.stop, 1);
                break;
            }
            co_stage_free(st);
            rt.inst[i] = fresh;
            co__start_instance(&rt, i);
        }
        if (o->until_idle) {
            if (failed) {
                co_log_error("a stage FAILED; stopping (see /api/stages or "
                             "the log for the reason)");
                exit_code = 1;
                break;
            }
            idle_rounds = (idle && sources_done) ? idle_rounds + 1 : 0;
            if (idle_rounds >= 3) {
                co_log_info("all sources done and every stage caught up");
                break;
            }
        }
    }
    free(restart_at);

    /* graceful: in embedded in-process mode, stop sources first and let
     * the rest drain so nothing in the in-memory broker is lost */
    if (CO__LOAD(&rt.stop) != 2 && rt.emb) {
        for (size_t i = 0; i < rt.n_inst; i++)
            if (rt.inst[i]->sc->n_inputs == 0)
                CO__STORE(&rt.inst[i]->stop, 1);
        int64_t until = co_mono_ms() + o->drain_timeout_ms;
        int drained = 0;
        while (co_mono_ms() < until && CO__LOAD(&rt.stop) != 2) {
            int64_t lag_sum = 0;
            int ok = 1;
            for (size_t j = 0; j < n_mons; j++) {
                co_lag_t lag;
                if (mons[j].is_dlq)
                    continue;
                if (co_lagmon_measure(mons[j].lm, 2000, &lag) != 0) {
                    ok = 0;
                    break;
                }
                lag_sum += lag.total;
                co_lag_free(&lag);
            }
            if (ok && lag_sum == 0) {
                drained = 1;
                break;
            }
            co_sleep_ms(100);
        }
        for (size_t i = 0; i < rt.n_inst; i++)
            if (rt.inst[i]->sc->n_inputs == 0) {
                pthread_join(rt.inst[i]->thread, NULL);
                CO__STORE(&rt.inst[i]->finished, 2);
                if (drained)
                    co_stage_source_commit_final(rt.inst[i]);
                else
                    co_log_warn("stage %s: downstream did not drain in time; "
                                "its position is not advanced (the next run "
                                "re-reads, duplicates are keyed)",
                                rt.inst[i]->sc->name);
            }
    }
    co_control_stop(http);
    if (alert_producer) {
        rd_kafka_flush(alert_producer, 5000);
        rd_kafka_destroy(alert_producer);
        alert_producer = NULL;
    }
    co_alerts_drain(alerts, 5000);
    co_alerts_free(alerts);
    alerts = NULL;

stop_all:
    for (size_t i = 0; i < rt.n_inst; i++)
        if (CO__LOAD(&rt.inst[i]->stop) == 0)
            CO__STORE(&rt.inst[i]->stop, 1);
    for (size_t i = 0; i < rt.n_inst; i++) {
        co_stage_t *st = rt.inst[i];
        if (st->thread && CO__LOAD(&st->finished) != 2)
            pthread_join(st->thread, NULL);
        if (co_stage_get_status(st) == CO_STAGE_FAILED && exit_code == 0)
            exit_code = 1;
    }
    for (size_t i = 0; i < rt.n_inst; i++)
        co_stage_free(rt.inst[i]);
    free(rt.inst);
    for (size_t j = 0; j < n_mons; j++)
        co_lagmon_free(mons[j].lm);
    free(mons);
    for (size_t i = 0; i < rt.n_bp; i++) {
        for (size_t k = 0; k < rt.bp[i].n_mons; k++)
            co_lagmon_free(rt.bp[i].mons[k]);
        free(rt.bp[i].mons);
        free(rt.bp[i].parts);
        free(rt.bp[i].topic);
    }
    free(rt.bp);
out:
    if (alert_producer)
        rd_kafka_destroy(alert_producer);
    co_alerts_free(alerts);
    co_embedded_stop(rt.emb);
    free(rt.bootstrap);
    pthread_kill(sigthr, SIGUSR1);
    pthread_join(sigthr, NULL);
    pthread_mutex_destroy(&rt.bp_lock);
    co_log_info("pipeline %s stopped (exit %d)", m->pipeline, exit_code);
    return exit_code;
}
