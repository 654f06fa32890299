/**
 * @file lib/mail/co_mail_int.h
 * @brief Internals of the mail normalizer shared between its .c files.
 *        Not installed, not for sources: use co_mail.h.
 */
#ifndef CO_MAIL_INT_H
#define CO_MAIL_INT_H

#include "co_mail.h"

#include <glib.h>
#include <jansson.h>
#include <libxml/xmlstring.h>
#include <stdint.h>
#include <time.h>

/** Defects seen while normalizing one message: a JSON array of unique
 *  short names. */
typedef struct co__defects_s {
    json_t *arr; /**< owned JSON array of strings */
} co__defects_t;

/** @brief Append `name` unless already present. */
void co__defect(co__defects_t *d, const char *name);

/**
 * @brief Convert `len` bytes labelled `label` (a MIME charset name, or NULL
 *        when unlabelled) to UTF-8, appending to `out`.
 *
 * Labels follow the WHATWG Encoding rules mail readers use: iso-8859-1,
 * latin1 and us-ascii decode as windows-1252; unlabelled, us-ascii and
 * unknown-8bit text that is valid UTF-8 stays UTF-8. Undecodable bytes
 * become U+FFFD. An unknown label falls back to UTF-8/windows-1252 and adds
 * the defect `unknown-charset`; replaced bytes add `charset-decode-errors`.
 * @param d Defect list, may be NULL.
 */
void co__to_utf8(const char *bytes, size_t len, const char *label, GString *out,
                 co__defects_t *d);

/* Takes out of UTF-8 text the characters that show nothing inside a
 * word: U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER, U+FEFF (a BOM or
 * ZERO WIDTH NO-BREAK SPACE) and U+00AD SOFT HYPHEN; "inter<U+200B>view"
 * reads as one word (trial 53). Joiners that shape emoji and scripts
 * (U+200C, U+200D) stay. */
void co__drop_invisible(GString *s);

/**
 * @brief Remove what a JSON text field should not carry: NUL and other C0
 *        controls but TAB and LF, CR (CRLF becomes LF), C1 controls. `s` is
 *        valid UTF-8; edited in place.
 */
void co__clean_text(GString *s);

/**
 * @brief Decode a raw header value's RFC 2047 encoded words.
 *
 * GMime 3.2.13 decodes adjacent B-encoded words wrongly when a word ends in
 * `=` padding (gmime#133), so each encoded word is decoded here on its own,
 * adjacent words in the same charset are joined as bytes before charset
 * conversion (a character may be split across words), and whitespace
 * between adjacent encoded words is dropped (RFC 2047 section 6.2).
 * Unencoded 8-bit text is read as UTF-8, else windows-1252.
 *
 * @param raw Raw value (folded, as in the message). Borrowed.
 * @param reencode 0: return plain UTF-8 text, unfolded, whitespace runs
 *        collapsed and trimmed (for unstructured fields). 1: return the
 *        value with each run of encoded words (and any 8-bit text) replaced
 *        by one `=?UTF-8?B?...?=` word, so GMime's address parser sees
 *        specials inside names as encoded text.
 * @returns A g_malloc'd string (g_free).
 */
char *co__hdr_decode(const char *raw, int reencode, co__defects_t *d);

/** A parsed Date header. */
typedef struct co__date_s {
    int ok;         /**< 1 when a date and time were recognised */
    int zone_known; /**< 1 when the zone is numeric or RFC 5322 named */
    int64_t utc;    /**< seconds since the epoch (zone applied; when the
                         zone is unknown, the wall time read as UTC) */
    char wall[32];  /**< "YYYY-MM-DDTHH:MM:SS" as written (no zone) */
} co__date_t;

/**
 * @brief Parse an RFC 5322 date (with the obsolete forms of section 4.3:
 *        two-digit years, named zones, missing seconds, missing day name)
 *        and asctime-like variants. Years 00-49 are 2000-2049, 50-99 are
 *        1950-1999. A missing or unknown zone leaves zone_known 0 (never a
 *        silent +0000).
 */
void co__date_parse(const char *raw, co__date_t *out);

/** @brief Format seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ".
 *  @returns 0, or -1 when out of range. */
int co__fmt_utc(int64_t t, char out[32]);

/**
 * @brief Convert HTML (UTF-8) to readable text with libxml2's HTML parser:
 *        script, style, head, noscript and template are dropped; block
 *        elements end lines; whitespace is collapsed; `<a href>` links are
 *        appended to `links` ({"url","text"}) up to max_links.
 * @param links JSON array or NULL.
 */
