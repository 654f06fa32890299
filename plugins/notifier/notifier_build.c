/**
 * @file plugins/notifier/notifier_build.c
 * @brief Event (+ briefing) -> careerops.notification.v1 (see the header).
 */
#include "notifier_build.h"

#include <ctype.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int notifier_wanted(const char *event_type)
{
    return event_type != NULL && (strcmp(event_type, "INTERVIEW") == 0 ||
                                  strcmp(event_type, "OFFER") == 0 ||
                                  strcmp(event_type, "ASSESSMENT") == 0);
}

static icaltimezone *notifier_zone(const char *tz)
{
    if (tz == NULL || *tz == '\0' || strcmp(tz, "UTC") == 0 ||
        strcmp(tz, "Etc/UTC") == 0)
        return icaltimezone_get_utc_timezone();
    return icaltimezone_get_builtin_timezone(tz);
}

/* The first opinion of an unsure event with a wanted type, or NULL. */
static const char *notifier_unsure_type(json_t *event)
{
    if (!json_is_true(json_object_get(event, "unsure")))
        return NULL;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(event, "opinions"), i, o)
    {
        const char *t = json_string_value(json_object_get(o, "event_type"));
        if (notifier_wanted(t))
            return t;
    }
    return NULL;
}

/* The event_type a corrected event had before this correction, or NULL:
 * `previous` (the values this correction changed) when the correction
 * has it, the event's own type when `previous` does not name one (this
 * correction kept the type), else `old` (the classifier's first word,
 * corrections written before `previous` existed). Trial 68: a second
 * correction, INTERVIEW -> OTHER, was compared with the classifier's
 * RECRUITER_OUTREACH and said nothing. */
static const char *notifier_corrected_from(json_t *event)
{
    json_t *c = json_object_get(event, "correction");
    json_t *prev = json_object_get(c, "previous");
    if (json_is_object(prev))
        return json_object_get(prev, "event_type") != NULL
                   ? json_string_value(json_object_get(prev, "event_type"))
                   : json_string_value(json_object_get(event, "event_type"));
    return json_string_value(
        json_object_get(json_object_get(c, "old"), "event_type"));
}

int notifier_wanted_event(json_t *event)
{
    if (!json_is_object(event))
        return 0;
    return notifier_wanted(
               json_string_value(json_object_get(event, "event_type"))) ||
           notifier_unsure_type(event) != NULL ||
           notifier_wanted(notifier_corrected_from(event));
}

int notifier_tz_valid(const char *tz)
{
    return notifier_zone(tz) != NULL;
}

/* Parse RFC 3339 ("2025-03-04T14:00:00Z", "...+02:00", "...000Z", or a
 * date alone) into seconds since the epoch. Our own few lines: the C
 * library has no RFC 3339 parser and libical's reads only the basic
 * (no dashes) form. */
static int notifier_parse_utc(const char *s, icaltimetype *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    const char *p = s + n;
    int off = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3)
            return -1;
        p += 1 + m;
        if (*p == '.')
            for (p++; isdigit((unsigned char)*p); p++)
                ;
        if (*p == '+' || *p == '-') {
            int oh, om;
            if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
                return -1;
            off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        } else if (*p != 'Z' && *p != 'z' && *p != '\0') {
            return -1;
        }
    } else if (*p != '\0') {
        return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    icaltimetype t = icaltime_null_time();
    t.year = y;
    t.month = mo;
    t.day = d;
    t.hour = h;
    t.minute = mi;
    t.second = sec;
    t.is_date = 0;
    t.zone = icaltimezone_get_utc_timezone();
    icaltime_adjust(&t, 0, 0, 0, -off);
    *out = t;
    return 0;
}

int notifier_local_time(const char *utc, const char *tz, char *out,
                        size_t out_size)
{
    icaltimezone *zone = notifier_zone(tz);
    icaltimetype t;
    if (zone == NULL || out_size < 32 || notifier_parse_utc(utc, &t) != 0)
        return -1;
    icaltimezone_convert_time(&t, icaltimezone_get_utc_timezone(), zone);
    int dst = 0;
    int off = icaltimezone_get_utc_offset(zone, &t, &dst);
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    if (off == 0 && zone == icaltimezone_get_utc_timezone())
        snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year,
                 t.month, t.day, t.hour, t.minute, t.second);
    else
        snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                 t.year, t.month, t.day, t.hour, t.minute, t.second, sign,
                 off / 3600, (off % 3600) / 60);
    return 0;
}

