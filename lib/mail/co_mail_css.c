/**
 * @file lib/mail/co_mail_css.c
 * @brief CSS values for the HTML-to-text step's hidden-text rules
 *        (co_mail_html.c): lengths, font sizes, clips and backgrounds
 *        (colours are read in co_mail_color.c).
 */
#include "co_mail_int.h"

#include <math.h>
#include <string.h>

/* ---- lengths, clips, backgrounds --------------------------------------- */

/* The pieces of v split at `seps` outside parentheses (a copy each). */
static GPtrArray *h2t_css_pieces(const char *v, const char *seps)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    int depth = 0;
    const char *start = v;
    for (const char *p = v;; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && depth > 0)
            depth--;
        if (*p == '\0' || (depth == 0 && strchr(seps, *p) != NULL)) {
            if (p > start)
                g_ptr_array_add(a, g_strndup(start, (gsize)(p - start)));
            if (*p == '\0')
                return a;
            start = p + 1;
        }
    }
}

/* Colour c at alpha al over colour under. */
static int32_t h2t_blend(int32_t c, int32_t under, double al)
{
    int32_t out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double x = ((c >> sh) & 255) * al + ((under >> sh) & 255) * (1 - al);
        out |= (int32_t)(x + 0.5) << sh;
    }
    return out;
}

/* A CSS number at p (a sign, digits, a fraction, an exponent: CSS Syntax
 * 3, 4.3.12); its end in *end; 1 when there is one. */
static int h2t_number(const char *p, double *d, const char **end)
{
    const char *q = p + (*p == '+' || *p == '-');
    const char *digits = q;
    while (g_ascii_isdigit(*q))
        q++;
    int n = q > digits;
    if (*q == '.' && g_ascii_isdigit(q[1])) {
        for (q++; g_ascii_isdigit(*q);)
            q++;
        n = 1;
    }
    if (!n)
        return 0;
    if ((*q == 'e' || *q == 'E') &&
        (g_ascii_isdigit(q[1]) ||
         ((q[1] == '+' || q[1] == '-') && g_ascii_isdigit(q[2]))))
        for (q += 2; g_ascii_isdigit(*q);)
            q++;
    char buf[64];
    size_t len = (size_t)(q - p);
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, p, len);
    buf[len] = '\0';
    *d = g_ascii_strtod(buf, NULL);
    *end = q;
    return isfinite(*d);
}

/* A number and its unit at p (lower case; "%", or "" for none) in unit,
 * *end after them; 1 when there is one. The unit is every name character
 * after the number, as CSS reads it: `1px2` has the unit "px2", which is
 * no unit (trial 51: it was read as 1px). */
static int h2t_dim_at(const char *p, double *d, char unit[8], const char **end)
{
    if (!h2t_number(p, d, &p))
        return 0;
    size_t u = 0;
    if (*p == '%')
        unit[u++] = *p++;
    for (; g_ascii_isalnum(*p) || *p == '-' || *p == '_' ||
           (unsigned char)*p >= 0x80;
         p++) {
        if (u + 1 >= 8 || (u > 0 && unit[0] == '%'))
            return 0;
        unit[u++] = g_ascii_tolower(*p);
    }
    unit[u] = '\0';
    *end = p;
    return 1;
}

/* 1 when only white space is left at p: a value holds one component
 * (`opacity:0 1` is no opacity, a browser ignores it; trial 51). */
static int h2t_done(const char *p)
{
    while (g_ascii_isspace(*p))
        p++;
    return *p == '\0';
}

/* Pixels per unit of length `u` (CSS Values 4), `em` the font size;
 * viewport and container units as in a window of 1000px; 0 when `u` is
 * no unit of length. */
