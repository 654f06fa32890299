/**
 * @file core/applications.c
 * @brief `careerops applications [--status S] [--since D] [--csv | --json |
 *        --ics]`: the job seeker's applications, from the tables
 *        postgres-sink keeps (applications, derived from events; see
 *        docs/applications.md).
 *
 * Default output: a readable table (dates in --timezone); --csv: one row
 * per application (RFC 4180); --json: an array of objects; --ics: the
 * upcoming interviews as an iCalendar file (libical), one VEVENT each.
 * The state store is found like the demo's: --dsn, else $CAREEROPS_STATE;
 * the schema: --schema, else $CAREEROPS_DEMO_SCHEMA, else "demo".
 *
 * Exit status: 0 printed (possibly nothing), 1 database error, 2 usage.
 */
#include <getopt.h>
#include <glib.h>
#include <jansson.h>
#include <libical/ical.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "co_relabel_int.h" /* CO__RELABEL_PG_START: relabel's start hint */
#include "co_pgmig.h"
#include "co_cli.h" /* co_cli_once(), co_cli_shown() */

int co_cmd_applications(int argc, char **argv);

static const char *const co__app_statuses[] = {
    "PROSPECT", "APPLIED",  "ASSESSMENT", "INTERVIEWING", "OFFER",
    "ACCEPTED", "DECLINED", "REJECTED",   "WITHDRAWN",    NULL};

static void co__app_usage(FILE *out)
{
    fprintf(out,
            "usage: careerops applications [--status S] [--since DATE] "
            "[--csv | --json | --ics]\n"
            "                              [--dsn DSN] [--schema NAME] "
            "[--timezone ZONE]\n"
            "                              [--briefing-url TEMPLATE] "
            "[--now TIME]\n"
            "       careerops applications --decide ID=S [--now TIME] "
            "[--dsn DSN] [--schema NAME]\n"
            "Lists the applications postgres-sink derived from the "
            "classified emails.\n\n"
            "  --status S        only applications in status S (PROSPECT, "
            "APPLIED,\n"
            "                    ASSESSMENT, INTERVIEWING, OFFER, ACCEPTED, "
            "DECLINED,\n"
            "                    REJECTED, WITHDRAWN)\n"
            "  --since DATE      only applications with an email on or after "
            "DATE\n"
            "                    (YYYY-MM-DD or RFC 3339)\n"
            "  --csv             one CSV row per application\n"
            "  --json            a JSON array of applications\n"
            "  --ics             the upcoming interviews as iCalendar "
            "VEVENTs (an hour\n"
            "                    long unless the event gives an end)\n"
            "  --dsn DSN         PostgreSQL (default: $CAREEROPS_STATE); "
            "--conninfo DSN\n"
            "                    is the same\n"
            "  --schema NAME     the postgres-sink schema (default: "
            "$CAREEROPS_DEMO_SCHEMA,\n"
            "                    else demo)\n"
            "  --timezone ZONE   IANA zone of the table's dates (default: "
            "$TZ, else UTC)\n"
            "  --briefing-url T  link to an interview's briefing; {key} = "
            "the event key,\n"
            "                    {company} = the company (default: "
            "$CAREEROPS_BRIEFING_URL)\n"
            "  --now TIME        the time that separates past and upcoming "
            "interviews\n"
            "                    (RFC 3339; default: now); also dates "
            "--decide\n"
            "  --decide ID=S     record your own outcome of application ID "
            "(the id of\n"
            "                    --csv/--json, or its "
            "first " CO__RELABEL_MIN_PREFIX_S "+ characters in "
            "any case):\n                    ACCEPTED, DECLINED, "
            "WITHDRAWN, or NONE to\n"
            "                    forget it (also one left under an id no "
            "application has\n"
            "                    since relabel --company); dated --now or "
            "now, not before\n"
            "                    the application's first email; lists "
            "nothing\n");
}

/* The messages for a --since or --now that is not a date (one %s: the
 * value). */
#define CO__APP_BAD_SINCE                                                      \
    "careerops applications: --since '%s' is not a valid date; use "           \
    "YYYY-MM-DD (month 01-12, day of that month; e.g. 2025-10-01) or RFC "     \
    "3339 with a zone (2025-10-01T09:00:00Z, hours 00-23)\n"
#define CO__APP_BAD_NOW                                                        \
    "careerops applications: --now '%s' is not a valid time; use RFC 3339 "    \
    "with a zone, e.g. 2025-10-20T00:00:00Z (hours 00-23), or YYYY-MM-DD\n"

/* A date argument: a day YYYY-MM-DD of the calendar or an RFC 3339
 * date-time with a zone, read by relabel's parser (trial: "T24:00:00Z"
 * and a time without a zone were taken here and refused by relabel). */
static int co__app_date_ok(const char *s)
{
    return co__relabel_when_ok(s);
}

/* Percent-encode s into a new string (unreserved characters kept). */
static char *co__app_pct(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(3 * n + 1), *p = o;
    if (o == NULL)
        return NULL;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
            (*c >= '0' && *c <= '9') || strchr("-._~", *c) != NULL)
            *p++ = (char)*c;
        else
            p += sprintf(p, "%%%02X", *c);
    }
    *p = '\0';
    return o;
}

