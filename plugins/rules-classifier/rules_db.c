/*
 * Loading the rules classifier's data tables (tab-separated files).
 * See rules_engine.h for the tables and docs/classification.md for the
 * format of each.
 */
#include "rules_internal.h"
#include "co_readfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const rules_label_names[RULES_L_COUNT] = {
    "INTERVIEW",          "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
    "RECRUITER_OUTREACH", "OTHER", "HIRING",     "BULK",      "SELF"};

const char *rules_label_name(rules_label_t l)
{
    if ((int)l < 0 || l >= RULES_NLABELS)
        return "OTHER";
    return rules_label_names[l];
}

int rules_label_parse(const char *name)
{
    for (int i = 0; i < RULES_NLABELS; i++)
        if (strcasecmp(name, rules_label_names[i]) == 0)
            return i;
    return -1;
}

static int rules_label_parse_ext(const char *name)
{
    for (int i = 0; i < RULES_L_COUNT; i++)
        if (strcasecmp(name, rules_label_names[i]) == 0)
            return i;
    return -1;
}

rules_db_t *rules_db_new(void)
{
    return calloc(1, sizeof(rules_db_t));
}

void rules_db_free(rules_db_t *db)
{
    if (db == NULL)
        return;
    for (size_t i = 0; i < db->nphrase; i++)
        rules_phrase_free(&db->phrase[i]);
    free(db->phrase);
    free(db->index);
    free(db->slot);
    free(db->prefix_first);
    free(db->prefix_by_byte);
    for (size_t i = 0; i < db->nextract; i++) {
        rules_phrase_free(&db->extract[i].before);
        rules_phrase_free(&db->extract[i].after);
    }
    free(db->extract);
    for (size_t i = 0; i < db->nsender; i++) {
        free(db->sender[i].sender);
        free(db->sender[i].vendor);
    }
    free(db->sender);
    for (size_t i = 0; i < db->nmonth; i++)
        free(db->month[i].w);
    free(db->month);
    for (size_t i = 0; i < db->nzone; i++) {
        free(db->zone[i].w);
        free(db->zone[i].tz);
    }
    free(db->zone);
    for (size_t i = 0; i < db->nsuffix; i++)
        free(db->suffix[i]);
    free(db->suffix);
    for (size_t i = 0; i < db->nstop; i++)
        free(db->stop[i]);
    free(db->stop);
    for (size_t i = 0; i < db->ngiven; i++)
        free(db->given[i]);
    free(db->given);
    for (size_t i = 0; i < db->nown; i++)
        free(db->own[i]);
    free(db->own);
    free(db);
}

/* Grow an array to hold one more element. */
static int rules_reserve(void **arr, size_t *cap, size_t n, size_t elsize)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, nc * elsize);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

#define RULES_PUSH(arr, n, cap)                                                \
    rules_reserve((void **)&(arr), &(cap), (n), sizeof *(arr))

typedef enum rules_table_e {
    RULES_TAB_NONE,
    RULES_TAB_SENDER,
    RULES_TAB_PHRASE,
    RULES_TAB_EXTRACT,
    RULES_TAB_MONTH,
    RULES_TAB_ZONE,
    RULES_TAB_ZONE_TZ,
    RULES_TAB_SUFFIX,
    RULES_TAB_STOP,
    RULES_TAB_GIVEN
} rules_table_t;

static const struct {
    const char *header;
    rules_table_t table;
    int ncol;
} rules_tables[] = {
    {"sender\tkind\tvendor", RULES_TAB_SENDER, 3},
    {"label\tweight\tfield\tlang\tphrase", RULES_TAB_PHRASE, 5},
    {"what\tweight\tpattern\tlang", RULES_TAB_EXTRACT, 4},
    {"word\tmonth", RULES_TAB_MONTH, 2},
    {"zone\toffset_minutes", RULES_TAB_ZONE, 2},
    {"zone\ttz", RULES_TAB_ZONE_TZ, 2},
    {"suffix", RULES_TAB_SUFFIX, 1},
    {"stopword", RULES_TAB_STOP, 1},
    {"given_name", RULES_TAB_GIVEN, 1},
};

