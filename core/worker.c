/* The consumer worker: read records, process them, and commit each input
 * partition's position once every output of the records before it is
 * acknowledged (pipelined, asynchronous, never stopping consumption).
 * Sinks get flush points (max_batch records or commit_interval_ms) whose
 * success releases their records; a failing flush pauses the partitions
 * and keeps polling, so the group keeps the member. */
#include "err.h"
#include "log.h"
#include "port.h"
#include "crash.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define CO__ATOMIC_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

/* Bound of the waits when partitions are revoked and at the end. */
#define CO__REVOKE_WAIT_MS 10000

/* ---- loss detection and holding records back ------------------------- */

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
    e->trk = co_offtrack_part(&st->trk, topic, p);
    return e;
}

/* Records the broker dropped before a stage of this process read them
 * (co_stage_end_of_run()). */
static int64_t co__lost_records;

int co_stage_end_of_run(const char *pipeline, int in_process_broker)
{
    int64_t dl = co_stage_dead_letters();
    if (dl > 0) /* trial 85: 40 dead letters, then exit 0 and no word */
        co_log(CO_LOG_WARN, NULL, NULL,
               "pipeline %s: %lld record%s went to dead-letter topics this "
               "run %s",
               pipeline, (long long)dl, dl == 1 ? "" : "s",
               in_process_broker
                   /* trial 89: `dlq list` then refused: the data is gone */
                   ? "(the WARN lines above say why); they were kept by "
                     "this process's in-memory broker and are gone with "
                     "it: to keep dead letters for `careerops dlq replay`, "
                     "run on `careerops broker` or a Kafka cluster"
                   : "(`careerops dlq list MANIFEST` shows them and why)");
    int64_t n = __atomic_load_n(&co__lost_records, __ATOMIC_SEQ_CST);
    if (n == 0)
        return 0;
    co_log(CO_LOG_ERROR, NULL, NULL,
           "pipeline %s: %lld records were dropped by the broker before a "
           "stage read them (the DATA LOSS lines above say where); exit "
           "status 1",
           pipeline, (long long)n);
    return 1;
}

static void co__report_loss(co_stage_t *st, const char *topic, int32_t p,
                            int64_t from, int64_t to)
{
    __atomic_add_fetch(&co__lost_records, to - from, __ATOMIC_SEQ_CST);
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

/* The group's committed offset of topic/partition now, or -1. */
static int64_t co__committed_now(co_stage_t *st, const char *topic, int32_t p)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, p);
    int64_t c = -1;
    if (rd_kafka_committed(st->consumer, l, 5000) == 0 && l->elems[0].err == 0)
        c = l->elems[0].offset;
    rd_kafka_topic_partition_list_destroy(l);
    return c;
}

/* A jump past the expected offset is loss only where the broker no longer
 * has the skipped offsets (below its log start) and nobody committed them
 * (co_offtrack_lost()): the committed offset this consumer started from
 * can be older than the one librdkafka fetched from a moment later. */
static void co__check_gap(co_stage_t *st, co_expect_t *ex,
                          const rd_kafka_message_t *msg)
{
    const char *topic = ex->topic;
    if (ex->next >= 0 && msg->offset > ex->next) {
        int64_t lo = -1, hi = -1, from, to;
        if (rd_kafka_get_watermark_offsets(st->consumer, topic, msg->partition,
                                           &lo, &hi) ||
            lo < 0)
            rd_kafka_query_watermark_offsets(st->consumer, topic,
                                             msg->partition, &lo, &hi, 5000);
        if (lo > ex->next &&
            co_offtrack_lost(ex->next, msg->offset, lo,
                             co__committed_now(st, topic, msg->partition),
                             &from, &to))
            co__report_loss(st, topic, msg->partition, from, to);
    }
    ex->next = msg->offset + 1;
}

/* Stop fetching topic/partition and move its position back to `offset`,
 * so that nothing read but not processed is skipped on resume. */
