/**
 * @file rules_internal.h
 * @brief Internals shared by the rules engine's source files (tokenizer,
 *        data tables, date reader, classifier). Not part of any API.
 */
#ifndef RULES_INTERNAL_H
#define RULES_INTERNAL_H

#include "rules_engine.h"

#include <stdint.h>

/** Pseudo-labels of the phrase table beyond the seven event labels. */
enum {
    RULES_L_HIRING = RULES_NLABELS, /**< hiring context */
    RULES_L_BULK,                   /**< evidence of bulk mail */
    RULES_L_SELF, /**< the candidate's own decision ("I have accepted another
                     offer", "please withdraw my application") */
    RULES_L_COUNT
};

/** Where a token (or a phrase) may be: bit mask. */
enum { RULES_F_SUBJECT = 1, RULES_F_BODY = 2, RULES_F_ANY = 3 };

/** Token flags. */
enum {
    RULES_T_CAP = 1,   /**< original word starts with an upper-case letter */
    RULES_T_DIGIT = 2, /**< word starts with a digit */
    RULES_T_BREAK = 4  /**< sentence punctuation or a line break before it */
};

/** One word of a text, lower-cased. */
typedef struct rules_tok_s {
    const char *w; /**< lower-cased word, NUL-terminated (in the buffer) */
    uint32_t len;  /**< strlen(w) */
    uint32_t off;  /**< byte offset of the word in its segment's text */
    uint32_t end;  /**< byte offset just past it */
    uint16_t seg;  /**< segment index */
    uint8_t field; /**< RULES_F_SUBJECT or RULES_F_BODY */
    uint8_t flags; /**< RULES_T_* */
} rules_tok_t;

/** Maximum number of text segments (subject, body, calendar parts). */
#define RULES_MAX_SEGS 16

/** A text segment: borrowed pointer into the email JSON. */
typedef struct rules_seg_s {
    const char *text;
    size_t len;
    uint8_t field;
    uint8_t kind; /**< RULES_SEG_* */
} rules_seg_t;

/** Segment kinds (where a quote comes from). */
enum { RULES_SEG_TEXT = 0, RULES_SEG_CALENDAR = 1, RULES_SEG_SENDER = 2 };

/** Tokenized text of one email. */
typedef struct rules_text_s {
    rules_seg_t seg[RULES_MAX_SEGS];
    size_t nseg;
    rules_tok_t *tok;
    size_t ntok, tokcap;
    char *buf; /**< lower-cased words, NUL-separated */
    size_t buflen, bufcap;
    int weekday_today;   /**< 1: a weekday without a date is the reference
                              day itself when its time is still ahead, else
                              the next one ("Thursday at 3 PM works" in the
                              user's reply sent on Thursday morning); 0: the
                              next one after the reference day */
    long long quote_day; /**< quoted text read apart from its reply: 12:00
                              UTC of the day its message was written (the
                              reply's attribution line), weekdays in it
                              counted from there; 0: unknown */
} rules_text_t;

/** One word of a phrase pattern. */
typedef struct rules_pword_s {
    char *w;        /**< lower-cased word (NULL for a gap) */
    uint32_t len;   /**< strlen(w) */
    uint8_t prefix; /**< matches words starting with w */
    uint8_t gap;    /**< "...": skips 0..RULES_MAX_GAP words */
} rules_pword_t;

/** Longest gap "..." can skip. */
#define RULES_MAX_GAP 6

/** A phrase or an extraction pattern, tokenized. */
typedef struct rules_phrase_s {
    int label;     /**< rules_label_t, RULES_L_HIRING or RULES_L_BULK */
    double weight; /**< score added when it matches */
    uint8_t fields;
    char *text; /**< the phrase as written (for evidence) */
    rules_pword_t *w;
    size_t nw;
} rules_phrase_t;

/** Extraction pattern: words before and after the {} slot. */
typedef struct rules_extract_s {
    int is_role;   /**< 1: role, 0: company */
    double weight; /**< company candidate weight */
    rules_phrase_t before, after;
} rules_extract_t;

