/**
 * @file lib/mail/co_mail_text.c
 * @brief Charsets, RFC 2047 header words and dates: the places where GMime
 *        3.2.13 (Debian 12) gives wrong answers on real mail, so the
 *        normalizer handles them itself on top of GMime's iconv layer.
 */
#include "co_mail_int.h"

#include <ctype.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void co__err(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    if (errstr == NULL || errstr_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

void co__defect(co__defects_t *d, const char *name)
{
    if (d == NULL || d->arr == NULL)
        return;
    size_t i;
    json_t *v;
    json_array_foreach(d->arr, i, v)
    {
        if (strcmp(json_string_value(v), name) == 0)
            return;
    }
    json_array_append_new(d->arr, json_string(name));
}

/* ---- charsets ---------------------------------------------------------- */

typedef struct {
    const char *label;
    const char *iconv; /* NULL: keep UTF-8 if valid, else windows-1252 */
} cs_alias_t;

/* WHATWG Encoding Standard label table, the entries mail uses. Latin-1 and
 * ASCII labels decode as windows-1252 (known-bugs case 06); CJK labels
 * decode with the Microsoft supersets mail clients actually send. */
static const cs_alias_t cs_aliases[] = {
    {"us-ascii", NULL},
    {"ascii", NULL},
    {"ansi_x3.4-1968", NULL},
    {"iso646-us", NULL},
    {"us", NULL},
    {"unknown-8bit", NULL},
    {"x-unknown", NULL},
    {"unknown", NULL},
    {"default", NULL},
    {"8bit", NULL},
    {"x-user-defined", NULL},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"iso_8859-1:1987", "WINDOWS-1252"},
    {"iso88591", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"latin-1", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"},
    {"ibm819", "WINDOWS-1252"},
    {"iso-ir-100", "WINDOWS-1252"},
    {"csisolatin1", "WINDOWS-1252"},
    {"cp1252", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"iso8859-9", "WINDOWS-1254"},
    {"latin5", "WINDOWS-1254"},
    {"iso-8859-11", "CP874"},
    {"tis-620", "CP874"},
    {"windows-874", "CP874"},
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"csshiftjis", "CP932"},
    {"windows-31j", "CP932"},
    {"euc-kr", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601", "CP949"},
    {"ksc5601", "CP949"},
    {"cp949", "CP949"},
    {"windows-949", "CP949"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"x-gbk", "GB18030"},
    {"cp936", "GB18030"},
    {"euc-cn", "GB18030"},
    {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
};

/* Append valid UTF-8 for `len` bytes that are meant to be UTF-8: NUL bytes
 * are dropped, invalid sequences become U+FFFD. Returns 1 if any byte was
 * replaced. */
static int utf8_append_valid(GString *out, const char *s, size_t len)
{
    int bad = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        const char *q = p;
        /* g_utf8_validate_len stops at NUL and at invalid bytes. */
        g_utf8_validate_len(p, (gsize)(end - p), &q);
        if (q > p)
            g_string_append_len(out, p, q - p);
        p = q;
        if (p >= end)
            break;
        if (*p != '\0') {
            g_string_append(out, "\xEF\xBF\xBD");
            bad = 1;
        }
        p++;
    }
    return bad;
}

/* Convert with GMime's cached iconv; undecodable bytes become U+FFFD.
 * Returns -1 when the charset is unknown to iconv, else the number of
 * replaced bytes. */
