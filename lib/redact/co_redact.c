/* Secrets in a URL or a libpq connection string (co_redact.h). Our own
 * code: libpq parses a conninfo only to connect (PQconninfoParse refuses
 * the malformed strings that most need hiding and reads no other scheme),
 * and no Debian library hides a URL's password. */
#include "co_redact.h"

#include <ctype.h>
#include <string.h>

typedef struct {
    co_redact_span_t *out;
    size_t max, n;
} co__spans_t;

static void co__add(co__spans_t *sp, const char *s, const char *from,
                    const char *to)
{
    if (sp->n < sp->max)
        sp->out[sp->n] =
            (co_redact_span_t){(size_t)(from - s), (size_t)(to - from)};
    sp->n++;
}

/* 1 when the name k[0..len), percent-decoded, ends with "password" in any
 * case. */
static int co__secret_name(const char *k, size_t len)
{
    char tail[8];
    size_t t = 0;
    for (size_t i = len; i > 0 && t < sizeof tail;) {
        int c = (unsigned char)k[--i];
        if (i >= 2 && k[i - 2] == '%' && isxdigit((unsigned char)k[i - 1]) &&
            isxdigit(c)) {
            int hi = k[i - 1], lo = c;
            hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
            lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
            c = hi * 16 + lo;
            i -= 2;
        }
        tail[sizeof tail - 1 - t++] = (char)tolower(c);
    }
    return t == sizeof tail && memcmp(tail, "password", 8) == 0;
}

/* The length of a URI's scheme and "://" at the start of s, or 0. */
static size_t co__uri_prefix(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) || strchr("+.-", s[i]) != NULL)
        i++;
    return s[i] != '\0' && strncmp(s + i, "://", 3) == 0 ? i + 3 : 0;
}

/* A URI's query parameters from p on: the value of each one named
 * ...password (up to the next '&') is a secret. A parameter starts after a
 * '?' or '&', or at p itself when in_query. */
static void co__uri_params(co__spans_t *sp, const char *s, const char *p,
                           int in_query)
{
    int start = in_query;
    while (*p != '\0') {
        if (!start) {
            start = *p == '?' || *p == '&';
            p++;
            continue;
        }
        start = 0;
        size_t klen = strcspn(p, "=&");
        if (p[klen] == '=' && co__secret_name(p, klen)) {
            const char *v = p + klen + 1;
            const char *e = v + strcspn(v, "&");
            co__add(sp, s, v, e);
            p = e;
            continue;
        }
        p += klen;
    }
}

static void co__uri(co__spans_t *sp, const char *s, size_t prefix)
{
    const char *auth = s + prefix, *q = auth;
    while (*q != '\0' && strchr("/?#@:", *q) == NULL)
        q++;
    const char *amp = *q == ':' ? strrchr(q, '@') : NULL;
    if (amp == NULL) {
        co__uri_params(sp, s, auth, 0);
        return;
    }
    co__add(sp, s, q + 1, amp);
    /* an '@' in the query ends the hidden part there: what follows it is
     * still read as parameters */
    co__uri_params(sp, s, amp + 1, memchr(q, '?', (size_t)(amp - q)) != 0);
}

/* The end of a key=value value starting at v, as libpq reads it: '...'
 * with \ escapes, or up to unescaped white space. */
static const char *co__kv_value_end(const char *v)
{
    if (*v == '\'') {
        v++;
        while (*v != '\0' && *v != '\'')
            v += *v == '\\' && v[1] != '\0' ? 2 : 1;
        return v + (*v == '\'');
    }
    while (*v != '\0' && !isspace((unsigned char)*v))
        v += *v == '\\' && v[1] != '\0' ? 2 : 1;
    return v;
}

static void co__kv(co__spans_t *sp, const char *s)
{
    for (const char *p = s;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return;
        const char *k = p;
        while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
            p++;
        int secret = co__secret_name(k, (size_t)(p - k));
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '=') {
            p++;
            while (isspace((unsigned char)*p))
                p++;
        } else if (!secret) {
            continue; /* a word without '=': libpq refuses it */
        }
        const char *e = co__kv_value_end(p);
        if (secret)
            co__add(sp, s, p, e);
        p = e;
    }
}

size_t co_redact_spans(const char *s, co_redact_span_t *out, size_t max)
{
    co__spans_t sp = {out, out != NULL ? max : 0, 0};
    if (s == NULL)
        return 0;
    size_t prefix = co__uri_prefix(s);
    if (prefix > 0)
        co__uri(&sp, s, prefix);
    else
        co__kv(&sp, s);
    return sp.n;
}

void co_redact(char *dst, size_t n, const char *s)
{
    if (n == 0)
        return;
    const char *src = s != NULL ? s : "";
    co_redact_span_t spans[32];
    size_t ns = co_redact_spans(src, spans, 32), o = 0, at = 0;
    size_t len = strlen(src);
    if (ns > 32) { /* more secrets than room: nothing but the count shown */
        spans[0] = (co_redact_span_t){0, len};
        ns = 1;
    }
    for (size_t i = 0; i <= ns && o + 1 < n; i++) {
        size_t upto = i < ns ? spans[i].off : len;
        for (; at < upto && o + 1 < n; at++)
            dst[o++] = src[at];
        if (i == ns)
            break;
        for (int k = 0; k < 3 && o + 1 < n; k++)
            dst[o++] = '*';
        at = spans[i].off + spans[i].len;
    }
    dst[o] = '\0';
}
