/*
 * rules-classifier: the company memory of one stage (rules_memory.h).
 *
 * A linear table: a mailbox names tens to hundreds of companies, and each
 * message is one pass over it (a prefix comparison per entry).
 */
#include "rules_memory.h"

#include "rules_company.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct rules_mem_entry_s {
    char *name;    /* as read */
    char *words;   /* lower-case words, one space apart, no leading "the" */
    char *domain;  /* sender domain, lower case; "" if none */
    double weight; /* 1 per read as a written name, 0.01 as a domain label */
    double named;  /* reads as a written name */
    uint64_t seen; /* tick of the last read */
} rules_mem_entry_t;

struct rules_memory_s {
    rules_mem_entry_t *v;
    size_t n, cap, max;
    uint64_t tick;
};

rules_memory_t *rules_memory_new(size_t max_names)
{
    rules_memory_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->max = max_names;
    return m;
}

static void rules_mem_entry_free(rules_mem_entry_t *e)
{
    free(e->name);
    free(e->words);
    free(e->domain);
}

void rules_memory_free(rules_memory_t *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++)
        rules_mem_entry_free(&m->v[i]);
    free(m->v);
    free(m);
}

size_t rules_memory_count(const rules_memory_t *m)
{
    return m != NULL ? m->n : 0;
}

/* The words of a name for comparing: lower case, runs of ASCII
 * punctuation and spaces as one space, a leading "the" dropped ("The
 * Ashcombe Partners" -> "ashcombe partners"). malloc'd; NULL when out of
 * memory. */
static char *rules_mem_words(const char *name)
{
    size_t n = strlen(name);
    char *low = malloc(n * 2 + 1);
    if (low == NULL)
        return NULL;
    rules_lower(name, n, low, n * 2 + 1);
    size_t o = 0;
    for (const char *p = low; *p;) {
        while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
            p++;
        const char *s = p;
        while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        size_t l = (size_t)(p - s);
        if (l == 0 || (o == 0 && l == 3 && memcmp(s, "the", 3) == 0))
            continue;
        if (o > 0)
            low[o++] = ' ';
        memmove(low + o, s, l);
        o += l;
    }
    low[o] = '\0';
    return low;
}

/* The sender's domain, lower case, into out ("" if none). */
static void rules_mem_domain(const json_t *email, char *out, size_t out_size)
{
    const char *a = json_string_value(
        json_object_get(json_object_get(email, "from"), "address"));
    const char *at = a != NULL ? strrchr(a, '@') : NULL;
    out[0] = '\0';
    if (at == NULL || strlen(at + 1) >= out_size)
        return;
    size_t i = 0;
    for (const char *p = at + 1; *p; p++)
        out[i++] = (char)tolower((unsigned char)*p);
    out[i] = '\0';
}

/* 1 if long_w is short_w followed by more words. */
static int rules_mem_extends(const char *short_w, const char *long_w)
{
    size_t sl = strlen(short_w);
    return sl > 0 && strncmp(long_w, short_w, sl) == 0 && long_w[sl] == ' ';
}

/* Weight of the entry spelled w from domain dom; 0 if none. */
static double rules_mem_weight(const rules_memory_t *m, const char *w,
                               const char *dom)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].words, w) == 0 && strcmp(m->v[i].domain, dom) == 0)
            return m->v[i].weight;
    return 0;
}

/* 1 if a label of domain dom (not the last), its letters and digits,
 * is the words of gw run together: ashcombe.example for "ashcombe",
 * careers.vinterkraft.example for "vinter kraft". */
static int rules_mem_own_domain(const char *gw, const char *dom)
{
    char key[128];
    size_t k = 0;
    for (const char *p = gw; *p && k + 1 < sizeof key; p++)
        if (*p != ' ')
            key[k++] = *p;
    key[k] = '\0';
    for (const char *p = dom; *p;) {
        const char *e = strchr(p, '.');
        if (e == NULL)
            break; /* the last label: .example, .com */
        char lab[128];
        size_t l = 0;
        for (const char *q = p; q < e && l + 1 < sizeof lab; q++)
            if (isalnum((unsigned char)*q))
                lab[l++] = *q;
        lab[l] = '\0';
        if (k > 0 && strcmp(lab, key) == 0)
            return 1;
        p = e + 1;
    }
    return 0;
}

/* The fuller spelling of a company spelled gw (index into m->v), or -1:
 * the one longer name beginning with the same words written by the same
 * sender domain, when that domain is the company's own (a label spells
 * gw: not an applicant-tracking system's or an agency's domain shared by
 * many companies; rules_memory.h); two such names: -1, the name stays. */
