/* lib/readfile: read a whole file, a FIFO with no writer refused. */
#include "co_readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *co_readfile_strerror(int rc)
{
    if (rc == -ETIMEDOUT)
        return "a named pipe (FIFO) that nothing wrote to within 5 s: give a "
               "regular file";
    return strerror(-rc);
}

const char *co_readfile_kind(const char *path)
{
    struct stat st;
    if (path == NULL || stat(path, &st) != 0 || S_ISREG(st.st_mode))
        return NULL;
    return S_ISFIFO(st.st_mode)   ? "a named pipe (FIFO)"
           : S_ISDIR(st.st_mode)  ? "a folder"
           : S_ISSOCK(st.st_mode) ? "a socket"
                                  : "a device";
}

/* Append what `f` holds to *buf (*n bytes so far, *cap allocated), at most
 * `max` bytes in all. */
static int co__readfile_all(FILE *f, char **buf, size_t *n, size_t *cap,
                            size_t max)
{
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (*n + got > max) /* /dev/zero, a growing file */
            return -EFBIG;
        if (*n + got + 1 > *cap) {
            size_t c = *cap ? *cap : 256;
            while (c < *n + got + 1)
                c *= 2;
            char *d = realloc(*buf, c);
            if (d == NULL)
                return -ENOMEM;
            *buf = d;
            *cap = c;
        }
        memcpy(*buf + *n, chunk, got);
        *n += got;
    }
    return ferror(f) ? -EIO : 0;
}

int co_readfile_max(const char *path, char **out, size_t *len, size_t max)
{
    /* opened without waiting: a named pipe that nothing writes to would
     * block open() for ever (trial 53: validate hung on a FIFO secret;
     * trial 54: run on a FIFO key file, SIGTERM not heard) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (S_ISFIFO(st.st_mode)) { /* <(...) has a writer; a lone FIFO not */
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, CO_READFILE_FIFO_WAIT_MS) <= 0) {
            close(fd);
            return -ETIMEDOUT;
        }
    }
    int fl = fcntl(fd, F_GETFL);
    FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0
                  ? NULL
                  : fdopen(fd, "rb");
    if (f == NULL) {
        int e = -errno;
        close(fd);
        return e;
    }
    /* a folder opens for reading but its read fails: say what it is */
    if (S_ISDIR(st.st_mode) ||
        (S_ISREG(st.st_mode) && (uint64_t)st.st_size > (uint64_t)max)) {
        fclose(f);
        return S_ISDIR(st.st_mode) ? -EISDIR : -EFBIG;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int err = co__readfile_all(f, &buf, &n, &cap, max);
    fclose(f);
    if (err == 0 && buf == NULL && (buf = malloc(1)) == NULL)
        err = -ENOMEM;
    if (err != 0) {
        free(buf);
        return err;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}
