/**
 * @file plugins/notifier/notifier.c
 * @brief notifier (processor): INTERVIEW, OFFER and ASSESSMENT events ->
 *        `careerops.notification.v1` records (title, company, role, date in
 *        the user's time zone, summary, sources, briefing link), optionally
 *        joined with the company briefing a research stage produced.
 *
 * Inputs: classified_events (careerops.event.v1) and, when a research stage
 * runs, research_tasks (careerops.briefing.v1), recognised by their
 * "schema" field. Other event types are skipped (CO_OK, nothing emitted),
 * except events that cancel an interview announced before (a calendar
 * cancel, a rejection, a text cancel: notifier_cancel_reason()), which emit
 * "Cancelled: <company> interview <when>"; a cancel handled before its
 * invitation is kept, and the invitation is then told as cancelled only.
 *
 * Joining (`briefing_wait_ms` > 0): a briefing is stored in the state store
 * under "briefing:<event key>". An event whose briefing is already there is
 * emitted at once with it; otherwise it is parked under "pending:<key>"
 * (with its deadline; the list of parked keys is "pending") and emitted
 * when its briefing arrives, or without one once the deadline has passed,
 * checked whenever the stage handles a record and at start(). Both the
 * event and the briefing are in the state store before their input offsets
 * are committed, so a restart loses neither. With the default 0 events are
 * emitted at once and briefings ignored.
 */
#include "co_redact.h"
#include "notifier_build.h"

#include <careerops/plugin.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const co_host_api_t *notifier_api;

/** Configuration struct filled by the host from notifier_options. */
struct notifier_config {
    const char *timezone;
    const char *briefing_url_template;
    int64_t briefing_wait_ms;
    const char *const *briefing_types;
};

static const co_option_t notifier_options[] = {
    {CO_OPT_STR, "timezone", "UTC", CO_OPT_ZONE, 0, 0,
     offsetof(struct notifier_config, timezone),
     "IANA time zone (e.g. Europe/Paris) for the notification's date_local."},
    {CO_OPT_STR, "briefing_url_template", NULL, 0, 0, 0,
     offsetof(struct notifier_config, briefing_url_template),
     "URL of the briefing page; {key} is replaced by the event key and "
     "{company} by the company (both percent-encoded). Unset: no link."},
    {CO_OPT_INT, "briefing_wait_ms", "0", 0, 0, 86400000,
     offsetof(struct notifier_config, briefing_wait_ms),
     "How long an event waits for its briefing (research_tasks input) "
     "before it is notified without one; 0 = do not wait, ignore briefings."},
    {CO_OPT_STRLIST, "briefing_types", "INTERVIEW,OFFER,ASSESSMENT", 0, 0, 0,
     offsetof(struct notifier_config, briefing_types),
     "Event types that wait for a briefing (those the research stage "
     "researches); other notified types are emitted at once."},
    {0},
};

/** One parked event (the event itself is in the state store). */
struct notifier_parked {
    char *key;
    int64_t deadline_ms;
};

/** One notifier instance. */
struct notifier {
    co_stage_t *st;
    const struct notifier_config *cfg;
    notifier_opts_t opts;
    struct notifier_parked *parked;
    size_t n_parked, cap_parked;
};

/* ABI 1.2 check, also run by init(): the briefing link goes into every
 * notification (Slack, the terminal), so a login or password in it
 * ("https://u:PW@dash/{key}", trial 54) is refused, not quoted. */
static co_status_t notifier_check(const void *config, char *err, size_t errsz)
{
    const struct notifier_config *cfg = config;
    const char *t = cfg->briefing_url_template;
    if (t == NULL || t[0] == '\0')
        return CO_OK;
    co_url_fault_t f = co_url_server(t, 0, NULL);
    if (f == CO_URL_USERINFO ||
        (f == CO_URL_NOT_URI && memchr(t, '@', strcspn(t, "?#")) != NULL)) {
        snprintf(err, errsz,
                 "briefing_url_template: holds a login or password ('@' "
                 "before the path; not shown), which every notification "
                 "would show: write http(s)://HOST[:PORT]/PATH with {key} "
                 "(e.g. https://dash.example/briefings/{key})");
        return CO_FATAL;
    }
    return CO_OK;
}

static co_status_t notifier_init(const co_host_api_t *api, co_stage_t *st,
                                 const void *config, void **instance)
{
    const struct notifier_config *cfg = config;
    char err[512];
    if (notifier_check(cfg, err, sizeof err) != CO_OK) {
        api->set_error(st, "config", "%s", err);
        return CO_FATAL;
    }
    struct notifier *n = calloc(1, sizeof *n);
    if (n == NULL) {
        api->set_error(st, "memory", "notifier: out of memory");
        return CO_FATAL;
    }
    *instance = n;
    n->st = st;
    n->cfg = cfg;
    n->opts.timezone = cfg->timezone;
    n->opts.url_template = cfg->briefing_url_template;
    if (!notifier_tz_valid(cfg->timezone)) {
        api->set_error(st, "config",
                       "notifier: option `timezone` \"%s\" is not a known "
                       "IANA time zone; use a name such as Europe/Paris or "
                       "America/New_York (see /usr/share/zoneinfo)",
                       cfg->timezone ? cfg->timezone : "");
        return CO_FATAL;
    }
    return CO_OK;
}

