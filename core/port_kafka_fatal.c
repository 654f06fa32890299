/* Fatal librdkafka errors after a stage started (librdkafka's
 * INTRODUCTION.md, "Fatal errors"): the idempotent producer's (fenced
 * epoch, out-of-sequence, unknown producer id), the transactional
 * producer's fencing, a consumer fenced by another member with its
 * group.instance.id. Such a client cannot produce (or consume) again; only
 * a new client can. The stage ends FAILED with one FATAL line naming the
 * error and the setting to check, and commits nothing more: records not
 * acknowledged are read again after a restart. Other errors are logged
 * as librdkafka logs them without an error_cb. */
#include "log.h"
#include "port.h"
#include "util.h"
#include <pthread.h>
#include <stdio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CO__ATOMIC_LOAD(p) __atomic_load_n((p), __ATOMIC_SEQ_CST)

int co_port_kafka_failed(const co_stage_t *st)
{
    return CO__ATOMIC_LOAD(&st->kafka_fatal) != 0;
}

/* The value of the client's setting `name`, or "(unset)". */
static const char *co__conf(rd_kafka_t *rk, const char *name, char *buf,
                            size_t sz)
{
    size_t n = sz;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), name, buf, &n) !=
            RD_KAFKA_CONF_OK ||
        buf[0] == '\0')
        snprintf(buf, sz, "(unset)");
    return buf;
}

/* The setting an operator checks for fatal error `err` of client rk. */
static void co__hint(const co_stage_t *st, rd_kafka_t *rk, int producer,
                     rd_kafka_resp_err_t err, char *out, size_t sz)
{
    char a[256], b[256];
    const char *name = st->sc->name;
    if (!producer) {
        snprintf(out, sz,
                 "check that no other host runs stage %s with the same "
                 "group.instance.id, here %s (kafka.group.instance.id; "
                 "exactly-once stages: give each process its own "
                 "CAREEROPS_MEMBER)",
                 name, co__conf(rk, "group.instance.id", a, sizeof a));
        return;
    }
    if (st->sc->delivery == CO_DELIVERY_EXACTLY_ONCE && st->sc->n_inputs > 0) {
        snprintf(out, sz,
                 "check that no other host runs stage %s with the same "
                 "transactional.id, here %s (a restarted copy of this one, "
                 "or two processes with the same CAREEROPS_MEMBER)",
                 name, co__conf(rk, "transactional.id", a, sizeof a));
        return;
    }
    if (err == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
        err == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED) {
        snprintf(out, sz,
                 "check the broker's ACLs for kafka.sasl.username "
                 "(IdempotentWrite on the cluster), or set "
                 "kafka.enable.idempotence to false, here %s",
                 co__conf(rk, "enable.idempotence", a, sizeof a));
        return;
    }
    snprintf(out, sz,
             "check kafka.enable.idempotence, here %s, and "
             "kafka.transactional.id, here %s: that no other host runs stage "
             "%s with the same transactional.id, and that the output topics "
             "keep this producer's records (UNKNOWN_PRODUCER_ID: retention "
             "deleted them)",
             co__conf(rk, "enable.idempotence", a, sizeof a),
             co__conf(rk, "transactional.id", b, sizeof b), name);
}

void co_port_kafka_fatal(co_stage_t *st, rd_kafka_t *rk,
                         rd_kafka_resp_err_t err, const char *reason)
{
    if (__atomic_exchange_n(&st->kafka_fatal, 1, __ATOMIC_SEQ_CST))
        return; /* one line per stage instance */
    char fe[512] = "", hint[768], m[2048];
    rd_kafka_resp_err_t code = rk ? rd_kafka_fatal_error(rk, fe, sizeof fe) : 0;
    if (code == RD_KAFKA_RESP_ERR_NO_ERROR) { /* not recorded: the caller's */
        code = err;
        snprintf(fe, sizeof fe, "%s", reason ? reason : rd_kafka_err2str(err));
    }
    int producer = rk == NULL || rk == st->producer;
    co__hint(st, rk ? rk : st->producer, producer, code, hint, sizeof hint);
    snprintf(m, sizeof m,
             "FATAL: stage %s: kafka %s fatal error: %s: %s (%s); the stage "
             "stops FAILED, nothing more is committed: records not "
             "acknowledged are read again after a restart",
             st->sc->name, producer ? "producer" : "consumer",
             rd_kafka_err2name(code), fe, hint);
    co_log(CO_LOG_ERROR, st->sc->name, st->sc->plugin, "%s", m);
    co_stage_set_status(st, CO_STAGE_FAILED, m);
}