static void co__hold_partition(co_stage_t *st, const char *topic, int32_t p,
                               int64_t offset)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, p)->offset = offset;
    rd_kafka_pause_partitions(st->consumer, l);
    rd_kafka_error_t *e = rd_kafka_seek_partitions(st->consumer, l, 0);
    if (e)
        rd_kafka_error_destroy(e);
    rd_kafka_topic_partition_list_destroy(l);
    st->held_back = 1;
}

/* Hold back every assigned partition whose next offset is known (a
 * record that arrives from another one is held back when it comes). */
static void co__hold_all(co_stage_t *st)
{
    for (size_t i = 0; i < st->n_expect; i++)
        if (st->expect[i].next >= 0)
            co__hold_partition(st, st->expect[i].topic, st->expect[i].partition,
                               st->expect[i].next);
    st->held_back = 1;
}

static void co__resume_all(co_stage_t *st)
{
    if (!st->held_back)
        return;
    rd_kafka_topic_partition_list_t *asg = NULL;
    if (rd_kafka_assignment(st->consumer, &asg) == 0 && asg) {
        rd_kafka_resume_partitions(st->consumer, asg);
        rd_kafka_topic_partition_list_destroy(asg);
    }
    st->held_back = 0;
}

/* ---- commits ------------------------------------------------------------ */

/* The partitions whose commit position moved, or NULL. */
static rd_kafka_topic_partition_list_t *co__dirty_list(co_stage_t *st)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    size_t i = 0;
    while (co_offtrack_take_dirty(&st->trk, &i)) {
        const co_offtrack_part_t *p = &st->trk.parts[i];
        if (l == NULL)
            l = rd_kafka_topic_partition_list_new((int)st->trk.n_parts);
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset =
            p->done;
        i++;
    }
    return l;
}

/* Commit `l` and wait at most timeout_ms for the answer, on a queue of its
 * own (late answers of asynchronous commits are not taken for it). A
 * plain rd_kafka_commit() can wait forever when it overlaps a rebalance. */
static rd_kafka_resp_err_t co__commit_wait(co_stage_t *st,
                                           rd_kafka_topic_partition_list_t *l,
                                           int timeout_ms)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(st->consumer);
    rd_kafka_resp_err_t err =
        rd_kafka_commit_queue(st->consumer, l, q, NULL, NULL);
    rd_kafka_event_t *ev = NULL;
    int64_t end = co_mono_ms() + timeout_ms;
    while (err == 0 && ev == NULL) {
        int64_t left = end - co_mono_ms();
        if (left <= 0 || co_stage_hard_stop(st))
            err = RD_KAFKA_RESP_ERR__TIMED_OUT;
        else
            ev = rd_kafka_queue_poll(q, (int)(left > 100 ? 100 : left));
    }
    if (ev) {
        err = rd_kafka_event_error(ev);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    return err;
}

/* Answers to asynchronous commits: a failed one commits again. */
static void co__commit_results(co_stage_t *st)
{
    rd_kafka_event_t *ev;
    while (st->commit_q && (ev = rd_kafka_queue_poll(st->commit_q, 0))) {
        rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
        if (err) {
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "offset commit failed (%s); will commit again",
                   rd_kafka_err2str(err));
            co_offtrack_mark_all_dirty(&st->trk);
            /* the next attempt in 1 s, not at the next idle poll */
            st->last_commit_ms = co_mono_ms() + 1000;
        }
        rd_kafka_event_destroy(ev);
    }
}

/* Commit the positions that moved: asynchronously, or (sync) waiting at
 * most CO__REVOKE_WAIT_MS for the answer. Returns 0, or the error of a
 * commit that could not be sent or (sync) was refused or not answered;
 * an asynchronous failure is retried, a synchronous one is the caller's
 * to report. */
