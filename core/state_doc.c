/*
 * The check of a state document's sections (the memory: and file:PATH
 * format, see core/state.c), shared by the file store's reads and
 * `careerops validate` (core/manifest_state.c), and the decoder of its
 * values, which both use.
 */
#include "state.h"
#include "options.h" /* co_json_kind() */

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int co_state_value_decode(const struct json_t *v, char **out, size_t *out_len)
{
    if (json_is_string(v)) {
        size_t len = json_string_length(v);
        char *p = malloc(len + 1);
        if (p == NULL)
            return CO_ERR_NOMEM;
        memcpy(p, json_string_value(v), len);
        p[len] = '\0';
        *out = p;
        if (out_len != NULL)
            *out_len = len;
        return 0;
    }
    const char *b64 = json_string_value(json_object_get(v, "base64"));
    if (b64 == NULL)
        return CO_ERR_STATE;
    size_t cap = strlen(b64) / 4 * 3 + 3, len = 0;
    char *p = malloc(cap + 1);
    if (p == NULL)
        return CO_ERR_NOMEM;
    if (sodium_base642bin((unsigned char *)p, cap, b64, strlen(b64), NULL, &len,
                          NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(p);
        return CO_ERR_STATE;
    }
    p[len] = '\0';
    *out = p;
    if (out_len != NULL)
        *out_len = len;
    return 0;
}

/* Whether the store can read value v back (trial 64: {"base64": "!!!"}
 * passed, then a source waited for ever). */
static int co__decodes(const json_t *v)
{
    char *p = NULL;
    int ok = co_state_value_decode(v, &p, NULL) == 0;
    free(p);
    return ok;
}

int co_state_doc_check(const json_t *doc, char *why, size_t why_size)
{
    static const char *const secs[] = {"state", "idem"};
    json_t *d = (json_t *)doc; /* json_object_foreach() takes no const */
    json_t *ver = json_object_get(d, "careerops_state");
    long long vn = 0;
    /* 1.0 is 1, as the manifest's integers (trial 64) */
    if (ver != NULL &&
        (!co_json_integral(ver, &vn) || vn < 1 || vn > CO_STATE_DOC_VERSION)) {
        /* trial 63: 99 was read and rewritten as this host's format */
        char v[32];
        if (json_is_number(ver))
            snprintf(v, sizeof v, "%g", json_number_value(ver));
        else
            snprintf(v, sizeof v, "%s", co_json_kind(ver));
        snprintf(why, why_size,
                 "careerops_state is %s, a format this host does not know "
                 "(it writes %d): run the careerops that wrote it, or move "
                 "the file away to start again",
                 v, CO_STATE_DOC_VERSION);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        const char *ns, *key;
        json_t *n, *v;
        json_object_foreach(json_object_get(d, secs[i]), ns, n)
        {
            if (!json_is_object(n)) {
                snprintf(why, why_size,
                         "%s[\"%s\"] is %s, not an object of keys: remove it "
                         "(that stage then starts afresh)",
                         secs[i], ns, co_json_kind(n));
                return -1;
            }
            json_object_foreach(n, key, v)
            {
                const char *st = json_string_value(v);
                if (i == 1 && st != NULL &&
                    (strcmp(st, "pending") == 0 || strcmp(st, "done") == 0))
                    continue;
                const char *b64 =
                    json_string_value(json_object_get(v, "base64"));
                if (i == 0 && (st != NULL || co__decodes(v)))
                    continue;
                char what[80];
                if (st != NULL)
                    snprintf(what, sizeof what, "\"%.40s%s\"", st,
                             strlen(st) > 40 ? "..." : "");
                else if (b64 != NULL && i == 0)
                    snprintf(what, sizeof what, "base64 that does not decode");
                else
                    snprintf(what, sizeof what, "%s", co_json_kind(v));
                snprintf(
                    why, why_size,
                    "%s[\"%s\"][\"%s\"] is %s, not %s: put the value back as "
                    "this host wrote it, or remove the key (%s)",
                    secs[i], ns, key, what,
                    i == 0 ? "a string (or {\"base64\": ...})"
                           : "\"pending\" or \"done\"",
                    i == 0 ? "a source then reads from the start"
                           : "that record may then be written again");
                return -1;
            }
        }
    }
    return 0;
}
