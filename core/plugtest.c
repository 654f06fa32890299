/* `careerops plugins test` (see plugtest.h). */
#include "plugtest.h"
#include "capture.h"
#include "co_cli.h"
#include "err.h"
#include "loader.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void co__pt_usage(FILE *f)
{
    fprintf(f, "usage: careerops plugins test PLUGIN|PATH.so --input IN.jsonl "
               "[--expect OUT.jsonl] [--config JSON]\n\n"
               "Runs processor or sink PLUGIN (a name on the plugin path, or "
               "a library's path\nwith a '/', e.g. ./tagger.so) in-process "
               "on the record values of IN.jsonl (one\nJSON value per line, "
               "key = line number), "
               "then flush(), and compares the values\nit emits with "
               "OUT.jsonl as JSON, in order. Exit 0 equal, 1 different (a "
               "diff is\nprinted) or a fatal plugin error (the values emitted "
               "before it are printed,\nthen the error), 2 bad arguments or "
               "files. Without --expect the emitted\nvalues are printed. "
               "Bytes that are not UTF-8 are written (and read, in both\n"
               "files) as {\"not_utf8_base64\": \"BASE64\"}.\n\n"
               "  --config JSON   the stage's config object (default {})\n");
}

/* A line {"not_utf8_base64": "B64"} stands for the raw bytes B64 encodes,
 * in --input as in the printed output (trial 71: a value that is not
 * UTF-8 could be printed but not fed). Returns 1 with the bytes in *out
 * (malloc'd, *len bytes), 0 for any other value, -1 for such an object
 * whose text is not base64. */
