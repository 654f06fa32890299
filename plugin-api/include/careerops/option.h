/**
 * @file careerops/option.h
 * @brief Declared plugin options (the plugin's configuration schema).
 *
 * A plugin declares its options in a `{0}`-terminated table, in the manner of
 * Fluent Bit's config_map and librdkafka's property table. Before a stage
 * starts, the host checks the stage's manifest `config` object against it:
 * an undeclared key, a value of the wrong type or out of range, or a missing
 * required option is rejected with the JSON path of the field
 * (`stages[2].config.model`). The host then fills a zeroed configuration
 * struct of co_plugin_t::config_size bytes at each option's `offset` and
 * hands it to init(). `careerops plugins info NAME` prints the table.
 */
#ifndef CAREEROPS_OPTION_H
#define CAREEROPS_OPTION_H

#include <careerops/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Option value types and the C type the host writes at `offset`.
 */
typedef enum co_opt_type_e {
    CO_OPT_END = 0,     /**< table terminator */
    CO_OPT_STR = 1,     /**< `const char *` (NUL-terminated, host-owned) */
    CO_OPT_INT = 2,     /**< `int64_t`; min/max checked when max > min */
    CO_OPT_DOUBLE = 3,  /**< `double`; min/max checked when max > min */
    CO_OPT_BOOL = 4,    /**< `int` (0 or 1); JSON true/false */
    CO_OPT_STRLIST = 5, /**< `const char *const *`, NULL-terminated array;
                            JSON array of strings, or one comma-separated
                            string */
    CO_OPT_JSON = 6     /**< `const char *`: any JSON value, re-serialized
                            compactly, for structured options */
} co_opt_type_t;

/** Option flags. */
enum co_opt_flag_e {
    CO_OPT_REQUIRED = 1u << 0, /**< must be present in the manifest (a
                                    CO_OPT_STR: not empty or blank, which
                                    hosts from 0.1.0 refuse) */
    CO_OPT_SECRET = 1u << 1,   /**< redacted in logs, `plugins info` and
                                    status; should come from `${secret:..}` */
    CO_OPT_PATH = 1u << 2,     /**< a file path: relative paths resolve
                                    against the manifest's folder; "-" is
                                    passed as is (stdin or stdout), and so
                                    is "" (an optional file left unset) */
    CO_OPT_ZONE = 1u << 3,     /**< a CO_OPT_STR naming an IANA time zone
                                    ("Europe/Paris", "UTC"): validate and run
                                    refuse a name the system's zone database
                                    ($TZDIR or /usr/share/zoneinfo) lacks */
    CO_OPT_OUTPUT = 1u << 4,   /**< with CO_OPT_PATH: a file the plugin
                                    creates or appends to: validate and run
                                    refuse a path whose folder does not exist
                                    ("-" is standard output); older hosts
                                    ignore the bit */
    CO_OPT_INPUT = 1u << 5,    /**< with CO_OPT_PATH: a file or folder the
                                    plugin reads: validate and run refuse a
                                    path that does not exist ("-" is standard
                                    input); older hosts ignore the bit */
    CO_OPT_URL = 1u << 6       /**< with CO_OPT_PATH: a folder or a URL; a
                                    value with a ':' before its first '/'
                                    ("s3://b/p", "file:///d", "s3:/b") is
                                    passed as is, a relative folder resolved
                                    as a path, as CO_OPT_PATH does (the
                                    plugin must not call resolve_path() on
                                    it again: with a manifest named by a
                                    relative path that joins its folder
                                    twice). Older hosts ignore the bit and
                                    pass every value as is */
};

/**
 * @brief One declared option.
 *
 * The strings are the plugin's static data; the host never frees them.
 * Memory the host writes into the configuration struct (strings, lists) is
 * owned by the host and stays valid until destroy() returns.
 */
typedef struct co_option_s {
    co_opt_type_t type;      /**< value type; CO_OPT_END ends the table */
    const char *name;        /**< key in the stage's `config` object */
    const char *def;         /**< default as text ("5000", "true", "a,b"),
                                  or NULL for none (zero / NULL) */
    uint32_t flags;          /**< co_opt_flag_e bits */
    double min;              /**< lower bound for INT/DOUBLE if max > min */
    double max;              /**< upper bound for INT/DOUBLE if max > min */
    size_t offset;           /**< offsetof() into the configuration struct */
    const char *description; /**< one sentence; must not be empty */
} co_option_t;

#ifdef __cplusplus
}
#endif
#endif /* CAREEROPS_OPTION_H */
