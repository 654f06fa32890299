/* `--set PATH=VALUE` overrides: the path is parsed in one loop into at most
 * CO_SET_MAX_DEPTH segments and checked whole before anything changes;
 * every malformed form (empty segment, trailing dot, bad index) is an
 * error naming the override. */
#include "manifest_int.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** One path segment: a key (`name`) or an array index (`[N]`). */
typedef struct {
    int is_index;
    size_t index;
    char key[256];
} co__seg_t;

static const char co__set_example[] =
    "e.g. stages.classify.plugin=rules-classifier, stages[1].config.count=5 "
    "or kafka.bootstrap.servers=HOST:PORT";

/* Parses "[N]" at *pp into seg; returns 0 or -1 with a reason. */
static int co__set_index(const char **pp, co__seg_t *seg, const char **why)
{
    const char *p = *pp + 1;
    size_t idx = 0, digits = 0;
    while (isdigit((unsigned char)*p)) {
        if (idx > 100000000) {
            *why = "index too large";
            return -1;
        }
        idx = idx * 10 + (size_t)(*p++ - '0');
        digits++;
    }
    if (digits == 0 || *p != ']') {
        *why = "an index is a number in brackets, e.g. stages[0]";
        return -1;
    }
    seg->is_index = 1;
    seg->index = idx;
    *pp = p + 1;
    return 0;
}

/* Splits `path` into segments. Returns the count, or -1 with a reason. */
static int co__set_split(const char *path, co__seg_t *segs, const char **why)
{
    const char *p = path;
    int n = 0;
    if (*p == '\0') {
        *why = "the path is empty";
        return -1;
    }
    while (*p) {
        if (n == CO_SET_MAX_DEPTH) {
            *why = "the path is too deep (at most 32 segments)";
            return -1;
        }
        co__seg_t *seg = &segs[n];
        memset(seg, 0, sizeof *seg);
        if (*p == '[') {
            if (n == 0) {
                *why = "the path must start with a field name";
                return -1;
            }
            if (co__set_index(&p, seg, why) != 0)
                return -1;
        } else {
            size_t len = strcspn(p, ".[]");
            if (len == 0) {
                *why = p[0] == ']' ? "unmatched ']'"
                                   : "empty field name (two dots, a leading "
                                     "or a trailing dot)";
                return -1;
            }
            if (len >= sizeof seg->key) {
                *why = "a field name is longer than 255 bytes";
                return -1;
            }
            memcpy(seg->key, p, len);
            p += len;
        }
        n++;
        if (*p == '.') {
            p++;
            if (*p == '\0' || *p == '.' || *p == '[') {
                *why = "empty field name (two dots, a leading or a "
                       "trailing dot)";
                return -1;
            }
        } else if (*p == ']') {
            *why = "unmatched ']'";
            return -1;
        } else if (*p != '\0' && *p != '[') {
            *why = "unexpected character after an index";
            return -1;
        }
    }
    return n;
}

/* kafka.NAME: the rest of the path is one librdkafka property name. */
static int co__set_kafka(json_t *root, const char *prop, const char *val,
                         json_t *v, const char *where, co_diag_t *d)
{
    size_t n = strlen(prop);
    if (n == 0 || prop[0] == '.' || prop[n - 1] == '.' ||
        strstr(prop, "..") != NULL || strpbrk(prop, "[]") != NULL) {
        co_diag_add(d, where,
                    "\"%s\" is not a librdkafka property name: after kafka. "
                    "give one, e.g. kafka.bootstrap.servers=HOST:PORT",
                    prop);
        return -1;
    }
    if (json_is_array(v) || json_is_object(v)) { /* trial 49 */
        co_diag_add(d, where,
                    "a librdkafka property takes one value (a string, "
                    "number or boolean), not a JSON %s",
                    json_is_array(v) ? "array" : "object");
        return -1;
    }
    json_t *k = json_object_get(root, "kafka");
    if (!json_is_object(k)) {
        k = json_object();
        json_object_set_new(root, "kafka", k);
    }
    json_object_set_new(k, prop,
                        json_is_string(v) ? json_incref(v) : json_string(val));
    return 0;
}

/* Selects the element of array `cur` whose "name" is `key`, its index in
 * *at. */
