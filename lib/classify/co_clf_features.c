/*
 * Features of the learned classifier (see co_clf.h): hashed words and word
 * pairs per feature space, sender kind, structure, negation and "later
 * step" cues. Every feature is a string hashed (FNV-1a) into
 * 2^CO_CLF_HASH_BITS slots; text spaces are normalized to unit length each,
 * structural features have value 1.
 */
#include "co_clf.h"
#include "co_clf_text.h"

#include <ctype.h>
#include <glib.h>
#include <libstemmer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Feature spaces (blocks); each text block is normalized on its own. */
enum {
    CO_CLF_B_META = 0,
    CO_CLF_B_SUBJECT,
    CO_CLF_B_BODY,
    CO_CLF_B_QUOTED,
    CO_CLF_B_ALL,
    CO_CLF_B_CAL,
    CO_CLF_B_NAME,
    CO_CLF_B_LOCAL,
    CO_CLF_B_FILES,
    CO_CLF_B_CONCEPT,
    CO_CLF_B_PREFIX,
    CO_CLF_NBLOCK
};
static const char co_clf_block_prefix[CO_CLF_NBLOCK] = {
    'm', 's', 'b', 'q', 'a', 'c', 'n', 'l', 'f', 'k', 'p'};

typedef struct co_clf_hit_s {
    uint32_t h;
    uint8_t block;
} co_clf_hit_t;

struct co_clf_extractor_s {
    struct sb_stemmer *stem[CO_CLF_NLANG];
    GHashTable *concepts; /* stem -> cross-language concept */
    co_clf_toks_t toks;
    uint8_t *flags; /* per token: 1 negated, 2 conditional */
    size_t flags_cap;
    co_clf_hit_t *hit;
    size_t nhit, hit_cap;
    char *dump; /* when non-NULL-able: feature strings are recorded */
    size_t dump_len, dump_cap;
    int dumping;
    int oom;
    int no_words; /* CO_CLF_CONCEPTS_ONLY: concepts without the words */
};

static const char *const co_clf_stemmer_names[CO_CLF_NLANG] = {
    "english", "german", "french", "spanish", "portuguese", "dutch"};

co_clf_extractor_t *co_clf_extractor_new(void)
{
    co_clf_extractor_t *x = calloc(1, sizeof *x);
    if (x == NULL)
        return NULL;
    for (int l = 0; l < CO_CLF_NLANG; l++) {
        x->stem[l] = sb_stemmer_new(co_clf_stemmer_names[l], "UTF_8");
        if (x->stem[l] == NULL) {
            co_clf_extractor_free(x);
            return NULL;
        }
    }
    x->concepts = co_clf_concepts_new(x->stem, CO_CLF_NLANG);
    return x;
}

void co_clf_extractor_free(co_clf_extractor_t *x)
{
    if (x == NULL)
        return;
    for (int l = 0; l < CO_CLF_NLANG; l++)
        if (x->stem[l])
            sb_stemmer_delete(x->stem[l]);
    if (x->concepts)
        g_hash_table_destroy(x->concepts);
    co_clf_toks_free(&x->toks);
    free(x->flags);
    free(x->hit);
    free(x->dump);
    free(x);
}

void co_clf_vec_free(co_clf_vec_t *v)
{
    free(v->idx);
    free(v->val);
    memset(v, 0, sizeof *v);
}

/* ---------------------------------------------------------------------- */
/* Hashing                                                                 */

#define CO_CLF_FNV_OFFSET 1469598103934665603ULL
#define CO_CLF_FNV_PRIME  1099511628211ULL

static uint64_t co_clf_fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= CO_CLF_FNV_PRIME;
    }
    return h;
}

static void co_clf_dump_add(co_clf_extractor_t *x, int block, const char *a,
                            size_t an, const char *b, size_t bn)
{
    size_t need = x->dump_len + an + bn + 8;
    if (need > x->dump_cap) {
        size_t cap = x->dump_cap ? x->dump_cap * 2 : 4096;
        while (cap < need)
            cap *= 2;
        char *n = realloc(x->dump, cap);
        if (n == NULL) {
            x->oom = 1;
            return;
        }
        x->dump = n;
        x->dump_cap = cap;
    }
    x->dump_len += (size_t)sprintf(
        x->dump + x->dump_len, "%c:%.*s%s%.*s\n", co_clf_block_prefix[block],
        (int)an, a ? a : "", bn ? "_" : "", (int)bn, b ? b : "");
}

/* Hash of "<a>[_<b>]" (without the block). */
static uint64_t co_clf_hash2(const char *a, size_t an, const char *b, size_t bn)
{
    uint64_t h = co_clf_fnv(CO_CLF_FNV_OFFSET, a, an);
    if (bn) {
        h = co_clf_fnv(h, "_", 1);
        h = co_clf_fnv(h, b, bn);
    }
    return h;
}

/* Add a feature of `block` from its hash; the block is mixed in, so the
 * same words in two blocks are two features. */
static void co_clf_add_h(co_clf_extractor_t *x, int block, uint64_t h)
{
    if (x->nhit == x->hit_cap) {
        size_t cap = x->hit_cap ? x->hit_cap * 2 : 1024;
        co_clf_hit_t *n = realloc(x->hit, cap * sizeof *n);
        if (n == NULL) {
            x->oom = 1;
            return;
        }
        x->hit = n;
        x->hit_cap = cap;
    }
    h ^= (uint64_t)(block + 1) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    x->hit[x->nhit].h = (uint32_t)(h & ((1u << CO_CLF_HASH_BITS) - 1));
    x->hit[x->nhit].block = (uint8_t)block;
    x->nhit++;
}

