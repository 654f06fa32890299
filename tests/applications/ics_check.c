/* Parses an iCalendar file with libical (the test of `careerops
 * applications --ics`): prints one line per VEVENT,
 * "DTSTART|SUMMARY|URL|X-CAREEROPS-BRIEFING", sorted by the caller. Exit 1
 * when the file does not parse or has no VCALENDAR. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
    if (f == NULL) {
        fprintf(stderr, "ics_check: cannot open %s\n", argv[1]);
        return 1;
    }
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *p = realloc(buf, cap *= 2);
            if (p == NULL) {
                free(buf);
                return 1;
            }
            buf = p;
        }
    }
    if (buf == NULL)
        return 1;
    buf[len] = '\0';
    icalcomponent *cal = icalparser_parse_string(buf);
    free(buf);
    if (cal == NULL || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        fprintf(stderr, "ics_check: not an iCalendar VCALENDAR\n");
        return 1;
    }
    int bad = 0;
    for (icalcomponent *ev =
             icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
         ev != NULL;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *x = icalcomponent_get_first_property(ev, ICAL_X_PROPERTY);
        icalproperty *u =
            icalcomponent_get_first_property(ev, ICAL_URL_PROPERTY);
        struct icaltimetype t = icalcomponent_get_dtstart(ev);
        if (icaltime_is_null_time(t) || !icaltime_is_utc(t))
            bad = 1;
        printf(
            "%s|%s|%s|%s\n", icaltime_as_ical_string(t),
            icalcomponent_get_summary(ev) ? icalcomponent_get_summary(ev) : "",
            u ? icalproperty_get_url(u) : "", x ? icalproperty_get_x(x) : "");
    }
    icalcomponent_free(cal);
    if (bad)
        fprintf(stderr, "ics_check: a VEVENT has no UTC DTSTART\n");
    return bad;
}
