/**
 * @file plugins/console-sink/console_format.c
 * @brief Text blocks and JSON lines for console-sink (see the header).
 *
 * Invalid UTF-8 is repaired with GLib's g_utf8_make_valid() (GLib comes
 * with GMime); text blocks are built with open_memstream().
 */
#include "console_format.h"
#include "co_when.h"

#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A valid UTF-8 copy of `len` bytes, cut to at most `max` bytes at a
 * character boundary (max 0 = no limit). Sets *cut when shortened. */
static char *console_utf8(const void *p, size_t len, size_t max, int *cut)
{
    if (cut)
        *cut = 0;
    if (p == NULL)
        return NULL;
    gchar *v = g_utf8_make_valid(p, (gssize)len);
    size_t n = strlen(v);
    if (max > 0 && n > max) {
        const char *end = g_utf8_find_prev_char(v, v + max + 1);
        n = end ? (size_t)(end - v) : 0;
        if (cut)
            *cut = 1;
    }
    char *out = strndup(v, n);
    g_free(v);
    return out;
}

static const char *console_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL && *s != '\0' ? s : NULL;
}

/* One "  label:    value" line; multi-line values are indented. */
static void console_field(FILE *f, const char *label, const char *value)
{
    if (value == NULL)
        return;
    fprintf(f, "  %-9s ", label);
    for (const char *p = value; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1] != '\0')
            fputs("            ", f);
    }
    fputc('\n', f);
}

int console_parse_time(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    char buf[48];
    if (strlen(s) == 10) { /* a date alone: midnight UTC */
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        s = buf;
    }
    GTimeZone *utc = g_time_zone_new_utc();
    GDateTime *t = g_date_time_new_from_iso8601(s, utc);
    g_time_zone_unref(utc);
    if (t == NULL)
        return -1;
    *out = g_date_time_to_unix(t);
    g_date_time_unref(t);
    return 0;
}

int64_t console_sort_time(const co_record_t *rec)
{
    json_t *n =
        rec->value ? json_loadb(rec->value, rec->value_len, 0, NULL) : NULL;
    int64_t t;
    if (console_parse_time(console_str(n, "date_utc"), &t) == 0)
        ;
    else if (console_parse_time(console_str(n, "due_date"), &t) == 0)
        t += 86399; /* a deadline given as a day: its end */
    else if (console_parse_time(
                 console_str(json_object_get(n, "email"), "date"), &t) != 0)
        t = INT64_MAX;
    json_decref(n);
    return t;
}

/* The "when:" line ("reply by:" for an offer, "due:" for an assessment:
 * the notifier's date_label): the scheduled date in the user's zone
 * (", past" when before now), else the email's own date. */
static void console_when_line(FILE *f, json_t *n, int64_t now)
{
    char when[64], line[256];
    const char *local = console_str(n, "date_local");
    const char *utc = console_str(n, "date_utc");
    const char *tz = console_str(n, "timezone");
    int64_t t;
    const char *past =
        console_parse_time(utc, &t) == 0 && t < now ? ", past" : "";
    json_t *em = json_object_get(n, "email");
    if (co_when_readable(local, when, sizeof when) == 0) {
        snprintf(line, sizeof line, "%s (%s)%s", when, tz ? tz : "local", past);
    } else if (utc != NULL) {
        snprintf(line, sizeof line, "%s%s", utc, past);
    } else if (co_when_readable(console_str(n, "due_date"), when,
                                sizeof when) == 0) {
        int64_t d;
        int over = console_parse_time(console_str(n, "due_date"), &d) == 0 &&
                   d + 86399 < now;
        snprintf(line, sizeof line, "%s (no time given)%s", when,
                 over ? ", past" : "");
    } else if (co_when_readable(console_str(em, "date_local"), when,
                                sizeof when) == 0) {
        snprintf(line, sizeof line,
                 "no time read (see the message); email sent %s (%s)", when,
                 tz ? tz : "local");
    } else if (console_str(em, "date") != NULL) {
        snprintf(line, sizeof line,
                 "no time read (see the message); email sent %s",
                 console_str(em, "date"));
    } else {
        snprintf(line, sizeof line,
                 "no time read (see the message); the email has no date");
    }
    char label[32];
    const char *dl = utc != NULL || console_str(n, "due_date") != NULL
                         ? console_str(n, "date_label")
                         : NULL;
    snprintf(label, sizeof label, "%.24s:", dl ? dl : "when");
    console_field(f, label, line);
}

