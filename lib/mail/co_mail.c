/**
 * @file lib/mail/co_mail.c
 * @brief co_mail_to_json(): GMime parse, RFC 8621 (JMAP) body selection,
 *        text/HTML/calendar extraction, the email.v1 JSON document.
 */
#include "co_mail_int.h"

#include <gmime/gmime.h>
#include <libical/ical.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- process-wide initialisation ---------------------------------------- */

static pthread_once_t mail_once = PTHREAD_ONCE_INIT;

static void mail_init_once(void)
{
    g_mime_init();
    xmlInitParser();
    icalerror_set_errors_are_fatal(0);
    if (sodium_init() < 0)
        abort(); /* no usable randomness source: libsodium cannot work */
}

void co_mail_init(void)
{
    pthread_once(&mail_once, mail_init_once);
}

void co_mail_opts_default(co_mail_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->max_bytes = 64u << 20;
    o->max_parts = 500;
    o->max_depth = 32;
    o->max_text_bytes = 1u << 20;
    o->default_tz = NULL;
    o->max_html_bytes = 8u << 20;
    o->max_links = 200;
    o->max_addresses = 200;
    o->max_events = 50;
    o->max_calendar_bytes = 4u << 20;
    o->max_header_bytes = 64u << 10;
    o->max_header_fields = 1000;
    o->max_headers_bytes = 256u << 10;
    o->max_record_bytes = 0;
}

void co__opts_fill(const co_mail_opts_t *in, co_mail_opts_t *out)
{
    co_mail_opts_t d;
    co_mail_opts_default(&d);
    if (in == NULL) {
        *out = d;
        return;
    }
    *out = *in;
#define CO__FILL(f)                                                            \
    if (out->f == 0)                                                           \
    out->f = d.f
    CO__FILL(max_bytes);
    CO__FILL(max_parts);
    CO__FILL(max_depth);
    CO__FILL(max_text_bytes);
    CO__FILL(max_html_bytes);
    CO__FILL(max_links);
    CO__FILL(max_addresses);
    CO__FILL(max_events);
    CO__FILL(max_calendar_bytes);
    CO__FILL(max_header_bytes);
    CO__FILL(max_header_fields);
    CO__FILL(max_headers_bytes);
#undef CO__FILL
}

/* ---- per-message context ------------------------------------------------ */

typedef struct part_s {
    GMimeObject *obj; /* NULL for a pseudo part */
    char type[96];    /* "text/plain", lower case */
    char *pseudo;     /* text of a pseudo part (g_malloc'd) */
    char *charset;    /* charset of a pseudo part */
    int html_done;    /* html_text/links computed */
    GString *html_text;
} part_t;

typedef struct {
    co_mail_opts_t o;
    co__defects_t d;
    int truncated;
    int text_truncated;
    json_t *cut; /* truncated_fields */
    size_t leaves;
    GPtrArray *all; /* part_t*, owned */
    GPtrArray *text_body, *html_body, *attachments, *calendars;
    json_t *links;
} ctx_t;

static void part_free(gpointer p)
{
    part_t *pt = p;
    g_free(pt->pseudo);
    g_free(pt->charset);
    if (pt->html_text != NULL)
        g_string_free(pt->html_text, TRUE);
    g_free(pt);
}

static const struct {
    GMimeParserWarning w;
    const char *name;
} warn_names[] = {
    {GMIME_WARN_DUPLICATED_HEADER, "duplicated-header"},
    {GMIME_WARN_DUPLICATED_PARAMETER, "duplicated-parameter"},
    {GMIME_WARN_UNENCODED_8BIT_HEADER, "unencoded-8bit-header"},
    {GMIME_WARN_INVALID_CONTENT_TYPE, "invalid-content-type"},
    {GMIME_WARN_INVALID_RFC2047_HEADER_VALUE, "invalid-rfc2047"},
    {GMIME_WARN_MALFORMED_MULTIPART, "malformed-multipart"},
    {GMIME_WARN_TRUNCATED_MESSAGE, "truncated-message"},
    {GMIME_WARN_MALFORMED_MESSAGE, "malformed-message"},
    {GMIME_CRIT_INVALID_HEADER_NAME, "invalid-header-name"},
    {GMIME_CRIT_CONFLICTING_HEADER, "conflicting-header"},
    {GMIME_CRIT_CONFLICTING_PARAMETER, "conflicting-parameter"},
    {GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY, "multipart-without-boundary"},
    {GMIME_WARN_INVALID_PARAMETER, "invalid-parameter"},
    {GMIME_WARN_INVALID_ADDRESS_LIST, "invalid-address-list"},
    {GMIME_CRIT_NESTING_OVERFLOW, "nesting-overflow"},
    {GMIME_WARN_PART_WITHOUT_CONTENT, "part-without-content"},
    {GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT,
     "part-without-headers-or-content"},
};

static void on_warning(gint64 offset, GMimeParserWarning code,
                       const gchar *item, gpointer user_data)
{
    (void)offset;
    (void)item;
    co__defects_t *d = user_data;
    for (size_t i = 0; i < G_N_ELEMENTS(warn_names); i++)
        if (warn_names[i].w == code) {
            co__defect(d, warn_names[i].name);
            return;
        }
    co__defect(d, "parser-warning");
}

