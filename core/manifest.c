/* Pipeline manifest: parse (jansson), --set overrides, ${secret:}/${env:}
 * expansion, validation with JSON paths. */
#include "manifest.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
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
    const char *where = path[0] ? path : "(top level)";
    size_t n = strlen(where) + strlen(msg) + 3;
    char *s = co_xmalloc(n);
    snprintf(s, n, "%s: %s", where, msg);
    char **v = realloc(d->msgs, (d->n + 1) * sizeof *v);
    if (v == NULL)
        abort();
    d->msgs = v;
    d->msgs[d->n++] = s;
}

void co_diag_print(const co_diag_t *d, const char *file)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "error: %s: %s\n", file ? file : "manifest",
                d->msgs[i]);
}

void co_diag_free(co_diag_t *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    d->msgs = NULL;
    d->n = 0;
}

json_t *co_json_path(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    while (cur != NULL && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char seg[256];
        if (n >= sizeof seg)
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, seg);
        } else if (json_is_array(cur)) {
            char *end;
            long idx = strtol(seg, &end, 10);
            cur = (*end == '\0' && idx >= 0) ? json_array_get(cur, (size_t)idx)
                                             : NULL;
        } else {
            return NULL;
        }
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

static int co__json_scalar_eq(const json_t *a, const json_t *b)
{
    if (json_is_string(a) && json_is_string(b))
        return strcmp(json_string_value(a), json_string_value(b)) == 0;
    return json_equal((json_t *)a, (json_t *)b);
}

int co_when_match_doc(const json_t *when, json_t *doc)
{
    if (when == NULL || json_object_size(when) == 0)
        return 1;
    if (doc == NULL)
        return 0;
    int ok = 1;
    const char *k;
    json_t *want;
    json_object_foreach((json_t *)when, k, want)
    {
        json_t *got = co_json_path(doc, k);
        if (got == NULL) {
            ok = json_is_null(want);
        } else if (json_is_array(want)) {
            size_t i;
            json_t *w;
            int any = 0;
            json_array_foreach(want, i, w) if (co__json_scalar_eq(w, got)) any =
                1;
            ok = any;
        } else {
            ok = co__json_scalar_eq(want, got);
        }
        if (!ok)
            break;
    }
    return ok;
}

int co_when_match(const json_t *when, const char *value, size_t len)
{
    if (when == NULL || json_object_size(when) == 0)
        return 1;
    json_t *doc = json_loadb(value ? value : "", len, 0, NULL);
    int ok = co_when_match_doc(when, doc);
    json_decref(doc);
    return ok;
}

/* ---- --set overrides ---------------------------------------------------- */

/* Apply one "path=value" to the document. Paths are dotted with [N]
 * indexes; `stages.NAME` selects a stage by name; after `kafka.` the rest
 * is one librdkafka property name. */