/* Add the feature "<block>:<a>[_<b>]". */
static void co_clf_add2(co_clf_extractor_t *x, int block, const char *a,
                        size_t an, const char *b, size_t bn)
{
    co_clf_add_h(x, block, co_clf_hash2(a, an, b, bn));
    if (x->dumping)
        co_clf_dump_add(x, block, a, an, b, bn);
}

static void co_clf_add(co_clf_extractor_t *x, int block, const char *s)
{
    co_clf_add2(x, block, s, strlen(s), NULL, 0);
}

/* Add the structural feature "<key><value>". */
static void co_clf_add_kv(co_clf_extractor_t *x, const char *key,
                          const char *value)
{
    char b[160];
    snprintf(b, sizeof b, "%s%s", key, value);
    co_clf_add(x, CO_CLF_B_META, b);
}

/* ---------------------------------------------------------------------- */
/* Sender kinds                                                            */

typedef struct co_clf_vendor_s {
    const char *domain;
    const char *kind;
} co_clf_vendor_t;

static const co_clf_vendor_t co_clf_vendors[] = {
    /* applicant-tracking systems */
    {"greenhouse.io", "ats"},
    {"greenhouse-mail.io", "ats"},
    {"lever.co", "ats"},
    {"hire.lever.co", "ats"},
    {"myworkday.com", "ats"},
    {"myworkdayjobs.com", "ats"},
    {"workday.com", "ats"},
    {"ashbyhq.com", "ats"},
    {"smartrecruiters.com", "ats"},
    {"icims.com", "ats"},
    {"jobvite.com", "ats"},
    {"taleo.net", "ats"},
    {"successfactors.com", "ats"},
    {"successfactors.eu", "ats"},
    {"sapsf.com", "ats"},
    {"bamboohr.com", "ats"},
    {"breezy.hr", "ats"},
    {"workable.com", "ats"},
    {"workablemail.com", "ats"},
    {"recruitee.com", "ats"},
    {"teamtailor.com", "ats"},
    {"teamtailor-mail.com", "ats"},
    {"personio.de", "ats"},
    {"personio.com", "ats"},
    {"jazzhr.com", "ats"},
    {"applytojob.com", "ats"},
    {"pinpointhq.com", "ats"},
    {"eightfold.ai", "ats"},
    {"phenompeople.com", "ats"},
    {"avature.net", "ats"},
    {"rippling-ats.com", "ats"},
    {"comeet.co", "ats"},
    {"homerun.co", "ats"},
    {"join.com", "ats"},
    {"softgarden.io", "ats"},
    {"softgarden.de", "ats"},
    {"dvinci.de", "ats"},
    {"welcomekit.co", "ats"},
    {"oraclecloud.com", "ats"},
    {"jobylon.com", "ats"},
    {"manatal.com", "ats"},
    /* scheduling */
    {"calendly.com", "scheduling"},
    {"goodtime.io", "scheduling"},
    {"modernloop.io", "scheduling"},
    {"prelude.co", "scheduling"},
    {"paradox.ai", "scheduling"},
    {"rooster.co", "scheduling"},
    {"cal.com", "scheduling"},
    {"doodle.com", "scheduling"},
    {"youcanbook.me", "scheduling"},
    {"zcal.co", "scheduling"},
    /* assessments and recorded video interviews */
    {"hackerrank.com", "assessment"},
    {"hackerrankforwork.com", "assessment"},
    {"codility.com", "assessment"},
    {"codesignal.com", "assessment"},
    {"testgorilla.com", "assessment"},
    {"coderbyte.com", "assessment"},
    {"hackerearth.com", "assessment"},
    {"codingame.com", "assessment"},
    {"devskiller.com", "assessment"},
    {"testdome.com", "assessment"},
    {"qualified.io", "assessment"},
    {"mettl.com", "assessment"},
    {"shl.com", "assessment"},
    {"criteriacorp.com", "assessment"},
    {"pymetrics.ai", "assessment"},
    {"vervoe.com", "assessment"},
    {"imocha.io", "assessment"},
    {"hirevue.com", "assessment"},
    {"sparkhire.com", "assessment"},
    {"willo.video", "assessment"},
    {"harver.com", "assessment"},
    {"talentlens.com", "assessment"},
    /* live interview tools and video calls */
    {"karat.com", "video"},
    {"coderpad.io", "video"},
    {"zoom.us", "video"},
    {"meet.google.com", "video"},
    {"teams.microsoft.com", "video"},
    {"webex.com", "video"},
    {"whereby.com", "video"},
    /* job boards and networks */
    {"linkedin.com", "jobboard"},
    {"indeed.com", "jobboard"},
    {"glassdoor.com", "jobboard"},
    {"stepstone.de", "jobboard"},
    {"xing.com", "jobboard"},
    {"ziprecruiter.com", "jobboard"},
    {"monster.com", "jobboard"},
    {"infojobs.net", "jobboard"},
    {"welcometothejungle.com", "jobboard"},
    {"wellfound.com", "jobboard"},
    {"angel.co", "jobboard"},
    {"dice.com", "jobboard"},
    {"otta.com", "jobboard"},
    {"hired.com", "jobboard"},
    {"seek.com.au", "jobboard"},
    {"reed.co.uk", "jobboard"},
    {"totaljobs.com", "jobboard"},
    {"apec.fr", "jobboard"},
    {"hellowork.com", "jobboard"},
    {"indeedemail.com", "jobboard"},
    {"jobteaser.com", "jobboard"},
    {"nationalevacaturebank.nl", "jobboard"},
    {"catho.com.br", "jobboard"},
    {"computrabajo.com", "jobboard"},
    /* consumer mailboxes */
    {"gmail.com", "freemail"},
    {"googlemail.com", "freemail"},
    {"outlook.com", "freemail"},
    {"hotmail.com", "freemail"},
    {"live.com", "freemail"},
    {"yahoo.com", "freemail"},
    {"icloud.com", "freemail"},
    {"me.com", "freemail"},
    {"proton.me", "freemail"},
    {"protonmail.com", "freemail"},
    {"gmx.de", "freemail"},
    {"gmx.net", "freemail"},
    {"web.de", "freemail"},
    {"t-online.de", "freemail"},
    {"orange.fr", "freemail"},
    {"free.fr", "freemail"},
    {"laposte.net", "freemail"},
    {"yahoo.fr", "freemail"},
    {"hotmail.fr", "freemail"},
    {"yahoo.es", "freemail"},
    {"uol.com.br", "freemail"},
    {"bol.com.br", "freemail"},
    {"ziggo.nl", "freemail"},
    {"aol.com", "freemail"},
    {"fastmail.com", "freemail"},
    {"hey.com", "freemail"},
    {"mail.com", "freemail"},
    {NULL, NULL}};

