/* `when` predicates and dotted field paths on JSON record values. */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>

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