void co__html_to_text(const char *html, size_t len, GString *out, json_t *links,
                      size_t max_links);

/** @brief Append to `links` the http(s) URLs found in plain text (text ""),
 *  skipping URLs already present, up to max_links. */
void co__text_links(const char *text, json_t *links, size_t max_links);
/* A copy of `html` (g_string_free) with what HTML's tokenizer does and
 * libxml2's HTML parser does not: the slash of `/>` on an element that is
 * not void blanked, `<!-->`, `<!--->` and bogus comments (`<! x >`,
 * `<![CDATA[ x ]]>` outside <svg> and <math>) taken out; NULL when there
 * is nothing to change (co_mail_html_tok.c). */
GString *co__html_tokfix(const char *html, size_t len);

/* co_mail_sel.c: one compound selector of a style rule: `*` or a tag, then any
 * of `.class`, `#id`,
 * `[attr]` and `[attr=value]` (`div.a.b`, `[data-x]`, `*.a`,
 * `p#id[lang=en]`), and the combinator that joins it to the compound on
 * its left: ' ' (a descendant of it), '>' (a child of it), '+' (the
 * element right after it), '~' (an element after it, same parent), 0 for
 * the first. */
#define CO_SEL_PARTS 8
typedef struct {
    char *tag;                /* lower case, or NULL */
    char *cls[CO_SEL_PARTS];  /* classes the element must all have */
    char *id;                 /* or NULL */
    char *attr[CO_SEL_PARTS]; /* attributes it must have (lower case) */
    char *aval[CO_SEL_PARTS]; /* their values, or NULL for any */
    char aop[CO_SEL_PARTS];   /* '=' the value, '~' one of its words,
                               * '^' '$' '*' '|' (co_mail_sel.c) */
    char aci[CO_SEL_PARTS];   /* 'i' the `i` flag (any ASCII case), 's'
                               * the `s` flag, 0 none (co_mail_sel.c) */
    int universal;            /* `*` */
    char comb;                /* ' ', '>', '+', '~' or 0 (above) */
} co__cmp_t;

/* Parses the compound selector at `sel` into `c` up to white space or a
 * combinator (`*end` there); its specificity (ids << 16 | classes and
 * attributes << 8 | types), or -1 when it is not one understood here
 * (pseudo-classes, empty). */
int co__sel_cmp_parse(const char *sel, co__cmp_t *c, const char **end);
/* Whether `c` matches an element with tag `tag` and attributes `atts`
 * (name, value pairs); classes and ids in any case when `quirks`. */
int co__sel_cmp_matches(const co__cmp_t *c, const char *tag,
                        const xmlChar **atts, int quirks);
/* Whether a media query list (`screen`, `print`, `all and (max-width:
 * 600px)`) holds on a screen: 1 yes, 0 no (print, speech, a query that is
 * none), -1 not known here (media features). An empty list holds. */
int co__css_media(const char *list);
/* Frees what `c` holds (not `c`). */
void co__sel_cmp_free(co__cmp_t *c);
/* co_mail_sel.c: the first character of `set` in style sheet text `p`
 * outside strings, or its end. */
char *co__css_find(char *p, const char *set);
/* Blanks the comments of style sheet text `p` (strings kept). */
void co__css_uncomment(char *p);
/* Splits `s` (changed in place) at `sep` outside strings and brackets. */
GPtrArray *co__css_split(char *s, char sep);
/* A copy of a CSS name or value with its escapes resolved (`\6e one` is
 * `none`, `\:` is `:`). */
char *co__css_unescape(const char *s);

/* co_mail_color.c: a CSS colour value (`#fff`, `white`, `rgb()`,
 * `lab()`...) as 0xRRGGBB and its alpha (0..1) in *alpha when not NULL;
 * -1 when it is no colour (a browser ignores it), CO_CSS_TRANSPARENT, or
 * CO_CSS_UNKNOWN for a colour that cannot be told (a variable, calc(),
 * color-mix(), outside the sRGB gamut): it must never hide text. */
#define CO_CSS_TRANSPARENT (-2)
#define CO_CSS_UNKNOWN     (-3)
int32_t co__css_color(const char *v, double *alpha);
/* As co__css_color() for the whole value of a colour property: a word
 * that may be a colour not known here (`coral`, `Canvas`, `currentcolor`)
 * is CO_CSS_UNKNOWN; CSS-wide keywords are -1. */
int32_t co__css_color_prop(const char *v, double *alpha);
/* Whether two colours (0xRRGGBB) are the same within 8 per channel; 0
 * when either is none (negative). */