/* Job-alert and digest addresses (local part prefixes at job boards). */
static const char *const co_clf_alert_locals[] = {
    "jobalerts", "jobs-noreply",  "alert",      "alerts", "jobalert",
    "digest",    "jobs-listings", "newsletter", "news",   NULL};

const char *co_clf_sender_kind(const char *addr_or_host)
{
    if (addr_or_host == NULL || *addr_or_host == '\0')
        return NULL;
    const char *at = strrchr(addr_or_host, '@');
    const char *host = at ? at + 1 : addr_or_host;
    size_t hl = strlen(host);
    for (size_t i = 0; co_clf_vendors[i].domain; i++) {
        size_t dl = strlen(co_clf_vendors[i].domain);
        if (hl < dl || strcasecmp(host + hl - dl, co_clf_vendors[i].domain))
            continue;
        if (hl > dl && host[hl - dl - 1] != '.')
            continue;
        const char *kind = co_clf_vendors[i].kind;
        if (at != NULL && strcmp(kind, "jobboard") == 0) {
            size_t ll = (size_t)(at - addr_or_host);
            for (size_t k = 0; co_clf_alert_locals[k]; k++) {
                size_t kl = strlen(co_clf_alert_locals[k]);
                if (ll >= kl &&
                    strncasecmp(addr_or_host, co_clf_alert_locals[k], kl) == 0)
                    return "alerts";
            }
        }
        return kind;
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Quoted history and paragraphs                                           */

static int co_clf_line_has(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

static int co_clf_ends_with_colon_word(const char *s, size_t n,
                                       const char *word)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || s[n - 1] != ':')
        return 0;
    n--;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    size_t k = strlen(word);
    return n >= k && strncasecmp(s + n - k, word, k) == 0;
}

/* A line that starts the quoted history: attribution lines, separators,
 * Outlook headers. */
static int co_clf_history_line(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    static const char *const attrib[] = {"wrote",    "schrieb",  "écrit",
                                         "escribió", "escreveu", "schreef",
                                         "a écrit",  NULL};
    for (size_t i = 0; attrib[i]; i++)
        if (co_clf_ends_with_colon_word(s, n, attrib[i]))
            return 1;
    static const char *const sep[] = {"-----original message",
                                      "----- original message",
                                      "forwarded message",
                                      "begin forwarded message",
                                      "ursprüngliche nachricht",
                                      "message d'origine",
                                      "mensaje original",
                                      "mensagem original",
                                      "oorspronkelijk bericht",
                                      "message transféré",
                                      "weitergeleitete nachricht",
                                      "mensaje reenviado",
                                      "mensagem encaminhada",
                                      "doorgestuurd bericht",
                                      NULL};
    if (n >= 3 && (s[0] == '-' || s[0] == '_' || s[0] == '=' ||
                   strncasecmp(s, "begin", 5) == 0))
        for (size_t i = 0; sep[i]; i++)
            if (co_clf_line_has(s, n, sep[i]))
                return 1;
    if (n >= 20 && s[0] == '_' && s[1] == '_' && s[2] == '_')
        return 1;
    static const char *const hdr[] = {
        "from:", "von:", "de :", "de:", "van:", NULL};
    for (size_t i = 0; hdr[i]; i++) {
        size_t k = strlen(hdr[i]);
        if (n > k && strncasecmp(s, hdr[i], k) == 0 &&
            (co_clf_line_has(s, n, "@") || co_clf_line_has(s, n, "<")))
            return 2; /* needs a Sent:/Date: line after it */
    }
    return 0;
}

/* Length of the new text (before quoted history) of a body. Lines starting
 * with '>' before it are skipped by the caller via *quoted_lines. */
static size_t co_clf_new_text_len(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *e = memchr(t + i, '\n', n - i);
        size_t ll = e ? (size_t)(e - (t + i)) : n - i;
        int h = co_clf_history_line(t + i, ll);
        if (h == 1)
            return i;
        if (h == 2 && e != NULL) {
            const char *nx = e + 1;
            size_t rest = n - (size_t)(nx - t);
            if ((rest > 5 && (strncasecmp(nx, "sent:", 5) == 0 ||
                              strncasecmp(nx, "date:", 5) == 0 ||
                              strncasecmp(nx, "gesendet:", 9) == 0 ||
                              strncasecmp(nx, "envoyé", 6) == 0 ||
                              strncasecmp(nx, "enviado", 7) == 0 ||
                              strncasecmp(nx, "to:", 3) == 0 ||
                              strncasecmp(nx, "subject:", 8) == 0)))
                return i;
        }
        /* a run of '>' lines is quoted history, too */
        if (ll > 0 && t[i] == '>') {
            size_t j = i;
            int quoted = 1;
            while (j < n && quoted) {
                const char *e2 = memchr(t + j, '\n', n - j);
                size_t l2 = e2 ? (size_t)(e2 - (t + j)) : n - j;
                if (l2 > 0 && t[j] != '>')
                    quoted = 0;
                else
                    j = e2 ? (size_t)(e2 - t) + 1 : n;
            }
            if (j >= n)
                return i; /* quoted to the end */
        }
        i = e ? (size_t)(e - t) + 1 : n;
    }
    return n;
}

