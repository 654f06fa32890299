/*
 * Text normalization for the learned classifier: Unicode case folding
 * (GLib), contraction expansion, shapes for numbers and dates, a stop-word
 * language guess and Snowball stemming (libstemmer).
 */
#include "co_clf_text.h"

#include <glib.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

static const char *const co_clf_lang_codes[CO_CLF_NLANG] = {
    "en", "de", "fr", "es", "pt", "nl"};

const char *co_clf_lang_code(co_clf_lang_t l)
{
    return l < CO_CLF_NLANG ? co_clf_lang_codes[l] : "en";
}

void co_clf_toks_reset(co_clf_toks_t *t)
{
    t->n = 0;
    t->blen = 0;
}

void co_clf_toks_free(co_clf_toks_t *t)
{
    free(t->tok);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static int co_clf_push(co_clf_toks_t *t, const char *w, size_t len,
                       int kind)
{
    if (len > 60)
        len = 60; /* long runs (URLs, ids) are cut */
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        co_clf_tok_t *n = realloc(t->tok, cap * sizeof *n);
        if (n == NULL)
            return -1;
        t->tok = n;
        t->cap = cap;
    }
    if (t->blen + len + 1 > t->bcap) {
        size_t cap = t->bcap ? t->bcap * 2 : 4096;
        while (cap < t->blen + len + 1)
            cap *= 2;
        char *n = realloc(t->buf, cap);
        if (n == NULL)
            return -1;
        t->buf = n;
        t->bcap = cap;
    }
    co_clf_tok_t *k = &t->tok[t->n++];
    k->off = (uint32_t)t->blen;
    k->len = (uint16_t)len;
    k->brk = kind == CO_CLF_TK_BREAK;
    k->kind = (uint8_t)kind;
    memcpy(t->buf + t->blen, w, len);
    t->blen += len;
    t->buf[t->blen++] = '\0';
    return 0;
}

static int co_clf_break(co_clf_toks_t *t)
{
    if (t->n > 0 && t->tok[t->n - 1].kind == CO_CLF_TK_BREAK)
        return 0;
    return co_clf_push(t, "", 0, CO_CLF_TK_BREAK);
}

/* Month and weekday names (after case folding) of the six languages. */
static const char *const co_clf_months[] = {
    "january", "february", "march", "april", "june", "july", "august",
    "september", "october", "november", "december", "jan", "feb", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "januar",
    "februar", "märz", "maerz", "juni", "juli", "oktober", "dezember",
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre", "enero", "febrero",
    "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "setiembre", "octubre", "noviembre", "diciembre", "janeiro", "fevereiro",
    "março", "maio", "junho", "julho", "setembro", "outubro", "novembro",
    "dezembro", "januari", "februari", "maart", "mei", "augustus",
    NULL};
static const char *const co_clf_wdays[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
    "sonntag", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "lunes", "martes", "miércoles", "miercoles", "jueves",
    "viernes", "sábado", "domingo", "segunda", "terça", "quarta", "quinta",
    "sexta", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
    "zaterdag", "zondag", NULL};

/* Negation cues and conditional / "later step" cues. */
static const char *const co_clf_neg_words[] = {
    "not",   "no",    "never", "nor",   "unfortunately", "unable",
    "nicht", "kein",  "keine", "keinen", "leider", "nie",  "ne",
    "pas",   "jamais", "malheureusement", "nunca", "lamentablemente",
    "desafortunadamente", "não", "infelizmente", "niet", "geen",
    "helaas", "nooit", "cannot", NULL};
static const char *const co_clf_cond_words[] = {
    "if",     "once",   "after",  "should", "upon",   "unless", "whether",
    "when",   "next",   "later",  "future", "wenn",   "falls",  "sobald",
    "nach",   "si",     "lorsque", "après", "cuando", "después",
    "caso",   "quando", "após",   "zodra",  "indien", "als",    "eventually",
    "following", "subsequent", NULL};

