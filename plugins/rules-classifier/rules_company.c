/*
 * Company extraction of the rules classifier: candidates from the sender,
 * applicant-tracking subdomains and paths, calendar organizers and the
 * patterns of extract.tsv, weighed; the heaviest wins. See
 * docs/classification.md ("Company").
 */
#include "rules_company.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *rules_company_jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---------------------------------------------------------------------- */
/* Company and role                                                        */

static const char *const rules_legal[] = {
    "inc",    "llc",  "ltd",  "gmbh",    "ag",           "sa",   "sas",
    "sarl",   "sl",   "srl",  "bv",      "plc",          "corp", "corporation",
    "co",     "kg",   "se",   "limited", "incorporated", "llp",  "ltda",
    "lda",    "nv",   "spa",  "ab",      "oy",           "pty",  "sau",
    "slu",    "sasu", "eurl", "ug",      "kgaa",         "ohg",  "gbr",
    "eireli", "epp",  "pvt",  "pte",     "lp",           "sdn",  "bhd",
    "kk",     "oyj",  "asa",  "aps",     "sro",          NULL};

/* Comparison key of an organisation name: lower case, legal-form words and
 * a leading "the" dropped, only letters and digits kept. */
static void rules_org_key(const char *name, char *key, size_t key_size)
{
    char low[256];
    rules_lower(name, strlen(name), low, sizeof low);
    /* "B.V.", "S.A.", "Inc.": without the dots */
    size_t d = 0;
    for (size_t i = 0; low[i]; i++)
        if (low[i] != '.')
            low[d++] = low[i];
    low[d] = '\0';
    size_t o = 0;
    const char *p = low;
    int first = 1;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
            p++;
        const char *s = p;
        while (*p && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
            p++;
        size_t n = (size_t)(p - s);
        if (n == 0)
            continue;
        int drop = first && n == 3 && memcmp(s, "the", 3) == 0;
        for (size_t i = 0; !drop && rules_legal[i]; i++)
            if (strlen(rules_legal[i]) == n &&
                memcmp(s, rules_legal[i], n) == 0)
                drop = 1;
        first = 0;
        if (drop)
            continue;
        for (size_t i = 0; i < n && o + 1 < key_size; i++) {
            /* fold Latin-1 accents (U+00E0..U+00FF as C3 A0..C3 BF) so that
             * "lumiere" (a domain) and "Lumière" compare equal */
            unsigned char b = (unsigned char)s[i];
            if (b == 0xC3 && i + 1 < n) {
                static const char fold[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
                unsigned char nb = (unsigned char)s[i + 1];
                if (nb >= 0xA0 && nb <= 0xBF && fold[nb - 0xA0] != '/') {
                    key[o++] = fold[nb - 0xA0];
                    i++;
                    continue;
                }
            }
            key[o++] = s[i];
        }
    }
    key[o] = '\0';
}

static int rules_is_vendor(const rules_db_t *db, const char *key)
{
    for (size_t i = 0; i < db->nsender; i++) {
        char vk[128];
        rules_org_key(db->sender[i].vendor, vk, sizeof vk);
        if (strcmp(vk, key) == 0)
            return 1;
    }
    return 0;
}

/* 1 if name is a video-meeting or calendar product of the sender table,
 * alone or leading the name: "Zoom Meeting", "Microsoft Teams Need help",
 * "Google Calendar" (such a service hosts the meeting, it never hires). */
static int rules_is_meeting_product(const rules_db_t *db, const char *name)
{
    for (size_t i = 0; i < db->nsender; i++) {
        if (db->sender[i].kind != RULES_K_MEETING)
            continue;
        size_t vl = strlen(db->sender[i].vendor);
        if (strncasecmp(name, db->sender[i].vendor, vl) == 0 &&
            (name[vl] == '\0' || name[vl] == ' '))
            return 1;
    }
    return 0;
}

/* 1 if the first word of s (n bytes; up to a space, a comma or a dot) is
 * a given name (given-names.tsv). */
static int rules_first_given(const rules_ctx_t *c, const char *s, size_t n)
{
    char first[64];
    size_t l = strcspn(s, " ,.");
    if (l > n)
        l = n;
    if (l == 0 || l >= sizeof first)
        return 0;
    rules_lower(s, l, first, sizeof first);
    return rules_db_is_given_name(c->db, first);
}

/* 1 if the sender's display name may be a person's: its first word is a
 * given name. */
static int rules_sender_personal(const rules_ctx_t *c)
{
    const char *n = c->from_name;
    return n != NULL && rules_first_given(c, n, strlen(n));
}

/* 1 if key is the name (or a word of the name) of the sender or of a
 * recipient: "Sarah would like to..." names a person, not the company. */
static int rules_is_person(const rules_ctx_t *c, const char *key)
{
    const char *names[8];
    size_t nn = 0;
    names[nn++] = c->from_name;
    const json_t *to = json_object_get(c->email, "to");
    size_t i;
    const json_t *a;
    json_array_foreach(to, i, a)
    {
        if (nn == 8)
            break;
        names[nn++] = rules_company_jstr(a, "name");
    }
    for (size_t k = 0; k < nn; k++) {
        if (names[k] == NULL || *names[k] == '\0')
            continue;
        char whole[128];
        rules_org_key(names[k], whole, sizeof whole);
        /* the sender's whole name is a person's only when it may be one:
         * "Quillfeather Analytics <assessments@codetrial...>" named again
         * in the text is the company (trial 84) */
        if (strcmp(whole, key) == 0 && (k > 0 || rules_sender_personal(c)))
            return 1;
        const char *p = names[k];
        while (*p) {
            size_t l = strcspn(p, " ,.");
            if (l > 0 && l < 64) {
                char w[64], wk[64];
                memcpy(w, p, l);
                w[l] = '\0';
                rules_org_key(w, wk, sizeof wk);
                if (strlen(wk) >= 2 && strcmp(wk, key) == 0)
                    return 1;
            }
            p += l;
            p += strspn(p, " ,.");
        }
    }
    return 0;
}

/* The first " - " or " – " (en dash) in s, and its length in *len;
 * NULL when there is none. */
static char *rules_dash(char *s, size_t *len)
{
    char *d = strstr(s, " - ");
    *len = 3;
    if (d == NULL && (d = strstr(s, " \xe2\x80\x93 ")) != NULL)
        *len = 5;
    return d;
}

/* 1 if the n bytes at s name a person: one to three capitalised words,
 * the first a given name (given-names.tsv) or the whole the sender's or a
 * recipient's name. "Jeroen - Houtlab" signed, "Camille Roux - Velmore"
 * as an ATS's display name: the writer, then the company. */
static int rules_person_lead(const rules_ctx_t *c, const char *s, size_t n)
{
    char buf[128];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    size_t words = 0;
    char first[64] = "";
    for (char *p = buf; *p;) {
        p += strspn(p, " ");
        size_t l = strcspn(p, " ");
        if (l == 0)
            break;
        if (!isupper((unsigned char)*p) && (unsigned char)*p < 0xC3)
            return 0;
        if (words++ == 0)
            rules_lower(p, l, first, sizeof first);
        p += l;
    }
    if (words == 0 || words > 3)
        return 0;
    char key[128];
    rules_org_key(buf, key, sizeof key);
    return rules_db_is_given_name(c->db, first) || rules_is_person(c, key);
}

static void rules_cand_add(rules_ctx_t *c, const char *display, size_t len,
                           double weight, int quality)
{
    char disp[128];
    if (len >= sizeof disp)
        return;
    memcpy(disp, display, len);
    disp[len] = '\0';
    /* trim spaces and separators */
    char *s = disp;
    while (*s == ' ' || *s == '"' || *s == '\'' || *s == '-' || *s == ',')
        s++;
    size_t n = strlen(s);
    while (n > 0 && strchr(" \"'-,:|.", s[n - 1]) != NULL)
        s[--n] = '\0';
    /* "Acme @ Tue Mar 4" (an invitation's summary), "HireVue for Acme" */
    char *cut = strstr(s, " @ ");
    if (cut != NULL)
        *cut = '\0';
    /* "Jeroen - Houtlab" (a signature): the writer, then the company */
    size_t dl;
    char *dash = rules_dash(s, &dl);
    if (dash != NULL && dash[dl] != '\0' &&
        (c->origin == RULES_O_TEXT || c->origin == RULES_O_SIGN) &&
        rules_person_lead(c, s, (size_t)(dash - s)))
        s = dash + dl;
    char *fo = strstr(s, " for ");
    if (fo != NULL) {
        char vk[128];
        *fo = '\0';
        rules_org_key(s, vk, sizeof vk);
        if (rules_is_vendor(c->db, vk))
            s = fo + 5;
        else
            *fo = ' ';
    }
    n = strlen(s);
    while (n > 0 && strchr(" \"'-,:|.", s[n - 1]) != NULL)
        s[--n] = '\0';
    if (n < 2)
        return;
    char key[128];
    rules_org_key(s, key, sizeof key);
#ifdef RULES_COMPANY_DEBUG
    fprintf(stderr, "add  %-40s w=%.3f o=%d\n", s, weight, c->origin);
#endif
    if (strlen(key) < 2 || rules_db_is_stop(c->db, key) ||
        rules_is_vendor(c->db, key) || rules_is_meeting_product(c->db, s) ||
        ((c->origin == RULES_O_TEXT || c->origin == RULES_O_SIGN) &&
         (rules_is_person(c, key) ||
          (strchr(s, ' ') == NULL && rules_db_is_given_name(c->db, key)))))
        return;
    for (size_t i = 0; i < c->ncand; i++) {
        if (strcmp(c->cand[i].key, key) == 0) {
            c->cand[i].weight += weight;
            c->cand[i].origin |= c->origin;
            if (quality > c->cand[i].quality) {
                snprintf(c->cand[i].display, sizeof c->cand[i].display, "%s",
                         s);
                c->cand[i].quality = quality;
            }
            return;
        }
    }
    if (c->ncand == RULES_MAX_CANDS)
        return;
    rules_cand_t *cd = &c->cand[c->ncand++];
    snprintf(cd->display, sizeof cd->display, "%s", s);
    snprintf(cd->key, sizeof cd->key, "%s", key);
    cd->weight = weight;
    cd->quality = quality;
    cd->origin = c->origin;
}

/* Cut organisation suffixes ("Recruiting", "Talent Team") off the end of a
 * display name, in place. Returns 1 if something was cut. */
static int rules_strip_suffixes(const rules_db_t *db, char *name)
{
    int cut = 0, again = 1;
    while (again) {
        again = 0;
        size_t n = strlen(name);
        while (n > 0 && strchr(" -|,:", name[n - 1]) != NULL)
            name[--n] = '\0';
        char low[256];
        rules_lower(name, n, low, sizeof low);
        size_t ln = strlen(low);
        for (size_t i = 0; i < db->nsuffix; i++) {
            size_t sl = strlen(db->suffix[i]);
            if (sl >= ln || strcmp(low + ln - sl, db->suffix[i]) != 0)
                continue;
            char before = low[ln - sl - 1];
            if (before != ' ' && before != '-' && before != '|' &&
                before != ',')
                continue;
            /* same byte length in the original: lower-casing keeps it */
            name[n - sl] = '\0';
            cut = again = 1;
            break;
        }
    }
    size_t n = strlen(name);
    for (;;) { /* separators left at the end: "-", "|", an en or em dash */
        while (n > 0 && strchr(" -|,:", name[n - 1]) != NULL)
            name[--n] = '\0';
        if (n >= 3 && (unsigned char)name[n - 3] == 0xe2 &&
            (unsigned char)name[n - 2] == 0x80 &&
            ((unsigned char)name[n - 1] == 0x93 ||
             (unsigned char)name[n - 1] == 0x94)) {
            n -= 3;
            name[n] = '\0';
            continue;
        }
        break;
    }
    return cut;
}

int rules_role_account(const char *addr)
{
    static const char *const roles[] = {"no-reply",
                                        "noreply",
                                        "donotreply",
                                        "do-not-reply",
                                        "careers",
                                        "career",
                                        "jobs",
                                        "job",
                                        "recruiting",
                                        "recruitment",
                                        "recruit",
                                        "talent",
                                        "hr",
                                        "hiring",
                                        "people",
                                        "notifications",
                                        "notification",
                                        "team",
                                        "info",
                                        "hello",
                                        "mailer",
                                        "candidates",
                                        "applications",
                                        "apply",
                                        "karriere",
                                        "bewerbung",
                                        "recrutement",
                                        "empleo",
                                        "rrhh",
                                        "scheduling",
                                        "schedule",
                                        "scheduler",
                                        "interviews",
                                        "interview",
                                        "assessments",
                                        "assessment",
                                        "invites",
                                        "invite",
                                        NULL};
    const char *at = strchr(addr, '@');
    if (at == NULL)
        return 0;
    size_t n = (size_t)(at - addr);
    for (size_t i = 0; roles[i]; i++) {
        size_t rl = strlen(roles[i]);
        if (n >= rl && strncasecmp(addr, roles[i], rl) == 0 &&
            (n == rl || !isalpha((unsigned char)addr[rl])))
            return 1;
    }
    return 0;
}

static int rules_label_in(const char *l, size_t n, const char *const *set)
{
    for (size_t i = 0; set[i]; i++)
        if (strlen(set[i]) == n && strncasecmp(l, set[i], n) == 0)
            return 1;
    return 0;
}

static int rules_generic_label(const char *l, size_t n)
{
    static const char *const g[] = {
        "www",    "boards",      "job-boards", "jobs",
        "app",    "apply",       "careers",    "us",
        "eu",     "hire",        "mail",       "email",
        "em",     "links",       "click",      "api",
        "go",     "t",           "e",          "m",
        "info",   "recruiting",  "candidate",  "my",
        "secure", "assessments", "app2",       "notifications",
        NULL};
    if (rules_label_in(l, n, g))
        return 1;
    if (n >= 3 && l[0] == 'w' && l[1] == 'd' && isdigit((unsigned char)l[2]))
        return 1; /* Workday data centres: wd1, wd5 */
    return 0;
}

/* "acme" from "acme.greenhouse.io" when the sender table lists
 * greenhouse.io; "acme" from "careers-acme.icims.com". */
static void rules_slug_from_host(rules_ctx_t *c, const char *host,
                                 double weight)
{
    const rules_sender_t *s = rules_db_sender(c->db, host);
    if (s == NULL || s->kind == RULES_K_FREEMAIL || strchr(s->sender, '@'))
        return;
    size_t hl = strlen(host), sl = strlen(s->sender);
    if (hl <= sl + 1)
        return;
    /* labels before the vendor domain, right to left */
    const char *end = host + hl - sl - 1; /* the dot before vendor domain */
    const char *p = end;
    while (p > host) {
        const char *q = p;
        while (q > host && q[-1] != '.')
            q--;
        size_t n = (size_t)(p - q);
        const char *lab = q;
        if (n > 8 && strncmp(lab, "careers-", 8) == 0) {
            lab += 8;
            n -= 8;
        }
        if (n >= 2 && !rules_generic_label(lab, n)) {
            rules_cand_add(c, lab, n, weight, 1);
            return;
        }
        p = q > host ? q - 1 : host;
    }
}

static void rules_slug_from_url(rules_ctx_t *c, const char *url)
{
    const char *h = strstr(url, "://");
    if (h == NULL)
        return;
    h += 3;
    size_t hl = strcspn(h, "/?#:");
    char host[256];
    if (hl == 0 || hl >= sizeof host)
        return;
    for (size_t i = 0; i < hl; i++)
        host[i] = (char)tolower((unsigned char)h[i]);
    host[hl] = '\0';
    const rules_sender_t *s = rules_db_sender(c->db, host);
    if (s == NULL || s->kind != RULES_K_ATS)
        return;
    rules_slug_from_host(c, host, 2.0);
    /* path slugs: boards.greenhouse.io/acme, jobs.lever.co/acme,
     * jobs.ashbyhq.com/acme, jobs.smartrecruiters.com/Acme */
    static const char *const path_hosts[] = {"boards.greenhouse.io",
                                             "job-boards.greenhouse.io",
                                             "jobs.lever.co",
                                             "jobs.eu.lever.co",
                                             "jobs.ashbyhq.com",
                                             "jobs.smartrecruiters.com",
                                             "careers.smartrecruiters.com",
                                             "apply.workable.com",
                                             NULL};
    for (size_t i = 0; path_hosts[i]; i++) {
        if (strcmp(host, path_hosts[i]) != 0)
            continue;
        const char *path = h + hl;
        if (*path == ':')
            path += strcspn(path, "/");
        if (*path != '/')
            return;
        path++;
        size_t n = strcspn(path, "/?#");
        if (n >= 2 && n < 64)
            rules_cand_add(c, path, n, 2.0, 1);
        return;
    }
}

/* Placeholder names of RFC 2606/6761 ("example", "test", "invalid"). */
static int rules_placeholder(const char *l, size_t n)
{
    static const char *const ph[] = {"example",   "test",  "invalid",
                                     "localhost", "local", NULL};
    return rules_label_in(l, n, ph);
}

/* Domain labels that name a personal mailbox, not an organisation: the
 * generic words in several languages ("correo", "brevlada", "skrzynka",
 * "postfach"), the free-mail providers and the Internet access
 * providers that give their customers a mailbox, in the countries the
 * classifier reads ("uol" of uol.com.br, "libero" of libero.it). Written
 * here rather than as sender-table rows because the label alone decides,
 * under any top-level domain ("libero.example" in test mail). Telecom
 * companies that also hire under the same name (orange, vodafone, free,
 * telefonica) are left to the sender table's exact domains. */
static int rules_mailbox_label(const char *l, size_t n)
{
    /* clang-format off */
    static const char *const mb[] = {
        "inbox", "mailbox", "mail", "email", "e-mail", "webmail", "post",
        "postbox", "posteo", "fastmail", "proton", "protonmail", "gmx", "web",
        "home", "personal", "private", "me", "candidate", "applicant",
        "student", "student-mail", "hey", "tutanota", "zoho", "yandex",
        "mymail", "freemail", "gmail", "googlemail", "outlook", "hotmail",
        "live", "yahoo", "icloud", "aol", "msn", "ymail", "rocketmail",
        "hushmail", "mailfence", "runbox", "lycos", "juno", "netzero",
        "earthlink", "sbcglobal", "bellsouth", "optonline", "sympatico",
        "videotron", "btinternet", "btopenworld", "virginmedia", "ntlworld",
        "talktalk", "blueyonder", "tiscali", "eircom", "wanadoo", "laposte",
        "neuf", "t-online", "freenet", "arcor", "kabelmail", "bluewin",
        "hispeed", "chello", "ziggo", "kpnmail", "kpnplanet", "hetnet",
        "xs4all", "casema", "skynet", "libero", "virgilio", "alice", "tin",
        "fastwebnet", "iol", "inwind", "uol", "bol", "sapo", "clix",
        "netcabo", "prodigy", "rediffmail", "rediff", "sify", "bigpond",
        "optusnet", "iinet", "xtra", "seznam", "volny", "onet", "interia",
        "poczta", "tlen", "mail-ru", "rambler", "ukr", "abv", "hanmail",
        "qq", "163", "126", "aliyun", "nifty", "biglobe", "correo",
        "correio", "brevlada", "skrzynka", "centrum", "wp", "buzon",
        "courriel", "postfach", NULL};
    /* clang-format on */
    if (rules_label_in(l, n, mb))
        return 1;
    /* "laposte-mail", "libero-mail", "correo-uol": a provider's name with
     * a mail word, and any label that ends in "-mail" */
    static const char *const affix[] = {"-mail", "mail", "-correo", NULL};
    for (size_t i = 0; affix[i]; i++) {
        size_t al = strlen(affix[i]);
        if (n > al + 1 && strncasecmp(l + n - al, affix[i], al) == 0 &&
            (affix[i][0] == '-' || rules_label_in(l, n - al, mb)))
            return 1;
    }
    if (n > 7 && strncasecmp(l, "correo-", 7) == 0)
        return 1;
    return 0;
}

/* The organisation label of a domain: "northwind" for
 * "mail.northwind.example" or "northwind.co.uk". */
static size_t rules_domain_label(const rules_ctx_t *c, const char *addr,
                                 const char **label)
{
    if (addr == NULL)
        return 0;
    const char *at = strrchr(addr, '@');
    const char *d = at ? at + 1 : addr;
    const rules_sender_t *s = rules_db_sender(c->db, d);
    /* the address listed alone: calendar-notification@google.com (trial
     * 88: "Google" for Google Calendar's invitations) */
    if (s == NULL && at != NULL)
        s = rules_db_sender(c->db, addr);
    if (s != NULL)
        return 0; /* a vendor or a mailbox provider, not the organisation */
    const char *labs[8];
    size_t lens[8], n = 0;
    const char *p = d;
    while (*p && n < 8) {
        size_t l = strcspn(p, ".");
        labs[n] = p;
        lens[n++] = l;
        p += l;
        if (*p == '.')
            p++;
    }
    if (n < 2)
        return 0;
    size_t k = n - 2;
    if (n >= 3 && lens[n - 1] == 2 &&
        (strncmp(labs[k], "co", lens[k]) == 0 ||
         strncmp(labs[k], "com", lens[k]) == 0 ||
         strncmp(labs[k], "org", lens[k]) == 0))
        k--;
    /* "careers.acme.example.com": the label below a placeholder name */
    if (k > 0 && rules_placeholder(labs[k], lens[k]))
        k--;
    if (rules_mailbox_label(labs[k], lens[k]) ||
        rules_placeholder(labs[k], lens[k]))
        return 0; /* a personal mailbox: "jo@inbox.test" */
    *label = labs[k];
    return lens[k];
}

/* The organisation label of a domain as a candidate. */
static void rules_domain_cand(rules_ctx_t *c, const char *addr, double weight)
{
    const char *lab = NULL;
    size_t n = rules_domain_label(c, addr, &lab);
    if (n > 0)
        rules_cand_add(c, lab, n, weight, 1);
}

/* Mail servers and sending services whose name ends Message-IDs
 * ("...@mail.gmail.com", "...@eu-west-1.amazonses.com"). */
static int rules_mailer_label(const char *l, size_t n)
{
    static const char *const m[] = {
        "google",        "amazonses",   "sendgrid", "mailgun",    "mandrillapp",
        "sparkpostmail", "mtasv",       "mcsv",     "mailchimp",  "mcdlv",
        "rsgsv",         "postmarkapp", "hubspot",  "salesforce", "exacttarget",
        "smtp",          "mx",          "mailer",   "msgid",      "server",
        "prod",          "protection",  "apple",    "localhost",  "localdomain",
        "lan",           "host",        "mta",      NULL};
    return rules_label_in(l, n, m);
}

/* The organisation label of a Message-ID's domain ("<...@acme.example>"),
 * or 0 when it names a vendor, a mailbox provider or a mail service. */
static size_t rules_msgid_label(const rules_ctx_t *c, const char *id,
                                const char **label)
{
    const char *at = id ? strrchr(id, '@') : NULL;
    if (at == NULL)
        return 0;
    char host[256];
    size_t hl = strcspn(at + 1, "> \t");
    if (hl == 0 || hl >= sizeof host)
        return 0;
    rules_lower(at + 1, hl, host, sizeof host);
    size_t n = rules_domain_label(c, host, label);
    if (n == 0 || rules_mailer_label(*label, n))
        return 0;
    /* the label points into host: keep it in the id (same offsets) */
    *label = at + 1 + (*label - host);
    return n;
}

/* The organisation that wrote the message or the one it answers, from
 * the Message-ID (weight 1) and the In-Reply-To / References (0.5): the
 * mail servers of a company name their ids after its domain. Not counted
 * again when it is the sender's own domain. */
static void rules_msgid_cands(rules_ctx_t *c, const char *from_addr)
{
    const char *flab = NULL;
    size_t fl = rules_domain_label(c, from_addr, &flab);
    const char *seen[8];
    size_t seen_len[8], nseen = 0;
    const char *ids[10];
    size_t nid = 0;
    ids[nid++] = rules_company_jstr(c->email, "message_id");
    ids[nid++] = rules_company_jstr(c->email, "in_reply_to");
    const json_t *refs = json_object_get(c->email, "references");
    size_t i;
    const json_t *r;
    json_array_foreach(refs, i, r)
    {
        if (nid == 10)
            break;
        ids[nid++] = json_string_value(r);
    }
    for (size_t k = 0; k < nid; k++) {
        const char *lab = NULL;
        size_t n = rules_msgid_label(c, ids[k], &lab);
        if (n == 0 || (n == fl && strncasecmp(lab, flab, n) == 0))
            continue;
        int dup = 0;
        for (size_t j = 0; j < nseen; j++)
            if (seen_len[j] == n && strncasecmp(seen[j], lab, n) == 0)
                dup = 1;
        if (dup || nseen == 8)
            continue;
        seen[nseen] = lab;
        seen_len[nseen++] = n;
        int saved = c->origin;
        c->origin = RULES_O_HEADER;
        rules_cand_add(c, lab, n, k == 0 ? 1.0 : 0.5, 1);
        c->origin = saved;
    }
}

/* Whether address or Message-ID `id` ("<...@goodtime.io>") is a
 * scheduling or calendar service's. */
static int rules_scheduling_id(const rules_ctx_t *c, const char *id)
{
    const char *at = id != NULL ? strrchr(id, '@') : NULL;
    char host[256];
    size_t hl = at != NULL ? strcspn(at + 1, "> \t") : 0;
    if (hl == 0 || hl >= sizeof host)
        return 0;
    memcpy(host, at + 1, hl);
    host[hl] = '\0';
    const rules_sender_t *s = rules_db_sender(c->db, host);
    return s != NULL &&
           (s->kind == RULES_K_SCHEDULING || s->kind == RULES_K_MEETING);
}

/* Whether the message is from a scheduling or calendar service, or is
 * the user's own reply to one (no known sender; a recipient, the
 * In-Reply-To or a References id is one's): "Re: Technical Interview with
 * Marcus Lee (Quillfeather Labs)" (trials 21, 22). Their subjects name the
 * interviewer, then the company in brackets. */
static int rules_scheduling_mail(const rules_ctx_t *c)
{
    if (c->sender != NULL)
        return c->sender->kind == RULES_K_SCHEDULING ||
               c->sender->kind == RULES_K_MEETING;
    if (rules_scheduling_id(c, rules_company_jstr(c->email, "in_reply_to")))
        return 1;
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(c->email, "to"), i, a)
    {
        if (rules_scheduling_id(c, rules_company_jstr(a, "address")))
            return 1;
    }
    json_array_foreach(json_object_get(c->email, "references"), i, a)
    {
        if (i < 10 && rules_scheduling_id(c, json_string_value(a)))
            return 1;
    }
    return 0;
}

