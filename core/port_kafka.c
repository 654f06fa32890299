/* The Kafka port: produce with CloudEvents headers, delivery reports that
 * release input offsets, draining, and the producer/consumer settings. */
#include "eos.h"
#include "err.h"
#include "log.h"
#include "port.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)

/* The kept handle of the output or dead-letter topic (saves a lookup by
 * name per record), or NULL. */
static rd_kafka_topic_t *co__rkt(const co_stage_t *st, const char *topic)
{
    if (topic == st->sc->output) /* the common case: no strcmp */
        return st->out_rkt[0];
    for (int i = 0; i < 2; i++)
        if (st->out_rkt[i] &&
            strcmp(rd_kafka_topic_name(st->out_rkt[i]), topic) == 0)
            return st->out_rkt[i];
    return NULL;
}

/* Bytes of the headers as they go on the wire (names, values, and a
 * length byte for each), for backpressure's size estimate. */
static size_t co__headers_bytes(const rd_kafka_headers_t *hdrs)
{
    size_t n = 0;
    const char *name;
    const void *val;
    size_t len;
    for (size_t i = 0;
         hdrs && rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == 0; i++)
        n += strlen(name) + len + 2;
    return n;
}

/* Produce, waiting while librdkafka's queue is full; takes hdrs (NULL: a
 * record without headers, which costs librdkafka no header list), whose
 * wire bytes are hbytes. */
static int co__produce(co_stage_t *st, const char *topic, int32_t partition,
                       const co_record_t *rec, rd_kafka_headers_t *hdrs,
                       size_t hbytes, uint64_t tok)
{
    size_t wire = rec->key_len + rec->value_len + hbytes;
    rd_kafka_vu_t vu[7];
    memset(vu, 0, sizeof vu);
    rd_kafka_topic_t *rkt = co__rkt(st, topic);
    vu[0].vtype = rkt ? RD_KAFKA_VTYPE_RKT : RD_KAFKA_VTYPE_TOPIC;
    if (rkt)
        vu[0].u.rkt = rkt;
    else
        vu[0].u.cstr = topic;
    vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[1].u.i32 = partition;
    vu[2].vtype = RD_KAFKA_VTYPE_KEY;
    vu[2].u.mem.ptr = (void *)rec->key;
    vu[2].u.mem.size = rec->key_len;
    vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[3].u.mem.ptr = (void *)rec->value;
    vu[3].u.mem.size = rec->value_len;
    vu[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[4].u.i = RD_KAFKA_MSG_F_COPY;
    vu[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu[5].u.ptr = (void *)(uintptr_t)tok;
    vu[6].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[6].u.headers = hdrs;
    size_t nvu = hdrs ? 7 : 6;
    for (;;) {
        rd_kafka_error_t *e = rd_kafka_produceva(st->producer, vu, nvu);
        if (e == NULL) {
            __atomic_add_fetch(&st->inflight, 1, __ATOMIC_SEQ_CST);
            st->bytes_out += (int64_t)wire;
            return 0;
        }
        rd_kafka_resp_err_t err = rd_kafka_error_code(e);
        rd_kafka_error_destroy(e);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(st->producer, 10);
            if (co_stage_hard_stop(st))
                break;
            continue;
        }
        if (err == RD_KAFKA_RESP_ERR__FATAL) /* the stage stops FAILED */
            co_port_kafka_fatal(st, st->producer, err, NULL);
        else
            co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
                   "cannot produce to %s: %s", topic, rd_kafka_err2str(err));
        break;
    }
    if (hdrs)
        rd_kafka_headers_destroy(hdrs);
    return CO_ERR_KAFKA;
}

/* The token a produced record carries: the input record's, or for a
 * source's own output a new entry of its emit tracker. */
static uint64_t co__out_token(co_stage_t *st)
{
    if (st->sc->n_inputs > 0)
        return st->cur_tok;
    if (st->src_trk.n_parts == 0)
        co_offtrack_part(&st->src_trk, "emits", 0);
    return co_offtrack_push(&st->src_trk, 0, (int64_t)st->emit_seq);
}

