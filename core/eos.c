/* Exactly-once processor stages: one Kafka transaction per batch of input
 * records holds their outputs, their dead letters and the consumed
 * offsets (see eos.h and docs/operations.md, "Exactly-once"). */
#include "eos.h"
#include "err.h"
#include "log.h"
#include "port.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Bound of each transactional call (init, send offsets, commit, abort). */
#define CO__TXN_TIMEOUT_MS 30000

/* One input partition consumed by the open transaction. */
typedef struct co_eos_part_s {
    char *topic;
    int32_t partition;
    int64_t start; /* first offset the transaction read: the rewind point */
    int64_t next;  /* one past the last record processed */
} co_eos_part_t;

/* The loop's state, reached from the rebalance callback via st->eos. */
struct co_eos_s {
    int in_txn;
    int64_t txn_start_ms;
    int64_t n_recs; /* records in the open transaction */
    co_eos_part_t *parts;
    size_t n_parts;
    int fatal; /* a fatal error was met in a callback */
    uint64_t n_commits, n_aborts;
};

int co_eos_transactional_id(const co_stage_t *st, char *out, size_t size,
                            char *errstr, size_t sz)
{
    const char *member = getenv("CAREEROPS_MEMBER");
    if (member && member[0]) {
        for (const char *c = member; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
                  *c == '-')) {
                co_errf(errstr, sz,
                        "CAREEROPS_MEMBER=\"%s\": only letters, digits, "
                        "'.', '_' and '-' may name a member (it becomes part "
                        "of the transactional.id)",
                        member);
                return -1;
            }
        snprintf(out, size, "careerops.%s.%s.%d.%s", st->m->pipeline,
                 st->sc->name, st->instance, member);
    } else {
        snprintf(out, size, "careerops.%s.%s.%d", st->m->pipeline, st->sc->name,
                 st->instance);
    }
    return 0;
}

int co_eos_producer_conf(const co_stage_t *st, rd_kafka_conf_t *conf,
                         char *errstr, size_t sz)
{
    char tid[400];
    if (co_eos_transactional_id(st, tid, sizeof tid, errstr, sz) != 0 ||
        co_kafka_set(conf, "transactional.id", tid, errstr, sz) != 0 ||
        co_kafka_set(conf, "enable.idempotence", "true", errstr, sz) != 0)
        return -1;
    if (!json_object_get(st->m->kafka, "message.timeout.ms")) {
        const char *tt = json_string_value(
            json_object_get(st->m->kafka, "transaction.timeout.ms"));
        if (co_kafka_set(conf, "message.timeout.ms", tt ? tt : "60000", errstr,
                         sz) != 0)
            return -1;
    }
    return 0;
}

int co_eos_consumer_conf(const co_stage_t *st, rd_kafka_conf_t *conf,
                         char *errstr, size_t sz)
{
    char tid[400];
    if (co_eos_transactional_id(st, tid, sizeof tid, errstr, sz) != 0 ||
        co_kafka_set(conf, "isolation.level", "read_committed", errstr, sz) ||
        co_kafka_set(conf, "group.instance.id", tid, errstr, sz) != 0)
        return -1;
    rd_kafka_conf_set_rebalance_cb(conf, co_eos_rebalance_cb);
    return 0;
}

/* ---- the open transaction ------------------------------------------- */

static co_eos_part_t *co__part(struct co_eos_s *e, const char *topic, int32_t p,
                               int64_t offset)
{
    for (size_t i = 0; i < e->n_parts; i++)
        if (e->parts[i].partition == p && strcmp(e->parts[i].topic, topic) == 0)
            return &e->parts[i];
    co_eos_part_t *v = realloc(e->parts, (e->n_parts + 1) * sizeof *v);
    if (v == NULL)
        abort();
    e->parts = v;
    co_eos_part_t *x = &e->parts[e->n_parts++];
    x->topic = co_strdup(topic);
    x->partition = p;
    x->start = offset;
    x->next = -1;
    return x;
}

static void co__forget(struct co_eos_s *e)
{
    for (size_t i = 0; i < e->n_parts; i++)
        free(e->parts[i].topic);
    free(e->parts);
    e->parts = NULL;
    e->n_parts = 0;
    e->in_txn = 0;
    e->n_recs = 0;
}