/* Informal negations written without an apostrophe. */
static const char *const co_clf_bare_neg[] = {
    "dont",  "didnt",  "doesnt", "cant",   "couldnt", "wouldnt", "isnt",
    "arent", "wasnt",  "werent", "havent", "hasnt",   "shouldnt", "wont",
    NULL};

/* Distinctive function words per language (case-folded). */
static const char *const co_clf_stop[CO_CLF_NLANG][24] = {
    {"the", "and", "you", "your", "we", "to", "of", "for", "with", "our",
     "this", "that", "is", "are", "will", "be", "have", "would", NULL},
    {"der", "die", "das", "und", "sie", "ihre", "wir", "mit", "für", "ist",
     "nicht", "ein", "eine", "den", "dem", "uns", "bei", "ihnen", "ihr",
     "wie", NULL},
    {"le", "les", "et", "vous", "votre", "nous", "pour", "avec", "est",
     "une", "des", "dans", "pas", "sur", "au", "ne", "vos", "être", NULL},
    {"el", "los", "las", "y", "usted", "su", "nosotros", "para", "con", "es",
     "una", "del", "por", "que", "muy", "gracias", "tu", "hemos", "estamos",
     NULL},
    {"o", "os", "você", "seu", "sua", "nós", "com", "é", "uma", "do",
     "não", "em", "obrigado", "obrigada", "para", "vaga", "seus", NULL},
    {"het", "een", "en", "u", "uw", "wij", "voor", "met", "niet", "van",
     "dat", "op", "bij", "je", "jouw", "graag", "ons", NULL},
};

/* One hash table of every listed word and its flags, built once. */
static GHashTable *co_clf_words;

static void co_clf_words_add(const char *const *list, uint32_t flag)
{
    for (size_t i = 0; list[i]; i++) {
        uint32_t old = GPOINTER_TO_UINT(
            g_hash_table_lookup(co_clf_words, list[i]));
        g_hash_table_insert(co_clf_words, (gpointer)list[i],
                            GUINT_TO_POINTER(old | flag));
    }
}

uint32_t co_clf_word_flags(const char *w, size_t n)
{
    static gsize once = 0;
    if (g_once_init_enter(&once)) {
        co_clf_words = g_hash_table_new(g_str_hash, g_str_equal);
        co_clf_words_add(co_clf_months, CO_CLF_W_MONTH);
        co_clf_words_add(co_clf_wdays, CO_CLF_W_WDAY);
        co_clf_words_add(co_clf_bare_neg, CO_CLF_W_BARENEG);
        co_clf_words_add(co_clf_neg_words, CO_CLF_W_NEG);
        co_clf_words_add(co_clf_cond_words, CO_CLF_W_COND);
        for (int l = 0; l < CO_CLF_NLANG; l++)
            co_clf_words_add(co_clf_stop[l], CO_CLF_W_STOP << l);
        g_once_init_leave(&once, 1);
    }
    char b[64];
    if (n >= sizeof b)
        return 0;
    memcpy(b, w, n);
    b[n] = '\0';
    return GPOINTER_TO_UINT(g_hash_table_lookup(co_clf_words, b));
}