static char *notifier_skey(const char *prefix, const char *key)
{
    char *s = NULL;
    return asprintf(&s, "%s%s", prefix, key) < 0 ? NULL : s;
}

/* Read a JSON state value; NULL when absent or empty (our "deleted"). */
static int notifier_state_json(struct notifier *n, const char *prefix,
                               const char *key, json_t **out)
{
    *out = NULL;
    char *k = notifier_skey(prefix, key);
    if (k == NULL)
        return -1;
    char *v = NULL;
    size_t len = 0;
    int rc = notifier_api->state_get(n->st, k, &v, &len);
    free(k);
    if (rc == CO_ERR_NOTFOUND)
        return 0;
    if (rc != 0)
        return -1;
    if (v != NULL && len > 0)
        *out = json_loadb(v, len, JSON_DECODE_ANY, NULL);
    notifier_api->free(v);
    return 0;
}

static int notifier_state_put(struct notifier *n, const char *prefix,
                              const char *key, json_t *value)
{
    char *k = notifier_skey(prefix, key);
    char *v = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    int rc = -1;
    if (k != NULL && (value == NULL || v != NULL))
        rc = notifier_api->state_put(n->st, k, v ? v : "", v ? strlen(v) : 0);
    free(k);
    free(v);
    return rc;
}

/* Persist the list of parked keys under "pending". */
static int notifier_save_index(struct notifier *n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n->n_parked; i++)
        json_array_append_new(a, json_string(n->parked[i].key));
    char *v = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    int rc = v ? notifier_api->state_put(n->st, "pending", v, strlen(v)) : -1;
    free(v);
    return rc;
}

/* An interview already announced under another event key (same company,
 * same time: the user's reply, a forward, a reminder; without a company:
 * any interview at that time): 1 to stay silent,
 * 0 to announce, -1 when the state store is unreachable. */
static int notifier_repeat(struct notifier *n, json_t *event,
                           const char *record_key, char *slot, size_t size)
{
    const char *key = notifier_join_key(event);
    if (key == NULL)
        key = record_key;
    if (key == NULL || notifier_interview_slot(event, slot, size) != 0) {
        slot[0] = '\0';
        return 0;
    }
    json_t *seen = NULL;
    if (notifier_state_json(n, "interview:", slot, &seen) != 0)
        return -1;
    const char *first = json_string_value(json_object_get(seen, "event_key"));
    int repeat = first != NULL && strcmp(first, key) != 0;
    json_decref(seen);
    return repeat;
}

/* Emit `out` under its event_key. 0 or the host's error. */
static int notifier_send(struct notifier *n, json_t *out)
{
    char *v = json_dumps(out, JSON_COMPACT);
    /* a correction's notice has a key of its own (sinks show a key once) */
    const char *key = json_string_value(json_object_get(out, "notice_key"));
    if (key == NULL)
        key = json_string_value(json_object_get(out, "event_key"));
    co_record_t rec = CO_RECORD_INIT;
    rec.key = key;
    rec.key_len = strlen(key);
    rec.value = v;
    rec.value_len = v ? strlen(v) : 0;
    int rc = v ? notifier_api->emit(n->st, &rec) : CO_ERR_NOMEM;
    free(v);
    if (rc != 0)
        notifier_api->set_error(n->st, "kafka",
                                "notifier: could not emit the notification "
                                "(error %d); will retry",
                                rc);
    return rc;
}

/* Append `value` to the JSON array under prefix+key (at most `cap`
 * entries: the oldest go). 0 or -1. */
static int notifier_state_append(struct notifier *n, const char *prefix,
                                 const char *key, json_t *value, size_t cap)
{
    json_t *a = NULL;
    if (notifier_state_json(n, prefix, key, &a) != 0)
        return -1;
    if (!json_is_array(a)) {
        json_decref(a);
        a = json_array();
    }
    json_array_append(a, value);
    while (json_array_size(a) > cap)
        json_array_remove(a, 0);
    int rc = notifier_state_put(n, prefix, key, a);
    json_decref(a);
    return rc;
}

/* Remember an announced (or cancelled) interview: "interview:<slot>" and
 * "interview:*|<time>" hold `iv`; its company's list "company:<ckey>" and
 * its subject's topic "topic:<topic>" name the slot. */