/** Sender kinds. */
typedef enum rules_kind_e {
    RULES_K_ATS = 1,
    RULES_K_SCHEDULING,
    RULES_K_ASSESSMENT,
    RULES_K_VIDEO,
    RULES_K_JOBBOARD,
    RULES_K_ALERTS,
    RULES_K_FREEMAIL,
    RULES_K_MEETING /**< video-meeting or calendar service: never the
                     *   company, no hiring context */
} rules_kind_t;

typedef struct rules_sender_s {
    char *sender; /**< domain or full address, lower case */
    rules_kind_t kind;
    char *vendor;
} rules_sender_t;

typedef struct rules_word_int_s {
    char *w;
    int v;
} rules_word_int_t;

/** A time zone named in mail text ("cet", "mountain time"): an IANA zone
 *  of the system's tz database (its offset follows the date's own DST), or
 *  a fixed offset. */
typedef struct rules_zone_s {
    char *w;    /**< lower case, words separated by one space */
    int offset; /**< fixed offset in minutes (when tz is NULL) */
    char *tz;   /**< IANA name ("Europe/Berlin") or NULL */
    int upper;  /**< must be written in capitals ("ET", not "et") */
} rules_zone_t;

/** Longest zone name in words ("hora oficial de brasília"). */
#define RULES_ZONE_MAX_WORDS 5

/** Index entry: first word of a phrase -> phrase number. */
typedef struct rules_index_s {
    const char *w;
    uint32_t phrase;
} rules_index_t;

struct rules_db_s {
    rules_phrase_t *phrase;
    size_t nphrase, capphrase;
    rules_index_t *index; /**< sorted by w; phrases whose first word is a
                               plain word */
    size_t nindex;
    /** Open-addressing hash of the distinct first words of `index`:
     *  slot -> [lo, hi) range of `index` (hi == 0: empty slot). */
    struct rules_slot_s {
        const char *w;
        uint32_t lo, hi;
    } * slot;
    size_t nslot;           /**< power of two */
    uint32_t *prefix_first; /**< phrases whose first word is a prefix */
    size_t nprefix_first;
    /** prefix_first by the first byte of a token that can match:
     *  prefix_by_byte[prefix_off[b] .. prefix_off[b + 1]) in the order of
     *  prefix_first (a token checks only the phrases of its first byte) */
    uint32_t *prefix_by_byte;
    uint32_t prefix_off[257];
    rules_extract_t *extract;
    size_t nextract, capextract;
    rules_sender_t *sender;
    size_t nsender, capsender;
    rules_word_int_t *month; /**< sorted by w */
    size_t nmonth, capmonth;
    rules_zone_t *zone; /**< sorted by w */
    size_t nzone, capzone;
    char **suffix; /**< org-name suffixes, longest first after finish */
    size_t nsuffix, capsuffix;
    char **stop; /**< sorted */
    size_t nstop, capstop;
    char **given; /**< given names (given-names.tsv), sorted */
    size_t ngiven, capgiven;
    char **own; /**< the user's own addresses (rules_db_add_own_address()),
                     lower case; none: a reply's sender is inferred */
    size_t nown, capown;
    int finished;
};

/* rules_text.c */
void rules_text_init(rules_text_t *t);
void rules_text_free(rules_text_t *t);
/** Add a segment and tokenize it; lines starting with '>' are skipped.
 *  Returns 0 or -1 (no memory or too many segments). */
int rules_text_add(rules_text_t *t, const char *text, size_t len, uint8_t field,
                   int kind);
/** Tokenize a phrase pattern ("invite you ... interview", "gespräch*").
 *  Returns 0 or -1 (empty phrase, bad gap). */
int rules_phrase_parse(const char *text, rules_phrase_t *p);
void rules_phrase_free(rules_phrase_t *p);
/** Lower-case UTF-8 (ASCII and Latin-1 letters) into out; returns length. */
size_t rules_lower(const char *in, size_t len, char *out, size_t out_size);
/** Match phrase words [wi..] at token ti; returns the token index just past
 *  the match, or -1. Tokens must stay within segment `seg`. */