void co_port_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason,
                            void *opaque)
{
    co_stage_t *st = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL && st != NULL) {
        co_port_kafka_fatal(st, rk, (rd_kafka_resp_err_t)err, reason);
        return;
    }
    /* as librdkafka logs an error when no error_cb is set */
    co_log(CO_LOG_ERROR, NULL, "librdkafka", "ERROR: %s: %s", rd_kafka_name(rk),
           reason);
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && st != NULL &&
        st->broker_down_ms == 0) {
        st->broker_down_ms = co_mono_ms();
        st->broker_check_ms = st->broker_down_ms + 2000;
        char m[600];
        snprintf(m, sizeof m,
                 "waiting for the broker: all brokers are down (librdkafka: "
                 "\"%s\", counting the bootstrap address and each broker "
                 "learned from it, so one broker may count twice); check "
                 "that bootstrap.servers names a running broker",
                 reason);
        co_stage_set_status(st, CO_STAGE_WAITING, m);
    }
}

int co_port_kafka_broker_check(co_stage_t *st)
{
    if (st->broker_down_ms == 0)
        return 0;
    int64_t now = co_mono_ms();
    if (now < st->broker_check_ms)
        return 1;
    st->broker_check_ms = now + 2000;
    rd_kafka_t *rk = st->consumer != NULL ? st->consumer : st->producer;
    const struct rd_kafka_metadata *md = NULL;
    if (rk == NULL ||
        rd_kafka_metadata(rk, 0, NULL, &md, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return 1;
    rd_kafka_metadata_destroy(md);
    co_log(CO_LOG_INFO, st->sc->name, st->sc->plugin,
           "the broker answers again after %lld s",
           (long long)((now - st->broker_down_ms) / 1000));
    st->broker_down_ms = 0;
    pthread_mutex_lock(&st->lock);
    int waiting = st->status == CO_STAGE_WAITING;
    pthread_mutex_unlock(&st->lock);
    if (waiting)
        co_stage_set_status(st, CO_STAGE_RUNNING, NULL);
    return 0;
}

int co_port_kafka_test_hook(co_stage_t *st, char *errstr, size_t sz)
{
    const char *v = getenv("CAREEROPS_TEST_KAFKA_FATAL_AFTER");
    st->test_fatal_after = 0;
    if (v == NULL)
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || *end != '\0' || n == 0 || v[0] == '-') {
        snprintf(errstr, sz,
                 "CAREEROPS_TEST_KAFKA_FATAL_AFTER=\"%s\": not a positive "
                 "count of records; this test hook (docs/operations.md) "
                 "takes e.g. 1000, or unset it",
                 v);
        return -1;
    }
    st->test_fatal_after = n;
    co_log(CO_LOG_WARN, st->sc->name, st->sc->plugin,
           "test hook CAREEROPS_TEST_KAFKA_FATAL_AFTER: the producer meets a "
           "fatal error after %llu records",
           n);
    return 0;
}

void co_port_kafka_test_fatal(co_stage_t *st)
{
    /* once per process: a stage restarted by errors.restart (which reads
     * its uncommitted records again) then runs on */
    static int fired;
    if (__atomic_exchange_n(&fired, 1, __ATOMIC_SEQ_CST))
        return;
    char why[128];
    snprintf(why, sizeof why, "CAREEROPS_TEST_KAFKA_FATAL_AFTER=%llu",
             (unsigned long long)st->test_fatal_after);
    rd_kafka_test_fatal_error(
        st->producer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, why);
}
