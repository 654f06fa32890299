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
/* Open elements whose colours are tracked (deeper ones inherit). */
#define H2T_MAX_DEPTH 256
/* Default page colours: black text on white. */
#define H2T_WHITE 0xFFFFFF
#define H2T_BLACK 0x000000

/* State of one conversion, driven by libxml2's SAX events (no DOM is
 * built: building and freeing the tree cost more than the parse). */
typedef struct {
    GString *out;
    json_t *links;
    size_t max_links;
    int pre;   /* inside <pre> */
    int skip;  /* depth inside an element whose content is dropped */
    int open;  /* <a> elements open */
    int depth; /* open visible elements (colour stack) */
    int32_t fg[H2T_MAX_DEPTH]; /* text colour 0xRRGGBB at each depth */
    int32_t bg[H2T_MAX_DEPTH]; /* background colour at each depth */
    gsize a_start[H2T_MAX_LINKS_OPEN];
    char *a_href[H2T_MAX_LINKS_OPEN];
    int in_style;     /* inside <style> */
    GString *css;     /* its text */
    GPtrArray *rules; /* h2t_rule_t from <style>, outside @media */
} h2t_t;

/* A stylesheet rule with one compound selector: an optional tag, then
 * any of `.class`, `#id`, `[attr]` and `[attr=value]` (`div.a.b`,
 * `[data-x]`, `p#id[lang=en]`), and what it declares, as inline styles
 * do. */
#define H2T_SEL_PARTS 8
typedef struct {
    char *tag;                 /* lower case, or NULL */
    char *cls[H2T_SEL_PARTS];  /* classes the element must all have */
    char *id;                  /* or NULL */
    char *attr[H2T_SEL_PARTS]; /* attributes it must have (lower case) */
    char *aval[H2T_SEL_PARTS]; /* their values, or NULL for any */
    int hidden;                /* display:none and the rest */
    int box;                   /* H2T_BOX_ bits it declares */
    int32_t fg;                /* colour, or -1 */
    int32_t bg;                /* background, or -1 */
} h2t_rule_t;

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

/* ---- text a reader cannot see ------------------------------------------
 * An element is hidden, with everything in it, when it has the `hidden`
 * attribute, aria-hidden="true", or an inline style (or legacy attribute)
 * with display:none, visibility:hidden|collapse, opacity:0, a font size
 * below 2px (1.5pt, 0.1em, 10%), a zero width or height (also max-),
 * a large negative offset (left/top/text-indent/margin-left <= -999px),
 * or a text colour equal (within 8 per channel) to its background colour
 * (inherited from the enclosing elements; white when none is given).
 * Screen-reader-only text counts too: a box of at most 1px with
 * overflow:hidden, or clipped away (clip: rect(0 0 0 0), clip-path:
 * inset(50%)) (trial 43: the usual "sr-only" pattern reached the
 * classifier). The same declarations in a <style> sheet count for
 * elements that a rule with one compound selector matches (`tag`,
 * `.class`, `#id`, `[attr]`, `[attr=value]` and their combinations such as
 * `div.a.b`); rules inside @media and other at-rules, and selectors with
 * combinators or pseudo-classes, are left out, so a responsive mail's
 * mobile copy stays.
 * Comments, <template>, <script>, <style> and <head> never give text. */

static const struct {
    const char *name;
    int32_t rgb;
} h2t_colors[] = {
    {"white", 0xFFFFFF}, {"black", 0x000000},     {"red", 0xFF0000},
    {"green", 0x008000}, {"blue", 0x0000FF},      {"yellow", 0xFFFF00},
    {"gray", 0x808080},  {"grey", 0x808080},      {"silver", 0xC0C0C0},
    {"navy", 0x000080},  {"snow", 0xFFFAFA},      {"whitesmoke", 0xF5F5F5},
    {"ivory", 0xFFFFF0}, {"lightgray", 0xD3D3D3}, {"lightgrey", 0xD3D3D3}};

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