static GMimeParserOptions *make_parser_options(co__defects_t *d)
{
    static const char *fallback[] = {"UTF-8", "windows-1252", NULL};
    GMimeParserOptions *po = g_mime_parser_options_new();
    g_mime_parser_options_set_address_compliance_mode(
        po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_parameter_compliance_mode(
        po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_rfc2047_compliance_mode(
        po, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_allow_addresses_without_domain(po, TRUE);
    g_mime_parser_options_set_fallback_charsets(po, fallback);
    if (d != NULL)
        g_mime_parser_options_set_warning_callback(po, on_warning, d);
    return po;
}

/* ---- headers ------------------------------------------------------------ */

/* All raw values of header `name`, joined with `sep`; NULL if absent. */
static char *raw_header(GMimeObject *obj, const char *name, const char *sep)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
    if (hl == NULL)
        return NULL;
    GString *s = NULL;
    int n = g_mime_header_list_get_count(hl);
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *hn = g_mime_header_get_name(h);
        if (hn == NULL || g_ascii_strcasecmp(hn, name) != 0)
            continue;
        const char *v = g_mime_header_get_raw_value(h);
        if (v == NULL)
            v = "";
        if (s == NULL) {
            s = g_string_new(v);
            if (sep == NULL)
                break;
        } else {
            g_string_append(s, sep);
            g_string_append(s, v);
        }
    }
    return s != NULL ? g_string_free(s, FALSE) : NULL;
}

/* Valid, cleaned UTF-8 JSON string from arbitrary bytes (NULL -> null). */
static json_t *jtext(const char *s)
{
    if (s == NULL)
        return json_null();
    GString *g = g_string_new(NULL);
    co__to_utf8(s, strlen(s), NULL, g, NULL);
    co__clean_text(g);
    json_t *j = json_stringn(g->str, g->len);
    g_string_free(g, TRUE);
    return j != NULL ? j : json_null();
}

static json_t *jdecoded(GMimeObject *msg, const char *name, co__defects_t *d)
{
    char *raw = raw_header(msg, name, NULL);
    if (raw == NULL)
        return json_null();
    char *v = co__hdr_decode(raw, 0, d);
    g_free(raw);
    json_t *j = jtext(v);
    g_free(v);
    return j;
}

static void add_mailbox(json_t *arr, InternetAddress *ia, size_t max, ctx_t *c)
{
    if (INTERNET_ADDRESS_IS_GROUP(ia)) {
        InternetAddressList *m =
            internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
        int n = m != NULL ? internet_address_list_length(m) : 0;
        for (int i = 0; i < n; i++)
            add_mailbox(arr, internet_address_list_get_address(m, i), max, c);
        return;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
        return;
    if (json_array_size(arr) >= max) {
        co__defect(&c->d, "address-list-truncated");
        return;
    }
    const char *addr =
        internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    const char *name = internet_address_get_name(ia);
    if ((addr == NULL || addr[0] == '\0') && (name == NULL || name[0] == '\0'))
        return;
    json_t *o = json_object();
    json_object_set_new(
        o, "name", name != NULL && name[0] != '\0' ? jtext(name) : json_null());
    json_object_set_new(o, "address", jtext(addr != NULL ? addr : ""));
    json_array_append_new(arr, o);
}

/* 1 when every mailbox of l (groups' members too) has an address with an
 * '@', and there is at least one; 0 otherwise. */
static int list_has_addrs(InternetAddressList *l)
{
    int n = internet_address_list_length(l), seen = 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            InternetAddressList *m =
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
            if (m != NULL && internet_address_list_length(m) > 0) {
                if (!list_has_addrs(m))
                    return 0;
                seen = 1;
            }
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        const char *a =
            internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        if (a == NULL || strchr(a, '@') == NULL || strstr(a, "=?") != NULL)
            return 0;
        seen = 1;
    }
    return seen;
}

static json_t *addr_list(GMimeObject *msg, const char *name,
                         GMimeParserOptions *po, ctx_t *c)
{
    json_t *arr = json_array();
    char *raw = raw_header(msg, name, ",");
    if (raw == NULL)
        return arr;
    char *fixed = co__hdr_decode(raw, 1, &c->d);
    InternetAddressList *l = internet_address_list_parse(po, fixed);
    if (l != NULL && !list_has_addrs(l)) {
        /* A whole mailbox inside one encoded word ("=?utf-8?q?Ana_R=C3=ADos
         * _=3Cana=40x.example=3E?="): RFC 2047 (section 5) forbids an
         * encoded word in an addr-spec, but broken mailers write it, and
         * mail clients show the decoded text. The list is read again from
         * the decoded text, and that reading is kept only when every
         * mailbox of it has an address with an '@'. */
        char *plain = co__hdr_decode(raw, 0, NULL);
        InternetAddressList *l2 = internet_address_list_parse(po, plain);
        g_free(plain);
        if (l2 != NULL && list_has_addrs(l2)) {
            g_object_unref(l);
            l = l2;
            co__defect(&c->d, "address-in-encoded-word");
        } else if (l2 != NULL) {
            g_object_unref(l2);
        }
    }
    if (l != NULL) {
        int n = internet_address_list_length(l);
        for (int i = 0; i < n; i++)
            add_mailbox(arr, internet_address_list_get_address(l, i),
                        c->o.max_addresses, c);
        g_object_unref(l);
    }
    g_free(fixed);
    g_free(raw);
    return arr;
}

static char *msgid_of(const char *raw)
{
    if (raw == NULL)
        return NULL;
    char *id = g_mime_utils_decode_message_id(raw);
    if (id == NULL || id[0] == '\0') {
        g_free(id);
        /* not a msg-id by the grammar: keep the trimmed text */
        char *t = g_strstrip(g_strdup(raw));
        size_t n = strlen(t);
        if (n > 0 && t[n - 1] == '>')
            t[--n] = '\0';
        char *s = t[0] == '<' ? t + 1 : t;
        id = s[0] != '\0' && strpbrk(s, " \t\r\n") == NULL ? g_strdup(s) : NULL;
        g_free(t);
    }
    if (id != NULL) {
        GString *g = g_string_new(NULL);
        co__to_utf8(id, strlen(id), NULL, g, NULL);
        co__clean_text(g);
        g_free(id);
        id = g_string_free(g, FALSE);
        if (id[0] == '\0') {
            g_free(id);
            id = NULL;
        }
    }
    return id;
}

static json_t *jbracket(const char *id)
{
    if (id == NULL)
        return json_null();
    char *s = g_strdup_printf("<%s>", id);
    json_t *j = json_string(s);
    g_free(s);
    return j != NULL ? j : json_null();
}

/* ---- content ------------------------------------------------------------ */

/* Read the decoded content of a leaf part: at most `cap` bytes into `out`
 * (cap 0: count only). Returns the total decoded length, or the bytes read
 * plus one when the cap was hit (so callers see "more than cap"). */
static size_t read_content(GMimePart *p, GByteArray *out, size_t cap)
{
    GMimeDataWrapper *w = g_mime_part_get_content(p);
    if (w == NULL)
        return 0;
    GMimeStream *s = g_mime_data_wrapper_get_stream(w);
    if (s == NULL)
        return 0;
    GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
    g_mime_stream_reset(s);
    GMimeStream *f = g_mime_stream_filter_new(s);
    if (enc == GMIME_CONTENT_ENCODING_BASE64 ||
        enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_UUENCODE) {
        GMimeFilter *dec = g_mime_filter_basic_new(enc, FALSE);
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(f), dec);
        g_object_unref(dec);
    }
    char buf[65536];
    size_t total = 0;
    for (;;) {
        ssize_t n = g_mime_stream_read(f, buf, sizeof buf);
        if (n <= 0)
            break;
        if (out != NULL && out->len < cap) {
            size_t take = (size_t)n;
            if (take > cap - out->len)
                take = cap - out->len;
            g_byte_array_append(out, (const guint8 *)buf, (guint)take);
        }
        total += (size_t)n;
        if (out != NULL && total > cap)
            break; /* the caller only needs to know it was cut */
    }
    g_object_unref(f);
    return total;
}

