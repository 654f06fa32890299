/*
 * notifier_build.c without a host: which events notify, the notification's
 * fields, time zone conversion (DST both sides), URL templates, briefings.
 */
#include "co_test.h"
#include "notifier_build.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *event(const char *type, const char *company, const char *date)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:{s:s, s:s, s:s}}", "schema",
                     "careerops.event.v1", "event_type", type, "company",
                     company, "role", "Backend Engineer", "scheduled_date",
                     date, "email", "key", "k1", "subject",
                     "Interview confirmation", "from", "talent@acme.example");
}

START_TEST(wanted_types)
{
    ck_assert(notifier_wanted("INTERVIEW"));
    ck_assert(notifier_wanted("OFFER"));
    ck_assert(notifier_wanted("ASSESSMENT"));
    ck_assert(!notifier_wanted("REJECTION"));
    ck_assert(!notifier_wanted("APPLICATION_ACK"));
    ck_assert(!notifier_wanted("RECRUITER_OUTREACH"));
    ck_assert(!notifier_wanted("OTHER"));
    ck_assert(!notifier_wanted(NULL));
}
END_TEST

START_TEST(local_times)
{
    char b[40];
    ck_assert_int_eq(notifier_local_time("2025-03-04T19:00:00Z",
                                         "America/New_York", b, sizeof b),
                     0);
    ck_assert_str_eq(b, "2025-03-04T14:00:00-05:00");
    ck_assert_int_eq(notifier_local_time("2025-07-04T19:00:00Z",
                                         "America/New_York", b, sizeof b),
                     0);
    ck_assert_str_eq(b, "2025-07-04T15:00:00-04:00");
    ck_assert_int_eq(notifier_local_time("2025-03-30T23:30:00Z", "Europe/Paris",
                                         b, sizeof b),
                     0);
    ck_assert_str_eq(b, "2025-03-31T01:30:00+02:00");
    ck_assert_int_eq(
        notifier_local_time("2025-01-10T09:15:00.250Z", "UTC", b, sizeof b), 0);
    ck_assert_str_eq(b, "2025-01-10T09:15:00Z");
    ck_assert_int_eq(notifier_local_time("2025-01-10T10:15:00+01:00",
                                         "Asia/Kolkata", b, sizeof b),
                     0);
    ck_assert_str_eq(b, "2025-01-10T14:45:00+05:30");
    ck_assert_int_eq(notifier_local_time("next Tuesday", "UTC", b, sizeof b),
                     -1);
    ck_assert_int_eq(notifier_local_time("2025-01-10T09:15:00Z", "Mars/Olympus",
                                         b, sizeof b),
                     -1);
    ck_assert(notifier_tz_valid("UTC"));
    ck_assert(notifier_tz_valid("Europe/Berlin"));
    ck_assert(!notifier_tz_valid("Not/AZone"));
}
END_TEST

START_TEST(urls)
{
    char *u = notifier_expand_url("https://dash.example/b/{key}?c={company}",
                                  "ab12", "Ärzte & Co");
    ck_assert_str_eq(u, "https://dash.example/b/ab12?c=%C3%84rzte%20%26%20Co");
    free(u);
    ck_assert_ptr_null(notifier_expand_url("", "k", "c"));
    ck_assert_ptr_null(notifier_expand_url(NULL, "k", "c"));
    u = notifier_expand_url("{key}", "k", NULL);
    ck_assert_str_eq(u, "k");
    free(u);
}
END_TEST

START_TEST(interview_fields)
{
    json_t *e = event("INTERVIEW", "Acme Corp", "2025-03-04T19:00:00Z");
    notifier_opts_t o = {"America/New_York", "http://x/{key}"};
    const char *why = NULL;
    json_t *n = notifier_build(e, "rk", NULL, &o, &why);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(json_string_value(json_object_get(n, "schema")),
                     NOTIFIER_SCHEMA);
    ck_assert_str_eq(json_string_value(json_object_get(n, "event_key")), "k1");
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")),
                     "Interview with Acme Corp: Backend Engineer");
    ck_assert_str_eq(json_string_value(json_object_get(n, "date_utc")),
                     "2025-03-04T19:00:00Z");
    ck_assert_str_eq(json_string_value(json_object_get(n, "date_local")),
                     "2025-03-04T14:00:00-05:00");
    ck_assert_str_eq(json_string_value(json_object_get(n, "briefing_url")),
                     "http://x/k1");
    ck_assert(strstr(json_string_value(json_object_get(n, "summary")),
                     "Acme Corp") != NULL);
    ck_assert_int_eq(json_array_size(json_object_get(n, "sources")), 0);
    json_t *em = json_object_get(n, "email");
    ck_assert_str_eq(json_string_value(json_object_get(em, "from")),
                     "talent@acme.example");
    ck_assert_str_eq(json_string_value(json_object_get(em, "subject")),
                     "Interview confirmation");
    json_decref(n);
    json_decref(e);
}
END_TEST

