/**
 * @file plugins/console-sink/console_format.h
 * @brief console-sink's formatting as pure functions (no host): a
 *        careerops.notification.v1 as a readable text block, and any record
 *        as one JSON line (for dead letters and debugging).
 *
 * Thread-safe (no global state).
 */
#ifndef CONSOLE_FORMAT_H
#define CONSOLE_FORMAT_H

#include <careerops/types.h>
#include <stddef.h>
#include <stdint.h>

/** How a text block is written (see console_format_text()). */
typedef struct console_text_opts_s {
    /** Non-zero: add the "key:" line (the 64-hex event key). */
    int verbose;
    /** "Now" in seconds since the epoch: a scheduled date before it is
     *  marked ", past". */
    int64_t now;
} console_text_opts_t;

/**
 * @brief A readable block for one record, ending with a blank line.
 *
 * A careerops.notification.v1 value gets a title line and aligned fields
 * (when, company, role, summary, email, briefing, sources); the "when:"
 * line is the scheduled date (", past" appended when it is before
 * opts->now), else a deadline given as a day (`due_date`: "Mon 14 Dec 2026
 * (no time given)", ", past" after that day, UTC), else "no time read (see
 * the message); email sent <the email's date>". The event key is printed only with opts->verbose. Any other value is
 * shown as "key: value" with invalid UTF-8 replaced.
 * @param opts May be NULL (not verbose, now = the wall clock).
 * @returns A new NUL-terminated string (free()), or NULL on no memory.
 */
char *console_format_text(const co_record_t *rec,
                          const console_text_opts_t *opts);

/**
 * @brief The time a record is ordered by when printed: a notification's
 *        scheduled date (`date_utc`), else the end of its deadline day
 *        (`due_date` + 23:59:59 UTC), else its email's date (`email.date`).
 * @returns Seconds since the epoch, or INT64_MAX when the record has
 *          neither (undated records go last).
 */
int64_t console_sort_time(const co_record_t *rec);

/**
 * @brief Seconds since the epoch of an RFC 3339 time ("2025-03-04T14:00:00Z",
 *        an offset, or a date alone meaning midnight UTC).
 * @returns 0 and *out set, or -1 when `s` is NULL or not such a time.
 */
int console_parse_time(const char *s, int64_t *out);

/**
 * @brief One JSON object (no newline) describing any record:
 *        {"key","topic","partition","offset","timestamp_ms",
 *         "headers":{name:value},"value":"..","value_truncated":bool}.
 *        Bytes that are not UTF-8 are replaced by U+FFFD; the value is cut
 *        to `max_value_bytes` (at a character boundary).
 * @returns A new NUL-terminated string (free()), or NULL on no memory.
 */
char *console_format_jsonl(const co_record_t *rec, size_t max_value_bytes);

#endif /* CONSOLE_FORMAT_H */
