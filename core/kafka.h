/**
 * @file core/kafka.h
 * @brief librdkafka set-up: client configuration from the manifest, the
 *        embedded broker (librdkafka's mock cluster, in memory), topic
 *        creation, watermarks and consumer-group lag. Not installed.
 *
 * The embedded broker speaks the real Kafka protocol on loopback ports but
 * keeps everything in memory and only the newest 5 MiB (or 100,000
 * message sets) per partition (DESIGN.md); the host sizes partitions and
 * applies backpressure so that nothing is dropped, and reports loss when it
 * happens anyway.
 */
#ifndef CO_CORE_KAFKA_H
#define CO_CORE_KAFKA_H

#include "manifest.h"
#include <librdkafka/rdkafka.h>
#include <stdint.h>

/** Bytes the mock cluster keeps per partition (librdkafka 2.0.2). */
#define CO_MOCK_PARTITION_BYTES (5 * 1024 * 1024)

/**
 * @brief A new librdkafka configuration with the manifest's `kafka`
 *        properties (except bootstrap.servers) and `bootstrap`.
 *
 * Its log callback is co_kafka_log_quiet(): librdkafka's own lines go to
 * the JSON log at debug level, never to stderr as `%3|...` (the host's
 * helper clients and the `dlq` command report their failures themselves);
 * a stage's clients set co_kafka_log_cb() instead.
 * @returns The conf (owned by the caller until rd_kafka_new() succeeds),
 *          or NULL with the offending property in errstr.
 */
/**
 * @brief A librdkafka log callback (rd_kafka_conf_set_log_cb()) for a
 *        stage's clients: syslog levels 0-3 are ERROR, 4 WARN, the rest
 *        debug, under the plugin name "librdkafka"; the note that a
 *        property is ignored by a producer or a consumer, and FATAL (told
 *        once by the error callback), are debug. Thread-safe (co_log()).
 */
void co_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac,
                     const char *buf);

/**
 * @brief A librdkafka log callback that writes every line at debug level
 *        (CAREEROPS_LOG_LEVEL=debug shows them). Thread-safe.
 */
void co_kafka_log_quiet(const rd_kafka_t *rk, int level, const char *fac,
                        const char *buf);

rd_kafka_conf_t *co_kafka_conf_new(const co_manifest_t *m,
                                   const char *bootstrap, char *errstr,
                                   size_t errstr_size);

/**
 * @brief The manifest's SASL mechanism: `kafka.sasl.mechanisms`, else its
 *        alias `kafka.sasl.mechanism`.
 * @param key Set to the property's name that holds it (may be NULL).
 * @returns The value (owned by `m`), or NULL when neither is set.
 * @remark Pure; any thread.
 */
const char *co_kafka_sasl_mechanism(const co_manifest_t *m, const char **key);

/**
 * @brief rd_kafka_conf_set() with librdkafka's reason as one line (its
 *        range messages end in a newline).
 * @param e Receives the reason on failure (e_size bytes, NUL-terminated).
 * @returns 0, or -1 when librdkafka refuses the name or value.
 * @remark Thread-safe as rd_kafka_conf_set() is (one conf per thread).
 */
int co_kafka_conf_set(rd_kafka_conf_t *conf, const char *name,
                      const char *value, char *e, size_t e_size);

/**
 * @brief Check the file a property names that librdkafka reads only when a
 *        client is made (ssl.ca.location, ssl.certificate.location,
 *        ssl.key.location, ssl.crl.location, ssl.keystore.location,
 *        sasl.kerberos.keytab): it must be readable and a regular file (a
 *        folder too for ssl.ca.location), so that OpenSSL's words are not
 *        all the user gets and a FIFO does not block the client's creation
 *        for ever (trial 54). stat() and access() only; nothing is opened.
 * @param e Receives "what is wrong: the fix" (the value quoted; no
 *        "kafka.NAME: " prefix) on failure.
 * @returns 0 (fine, or not such a property), or -1.
 * @remark Any thread.
 */
int co_kafka_file_check(const char *name, const char *value, char *e,
                        size_t e_size);

/** @brief Set one property; on failure write "kafka.NAME: reason".
 *  @returns 0 or -1. */
int co_kafka_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                 char *errstr, size_t errstr_size);

/** The embedded broker (a mock cluster owned by a private handle). */
typedef struct co_embedded_s co_embedded_t;

/** @brief Start an embedded cluster of `brokers` brokers on loopback.
 *  @returns It, or NULL with the reason. */
co_embedded_t *co_embedded_start(int brokers, char *errstr, size_t errstr_size);
/** @brief Its bootstrap servers ("127.0.0.1:PORT,..."), owned by it. */
const char *co_embedded_bootstraps(const co_embedded_t *e);
/** @brief The mock cluster, for fault injection in tests. */
void *co_embedded_mock(const co_embedded_t *e);
/**
 * @brief Create the topics of manifest `path` on the mock cluster
 *        (`careerops broker --manifest`). The broker needs only their names
 *        and partitions: the manifest's other faults (an unset
 *        ${env:CAREEROPS_STATE}, a plugin option) are printed to stderr as
 *        warnings; a topic whose name is not legal is refused (every fault
 *        printed as an error, no topic created).
 * @param sets NULL-terminated "PATH=VALUE" overrides applied to the
 *        manifest as `run --set` does (borrowed), or NULL.
 * @returns 0, or 2 when the file cannot be read or parsed, or names a topic
 *          that cannot be created (printed).
 */
