/* One stage of the manifest: defaults merged under it, every field
 * checked with its JSON path. */
#include "loader.h"
#include "manifest_int.h"
#include "options.h" /* co_options_check_path() */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        else if (strcmp(k, "rate_limit") == 0 && json_is_null(cur))
            json_object_del(s, k); /* null: no default limit here */
        else if (json_is_object(cur) && json_is_object(v)) {
            /* a stage's rate in the other unit replaces the default's
             * (trial 73: per_minute here and per_second there were "not
             * both") */
            json_t *vv = json_deep_copy(v);
            if (strcmp(k, "rate_limit") == 0 &&
                (json_object_get(cur, "per_second") ||
                 json_object_get(cur, "per_minute"))) {
                json_object_del(vv, "per_second");
                json_object_del(vv, "per_minute");
            }
            json_object_update_missing(cur, vv);
            json_decref(vv);
        }
    }
    /* null with no default: no limit, as leaving it out */
    if (json_is_null(json_object_get(s, "rate_limit")))
        json_object_del(s, "rate_limit");
    return s;
}

static const char *const co__stage_keys[] = {
    "name",        "plugin",      "plugin_file", "input",
    "output",      "when",        "errors",      "rate_limit",
    "concurrency", "delivery",    "config",      "commit_interval_ms",
    "max_batch",   "description", "cloudevents", "input_headers",
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

/* `plugin` (a plain name looked up on the plugin path) or `plugin_file` (a
 * library path, relative to the manifest's folder). */
static void co__stage_plugin(co_manifest_t *m, co_stage_conf_t *s, json_t *st,
                             const char *path, co_diag_t *d)
{
    char p[160];
    s->plugin = co__get_str(st, "plugin", path, 0, NULL, d);
    char *file = co__get_str(st, "plugin_file", path, 0, NULL, d);
    int bad = 0;
    if (s->plugin && !co_plugin_name_ok(s->plugin)) {
        snprintf(p, sizeof p, "%s.plugin", path);
        co_diag_add(d, p,
                    "\"%s\" is not a plugin name: `plugin` takes a plain name "
                    "(letters, digits, '_', '-', '.'; no '/' or \"..\") "
                    "looked up on the plugin path; to load a library by "
                    "path, use \"plugin_file\"",
                    s->plugin);
        free(s->plugin);
        s->plugin = NULL;
        bad = 1;
    }
    if (file != NULL) {
        snprintf(p, sizeof p, "%s.plugin_file", path);
        size_t n = strlen(file);
        if (co_options_check_path(file, CO_OPT_INPUT, p, d)) {
            bad = 1; /* "~/x.so" (it read "./~/x.so") */
        } else if (n < 4 || strcmp(file + n - 3, ".so") != 0) {
            co_diag_add(d, p,
                        "\"%s\" must be the path of a plugin library "
                        "ending in .so",
                        file);
        } else {
            s->plugin_file = co_path_join(m->dir, file);
            if (s->plugin == NULL && !bad) {
                /* the stage's plugin name: the file's base name */
                const char *b = strrchr(file, '/');
                b = b ? b + 1 : file;
                s->plugin = strndup(b, strlen(b) - 3);
            }
        }
        free(file);
    } else if (s->plugin == NULL && !bad) {
        snprintf(p, sizeof p, "%s.plugin", path);
        co_diag_add(d, p,
                    "missing (required string): the plugin's name, e.g. "
                    "\"mock-sink\" (or \"plugin_file\": a library path)");
    }
}

static void co__stage_topics(co_stage_conf_t *s, json_t *st, const char *path,
                             co_diag_t *d)
{
    json_t *in = json_object_get(st, "input");
    char p[160];
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
                char pi[192];
                snprintf(pi, sizeof pi, "%s[%zu]", p, i);
                co_diag_add(d, pi, "must be a topic name string");
                s->input_invalid = 1;
                continue;
            }
            s->inputs[s->n_inputs++] = co_strdup(json_string_value(t));
        }
    } else if (in != NULL) {
        co_diag_add(d, p, "must be a topic name or an array of them");
        s->input_invalid = 1;
    }
    for (size_t i = 0; i < s->n_inputs; i++) {
        char pn[192]; /* the element of a list (trial 72: ["", "x"]) */
        if (json_is_array(in))
            snprintf(pn, sizeof pn, "%s[%zu]", p, i);
        else
            snprintf(pn, sizeof pn, "%s", p);
        co__check_name(s->inputs[i], pn, "topic name", d);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->inputs[i], s->inputs[j]) == 0) {
                char pi[192];
                snprintf(pi, sizeof pi, "%s[%zu]", p, i);
                co_diag_add(d, pi,
                            "topic \"%s\" is already input[%zu]: each "
                            "topic once (the stage would read it twice), "
                            "remove the repeat",
                            s->inputs[i], j);
                break;
            }
    }
    /* a typo'd "input" ("inputs") is reported as an unknown key with the
     * hint; the stage's kind is then unknown, as with a bad "input", so no
     * second fault says it is a source */
    if (in == NULL) {
        const char *k;
        json_t *v;
        static const char *const input[] = {"input", NULL};
        json_object_foreach(st, k, v) if (co_closest_name(k, input))
            s->input_invalid = 1;
    }
    s->output = co__get_str(st, "output", path, 0, NULL, d);
    snprintf(p, sizeof p, "%s.output", path);
    co__check_name(s->output, p, "topic name", d);
}