/* Push a word, as a shape when it has digits. */
static int co_clf_word(co_clf_toks_t *t, const char *w, size_t n)
{
    if (n == 0)
        return 0;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] >= '0' && w[i] <= '9')
            digits++;
    if (digits > 0) {
        const char *shape = "<num>";
        if (n >= 3 && (memcmp(w + n - 2, "am", 2) == 0 ||
                       memcmp(w + n - 2, "pm", 2) == 0) &&
            digits + 2 == n)
            shape = "<time>";
        else if (n >= 2 && w[n - 1] == 'h' && digits + 1 == n)
            shape = "<time>";
        else if (digits == n && n == 4 && (w[0] == '2' || w[0] == '1'))
            shape = "<year>";
        else if (digits == n && n >= 7)
            shape = "<long>";
        else if (digits < n && n - digits <= 2 && w[n - 1] == 'k')
            shape = "<money>";
        return co_clf_push(t, shape, strlen(shape), CO_CLF_TK_SHAPE);
    }
    uint32_t fl = co_clf_word_flags(w, n);
    if (fl & CO_CLF_W_MONTH)
        return co_clf_push(t, "<month>", 7, CO_CLF_TK_SHAPE);
    if (fl & CO_CLF_W_WDAY)
        return co_clf_push(t, "<wday>", 6, CO_CLF_TK_SHAPE);
    if (fl & CO_CLF_W_BARENEG) {
        if (n == 4 && memcmp(w, "wont", 4) == 0)
            return co_clf_push(t, "will", 4, 0) || co_clf_push(t, "not", 3, 0);
        if (n == 4 && memcmp(w, "cant", 4) == 0)
            return co_clf_push(t, "can", 3, 0) || co_clf_push(t, "not", 3, 0);
        return co_clf_push(t, w, n - 2, 0) || co_clf_push(t, "not", 3, 0);
    }
    return co_clf_push(t, w, n, CO_CLF_TK_WORD);
}

/* French/Italian elisions: l', d', j', qu', n' (negation), s', c', m', t'. */
static const char *const co_clf_elisions[] = {
    "l", "d", "j", "qu", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu",
    NULL};

/* A word with one apostrophe at `ap` (byte offset). */
static int co_clf_contraction(co_clf_toks_t *t, const char *w, size_t n,
                              size_t ap)
{
    const char *rest = w + ap + 1;
    size_t rn = n - ap - 1;
    if (rn == 1 && rest[0] == 't' && ap >= 1 && w[ap - 1] == 'n') {
        /* ...n't */
        if (ap == 3 && memcmp(w, "won", 3) == 0)
            return co_clf_push(t, "will", 4, 0) || co_clf_push(t, "not", 3, 0);
        if (ap == 3 && memcmp(w, "can", 3) == 0)
            return co_clf_push(t, "can", 3, 0) || co_clf_push(t, "not", 3, 0);
        if (ap == 4 && memcmp(w, "shan", 4) == 0)
            return co_clf_push(t, "shall", 5, 0) ||
                   co_clf_push(t, "not", 3, 0);
        if (ap == 3 && memcmp(w, "ain", 3) == 0)
            return co_clf_push(t, "is", 2, 0) || co_clf_push(t, "not", 3, 0);
        return co_clf_word(t, w, ap - 1) || co_clf_push(t, "not", 3, 0);
    }
    static const struct {
        const char *suf, *word;
    } en[] = {{"ve", "have"}, {"re", "are"}, {"ll", "will"}, {"m", "am"},
              {"d", "would"}, {"s", NULL},   {NULL, NULL}};
    for (size_t i = 0; en[i].suf; i++)
        if (rn == strlen(en[i].suf) && memcmp(rest, en[i].suf, rn) == 0) {
            if (co_clf_word(t, w, ap) != 0)
                return -1;
            return en[i].word
                       ? co_clf_push(t, en[i].word, strlen(en[i].word), 0)
                       : 0;
        }
    if (ap == 1 && w[0] == 'n') /* French n' */
        return co_clf_push(t, "ne", 2, 0) || co_clf_word(t, rest, rn);
    for (size_t i = 0; co_clf_elisions[i]; i++)
        if (strlen(co_clf_elisions[i]) == ap &&
            memcmp(w, co_clf_elisions[i], ap) == 0)
            return co_clf_word(t, rest, rn);
    return co_clf_word(t, w, ap) || co_clf_word(t, rest, rn);
}

static int co_clf_emit(co_clf_toks_t *t, const char *w, size_t n)
{
    const char *ap = memchr(w, '\'', n);
    if (ap != NULL && ap > w && (size_t)(ap - w) + 1 < n)
        return co_clf_contraction(t, w, n, (size_t)(ap - w));
    /* strip stray apostrophes at the ends */
    while (n > 0 && w[0] == '\'') {
        w++;
        n--;
    }
    while (n > 0 && w[n - 1] == '\'')
        n--;
    return co_clf_word(t, w, n);
}