/* The headers of an emitted record: the plugin's, and the CloudEvents ones
 * unless the stage's `cloudevents` is "off" or the plugin gave its own
 * ce_specversion. NULL when there are none. *bytes: their wire bytes
 * (names, values and a length byte each), counted as they are added. */
static rd_kafka_headers_t *
co__out_headers(co_stage_t *st, const co_record_t *rec, size_t *bytes)
{
    int add_ce = st->sc->cloudevents == CO_CE_BINARY;
    *bytes = 0;
    if (rec->header_cnt == 0 && !add_ce)
        return NULL;
    rd_kafka_headers_t *h =
        rd_kafka_headers_new(rec->header_cnt + (add_ce ? 4 : 0));
    for (size_t i = 0; i < rec->header_cnt; i++) {
        const co_header_t *x = &rec->headers[i];
        size_t nl = strlen(x->name);
        if (add_ce && nl == 14 && memcmp(x->name, "ce_specversion", 14) == 0)
            add_ce = 0;
        rd_kafka_header_add(h, x->name, (ssize_t)nl, x->value,
                            (ssize_t)x->value_len);
        *bytes += nl + x->value_len + 2;
    }
    if (add_ce)
        *bytes += co_ce_add(&st->ce, h, rec->value, rec->value_len);
    return h;
}

/* Bytes a produced record takes against the producer's message.max.bytes
 * (key, value, headers, and room for the CloudEvents headers and
 * librdkafka's framing). */
#define CO__RECORD_OVERHEAD 1024
static size_t co__record_bytes(const co_record_t *rec)
{
    size_t n = rec->key_len + rec->value_len + CO__RECORD_OVERHEAD;
    for (size_t i = 0; i < rec->header_cnt; i++)
        n += strlen(rec->headers[i].name) + rec->headers[i].value_len;
    return n;
}

/* The producer's message.max.bytes (librdkafka default 1000000), read
 * once (co_port_kafka_setup): a lookup per record cost a property-table
 * scan and a strtoull. */
static size_t co__max_bytes(const co_stage_t *st)
{
    return st->max_bytes ? st->max_bytes : 1000000;
}

static size_t co__conf_max_bytes(rd_kafka_t *rk)
{
    char buf[32];
    size_t sz = sizeof buf;
    if (rk && rd_kafka_conf_get(rd_kafka_conf(rk), "message.max.bytes", buf,
                                &sz) == RD_KAFKA_CONF_OK)
        return (size_t)strtoull(buf, NULL, 10);
    return 1000000;
}

static int co__kafka_dead_letter(co_stage_t *st, const co_record_t *rec,
                                 const co_dlq_reason_t *why);

/* emit() to a topic the manifest names nowhere (a plugin's typo): the
 * records go where no stage reads them (trial 40: silently, exit 0).
 * Warned once per topic name in a row; the records are still sent (a
 * consumer outside the pipeline may read it). */
static void co__odd_topic(co_stage_t *st, const char *topic)
{
    if (st->sc->output && strcmp(topic, st->sc->output) == 0)
        return;
    for (size_t i = 0; i < st->m->n_topics; i++)
        if (strcmp(st->m->topics[i].name, topic) == 0)
            return;
    if (strncmp(st->odd_topic, topic, sizeof st->odd_topic) == 0)
        return;
    snprintf(st->odd_topic, sizeof st->odd_topic, "%s", topic);
    co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
           "emit() to topic %s, which no stage of pipeline %s reads or "
           "writes (a typo in the plugin? the stage's output is %s); sent "
           "anyway, for consumers outside the pipeline",
           topic, st->m->pipeline, st->sc->output ? st->sc->output : "none");
}