/* An offer's and an assessment's date is a deadline (trial: "scheduled"
 * was shown for "sign it by ... 5:00 PM ET"). */
START_TEST(deadline_wording)
{
    notifier_opts_t o = {"America/Chicago", NULL};
    static const char *const types[] = {"OFFER", "ASSESSMENT", "INTERVIEW"};
    static const char *const labels[] = {"reply by", "due", "when"};
    static const char *const words[] = {
        ", reply by 2026-12-11T16:00:00-06:00.",
        ", due 2026-12-11T16:00:00-06:00.",
        ", scheduled 2026-12-11T16:00:00-06:00."};
    for (int i = 0; i < 3; i++) {
        json_t *e =
            event(types[i], "Bluefin Logistics", "2026-12-11T22:00:00Z");
        json_t *n = notifier_build(e, NULL, NULL, &o, NULL);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_eq(json_string_value(json_object_get(n, "date_label")),
                         labels[i]);
        const char *sum = json_string_value(json_object_get(n, "summary"));
        ck_assert_msg(strstr(sum, words[i]) != NULL, "%s", sum);
        ck_assert(i == 2 || strstr(sum, "scheduled") == NULL);
        json_decref(n);
        json_decref(e);
    }
    /* a deadline given as a day without a time (the event's due_date) */
    json_t *e = event("ASSESSMENT", "Bluefin Logistics", NULL);
    json_object_set_new(e, "due_date", json_string("2026-12-14"));
    json_t *n = notifier_build(e, NULL, NULL, &o, NULL);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(json_string_value(json_object_get(n, "due_date")),
                     "2026-12-14");
    ck_assert(json_is_null(json_object_get(n, "date_utc")));
    const char *sum = json_string_value(json_object_get(n, "summary"));
    ck_assert_msg(strstr(sum, ", due 2026-12-14 (no time given).") != NULL,
                  "%s", sum);
    json_decref(n);
    /* a date with a time wins; a malformed day is dropped */
    json_object_set_new(e, "due_date", json_string("14 Dec"));
    n = notifier_build(e, NULL, NULL, &o, NULL);
    ck_assert_ptr_null(json_object_get(n, "due_date"));
    json_decref(n);
    json_decref(e);
}
END_TEST

/* An interview whose message says it was moved (the event's
 * rescheduled): "(new time)" in the title, "moved to" in the summary. */
START_TEST(rescheduled_interview)
{
    notifier_opts_t o = {"America/Chicago", NULL};
    json_t *e = event("INTERVIEW", "Quillfeather", "2026-12-11T21:00:00Z");
    json_object_set_new(e, "rescheduled", json_true());
    json_t *n = notifier_build(e, NULL, NULL, &o, NULL);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(
        json_string_value(json_object_get(n, "title")),
        "Interview with Quillfeather: Backend Engineer (new time)");
    const char *sum = json_string_value(json_object_get(n, "summary"));
    ck_assert_msg(strstr(sum, ", moved to 2026-12-11T15:00:00-06:00.") != NULL,
                  "%s", sum);
    json_decref(n);
    json_object_set_new(e, "rescheduled", json_false());
    n = notifier_build(e, NULL, NULL, &o, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")),
                     "Interview with Quillfeather: Backend Engineer");
    json_decref(n);
    json_decref(e);
}
END_TEST

/* An offer whose date is a call about it (the event's offer_call): the
 * label says "offer call" and the summary "call about it", not a reply-by
 * deadline (note 18: an offer call was shown as "reply by"). */
