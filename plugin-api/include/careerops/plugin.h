/**
 * @file careerops/plugin.h
 * @brief The plugin descriptor and entry point of the CareerOps ABI v1.
 *
 * A stage plugin is a shared library that exports one symbol,
 * co_plugin_entry(), returning a constant descriptor. The host dlopens it
 * with RTLD_NOW | RTLD_LOCAL, calls the entry once, checks the versions and
 * sizes (PostgreSQL's magic block, GStreamer's major/minor check), validates
 * each stage's configuration against the option table, and then drives the
 * callbacks. A plugin never links against the host.
 *
 * Minimal plugin:
 * @code
 * #include <careerops/plugin.h>
 * static const co_host_api_t *api;
 * static co_status_t up_process(void *inst, const co_record_t *rec) { ... }
 * static const co_plugin_t desc = {
 *     CO_PLUGIN_HEADER, .name = "upper", .version = "1.0.0",
 *     .description = "Upper-cases values.", .license = "MIT",
 *     .kinds = CO_KIND_PROCESSOR, .process = up_process };
 * CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a)
 * { api = a; return &desc; }
 * @endcode
 */
#ifndef CAREEROPS_PLUGIN_H
#define CAREEROPS_PLUGIN_H

#include <careerops/host_api.h>
#include <careerops/option.h>
#include <careerops/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks the entry point visible when building with hidden visibility. */
#if defined(__GNUC__) || defined(__clang__)
#define CO_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define CO_PLUGIN_EXPORT
#endif

/** Name of the one symbol every plugin exports. */
#define CO_PLUGIN_ENTRY_SYMBOL "co_plugin_entry"

/**
 * @brief One sub-command of the `careerops` program that a plugin provides
 *        (ABI 1.1), like a command a Redis module registers with
 *        RedisModule_CreateCommand(): `careerops NAME ARGS...` runs it.
 *
 * A plugin lists its commands in co_plugin_t::commands, a table ended by an
 * entry whose name is NULL. The host finds them by loading the plugins of
 * its plugin path (CAREEROPS_PLUGIN_PATH, then the install folder), lists
 * them in `careerops --help`, and dispatches to the first plugin in path
 * order that registered the name. A built-in command (run, validate, ...)
 * always wins over a plugin command of the same name.
 */
typedef struct co_command_s {
    /** One word ("ask"), or words separated by one space ("auth gmail"):
     *  every word must match the command line's words in order. Owned by
     *  the plugin (static). */
    const char *name;
    /** One line for `careerops --help`: arguments, then a short
     *  description, e.g. "\"QUESTION\" --manifest M   search briefings". */
    const char *help;
    /**
     * @brief Run the command in the host's main thread.
     * @param api The host services; the stage-less services (log with a
     *        NULL stage, alloc/free) and the command services of ABI 1.1
     *        (stage_config, capture_*) may be used.
     * @param argc,argv The command line from the command's first word on:
     *        argv[0] is that word (`careerops auth gmail --x` gives
     *        argc 3, argv {"auth", "gmail", "--x"}). Borrowed; getopt may
     *        permute it.
     * @returns The process exit status (0 ok, 1 failure, 2 usage error).
     */
    int (*run)(const co_host_api_t *api, int argc, char **argv);
} co_command_t;

/**
 * @brief A plugin's constant descriptor (`static const`, designated
 *        initializers, begin with CO_PLUGIN_HEADER).
 *
 * Callbacks (all optional unless stated; one instance is only ever called
 * from one thread at a time; `concurrency: N` creates N instances):
 * - init(): create an instance from the filled configuration struct
 *   (`config`, borrowed until destroy()). Store `st` for host services.
 *   Return CO_OK, or CO_FATAL after api->set_error() (bad config, missing
 *   resource). Required.
 * - start(): called once the stage's topics are ready, before the first
 *   poll()/process(). CO_RETRY makes the host call it again after backoff.
 * - poll(): sources only (required for them). Emit zero or more records
 *   with api->emit(), waiting at most `timeout_ms` ms for input. Return
 *   CO_OK, CO_RETRY (backoff, call again), CO_FATAL, or CO_EOF when the
 *   input is exhausted for good.
 * - process(): processors and sinks (required for them). Handle one
 *   borrowed record; processors emit their output with api->emit().
 *   Return CO_OK, CO_RETRY, CO_FAIL or CO_FATAL (see co_status_t).
 * - flush(): sinks: make everything processed so far durable (commit a
 *   transaction, send a batch). The host commits input offsets only after
 *   flush() returned CO_OK. CO_RETRY is retried with backoff; anything else
 *   stops the stage without committing, so the records are read again.
 * - stop(): stop producing; release external connections if wished.
 * - destroy(): free the instance. Called once, after stop(), even when
 *   init() failed with a non-NULL *instance.
 */