/* The briefing link of an interview from the template, or NULL. */
static char *co__app_briefing_url(const char *tmpl, const char *key,
                                  const char *company)
{
    if (tmpl == NULL || tmpl[0] == '\0' || key == NULL)
        return NULL;
    char *k = co__app_pct(key), *c = co__app_pct(company ? company : "");
    size_t cap = strlen(tmpl) + 1;
    for (const char *p = tmpl; (p = strchr(p, '{')) != NULL; p++)
        cap += strlen(k ? k : "") + strlen(c ? c : "");
    char *o = (k && c) ? malloc(cap) : NULL;
    if (o != NULL) {
        char *w = o;
        for (const char *p = tmpl; *p;) {
            const char *v = strncmp(p, "{key}", 5) == 0       ? k
                            : strncmp(p, "{company}", 9) == 0 ? c
                                                              : NULL;
            if (v != NULL) {
                w = stpcpy(w, v);
                p += v == k ? 5 : 9;
            } else {
                *w++ = *p++;
            }
        }
        *w = '\0';
    }
    free(k);
    free(c);
    return o;
}

static const char *co__app_s(const json_t *o, const char *name)
{
    const char *v = json_string_value(json_object_get(o, name));
    return v != NULL ? v : "";
}

/* Whether an interview was moved or cancelled by a later email
 * (postgres-sink marks it `superseded_by`; docs/applications.md). */
static int co__app_superseded(const json_t *iv)
{
    return json_string_value(json_object_get(iv, "superseded_by")) != NULL;
}

/* The event key of the first slot of a moved interview: a slot with
 * `moved_from` replaced the one whose `superseded_by` is its key. A UID
 * from it stays the same when the interview moves, so a calendar that
 * imports the file again updates the event instead of keeping the old
 * slot beside the new one (trial 78). */
static const char *co__app_first_key(const json_t *ivs, const json_t *iv)
{
    const char *key = co__app_s(iv, "event_key");
    for (int hop = 0; hop < 16 && json_object_get(iv, "moved_from"); hop++) {
        size_t k;
        const json_t *x, *prev = NULL;
        json_array_foreach(ivs, k, x)
        {
            const char *by =
                json_string_value(json_object_get(x, "superseded_by"));
            if (x != iv && by != NULL && strcmp(by, key) == 0)
                prev = x;
        }
        if (prev == NULL)
            break;
        iv = prev;
        key = co__app_s(iv, "event_key");
    }
    return key;
}

/* Whether the application is closed (rejected, or your own WITHDRAWN or
 * DECLINED): its upcoming interviews will not take place. */
static int co__app_closed(const json_t *app)
{
    const char *st = json_string_value(json_object_get(app, "status"));
    return st != NULL &&
           (strcmp(st, "REJECTED") == 0 || strcmp(st, "WITHDRAWN") == 0 ||
            strcmp(st, "DECLINED") == 0);
}

/* The interview to show: the first upcoming one, else the last past one
 * (NULL when the application has none); moved or cancelled ones never,
 * nor an upcoming one of a closed application (an invitation read after
 * your WITHDRAWN: trial 37 showed it here, not in --ics). */
static const json_t *co__app_next(const json_t *app)
{
    const json_t *ivs = json_object_get(app, "interviews"), *last = NULL;
    size_t i;
    const json_t *iv;
    int closed = co__app_closed(app);
    json_array_foreach(ivs, i, iv)
    {
        if (co__app_superseded(iv))
            continue;
        if (!json_is_true(json_object_get(iv, "past"))) {
            if (closed)
                continue;
            return iv;
        }
        last = iv;
    }
    return last;
}

/* One CSV field (RFC 4180: quoted when it holds a comma, quote or line
 * break). */
