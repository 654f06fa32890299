/*
 * The rules classifier: scores the seven event labels from the data tables
 * (phrases, sender kinds, calendar invitations, bulk headers), picks one,
 * and extracts company, role and scheduled date. See
 * docs/classification.md for the method.
 */
#include "co_clf.h"
#include "rules_company.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Score a label needs to be chosen over OTHER. */
#define RULES_THRESHOLD 3.0
/* Without hiring context, INTERVIEW/OFFER/ASSESSMENT need this much. */
#define RULES_NO_CONTEXT_MIN 6.0
/* Hiring context needed to trust a strong label's phrases. */
#define RULES_CONTEXT_MIN 1.0
/* INTERVIEW/OFFER/ASSESSMENT need one signal at least this strong. */
#define RULES_STRONG_SIGNAL 3.0

static const char *rules_jstr(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---------------------------------------------------------------------- */
/* Phrase matching                                                         */

static int rules_collect_hits(rules_ctx_t *c)
{
    const rules_db_t *db = c->db;
    const rules_text_t *t = &c->text;
    c->seen = calloc(db->nphrase ? db->nphrase : 1, 1);
    if (c->seen == NULL)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < t->ntok; i++) {
        const rules_tok_t *tk = &t->tok[i];
        uint32_t lo = 0, hi = 0;
        rules_db_first_word(db, tk->w, tk->len, &lo, &hi);
        unsigned char b0 = (unsigned char)tk->w[0];
        const uint32_t *pf = db->prefix_by_byte + db->prefix_off[b0];
        size_t nk = (hi - lo) + (db->prefix_off[b0 + 1] - db->prefix_off[b0]);
        for (size_t k = 0; k < nk; k++) {
            uint32_t pi;
            if (k < hi - lo)
                pi = db->index[lo + k].phrase;
            else {
                pi = pf[k - (hi - lo)];
                if (!rules_word_eq(&db->phrase[pi].w[0], tk))
                    continue;
            }
            const rules_phrase_t *p = &db->phrase[pi];
            if (c->seen[pi] || !(p->fields & tk->field))
                continue;
            long end = rules_match_at(t, p, 1, i + 1, tk->seg);
            if (end < 0)
                continue;
            c->seen[pi] = 1;
            if (c->nhits == cap) {
                cap = cap ? cap * 2 : 32;
                rules_hit_t *n = realloc(c->hits, cap * sizeof *n);
                if (n == NULL)
                    return -1;
                c->hits = n;
            }
            c->hits[c->nhits].phrase = pi;
            c->hits[c->nhits].start = (uint32_t)i;
            c->hits[c->nhits].end = (uint32_t)end;
            c->nhits++;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Evidence                                                                */

static void rules_add_evidence(rules_result_t *res, const char *s)
{
    if (res->n_evidence >= RULES_MAX_EVIDENCE || s == NULL)
        return;
    char *d = strdup(s);
    if (d != NULL)
        res->evidence[res->n_evidence++] = d;
}

/* A short quote around tokens [start, end) of a segment. */
static void rules_quote(const rules_ctx_t *c, const rules_hit_t *h,
                        rules_result_t *res)
{
    const rules_text_t *t = &c->text;
    const rules_tok_t *a = &t->tok[h->start], *b = &t->tok[h->end - 1];
    const rules_seg_t *sg = &t->seg[a->seg];
    size_t s = a->off, e = b->end;
    /* widen to about 30 bytes each side, on word boundaries */
    size_t ws = s > 30 ? s - 30 : 0;
    while (ws > 0 && ws < s && sg->text[ws - 1] != ' ' &&
           sg->text[ws - 1] != '\n')
        ws++;
    size_t we = e + 30 < sg->len ? e + 30 : sg->len;
    while (we < sg->len && we > e && sg->text[we] != ' ' &&
           sg->text[we] != '\n')
        we--;
    /* stay within the line/sentence */
    for (size_t k = s; k > ws; k--)
        if (sg->text[k - 1] == '\n') {
            ws = k;
            break;
        }
    for (size_t k = e; k < we; k++)
        if (sg->text[k] == '\n') {
            we = k;
            break;
        }
    char buf[200];
    size_t o = 0;
    const char *pre = sg->kind == RULES_SEG_CALENDAR ? "calendar: "
                      : sg->kind == RULES_SEG_SENDER ? "from: "
                      : sg->field == RULES_F_SUBJECT ? "subject: "
                                                     : "";
    o = (size_t)snprintf(buf, sizeof buf, "%s", pre);
    int sp = 0;
    for (size_t k = ws; k < we && o + 2 < sizeof buf; k++) {
        char ch = sg->text[k];
        if (ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
            if (!sp && o > strlen(pre))
                buf[o++] = ' ';
            sp = 1;
            continue;
        }
        sp = 0;
        buf[o++] = ch;
    }
    /* do not cut a UTF-8 sequence */
    while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80) {
        size_t k = o - 1;
        while (k > 0 && ((unsigned char)buf[k] & 0xC0) == 0x80)
            k--;
        unsigned char lead = (unsigned char)buf[k];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (o - k >= need)
            break;
        o = k;
    }
    while (o > 0 && buf[o - 1] == ' ')
        o--;
    buf[o] = '\0';
    rules_add_evidence(res, buf);
}

static int rules_cmp_hit_weight(const void *a, const void *b, void *arg)
{
    const rules_db_t *db = arg;
    double x = db->phrase[((const rules_hit_t *)a)->phrase].weight;
    double y = db->phrase[((const rules_hit_t *)b)->phrase].weight;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Classification                                                          */

static long long rules_parse_utc(const char *s)
{
    if (s == NULL)
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    /* seconds are optional: a date found in the text has none */
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) < 5)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

/* The "+0100" at the end of a Date header, in minutes; INT_MIN if none. */
static int rules_header_offset(const char *raw)
{
    if (raw == NULL)
        return INT_MIN;
    const char *p = raw + strlen(raw);
    while (p > raw && (p[-1] == ' ' || p[-1] == ')' ||
                       isalpha((unsigned char)p[-1]) || p[-1] == '(')) {
        if (p[-1] == '(') { /* "(CET)" comment */
            p--;
            continue;
        }
        p--;
    }
    while (p > raw && p[-1] == ' ')
        p--;
    size_t rl = strlen(raw);
    if ((rl >= 3 && strcmp(raw + rl - 3, "GMT") == 0) ||
        (rl >= 3 && strcmp(raw + rl - 3, " UT") == 0))
        return 0;
    if (p - raw < 5)
        return INT_MIN;
    const char *z = p - 5;
    if ((z[0] != '+' && z[0] != '-') || !isdigit((unsigned char)z[1]) ||
        !isdigit((unsigned char)z[2]) || !isdigit((unsigned char)z[3]) ||
        !isdigit((unsigned char)z[4]))
        return INT_MIN;
    int v = ((z[1] - '0') * 10 + (z[2] - '0')) * 60 + (z[3] - '0') * 10 +
            (z[4] - '0');
    return z[0] == '-' ? -v : v;
}

/* Normalise a calendar start ("2025-03-04T14:00:00Z") into out. */
static int rules_cal_start(const json_t *ev, char *out, size_t out_size)
{
    const char *start = rules_jstr(ev, "start");
    if (start == NULL || json_is_true(json_object_get(ev, "all_day")))
        return 0;
    long long t = rules_parse_utc(start);
    if (t == 0)
        return 0;
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999)
        return 0; /* RFC 3339 has four-digit years */
    strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 1;
}

/* 1 when the email carries an updated invitation: a calendar REQUEST
 * with SEQUENCE 1 or more (RFC 5545 3.8.7.4: the organizer revised it),
 * not cancelled. The notifier only announces it when its time is not one
 * already announced, so a revision that keeps the time says nothing. */
static int rules_calendar_update(const json_t *email)
{
    const json_t *cal = json_object_get(email, "calendar");
    size_t i;
    const json_t *ev;
    json_array_foreach(cal, i, ev)
    {
        const char *m = json_string_value(json_object_get(ev, "method"));
        const char *st = json_string_value(json_object_get(ev, "status"));
        const json_t *seq = json_object_get(ev, "sequence");
        if (m != NULL && strcasecmp(m, "REQUEST") == 0 &&
            !(st != NULL && strcasecmp(st, "CANCELLED") == 0) &&
            json_is_integer(seq) && json_integer_value(seq) >= 1)
            return 1;
    }
    return 0;
}

int rules_classify(const rules_db_t *db, const json_t *email,
                   rules_result_t *res)
{
    return rules_classify_ex(db, email, NULL, NULL, res);
}

/* Whether the text moves an appointment to `when` (a date read from the
 * text, UTC), later than the message's own Date: "we've moved your
 * interview to Thursday, December 10 at 3:00 PM". */
static int rules_text_moves_later(const rules_ctx_t *c, const json_t *email,
                                  const char *when)
{
    long long sent = rules_parse_utc(rules_jstr(email, "date"));
    long long at = rules_parse_utc(when);
    return sent > 0 && at > sent &&
           (rules_moved_cue(&c->text, 0) || rules_moved_cue(&c->text, 1));
}

/* Whether `due`, the deadline day the text gives (rules_due_date(),
 * "YYYY-MM-DD" or ""), is after the day of the message's Date (UTC). */
static int rules_due_later(const char *due, const json_t *email)
{
    const char *sent = rules_jstr(email, "date");
    return due[0] && sent != NULL && strlen(sent) >= 10 &&
           strncmp(due, sent, 10) > 0;
}

static double rules_quoted_weight(const rules_db_t *db, const json_t *email,
                                  int label);

/* Whether the new text of the body (above the first attribution of the
 * quoted history) has a phrase of `label`. */
static int rules_new_text_speaks(const rules_ctx_t *c, rules_label_t label)
{
    size_t from = rules_first_attribution(&c->text, 1);
    for (size_t h = 0; h < c->nhits; h++) {
        const rules_phrase_t *p = &c->db->phrase[c->hits[h].phrase];
        if (p->label == (int)label && p->weight > 0 &&
            c->text.tok[c->hits[h].start].seg == 1 &&
            (from == 0 || c->hits[h].start < from))
            return 1;
    }
    return 0;
}

/* 1 when a calendar object's attendee answered ACCEPTED (in a METHOD:REPLY
 * the replier: RFC 5546 3.2.3), else 0. */
static int rules_cal_accepted(const json_t *ev)
{
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(ev, "attendees"), i, a)
    {
        const char *ps = rules_jstr(a, "partstat");
        if (ps != NULL && strcasecmp(ps, "ACCEPTED") == 0)
            return 1;
    }
    return 0;
}