static int rules_tok_connector(const rules_tok_t *tk)
{
    return strcmp(tk->w, "of") == 0 || strcmp(tk->w, "de") == 0 ||
           strcmp(tk->w, "and") == 0 || strcmp(tk->w, "und") == 0 ||
           strcmp(tk->w, "y") == 0 || strcmp(tk->w, "du") == 0;
}

static int rules_title_word(const char *w, size_t n);

/* 1 if the word as written has a capital letter: "Data", "iOS". */
static int rules_tok_has_upper(const rules_text_t *t, const rules_tok_t *tk)
{
    const char *o = t->seg[tk->seg].text + tk->off;
    for (size_t k = 0; k < tk->end - tk->off; k++)
        if (isupper((unsigned char)o[k]))
            return 1;
    return (tk->flags & RULES_T_CAP) != 0;
}

/* Stop words that never start a name but go on one after a pattern
 * ("sent to Jabuticaba Tech", "Cobaltline Engineering", "Marrowick
 * University"): 1; 2 for those that go on the name a domain spells too
 * ("Marea Nostra Tech" for "mareanostra"; not "Orbitfold Technical
 * Screen", "Meridian Aerospace University Recruiting"). stopwords.tsv has
 * them so that "Tech Lead" or "Design Review" is no company. */
static int rules_name_going_on(const char *w)
{
    static const char *const g[] = {"tech",        "global",     "design",
                                    "engineering", "university", "technical",
                                    "corporate",   NULL};
    for (size_t i = 0; g[i]; i++)
        if (strcmp(w, g[i]) == 0)
            return i < 3 ? 2 : 1;
    return 0;
}

/* 1 for "2025", "1999", "2nd", "21st", "3rd", "4th". */
static int rules_year_or_ordinal(const char *w, size_t n)
{
    size_t d = strspn(w, "0123456789");
    if (d == 4 && n == 4 &&
        (strncmp(w, "19", 2) == 0 || strncmp(w, "20", 2) == 0))
        return 1;
    return d >= 1 && d <= 3 && n == d + 2 &&
           (strcmp(w + d, "st") == 0 || strcmp(w + d, "nd") == 0 ||
            strcmp(w + d, "rd") == 0 || strcmp(w + d, "th") == 0);
}

/* Capture a name after (dir = 1) or before (dir = -1) token `from`.
 * Returns the number of tokens captured; *first and *last are set. */
/* 1 if token i is a gender-inclusive ending written onto the word before
 * it: "Ingeniero/a", "Desarrollador/a", "Développeur·se", "Ingénieur·e",
 * "Entwickler/in" (trial 84 got the roles "Ingeniero", "Développeur"). */
static int rules_gender_ending(const rules_text_t *t, size_t i)
{
    static const char *const e[] = {"a",  "e",     "o",    "in",   "innen",
                                    "se", "ne",    "ra",   "euse", "rice",
                                    "x",  "trice", "eure", NULL};
    if (i == 0 || t->tok[i].seg != t->tok[i - 1].seg || t->tok[i].len > 5)
        return 0;
    const char *g = t->seg[t->tok[i].seg].text + t->tok[i - 1].end;
    size_t gl = t->tok[i].off - t->tok[i - 1].end;
    if (!(gl == 1 && g[0] == '/') && !(gl == 2 && (unsigned char)g[0] == 0xc2 &&
                                       (unsigned char)g[1] == 0xb7))
        return 0;
    for (size_t k = 0; e[k]; k++)
        if (strlen(e[k]) == t->tok[i].len &&
            strncmp(t->tok[i].w, e[k], t->tok[i].len) == 0)
            return 1;
    return 0;
}

/* A name that starts with a number, written as one word with a capital
 * after the digits: "3Sixty", "4Front" (writer w17), not "10AM", "2nd". */
static int rules_digit_name(const rules_text_t *t, const rules_tok_t *tk)
{
    if (!(tk->flags & RULES_T_DIGIT))
        return 0;
    const char *o = t->seg[tk->seg].text + tk->off;
    size_t n = tk->end - tk->off, d = 0;
    while (d < n && d < 3 && isdigit((unsigned char)o[d]))
        d++;
    if (d == 0 || d + 3 > n || !isupper((unsigned char)o[d]))
        return 0;
    for (size_t k = d + 1; k < n; k++)
        if (!islower((unsigned char)o[k]))
            return 0;
    return 1;
}

static size_t rules_capture(const rules_ctx_t *c, size_t from, int dir,
                            size_t max, int is_role, size_t *first,
                            size_t *last)
{
    const rules_text_t *t = &c->text;
    if (from >= t->ntok)
        return 0;
    uint16_t seg = t->tok[from].seg;
    size_t n = 0;
    size_t i = from;
    size_t lastgood = from;
    while (n < max && i < t->ntok && t->tok[i].seg == seg) {
        const rules_tok_t *tk = &t->tok[i];
        if (n > 0) {
            /* a break between this token and the captured run ends it */
            const rules_tok_t *later = dir > 0 ? tk : &t->tok[i + 1];
            if ((later->flags & RULES_T_BREAK) &&
                !(is_role && dir > 0 && rules_gender_ending(t, i)))
                break;
            /* so does a dash or a comma between words: "Hi Jo - Acme" */
            const rules_tok_t *a = dir > 0 ? &t->tok[i - 1] : tk;
            const char *g = t->seg[seg].text + a->end;
            size_t gl = later->off - a->end;
            if (!is_role && gl > 0 && strspn(g, " &'.") < gl &&
                !(gl == 1 && g[0] == '-'))
                break;
        }
        if (n == 0 && dir > 0 && (tk->flags & RULES_T_BREAK) && i > 0 &&
            t->tok[i - 1].seg == seg) {
            /* "interview with. Next" stops; "my client, Acme" and "the client
             * (Acme)" do not, nor a role's "Position: Backend Engineer" */
            const char *g = t->seg[seg].text + t->tok[i - 1].end;
            size_t gl = t->tok[i].off - t->tok[i - 1].end;
            if (gl == 0 || strspn(g, is_role ? ", (:" : ", (") < gl)
                break;
        }
        int cap = (tk->flags & RULES_T_CAP) != 0;
        int ok;
        if (n == 0 && !is_role && rules_digit_name(t, tk))
            ok = 1;
        else if (n == 0)
            ok = cap && (!rules_db_is_stop(c->db, tk->w) ||
                         (is_role && rules_title_word(tk->w, tk->len)) ||
                         /* "position at The Quillon Group" (trial 30) */
                         (!is_role && dir > 0 && tk->len == 3 &&
                          strcmp(tk->w, "the") == 0 && i + 1 < t->ntok &&
                          t->tok[i + 1].seg == seg &&
                          (t->tok[i + 1].flags & RULES_T_CAP) &&
                          !(t->tok[i + 1].flags & RULES_T_BREAK) &&
                          !rules_db_is_stop(c->db, t->tok[i + 1].w)));
        else
            ok =
                cap || (tk->flags & RULES_T_DIGIT) ||
                (is_role && tk->len <= 3 && isupper((unsigned char)tk->w[0])) ||
                (is_role && dir > 0 && rules_gender_ending(t, i)) ||
                (rules_tok_connector(tk) && dir > 0 && i + 1 < t->ntok &&
                 (t->tok[i + 1].flags & RULES_T_CAP));
        /* a year or an ordinal ends a name: "Hamni Foods 2025 2nd half
         * hiring" (not "Studio 54") */
        if (ok && n > 0 && !is_role && rules_year_or_ordinal(tk->w, tk->len))
            break;
        if (!ok)
            break;
        if (cap && rules_db_is_stop(c->db, tk->w) && n > 0 && !is_role &&
            rules_name_going_on(tk->w)) {
            /* "Jabuticaba Tech", "Cobaltline Engineering" */
        } else if (cap && rules_db_is_stop(c->db, tk->w) && n > 0) {
            /* "applying to Build Engineer at ...": a role, not a name */
            if (!is_role && dir > 0)
                return 0;
            /* ...and a role goes on through its title words: "the
             * position of Platform Engineer at ..." (it was "Platform") */
            if (!is_role || !rules_title_word(tk->w, tk->len))
                break;
        }
        lastgood = i;
        n++;
        if (dir < 0) {
            if (i == 0)
                break;
            i--;
        } else
            i++;
    }
    if (n == 0)
        return 0;
    /* do not end on a connector */
    while (n > 1 && rules_tok_connector(&t->tok[lastgood])) {
        lastgood = dir > 0 ? lastgood - 1 : lastgood + 1;
        n--;
    }
    *first = dir > 0 ? from : lastgood;
    *last = dir > 0 ? lastgood : from;
    return n;
}

/* Words that cannot start a role title ("the", "a", "our"). */
static int rules_is_article(const char *w)
{
    static const char *const a[] = {"the",  "a",   "an",  "our", "your", "this",
                                    "that", "der", "die", "das", "le",   "la",
                                    "el",   "un",  "une", NULL};
    for (size_t i = 0; a[i]; i++)
        if (strcmp(w, a[i]) == 0)
            return 1;
    return 0;
}

/* Grades that make no role alone: "application for Senior iOS Engineer"
 * captures "Senior" ("iOS" is not capitalised), "Position: Sr. Manager"
 * "Sr" (the capture stops at the dot). */
static int rules_is_grade(const char *w)
{
    static const char *const g[] = {"senior",    "sr",    "junior", "jr",
                                    "principal", "staff", "lead",   NULL};
    for (size_t i = 0; g[i]; i++)
        if (strcmp(w, g[i]) == 0)
            return 1;
    return 0;
}

static int rules_title_piece(const char *s, size_t n);
static int rules_title_head_end(const char *s, size_t n);
static int rules_title_head_last(const char *name);
static int rules_agency_key(const char *key);
static void rules_cut_hiring_words(char *name);
static int rules_name_spells_domain(const rules_ctx_t *c, const char *name,
                                    const char *addr);

/* A job title's noun just before "at" names where the job is: "Supply
 * Chain Planner at Calloway Foods", "Recruiter en Nómada Cloud", "UX
 * designer at Tallowtree" (a job board's listing, a signature's title).
 * Not when the title is the reader's own ("your work as a Staff Engineer
 * at Ostrava Rail": the reader's employer): none of the words of `mine`
 * in the six words before. Weighs less than the prose patterns of
 * extract.tsv ("position at"), more than the sender's domain. */
static void rules_title_at_cands(rules_ctx_t *c)
{
    static const char *const at[] = {"at",   "en",  "presso", "bei",
                                     "chez", "bij", NULL};
    static const char *const noun[] = {
        "engineer",       "developer",     "designer",
        "analyst",        "planner",       "manager",
        "lead",           "specialist",    "scientist",
        "recruiter",      "consultant",    "coordinator",
        "director",       "architect",     "accountant",
        "technician",     "administrator", "officer",
        "assistant",      "ingeniero",     "ingeniera",
        "ingénieur",      "ingénieure",    "ingegnere",
        "entwickler",     "entwicklerin",  "desarrollador",
        "desarrolladora", "développeur",   "développeuse",
        "sviluppatore",   "analista",      NULL};
    /* "your work as a ...", "you've been a ...", "your current ..." (not
     * "your assessment for Lead Data Engineer at Voltmark") */
    static const char *const mine[] = {"as",      "you",       "been",
                                       "current", "currently", NULL};
    const rules_text_t *t = &c->text;
    int saved = c->origin;
    c->origin = RULES_O_TEXT;
    for (size_t i = 1; i + 1 < t->ntok; i++) {
        const rules_tok_t *tk = &t->tok[i];
        const rules_tok_t *prev = &t->tok[i - 1];
        if (prev->seg != tk->seg || (tk->flags & RULES_T_BREAK) ||
            !rules_label_in(tk->w, tk->len, at))
            continue;
        if (!rules_label_in(prev->w, prev->len, noun)) /* not "engineers" */
            continue;
        int own = 0;
        for (size_t k = i - 1; k > 0 && k + 7 > i && !own; k--) {
            const rules_tok_t *b = &t->tok[k - 1];
            if (b->seg != tk->seg)
                break;
            own = rules_label_in(b->w, b->len, mine);
            if (t->tok[k].flags & RULES_T_BREAK)
                break;
        }
        if (own)
            continue;
        size_t first = 0, last = 0;
        if (rules_capture(c, i + 1, 1, 5, 0, &first, &last) == 0)
            continue;
        const char *s = t->seg[tk->seg].text + t->tok[first].off;
        size_t len = t->tok[last].end - t->tok[first].off;
        /* a name a pattern has already counted ("applying for Front
         * Office Manager at Velora Grand Dubai") is not counted twice */
        char name[128], key[128];
        if (len >= sizeof name || rules_title_piece(s, len))
            continue;
        memcpy(name, s, len);
        name[len] = '\0';
        rules_org_key(name, key, sizeof key);
        int known = 0;
        for (size_t k = 0; k < c->ncand && !known; k++)
            known = strcmp(c->cand[k].key, key) == 0;
        if (!known)
            rules_cand_add(c, s, len, 1.5, 2);
    }
    c->origin = saved;
}

