/**
 * @file plugins/notifier/notifier_build.h
 * @brief The notifier's logic as pure functions (no host): which events
 *        notify, and event (+ briefing) -> careerops.notification.v1 JSON.
 *
 * Compiled into the module and into the unit tests. Thread-safe: no global
 * state (time zones are converted with libical's built-in zone data, never
 * through the process-wide TZ variable).
 */
#ifndef NOTIFIER_BUILD_H
#define NOTIFIER_BUILD_H

#include <jansson.h>
#include <stddef.h>

/** Schema name of the records the notifier emits. */
#define NOTIFIER_SCHEMA "careerops.notification.v1"

/** Options that shape a notification (borrowed strings). */
typedef struct notifier_opts_s {
    const char *timezone;     /**< IANA zone for date_local; NULL = "UTC" */
    const char *url_template; /**< with {key} and {company}; NULL/"" = none */
} notifier_opts_t;

/**
 * @brief Whether an event type raises a notification.
 * @returns 1 for INTERVIEW, OFFER and ASSESSMENT, else 0 (NULL gives 0).
 */
int notifier_wanted(const char *event_type);

/**
 * @brief Whether an event raises a notification: its event_type is wanted
 *        (notifier_wanted()); or it is `unsure` and one of its `opinions`
 *        has a wanted event_type (the model and the local classifier
 *        disagree: the user decides); or it carries a `correction` whose
 *        old event_type was wanted (the user is told it no longer holds).
 * @returns 1 or 0 (0 for a non-object).
 */
int notifier_wanted_event(json_t *event);

/**
 * @brief Whether `tz` names a time zone libical knows ("UTC" always does).
 * @returns 1 or 0.
 */
int notifier_tz_valid(const char *tz);

/**
 * @brief Format an RFC 3339 UTC time in zone `tz` as RFC 3339 with the
 *        zone's offset, e.g. "2025-03-04T09:00:00-05:00".
 * @param utc "YYYY-MM-DDTHH:MM:SSZ" (fractions and offsets are accepted;
 *        a date alone means midnight UTC).
 * @param out Buffer of at least 32 bytes.
 * @returns 0, or -1 when `utc` cannot be parsed or `tz` is unknown.
 */
int notifier_local_time(const char *utc, const char *tz, char *out,
                        size_t out_size);

/**
 * @brief The key a record is joined on: the event's `email.key`, else the
 *        briefing's `event.key` / `event_key`, else NULL.
 * @returns A string borrowed from `doc`, or NULL.
 */
const char *notifier_join_key(json_t *doc);

/**
 * @brief Expand a URL template: {key} and {company} (percent-encoded, RFC
 *        3986 unreserved characters kept).
 * @returns A new string (free()), or NULL for a NULL/empty template or no
 *          memory.
 */
char *notifier_expand_url(const char *tmpl, const char *key,
                          const char *company);

/**
 * @brief The slot of a plain INTERVIEW event (not unsure, not corrected)
 *        with a scheduled date: the company's letters and digits in lower
 *        case ("*" without a company), "|", the date in UTC, e.g.
 *        "acme|2025-10-14T14:30:00Z". Two events with one slot are one
 *        interview (a reply, a forward, a reminder): the plugin announces
 *        the first only, and takes an event without a company ("*|...")
 *        for a repeat of any interview announced at that time.
 * @param out Buffer (256 bytes is plenty; a long company is cut).
 * @returns 0, or -1 when the event has no slot or `out` is too small.
 */
int notifier_interview_slot(json_t *event, char *out, size_t out_size);

/**
 * @brief What the notification's date is: "reply by" for an OFFER, "due"
 *        for an ASSESSMENT (deadlines), "call" for an OFFER whose
 *        event says its date is a call about the offer (`offer_call`,
 *        call != 0), "when" otherwise (a meeting). The record carries it
 *        as `date_label`; the sinks label the date with it.
 * @returns A static string.
 */
const char *notifier_date_label(const char *type, int call);

/**
 * @brief Build the notification for an event.
 *
 * An `unsure` event (the LLM and the local classifier disagree) gives the
 * title "Unsure: ..." with the noun of the wanted opinion and a question
 * mark, a summary that starts "Unsure: the model said X, the local
 * classifier said Y; please check.", and `"unsure": true` with the
 * `opinions` copied. A corrected event (`correction`, from careerops
 * relabel) gives "Corrected: ..." and `"correction"` copied; when the new
 * type is not notified, the title says what it is no longer.
 * @param event A careerops.event.v1 object (borrowed).
 * @param record_key The record's key (NUL-terminated), used when the event
 *        has no email.key; may be NULL.
 * @param briefing A careerops.briefing.v1 object or NULL (borrowed).
 * @param why Set to a static message when NULL is returned.
 * @returns A new object (json_decref()), or NULL when the event is not a
 *          JSON object with a string event_type or has no key.
 */
json_t *notifier_build(json_t *event, const char *record_key, json_t *briefing,
                       const notifier_opts_t *opts, const char **why);