/* Whether the sender of c can be the candidate deciding (SELF phrases):
 * with the user's own addresses configured, only mail from them; else
 * mail the heuristics call the user's (rules_own_message()), or a
 * person's reply or mail about withdrawing or declining. A recruiter's
 * "P.S. if you have accepted another offer, reply 'please withdraw my
 * name'" is no decision of the candidate's (trial 82: the invitation was
 * stored as OTHER, the interview never told). */
static int rules_self_sender(const rules_ctx_t *c, int own_message)
{
    if (c->db->nown > 0)
        return own_message == 1;
    if (own_message != 0)
        return 1;
    /* else a person (no role account, no vendor's or board's address)
     * replying, or writing about withdrawing or declining: an invitation
     * that mentions how to withdraw is neither */
    if (c->from_addr == NULL || rules_role_account(c->from_addr) ||
        (c->sender != NULL && c->sender->kind != RULES_K_FREEMAIL))
        return 0;
    const char *subj = rules_jstr(c->email, "subject");
    if (rules_is_reply(c))
        return 1;
    if (subj == NULL)
        return 0;
    /* replies in other languages ("AW: Ihr Angebot") */
    static const char *const re[] = {"aw:", "sv:",  "vs:",  "antw:", "res:",
                                     "r:",  "odp:", "rif:", "ynt:",  NULL};
    subj += strspn(subj, " \t");
    for (size_t i = 0; re[i]; i++)
        if (strncasecmp(subj, re[i], strlen(re[i])) == 0)
            return 1;
    return strcasestr(subj, "withdraw") != NULL ||
           strcasestr(subj, "declin") != NULL;
}

