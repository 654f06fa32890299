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

/**
 * @brief A readable block for one record, ending with a blank line.
 *
 * A careerops.notification.v1 value gets a title line and aligned fields
 * (when, company, role, summary, email, briefing, sources); any other value
 * is shown as "key: value" with invalid UTF-8 replaced.
 * @returns A new NUL-terminated string (free()), or NULL on no memory.
 */
char *console_format_text(const co_record_t *rec);

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
