/**
 * @file lib/classify/co_clf_text.h
 * @brief Internal: text normalization for the learned classifier
 *        (tokens after case folding, contraction expansion, number and
 *        date shapes, language guess and Snowball stemming).
 */
#ifndef CO_CLF_TEXT_H
#define CO_CLF_TEXT_H

#include <stddef.h>
#include <stdint.h>

/** Languages with a stemmer (co_clf_lang_t order = stemmer order). */
typedef enum co_clf_lang_e {
    CO_CLF_EN = 0,
    CO_CLF_DE,
    CO_CLF_FR,
    CO_CLF_ES,
    CO_CLF_PT,
    CO_CLF_NL,
    CO_CLF_NLANG
} co_clf_lang_t;

/** Two-letter code of a language ("en"). */
const char *co_clf_lang_code(co_clf_lang_t l);

/** One token; `brk` marks a sentence or line break (no text). */
typedef struct co_clf_tok_s {
    uint32_t off; /* into co_clf_toks_t.buf */
    uint16_t len;
    uint8_t brk;  /* 1: break before this position (token empty) */
    uint8_t kind; /* CO_CLF_TK_* */
} co_clf_tok_t;

enum { CO_CLF_TK_WORD = 0, CO_CLF_TK_SHAPE = 1, CO_CLF_TK_BREAK = 2 };

/** A token list with its own string buffer. Zero-initialise; reuse;
 *  co_clf_toks_free() at the end. */
typedef struct co_clf_toks_s {
    co_clf_tok_t *tok;
    size_t n, cap;
    char *buf;
    size_t blen, bcap;
} co_clf_toks_t;

void co_clf_toks_reset(co_clf_toks_t *t);
void co_clf_toks_free(co_clf_toks_t *t);

/**
 * Split UTF-8 text (len bytes) into case-folded tokens appended to `t`:
 * contractions expanded ("won't" -> "will not", "l'entretien" ->
 * "entretien"), numbers as shapes ("<num>", "<time>", "<year>"), month and
 * weekday names as "<month>" / "<wday>", breaks at sentence punctuation
 * and line ends. Words are not stemmed yet (co_clf_stem_all()).
 * @returns 0, or -1 when out of memory.
 */
int co_clf_tokenize(co_clf_toks_t *t, const char *s, size_t len);

/** Language of tokens [from, to) by counting stop words; English when
 *  nothing is known. */
co_clf_lang_t co_clf_guess_lang(const co_clf_toks_t *t, size_t from, size_t to);

struct sb_stemmer;

/** Replace each word token of [from, to) by its stem (stemmer of the
 *  language; NULL leaves the words). Returns 0, or -1 on out of memory. */
int co_clf_stem_range(co_clf_toks_t *t, size_t from, size_t to,
                      struct sb_stemmer *st);

/** Flags of co_clf_word_flags(). */
enum {
    CO_CLF_W_MONTH = 1,
    CO_CLF_W_WDAY = 2,
    CO_CLF_W_BARENEG = 4,
    CO_CLF_W_NEG = 8,
    CO_CLF_W_COND = 16,
    CO_CLF_W_STOP = 32 /* << language */
};

/** Flags of a case-folded word (n bytes): month, weekday, negation,
 *  conditional cue, stop word of a language. Thread-safe. */
uint32_t co_clf_word_flags(const char *w, size_t n);

struct _GHashTable;

/**
 * The cross-language concept table (co_clf_concepts.c): each listed word,
 * and its stem by each of the `nstem` stemmers (NULL entries skipped),
 * mapped to a static concept name ("interview", "regret", ...). Built once
 * per extractor; g_hash_table_destroy() frees it. NULL never (GLib aborts
 * on out of memory).
 */
struct _GHashTable *co_clf_concepts_new(struct sb_stemmer *const *stem,
                                        int nstem);

#endif