/**
 * @brief Say which time a moved interview replaces: the summary's
 *        ", moved to T" becomes ", moved from OLD to T" (OLD the old
 *        time in the notification's zone, RFC 3339) and the field
 *        `moved_from_utc` is set. A summary from a briefing is left as it
 *        is (the field is still set).
 * @param n A notification from notifier_build() for a `rescheduled`
 *        INTERVIEW (modified in place; borrowed).
 * @param old_utc The time the plugin announced before for the company
 *        ("2026-12-08T20:00:00Z"; borrowed).
 * @returns 0, or -1 when old_utc is not a time (n unchanged).
 */
int notifier_build_moved_from(json_t *n, const char *old_utc,
                              const notifier_opts_t *opts);

/**
 * @brief The company's letters and digits in lower case ("Acme Corp" ->
 *        "acmecorp"): the company part of a slot, and the key under which
 *        the plugin lists a company's announced interviews.
 * @returns 0, or -1 (out is "") without letters or digits.
 */
int notifier_company_key(const char *company, char *out, size_t out_size);

/**
 * @brief Whether a subject is a reply ("Re:", "AW:", "SV:", "Antw:", ...;
 *        not "Fwd:").
 * @returns 1 or 0 (0 for NULL).
 */
int notifier_reply_subject(const char *subject);

/**
 * @brief The topic of a subject: what is left once reply/forward prefixes
 *        and calendar clients' prefixes ("Invitation:", "Updated
 *        invitation:", "Canceled event:", "Canceled:", ...) are taken off,
 *        in lower-case letters and digits. Google's invitation "Invitation:
 *        T @ Wed ..." and its cancel "Canceled event: T @ Wed ..." share a
 *        topic; Outlook's invitation "T" and "Canceled: T" too.
 * @param cancel Set to 1 when a cancel prefix was taken off (may be NULL).
 * @returns `out`, or NULL when no topic is left (out is "").
 */
const char *notifier_subject_topic(const char *subject, int *cancel, char *out,
                                   size_t out_size);

/** notifier_topics() modes. */
enum {
    NOTIFIER_TOPICS_INVITE = 0, /**< an invitation's: topic, its UIDs */
    NOTIFIER_TOPICS_CANCEL = 1, /**< what a cancel looks up: topic, the
                                     UIDs it cancels */
    NOTIFIER_TOPICS_KEEP = 2    /**< what a cancel handled first is kept
                                     under: a cancel subject's topic, the
                                     UIDs it cancels */
};

/**
 * @brief The keys an invitation and its cancel share: the subject's topic
 *        (notifier_subject_topic()) and "uid:<UID>" for each calendar
 *        object (the event's or its email's `calendar`: the classifiers
 *        copy the email's there, docs/schemas/README.md) that invites
 *        (mode INVITE) or cancels (the others).
 * @returns A new array of strings (json_decref()).
 */
json_t *notifier_topics(json_t *event, int mode);

/**
 * @brief The highest iCalendar SEQUENCE (RFC 5545 3.8.7.4; absent is 0)
 *        among the event's calendar parts (`calendar` and
 *        `email.calendar`) with UID `uid`.
 * @param event A careerops.event.v1 object (borrowed).
 * @returns The sequence, or -1 when no part has that UID. Pure.
 */
long long notifier_uid_sequence(json_t *event, const char *uid);

/**
 * @brief Whether an event cancels interviews, and why:
 *        "calendar cancellation" (a `calendar` object on the event or its
 *        `email` with METHOD:CANCEL or STATUS:CANCELLED, or a calendar
 *        client's cancel subject, whatever the label); "rejection" (a
 *        REJECTION: it ends what is ahead); "you withdrew" (an OTHER
 *        event with `own_decision`, the user's own reply withdrawing or
 *        declining, naming a company: it ends that company's interviews
 *        ahead, as a rejection does); "cancelled by message" (an
 *        INTERVIEW or OTHER event whose subject or evidence says cancel).
 *        A corrected event never cancels.
 * @returns A static string, or NULL when the event cancels nothing.
 */
const char *notifier_cancel_reason(json_t *event);

/**
 * @brief A time for people: "Wed 16 Dec 2026, 14:00" in zone `tz`.
 * @returns 0, or -1 (unparsable time, unknown zone, short buffer).
 */
int notifier_when_text(const char *utc, const char *tz, char *out,
                       size_t out_size);

/**
 * @brief The notice that an announced interview is cancelled: a
 *        careerops.notification.v1 record with title "Cancelled: <company>
 *        interview <when>", the interview's company, role and date,
 *        `date_label` "when", the cancelling email, and `"cancelled":
 *        true`, `cancelled_event_key`, `cancel_reason`.
 * @param interview {"event_key","company","role","date"} of the interview
 *        (what the plugin remembers of it; borrowed).
 * @param cancel The cancelling careerops.event.v1 (borrowed).
 * @param reason notifier_cancel_reason()'s answer.
 * @param announced 1 when the interview was announced before; 0 when the
 *        cancel was handled first (partition order on a first run) and the
 *        interview is never announced: the summary says so instead of
 *        "it was announced before".
 * @returns A new object keyed "<interview's event key>:cancelled" (field
 *          `event_key`), or NULL without an event_key or memory.
 */
json_t *notifier_build_cancel(json_t *interview, json_t *cancel,
                              const char *reason, int announced,
                              const notifier_opts_t *opts);

#endif /* NOTIFIER_BUILD_H */
