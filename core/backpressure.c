/* Backpressure for sources: downstream positions, the mock cluster's
 * window (docs/operations.md, "Backpressure"). */
#include "backpressure.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int64_t co_bp_limit(const co_runtime_t *rt, int no_backpressure)
{
    if (no_backpressure)
        return 0;
    return rt->mock_broker ? CO_MOCK_PARTITION_SETS * 4 / 10
                           : CO_BP_LIMIT_RECORDS;
}

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
        else
            r = -2; /* consumed downstream, not measured yet */
    }
    pthread_mutex_unlock(&rt->bp_lock);
    return r;
}

int64_t co_bp_downstream_end(void *arg, const char *topic, int32_t partition)
{
    co_runtime_t *rt = arg;
    int64_t r = -1;
    pthread_mutex_lock(&rt->bp_lock);
    for (size_t i = 0; i < rt->n_bp; i++)
        if (strcmp(rt->bp[i].topic, topic) == 0 && partition >= 0 &&
            partition < rt->bp[i].n_parts &&
            rt->bp[i].parts[partition].high > r)
            r = rt->bp[i].parts[partition].high;
    pthread_mutex_unlock(&rt->bp_lock);
    return r;
}

void co_bp_init(co_runtime_t *rt, const co_run_opts_t *o)
{
    const co_manifest_t *m = rt->m;
    char e[1024];
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *src = &m->stages[i];
        if (!co_run_is_local(o, src->name) || !src->output)
            continue;
        co_bp_topic_t bt = {0};
        bt.topic = co_strdup(src->output);
        for (size_t j = 0; j < m->n_stages; j++)
            for (size_t k = 0; k < m->stages[j].n_inputs; k++) {
                if (strcmp(m->stages[j].inputs[k], src->output) != 0)
                    continue;
                char g[300];
                co_kafka_group_id(m, m->stages[j].name, g, sizeof g);
                co_lagmon_t *lm = co_lagmon_new(m, rt->bootstrap, g,
                                                src->output, e, sizeof e);
                if (lm == NULL) {
                    co_log_warn("backpressure: no monitor of group %s: %s", g,
                                e);
                    continue;
                }
                bt.mons = realloc(bt.mons, (bt.n_mons + 1) * sizeof *bt.mons);
                bt.mons[bt.n_mons++] = lm;
            }
        rt->bp = realloc(rt->bp, (rt->n_bp + 1) * sizeof *rt->bp);
        rt->bp[rt->n_bp++] = bt;
    }
}

/* Where a group with no commit counts from (see co_bp_topic_t::base). */
static int64_t co__bp_base(co_runtime_t *rt, co_bp_topic_t *bt,
                           const co_lag_t *lag, int p)
{
    if (rt->mock_broker)
        return 0;
    if (bt->n_base < lag->partitions) {
        bt->base =
            realloc(bt->base, (size_t)lag->partitions * sizeof *bt->base);
        for (int q = bt->n_base; q < lag->partitions; q++)
            bt->base[q] = lag->low[q];
        bt->n_base = lag->partitions;
    }
    return bt->base[p];
}

/* Minimum downstream position per partition of one topic, and its high
 * watermark (highs[np + p]); 0 when every group answered (mins, np
 * filled), -1 otherwise. */
static int co__bp_measure(co_runtime_t *rt, co_bp_topic_t *bt, int64_t **mins,
                          int *np)
{
    *mins = NULL;
    *np = 0;
    for (size_t k = 0; k < bt->n_mons; k++) {
        co_lag_t lag;
        /* each measurement may wait 2 s when the broker is gone */
        if (CO_RT_LOAD(&rt->stop) ||
            co_lagmon_measure(bt->mons[k], 2000, &lag) != 0) {
            free(*mins);
            *mins = NULL;
            return -1;
        }
        if (*mins == NULL) {
            *np = lag.partitions;
            *mins = co_xcalloc(2 * (size_t)*np + 1, sizeof **mins);
            for (int p = 0; p < *np; p++) {
                (*mins)[p] = INT64_MAX;
                (*mins)[*np + p] = -1;
            }
        }
        for (int p = 0; p < *np && p < lag.partitions; p++) {
            /* an unknown commit counts from the base: never "ignored" */
            int64_t c = lag.committed[p] >= 0 ? lag.committed[p]
                                              : co__bp_base(rt, bt, &lag, p);
            if (c < (*mins)[p])
                (*mins)[p] = c;
            if (lag.high[p] > (*mins)[*np + p])
                (*mins)[*np + p] = lag.high[p];
        }
        co_lag_free(&lag);
    }
    return *mins ? 0 : -1;
}

void co_bp_tick(co_runtime_t *rt)
{
    for (size_t i = 0; i < rt->n_bp; i++) {
        co_bp_topic_t *bt = &rt->bp[i];
        int64_t *mins;
        int np;
        if (bt->n_mons == 0 || co__bp_measure(rt, bt, &mins, &np) != 0)
            continue;
        pthread_mutex_lock(&rt->bp_lock);
        if (bt->n_parts != np) {
            free(bt->parts);
            bt->parts = co_xcalloc((size_t)np + 1, sizeof *bt->parts);
            bt->n_parts = np;
        }
        for (int p = 0; p < np; p++) {
            bt->parts[p].committed = mins[p];
            bt->parts[p].high = mins[np + p];
        }
        pthread_mutex_unlock(&rt->bp_lock);
        free(mins);
    }
}

void co_bp_free(co_runtime_t *rt)
{
    for (size_t i = 0; i < rt->n_bp; i++) {
        for (size_t k = 0; k < rt->bp[i].n_mons; k++)
            co_lagmon_free(rt->bp[i].mons[k]);
        free(rt->bp[i].mons);
        free(rt->bp[i].parts);
        free(rt->bp[i].base);
        free(rt->bp[i].topic);
    }
    free(rt->bp);
    rt->bp = NULL;
    rt->n_bp = 0;
}