static int co__pt_raw(json_t *v, unsigned char **out, size_t *len)
{
    json_t *b = json_object_get(v, "not_utf8_base64");
    if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_string(b))
        return 0;
    size_t n = json_string_length(b);
    *out = co_xmalloc(n + 1);
    if (sodium_base642bin(*out, n + 1, json_string_value(b), n, NULL, len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 1;
}

/* Read a JSONL file into values (blank lines skipped). 0, or 2 after
 * printing FILE:LINE and the parse error. */
static int co__pt_read(const char *path, const char *opt, json_t **out,
                       size_t **lines)
{
    /* read whole, bounded (trial 29: --input /dev/zero grew to 5.8 GB) */
    char *text = NULL;
    size_t len = 0;
    int err = co_read_file(path, &text, &len);
    *out = json_array();
    *lines = NULL;
    if (err != 0) {
        fprintf(stderr,
                "error: %s %s: %s (give a JSONL file: one JSON record "
                "per line)\n",
                opt, co_cli_shown(path), co_read_strerror(err));
        return 2;
    }
    int rc = 0;
    size_t no = 0;
    for (size_t at = 0; rc == 0 && at < len;) {
        const char *line = text + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = nl ? (size_t)(nl - line) + 1 : len - at;
        at += n;
        no++;
        if (strspn(line, " \t\r\n") >= n)
            continue;
        json_error_t e;
        json_t *v = json_loadb(line, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        if (v == NULL) {
            fprintf(stderr, "%s:%zu: not JSON: %s\n", co_cli_shown(path), no,
                    co_cli_shown(e.text));
            rc = 2;
            break;
        }
        unsigned char *raw = NULL;
        size_t rl = 0;
        if (co__pt_raw(v, &raw, &rl) < 0) {
            fprintf(stderr,
                    "%s:%zu: not_utf8_base64 is not standard base64 (give "
                    "the value's bytes as base64 -w0 writes them)\n",
                    co_cli_shown(path), no);
            json_decref(v);
            rc = 2;
            break;
        }
        free(raw);
        size_t i = json_array_size(*out);
        *lines = realloc(*lines, (i + 1) * sizeof **lines);
        (*lines)[i] = no;
        json_array_append_new(*out, v);
    }
    free(text);
    /* an input without records tests nothing: a wrong file, most likely */
    if (rc == 0 && json_array_size(*out) == 0 && strcmp(opt, "--input") == 0) {
        fprintf(stderr,
                "error: --input %s has no records (give a JSONL file: one "
                "JSON record per line)\n",
                co_cli_shown(path));
        rc = 2;
    }
    return rc;
}

/* The one-stage manifest that runs `plugin` (from `file` when not NULL)
 * with `config`. */
static char *co__pt_manifest(const char *plugin, const char *file,
                             uint32_t kinds, json_t *config)
{
    json_t *st =
        json_pack("{s:s, s:s, s:s, s:O}", "name", "test", "plugin", plugin,
                  "input", "plugins_test_in", "config", config);
    if (file != NULL)
        json_object_set_new(st, "plugin_file", json_string(file));
    if (kinds & CO_KIND_PROCESSOR)
        json_object_set_new(st, "output", json_string("plugins_test_out"));
    json_t *m = json_pack("{s:s, s:{s:s}, s:s, s:[o]}", "pipeline",
                          "plugins-test", "kafka", "bootstrap.servers",
                          "embedded", "state", "memory:", "stages", st);
    char *text = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    return text;
}

/* The one-stage manifest is made up: its faults name the option
 * ("plugins test --config: types: ...", not "stages[0] (test).config.types:
 * ..."). In place. */
static void co__pt_unstage(char *err)
{
    /* the config object itself: "--config: : refused" (trial 83) */
    static const char *const pre[] = {"stages[0] (test).config: ",
                                      "stages[0] (test).config.",
                                      "stages[0] (test).config",
                                      "stages[0] (test)."};
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        size_t l = strlen(pre[k]);
        for (char *p = strstr(err, pre[k]); p; p = strstr(p, pre[k]))
            memmove(p, p + l, strlen(p + l) + 1);
    }
}

/* The loader's advice names the manifest's "plugin_file", which plugins
 * test has not: it takes the library's path instead (trial 40). In place;
 * sz is err's size, arg the name given. */
static void co__pt_unmanifest(char *err, size_t sz, const char *arg)
{
    static const char *const from[] = {
        "load a library by path with the stage's \"plugin_file\"",
        "or give the library's path with \"plugin_file\"",
        "or load it by path with the stage's \"plugin_file\""};
    size_t n = strlen(arg);
    if (n > 3 && strcmp(arg + n - 3, ".so") == 0)
        n -= 3;
    char base[256];
    snprintf(base, sizeof base, "%.*s", (int)n, arg);
    for (size_t k = 0; k < sizeof from / sizeof from[0]; k++) {
        char *p = strstr(err, from[k]);
        if (p == NULL)
            continue;
        char rest[1024];
        snprintf(rest, sizeof rest, "%s", p + strlen(from[k]));
        snprintf(p, sz - (size_t)(p - err),
                 "or give plugins test the library's path (one with a '/', "
                 "e.g. ./%s.so)%s",
                 co_cli_shown(base), rest);
    }
}

/* The plugin to test: NAME on the plugin path, or the library at a path
 * (one with a '/'), as `plugins info` takes one. By path, *file gets the
 * library's absolute path (malloc'd) for the stage's plugin_file and
 * *owned the handle to free. NULL after printing the reason. */
static const co_plugin_handle_t *co__pt_load(const char *arg, char **file,
                                             co_plugin_handle_t **owned)
{
    char err[2048] = "";
    *file = NULL;
    *owned = NULL;
    if (strchr(arg, '/') == NULL) {
        const co_plugin_handle_t *h = co_plugin_load(arg, err, sizeof err);
        if (h == NULL) {
            co__pt_unmanifest(err, sizeof err, arg);
            fprintf(stderr, "error: %s\n", err);
        }
        return h;
    }
    size_t n = strlen(arg);
    char *real = realpath(arg, NULL);
    if (real == NULL || n < 4 || strcmp(arg + n - 3, ".so") != 0) {
        fprintf(stderr,
                "error: plugins test %s: %s (give a plugin's name, as "
                "`careerops plugins list` shows it, or the path of its .so "
                "file)\n",
                co_cli_shown(arg),
                real == NULL ? strerror(errno) : "not a .so file");
        free(real);
        return NULL;
    }
    co_plugin_handle_t *h = co_plugin_open_file(real, err, sizeof err);
    if (h != NULL && !co_plugin_name_ok(h->desc->name)) {
        co_errf(err, sizeof err,
                "plugin %s calls itself \"%s\", which is not a plugin name "
                "(letters, digits, '_', '-', '.')",
                real, h->desc->name);
        co_plugin_handle_free(h);
        h = NULL;
    }
    if (h == NULL) {
        fprintf(stderr, "error: %s\n", err);
        free(real);
        return NULL;
    }
    *file = real;
    *owned = h;
    return h;
}

static void co__pt_print(co_capture_t *cap);

/* A status from the plugin's `fn` ("process()", "flush()") that stops the
 * test, on stderr after `at` ("IN:LINE: " or "error: "): its name, or what
 * it is when it is no status process() may return (trial 40: 42 printed
 * "the plugin returned UNKNOWN: " without the number). */
static void co__pt_status_err(const char *at, const char *fn, int s,
                              const char *msg)
{
    const char *sep = msg[0] ? ": " : "";
    if (s == CO_EOF)
        fprintf(stderr,
                "%s%s returned CO_EOF (%d), which only a source's poll() "
                "may return%s%s\n",
                at, fn, s, sep, msg);
    else if (s < CO_OK || s > CO_EOF)
        fprintf(stderr,
                "%s%s returned %d, not a co_status_t (CO_OK %d, CO_RETRY "
                "%d, CO_FAIL %d or CO_FATAL %d)%s%s\n",
                at, fn, s, CO_OK, CO_RETRY, CO_FAIL, CO_FATAL, sep, msg);
    else if (strcmp(fn, "process()") == 0)
        fprintf(stderr, "%sthe plugin returned %s%s%s\n", at,
                co_status_name((co_status_t)s), sep, msg);
    else
        fprintf(stderr, "%s%s returned %s%s%s\n", at, fn,
                co_status_name((co_status_t)s), sep, msg);
}

/* Feed every input value; 0, or 1 on a fatal plugin error, after printing
 * on stdout the values emitted before it (what the plugin did so far, as
 * without --expect), then the error on stderr. */
static int co__pt_run(co_capture_t *cap, const char *in, json_t *values,
                      const size_t *lines, int stream)
{
    size_t failed = 0;
    for (size_t i = 0; i < json_array_size(values); i++) {
        char key[32];
        snprintf(key, sizeof key, "%zu", lines[i]);
        json_t *jv = json_array_get(values, i);
        unsigned char *raw = NULL;
        size_t rl = 0;
        char *v = co__pt_raw(jv, &raw, &rl) == 1
                      ? (char *)raw
                      : json_dumps(jv, JSON_COMPACT | JSON_ENCODE_ANY);
        if (raw == NULL)
            rl = strlen(v);
        co_status_t s = co_capture_process(cap, key, strlen(key), v, rl);
        free(v);
        if (stream && s == CO_OK)
            co__pt_print(cap);
        if (s == CO_FAIL) {
            failed++;
            const char *why = co_capture_error(cap);
            fprintf(stderr,
                    "%s:%zu: the plugin failed this record (dead "
                    "letter): %s\n",
                    co_cli_shown(in), lines[i],
                    why != NULL && why[0] != '\0' ? why : CO_FAIL_NO_REASON);
        } else if (s != CO_OK) {
            co__pt_print(cap);
            fflush(stdout);
            char at[PATH_MAX + 32];
            snprintf(at, sizeof at, "%s:%zu: ", co_cli_shown(in), lines[i]);
            co__pt_status_err(at, "process()", (int)s, co_capture_error(cap));
            return 1;
        }
    }
    co_status_t s = co_capture_flush(cap);
    if (s != CO_OK) {
        co__pt_print(cap);
        fflush(stdout);
        co__pt_status_err("error: ", "flush()", (int)s, co_capture_error(cap));
        return 1;
    }
    if (failed > 0 && failed == json_array_size(values)) {
        co__pt_print(cap);
        fflush(stdout);
        fprintf(stderr,
                "error: the plugin failed every record (%zu dead letter%s, "
                "reasons above): is --input the kind of record it takes?\n",
                failed, failed == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

/* Emitted value i as JSON: parsed; else (not JSON) as a JSON string; else
 * (not UTF-8, which no JSON string holds) as {"not_utf8_base64": "..."},
 * the bytes in standard base64, with a note on stderr (trial 40: such a
 * value was printed as null, and a diff had no "+" line for it). An
 * --expect line of the same form compares equal. */
static json_t *co__pt_value(co_capture_t *cap, size_t i)
{
    size_t len = 0;
    const char *v = co_capture_value(cap, i, &len);
    json_t *j = json_loadb(v, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (j == NULL)
        j = json_stringn(v, len);
    if (j != NULL)
        return j;
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = co_xmalloc(n);
    sodium_bin2base64(b64, n, (const unsigned char *)v, len,
                      sodium_base64_VARIANT_ORIGINAL);
    /* the value itself is on stdout: the note shows its start only
     * (trial 73: 4 MB of base64 on stderr) */
    fprintf(stderr,
            "note: emitted record %zu is not UTF-8: shown as "
            "{\"not_utf8_base64\": \"%.60s%s\"} (its %zu byte%s in "
            "base64)\n",
            i + 1, b64, strlen(b64) > 60 ? "..." : "", len,
            len == 1 ? "" : "s");
    j = json_pack("{s:s}", "not_utf8_base64", b64);
    free(b64);
    return j;
}

/* Compare emitted values with the expected ones; prints a diff. */
static int co__pt_compare(co_capture_t *cap, json_t *want)
{
    size_t got_n = co_capture_count(cap), want_n = json_array_size(want);
    size_t n = got_n > want_n ? got_n : want_n;
    const size_t fl = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY;
    int differ = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *gv = i < got_n ? co__pt_value(cap, i) : NULL;
        json_t *wv = json_array_get(want, i);
        if (gv != NULL && wv != NULL && json_equal(gv, wv)) {
            json_decref(gv);
            continue;
        }
        char *ws = wv ? json_dumps(wv, fl) : NULL;
        char *gs = gv ? json_dumps(gv, fl) : NULL;
        printf("@@ record %zu @@\n", i + 1);
        if (ws)
            printf("-%s\n", ws);
        if (gs)
            printf("+%s\n", gs);
        free(ws);
        free(gs);
        json_decref(gv);
        differ = 1;
    }
    if (differ)
        printf("%zu record%s emitted, %zu expected\n", got_n,
               got_n == 1 ? "" : "s", want_n);
    return differ;
}

/* Print the emitted values as expected-file lines: JSON as it is, other
 * text as a JSON string, other bytes as {"not_utf8_base64": ...}. */
/* Values already printed: without --expect they are printed (and
 * flushed) after each input record, so that a plugin that then crashes
 * the process leaves what it emitted before (trial 42: stdout was empty
 * after an abort()). One command per process. */
static size_t co__pt_printed;

static void co__pt_print(co_capture_t *cap)
{
    for (size_t i = co__pt_printed; i < co_capture_count(cap); i++) {
        json_t *j = co__pt_value(cap, i);
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%s\n", s);
        free(s);
        json_decref(j);
    }
    co__pt_printed = co_capture_count(cap);
    fflush(stdout);
}
/* The command's options (borrowed from argv). */
typedef struct {
    const char *in, *expect, *conf, *plugin;
} co__pt_opts_t;

/* Parse argv into o. -1 to go on, else the exit status (0 after --help, 2
 * after a usage error: an unknown, missing or repeated option; trial 40: a
 * second --input or --expect silently replaced the first). */
static int co__pt_args(int argc, char **argv, co__pt_opts_t *o)
{
    static const struct option lo[] = {{"input", required_argument, 0, 'i'},
                                       {"expect", required_argument, 0, 'e'},
                                       {"config", required_argument, 0, 'c'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    *o = (co__pt_opts_t){.conf = NULL};
    int c, li = 0;
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "i:e:c:h", lo, &li)) != -1) {
        const char **slot = c == 'i'   ? &o->in
                            : c == 'e' ? &o->expect
                            : c == 'c' ? &o->conf
                                       : NULL;
        if (slot == NULL) {
            co__pt_usage(c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : 2;
        }
        if (*slot != NULL) {
            const char *opt = c == 'i'   ? "input"
                              : c == 'e' ? "expect"
                                         : "config";
            /* a config's values are not echoed: it may hold a webhook URL
             * or an API key (trial 45's review) */
            if (c == 'c')
                fprintf(stderr, "error: --config given twice: plugins test "
                                "takes one JSON object with every option\n");
            else
                fprintf(stderr,
                        "error: --%s given twice ('%s', then '%s'): plugins "
                        "test takes one file; put every record in it\n",
                        opt, co_cli_shown(*slot), co_cli_shown(optarg));
            return 2;
        }
        *slot = optarg;
    }
    if (optind + 1 != argc || o->in == NULL) {
        fprintf(stderr, "error: plugins test needs one PLUGIN and --input\n\n");
        co__pt_usage(stderr);
        return 2;
    }
    o->plugin = argv[optind];
    if (o->conf == NULL)
        o->conf = "{}";
    return -1;
}

int co_cmd_plugins_test(int argc, char **argv)
{
    co__pt_opts_t o;
    int rc = co__pt_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    const char *in = o.in, *expect = o.expect, *conf = o.conf;
    char *file = NULL;
    co_plugin_handle_t *owned = NULL;
    const co_plugin_handle_t *h = co__pt_load(o.plugin, &file, &owned);
    if (h == NULL)
        return 2;
    char name[256];
    snprintf(name, sizeof name, "%s", h->desc->name);
    uint32_t kinds = h->desc->kinds;
    co_plugin_handle_free(owned); /* the stage loads it again, by file */
    if (!(kinds & (CO_KIND_PROCESSOR | CO_KIND_SINK))) {
        fprintf(stderr,
                "error: %s is a source: plugins test runs processors "
                "and sinks (test sources in a pipeline with mock-sink)\n",
                name);
        free(file);
        return 2;
    }
    json_error_t je;
    json_t *config = json_loads(conf, JSON_REJECT_DUPLICATES, &je);
    if (config == NULL && strstr(je.text, "duplicate object key") != NULL) {
        fprintf(stderr,
                "error: --config: a key appears twice (at character %d): "
                "give each key once\n",
                je.position);
        free(file);
        return 2;
    }
    if (!json_is_object(config)) {
        fprintf(stderr,
                "error: --config must be a JSON object, e.g. "
                "'{\"model\": \"x\"}' (%s)\n",
                config ? "not an object" : co_cli_shown(je.text));
        json_decref(config);
        free(file);
        return 2;
    }
    json_t *values = NULL, *want = NULL;
    size_t *lines = NULL, *wlines = NULL;
    rc = co__pt_read(in, "--input", &values, &lines);
    if (rc == 0 && expect != NULL)
        rc = co__pt_read(expect, "--expect", &want, &wlines);
    char *text = rc == 0 ? co__pt_manifest(name, file, kinds, config) : NULL;
    co_capture_t *cap = NULL;
    char err[2048] = "";
    if (text != NULL) {
        cap = co_capture_new_buffer(text, strlen(text), "plugins test --config",
                                    ".", "test", err, sizeof err);
        if (cap == NULL) {
            co__pt_unstage(err);
            fprintf(stderr, "error: %s\n", err);
            rc = 2;
        }
    }
    if (cap != NULL)
        rc = co__pt_run(cap, in, values, lines, want == NULL);
    if (cap != NULL && rc == 0 && want != NULL)
        rc = co__pt_compare(cap, want);
    else if (cap != NULL && rc == 0)
        co__pt_print(cap);
    co_capture_destroy(cap);
    free(file);
    free(text);
    free(lines);
    free(wlines);
    json_decref(values);
    json_decref(want);
    json_decref(config);
    return rc;
}