static int co__kafka_emit(co_stage_t *st, const co_record_t *rec)
{
    const char *topic = rec->topic ? rec->topic : st->sc->output;
    size_t size = co__record_bytes(rec), max = co__max_bytes(st);
    if (topic != NULL && size > max) {
        /* Never a retry loop: the broker would refuse it every time. A
         * processor's input record is dead-lettered in its place, with its
         * origin, so that `dlq replay` sends it back through the stage
         * (trial 40: the cut output went with no origin); a source's
         * output itself (its value cut by co__kafka_dead_letter). */
        char msg[512];
        snprintf(msg, sizeof msg,
                 "record too large for topic %s: %zu bytes with headers, "
                 "over the producer's message.max.bytes %zu%s; make the "
                 "plugin emit smaller records (a limit option of its own), "
                 "or raise kafka.message.max.bytes%s",
                 topic, size, max,
                 st->cur_in ? "; the input record is the dead letter" : "",
                 st->env != NULL && st->env->mock_broker
                     ? " (at most 2097152 on the embedded broker)"
                     : " and the topic's max.message.bytes on the broker");
        if (st->cur_in != NULL)
            rec = st->cur_in;
        co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin, "%s", msg);
        co_dlq_reason_t why = {.stage = st->sc->name,
                               .plugin = st->sc->plugin,
                               .cls = "too_large",
                               .msg = msg,
                               .attempts = 1};
        return co__kafka_dead_letter(st, rec, &why);
    }
    if (topic == NULL) /* said by co_host_api's emit() */
        return CO_ERR_INVAL;
    if (rec->topic != NULL && topic != st->sc->output)
        co__odd_topic(st, topic);
    /* sources and processors alike wait while their output's consumers
     * lag too far behind (a fast processor before a slow sink) */
    if (st->sc->output &&
        (topic == st->sc->output || strcmp(topic, st->sc->output) == 0))
        co_stage_backpressure(st, topic);
    size_t hbytes;
    rd_kafka_headers_t *h = co__out_headers(st, rec, &hbytes);
    uint64_t tok = co__out_token(st);
    int rc = co__produce(st, topic, rec->partition, rec, h, hbytes, tok);
    co_offtrack_t *t = st->sc->n_inputs == 0 ? &st->src_trk : &st->trk;
    if (rc == 0 && tok != CO_OFFTRACK_NONE)
        co_offtrack_output(t, tok);
    if (st->sc->n_inputs == 0)
        co_offtrack_release(t, tok); /* done once acknowledged */
    if (rc == 0) {
        uint64_t n = __atomic_add_fetch(&st->emit_seq, 1, __ATOMIC_SEQ_CST);
        st->n_out_unpublished++;
        if (n == st->test_fatal_after) /* 0 (off) never matches */
            co_port_kafka_test_fatal(st);
    }
    return rc;
}

static int co__kafka_dead_letter(co_stage_t *st, const co_record_t *rec,
                                 const co_dlq_reason_t *why)
{
    /* A dead letter must fit too: its value is cut to what the topic
     * takes (the reason says so; the archive keeps the original). */
    co_record_t cut;
    co_dlq_reason_t why2;
    char msg2[768];
    size_t max = co__max_bytes(st), size = co__record_bytes(rec);
    if (size > max) {
        size_t keep = size - rec->value_len + 4096 < max
                          ? max - (size - rec->value_len) - 4096
                          : 0;
        cut = *rec;
        cut.value_len = keep < rec->value_len ? keep : rec->value_len;
        why2 = *why;
        snprintf(msg2, sizeof msg2,
                 "%s (dead letter value cut to %zu of %zu bytes)",
                 why->msg ? why->msg : "", cut.value_len, rec->value_len);
        why2.msg = msg2;
        rec = &cut;
        why = &why2;
    }
    rd_kafka_headers_t *h = co_dlq_headers(rec, why);
    uint64_t tok = st->sc->n_inputs > 0 ? st->cur_tok : CO_OFFTRACK_NONE;
    int rc = co__produce(st, st->sc->dlq_topic, RD_KAFKA_PARTITION_UA, rec, h,
                         co__headers_bytes(h), tok);
    if (rc == 0 && tok != CO_OFFTRACK_NONE)
        co_offtrack_output(&st->trk, tok);
    return rc;
}

