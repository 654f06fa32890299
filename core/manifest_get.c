/* Manifest diagnostics and typed field readers, each fault reported with
 * the JSON path of the field. */
#include "manifest_int.h"
#include "options.h" /* co_json_integral() */
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void co_diag_add(co_diag_t *d, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    co_secret_redact(msg, sizeof msg);
    const char *where = path[0] ? path : "(top level)";
    size_t n = strlen(where) + strlen(msg) + 3;
    char *s = co_xmalloc(n);
    snprintf(s, n, "%s: %s", where, msg);
    char *t = co_visible(s);
    free(s);
    co__diag_take(d, t);
}

int co_diag_has(const co_diag_t *d, const char *path)
{
    size_t pl = strlen(path);
    for (size_t i = 0; d != NULL && i < d->n; i++)
        if (strncmp(d->msgs[i], path, pl) == 0 && d->msgs[i][pl] == ':')
            return 1;
    return 0;
}

void co__diag_take(co_diag_t *d, char *msg)
{
    char **v = realloc(d->msgs, (d->n + 1) * sizeof *v);
    if (v == NULL)
        abort();
    d->msgs = v;
    d->msgs[d->n++] = msg;
}

void co_diag_print_as(const co_diag_t *d, const char *file, const char *level)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s: %s: %s\n", level,
                co_cli_shown(file == NULL      ? "manifest"
                             : file[0] == '\0' ? "manifest ''"
                                               : file),
                d->msgs[i]);
}

void co_diag_print(const co_diag_t *d, const char *file)
{
    co_diag_print_as(d, file, "error");
}

void co_diag_join(const co_diag_t *d, const char *file, const char *none,
                  char *err, size_t err_size)
{
    co_buf_t b = {0};
    for (size_t i = 0; i < d->n; i++)
        co_buf_printf(&b, "%s%s", i ? "; " : "", d->msgs[i]);
    snprintf(err, err_size, "%s: %s", co_cli_shown(file),
             b.data ? b.data : none);
    co_buf_free(&b);
}

void co_diag_free(co_diag_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    d->msgs = NULL;
    d->n = 0;
}

void co__check_keys(json_t *obj, const char *path, const char *const *allowed,
                    co_diag_t *d)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0)
                ok = 1;
        if (!ok) {
            char p[512];
            snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", k);
            co_buf_t hint = {0};
            for (size_t i = 0; allowed[i]; i++)
                co_buf_printf(&hint, "%s%s", i ? ", " : "", allowed[i]);
            const char *near = co_closest_name(k, allowed);
            if (near != NULL)
                co_diag_add(d, p,
                            "unknown key: did you mean \"%s\"? (allowed "
                            "here: %s)",
                            near, hint.data);
            else
                co_diag_add(d, p, "unknown key; allowed here: %s", hint.data);
            co_buf_free(&hint);
        }
    }
}

char *co__get_str(json_t *obj, const char *key, const char *path, int required,
                  const char *def, co_diag_t *d)
{
    json_t *v = json_object_get(obj, key);
    char p[512];
    snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
    if (v == NULL) {
        if (required)
            co_diag_add(d, p, "missing (required string)");
        return co_strdup(def);
    }
    if (!json_is_string(v)) {
        co_diag_add(d, p, "must be a string");
        return co_strdup(def);
    }
    return co_strdup(json_string_value(v));
}

int64_t co__get_int(json_t *obj, const char *key, const char *path, int64_t def,
                    int64_t min, int64_t max, co_diag_t *d)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return def;
    char p[512];
    snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
    long long x;
    if (!co_json_integral(v, &x)) {
        /* the value given, as the plugin options' message names it
         * (trial 68: "concurrency": "2" said only "must be an integer") */
        char *given = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        co_diag_add(d, p, "must be an integer (%lld to %lld), not %.60s%s%s",
                    (long long)min, (long long)max, given ? given : "?",
                    given && strlen(given) > 60 ? "..." : "",
                    json_is_string(v) ? " (a string: write the number "
                                        "without quotes)"
                                      : "");
        free(given);
        return def;
    }
    if (x < min || x > max) {
        co_diag_add(d, p, "must be between %lld and %lld (got %lld)",
                    (long long)min, (long long)max, (long long)x);
        return def;
    }
    return x;
}

