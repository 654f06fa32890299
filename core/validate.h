/**
 * @file core/validate.h
 * @brief Checks that need the plugins or librdkafka: each stage's plugin
 *        exists, loads, supports the stage's role (source, processor,
 *        sink), and accepts the stage's config; each `kafka` property is
 *        one librdkafka knows, with a value it accepts; `http.listen`
 *        parses. Not installed.
 */
#ifndef CO_CORE_VALIDATE_H
#define CO_CORE_VALIDATE_H

#include "manifest.h"

/**
 * @brief Validate every stage of `m` against its plugin, `m->kafka`
 *        against librdkafka's property parser, and `http.listen`.
 * @param d Receives each fault with its JSON path (stages[2].config.model,
 *          kafka.fetch.wait.max.ms).
 * @returns The number of faults (0 = valid).
 * @remark Loads plugins (cached); main thread only.
 */
int co_validate_plugins(const co_manifest_t *m, co_diag_t *d);

#endif