/* Report a transactional error: FATAL (stage FAILED) when it is fatal. */
static int co__txn_error(co_stage_t *st, const char *what, rd_kafka_error_t *x)
{
    int fatal = rd_kafka_error_is_fatal(x);
    if (!fatal) {
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "%s failed: %s; the transaction is aborted and its input read "
               "again",
               what, rd_kafka_error_string(x));
        rd_kafka_error_destroy(x);
        return 0;
    }
    /* fenced, or another fatal error: one FATAL line naming the
     * transactional.id to check (the error_cb may have logged it) */
    char why[600];
    snprintf(why, sizeof why, "%s: %s", what, rd_kafka_error_string(x));
    co_port_kafka_fatal(st, st->producer, rd_kafka_error_code(x), why);
    rd_kafka_error_destroy(x);
    return -1;
}

/* Seek each partition the transaction read back to its first offset. */
static void co__rewind(co_stage_t *st, struct co_eos_s *e)
{
    if (e->n_parts == 0)
        return;
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new((int)e->n_parts);
    for (size_t i = 0; i < e->n_parts; i++)
        rd_kafka_topic_partition_list_add(l, e->parts[i].topic,
                                          e->parts[i].partition)
            ->offset = e->parts[i].start;
    rd_kafka_error_t *x = rd_kafka_seek_partitions(st->consumer, l, 10000);
    if (x) {
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
               "rewinding after an aborted transaction: %s",
               rd_kafka_error_string(x));
        rd_kafka_error_destroy(x);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* Abort the open transaction and rewind its input. Returns 0, or -1 when
 * the stage FAILED. */
static int co__abort(co_stage_t *st, struct co_eos_s *e, int rewind)
{
    if (!e->in_txn)
        return 0;
    e->n_aborts++;
    for (;;) {
        rd_kafka_error_t *x =
            rd_kafka_abort_transaction(st->producer, CO__TXN_TIMEOUT_MS);
        if (x == NULL)
            break;
        if (rd_kafka_error_is_retriable(x) && !co_stage_hard_stop(st)) {
            rd_kafka_error_destroy(x);
            continue;
        }
        co__forget(e);
        if (rd_kafka_error_is_fatal(x))
            return co__txn_error(st, "abort_transaction", x);
        /* neither fatal nor retriable: the producer cannot go on either */
        snprintf(st->err_msg, sizeof st->err_msg, "abort_transaction: %s",
                 rd_kafka_error_string(x));
        rd_kafka_error_destroy(x);
        co_stage_fatal(st, "exactly-once");
        return -1;
    }
    if (rewind)
        co__rewind(st, e);
    co__forget(e);
    return 0;
}

/* Commit the open transaction with the consumed offsets. Returns 0 (done,
 * or aborted and rewound), or -1 when the stage FAILED. */
static int co__commit(co_stage_t *st, struct co_eos_s *e)
{
    if (!e->in_txn)
        return 0;
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new((int)e->n_parts);
    for (size_t i = 0; i < e->n_parts; i++)
        if (e->parts[i].next >= 0)
            rd_kafka_topic_partition_list_add(l, e->parts[i].topic,
                                              e->parts[i].partition)
                ->offset = e->parts[i].next;
    rd_kafka_error_t *x = NULL;
    const char *what = "send_offsets_to_transaction";
    if (l->cnt > 0) {
        rd_kafka_consumer_group_metadata_t *g =
            rd_kafka_consumer_group_metadata(st->consumer);
        do {
            if (x)
                rd_kafka_error_destroy(x);
            x = rd_kafka_send_offsets_to_transaction(st->producer, l, g,
                                                     CO__TXN_TIMEOUT_MS);
        } while (x && rd_kafka_error_is_retriable(x) &&
                 !co_stage_hard_stop(st));
        rd_kafka_consumer_group_metadata_destroy(g);
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (x == NULL) {
        what = "commit_transaction";
        do {
            if (x)
                rd_kafka_error_destroy(x);
            x = rd_kafka_commit_transaction(st->producer, CO__TXN_TIMEOUT_MS);
        } while (x && rd_kafka_error_is_retriable(x) &&
                 !co_stage_hard_stop(st));
    }
    if (x == NULL) {
        e->n_commits++;
        co_log(CO_LOG_DEBUG, st->sc->name, st->sc->plugin,
               "transaction committed: %lld records", (long long)e->n_recs);
        co__forget(e);
        return 0;
    }
    if (co__txn_error(st, what, x) != 0) {
        co__forget(e);
        return -1;
    }
    return co__abort(st, e, 1);
}

static int co__begin(co_stage_t *st, struct co_eos_s *e)
{
    /* wait for downstream room before the transaction, not inside it
     * (waits inside count against transaction.timeout.ms) */
    co_stage_backpressure(st, st->sc->output);
    rd_kafka_error_t *x = rd_kafka_begin_transaction(st->producer);
    if (x) {
        /* begin fails only on a state error: fatal or a bug */
        snprintf(st->err_msg, sizeof st->err_msg, "begin_transaction: %s",
                 rd_kafka_error_string(x));
        rd_kafka_error_destroy(x);
        co_stage_fatal(st, "exactly-once");
        return -1;
    }
    e->in_txn = 1;
    e->txn_start_ms = co_mono_ms();
    e->n_recs = 0;
    return 0;
}

void co_eos_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    co_stage_t *st = opaque;
    struct co_eos_s *e = st->eos;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        co_log(CO_LOG_DEBUG, st->sc->name, st->sc->plugin,
               "assigned %d partition(s)", parts->cnt);
        rd_kafka_assign(rk, parts); /* from the committed offsets */
        return;
    }
    /* revoked: what is committed now is done; an abort leaves the records
     * to the next owner */
    if (e && e->in_txn && co__commit(st, e) != 0)
        e->fatal = 1;
    rd_kafka_assign(rk, NULL);
}