double co__get_num(json_t *obj, const char *key, const char *path, double def,
                   double min, double max, co_diag_t *d)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return def;
    char p[512];
    snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
    if (!json_is_number(v)) {
        co_diag_add(d, p, "must be a number (%g to %g)", min, max);
        return def;
    }
    double x = json_number_value(v);
    if (x < min || x > max) {
        co_diag_add(d, p, "must be between %g and %g (got %g)", min, max, x);
        return def;
    }
    return x;
}

int co__get_bool(json_t *obj, const char *key, const char *path, int def,
                 co_diag_t *d)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return def;
    if (!json_is_boolean(v)) {
        char p[512];
        snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
        co_diag_add(d, p, "must be true or false");
        return def;
    }
    return json_is_true(v);
}

#define CO__NAME_MAX 200

void co__check_name(const char *s, const char *path, const char *what,
                    co_diag_t *d)
{
    /* a value whose ${env:...} could not be expanded has its error already
     * (session 20: a second one about the unexpanded text followed) */
    if (co_diag_has(d, path))
        return;
    int topic = strcmp(what, "topic name") == 0;
    if (topic && s != NULL && (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)) {
        /* Kafka refuses them (trial 43: validate passed "..", the embedded
         * broker took it) */
        co_diag_add(d, path,
                    "the topic name \"%s\" is refused by Kafka: use "
                    "letters, digits, '_', '-', '.'",
                    s);
        return;
    }
    if (!topic && s != NULL &&
        (strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || s[0] == '-')) {
        /* they name folders and consumer groups, and a leading '-' reads
         * as an option on a command line (trial 44) */
        co_diag_add(d, path,
                    "the %s \"%s\" is not usable: not \".\" or \"..\", "
                    "and not starting with '-'",
                    what, s);
        return;
    }
    if (!topic && s != NULL && strcmp(what, "stage name") == 0 &&
        strchr(s, '.') != NULL && co__valid_name(s)) {
        /* the consumer group is careerops.PIPELINE.STAGE: pipeline "ops"
         * stage "x.sink" and pipeline "ops.x" stage "sink" shared one and
         * each read half the topic; --set stages.NAME cannot name it
         * either (trial 80) */
        co_diag_add(d, path,
                    "the stage name \"%s\" has a '.': the stage's consumer "
                    "group is careerops.PIPELINE.STAGE, which a dot makes "
                    "another pipeline's stage's too, and --set "
                    "stages.NAME.... cannot name it: use '-' or '_'",
                    s);
        return;
    }
    if (topic && s != NULL && strncmp(s, "__", 2) == 0) {
        co_diag_add(d, path,
                    "the topic name \"%.60s\" starts with \"__\", which Kafka "
                    "keeps for its internal topics (__consumer_offsets, "
                    "__transaction_state): choose another name",
                    s);
        return;
    }
    if (s == NULL || co__valid_name(s))
        return;
    size_t n = strlen(s);
    if (n == 0 || n > CO__NAME_MAX)
        co_diag_add(d, path,
                    "the %s must be between 1 and %d characters long (got "
                    "%zu%s%.40s%s)",
                    what, CO__NAME_MAX, n, n ? ": \"" : "", s,
                    n ? "...\"" : "");
    else
        co_diag_add(d, path,
                    "the %s \"%s\" must be letters, digits, '_', '-', '.'",
                    what, s);
}

const char *co_manifest_stage_path(char *buf, size_t sz, size_t idx,
                                   const char *name)
{
    if (co__valid_name(name))
        snprintf(buf, sz, "stages[%zu] (%.64s)", idx, name);
    else
        snprintf(buf, sz, "stages[%zu]", idx);
    return buf;
}

int co_manifest_name_ok(const char *s)
{
    return co__valid_name(s);
}

int co__valid_name(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > CO__NAME_MAX)
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
              *p == '.'))
            return 0;
    return 1;
}
