/*
 * Word tokenizer of the rules classifier.
 *
 * Phrases are matched as sequences of lower-cased words, so the text of an
 * email is split into words once and every phrase is looked up by its first
 * word (rules_engine.c). No library fits this small job: a regular
 * expression engine would need one alternation per table and would not say
 * cheaply which phrases matched. The tokenizer knows just enough UTF-8 to
 * keep accented letters inside words, lower-case Latin-1 capitals and treat
 * typographic punctuation (U+2000..U+2BFF, Latin-1 symbols) as separators.
 */
#include "rules_internal.h"

#include <stdlib.h>
#include <string.h>

/* Longest word kept; longer runs (URLs, base64) are skipped. */
#define RULES_MAX_WORD 48
/* Bytes of one segment that are tokenized at most. */
#define RULES_MAX_SEG_BYTES (96u * 1024u)

void rules_text_init(rules_text_t *t)
{
    memset(t, 0, sizeof *t);
}

void rules_text_free(rules_text_t *t)
{
    free(t->tok);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* Decode one UTF-8 sequence at s (n bytes left). Invalid bytes decode as
 * U+FFFD of length 1, so every byte is consumed exactly once. */
static uint32_t rules_utf8(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    size_t need;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
        need = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 4;
        cp = c & 0x07;
    } else {
        *len = 1;
        return 0xFFFD;
    }
    if (need > n) {
        *len = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *len = need;
    return cp;
}

static int rules_is_word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
               (cp >= 'A' && cp <= 'Z');
    if (cp == 0xFFFD || cp == 0xD7 || cp == 0xF7)
        return 0;
    if (cp < 0xC0)
        return 0; /* Latin-1 punctuation and symbols, NBSP */
    if (cp >= 0x2000 && cp < 0x2C00)
        return 0; /* general punctuation, arrows, symbols */
    if (cp >= 0xFE00 && cp < 0xFF00)
        return 0; /* variation selectors, BOM */
    if (cp >= 0x1F000)
        return 0; /* emoji */
    return 1;
}

static int rules_is_upper_cp(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}

static uint32_t rules_lower_cp(uint32_t cp)
{
    if (rules_is_upper_cp(cp))
        return cp + 0x20;
    return cp;
}

static size_t rules_put_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t rules_lower(const char *in, size_t len, char *out, size_t out_size)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0, i = 0;
    while (i < len && o + 5 < out_size) {
        size_t n;
        uint32_t cp = rules_utf8(s + i, len - i, &n);
        if (cp == 0xFFFD && n == 1)
            out[o++] = (char)s[i];
        else
            o += rules_put_utf8(rules_lower_cp(cp), out + o);
        i += n;
    }
    if (out_size > 0)
        out[o < out_size ? o : out_size - 1] = '\0';
    return o;
}

static int rules_is_break_char(uint32_t cp)
{
    switch (cp) {
    case '.':
    case ',':
    case '!':
    case '?':
    case ';':
    case ':':
    case '\n':
    case '\r':
    case '|':
    case '(':
    case ')':
    case '[':
    case ']':
    case '"':
    case '/':
    case '<':
    case '>':
    case 0xAB:   /* « */
    case 0xBB:   /* » */
    case 0x201C: /* “ */
    case 0x201D: /* ” */
    case 0x2022: /* • */
        return 1;
    default:
        return 0;
    }
}

static int rules_text_grow(rules_text_t *t, size_t wordlen)
{
    if (t->ntok == t->tokcap) {
        size_t nc = t->tokcap ? t->tokcap * 2 : 256;
        rules_tok_t *n = realloc(t->tok, nc * sizeof *n);
        if (n == NULL)
            return -1;
        t->tok = n;
        t->tokcap = nc;
    }
    if (t->buflen + wordlen + 1 > t->bufcap) {
        size_t nc = t->bufcap ? t->bufcap * 2 : 4096;
        while (nc < t->buflen + wordlen + 1)
            nc *= 2;
        char *n = realloc(t->buf, nc);
        if (n == NULL)
            return -1;
        /* Re-point the words of earlier tokens into the new buffer. */
        for (size_t i = 0; i < t->ntok; i++)
            t->tok[i].w = n + (t->tok[i].w - t->buf);
        t->buf = n;
        t->bufcap = nc;
    }
    return 0;
}

