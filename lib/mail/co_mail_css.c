/**
 * @file lib/mail/co_mail_css.c
 * @brief CSS values for the HTML-to-text step's hidden-text rules
 *        (co_mail_html.c): colours (hex, names, and the functions of CSS
 *        Color 4 converted to sRGB), lengths, font sizes, clips and
 *        backgrounds.
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

/* The arguments of a colour function from `p`, just after its '('
 * ("0 0 0 / 50%)", "120, 50%, 50%, .5)"): up to 4 numbers, each with its
 * unit in lower case ("%", "deg", "turn"...; "" for none), commas, spaces
 * and the alpha's '/' between them (trial 49: "rgb(0 0 0 / 0)" was read
 * as opaque). The count, or -1 for an argument that is no number (a
 * variable, calc()). */
static int h2t_fn_args(const char *p, double n[4], char unit[4][6])
{
    int k = 0;
    while (k < 4) {
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

/* A component: a percentage scaled so that 100% is `full`, else the
 * number. */
static double h2t_pct(double d, const char *unit, double full)
{
    return strcmp(unit, "%") == 0 ? d * full / 100.0 : d;
}

/* A hue in degrees (deg by default, turn, grad, rad), in 0..360. */
static double h2t_hue(double d, const char *unit)
{
    if (strcmp(unit, "turn") == 0)
        d *= 360.0;
    else if (strcmp(unit, "grad") == 0)
        d *= 0.9;
    else if (strcmp(unit, "rad") == 0)
        d *= 180.0 / G_PI;
    return fmod(fmod(d, 360.0) + 360.0, 360.0);
}

/* HSL (hue in degrees, saturation and lightness 0..1) to sRGB 0..1 (CSS
 * Color 4, section 7: the HSL-to-RGB formula). */
static void h2t_hsl_rgb(double hue, double sat, double l, double rgb[3])
{
    double h = hue / 360.0;
    double q = l < 0.5 ? l * (1 + sat) : l + sat - l * sat, pp = 2 * l - q;
    for (int i = 0; i < 3; i++) {
        double t = h + (1 - i) / 3.0; /* r: h + 1/3, g: h, b: h - 1/3 */
        t = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
        rgb[i] = t < 1 / 6.0   ? pp + (q - pp) * 6 * t
                 : t < 0.5     ? q
                 : t < 2 / 3.0 ? pp + (q - pp) * (2 / 3.0 - t) * 6
                               : pp;
    }
}

/* ---- CSS Color 4 colour spaces, to sRGB --------------------------------
 * The matrices are those of CSS Color 4, section 18 ("Sample code for
 * color conversions"), and the OKLab ones of section 9. */

/* XYZ (D65) to linear sRGB. */
static const double h2t_xyz_srgb[3][3] = {
    {12831 / 3959.0, -329 / 214.0, -1974 / 3959.0},
    {-851781 / 878810.0, 1648619 / 878810.0, 36519 / 878810.0},
    {705 / 12673.0, -2585 / 12673.0, 705 / 667.0}};
/* XYZ D50 to XYZ D65 (Bradford). */
static const double h2t_d50_d65[3][3] = {
    {0.955473421488075, -0.02309845494876471, 0.06325924320057072},
    {-0.0283697093338637, 1.0099953980813041, 0.021041441191917323},
    {0.012314014864481998, -0.020507649298898964, 1.330365926242124}};

/* v = m v */
static void h2t_mul(const double m[3][3], double v[3])
{
    double o[3];
    for (int i = 0; i < 3; i++)
        o[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
    memcpy(v, o, sizeof o);
}

/* The sRGB transfer function, linear light to encoded, and back (also
 * display-p3's); odd extension below 0. */
static double h2t_srgb_enc(double x)
{
    double a = fabs(x);
    double y = a > 0.0031308 ? 1.055 * pow(a, 1 / 2.4) - 0.055 : 12.92 * a;
    return x < 0 ? -y : y;
}

static double h2t_srgb_dec(double x)
{
    double a = fabs(x);
    double y = a <= 0.04045 ? a / 12.92 : pow((a + 0.055) / 1.055, 2.4);
    return x < 0 ? -y : y;
}

/* Encoded sRGB components (0..1) as 0xRRGGBB; CO_CSS_UNKNOWN outside the
 * sRGB gamut (by more than half a step): browsers clip or gamut-map such
 * a colour, so what shows is not known (trial 51). */
static int32_t h2t_pack(const double rgb[3])
{
    int32_t out = 0;
    for (int i = 0; i < 3; i++) {
        double x = rgb[i];
        if (isnan(x) || x < -0.5 / 255 || x > 1 + 0.5 / 255)
            return CO_CSS_UNKNOWN;
        out = out << 8 | (int32_t)(CLAMP(x, 0.0, 1.0) * 255 + 0.5);
    }
    return out;
}

/* XYZ (D65, or D50 when `d50`) as h2t_pack() says. */
static int32_t h2t_from_xyz(double v[3], int d50)
{
    if (d50)
        h2t_mul(h2t_d50_d65, v);
    h2t_mul(h2t_xyz_srgb, v);
    for (int i = 0; i < 3; i++)
        v[i] = h2t_srgb_enc(v[i]);
    return h2t_pack(v);
}

/* CIE Lab (D50; L 0..100) as h2t_pack() says (CSS Color 4, 18.6). */
static int32_t h2t_lab(double l, double a, double b)
{
    const double kappa = 24389 / 27.0, eps = 216 / 24389.0;
    double f1 = (l + 16) / 116, f0 = a / 500 + f1, f2 = f1 - b / 200;
    double v[3] = {pow(f0, 3) > eps ? pow(f0, 3) : (116 * f0 - 16) / kappa,
                   l > kappa * eps ? pow(f1, 3) : l / kappa,
                   pow(f2, 3) > eps ? pow(f2, 3) : (116 * f2 - 16) / kappa};
    /* the D50 white point */
    v[0] *= 0.3457 / 0.3585;
    v[2] *= (1.0 - 0.3457 - 0.3585) / 0.3585;
    return h2t_from_xyz(v, 1);
}

/* OKLab (L 0..1) as h2t_pack() says (CSS Color 4, section 9). */
static int32_t h2t_oklab(double l, double a, double b)
{
    static const double lms_xyz[3][3] = {
        {1.2268798758459243, -0.5578149944602171, 0.2813910456659647},
        {-0.0405757452148008, 1.1122868032803170, -0.0717110580655164},
        {-0.0763729366746601, -0.4214933324022432, 1.5869240198367816}};
    double v[3] = {l + 0.3963377773761749 * a + 0.2158037573099136 * b,
                   l - 0.1055613458156586 * a - 0.0638541728258133 * b,
                   l - 0.0894841775298119 * a - 1.2914855480194092 * b};
    for (int i = 0; i < 3; i++)
        v[i] = v[i] * v[i] * v[i];
    h2t_mul(lms_xyz, v);
    return h2t_from_xyz(v, 0);
}

/* The transfer functions of color()'s RGB spaces, encoded to linear. */
static double h2t_a98_dec(double x)
{
    return x < 0 ? -pow(-x, 563 / 256.0) : pow(x, 563 / 256.0);
}

static double h2t_prophoto_dec(double x)
{
    double a = fabs(x);
    double y = a <= 16 / 512.0 ? a / 16 : pow(a, 1.8);
    return x < 0 ? -y : y;
}

/* rec2020: the display EOTF of BT.1886, a gamma of 2.4 (CSS WG resolution
 * of w3c/csswg-drafts#12574, 2025, in place of BT.2020's camera OETF). */
static double h2t_rec2020_dec(double x)
{
    return x < 0 ? -pow(-x, 2.4) : pow(x, 2.4);
}

/* color(SPACE c1 c2 c3): the predefined spaces of CSS Color 4, section
 * 10; components in v (percentages as 0..1); as h2t_pack() says; -1 for
 * a space that is none of them. */
static int32_t h2t_color_fn(const char *space, size_t n, double v[3])
{
    enum { SRGB, SRGB_LINEAR, XYZ, RGB };
    static const struct {
        const char *name;
        int kind;
        double (*dec)(double); /* RGB: its transfer function */
        int d50;               /* its white point is D50, not D65 */
        double m[3][3];        /* RGB: linear RGB to XYZ */
    } sp[] = {
        {"srgb", SRGB, NULL, 0, {{0}}},
        {"srgb-linear", SRGB_LINEAR, NULL, 0, {{0}}},
        {"xyz", XYZ, NULL, 0, {{0}}},
        {"xyz-d65", XYZ, NULL, 0, {{0}}},
        {"xyz-d50", XYZ, NULL, 1, {{0}}},
        {"display-p3",
         RGB,
         h2t_srgb_dec,
         0,
         {{0.4865709486482162, 0.26566769316909306, 0.1982172852343625},
          {0.2289745640697488, 0.6917385218365064, 0.079286914093745},
          {0, 0.04511338185890264, 1.043944368900976}}},
        {"a98-rgb",
         RGB,
         h2t_a98_dec,
         0,
         {{0.5766690429101305, 0.1855582379065463, 0.1882286462349947},
          {0.29734497525053605, 0.6273635662554661, 0.0752914584939978},
          {0.02703136138641234, 0.07068885253582723, 0.9913375368376388}}},
        {"prophoto-rgb",
         RGB,
         h2t_prophoto_dec,
         1,
         {{0.7977604896723027, 0.13518583717574031, 0.0313493495815248},
          {0.2880711282292934, 0.7118432178101014, 0.00008565396060525902},
          {0, 0, 0.8251046025104601}}},
        {"rec2020",
         RGB,
         h2t_rec2020_dec,
         0,
         {{0.6369580483012914, 0.14461690358620832, 0.1688809751641721},
          {0.2627002120112671, 0.6779980715188708, 0.05930171646986196},
          {0, 0.028072693049087428, 1.060985057710791}}},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sp); i++) {
        if (strlen(sp[i].name) != n ||
            g_ascii_strncasecmp(space, sp[i].name, n) != 0)
            continue;
        switch (sp[i].kind) {
        case SRGB:
            return h2t_pack(v);
        case SRGB_LINEAR:
            for (int k = 0; k < 3; k++)
                v[k] = h2t_srgb_enc(v[k]);
            return h2t_pack(v);
        case XYZ:
            return h2t_from_xyz(v, sp[i].d50);
        default:
            for (int k = 0; k < 3; k++)
                v[k] = sp[i].dec(v[k]);
            h2t_mul(sp[i].m, v);
            return h2t_from_xyz(v, sp[i].d50);
        }
    }
    return -1;
}

/* The colour functions. */
enum { F_RGB, F_HSL, F_HWB, F_LAB, F_LCH, F_OKLAB, F_OKLCH, F_COLOR, F_OTHER };

/* The colour of function `f` with components c (units in unit); as
 * h2t_pack() says, -1 when it is no colour. CSS Color 4: a percentage of
 * lab()'s a and b is of 125, lch()'s chroma of 150, oklab()'s L of 1 and
 * a, b, chroma of 0.4; lightness is clamped, chroma at least 0. */
static int32_t h2t_fn_rgb(int f, double c[4], char unit[4][6])
{
    double rgb[3];
    switch (f) {
    case F_RGB:
        for (int i = 0; i < 3; i++)
            rgb[i] = CLAMP(h2t_pct(c[i], unit[i], 255.0) / 255.0, 0.0, 1.0);
        return h2t_pack(rgb);
    case F_HSL:
        h2t_hsl_rgb(h2t_hue(c[0], unit[0]), CLAMP(c[1], 0.0, 100.0) / 100,
                    CLAMP(c[2], 0.0, 100.0) / 100, rgb);
        return h2t_pack(rgb);
    case F_HWB: { /* CSS Color 4, section 8 */
        double w = CLAMP(c[1], 0.0, 100.0) / 100;
        double b = CLAMP(c[2], 0.0, 100.0) / 100;
        h2t_hsl_rgb(h2t_hue(c[0], unit[0]), 1, 0.5, rgb);
        for (int i = 0; i < 3; i++)
            rgb[i] = w + b >= 1 ? w / (w + b) : rgb[i] * (1 - w - b) + w;
        return h2t_pack(rgb);
    }
    case F_LAB:
    case F_LCH: {
        double l = CLAMP(h2t_pct(c[0], unit[0], 100), 0.0, 100.0), a, b;
        if (f == F_LAB) {
            a = h2t_pct(c[1], unit[1], 125);
            b = h2t_pct(c[2], unit[2], 125);
        } else {
            double ch = MAX(h2t_pct(c[1], unit[1], 150), 0.0);
            double h = h2t_hue(c[2], unit[2]) * G_PI / 180;
            a = ch * cos(h);
            b = ch * sin(h);
        }
        return h2t_lab(l, a, b);
    }
    case F_OKLAB:
    case F_OKLCH: {
        double l = CLAMP(h2t_pct(c[0], unit[0], 1), 0.0, 1.0), a, b;
        if (f == F_OKLAB) {
            a = h2t_pct(c[1], unit[1], 0.4);
            b = h2t_pct(c[2], unit[2], 0.4);
        } else {
            double ch = MAX(h2t_pct(c[1], unit[1], 0.4), 0.0);
            double h = h2t_hue(c[2], unit[2]) * G_PI / 180;
            a = ch * cos(h);
            b = ch * sin(h);
        }
        return h2t_oklab(l, a, b);
    }
    default:
        return -1;
    }
}

/* A colour function at v: 0xRRGGBB and its alpha in *alpha; -1 when it
 * is none (another function, hwb() to color() with commas: a browser
 * ignores it); CO_CSS_UNKNOWN when it is a colour that cannot be told
 * here (calc(), relative colours, color-mix(), light-dark(), out of
 * gamut; trial 51). */
static int32_t h2t_fn_color(const char *v, double *alpha)
{
    static const char *const names[] = {
        "rgb",       "rgba",       "hsl",         "hsla",          "hwb",
        "lab",       "lch",        "oklab",       "oklch",         "color",
        "color-mix", "light-dark", "device-cmyk", "contrast-color"};
    static const int kinds[] = {F_RGB,   F_RGB,   F_HSL,   F_HSL,   F_HWB,
                                F_LAB,   F_LCH,   F_OKLAB, F_OKLCH, F_COLOR,
                                F_OTHER, F_OTHER, F_OTHER, F_OTHER};
    const char *open = strchr(v, '(');
    int f = -1;
    for (size_t i = 0; open != NULL && i < G_N_ELEMENTS(names); i++)
        if (strlen(names[i]) == (size_t)(open - v) &&
            g_ascii_strncasecmp(v, names[i], (size_t)(open - v)) == 0)
            f = kinds[i];
    if (f < 0)
        return -1;
    if (f == F_OTHER)
        return CO_CSS_UNKNOWN;
    const char *p = open + 1, *close = strchr(p, ')');
    if (f >= F_HWB && close != NULL && memchr(p, ',', (size_t)(close - p)))
        return -1; /* no legacy comma syntax for these */
    const char *space = NULL;
    size_t n = 0;
    if (f == F_COLOR) {
        while (*p == ' ' || *p == '\t')
            p++;
        for (space = p; g_ascii_isalnum(space[n]) || space[n] == '-';)
            n++;
        p = space + n;
    }
    double c[4];
    char unit[4][6];
    int k = h2t_fn_args(p, c, unit);
    if (k < 3)
        return CO_CSS_UNKNOWN; /* calc(), `from`: a colour not known */
    *alpha = k == 4 ? h2t_alpha_of(c[3], unit[3]) : 1.0;
    if (f != F_COLOR)
        return h2t_fn_rgb(f, c, unit);
    for (int i = 0; i < 3; i++)
        c[i] = h2t_pct(c[i], unit[i], 1);
    return h2t_color_fn(space, n, c);
}

/* 1 when a colour word ends at p: the value's end, or what may follow a
 * colour inside a gradient or a shorthand (trial 50: "white2" and
 * "transparent-ish" were read as colours; a browser ignores them). */
int co__css_value_end(const char *p)
{
    return *p == '\0' || *p == ' ' || *p == '\t' || *p == ',' || *p == ')' ||
           *p == ';' || *p == '!';
}

/* A hex colour (#rgb, #rgba, #rrggbb, #rrggbbaa) at v, its alpha in *al;
 * -1 when it is none. */
static int32_t h2t_hex(const char *v, double *al)
{
    size_t n = 0;
    while (g_ascii_isxdigit(v[1 + n]))
        n++;
    if (!co__css_value_end(v + 1 + n))
        return -1; /* "#ffffffz": no colour, ignored as a browser does */
    if (n == 3 || n == 4) {
        int r = hexval(v[1]), g = hexval(v[2]), b = hexval(v[3]);
        *al = n == 4 ? hexval(v[4]) / 15.0 : 1.0;
        return (r * 17) << 16 | (g * 17) << 8 | (b * 17);
    }
    if (n != 6 && n != 8)
        return -1;
    int32_t c = 0;
    for (int i = 1; i <= 6; i++)
        c = c << 4 | hexval(v[i]);
    *al = n == 8 ? (hexval(v[7]) * 16 + hexval(v[8])) / 255.0 : 1.0;
    return c;
}

/* Whether `fn` ("var(", lower case) is in v, in any ASCII case. */
static int h2t_has_fn(const char *v, const char *fn)
{
    size_t n = strlen(fn);
    for (; *v != '\0'; v++)
        if (g_ascii_strncasecmp(v, fn, n) == 0)
            return 1;
    return 0;
}

/* A CSS colour as 0xRRGGBB, its alpha (0..1) in *alpha when not NULL;
 * -1 when it is no colour; CO_CSS_TRANSPARENT (an alpha under 0.05);
 * CO_CSS_UNKNOWN for a colour that cannot be told (a variable, see
 * h2t_fn_color). */
int32_t co__css_color(const char *v, double *alpha)
{
    double al = 1.0;
    int32_t c = -1;
    while (*v == ' ')
        v++;
    if (h2t_has_fn(v, "var(") || h2t_has_fn(v, "env(")) {
        c = CO_CSS_UNKNOWN; /* what it stands for is not read */
    } else if (g_ascii_strncasecmp(v, "transparent", 11) == 0 &&
               co__css_value_end(v + 11)) {
        c = CO_CSS_TRANSPARENT;
    } else if (v[0] == '#') {
        c = h2t_hex(v, &al);
    } else if (strchr(v, '(') != NULL) {
        c = h2t_fn_color(v, &al);
    } else {
        for (size_t i = 0; i < G_N_ELEMENTS(h2t_colors) && c == -1; i++) {
            size_t n = strlen(h2t_colors[i].name);
            if (g_ascii_strncasecmp(v, h2t_colors[i].name, n) == 0 &&
                co__css_value_end(v + n))
                c = h2t_colors[i].rgb;
        }
    }
    if (c >= 0 && al < 0.05)
        c = CO_CSS_TRANSPARENT; /* as opacity under 0.05 (trial 50) */
    if (alpha != NULL)
        *alpha = c >= 0 ? al : 0;
    return c;
}

/* A colour property's value (`color`, `background-color`, the colour of
 * the `background` shorthand): as co__css_color(), but a word that is no
 * colour known here and could be one (a name not in h2t_colors, a system
 * colour, currentcolor) is CO_CSS_UNKNOWN rather than ignored: it never
 * hides text (trial 51). The CSS-wide keywords stay -1. */
int32_t co__css_color_prop(const char *v, double *alpha)
{
    int32_t c = co__css_color(v, alpha);
    while (*v == ' ')
        v++;
    size_t n = 0;
    while (g_ascii_isalpha(v[n]))
        n++;
    if (c != -1 || n == 0 || !co__css_value_end(v + n))
        return c;
    static const char *const wide[] = {"inherit", "initial", "unset", "revert",
                                       "none"};
    for (size_t i = 0; i < G_N_ELEMENTS(wide); i++)
        if (strlen(wide[i]) == n && g_ascii_strncasecmp(v, wide[i], n) == 0)
            return -1;
    return CO_CSS_UNKNOWN;
}

/* ---- lengths, clips, backgrounds --------------------------------------- */

/* Whether two colours are the same within 8 per channel. */
int co__css_same_color(int32_t a, int32_t b)
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
        if (u + 1 >= 8 || unit[0] == '%')
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
    return f != 0;
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
    return h2t_font_num(v, parent, quirks, &px) ? px : parent;
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

/* ---- HTML's legacy colours: bgcolor, <font color>, <body text> -------- */

const char *co__html_color(const char *v, char out[8])
{
    while (g_ascii_isspace(*v))
        v++;
    size_t n = strlen(v);
    while (n > 0 && g_ascii_isspace(v[n - 1]))
        n--;
    if (n == 0 || (n == 11 && g_ascii_strncasecmp(v, "transparent", 11) == 0))
        return NULL;
    size_t alpha = 0, hex = 0;
    for (size_t i = 0; i < n; i++) {
        alpha += g_ascii_isalpha(v[i]) != 0;
        hex += g_ascii_isxdigit(v[i]) != 0;
    }
    /* a name (no name is made of hex digits only; one not known here is
     * not judged), or #rgb: CSS reads them so */
    if ((alpha == n && hex < n) ||
        (n == 4 && v[0] == '#' && g_ascii_isxdigit(v[1]) &&
         g_ascii_isxdigit(v[2]) && g_ascii_isxdigit(v[3])))
        return v;
    /* HTML, "rules for parsing a legacy colour value": every character
     * that is no hex digit is 0, the rest split in three */
    char s[132];
    size_t len = 0;
    const char *p = v + (v[0] == '#'), *end = v + n;
    while (p < end && len < 128) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            c = (unsigned char)*p;
            p++;
        } else {
            p = g_utf8_next_char(p);
        }
        if (c > 0xFFFF)
            s[len++] = '0'; /* a character beyond the BMP is "00" */
        s[len++] = c < 0x80 && g_ascii_isxdigit((char)c) ? (char)c : '0';
    }
    while (len == 0 || len % 3 != 0)
        s[len++] = '0';
    size_t k = len / 3, skip = k > 8 ? k - 8 : 0;
    k -= skip;
    while (k > 2 && s[skip] == '0' && s[skip + len / 3] == '0' &&
           s[skip + 2 * (len / 3)] == '0') {
        skip++;
        k--;
    }
    int rgb[3];
    for (int i = 0; i < 3; i++) {
        const char *c = s + i * (len / 3) + skip;
        rgb[i] = k >= 2 ? hexval(c[0]) * 16 + hexval(c[1]) : hexval(c[0]);
    }
    g_snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return out;
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
