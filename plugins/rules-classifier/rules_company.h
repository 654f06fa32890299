/**
 * @file rules_company.h
 * @brief Internals shared by the classifier (rules_engine.c) and the
 *        company extraction (rules_company.c). Not part of any API.
 */
#ifndef RULES_COMPANY_H
#define RULES_COMPANY_H

#include "rules_internal.h"

#include <jansson.h>

/* Company patterns this heavy name an agency's client (extract.tsv). */
#define RULES_CLIENT_WEIGHT 4.0

typedef struct rules_hit_s {
    uint32_t phrase;
    uint32_t start, end; /* token range */
} rules_hit_t;

typedef struct rules_cand_s {
    char display[128];
    char key[128];
    double weight;
    int quality; /* 3 display name, 2 text, 1 slug or domain */
    int origin;  /* RULES_O_*: where it was found */
} rules_cand_t;

#define RULES_MAX_CANDS 24

/* Where a company candidate was found. */
enum {
    RULES_O_TEXT = 1,   /* prose patterns, the subject */
    RULES_O_SENDER = 2, /* display name, address, links, organizers */
    RULES_O_SIGN = 4,   /* the signature of the new text */
    RULES_O_HEADER = 8  /* Message-ID, In-Reply-To, References */
};

typedef struct rules_ctx_s {
    const rules_db_t *db;
    const json_t *email;
    rules_text_t text;
    rules_hit_t *hits;
    size_t nhits;
    uint8_t *seen; /* per phrase */
    rules_cand_t cand[RULES_MAX_CANDS];
    size_t ncand;
    const rules_sender_t *sender;
    const char *from_addr;
    const char *from_name;
    int client_named; /* a client pattern matched */
    int agency_named; /* the sender's name ends in an agency word that was
                       * cut ("Sterling Maritime Recruitment") */
    int origin;       /* RULES_O_* of the candidates being added */
    int label;        /* the decided label (rules_label_t) */
    int best_quality; /* set by rules_best_company: the chosen candidate's
                       * quality (1: a slug or domain), 0 if none */
} rules_ctx_t;

/** Apply the extraction patterns of extract.tsv of one kind: company
 *  candidates are added to c (want_role 0), or the first role found is
 *  returned (want_role 1, malloc'd, NULL if none). Sets c->client_named
 *  when a pattern names an agency's client. */
char *rules_extract(rules_ctx_t *c, int want_role);
/** A role the subject writes as a title of its own, when no pattern named
 *  one: a run of capitalised words ending in a job's head noun
 *  ("Engineer", "Developer", "Analyst"...), a grade after it kept ("II"),
 *  cut at the subject's separators ("Application Received - Software
 *  Engineer II (R-20431)" gives "Software Engineer II"). Malloc'd, or NULL
 *  when there is none. */
char *rules_subject_role(const rules_ctx_t *c);
/** Add company candidates from the sender (display name, ATS subdomain,
 *  domain), the links to applicant-tracking systems and the calendar
 *  invitations' organizers. */
void rules_company_from_sender(rules_ctx_t *c);
/** The heaviest company candidate (malloc'd), or NULL if none is heavy
 *  enough. */
char *rules_best_company(rules_ctx_t *c);

/** Company candidates of the candidate's own reply (a decision: declining
 *  an offer, withdrawing): its first recipient's display name and domain,
 *  and the domains of the thread's Message-IDs (In-Reply-To, References);
 *  never the sender (the candidate) nor a company the prose names ("as
 *  I've accepted an offer from Kestrel", trial 42). */
void rules_company_of_own_reply(rules_ctx_t *c);

/** The scheduled date of an interview, offer or assessment: the
 *  invitation's start (cal_date) if any, else the date already read from
 *  the text (text_date), else the first date and time in the body, then
 *  the subject. out gets "" when there is none. */
void rules_scheduled_date(const rules_ctx_t *c, const char *cal_date,
                          const char *text_date, char *out, size_t out_size);

/** Whether the user's reply gives or confirms `when`
 *  ("YYYY-MM-DDTHH:MM:SSZ", the scheduled date read from it), dates read
 *  against the reply's own Date: 1 its new text writes that date and time
 *  (a confirmation or the user's own proposal: WRITING.md's "first
 *  proposed or confirmed"); 2 its quoted history proposes it and the new
 *  text names no other weekday (not "Could we do Wednesday instead?");
 *  else 0. */
int rules_reply_confirms(const rules_ctx_t *c, const char *when);

/** An offer's or assessment's deadline written as a day without a time
 *  (rules_find_due_day() on the body, then the subject), as "YYYY-MM-DD";
 *  out gets "" when there is none. */
void rules_due_date(const rules_ctx_t *c, char *out, size_t out_size);

/** 1 when an OFFER's scheduled date (UTC, "YYYY-MM-DDTHH:MM:SSZ") is a
 *  conversation about the offer, not its deadline: it comes from a
 *  calendar invitation (cal_date non-empty), or no deadline cue names
 *  its day (rules_due_date(), in the Date header's zone) and the message
 *  speaks of a call, chat, meeting or the like (English, German, French,
 *  Spanish, Portuguese, Dutch); else 0 (the deadline reading of earlier
 *  versions). Thread-safe. */
int rules_offer_call(const rules_ctx_t *c, const char *cal_date,
                     const char *scheduled);

/** 1 if the words of name spell slug as a domain abbreviates a name:
 *  each word its whole key, a prefix or its initial, a particle left out
 *  ("telistmo" and "Telefónica del Istmo", "gms" and "Gdańsk Maritime
 *  Software"), at most one last word unused; else 0. Both borrowed. */
int rules_slug_spells_name(const char *slug, const char *name);

/** 1 if the local part of addr names a role, not a person ("careers",
 *  "no-reply", "recruiting", "bewerbung", ...); else 0. */
int rules_role_account(const char *addr);

/** 1 if addr is a personal mailbox: a consumer provider's (s, its sender
 *  row, is `freemail`) that is no role account, or a placeholder mailbox
 *  domain such as inbox.test (s NULL); else 0. */
int rules_personal_sender(const char *addr, const rules_sender_t *s);

/** 1 if the message is a reply: In-Reply-To, or a subject led by "Re:"
 *  (any case); else 0. */
int rules_is_reply(const rules_ctx_t *c);

/** Whether the user sent the message (rules_own.c): 1 its From is one of
 *  the user's addresses (rules_db_add_own_address()); without any, 2 when
 *  inferred: a reply, not a forward, from a personal mailbox that is no
 *  role account to an organisation's address (its first recipient: not a
 *  personal mailbox nor a job board, alerts or meeting service, another
 *  domain); else 0. */
int rules_own_message(const rules_ctx_t *c);

/** 1 if a and b name one organisation as company keys compare them
 *  (case, punctuation, a leading "the" and legal forms ignored). */
int rules_same_org(const char *a, const char *b);

/** The quoted lines of a reply ("> ..."), their '>' marks removed
 *  (malloc'd), or NULL if there are none. */
char *rules_quoted_text(const char *body);

#endif
