/* The newest dead letters of a file of any size (see dashboard_dlq.h). */
#include "dashboard_dlq.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lines of the open file `fd` (a last line without '\n' counts), read
 * by pieces; -1 on a read error. */
static long long co__dlq_lines(int fd)
{
    char buf[1 << 16];
    long long n = 0;
    char last = '\n';
    ssize_t got;
    off_t at = 0;
    while ((got = pread(fd, buf, sizeof buf, at)) > 0) {
        for (ssize_t i = 0; i < got; i++)
            n += buf[i] == '\n';
        last = buf[got - 1];
        at += got;
    }
    return got < 0 ? -1 : n + (last != '\n');
}

/* The start of the line that ends at `end` (exclusive): the byte after
 * the previous '\n', found by reading backwards in pieces; -1 on a read
 * error. */
static long long co__dlq_line_start(int fd, long long end)
{
    char buf[1 << 16];
    long long at = end;
    while (at > 0) {
        size_t n = at < (long long)sizeof buf ? (size_t)at : sizeof buf;
        if (pread(fd, buf, n, (off_t)(at - (long long)n)) != (ssize_t)n)
            return -1;
        for (size_t i = n; i > 0; i--)
            if (buf[i - 1] == '\n')
                return at - (long long)n + (long long)i;
        at -= (long long)n;
    }
    return 0;
}

json_t *co_dlq_tail(const char *path, size_t max, size_t *total, char *errstr,
                    size_t errstr_size)
{
    *total = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return json_array();
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        co_errf(errstr, errstr_size, "%s: %s", path,
                fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    long long lines = co__dlq_lines(fd);
    /* the newest letters: line by line from the end; a letter larger than
     * CO_DLQ_LETTER_MAX is passed over (trial 44: one 100 MB letter at the
     * end hid every other) and counted in the log */
    json_t *arr = json_array();
    long long end = (long long)st.st_size, skipped = 0;
    int failed = lines < 0;
    while (!failed && end > 0 && json_array_size(arr) < max) {
        if (end > 0) { /* the '\n' that ends this line, if any */
            char c;
            if (pread(fd, &c, 1, (off_t)(end - 1)) != 1) {
                failed = 1;
                break;
            }
            if (c == '\n' && --end == 0)
                break;
        }
        long long start = co__dlq_line_start(fd, end);
        if (start < 0) {
            failed = 1;
            break;
        }
        size_t len = (size_t)(end - start);
        if (len > CO_DLQ_LETTER_MAX) {
            skipped++;
        } else if (len > 0) {
            char *text = malloc(len + 1);
            if (text == NULL ||
                pread(fd, text, len, (off_t)start) != (ssize_t)len) {
                free(text);
                failed = 1;
                break;
            }
            text[len] = '\0';
            json_t *j = json_loads(text, 0, NULL);
            free(text);
            if (j != NULL)
                json_array_insert_new(arr, 0, j);
        }
        end = start;
    }
    close(fd);
    if (failed) {
        co_errf(errstr, errstr_size, "%s: read failed", path);
        json_decref(arr);
        return NULL;
    }
    if (skipped > 0)
        co_log_warn("dashboard: %s: %lld dead letter(s) over %zu MiB not "
                    "listed (read them with careerops dlq show)",
                    path, skipped, CO_DLQ_LETTER_MAX >> 20);
    *total = (size_t)lines;
    return arr;
}