/* Words between a client pattern and the client's name: articles and
 * "is" ("il nostro cliente, la Vetreria ...", "notre client est ..."). */
static int rules_client_article(const char *w)
{
    static const char *const a[] = {
        "la",  "il",  "le", "les", "el",  "los", "las", "lo",  "l", "o", "die",
        "der", "das", "de", "het", "est", "is",  "es",  "ist", "è", "é", NULL};
    return rules_label_in(w, strlen(w), a);
}

/* A word before a role, written in lower case, that is no part of it: a
 * kind of contract ("contract", "permanent", "freelance", "temporary",
 * "interim") or of opening ("the open Staff Engineer role", trial 38). */
static int rules_contract_word(const char *w)
{
    static const char *const k[] = {
        "contract", "permanent",  "freelance", "temporary", "interim",
        "open",     "new",        "vacant",    "current",   "available",
        "exciting", "advertised", NULL};
    return rules_label_in(w, strlen(w), k);
}

/* A word that starts a job's reference, not its title ("Job: Requisition
 * R-20931", trial 37). */
static int rules_reference_word(const char *w)
{
    static const char *const k[] = {"requisition", "req", "reference", "ref",
                                    "id",          "no",  "number",    NULL};
    return rules_label_in(w, strlen(w), k);
}

/* Apply extraction patterns of one kind; company candidates are added,
 * the first role found is returned (malloc'd) or NULL. */
char *rules_extract(rules_ctx_t *c, int want_role)
{
    c->origin = RULES_O_TEXT;
    const rules_db_t *db = c->db;
    const rules_text_t *t = &c->text;
    for (size_t x = 0; x < db->nextract; x++) {
        const rules_extract_t *ex = &db->extract[x];
        if (ex->is_role != want_role)
            continue;
        const rules_phrase_t *anchor = ex->before.nw ? &ex->before : &ex->after;
        int found = 0;
        for (size_t i = 0; i < t->ntok; i++) {
            if (!rules_word_eq(&anchor->w[0], &t->tok[i]))
                continue;
            uint16_t seg = t->tok[i].seg;
            long aend = rules_match_at(t, anchor, 1, i + 1, seg);
            if (aend < 0)
                continue;
            size_t first = 0, last = 0, n = 0;
            if (ex->before.nw && ex->after.nw) {
                /* words between the two anchors */
                for (size_t k = (size_t)aend;
                     k < t->ntok && k < (size_t)aend + 8 &&
                     t->tok[k].seg == seg;
                     k++) {
                    if (k > (size_t)aend && (t->tok[k].flags & RULES_T_BREAK))
                        break;
                    int at_after =
                        rules_match_at(t, &ex->after, 0, k, seg) >= 0;
                    /* a company name is capitalised: "the Acme team", not
                     * "the whole team" */
                    if (!want_role && !at_after &&
                        (!(t->tok[k].flags & (RULES_T_CAP | RULES_T_DIGIT)) ||
                         (k == (size_t)aend &&
                          rules_db_is_stop(db, t->tok[k].w))) &&
                        !(k > (size_t)aend && rules_tok_connector(&t->tok[k])))
                        break;
                    if (at_after && k > (size_t)aend) {
                        first = (size_t)aend;
                        last = k - 1;
                        n = k - (size_t)aend;
                        /* the pattern's start again inside: "for the final
                         * round for the ML Engineer position" is "ML
                         * Engineer" (trial 88) */
                        for (size_t j = first + 1; want_role && j <= last;
                             j++) {
                            long e = rules_match_at(t, &ex->before, 0, j, seg);
                            if (e > 0 && (size_t)e <= last) {
                                n -= (size_t)e - first;
                                first = (size_t)e;
                                j = first;
                            }
                        }
                        /* a phrase, not a title: "our needs for the role",
                         * "our team will review ... against the role";
                         * "our first dedicated Data Analyst role" is "Data
                         * Analyst" */
                        for (size_t j = first; want_role && n > 0 && j <= last;
                             j++) {
                            const rules_tok_t *tj = &t->tok[j];
                            if (!(tj->flags & RULES_T_CAP) &&
                                rules_db_is_stop(db, tj->w) &&
                                !rules_title_word(tj->w, tj->len) &&
                                !rules_tok_connector(tj))
                                n = 0;
                        }
                        size_t cap = first;
                        while (want_role && n > 0 && cap <= last &&
                               !rules_tok_has_upper(t, &t->tok[cap]))
                            cap++;
                        if (cap <= last && cap > first) {
                            n -= cap - first;
                            first = cap;
                        }
                        break;
                    }
                }
            } else if (ex->before.nw) {
                size_t from = (size_t)aend;
                /* the name is in the anchor's segment: "Gameplay Programmer
                 * position" ending the subject does not capture the
                 * text's first words (trial 36 got the role "Gamepla") */
                if (from >= t->ntok || t->tok[from].seg != seg)
                    continue;
                /* "il nostro cliente, la Vetreria Muranese", "notre client
                 * est Sorelec": an article or "is" before a client's name */
                if (!want_role && ex->weight >= RULES_CLIENT_WEIGHT &&
                    from + 1 < t->ntok && t->tok[from + 1].seg == seg &&
                    !(t->tok[from].flags & RULES_T_CAP) &&
                    (t->tok[from + 1].flags & RULES_T_CAP) &&
                    rules_client_article(t->tok[from].w))
                    from++;
                n = rules_capture(c, from, 1, want_role ? 7 : 5, want_role,
                                  &first, &last);
            } else if (i > 0) {
                if ((t->tok[i].flags & RULES_T_BREAK) ||
                    t->tok[i - 1].seg != seg)
                    continue;
                n = rules_capture(c, i - 1, -1, want_role ? 7 : 4, want_role,
                                  &first, &last);
            }
            if (n == 0)
                continue;
            const rules_seg_t *sg = &t->seg[seg];
            const char *s = sg->text + t->tok[first].off;
            size_t len = t->tok[last].end - t->tok[first].off;
            if (want_role) {
                /* "the contract Java Developer role": the kind of contract
                 * is no part of the role (trial 37) */
                while (first < last && !(t->tok[first].flags & RULES_T_CAP) &&
                       rules_contract_word(t->tok[first].w)) {
                    first++;
                    n--;
                    s = sg->text + t->tok[first].off;
                    len = t->tok[last].end - t->tok[first].off;
                }
                if (len < 2 || len > 80 || rules_is_article(t->tok[first].w) ||
                    (n == 1 && rules_is_grade(t->tok[first].w)) ||
                    rules_reference_word(t->tok[first].w))
                    continue;
                char *r = malloc(len + 1);
                if (r != NULL) {
                    memcpy(r, s, len);
                    r[len] = '\0';
                }
                return r;
            }
            /* "Seabright's COO would like": a title, not a company */
            if (rules_title_piece(s, len))
                continue;
            /* a scheduling or calendar service's "Technical Interview with
             * Priya Shah (Brightfield Labs)": the interviewer, then the
             * company in brackets (trial 20) */
            if (rules_scheduling_mail(c)) {
                const char *after = sg->text + t->tok[last].end;
                size_t rest = sg->len - t->tok[last].end;
                const char *close;
                if (rest > 3 && after[0] == ' ' && after[1] == '(' &&
                    isupper((unsigned char)after[2]) &&
                    (close = memchr(after + 2, ')', rest - 2)) != NULL &&
                    close - (after + 2) <= 60 &&
                    memchr(after + 2, '\n', (size_t)(close - (after + 2))) ==
                        NULL) {
                    s = after + 2;
                    len = (size_t)(close - s);
                }
            }
            /* "interview with Dana Holt at Quillfeather Labs": a person
             * at the company (patterns ending in "with") */
            size_t f2 = 0, l2 = 0;
            const rules_phrase_t *bp = &ex->before;
            if (bp->nw > 0 && last + 2 < t->ntok &&
                bp->w[bp->nw - 1].w != NULL &&
                strcmp(bp->w[bp->nw - 1].w, "with") == 0 &&
                t->tok[last + 1].seg == seg &&
                strcmp(t->tok[last + 1].w, "at") == 0 &&
                !(t->tok[last + 1].flags & RULES_T_BREAK) &&
                rules_capture(c, last + 2, 1, 5, 0, &f2, &l2) > 0) {
                s = sg->text + t->tok[f2].off;
                len = t->tok[l2].end - t->tok[f2].off;
            }
            if (ex->weight >= RULES_CLIENT_WEIGHT)
                c->client_named = 1;
            /* earlier rows win ties */
            rules_cand_add(c, s, len,
                           ex->weight * (found ? 0.25 : 1.0) +
                               0.001 * (double)(db->nextract - x),
                           2);
            found = 1;
        }
    }
    if (!want_role)
        rules_title_at_cands(c);
    return NULL;
}

/* A job's head noun, the last word of its title (any case). */
static int rules_role_head(const char *w, size_t n)
{
    static const char *const h[] = {"engineer",
                                    "developer",
                                    "programmer",
                                    "architect",
                                    "analyst",
                                    "scientist",
                                    "designer",
                                    "manager",
                                    "consultant",
                                    "specialist",
                                    "administrator",
                                    "technician",
                                    "researcher",
                                    "accountant",
                                    "lead",
                                    "director",
                                    "officer",
                                    "coordinator",
                                    "intern",
                                    "owner",
                                    "tester",
                                    "strategist",
                                    NULL};
    for (size_t i = 0; h[i]; i++)
        if (strlen(h[i]) == n && strncasecmp(w, h[i], n) == 0)
            return 1;
    return 0;
}

/* A word a subject puts before a title it names (lower case): the step
 * or the message ("Interview", "Offer", "Vaga", "Colloquio", "Aanbod",
 * "About"), not part of the job. */
static int rules_role_lead_word(const char *w)
{
    static const char *const k[] = {"about",
                                    "re",
                                    "fw",
                                    "fwd",
                                    "interview",
                                    "fachinterview",
                                    "interviews",
                                    "offer",
                                    "application",
                                    "applying",
                                    "invitation",
                                    "invite",
                                    "assessment",
                                    "vaga",
                                    "vacancy",
                                    "vacature",
                                    "vacante",
                                    "stelle",
                                    "poste",
                                    "ruolo",
                                    "colloquio",
                                    "entrevista",
                                    "convite",
                                    "einladung",
                                    "uitnodiging",
                                    "aanbod",
                                    "proposta",
                                    "oferta",
                                    "candidatura",
                                    "candidature",
                                    "sollicitatie",
                                    "bewerbung",
                                    "opportunity",
                                    "opportunité",
                                    "role",
                                    "position",
                                    "job",
                                    "update",
                                    "next",
                                    "hiring",
                                    "entretien",
                                    "entrevue",
                                    NULL};
    /* German and Dutch compounds: "Vorstellungsgespräch",
     * "Telefoninterview", "Sollicitatiegesprek" (trial 84) */
    static const char *const tail[] = {"gespr\xc3\xa4"
                                       "ch",
                                       "gesprek", "interview", NULL};
    size_t n = strlen(w);
    for (size_t i = 0; tail[i]; i++) {
        size_t tl = strlen(tail[i]);
        if (n > tl && strcmp(w + n - tl, tail[i]) == 0)
            return 1;
    }
    return rules_label_in(w, n, k);
}

/* A grade written after a title: "II", "III", "IV", "2". */
static int rules_role_grade(const char *w, size_t n)
{
    if (n >= 1 && n <= 2 && strspn(w, "0123456789") == n)
        return 1;
    return n >= 1 && n <= 4 && strspn(w, "IVX") == n;
}

/* rules_subject_role() in one piece of the subject (p, n bytes, no
 * separator inside): the last head noun that ends a run of capitalised
 * words. 1 with *rs, *rl set. */
static int rules_piece_role(const rules_ctx_t *c, const char *p, size_t n,
                            const char **rs, size_t *rl)
{
    const char *w[24];
    size_t wl[24], nw = 0;
    for (size_t i = 0; i < n && nw < 24;) {
        while (i < n && p[i] == ' ')
            i++;
        size_t s = i;
        while (i < n && p[i] != ' ')
            i++;
        if (i > s) {
            w[nw] = p + s;
            wl[nw++] = i - s;
        }
    }
    for (size_t k = nw; k-- > 0;) {
        if (!isupper((unsigned char)w[k][0]) || !rules_role_head(w[k], wl[k]))
            continue;
        size_t end = k; /* "Software Engineer II" */
        if (end + 1 < nw && rules_role_grade(w[end + 1], wl[end + 1]))
            end++;
        /* "Developer Tools": a name goes on after it */
        if (end + 1 < nw && isupper((unsigned char)w[end + 1][0]))
            continue;
        size_t first = k;
        while (first > 0 && k - first < 5 &&
               (isupper((unsigned char)w[first - 1][0]) ||
                (wl[first - 1] == 1 && w[first - 1][0] == '&'))) {
            char low[64];
            rules_lower(w[first - 1], wl[first - 1], low, sizeof low);
            /* a reference ("Ref NMC/2026/0455 Planning Officer") */
            if ((rules_db_is_stop(c->db, low) && !rules_is_grade(low)) ||
                strpbrk(low, "/0123456789") != NULL)
                break;
            first--;
        }
        /* what the subject says about it: "Vaga UX Researcher",
         * "Colloquio Frontend Developer", "Exciting Site Reliability
         * Engineer", "Aanbod Medior Developer" */
        while (first < k) {
            char low[64];
            rules_lower(w[first], wl[first], low, sizeof low);
            if (!rules_role_lead_word(low) && !rules_contract_word(low) &&
                !rules_reference_word(low) && low[0] != '&')
                break;
            first++;
        }
        if (first == k) /* "Engineer" alone is no title */
            continue;
        /* a person met, not a job: "meeting our Chief Nursing Officer"
         * ("Interview with Hiring Manager" is cut to "Manager" above) */
        static const char *const owner[] = {"our", "the", "your", "their",
                                            "my",  "his", "her",  NULL};
        if (first > 0 && rules_label_in(w[first - 1], wl[first - 1], owner))
            continue;
        *rs = w[first];
        *rl = (size_t)(w[end] + wl[end] - w[first]);
        return 1;
    }
    return 0;
}

char *rules_subject_role(const rules_ctx_t *c)
{
    const char *subj = rules_company_jstr(c->email, "subject");
    if (subj == NULL)
        return NULL;
    /* the subject's separators: a title is a piece of its own, or ends
     * one ("Interview with Copperleaf Games - Platform Engineer",
     * "take-home exercise for Software Engineer II") */
    static const char *const cut[] = {
        " - ",    " \xe2\x80\x93 ", " | ",    ": ",           "(", ")", ",",
        " at ",   " with ",         " for ",  " @ ",          "!", "?", " bij ",
        " voor ", " chez ",         " para ", " f\xc3\xbcr ", NULL};
    size_t n = strlen(subj);
    for (size_t a = 0; a < n;) {
        size_t b = n, cl = 0;
        for (size_t i = 0; cut[i]; i++) {
            const char *q = strstr(subj + a, cut[i]);
            if (q != NULL && (size_t)(q - subj) < b) {
                b = (size_t)(q - subj);
                cl = strlen(cut[i]);
            }
        }
        const char *rs;
        size_t rl;
        if (rules_piece_role(c, subj + a, b - a, &rs, &rl) && rl < 80) {
            char *r = malloc(rl + 1);
            if (r != NULL) {
                memcpy(r, rs, rl);
                r[rl] = '\0';
            }
            return r;
        }
        a = b + (cl > 0 ? cl : 1);
    }
    return NULL;
}

/* The sender writes from a personal mailbox (a consumer provider or a
 * placeholder mailbox domain such as inbox.test). */
int rules_personal_sender(const char *addr, const rules_sender_t *s)
{
    /* a role account at a mailbox provider ("careers@proton.me", trial 33)
     * is a company writing, not the candidate: the recipient's domain is
     * not the company then */
    if (s != NULL && s->kind == RULES_K_FREEMAIL)
        return addr == NULL || !rules_role_account(addr);
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (at == NULL || s != NULL)
        return 0;
    const char *d = at + 1;
    size_t l = strcspn(d, ".");
    return rules_mailbox_label(d, l) && d[l] == '.';
}

/* 1 if name is nothing but organisation suffixes ("Recruiting Team",
 * "Talent Acquisition", "HR"). */
static int rules_only_suffix(const rules_db_t *db, const char *name)
{
    char low[256];
    rules_lower(name, strlen(name), low, sizeof low);
    size_t n = strlen(low);
    while (n > 0 && strchr(" -|,:", low[n - 1]) != NULL)
        low[--n] = '\0';
    if (n == 0)
        return 1;
    for (size_t i = 0; i < db->nsuffix; i++)
        if (strcmp(low, db->suffix[i]) == 0)
            return 1;
    return 0;
}

/* 1 if the organisation label of addr's domain (rules_domain_label: not a
 * mail subdomain, nor a vendor's or a mailbox provider's domain) contains
 * the first word of cut (at least five letters of it): "recruit" of
 * " Recruitment" in "southerncross-recruit.example". */
static int rules_domain_spells(const rules_ctx_t *c, const char *addr,
                               const char *cut)
{
    /* the organisation's label, not a mail subdomain: "recruit" is no
     * part of the name in recruit.hamnifoods.example */
    const char *lab = NULL;
    size_t ll = rules_domain_label(c, addr, &lab);
    if (ll == 0)
        return 0;
    while (*cut && !isalpha((unsigned char)*cut))
        cut++;
    char w[64];
    size_t n = 0;
    while (cut[n] && isalpha((unsigned char)cut[n]) && n + 1 < sizeof w) {
        w[n] = (char)tolower((unsigned char)cut[n]);
        n++;
    }
    w[n] = '\0';
    if (n < 5)
        return 0;
    w[n > 7 ? 7 : n] = '\0';
    char host[256];
    rules_lower(lab, ll, host, sizeof host);
    return strstr(host, w) != NULL;
}

/* The words of a name, separated by spaces. */
static size_t rules_count_words(const char *name)
{
    size_t words = 0;
    for (const char *p = name; *p;) {
        p += strspn(p, " ");
        if (*p == '\0')
            break;
        words++;
        p += strcspn(p, " ");
    }
    return words;
}

/* 1 if the body has a line that is the name, or its first word, alone
 * (a signature: "Pam", "Kellan Moss", "- Jo"), and the name has two or
 * three words. */
