/* libpq's messages about a connection string, made safe to print (see
 * co_pgmig.h): libpq quotes the piece of a conninfo it cannot parse, and
 * that piece can be a password's. */
#include "co_pgmig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a parse error of libpq means, said without the conninfo's text;
 * NULL when msg is not one. */
static const char *co__pgmig_parse_hint(const char *msg)
{
    static const struct {
        const char *sign, *hint;
    } kinds[] = {
        {"percent-encod",
         "check the percent-encoding in the URI (a % in a password is "
         "written %25)"},
        {"missing \"=\" after",
         "key=value pairs are separated by spaces: put a value that holds a "
         "space in single quotes (password='a b')"},
        {"unterminated quoted string",
         "a value in single quotes is not closed (write \\' for a quote "
         "inside)"},
        {"invalid connection option",
         "it names a key libpq does not know (check the spelling, and the "
         "quoting of a value with a space)"},
        {"URI", "a malformed URI (postgresql://USER:PASSWORD@HOST:PORT/DB; "
                "percent-encode @ : / % in a password)"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strstr(msg, kinds[i].sign) != NULL)
            return kinds[i].hint;
    return NULL;
}

/* The password's value in conninfo (URI user:PASSWORD@ or ?password=, or
 * key=value password=...): its start and length, or 0. */
static size_t co__pgmig_password(const char *ci, const char **at)
{
    const char *p = strstr(ci, "://");
    if (p != NULL) {
        p += 3;
        /* up to the last '@' before '?': a password with an unencoded '@'
         * or '/' (an ambiguous URI) is hidden whole */
        size_t auth = strcspn(p, "?");
        const char *amp = NULL;
        for (const char *q = p; q < p + auth; q++)
            if (*q == '@')
                amp = q;
        const char *colon = amp ? memchr(p, ':', (size_t)(amp - p)) : NULL;
        if (colon != NULL) {
            *at = colon + 1;
            return (size_t)(amp - colon - 1);
        }
        const char *qp = strstr(ci, "password=");
        if (qp != NULL) {
            *at = qp + 9;
            return strcspn(*at, "&");
        }
        return 0;
    }
    for (p = strstr(ci, "password"); p != NULL; p = strstr(p + 1, "password")) {
        const char *v = p + 8;
        v += strspn(v, " \t");
        if (*v != '=' || (p > ci && strchr(" \t", p[-1]) == NULL))
            continue;
        v++;
        v += strspn(v, " \t");
        *at = v;
        if (*v != '\'')
            return strcspn(v, " \t");
        size_t n = 1;
        while (v[n] != '\0' && v[n] != '\'')
            n += v[n] == '\\' && v[n + 1] != '\0' ? 2 : 1;
        return n + (v[n] == '\'');
    }
    return 0;
}

/* 1 if a quoted piece of the conninfo may show the password: it overlaps
 * the password's value, or that value is not found in a conninfo that
 * names one (then every piece is hidden); a host or user name libpq
 * quotes stays. */
static int co__pgmig_secretish(const char *conninfo, const char *piece,
                               const char *pw, size_t pwlen)
{
    if (pwlen == 0)
        return strstr(conninfo, "password") != NULL;
    size_t ql = strlen(piece);
    if (ql <= pwlen && memmem(pw, pwlen, piece, ql) != NULL)
        return 1;
    return ql > pwlen && memmem(piece, ql, pw, pwlen) != NULL;
}

void co_pgmig_conninfo_error(char *dst, size_t n, const char *conninfo,
                             const char *msg)
{
    if (n == 0)
        return;
    const char *m = msg != NULL ? msg : "unknown error";
    size_t len = strcspn(m, "\n");
    const char *hint = co__pgmig_parse_hint(m);
    if (hint != NULL && strstr(m, "connection to server") == NULL) {
        snprintf(dst, n, "the conninfo could not be parsed: %s", hint);
        return;
    }
    const char *pw = NULL;
    size_t pwlen = conninfo ? co__pgmig_password(conninfo, &pw) : 0;
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n;) {
        /* a quoted piece of the conninfo, or the password: left out */
        if (m[i] == '"' && conninfo != NULL) {
            const char *end = memchr(m + i + 1, '"', len - i - 1);
            size_t ql = end ? (size_t)(end - m - i - 1) : 0;
            char piece[512];
            if (end != NULL && ql > 0 && ql < sizeof piece) {
                memcpy(piece, m + i + 1, ql);
                piece[ql] = '\0';
                if (strstr(conninfo, piece) != NULL &&
                    co__pgmig_secretish(conninfo, piece, pw, pwlen)) {
                    o += (size_t)snprintf(dst + o, n - o, "\"...\"");
                    i += ql + 2;
                    continue;
                }
            }
        }
        if (pwlen > 0 && len - i >= pwlen && memcmp(m + i, pw, pwlen) == 0) {
            o += (size_t)snprintf(dst + o, n - o, "***");
            i += pwlen;
            continue;
        }
        dst[o++] = m[i++];
    }
    dst[o < n ? o : n - 1] = '\0';
}

