/**
 * @file core/alone.h
 * @brief `careerops run --stage NAME...`: what a subset of a pipeline's
 *        stages may do on the process's own in-memory broker, which no
 *        other process can reach unless `--bootstrap-file` publishes its
 *        address. Not installed.
 */
#ifndef CO_CORE_ALONE_H
#define CO_CORE_ALONE_H

#include "manifest.h"
#include "pipeline.h"

/**
 * @brief The local stage (co_run_is_local()) that writes `topic` (its
 *        output or its dead letters), or NULL when no stage of this
 *        process writes it.
 * @returns A name owned by `m`. Thread-safe (reads only).
 */
const char *co_alone_local_writer(const co_manifest_t *m,
                                  const co_run_opts_t *o, const char *topic);

/**
 * @brief Refuse a `--stage` subset on the process's own embedded broker
 *        (no `kafka.bootstrap.servers`) without `--bootstrap-file` when a
 *        local stage writes a topic (output or dead letters) that stages
 *        of other processes read, naming them all: nothing could ever read
 *        those records, and a source would save its position past them (a
 *        new-user trial: `run --stage ingest` read a whole mailbox into a
 *        broker that ended with the process, and the next full run found
 *        "nothing new"). With `--bootstrap-file`, refuse `--until-idle`
 *        when sources run in other processes: their end cannot be seen.
 * @returns 0, or 2 after printing the refusal and its fix to stderr.
 * @remark Call before anything starts. Not thread-safe (stderr).
 */
int co_alone_check(const co_manifest_t *m, const co_run_opts_t *o);

/**
 * @brief Log a warning for each input of a local stage that only stages
 *        of other processes write, on the process's own embedded broker
 *        without `--bootstrap-file`: nothing will arrive there (trial 28).
 * @remark Any thread (logs only).
 */
void co_alone_warn_inputs(const co_manifest_t *m, const co_run_opts_t *o);

#endif