static void co__app_csv(FILE *out, const char *v, int last)
{
    if (strpbrk(v, ",\"\r\n") != NULL) {
        fputc('"', out);
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else {
        fputs(v, out);
    }
    fputs(last ? "\r\n" : ",", out);
}

static void co__app_print_csv(FILE *out, const json_t *apps)
{
    fputs("id,company,role,status,first_seen,last_event_at,last_event_type,"
          "next_interview,next_interview_past,interviews,thread_ids\r\n",
          out);
    size_t i;
    const json_t *a;
    json_array_foreach(apps, i, a)
    {
        const json_t *nx = co__app_next(a);
        char n[32], *threads = NULL;
        size_t live = 0, len = 1, j;
        const json_t *t;
        json_array_foreach(json_object_get(a, "interviews"), j, t) live +=
            !co__app_superseded(t);
        snprintf(n, sizeof n, "%zu", live);
        json_array_foreach(json_object_get(a, "thread_ids"), j, t) len +=
            strlen(json_string_value(t)) + 1;
        threads = calloc(1, len);
        json_array_foreach(json_object_get(a, "thread_ids"), j, t)
        {
            if (threads == NULL)
                break;
            if (j > 0)
                strcat(threads, " ");
            strcat(threads, json_string_value(t));
        }
        co__app_csv(out, co__app_s(a, "id"), 0);
        co__app_csv(out, co__app_s(a, "company"), 0);
        co__app_csv(out, co__app_s(a, "role"), 0);
        co__app_csv(out, co__app_s(a, "status"), 0);
        co__app_csv(out, co__app_s(a, "first_seen"), 0);
        co__app_csv(out, co__app_s(a, "last_event_at"), 0);
        co__app_csv(out, co__app_s(a, "last_event_type"), 0);
        co__app_csv(out, nx ? co__app_s(nx, "at") : "", 0);
        co__app_csv(
            out,
            nx ? (json_is_true(json_object_get(nx, "past")) ? "true" : "false")
               : "",
            0);
        co__app_csv(out, n, 0);
        co__app_csv(out, threads ? threads : "", 1);
        free(threads);
    }
}

/* Columns a cell takes at most: a longer company or role is cut with
 * "..." (trial 70: a 512-character company given to relabel widened every
 * row). */
#define CO__APP_CELL_MAX 40

/* Terminal columns of one character: 0 for a combining or zero-width one,
 * 2 for a wide (CJK) one, else 1 (GLib's Unicode tables: the C library's
 * wcwidth() answers only in a UTF-8 locale). */
static int co__app_cols(gunichar c)
{
    return g_unichar_iszerowidth(c) ? 0 : g_unichar_iswide(c) ? 2 : 1;
}

/* Display width of UTF-8 text as co__app_cell() shows it, up to
 * CO__APP_CELL_MAX (trial 70: CJK and emoji names misaligned the rows). */
static int co__app_width(const char *s)
{
    int w = 0;
    const char *v = co_cli_shown(s);
    if (!g_utf8_validate(v, -1, NULL))
        return (int)strlen(v);
    for (const char *p = v; *p; p = g_utf8_next_char(p))
        w += co__app_cols(g_utf8_get_char(p));
    return w < CO__APP_CELL_MAX ? w : CO__APP_CELL_MAX;
}

/* A cell of the table, through co_cli_shown(): a company or role taken
 * from an email or given to `relabel --company` may hold an escape
 * sequence or U+202E. Cut with "..." past CO__APP_CELL_MAX columns. */
static void co__app_cell(FILE *out, const char *s, int width)
{
    const char *v = co_cli_shown(s);
    int w = 0;
    if (!g_utf8_validate(v, -1, NULL)) {
        fputs(v, out);
        w = (int)strlen(v);
    } else {
        int full = 0;
        for (const char *p = v; *p; p = g_utf8_next_char(p))
            full += co__app_cols(g_utf8_get_char(p));
        for (const char *p = v; *p; p = g_utf8_next_char(p)) {
            int cw = co__app_cols(g_utf8_get_char(p));
            if (full > CO__APP_CELL_MAX && w + cw > CO__APP_CELL_MAX - 3) {
                fputs("...", out);
                w += 3;
                break;
            }
            fwrite(p, 1, (size_t)(g_utf8_next_char(p) - p), out);
            w += cw;
        }
    }
    for (int i = w; i < width; i++)
        fputc(' ', out);
}

static void co__app_print_table(FILE *out, const json_t *apps, const char *tz)
{
    enum { NCOL = 6 };
    static const char *const head[NCOL] = {"COMPANY",    "ROLE",
                                           "STATUS",     "FIRST SEEN",
                                           "LAST EMAIL", "NEXT INTERVIEW"};
    size_t n = json_array_size(apps);
    char(*nexts)[64] = calloc(n ? n : 1, sizeof *nexts);
    if (nexts == NULL)
        return;
    int w[NCOL];
    for (int c = 0; c < NCOL; c++)
        w[c] = co__app_width(head[c]);
    size_t i;
    const json_t *a;
    json_array_foreach(apps, i, a)
    {
        const json_t *nx = co__app_next(a);
        if (nx != NULL)
            snprintf(
                nexts[i], sizeof nexts[i], "%s%s", co__app_s(nx, "at_local"),
                json_is_true(json_object_get(nx, "past")) ? " (past)" : "");
        const char *cells[NCOL] = {
            co__app_s(a, "company"),    co__app_s(a, "role"),
            co__app_s(a, "status"),     co__app_s(a, "first_seen_local"),
            co__app_s(a, "last_local"), nexts[i]};
        for (int c = 0; c < NCOL; c++)
            if (co__app_width(cells[c]) > w[c])
                w[c] = co__app_width(cells[c]);
    }
    if (n == 0) {
        fprintf(out, "No applications.\n");
        free(nexts);
        return;
    }
    for (int c = 0; c < NCOL; c++) {
        co__app_cell(out, head[c], c + 1 < NCOL ? w[c] + 2 : 0);
    }
    fputc('\n', out);
    json_array_foreach(apps, i, a)
    {
        const char *cells[NCOL] = {
            co__app_s(a, "company"),    co__app_s(a, "role"),
            co__app_s(a, "status"),     co__app_s(a, "first_seen_local"),
            co__app_s(a, "last_local"), nexts[i]};
        for (int c = 0; c < NCOL; c++)
            co__app_cell(out, cells[c], c + 1 < NCOL ? w[c] + 2 : 0);
        fputc('\n', out);
    }
    fprintf(out, "\n%zu application%s; dates in %s.\n", n, n == 1 ? "" : "s",
            tz);
    free(nexts);
}

/* How long an interview is taken to last in --ics when its event gives
 * no end (DTEND = DTSTART + this; docs/applications.md). */
#define CO__APP_ICS_MINUTES 60

/* Octets in the UTF-8 sequence that starts at `p` (1 for a stray byte),
 * never past the string's end. */
static size_t co__app_u8len(const unsigned char *p)
{
    size_t k = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xC0) != 0x80)
            return i;
    return k;
}

/* `ics` (CRLF lines, as libical writes them) unfolded and folded again per
 * RFC 5545 3.1: a physical line is at most 75 octets, a fold is CRLF and
 * one space, never inside a UTF-8 sequence. Our own code because libical
 * 3.0 folds after the last ':', ';' or ' ' before column 74, so right after
 * "UID:", and leaves a continuation line of a single space after a value
 * that fills the line, and has no option to fold otherwise. Folding by
 * octet count puts a fold right after a property name's colon only when
 * the name and its parameters fill 74 octets. malloc'd, or NULL. */
static char *co__app_refold(const char *ics)
{
    size_t n = strlen(ics);
    char *out = malloc(n + (n / 73 + 1) * 3 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0, col = 0;
    const unsigned char *p = (const unsigned char *)ics;
    while (*p != '\0') {
        if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')) {
            p += 3; /* a fold of libical's: unfold */
            continue;
        }
        if (p[0] == '\r' && p[1] == '\n') {
            memcpy(out + o, "\r\n", 2);
            o += 2, p += 2, col = 0;
            continue;
        }
        size_t k = co__app_u8len(p);
        if (col + k > 75) {
            memcpy(out + o, "\r\n ", 3);
            o += 3, col = 1;
        }
        memcpy(out + o, p, k);
        o += k, p += k, col += k;
    }
    out[o] = '\0';
    return out;
}

