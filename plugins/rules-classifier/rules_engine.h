/**
 * @file rules_engine.h
 * @brief The rules classifier's matching logic, free of the plugin ABI so
 *        that tests and benchmarks call it directly.
 *
 * A rules database (rules_db_t) is loaded from tab-separated data files
 * (plugins/rules-classifier/data/ *.tsv, installed to
 * share/careerops/rules/). Each file starts with a header row naming its
 * columns, and the header decides which table the rows go to:
 *
 * | header                                | table                        |
 * |---------------------------------------|------------------------------|
 * | `sender kind vendor`                  | sender domains / addresses   |
 * | `label weight field lang phrase`      | subject/body phrases         |
 * | `what pattern lang`                   | company/role extraction      |
 * | `word month`                          | month names (dates)          |
 * | `zone offset_minutes`                 | time-zone abbreviations      |
 * | `suffix`                              | organisation-name suffixes   |
 *
 * Lines starting with `#` and empty lines are ignored. The format of each
 * table is described in docs/classification.md and in the data files.
 *
 * Classification (rules_classify()) reads a careerops.email.v1 document and
 * fills a rules_result_t: the label, a confidence in 0..1, company, role,
 * scheduled date and short evidence quotes. It is deterministic and does no
 * I/O.
 *
 * Thread-safety: a loaded rules_db_t is read-only and may be shared by
 * threads; each call to rules_classify() needs its own rules_result_t.
 */
#ifndef RULES_ENGINE_H
#define RULES_ENGINE_H

#include <jansson.h>
#include <stddef.h>

/** Event labels of careerops.event.v1, in output order. */
typedef enum rules_label_e {
    RULES_INTERVIEW = 0,
    RULES_OFFER,
    RULES_ASSESSMENT,
    RULES_REJECTION,
    RULES_APPLICATION_ACK,
    RULES_RECRUITER_OUTREACH,
    RULES_OTHER,
    RULES_NLABELS
} rules_label_t;

/** Maximum number of evidence quotes in a result. */
#define RULES_MAX_EVIDENCE 6

typedef struct rules_db_s rules_db_t;

/**
 * @brief One classification.
 *
 * Strings are owned by the result: call rules_result_clear() before reuse
 * or disposal (it frees them and zeroes the struct). A zeroed struct is a
 * valid empty result.
 */
typedef struct rules_result_s {
    rules_label_t label;         /**< the decided label */
    double confidence;           /**< 0..1 */
    double score[RULES_NLABELS]; /**< raw label scores (debugging, tests) */
    double bulk;                 /**< evidence against (bulk mail) */
    double context;              /**< hiring-context score */
    char *company;               /**< or NULL */
    char *role;                  /**< or NULL */
    char scheduled[32];          /**< "YYYY-MM-DDTHH:MM:SSZ" or "" */
    char due_day[16];        /**< an offer's or assessment's deadline given as a
                                  day without a time, "YYYY-MM-DD", when scheduled
                                  is ""; else "" */
    int rescheduled;         /**< 1: an INTERVIEW with a date whose text says it
                                  was moved ("new time", "rescheduled") */
    int own_decision;        /**< 1: OTHER because the new text gives the
                                  candidate's own decision (declining an
                                  offer, withdrawing: SELF phrases); company
                                  and role are then read too */
    int own_message;         /**< the user sent it: 1 from an address of
                                  rules_db_add_own_address(), 2 inferred (a
                                  reply from a personal mailbox to an
                                  organisation's address); 0 otherwise */
    int offer_call;          /**< 1: an OFFER whose scheduled date is a
                                  call about the offer, not its deadline
                                  (rules_offer_call()) */
    int company_from_domain; /**< 1: company is only a domain's label
                                  spelled out ("Telistmo" for telistmo.example),
                                  no name the message writes */
    char *evidence[RULES_MAX_EVIDENCE]; /**< short quotes */
    size_t n_evidence;
} rules_result_t;

/** @brief Canonical name ("INTERVIEW") of a label; "OTHER" if out of range.
 */
const char *rules_label_name(rules_label_t l);

/** @brief Label for a name (case-insensitive); -1 if unknown. */
int rules_label_parse(const char *name);