static const char *notifier_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL && *s != '\0' ? s : NULL;
}

const char *notifier_join_key(json_t *doc)
{
    const char *k = notifier_str(json_object_get(doc, "email"), "key");
    if (k == NULL)
        k = notifier_str(json_object_get(doc, "event"), "key");
    if (k == NULL)
        k = notifier_str(doc, "event_key");
    return k;
}

/* Percent-encode into a growing buffer; returns 0 or -1 (no memory). */
static int notifier_append_enc(char **buf, size_t *len, size_t *cap,
                               const char *s, int encode)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s != NULL && *s; s++) {
        unsigned char c = (unsigned char)*s;
        int keep = !encode || isalnum(c) || c == '-' || c == '.' || c == '_' ||
                   c == '~';
        if (*len + 4 > *cap) {
            size_t nc = *cap ? *cap * 2 : 128;
            char *nb = realloc(*buf, nc);
            if (nb == NULL)
                return -1;
            *buf = nb;
            *cap = nc;
        }
        if (keep) {
            (*buf)[(*len)++] = (char)c;
        } else {
            (*buf)[(*len)++] = '%';
            (*buf)[(*len)++] = hex[c >> 4];
            (*buf)[(*len)++] = hex[c & 15];
        }
    }
    return 0;
}

char *notifier_expand_url(const char *tmpl, const char *key,
                          const char *company)
{
    if (tmpl == NULL || *tmpl == '\0')
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *p = tmpl;
    while (*p) {
        const char *rep = NULL;
        size_t skip = 0;
        if (strncmp(p, "{key}", 5) == 0) {
            rep = key ? key : "";
            skip = 5;
        } else if (strncmp(p, "{company}", 9) == 0) {
            rep = company ? company : "";
            skip = 9;
        }
        int rc;
        if (rep != NULL) {
            rc = notifier_append_enc(&buf, &len, &cap, rep, 1);
            p += skip;
        } else {
            char one[2] = {*p, '\0'};
            rc = notifier_append_enc(&buf, &len, &cap, one, 0);
            p++;
        }
        if (rc != 0) {
            free(buf);
            return NULL;
        }
    }
    /* room for the terminator: append one byte, then overwrite it */
    if (notifier_append_enc(&buf, &len, &cap, "x", 0) != 0) {
        free(buf);
        return NULL;
    }
    buf[len - 1] = '\0';
    return buf;
}

int notifier_interview_slot(json_t *event, char *out, size_t out_size)
{
    const char *type = json_string_value(json_object_get(event, "event_type"));
    const char *company = notifier_str(event, "company");
    icaltimetype t;
    if (type == NULL || strcmp(type, "INTERVIEW") != 0 ||
        json_is_true(json_object_get(event, "unsure")) ||
        json_object_get(event, "correction") != NULL ||
        notifier_parse_utc(notifier_str(event, "scheduled_date"), &t) != 0)
        return -1;
    if (company == NULL && out_size > 1) /* no company: any company */
        snprintf(out, out_size, "*");
    else
        notifier_company_key(company, out, out_size);
    size_t n = strlen(out);
    int w = snprintf(out + n, out_size - n, "|%04d-%02d-%02dT%02d:%02d:%02dZ",
                     t.year, t.month, t.day, t.hour, t.minute, t.second);
    return w < 0 || (size_t)w >= out_size - n ? -1 : 0;
}

const char *notifier_date_label(const char *type, int call)
{
    if (type != NULL && strcmp(type, "OFFER") == 0)
        return call ? "call" : "reply by";
    if (type != NULL && strcmp(type, "ASSESSMENT") == 0)
        return "due";
    return "when";
}

static const char *notifier_noun(const char *type)
{
    if (strcmp(type, "INTERVIEW") == 0)
        return "Interview";
    if (strcmp(type, "OFFER") == 0)
        return "Offer";
    return "Assessment";
}

