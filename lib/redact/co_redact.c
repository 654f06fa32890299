/* Secrets in a URL or a libpq connection string (co_redact.h). Our own
 * code: libpq parses a conninfo only to connect (PQconninfoParse refuses
 * the malformed strings that most need hiding and reads no other scheme),
 * and no Debian library hides a URL's password. */
#include "co_redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    co_redact_span_t *out;
    size_t max, n;
    int login; /* a URL's whole userinfo is secret, its login too */
} co__spans_t;

static void co__add(co__spans_t *sp, const char *s, const char *from,
                    const char *to)
{
    if (sp->n < sp->max)
        sp->out[sp->n] =
            (co_redact_span_t){(size_t)(from - s), (size_t)(to - from)};
    sp->n++;
}

/* Names whose value is a secret, in a key=value string or a URI's query
 * (percent-decoded, any case, anywhere in the name): password and
 * sslpassword, and a URL's secret_key, X-Amz-Signature, access_token... */
static const char *const co__secret_words[] = {
    "password",   "passwd",      "secret", "token",
    "signature",  "credential",  "apikey", "api_key",
    "access_key", "private_key", NULL};

/* ... and in a URL's query, names holding "key", "sig" or "auth" too
 * (X-Amz-Signature, Azure's SAS "sig", "apiKey", "auth_code"; trial 54),
 * not in a key=value string, where sslkey is a file's path. */
static const char *const co__secret_query_words[] = {"key", "sig", "auth",
                                                     NULL};

/* Whole names that are secrets too: Azure's SAS "sig", "pwd", "pass",
 * "key", "auth" (trial 50). */
static const char *const co__secret_names[] = {"sig",  "pwd", "pass", "key",
                                               "auth", "pw",  NULL};

/* 1 when the name k[0..len), percent-decoded and in lower case, holds one
 * of co__secret_words (or, when in_query, co__secret_query_words) or is
 * one of co__secret_names. */
static int co__secret_name(const char *k, size_t len, int in_query)
{
    char *name = malloc(len + 1);
    size_t n = 0;
    if (name == NULL)
        return 1; /* out of memory: hide */
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)k[i];
        if (c == '%' && i + 2 < len && isxdigit((unsigned char)k[i + 1]) &&
            isxdigit((unsigned char)k[i + 2])) {
            int hi = k[i + 1], lo = k[i + 2];
            hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
            lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
            c = hi * 16 + lo;
            i += 2;
        }
        name[n++] = (char)tolower(c);
    }
    name[n] = '\0';
    int found = 0;
    for (size_t w = 0; !found && co__secret_words[w] != NULL; w++)
        found = strstr(name, co__secret_words[w]) != NULL;
    for (size_t w = 0; in_query && !found && co__secret_query_words[w]; w++)
        found = strstr(name, co__secret_query_words[w]) != NULL;
    for (size_t w = 0; !found && co__secret_names[w] != NULL; w++)
        found = strcmp(name, co__secret_names[w]) == 0;
    free(name);
    return found;
}

/* The length of a URI's scheme and "://" at the start of s, or 0. With
 * `loose`, "SCHEME:" followed by one slash or none counts too
 * ("s3:/AK:pw", "postgresql:/h:pw": trial 50). */
static size_t co__uri_prefix_ex(const char *s, int loose)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) ||
           (s[i] != '\0' && strchr("+.-", s[i]) != NULL))
        i++;
    if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
        return i + 3;
    if (!loose || s[i] != ':')
        return 0;
    return i + 1 + (s[i + 1] == '/');
}

static size_t co__uri_prefix(const char *s)
{
    return co__uri_prefix_ex(s, 0);
}

/* A URI's query parameters from p on: the value of each one with a secret
 * name (up to the next '&') is a secret. A parameter starts after a '?'
 * or '&', or at p itself when in_query. */
static void co__uri_params(co__spans_t *sp, const char *s, const char *p,
                           int in_query)
{
    int start = in_query;
    while (*p != '\0') {
        if (!start) {
            start = *p == '?' || *p == '&' || *p == ';';
            p++;
            continue;
        }
        start = 0;
        size_t klen = strcspn(p, "=&;");
        if (p[klen] == '=' && co__secret_name(p, klen, 1)) {
            const char *v = p + klen + 1;
            const char *e = v + strcspn(v, "&;");
            co__add(sp, s, v, e);
            p = e;
            continue;
        }
        p += klen;
    }
}

