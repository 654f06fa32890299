/*
 * Reading an interview date and time from mail text.
 *
 * Calendar invitations carry exact times (libical reads them in the mail
 * library); this file handles the invitations written as prose, in the
 * forms recruiters use in English, German, French, Spanish, Portuguese,
 * Dutch, Italian and Polish:
 *   "Tuesday, March 4, 2025 at 2:30 PM EST"   "March 4th at 10am PT"
 *   "am 4. März 2025 um 14:00 Uhr (MEZ)"       "le 4 mars 2025 à 14h30"
 *   "el 4 de marzo de 2025 a las 10:00 CET"    "2025-03-04 14:00 UTC"
 * A time without a zone is read in the sender's zone (the Date header's
 * offset) when it is known. Dates with slashes (3/4, 03/04/2025) are read
 * month first in American time zones (UTC-3 and west) and day first
 * elsewhere. An hour of one digit from 1 to 6 without am/pm is in the
 * afternoon ("Wednesday at 2", "3:30 eastern"). libc's strptime() reads
 * one fixed format at a time in one locale, so it does not fit free text
 * in four languages; this is a small reader over the tokenizer's words.
 */
#include "rules_company.h"

#include <ctype.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int rules_all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* The characters between token a and token b of the same segment. */
static void rules_gap(const rules_text_t *t, size_t a, size_t b, const char **g,
                      size_t *gl)
{
    const rules_seg_t *s = &t->seg[t->tok[a].seg];
    *g = s->text + t->tok[a].end;
    *gl = t->tok[b].off - t->tok[a].end;
}

static int rules_gap_is(const rules_text_t *t, size_t a, size_t b, char c)
{
    const char *g;
    size_t gl;
    rules_gap(t, a, b, &g, &gl);
    return gl == 1 && g[0] == c;
}

/* Day of month: "4", "04", "4th", "1st", "1er" (French), "2nd". */
static int rules_day(const rules_tok_t *tk)
{
    size_t n = 0;
    while (n < tk->len && isdigit((unsigned char)tk->w[n]))
        n++;
    if (n == 0 || n > 2)
        return 0;
    const char *suf = tk->w + n;
    if (*suf && strcmp(suf, "st") != 0 && strcmp(suf, "nd") != 0 &&
        strcmp(suf, "rd") != 0 && strcmp(suf, "th") != 0 &&
        strcmp(suf, "er") != 0)
        return 0;
    int d = (tk->w[0] - '0');
    if (n == 2)
        d = d * 10 + (tk->w[1] - '0');
    return d >= 1 && d <= 31 ? d : 0;
}

static int rules_year(const rules_tok_t *tk)
{
    if (tk->len != 4 || !rules_all_digits(tk->w, 4))
        return 0;
    int y = (tk->w[0] - '0') * 1000 + (tk->w[1] - '0') * 100 +
            (tk->w[2] - '0') * 10 + (tk->w[3] - '0');
    return y >= 1990 && y <= 2100 ? y : 0;
}

static int rules_same_seg(const rules_text_t *t, size_t i, uint16_t seg)
{
    return i < t->ntok && t->tok[i].seg == seg;
}

static int rules_ampm(const char *s)
{
    if (strcmp(s, "am") == 0)
        return 1;
    if (strcmp(s, "pm") == 0)
        return 2;
    return 0;
}

/* "am", "pm", "a.m.", "p.m." at token j; sets *next past it. */
static int rules_ampm_tok(const rules_text_t *t, size_t j, uint16_t seg,
                          size_t *next)
{
    if (j >= t->ntok || t->tok[j].seg != seg)
        return 0;
    int r = rules_ampm(t->tok[j].w);
    if (r != 0) {
        *next = j + 1;
        return r;
    }
    const char *w = t->tok[j].w;
    if ((strcmp(w, "a") == 0 || strcmp(w, "p") == 0) && j + 1 < t->ntok &&
        t->tok[j + 1].seg == seg && strcmp(t->tok[j + 1].w, "m") == 0) {
        *next = j + 2;
        return w[0] == 'a' ? 1 : 2;
    }
    return 0;
}

/* Token j is in segment seg and one of the words w (NULL-terminated). */
static int rules_tok_in(const rules_text_t *t, size_t j, uint16_t seg,
                        const char *const *w)
{
    if (!rules_same_seg(t, j, seg))
        return 0;
    for (size_t k = 0; w[k]; k++)
        if (strcmp(t->tok[j].w, w[k]) == 0)
            return 1;
    return 0;
}

/* Word j is one that introduces a time of day ("at", "um", "om", "à",
 * "a las", "às", "kl", "from", "by", "alle", "ore", "godz.", ...): a dotted
 * "14.30" after it is a time. */
static int rules_time_prep(const rules_text_t *t, size_t j, uint16_t seg)
{
    static const char *const w[] = {
        "at",    "um",    "om",    "à",     "a",        "las",    "às",
        "as",    "kl",    "klo",   "ab",    "from",     "by",     "von",
        "vanaf", "tot",   "until", "till",  "bis",      "de",     "to",
        "gegen", "rond",  "vers",  "hasta", "até",      "around", "alle",
        "ore",   "dalle", "entro", "godz",  "godzinie", NULL};
    return rules_tok_in(t, j, seg, w);
}

/* "Uhr", "uur", "h" after a number: it is an hour. */
static int rules_hour_word(const rules_text_t *t, size_t j, uint16_t seg)
{
    return rules_same_seg(t, j, seg) &&
           (strcmp(t->tok[j].w, "uhr") == 0 ||
            strcmp(t->tok[j].w, "uur") == 0 || strcmp(t->tok[j].w, "h") == 0);
}

/* The original text of token i is all upper case (zone abbreviations must
 * be: "et" is French for "and", "ET" is Eastern Time). */
static int rules_tok_upper(const rules_text_t *t, size_t i)
{
    const rules_tok_t *tk = &t->tok[i];
    const char *s = t->seg[tk->seg].text + tk->off;
    for (uint32_t k = 0; k < tk->end - tk->off; k++)
        if (!isupper((unsigned char)s[k]))
            return 0;
    return 1;
}

/* Word j introduces a bare hour ("at 4 today", "um 12", "alle 17", "ore
 * 10", "godz. 9"): the prepositions that mean "at (o'clock)". */
static int rules_bare_hour_prep(const rules_text_t *t, size_t j, uint16_t seg)
{
    static const char *const w[] = {"at",    "um",       "om", "alle",
                                    "ore",   "godz",     "kl", "klo",
                                    "dalle", "godzinie", NULL};
    return rules_tok_in(t, j, seg, w);
}

/* Token j (after a bare number) makes the number a count, not an hour
 * ("at 5 minutes", "um 20 Prozent", "alle 3 persone"). */
static int rules_count_word(const rules_text_t *t, size_t j, uint16_t seg)
{
    static const char *const w[] = {
        "min",     "mins",    "minute", "minutes", "minuten", "minuti",
        "minutos", "hour",    "hours",  "stunden", "ore",     "days",
        "tage",    "giorni",  "weeks",  "people",  "persons", "persone",
        "percent", "prozent", "euro",   "eur",     "usd",     "k",
        "x",       "of",      NULL};
    if (!rules_same_seg(t, j, seg))
        return 0;
    const char *g;
    size_t gl;
    rules_gap(t, j - 1, j, &g, &gl);
    if (gl >= 1 && (g[0] == '/' || g[0] == '%'))
        return 1; /* "at 5/10", "at 5%" */
    /* "at 1 Federal St": a street number in English (a zone such as "ET"
     * is all capitals; German nouns are capitalised: "um 12 Zeit") */
    const char *o = t->seg[seg].text + t->tok[j].off;
    if (strcmp(t->tok[j - 2].w, "at") == 0 && gl == 1 && g[0] == ' ' &&
        isupper((unsigned char)o[0]) && !rules_tok_upper(t, j))
        return 1;
    return rules_tok_in(t, j, seg, w);
}

/*
 * A time starting at token i: "14:30", "2:30 PM", "2:30pm", "2pm", "2 pm",
 * "14h30", "14h", "14 Uhr", "9 uur", "14.30 Uhr", "10:00h", "13 h 30",
 * "17 h", "10 heures", "9u30" (Flemish); a dotted time ("2.30pm", "11.00
 * uur", "at 14.30") needs am/pm, an hour word or a word such as "at"
 * before it; a bare hour ("at 4 today", "um 12", "alle 17", "a las 9")
 * needs a word that means "at". An hour of one digit from 1 to 6 without
 * am/pm or an hour word ("3:30 eastern", "Wednesday at 2") is in the
 * afternoon: nobody is interviewed at 3:30 in the night, and people who
 * write the 24-hour clock write 15:30. Sets *next to the token after it.
 */
static int rules_time(const rules_text_t *t, size_t i, uint16_t seg, int *h,
                      int *m, size_t *next)
{
    const rules_tok_t *tk = &t->tok[i];
    /* "noon", "midi", "mediodía", "meio-dia" */
    if (strcmp(tk->w, "noon") == 0 || strcmp(tk->w, "midi") == 0 ||
        strcmp(tk->w, "mediodía") == 0 || strcmp(tk->w, "mediodia") == 0 ||
        (strcmp(tk->w, "meio") == 0 && rules_same_seg(t, i + 1, seg) &&
         strcmp(t->tok[i + 1].w, "dia") == 0)) {
        *h = 12;
        *m = 0;
        *next = strcmp(tk->w, "meio") == 0 ? i + 2 : i + 1;
        return 1;
    }
    size_t nd = 0;
    while (nd < tk->len && isdigit((unsigned char)tk->w[nd]))
        nd++;
    if (nd == 0 || nd > 2)
        return 0;
    int hh = tk->w[0] - '0';
    if (nd == 2)
        hh = hh * 10 + (tk->w[1] - '0');
    int mm = 0, ampm = 0, ok = 0, hword = 0;
    size_t j = i + 1;
    const char *rest = tk->w + nd;
    if (*rest == 'h' || *rest == 'u') { /* 14h30, 14h, 9u30 */
        hword = 1;
        const char *r2 = rest + 1;
        size_t n2 = strlen(r2);
        if (n2 == 0)
            ok = 1;
        else if (n2 == 2 && rules_all_digits(r2, 2)) {
            mm = (r2[0] - '0') * 10 + (r2[1] - '0');
            ok = 1;
        }
    } else if ((ampm = rules_ampm(rest)) != 0) { /* 2pm */
        ok = 1;
    } else if (*rest == '\0') {
        if (rules_same_seg(t, j, seg) &&
            (rules_gap_is(t, i, j, ':') || rules_gap_is(t, i, j, '.')) &&
            t->tok[j].len >= 2 && isdigit((unsigned char)t->tok[j].w[0]) &&
            isdigit((unsigned char)t->tok[j].w[1])) {
            const char *mw = t->tok[j].w;
            mm = (mw[0] - '0') * 10 + (mw[1] - '0');
            if (mw[2] == '\0' || (mw[2] == 'h' && mw[3] == '\0'))
                ok = 1;
            else if ((ampm = rules_ampm(mw + 2)) != 0)
                ok = 1;
            if (ok) {
                int dotted = rules_gap_is(t, i, j, '.');
                j++;
                /* "14.30" is a time only with am/pm, "Uhr"/"uur"/"h"
                 * after it or "at"/"um"/"om" before it ("12.45" may be a
                 * score, "12.03" a day and month) */
                size_t j2 = j;
                if (dotted && ampm == 0 && !rules_hour_word(t, j, seg) &&
                    !rules_ampm_tok(t, j, seg, &j2) &&
                    !(i > 0 && rules_time_prep(t, i - 1, seg)))
                    return 0;
            }
        } else if (rules_same_seg(t, j, seg) &&
                   (strcmp(t->tok[j].w, "uhr") == 0 ||
                    strcmp(t->tok[j].w, "uur") == 0 ||
                    strcmp(t->tok[j].w, "heures") == 0 ||
                    strcmp(t->tok[j].w, "h") == 0)) {
            ok = hword = 1;
            /* "13 h 30" (Quebec): the minutes after the hour word */
            if (strcmp(t->tok[j].w, "h") == 0 &&
                rules_same_seg(t, j + 1, seg) && t->tok[j + 1].len == 2 &&
                rules_all_digits(t->tok[j + 1].w, 2) &&
                rules_gap_is(t, j, j + 1, ' ')) {
                mm = atoi(t->tok[j + 1].w);
                j += 2;
            }
        } else if ((ampm = rules_ampm_tok(t, j, seg, &j)) != 0) {
            ok = 1; /* "2 pm", "2 p.m." */
        } else if ((i > 0 && t->tok[i - 1].seg == seg &&
                    (strcmp(t->tok[i - 1].w, "las") == 0 ||
                     strcmp(t->tok[i - 1].w, "às") == 0)) ||
                   (rules_same_seg(t, j, seg) &&
                    (strcmp(t->tok[j].w, "hs") == 0 ||
                     strcmp(t->tok[j].w, "horas") == 0))) {
            ok = 1; /* "a las 9", "às 15", "17 hs" */
        } else if (i > 0 && t->tok[i - 1].seg == seg &&
                   rules_bare_hour_prep(t, i - 1, seg) &&
                   !rules_count_word(t, j, seg)) {
            ok = 1; /* "at 4 today", "um 12", "alle 17", "ore 10" */
        }
    }
    if (!ok)
        return 0;
    if (ampm == 0)
        ampm = rules_ampm_tok(t, j, seg, &j);
    if (ampm != 0) {
        if (hh < 1 || hh > 12)
            return 0;
        if (hh == 12)
            hh = 0;
        if (ampm == 2)
            hh += 12;
    } else if (nd == 1 && hh >= 1 && hh <= 6 && !hword &&
               !rules_hour_word(t, j, seg)) {
        hh += 12; /* "3:30 eastern", "at 2": the afternoon */
    }
    if (hh > 23 || mm > 59)
        return 0;
    *h = hh;
    *m = mm;
    *next = j;
    return 1;
}