static rd_kafka_resp_err_t co__commit(co_stage_t *st, int sync)
{
    st->last_commit_ms = co_mono_ms();
    /* after a fatal Kafka error an output may have failed in a way no
     * delivery report tells (a produce refused at once, a purged queue):
     * nothing more is committed, the records are read again */
    if (co_port_kafka_failed(st))
        return 0;
    co__commit_results(st);
    rd_kafka_topic_partition_list_t *l = co__dirty_list(st);
    if (l == NULL)
        return 0;
    rd_kafka_resp_err_t err;
    if (sync) {
        err = co__commit_wait(st, l, CO__REVOKE_WAIT_MS);
    } else {
        if (st->commit_q == NULL)
            st->commit_q = rd_kafka_queue_new(st->consumer);
        err = rd_kafka_commit_queue(st->consumer, l, st->commit_q, NULL, NULL);
    }
    if (err && !sync) {
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "offset commit failed (%s); will commit again",
               rd_kafka_err2str(err));
        co_offtrack_mark_all_dirty(&st->trk);
        st->last_commit_ms = co_mono_ms() + 1000;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return err;
}

/* The synchronous commit when partitions are revoked or the stage stops.
 * Nothing is lost when it fails: the next owner (or the next start) reads
 * the records after the last committed position again; but the operator
 * is told, and a stopping host exits 1 (trials 41, 42: exit 0 and "will
 * commit again" after the broker had gone). */
static void co__commit_last(co_stage_t *st, int stopping)
{
    rd_kafka_resp_err_t err = co__commit(st, 1);
    if (err == 0 || (stopping && st->unfinished_at_stop))
        return; /* said once: the consumer's close commits again */
    /* at a rebalance the host runs on: a WARN (trial 44: an ERROR after a
     * broker stall, "Unknown member") */
    co_log(stopping ? CO_LOG_ERROR : CO_LOG_WARN, st->sc->name, st->sc->plugin,
           "the last offset commit failed (%s): the records this stage "
           "handled since its previous commit will be read again %s",
           rd_kafka_err2str(err),
           stopping ? co_stage_stop_tail(st)
                    : "by whichever instance reads these partitions next (this "
                      "one, once the broker answers; duplicates, none lost)");
    if (stopping)
        st->unfinished_at_stop = 1;
}

/* A delivery failed for good: read the records of that partition again
 * from its commit position (duplicates, never loss). */
static void co__rewind_failed(co_stage_t *st)
{
    for (size_t i = 0; i < st->trk.n_parts; i++) {
        co_offtrack_part_t *p = &st->trk.parts[i];
        if (!p->failed)
            continue;
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "re-reading %s[%d] from offset %lld after a failed delivery",
               p->topic, p->partition, (long long)p->done);
        rd_kafka_topic_partition_list_t *l =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset =
            p->done;
        rd_kafka_error_t *e = rd_kafka_seek_partitions(st->consumer, l, 5000);
        if (e)
            rd_kafka_error_destroy(e);
        rd_kafka_topic_partition_list_destroy(l);
        co__expect(st, p->topic, p->partition)->next = p->done;
        co_offtrack_reset(&st->trk, i);
    }
    st->delivery_failed = 0;
}

/* ---- flush points --------------------------------------------------- */

/* Flush a sink when max_batch records wait, commit_interval_ms passed or
 * the input is idle (`force`: now, if anything waits). RETRY holds the
 * partitions back and tries again after backoff while the loop keeps
 * polling. Returns 0, or -1 when the stage must stop (flush FAIL/FATAL). */
