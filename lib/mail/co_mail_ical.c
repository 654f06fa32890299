/**
 * @file lib/mail/co_mail_ical.c
 * @brief Calendar invitations with libical: VEVENT fields with every time
 *        resolved to UTC, Windows zone names through CLDR windowsZones.xml.
 */
#include "co_mail_int.h"

#include <libical/ical.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef CO_WINDOWS_ZONES_PATH
#define CO_WINDOWS_ZONES_PATH                                                  \
    "/usr/share/unicode/cldr/common/supplemental/windowsZones.xml"
#endif

/* libical's built-in zone cache and error state are process-global. */
static pthread_mutex_t ical_mu = PTHREAD_MUTEX_INITIALIZER;

/* ---- CLDR windowsZones.xml ---------------------------------------------- */

static pthread_once_t wz_once = PTHREAD_ONCE_INIT;
static GHashTable *wz_table; /* Windows name -> IANA name, never freed */
static char wz_error[512];

static void wz_walk(xmlNode *n)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrcmp(n->name, (const xmlChar *)"mapZone") == 0) {
            xmlChar *other = xmlGetProp(n, (const xmlChar *)"other");
            xmlChar *terr = xmlGetProp(n, (const xmlChar *)"territory");
            xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
            if (other != NULL && terr != NULL && type != NULL &&
                xmlStrcmp(terr, (const xmlChar *)"001") == 0) {
                /* "type" may list several zones; the first is canonical */
                char *iana = g_strdup((const char *)type);
                char *sp = strchr(iana, ' ');
                if (sp != NULL)
                    *sp = '\0';
                g_hash_table_insert(wz_table, g_strdup((const char *)other),
                                    iana);
            }
            xmlFree(other);
            xmlFree(terr);
            xmlFree(type);
        }
        wz_walk(n->children);
    }
}

static void wz_load(void)
{
    wz_table = g_hash_table_new(g_str_hash, g_str_equal);
    const char *path = getenv("CAREEROPS_WINDOWS_ZONES");
    if (path == NULL || path[0] == '\0')
        path = CO_WINDOWS_ZONES_PATH;
    xmlDocPtr doc = xmlReadFile(
        path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        snprintf(wz_error, sizeof wz_error,
                 "cannot read %s (install Debian's unicode-cldr-core or set "
                 "CAREEROPS_WINDOWS_ZONES to a windowsZones.xml)",
                 path);
        return;
    }
    wz_walk(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    if (g_hash_table_size(wz_table) == 0)
        snprintf(wz_error, sizeof wz_error,
                 "%s has no mapZone entries for territory 001", path);
}

const char *co_mail_windows_zone(const char *windows_name)
{
    co_mail_init();
    pthread_once(&wz_once, wz_load);
    if (windows_name == NULL)
        return NULL;
    return g_hash_table_lookup(wz_table, windows_name);
}

const char *co_mail_windows_zones_error(void)
{
    co_mail_init();
    pthread_once(&wz_once, wz_load);
    return wz_error;
}

/* ---- time resolution ---------------------------------------------------- */

typedef struct {
    int ok;
    int64_t utc;
    int floating; /* no zone, or a zone nobody knows: read in default_tz */
    int all_day;
} ev_time_t;

/* VTIMEZONEs seen in messages, by their text: libical expands a zone's
 * rules year by year from the observance's DTSTART (1601 in Outlook's)
 * with ICU, about 20 ms per message, and keeps the expansion in the
 * icaltimezone. Mail from one sender repeats the same VTIMEZONE, so the
 * zone objects are kept for the process (bounded; guarded by ical_mu). */
#define VTZ_CACHE_MAX 256
static GHashTable *vtz_cache; /* ical text -> icaltimezone* */

static void vtz_free(gpointer z)
{
    icaltimezone_free(z, 1);
}

static icaltimezone *cached_vtimezone(icalcomponent *cal, const char *tzid)
{
    /* an external iterator: the component's own one is in use by the
     * caller's loop over VEVENTs */
    icalcompiter it =
        icalcomponent_begin_component(cal, ICAL_VTIMEZONE_COMPONENT);
    for (icalcomponent *tz = icalcompiter_deref(&it); tz != NULL;
         tz = icalcompiter_next(&it)) {
        icalproperty *p =
            icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);
        const char *id = p != NULL ? icalproperty_get_tzid(p) : NULL;
        if (id == NULL || strcmp(id, tzid) != 0)
            continue;
        if (vtz_cache == NULL)
            vtz_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              vtz_free);
        const char *text = icalcomponent_as_ical_string(tz);
        if (text == NULL)
            return NULL;
        icaltimezone *z = g_hash_table_lookup(vtz_cache, text);
        if (z != NULL)
            return z;
        if (g_hash_table_size(vtz_cache) >= VTZ_CACHE_MAX)
            g_hash_table_remove_all(vtz_cache);
        z = icaltimezone_new();
        if (z == NULL)
            return NULL;
        if (!icaltimezone_set_component(z, icalcomponent_new_clone(tz))) {
            icaltimezone_free(z, 1);
            return NULL;
        }
        g_hash_table_insert(vtz_cache, g_strdup(text), z);
        return z;
    }
    return NULL;
}