static long iconv_append(GString *out, const char *s, size_t len,
                         const char *from)
{
    GIConv cd = g_mime_iconv_open("UTF-8", from);
    if (cd == (GIConv)-1)
        return -1;
    long bad = 0;
    char buf[4096];
    char *inp = (char *)s;
    gsize inleft = len;
    while (inleft > 0) {
        char *outp = buf;
        gsize outleft = sizeof buf;
        gsize r = g_iconv(cd, &inp, &inleft, &outp, &outleft);
        int e = errno;
        g_string_append_len(out, buf, (gssize)(outp - buf));
        if (r != (gsize)-1)
            continue;
        if (e == E2BIG)
            continue;
        /* EILSEQ, EINVAL (truncated sequence) or anything else: replace one
         * byte, reset the shift state and go on. */
        g_string_append(out, "\xEF\xBF\xBD");
        bad++;
        inp++;
        inleft--;
        g_iconv(cd, NULL, NULL, NULL, NULL);
    }
    char *outp = buf;
    gsize outleft = sizeof buf;
    g_iconv(cd, NULL, NULL, &outp, &outleft);
    g_string_append_len(out, buf, (gssize)(outp - buf));
    g_mime_iconv_close(cd);
    return bad;
}

void co__drop_invisible(GString *s)
{
    /* Dropped: zero width space U+200B, word joiner U+2060, BOM U+FEFF,
     * soft hyphen U+00AD; and the bidirectional marks, embeddings,
     * overrides and isolates (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069),
     * and the Arabic letter mark U+061C (trial 57), which reorder what a
     * terminal or a notification shows (trial 56: a
     * U+202E in the body reached the role on the screen). A line or
     * paragraph separator (U+2028, U+2029) is a line break. Each starts
     * with 0xC2, 0xD8, 0xE2 or 0xEF: any other byte is copied at once (a
     * compare per character made this 18% of the normalizer's time on real
     * mail). */
    const unsigned char *u = (const unsigned char *)s->str;
    gsize o = 0, len = s->len;
    for (gsize i = 0; i < len;) {
        unsigned char b = u[i];
        if (b == 0xE2 && i + 2 < len) {
            unsigned char b1 = u[i + 1], b2 = u[i + 2];
            if ((b1 == 0x80 && (b2 == 0x8B || b2 == 0x8E || b2 == 0x8F ||
                                (b2 >= 0xAA && b2 <= 0xAE))) ||
                (b1 == 0x81 && (b2 == 0xA0 || (b2 >= 0xA6 && b2 <= 0xA9)))) {
                i += 3;
                continue;
            }
            if (b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9)) {
                s->str[o++] = '\n';
                i += 3;
                continue;
            }
        } else if ((b == 0xEF && i + 2 < len && u[i + 1] == 0xBB &&
                    u[i + 2] == 0xBF) ||
                   (b == 0xC2 && i + 1 < len && u[i + 1] == 0xAD) ||
                   (b == 0xD8 && i + 1 < len && u[i + 1] == 0x9C)) {
            i += b == 0xEF ? 3 : 2; /* U+061C: the Arabic letter mark */
            continue;
        }
        s->str[o++] = s->str[i++];
    }
    g_string_truncate(s, o);
}

static int has_8bit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

void co__to_utf8(const char *bytes, size_t len, const char *label, GString *out,
                 co__defects_t *d)
{
    if (len == 0 || bytes == NULL)
        return; /* an empty GByteArray's data may be NULL */
    const char *name = NULL;
    int lenient = 1, known = 1;
    char lower[64];
    if (label != NULL && label[0] != '\0') {
        size_t n = strlen(label);
        if (n >= sizeof lower)
            n = sizeof lower - 1;
        for (size_t i = 0; i < n; i++)
            lower[i] = (char)tolower((unsigned char)label[i]);
        lower[n] = '\0';
        g_strstrip(lower);
        if (lower[0] != '\0') {
            lenient = 0;
            known = 0;
            for (size_t i = 0; i < G_N_ELEMENTS(cs_aliases); i++) {
                if (strcmp(lower, cs_aliases[i].label) == 0) {
                    name = cs_aliases[i].iconv;
                    lenient = name == NULL;
                    known = 1;
                    break;
                }
            }
            if (!known)
                name = g_mime_charset_iconv_name(lower);
        }
    }
    if (!has_8bit(bytes, len) &&
        (lenient || (name != NULL && (strcmp(name, "UTF-8") == 0 ||
                                      strcmp(name, "WINDOWS-1252") == 0)))) {
        /* ASCII: no conversion needed (NUL dropped). */
        utf8_append_valid(out, bytes, len);
        return;
    }
    if (lenient || name == NULL) {
        if (g_utf8_validate_len(bytes, len, NULL)) {
            g_string_append_len(out, bytes, (gssize)len);
            return;
        }
        name = "WINDOWS-1252";
    }
    if (strcmp(name, "UTF-8") == 0) {
        if (utf8_append_valid(out, bytes, len))
            co__defect(d, "charset-decode-errors");
        return;
    }
    gsize before = out->len;
    long bad = iconv_append(out, bytes, len, name);
    if (bad < 0) {
        co__defect(d, "unknown-charset");
        g_string_truncate(out, before);
        if (g_utf8_validate_len(bytes, len, NULL))
            g_string_append_len(out, bytes, (gssize)len);
        else
            iconv_append(out, bytes, len, "WINDOWS-1252");
    } else if (bad > 0) {
        co__defect(d, "charset-decode-errors");
    }
}

