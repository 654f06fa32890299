/**
 * @file core/manifest.h
 * @brief The pipeline manifest: JSON, parsed with jansson, validated in full
 *        before anything starts. Every fault is reported with the JSON path
 *        of the offending field (`stages[2].config.model`) and what to do.
 *        docs/manifest.md documents every field and its default.
 * @remark Not thread-safe while loading; read-only afterwards.
 */
#ifndef CO_CORE_MANIFEST_H
#define CO_CORE_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/** Most segments a `--set` path may have (`a.b[0].c` has 4). */
#define CO_SET_MAX_DEPTH 32

/** A list of diagnostics ("path: message"). Zero-initialize. */
typedef struct co_diag_s {
    char **msgs; /**< owned strings */
    size_t n;    /**< number of messages */
} co_diag_t;

/** @brief Append a diagnostic for JSON path `path`. */
void co_diag_add(co_diag_t *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** @brief 1 when `d` (NULL allowed) holds a diagnostic for exactly the JSON
 *         path `path` (a message "path: ..."), else 0. Not thread-safe. */
int co_diag_has(const co_diag_t *d, const char *path);
/** @brief Print every diagnostic to stderr as "error: ..." lines. */
void co_diag_print(const co_diag_t *d, const char *file);
/** @brief co_diag_print() with another level word ("warning"). */
void co_diag_print_as(const co_diag_t *d, const char *file, const char *level);
/** @brief Free the messages. */
void co_diag_free(co_diag_t *d);
/**
 * @brief Put "FILE: MSG; MSG; ..." (or "FILE: `none`" when there are no
 *        messages) into err, truncated to err_size, for callers that report
 *        one line (commands, captures).
 */
void co_diag_join(const co_diag_t *d, const char *file, const char *none,
                  char *err, size_t err_size);

/** Delivery guarantee of a stage. */
typedef enum co_delivery_e {
    CO_DELIVERY_AT_LEAST_ONCE = 0,
    CO_DELIVERY_EXACTLY_ONCE = 1
} co_delivery_t;

/** The CloudEvents headers a stage adds to the records it emits
 *  (`cloudevents`, docs/manifest.md). */
typedef enum co_ce_mode_e {
    CO_CE_BINARY = 0, /**< "binary" (default): ce_specversion, ce_id, ce_type,
                           ce_source and ce_time on every record */
    CO_CE_OFF = 1     /**< "off": none; for internal hops whose consumers
                           read no CloudEvents attributes */
} co_ce_mode_t;

/** One stage as declared (defaults applied). Owned by the manifest. */
typedef struct co_stage_conf_s {
    int index;              /**< position in stages[] */
    char *name;             /**< unique, [A-Za-z0-9_.-]+ */
    char *plugin;           /**< plugin name: a plain name (file NAME.so on
                                 the plugin path), never a path */
    char *plugin_file;      /**< `plugin_file`: absolute path of the plugin
                                 library, or NULL (look `plugin` up on the
                                 plugin path) */
    char **inputs;          /**< input topics (NULL-terminated), none=source */
    size_t n_inputs;        /**< number of input topics */
    int input_invalid;      /**< "input" is present but not a topic name
                                 or list of them (reported once; the
                                 checks that need the inputs skip it) */
    char *output;           /**< output topic, or NULL */
    json_t *when;           /**< predicate object, or NULL for all records */
    int tolerance_all;      /**< errors.tolerance: 1 "all" (dead-letter),
                                 0 "none" (stop the stage) */
    char *dlq_topic;        /**< errors.dead_letter_topic */
    int retries;            /**< errors.retries (default 3) */
    int64_t backoff_ms;     /**< errors.backoff_ms base (default 500) */
    int64_t backoff_max_ms; /**< errors.backoff_max_ms cap (default 60000) */
    int restart;            /**< errors.restart: restart a FATAL stage */
    int64_t restart_backoff_ms; /**< first restart delay (default 1000) */
    double rate_per_s;          /**< rate_limit: records per second, 0 = off */
    double burst;               /**< rate_limit.burst (default 1) */
    char *rate_key;             /**< rate_limit.key: field path for per-key
                                     buckets, or NULL */
    int concurrency;            /**< plugin instances (default 1) */
    co_delivery_t delivery;     /**< at-least-once (default) */
    int64_t commit_interval_ms; /**< how often offsets are committed
                                     (default 1000) */
    int64_t max_batch; /**< records per commit at most (default 5000) */
    json_t *config;    /**< plugin config object (expanded); owned */

    co_ce_mode_t cloudevents; /**< `cloudevents` (default binary) */
    int input_headers;        /**< `input_headers`: hand the input records'
                                   headers to the plugin (1) or not (0:
                                   never parsed; dead letters still carry
                                   them); -1 when unset: what the plugin
                                   declares (co_plugin_input_headers()) */
} co_stage_conf_t;

/** A topic declared or implied by the stages. */
typedef struct co_topic_conf_s {
    char *name;     /**< topic name */
    int partitions; /**< partitions to create (default from defaults) */
} co_topic_conf_t;

/** Alert thresholds (DESIGN.md "Alerts"). */
typedef struct co_alerts_conf_s {
    int64_t dlq_depth;    /**< alert when dead letters exceed (default 10) */
    int64_t consumer_lag; /**< alert when lag exceeds (default 100) */
    char *webhook_url;    /**< Slack webhook or PagerDuty URL, or NULL */
    char *kind;           /**< "slack" | "pagerduty" | NULL */
    char *routing_key;    /**< PagerDuty routing key, or NULL */
    char *topic;          /**< alert records topic (default "alerts") */
    int64_t for_s;        /**< seconds a threshold must stay crossed before the
                               alert fires (default 60; 0 = at once) */
} co_alerts_conf_t;

/** Default of http.idle_timeout_s: seconds without a byte from the client
 * after which the endpoint closes a connection. */
#define CO_HTTP_IDLE_TIMEOUT_S 30
/** Default of http.max_connections: connections the endpoint keeps open at
 * once (beyond it the oldest idle one is closed for the new one). */
#define CO_HTTP_MAX_CONNECTIONS 256
/** Twice the dashboard's database requests at once (core/dashboard.c);
 *  the endpoint itself has a thread per connection (trial 43, 45). */
#define CO_HTTP_THREADS 8

/** A loaded manifest. */
typedef struct co_manifest_s {
    char *path;            /**< file it was read from */
    char *dir;             /**< its folder: relative paths resolve here */
    char *pipeline;        /**< pipeline name; consumer groups derive from it */
    json_t *kafka;         /**< librdkafka properties (strings), owned */
    int embedded;          /**< bootstrap.servers was "embedded" */
    char *state;           /**< state store URI, or NULL (memory) */
    char *secrets_dir;     /**< absolute or manifest-relative, default
                                "/run/secrets" */
    char *http_listen;     /**< "127.0.0.1:PORT", or NULL = no endpoint */
    char *http_token_file; /**< http.token_file (absolute), or NULL:
                                the host makes a token per start */
    char **http_allowed_hosts; /**< http.allowed_hosts: extra Host names
                                    (NULL-terminated), or NULL */
    int http_idle_timeout_s;   /**< http.idle_timeout_s: seconds a connection
                                    may stay silent (default 30) */
    int http_max_connections;  /**< http.max_connections: open connections
                                    at most (default 256) */
    int default_partitions;    /**< defaults.partitions (default 4) */
    co_topic_conf_t *topics;   /**< every topic used, with partitions */
    size_t n_topics;
    co_stage_conf_t *stages;
    size_t n_stages;
    co_alerts_conf_t alerts;
    json_t *root; /**< the expanded document, owned */
} co_manifest_t;

/**
 * @brief Read, override, expand and validate a manifest.
 * @param path Manifest file.
 * @param sets NULL-terminated "path=value" overrides (`--set`), or NULL.
 *        The value is parsed as JSON when it is valid JSON, else taken as a
 *        string. Paths: `stages[1].plugin`, `stages.NAME.config.model`,
 *        `kafka.bootstrap.servers` (the rest after `kafka.` is one key).
 *        A path has at most CO_SET_MAX_DEPTH segments; an empty segment
 *        (`a..b`, `a.`, `=1`, `kafka.=1`) is an error.
 * @param diags Receives every fault found (all of them, not the first).
 * @returns A manifest (free with co_manifest_free()), NULL only when the
 *          file is unreadable or not a JSON object. The manifest is usable
 *          only if `diags->n` is 0; it is returned anyway so that plugin
 *          checks can add their faults to the same report.
 */
co_manifest_t *co_manifest_load(const char *path, const char *const *sets,
                                co_diag_t *diags);

/**
 * @brief co_manifest_load() on text in memory (fuzzing, tests).
 * @param path Name used in messages; @param dir folder that relative paths
 *        and secrets resolve against. Both borrowed.
 */
co_manifest_t *co_manifest_load_buffer(const char *text, size_t len,
                                       const char *path, const char *dir,
                                       const char *const *sets, co_diag_t *d);

/**
 * @brief Warn (log.h, WARN) when `state` is the in-memory store (absent,
 *        or "memory:...") while this process runs only some of the stages
 *        on an external broker: each such process keeps its source
 *        positions and once-only claims to itself and loses them when it
 *        ends, so a restart reads its inputs again and repeats what it
 *        sent (trial 80: 17 notifications became 34).
 * @param m The manifest (borrowed). Call from the starting thread.
 */
void co_manifest_state_warn_split(const co_manifest_t *m);

/** @brief Free a manifest; NULL is allowed. */
void co_manifest_free(co_manifest_t *m);

/** @brief Find a stage by name. @returns it or NULL. */
const co_stage_conf_t *co_manifest_stage(const co_manifest_t *m,
                                         const char *name);

/**
 * @brief 1 if `s` is a name a manifest takes for a stage or a topic: 1 to
 *        200 letters, digits, '_', '-', '.' (Kafka's legal topic
 *        characters); else 0. Pure; thread-safe.
 */
int co_manifest_name_ok(const char *s);

/** Size of a buffer that always holds co_manifest_stage_path()'s text. */
#define CO_STAGE_PATH_MAX 96

/**
 * @brief Whether the dotted field path `path` (of `when`, or
 *        `rate_limit.key`) has an empty part: "", ".a", "a." or "a..b".
 *        `path` must not be NULL. Thread-safe.
 * @returns 1 if it has one, else 0.
 */
int co_field_path_has_empty_part(const char *path);

/**
 * @brief The JSON path of stage `idx` as diagnostics name it:
 *        "stages[IDX] (NAME)", or "stages[IDX]" when `name` is NULL or not
 *        a valid stage name (then the name itself is the fault). A name
 *        over 64 characters is cut there.
 * @param buf Filled (truncated to sz, always NUL-terminated); use
 *        CO_STAGE_PATH_MAX bytes. @returns buf. Thread-safe.
 */
const char *co_manifest_stage_path(char *buf, size_t sz, size_t idx,
                                   const char *name);

/** Stage roles, by the stage's topics, for co_manifest_stage_list(). */
enum {
    CO_STAGE_SOURCE = 1,    /**< no input */
    CO_STAGE_PROCESSOR = 2, /**< input and output */
    CO_STAGE_SINK = 4,      /**< input, no output */
    CO_STAGE_ANY = 7
};

/**
 * @brief The names of m's stages whose role is in `roles` (CO_STAGE_*),
 *        in manifest order, as "a, b, c" ("none" when there are none), for
 *        messages that say which stage names can be given.
 * @param buf Filled (truncated to sz, always NUL-terminated).
 * @returns buf. Thread-safe on a manifest nobody modifies.
 */
const char *co_manifest_stage_list(const co_manifest_t *m, unsigned roles,
                                   char *buf, size_t sz);

/** @brief Partitions configured for topic `name` (default if unknown). */
int co_manifest_partitions(const co_manifest_t *m, const char *name);

/**
 * @brief Warnings for stage inputs that no stage of the pipeline writes
 *        (as its output or its dead-letter topic) nor the alerts: a typo'd
 *        topic name ("classifed_events") leaves a stage waiting for ever.
 *        Not an error, since a topic may be fed from outside the pipeline
 *        (another pipeline, a producer of the user's own).
 *
 * One message per such input, at the input's JSON path
 * (`stages[i].input` or `stages[i].input[k]`), with "did you mean" a
 * written topic when one is at most 2 edits away (co_closest_name()).
 * @param m A loaded manifest (borrowed).
 * @param warn Receives the messages (co_diag_free() them).
 * @returns The number of warnings added. Thread-safe for distinct `warn`.
 */
size_t co_manifest_unfed_inputs(const co_manifest_t *m, co_diag_t *warn);

/**
 * @brief Evaluate a stage's `when` predicate on a JSON record value.
 *
 * The predicate is an object of `field.path: expected` pairs, all of which
 * must hold; `expected` is a scalar (equality) or an array (any of).
 * A record whose value is not JSON never matches a non-empty predicate.
 * @returns 1 if the record matches (or when is NULL), else 0.
 */
int co_when_match(const json_t *when, const char *value, size_t len);

/** @brief co_when_match() on a value parsed already (borrowed; NULL when
 *         it is not JSON), so a record is parsed once. */
int co_when_match_doc(const json_t *when, json_t *doc);

/** @brief Look up a dotted field path ("email.subject") in a JSON value.
 *  @returns a borrowed reference, or NULL. */
json_t *co_json_path(json_t *root, const char *path);

#endif