static void notifier_remember(struct notifier *n, json_t *iv, json_t *event)
{
    const char *slot = json_string_value(json_object_get(iv, "slot"));
    char any[256], ckey[200];
    if (slot == NULL || strchr(slot, '|') == NULL)
        return; /* kept by an older version: nothing to key it on */
    snprintf(any, sizeof any, "*%s", strchr(slot, '|'));
    int prc = notifier_state_put(n, "interview:", slot, iv);
    if (prc == 0 && slot[0] != '*')
        prc = notifier_state_put(n, "interview:", any, iv);
    json_t *s = json_string(slot);
    if (prc == 0 &&
        notifier_company_key(json_string_value(json_object_get(iv, "company")),
                             ckey, sizeof ckey) == 0)
        prc = notifier_state_append(n, "company:", ckey, s, 32);
    json_t *topics = notifier_topics(event, NOTIFIER_TOPICS_INVITE);
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t)
    {
        if (prc == 0)
            prc = notifier_state_put(n, "topic:", json_string_value(t), s);
    }
    json_decref(topics);
    json_decref(s);
    if (prc != 0)
        notifier_api->log(n->st, CO_LOG_WARN,
                          "notifier: could not remember interview %s; "
                          "a repeat or cancel of it may be missed",
                          slot);
}

/* What the plugin keeps of an announced interview. */
static json_t *notifier_interview_info(json_t *event, const char *key,
                                       const char *slot)
{
    return json_pack(
        "{s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:b}", "event_key", key, "company",
        json_string_value(json_object_get(event, "company")), "role",
        json_string_value(json_object_get(event, "role")), "date",
        json_string_value(json_object_get(event, "scheduled_date")), "sent",
        json_string_value(
            json_object_get(json_object_get(event, "email"), "date")),
        "slot", slot, "moved",
        json_is_true(json_object_get(event, "rescheduled")));
}

/* Tell that interview `iv` is cancelled by `cancel` and remember it
 * cancelled. CO_OK or CO_RETRY. */
static co_status_t notifier_tell_cancel(struct notifier *n, json_t *iv,
                                        json_t *cancel, json_t *cancel_event,
                                        const char *reason, int announced)
{
    json_t *out =
        notifier_build_cancel(iv, cancel, reason, announced, &n->opts);
    if (out == NULL)
        return CO_OK; /* nothing to tell without an event key */
    int rc = notifier_send(n, out);
    json_decref(out);
    if (rc != 0)
        return CO_RETRY;
    json_object_set_new(iv, "cancelled", json_true());
    notifier_remember(n, iv, cancel_event);
    notifier_api->metric_add(n->st, "cancellations", 1);
    return CO_OK;
}

/* Whether `cancel` (an event, for `reason`) ends interview `iv`: not
 * cancelled yet; at the cancel's own time when it gives one, else still
 * ahead at the cancel's email date; a rejection (or your own withdrawal)
 * naming a role ends that role's interviews only (as postgres-sink's
 * migration 7). */
static int notifier_cancels(json_t *iv, json_t *cancel, const char *reason)
{
    const char *at = json_string_value(json_object_get(iv, "date"));
    const char *cdate =
        json_string_value(json_object_get(cancel, "scheduled_date"));
    const char *csent = json_string_value(
        json_object_get(json_object_get(cancel, "email"), "date"));
    const char *isent = json_string_value(json_object_get(iv, "sent"));
    const char *crole = json_string_value(json_object_get(cancel, "role"));
    const char *irole = json_string_value(json_object_get(iv, "role"));
    char ck[200], ik[200];
    if (json_is_true(json_object_get(iv, "cancelled")) || at == NULL)
        return 0;
    if (notifier_company_key(
            json_string_value(json_object_get(cancel, "company")), ck,
            sizeof ck) == 0 &&
        notifier_company_key(json_string_value(json_object_get(iv, "company")),
                             ik, sizeof ik) == 0 &&
        strcmp(ck, ik) != 0)
        return 0; /* another company's (a topic such as "interview") */
    if (csent && isent && strcmp(csent, isent) < 0)
        return 0; /* the cancel is older than the invitation */
    int ends_all =
        strcmp(reason, "rejection") == 0 || strcmp(reason, "you withdrew") == 0;
    if (cdate != NULL && !ends_all)
        return strncmp(cdate, at, 19) == 0;
    if (csent != NULL && strcmp(at, csent) <= 0)
        return 0; /* already past when the cancel was sent */
    if (ends_all && crole != NULL && *crole)
        return irole != NULL && strcasecmp(irole, crole) == 0;
    return 1;
}

/* A cancel that came first (kept under "cancels:<ckey>" or
 * "cancel-topic:<topic>") for the interview `iv` about to be announced:
 * a new reference to {"event","reason"}, or NULL. *err on a state error. */
