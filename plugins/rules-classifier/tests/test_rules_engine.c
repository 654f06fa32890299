/*
 * Unit tests of the rules engine on hand-built careerops.email.v1
 * documents: labels, company/role/date extraction, bulk evidence, the data
 * loader's errors.
 */
#include "co_test.h"
#include "rules_engine.h"

#include <jansson.h>
#include <limits.h>
#include <unistd.h>

#include "rules_test_db.h"

/* Build an email.v1 document. cal_summary may be NULL (no invitation). */
static json_t *mk(const char *from_name, const char *from_addr,
                  const char *subject, const char *text,
                  const char *cal_summary, const char *cal_start)
{
    json_t *e = json_pack(
        "{s:s, s:s, s:{s:s?, s:s}, s:s, s:s, s:s, s:s, "
        "s:[], s:[], s:{}}",
        "schema", "careerops.email.v1", "key", "0123456789abcdef", "from",
        "name", from_name, "address", from_addr, "subject", subject, "text",
        text, "date", "2025-03-01T09:00:00Z", "date_raw",
        "Sat, 1 Mar 2025 10:00:00 +0100", "links", "calendar", "headers");
    ck_assert_ptr_nonnull(e);
    if (cal_summary != NULL) {
        json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:b}", "uid", "u1",
                               "method", "REQUEST", "summary", cal_summary,
                               "start", cal_start, "all_day", 0);
        json_array_append_new(json_object_get(e, "calendar"), ev);
    }
    return e;
}

static rules_result_t run(json_t *e)
{
    rules_result_t r;
    ck_assert_int_eq(rules_classify(db, e, &r), 0);
    json_decref(e);
    return r;
}

START_TEST(interview_greenhouse_calendar)
{
    rules_result_t r = run(
        mk("Northwind Traders Recruiting", "no-reply@us.greenhouse-mail.io",
           "Interview Invitation: Senior Data Engineer",
           "Hi Alex,\n\nThank you for your application for the Senior Data "
           "Engineer position. We would like to invite you to interview with "
           "our team. Please find the calendar invitation attached.\n\nBest,\n"
           "The Northwind Traders Recruiting Team",
           "Interview with Northwind Traders", "2025-03-04T14:00:00Z"));
    ck_assert_str_eq(rules_label_name(r.label), "INTERVIEW");
    ck_assert_str_eq(r.scheduled, "2025-03-04T14:00:00Z");
    ck_assert_ptr_nonnull(r.company);
    ck_assert_str_eq(r.company, "Northwind Traders");
    ck_assert_ptr_nonnull(r.role);
    ck_assert_str_eq(r.role, "Senior Data Engineer");
    ck_assert(r.confidence >= 0.8 && r.confidence <= 1.0);
    ck_assert_uint_ge(r.n_evidence, 2);
    rules_result_clear(&r);
}
END_TEST