/* libical looks an unknown name up on disk again at every call and keeps
 * growing its table of built-in zones with each miss (a run of Windows
 * TZIDs slows down without end): remember the names that are not there,
 * and only ask for names shaped like IANA's (no spaces). Under ical_mu. */
static GHashTable *builtin_misses;

static icaltimezone *builtin_zone(const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > 64 ||
        strpbrk(name, " \t\r\n\"") != NULL)
        return NULL;
    if (builtin_misses == NULL)
        builtin_misses =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (g_hash_table_contains(builtin_misses, name))
        return NULL;
    icaltimezone *z = icaltimezone_get_builtin_timezone(name);
    if (z == NULL) {
        if (g_hash_table_size(builtin_misses) >= 4096)
            g_hash_table_remove_all(builtin_misses);
        g_hash_table_add(builtin_misses, g_strdup(name));
    }
    return z;
}

static icaltimezone *zone_by_name(icalcomponent *cal, const char *tzid)
{
    /* An IANA name is read from the system's zone data, whose transitions
     * libical caches for the process; a VTIMEZONE of the message would be
     * expanded again for every message (Google and Thunderbird send them
     * for IANA names too, with the same rules). */
    icaltimezone *z = builtin_zone(tzid);
    if (z == NULL && cal != NULL)
        z = cached_vtimezone(cal, tzid);
    if (z == NULL) {
        const char *iana = co_mail_windows_zone(tzid);
        if (iana != NULL)
            z = builtin_zone(iana);
    }
    /* "/mozilla.org/20050126_1/Europe/Paris" and similar prefixes: try
     * each suffix after a slash. */
    for (const char *s = strchr(tzid, '/'); z == NULL && s != NULL;
         s = strchr(s + 1, '/'))
        if (s[1] != '\0')
            z = builtin_zone(s + 1);
    return z;
}

/* The offset from UTC (seconds east) of zone at the instant t. */
static int co__offset_at(icaltimezone *zone, time_t t)
{
    icaltimetype u =
        icaltime_from_timet_with_zone(t, 0, icaltimezone_get_utc_timezone());
    int daylight = 0;
    return icaltimezone_get_utc_offset_of_utc_time(zone, &u, &daylight);
}

/* A local time of zone as seconds since the epoch, as RFC 5545 3.3.5 reads
 * the times a DST change makes ambiguous or skips: a time that occurs
 * twice (the clocks going back) is the first occurrence, one that does not
 * occur (the clocks going forward) is read with the offset before the
 * gap. libical's icaltime_as_timet_with_zone() gave the second occurrence
 * and the offset after the gap (trial 68: 01:30 in Los Angeles on
 * 2025-11-02 read as 09:30Z, not 08:30Z), so the two offsets around its
 * answer are tried here. */
static int64_t co__local_to_utc(icaltimetype tt, icaltimezone *zone)
{
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    time_t wall = icaltime_as_timet_with_zone(tt, utc);
    if (zone == utc)
        return (int64_t)wall;
    time_t lib = icaltime_as_timet_with_zone(tt, zone);
    /* no zone changes its offset twice within 12 hours */
    const int offs[2] = {co__offset_at(zone, lib - 6 * 3600),
                         co__offset_at(zone, lib + 6 * 3600)};
    int64_t best = 0;
    int found = 0;
    for (int i = 0; i < 2; i++) {
        time_t u = wall - offs[i];
        if (co__offset_at(zone, u) == offs[i] && (!found || u < best)) {
            best = (int64_t)u;
            found = 1;
        }
    }
    return found ? best : (int64_t)(wall - offs[0]);
}

