/* The control token: read from http.token_file, or made per start in a
 * private folder (see control_token.h). */
#include "control_token.h"
#include "control.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int co_control_token_read(const char *file, char *token, size_t tsz,
                          char **token_file, char *errstr, size_t sz)
{
    char *text = NULL;
    size_t len = 0;
    int rc = co_read_file_max(file, &text, &len, CO_READ_SECRET_MAX);
    if (rc != 0) {
        co_errf(errstr, sz, "http.token_file %s: %s", file,
                co_read_strerror(rc));
        return -1;
    }
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' ||
                       text[len - 1] == ' '))
        text[--len] = '\0';
    if (len < CO_CONTROL_TOKEN_MIN || len >= tsz ||
        strpbrk(text, " \t\r\n") != NULL) {
        co_errf(errstr, sz,
                "http.token_file %s: the token must be one line of %d to %zu "
                "characters without spaces (e.g. `head -c 32 /dev/urandom | "
                "base64 > FILE`)",
                file, CO_CONTROL_TOKEN_MIN, tsz - 1);
        free(text);
        return -1;
    }
    memcpy(token, text, len + 1);
    sodium_memzero(text, len);
    free(text);
    struct stat st;
    if (stat(file, &st) == 0 && (st.st_mode & 077) != 0)
        co_log_warn("http.token_file %s is readable by other users (mode "
                    "%03o): chmod 600 it",
                    file, (unsigned)(st.st_mode & 0777));
    *token_file = co_strdup(file);
    return 0;
}

/* A private folder for generated tokens: created 0700, ours, not a link. */
static char *co__token_dir(char *errstr, size_t sz)
{
    char dir[512];
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && xdg[0] == '/')
        snprintf(dir, sizeof dir, "%s/careerops", xdg);
    else
        snprintf(dir, sizeof dir, "/tmp/careerops-%u", (unsigned)getuid());
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        co_errf(errstr, sz, "cannot create %s for the control token: %s", dir,
                strerror(errno));
        return NULL;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
        (st.st_mode & 077) != 0) {
        co_errf(errstr, sz,
                "%s is not a private folder of this user (mode 0700): remove "
                "it, or set http.token_file",
                dir);
        return NULL;
    }
    return co_strdup(dir);
}

/* Remove the token files of processes that are gone (killed before they
 * could remove theirs): NAME-PID.token whose PID does not exist and that is
 * older than a minute (a file just written by a starting process is left). */
static void co__token_sweep(const char *dir)
{
    DIR *dh = opendir(dir);
    if (dh == NULL)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        const char *name = de->d_name;
        size_t n = strlen(name);
        if (n < 8 || strcmp(name + n - 6, ".token") != 0)
            continue;
        const char *dash = NULL;
        for (const char *p = name; p < name + n - 6; p++)
            if (*p == '-')
                dash = p;
        if (dash == NULL || dash + 1 == name + n - 6)
            continue;
        char *end;
        errno = 0;
        long pid = strtol(dash + 1, &end, 10);
        if (end != name + n - 6 || errno != 0 || pid <= 0 || pid > INT_MAX ||
            !isdigit((unsigned char)dash[1]))
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        struct stat st;
        if (fstatat(dirfd(dh), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
            now - st.st_mtime < 60)
            continue;
        if (unlinkat(dirfd(dh), name, 0) == 0)
            co_log_info("removed %s/%s: the control token of process %ld, "
                        "which is gone",
                        dir, name, pid);
    }
    closedir(dh);
}

int co_control_token_make(const char *pipeline, char *token, size_t tsz,
                          char **token_file, char *errstr, size_t sz)
{
    unsigned char raw[32];
    if (sodium_init() < 0) {
        co_errf(errstr, sz, "libsodium cannot start: no control token");
        return -1;
    }
    randombytes_buf(raw, sizeof raw);
    if (tsz < 2 * sizeof raw + 1) {
        co_errf(errstr, sz, "no room for the control token");
        return -1;
    }
    sodium_bin2hex(token, tsz, raw, sizeof raw);
    char *dir = co__token_dir(errstr, sz);
    if (dir == NULL)
        return -1;
    co__token_sweep(dir);
    co_buf_t f = {0};
    co_buf_printf(&f, "%s/%s-%ld.token", dir, pipeline ? pipeline : "careerops",
                  (long)getpid());
    free(dir);
    unlink(f.data); /* a stale file of an earlier process with our pid */
    int fd = open(f.data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    size_t n = strlen(token);
    if (fd < 0 || write(fd, token, n) != (ssize_t)n ||
        write(fd, "\n", 1) != 1) {
        co_errf(errstr, sz, "cannot write the control token to %s: %s", f.data,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        co_buf_free(&f);
        return -1;
    }
    close(fd);
    *token_file = f.data;
    return 0;
}
