/* libpq's messages about a connection string, made safe to print (see
 * co_pgmig.h): libpq quotes the piece of a conninfo it cannot parse, and
 * that piece can be a password's. */
#include "co_pgmig.h"
#include "co_redact.h"

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
        {"invalid URI query parameter",
         "its query (after ?) names a parameter libpq does not know (check "
         "the spelling: sslmode, connect_timeout, application_name...)"},
        {"URI", "a malformed URI (postgresql://USER:PASSWORD@HOST:PORT/DB; "
                "percent-encode @ : / % in a password)"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strstr(msg, kinds[i].sign) != NULL)
            return kinds[i].hint;
    return NULL;
}

/* 1 if a quoted piece of the conninfo may show a secret: it holds one of
 * the secrets or is held by one, or the conninfo names a password whose
 * value is not found (then every piece is hidden); a host or user name
 * libpq quotes stays. */
static int co__pgmig_secretish(const char *conninfo, const char *piece,
                               const co_redact_span_t *sp, size_t ns)
{
    if (ns == 0)
        return strcasestr(conninfo, "password") != NULL;
    size_t ql = strlen(piece);
    for (size_t i = 0; i < ns; i++) {
        const char *pw = conninfo + sp[i].off;
        size_t pwlen = sp[i].len;
        if (pwlen > 0 && ql <= pwlen && memmem(pw, pwlen, piece, ql) != NULL)
            return 1;
        if (pwlen > 0 && ql > pwlen && memmem(piece, ql, pw, pwlen) != NULL)
            return 1;
    }
    return 0;
}

/* The length of the secret among sp that m starts with, or 0. */
static size_t co__pgmig_at_secret(const char *m, size_t left,
                                  const char *conninfo,
                                  const co_redact_span_t *sp, size_t ns)
{
    for (size_t i = 0; i < ns; i++)
        if (sp[i].len > 0 && left >= sp[i].len &&
            memcmp(m, conninfo + sp[i].off, sp[i].len) == 0)
            return sp[i].len;
    return 0;
}