static json_t *notifier_cancel_waiting(struct notifier *n, json_t *iv,
                                       json_t *event, int *err, int *superseded)
{
    *superseded = 0;
    char ckey[200];
    json_t *c = NULL, *hit = NULL;
    *err = 0;
    json_t *topics = notifier_topics(event, NOTIFIER_TOPICS_INVITE);
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t)
    {
        if (notifier_state_json(n, "cancel-topic:", json_string_value(t), &c) !=
            0)
            *err = 1;
        const char *r = json_string_value(json_object_get(c, "reason"));
        /* a calendar CANCEL of the invitation's UID ends every version of
         * it up to its own SEQUENCE, whatever time each gave (RFC 5546
         * 3.2.5; trial 70: invited Thu, moved to Fri, cancelled, read in
         * one run: Thu was announced after the cancel of Fri) */
        const char *tn = json_string_value(t);
        long long cs = -1, is = -1;
        if (r && strncmp(tn, "uid:", 4) == 0) {
            cs = notifier_uid_sequence(json_object_get(c, "event"), tn + 4);
            is = notifier_uid_sequence(event, tn + 4);
        }
        int by_time = r && notifier_cancels(iv, json_object_get(c, "event"), r);
        if (r &&
            (by_time || (cs >= 0 && is >= 0 && is <= cs &&
                         !json_is_true(json_object_get(iv, "cancelled"))))) {
            /* an older version at another time: its cancel is told for
             * the version it names, not once per version */
            *superseded = !by_time;
            json_decref(topics);
            return c;
        }
        json_decref(c);
        c = NULL;
    }
    json_decref(topics);
    if (*err ||
        notifier_company_key(json_string_value(json_object_get(iv, "company")),
                             ckey, sizeof ckey) != 0)
        return NULL;
    if (notifier_state_json(n, "cancels:", ckey, &c) != 0) {
        *err = 1;
        return NULL;
    }
    json_t *w;
    json_array_foreach(c, i, w)
    {
        const char *r = json_string_value(json_object_get(w, "reason"));
        if (r && notifier_cancels(iv, json_object_get(w, "event"), r)) {
            hit = json_incref(w);
            break;
        }
    }
    json_decref(c);
    return hit;
}

/* Whether OFFER or ASSESSMENT `event` repeats one announced before: the
 * same type, company and deadline (its scheduled date, else its due day)
 * under another event key (a reminder, a copy; trial 82: 150 copies of
 * an offer made 150 notifications). The first one's key is recorded under
 * "deadline:TYPE|COMPANY|DATE" when it is checked (a retry of it is no
 * repeat). A plain event only: not unsure, not corrected, with a company.
 * 1 repeat, 0, -1 state error. */
static int notifier_deadline_repeat(struct notifier *n, json_t *event,
                                    const char *record_key)
{
    const char *type = json_string_value(json_object_get(event, "event_type"));
    const char *date =
        json_string_value(json_object_get(event, "scheduled_date"));
    const char *key = notifier_join_key(event);
    char ckey[200], slot[300];
    if (date == NULL)
        date = json_string_value(json_object_get(event, "due_date"));
    if (key == NULL)
        key = record_key;
    if (type == NULL ||
        (strcmp(type, "OFFER") != 0 && strcmp(type, "ASSESSMENT") != 0) ||
        date == NULL || key == NULL ||
        json_is_true(json_object_get(event, "unsure")) ||
        json_object_get(event, "correction") != NULL ||
        notifier_company_key(
            json_string_value(json_object_get(event, "company")), ckey,
            sizeof ckey) != 0)
        return 0;
    snprintf(slot, sizeof slot, "%s|%s|%s", type, ckey, date);
    json_t *seen = NULL;
    if (notifier_state_json(n, "deadline:", slot, &seen) != 0)
        return -1;
    const char *first = json_string_value(seen);
    int repeat = first != NULL && strcmp(first, key) != 0;
    int rc = 0;
    if (first == NULL) {
        json_t *k = json_string(key);
        rc = notifier_state_put(n, "deadline:", slot, k);
        json_decref(k);
    }
    json_decref(seen);
    return rc != 0 ? -1 : repeat;
}

/* Announce or stay silent: a company-less reply ("Re: ...") to an
 * interview, or an event at the time of one announced (notifier_repeat),
 * says nothing. 1 silent, 0 announce, -1 state error. */
static int notifier_silent(struct notifier *n, json_t *event,
                           const char *record_key, char *slot, size_t size)
{
    const char *type = json_string_value(json_object_get(event, "event_type"));
    slot[0] = '\0';
    if (type && strcmp(type, "INTERVIEW") == 0 &&
        json_string_value(json_object_get(event, "company")) == NULL &&
        !json_is_true(json_object_get(event, "unsure")) &&
        json_object_get(event, "correction") == NULL &&
        notifier_reply_subject(json_string_value(
            json_object_get(json_object_get(event, "email"), "subject")))) {
        notifier_api->metric_add(n->st, "replies_without_company", 1);
        return 1;
    }
    int repeat = notifier_repeat(n, event, record_key, slot, size);
    if (repeat > 0)
        notifier_api->metric_add(n->st, "interviews_repeated", 1);
    if (repeat == 0 && slot[0] == '\0') {
        repeat = notifier_deadline_repeat(n, event, record_key);
        if (repeat > 0)
            notifier_api->metric_add(n->st, "deadlines_repeated", 1);
    }
    return repeat;
}

/* Whether INTERVIEW `event` was moved by an email written after it that
 * the plugin announced first (a first run reads old mail in partition
 * order): its company's announced interview marked moved, at another
 * time, from a later email. 1 superseded (stay silent), 0, -1 state
 * error. */