/* Words "NAME=VALUE" after white space anywhere in a URI
 * ("postgresql://h/db password=pw": libpq reads a dbname with a space,
 * and prints it; trial 50): the value of a secret name, to the next white
 * space or '&'. */
static void co__uri_words(co__spans_t *sp, const char *s, const char *p)
{
    for (; *p != '\0'; p++) {
        if (!isspace((unsigned char)*p))
            continue;
        const char *k = p + 1;
        size_t klen = strcspn(k, "= \t\r\n&?");
        if (k[klen] == '=' && klen > 0 && co__secret_name(k, klen, 0)) {
            const char *v = k + klen + 1, *e = v;
            while (*e != '\0' && !isspace((unsigned char)*e) && *e != '&' &&
                   *e != '?') /* libpq's path (a dbname) ends at '?' */
                e++;
            co__add(sp, s, v, e);
        }
    }
}

/* The URI whose authority starts at auth (s is the whole string). With an
 * '@' after it, the password runs from the first ':' of the authority (a
 * user name may hold '?', '#', '@' or '/': "me@ex.com:pw@host", trial 50)
 * to the last '@'; a ':' after the last '@' is a port's. With no '@', a
 * ':' followed by anything but a port's digits ("s3://AKIA:SECRET/x")
 * hides all that follows it. */
static void co__uri(co__spans_t *sp, const char *s, const char *auth)
{
    const char *q = auth;
    if (*q == '[') { /* an IPv6 address: its colons are no password's */
        const char *close = strchr(q, ']');
        q = close != NULL ? close + 1 : q;
    }
    const char *colon = strchr(q, ':'), *amp = strrchr(auth, '@');
    co__uri_words(sp, s, auth);
    if (colon != NULL && amp != NULL && colon < amp) {
        co__add(sp, s, sp->login ? auth : colon + 1, amp);
        /* an '@' in the query ends the hidden part there: what follows it
         * is still read as parameters; so are those before the ':'
         * ("?token=T&r=http://me@ex", trial 51) */
        co__uri_params(sp, s, amp + 1,
                       memchr(colon, '?', (size_t)(amp - colon)) != 0);
        co__uri_params(sp, s, auth, 0);
        return;
    }
    const char *host = amp != NULL ? amp + 1 : auth;
    if (sp->login && amp != NULL && amp < auth + strcspn(auth, "/?#"))
        co__add(sp, s, auth, amp); /* a login alone: "s3://LEAKME@b" */
    if (*host == '[') {
        const char *close = strchr(host, ']');
        host = close != NULL ? close + 1 : host;
    }
    /* each host of a list ("h1:5432,h2:PW", trial 51) */
    const char *hend = host + strcspn(host, "/?#");
    for (const char *h = host; h < hend;) {
        const char *e = memchr(h, ',', (size_t)(hend - h));
        e = e != NULL ? e : hend;
        if (*h == '[') {
            const char *close = memchr(h, ']', (size_t)(e - h));
            h = close != NULL ? close + 1 : h;
        }
        const char *c = memchr(h, ':', (size_t)(e - h));
        if (c != NULL && c + 1 < e &&
            strspn(c + 1, "0123456789") != (size_t)(e - c - 1)) {
            /* "s3://AKIA:SECRET": with login, the key id too */
            co__add(sp, s, sp->login ? h : c + 1, c + 1 + strlen(c + 1));
            return;
        }
        h = e + 1;
    }
    co__uri_params(sp, s, auth, 0);
}

/* The secrets of s[from, to) read alone: a URI there (a value such as
 * dbname=postgresql://u:pw@h), or a word that holds a ':' and then an
 * '@' ("postgresql:/u:pw@h", "u:pw@host"): from after that ':' to the last
 * '@' (trial 49). Spans are offsets in s. */