static void co__kafka_serve(co_stage_t *st, int timeout_ms)
{
    rd_kafka_poll(st->producer, timeout_ms);
}

static int co__kafka_drain(co_stage_t *st, int64_t timeout_ms)
{
    if (st->producer == NULL)
        return 0;
    int warned = 0;
    int64_t t0 = co_mono_ms();
    while (rd_kafka_outq_len(st->producer) > 0) {
        rd_kafka_flush(st->producer, 100);
        if (co_stage_hard_stop(st))
            return -1;
        if (timeout_ms >= 0 && co_mono_ms() - t0 >= timeout_ms)
            return -1;
        if (!warned && co_mono_ms() - t0 > 10000) {
            warned = 1;
            co_stage_set_status(st, CO_STAGE_WAITING,
                                "waiting for the broker to acknowledge");
            co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
                   "waiting for the broker to acknowledge %d records",
                   rd_kafka_outq_len(st->producer));
        }
    }
    rd_kafka_poll(st->producer, 0);
    if (warned)
        co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
    if (st->delivery_failed) {
        st->delivery_failed = 0;
        return -1;
    }
    return 0;
}

const co_port_t co_port_kafka = {
    .name = "kafka",
    .emit = co__kafka_emit,
    .dead_letter = co__kafka_dead_letter,
    .serve = co__kafka_serve,
    .drain = co__kafka_drain,
};

/* A source's acknowledged end offsets per partition, for backpressure. */
static void co__note_hw(co_stage_t *st, const rd_kafka_message_t *msg)
{
    if (msg->partition < 0 || st->sc->output == NULL)
        return;
    /* the kept handle of the output topic first: no strcmp per record */
    if (msg->rkt != st->out_rkt[0] &&
        strcmp(rd_kafka_topic_name(msg->rkt), st->sc->output) != 0)
        return;
    if (msg->partition >= st->n_hw) {
        int n = msg->partition + 1;
        int64_t *v = realloc(st->hw, (size_t)n * sizeof *v);
        if (v == NULL)
            return;
        st->hw = v;
        for (int i = st->n_hw; i < n; i++)
            st->hw[i] = 0;
        st->n_hw = n;
    }
    if (msg->offset + 1 > st->hw[msg->partition])
        st->hw[msg->partition] = msg->offset + 1;
}

/* Delivery reports (served on the worker thread by rd_kafka_poll). */
static void co__dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg,
                      void *opaque)
{
    (void)rk;
    co_stage_t *st = opaque;
    if (st == NULL)
        return;
    __atomic_sub_fetch(&st->inflight, 1, __ATOMIC_SEQ_CST);
    uint64_t tok = (uint64_t)(uintptr_t)msg->_private;
    int is_source = st->sc->n_inputs == 0;
    if (msg->err) {
        st->delivery_failed = 1;
        /* after a fatal error the purged records fail by the thousand:
         * the FATAL line said they are read again */
        if (!co_port_kafka_failed(st))
            co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin,
                   "delivery to %s failed: %s; the input will be re-read",
                   rd_kafka_topic_name(msg->rkt), rd_kafka_err2str(msg->err));
    } else {
        co__note_hw(st, msg); /* sources and processors: backpressure */
    }
    if (tok != CO_OFFTRACK_NONE)
        co_offtrack_ack(is_source ? &st->src_trk : &st->trk, tok, !msg->err);
}

/* Set each {name, value} unless the manifest's kafka object sets it. */
static void co__defaults(const co_stage_t *st, rd_kafka_conf_t *c,
                         const char *const (*nv)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(st->m->kafka, nv[i][0]))
            co_kafka_set(c, nv[i][0], nv[i][1], NULL, 0);
}

/* Producer settings (docs/operations.md, "Client settings"):
 * - no idempotence: on librdkafka 2.0.2 the idempotent producer's state
 *   machine costs CPU per batch, and at-least-once tolerates the rare
 *   duplicate of a retried batch (downstream stages dedupe with
 *   idem_begin); order per partition is kept by max.in.flight 5 with
 *   retries, as Kafka guarantees without idempotence only for 1, so
 *   reordering on a retried batch is possible and documented;
 * - acks=all, retry forever (message.timeout.ms 0): a record is never
 *   given up while the stage runs;
 * - linger.ms 5: batches fill under load, 5 ms added latency at idle. */
