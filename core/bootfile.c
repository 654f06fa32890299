#include "bootfile.h"
#include "log.h"
#include "co_cli.h"
#include "co_readfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long one address of an existing file is given to answer. */
#define CO_BOOTFILE_PROBE_MS 300

/* Whether a TCP connect() to the numeric HOST:PORT (IPv6 in brackets)
 * succeeds within CO_BOOTFILE_PROBE_MS. */
static int co__bootfile_answers(const char *hp)
{
    char host[256];
    const char *colon = strrchr(hp, ':');
    if (colon == NULL || (size_t)(colon - hp) >= sizeof host)
        return 0;
    size_t hl = (size_t)(colon - hp);
    memcpy(host, hp, hl);
    host[hl] = '\0';
    char *h = host;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        h = host + 1;
    }
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(h, colon + 1, &hints, &ai) != 0)
        return 0;
    int up = 0;
    for (struct addrinfo *a = ai; a != NULL && !up; a = a->ai_next) {
        int fd =
            socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   a->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            up = 1;
        } else if (errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int err = 0;
            socklen_t el = sizeof err;
            if (poll(&p, 1, CO_BOOTFILE_PROBE_MS) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
                err == 0)
                up = 1;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    return up;
}

/* The first address of "HOST:PORT[,...]" that answers, copied to out;
 * 0 when none does. */
static int co__bootfile_live(const char *list, char *out, size_t cap)
{
    char *copy = strdup(list), *save = NULL;
    int up = 0;
    if (copy == NULL)
        return 0;
    copy[strcspn(copy, "\n")] = '\0';
    for (char *t = strtok_r(copy, ",", &save); t != NULL && !up;
         t = strtok_r(NULL, ",", &save)) {
        if (co__bootfile_answers(t)) {
            snprintf(out, cap, "%s", t);
            up = 1;
        }
    }
    free(copy);
    return up;
}

/* Whether buf (len bytes, no newline) is "HOST:PORT[,HOST:PORT]...":
 * HOST a loopback address, 127.N.N.N or [::1], as the broker writes them
 * (its cluster listens on 127.0.0.1), PORT 1 to 5 digits. Trial 57: any
 * "word:word" line, "todo:call-mom", was taken for a stale bootstrap file,
 * overwritten and removed; trial 58: "call-mom:1234" still was, and a
 * stale "10.0.0.5:9092" was probed over the network. */
static int co__bootfile_is_list(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t h = i;
        if (len - i >= 6 && memcmp(buf + i, "[::1]:", 6) == 0) {
            i += 5;
        } else {
            /* 127.N.N.N, each part 0-255 (trial 59: "127.1..1" passed) */
            if (len - i < 4 || memcmp(buf + i, "127.", 4) != 0)
                return 0;
            for (int part = 0; part < 4; part++) {
                unsigned v = 0, digits = 0;
                if (part > 0 && (i == len || buf[i++] != '.'))
                    return 0;
                while (i < len && isdigit((unsigned char)buf[i]) && digits < 4)
                    v = v * 10 + (unsigned)(buf[i++] - '0'), digits++;
                if (digits == 0 || digits > 3 || v > 255)
                    return 0;
            }
        }
        if (i == h || i == len || buf[i] != ':')
            return 0;
        size_t p = ++i;
        unsigned port = 0;
        while (i < len && isdigit((unsigned char)buf[i]) && i - p < 6)
            port = port * 10 + (unsigned)(buf[i++] - '0');
        /* a port the broker can have listened on: 1-65535 (trial 59) */
        if (i == p || port == 0 || port > 65535 || (i < len && buf[i] != ','))
            return 0;
        if (i < len && ++i == len)
            return 0; /* a trailing comma */
    }
    return len > 0;
}

/* The file is written at start (and removed at exit by `broker`): one
 * that exists must be a bootstrap file of an earlier run ("HOST:PORT[,
 * ...]\n"), never a manifest or a device (trial 55: --bootstrap-file
 * /dev/full removed it, a manifest given by mistake was overwritten, then
 * removed), and no broker may still answer at its address (trial 56: a
 * second broker took a live broker's file and removed it at exit). */
static int co__bootfile_old(const char *opt, const char *path)
{
    char buf[513];
    ssize_t n;
    long long size;
    co_peek_t kind = co_readfile_peek(path, buf, sizeof buf, &n, &size);
    if (kind == CO_PEEK_ABSENT)
        return 0; /* to be created */
    /* the broker ends its line with a newline; one written by hand or
     * by `printf` may not have it (trial 58) */
    size_t len = n <= 0 ? 0 : buf[n - 1] == '\n' ? (size_t)n - 1 : (size_t)n;
    int ours = kind == CO_PEEK_REGULAR && size <= 512 && n > 0 &&
               co__bootfile_is_list(buf, len);
    buf[len] = '\0';
    const char *shown = co_cli_shown(path);
    char live[300];
    int rc = 0;
    if (ours && co__bootfile_live(buf, live, sizeof live)) {
        fprintf(stderr,
                "error: %s %s: a program still answers at %s, the address "
                "in this file: another `careerops broker` or `run` is "
                "using it (or another program took its port); stop that "
                "one first, or give another path\n",
                opt, shown, live);
        rc = 2;
    } else if (!ours) {
        fprintf(stderr,
                "error: %s %s: the file exists and is %s; it would be "
                "overwritten with the broker's address: give a path that "
                "does not exist yet (or the bootstrap file of an earlier "
                "run)\n",
                opt, shown,
                kind == CO_PEEK_REGULAR && size == 0
                    ? "empty (not a bootstrap file, 127.0.0.1:PORT)"
                : kind == CO_PEEK_REGULAR
                    ? "not a bootstrap file (127.0.0.1:PORT)"
                : kind == CO_PEEK_LINK
                    ? "a symbolic link"
                    : "not a regular file (a device, pipe, socket or "
                      "folder)");
        rc = 2;
    }
    return rc;
}