static void co__inner(co__spans_t *sp, const char *s, const char *from,
                      const char *to)
{
    if (to > from && *from == '\'') { /* a quoted value: its content */
        from++;
        if (to > from && to[-1] == '\'')
            to--;
    }
    size_t n = (size_t)(to - from);
    char *w = malloc(n + 1);
    if (w == NULL)
        return;
    memcpy(w, from, n);
    w[n] = '\0';
    co_redact_span_t in[8];
    co__spans_t isp = {in, 8, 0, sp->login};
    size_t prefix = co__uri_prefix(w);
    if (prefix > 0) {
        co__uri(&isp, w, w + prefix);
    } else {
        char *colon = strchr(w, ':'), *amp = strrchr(w, '@');
        /* with login, "alice@nas:/x" too */
        if (amp != NULL && (sp->login || (colon != NULL && amp > colon)))
            co__add(&isp, w, sp->login ? w : colon + 1, amp);
    }
    if (isp.n > 8) /* more than we keep: the whole value */
        co__add(sp, s, from, to);
    else
        for (size_t i = 0; i < isp.n; i++)
            co__add(sp, s, from + in[i].off, from + in[i].off + in[i].len);
    free(w);
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
        const char *ke = p;
        int secret = co__secret_name(k, (size_t)(ke - k), 0);
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '=') {
            p++;
            while (isspace((unsigned char)*p))
                p++;
        } else {
            /* a word without '=': a URI or "user:pw@host" in it is read
             * (trial 52: "${env:X:-postgresql://u:PW@h}" printed PW when
             * "PW" held a secret's name); after a secret's name alone
             * ("password PW") the next word is its value */
            co__inner(sp, s, k, ke);
            if (!secret || *p == '\0') {
                p = ke;
                continue;
            }
        }
        const char *e = co__kv_value_end(p);
        if (secret)
            co__add(sp, s, p, e);
        else
            co__inner(sp, s, p, e);
        p = e;
    }
}

static size_t co__spans(const char *s, co_redact_span_t *out, size_t max,
                        int login)
{
    co__spans_t sp = {out, out != NULL ? max : 0, 0, login};
    if (s == NULL)
        return 0;
    const char *t = s; /* a URI after white space is one (trial 49) */
    while (isspace((unsigned char)*t))
        t++;
    size_t prefix = co__uri_prefix(t);
    /* "s3:/AK:pw", "s3:AK:pw": a loose URI when no '=' comes first */
    int loose = 0;
    if (prefix == 0 && strcspn(t, "=") > strcspn(t, ":"))
        loose = (prefix = co__uri_prefix_ex(t, 1)) > 0;
    if (prefix > 0)
        co__uri(&sp, s, t + prefix);
    else
        co__kv(&sp, s);
    /* with no "//", what looks like a scheme may be a user name
     * ("alice:PW@nas:/backups", "alice:PW@db/x"; trial 51): when no ':'
     * follows it before the last '@' of its first word, that word is read
     * as "user:password@host" */
    if (loose) {
        const char *w = t + prefix, *we = w + strcspn(w, " \t\r\n");
        const char *amp = NULL;
        for (const char *q = w; q < we; q++)
            amp = *q == '@' ? q : amp;
        if (amp != NULL && memchr(w, ':', (size_t)(amp - w)) == NULL)
            co__inner(&sp, s, t, we);
    }
    return sp.n;
}

size_t co_redact_spans(const char *s, co_redact_span_t *out, size_t max)
{
    return co__spans(s, out, max, 0);
}

