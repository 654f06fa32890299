/**
 * @file lib/mail/co_mail_bound.c
 * @brief The normalizer's memory bounds on the header block (issue 17).
 *
 * GMime keeps every header field as a GMimeHeader and parses the address
 * fields into InternetAddress objects: a header made of many short tokens
 * costs about 65 times its size (a 40 MB To: line took 2.6 GB). So the
 * header block is bounded here, on the raw bytes, before GMime sees it:
 * each field is cut at max_header_bytes, fields beyond max_header_fields or
 * beyond max_headers_bytes in all are dropped, and the record names what
 * was cut in `truncated_fields`. NUL bytes of the header block are
 * dropped there too, as the body's are when its text is decoded.
 */
#include "co_mail_int.h"

#include <string.h>

/* "subject" for Subject, else "header:Name" (printable ASCII, at most 64
 * characters of the name). */
static void field_label(const char *line, size_t len, char out[80])
{
    size_t n = 0;
    while (n < len && n < 64 && line[n] != ':' && line[n] > ' ' &&
           line[n] < 0x7f)
        n++;
    if (n == 7 && g_ascii_strncasecmp(line, "Subject", 7) == 0)
        snprintf(out, 80, "subject");
    else
        snprintf(out, 80, "header:%.*s", (int)n, line);
}

void co__cut_field(json_t *cut, const char *label)
{
    if (cut == NULL)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(cut, i, v)
    {
        if (strcmp(json_string_value(v), label) == 0)
            return;
    }
    if (json_array_size(cut) < 32)
        json_array_append_new(cut, json_string(label));
}

/* Append len bytes of a header line, without its NUL bytes: GMime keeps a
 * field's value as a C string, so a NUL cut it there ("Offer\0 letter" was
 * the subject "Offer"), while the body's NULs are dropped (trial 72); kept
 * when keep_nul. */
static void append_header(GByteArray *out, const char *line, size_t len,
                          int keep_nul)
{
    if (keep_nul) {
        g_byte_array_append(out, (const guint8 *)line, (guint)len);
        return;
    }
    for (const char *end = line + len; line < end;) {
        const char *z = memchr(line, '\0', (size_t)(end - line));
        size_t k = z != NULL ? (size_t)(z - line) : (size_t)(end - line);
        g_byte_array_append(out, (const guint8 *)line, (guint)k);
        line += k + (z != NULL);
    }
}

GByteArray *co__bounded_copy(const char *p, size_t n, const co_mail_opts_t *o,
                             json_t *cut, co__defects_t *d, int *truncated)
{
    /* size the copy from where the body starts: never one byte of a cut
     * header allocated (an allocation is touched under MALLOC_PERTURB_) */
    size_t hend = n;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(p + n - q))) != NULL;
         q++) {
        size_t left = (size_t)(p + n - q);
        if (left > 1 &&
            (q[1] == '\n' || (left > 2 && q[1] == '\r' && q[2] == '\n'))) {
            hend = (size_t)(q - p) + 1;
            break;
        }
    }
    /* UTF-16 text keeps its NULs: without them it would look like mail,
     * and it is refused with the iconv command that converts it */
    int utf16 = co_mail_utf16(p, n) != NULL;
    size_t hkeep =
        hend < o->max_headers_bytes + 2 ? hend : o->max_headers_bytes + 2;
    GByteArray *out = g_byte_array_sized_new((guint)(hkeep + (n - hend)));
    size_t i = 0, fields = 0, kept = 0, field_kept = 0;
    int dropping = 0;      /* the current field is cut or dropped */
    const char *field = p; /* first line of the current field */
    while (i < n) {
        const char *line = p + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t ll = nl != NULL ? (size_t)(nl - line) + 1 : n - i;
        if (ll == 1 || (ll == 2 && line[0] == '\r')) {
            break; /* the blank line: the body follows */
        }
        int cont = (line[0] == ' ' || line[0] == '\t') && fields > 0;
        if (!cont) {
            field = line;
            fields++;
            field_kept = 0;
            dropping = 0;
            if (fields > o->max_header_fields || kept >= o->max_headers_bytes) {
                co__cut_field(cut, "headers");
                co__defect(d, "header-fields-dropped");
                *truncated = 1;
                dropping = 1;
            }
        }
        if (!dropping) {
            size_t room = field_kept < o->max_header_bytes
                              ? o->max_header_bytes - field_kept
                              : 0;
            size_t total_room =
                kept < o->max_headers_bytes ? o->max_headers_bytes - kept : 0;
            if (total_room < room)
                room = total_room;
            if (ll <= room) {
                append_header(out, line, ll, utf16);
                field_kept += ll;
                kept += ll;
            } else {
                char label[80];
                field_label(field, (size_t)(p + n - field), label);
                co__cut_field(cut, label);
                co__defect(d, "header-truncated");
                *truncated = 1;
                /* keep what fits, cut at a character start */
                size_t k = room > 1 ? room - 1 : 0;
                while (k > 0 && ((unsigned char)line[k] & 0xC0) == 0x80)
                    k--;
                if (k > 0) {
                    append_header(out, line, k, utf16);
                    g_byte_array_append(out, (const guint8 *)"\n", 1);
                }
                kept += k + 1;
                field_kept += k + 1;
                dropping = 1;
            }
        }
        i += ll;
    }
    /* the blank line and the body, as they are */
    if (i < n)
        g_byte_array_append(out, (const guint8 *)p + i, (guint)(n - i));
    else if (!utf16 && out->len > 0 && out->data[out->len - 1] != '\n') {
        /* header fields only, the last one without its line end (a copy
         * cut short): GMime made no message of it, and the refusal said
         * "no header fields found" of four fields (trial 80) */
        g_byte_array_append(out, (const guint8 *)"\n", 1);
        co__defect(d, "no-final-line-end");
    }
    return out;
}
