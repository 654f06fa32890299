/*
 * The check of a state document's sections (the memory: and file:PATH
 * format, see core/state.c), shared by the file store's reads and
 * `careerops validate` (core/manifest_state.c).
 */
#include "state.h"
#include "options.h" /* co_json_kind() */

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int co_state_doc_check(const json_t *doc, char *why, size_t why_size)
{
    static const char *const secs[] = {"state", "idem"};
    json_t *d = (json_t *)doc; /* json_object_foreach() takes no const */
    json_t *ver = json_object_get(d, "careerops_state");
    if (ver != NULL && (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
                        json_integer_value(ver) > CO_STATE_DOC_VERSION)) {
        /* trial 63: 99 was read and rewritten as this host's format */
        char v[32];
        if (json_is_integer(ver))
            snprintf(v, sizeof v, "%lld", (long long)json_integer_value(ver));
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
                if (i == 0 && (st != NULL ||
                               json_is_string(json_object_get(v, "base64"))))
                    continue;
                snprintf(
                    why, why_size,
                    "%s[\"%s\"][\"%s\"] is %s, not %s: put the value back as "
                    "this host wrote it, or remove the key (%s)",
                    secs[i], ns, key,
                    st != NULL ? "another string" : co_json_kind(v),
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