/* Words that mark a bulk-mail footer: unsubscribe and preference links,
 * privacy notices, "sent by / do not reply" lines, copyright lines. Each is
 * specific enough not to occur in the letter itself ("preferences" alone
 * does: "your preferences for a time slot"). */
static const char *const co_clf_footer_marks[] = {
    "unsubscribe",
    "email preference",
    "e-mail preference",
    "mail preferences",
    "notification preferences",
    "notification settings",
    "communication preferences",
    "subscription preferences",
    "manage your preferences",
    "update your preferences",
    "opt out",
    "opt-out",
    "privacy policy",
    "privacy notice",
    "privacy statement",
    "you are receiving this",
    "you're receiving this",
    "you received this",
    "this email was sent",
    "this e-mail was sent",
    "this message was sent",
    "this email was generated",
    "this is an automated",
    "do not reply",
    "don't reply",
    "unmonitored",
    "all rights reserved",
    "\xc2\xa9", /* © */
    "abbestellen",
    "abmelden",
    "datenschutz",
    "alle rechte vorbehalten",
    "d\xc3\xa9sabonner",
    "d\xc3\xa9sinscri",
    "tous droits r\xc3\xa9serv\xc3\xa9s",
    "ne pas r\xc3\xa9pondre",
    "darse de baja",
    "darte de baja",
    "no responda",
    "derechos reservados",
    "cancelar a inscri",
    "cancelar inscri",
    "n\xc3\xa3o responda",
    "uitschrijven",
    "afmelden",
    "niet beantwoorden",
    NULL};

static int co_clf_footer_line(const char *s, size_t n)
{
    for (size_t i = 0; co_clf_footer_marks[i]; i++)
        if (co_clf_line_has(s, n, co_clf_footer_marks[i]))
            return 1;
    return 0;
}

/* A separator line: only '-', '_', '=', '*' or '~' (3 or more), or "--". */
static int co_clf_rule_line(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    if (n < 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("-_=*~", s[i]))
            return 0;
    return n >= 3 || (s[0] == '-' && s[1] == '-');
}

/* Where a bulk-mail footer starts in the new text t[0..n): the earliest of
 * the last CO_CLF_FOOTER_LINES non-empty lines that holds a footer mark
 * (or a separator line just before such a line); n when there is none or
 * when fewer than two non-empty lines would be left before it. The footer
 * is boilerplate of the sending platform, the same on a newsletter and on
 * an interview invitation, so its words are kept out of the model's
 * features (an applicant-tracking system's invitation would otherwise read
 * as a newsletter, and training on such mail would make "email
 * preferences" hiring evidence). */
#define CO_CLF_FOOTER_LINES 12
static size_t co_clf_footer_start(const char *t, size_t n)
{
    size_t starts[CO_CLF_FOOTER_LINES];
    size_t lens[CO_CLF_FOOTER_LINES];
    size_t nonempty = 0;
    /* a ring of the last CO_CLF_FOOTER_LINES non-empty lines */
    for (size_t i = 0; i < n;) {
        const char *e = memchr(t + i, '\n', n - i);
        size_t ll = e ? (size_t)(e - (t + i)) : n - i;
        size_t k = 0;
        while (k < ll &&
               (t[i + k] == ' ' || t[i + k] == '\t' || t[i + k] == '\r'))
            k++;
        if (k < ll) {
            starts[nonempty % CO_CLF_FOOTER_LINES] = i;
            lens[nonempty % CO_CLF_FOOTER_LINES] = ll;
            nonempty++;
        }
        i = e ? (size_t)(e - t) + 1 : n;
    }
    size_t tail =
        nonempty < CO_CLF_FOOTER_LINES ? nonempty : CO_CLF_FOOTER_LINES;
    for (size_t j = nonempty - tail; j < nonempty; j++) {
        size_t r = j % CO_CLF_FOOTER_LINES;
        if (!co_clf_footer_line(t + starts[r], lens[r]))
            continue;
        size_t first = j;
        if (j > nonempty - tail) {
            size_t p = (j - 1) % CO_CLF_FOOTER_LINES;
            if (co_clf_rule_line(t + starts[p], lens[p]))
                first = j - 1;
        }
        if (first < 2)
            return n;
        return starts[first % CO_CLF_FOOTER_LINES];
    }
    return n;
}

static int co_clf_is_greeting(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    size_t words = 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ')
            words++;
    if (n == 0 || words > 6)
        return 0;
    if (s[n - 1] == ',' || s[n - 1] == '!')
        return 1;
    static const char *const g[] = {
        "hi ",         "hello",        "dear ",   "hey",    "hallo", "bonjour",
        "hola",        "olá",          "ola ",    "beste ", "guten", "liebe",
        "lieber",      "sehr geehrte", "estimad", "prezad", "cher ", "chère",
        "goedemiddag", "goedemorgen",  NULL};
    for (size_t i = 0; g[i]; i++)
        if (n >= strlen(g[i]) && strncasecmp(s, g[i], strlen(g[i])) == 0)
            return 1;
    return 0;
}