int co_clf_tokenize(co_clf_toks_t *t, const char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (!g_utf8_validate(s, (gssize)len, NULL))
        return 0; /* the normalizer always gives UTF-8 */
    /* ASCII text (most mail) folds to its lower case: the same result as
     * g_utf8_casefold, without its per-character table walk */
    int ascii = 1;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80;
    gchar *f;
    if (ascii) {
        f = g_malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            f[i] = g_ascii_tolower(s[i]);
        f[len] = '\0';
    } else {
        f = g_utf8_casefold(s, (gssize)len);
    }
    if (f == NULL)
        return -1;
    /* word buffer: letters, digits, marks; apostrophes as '\'' */
    size_t cap = strlen(f) + 8, wn = 0;
    char *wb = malloc(cap);
    if (wb == NULL) {
        g_free(f);
        return -1;
    }
    int rc = 0;
    for (const char *p = f; *p && rc == 0;) {
        gunichar c;
        const char *next;
        int word;
        if ((unsigned char)*p < 0x80) { /* the Unicode answer, cheaper */
            c = (unsigned char)*p;
            next = p + 1;
            word = g_ascii_isalnum((char)c);
        } else {
            c = g_utf8_get_char(p);
            next = g_utf8_next_char(p);
            word = g_unichar_isalnum(c) || g_unichar_ismark(c);
        }
        if (word) {
            memcpy(wb + wn, p, (size_t)(next - p));
            wn += (size_t)(next - p);
        } else if ((c == '\'' || c == 0x2019 || c == 0x02BC) && wn > 0) {
            wb[wn++] = '\'';
        } else {
            rc = co_clf_emit(t, wb, wn);
            wn = 0;
            if (c == '.' || c == '!' || c == '?' || c == ';' || c == '\n' ||
                c == ':' || c == 0x3002)
                rc = rc || co_clf_break(t);
        }
        p = next;
    }
    if (rc == 0)
        rc = co_clf_emit(t, wb, wn);
    if (rc == 0)
        rc = co_clf_break(t);
    free(wb);
    g_free(f);
    return rc;
}

co_clf_lang_t co_clf_guess_lang(const co_clf_toks_t *t, size_t from,
                                size_t to)
{
    int count[CO_CLF_NLANG] = {0};
    size_t seen = 0;
    for (size_t i = from; i < to && seen < 400; i++) {
        const co_clf_tok_t *k = &t->tok[i];
        if (k->kind != CO_CLF_TK_WORD)
            continue;
        seen++;
        uint32_t fl = co_clf_word_flags(t->buf + k->off, k->len);
        for (int l = 0; l < CO_CLF_NLANG; l++)
            if (fl & (CO_CLF_W_STOP << l))
                count[l]++;
    }
    int best = CO_CLF_EN;
    for (int l = 1; l < CO_CLF_NLANG; l++)
        if (count[l] > count[best] + 1)
            best = l;
    return (co_clf_lang_t)best;
}

int co_clf_stem_range(co_clf_toks_t *t, size_t from, size_t to,
                      struct sb_stemmer *st)
{
    if (st == NULL)
        return 0;
    for (size_t i = from; i < to; i++) {
        co_clf_tok_t *k = &t->tok[i];
        if (k->kind != CO_CLF_TK_WORD || k->len < 3)
            continue;
        const sb_symbol *s =
            sb_stemmer_stem(st, (const sb_symbol *)(t->buf + k->off), k->len);
        if (s == NULL)
            return -1;
        int n = sb_stemmer_length(st);
        if (n <= 0)
            continue;
        if ((size_t)n <= k->len) {
            memcpy(t->buf + k->off, s, (size_t)n);
            t->buf[k->off + (size_t)n] = '\0';
            k->len = (uint16_t)n;
        }
    }
    return 0;
}
