/* Option tables: validation against manifest config and struct filling. */
#include "options.h"
#include "co_cli.h"
#include "co_readfile.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct co_optmem_s {
    void **ptrs;
    size_t n;
};

static void co__mem_add(co_optmem_t *m, void *p)
{
    void **v = realloc(m->ptrs, (m->n + 1) * sizeof *v);
    if (v == NULL)
        abort();
    m->ptrs = v;
    m->ptrs[m->n++] = p;
}

const char *co_opt_type_name(co_opt_type_t t)
{
    switch (t) {
    case CO_OPT_STR:
        return "string";
    case CO_OPT_INT:
        return "int";
    case CO_OPT_DOUBLE:
        return "number";
    case CO_OPT_BOOL:
        return "bool";
    case CO_OPT_STRLIST:
        return "string list";
    case CO_OPT_JSON:
        return "json";
    default:
        return "?";
    }
}

/* Parse a textual default into a JSON value of the option's type. */
static json_t *co__default_json(const co_option_t *o)
{
    if (o->def == NULL)
        return NULL;
    switch (o->type) {
    case CO_OPT_STR:
        return json_string(o->def);
    case CO_OPT_INT: {
        char *end;
        errno = 0;
        long long x = strtoll(o->def, &end, 10);
        return (*end || errno) ? NULL : json_integer(x);
    }
    case CO_OPT_DOUBLE: {
        char *end;
        double x = strtod(o->def, &end);
        return *end ? NULL : json_real(x);
    }
    case CO_OPT_BOOL:
        if (strcasecmp(o->def, "true") == 0 || strcmp(o->def, "1") == 0)
            return json_true();
        if (strcasecmp(o->def, "false") == 0 || strcmp(o->def, "0") == 0)
            return json_false();
        return NULL;
    case CO_OPT_STRLIST:
        return json_string(o->def);
    case CO_OPT_JSON:
        return json_loads(o->def, JSON_DECODE_ANY, NULL);
    default:
        return NULL;
    }
}

/* A zone name is a file of the IANA database (TZif), as glibc and GLib
 * read it: relative, no "..", under $TZDIR or /usr/share/zoneinfo. The
 * host links no time-zone library (tests/core/host_links.sh). */
static int co__zone_known(const char *name)
{
    if (strcmp(name, "UTC") == 0)
        return 1; /* known without the database, as in GLib */
    if (name[0] == '\0' || name[0] == '/' || strlen(name) > 255 ||
        strstr(name, "..") != NULL)
        return 0;
    const char *dir = getenv("TZDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s",
             dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    char magic[4];
    int ok = fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

const char *co_json_kind(const json_t *v)
{
    if (v == NULL)
        return "null";
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    default:
        return "an array";
    }
}

int co_json_integral(const json_t *v, long long *out)
{
    double x = json_is_real(v) ? json_real_value(v) : 0;
    if (!json_is_integer(v) &&
        (!json_is_real(v) || x != floor(x) || x < -9223372036854775808.0 ||
         x >= 9223372036854775808.0))
        return 0;
    if (out != NULL)
        *out = json_is_integer(v) ? (long long)json_integer_value(v)
                                  : (long long)x;
    return 1;
}

/* "" read the manifest's own folder (trial 59); " " made a folder named
 * " " (trial 62); "~" a folder named "~" (trial 61), and "~NAME" (62) */
int co_options_check_path(const char *sv, unsigned flags, const char *p,
                          co_diag_t *d)
{
    char home[1024];
    const char *rest;
    if (co_path_tilde(sv, home, sizeof home, &rest)) {
        co_diag_add(d, p,
                    "\"%s\" starts with ~, which nothing expands in a "
                    "manifest: give the full path, e.g. \"%s%s\"",
                    sv, home, rest);
        return 1;
    }
    if (sv[0] == '~') { /* "~nosuchuser/x", "~+" (trial 65: "./~nosuch") */
        size_t n = strcspn(sv + 1, "/");
        co_diag_add(d, p,
                    "\"%s\" starts with ~, which nothing expands in a "
                    "manifest (and there is no account \"%.*s\" here): give "
                    "the full path, or \"./%s\" for a name that starts with "
                    "~",
                    sv, (int)n, sv + 1, sv);
        return 1;
    }
    if (sv[0] != '\0' &&
        (isspace((unsigned char)sv[0]) ||
         isspace((unsigned char)sv[strlen(sv) - 1])) &&
        sv[strspn(sv, " \t\r\n")] != '\0') {
        /* " out.jsonl" made a file named " out.jsonl" (trial 65) */
        co_diag_add(d, p,
                    "\"%s\" starts or ends with a space: remove it (a "
                    "file name with spaces at its ends is not one a user "
                    "means)",
                    sv);
        return 1;
    }
    if (sv[strspn(sv, " \t\r\n")] == '\0' &&
        (sv[0] != '\0' || (flags & (CO_OPT_INPUT | CO_OPT_OUTPUT)))) {
        co_diag_add(d, p, "%s: give the path of %s",
                    sv[0] == '\0' ? "is empty" : "is only spaces",
                    (flags & CO_OPT_INPUT)    ? "an existing file or folder"
                    : (flags & CO_OPT_OUTPUT) ? "a file to write (created if "
                                                "missing)"
                    : (flags & CO_OPT_REQUIRED)
                        ? "a file or folder"
                        : "a file or folder (or leave the option out for the "
                          "default)");
        return 1;
    }
    return 0;
}

/* co_options_check_path() on a path list: each element of an array ("p[i]"), or
 * each comma-separated name of a string. */
static int co__check_path_list(const co_option_t *o, json_t *v, const char *p,
                               co_diag_t *d)
{
    int faults = 0;
    char ep[560];
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            snprintf(ep, sizeof ep, "%s[%zu]", p, i);
            faults +=
                co_options_check_path(json_string_value(e), o->flags, ep, d);
        }
        return faults;
    }
    char *copy = co_strdup(json_string_value(v)), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        t += strspn(t, " ");
        if (*t)
            faults += co_options_check_path(t, o->flags, p, d);
    }
    free(copy);
    return faults;
}