static int co__apply_set(json_t *root, const char *set, co_diag_t *d)
{
    const char *eq = strchr(set, '=');
    char where[300];
    snprintf(where, sizeof where, "--set %s", set);
    if (eq == NULL || eq == set) {
        co_diag_add(d, where,
                    "expected path=value, e.g. "
                    "stages.classify.plugin=rules-classifier");
        return -1;
    }
    char *path = strndup(set, (size_t)(eq - set));
    const char *val = eq + 1;
    json_error_t je;
    json_t *v = json_loads(val, JSON_DECODE_ANY, &je);
    if (v == NULL && (val[0] == '{' || val[0] == '[')) {
        co_diag_add(d, where,
                    "the value looks like JSON but is not valid "
                    "(%s); quote it in the shell: --set 'PATH={...}'",
                    je.text);
        free(path);
        return -1;
    }
    if (v == NULL)
        v = json_string(val);
    json_t *cur = root;
    char *p = path;
    int rc = 0;
    if (strncmp(p, "kafka.", 6) == 0) {
        json_t *k = json_object_get(root, "kafka");
        if (!json_is_object(k)) {
            k = json_object();
            json_object_set_new(root, "kafka", k);
        }
        json_object_set_new(
            k, p + 6, json_is_string(v) ? json_incref(v) : json_string(val));
        json_decref(v);
        free(path);
        return 0;
    }
    while (*p) {
        char seg[256];
        size_t n = strcspn(p, ".[");
        if (n >= sizeof seg) {
            rc = -1;
            break;
        }
        memcpy(seg, p, n);
        seg[n] = '\0';
        p += n;
        int last = (*p == '\0');
        if (n > 0) {
            if (json_is_array(cur) && strcmp(seg, "") != 0) {
                /* stages.NAME: select an element by its "name" */
                size_t i;
                json_t *e, *found = NULL;
                json_array_foreach(cur, i, e)
                {
                    json_t *nm = json_object_get(e, "name");
                    if (json_is_string(nm) &&
                        strcmp(json_string_value(nm), seg) == 0)
                        found = e;
                }
                if (found == NULL) {
                    co_diag_add(d, where, "no element named '%s'", seg);
                    rc = -1;
                    break;
                }
                if (last) {
                    co_diag_add(d, where, "cannot replace a whole stage");
                    rc = -1;
                    break;
                }
                cur = found;
            } else if (json_is_object(cur)) {
                if (last) {
                    json_object_set(cur, seg, v);
                    break;
                }
                json_t *next = json_object_get(cur, seg);
                if (next == NULL) {
                    next = (*p == '[') ? json_array() : json_object();
                    json_object_set_new(cur, seg, next);
                }
                cur = next;
            } else {
                co_diag_add(d, where, "'%s' is not inside an object", seg);
                rc = -1;
                break;
            }
        }
        if (*p == '[') {
            char *end;
            long idx = strtol(p + 1, &end, 10);
            if (*end != ']' || idx < 0 || !json_is_array(cur) ||
                (size_t)idx >= json_array_size(cur)) {
                co_diag_add(d, where, "bad or out-of-range index");
                rc = -1;
                break;
            }
            p = end + 1;
            if (*p == '\0') {
                json_array_set(cur, (size_t)idx, v);
                break;
            }
            cur = json_array_get(cur, (size_t)idx);
        }
        if (*p == '.')
            p++;
    }
    json_decref(v);
    free(path);
    return rc;
}

/* ---- ${secret:NAME} and ${env:NAME:-default} ---------------------------- */

typedef struct {
    const char *secrets_dir;
    co_diag_t *d;
} co__expand_ctx;

static int co__valid_secret_name(const char *s, size_t n)
{
    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' ||
              s[i] == '.') ||
            (i == 0 && s[i] == '.'))
            return 0;
    return 1;
}

/* Expand one string; returns a new string or NULL (after a diagnostic). */
static char *co__expand_str(const char *in, const char *path,
                            co__expand_ctx *cx)
{
    co_buf_t out = {0};
    const char *p = in;
    int bad = 0;
    while (*p) {
        const char *open = strstr(p, "${");
        if (open == NULL) {
            co_buf_add(&out, p, strlen(p));
            break;
        }
        co_buf_add(&out, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        if (close == NULL) {
            co_diag_add(cx->d, path, "unterminated '${' in \"%s\"", in);
            bad = 1;
            break;
        }
        const char *body = open + 2;
        size_t blen = (size_t)(close - body);
        if (strncmp(body, "secret:", 7) == 0) {
            const char *name = body + 7;
            size_t nlen = blen - 7;
            if (!co__valid_secret_name(name, nlen)) {
                co_diag_add(cx->d, path,
                            "bad secret name in \"%s\" (letters, digits, "
                            "'_', '-', '.')",
                            in);
                bad = 1;
            } else {
                char *nm = strndup(name, nlen);
                char *file = co_path_join(cx->secrets_dir, nm);
                char *val = NULL;
                size_t vlen = 0;
                int rc = co_read_file(file, &val, &vlen);
                if (rc != 0) {
                    co_diag_add(cx->d, path,
                                "secret '%s' not readable at %s (%s): create "
                                "the file or set secrets_dir",
                                nm, file, strerror(-rc));
                    bad = 1;
                } else {
                    while (vlen > 0 &&
                           (val[vlen - 1] == '\n' || val[vlen - 1] == '\r'))
                        val[--vlen] = '\0';
                    co_buf_add(&out, val, vlen);
                }
                free(val);
                free(file);
                free(nm);
            }
        } else if (strncmp(body, "env:", 4) == 0) {
            char *spec = strndup(body + 4, blen - 4);
            char *def = strstr(spec, ":-");
            if (def) {
                *def = '\0';
                def += 2;
            }
            const char *v = getenv(spec);
            if (v != NULL && v[0] != '\0')
                co_buf_add(&out, v, strlen(v));
            else if (def != NULL)
                co_buf_add(&out, def, strlen(def));
            else {
                co_diag_add(cx->d, path,
                            "environment variable %s is not set and \"%s\" "
                            "gives no default (use ${env:%s:-value})",
                            spec, in, spec);
                bad = 1;
            }
            free(spec);
        } else {
            co_diag_add(cx->d, path,
                        "unknown substitution \"${%.*s}\": use ${secret:NAME} "
                        "or ${env:NAME:-default}",
                        (int)blen, body);
            bad = 1;
        }
        p = close + 1;
    }
    if (bad) {
        co_buf_free(&out);
        return NULL;
    }
    if (out.data == NULL)
        co_buf_add(&out, "", 0);
    return out.data;
}

static void co__expand(json_t *node, const char *path, co__expand_ctx *cx)
{
    char sub[512];
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v)
        {
            if (json_is_string(v)) {
                snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "",
                         k);
                const char *s = json_string_value(v);
                if (strstr(s, "${") == NULL)
                    continue;
                char *e = co__expand_str(s, sub, cx);
                if (e)
                    json_object_set_new(node, k, json_string(e));
                free(e);
            } else {
                snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "",
                         k);
                co__expand(v, sub, cx);
            }
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (json_is_string(v)) {
                const char *s = json_string_value(v);
                if (strstr(s, "${") == NULL)
                    continue;
                char *e = co__expand_str(s, sub, cx);
                if (e)
                    json_array_set_new(node, i, json_string(e));
                free(e);
            } else {
                co__expand(v, sub, cx);
            }
        }
    }
}