static long rules_mem_longer(const rules_memory_t *m, const char *gw,
                             const char *dom)
{
    if (!rules_mem_own_domain(gw, dom))
        return -1;
    long pick = -1;
    for (size_t i = 0; i < m->n; i++) {
        const rules_mem_entry_t *e = &m->v[i];
        if (e->named <= 0 || strcmp(e->domain, dom) != 0 ||
            !rules_mem_extends(gw, e->words))
            continue;
        if (pick >= 0) /* "Harbor Analytics" and "Harbor Foods" */
            return -1;
        pick = (long)i;
    }
    if (pick < 0 || m->v[pick].weight < 0.5 * rules_mem_weight(m, gw, dom))
        return -1;
    return pick;
}

/* A written name read from domain dom that spells the domain label got
 * (index into m->v), or -1. */
static long rules_mem_spelled(const rules_memory_t *m, const char *got,
                              const char *gw, const char *dom)
{
    long best = -1;
    for (size_t i = 0; i < m->n; i++) {
        const rules_mem_entry_t *e = &m->v[i];
        if (e->named <= 0 || strcmp(e->domain, dom) != 0 ||
            strcmp(e->words, gw) == 0 || !rules_slug_spells_name(got, e->name))
            continue;
        if (best < 0 || e->named > m->v[best].named ||
            (e->named == m->v[best].named &&
             strlen(e->name) > strlen(m->v[best].name)))
            best = (long)i;
    }
    return best;
}

/* Remember one read of name (words w) from domain dom. */
static int rules_mem_note(rules_memory_t *m, const char *name, const char *w,
                          const char *dom, int from_domain)
{
    m->tick++;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].words, w) == 0 && strcmp(m->v[i].domain, dom) == 0) {
            m->v[i].weight += from_domain ? 0.01 : 1.0;
            m->v[i].named += from_domain ? 0 : 1;
            m->v[i].seen = m->tick;
            return 0;
        }
    rules_mem_entry_t e = {strdup(name),        strdup(w),
                           strdup(dom),         from_domain ? 0.01 : 1.0,
                           from_domain ? 0 : 1, m->tick};
    if (e.name == NULL || e.words == NULL || e.domain == NULL) {
        rules_mem_entry_free(&e);
        return -1;
    }
    if (m->n == m->max) { /* forget the one read longest ago */
        size_t old = 0;
        for (size_t i = 1; i < m->n; i++)
            if (m->v[i].seen < m->v[old].seen)
                old = i;
        rules_mem_entry_free(&m->v[old]);
        m->v[old] = e;
        return 0;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap == 0 ? 16 : m->cap * 2;
        if (cap > m->max)
            cap = m->max;
        rules_mem_entry_t *nv = realloc(m->v, cap * sizeof *nv);
        if (nv == NULL) {
            rules_mem_entry_free(&e);
            return -1;
        }
        m->v = nv;
        m->cap = cap;
    }
    m->v[m->n++] = e;
    return 0;
}

int rules_memory_apply(rules_memory_t *m, const rules_db_t *db,
                       const json_t *email, rules_result_t *res)
{
    if (m == NULL || m->max == 0 || res->company == NULL)
        return 0;
    const char *addr = json_string_value(
        json_object_get(json_object_get(email, "from"), "address"));
    const rules_sender_t *snd = addr != NULL ? rules_db_sender(db, addr) : NULL;
    if (snd != NULL && snd->kind == RULES_K_FREEMAIL)
        return 0; /* anybody's mailbox: neither taken nor remembered */
    char *gw = rules_mem_words(res->company);
    if (gw == NULL)
        return -1;
    if (gw[0] == '\0') {
        free(gw);
        return 0;
    }
    char dom[256];
    rules_mem_domain(email, dom, sizeof dom);
    if (dom[0] == '\0') {
        free(gw);
        return 0;
    }
    long pick = rules_mem_longer(m, gw, dom);
    if (pick < 0 && res->company_from_domain)
        pick = rules_mem_spelled(m, res->company, gw, dom);
    char *repl = pick >= 0 ? strdup(m->v[pick].name) : NULL;
    if (rules_mem_note(m, res->company, gw, dom, res->company_from_domain) !=
            0 ||
        (pick >= 0 && repl == NULL)) {
        free(gw);
        free(repl);
        return -1;
    }
    free(gw);
    if (repl == NULL)
        return 0;
    free(res->company);
    res->company = repl;
    res->company_from_domain = 0;
    return 1;
}