static void co__stage_errors(co_stage_conf_t *s, json_t *st, const char *path,
                             co_diag_t *d)
{
    json_t *err = json_object_get(st, "errors");
    char p[128];
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
    char pt[160];
    snprintf(pt, sizeof pt, "%s.dead_letter_topic", p);
    co__check_name(s->dlq_topic, pt, "topic name", d);
    s->retries = (int)co__get_int(err, "retries", p, 3, 0, 1000, d);
    s->backoff_ms = co__get_int(err, "backoff_ms", p, 500, 0, 3600000, d);
    s->backoff_max_ms =
        co__get_int(err, "backoff_max_ms", p, 60000, 0, 86400000, d);
    if (s->backoff_max_ms < s->backoff_ms) {
        char pm[160];
        snprintf(pm, sizeof pm, "%s.backoff_max_ms", p);
        co_diag_add(d, pm,
                    "%lld is below backoff_ms (%lld): the first retry would "
                    "already wait longer than the most; raise it or lower "
                    "backoff_ms",
                    (long long)s->backoff_max_ms, (long long)s->backoff_ms);
    }
    s->restart = co__get_bool(err, "restart", p, 0, d);
    s->restart_backoff_ms =
        co__get_int(err, "restart_backoff_ms", p, 1000, 0, 3600000, d);
    json_decref(empty);
}

int co_field_path_has_empty_part(const char *path)
{
    return strcspn(path, ".") == 0 || path[strlen(path) - 1] == '.' ||
           strstr(path, "..") != NULL;
}