static rd_kafka_t *co__producer_new(co_stage_t *st, char *errstr, size_t sz)
{
    char e[512];
    rd_kafka_conf_t *pc = co_kafka_conf_new(st->m, st->bootstrap, errstr, sz);
    if (pc == NULL)
        return NULL;
    static const char *const defaults[][2] = {
        {"enable.idempotence", "false"},
        {"acks", "all"},
        {"linger.ms", "5"},
        {"message.timeout.ms", "0"},
        {"batch.num.messages", "10000"},
        {"topic.metadata.refresh.interval.ms", "60000"}};
    co__defaults(st, pc, defaults, sizeof defaults / sizeof defaults[0]);
    if (st->sc->delivery == CO_DELIVERY_EXACTLY_ONCE && st->sc->n_inputs > 0 &&
        co_eos_producer_conf(st, pc, errstr, sz) != 0) {
        rd_kafka_conf_destroy(pc);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(pc, co__dr_cb);
    rd_kafka_conf_set_error_cb(pc, co_port_kafka_error_cb);
    rd_kafka_conf_set_log_cb(pc, co_kafka_log_cb);
    rd_kafka_conf_set_opaque(pc, st);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, pc, e, sizeof e);
    if (rk == NULL) {
        co_errf(errstr, sz, "kafka producer: %s", e);
        rd_kafka_conf_destroy(pc);
    }
    return rk;
}

/* Consumer settings (docs/operations.md, "Client settings"):
 * - offsets are committed by the host (worker.c), never automatically;
 * - prefetch: queued.min.messages 100000 (per partition) and
 *   queued.max.messages.kbytes 65536, librdkafka's defaults: a smaller cap
 *   makes 2.0.2 stop fetching for fetch.error.backoff.ms every time the
 *   queue is full, which is why fetch.error.backoff.ms is 10 ms here
 *   (librdkafka 2.0.2 has no fetch.queue.backoff.ms);
 * - fetch.wait.max.ms 25: how long the broker holds an empty fetch; it is
 *   added to every hop's latency at low load (10 ms costs an idle
 *   three-stage pipeline 5.6% of a core, 25 ms 3.6%, 100 ms 2.6%);
 * - session.timeout.ms 10000, heartbeat.interval.ms 1000: a crashed member
 *   is replaced within 10 s. */