void co__clean_text(GString *s)
{
    gsize w = 0;
    for (gsize r = 0; r < s->len; r++) {
        unsigned char c = (unsigned char)s->str[r];
        if (c == '\r') {
            if (r + 1 < s->len && s->str[r + 1] == '\n')
                continue;
            s->str[w++] = '\n';
            continue;
        }
        /* a terminal's escape sequence goes whole, not only its ESC:
         * "Evil\x1b[31m Corp" was "Evil[31m Corp" (trial 88): a CSI
         * sequence (ESC '[', parameter and intermediate bytes, a final
         * byte 0x40-0x7E; ECMA-48 5.4); other escapes lose their ESC */
        if (c == 0x1B && r + 1 < s->len && s->str[r + 1] == '[') {
            gsize e = r + 2;
            while (e < s->len && e < r + 34 &&
                   (unsigned char)s->str[e] >= 0x20 &&
                   (unsigned char)s->str[e] <= 0x3F)
                e++;
            if (e < s->len && (unsigned char)s->str[e] >= 0x40 &&
                (unsigned char)s->str[e] <= 0x7E) {
                r = e;
                continue;
            }
        }
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
            continue;
        /* C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8. */
        if (c == 0xC2 && r + 1 < s->len &&
            (unsigned char)s->str[r + 1] >= 0x80 &&
            (unsigned char)s->str[r + 1] <= 0x9F) {
            r++;
            continue;
        }
        s->str[w++] = (char)c;
    }
    g_string_truncate(s, w);
}

/* ---- RFC 2047 ---------------------------------------------------------- */

typedef struct {
    char charset[64];
    GByteArray *bytes;
} word_run_t;

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Try to read one encoded word at p: =?charset[*lang]?B|Q?text?= . On
 * success append its bytes to `bytes`, store the charset and return the
 * length consumed; 0 if p is not an encoded word. */
static size_t parse_word(const char *p, char charset[64], GByteArray *bytes)
{
    if (p[0] != '=' || p[1] != '?')
        return 0;
    const char *c = p + 2, *q = strchr(c, '?');
    if (q == NULL || q == c || q - c >= 64)
        return 0;
    for (const char *t = c; t < q; t++)
        if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7F)
            return 0;
    char enc = (char)toupper((unsigned char)q[1]);
    if ((enc != 'B' && enc != 'Q') || q[2] != '?')
        return 0;
    const char *text = q + 3, *end = text;
    /* The text ends at "?="; it may not contain whitespace (RFC 2047 5),
     * but some mailers put spaces in Q words: allow them on the same line. */
    while (*end != '\0' && !(end[0] == '?' && end[1] == '=')) {
        if (*end == '\r' || *end == '\n' || end - text > 4096)
            return 0;
        end++;
    }
    if (*end == '\0')
        return 0;
    size_t cl = (size_t)(q - c);
    memcpy(charset, c, cl);
    charset[cl] = '\0';
    char *star = strchr(charset, '*'); /* RFC 2231 language suffix */
    if (star != NULL)
        *star = '\0';
    if (enc == 'B') {
        gint state = 0;
        guint save = 0;
        size_t n = (size_t)(end - text);
        guchar *tmp = g_malloc(n * 3 / 4 + 4);
        gsize got = g_base64_decode_step(text, n, tmp, &state, &save);
        g_byte_array_append(bytes, tmp, (guint)got);
        g_free(tmp);
    } else {
        for (const char *t = text; t < end; t++) {
            guint8 b = (guint8)*t;
            if (*t == '_') {
                b = ' ';
            } else if (*t == '=' && end - t >= 3 && hexval(t[1]) >= 0 &&
                       hexval(t[2]) >= 0) {
                b = (guint8)(hexval(t[1]) * 16 + hexval(t[2]));
                t += 2;
            }
            g_byte_array_append(bytes, &b, 1);
        }
    }
    return (size_t)(end + 2 - p);
}

