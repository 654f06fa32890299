/* The records emit() refuses (emit_check.h). */
#include "emit_check.h"

#include <stddef.h>

const char *co_emit_refusal(const co_record_t *rec, int in_init)
{
    if (in_init)
        return "emit() was called from init(): records are emitted from "
               "poll(), process() or flush(), once the stage runs";
    if (rec == NULL)
        return "emit() was given no record (NULL)";
    if ((rec->value == NULL && rec->value_len > 0) ||
        (rec->key == NULL && rec->key_len > 0))
        return "emit() was given a NULL value or key with a length";
    if (rec->header_cnt > 0 && rec->headers == NULL)
        return "emit() was given header_cnt > 0 and no headers";
    for (size_t i = 0; i < rec->header_cnt; i++)
        if (rec->headers[i].name == NULL ||
            (rec->headers[i].value == NULL && rec->headers[i].value_len > 0))
            return "emit() was given a header without a name, or a NULL "
                   "header value with a length";
    return NULL;
}