static int notifier_superseded(struct notifier *n, json_t *event)
{
    char ckey[200];
    const char *type = json_string_value(json_object_get(event, "event_type"));
    const char *date =
        json_string_value(json_object_get(event, "scheduled_date"));
    const char *sent = json_string_value(
        json_object_get(json_object_get(event, "email"), "date"));
    if (type == NULL || strcmp(type, "INTERVIEW") != 0 || date == NULL ||
        sent == NULL || json_is_true(json_object_get(event, "rescheduled")) ||
        notifier_company_key(
            json_string_value(json_object_get(event, "company")), ckey,
            sizeof ckey) != 0)
        return 0;
    json_t *slots = NULL;
    if (notifier_state_json(n, "company:", ckey, &slots) != 0)
        return -1;
    int found = 0;
    for (size_t i = 0; i < json_array_size(slots) && !found; i++) {
        json_t *iv = NULL;
        const char *s = json_string_value(json_array_get(slots, i));
        if (s == NULL)
            continue;
        if (notifier_state_json(n, "interview:", s, &iv) != 0) {
            json_decref(slots);
            return -1;
        }
        const char *at = json_string_value(json_object_get(iv, "date"));
        const char *isent = json_string_value(json_object_get(iv, "sent"));
        /* RFC 3339 UTC times of one form compare as strings */
        found = json_is_true(json_object_get(iv, "moved")) &&
                !json_is_true(json_object_get(iv, "cancelled")) && at != NULL &&
                strcmp(at, date) != 0 && isent != NULL &&
                strcmp(isent, sent) > 0;
        json_decref(iv);
    }
    json_decref(slots);
    return found;
}

/* The interview a moved (rescheduled) interview moves: the one its
 * subject's topic or calendar UID names (notifier_topics(): the same
 * thread or invitation, whatever the company is called in it: "Orion"
 * then "Orion Labs", trial 86), else the last one announced for its
 * company; at another time than the new one and not cancelled (its
 * remembered slot, notifier_interview_info(): "date", "role"; a new
 * reference), or NULL: none, or the state store unreachable (the notice
 * then only says "(new time)"). */
static json_t *notifier_moved_from(struct notifier *n, json_t *event)
{
    char ckey[200];
    const char *date =
        json_string_value(json_object_get(event, "scheduled_date"));
    if (date == NULL || !json_is_true(json_object_get(event, "rescheduled")))
        return NULL;
    json_t *slots = json_array(), *v = NULL;
    json_t *topics = notifier_topics(event, NOTIFIER_TOPICS_INVITE);
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t)
    {
        if (notifier_state_json(n, "topic:", json_string_value(t), &v) == 0 &&
            json_is_string(v))
            json_array_append(slots, v);
        json_decref(v);
        v = NULL;
    }
    json_decref(topics);
    /* the company's slots after the topics', the newest first */
    size_t ntopic = json_array_size(slots);
    int have_ckey = notifier_company_key(
                        json_string_value(json_object_get(event, "company")),
                        ckey, sizeof ckey) == 0;
    if (have_ckey && notifier_state_json(n, "company:", ckey, &v) == 0 &&
        json_is_array(v))
        for (size_t k = json_array_size(v); k-- > 0;)
            json_array_append(slots, json_array_get(v, k));
    json_decref(v);
    json_t *found = NULL;
    for (i = 0; i < json_array_size(slots) && found == NULL; i++) {
        json_t *iv = NULL;
        const char *s = json_string_value(json_array_get(slots, i));
        if (s == NULL || notifier_state_json(n, "interview:", s, &iv) != 0)
            break;
        const char *at = json_string_value(json_object_get(iv, "date"));
        /* a topic's interview of another company is not this one (a
         * subject as plain as "Interview"): one name must start the other */
        char ik[200];
        int other = i < ntopic && have_ckey &&
                    notifier_company_key(
                        json_string_value(json_object_get(iv, "company")), ik,
                        sizeof ik) == 0 &&
                    strncmp(ik, ckey, strlen(ik)) != 0 &&
                    strncmp(ckey, ik, strlen(ckey)) != 0;
        if (at != NULL && strcmp(at, date) != 0 && !other &&
            !json_is_true(json_object_get(iv, "cancelled")))
            found = json_incref(iv);
        json_decref(iv);
    }
    json_decref(slots);
    return found;
}