/* ---- validation helpers ---------------------------------------------------
 */

static void co__check_keys(json_t *obj, const char *path,
                           const char *const *allowed, co_diag_t *d)
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
            co_diag_add(d, p, "unknown key; allowed here: %s", hint.data);
            co_buf_free(&hint);
        }
    }
}

static char *co__get_str(json_t *obj, const char *key, const char *path,
                         int required, const char *def, co_diag_t *d)
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

static int64_t co__get_int(json_t *obj, const char *key, const char *path,
                           int64_t def, int64_t min, int64_t max, co_diag_t *d)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return def;
    char p[512];
    snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
    if (!json_is_integer(v)) {
        co_diag_add(d, p, "must be an integer (%lld to %lld)", (long long)min,
                    (long long)max);
        return def;
    }
    int64_t x = json_integer_value(v);
    if (x < min || x > max) {
        co_diag_add(d, p, "%lld is out of range %lld to %lld", (long long)x,
                    (long long)min, (long long)max);
        return def;
    }
    return x;
}

static double co__get_num(json_t *obj, const char *key, const char *path,
                          double def, double min, double max, co_diag_t *d)
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
        co_diag_add(d, p, "%g is out of range %g to %g", x, min, max);
        return def;
    }
    return x;
}

static int co__get_bool(json_t *obj, const char *key, const char *path, int def,
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

static int co__valid_name(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > 200)
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' ||
              *p == '.'))
            return 0;
    return 1;
}

static void co__add_topic(co_manifest_t *m, const char *name)
{
    if (name == NULL)
        return;
    for (size_t i = 0; i < m->n_topics; i++)
        if (strcmp(m->topics[i].name, name) == 0)
            return;
    m->topics = realloc(m->topics, (m->n_topics + 1) * sizeof *m->topics);
    if (m->topics == NULL)
        abort();
    m->topics[m->n_topics].name = co_strdup(name);
    m->topics[m->n_topics].partitions = m->default_partitions;
    m->n_topics++;
}

/* Merge `defaults` under a stage object: stage keys win; objects merge one
 * level deep (errors, rate_limit). */
static json_t *co__merge_defaults(json_t *stage, json_t *defaults)
{
    json_t *s = json_deep_copy(stage);
    if (!json_is_object(defaults))
        return s;
    const char *k;
    json_t *v;
    json_object_foreach(defaults, k, v)
    {
        if (strcmp(k, "partitions") == 0)
            continue;
        json_t *cur = json_object_get(s, k);
        if (cur == NULL)
            json_object_set(s, k, v);
        else if (json_is_object(cur) && json_is_object(v))
            json_object_update_missing(cur, v);
    }
    return s;
}

static const char *const co__top_keys[] = {
    "pipeline", "description", "kafka",  "state",  "secrets_dir", "http",
    "defaults", "topics",      "stages", "alerts", "$schema",     NULL};