/* The interview's end: its "end" (RFC 3339) when after `start`, else
 * CO__APP_ICS_MINUTES after `start`. */
static struct icaltimetype
co__app_ics_end(const json_t *iv, struct icaltimetype start, icaltimezone *utc)
{
    const char *e = co__app_s(iv, "end");
    if (e[0] != '\0') {
        struct icaltimetype end = icaltime_from_string(e);
        end = icaltime_set_timezone(&end, utc);
        if (!icaltime_is_null_time(end) && icaltime_compare(end, start) > 0)
            return end;
    }
    struct icaltimetype end = start;
    icaltime_adjust(&end, 0, 0, CO__APP_ICS_MINUTES, 0);
    return end;
}

/* A VTIMEZONE of UTC: the component a calendar without an interview
 * holds, as RFC 5545 3.4 and 3.6 require one ("1*component"); an empty
 * file or a VCALENDAR without one is no calendar, and a calendar client
 * subscribed to the file would keep the last interviews it read. */
static icalcomponent *co__app_ics_utc(void)
{
    icalcomponent *tz = icalcomponent_new_vtimezone();
    icalcomponent_add_property(tz, icalproperty_new_tzid("UTC"));
    icalcomponent *std = icalcomponent_new_xstandard();
    icalcomponent_add_property(
        std, icalproperty_new_dtstart(icaltime_from_string("19700101T000000")));
    icalcomponent_add_property(std, icalproperty_new_tzoffsetfrom(0));
    icalcomponent_add_property(std, icalproperty_new_tzoffsetto(0));
    icalcomponent_add_property(std, icalproperty_new_tzname("UTC"));
    icalcomponent_add_component(tz, std);
    return tz;
}

/* The upcoming interviews as VCALENDAR text (malloc'd), or NULL; *n: how
 * many. */
static char *co__app_ics(const json_t *apps, const char *briefing_tmpl,
                         size_t *n)
{
    *n = 0;
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    icalcomponent *cal = icalcomponent_new_vcalendar();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(
        cal, icalproperty_new_prodid("-//CareerOps//applications//EN"));
    icalcomponent_add_property(cal,
                               icalproperty_new_method(ICAL_METHOD_PUBLISH));
    struct icaltimetype stamp =
        icaltime_from_timet_with_zone(time(NULL), 0, utc);
    size_t i, j;
    const json_t *a, *iv;
    json_array_foreach(apps, i, a)
    {
        const char *company = co__app_s(a, "company");
        const char *role = co__app_s(a, "role");
        /* a closed application's interviews will not take place */
        if (co__app_closed(a))
            continue;
        json_array_foreach(json_object_get(a, "interviews"), j, iv)
        {
            if (json_is_true(json_object_get(iv, "past")) ||
                co__app_superseded(iv))
                continue;
            const char *key = co__app_s(iv, "event_key");
            const char *join = co__app_s(iv, "join_url");
            char *brief =
                json_is_true(json_object_get(iv, "briefing"))
                    ? co__app_briefing_url(briefing_tmpl, key, company)
                    : NULL;
            icalcomponent *ev = icalcomponent_new_vevent();
            char uid[160], summary[512], desc[2048];
            snprintf(uid, sizeof uid, "%.64s@careerops",
                     co__app_first_key(json_object_get(a, "interviews"), iv));
            snprintf(summary, sizeof summary, "Interview: %s%s%s", company,
                     role[0] ? " - " : "", role);
            snprintf(desc, sizeof desc, "%s%s%s\nStatus: %s%s%s%s%s", company,
                     role[0] ? ", " : "", role, co__app_s(a, "status"),
                     join[0] ? "\nJoin: " : "", join,
                     brief ? "\nBriefing: " : "", brief ? brief : "");
            icalcomponent_add_property(ev, icalproperty_new_uid(uid));
            icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
            struct icaltimetype start =
                icaltime_from_string(co__app_s(iv, "at"));
            start = icaltime_set_timezone(&start, utc);
            icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
            icalcomponent_add_property(
                ev, icalproperty_new_dtend(co__app_ics_end(iv, start, utc)));
            icalcomponent_add_property(ev, icalproperty_new_summary(summary));
            icalcomponent_add_property(ev, icalproperty_new_description(desc));
            if (join[0]) {
                icalcomponent_add_property(ev, icalproperty_new_url(join));
                icalcomponent_add_property(ev, icalproperty_new_location(join));
            }
            if (brief != NULL) {
                icalproperty *p = icalproperty_new_x(brief);
                icalproperty_set_x_name(p, "X-CAREEROPS-BRIEFING");
                icalcomponent_add_property(ev, p);
            }
            free(brief);
            icalcomponent_add_component(cal, ev);
            (*n)++;
        }
    }
    if (*n == 0)
        icalcomponent_add_component(cal, co__app_ics_utc());
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    char *folded = text != NULL ? co__app_refold(text) : NULL;
    free(text);
    return folded;
}

/* The applications as a JSON array (new reference), or NULL with a
 * message printed. */