int rules_text_add(rules_text_t *t, const char *text, size_t len, uint8_t field,
                   int kind)
{
    if (t->nseg >= RULES_MAX_SEGS)
        return -1;
    if (len > RULES_MAX_SEG_BYTES)
        len = RULES_MAX_SEG_BYTES;
    uint16_t seg = (uint16_t)t->nseg;
    t->seg[seg].text = text;
    t->seg[seg].len = len;
    t->seg[seg].field = field;
    t->seg[seg].kind = (uint8_t)kind;
    t->nseg++;

    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    int line_start = 1;
    int brk = 1;
    char word[RULES_MAX_WORD + 8];
    while (i < len) {
        if (line_start) {
            size_t j = i;
            while (j < len && (s[j] == ' ' || s[j] == '\t'))
                j++;
            if (j < len && s[j] == '>') { /* quoted reply: skip the line */
                while (j < len && s[j] != '\n')
                    j++;
                i = j;
                brk = 1;
                continue;
            }
            line_start = 0;
        }
        size_t n;
        uint32_t cp = rules_utf8(s + i, len - i, &n);
        if (!rules_is_word_cp(cp)) {
            if (cp == '\n')
                line_start = 1;
            if (rules_is_break_char(cp))
                brk = 1;
            i += n;
            continue;
        }
        /* A word: collect it lower-cased. */
        size_t start = i, wl = 0;
        int toolong = 0;
        uint8_t flags = 0;
        if (rules_is_upper_cp(cp))
            flags |= RULES_T_CAP;
        if (cp >= '0' && cp <= '9')
            flags |= RULES_T_DIGIT;
        while (i < len) {
            cp = rules_utf8(s + i, len - i, &n);
            if (!rules_is_word_cp(cp))
                break;
            if (wl + 4 <= RULES_MAX_WORD)
                wl += rules_put_utf8(rules_lower_cp(cp), word + wl);
            else
                toolong = 1;
            i += n;
        }
        if (toolong) {
            brk = 1;
            continue;
        }
        if (brk)
            flags |= RULES_T_BREAK;
        brk = 0;
        if (rules_text_grow(t, wl) != 0)
            return -1;
        char *dst = t->buf + t->buflen;
        memcpy(dst, word, wl);
        dst[wl] = '\0';
        t->buflen += wl + 1;
        rules_tok_t *tk = &t->tok[t->ntok++];
        tk->w = dst;
        tk->len = (uint32_t)wl;
        tk->off = (uint32_t)start;
        tk->end = (uint32_t)i;
        tk->seg = seg;
        tk->field = field;
        tk->flags = flags;
    }
    return 0;
}

void rules_phrase_free(rules_phrase_t *p)
{
    for (size_t i = 0; i < p->nw; i++)
        free(p->w[i].w);
    free(p->w);
    free(p->text);
    memset(p, 0, sizeof *p);
}

int rules_phrase_parse(const char *text, rules_phrase_t *p)
{
    p->text = strdup(text);
    if (p->text == NULL)
        return -1;
    p->w = NULL;
    p->nw = 0;
    size_t cap = 0;
    const char *s = text;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t')
            e++;
        size_t plen = (size_t)(e - s);
        if (p->nw + 8 > cap) {
            cap = cap ? cap * 2 : 8;
            while (cap < p->nw + 8)
                cap *= 2;
            rules_pword_t *n = realloc(p->w, cap * sizeof *n);
            if (n == NULL)
                return -1;
            p->w = n;
        }
        if (plen == 3 && memcmp(s, "...", 3) == 0) {
            if (p->nw == 0)
                return -1; /* a phrase cannot start with a gap */
            memset(&p->w[p->nw], 0, sizeof p->w[0]);
            p->w[p->nw++].gap = 1;
            s = e;
            continue;
        }
        int prefix = plen > 1 && s[plen - 1] == '*';
        if (prefix)
            plen--;
        /* Split the piece into words the way text is tokenized. */
        rules_text_t tt;
        rules_text_init(&tt);
        if (rules_text_add(&tt, s, plen, RULES_F_BODY, 0) != 0) {
            rules_text_free(&tt);
            return -1;
        }
        if (p->nw + tt.ntok > cap) {
            cap = p->nw + tt.ntok + 8;
            rules_pword_t *n = realloc(p->w, cap * sizeof *n);
            if (n == NULL) {
                rules_text_free(&tt);
                return -1;
            }
            p->w = n;
        }
        for (size_t i = 0; i < tt.ntok; i++) {
            rules_pword_t *pw = &p->w[p->nw];
            memset(pw, 0, sizeof *pw);
            pw->w = strdup(tt.tok[i].w);
            if (pw->w == NULL) {
                rules_text_free(&tt);
                return -1;
            }
            pw->len = tt.tok[i].len;
            pw->prefix = (uint8_t)(prefix && i + 1 == tt.ntok);
            p->nw++;
        }
        rules_text_free(&tt);
        s = e;
    }
    if (p->nw == 0 || p->w[p->nw - 1].gap)
        return -1;
    return 0;
}

int rules_word_eq(const rules_pword_t *pw, const rules_tok_t *tk)
{
    if (pw->prefix)
        return tk->len >= pw->len && memcmp(tk->w, pw->w, pw->len) == 0;
    return tk->len == pw->len && memcmp(tk->w, pw->w, pw->len) == 0;
}

long rules_match_at(const rules_text_t *t, const rules_phrase_t *p, size_t wi,
                    size_t ti, uint16_t seg)
{
    while (wi < p->nw) {
        const rules_pword_t *pw = &p->w[wi];
        if (pw->gap) {
            for (size_t skip = 0; skip <= RULES_MAX_GAP; skip++) {
                if (ti + skip >= t->ntok || t->tok[ti + skip].seg != seg)
                    break;
                long r = rules_match_at(t, p, wi + 1, ti + skip, seg);
                if (r >= 0)
                    return r;
            }
            return -1;
        }
        if (ti >= t->ntok || t->tok[ti].seg != seg ||
            !rules_word_eq(pw, &t->tok[ti]))
            return -1;
        wi++;
        ti++;
    }
    return (long)ti;
}