static void co__stage_rate(co_stage_conf_t *s, json_t *st, const char *path,
                           co_diag_t *d)
{
    json_t *rl = json_object_get(st, "rate_limit");
    char p[128];
    snprintf(p, sizeof p, "%s.rate_limit", path);
    s->burst = 1;
    if (rl != NULL && !json_is_object(rl)) {
        co_diag_add(d, p,
                    "must be an object like {\"per_minute\": 5, "
                    "\"burst\": 1}");
    } else if (rl != NULL) {
        co__check_keys(rl, p, co__rate_keys, d);
        size_t before = d->n;
        double ps = co__get_num(rl, "per_second", p, 0, 0, 1e9, d);
        double pm = co__get_num(rl, "per_minute", p, 0, 0, 1e9, d);
        int bad_rate = d->n > before; /* said: not "limits nothing" too */
        s->rate_per_s = ps > 0 ? ps : pm / 60.0;
        s->burst = co__get_num(rl, "burst", p, 1, 1, 1e9, d);
        s->rate_key = co__get_str(rl, "key", p, 0, NULL, d);
        if (s->rate_key != NULL && co_field_path_has_empty_part(s->rate_key)) {
            /* trial 70: "" and "email..x" passed, as `when` refuses; here
             * a fault from defaults is said once, at defaults (trial 71) */
            char pk[160];
            snprintf(pk, sizeof pk, "%s.key", p);
            co_diag_add(d, pk,
                        "\"%s\" is not a field path (an empty part): give "
                        "the record field whose values get a bucket each, "
                        "dotted for a nested one, e.g. \"company\" or "
                        "\"email.from\"",
                        s->rate_key);
        }
        if (json_object_get(rl, "per_second") &&
            json_object_get(rl, "per_minute"))
            co_diag_add(d, p, "give per_second or per_minute, not both");
        else if (s->rate_per_s <= 0 && !bad_rate)
            co_diag_add(d, p,
                        "limits nothing: give per_second or per_minute above "
                        "0 (e.g. {\"per_minute\": 5}), or remove rate_limit");
        else if (s->rate_per_s < 1.0 / 86400.0 && !bad_rate) /* 1e-300 */
            co_diag_add(d, p,
                        "%g records a second is less than one a day: give at "
                        "least per_minute 0.000695 (one a day) or "
                        "per_second 0.0000116",
                        s->rate_per_s);
    }
}

/* when, concurrency, delivery, commit pacing and config. */
static void co__stage_rest(co_stage_conf_t *s, json_t *st, const char *path,
                           co_diag_t *d)
{
    char p[128];
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
    char *ce = co__get_str(st, "cloudevents", path, 0, "binary", d);
    if (ce && strcmp(ce, "off") == 0) {
        s->cloudevents = CO_CE_OFF;
    } else if (ce && strcmp(ce, "binary") != 0) {
        snprintf(p, sizeof p, "%s.cloudevents", path);
        co_diag_add(d, p,
                    "\"%s\" is not a CloudEvents mode: give \"binary\" "
                    "(ce_* headers on every record, the default) or \"off\" "
                    "(none, for internal hops)",
                    ce);
    }
    free(ce);
    /* unset: -1, what the plugin declares (co_plugin_input_headers) */
    s->input_headers = co__get_bool(st, "input_headers", path, -1, d);
    json_t *cfg = json_object_get(st, "config");
    if (cfg != NULL && !json_is_object(cfg)) {
        snprintf(p, sizeof p, "%s.config", path);
        co_diag_add(d, p, "must be an object of the plugin's options");
        cfg = NULL;
    }
    s->config = cfg ? json_incref(cfg) : json_object();
}

/* 1 if the dotted path `sub` ("errors.tolerance") names a value in
 * `obj`. */
static int co__has_path(json_t *obj, const char *sub)
{
    char key[128];
    while (json_is_object(obj) && *sub) {
        size_t n = strcspn(sub, ".");
        if (n >= sizeof key)
            return 0;
        memcpy(key, sub, n);
        key[n] = '\0';
        obj = json_object_get(obj, key);
        sub += n + (sub[n] == '.');
        if (obj != NULL && *sub == '\0')
            return 1;
    }
    return 0;
}

/* Move the stage's faults `sd` into `d`. A fault in a value the stage
 * took from `defaults` is one fault at defaults.FIELD, reported once for
 * all the stages that inherit it, not at a stages[N] path the file does
 * not have. */