/* Whether a message the user sent (rules_own_message()) keeps the label
 * `best`: an INTERVIEW whose date the reply gives or confirms
 * (rules_reply_confirms(): "Thursday at 3 PM works for me"; WRITING.md: a
 * candidate's reply confirming a time is the interview), or a REJECTION
 * whose quoted history holds the company's rejection; never an OFFER,
 * ASSESSMENT, APPLICATION_ACK or RECRUITER_OUTREACH, a rejection the
 * user's own words give ("I have to say no this time": the model read
 * that as the company's), nor an interview without a date ("Could we do
 * Wednesday instead?"). `model`: a decision hook read the new text; else
 * a time taken from the quoted history needs an interview phrase in it. */
static int rules_own_confirms(const rules_ctx_t *c, int best,
                              const char *cal_date, const char *text_date,
                              int model)
{
    /* the user's answer to a rejection it quotes ("Thanks for letting me
     * know, I understand" above "> we have decided not to move forward"):
     * the rejection stands, the status it gives is right whoever wrote */
    if (best == RULES_REJECTION) {
        double w = rules_quoted_weight(c->db, c->email, RULES_REJECTION);
        size_t from = rules_first_attribution(&c->text, 1);
        for (size_t h = 0; from > 0 && h < c->nhits; h++) {
            const rules_phrase_t *p = &c->db->phrase[c->hits[h].phrase];
            if (p->label == RULES_REJECTION && c->hits[h].start >= from &&
                c->text.tok[c->hits[h].start].seg == 1)
                w += p->weight;
        }
        return w >= RULES_THRESHOLD;
    }
    if (best != RULES_INTERVIEW)
        return 0;
    if (cal_date[0]) /* the user's own invitation */
        return 1;
    char when[32];
    rules_scheduled_date(c, cal_date, text_date, when, sizeof when);
    int how = when[0] ? rules_reply_confirms(c, when) : 0;
    if (how != 2 || model)
        return how != 0;
    /* the quoted invitation's time, and the rules alone, which read the
     * history below "From: ... Sent:" too ("I signed with another team"
     * above the invitation): the new text must speak of the interview */
    return rules_new_text_speaks(c, RULES_INTERVIEW);
}

/* The labels (bit l for label l) a message may have: all unless the user
 * sent it (own, rules_own_message()), then OTHER and what
 * rules_own_confirms() allows; when that is only guessed (own 2), also
 * the INTERVIEW, OFFER or ASSESSMENT its new text speaks of. */