static void co__redact(char *dst, size_t n, const char *s, int login)
{
    if (n == 0)
        return;
    const char *src = s != NULL ? s : "";
    co_redact_span_t spans[32];
    size_t ns = co__spans(src, spans, 32, login), o = 0, at = 0;
    size_t len = strlen(src);
    if (ns > 32) { /* more secrets than room: nothing but the count shown */
        spans[0] = (co_redact_span_t){0, len};
        ns = 1;
    }
    /* in order, overlapping ones merged */
    for (size_t i = 1; i < ns; i++)
        for (size_t j = i; j > 0 && spans[j].off < spans[j - 1].off; j--) {
            co_redact_span_t t = spans[j];
            spans[j] = spans[j - 1];
            spans[j - 1] = t;
        }
    size_t m = 0;
    for (size_t i = 0; i < ns; i++) {
        if (m > 0 && spans[i].off <= spans[m - 1].off + spans[m - 1].len) {
            size_t end = spans[i].off + spans[i].len;
            if (end > spans[m - 1].off + spans[m - 1].len)
                spans[m - 1].len = end - spans[m - 1].off;
            continue;
        }
        spans[m++] = spans[i];
    }
    ns = m;
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

void co_redact(char *dst, size_t n, const char *s)
{
    co__redact(dst, n, s, 0);
}

void co_redact_login(char *dst, size_t n, const char *s)
{
    co__redact(dst, n, s, 1);
}

/* A DNS name or IPv4 address: letters, digits, '-' and '.', not empty. */
static int co__url_name(const char *h, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
            return 0;
    return 1;
}

/* Between '[' and ']': hex digits, ':' and '.' (at least one ':'), then an
 * optional zone "%25ID" or "%ID" of letters, digits, '-', '.', '_', '~'. */
static int co__url_ipv6(const char *h, size_t n)
{
    size_t i = 0, colons = 0;
    for (; i < n && h[i] != '%'; i++) {
        if (h[i] == ':')
            colons++;
        else if (!isxdigit((unsigned char)h[i]) && h[i] != '.')
            return 0;
    }
    if (colons == 0)
        return 0;
    if (i == n)
        return 1;
    i++;
    if (n - i > 2 && h[i] == '2' && h[i + 1] == '5')
        i += 2;
    if (i == n)
        return 0;
    for (; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && strchr("-._~", h[i]) == NULL)
            return 0;
    return 1;
}

co_url_fault_t co_url_server(const char *url, unsigned flags, size_t *rest)
{
    if (url == NULL || !isalpha((unsigned char)url[0]))
        return CO_URL_NOT_URI;
    const char *p = url + 1;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0)
        return CO_URL_NOT_URI;
    const char *a = p + 3;
    /* an '@' anywhere before the query: "u:p/w@host" has the login's
     * password cut by a '/', which co_redact() hides too */
    if (memchr(a, '@', strcspn(a, "?#")) != NULL)
        return CO_URL_USERINFO;
    /* read before the host, so that a host or port fault hides neither */
    if ((flags & CO_URL_NO_FRAGMENT) && strchr(a, '#') != NULL)
        return CO_URL_FRAGMENT;
    if (flags & CO_URL_NO_QUERY_SECRET) {
        co__spans_t sp = {NULL, 0, 0, 0};
        co__uri_params(&sp, url, a + strcspn(a, "?#"), 0);
        if (sp.n > 0)
            return CO_URL_QUERY_SECRET;
    }
    size_t alen = strcspn(a, "/?#");
    const char *end = a + alen, *port;
    if (a[0] == '[') {
        const char *close = memchr(a, ']', alen);
        if (close == NULL || !co__url_ipv6(a + 1, (size_t)(close - a - 1)))
            return CO_URL_HOST;
        if (close + 1 != end && close[1] != ':')
            return CO_URL_HOST; /* "[::1]PW" */
        port = close + 1 != end ? close + 1 : NULL;
    } else {
        port = memchr(a, ':', alen);
        if (!co__url_name(a, (size_t)((port != NULL ? port : end) - a)))
            return CO_URL_HOST;
    }
    if (port != NULL) {
        size_t plen = (size_t)(end - port - 1);
        long v = 0;
        for (size_t i = 1; i <= plen && plen <= 5; i++) {
            if (!isdigit((unsigned char)port[i]))
                return CO_URL_PORT;
            v = v * 10 + (port[i] - '0');
        }
        if (plen == 0 || plen > 5 || v < 1 || v > 65535)
            return CO_URL_PORT;
    }
    if (rest != NULL)
        *rest = (size_t)(end - url);
    return CO_URL_OK;
}

int co_host_is_loopback(const char *host)
{
    if (host == NULL)
        return 0;
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
        strcmp(host, "::1") == 0)
        return 1;
    /* 127.a.b.c, written as a plain dotted quad (libcurl writes 127.1 and
     * 0x7f000001 so) */
    unsigned a, b, c, d;
    char tail;
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 &&
           a == 127 && b < 256 && c < 256 && d < 256;
}