static void console_notification(FILE *f, json_t *n,
                                 const console_text_opts_t *opts)
{
    const char *title = console_str(n, "title");
    const char *type = console_str(n, "event_type");
    fprintf(f, "== %s ==\n", title ? title : type ? type : "Notification");
    console_when_line(f, n, opts->now);
    console_field(f, "type:", type);
    console_field(f, "company:", console_str(n, "company"));
    console_field(f, "role:", console_str(n, "role"));
    console_field(f, "summary:", console_str(n, "summary"));
    json_t *em = json_object_get(n, "email");
    const char *subj = console_str(em, "subject");
    const char *from = console_str(em, "from");
    if (subj || from) {
        char *s = NULL;
        /* no subject reads as the summary says it (trial 70: '""') */
        if (asprintf(&s, "%s%s%s%s%s", subj ? "\"" : "",
                     subj ? subj : "(no subject)", subj ? "\"" : "",
                     from ? " from " : "", from ? from : "") >= 0) {
            console_field(f, "email:", s);
            free(s);
        }
    }
    console_field(f, "briefing:", console_str(n, "briefing_url"));
    size_t i;
    json_t *src;
    json_array_foreach(json_object_get(n, "sources"), i, src)
    {
        char *s = NULL;
        const char *t = console_str(src, "title");
        if (asprintf(&s, "%s%s<%s>", t ? t : "", t ? " " : "",
                     console_str(src, "url") ? console_str(src, "url") : "") >=
            0) {
            console_field(f, i == 0 ? "sources:" : "", s);
            free(s);
        }
    }
    if (opts->verbose)
        console_field(f, "key:", console_str(n, "event_key"));
}

char *console_format_text(const co_record_t *rec,
                          const console_text_opts_t *opts)
{
    console_text_opts_t dflt = {0, (int64_t)time(NULL)};
    if (opts == NULL)
        opts = &dflt;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    json_t *n =
        rec->value ? json_loadb(rec->value, rec->value_len, 0, NULL) : NULL;
    const char *schema = console_str(n, "schema");
    if (schema && strcmp(schema, "careerops.notification.v1") == 0) {
        console_notification(f, n, opts);
    } else {
        char *k = console_utf8(rec->key, rec->key_len, 200, NULL);
        char *v = console_utf8(rec->value, rec->value_len, 2000, NULL);
        fprintf(f, "%s: %s\n", k ? k : "(no key)", v ? v : "(null)");
        free(k);
        free(v);
    }
    json_decref(n);
    fputc('\n', f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static json_t *console_jstr(const void *p, size_t len, size_t max, int *cut)
{
    char *s = console_utf8(p, len, max, cut);
    json_t *j = s ? json_string(s) : json_null();
    free(s);
    return j ? j : json_null();
}

char *console_format_jsonl(const co_record_t *rec, size_t max_value_bytes)
{
    int cut = 0;
    json_t *h = json_object();
    for (size_t i = 0; i < rec->header_cnt; i++)
        if (rec->headers[i].name != NULL)
            json_object_set_new(h, rec->headers[i].name,
                                console_jstr(rec->headers[i].value,
                                             rec->headers[i].value_len, 0,
                                             NULL));
    json_t *o = json_pack(
        "{s:o, s:s?, s:i, s:I, s:I, s:o, s:o}", "key",
        console_jstr(rec->key, rec->key_len, 0, NULL), "topic", rec->topic,
        "partition", (int)rec->partition, "offset", (json_int_t)rec->offset,
        "timestamp_ms", (json_int_t)rec->timestamp_ms, "headers", h, "value",
        console_jstr(rec->value, rec->value_len, max_value_bytes, &cut));
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "value_truncated", json_boolean(cut));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}