static int rules_signs_body(const rules_ctx_t *c, const char *name)
{
    const char *body = rules_company_jstr(c->email, "text");
    size_t words = rules_count_words(name);
    if (body == NULL || words < 2 || words > 3)
        return 0;
    size_t first = strcspn(name, " ");
    size_t full = strlen(name);
    const char *p = body;
    int closing = 0; /* the line before ends a letter: "Best," */
    int ended = 0;   /* the line before ends a sentence */
    while (*p) {
        size_t l = strcspn(p, "\r\n");
        const char *s = p;
        size_t n = l;
        while (n > 0 && strchr(" \t-*", *s) != NULL) {
            s++;
            n--;
        }
        size_t raw = n;
        while (n > 0 && strchr(" \t,.", s[n - 1]) != NULL)
            n--;
        /* the full name signs a person when a title or a company line
         * follows ("Kellan Moss\nRecruiter | Granite Peak"); a company
         * signs "Best regards,\nNordvik Retail" last */
        const char *next = p + l;
        if (*next == '\r')
            next++;
        if (*next == '\n')
            next++;
        int more = *next != '\0' && *next != '\r' && *next != '\n';
        if (closing && ((n == full && more && strncmp(s, name, n) == 0) ||
                        (n == first && strncmp(s, name, n) == 0)))
            return 1;
        /* below the last sentence, without a closing: the full name over
         * a company or title line, or the first name alone last
         * ("...working with you!\n\nKatrin") */
        if (ended && raw == n && strncmp(s, name, n) == 0 &&
            ((n == full && more) || (n == first && !more)))
            return 1;
        /* the first name ending a one-line note signs a person ("...
         * I'll send an invite. Femke") */
        if (!more && p == body && raw == n && n > first + 2 &&
            s[n - first - 1] == ' ' && strchr(".!?", s[n - first - 2]) &&
            strncmp(s + n - first, name, first) == 0)
            return 1;
        if (raw > 0) {
            closing = s[raw - 1] == ',' && raw < 40;
            ended = strchr(".!?", s[raw - 1]) != NULL;
        }
        p += l;
        p += strspn(p, "\r\n");
    }
    return 0;
}

/* Candidates from a sender's display name ("Acme Recruiting", "Jo at
 * Acme", "Jo via LinkedIn"), weighed by how surely it names the
 * organisation; the From header or the From line of a forwarded
 * message. */
static void rules_display_cands(rules_ctx_t *c, const char *name,
                                const char *addr, const rules_sender_t *s)
{
    if (name != NULL && *name &&
        !(s != NULL && s->kind == RULES_K_JOBBOARD)) { /* "Jo via LinkedIn" */
        char buf[256];
        snprintf(buf, sizeof buf, "%s", name);
        double w = 0;
        char *org = buf;
        char *via = strstr(buf, " via ");
        char *at = strstr(buf, " at ");
        char *from = strstr(buf, " from ");
        char *de = strstr(buf, " | ");
        if (via != NULL) {
            *via = '\0';
            w = 3;
        } else if (at != NULL || from != NULL) {
            org = at != NULL ? at + 4 : from + 6;
            w = 3;
        } else if (de != NULL) {
            org = de + 3;
            w = 2.5;
        } else {
            /* "HR - Chennai Motors", "Assessment Team - Northmere District
             * Council": a department first; "Jeroen - Houtlab
             * <jeroen@houtlab...>": the writer first */
            size_t dl;
            char *dash = rules_dash(buf, &dl);
            if (dash != NULL && dash > buf && dash[dl] != '\0') {
                *dash = '\0';
                const char *local = addr;
                size_t fl = strcspn(buf, " ");
                if (rules_only_suffix(c->db, buf) ||
                    (local != NULL && fl >= 3 &&
                     strncasecmp(local, buf, fl) == 0 &&
                     !isalnum((unsigned char)local[fl])) ||
                    rules_person_lead(c, buf, strlen(buf)))
                    org = dash + dl;
                else
                    *dash = ' ';
            }
        }
        char whole[256];
        snprintf(whole, sizeof whole, "%s", org);
        if (rules_strip_suffixes(c->db, org)) {
            w = w > 3 ? w : 3;
            /* an agency word cut off is part of the name when the domain spells
             * it too: "Threadline Recruiting <jobs@threadline-recruiting...>"
             * is an agency, not Threadline's recruiting team */
            char cutkey[128];
            rules_org_key(whole + strlen(org), cutkey, sizeof cutkey);
            if (rules_agency_key(cutkey) &&
                rules_domain_spells(c, addr, whole + strlen(org)))
                snprintf(org, sizeof buf - (size_t)(org - buf), "%s", whole);
            else if (strstr(cutkey, "staff") || strstr(cutkey, "recruitment") ||
                     strstr(cutkey, "search") || strstr(cutkey, "headhunt") ||
                     strstr(cutkey, "personnel") ||
                     strstr(cutkey, "placement") ||
                     strstr(cutkey, "personalberat"))
                c->agency_named = 1; /* not "Recruiting", "Talent": an
                                      * in-house team signs so too */
        }
        if (w == 0 && addr != NULL && rules_role_account(addr) &&
            (s == NULL || s->kind != RULES_K_FREEMAIL))
            w = 2.5;
        if (w == 0 && s != NULL &&
            (s->kind == RULES_K_ATS || s->kind == RULES_K_SCHEDULING ||
             s->kind == RULES_K_ASSESSMENT) &&
            addr != NULL && rules_role_account(addr))
            w = 2.5;
        /* a display name that spells the domain names the company:
         * "Gdańsk Maritime Software <rekrutacja@gms.example>" */
        if (w == 0 && rules_name_spells_domain(c, org, addr))
            w = 2.5;
        /* the same with a hiring word before or after it:
         * "Reclutamiento Andes Minería <seleccion@andesmineria...>",
         * "Recruiting Cerfeuil Studio <jobs@cerfeuil...>" (trial 84: a
         * role account had already given it its weight) */
        {
            char bare[256];
            snprintf(bare, sizeof bare, "%s", org);
            rules_cut_hiring_words(bare);
            if (strcmp(bare, org) != 0 &&
                rules_name_spells_domain(c, bare, addr)) {
                memmove(org, bare, strlen(bare) + 1);
                w = w > 2.5 ? w : 2.5;
            }
        }
        /* "Recruiting Team", "Hiring Team", "Selección de Personal" (whole,
         * before "Personal" was cut): no organisation named */
        if (rules_only_suffix(c->db, org) || rules_only_suffix(c->db, whole))
            w = 0;
        /* a person and a job title: "Casey Recruiter", "Dana Lee HR
         * Manager" (trial 89: the company of every message of the fake
         * Gmail's role account) */
        if (w > 0 && rules_title_head_last(org))
            w = 0;
        /* "Pam Whitley <no-reply@hire.lever.co>" signing "Pam": a person
         * writing through the system, not the company */
        if (w == 2.5 && org == buf && rules_signs_body(c, org))
            w = 0;
        if (w > 0)
            rules_cand_add(c, org, strlen(org), w, 3);
    }
}

/* 1 if a lower-cased line opens a forwarded message ("---------- Forwarded
 * message ---------", "Begin forwarded message:", "----- Mail transféré
 * -----"), or with `originals` a quoted original ("-----Original
 * Message-----", "Messaggio originale"). */
static int rules_forward_mark(const char *low, int originals)
{
    static const char *const fwd[] = {
        "forwarded message",    "begin forwarded",
        "mail transféré",       "message transféré",
        "weitergeleitete",      "mensaje reenviado",
        "mensagem encaminhada", "doorgestuurd bericht",
        "messaggio inoltrato",  NULL};
    static const char *const orig[] = {"original message",
                                       "messaggio originale", NULL};
    for (size_t i = 0; fwd[i]; i++)
        if (strstr(low, fwd[i]) != NULL)
            return 1;
    for (size_t i = 0; originals && orig[i]; i++)
        if (strstr(low, orig[i]) != NULL)
            return 1;
    return 0;
}

/* The From line of a message forwarded in the new text ("----- Mail
 * transféré -----\nDe: \"Cabinet Mercier\" <accueil@mercier.example>"):
 * the organisation that wrote the forwarded mail, read as a sender. */
static void rules_forward_cands(rules_ctx_t *c)
{

    static const char *const froms[] = {
        "from:", "de:", "de :", "von:", "van:", "da:", NULL};
    const char *body = rules_company_jstr(c->email, "text");
    if (body == NULL)
        return;
    int marked = 0, lines = 0;
    for (const char *p = body; *p && lines < 400; lines++) {
        size_t l = strcspn(p, "\n");
        char low[160];
        rules_lower(p, l < 150 ? l : 150, low, sizeof low);
        if (!marked) {
            marked = rules_forward_mark(low, 1);
        } else if (marked++ > 8) {
            return;
        } else {
            for (size_t i = 0; froms[i]; i++) {
                size_t fl = strlen(froms[i]);
                const char *lt, *gt;
                if (strncmp(low, froms[i], fl) != 0 ||
                    (lt = memchr(p, '<', l)) == NULL ||
                    (gt = memchr(lt, '>', l - (size_t)(lt - p))) == NULL ||
                    memchr(lt, '@', (size_t)(gt - lt)) == NULL)
                    continue;
                char name[128], addr[128];
                const char *ns = p + fl;
                size_t nl = (size_t)(lt - ns), al = (size_t)(gt - lt - 1);
                if (nl >= sizeof name || al >= sizeof addr)
                    return;
                memcpy(name, ns, nl);
                name[nl] = '\0';
                memcpy(addr, lt + 1, al);
                addr[al] = '\0';
                char *n = name + strspn(name, " \t\"'");
                size_t e = strlen(n);
                while (e > 0 && strchr(" \t\"'", n[e - 1]) != NULL)
                    n[--e] = '\0';
                /* counted as the prose: an agency forwarding its
                 * client's invitation names the client there */
                int saved = c->origin;
                c->origin = RULES_O_TEXT;
                const rules_sender_t *fs = rules_db_sender(c->db, addr);
                rules_display_cands(c, n, addr, fs);
                if (!rules_personal_sender(addr, fs))
                    rules_domain_cand(c, addr, 1.0);
                c->origin = saved;
                return;
            }
        }
        p += l;
        if (*p == '\n')
            p++;
    }
}

/* Whether the message is a reply: In-Reply-To, or a subject led by
 * "Re:" (also "RE:", "re:"). */
int rules_is_reply(const rules_ctx_t *c)
{
    const char *subj = rules_company_jstr(c->email, "subject");
    return rules_company_jstr(c->email, "in_reply_to") != NULL ||
           (subj != NULL && strncasecmp(subj, "re:", 3) == 0);
}

/* The candidate's reply to an applicant-tracking, scheduling or
 * assessment system, or to a no-reply address: a reply (In-Reply-To, or
 * "Re:") whose first recipient is one, from an address that is none
 * ("Sam Okafor <sam.okafor@fernmail.example>" to "Veldkamp Logistics"
 * <noreply@smartrecruiters.com>, trial 37: the company was "Fernmail").
 * Returns that recipient, or NULL. */
static const json_t *rules_reply_to_system(const rules_ctx_t *c)
{
    const char *addr = c->from_addr;
    if (addr == NULL || c->sender != NULL || rules_role_account(addr))
        return NULL;
    if (!rules_is_reply(c))
        return NULL;
    const json_t *to = json_array_get(json_object_get(c->email, "to"), 0);
    const char *ta = rules_company_jstr(to, "address");
    if (ta == NULL)
        return NULL;
    const rules_sender_t *ts = rules_db_sender(c->db, ta);
    int system = ts != NULL &&
                 (ts->kind == RULES_K_ATS || ts->kind == RULES_K_SCHEDULING ||
                  ts->kind == RULES_K_ASSESSMENT);
    const char *local_end = strrchr(ta, '@');
    char local[64];
    size_t ll = local_end ? (size_t)(local_end - ta) : 0;
    if (!system && ll > 0 && ll < sizeof local) {
        memcpy(local, ta, ll);
        local[ll] = '\0';
        system = strstr(local, "noreply") != NULL ||
                 strstr(local, "no-reply") != NULL ||
                 strstr(local, "donotreply") != NULL ||
                 strstr(local, "do-not-reply") != NULL;
    }
    return system ? to : NULL;
}

/* The first recipient with an address, as the company the candidate
 * writes to: its host spelled as a company (slug_weight), its domain's
 * label, and with `with_name` its display name. */
static void rules_recipient_cands(rules_ctx_t *c, double slug_weight,
                                  int with_name)
{
    const json_t *to = json_object_get(c->email, "to");
    size_t ti;
    const json_t *a;
    json_array_foreach(to, ti, a)
    {
        const char *ta = rules_company_jstr(a, "address");
        const char *tat = ta ? strrchr(ta, '@') : NULL;
        if (tat == NULL)
            continue;
        if (with_name)
            rules_display_cands(c, rules_company_jstr(a, "name"), ta,
                                rules_db_sender(c->db, ta));
        char host[256];
        rules_lower(tat + 1, strlen(tat + 1), host, sizeof host);
        rules_slug_from_host(c, host, slug_weight);
        rules_domain_cand(c, ta, 1.0);
        break;
    }
}

void rules_company_of_own_reply(rules_ctx_t *c)
{
    c->origin = RULES_O_SENDER;
    rules_recipient_cands(c, 2.0, 1);
    c->origin = RULES_O_HEADER;
    rules_msgid_cands(c, c->from_addr);
}

void rules_company_from_sender(rules_ctx_t *c)
{
    const json_t *sys_to = rules_reply_to_system(c);
    if (sys_to != NULL) {
        /* the candidate writing: the system's display name names the
         * company ("Veldkamp Logistics" <noreply@smartrecruiters.com>);
         * the candidate's own name and domain do not */
        const char *ta = rules_company_jstr(sys_to, "address");
        c->origin = RULES_O_SENDER;
        rules_display_cands(c, rules_company_jstr(sys_to, "name"), ta,
                            rules_db_sender(c->db, ta));
        rules_forward_cands(c);
        return;
    }
    c->origin = RULES_O_SENDER;
    const char *name = c->from_name;
    const char *addr = c->from_addr;
    const rules_sender_t *s = c->sender;
    /* (a From header encoded whole, address included, is read again by
     * the mail library: defect address-in-encoded-word) */
    char fixed_name[256], fixed_addr[256];
    const char *lt = name ? strrchr(name, '<') : NULL;
    if ((addr == NULL || *addr == '\0') && lt != NULL && strchr(lt, '@')) {
        size_t nl = (size_t)(lt - name);
        snprintf(fixed_name, sizeof fixed_name, "%.*s", (int)nl, name);
        snprintf(fixed_addr, sizeof fixed_addr, "%.*s",
                 (int)strcspn(lt + 1, ">"), lt + 1);
        name = fixed_name;
        addr = fixed_addr;
        s = rules_db_sender(c->db, addr);
    }
    if (s != NULL && s->kind == RULES_K_MEETING) {
        /* "Nethercote Labs <calendar-notification@google.com>": the
         * organiser's name, a person's or the company's; the subject
         * (rules_calendar_subject_cand) outweighs it */
        if (name != NULL && !rules_only_suffix(c->db, name)) {
            char org[256];
            snprintf(org, sizeof org, "%s", name);
            rules_strip_suffixes(c->db, org);
            rules_cand_add(c, org, strlen(org), 1.5, 3);
        }
    } else
        rules_display_cands(c, name, addr, s);
    if (addr != NULL) {
        const char *at = strrchr(addr, '@');
        if (at != NULL) {
            char host[256];
            rules_lower(at + 1, strlen(at + 1), host, sizeof host);
            rules_slug_from_host(c, host, 2.0);
            /* Workday sends from tenant@myworkday.com */
            if (s != NULL && s->kind == RULES_K_ATS &&
                !rules_role_account(addr) && strstr(host, "myworkday") != NULL)
                rules_cand_add(c, addr, (size_t)(at - addr), 2.0, 1);
        }
        rules_domain_cand(c, addr, 1.0);
        /* an applicant-tracking system's mail answered at the company:
         * "Reply-To: katrin.lorenz@lindenhaus.example" (a vendor's or a
         * mailbox provider's domain gives nothing) */
        const json_t *rt =
            json_array_get(json_object_get(c->email, "reply_to"), 0);
        const char *ra = rules_company_jstr(rt, "address");
        const char *rat = ra ? strrchr(ra, '@') : NULL;
        if (rat != NULL && (at == NULL || strcasecmp(rat, at) != 0)) {
            rules_domain_cand(c, ra, 1.0);
            /* "Reply-To: Silverpine Games Recruiting <recruiting@...>" */
            rules_display_cands(c, rules_company_jstr(rt, "name"), ra,
                                rules_db_sender(c->db, ra));
        }
        rules_msgid_cands(c, addr);
        /* the candidate writing (a reply): the recruiter's domain; not a
         * message that starts a conversation, nor an approach, which a
         * recruiter or founder writes from a personal address to the
         * candidate's (trial 38: "Intro: Lena / Tomasz" from gmail gave
         * the user's own domain) */
        if (rules_personal_sender(addr, s) && rules_is_reply(c) &&
            c->label != RULES_RECRUITER_OUTREACH)
            rules_recipient_cands(c, 1.5, 0);
    }
    const json_t *links = json_object_get(c->email, "links");
    size_t i;
    const json_t *l;
    size_t nl = 0;
    json_array_foreach(links, i, l)
    {
        const char *u = rules_company_jstr(l, "url");
        if (u != NULL && nl++ < 50)
            rules_slug_from_url(c, u);
    }
    const json_t *cal = json_object_get(c->email, "calendar");
    json_array_foreach(cal, i, l)
    {
        const json_t *org = json_object_get(l, "organizer");
        rules_domain_cand(c, rules_company_jstr(org, "address"), 1.0);
    }
    rules_forward_cands(c);
}

/* Keys of one word for spelling a domain: [0] with accents folded
 * ("münchen" -> "munchen", "łódź" -> "lodz"), [1] with German umlauts
 * written out ("muenchen", "strasse"), as domains spell them. */
static void rules_word_keys(const char *w, size_t n, char k[2][64])
{
    static const struct {
        const char *from, *to;
    } fold[] = {{"\xc3\xa4", "ae"}, {"\xc3\xb6", "oe"}, {"\xc3\xbc", "ue"},
                {"\xc3\x9f", "ss"}, {"\xc4\x85", "a"},  {"\xc4\x87", "c"},
                {"\xc4\x99", "e"},  {"\xc5\x82", "l"},  {"\xc5\x81", "l"},
                {"\xc5\x84", "n"},  {"\xc5\x9b", "s"},  {"\xc5\xba", "z"},
                {"\xc5\xbc", "z"},  {"\xc4\x8d", "c"},  {"\xc5\xa1", "s"},
                {"\xc5\xbe", "z"},  {"\xc5\x99", "r"},  {"\xc5\x91", "o"},
                {"\xc5\xb1", "u"},  {"\xc4\x9f", "g"},  {"\xc5\x9f", "s"},
                {"\xc4\xb1", "i"},  {"\xc4\x9b", "e"}};
    for (int v = 0; v < 2; v++) {
        char tmp[128];
        size_t o = 0;
        for (size_t i = 0; i < n && o + 3 < sizeof tmp;) {
            size_t f = 0, nf = sizeof fold / sizeof fold[0];
            for (; f < nf; f++)
                if (i + 1 < n && memcmp(w + i, fold[f].from, 2) == 0 &&
                    (v == 1 || f >= 4))
                    break;
            if (f < nf) {
                size_t tl = strlen(fold[f].to);
                memcpy(tmp + o, fold[f].to, tl);
                o += tl;
                i += 2;
            } else
                tmp[o++] = w[i++];
        }
        tmp[o] = '\0';
        rules_org_key(tmp, k[v], sizeof k[v]); /* folds Latin-1 accents */
    }
}