static int co__maybe_flush(co_stage_t *st, int force)
{
    if (st->ph->desc->flush == NULL || st->trk.held == 0)
        return 0;
    int64_t now = co_mono_ms();
    if (force < 0) /* idle input: flush what waits */
        force = 0;
    else if (!force && (int64_t)st->trk.held < st->sc->max_batch &&
             now - st->last_flush_ms < st->sc->commit_interval_ms)
        return 0;
    if (!force && now < st->next_flush_ms)
        return 0;
    st->err_class[0] = '\0';
    st->err_msg[0] = '\0';
    st->retry_hint_ms = 0;
    co_crash_enter(st->sc->name, st->sc->plugin, "flush()", NULL, 0, 0);
    int fs = (int)st->ph->desc->flush(st->inst);
    co_crash_leave();
    co_status_t s = co_stage_plugin_status(
        st, "flush()", fs,
        CO_STATUS_BIT(CO_OK) | CO_STATUS_BIT(CO_RETRY) |
            CO_STATUS_BIT(CO_FAIL) | CO_STATUS_BIT(CO_FATAL));
    if (s == CO_OK) {
        co_offtrack_release_all(&st->trk, st->cur_tok);
        st->last_flush_ms = now;
        if (st->flush_fails) {
            co_log(CO_LOG_INFO, st->sc->name, st->sc->plugin,
                   "sink flush succeeded after %d failed attempts",
                   st->flush_fails);
            __atomic_store_n(&st->flush_fails, 0, __ATOMIC_SEQ_CST);
            co__resume_all(st);
            co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
        }
        return 0;
    }
    if (s == CO_RETRY) {
        __atomic_store_n(&st->flush_fails, st->flush_fails + 1,
                         __ATOMIC_SEQ_CST);
        co_metric_add(st->m_retried, 1);
        int64_t d =
            co_backoff_ms(st->flush_fails, st->sc->backoff_ms,
                          st->sc->backoff_max_ms, st->retry_hint_ms, 0.5);
        st->next_flush_ms = now + d;
        /* WARN at the first failure, then at least once a minute while it
         * lasts (trial 56: one line, then minutes of debug-only retries
         * looked like a silent stall) */
        int warn = st->flush_fails == 1 || now - st->flush_warn_ms >= 60000;
        if (warn)
            st->flush_warn_ms = now;
        co_log(warn ? CO_LOG_WARN : CO_LOG_DEBUG, st->sc->name, st->sc->plugin,
               "sink flush failed (attempt %d), again in %lld ms; input "
               "paused, still polling: %s",
               st->flush_fails, (long long)d,
               st->err_msg[0] ? st->err_msg : "(no detail)");
        co_stage_set_status(st, CO_STAGE_WAITING, st->err_msg);
        co__hold_all(st);
        return 0;
    }
    char m[1200];
    snprintf(m, sizeof m,
             "sink flush failed (%s): %s; offsets not committed, records "
             "will be read again",
             co_status_name(s), st->err_msg);
    co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin, "%s", m);
    co_stage_set_status(st, CO_STAGE_FAILED, m);
    return -1;
}

/* ---- rebalances --------------------------------------------------------- */

static void co__assigned(co_stage_t *st, rd_kafka_t *rk,
                         rd_kafka_topic_partition_list_t *parts)
{
    /* learn where we start, to detect records lost before we read them */
    rd_kafka_topic_partition_list_t *c =
        rd_kafka_topic_partition_list_copy(parts);
    rd_kafka_resp_err_t cerr = rd_kafka_committed(rk, c, 10000);
    if (cerr != 0 && cerr != RD_KAFKA_RESP_ERR__TIMED_OUT) /* once more */
        cerr = rd_kafka_committed(rk, c, 10000);
    if (cerr == 0)
        for (int i = 0; i < c->cnt; i++) {
            co_expect_t *e =
                co__expect(st, c->elems[i].topic, c->elems[i].partition);
            if (c->elems[i].err) { /* unknown: armed by the first record */
                e->next = -1;
                continue;
            }
            /* start where the commit just read says, or at the log's start
             * (auto.offset.reset=earliest's offset), so that librdkafka
             * sends no OffsetFetch of its own for the partition: in 2.0.2 a
             * request-level error of that request leaves the partition
             * never fetched, with no error and no retry (librdkafka issue
             * 5586; a demo stage once sat 600 s 8 records behind) */
            rd_kafka_topic_partition_t *a = rd_kafka_topic_partition_list_find(
                parts, c->elems[i].topic, c->elems[i].partition);
            if (a != NULL && a->offset == RD_KAFKA_OFFSET_INVALID)
                a->offset = c->elems[i].offset >= 0 ? c->elems[i].offset
                                                    : RD_KAFKA_OFFSET_BEGINNING;
            /* with no commit yet, reading must start where the log
             * started: 0 on the mock cluster (in process or `careerops
             * broker`), else the low watermark at first sight */
            int64_t lo = -1, hi = -1;
            int mock = st->env && st->env->mock_broker;
            if (c->elems[i].offset < 0 && !mock)
                rd_kafka_query_watermark_offsets(rk, c->elems[i].topic,
                                                 c->elems[i].partition, &lo,
                                                 &hi, 5000);
            e->next = c->elems[i].offset >= 0 ? c->elems[i].offset
                      : mock                  ? 0
                                              : lo;
        }
    rd_kafka_topic_partition_list_destroy(c);
    co_log(CO_LOG_DEBUG, st->sc->name, st->sc->plugin,
           "assigned %d partition(s)", parts->cnt);
    rd_kafka_assign(rk, parts);
    /* a partition paused before it was revoked may come back paused */
    rd_kafka_resume_partitions(rk, parts);
    st->held_back = 0;
    if (st->flush_fails || __atomic_load_n(&st->pause, __ATOMIC_SEQ_CST))
        co__hold_all(st);
}

