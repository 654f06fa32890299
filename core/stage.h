/**
 * @file core/stage.h
 * @brief One running instance of a stage: its plugin instance, its ports
 *        (Kafka, or in-memory capture), retry/dead-letter logic, rate limit
 *        and the host services (co_host_api) the plugin calls. Not
 *        installed.
 *
 * Files: stage.c (life cycle, status, record processing with retries and
 * rate limits), host_api.c (the services table), port.h with
 * port_kafka.c (Kafka output, delivery reports, producer set-up),
 * worker.c (the consumer loop, pipelined commits) and worker_source.c (the
 * source loop, backpressure, source positions); capture.c has the
 * capture port.
 *
 * Threading: every function here is called from the instance's own worker
 * thread, except co_stage_status_json(), co_stage_set_status(),
 * co_stage_get_status() and the atomically-read fields documented below,
 * which the supervisor uses.
 */
#ifndef CO_CORE_STAGE_H
#define CO_CORE_STAGE_H

#include "ce.h"
#include "kafka.h"
#include "loader.h"
#include "manifest.h"
#include "metrics.h"
#include "offtrack.h"
#include "options.h"
#include "backoff.h"
#include "co_bucket.h"
#include "state.h"

#include <pthread.h>

/** How long the last flush at a stage's end may send before the plugin's
 *  stopping() says 1 again, in ms (co_stage_t::end_flush_since_ms). */
#define CO_LAST_FLUSH_GRACE_MS 10000

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

/** Values of co_stage_t::stop and of the runtime's stop flag. */
typedef enum co_stop_e {
    CO_STOP_NONE = 0,      /**< keep running */
    CO_STOP_REQUESTED = 1, /**< finish the current record, commit, return */
    CO_STOP_HARD = 2,      /**< runtime only: give up waiting, exit now */
    CO_STOP_RESTART = 3    /**< stop; the supervisor starts a fresh one */
} co_stop_t;

/** Values of co_stage_t::finished. */
typedef enum co_finish_e {
    CO_FINISH_RUNNING = 0,  /**< the worker thread runs */
    CO_FINISH_RETURNED = 1, /**< the worker returned, not joined yet */
    CO_FINISH_JOINED = 2    /**< the supervisor joined the thread */
} co_finish_t;

/**
 * What a stage needs from the runtime that runs it (pipeline.c fills it;
 * NULL in capture mode). Borrowed for the stage's life.
 */
typedef struct co_stage_env_s {
    const int *stop;          /**< runtime stop flag (co_stop_t), atomic */
    int embedded;             /**< in-process embedded broker */
    int mock_broker;          /**< librdkafka's mock cluster, in process or
                                   `careerops broker`: topics start empty,
                                   the window is CO_MOCK_PARTITION_BYTES */
    int defer_source_offsets; /**< sources save positions only once
                                   downstream drained (safe_seq) */
    int64_t bp_limit_records; /**< backpressure limit per partition, 0 off */
    int until_idle;           /**< a batch run (`run --until-idle`): a source
                                   still failing after its retries FAILs the
                                   stage, which ends the run (exit 1), instead
                                   of pausing and trying again for ever */
    /** Downstream committed offset of topic/partition: -1 none consumes
     *  it, -2 not measured yet (co_runtime_downstream_committed()).
     *  Thread-safe. */
    int64_t (*downstream_committed)(void *arg, const char *topic,
                                    int32_t partition);
    /** The broker's end offset (high watermark) of topic/partition as the
     *  runtime last measured it, all producers included; -1 unknown
     *  (co_bp_downstream_end()). Thread-safe. NULL: none. */
    int64_t (*downstream_end)(void *arg, const char *topic, int32_t partition);
    void *arg; /**< for downstream_committed and downstream_end */
} co_stage_env_t;

typedef struct co_port_s co_port_t;

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
    int64_t next; /**< next offset expected, -1 unknown */
    size_t trk;   /**< its index in co_stage_t::trk */
} co_expect_t;

/** A token bucket of one rate-limit key (rate_limit.key). */
typedef struct co_keybucket_s {
    char *key;
    co_bucket_t bucket;
} co_keybucket_t;

