/* lib/readfile: read a whole file, a FIFO with no writer refused. */
#include "co_readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *co_readfile_strerror(int rc)
{
    if (rc == -ETIMEDOUT)
        return "a named pipe (FIFO) that nothing wrote to within 5 s: give a "
               "regular file";
    if (rc == CO_READFILE_ENDLESS)
        return "a device or stream that did not end within the size limit "
               "(e.g. /dev/zero): give a regular file";
    return strerror(-rc);
}

/* What stat() says path is, one stat() (a symbolic link followed): 0 a
 * regular file (or unseen for another reason than its absence: the read
 * says why), 1 missing, 2 a FIFO, 3 a folder, 4 a socket, 5 a device; the
 * index of co__kind_word and co__kind_whole. */
static int co__readfile_kind_idx(const char *path)
{
    struct stat st;
    if (path == NULL)
        return 0;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? 1 : 0; /* validate said ok (trial 55) */
    return S_ISREG(st.st_mode)    ? 0
           : S_ISFIFO(st.st_mode) ? 2
           : S_ISDIR(st.st_mode)  ? 3
           : S_ISSOCK(st.st_mode) ? 4
                                  : 5;
}

static const char *const co__kind_word[] = {NULL,
                                            "missing (no such file)",
                                            "a named pipe (FIFO)",
                                            "a folder",
                                            "a socket",
                                            "a device"};
static const char *const co__kind_whole[] = {
    NULL,
    "missing (no such file)",
    "a named pipe (FIFO), not a regular file",
    "a folder, not a regular file",
    "a socket, not a regular file",
    "a device, not a regular file"};

const char *co_readfile_kind(const char *path)
{
    return co__kind_word[co__readfile_kind_idx(path)];
}