void co_stage_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    co_stage_t *st = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        co__assigned(st, rk, parts);
        return;
    }
    /* revoked: flush once, drain and commit, each bounded; whatever is not
     * committed belongs to the next owner now, which re-reads it
     * (duplicates, never loss) */
    if (co__maybe_flush(st, 1) == 0 && st->flush_fails == 0)
        st->port->drain(st, CO__REVOKE_WAIT_MS);
    else
        st->port->serve(st, 0);
    /* at a stop (the consumer closing) nobody else takes the partitions
     * over: the next start reads again, and a failure is the stop's
     * (trial 45: a WARN about "the partitions' next owner", exit 0) */
    if (!st->trk.any_failed)
        co__commit_last(st, co_stage_stopping(st));
    for (size_t i = 0; i < st->trk.n_parts; i++) {
        co_offtrack_reset(&st->trk, i);
        st->trk.parts[i].done = -1;
        st->trk.parts[i].dirty = 0;
    }
    for (size_t i = 0; i < st->n_expect; i++)
        st->expect[i].next = -1;
    st->held_back = 0;
    rd_kafka_assign(rk, NULL);
}

/* ---- the loop ------------------------------------------------------------ */

/* A record the plugin failed for good: dead-letter it, or (errors.tolerance
 * none) stop the stage. Returns 0 or -1 (stage FAILED). */
static int co__failed(co_stage_t *st, const co_record_t *rec)
{
    if (st->sc->tolerance_all) {
        co_stage_dead_letter(
            st, rec, st->err_class[0] ? st->err_class : "plugin",
            st->err_msg[0] ? st->err_msg : CO_FAIL_NO_REASON, st->attempts);
        return 0;
    }
    char m[1300];
    snprintf(m, sizeof m,
             "record %s[%d]@%lld failed and errors.tolerance is none: %s",
             rec->topic, rec->partition, (long long)rec->offset,
             st->err_msg[0] ? st->err_msg : CO_FAIL_NO_REASON);
    snprintf(st->err_msg, sizeof st->err_msg, "%s", m);
    return -1;
}

/* Process one consumed record. Returns 0, 1 when stopped mid-retry (the
 * record stays unprocessed and uncommitted), or -1 when the stage FAILED. */