/* A particle that joins the words of a name ("del", "de", "von", "van",
 * "&", "and"): its key, empty for "&". */
static int rules_name_particle(const char *key)
{
    static const char *const x[] = {"",    "de",  "del", "do",  "da", "dos",
                                    "das", "des", "du",  "di",  "la", "le",
                                    "von", "van", "der", "den", "y",  "e",
                                    "et",  "und", "and", "of",  "en", NULL};
    for (size_t i = 0; x[i]; i++)
        if (strcmp(key, x[i]) == 0)
            return 1;
    return 0;
}

/* 1 if slug[si..] is spelled by words wi.. of keys, each word giving a
 * prefix of itself (its whole key, a few letters or its initial):
 * "arcadiafw" by "Arcadia Freightworks", "gms" by "Gdansk Maritime
 * Software", "spvarejo" by "Sao Paulo Varejo". *used gets the number of
 * words used, *whole whether each gave its whole key. Longer prefixes are
 * tried first. */
static int rules_spells(const char *slug, size_t si, char (*keys)[2][64],
                        size_t nw, size_t wi, size_t *used, int *whole)
{
    size_t sl = strlen(slug);
    if (si == sl) {
        *used = wi;
        *whole = 1;
        return 1;
    }
    if (wi == nw)
        return 0;
    /* a particle inside a name may be left out: "telistmo" for
     * "Telefónica del Istmo", "wattlestone" for "Wattle & Stone" */
    if (si > 0 && wi + 1 < nw && rules_name_particle(keys[wi][0]) &&
        rules_spells(slug, si, keys, nw, wi + 1, used, whole))
        return 1;
    for (int v = 0; v < 2; v++) {
        const char *k = keys[wi][v];
        size_t kl = strlen(k);
        if (v == 1 && strcmp(k, keys[wi][0]) == 0)
            break;
        for (size_t l = kl < sl - si ? kl : sl - si; l >= 1; l--) {
            if (strncmp(slug + si, k, l) != 0)
                continue;
            if (rules_spells(slug, si + l, keys, nw, wi + 1, used, whole)) {
                if (l < kl)
                    *whole = 0;
                return 1;
            }
        }
    }
    return 0;
}

/* 1 if the words of name spell the organisation label of addr's domain
 * ("Gdańsk Maritime Software" and gms.example, "Nimbus Payments" and
 * nimbuspay.example): the display name is the company's, not a
 * person's. */
static int rules_name_spells_domain(const rules_ctx_t *c, const char *name,
                                    const char *addr)
{
    const char *lab = NULL;
    size_t ll = rules_domain_label(c, addr, &lab);
    char slug[64];
    if (ll < 3 || ll >= sizeof slug)
        return 0;
    memcpy(slug, lab, ll);
    slug[ll] = '\0';
    return rules_slug_spells_name(slug, name);
}

int rules_slug_spells_name(const char *slug, const char *name)
{
    char key[64];
    rules_org_key(slug, key, sizeof key);
    char keys[5][2][64];
    size_t nw = 0;
    for (const char *p = name; *p && nw < 5;) {
        p += strspn(p, " ");
        size_t l = strcspn(p, " ");
        if (l == 0)
            break;
        if (l >= 64)
            return 0;
        char low[64];
        rules_lower(p, l, low, sizeof low);
        rules_word_keys(low, strlen(low), keys[nw++]);
        p += l;
    }
    if (nw == 0)
        return 0;
    size_t used = 0;
    int whole = 0;
    return key[0] != '\0' && key[0] == keys[0][0][0] &&
           rules_spells(key, 0, keys, nw, 0, &used, &whole) && used + 1 >= nw &&
           (used >= 2 || strlen(key) >= 4);
}

/* Words that follow a company's name without being part of it: a
 * department, a programme, an office, a region ("Hoshino Electric Head
 * Office", "Wexford Telecom Graduate Scheme", "Glenrock Chemicals UK"). */
static int rules_not_name_word(const char *w)
{
    /* clang-format off */
    static const char *const x[] = {
        "head", "office", "hr", "rh", "rrhh", "team", "people", "careers",
        "career", "karriere", "graduate", "early", "campus", "intern",
        "internship", "ausbildung", "programme", "program", "scheme", "jobs",
        "hiring", "recruiting", "recruitment", "talent", "uk", "us", "usa",
        "eu", "emea", "apac", "india", "europe", "global", "international",
        "headquarters", "hq", "distribution", "center", "centre", "technology",
        "it", "human", "resources", "operations", "sales", "finance",
        "marketing", "legal", "panel", "ireland", "korea", "germany", "france",
        "spain", "brasil", "brazil", "mexico", "canada", "australia", "japan",
        "benelux", "nederland", "netherlands", "belgium", "belgië", "deutschland",
        "españa", "italia", "portugal", "nordics", "dach", "latam", "americas",
        NULL};
    /* clang-format on */
    for (size_t i = 0; x[i]; i++)
        if (strcmp(w, x[i]) == 0)
            return 1;
    return 0;
}

/* For a candidate taken from a domain or an ATS slug ("copperleaf",
 * "nimbus-cloud", "arcadiafw"), find the capitalised name it stands for
 * in the text ("Copperleaf Energy", "Nimbus Cloudworks", "Arcadia
 * Freightworks", "Grupo Altamira") and add it as a better-written
 * candidate. */
/* A word naming a kind of institution that opens its name ("Hospital São
 * Lucas", "Banco Ipê", "Vinícola Douro Verde"); lower-cased. */
static int rules_institution_word(const char *w)
{
    static const char *const k[] = {"hospital",
                                    "hôpital",
                                    "clínica",
                                    "clinica",
                                    "klinikum",
                                    "banco",
                                    "banca",
                                    "banque",
                                    "grupo",
                                    "groupe",
                                    "gruppo",
                                    "universidad",
                                    "université",
                                    "universidade",
                                    "università",
                                    "university",
                                    "instituto",
                                    "institut",
                                    "istituto",
                                    "fundación",
                                    "fundação",
                                    "fondation",
                                    "fondazione",
                                    "stiftung",
                                    "coopérative",
                                    "cooperativa",
                                    "vinícola",
                                    "bodegas",
                                    "laboratorios",
                                    "laboratoires",
                                    "farmácias",
                                    "farmacias",
                                    "editorial",
                                    "éditions",
                                    "editora",
                                    "colegio",
                                    "colégio",
                                    "escuela",
                                    "école",
                                    "escola",
                                    "hotel",
                                    "hôtel",
                                    "hoteles",
                                    "hotéis",
                                    "construtora",
                                    "constructora",
                                    "manufacturas",
                                    "industrias",
                                    "indústrias",
                                    "transportes",
                                    "seguros",
                                    "cervecería",
                                    NULL};
    return rules_label_in(w, strlen(w), k);
}

static int rules_expand_slug(rules_ctx_t *c, const rules_cand_t *cd)
{
    const rules_text_t *t = &c->text;
    size_t kl = strlen(cd->key);
    char bestname[128] = "";
    if (kl < 3)
        return 0;
    for (size_t i = 0; i < t->ntok; i++) {
        const rules_tok_t *tk = &t->tok[i];
        if (!(tk->flags & RULES_T_CAP) || rules_db_is_stop(c->db, tk->w))
            continue;
        /* the run of capitalised words from here (at most 5) */
        char keys[5][2][64];
        size_t nw = 0;
        for (size_t j = i; j < t->ntok && nw < 5; j++) {
            const rules_tok_t *tj = &t->tok[j];
            /* a particle between two capitalised words stays in the run:
             * "Telefónica del Istmo" */
            int particle = j > i && j + 1 < t->ntok &&
                           !(tj->flags & RULES_T_CAP) &&
                           (t->tok[j + 1].flags & RULES_T_CAP) &&
                           t->tok[j + 1].seg == tk->seg &&
                           !(t->tok[j + 1].flags & RULES_T_BREAK) &&
                           rules_name_particle(tj->w);
            if (tj->seg != tk->seg ||
                (!(tj->flags & RULES_T_CAP) && !particle) ||
                (j > i && (tj->flags & RULES_T_BREAK)) ||
                (rules_db_is_stop(c->db, tj->w) && !particle &&
                 !(j > i && rules_name_going_on(tj->w) == 2)) ||
                tj->len >= 64)
                break;
            if (j > i) { /* "Acme - Risk Data", "Acme · Street" end it;
                          * "Saint-Roch" does not */
                const char *g = t->seg[tk->seg].text + t->tok[j - 1].end;
                size_t gl = tj->off - t->tok[j - 1].end;
                if (strspn(g, " &'") < gl && !(gl == 1 && g[0] == '-'))
                    break;
            }
            rules_word_keys(tj->w, tj->len, keys[nw]);
            if (nw == 0 && keys[0][0][0] != cd->key[0])
                break;
            nw++;
        }
        size_t used = 0;
        int whole = 0;
        if (nw == 0 || !rules_spells(cd->key, 0, keys, nw, 0, &used, &whole))
            continue;
        /* the first word gives three letters, or several words their
         * initials: not "a" + "cme" */
        if (used < 2 && strlen(keys[0][0]) < 3)
            continue;
        if (used < 2 && kl < 4)
            continue;
        /* the name may go on ("Copperleaf Energy", "Lakeshore Insurance
         * Group" for "lakeshoreins"; four words in all; a display name by
         * one word at most), not into a title, a department or a country
         * code ("Hoshino Electric Head Office", "Glenrock Chemicals UK") */
        size_t last = i + used - 1;
        size_t stop = i + (nw < 4 ? nw : 4);
        if (cd->quality == 3 && stop > i + used + 1)
            stop = i + used + 1;
        for (size_t j = i + used; j < stop; j++) {
            /* nor into a dotted legal form: "Lumenix S.A." */
            if (rules_not_name_word(t->tok[j].w) || t->tok[j].len == 1)
                break;
            if (!rules_name_particle(t->tok[j].w))
                last = j;
        }
        size_t first = i;
        /* one capitalised word before a whole-word slug: "Grupo Altamira"
         * (not before a name taken from the text); before a slug of more
         * words only a word naming a kind of institution: "Hospital São
         * Lucas" for "saolucas" (not "Personalabteilung Westfalen
         * Fördertechnik", "Talentos Nuvem Azul") */
        if (cd->quality == 1 && whole && first > 0 &&
            t->tok[first - 1].seg == tk->seg &&
            (t->tok[first - 1].flags & RULES_T_CAP) &&
            !(tk->flags & RULES_T_BREAK) &&
            !rules_db_is_stop(c->db, t->tok[first - 1].w) &&
            (used == 1 || rules_institution_word(t->tok[first - 1].w)))
            first--;
        const rules_seg_t *sg = &t->seg[tk->seg];
        char name[128], cut[128];
        size_t len = t->tok[last].end - t->tok[first].off;
        if (len >= sizeof name)
            continue;
        memcpy(name, sg->text + t->tok[first].off, len);
        name[len] = '\0';
        /* "Isarwerk Energie Karriere" -> "Isarwerk Energie", but not an
         * agency's word the slug spells: "crestlinetalent" is "Crestline
         * Talent Partners" ("vectorpeople" is still "Vector") */
        snprintf(cut, sizeof cut, "%s", name);
        if (rules_strip_suffixes(c->db, cut)) {
            char ck[128], tk2[128];
            rules_org_key(cut, ck, sizeof ck);
            rules_org_key(name + strlen(cut), tk2, sizeof tk2);
            if (strlen(ck) >= kl || !whole || !rules_agency_key(tk2))
                snprintf(name, sizeof name, "%s", cut);
        }
        /* the fullest spelling wins: "Quillon Systems" in the text over
         * "Quillon?" in the subject */
        if (strlen(name) > strlen(bestname))
            snprintf(bestname, sizeof bestname, "%s", name);
    }
    if (bestname[0]) {
        c->origin = cd->origin;
        rules_cand_add(c, bestname, strlen(bestname), cd->weight + 1.5, 2);
        return 1;
    }
    return 0;
}

/* A name that says staffing or recruiting agency ("BrightPath Staffing",
 * "okafor-recruiting", "Hartley Search", "Cadre Conseil"). */
static int rules_agency_key(const char *key)
{
    static const char *const w[] = {
        "staff",     "recruit", "talent",  "search",        "headhunt",
        "personnel", "conseil", "consult", "placement",     "resourc",
        "sourcing",  "agency",  "agentur", "personalberat", "seleccion",
        "selecao",   "recrut",  "reclut",  "hire",          "executive",
        "partners",  NULL};
    for (size_t i = 0; w[i]; i++)
        if (strstr(key, w[i]) != NULL)
            return 1;
    return 0;
}

/* Legal forms of several words, or written only with dots, as their
 * letters: "Sp. z o.o." and "Sp. j." (Poland), "a.s." and "v.o.s." (Czech
 * Republic, Slovakia), "A/S" (Denmark, Norway), "d.o.o." (the Balkans),
 * "Kft." and "Zrt." (Hungary), "e.V." (a German association). */
static const char *const rules_legal_multi[] = {
    "spzoo", "spj", "spk", "as",  "vos", "doo", "kft", "zrt",
    "nyrt",  "ev",  "snc", "vof", "hb",  "kb",  NULL};

/* The offset where a legal form written at the end of s (n bytes) begins,
 * or n if there is none: "Grönåsen Skog AB" gives 14, "Biuro Tandem-Fin
 * Sp. z o.o" the offset of "Sp". A form written in lower case without a
 * dot ("as", "co") is not taken: it is a word of the prose. */
static size_t rules_legal_tail(const char *s, size_t n)
{
    size_t best = n, e = n;
    int strong = 1; /* every word read is dotted or in capitals */
    char letters[32];
    size_t nl = 0;
    for (int k = 0; k < 4; k++) {
        while (e > 0 && strchr(" ,", s[e - 1]) != NULL)
            e--;
        size_t b = e;
        while (b > 0 && s[b - 1] != ' ' && s[b - 1] != ',')
            b--;
        if (b == 0 || b == e)
            break;
        /* the word's letters go in front of those already read */
        char w[32];
        size_t wl = 0;
        int dotted = 0, caps = 0;
        for (size_t i = b; i < e && wl + 1 < sizeof w; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch == '.' || ch == '/')
                dotted = 1;
            else if (isalpha(ch)) {
                caps += isupper(ch) != 0;
                w[wl++] = (char)tolower(ch);
            } else
                return best;
        }
        /* "GmbH", "AB", "s.r.o." are forms; "Vos" of "Tim Vos" is not
         * "v.o.s." */
        /* the "z" of "Sp. z o.o." */
        int inner = k > 0 && wl == 1 && !dotted && caps == 0;
        if (wl == 0 || (!dotted && caps == 0 && !inner) ||
            wl + nl >= sizeof letters)
            break;
        strong &= dotted || inner || (size_t)caps == wl;
        memmove(letters + wl, letters, nl);
        memcpy(letters, w, wl);
        nl += wl;
        letters[nl] = '\0';
        for (size_t i = 0; strong && rules_legal_multi[i]; i++)
            if (strcmp(letters, rules_legal_multi[i]) == 0)
                best = b;
        for (size_t i = 0; k == 0 && rules_legal[i]; i++)
            if (strcmp(letters, rules_legal[i]) == 0 &&
                strcmp(letters, "co") != 0)
                best = b;
        e = b;
    }
    return best;
}

/* Cut legal forms off the end of a name, in place: "Wexley & Crane LLP",
 * "Grupo Altamira, S.A.", "Nordlicht GmbH & Co. KG", "Kestrel Pte. Ltd.",
 * "Varuna Private Limited"; and the first letter a capture kept of a
 * dotted form it could not read whole ("Cantine Rocca S" of "S.p.A.",
 * "Minera Sol S" of "S.A."). */
static void rules_cut_legal(char *name)
{
    int cut_any = 0;
    size_t n0 = strlen(name), t0 = rules_legal_tail(name, n0);
    if (t0 < n0 && t0 > 0) {
        name[t0] = '\0';
        cut_any = 1;
        while (t0 > 0 && strchr(" ,&", name[t0 - 1]) != NULL)
            name[--t0] = '\0';
    }
    for (;;) {
        size_t n = strlen(name);
        while (n > 0 && strchr(" ,.&", name[n - 1]) != NULL)
            n--;
        size_t b = n;
        while (b > 0 && name[b - 1] != ' ' && name[b - 1] != ',')
            b--;
        if (b == 0)
            break;
        char w[32];
        size_t wl = 0;
        for (size_t i = b; i < n && wl + 1 < sizeof w; i++)
            if (name[i] != '.')
                w[wl++] = (char)tolower((unsigned char)name[i]);
        w[wl] = '\0';
        int legal = 0;
        for (size_t i = 0; rules_legal[i]; i++)
            if (strcmp(w, rules_legal[i]) == 0)
                legal = 1;
        /* "Private Limited", "Public Limited": the first word of the form */
        if (cut_any && (strcmp(w, "private") == 0 || strcmp(w, "public") == 0))
            legal = 1;
        /* one capital letter after a name of two words or more */
        if (wl == 1 && n - b == 1 && isupper((unsigned char)name[b]) &&
            b >= 2 && strchr(name, ' ') != strrchr(name, ' '))
            legal = 1;
        if (!legal || strcmp(w, "co") == 0)
            break;
        cut_any = 1;
        name[b] = '\0';
        size_t m = strlen(name);
        while (m > 0 && strchr(" ,&", name[m - 1]) != NULL)
            name[--m] = '\0';
        if (m >= 4 && strcmp(name + m - 4, " Co.") == 0) /* GmbH & Co. */
            name[m - 4] = '\0';
    }
}

/* Hiring words glued to a company's name by a template or a signature:
 * "HR Ceramiche Rocca", "Opportunità Banca Sile", "Lumera Rekrutacja",
 * "Mazur Bank Kariera", "Vela Foods - Empleo Público", "Tejo Labs
 * (Calendário)". Lower-case, accents kept; a trailing entry is matched
 * as whole words. Agencies' own words ("Recruitment", "Staffing",
 * "Search", "Selezione", and "HR" or "RH" last: "Vértice RH") are not
 * here: they are part of an agency's name. */
static const char *const rules_hiring_lead[] = {"hr",
                                                "rh",
                                                "rrhh",
                                                "opportunità",
                                                "opportunita'",
                                                "opportunita",
                                                "opportunity",
                                                "oportunidad",
                                                "oportunidade",
                                                "vaga",
                                                "vacante",
                                                "vacature",
                                                "stellenangebot",
                                                "service recrutement",
                                                "recrutement",
                                                "reclutamiento",
                                                "recrutamento",
                                                "careers",
                                                "karriere",
                                                "kariera",
                                                "rekrutacja",
                                                "empleo",
                                                "recruiting",
                                                "job",
                                                "jobs",
                                                "recruitment",
                                                "evaluaciones",
                                                NULL};
