/**
 * @file core/mail/co_mail_html.c
 * @brief HTML to readable text with libxml2's HTML parser, and link
 *        collection.
 */
#include "co_mail_int.h"

#include <libxml/HTMLparser.h>
#include <string.h>
#include <strings.h>

/* Elements whose content is never text for a reader. */
static const char *const h2t_skip[] = {
    "script", "style",  "head",   "noscript", "template",
    "svg",    "object", "iframe", "select",   "title"};
/* Elements that end a line. */
static const char *const h2t_block[] = {
    "p",          "div",        "tr",      "li",    "h1",      "h2",
    "h3",         "h4",         "h5",      "h6",    "table",   "ul",
    "ol",         "blockquote", "pre",     "hr",    "section", "article",
    "header",     "footer",     "dd",      "dt",    "dl",      "center",
    "form",       "address",    "nav",     "main",  "aside",   "figure",
    "figcaption", "fieldset",   "caption", "tbody", "thead",   "tfoot",
    "body",       "html"};

#define H2T_MAX_LINKS_OPEN 32

/* State of one conversion, driven by libxml2's SAX events (no DOM is
 * built: building and freeing the tree cost more than the parse). */
typedef struct {
    GString *out;
    json_t *links;
    size_t max_links;
    int pre;  /* inside <pre> */
    int skip; /* depth inside an element whose content is dropped */
    int open; /* <a> elements open */
    gsize a_start[H2T_MAX_LINKS_OPEN];
    char *a_href[H2T_MAX_LINKS_OPEN];
} h2t_t;

static int in_list(const char *n, const char *const *l, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++)
        if (strcasecmp(n, l[i]) == 0)
            return 1;
    return 0;
}

static void h2t_newline(h2t_t *h, int blank)
{
    GString *o = h->out;
    /* drop trailing spaces of the line */
    while (o->len > 0 && o->str[o->len - 1] == ' ')
        g_string_truncate(o, o->len - 1);
    if (o->len == 0)
        return;
    if (o->str[o->len - 1] != '\n')
        g_string_append_c(o, '\n');
    if (blank && (o->len < 2 || o->str[o->len - 2] != '\n'))
        g_string_append_c(o, '\n');
}

static void h2t_text(h2t_t *h, const char *s, size_t n)
{
    GString *o = h->out;
    if (h->pre) {
        g_string_append_len(o, s, (gssize)n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int space =
            c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
        /* U+00A0 NO-BREAK SPACE is layout, read it as a space */
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
            i++;
            space = 1;
        }
        if (space) {
            if (o->len > 0 && o->str[o->len - 1] != ' ' &&
                o->str[o->len - 1] != '\n')
                g_string_append_c(o, ' ');
            continue;
        }
        g_string_append_c(o, (char)c);
    }
}

static int link_seen(json_t *links, const char *url)
{
    size_t i;
    json_t *v;
    json_array_foreach(links, i, v)
    {
        const char *u = json_string_value(json_object_get(v, "url"));
        if (u != NULL && strcmp(u, url) == 0)
            return 1;
    }
    return 0;
}

static void add_link(json_t *links, size_t max_links, const char *url,
                     const char *text)
{
    if (links == NULL || json_array_size(links) >= max_links)
        return;
    if (!g_utf8_validate(url, -1, NULL) || !g_utf8_validate(text, -1, NULL))
        return;
    if (link_seen(links, url))
        return;
    json_t *o = json_object();
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "text", json_string(text));
    json_array_append_new(links, o);
}

static int is_para(const char *name)
{
    return strcmp(name, "p") == 0 ||
           (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' &&
            name[2] == '\0') ||
           strcmp(name, "table") == 0 || strcmp(name, "blockquote") == 0;
}

static void sax_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
    h2t_t *h = ((xmlParserCtxtPtr)ctx)->_private;
    const char *name = (const char *)xname;
    if (h->skip > 0 || in_list(name, h2t_skip, G_N_ELEMENTS(h2t_skip))) {
        h->skip++;
        return;
    }
    if (strcmp(name, "br") == 0) {
        while (h->out->len > 0 && h->out->str[h->out->len - 1] == ' ')
            g_string_truncate(h->out, h->out->len - 1);
        g_string_append_c(h->out, '\n');
    } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
        h2t_text(h, " ", 1);
    } else if (strcmp(name, "a") == 0) {
        if (h->open < H2T_MAX_LINKS_OPEN) {
            const char *href = NULL;
            for (int i = 0; atts != NULL && atts[i] != NULL; i += 2)
                if (strcasecmp((const char *)atts[i], "href") == 0 &&
                    atts[i + 1] != NULL)
                    href = (const char *)atts[i + 1];
            h->a_start[h->open] = h->out->len;
            h->a_href[h->open] = href != NULL ? g_strdup(href) : NULL;
        }
        h->open++;
    } else if (in_list(name, h2t_block, G_N_ELEMENTS(h2t_block))) {
        h2t_newline(h, is_para(name));
        if (strcmp(name, "li") == 0)
            g_string_append(h->out, "- ");
        if (strcmp(name, "pre") == 0)
            h->pre++;
    }
}

