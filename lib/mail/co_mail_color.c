/**
 * @file lib/mail/co_mail_color.c
 * @brief CSS colours for the HTML-to-text step's hidden-text rules
 *        (co_mail_html.c, co_mail_css.c): hex, names, and the functions of
 *        CSS Color 4 converted to sRGB; HTML's legacy colour attributes.
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