static const char *part_charset(part_t *pt)
{
    if (pt->obj == NULL)
        return pt->charset;
    return g_mime_object_get_content_type_parameter(pt->obj, "charset");
}

/* Decoded text of a text part as UTF-8 (at most cap source bytes). */
static void part_text(ctx_t *c, part_t *pt, size_t cap, GString *out)
{
    if (pt->obj == NULL) {
        size_t n = strlen(pt->pseudo);
        if (n > cap) {
            n = cap;
            c->text_truncated = 1;
        }
        co__to_utf8(pt->pseudo, n, pt->charset, out, &c->d);
        return;
    }
    if (!GMIME_IS_PART(pt->obj))
        return;
    GByteArray *b = g_byte_array_new();
    size_t total = read_content(GMIME_PART(pt->obj), b, cap);
    if (total > cap)
        c->text_truncated = 1;
    co__to_utf8((const char *)b->data, b->len, part_charset(pt), out, &c->d);
    g_byte_array_free(b, TRUE);
}

static GString *html_text(ctx_t *c, part_t *pt)
{
    if (!pt->html_done) {
        pt->html_done = 1;
        GString *html = g_string_new(NULL);
        part_text(c, pt, c->o.max_html_bytes, html);
        pt->html_text = g_string_new(NULL);
        co__html_to_text(html->str, html->len, pt->html_text, c->links,
                         c->o.max_links);
        g_string_free(html, TRUE);
    }
    return pt->html_text;
}

/* ---- structure (RFC 8621 section 4.1.4 parseStructure) ------------------ */

static void type_of(GMimeObject *o, char out[96])
{
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    const char *t = ct != NULL ? g_mime_content_type_get_media_type(ct) : NULL;
    const char *s =
        ct != NULL ? g_mime_content_type_get_media_subtype(ct) : NULL;
    snprintf(out, 96, "%s/%s", t != NULL ? t : "application",
             s != NULL ? s : "octet-stream");
    for (char *p = out; *p != '\0'; p++)
        *p = (char)g_ascii_tolower(*p);
}

static const char *part_name(GMimeObject *o)
{
    if (GMIME_IS_PART(o))
        return g_mime_part_get_filename(GMIME_PART(o));
    const char *n =
        g_mime_object_get_content_disposition_parameter(o, "filename");
    if (n == NULL)
        n = g_mime_object_get_content_type_parameter(o, "name");
    return n;
}

static int is_inline_media(const char *type)
{
    return strncmp(type, "image/", 6) == 0 || strncmp(type, "audio/", 6) == 0 ||
           strncmp(type, "video/", 6) == 0;
}

static int blank(const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if (!g_ascii_isspace(*s))
            return 0;
    return 1;
}

static part_t *new_part(ctx_t *c, GMimeObject *o)
{
    part_t *pt = g_new0(part_t, 1);
    pt->obj = o;
    if (o != NULL)
        type_of(o, pt->type);
    g_ptr_array_add(c->all, pt);
    return pt;
}

/* The children of a multipart as parts. A multipart whose boundary never
 * occurs (GMime 3.2.13 returns it empty with the text in the prologue,
 * known-bugs case 03) becomes a pseudo text/plain part holding that text. */
static part_t *child_part(ctx_t *c, GMimeObject *o)
{
    if (GMIME_IS_MULTIPART(o) &&
        g_mime_multipart_get_count(GMIME_MULTIPART(o)) == 0) {
        const char *pro = g_mime_multipart_get_prologue(GMIME_MULTIPART(o));
        co__defect(&c->d, "multipart-boundary-not-found");
        if (blank(pro))
            return NULL;
        part_t *pt = new_part(c, NULL);
        snprintf(pt->type, sizeof pt->type, "text/plain");
        pt->pseudo = g_strdup(pro);
        const char *cs = g_mime_object_get_content_type_parameter(o, "charset");
        pt->charset = cs != NULL ? g_strdup(cs) : NULL;
        return pt;
    }
    return new_part(c, o);
}

static int is_calendar(part_t *pt)
{
    if (strcmp(pt->type, "text/calendar") == 0 ||
        strcmp(pt->type, "application/ics") == 0 ||
        strcmp(pt->type, "text/x-vcalendar") == 0 ||
        strcmp(pt->type, "application/x-ics") == 0)
        return 1;
    const char *n = pt->obj != NULL ? part_name(pt->obj) : NULL;
    size_t l = n != NULL ? strlen(n) : 0;
    return l > 4 && (g_ascii_strcasecmp(n + l - 4, ".ics") == 0 ||
                     g_ascii_strcasecmp(n + l - 4, ".vcs") == 0);
}

