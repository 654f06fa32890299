/* The source worker: poll the plugin, backpressure, and source positions
 * written once the records emitted before them are acknowledged. */
#include "log.h"
#include "kafka.h"
#include "port.h"
#include "crash.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* How long a stopping source waits for the broker to acknowledge what it
 * emitted (ms): a broker that is gone kept a single SIGTERM from ending
 * the host for minutes (librdkafka's message.timeout.ms, 300 s). What is
 * not acknowledged by then is read again at the next start. */
#define CO__SOURCE_STOP_WAIT_MS 30000

#define CO__ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)

/* Bytes a record takes in the mock cluster's window beyond what
 * bytes_out counts (key, value, header names and values): the record's
 * own framing (length, attributes, deltas, key/value/header lengths,
 * about 20) and, counted as if every record were alone in its batch, the
 * 61-byte RecordBatch header. The mock counts whole batches against its
 * CO_MOCK_PARTITION_BYTES; over-estimating only pauses earlier. */
#define CO__MOCK_RECORD_FRAMING (20 + 61)

/* Effective per-partition limit: the configured one, and on the mock
 * cluster (in process or `careerops broker`) 40% of its per-partition
 * bytes at the records' average size in the mock's own units. 0 while
 * that size is unknown (nothing emitted yet): check again at the first
 * emit. */
static int64_t co__bp_limit(const co_stage_t *st)
{
    int64_t limit = st->env->bp_limit_records;
    int64_t avg = st->emit_seq ? st->bytes_out / (int64_t)st->emit_seq : 0;
    if (st->env->mock_broker) {
        if (st->emit_seq == 0)
            return 0;
        int64_t by_bytes = (CO_MOCK_PARTITION_BYTES * 4 / 10) /
                           (avg + CO__MOCK_RECORD_FRAMING);
        /* no floor above the bytes' bound: ten records of 900 KB are
         * more than the window holds (trial 83 lost 13 of 40); one
         * record at a time is slow but loses nothing */
        if (by_bytes < limit)
            limit = by_bytes;
        return limit < 1 ? 1 : limit;
    }
    return limit < 10 ? 10 : limit;
}

/* Learn the end offset of every partition of `topic` from the broker
 * before the first record goes out: a host that restarted (or any host
 * after another wrote to the topic) has no delivery reports yet, and
 * without the broker's high watermark it would count the topic as empty
 * and run a whole limit ahead of what is already there. Returns 0 when
 * hw[] covers every partition, -1 when the broker did not answer (the
 * caller pauses and asks again). */
static int co__bp_seed_hw(co_stage_t *st, const char *topic, int nparts)
{
    if (st->n_hw >= nparts)
        return 0;
    int64_t *hw = co_xcalloc((size_t)nparts, sizeof *hw);
    for (int p = 0; p < nparts; p++) {
        int64_t lo = -1, hi = -1;
        if (rd_kafka_query_watermark_offsets(st->producer, topic, p, &lo, &hi,
                                             2000) !=
                RD_KAFKA_RESP_ERR_NO_ERROR ||
            hi < 0) {
            free(hw);
            return -1;
        }
        hw[p] = p < st->n_hw && st->hw[p] > hi ? st->hw[p] : hi;
    }
    free(st->hw);
    st->hw = hw;
    st->n_hw = nparts;
    return 0;
}

/* Largest lag of `topic` downstream (end offset minus the downstream
 * groups' committed offset). The end offset is the larger of this
 * instance's (its delivery reports) and the broker's as the runtime last
 * measured it, which counts the records of the other instances of the
 * stage and of other hosts too. A partition whose downstream position is
 * not measured yet (-2) counts from offset 0: its committed offset cannot
 * be lower, so the measure errs towards pausing. -1 (no local view: no
 * stage consumes the topic) is left out. */
static int64_t co__bp_worst(const co_stage_t *st, const char *topic)
{
    const co_stage_env_t *env = st->env;
    int64_t worst = 0;
    for (int p = 0; p < st->n_hw; p++) {
        int64_t c = env->downstream_committed(env->arg, topic, p);
        if (c == -2)
            c = 0;
        if (c < 0)
            continue;
        int64_t end = st->hw[p];
        if (env->downstream_end) {
            int64_t e = env->downstream_end(env->arg, topic, p);
            if (e > end)
                end = e;
        }
        if (end - c > worst)
            worst = end - c;
    }
    return worst;
}

/* How often a paused source saves positions: the burst it emitted before
 * the pause is acknowledged within milliseconds, and a host killed before
 * saving emits all of it again after its restart. */
#define CO__BP_PAUSED_COMMIT_MS 100

/* While paused: the WARN every 30 s, and source positions saved for what
 * is acknowledged (every CO__BP_PAUSED_COMMIT_MS, or the stage's
 * commit_interval_ms if shorter), so that a host killed during a pause
 * does not emit it all again after its restart. */
static void co__bp_paused(co_stage_t *st, const char *topic, int64_t t0,
                          int64_t *next_warn, int64_t worst, int64_t limit,
                          int64_t infl, int seeded)
{
    int64_t now = co_mono_ms();
    int64_t every = st->sc->commit_interval_ms < CO__BP_PAUSED_COMMIT_MS
                        ? st->sc->commit_interval_ms
                        : CO__BP_PAUSED_COMMIT_MS;
    if (st->sc->n_inputs == 0 && now - st->last_commit_ms >= every) {
        st->last_commit_ms = now;
        co_stage_source_commit(st, 0);
    }
    if (now < *next_warn)
        return;
    *next_warn = now + 30000;
    if (!seeded)
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "paused by backpressure for %lld s: the broker did not tell "
               "the end offsets of %s; not emitting until it does",
               (long long)((now - t0) / 1000), topic);
    else
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "paused by backpressure for %lld s: downstream of %s is "
               "%lld records behind (limit %lld, %lld in flight)%s",
               (long long)((now - t0) / 1000), topic, (long long)worst,
               (long long)limit, (long long)infl,
               st->env->downstream_committed(st->env->arg, topic, 0) == -2
                   ? "; the downstream groups' committed offsets are not "
                     "measured yet (their lag monitor has not answered), "
                     "so they count from offset 0"
                   : "");
}