START_TEST(offer_call_label)
{
    notifier_opts_t o = {"America/New_York", NULL};
    json_t *e = event("OFFER", "Larkspur Analytics", "2026-12-10T19:00:00Z");
    json_t *n = notifier_build(e, NULL, NULL, &o, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(n, "date_label")),
                     "reply by");
    ck_assert_ptr_nonnull(strstr(
        json_string_value(json_object_get(n, "summary")), ", reply by "));
    json_decref(n);
    json_object_set_new(e, "offer_call", json_true());
    n = notifier_build(e, NULL, NULL, &o, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(n, "date_label")),
                     "call");
    const char *sum = json_string_value(json_object_get(n, "summary"));
    ck_assert_msg(strstr(sum, ", call about it 2026-12-10T14:00:00-05:00.") !=
                      NULL,
                  "%s", sum);
    json_decref(n);
    json_decref(e);
}
END_TEST

/* One interview: the same company (spelt the same) at the same instant. */
START_TEST(interview_slots)
{
    char a[256], b[256];
    json_t *e = event("INTERVIEW", "Harborline", "2026-12-10T10:00:00-06:00");
    json_t *f = event("INTERVIEW", "HARBORLINE", "2026-12-10T16:00:00Z");
    ck_assert_int_eq(notifier_interview_slot(e, a, sizeof a), 0);
    ck_assert_str_eq(a, "harborline|2026-12-10T16:00:00Z");
    ck_assert_int_eq(notifier_interview_slot(f, b, sizeof b), 0);
    ck_assert_str_eq(a, b);
    json_t *o = event("OFFER", "Harborline", "2026-12-10T16:00:00Z");
    json_t *nd = event("INTERVIEW", "Harborline", NULL);
    json_t *nc = event("INTERVIEW", NULL, "2026-12-10T16:00:00Z");
    ck_assert_int_eq(notifier_interview_slot(o, a, sizeof a), -1);
    ck_assert_int_eq(notifier_interview_slot(nd, a, sizeof a), -1);
    ck_assert_int_eq(notifier_interview_slot(nc, a, sizeof a), 0);
    ck_assert_str_eq(a, "*|2026-12-10T16:00:00Z");
    json_object_set_new(f, "unsure", json_true());
    ck_assert_int_eq(notifier_interview_slot(f, a, sizeof a), -1);
    ck_assert_int_eq(notifier_interview_slot(e, a, 8), -1);
    json_decref(e);
    json_decref(f);
    json_decref(o);
    json_decref(nd);
    json_decref(nc);
}
END_TEST

/* A huge subject is cut for the notification (300 bytes and "...", at a
 * character boundary); trial 13 saw 65,570-character console lines. */
START_TEST(long_subject_cut)
{
    size_t big = 100000;
    char *subj = malloc(big + 1);
    ck_assert_ptr_nonnull(subj);
    for (size_t i = 0; i < big; i += 2)
        memcpy(subj + i, "\xc3\xa9", 2); /* "é" */
    subj[big] = '\0';
    json_t *e =
        json_pack("{s:s, s:s, s:{s:s, s:s}}", "event_type", "INTERVIEW",
                  "company", "Acme", "email", "key", "k", "subject", subj);
    json_t *n = notifier_build(e, "rk", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(n);
    const char *s = json_string_value(
        json_object_get(json_object_get(n, "email"), "subject"));
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_le(strlen(s), 303);
    ck_assert_uint_ge(strlen(s), 290);
    ck_assert_str_eq(s + strlen(s) - 3, "...");
    ck_assert_int_eq(strncmp(s, subj, strlen(s) - 3), 0);
    ck_assert_uint_lt(strlen(json_string_value(json_object_get(n, "summary"))),
                      600);
    json_decref(n);
    json_decref(e);
    free(subj);
}
END_TEST

START_TEST(missing_values_are_null)
{
    json_t *e = json_pack("{s:s}", "event_type", "OFFER");
    json_t *n = notifier_build(e, "rk", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(json_string_value(json_object_get(n, "event_key")), "rk");
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")), "Offer");
    ck_assert(json_is_null(json_object_get(n, "company")));
    ck_assert(json_is_null(json_object_get(n, "date_local")));
    ck_assert(json_is_null(json_object_get(n, "briefing_url")));
    ck_assert(
        json_is_null(json_object_get(json_object_get(n, "email"), "date")));
    json_decref(n);
    json_decref(e);
    /* no scheduled date: the email's own date, also in the user's zone */
    e = json_pack("{s:s, s:{s:s, s:s}}", "event_type", "OFFER", "email", "key",
                  "k2", "date", "2025-10-07T13:12:00Z");
    notifier_opts_t o = {"America/New_York", NULL};
    n = notifier_build(e, "rk", NULL, &o, NULL);
    ck_assert_ptr_nonnull(n);
    ck_assert(json_is_null(json_object_get(n, "date_utc")));
    json_t *em = json_object_get(n, "email");
    ck_assert_str_eq(json_string_value(json_object_get(em, "date")),
                     "2025-10-07T13:12:00Z");
    ck_assert_str_eq(json_string_value(json_object_get(em, "date_local")),
                     "2025-10-07T09:12:00-04:00");
    json_decref(n);
    json_decref(e);
    const char *why = NULL;
    e = json_pack("{s:s}", "event_type", "OFFER");
    ck_assert_ptr_null(notifier_build(e, NULL, NULL, NULL, &why));
    ck_assert(strstr(why, "key") != NULL);
    json_decref(e);
    e = json_pack("{s:i}", "event_type", 3);
    ck_assert_ptr_null(notifier_build(e, "k", NULL, NULL, &why));
    ck_assert(strstr(why, "event_type") != NULL);
    json_decref(e);
}
END_TEST

START_TEST(briefing_joined)
{
    json_t *e = event("ASSESSMENT", "Borealis Labs", NULL);
    json_t *b = json_pack(
        "{s:s, s:s, s:{s:s}, s:s, s:[{s:s, s:s}, {s:s}]}", "schema",
        "careerops.briefing.v1", "key", "b1", "event", "key", "k1", "summary",
        "Borealis Labs builds weather models.", "sources", "title", "News",
        "url", "https://news.example/1", "title", "no url");
    json_t *n = notifier_build(e, NULL, b, NULL, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(n, "summary")),
                     "Borealis Labs builds weather models.");
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")),
                     "Assessment from Borealis Labs: Backend Engineer");
    json_t *s = json_object_get(n, "sources");
    ck_assert_int_eq(json_array_size(s), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(s, 0), "url")),
        "https://news.example/1");
    ck_assert_str_eq(notifier_join_key(b), "k1");
    json_decref(n);
    json_decref(b);
    json_decref(e);
}
END_TEST