/* ---- the loop ------------------------------------------------------- */

/* Process one consumed record inside the open transaction. Returns 0, 1
 * when stopped mid-retry (the record stays unprocessed), -1 when the
 * stage must stop (FATAL, or FAIL with errors.tolerance none). */
static int co__process(co_stage_t *st, struct co_eos_s *e,
                       const rd_kafka_message_t *msg, co_header_t *hbuf,
                       size_t max)
{
    const char *topic = rd_kafka_topic_name(msg->rkt);
    if (!e->in_txn && co__begin(st, e) != 0)
        return -1;
    co_eos_part_t *p = co__part(e, topic, msg->partition, msg->offset);
    co_record_t rec; /* dead letters get the headers in any case */
    co_stage_msg_record(st, msg, hbuf, max, &rec);
    st->cur_tok = CO_OFFTRACK_NONE; /* the transaction tracks outputs */
    co_status_t s = co_stage_process_one(st, &rec);
    if ((int)s < 0)
        return 1;
    if (s == CO_FAIL) {
        if (!st->sc->tolerance_all) {
            char m[1300];
            snprintf(m, sizeof m,
                     "record %s[%d]@%lld failed and errors.tolerance is "
                     "none: %s",
                     topic, msg->partition, (long long)msg->offset,
                     st->err_msg);
            snprintf(st->err_msg, sizeof st->err_msg, "%s", m);
            co_stage_fatal(st, "stage stopped");
            return -1;
        }
        rec.header_cnt = co_stage_msg_headers(msg, hbuf, max);
        rec.headers = rec.header_cnt ? hbuf : NULL;
        if (co_stage_dead_letter(
                st, &rec, st->err_class[0] ? st->err_class : "plugin",
                st->err_msg[0] ? st->err_msg : "the plugin returned FAIL",
                st->attempts) != 0)
            return 1; /* not produced: abort, read it again */
    } else if (s == CO_FATAL) {
        co_stage_fatal(st, "plugin FATAL");
        return -1;
    }
    p->next = msg->offset + 1;
    e->n_recs++;
    return 0;
}

/* Stop or restart fetching on the supervisor's pause requests (the open
 * transaction is committed first). */
static int co__follow_pause(co_stage_t *st, struct co_eos_s *e, int *paused)
{
    int want = __atomic_load_n(&st->pause, __ATOMIC_SEQ_CST) != 0;
    if (want == *paused)
        return 0;
    if (want && co__commit(st, e) != 0)
        return -1;
    rd_kafka_topic_partition_list_t *asg = NULL;
    if (rd_kafka_assignment(st->consumer, &asg) == 0 && asg) {
        if (want)
            rd_kafka_pause_partitions(st->consumer, asg);
        else
            rd_kafka_resume_partitions(st->consumer, asg);
        rd_kafka_topic_partition_list_destroy(asg);
    }
    co_stage_set_status(st, want ? CO_STAGE_PAUSED : CO_STAGE_RUNNING, NULL);
    *paused = want;
    return 0;
}

/* init_transactions: fences an older process with the same
 * transactional.id and aborts its open transaction. Retried while it
 * times out (the coordinator may be loading). */