long rules_match_at(const rules_text_t *t, const rules_phrase_t *p, size_t wi,
                    size_t ti, uint16_t seg);
/** Word comparison honouring the prefix flag. */
int rules_word_eq(const rules_pword_t *pw, const rules_tok_t *tk);

/* rules_db.c */
/** FNV-1a hash of n bytes. */
uint32_t rules_hash(const char *w, size_t n);
/** Range [*lo, *hi) of the phrase index whose first word is w; 0 if none. */
int rules_db_first_word(const rules_db_t *db, const char *w, size_t n,
                        uint32_t *lo, uint32_t *hi);
int rules_db_month(const rules_db_t *db, const char *w);
/** The zone named by w (lower-case words separated by one space), or
 *  NULL. */
const rules_zone_t *rules_db_zone(const rules_db_t *db, const char *w);
int rules_db_is_stop(const rules_db_t *db, const char *w);
/** 1 if lower-case word w is a given name (table `given_name`). */
int rules_db_is_given_name(const rules_db_t *db, const char *w);
const rules_sender_t *rules_db_sender(const rules_db_t *db,
                                      const char *address);
/** 1 if address (borrowed) is one of the user's own addresses
 *  (rules_db_add_own_address(), any case); else 0. */
int rules_db_own_address(const rules_db_t *db, const char *address);

/* rules_date.c */
/** 1 if tz names a zone of the system's tz database ("Europe/Berlin"). */
int rules_tz_known(const char *tz);
int rules_find_date_tokens(const rules_db_t *db, const rules_text_t *t,
                           uint16_t seg, long long ref_utc,
                           int default_offset_min, char *out, size_t out_size);
/** 1 when segment seg says an appointment was moved: "rescheduled" (not
 *  after "if", "need", "can", ... within four words), "new time", "new
 *  date", "moved to" a day or date, "(interview|call|...) has been
 *  moved", a line labelled "Previously:" or
 *  "Former:", and the same in German, French, Spanish, Portuguese and
 *  Dutch ("verschoben", "neuer Termin", "reporté", "nouvel horaire",
 *  "reprogramada", "nueva hora", "novo horário", "verplaatst"); else 0.
 *  Thread-safe (reads t only). */
int rules_moved_cue(const rules_text_t *t, uint16_t seg);

/** The first token of the line that introduces quoted or forwarded mail
 *  in segment seg ("On ... wrote:", "From: ..." with "Sent:"), or 0 when
 *  there is none. Thread-safe (reads t only). */
size_t rules_first_attribution(const rules_text_t *t, uint16_t seg);

/** A deadline written as a day without a time in segment seg: the day
 *  after a cue ("by", "before", "until", "due", "bis", "avant", "antes",
 *  "até", "uiterlijk", ...) within the same sentence ("by December 14",
 *  "by Monday, 14 December", "by Friday"), or a number of days from the
 *  message's day ("within 7 days", "expires in 5 days"; not "business
 *  days"), written to out as "YYYY-MM-DD" (at least 11 bytes). A day
 *  without a year is the next such day (at most 60 days back from the
 *  message's date ref_utc, in its zone offset_min, INT_MIN for UTC); a
 *  bare weekday is the next one after the message's day ("next Friday" and
 *  the message's own weekday are not taken); a slash date that reads both
 *  ways (12/10) is month first from a North American offset (UTC-4 to -10)
 *  in English text, day first from another offset, not taken without one;
 *  a start date ("start by January 4") is not taken; "no later than" is a
 *  cue. Returns 1 when found, else 0. Thread-safe (reads db and
 *  t only). */
int rules_find_due_day(const rules_db_t *db, const rules_text_t *t,
                       uint16_t seg, long long ref_utc, int offset_min,
                       char *out, size_t out_size);

#endif
