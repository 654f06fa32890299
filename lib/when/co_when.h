/**
 * @file co_when.h
 * @brief A notification's local time as people read it ("Tue 4 Mar 2025,
 *        14:00"), shared by the sinks that show notifications: console-sink
 *        and slack-sink (lib/when: libc only; prefix co_when_). The
 *        careerops.notification.v1 `date_local` field stays RFC 3339 for
 *        programs; this is how a person is shown it (trial 70: Slack showed
 *        "2026-12-15T00:59:00+01:00 (2026-12-14T23:59:00Z)").
 */
#ifndef CO_WHEN_H
#define CO_WHEN_H

#include <stddef.h>

/**
 * @brief Write "Tue 4 Mar 2025, 14:00" for "2025-03-04T14:00:00-05:00"
 *        (the wall-clock time of the text, its offset not applied), or
 *        "Tue 4 Mar 2025" for a day alone ("2025-03-04", a deadline given
 *        without a time).
 * @param local The RFC 3339 date-time or date (borrowed), or NULL.
 * @param out Receives the text, NUL-terminated (at most size bytes; 32 are
 *        always enough).
 * @returns 0, or -1 when `local` is NULL or not of those forms (out
 *          untouched). Pure; any thread.
 */
int co_when_readable(const char *local, char *out, size_t size);

#endif