/** One stage instance. */
struct co_stage_s {
    const co_stage_env_t *env;    /**< borrowed, NULL in capture */
    const co_manifest_t *m;       /**< borrowed */
    const co_stage_conf_t *sc;    /**< borrowed */
    const co_plugin_handle_t *ph; /**< borrowed */
    const co_port_t *port;        /**< output port (Kafka or capture) */
    int in_init;                  /**< 1 while the plugin's init() runs */
    const char *emit_refused;     /**< the emit() refusal logged last */
    int instance;                 /**< 0..concurrency-1 */
    char group[300];              /**< consumer group id */
    char ns[300];                 /**< state namespace pipeline/stage */
    const char *bootstrap;        /**< borrowed */

    void *inst;
    void *cfg;
    co_optmem_t *mem;
    rd_kafka_t *producer;
    rd_kafka_t *consumer;
    rd_kafka_topic_t *out_rkt[2]; /**< output and dead-letter topics, kept
                                       known to the producer */
    rd_kafka_topic_t **in_rkt;    /**< input topics (static assignment) */
    rd_kafka_queue_t *commit_q;   /**< answers of asynchronous commits */
    size_t max_bytes;             /**< the producer's message.max.bytes */
    co_offtrack_t trk;            /**< input records in flight */
    uint64_t cur_tok;             /**< token of the record being processed */
    int bp_nparts;       /**< partitions of the output topic as the broker has
                              them (backpressure; 0: not asked yet; worker) */
    char odd_topic[128]; /**< the last emit() topic that is in no
                              manifest (warned once; worker) */
    const co_record_t *cur_in; /**< the input record inside process()
                                    (borrowed; NULL outside), for a
                                    dead letter in its place */
    int64_t last_commit_ms;
    int64_t last_flush_ms;
    int64_t next_flush_ms; /**< after a failed flush: when to try again */
    int flush_fails;       /**< consecutive flush attempts that failed
                                (written by the worker with __atomic
                                stores; the drain reads it) */
    int64_t flush_warn_ms; /**< when the last WARN about a failing flush
                                was logged (worker) */
    int held_back;         /**< partitions paused (flush failing, pause) */
    int wait_failed; /**< a flush during a rate-limit wait FAILED the stage */
    int64_t rl_wait_until_ms; /**< atomic: co_mono_ms() when the token the
                                   current record waits for comes; 0 */
    int delivery_failed;
    /** the stage stopped with work not committed: its last offset commit
     *  was not answered, or (a source) the broker did not acknowledge its
     *  last records in time. They are read again at the next start, and
     *  the host exits 1 (worker thread; read after the join) */
    int unfinished_at_stop;
    /** `run --until-idle`: co_mono_ms() when co_stage_new() began to wait
     *  for the state store, and whether it gave up after
     *  CO_STAGE_UNTIL_IDLE_STATE_WAIT_MS (creating thread only) */
    int64_t state_wait_from_ms;
    int state_gave_up;
    /** atomic: co_mono_ms() when the stage's last flush at its end began,
     *  0 outside it: for CO_LAST_FLUSH_GRACE_MS after it, the plugin's
     *  stopping() says 0 so that the flush can send what it holds
     *  (a sink's HTTP requests were cut by their stop hook and a plain
     *  SIGTERM exited 1); a second signal still cuts it */
    int64_t end_flush_since_ms;
    /** atomic: a Kafka client of the stage met a fatal error
     *  (co_port_kafka_fatal()): the stage stops FAILED and commits
     *  nothing more (offsets, source positions) */
    int kafka_fatal;
    /** test hook CAREEROPS_TEST_KAFKA_FATAL_AFTER: the producer's fatal
     *  error after this many records (0: off) */
    uint64_t test_fatal_after;
    /** when librdkafka said all brokers are down (co_mono_ms(), 0: up) and
     *  when to ask the broker again (co_port_kafka_broker_check(); worker
     *  thread only) */
    int64_t broker_down_ms, broker_check_ms;
    int in_headers; /**< hand the plugin the input's headers: the stage's
                         `input_headers`, else what the plugin declares
                         (co_plugin_input_headers()) */
    co_ce_t ce;
    co_state_t *state;
    co_bucket_t bucket; /**< stage-wide rate-limit bucket */
    co_keybucket_t *kb; /**< per-key buckets (rate_limit.key) */
    size_t n_kb;
    co_expect_t *expect;
    size_t n_expect;
    struct co_eos_s *eos; /**< exactly-once loop state (eos.c), or NULL */