/** @brief A new, empty database; NULL when out of memory. */
rules_db_t *rules_db_new(void);

/**
 * @brief Load one data file and add its rows to the database.
 * @param path File path (borrowed).
 * @param err Receives "FILE:LINE: reason" on failure.
 * @returns 0, or -1 on an unreadable file, an unknown header or a bad row.
 */
int rules_db_load_file(rules_db_t *db, const char *path, char *err,
                       size_t err_size);

/**
 * @brief Load every `*.tsv` file of a folder, in name order.
 * @returns The number of files loaded (>= 1), or -1 with the reason in err
 *          (missing folder, no data files, or a bad file).
 */
int rules_db_load_dir(rules_db_t *db, const char *dir, char *err,
                      size_t err_size);

/**
 * @brief How many `*.tsv` rules tables rules_db_load_dir() would load from
 *        `dir`, without opening them (the plugin's check()).
 * @returns The count (0: none), or -1 when the folder cannot be read
 *          (errno set). Thread-safe.
 */
int rules_db_count_dir(const char *dir);

/**
 * @brief Add one of the user's own addresses (the rules-classifier option
 *        `own_addresses`): a message from it is the user's own, never an
 *        event of the company's kind (docs/classification.md, "The user's
 *        own messages"). Without any, the sender of a reply is inferred.
 * @param address Copied, compared without regard to case; a sender's
 *        sub-address ("me+jobs@example.org") matches "me@example.org".
 * @returns 0, or -1 when out of memory or `address` is not an address
 *          (rules_own_address_ok()).
 * @remark Before rules_classify(); not thread-safe with it.
 */
int rules_db_add_own_address(rules_db_t *db, const char *address);

/**
 * @brief 1 when `address` (borrowed) is usable as an own address: one
 *        '@' with something on both sides, no space or control character;
 *        else 0. Thread-safe.
 */
int rules_own_address_ok(const char *address);

/**
 * @brief Finish loading: sort and index the tables. Must be called once
 *        after the last load and before rules_classify().
 * @returns 0, or -1 when the database has no phrases or no senders.
 */
int rules_db_finish(rules_db_t *db, char *err, size_t err_size);

/** @brief Number of phrases loaded (for logs and tests). */
size_t rules_db_phrase_count(const rules_db_t *db);
/** @brief Number of sender rows loaded. */
size_t rules_db_sender_count(const rules_db_t *db);

/** @brief Free a database; NULL is allowed. */
void rules_db_free(rules_db_t *db);

/**
 * @brief Classify one careerops.email.v1 document.
 * @param email The parsed document (borrowed). Missing fields are treated
 *        as empty; only a non-object is an error.
 * @param res Filled; clear it first if it was used before.
 * @returns 0, or -1 when `email` is not a JSON object.
 */
int rules_classify(const rules_db_t *db, const json_t *email,
                   rules_result_t *res);

/** @brief What the rules decided, handed to a decision hook. */
typedef struct rules_decision_s {
    rules_label_t label;     /**< the rules' label */
    double confidence;       /**< the rules' confidence */
    const double *score;     /**< RULES_NLABELS raw label scores */
    double bulk;             /**< bulk evidence */
    double context;          /**< hiring context */
    int alerts_sender;       /**< the sender is a job-alert address */
    int calendar;            /**< an invitation counted as evidence */
    int due_later;           /**< the text gives a deadline day
                                  (rules_due_date()) after the message's
                                  Date ("extended the deadline ... to
                                  Friday, December 18") */
    int moved;               /**< the text moves an appointment to the
                                  time it gives, later than the message's
                                  Date ("we've moved your interview to
                                  Thursday, December 10 at 3:00 PM") */
    const char *sender_kind; /**< "ats", ... or NULL */
    int own_decision;        /**< 1: the text (not its quoted history) gives the
                                  candidate's own decision, a `SELF` phrase ("I've
                                  accepted another offer", "please withdraw my
                                  application"): the candidate writing, so the
                                  rules' label is OTHER */
    unsigned own_allows;     /**< the labels the message may have, bit l
                                  for label l: all but when the user sent it
                                  (rules_result_t.own_message), then OTHER,
                                  INTERVIEW when it gives or confirms a time
                                  and REJECTION when it answers a quoted
                                  rejection; a hook deciding a label
                                  (rules_model.c) keeps to them, one forcing
                                  a label for extraction need not */
    int cal_accepted;        /**< the user's own calendar answer accepting
                                  an interview (METHOD:REPLY, PARTSTAT
                                  ACCEPTED) gave the rules' INTERVIEW: the
                                  calendar, not the words, says so */
} rules_decision_t;

