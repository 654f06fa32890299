/* JSON-lines logger on stderr. */
#include "log.h"
#include "co_cli.h"
#include "util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static co_log_level_t co__log_level = CO_LOG_INFO;
static pthread_mutex_t co__log_lock = PTHREAD_MUTEX_INITIALIZER;

void co_log_set_level(co_log_level_t level)
{
    co__log_level = level;
}

void co_log_init_from_env(void)
{
    const char *v = getenv("CAREEROPS_LOG_LEVEL");
    if (v == NULL)
        return;
    if (strcasecmp(v, "debug") == 0)
        co__log_level = CO_LOG_DEBUG;
    else if (strcasecmp(v, "info") == 0)
        co__log_level = CO_LOG_INFO;
    else if (strcasecmp(v, "warn") == 0 || strcasecmp(v, "warning") == 0)
        co__log_level = CO_LOG_WARN;
    else if (strcasecmp(v, "error") == 0)
        co__log_level = CO_LOG_ERROR;
    else /* kept at the default, and said as every line is (trial 80: no
            "ts") */
        co_log_warn("CAREEROPS_LOG_LEVEL: unknown level; give debug, info, "
                    "warn or error (info kept)");
}

int co_log_enabled(co_log_level_t level)
{
    return level <= co__log_level;
}

static const char *co__level_name(co_log_level_t l)
{
    switch (l) {
    case CO_LOG_ERROR:
        return "error";
    case CO_LOG_WARN:
        return "warn";
    case CO_LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

/* The JSON line j (freed) with the characters jansson leaves raw that
 * co_cli_invisible() names (U+202E, U+2028, C1 controls...) and DEL
 * written \\uNNNN: still JSON, but a log line read on a terminal is not
 * reversed or cut; NULL for NULL. */
static char *co__log_visible(char *j)
{
    if (j == NULL)
        return NULL;
    size_t n = strlen(j), o = 0;
    char *t = malloc(6 * n + 1);
    if (t == NULL)
        return j;
    for (const char *c = j; *c;) {
        unsigned u;
        size_t len = co_cli_invisible(c, &u);
        if (len == 0 && *c == 0x7f)
            len = 1, u = 0x7f;
        if (len > 0) {
            o += (size_t)snprintf(t + o, 7, "\\u%04x", u);
            c += len;
        } else {
            t[o++] = *c++;
        }
    }
    t[o] = '\0';
    free(j);
    return t;
}

void co_logv(co_log_level_t level, const char *stage, const char *plugin,
             const char *fmt, va_list ap)
{
    if (!co_log_enabled(level))
        return;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    co_secret_redact(msg, sizeof msg);
    char ts[40];
    co_rfc3339_now(ts, sizeof ts);
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(co__level_name(level)));
    if (stage)
        json_object_set_new(o, "stage", json_string(stage));
    if (plugin)
        json_object_set_new(o, "plugin", json_string(plugin));
    json_t *m = json_string(msg);
    if (m == NULL) /* not UTF-8: keep it readable rather than lose it */
        m = json_stringn_nocheck(msg, strlen(msg));
    json_object_set_new(o, "msg", m);
    char *line =
        co__log_visible(json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER));
    json_decref(o);
    if (line == NULL)
        return;
    size_t n = strlen(line);
    line[n] = '\n';
    pthread_mutex_lock(&co__log_lock);
    ssize_t w = write(STDERR_FILENO, line, n + 1);
    (void)w;
    pthread_mutex_unlock(&co__log_lock);
    free(line);
}

void co_log(co_log_level_t level, const char *stage, const char *plugin,
            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    co_logv(level, stage, plugin, fmt, ap);
    va_end(ap);
}