static const char *const co__stage_keys[] = {"name",
                                             "plugin",
                                             "input",
                                             "output",
                                             "when",
                                             "errors",
                                             "rate_limit",
                                             "concurrency",
                                             "delivery",
                                             "config",
                                             "commit_interval_ms",
                                             "max_batch",
                                             "description",
                                             NULL};
static const char *const co__errors_keys[] = {"tolerance",
                                              "dead_letter_topic",
                                              "retries",
                                              "backoff_ms",
                                              "backoff_max_ms",
                                              "restart",
                                              "restart_backoff_ms",
                                              NULL};
static const char *const co__rate_keys[] = {"per_second", "per_minute", "burst",
                                            "key", NULL};
static const char *const co__defaults_keys[] = {
    "errors",     "rate_limit",         "concurrency", "delivery",
    "partitions", "commit_interval_ms", "max_batch",   NULL};
static const char *const co__alerts_keys[] = {
    "dlq_depth",   "consumer_lag", "webhook_url", "kind",
    "routing_key", "topic",        NULL};

static void co__parse_stage(co_manifest_t *m, json_t *raw, json_t *defaults,
                            size_t idx, co_diag_t *d)
{
    char path[64];
    snprintf(path, sizeof path, "stages[%zu]", idx);
    co_stage_conf_t *s = &m->stages[idx];
    s->index = (int)idx;
    if (!json_is_object(raw)) {
        co_diag_add(d, path, "must be an object with name and plugin");
        return;
    }
    co__check_keys(raw, path, co__stage_keys, d);
    json_t *st = co__merge_defaults(raw, defaults);
    s->name = co__get_str(st, "name", path, 1, NULL, d);
    if (s->name && !co__valid_name(s->name)) {
        char p[96];
        snprintf(p, sizeof p, "%s.name", path);
        co_diag_add(d, p, "\"%s\" must be letters, digits, '_', '-', '.'",
                    s->name);
    }
    s->plugin = co__get_str(st, "plugin", path, 1, NULL, d);
    json_t *in = json_object_get(st, "input");
    char p[128];
    snprintf(p, sizeof p, "%s.input", path);
    if (json_is_string(in)) {
        s->inputs = co_xcalloc(2, sizeof(char *));
        s->inputs[0] = co_strdup(json_string_value(in));
        s->n_inputs = 1;
    } else if (json_is_array(in)) {
        s->inputs = co_xcalloc(json_array_size(in) + 1, sizeof(char *));
        size_t i;
        json_t *t;
        json_array_foreach(in, i, t)
        {
            if (!json_is_string(t)) {
                char pi[160];
                snprintf(pi, sizeof pi, "%s[%zu]", p, i);
                co_diag_add(d, pi, "must be a topic name string");
                continue;
            }
            s->inputs[s->n_inputs++] = co_strdup(json_string_value(t));
        }
    } else if (in != NULL) {
        co_diag_add(d, p, "must be a topic name or an array of them");
    }
    for (size_t i = 0; i < s->n_inputs; i++)
        if (!co__valid_name(s->inputs[i]))
            co_diag_add(d, p, "bad topic name \"%s\"", s->inputs[i]);
    s->output = co__get_str(st, "output", path, 0, NULL, d);
    if (s->output && !co__valid_name(s->output)) {
        snprintf(p, sizeof p, "%s.output", path);
        co_diag_add(d, p, "bad topic name \"%s\"", s->output);
    }
    json_t *when = json_object_get(st, "when");
    if (when != NULL) {
        snprintf(p, sizeof p, "%s.when", path);
        if (!json_is_object(when))
            co_diag_add(d, p,
                        "must be an object of field: value or field: "
                        "[values], e.g. {\"event_type\": [\"INTERVIEW\"]}");
        else
            s->when = json_incref(when);
    }
    /* errors */
    json_t *err = json_object_get(st, "errors");
    snprintf(p, sizeof p, "%s.errors", path);
    json_t *empty = json_object();
    if (err != NULL && !json_is_object(err)) {
        co_diag_add(d, p, "must be an object");
        err = NULL;
    }
    if (err == NULL)
        err = empty;
    co__check_keys(err, p, co__errors_keys, d);
    char *tol = co__get_str(err, "tolerance", p, 0, "all", d);
    if (tol && strcmp(tol, "all") != 0 && strcmp(tol, "none") != 0) {
        char pt[160];
        snprintf(pt, sizeof pt, "%s.tolerance", p);
        co_diag_add(d, pt, "must be \"all\" (dead-letter) or \"none\" (stop)");
    }
    s->tolerance_all = tol == NULL || strcmp(tol, "none") != 0;
    free(tol);
    s->dlq_topic =
        co__get_str(err, "dead_letter_topic", p, 0, "dlq_dead_letters", d);
    s->retries = (int)co__get_int(err, "retries", p, 3, 0, 1000, d);
    s->backoff_ms = co__get_int(err, "backoff_ms", p, 500, 0, 3600000, d);
    s->backoff_max_ms =
        co__get_int(err, "backoff_max_ms", p, 60000, 0, 86400000, d);
    s->restart = co__get_bool(err, "restart", p, 0, d);
    s->restart_backoff_ms =
        co__get_int(err, "restart_backoff_ms", p, 1000, 0, 3600000, d);
    /* rate limit */
    json_t *rl = json_object_get(st, "rate_limit");
    snprintf(p, sizeof p, "%s.rate_limit", path);
    s->burst = 1;
    if (rl != NULL && !json_is_object(rl))
        co_diag_add(d, p,
                    "must be an object like {\"per_minute\": 5, "
                    "\"burst\": 1}");
    else if (rl != NULL) {
        co__check_keys(rl, p, co__rate_keys, d);
        double ps = co__get_num(rl, "per_second", p, 0, 0, 1e9, d);
        double pm = co__get_num(rl, "per_minute", p, 0, 0, 1e9, d);
        s->rate_per_s = ps > 0 ? ps : pm / 60.0;
        s->burst = co__get_num(rl, "burst", p, 1, 1, 1e9, d);
        s->rate_key = co__get_str(rl, "key", p, 0, NULL, d);
        if (json_object_get(rl, "per_second") &&
            json_object_get(rl, "per_minute"))
            co_diag_add(d, p, "give per_second or per_minute, not both");
    }
    s->concurrency = (int)co__get_int(st, "concurrency", path, 1, 1, 64, d);
    char *del = co__get_str(st, "delivery", path, 0, "at-least-once", d);
    if (del && strcmp(del, "at-least-once") == 0)
        s->delivery = CO_DELIVERY_AT_LEAST_ONCE;
    else if (del && strcmp(del, "exactly-once") == 0)
        s->delivery = CO_DELIVERY_EXACTLY_ONCE;
    else if (del) {
        snprintf(p, sizeof p, "%s.delivery", path);
        co_diag_add(d, p, "must be \"at-least-once\" or \"exactly-once\"");
    }
    free(del);
    s->commit_interval_ms =
        co__get_int(st, "commit_interval_ms", path, 1000, 1, 3600000, d);
    s->max_batch = co__get_int(st, "max_batch", path, 5000, 1, 10000000, d);
    json_t *cfg = json_object_get(st, "config");
    if (cfg != NULL && !json_is_object(cfg)) {
        snprintf(p, sizeof p, "%s.config", path);
        co_diag_add(d, p, "must be an object of the plugin's options");
        cfg = NULL;
    }
    s->config = cfg ? json_incref(cfg) : json_object();
    if (s->n_inputs == 0 && s->output == NULL && s->name)
        co_diag_add(d, path,
                    "stage has neither input nor output: a source needs "
                    "\"output\", a processor both, a sink \"input\"");
    json_decref(empty);
    json_decref(st);
}

