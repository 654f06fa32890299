/* CloudEvents headers (the four required attributes), built once per
 * instance plus a counter. */
#include "ce.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char co__hex[] = "0123456789abcdef";

void co_ce_init(co_ce_t *ce, const char *pipeline, const char *stage)
{
    memset(ce, 0, sizeof *ce);
    int n = snprintf(ce->source, sizeof ce->source, "/careerops/%s/%s",
                     pipeline ? pipeline : "", stage ? stage : "");
    ce->source_len = n < 0 ? 0 : strlen(ce->source);
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x80); /* version 8 */
    char *p = ce->id_prefix;
    for (int i = 0; i < 8; i++) {
        if (i == 4 || i == 6)
            *p++ = '-';
        *p++ = co__hex[r[i] >> 4];
        *p++ = co__hex[r[i] & 15];
    }
    *p++ = '-';
    *p = '\0';
}

size_t co_ce_next_id(co_ce_t *ce, char out[CO_CE_ID_LEN + 1])
{
    uint64_t c = ce->counter++;
    char *p = ce->last + 19;
    if ((c & 0xfff) == 0) {
        /* variant 10, then 62 bits of counter, in full */
        uint64_t v = (c & 0x3fffffffffffffffULL) | (2ULL << 62);
        memcpy(ce->last, ce->id_prefix, 19);
        for (int i = 15; i >= 0; i--) {
            *p++ = co__hex[(v >> (i * 4)) & 15];
            if (i == 12)
                *p++ = '-';
        }
        *p = '\0';
    } else { /* no carry past the last three digits: only they change */
        p = ce->last + CO_CE_ID_LEN - 3;
        p[0] = co__hex[(c >> 8) & 15];
        p[1] = co__hex[(c >> 4) & 15];
        p[2] = co__hex[c & 15];
    }
    memcpy(out, ce->last, CO_CE_ID_LEN + 1);
    return CO_CE_ID_LEN;
}

/* Start of `"schema":"` in the first `scan` bytes of v, or NULL; memchr
 * for the quotes is much cheaper than memmem's set-up per record. */
static const char *co__find_schema(const char *v, size_t scan)
{
    static const char key[] = "\"schema\":\"";
    const char *p = v, *end = v + scan;
    while (end - p >= (ptrdiff_t)(sizeof key - 1) &&
           (p = memchr(p, '"', (size_t)(end - p))) != NULL) {
        if ((size_t)(end - p) >= sizeof key - 1 &&
            memcmp(p, key, sizeof key - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

size_t co_ce_type(const void *value, size_t len, char *out, size_t size)
{
    static const char dflt[] = "careerops.record";
    const char *v = value;
    if (v && len > 12) {
        const char *k = co__find_schema(v, len < 256 ? len : 256);
        if (k) {
            const char *s = k + 10;
            const char *e = memchr(s, '"', (size_t)(v + len - s));
            if (e && (size_t)(e - s) < size) {
                memcpy(out, s, (size_t)(e - s));
                out[e - s] = '\0';
                return (size_t)(e - s);
            }
        }
    }
    size_t n = sizeof dflt - 1 < size ? sizeof dflt - 1 : size - 1;
    memcpy(out, dflt, n); /* no printf per record */
    out[n] = '\0';
    return n;
}

size_t co_ce_add(co_ce_t *ce, rd_kafka_headers_t *h, const void *value,
                 size_t len)
{
    char id[CO_CE_ID_LEN + 1], type[128];
    size_t tl = co_ce_type(value, len, type, sizeof type);
    co_ce_next_id(ce, id);
    rd_kafka_header_add(h, "ce_specversion", 14, "1.0", 3);
    rd_kafka_header_add(h, "ce_id", 5, id, CO_CE_ID_LEN);
    rd_kafka_header_add(h, "ce_type", 7, type, (ssize_t)tl);
    rd_kafka_header_add(h, "ce_source", 9, ce->source, (ssize_t)ce->source_len);
    return CO_CE_WIRE_BYTES + CO_CE_ID_LEN + tl + ce->source_len;
}