static rd_kafka_t *co__consumer_new(co_stage_t *st, char *errstr, size_t sz)
{
    char e[512], cid[400];
    rd_kafka_conf_t *cc = co_kafka_conf_new(st->m, st->bootstrap, errstr, sz);
    if (cc == NULL)
        return NULL;
    snprintf(cid, sizeof cid, "%s-%d", st->group, st->instance);
    if (co_kafka_set(cc, "group.id", st->group, errstr, sz) ||
        co_kafka_set(cc, "client.id", cid, errstr, sz)) {
        rd_kafka_conf_destroy(cc);
        return NULL;
    }
    co_kafka_set(cc, "enable.auto.commit", "false", NULL, 0);
    co_kafka_set(cc, "enable.auto.offset.store", "false", NULL, 0);
    static const char *const defaults[][2] = {
        {"auto.offset.reset", "earliest"},
        {"isolation.level", "read_committed"}, /* exactly-once upstream */
        {"queued.min.messages", "100000"},
        {"queued.max.messages.kbytes", "65536"},
        {"fetch.error.backoff.ms", "10"},
        {"fetch.wait.max.ms", "25"},
        {"session.timeout.ms", "10000"},
        {"heartbeat.interval.ms", "1000"},
        {"topic.metadata.refresh.interval.ms", "60000"}};
    /* the mock cluster holds every rebalance for session.timeout.ms - 1 s:
     * 6 s, the least that survives its 3 s first-join delay */
    static const char *const mock[][2] = {{"session.timeout.ms", "6000"},
                                          {"heartbeat.interval.ms", "500"}};
    co__defaults(st, cc, defaults, sizeof defaults / sizeof defaults[0]);
    if (st->env && st->env->mock_broker)
        co__defaults(st, cc, mock, 2);
    rd_kafka_conf_set_rebalance_cb(cc, co_stage_rebalance_cb);
    if (st->sc->delivery == CO_DELIVERY_EXACTLY_ONCE &&
        co_eos_consumer_conf(st, cc, errstr, sz) != 0) {
        rd_kafka_conf_destroy(cc);
        return NULL;
    }
    rd_kafka_conf_set_opaque(cc, st);
    rd_kafka_conf_set_error_cb(cc, co_port_kafka_error_cb);
    rd_kafka_conf_set_log_cb(cc, co_kafka_log_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, cc, e, sizeof e);
    if (rk == NULL) {
        co_errf(errstr, sz, "kafka consumer: %s", e);
        rd_kafka_conf_destroy(cc);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

int co_port_kafka_setup(co_stage_t *st, char *errstr, size_t sz)
{
    if (co_port_kafka_test_hook(st, errstr, sz) != 0)
        return -1;
    st->producer = co__producer_new(st, errstr, sz);
    if (st->producer == NULL)
        return -1;
    st->max_bytes = co__conf_max_bytes(st->producer);
    /* learn the output topics' partitions and leaders now, and keep the
     * topic handles: a record produced to a topic the producer does not
     * know yet waits for librdkafka's 1 s topic scan */
    const char *outs[2] = {st->sc->output, st->sc->dlq_topic};
    for (int i = 0; i < 2; i++) {
        if (outs[i] == NULL)
            continue;
        st->out_rkt[i] = rd_kafka_topic_new(st->producer, outs[i], NULL);
        const rd_kafka_metadata_t *md = NULL;
        if (st->out_rkt[i] &&
            rd_kafka_metadata(st->producer, 0, st->out_rkt[i], &md, 5000) == 0)
            rd_kafka_metadata_destroy(md);
    }
    if (st->sc->n_inputs == 0)
        return 0;
    st->consumer = co__consumer_new(st, errstr, sz);
    return st->consumer ? 0 : -1;
}

/* ---- consumed records -----------------------------------------------------
 */

size_t co_stage_msg_headers(const rd_kafka_message_t *msg, co_header_t *hbuf,
                            size_t max)
{
    rd_kafka_headers_t *hdrs = NULL;
    size_t nh = 0;
    if (rd_kafka_message_headers(msg, &hdrs) == 0) {
        const char *name;
        const void *val;
        size_t size;
        while (nh < max &&
               rd_kafka_header_get_all(hdrs, nh, &name, &val, &size) == 0) {
            hbuf[nh].name = name;
            hbuf[nh].value = val;
            hbuf[nh].value_len = size;
            nh++;
        }
    }
    return nh;
}

void co_stage_msg_record(const co_stage_t *st, const rd_kafka_message_t *msg,
                         co_header_t *hbuf, size_t max, co_record_t *rec)
{
    *rec = (co_record_t)CO_RECORD_INIT;
    rec->key = msg->key;
    rec->key_len = msg->key_len;
    rec->value = msg->payload;
    rec->value_len = msg->len;
    rec->topic = rd_kafka_topic_name(msg->rkt);
    rec->partition = msg->partition;
    rec->offset = msg->offset;
    rec->timestamp_ms = rd_kafka_message_timestamp(msg, NULL);
    /* librdkafka 2.0.2 parses (and allocates) a record's header section as
     * soon as it is asked for, even an empty one: skipped for a stage with
     * `input_headers: false` or whose plugin declares it reads none (ABI
     * 1.3), read for its dead letters only */
    if (st->in_headers) {
        rec->header_cnt = co_stage_msg_headers(msg, hbuf, max);
        rec->headers = rec->header_cnt ? hbuf : NULL;
    }
}
