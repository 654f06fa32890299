/* ${secret:NAME} and ${env:NAME:-default} in manifest strings. */
#include "co_redact.h"
#include "manifest_int.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *secrets_dir;
    co_diag_t *d;
    int depth; /* defaults expanded inside defaults */
} co__expand_ctx;

/* Defaults inside defaults: ${env:A:-${env:B:-...}} at most this deep. */
#define CO__EXPAND_DEPTH_MAX 4

/* A field that holds a credential by its name (the last part of its
 * path, in any case): slack-sink's webhook_url, tavily's api_key,
 * kafka.sasl.password, ssl.key.pem, a bearer token... A diagnostic shows
 * none of its value (trial 52: "${env:X}" diagnostics printed a webhook
 * URL whole). More names hide more, never less. */
static int co__secret_field(const char *path)
{
    if (strstr(path, "sasl.") != NULL) /* kafka.sasl.oauthbearer.config... */
        return 1;
    const char *f = strrchr(path, '.');
    f = f != NULL ? f + 1 : path;
    char low[128];
    size_t n = 0;
    for (; f[n] != '\0' && f[n] != '[' && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)f[n]);
    low[n] = '\0';
    static const char *const words[] = {
        "password",   "passwd", "secret",    "token",    "webhook",
        "credential", "apikey", "api_key",   "auth",     "cookie",
        "private",    "pem",    "signature", "conninfo", "dsn"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strstr(low, words[k]) != NULL)
            return 1;
    /* "key", "api-key", "ssl.key.location" is a path, not a key */
    return n >= 3 && strcmp(low + n - 3, "key") == 0;
}

/* A value as a diagnostic may quote it: secrets (a password in a URL or a
 * key=value string) written as *** (trial 51: "environment variable X is
 * not set and \"postgresql://alice:PW@h/${env:X}\" ..." printed PW), and
 * the whole value of a field named as a credential (co__secret_field). */
typedef struct {
    char s[600];
} co__shown_t;
static co__shown_t co__shown(const char *in, const char *path)
{
    co__shown_t r;
    if (co__secret_field(path))
        snprintf(r.s, sizeof r.s, "*** (the value of a credential field)");
    else
        co_redact(r.s, sizeof r.s, in);
    return r;
}

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

/* A field whose value is printed in logs, metrics and graph output: the
 * pipeline name, a stage's name, its input and output topics (also one
 * element of an input/output array). */
static int co__is_name_path(const char *path)
{
    if (strcmp(path, "pipeline") == 0)
        return 1;
    size_t i;
    int n = 0;
    if (sscanf(path, "stages[%zu]%n", &i, &n) != 1 || n == 0)
        return 0;
    if (path[n] == ' ' && path[n + 1] == '(') { /* "stages[1] (NAME)." */
        const char *close = strchr(path + n, ')');
        if (close == NULL)
            return 0;
        n = (int)(close + 1 - path);
    }
    if (path[n] != '.')
        return 0;
    const char *f = path + n + 1;
    static const char *const names[] = {"name", "input", "output"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t l = strlen(names[k]);
        if (strncmp(f, names[k], l) == 0 && (f[l] == '\0' || f[l] == '['))
            return 1;
    }
    return 0;
}

/* The '}' that closes the "${" at `open`, past any "${...}" nested in
 * it (a default that uses another substitution); NULL when none. */
static const char *co__expand_close(const char *open)
{
    int depth = 0;
    for (const char *q = open; *q != '\0'; q++) {
        if (q[0] == '$' && q[1] == '{') {
            depth++;
            q++;
        } else if (*q == '}' && --depth == 0) {
            return q;
        }
    }
    return NULL;
}

static char *co__expand_str(const char *in, const char *path,
                            co__expand_ctx *cx);

/* ${env:SPEC} (body: "env:SPEC", blen bytes) of the string `in`:
 * appends its value to out; 1 after a diagnostic. */