static void co__move_faults(co_diag_t *sd, const char *named, json_t *raw,
                            json_t *defaults, co_diag_t *d)
{
    size_t pl = strlen(named);
    for (size_t i = 0; i < sd->n; i++) {
        char *msg = sd->msgs[i];
        const char *colon = strstr(msg, ": ");
        char sub[256];
        size_t sl = colon ? (size_t)(colon - msg) : 0;
        if (colon && sl > pl + 1 && sl - pl - 1 < sizeof sub &&
            strncmp(msg, named, pl) == 0 && msg[pl] == '.') {
            memcpy(sub, msg + pl + 1, sl - pl - 1);
            sub[sl - pl - 1] = '\0';
            if (!co__has_path(raw, sub) && co__has_path(defaults, sub)) {
                size_t n = strlen(sub) + strlen(colon) + 16;
                char *m2 = co_xmalloc(n);
                snprintf(m2, n, "defaults.%s%s", sub, colon);
                free(msg);
                msg = m2;
                for (size_t k = 0; msg && k < d->n; k++)
                    if (strcmp(d->msgs[k], msg) == 0) {
                        free(msg); /* another stage reported it */
                        msg = NULL;
                    }
            }
        }
        if (msg != NULL)
            co__diag_take(d, msg);
    }
    free(sd->msgs);
    sd->msgs = NULL;
    sd->n = 0;
}

/* when and rate_limit act on the records a stage reads: a source reads
 * none, so written on a source they would be ignored (trial 71: all its
 * records went out at full speed). A rate_limit a source inherits from
 * defaults is not an error: defaults are for the stages that read. */
static void co__stage_source_only(const co_stage_conf_t *s, json_t *raw,
                                  const char *named, co_diag_t *d)
{
    if (s->n_inputs != 0 || s->input_invalid || s->output == NULL)
        return;
    char p[CO_STAGE_PATH_MAX + 16];
    if (json_object_get(raw, "when") != NULL) {
        snprintf(p, sizeof p, "%s.when", named);
        co_diag_add(d, p,
                    "a source (a stage with no input) reads no records to "
                    "filter: put \"when\" on the stage whose input is "
                    "\"%s\"",
                    s->output);
    }
    if (json_object_get(raw, "rate_limit") != NULL) {
        snprintf(p, sizeof p, "%s.rate_limit", named);
        co_diag_add(d, p,
                    "a source (a stage with no input) is not paced by the "
                    "host: put \"rate_limit\" on the stage whose input is "
                    "\"%s\", or use the source plugin's own pacing option "
                    "if it has one",
                    s->output);
    }
}

void co__parse_stage(co_manifest_t *m, json_t *raw, json_t *defaults,
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
    co_diag_t sd = {0};
    json_t *st = co__merge_defaults(raw, defaults);
    s->name = co__get_str(st, "name", path, 1, NULL, &sd);
    char np[96];
    snprintf(np, sizeof np, "%s.name", path);
    if (!co_diag_has(d, np)) /* not expanded: said once (co__expand) */
        co__check_name(s->name, np, "stage name", &sd);
    /* every other field names the stage too: "stages[1] (classify)" */
    char named[CO_STAGE_PATH_MAX];
    co_manifest_stage_path(named, sizeof named, idx, s->name);
    co__check_keys(raw, named, co__stage_keys, &sd);
    free(co__get_str(st, "description", named, 0, NULL, &sd));
    co__stage_plugin(m, s, st, named, &sd);
    co__stage_topics(s, st, named, &sd);
    co__stage_errors(s, st, named, &sd);
    co__stage_rate(s, st, named, &sd);
    co__stage_rest(s, st, named, &sd);
    co__stage_source_only(s, raw, named, &sd);
    /* not when "output" is there but wrong ("output": 42, already
     * reported as such; trial 36) */
    if (s->n_inputs == 0 && s->output == NULL && s->name && !s->input_invalid &&
        json_object_get(st, "output") == NULL)
        co_diag_add(&sd, named,
                    "stage has neither input nor output: a source needs "
                    "\"output\", a processor both, a sink \"input\"");
    co__move_faults(&sd, named, raw, defaults, d);
    json_decref(st);
}

void co__stage_free(co_stage_conf_t *s)
{
    free(s->name);
    free(s->plugin);
    free(s->plugin_file);
    for (size_t i = 0; i < s->n_inputs; i++)
        free(s->inputs[i]);
    free(s->inputs);
    free(s->output);
    json_decref(s->when);
    free(s->dlq_topic);
    free(s->rate_key);
    json_decref(s->config);
}