/* A CSS colour as 0xRRGGBB; -1 when unknown; -2 for transparent. */
static int32_t h2t_color(const char *v)
{
    while (*v == ' ')
        v++;
    if (g_ascii_strncasecmp(v, "transparent", 11) == 0)
        return -2;
    if (v[0] == '#') {
        size_t n = 0;
        while (g_ascii_isxdigit(v[1 + n]))
            n++;
        if (n == 3 || n == 4) {
            int r = hexval(v[1]), g = hexval(v[2]), b = hexval(v[3]);
            return (r * 17) << 16 | (g * 17) << 8 | (b * 17);
        }
        if (n == 6 || n == 8) {
            int32_t c = 0;
            for (int i = 1; i <= 6; i++)
                c = c << 4 | hexval(v[i]);
            if (n == 8 && hexval(v[7]) == 0 && hexval(v[8]) == 0)
                return -2; /* fully transparent */
            return c;
        }
        return -1;
    }
    if (g_ascii_strncasecmp(v, "rgb", 3) == 0) {
        const char *p = strchr(v, '(');
        int c[4] = {0, 0, 0, 255};
        int k = 0;
        while (p != NULL && k < 4) {
            p++;
            char *end;
            double d = strtod(p, &end);
            if (end == p)
                break;
            if (*end == '%')
                d = d * 2.55;
            if (k == 3 && d <= 1.0 && *end != '%')
                d *= 255.0;
            c[k++] = d < 0 ? 0 : d > 255 ? 255 : (int)(d + 0.5);
            p = strpbrk(end, ",/ ");
            while (p != NULL && p[1] == ' ')
                p++;
        }
        if (k < 3)
            return -1;
        if (k == 4 && c[3] == 0)
            return -2;
        return c[0] << 16 | c[1] << 8 | c[2];
    }
    for (size_t i = 0; i < G_N_ELEMENTS(h2t_colors); i++) {
        size_t n = strlen(h2t_colors[i].name);
        if (g_ascii_strncasecmp(v, h2t_colors[i].name, n) == 0 &&
            !g_ascii_isalpha(v[n]))
            return h2t_colors[i].rgb;
    }
    return -1;
}

static int h2t_same_color(int32_t a, int32_t b)
{
    if (a < 0 || b < 0)
        return 0;
    for (int sh = 0; sh < 24; sh += 8) {
        int d = ((a >> sh) & 0xFF) - ((b >> sh) & 0xFF);
        if (d > 8 || d < -8)
            return 0;
    }
    return 1;
}

/* A CSS length in px (pt, em/rem = 16px, % of 16px); 1 when parsed. */
static int h2t_length(const char *v, double *px)
{
    char *end;
    double d = g_ascii_strtod(v, &end);
    if (end == v)
        return 0;
    if (g_ascii_strncasecmp(end, "pt", 2) == 0)
        d *= 4.0 / 3.0;
    else if (g_ascii_strncasecmp(end, "em", 2) == 0 ||
             g_ascii_strncasecmp(end, "rem", 3) == 0)
        d *= 16.0;
    else if (*end == '%')
        d *= 0.16;
    *px = d;
    return 1;
}

/* Bits of h2t_decl()'s `box`: declarations that hide only together (the
 * screen-reader-only pattern: position:absolute; width:1px; height:1px;
 * overflow:hidden; clip:rect(0 0 0 0)). Width and height do nothing on an
 * inline element and clip nothing on one that is not positioned, and a
 * table cell grows to its content (trial 44: `<td style="width:1px;
 * overflow:hidden">` and a `clip` without `position` lost visible text). */
#define H2T_BOX_TINY_W   1  /* width at most 1px */
#define H2T_BOX_TINY_H   2  /* height at most 1px */
#define H2T_BOX_OVERFLOW 4  /* overflow: hidden */
#define H2T_BOX_ABS      8  /* position: absolute or fixed */
#define H2T_BOX_CLIP     16 /* clip: rect() of nothing */
/* The display a style block gives, resolved as CSS does between the
 * sheet's rules (in order, !important first) and the inline style, which
 * beats rules that are not !important (trial 44: `.mob{display:none}`
 * under an inline display:block, and `.show{display:block !important}`
 * after `.hide{display:none}`, lost visible text) */
#define H2T_BOX_DISP_NONE 32
#define H2T_BOX_DISP_SHOW 64
#define H2T_BOX_DISP_IMP  128
#define H2T_BOX_DISP      (H2T_BOX_DISP_NONE | H2T_BOX_DISP_SHOW | H2T_BOX_DISP_IMP)

