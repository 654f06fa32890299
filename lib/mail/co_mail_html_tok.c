/**
 * @file core/mail/co_mail_html_tok.c
 * @brief What HTML's tokenizer does that libxml2's HTML parser does not,
 *        done on a copy of the page before it parses it: `/>` on elements
 *        that are not void, `<!-->`, bogus comments (co__html_tokfix()).
 */
#include "co_mail_int.h"

#include <string.h>

static int tok_in(const char *n, const char *const *l, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++)
        if (g_ascii_strcasecmp(n, l[i]) == 0)
            return 1;
    return 0;
}

/* Void elements: a start tag is the whole element. */
static const char *const tok_void[] = {
    "area",  "base",  "br",     "col",   "embed",    "hr",
    "img",   "input", "link",   "meta",  "param",    "source",
    "track", "wbr",   "keygen", "frame", "basefont", "bgsound"};
/* Elements whose content is raw text up to their end tag. */
static const char *const tok_raw[] = {"script", "style", "textarea", "title",
                                      "xmp"};

/* A copy of `html` being edited: the part of it up to `done` is in `g`
 * (NULL while nothing changed). */
typedef struct {
    const char *html;
    size_t len, done;
    GString *g;
} tok_edit_t;

/* Replaces html[a, b) with `r` in the copy. */
static void tok_edit(tok_edit_t *e, size_t a, size_t b, const char *r)
{
    if (e->g == NULL)
        e->g = g_string_sized_new(e->len);
    g_string_append_len(e->g, e->html + e->done, (gssize)(a - e->done));
    g_string_append(e->g, r);
    e->done = b;
}

/* At a markup declaration `<!` (`i` after the '<' at `lt`), what HTML's
 * tokenizer does that libxml2's parser does not: `<!-->` and `<!--->` are
 * whole empty comments (libxml2 reads on to the next `-->`, swallowing
 * the text between; trial 53), and `<!` not followed by `--` or DOCTYPE
 * (`<! x >`, `<![CDATA[ x ]]>` outside <svg> and <math>) is a bogus
 * comment up to the next '>' (libxml2 keeps it as text). Both are taken
 * out of the copy. Returns where scanning goes on. */
static size_t tok_decl(tok_edit_t *e, size_t lt, size_t i)
{
    const char *html = e->html;
    size_t len = e->len;
    if (i + 3 <= len && memcmp(html + i, "!--", 3) == 0) {
        size_t c = i + 3;
        if (c < len && html[c] == '-')
            c++;
        if (c < len && html[c] == '>') { /* <!--> or <!---> */
            tok_edit(e, lt, c + 1, "");
            return c + 1;
        }
        const char *end =
            g_strstr_len(html + i + 3, (gssize)(len - i - 3), "-->");
        return end != NULL ? (size_t)(end - html) + 3 : len;
    }
    if (i + 8 <= len && g_ascii_strncasecmp(html + i, "!doctype", 8) == 0)
        return i;
    const char *gt = memchr(html + i, '>', len - i);
    size_t end = gt != NULL ? (size_t)(gt - html) + 1 : len;
    tok_edit(e, lt, end, "");
    return end;
}

/* libxml2's HTML parser ends any element at `/>`; a browser ignores the
 * slash on an element that is not void, so `<div style="display:none"/>`
 * hides the text after it (trial 45). Returns a copy of `html` with those
 * slashes blanked and the markup declarations tok_decl() takes out, or
 * NULL when there is none. Foreign content (<svg>, <math>), comments and
 * raw text are left as they are. */
GString *co__html_tokfix(const char *html, size_t len)
{
    tok_edit_t e = {html, len, 0, NULL};
    size_t i = 0;
    while (i < len) {
        const char *lt = memchr(html + i, '<', len - i);
        if (lt == NULL)
            break;
        i = (size_t)(lt - html) + 1;
        if (i < len && html[i] == '!') {
            i = tok_decl(&e, (size_t)(lt - html), i);
            continue;
        }
        if (i >= len || !g_ascii_isalpha(html[i]))
            continue;
        char name[16];
        size_t n = 0;
        for (; i < len && g_ascii_isalnum(html[i]); i++)
            if (n + 1 < sizeof name)
                name[n++] = g_ascii_tolower(html[i]);
        name[n] = '\0';
        /* the attributes, up to the '>' */
        size_t slash = 0;
        while (i < len && html[i] != '>') {
            char c = html[i];
            if (c == '/' && i + 1 < len && html[i + 1] == '>') {
                slash = i;
                i++;
            } else if (c == '=') {
                for (i++; i < len && g_ascii_isspace(html[i]);)
                    i++;
                if (i < len && (html[i] == '"' || html[i] == '\'')) {
                    const char *q = memchr(html + i + 1, html[i], len - i - 1);
                    i = q != NULL ? (size_t)(q - html) + 1 : len;
                } else { /* unquoted: a '/' in it is the value's */
                    while (i < len && !g_ascii_isspace(html[i]) &&
                           html[i] != '>')
                        i++;
                }
            } else {
                i++;
            }
        }
        if (slash != 0 && !tok_in(name, tok_void, G_N_ELEMENTS(tok_void)) &&
            strcmp(name, "svg") != 0 && strcmp(name, "math") != 0) {
            tok_edit(&e, slash, slash + 1, " ");
        }
        const char *skip_to = NULL;
        if (tok_in(name, tok_raw, G_N_ELEMENTS(tok_raw)))
            skip_to = name;
        else if ((strcmp(name, "svg") == 0 || strcmp(name, "math") == 0) &&
                 slash == 0)
            skip_to = name;
        if (skip_to != NULL && i < len) {
            /* to its end tag */
            size_t k = i;
            for (; k + 2 + n <= len; k++)
                if (html[k] == '<' && html[k + 1] == '/' &&
                    g_ascii_strncasecmp(html + k + 2, name, n) == 0)
                    break;
            i = k;
        }
    }
    if (e.g != NULL)
        g_string_append_len(e.g, html + e.done, (gssize)(len - e.done));
    return e.g;
}