/* The first paragraph of a body: after leading blank lines and a greeting
 * line, up to the next blank line. */
static void co_clf_first_paragraph(const char *t, size_t n, size_t *start,
                                   size_t *len)
{
    size_t i = 0;
    int skipped_greeting = 0;
    for (;;) {
        while (i < n &&
               (t[i] == '\n' || t[i] == ' ' || t[i] == '\r' || t[i] == '\t'))
            i++;
        const char *e = memchr(t + i, '\n', n - i);
        size_t ll = e ? (size_t)(e - (t + i)) : n - i;
        if (!skipped_greeting && i < n && co_clf_is_greeting(t + i, ll)) {
            skipped_greeting = 1;
            i += ll;
            continue;
        }
        break;
    }
    size_t j = i;
    while (j < n) {
        const char *e = memchr(t + j, '\n', n - j);
        if (e == NULL) {
            j = n;
            break;
        }
        size_t k = (size_t)(e - t) + 1;
        while (k < n && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r'))
            k++;
        if (k >= n || t[k] == '\n') {
            j = (size_t)(e - t);
            break;
        }
        j = (size_t)(e - t) + 1;
    }
    *start = i;
    *len = j > i ? j - i : 0;
}

/* ---------------------------------------------------------------------- */
/* Text features                                                           */

/* Mark negation (1) and conditional/"later step" (2) scopes: up to 5 words
 * after a cue, within the sentence. */
static int co_clf_mark_scopes(co_clf_extractor_t *x, size_t from, size_t to)
{
    co_clf_toks_t *t = &x->toks;
    if (t->n > x->flags_cap) {
        size_t cap = t->n + 256;
        uint8_t *n = realloc(x->flags, cap);
        if (n == NULL)
            return -1;
        x->flags = n;
        x->flags_cap = cap;
    }
    int neg = 0, cond = 0;
    for (size_t i = from; i < to; i++) {
        co_clf_tok_t *k = &t->tok[i];
        x->flags[i] = 0;
        if (k->kind == CO_CLF_TK_BREAK) {
            neg = cond = 0;
            continue;
        }
        const char *w = t->buf + k->off;
        x->flags[i] = (uint8_t)((neg > 0 ? 1 : 0) | (cond > 0 ? 2 : 0));
        if (neg > 0)
            neg--;
        if (cond > 0)
            cond--;
        uint32_t fl =
            k->kind == CO_CLF_TK_WORD ? co_clf_word_flags(w, k->len) : 0;
        if (fl & CO_CLF_W_NEG)
            neg = 5;
        if (fl & CO_CLF_W_COND)
            cond = 5;
    }
    return 0;
}

typedef struct co_clf_textinfo_s {
    int words;
    int has_time, has_date, has_money;
} co_clf_textinfo_t;

/* Tokenize, mark, stem and emit one text into `block` (and into the
 * shared block when `also_all`). */
static size_t co_clf_cap(const char *s, size_t n, size_t max);

static int co_clf_text_block(co_clf_extractor_t *x, const char *s, size_t n,
                             int block, int also_all, co_clf_lang_t lang,
                             int guess, co_clf_lang_t *lang_out,
                             co_clf_textinfo_t *info)
{
    co_clf_toks_t *t = &x->toks;
    co_clf_toks_reset(t);
    if (co_clf_tokenize(t, s, n) != 0)
        return -1;
    if (guess)
        lang = co_clf_guess_lang(t, 0, t->n);
    if (lang_out)
        *lang_out = lang;
    if (co_clf_mark_scopes(x, 0, t->n) != 0 ||
        co_clf_stem_range(t, 0, t->n, x->stem[lang]) != 0)
        return -1;
    const char *prev = NULL;
    size_t prevn = 0;
    for (size_t i = 0; i < t->n; i++) {
        const co_clf_tok_t *k = &t->tok[i];
        if (k->kind == CO_CLF_TK_BREAK) {
            prev = NULL;
            continue;
        }
        const char *w = t->buf + k->off;
        if (info) {
            info->words++;
            if (strcmp(w, "<time>") == 0)
                info->has_time = 1;
            else if (strcmp(w, "<month>") == 0 || strcmp(w, "<wday>") == 0)
                info->has_date = 1;
            else if (strcmp(w, "<money>") == 0)
                info->has_money = 1;
        }
        /* unigram, pair, negated, conditional: hashed once, added to the
         * block and to the shared block */
        uint64_t hs[4];
        int nh = 0;
        hs[nh++] = co_clf_hash2(w, k->len, NULL, 0);
        if (prev)
            hs[nh++] = co_clf_hash2(prev, prevn, w, k->len);
        if (x->flags[i] & 1)
            hs[nh++] = co_clf_hash2("!", 1, w, k->len);
        if (x->flags[i] & 2)
            hs[nh++] = co_clf_hash2("?", 1, w, k->len);
        for (int j = 0; j < nh && !x->no_words; j++) {
            co_clf_add_h(x, block, hs[j]);
            if (also_all)
                co_clf_add_h(x, CO_CLF_B_ALL, hs[j]);
        }
        if (x->dumping && !x->no_words) {
            co_clf_dump_add(x, block, w, k->len, NULL, 0);
            if (prev)
                co_clf_dump_add(x, block, prev, prevn, w, k->len);
            if (x->flags[i] & 1)
                co_clf_dump_add(x, block, "!", 1, w, k->len);
            if (x->flags[i] & 2)
                co_clf_dump_add(x, block, "?", 1, w, k->len);
        }
        /* the first five letters of a long word, shared by cognates of
         * other languages ("candidature", "candidatura", "candidate") */
        if (k->kind == CO_CLF_TK_WORD && k->len >= 6 &&
            block != CO_CLF_B_LOCAL && block != CO_CLF_B_FILES) {
            size_t pl = co_clf_cap(w, k->len, 5);
            if (pl >= 4) {
                char pre[2] = {co_clf_block_prefix[block], ':'};
                co_clf_add_h(x, CO_CLF_B_PREFIX, co_clf_hash2(pre, 2, w, pl));
                if (x->dumping)
                    co_clf_dump_add(x, CO_CLF_B_PREFIX, pre, 2, w, pl);
            }
        }
        /* the word's cross-language concept ("@regret" for
         * "unfortunately", "malheureusement", "leider"), plain, negated
         * and conditional */
        const char *cn = k->kind == CO_CLF_TK_WORD
                             ? g_hash_table_lookup(x->concepts, w)
                             : NULL;
        if (cn != NULL) {
            /* in their own space (normalized apart from the words, which
             * may be mostly unknown), marked by the text they come from */
            char pre[4];
            size_t pn = 0;
            pre[pn++] = co_clf_block_prefix[block];
            pre[pn++] = x->flags[i] & 1 ? '!' : x->flags[i] & 2 ? '?' : '@';
            co_clf_add2(x, CO_CLF_B_CONCEPT, pre, pn, cn, strlen(cn));
            if (x->flags[i] & 3) {
                pre[1] = '@';
                co_clf_add2(x, CO_CLF_B_CONCEPT, pre, pn, cn, strlen(cn));
            }
        }
        prev = w;
        prevn = k->len;
    }
    return 0;
}

/* n, or less than max at a UTF-8 character boundary. */
static size_t co_clf_cap(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static const char *co_clf_jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Count reply/forward prefixes of a subject ("Re: AW: Fwd:"). */
static void co_clf_subject_prefixes(const char *s, int *re, int *fw,
                                    size_t *skip)
{
    static const char *const rep[] = {"re",   "aw",  "sv", "res",
                                      "antw", "rép", NULL};
    static const char *const fwd[] = {"fwd", "fw",  "wg",     "tr",
                                      "rv",  "enc", "doorst", NULL};
    size_t i = 0;
    *re = *fw = 0;
    for (;;) {
        while (s[i] == ' ')
            i++;
        size_t j = i;
        while (s[j] && s[j] != ':' && s[j] != ' ' && j - i < 8)
            j++;
        if (s[j] != ':')
            break;
        int hit = 0;
        for (size_t k = 0; rep[k] && !hit; k++)
            if (strlen(rep[k]) == j - i &&
                strncasecmp(s + i, rep[k], j - i) == 0)
                (*re)++, hit = 1;
        for (size_t k = 0; fwd[k] && !hit; k++)
            if (strlen(fwd[k]) == j - i &&
                strncasecmp(s + i, fwd[k], j - i) == 0)
                (*fw)++, hit = 1;
        if (!hit)
            break;
        i = j + 1;
    }
    *skip = i;
}

static const char *co_clf_bucket(long n)
{
    return n == 0    ? "0"
           : n < 8   ? "1-7"
           : n < 25  ? "8-24"
           : n < 60  ? "25-59"
           : n < 150 ? "60-149"
           : n < 400 ? "150-399"
                     : "400+";
}

/* Words of an address's local part or a file name ("talent.acquisition",
 * "Offer_Letter.pdf") into `block`. */
static int co_clf_word_block(co_clf_extractor_t *x, const char *s, size_t n,
                             int block)
{
    char buf[256];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (s[i] == '.' || s[i] == '_' || s[i] == '-' || s[i] == '+')
                     ? ' '
                     : s[i];
    return co_clf_text_block(x, buf, n, block, 0, CO_CLF_EN, 0, NULL, NULL);
}

static int co_clf_collect(co_clf_extractor_t *x, const json_t *email,
                          co_clf_variant_t variant)
{
    x->nhit = 0;
    x->oom = 0;
    x->no_words = variant == CO_CLF_CONCEPTS_ONLY ||
                  variant == CO_CLF_FIRST_PARAGRAPH_CONCEPTS;
    /* the variants cut to the subject and the start of the new text */
    int cut = variant == CO_CLF_FIRST_PARAGRAPH ||
              variant == CO_CLF_FIRST_PARAGRAPH_CONCEPTS;
    co_clf_add(x, CO_CLF_B_META, "bias");

    /* sender */
    const json_t *from = json_object_get(email, "from");
    const char *addr = co_clf_jstr(from, "address");
    const char *name = co_clf_jstr(from, "name");
    if (variant == CO_CLF_NEUTRAL_SENDER) {
        addr = "notifications@mail.example";
        name = NULL;
    }
    const char *kind = co_clf_sender_kind(addr);
    co_clf_add_kv(
        x, "K:", kind ? kind : (addr && strchr(addr, '@') ? "domain" : "none"));
    if (addr != NULL) {
        const char *at = strchr(addr, '@');
        size_t ll = at ? (size_t)(at - addr) : 0;
        if (ll > 0 && co_clf_word_block(x, addr, ll, CO_CLF_B_LOCAL) != 0)
            return -1;
        if (co_clf_line_has(addr, ll, "noreply") ||
            co_clf_line_has(addr, ll, "no-reply") ||
            co_clf_line_has(addr, ll, "donotreply") ||
            co_clf_line_has(addr, ll, "do-not-reply"))
            co_clf_add(x, CO_CLF_B_META, "noreply");
    }
    if (name != NULL && *name &&
        co_clf_text_block(x, name, strlen(name), CO_CLF_B_NAME, 0, CO_CLF_EN, 0,
                          NULL, NULL) != 0)
        return -1;

    /* headers */
    const json_t *hdr = json_object_get(email, "headers");
    const char *v;
    if ((v = co_clf_jstr(hdr, "list_unsubscribe")) && *v)
        co_clf_add(x, CO_CLF_B_META, "H:unsub");
    if ((v = co_clf_jstr(hdr, "list_id")) && *v)
        co_clf_add(x, CO_CLF_B_META, "H:listid");
    if ((v = co_clf_jstr(hdr, "precedence")) && *v)
        co_clf_add(x, CO_CLF_B_META, "H:precedence");
    if ((v = co_clf_jstr(hdr, "auto_submitted")) && *v &&
        strcasecmp(v, "no") != 0)
        co_clf_add(x, CO_CLF_B_META, "H:auto");
    size_t nto = json_array_size(json_object_get(email, "to")) +
                 json_array_size(json_object_get(email, "cc"));
    if (nto > 2)
        co_clf_add(x, CO_CLF_B_META, "to:many");

    /* subject */
    const char *subject = co_clf_jstr(email, "subject");
    if (subject == NULL)
        subject = "";
    int re = 0, fw = 0;
    size_t skip = 0;
    co_clf_subject_prefixes(subject, &re, &fw, &skip);
    co_clf_add_kv(x, "re:", re == 0 ? "0" : re == 1 ? "1" : "2+");
    if (fw)
        co_clf_add(x, CO_CLF_B_META, "fwd");
    if (co_clf_jstr(email, "in_reply_to"))
        co_clf_add(x, CO_CLF_B_META, "in-reply-to");
    co_clf_textinfo_t sinfo = {0};
    co_clf_lang_t slang = CO_CLF_EN;
    const char *text = co_clf_jstr(email, "text");
    size_t tn = text ? strlen(text) : 0;
    size_t newn = co_clf_new_text_len(text ? text : "", tn);
    size_t footer = co_clf_footer_start(text ? text : "", newn);
    size_t pstart = 0, plen = footer;
    if (cut)
        co_clf_first_paragraph(text ? text : "", footer, &pstart, &plen);
    /* the language of the body (else the subject) decides the stemmer of
     * every text */
    co_clf_lang_t lang = CO_CLF_EN;
    co_clf_textinfo_t binfo = {0}, qinfo = {0};
    int body_words = 0;
    if (text != NULL && plen > 0) {
        if (co_clf_text_block(x, text + pstart,
                              co_clf_cap(text + pstart, plen, 12000),
                              CO_CLF_B_BODY, 1, lang, 1, &lang, &binfo) != 0)
            return -1;
        body_words = binfo.words;
    }
    if (co_clf_text_block(x, subject + skip, strlen(subject + skip),
                          CO_CLF_B_SUBJECT, 1, lang, body_words < 8,
                          body_words < 8 ? &lang : NULL, &sinfo) != 0)
        return -1;
    (void)slang;
    co_clf_add_kv(x, "lang:", co_clf_lang_code(lang));
    co_clf_add_kv(x, "slen:", co_clf_bucket(sinfo.words));

    if (text != NULL && !cut && newn < tn) {
        /* quoted lines: strip the '>' marks */
        size_t qn = tn - newn;
        char *q = malloc(qn + 1);
        if (q == NULL)
            return -1;
        size_t o = 0;
        for (size_t i = newn; i < tn; i++)
            if (text[i] != '>')
                q[o++] = text[i];
        size_t cap = co_clf_cap(q, o, 6000);
        int rc = co_clf_text_block(x, q, cap, CO_CLF_B_QUOTED, 0, lang, 0, NULL,
                                   &qinfo);
        free(q);
        if (rc != 0)
            return -1;
        co_clf_add(x, CO_CLF_B_META, "quoted");
        if (qinfo.has_time)
            co_clf_add(x, CO_CLF_B_META, "q:time");
    }
    if (footer < newn && !cut)
        co_clf_add(x, CO_CLF_B_META, "footer");
    co_clf_add_kv(x, "len:", co_clf_bucket(binfo.words));
    if (binfo.has_time || sinfo.has_time)
        co_clf_add(x, CO_CLF_B_META, "time");
    if (binfo.has_date || sinfo.has_date)
        co_clf_add(x, CO_CLF_B_META, "date");
    if (binfo.has_time && (binfo.has_date || sinfo.has_date))
        co_clf_add(x, CO_CLF_B_META, "date+time");
    if (binfo.has_money)
        co_clf_add(x, CO_CLF_B_META, "money");
    if (text && (memchr(text + pstart, '$', plen) ||
                 strstr(text, "\xe2\x82\xac") || strstr(text, "\xc2\xa3")))
        co_clf_add(x, CO_CLF_B_META, "currency");
    if (json_is_true(json_object_get(email, "has_html")) && !cut)
        co_clf_add(x, CO_CLF_B_META, "html");
    if (cut)
        return x->oom ? -1 : 0;

    /* calendar */
    const json_t *cal = json_object_get(email, "calendar");
    size_t ci;
    const json_t *ev;
    json_array_foreach(cal, ci, ev)
    {
        if (ci >= 4)
            break;
        const char *m = co_clf_jstr(ev, "method");
        const char *st = co_clf_jstr(ev, "status");
        char b[64];
        snprintf(b, sizeof b, "cal:%s",
                 st && strcasecmp(st, "CANCELLED") == 0 ? "CANCELLED"
                 : m                                    ? m
                                                        : "none");
        co_clf_add(x, CO_CLF_B_META, b);
        const char *sum = co_clf_jstr(ev, "summary");
        if (sum && co_clf_text_block(x, sum, strlen(sum), CO_CLF_B_CAL, 0, lang,
                                     0, NULL, NULL) != 0)
            return -1;
        const json_t *org = json_object_get(ev, "organizer");
        const char *ok = co_clf_sender_kind(co_clf_jstr(org, "address"));
        if (ok) {
            snprintf(b, sizeof b, "cal-org:%s", ok);
            co_clf_add(x, CO_CLF_B_META, b);
        }
    }

    /* links */
    const json_t *links = json_object_get(email, "links");
    const json_t *l;
    size_t li;
    json_array_foreach(links, li, l)
    {
        if (li >= 60)
            break;
        char host[256];
        if (co_clf_url_host(co_clf_jstr(l, "url"), host, sizeof host) == 0)
            continue;
        const char *k = co_clf_sender_kind(host);
        if (k) {
            char b[64];
            snprintf(b, sizeof b, "link:%s", k);
            co_clf_add(x, CO_CLF_B_META, b);
        }
    }

    /* attachments */
    const json_t *att = json_object_get(email, "attachments");
    const json_t *a;
    size_t ai;
    json_array_foreach(att, ai, a)
    {
        if (ai >= 10)
            break;
        const char *nm = co_clf_jstr(a, "name");
        const char *ty = co_clf_jstr(a, "type");
        char b[80];
        snprintf(b, sizeof b, "att:%.60s", ty ? ty : "none");
        co_clf_add(x, CO_CLF_B_META, b);
        if (nm && co_clf_word_block(x, nm, strlen(nm), CO_CLF_B_FILES) != 0)
            return -1;
    }
    return x->oom ? -1 : 0;
}

size_t co_clf_url_host(const char *url, char *host, size_t host_size)
{
    const char *h = url ? strstr(url, "://") : NULL;
    if (h == NULL || host_size == 0)
        return 0;
    h += 3;
    size_t n = strcspn(h, "/?#:");
    if (n == 0 || n >= host_size)
        return 0;
    for (size_t i = 0; i < n; i++)
        host[i] = (char)tolower((unsigned char)h[i]);
    host[n] = '\0';
    return n;
}

/* Sort hits by (slot, block): LSD radix sort of the packed 23-bit key. */
static int co_clf_sort_hits(co_clf_extractor_t *x)
{
    size_t n = x->nhit;
    uint32_t *a = malloc((n ? n : 1) * 2 * sizeof *a);
    if (a == NULL)
        return -1;
    uint32_t *b = a + n;
    for (size_t i = 0; i < n; i++)
        a[i] = (x->hit[i].h << 4) | x->hit[i].block;
    for (int shift = 0; shift < CO_CLF_HASH_BITS + 4; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i] >> shift) & 0xff) + 1]++;
        for (int k = 0; k < 256; k++)
            count[k + 1] += count[k];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i] >> shift) & 0xff]++] = a[i];
        uint32_t *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++) {
        x->hit[i].h = a[i] >> 4;
        x->hit[i].block = (uint8_t)(a[i] & 0xf);
    }
    free(a < b ? a : b);
    return 0;
}