int co_embedded_create_manifest_topics(co_embedded_t *e, const char *path,
                                       const char *const *sets);
/** @brief Create a topic directly on the mock cluster (0 or -1). */
int co_embedded_create_topic(co_embedded_t *e, const char *topic,
                             int partitions);
/** @brief Stop it (all data is lost). NULL is allowed. */
void co_embedded_stop(co_embedded_t *e);

/**
 * @brief Create every topic of the manifest that does not exist yet, with
 *        its configured partitions, through the Admin API.
 * @param mock Out, may be NULL: set to 1 when the broker is librdkafka's
 *        mock cluster (its cluster id starts "mockCluster": what
 *        `careerops broker` runs), else 0; set only when the call returns 0.
 * @returns 0 (created or already there), -2 with the reason when the
 *          broker did not answer (an outage: retrying may help), or -1
 *          with the reason for a configuration fault (a refused login, a
 *          host name that does not resolve, a bad client setting). A broker
 *          that does not support CreateTopics (the standalone embedded
 *          broker) is not an error: topics are then auto-created.
 */
int co_kafka_create_topics(const co_manifest_t *m, const char *bootstrap,
                           int *mock, char *errstr, size_t errstr_size);

/** @brief Consumer group id of a stage: "careerops.<pipeline>.<stage>". */
void co_kafka_group_id(const co_manifest_t *m, const char *stage, char *out,
                       size_t size);

/** Lag of one consumer group on one topic. */
typedef struct co_lag_s {
    int partitions;      /**< number of partitions measured */
    int64_t total;       /**< sum of (high watermark - committed) */
    int64_t max;         /**< largest per-partition lag */
    int64_t lost;        /**< partitions whose commit < low watermark */
    int64_t *per_part;   /**< per-partition lag (malloc'd, may be NULL) */
    int64_t *committed;  /**< per-partition committed offset (-1 none) */
    int64_t *low, *high; /**< per-partition watermarks */
} co_lag_t;

/** A rebalance callback's shape (rd_kafka_conf_set_rebalance_cb()). */
typedef void (*co_kafka_rebalance_fn)(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                      rd_kafka_topic_partition_list_t *parts,
                                      void *opaque);

/**
 * @brief Close a consumer and destroy it, waiting at most `timeout_ms` for
 *        it to leave its group (rd_kafka_consumer_close_queue()).
 *
 * librdkafka 2.0.2's rd_kafka_consumer_close() waits for the group
 * coordinator without a bound: against a broker that is gone it kept a
 * stopping host for minutes (trials 41, 43). Rebalance events that come
 * while closing are handed to `on_rebalance` (the revocation's flush and
 * commit), as rd_kafka_consumer_close() would call the callback. When the
 * consumer has not closed in time, it is destroyed without leaving its
 * group (RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE): the coordinator notices
 * after session.timeout.ms, and what was not committed is read again.
 * @param rk The consumer; owned: destroyed in every case. NULL: nothing.
 * @param timeout_ms The bound (ms); `give_up` ends the wait early.
 * @param on_rebalance Called with `arg` for rebalance events, or NULL.
 * @param give_up Returns nonzero to stop waiting (a hard stop), or NULL.
 * @returns 0 when the consumer left its group, -1 when it was destroyed
 *          without (timed out or given up).
 * Thread-safety: call from the thread that owns the consumer.
 */
int co_kafka_consumer_close(rd_kafka_t *rk, int timeout_ms,
                            co_kafka_rebalance_fn on_rebalance,
                            int (*give_up)(void *arg), void *arg);

/**
 * @brief The number of partitions `topic` has on the broker, from a
 *        metadata request for that topic (librdkafka rd_kafka_metadata()).
 * @param rk Any client (producer or consumer); borrowed.
 * @param timeout_ms How long to wait for the answer (ms).
 * @returns The count (> 0), or 0 when the broker did not answer in time,
 *          does not know the topic, or reports an error for it.
 * Thread-safety: as librdkafka's metadata call (any thread).
 */
int co_kafka_topic_partitions(rd_kafka_t *rk, const char *topic,
                              int timeout_ms);

/** A handle that reads committed offsets of one group without joining. */
typedef struct co_lagmon_s co_lagmon_t;

/** @brief Watch `group`'s position on `topic`. */
co_lagmon_t *co_lagmon_new(const co_manifest_t *m, const char *bootstrap,
                           const char *group, const char *topic, char *errstr,
                           size_t errstr_size);
/**
 * @brief Measure the lag now (watermarks and committed offsets).
 * @param out Filled; free arrays with co_lag_free().
 * @returns 0, or -1 if the broker did not answer in `timeout_ms`.
 */
int co_lagmon_measure(co_lagmon_t *l, int timeout_ms, co_lag_t *out);
/** @brief Free the arrays of a co_lag_t. */
void co_lag_free(co_lag_t *lag);
/** @brief Free a monitor; NULL is allowed. */
void co_lagmon_free(co_lagmon_t *l);
/** @brief The group and topic a monitor watches. */
const char *co_lagmon_group(const co_lagmon_t *l);
const char *co_lagmon_topic(const co_lagmon_t *l);

#endif
