/* The dashboard's child processes (see dashboard_spawn.h). */
#include "dashboard_spawn.h"

#include <errno.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* A copy of environ with CAREEROPS_STATE=conninfo in place of an inherited
 * one (NULL conninfo: environ itself). The array and the new entry are
 * malloc'd: free with co__env_free(). */
static char **co__env_with(const char *conninfo)
{
    static const char name[] = "CAREEROPS_STATE=";
    if (conninfo == NULL)
        return environ;
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = co_xcalloc(n + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], name, sizeof name - 1) != 0)
            env[k++] = environ[i];
    co_buf_t v = {0};
    co_buf_printf(&v, "%s%s", name, conninfo);
    env[k] = v.data;
    return env;
}

static void co__env_free(char **env)
{
    if (env == environ)
        return;
    size_t k = 0;
    while (env[k + 1])
        k++;
    memset(env[k], 0, strlen(env[k])); /* the password, if any */
    free(env[k]);
    free(env);
}

int co_dashboard_spawn(char *const argv[], const char *conninfo, int out_fd,
                       co_buf_t *out)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_fd >= 0 ? out_fd : fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char **env = co__env_with(conninfo);
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, argv, env);
    co__env_free(env);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    char buf[1024];
    ssize_t got;
    while ((got = read(fds[0], buf, sizeof buf)) > 0 ||
           (got < 0 && errno == EINTR))
        if (got > 0)
            co_buf_printf(out, "%.*s", (int)got, buf);
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
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
                          unsigned *status)
{
    co_buf_t out = {0};
    int rc = co_dashboard_spawn(argv, conninfo, -1, &out);
    char *body;
    if (rc == 0) {
        *status = 200;
        body = co__msg(1, "output", out.data ? out.data : "");
    } else {
        co_buf_t e = {0};
        co_buf_printf(&e, "careerops %s failed (exit %d): %s", argv[1], rc,
                      out.data ? out.data : "");
        *status = rc == 1 || rc == 2 ? 400 : 500;
        body = co__msg(0, "error", e.data);
        co_buf_free(&e);
    }
    co_buf_free(&out);
    return body;
}