static double h2t_unit_px(const char *u, double em)
{
    static const struct {
        const char *u;
        double px; /* per unit */
        int font;  /* per em (1) or rem (2) instead */
    } units[] = {
        {"px", 1, 0},         {"pt", 4 / 3.0, 0},   {"pc", 16, 0},
        {"in", 96, 0},        {"cm", 96 / 2.54, 0}, {"mm", 96 / 25.4, 0},
        {"q", 96 / 101.6, 0}, {"em", 1, 1},         {"rem", 1, 2},
        {"ex", 0.5, 1},       {"rex", 0.5, 2},      {"ch", 0.5, 1},
        {"rch", 0.5, 2},      {"cap", 0.7, 1},      {"rcap", 0.7, 2},
        {"ic", 1, 1},         {"ric", 1, 2},        {"lh", 1.2, 1},
        {"rlh", 1.2, 2}};
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
        if (strcmp(u, units[i].u) == 0)
            return units[i].px * (units[i].font == 1   ? em
                                  : units[i].font == 2 ? CO_CSS_FONT
                                                       : 1);
    static const char *const view[] = {"vw",   "vh",   "vi",    "vb",
                                       "vmin", "vmax", "cqw",   "cqh",
                                       "cqi",  "cqb",  "cqmin", "cqmax"};
    if ((u[0] == 's' || u[0] == 'l' || u[0] == 'd') && u[1] == 'v')
        u++; /* svh, lvw, dvmin... */
    for (size_t i = 0; i < G_N_ELEMENTS(view); i++)
        if (strcmp(u, view[i]) == 0)
            return 10;
    return 0;
}

/* A length at p in px, *end after it: a unit of length, a percentage (of
 * 16px), or a bare number (0, or any in quirks mode: the unitless length
 * quirk of HTML); 1 when there is one. */
static int h2t_length_at(const char *p, double *px, int quirks,
                         const char **end)
{
    double d;
    char unit[8];
    if (!h2t_dim_at(p, &d, unit, end))
        return 0;
    double f = unit[0] == '\0'  ? (d == 0 || quirks)
               : unit[0] == '%' ? 0.16
                                : h2t_unit_px(unit, CO_CSS_FONT);
    *px = d * f;
    return f != 0;
}

int co__css_length(const char *v, double *px, int quirks)
{
    const char *end;
    return h2t_length_at(v, px, quirks, &end) && h2t_done(end);
}

int co__css_opacity(const char *v, double *a)
{
    double d;
    char unit[8];
    const char *end;
    if (!h2t_dim_at(v, &d, unit, &end) || !h2t_done(end) ||
        (unit[0] != '\0' && unit[0] != '%'))
        return 0;
    *a = unit[0] == '%' ? d / 100 : d;
    return 1;
}

/* Whether a number with its unit is 0 (`0`, `0px`, `0%`). */
static int h2t_zero(const char *t)
{
    double d;
    char unit[8];
    const char *end;
    return h2t_dim_at(t, &d, unit, &end) && h2t_done(end) && d == 0;
}

/* Whether a clip-path shape has no area: `circle(0)`, `ellipse(0 0)`
 * (a radius of 0, before any `at`), or a polygon whose points all share
 * one x or one y (`polygon(0 0, 0 0, 0 0)`). */
static int h2t_shape_empty(const char *val)
{
    const char *open = strchr(val, '('), *close = strrchr(val, ')');
    if (open == NULL || close == NULL || close < open)
        return 0;
    size_t n = (size_t)(open - val);
    char *args = g_strndup(open + 1, (gsize)(close - open - 1));
    int empty = 0;
    if ((n == 6 && g_ascii_strncasecmp(val, "circle", 6) == 0) ||
        (n == 7 && g_ascii_strncasecmp(val, "ellipse", 7) == 0)) {
        gchar **a = g_strsplit_set(g_strstrip(args), " \t\r\n\f", 0);
        for (int i = 0; a[i] != NULL && g_ascii_strcasecmp(a[i], "at"); i++)
            if (*a[i] != '\0' && h2t_zero(a[i]))
                empty = 1;
        g_strfreev(a);
    } else if (n == 7 && g_ascii_strncasecmp(val, "polygon", 7) == 0) {
        gchar **pts = g_strsplit(args, ",", 0);
        char *x0 = NULL, *y0 = NULL;
        int same_x = 1, same_y = 1, npts = 0;
        for (int i = 0; pts[i] != NULL; i++) {
            gchar **xy = g_strsplit_set(g_strstrip(pts[i]), " \t\r\n\f", 0);
            if (xy[0] == NULL || xy[1] == NULL || xy[2] != NULL ||
                strchr(pts[i], '(') != NULL) {
                same_x = same_y = 0; /* a fill rule, calc(): not read */
            } else if (npts++ == 0) {
                x0 = g_strdup(xy[0]);
                y0 = g_strdup(xy[1]);
            } else {
                same_x &= strcmp(x0, xy[0]) == 0;
                same_y &= strcmp(y0, xy[1]) == 0;
            }
            g_strfreev(xy);
        }
        empty = npts > 0 && (same_x || same_y);
        g_free(x0);
        g_free(y0);
        g_strfreev(pts);
    }
    g_free(args);
    return empty;
}