/* The partitions `topic` really has, from the broker's metadata (2 s at
 * most), else the manifest's count. A count that differs from the
 * manifest's (topics.NAME.partitions, or the default, against a topic
 * made earlier or auto-created by a broker) is warned once: the
 * watermarks of partitions that do not exist never come, and the source
 * stayed PAUSED for good (trial 41). Kept in st->bp_nparts once the broker
 * told it. */
static int co__bp_partitions(co_stage_t *st, const char *topic)
{
    int want = co_manifest_partitions(st->m, topic);
    int have = co_kafka_topic_partitions(st->producer, topic, 2000);
    if (have <= 0)
        return want; /* asked again at the next check */
    st->bp_nparts = have;
    if (have != want)
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "topic %s has %d partitions on the broker, the manifest says "
               "%d (topics.%s.partitions, or defaults.partitions): using %d; "
               "set %d in the manifest, or recreate the topic",
               topic, have, want, topic, have, have);
    return have;
}

void co_stage_backpressure(co_stage_t *st, const char *topic)
{
    if (st->env == NULL || st->env->bp_limit_records <= 0 ||
        st->env->downstream_committed == NULL)
        return;
    if (st->emit_seq < st->bp_recheck)
        return; /* the headroom seen last cannot be used up yet */
    if (st->env->downstream_committed(st->env->arg, topic, 0) == -1) {
        /* no stage of the manifest reads the topic (the runtime watches
         * none: that does not change while it runs), so there is no lag
         * to bound; counting the records in flight alone would stall
         * the producer every few milliseconds at 1 KiB on the mock (2
         * MiB of them) and protect no reader */
        st->bp_recheck = UINT64_MAX;
        return;
    }
    int64_t t0 = 0, next_warn = 0;
    for (;;) {
        int nparts =
            st->bp_nparts > 0 ? st->bp_nparts : co__bp_partitions(st, topic);
        int seeded = co__bp_seed_hw(st, topic, nparts) == 0;
        int64_t worst = seeded ? co__bp_worst(st, topic) : 0;
        int64_t limit = co__bp_limit(st);
        int64_t infl = CO__ATOMIC_LOAD(&st->inflight);
        /* every record in flight may land on the worst partition */
        int64_t room = limit - (worst + infl + 1);
        if (co_stage_stopping(st) || (seeded && limit == 0)) {
            st->bp_recheck = st->emit_seq + 1;
            break;
        }
        if (seeded && room >= 0) {
            /* each emit grows the measure by at most 1 (in flight, then
             * acknowledged): check again once a quarter of the room is
             * used, at the latest after 64 emits (the limit follows the
             * records' average size) */
            int64_t skip = room / 4 < 64 ? room / 4 : 64;
            st->bp_recheck = st->emit_seq + (uint64_t)skip;
            break;
        }
        if (t0 == 0) {
            t0 = co_mono_ms();
            next_warn = t0 + 30000;
            co_stage_set_status(st, CO_STAGE_PAUSED, NULL);
        }
        co__bp_paused(st, topic, t0, &next_warn, worst, limit, infl, seeded);
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
    /* after a fatal Kafka error, an emit refused at once counts as done
     * (co_offtrack_release): no position is written past it */
    if (st->n_pend == 0 || co_port_kafka_failed(st))
        return;
    if (final && st->port->drain(st, 0) != 0)
        return; /* failed or unacknowledged deliveries: keep the old
                   positions, read again */
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
    co_crash_enter(st->sc->name, st->sc->plugin, "poll()", NULL, 0, 0);
    int s = (int)st->ph->desc->poll(st->inst, 100);
    co_crash_leave();
    return co_stage_plugin_status(
        st, "poll()", s,
        CO_STATUS_BIT(CO_OK) | CO_STATUS_BIT(CO_RETRY) |
            CO_STATUS_BIT(CO_FAIL) | CO_STATUS_BIT(CO_FATAL) |
            CO_STATUS_BIT(CO_EOF));
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
        if (s == CO_FAIL && st->env != NULL && st->env->until_idle) {
            /* a batch run ends rather than try for ever (trial 57: a dead
             * S3 endpoint kept `run --until-idle` running); what the
             * source did not hand over is read again at the next start */
            co_stage_source_commit(st, 1);
            co_stage_fatal(st, "source failed after its retries (errors."
                               "retries; run --until-idle stops here, run "
                               "without it keeps trying; its input is read "
                               "again at the next start)");
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
        if (!co_port_kafka_broker_check(st) &&
            co_stage_get_status(st) != CO_STAGE_RUNNING)
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
    if (co_port_kafka_failed(st)) /* nothing to wait for: no position is */
        st->port->serve(st, 0);   /* written (co_stage_source_commit()) */
    else if (st->port->drain(st, CO__SOURCE_STOP_WAIT_MS) != 0 &&
             !co_stage_hard_stop(st)) {
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "stopping: records the broker did not acknowledge within "
               "%d s (or refused), after the last position written, are "
               "read again%s",
               CO__SOURCE_STOP_WAIT_MS / 1000, co_stage_stop_tail(st));
        st->unfinished_at_stop = 1;
    }
    co_stage_publish_counts(st);
    co_stage_source_commit(st,
                           st->env == NULL || !st->env->defer_source_offsets);
    return 0;
}