static unsigned rules_own_allows(const rules_ctx_t *c, int own,
                                 const char *cal_date, const char *text_date,
                                 int model)
{
    if (!own)
        return ~0u;
    unsigned allows = 1u << RULES_OTHER;
    /* only guessed (own 2: a reply from free mail to an organisation, no
     * own_addresses): a founder or recruiter writing from free mail to a
     * user on their own domain has the same shape (trial 44: an offer
     * from a founder's free-mail address became OTHER, never notified).
     * An interview, offer or assessment its new text speaks of stays; a
     * wrong guess then costs a repeated notification, a right one still
     * keeps the user's decline from being a REJECTION */
    if (own == 2)
        for (int l = RULES_INTERVIEW; l <= RULES_ASSESSMENT; l++)
            if (rules_new_text_speaks(c, (rules_label_t)l))
                allows |= 1u << l;
    if (rules_own_confirms(c, RULES_INTERVIEW, cal_date, text_date, model))
        allows |= 1u << RULES_INTERVIEW;
    if (rules_own_confirms(c, RULES_REJECTION, cal_date, text_date, model))
        allows |= 1u << RULES_REJECTION;
    return allows;
}

int rules_classify_ex(const rules_db_t *db, const json_t *email,
                      rules_decide_fn decide, void *arg, rules_result_t *res)
{
    if (!json_is_object(email))
        return -1;
    memset(res, 0, sizeof *res);
    rules_ctx_t c;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.email = email;
    rules_text_init(&c.text);
    int rc = -1;

    const char *subject = rules_jstr(email, "subject");
    const char *body = rules_jstr(email, "text");
    const json_t *from = json_object_get(email, "from");
    c.from_addr = rules_jstr(from, "address");
    c.from_name = rules_jstr(from, "name");
    c.sender = rules_db_sender(db, c.from_addr);
    /* the user's own message: a weekday it names may be its own day
     * ("Thursday at 3 PM works" sent on Thursday morning) */
    res->own_message = rules_own_message(&c);
    c.text.weekday_today = res->own_message != 0;

    /* segments: 0 subject, 1 body, 2 sender (display name and the words
     * of the address's local part: "Acme Careers <careers@...>"), then
     * calendar summaries */
    rules_text_add(&c.text, subject ? subject : "",
                   subject ? strlen(subject) : 0, RULES_F_SUBJECT,
                   RULES_SEG_TEXT);
    rules_text_add(&c.text, body ? body : "", body ? strlen(body) : 0,
                   RULES_F_BODY, RULES_SEG_TEXT);
    char sender_text[400];
    {
        const char *at = c.from_addr ? strchr(c.from_addr, '@') : NULL;
        snprintf(sender_text, sizeof sender_text, "%.250s | %.*s",
                 c.from_name ? c.from_name : "",
                 at ? (int)(at - c.from_addr) : 0, at ? c.from_addr : "");
    }
    rules_text_add(&c.text, sender_text, strlen(sender_text), RULES_F_SUBJECT,
                   RULES_SEG_SENDER);
    const json_t *cal = json_object_get(email, "calendar");
    size_t ci;
    const json_t *ev;
    int cal_seg[8];
    size_t ncal = 0;
    json_array_foreach(cal, ci, ev)
    {
        if (ncal == 8)
            break;
        const char *sum = rules_jstr(ev, "summary");
        cal_seg[ncal++] = (int)c.text.nseg;
        if (rules_text_add(&c.text, sum ? sum : "", sum ? strlen(sum) : 0,
                           RULES_F_SUBJECT, RULES_SEG_CALENDAR) != 0)
            goto out;
    }
    if (rules_collect_hits(&c) != 0)
        goto out;

    /* phrase scores */
    double score[RULES_L_COUNT] = {0};
    double strongest[RULES_L_COUNT] = {0}; /* largest single signal */
    int cal_interview[8] = {0}, cal_assessment[8] = {0};
    for (size_t h = 0; h < c.nhits; h++) {
        const rules_phrase_t *p = &db->phrase[c.hits[h].phrase];
        score[p->label] += p->weight;
        strongest[p->label] = fmax(strongest[p->label], p->weight);
        uint16_t seg = c.text.tok[c.hits[h].start].seg;
        for (size_t k = 0; k < ncal; k++)
            if (cal_seg[k] == seg && p->weight > 0) {
                if (p->label == RULES_INTERVIEW)
                    cal_interview[k] = 1;
                if (p->label == RULES_ASSESSMENT)
                    cal_assessment[k] = 1;
            }
    }
    double context = fmin(score[RULES_L_HIRING], 4.0);
    double bulk = fmin(score[RULES_L_BULK], 8.0);
    if (bulk < 0)
        bulk = 0;

    /* sender */
    char sender_ev[200] = "";
    if (c.sender != NULL) {
        static const char *const kn[] = {"",           "ats",      "scheduling",
                                         "assessment", "video",    "jobboard",
                                         "alerts",     "freemail", "meeting"};
        switch (c.sender->kind) {
        case RULES_K_ATS:
            context += 3;
            break;
        case RULES_K_SCHEDULING:
            context += 1.5;
            score[RULES_INTERVIEW] += 1.5;
            break;
        case RULES_K_ASSESSMENT:
            context += 2;
            score[RULES_ASSESSMENT] += 3;
            strongest[RULES_ASSESSMENT] = fmax(strongest[RULES_ASSESSMENT], 3);
            break;
        case RULES_K_VIDEO:
            context += 2;
            score[RULES_INTERVIEW] += 2;
            break;
        case RULES_K_ALERTS:
            bulk += 4;
            break;
        default:
            break;
        }
        if (c.sender->kind != RULES_K_FREEMAIL &&
            c.sender->kind != RULES_K_JOBBOARD &&
            c.sender->kind != RULES_K_MEETING)
            snprintf(sender_ev, sizeof sender_ev, "sender %s (%s, %s)",
                     c.from_addr, c.sender->vendor, kn[c.sender->kind]);
    }
    /* links to an applicant-tracking system */
    {
        const json_t *links = json_object_get(email, "links");
        size_t li;
        const json_t *l;
        json_array_foreach(links, li, l)
        {
            if (li >= 50)
                break;
            char host[256];
            if (co_clf_url_host(rules_jstr(l, "url"), host, sizeof host) == 0)
                continue;
            const rules_sender_t *s = rules_db_sender(db, host);
            if (s != NULL && s->kind == RULES_K_ATS) {
                context += 1.5;
                break;
            }
        }
    }

    /* bulk headers */
    const json_t *hdr = json_object_get(email, "headers");
    double hbulk = 0;
    char bulk_ev[160] = "";
    const char *lu = rules_jstr(hdr, "list_unsubscribe");
    const char *lid = rules_jstr(hdr, "list_id");
    const char *prec = rules_jstr(hdr, "precedence");
    if (lu != NULL && *lu) {
        hbulk += 1.5;
        snprintf(bulk_ev, sizeof bulk_ev, "List-Unsubscribe header");
    }
    if (lid != NULL && *lid) {
        hbulk += 1.5;
        snprintf(bulk_ev, sizeof bulk_ev, "List-Id: %.100s", lid);
    }
    if (prec != NULL &&
        (strcasecmp(prec, "bulk") == 0 || strcasecmp(prec, "list") == 0 ||
         strcasecmp(prec, "junk") == 0)) {
        hbulk += 2;
        snprintf(bulk_ev, sizeof bulk_ev, "Precedence: %.40s", prec);
    }
    if (c.sender != NULL && (c.sender->kind == RULES_K_ATS ||
                             c.sender->kind == RULES_K_SCHEDULING ||
                             c.sender->kind == RULES_K_ASSESSMENT))
        hbulk /= 2;
    bulk += hbulk;

    /* calendar invitations */
    char cal_date[32] = "";
    char cal_ev[200] = "";
    int cal_accepted = 0; /* an own "Accepted:" answer gave cal_date */
    ncal = 0;
    json_array_foreach(cal, ci, ev)
    {
        if (ncal == 8)
            break;
        size_t k = ncal++;
        const char *method = rules_jstr(ev, "method");
        const char *status = rules_jstr(ev, "status");
        /* the user's own calendar answer accepting ("Accepted: Interview
         * ..."): the interview it confirms, as a reply confirming a time
         * in words is (note 20: skipped, like any REPLY) */
        int reply = method && strcasecmp(method, "REPLY") == 0;
        int accepted = reply && res->own_message && rules_cal_accepted(ev);
        if ((method && strcasecmp(method, "CANCEL") == 0) ||
            (reply && !accepted) ||
            (status && strcasecmp(status, "CANCELLED") == 0))
            continue;
        /* an accepted answer: any interview word will do (a phrase is
         * counted once, so "Aceptado: Entrevista final" counts the
         * subject's, not the summary's) */
        int hiring = cal_interview[k] || cal_assessment[k] || context >= 1.5 ||
                     score[RULES_INTERVIEW] >= 3 ||
                     (accepted && score[RULES_INTERVIEW] > 0) ||
                     (c.sender && (c.sender->kind == RULES_K_ATS ||
                                   c.sender->kind == RULES_K_SCHEDULING ||
                                   c.sender->kind == RULES_K_VIDEO));
        if (!hiring || cal_date[0])
            continue;
        int l = cal_assessment[k] && !cal_interview[k] ? RULES_ASSESSMENT
                                                       : RULES_INTERVIEW;
        cal_accepted = accepted;
        score[l] += 3;
        strongest[l] = fmax(strongest[l], 3);
        context += 1;
        rules_cal_start(ev, cal_date, sizeof cal_date);
        const char *sum = rules_jstr(ev, "summary");
        snprintf(cal_ev, sizeof cal_ev, "%s: %.100s%s%s",
                 accepted ? "calendar reply (accepted)" : "calendar invitation",
                 sum ? sum : "(no summary)", cal_date[0] ? " at " : "",
                 cal_date);
    }

    /* a date and time in the text of a message about an interview */
    char text_date[32] = "";
    if (!cal_date[0] && score[RULES_INTERVIEW] >= 1) {
        long long ref = rules_parse_utc(rules_jstr(email, "date"));
        int off = rules_header_offset(rules_jstr(email, "date_raw"));
        if (rules_find_date_tokens(db, &c.text, 1, ref, off, text_date,
                                   sizeof text_date) ||
            rules_find_date_tokens(db, &c.text, 0, ref, off, text_date,
                                   sizeof text_date))
            score[RULES_INTERVIEW] += 2;
    }

    /* the labels a message the user sent may have (the rules' and, through
     * rules_decision_t, the hook's) */
    unsigned own_allows = rules_own_allows(&c, res->own_message, cal_date,
                                           text_date, decide != NULL);

    /* decide */
    double eff[RULES_NLABELS];
    for (int l = 0; l < RULES_NLABELS; l++)
        eff[l] = score[l] - (l == RULES_OTHER ? 0 : bulk);
    for (int l = RULES_INTERVIEW; l <= RULES_ASSESSMENT; l++)
        /* the labels that alert the user need one strong signal (a specific
         * phrase, an invitation, a vendor) and hiring context */
        if (strongest[l] < RULES_STRONG_SIGNAL ||
            (context < RULES_CONTEXT_MIN && score[l] < RULES_NO_CONTEXT_MIN))
            eff[l] = fmin(eff[l], RULES_THRESHOLD - 0.01);
    /* "your application was received / declined" is about a job only in
     * a hiring context (not a credit card, a flat, a permit) */
    if (context < RULES_CONTEXT_MIN) {
        eff[RULES_APPLICATION_ACK] =
            fmin(eff[RULES_APPLICATION_ACK], RULES_THRESHOLD - 0.01);
        eff[RULES_REJECTION] =
            fmin(eff[RULES_REJECTION], RULES_THRESHOLD - 0.01);
    }
    /* the candidate's own decision (a reply declining an offer or
     * withdrawing: trial 36's "I've decided to decline, as I've accepted
     * another position" became a REJECTION): no event of the company's */
    int own_decision =
        score[RULES_L_SELF] > 0 && rules_self_sender(&c, res->own_message);
    if (own_decision)
        for (int l = 0; l < RULES_OTHER; l++)
            eff[l] = fmin(eff[l], RULES_THRESHOLD - 0.01);
    int best = RULES_OTHER;
    double bestv = RULES_THRESHOLD - 1e-9, second = 0;
    for (int l = 0; l < RULES_OTHER; l++) {
        if (eff[l] > bestv) {
            second = best == RULES_OTHER ? second : bestv;
            best = l;
            bestv = eff[l];
        } else if (eff[l] > second)
            second = eff[l];
    }
    for (int l = 0; l < RULES_NLABELS; l++)
        res->score[l] = score[l];
    res->bulk = bulk;
    res->context = context;
    int own_overruled = !(own_allows & (1u << best));
    if (own_overruled)
        best = RULES_OTHER;
    res->label = (rules_label_t)best;
    if (own_overruled) /* the sender, not the words, decides */
        res->confidence = res->own_message == 1 ? 0.95 : 0.85;
    else if (best != RULES_OTHER) {
        double margin = bestv - (second > 0 ? second : 0);
        double conf = 0.55 + 0.04 * (bestv - RULES_THRESHOLD) +
                      0.05 * fmin(margin, 4.0) +
                      (context >= RULES_CONTEXT_MIN ? 0.05 : 0);
        res->confidence = fmax(0.5, fmin(0.99, conf));
    } else {
        double top = 0;
        for (int l = 0; l < RULES_OTHER; l++)
            top = fmax(top, eff[l]);
        res->confidence = bulk >= 3 ? 0.9 : fmax(0.5, 0.85 - 0.1 * top);
    }
    /* the deadline day, read once: the hook's due_later and due_day */
    char due[sizeof res->due_day] = "";
    int due_read = 0;
    if (decide != NULL) {
        rules_due_date(&c, due, sizeof due);
        due_read = 1;
        static const char *const kinds[] = {
            NULL,       "ats",    "scheduling", "assessment", "video",
            "jobboard", "alerts", "freemail",   "meeting"};
        rules_decision_t d = {
            .label = res->label,
            .confidence = res->confidence,
            .score = res->score,
            .bulk = bulk,
            .context = context,
            .alerts_sender = c.sender && c.sender->kind == RULES_K_ALERTS,
            .calendar = cal_ev[0] != '\0',
            .moved =
                text_date[0] && rules_text_moves_later(&c, email, text_date),
            .due_later = rules_due_later(due, email),
            .sender_kind = c.sender ? kinds[c.sender->kind] : NULL,
            .own_decision = own_decision,
            .own_allows = own_allows,
            .cal_accepted = cal_accepted && res->label == RULES_INTERVIEW};
        rules_label_t l = res->label;
        double conf = res->confidence;
        decide(arg, email, &d, &l, &conf);
        if (l >= RULES_INTERVIEW && l < RULES_NLABELS) {
            res->label = l;
            best = (int)l;
            res->confidence = conf;
        }
        /* a date in the text of a message the hook calls an interview or
         * an assessment */
        if (!cal_date[0] && !text_date[0] &&
            (best == RULES_INTERVIEW || best == RULES_ASSESSMENT)) {
            long long ref = rules_parse_utc(rules_jstr(email, "date"));
            int off = rules_header_offset(rules_jstr(email, "date_raw"));
            if (!rules_find_date_tokens(db, &c.text, 1, ref, off, text_date,
                                        sizeof text_date))
                rules_find_date_tokens(db, &c.text, 0, ref, off, text_date,
                                       sizeof text_date);
        }
    }
    res->confidence = round(res->confidence * 100) / 100;

    /* evidence */
    if (c.nhits > 1)
        qsort_r(c.hits, c.nhits, sizeof *c.hits, rules_cmp_hit_weight,
                (void *)db);
    int want = best != RULES_OTHER ? best
               : own_decision      ? RULES_L_SELF
                                   : RULES_L_BULK;
    size_t quotes = 0;
    if (best != RULES_OTHER && cal_ev[0] &&
        (best == RULES_INTERVIEW || best == RULES_ASSESSMENT))
        rules_add_evidence(res, cal_ev);
    size_t quoted[3];
    for (size_t h = 0; h < c.nhits && quotes < 3; h++) {
        const rules_phrase_t *p = &db->phrase[c.hits[h].phrase];
        if (p->label != want || p->weight <= 0)
            continue;
        /* one quote per passage: skip hits near one already quoted */
        int near = 0;
        for (size_t q = 0; q < quotes; q++) {
            const rules_hit_t *o = &c.hits[quoted[q]];
            if (c.text.tok[o->start].seg == c.text.tok[c.hits[h].start].seg &&
                c.hits[h].start + 10 > o->start &&
                o->start + 10 > c.hits[h].start)
                near = 1;
        }
        if (near)
            continue;
        rules_quote(&c, &c.hits[h], res);
        quoted[quotes++] = h;
    }
    if (sender_ev[0] && best != RULES_OTHER)
        rules_add_evidence(res, sender_ev);
    if (res->own_message)
        rules_add_evidence(res, res->own_message == 1
                                    ? "sent by the user (own_addresses)"
                                    : "sent by the user (a reply from a "
                                      "personal mailbox to an organisation)");
    if (best == RULES_OTHER) {
        if (c.sender && c.sender->kind == RULES_K_ALERTS) {
            char b[200];
            snprintf(b, sizeof b, "job-alert sender %s (%s)", c.from_addr,
                     c.sender->vendor);
            rules_add_evidence(res, b);
        }
        if (bulk_ev[0])
            rules_add_evidence(res, bulk_ev);
    }

    /* company, role, date; for the candidate's own decision (OTHER) the
     * company and role it is about, as for a step of the process, so that
     * postgres-sink can close that application (own_decision) */
    res->own_decision = best == RULES_OTHER && own_decision;
    if (best != RULES_OTHER || res->own_decision) {
        /* a pattern of weight >= RULES_CLIENT_WEIGHT names the hiring
         * company for someone else (an agency's client): the sender's own
         * name and domain are then not the company */
        c.label = best != RULES_OTHER ? (int)best : RULES_OFFER;
        /* the candidate's own decision: the company it answers (the
         * recipient, the thread's headers), never one its prose names
         * ("as I've accepted an offer from Kestrel": trial 42 closed
         * Kestrel's application) */
        if (res->own_decision)
            rules_company_of_own_reply(&c);
        else {
            rules_extract(&c, 0);
            /* the user's own message (a reply with a job label: "the 16th
             * at 11:30 suits me"): the company it answers, never the
             * user's own domain (trial 84: "Interview with Lenamail"
             * from a reply sent from the user's own domain) */
            if (!c.client_named && res->own_message)
                rules_company_of_own_reply(&c);
            else if (!c.client_named)
                rules_company_from_sender(&c);
        }
        res->company = rules_best_company(&c);
        /* a domain's label as it is ("Telistmo"), not spelled out from
         * the text ("Vinícola Douro Verde" for douroverde) */
        res->company_from_domain = res->company != NULL &&
                                   c.best_quality == 1 &&
                                   strchr(res->company, ' ') == NULL;
        res->role = res->own_decision ? NULL : rules_extract(&c, 1);
        if (res->role == NULL && !res->own_decision)
            res->role = rules_subject_role(&c);
        /* "Another role: Harbor Foods": the company, not a role (trial
         * 30) */
        if (res->role != NULL && res->company != NULL &&
            rules_same_org(res->role, res->company)) {
            free(res->role);
            res->role = NULL;
        }
        if (best == RULES_INTERVIEW || best == RULES_ASSESSMENT ||
            best == RULES_OFFER) /* offer call or deadline */
            rules_scheduled_date(&c, cal_date, text_date, res->scheduled,
                                 sizeof res->scheduled);
        if (best == RULES_INTERVIEW && res->scheduled[0] &&
            (rules_moved_cue(&c.text, 0) || rules_moved_cue(&c.text, 1) ||
             rules_calendar_update(email)))
            res->rescheduled = 1;
        if (best == RULES_OFFER && res->scheduled[0])
            res->offer_call = rules_offer_call(&c, cal_date, res->scheduled);
        if ((best == RULES_ASSESSMENT || best == RULES_OFFER) &&
            res->scheduled[0] == '\0') {
            if (!due_read)
                rules_due_date(&c, due, sizeof due);
            memcpy(res->due_day, due, sizeof due);
        }
    }
    rc = 0;
out:
    rules_text_free(&c.text);
    free(c.hits);
    free(c.seen);
    if (rc != 0)
        rules_result_clear(res);
    return rc;
}