static const char *const rules_hiring_tail[] = {"kariera",
                                                "karriere",
                                                "karriereportal",
                                                "rekrutacja",
                                                "ausbildung",
                                                "careers",
                                                "career",
                                                "jobs",
                                                "empleo público",
                                                "empleo publico",
                                                "empleo",
                                                "empleos",
                                                "emploi",
                                                "carrières",
                                                "carrieres",
                                                "carreiras",
                                                "vagas",
                                                "lavora con noi",
                                                "trabaja con nosotros",
                                                "people ops",
                                                "people operations",
                                                "human resources",
                                                "recursos humanos",
                                                "ressources humaines",
                                                "risorse umane",
                                                "talent acquisition",
                                                "hiring team",
                                                "recruiting team",
                                                "recruitment team",
                                                "graduate programme",
                                                "graduate program",
                                                "graduate scheme",
                                                "campus & lateral",
                                                "selezione",
                                                "werken",
                                                "werken bij",
                                                "vacatures",
                                                "eng",
                                                "private",
                                                NULL};

/* Cut the hiring words of the lists above off both ends of a name, in
 * place, when a name of at least one capitalised word is left. */
static void rules_cut_hiring_words(char *name)
{
    for (int again = 1; again;) {
        again = 0;
        size_t n = strlen(name);
        /* a parenthesis that ends the name: "(Calendário)", "(HR)" */
        if (n > 0 && name[n - 1] == ')') {
            char *op = strrchr(name, '(');
            if (op != NULL && op > name + 2) {
                *op = '\0';
                again = 1;
            }
        }
        char low[256];
        rules_lower(name, strlen(name), low, sizeof low);
        size_t ln = strlen(low);
        if (ln != strlen(name))
            return; /* lower-casing changed the length: leave it */
        while (ln > 0 && strchr(" -|,:", low[ln - 1]) != NULL) {
            ln--;
            name[ln] = low[ln] = '\0';
        }
        for (size_t i = 0; rules_hiring_tail[i]; i++) {
            size_t tl = strlen(rules_hiring_tail[i]);
            if (tl + 2 > ln || strcmp(low + ln - tl, rules_hiring_tail[i]) ||
                strchr(" -|,(", low[ln - tl - 1]) == NULL)
                continue;
            name[ln - tl - 1] = '\0';
            again = 1;
            break;
        }
        for (size_t i = 0; rules_hiring_lead[i]; i++) {
            size_t tl = strlen(rules_hiring_lead[i]);
            const char *rest = name + tl;
            if (strncmp(low, rules_hiring_lead[i], tl) != 0 ||
                strchr(" -|:", low[tl]) == NULL)
                continue;
            rest += strspn(rest, " -|:");
            if (!(isupper((unsigned char)*rest) ||
                  (unsigned char)*rest >= 0xC3))
                continue;
            memmove(name, rest, strlen(rest) + 1);
            again = 1;
            break;
        }
        n = strlen(name);
        while (n > 0 && strchr(" -|,:", name[n - 1]) != NULL)
            name[--n] = '\0';
    }
}

/* "Pinecrest Medical - verbal offer!": a name of capitalised words that
 * leads the subject before a dash, a bar or a colon. A weak candidate
 * (it may be a role): it counts for an agency's client, or added to the
 * same name found elsewhere. */
static void rules_subject_cand(rules_ctx_t *c)
{
    const char *subj = rules_company_jstr(c->email, "subject");
    if (subj == NULL)
        return;
    for (;;) { /* "Re: ", "Fwd: ", "AW: " */
        size_t l = strcspn(subj, ": ");
        if (subj[l] == ':' && l <= 3) {
            subj += l + 1;
            subj += strspn(subj, " ");
            continue;
        }
        break;
    }
    static const char *const sep[] = {" - ", " \xe2\x80\x93 ", " | ",
                                      ": ",  " // ",           NULL};
    size_t cut = strlen(subj);
    for (size_t i = 0; sep[i]; i++) {
        const char *p = strstr(subj, sep[i]);
        if (p != NULL && (size_t)(p - subj) < cut)
            cut = (size_t)(p - subj);
    }
    if (cut == strlen(subj) || cut < 3 || cut > 60)
        return;
    /* every word capitalised (or "&"), at most four */
    size_t words = 0;
    for (size_t i = 0; i < cut;) {
        while (i < cut && subj[i] == ' ')
            i++;
        if (i >= cut)
            break;
        if (!(isupper((unsigned char)subj[i]) ||
              (unsigned char)subj[i] >= 0xC3 || subj[i] == '&'))
            return;
        char w[64];
        size_t wl = 0;
        while (i < cut && subj[i] != ' ') {
            if (wl + 1 < sizeof w)
                w[wl++] = (char)tolower((unsigned char)subj[i]);
            i++;
        }
        w[wl] = '\0';
        if (words == 0 && rules_db_is_stop(c->db, w))
            return;
        words++;
    }
    if (words == 0 || words > 4)
        return;
    int saved = c->origin;
    c->origin = RULES_O_TEXT;
    rules_cand_add(c, subj, cut, 0.5, 2);
    c->origin = saved;
}

/* A word that names the meeting in a calendar title ("Interview",
 * "Phone Screen", "Entretien"), not the company. */
static int rules_event_word(const char *w, size_t n)
{
    static const char *const ev[] = {"interview",    "interviews",
                                     "screen",       "screening",
                                     "call",         "chat",
                                     "panel",        "onsite",
                                     "on-site",      "conversation",
                                     "meeting",      "intro",
                                     "round",        "introduction",
                                     "loop",         "debrief",
                                     "sync",         "catch-up",
                                     "entretien",    "entrevista",
                                     "gespräch",     "vorstellungsgespräch",
                                     "kennenlernen", "colloquio",
                                     "gesprek",      "sollicitatiegesprek",
                                     "kennismaking", "rozmowa",
                                     "entrevue",     NULL};
    char low[64];
    if (n == 0 || n >= sizeof low)
        return 0;
    rules_lower(w, n, low, sizeof low);
    /* German and Dutch compounds: "Erstgespräch", "Telefoninterview",
     * "Kennismakingsgesprek" */
    size_t ll = strlen(low);
    static const char *const tail[] = {"gespräch", "interview", "gesprek",
                                       NULL};
    for (size_t i = 0; tail[i]; i++) {
        size_t tl = strlen(tail[i]);
        if (ll > tl && strcmp(low + ll - tl, tail[i]) == 0)
            return 1;
    }
    return rules_label_in(low, ll, ev);
}

/* 1 if key is a recipient's name, a word of it (rules_is_person without
 * the sender: a calendar service's display name is the organiser, maybe
 * the company), or the local part of a recipient's address
 * ("robin.quist@..." and "Robin Quist"). */
static int rules_is_guest(rules_ctx_t *c, const char *key)
{
    const char *from = c->from_name;
    c->from_name = NULL;
    int r = rules_is_person(c, key);
    c->from_name = from;
    const json_t *to = json_object_get(c->email, "to");
    size_t i;
    const json_t *a;
    json_array_foreach(to, i, a)
    {
        const char *ad = rules_company_jstr(a, "address");
        const char *at = ad ? strchr(ad, '@') : NULL;
        if (r || at == NULL || (size_t)(at - ad) >= 128)
            continue;
        char local[128], lk[128];
        snprintf(local, sizeof local, "%.*s", (int)(at - ad), ad);
        rules_org_key(local, lk, sizeof lk);
        r = strcmp(lk, key) == 0;
    }
    return r;
}

/* 1 if the message's text writes the piece as a person: right after
 * "with " (`after_with`), or followed by " at " and a capital ("Renee
 * Otieno at Larkspur Health": a scheduling tool's "... with Renee
 * Otieno"; "with" alone is weaker: "Intro call with Lumenwave" names the
 * company, rules_title_cand weighs it). */
static int rules_text_person(rules_ctx_t *c, const char *p, size_t n,
                             int after_with)
{
    const char *text = rules_company_jstr(c->email, "text");
    if (text == NULL || n < 2 || n > 60)
        return 0;
    char piece[64];
    snprintf(piece, sizeof piece, "%.*s", (int)n, p);
    for (const char *q = strstr(text, piece); q != NULL;
         q = strstr(q + 1, piece)) {
        const char *after = q + n;
        if (after_with ? q - text >= 5 && strncmp(q - 5, "with ", 5) == 0
                       : strncmp(after, " at ", 4) == 0 &&
                             isupper((unsigned char)after[4]))
            return 1;
    }
    return 0;
}

/* A calendar invitation's title in the subject: "Invitation: Nethercote
 * Labs - Interview (Robin Quist) @ Fri Dec 11...", "Interview with
 * Pendlebury", "Halberd Freight <> Robin Quist", "Orrin Robotics / Robin
 * Quist". The title is cut into pieces at dashes, colons, bars, "<>", "/",
 * " x " and "with"; when exactly one piece is a name (capitalised words,
 * at most four, no stop word) and another names the meeting or the
 * guest, that name is the company. Only for a calendar, video-meeting or
 * scheduling service's notification (weight 3, over its display name's
 * 1.5): with the company's own sender the domain already names it; a
 * scheduling tool's "Event Type:" line is read the same way. */
static int rules_title_cand(rules_ctx_t *c, char *p, int strict);
static int rules_lead_value(const char *text, const char *const *lead,
                            char *buf, size_t size);

static void rules_calendar_subject_cand(rules_ctx_t *c)
{
    const char *subj = rules_company_jstr(c->email, "subject");
    if (subj == NULL || c->sender == NULL ||
        (c->sender->kind != RULES_K_MEETING &&
         c->sender->kind != RULES_K_SCHEDULING))
        return;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", subj);
    char *p = buf;
    for (;;) { /* "Re: ", "Fwd: " */
        size_t l = strcspn(p, ": ");
        if (p[l] != ':' || l > 3)
            break;
        p += l + 1;
        p += strspn(p, " ");
    }
    /* "Invitation:", "Updated invitation:", "Einladung:", "Invitación:";
     * a scheduling tool's "Confirmed:", "Canceled:", "Confirmado:" */
    char *colon = strstr(p, ": ");
    if (colon != NULL && colon - p < 48) {
        char low[64];
        rules_lower(p, (size_t)(colon - p), low, sizeof low);
        if (strstr(low, "nvit") || strstr(low, "inladung") ||
            strstr(low, "itnodiging") || strstr(low, "aproszenie") ||
            strstr(low, "onvite") ||
            (c->sender->kind == RULES_K_SCHEDULING && colon - p < 24)) {
            /* Calendly's host notice "New Event: INVITEE - TIME - EVENT":
             * the first piece is the invitee, a person */
            int invitee = strcmp(low, "new event") == 0;
            p = colon + 2;
            char *dash = invitee ? strstr(p, " - ") : NULL;
            if (dash != NULL)
                p = dash + 3;
        }
    }
    if (rules_title_cand(c, p, 0) || c->sender->kind != RULES_K_SCHEDULING)
        return;
    /* a scheduling tool's "Event Type: Technical Interview - Cinderbox
     * Games (60 min)" line */
    static const char *const lead[] = {
        "Event Type:", "Event:", "Evento:", "Tipo de evento:", NULL};
    if (rules_lead_value(rules_company_jstr(c->email, "text"), lead, buf,
                         sizeof buf))
        rules_title_cand(c, buf, 0);
}

/* The title (SUMMARY) of a calendar invitation a person sent from their
 * own mailbox, not through a calendar service (whose title is the subject,
 * rules_calendar_subject_cand): "Forty-Two Labs <> Daniel Ortega:
 * technical interview", "Entretien final - Atelier Lune / Julien Moreau"
 * (writer w17: the invitation named its company nowhere else). */
static void rules_calendar_title_cands(rules_ctx_t *c)
{
    if (c->sender != NULL && (c->sender->kind == RULES_K_MEETING ||
                              c->sender->kind == RULES_K_SCHEDULING))
        return;
    /* a sender at the company's own domain names it already (the title
     * then names a team, a role or people: "Lunch with the Network
     * Planning team", "Claire / Iris / Théo"); a staffing agency's
     * domain does not: its title names the client ("Panel Interview -
     * Greywater Bank - Owen Pryce") */
    for (size_t k = 0; k < c->ncand; k++)
        if (c->cand[k].quality == 1 && c->cand[k].weight > 0 &&
            !rules_agency_key(c->cand[k].key))
            return;
    /* an introduction's subject in the same form: "Intro - Jordan <>
     * Kettle" (writer w17) */
    const char *subj = rules_company_jstr(c->email, "subject");
    char sb[256];
    if (subj != NULL && strstr(subj, " <> ") != NULL &&
        strlen(subj) < sizeof sb) {
        char *p = sb;
        snprintf(sb, sizeof sb, "%s", subj);
        while (strncasecmp(p, "re:", 3) == 0 || strncasecmp(p, "fw:", 3) == 0 ||
               strncasecmp(p, "fwd:", 4) == 0)
            p = strchr(p, ':') + 1 + strspn(strchr(p, ':') + 1, " ");
        rules_title_cand(c, p, 1);
    }
    const json_t *cal = json_object_get(c->email, "calendar");
    size_t i;
    const json_t *ev;
    json_array_foreach(cal, i, ev)
    {
        const char *sum = rules_company_jstr(ev, "summary");
        char buf[256];
        if (i >= 4 || sum == NULL || strlen(sum) >= sizeof buf)
            continue;
        snprintf(buf, sizeof buf, "%s", sum);
        rules_title_cand(c, buf, 1);
    }
}

/* The value of the first line of text that starts with one of `lead`
 * ("Event Type: ...", or "Host:" with the value on the next line, as
 * scheduling tools write them), trimmed, into buf. 1 when found and it
 * fits. */
static int rules_lead_value(const char *text, const char *const *lead,
                            char *buf, size_t size)
{
    for (const char *l = text; l != NULL && *l;) {
        size_t n = strcspn(l, "\n");
        for (size_t i = 0; lead[i]; i++) {
            size_t ll = strlen(lead[i]);
            if (n < ll || strncmp(l, lead[i], ll) != 0)
                continue;
            const char *v = l + ll;
            size_t vl = n - ll;
            if (strspn(v, " \t\r") >= vl && l[n] == '\n') {
                v = l + n + 1; /* "Event Type:\nTechnical Screen - ..." */
                vl = strcspn(v, "\n");
            }
            size_t sp = strspn(v, " \t");
            v += sp < vl ? sp : vl;
            vl -= sp < vl ? sp : vl;
            while (vl > 0 && strchr(" \t\r", v[vl - 1]) != NULL)
                vl--;
            if (vl == 0 || vl >= size)
                return 0;
            snprintf(buf, size, "%.*s", (int)vl, v);
            return 1;
        }
        l += n;
        l += *l == '\n';
    }
    return 0;
}

/* A scheduling tool's "Host:" / "Organizer:" line naming the person and
 * the company: "Jenna Moreau, Brightquay Logistics", "Jenna Moreau -
 * Brightquay Logistics", "Jenna Moreau (Brightquay Logistics)" (trial 81:
 * Calendly's confirmation named its company nowhere else). Weight 3, as
 * the meeting title's name; an address or a lone name adds nothing. */
static void rules_host_line_cand(rules_ctx_t *c)
{
    if (c->sender == NULL || c->sender->kind != RULES_K_SCHEDULING)
        return;
    static const char *const lead[] = {"Host:",          "Organizer:",
                                       "Organiser:",     "Anfitri\xc3\xb3n:",
                                       "Organisateur :", "Organisateur:",
                                       "Gastgeber:",     "Organisator:",
                                       "Organizador:",   NULL};
    char buf[256];
    if (!rules_lead_value(rules_company_jstr(c->email, "text"), lead, buf,
                          sizeof buf) ||
        strchr(buf, '@') != NULL)
        return;
    size_t dl = 0;
    char *sep = strstr(buf, ", ");
    char *dash = rules_dash(buf, &dl);
    char *open = strstr(buf, " (");
    if (sep != NULL)
        dl = 2;
    else if (dash != NULL)
        sep = dash;
    else if (open != NULL && buf[strlen(buf) - 1] == ')') {
        sep = open;
        dl = 2;
        buf[strlen(buf) - 1] = '\0';
    }
    if (sep == NULL || !isupper((unsigned char)sep[dl]))
        return;
    /* the host is a person: a known name, or two or three capitalised
     * words (the tool's user names, not in given-names.tsv: "Jenna") */
    size_t words = 0, caps = 0;
    for (const char *w = buf; w < sep;) {
        w += strspn(w, " ");
        if (w >= sep)
            break;
        words++;
        caps += isupper((unsigned char)*w) != 0;
        w += strcspn(w, " ");
    }
    if (!rules_person_lead(c, buf, (size_t)(sep - buf)) &&
        (words < 2 || words > 3 || caps != words))
        return;
    /* a talent team's or an agency's name ("Lumen Ridge Talent") would
     * read the company named elsewhere as its client: left to the sender
     * and the text */
    char key[128];
    rules_org_key(sep + dl, key, sizeof key);
    if (rules_agency_key(key))
        return;
    int saved = c->origin;
    c->origin = RULES_O_HEADER;
    rules_cand_add(c, sep + dl, strlen(sep + dl), 3, 2);
    c->origin = saved;
}

/* The pieces of a meeting's title (rules_calendar_subject_cand); p is
 * cut in place. Returns 1 if it named the company. */
/* strict (a title a person wrote, not a service): a person of the
 * message (the sender too, rules_is_person) or a job title is no name. */
static int rules_title_cand(rules_ctx_t *c, char *p, int strict)
{
    /* the time and the guest: " @ Fri Dec 11, 2026 ...", " (Robin Quist)" */
    char *cut = strstr(p, " @ ");
    if (cut != NULL)
        *cut = '\0';
    /* a bracket is a piece of its own: "Intro call (Brightleaf
     * Analytics)", "Interview (Robin Quist)" */
    for (cut = strstr(p, " ("); cut != NULL; cut = strstr(cut, " (")) {
        char *close = strchr(cut, ')');
        cut[1] = '|';
        if (close != NULL)
            *close = ' ';
    }
    static const char *const sep[] = {" - ",
                                      " \xe2\x80\x93 ",
                                      " \xe2\x80\x94 ",
                                      ": ",
                                      " |", /* and a bracket */
                                      " <> ",
                                      " / ",
                                      " x ",
                                      " with ",
                                      " mit ",
                                      " avec ",
                                      " con ",
                                      " com ",
                                      " w/ ",
                                      NULL};
    const char *name = NULL, *wname = NULL;
    size_t name_len = 0, names = 0, others = 0, wname_len = 0, with_names = 0;
    while (*p) {
        size_t len = strlen(p), skip = 0;
        for (size_t i = 0; sep[i]; i++) {
            const char *q = strstr(p, sep[i]);
            if (q != NULL && (size_t)(q - p) < len) {
                len = (size_t)(q - p);
                skip = strlen(sep[i]);
            }
        }
        /* one piece: its words */
        size_t words = 0, event = 0, plain = 0;
        for (size_t i = 0; i < len;) {
            i += strspn(p + i, " ");
            size_t wl = strcspn(p + i, " ");
            if (i + wl > len)
                wl = len - i;
            if (wl == 0)
                break;
            char w[64];
            rules_lower(p + i, wl, w, sizeof w);
            words++;
            if (rules_event_word(p + i, wl))
                event = 1;
            if (!(isupper((unsigned char)p[i]) || (unsigned char)p[i] >= 0xC3 ||
                  p[i] == '&') ||
                strpbrk(w, "0123456789") != NULL || rules_db_is_stop(c->db, w))
                plain = 1;
            i += wl;
        }
        char key[128] = "";
        if (len > 0 && len < sizeof key) {
            char piece[128];
            snprintf(piece, sizeof piece, "%.*s", (int)len, p);
            rules_org_key(piece, key, sizeof key);
        }
        const char *rs;
        size_t rl;
        /* a given name alone, or first of up to three words, is a
         * person: "Phone screen - Alex / Brightline Robotics", "Nethercote
         * Labs - Interview (Robin Quist)" (trial 88) */
        if (event || (key[0] && rules_is_guest(c, key)) ||
            (words <= 3 && rules_first_given(c, p, len)) ||
            rules_text_person(c, p, len, 0) ||
            (strict && ((key[0] && rules_is_person(c, key)) ||
                        rules_title_piece(p, len) ||
                        rules_piece_role(c, p, len, &rs, &rl))))
            others++;
        else if (words > 0 && words <= 4 && !plain) {
            names++;
            /* of two names, the one the text writes after "with" is the
             * interviewer ("Loxley Health - quick intro with Priya"); a
             * name alone stays ("Intro call with Lumenwave") */
            if (rules_text_person(c, p, len, 1)) {
                with_names++;
                wname = p;
                wname_len = len;
            } else {
                name = p;
                name_len = len;
            }
        }
        p += len + skip;
    }
    if (names == 1 && with_names == 1) { /* the only name */
        name = wname;
        name_len = wname_len;
    } else if (names - with_names == 1)
        names = 1; /* the other one */
    if (names == 1 && others > 0) {
        int saved = c->origin;
        /* the service's own title line; a person's title is their prose
         * (an agency's names its client) */
        c->origin = strict ? RULES_O_TEXT : RULES_O_SENDER;
        rules_cand_add(c, name, name_len, 3.0, 2);
        c->origin = saved;
        return 1;
    }
    return 0;
}