/* A CO_OPT_ZONE value (string v) the zone database lacks, or an empty
 * one (trial 82: 'unknown IANA time zone ""'), said at path p. */
/* The zone database's spelling of `name` written in another case
 * ("europe/paris" -> "Europe/Paris"), into out; 0 when there is none. */
static int co__zone_case(const char *name, char *out, size_t sz)
{
    const char *dir = getenv("TZDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s",
             dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo");
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = name; *p;) {
        size_t l = strcspn(p, "/");
        DIR *d = l > 0 && l < 128 ? opendir(path) : NULL;
        struct dirent *e;
        int found = 0;
        while (d != NULL && !found && (e = readdir(d)) != NULL)
            if (strlen(e->d_name) == l && strncasecmp(e->d_name, p, l) == 0 &&
                e->d_name[0] != '.') {
                found = 1;
                size_t pl = strlen(path);
                snprintf(path + pl, sizeof path - pl, "/%s", e->d_name);
                o += (size_t)snprintf(out + o, o < sz ? sz - o : 0, "%s%s",
                                      o ? "/" : "", e->d_name);
            }
        if (d != NULL)
            closedir(d);
        if (!found || o >= sz)
            return 0;
        p += l;
        p += *p == '/';
    }
    return co__zone_known(out);
}

static void co__zone_unknown(const json_t *v, const char *p, co_diag_t *d)
{
    int empty = json_string_length(v) == 0;
    char fixed[256];
    if (!empty && co__zone_case(json_string_value(v), fixed, sizeof fixed)) {
        /* trial 83: "europe/paris" got the general advice */
        co_diag_add(d, p,
                    "unknown IANA time zone \"%s\": zone names are "
                    "case-sensitive; write \"%s\"",
                    json_string_value(v), fixed);
        return;
    }
    co_diag_add(d, p,
                "%s%s%s: use a name of the zone database such as "
                "Europe/Paris, America/New_York or UTC (`timedatectl "
                "list-timezones` lists them; the Debian package tzdata holds "
                "the database)",
                empty ? "is empty: no time zone" : "unknown IANA time zone \"",
                json_string_value(v), empty ? "" : "\"");
}