static int co__expand_env(const char *in, const char *body, size_t blen,
                          const char *path, co__expand_ctx *cx, co_buf_t *out)
{
    int bad = 0;
    char *spec = strndup(body + 4, blen - 4);
    char *def = strstr(spec, ":-");
    if (def) {
        *def = '\0';
        def += 2;
    }
    const char *v = spec[0] ? getenv(spec) : NULL;
    size_t bad_at = strspn(spec, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                                 "klmnopqrstuvwxyz0123456789_");
    if (spec[0] != '\0' &&
        (spec[bad_at] != '\0' || (spec[0] >= '0' && spec[0] <= '9'))) {
        /* "${env:A-x}", "${env:A:=x}": not a name (trial 49); nor is
         * "${env:1A}" (a name starts with a letter or '_', POSIX) */
        /* the text after "${env:" may hold a default's secret
         * ("${env:X-postgresql://u:PW@h}", trial 53): its name part only */
        co_diag_add(cx->d, path,
                    "\"%s\": '%.*s%s' is not an environment variable "
                    "name (letters, digits, '_', not starting with a "
                    "digit): write ${env:NAME} "
                    "or ${env:NAME:-default}",
                    co__shown(in, path).s, (int)(bad_at > 0 ? bad_at + 1 : 1),
                    spec, strlen(spec) > bad_at + 1 ? "..." : "");
        bad = 1;
    } else if (spec[0] == '\0') {
        co_diag_add(cx->d, path,
                    "\"%s\": ${env:} names no variable: write "
                    "${env:NAME} or ${env:NAME:-default}",
                    co__shown(in, path).s);
        bad = 1;
    } else if (v != NULL && v[0] != '\0')
        co_buf_add(out, v, strlen(v));
    else if (def != NULL && strstr(def, "${") != NULL) {
        /* a default may itself use ${env:...} or ${secret:...}
         * (${env:A:-${env:B:-x}}, as a shell does) */
        char *dv = NULL;
        if (cx->depth == CO__EXPAND_DEPTH_MAX)
            co_diag_add(cx->d, path,
                        "substitutions nested more than %d deep in a "
                        "default: write the value itself",
                        CO__EXPAND_DEPTH_MAX);
        else {
            cx->depth++;
            dv = co__expand_str(def, path, cx);
            cx->depth--;
        }
        if (dv == NULL)
            bad = 1;
        else
            co_buf_add(out, dv, strlen(dv));
        free(dv);
    } else if (def != NULL)
        co_buf_add(out, def, strlen(def));
    else {
        co_diag_add(cx->d, path,
                    "environment variable %s is %s and \"%s\" "
                    "gives no default (use ${env:%s:-value})",
                    spec, v != NULL ? "empty" : "not set",
                    co__shown(in, path).s, spec);
        bad = 1;
    }
    free(spec);
    return bad;
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
        if (open > p && open[-1] == '$') {
            /* "$${" is a literal "${" (as in Compose files; trial 51) */
            co_buf_add(&out, p, (size_t)(open - 1 - p));
            co_buf_add(&out, "${", 2);
            p = open + 2;
            continue;
        }
        co_buf_add(&out, p, (size_t)(open - p));
        const char *close = co__expand_close(open);
        if (close == NULL) {
            co_diag_add(cx->d, path, "unterminated '${' in \"%s\"",
                        co__shown(in, path).s);
            bad = 1;
            break;
        }
        const char *body = open + 2;
        size_t blen = (size_t)(close - body);
        if (strncmp(body, "secret:", 7) == 0) {
            const char *name = body + 7;
            size_t nlen = blen - 7;
            if (co__is_name_path(path)) {
                co_diag_add(cx->d, path,
                            "${secret:...} is not allowed here: secrets are "
                            "for credentials; a stage or topic name is "
                            "printed in logs (write the name itself)");
                bad = 1;
            } else if (!co__valid_secret_name(name, nlen)) {
                co_diag_add(cx->d, path,
                            "bad secret name in \"%s\" (letters, digits, "
                            "'_', '-', '.')",
                            co__shown(in, path).s);
                bad = 1;
            } else {
                char *nm = strndup(name, nlen);
                char *file = co_path_join(cx->secrets_dir, nm);
                char *val = NULL;
                size_t vlen = 0;
                int rc =
                    co_read_file_max(file, &val, &vlen, CO_READ_SECRET_MAX);
                if (rc != 0) {
                    co_diag_add(cx->d, path,
                                "secret '%s' not readable at %s (%s): create "
                                "the file or set secrets_dir",
                                nm, file, co_read_strerror(rc));
                    bad = 1;
                } else {
                    while (vlen > 0 &&
                           (val[vlen - 1] == '\n' || val[vlen - 1] == '\r'))
                        val[--vlen] = '\0';
                    if (memchr(val, '\0', vlen) != NULL) {
                        /* a C string ends there: the rest would be lost */
                        co_diag_add(cx->d, path,
                                    "secret '%s' (%s) holds a NUL byte: "
                                    "write the value alone, as text",
                                    nm, file);
                        bad = 1;
                    } else {
                        co_secret_note(nm, val);
                        co_buf_add(&out, val, vlen);
                    }
                }
                free(val);
                free(file);
                free(nm);
            }
        } else if (strncmp(body, "env:", 4) == 0) {
            bad |= co__expand_env(in, body, blen, path, cx, &out);
        } else {
            if (co__secret_field(path)) /* its text may be the secret */
                co_diag_add(cx->d, path,
                            "unknown substitution \"${...}\" in %s: use "
                            "${secret:NAME} or ${env:NAME:-default}",
                            co__shown(in, path).s);
            else {
                /* "${PGURL:-postgresql://u:PW@h}" (a shell's form) */
                char *b = strndup(body, blen);
                co__shown_t shown = co__shown(b, path);
                co_diag_add(cx->d, path,
                            "unknown substitution \"${%s}\": use "
                            "${secret:NAME} or ${env:NAME:-default}",
                            shown.s);
                free(b);
            }
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

/* The string s of the field at path with its substitutions made, as a
 * new JSON string; NULL after a diagnostic. A value that is not UTF-8 (a
 * secret file or variable in Latin-1) is refused: JSON strings are UTF-8,
 * and the field would otherwise keep its "${...}" text (trial 51). */
static json_t *co__expand_value(const char *s, const char *path,
                                co__expand_ctx *cx)
{
    char *e = co__expand_str(s, path, cx);
    if (e == NULL)
        return NULL;
    json_t *j = json_string(e);
    free(e);
    if (j == NULL)
        co_diag_add(cx->d, path,
                    "\"%s\" gives a value that is not UTF-8 text: save the "
                    "secret file or set the environment variable in UTF-8",
                    co__shown(s, path).s);
    return j;
}

static void co__expand_node(json_t *node, const char *path, co__expand_ctx *cx)
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
                json_t *e = co__expand_value(s, sub, cx);
                if (e)
                    json_object_set_new(node, k, e);
            } else {
                snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "",
                         k);
                co__expand_node(v, sub, cx);
            }
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            if (strcmp(path, "stages") == 0) /* "stages[1] (NAME)" */
                co_manifest_stage_path(
                    sub, sizeof sub, i,
                    json_string_value(json_object_get(v, "name")));
            else
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (json_is_string(v)) {
                const char *s = json_string_value(v);
                if (strstr(s, "${") == NULL)
                    continue;
                json_t *e = co__expand_value(s, sub, cx);
                if (e)
                    json_array_set_new(node, i, e);
            } else {
                co__expand_node(v, sub, cx);
            }
        }
    }
}

void co__expand(json_t *node, const char *path, const char *secrets_dir,
                co_diag_t *d)
{
    co__expand_ctx cx = {secrets_dir, d, 0};
    co__expand_node(node, path, &cx);
}