const char *co_readfile_not_regular(const char *path)
{
    return co__kind_whole[co__readfile_kind_idx(path)];
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

FILE *co_readfile_open(const char *path, int *rc, size_t *size)
{
    /* opened without waiting: a named pipe that nothing writes to would
     * block open() for ever (trial 53: validate hung on a FIFO secret;
     * trial 54: run on a FIFO key file, SIGTERM not heard; trial 55: a
     * FIFO model or rules file hung validate) */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *rc = -errno;
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    *rc = 0;
    if (S_ISFIFO(st.st_mode)) { /* <(...) has a writer; a lone FIFO not */
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (poll(&pf, 1, CO_READFILE_FIFO_WAIT_MS) <= 0)
            *rc = -ETIMEDOUT;
    }
    /* a folder opens for reading but its read fails: say what it is */
    if (*rc == 0 && S_ISDIR(st.st_mode))
        *rc = -EISDIR;
    int fl = *rc == 0 ? fcntl(fd, F_GETFL) : -1;
    FILE *f = fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0
                  ? NULL
                  : fdopen(fd, "rb");
    if (f == NULL) {
        if (*rc == 0)
            *rc = -errno;
        close(fd);
        return NULL;
    }
    if (size != NULL)
        *size = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    return f;
}

int co_readfile_max(const char *path, char **out, size_t *len, size_t max)
{
    int err;
    size_t size;
    FILE *f = co_readfile_open(path, &err, &size);
    if (f == NULL)
        return err;
    if (size > max) {
        fclose(f);
        return -EFBIG;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    struct stat st;
    int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    err = co__readfile_all(f, &buf, &n, &cap, max);
    fclose(f);
    /* a device or pipe never ended (a /proc file, regular but of size 0,
     * or a file that grew, stays "File too large": a review) */
    if (err == -EFBIG && !regular)
        err = CO_READFILE_ENDLESS;
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

/* The folder part of path ("." for a bare name) into dir. */
static int co__tmpfile_dir(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n + 2 > cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (n == 0)
        memcpy(dir, ".", 2);
    else {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return 0;
}

int co_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int co_tmpfile_open(const char *path, char *tmpname, size_t cap)
{
    char dir[4096];
    if (cap < strlen(path) + 12 || co__tmpfile_dir(path, dir, sizeof dir)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    tmpname[0] = '\0';
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    /* no O_TMPFILE on this file system: a named file, removed on failure;
     * its name does not grow with path's (trial 61: a 244-byte name
     * passed every check, then its PATH.tmp... name was too long) */
    snprintf(tmpname, cap, "%s/.co-tmp.XXXXXX", dir);
    fd = mkostemp(tmpname, O_CLOEXEC);
    if (fd < 0)
        tmpname[0] = '\0';
    return fd;
}

int co_tmpfile_commit_new(int fd, const char *tmpname, const char *path)
{
    if (tmpname[0] != '\0') {
        /* link() fails with EEXIST where rename() would replace; the
         * temporary name stays for co_tmpfile_commit() or _abandon() */
        if (link(tmpname, path) != 0)
            return -1;
        unlink(tmpname);
        return 0;
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int co_tmpfile_commit(int fd, const char *tmpname, const char *path)
{
    if (tmpname[0] != '\0') {
        if (rename(tmpname, path) == 0)
            return 0;
        int e = errno;
        unlink(tmpname);
        errno = e;
        return -1;
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    /* replacing a file: linked under a free name of its folder (as short
     * whatever path's name), then renamed over it */
    size_t n = strlen(path) + 40;
    char *tmp = malloc(n), dir[4096];
    if (tmp == NULL || co__tmpfile_dir(path, dir, sizeof dir) != 0) {
        free(tmp);
        return -1;
    }
    int rc = -1;
    for (unsigned i = 0; i < 100 && rc != 0; i++) {
        snprintf(tmp, n, "%s/.co-tmp.%ld.%u", dir, (long)getpid(), i);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0) {
            if (errno == EEXIST)
                continue;
            break;
        }
        rc = rename(tmp, path);
        if (rc != 0) {
            int e = errno;
            unlink(tmp);
            errno = e;
            break;
        }
    }
    free(tmp);
    return rc;
}

void co_tmpfile_abandon(const char *tmpname)
{
    if (tmpname[0] != '\0')
        unlink(tmpname);
}

co_peek_t co_readfile_peek(const char *path, char *head, size_t cap, ssize_t *n,
                           long long *size)
{
    struct stat st;
    head[0] = '\0';
    *n = -1;
    *size = 0;
    if (lstat(path, &st) != 0)
        return CO_PEEK_ABSENT;
    if (S_ISLNK(st.st_mode))
        return CO_PEEK_LINK;
    if (!S_ISREG(st.st_mode))
        return CO_PEEK_OTHER;
    *size = (long long)st.st_size;
    /* O_NONBLOCK|O_NOFOLLOW: replaced by a FIFO or a link since lstat() */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        *n = read(fd, head, cap - 1);
        close(fd);
        if (*n >= 0)
            head[*n] = '\0';
        else
            head[0] = '\0';
    }
    return CO_PEEK_REGULAR;
}

co_newfile_t co_newfile_check(const char *path, int probe, char *dir,
                              size_t cap, int *err)
{
    *err = 0;
    if (cap > 0)
        dir[0] = '\0';
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/')
        return CO_NEWFILE_EMPTY;
    if (co__tmpfile_dir(path, dir, cap) != 0) {
        *err = ENAMETOOLONG;
        return CO_NEWFILE_FOLDER_ERR;
    }
    struct stat st;
    if (stat(dir, &st) != 0) {
        *err = errno;
        return errno == ENOENT    ? CO_NEWFILE_NO_FOLDER
               : errno == ENOTDIR ? CO_NEWFILE_NOT_FOLDER
                                  : CO_NEWFILE_FOLDER_ERR;
    }
    if (!S_ISDIR(st.st_mode))
        return CO_NEWFILE_NOT_FOLDER;
    struct stat lt;
    if (lstat(path, &lt) == 0 && S_ISLNK(lt.st_mode) && stat(path, &st) != 0) {
        /* a link to nowhere: its target is what gets created, so its
         * target's folder counts (trial 65: a link into a missing folder
         * passed validate); a loop of links takes nothing */
        int why = errno; /* ENOENT: the chain ends at a missing name */
        char target[4096], *full = NULL;
        ssize_t tl = readlink(path, target, sizeof target - 1);
        if (why != ENOENT || tl <= 0) {
            *err = why != ENOENT ? why : EINVAL;
            return CO_NEWFILE_CANNOT;
        }
        target[tl] = '\0';
        if (target[0] != '/' && asprintf(&full, "%s/%s", dir, target) < 0)
            full = NULL;
        co_newfile_t k =
            co_newfile_check(full ? full : target, probe, dir, cap, err);
        free(full);
        return k;
    }
    const char *slash = strrchr(path, '/');
    const char *name = slash == NULL ? path : slash + 1;
    long max = pathconf(dir, _PC_NAME_MAX);
    if (max <= 0)
        max = NAME_MAX;
    if (strlen(name) > (size_t)max) {
        *err = (int)max; /* the folder's own limit, for co_newfile_why() */
        return CO_NEWFILE_LONG_NAME;
    }
    if (!probe)
        return CO_NEWFILE_OK;
    char tmp[4200];
    if (len + 12 > sizeof tmp) {
        *err = ENAMETOOLONG;
        return CO_NEWFILE_CANNOT;
    }
    int fd = co_tmpfile_open(path, tmp, sizeof tmp);
    if (fd < 0) {
        *err = errno;
        return CO_NEWFILE_CANNOT;
    }
    co_tmpfile_abandon(tmp);
    close(fd);
    return CO_NEWFILE_OK;
}

char *co_newfile_why(co_newfile_t k, const char *dir_shown, int err, char *buf,
                     size_t cap)
{
    switch (k) {
    case CO_NEWFILE_NO_FOLDER:
        snprintf(buf, cap, "its folder %s does not exist", dir_shown);
        break;
    case CO_NEWFILE_NOT_FOLDER:
        snprintf(buf, cap, "its folder %s is not a folder", dir_shown);
        break;
    case CO_NEWFILE_FOLDER_ERR:
        snprintf(buf, cap, "its folder %s: %s", dir_shown, strerror(err));
        break;
    case CO_NEWFILE_EMPTY:
        snprintf(buf, cap, "no file name (the path is empty or ends in /)");
        break;
    case CO_NEWFILE_LONG_NAME:
        snprintf(buf, cap, "its name is longer than %d bytes",
                 err > 0 ? err : NAME_MAX);
        break;
    case CO_NEWFILE_CANNOT:
        snprintf(buf, cap, "no file can be created in folder %s: %s", dir_shown,
                 strerror(err));
        break;
    default:
        snprintf(buf, cap, "can be created");
    }
    return buf;
}

co_peek_t co_readfile_replaceable(const char *path, const char *magic,
                                  int *ours)
{
    char head[256];
    ssize_t n;
    long long size;
    size_t ml = strlen(magic);
    co_peek_t kind = co_readfile_peek(
        path, head, ml + 1 < sizeof head ? ml + 1 : sizeof head, &n, &size);
    *ours = kind == CO_PEEK_ABSENT ||
            (kind == CO_PEEK_REGULAR &&
             (size == 0 || (n == (ssize_t)ml && memcmp(head, magic, ml) == 0)));
    return kind;
}