static void parse_structure(ctx_t *c, part_t **parts, size_t nparts,
                            const char *mptype, int in_alt, GPtrArray *html,
                            GPtrArray *text, int depth)
{
    int text_len = text != NULL ? (int)text->len : -1;
    int html_len = html != NULL ? (int)html->len : -1;
    for (size_t i = 0; i < nparts; i++) {
        part_t *pt = parts[i];
        if (pt == NULL)
            continue;
        int is_mp = pt->obj != NULL && GMIME_IS_MULTIPART(pt->obj);
        if (is_mp) {
            if ((size_t)depth + 1 > c->o.max_depth) {
                co__defect(&c->d, "too-deep");
                c->truncated = 1;
                continue;
            }
            GMimeMultipart *mp = GMIME_MULTIPART(pt->obj);
            int n = g_mime_multipart_get_count(mp);
            part_t **kids = g_new0(part_t *, n > 0 ? n : 1);
            for (int k = 0; k < n; k++)
                kids[k] = child_part(c, g_mime_multipart_get_part(mp, k));
            const char *sub = strchr(pt->type, '/') + 1;
            parse_structure(c, kids, (size_t)n, sub,
                            in_alt || strcmp(sub, "alternative") == 0, html,
                            text, depth + 1);
            g_free(kids);
            continue;
        }
        if (++c->leaves > c->o.max_parts) {
            co__defect(&c->d, "too-many-parts");
            c->truncated = 1;
            return;
        }
        if (is_calendar(pt))
            g_ptr_array_add(c->calendars, pt);
        const char *disp =
            pt->obj != NULL ? g_mime_object_get_disposition(pt->obj) : NULL;
        const char *name = pt->obj != NULL ? part_name(pt->obj) : NULL;
        int media = is_inline_media(pt->type);
        int is_inline =
            (disp == NULL || g_ascii_strcasecmp(disp, "attachment") != 0) &&
            (strcmp(pt->type, "text/plain") == 0 ||
             strcmp(pt->type, "text/html") == 0 || media) &&
            (i == 0 || (strcmp(mptype, "related") != 0 &&
                        (media || name == NULL || name[0] == '\0')));
        if (!is_inline) {
            g_ptr_array_add(c->attachments, pt);
            continue;
        }
        if (strcmp(mptype, "alternative") == 0) {
            /* text or html may be NULL (dropped by an enclosing
             * alternative): then the part has no body list to join */
            if (strcmp(pt->type, "text/plain") == 0) {
                if (text != NULL)
                    g_ptr_array_add(text, pt);
            } else if (strcmp(pt->type, "text/html") == 0) {
                if (html != NULL)
                    g_ptr_array_add(html, pt);
            } else
                g_ptr_array_add(c->attachments, pt);
            continue;
        } else if (in_alt) {
            if (strcmp(pt->type, "text/plain") == 0)
                html = NULL;
            if (strcmp(pt->type, "text/html") == 0)
                text = NULL;
        }
        if (text != NULL)
            g_ptr_array_add(text, pt);
        if (html != NULL)
            g_ptr_array_add(html, pt);
        if ((text == NULL || html == NULL) && media)
            g_ptr_array_add(c->attachments, pt);
    }
    if (strcmp(mptype, "alternative") == 0 && text != NULL && html != NULL) {
        if (text_len == (int)text->len && html_len != (int)html->len)
            for (int i = html_len; i < (int)html->len; i++)
                g_ptr_array_add(text, g_ptr_array_index(html, i));
        if (html_len == (int)html->len && text_len != (int)text->len)
            for (int i = text_len; i < (int)text->len; i++)
                g_ptr_array_add(html, g_ptr_array_index(text, i));
    }
}

/* ---- record ------------------------------------------------------------- */

static void cut_utf8(GString *s, size_t max, int *cut)
{
    if (s->len <= max)
        return;
    const char *e = s->str + max;
    /* step back to a character start */
    while (e > s->str && ((unsigned char)*e & 0xC0) == 0x80)
        e--;
    g_string_truncate(s, (gsize)(e - s->str));
    *cut = 1;
}

/* Appends the text of the body parts `parts` (text/plain as is, text/html
 * as html_text() reads it), one part per line, up to the text limit. */
static void append_body_parts(ctx_t *c, GPtrArray *parts, GString *text)
{
    for (guint i = 0; i < parts->len; i++) {
        part_t *pt = g_ptr_array_index(parts, i);
        GString *t = g_string_new(NULL);
        if (strcmp(pt->type, "text/plain") == 0)
            part_text(c, pt, c->o.max_text_bytes + 4, t);
        else if (strcmp(pt->type, "text/html") == 0) {
            GString *h = html_text(c, pt);
            g_string_append_len(t, h->str, (gssize)h->len);
        }
        co__clean_text(t);
        if (t->len > 0) {
            if (text->len > 0 && text->str[text->len - 1] != '\n')
                g_string_append_c(text, '\n');
            g_string_append_len(text, t->str, (gssize)t->len);
        }
        g_string_free(t, TRUE);
        if (text->len > c->o.max_text_bytes)
            break;
    }
}

/* Whether a plain-text alternative is only a pointer to the HTML one ("To
 * view this message, please use an HTML-capable email client.", an ATS's
 * notice: trial 25), perhaps above a footer (trial 26), or empty: at most
 * 2,000 bytes whose first paragraph, at most 300 bytes, names HTML, a
 * browser or a mail client. */
static int plain_points_to_html(const GString *t)
{
    static const char *const says[] = {
        "html",          "browser",      "view this", "email client",
        "e-mail client", "mail program", NULL};
    const char *p = t->str;
    while (*p != '\0' && g_ascii_isspace(*p))
        p++;
    if (*p == '\0')
        return 1;
    if (t->len > 2000)
        return 0;
    const char *end = strstr(p, "\n\n");
    size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
    if (n > 300)
        return 0;
    gchar *low = g_ascii_strdown(p, (gssize)n);
    int points = 0;
    for (const char *const *w = says; *w != NULL && !points; w++)
        points = strstr(low, *w) != NULL;
    g_free(low);
    return points;
}

static void build_text(ctx_t *c, GString *text, int *has_html)
{
    for (guint i = 0; i < c->html_body->len; i++) {
        part_t *pt = g_ptr_array_index(c->html_body, i);
        if (strcmp(pt->type, "text/html") == 0) {
            *has_html = 1;
            html_text(c, pt); /* links come from the HTML body */
        }
    }
    append_body_parts(c, c->text_body, text);
    /* a plain-text alternative that only points to the HTML one: the
     * HTML's text */
    if (*has_html && plain_points_to_html(text)) {
        GString *alt = g_string_new(NULL);
        append_body_parts(c, c->html_body, alt);
        if (alt->len > 0) {
            g_string_truncate(text, 0);
            g_string_append_len(text, alt->str, (gssize)alt->len);
        }
        g_string_free(alt, TRUE);
    }
    co__drop_invisible(text);
    /* trim trailing whitespace and leading blank lines */
    while (text->len > 0 && g_ascii_isspace(text->str[text->len - 1]))
        g_string_truncate(text, text->len - 1);
    gsize lead = 0, line = 0;
    while (lead < text->len && g_ascii_isspace(text->str[lead]))
        if (text->str[lead++] == '\n')
            line = lead;
    g_string_erase(text, 0, (gssize)line);
    cut_utf8(text, c->o.max_text_bytes, &c->text_truncated);
    if (json_array_size(c->links) == 0)
        co__text_links(text->str, c->links, c->o.max_links);
}

