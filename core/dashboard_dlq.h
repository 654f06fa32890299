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

/** Most bytes read from the end of the file for the newest letters. */
#define CO_DLQ_TAIL_MAX ((size_t)64 << 20)

/**
 * @brief The newest `max` letters of the file at `path`, oldest first.
 * @param total Receives the number of lines of the whole file (counted
 *        while reading it in pieces; no size limit).
 * @param errstr Receives why the file could not be read.
 * @returns A new JSON array (an empty one when the file does not exist),
 *          or NULL with errstr filled. Lines that are not JSON are
 *          skipped; letters whose line starts more than CO_DLQ_TAIL_MAX
 *          bytes before the end are not read.
 * @remark Any thread.  @since trial 43 (a file over 64 MiB was listed as
 *         empty, with no word)
 */
json_t *co_dlq_tail(const char *path, size_t max, size_t *total, char *errstr,
                    size_t errstr_size);

#endif