char *rules_quoted_text(const char *body)
{
    if (body == NULL)
        return NULL;
    size_t n = strlen(body), o = 0;
    char *q = malloc(n + 1);
    if (q == NULL)
        return NULL;
    const char *p = body;
    while (*p) {
        size_t l = strcspn(p, "\n");
        const char *s = p;
        if (*s == '>') {
            while (s < p + l && (*s == '>' || *s == ' '))
                s++;
            memcpy(q + o, s, (size_t)(p + l - s));
            o += (size_t)(p + l - s);
            q[o++] = '\n';
        }
        p += l;
        if (*p == '\n')
            p++;
    }
    q[o] = '\0';
    if (o == 0) {
        free(q);
        return NULL;
    }
    return q;
}

/* Words of a job title or a department in a signature ("Talent Partner",
 * "People Operations", "Co-founder", "Responsable RH"), as lower-case
 * prefixes of at least three letters, or whole words (=). */
static int rules_title_word(const char *w, size_t n)
{
    static const char *const t[] = {
        "recruit", "talent", "people", "operation", "partner", "manag",
        "cofund", "cofond", "cofound", "director", "head", "lead", "coordinat",
        "speciali", "found", "co-found", "=ceo", "=cto", "=coo", "=cfo", "=vp",
        "=hr", "=rh", "=rrhh", "president", "engineer", "human", "resource",
        "acquisit", "sourc", "consult", "associate", "officer", "chief",
        "principal", "senior", "hiring", "advis", "generali", "analyst",
        "develop", "design", "scien", "owner", "gerente", "responsable",
        "directeur", "directrice", "fondat", "fundador", "gründer",
        "geschäftsf", "leiter", "recrut", "reclut", "personal", "ressources",
        "recursos", "humain", "humano", "chargé", "executive", "assistant",
        "intern", "team", "office", "=of", "=and", "=&", "=de", "=des", "=del",
        "business", "marketing", "sales", "product", "=it", "captação",
        "selección", "selection", "atração", "medewerker", "werving", "pessoas",
        "direç", "direcc", "personas", "talento", "gestión", "gestão", "equip",
        "équipe", "culture", "cultura", "oportunidad", "opportunit",
        /* Swedish, Danish, Polish, Czech, Italian, Portuguese */
        "=vd", "grundare", "rekryt", "rekrut", "konsult", "hr-", "prezes",
        "właściciel", "kierownik", "dyrektor", "założyciel", "współzałoż",
        "specjalist", "personalist", "jednatel", "majitel", "ředitel",
        "zakladatel", "spoluzaklad", "responsabile", "direttore", "titolare",
        "diretor", "=sócio", "=sócia",
        /* the job nouns of stopwords.tsv's last rows; departments */
        "artist", "direct", "accountant", "architect", "planner", "administrat",
        "technician", "=qa", "=sde", "=sre", "financ", "accounting", NULL};
    char low[64];
    if (n == 0 || n >= sizeof low)
        return 0;
    rules_lower(w, n, low, sizeof low);
    size_t ll = strlen(low);
    for (size_t i = 0; t[i]; i++) {
        if (t[i][0] == '=') {
            if (strcmp(low, t[i] + 1) == 0)
                return 1;
        } else if (strncmp(low, t[i], strlen(t[i])) == 0 && ll >= strlen(t[i]))
            return 1;
    }
    return 0;
}

/* 1 if every word of the piece is a title word: "Talent Partner". */
static int rules_title_piece(const char *s, size_t n)
{
    size_t words = 0, title = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == ' ')
            i++;
        size_t b = i;
        while (i < n && s[i] != ' ')
            i++;
        if (i == b)
            break;
        words++;
        size_t e = i;
        while (e > b && strchr(",.;:()", s[e - 1]) != NULL)
            e--;
        title += rules_title_word(s + b, e - b);
    }
    if (words > 0 && title * 2 >= words + 1)
        return 1;
    /* a title named by its last word: "Data Platform Lead", "Customer
     * Success Manager" (writer w17); not a company's "Partners" */
    return words >= 2 && words <= 4 && rules_title_head_end(s, n);
}

/* 1 if the last word of s (n bytes) is a job title's head noun. */
static int rules_title_head_end(const char *s, size_t n)
{
    static const char *const head[] = {
        "lead",      "manager",     "engineer",   "director", "recruiter",
        "developer", "coordinator", "specialist", "officer",  "scientist",
        "designer",  "analyst",     NULL};
    size_t e = n;
    while (e > 0 && strchr(" ,.;:()", s[e - 1]) != NULL)
        e--;
    size_t b = e;
    while (b > 0 && s[b - 1] != ' ')
        b--;
    char low[32];
    if (b == 0 || e - b >= sizeof low)
        return 0;
    rules_lower(s + b, e - b, low, sizeof low);
    for (size_t i = 0; head[i]; i++)
        if (strcmp(low, head[i]) == 0)
            return 1;
    return 0;
}

/* A display name of two to four words ending in a job title's head noun:
 * a person and a title ("Casey Recruiter"). */
static int rules_title_head_last(const char *name)
{
    size_t words = rules_count_words(name);
    return words >= 2 && words <= 4 && rules_title_head_end(name, strlen(name));
}

/* 1 if the piece can be an organisation's name: one to five words, the
 * first capitalised (not a stop word), the others capitalised or "&",
 * "of", "de"; no address, link or number of a phone. */
static int rules_org_piece(const rules_ctx_t *c, const char *s, size_t n)
{
    if (n < 2 || n > 60)
        return 0;
    size_t words = 0;
    int after_amp = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && s[i] == ' ')
            i++;
        size_t b = i;
        while (i < n && s[i] != ' ')
            i++;
        if (i == b)
            break;
        size_t wl = i - b;
        const char *w = s + b;
        if (memchr(w, '@', wl) || memchr(w, '/', wl) || memchr(w, ':', wl))
            return 0;
        unsigned char f = (unsigned char)w[0];
        int cap = isupper(f) || f >= 0xC3 || isdigit(f);
        if (words == 0) {
            char low[64];
            if (!cap || isdigit(f) || wl >= sizeof low)
                return 0;
            rules_lower(w, wl, low, sizeof low);
            if (rules_db_is_stop(c->db, low))
                return 0;
        } else if (!cap && !(wl == 1 && w[0] == '&') && !after_amp &&
                   !(wl == 2 && strncmp(w, "of", 2) == 0) &&
                   !(wl == 2 && strncmp(w, "de", 2) == 0) &&
                   !(wl == 3 && strncmp(w, "and", 3) == 0))
            return 0;
        /* "Mach & syn", "Tissot & fils" */
        after_amp = wl == 1 && w[0] == '&';
        words++;
    }
    return words >= 1 && words <= 5;
}

/* A line that closes a letter: "Best,", "Thanks!", "Cheers", "Viele
 * Grüße", "Cordialement", "Un saludo". */
static int rules_closing_line(const char *s, size_t n)
{
    static const char *const w[] = {"best",
                                    "thanks",
                                    "thank you",
                                    "cheers",
                                    "regards",
                                    "kind regards",
                                    "best regards",
                                    "warm regards",
                                    "warmly",
                                    "sincerely",
                                    "all the best",
                                    "talk soon",
                                    "speak soon",
                                    "many thanks",
                                    "thx",
                                    "mit freundlichen",
                                    "viele grüße",
                                    "beste grüße",
                                    "liebe grüße",
                                    "grüße",
                                    "cordialement",
                                    "bien à vous",
                                    "bien cordialement",
                                    "merci",
                                    "saludos",
                                    "un saludo",
                                    "atentamente",
                                    "un abrazo",
                                    "atenciosamente",
                                    "abraços",
                                    "obrigado",
                                    "obrigada",
                                    "met vriendelijke groet",
                                    "groeten",
                                    "hartelijke groet",
                                    "groet",
                                    "see you",
                                    "looking forward",
                                    "z poważaniem",
                                    "pozdrawiam",
                                    "pozdrowienia",
                                    "s pozdravem",
                                    "se srdečným pozdravem",
                                    "mvh",
                                    "med vänlig hälsning",
                                    "vänliga hälsningar",
                                    "hälsningar",
                                    "med venlig hilsen",
                                    "med vennlig hilsen",
                                    "terveisin",
                                    "ystävällisin terveisin",
                                    "cordiali saluti",
                                    "distinti saluti",
                                    "un saluto",
                                    "saluti",
                                    "freundliche grüße",
                                    "mfg",
                                    "groetjes",
                                    NULL};
    static const char *const greet[] = {
        "hi",          "hello",       "dear",   "hey",     "hallo",
        "liebe",       "lieber",      "sehr",   "guten",   "bonjour",
        "chère",       "cher",        "hola",   "estimad", "buen",
        "olá",         "ola",         "prezad", "bom",     "beste",
        "goedemorgen", "goedemiddag", "beste",  "good",    NULL};
    if (n == 0 || n > 40)
        return 0;
    char low[64];
    rules_lower(s, n, low, sizeof low);
    for (size_t i = 0; greet[i]; i++) {
        size_t gl = strlen(greet[i]);
        if (strncmp(low, greet[i], gl) == 0 &&
            (low[gl] == ' ' || low[gl] == ',' || low[gl] == '\0'))
            return 0;
    }
    size_t l = strlen(low);
    while (l > 0 && strchr(" ,.!-", low[l - 1]) != NULL)
        low[--l] = '\0';
    for (size_t i = 0; w[i]; i++)
        if (strncmp(low, w[i], strlen(w[i])) == 0)
            return 1;
    return s[n - 1] == ',' && n < 30;
}

/* 1 if the line introduces quoted mail: "On ... wrote:", "-----Original
 * Message-----", "From: ...", "Le ... a écrit :", "Am ... schrieb ...:". */
static int rules_quote_intro(const char *s, size_t n)
{
    static const char *const ends[] = {
        "wrote:",    "schrieb:",    "écrit :", "écrit:", "escribió:",
        "escreveu:", "geschreven:", "wrote :", NULL};
    if (n >= 5 && strncmp(s, "-----", 5) == 0)
        return 1;
    if (n >= 5 && (strncmp(s, "From:", 5) == 0 || strncmp(s, "Von:", 4) == 0 ||
                   strncmp(s, "De :", 4) == 0 || strncmp(s, "De:", 3) == 0))
        return 1;
    for (size_t i = 0; ends[i]; i++) {
        size_t el = strlen(ends[i]);
        if (n >= el && strncmp(s + n - el, ends[i], el) == 0)
            return 1;
    }
    return 0;
}

/* Split a signature line into its pieces at the separators ("Talent
 * Partner, Ostrander Bank", "Corinne Vail | Recruiter | Granite Peak",
 * "Co-founder @ Tidewell"); at most 8 pieces, trailing " ,.;" trimmed.
 * Returns the number of pieces. */
static size_t rules_line_pieces(const char *s, size_t n, const char **pc,
                                size_t *pl)
{
    static const char *const sep[] = {" | ",
                                      " \xc2\xb7 ",
                                      " \xe2\x80\xa2 ",
                                      ", ",
                                      " - ",
                                      " \xe2\x80\x93 ",
                                      " \xe2\x80\x94 ",
                                      " at ",
                                      " @ ",
                                      " bei ",
                                      " chez ",
                                      " en ",
                                      " na ",
                                      " bij ",
                                      NULL};
    size_t np = 0, b = 0;
    for (size_t k = 0; k <= n && np < 8;) {
        size_t sl = 0;
        if (k < n)
            for (size_t j = 0; sep[j]; j++) {
                size_t jl = strlen(sep[j]);
                if (k + jl <= n && strncmp(s + k, sep[j], jl) == 0) {
                    sl = jl;
                    break;
                }
            }
        if (k == n || sl > 0) {
            size_t e = k;
            while (e > b && strchr(" ,.;", s[e - 1]) != NULL)
                e--;
            if (e > b) {
                pc[np] = s + b;
                pl[np++] = e - b;
            }
            if (k == n)
                break;
            k += sl;
            b = k;
        } else
            k++;
    }
    return np;
}

/* A company written with its legal form on one of the last lines of the
 * new text ("Grönåsen Skog AB, Sveg", "CTO, Datlík s.r.o.", "Biuro
 * Rachunkowe Tandem-Fin Sp. z o.o."), wherever the signature starts: the
 * name without the form. When the legal entity is introduced by other
 * words, the brand written before it on the same line is the name the
 * company goes by ("Kavárny Mlýnek | provozovatel Gastro Mlýnek Holding
 * s.r.o."). */
static void rules_legal_line_cands(rules_ctx_t *c, const char *const *ls,
                                   const size_t *ll, size_t nl)
{
    for (size_t i = nl > 8 ? nl - 8 : 0; i < nl; i++) {
        const char *pc[8];
        size_t pl[8];
        size_t np = rules_line_pieces(ls[i], ll[i], pc, pl);
        const char *brand = NULL;
        size_t brand_len = 0;
        for (size_t k = 0; k < np; k++) {
            size_t t = rules_legal_tail(pc[k], pl[k]);
            while (t > 0 && t < pl[k] && strchr(" ,", pc[k][t - 1]) != NULL)
                t--;
            /* the form as a piece of its own, ending the line or before
             * an address: "Pellucid Energy, Inc. | 1600 Wynkoop St" (not
             * "JV Brands Holdings, Inc. - parent company of ...") */
            if (t == pl[k] && k > 0 && brand == pc[k - 1] &&
                (k + 1 == np || isdigit((unsigned char)pc[k + 1][0]))) {
                size_t span = (size_t)(pc[k] + pl[k] - pc[k - 1]);
                size_t t2 = rules_legal_tail(pc[k - 1], span);
                if (t2 < span && t2 >= (size_t)(pc[k] - pc[k - 1])) {
                    rules_cand_add(c, brand, brand_len, 2.5, 2);
                    break;
                }
            }
            if (t == 0 || t == pl[k]) {
                if (brand == NULL && !rules_title_piece(pc[k], pl[k]) &&
                    rules_org_piece(c, pc[k], pl[k])) {
                    brand = pc[k];
                    brand_len = pl[k];
                }
                continue;
            }
            if (rules_title_piece(pc[k], t))
                continue;
            if (rules_org_piece(c, pc[k], t))
                rules_cand_add(c, pc[k], t, 2.5, 2);
            else if (brand != NULL)
                rules_cand_add(c, brand, brand_len, 2.5, 2);
            break;
        }
    }
}

/* The text of a message forwarded in body ("---------- Forwarded message
 * ---------" and its From:/Date:/Subject:/To: lines, then the message), or
 * NULL: none within its first 60 lines. */
static const char *rules_forwarded_body(const char *body)
{
    int marked = 0;
    size_t lines = 0;
    for (const char *p = body; p != NULL && *p && lines < 60; lines++) {
        size_t l = strcspn(p, "\n");
        const char *next = p[l] == '\n' ? p + l + 1 : p + l;
        char low[160];
        rules_lower(p, l < 150 ? l : 150, low, sizeof low);
        if (!marked) {
            marked = rules_forward_mark(low, 0);
        } else if (strspn(p, " \t\r") >= l) {
            return marked > 1 ? next : NULL; /* the end of its header */
        } else if (marked++ > 12 || memchr(p, ':', l) == NULL) {
            return NULL; /* no header block of "Name: value" lines */
        }
        p = next;
    }
    return NULL;
}

static void rules_signature_in(rules_ctx_t *c, const char *body, int origin);

/* A signature's line that is a website ("harbor.example", "www.lumbre.
 * example", "Lumbre | lumbre.example") confirms the name it spells: the
 * candidates of the signature whose name the site's first label spells
 * weigh 1.5 more ("Harbor" below "Engineering Manager, Platform": writer
 * w17). */
static void rules_website_line_boost(rules_ctx_t *c, const char *const *ls,
                                     const size_t *ll, size_t nl)
{
    for (size_t i = 0; i < nl; i++) {
        const char *pc[8];
        size_t pl[8];
        size_t np = rules_line_pieces(ls[i], ll[i], pc, pl);
        for (size_t k = 0; k < np; k++) {
            const char *w = pc[k];
            size_t n = pl[k];
            if (n > 8 && strncasecmp(w, "https://", 8) == 0) {
                w += 8;
                n -= 8;
            } else if (n > 7 && strncasecmp(w, "http://", 7) == 0) {
                w += 7;
                n -= 7;
            }
            if (n > 4 && strncasecmp(w, "www.", 4) == 0) {
                w += 4;
                n -= 4;
            }
            size_t lab = 0;
            while (lab < n && (isalnum((unsigned char)w[lab]) || w[lab] == '-'))
                lab++;
            /* one label, a dot, a domain; nothing but a path after it */
            size_t rest = lab + 1;
            while (rest < n && (isalnum((unsigned char)w[rest]) ||
                                w[rest] == '.' || w[rest] == '-'))
                rest++;
            if (lab < 3 || lab >= 64 || lab == n || w[lab] != '.' ||
                rest == lab + 1 || (rest < n && w[rest] != '/') ||
                memchr(w, '@', n) != NULL)
                continue;
            char slug[64];
            memcpy(slug, w, lab);
            slug[lab] = '\0';
            for (size_t j = 0; j < c->ncand; j++)
                if ((c->cand[j].origin & RULES_O_SIGN) &&
                    c->cand[j].quality == 2 &&
                    rules_slug_spells_name(slug, c->cand[j].display))
                    c->cand[j].weight += 1.5;
        }
    }
}

/* The signature of the new text, and of a message forwarded in it (the
 * user forwarding an invitation signed "Talent Acquisition / Ridgeway
 * Health" to themselves: writer w17) */
static void rules_signature_cands(rules_ctx_t *c)
{
    const char *body = rules_company_jstr(c->email, "text");
    if (body == NULL)
        return;
    rules_signature_in(c, body, RULES_O_SIGN);
    /* counted as the prose, as its From line (rules_forward_cands): an
     * agency forwarding its client's mail names the client there */
    const char *fw = rules_forwarded_body(body);
    if (fw != NULL)
        rules_signature_in(c, fw, RULES_O_TEXT);
}