static void rules_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rules_err(char *err, size_t err_size, const char *fmt, ...)
{
    if (err == NULL || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static char *rules_strdup_lower(const char *s)
{
    size_t n = strlen(s);
    char *o = malloc(n * 2 + 8);
    if (o != NULL)
        rules_lower(s, n, o, n * 2 + 8);
    return o;
}

static int rules_add_word_int(rules_word_int_t **arr, size_t *n, size_t *cap,
                              const char *w, const char *v, int lo, int hi)
{
    char *end;
    errno = 0;
    long val = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || end == v || val < lo || val > hi)
        return -1;
    if (rules_reserve((void **)arr, cap, *n, sizeof **arr) != 0)
        return -1;
    char *lw = rules_strdup_lower(w);
    if (lw == NULL)
        return -1;
    (*arr)[*n].w = lw;
    (*arr)[*n].v = (int)val;
    (*n)++;
    return 0;
}

/* A zone row: "cet<TAB>Europe/Berlin", "utc<TAB>+00:00" (zone/tz table)
 * or "cet<TAB>60" (the older zone/offset_minutes table). */
static int rules_add_zone(rules_db_t *db, const char *w, const char *v,
                          int minutes, const char **why)
{
    int offset = 0;
    char *tz = NULL;
    if (minutes) {
        char *end;
        errno = 0;
        long val = strtol(v, &end, 10);
        if (errno != 0 || *end != '\0' || end == v || val < -720 || val > 840) {
            *why = "offset_minutes must be -720..840";
            return -1;
        }
        offset = (int)val;
    } else if ((v[0] == '+' || v[0] == '-') && strlen(v) == 6 &&
               isdigit((unsigned char)v[1]) && isdigit((unsigned char)v[2]) &&
               v[3] == ':' && isdigit((unsigned char)v[4]) &&
               isdigit((unsigned char)v[5])) {
        offset = ((v[1] - '0') * 10 + (v[2] - '0')) * 60 + (v[4] - '0') * 10 +
                 (v[5] - '0');
        if (v[0] == '-')
            offset = -offset;
        if (offset < -720 || offset > 840) {
            *why = "offset must be -12:00..+14:00";
            return -1;
        }
    } else {
        if (!rules_tz_known(v)) {
            *why = "unknown time zone: give a name of the system's tz "
                   "database (Europe/Berlin, America/Denver; package tzdata) "
                   "or an offset such as +01:00";
            return -1;
        }
        tz = strdup(v);
        if (tz == NULL) {
            *why = "out of memory";
            return -1;
        }
    }
    *why = "out of memory";
    if (rules_reserve((void **)&db->zone, &db->capzone, db->nzone,
                      sizeof *db->zone) != 0) {
        free(tz);
        return -1;
    }
    char *lw = rules_strdup_lower(w);
    if (lw == NULL) {
        free(tz);
        return -1;
    }
    /* short single-word abbreviations must be written in capitals */
    size_t n = strlen(lw);
    int upper = n <= 5 && strchr(lw, ' ') == NULL;
    db->zone[db->nzone++] = (rules_zone_t){lw, offset, tz, upper};
    return 0;
}

/* Each tz database name the zone table uses ("Europe/Berlin",
 * "America/New_York") is also a zone name of its own, as the words the
 * text tokens spell ("europe berlin", "america new york"): "10:00 AM
 * (Europe/Berlin)" was read as UTC (trial 74). 0, or -1 out of memory. */
static int rules_add_tz_names(rules_db_t *db)
{
    size_t n = db->nzone;
    for (size_t i = 0; i < n; i++) {
        const char *tz = db->zone[i].tz;
        if (tz == NULL || strchr(tz, '/') == NULL)
            continue;
        /* as one token ("europe/berlin") and as words */
        for (int form = 0; form < 2; form++) {
            char w[128];
            size_t k = 0;
            for (const char *c = tz; *c && k + 1 < sizeof w; c++)
                w[k++] = form == 1 && (*c == '/' || *c == '_' || *c == '-')
                             ? ' '
                             : (char)tolower((unsigned char)*c);
            w[k] = '\0';
            int seen = 0;
            for (size_t j = 0; j < db->nzone && !seen; j++)
                seen = strcmp(db->zone[j].w, w) == 0;
            const char *why = NULL;
            if (!seen && rules_add_zone(db, w, tz, 0, &why) != 0)
                return -1;
        }
    }
    return 0;
}

static int rules_add_str(char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (rules_reserve((void **)arr, cap, *n, sizeof **arr) != 0)
        return -1;
    char *ls = rules_strdup_lower(s);
    if (ls == NULL)
        return -1;
    (*arr)[(*n)++] = ls;
    return 0;
}

static int rules_add_phrase(rules_db_t *db, char **col, const char **why)
{
    int label = rules_label_parse_ext(col[0]);
    if (label < 0) {
        *why = "unknown label (INTERVIEW, OFFER, ASSESSMENT, REJECTION, "
               "APPLICATION_ACK, RECRUITER_OUTREACH, OTHER, HIRING, BULK, "
               "SELF)";
        return -1;
    }
    char *end;
    double w = strtod(col[1], &end);
    if (*end != '\0' || end == col[1] || w < -100 || w > 100) {
        *why = "weight must be a number between -100 and 100";
        return -1;
    }
    uint8_t fields;
    if (strcmp(col[2], "subject") == 0)
        fields = RULES_F_SUBJECT;
    else if (strcmp(col[2], "body") == 0)
        fields = RULES_F_BODY;
    else if (strcmp(col[2], "any") == 0)
        fields = RULES_F_ANY;
    else {
        *why = "field must be subject, body or any";
        return -1;
    }
    if (RULES_PUSH(db->phrase, db->nphrase, db->capphrase) != 0) {
        *why = "out of memory";
        return -1;
    }
    rules_phrase_t *p = &db->phrase[db->nphrase];
    memset(p, 0, sizeof *p);
    if (rules_phrase_parse(col[4], p) != 0) {
        rules_phrase_free(p);
        *why = "phrase has no words, or starts or ends with \"...\"";
        return -1;
    }
    p->label = label;
    p->weight = w;
    p->fields = fields;
    db->nphrase++;
    return 0;
}

static int rules_add_extract(rules_db_t *db, char **col, const char **why)
{
    int is_role;
    if (strcmp(col[0], "company") == 0)
        is_role = 0;
    else if (strcmp(col[0], "role") == 0)
        is_role = 1;
    else {
        *why = "what must be company or role";
        return -1;
    }
    char *wend;
    double weight = strtod(col[1], &wend);
    if (*wend != '\0' || wend == col[1] || weight <= 0 || weight > 100) {
        *why = "weight must be a number above 0 (up to 100)";
        return -1;
    }
    col[1] = col[2]; /* the pattern */
    const char *slot = strstr(col[1], "{}");
    if (slot == NULL || strstr(slot + 2, "{}") != NULL) {
        *why = "pattern must contain {} exactly once";
        return -1;
    }
    if (RULES_PUSH(db->extract, db->nextract, db->capextract) != 0) {
        *why = "out of memory";
        return -1;
    }
    rules_extract_t *x = &db->extract[db->nextract];
    memset(x, 0, sizeof *x);
    x->is_role = is_role;
    x->weight = weight;
    char before[512];
    size_t bl = (size_t)(slot - col[1]);
    if (bl >= sizeof before) {
        *why = "pattern too long";
        return -1;
    }
    memcpy(before, col[1], bl);
    before[bl] = '\0';
    int rb = 0, ra = 0;
    int has_b = strspn(before, " \t") != bl;
    int has_a = slot[2 + strspn(slot + 2, " \t")] != '\0';
    if (!has_b && !has_a) {
        *why = "pattern needs words around {}";
        return -1;
    }
    if (has_b)
        rb = rules_phrase_parse(before, &x->before);
    if (has_a)
        ra = rules_phrase_parse(slot + 2, &x->after);
    if (rb != 0 || ra != 0) {
        rules_phrase_free(&x->before);
        rules_phrase_free(&x->after);
        *why = "bad words around {}";
        return -1;
    }
    db->nextract++;
    return 0;
}

static int rules_add_sender(rules_db_t *db, char **col, const char **why)
{
    static const struct {
        const char *name;
        rules_kind_t kind;
    } kinds[] = {
        {"ats", RULES_K_ATS},
        {"scheduling", RULES_K_SCHEDULING},
        {"assessment", RULES_K_ASSESSMENT},
        {"video", RULES_K_VIDEO},
        {"jobboard", RULES_K_JOBBOARD},
        {"alerts", RULES_K_ALERTS},
        {"freemail", RULES_K_FREEMAIL},
        {"meeting", RULES_K_MEETING},
    };
    rules_kind_t kind = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(col[1], kinds[i].name) == 0)
            kind = kinds[i].kind;
    if (kind == 0) {
        *why = "kind must be ats, scheduling, assessment, video, jobboard, "
               "alerts, freemail or meeting";
        return -1;
    }
    if (strchr(col[0], '.') == NULL || strchr(col[0], ' ') != NULL) {
        *why = "sender must be a domain or an address";
        return -1;
    }
    if (RULES_PUSH(db->sender, db->nsender, db->capsender) != 0) {
        *why = "out of memory";
        return -1;
    }
    rules_sender_t *s = &db->sender[db->nsender];
    s->sender = rules_strdup_lower(col[0]);
    s->vendor = strdup(col[2]);
    s->kind = kind;
    if (s->sender == NULL || s->vendor == NULL) {
        free(s->sender);
        free(s->vendor);
        *why = "out of memory";
        return -1;
    }
    db->nsender++;
    return 0;
}