static json_t *co__app_load(PGconn *c, const char *schema, const char *status,
                            const char *since, const char *now, int *rc)
{
    *rc = 1;
    char *qs = PQescapeIdentifier(c, schema, strlen(schema));
    if (qs == NULL) {
        fprintf(stderr, "careerops applications: %s",
                co_cli_shown_lines(PQerrorMessage(c)));
        return NULL;
    }
    static const char tmpl[] =
        "SELECT jsonb_build_object("
        " 'id', a.id, 'company', a.company, 'role', a.role,"
        " 'status', a.status,"
        " 'first_seen', to_char(a.first_seen AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " 'first_seen_local', to_char(a.first_seen, 'YYYY-MM-DD'),"
        " 'last_event_at', to_char(a.last_event_at AT TIME ZONE 'UTC',"
        "  'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " 'last_local', to_char(a.last_event_at, 'YYYY-MM-DD'),"
        " 'last_event_type', a.last_event_type,"
        " 'last_event_key', a.last_event_key,"
        " 'thread_ids', to_jsonb(a.thread_ids),"
        " 'decision', (SELECT jsonb_build_object('status', t.to_status,"
        "   'at', to_char(t.email_date AT TIME ZONE 'UTC',"
        "    'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
        "  FROM %s.application_transitions t WHERE t.application_id = a.id"
        "   AND t.event_type = 'DECISION' ORDER BY t.seq DESC LIMIT 1),"
        " 'interviews', coalesce((SELECT jsonb_agg(i || jsonb_build_object("
        "   'past', (i->>'at')::timestamptz < n.t,"
        "   'at_local', to_char((i->>'at')::timestamptz,"
        "    'Dy DD Mon YYYY HH24:MI'),"
        "   'briefing', EXISTS (SELECT 1 FROM %s.briefings b"
        "    WHERE b.event_key = i->>'event_key'))"
        "  ORDER BY i->>'at', i->>'event_key')"
        "  FROM jsonb_array_elements(a.interviews) i), '[]'))::text"
        " FROM %s.applications a,"
        "  (SELECT coalesce($3::timestamptz, now()) AS t) n"
        " WHERE ($1::text IS NULL OR a.status = $1)"
        "  AND ($2::timestamptz IS NULL OR a.last_event_at >= $2)"
        " ORDER BY a.last_event_at DESC NULLS LAST, a.company, a.id";
    size_t len = sizeof tmpl + 3 * strlen(qs);
    char *sql = malloc(len);
    if (sql == NULL) {
        PQfreemem(qs);
        return NULL;
    }
    snprintf(sql, len, tmpl, qs, qs, qs);
    PQfreemem(qs);
    const char *params[3] = {status, since, now};
    PGresult *r = PQexecParams(c, sql, 3, NULL, params, NULL, NULL, 0);
    free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (st != NULL && strcmp(st, "42P01") == 0)
            *rc = 2; /* a --schema without the table: bad input */
        if (*rc == 2) {
            /* the schemas that have one (trial 76: "or pass --schema",
             * which was passed) */
            PGresult *h = PQexec(
                c, "SELECT coalesce(string_agg(table_schema, ', ' ORDER BY "
                   "table_schema), '') FROM information_schema.tables "
                   "WHERE table_name = 'applications'");
            const char *have =
                PQresultStatus(h) == PGRES_TUPLES_OK ? PQgetvalue(h, 0, 0) : "";
            fprintf(stderr,
                    "careerops applications: schema \"%s\" has no "
                    "applications table: give --schema one that has "
                    "(%s%s), or run a pipeline whose postgres-sink writes "
                    "to \"%s\" first (e.g. bash scripts/demo.sh)\n",
                    co_cli_shown(schema), have[0] ? "here: " : "none here yet",
                    have, co_cli_shown(schema));
            PQclear(h);
        } else
            fprintf(stderr, "careerops applications: %s",
                    co_cli_shown_lines(PQresultErrorMessage(r)));
        PQclear(r);
        return NULL;
    }
    json_t *apps = json_array();
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *o = json_loads(PQgetvalue(r, i, 0), 0, NULL);
        if (o != NULL)
            json_array_append_new(apps, o);
    }
    PQclear(r);
    return apps;
}

/* Drop the table-only fields before --json; add the next interview, as
 * the table and --csv show it (null when none). */
static void co__app_strip(json_t *apps)
{
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a)
    {
        const json_t *nx = co__app_next(a);
        json_t *at = nx ? json_object_get(nx, "at") : NULL;
        json_object_set_new(a, "next_interview",
                            at ? json_incref(at) : json_null());
        json_object_set_new(
            a, "next_interview_past",
            nx ? json_boolean(json_is_true(json_object_get(nx, "past")))
               : json_null());
        json_object_del(a, "first_seen_local");
        json_object_del(a, "last_local");
    }
}

/* Runs `tmpl` for --decide, each %s (at most two) the quoted schema; the
 * result, or NULL with PostgreSQL's error printed. */
static PGresult *co__app_decide_sql(PGconn *c, const char *schema,
                                    const char *tmpl, int n,
                                    const char *const *params)
{
    char *qs = PQescapeIdentifier(c, schema, strlen(schema));
    char sql[1024];
    snprintf(sql, sizeof sql, tmpl, qs ? qs : "\"\"", qs ? qs : "\"\"");
    PQfreemem(qs);
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        return r;
    fprintf(stderr, "careerops applications: --decide: %s",
            co_cli_shown_lines(PQresultErrorMessage(r)));
    PQclear(r);
    return NULL;
}

/* --decide ID=NONE when no application has the id: a decision left under
 * an id no application has any more (relabel moved its last email to
 * another company; docs/applications.md) is forgotten, and the
 * applications re-derived (an alias merge may have used it). The exit
 * status. */
