/* The source worker: poll the plugin, backpressure, and source positions
 * written once the records emitted before them are acknowledged. */
#include "log.h"
#include "port.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)

/* Effective per-partition limit: the configured one, and on the mock
 * cluster (in process or `careerops broker`) 40% of its per-partition
 * bytes at the records' average size. */
static int64_t co__bp_limit(const co_stage_t *st)
{
    int64_t limit = st->env->bp_limit_records;
    int64_t avg = st->emit_seq ? st->bytes_out / (int64_t)st->emit_seq : 0;
    if (st->env->mock_broker && avg > 0) {
        int64_t by_bytes = (CO_MOCK_PARTITION_BYTES * 4 / 10) / (avg + 200);
        if (by_bytes < limit)
            limit = by_bytes;
    }
    return limit < 10 ? 10 : limit;
}

/* Largest lag of `topic` downstream; *known is 0 when nothing measures it. */
static int64_t co__bp_worst(const co_stage_t *st, const char *topic, int *known)
{
    const co_stage_env_t *env = st->env;
    int64_t worst = 0;
    *known = 0;
    for (int p = 0; p < st->n_hw; p++) {
        int64_t c = env->downstream_committed(env->arg, topic, p);
        if (c == -2 && env->mock_broker)
            c = 0; /* the mock cluster's topics start empty */
        if (c < 0)
            continue;
        *known = 1;
        if (st->hw[p] - c > worst)
            worst = st->hw[p] - c;
    }
    if (st->n_hw == 0) /* nothing acknowledged yet: count in-flight */
        *known = env->downstream_committed(env->arg, topic, 0) != -1;
    return worst;
}

void co_stage_backpressure(co_stage_t *st, const char *topic)
{
    if (st->env == NULL || st->env->bp_limit_records <= 0 ||
        st->env->downstream_committed == NULL)
        return;
    if (st->emit_seq < st->bp_recheck)
        return; /* the headroom seen last cannot be used up yet */
    int64_t t0 = 0;
    for (;;) {
        int known;
        int64_t worst = co__bp_worst(st, topic, &known);
        int64_t limit = co__bp_limit(st);
        int64_t infl = CO__ATOMIC_LOAD(&st->inflight);
        int nparts = co_manifest_partitions(st->m, topic);
        int64_t room = limit - (worst + infl / nparts + 1);
        if (!known || room >= 0 || co_stage_stopping(st)) {
            /* each emit grows the measure by at most 2 (itself, then its
             * acknowledgement): check again once a quarter of the room is
             * used, at the latest after 64 emits (the limit follows the
             * records' average size) */
            int64_t skip = known && room / 4 < 64 ? room / 4 : 64;
            st->bp_recheck = st->emit_seq + (uint64_t)(skip > 0 ? skip : 0);
            break;
        }
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

/* Emits acknowledged without a gap (emit index of the first one that is
 * not). */
static uint64_t co__acked_emits(const co_stage_t *st)
{
    if (st->src_trk.n_parts == 0)
        return CO__ATOMIC_LOAD(&st->emit_seq);
    const co_offtrack_part_t *p = &st->src_trk.parts[0];
    if (p->head == p->tail) /* nothing in flight */
        return CO__ATOMIC_LOAD(&st->emit_seq);
    return (uint64_t)p->ring[p->head & (p->cap - 1)].offset;
}

void co_stage_source_commit(co_stage_t *st, int final)
{
    if (st->n_pend == 0)
        return;
    if (final && st->port->drain(st, -1) != 0)
        return; /* failed deliveries: keep old positions, re-read */
    if (st->delivery_failed)
        return;
    uint64_t limit = co__acked_emits(st);
    if (st->env && st->env->defer_source_offsets && !final) {
        uint64_t safe = CO__ATOMIC_LOAD(&st->safe_seq);
        if (safe < limit)
            limit = safe;
    }
    size_t done = 0;
    for (size_t i = 0; i < st->n_pend; i++) {
        if (st->pend[i].seq > limit)
            break;
        /* only the newest value per key needs writing */
        int newer = 0;
        for (size_t j = i + 1; j < st->n_pend && st->pend[j].seq <= limit; j++)
            if (strcmp(st->pend[j].key, st->pend[i].key) == 0)
                newer = 1;
        if (!newer && co_stage_state_put(st, st->pend[i].key, st->pend[i].value,
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
    co_stage_source_commit(st, 1);
}

static co_status_t co__call_poll(co_stage_t *st, const void *arg)
{
    (void)arg;
    return st->ph->desc->poll(st->inst, 100);
}

/* After the source reported CO_EOF: keep positions flowing until the
 * supervisor stops us. */
static void co__source_done(co_stage_t *st)
{
    co_stage_set_status(st, CO_STAGE_DONE, NULL);
    while (!co_stage_stopping(st)) {
        co_stage_source_commit(st, 0);
        co_stage_sleep(st, 50);
    }
}

int co_stage_source_loop(co_stage_t *st)
{
    int fails = 0;
    while (!co_stage_stopping(st)) {
        if (CO__ATOMIC_LOAD(&st->pause)) {
            co_stage_set_status(st, CO_STAGE_PAUSED, NULL);
            co_stage_sleep(st, 100);
            continue;
        }
        int s = co_stage_with_retry(st, co__call_poll, NULL, st->sc->retries);
        rd_kafka_poll(st->producer, 0);
        co_stage_publish_counts(st);
        if (s < 0)
            break;
        if (s == CO_FATAL) {
            co_stage_source_commit(st, 1);
            co_stage_fatal(st, "source FATAL");
            return -1;
        }
        if (s == CO_FAIL) {
            /* a source never skips input: pause, report, try again */
            fails++;
            co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
                   "source keeps failing (%d): %s; pausing %lld ms", fails,
                   st->err_msg, (long long)st->sc->backoff_max_ms);
            co_stage_set_status(st, CO_STAGE_WAITING, st->err_msg);
            co_stage_sleep(st, st->sc->backoff_max_ms);
            continue;
        }
        fails = 0;
        if (co_stage_get_status(st) != CO_STAGE_RUNNING)
            co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
        if (s == CO_EOF) {
            co__source_done(st);
            break;
        }
        if (co_mono_ms() - st->last_commit_ms >= st->sc->commit_interval_ms) {
            st->last_commit_ms = co_mono_ms();
            co_stage_source_commit(st, 0);
        }
    }
    st->port->drain(st, -1);
    co_stage_publish_counts(st);
    co_stage_source_commit(st,
                           st->env == NULL || !st->env->defer_source_offsets);
    return 0;
}