    /* what the current callback reported */
    char err_class[64];
    char err_msg[1024];
    int64_t retry_hint_ms;
    int attempts;

    /* sources */
    co_srcpos_t *pend;
    size_t n_pend;
    co_offtrack_t src_trk; /**< emits in flight (one pseudo-partition) */
    uint64_t emit_seq;     /**< records emitted (atomic reads) */
    int64_t inflight;      /**< produced, not yet acknowledged (atomic) */
    uint64_t safe_seq;     /**< set by the supervisor (atomic) */
    int64_t bytes_out;     /**< bytes produced (key, value, headers), for
                                size estimates */
    int64_t *hw;           /**< per-partition acked end offset */
    int n_hw;
    /** emit_seq at which co_stage_backpressure() measures again
     *  (UINT64_MAX: never, no stage reads the output topic) */
    uint64_t bp_recheck;
    /** 1 while this stage shows WAITING because its state store is
     *  unreachable (set by the store's wait callback and co__state_wait,
     *  cleared with RUNNING again when the operation returns; worker
     *  thread only) */
    int state_waiting;

    /* status, shared with the supervisor (lock) */
    pthread_mutex_t lock;
    co_stage_state_t status;
    char last_error[1024];
    int stop;     /**< atomic co_stop_t: stop requested */
    int pause;    /**< atomic: pause requested */
    int finished; /**< atomic co_finish_t */
    pthread_t thread;