typedef struct co_plugin_s {
    uint32_t abi_major;  /**< CO_ABI_MAJOR the plugin was built for */
    uint32_t abi_minor;  /**< CO_ABI_MINOR the plugin was built for */
    uint32_t size;       /**< sizeof(co_plugin_t) the plugin was built with */
    const char *name;    /**< unique plugin name, e.g. "slack-sink" */
    const char *version; /**< the plugin's own version, semver */
    const char *description;    /**< one sentence */
    const char *license;        /**< SPDX identifier */
    uint32_t kinds;             /**< co_kind_t bit mask */
    const co_option_t *options; /**< `{0}`-terminated table, or NULL */
    size_t config_size;         /**< bytes of the configuration struct that the
                                     host fills from options (0 if none) */

    co_status_t (*init)(const co_host_api_t *api, co_stage_t *st,
                        const void *config, void **instance);
    co_status_t (*start)(void *instance);
    co_status_t (*poll)(void *instance, int timeout_ms);
    co_status_t (*process)(void *instance, const co_record_t *rec);
    co_status_t (*flush)(void *instance);
    void (*stop)(void *instance);
    void (*destroy)(void *instance);

    /** Sub-commands of `careerops` this plugin provides, ended by an entry
     *  with a NULL name; NULL for none. Read by hosts of ABI >= 1.1 only
     *  when abi_minor >= 1 (it was reserved[0], always zero, in 1.0).
     *  @since 1.1 */
    const co_command_t *commands;
    /**
     * @brief Check a filled configuration struct for what the option table
     *        cannot express (a value from a fixed set, options that exclude
     *        each other), like a Kafka Connect connector's validate(), so
     *        that `careerops validate` and `run` refuse a bad manifest before
     *        any stage starts instead of a stage failing in init().
     * @param config The struct as init() would get it (the manifest's values
     *        and defaults, paths resolved); borrowed for this call only.
     * @param err Receives, on failure, "KEY: what is wrong; the fix" with KEY
     *        the option's name (the host reports the JSON path
     *        `stages[i] (NAME).config.KEY`); NUL-terminated, at most `errsz`
     *        bytes.
     * @param errsz Bytes available at `err` (the host gives at least 512).
     * @returns CO_OK, or CO_FATAL with `err` filled.
     * @remark No side effects: no file or connection opened, nothing kept,
     *         no host service called (there is no stage yet). Any thread.
     *         Optional. Read by hosts of ABI >= 1.2 only when abi_minor >= 2
     *         (it was reserved[0] in 1.1 and reserved[1] in 1.0, always zero).
     * @since 1.2
     */
    co_status_t (*check)(const void *config, char *err, size_t errsz);
    /**
     * @brief What the plugin declares about itself: a bit mask of
     *        CO_PLUGIN_* flags (CO_PLUGIN_NO_INPUT_HEADERS), 0 for none.
     * @remark 0, the value of every descriptor that does not set it, keeps
     *         the behaviour of older minors, so a plugin rebuilt against
     *         these headers without setting it behaves as before. Read by
     *         hosts of ABI >= 1.3 only when abi_minor >= 3 (it was
     *         reserved[0] in 1.2, reserved[1] in 1.1 and reserved[2] in 1.0,
     *         always zero); read it with CO_PLUGIN_FLAGS().
     * @since 1.3
     */
    uintptr_t flags;
    void *reserved[5]; /**< zero; room for callbacks in later minors */
} co_plugin_t;

/**
 * Flag of co_plugin_t::flags (ABI 1.3): process() never needs the input
 * record's headers, so a stage of this plugin defaults to
 * `input_headers: false` and the host hands it records with no headers
 * (rec->headers NULL, rec->header_cnt 0) without reading the input's
 * header section, which librdkafka parses and allocates for on every read,
 * even when it is empty. A manifest's explicit `"input_headers": true`
 * still hands them over (e.g. to a pass-through that forwards what it
 * gets); dead letters carry the input's headers either way. Leave it unset
 * when process() reads or forwards rec->headers.
 */
#define CO_PLUGIN_NO_INPUT_HEADERS ((uintptr_t)1u << 0)

/**
 * The flags of descriptor `p` (co_plugin_t::flags) as this host reads them:
 * 0 for a plugin built for a minor before 1.3 or with a shorter descriptor.
 */
#define CO_PLUGIN_FLAGS(p)                                                     \
    ((p) != NULL && (p)->abi_minor >= 3 &&                                     \
             offsetof(co_plugin_t, flags) + sizeof((p)->flags) <= (p)->size    \
         ? (p)->flags                                                          \
         : (uintptr_t)0)

/**
 * True if descriptor `p` has field `fld` set for this host: the plugin was
 * built for a minor that has it (`since_minor`) and the field is non-NULL.
 * E.g. CO_PLUGIN_HAS(desc, commands, 1).
 */
#define CO_PLUGIN_HAS(p, fld, since_minor)                                     \
    ((p) != NULL && (p)->abi_minor >= (since_minor) &&                         \
     offsetof(co_plugin_t, fld) + sizeof((p)->fld) <= (p)->size &&             \
     (p)->fld != NULL)

/** First initializers of every descriptor: versions and size. */
#define CO_PLUGIN_HEADER                                                       \
    .abi_major = CO_ABI_MAJOR, .abi_minor = CO_ABI_MINOR,                      \
    .size = sizeof(co_plugin_t)

/**
 * @brief The entry point every plugin exports.
 * @param api The host's services; valid for the life of the process.
 * @returns The plugin's constant descriptor (never freed), or NULL to
 *          refuse loading (e.g. a service it needs is missing).
 * @remark Called once per load, from the host's main thread.
 */
typedef const co_plugin_t *(*co_plugin_entry_fn)(const co_host_api_t *api);

#ifdef __cplusplus
}
#endif
#endif /* CAREEROPS_PLUGIN_H */
