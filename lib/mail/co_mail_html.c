/**
 * @file core/mail/co_mail_html.c
 * @brief HTML to readable text with libxml2's HTML parser, and link
 *        collection.
 */
#include "co_mail_int.h"

#include <libxml/HTMLparser.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* Elements whose content is never text for a reader: also those a
 * browser does not render (<datalist>, <noframes>, <noembed>), the
 * fallback of media and canvas (shown only where they are not supported)
 * and the text in <progress> and <meter> (trial 53). <object> is not one:
 * mail clients load no objects, so its fallback is what a reader sees. */
static const char *const h2t_skip[] = {
    "script", "style",  "head",     "template", "svg",     "iframe",
    "select", "title",  "datalist", "noframes", "noembed", "video",
    "audio",  "canvas", "progress", "meter"};
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
/* Default page colours: black text on white, 16px. */
#define H2T_WHITE 0xFFFFFF
#define H2T_BLACK 0x000000
#define H2T_FONT  CO_CSS_FONT
/* A text colour that is transparent. */
#define H2T_TRANSPARENT CO_CSS_TRANSPARENT

/* What an open element passes on to the text in it (CSS inherits these:
 * a descendant may set its own colour, size or visibility). */
typedef struct {
    int32_t fg;   /* text colour 0xRRGGBB, H2T_TRANSPARENT, or another
                   * negative value when not known (never judged) */
    int32_t bg;   /* the background painted behind it */
    double font;  /* font size in px */
    int vis;      /* visibility: visible */
    int32_t fill; /* -webkit-text-fill-color, painted instead of fg when
                   * not H2T_NOFILL (as fg) */
    int bgtext;   /* inside `background-clip:text`: the background shows
                   * through the fill colour, which is not judged */
} h2t_inh_t;
#define H2T_NOFILL INT32_MIN

/* An open element, for combinators: its tag and attributes (name, value
 * pairs; a value never NULL). */
typedef struct {
    char *tag;
    char **atts;
} h2t_anc_t;

/* Elements kept for sibling combinators at each depth: the last ones
 * before the element open there (its elder siblings). */
#define H2T_MAX_SIBS 32
typedef struct {
    h2t_anc_t el[H2T_MAX_SIBS]; /* a ring, oldest at `first` */
    int first, n;
} h2t_sibs_t;

/* State of one conversion, driven by libxml2's SAX events (no DOM is
 * built: building and freeing the tree cost more than the parse). */
typedef struct {
    GString *out;
    json_t *links;
    size_t max_links;
    int pre;   /* inside <pre> */
    int skip;  /* depth inside an element whose content is dropped */
    int open;  /* <a> elements open */
    int depth; /* open visible elements (inherited state stack) */
    h2t_inh_t inh[H2T_MAX_DEPTH];        /* at each depth */
    h2t_anc_t anc[H2T_MAX_DEPTH];        /* the element at each depth */
    h2t_sibs_t *sibs[H2T_MAX_DEPTH + 1]; /* its elder siblings, or NULL */
    h2t_anc_t hid; /* the hidden element whose content is skipped */
    gsize a_start[H2T_MAX_LINKS_OPEN];
    char *a_href[H2T_MAX_LINKS_OPEN];
    int in_style;        /* inside <style> */
    int css_off;         /* its media attribute is not for a screen */
    GString *css;        /* its text */
    GPtrArray *rules;    /* h2t_rule_t from <style> */
    int layer;           /* parsing inside @layer */
    int sel_budget;      /* ancestors combinators may still try (page) */
    int64_t rule_budget; /* rules still tried against elements (page) */
    GHashTable *keys;    /* ".class" and "#id" of the open elements (lower
                          * case) and how many have each (h2t_keys) */
    int quirks;          /* quirks mode: classes and ids match in any case */
    int started;         /* an element was seen (a later DOCTYPE is ignored) */
    int sheets;          /* 1: the first pass, which reads only the <style>
                          * sheets; 2: they are read (all rules apply to all
                          * elements, wherever the sheet stands; trial 53) */
} h2t_t;

/* The properties the hiding rules read. */
enum {
    P_DISPLAY,
    P_VISIBILITY,
    P_OPACITY,
    P_FONT_SIZE,
    P_WIDTH,
    P_HEIGHT,
    P_MAX_WIDTH,
    P_MAX_HEIGHT,
    P_OVERFLOW,
    P_POSITION,
    P_CLIP,
    P_CLIP_PATH,
    P_TRANSFORM,
    P_LEFT,
    P_TOP,
    P_TEXT_INDENT,
    P_MARGIN_LEFT,
    P_COLOR,
    P_BG,
    P_BG_IMG,
    P_BG_SHORT,
    P_BG_SIZE,
    P_BG_REPEAT,
    P_BG_POS,
    P_BG_POS_X,
    P_BG_POS_Y,
    P_BG_CLIP,
    P_FONT,
    P_OVERFLOW_X,
    P_OVERFLOW_Y,
    P_TEXT_FILL,
    P_FILTER,
    P_CONTENT_VIS,
    P_SCALE,
    P_TRANSLATE,
    P_ZOOM,
    P_PADDING,
    P_PADDING_LEFT,
    P_PADDING_TOP,
    P_N
};
static const char *const h2t_props[P_N] = {"display",
                                           "visibility",
                                           "opacity",
                                           "font-size",
                                           "width",
                                           "height",
                                           "max-width",
                                           "max-height",
                                           "overflow",
                                           "position",
                                           "clip",
                                           "clip-path",
                                           "transform",
                                           "left",
                                           "top",
                                           "text-indent",
                                           "margin-left",
                                           "color",
                                           "background-color",
                                           "background-image",
                                           "background",
                                           "background-size",
                                           "background-repeat",
                                           "background-position",
                                           "background-position-x",
                                           "background-position-y",
                                           "background-clip",
                                           "font",
                                           "overflow-x",
                                           "overflow-y",
                                           "-webkit-text-fill-color",
                                           "filter",
                                           "content-visibility",
                                           "scale",
                                           "translate",
                                           "zoom",
                                           "padding",
                                           "padding-left",
                                           "padding-top"};

/* One declaration of a property in P_. */
typedef struct {
    int prop;
    int imp; /* !important */
    char *val;
} h2t_decl_t;

/* A stylesheet rule: compound selectors joined by descendant, child and
 * sibling combinators (`body .x`, `div > span`, `h1 + p`, `.a ~ p`), the
 * last one the element's own; its specificity and what it declares. */
#define H2T_SEL_CMPS 8
/* Rules read from the page's sheets (later ones are left out: they hide
 * nothing), and rule-element tests on the whole page: when an element
 * would pass it, no rule is tried on that element or any later one, and
 * they are judged by their attributes and inline style alone (trial 53:
 * 256 filler rules put the hiding rule after the old bound of 256). */
