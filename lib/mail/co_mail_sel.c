/**
 * @file lib/mail/co_mail_sel.c
 * @brief CSS selectors for the HTML-to-text step's hidden-text rules
 *        (co_mail_html.c): compound selectors (a tag or `*`, classes, an
 *        id, attribute selectors with their flags) parsed and matched
 *        against one element, as browsers do.
 */
#include "co_mail_int.h"

#include <string.h>
#include <strings.h>

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