/* Whether a clip / clip-path value cuts everything away. */
int co__css_clipped(const char *prop, const char *val)
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
            const char *e;
            if (!h2t_length_at(p, &px, 1, &e) || px > 1 || px < 0 ||
                (*e != ' ' && *e != ',' && *e != ')'))
                return 0;
            p = e;
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
    if (strcmp(prop, "clip-path") == 0)
        return h2t_shape_empty(val);
    return 0;
}

/* A font size in px, `parent` the inherited one; the parent's when not
 * understood. */
/* A font size that is a number, in px over `parent` in *px; 0 when it is
 * none (`1px2`, `1px 2`, negative; trial 51). */
static int h2t_font_num(const char *v, double parent, int quirks, double *px)
{
    double d;
    char unit[8];
    const char *end;
    if (!h2t_dim_at(v, &d, unit, &end) || !h2t_done(end) || d < 0)
        return 0;
    double f = unit[0] == '\0'  ? (d == 0 || quirks)
               : unit[0] == '%' ? parent / 100.0
                                : h2t_unit_px(unit, parent);
    *px = d * f;
    /* a unit of the parent's size is one when that size is 0 */
    return f != 0 || unit[0] == '%' ||
           (unit[0] != '\0' && h2t_unit_px(unit, 1) != 0);
}

double co__css_font(const char *v, double parent, int quirks)
{
    static const struct {
        const char *name;
        double px;
    } kw[] = {{"xx-small", 9},  {"x-small", 10},  {"small", 13},
              {"medium", 16},   {"large", 18},    {"x-large", 24},
              {"xx-large", 32}, {"xxx-large", 48}};
    for (size_t i = 0; i < G_N_ELEMENTS(kw); i++)
        if (g_ascii_strcasecmp(v, kw[i].name) == 0)
            return kw[i].px;
    if (g_ascii_strcasecmp(v, "smaller") == 0)
        return parent / 1.2;
    if (g_ascii_strcasecmp(v, "larger") == 0)
        return parent * 1.2;
    double px;
    if (h2t_font_num(v, parent, quirks, &px))
        return px;
    if (g_ascii_strcasecmp(v, "inherit") == 0 ||
        g_ascii_strcasecmp(v, "unset") == 0 || parent < 0)
        return parent;
    /* `initial`, calc(), max(), clamp(), var(): a size not computed here
     * is a readable one (trial 53: it was the parent's, 0 in a
     * `font-size:0` layout cell) */
    return MAX(parent, CO_CSS_FONT);
}

int co__css_font_ok(const char *v, int quirks)
{
    double px;
    return h2t_font_num(v, CO_CSS_FONT, quirks, &px);
}

/* Whether t is a word of a gradient's first argument (direction, shape,
 * position, interpolation: CSS Images 4), not a colour. */