static void sax_end(void *ctx, const xmlChar *xname)
{
    h2t_t *h = ((xmlParserCtxtPtr)ctx)->_private;
    const char *name = (const char *)xname;
    if (h->skip > 0) {
        h->skip--;
        return;
    }
    if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
        h2t_text(h, " ", 1);
    } else if (strcmp(name, "a") == 0) {
        if (h->open == 0)
            return;
        h->open--;
        if (h->open >= H2T_MAX_LINKS_OPEN)
            return;
        char *url = h->a_href[h->open];
        h->a_href[h->open] = NULL;
        if (url == NULL)
            return;
        g_strstrip(url);
        if (url[0] != '\0' && url[0] != '#' &&
            g_ascii_strncasecmp(url, "javascript:", 11) != 0) {
            gsize st = h->a_start[h->open];
            char *txt = g_strndup(h->out->str + st,
                                  st <= h->out->len ? h->out->len - st : 0);
            for (char *c = txt; *c != '\0'; c++)
                if (*c == '\n')
                    *c = ' ';
            add_link(h->links, h->max_links, url, g_strstrip(txt));
            g_free(txt);
        }
        g_free(url);
    } else if (in_list(name, h2t_block, G_N_ELEMENTS(h2t_block))) {
        if (strcmp(name, "pre") == 0 && h->pre > 0)
            h->pre--;
        h2t_newline(h, is_para(name));
    }
}

static void sax_chars(void *ctx, const xmlChar *ch, int len)
{
    h2t_t *h = ((xmlParserCtxtPtr)ctx)->_private;
    if (h->skip == 0 && len > 0)
        h2t_text(h, (const char *)ch, (size_t)len);
}

/* Trim spaces at line ends and starts, at most one blank line in a row. */
static void tidy_lines(GString *s)
{
    GString *o = g_string_sized_new(s->len);
    const char *p = s->str, *end = s->str + s->len;
    int blanks = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *a = p, *b = le;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (a == b) {
            blanks++;
        } else {
            if (o->len > 0)
                g_string_append(o, blanks > 0 ? "\n\n" : "\n");
            g_string_append_len(o, a, b - a);
            blanks = 0;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    g_string_assign(s, o->str);
    g_string_free(o, TRUE);
}

void co__html_to_text(const char *html, size_t len, GString *out, json_t *links,
                      size_t max_links)
{
    if (len == 0 || len > INT32_MAX)
        return;
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL)
        return;
    h2t_t h;
    memset(&h, 0, sizeof h);
    h.out = g_string_new(NULL);
    h.links = links;
    h.max_links = max_links;
    /* our handlers instead of the tree builder's */
    ctxt->sax->startElement = sax_start;
    ctxt->sax->endElement = sax_end;
    ctxt->sax->characters = sax_chars;
    ctxt->sax->cdataBlock = sax_chars;
    ctxt->sax->ignorableWhitespace = sax_chars;
    ctxt->sax->comment = NULL;
    ctxt->sax->processingInstruction = NULL;
    ctxt->_private = &h;
    htmlDocPtr doc =
        htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    /* anchors still open at the end of a cut document are links too */
    while (h.open > 0 && h.skip == 0)
        sax_end(ctxt, (const xmlChar *)"a");
    if (doc != NULL)
        xmlFreeDoc(doc);
    htmlFreeParserCtxt(ctxt);
    for (int i = 0; i < H2T_MAX_LINKS_OPEN; i++)
        g_free(h.a_href[i]);
    tidy_lines(h.out);
    g_string_append_len(out, h.out->str, (gssize)h.out->len);
    g_string_free(h.out, TRUE);
}

void co__text_links(const char *text, json_t *links, size_t max_links)
{
    const char *p = text;
    while (links != NULL && json_array_size(links) < max_links) {
        const char *a = strstr(p, "http");
        if (a == NULL)
            break;
        if (g_ascii_strncasecmp(a, "http://", 7) != 0 &&
            g_ascii_strncasecmp(a, "https://", 8) != 0) {
            p = a + 4;
            continue;
        }
        const char *b = a;
        while (*b != '\0' && (unsigned char)*b > ' ' && *b != '<' &&
               *b != '>' && *b != '"' && *b != '\'' && *b != '[' && *b != ']')
            b++;
        const char *e = b;
        while (e > a && strchr(".,;:!?)", e[-1]) != NULL)
            e--;
        if (e - a > 8) {
            char *url = g_strndup(a, (gsize)(e - a));
            add_link(links, max_links, url, "");
            g_free(url);
        }
        p = b;
    }
}