/* Whether a clip / clip-path value cuts everything away. */
static int h2t_clipped(const char *prop, const char *val)
{
    if (strcmp(prop, "clip") == 0) { /* hides when positioned (box) */
        const char *p = strchr(val, '(');
        if (g_ascii_strncasecmp(val, "rect", 4) != 0 || p == NULL)
            return 0;
        /* four lengths of at most 1px: nothing shows */
        int n = 0;
        for (p++; *p && *p != ')'; n++) {
            while (*p == ' ' || *p == ',')
                p++;
            double px;
            if (!h2t_length(p, &px) || px > 1 || px < 0)
                return 0;
            while (*p && *p != ' ' && *p != ',' && *p != ')')
                p++;
            while (*p == ' ' || *p == ',')
                p++;
        }
        return n == 4;
    }
    if (strcmp(prop, "clip-path") == 0 &&
        g_ascii_strncasecmp(val, "inset(", 6) == 0) {
        /* inset(50%): one value of 50% or more, for every side
         * (inset(50% 0 0 0) leaves the bottom half) */
        char *end;
        double pct = g_ascii_strtod(val + 6, &end);
        if (end == val + 6 || *end != '%')
            return 0;
        for (end++; *end == ' ';)
            end++;
        return *end == ')' && pct >= 50;
    }
    return 0;
}

/* What one declaration of an inline style says; `box` collects the
 * H2T_BOX_ bits. */
static void h2t_decl(const char *prop, const char *val, int *hidden,
                     int32_t *fg, int32_t *bg, int *box)
{
    double px;
    if (h2t_clipped(prop, val))
        *box |= H2T_BOX_CLIP;
    if (strcmp(prop, "clip-path") == 0 && h2t_clipped(prop, val))
        *hidden = 1;
    if (strcmp(prop, "overflow") == 0 &&
        g_ascii_strncasecmp(val, "hidden", 6) == 0)
        *box |= H2T_BOX_OVERFLOW;
    if (strcmp(prop, "position") == 0 &&
        (g_ascii_strncasecmp(val, "absolute", 8) == 0 ||
         g_ascii_strncasecmp(val, "fixed", 5) == 0))
        *box |= H2T_BOX_ABS;
    if (strcmp(prop, "display") == 0) {
        /* the last declaration of the block (h2t_style() adds !important) */
        *box = (*box & ~H2T_BOX_DISP) |
               (g_ascii_strncasecmp(val, "none", 4) == 0 ? H2T_BOX_DISP_NONE
                                                         : H2T_BOX_DISP_SHOW);
    } else if (strcmp(prop, "visibility") == 0) {
        if (g_ascii_strncasecmp(val, "hidden", 6) == 0 ||
            g_ascii_strncasecmp(val, "collapse", 8) == 0)
            *hidden = 1;
    } else if (strcmp(prop, "transform") == 0) {
        /* scale(0), scaleX(0), scaleY(0): nothing shows (trial 44) */
        const char *p = strstr(val, "scale");
        if (p != NULL) {
            p = strchr(p, '(');
            char *end;
            double f = p ? g_ascii_strtod(p + 1, &end) : 1;
            if (p && end != p + 1 && f == 0)
                *hidden = 1;
        }
    } else if (strcmp(prop, "opacity") == 0) {
        if (h2t_length(val, &px) && px < 0.05)
            *hidden = 1;
    } else if (strcmp(prop, "font-size") == 0) {
        if (h2t_length(val, &px) && px < 2)
            *hidden = 1;
    } else if (strcmp(prop, "width") == 0 || strcmp(prop, "height") == 0 ||
               strcmp(prop, "max-width") == 0 ||
               strcmp(prop, "max-height") == 0) {
        if (h2t_length(val, &px) && px <= 0.5)
            *hidden = 1;
        else if (h2t_length(val, &px) && px <= 1 && strchr(val, '%') == NULL)
            *box |= strstr(prop, "height") != NULL ? H2T_BOX_TINY_H
                                                   : H2T_BOX_TINY_W;
    } else if (strcmp(prop, "left") == 0 || strcmp(prop, "top") == 0 ||
               strcmp(prop, "text-indent") == 0 ||
               strcmp(prop, "margin-left") == 0) {
        if (h2t_length(val, &px) && px <= -999)
            *hidden = 1;
    } else if (strcmp(prop, "color") == 0) {
        int32_t c = h2t_color(val);
        if (c == -2)
            *hidden = 1;
        else if (c >= 0)
            *fg = c;
    } else if (strcmp(prop, "background-color") == 0 ||
               strcmp(prop, "background") == 0) {
        int32_t c = h2t_color(val);
        if (c >= 0)
            *bg = c;
    }
}

