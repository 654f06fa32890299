/* Graceful stop on the in-process embedded broker: let downstream stages
 * drain before the broker (and its data) ends with the process. */
#include "log.h"
#include "supervisor.h"
#include "util.h"

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

/* 1 when every local consumer group answered with no lag, 0 otherwise. */
static int co__drained(const co_sup_t *sv)
{
    int64_t lag_sum = 0;
    for (size_t j = 0; j < sv->n_mons; j++) {
        co_lag_t lag;
        if (sv->mons[j].is_dlq)
            continue;
        if (co_lagmon_measure(sv->mons[j].lm, 2000, &lag) != 0)
            return 0;
        lag_sum += lag.total;
        co_lag_free(&lag);
    }
    return lag_sum == 0;
}

void co_drain_embedded(co_sup_t *sv, int64_t timeout_ms)
{
    co_runtime_t *rt = sv->rt;
    if (CO_RT_LOAD(&rt->stop) == CO_STOP_HARD || rt->emb == NULL)
        return;
    for (size_t i = 0; i < rt->n_inst; i++)
        if (rt->inst[i]->sc->n_inputs == 0)
            CO_RT_STORE(&rt->inst[i]->stop, CO_STOP_REQUESTED);
    int64_t until = co_mono_ms() + timeout_ms;
    int drained = 0;
    while (co_mono_ms() < until && CO_RT_LOAD(&rt->stop) != CO_STOP_HARD) {
        if (co__drained(sv)) {
            drained = 1;
            break;
        }
        const co_stage_t *f = co__failed_consumer(rt);
        if (f != NULL) {
            co_log_info("stage %s FAILED: not waiting for downstream to drain",
                        f->sc->name);
            break;
        }
        co_sleep_ms(100);
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
        else
            co_log_warn("stage %s: downstream did not drain in time; its "
                        "position is not advanced (the next run re-reads, "
                        "duplicates are keyed)",
                        st->sc->name);
    }
}
