/**
 * @file core/offtrack.h
 * @brief Pipelined at-least-once bookkeeping: per input partition, which
 *        consumed offsets still wait for their outputs (and dead letters)
 *        to be acknowledged or for the sink's flush, and the contiguous
 *        position that is safe to commit. Not installed.
 *
 * A record is pushed when consumed (it is then "held" by its processing),
 * every record produced for it adds one pending acknowledgement, and it is
 * done once it is released (processed, or flushed for sinks) and every
 * acknowledgement came back. The commit position of a partition is one
 * past the last offset of the done prefix: records complete out of order
 * but are committed in order. A failed acknowledgement blocks its
 * partition until co_offtrack_reset().
 *
 * A record is addressed by a token (co_offtrack_token()) that fits in a
 * librdkafka message opaque; tokens of records abandoned by a reset are
 * ignored.
 *
 * Thread-safety: none; one stage worker thread owns a tracker (delivery
 * reports are served on that thread too).
 */
#ifndef CO_CORE_OFFTRACK_H
#define CO_CORE_OFFTRACK_H

#include <stddef.h>
#include <stdint.h>

/** One consumed record in flight. */
typedef struct co_offtrack_ent_s {
    int64_t offset;  /**< its offset in the input partition */
    int32_t pending; /**< outputs not acknowledged yet */
    int32_t held;    /**< 1 until released (processed / flushed); 2 when
                          abandoned: never released */
} co_offtrack_ent_t;

/** One input partition. */
typedef struct co_offtrack_part_s {
    char *topic;             /**< owned */
    int32_t partition;       /**< partition number */
    co_offtrack_ent_t *ring; /**< cap entries, indexed by seq & (cap - 1) */
    uint64_t cap;            /**< a power of two */
    uint64_t head, tail;     /**< records in flight are seq head..tail-1 */
    int64_t done;            /**< commit position, -1 = nothing consumed */
    int dirty;               /**< done moved since co_offtrack_take_dirty */
    int failed;              /**< an output of this partition failed */
} co_offtrack_part_t;

/** All input partitions of one stage instance. Zero-initialise it. */
typedef struct co_offtrack_s {
    co_offtrack_part_t *parts; /**< owned */
    size_t n_parts;
    size_t held;    /**< records pushed, not released nor abandoned */
    int any_failed; /**< some partition has failed set */
} co_offtrack_t;

/** Token meaning "no input record" (source output, or nothing tracked). */
#define CO_OFFTRACK_NONE 0

/**
 * @brief Index of `topic`/`partition` in the tracker, created on first use.
 * @returns The index (stable for the tracker's life).
 */
size_t co_offtrack_part(co_offtrack_t *t, const char *topic, int32_t partition);

/**
 * @brief Record that `offset` was consumed from partition `idx`; it is held
 *        until co_offtrack_release().
 * @returns Its token (never CO_OFFTRACK_NONE).
 */
uint64_t co_offtrack_push(co_offtrack_t *t, size_t idx, int64_t offset);

/** @brief One more output was produced for the record of `token`. */
void co_offtrack_output(co_offtrack_t *t, uint64_t token);

/**
 * @brief The broker acknowledged (ok != 0) or finally refused (ok == 0)
 *        one output of the record of `token`. A refusal marks the
 *        partition failed. Stale tokens are ignored.
 */
void co_offtrack_ack(co_offtrack_t *t, uint64_t token, int ok);

/** @brief The record of `token` is processed (or flushed). */
void co_offtrack_release(co_offtrack_t *t, uint64_t token);

/** @brief Release every held record (a sink's flush succeeded) but the
 *         one of token `except` (the record still waiting for a rate-limit
 *         token while the flush runs; CO_OFFTRACK_NONE: none kept); records
 *         abandoned with co_offtrack_abandon() stay held. */
void co_offtrack_release_all(co_offtrack_t *t, uint64_t except);

/**
 * @brief The record of `token` will not be processed (the stage was asked
 *        to stop while it waited for a rate-limit token or a retry's
 *        backoff): it stays held for good, so its partition's commit
 *        position never passes it and it is read again after a restart
 *        (a sink's flush releases only the records it processed). It no
 *        longer counts in `held`. Stale tokens are ignored.
 */
void co_offtrack_abandon(co_offtrack_t *t, uint64_t token);

/**
 * @brief Take back the record of `token`, the last one pushed on its
 *        partition and not processed (a pause came while it waited for a
 *        rate-limit token): as if it had never been consumed, so that it
 *        is consumed again once the partition is sought back to it. A
 *        token that is not the last of its partition, or has outputs, is
 *        abandoned instead (co_offtrack_abandon()). Stale tokens are
 *        ignored.
 */
void co_offtrack_unpush(co_offtrack_t *t, uint64_t token);

/**
 * @brief Forget partition `idx`'s records in flight (after a failed
 *        delivery or a revocation): their late acknowledgements are
 *        ignored, `done` stays where it is and `failed` is cleared.
 */
void co_offtrack_reset(co_offtrack_t *t, size_t idx);

/** @brief Records of partition `idx` in flight (pushed, not done). */
uint64_t co_offtrack_inflight(const co_offtrack_t *t, size_t idx);

/**
 * @brief Next dirty partition at or after `*idx`; clears its dirty flag.
 * @returns 1 with *idx set, or 0 when none is left.
 */
int co_offtrack_take_dirty(co_offtrack_t *t, size_t *idx);

/** @brief Mark every partition with a position dirty (commit again). */
void co_offtrack_mark_all_dirty(co_offtrack_t *t);

/** @brief Free everything; the tracker is empty and reusable after. */
void co_offtrack_free(co_offtrack_t *t);

/**
 * @brief Loss detection: which offsets of a partition were dropped by the
 *        broker before this consumer read them. A consumer expected offset
 *        `next` and received `got`; the skipped offsets are lost only where
 *        they are below the broker's log start `log_start` (transaction
 *        markers and compaction also leave gaps that lost nothing) and not
 *        below the group's committed offset as it is now, `committed`
 *        (-1 unknown): offsets another member committed were processed
 *        (e.g. a previous owner's commit that landed after this consumer
 *        read the committed offset it started from).
 * @param next Expected offset, or -1 when unknown (nothing is lost).
 * @param from,to Set to the lost range [from, to) when there is one.
 * @returns 1 when offsets were lost, else 0. Pure; thread-safe.
 */
int co_offtrack_lost(int64_t next, int64_t got, int64_t log_start,
                     int64_t committed, int64_t *from, int64_t *to);

#endif