static json_t *attachments_json(ctx_t *c)
{
    json_t *arr = json_array();
    for (guint i = 0; i < c->attachments->len; i++) {
        part_t *pt = g_ptr_array_index(c->attachments, i);
        json_t *a = json_object();
        const char *name = pt->obj != NULL ? part_name(pt->obj) : NULL;
        if (name == NULL && pt->obj != NULL && GMIME_IS_MESSAGE_PART(pt->obj)) {
            GMimeMessage *m =
                g_mime_message_part_get_message(GMIME_MESSAGE_PART(pt->obj));
            name = m != NULL ? g_mime_message_get_subject(m) : NULL;
        }
        json_object_set_new(a, "name", jtext(name));
        json_object_set_new(a, "type", json_string(pt->type));
        size_t size = 0;
        if (pt->obj != NULL && GMIME_IS_PART(pt->obj)) {
            size = read_content(GMIME_PART(pt->obj), NULL, 0);
        } else if (pt->obj != NULL && GMIME_IS_MESSAGE_PART(pt->obj)) {
            GMimeMessage *m =
                g_mime_message_part_get_message(GMIME_MESSAGE_PART(pt->obj));
            if (m != NULL) {
                GMimeStream *ns = g_mime_stream_null_new();
                g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, ns);
                size = (size_t)GMIME_STREAM_NULL(ns)->written;
                g_object_unref(ns);
            }
        } else if (pt->pseudo != NULL) {
            size = strlen(pt->pseudo);
        }
        json_object_set_new(a, "size", json_integer((json_int_t)size));
        json_array_append_new(arr, a);
    }
    return arr;
}

static json_t *calendar_json(ctx_t *c)
{
    json_t *events = json_array();
    for (guint i = 0; i < c->calendars->len; i++) {
        part_t *pt = g_ptr_array_index(c->calendars, i);
        GString *t = g_string_new(NULL);
        size_t cap = c->o.max_calendar_bytes;
        if (pt->obj != NULL && GMIME_IS_PART(pt->obj)) {
            GByteArray *b = g_byte_array_new();
            size_t total = read_content(GMIME_PART(pt->obj), b, cap);
            if (total > cap)
                co__defect(&c->d, "calendar-truncated");
            const char *cs = part_charset(pt);
            co__to_utf8((const char *)b->data, b->len,
                        cs != NULL ? cs : "utf-8", t, &c->d);
            g_byte_array_free(b, TRUE);
        }
        const char *method =
            pt->obj != NULL
                ? g_mime_object_get_content_type_parameter(pt->obj, "method")
                : NULL;
        if (t->len > 0)
            co__ical_events(t->str, &c->o, method, events, &c->d);
        g_string_free(t, TRUE);
    }
    return events;
}

/* Wall time read in `tz` (IANA), for dates whose zone is unknown. */
static int64_t wall_in_zone(const co__date_t *dt, const char *tz)
{
    if (tz == NULL || tz[0] == '\0')
        return dt->utc;
    GTimeZone *z = g_time_zone_new_identifier(tz);
    if (z == NULL)
        return dt->utc;
    int y, mo, d, h, mi, s;
    int64_t r = dt->utc;
    if (sscanf(dt->wall, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) == 6) {
        GDateTime *g = g_date_time_new(z, y, mo, d, h, mi, s);
        if (g != NULL) {
            r = g_date_time_to_unix(g);
            g_date_time_unref(g);
        }
    }
    g_time_zone_unref(z);
    return r;
}

/* Cut a JSON string field to `keep` bytes at a character start. */
static void cut_string(json_t *rec, const char *name, size_t keep)
{
    json_t *v = json_object_get(rec, name);
    const char *s = json_string_value(v);
    if (s == NULL)
        return;
    size_t len = json_string_length(v);
    if (len <= keep)
        return;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--;
    json_string_setn(v, s, keep);
}

/* Make the record's JSON text fit in max bytes: cut `text` by what is over
 * (an escaped character takes at least its own bytes, so that suffices
 * for the text), then empty the lists, then cut the subject. Each step is
 * named in truncated_fields. Returns the new text (`out` is freed), which
 * may still be too long. */
static char *fit_record(json_t *rec, char *out, size_t max)
{
    static const char *const lists[] = {"links",     "calendar", "attachments",
                                        "to",        "cc",       "reply_to",
                                        "references"};
    json_t *cut = json_object_get(rec, "truncated_fields");
    /* the text first, again while it is over: marking it cut takes bytes
     * too, and an escaped character more than one (trial 78: 15 bytes over
     * with no To: list left to drop, the message dead-lettered) */
    for (int i = 0; i < 8 && out != NULL && strlen(out) > max; i++) {
        size_t over = strlen(out) - max;
        size_t tl = json_string_length(json_object_get(rec, "text"));
        if (tl == 0)
            break;
        cut_string(rec, "text", tl > over ? tl - over : 0);
        json_object_set_new(rec, "text_truncated", json_true());
        co__cut_field(cut, "text");
        free(out);
        out = json_dumps(rec, JSON_COMPACT);
    }
    for (size_t step = 1; out != NULL && strlen(out) > max; step++) {
        if (step <= sizeof lists / sizeof lists[0]) {
            const char *name = lists[step - 1];
            if (json_array_size(json_object_get(rec, name)) == 0)
                continue;
            json_array_clear(json_object_get(rec, name));
            co__cut_field(cut, name);
        } else if (step == sizeof lists / sizeof lists[0] + 1) {
            cut_string(rec, "subject", 1024);
            co__cut_field(cut, "subject");
        } else {
            break;
        }
        free(out);
        out = json_dumps(rec, JSON_COMPACT);
    }
    return out;
}

static int has_headers(GMimeObject *o)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(o);
    return hl != NULL && g_mime_header_list_get_count(hl) > 0;
}