int co_bootfile_check(const char *opt, const char *path)
{
    if (path[0] == '\0') {
        fprintf(stderr,
                "error: %s is empty: give the path of the file to "
                "write the broker's address to\n",
                opt);
        return 2;
    }
    if (path[0] == '~') { /* "--bootstrap-file=~/bs" (trial 65) */
        fprintf(stderr,
                "error: %s %s starts with ~, which nothing expanded (a shell "
                "does only at the start of a word: `%s ~/x`, not `%s=~/x`): "
                "give the full path\n",
                opt, co_cli_shown(path), opt, opt);
        return 2;
    }
    char dir[4096], why[4400];
    int err;
    co_newfile_t k = co_newfile_check(path, 1, dir, sizeof dir, &err);
    if (k != CO_NEWFILE_OK && k != CO_NEWFILE_CANNOT) {
        fprintf(stderr, "error: %s %s: %s (%s)\n", opt, co_cli_shown(path),
                co_newfile_why(k, co_cli_shown(dir), err, why, sizeof why),
                k == CO_NEWFILE_NO_FOLDER
                    ? "create the folder first, or give a path in an "
                      "existing one"
                : k == CO_NEWFILE_EMPTY     ? "give the file's name too"
                : k == CO_NEWFILE_LONG_NAME ? "give a shorter name"
                                            : "give a path in an existing "
                                              "folder");
        return 2;
    }
    int rc = co__bootfile_old(opt, path);
    if (rc == 0 && k == CO_NEWFILE_CANNOT) {
        /* after the look at an existing file, whose words say more */
        fprintf(stderr,
                "error: %s %s: %s (give a path in a folder you can "
                "write to)\n",
                opt, co_cli_shown(path),
                co_newfile_why(k, co_cli_shown(dir), err, why, sizeof why));
        rc = 2;
    }
    return rc;
}

/* Replace the existing file at path by the written one (fd, tmp) if it
 * is a stale bootstrap file, under an exclusive flock() on that file: of
 * two brokers that found the same stale file, the second to get the lock
 * sees that the file was replaced and looks at the new one, whose broker
 * answers (a review: both replaced it, and both ran). 1 when replaced;
 * 0 with errno set (EEXIST: said, another broker has it). */
static int co__bootfile_replace(int fd, const char *tmp, const char *path)
{
    int lfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat held, now;
    int ok = 0;
    if (lfd < 0 || flock(lfd, LOCK_EX) != 0 || fstat(lfd, &held) != 0) {
        if (lfd < 0 && (errno == ELOOP || errno == ENOENT))
            errno = EEXIST; /* replaced by a link, or removed: not ours */
    } else if (co__bootfile_old("--bootstrap-file", path) != 0) {
        errno = EEXIST; /* said: another broker wrote it meanwhile */
    } else if (stat(path, &now) != 0 || now.st_ino != held.st_ino ||
               now.st_dev != held.st_dev) {
        errno = EEXIST; /* replaced by another stale one meanwhile */
        fprintf(stderr,
                "error: --bootstrap-file %s: another broker "
                "replaced it while this one started: give another "
                "path\n",
                co_cli_shown(path));
    } else {
        ok = co_tmpfile_commit(fd, tmp, path) == 0;
    }
    int e = errno;
    if (lfd >= 0)
        close(lfd); /* the lock goes with it, after the rename */
    errno = e;
    return ok;
}

int co_bootfile_write(const char *path, const char *bootstraps)
{
    /* an unnamed file linked over path when whole: a "PATH.tmp" of the
     * user's was overwritten, a link named so followed, a FIFO so named
     * hung the write (trial 57) */
    char tmp[4200];
    int fd = co_tmpfile_open(path, tmp, sizeof tmp);
    if (fd < 0)
        return -1;
    size_t len = strlen(bootstraps);
    /* others' hosts read it: 0644, as a plain write under umask 022 */
    int ok = fchmod(fd, 0644) == 0 && co_write_all(fd, bootstraps, len) == 0 &&
             co_write_all(fd, "\n", 1) == 0;
    /* a new name only: of two brokers started at once (after both checked
     * that the path was free) one wins (trial 59: both ran); an existing
     * file is replaced only when it is still a stale bootstrap file */
    if (ok && co_tmpfile_commit_new(fd, tmp, path) != 0) {
        if (errno != EEXIST)
            ok = 0;
        else
            ok = co__bootfile_replace(fd, tmp, path);
    }
    int e = errno;
    if (!ok)
        co_tmpfile_abandon(tmp);
    close(fd);
    errno = e;
    return ok ? 0 : -1;
}

void co_bootfile_remove(const char *path, const char *bootstraps)
{
    char buf[513];
    ssize_t n;
    long long size;
    size_t bl = strlen(bootstraps);
    co_peek_t kind = co_readfile_peek(path, buf, sizeof buf, &n, &size);
    if (kind == CO_PEEK_ABSENT)
        return;
    if (kind != CO_PEEK_REGULAR || n < 0 || (size_t)n != bl + 1 ||
        memcmp(buf, bootstraps, bl) != 0 || buf[bl] != '\n') {
        co_log_info("%s now holds another address: left in place", path);
        return;
    }
    if (unlink(path) != 0 && errno != ENOENT)
        co_log_warn("cannot remove %s: %s", path, strerror(errno));
}