static void ev_time(icalproperty *prop, icalcomponent *cal,
                    const co_mail_opts_t *o, ev_time_t *r, co__defects_t *d)
{
    memset(r, 0, sizeof *r);
    if (prop == NULL)
        return;
    icalvalue *v = icalproperty_get_value(prop);
    if (v == NULL) {
        co__defect(d, "calendar-bad-time");
        return;
    }
    icalvalue_kind k = icalvalue_isa(v);
    struct icaltimetype tt;
    if (k == ICAL_DATETIME_VALUE)
        tt = icalvalue_get_datetime(v);
    else if (k == ICAL_DATE_VALUE)
        tt = icalvalue_get_date(v);
    else {
        co__defect(d, "calendar-bad-time");
        return;
    }
    if (icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt) ||
        tt.month < 1 || tt.month > 12 || tt.day < 1 || tt.day > 31) {
        co__defect(d, "calendar-bad-time");
        return;
    }
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    if (tt.is_date) {
        r->all_day = 1;
        tt.is_date = 0;
        tt.hour = tt.minute = tt.second = 0;
        r->utc = (int64_t)icaltime_as_timet_with_zone(tt, utc);
        r->ok = 1;
        return;
    }
    icaltimezone *zone = NULL;
    if (icaltime_is_utc(tt)) {
        zone = utc;
    } else {
        icalparameter *tp =
            icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
        const char *tzid = tp != NULL ? icalparameter_get_tzid(tp) : NULL;
        if (tzid != NULL && tzid[0] != '\0') {
            char *name = g_strdup(tzid);
            g_strstrip(name);
            size_t n = strlen(name);
            if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
                name[n - 1] = '\0';
                memmove(name, name + 1, n - 1);
            }
            zone = zone_by_name(cal, name);
            g_free(name);
            if (zone == NULL) {
                co__defect(d, "calendar-unknown-tzid");
                if (co_mail_windows_zones_error()[0] != '\0')
                    co__defect(d, "windows-zones-unavailable");
            }
        }
        if (zone == NULL) {
            r->floating = 1;
            if (o->default_tz != NULL && o->default_tz[0] != '\0') {
                zone = builtin_zone(o->default_tz);
                if (zone == NULL)
                    co__defect(d, "unknown-default-tz");
            }
            if (zone == NULL)
                zone = utc;
        }
    }
    tt.zone = NULL;
    r->utc = co__local_to_utc(tt, zone);
    r->ok = 1;
}

/* ---- VEVENT to JSON ----------------------------------------------------- */

static json_t *jstr_or_null(const char *s)
{
    if (s == NULL)
        return json_null();
    GString *g = g_string_new(NULL);
    co__to_utf8(s, strlen(s), "utf-8", g, NULL);
    co__clean_text(g);
    json_t *j = json_stringn(g->str, g->len);
    g_string_free(g, TRUE);
    return j != NULL ? j : json_null();
}

static json_t *jtime(const ev_time_t *t)
{
    char buf[32];
    if (!t->ok || co__fmt_utc(t->utc, buf) != 0)
        return json_null();
    return json_string(buf);
}

static json_t *person(icalproperty *p)
{
    const char *v = icalproperty_get_value_as_string(p);
    if (v == NULL)
        return json_null();
    if (g_ascii_strncasecmp(v, "mailto:", 7) == 0)
        v += 7;
    icalparameter *cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
    json_t *o = json_object();
    json_object_set_new(
        o, "name", jstr_or_null(cn != NULL ? icalparameter_get_cn(cn) : NULL));
    json_object_set_new(o, "address", jstr_or_null(v));
    return o;
}

/* The value of a property as text, unescaped for TEXT values ("\\," is a
 * comma; icalproperty_get_value_as_string() keeps the escapes). */