/* The phrase weight of `label` (or a pseudo-label) on the quoted lines
 * ("> ...") of a reply, which rules_classify() skips; 0 without any. */
static double rules_quoted_weight(const rules_db_t *db, const json_t *email,
                                  int label)
{
    char *q = rules_quoted_text(rules_jstr(email, "text"));
    if (q == NULL)
        return 0;
    rules_ctx_t c;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.email = email;
    rules_text_init(&c.text);
    double w = 0;
    if (rules_text_add(&c.text, q, strlen(q), RULES_F_BODY, RULES_SEG_TEXT) ==
            0 &&
        rules_collect_hits(&c) == 0)
        for (size_t h = 0; h < c.nhits; h++) {
            const rules_phrase_t *p = &db->phrase[c.hits[h].phrase];
            if (p->label == label)
                w += p->weight;
        }
    rules_text_free(&c.text);
    free(c.hits);
    free(c.seen);
    free(q);
    return w;
}

double rules_quoted_context(const rules_db_t *db, const json_t *email)
{
    return fmax(0, fmin(rules_quoted_weight(db, email, RULES_L_HIRING), 1.0));
}

void rules_result_clear(rules_result_t *res)
{
    free(res->company);
    free(res->role);
    for (size_t i = 0; i < res->n_evidence; i++)
        free(res->evidence[i]);
    memset(res, 0, sizeof *res);
}