    /* metrics (records in/out are counted locally and published by
     * co_stage_publish_counts(), once per batch) */
    uint64_t n_in_unpublished, n_out_unpublished;
    /** records processed within the millisecond they started (latency 0
     *  at the histogram's resolution), observed once per batch */
    uint64_t n_lat_zero;
    /** when the previous record's processing ended (co_mono_ms), and the
     *  start the worker hands the next record of the same batch (-1: read
     *  the clock): one clock read per record instead of two */
    int64_t lat_end_ms, lat_start_ms;
    /** records of a batch processed since lat_t0 without a clock read
     *  (an open latency block), and the block length: one clock read per
     *  lat_block records, doubled up to 32 while blocks end within their
     *  first millisecond, back to 1 when one does not
     *  (co_stage_lat_close()) */
    int64_t lat_t0;
    uint32_t lat_pend, lat_block;
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
 * @param env The runtime's services, or NULL (capture mode).
 * @returns The instance, or NULL with the reason in errstr.
 */
co_stage_t *co_stage_new(const co_stage_env_t *env, const co_manifest_t *m,
                         const co_stage_conf_t *sc, int instance,
                         const char *bootstrap, char *errstr,
                         size_t errstr_size);

/**
 * @brief Whether the calling thread's last co_stage_new() returned NULL
 *        because a `run --until-idle` gave up on a state store that did
 *        not answer in time (an infrastructure failure: exit 1, not the
 *        configuration's 2).
 * @returns 1 or 0. Thread-safe (a thread-local flag).
 */
int co_stage_new_gave_up(void);

/** @brief The worker thread body (pthread start routine). */
void *co_stage_main(void *arg);

/**
 * @brief Close the instance's consumer, if it has one: its revocation
 *        callback flushes the plugin and commits what was acknowledged,
 *        then the consumer leaves its group, waiting at most 10 s (a broker
 *        that is gone: closed without leaving, with a WARN). Idempotent;
 *        NULL is allowed.
 *
 * Call it only once the instance's worker has returned. Instances of
 * different stages may be closed at the same time from different threads
 * (co_pipeline_run() does, so a stop with the broker gone waits 10 s once,
 * not once per stage); one instance from one thread only.
 */
void co_stage_close_consumer(co_stage_t *st);

/** @brief Stop the plugin, destroy everything (the consumer first, with
 *  co_stage_close_consumer()); NULL is allowed. Not thread-safe for one
 *  instance. */
void co_stage_free(co_stage_t *st);

/** @brief Status as a JSON object text (malloc'd). Thread-safe. */
char *co_stage_status_json(co_stage_t *st);

/** @brief Set the status (and last error when msg is not NULL); after a
 *  fatal Kafka error (co_port_kafka_fatal()) only FAILED is taken.
 *  Thread-safe. */
void co_stage_set_status(co_stage_t *st, co_stage_state_t s, const char *msg);

/** @brief Read the status. Thread-safe. */
co_stage_state_t co_stage_get_status(co_stage_t *st);

/** @brief Write every pending source position now (after the worker
 *         ended and downstream drained). */
void co_stage_source_commit_final(co_stage_t *st);

/** @brief Process one record through the plugin with the stage's retry,
 *         when and rate-limit rules (used by capture mode and the worker).
 * @returns Final status; CO_FAIL means "dead-letter it"; (co_status_t)-1
 *          when the stage was stopped while waiting; CO_STAGE_PUT_BACK
 *          when it was paused while it waited for a rate-limit token
 *          (Kafka consumer loop only, never under exactly-once). */
co_status_t co_stage_process_one(co_stage_t *st, const co_record_t *rec);

/** @brief End the open latency block of the worker's batch, if any: one
 *         clock read for its records (co_stage_process_one()). Called by
 *         the worker after each batch, before it polls again. */
void co_stage_lat_close(co_stage_t *st);

/** @brief 1 when the stage or its runtime was asked to stop. */
int co_stage_stopping(const co_stage_t *st);

/** @brief 1 when the runtime stops hard (no more waiting). */
int co_stage_hard_stop(const co_stage_t *st);

/**
 * @brief The end of a run's log: a WARN with the number of records the
 *        stages of this process dead-lettered, when there were any (and,
 *        with `in_process_broker`, that they are gone with the process's
 *        in-memory broker); and
 *        the exit status the run owes to data loss: 1, with an ERROR line
 *        naming the pipeline and the count, when a stage of this process
 *        saw the broker drop records before it read them (the DATA LOSS
 *        lines); else 0.
 * @param pipeline The manifest's pipeline name (borrowed), for the lines.
 * @param in_process_broker Non-zero when the broker lives in this process.
 * @remark Thread-safe; the counts cover the whole process.
 */
int co_stage_end_of_run(const char *pipeline, int in_process_broker);

/** @brief Records dead-lettered by the stages of this process so far
 *         (co_stage_dead_letter()). Thread-safe. */
int64_t co_stage_dead_letters(void);

/**
 * @brief The end of a stopping stage's ERROR about records it leaves
 *        unfinished: " at the next start (duplicates, none lost); exit
 *        status 1" when the process stops, " when the stage starts again
 *        (a restart; duplicates, none lost)" when only this stage is
 *        restarted (control API or its restart policy: the process runs on;
 *        trial 80 was told "exit status 1"). On a standalone embedded
 *        broker (`careerops broker`) "none lost" holds only while that
 *        broker runs, and the tail says so (trial 85). Static string; any
 *        thread.
 */
const char *co_stage_stop_tail(const co_stage_t *st);

/** @brief The stage's clock (simulated in capture mode), ms. */
int64_t co_stage_now(const co_stage_t *st);

/** @brief Sleep `ms` on the stage's clock while the port serves
 *         delivery reports. @returns 1 if stopped meanwhile, else 0. */
int co_stage_sleep(co_stage_t *st, int64_t ms);

/** Callback run by co_stage_with_retry(). */
typedef co_status_t (*co_stage_call_fn)(co_stage_t *st, const void *arg);

/**
 * @brief Call fn with the stage's retry policy (backoff, retry_after
 *        hints), at most `retries` retries (-1 forever).
 * @returns The final co_status_t, or -1 when stopped while backing off.
 */
int co_stage_with_retry(co_stage_t *st, co_stage_call_fn fn, const void *arg,
                        int retries);

/** @brief Add the locally counted records in/out to the metrics. */
void co_stage_publish_counts(co_stage_t *st);

/** co_stage_process_one()'s answer for a record that was not processed
 *  and goes back to be consumed again: the stage was paused while it
 *  waited for a rate-limit token (co_stage_wait_chores()). */
#define CO_STAGE_PUT_BACK (-2)

/**
 * @brief The consumer loop's chores while the current record waits for a
 *        rate-limit token: publish the counts, flush a sink whose batch is
 *        due (the waiting record is not released by it: it is not
 *        processed yet) and commit the positions that moved. Worker
 *        thread only; a no-op for a stage without a consumer and under
 *        exactly-once delivery (its commits go in its transactions).
 * @returns 0; 1 when the stage is paused (the wait ends and the record
 *          goes back: CO_STAGE_PUT_BACK); or -1 when the flush FAILED the
 *          stage (wait_failed set: the loop then ends as FAILED).
 */
int co_stage_wait_chores(co_stage_t *st);

/** @brief Log the current error, set FAILED with "what: error". */
void co_stage_fatal(co_stage_t *st, const char *what);

/** Bit of a co_status_t in the `allowed` mask of co_stage_plugin_status(). */
#define CO_STATUS_BIT(s) (1u << (unsigned)(s))

/**
 * @brief Checks the status a plugin callback returned (plugin-api
 *        co_status_t): a value outside `allowed` (a mask of
 *        CO_STATUS_BIT()s), e.g. -1 or 42 from a plugin bug, becomes
 *        CO_FATAL with the stage's error class "plugin" and message
 *        "FN returned N, not one of ..." (trial 40: -1 stalled the stage
 *        silently, 42 passed as CO_OK).
 * @param fn the callback's name for the message ("process()"), borrowed.
 * @returns `s` when allowed, else CO_FATAL. Worker thread of the stage.
 */
co_status_t co_stage_plugin_status(co_stage_t *st, const char *fn, int s,
                                   unsigned allowed);

/**
 * @brief Dead-letter `rec` through the stage's port with `cls`/`msg`.
 * @returns 0, or a negative co_err_t when it could not be produced.
 */
int co_stage_dead_letter(co_stage_t *st, const co_record_t *rec,
                         const char *cls, const char *msg, int attempts);

/** @brief Run the source loop (worker_source.c). @returns 0 or -1. */
int co_stage_source_loop(co_stage_t *st);

/** @brief Run the consumer loop (worker.c). @returns 0 or -1 (FAILED). */
int co_stage_consumer_loop(co_stage_t *st);

/** @brief Point hbuf[0..max) at a consumed record's headers (borrowed
 *         from msg) (worker.c). @returns How many. */
size_t co_stage_msg_headers(const rd_kafka_message_t *msg, co_header_t *hbuf,
                            size_t max);

/** @brief Fill *rec with a consumed record (key, value, topic, partition,
 *         offset, timestamp in ms; every pointer borrowed from msg and
 *         valid while msg lives) and, when the stage reads input headers
 *         (`input_headers`, or the plugin's ABI 1.3 flags), its headers in
 *         hbuf[0..max) (worker.c). Called from the stage's own thread. */
void co_stage_msg_record(const co_stage_t *st, const rd_kafka_message_t *msg,
                         co_header_t *hbuf, size_t max, co_record_t *rec);

/** @brief Subscribe the stage's consumer to its inputs (on the in-process
 *         embedded broker: take its partitions statically) (worker.c).
 *  @returns 0, or -1 with the stage FAILED. */
int co_stage_subscribe(co_stage_t *st);

/** @brief Write the source positions whose records are acknowledged
 *         (all of them when `final`, after draining). */
void co_stage_source_commit(co_stage_t *st, int final);

/** @brief Write a state value, waiting while the store is down (unless
 *         stopping). @returns 0 or a negative co_err_t. */
int co_stage_state_put(co_stage_t *st, const char *key, const void *value,
                       size_t len);

/** @brief The consumer's rebalance callback (worker.c): learns start
 *         offsets on assignment; flushes, drains and commits (bounded)
 *         before partitions are revoked. */
void co_stage_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t *parts,
                           void *opaque);

/** @brief Sources and processors: wait while the downstream lag of
 *         `topic` (their output) nears the backpressure limit
 *         (worker_source.c); returns at once, from then on, when no
 *         stage of the manifest reads `topic` (nothing to bound). */
void co_stage_backpressure(co_stage_t *st, const char *topic);

#endif