/* Companies named by the signature of body's new text (up to a quoted
 * history): the piece after a title on one line ("Talent Partner,
 * Ostrander Bank", "Corinne Vail | Recruiter | Granite Peak", "Co-founder
 * @ Tidewell") and a name alone on a line below the signer's ("Best,\n
 * Ines\nFernhollow"); candidates of `origin`. */
static void rules_signature_in(rules_ctx_t *c, const char *body, int origin)
{
    /* the new text's lines */
    const char *ls[200];
    size_t ll[200], nl = 0;
    for (const char *p = body; *p && nl < 200;) {
        size_t l = strcspn(p, "\n");
        const char *s = p;
        size_t n = l;
        while (n > 0 && strchr(" \t-*>", *s) != NULL && *s != '>') {
            s++;
            n--;
        }
        while (n > 0 && strchr(" \t\r", s[n - 1]) != NULL)
            n--;
        if (n > 0 && (*s == '>' || rules_quote_intro(s, n)))
            break;
        if (n > 0) {
            ls[nl] = s;
            ll[nl++] = n;
        }
        p += l;
        if (*p == '\n')
            p++;
    }
    /* the signature: below the last closing line, else the last 3 lines */
    size_t from = nl > 3 ? nl - 3 : 0, closing = nl;
    for (size_t i = nl; i-- > 1 && i + 8 >= nl;)
        if (rules_closing_line(ls[i], ll[i])) {
            closing = i;
            from = i + 1;
            break;
        }
    int saved = c->origin;
    c->origin = origin;
    int after_title = 0;
    for (size_t i = from; i < nl && i < from + 5; i++) {
        const char *s = ls[i];
        size_t n = ll[i];
        const char *pc[8];
        size_t pl[8];
        size_t np = rules_line_pieces(s, n, pc, pl);
        int line_title = 0, added = 0;
        if (i == closing + 1 && np == 1)
            continue; /* the signer's name */
        for (size_t k = 0; k < np; k++) {
            if (rules_title_piece(pc[k], pl[k])) {
                line_title = 1;
                continue;
            }
            if (line_title && !added && rules_org_piece(c, pc[k], pl[k])) {
                rules_cand_add(c, pc[k], pl[k], 2.0, 2);
                added = 1;
            }
        }
        /* a name alone below the signer's name or below a title line */
        if (np == 1 && !line_title && closing < nl &&
            (i > from + 0 || after_title) && i > closing + 1 &&
            rules_org_piece(c, pc[0], pl[0]))
            rules_cand_add(c, pc[0], pl[0], 1.5, 2);
        /* below a title line, a line that starts with a name: "Lumbre |
         * lumbre.example", "Copperline Freight | 1200 W Fulton Market",
         * "Almendro Vida - Grupo Almendro" (writer w17) */
        else if (np > 1 && !line_title && after_title &&
                 rules_org_piece(c, pc[0], pl[0]))
            rules_cand_add(c, pc[0], pl[0], 1.5, 2);
        after_title = line_title && np == 1;
    }
    rules_legal_line_cands(c, ls, ll, nl);
    rules_website_line_boost(c, ls + from, ll + from, nl - from);
    c->origin = saved;
}

/* A reply that only confirms ("Tuesday works"): the company patterns on
 * the quoted history, when the new text named none. */
static void rules_quoted_cands(rules_ctx_t *c)
{
    for (size_t i = 0; i < c->ncand; i++)
        if ((c->cand[i].origin & RULES_O_TEXT) && c->cand[i].weight >= 2)
            return;
    char *q = rules_quoted_text(rules_company_jstr(c->email, "text"));
    if (q == NULL)
        return;
    rules_text_t saved = c->text;
    rules_text_init(&c->text);
    if (rules_text_add(&c->text, q, strlen(q), RULES_F_BODY, RULES_SEG_TEXT) ==
        0) {
        int named = c->client_named;
        rules_extract(c, 0);
        c->client_named = named;
    }
    rules_text_free(&c->text);
    c->text = saved;
    free(q);
}

/* A scheduling or calendar service's subject "Phone Screen with Dana Holt
 * (Quillfeather Labs)": the interviewer, then the company in brackets
 * (trials 20, 21). Weight 3, as the calendar title's name. */
static void rules_bracket_subject_cand(rules_ctx_t *c)
{
    const char *subj = rules_company_jstr(c->email, "subject");
    if (subj == NULL || !rules_scheduling_mail(c))
        return;
    const char *w = strstr(subj, " with ");
    const char *open = w != NULL ? strstr(w, " (") : NULL;
    const char *close = open != NULL ? strchr(open, ')') : NULL;
    if (close == NULL || !isupper((unsigned char)open[2]) ||
        close - (open + 2) > 60)
        return;
    c->origin = RULES_O_HEADER;
    rules_cand_add(c, open + 2, (size_t)(close - (open + 2)), 3, 2);
}

/* A number leading a name is no part of it ("05 Aurora Pharma", a list's
 * item), and a plural possessive ends it ("Castlebar Foods' Ballina
 * site"). In place; a name of one word is left as it is. */
static void rules_cut_number_and_possessive(char *name)
{
    size_t d = strspn(name, "0123456789");
    if (d > 0 && name[d] == ' ' && name[d + 1] != '\0')
        memmove(name, name + d + 1, strlen(name + d + 1) + 1);
    char *p = strstr(name, "s' ");
    if (p != NULL && p > name && strchr(name, ' ') < p)
        p[1] = '\0';
}

/* An agency's short note about a step of the process (interview, offer,
 * assessment, rejection) names its client by a bare name, as people who
 * both know it do: "Orrin update" / "Orrin told me they offered the role
 * to someone else", "Revised numbers - Saltmarsh" / "Revised from
 * Saltmarsh:". When no prose pattern named a client: a run of capitalised
 * words (at most three) written in the subject and again in the new text
 * where no sentence starts is a candidate of the text (weight 1). Not a
 * stop word, a month, a person of the message, a vendor, an agency's name,
 * a word in capitals ("EUR"), a role ("Data Engineer") or a word after
 * "in", "near", "to", "de", "of"... (training writers, label forced: 5
 * rows right that were wrong, none lost). */
static void rules_client_mentions(rules_ctx_t *c)
{
    /* an agency's outreach or acknowledgement is its own: the client
     * counts in the steps of a process */
    if (c->label != RULES_INTERVIEW && c->label != RULES_OFFER &&
        c->label != RULES_ASSESSMENT && c->label != RULES_REJECTION)
        return;
    /* a place ("in Manchester", "to Istanbul"), a skill ("Teste de
     * Excel", "knowledge of Python") */
    static const char *const place_before[] = {"in", "near", "based", "around",
                                               "to", "de",   "of",    NULL};
    for (size_t i = 0; i < c->ncand; i++)
        if ((c->cand[i].origin & RULES_O_TEXT) &&
            !rules_agency_key(c->cand[i].key))
            return;
    const rules_text_t *t = &c->text;
    struct {
        char key[128];
        const char *s;
        size_t len;
        int n, subject;
    } seen[16];
    size_t ns = 0;
    for (size_t i = 0; i < t->ntok; i++) {
        const rules_tok_t *tk = &t->tok[i];
        if (t->seg[tk->seg].kind != RULES_SEG_TEXT ||
            !(tk->flags & RULES_T_CAP) ||
            (tk->field == RULES_F_BODY && (tk->flags & RULES_T_BREAK)) ||
            (i > 0 && t->tok[i - 1].seg == tk->seg &&
             (t->tok[i - 1].flags & RULES_T_CAP) &&
             !(tk->flags & RULES_T_BREAK)))
            continue; /* not the first word of a run */
        size_t last = i;
        while (last + 1 < t->ntok && last + 1 < i + 3 &&
               t->tok[last + 1].seg == tk->seg &&
               (t->tok[last + 1].flags & RULES_T_CAP) &&
               !(t->tok[last + 1].flags & RULES_T_BREAK))
            last++;
        const char *txt = t->seg[tk->seg].text;
        const char *s = txt + tk->off;
        size_t len = t->tok[last].end - tk->off;
        int title = 0; /* "Data Engineer": a role */
        for (size_t k = i; k <= last && !title; k++)
            title = rules_title_word(t->tok[k].w, t->tok[k].len);
        if (title)
            continue;
        int caps = 1;
        for (size_t k = 0; k < tk->len && caps; k++)
            caps = !islower((unsigned char)s[k]);
        char disp[128], key[128];
        if (caps || len >= sizeof disp || rules_db_is_stop(c->db, tk->w) ||
            rules_db_month(c->db, tk->w) > 0)
            continue;
        memcpy(disp, s, len);
        disp[len] = '\0';
        rules_org_key(disp, key, sizeof key);
        if (strlen(key) < 3 || rules_is_person(c, key) ||
            rules_is_person(c, tk->w) || rules_agency_key(key) ||
            rules_is_vendor(c->db, key) || rules_title_piece(s, len) ||
            (i > 0 && t->tok[i - 1].seg == tk->seg &&
             rules_label_in(t->tok[i - 1].w, t->tok[i - 1].len, place_before)))
            continue;
        int own = 0; /* "Oakridge" of oakridge-staffing: the agency */
        for (size_t j = 0; j < c->ncand && !own; j++)
            own = c->cand[j].origin != RULES_O_TEXT &&
                  rules_agency_key(c->cand[j].key) &&
                  strncmp(c->cand[j].key, key, strlen(key)) == 0;
        size_t k = 0;
        while (k < ns && strcmp(seen[k].key, key) != 0)
            k++;
        if (own)
            continue;
        if (k == ns) {
            if (ns == sizeof seen / sizeof seen[0])
                continue;
            snprintf(seen[k].key, sizeof seen[k].key, "%s", key);
            seen[k].s = s;
            seen[k].len = len;
            seen[k].n = 0;
            seen[k].subject = 0;
            ns++;
        }
        seen[k].n++;
        seen[k].subject |= tk->field == RULES_F_SUBJECT;
    }
#ifdef RULES_COMPANY_DEBUG
    for (size_t k = 0; k < ns; k++)
        fprintf(stderr, "mention %s n=%d\n", seen[k].key, seen[k].n);
#endif
    int saved = c->origin;
    c->origin = RULES_O_TEXT;
    for (size_t k = 0; k < ns; k++)
        if (seen[k].n >= 2 && seen[k].subject)
            rules_cand_add(c, seen[k].s, seen[k].len, 1.0, 2);
    c->origin = saved;
}

int rules_same_org(const char *a, const char *b)
{
    char ka[128], kb[128];
    rules_org_key(a, ka, sizeof ka);
    rules_org_key(b, kb, sizeof kb);
    return ka[0] != '\0' && strcmp(ka, kb) == 0;
}

/* 1 if s has three letters or more, none of them lower case. */
static int rules_all_caps(const char *s)
{
    size_t up = 0;
    for (; *s; s++) {
        if (islower((unsigned char)*s))
            return 0;
        up += isupper((unsigned char)*s) != 0;
    }
    return up >= 3;
}

/* A sender's name that says it is a platform, not an employer: a job
 * board ("JobBoard FR", "StartupJobs", "Vagas Online"), an e-signature,
 * scheduling or assessment service ("DocHub Sign", "GoodSlot Scheduling",
 * "ArcadeAssess") that senders.tsv does not know. */
static int rules_platform_name(const char *display)
{
    char low[128];
    rules_lower(display, strlen(display), low, sizeof low);
    static const char *const in[] = {
        "job",    "assess",  "hires",        "vagas",   "stellen",  "emploi",
        "empleo", "schedul", "eignungstest", "booking", "calendar", NULL};
    for (size_t i = 0; in[i]; i++)
        if (strstr(low, in[i]) != NULL)
            return 1;
    static const char *const end[] = {"sign", "slot", " online", NULL};
    for (const char *w = low; *w;) {
        size_t l = strcspn(w, " -");
        for (size_t i = 0; end[i]; i++) {
            size_t el = strlen(end[i]);
            if (end[i][0] == ' '
                    ? (w > low && l == el - 1 && strncmp(w, end[i] + 1, l) == 0)
                    : (l >= el && strncmp(w + l - el, end[i], el) == 0 &&
                       !(l >= 6 && strncmp(w + l - 6, "design", 6) == 0)))
                return 1;
        }
        w += l;
        w += strspn(w, " -");
    }
    return 0;
}

/* A platform sender (rules_platform_name) whose text names the employer
 * with a prose pattern ("transmise à Maison Cerf", "CTO at Ada", "bij
 * Zeewind komt werken") or in its signature or footer ("Farol Tecnologia
 * S.A. - Av. Paulista"): the sender's name weighs no more than its
 * domain (writer w17). Not for a person named in the text ("on behalf of
 * Lea Fontaine": two words, the first a given name). */
static void rules_platform_demote(rules_ctx_t *c)
{
    int named = 0;
    for (size_t j = 0; j < c->ncand && !named; j++) {
        const rules_cand_t *t = &c->cand[j];
        if ((t->origin & RULES_O_SENDER) || t->weight < 2.0 ||
            rules_platform_name(t->display) || rules_is_person(c, t->key))
            continue;
        if (strchr(t->display, ' ') != NULL &&
            rules_first_given(c, t->display, strlen(t->display)))
            continue;
        named = 1;
    }
    for (size_t i = 0; named && i < c->ncand; i++)
        if ((c->cand[i].origin & RULES_O_SENDER) && c->cand[i].weight > 1.0 &&
            rules_platform_name(c->cand[i].display))
            c->cand[i].weight = 1.0;
}

char *rules_best_company(rules_ctx_t *c)
{
    rules_subject_cand(c);
    rules_calendar_subject_cand(c);
    rules_calendar_title_cands(c);
    rules_host_line_cand(c);
    rules_bracket_subject_cand(c);
    rules_signature_cands(c);
    rules_quoted_cands(c);
    size_t n = c->ncand;
    /* a domain that spells the start of the sender's name is that name:
     * "mumbairetail" and "Mumbai Retail Tech" */
    for (size_t i = 0; i < n; i++) {
        if (c->cand[i].quality != 1)
            continue;
        size_t kl = strlen(c->cand[i].key);
        for (size_t j = 0; j < n; j++)
            if (c->cand[j].quality == 3 && kl >= 4 &&
                strncmp(c->cand[j].key, c->cand[i].key, kl) == 0) {
                c->cand[j].weight += c->cand[i].weight;
                c->cand[i].weight = 0;
                c->cand[i].quality = 0;
                break;
            }
    }
    /* a domain the new text does not spell out may be spelled in the
     * quoted history of a reply ("> ... la directora de Cortiça Nova") */
    size_t left[RULES_MAX_CANDS], nleft = 0;
    for (size_t i = 0; i < n; i++)
        if (c->cand[i].quality == 1) {
            rules_cand_t cd = c->cand[i];
            if (!rules_expand_slug(c, &cd))
                left[nleft++] = i;
        }
    char *quoted = nleft > 0
                       ? rules_quoted_text(rules_company_jstr(c->email, "text"))
                       : NULL;
    if (quoted != NULL) {
        rules_text_t saved = c->text;
        rules_text_init(&c->text);
        if (rules_text_add(&c->text, quoted, strlen(quoted), RULES_F_BODY,
                           RULES_SEG_TEXT) == 0)
            for (size_t k = 0; k < nleft; k++) {
                rules_cand_t cd = c->cand[left[k]];
                rules_expand_slug(c, &cd);
            }
        rules_text_free(&c->text);
        c->text = saved;
        free(quoted);
    }
    rules_platform_demote(c);
    /* a staffing agency writing: a company named in the text (its
     * client) is the hiring company */
    int agency = c->agency_named;
    for (size_t i = 0; i < c->ncand; i++)
        if ((c->cand[i].origin &
             (RULES_O_SENDER | RULES_O_SIGN | RULES_O_HEADER)) &&
            rules_agency_key(c->cand[i].key))
            agency = 1;
    if (agency)
        rules_client_mentions(c);
    int client = 0;
    for (size_t i = 0; agency && i < c->ncand; i++)
        if (c->cand[i].origin == RULES_O_TEXT &&
            !rules_agency_key(c->cand[i].key))
            client = 1;
    if (agency)
        for (size_t i = 0; i < c->ncand; i++) {
            if (c->cand[i].origin == RULES_O_TEXT &&
                !rules_agency_key(c->cand[i].key))
                c->cand[i].weight += 3.0;
            /* the agency's own name, spelled out from its domain
             * ("summitline-talent" -> "Summitline Talent"), does not
             * outweigh the client; it still names an unnamed client's
             * agency */
            else if (client && c->cand[i].origin != RULES_O_TEXT &&
                     rules_agency_key(c->cand[i].key) &&
                     c->cand[i].weight > 1.0)
                c->cand[i].weight = c->cand[i].weight - 2.0 > 1.0
                                        ? c->cand[i].weight - 2.0
                                        : 1.0;
        }
    const rules_cand_t *best = NULL;
    for (size_t i = 0; i < c->ncand; i++)
        if (best == NULL || c->cand[i].weight > best->weight)
            best = &c->cand[i];
    /* a name taken short ("Northwind would like to meet you") goes on to
     * the fullest spelling the message writes ("Northwind Logistics") */
    if (best != NULL && best->quality != 1 && best->weight >= 1.0) {
        rules_cand_t cd = *best;
        size_t dl = strlen(cd.display);
        rules_expand_slug(c, &cd);
        for (size_t i = 0; i < c->ncand; i++)
            if (c->cand[i].weight > best->weight &&
                strncasecmp(c->cand[i].display, cd.display, dl) == 0 &&
                c->cand[i].display[dl] == ' ')
                best = &c->cand[i];
    }
    /* a name in capitals ("IRONBARK: Your application", a logo's alt
     * text) is the name the text writes in mixed case, the longest
     * ("Ironbark Resources": writer w17) */
    if (best != NULL && best->quality == 2 && rules_all_caps(best->display)) {
        size_t dl = strlen(best->display);
        const rules_cand_t *full = NULL;
        for (size_t i = 0; i < c->ncand; i++)
            if (c->cand[i].weight >= 1.0 &&
                !rules_all_caps(c->cand[i].display) &&
                strncasecmp(c->cand[i].display, best->display, dl) == 0 &&
                (c->cand[i].display[dl] == ' ' ||
                 c->cand[i].display[dl] == '\0') &&
                (full == NULL ||
                 strlen(c->cand[i].display) > strlen(full->display)))
                full = &c->cand[i];
        if (full != NULL)
            best = full;
    }
#ifdef RULES_COMPANY_DEBUG /* -DRULES_COMPANY_DEBUG: every candidate */
    for (size_t i = 0; i < c->ncand; i++)
        fprintf(stderr, "cand %-40s w=%.3f q=%d o=%d\n", c->cand[i].display,
                c->cand[i].weight, c->cand[i].quality, c->cand[i].origin);
#endif
    if (best == NULL || best->weight < 1.0)
        return NULL;
    c->best_quality = best->quality;
    char *r = strdup(best->display);
    if (r != NULL) {
        rules_cut_hiring_words(r);
        rules_cut_legal(r);
        rules_cut_number_and_possessive(r);
    }
    if (r != NULL && best->quality == 1 && islower((unsigned char)r[0]))
        r[0] = (char)toupper((unsigned char)r[0]);
    return r;
}
