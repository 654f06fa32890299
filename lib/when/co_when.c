/* A notification's local time as people read it (co_when.h). Written here:
 * strftime's %a and %b follow the process locale, and the sinks print
 * English words whatever the locale; timegm() gives the weekday. */
#include "co_when.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int co_when_readable(const char *local, char *out, size_t size)
{
    struct tm tm = {0};
    /* a day alone ("2026-12-14": a deadline given without a time) is
     * written without a time */
    int day_only = local != NULL && strlen(local) == 10;
    if (local == NULL ||
        (day_only
             ? sscanf(local, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday) != 3
             : sscanf(local, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5))
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm); /* normalizes and fills tm_wday */
    struct tm norm;
    if (gmtime_r(&t, &norm) == NULL)
        return -1;
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                     "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (day_only)
        snprintf(out, size, "%s %d %s %d", wd[norm.tm_wday], norm.tm_mday,
                 mo[norm.tm_mon], norm.tm_year + 1900);
    else
        snprintf(out, size, "%s %d %s %d, %02d:%02d", wd[norm.tm_wday],
                 norm.tm_mday, mo[norm.tm_mon], norm.tm_year + 1900,
                 norm.tm_hour, norm.tm_min);
    return 0;
}