/* Parse an inline style attribute into hidden / colours. */
static void h2t_style(const char *style, int *hidden, int32_t *fg, int32_t *bg,
                      int *box)
{
    char **decls = g_strsplit(style, ";", 64);
    for (char **d = decls; *d != NULL; d++) {
        char *colon = strchr(*d, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        char *prop = g_strstrip(g_ascii_strdown(*d, -1));
        char *val = g_strstrip(colon + 1);
        char *imp = strstr(val, "!important");
        if (imp != NULL)
            *imp = '\0';
        g_strstrip(val);
        int had = *box & H2T_BOX_DISP;
        h2t_decl(prop, val, hidden, fg, bg, box);
        if (strcmp(prop, "display") == 0) {
            if (had & H2T_BOX_DISP_IMP && imp == NULL) /* the earlier wins */
                *box = (*box & ~H2T_BOX_DISP) | had;
            else if (imp != NULL)
                *box |= H2T_BOX_DISP_IMP;
        }
        g_free(prop);
    }
    g_strfreev(decls);
}

/* Merge the H2T_BOX_ bits `add` of a later style block (a later rule, or
 * the inline style) into `*box`: the others add up, the display of `add`
 * replaces the earlier one unless that one is !important and it is not. */
static void h2t_box_merge(int *box, int add)
{
    int disp = *box & H2T_BOX_DISP;
    if ((add & H2T_BOX_DISP) &&
        (!(disp & H2T_BOX_DISP_IMP) || (add & H2T_BOX_DISP_IMP)))
        disp = add & H2T_BOX_DISP;
    *box = ((*box | add) & ~H2T_BOX_DISP) | disp;
}

/* Whether the H2T_BOX_ bits an element got (its rules and its inline
 * style together: a sheet may split the pattern) hide it. */
static int h2t_box_hides(int box)
{
    int sr = H2T_BOX_TINY_W | H2T_BOX_TINY_H | H2T_BOX_OVERFLOW | H2T_BOX_ABS;
    int clip = H2T_BOX_CLIP | H2T_BOX_ABS;
    return (box & sr) == sr || (box & clip) == clip ||
           (box & H2T_BOX_DISP_NONE);
}

static void h2t_rule_free(void *p)
{
    h2t_rule_t *r = p;
    g_free(r->tag);
    for (int i = 0; i < H2T_SEL_PARTS; i++) {
        g_free(r->cls[i]);
        g_free(r->attr[i]);
        g_free(r->aval[i]);
    }
    g_free(r->id);
    g_free(r);
}

/* The name that starts at `p` (letters, digits, '-', '_'), copied; `*end`
 * after it. NULL when empty. */
static char *h2t_sel_name(const char *p, const char **end)
{
    const char *q = p;
    while (g_ascii_isalnum(*q) || *q == '-' || *q == '_')
        q++;
    *end = q;
    return q > p ? g_strndup(p, (gsize)(q - p)) : NULL;
}

/* Parses one compound selector into `r`; 0 when it is one we understand
 * (see h2t_rule_t), -1 otherwise (combinators, pseudo-classes, '*'). */
static int h2t_sel_parse(const char *sel, h2t_rule_t *r)
{
    const char *p = sel, *e;
    if (g_ascii_isalpha(*p)) {
        char *t = h2t_sel_name(p, &e);
        r->tag = g_ascii_strdown(t, -1);
        g_free(t);
        p = e;
    }
    int nc = 0, na = 0;
    while (*p) {
        if (*p == '.' && nc < H2T_SEL_PARTS) {
            if ((r->cls[nc++] = h2t_sel_name(p + 1, &e)) == NULL)
                return -1;
        } else if (*p == '#' && r->id == NULL) {
            if ((r->id = h2t_sel_name(p + 1, &e)) == NULL)
                return -1;
        } else if (*p == '[' && na < H2T_SEL_PARTS) {
            char *a = h2t_sel_name(p + 1, &e);
            if (a == NULL)
                return -1;
            r->attr[na] = g_ascii_strdown(a, -1);
            g_free(a);
            if (*e == '=') { /* [a=v], [a="v"], [a='v'] */
                char q = e[1] == '"' || e[1] == '\'' ? e[1] : 0;
                const char *v = e + 1 + (q != 0);
                const char *ve = q ? strchr(v, q) : strchr(v, ']');
                if (ve == NULL)
                    return -1;
                r->aval[na] = g_strndup(v, (gsize)(ve - v));
                e = ve + (q != 0);
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
    return r->tag || nc || r->id || na ? 0 : -1;
}

/* Adds the rules of one `selectors { declarations }` block. Selectors with
 * combinators or pseudo-classes are not understood and left out (the text
 * stays). */
static void h2t_css_block(h2t_t *h, const char *sels, const char *decls)
{
    int hidden = 0, box = 0;
    int32_t fg = -1, bg = -1;
    h2t_style(decls, &hidden, &fg, &bg, &box);
    if (!hidden && fg < 0 && bg < 0 && box == 0)
        return;
    char **list = g_strsplit(sels, ",", 32);
    for (char **sp = list; *sp != NULL; sp++) {
        char *sel = g_strstrip(*sp);
        if (*sel == '\0' || h->rules->len >= 256)
            continue;
        h2t_rule_t *r = g_new0(h2t_rule_t, 1);
        if (h2t_sel_parse(sel, r) != 0) {
            h2t_rule_free(r);
            continue;
        }
        r->hidden = hidden;
        r->box = box;
        r->fg = fg;
        r->bg = bg;
        g_ptr_array_add(h->rules, r);
    }
    g_strfreev(list);
}

/* Parses the collected <style> text: comments removed, @media and other
 * at-rule blocks skipped (responsive mail hides its mobile copy there). */
static void h2t_css_parse(h2t_t *h)
{
    GString *c = h->css;
    char *p = c->str;
    for (char *a; (a = strstr(p, "/*")) != NULL;) { /* drop comments */
        char *b = strstr(a + 2, "*/");
        size_t n = b ? (size_t)(b + 2 - a) : strlen(a);
        memset(a, ' ', n);
        p = a + n;
    }
    p = c->str;
    while (*p) {
        char *open = strchr(p, '{');
        if (open == NULL)
            break;
        char *close = strchr(open + 1, '}');
        if (close == NULL)
            break;
        *open = '\0';
        char *sel = g_strstrip(p);
        if (*sel == '@') {
            /* skip to the matching brace of the at-rule */
            int depth = 1;
            char *q = open + 1;
            for (; *q && depth > 0; q++)
                depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
            p = q;
            continue;
        }
        *close = '\0';
        h2t_css_block(h, sel, open + 1);
        p = close + 1;
    }
    g_string_truncate(c, 0);
}

/* Whether `cls` (a class attribute) lists `name`. */
static int h2t_has_class(const char *cls, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = cls; (p = strstr(p, name)) != NULL; p += n)
        if ((p == cls || g_ascii_isspace(p[-1])) &&
            (p[n] == '\0' || g_ascii_isspace(p[n])))
            return 1;
    return 0;
}

/* The value of attribute `name` in `atts`, or NULL. */
static const char *h2t_att(const xmlChar **atts, const char *name)
{
    for (int i = 0; atts != NULL && atts[i] != NULL; i += 2)
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* Whether rule `r` matches an element. */
static int h2t_rule_matches(const h2t_rule_t *r, const char *tag,
                            const xmlChar **atts)
{
    if (r->tag && strcasecmp(r->tag, tag) != 0)
        return 0;
    const char *cls = h2t_att(atts, "class"), *id = h2t_att(atts, "id");
    for (int i = 0; i < H2T_SEL_PARTS && r->cls[i]; i++)
        if (cls == NULL || !h2t_has_class(cls, r->cls[i]))
            return 0;
    if (r->id && (id == NULL || strcmp(r->id, id) != 0))
        return 0;
    for (int i = 0; i < H2T_SEL_PARTS && r->attr[i]; i++) {
        const char *v = h2t_att(atts, r->attr[i]);
        if (v == NULL || (r->aval[i] && strcmp(r->aval[i], v) != 0))
            return 0;
    }
    return 1;
}

/* Applies the stylesheet rules that match an element. */
static void h2t_apply_rules(h2t_t *h, const char *tag, const xmlChar **atts,
                            int *hidden, int32_t *fg, int32_t *bg, int *box)
{
    if (h->rules == NULL || h->rules->len == 0)
        return;
    for (guint k = 0; k < h->rules->len; k++) {
        const h2t_rule_t *r = g_ptr_array_index(h->rules, k);
        if (!h2t_rule_matches(r, tag, atts))
            continue;
        *hidden |= r->hidden;
        h2t_box_merge(box, r->box);
        if (r->fg >= 0)
            *fg = r->fg;
        if (r->bg >= 0)
            *bg = r->bg;
    }
}

/* Whether an element hides its content; updates the colour stack. */
static int h2t_hidden(h2t_t *h, const char *tag, const xmlChar **atts)
{
    int hidden = 0;
    int top = h->depth < H2T_MAX_DEPTH ? h->depth : H2T_MAX_DEPTH;
    int32_t fg = top > 0 ? h->fg[top - 1] : H2T_BLACK;
    int32_t bg = top > 0 ? h->bg[top - 1] : H2T_WHITE;
    int32_t fg0 = fg, bg0 = bg;
    int box = 0;
    h2t_apply_rules(h, tag, atts, &hidden, &fg, &bg, &box);
    for (int i = 0; atts != NULL && atts[i] != NULL; i += 2) {
        const char *a = (const char *)atts[i];
        const char *v = atts[i + 1] ? (const char *)atts[i + 1] : "";
        if (strcasecmp(a, "hidden") == 0) {
            hidden = 1;
        } else if (strcasecmp(a, "aria-hidden") == 0) {
            if (g_ascii_strcasecmp(v, "true") == 0)
                hidden = 1;
        } else if (strcasecmp(a, "style") == 0) {
            int inl = 0;
            h2t_style(v, &hidden, &fg, &bg, &inl);
            h2t_box_merge(&box, inl);
        } else if (strcasecmp(a, "bgcolor") == 0) {
            int32_t c = h2t_color(v);
            if (c >= 0)
                bg = c;
        } else if (strcasecmp(a, "color") == 0) {
            int32_t c = h2t_color(v);
            if (c >= 0)
                fg = c;
        }
    }
    if ((fg != fg0 || bg != bg0) && h2t_same_color(fg, bg))
        hidden = 1;
    if (h2t_box_hides(box))
        hidden = 1;
    if (!hidden && h->depth < H2T_MAX_DEPTH) {
        h->fg[h->depth] = fg;
        h->bg[h->depth] = bg;
    }
    return hidden;
}

static void sax_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
    h2t_t *h = ((xmlParserCtxtPtr)ctx)->_private;
    const char *name = (const char *)xname;
    if (strcasecmp(name, "style") == 0)
        h->in_style++;
    if (h->skip > 0 || in_list(name, h2t_skip, G_N_ELEMENTS(h2t_skip)) ||
        h2t_hidden(h, name, atts)) {
        h->skip++;
        return;
    }
    h->depth++;
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
    if (strcasecmp(name, "style") == 0 && h->in_style > 0) {
        h->in_style--;
        h2t_css_parse(h);
    }
    if (h->skip > 0) {
        h->skip--;
        return;
    }
    if (h->depth > 0)
        h->depth--;
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
    if (h->in_style > 0) {
        if (len > 0 && h->css->len < 65536)
            g_string_append_len(h->css, (const char *)ch, len);
    } else if (h->skip == 0 && len > 0)
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
    h.css = g_string_new(NULL);
    h.rules = g_ptr_array_new_with_free_func(h2t_rule_free);
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
    g_string_free(h.css, TRUE);
    g_ptr_array_free(h.rules, TRUE);
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