static json_t *rules_json_str_or_null(const char *s)
{
    return s != NULL && *s ? json_string(s) : json_null();
}

/* The compact copy of the email's `calendar` objects (docs/schemas/
 * README.md): what the notifier needs to tell a cancel from an invitation
 * and find the invitation it cancels (RFC 5545/5546: UID, METHOD, STATUS,
 * SEQUENCE, DTSTART, DTEND), nothing of attendees or descriptions. */
static json_t *rules_event_calendar(const json_t *email)
{
    static const char *const str_fields[] = {"uid",   "method", "status",
                                             "start", "end",    NULL};
    json_t *out = json_array();
    const json_t *cal = json_object_get(email, "calendar");
    for (size_t i = 0; out != NULL && i < json_array_size(cal); i++) {
        const json_t *c = json_array_get(cal, i);
        if (!json_is_object(c))
            continue;
        json_t *o = json_object();
        for (const char *const *f = str_fields; *f; f++)
            json_object_set_new(o, *f,
                                rules_json_str_or_null(rules_jstr(c, *f)));
        const json_t *seq = json_object_get(c, "sequence");
        json_object_set_new(o, "sequence",
                            json_is_integer(seq)
                                ? json_integer(json_integer_value(seq))
                                : json_null());
        json_array_append_new(out, o);
    }
    return out;
}

