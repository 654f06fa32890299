/* Graceful stop on the in-process embedded broker: let downstream stages
 * drain before the broker (and its data) ends with the process. */
#include "log.h"
#include "supervisor.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* The first local stage with inputs that FAILED, or NULL: what it has not
 * consumed never drains, so waiting for it only delays the exit (trials
 * 40, 41: 30 s after a FATAL). */
static const co_stage_t *co__failed_consumer(const co_runtime_t *rt)
{
    for (size_t i = 0; i < rt->n_inst; i++)
        if (rt->inst[i]->sc->n_inputs > 0 &&
            co_stage_get_status(rt->inst[i]) == CO_STAGE_FAILED)
            return rt->inst[i];
    return NULL;
}

/* The first local stage with inputs WAITING for the broker (all brokers
 * down), or NULL: nothing drains until it is back (trial 45: the broker
 * SIGKILLed; waiting the whole drain timeout only delays the stop). */
static co_stage_t *co__broker_gone(const co_runtime_t *rt)
{
    static const char why[] = "waiting for the broker";
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->sc->n_inputs == 0)
            continue;
        pthread_mutex_lock(&st->lock);
        int gone = st->status == CO_STAGE_WAITING &&
                   strncmp(st->last_error, why, sizeof why - 1) == 0;
        pthread_mutex_unlock(&st->lock);
        if (gone)
            return st;
    }
    return NULL;
}

/* The first local sink whose flush has failed CO__DRAIN_FLUSH_FAILS times
 * in a row, or NULL: what it holds does not drain until its output is
 * repaired (trial 56: a console-sink FIFO whose reader went away held a
 * SIGTERM for the whole 30 s). Its records are read again at the next
 * start. */
#define CO__DRAIN_FLUSH_FAILS 3
static const co_stage_t *co__flush_failing(const co_runtime_t *rt)
{
    for (size_t i = 0; i < rt->n_inst; i++)
        if (rt->inst[i]->sc->n_inputs > 0 &&
            __atomic_load_n(&rt->inst[i]->flush_fails, __ATOMIC_SEQ_CST) >=
                CO__DRAIN_FLUSH_FAILS)
            return rt->inst[i];
    return NULL;
}

/* 1 when every consumer group watched (the local stages', and with
 * --bootstrap-file those of the stages run elsewhere) answered with no
 * lag, 0 otherwise, *behind then naming the first that did not answer or
 * has records to read and *behind_lag their number (-1: no answer). */
static int co__drained(const co_sup_t *sv, const char **behind,
                       int64_t *behind_lag)
{
    for (size_t j = 0; j < sv->n_mons; j++) {
        co_lag_t lag;
        if (sv->mons[j].is_dlq)
            continue;
        if (co_lagmon_measure(sv->mons[j].lm, 2000, &lag) != 0) {
            *behind = sv->mons[j].stage;
            *behind_lag = -1;
            return 0;
        }
        int64_t n = lag.total;
        co_lag_free(&lag);
        if (n != 0) {
            *behind = sv->mons[j].stage;
            *behind_lag = n;
            return 0;
        }
    }
    return 1;
}

/* Whether stage `name` runs in this process. */
static int co__local(const co_runtime_t *rt, const char *name)
{
    for (size_t i = 0; i < rt->n_inst; i++)
        if (strcmp(rt->inst[i]->sc->name, name) == 0)
            return 1;
    return 0;
}

void co_drain_embedded(co_sup_t *sv, int64_t timeout_ms)
{
    co_runtime_t *rt = sv->rt;
    /* the in-process broker, and `careerops broker` with every stage here
     * (trial 45: its sources' positions were left unsaved at a stop with
     * nothing said, exit 0) */
    if (!rt->defer_source_offsets)
        return;
    /* a second signal before this: no wait below, but a source whose
     * records are not all stored downstream still says so and makes the
     * exit status 1 (trial 62: exit 0, the position silently unsaved) */
    for (size_t i = 0; i < rt->n_inst; i++)
        if (rt->inst[i]->sc->n_inputs == 0)
            CO_RT_STORE(&rt->inst[i]->stop, CO_STOP_REQUESTED);
    /* the sources end first, their last records acknowledged by the broker
     * (co_stage_source_loop() drains its producer), so that the lag below
     * counts them: measured while they were still on their way, it was 0
     * and their position was saved past records nobody read (trial 61) */
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->sc->n_inputs == 0 &&
            CO_RT_LOAD(&st->finished) != CO_FINISH_JOINED) {
            pthread_join(st->thread, NULL);
            CO_RT_STORE(&st->finished, CO_FINISH_JOINED);
        }
    }
    int64_t until = co_mono_ms() + timeout_ms;
    int drained = 0;
    const char *behind = NULL;
    int64_t behind_lag = 0;
    char why[200];
    snprintf(why, sizeof why, "within %lld s", (long long)(timeout_ms / 1000));
    while (co_mono_ms() < until && CO_RT_LOAD(&rt->stop) != CO_STOP_HARD) {
        if (co__drained(sv, &behind, &behind_lag)) {
            drained = 1;
            break;
        }
        const co_stage_t *f = co__failed_consumer(rt);
        if (f != NULL) {
            co_log_info("stage %s FAILED: not waiting for downstream to drain",
                        f->sc->name);
            snprintf(why, sizeof why, "(stage %s FAILED)", f->sc->name);
            break;
        }
        if ((f = co__flush_failing(rt)) != NULL) {
            co_log_info("stage %s: its flush keeps failing: not waiting for "
                        "downstream to drain",
                        f->sc->name);
            snprintf(why, sizeof why, "(stage %s cannot flush)", f->sc->name);
            break;
        }
        if ((f = co__broker_gone(rt)) != NULL) {
            co_log_info("stage %s waits for the broker: not waiting for "
                        "downstream to drain",
                        f->sc->name);
            snprintf(why, sizeof why, "(stage %s waits for the broker)",
                     f->sc->name);
            break;
        }
        co_sleep_ms(100);
    }
    if (!drained && CO_RT_LOAD(&rt->stop) == CO_STOP_HARD)
        /* a second signal cut the wait short (trial 59: "within 30 s"
         * 0.1 s after it) */
        snprintf(why, sizeof why, "before a second signal stopped it");
    /* which stage had not read them (trial 62: with --bootstrap-file the
     * one holding the position up runs elsewhere and was not named) */
    char who[300] = "";
    if (!drained && behind != NULL) {
        char n[40] = "no lag answer";
        if (behind_lag >= 0)
            snprintf(n, sizeof n, "%lld record%s not read",
                     (long long)behind_lag, behind_lag == 1 ? "" : "s");
        snprintf(who, sizeof who, " (stage %s%s: %s)", behind,
                 co__local(rt, behind) ? "" : ", run by another process", n);
    }
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->sc->n_inputs != 0)
            continue;
        if (CO_RT_LOAD(&st->finished) != CO_FINISH_JOINED) {
            pthread_join(st->thread, NULL);
            CO_RT_STORE(&st->finished, CO_FINISH_JOINED);
        }
        if (drained)
            co_stage_source_commit_final(st);
        else if (CO_RT_LOAD(&st->emit_seq) != CO_RT_LOAD(&st->safe_seq)) {
            /* what it emitted since its saved position is not all stored
             * downstream (the broker gone, or a slow stage) */
            co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
                   "stopping: the stages downstream did not store all this "
                   "source emitted %s%s; its position is not advanced, so "
                   "those records are read again at the next start "
                   "(duplicates, keyed; none lost); exit status 1",
                   why, who);
            st->unfinished_at_stop = 1;
        }
    }
}