co_manifest_t *co_manifest_load(const char *path, const char *const *sets,
                                co_diag_t *d)
{
    char *text = NULL;
    size_t len = 0;
    int rc = co_read_file(path, &text, &len);
    if (rc != 0) {
        co_diag_add(d, "", "cannot read %s: %s", path, strerror(-rc));
        return NULL;
    }
    char *dir = co_dirname(path);
    co_manifest_t *m = co_manifest_load_buffer(text, len, path, dir, sets, d);
    free(dir);
    free(text);
    return m;
}

co_manifest_t *co_manifest_load_buffer(const char *text, size_t len,
                                       const char *path, const char *dir,
                                       const char *const *sets, co_diag_t *d)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        char where[64];
        snprintf(where, sizeof where, "line %d column %d", je.line, je.column);
        co_diag_add(d, where, "not valid JSON: %s", je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        co_diag_add(d, "", "the manifest must be a JSON object");
        json_decref(root);
        return NULL;
    }
    for (size_t i = 0; sets && sets[i]; i++)
        co__apply_set(root, sets[i], d);

    co_manifest_t *m = co_xcalloc(1, sizeof *m);
    m->root = root;
    m->path = co_strdup(path);
    m->dir = co_strdup(dir);
    co__check_keys(root, "", co__top_keys, d);
    m->pipeline = co__get_str(root, "pipeline", "", 1, NULL, d);
    if (m->pipeline && !co__valid_name(m->pipeline))
        co_diag_add(d, "pipeline",
                    "\"%s\" must be letters, digits, '_', '-', '.'",
                    m->pipeline);
    char *sd = co__get_str(root, "secrets_dir", "", 0, "/run/secrets", d);
    m->secrets_dir = co_path_join(m->dir, sd);
    free(sd);

    co__expand_ctx cx = {m->secrets_dir, d};
    co__expand(root, "", &cx);

    json_t *k = json_object_get(root, "kafka");
    if (k != NULL && !json_is_object(k)) {
        co_diag_add(d, "kafka", "must be an object of librdkafka properties");
        k = NULL;
    }
    m->kafka = k ? json_deep_copy(k) : json_object();
    if (json_object_get(m->kafka, "bootstrap.servers") == NULL)
        json_object_set_new(m->kafka, "bootstrap.servers",
                            json_string("embedded"));
    const char *key;
    json_t *val;
    json_object_foreach(m->kafka, key, val)
    {
        if (json_is_integer(val) || json_is_boolean(val) || json_is_real(val)) {
            char *txt = json_dumps(val, JSON_ENCODE_ANY);
            json_object_set_new(m->kafka, key, json_string(txt));
            free(txt);
        } else if (!json_is_string(val)) {
            char p[300];
            snprintf(p, sizeof p, "kafka.%s", key);
            co_diag_add(d, p, "librdkafka properties are strings");
        }
    }
    const char *bs =
        json_string_value(json_object_get(m->kafka, "bootstrap.servers"));
    m->embedded = bs && strcmp(bs, "embedded") == 0;

    json_t *stv = json_object_get(root, "state");
    if (stv != NULL && !json_is_string(stv) && !json_is_null(stv))
        co_diag_add(d, "state",
                    "must be a string: a PostgreSQL connection string, "
                    "\"file:PATH\" or \"memory:\"");
    else if (json_is_string(stv) && json_string_length(stv) > 0) {
        const char *sv = json_string_value(stv);
        if (strncmp(sv, "file:", 5) == 0 && sv[5] != '/') {
            char *abs = co_path_join(m->dir, sv + 5);
            size_t n = strlen(abs) + 6;
            m->state = co_xmalloc(n);
            snprintf(m->state, n, "file:%s", abs);
            free(abs);
        } else {
            m->state = co_strdup(sv);
        }
    }

    json_t *http = json_object_get(root, "http");
    if (http != NULL) {
        if (!json_is_object(http))
            co_diag_add(d, "http",
                        "must be an object like "
                        "{\"listen\": \"127.0.0.1:9464\"}");
        else {
            static const char *const hk[] = {"listen", NULL};
            co__check_keys(http, "http", hk, d);
            m->http_listen = co__get_str(http, "listen", "http", 0, NULL, d);
        }
    }

    json_t *defaults = json_object_get(root, "defaults");
    if (defaults != NULL && !json_is_object(defaults)) {
        co_diag_add(d, "defaults", "must be an object");
        defaults = NULL;
    }
    if (defaults)
        co__check_keys(defaults, "defaults", co__defaults_keys, d);
    m->default_partitions =
        (int)co__get_int(defaults ? defaults : root, "partitions",
                         defaults ? "defaults" : "", 4, 1, 1024, d);

    json_t *al = json_object_get(root, "alerts");
    m->alerts.dlq_depth = 10;
    m->alerts.consumer_lag = 100;
    if (al != NULL) {
        if (!json_is_object(al))
            co_diag_add(d, "alerts", "must be an object");
        else {
            co__check_keys(al, "alerts", co__alerts_keys, d);
            m->alerts.dlq_depth =
                co__get_int(al, "dlq_depth", "alerts", 10, 0, INT64_MAX, d);
            m->alerts.consumer_lag =
                co__get_int(al, "consumer_lag", "alerts", 100, 0, INT64_MAX, d);
            m->alerts.webhook_url =
                co__get_str(al, "webhook_url", "alerts", 0, NULL, d);
            m->alerts.kind = co__get_str(al, "kind", "alerts", 0, NULL, d);
            m->alerts.routing_key =
                co__get_str(al, "routing_key", "alerts", 0, NULL, d);
            m->alerts.topic = co__get_str(al, "topic", "alerts", 0, NULL, d);
        }
    }
    if (m->alerts.topic == NULL)
        m->alerts.topic = co_strdup("alerts");

    json_t *stages = json_object_get(root, "stages");
    if (!json_is_array(stages) || json_array_size(stages) == 0) {
        co_diag_add(d, "stages", "missing or empty: give an array of stages");
    } else {
        m->n_stages = json_array_size(stages);
        m->stages = co_xcalloc(m->n_stages, sizeof *m->stages);
        for (size_t i = 0; i < m->n_stages; i++)
            co__parse_stage(m, json_array_get(stages, i), defaults, i, d);
        for (size_t i = 0; i < m->n_stages; i++)
            for (size_t j = 0; j < i; j++)
                if (m->stages[i].name && m->stages[j].name &&
                    strcmp(m->stages[i].name, m->stages[j].name) == 0) {
                    char p[64];
                    snprintf(p, sizeof p, "stages[%zu].name", i);
                    co_diag_add(d, p,
                                "\"%s\" is already the name of "
                                "stages[%zu]; names must be unique",
                                m->stages[i].name, j);
                }
        for (size_t i = 0; i < m->n_stages; i++) {
            co_stage_conf_t *s = &m->stages[i];
            for (size_t j = 0; j < s->n_inputs; j++)
                co__add_topic(m, s->inputs[j]);
            co__add_topic(m, s->output);
            if (s->name)
                co__add_topic(m, s->dlq_topic);
        }
        co__add_topic(m, m->alerts.topic);
    }
    json_t *topics = json_object_get(root, "topics");
    if (topics != NULL) {
        if (!json_is_object(topics))
            co_diag_add(d, "topics",
                        "must be an object: {\"TOPIC\": {\"partitions\": N}}");
        else {
            const char *tn;
            json_t *tv;
            json_object_foreach(topics, tn, tv)
            {
                char p[300];
                snprintf(p, sizeof p, "topics.%s", tn);
                if (!json_is_object(tv)) {
                    co_diag_add(d, p, "must be {\"partitions\": N}");
                    continue;
                }
                static const char *const tk[] = {"partitions", NULL};
                co__check_keys(tv, p, tk, d);
                co__add_topic(m, tn);
                for (size_t i = 0; i < m->n_topics; i++)
                    if (strcmp(m->topics[i].name, tn) == 0)
                        m->topics[i].partitions =
                            (int)co__get_int(tv, "partitions", p,
                                             m->default_partitions, 1, 1024, d);
            }
        }
    }
    return m;
}