json_t *rules_event_email_json(const json_t *email)
{
    const json_t *from = json_object_get(email, "from");
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "key",
        rules_json_str_or_null(rules_jstr(email, "key")), "subject",
        rules_json_str_or_null(rules_jstr(email, "subject")), "from",
        rules_json_str_or_null(rules_jstr(from, "address")), "from_name",
        rules_json_str_or_null(rules_jstr(from, "name")), "message_id",
        rules_json_str_or_null(rules_jstr(email, "message_id")), "date",
        rules_json_str_or_null(rules_jstr(email, "date")), "calendar",
        rules_event_calendar(email));
    /* the raw message's SHA-256 (its archive reference): which of two
     * messages with one key the event is about (postgres-sink keeps the
     * first one stored; trial 67) */
    const char *sha = rules_jstr(json_object_get(email, "archive"), "sha256");
    if (o != NULL && sha != NULL)
        json_object_set_new(o, "sha256", json_string(sha));
    return o;
}

json_t *rules_event_json(const rules_result_t *res, const json_t *email,
                         const char *model)
{
    json_t *ev = json_array();
    for (size_t i = 0; i < res->n_evidence; i++)
        json_array_append_new(ev, json_string(res->evidence[i]));
    json_t *em = rules_event_email_json(email);
    json_t *out = json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:f, s:o, s:{s:s, s:s}, s:o}", "schema",
        "careerops.event.v1", "event_type", rules_label_name(res->label),
        "company", rules_json_str_or_null(res->company), "role",
        rules_json_str_or_null(res->role), "scheduled_date",
        rules_json_str_or_null(res->scheduled), "confidence", res->confidence,
        "evidence", ev, "classifier", "name", "rules-classifier", "model",
        model ? model : "rules-v1", "email", em);
    if (out != NULL && res->due_day[0] && res->scheduled[0] == '\0')
        json_object_set_new(out, "due_date", json_string(res->due_day));
    if (out != NULL && res->rescheduled && res->scheduled[0])
        json_object_set_new(out, "rescheduled", json_true());
    if (out != NULL && res->own_decision && res->label == RULES_OTHER)
        json_object_set_new(out, "own_decision", json_true());
    if (out != NULL && res->offer_call && res->label == RULES_OFFER &&
        res->scheduled[0])
        json_object_set_new(out, "offer_call", json_true());
    return out;
}