/* "Interview with Acme Corp: Backend Engineer" and the like. */
static char *notifier_title(const char *type, const char *company,
                            const char *role)
{
    const char *prep = strcmp(type, "INTERVIEW") == 0 ? "with" : "from";
    char *out = NULL;
    int n;
    if (company && role)
        n = asprintf(&out, "%s %s %s: %s", notifier_noun(type), prep, company,
                     role);
    else if (company)
        n = asprintf(&out, "%s %s %s", notifier_noun(type), prep, company);
    else if (role)
        n = asprintf(&out, "%s: %s", notifier_noun(type), role);
    else
        n = asprintf(&out, "%s", notifier_noun(type));
    return n < 0 ? NULL : out;
}

/* A subject as a notification shows it: at most NOTIFIER_SUBJECT_MAX bytes,
 * cut at a UTF-8 character boundary and ended by "..." when cut (a 500 KB
 * subject made 65,570-character console lines; trial 13). The event and
 * the stored email keep the whole subject. Returns `subject` itself when it
 * is short enough, else `buf` (of NOTIFIER_SUBJECT_MAX + 4 bytes). */
#define NOTIFIER_SUBJECT_MAX 300
static const char *notifier_subject_show(const char *subject, char *buf)
{
    if (subject == NULL || strlen(subject) <= NOTIFIER_SUBJECT_MAX)
        return subject;
    size_t n = NOTIFIER_SUBJECT_MAX;
    while (n > 0 && ((unsigned char)subject[n] & 0xC0) == 0x80)
        n--; /* not inside a multi-byte character */
    memcpy(buf, subject, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/* A one-paragraph summary when no briefing is joined. */
static char *notifier_default_summary(const char *type, const char *company,
                                      const char *role, const char *local,
                                      const char *subject, int moved, int call)
{
    char *out = NULL;
    const char *what = strcmp(type, "INTERVIEW") == 0 ? "An interview"
                       : strcmp(type, "OFFER") == 0   ? "An offer"
                                                      : "An assessment";
    /* an offer's or assessment's date is a deadline, not a meeting; or a
     * call about the offer (the event's offer_call) */
    const char *when = strcmp(type, "OFFER") == 0 && call ? ", call about it "
                       : strcmp(type, "OFFER") == 0       ? ", reply by "
                       : strcmp(type, "ASSESSMENT") == 0  ? ", due "
                       : moved                            ? ", moved to "
                                                          : ", scheduled ";
    int n = asprintf(&out, "%s%s%s%s%s%s%s. Email: \"%s\".", what,
                     company ? " at " : "", company ? company : "",
                     role ? " for " : "", role ? role : "", local ? when : "",
                     local ? local : "", subject ? subject : "(no subject)");
    return n < 0 ? NULL : out;
}

/* Prefixes a string in place ("Unsure: " + s + suffix). */
static void notifier_wrap(char **s, const char *prefix, const char *suffix)
{
    char *out = NULL;
    if (*s != NULL &&
        asprintf(&out, "%s%s%s", prefix, *s, suffix ? suffix : "") >= 0) {
        free(*s);
        *s = out;
    }
}

/* The wording of unsure and corrected events. */
static void notifier_mark(json_t *event, const char *type, const char *unsure,
                          const char *old, char **title, char **summary)
{
    if (json_object_get(event, "correction") != NULL) {
        char pre[160];
        if (notifier_wanted(type)) {
            notifier_wrap(title, "Corrected: ", NULL);
            if (old != NULL && strcmp(old, type) == 0) /* its date, company */
                snprintf(pre, sizeof pre, "Corrected by you. ");
            else
                snprintf(pre, sizeof pre, "Corrected by you (was %s). ",
                         old ? old : "another label");
        } else {
            char suf[96];
            snprintf(suf, sizeof suf, " (now %s)", type);
            notifier_wrap(title, "Corrected: not an ", suf);
            snprintf(pre, sizeof pre, "Corrected by you: this is %s, not %s. ",
                     type, old ? old : "what was announced");
        }
        notifier_wrap(summary, pre, NULL);
        return;
    }
    if (!json_is_true(json_object_get(event, "unsure")))
        return;
    notifier_wrap(title, "Unsure: ", "?");
    char pre[256] = "Unsure: ";
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(event, "opinions"), i, o)
    {
        const char *c = json_string_value(json_object_get(o, "classifier"));
        const char *t = json_string_value(json_object_get(o, "event_type"));
        size_t n = strlen(pre);
        snprintf(pre + n, sizeof pre - n, "%sthe %s said %s", i ? ", " : "",
                 c && strcmp(c, "local") == 0 ? "local classifier" : "model",
                 t ? t : "?");
    }
    size_t n = strlen(pre);
    snprintf(pre + n, sizeof pre - n, "; please check%s. ",
             unsure && !notifier_wanted(type) ? " (it may not be one)" : "");
    notifier_wrap(summary, pre, NULL);
}

/* The notification's `email`: subject, sender, date and that date in
 * `tz`, absent values null. */
static json_t *notifier_email_json(json_t *email, const char *tz)
{
    const char *sent = notifier_str(email, "date");
    char local[40];
    int have = sent && notifier_local_time(sent, tz, local, sizeof local) == 0;
    json_t *em = json_object();
    char cut[NOTIFIER_SUBJECT_MAX + 4];
    const char *subject =
        notifier_subject_show(notifier_str(email, "subject"), cut);
    const char *from = notifier_str(email, "from");
    json_object_set_new(em, "subject",
                        subject ? json_string(subject) : json_null());
    json_object_set_new(em, "from", from ? json_string(from) : json_null());
    json_object_set_new(em, "date", sent ? json_string(sent) : json_null());
    json_object_set_new(em, "date_local",
                        have ? json_string(local) : json_null());
    return em;
}

json_t *notifier_build(json_t *event, const char *record_key, json_t *briefing,
                       const notifier_opts_t *opts, const char **why)
{
    static const char *unused;
    if (why == NULL)
        why = &unused;
    if (!json_is_object(event)) {
        *why = "the event is not a JSON object";
        return NULL;
    }
    const char *type = notifier_str(event, "event_type");
    if (type == NULL) {
        *why = "the event has no string `event_type`";
        return NULL;
    }
    const char *key = notifier_join_key(event);
    if (key == NULL)
        key = record_key != NULL && *record_key ? record_key : NULL;
    if (key == NULL) {
        *why = "the event has no `email.key` and the record no key";
        return NULL;
    }
    const char *tz =
        opts && opts->timezone && *opts->timezone ? opts->timezone : "UTC";
    const char *company = notifier_str(event, "company");
    const char *role = notifier_str(event, "role");
    const char *date = notifier_str(event, "scheduled_date");
    json_t *email = json_object_get(event, "email");
    char cut[NOTIFIER_SUBJECT_MAX + 4];
    const char *subject =
        notifier_subject_show(notifier_str(email, "subject"), cut);
    char local[40];
    int have_local =
        date && notifier_local_time(date, tz, local, sizeof local) == 0;
    /* an offer's or assessment's deadline written as a day without a time
     * (careerops.event.v1 due_date, "YYYY-MM-DD"): a day in the user's
     * calendar, no zone to convert */
    const char *due = notifier_str(event, "due_date");
    int dy, dm, dd;
    char due_text[48];
    if (date != NULL || due == NULL || strlen(due) != 10 ||
        sscanf(due, "%4d-%2d-%2d", &dy, &dm, &dd) != 3)
        due = NULL;
    else
        snprintf(due_text, sizeof due_text, "%s (no time given)", due);

    /* The noun comes from a wanted type: the event's, else the unsure
     * opinion's, else the corrected-away one's. */
    const char *unsure = notifier_unsure_type(event);
    const char *old = notifier_corrected_from(event);
    const char *noun_type = notifier_wanted(type)  ? type
                            : unsure != NULL       ? unsure
                            : notifier_wanted(old) ? old
                                                   : "INTERVIEW";
    char *title = notifier_title(noun_type, company, role);
    /* an interview whose message says it was moved (the event's
     * rescheduled): the title and summary say so, not a second interview */
    int moved = strcmp(noun_type, "INTERVIEW") == 0 && have_local &&
                json_is_true(json_object_get(event, "rescheduled"));
    if (moved)
        notifier_wrap(&title, "", " (new time)");
    /* an offer whose date is a call about it, not its deadline */
    int call = strcmp(noun_type, "OFFER") == 0 && have_local &&
               json_is_true(json_object_get(event, "offer_call"));
    const char *bsum = notifier_str(briefing, "summary");
    char *summary = bsum ? strdup(bsum)
                         : notifier_default_summary(noun_type, company, role,
                                                    have_local ? local
                                                    : due      ? due_text
                                                               : NULL,
                                                    subject, moved, call);
    notifier_mark(event, type, unsure, old, &title, &summary);
    char *url =
        notifier_expand_url(opts ? opts->url_template : NULL, key, company);
    json_t *sources = json_array();
    json_t *bs = json_object_get(briefing, "sources");
    size_t i;
    json_t *s;
    json_array_foreach(bs, i, s)
    {
        if (json_is_object(s) && notifier_str(s, "url"))
            json_array_append_new(sources,
                                  json_pack("{s:s?, s:s}", "title",
                                            notifier_str(s, "title"), "url",
                                            notifier_str(s, "url")));
    }
    json_t *n = json_pack(
        "{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:o, s:s?, "
        "s:o}",
        "schema", NOTIFIER_SCHEMA, "event_key", key, "event_type", type,
        "title", title, "company", company, "role", role, "date_utc", date,
        "date_local", have_local ? local : NULL, "timezone", tz, "summary",
        summary, "sources", sources, "briefing_url", url, "email",
        /* its own date is shown (and sorted on) when no date is given */
        notifier_email_json(email, tz));
    free(title);
    free(summary);
    free(url);
    if (n == NULL) {
        *why = "out of memory building the notification";
        return NULL;
    }
    /* keep the field set fixed: absent values are JSON null */
    static const char *const fields[] = {
        "company", "role",         "date_utc", "date_local",
        "summary", "briefing_url", NULL};
    for (const char *const *f = fields; *f; f++)
        if (json_object_get(n, *f) == NULL)
            json_object_set_new(n, *f, json_null());
    if (json_object_get(n, "title") == NULL)
        json_object_set_new(n, "title", json_string(notifier_noun(type)));
    json_object_set_new(n, "date_label",
                        json_string(notifier_date_label(noun_type, call)));
    if (due != NULL)
        json_object_set_new(n, "due_date", json_string(due));
    if (json_is_true(json_object_get(event, "unsure"))) {
        json_object_set_new(n, "unsure", json_true());
        json_object_set(n, "opinions", json_object_get(event, "opinions"));
    }
    json_t *corr = json_object_get(event, "correction");
    if (corr != NULL) {
        json_object_set(n, "correction", corr);
        /* the key a sink shows it once under: not the event's, which the
         * first notice of the event holds (trial 68: console-sink and
         * slack-sink skipped every correction as a repeat) */
        const char *at = json_string_value(json_object_get(corr, "at"));
        json_object_set_new(
            n, "notice_key",
            json_sprintf("%s#corrected@%s/%s/%s", key, at ? at : "",
                         type ? type : "",
                         notifier_str(event, "scheduled_date")
                             ? notifier_str(event, "scheduled_date")
                             : ""));
    }
    if (briefing != NULL)
        json_object_set_new(n, "briefing_key",
                            notifier_str(briefing, "key")
                                ? json_string(notifier_str(briefing, "key"))
                                : json_null());
    return n;
}

/* Whether `s` starts with `prefix` (ASCII case-insensitive); the rest. */
static const char *notifier_after(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncasecmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* Reply prefixes of mail clients (English, German, Nordic, Dutch, Polish,
 * Italian, French). A forward (Fwd:) is not a reply: a friend's forward
 * may be the only copy of an invitation. */
static const char *const notifier_reply_prefixes[] = {
    "re:", "aw:",  "sv:",   "vs:",  "antw:", "odp:",
    "r:",  "ref:", "réf :", "réf:", NULL};

int notifier_reply_subject(const char *subject)
{
    while (subject != NULL && isspace((unsigned char)*subject))
        subject++;
    for (const char *const *p = notifier_reply_prefixes; subject && *p; p++)
        if (notifier_after(subject, *p) != NULL)
            return 1;
    return 0;
}

/* What calendar clients put before the event's own title: Google
 * ("Invitation: T", "Updated invitation: T", "Canceled event: T"), Outlook
 * ("Canceled: T", "Accepted: T"), Apple ("Event canceled: T"). */
static const char *const notifier_cancel_prefixes[] = {
    "canceled event with note:",
    "cancelled event with note:",
    "canceled event:",
    "cancelled event:",
    "event canceled:",
    "event cancelled:",
    "canceled:",
    "cancelled:",
    "abgesagt:",
    "annulé :",
    "annulé:",
    "cancelado:",
    NULL};
static const char *const notifier_topic_prefixes[] = {"re:",
                                                      "aw:",
                                                      "sv:",
                                                      "fwd:",
                                                      "fw:",
                                                      "wg:",
                                                      "tr:",
                                                      "invitation:",
                                                      "updated invitation:",
                                                      "invitation updated:",
                                                      "new event:",
                                                      "accepted:",
                                                      "tentative:",
                                                      "reminder:",
                                                      "einladung:",
                                                      NULL};

const char *notifier_subject_topic(const char *subject, int *cancel, char *out,
                                   size_t out_size)
{
    int c = 0;
    const char *s = subject ? subject : "";
    for (int again = 1; again;) {
        again = 0;
        while (isspace((unsigned char)*s))
            s++;
        for (const char *const *p = notifier_cancel_prefixes; *p; p++) {
            const char *r = notifier_after(s, *p);
            if (r != NULL) {
                c = again = 1;
                s = r;
                break;
            }
        }
        for (const char *const *p = notifier_topic_prefixes; !again && *p;
             p++) {
            const char *r = notifier_after(s, *p);
            if (r != NULL) {
                again = 1;
                s = r;
            }
        }
    }
    size_t n = 0;
    for (; *s && n + 1 < out_size; s++)
        if (isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80)
            out[n++] = (char)tolower((unsigned char)*s);
    if (out_size > 0)
        out[n] = '\0';
    if (cancel)
        *cancel = c;
    return n > 0 ? out : NULL;
}

/* A calendar object that cancels: RFC 5546 3.2.5 METHOD:CANCEL, or RFC
 * 5545 3.8.1.11 STATUS:CANCELLED (Outlook's REQUEST with a higher
 * SEQUENCE). */
static int notifier_cal_cancels(json_t *c)
{
    const char *m = notifier_str(c, "method");
    const char *st = notifier_str(c, "status");
    return (m && strcasecmp(m, "CANCEL") == 0) ||
           (st && strcasecmp(st, "CANCELLED") == 0);
}

/* Whether an array of careerops.email.v1 `calendar` objects cancels. */
static int notifier_calendar_cancels(json_t *cal)
{
    size_t i;
    json_t *c;
    json_array_foreach(cal, i, c)
    {
        if (notifier_cal_cancels(c))
            return 1;
    }
    return 0;
}

json_t *notifier_topics(json_t *event, int mode)
{
    json_t *out = json_array();
    char t[256];
    int subj_cancel = 0;
    json_t *email = json_object_get(event, "email");
    if (notifier_subject_topic(notifier_str(email, "subject"), &subj_cancel, t,
                               sizeof t) != NULL &&
        (mode != NOTIFIER_TOPICS_KEEP || subj_cancel))
        json_array_append_new(out, json_string(t));
    json_t *cals[] = {json_object_get(event, "calendar"),
                      json_object_get(email, "calendar")};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *c;
        json_array_foreach(cals[k], i, c)
        {
            const char *uid = notifier_str(c, "uid");
            if (uid == NULL || strlen(uid) > 200 ||
                notifier_cal_cancels(c) != (mode != NOTIFIER_TOPICS_INVITE))
                continue;
            snprintf(t, sizeof t, "uid:%s", uid);
            json_array_append_new(out, json_string(t));
        }
    }
    return out;
}

long long notifier_uid_sequence(json_t *event, const char *uid)
{
    long long best = -1;
    json_t *cals[] = {
        json_object_get(event, "calendar"),
        json_object_get(json_object_get(event, "email"), "calendar")};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *c;
        json_array_foreach(cals[k], i, c)
        {
            const char *u = notifier_str(c, "uid");
            if (u == NULL || strcmp(u, uid) != 0)
                continue;
            json_t *seq = json_object_get(c, "sequence");
            long long s = json_is_integer(seq) ? json_integer_value(seq) : 0;
            if (s > best)
                best = s;
        }
    }
    return best;
}