const char *co_mail_utf16(const void *p, size_t n)
{
    const unsigned char *u = p;
    if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE)
        return "UTF-16LE";
    if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF)
        return "UTF-16BE";
    if (n >= 4 && u[0] && !u[1] && u[2] && !u[3])
        return "UTF-16LE";
    if (n >= 4 && !u[0] && u[1] && !u[2] && u[3])
        return "UTF-16BE";
    return NULL;
}

size_t co_mail_lead_len(const void *p, size_t n, unsigned *kinds)
{
    const char *b = p;
    unsigned k = 0;
    size_t i = 0;
    if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
        k |= CO_MAIL_LEAD_BOM;
    }
    if (co_mail_utf16(b + i, n - i) == NULL)
        for (; i < n; i++) {
            if (b[i] == '\0')
                k |= CO_MAIL_LEAD_NUL;
            else if (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' ||
                     b[i] == '\n')
                k |= CO_MAIL_LEAD_SPACE;
            else
                break;
        }
    if (kinds != NULL)
        *kinds = k;
    return i;
}

int co_mail_has_header_block(const void *p, size_t n)
{
    const char *h = p;
    /* NUL bytes do not make a file binary here: a message may hold one (in
     * a field or its body; the normalizer drops them), and what is binary
     * fails the tests below (a printable field name, then fields until a
     * field messages have). Trial 72: one .eml with a NUL was refused as
     * "not mail", while the same file in a folder was read. */
    size_t i = 0;
    while (i < n && (h[i] == '\r' || h[i] == '\n'))
        i++;
    size_t start = i, name = 0;
    while (i < n && (unsigned char)h[i] >= 33 && (unsigned char)h[i] <= 126 &&
           h[i] != ':') {
        i++;
        name++;
    }
    while (i < n && (h[i] == ' ' || h[i] == '\t'))
        i++;
    if (!(name > 0 && i < n && h[i] == ':'))
        return 0;
    /* "Name: value" lines that end (a blank line, a line that is no field,
     * the end of the file) with no field a message has are no message
     * (trial 53: a copy of /etc/passwd, "root:x:0:0:...", was stored as
     * one); a header block longer than what was read is taken as one */
    static const char *const known[] = {"from",
                                        "to",
                                        "cc",
                                        "subject",
                                        "date",
                                        "message-id",
                                        "received",
                                        "return-path",
                                        "reply-to",
                                        "sender",
                                        "mime-version",
                                        "content-type",
                                        "delivered-to",
                                        "x-",
                                        "arc-",
                                        "dkim-",
                                        "authentication-results",
                                        "list-",
                                        "in-reply-to",
                                        "references"};
    for (size_t at = start; at < n;) {
        const char *nl = memchr(h + at, '\n', n - at);
        size_t len = (nl != NULL ? (size_t)(nl - h) : n) - at;
        if (len > 0 && h[at + len - 1] == '\r')
            len--;
        if (nl == NULL && at > start)
            return 1; /* the block goes on past what was read */
        if (len == 0 ||
            (h[at] != ' ' && h[at] != '\t' && memchr(h + at, ':', len) == NULL))
            return 0; /* the block ended: no field a message has */
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            size_t kl = strlen(known[k]);
            if (len > kl && g_ascii_strncasecmp(h + at, known[k], kl) == 0 &&
                (known[k][kl - 1] == '-' || h[at + kl] == ':' ||
                 h[at + kl] == ' ' || h[at + kl] == '\t'))
                return 1;
        }
        at = nl != NULL ? (size_t)(nl - h) + 1 : n;
    }
    return 0;
}

