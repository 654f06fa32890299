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

/**
 * @brief Check each stage's `when` filter (docs/manifest.md, "A stage"): a
 *        field path with an empty part is a fault; when every input topic
 *        is written by bundled plugins of one record schema
 *        (docs/schemas/README.md: mailbox-source's careerops.email.v1, the
 *        classifiers' careerops.event.v1, ...) or is the alerts topic, a
 *        top-level field the schema does not have, and an `event_type` value
 *        that is not one of the seven labels, are faults (the stage would
 *        skip every record), with the closest name as a hint. Inputs of
 *        other plugins are not checked beyond the paths.
 * @param d Receives each fault at `stages[N] (NAME).when.FIELD`.
 * @returns The number of faults. Called by co_validate_plugins().
 * @remark Reads `m` only; any thread.
 */
int co_validate_when(const co_manifest_t *m, co_diag_t *d);

/**
 * @brief Check that the files the stages would write can be created: the
 *        folder of each CO_OPT_OUTPUT option (console-sink's `path`)
 *        exists. Separate from co_validate_plugins() because a command that
 *        starts some stages only (`run --stage`, `eval`) must not fail on
 *        another stage's file.
 * @param stages NULL-terminated names of the stages that will run, or NULL
 *        for all of them.
 * @param d Receives each fault at `stages[N] (NAME).config.OPTION`, naming
 *        the missing folder and the fix.
 * @returns The number of faults (0 = every folder exists).
 * @remark Loads plugins (cached); reads the file system; main thread only.
 */
int co_validate_outputs(const co_manifest_t *m, const char *const *stages,
                        co_diag_t *d);

#endif