static int co__app_forget_orphan(PGconn *c, const char *schema,
                                 const char *want)
{
    char *id = NULL, e[1024];
    int found = co__key_prefix_find(c, schema, "application_decisions",
                                    "application_id", want, &id, e, sizeof e);
    if (found != 0) {
        if (found == 2)
            fprintf(stderr,
                    "careerops applications: --decide: no application nor "
                    "decision with id '%s' in schema %s (see the id column "
                    "of --csv; a prefix needs " CO__RELABEL_MIN_PREFIX_S
                    "+ characters)\n",
                    co_cli_shown(want), co_cli_shown(schema));
        else
            fprintf(stderr, "careerops applications: --decide: %s\n",
                    co_cli_shown(e));
        return found == 1 ? 1 : 2;
    }
    const char *params[1] = {id};
    PGresult *r =
        co__app_decide_sql(c, schema,
                           "WITH d AS (DELETE FROM %s.application_decisions"
                           " WHERE application_id = $1 RETURNING status)"
                           " SELECT (SELECT status FROM d),"
                           " %s.careerops_applications_rederive_all()",
                           1, params);
    int rc = r == NULL;
    if (r != NULL)
        printf("%s: forgot the decision %s (no application has this id "
               "now)\n",
               id, PQgetvalue(r, 0, 0));
    PQclear(r);
    free(id);
    return rc;
}

/* A decision dated before the application's first email would come first
 * in its history and hide the rest (trial: --now 1900-01-01 left the one
 * transition WITHDRAWN). 0, or 2 (1 on a database error) said. */
static int co__app_decide_early(PGconn *c, const char *schema, const char *id,
                                const char *at)
{
    const char *params[2] = {id, at};
    PGresult *r =
        co__app_decide_sql(c, schema,
                           "SELECT to_char(first_seen AT TIME ZONE 'UTC',"
                           " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), company"
                           " FROM %s.applications WHERE id = $1"
                           " AND first_seen > coalesce($2::timestamptz, now())",
                           2, params);
    int rc = 0;
    if (r == NULL) {
        rc = 1;
    } else if (PQntuples(r) == 1) {
        fprintf(stderr,
                "careerops applications: --decide: %s%s is before the first "
                "email of application %s (%s), at %s: a decision comes after "
                "it; give --now on or after that time\n",
                at ? "--now " : "now", at ? co_cli_shown(at) : "", id,
                co_cli_shown(PQgetvalue(r, 0, 1)), PQgetvalue(r, 0, 0));
        rc = 2;
    }
    PQclear(r);
    return rc;
}

/* --decide ID=STATUS: store (or, for NONE, forget) the user's outcome and
 * re-derive the application. Returns the exit status. */
