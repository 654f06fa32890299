/**
 * @file core/validate.h
 * @brief Checks that need the plugins: each stage's plugin exists, loads,
 *        supports the stage's role (source, processor, sink), and accepts
 *        the stage's config. Not installed.
 */
#ifndef CO_CORE_VALIDATE_H
#define CO_CORE_VALIDATE_H

#include "manifest.h"

/**
 * @brief Validate every stage of `m` against its plugin.
 * @param d Receives each fault with its JSON path (stages[2].config.model).
 * @returns The number of faults (0 = valid).
 * @remark Loads plugins (cached); main thread only.
 */
int co_validate_plugins(const co_manifest_t *m, co_diag_t *d);

#endif
