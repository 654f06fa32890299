/**
 * @file core/manifest_int.h
 * @brief Internals shared by the manifest's source files (manifest.c,
 *        manifest_get.c, manifest_set.c, manifest_expand.c,
 *        manifest_stage.c, manifest_state.c, manifest_graph.c). Not installed;
 * not for use outside them.
 *
 * Every helper reports faults into a co_diag_t with the JSON path of the
 * field (`stages[2].errors.retries`); `path` arguments are the path of the
 * object that holds `key` ("" for the top level).
 * Thread-safety: none; a manifest is loaded by one thread.
 */
#ifndef CO_CORE_MANIFEST_INT_H
#define CO_CORE_MANIFEST_INT_H

#include "manifest.h"

/** @brief Append the "path: message" string `msg` to `d`, which takes
 *         it (co_diag_add() without the formatting). */
void co__diag_take(co_diag_t *d, char *msg);

/** @brief Parse the top-level `state` of `root` into m->state (a file:
 *         store's path made absolute, its symlink followed), each fault
 *         added to `d` at "state" (manifest_state.c). */
void co__parse_state(co_manifest_t *m, json_t *root, co_diag_t *d);

/** @brief Report each key of `obj` not in the NULL-terminated `allowed`,
 *         naming the keys that are allowed there. */
void co__check_keys(json_t *obj, const char *path, const char *const *allowed,
                    co_diag_t *d);

/** @brief `obj[key]` as a new string; `def` (copied, may be NULL) when
 *         absent or not a string (reported; absent too when required). */
char *co__get_str(json_t *obj, const char *key, const char *path, int required,
                  const char *def, co_diag_t *d);

/** @brief `obj[key]` as an integer in [min, max]; `def` when absent or
 *         invalid (reported). */
int64_t co__get_int(json_t *obj, const char *key, const char *path, int64_t def,
                    int64_t min, int64_t max, co_diag_t *d);

/** @brief `obj[key]` as a number in [min, max]; `def` when absent or
 *         invalid (reported). */
double co__get_num(json_t *obj, const char *key, const char *path, double def,
                   double min, double max, co_diag_t *d);

/** @brief `obj[key]` as 0/1; `def` when absent or not a boolean
 *         (reported). */
int co__get_bool(json_t *obj, const char *key, const char *path, int def,
                 co_diag_t *d);

/** @brief 1 if `s` is a valid stage, topic or pipeline name:
 *         1 to 200 of [A-Za-z0-9_.-]. */
int co__valid_name(const char *s);

/** @brief Report at `path` why `s` is not a valid name (co__valid_name()):
 *         its length against the limit, or its characters. `what` names
 *         it in the message ("topic name", "name"). No-op when valid. */
void co__check_name(const char *s, const char *path, const char *what,
                    co_diag_t *d);

/** @brief Apply one `--set PATH=VALUE` to the document (manifest_set.c).
 *  @param canon Receives the path it set, written one way (an element
 *         named by its "name" as its index: stages.ingest.config is
 *         stages[0].config; a kafka property quoted), to free; NULL on
 *         error.
 *  @returns 0, or -1 after adding a diagnostic named "--set PATH". */
int co__apply_set(json_t *root, const char *set, co_diag_t *d, char **canon);

/** @brief Apply the NULL-terminated `--set PATH=VALUE` list in order
 *         (manifest_set.c). One field set twice, however its path is
 *         written (stages.ingest.x and stages[0].x), or a field and a
 *         field inside it, is an error naming both paths: the last would
 *         win silently (trials 45, 48). Values are never echoed.
 *  @param sets May be NULL. */
void co__apply_sets(json_t *root, const char *const *sets, co_diag_t *d);

/** @brief Expand `${secret:NAME}` and `${env:NAME:-default}` in every
 *         string of `node`, in place (manifest_expand.c). */
void co__expand(json_t *node, const char *path, const char *secrets_dir,
                co_diag_t *d);

/** @brief Parse stages[idx] (defaults merged under it) into m->stages[idx]
 *         (manifest_stage.c). */
void co__parse_stage(co_manifest_t *m, json_t *raw, json_t *defaults,
                     size_t idx, co_diag_t *d);

/** @brief Free what one parsed stage owns (not the struct itself). */
void co__stage_free(co_stage_conf_t *s);

/** @brief Report topic cycles and dead-letter loops among the stages
 *         (manifest_graph.c). Call after every stage is parsed. */
void co__check_topology(const co_manifest_t *m, co_diag_t *d);

#endif