static void run_flush(word_run_t *run, GString *out, int reencode,
                      co__defects_t *d)
{
    if (run->bytes->len == 0 && run->charset[0] == '\0')
        return;
    GString *u = g_string_new(NULL);
    co__to_utf8((const char *)run->bytes->data, run->bytes->len, run->charset,
                u, d);
    if (reencode) {
        gchar *b64 = g_base64_encode((const guchar *)u->str, u->len);
        g_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
        g_free(b64);
    } else {
        g_string_append_len(out, u->str, (gssize)u->len);
    }
    g_string_free(u, TRUE);
    g_byte_array_set_size(run->bytes, 0);
    run->charset[0] = '\0';
}

char *co__hdr_decode(const char *raw, int reencode, co__defects_t *d)
{
    GString *out = g_string_new(NULL);
    GString *ws = g_string_new(NULL);
    word_run_t run = {{0}, g_byte_array_new()};
    const char *p = raw != NULL ? raw : "";
    while (*p != '\0') {
        if (p[0] == '=' && p[1] == '?') {
            char cs[64];
            GByteArray *tmp = g_byte_array_new();
            size_t n = parse_word(p, cs, tmp);
            if (n > 0) {
                if (run.charset[0] == '\0' ||
                    strcasecmp(cs, run.charset) != 0) {
                    run_flush(&run, out, reencode, d);
                    g_string_append_len(out, ws->str, (gssize)ws->len);
                    snprintf(run.charset, sizeof run.charset, "%s", cs);
                    if (run.charset[0] == '\0')
                        snprintf(run.charset, sizeof run.charset, "%s",
                                 "us-ascii");
                }
                /* else: adjacent word in the same charset, whitespace
                 * between them dropped. */
                g_byte_array_append(run.bytes, tmp->data, tmp->len);
                g_byte_array_free(tmp, TRUE);
                g_string_truncate(ws, 0);
                p += n;
                continue;
            }
            g_byte_array_free(tmp, TRUE);
        }
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            if (*p == ' ' || *p == '\t')
                g_string_append_c(ws, *p);
            p++;
            continue;
        }
        /* Ordinary text up to whitespace or the next encoded word. */
        run_flush(&run, out, reencode, d);
        g_string_append_len(out, ws->str, (gssize)ws->len);
        g_string_truncate(ws, 0);
        const char *s = p;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
               *p != '\n' && !(p > s && p[0] == '=' && p[1] == '?'))
            p++;
        co__to_utf8(s, (size_t)(p - s), NULL, out, NULL);
    }
    run_flush(&run, out, reencode, d);
    g_string_append_len(out, ws->str, (gssize)ws->len);
    g_byte_array_free(run.bytes, TRUE);
    g_string_free(ws, TRUE);
    co__clean_text(out);
    if (!reencode) {
        /* Unstructured: collapse whitespace (TAB/LF left by bad folding).
         * A bidirectional mark, embedding, override or isolate (U+200E,
         * U+200F, U+202A-U+202E, U+2066-U+2069) is dropped and a line or
         * paragraph separator (U+2028, U+2029) is a space: a subject shown in a
         * notification or a table must read as its bytes say (trial 55: an
         * encoded-word U+202E reversed the rest of the line on the terminal).
         */
        gsize w = 0;
        int sp = 1;
        for (gsize r = 0; r < out->len; r++) {
            char c = out->str[r];
            const unsigned char *u = (const unsigned char *)out->str + r;
            if (r + 1 < out->len && u[0] == 0xd8 && u[1] == 0x9c) {
                r += 1; /* U+061C, the Arabic letter mark */
                continue;
            }
            if (r + 2 < out->len && u[0] == 0xe2 &&
                ((u[1] == 0x80 && ((u[2] >= 0xaa && u[2] <= 0xae) ||
                                   u[2] == 0x8e || u[2] == 0x8f)) ||
                 (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9))) {
                r += 2;
                continue;
            }
            if (r + 2 < out->len && u[0] == 0xe2 && u[1] == 0x80 &&
                (u[2] == 0xa8 || u[2] == 0xa9)) {
                r += 2;
                c = ' ';
            }
            if (c == ' ' || c == '\t' || c == '\n') {
                if (!sp)
                    out->str[w++] = ' ';
                sp = 1;
            } else {
                out->str[w++] = c;
                sp = 0;
            }
        }
        if (w > 0 && out->str[w - 1] == ' ')
            w--;
        g_string_truncate(out, w);
    }
    return g_string_free(out, FALSE);
}