#define H2T_MAX_RULES   4096
#define H2T_RULE_BUDGET 32000000
typedef struct {
    co__cmp_t *cmp;
    int ncmp;
    int layered;   /* inside @layer (h2t_rank) */
    uint32_t spec; /* ids << 16 | classes/attrs << 8 | tags */
    h2t_decl_t *decls;
    int ndecls;
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
 * An element is dropped, with everything in it, when it has the `hidden`
 * attribute (the UA's display:none, which a page's display beats),
 * aria-hidden="true", or a computed style with display:none,
 * opacity:0, a zero width or height (also max-) with overflow:hidden on a
 * box that has a size (not an inline element, nor a table or a part of
 * one), a large negative offset (left/top/text-indent/margin-left <=
 * -999px, unless a padding on that side puts it back), or when
 * it is screen-reader-only: a box of at most 1px with overflow:hidden, or
 * clipped away (clip: rect(0 0 0 0), clip-path: inset(50%)) (trial 43:
 * the usual "sr-only" pattern reached the classifier).
 * Text is dropped on its own when, where it stands, the inherited
 * visibility is hidden|collapse, the font size is below 2px (1.5pt,
 * 0.1em, 10%), the text colour is transparent or equal (within 8 per
 * channel) to the background painted behind it (white when none is
 * given): a descendant may set its own visibility, size and colour
 * (trial 45: white text in a black box, `visibility:visible` inside a
 * hidden parent were lost).
 * The style of an element follows the cascade: presentational attributes
 * (bgcolor, <font color>, <body text>, a table's or the body's background
 * image), then the rules of the <style> sheets by specificity and source
 * order, then the inline style; `!important` declarations beat the
 * others. All the sheets of the page apply to every element, wherever
 * they stand (a first parse reads them, h2t_parse()). Rules are those whose
 * selector is compound selectors (`tag`, `*`, `.class`, `#id`, `[attr]`,
 * `[attr=value]`, `~=`, `^=`, `$=`, `*=`, `|=`, and their combinations
 * such as `div.a.b`; co_mail_sel.c) joined by descendant, child or
 * sibling combinators, matched against the open ancestors and the last
 * elder siblings (h2t_match_up); rules inside @media for a screen (widths
 * on a window of 1000px), @supports and @layer apply; other at-rules,
 * queries not read, and selectors with pseudo-classes are left out, so a
 * responsive mail's mobile copy stays. The CSS scanner (co_mail_sel.c) skips
 * strings, comments and escapes (`\6e one` is `none`). Values (lengths,
 * backgrounds, the font shorthand) are read in co_mail_css.c, colours in
 * co_mail_color.c; a declaration a browser ignores as invalid is ignored,
 * and a colour that cannot be told there never hides text.
 * Comments (also `<!-->` and bogus ones, co__html_tokfix()), <template>,
 * <script>, <style> and <head> never give text;
 * <noscript> does (mail clients run no scripts). */

/* Whether a declaration is one a browser drops as invalid, so that an
 * earlier one applies (trial 51: `font-size:0;font-size:1px2` is 0): a
 * number that is no value of the property (`1px2`, `0 1`, a bare number
 * in a standards page), a colour that is none (`white2`). Values not read
 * here (keywords, functions) stay. */
static int h2t_invalid(int prop, const char *v, int quirks)
{
    static const char *const wide[] = {"inherit", "initial", "unset", "revert",
                                       "revert-layer"};
    int num =
        g_ascii_isdigit(v[0]) || ((v[0] == '-' || v[0] == '+' || v[0] == '.') &&
                                  (g_ascii_isdigit(v[1]) || v[1] == '.'));
    double d;
    switch (prop) {
    case P_OPACITY:
        return num && !co__css_opacity(v, &d);
    case P_FONT_SIZE:
        return num && !co__css_font_ok(v, quirks);
    case P_WIDTH:
    case P_HEIGHT:
    case P_MAX_WIDTH:
    case P_MAX_HEIGHT:
    case P_LEFT:
    case P_TOP:
    case P_TEXT_INDENT:
    case P_MARGIN_LEFT:
        return num && !co__css_length(v, &d, quirks);
    case P_COLOR:
    case P_BG:
        return co__css_color_prop(v, NULL) == -1 &&
               !in_list(v, wide, G_N_ELEMENTS(wide));
    default:
        return 0;
    }
}

/* Parses a declaration block (`s`, changed in place) and appends the
 * declarations of the properties in P_ to `out` (h2t_decl_t, values
 * owned); invalid ones (h2t_invalid()) are left out. */
static void h2t_decls(char *s, GArray *out, int quirks)
{
    GPtrArray *a = co__css_split(s, ';');
    for (guint i = 0; i < a->len; i++) {
        char *d = g_ptr_array_index(a, i);
        char *colon = co__css_find(d, ":");
        if (*colon == '\0')
            continue;
        *colon = '\0';
        char *name = co__css_unescape(g_strstrip(d));
        int id = -1;
        for (int k = 0; k < P_N && id < 0; k++)
            if (g_ascii_strcasecmp(name, h2t_props[k]) == 0)
                id = k;
        if (g_ascii_strcasecmp(name, "-webkit-background-clip") == 0)
            id = P_BG_CLIP;
        g_free(name);
        if (id < 0)
            continue;
        char *val = g_strstrip(colon + 1);
        int imp = 0; /* `!important`, `! important` */
        size_t n = strlen(val);
        if (n >= 9 && g_ascii_strcasecmp(val + n - 9, "important") == 0) {
            char *b = val + n - 9;
            while (b > val && g_ascii_isspace(b[-1]))
                b--;
            if (b > val && b[-1] == '!') {
                imp = 1;
                b[-1] = '\0';
            }
        }
        h2t_decl_t dd = {id, imp, g_strstrip(co__css_unescape(val))};
        if (h2t_invalid(id, dd.val, quirks))
            g_free(dd.val);
        else
            g_array_append_val(out, dd);
    }
    g_ptr_array_free(a, TRUE);
}

static void h2t_decls_free(GArray *a)
{
    for (guint i = 0; i < a->len; i++)
        g_free(g_array_index(a, h2t_decl_t, i).val);
    g_array_free(a, TRUE);
}

static void h2t_rule_free(void *p)
{
    h2t_rule_t *r = p;
    for (int c = 0; c < r->ncmp; c++)
        co__sel_cmp_free(&r->cmp[c]);
    g_free(r->cmp);
    for (int i = 0; i < r->ndecls; i++)
        g_free(r->decls[i].val);
    g_free(r->decls);
    g_free(r);
}

/* Parses a selector into `r`: compound selectors joined by white space
 * (descendant), '>' (child), '+' (next sibling) or '~' (later sibling); 0,
 * or -1 when it is not one we understand (pseudo-classes). */
static int h2t_sel_parse(const char *sel, h2t_rule_t *r)
{
    r->cmp = g_new0(co__cmp_t, H2T_SEL_CMPS);
    const char *p = sel;
    char comb = 0;
    for (;;) {
        if (r->ncmp == H2T_SEL_CMPS)
            return -1;
        co__cmp_t *c = &r->cmp[r->ncmp++];
        c->comb = comb;
        int spec = co__sel_cmp_parse(p, c, &p);
        if (spec < 0)
            return -1;
        r->spec += (uint32_t)spec;
        int space = 0;
        while (g_ascii_isspace(*p)) {
            p++;
            space = 1;
        }
        if (*p == '\0')
            return 0;
        comb = ' ';
        if (*p == '>' || *p == '+' || *p == '~') {
            comb = *p;
            for (p++; g_ascii_isspace(*p);)
                p++;
        } else if (!space) {
            return -1;
        }
    }
}

/* Adds the rules of one `selectors { declarations }` block (both changed
 * in place). Selectors with pseudo-classes are not understood and left
 * out (the text stays). */
static void h2t_css_block(h2t_t *h, char *sels, char *block)
{
    GArray *d = g_array_new(FALSE, FALSE, sizeof(h2t_decl_t));
    h2t_decls(block, d, h->quirks);
    GPtrArray *list = d->len > 0 ? co__css_split(sels, ',') : NULL;
    for (guint i = 0; list != NULL && i < list->len; i++) {
        char *sel = g_strstrip((char *)g_ptr_array_index(list, i));
        if (*sel == '\0' || h->rules->len >= H2T_MAX_RULES)
            continue;
        h2t_rule_t *r = g_new0(h2t_rule_t, 1);
        if (h2t_sel_parse(sel, r) != 0) {
            h2t_rule_free(r);
            continue;
        }
        r->layered = h->layer;
        r->ndecls = (int)d->len;
        r->decls = g_new(h2t_decl_t, d->len);
        for (guint k = 0; k < d->len; k++) {
            r->decls[k] = g_array_index(d, h2t_decl_t, k);
            r->decls[k].val = g_strdup(r->decls[k].val);
        }
        g_ptr_array_add(h->rules, r);
    }
    if (list != NULL)
        g_ptr_array_free(list, TRUE);
    h2t_decls_free(d);
}

/* The '}' that closes the block whose '{' is at `open` (strings skipped),
 * or the end of a cut sheet. `*nested` when a block is in it. */
static char *h2t_css_block_end(char *open, int *nested)
{
    int depth = 0;
    for (char *p = open;; p++) {
        p = co__css_find(p, "{}");
        if (*p == '\0')
            return p;
        depth += *p == '{' ? 1 : -1;
        if (depth > 1)
            *nested = 1;
        if (depth == 0)
            return p;
    }
}

/* Whether the rules of at-rule `at` (its prelude, up to its '{') apply
 * on a screen: @media by its query (co__css_media(); one not known here is
 * left out, as before: responsive mail hides its mobile copy there),
 * @supports unless `not` (the properties read here are all supported),
 * @layer (its rules rank below unlayered ones, h2t_cascade()). Others
 * (@font-face, @keyframes, @page, @container...) hold no rules that
 * apply. `*layer` is set for @layer. */
static int h2t_at_applies(const char *at, int *layer)
{
    size_t n = strcspn(at, " \t\r\n\f({");
    if (n == 6 && g_ascii_strncasecmp(at, "@media", 6) == 0) {
        char *q = g_strndup(at + 6, strcspn(at + 6, "{"));
        int m = co__css_media(q);
        g_free(q);
        return m == 1;
    }
    if (n == 9 && g_ascii_strncasecmp(at, "@supports", 9) == 0) {
        const char *c = at + 9;
        while (g_ascii_isspace(*c))
            c++;
        return !(g_ascii_strncasecmp(c, "not", 3) == 0 &&
                 (g_ascii_isspace(c[3]) || c[3] == '('));
    }
    if (n == 6 && g_ascii_strncasecmp(at, "@layer", 6) == 0) {
        *layer = 1;
        return 1;
    }
    return 0;
}

/* Parses style sheet text (changed in place): comments and strings
 * skipped, `<!--` and `-->` around it ignored, the rules of @media,
 * @supports and @layer blocks that apply (h2t_at_applies()) read as rules
 * of the sheet, other at-rules skipped. `nest` counts the blocks it is
 * in. */
static void h2t_css_sheet(h2t_t *h, char *p, int nest)
{
    while (*p) {
        while (g_ascii_isspace(*p))
            p++;
        if (strncmp(p, "<!--", 4) == 0 || strncmp(p, "-->", 3) == 0) {
            p += *p == '<' ? 4 : 3;
            continue;
        }
        int nested = 0;
        if (*p == '@') {
            char *e = co__css_find(p, "{;");
            if (*e != '{') {
                p = e + (*e != '\0');
                continue;
            }
            char *close = h2t_css_block_end(e, &nested);
            int more = *close != '\0', layer = h->layer;
            *close = '\0';
            *e = '\0';
            if (nest < 8 && h2t_at_applies(p, &h->layer))
                h2t_css_sheet(h, e + 1, nest + 1);
            h->layer = layer;
            p = close + more;
            continue;
        }
        char *open = co__css_find(p, "{");
        if (*open == '\0')
            break;
        char *close = h2t_css_block_end(open, &nested);
        int more = *close != '\0';
        *close = '\0';
        *open = '\0';
        if (!nested) /* CSS nesting is not understood */
            h2t_css_block(h, p, open + 1);
        p = close + more;
    }
}

/* Parses the collected <style> text, unless its `media` attribute says it
 * is not for a screen (h->css_off). */
static void h2t_css_parse(h2t_t *h)
{
    char *p = h->css->str;
    co__css_uncomment(p);
    if (!h->css_off && h->sheets != 2)
        h2t_css_sheet(h, p, 0);
    g_string_truncate(h->css, 0);
}

/* Whether a document type puts the page in quirks mode (HTML, "The
 * initial insertion mode": the public identifiers of old HTML, a missing
 * system identifier on HTML 4.01 Transitional or Frameset, a name other
 * than html). A page with no DOCTYPE is in quirks mode too, as most mail
 * is. Limited-quirks pages match classes by case, as standard ones do. */
static int h2t_quirky(const char *name, const char *pub, const char *sys)
{
    static const char *const prefixes[] = {
        "+//silmaril//dtd html pro v0r11 19970101//",
        "-//as//dtd html 3.0 aswedit + extensions//",
        "-//advasoft ltd//dtd html 3.0 aswedit + extensions//",
        "-//ietf//dtd html",
        "-//metrius//dtd metrius presentational//",
        "-//microsoft//dtd internet explorer",
        "-//netscape comm. corp.//dtd",
        "-//o'reilly and associates//dtd html",
        "-//softquad",
        "-//spyglass//dtd html 2.0 extended//",
        "-//sq//dtd html 2.0 hotmetal + extensions//",
        "-//sun microsystems corp.//dtd hotjava",
        "-//w3c//dtd html 3",
        "-//w3c//dtd html 4.0 frameset//",
        "-//w3c//dtd html 4.0 transitional//",
        "-//w3c//dtd html experimental",
        "-//w3c//dtd w3 html//",
        "-//w3o//dtd w3 html 3.0//",
        "-//webtechs//dtd mozilla html",
    };
    if (name == NULL || g_ascii_strcasecmp(name, "html") != 0)
        return 1;
    if (pub == NULL)
        return sys != NULL &&
               g_ascii_strcasecmp(sys, "http://www.ibm.com/data/dtd/v11/"
                                       "ibmxhtml1-transitional.dtd") == 0;
    if (g_ascii_strcasecmp(pub, "-//w3o//dtd w3 html strict 3.0//en//") == 0 ||
        g_ascii_strcasecmp(pub, "-/w3c/dtd html 4.0 transitional/en") == 0 ||
        g_ascii_strcasecmp(pub, "html") == 0)
        return 1;
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
        if (g_ascii_strncasecmp(pub, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return sys == NULL &&
           (g_ascii_strncasecmp(pub, "-//w3c//dtd html 4.01 frameset//", 32) ==
                0 ||
            g_ascii_strncasecmp(pub, "-//w3c//dtd html 4.01 transitional//",
                                36) == 0);
}

/* libxml2's DOCTYPE event: the mode of the page, when it comes first. */
static void sax_doctype(void *ctx, const xmlChar *name, const xmlChar *pub,
                        const xmlChar *sys)
{
    h2t_t *h = ((xmlParserCtxtPtr)ctx)->_private;
    if (!h->started)
        h->quirks = h2t_quirky((const char *)name, (const char *)pub,
                               (const char *)sys);
}

/* The value of attribute `name` in `atts`, or NULL. */
static const char *h2t_att(const xmlChar **atts, const char *name)
{
    for (int i = 0; atts != NULL && atts[i] != NULL; i += 2)
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* The element `s` places before the one open at depth `d` (s = 0 the
 * one right before it), or NULL when it is not kept. */
static const h2t_anc_t *h2t_elder(const h2t_t *h, int d, int s)
{
    const h2t_sibs_t *b = h->sibs[d];
    if (b == NULL || s >= b->n)
        return NULL;
    return &b->el[(b->first + b->n - 1 - s) % H2T_MAX_SIBS];
}

/* Whether compounds 0..i of `r` match elements related to the element at
 * depth `d` (`s` < 0: the one open there; else h2t_elder(d, s)) as the
 * combinator after compound i says: '>' the parent, ' ' any ancestor,
 * '+' the element right before it, '~' any before it with the same
 * parent (each tried in turn, as browsers match right to left).
 * `*budget` bounds the work on deep pages (none left: no match); elder
 * siblings not kept are not tried. */
static int h2t_match_up(const h2t_t *h, const h2t_rule_t *r, int i, int d,
                        int s, int *budget)
{
    char comb = r->cmp[i + 1].comb;
    int sib = comb == '+' || comb == '~';
    /* k: an ancestor's depth, up; or an elder's place, back (to NULL) */
    for (int k = sib ? s + 1 : d - 1; k >= 0; k += sib ? 1 : -1) {
        if (--*budget < 0)
            return 0;
        const h2t_anc_t *an = sib ? h2t_elder(h, d, k) : &h->anc[k];
        if (an == NULL)
            return 0;
        if (an->tag != NULL &&
            co__sel_cmp_matches(&r->cmp[i], an->tag, (const xmlChar **)an->atts,
                                h->quirks) &&
            (i == 0 ||
             h2t_match_up(h, r, i - 1, sib ? d : k, sib ? k : -1, budget)))
            return 1;
        if (comb == '>' || comb == '+')
            return 0;
    }
    return 0;
}

/* Counts the classes and id of `a` (an open element) in h->keys, or
 * takes them out when it ends (`add` 0): the ancestors a rule needs are
 * looked up there before they are looked for (trial 53: a thousand rules
 * such as `.c1 .d1 span` spent the page's combinator budget on every
 * span, and a hiding rule after them was not tried). */
static void h2t_keys(h2t_t *h, const h2t_anc_t *a, int add)
{
    for (int i = 0; a->atts != NULL && a->atts[i] != NULL; i += 2) {
        int cls = g_ascii_strcasecmp(a->atts[i], "class") == 0;
        if (!cls && g_ascii_strcasecmp(a->atts[i], "id") != 0)
            continue;
        gchar **w = cls ? g_strsplit_set(a->atts[i + 1], " \t\r\n\f", 0)
                        : g_strsplit(a->atts[i + 1], "\x01", 1);
        for (int k = 0; w[k] != NULL; k++) {
            if (*w[k] == '\0')
                continue;
            char *low = g_ascii_strdown(w[k], -1);
            char *key = g_strconcat(cls ? "." : "#", low, NULL);
            g_free(low);
            int n = GPOINTER_TO_INT(g_hash_table_lookup(h->keys, key));
            n += add ? 1 : -1;
            if (n > 0)
                g_hash_table_insert(h->keys, key, GINT_TO_POINTER(n));
            else {
                g_hash_table_remove(h->keys, key);
                g_free(key);
            }
        }
        g_strfreev(w);
    }
}

/* Whether h->keys has `kind` (. or #) and `name` in lower case (a name
 * too long to look up counts as there). */
static int h2t_key_in(const h2t_t *h, char kind, const char *name)
{
    char key[128];
    size_t n = strlen(name);
    if (n + 2 > sizeof key)
        return 1;
    key[0] = kind;
    for (size_t i = 0; i <= n; i++)
        key[i + 1] = g_ascii_tolower(name[i]);
    return g_hash_table_contains(h->keys, key);
}

/* Whether the classes and id of compound `c` are all among those of the
 * open elements (in any case: a filter, never a match). */
static int h2t_keys_have(const h2t_t *h, const co__cmp_t *c)
{
    for (int i = 0; i < CO_SEL_PARTS && c->cls[i] != NULL; i++)
        if (!h2t_key_in(h, '.', c->cls[i]))
            return 0;
    return c->id == NULL || h2t_key_in(h, '#', c->id);
}

/* Whether rule `r` matches the element that opens at depth h->depth. */
static int h2t_rule_matches(h2t_t *h, const h2t_rule_t *r, const char *tag,
                            const xmlChar **atts)
{
    if (!co__sel_cmp_matches(&r->cmp[r->ncmp - 1], tag, atts, h->quirks))
        return 0;
    if (r->ncmp == 1)
        return 1;
    if (h->depth > H2T_MAX_DEPTH) /* its ancestors are not all known */
        return 0;
    /* the compounds that must be open ancestors (those before the last
     * sibling combinator from the right) have their classes and id open */
    for (int i = r->ncmp - 2; i >= 0; i--) {
        if (r->cmp[i + 1].comb == '+' || r->cmp[i + 1].comb == '~')
            break;
        if (!h2t_keys_have(h, &r->cmp[i]))
            return 0;
    }
    /* ancestors tried, for the element and for the whole page: combinator
     * rules stop matching when it is spent (the text stays) */
    int start = MIN(h->sel_budget, 4096), budget = start;
    int m =
        budget > 0 && h2t_match_up(h, r, r->ncmp - 2, h->depth, -1, &budget);
    h->sel_budget -= start - MAX(budget, 0);
    return m;
}

/* The declaration of each property that wins so far, and its rank. */
typedef struct {
    const char *val; /* NULL: none */
    uint32_t rank;
    uint32_t seq; /* its place in cascade order (h2t_cascade) */
} h2t_win_t;

/* Ranks of the cascade, above a rule's specificity (< 1 << 24). */
#define H2T_RANK_LAYER  (1u << 24)
#define H2T_RANK_INLINE (1u << 25)
#define H2T_RANK_IMP    (1u << 26)

/* Lets the declarations of one style block at `rank` compete: a later
 * one of equal rank wins (source order). For a style rule, `layer` says
 * whether it is inside @layer (CSS Cascade 5: a layered rule loses to an
 * unlayered one, and wins when both are !important); -1 for the others. */
static void h2t_cascade(h2t_win_t *w, const h2t_decl_t *d, int n, uint32_t rank,
                        int layer)
{
    for (int i = 0; i < n; i++) {
        uint32_t r = rank | (d[i].imp ? H2T_RANK_IMP : 0);
        if (layer >= 0 && d[i].imp == layer)
            r |= H2T_RANK_LAYER;
        if (w[d[i].prop].val == NULL || r >= w[d[i].prop].rank) {
            w[d[i].prop].val = d[i].val;
            w[d[i].prop].rank = r;
            w[d[i].prop].seq = ++w[P_N].seq; /* w[P_N]: the counter */
        }
    }
}

/* The background in effect (co__css_background()) over `parent`: the
 * `background` shorthand sets every longhand, so a longhand counts only
 * when it beats the shorthand by rank or comes after it (trial 51:
 * `background-size:0 0` beside a gradient was not read). */
static int32_t h2t_background(const h2t_win_t *w, int32_t parent,
                              int *clip_text)
{
    const h2t_win_t *sh = &w[P_BG_SHORT];
    const char *v[P_N];
    for (int k = P_BG; k <= P_BG_CLIP; k++) {
        int later =
            w[k].val != NULL && (sh->val == NULL || w[k].rank > sh->rank ||
                                 (w[k].rank == sh->rank && w[k].seq > sh->seq));
        v[k] = later ? w[k].val : NULL;
    }
    co__bg_t d = {sh->val,       v[P_BG],        v[P_BG_IMG],
                  v[P_BG_SIZE],  v[P_BG_REPEAT], v[P_BG_POS],
                  v[P_BG_POS_X], v[P_BG_POS_Y],  v[P_BG_CLIP]};
    return co__css_background(&d, parent, clip_text);
}

/* Elements that are inline unless styled otherwise: width and height do
 * nothing on them. */
static const char *const h2t_inline[] = {
    "span",   "a",   "b",    "i",    "u",    "em",   "strong", "font",
    "small",  "big", "sub",  "sup",  "abbr", "code", "label",  "s",
    "strike", "q",   "cite", "mark", "tt",   "var",  "kbd",    "samp"};

/* Elements whose `background` attribute is an image and whose `bgcolor`
 * is a background colour (HTML, "Tables" and "The page" of the rendering
 * section); others ignore both. */
static const char *const h2t_bg_tags[] = {"body",  "table", "thead", "tbody",
                                          "tfoot", "tr",    "td",    "th"};

/* Whether an attribute value is empty or only spaces and controls: a
 * `background` URL of nothing, the page itself, which is no image. */
static int h2t_blank(const char *v)
{
    while (*v != '\0' && (unsigned char)*v <= 0x20)
        v++;
    return *v == '\0';
}

/* The inherited state at the innermost open element. */
static h2t_inh_t h2t_inh(const h2t_t *h)
{
    if (h->depth > 0)
        return h
            ->inh[(h->depth < H2T_MAX_DEPTH ? h->depth : H2T_MAX_DEPTH) - 1];
    h2t_inh_t d = {H2T_BLACK, H2T_WHITE, H2T_FONT, 1, H2T_NOFILL, 0};
    return d;
}

/* Whether text in state `s` cannot be seen. */
static int h2t_unseen(h2t_inh_t s)
{
    int32_t fg = s.fill != H2T_NOFILL && !s.bgtext ? s.fill : s.fg;
    return !s.vis || s.font < 2 || fg == H2T_TRANSPARENT ||
           co__css_same_color(fg, s.bg);
}

/* Whether the first word of v is w (`overflow: hidden auto`), in any
 * ASCII case; not a longer word (`hiddenx` is no value; trial 51). */
static int h2t_word1(const char *v, const char *w)
{
    size_t n = strlen(w);
    return g_ascii_strncasecmp(v, w, n) == 0 &&
           (v[n] == '\0' || g_ascii_isspace(v[n]));
}

/* What the text inside an element with the declarations `w` inherits:
 * its colour, background, visibility and font size, or the parent's. */
static h2t_inh_t h2t_inherit(const h2t_t *h, const h2t_win_t *w)
{
    const char *v;
    h2t_inh_t s = h2t_inh(h);
    if ((v = w[P_COLOR].val) != NULL) {
        /* an unknown colour (lab() out of gamut, color-mix(), coral) is
         * never judged; currentcolor and invalid values inherit */
        int32_t c = co__css_color_prop(v, NULL);
        if (c != -1 && g_ascii_strcasecmp(v, "currentcolor") != 0)
            s.fg = c;
    }
    if ((v = w[P_TEXT_FILL].val) != NULL) {
        /* WebKit's fill colour paints the text instead of `color`;
         * currentcolor and initial follow `color`, others as `color` */
        int32_t c = co__css_color_prop(v, NULL);
        if (g_ascii_strcasecmp(v, "currentcolor") == 0 ||
            g_ascii_strcasecmp(v, "initial") == 0)
            s.fill = H2T_NOFILL;
        else if (c != -1)
            s.fill = c;
    }
    int clip_text = 0;
    int32_t bgc = h2t_background(w, s.bg, &clip_text);
    if (clip_text) { /* the text shows the background (trial 51) */
        s.fg = -1;
        s.bgtext = 1;
    } else if (bgc != -2)
        s.bg = bgc;
    if ((v = w[P_VISIBILITY].val) != NULL) {
        if (g_ascii_strcasecmp(v, "hidden") == 0 ||
            g_ascii_strcasecmp(v, "collapse") == 0)
            s.vis = 0;
        else if (g_ascii_strcasecmp(v, "visible") == 0)
            s.vis = 1;
    }
    /* the `font` shorthand sets the size unless font-size comes after it
     * or outranks it */
    const h2t_win_t *fs = &w[P_FONT_SIZE], *sh = &w[P_FONT];
    if (sh->val != NULL && (fs->val == NULL || sh->rank > fs->rank ||
                            (sh->rank == fs->rank && sh->seq > fs->seq))) {
        /* a system font (`caption`), `initial`, `var()` or a value not
         * read here: a size that can be read (the text stays) */
        char *size = co__css_font_short(sh->val);
        if (size != NULL)
            s.font = co__css_font(size, s.font, 0);
        else if (g_ascii_strcasecmp(sh->val, "inherit") != 0 &&
                 g_ascii_strcasecmp(sh->val, "unset") != 0)
            s.font = MAX(s.font, H2T_FONT);
        g_free(size);
    } else if ((v = fs->val) != NULL) {
        s.font = co__css_font(v, s.font, h->quirks);
    }
    if ((v = w[P_ZOOM].val) != NULL) { /* zoom:0.01 or 1%: a tiny size */
        char *end;
        double f = g_ascii_strtod(v, &end);
        if (end != v && *end == '%')
            f /= 100, end++;
        if (end != v && *end == '\0' && f > 0) /* zoom:0 is zoom:1 */
            s.font *= f;
    }
    return s;
}

/* Whether the declaration that won for property `a` beats the one for
 * `b` (a shorthand and its longhand): by rank, or later at equal rank. */
static int h2t_beats(const h2t_win_t *w, int a, int b)
{
    return w[a].val != NULL &&
           (w[b].val == NULL || w[a].rank > w[b].rank ||
            (w[a].rank == w[b].rank && w[a].seq > w[b].seq));
}

/* The overflow of one axis: 0 visible (or a value not read), 1 clip, 2
 * hidden, scroll or auto (a scroll container, which clips too). */
static int h2t_overflow1(const char *v)
{
    if (h2t_word1(v, "clip"))
        return 1;
    return h2t_word1(v, "hidden") || h2t_word1(v, "auto") ||
                   h2t_word1(v, "scroll")
               ? 2
               : 0;
}

/* Whether overflow clips the content horizontally (`*x`) and vertically
 * (`*y`): `overflow-x`, `overflow-y`, or the `overflow` shorthand (its
 * first value for x, its second, or else the first, for y), whichever
 * wins; as CSS Overflow computes it, `visible` beside a scroll container
 * value is `auto` (`height:0;overflow:hidden auto` shows nothing). */
static void h2t_overflow(const h2t_win_t *w, int *x, int *y)
{
    const char *v = w[P_OVERFLOW].val;
    *x = *y = 0;
    if (v != NULL) {
        *x = h2t_overflow1(v);
        const char *vy = v + strcspn(v, " \t\r\n\f");
        while (g_ascii_isspace(*vy))
            vy++;
        *y = *vy != '\0' ? h2t_overflow1(vy) : *x;
    }
    if (h2t_beats(w, P_OVERFLOW_X, P_OVERFLOW))
        *x = h2t_overflow1(w[P_OVERFLOW_X].val);
    if (h2t_beats(w, P_OVERFLOW_Y, P_OVERFLOW))
        *y = h2t_overflow1(w[P_OVERFLOW_Y].val);
    if (*x == 2 || *y == 2)
        *x = *y = 1;
}

/* Whether an element has a width and height of its own: by its display
 * when one is given (a block, inline-block, flex, grid or list item: a
 * `<td style="display:block">` is judged by the display it is given, not
 * by its tag), else by its tag (not an inline element, not a table or a
 * part of one, which grows to its content; trials 44, 53). */
static int h2t_sized(const char *disp, const char *tag)
{
    static const char *const boxes[] = {
        "block",       "inline-block", "flex",      "inline-flex", "grid",
        "inline-grid", "flow-root",    "list-item", "-webkit-box"};
    if (disp != NULL) {
        char *d = g_strndup(disp, strcspn(disp, " \t\r\n\f"));
        int r = in_list(d, boxes, G_N_ELEMENTS(boxes));
        g_free(d);
        return r;
    }
    static const char *const table[] = {"td",    "th",    "table", "tr",
                                        "tbody", "thead", "tfoot", "caption"};
    return !in_list(tag, h2t_inline, G_N_ELEMENTS(h2t_inline)) &&
           !in_list(tag, table, G_N_ELEMENTS(table));
}

/* Whether an element is laid out as a table or a part of one (by its
 * display, else its tag): a table grows to its content whatever height or
 * width it is given (trial 53). */
static int h2t_table(const char *disp, const char *tag)
{
    static const char *const tags[] = {"table", "tr",    "tbody",
                                       "thead", "tfoot", "caption"};
    if (disp != NULL)
        return g_ascii_strncasecmp(disp, "table", 5) == 0 ||
               g_ascii_strncasecmp(disp, "inline-table", 12) == 0;
    return in_list(tag, tags, G_N_ELEMENTS(tags));
}

/* Whether an element's box hides its content: a zero width or height
 * (also `max-`) with the content clipped on that axis (it overflows
 * visibly otherwise), on an element that has a size (h2t_sized(); one
 * positioned absolutely has one), or a screen-reader-only box positioned
 * absolutely, 1px by 1px, clipped. */
static int h2t_box_hidden(const h2t_t *h, const h2t_win_t *w, const char *tag,
                          int abs)
{
    int tiny_w = 0, tiny_h = 0, zero_w = 0, zero_h = 0;
    static const int sizes[] = {P_WIDTH, P_MAX_WIDTH, P_HEIGHT, P_MAX_HEIGHT};
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        const char *v = w[sizes[i]].val;
        double px;
        if (v == NULL || !co__css_length(v, &px, h->quirks))
            continue;
        if (px <= 0.5)
            *(i < 2 ? &zero_w : &zero_h) = 1;
        if (px <= 0.5 || (px <= 1 && strchr(v, '%') == NULL))
            *(i < 2 ? &tiny_w : &tiny_h) = 1;
    }
    int cx, cy;
    h2t_overflow(w, &cx, &cy);
    if (h2t_table(w[P_DISPLAY].val, tag))
        return 0;
    int sized = abs || h2t_sized(w[P_DISPLAY].val, tag);
    if (sized && ((zero_w && cx) || (zero_h && cy)))
        return 1;
    return abs && cx && cy && tiny_w && tiny_h;
}

/* Whether transform functions (`translate(-9999px)`, `translateX()`,
 * `translateY()`, `translate3d()`) move an element 999px or more off the
 * page to the left or top. */
static int h2t_translated(const char *v)
{
    for (const char *t = v; (t = strstr(t, "translate")) != NULL; t++) {
        const char *open = strchr(t, '('), *close;
        if (open == NULL || (close = strchr(open, ')')) == NULL)
            return 0;
        size_t n = (size_t)(open - t);
        /* translate() and translate3d() take x then y; X and Y one */
        int both = n == 9 || n == 11;
        if (!both && !(n == 10 && strchr("XxYy", t[9]) != NULL))
            continue;
        char *args = g_strndup(open + 1, (gsize)(close - open - 1));
        gchar **a = g_strsplit(args, ",", 3);
        int off = 0;
        for (int i = 0; a[i] != NULL && i < (both ? 2 : 1); i++) {
            double px;
            if (co__css_length(g_strstrip(a[i]), &px, 0) && px <= -999)
                off = 1;
        }
        g_strfreev(a);
        g_free(args);
        if (off)
            return 1;
    }
    return 0;
}

/* Whether a padding on the left (`top` 0) or the top may put content
 * that an offset moves away back on the page (`margin-left:-9999px;
 * padding-left:9999px`; trial 53): a padding of that side, or the
 * shorthand, that is not 0. */
static int h2t_padded(const h2t_t *h, const h2t_win_t *w, int top)
{
    const char *vals[] = {w[top ? P_PADDING_TOP : P_PADDING_LEFT].val,
                          w[P_PADDING].val};
    for (size_t i = 0; i < G_N_ELEMENTS(vals); i++) {
        if (vals[i] == NULL)
            continue;
        gchar **a = g_strsplit_set(vals[i], " \t\r\n\f", 0);
        int pad = 0;
        for (int k = 0; a[k] != NULL; k++) {
            double px;
            if (*a[k] != '\0' &&
                !(co__css_length(a[k], &px, h->quirks) && px <= 0))
                pad = 1;
        }
        g_strfreev(a);
        if (pad)
            return 1;
    }
    return 0;
}

/* Whether what an element paints cannot be seen: display:none, an
 * opacity (also `filter: opacity()`) under 0.05, a clip-path that cuts
 * everything, a transform or `scale` of 0, `content-visibility:hidden`,
 * a far off-page position, offset or translation. */
static int h2t_paint_hidden(const h2t_t *h, const h2t_win_t *w)
{
    const char *v;
    double px;
    if ((v = w[P_DISPLAY].val) != NULL && g_ascii_strcasecmp(v, "none") == 0)
        return 1;
    if ((v = w[P_OPACITY].val) != NULL && co__css_opacity(v, &px) && px < 0.05)
        return 1;
    if ((v = w[P_FILTER].val) != NULL && (v = strstr(v, "opacity(")) != NULL) {
        char *arg = g_strndup(v + 8, strcspn(v + 8, ")"));
        int zero = co__css_opacity(g_strstrip(arg), &px) && px < 0.05;
        g_free(arg);
        if (zero)
            return 1;
    }
    if ((v = w[P_CONTENT_VIS].val) != NULL && h2t_word1(v, "hidden"))
        return 1;
    if ((v = w[P_CLIP_PATH].val) != NULL && co__css_clipped("clip-path", v))
        return 1;
    if ((v = w[P_TRANSFORM].val) != NULL && h2t_translated(v))
        return 1;
    if ((v = w[P_TRANSFORM].val) != NULL && (v = strstr(v, "scale")) &&
        (v = strchr(v, '(')) != NULL) {
        /* scale(0), scaleX(0), scaleY(0): nothing shows (trial 44) */
        char *end;
        double f = g_ascii_strtod(v + 1, &end);
        if (end != v + 1 && f == 0)
            return 1;
    }
    if ((v = w[P_SCALE].val) != NULL) { /* scale: 0, scale: 1 0 */
        gchar **a = g_strsplit_set(v, " \t\r\n\f", 0);
        int zero = 0;
        for (int i = 0; a[i] != NULL; i++) {
            char *end;
            double f = g_ascii_strtod(a[i], &end);
            if (*a[i] != '\0' && end != a[i] && (*end == '\0' || *end == '%') &&
                f == 0)
                zero = 1;
        }
        g_strfreev(a);
        if (zero)
            return 1;
    }
    if ((v = w[P_TRANSLATE].val) != NULL) { /* translate: -9999px [y] */
        gchar **a = g_strsplit_set(v, " \t\r\n\f", 0);
        int off = 0;
        for (int i = 0, n = 0; a[i] != NULL && n < 2; i++)
            if (*a[i] != '\0' && n++ < 2 && co__css_length(a[i], &px, 0) &&
                px <= -999)
                off = 1;
        g_strfreev(a);
        if (off)
            return 1;
    }
    static const int off[] = {P_LEFT, P_TOP, P_TEXT_INDENT, P_MARGIN_LEFT};
    for (size_t i = 0; i < G_N_ELEMENTS(off); i++)
        if ((v = w[off[i]].val) != NULL && co__css_length(v, &px, h->quirks) &&
            px <= -999 && !h2t_padded(h, w, off[i] == P_TOP))
            return 1;
    return 0;
}

/* The font size of `<font size>` (HTML, "rules for parsing a legacy
 * font size": 1 to 7, or relative to 3 with a sign), or NULL. */
static const char *h2t_font_size_att(const char *v)
{
    static const char *const kw[] = {"x-small", "small",    "medium",   "large",
                                     "x-large", "xx-large", "xxx-large"};
    while (g_ascii_isspace(*v))
        v++;
    int sign = *v == '+' ? 1 : *v == '-' ? -1 : 0;
    v += sign != 0;
    if (!g_ascii_isdigit(*v))
        return NULL;
    long n = 0;
    for (; g_ascii_isdigit(*v) && n < 100; v++)
        n = n * 10 + (*v - '0');
    n = sign != 0 ? 3 + sign * n : n;
    return kw[CLAMP(n, 1, 7) - 1];
}

/* Whether an element is dropped with its content; pushes the state it
 * passes on. */
static int h2t_hidden(h2t_t *h, const char *tag, const xmlChar **atts)
{
    h2t_win_t w[P_N + 1]; /* and the cascade's counter */
    memset(w, 0, sizeof w);
    /* presentational hints and the UA's link colour lose to any rule */
    h2t_decl_t hint[6];
    int nh = 0;
    const char *v;
    if (strcmp(tag, "a") == 0 && h2t_att(atts, "href") != NULL)
        hint[nh++] = (h2t_decl_t){P_COLOR, 0, (char *)"#0000ee"};
    char legacy[2][8]; /* HTML's legacy colours (trial 51) */
    /* `bgcolor` counts only where HTML maps it (trial 53: a <div bgcolor>,
     * which browsers ignore, hid the text in it) */
    int bg_tag = in_list(tag, h2t_bg_tags, G_N_ELEMENTS(h2t_bg_tags));
    if (bg_tag && (v = h2t_att(atts, "bgcolor")) != NULL &&
        (v = co__html_color(v, legacy[0])) != NULL)
        hint[nh++] = (h2t_decl_t){P_BG, 0, (char *)v};
    /* HTML's `background` attribute is `background-image: url()` (trial 52
     * D6: white text on a table's background image was dropped); which
     * image does not matter here */
    if (bg_tag && (v = h2t_att(atts, "background")) != NULL && !h2t_blank(v))
        hint[nh++] = (h2t_decl_t){P_BG_IMG, 0, (char *)"url(background)"};
    if ((v = h2t_att(atts, strcmp(tag, "body") == 0 ? "text" : "color")) !=
            NULL &&
        (strcmp(tag, "font") == 0 || strcmp(tag, "body") == 0) &&
        (v = co__html_color(v, legacy[1])) != NULL)
        hint[nh++] = (h2t_decl_t){P_COLOR, 0, (char *)v};
    /* the `hidden` attribute is the UA's `display:none` (content-visibility
     * for until-found): any display a page gives wins (trial 53) */
    if ((v = h2t_att(atts, "hidden")) != NULL)
        hint[nh++] = g_ascii_strcasecmp(v, "until-found") == 0
                         ? (h2t_decl_t){P_CONTENT_VIS, 0, (char *)"hidden"}
                         : (h2t_decl_t){P_DISPLAY, 0, (char *)"none"};
    if (strcmp(tag, "font") == 0 && (v = h2t_att(atts, "size")) != NULL &&
        (v = h2t_font_size_att(v)) != NULL)
        hint[nh++] = (h2t_decl_t){P_FONT_SIZE, 0, (char *)v};
    h2t_cascade(w, hint, nh, 0, -1);
    guint nrules = h->rules != NULL ? h->rules->len : 0;
    if (h->rule_budget < (int64_t)nrules)
        nrules = 0; /* spent: no rule on this element or after it */
    h->rule_budget -= nrules;
    for (guint k = 0; k < nrules; k++) {
        const h2t_rule_t *r = g_ptr_array_index(h->rules, k);
        if (h2t_rule_matches(h, r, tag, atts))
            h2t_cascade(w, r->decls, r->ndecls, r->spec, r->layered);
    }
    GArray *inl = NULL;
    if ((v = h2t_att(atts, "style")) != NULL) {
        char *s = g_strdup(v);
        co__css_uncomment(s);
        inl = g_array_new(FALSE, FALSE, sizeof(h2t_decl_t));
        h2t_decls(s, inl, h->quirks);
        g_free(s);
        h2t_cascade(w, (h2t_decl_t *)(void *)inl->data, (int)inl->len,
                    H2T_RANK_INLINE, -1);
    }

    int hidden = 0;
    if ((v = h2t_att(atts, "aria-hidden")) != NULL &&
        g_ascii_strcasecmp(v, "true") == 0)
        hidden = 1;
    if (h2t_paint_hidden(h, w))
        hidden = 1;
    int abs = (v = w[P_POSITION].val) != NULL &&
              (g_ascii_strcasecmp(v, "absolute") == 0 ||
               g_ascii_strcasecmp(v, "fixed") == 0);
    if (h2t_box_hidden(h, w, tag, abs))
        hidden = 1;
    if (abs && (v = w[P_CLIP].val) != NULL && co__css_clipped("clip", v))
        hidden = 1;

    /* what the text inside inherits */
    h2t_inh_t st = h2t_inherit(h, w);
    if (inl != NULL)
        h2t_decls_free(inl);
    if (!hidden && h->depth < H2T_MAX_DEPTH)
        h->inh[h->depth] = st;
    return hidden;
}

/* Keeps an open element's tag and attributes for combinators. */
static void h2t_anc_set(h2t_anc_t *a, const char *tag, const xmlChar **atts)
{
    g_free(a->tag);
    g_strfreev(a->atts);
    int n = 0;
    while (atts != NULL && atts[n] != NULL)
        n += 2;
    a->tag = g_strdup(tag);
    a->atts = g_new0(char *, n + 1);
    for (int i = 0; i < n; i++)
        a->atts[i] = g_strdup(atts[i] ? (const char *)atts[i] : "");
}

/* Forgets the elder siblings kept at depth `d`. */
static void h2t_sibs_clear(h2t_t *h, int d)
{
    h2t_sibs_t *b = d <= H2T_MAX_DEPTH ? h->sibs[d] : NULL;
    for (int i = 0; b != NULL && i < b->n; i++) {
        h2t_anc_t *a = &b->el[(b->first + i) % H2T_MAX_SIBS];
        g_free(a->tag);
        g_strfreev(a->atts);
    }
    if (b != NULL)
        b->first = b->n = 0;
}

/* Keeps the element `a` that ends at depth `d` as an elder sibling of the
 * next one (moved: `a` is left empty); the oldest goes when the ring is
 * full. */
static void h2t_sibs_push(h2t_t *h, int d, h2t_anc_t *a)
{
    if (d > H2T_MAX_DEPTH || a->tag == NULL)
        return;
    if (h->sibs[d] == NULL)
        h->sibs[d] = g_new0(h2t_sibs_t, 1);
    h2t_sibs_t *b = h->sibs[d];
    if (b->n == H2T_MAX_SIBS) {
        g_free(b->el[b->first].tag);
        g_strfreev(b->el[b->first].atts);
        b->first = (b->first + 1) % H2T_MAX_SIBS;
        b->n--;
    }
    b->el[(b->first + b->n++) % H2T_MAX_SIBS] = *a;
    a->tag = NULL;
    a->atts = NULL;
}

static void sax_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
    h2t_t *h = ((xmlParserCtxtPtr)ctx)->_private;
    const char *name = (const char *)xname;
    h->started = 1;
    if (strcasecmp(name, "style") == 0)
        h->in_style++;
    if (strcasecmp(name, "style") == 0) {
        const char *m = h2t_att(atts, "media");
        h->css_off = m != NULL && co__css_media(m) != 1;
    }
    if (h->sheets == 1)
        return;
    if (h->skip > 0 || in_list(name, h2t_skip, G_N_ELEMENTS(h2t_skip)) ||
        (strcasecmp(name, "dialog") == 0 && h2t_att(atts, "open") == NULL) ||
        h2t_hidden(h, name, atts)) {
        if (h->skip++ == 0) /* a sibling of the elements after it */
            h2t_anc_set(&h->hid, name, atts);
        return;
    }
    if (h->depth < H2T_MAX_DEPTH) {
        h2t_anc_set(&h->anc[h->depth], name, atts);
        h2t_keys(h, &h->anc[h->depth], 1);
    }
    h2t_sibs_clear(h, h->depth + 1);
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
            if (h2t_unseen(h2t_inh(h))) /* an invisible link */
                href = NULL;
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
    if (h->sheets == 1)
        return;
    if (h->skip > 0) {
        if (--h->skip == 0)
            h2t_sibs_push(h, h->depth, &h->hid);
        return;
    }
    if (h->depth > 0) {
        h->depth--;
        if (h->depth < H2T_MAX_DEPTH) {
            h2t_keys(h, &h->anc[h->depth], 0);
            h2t_sibs_push(h, h->depth, &h->anc[h->depth]);
        }
        h2t_sibs_clear(h, h->depth + 1);
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
    if (h->in_style > 0) {
        if (len > 0 && h->css->len < 524288) /* 512 KiB a sheet */
            g_string_append_len(h->css, (const char *)ch, len);
    } else if (h->sheets != 1 && h->skip == 0 && len > 0 &&
               !h2t_unseen(h2t_inh(h)))
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

/* Whether `html` has a <style> element (a first pass reads its sheets). */
static int h2t_has_style(const char *html, size_t len)
{
    for (const char *p = html, *end = html + len;
         (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++)
        if (end - p > 6 && g_ascii_strncasecmp(p + 1, "style", 5) == 0)
            return 1;
    return 0;
}

/* One pass of libxml2's HTML parser over `html` with our handlers (no
 * tree is built for us: building and freeing it cost more than the
 * parse). */
static void h2t_parse(h2t_t *h, const char *html, size_t len)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL)
        return;
    ctxt->sax->startElement = sax_start;
    ctxt->sax->endElement = sax_end;
    ctxt->sax->characters = sax_chars;
    ctxt->sax->cdataBlock = sax_chars;
    ctxt->sax->ignorableWhitespace = sax_chars;
    ctxt->sax->internalSubset = sax_doctype;
    ctxt->sax->comment = NULL;
    ctxt->sax->processingInstruction = NULL;
    ctxt->_private = h;
    h->started = 0;
    htmlDocPtr doc =
        htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
                           HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                               HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    /* anchors still open at the end of a cut document are links too */
    while (h->sheets != 1 && h->open > 0 && h->skip == 0)
        sax_end(ctxt, (const xmlChar *)"a");
    if (doc != NULL)
        xmlFreeDoc(doc);
    htmlFreeParserCtxt(ctxt);
}

void co__html_to_text(const char *html, size_t len, GString *out, json_t *links,
                      size_t max_links)
{
    if (len == 0 || len > INT32_MAX)
        return;
    h2t_t h;
    memset(&h, 0, sizeof h);
    h.out = g_string_new(NULL);
    h.links = links;
    h.max_links = max_links;
    h.css = g_string_new(NULL);
    h.rules = g_ptr_array_new_with_free_func(h2t_rule_free);
    h.quirks = 1; /* until a DOCTYPE says otherwise */
    h.sel_budget = 20000000;
    h.rule_budget = H2T_RULE_BUDGET;
    h.keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GString *fixed = co__html_tokfix(html, len);
    if (fixed != NULL) {
        html = fixed->str;
        len = fixed->len;
    }
    /* a browser applies every sheet of the page to every element, also
     * one in <body> after the element (trial 53): a first pass reads
     * them */
    if (h2t_has_style(html, len)) {
        h.sheets = 1;
        h2t_parse(&h, html, len);
        h.in_style = 0;
        g_string_truncate(h.css, 0);
        h.sheets = 2;
    }
    h2t_parse(&h, html, len);
    if (fixed != NULL)
        g_string_free(fixed, TRUE);
    for (int i = 0; i < H2T_MAX_LINKS_OPEN; i++)
        g_free(h.a_href[i]);
    for (int i = 0; i < H2T_MAX_DEPTH; i++) {
        g_free(h.anc[i].tag);
        g_strfreev(h.anc[i].atts);
    }
    for (int i = 0; i <= H2T_MAX_DEPTH; i++) {
        h2t_sibs_clear(&h, i);
        g_free(h.sibs[i]);
    }
    g_free(h.hid.tag);
    g_strfreev(h.hid.atts);
    g_string_free(h.css, TRUE);
    g_ptr_array_free(h.rules, TRUE);
    g_hash_table_destroy(h.keys);
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