int co_mail_to_json(const void *raw, size_t len, const co_mail_opts_t *opts,
                    const char *source_json, char **json_out, size_t *json_len,
                    char key_hex[65], char *errstr, size_t errstr_size)
{
    if (json_out != NULL)
        *json_out = NULL;
    if (json_len != NULL)
        *json_len = 0;
    if (key_hex != NULL)
        key_hex[0] = '\0';
    if ((raw == NULL && len > 0) || json_out == NULL || key_hex == NULL) {
        co__err(errstr, errstr_size,
                "co_mail_to_json: raw, json_out and key_hex are required");
        return CO_ERR_INVAL;
    }
    co_mail_init();
    json_t *source = NULL;
    if (source_json != NULL) {
        json_error_t je;
        source = json_loads(source_json, 0, &je);
        if (source == NULL || !json_is_object(source)) {
            co__err(errstr, errstr_size,
                    "source_json is not a JSON object (%s); pass an object "
                    "such as {\"kind\":\"mbox\"} or NULL",
                    source == NULL ? je.text : "another JSON type");
            json_decref(source);
            return CO_ERR_INVAL;
        }
    }
    ctx_t c;
    memset(&c, 0, sizeof c);
    co__opts_fill(opts, &c.o);
    c.d.arr = json_array();
    /* A byte order mark, NUL bytes (a file padded by a disk tool or a
     * crashed writer: dropped however many there are, as the header
     * block's are, not cut as an over-long field after 64 KiB, trial 75)
     * and blank lines before the first field or envelope line. */
    unsigned lead_kinds = 0;
    size_t lead = co_mail_lead_len(raw, len, &lead_kinds);
    size_t bom = (lead_kinds & CO_MAIL_LEAD_BOM) ? 3 : 0;
    /* NUL bytes only: said as such (trial 77) */
    size_t only_nuls =
        lead == len && lead > bom && (lead_kinds & CO_MAIL_LEAD_SPACE) == 0
            ? lead - bom
            : 0;
    if (lead_kinds & CO_MAIL_LEAD_BOM)
        co__defect(&c.d, "byte-order-mark");
    if (lead_kinds & CO_MAIL_LEAD_NUL)
        co__defect(&c.d, "leading-nul-bytes");
    if (lead_kinds & CO_MAIL_LEAD_SPACE)
        co__defect(&c.d, "leading-whitespace");
    const char *p = (const char *)raw + lead;
    size_t n = len - lead;
    const char *p0 = p; /* what a refusal quotes (trial 76: "From the desk
                           of ..." was quoted from its second line) */
    size_t n0 = n;
    /* an mbox envelope line, or one escaped by an mbox writer (">From ":
     * a message saved with its own envelope line, then put in an mbox) */
    for (int said = 0;;) { /* a stack of them too (trial 67) */
        size_t gt = 0;
        while (gt < n && p[gt] == '>')
            gt++;
        if (n - gt < 5 || memcmp(p + gt, "From ", 5) != 0)
            break;
        const char *nl = memchr(p, '\n', n);
        size_t skip = nl != NULL ? (size_t)(nl - p) + 1 : n;
        p += skip;
        n -= skip;
        if (!said++)
            co__defect(&c.d, "mbox-from-line");
    }
    /* Whitespace before the first field (a folded first line, blank lines)
     * would make GMime end the header block at once: skip it. */
    if (n > 0 &&
        (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n')) {
        while (n > 0 &&
               (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\n')) {
            p++;
            n--;
        }
        co__defect(&c.d, "leading-whitespace");
    }
    size_t nonspace = 0;
    for (size_t i = 0; i < n && nonspace == 0; i++)
        if (!g_ascii_isspace(p[i]))
            nonspace = 1;
    if (nonspace == 0 || only_nuls) {
        /* NUL bytes only: said as such, as for the file alone (trial 77:
         * "no header fields found (starts "......")" in a folder) */
        if (only_nuls)
            co__err(errstr, errstr_size,
                    "not an RFC 5322 message: %zu NUL bytes and nothing else "
                    "(a file zeroed by a crash or a disk tool)",
                    only_nuls);
        else
            co__err(errstr, errstr_size,
                    "empty message (%zu bytes, no content): nothing to "
                    "normalize",
                    len);
        json_decref(c.d.arr);
        json_decref(source);
        return CO_ERR_INVAL;
    }
    if (n > c.o.max_bytes) {
        size_t cut = c.o.max_bytes;
        while (cut > 0 && p[cut - 1] != '\n')
            cut--;
        n = cut > 0 ? cut : c.o.max_bytes;
        c.truncated = 1;
        co__defect(&c.d, "message-truncated");
    }

    c.cut = json_array();
    GMimeParserOptions *po = make_parser_options(&c.d);
    /* one copy of the message, its header block bounded (the stream owns
     * it) */
    GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(
        co__bounded_copy(p, n, &c.o, c.cut, &c.d, &c.truncated));
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, po);
    g_object_unref(parser);
    g_object_unref(stream);
    /* GMime files Content-* fields under the root part, the rest under the
     * message: a record needs at least one field in either. */
    if (msg == NULL || (!has_headers(GMIME_OBJECT(msg)) &&
                        (g_mime_message_get_mime_part(msg) == NULL ||
                         !has_headers(g_mime_message_get_mime_part(msg))))) {
        char head[48];
        size_t h = n0 < sizeof head - 1 ? n0 : sizeof head - 1;
        for (size_t i = 0; i < h; i++)
            head[i] = g_ascii_isprint(p0[i]) ? p0[i] : '.';
        head[h] = '\0';
        /* UTF-16 text (a Windows "Unicode" save): say so, and how to get
         * the bytes of mail from it (trial 67: "starts ..F.r.o.m.:"), in
         * its byte order (trial 76: "-f UTF-16" reads big-endian text
         * without a byte order mark as little-endian) */
        const char *u16 = co_mail_utf16(p0, n0);
        if (u16 != NULL)
            co__err(errstr, errstr_size,
                    "not an RFC 5322 message: %s text (starts \"%s\"); "
                    "mail is ASCII or UTF-8 bytes: convert the file with "
                    "`iconv -f %s -t UTF-8 FILE > FILE.utf8 && mv FILE.utf8 "
                    "FILE` and read it again",
                    u16, head, u16);
        else
            co__err(errstr, errstr_size,
                    "not an RFC 5322 message: no header fields found (starts "
                    "\"%s\"); a mail file must begin with \"Name: value\" "
                    "lines",
                    head);
        if (msg != NULL)
            g_object_unref(msg);
        g_mime_parser_options_free(po);
        json_decref(c.cut);
        json_decref(c.d.arr);
        json_decref(source);
        return CO_ERR_INVAL;
    }
    GMimeObject *mo = GMIME_OBJECT(msg);
    c.all = g_ptr_array_new_with_free_func(part_free);
    c.text_body = g_ptr_array_new();
    c.html_body = g_ptr_array_new();
    c.attachments = g_ptr_array_new();
    c.calendars = g_ptr_array_new();
    c.links = json_array();

    GMimeObject *root = g_mime_message_get_mime_part(msg);
    if (root != NULL) {
        part_t *rp = child_part(&c, root);
        parse_structure(&c, &rp, 1, "mixed", 0, c.html_body, c.text_body, 0);
    }
    /* Inline images, audio and video are files the user sees: list them as
     * attachments too (JMAP keeps them only in the body lists). */
    GPtrArray *bodies[] = {c.text_body, c.html_body};
    for (size_t b = 0; b < 2; b++)
        for (guint i = 0; i < bodies[b]->len; i++) {
            part_t *pt = g_ptr_array_index(bodies[b], i);
            guint at;
            if (is_inline_media(pt->type) &&
                !g_ptr_array_find(c.attachments, pt, &at))
                g_ptr_array_add(c.attachments, pt);
        }

    json_t *rec = json_object();
    /* identity */
    char *mid_raw = raw_header(mo, "Message-ID", NULL);
    char *mid = msgid_of(mid_raw);
    g_free(mid_raw);
    json_t *from = addr_list(mo, "From", po, &c);
    if (json_array_size(from) == 0) {
        json_decref(from);
        from = addr_list(mo, "Sender", po, &c);
    }
    char *date_raw = raw_header(mo, "Date", NULL);
    co__date_t dt;
    co__date_parse(date_raw, &dt);
    char *subject_raw = raw_header(mo, "Subject", NULL);
    char *subject = co__hdr_decode(subject_raw, 0, &c.d);
    g_free(subject_raw);
    /* date_raw: the header as received, unfolded and trimmed */
    char *date_txt = NULL;
    if (date_raw != NULL) {
        GString *g = g_string_new(NULL);
        for (const char *q = date_raw; *q != '\0'; q++)
            if (*q != '\r' && *q != '\n')
                g_string_append_c(g, *q);
        g_strstrip(g->str);
        date_txt = g_string_free(g, FALSE);
    }
    g_free(date_raw);

    char date_iso[32] = "";
    char *date_canon = NULL;
    if (dt.ok) {
        int64_t t = dt.zone_known ? dt.utc : wall_in_zone(&dt, c.o.default_tz);
        if (co__fmt_utc(t, date_iso) != 0)
            date_iso[0] = '\0';
        date_canon = dt.zone_known ? g_strdup(date_iso) : g_strdup(dt.wall);
        if (!dt.zone_known)
            co__defect(&c.d, "date-zone-unknown");
    } else if (date_txt != NULL) {
        co__defect(&c.d, "date-unparseable");
        char *d = co__hdr_decode(date_txt, 0, NULL);
        date_canon = g_strdup_printf("raw:%s", d);
        g_free(d);
    }
    const char *from_addr = json_array_size(from) > 0
                                ? json_string_value(json_object_get(
                                      json_array_get(from, 0), "address"))
                                : NULL;
    char digest[65] = "";
    if (from_addr == NULL && mid == NULL && date_canon == NULL) {
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, (const unsigned char *)raw, len);
        sodium_bin2hex(digest, sizeof digest, h, sizeof h);
    }
    co_mail_key(from_addr, date_canon, subject, mid,
                digest[0] != '\0' ? digest : NULL, key_hex);
    g_free(date_canon);

    /* threading */
    json_t *refs = json_array();
    char *refs_raw = raw_header(mo, "References", " ");
    if (refs_raw != NULL) {
        GMimeReferences *r = g_mime_references_parse(po, refs_raw);
        int nr = r != NULL ? g_mime_references_length(r) : 0;
        for (int i = 0; i < nr && i < 100; i++)
            json_array_append_new(
                refs, jbracket(g_mime_references_get_message_id(r, i)));
        if (r != NULL)
            g_mime_references_free(r);
        g_free(refs_raw);
    }
    json_t *irt = json_null();
    char *irt_raw = raw_header(mo, "In-Reply-To", NULL);
    if (irt_raw != NULL) {
        GMimeReferences *r = g_mime_references_parse(po, irt_raw);
        if (r != NULL && g_mime_references_length(r) > 0) {
            json_decref(irt);
            irt = jbracket(g_mime_references_get_message_id(r, 0));
        }
        if (r != NULL)
            g_mime_references_free(r);
        g_free(irt_raw);
    }
    json_t *thread = json_array_size(refs) > 0
                         ? json_copy(json_array_get(refs, 0))
                     : !json_is_null(irt) ? json_copy(irt)
                                          : jbracket(mid);

    json_object_set_new(rec, "schema", json_string("careerops.email.v1"));
    json_object_set_new(rec, "key", json_string(key_hex));
    json_object_set_new(rec, "message_id", jbracket(mid));
    json_object_set_new(rec, "references", refs);
    json_object_set_new(rec, "in_reply_to", irt);
    json_object_set_new(rec, "thread_id", thread);
    json_object_set_new(rec, "from",
                        json_array_size(from) > 0
                            ? json_copy(json_array_get(from, 0))
                            : json_null());
    json_decref(from);
    json_object_set_new(rec, "to", addr_list(mo, "To", po, &c));
    json_object_set_new(rec, "cc", addr_list(mo, "Cc", po, &c));
    json_object_set_new(rec, "reply_to", addr_list(mo, "Reply-To", po, &c));
    json_object_set_new(rec, "subject", jtext(subject != NULL ? subject : ""));
    json_object_set_new(
        rec, "date", date_iso[0] != '\0' ? json_string(date_iso) : json_null());
    json_object_set_new(rec, "date_raw", jtext(date_txt));
    json_object_set_new(rec, "date_zone_unknown",
                        json_boolean(dt.ok && !dt.zone_known));
    g_free(subject);
    g_free(date_txt);
    g_free(mid);

    /* body */
    GString *text = g_string_new(NULL);
    int has_html = 0;
    build_text(&c, text, &has_html);
    json_t *jt = json_stringn(text->str, text->len);
    json_object_set_new(rec, "text", jt != NULL ? jt : json_string(""));
    g_string_free(text, TRUE);
    json_object_set_new(rec, "text_truncated", json_boolean(c.text_truncated));
    json_object_set_new(rec, "has_html", json_boolean(has_html));
    json_object_set_new(rec, "links", c.links);
    json_object_set_new(rec, "attachments", attachments_json(&c));
    json_object_set_new(rec, "calendar", calendar_json(&c));

    json_t *hdrs = json_object();
    json_object_set_new(hdrs, "list_unsubscribe",
                        jdecoded(mo, "List-Unsubscribe", NULL));
    json_object_set_new(hdrs, "list_id", jdecoded(mo, "List-Id", NULL));
    json_object_set_new(hdrs, "precedence", jdecoded(mo, "Precedence", NULL));
    json_object_set_new(hdrs, "auto_submitted",
                        jdecoded(mo, "Auto-Submitted", NULL));
    json_object_set_new(hdrs, "x_mailer", jdecoded(mo, "X-Mailer", NULL));
    json_object_set_new(rec, "headers", hdrs);
    json_object_set_new(rec, "source", source != NULL ? source : json_null());
    json_object_set_new(rec, "size", json_integer((json_int_t)len));
    json_object_set_new(rec, "truncated", json_boolean(c.truncated));
    json_object_set_new(rec, "truncated_fields", c.cut);
    json_object_set_new(rec, "defects", c.d.arr);

    g_ptr_array_free(c.text_body, TRUE);
    g_ptr_array_free(c.html_body, TRUE);
    g_ptr_array_free(c.attachments, TRUE);
    g_ptr_array_free(c.calendars, TRUE);
    g_ptr_array_free(c.all, TRUE);
    g_object_unref(msg);
    g_mime_parser_options_free(po);

    char *out = json_dumps(rec, JSON_COMPACT);
    if (out != NULL && c.o.max_record_bytes > 0 &&
        strlen(out) > c.o.max_record_bytes)
        out = fit_record(rec, out, c.o.max_record_bytes);
    json_decref(rec);
    if (out == NULL) {
        co__err(errstr, errstr_size, "out of memory serializing the record");
        return CO_ERR_NOMEM;
    }
    if (c.o.max_record_bytes > 0 && strlen(out) > c.o.max_record_bytes) {
        co__err(errstr, errstr_size,
                "the record takes %zu bytes even with its lists and text cut, "
                "over max_record_bytes %zu",
                strlen(out), c.o.max_record_bytes);
        free(out);
        return CO_ERR_INVAL;
    }
    *json_out = out;
    if (json_len != NULL)
        *json_len = strlen(out);
    return 0;
}
