/**
 * @file lib/mail/co_mail_sel.c
 * @brief CSS syntax for the HTML-to-text step's hidden-text rules
 *        (co_mail_html.c): strings, comments and escapes in style
 *        sheets; compound selectors (a tag or `*`, classes, an
 *        id, attribute selectors with their flags) parsed and matched
 *        against one element, as browsers do; media queries.
 */
#include "co_mail_int.h"

#include <string.h>
#include <strings.h>

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

/* ---- a small CSS scanner: strings, comments and escapes ---------------- */

/* After the string whose quote is at `p`: past the closing quote, or at
 * the newline or the end that cuts it. */
static char *css_string_end(char *p)
{
    char q = *p++;
    while (*p && *p != q && *p != '\n') {
        if (*p == '\\' && p[1])
            p++;
        p++;
    }
    return *p == q ? p + 1 : p;
}

/* The first of the characters in `set` at or after `p` that is outside
 * strings and escapes; the terminating NUL when none. */
char *co__css_find(char *p, const char *set)
{
    while (*p && strchr(set, *p) == NULL) {
        if (*p == '"' || *p == '\'')
            p = css_string_end(p);
        else if (*p == '\\' && p[1])
            p += 2;
        else
            p++;
    }
    return p;
}

/* Blanks the comments of `p` (outside strings) in place. */
void co__css_uncomment(char *p)
{
    while (*p) {
        if (*p == '"' || *p == '\'') {
            p = css_string_end(p);
        } else if (*p == '\\' && p[1]) {
            p += 2;
        } else if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            char *end = e ? e + 2 : p + strlen(p);
            memset(p, ' ', (size_t)(end - p));
            p = end;
        } else {
            p++;
        }
    }
}

/* Splits `s` in place at the `sep` outside strings; the pieces. */
GPtrArray *co__css_split(char *s, char sep)
{
    GPtrArray *a = g_ptr_array_new();
    const char set[2] = {sep, '\0'};
    for (;;) {
        char *e = co__css_find(s, set);
        int last = *e == '\0';
        *e = '\0';
        g_ptr_array_add(a, s);
        if (last)
            break;
        s = e + 1;
    }
    return a;
}

char *co__css_unescape(const char *s)
{
    GString *o = g_string_sized_new(strlen(s));
    for (const char *p = s; *p;) {
        if (*p != '\\') {
            g_string_append_c(o, *p++);
            continue;
        }
        p++;
        if (g_ascii_isxdigit(*p)) {
            gunichar c = 0;
            for (int n = 0; n < 6 && g_ascii_isxdigit(*p); n++)
                c = c * 16 + (gunichar)hexval(*p++);
            if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
                *p == '\f')
                p++;
            if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
                c = 0xFFFD;
            g_string_append_unichar(o, c);
        } else if (*p == '\n') {
            p++; /* a continued line */
        } else if (*p != '\0') {
            g_string_append_c(o, *p++);
        }
    }
    return g_string_free(o, FALSE);
}

