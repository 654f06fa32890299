/* The dashboard's child processes (see dashboard_spawn.h). */
#include "dashboard_spawn.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The child's environment: environ, and for a child on the database
 * (conninfo not NULL) CAREEROPS_STATE=conninfo in place of an inherited
 * one, its waits bounded: PGCONNECT_TIMEOUT=3 unless set, and
 * "-c lock_timeout=3s" added to PGOPTIONS (trial 45: relabels waited on
 * locked tables as long as the lock was held). `own` receives how many
 * entries at the end are malloc'd: free with co__env_free(). */
static char **co__env_with(const char *conninfo, size_t *own)
{
    static const char *const names[] = {
        "CAREEROPS_STATE=", "PGOPTIONS=", "PGCONNECT_TIMEOUT="};
    *own = 0;
    if (conninfo == NULL)
        return environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = co_xcalloc(n + 4, sizeof *env);
    const char *opts = "", *timeout = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = environ[i];
        if (strncmp(e, names[1], strlen(names[1])) == 0)
            opts = e + strlen(names[1]);
        else if (strncmp(e, names[2], strlen(names[2])) == 0)
            timeout = e;
        else if (strncmp(e, names[0], strlen(names[0])) != 0)
            env[k++] = environ[i];
    }
    co_buf_t v[3] = {{0}};
    co_buf_printf(&v[0], "%s%s", names[1], opts);
    co_buf_printf(&v[0], "%s-c lock_timeout=%ss", opts[0] ? " " : "",
                  CO_DASHBOARD_DB_TIMEOUT_S);
    co_buf_printf(&v[1], "%s%s", timeout ? timeout : names[2],
                  timeout ? "" : CO_DASHBOARD_DB_TIMEOUT_S);
    co_buf_printf(&v[2], "%s%s", names[0], conninfo); /* last */
    for (int i = 0; i < 3; i++)
        env[k++] = v[i].data;
    *own = 3;
    return env;
}

static void co__env_free(char **env, size_t own)
{
    if (env == environ)
        return;
    size_t k = 0;
    while (env[k])
        k++;
    memset(env[k - 1], 0, strlen(env[k - 1])); /* the password, if any */
    for (size_t i = k - own; i < k; i++)
        free(env[i]);
    free(env);
}

/* Reads the child's output from fd into out until it closes it, or until
 * `deadline` (CLOCK_MONOTONIC ms, 0 for none); 0, or -1 at the deadline. */
static int co__read_until(int fd, long long deadline, co_buf_t *out)
{
    char buf[1024];
    for (;;) {
        int wait = -1;
        if (deadline > 0) {
            long long left = deadline - co_mono_ms();
            if (left <= 0)
                return -1;
            wait = left > 1000 ? 1000 : (int)left;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, wait);
        if (r < 0 && errno != EINTR)
            return 0;
        if (r <= 0)
            continue;
        ssize_t got = read(fd, buf, sizeof buf);
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
            return 0;
        if (got > 0)
            co_buf_printf(out, "%.*s", (int)got, buf);
    }
}

int co_dashboard_spawn(char *const argv[], const char *conninfo, int out_fd,
                       int timeout_s, co_buf_t *out)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_fd >= 0 ? out_fd : fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    size_t own;
    char **env = co__env_with(conninfo, &own);
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, argv, env);
    co__env_free(env, own);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    long long deadline = timeout_s > 0 ? co_mono_ms() + timeout_s * 1000LL : 0;
    int late = co__read_until(fds[0], deadline, out) != 0;
    if (late)
        kill(pid, SIGKILL);
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (late)
        return CO_DASHBOARD_SPAWN_LATE;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* {"ok":OK,KEY:MSG} */
static char *co__msg(int ok, const char *key, const char *msg)
{
    json_t *j = json_pack("{s:b, s:s}", "ok", ok, key, msg);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

char *co_dashboard_answer(char *const argv[], const char *conninfo,
                          int timeout_s, unsigned *status)
{
    co_buf_t out = {0}, e = {0};
    int rc = co_dashboard_spawn(argv, conninfo, -1, timeout_s, &out);
    const char *said = out.data ? out.data : "";
    char *body;
    if (rc == 0) {
        *status = 200;
        body = co__msg(1, "output", said);
    } else if (rc == CO_DASHBOARD_SPAWN_LATE && conninfo == NULL) {
        co_log_warn("dashboard: careerops %s: killed after %d s: %s", argv[1],
                    timeout_s, said);
        *status = 503;
        co_buf_printf(&e,
                      "careerops %s did not finish within %d s (is the "
                      "broker reachable?): try again",
                      argv[1], timeout_s);
        body = co__msg(0, "error", e.data);
    } else if (rc == CO_DASHBOARD_SPAWN_LATE ||
               (conninfo != NULL && rc == 1 && strstr(said, "lock timeout"))) {
        co_log_warn("dashboard: careerops %s: no answer within %d s: %s",
                    argv[1], rc == CO_DASHBOARD_SPAWN_LATE ? timeout_s : 3,
                    said);
        *status = 503;
        co_buf_printf(&e,
                      "careerops %s failed: the database did not answer in "
                      "time (a lock held on the tables, or a busy server): "
                      "try again",
                      argv[1]);
        body = co__msg(0, "error", e.data);
    } else if (conninfo != NULL && rc == 1) {
        /* the database refused or failed (exit 1): its own words, a
         * constraint's name say, go to the log; the user's mistakes
         * (an unknown key, label or date) are exit 2 (trial 45) */
        co_log_warn("dashboard: careerops %s: %s", argv[1], said);
        *status = 503;
        const char *conn = strstr(said, "cannot connect to PostgreSQL");
        co_buf_printf(&e,
                      "careerops %s failed: %s: try again (the log of "
                      "careerops serve has the database's words)",
                      argv[1],
                      conn ? "the database is not reachable"
                           : "the database did not complete it");
        body = co__msg(0, "error", e.data);
    } else {
        co_buf_printf(&e, "careerops %s failed (exit %d): %s", argv[1], rc,
                      said);
        *status = rc == 1 || rc == 2 ? 400 : 500;
        body = co__msg(0, "error", e.data);
    }
    co_buf_free(&e);
    co_buf_free(&out);
    return body;
}