static int co__process_msg(co_stage_t *st, const rd_kafka_message_t *msg,
                           co_header_t *hbuf, size_t max_headers)
{
    const char *topic = rd_kafka_topic_name(msg->rkt);
    co_expect_t *ex = co__expect(st, topic, msg->partition);
    /* a pause takes effect at the next record, not after the batch
     * (trial 73: the rest of a batch of 10 went on after it) */
    if (!st->held_back && CO__ATOMIC_LOAD(&st->pause) != 0)
        co__hold_all(st);
    if (st->held_back) { /* paused, or a sink flush is failing */
        co__hold_partition(st, topic, msg->partition, msg->offset);
        return 0;
    }
    co__check_gap(st, ex, msg);
    co_record_t rec;
    co_stage_msg_record(st, msg, hbuf, max_headers, &rec);
    uint64_t tok = co_offtrack_push(&st->trk, ex->trk, msg->offset);
    st->cur_tok = tok;
    co_status_t s = co_stage_process_one(st, &rec);
    int rc = 0;
    if ((int)s == CO_STAGE_PUT_BACK) { /* paused while it waited */
        co_offtrack_unpush(&st->trk, tok);
        st->cur_tok = CO_OFFTRACK_NONE;
        ex->next = msg->offset;
        co__hold_all(st);
        return 0;
    }
    if ((int)s < 0)
        rc = 1;
    else if (s == CO_FAIL) {
        if (!st->in_headers) { /* dead letters keep the headers */
            rec.header_cnt = co_stage_msg_headers(msg, hbuf, max_headers);
            rec.headers = rec.header_cnt ? hbuf : NULL;
        }
        rc = co__failed(st, &rec);
    } else if (s == CO_FATAL)
        rc = -1;
    st->cur_tok = CO_OFFTRACK_NONE;
    if (rc == 1) /* not processed: a sink's flush must not commit it */
        co_offtrack_abandon(&st->trk, tok);
    if (rc != 0) {
        if (rc < 0)
            co_stage_fatal(st,
                           s == CO_FATAL ? "plugin FATAL" : "stage stopped");
        return rc;
    }
    if (st->ph->desc->flush == NULL)
        co_offtrack_release(&st->trk, tok); /* sinks: at the flush */
    return 0;
}

/* Follow the supervisor's pause requests. */
static void co__follow_pause(co_stage_t *st, int *paused)
{
    int want = CO__ATOMIC_LOAD(&st->pause) != 0;
    if (want && !*paused) {
        co__hold_all(st);
        co_stage_set_status(st, CO_STAGE_PAUSED, NULL);
    } else if (!want && *paused) {
        if (st->flush_fails == 0)
            co__resume_all(st);
    }
    *paused = want;
    co_stage_state_t s = co_stage_get_status(st);
    if (!want && (s == CO_STAGE_PAUSED || s == CO_STAGE_STARTING))
        co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
}

/* On the in-process embedded broker no other process consumes a stage's
 * group: the instances take their partitions statically (partition %
 * concurrency == instance) instead of joining the group, which saves the
 * fixed 3 s initial rebalance delay of librdkafka 2.0.2's mock cluster.
 * Offsets are committed for the group all the same (the mock accepts
 * commits from outside a group that has no members). */
static void co__assign_static(co_stage_t *st)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    int conc = st->sc->concurrency > 0 ? st->sc->concurrency : 1;
    st->in_rkt = co_xcalloc(st->sc->n_inputs, sizeof *st->in_rkt);
    for (size_t i = 0; i < st->sc->n_inputs; i++) {
        /* the leaders now: a partition whose leader is unknown waits for
         * librdkafka's 1 s topic scan before it fetches */
        const rd_kafka_metadata_t *md = NULL;
        st->in_rkt[i] =
            rd_kafka_topic_new(st->consumer, st->sc->inputs[i], NULL);
        if (st->in_rkt[i] &&
            rd_kafka_metadata(st->consumer, 0, st->in_rkt[i], &md, 5000) == 0)
            rd_kafka_metadata_destroy(md);
        int np = co_manifest_partitions(st->m, st->sc->inputs[i]);
        for (int p = 0; p < np; p++)
            if (p % conc == st->instance)
                rd_kafka_topic_partition_list_add(l, st->sc->inputs[i], p);
    }
    co__assigned(st, st->consumer, l);
    rd_kafka_topic_partition_list_destroy(l);
}

static int co__subscribe(co_stage_t *st)
{
    if (st->env && st->env->embedded) {
        co__assign_static(st);
        return 0;
    }
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
        co_stage_fatal(st, "cannot subscribe");
        return -1;
    }
    return 0;
}

