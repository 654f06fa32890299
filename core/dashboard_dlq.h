/**
 * @file core/dashboard_dlq.h
 * @brief The dashboard's dead letters: the newest letters of a
 *        console-sink dead-letter file (one JSON object per line), read
 *        from its end, so a file of any size is listed. Not installed.
 */
#ifndef CO_CORE_DASHBOARD_DLQ_H
#define CO_CORE_DASHBOARD_DLQ_H

#include <jansson.h>
#include <stddef.h>

/** Largest letter (one line, bytes) listed; larger ones are passed over. */
#define CO_DLQ_LETTER_MAX ((size_t)16 << 20)

/** The letters of one listing (their lines, bytes) stop at this much: a
 *  letter that would go beyond it, and the older ones, are left out
 *  (trial 45: 60 letters of 15 MiB, 3 listings at once, took 5.5 GB). */
#define CO_DLQ_ANSWER_MAX ((size_t)32 << 20)

/** A string of a listed letter longer than this (bytes) is cut to it. */
#define CO_DLQ_FIELD_MAX ((size_t)16 << 10)

/** What co_dlq_tail() found besides the letters it lists. */
typedef struct {
    size_t total;      /**< letters in the file: lines that are JSON objects */
    size_t unreadable; /**< lines that are not (blank lines not counted) */
    size_t left_out;   /**< letters among the newest `max` not listed: over
                            CO_DLQ_LETTER_MAX, or past CO_DLQ_ANSWER_MAX
                            bytes or 250,000 JSON values (trial 47) */
    size_t truncated;  /**< listed letters with a string cut */
    size_t too_large;  /**< listed letters with members omitted: objects,
                            arrays over 64 KiB of a letter over 1 MiB, or
                            members past 20,000 JSON values (trial 47) */
} co_dlq_counts_t;

/**
 * @brief Open `path` (flags of open(2), O_NONBLOCK and O_CLOEXEC added)
 *        if it is a regular file: never waits on a named pipe or a
 *        device (trial 45: a FIFO held every endpoint thread in open()).
 * @returns The descriptor, -ENOENT when it does not exist, or -1 with
 *          errstr saying what it is ("a named pipe, not a regular file").
 */
int co_dlq_open(const char *path, int flags, char *errstr, size_t errstr_size);

/**
 * @brief The newest `max` letters of the file at `path`, oldest first.
 * @param n Receives the counts of the whole file (read in pieces; no
 *        size limit) and of the listing. The counts of a file's complete
 *        lines are kept for the next call: a file that only grew (same
 *        device and inode, a '\n' where the last count stopped) is
 *        counted from there; a rewritten one is counted anew.
 * @param errstr Receives why the file could not be read.
 * @returns A new JSON array (an empty one when the file does not exist),
 *          or NULL with errstr filled (not a regular file, a read error).
 *          Lines that are not JSON objects are skipped (counted in
 *          n->unreadable), letters over CO_DLQ_LETTER_MAX bytes are passed
 *          over (a WARN counts them) and older ones listed; the listing
 *          stops before its letters' lines exceed CO_DLQ_ANSWER_MAX (the
 *          first is always listed); strings over CO_DLQ_FIELD_MAX are cut,
 *          each letter cut naming them in "truncated" ({FIELD: bytes}).
 *          A letter over 1 MiB is not parsed whole (trial 46: one of a
 *          million small members took over 100 MB): its top-level members of
 *          up to 64 KiB are, a longer string is read from its start and
 *          cut, a larger object or array (and the members after the 256th)
 *          is omitted, named in the letter's "omitted" ({MEMBER: bytes})
 *          and counted in n->too_large. So is a letter of more than
 *          20,000 JSON values (brackets and commas counted), whatever its
 *          size: members past that budget are omitted; the listing stops
 *          adding letters at 250,000 values (the rest in n->left_out).
 *          A listing holds one letter's line (CO_DLQ_LETTER_MAX at most)
 *          and trees of 250,000 values (about 75 MB at most).
 * @remark Any thread.  @since trial 43 (a file over 64 MiB was listed as
 *         empty, with no word); trial 44 (so was one whose newest letter
 *         alone was over 64 MiB); trial 45 (a FIFO hung it; the answer was
 *         unbounded; total counted blank and garbage lines); trial 46
 *         (a letter of many small members was parsed whole); trial 47
 *         (1 MiB letters of tiny arrays: 50 MB trees, 3 GB listings)
 */
json_t *co_dlq_tail(const char *path, size_t max, co_dlq_counts_t *n,
                    char *errstr, size_t errstr_size);

/**
 * @brief The text of the regular file at `path` (the replays' sidecar),
 *        64 MiB at most, opened as co_dlq_open() does (never waits).
 * @returns A new string, or NULL: no such file, an empty one, or not a
 *          regular file (a WARN says so).
 */
char *co_dlq_read_small(const char *path);

/**
 * @brief The replays' sidecar key of dead letter `l` (an element of
 *        co_dlq_tail()'s array): "PARTITION:OFFSET<TAB>ERROR_TIME<TAB>"
 *        into `buf` (`size` bytes, always NUL-terminated). The letter's
 *        careerops.error.time tells apart letters at the same offset from
 *        runs on different brokers. Thread-safe.
 */
void co_dlq_letter_key(const json_t *l, char *buf, size_t size);

/**
 * @brief Sets "replayed_at" (the replay's time, as noted) on each letter
 *        of `arr` that the sidecar file `sidecar` notes, one
 *        "PARTITION:OFFSET<TAB>ERROR_TIME<TAB>REPLAY_TIME" line per replay
 *        (co_dlq_letter_key()). `sidecar` may be NULL or missing: none is.
 *        Reads the file as co_dlq_read_small() does.
 * @returns How many letters of `arr` are noted as replayed.
 */
size_t co_dlq_mark_replayed(const char *sidecar, json_t *arr);

#endif
