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

/**
 * @brief The newest `max` letters of the file at `path`, oldest first.
 * @param total Receives the number of lines of the whole file (counted
 *        while reading it in pieces; no size limit).
 * @param errstr Receives why the file could not be read.
 * @returns A new JSON array (an empty one when the file does not exist),
 *          or NULL with errstr filled. The file is read line by line
 *          from its end, so its size does not matter; lines that are not
 *          JSON are skipped, letters over CO_DLQ_LETTER_MAX bytes are
 *          passed over (a WARN counts them) and older ones listed.
 * @remark Any thread.  @since trial 43 (a file over 64 MiB was listed as
 *         empty, with no word); trial 44 (so was one whose newest letter
 *         alone was over 64 MiB)
 */
json_t *co_dlq_tail(const char *path, size_t max, size_t *total, char *errstr,
                    size_t errstr_size);

#endif