int co__css_same_color(int32_t a, int32_t b);
/* The colour of an HTML attribute (bgcolor, <font color>, <body text>)
 * as CSS reads it: `v` itself for a name or #rgb, "#rrggbb" in `out` as
 * HTML's legacy colour parsing makes it (`ffffff` is #ffffff, `fff`
 * #0f0f0f), NULL for none (empty, transparent). */
const char *co__html_color(const char *v, char out[8]);
/* 1 when a colour word ends at p: the value's end, or what may follow a
 * colour inside a gradient or a shorthand. */
int co__css_value_end(const char *p);

/* co_mail_css.c: the font size of the page in px, and what rem is. */
#define CO_CSS_FONT 16.0
/* A value that is one CSS length, in px (em and rem are 16px, % is of
 * 16px; a bare number is 0, or any in quirks mode); 1 when it is one.
 * `1px2`, `0 1`, `1foo` are none (a browser ignores them). */
int co__css_length(const char *v, double *px, int quirks);
/* A value that is one opacity (a number or a percentage) as a number in
 * *a; 1 when it is one. */
int co__css_opacity(const char *v, double *a);
/* Whether a `clip` or `clip-path` value (prop) cuts everything away. */
int co__css_clipped(const char *prop, const char *val);
/* A font size in px, `parent` the inherited one (for `inherit` and
 * `unset`); a readable size (at least CO_CSS_FONT) for one not computed
 * here (`initial`, calc(), var()), or `parent` when it is negative; a
 * bare number only in quirks mode. */
double co__css_font(const char *v, double parent, int quirks);
/* Whether a font size given as a number (`12px`, `1px2`) is one. */
int co__css_font_ok(const char *v, int quirks);
/* The font size in a `font` shorthand (CSS Fonts 4: style, variant,
 * weight and stretch words, the size, then `/line-height` and the family,
 * which must be there): a copy (g_free), or NULL when there is none that
 * is read here (a system font such as `caption`, `var()`, no family). */
char *co__css_font_short(const char *v);
/* The background declarations in effect on an element: the `background`
 * shorthand and each longhand that beats it (declared after it, or of a
 * higher rank); NULL for none. */
typedef struct co__bg_s {
    const char *shorthand, *color, *image, *size, *repeat, *pos, *pos_x, *pos_y,
        *clip;
} co__bg_t;
/* The colour they paint behind the text over `parent` (CSS Backgrounds
 * 3): 0xRRGGBB, -1 when it cannot be told, -2 when they paint no colour
 * (the parent's shows); *clip_text when `background-clip: text` paints
 * the text itself (see co_mail_css.c). */
int32_t co__css_background(const co__bg_t *d, int32_t parent, int *clip_text);

/**
 * @brief Parse iCalendar text (NUL-terminated) and append one object per
 *        VEVENT to `events` (up to max_events), resolving zones.
 * @param method_hint The MIME `method` parameter, used when the VCALENDAR
 *        has no METHOD. May be NULL.
 * @returns 0, or -1 when the text holds no VCALENDAR (defect
 *          `calendar-unparseable`).
 */
int co__ical_events(const char *ics, const co_mail_opts_t *o,
                    const char *method_hint, json_t *events, co__defects_t *d);

/** @brief Append `label` to the JSON array `cut` (the record's
 *  `truncated_fields`) unless present; at most 32 entries. NULL is fine. */
void co__cut_field(json_t *cut, const char *label);

/**
 * @brief Copy a message (after the mbox From line and BOM) with its header
 *        block bounded: each field cut at o->max_header_bytes, fields beyond
 *        o->max_header_fields or o->max_headers_bytes in all dropped; the
 *        blank line and the body follow unchanged; NUL bytes of the header
 *        block are dropped (GMime would end a field's value there), except
 *        in UTF-16 text (co_mail_utf16()), refused as such. What was
 *        cut is named in
 *        `cut` ("subject", "header:Name", "headers") and in the defects
 *        (`header-truncated`, `header-fields-dropped`); *truncated is set to
 *        1 then.
 * @returns A new GByteArray (g_byte_array_unref), about n bytes.
 */
GByteArray *co__bounded_copy(const char *p, size_t n, const co_mail_opts_t *o,
                             json_t *cut, co__defects_t *d, int *truncated);

/** @brief Fill defaults into zero fields of a copy of `in` (may be NULL). */
void co__opts_fill(const co_mail_opts_t *in, co_mail_opts_t *out);

/** @brief snprintf into errstr when it is not NULL. */
void co__err(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