static const char *prop_value(icalproperty *p)
{
    if (p == NULL)
        return NULL;
    icalvalue *v = icalproperty_get_value(p);
    if (v != NULL && icalvalue_isa(v) == ICAL_TEXT_VALUE)
        return icalvalue_get_text(v);
    return icalproperty_get_value_as_string(p);
}

static const char *prop_text(icalcomponent *ev, icalproperty_kind k)
{
    return prop_value(icalcomponent_get_first_property(ev, k));
}

static const char *x_prop(icalcomponent *ev, const char *name)
{
    for (icalproperty *p =
             icalcomponent_get_first_property(ev, ICAL_X_PROPERTY);
         p != NULL; p = icalcomponent_get_next_property(ev, ICAL_X_PROPERTY)) {
        const char *xn = icalproperty_get_x_name(p);
        if (xn != NULL && strcasecmp(xn, name) == 0)
            return prop_value(p);
    }
    return NULL;
}

static int event_dup(json_t *events, json_t *ev)
{
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        if (json_equal(json_object_get(e, "uid"), json_object_get(ev, "uid")) &&
            json_equal(json_object_get(e, "start"),
                       json_object_get(ev, "start")) &&
            json_equal(json_object_get(e, "recurrence_id"),
                       json_object_get(ev, "recurrence_id")) &&
            json_equal(json_object_get(e, "method"),
                       json_object_get(ev, "method")))
            return 1;
    }
    return 0;
}

static void do_event(icalcomponent *ev, icalcomponent *cal, const char *method,
                     const co_mail_opts_t *o, json_t *events, co__defects_t *d)
{
    if (json_array_size(events) >= o->max_events) {
        co__defect(d, "too-many-events");
        return;
    }
    json_t *j = json_object();
    json_object_set_new(j, "uid",
                        jstr_or_null(prop_text(ev, ICAL_UID_PROPERTY)));
    json_object_set_new(j, "method", jstr_or_null(method));
    json_object_set_new(j, "summary",
                        jstr_or_null(prop_text(ev, ICAL_SUMMARY_PROPERTY)));
    ev_time_t st, en, rid;
    ev_time(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY), cal, o,
            &st, d);
    icalproperty *endp =
        icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
    ev_time(endp, cal, o, &en, d);
    if (!en.ok && st.ok) {
        icalproperty *dp =
            icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
        if (dp != NULL) {
            struct icaldurationtype du = icalproperty_get_duration(dp);
            if (!icaldurationtype_is_bad_duration(du)) {
                en = st;
                en.utc += icaldurationtype_as_int(du);
            }
        }
    }
    ev_time(icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY),
            cal, o, &rid, d);
    json_object_set_new(j, "start", jtime(&st));
    json_object_set_new(j, "end", jtime(&en));
    json_object_set_new(j, "floating", json_boolean(st.floating));
    json_object_set_new(j, "all_day", json_boolean(st.all_day));
    icalproperty *org =
        icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
    json_object_set_new(j, "organizer",
                        org != NULL ? person(org) : json_null());
    json_t *att = json_array();
    for (icalproperty *p =
             icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
         p != NULL && json_array_size(att) < o->max_addresses;
         p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
        json_t *who = person(p);
        /* the attendee's answer (RFC 5545 3.2.12): in a METHOD:REPLY, the
         * replier's ACCEPTED, DECLINED or TENTATIVE */
        char *ps = icalproperty_get_parameter_as_string_r(p, "PARTSTAT");
        if (json_is_object(who) && ps != NULL && ps[0] != '\0' &&
            g_utf8_validate(ps, -1, NULL))
            json_object_set_new(who, "partstat", json_string(ps));
        icalmemory_free_buffer(ps);
        json_array_append_new(att, who);
    }
    json_object_set_new(j, "attendees", att);
    json_object_set_new(j, "location",
                        jstr_or_null(prop_text(ev, ICAL_LOCATION_PROPERTY)));
    const char *url = prop_text(ev, ICAL_URL_PROPERTY);
    if (url == NULL)
        url = x_prop(ev, "X-GOOGLE-CONFERENCE");
    if (url == NULL)
        url = x_prop(ev, "X-MICROSOFT-SKYPETEAMSMEETINGURL");
    json_object_set_new(j, "url", jstr_or_null(url));
    json_object_set_new(j, "status",
                        jstr_or_null(prop_text(ev, ICAL_STATUS_PROPERTY)));
    icalproperty *seq =
        icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
    json_object_set_new(j, "sequence",
                        seq != NULL
                            ? json_integer(icalproperty_get_sequence(seq))
                            : json_null());
    json_object_set_new(j, "recurrence_id", jtime(&rid));
    json_object_set_new(j, "rrule",
                        jstr_or_null(prop_text(ev, ICAL_RRULE_PROPERTY)));
    if (event_dup(events, j))
        json_decref(j);
    else
        json_array_append_new(events, j);
}

