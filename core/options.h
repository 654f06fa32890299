/**
 * @file core/options.h
 * @brief Checking a stage's `config` against a plugin's option table, and
 *        filling the plugin's configuration struct. Not installed.
 */
#ifndef CO_CORE_OPTIONS_H
#define CO_CORE_OPTIONS_H

#include "manifest.h"
#include <careerops/plugin.h>
#include <jansson.h>
#include <stdio.h>

/**
 * @brief Whether a JSON number is an integer as JSON Schema (draft 6 and
 *        later) counts one: an integer, or a real with no fractional part
 *        (1e3, 5.0) from -2^63 to 2^63 (trial 53: "count": 1e3 was refused
 *        as "not 1000.0").
 * @param v The value (borrowed; may be NULL: 0).
 * @param out Receives the integer when 1 is returned (may be NULL).
 * @returns 1 or 0. Pure; any thread.
 */
int co_json_integral(const json_t *v, long long *out);

/**
 * @brief What a JSON value is, for messages: "an object", "an array",
 *        "a string", "a number", "a boolean" or "null".
 * @param v The value (borrowed; NULL reads as "null").
 * @returns A static string. Pure; any thread.
 */
const char *co_json_kind(const json_t *v);

/**
 * @brief Check the form of a path given in a manifest: "~/x" and "~NAME/x"
 *        (no shell reads a manifest, so a folder named "~" would be made)
 *        are refused with the full path as the fix, and so is a value of
 *        only spaces; "" is refused when `flags` has CO_OPT_INPUT or
 *        CO_OPT_OUTPUT (it would name the manifest's folder). Nothing is
 *        read on disk.
 * @param sv The value (borrowed, not NULL).
 * @param flags The option's CO_OPT_* flags (0 for a manifest field: ""
 *        passes, for the caller to judge).
 * @param path JSON path of the value, for the message ("http.token_file").
 * @param d Receives the fault.
 * @returns 1 when a fault was added, else 0. Pure but for getpwnam() of a
 *          "~NAME"; any thread.
 */
int co_options_check_path(const char *sv, unsigned flags, const char *path,
                          co_diag_t *d);

/**
 * @brief Check a plugin's option table itself (at load, and by the fake
 *        host of plugin tests): every option has a name and a
 *        description, an offset inside config_size, a name of its own,
 *        and a default that parses as its type and lies in its range.
 * @param opts The table, ended by CO_OPT_END (borrowed; NULL: no options).
 * @param config_size The plugin's config_size, in bytes.
 * @param errstr Receives "declares option 'NAME' ...: FIX" on a fault.
 * @param sz Size of errstr in bytes.
 * @returns 0, or -1 on the first fault. Thread-safe.
 */
int co_options_table_fault(const co_option_t *opts, size_t config_size,
                           char *errstr, size_t sz);

/**
 * @brief Check `config` against `opts`: undeclared keys, wrong types,
 *        values out of range, missing required options, unparseable
 *        defaults, and the form of path options (co_options_check_path()). Each
 * fault is added to `d` with `path.key`. An integer option given as a real with
 * no fractional part (1e3) is replaced in `config` by the integer
 * (co_json_integral()).
 * @returns The number of faults added.
 */
int co_options_validate(const co_option_t *opts, json_t *config,
                        const char *path, co_diag_t *d);

/**
 * @brief Check the CO_OPT_OUTPUT and CO_OPT_INPUT paths of `config`: the
 *        folder of each output (relative paths resolved against `base_dir`,
 *        as co_options_fill() does) must exist, or the plugin cannot create
 *        its file at start; each input must exist (the form, "~" or "",
 *        is co_options_validate()'s, which runs first). Each fault is
 *        added to `d` at `path.key`, naming the folder and the fix. Unset
 * options, defaults and "-" (standard output) pass.
 * @returns The number of faults added.
 * @remark Reads the file system; any thread.
 */
int co_options_check_outputs(const co_option_t *opts, json_t *config,
                             const char *base_dir, const char *path,
                             co_diag_t *d);

/** Memory the host owns for one filled configuration struct. */
typedef struct co_optmem_s co_optmem_t;

/**
 * @brief Allocate a zeroed struct of `p->config_size` bytes and write every
 *        option at its offset (the manifest value, else the default).
 *        CO_OPT_PATH strings are resolved against `base_dir` ("-" and ""
 *        are kept as they are).
 * @param mem Receives what to free with co_options_free().
 * @returns The struct (NULL when config_size is 0). Validate first: values
 *          that do not convert are left zero.
 */
void *co_options_fill(const co_plugin_t *p, json_t *config,
                      const char *base_dir, co_optmem_t **mem);

/** @brief Free a struct from co_options_fill() and its memory. */
void co_options_free(void *cfg, co_optmem_t *mem);

/** @brief Print the option table (name, type, default, flags, description),
 *         as `careerops plugins info` shows it. */
void co_options_print(const co_option_t *opts, FILE *out);

/** @brief Name of an option type ("string", "int", ...). */
const char *co_opt_type_name(co_opt_type_t t);

#endif
