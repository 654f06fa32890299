/**
 * @file lib/mail/co_mail_color.c
 * @brief CSS colour values for the HTML-to-text step's hidden-text rules
 *        (co_mail_html.c): hex, names, rgb(), hsl().
 */
#include "co_mail_int.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *name;
    int32_t rgb;
} h2t_colors[] = {{"white", 0xFFFFFF},
                  {"black", 0x000000},
                  {"red", 0xFF0000},
                  {"green", 0x008000},
                  {"blue", 0x0000FF},
                  {"yellow", 0xFFFF00},
                  {"gray", 0x808080},
                  {"grey", 0x808080},
                  {"silver", 0xC0C0C0},
                  {"navy", 0x000080},
                  {"snow", 0xFFFAFA},
                  {"whitesmoke", 0xF5F5F5},
                  {"ivory", 0xFFFFF0},
                  {"lightgray", 0xD3D3D3},
                  {"lightgrey", 0xD3D3D3},
                  /* the near-white and near-black ones hidden text picks */
                  {"ghostwhite", 0xF8F8FF},
                  {"floralwhite", 0xFFFAF0},
                  {"mintcream", 0xF5FFFA},
                  {"azure", 0xF0FFFF},
                  {"aliceblue", 0xF0F8FF},
                  {"honeydew", 0xF0FFF0},
                  {"seashell", 0xFFF5EE},
                  {"oldlace", 0xFDF5E6},
                  {"linen", 0xFAF0E6},
                  {"lavenderblush", 0xFFF0F5},
                  {"cornsilk", 0xFFF8DC},
                  {"lightyellow", 0xFFFFE0},
                  {"beige", 0xF5F5DC},
                  {"gainsboro", 0xDCDCDC},
                  {"darkgray", 0xA9A9A9},
                  {"darkgrey", 0xA9A9A9},
                  {"dimgray", 0x696969},
                  {"dimgrey", 0x696969},
                  {"maroon", 0x800000},
                  {"purple", 0x800080},
                  {"olive", 0x808000},
                  {"teal", 0x008080},
                  {"lime", 0x00FF00},
                  {"aqua", 0x00FFFF},
                  {"fuchsia", 0xFF00FF},
                  {"orange", 0xFFA500},
                  {"darkslategray", 0x2F4F4F},
                  {"darkslategrey", 0x2F4F4F},
                  {"rebeccapurple", 0x663399},
                  {"papayawhip", 0xFFEFD5},
                  {"blanchedalmond", 0xFFEBCD},
                  {"antiquewhite", 0xFAEBD7},
                  {"lemonchiffon", 0xFFFACD},
                  {"mistyrose", 0xFFE4E1},
                  {"lavender", 0xE6E6FA},
                  {"midnightblue", 0x191970},
                  {"darkblue", 0x00008B},
                  {"darkgreen", 0x006400}};

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

/* The arguments of a colour function ("rgb(0 0 0 / 50%)", "hsla(120,
 * 50%, 50%, .5)"): up to 4 numbers, each with its unit in lower case
 * ("%", "deg", "turn"...; "" for none), commas, spaces and the alpha's '/'
 * between them (trial 49: "rgb(0 0 0 / 0)" was read as opaque). The count,
 * or -1 for an argument that is no number ("none", a variable). */
static int h2t_fn_args(const char *v, double n[4], char unit[4][6])
{
    const char *p = strchr(v, '(');
    int k = 0;
    if (p == NULL)
        return -1;
    for (p++; k < 4;) {
        while (*p == ' ' || *p == ',' || *p == '/' || *p == '\t')
            p++;
        if (*p == ')' || *p == '\0')
            break;
        char *end;
        double d = g_ascii_strtod(p, &end);
        if (end == p && g_ascii_strncasecmp(p, "none", 4) == 0) {
            d = 0; /* CSS Color 4: a missing component is 0 (trial 50) */
            end = (char *)p + 4;
        } else if (end == p) {
            return -1;
        }
        size_t u = 0;
        for (; g_ascii_isalpha(*end) || *end == '%'; end++)
            if (u + 1 < sizeof unit[k])
                unit[k][u++] = g_ascii_tolower(*end);
        unit[k][u] = '\0';
        n[k++] = d;
        p = end;
    }
    return k;
}

/* An alpha argument (0.5, 50%) as 0..1. */
static double h2t_alpha_of(double d, const char *unit)
{
    double a = strcmp(unit, "%") == 0 ? d / 100.0 : d;
    return a < 0 ? 0 : a > 1 ? 1 : a;
}

/* The three components of a colour function in c and units (at least
 * three, or -1) and its alpha (1 when none is given) in *alpha; 0. */
static int h2t_color_args(const char *v, double c[4], char unit[4][6],
                          double *alpha)
{
    int k = h2t_fn_args(v, c, unit);
    if (k < 3)
        return -1;
    *alpha = k == 4 ? h2t_alpha_of(c[3], unit[3]) : 1.0;
    return 0;
}