static int co__check_value(const co_option_t *o, json_t *v, const char *p,
                           co_diag_t *d)
{
    int ok = 1;
    switch (o->type) {
    case CO_OPT_STR:
        ok = json_is_string(v);
        if (ok && (o->flags & CO_OPT_ZONE) &&
            !co__zone_known(json_string_value(v))) {
            co__zone_unknown(v, p, d);
            return 1;
        }
        break;
    case CO_OPT_INT:
        ok = json_is_integer(v);
        if (ok && o->max > o->min &&
            ((double)json_integer_value(v) < o->min ||
             (double)json_integer_value(v) > o->max)) {
            co_diag_add(d, p, "must be between %.0f and %.0f (got %lld)",
                        o->min, o->max, (long long)json_integer_value(v));
            return 1;
        }
        break;
    case CO_OPT_DOUBLE:
        ok = json_is_number(v);
        if (ok && o->max > o->min &&
            (json_number_value(v) < o->min || json_number_value(v) > o->max)) {
            co_diag_add(d, p, "must be between %g and %g (got %g)", o->min,
                        o->max, json_number_value(v));
            return 1;
        }
        break;
    case CO_OPT_BOOL:
        ok = json_is_boolean(v);
        break;
    case CO_OPT_STRLIST:
        if (json_is_string(v))
            ok = 1;
        else if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) if (!json_is_string(e)) ok = 0;
        } else
            ok = 0;
        break;
    case CO_OPT_JSON:
        ok = 1;
        break;
    default:
        ok = 0;
    }
    if (ok && (o->flags & CO_OPT_PATH) && o->type == CO_OPT_STR)
        return co_options_check_path(json_string_value(v), o->flags, p, d);
    if (ok && (o->flags & CO_OPT_PATH) && o->type == CO_OPT_STRLIST)
        return co__check_path_list(o, v, p, d) != 0;
    if (!ok) {
        /* a ${env:...} or ${secret:...} substitution gives text (trial 28:
         * "count": "${env:N}" said only "must be an integer"); the value
         * given and the range are named (trial 30: 1.5, true, null and a
         * number too large for JSON's integers, which --set keeps as
         * text) */
        int text = json_is_string(v) && o->type != CO_OPT_STR &&
                   o->type != CO_OPT_STRLIST;
        const char *sv = text ? json_string_value(v) : "";
        /* digits only that do not fit an int64 ("99999999999999999999",
         * which --set keeps as text); "10" or "007" is text (trial 31) */
        int big = 0;
        if (text && o->type == CO_OPT_INT && sv[sv[0] == '-'] != '\0' &&
            strspn(sv + (sv[0] == '-'), "0123456789") ==
                strlen(sv + (sv[0] == '-'))) {
            errno = 0;
            (void)strtoll(sv, NULL, 10);
            big = errno == ERANGE;
        }
        /* "1e400", which --set keeps as text too (trial 51) */
        if (text && !big &&
            (o->type == CO_OPT_INT || o->type == CO_OPT_DOUBLE)) {
            char *end = NULL;
            errno = 0;
            (void)strtod(sv, &end);
            big =
                sv[0] != '\0' && end != NULL && *end == '\0' && errno == ERANGE;
        }
        /* a credential's value is never shown, whatever its type (trial
         * 53: "conninfo": {"password": ...} was printed whole) */
        char *given =
            (o->flags & CO_OPT_SECRET)
                ? co_strdup(json_is_object(v)   ? "an object (not shown)"
                            : json_is_array(v)  ? "an array (not shown)"
                            : json_is_string(v) ? "a string (not shown)"
                                                : "a value (not shown)")
                : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        char range[96] = "";
        if ((o->type == CO_OPT_INT || o->type == CO_OPT_DOUBLE) &&
            o->max > o->min)
            snprintf(range, sizeof range, " from %.15g to %.15g", o->min,
                     o->max);
        co_diag_add(
            d, p, "must be %s %s%s%s, not %.60s%s%s",
            o->type == CO_OPT_INT ? "an" : "a",
            o->type == CO_OPT_INT ? "integer" : co_opt_type_name(o->type),
            range,
            o->type == CO_OPT_STRLIST
                ? " (array of strings or comma-separated string)"
                : "",
            given != NULL ? given : "this value",
            given != NULL && strlen(given) > 60 ? "..." : "",
            big    ? (o->type == CO_OPT_INT
                          ? " (a number too large for an integer)"
                          : " (a number out of range)")
            : text ? " (a string: written in quotes, given to --set as "
                     "text that is not JSON, or made by a ${env:...} or "
                     "${secret:...} substitution; write the value itself)"
                   : "");
        free(given);
        return 1;
    }
    return 0;
}