int co_clf_featurize(co_clf_extractor_t *x, const json_t *email,
                     co_clf_variant_t variant, co_clf_vec_t *out)
{
    if (!json_is_object(email))
        return -1;
    if (co_clf_collect(x, email, variant) != 0)
        return -1;
    /* distinct features per block, for the block norms */
    if (co_clf_sort_hits(x) != 0)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < x->nhit; i++)
        if (m == 0 || x->hit[i].h != x->hit[m - 1].h ||
            x->hit[i].block != x->hit[m - 1].block)
            x->hit[m++] = x->hit[i];
    size_t count[CO_CLF_NBLOCK] = {0};
    for (size_t i = 0; i < m; i++)
        count[x->hit[i].block]++;
    float scale[CO_CLF_NBLOCK];
    for (int b = 0; b < CO_CLF_NBLOCK; b++)
        scale[b] = b == CO_CLF_B_META || count[b] == 0
                       ? 1.0f
                       : 1.0f / sqrtf((float)count[b]);
    if (m > out->cap) {
        size_t cap = m + 64;
        uint32_t *ni = realloc(out->idx, cap * sizeof *ni);
        if (ni == NULL)
            return -1;
        out->idx = ni;
        float *nv = realloc(out->val, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        out->val = nv;
        out->cap = cap;
    }
    /* the same slot from two blocks (a collision) adds up */
    size_t n = 0;
    for (size_t i = 0; i < m; i++) {
        float v = scale[x->hit[i].block];
        if (n > 0 && out->idx[n - 1] == x->hit[i].h)
            out->val[n - 1] += v;
        else {
            out->idx[n] = x->hit[i].h;
            out->val[n] = v;
            n++;
        }
    }
    out->n = n;
    return 0;
}

char *co_clf_feature_dump(co_clf_extractor_t *x, const json_t *email)
{
    x->dumping = 1;
    x->dump_len = 0;
    int rc = co_clf_collect(x, email, CO_CLF_AS_IS);
    x->dumping = 0;
    if (rc != 0 || x->dump == NULL)
        return NULL;
    char *s = malloc(x->dump_len + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, x->dump, x->dump_len);
    s[x->dump_len] = '\0';
    return s;
}