static int h2t_gradient_word(const char *t)
{
    static const char *const kw[] = {"to",
                                     "at",
                                     "from",
                                     "in",
                                     "left",
                                     "right",
                                     "top",
                                     "bottom",
                                     "center",
                                     "circle",
                                     "ellipse",
                                     "closest-side",
                                     "closest-corner",
                                     "farthest-side",
                                     "farthest-corner",
                                     "shorter",
                                     "longer",
                                     "increasing",
                                     "decreasing",
                                     "hue",
                                     "srgb",
                                     "srgb-linear",
                                     "display-p3",
                                     "a98-rgb",
                                     "prophoto-rgb",
                                     "rec2020",
                                     "lab",
                                     "oklab",
                                     "xyz",
                                     "xyz-d50",
                                     "xyz-d65",
                                     "hsl",
                                     "hwb",
                                     "lch",
                                     "oklch",
                                     "x-start",
                                     "x-end",
                                     "y-start",
                                     "y-end",
                                     "block-start",
                                     "block-end",
                                     "inline-start",
                                     "inline-end",
                                     "start",
                                     "end"};
    for (size_t i = 0; i < G_N_ELEMENTS(kw); i++)
        if (g_ascii_strcasecmp(t, kw[i]) == 0)
            return 1;
    return 0;
}

/* The colour a gradient paints: its stops' colour when they are all one
 * (`linear-gradient(#000, #000)`), else -1. An argument with no colour is
 * the direction (the first, its words h2t_gradient_word()) or a hint
 * (numbers only); any other is a stop
 * whose colour is not known here (`coral`): the gradient is not judged
 * (trial 51: `linear-gradient(#000, coral)` was read as black). */
static int32_t h2t_gradient(const char *g)
{
    const char *open = strchr(g, '('), *close = strrchr(g, ')');
    if (open == NULL || close == NULL || close < open)
        return -1;
    char *in = g_strndup(open + 1, (gsize)(close - open - 1));
    GPtrArray *args = h2t_css_pieces(in, ",");
    int32_t col = -1;
    int n = 0, same = 1;
    for (guint i = 0; i < args->len; i++) {
        GPtrArray *w = h2t_css_pieces(g_ptr_array_index(args, i), " \t");
        int32_t c = -1;
        double al = 1;
        int numbers = 1;
        int words = 1; /* numbers and the words of a direction */
        for (guint k = 0; k < w->len && c == -1; k++) {
            const char *t = g_ptr_array_index(w, k), *end;
            char unit[8];
            double d;
            c = co__css_color(t, &al);
            int num = h2t_dim_at(t, &d, unit, &end) && h2t_done(end);
            numbers &= num;
            words &= num || h2t_gradient_word(t);
        }
        g_ptr_array_free(w, TRUE);
        if (c == -1 && ((i == 0 && words) || numbers))
            continue; /* a direction, an angle, a position, a hint */
        if (n++ == 0)
            col = c;
        if (c < 0 || col < 0 || !co__css_same_color(c, col) || al < 1)
            same = 0; /* several colours, or see-through (trial 49) */
    }
    g_ptr_array_free(args, TRUE);
    g_free(in);
    return n > 0 && same && col >= 0 ? col : -1;
}

/* ---- backgrounds: CSS Backgrounds 3 ------------------------------------ */

#define H2T_LAYERS 8
enum { IMG_NONE, IMG_GRAD, IMG_URL };
enum { SZ_FULL, SZ_PART, SZ_ZERO }; /* of the box, in one axis */

/* The background of an element, read from the shorthand and the longhands
 * that beat it. A longhand is a list, one item a layer (repeated when
 * shorter than the list of images; CSS Backgrounds 3, 2.2). */
typedef struct {
    int n_img, img[H2T_LAYERS];
    int32_t grad[H2T_LAYERS]; /* a gradient's one colour, or -1 */
    int n_size, size[H2T_LAYERS][2];
    int n_rep, rep[H2T_LAYERS][2]; /* per axis: tiles (repeat, round) */
    int n_pos, shift[H2T_LAYERS];  /* moved by a length */
    int shift_any;                 /* background-position-x or -y moves */
    int32_t color;                 /* -2 none, -1 not known */
    int odd;                       /* a word not understood: not judged */
    int clip_text;                 /* background-clip: text */
} h2t_bgs_t;