/* Build and emit one notification. CO_OK, CO_RETRY or CO_FAIL. */
static co_status_t notifier_emit(struct notifier *n, json_t *event,
                                 const char *record_key, json_t *briefing)
{
    const char *why = NULL;
    char slot[256];
    int silent = notifier_silent(n, event, record_key, slot, sizeof slot);
    if (silent < 0) {
        notifier_api->set_error(n->st, "state",
                                "notifier: state store unreachable");
        return CO_RETRY;
    }
    if (silent)
        return CO_OK;
    /* an invitation whose move was announced before it was read */
    int gone = notifier_superseded(n, event);
    if (gone < 0) {
        notifier_api->set_error(n->st, "state",
                                "notifier: state store unreachable");
        return CO_RETRY;
    }
    if (gone) {
        notifier_api->metric_add(n->st, "interviews_superseded", 1);
        return CO_OK;
    }
    /* a moved interview: the one it moves, whose role a move that names
     * none keeps (a rescheduling tool's "Your interview has been moved"
     * names no role) */
    json_t *was = notifier_moved_from(n, event);
    const char *was_role = json_string_value(json_object_get(was, "role"));
    if (was_role != NULL &&
        json_string_value(json_object_get(event, "role")) == NULL)
        json_object_set_new(event, "role", json_string(was_role));
    json_t *out = notifier_build(event, record_key, briefing, &n->opts, &why);
    if (out == NULL) {
        json_decref(was);
        notifier_api->set_error(n->st, "schema", "notifier: %s", why);
        return CO_FAIL;
    }
    /* a moved interview's notice (notifier_build's "(new time)") says
     * which time it replaces */
    const char *title = json_string_value(json_object_get(out, "title"));
    if (was != NULL && title != NULL && strstr(title, " (new time)") != NULL)
        notifier_build_moved_from(
            out, json_string_value(json_object_get(was, "date")), &n->opts);
    json_decref(was);
    const char *key = json_string_value(json_object_get(out, "event_key"));
    json_t *iv =
        slot[0] != '\0' ? notifier_interview_info(event, key, slot) : NULL;
    int err = 0;
    int superseded = 0;
    json_t *w =
        iv ? notifier_cancel_waiting(n, iv, event, &err, &superseded) : NULL;
    if (err) {
        json_decref(out);
        json_decref(iv);
        notifier_api->set_error(n->st, "state",
                                "notifier: state store unreachable");
        return CO_RETRY;
    }
    if (w != NULL && superseded) { /* a version its cancel outdates */
        notifier_api->metric_add(n->st, "superseded_invitations", 1);
        json_decref(w);
        json_decref(iv);
        json_decref(out);
        return CO_OK;
    }
    if (w != NULL) { /* cancelled before it was announced: say so only */
        co_status_t s = notifier_tell_cancel(
            n, iv, json_object_get(w, "event"), json_object_get(w, "event"),
            json_string_value(json_object_get(w, "reason")), 0);
        json_decref(w);
        json_decref(iv);
        json_decref(out);
        return s;
    }
    int rc = notifier_send(n, out);
    if (rc == 0 && iv != NULL)
        notifier_remember(n, iv, event);
    json_decref(iv);
    json_decref(out);
    if (rc != 0)
        return CO_RETRY;
    notifier_api->metric_add(n->st, "notifications", 1);
    if (briefing != NULL)
        notifier_api->metric_add(n->st, "briefings_joined", 1);
    return CO_OK;
}

/* The slots a cancel event may end: its topic's, its company's, the one
 * at its time when it names neither. A new array of slot strings, or NULL
 * on a state error. */
static json_t *notifier_cancel_slots(struct notifier *n, json_t *event)
{
    char ckey[200], any[64];
    json_t *slots = json_array(), *v = NULL;
    int bad = 0;
    const char *company = json_string_value(json_object_get(event, "company"));
    const char *date =
        json_string_value(json_object_get(event, "scheduled_date"));
    json_t *topics = notifier_topics(event, NOTIFIER_TOPICS_CANCEL);
    size_t i;
    json_t *t;
    json_array_foreach(topics, i, t)
    {
        bad |= notifier_state_json(n, "topic:", json_string_value(t), &v) != 0;
        if (json_is_string(v))
            json_array_append(slots, v);
        json_decref(v);
        v = NULL;
    }
    json_decref(topics);
    if (notifier_company_key(company, ckey, sizeof ckey) == 0) {
        bad |= notifier_state_json(n, "company:", ckey, &v) != 0;
        json_array_extend(slots, json_is_array(v) ? v : NULL);
        json_decref(v);
    } else if (date != NULL && strlen(date) < 40) {
        snprintf(any, sizeof any, "*|%s", date);
        json_array_append_new(slots, json_string(any));
    }
    if (bad) {
        json_decref(slots);
        return NULL;
    }
    return slots;
}

/* An event that cancels (notifier_cancel_reason()): tell each announced
 * interview it ends; when it ends none yet, keep it for an invitation
 * handled after it (a first run reads old mail in partition order). */