static void co__stage_free(co_stage_conf_t *s)
{
    free(s->name);
    free(s->plugin);
    for (size_t i = 0; i < s->n_inputs; i++)
        free(s->inputs[i]);
    free(s->inputs);
    free(s->output);
    json_decref(s->when);
    free(s->dlq_topic);
    free(s->rate_key);
    json_decref(s->config);
}

void co_manifest_free(co_manifest_t *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_stages; i++)
        co__stage_free(&m->stages[i]);
    free(m->stages);
    for (size_t i = 0; i < m->n_topics; i++)
        free(m->topics[i].name);
    free(m->topics);
    free(m->path);
    free(m->dir);
    free(m->pipeline);
    json_decref(m->kafka);
    free(m->state);
    free(m->secrets_dir);
    free(m->http_listen);
    free(m->alerts.webhook_url);
    free(m->alerts.kind);
    free(m->alerts.routing_key);
    free(m->alerts.topic);
    json_decref(m->root);
    free(m);
}

const co_stage_conf_t *co_manifest_stage(const co_manifest_t *m,
                                         const char *name)
{
    for (size_t i = 0; i < m->n_stages; i++)
        if (m->stages[i].name && strcmp(m->stages[i].name, name) == 0)
            return &m->stages[i];
    return NULL;
}

int co_manifest_partitions(const co_manifest_t *m, const char *name)
{
    for (size_t i = 0; i < m->n_topics; i++)
        if (strcmp(m->topics[i].name, name) == 0)
            return m->topics[i].partitions;
    return m->default_partitions;
}