/* Whether t is an image (a gradient, url(), image-set(), none); its kind
 * and colour in layer i of b. */
static int h2t_bg_image(const char *t, h2t_bgs_t *b, int i)
{
    if (g_ascii_strcasecmp(t, "none") == 0)
        b->img[i] = IMG_NONE;
    else if (strstr(t, "gradient(") != NULL)
        b->img[i] = IMG_GRAD;
    else if (g_ascii_strncasecmp(t, "url(", 4) == 0 ||
             strstr(t, "image-set(") != NULL ||
             g_ascii_strncasecmp(t, "image(", 6) == 0)
        b->img[i] = IMG_URL;
    else
        return 0;
    b->grad[i] = b->img[i] == IMG_GRAD ? h2t_gradient(t) : -1;
    return 1;
}

/* How much of the box one size word covers in its axis; -1 when it is no
 * size. A zero size paints nothing (CSS Backgrounds 3, 3.9: the image is
 * not displayed). */
static int h2t_bg_size_word(const char *t)
{
    double d;
    char unit[8];
    const char *end;
    if (g_ascii_strcasecmp(t, "auto") == 0) /* a gradient: the box */
        return SZ_FULL;
    if (!h2t_dim_at(t, &d, unit, &end) || !h2t_done(end) || d < 0 ||
        (unit[0] == '\0' && d != 0) ||
        (unit[0] != '\0' && unit[0] != '%' &&
         h2t_unit_px(unit, CO_CSS_FONT) == 0))
        return -1;
    return d == 0 ? SZ_ZERO : unit[0] == '%' && d >= 100 ? SZ_FULL : SZ_PART;
}

/* Reads the size words of layer i from tok[*k] on (one or two, or cover,
 * contain); 0, or -1 when there is none. */
static int h2t_bg_size(GPtrArray *tok, guint *k, h2t_bgs_t *b, int i)
{
    const char *t = *k < tok->len ? g_ptr_array_index(tok, *k) : "";
    if (g_ascii_strcasecmp(t, "cover") == 0 ||
        g_ascii_strcasecmp(t, "contain") == 0) { /* a gradient: the box */
        b->size[i][0] = b->size[i][1] = SZ_FULL;
        (*k)++;
        return 0;
    }
    int w = h2t_bg_size_word(t), h;
    if (w < 0)
        return -1;
    (*k)++;
    h = *k < tok->len ? h2t_bg_size_word(g_ptr_array_index(tok, *k)) : -1;
    if (h >= 0)
        (*k)++;
    b->size[i][0] = w;
    b->size[i][1] = h >= 0 ? h : SZ_FULL; /* auto */
    return 0;
}

/* Whether t is a repeat word; sets the axes of layer i (the second of two
 * words sets the vertical one). */
static int h2t_bg_repeat(const char *t, h2t_bgs_t *b, int i, int second)
{
    int x, y;
    if (g_ascii_strcasecmp(t, "repeat-x") == 0)
        x = 1, y = 0;
    else if (g_ascii_strcasecmp(t, "repeat-y") == 0)
        x = 0, y = 1;
    else if (g_ascii_strcasecmp(t, "repeat") == 0 ||
             g_ascii_strcasecmp(t, "round") == 0)
        x = y = 1;
    else if (g_ascii_strcasecmp(t, "no-repeat") == 0 ||
             g_ascii_strcasecmp(t, "space") == 0)
        x = y = 0; /* space: gaps between tiles that do not fit */
    else
        return 0;
    if (second)
        b->rep[i][1] = y != 0 || x != 0;
    else
        b->rep[i][0] = x, b->rep[i][1] = y;
    return 1;
}

/* Whether t is a position word; notes in layer i a length that moves the
 * image (a percentage or a keyword moves an image the size of the box by
 * nothing). */