static co_status_t notifier_cancel(struct notifier *n, json_t *event,
                                   const char *reason)
{
    json_t *slots = notifier_cancel_slots(n, event);
    if (slots == NULL)
        return CO_RETRY;
    int told = 0;
    size_t i;
    json_t *s;
    json_array_foreach(slots, i, s)
    {
        json_t *iv = NULL;
        if (notifier_state_json(n, "interview:", json_string_value(s), &iv) !=
            0) {
            json_decref(slots);
            return CO_RETRY;
        }
        if (iv != NULL && notifier_cancels(iv, event, reason)) {
            co_status_t st =
                notifier_tell_cancel(n, iv, event, event, reason, 1);
            if (st != CO_OK) {
                json_decref(iv);
                json_decref(slots);
                return st;
            }
            told++;
        }
        json_decref(iv);
    }
    json_decref(slots);
    if (told > 0)
        return CO_OK;
    /* none announced yet: keep it */
    char ckey[200];
    json_t *w = json_pack("{s:O, s:s}", "event", event, "reason", reason);
    int rc = 0;
    json_t *topics = notifier_topics(event, NOTIFIER_TOPICS_KEEP);
    json_t *t;
    json_array_foreach(topics, i, t)
    {
        if (rc == 0)
            rc =
                notifier_state_put(n, "cancel-topic:", json_string_value(t), w);
    }
    json_decref(topics);
    if (rc == 0 && notifier_company_key(
                       json_string_value(json_object_get(event, "company")),
                       ckey, sizeof ckey) == 0)
        rc = notifier_state_append(n, "cancels:", ckey, w, 16);
    json_decref(w);
    notifier_api->metric_add(n->st, "events_skipped", 1);
    return rc == 0 ? CO_OK : CO_RETRY;
}

/* Emit a parked event (with `briefing` or none) and forget it. */
static co_status_t notifier_release(struct notifier *n, size_t i,
                                    json_t *briefing)
{
    json_t *parked = NULL;
    if (notifier_state_json(n, "pending:", n->parked[i].key, &parked) != 0) {
        notifier_api->set_error(n->st, "state",
                                "notifier: state store unreachable");
        return CO_RETRY;
    }
    co_status_t s = CO_OK;
    if (parked != NULL)
        s = notifier_emit(n, json_object_get(parked, "event"), n->parked[i].key,
                          briefing);
    json_decref(parked);
    if (s == CO_RETRY)
        return s;
    if (notifier_state_put(n, "pending:", n->parked[i].key, NULL) != 0)
        return CO_RETRY;
    free(n->parked[i].key);
    n->parked[i] = n->parked[--n->n_parked];
    return notifier_save_index(n) == 0 ? CO_OK : CO_RETRY;
}

/* Emit the parked events whose wait is over. */
static co_status_t notifier_expire(struct notifier *n)
{
    int64_t now = notifier_api->now_ms(n->st);
    for (size_t i = 0; i < n->n_parked;) {
        if (n->parked[i].deadline_ms > now) {
            i++;
            continue;
        }
        co_status_t s = notifier_release(n, i, NULL);
        if (s == CO_RETRY)
            return s;
    }
    return CO_OK;
}

/* Remember a parked key in memory. 0, or -1 when out of memory. */
static int notifier_add_parked(struct notifier *n, const char *key,
                               int64_t deadline_ms)
{
    if (n->n_parked == n->cap_parked) {
        size_t nc = n->cap_parked ? n->cap_parked * 2 : 16;
        void *np = realloc(n->parked, nc * sizeof *n->parked);
        if (np == NULL)
            return -1;
        n->parked = np;
        n->cap_parked = nc;
    }
    char *k = strdup(key);
    if (k == NULL)
        return -1;
    n->parked[n->n_parked].key = k;
    n->parked[n->n_parked++].deadline_ms = deadline_ms;
    return 0;
}

static co_status_t notifier_start(void *instance)
{
    struct notifier *n = instance;
    if (n->cfg->briefing_wait_ms <= 0 || n->n_parked > 0)
        return CO_OK;
    char *v = NULL;
    size_t len = 0;
    int rc = notifier_api->state_get(n->st, "pending", &v, &len);
    if (rc == CO_ERR_NOTFOUND)
        return CO_OK;
    if (rc != 0)
        return CO_RETRY;
    json_t *a = v ? json_loadb(v, len, 0, NULL) : NULL;
    notifier_api->free(v);
    size_t i;
    json_t *k;
    json_array_foreach(a, i, k)
    {
        json_t *p = NULL;
        if (!json_is_string(k) ||
            notifier_state_json(n, "pending:", json_string_value(k), &p) != 0)
            continue;
        if (p != NULL) {
            if (notifier_add_parked(n, json_string_value(k),
                                    json_integer_value(json_object_get(
                                        p, "deadline_ms"))) != 0) {
                json_decref(p);
                break;
            }
        }
        json_decref(p);
    }
    json_decref(a);
    return notifier_expire(n);
}

static co_status_t notifier_park(struct notifier *n, const char *key,
                                 json_t *event)
{
    int64_t deadline = notifier_api->now_ms(n->st) + n->cfg->briefing_wait_ms;
    json_t *p = json_pack("{s:I, s:O}", "deadline_ms", (json_int_t)deadline,
                          "event", event);
    int rc = notifier_state_put(n, "pending:", key, p);
    json_decref(p);
    if (rc != 0)
        return CO_RETRY;
    for (size_t i = 0; i < n->n_parked; i++)
        if (strcmp(n->parked[i].key, key) == 0)
            return CO_OK; /* redelivered: already parked */
    if (notifier_add_parked(n, key, deadline) != 0)
        return CO_RETRY;
    notifier_api->metric_set(n->st, "parked", (double)n->n_parked);
    return notifier_save_index(n) == 0 ? CO_OK : CO_RETRY;
}