/* The LLM and the local classifier disagree: notified, and it says so. */
START_TEST(unsure_events)
{
    json_t *e = event("OTHER", "Acme", NULL);
    ck_assert(!notifier_wanted_event(e));
    json_object_set_new(e, "unsure", json_true());
    json_object_set_new(e, "opinions",
                        json_pack("[{s:s,s:s},{s:s,s:s}]", "classifier",
                                  "ollama-classifier", "event_type", "OTHER",
                                  "classifier", "local", "event_type",
                                  "INTERVIEW"));
    ck_assert(notifier_wanted_event(e));
    json_t *n = notifier_build(e, NULL, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")),
                     "Unsure: Interview with Acme: Backend Engineer?");
    const char *sum = json_string_value(json_object_get(n, "summary"));
    ck_assert_msg(strstr(sum, "Unsure: the model said OTHER, the local "
                              "classifier said INTERVIEW; please check") == sum,
                  "%s", sum);
    ck_assert(json_is_true(json_object_get(n, "unsure")));
    ck_assert_uint_eq(json_array_size(json_object_get(n, "opinions")), 2);
    json_decref(n);
    json_decref(e);
}
END_TEST

/* careerops relabel: corrected events say so, in both directions. */
START_TEST(corrected_events)
{
    json_t *e = event("INTERVIEW", "Acme", NULL);
    json_object_set_new(e, "correction",
                        json_pack("{s:{s:s}}", "old", "event_type", "OTHER"));
    json_t *n = notifier_build(e, NULL, NULL, NULL, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")),
                     "Corrected: Interview with Acme: Backend Engineer");
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(n, "summary")), "was OTHER"));
    json_decref(n);
    json_decref(e);
    e = event("REJECTION", "Acme", NULL);
    json_object_set_new(
        e, "correction",
        json_pack("{s:{s:s}}", "old", "event_type", "INTERVIEW"));
    ck_assert(notifier_wanted_event(e));
    n = notifier_build(e, NULL, NULL, NULL, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(n, "title")),
                     "Corrected: not an Interview with Acme: Backend Engineer "
                     "(now REJECTION)");
    json_decref(n);
    json_decref(e);
}
END_TEST