int rules_db_load_file(rules_db_t *db, const char *path, char *err,
                       size_t err_size)
{
    if (db->finished) {
        rules_err(err, err_size, "%s: rules already finished", path);
        return -1;
    }
    /* a FIFO that nothing writes to is refused after 5 s (trial 55: an
     * extra_rules FIFO hung run's start), a folder at once */
    int orc;
    FILE *f = co_readfile_open(path, &orc, NULL);
    if (f == NULL) {
        rules_err(err, err_size, "%s: cannot open rules file: %s", path,
                  co_readfile_strerror(orc));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    rules_table_t table = RULES_TAB_NONE;
    int ncol = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        if (table == RULES_TAB_NONE) {
            for (size_t i = 0; i < sizeof rules_tables / sizeof rules_tables[0];
                 i++)
                if (strcmp(line, rules_tables[i].header) == 0) {
                    table = rules_tables[i].table;
                    ncol = rules_tables[i].ncol;
                }
            if (table == RULES_TAB_NONE) {
                rules_err(err, err_size,
                          "%s:%ld: unknown header row \"%s\" (expected one "
                          "of the tables in docs/classification.md, e.g. "
                          "\"label<TAB>weight<TAB>field<TAB>lang<TAB>"
                          "phrase\")",
                          path, lineno, line);
                rc = -1;
                break;
            }
            continue;
        }
        char *col[8] = {0}; /* -O3 cannot see that nc == ncol is checked */
        int nc = 0;
        char *p = line;
        while (nc < 8) {
            col[nc++] = p;
            char *tab = strchr(p, '\t');
            if (tab == NULL)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (nc != ncol) {
            rules_err(err, err_size,
                      "%s:%ld: expected %d tab-separated columns, found %d",
                      path, lineno, ncol, nc);
            rc = -1;
            break;
        }
        const char *why = NULL;
        int r = 0;
        switch (table) {
        case RULES_TAB_SENDER:
            r = rules_add_sender(db, col, &why);
            break;
        case RULES_TAB_PHRASE:
            r = rules_add_phrase(db, col, &why);
            break;
        case RULES_TAB_EXTRACT:
            r = rules_add_extract(db, col, &why);
            break;
        case RULES_TAB_MONTH:
            r = rules_add_word_int(&db->month, &db->nmonth, &db->capmonth,
                                   col[0], col[1], 1, 12);
            why = "month must be 1..12";
            break;
        case RULES_TAB_ZONE:
        case RULES_TAB_ZONE_TZ:
            r = rules_add_zone(db, col[0], col[1], table == RULES_TAB_ZONE,
                               &why);
            break;
        case RULES_TAB_SUFFIX:
            r = rules_add_str(&db->suffix, &db->nsuffix, &db->capsuffix,
                              col[0]);
            why = "out of memory";
            break;
        case RULES_TAB_STOP:
            r = rules_add_str(&db->stop, &db->nstop, &db->capstop, col[0]);
            why = "out of memory";
            break;
        case RULES_TAB_GIVEN:
            r = rules_add_str(&db->given, &db->ngiven, &db->capgiven, col[0]);
            why = "out of memory";
            break;
        case RULES_TAB_NONE:
            break;
        }
        if (r != 0) {
            rules_err(err, err_size, "%s:%ld: %s", path, lineno,
                      why ? why : "bad row");
            rc = -1;
            break;
        }
    }
    if (rc == 0 && table == RULES_TAB_NONE) {
        rules_err(err, err_size, "%s: no header row: not a rules table", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

static int rules_tsv_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 4 &&
           strcmp(d->d_name + n - 4, ".tsv") == 0;
}

int rules_db_count_dir(const char *dir)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, rules_tsv_filter, NULL);
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    return n;
}

int rules_db_load_dir(rules_db_t *db, const char *dir, char *err,
                      size_t err_size)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, rules_tsv_filter, alphasort);
    if (n < 0) {
        rules_err(err, err_size, "%s: cannot read rules folder: %s", dir,
                  strerror(errno));
        return -1;
    }
    int rc = n;
    if (n == 0) {
        rules_err(err, err_size, "%s: no *.tsv rules files in this folder",
                  dir);
        rc = -1;
    }
    for (int i = 0; i < n; i++) {
        if (rc > 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
            if (rules_db_load_file(db, path, err, err_size) != 0)
                rc = -1;
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

static int rules_cmp_index(const void *a, const void *b)
{
    const rules_index_t *x = a, *y = b;
    int c = strcmp(x->w, y->w);
    if (c != 0)
        return c;
    return x->phrase < y->phrase ? -1 : x->phrase > y->phrase;
}

static int rules_cmp_word_int(const void *a, const void *b)
{
    return strcmp(((const rules_word_int_t *)a)->w,
                  ((const rules_word_int_t *)b)->w);
}

static int rules_cmp_zone(const void *a, const void *b)
{
    return strcmp(((const rules_zone_t *)a)->w, ((const rules_zone_t *)b)->w);
}

static int rules_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int rules_cmp_len_desc(const void *a, const void *b)
{
    size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Bucket the phrases whose first word is a prefix by that word's first
 * byte, keeping their order: a token is compared only with the prefixes
 * that can match it (an empty prefix would match any token: it goes into
 * every bucket). */
static int rules_index_prefixes(rules_db_t *db)
{
    size_t n = 0;
    for (int b = 0; b < 256; b++) {
        db->prefix_off[b] = (uint32_t)n;
        for (size_t k = 0; k < db->nprefix_first; k++) {
            const rules_pword_t *w0 = &db->phrase[db->prefix_first[k]].w[0];
            if (w0->len == 0 || (unsigned char)w0->w[0] == b)
                n++;
        }
    }
    db->prefix_off[256] = (uint32_t)n;
    db->prefix_by_byte = calloc(n ? n : 1, sizeof *db->prefix_by_byte);
    if (db->prefix_by_byte == NULL)
        return -1;
    n = 0;
    for (int b = 0; b < 256; b++)
        for (size_t k = 0; k < db->nprefix_first; k++) {
            const rules_pword_t *w0 = &db->phrase[db->prefix_first[k]].w[0];
            if (w0->len == 0 || (unsigned char)w0->w[0] == b)
                db->prefix_by_byte[n++] = db->prefix_first[k];
        }
    return 0;
}

int rules_db_finish(rules_db_t *db, char *err, size_t err_size)
{
    if (db->nphrase == 0 || db->nsender == 0) {
        rules_err(err, err_size,
                  "the rules have %zu phrases and %zu senders: both tables "
                  "are needed (is rules_dir the installed "
                  "share/careerops/rules folder?)",
                  db->nphrase, db->nsender);
        return -1;
    }
    db->index = calloc(db->nphrase, sizeof *db->index);
    db->prefix_first = calloc(db->nphrase, sizeof *db->prefix_first);
    if (db->index == NULL || db->prefix_first == NULL) {
        rules_err(err, err_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < db->nphrase; i++) {
        const rules_pword_t *w0 = &db->phrase[i].w[0];
        if (w0->prefix)
            db->prefix_first[db->nprefix_first++] = (uint32_t)i;
        else {
            db->index[db->nindex].w = w0->w;
            db->index[db->nindex++].phrase = (uint32_t)i;
        }
    }
    if (rules_index_prefixes(db) != 0) {
        rules_err(err, err_size, "out of memory");
        return -1;
    }
    qsort(db->index, db->nindex, sizeof *db->index, rules_cmp_index);
    /* hash the distinct first words (load factor <= 1/2) */
    db->nslot = 64;
    while (db->nslot < db->nindex * 2)
        db->nslot *= 2;
    db->slot = calloc(db->nslot, sizeof *db->slot);
    if (db->slot == NULL) {
        rules_err(err, err_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < db->nindex;) {
        size_t j = i + 1;
        while (j < db->nindex && strcmp(db->index[j].w, db->index[i].w) == 0)
            j++;
        const char *w = db->index[i].w;
        size_t h = rules_hash(w, strlen(w)) & (db->nslot - 1);
        while (db->slot[h].hi != 0)
            h = (h + 1) & (db->nslot - 1);
        db->slot[h].w = w;
        db->slot[h].lo = (uint32_t)i;
        db->slot[h].hi = (uint32_t)j;
        i = j;
    }
    qsort(db->month, db->nmonth, sizeof *db->month, rules_cmp_word_int);
    if (rules_add_tz_names(db) != 0)
        return -1;
    qsort(db->zone, db->nzone, sizeof *db->zone, rules_cmp_zone);
    qsort(db->stop, db->nstop, sizeof *db->stop, rules_cmp_str);
    qsort(db->given, db->ngiven, sizeof *db->given, rules_cmp_str);
    qsort(db->suffix, db->nsuffix, sizeof *db->suffix, rules_cmp_len_desc);
    db->finished = 1;
    return 0;
}

uint32_t rules_hash(const char *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)w[i];
        h *= 16777619u;
    }
    return h;
}

int rules_db_first_word(const rules_db_t *db, const char *w, size_t n,
                        uint32_t *lo, uint32_t *hi)
{
    size_t h = rules_hash(w, n) & (db->nslot - 1);
    while (db->slot[h].hi != 0) {
        if (strncmp(db->slot[h].w, w, n) == 0 && db->slot[h].w[n] == '\0') {
            *lo = db->slot[h].lo;
            *hi = db->slot[h].hi;
            return 1;
        }
        h = (h + 1) & (db->nslot - 1);
    }
    return 0;
}

size_t rules_db_phrase_count(const rules_db_t *db)
{
    return db->nphrase;
}

size_t rules_db_sender_count(const rules_db_t *db)
{
    return db->nsender;
}

static const rules_word_int_t *rules_find_wi(const rules_word_int_t *a,
                                             size_t n, const char *w)
{
    rules_word_int_t key = {(char *)w, 0};
    return bsearch(&key, a, n, sizeof *a, rules_cmp_word_int);
}

int rules_db_month(const rules_db_t *db, const char *w)
{
    const rules_word_int_t *m = rules_find_wi(db->month, db->nmonth, w);
    return m ? m->v : 0;
}

const rules_zone_t *rules_db_zone(const rules_db_t *db, const char *w)
{
    rules_zone_t key = {(char *)w, 0, NULL, 0};
    return bsearch(&key, db->zone, db->nzone, sizeof *db->zone, rules_cmp_zone);
}

int rules_db_is_stop(const rules_db_t *db, const char *w)
{
    return bsearch(&w, db->stop, db->nstop, sizeof *db->stop, rules_cmp_str) !=
           NULL;
}

int rules_db_is_given_name(const rules_db_t *db, const char *w)
{
    return bsearch(&w, db->given, db->ngiven, sizeof *db->given,
                   rules_cmp_str) != NULL;
}

int rules_own_address_ok(const char *address)
{
    if (address == NULL)
        return 0;
    const char *at = strchr(address, '@');
    if (at == NULL || at == address || at[1] == '\0' || strchr(at + 1, '@'))
        return 0;
    /* a bare address: not "<me@x>" nor "mailto:me@x" (trial 47), no
     * wildcard, a domain of non-empty labels (trial 46: "<me@x.example>",
     * "*@x", "me@.x", "me@x..y") */
    for (const unsigned char *p = (const unsigned char *)address; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("<>*,;:\"()[]\\", *p) != NULL)
            return 0;
    const char *d = at + 1;
    size_t dl = strlen(d);
    return d[0] != '.' && d[dl - 1] != '.' && strstr(d, "..") == NULL;
}

int rules_db_add_own_address(rules_db_t *db, const char *address)
{
    if (db == NULL || !rules_own_address_ok(address))
        return -1;
    return rules_add_str(&db->own, &db->nown, &db->capown, address);
}

/* 1 when `addr` is `own` or a sub-address of it (RFC 5233: "me+jobs@x"
 * for "me@x"; trial 45: a decline from the user's +jobs address became
 * the company's REJECTION), without regard to case. */
static int rules_own_match(const char *own, const char *addr)
{
    if (strcasecmp(own, addr) == 0)
        return 1;
    const char *oat = strchr(own, '@'), *aat = strrchr(addr, '@');
    const char *plus = strchr(addr, '+');
    if (oat == NULL || aat == NULL || plus == NULL || plus > aat ||
        memchr(own, '+', (size_t)(oat - own)) != NULL)
        return 0;
    size_t ol = (size_t)(oat - own);
    return (size_t)(plus - addr) == ol && strncasecmp(own, addr, ol) == 0 &&
           strcasecmp(oat, aat) == 0;
}

int rules_db_own_address(const rules_db_t *db, const char *address)
{
    if (address == NULL)
        return 0;
    for (size_t i = 0; i < db->nown; i++)
        if (rules_own_match(db->own[i], address))
            return 1;
    return 0;
}

const rules_sender_t *rules_db_sender(const rules_db_t *db, const char *address)
{
    if (address == NULL)
        return NULL;
    char low[320];
    rules_lower(address, strlen(address), low, sizeof low);
    const char *at = strrchr(low, '@');
    const char *domain = at ? at + 1 : low;
    size_t dl = strlen(domain);
    const rules_sender_t *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < db->nsender; i++) {
        const rules_sender_t *s = &db->sender[i];
        if (strchr(s->sender, '@') != NULL) {
            if (strcmp(s->sender, low) == 0)
                return s; /* an exact address wins */
            continue;
        }
        size_t sl = strlen(s->sender);
        if (sl > dl || sl <= best_len)
            continue;
        if (strcmp(domain + dl - sl, s->sender) == 0 &&
            (sl == dl || domain[dl - sl - 1] == '.')) {
            best = s;
            best_len = sl;
        }
    }
    return best;
}
