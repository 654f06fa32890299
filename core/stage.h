/**
 * @file core/stage.h
 * @brief One running instance of a stage: its plugin instance, Kafka
 *        consumer and producer, retry/dead-letter/commit logic, rate limit
 *        and the host services (co_host_api) the plugin calls. Not
 *        installed.
 *
 * Threading: every function here is called from the instance's own worker
 * thread, except co_stage_status_json(), co_stage_request() and the
 * atomically-read fields documented below, which the supervisor uses.
 */
#ifndef CO_CORE_STAGE_H
#define CO_CORE_STAGE_H

#include "kafka.h"
#include "loader.h"
#include "manifest.h"
#include "metrics.h"
#include "options.h"
#include "ratelimit.h"
#include "state.h"

#include <pthread.h>

/** Lifecycle of a stage instance (as shown by /api/stages). */
typedef enum co_stage_state_e {
    CO_STAGE_STARTING = 0,
    CO_STAGE_RUNNING,
    CO_STAGE_PAUSED,
    CO_STAGE_WAITING, /**< backing off (retries, broker or state store) */
    CO_STAGE_DONE,    /**< a source reached CO_EOF and drained */
    CO_STAGE_STOPPED, /**< stopped on request */
    CO_STAGE_FAILED   /**< FATAL, or FAIL with errors.tolerance none */
} co_stage_state_t;

/** @brief Name of a stage state ("RUNNING"). */
const char *co_stage_state_name(co_stage_state_t s);

typedef struct co_runtime_s co_runtime_t;

/** A pending source position (co_host_api_t::source_offset). */
typedef struct co_srcpos_s {
    char *key;
    char *value;
    size_t len;
    uint64_t seq; /**< emits made before it was registered */
} co_srcpos_t;

/** Per-partition expected next offset, for gap (data loss) detection. */
typedef struct co_expect_s {
    char *topic;
    int32_t partition;
    int64_t next;
} co_expect_t;

/** A token bucket of one rate-limit key (rate_limit.key). */
typedef struct co_keybucket_s {
    char *key;
    co_bucket_t bucket;
} co_keybucket_t;

/** One stage instance. */
struct co_stage_s {
    co_runtime_t *rt;             /**< owning runtime, NULL in capture */
    const co_manifest_t *m;       /**< borrowed */
    const co_stage_conf_t *sc;    /**< borrowed */
    const co_plugin_handle_t *ph; /**< borrowed */
    int instance;                 /**< 0..concurrency-1 */
    char group[300];              /**< consumer group id */
    char ns[300];                 /**< state namespace pipeline/stage */
    const char *bootstrap;        /**< borrowed */

    void *inst;
    void *cfg;
    co_optmem_t *mem;
    rd_kafka_t *producer;
    rd_kafka_t *consumer;
    rd_kafka_topic_partition_list_t *offsets; /**< next offsets to commit */
    rd_kafka_queue_t *commit_q;               /**< answers of offset commits */
    int64_t uncommitted;
    int64_t last_commit_ms;
    int delivery_failed;
    co_state_t *state;
    co_bucket_t bucket; /**< stage-wide rate-limit bucket */
    co_keybucket_t *kb; /**< per-key buckets (rate_limit.key) */
    size_t n_kb;
    co_expect_t *expect;
    size_t n_expect;

    /* what the current callback reported */
    char err_class[64];
    char err_msg[1024];
    int64_t retry_hint_ms;
    int attempts;
    const rd_kafka_message_t *cur;

    /* sources */
    co_srcpos_t *pend;
    size_t n_pend;
    uint64_t emit_seq; /**< records emitted (atomic reads) */
    int64_t inflight;  /**< produced, not yet acknowledged (atomic) */
    uint64_t safe_seq; /**< set by the supervisor (atomic) */
    int64_t bytes_out; /**< bytes produced, for size estimates */
    int64_t *hw;       /**< per-partition acked end offset */
    int n_hw;

    /* status, shared with the supervisor (lock) */
    pthread_mutex_t lock;
    co_stage_state_t status;
    char last_error[1024];
    int stop;     /**< atomic: stop requested */
    int pause;    /**< atomic: pause requested */
    int finished; /**< atomic: worker returned */
    pthread_t thread;

    /* metrics */
    co_metric_t *m_in, *m_out, *m_failed, *m_dlq, *m_retried, *m_skipped,
        *m_latency, *m_rl_wait, *m_bp_wait, *m_loss;

    /* capture mode (no Kafka) */
    void (*capture_emit)(void *arg, const co_record_t *rec);
    void *capture_arg;
    int64_t sim_now_ms; /**< simulated clock when capture_sim is set */
    int capture_sim;
};

/**
 * @brief Create an instance: fill the plugin config, open the state store,
 *        call the plugin's init(). No Kafka handles yet.
 * @returns The instance, or NULL with the reason in errstr.
 */
co_stage_t *co_stage_new(co_runtime_t *rt, const co_manifest_t *m,
                         const co_stage_conf_t *sc, int instance,
                         const char *bootstrap, char *errstr,
                         size_t errstr_size);

/** @brief The worker thread body (pthread start routine). */
void *co_stage_main(void *arg);

/** @brief Stop the plugin, destroy everything; NULL is allowed. */
void co_stage_free(co_stage_t *st);

/** @brief Status as a JSON object text (malloc'd). Thread-safe. */
char *co_stage_status_json(co_stage_t *st);

/** @brief Set the status (and last error when msg is not NULL).
 *  Thread-safe. */
void co_stage_set_status(co_stage_t *st, co_stage_state_t s, const char *msg);

/** @brief Read the status. Thread-safe. */
co_stage_state_t co_stage_get_status(co_stage_t *st);

/** @brief Write every pending source position now (after the worker
 *         ended and downstream drained). */
void co_stage_source_commit_final(co_stage_t *st);

/** @brief Process one record through the plugin with the stage's retry,
 *         when and rate-limit rules (used by capture mode and the worker).
 * @returns Final status; CO_FAIL means "dead-letter it". */
co_status_t co_stage_process_one(co_stage_t *st, const co_record_t *rec);

#endif
