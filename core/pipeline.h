/**
 * @file core/pipeline.h
 * @brief The runtime of `careerops run`: the broker connection (or the
 *        embedded broker), topics, stage instances on their threads, the
 *        supervisor (lag, backpressure, data-loss detection, idle
 *        detection, restarts), signals and the HTTP endpoint. Not
 *        installed.
 */
#ifndef CO_CORE_PIPELINE_H
#define CO_CORE_PIPELINE_H

#include "kafka.h"
#include "manifest.h"
#include "stage.h"

typedef struct co_runtime_s co_runtime_t;

/** Atomic load/store of the runtime's and stages' shared flags. */
#define CO_RT_LOAD(p)     __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define CO_RT_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

/** Options of one run. */
typedef struct co_run_opts_s {
    const char *const *stages; /**< NULL-terminated names, NULL = all */
    int until_idle;            /**< exit 0 once sources are done and lag is 0 */
    int64_t drain_timeout_ms;  /**< on SIGTERM in embedded mode, wait this
                                    long for downstream stages to drain */
    const char *bootstrap_file; /**< write the embedded bootstraps here */
    const char *summary_json;   /**< write run counters here at exit */
    int no_backpressure;        /**< never pause sources */
} co_run_opts_t;

/** Downstream position of one partition, for backpressure. */
typedef struct co_bp_part_s {
    int64_t committed; /**< min committed offset of downstream groups; a
                            group with no commit counts from the base */
    int64_t high;      /**< the partition's high watermark when measured */
} co_bp_part_t;

/** Backpressure view of one topic that a local source produces to. */
typedef struct co_bp_topic_s {
    char *topic;
    co_lagmon_t **mons; /**< one per downstream group */
    size_t n_mons;
    co_bp_part_t *parts; /**< under co_runtime_t::bp_lock */
    int n_parts;         /**< 0 until measured once */
    int64_t *base;       /**< per partition, supervisor only: where a group with
                              no commit counts from: 0 on the mock cluster (its
                              topics start empty), else the low watermark at
                              first sight */
    int n_base;
} co_bp_topic_t;

/** The runtime of a run (pipeline.c: set-up and the control API's
 *  callbacks; supervisor.c, backpressure.c, drain.c). */
struct co_runtime_s {
    co_manifest_t *m;   /**< owned */
    co_embedded_t *emb; /**< in-process embedded broker, or NULL */
    char *bootstrap;    /**< bootstrap servers in use */
    co_stage_t **inst;  /**< every local stage instance */
    size_t n_inst;
    pthread_mutex_t inst_lock; /**< held to read inst[] from another thread
                                    (HTTP) and to replace an entry */
    int *restart_req;          /**< per inst[] index, atomic: 1 = restart
                                    requested through the control API */
    int stop;                  /**< atomic co_stop_t: shut down */
    const char *starting;      /**< under inst_lock: the stage whose
                                    instance is being created (its state
                                    store or its plugin may wait for a
                                    database), NULL once all exist; the
                                    control API answers 503 "starting" */
    int64_t starting_since_ms; /**< under inst_lock: co_mono_ms() then */
    int state_claim_fd;        /**< co_state_claim_stage()'s, or -1 */
    int defer_source_offsets;  /**< embedded in-process: sources save
                                    positions only once downstream drained */
    int mock_broker;           /**< the broker is librdkafka's mock cluster (in
                                    process, or `careerops broker`): in memory, a
                                    small window per partition, topics start empty */
    int64_t bp_limit_records;  /**< backpressure limit per partition, 0 off */
    pthread_mutex_t bp_lock;
    co_bp_topic_t *bp;
    size_t n_bp;
    co_stage_env_t env; /**< what stages see of the runtime */
};

/**
 * @brief Downstream committed offset of `topic`/`partition` (min across
 *        the groups consuming it); -1 when no local view covers it (no
 *        downstream stage); -2 when it is consumed downstream but not
 *        measured yet.
 * @remark Thread-safe.
 */
int64_t co_runtime_downstream_committed(co_runtime_t *rt, const char *topic,
                                        int32_t partition);

/**
 * @brief Whether stage `name` runs in this process (no --stage, or named
 *        by one).
 */
int co_run_is_local(const co_run_opts_t *o, const char *name);

/**
 * @brief Run the manifest until SIGTERM/SIGINT (or until idle).
 * @returns Process exit code: 0 clean, 1 a stage FAILED, 2 bad manifest or
 *          setup.
 */
int co_pipeline_run(co_manifest_t *m, const co_run_opts_t *o);

#endif