/* ---- dates ------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); written here because timegm() depends on TZ handling
 * of the C library and the year range of time_t. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int co__fmt_utc(int64_t t, char out[32])
{
    GDateTime *dt = g_date_time_new_from_unix_utc(t);
    if (dt == NULL)
        return -1;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ",
             g_date_time_get_year(dt), g_date_time_get_month(dt),
             g_date_time_get_day_of_month(dt), g_date_time_get_hour(dt),
             g_date_time_get_minute(dt), g_date_time_get_second(dt));
    g_date_time_unref(dt);
    return 0;
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const days[] = {"mon", "tue", "wed", "thu",
                                   "fri", "sat", "sun"};

/* RFC 5322 section 4.3 obs-zone names; military letters mean "unknown". */
static int named_zone(const char *t, int *mins)
{
    static const struct {
        const char *n;
        int m;
    } z[] = {{"ut", 0},        {"utc", 0},       {"gmt", 0},
             {"z", 0},         {"est", -5 * 60}, {"edt", -4 * 60},
             {"cst", -6 * 60}, {"cdt", -5 * 60}, {"mst", -7 * 60},
             {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60}};
    for (size_t i = 0; i < G_N_ELEMENTS(z); i++)
        if (strcmp(t, z[i].n) == 0) {
            *mins = z[i].m;
            return 1;
        }
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

void co__date_parse(const char *raw, co__date_t *out)
{
    memset(out, 0, sizeof *out);
    if (raw == NULL)
        return;
    int year = -1, month = -1, day = -1, hh = -1, mi = -1, ss = 0;
    int zone = 0, zone_num = 0, zone_name = 0, unknown_word = 0;
    long nums[4];
    int ynum_idx = -1, nnums = 0;
    const char *p = raw;
    int depth = 0;
    while (*p != '\0') {
        unsigned char c = (unsigned char)*p;
        if (c == '(') {
            depth++;
            p++;
            continue;
        }
        if (c == ')') {
            if (depth > 0)
                depth--;
            p++;
            continue;
        }
        if (depth > 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
            c == ',') {
            p++;
            continue;
        }
        const char *s = p;
        while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
               *p != '\n' && *p != ',' && *p != '(' && *p != ')')
            p++;
        size_t n = (size_t)(p - s);
        char tok[40];
        if (n >= sizeof tok) {
            unknown_word = 1;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            tok[i] = (char)tolower((unsigned char)s[i]);
        tok[n] = '\0';
        if (strchr(tok, ':') != NULL && isdigit((unsigned char)tok[0])) {
            int a = -1, b = -1, e = 0, k = 0;
            if (sscanf(tok, "%d:%d:%d%n", &a, &b, &e, &k) == 3 &&
                (size_t)k == n) {
            } else if (sscanf(tok, "%d:%d%n", &a, &b, &k) == 2 &&
                       (size_t)k == n) {
                e = 0;
            } else {
                unknown_word = 1;
                continue;
            }
            if (hh < 0) {
                hh = a;
                mi = b;
                ss = e;
            }
            continue;
        }
        if ((tok[0] == '+' || tok[0] == '-') && n == 5 &&
            strspn(tok + 1, "0123456789") == 4) {
            int v = atoi(tok + 1);
            /* no zone is more than 14 hours off UTC ("+9959" is no zone) */
            if (v % 100 < 60 && v / 100 <= 14) {
                zone = (v / 100 * 60 + v % 100) * (tok[0] == '-' ? -1 : 1);
                zone_num = 1;
            }
            continue;
        }
        if (strspn(tok, "0123456789") == n) {
            if (nnums < 4) {
                if (n >= 3 && ynum_idx < 0)
                    ynum_idx = nnums;
                nums[nnums++] = atol(tok);
            }
            continue;
        }
        /* ISO 8601 date "2025-03-03" (some mailers) */
        int ya, mb, dc, k = 0;
        if (n == 10 && sscanf(tok, "%4d-%2d-%2d%n", &ya, &mb, &dc, &k) == 3 &&
            k == 10) {
            year = ya;
            month = mb;
            day = dc;
            continue;
        }
        int matched = 0;
        if (n >= 3) {
            for (int i = 0; i < 12 && !matched; i++)
                if (strncmp(tok, months[i], 3) == 0 && month < 0) {
                    month = i + 1;
                    matched = 1;
                }
            for (int i = 0; i < 7 && !matched; i++)
                if (strncmp(tok, days[i], 3) == 0)
                    matched = 1;
        }
        if (matched)
            continue;
        int zm;
        if (named_zone(tok, &zm)) {
            if (!zone_num)
                zone = zm;
            zone_name = 1;
            continue;
        }
        unknown_word = 1; /* "EST5EDT", "Pacific", "Daylight", "A".. */
    }
    /* Numbers: day and year (RFC order day month year; asctime month day
     * time year). A number of three or more digits, or above 31, is the
     * year. */
    if (day < 0) {
        for (int i = 0; i < nnums; i++) {
            if (year < 0 && (i == ynum_idx || nums[i] > 31)) {
                year = (int)nums[i];
                if (ynum_idx < 0)
                    ynum_idx = i;
            }
        }
        for (int i = 0; i < nnums; i++) {
            if (i == ynum_idx)
                continue;
            if (day < 0)
                day = (int)nums[i];
            else if (year < 0)
                year = (int)nums[i], ynum_idx = i;
        }
        if (year >= 0 && ynum_idx >= 0 && nums[ynum_idx] == year) {
            /* RFC 5322 4.3: two-digit years 00-49 are 2000-2049, 50-99
             * 1950-1999; three-digit years add 1900. */
            int digits = 0;
            for (long v = nums[ynum_idx]; v > 0; v /= 10)
                digits++;
            if (year < 50 && digits <= 2)
                year += 2000;
            else if (year < 100)
                year += 1900;
            else if (year < 1000)
                year += 1900;
        }
    }
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return;
    if (hh < 0) {
        hh = 0;
        mi = 0;
    }
    if (hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return;
    if (ss == 60)
        ss = 59;
    int64_t t = days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 +
                hh * 3600 + mi * 60 + ss;
    out->ok = 1;
    out->zone_known = zone_num || (zone_name && !unknown_word);
    if (zone_num && unknown_word)
        out->zone_known = 1; /* "+0200 (CEST)" style comments are fine */
    out->utc = out->zone_known ? t - (int64_t)zone * 60 : t;
    snprintf(out->wall, sizeof out->wall, "%04d-%02d-%02dT%02d:%02d:%02d", year,
             month, day, hh, mi, ss);
}