static int h2t_bg_pos(const char *t, h2t_bgs_t *b, int i)
{
    static const char *const kw[] = {"left", "right", "top", "bottom",
                                     "center"};
    for (size_t k = 0; k < G_N_ELEMENTS(kw); k++)
        if (g_ascii_strcasecmp(t, kw[k]) == 0)
            return 1;
    double d;
    char unit[8];
    const char *end;
    if (!h2t_dim_at(t, &d, unit, &end) || !h2t_done(end) ||
        (unit[0] != '\0' && unit[0] != '%' &&
         h2t_unit_px(unit, CO_CSS_FONT) == 0))
        return 0;
    if (d != 0 && unit[0] != '%')
        b->shift[i] = 1;
    return 1;
}

/* Whether t is a box (background-origin, background-clip) or attachment
 * word; `text` clips the background to the text. */
static int h2t_bg_box(const char *t, h2t_bgs_t *b)
{
    static const char *const kw[] = {"border-box", "padding-box", "content-box",
                                     "scroll",     "fixed",       "local"};
    if (g_ascii_strcasecmp(t, "text") == 0)
        return b->clip_text = 1;
    for (size_t k = 0; k < G_N_ELEMENTS(kw); k++)
        if (g_ascii_strcasecmp(t, kw[k]) == 0)
            return 1;
    return 0;
}

/* A colour value over `parent`: see-through colours blended with it
 * (trial 49); -2 for none or transparent, -1 for a colour not known. */
static int32_t h2t_bg_color(const char *t, int32_t parent)
{
    double al = 1;
    int32_t c = co__css_color_prop(t, &al);
    if (c >= 0 && al < 1)
        return parent < 0 ? -1 : h2t_blend(c, parent, al);
    return c >= 0 ? c : c == CO_CSS_UNKNOWN ? -1 : -2;
}

enum { BG_IMAGE, BG_SIZE, BG_REPEAT, BG_POS };

/* Reads longhand `prop`, a list with one item a layer, into b; an item
 * not understood makes b odd. */
static void h2t_bg_longhand(const char *v, int prop, h2t_bgs_t *b)
{
    GPtrArray *items = h2t_css_pieces(v, ",");
    if (items->len == 0 || items->len > H2T_LAYERS)
        b->odd = 1;
    for (guint i = 0; !b->odd && i < items->len; i++) {
        GPtrArray *w = h2t_css_pieces(g_ptr_array_index(items, i), " \t");
        guint k = 0;
        if (prop == BG_IMAGE && w->len == 1 &&
            h2t_bg_image(g_ptr_array_index(w, 0), b, (int)i))
            k = 1;
        else if (prop == BG_SIZE)
            h2t_bg_size(w, &k, b, (int)i);
        else if (prop == BG_REPEAT)
            while (k < w->len && k < 2 &&
                   h2t_bg_repeat(g_ptr_array_index(w, k), b, (int)i, k == 1))
                k++;
        else if (prop == BG_POS)
            for (b->shift[i] = 0;
                 k < w->len && h2t_bg_pos(g_ptr_array_index(w, k), b, (int)i);)
                k++;
        if (k == 0 || k != w->len)
            b->odd = 1;
        g_ptr_array_free(w, TRUE);
    }
    int n = (int)items->len;
    *(prop == BG_IMAGE    ? &b->n_img
      : prop == BG_SIZE   ? &b->n_size
      : prop == BG_REPEAT ? &b->n_rep
                          : &b->n_pos) = n;
    g_ptr_array_free(items, TRUE);
}

/* Reads one word of layer i of the shorthand; 0 when it is none it may
 * hold. `*nrep` counts the repeat words. */
static int h2t_bg_word(const char *t, h2t_bgs_t *b, int i, int last,
                       int32_t parent, int *nrep)
{
    if (h2t_bg_image(t, b, i) || h2t_bg_box(t, b) || h2t_bg_pos(t, b, i))
        return 1;
    if (*nrep < 2 && h2t_bg_repeat(t, b, i, *nrep == 1))
        return ++*nrep;
    if (!last || co__css_color_prop(t, NULL) == -1)
        return 0; /* the colour is in the last layer only */
    b->color = h2t_bg_color(t, parent);
    return 1;
}