/* Whether `s` says "cancel" (cancel, cancelled, canceled, cancellation,
 * abgesagt); with `what` 1, that a time moved (reschedule, new time,
 * moved to, verschoben, postpone, rebook, rearrange); with 2,
 * "interview". */
static int notifier_says(const char *s, int what)
{
    static const char *const cancel[] = {"cancel", "abgesagt", NULL};
    static const char *const move[] = {"reschedul",  "new time", "moved to",
                                       "verschoben", "postpone", "rebook",
                                       "rearrang",   NULL};
    static const char *const interview[] = {"interview", "vorstellungsgespr",
                                            "entretien", "entrevista", NULL};
    const char *const *words = what == 2 ? interview : what ? move : cancel;
    for (const char *p = s; p && *p; p++)
        for (const char *const *w = words; *w; w++)
            if (strncasecmp(p, *w, strlen(*w)) == 0)
                return 1;
    return 0;
}

const char *notifier_cancel_reason(json_t *event)
{
    const char *type = notifier_str(event, "event_type");
    json_t *email = json_object_get(event, "email");
    char topic[8];
    int subj_cancel = 0;
    notifier_subject_topic(notifier_str(email, "subject"), &subj_cancel, topic,
                           sizeof topic);
    if (type == NULL || json_object_get(event, "correction") != NULL)
        return NULL;
    if (notifier_calendar_cancels(json_object_get(event, "calendar")) ||
        notifier_calendar_cancels(json_object_get(email, "calendar")) ||
        subj_cancel)
        return "calendar cancellation";
    if (strcmp(type, "REJECTION") == 0 &&
        !json_is_true(json_object_get(event, "unsure")))
        return "rejection";
    /* your own reply withdrawing or declining (rules-classifier's
     * own_decision): the company's interviews still ahead are off (trial
     * 82: one was announced, the application WITHDRAWN, nothing said) */
    if (strcmp(type, "OTHER") == 0 &&
        json_is_true(json_object_get(event, "own_decision")) &&
        notifier_str(event, "company") != NULL)
        return "you withdrew";
    if ((strcmp(type, "INTERVIEW") != 0 && strcmp(type, "OTHER") != 0) ||
        json_is_true(json_object_get(event, "unsure")))
        return NULL;
    /* a text cancel: the classifier's evidence or the subject says so, and
     * says nothing of a new time (a reschedule announces the new one) */
    int says = notifier_says(notifier_str(email, "subject"), 0);
    /* the classifier read a move to a new time ("we have to cancel
     * Tuesday's interview ... but we've rebooked you for Thursday": trial
     * 23) */
    int moves = notifier_says(notifier_str(email, "subject"), 1) ||
                json_is_true(json_object_get(event, "rescheduled"));
    /* an OTHER event ("cancel your subscription") must be about an
     * interview */
    int about = strcmp(type, "INTERVIEW") == 0 ||
                notifier_says(notifier_str(email, "subject"), 2);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(event, "evidence"), i, e)
    {
        says = says || notifier_says(json_string_value(e), 0);
        moves = moves || notifier_says(json_string_value(e), 1);
        about = about || notifier_says(json_string_value(e), 2);
    }
    return says && !moves && about ? "cancelled by message" : NULL;
}