static json_t *co__set_by_name(json_t *cur, const char *key, size_t *at)
{
    size_t i;
    json_t *e;
    json_array_foreach(cur, i, e)
    {
        json_t *nm = json_object_get(e, "name");
        if (json_is_string(nm) && strcmp(json_string_value(nm), key) == 0) {
            *at = i;
            return e;
        }
    }
    return NULL;
}

/* Walks the segments (creating missing objects) and sets the last; the
 * path it set, elements named by index (stages.ingest is stages[0]), in
 * `canon`. */
static int co__set_walk(json_t *root, const co__seg_t *segs, int n, json_t *v,
                        const char *where, co_diag_t *d, co_buf_t *canon)
{
    json_t *cur = root;
    for (int i = 0; i < n; i++) {
        const co__seg_t *s = &segs[i];
        int last = i == n - 1;
        if (s->is_index)
            co_buf_printf(canon, "[%zu]", s->index);
        else if (!json_is_array(cur))
            co_buf_printf(canon, "%s%s", i ? "." : "", s->key);
        if (s->is_index) {
            if (!json_is_array(cur) || s->index >= json_array_size(cur)) {
                co_diag_add(d, where,
                            "[%zu] is out of range or not on an array "
                            "(segment %d)",
                            s->index, i + 1);
                return -1;
            }
            if (last)
                return json_array_set(cur, s->index, v) == 0 ? 0 : -1;
            cur = json_array_get(cur, s->index);
        } else if (json_is_array(cur)) {
            /* stages.NAME: select an element by its "name" */
            size_t at = 0;
            json_t *found = co__set_by_name(cur, s->key, &at);
            if (found == NULL) {
                /* the names there, and the closest (trial 85: none said) */
                char names[400] = "";
                const char *near[64];
                size_t nn = 0, k;
                json_t *el;
                json_array_foreach(cur, k, el)
                {
                    const char *nm =
                        json_string_value(json_object_get(el, "name"));
                    if (nm == NULL)
                        continue;
                    size_t l = strlen(names);
                    snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "",
                             nm);
                    if (nn < 63)
                        near[nn++] = nm;
                }
                near[nn] = NULL;
                const char *close = co_closest_name(s->key, near);
                co_diag_add(
                    d, where, "no element named '%s'%s%s%s; the names are: %s",
                    s->key, close ? " (did you mean '" : "", close ? close : "",
                    close ? "'?)" : "", names[0] ? names : "none");
                return -1;
            }
            co_buf_printf(canon, "[%zu]", at);
            if (last) {
                co_diag_add(d, where, "cannot replace a whole stage");
                return -1;
            }
            cur = found;
        } else if (json_is_object(cur)) {
            if (last)
                return json_object_set(cur, s->key, v) == 0 ? 0 : -1;
            json_t *next = json_object_get(cur, s->key);
            if (next == NULL && segs[i + 1].is_index) {
                /* a new array is empty: no index in it exists */
                co_diag_add(d, where,
                            "'%s' does not exist, so [%zu] is out of range; "
                            "set the whole array, e.g. --set '%s=[...]'",
                            s->key, segs[i + 1].index, s->key);
                return -1;
            }
            if (next == NULL) {
                next = json_object();
                json_object_set_new(cur, s->key, next);
            }
            cur = next;
        } else {
            co_diag_add(d, where, "'%s' is not inside an object", s->key);
            return -1;
        }
    }
    return 0;
}