/* How long an idle input waits before it commits: 1% of
 * commit_interval_ms (10 ms by default), so that an explicitly long
 * interval is not undercut by the idle shortcut. */
static int64_t co__idle_commit_ms(const co_stage_t *st)
{
    return st->sc->commit_interval_ms / 100;
}

/* Milliseconds until a moved commit position is due to be committed at
 * idle (0: now), or -1 when no position moved. A failed commit pushes
 * last_commit_ms into the future (the 1 s backoff). */
static int64_t co__commit_due_ms(const co_stage_t *st)
{
    for (size_t i = 0; i < st->trk.n_parts; i++)
        if (st->trk.parts[i].dirty) {
            int64_t due =
                st->last_commit_ms + co__idle_commit_ms(st) - co_mono_ms();
            return due > 0 ? due : 0;
        }
    return -1;
}

/* Commit when commit_interval_ms passed, or sooner (co__idle_commit_ms())
 * when the input is idle: at low rates positions then follow the records
 * closely. */
static void co__maybe_commit(co_stage_t *st, int idle)
{
    int64_t since = co_mono_ms() - st->last_commit_ms;
    if (since >= st->sc->commit_interval_ms ||
        (idle && since >= co__idle_commit_ms(st)))
        co__commit(st, 0);
}

/* How long the next poll may wait for a record: 5 ms while outputs or a
 * sink's flush are pending, until an idle commit is due, else 100 ms; so
 * that positions follow the last records within milliseconds (the lag the
 * supervisor's idle detection and backpressure read). */
static int co__poll_wait_ms(const co_stage_t *st)
{
    int64_t wait = 100;
    if (CO__ATOMIC_LOAD(&st->inflight) > 0 ||
        (st->trk.held > 0 && st->flush_fails == 0))
        wait = 5;
    int64_t due = co__commit_due_ms(st);
    if (due >= 0 && due < wait)
        wait = due < 5 ? 5 : due;
    return (int)wait;
}

/* Take up to `max` records that are ready (waiting `wait_ms` for the
 * first). Returns how many were read, *rc as co__process_msg's. */
static int co__read_batch(co_stage_t *st, int wait_ms, int max, int *rc,
                          co_header_t *hbuf, size_t max_headers)
{
    int n = 0;
    rd_kafka_message_t *msg;
    while (*rc == 0 && n < max &&
           (msg = rd_kafka_consumer_poll(st->consumer, n ? 0 : wait_ms))) {
        /* a record that was waiting when the previous one ended starts
         * then (microseconds off, at the histogram's 1 ms resolution) */
        st->lat_start_ms = n ? st->lat_end_ms : -1;
        n++;
        if (msg->err == RD_KAFKA_RESP_ERR_INVALID_SESSION_TIMEOUT) {
            /* a real broker's bounds (the mock has none): retrying cannot
             * help, so the stage fails with the setting to change */
            snprintf(st->err_msg, sizeof st->err_msg,
                     "kafka.session.timeout.ms: the broker refused the "
                     "consumer group's session timeout (%s): it must lie "
                     "within the broker's group.min.session.timeout.ms and "
                     "group.max.session.timeout.ms (6 s to 30 min by "
                     "default); set kafka.session.timeout.ms in the "
                     "manifest (and kafka.heartbeat.interval.ms under a "
                     "third of it)",
                     rd_kafka_message_errstr(msg));
            *rc = -1;
        } else if (msg->err == RD_KAFKA_RESP_ERR__FATAL) {
            /* e.g. FENCED_INSTANCE_ID: another process took this
             * group.instance.id */
            co_port_kafka_fatal(st, st->consumer, msg->err,
                                rd_kafka_message_errstr(msg));
            *rc = -1;
        } else if (msg->err) {
            if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                       "consumer: %s", rd_kafka_message_errstr(msg));
        } else {
            *rc = co__process_msg(st, msg, hbuf, max_headers);
        }
        rd_kafka_message_destroy(msg);
        if (co_stage_stopping(st))
            break;
    }
    return n;
}