int co_pgmig_conninfo_ambiguous(const char *conninfo)
{
    if (conninfo == NULL)
        return 0;
    const char *p = strstr(conninfo, "://");
    if (p == NULL || strncmp(conninfo, "postgres", 8) != 0)
        return 0;
    p += 3;
    size_t len = strcspn(p, "?");
    const char *first_at = NULL, *first_slash = NULL;
    int ats = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '@' && ats++ == 0)
            first_at = p + i;
        if (p[i] == '/' && first_slash == NULL)
            first_slash = p + i;
    }
    return ats > 1 ||
           (first_at != NULL && first_slash != NULL && first_slash < first_at);
}

/* The end of a key=value value starting at v: quoted ('...' with \\
 * escapes) or up to unescaped white space, as libpq reads it. */
static const char *co__kv_value_end(const char *v)
{
    if (*v == '\'') {
        size_t k = 1;
        while (v[k] != '\0' && v[k] != '\'')
            k += v[k] == '\\' && v[k + 1] != '\0' ? 2 : 1;
        return v + k + (v[k] == '\'');
    }
    while (*v != '\0' && *v != ' ' && *v != '\t')
        v += *v == '\\' && v[1] != '\0' ? 2 : 1;
    return v;
}

/* Append len bytes of s (then "***" when stars) to dst (n bytes, *o used). */
static void co__put(char *dst, size_t n, size_t *o, const char *s, size_t len,
                    int stars)
{
    for (size_t i = 0; i < len && *o + 1 < n; i++)
        dst[(*o)++] = s[i];
    for (int i = 0; stars && i < 3 && *o + 1 < n; i++)
        dst[(*o)++] = '*';
    dst[*o] = '\0';
}

/* A URI's query from q on, copied with the value of every parameter whose
 * name, percent-decoded, ends with "password" in any case as *** (trial
 * 47: "&%70assword=" is libpq's password too). */
static void co__redact_query(char *dst, size_t n, size_t *o, const char *q)
{
    const char *qs = strchr(q, '?');
    if (qs == NULL) {
        co__put(dst, n, o, q, strlen(q), 0);
        return;
    }
    co__put(dst, n, o, q, (size_t)(qs + 1 - q), 0);
    for (const char *p = qs + 1; *p != '\0';) {
        size_t plen = strcspn(p, "&"), klen = strcspn(p, "=&");
        char key[64];
        size_t kl = 0;
        for (size_t i = 0; i < klen && kl + 1 < sizeof key; i++) {
            int c = (unsigned char)p[i];
            if (c == '%' && i + 2 < klen && isxdigit((unsigned char)p[i + 1]) &&
                isxdigit((unsigned char)p[i + 2])) {
                char hex[3] = {p[i + 1], p[i + 2], 0};
                c = (int)strtol(hex, NULL, 16);
                i += 2;
            }
            key[kl++] = (char)tolower(c);
        }
        key[kl] = '\0';
        int secret =
            kl >= 8 && strcmp(key + kl - 8, "password") == 0 && klen < plen;
        co__put(dst, n, o, p, secret ? klen + 1 : plen, secret);
        p += plen;
        if (*p == '&')
            co__put(dst, n, o, p++, 1, 0);
    }
}

void co_pgmig_conninfo_redact(char *dst, size_t n, const char *conninfo)
{
    if (n == 0)
        return;
    const char *ci = conninfo != NULL ? conninfo : "";
    size_t o = 0;
    dst[0] = '\0';
    const char *p = ci, *uri = strstr(ci, "://");
    if (uri != NULL) {
        /* user:PASSWORD@: up to the last '@' of the string (trial 46: a
         * '?' in the password ended the search early and showed it); an
         * '@' in the query hides more than needed, never less */
        const char *auth = uri + 3, *amp = strrchr(auth, '@');
        const char *colon = amp ? memchr(auth, ':', (size_t)(amp - auth)) : 0;
        if (colon != NULL) {
            co__put(dst, n, &o, ci, (size_t)(colon + 1 - ci), 1);
            p = amp;
        }
    }
    if (uri != NULL) {
        co__redact_query(dst, n, &o, p);
        return;
    }
    /* every password= and sslpassword= value of a key=value string, any
     * case (trial 46: only the first one was hidden) */
    for (;;) {
        const char *k = strcasestr(p, "password");
        if (k == NULL)
            break;
        const char *v = k + 8;
        v += strspn(v, " \t");
        int is_key =
            *v == '=' && (k == ci || strchr(" \t&?", k[-1]) != NULL ||
                          (k - ci >= 3 && strncmp(k - 3, "ssl", 3) == 0));
        if (!is_key) {
            co__put(dst, n, &o, p, (size_t)(v - p), 0);
            p = v;
            continue;
        }
        v++;
        v += strspn(v, " \t");
        const char *e = co__kv_value_end(v);
        co__put(dst, n, &o, p, (size_t)(v - p), 1);
        p = e;
    }
    co__put(dst, n, &o, p, strlen(p), 0);
}