static int rules_tz_resolves(const char *tz)
{
    GTimeZone *z = g_time_zone_new_identifier(tz);
    if (z == NULL)
        return 0;
    g_time_zone_unref(z);
    return 1;
}

int rules_tz_known(const char *tz)
{
    /* without a tz database at all (no package tzdata) every name is
     * accepted, and dates in those zones are read at the sender's offset */
    return rules_tz_resolves(tz) || !rules_tz_resolves("Europe/London");
}

/* Only a line break (and spaces) is between tokens a and b: a name
 * wrapped at the end of a line ("hora de\nMadrid"). */
static int rules_gap_is_wrap(const rules_text_t *t, size_t a, size_t b)
{
    const char *g;
    size_t gl;
    rules_gap(t, a, b, &g, &gl);
    int nl = 0;
    for (size_t k = 0; k < gl; k++) {
        if (g[k] == '\n')
            nl++;
        else if (g[k] != ' ' && g[k] != '\r' && g[k] != '\t')
            return 0;
    }
    return nl == 1;
}

/* A zone named at token k: the longest name of timezones.tsv that the
 * words from k spell ("central european time", "pt", "hora de brasília").
 * Sets *ntok to the number of words; NULL if none. */
static const rules_zone_t *rules_zone_name(const rules_db_t *db,
                                           const rules_text_t *t, size_t k,
                                           uint16_t seg, size_t *ntok)
{
    const rules_zone_t *best = NULL;
    char key[128];
    size_t kl = 0;
    for (size_t n = 0;
         n < RULES_ZONE_MAX_WORDS && rules_same_seg(t, k + n, seg); n++) {
        const rules_tok_t *tk = &t->tok[k + n];
        /* a tz database name is one name across its '/' and '_'
         * ("Europe/Berlin", "America/New_York") */
        if (n > 0 && (tk->flags & RULES_T_BREAK) &&
            !rules_gap_is_wrap(t, k + n - 1, k + n) &&
            !rules_gap_is(t, k + n - 1, k + n, '/') &&
            !rules_gap_is(t, k + n - 1, k + n, '_'))
            break;
        if (kl + tk->len + 2 >= sizeof key)
            break;
        if (n > 0)
            key[kl++] = ' ';
        memcpy(key + kl, tk->w, tk->len);
        kl += tk->len;
        key[kl] = '\0';
        const rules_zone_t *z = rules_db_zone(db, key);
        if (z != NULL && (!z->upper || rules_tok_upper(t, k))) {
            best = z;
            *ntok = n + 1;
        }
    }
    return best;
}

/* A zone after the time at token j: "EST", "(MEZ)", "UTC", "UTC+1",
 * "GMT-05:00", "+0100", "Mountain Time", "heure de Paris". Returns 1 and
 * sets *zone (a named zone) or *fixed (minutes); 0 if none. */
static int rules_zone(const rules_db_t *db, const rules_text_t *t, size_t j,
                      uint16_t seg, const rules_zone_t **zone, int *fixed)
{
    *zone = NULL;
    for (size_t k = j; k < j + 3 && rules_same_seg(t, k, seg); k++) {
        const rules_tok_t *tk = &t->tok[k];
        if (strcmp(tk->w, "uhr") == 0 || strcmp(tk->w, "time") == 0 ||
            strcmp(tk->w, "h") == 0 || strcmp(tk->w, "hrs") == 0 ||
            strcmp(tk->w, "horas") == 0 || strcmp(tk->w, "hs") == 0 ||
            strcmp(tk->w, "heures") == 0 || strcmp(tk->w, "uur") == 0)
            continue;
        /* Numeric offset: the gap before ends in + or -. */
        const char *g;
        size_t gl;
        if (k > 0 && t->tok[k - 1].seg == seg) {
            rules_gap(t, k - 1, k, &g, &gl);
            /* "1:00-3:00 PM" is a range, not the offset -3:00 */
            int range = k == j && gl == 1 && g[0] == '-' && tk->len <= 2 &&
                        rules_same_seg(t, k + 1, seg) &&
                        rules_gap_is(t, k, k + 1, ':') &&
                        strcmp(t->tok[k - 1].w, "utc") != 0 &&
                        strcmp(t->tok[k - 1].w, "gmt") != 0;
            if (!range && gl >= 1 && (g[gl - 1] == '+' || g[gl - 1] == '-') &&
                rules_all_digits(tk->w, tk->len) &&
                (tk->len <= 2 || tk->len == 4) &&
                (k == j || strcmp(t->tok[k - 1].w, "utc") == 0 ||
                 strcmp(t->tok[k - 1].w, "gmt") == 0)) {
                int sign = g[gl - 1] == '-' ? -1 : 1;
                int hh, mm = 0;
                if (tk->len == 4) {
                    hh = (tk->w[0] - '0') * 10 + (tk->w[1] - '0');
                    mm = (tk->w[2] - '0') * 10 + (tk->w[3] - '0');
                } else {
                    hh = atoi(tk->w);
                    if (rules_same_seg(t, k + 1, seg) &&
                        rules_gap_is(t, k, k + 1, ':') &&
                        t->tok[k + 1].len == 2 &&
                        rules_all_digits(t->tok[k + 1].w, 2))
                        mm = atoi(t->tok[k + 1].w);
                }
                if (hh <= 14 && mm < 60) {
                    *fixed = sign * (hh * 60 + mm);
                    /* "(UTC+00:00) Dublin, Edinburgh, Lisbon, London": the
                     * city's clock (Outlook's zone names) */
                    size_t nz = 0;
                    for (size_t q = k + 1;
                         q < k + 4 && rules_same_seg(t, q, seg); q++) {
                        const rules_zone_t *cz =
                            rules_zone_name(db, t, q, seg, &nz);
                        if (cz != NULL && cz->tz != NULL) {
                            *zone = cz;
                            break;
                        }
                    }
                    return 1;
                }
                return 0;
            }
        }
        size_t nz = 0;
        const rules_zone_t *z = rules_zone_name(db, t, k, seg, &nz);
        if (z == NULL && k + 1 < j + 3 &&
            (strcmp(tk->w, "hora") == 0 || strcmp(tk->w, "heure") == 0))
            continue; /* "(hora UTC)", "heure CET" */
        if (z != NULL && z->tz != NULL && !rules_tz_resolves(z->tz))
            return 0; /* no tz database: the sender's offset applies */
        if (z != NULL) {
            /* "UTC+1": an offset may follow. */
            if (z->tz == NULL && z->offset == 0 &&
                rules_same_seg(t, k + 1, seg)) {
                rules_gap(t, k, k + 1, &g, &gl);
                if (gl == 1 && (g[0] == '+' || g[0] == '-')) {
                    const rules_zone_t *z2;
                    int f2;
                    if (rules_zone(db, t, k + 1, seg, &z2, &f2)) {
                        /* "(UTC+00:00) Dublin, ...": z2 is the city */
                        *zone = z2;
                        *fixed = f2;
                        return 1;
                    }
                }
            }
            *zone = z;
            *fixed = z->offset;
            /* "CST (Mexico City)", "AEST (Brisbane time)": the city's
             * clock in parentheses after an abbreviation ("9am Pacific /
             * noon Eastern" names two clocks) */
            for (size_t q = k + nz;
                 z->upper && q < k + nz + 2 && rules_same_seg(t, q, seg); q++) {
                size_t n2 = 0;
                const rules_zone_t *cz = rules_zone_name(db, t, q, seg, &n2);
                rules_gap(t, q - 1, q, &g, &gl);
                if (cz != NULL && cz->tz != NULL && !cz->upper &&
                    memchr(g, '(', gl) != NULL) {
                    *zone = cz;
                    break;
                }
            }
            return 1;
        }
        return 0; /* something else follows the time */
    }
    return 0;
}

static int rules_days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static long long rules_utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (long long)timegm(&tm);
}