int co_stage_wait_chores(co_stage_t *st)
{
    /* exactly-once commits in its transactions only (eos.c) */
    if (st->consumer == NULL || st->sc->delivery == CO_DELIVERY_EXACTLY_ONCE)
        return 0;
    co_stage_publish_counts(st);
    /* held counts the waiting record itself */
    if (st->trk.held > 1 && co__maybe_flush(st, 0) != 0) {
        st->wait_failed = 1;
        return -1;
    }
    co__maybe_commit(st, 1);
    /* a pause stops the wait: the record goes back (trial 73: the rest of
     * a rate-limited batch went on for hours after the pause) */
    return CO__ATOMIC_LOAD(&st->pause) != 0;
}

int co_stage_consumer_loop(co_stage_t *st)
{
    if (co__subscribe(st) != 0)
        return -1;
    co_header_t hbuf[64];
    int rc = 0, paused = 0;
    while (rc == 0 && !co_stage_stopping(st)) {
        co__follow_pause(st, &paused);
        int wait = co__poll_wait_ms(st);
        /* housekeeping once per batch, not per record */
        int n = co__read_batch(st, wait, 256, &rc, hbuf, 64);
        co_stage_lat_close(st); /* before the next poll's wait */
        rd_kafka_poll(st->producer, 0);
        co_stage_publish_counts(st);
        if (st->trk.any_failed && !co_port_kafka_failed(st))
            co__rewind_failed(st); /* after a fatal error: the next one */
        if (rc == 0 && co__maybe_flush(st, n == 0 ? -1 : 0) != 0)
            rc = -1;
        co__maybe_commit(st, n == 0);
        co_port_kafka_broker_check(st);
    }
    if (co_port_kafka_failed(st) || st->wait_failed)
        rc = -1; /* FAILED: no flush, no commit (co__commit()) */
    if (rc > 0)
        rc = 0; /* stopped mid-retry: a normal stop */
    /* the end: flush once, drain and commit, each bounded; the flush may
     * send (stopping() is 0 for it a while: co__api_stopping()) */
    CO__ATOMIC_STORE(&st->end_flush_since_ms, co_mono_ms());
    int flushed = rc == 0 ? co__maybe_flush(st, 1) : 0;
    CO__ATOMIC_STORE(&st->end_flush_since_ms, (int64_t)0);
    if (rc == 0 && flushed != 0)
        rc = -1;
    else if (rc == 0 && st->ph->desc->flush != NULL && st->trk.held > 0) {
        /* the last flush asked to retry (trial 44: a sink on a full disk
         * stopped with exit 0, nothing said) */
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "stopping: the sink's last flush failed (%s): the %zu "
               "record%s it holds %s read again%s",
               st->err_msg[0] ? st->err_msg : "no detail", (size_t)st->trk.held,
               st->trk.held == 1 ? "" : "s", st->trk.held == 1 ? "is" : "are",
               co_stage_stop_tail(st));
        st->unfinished_at_stop = 1;
    }
    if (st->port->drain(st, CO__REVOKE_WAIT_MS) != 0 && st->producer &&
        rd_kafka_outq_len(st->producer) > 0) {
        /* the broker is gone: the positions of the records whose outputs
         * it did not acknowledge are not committed (a closing flush would
         * only wait 10 s more, one stage after another) */
        char when[80];
        if (co_stage_hard_stop(st)) /* cut short (trial 59) */
            snprintf(when, sizeof when, "before a second signal stopped it");
        else
            snprintf(when, sizeof when, "within %d s",
                     CO__REVOKE_WAIT_MS / 1000);
        co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
               "stopping: the broker did not acknowledge this stage's "
               "outputs %s; the records they came from are read again%s",
               when, co_stage_stop_tail(st));
        st->unfinished_at_stop = 1;
    }
    co_stage_publish_counts(st);
    if (!st->trk.any_failed)
        co__commit_last(st, 1);
    return rc;
}

int co_stage_subscribe(co_stage_t *st)
{
    return co__subscribe(st);
}