void co_pgmig_conninfo_error(char *dst, size_t n, const char *conninfo,
                             const char *msg)
{
    if (n == 0)
        return;
    const char *m = msg != NULL ? msg : "unknown error";
    size_t len = strcspn(m, "\n");
    const char *hint = co__pgmig_parse_hint(m);
    co_redact_span_t sp[16];
    size_t ns = co_redact_spans(conninfo, sp, 16);
    if (hint != NULL && strstr(m, "connection to server") == NULL) {
        /* the key or parameter libpq names, when it is a plain name and
         * holds no secret (trial 55: "foo" was not said) */
        const char *q = strchr(m, '"'), *qe = q ? strchr(q + 1, '"') : NULL;
        char piece[64] = "";
        if ((strstr(m, "invalid connection option") != NULL ||
             strstr(m, "invalid URI query parameter") != NULL) &&
            qe != NULL && qe - q - 1 > 0 && qe - q - 1 < (long)sizeof piece) {
            memcpy(piece, q + 1, (size_t)(qe - q - 1));
            piece[qe - q - 1] = '\0';
            if (strspn(piece, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                              "WXYZ0123456789_-") != strlen(piece) ||
                ns > 16 || co__pgmig_secretish(conninfo, piece, sp, ns))
                piece[0] = '\0';
        }
        snprintf(dst, n, "the conninfo could not be parsed%s%s%s: %s",
                 piece[0] ? " at \"" : "", piece, piece[0] ? "\"" : "", hint);
        return;
    }
    if (ns > 16) {
        snprintf(dst, n,
                 "the connection failed (libpq's words are not "
                 "shown: the conninfo holds more than 16 passwords)");
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n;) {
        /* a quoted piece of the conninfo, or a secret: left out */
        if (m[i] == '"' && conninfo != NULL) {
            const char *end = memchr(m + i + 1, '"', len - i - 1);
            size_t ql = end ? (size_t)(end - m - i - 1) : 0;
            char piece[512];
            if (end != NULL && ql > 0 && ql < sizeof piece) {
                memcpy(piece, m + i + 1, ql);
                piece[ql] = '\0';
                if (strstr(conninfo, piece) != NULL &&
                    co__pgmig_secretish(conninfo, piece, sp, ns)) {
                    o += (size_t)snprintf(dst + o, n - o, "\"...\"");
                    i += ql + 2;
                    continue;
                }
            }
        }
        size_t pl = conninfo
                        ? co__pgmig_at_secret(m + i, len - i, conninfo, sp, ns)
                        : 0;
        if (pl > 0) {
            o += (size_t)snprintf(dst + o, n - o, "***");
            i += pl;
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
    if (ats > 1 ||
        (first_at != NULL && first_slash != NULL && first_slash < first_at))
        return 1;
    /* each host's port, when given, is digits: "postgresql://h:PW/db" is
     * a password written after the host, which libpq would print (in
     * "invalid integer value", percent-decoded; trial 51) */
    const char *h = first_at != NULL ? first_at + 1 : p;
    const char *end = p + strcspn(p, "/?");
    while (h < end) {
        const char *e = memchr(h, ',', (size_t)(end - h));
        e = e != NULL ? e : end;
        const char *q = h;
        if (*q == '[') { /* an IPv6 address */
            const char *c = memchr(q, ']', (size_t)(e - q));
            q = c != NULL ? c + 1 : e;
        }
        const char *colon = memchr(q, ':', (size_t)(e - q));
        if (colon != NULL)
            for (const char *d = colon + 1; d < e; d++)
                if (*d < '0' || *d > '9')
                    return 1;
        h = e + 1;
    }
    return 0;
}

/* The settings whose values libpq checks only when it connects (and the
 * host and postgres-sink would then wait for a server for ever, trial 53:
 * "waiting for PostgreSQL: invalid sslmode value"), with their values
 * (PostgreSQL 15, libpq "Parameter Key Words"). */
static const struct {
    const char *key;
    const char *values; /* ",a,b," */
} co__pgmig_enums[] = {
    {"sslmode", ",disable,allow,prefer,require,verify-ca,verify-full,"},
    {"gssencmode", ",disable,prefer,require,"},
    {"channel_binding", ",disable,prefer,require,"},
    {"target_session_attrs",
     ",any,read-write,read-only,primary,standby,prefer-standby,"},
};

/* 1 unless v (vl bytes) is a comma-separated list of ports, each empty
 * (the default) or digits from 1 to 65535 (libpq's "port" may list one
 * per host). */
static int co__pgmig_ports_bad(const char *v, size_t vl)
{
    long port = 0;
    size_t digits = 0;
    for (size_t i = 0; i <= vl; i++) {
        if (i == vl || v[i] == ',') {
            if (digits > 0 && (port < 1 || port > 65535))
                return 1;
            port = 0, digits = 0;
        } else if (v[i] >= '0' && v[i] <= '9' && digits < 6) {
            port = port * 10 + (v[i] - '0'), digits++;
        } else
            return 1;
    }
    return 0;
}

/* The settings that take a number, which libpq checks only when it
 * connects too (trial 55: port=99999 and connect_timeout=abc were waited
 * on for ever). */
static const char *const co__pgmig_numbers[] = {
    "connect_timeout",     "keepalives",       "keepalives_idle",
    "keepalives_interval", "keepalives_count", "tcp_user_timeout"};

/* Checks one setting key=value (v: vl bytes); 1 with why filled when bad. */
static int co__pgmig_enum_bad(const char *k, size_t kl, const char *v,
                              size_t vl, char *why, size_t n)
{
    if (kl == 4 && strncmp(k, "port", 4) == 0 && co__pgmig_ports_bad(v, vl)) {
        snprintf(why, n,
                 "port: not a port number (not shown): give 1 to 65535, or "
                 "one per host separated by commas");
        return 1;
    }
    for (size_t i = 0;
         i < sizeof co__pgmig_numbers / sizeof co__pgmig_numbers[0]; i++)
        if (strlen(co__pgmig_numbers[i]) == kl &&
            strncmp(k, co__pgmig_numbers[i], kl) == 0) {
            size_t d = vl > 0 && v[0] == '-' ? 1 : 0;
            int ok = vl > d && vl < 11;
            for (size_t j = d; ok && j < vl; j++)
                ok = v[j] >= '0' && v[j] <= '9';
            if (!ok)
                snprintf(why, n,
                         "%s: not a whole number (not shown): give a number "
                         "of seconds (keepalives: 0 or 1; tcp_user_timeout: "
                         "milliseconds)",
                         co__pgmig_numbers[i]);
            return !ok;
        }
    for (size_t i = 0; i < sizeof co__pgmig_enums / sizeof co__pgmig_enums[0];
         i++) {
        const char *key = co__pgmig_enums[i].key;
        if (strlen(key) != kl || strncmp(k, key, kl) != 0)
            continue;
        char want[40];
        const char *vals = co__pgmig_enums[i].values;
        int ok = vl > 0 && vl + 2 < sizeof want;
        if (ok) {
            snprintf(want, sizeof want, ",%.*s,", (int)vl, v);
            ok = strstr(vals, want) != NULL;
        }
        if (!ok)
            snprintf(why, n,
                     "%s: not a value libpq knows (not shown); use one of "
                     "%.*s",
                     key, (int)(strlen(vals) - 2), vals + 1);
        return !ok;
    }
    return 0;
}

int co_pgmig_conninfo_bad_value(const char *conninfo, char *why, size_t n)
{
    if (conninfo == NULL)
        return 0;
    const char *p = conninfo;
    int uri = strncmp(p, "postgresql://", 13) == 0 ||
              strncmp(p, "postgres://", 11) == 0;
    if (uri) { /* HOST:PORT,HOST:PORT, then ?key=value&key=value */
        const char *a = strstr(p, "://") + 3;
        const char *end = a + strcspn(a, "/?");
        const char *at = NULL;
        for (const char *c = a; c < end; c++)
            at = *c == '@' ? c : at;
        for (const char *h = at != NULL ? at + 1 : a; h < end;) {
            const char *e = memchr(h, ',', (size_t)(end - h));
            e = e != NULL ? e : end;
            const char *q = h;
            if (*q == '[') { /* an IPv6 address */
                const char *c = memchr(q, ']', (size_t)(e - q));
                q = c != NULL ? c + 1 : e;
            }
            const char *colon = memchr(q, ':', (size_t)(e - q));
            if (colon != NULL &&
                co__pgmig_ports_bad(colon + 1, (size_t)(e - colon - 1))) {
                snprintf(why, n,
                         "the port after a host is not a port number (not "
                         "shown): give 1 to 65535");
                return 1;
            }
            h = e + 1;
        }
        const char *q = strchr(p, '?');
        while (q != NULL && *q != '\0') {
            q++;
            size_t len = strcspn(q, "&");
            const char *eq = memchr(q, '=', len);
            if (eq != NULL &&
                co__pgmig_enum_bad(q, (size_t)(eq - q), eq + 1,
                                   len - (size_t)(eq - q) - 1, why, n))
                return 1;
            q = q[len] == '&' ? q + len : NULL;
        }
        return 0;
    }
    while (*p != '\0') { /* key = value, key = 'value' */
        p += strspn(p, " \t\r\n");
        size_t kl = strcspn(p, " \t\r\n=");
        const char *k = p;
        p += kl;
        p += strspn(p, " \t\r\n");
        if (*p != '=')
            return 0; /* libpq's own parser names this fault */
        p++;
        p += strspn(p, " \t\r\n");
        const char *v = p;
        size_t vl;
        if (*p == '\'') { /* quoted: the enumerations hold no quote */
            v = ++p;
            while (*p != '\0' && *p != '\'')
                p += p[0] == '\\' && p[1] != '\0' ? 2 : 1;
            vl = (size_t)(p - v);
            if (*p == '\'')
                p++;
        } else {
            vl = strcspn(p, " \t\r\n");
            p += vl;
        }
        if (co__pgmig_enum_bad(k, kl, v, vl, why, n))
            return 1;
    }
    return 0;
}

/* How many comma-separated entries `key` holds in opts (0: unset). */
static int co__pgmig_count(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, key) == 0) {
            if (o->val == NULL || o->val[0] == '\0')
                return 0;
            int c = 1;
            for (const char *v = o->val; *v != '\0'; v++)
                c += *v == ',';
            return c;
        }
    return 0;
}

