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

#define H2T_MAX_DEPTH 256

typedef struct {
    GString *out;
    json_t *links;
    size_t max_links;
    int pre; /* inside <pre> */
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

static void h2t_text(h2t_t *h, const char *s)
{
    GString *o = h->out;
    if (h->pre) {
        g_string_append(o, s);
        return;
    }
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (o->len > 0 && o->str[o->len - 1] != ' ' &&
                o->str[o->len - 1] != '\n')
                g_string_append_c(o, ' ');
            continue;
        }
        /* U+00A0 NO-BREAK SPACE is layout, read it as a space */
        if (c == 0xC2 && (unsigned char)p[1] == 0xA0) {
            p++;
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

static void h2t_walk(h2t_t *h, xmlNode *node, int depth)
{
    if (depth > H2T_MAX_DEPTH)
        return;
    for (xmlNode *n = node->children; n != NULL; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content != NULL)
                h2t_text(h, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || n->name == NULL)
            continue;
        const char *name = (const char *)n->name;
        if (in_list(name, h2t_skip, G_N_ELEMENTS(h2t_skip)))
            continue;
        if (strcasecmp(name, "br") == 0) {
            while (h->out->len > 0 && h->out->str[h->out->len - 1] == ' ')
                g_string_truncate(h->out, h->out->len - 1);
            g_string_append_c(h->out, '\n');
            continue;
        }
        if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0) {
            h2t_text(h, " ");
            h2t_walk(h, n, depth + 1);
            h2t_text(h, " ");
            continue;
        }
        if (strcasecmp(name, "a") == 0) {
            gsize start = h->out->len;
            h2t_walk(h, n, depth + 1);
            xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
            if (href != NULL) {
                char *url = g_strstrip(g_strdup((const char *)href));
                if (url[0] != '\0' && url[0] != '#' &&
                    g_ascii_strncasecmp(url, "javascript:", 11) != 0) {
                    char *txt =
                        g_strndup(h->out->str + start, h->out->len - start);
                    for (char *c = txt; *c != '\0'; c++)
                        if (*c == '\n')
                            *c = ' ';
                    add_link(h->links, h->max_links, url, g_strstrip(txt));
                    g_free(txt);
                }
                g_free(url);
                xmlFree(href);
            }
            continue;
        }
        int block = in_list(name, h2t_block, G_N_ELEMENTS(h2t_block));
        int para = strcasecmp(name, "p") == 0 ||
                   (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' &&
                    name[2] == '\0') ||
                   strcasecmp(name, "table") == 0 ||
                   strcasecmp(name, "blockquote") == 0;
        int pre = strcasecmp(name, "pre") == 0;
        if (block)
            h2t_newline(h, para);
        if (strcasecmp(name, "li") == 0)
            g_string_append(h->out, "- ");
        if (pre)
            h->pre++;
        h2t_walk(h, n, depth + 1);
        if (pre)
            h->pre--;
        if (block)
            h2t_newline(h, para);
    }
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
    htmlDocPtr doc =
        htmlReadMemory(html, (int)len, NULL, "UTF-8",
                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                           HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (doc == NULL)
        return;
    h2t_t h = {g_string_new(NULL), links, max_links, 0};
    xmlNode *root = xmlDocGetRootElement(doc);
    if (root != NULL) {
        /* walk from a fake parent so that the root element is handled */
        xmlNode fake;
        memset(&fake, 0, sizeof fake);
        fake.children = root;
        h2t_walk(&h, &fake, 0);
    }
    xmlFreeDoc(doc);
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