int notifier_company_key(const char *company, char *out, size_t out_size)
{
    size_t n = 0;
    for (const char *p = company ? company : ""; *p && n + 1 < out_size; p++)
        if (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
            out[n++] = (char)tolower((unsigned char)*p);
    if (out_size > 0)
        out[n] = '\0';
    return n > 0 ? 0 : -1;
}

int notifier_when_text(const char *utc, const char *tz, char *out,
                       size_t out_size)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    icaltimezone *zone = notifier_zone(tz);
    icaltimetype t;
    if (zone == NULL || notifier_parse_utc(utc, &t) != 0)
        return -1;
    icaltimezone_convert_time(&t, icaltimezone_get_utc_timezone(), zone);
    int w = snprintf(out, out_size, "%s %d %s %04d, %02d:%02d",
                     wd[(icaltime_day_of_week(t) + 6) % 7], t.day,
                     mo[t.month - 1], t.year, t.hour, t.minute);
    return w < 0 || (size_t)w >= out_size ? -1 : 0;
}

json_t *notifier_build_cancel(json_t *interview, json_t *cancel,
                              const char *reason, int announced,
                              const notifier_opts_t *opts)
{
    const char *tz =
        opts && opts->timezone && *opts->timezone ? opts->timezone : "UTC";
    const char *ikey = notifier_str(interview, "event_key");
    const char *company = notifier_str(interview, "company");
    const char *role = notifier_str(interview, "role");
    const char *date = notifier_str(interview, "date");
    json_t *email = json_object_get(cancel, "email");
    char cut[NOTIFIER_SUBJECT_MAX + 4];
    const char *subject =
        notifier_subject_show(notifier_str(email, "subject"), cut);
    char when[48] = "", local[40];
    int have_local =
        date && notifier_local_time(date, tz, local, sizeof local) == 0;
    if (date)
        notifier_when_text(date, tz, when, sizeof when);
    char *title = NULL, *summary = NULL, *key = NULL;
    if (ikey == NULL || asprintf(&key, "%s:cancelled", ikey) < 0 ||
        asprintf(&title, "Cancelled: %s interview%s%s",
                 company ? company : "an", when[0] ? " " : "", when) < 0 ||
        asprintf(&summary,
                 "Cancelled (%s): the interview%s%s%s%s%s%s is off; %s. "
                 "Email: \"%s\".",
                 reason ? reason : "cancelled", company ? " at " : "",
                 company ? company : "", role ? " for " : "", role ? role : "",
                 have_local ? ", scheduled " : "", have_local ? local : "",
                 announced ? "it was announced before"
                           : "its invitation, read after this email, is not "
                             "announced",
                 subject ? subject : "(no subject)") < 0) {
        free(key);
        free(title);
        return NULL;
    }
    json_t *n = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:[], s:o, "
        "s:o, s:b, s:s, s:s}",
        "schema", NOTIFIER_SCHEMA, "event_key", key, "event_type", "INTERVIEW",
        "title", title, "company", company ? json_string(company) : json_null(),
        "role", role ? json_string(role) : json_null(), "date_utc",
        date ? json_string(date) : json_null(), "date_local",
        have_local ? json_string(local) : json_null(), "timezone", tz,
        "date_label", "when", "summary", summary, "sources", "briefing_url",
        json_null(), "email", notifier_email_json(email, tz), "cancelled", 1,
        "cancelled_event_key", ikey, "cancel_reason",
        reason ? reason : "cancelled");
    free(key);
    free(title);
    free(summary);
    return n;
}

int notifier_build_moved_from(json_t *n, const char *old_utc,
                              const notifier_opts_t *opts)
{
    const char *tz =
        opts && opts->timezone && *opts->timezone ? opts->timezone : "UTC";
    char old[40];
    if (old_utc == NULL || notifier_local_time(old_utc, tz, old, sizeof old))
        return -1;
    json_object_set_new(n, "moved_from_utc", json_string(old_utc));
    const char *sum = notifier_str(n, "summary");
    const char *at = sum ? strstr(sum, ", moved to ") : NULL;
    char *out = NULL;
    if (at != NULL &&
        asprintf(&out, "%.*s, moved from %s to %s", (int)(at - sum), sum, old,
                 at + strlen(", moved to ")) >= 0) {
        json_object_set_new(n, "summary", json_string(out));
        free(out);
    }
    return 0;
}