static void rules_fmt(long long utc, char *out, size_t out_size)
{
    time_t tt = (time_t)utc;
    struct tm tm;
    /* RFC 3339 has four-digit years (trial 70: a Date header of 31 Dec
     * 9999 +1400 made "Thursday" 10000-01-05T20:00:00Z): no date */
    if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
        tm.tm_year + 1900 < 1) {
        out[0] = '\0';
        return;
    }
    strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* UTC seconds of a wall-clock time in a named zone (its offset on that
 * date, from the system's tz database through GLib) or at a fixed offset. */
static long long rules_local_utc(const rules_zone_t *z, int fixed, int y,
                                 int mo, int d, int h, int mi)
{
    if (z != NULL && z->tz != NULL) {
        GTimeZone *gz = g_time_zone_new_identifier(z->tz);
        if (gz != NULL) {
            GDateTime *dt = g_date_time_new(gz, y, mo, d, h, mi, 0);
            g_time_zone_unref(gz);
            if (dt != NULL) {
                long long u = (long long)g_date_time_to_unix(dt);
                g_date_time_unref(dt);
                return u;
            }
        }
    }
    return rules_utc(y, mo, d, h, mi) - fixed * 60LL;
}

/* A date at token i: sets y (0 if absent), mo, d and *end (token after). */
static int rules_date_at(const rules_db_t *db, const rules_text_t *t, size_t i,
                         uint16_t seg, int *y, int *mo, int *d, size_t *end,
                         int *slash)
{
    const rules_tok_t *tk = &t->tok[i];
    int m;
    *slash = 0;
    /* A/B[/YYYY]: month and day order is decided by the time zone later
     * (American zones: 6/13 is June 13; elsewhere 13/6) */
    if (tk->len <= 2 && rules_all_digits(tk->w, tk->len) &&
        rules_same_seg(t, i + 1, seg) && rules_gap_is(t, i, i + 1, '/') &&
        t->tok[i + 1].len <= 2 &&
        rules_all_digits(t->tok[i + 1].w, t->tok[i + 1].len) &&
        !(i > 0 && t->tok[i - 1].seg == seg &&
          rules_gap_is(t, i - 1, i, '/'))) {
        *mo = atoi(tk->w);
        *d = atoi(t->tok[i + 1].w);
        *y = 0;
        *end = i + 2;
        if (rules_same_seg(t, i + 2, seg) &&
            rules_gap_is(t, i + 1, i + 2, '/')) {
            if ((*y = rules_year(&t->tok[i + 2])) == 0)
                return 0;
            *end = i + 3;
        }
        if (*mo < 1 || *mo > 31 || *d < 1 || *d > 31)
            return 0;
        *slash = 1;
        return 1;
    }
    /* Month D[, YYYY] */
    if ((m = rules_db_month(db, tk->w)) != 0 && rules_same_seg(t, i + 1, seg)) {
        int dd = rules_day(&t->tok[i + 1]);
        if (dd) {
            *mo = m;
            *d = dd;
            *y = 0;
            *end = i + 2;
            if (rules_same_seg(t, i + 2, seg) &&
                (*y = rules_year(&t->tok[i + 2])) != 0)
                *end = i + 3;
            return 1;
        }
    }
    /* D [de] Month [de] [YYYY] */
    int dd = rules_day(tk);
    if (dd && rules_same_seg(t, i + 1, seg)) {
        size_t k = i + 1;
        if ((strcmp(t->tok[k].w, "de") == 0 ||
             strcmp(t->tok[k].w, "of") == 0) &&
            rules_same_seg(t, k + 1, seg))
            k++; /* "4 de marzo", "9th of July" */
        if ((m = rules_db_month(db, t->tok[k].w)) != 0) {
            *mo = m;
            *d = dd;
            *y = 0;
            k++;
            size_t k2 = k;
            if (rules_same_seg(t, k2, seg) && strcmp(t->tok[k2].w, "de") == 0)
                k2++;
            if (rules_same_seg(t, k2, seg) &&
                (*y = rules_year(&t->tok[k2])) != 0)
                k = k2 + 1;
            *end = k;
            return 1;
        }
        /* DD-MM-YYYY */
        if (rules_same_seg(t, i + 2, seg) && rules_gap_is(t, i, i + 1, '-') &&
            rules_gap_is(t, i + 1, i + 2, '-') && t->tok[i + 1].len <= 2 &&
            rules_all_digits(tk->w, tk->len) &&
            rules_all_digits(t->tok[i + 1].w, t->tok[i + 1].len) &&
            (*y = rules_year(&t->tok[i + 2])) != 0) {
            m = atoi(t->tok[i + 1].w);
            if (m >= 1 && m <= 12) {
                *mo = m;
                *d = dd;
                *end = i + 3;
                return 1;
            }
        }
        /* DD.MM right before a time ("12.03 at 13:00", "12.03. um 10
         * Uhr"; a number such as "12.45" is not a date) */
        if (rules_same_seg(t, i + 2, seg) && rules_gap_is(t, i, i + 1, '.') &&
            rules_all_digits(tk->w, tk->len) && t->tok[i + 1].len == 2 &&
            rules_all_digits(t->tok[i + 1].w, 2) &&
            !rules_gap_is(t, i + 1, i + 2, '.') &&
            !(i > 0 && t->tok[i - 1].seg == seg &&
              rules_gap_is(t, i - 1, i, '.'))) {
            int h2, m2;
            size_t n2;
            m = atoi(t->tok[i + 1].w);
            if (m >= 1 && m <= 12 &&
                (rules_time(t, i + 2, seg, &h2, &m2, &n2) ||
                 (rules_time_prep(t, i + 2, seg) &&
                  rules_same_seg(t, i + 3, seg) &&
                  rules_time(t, i + 3, seg, &h2, &m2, &n2)))) {
                *mo = m;
                *d = dd;
                *y = 0;
                *end = i + 2;
                return 1;
            }
        }
        /* DD.MM.YYYY */
        if (rules_same_seg(t, i + 2, seg) && rules_gap_is(t, i, i + 1, '.') &&
            rules_gap_is(t, i + 1, i + 2, '.') && t->tok[i + 1].len <= 2 &&
            rules_all_digits(t->tok[i + 1].w, t->tok[i + 1].len) &&
            (*y = rules_year(&t->tok[i + 2])) != 0) {
            m = atoi(t->tok[i + 1].w);
            if (m >= 1 && m <= 12) {
                *mo = m;
                *d = dd;
                *end = i + 3;
                return 1;
            }
        }
    }
    /* YYYY-MM-DD (a time may be glued on: "04t14") */
    int yy = rules_year(tk);
    if (yy && rules_same_seg(t, i + 2, seg) && rules_gap_is(t, i, i + 1, '-') &&
        rules_gap_is(t, i + 1, i + 2, '-') && t->tok[i + 1].len == 2 &&
        rules_all_digits(t->tok[i + 1].w, 2) && t->tok[i + 2].len >= 2 &&
        rules_all_digits(t->tok[i + 2].w, 2)) {
        m = atoi(t->tok[i + 1].w);
        int d2 = (t->tok[i + 2].w[0] - '0') * 10 + (t->tok[i + 2].w[1] - '0');
        if (m >= 1 && m <= 12 && d2 >= 1 && d2 <= 31) {
            *y = yy;
            *mo = m;
            *d = d2;
            *end = i + 3;
            return 1;
        }
    }
    return 0;
}

/* ISO 8601 in raw text: 2025-03-04T14:00:00Z, 2025-03-04 14:00 UTC,
 * 2025-03-04T14:00+01:00. */
static int rules_iso(const char *s, size_t n, char *out, size_t out_size)
{
    for (size_t i = 0; i + 16 <= n; i++) {
        const char *p = s + i;
        if (!(isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
              isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
              p[4] == '-' && isdigit((unsigned char)p[5]) &&
              isdigit((unsigned char)p[6]) && p[7] == '-' &&
              isdigit((unsigned char)p[8]) && isdigit((unsigned char)p[9]) &&
              (p[10] == 'T' || p[10] == ' ') && isdigit((unsigned char)p[11]) &&
              isdigit((unsigned char)p[12]) && p[13] == ':' &&
              isdigit((unsigned char)p[14]) && isdigit((unsigned char)p[15])))
            continue;
        if (i > 0 && isdigit((unsigned char)s[i - 1]))
            continue;
        int y, mo, d, h, mi;
        if (sscanf(p, "%4d-%2d-%2d", &y, &mo, &d) != 3)
            continue;
        h = (p[11] - '0') * 10 + (p[12] - '0');
        mi = (p[14] - '0') * 10 + (p[15] - '0');
        size_t k = i + 16;
        if (k + 2 < n && s[k] == ':' && isdigit((unsigned char)s[k + 1]))
            k += 3;
        int off = INT_MIN;
        if (k < n && s[k] == 'Z')
            off = 0;
        else if (k + 5 <= n && (s[k] == '+' || s[k] == '-') &&
                 isdigit((unsigned char)s[k + 1])) {
            int oh = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
            size_t q = k + 3;
            if (q < n && s[q] == ':')
                q++;
            int om = (q + 1 < n) ? (s[q] - '0') * 10 + (s[q + 1] - '0') : 0;
            off = (s[k] == '-' ? -1 : 1) * (oh * 60 + om);
        } else if (k + 4 <= n && s[k] == ' ' &&
                   (memcmp(s + k + 1, "UTC", 3) == 0 ||
                    memcmp(s + k + 1, "GMT", 3) == 0))
            off = 0;
        if (off == INT_MIN || mo < 1 || mo > 12 || d < 1 ||
            d > rules_days_in_month(y, mo) || h > 23 || mi > 59)
            continue;
        rules_fmt(rules_utc(y, mo, d, h, mi) - off * 60LL, out, out_size);
        return 1;
    }
    return 0;
}

/* Weekday names (0 = Sunday) in the languages of the phrase tables. */
static int rules_weekday(const char *w)
{
    static const struct {
        const char *w;
        int d;
    } wd[] = {
        {"sunday", 0},
        {"sun", 0},
        {"monday", 1},
        {"mon", 1},
        {"tuesday", 2},
        {"tue", 2},
        {"tues", 2},
        {"wednesday", 3},
        {"wed", 3},
        {"thursday", 4},
        {"thu", 4},
        {"thurs", 4},
        {"friday", 5},
        {"fri", 5},
        {"saturday", 6},
        {"sat", 6},
        {"sonntag", 0},
        {"montag", 1},
        {"dienstag", 2},
        {"mittwoch", 3},
        {"donnerstag", 4},
        {"freitag", 5},
        {"samstag", 6},
        {"dimanche", 0},
        {"lundi", 1},
        {"mardi", 2},
        {"mercredi", 3},
        {"jeudi", 4},
        {"vendredi", 5},
        {"samedi", 6},
        {"domingo", 0},
        {"lunes", 1},
        {"martes", 2},
        {"miércoles", 3},
        {"miercoles", 3},
        {"jueves", 4},
        {"viernes", 5},
        {"sábado", 6},
        {"sabado", 6},
        {"segunda", 1},
        {"terça", 2},
        {"terca", 2},
        {"quarta", 3},
        {"quinta", 4},
        {"sexta", 5},
        {"zondag", 0},
        {"maandag", 1},
        {"dinsdag", 2},
        {"woensdag", 3},
        {"donderdag", 4},
        {"vrijdag", 5},
        {"zaterdag", 6},
        /* Italian, with and without the accent */
        {"domenica", 0},
        {"lunedì", 1},
        {"lunedi", 1},
        {"martedì", 2},
        {"martedi", 2},
        {"mercoledì", 3},
        {"mercoledi", 3},
        {"giovedì", 4},
        {"giovedi", 4},
        {"venerdì", 5},
        {"venerdi", 5},
        {"sabato", 6},
        /* Polish, nominative and accusative ("w środę") */
        {"niedziela", 0},
        {"niedzielę", 0},
        {"poniedziałek", 1},
        {"wtorek", 2},
        {"środa", 3},
        {"środę", 3},
        {"czwartek", 4},
        {"piątek", 5},
        {"sobota", 6},
        {"sobotę", 6},
    };
    /* called for every token: the first byte rejects almost all */
    for (size_t i = 0; i < sizeof wd / sizeof wd[0]; i++)
        if (w[0] == wd[i].w[0] && strcmp(w, wd[i].w) == 0)
            return wd[i].d;
    return -1;
}

/* Days after the message's date that a relative word names ("tomorrow",
 * "morgen", "demain", "mañana", "amanhã", "domani", "jutro"); -1 if none. */
static int rules_relative_day(const rules_text_t *t, size_t i, uint16_t seg,
                              size_t *end)
{
    static const struct {
        const char *w, *w2;
        int d;
    } rel[] = {
        {"day", "after", 2},    {"übermorgen", NULL, 2},
        {"après", "demain", 2}, {"pasado", "mañana", 2},
        {"depois", "de", 2},    {"overmorgen", NULL, 2},
        {"tomorrow", NULL, 1},  {"tmrw", NULL, 1},
        {"morgen", NULL, 1},    {"demain", NULL, 1},
        {"mañana", NULL, 1},    {"amanhã", NULL, 1},
        {"today", NULL, 0},     {"tonight", NULL, 0},
        {"heute", NULL, 0},     {"aujourd", NULL, 0},
        {"hoy", NULL, 0},       {"hoje", NULL, 0},
        {"vandaag", NULL, 0},   {"dopodomani", NULL, 2},
        {"domani", NULL, 1},    {"oggi", NULL, 0},
        {"stasera", NULL, 0},   {"pojutrze", NULL, 2},
        {"jutro", NULL, 1},     {"dzisiaj", NULL, 0},
        {"dziś", NULL, 0},
    };
    const char *w = t->tok[i].w;
    for (size_t k = 0; k < sizeof rel / sizeof rel[0]; k++) {
        if (w[0] != rel[k].w[0] || strcmp(w, rel[k].w) != 0)
            continue;
        if (rel[k].w2 != NULL) {
            if (!rules_same_seg(t, i + 1, seg) ||
                strcmp(t->tok[i + 1].w, rel[k].w2) != 0)
                continue;
            /* "day after tomorrow", "depois de amanhã" */
            size_t e = i + 2;
            if (rules_same_seg(t, e, seg) &&
                (strcmp(t->tok[e].w, "tomorrow") == 0 ||
                 strcmp(t->tok[e].w, "amanhã") == 0))
                e++;
            else if (strcmp(rel[k].w, "day") == 0 ||
                     strcmp(rel[k].w, "depois") == 0)
                continue;
            *end = e;
            return rel[k].d;
        }
        /* "mañana" after a time or "por la" is the morning */
        if (strcmp(w, "mañana") == 0 && i > 0 &&
            (strcmp(t->tok[i - 1].w, "la") == 0 ||
             strcmp(t->tok[i - 1].w, "de") == 0))
            continue;
        /* German "morgen" after "am"/"guten" is the morning */
        if (strcmp(w, "morgen") == 0 && i > 0 &&
            (strcmp(t->tok[i - 1].w, "guten") == 0 ||
             strcmp(t->tok[i - 1].w, "am") == 0))
            continue;
        *end = i + 1;
        return rel[k].d;
    }
    return -1;
}

/* The line at ls is in a block of forwarded-message headers: a line
 * starting "From:", "Subject:", "Sent:"... (in the languages of the
 * tables) within two lines before or after it. "Date: Thursday, 24 April"
 * alone in an invitation is the interview's date. */
static int rules_header_block(const char *s, const char *e, const char *ls)
{
    static const char *const h[] = {
        "from:",    "von:",       "de:",        "de :",      "van:",
        "subject:", "betreff:",   "objet :",    "objet:",    "asunto:",
        "assunto:", "onderwerp:", "sent:",      "gesendet:", "envoyé :",
        "envoyé:",  "enviado:",   "verzonden:", "to:",       "an:",
        "à :",      "para:",      "aan:",       NULL};
    /* two lines back */
    const char *p = ls;
    for (int back = 0; back < 2 && p > s; back++) {
        p--;
        while (p > s && p[-1] != '\n')
            p--;
    }
    int lines = 0;
    for (const char *q = p; q < e && lines < 5; lines++) {
        const char *t = q;
        while (t < e && (*t == ' ' || *t == '>' || *t == '*'))
            t++;
        if (t != ls)
            for (size_t k = 0; h[k]; k++)
                if ((size_t)(e - t) >= strlen(h[k]) &&
                    strncasecmp(t, h[k], strlen(h[k])) == 0)
                    return 1;
        while (q < e && *q != '\n')
            q++;
        if (q < e)
            q++;
    }
    return 0;
}

/* The token is on a line that introduces quoted or forwarded mail ("On
 * Tue, Mar 4, 2025 at 9:31 AM Jo <jo@x> wrote:", "Am ... schrieb",
 * "Le ... a écrit", "Sent: ...", "Date: ..."): its date is when an older
 * message was written. */
static int rules_attribution_line(const rules_text_t *t, size_t i)
{
    const rules_seg_t *sg = &t->seg[t->tok[i].seg];
    const char *s = sg->text, *e = sg->text + sg->len;
    const char *p = s + t->tok[i].off;
    const char *ls = p;
    while (ls > s && ls[-1] != '\n')
        ls--;
    /* quoted too ("> On Fri, 6 Nov 2026 at 11:35, Jo wrote:": the
     * attribution of an older message inside the quoted one) */
    while (ls < p && (*ls == ' ' || *ls == '\t' || *ls == '*' || *ls == '>'))
        ls++;
    static const char *const hdr[] = {
        "date:",    "date :", "sent:",  "gesendet:",  "envoyé :", "envoyé:",
        "enviado:", "datum:", "fecha:", "verzonden:", "data:",    "from:",
        "von:",     "de :",   "de:",    "van:",       NULL};
    for (size_t k = 0; hdr[k]; k++)
        if (strncasecmp(ls, hdr[k], strlen(hdr[k])) == 0)
            return rules_header_block(s, e, ls);
    static const char *const intro[] = {"on ", "am ", "le ", "el ",
                                        "em ", "op ", "il ", NULL};
    int introduced = 0;
    for (size_t k = 0; intro[k]; k++)
        if (strncasecmp(ls, intro[k], strlen(intro[k])) == 0)
            introduced = 1;
    if (!introduced)
        return 0;
    /* the verb on this line or the next */
    const char *le = p;
    int lines = 0;
    while (le < e && lines < 2) {
        if (*le == '\n')
            lines++;
        le++;
    }
    static const char *const verb[] = {"wrote",    "schrieb",  "écrit",
                                       "escribió", "escreveu", "schreef",
                                       "scritto",  NULL};
    for (size_t k = 0; verb[k]; k++) {
        size_t vl = strlen(verb[k]);
        for (const char *q = ls; q + vl <= le; q++)
            if (strncasecmp(q, verb[k], vl) == 0)
                return 1;
    }
    return 0;
}

/* A zone abbreviation in capitals at token k ("ET", "CET"). */
static int rules_zone_abbr(const rules_db_t *db, const rules_text_t *t,
                           size_t k, uint16_t seg)
{
    size_t nz = 0;
    const rules_zone_t *z = rules_zone_name(db, t, k, seg, &nz);
    return z != NULL && z->upper && rules_tok_upper(t, k);
}

/* rules_time(), and a bare hour that a zone abbreviation follows ("at 11
 * ET", "(3 ET)"). */
static int rules_time_z(const rules_db_t *db, const rules_text_t *t, size_t i,
                        uint16_t seg, int *h, int *m, size_t *next)
{
    if (rules_time(t, i, seg, h, m, next))
        return 1;
    const rules_tok_t *tk = &t->tok[i];
    if (tk->len > 2 || !rules_all_digits(tk->w, tk->len) ||
        !rules_same_seg(t, i + 1, seg) || !rules_zone_abbr(db, t, i + 1, seg))
        return 0;
    const char *g;
    size_t gl;
    rules_gap(t, i, i + 1, &g, &gl);
    if (gl != 1 || g[0] != ' ')
        return 0;
    int hh = atoi(tk->w);
    if (hh < 1 || hh > 23)
        return 0;
    *h = hh;
    *m = 0;
    *next = i + 1;
    return 1;
}

/* The gap between tokens a and b holds a dash ("-", "–", "—"). */
static int rules_gap_dash(const rules_text_t *t, size_t a, size_t b)
{
    const char *g;
    size_t gl;
    rules_gap(t, a, b, &g, &gl);
    if (gl > 6)
        return 0;
    for (size_t k = 0; k < gl; k++)
        if (g[k] == '-' || (k + 2 < gl && (unsigned char)g[k] == 0xe2 &&
                            (unsigned char)g[k + 1] == 0x80 &&
                            ((unsigned char)g[k + 2] == 0x93 ||
                             (unsigned char)g[k + 2] == 0x94)))
            return 1;
    return 0;
}

/* 1 if w is one of the words of the NULL-ended list. */
static int rules_word_in(const char *w, const char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        if (strcmp(w, list[k]) == 0)
            return 1;
    return 0;
}

/* Words that join the two ends of a time range ("15h à 16h", "10:00 to
 * 11:00", "14 bis 15 Uhr"). */
static int rules_range_word(const char *w)
{
    static const char *const r[] = {"to",   "à",     "a",  "bis",
                                    "tot",  "até",   "al", "hasta",
                                    "till", "until", NULL};
    return rules_word_in(w, r);
}

/* Office hours after token i: a time range of four hours or more within
 * the next six words ("9:00 AM - 5:00 PM", "9am to 4pm", "between 9:00
 * and 17:00"). */
static int rules_office_hours_after(const rules_text_t *t, size_t i,
                                    uint16_t seg)
{
    for (size_t k = i + 1; k < i + 7 && rules_same_seg(t, k, seg); k++) {
        int h1, m1, h2, m2;
        size_t n1, n2;
        if (!rules_time(t, k, seg, &h1, &m1, &n1))
            continue;
        if (!rules_same_seg(t, n1, seg))
            return 0;
        static const char *const between[] = {"between", "zwischen", "entre",
                                              NULL};
        static const char *const and_[] = {"and", "und", "et", "y", "e", NULL};
        int btw = k > 0 && rules_word_in(t->tok[k - 1].w, between);
        size_t s2 = n1;
        if (!rules_gap_dash(t, n1 - 1, n1)) {
            if (!rules_range_word(t->tok[n1].w) &&
                !(btw && rules_word_in(t->tok[n1].w, and_)))
                return 0;
            s2 = n1 + 1;
        }
        if (!rules_same_seg(t, s2, seg) ||
            !rules_time(t, s2, seg, &h2, &m2, &n2))
            return 0;
        if (h2 < h1 && h2 < 12)
            h2 += 12; /* "9 - 5" */
        return (h2 * 60 + m2) - (h1 * 60 + m1) >= 4 * 60;
    }
    return 0;
}

/* Token i is a weekday that is office hours, not a day: the first of a
 * range of weekdays ("Monday to Friday", "Mon-Fri", "lundi au vendredi",
 * "Montag bis Freitag"), or the last of one when a time range of four
 * hours or more follows ("... to Friday, 9:00 AM - 5:00 PM"). The last
 * weekday without such hours is kept: "move your panel from Tuesday to
 * Wednesday 1 pm" is Wednesday. */
static int rules_weekday_range(const rules_text_t *t, size_t i, uint16_t seg)
{
    static const char *const join[] = {"through", "thru", "au", NULL};
    /* i first: a dash or a joining word, then a weekday */
    if (rules_same_seg(t, i + 1, seg)) {
        if (rules_gap_dash(t, i, i + 1) && rules_weekday(t->tok[i + 1].w) >= 0)
            return 1;
        if (rules_same_seg(t, i + 2, seg) &&
            (rules_range_word(t->tok[i + 1].w) ||
             rules_word_in(t->tok[i + 1].w, join)) &&
            rules_weekday(t->tok[i + 2].w) >= 0)
            return 1;
    }
    /* i last */
    int last = 0;
    if (i >= 1 && t->tok[i - 1].seg == seg && rules_gap_dash(t, i - 1, i) &&
        rules_weekday(t->tok[i - 1].w) >= 0)
        last = 1;
    if (i >= 2 && t->tok[i - 2].seg == seg &&
        (rules_range_word(t->tok[i - 1].w) ||
         rules_word_in(t->tok[i - 1].w, join)) &&
        rules_weekday(t->tok[i - 2].w) >= 0)
        last = 1;
    return last && rules_office_hours_after(t, i, seg);
}

/* The time found at token k ends a range ("10:00am - 10:30am", "15h à
 * 16h"): move to its start. */
static void rules_range_start(const rules_text_t *t, size_t k, uint16_t seg,
                              int *h, int *mi, size_t *tnext, size_t *tstart)
{
    for (size_t b = k >= 4 ? k - 4 : 0; b < k; b++) {
        int h2, m2;
        size_t n2;
        if (t->tok[b].seg != seg || !rules_time(t, b, seg, &h2, &m2, &n2))
            continue;
        if ((n2 == k && rules_gap_dash(t, k - 1, k)) ||
            (n2 + 1 == k && rules_range_word(t->tok[n2].w))) {
            *h = h2;
            *mi = m2;
            *tnext = n2;
            *tstart = b;
            return;
        }
    }
}

/* The time found at token k (hour *h, 24-hour) ends a range whose start is
 * a bare hour that takes the end's am/pm: "2-3pm PT", "10 - 11am",
 * "between 2 and 3pm", "from 9 to 10am" (a start with its own minutes or
 * am/pm is a time of its own, rules_range_start()), "from 11 to 12 noon".
 * The start is in the
 * afternoon when the end is and the start 12 hours later still comes
 * before it ("2-3pm" 14:00, "11-1pm" 11:00, "11-12pm" 11:00). A number
 * that ends a date ("March 2-3pm") is a day, not an hour. */
static void rules_bare_range_start(const rules_db_t *db, const rules_text_t *t,
                                   size_t k, uint16_t seg, int *h, int *mi,
                                   size_t *tstart)
{
    /* "12 noon" ends at "noon": the range word comes before the "12" */
    if (k >= 1 && strcmp(t->tok[k].w, "noon") == 0 &&
        strcmp(t->tok[k - 1].w, "12") == 0 && t->tok[k - 1].seg == seg)
        k--;
    if (k < 2)
        return;
    size_t b;
    const char *w1 = t->tok[k - 1].w;
    if (rules_gap_dash(t, k - 1, k))
        b = k - 1;
    else if (rules_range_word(w1) ||
             (strcmp(w1, "and") == 0 && k >= 3 && t->tok[k - 3].seg == seg &&
              strcmp(t->tok[k - 3].w, "between") == 0))
        b = k - 2;
    else
        return;
    const rules_tok_t *tb = &t->tok[b];
    if (tb->seg != seg || tb->len > 2 || !rules_all_digits(tb->w, tb->len))
        return;
    int n = atoi(tb->w);
    if (n < 0 || n > 23)
        return;
    for (size_t a = b >= 3 ? b - 3 : 0; a < b; a++) {
        int y2, m2, d2, s2;
        size_t e2;
        if (t->tok[a].seg == seg &&
            rules_date_at(db, t, a, seg, &y2, &m2, &d2, &e2, &s2) &&
            e2 == b + 1)
            return;
    }
    int end = *h * 60 + *mi;
    if (n <= 12 && *h >= 12 && (n + 12) * 60 < end)
        n += 12;
    if (n * 60 >= end)
        return;
    *h = n;
    *mi = 0;
    *tstart = b;
}

/* A time ending before token n is followed by its own date ("by 11:59 PM PT
 * on Friday, March 14"): a preposition of dates, then a date or a weekday,
 * within three words (zone words between). */
static int rules_time_has_later_date(const rules_db_t *db,
                                     const rules_text_t *t, size_t n,
                                     uint16_t seg)
{
    static const char *const on[] = {"on", "le", "el",  "am",  "op",
                                     "em", "no", "den", "the", NULL};
    for (size_t k = n; k < n + 4 && rules_same_seg(t, k, seg); k++) {
        int is_on = 0;
        for (size_t q = 0; on[q]; q++)
            if (strcmp(t->tok[k].w, on[q]) == 0)
                is_on = 1;
        if (is_on) {
            int y2, m2, d2, s2;
            size_t e2;
            return rules_same_seg(t, k + 1, seg) &&
                   (rules_weekday(t->tok[k + 1].w) >= 0 ||
                    rules_date_at(db, t, k + 1, seg, &y2, &m2, &d2, &e2, &s2));
        }
        if (!rules_tok_upper(t, k) && strcmp(t->tok[k].w, "time") != 0)
            return 0;
    }
    return 0;
}

/* "arrive at 8:45 for a 9:00 start", "arrive by 9:45 for a 10:00
 * interview": the time of arrival is not the appointment; the time after
 * it (within four words) is. */
static void rules_arrival_start(const rules_text_t *t, uint16_t seg, int *h,
                                int *mi, size_t *tnext, size_t *tstart)
{
    size_t k = *tstart;
    if (k < 2 || t->tok[k - 2].seg != seg ||
        (strcmp(t->tok[k - 2].w, "arrive") != 0 &&
         strcmp(t->tok[k - 2].w, "arriving") != 0 &&
         strcmp(t->tok[k - 2].w, "arrival") != 0))
        return;
    for (size_t q = *tnext; q < *tnext + 4 && rules_same_seg(t, q, seg); q++) {
        int h2, m2;
        size_t n2;
        if (rules_time(t, q, seg, &h2, &m2, &n2)) {
            *h = h2;
            *mi = m2;
            *tnext = n2;
            *tstart = q;
            return;
        }
    }
}

/* A time near an anchor ending at token `end` (starting at `i`): after it
 * (within 7 words, unless that time is the next date's), else shortly
 * before it (within 8). The start of a range is the time. */
static int rules_time_near(const rules_db_t *db, const rules_text_t *t,
                           size_t i, size_t end, uint16_t seg, int *h, int *mi,
                           size_t *tnext, size_t *tstart)
{
    for (size_t k = end; k < end + 7 && rules_same_seg(t, k, seg); k++) {
        if (rules_time_z(db, t, k, seg, h, mi, tnext)) {
            if (k > end && (rules_time_has_later_date(db, t, *tnext, seg) ||
                            rules_attribution_line(t, k)))
                break;
            *tstart = k;
            rules_bare_range_start(db, t, k, seg, h, mi, tstart);
            rules_arrival_start(t, seg, h, mi, tnext, tstart);
            return 1;
        }
        /* another date comes first: the time is its own */
        int y2, m2, d2, s2;
        size_t e2;
        if (k > end && (rules_date_at(db, t, k, seg, &y2, &m2, &d2, &e2, &s2) ||
                        rules_weekday(t->tok[k].w) >= 0))
            break;
    }
    size_t lo = i >= 8 ? i - 8 : 0;
    for (size_t k = lo; k < i; k++)
        if (t->tok[k].seg == seg && rules_time_z(db, t, k, seg, h, mi, tnext) &&
            *tnext <= i && !rules_attribution_line(t, k)) {
            *tstart = k;
            rules_bare_range_start(db, t, k, seg, h, mi, tstart);
            rules_range_start(t, k, seg, h, mi, tnext, tstart);
            return 1;
        }
    return 0;
}

/* The local calendar date of a UTC time at an offset (minutes). */
static void rules_local_date(long long utc, int off, int *y, int *mo, int *d,
                             int *wday)
{
    time_t tt = (time_t)(utc + off * 60LL);
    struct tm tm;
    gmtime_r(&tt, &tm);
    *y = tm.tm_year + 1900;
    *mo = tm.tm_mon + 1;
    *d = tm.tm_mday;
    *wday = tm.tm_wday;
}

/* Day of month after a weekday: "Tuesday the 17th", "Tuesday 17th",
 * "mardi 17" (not followed by a month: rules_date_at reads those). */
static int rules_weekday_day(const rules_text_t *t, size_t i, uint16_t seg,
                             size_t *end)
{
    size_t k = i + 1;
    if (rules_same_seg(t, k, seg) && strcmp(t->tok[k].w, "the") == 0)
        k++;
    if (!rules_same_seg(t, k, seg))
        return 0;
    const rules_tok_t *tk = &t->tok[k];
    int d = rules_day(tk);
    /* "17th" or "the 17"; a bare number may be an hour ("Tuesday 3pm") */
    if (d == 0 || (rules_all_digits(tk->w, tk->len) && k == i + 1))
        return 0;
    if (rules_same_seg(t, k + 1, seg) &&
        (rules_gap_is(t, k, k + 1, ':') || rules_gap_is(t, k, k + 1, '.')))
        return 0;
    *end = k + 1;
    return d;
}

/* Zones whose people write dates month first. */
static int rules_month_first_tz(const char *tz)
{
    static const char *const us[] = {"America/New_York",
                                     "America/Chicago",
                                     "America/Denver",
                                     "America/Phoenix",
                                     "America/Los_Angeles",
                                     "America/Anchorage",
                                     "America/Toronto",
                                     "America/Vancouver",
                                     "America/Halifax",
                                     "America/Detroit",
                                     "America/St_Johns",
                                     "Pacific/Honolulu",
                                     NULL};
    for (size_t i = 0; us[i]; i++)
        if (strcmp(tz, us[i]) == 0)
            return 1;
    return 0;
}

/* The segment reads as English: more English function words than
 * Spanish, Portuguese, French, German or Dutch ones. */
static int rules_english_text(const rules_text_t *t, uint16_t seg)
{
    static const char *const en[] = {"the",  "and", "to", "you", "for",
                                     "with", "is",  "we", NULL};
    static const char *const other[] = {
        "de",  "que", "para", "la",    "el",   "le",   "und", "der", "die",
        "het", "een", "você", "usted", "nous", "vous", "com", "por", "les",
        "des", "und", "mit",  "ich",   "een",  "van",  NULL};
    int ne = 0, no = 0;
    for (size_t i = 0; i < t->ntok; i++) {
        if (t->tok[i].seg != seg)
            continue;
        for (size_t k = 0; en[k]; k++)
            if (strcmp(t->tok[i].w, en[k]) == 0)
                ne++;
        for (size_t k = 0; other[k]; k++)
            if (strcmp(t->tok[i].w, other[k]) == 0)
                no++;
    }
    return ne >= no;
}

/* The zone written after the same time of day elsewhere in the segment,
 * or in its quoted lines ("> Would Thursday at 3pm CET work?"): a reply
 * that confirms "Thursday 3pm works" means the proposal's clock, not the
 * replier's. 1 if found (*zone or *off set). */
static int rules_zone_of_time(const rules_db_t *db, const rules_text_t *t,
                              uint16_t seg, int h, int mi,
                              const rules_zone_t **zone, int *off, int quoted)
{
    for (size_t i = 0; i < t->ntok; i++) {
        int h2, m2;
        size_t n2;
        if (t->tok[i].seg != seg || !rules_time(t, i, seg, &h2, &m2, &n2) ||
            h2 != h || m2 != mi)
            continue;
        const rules_zone_t *z = NULL;
        int o = INT_MIN;
        if (rules_zone(db, t, n2, seg, &z, &o) && (z != NULL || o != INT_MIN)) {
            *zone = z;
            *off = o;
            return 1;
        }
    }
    if (!quoted)
        return 0;
    const rules_seg_t *sg = &t->seg[seg];
    if (sg->len == 0 || memchr(sg->text, '>', sg->len) == NULL)
        return 0;
    char *copy = g_strndup(sg->text, sg->len);
    char *q = rules_quoted_text(copy);
    g_free(copy);
    if (q == NULL)
        return 0;
    int r = 0;
    rules_text_t qt;
    rules_text_init(&qt);
    if (rules_text_add(&qt, q, strlen(q), RULES_F_BODY, RULES_SEG_TEXT) == 0)
        r = rules_zone_of_time(db, &qt, 0, h, mi, zone, off, 0);
    rules_text_free(&qt);
    free(q);
    return r;
}

/* A time without a zone of its own takes the zone written beside its
 * date: right after the date when the time comes first ("4:00pm - 4:30pm,
 * Thursday, August 13, 2026 (Pacific Time - US & Canada)"), or between the
 * date and the time ("Thursday, November 19 (all times CET):\n 09:00").
 * The date runs from token i to end, the time starts at tstart. */
static void rules_zone_by_date(const rules_db_t *db, const rules_text_t *t,
                               uint16_t seg, size_t i, size_t end,
                               size_t tstart, const rules_zone_t **zone,
                               int *off)
{
    if (tstart < i) {
        const rules_zone_t *z = NULL;
        int o = INT_MIN;
        if (rules_zone(db, t, end, seg, &z, &o) &&
            (z != NULL || o != INT_MIN)) {
            *zone = z;
            *off = o;
        }
        return;
    }
    for (size_t k = end; k < tstart && rules_same_seg(t, k, seg); k++) {
        size_t nz = 0;
        const rules_zone_t *z = rules_zone_name(db, t, k, seg, &nz);
        if (z != NULL && (z->tz == NULL || rules_tz_resolves(z->tz))) {
            *zone = z;
            *off = z->offset;
            return;
        }
    }
}

/* The line of token i starts with a word that marks a replaced time
 * ("Former:", "Previously", "Old time", "Original", "Was:", "Bisher",
 * "Ancien", "Anterior", "Oud"): a rescheduled event's new time is below. */
static int rules_former_line(const rules_text_t *t, size_t i)
{
    static const char *const w[] = {
        "former",     "previous", "previously", "old",    "original",
        "originally", "was",      "bisher",     "vorher", "alt",
        "ancien",     "ancienne", "anterior",   "oud",    "eerder",
        "vorige",     NULL};
    const rules_seg_t *sg = &t->seg[t->tok[i].seg];
    size_t p = t->tok[i].off;
    while (p > 0 && sg->text[p - 1] != '\n')
        p--;
    while (p < t->tok[i].off && !isalpha((unsigned char)sg->text[p]))
        p++;
    size_t q = p;
    while (q < sg->len && isalpha((unsigned char)sg->text[q]))
        q++;
    /* the token itself starts the line: no label word before it (q would
     * be past the token, and the length below would wrap around) */
    if (q >= t->tok[i].off)
        return 0;
    /* the word labels the line: a colon follows it within two words */
    const char *colon = memchr(sg->text + q, ':', t->tok[i].off - q);
    if (colon == NULL || colon - (sg->text + q) > 12)
        return 0;
    for (size_t k = 0; w[k]; k++)
        if (q - p == strlen(w[k]) &&
            strncasecmp(sg->text + p, w[k], q - p) == 0)
            return 1;
    return 0;
}

/* A sentence ends between tokens a and b: '.', '!', '?', ';', or a line
 * break (any when lines is 1; only a blank line when it is 0: a single
 * line break may wrap a sentence). */
static int rules_gap_breaks(const rules_text_t *t, size_t a, size_t b,
                            int lines)
{
    const char *g;
    size_t gl;
    rules_gap(t, a, b, &g, &gl);
    const char *nl = memchr(g, '\n', gl);
    if (nl != NULL &&
        (lines || memchr(nl + 1, '\n', gl - (size_t)(nl + 1 - g)) != NULL))
        return 1;
    for (size_t k = 0; k < gl; k++)
        if (g[k] == '.' || g[k] == '!' || g[k] == '?' || g[k] == ';')
            return 1;
    return 0;
}

/* The date at token i is the time an appointment had before it moved:
 * "(previously Thursday, December 10 ...)", "instead of Tuesday", "moved
 * your interview from Thursday, December 10 at 3:00 PM to Friday ...",
 * "Sent on ..." (a footer's sending time); within the sentence, up to 16
 * words back. */
static int rules_old_slot(const rules_text_t *t, size_t i, uint16_t seg)
{
    static const char *const before[] = {
        "previously",   "formerly", "originally",
        "ursprünglich", "sent",     "gesendet",
        "envoyé",       "enviado",  NULL};
    static const char *const move[] = {
        "moved",   "move",    "moving",  "rescheduled", "reschedule",
        "shifted", "shift",   "changed", "verschoben",  "verlegt",
        "déplacé", "reporté", "movido",  "cambiado",    NULL};
    int from = 0;
    for (size_t b = 1; b <= 16 && b <= i; b++) {
        size_t k = i - b;
        if (t->tok[k].seg != seg || rules_gap_breaks(t, k, k + 1, 0))
            break;
        const char *w = t->tok[k].w;
        if (b <= 2 && (rules_word_in(w, before) ||
                       (strcmp(w, "of") == 0 && k > 0 &&
                        strcmp(t->tok[k - 1].w, "instead") == 0)))
            return 1;
        if (b <= 2 && (strcmp(w, "from") == 0 || strcmp(w, "von") == 0 ||
                       strcmp(w, "du") == 0 || strcmp(w, "del") == 0))
            from = 1;
        if (from && rules_word_in(w, move))
            return 1;
    }
    return 0;
}

/* "8:30 your time (14:30 Lisbon)", "2pm local time (3 ET)": a time given
 * in the reader's clock with the zoned one beside it; the zoned one is
 * the appointment (alone, "your time" is the sender's clock, WRITING.md).
 * A bare alternative hour ("3") takes the half of the day nearest the
 * first. */
static void rules_your_time_alt(const rules_db_t *db, const rules_text_t *t,
                                uint16_t seg, int *h, int *mi, size_t *tnext)
{
    size_t k = *tnext;
    if (!rules_same_seg(t, k + 1, seg) ||
        (strcmp(t->tok[k].w, "your") != 0 &&
         strcmp(t->tok[k].w, "local") != 0) ||
        strcmp(t->tok[k + 1].w, "time") != 0)
        return;
    for (size_t a = k + 2; a < k + 5 && rules_same_seg(t, a, seg); a++) {
        int h2, m2;
        size_t n2;
        const rules_zone_t *z;
        int o = INT_MIN;
        if (!rules_time_z(db, t, a, seg, &h2, &m2, &n2))
            continue;
        if (!rules_zone(db, t, n2, seg, &z, &o) || (z == NULL && o == INT_MIN))
            return;
        if (h2 < 12 && t->tok[a].len <= 2 &&
            rules_all_digits(t->tok[a].w, t->tok[a].len) &&
            abs(h2 + 12 - *h) < abs(h2 - *h))
            h2 += 12;
        *h = h2;
        *mi = m2;
        *tnext = n2;
        return;
    }
}

/* The date on the attribution line that starts at token k ("On Fri, 6 Nov
 * 2026 at 11:35, Jo <jo@x> wrote:", "Sent: Friday, November 6, 2026 11:35
 * AM"), or on the line after it ("wrote:" may wrap), as 12:00 UTC of that
 * day; 0 when it writes none (or only A/B, whose order is unknown). */
static long long rules_attr_day(const rules_db_t *db, const rules_text_t *t,
                                size_t k, uint16_t seg, long long ref_utc)
{
    for (size_t j = k, lines = 0; rules_same_seg(t, j, seg); j++) {
        const char *g;
        size_t gl;
        if (j > k) {
            rules_gap(t, j - 1, j, &g, &gl);
            if (memchr(g, '\n', gl) != NULL && ++lines > 1)
                return 0;
        }
        int y = 0, mo = 0, d = 0, slash = 0;
        size_t end;
        if (!rules_date_at(db, t, j, seg, &y, &mo, &d, &end, &slash))
            continue;
        if (slash || mo < 1 || mo > 12 || d < 1)
            return 0;
        if (y == 0) { /* "On Mon, Nov 9 at 6:20 PM": not after the reply */
            time_t rt = (time_t)ref_utc;
            struct tm rtm;
            gmtime_r(&rt, &rtm);
            y = rtm.tm_year + 1900;
            if (rules_utc(y, mo, d, 12, 0) > ref_utc + 2 * 86400LL)
                y--;
        }
        return d > rules_days_in_month(y, mo) ? 0 : rules_utc(y, mo, d, 12, 0);
    }
    return 0;
}

/* The day the older message that holds token i was written: the date on
 * the nearest attribution line above it (rules_attr_day(); quoted with '>'
 * or not), else t->quote_day (quoted text read apart from its reply); 0
 * when unknown. A weekday in quoted history is counted from that day, not
 * from the reply's (trial 81: "booked the phone screen for Wednesday
 * 10:00", written on a Friday and quoted in a reply sent that Wednesday,
 * was read as the Wednesday after the reply). */
static long long rules_quote_day(const rules_db_t *db, const rules_text_t *t,
                                 size_t i, uint16_t seg, long long ref_utc)
{
    for (size_t k = i; k-- > 0 && t->tok[k].seg == seg;) {
        const char *g;
        size_t gl;
        int line_start = k == 0 || t->tok[k - 1].seg != seg;
        if (!line_start) {
            rules_gap(t, k - 1, k, &g, &gl);
            line_start = memchr(g, '\n', gl) != NULL;
        }
        if (line_start && rules_attribution_line(t, k))
            return rules_attr_day(db, t, k, seg, ref_utc);
    }
    return t->quote_day;
}

/* rules_find_date_tokens(), keeping only a date on weekday want_wday
 * (0 = Sunday; -1: any); with written, only a date written out (not a
 * weekday or "tomorrow" read from the message's date); from token `from`
 * on. *at (when not NULL) gets the token the date starts at. */
static int rules_find_date_at(const rules_db_t *db, const rules_text_t *t,
                              uint16_t seg, long long ref_utc,
                              int default_offset_min, int want_wday,
                              int written, size_t from, size_t *at, char *out,
                              size_t out_size)
{
    if (out_size < 21)
        return 0;
    const rules_seg_t *sg = &t->seg[seg];
    if (from == 0 && rules_iso(sg->text, sg->len, out, out_size))
        return 1;
    int ref_off = default_offset_min == INT_MIN ? 0 : default_offset_min;
    for (size_t i = from; i < t->ntok; i++) {
        if (t->tok[i].seg != seg)
            continue;
        int y = 0, mo = 0, d = 0, slash = 0, rel = -1, wday = -1;
        size_t end;
        if (!rules_date_at(db, t, i, seg, &y, &mo, &d, &end, &slash)) {
            /* a weekday, "tomorrow", "next Tuesday" resolved from the
             * message's date; a weekday followed by a written date is
             * read at the date */
            if (ref_utc <= 0 || written)
                continue;
            wday = rules_weekday(t->tok[i].w);
            if (wday >= 0 && rules_weekday_range(t, i, seg))
                continue; /* "Monday to Friday, 9:00 AM - 5:00 PM" */
            if (wday < 0) {
                rel = rules_relative_day(t, i, seg, &end);
                if (rel < 0)
                    continue;
            } else {
                int later = 0, y2, m2, d2, s2;
                size_t e2;
                for (size_t k = i + 1; k < i + 4 && rules_same_seg(t, k, seg);
                     k++)
                    if (rules_date_at(db, t, k, seg, &y2, &m2, &d2, &e2, &s2))
                        later = 1;
                if (later)
                    continue;
                end = i + 1;
                d = rules_weekday_day(t, i, seg, &end);
            }
        }
        if (rules_attribution_line(t, i) || rules_old_slot(t, i, seg))
            continue;
        int h = -1, mi = 0;
        size_t tnext = 0, tstart = 0;
        if (!rules_time_near(db, t, i, end, seg, &h, &mi, &tnext, &tstart))
            continue;
        if (rules_former_line(t, i))
            continue;
        const rules_zone_t *zone = NULL;
        int off = INT_MIN;
        rules_your_time_alt(db, t, seg, &h, &mi, &tnext);
        if (!rules_zone(db, t, tnext, seg, &zone, &off)) {
            /* "at 10:00 or 14:00 CET": the zone after the next time */
            int h2, m2;
            size_t n2;
            if (rules_same_seg(t, tnext + 1, seg) &&
                (strcmp(t->tok[tnext].w, "or") == 0 ||
                 strcmp(t->tok[tnext].w, "and") == 0 ||
                 strcmp(t->tok[tnext].w, "oder") == 0 ||
                 strcmp(t->tok[tnext].w, "ou") == 0 ||
                 strcmp(t->tok[tnext].w, "o") == 0 ||
                 strcmp(t->tok[tnext].w, "y") == 0 ||
                 rules_range_word(t->tok[tnext].w)) &&
                rules_time(t, tnext + 1, seg, &h2, &m2, &n2))
                rules_zone(db, t, n2, seg, &zone, &off);
            else if (tnext + 1 < t->ntok && t->tok[tnext].seg == seg) {
                /* "2:00 PM - 3:00 PM EST", "17:00–17:45 (CET)" */
                if (rules_gap_dash(t, tnext - 1, tnext) &&
                    rules_time(t, tnext, seg, &h2, &m2, &n2)) {
                    rules_zone(db, t, n2, seg, &zone, &off);
                    /* "1:30 - 2:00 PM": the first time is PM too */
                    if (h < 12 && h2 >= 12 && h + 12 <= h2)
                        h += 12;
                }
            }
        }
        if (off == INT_MIN && zone == NULL)
            rules_zone_by_date(db, t, seg, i, end, tstart, &zone, &off);
        if (off == INT_MIN && zone == NULL)
            rules_zone_of_time(db, t, seg, h, mi, &zone, &off, 1);
        if (off == INT_MIN && zone == NULL)
            off = default_offset_min;
        if (off == INT_MIN && zone == NULL)
            continue;
        int today = 0;        /* the weekday is the reference day's own */
        long long quoted = 0; /* the day of the quoted message holding it */
        if (wday >= 0 || rel >= 0) {
            int ry, rm, rd, rw;
            quoted = rules_quote_day(db, t, i, seg, ref_utc);
            if (quoted > 0)
                rules_local_date(quoted, 0, &ry, &rm, &rd, &rw);
            else
                rules_local_date(ref_utc, ref_off, &ry, &rm, &rd, &rw);
            long long base = rules_utc(ry, rm, rd, 12, 0);
            if (rel >= 0)
                base += rel * 86400LL;
            else if (d > 0) {
                /* "Tuesday the 17th": the next 17th */
                int yy = ry, mm = rm;
                if (d < rd) {
                    if (++mm > 12) {
                        mm = 1;
                        yy++;
                    }
                }
                if (d > rules_days_in_month(yy, mm))
                    continue;
                base = rules_utc(yy, mm, d, 12, 0);
            } else {
                int delta = (wday - rw + 7) % 7;
                today = delta == 0 && t->weekday_today;
                base += (delta == 0 && !today ? 7 : delta) * 86400LL;
            }
            int bw;
            rules_local_date(base, 0, &y, &mo, &d, &bw);
            slash = 0;
        }
        /* month first in the United States and Canada (zones of
         * America/ west of UTC-4 that are not Latin American, or an offset
         * of UTC-4 to UTC-10 without one) unless the day cannot be a month */
        int american = zone != NULL && zone->tz != NULL
                           ? rules_month_first_tz(zone->tz)
                           : off <= -240 && off >= -600;
        if (slash && !rules_english_text(t, seg))
            american = 0;
        if (slash && american && mo > 12 && d <= 12)
            american = 0;
        if (slash && !american && d > 12 && mo <= 12)
            american = 1;
        if (slash && !american) { /* outside the Americas: day first */
            int tmp = mo;
            mo = d;
            d = tmp;
        }
        if (mo < 1 || mo > 12)
            continue;
        if (y == 0) {
            if (ref_utc <= 0)
                continue;
            time_t rt = (time_t)ref_utc;
            struct tm rtm;
            gmtime_r(&rt, &rtm);
            y = rtm.tm_year + 1900;
            if (rules_utc(y, mo, d, 12, 0) < ref_utc - 2 * 86400LL)
                y++;
        }
        if (d > rules_days_in_month(y, mo))
            continue;
        long long utc = rules_local_utc(zone, off, y, mo, d, h, mi);
        if (today && utc <= ref_utc) { /* that time has passed: next week */
            int nw;
            rules_local_date(rules_utc(y, mo, d, 12, 0) + 7 * 86400LL, 0, &y,
                             &mo, &d, &nw);
            utc = rules_local_utc(zone, off, y, mo, d, h, mi);
        }
        if (ref_utc > 0 && utc < ref_utc - 86400)
            continue; /* a past date: when they applied, not the interview */
        if (quoted > 0 && utc < ref_utc)
            continue; /* a quoted weekday that had passed at this email */
        if (want_wday >= 0) {
            int wy, wm, wd, ww;
            rules_local_date(rules_utc(y, mo, d, 12, 0), 0, &wy, &wm, &wd, &ww);
            if (ww != want_wday)
                continue;
        }
        /* the email's own sending time ("Sent on Friday, December 4,
         * 2026 at 10:30 AM ET" in a footer, minutes before the Date
         * header) is no appointment */
        if (ref_utc > 0 && utc >= ref_utc - 3600 && utc <= ref_utc + 120)
            continue;
        (void)tstart;
        rules_fmt(utc, out, out_size);
        if (at != NULL)
            *at = i;
        return 1;
    }
    return 0;
}

static int rules_find_date_wday_ex(const rules_db_t *db, const rules_text_t *t,
                                   uint16_t seg, long long ref_utc,
                                   int default_offset_min, int want_wday,
                                   int written, size_t from, char *out,
                                   size_t out_size)
{
    return rules_find_date_at(db, t, seg, ref_utc, default_offset_min,
                              want_wday, written, from, NULL, out, out_size);
}

static int rules_find_date_wday(const rules_db_t *db, const rules_text_t *t,
                                uint16_t seg, long long ref_utc,
                                int default_offset_min, int want_wday,
                                char *out, size_t out_size)
{
    return rules_find_date_wday_ex(db, t, seg, ref_utc, default_offset_min,
                                   want_wday, 0, 0, out, out_size);
}

/* The weekdays the segment names above any quoted or forwarded header
 * ("Friday at 2 works best" above "-----Original Message-----\nFrom:
 * ..."), as a mask: bit 0 Sunday ... bit 6 Saturday. */
static unsigned rules_new_weekdays(const rules_text_t *t, uint16_t seg)
{
    unsigned mask = 0;
    for (size_t i = 0; i < t->ntok; i++) {
        if (t->tok[i].seg != seg)
            continue;
        if (i > 0 && t->tok[i - 1].seg == seg) {
            const char *g;
            size_t gl;
            rules_gap(t, i - 1, i, &g, &gl);
            if (memchr(g, '\n', gl) != NULL && rules_attribution_line(t, i))
                break; /* checked once per line */
        }
        if (t->tok[i].len < 3 || t->tok[i].len > 10 ||
            (t->tok[i].flags & RULES_T_DIGIT))
            continue;
        int w = rules_weekday(t->tok[i].w);
        if (w >= 0)
            mask |= 1u << w;
    }
    return mask;
}

/* The one weekday the segment names above any quoted or forwarded header;
 * -1 when it names none or several. */
static int rules_top_weekday(const rules_text_t *t, uint16_t seg)
{
    unsigned mask = rules_new_weekdays(t, seg);
    if (mask == 0 || (mask & (mask - 1)) != 0)
        return -1;
    int w = 0;
    while (!(mask & (1u << w)))
        w++;
    return w;
}

size_t rules_first_attribution(const rules_text_t *t, uint16_t seg)
{
    for (size_t i = 1; i < t->ntok; i++) {
        if (t->tok[i].seg != seg || t->tok[i - 1].seg != seg)
            continue;
        const char *g;
        size_t gl;
        rules_gap(t, i - 1, i, &g, &gl);
        if (memchr(g, '\n', gl) != NULL && rules_attribution_line(t, i))
            return i;
    }
    return 0;
}

int rules_find_date_tokens(const rules_db_t *db, const rules_text_t *t,
                           uint16_t seg, long long ref_utc,
                           int default_offset_min, char *out, size_t out_size)
{
    /* a reply that names one weekday ("Friday at 2 works best") above
     * the proposal's options: the option on that day first */
    int want = rules_top_weekday(t, seg);
    return (want >= 0 &&
            rules_find_date_wday(db, t, seg, ref_utc, default_offset_min, want,
                                 out, out_size)) ||
           rules_find_date_wday(db, t, seg, ref_utc, default_offset_min, -1,
                                out, out_size);
}

int rules_find_date(const rules_db_t *db, const char *text, long long ref_utc,
                    int default_offset_min, char *out, size_t out_size)
{
    rules_text_t t;
    rules_text_init(&t);
    int r = 0;
    if (rules_text_add(&t, text, strlen(text), RULES_F_BODY, 0) == 0)
        r = rules_find_date_tokens(db, &t, 0, ref_utc, default_offset_min, out,
                                   out_size);
    rules_text_free(&t);
    return r;
}

/* The zone offset of an RFC 5322 Date header ("... +0530", "... GMT"), in
 * minutes; INT_MIN when it names none. */
static int rules_date_header_zone(const char *raw)
{
    if (raw == NULL)
        return INT_MIN;
    int found = INT_MIN;
    for (const char *p = raw; *p; p++) {
        if ((*p == '+' || *p == '-') && p > raw && p[-1] == ' ' &&
            strspn(p + 1, "0123456789") == 4) {
            int h = (p[1] - '0') * 10 + (p[2] - '0');
            int m = (p[3] - '0') * 10 + (p[4] - '0');
            /* as the normalizer reads it: minutes under 60, and no zone
             * is more than 14 hours off UTC (trial 70: "+9999" moved
             * "Thursday at 10:00" to a Sunday) */
            if (m >= 60 || h > 14)
                continue;
            found = *p == '-' ? -(h * 60 + m) : h * 60 + m;
        }
    }
    if (found == INT_MIN && (strstr(raw, " GMT") || strstr(raw, " UT")))
        found = 0;
    return found;
}

/* A word that starts a day or date: a weekday, a month (its first three
 * letters, English), a number, "tomorrow". */
static int rules_day_word(const char *w)
{
    static const char *const mon[] = {"jan", "feb", "mar", "apr", "may",
                                      "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec", NULL};
    char m3[4] = {0};
    memcpy(m3, w, strlen(w) < 3 ? strlen(w) : 3);
    return rules_weekday(w) >= 0 || isdigit((unsigned char)w[0]) ||
           rules_word_in(m3, mon) || strcmp(w, "tomorrow") == 0;
}

int rules_moved_cue(const rules_text_t *t, uint16_t seg)
{
    static const char *const moved[] = {
        "rescheduled",  "verschoben",   "reporté",   "reportée",
        "reprogramado", "reprogramada", "remarcado", "remarcada",
        "verplaatst",   "verzet",       "rebooked",  NULL};
    static const char *const maybe[] = {
        "if",    "need", "needs", "should", "can",  "could", "wenn",
        "falls", "si",   "se",    "als",    "ever", "able",  NULL};
    static const char *const former[] = {"previously", "former",   "bisher",
                                         "ancien",     "anterior", NULL};
    static const char *const new_[] = {"new",      "neuer",  "neue",  "nouvel",
                                       "nouvelle", "nueva",  "nuevo", "novo",
                                       "nova",     "nieuwe", NULL};
    static const char *const slot[] = {"time", "date",  "termin",  "horaire",
                                       "hora", "fecha", "horário", "data",
                                       "tijd", "datum", NULL};
    for (size_t i = 0; i < t->ntok; i++) {
        if (t->tok[i].seg != seg)
            continue;
        const char *w = t->tok[i].w;
        if (rules_word_in(w, moved)) {
            /* "if it ever needs to be rescheduled": an offer, not a move */
            int cond = 0;
            for (size_t b = i >= 4 ? i - 4 : 0; b < i; b++)
                if (t->tok[b].seg == seg && rules_word_in(t->tok[b].w, maybe))
                    cond = 1;
            if (!cond)
                return 1;
        }
        /* "New time:", "Previously: Tuesday ..." (a labelled line) */
        if (rules_same_seg(t, i + 1, seg) && rules_word_in(w, new_) &&
            rules_word_in(t->tok[i + 1].w, slot))
            return 1;
        if (rules_same_seg(t, i + 1, seg) && rules_word_in(w, former)) {
            const char *g;
            size_t gl;
            rules_gap(t, i, i + 1, &g, &gl);
            if (memchr(g, ':', gl) != NULL)
                return 1;
        }
        /* "moved to Wednesday", "move your panel from Tuesday to
         * Wednesday", "moved your interview to Friday", "we need to
         * reschedule your interview to Thursday" (a day or date after
         * "to", in the sentence: not "moved to the next round"; trial 78
         * for reschedule) */
        if (strcmp(w, "moved") == 0 || strcmp(w, "move") == 0 ||
            strcmp(w, "reschedule") == 0 || strcmp(w, "rescheduling") == 0) {
            for (size_t k = i + 1; k < i + 10 && rules_same_seg(t, k + 1, seg);
                 k++) {
                /* a single line break may wrap the sentence ("we have
                 * moved your\ninterview to Wednesday": trial 22) */
                if (rules_gap_breaks(t, k - 1, k, 0))
                    break;
                if (strcmp(t->tok[k].w, "to") == 0 &&
                    rules_day_word(t->tok[k + 1].w))
                    return 1;
            }
        }
        /* "(previously Thursday, December 10 ...)" */
        if (rules_same_seg(t, i + 1, seg) &&
            (strcmp(w, "previously") == 0 || strcmp(w, "formerly") == 0) &&
            rules_day_word(t->tok[i + 1].w))
            return 1;
        /* "your interview has been moved" (not "your application has
         * been moved forward") */
        static const char *const meet[] = {"interview", "call",        "panel",
                                           "meeting",   "chat",        "event",
                                           "session",   "appointment", NULL};
        if (strcmp(w, "moved") == 0 && i >= 3 &&
            strcmp(t->tok[i - 1].w, "been") == 0 &&
            (rules_word_in(t->tok[i - 3].w, meet) ||
             (i >= 4 && rules_word_in(t->tok[i - 4].w, meet))))
            return 1;
    }
    return 0;
}

/* Deadline cues: the word before a day by which something is due. */
static int rules_due_cue(const char *w)
{
    static const char *const cue[] = {
        "by",  "before",    "until", "till",  "due",   "deadline",
        "bis", "vor",       "avant", "antes", "hasta", "até",
        "ate", "uiterlijk", "voor",  "prima", "entro", NULL};
    return rules_word_in(w, cue);
}

/* Words that make the day after a cue a start date, not a deadline
 * ("start by January 4"). */
static int rules_start_word(const char *w)
{
    static const char *const st[] = {
        "start",     "starting", "begin",      "beginning", "join",
        "joining",   "onboard",  "onboarding", "commence",  "beginnen",
        "commencer", "empezar",  "começar",    NULL};
    return rules_word_in(w, st);
}

/* Words that may stand between a cue and its day ("by the end of
 * Friday", "is", "bis zum", "avant le", "antes del", "no later than"). */
static int rules_due_filler(const char *w)
{
    static const char *const f[] = {
        "the",    "end",  "of",   "on",     "is",    "no",       "later",
        "than",   "this", "next", "coming", "close", "business", "day",
        "eod",    "cob",  "zum",  "zur",    "dem",   "den",      "le",
        "la",     "el",   "del",  "al",     "au",    "o",        "a",
        "de",     "do",   "da",   "dia",    "jour",  "am",       "spätestens",
        "latest", NULL};
    return rules_word_in(w, f);
}

/* A word of an hour written before a deadline's day: "5", "00", "5pm",
 * "17h", "pm", "noon", a zone's abbreviation ("CST", "ET", "CET"). */
static int rules_due_time_word(const char *w)
{
    size_t n = strlen(w), d = strspn(w, "0123456789");
    if (d >= 1 && d <= 2 &&
        (w[d] == '\0' || strcmp(w + d, "am") == 0 || strcmp(w + d, "pm") == 0 ||
         strcmp(w + d, "h") == 0))
        return 1;
    static const char *const tw[] = {
        "am",       "pm",      "noon",    "midday",   "at",       "et",
        "ct",       "mt",      "pt",      "est",      "edt",      "cst",
        "cdt",      "mst",     "mdt",     "pst",      "pdt",      "gmt",
        "utc",      "bst",     "cet",     "cest",     "ist",      "time",
        "um",       "uhr",     "à",       "a",        "las",      "às",
        "eastern",  "central", "pacific", "mountain", "european", "standard",
        "daylight", NULL};
    return n <= 8 && rules_word_in(w, tw);
}

/* "within 7 days", "expires in 5 days", "binnen 3 dagen", "innerhalb von
 * 7 Tagen", "dentro de 5 días": the number of calendar days (1-60) from
 * the message's day, at token i; 0 when it is not such a phrase ("within
 * 5 business days" is not: which days count is not known). */
static int rules_within_days(const rules_text_t *t, size_t i, uint16_t seg)
{
    const char *w = t->tok[i].w;
    int within = strcmp(w, "within") == 0 || strcmp(w, "binnen") == 0 ||
                 strcmp(w, "innerhalb") == 0 || strcmp(w, "dentro") == 0;
    if (!within && strcmp(w, "in") == 0 && i > 0 && t->tok[i - 1].seg == seg)
        within = strcmp(t->tok[i - 1].w, "expires") == 0 ||
                 strcmp(t->tok[i - 1].w, "expire") == 0 ||
                 strcmp(t->tok[i - 1].w, "closes") == 0;
    if (!within)
        return 0;
    size_t k = i + 1;
    while (rules_same_seg(t, k, seg) && k < i + 3 &&
           (strcmp(t->tok[k].w, "the") == 0 ||
            strcmp(t->tok[k].w, "next") == 0 ||
            strcmp(t->tok[k].w, "von") == 0 || strcmp(t->tok[k].w, "de") == 0))
        k++;
    if (!rules_same_seg(t, k + 1, seg) || t->tok[k].len > 2 ||
        !rules_all_digits(t->tok[k].w, t->tok[k].len))
        return 0;
    int n = atoi(t->tok[k].w);
    static const char *const unit[] = {"days",   "day",  "tagen", "tage",
                                       "jours",  "días", "dias",  "dagen",
                                       "giorni", NULL};
    for (size_t u = 0; unit[u]; u++)
        if (strcmp(t->tok[k + 1].w, unit[u]) == 0)
            return n >= 1 && n <= 60 ? n : 0;
    return 0;
}

/* "to" after an extension in the sentence: "we have extended the
 * deadline for your offer to Friday, December 18" (trial 22). */
static int rules_extended_to(const rules_text_t *t, size_t i, uint16_t seg)
{
    static const char *const ext[] = {"extended", "extend", "extending",
                                      "pushed",   "moved",  NULL};
    if (strcmp(t->tok[i].w, "to") != 0)
        return 0;
    for (size_t b = 1; b <= 8 && b <= i; b++) {
        size_t k = i - b;
        if (t->tok[k].seg != seg || rules_gap_breaks(t, k, k + 1, 0))
            return 0;
        if (rules_word_in(t->tok[k].w, ext))
            return 1;
    }
    return 0;
}

/* rules_find_due_day() from token `from` on; *next gets the token after
 * the cue of the day found (where to look for another). */
static int rules_due_day_from(const rules_db_t *db, const rules_text_t *t,
                              uint16_t seg, long long ref_utc, int offset_min,
                              size_t from, size_t *next, char *out,
                              size_t out_size)
{
    if (out_size < 11)
        return 0;
    /* no date to read against (no Date header): only a day written with
     * its year (trial 70: "reply by December 20, 2026" gave nothing) */
    int noref = ref_utc <= 0;
    int off = offset_min == INT_MIN ? 0 : offset_min;
    int ry = 0, rmo = 0, rd = 0, rw = 0;
    if (!noref)
        rules_local_date(ref_utc, off, &ry, &rmo, &rd, &rw);
    long long ref_day = noref ? 0 : rules_utc(ry, rmo, rd, 0, 0);
    for (size_t i = from; i < t->ntok; i++) {
        if (t->tok[i].seg != seg)
            continue;
        int nd = noref ? 0 : rules_within_days(t, i, seg);
        if (nd > 0) {
            int yy, mm, dd, ww;
            rules_local_date(ref_day + nd * 86400LL, 0, &yy, &mm, &dd, &ww);
            snprintf(out, out_size, "%04d-%02d-%02d", yy, mm, dd);
            *next = i + 1;
            return 1;
        }
        /* "no later than Monday, December 7" */
        int than = strcmp(t->tok[i].w, "than") == 0 && i > 0 &&
                   strcmp(t->tok[i - 1].w, "later") == 0;
        if (!rules_due_cue(t->tok[i].w) && !than &&
            !rules_extended_to(t, i, seg))
            continue;
        int start = 0;
        for (size_t b = i >= 3 ? i - 3 : 0; b < i; b++)
            if (t->tok[b].seg == seg && rules_start_word(t->tok[b].w))
                start = 1;
        if (start)
            continue;
        /* the day within four words of the cue, in the same sentence:
         * "by December 14", "by Monday, 14 December", "bis zum 14.
         * Dezember", "by the end of Friday"; a single line break may wrap
         * the sentence ("submit it by\nWednesday, December 2": trial 23) */
        size_t lim = i + 6;
        for (size_t k = i + 1; k < lim && rules_same_seg(t, k, seg); k++) {
            if (rules_gap_breaks(t, k - 1, k, 0))
                break;
            int y = 0, mo = 0, d = 0, slash = 0;
            size_t end;
            if (rules_date_at(db, t, k, seg, &y, &mo, &d, &end, &slash)) {
                if (slash) {
                    /* 14/12 or 12/14 can be read one way only; 12/10 is
                     * month first from a North American offset (UTC-4 to
                     * -10) in English text, day first from elsewhere (as
                     * the scheduled date's reader has it), and left out
                     * when the Date header gives no offset */
                    int us = offset_min != INT_MIN && offset_min <= -240 &&
                             offset_min >= -600 && rules_english_text(t, seg);
                    int ambiguous = mo <= 12 && d <= 12;
                    if (ambiguous && offset_min == INT_MIN)
                        break;
                    if ((mo > 12 && d <= 12) || (ambiguous && !us)) {
                        int x = mo;
                        mo = d;
                        d = x;
                    }
                }
                if (mo < 1 || mo > 12)
                    break;
                if (y == 0 && noref)
                    break;
                if (y == 0) {
                    /* the next such day: not more than 60 days back */
                    y = ry;
                    if (d >= 1 && d <= rules_days_in_month(y, mo) &&
                        rules_utc(y, mo, d, 0, 0) < ref_day - 60 * 86400LL)
                        y++;
                }
                if (d < 1 || d > rules_days_in_month(y, mo))
                    break;
                snprintf(out, out_size, "%04d-%02d-%02d", y, mo, d);
                *next = i + 1;
                return 1;
            }
            int wd = rules_weekday(t->tok[k].w);
            /* the hour before the day ("respond by 5:00 PM CST on Friday,
             * January 30"): skipped, the window one word longer */
            if (wd < 0 && rules_due_time_word(t->tok[k].w)) {
                if (lim < i + 12)
                    lim++;
                continue;
            }
            if (wd < 0 && !rules_due_filler(t->tok[k].w))
                break; /* "by the way, December 25 ..." */
            if (wd >= 0) {
                /* "Friday, December 18" is read at the date */
                int y2, m2, d2, s2;
                size_t e2;
                int later = 0;
                for (size_t j = k + 1; j < k + 4 && rules_same_seg(t, j, seg);
                     j++)
                    if (rules_date_at(db, t, j, seg, &y2, &m2, &d2, &e2, &s2))
                        later = 1;
                if (later)
                    continue;
                /* a bare weekday: the next one after the message's day
                 * (the same weekday as the message's is left out: this
                 * week's or next week's; so is "next Friday", which some
                 * mean as the coming one and some as the week after) */
                int delta = (wd - rw + 7) % 7;
                if (noref || delta == 0 || strcmp(t->tok[k - 1].w, "next") == 0)
                    break;
                long long day = ref_day + delta * 86400LL;
                int yy, mm, dd, ww;
                rules_local_date(day, 0, &yy, &mm, &dd, &ww);
                snprintf(out, out_size, "%04d-%02d-%02d", yy, mm, dd);
                *next = i + 1;
                return 1;
            }
        }
    }
    return 0;
}

int rules_find_due_day(const rules_db_t *db, const rules_text_t *t,
                       uint16_t seg, long long ref_utc, int offset_min,
                       char *out, size_t out_size)
{
    size_t next;
    return rules_due_day_from(db, t, seg, ref_utc, offset_min, 0, &next, out,
                              out_size);
}

/* The email's date (UTC seconds, 0 when unknown) and its Date header's
 * zone offset (minutes, INT_MIN when it names none): what relative days
 * and times without a zone are read against. */
static void rules_email_ref(const rules_ctx_t *c, long long *ref, int *off)
{
    const char *iso = json_string_value(json_object_get(c->email, "date"));
    *ref = 0;
    if (iso != NULL) {
        GDateTime *dt = g_date_time_new_from_iso8601(iso, NULL);
        if (dt != NULL) {
            *ref = (long long)g_date_time_to_unix(dt);
            g_date_time_unref(dt);
        }
    }
    *off = rules_date_header_zone(
        json_string_value(json_object_get(c->email, "date_raw")));
}

void rules_due_date(const rules_ctx_t *c, char *out, size_t out_size)
{
    out[0] = '\0';
    long long ref;
    int off;
    rules_email_ref(c, &ref, &off);
    if (!rules_find_due_day(c->db, &c->text, 1, ref, off, out, out_size) &&
        !rules_find_due_day(c->db, &c->text, 0, ref, off, out, out_size))
        out[0] = '\0';
}

/* The day the message quoted by reply c was written (its first
 * attribution line's date, rules_attr_day()), for its quoted text read
 * apart; 0 when unknown. */
static long long rules_reply_quote_day(const rules_ctx_t *c, long long ref)
{
    size_t from = rules_first_attribution(&c->text, 1);
    return from > 0 ? rules_attr_day(c->db, &c->text, from, 1, ref) : 0;
}

/* A reply that names one weekday ("Confirming Friday at 9:30") above a
 * quoted invitation that writes that day out ("> Friday, December 11,
 * 2026"), and writes no date out on that day itself: the quoted date, not
 * the Friday after the reply's own date (trial 22). 1 when found. */
static int rules_reply_quoted_day(const rules_ctx_t *c, long long ref, int off,
                                  char *out, size_t out_size)
{
    int want = rules_top_weekday(&c->text, 1);
    if (want < 0)
        return 0;
    char first[32];
    int own = rules_find_date_wday_ex(c->db, &c->text, 1, ref, off, want, 1, 0,
                                      first, sizeof first);
    char *q =
        rules_quoted_text(json_string_value(json_object_get(c->email, "text")));
    if (q == NULL) {
        /* quoted without '>' (below "On ... wrote:", an Outlook header
         * "From: ... Sent: ...", an HTML reply's blockquote: trial 23):
         * the first date written out on that day is the quoted one */
        size_t from = rules_first_attribution(&c->text, 1);
        return from > 0 &&
               rules_find_date_wday_ex(c->db, &c->text, 1, ref, off, want, 1,
                                       from, out, out_size) &&
               (!own || strcmp(first, out) == 0);
    }
    int found = 0;
    rules_text_t qt;
    rules_text_init(&qt);
    qt.weekday_today = c->text.weekday_today;
    qt.quote_day = rules_reply_quote_day(c, ref);
    if (!own)
        found = rules_text_add(&qt, q, strlen(q), RULES_F_BODY,
                               RULES_SEG_TEXT) == 0 &&
                rules_find_date_wday_ex(c->db, &qt, 0, ref, off, want, 1, 0,
                                        out, out_size);
    rules_text_free(&qt);
    free(q);
    return found;
}

/* 1 when segment seg of t holds, between tokens `from` and `to`, a date
 * and time equal to `when` ("YYYY-MM-DDTHH:MM:SSZ"). */
static int rules_text_has_date(const rules_db_t *db, const rules_text_t *t,
                               uint16_t seg, size_t from, size_t to,
                               long long ref, int off, const char *when)
{
    char d[32];
    size_t at = 0;
    while (rules_find_date_at(db, t, seg, ref, off, -1, 0, from, &at, d,
                              sizeof d) &&
           at < to) {
        if (strcmp(d, when) == 0)
            return 1;
        from = at + 1;
    }
    return 0;
}

int rules_reply_confirms(const rules_ctx_t *c, const char *when)
{
    long long ref;
    int off;
    rules_email_ref(c, &ref, &off);
    long long t = 0;
    GDateTime *dt = g_date_time_new_from_iso8601(when, NULL);
    if (dt == NULL)
        return 0;
    t = (long long)g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    /* the new text gives it, as a confirmation or a proposal ("Thursday
     * at 3 PM works for me", "Could we do Wednesday at 2 instead?") */
    size_t from = rules_first_attribution(&c->text, 1);
    if (rules_text_has_date(c->db, &c->text, 1, 0, from ? from : SIZE_MAX, ref,
                            off, when))
        return 1;
    /* else it is the quoted proposal's, confirmed only by a new text that
     * names no other day ("Could we do Wednesday instead?" above "> Would
     * Thursday at 2pm work?") */
    int y, mo, d, wd;
    rules_local_date(t, off == INT_MIN ? 0 : off, &y, &mo, &d, &wd);
    if ((rules_new_weekdays(&c->text, 1) & ~(1u << wd)) != 0)
        return 0;
    if (from > 0 &&
        rules_text_has_date(c->db, &c->text, 1, from, SIZE_MAX, ref, off, when))
        return 2;
    char *q =
        rules_quoted_text(json_string_value(json_object_get(c->email, "text")));
    if (q == NULL)
        return 0;
    rules_text_t qt;
    rules_text_init(&qt);
    qt.weekday_today = c->text.weekday_today;
    qt.quote_day = rules_reply_quote_day(c, ref);
    int found =
        rules_text_add(&qt, q, strlen(q), RULES_F_BODY, RULES_SEG_TEXT) == 0 &&
        rules_text_has_date(c->db, &qt, 0, 0, SIZE_MAX, ref, off, when);
    rules_text_free(&qt);
    free(q);
    return found ? 2 : 0;
}

void rules_scheduled_date(const rules_ctx_t *c, const char *cal_date,
                          const char *text_date, char *out, size_t out_size)
{
    long long ref;
    int off;
    rules_email_ref(c, &ref, &off);
    if (cal_date[0]) {
        snprintf(out, out_size, "%s", cal_date);
        return;
    }
    if (rules_reply_quoted_day(c, ref, off, out, out_size))
        return;
    if (text_date[0]) {
        snprintf(out, out_size, "%s", text_date);
        return;
    }
    out[0] = '\0';
    /* an invitation the rules did not count (no hiring words in it) */
    const json_t *cal = json_object_get(c->email, "calendar");
    size_t ci;
    const json_t *ev;
    json_array_foreach(cal, ci, ev)
    {
        const char *method = json_string_value(json_object_get(ev, "method"));
        const char *status = json_string_value(json_object_get(ev, "status"));
        const char *start = json_string_value(json_object_get(ev, "start"));
        if (start == NULL || json_is_true(json_object_get(ev, "all_day")) ||
            (method && strcasecmp(method, "REQUEST") != 0 &&
             strcasecmp(method, "PUBLISH") != 0) ||
            (status && strcasecmp(status, "CANCELLED") == 0))
            continue;
        GDateTime *dt = g_date_time_new_from_iso8601(start, NULL);
        if (dt == NULL)
            continue;
        rules_fmt((long long)g_date_time_to_unix(dt), out, out_size);
        g_date_time_unref(dt);
        return;
    }
    int want = rules_top_weekday(&c->text, 1);
    if (rules_find_date_tokens(c->db, &c->text, 1, ref, off, out, out_size) ||
        rules_find_date_tokens(c->db, &c->text, 0, ref, off, out, out_size))
        return;
    /* a reply that confirms without repeating the time ("Tuesday works",
     * "Friday at 2 works best"): the time proposed in the quoted history,
     * on the weekday the reply names when it names one */

    char *q =
        rules_quoted_text(json_string_value(json_object_get(c->email, "text")));
    if (q == NULL)
        return;
    rules_text_t qt;
    rules_text_init(&qt);
    qt.weekday_today = c->text.weekday_today;
    qt.quote_day = rules_reply_quote_day(c, ref);
    if (rules_text_add(&qt, q, strlen(q), RULES_F_BODY, RULES_SEG_TEXT) == 0 &&
        (want < 0 ||
         !rules_find_date_wday(c->db, &qt, 0, ref, off, want, out, out_size)))
        rules_find_date_tokens(c->db, &qt, 0, ref, off, out, out_size);
    rules_text_free(&qt);
    free(q);
}

/* Words that make an offer's date a conversation ("a call on Thursday at
 * 3pm to walk you through the offer"), not its deadline. */
static int rules_call_word(const char *w)
{
    static const char *const call[] = {
        "call",      "chat",         "meeting",   "meet",       "zoom",
        "teams",     "speak",        "talk",      "discuss",    "conversation",
        "walk",      "gespräch",     "telefonat", "anruf",      "appel",
        "échange",   "réunion",      "llamada",   "reunión",    "charla",
        "chamada",   "reunião",      "conversa",  "gesprek",    "afspraak",
        "videocall", "telefonieren", "anrufen",   "besprechen", "appeler",
        "discuter",  "llamar",       "hablar",    "ligar",      "conversar",
        "bellen",    "bespreken",    NULL};
    return rules_word_in(w, call);
}

int rules_offer_call(const rules_ctx_t *c, const char *cal_date,
                     const char *scheduled)
{
    if (scheduled == NULL || scheduled[0] == '\0')
        return 0;
    if (cal_date != NULL && cal_date[0]) /* an invitation: a meeting */
        return 1;
    long long ref;
    int off;
    rules_email_ref(c, &ref, &off);
    GDateTime *dt = g_date_time_new_from_iso8601(scheduled, NULL);
    if (dt == NULL)
        return 0;
    long long t = (long long)g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    int y, mo, d, w;
    rules_local_date(t, off == INT_MIN ? 0 : off, &y, &mo, &d, &w);
    char day[16];
    snprintf(day, sizeof day, "%04d-%02d-%02d", y, mo, d);
    /* a deadline cue before that very day ("reply by Friday, 5pm"; not
     * only the first cue: "start before December 1"): the deadline, as
     * before */
    char due[16];
    for (uint16_t seg = 0; seg < c->text.nseg; seg++) {
        size_t from = 0;
        while (rules_due_day_from(c->db, &c->text, seg, ref, off, from, &from,
                                  due, sizeof due))
            if (strcmp(due, day) == 0)
                return 0;
    }
    for (size_t i = 0; i < c->text.ntok; i++)
        if (rules_call_word(c->text.tok[i].w))
            return 1;
    return 0;
}