int co_options_table_fault(const co_option_t *opts, size_t config_size,
                           char *errstr, size_t sz)
{
    for (size_t i = 0; opts && opts[i].type != CO_OPT_END; i++) {
        const co_option_t *o = &opts[i];
        const char *n = o->name != NULL ? o->name : "";
        if (o->name == NULL || o->name[0] == '\0') {
            snprintf(errstr, sz,
                     "declares options[%zu] without a name: give every "
                     "option the key users write in the stage's config",
                     i);
            return -1;
        }
        if (o->description == NULL || o->description[0] == '\0') {
            snprintf(errstr, sz,
                     "declares option '%s' without a description: give it "
                     "one sentence (`plugins info` shows it)",
                     n);
            return -1;
        }
        if (o->offset >= config_size) {
            snprintf(errstr, sz,
                     "declares option '%s' at offset %zu, outside config_size "
                     "%zu: use offsetof() of the config struct, and "
                     "sizeof it as config_size",
                     n, o->offset, config_size);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (opts[j].name != NULL && strcmp(opts[j].name, n) == 0) {
                snprintf(errstr, sz,
                         "declares option '%s' twice (options[%zu] and "
                         "[%zu]): give each option its own name",
                         n, j, i);
                return -1;
            }
        if (o->def == NULL)
            continue;
        json_t *dv = co__default_json(o);
        double x = json_is_number(dv) ? json_number_value(dv) : 0;
        int in_range = !json_is_number(dv) || o->max <= o->min ||
                       (x >= o->min && x <= o->max);
        json_decref(dv);
        if (dv == NULL) {
            snprintf(errstr, sz,
                     "declares option '%s' with the default \"%s\", which "
                     "is not of its type (%s): fix the default",
                     n, o->def, co_opt_type_name(o->type));
            return -1;
        }
        if (!in_range) {
            snprintf(errstr, sz,
                     "declares option '%s' with the default \"%s\", outside "
                     "its range %.15g..%.15g: fix the default or the range",
                     n, o->def, o->min, o->max);
            return -1;
        }
    }
    return 0;
}

int co_options_validate(const co_option_t *opts, json_t *config,
                        const char *path, co_diag_t *d)
{
    int faults = 0;
    char p[512];
    const char *k;
    json_t *v;
    json_object_foreach(config, k, v)
    {
        const co_option_t *o = NULL;
        for (const co_option_t *it = opts; it && it->type != CO_OPT_END; it++)
            if (strcmp(it->name, k) == 0)
                o = it;
        snprintf(p, sizeof p, "%s.%s", path, k);
        if (o == NULL) {
            co_buf_t names = {0};
            for (const co_option_t *it = opts; it && it->type != CO_OPT_END;
                 it++)
                co_buf_printf(&names, "%s%s", names.len ? ", " : "", it->name);
            co_diag_add(d, p,
                        "the plugin declares no option '%s'; it takes: %s "
                        "(see `careerops plugins info`)",
                        k, names.data ? names.data : "no options");
            co_buf_free(&names);
            faults++;
            continue;
        }
        long long iv;
        if (o->type == CO_OPT_INT && json_is_real(v) &&
            co_json_integral(v, &iv)) {
            /* replacing a value keeps json_object_foreach's place */
            json_object_set_new(config, k, json_integer((json_int_t)iv));
            v = json_object_get(config, k);
        }
        faults += co__check_value(o, v, p, d);
    }
    for (const co_option_t *o = opts; o && o->type != CO_OPT_END; o++) {
        snprintf(p, sizeof p, "%s.%s", path, o->name);
        json_t *rv = json_object_get(config, o->name);
        if ((o->flags & CO_OPT_REQUIRED) && rv == NULL) {
            co_diag_add(d, p, "required option missing: %s (%s)",
                        o->description ? o->description : "",
                        co_opt_type_name(o->type));
            faults++;
        } else if ((o->flags & CO_OPT_REQUIRED) && o->type == CO_OPT_STR &&
                   json_is_string(rv) &&
                   strspn(json_string_value(rv), " \t\r\n") ==
                       json_string_length(rv) &&
                   !co_diag_has(d, p)) { /* its own check's "is empty"
                                            (trial 82: said twice) */
            /* trial 80: an empty secret file passed validate, and the
             * stage then waited for a server at libpq's default socket */
            co_diag_add(d, p,
                        "is empty: give its value (%s); a ${secret:NAME} "
                        "file or ${env:NAME} must hold it",
                        o->description ? o->description : "required");
            faults++;
        }
        if (o->def != NULL) {
            json_t *dv = co__default_json(o);
            if (dv == NULL) {
                co_diag_add(d, p, "plugin bug: default \"%s\" is not a %s",
                            o->def, co_opt_type_name(o->type));
                faults++;
            }
            json_decref(dv);
        }
    }
    return faults;
}

int co_options_check_outputs(const co_option_t *opts, json_t *config,
                             const char *base_dir, const char *path,
                             co_diag_t *d)
{
    int faults = 0;
    for (const co_option_t *o = opts; o && o->type != CO_OPT_END; o++) {
        const char *sv = json_string_value(json_object_get(config, o->name));
        if (o->type != CO_OPT_STR ||
            (o->flags & (CO_OPT_OUTPUT | CO_OPT_INPUT)) == 0 ||
            (o->flags & CO_OPT_PATH) == 0 || sv == NULL || sv[0] == '\0' ||
            strcmp(sv, "-") == 0)
            continue;
        char *file = co_path_join(base_dir, sv);
        if (o->flags & CO_OPT_INPUT) {
            struct stat st;
            if (stat(file, &st) != 0) {
                char p[512];
                snprintf(p, sizeof p, "%s.%s", path, o->name);
                co_diag_add(d, p,
                            "cannot read %s: %s: give the path of an "
                            "existing file or folder",
                            file, strerror(errno));
                faults++;
            }
            free(file);
            continue;
        }
        char dir[4096], why[4400];
        int err;
        co_newfile_t k = co_newfile_check(file, 0, dir, sizeof dir, &err);
        if (k != CO_NEWFILE_OK) {
            char p[512];
            snprintf(p, sizeof p, "%s.%s", path, o->name);
            co_newfile_why(k, dir, err, why, sizeof why);
            if (k == CO_NEWFILE_NO_FOLDER)
                co_diag_add(d, p,
                            "cannot write %s: %s: create the folder (`mkdir "
                            "-p %s`) or give a path in an existing one",
                            file, why, dir);
            else
                co_diag_add(d, p, "cannot write %s: %s: give another path",
                            file, why);
            faults++;
        }
        free(file);
    }
    return faults;
}

static char *co__split_list(const char *s, co_optmem_t *m, const char ***out)
{
    /* comma-separated, trimmed */
    size_t cnt = 1;
    for (const char *p = s; *p; p++)
        cnt += *p == ',';
    const char **arr = co_xcalloc(cnt + 1, sizeof *arr);
    char *copy = co_strdup(s);
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && e[-1] == ' ')
            *--e = '\0';
        if (*tok)
            arr[n++] = tok;
    }
    co__mem_add(m, copy);
    co__mem_add(m, (void *)arr);
    *out = arr;
    return copy;
}