START_TEST(interview_text_date_german)
{
    rules_result_t r = run(
        mk("Lena Vogt", "lena.vogt@brueckenbau.example",
           "Einladung zum Vorstellungsgespräch",
           "Sehr geehrter Herr Meyer,\n\nvielen Dank für Ihre Bewerbung als "
           "Projektingenieur. Wir möchten Sie gerne zu einem persönlichen "
           "Gespräch einladen: am Dienstag, 11. März 2025 um 14:30 Uhr (MEZ) "
           "in unserem Büro.\n\nMit freundlichen Grüßen\nLena Vogt\n"
           "Personalabteilung, Brückenbau Kessler GmbH",
           NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "INTERVIEW");
    ck_assert_str_eq(r.scheduled, "2025-03-11T13:30:00Z");
    rules_result_clear(&r);
}

END_TEST

START_TEST(rejection_beats_interview_words)
{
    rules_result_t r = run(
        mk("Acme Careers", "careers@acme.example", "Your application at Acme",
           "Dear Alex,\n\nThank you for taking the time to interview with us. "
           "After careful consideration, we have decided not to move forward "
           "with your application. We wish you the best in your search.",
           NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "REJECTION");
    ck_assert_str_eq(r.scheduled, "");
    rules_result_clear(&r);
}
END_TEST

START_TEST(ack_mentioning_interview)
{
    rules_result_t r = run(
        mk("Globex Talent Acquisition", "no-reply@globex.example",
           "Thank you for applying to Globex",
           "We have received your application for the Backend Developer role. "
           "If your qualifications match our needs, a recruiter will contact "
           "you to schedule an interview.",
           NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "APPLICATION_ACK");
    ck_assert_ptr_nonnull(r.company);
    ck_assert_str_eq(r.company, "Globex");
    rules_result_clear(&r);
}
END_TEST

START_TEST(job_alert_is_other)
{
    json_t *e = mk("LinkedIn Job Alerts", "jobalerts-noreply@linkedin.com",
                   "Interview-ready jobs: Data Engineer at Initech",
                   "Jobs you may be interested in. Data Engineer - Initech. "
                   "Apply now. Unsubscribe.",
                   NULL, NULL);
    json_object_set_new(json_object_get(e, "headers"), "list_unsubscribe",
                        json_string("<https://example.com/u>"));
    rules_result_t r = run(e);
    ck_assert_str_eq(rules_label_name(r.label), "OTHER");
    ck_assert(r.bulk >= 4);
    ck_assert_ptr_null(r.company);
    rules_result_clear(&r);
}
END_TEST

START_TEST(vendor_offer_is_other)
{
    rules_result_t r = run(
        mk("Sunny Travel", "deals@sunnytravel.example",
           "Exclusive offer: 30% off your next trip",
           "Limited time offer! Book now and get 30% off. Offer ends Sunday. "
           "Unsubscribe from these emails.",
           NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "OTHER");
    rules_result_clear(&r);
}
END_TEST

START_TEST(non_hiring_meeting_is_other)
{
    rules_result_t r = run(mk("Dana Park", "dana@bookclub.example",
                              "Invitation: Book club @ Thu Mar 6, 7pm",
                              "You have been invited to the following event.",
                              "Book club", "2025-03-06T19:00:00Z"));
    ck_assert_str_eq(rules_label_name(r.label), "OTHER");
    rules_result_clear(&r);
}
END_TEST

START_TEST(assessment_hackerrank)
{
    rules_result_t r = run(mk(
        "HackerRank", "support@hackerrankforwork.com",
        "Initech has invited you to a coding challenge",
        "Hi Alex, Initech has invited you to take the Backend Engineer "
        "coding challenge. You have 7 days to complete the test. Time limit: "
        "90 minutes.",
        NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "ASSESSMENT");
    rules_result_clear(&r);
}
END_TEST

START_TEST(offer_letter)
{
    rules_result_t r = run(
        mk("Maya Chen", "maya.chen@brightloop.example",
           "Your offer from Brightloop",
           "Hi Alex,\n\nWe are delighted to offer you the position of Product "
           "Designer at Brightloop. Your offer letter is attached; it includes "
           "your base salary and start date.",
           NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "OFFER");
    ck_assert_ptr_nonnull(r.company);
    ck_assert_str_eq(r.company, "Brightloop");
    rules_result_clear(&r);
}
END_TEST

START_TEST(outreach)
{
    rules_result_t r = run(mk(
        "Sam Ortiz", "sam@talentbridge.example", "Staff engineer opportunity",
        "Hi Alex, I came across your profile and was impressed by your "
        "background in distributed systems. Would you be open to a quick "
        "chat about a role at a fintech client of mine?",
        NULL, NULL));
    ck_assert_str_eq(rules_label_name(r.label), "RECRUITER_OUTREACH");
    rules_result_clear(&r);
}
END_TEST

START_TEST(find_date_forms)
{
    char out[32];
    long long ref = 1740819600; /* 2025-03-01T09:00:00Z */
    ck_assert(rules_find_date(db, "on Tuesday, March 4, 2025 at 2:30 PM EST",
                              ref, INT_MIN, out, sizeof out));
    ck_assert_str_eq(out, "2025-03-04T19:30:00Z");
    ck_assert(rules_find_date(db, "March 4th at 10am PT", ref, INT_MIN, out,
                              sizeof out));
    ck_assert_str_eq(out, "2025-03-04T18:00:00Z");
    ck_assert(rules_find_date(db, "le 5 mars 2025 à 14h30", ref, 60, out,
                              sizeof out));
    ck_assert_str_eq(out, "2025-03-05T13:30:00Z");
    ck_assert(rules_find_date(db, "el 6 de marzo de 2025 a las 10:00 CET", ref,
                              INT_MIN, out, sizeof out));
    ck_assert_str_eq(out, "2025-03-06T09:00:00Z");
    ck_assert(rules_find_date(db, "Start: 2025-03-07T16:00:00Z", ref, INT_MIN,
                              out, sizeof out));
    ck_assert_str_eq(out, "2025-03-07T16:00:00Z");
    ck_assert(rules_find_date(db, "at 3 p.m. (UTC+2) on 8 March 2025", ref,
                              INT_MIN, out, sizeof out));
    ck_assert_str_eq(out, "2025-03-08T13:00:00Z");
    /* a time without zone and no known sender zone: not used */
    ck_assert(!rules_find_date(db, "March 4 at 10:00", ref, INT_MIN, out,
                               sizeof out));
    /* French "et" is not Eastern Time */
    ck_assert(rules_find_date(db, "le 5 mars 2025 à 14h00 et", ref, 60, out,
                              sizeof out));
    ck_assert_str_eq(out, "2025-03-05T13:00:00Z");
    /* no time: nothing */
    ck_assert(!rules_find_date(db, "applied on March 4, 2025", ref, 0, out,
                               sizeof out));
}
END_TEST

START_TEST(event_json_shape)
{
    json_t *e =
        mk("Acme Recruiting", "no-reply@acme.example", "Interview confirmation",
           "Your interview is confirmed.", NULL, NULL);
    rules_result_t r;
    ck_assert_int_eq(rules_classify(db, e, &r), 0);
    json_t *ev = rules_event_json(&r, e, "rules-v1");
    ck_assert_ptr_nonnull(ev);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "schema")),
                     "careerops.event.v1");
    ck_assert_str_eq(json_string_value(json_object_get(ev, "event_type")),
                     "INTERVIEW");
    ck_assert(json_is_null(json_object_get(ev, "scheduled_date")));
    ck_assert(json_is_array(json_object_get(ev, "evidence")));
    json_t *cl = json_object_get(ev, "classifier");
    ck_assert_str_eq(json_string_value(json_object_get(cl, "name")),
                     "rules-classifier");
    json_t *em = json_object_get(ev, "email");
    ck_assert_str_eq(json_string_value(json_object_get(em, "from")),
                     "no-reply@acme.example");
    ck_assert_str_eq(json_string_value(json_object_get(em, "key")),
                     "0123456789abcdef");
    ck_assert_uint_eq(json_array_size(json_object_get(em, "calendar")), 0);
    json_decref(ev);
    json_decref(e);
    rules_result_clear(&r);
}
END_TEST

/* The email's calendar parts go into the event's `email`, compact (uid,
 * method, status, sequence, start, end only), for the notifier to tell an
 * Outlook cancel (REQUEST, STATUS:CANCELLED, a higher SEQUENCE) from the
 * invitation whose UID it shares. */
START_TEST(event_json_calendar)
{
    json_t *e =
        mk("Grisedale Bank Recruitment", "recruitment@grisedalebank.example",
           "Interview: Graduate Analyst - Grisedale Bank",
           "We would like to invite you to an interview.",
           "Interview: Graduate Analyst", "2026-12-15T15:00:00Z");
    json_t *c = json_array_get(json_object_get(e, "calendar"), 0);
    json_object_set_new(c, "status", json_string("CANCELLED"));
    json_object_set_new(c, "sequence", json_integer(3));
    json_object_set_new(c, "end", json_null());
    json_object_set_new(c, "attendees", json_pack("[{s:s}]", "address", "x@y"));
    /* a second part with bad types: null, not copied as is */
    json_array_append_new(
        json_object_get(e, "calendar"),
        json_pack("{s:i, s:s, s:s}", "uid", 7, "sequence", "3", "method", ""));
    rules_result_t r;
    ck_assert_int_eq(rules_classify(db, e, &r), 0);
    json_t *ev = rules_event_json(&r, e, "rules-v1");
    json_t *got = json_object_get(json_object_get(ev, "email"), "calendar");
    json_t *want = json_pack(
        "[{s:s, s:s, s:s, s:i, s:s, s:n}, {s:n, s:n, s:n, s:n, s:n, s:n}]",
        "uid", "u1", "method", "REQUEST", "status", "CANCELLED", "sequence", 3,
        "start", "2026-12-15T15:00:00Z", "end", "uid", "method", "status",
        "sequence", "start", "end");
    char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
    ck_assert_msg(json_equal(got, want), "%s", g);
    free(g);
    /* rules_event_email_json() is the same object (ollama-classifier's) */
    json_t *em = rules_event_email_json(e);
    ck_assert(json_equal(em, json_object_get(ev, "email")));
    json_decref(em);
    json_decref(want);
    json_decref(ev);
    json_decref(e);
    rules_result_clear(&r);
}
END_TEST

START_TEST(loader_errors)
{
    char path[] = "/tmp/rules-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("label\tweight\tfield\tlang\tphrase\nHIRED\t3\tany\ten\tx y\n", f);
    fclose(f);
    rules_db_t *d = rules_db_new();
    char err[512] = "";
    ck_assert_int_eq(rules_db_load_file(d, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, ":2: unknown label") != NULL, "%s", err);
    f = fopen(path, "w");
    fputs("colour\tshape\nred\tround\n", f);
    fclose(f);
    ck_assert_int_eq(rules_db_load_file(d, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "unknown header row") != NULL, "%s", err);
    ck_assert_int_eq(
        rules_db_load_dir(d, "/nonexistent-rules", err, sizeof err), -1);
    ck_assert_int_eq(rules_db_finish(d, err, sizeof err), -1);
    rules_db_free(d);
    unlink(path);
}
END_TEST

START_TEST(not_an_object)
{
    json_t *a = json_array();
    rules_result_t r;
    ck_assert_int_eq(rules_classify(db, a, &r), -1);
    json_decref(a);
}
END_TEST

START_TEST(quoted_context)
{
    /* a one-line reply above the recruiter's quoted message: the hiring
     * words are in the quote only */
    json_t *e = mk("Sam Reyes", "sam@inbox.example", "Re: quick call?",
                   "Yes please, 11 tomorrow works!\n\n> Our hiring manager "
                   "has an opening tomorrow for a 30-minute intro about "
                   "the role.\n",
                   NULL, NULL);
    rules_result_t r = run(json_incref(e));
    ck_assert_double_lt(r.context, 0.5); /* the rules skip quoted lines */
    rules_result_clear(&r);
    ck_assert_double_eq_tol(rules_quoted_context(db, e), 1.0, 1e-9);
    json_decref(e);
    /* one word in the quote; none without a quote */
    e = mk("Sam Reyes", "sam@inbox.example", "Re: call",
           "Tuesday works.\n> Happy to set up the phone screen.\n", NULL, NULL);
    ck_assert_double_eq_tol(rules_quoted_context(db, e), 0.5, 1e-9);
    json_decref(e);
    e = mk("Sam Reyes", "sam@inbox.example", "call",
           "Tuesday works for the hiring manager and the recruiter.", NULL,
           NULL);
    ck_assert_double_eq_tol(rules_quoted_context(db, e), 0.0, 1e-9);
    json_decref(e);
}
END_TEST

/* An offer's or assessment's deadline written as a day without a time
 * ("by March 14", "by Friday", "by 7 March", "within 7 days") is read as
 * due_day and goes
 * into the event as due_date; a day with a time stays scheduled_date, and
 * neither "by the way, March 14 ..." nor a start date ("start by April 1")
 * is a deadline. The messages are dated Saturday 1 March 2025, 10:00
 * +0100. */
static const char *due_of(const char *subject, const char *text,
                          rules_label_t want, char *sched)
{
    static char out[16];
    rules_result_t r = run(
        mk("Dana Reyes", "dana@quarrylabs.example", subject, text, NULL, NULL));
    ck_assert_msg(r.label == want, "%s: %s", subject,
                  rules_label_name(r.label));
    snprintf(out, sizeof out, "%s", r.due_day);
    snprintf(sched, 32, "%s", r.scheduled);
    rules_result_clear(&r);
    return out;
}

START_TEST(due_day_without_time)
{
    char sched[32];
    const char *take_home =
        "Hi Sam,\n\nThank you for applying to the Backend Engineer role at "
        "Quarry Labs. The next step is a take-home coding assessment on "
        "HackerRank. %s\n\nBest,\nDana";
    const char *offer =
        "Hi Sam,\n\nWe are delighted to offer you the position of Backend "
        "Engineer at Quarry Labs, with a base salary of $150,000. %s\n\n"
        "Best,\nDana";
    static const struct {
        int is_offer;
        const char *sentence, *due, *scheduled;
    } cases[] = {
        {0, "Please complete the assessment by March 14.", "2025-03-14", ""},
        {0, "Please complete the assessment by Friday.", "2025-03-07", ""},
        {0, "Please complete the assessment by next Friday.", "", ""},
        {0, "Please complete the assessment within 7 days.", "2025-03-08", ""},
        {0, "Please complete the assessment within 5 business days.", "", ""},
        {0, "Please complete the assessment by March 14 at 5pm CET.", "",
         "2025-03-14T16:00:00Z"},
        {0, "By the way, March 14 is a holiday here.", "", ""},
        /* 3/10 reads both ways: day first from a European sender (+0100,
         * mk()'s); month first from a North American one, below */
        {0, "Please complete the assessment by 3/10.", "2025-10-03", ""},
        {0, "Please complete the assessment no later than Monday, March 10.",
         "2025-03-10", ""},
        {1, "Please let us know your decision by 7 March.", "2025-03-07", ""},
        {1, "We would love you to start by April 1.", "", ""},
        /* an extension (trial 22) */
        {1, "We have extended the deadline for your offer to Friday, March 14.",
         "2025-03-14", ""},
    };
    char text[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, cases[i].is_offer ? offer : take_home,
                 cases[i].sentence);
        const char *due = due_of(
            cases[i].is_offer ? "Your offer from Quarry Labs"
                              : "Your coding assessment",
            text, cases[i].is_offer ? RULES_OFFER : RULES_ASSESSMENT, sched);
        ck_assert_msg(strcmp(due, cases[i].due) == 0, "%s: \"%s\"",
                      cases[i].sentence, due);
        ck_assert_msg(strcmp(sched, cases[i].scheduled) == 0, "%s: \"%s\"",
                      cases[i].sentence, sched);
    }
    snprintf(text, sizeof text, take_home,
             "Please complete the assessment by 3/10.");
    json_t *us = mk("Dana Reyes", "dana@quarrylabs.example",
                    "Your coding assessment", text, NULL, NULL);
    json_object_set_new(us, "date_raw",
                        json_string("Sat, 1 Mar 2025 04:00:00 -0500"));
    rules_result_t ur = run(us);
    ck_assert_str_eq(ur.due_day, "2025-03-10");
    rules_result_clear(&ur);

    /* no Date header (trial 70): a day written with its year is read,
     * one without a year, a weekday or "within 7 days" is not */
    static const struct {
        const char *sentence, *due;
    } nodate[] = {
        {"Please let us know your decision by December 20, 2026.",
         "2026-12-20"},
        {"Please let us know your decision by 7 March.", ""},
        {"Please let us know your decision by Friday.", ""},
        {"Please let us know your decision within 7 days.", ""},
    };
    for (size_t i = 0; i < sizeof nodate / sizeof nodate[0]; i++) {
        snprintf(text, sizeof text, offer, nodate[i].sentence);
        json_t *nd = mk("Dana Reyes", "dana@quarrylabs.example",
                        "Your offer from Quarry Labs", text, NULL, NULL);
        json_object_del(nd, "date");
        json_object_del(nd, "date_raw");
        rules_result_t nr = run(nd);
        ck_assert_msg(strcmp(nr.due_day, nodate[i].due) == 0,
                      "no Date header, %s: \"%s\"", nodate[i].sentence,
                      nr.due_day);
        rules_result_clear(&nr);
    }

    /* the event carries it */
    snprintf(text, sizeof text, take_home,
             "Please complete the assessment by March 14.");
    json_t *e = mk("Dana Reyes", "dana@quarrylabs.example",
                   "Your coding assessment", text, NULL, NULL);
    rules_result_t r;
    ck_assert_int_eq(rules_classify(db, e, &r), 0);
    json_t *ev = rules_event_json(&r, e, "rules-v1");
    ck_assert_str_eq(json_string_value(json_object_get(ev, "due_date")),
                     "2025-03-14");
    ck_assert(json_is_null(json_object_get(ev, "scheduled_date")));
    json_decref(ev);
    rules_result_clear(&r);
    json_decref(e);
}
END_TEST

/* A date past year 9999 is no RFC 3339 date (trial 70: a Date header of
 * 31 Dec 9999 +1400 made "Thursday at 10:00" 10000-01-05T20:00:00Z). */
START_TEST(no_date_past_year_9999)
{
    json_t *e = mk("Dana Reyes", "dana@quarrylabs.example",
                   "Interview invitation: Backend Engineer",
                   "Hi Sam,\n\nWe would like to invite you to an interview "
                   "for the Backend Engineer role at Quarry Labs on Thursday "
                   "at 10:00.\n\nBest,\nDana",
                   NULL, NULL);
    json_object_set_new(e, "date", json_string("9999-12-31T09:59:59Z"));
    json_object_set_new(e, "date_raw",
                        json_string("Thu, 31 Dec 9999 23:59:59 +1400"));
    rules_result_t r = run(e);
    ck_assert_msg(r.scheduled[0] == '\0' || strlen(r.scheduled) == 20, "\"%s\"",
                  r.scheduled);
    ck_assert_msg(strncmp(r.scheduled, "10000", 5) != 0, "%s", r.scheduled);
    rules_result_clear(&r);
}
END_TEST

/* An interview whose message says it was moved, or whose invitation is a
 * revision (SEQUENCE 1 or more), is marked rescheduled (the notifier then
 * says "new time"); an invitation that only offers a new slot if needed
 * is not. */
START_TEST(rescheduled_interview)
{
    static const struct {
        const char *subject, *text;
        int moved;
    } cases[] = {
        {"Interview rescheduled - Backend Engineer",
         "Hi Sam,\n\nWe need to move your video interview for the Backend "
         "Engineer position at Quillfeather. Your interview has been "
         "rescheduled.\nNew time: Friday, March 7, 2025 at 1:00 PM PT\n\n"
         "Best,\nJo\nRecruiter, Quillfeather",
         1},
        {"Interview - Backend Engineer",
         "Hi Sam,\n\nWe would like to invite you to an interview for the "
         "Backend Engineer role at Quillfeather on Friday, March 7, 2025 at "
         "1:00 PM PT. If you need to reschedule, reply and we will find a "
         "new slot.\n\nBest,\nJo",
         0},
        /* the sentence wrapped over a line (trial 22) */
        {"Video interview - Backend Engineer",
         "Hi Sam,\n\nThank you for scheduling a video interview for the "
         "Backend Engineer position at Quillfeather. So sorry - our "
         "interviewer is sick, so we have moved your\nvideo interview to "
         "Friday, March 7, 2025 at 1:00 PM PT.\n\nJo",
         1},
        /* "need to reschedule ... to" a day (trial 78) */
        {"Re: Interview invitation: Backend Engineer at Quillfeather",
         "Hi Sam,\n\nApologies, our hiring manager is travelling, so we "
         "need to reschedule your interview to Friday, March 7, 2025 at "
         "1:00 PM PT.\n\nJo",
         1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *e = mk("Jo Park", "jo@quillfeather.example", cases[i].subject,
                       cases[i].text, NULL, NULL);
        rules_result_t r;
        ck_assert_int_eq(rules_classify(db, e, &r), 0);
        ck_assert_int_eq(r.label, RULES_INTERVIEW);
        ck_assert_str_eq(r.scheduled, "2025-03-07T21:00:00Z");
        ck_assert_int_eq(r.rescheduled, cases[i].moved);
        json_t *ev = rules_event_json(&r, e, "rules-v1");
        ck_assert_int_eq(json_is_true(json_object_get(ev, "rescheduled")),
                         cases[i].moved);
        json_decref(ev);
        json_decref(e);
        rules_result_clear(&r);
    }
    /* an updated invitation: a calendar REQUEST with SEQUENCE 1 */
    json_t *e =
        mk("Quillfeather Recruiting", "recruiting@quillfeather.example",
           "Updated invitation: Interview - Backend Engineer",
           "Hi Sam, the interview for the Backend Engineer role is updated.",
           "Interview - Backend Engineer", "2025-03-07T21:00:00Z");
    json_t *cal = json_array_get(json_object_get(e, "calendar"), 0);
    json_object_set_new(cal, "sequence", json_integer(0));
    rules_result_t r;
    ck_assert_int_eq(rules_classify(db, e, &r), 0);
    ck_assert_int_eq(r.label, RULES_INTERVIEW);
    ck_assert_int_eq(r.rescheduled, 0);
    rules_result_clear(&r);
    json_object_set_new(cal, "sequence", json_integer(1));
    ck_assert_int_eq(rules_classify(db, e, &r), 0);
    ck_assert_int_eq(r.rescheduled, 1);
    rules_result_clear(&r);
    json_decref(e);
}
END_TEST

/* An offer's date: a call about the offer (offer_call, the event's
 * "offer_call": true) or its deadline, also when the hour stands before
 * the day ("by 5:00 PM CET on Friday, March 7") or an earlier cue names
 * another day ("start before April 1"). */
START_TEST(offer_call_or_deadline)
{
    static const struct {
        const char *text;
        int call;
    } cases[] = {
        {"Hi Sam,\n\nWe are delighted to offer you the Backend Engineer "
         "position at Quillfeather. Could we set up a call on Friday, March "
         "7, 2025 at 3:00 PM CET to walk you through the offer?\n\nJo",
         1},
        {"Hi Sam,\n\nWe are delighted to offer you the Backend Engineer "
         "position at Quillfeather. Please reply by Friday, March 7, 2025 at "
         "3:00 PM CET. Happy to jump on a call if you have questions.\n\nJo",
         0},
        {"Hi Sam,\n\nWe are delighted to offer you the Backend Engineer "
         "position at Quillfeather, ideally to start before April 1. We need "
         "your decision by 3:00 PM CET on Friday, March 7, 2025. Call me "
         "with any questions.\n\nJo",
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *e =
            mk("Jo Park", "jo@quillfeather.example",
               "Your offer - Backend Engineer", cases[i].text, NULL, NULL);
        rules_result_t r;
        ck_assert_int_eq(rules_classify(db, e, &r), 0);
        ck_assert_int_eq(r.label, RULES_OFFER);
        ck_assert_str_eq(r.scheduled, "2025-03-07T14:00:00Z");
        ck_assert_msg(r.offer_call == cases[i].call, "case %zu: %d", i,
                      r.offer_call);
        json_t *ev = rules_event_json(&r, e, "rules-v1");
        ck_assert_int_eq(json_is_true(json_object_get(ev, "offer_call")),
                         cases[i].call);
        json_decref(ev);
        json_decref(e);
        rules_result_clear(&r);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rules_engine");
    TCase *tc = tcase_create("engine");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, interview_greenhouse_calendar);
    tcase_add_test(tc, offer_call_or_deadline);
    tcase_add_test(tc, interview_text_date_german);
    tcase_add_test(tc, rejection_beats_interview_words);
    tcase_add_test(tc, ack_mentioning_interview);
    tcase_add_test(tc, job_alert_is_other);
    tcase_add_test(tc, vendor_offer_is_other);
    tcase_add_test(tc, non_hiring_meeting_is_other);
    tcase_add_test(tc, assessment_hackerrank);
    tcase_add_test(tc, offer_letter);
    tcase_add_test(tc, outreach);
    tcase_add_test(tc, find_date_forms);
    tcase_add_test(tc, event_json_shape);
    tcase_add_test(tc, event_json_calendar);
    tcase_add_test(tc, loader_errors);
    tcase_add_test(tc, quoted_context);
    tcase_add_test(tc, not_an_object);
    tcase_add_test(tc, due_day_without_time);
    tcase_add_test(tc, no_date_past_year_9999);
    tcase_add_test(tc, rescheduled_interview);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