static void do_calendar(icalcomponent *cal, const char *method_hint,
                        const co_mail_opts_t *o, json_t *events,
                        co__defects_t *d)
{
    const char *method = prop_text(cal, ICAL_METHOD_PROPERTY);
    char *hint = NULL;
    if (method == NULL && method_hint != NULL && method_hint[0] != '\0')
        method = hint = g_ascii_strup(method_hint, -1);
    icalcompiter it = icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
    for (icalcomponent *ev = icalcompiter_deref(&it); ev != NULL;
         ev = icalcompiter_next(&it))
        do_event(ev, cal, method, o, events, d);
    g_free(hint);
}

int co__ical_events(const char *ics, const co_mail_opts_t *o,
                    const char *method_hint, json_t *events, co__defects_t *d)
{
    co_mail_init();
    pthread_once(&wz_once, wz_load);
    /* skip a UTF-8 byte order mark */
    if ((unsigned char)ics[0] == 0xEF && (unsigned char)ics[1] == 0xBB &&
        (unsigned char)ics[2] == 0xBF)
        ics += 3;
    if (strstr(ics, "BEGIN:") == NULL && strstr(ics, "begin:") == NULL) {
        co__defect(d, "calendar-unparseable");
        return -1;
    }
    pthread_mutex_lock(&ical_mu);
    icalcomponent *root = icalparser_parse_string(ics);
    int rc = 0;
    if (root == NULL) {
        co__defect(d, "calendar-unparseable");
        rc = -1;
    } else {
        icalcomponent_kind k = icalcomponent_isa(root);
        if (k == ICAL_VCALENDAR_COMPONENT) {
            do_calendar(root, method_hint, o, events, d);
        } else if (k == ICAL_VEVENT_COMPONENT) {
            do_event(root, NULL, method_hint, o, events, d);
        } else {
            for (icalcomponent *c = icalcomponent_get_first_component(
                     root, ICAL_VCALENDAR_COMPONENT);
                 c != NULL; c = icalcomponent_get_next_component(
                                root, ICAL_VCALENDAR_COMPONENT))
                do_calendar(c, method_hint, o, events, d);
        }
        icalcomponent_free(root);
    }
    icalerror_clear_errno();
    pthread_mutex_unlock(&ical_mu);
    return rc;
}

int co_mail_ics_to_json(const void *ics, size_t len, const co_mail_opts_t *opts,
                        char **json_out, size_t *json_len, char *errstr,
                        size_t errstr_size)
{
    if (json_out != NULL)
        *json_out = NULL;
    if ((ics == NULL && len > 0) || json_out == NULL) {
        co__err(errstr, errstr_size, "co_mail_ics_to_json: NULL argument");
        return CO_ERR_INVAL;
    }
    co_mail_opts_t o;
    co__opts_fill(opts, &o);
    if (len > o.max_calendar_bytes)
        len = o.max_calendar_bytes;
    char *text = g_strndup(ics != NULL ? ics : "", len);
    json_t *events = json_array();
    co__defects_t d = {json_array()};
    int rc = co__ical_events(text, &o, NULL, events, &d);
    g_free(text);
    json_decref(d.arr);
    if (rc != 0) {
        json_decref(events);
        co__err(errstr, errstr_size,
                "not iCalendar data (no BEGIN:VCALENDAR that libical can "
                "parse)");
        return CO_ERR_INVAL;
    }
    *json_out = json_dumps(events, JSON_COMPACT);
    json_decref(events);
    if (*json_out == NULL)
        return CO_ERR_NOMEM;
    if (json_len != NULL)
        *json_len = strlen(*json_out);
    return 0;
}