void *co_options_fill(const co_plugin_t *p, json_t *config,
                      const char *base_dir, co_optmem_t **memp)
{
    co_optmem_t *m = co_xcalloc(1, sizeof *m);
    *memp = m;
    if (p->config_size == 0)
        return NULL;
    char *cfg = co_xcalloc(1, p->config_size);
    for (const co_option_t *o = p->options; o && o->type != CO_OPT_END; o++) {
        json_t *v = json_object_get(config, o->name);
        json_t *owned = NULL;
        if (v == NULL)
            v = owned = co__default_json(o);
        if (v == NULL)
            continue;
        void *at = cfg + o->offset;
        switch (o->type) {
        case CO_OPT_STR:
            if (json_is_string(v)) {
                const char *sv = json_string_value(v);
                /* "-" is stdin/stdout by convention, never a file; ""
                 * stays "" (an optional file left unset) */
                char *s = (o->flags & CO_OPT_PATH) && sv[0] != '\0' &&
                                  strcmp(sv, "-") != 0 &&
                                  !((o->flags & CO_OPT_URL) &&
                                    strcspn(sv, ":") < strcspn(sv, "/"))
                              ? co_path_join(base_dir, sv)
                              : co_strdup(sv);
                co__mem_add(m, s);
                memcpy(at, &s, sizeof s);
            }
            break;
        case CO_OPT_INT:
            if (json_is_integer(v)) {
                int64_t x = json_integer_value(v);
                memcpy(at, &x, sizeof x);
            }
            break;
        case CO_OPT_DOUBLE:
            if (json_is_number(v)) {
                double x = json_number_value(v);
                memcpy(at, &x, sizeof x);
            }
            break;
        case CO_OPT_BOOL: {
            int x = json_is_true(v);
            memcpy(at, &x, sizeof x);
            break;
        }
        case CO_OPT_STRLIST: {
            const char **arr = NULL;
            if (json_is_string(v)) {
                co__split_list(json_string_value(v), m, &arr);
            } else if (json_is_array(v)) {
                arr = co_xcalloc(json_array_size(v) + 1, sizeof *arr);
                size_t i, n = 0;
                json_t *e;
                json_array_foreach(v, i, e)
                {
                    if (!json_is_string(e))
                        continue;
                    char *s = co_strdup(json_string_value(e));
                    co__mem_add(m, s);
                    arr[n++] = s;
                }
                co__mem_add(m, (void *)arr);
            }
            /* a list of paths: each read from the manifest's folder, as a
             * single path is (trial 65: extra_rules was read from the
             * current folder) */
            for (size_t i = 0; arr && (o->flags & CO_OPT_PATH) && arr[i]; i++)
                if (arr[i][0] != '\0' && strcmp(arr[i], "-") != 0) {
                    char *s = co_path_join(base_dir, arr[i]);
                    co__mem_add(m, s);
                    arr[i] = s;
                }
            memcpy(at, &arr, sizeof arr);
            break;
        }
        case CO_OPT_JSON: {
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            co__mem_add(m, s);
            memcpy(at, &s, sizeof s);
            break;
        }
        default:
            break;
        }
        json_decref(owned);
    }
    co__mem_add(m, cfg);
    return cfg;
}