/* hsl() and hsla(), hue in deg (default), turn, rad or grad, saturation
 * and lightness in % (or bare numbers, CSS Color 4); its alpha in *alpha;
 * as co__css_color() says (CSS Color 4, section 7: the HSL-to-RGB formula). */
static int32_t h2t_hsl(const char *v, double *alpha)
{
    double c[4];
    char unit[4][6];
    if (h2t_color_args(v, c, unit, alpha) != 0)
        return -1;
    if (strcmp(unit[0], "turn") == 0)
        c[0] *= 360.0;
    else if (strcmp(unit[0], "grad") == 0)
        c[0] *= 0.9;
    else if (strcmp(unit[0], "rad") == 0)
        c[0] *= 180.0 / G_PI;
    double h = fmod(fmod(c[0], 360.0) + 360.0, 360.0) / 360.0;
    double sat = CLAMP(c[1], 0.0, 100.0) / 100.0;
    double l = CLAMP(c[2], 0.0, 100.0) / 100.0;
    double q = l < 0.5 ? l * (1 + sat) : l + sat - l * sat, pp = 2 * l - q;
    int32_t rgb = 0;
    for (int i = 0; i < 3; i++) {
        double t = h + (1 - i) / 3.0; /* r: h + 1/3, g: h, b: h - 1/3 */
        t = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
        double x = t < 1 / 6.0   ? pp + (q - pp) * 6 * t
                   : t < 0.5     ? q
                   : t < 2 / 3.0 ? pp + (q - pp) * (2 / 3.0 - t) * 6
                                 : pp;
        rgb = rgb << 8 | (int32_t)(x * 255 + 0.5);
    }
    return rgb;
}

/* rgb() and rgba(), numbers or percentages; as h2t_hsl(). */
static int32_t h2t_rgb(const char *v, double *alpha)
{
    double c[4];
    char unit[4][6];
    if (h2t_color_args(v, c, unit, alpha) != 0)
        return -1;
    int32_t rgb = 0;
    for (int i = 0; i < 3; i++) {
        double d = strcmp(unit[i], "%") == 0 ? c[i] * 2.55 : c[i];
        rgb = rgb << 8 | (d < 0 ? 0 : d > 255 ? 255 : (int32_t)(d + 0.5));
    }
    return rgb;
}

/* 1 when a colour word ends at p: the value's end, or what may follow a
 * colour inside a gradient or a shorthand (trial 50: "white2" and
 * "transparent-ish" were read as colours; a browser ignores them). */
int co__css_value_end(const char *p)
{
    return *p == '\0' || *p == ' ' || *p == '\t' || *p == ',' || *p == ')' ||
           *p == ';' || *p == '!';
}

/* A CSS colour as 0xRRGGBB, its alpha (0..1) in *alpha when not NULL;
 * -1 when unknown; -2 for transparent (an alpha of 0). */
int32_t co__css_color(const char *v, double *alpha)
{
    double al = 1.0;
    int32_t c = -1;
    while (*v == ' ')
        v++;
    if (g_ascii_strncasecmp(v, "transparent", 11) == 0 &&
        co__css_value_end(v + 11)) {
        c = -2;
    } else if (v[0] == '#') {
        size_t n = 0;
        while (g_ascii_isxdigit(v[1 + n]))
            n++;
        if (!co__css_value_end(v + 1 + n))
            n = 0; /* "#ffffffz": no colour, ignored as a browser does */
        if (n == 3 || n == 4) {
            int r = hexval(v[1]), g = hexval(v[2]), b = hexval(v[3]);
            c = (r * 17) << 16 | (g * 17) << 8 | (b * 17);
            al = n == 4 ? hexval(v[4]) / 15.0 : 1.0;
        } else if (n == 6 || n == 8) {
            c = 0;
            for (int i = 1; i <= 6; i++)
                c = c << 4 | hexval(v[i]);
            al = n == 8 ? (hexval(v[7]) * 16 + hexval(v[8])) / 255.0 : 1.0;
        }
    } else if (g_ascii_strncasecmp(v, "hsl", 3) == 0) {
        c = h2t_hsl(v, &al);
    } else if (g_ascii_strncasecmp(v, "rgb", 3) == 0) {
        c = h2t_rgb(v, &al);
    } else {
        for (size_t i = 0; i < G_N_ELEMENTS(h2t_colors) && c == -1; i++) {
            size_t n = strlen(h2t_colors[i].name);
            if (g_ascii_strncasecmp(v, h2t_colors[i].name, n) == 0 &&
                co__css_value_end(v + n))
                c = h2t_colors[i].rgb;
        }
    }
    if (c >= 0 && al < 0.05)
        c = -2; /* (nearly) transparent, as opacity under 0.05 (trial 50) */
    if (alpha != NULL)
        *alpha = c >= 0 ? al : 0;
    return c;
}