/**
 * @brief Decision hook of rules_classify_ex(): may replace the label and
 *        confidence; company, role, date and evidence then follow the
 *        final label.
 * @param arg The hook's argument; @param email the document (borrowed).
 */
typedef void (*rules_decide_fn)(void *arg, const json_t *email,
                                const rules_decision_t *rules,
                                rules_label_t *label, double *confidence);

/**
 * @brief rules_classify() with a decision hook (NULL: the rules decide).
 * @returns 0, or -1 when `email` is not a JSON object.
 */
int rules_classify_ex(const rules_db_t *db, const json_t *email,
                      rules_decide_fn decide, void *arg, rules_result_t *res);

/**
 * @brief Hiring context of the quoted history of a reply: the weights of
 *        the HIRING phrases (phrases-*.tsv) on the email's `>` lines,
 *        which rules_classify() skips, at most 1.
 * @param db The finished rules (borrowed); @param email the
 *        careerops.email.v1 document (borrowed).
 * @returns 0 to 1; 0 without quoted lines or when out of memory.
 * @remark For the combined decision's context gate: a short reply
 *         ("Thursday 3pm works") whose invitation is quoted below it.
 *         Thread-safe (reads db only).
 */
double rules_quoted_context(const rules_db_t *db, const json_t *email);

/** @brief Free the strings of a result and zero it. */
void rules_result_clear(rules_result_t *res);

/**
 * @brief Build the `email` object of a careerops.event.v1 document
 *        (docs/schemas/README.md): `key`, `subject`, `from` (the address),
 *        `from_name`, `message_id`, `date` and `calendar`, a compact copy
 *        of the email's calendar objects (`uid`, `method`, `status`,
 *        `sequence`, `start`, `end` only; one per object, in order) so
 *        that the notifier can tell a calendar cancel (METHOD:CANCEL,
 *        STATUS:CANCELLED) and the invitation it ends by UID.
 * @param email The careerops.email.v1 document (borrowed).
 * @returns A new reference, or NULL when out of memory. A string that is
 *          absent, empty or not a string is `null`, as is a `sequence`
 *          that is not an integer; `calendar` is `[]` when the email has
 *          none. Shared by rules-classifier and ollama-classifier.
 *          Thread-safe.
 */
json_t *rules_event_email_json(const json_t *email);

/**
 * @brief Build the careerops.event.v1 document for a result.
 * @param email The classified email (borrowed), for the `email` block.
 * @param model The `classifier.model` value (e.g. "rules-v1").
 * @returns A new reference, or NULL when out of memory.
 */
json_t *rules_event_json(const rules_result_t *res, const json_t *email,
                         const char *model);

/**
 * @brief Find an interview date in free text, e.g. "Tuesday, March 4, 2025
 *        at 2:00 PM EST", "4. März 2025 um 14:00 Uhr (MEZ)",
 *        "2025-03-04 14:00 UTC".
 * @param text Text to search (borrowed, UTF-8).
 * @param ref_utc Time of the email (Unix seconds, 0 if unknown): a date
 *        without a year is taken as the next such date after it.
 * @param default_offset_min The sender's UTC offset in minutes (from the
 *        Date header) for times given without a zone; INT_MIN if unknown,
 *        in which case such times are not used.
 * @param out Receives "YYYY-MM-DDTHH:MM:SSZ" (at least 21 bytes).
 * @returns 1 if a date with a time was found, else 0.
 */
int rules_find_date(const rules_db_t *db, const char *text, long long ref_utc,
                    int default_offset_min, char *out, size_t out_size);

#endif
