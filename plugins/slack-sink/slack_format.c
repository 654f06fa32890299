/**
 * @file plugins/slack-sink/slack_format.c
 * @brief Block Kit message, mrkdwn escaping and length limits for
 *        slack-sink (see slack_format.h). JSON through jansson.
 */
#include "slack_format.h"
#include "co_when.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char slack_ellipsis[] = "\xE2\x80\xA6"; /* U+2026 */

char *slack_escape(const char *s)
{
    if (s == NULL)
        s = "";
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (const char *p = s; *p; p++) {
        const char *rep = *p == '&'   ? "&amp;"
                          : *p == '<' ? "&lt;"
                          : *p == '>' ? "&gt;"
                                      : NULL;
        if (rep != NULL) {
            size_t l = strlen(rep);
            memcpy(o, rep, l);
            o += l;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

size_t slack_utf8_len(const char *s)
{
    size_t n = 0;
    for (; s != NULL && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

char *slack_truncate(const char *s, size_t max_chars)
{
    if (s == NULL)
        s = "";
    if (max_chars < 1)
        max_chars = 1;
    if (slack_utf8_len(s) <= max_chars)
        return strdup(s);
    /* Byte offset of the character after the first max_chars - 1. */
    size_t cut = 0, chars = 0;
    while (s[cut]) {
        if (((unsigned char)s[cut] & 0xC0) != 0x80) {
            if (chars == max_chars - 1)
                break;
            chars++;
        }
        cut++;
    }
    /* Never end inside "&amp;" or inside a "<url|label>" we built. */
    for (size_t i = cut; i > 0; i--) {
        char c = s[i - 1];
        if (c == ';' || c == '>')
            break;
        if (c == '&' || c == '<') {
            cut = i - 1;
            break;
        }
    }
    char *out = malloc(cut + sizeof slack_ellipsis);
    if (out == NULL)
        return NULL;
    memcpy(out, s, cut);
    memcpy(out + cut, slack_ellipsis, sizeof slack_ellipsis);
    return out;
}

/* A string member or NULL (absent, null, empty or not a string). */
static const char *slack_str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL && *v ? v : NULL;
}

/* Escaped, then cut to max_chars; NULL only when out of memory. */
static char *slack_clean(const char *s, size_t max_chars)
{
    char *e = slack_escape(s);
    if (e == NULL)
        return NULL;
    char *t = slack_truncate(e, max_chars);
    free(e);
    return t;
}

/* Appends printf output to a memstream, escaping each %s argument is the
 * caller's job (arguments passed here are already escaped). */
static void slack_add(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void slack_add(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
}

/* Appends "*Label:* value\n" with the value escaped, if present. */
static void slack_field(FILE *f, const char *label, const char *value)
{
    if (value == NULL)
        return;
    char *e = slack_escape(value);
    if (e != NULL)
        slack_add(f, "*%s:* %s\n", label, e);
    free(e);
}

/* True for an http(s) URL without blanks or control characters, short
 * enough for a button or a link. */
static int slack_url_ok(const char *u)
{
    if (u == NULL ||
        (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
        strlen(u) > SLACK_MAX_URL)
        return 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == 0x7F)
            return 0;
    return 1;
}

/* A URL for inside <url|label>: & < > escaped, '|' percent-encoded so the
 * label cannot be moved. */
static char *slack_link_url(const char *u)
{
    char *e = slack_escape(u);
    if (e == NULL)
        return NULL;
    size_t bars = 0;
    for (char *p = e; *p; p++)
        bars += *p == '|';
    char *out = malloc(strlen(e) + 2 * bars + 1), *o = out;
    if (out != NULL) {
        for (char *p = e; *p; p++) {
            if (*p == '|') {
                memcpy(o, "%7C", 3);
                o += 3;
            } else {
                *o++ = *p;
            }
        }
        *o = '\0';
    }
    free(e);
    return out;
}

static json_t *slack_text_obj(const char *type, const char *text)
{
    return json_pack("{s:s, s:s}", "type", type, "text", text);
}

static json_t *slack_section(const char *mrkdwn)
{
    return json_pack("{s:s, s:o}", "type", "section", "text",
                     slack_text_obj("mrkdwn", mrkdwn));
}

static char *slack_close(FILE *f, char **buf)
{
    fclose(f);
    return *buf;
}

/* The sources section text, or NULL when there are no sources. */
static char *slack_sources_text(json_t *sources)
{
    size_t n = json_array_size(sources);
    if (n == 0)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    slack_add(f, "*Sources*");
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < SLACK_MAX_SOURCES; i++) {
        json_t *s = json_array_get(sources, i);
        const char *url = slack_str(s, "url"), *title = slack_str(s, "title");
        if (url == NULL && title == NULL)
            continue;
        char *t = slack_escape(title ? title : url);
        if (slack_url_ok(url)) {
            char *u = slack_link_url(url);
            slack_add(f, "\n\xE2\x80\xA2 <%s|%s>", u ? u : "", t ? t : "");
            free(u);
        } else {
            char *eu = slack_escape(url);
            slack_add(f, "\n\xE2\x80\xA2 %s%s%s%s", t ? t : "",
                      url && title ? " (" : "", url && title ? eu : "",
                      url && title ? ")" : "");
            free(eu);
        }
        free(t);
        shown++;
    }
    char *text = slack_close(f, &buf);
    if (shown == 0) {
        free(text);
        return NULL;
    }
    char more[64] = "";
    if (n > shown)
        snprintf(more, sizeof more,
                 "\n\xE2\x80\xA6"
                 "and %zu more",
                 n - shown);
    char *cut =
        slack_truncate(text, SLACK_MAX_SECTION_TEXT - slack_utf8_len(more));
    free(text);
    if (cut == NULL || !*more)
        return cut;
    char *out = malloc(strlen(cut) + strlen(more) + 1);
    if (out != NULL)
        strcat(strcpy(out, cut), more);
    free(cut);
    return out;
}

int slack_parse_time(const char *s, int64_t *out)
{
    struct tm tm = {0};
    char tail = '\0';
    if (s == NULL)
        return -1;
    int n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail);
    /* a date alone is midnight UTC, as in console-sink */
    if (n != 3 && n != 6 && !(n == 7 && (tail == 'Z' || tail == '.')))
        return -1;
    if (n == 3 && strlen(s) != 10)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

/* Whether an RFC 3339 UTC time ("2025-03-04T15:00:00Z") is before now
 * (seconds since the epoch). */
static int slack_is_past(const char *utc, int64_t now)
{
    int64_t t;
    return slack_parse_time(utc, &t) == 0 && t < now;
}

char *slack_format_message(const char *notification_json, size_t len,
                           int possible_repeat, char **event_key, char *err,
                           size_t err_size)
{
    return slack_format_message_at(notification_json, len, possible_repeat,
                                   (int64_t)time(NULL), event_key, err,
                                   err_size);
}

char *slack_format_message_at(const char *notification_json, size_t len,
                              int possible_repeat, int64_t now,
                              char **event_key, char *err, size_t err_size)
{
    if (event_key != NULL)
        *event_key = NULL;
    json_error_t jerr;
    json_t *n =
        json_loadb(notification_json ? notification_json : "", len, 0, &jerr);
    if (n == NULL || !json_is_object(n)) {
        snprintf(err, err_size,
                 "record value is not a JSON object (%s); the input topic "
                 "must carry %s records from the notifier",
                 n ? "other JSON type" : jerr.text, SLACK_NOTIFICATION_SCHEMA);
        json_decref(n);
        return NULL;
    }
    const char *schema = slack_str(n, "schema");
    if (schema == NULL || strcmp(schema, SLACK_NOTIFICATION_SCHEMA) != 0) {
        snprintf(err, err_size,
                 "record schema is '%s', expected '%s'; point the slack-sink "
                 "stage's input at the notifier's output topic",
                 schema ? schema : "(missing)", SLACK_NOTIFICATION_SCHEMA);
        json_decref(n);
        return NULL;
    }
    const char *key = slack_str(n, "event_key");
    if (key == NULL) {
        snprintf(err, err_size,
                 "notification has no 'event_key' (needed to post each event "
                 "once); fix the producer of the record");
        json_decref(n);
        return NULL;
    }
    const char *type = slack_str(n, "event_type");
    const char *company = slack_str(n, "company");
    const char *role = slack_str(n, "role");
    const char *date_local = slack_str(n, "date_local");
    const char *date_utc = slack_str(n, "date_utc");
    const char *summary = slack_str(n, "summary");
    const char *briefing = slack_str(n, "briefing_url");
    json_t *email = json_object_get(n, "email");
    const char *subject = slack_str(email, "subject");
    const char *from = slack_str(email, "from");

    /* Header: the title, or "TYPE: company". */
    char fallback_title[512];
    snprintf(fallback_title, sizeof fallback_title, "%s%s%s",
             type ? type : "Notification", company ? ": " : "",
             company ? company : "");
    const char *title = slack_str(n, "title");
    if (title == NULL)
        title = fallback_title;
    char *header = slack_clean(title, SLACK_MAX_HEADER_TEXT);

    /* Main section. */
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    slack_field(f, "Company", company);
    slack_field(f, "Role", role);
    const char *past = slack_is_past(date_utc, now) ? ", past" : "";
    char when[512];
    const char *sent = slack_str(email, "date_local");
    if (sent == NULL)
        sent = slack_str(email, "date");
    /* as people read it, with the zone (trial 70: Slack showed RFC 3339,
     * "2026-12-15T00:59:00+01:00 (2026-12-14T23:59:00Z)"); programs read
     * the notification's date_utc */
    const char *tz = slack_str(n, "timezone");
    char lw[40] = "", dw[40], sw[40];
    if (date_local != NULL &&
        co_when_readable(date_local, lw, sizeof lw) == 0) {
        /* the zone's name, else the offset the time was written with */
        const char *off = strlen(date_local) > 19 ? date_local + 19 : "";
        while (*off == '.' || (*off >= '0' && *off <= '9'))
            off++; /* fractions of a second */
        snprintf(when, sizeof when, "%s (%s%s)%s", lw, tz ? tz : "UTC",
                 tz || *off == 'Z' ? "" : off, past);
    } else if (date_local != NULL || date_utc != NULL)
        snprintf(when, sizeof when, "%s%s", date_local ? date_local : date_utc,
                 past);
    else if (slack_str(n, "due_date") != NULL)
        snprintf(when, sizeof when, "%s (no time given)",
                 co_when_readable(slack_str(n, "due_date"), dw, sizeof dw) == 0
                     ? dw
                     : slack_str(n, "due_date"));
    else if (sent != NULL)
        snprintf(when, sizeof when,
                 "no time read (see the message); email sent %s",
                 co_when_readable(sent, sw, sizeof sw) == 0 ? sw : sent);
    else
        snprintf(when, sizeof when,
                 "no time read (see the message); the email has no date");
    /* the notifier's date_label: "reply by" (offer), "due" (assessment) */
    const char *dl = date_utc != NULL || slack_str(n, "due_date") != NULL
                         ? slack_str(n, "date_label")
                         : NULL;
    char label[32];
    snprintf(label, sizeof label, "%.24s", dl ? dl : "when");
    label[0] = (char)toupper((unsigned char)label[0]);
    slack_field(f, label, when[0] ? when : NULL);
    slack_field(f, "Email", subject);
    slack_field(f, "From", from);
    if (summary != NULL) {
        char *e = slack_escape(summary);
        slack_add(f, "\n%s", e ? e : "");
        free(e);
    }
    char *main_raw = slack_close(f, &buf);
    char *main_text =
        slack_truncate(main_raw && *main_raw ? main_raw : "_(no details)_",
                       SLACK_MAX_SECTION_TEXT);
    free(main_raw);

    char *sources = slack_sources_text(json_object_get(n, "sources"));

    /* Context line. */
    char ctx_raw[1024];
    char *etype = slack_escape(type ? type : "NOTIFICATION");
    char *ekey = slack_escape(key);
    snprintf(ctx_raw, sizeof ctx_raw,
             "%s%s \xC2\xB7 event %.12s \xC2\xB7 CareerOps",
             possible_repeat ? ":warning: possible repeat (the previous "
                               "post's outcome is unknown) \xC2\xB7 "
                             : "",
             etype ? etype : "", ekey ? ekey : "");
    free(etype);
    free(ekey);
    char *ctx = slack_truncate(ctx_raw, SLACK_MAX_CONTEXT_TEXT);

    /* Fallback text (mrkdwn too, so escaped). */
    char fb_raw[2048];
    snprintf(fb_raw, sizeof fb_raw, "%s%s%s%s%s%s",
             possible_repeat ? "(possible repeat) " : "", title,
             company && title == fallback_title ? ""
             : company                          ? " \xE2\x80\x94 "
                                                : "",
             company && title == fallback_title ? ""
             : company                          ? company
                                                : "",
             date_local || date_utc ? " \xE2\x80\x94 " : "",
             date_local && lw[0] ? lw
             : date_local        ? date_local
             : date_utc          ? date_utc
                                 : "");
    char *text = slack_clean(fb_raw, SLACK_MAX_TEXT);

    json_t *blocks = json_array();
    json_array_append_new(
        blocks, json_pack("{s:s, s:o}", "type", "header", "text",
                          slack_text_obj("plain_text", header ? header : "")));
    json_array_append_new(blocks, slack_section(main_text ? main_text : ""));
    if (sources != NULL)
        json_array_append_new(blocks, slack_section(sources));
    json_array_append_new(
        blocks, json_pack("{s:s, s:[o]}", "type", "context", "elements",
                          slack_text_obj("mrkdwn", ctx ? ctx : "")));
    if (slack_url_ok(briefing))
        json_array_append_new(
            blocks, json_pack("{s:s, s:[{s:s, s:o, s:s, s:s}]}", "type",
                              "actions", "elements", "type", "button", "text",
                              json_pack("{s:s, s:s}", "type", "plain_text",
                                        "text", "Open briefing"),
                              "url", briefing, "action_id", "open_briefing"));
    while (json_array_size(blocks) > SLACK_MAX_BLOCKS)
        json_array_remove(blocks, json_array_size(blocks) - 1);

    json_t *msg =
        json_pack("{s:s, s:o, s:b, s:b}", "text", text ? text : "", "blocks",
                  blocks, "unfurl_links", 0, "unfurl_media", 0);
    char *out = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    if (out == NULL)
        snprintf(err, err_size, "out of memory formatting the message");
    else if (event_key != NULL) /* a correction: its own key (trial 68) */
        *event_key = strdup(slack_str(n, "notice_key") != NULL
                                ? slack_str(n, "notice_key")
                                : key);
    json_decref(msg);
    free(header);
    free(main_text);
    free(sources);
    free(ctx);
    free(text);
    json_decref(n);
    return out;
}

co_status_t slack_classify(long status, const char *body,
                           int64_t retry_after_ms, uint32_t *out_retry_ms,
                           char *msg, size_t msg_size)
{
    *out_retry_ms = 0;
    /* Slack's bodies are short words; keep one line of at most 200. */
    char word[201];
    size_t i = 0;
    for (const char *p = body ? body : ""; *p && i < sizeof word - 1; p++)
        word[i++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    word[i] = '\0';
    snprintf(msg, msg_size, "slack: HTTP %ld %s", status,
             *word ? word : "(empty body)");
    /* Slack's Web API style (and some webhook proxies and Workflow
     * webhooks) answer 200 {"ok":false,"error":"channel_not_found"}: not
     * posted. */
    json_t *j = body && body[0] == '{' ? json_loads(body, 0, NULL) : NULL;
    if (j != NULL && json_is_false(json_object_get(j, "ok"))) {
        const char *e = json_string_value(json_object_get(j, "error"));
        char reason[128];
        snprintf(reason, sizeof reason, "%s", e ? e : "(no error given)");
        json_decref(j);
        snprintf(msg, msg_size, "slack: HTTP %ld ok:false %s", status, reason);
        if (strcmp(reason, "ratelimited") == 0 || status == 429) {
            *out_retry_ms =
                retry_after_ms >= 0 ? (uint32_t)retry_after_ms : 1000;
            return CO_RETRY;
        }
        if (status >= 500 || strcmp(reason, "internal_error") == 0 ||
            strcmp(reason, "service_unavailable") == 0 ||
            strcmp(reason, "fatal_error") == 0 ||
            strcmp(reason, "request_timeout") == 0)
            return CO_RETRY;
        return CO_FAIL;
    }
    int json_ok = j != NULL && json_is_true(json_object_get(j, "ok"));
    json_decref(j);
    if (status >= 200 && status < 300) {
        /* posted only when Slack says so: "ok" (incoming webhooks), a JSON
         * {"ok":true} (the Web API, Workflow webhooks) or 204; any other
         * 2xx body (a proxy's or a captive portal's page) was not Slack's
         * answer and is tried again (trial 89: counted as posted, lost) */
        size_t b = strspn(word, " \t"), e = strlen(word);
        while (e > b && (word[e - 1] == ' ' || word[e - 1] == '\t'))
            e--;
        if (json_ok || status == 204 ||
            (e - b == 2 && strncasecmp(word + b, "ok", 2) == 0))
            return CO_OK;
        snprintf(msg, msg_size,
                 "slack: HTTP %ld but not Slack's \"ok\" (%s): a proxy's "
                 "page? tried again",
                 status, *word ? word : "(empty body)");
        return CO_RETRY;
    }
    if (status == 429) {
        *out_retry_ms = retry_after_ms >= 0 ? (uint32_t)retry_after_ms : 1000;
        return CO_RETRY;
    }
    if (status >= 500 || status == 408)
        return CO_RETRY;
    return CO_FAIL;
}