static int co__init(co_stage_t *st)
{
    for (;;) {
        rd_kafka_error_t *x =
            rd_kafka_init_transactions(st->producer, CO__TXN_TIMEOUT_MS);
        if (x == NULL)
            return 0;
        if (rd_kafka_error_is_retriable(x) && !co_stage_stopping(st)) {
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "init_transactions: %s; trying again",
                   rd_kafka_error_string(x));
            rd_kafka_error_destroy(x);
            continue;
        }
        snprintf(st->err_msg, sizeof st->err_msg,
                 "init_transactions: %s (the broker must support "
                 "transactions: Kafka 2.5 or newer, with the "
                 "__transaction_state topic writable)",
                 rd_kafka_error_string(x));
        rd_kafka_error_destroy(x);
        co_stage_fatal(st, "exactly-once");
        return -1;
    }
}

/* Read, process and commit until stopped. Returns 0 or -1 (FAILED). */
static int co__run(co_stage_t *st, struct co_eos_s *e)
{
    co_header_t hbuf[64];
    int rc = 0, paused = 0;
    while (rc == 0 && !co_stage_stopping(st)) {
        if (co__follow_pause(st, e, &paused) != 0)
            return -1;
        int wait = 100;
        if (e->in_txn) {
            int64_t left =
                e->txn_start_ms + st->sc->commit_interval_ms - co_mono_ms();
            wait = left < 0 ? 0 : left < 100 ? (int)left : 100;
        }
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(st->consumer, wait);
        if (e->fatal)
            return -1;
        int idle = msg == NULL;
        if (msg && msg->err == RD_KAFKA_RESP_ERR__FATAL) {
            /* e.g. FENCED_INSTANCE_ID: another process took this
             * group.instance.id */
            co_port_kafka_fatal(st, st->consumer, msg->err,
                                rd_kafka_message_errstr(msg));
            rd_kafka_message_destroy(msg);
            rc = -1;
            break;
        }
        if (msg && msg->err) {
            if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                       "consumer: %s", rd_kafka_message_errstr(msg));
            idle = msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        } else if (msg) {
            rc = co__process(st, e, msg, hbuf, 64);
        }
        if (msg)
            rd_kafka_message_destroy(msg);
        rd_kafka_poll(st->producer, 0);
        co_stage_publish_counts(st);
        if (rc < 0)
            break;
        if (rc > 0) { /* stopped mid-retry, or a dead letter not sent */
            if (co_stage_stopping(st))
                break;
            rc = co__abort(st, e, 1);
            continue;
        }
        if (e->in_txn &&
            (idle || e->n_recs >= st->sc->max_batch ||
             co_mono_ms() - e->txn_start_ms >= st->sc->commit_interval_ms))
            rc = co__commit(st, e);
    }
    if (co_port_kafka_failed(st))
        return -1; /* the broker aborts the open transaction (timeout, or
                      fenced by the next init_transactions) */
    if (rc < 0) {
        co__abort(st, e, 0);
        return -1;
    }
    /* stopped: what is processed is committed, the rest is read again */
    return co__commit(st, e);
}

void co_eos_mock_refusal(char *out, size_t size, const char *bootstrap)
{
    snprintf(out, size,
             "delivery \"exactly-once\" needs a real Kafka cluster: the "
             "broker at %s is librdkafka's mock cluster, which does not "
             "hide aborted transactions from read_committed consumers; "
             "set kafka.bootstrap.servers to a Kafka cluster, or use "
             "\"at-least-once\" with idempotency keys "
             "(docs/operations.md, \"Exactly-once\")",
             bootstrap ? bootstrap : "?");
}

int co_stage_eos_loop(co_stage_t *st)
{
    if (st->env && st->env->mock_broker) {
        co_eos_mock_refusal(st->err_msg, sizeof st->err_msg, st->bootstrap);
        co_stage_fatal(st, "exactly-once");
        return -1;
    }
    struct co_eos_s e = {0};
    if (co__init(st) != 0)
        return -1;
    char tid[400];
    co_eos_transactional_id(st, tid, sizeof tid, NULL, 0);
    co_log(CO_LOG_INFO, st->sc->name, st->sc->plugin,
           "exactly-once: transactional.id %s, a transaction per %lld "
           "records or %lld ms",
           tid, (long long)st->sc->max_batch,
           (long long)st->sc->commit_interval_ms);
    st->eos = &e;
    int rc = co_stage_subscribe(st);
    if (rc == 0)
        rc = co__run(st, &e);
    co_log(CO_LOG_INFO, st->sc->name, st->sc->plugin,
           "exactly-once: %llu transactions committed, %llu aborted",
           (unsigned long long)e.n_commits, (unsigned long long)e.n_aborts);
    /* the consumer is closed later (co_stage_free): its last revocation
     * must not see `e` */
    st->eos = NULL;
    co__forget(&e);
    return rc;
}