int co__apply_set(json_t *root, const char *set, co_diag_t *d, char **canon)
{
    co_buf_t cb = {0};
    *canon = NULL;
    char where[300];
    /* the path only: the value may be a password (trial 46) */
    size_t pl = strcspn(set, "=");
    const char *eq = strchr(set, '=');
    if (eq == NULL) /* "kafka.sasl.password:PW" (trial 53): its path part */
        pl = strspn(set, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789_.-[]");
    snprintf(where, sizeof where, "--set %.*s%s", (int)(pl > 250 ? 250 : pl),
             set, pl > 250 || set[pl] != (eq ? '=' : '\0') ? "..." : "");
    if (eq == NULL || eq == set) {
        co_diag_add(d, where, "expected PATH=VALUE, %s", co__set_example);
        return -1;
    }
    char *path = strndup(set, (size_t)(eq - set));
    const char *val = eq + 1;
    json_t *pj = json_string(path); /* NULL: not UTF-8 (trial 29) */
    if (pj == NULL) {
        co_diag_add(d, where,
                    "the path is not valid UTF-8; write it in UTF-8 (a "
                    "manifest's names are)");
        free(path);
        return -1;
    }
    json_decref(pj);
    json_error_t je;
    /* a key twice is refused, as in a manifest file (trial 83: the last
     * one won in silence) */
    json_t *v = json_loads(val, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    int rc = -1;
    if (v == NULL && strstr(je.text, "duplicate object key") != NULL) {
        co_diag_add(d, where,
                    "a key appears twice in the value (at character %d): "
                    "give each key once",
                    je.position);
        free(path);
        return -1;
    }
    if (v == NULL && (val[0] == '{' || val[0] == '[') &&
        (strncmp(je.text, "real number overflow", 20) == 0 ||
         strncmp(je.text, "too big", 7) == 0)) {
        co_diag_add(d, where,
                    "a number in the value is too large (at character %d): "
                    "write a smaller number",
                    je.position);
        free(path);
        return -1;
    }
    if (v == NULL && (val[0] == '{' || val[0] == '[')) {
        /* neither the value nor jansson's "near '...'" is echoed: it may
         * be a password (trial 47) */
        co_diag_add(d, where,
                    "the value looks like JSON but is not valid (at "
                    "character %d); quote it in the shell: --set "
                    "'PATH={...}', or for a string that starts with '%c' "
                    "give it as a JSON string: --set 'PATH=\"%c...\"'",
                    je.position, val[0], val[0]);
        free(path);
        return -1;
    }
    if (v == NULL)
        v = json_string(val);
    if (v == NULL) { /* json_string refuses text that is not UTF-8 */
        co_diag_add(d, where,
                    "the value is not valid UTF-8; give it in UTF-8 (check "
                    "the shell's locale or the file it came from)");
        free(path);
        return -1;
    }
    if (strncmp(path, "kafka.", 6) == 0) {
        rc = co__set_kafka(root, path + 6, val, v, where, d);
        co_buf_printf(&cb, "kafka.\"%s\"", path + 6); /* one property */
    } else {
        co__seg_t *segs = co_xcalloc(CO_SET_MAX_DEPTH, sizeof *segs);
        const char *why = NULL;
        int n = co__set_split(path, segs, &why);
        if (n < 0)
            co_diag_add(d, where, "bad path: %s; %s", why, co__set_example);
        else
            rc = co__set_walk(root, segs, n, v, where, d, &cb);
        free(segs);
    }
    json_decref(v);
    free(path);
    if (rc == 0)
        *canon = cb.data;
    else
        co_buf_free(&cb);
    return rc;
}

/* 1 when the field at canonical path `later` is the one at `earlier` or
 * holds it (so the earlier override would be lost); a field inside one
 * set before is a refinement (`config={...}` then `config.verbose=1`). */
static int co__set_overrides(const char *earlier, const char *later)
{
    size_t n = strlen(later);
    return strncmp(earlier, later, n) == 0 &&
           (earlier[n] == '\0' || earlier[n] == '.' || earlier[n] == '[');
}

void co__apply_sets(json_t *root, const char *const *sets, co_diag_t *d)
{
    size_t n = 0;
    while (sets != NULL && sets[n] != NULL)
        n++;
    char **canon = co_xcalloc(n + 1, sizeof *canon);
    for (size_t i = 0; i < n; i++) {
        if (co__apply_set(root, sets[i], d, &canon[i]) != 0)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (canon[j] == NULL || !co__set_overrides(canon[j], canon[i]))
                continue;
            int pi = (int)strcspn(sets[i], "="),
                pj = (int)strcspn(sets[j], "=");
            pi = pi > 200 ? 200 : pi;
            pj = pj > 200 ? 200 : pj;
            if (strcmp(canon[i], canon[j]) == 0)
                co_diag_add(d, "",
                            "--set %.*s and --set %.*s set the same field "
                            "(%s): give it once",
                            pj, sets[j], pi, sets[i], canon[i]);
            else
                co_diag_add(d, "",
                            "--set %.*s replaces %s, which holds what --set "
                            "%.*s set before it (lost): set the whole %s "
                            "first and the field inside after it",
                            pi, sets[i], canon[i], pj, sets[j], canon[i]);
            break;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(canon[i]);
    free(canon);
}