void co_options_free(void *cfg, co_optmem_t *m)
{
    (void)cfg; /* the struct itself is in m */
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->ptrs[i]);
    free(m->ptrs);
    free(m);
}

void co_options_print(const co_option_t *opts, FILE *out)
{
    if (opts == NULL || opts->type == CO_OPT_END) {
        fprintf(out, "  (no options)\n");
        return;
    }
    /* one column for the names, as wide as the longest
     * ("refresh_token_key_secret" overran a fixed 22) */
    int w = 22;
    for (const co_option_t *o = opts; o->type != CO_OPT_END; o++) {
        size_t n = strlen(co_cli_shown(o->name));
        if (n > (size_t)w && n < 80)
            w = (int)n;
    }
    for (const co_option_t *o = opts; o->type != CO_OPT_END; o++) {
        /* the plugin's own words, escaped (trial 57: printed raw) */
        fprintf(out, "  %-*s %-11s", w, co_cli_shown(o->name),
                co_opt_type_name(o->type));
        if (o->flags & CO_OPT_REQUIRED)
            fprintf(out, " required");
        else
            fprintf(out, " default: %s",
                    o->def ? ((o->flags & CO_OPT_SECRET) ? "<redacted>"
                                                         : co_cli_shown(o->def))
                           : "(none)");
        if (o->flags & CO_OPT_SECRET)
            fprintf(out, " [secret]");
        if (o->max > o->min && o->type == CO_OPT_INT)
            fprintf(out, " range: %.0f..%.0f", o->min, o->max);
        else if (o->max > o->min)
            fprintf(out, " range: %g..%g", o->min, o->max);
        fprintf(out, "\n      %s\n",
                o->description ? co_cli_shown_lines(o->description) : "");
    }
}