/* Reads a `background` shorthand into b: each layer's image, position,
 * `/ size`, repeat, boxes, and the colour of the last one (the shorthand
 * sets every longhand, to its initial value when it does not say). */
static void h2t_bg_short(const char *v, int32_t parent, h2t_bgs_t *b)
{
    static const char *const wide[] = {"inherit", "initial", "unset", "revert",
                                       "revert-layer"};
    for (size_t i = 0; i < G_N_ELEMENTS(wide); i++)
        if (g_ascii_strcasecmp(v, wide[i]) == 0)
            return; /* no image, no colour: what is below shows */
    GPtrArray *layers = h2t_css_pieces(v, ",");
    guint n = layers->len;
    if (n == 0 || n > H2T_LAYERS)
        b->odd = 1;
    for (guint i = 0; i < n && !b->odd; i++) {
        b->img[i] = IMG_NONE;
        b->size[i][0] = b->size[i][1] = SZ_FULL;
        b->rep[i][0] = b->rep[i][1] = 1;
        b->shift[i] = 0;
        GPtrArray *halves = h2t_css_pieces(g_ptr_array_index(layers, i), "/");
        int nrep = 0;
        b->odd = halves->len > 2;
        for (guint h = 0; h < halves->len && !b->odd; h++) {
            GPtrArray *w = h2t_css_pieces(g_ptr_array_index(halves, h), " \t");
            guint k = 0;
            if (h == 1 && h2t_bg_size(w, &k, b, (int)i) != 0)
                b->odd = 1; /* a size follows the '/' */
            for (; k < w->len && !b->odd; k++)
                b->odd = !h2t_bg_word(g_ptr_array_index(w, k), b, (int)i,
                                      i + 1 == n, parent, &nrep);
            g_ptr_array_free(w, TRUE);
        }
        g_ptr_array_free(halves, TRUE);
    }
    b->n_img = b->n_size = b->n_rep = b->n_pos = (int)n;
    g_ptr_array_free(layers, TRUE);
}

/* The colour behind the text: the colour, then each layer from the last
 * to the first painted over it. A gradient of one opaque colour paints it
 * where it covers the box: tiled (repeat, round) or the size of the box
 * and not moved by a length, in both axes; of size zero, it paints
 * nothing; covering part of the box, or of several colours, what shows
 * is not known (-1). Images (url()) are blocked by mail clients: with a
 * colour, the colour shows; with none, what shows is not known. */
static int32_t h2t_bg_paint(const h2t_bgs_t *b)
{
    static const int full[2] = {SZ_FULL, SZ_FULL}, tile[2] = {1, 1};
    if (b->odd)
        return -1;
    int32_t bg = b->color;
    int any_img = 0;
    for (int i = b->n_img; i-- > 0;) {
        any_img |= b->img[i] == IMG_URL;
        if (b->img[i] != IMG_GRAD)
            continue;
        const int *sz = b->n_size > 0 ? b->size[i % b->n_size] : full;
        const int *rep = b->n_rep > 0 ? b->rep[i % b->n_rep] : tile;
        int shift = b->shift_any || (b->n_pos > 0 && b->shift[i % b->n_pos]);
        if (sz[0] == SZ_ZERO || sz[1] == SZ_ZERO)
            continue;
        int cover = 1;
        for (int a = 0; a < 2; a++)
            cover &= rep[a] || (sz[a] == SZ_FULL && !shift);
        bg = cover ? b->grad[i] : -1;
    }
    return bg == -2 && any_img ? -1 : bg;
}