static co_status_t notifier_briefing(struct notifier *n, json_t *doc,
                                     const char *record_key)
{
    const char *key = notifier_join_key(doc);
    if (key == NULL)
        key = record_key;
    if (key == NULL || *key == '\0') {
        notifier_api->set_error(n->st, "schema",
                                "notifier: a briefing without `event.key`, "
                                "`event_key` or record key cannot be joined");
        return CO_FAIL;
    }
    if (notifier_state_put(n, "briefing:", key, doc) != 0)
        return CO_RETRY;
    for (size_t i = 0; i < n->n_parked; i++)
        if (strcmp(n->parked[i].key, key) == 0)
            return notifier_release(n, i, doc);
    return CO_OK;
}

/* Whether events of `type` wait for a briefing (`briefing_types`). */
static int notifier_waits_for(const struct notifier *n, const char *type)
{
    if (n->cfg->briefing_types == NULL)
        return 1;
    for (const char *const *t = n->cfg->briefing_types; *t; t++)
        if (strcmp(*t, type) == 0)
            return 1;
    return 0;
}

static co_status_t notifier_event(struct notifier *n, json_t *doc,
                                  const char *record_key)
{
    const char *type = json_string_value(json_object_get(doc, "event_type"));
    if (type == NULL) {
        notifier_api->set_error(n->st, "schema",
                                "notifier: event without a string "
                                "`event_type` (expected careerops.event.v1)");
        return CO_FAIL;
    }
    const char *cancel = notifier_cancel_reason(doc);
    if (cancel != NULL)
        return notifier_cancel(n, doc, cancel);
    if (!notifier_wanted_event(doc)) {
        notifier_api->metric_add(n->st, "events_skipped", 1);
        return CO_OK;
    }
    /* an event that names no company gets no briefing (tavily-researcher
     * researches companies): told at once, not after briefing_wait_ms or
     * the next record (trial 89: held for minutes, and past the end of an
     * --until-idle run) */
    const char *company = json_string_value(json_object_get(doc, "company"));
    int nameless = company == NULL || company[strspn(company, " \t")] == '\0';
    if (n->cfg->briefing_wait_ms <= 0 || !notifier_waits_for(n, type) ||
        nameless)
        return notifier_emit(n, doc, record_key, NULL);
    const char *key = notifier_join_key(doc);
    if (key == NULL)
        key = record_key;
    if (key == NULL || *key == '\0')
        return notifier_emit(n, doc, record_key, NULL); /* FAILs, explained */
    json_t *b = NULL;
    if (notifier_state_json(n, "briefing:", key, &b) != 0) {
        notifier_api->set_error(n->st, "state",
                                "notifier: state store unreachable");
        return CO_RETRY;
    }
    if (b != NULL) {
        co_status_t s = notifier_emit(n, doc, record_key, b);
        json_decref(b);
        return s;
    }
    return notifier_park(n, key, doc);
}

static co_status_t notifier_process(void *instance, const co_record_t *rec)
{
    struct notifier *n = instance;
    char keybuf[512];
    const char *record_key = NULL;
    if (rec->key != NULL && rec->key_len > 0 && rec->key_len < sizeof keybuf) {
        memcpy(keybuf, rec->key, rec->key_len);
        keybuf[rec->key_len] = '\0';
        record_key = keybuf;
    }
    json_error_t jerr;
    json_t *doc =
        rec->value ? json_loadb(rec->value, rec->value_len, 0, &jerr) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        notifier_api->set_error(n->st, "parse",
                                "notifier: record on %s is not a JSON object "
                                "(expected careerops.event.v1 or "
                                "careerops.briefing.v1)",
                                rec->topic ? rec->topic : "its input");
        return CO_FAIL;
    }
    const char *schema = json_string_value(json_object_get(doc, "schema"));
    co_status_t s;
    if (schema != NULL && strcmp(schema, "careerops.briefing.v1") == 0)
        s = n->cfg->briefing_wait_ms > 0 ? notifier_briefing(n, doc, record_key)
                                         : CO_OK;
    else
        s = notifier_event(n, doc, record_key);
    json_decref(doc);
    if (s == CO_OK && n->n_parked > 0)
        s = notifier_expire(n);
    return s;
}

static void notifier_destroy(void *instance)
{
    struct notifier *n = instance;
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_parked; i++)
        free(n->parked[i].key);
    free(n->parked);
    free(n);
}

static const co_plugin_t notifier_desc = {
    CO_PLUGIN_HEADER,
    .name = "notifier",
    .version = "1.0.0",
    .description = "Turns INTERVIEW, OFFER and ASSESSMENT events (joined with "
                   "their briefing when one arrives in time) into "
                   "notification records.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* reads no input header */
    .options = notifier_options,
    .config_size = sizeof(struct notifier_config),
    .check = notifier_check, /* briefing_url_template (ABI 1.2) */
    .init = notifier_init,
    .start = notifier_start,
    .process = notifier_process,
    .destroy = notifier_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    notifier_api = api;
    return &notifier_desc;
}