/* Subjects: replies, topics shared by an invitation and its cancel. */
START_TEST(subjects_and_cancels)
{
    char a[256], b[256];
    int c = -1;
    ck_assert(notifier_reply_subject("Re: Interview invitation"));
    ck_assert(notifier_reply_subject("  AW: Einladung"));
    ck_assert(!notifier_reply_subject("Fwd: Interview invitation"));
    ck_assert(!notifier_reply_subject("Interview invitation"));
    ck_assert(!notifier_reply_subject(NULL));
    ck_assert_ptr_nonnull(notifier_subject_topic(
        "Invitation: Interview: Sam / Orbitly @ Wed Dec 16", &c, a, sizeof a));
    ck_assert_int_eq(c, 0);
    ck_assert_ptr_nonnull(notifier_subject_topic(
        "Canceled event: Interview: Sam / Orbitly @ Wed Dec 16", &c, b,
        sizeof b));
    ck_assert_int_eq(c, 1);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, "interviewsamorbitlyweddec16");
    notifier_subject_topic("Cancelled: Interview Acme", &c, b, sizeof b);
    ck_assert_int_eq(c, 1);
    ck_assert_str_eq(b, "interviewacme");
    ck_assert_ptr_null(notifier_subject_topic("Re: ", &c, b, sizeof b));
    ck_assert_str_eq(b, "");

    /* why an event cancels */
    json_t *e = json_pack("{s:s, s:s, s:{s:s}}", "event_type", "OTHER",
                          "company", "Acme", "email", "subject", "Hello");
    ck_assert_ptr_null(notifier_cancel_reason(e));
    json_object_set_new(
        json_object_get(e, "email"), "calendar",
        json_pack("[{s:s, s:s}]", "method", "REQUEST", "status", "CANCELLED"));
    ck_assert_str_eq(notifier_cancel_reason(e), "calendar cancellation");
    json_object_del(json_object_get(e, "email"), "calendar");
    json_object_set_new(e, "calendar",
                        json_pack("[{s:s}]", "method", "CANCEL"));
    ck_assert_str_eq(notifier_cancel_reason(e), "calendar cancellation");
    json_object_del(e, "calendar");
    json_object_set_new(e, "evidence",
                        json_pack("[s]", "Unfortunately we need to cancel"));
    /* OTHER: only about an interview ("cancel your subscription" is not) */
    ck_assert_ptr_null(notifier_cancel_reason(e));
    json_array_append_new(json_object_get(e, "evidence"),
                          json_string("our interview on Friday"));
    ck_assert_str_eq(notifier_cancel_reason(e), "cancelled by message");
    /* a move the classifier read (rescheduled) is no cancel: "we have to
     * cancel Tuesday's interview ... but we've rebooked you" (trial 23) */
    json_object_set_new(e, "rescheduled", json_true());
    ck_assert_ptr_null(notifier_cancel_reason(e));
    json_object_del(e, "rescheduled");
    /* a reschedule that says cancel announces its new time */
    json_array_append_new(json_object_get(e, "evidence"),
                          json_string("New time: Wednesday at 10"));
    ck_assert_ptr_null(notifier_cancel_reason(e));
    json_object_set_new(e, "event_type", json_string("REJECTION"));
    ck_assert_str_eq(notifier_cancel_reason(e), "rejection");
    json_object_set_new(e, "event_type", json_string("OFFER"));
    ck_assert_ptr_null(notifier_cancel_reason(e));
    json_decref(e);

    ck_assert_int_eq(notifier_when_text("2026-12-16T21:00:00Z",
                                        "America/Denver", a, sizeof a),
                     0);
    ck_assert_str_eq(a, "Wed 16 Dec 2026, 14:00");
    ck_assert_int_eq(
        notifier_when_text("2025-03-30T01:30:00Z", "Europe/Paris", a, sizeof a),
        0);
    ck_assert_str_eq(a, "Sun 30 Mar 2025, 03:30");
    ck_assert_int_eq(notifier_when_text("soon", "UTC", a, sizeof a), -1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("notifier-build");
    TCase *t = tcase_create("core");
    tcase_add_test(t, wanted_types);
    tcase_add_test(t, offer_call_label);
    tcase_add_test(t, local_times);
    tcase_add_test(t, urls);
    tcase_add_test(t, interview_fields);
    tcase_add_test(t, deadline_wording);
    tcase_add_test(t, rescheduled_interview);
    tcase_add_test(t, interview_slots);
    tcase_add_test(t, missing_values_are_null);
    tcase_add_test(t, briefing_joined);
    tcase_add_test(t, unsure_events);
    tcase_add_test(t, corrected_events);
    tcase_add_test(t, subjects_and_cancels);
    tcase_add_test(t, long_subject_cut);
    suite_add_tcase(s, t);
    return s;
}
CO_TEST_MAIN(suite)
