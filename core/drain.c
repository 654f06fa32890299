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

/* The first local stage with inputs WAITING with a reason that starts
 * with `why`, or NULL. */
static co_stage_t *co__waiting_for(const co_runtime_t *rt, const char *why)
{
    for (size_t i = 0; i < rt->n_inst; i++) {
        co_stage_t *st = rt->inst[i];
        if (st->sc->n_inputs == 0)
            continue;
        pthread_mutex_lock(&st->lock);
        int waits = st->status == CO_STAGE_WAITING &&
                    strncmp(st->last_error, why, strlen(why)) == 0;
        pthread_mutex_unlock(&st->lock);
        if (waits)
            return st;
    }
    return NULL;
}

/* The first local stage with inputs WAITING for the broker (all brokers
 * down), or NULL: nothing drains until it is back (trial 45: the broker
 * SIGKILLed; waiting the whole drain timeout only delays the stop). */
static const co_stage_t *co__broker_gone(const co_runtime_t *rt)
{
    return co__waiting_for(rt, "waiting for the broker");
}

/* The first local stage with inputs WAITING for the state store (a
 * PATH.lock another process holds, a file it cannot write, PostgreSQL
 * gone), or NULL: the same (trial 64: one SIGTERM took the whole 30 s). */
static const co_stage_t *co__state_stuck(const co_runtime_t *rt)
{
    const co_stage_t *st = co__waiting_for(rt, "waiting for the state store");
    return st != NULL ? st
                      : co__waiting_for(rt, "waiting for PostgreSQL (the "
                                            "state store)");
}

/* The first local stage WAITING for its own PostgreSQL (postgres-sink's
 * "waiting for PostgreSQL: ..."), or NULL: nothing it holds is stored
 * until the database is back (trial 68: one SIGTERM waited the whole 30 s
 * while the state store, elsewhere, answered). */
static const co_stage_t *co__database_gone(const co_runtime_t *rt)
{
    return co__waiting_for(rt, "waiting for PostgreSQL: ");
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

/* The first local stage with inputs paused through the control API
 * (POST /api/stages/NAME/pause), or NULL: it reads nothing until resumed,
 * so waiting for it only delays the stop (trial 71: the whole 30 s, exit
 * 1). The operator paused it; a stop does not resume it. */
static const co_stage_t *co__paused(const co_runtime_t *rt)
{
    for (size_t i = 0; i < rt->n_inst; i++)
        if (rt->inst[i]->sc->n_inputs > 0 && CO_RT_LOAD(&rt->inst[i]->pause))
            return rt->inst[i];
    return NULL;
}

/* When the drain gives up (co_mono_ms()), for co__token_far(). */
static int64_t co__drain_until_ms;

/* The first local stage whose current record waits for a rate-limit token
 * that comes after the drain gives up, or NULL: it cannot drain in time
 * (trial 73: a token 56 s away held a SIGINT for the whole 30 s, exit 1).
 * Its record is not processed and is read again at the next start. */
static const co_stage_t *co__token_far(const co_runtime_t *rt)
{
    for (size_t i = 0; i < rt->n_inst; i++) {
        int64_t t = CO_RT_LOAD(&rt->inst[i]->rl_wait_until_ms);
        if (rt->inst[i]->sc->n_inputs > 0 && t > co__drain_until_ms)
            return rt->inst[i];
    }
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
    co__drain_until_ms = until;
    int drained = 0;
    const char *behind = NULL;
    int64_t behind_lag = 0;
    char why[200];
    const char *stuck_name = NULL, *stuck_why = NULL;
    snprintf(why, sizeof why, "within %lld s", (long long)(timeout_ms / 1000));
    while (co_mono_ms() < until && CO_RT_LOAD(&rt->stop) != CO_STOP_HARD) {
        if (co__drained(sv, &behind, &behind_lag)) {
            drained = 1;
            break;
        }
        /* a stage that cannot drain: waiting only delays the stop */
        static const struct {
            const co_stage_t *(*find)(const co_runtime_t *rt);
            const char *said, *why;
        } stuck[] = {
            {co__failed_consumer, " FAILED", "FAILED"},
            {co__paused, " is paused (control API)", "is paused"},
            {co__token_far,
             " waits for a rate_limit token due after the "
             "drain's end",
             "waits for a rate_limit token"},
            {co__flush_failing, ": its flush keeps failing", "cannot flush"},
            {co__broker_gone, " waits for the broker", "waits for the broker"},
            {co__state_stuck, " waits for the state store",
             "waits for the state store"},
            {co__database_gone, " waits for its PostgreSQL",
             "waits for its PostgreSQL"}};
        const co_stage_t *f = NULL;
        for (size_t k = 0; k < sizeof stuck / sizeof stuck[0] && !f; k++)
            if ((f = stuck[k].find(rt)) != NULL) {
                co_log_info("stage %s%s: not waiting for downstream to drain",
                            f->sc->name, stuck[k].said);
                snprintf(why, sizeof why, "(stage %s %s)", f->sc->name,
                         stuck[k].why);
                stuck_name = f->sc->name;
                stuck_why = stuck[k].why;
            }
        if (f != NULL)
            break;
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
        if (stuck_name != NULL && strcmp(stuck_name, behind) == 0 &&
            CO_RT_LOAD(&rt->stop) != CO_STOP_HARD)
            /* the stuck stage is the one behind: named once (note 29:
             * "(stage store FAILED) (stage store: 8 records not read)") */
            snprintf(why, sizeof why, "(stage %s %s: %s)", behind, stuck_why,
                     n);
        else
            snprintf(who, sizeof who, " (stage %s%s: %s)", behind,
                     co__local(rt, behind) ? "" : ", run by another process",
                     n);
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