/* The value of attribute `name` in `atts` (name, value pairs), or NULL. */
static const char *sel_att(const xmlChar **atts, const char *name)
{
    for (int i = 0; atts != NULL && atts[i] != NULL; i += 2)
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* The name that starts at `p` (letters, digits, '-', '_', non-ASCII and
 * escapes: `.\68 idden` is `.hidden`, `.a\.b` the class "a.b"; trial
 * 47), copied with its escapes resolved; `*end` after it. NULL when
 * empty. */
static char *sel_name(const char *p, const char **end)
{
    const char *q = p;
    while (g_ascii_isalnum(*q) || *q == '-' || *q == '_' ||
           (unsigned char)*q >= 0x80 || (*q == '\\' && q[1] != '\0')) {
        if (*q++ != '\\')
            continue;
        if (!g_ascii_isxdigit(*q)) {
            q++;
            continue;
        }
        for (int n = 0; n < 6 && g_ascii_isxdigit(*q); n++)
            q++;
        if (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '\f')
            q++; /* the white space that ends a hex escape */
    }
    *end = q;
    if (q == p)
        return NULL;
    char *raw = g_strndup(p, (gsize)(q - p));
    char *name = co__css_unescape(raw);
    g_free(raw);
    return name;
}

/* Whether `c` ends a compound selector (white space or a combinator). */
static int sel_stop(char c)
{
    return c == '\0' || g_ascii_isspace(c) || c == '>' || c == '+' || c == '~';
}

/* Parses the compound selector at `sel` into `r` up to white space or a
 * combinator (`*end` there); its specificity, or -1 when it is not one we
 * understand (see co__cmp_t; pseudo-classes, empty). */
int co__sel_cmp_parse(const char *sel, co__cmp_t *r, const char **end)
{
    const char *p = sel, *e;
    if (*p == '*') {
        r->universal = 1;
        p++;
    } else if (g_ascii_isalpha(*p)) {
        char *t = sel_name(p, &e);
        r->tag = g_ascii_strdown(t, -1);
        g_free(t);
        p = e;
    }
    int nc = 0, na = 0;
    while (!sel_stop(*p)) {
        if (*p == '.' && nc < CO_SEL_PARTS) {
            if ((r->cls[nc++] = sel_name(p + 1, &e)) == NULL)
                return -1;
        } else if (*p == '#' && r->id == NULL) {
            if ((r->id = sel_name(p + 1, &e)) == NULL)
                return -1;
        } else if (*p == '[' && na < CO_SEL_PARTS) {
            char *a = sel_name(p + 1, &e);
            if (a == NULL)
                return -1;
            r->attr[na] = g_ascii_strdown(a, -1);
            g_free(a);
            while (*e == ' ')
                e++;
            r->aop[na] = '=';
            /* [a~=w] one of its words, [a^=v] [a$=v] [a*=v] prefix, suffix,
             * substring, [a|=v] v or v- (Selectors 4, 6.1 and 6.2) */
            if (e[0] != '\0' && strchr("~^$*|", e[0]) != NULL && e[1] == '=')
                r->aop[na] = *e++;
            if (*e == '=') { /* [a=v], [a="v"], [a='v'], escapes resolved */
                e++;
                while (*e == ' ')
                    e++;
                char q = *e == '"' || *e == '\'' ? *e : 0;
                const char *v = e + (q != 0), *ve = v;
                while (*ve != '\0' && (q ? *ve != q : *ve != ']' && *ve != ' '))
                    ve += *ve == '\\' && ve[1] != '\0' ? 2 : 1;
                if (*ve == '\0')
                    return -1;
                char *raw = g_strndup(v, (gsize)(ve - v));
                r->aval[na] = co__css_unescape(raw);
                g_free(raw);
                e = ve + (q != 0);
                while (*e == ' ')
                    e++;
                if ((*e == 'i' || *e == 'I' || *e == 's' || *e == 'S') &&
                    (e[1] == ']' || e[1] == ' ')) { /* [a=v i] */
                    r->aci[na] = (char)g_ascii_tolower(*e);
                    for (e++; *e == ' ';)
                        e++;
                }
            } else if (r->aop[na] != '=') {
                return -1;
            }
            na++;
            if (*e != ']')
                return -1;
            e++;
        } else {
            return -1;
        }
        p = e;
    }
    *end = p;
    if (!(r->tag || r->universal || nc || r->id || na))
        return -1;
    /* specificity: ids, classes and attributes, types (`*` counts none) */
    return (r->id ? 1 << 16 : 0) + ((nc + na) << 8) + (r->tag ? 1 : 0);
}

/* Whether `cls` (a class attribute) lists `name`; in any ASCII case in
 * quirks mode (HTML, "Selectors": class and id selectors match
 * case-insensitively there; trial 47). */
static int sel_has_class(const char *cls, const char *name, int quirks)
{
    size_t n = strlen(name);
    for (const char *p = cls; *p != '\0';) {
        while (g_ascii_isspace(*p))
            p++;
        size_t len = 0;
        while (p[len] != '\0' && !g_ascii_isspace(p[len]))
            len++;
        if (len == n && (quirks ? g_ascii_strncasecmp(p, name, n)
                                : strncmp(p, name, n)) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* Whether attribute value `v` matches `[a OP want]`, in any ASCII case
 * when `ci` (the `i` flag). Selectors 4: `^=`, `$=` and `*=` with an empty
 * value match nothing; `|=` is the value or the value then '-'. */
static int sel_attr_match(char op, const char *want, const char *v, int ci)
{
    size_t n = strlen(want), len = strlen(v);
    int (*cmp)(const char *, const char *, size_t) =
        ci ? g_ascii_strncasecmp : strncmp;
    switch (op) {
    case '~':
        return sel_has_class(v, want, ci);
    case '^':
        return n > 0 && len >= n && cmp(v, want, n) == 0;
    case '$':
        return n > 0 && len >= n && cmp(v + len - n, want, n) == 0;
    case '*':
        for (size_t i = 0; n > 0 && i + n <= len; i++)
            if (cmp(v + i, want, n) == 0)
                return 1;
        return 0;
    case '|':
        return len >= n && cmp(v, want, n) == 0 &&
               (v[n] == '\0' || v[n] == '-');
    default:
        return len == n && cmp(v, want, n) == 0;
    }
}

/* Whether `[name=value]` compares in any ASCII case: with the `i` flag,
 * or without a flag on an attribute that HTML lists as such (HTML,
 * "Case-sensitivity of selectors": `[lang=ZZ]` matches lang="zz";
 * trial 51). */
static int sel_attr_ci(const char *name, char flag)
{
    static const char *const legacy[] = {
        "accept",    "accept-charset", "align",     "alink",    "axis",
        "bgcolor",   "charset",        "checked",   "clear",    "codetype",
        "color",     "compact",        "declare",   "defer",    "dir",
        "direction", "disabled",       "enctype",   "face",     "frame",
        "hreflang",  "http-equiv",     "lang",      "language", "link",
        "media",     "method",         "multiple",  "nohref",   "noresize",
        "noshade",   "nowrap",         "readonly",  "rel",      "rev",
        "rules",     "scope",          "scrolling", "selected", "shape",
        "target",    "text",           "type",      "valign",   "valuetype",
        "vlink"};
    if (flag != 0)
        return flag == 'i';
    for (size_t i = 0; i < G_N_ELEMENTS(legacy); i++)
        if (g_ascii_strcasecmp(name, legacy[i]) == 0)
            return 1;
    return 0;
}

/* Whether compound selector `r` matches an element. */
int co__sel_cmp_matches(const co__cmp_t *r, const char *tag,
                        const xmlChar **atts, int quirks)
{
    if (r->tag && strcasecmp(r->tag, tag) != 0)
        return 0;
    const char *cls = sel_att(atts, "class"), *id = sel_att(atts, "id");
    for (int i = 0; i < CO_SEL_PARTS && r->cls[i]; i++)
        if (cls == NULL || !sel_has_class(cls, r->cls[i], quirks))
            return 0;
    if (r->id && (id == NULL || (quirks ? g_ascii_strcasecmp(r->id, id)
                                        : strcmp(r->id, id)) != 0))
        return 0;
    for (int i = 0; i < CO_SEL_PARTS && r->attr[i]; i++) {
        const char *v = sel_att(atts, r->attr[i]);
        if (v == NULL)
            return 0;
        if (r->aval[i] == NULL)
            continue;
        if (!sel_attr_match(r->aop[i], r->aval[i], v,
                            sel_attr_ci(r->attr[i], r->aci[i])))
            return 0;
    }
    return 1;
}

void co__sel_cmp_free(co__cmp_t *m)
{
    g_free(m->tag);
    for (int i = 0; i < CO_SEL_PARTS; i++) {
        g_free(m->cls[i]);
        g_free(m->attr[i]);
        g_free(m->aval[i]);
    }
    g_free(m->id);
}

/* One media feature `(name: value)` (the text inside the parentheses)
 * on a screen taken as a window of 1000px by 1000px in light mode, as the
 * viewport units are (co__css_length()): 1 true, 0 false, -1 not known
 * here (other features, range syntax). */
static int sel_feature(const char *f)
{
    static const char *const dims[] = {"width", "height", "device-width",
                                       "device-height"};
    while (g_ascii_isspace(*f))
        f++;
    size_t n = strcspn(f, " \t\r\n\f:");
    const char *v = f + n;
    while (g_ascii_isspace(*v))
        v++;
    if (*v++ != ':')
        return -1;
    while (g_ascii_isspace(*v))
        v++;
    int cmp = 0; /* -1 min-, 1 max- */
    if (n > 4 && g_ascii_strncasecmp(f, "min-", 4) == 0)
        cmp = -1;
    else if (n > 4 && g_ascii_strncasecmp(f, "max-", 4) == 0)
        cmp = 1;
    const char *name = f + (cmp != 0 ? 4 : 0);
    size_t nn = n - (cmp != 0 ? 4 : 0);
    if (cmp == 0 && nn == 20 &&
        g_ascii_strncasecmp(name, "prefers-color-scheme", 20) == 0) {
        char *w = g_strstrip(g_strdup(v));
        int r = g_ascii_strcasecmp(w, "light") == 0  ? 1
                : g_ascii_strcasecmp(w, "dark") == 0 ? 0
                                                     : -1;
        g_free(w);
        return r;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(dims); i++) {
        if (nn != strlen(dims[i]) || g_ascii_strncasecmp(name, dims[i], nn))
            continue;
        char *w = g_strstrip(g_strdup(v));
        double px;
        int ok = co__css_length(w, &px, 0);
        g_free(w);
        if (!ok)
            return -1;
        return cmp < 0 ? 1000 >= px : cmp > 0 ? 1000 <= px : 1000 == px;
    }
    return -1;
}

/* The media features after a query's type, `and (f) and (g)`: as
 * sel_feature(), all of them. */
static int sel_features(const char *w)
{
    int r = 1;
    for (;;) {
        while (g_ascii_isspace(*w))
            w++;
        if (*w == '\0')
            return r;
        if (*w != '(')
            return -1;
        const char *e = strchr(w, ')');
        if (e == NULL || memchr(w + 1, '(', (size_t)(e - w - 1)) != NULL)
            return -1;
        char *f = g_strndup(w + 1, (size_t)(e - w - 1));
        int m = sel_feature(f);
        g_free(f);
        if (m == 0)
            return 0;
        if (m < 0)
            r = -1;
        for (w = e + 1; g_ascii_isspace(*w);)
            w++;
        if (*w == '\0')
            return r;
        if (g_ascii_strncasecmp(w, "and", 3) != 0 || !g_ascii_isspace(w[3]))
            return -1;
        w += 3;
    }
}

/* One media query of a list: 1 true on a screen, 0 false, -1 not known
 * here (sel_features()). */
static int sel_media1(const char *q)
{
    while (g_ascii_isspace(*q))
        q++;
    int neg = 0;
    const char *w = q;
    size_t n = strcspn(w, " \t\r\n\f(");
    if (n == 4 && g_ascii_strncasecmp(w, "only", 4) == 0)
        w += n;
    else if (n == 3 && g_ascii_strncasecmp(w, "not", 3) == 0)
        w += n, neg = 1;
    while (g_ascii_isspace(*w))
        w++;
    int type = 1;
    if (*w != '(') {
        n = strcspn(w, " \t\r\n\f(");
        if (n == 0)
            return 0; /* `not` or `only` alone: not all */
        type = (n == 3 && g_ascii_strncasecmp(w, "all", 3) == 0) ||
               (n == 6 && g_ascii_strncasecmp(w, "screen", 6) == 0);
        for (w += n; g_ascii_isspace(*w);)
            w++;
        if (*w != '\0') {
            if (g_ascii_strncasecmp(w, "and", 3) != 0 ||
                !(g_ascii_isspace(w[3]) || w[3] == '('))
                return 0; /* not a query: not all */
            w += 3;
        }
    }
    int f = sel_features(w);
    if (f < 0)
        return !type && !neg ? 0 : -1;
    return (type && f) != neg;
}

int co__css_media(const char *list)
{
    int r = 0, any = 0;
    gchar **qs = g_strsplit(list, ",", 0);
    for (int i = 0; qs[i] != NULL; i++) {
        const char *q = qs[i];
        while (g_ascii_isspace(*q))
            q++;
        if (*q == '\0')
            continue;
        any = 1;
        int m = sel_media1(q);
        if (m == 1 || (m == -1 && r == 0))
            r = m;
    }
    g_strfreev(qs);
    return any ? r : 1;
}
