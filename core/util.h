/**
 * @file core/util.h
 * @brief Small helpers of the host: clocks, growable buffers, files.
 *        Not installed.
 */
#ifndef CO_CORE_UTIL_H
#define CO_CORE_UTIL_H

#include "co_cli.h" /* co_visible() */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Wall clock in ms since the Unix epoch. Thread-safe. */
int64_t co_wall_ms(void);
/** @brief Monotonic clock in ms (arbitrary origin). Thread-safe. */
int64_t co_mono_ms(void);
/** @brief "SIGINT", "SIGTERM" or "SIGHUP" for the signals that stop a
 *         run, serve or broker (a closed terminal's SIGHUP stops as
 *         SIGTERM does), else "a signal". Static string; thread-safe. */
const char *co_stop_signal_name(int sig);
/** @brief Sleep `ms` milliseconds (EINTR-safe). */
void co_sleep_ms(int64_t ms);

/** @brief Format the current UTC time as RFC 3339 with ms into buf
 *         (at least 32 bytes). @returns buf. */
char *co_rfc3339_now(char *buf, size_t size);

/** A growable byte buffer; zero-initialize, free with co_buf_free(). */
typedef struct co_buf_s {
    char *data; /**< NUL-terminated contents (NULL while empty) */
    size_t len; /**< bytes used, excluding the NUL */
    size_t cap; /**< bytes allocated */
} co_buf_t;

/** @brief Append bytes. @returns 0 or -1 on out of memory. */
int co_buf_add(co_buf_t *b, const void *p, size_t n);
/** @brief Append printf-formatted text. @returns 0 or -1. */
int co_buf_printf(co_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** @brief Free the buffer's memory and zero it. */
void co_buf_free(co_buf_t *b);

/** Most bytes co_read_file() reads (64 MiB): /dev/zero or a huge file
 *  given by mistake is refused instead of filling memory. */
#define CO_READ_FILE_MAX ((size_t)64 << 20)

/** Most bytes of a secret or token file (1 MiB). */
#define CO_READ_SECRET_MAX ((size_t)1 << 20)

/**
 * @brief Read a whole file of at most CO_READ_FILE_MAX bytes.
 * @param out Set to a malloc'd NUL-terminated copy (free()).
 * @returns 0, or -errno (-EISDIR for a folder, -EFBIG when it is larger,
 *          -EIO for a read error, -ETIMEDOUT for a named pipe that nothing
 *          wrote to within CO_READ_FIFO_WAIT_MS: a pipe of `<(...)` is
 *          read, a FIFO with no writer does not block for ever).
 */
int co_read_file(const char *path, char **out, size_t *len);

/**
 * @brief co_read_file() with another limit: at most `max` bytes, else
 *        -EFBIG (a regular file by its size before reading; a device or a
 *        pipe once `max` bytes have come). Thread-safe (no shared state).
 */
int co_read_file_max(const char *path, char **out, size_t *len, size_t max);

/** How long co_read_file() waits for a named pipe's first bytes (ms):
 *  CO_READFILE_FIFO_WAIT_MS of lib/readfile, whose reader it is. */
#define CO_READ_FIFO_WAIT_MS 5000

/**
 * @brief The reason for co_read_file()'s or co_read_file_max()'s error rc
 *        (a negative errno), in words: strerror(), but -ETIMEDOUT (a named
 *        pipe that nothing wrote to within CO_READ_FIFO_WAIT_MS) said as
 *        such. Static string; thread-safe.
 */
const char *co_read_strerror(int rc);

/** @brief strdup() that aborts on out of memory; NULL in gives NULL. */
char *co_strdup(const char *s);
/** @brief malloc() that aborts on out of memory. */
void *co_xmalloc(size_t n);
/** @brief calloc() that aborts on out of memory. */
void *co_xcalloc(size_t n, size_t size);

/**
 * @brief Note that `value` is the content of the secret `name` (a
 *        `${secret:NAME}` of the manifest), so that co_secret_redact()
 *        hides it from every error and log line. Values shorter than 4
 *        bytes are not noted (they would garble ordinary text). Both are
 *        copied. Thread-safe.
 */
void co_secret_note(const char *name, const char *value);

/**
 * @brief Replace, in the NUL-terminated `buf` of `size` bytes, each noted
 *        secret value by its `${secret:NAME}` (truncating to fit). Used by
 *        co_errf(), co_diag_add() and the log, so messages that echo a value
 *        (librdkafka's "Invalid value ...") never show a secret; a secret
 *        cut short (a full buffer) is found by its first 16 bytes and
 *        hidden as far as it goes. Thread-safe.
 */
void co_secret_redact(char *buf, size_t size);

/** @brief Bounded snprintf into errstr that tolerates NULL/0. */
void co_errf(char *errstr, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** @brief Directory part of `path` (malloc'd), "." if none. */
char *co_dirname(const char *path);
/** @brief Join `dir` and a relative `path` (malloc'd); an absolute path is
 *         returned as a copy. */
char *co_path_join(const char *dir, const char *path);

/**
 * @brief Whether a path from a manifest starts with a shell's tilde
 *        ("~", "~/x", "~NAME", "~NAME/x" where NAME is an account), which
 *        nothing expands there (it named a folder "~" of the manifest's
 *        folder), and what to write instead.
 * @param path The value. Borrowed.
 * @param with_home Out: the replacement for the tilde part
 *        ("${env:HOME}" for "~", the account's home folder for "~NAME").
 * @param cap Size of with_home in bytes.
 * @returns 1 with *with_home set and *rest (borrowed, in path) at what
 *          follows the tilde part; 0 otherwise. Thread-safe
 *          (getpwnam_r()).
 */
int co_path_tilde(const char *path, char *with_home, size_t cap,
                  const char **rest);

/**
 * @brief Parse an RFC 3339 date-time ("2025-03-04T14:00:00Z",
 *        "2025-03-04T15:00:00+01:00", fractional seconds allowed).
 * @param s The text (borrowed); NULL is refused.
 * @param minute_utc Set to the UTC time in minutes since the epoch.
 * @returns 0, or -1 if `s` is not RFC 3339 (nothing is set then).
 * Thread-safe (timegm).
 */
int co_eval_parse_rfc3339(const char *s, long long *minute_utc);

/**
 * @brief Days in month `m` (1..12) of year `y` of the Gregorian calendar
 *        (28 to 31); 0 for a month out of range. Thread-safe, pure.
 */
int co_days_in_month(int y, int m);

/**
 * @brief co_eval_parse_rfc3339() to the second.
 * @param s The text (borrowed); NULL is refused.
 * @param sec_utc Set to the UTC time in seconds since the epoch (a leap
 *        second, :60, is the next second; fractions are dropped).
 * @returns 0, or -1 if `s` is not an RFC 3339 date-time of the calendar:
 *          a day the month does not have (2026-02-29, 04-31), an hour,
 *          minute or second out of range, a zone offset beyond 23:59.
 * Thread-safe (timegm).
 */
int co_parse_rfc3339_sec(const char *s, long long *sec_utc);

/**
 * @brief The name in `names` closest to `word`, for "did you mean ...?"
 *        hints on a typo'd key, field or value: at most 2 edits away
 *        (insertions, deletions, substitutions, a swap of two neighbours;
 *        ASCII case ignored) and fewer edits than `word` has characters.
 * @param names NULL-terminated; borrowed.
 * @returns One of `names` (borrowed), or NULL when none is that close or
 *          `word` equals one. Thread-safe.
 */
const char *co_closest_name(const char *word, const char *const *names);

#endif
