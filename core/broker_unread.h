/**
 * @file core/broker_unread.h
 * @brief What `careerops broker` says at its stop about records that the
 *        stages of its manifests have not read: they die with the
 *        in-memory broker (trial 63: a stage-only run, a source run, the
 *        broker stopped: 40 emails gone, every exit status 0, and the
 *        source's saved position past them).
 */
#ifndef CO_CORE_BROKER_UNREAD_H
#define CO_CORE_BROKER_UNREAD_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief For every stage with inputs in each manifest, measure its consumer
 *        group's lag on each input topic (committed offset, or the low
 *        watermark when it never committed, to the high watermark) and log
 *        one ERROR line per stage and topic with records not read.
 * @param bootstrap The broker's bootstrap servers. Borrowed.
 * @param manifests Paths of the manifests given with --manifest. Borrowed.
 * @param n How many.
 * @param sets The broker's --set overrides, applied to each manifest
 *        (NULL-terminated, borrowed), or NULL: the stages' consumer groups
 *        are named after the pipeline name they ran with.
 * @param budget_ms The time the whole check may take (ms); what is not
 *        measured by then is said to be unmeasured, not counted.
 * @returns The records not read (0: none, or none measured). Call from one
 *          thread; it makes Kafka clients of its own.
 */
int64_t co_broker_unread(const char *bootstrap, const char *const *manifests,
                         size_t n, const char *const *sets, int64_t budget_ms);

#endif