static int co__app_decide(PGconn *c, const char *schema, const char *arg,
                          const char *at)
{
    const char *eq = strchr(arg, '=');
    static const char *const ok[] = {"ACCEPTED", "DECLINED", "WITHDRAWN",
                                     "NONE", NULL};
    const char *const *st = ok;
    while (eq != NULL && *st != NULL && strcasecmp(*st, eq + 1) != 0)
        st++;
    if (eq == NULL || eq == arg || *st == NULL) {
        fprintf(stderr,
                "careerops applications: --decide '%s': use ID=STATUS with "
                "the application's id (--csv, --json) and ACCEPTED, "
                "DECLINED, WITHDRAWN or NONE\n",
                co_cli_shown(arg));
        return 2;
    }
    char want[64], *id = NULL, e[1024];
    snprintf(want, sizeof want, "%.*s", (int)(eq - arg), arg);
    /* the id, or a prefix of 8+ characters in any case, as relabel takes */
    int found = co__key_prefix_find(c, schema, "applications", "id", want, &id,
                                    e, sizeof e);
    if (found == 2 && strcmp(*st, "NONE") == 0)
        return co__app_forget_orphan(c, schema, want);
    if (found != 0) {
        if (found == 2)
            fprintf(stderr,
                    "careerops applications: --decide: no application with "
                    "id '%s' in schema %s (see the id column of --csv; a "
                    "prefix needs " CO__RELABEL_MIN_PREFIX_S "+ characters)\n",
                    co_cli_shown(want), co_cli_shown(schema));
        else
            fprintf(stderr, "careerops applications: --decide: %s\n",
                    co_cli_shown(e));
        return found == 1 ? 1 : 2; /* a missing or ambiguous id: bad input */
    }
    if (strcmp(*st, "NONE") != 0) {
        int early = co__app_decide_early(c, schema, id, at);
        if (early != 0) {
            free(id);
            return early;
        }
    }
    char *qs = PQescapeIdentifier(c, schema, strlen(schema));
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT %s.careerops_application_decide($1, $2, $3), "
             "(SELECT company FROM %s.applications WHERE id = $1)",
             qs ? qs : "\"\"", qs ? qs : "\"\"");
    PQfreemem(qs);
    const char *params[3] = {id, strcmp(*st, "NONE") == 0 ? NULL : *st, at};
    PGresult *r = PQexecParams(c, sql, 3, NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        int unknown = code != NULL && strcmp(code, "P0002") == 0;
        if (unknown)
            fprintf(stderr,
                    "careerops applications: --decide: no application with "
                    "id '%s' in schema %s (see the id column of --csv)\n",
                    co_cli_shown(id), co_cli_shown(schema));
        else
            fprintf(stderr, "careerops applications: --decide: %s",
                    co_cli_shown_lines(PQresultErrorMessage(r)));
        rc = unknown ? 2 : 1; /* an id that names nothing: bad input */
    } else {
        printf("%s (%s): %s\n", id, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    free(id);
    return rc;
}

/* The options of one `careerops applications`. */
typedef struct co__app_opts_s {
    const char *status, *since, *now, *decide, *dsn, *schema, *tz, *brief;
    int fmt;             /* 0 table, 'c' CSV, 'j' JSON, 'i' iCalendar */
    int tz_env;          /* tz came from $TZ, not --timezone */
    const char *listing; /* the first option given that only a listing
                          * takes (--csv, --status, ...), or NULL */
    char tzbuf[256];     /* tz read from a ":NAME" or a zoneinfo path */
} co__app_opts_t;

/* Reads argv into o (defaults from the environment); -1 to go on, else the
 * exit status (usage printed). */
static int co__app_parse(int argc, char **argv, co__app_opts_t *o)
{
    static const struct option lo[] = {
        {"status", required_argument, NULL, 's'},
        {"since", required_argument, NULL, 'd'},
        {"csv", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"ics", no_argument, NULL, 'i'},
        {"dsn", required_argument, NULL, 'D'},
        {"conninfo", required_argument, NULL, 'D'}, /* as `relabel` says */
        {"schema", required_argument, NULL, 'S'},
        {"timezone", required_argument, NULL, 'z'},
        {"briefing-url", required_argument, NULL, 'b'},
        {"now", required_argument, NULL, 'n'},
        {"decide", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    *o = (co__app_opts_t){.dsn = getenv("CAREEROPS_STATE"),
                          .schema = getenv("CAREEROPS_DEMO_SCHEMA"),
                          .tz = getenv("TZ"),
                          .brief = getenv("CAREEROPS_BRIEFING_URL")};
    const char **slot[128] = {
        ['s'] = &o->status, ['d'] = &o->since, ['n'] = &o->now,
        ['x'] = &o->decide, ['D'] = &o->dsn,   ['S'] = &o->schema,
        ['z'] = &o->tz,     ['b'] = &o->brief};
    int c;
    if (co_cli_once(argc, argv, lo, NULL, "careerops applications") != 0)
        return 2;
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "h", lo, NULL)) != -1) {
        static const char *const listing[128] = {
            ['s'] = "--status", ['d'] = "--since", ['c'] = "--csv",
            ['j'] = "--json",   ['i'] = "--ics",   ['b'] = "--briefing-url"};
        if (c > 0 && c < 128 && listing[c] != NULL && o->listing == NULL)
            o->listing = listing[c];
        if (c == 'S' && *optarg == '\0') {
            fprintf(stderr, "careerops applications: --schema '' names no "
                            "schema; give the schema of the events (the "
                            "demo's is demo) or leave --schema out\n");
            return 2;
        } else if (c == 'z' && *optarg == '\0') {
            fprintf(stderr, "careerops applications: --timezone '' names no "
                            "zone; give an IANA name such as Europe/Paris, "
                            "or leave --timezone out ($TZ, else UTC)\n");
            return 2;
        } else if (c > 0 && c < 128 && slot[c] != NULL) {
            *slot[c] = optarg;
        } else if (c == 'c' || c == 'j' || c == 'i') {
            if (o->fmt != 0 && o->fmt != c) {
                fprintf(stderr, "careerops applications: --csv, --json and "
                                "--ics exclude each other; pick one\n");
                return 2;
            }
            o->fmt = c;
        } else {
            co__app_usage(c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "careerops applications: unexpected argument '%s'\n",
                co_cli_shown(argv[optind]));
        co__app_usage(stderr);
        return 2;
    }
    /* trial: `--decide X=S --csv` recorded the decision and ignored --csv */
    if (o->decide != NULL && o->listing != NULL) {
        fprintf(stderr,
                "careerops applications: --decide does not go with %s: it "
                "records your decision and lists nothing (it takes --now, "
                "--timezone, --dsn and --schema); list the applications in a "
                "second "
                "command\n",
                o->listing);
        return 2;
    }
    return -1;
}

/* The zone's IANA name in o->tz. $TZ and --timezone may use glibc's file
 * forms, ":Asia/Tokyo" and "/usr/share/zoneinfo/Asia/Tokyo" (or a link to
 * such a file, ":/etc/localtime"): the name is the part after
 * "zoneinfo/" (trial 56: those showed UTC without a word). A file outside
 * zoneinfo/ is refused for --timezone, and read as UTC with a note for
 * $TZ. 0, or 2 (printed). */
static int co__app_tz(co__app_opts_t *o)
{
    const char *z = o->tz;
    o->tz_env = z != NULL && z == getenv("TZ");
    if (z == NULL || *z == '\0') {
        o->tz = "UTC";
        return 0;
    }
    if (*z == ':')
        z++;
    if (*z == '/') {
        char real[PATH_MAX];
        const char *p = strstr(z, "/zoneinfo/");
        if (p == NULL && realpath(z, real) != NULL)
            p = strstr(real, "/zoneinfo/");
        if (p == NULL) {
            fprintf(stderr,
                    o->tz_env ? "careerops applications: $TZ '%s' is a file "
                                "outside zoneinfo/, no IANA zone name: dates "
                                "in UTC (give --timezone NAME)\n"
                              : "careerops applications: --timezone '%s': "
                                "not an IANA name nor a file under "
                                "zoneinfo/: use a name such as "
                                "Europe/Paris\n",
                    co_cli_shown(o->tz));
            if (!o->tz_env)
                return 2;
            o->tz = "UTC";
            return 0;
        }
        z = p + strlen("/zoneinfo/");
    }
    snprintf(o->tzbuf, sizeof o->tzbuf, "%s", z);
    o->tz = o->tzbuf;
    return 0;
}

/* Checks the options that need no database; 0, or 2 with the reason. */
static int co__app_check(co__app_opts_t *o)
{
    if (o->status != NULL) {
        const char *const *s = co__app_statuses;
        while (*s != NULL && strcasecmp(*s, o->status) != 0)
            s++;
        if (*s == NULL) {
            fprintf(stderr,
                    "careerops applications: --status '%s' is not a status; "
                    "use PROSPECT, APPLIED, ASSESSMENT, INTERVIEWING, OFFER, "
                    "ACCEPTED, DECLINED, REJECTED or WITHDRAWN\n",
                    co_cli_shown(o->status));
            return 2;
        }
        o->status = *s;
    }
    if (o->since != NULL && !co__app_date_ok(o->since)) {
        fprintf(stderr, CO__APP_BAD_SINCE, co_cli_shown(o->since));
        return 2;
    }
    if (o->now != NULL && !co__app_date_ok(o->now)) {
        fprintf(stderr, CO__APP_BAD_NOW, co_cli_shown(o->now));
        return 2;
    }
    if (o->dsn == NULL || o->dsn[0] == '\0') {
        fprintf(stderr, "careerops applications: no database: pass --dsn or "
                        "set CAREEROPS_STATE (eval \"$(bash scripts/pg.sh "
                        "env)\" for the demo's)\n");
        return 2;
    }
    char refused[512]; /* before connecting: libpq would print a piece of
                        * an ambiguous URI's password (trial 45) */
    if (co__relabel_dsn_refused(o->dsn, refused, sizeof refused) != 0) {
        fprintf(stderr,
                "careerops applications: the connection string (--dsn or "
                "CAREEROPS_STATE): %s\n",
                refused);
        return 2;
    }
    if (o->schema == NULL || o->schema[0] == '\0')
        o->schema = "demo";
    return co__app_tz(o);
}

/* 1 when PostgreSQL reads `v` (already of the right shape) as a time. */
static int co__app_pg_time(PGconn *c, const char *v)
{
    const char *p[1] = {v};
    PGresult *r =
        PQexecParams(c, "SELECT $1::timestamptz", 1, NULL, p, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok;
}

/* Connects and sets the session's time zone; NULL with the reason printed
 * and *rc set. */
static PGconn *co__app_connect(const co__app_opts_t *o, int *rc)
{
    PGconn *conn = PQconnectdb(o->dsn);
    *rc = 1;
    if (PQstatus(conn) != CONNECTION_OK) {
        char why[512];
        co__relabel_conn_why(why, sizeof why, o->dsn, PQerrorMessage(conn));
        const char *fix = co_pgmig_connect_fix(PQerrorMessage(conn));
        fprintf(stderr,
                "careerops applications: cannot connect to PostgreSQL "
                "(%s): %s\n",
                why,
                fix ? fix
                    : CO__RELABEL_PG_START ", or give --dsn (or "
                                           "CAREEROPS_STATE) for a running "
                                           "server");
        PQfinish(conn);
        return NULL;
    }
    *rc = 2;
    const char *tzp[1] = {o->tz};
    /* an IANA name only: PostgreSQL also takes POSIX zone strings, so
     * "UTC+99" or "X[31mRED" shifted every date (trial 55) */
    PGresult *r = PQexecParams(
        conn,
        "SELECT set_config('TimeZone', $1, false) WHERE $1 = 'UTC' OR "
        "EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)",
        1, NULL, tzp, NULL, NULL, 0);
    int tz_ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!tz_ok) {
        fprintf(stderr,
                "careerops applications: %s '%s' unknown: use an IANA name "
                "such as Europe/Paris\n",
                o->tz_env ? "$TZ" : "--timezone", co_cli_shown(o->tz));
    } else if (o->since != NULL && !co__app_pg_time(conn, o->since))
        fprintf(stderr, CO__APP_BAD_SINCE, co_cli_shown(o->since));
    else if (o->now != NULL && !co__app_pg_time(conn, o->now))
        fprintf(stderr, CO__APP_BAD_NOW, co_cli_shown(o->now));
    else
        return conn;
    PQfinish(conn);
    return NULL;
}

/* Writes the applications in the chosen format; the exit status. */
static int co__app_output(const co__app_opts_t *o, json_t *apps)
{
    int rc = 0;
    if (o->fmt == 'c') {
        co__app_print_csv(stdout, apps);
    } else if (o->fmt == 'j') {
        co__app_strip(apps);
        rc = json_dumpf(apps, stdout, JSON_INDENT(2)) != 0;
        fputc('\n', stdout);
    } else if (o->fmt == 'i') {
        size_t n;
        char *text = co__app_ics(apps, o->brief, &n);
        if (text != NULL && n == 0)
            fprintf(stderr, "careerops applications: no upcoming interviews: "
                            "the calendar holds none (only a VTIMEZONE, as "
                            "RFC 5545 wants a component)\n");
        if (text == NULL) {
            fprintf(stderr, "careerops applications: libical: %s\n",
                    icalerror_strerror(icalerrno));
            rc = 1;
        } else {
            fputs(text, stdout);
            free(text);
        }
    } else {
        co__app_print_table(stdout, apps, o->tz);
    }
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}

int co_cmd_applications(int argc, char **argv)
{
    co__app_opts_t o;
    int rc = co__app_parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if ((rc = co__app_check(&o)) != 0)
        return rc;
    PGconn *conn = co__app_connect(&o, &rc);
    if (conn == NULL)
        return rc;
    if (o.decide != NULL) {
        rc = co__app_decide(conn, o.schema, o.decide, o.now);
        PQfinish(conn);
        return rc;
    }
    json_t *apps = co__app_load(conn, o.schema, o.status, o.since, o.now, &rc);
    PQfinish(conn);
    if (apps == NULL)
        return rc;
    rc = co__app_output(&o, apps);
    json_decref(apps);
    return rc;
}