int32_t co__css_background(const co__bg_t *d, int32_t parent, int *clip_text)
{
    h2t_bgs_t b;
    memset(&b, 0, sizeof b);
    b.color = -2;
    if (d->shorthand != NULL)
        h2t_bg_short(d->shorthand, parent, &b);
    if (d->color != NULL && co__css_color_prop(d->color, NULL) != -1)
        b.color = h2t_bg_color(d->color, parent);
    static const int props[] = {BG_IMAGE, BG_SIZE, BG_REPEAT, BG_POS};
    const char *vals[] = {d->image, d->size, d->repeat, d->pos};
    for (size_t i = 0; i < G_N_ELEMENTS(props); i++)
        if (vals[i] != NULL)
            h2t_bg_longhand(vals[i], props[i], &b);
    for (int a = 0; a < 2; a++) { /* background-position-x, -y */
        const char *v = a == 0 ? d->pos_x : d->pos_y;
        h2t_bgs_t t;
        memset(&t, 0, sizeof t);
        if (v != NULL)
            h2t_bg_longhand(v, BG_POS, &t);
        for (int i = 0; i < t.n_pos; i++)
            b.shift_any |= t.odd || t.shift[i];
    }
    if (d->clip != NULL) {
        b.clip_text = 0;
        GPtrArray *w = h2t_css_pieces(d->clip, " \t,");
        for (guint i = 0; i < w->len; i++)
            b.clip_text |=
                g_ascii_strcasecmp(g_ptr_array_index(w, i), "text") == 0;
        g_ptr_array_free(w, TRUE);
    }
    *clip_text = b.clip_text;
    return h2t_bg_paint(&b);
}

/* Whether `t` is a word that may come before the size in the `font`
 * shorthand: a style, variant, weight (a number from 1 to 1000) or
 * stretch, or an oblique angle. */
static int h2t_font_pre(const char *t)
{
    static const char *const pre[] = {"normal",
                                      "italic",
                                      "oblique",
                                      "small-caps",
                                      "bold",
                                      "bolder",
                                      "lighter",
                                      "ultra-condensed",
                                      "extra-condensed",
                                      "condensed",
                                      "semi-condensed",
                                      "semi-expanded",
                                      "expanded",
                                      "extra-expanded",
                                      "ultra-expanded"};
    for (size_t i = 0; i < G_N_ELEMENTS(pre); i++)
        if (g_ascii_strcasecmp(t, pre[i]) == 0)
            return 1;
    char *end;
    double d = g_ascii_strtod(t, &end);
    if (end != t && *end == '\0')
        return d >= 1 && d <= 1000;
    return end != t && g_ascii_strcasecmp(end, "deg") == 0;
}

/* The index of the first word of `t` at or after `j` that is not empty. */
static int h2t_word_at(gchar **t, int j)
{
    while (t[j] != NULL && *t[j] == '\0')
        j++;
    return j;
}

char *co__css_font_short(const char *v)
{
    gchar **t = g_strsplit_set(v, " \t\r\n\f", 0);
    int i = h2t_word_at(t, 0);
    for (int pre = 0; t[i] != NULL && pre < 5 && h2t_font_pre(t[i]); pre++)
        i = h2t_word_at(t, i + 1);
    char *size = NULL;
    if (t[i] != NULL && strchr(t[i], '(') == NULL && t[i][0] != '/') {
        char *slash = strchr(t[i], '/');
        int j = h2t_word_at(t, i + 1);
        if (slash != NULL) { /* `0px/0`, or `0px/ 0`: a line height next */
            *slash = '\0';
            if (slash[1] == '\0' && t[j] != NULL)
                j = h2t_word_at(t, j + 1);
        } else if (t[j] != NULL && t[j][0] == '/') { /* `0px / 0`, `0 /0` */
            int lone = t[j][1] == '\0';
            j = h2t_word_at(t, j + 1);
            if (lone && t[j] != NULL)
                j = h2t_word_at(t, j + 1);
        }
        if (t[j] != NULL && *t[i] != '\0') /* a family follows */
            size = g_strdup(t[i]);
    }
    g_strfreev(t);
    if (size != NULL && !co__css_font_ok(size, 0) &&
        !(co__css_font(size, -1, 0) > 0)) {
        g_free(size);
        size = NULL;
    }
    return size;
}
