/* The newest dead letters of a file of any size (see dashboard_dlq.h). */
#include "dashboard_dlq.h"
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

/* Parses the complete lines of text[0..len) into `arr`, keeping the last
 * `max`. */
static void co__dlq_parse(char *text, size_t len, size_t max, json_t *arr)
{
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            nl = end;
        *nl = '\0';
        json_t *j = nl > p ? json_loads(p, 0, NULL) : NULL;
        if (j != NULL)
            json_array_append_new(arr, j);
        p = nl + 1;
    }
    size_t n = json_array_size(arr);
    for (size_t i = 0; n > max && i < n - max; i++)
        json_array_remove(arr, 0);
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
    /* the newest letters: from the end, a piece growing until it holds
     * `max` of them (or the whole file, or CO_DLQ_TAIL_MAX bytes) */
    json_t *arr = NULL;
    size_t size = (size_t)st.st_size, want = (size_t)1 << 20;
    for (;;) {
        size_t take = want < size ? want : size;
        char *text = malloc(take + 1);
        ssize_t got = text ? pread(fd, text, take, (off_t)(size - take)) : -1;
        if (got != (ssize_t)take) {
            co_errf(errstr, errstr_size, "%s: %s", path,
                    text ? "read failed" : "out of memory");
            free(text);
            json_decref(arr);
            arr = NULL;
            break;
        }
        /* a piece that starts inside a line: that line is left out */
        char *from = text;
        if (take < size) {
            char *nl = memchr(text, '\n', take);
            from = nl ? nl + 1 : text + take;
        }
        json_decref(arr);
        arr = json_array();
        co__dlq_parse(from, (size_t)(text + take - from), max, arr);
        free(text);
        if (json_array_size(arr) >= max || take == size ||
            want >= CO_DLQ_TAIL_MAX)
            break;
        want *= 4;
    }
    close(fd);
    if (arr != NULL && lines < 0) {
        co_errf(errstr, errstr_size, "%s: read failed", path);
        json_decref(arr);
        return NULL;
    }
    *total = arr ? (size_t)lines : 0;
    return arr;
}