int co_pgmig_conninfo_counts_bad(const PQconninfoOption *opts, char *why,
                                 size_t n)
{
    if (opts == NULL)
        return 0;
    int hosts = co__pgmig_count(opts, "host");
    int addrs = co__pgmig_count(opts, "hostaddr");
    int ports = co__pgmig_count(opts, "port");
    if (hosts > 0 && addrs > 0 && hosts != addrs) {
        snprintf(why, n,
                 "host names %d and hostaddr values %d: give one hostaddr "
                 "per host name (separated by commas), or only one of the "
                 "two",
                 hosts, addrs);
        return 1;
    }
    int targets = addrs > 0 ? addrs : hosts > 0 ? hosts : 1;
    if (ports > 1 && ports != targets) {
        snprintf(why, n,
                 "port lists %d ports for %d host%s: give one port for all "
                 "hosts, or one per host in the same order",
                 ports, targets, targets == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

const char *co_pgmig_connect_fix(const char *msg)
{
    /* libpq's wording (FATAL lines of the server, in English unless the
     * server's lc_messages says otherwise: then the caller's generic
     * advice stands) */
    if (msg == NULL)
        return NULL;
    if (strstr(msg, "FATAL:  database \"") && strstr(msg, "does not exist"))
        return "the server runs but has no such database: create it "
               "(`createdb NAME`) or give the name of an existing one";
    if (strstr(msg, "FATAL:  role \"") && strstr(msg, "does not exist"))
        return "the server runs but has no such user (role): give an "
               "existing user, or create it (`createuser NAME`)";
    if (strstr(msg, "server does not support SSL"))
        return "the server runs without SSL: drop sslmode=require (or "
               "verify-*) from the connection string, or turn SSL on in "
               "the server";
    if (strstr(msg, "invalid integer value") ||
        strstr(msg, "invalid sslmode value") ||
        strstr(msg, "invalid connection option"))
        return "the connection string has a value or an option libpq does "
               "not take: fix it (see the PostgreSQL manual, \"Parameter "
               "Key Words\")";
    if (strstr(msg, "password authentication failed") ||
        strstr(msg, "no password supplied") ||
        strstr(msg, "Peer authentication failed") ||
        strstr(msg, "no pg_hba.conf entry"))
        return "the server runs but refused this user or password: check "
               "them (or ~/.pgpass, and the server's pg_hba.conf)";
    return NULL;
}
