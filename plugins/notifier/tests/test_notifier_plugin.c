/*
 * The notifier module as the host sees it: dlopen() from the build tree,
 * configured from its option table, driven through the fake host. Skipped
 * event types emit nothing; wanted ones emit one notification keyed by the
 * email key; bad records are dead-lettered with a reason; with
 * briefing_wait_ms an event is joined with a briefing that arrives before
 * or after it, or notified without one after the wait (simulated clock),
 * also across a restart (parked events live in the state store).
 */
#include "co_fake_host.h"
#include "co_test.h"

#include <careerops/plugin.h>
#include <dlfcn.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void *handle;
static const co_plugin_t *plugin;
static co_fake_host_t *host;

static void setup(void)
{
    host = co_fake_host_new();
    ck_assert_ptr_nonnull(host);
    /* RTLD_NODELETE: libical (loaded with the module) keeps its built-in
     * zone cache in globals for the life of the process, as in the host;
     * unloading it at dlclose() would make that cache look leaked. */
    char err[512];
    plugin = co_fake_host_dlopen(host, NOTIFIER_MODULE, RTLD_NODELETE, &handle,
                                 err, sizeof err);
    ck_assert_msg(plugin != NULL, "%s", err);
}

static void teardown(void)
{
    dlclose(handle);
    co_fake_host_free(host);
}

static const char *const briefing_types[] = {"INTERVIEW", "OFFER", NULL};

/* Config filled like the host does: defaults, then the given values. */
static void *config(const char *tz, const char *url, int64_t wait)
{
    char *cfg = calloc(1, plugin->config_size);
    for (const co_option_t *o = plugin->options; o->type != CO_OPT_END; o++) {
        ck_assert_msg(o->description && *o->description, "%s", o->name);
        if (strcmp(o->name, "timezone") == 0)
            *(const char **)(cfg + o->offset) = tz ? tz : o->def;
        else if (strcmp(o->name, "briefing_url_template") == 0)
            *(const char **)(cfg + o->offset) = url;
        else if (strcmp(o->name, "briefing_wait_ms") == 0)
            *(int64_t *)(cfg + o->offset) = wait;
        else if (strcmp(o->name, "briefing_types") == 0)
            *(const char *const **)(cfg + o->offset) = briefing_types;
    }
    return cfg;
}

static co_status_t process(void *inst, const char *key, const char *value,
                           const char *topic)
{
    co_record_t rec = CO_RECORD_INIT;
    rec.key = key;
    rec.key_len = key ? strlen(key) : 0;
    rec.value = value;
    rec.value_len = strlen(value);
    rec.topic = topic;
    return co_fake_host_process(host, plugin, inst, &rec, 3, NULL);
}

static char *ev(const char *type, const char *key, const char *company)
{
    json_t *e = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "schema",
        "careerops.event.v1", "event_type", type, "company", company, "role",
        "Data Engineer", "scheduled_date", "2025-05-06T13:00:00Z", "email",
        "key", key, "subject", "Next steps", "from", "hr@example.org");
    char *s = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return s;
}

static char *brief(const char *key, const char *summary)
{
    json_t *b = json_pack("{s:s, s:s, s:{s:s}, s:s, s:[]}", "schema",
                          "careerops.briefing.v1", "key", "b-x", "event", "key",
                          key, "summary", summary, "sources");
    char *s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

static json_t *emitted(size_t i)
{
    ck_assert_uint_gt(host->emit_cnt, i);
    json_t *j = json_loads(host->emits[i].value, 0, NULL);
    ck_assert_ptr_nonnull(j);
    return j;
}

START_TEST(descriptor)
{
    ck_assert_str_eq(plugin->name, "notifier");
    ck_assert_uint_eq(plugin->kinds, CO_KIND_PROCESSOR);
}
END_TEST

START_TEST(types_and_fields)
{
    void *cfg = config("Europe/Paris", "https://d.example/{key}", 0);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    const char *types[] = {"INTERVIEW", "OFFER",           "ASSESSMENT",
                           "REJECTION", "APPLICATION_ACK", "RECRUITER_OUTREACH",
                           "OTHER"};
    for (int i = 0; i < 7; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        /* (a rejection of Fjordline would cancel its interview ahead) */
        char *v = ev(types[i], key, i < 3 ? "Fjordline AS" : "Other AS");
        ck_assert_int_eq(process(inst, key, v, "classified_events"), CO_OK);
        free(v);
    }
    ck_assert_uint_eq(host->emit_cnt, 3);
    ck_assert_str_eq(host->emits[0].key, "k0");
    json_t *n = emitted(0);
    ck_assert_str_eq(json_string_value(json_object_get(n, "date_local")),
                     "2025-05-06T15:00:00+02:00");
    ck_assert_str_eq(json_string_value(json_object_get(n, "briefing_url")),
                     "https://d.example/k0");
    json_decref(n);
    n = emitted(2);
    ck_assert_str_eq(json_string_value(json_object_get(n, "event_type")),
                     "ASSESSMENT");
    json_decref(n);
    ck_assert_uint_eq(host->dead_cnt, 0);
    /* not JSON, no event_type: dead-lettered with a reason */
    ck_assert_int_eq(process(inst, "bad", "not json", "classified_events"),
                     CO_FAIL);
    ck_assert_int_eq(
        process(inst, "bad2", "{\"company\":\"x\"}", "classified_events"),
        CO_FAIL);
    ck_assert_uint_eq(host->dead_cnt, 2);
    ck_assert(strstr(host->dead[0].message, "not a JSON object") != NULL);
    ck_assert(strstr(host->dead[1].message, "event_type") != NULL);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

/* An event at the time of an interview already announced (the user's
 * reply "Thanks, that works for me" above the invitation) says nothing; a
 * new time, another company, or the same event again do. */
START_TEST(interview_told_once)
{
    void *cfg = config("UTC", NULL, 0);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    char *inv = ev("INTERVIEW", "inv", "Harborline");
    char *reply = ev("INTERVIEW", "reply", "Harborline");
    char *other = ev("INTERVIEW", "other", "Bluefin Logistics");
    json_t *m = json_loads(reply, 0, NULL);
    json_object_set_new(m, "scheduled_date",
                        json_string("2025-05-07T13:00:00Z"));
    json_object_set_new(json_object_get(m, "email"), "key",
                        json_string("moved"));
    char *moved = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    ck_assert_int_eq(process(inst, "inv", inv, "classified_events"), CO_OK);
    ck_assert_int_eq(process(inst, "reply", reply, "classified_events"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 1);
    /* the reply again, where the classifier found no company */
    json_t *r = json_loads(reply, 0, NULL);
    json_object_del(r, "company");
    json_object_set_new(json_object_get(r, "email"), "key",
                        json_string("reply2"));
    char *anon = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    ck_assert_int_eq(process(inst, "reply2", anon, "classified_events"), CO_OK);
    free(anon);
    ck_assert_uint_eq(host->emit_cnt, 1);
    ck_assert_int_eq(process(inst, "other", other, "classified_events"), CO_OK);
    ck_assert_int_eq(process(inst, "moved", moved, "classified_events"), CO_OK);
    ck_assert_int_eq(process(inst, "inv", inv, "classified_events"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 4);
    ck_assert_str_eq(host->emits[0].key, "inv");
    ck_assert_str_eq(host->emits[1].key, "other");
    ck_assert_str_eq(host->emits[2].key, "moved");
    ck_assert_str_eq(host->emits[3].key, "inv");
    free(inv);
    free(reply);
    free(other);
    free(moved);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

/* An event with its type, key, company, subject, sent date and date
 * (NULL: absent). */
static char *mail_ev(const char *type, const char *key, const char *company,
                     const char *role, const char *subject, const char *sent,
                     const char *date)
{
    json_t *e =
        json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:{s:s, s:s, s:s?}}", "schema",
                  "careerops.event.v1", "event_type", type, "company", company,
                  "role", role, "scheduled_date", date, "email", "key", key,
                  "subject", subject, "date", sent);
    char *v = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return v;
}

/* Set field `name` of the event in *ev (a JSON string, replaced) to v
 * (a new reference, taken). */
static void set_field(char **ev, const char *name, json_t *v)
{
    json_t *e = json_loads(*ev, 0, NULL);
    json_object_set_new(e, name, v);
    free(*ev);
    *ev = json_dumps(e, JSON_COMPACT);
    json_decref(e);
}

/* Run `n` events in the given order on a fresh instance; the titles of the
 * notifications in emit order, "|"-separated, into out. */
static void run_order(char **evs, const int *order, int n, char *out,
                      size_t size)
{
    co_fake_host_free(host); /* a fresh state store; the module's host
                                 API pointer is the new host's */
    host = co_fake_host_new();
    const co_plugin_t *(*entry)(const co_host_api_t *) =
        (const co_plugin_t *(*)(const co_host_api_t *))dlsym(handle,
                                                             "co_plugin_entry");
    ck_assert_ptr_nonnull(entry);
    plugin = entry(&host->api);
    void *cfg = config("America/Denver", NULL, 0);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    for (int i = 0; i < n; i++) {
        json_t *e = json_loads(evs[order[i]], 0, NULL);
        const char *k = json_string_value(
            json_object_get(json_object_get(e, "email"), "key"));
        ck_assert_int_eq(process(inst, k, evs[order[i]], "classified_events"),
                         CO_OK);
        json_decref(e);
    }
    out[0] = '\0';
    for (size_t i = 0; i < host->emit_cnt; i++) {
        json_t *j = emitted(i);
        size_t l = strlen(out);
        snprintf(out + l, size - l, "%s%s", i ? "|" : "",
                 json_string_value(json_object_get(j, "title")));
        json_decref(j);
    }
    plugin->destroy(inst);
    free(cfg);
}

/* The i-th notification, checked to be the cancel notice `key` for a
 * calendar cancellation; a new reference. */
static json_t *calendar_cancel_notice(size_t i, const char *key)
{
    json_t *c = emitted(i);
    ck_assert_str_eq(json_string_value(json_object_get(c, "event_key")), key);
    ck_assert(json_is_true(json_object_get(c, "cancelled")));
    ck_assert_str_eq(json_string_value(json_object_get(c, "cancel_reason")),
                     "calendar cancellation");
    return c;
}

/* Google's invitation and its "Canceled event:" (labelled OTHER, no
 * company): invitation first, the cancel is told after it; cancel first
 * (a first run reads old mail in partition order), one notice saying
 * cancelled, no invitation. Another company's interview stays. */
START_TEST(calendar_cancel_both_orders)
{
    char *evs[] = {
        mail_ev("INTERVIEW", "inv", "Orbitly", "Platform Engineer",
                "Invitation: Interview: Sam / Orbitly - Platform Engineer @ "
                "Wed Dec 16, 2026 2pm - 3pm (MST)",
                "2026-12-01T16:00:00Z", "2026-12-16T21:00:00Z"),
        mail_ev("OTHER", "cxl", NULL, NULL,
                "Canceled event: Interview: Sam / Orbitly - Platform Engineer "
                "@ Wed Dec 16, 2026 2pm - 3pm (MST)",
                "2026-12-03T21:00:00Z", NULL),
        mail_ev("INTERVIEW", "hb", "Harborline", NULL,
                "Interview invitation: Backend Engineer at Harborline",
                "2026-12-02T14:00:00Z", "2026-12-16T21:00:00Z")};
    char got[1024];
    run_order(evs, (const int[]){0, 1, 2}, 3, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Orbitly: Platform Engineer|"
                          "Cancelled: Orbitly interview Wed 16 Dec 2026, "
                          "14:00|Interview with Harborline");
    json_t *c = calendar_cancel_notice(1, "inv:cancelled");
    ck_assert_str_eq(json_string_value(json_object_get(c, "date_local")),
                     "2026-12-16T14:00:00-07:00");
    ck_assert(strstr(json_string_value(json_object_get(c, "summary")),
                     "; it was announced before.") != NULL);
    json_decref(c);
    ck_assert_str_eq(host->emits[1].key, "inv:cancelled");
    run_order(evs, (const int[]){1, 2, 0}, 3, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Harborline|Cancelled: Orbitly "
                          "interview Wed 16 Dec 2026, 14:00");
    /* never announced: the notice does not say it was (trial 21) */
    c = calendar_cancel_notice(1, "inv:cancelled");
    ck_assert(strstr(json_string_value(json_object_get(c, "summary")),
                     "; its invitation, read after this email, is not "
                     "announced.") != NULL);
    json_decref(c);
    /* the cancel again (a replay): nothing more */
    run_order(evs, (const int[]){0, 1, 1}, 3, got, sizeof got);
    ck_assert_uint_eq(host->emit_cnt, 2);
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

/* An offer's reminder (same company and deadline, another email) is not
 * announced again; a new deadline is (trial 82: 150 copies, 150
 * notifications). */
START_TEST(offer_reminder_once)
{
    char *evs[] = {mail_ev("OFFER", "of1", "Coppervale Retail", NULL,
                           "Your offer from Coppervale Retail",
                           "2026-12-01T16:00:00Z", "2026-12-11T17:00:00Z"),
                   mail_ev("OFFER", "of2", "Coppervale Retail", NULL,
                           "Reminder: Offer letter - Coppervale Retail",
                           "2026-12-08T16:00:00Z", "2026-12-11T17:00:00Z"),
                   mail_ev("OFFER", "of3", "Coppervale Retail", NULL,
                           "Deadline extended: Coppervale Retail",
                           "2026-12-09T16:00:00Z", "2026-12-15T17:00:00Z")};
    char got[1024];
    run_order(evs, (const int[]){0, 1, 0, 2}, 4, got, sizeof got);
    ck_assert_str_eq(got, "Offer from Coppervale Retail|Offer from Coppervale "
                          "Retail|Offer from Coppervale Retail");
    ck_assert_uint_eq(host->emit_cnt, 3); /* of1, of1 again (a replay), of3 */
    json_t *last = emitted(2);
    ck_assert_str_eq(json_string_value(json_object_get(last, "event_key")),
                     "of3");
    json_decref(last);
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

/* A moved interview's notice says which time it replaces: the time
 * announced before for the company (trial 22); handled before the
 * invitation it moved, the invitation is not announced (trial 23). */
START_TEST(moved_says_old_time)
{
    char *evs[] = {mail_ev("INTERVIEW", "inv", "Quillfeather Labs", NULL,
                           "Interview invitation: Quillfeather Labs",
                           "2026-12-01T16:00:00Z", "2026-12-08T21:00:00Z"),
                   mail_ev("INTERVIEW", "mv", "Quillfeather Labs", NULL,
                           "Change to your Quillfeather Labs interview",
                           "2026-12-03T16:00:00Z", "2026-12-10T22:00:00Z")};
    set_field(&evs[1], "rescheduled", json_true());
    char got[1024];
    run_order(evs, (const int[]){0, 1}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Quillfeather Labs|Interview with "
                          "Quillfeather Labs (new time)");
    json_t *c = emitted(1);
    ck_assert_msg(strstr(json_string_value(json_object_get(c, "summary")),
                         ", moved from 2026-12-08T14:00:00-07:00 to "
                         "2026-12-10T15:00:00-07:00.") != NULL,
                  "%s", json_string_value(json_object_get(c, "summary")));
    ck_assert_str_eq(json_string_value(json_object_get(c, "moved_from_utc")),
                     "2026-12-08T21:00:00Z");
    json_decref(c);
    /* the move handled first (partition order): only "(new time)", and
     * the invitation it moved, read after it, is not announced */
    run_order(evs, (const int[]){1, 0}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Quillfeather Labs (new time)");
    c = emitted(0);
    ck_assert_ptr_null(json_object_get(c, "moved_from_utc"));
    ck_assert(strstr(json_string_value(json_object_get(c, "summary")),
                     ", moved to 2026-12-10T15:00:00-07:00.") != NULL);
    json_decref(c);
    /* a move that names no role keeps the role of the interview it moves
     * (note 34: "Interview with Quillfeather Labs (new time)" after an
     * invitation for the Backend Engineer role) */
    set_field(&evs[0], "role", json_string("Backend Engineer"));
    run_order(evs, (const int[]){0, 1}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Quillfeather Labs: Backend "
                          "Engineer|Interview with Quillfeather Labs: Backend "
                          "Engineer (new time)");
    for (int i = 0; i < 2; i++)
        free(evs[i]);
}
END_TEST

/* A move that spells the company shorter ("Orion" after "Orion Labs")
 * finds the interview it moves by its thread's subject (trial 86: only
 * "(new time)"); the same plain subject of another company does not. */
START_TEST(moved_found_by_subject)
{
    char *evs[] = {mail_ev("INTERVIEW", "inv", "Orion Labs", NULL,
                           "Interview: Data Engineer", "2026-12-01T16:00:00Z",
                           "2026-12-08T21:00:00Z"),
                   mail_ev("INTERVIEW", "mv", "Orion", NULL,
                           "Re: Interview: Data Engineer",
                           "2026-12-03T16:00:00Z", "2026-12-10T22:00:00Z"),
                   mail_ev("INTERVIEW", "mv2", "Kestrel Bank", NULL,
                           "Re: Interview: Data Engineer",
                           "2026-12-04T16:00:00Z", "2026-12-11T22:00:00Z")};
    set_field(&evs[1], "rescheduled", json_true());
    set_field(&evs[2], "rescheduled", json_true());
    char got[1024];
    run_order(evs, (const int[]){0, 1, 2}, 3, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Orion Labs|Interview with Orion "
                          "(new time)|Interview with Kestrel Bank (new time)");
    json_t *c = emitted(1);
    ck_assert_str_eq(json_string_value(json_object_get(c, "moved_from_utc")),
                     "2026-12-08T21:00:00Z");
    json_decref(c);
    c = emitted(2);
    ck_assert_ptr_null(json_object_get(c, "moved_from_utc"));
    json_decref(c);
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

/* A rejection ("we need to cancel your interview ... filled the
 * position") ends the company's interviews still ahead at its date, of its
 * role when it names one; a text cancel labelled INTERVIEW ends the one at
 * its time. Both orders. */
START_TEST(rejection_and_text_cancel)
{
    char *evs[] = {
        mail_ev("INTERVIEW", "rg1", "Ridgeline Analytics",
                "Senior Data Engineer", "Interview invitation - Ridgeline",
                "2026-12-01T17:00:00Z", "2026-12-11T17:00:00Z"),
        mail_ev("REJECTION", "rg2", "Ridgeline Analytics", NULL,
                "Update on your application - Ridgeline Analytics",
                "2026-12-03T18:00:00Z", NULL),
        /* a rejection for another role, and one older than the invitation */
        mail_ev("REJECTION", "rg3", "Ridgeline Analytics", "Data Analyst",
                "Your Data Analyst application", "2026-12-03T18:00:00Z", NULL),
        mail_ev("REJECTION", "rg0", "Ridgeline Analytics", NULL,
                "Your earlier application", "2026-11-20T18:00:00Z", NULL),
        mail_ev("INTERVIEW", "ac1", "Acme", NULL, "Interview with Acme",
                "2026-12-01T17:00:00Z", "2026-12-10T15:00:00Z"),
        mail_ev("INTERVIEW", "ac2", "Acme", NULL,
                "We need to cancel our interview", "2026-12-02T17:00:00Z",
                "2026-12-10T15:00:00Z")};
    char got[1024];
    run_order(evs, (const int[]){0, 2, 3, 1}, 4, got, sizeof got);
    ck_assert_str_eq(got,
                     "Interview with Ridgeline Analytics: Senior Data "
                     "Engineer|Cancelled: Ridgeline Analytics interview Fri "
                     "11 Dec 2026, 10:00");
    run_order(evs, (const int[]){1, 2, 3, 0}, 4, got, sizeof got);
    ck_assert_str_eq(got, "Cancelled: Ridgeline Analytics interview Fri 11 "
                          "Dec 2026, 10:00");
    run_order(evs, (const int[]){2, 3, 0}, 3, got, sizeof got);
    ck_assert_str_eq(
        got, "Interview with Ridgeline Analytics: Senior Data Engineer");
    run_order(evs, (const int[]){4, 5}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Acme|Cancelled: Acme interview Thu "
                          "10 Dec 2026, 08:00");
    run_order(evs, (const int[]){5, 4}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Cancelled: Acme interview Thu 10 Dec 2026, 08:00");
    for (int i = 0; i < 6; i++)
        free(evs[i]);
}
END_TEST

/* The user's own reply withdrawing (own_decision) ends the company's
 * interview ahead, in both orders (trial 82: announced, nothing said). */
START_TEST(own_withdrawal_cancels)
{
    char *evs[] = {mail_ev("INTERVIEW", "fh1", "Fernhill Analytics", NULL,
                           "Interview invitation - Fernhill Analytics",
                           "2026-12-01T17:00:00Z", "2026-12-14T15:00:00Z"),
                   mail_ev("OTHER", "fh2", "Fernhill Analytics", NULL,
                           "Re: Interview invitation - Fernhill Analytics",
                           "2026-12-03T18:00:00Z", NULL)};
    set_field(&evs[1], "own_decision", json_true());
    char got[1024];
    run_order(evs, (const int[]){0, 1}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Fernhill Analytics|Cancelled: "
                          "Fernhill Analytics interview Mon 14 Dec 2026, "
                          "08:00");
    json_t *c = emitted(1);
    ck_assert(strstr(json_string_value(json_object_get(c, "summary")),
                     "Cancelled (you withdrew)") != NULL);
    json_decref(c);
    run_order(evs, (const int[]){1, 0}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Cancelled: Fernhill Analytics interview Mon 14 "
                          "Dec 2026, 08:00");
    for (int i = 0; i < 2; i++)
        free(evs[i]);
}
END_TEST

/* The user's own reply above the invitation, where the classifier read
 * the time but no company: one notification, with the company, whatever
 * the order (trial 12). A forward without a company is still announced. */
START_TEST(own_reply_either_order)
{
    char *evs[] = {
        mail_ev("INTERVIEW", "hb1", "Harborline", "Backend Engineer",
                "Interview invitation: Backend Engineer at Harborline",
                "2026-12-02T14:00:00Z", "2026-12-10T16:00:00Z"),
        mail_ev("INTERVIEW", "hb2", NULL, NULL,
                "Re: Interview invitation: Backend Engineer at Harborline",
                "2026-12-02T16:00:00Z", "2026-12-10T16:00:00Z"),
        mail_ev("INTERVIEW", "fw", NULL, NULL, "Fwd: interview Friday",
                "2026-12-02T16:00:00Z", "2026-12-11T16:00:00Z")};
    char got[1024];
    run_order(evs, (const int[]){0, 1}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Harborline: Backend Engineer");
    run_order(evs, (const int[]){1, 0}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Harborline: Backend Engineer");
    ck_assert_int_eq((int)co_fake_host_metric(host, "replies_without_company"),
                     1);
    run_order(evs, (const int[]){2}, 1, got, sizeof got);
    ck_assert_str_eq(got, "Interview");
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

/* With the email's calendar parts on the event: Outlook's cancel (a
 * REQUEST with STATUS:CANCELLED) of the invitation's UID ends it, whatever
 * the subjects say; another UID's does not. Both orders. */
static char *with_cal(char *v, const char *uid, const char *method,
                      const char *status)
{
    json_t *e = json_loads(v, 0, NULL);
    free(v);
    json_object_set_new(json_object_get(e, "email"), "calendar",
                        json_pack("[{s:s, s:s, s:s}]", "uid", uid, "method",
                                  method, "status", status));
    char *out = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return out;
}

START_TEST(calendar_uid_cancel)
{
    char *evs[] = {
        with_cal(mail_ev("INTERVIEW", "i1", "Acme", NULL, "Interview",
                         "2026-12-01T16:00:00Z", "2026-12-16T21:00:00Z"),
                 "u-1@acme", "REQUEST", "CONFIRMED"),
        with_cal(mail_ev("OTHER", "c1", NULL, NULL, "Update",
                         "2026-12-03T16:00:00Z", NULL),
                 "u-1@acme", "REQUEST", "CANCELLED"),
        with_cal(mail_ev("OTHER", "c2", NULL, NULL, "Update 2",
                         "2026-12-03T16:00:00Z", NULL),
                 "u-2@acme", "CANCEL", "CANCELLED")};
    char got[512];
    run_order(evs, (const int[]){0, 2, 1}, 3, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Acme|Cancelled: Acme interview Wed "
                          "16 Dec 2026, 14:00");
    run_order(evs, (const int[]){1, 2, 0}, 3, got, sizeof got);
    ck_assert_str_eq(got, "Cancelled: Acme interview Wed 16 Dec 2026, 14:00");
    run_order(evs, (const int[]){2, 0}, 2, got, sizeof got);
    ck_assert_str_eq(got, "Interview with Acme");
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

/* with_cal() with the part's SEQUENCE and start. */
static char *with_cal_seq(char *v, const char *uid, const char *method, int seq,
                          const char *start)
{
    json_t *e = json_loads(v, 0, NULL);
    free(v);
    json_object_set_new(json_object_get(e, "email"), "calendar",
                        json_pack("[{s:s, s:s, s:i, s:s}]", "uid", uid,
                                  "method", method, "sequence", seq, "start",
                                  start));
    char *out = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return out;
}

/* Invited Thu (SEQUENCE 0), moved to Fri (1), cancelled (CANCEL, 2), read
 * in one run (trial 70: with the cancel first, Thu was announced after the
 * cancel of Fri). Read in order: the notices as they come; with the cancel
 * first, its notice only, for the version it names: the older invitation
 * it outdates is not announced, whatever its time. */
START_TEST(calendar_cancel_outdates_older_versions)
{
    const char *thu = "2026-12-17T16:00:00Z", *fri = "2026-12-18T10:00:00Z";
    char *evs[] = {with_cal_seq(mail_ev("INTERVIEW", "v0", "Vantor", NULL,
                                        "Invitation: Interview @ Thu",
                                        "2026-12-07T08:00:00Z", thu),
                                "vantor-42", "REQUEST", 0, thu),
                   with_cal_seq(mail_ev("INTERVIEW", "v1", "Vantor", NULL,
                                        "Updated invitation: Interview @ Fri",
                                        "2026-12-08T08:00:00Z", fri),
                                "vantor-42", "REQUEST", 1, fri),
                   with_cal_seq(mail_ev("INTERVIEW", "v2", "Vantor", NULL,
                                        "Canceled event: Interview @ Fri",
                                        "2026-12-09T08:00:00Z", fri),
                                "vantor-42", "CANCEL", 2, fri)};
    char got[512];
    run_order(evs, (const int[]){2, 1, 0}, 3, got, sizeof got);
    ck_assert_msg(strncmp(got, "Cancelled: Vantor interview Fri 18 Dec", 38) ==
                          0 &&
                      strchr(got, '|') == NULL,
                  "%s", got);
    run_order(evs, (const int[]){2, 0, 1}, 3, got, sizeof got);
    ck_assert_msg(strncmp(got, "Cancelled: Vantor interview Fri 18 Dec", 38) ==
                          0 &&
                      strchr(got, '|') == NULL,
                  "%s", got);
    run_order(evs, (const int[]){0, 1, 2}, 3, got, sizeof got);
    ck_assert_msg(strstr(got, "Cancelled: Vantor interview Fri 18 Dec") != NULL,
                  "%s", got);
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

/* Outlook's cancel (a new-user trial) as rules-classifier builds the events
 * (taken from a demo run, tests/demo/demo_outlook_cancel.sh): a REQUEST
 * with STATUS:CANCELLED and SEQUENCE 3, the same UID, subject and text as
 * the invitation, labelled INTERVIEW at the same time. The event's
 * `email.calendar` makes it a cancel, never a second interview; as in the
 * trial, also when the classifier read no time from it. Both orders. */
#define GRISEDALE_EV(key, date, seq, status, mid, sched)                       \
    "{\"schema\":\"careerops.event.v1\",\"event_type\":\"INTERVIEW\","         \
    "\"company\":\"Grisedale Bank\",\"role\":null,\"scheduled_date\":" sched   \
    ",\"confidence\":0.99,\"evidence\":[\"Bank. We would like to invite you "  \
    "to an interview on Tuesday, 15 December 2026\",\"subject: Interview: "    \
    "Graduate Analyst - Grisedale\",\"December 2026 at 15:00 GMT (Microsoft "  \
    "Teams).\",\"model: INTERVIEW p=0.99\"],\"classifier\":{\"name\":"         \
    "\"rules-classifier\",\"model\":\"rules-v1\"},\"email\":{\"key\":\"" key   \
    "\",\"subject\":\"Interview: Graduate Analyst - Grisedale Bank\","         \
    "\"from\":\"recruitment@grisedalebank.example\",\"from_name\":"            \
    "\"Grisedale Bank Recruitment\",\"message_id\":\"<" mid                    \
    "\",\"date\":\"" date                                                      \
    "\",\"calendar\":[{\"uid\":\"040000008200E00074C5B7101A82E0080000"         \
    "0000A1B2C3D4E5F6@grisedalebank.example\",\"method\":\"REQUEST\","         \
    "\"status\":\"" status "\",\"start\":\"2026-12-15T15:00:00Z\",\"end\":"    \
    "\"2026-12-15T16:00:00Z\",\"sequence\":" seq "}]}}"

START_TEST(outlook_cancel_as_classified)
{
    char *evs[] = {
        strdup(GRISEDALE_EV("e61a71ac", "2026-12-01T10:00:00Z", "0",
                            "CONFIRMED", "inv-1@grisedalebank.example>",
                            "\"2026-12-15T15:00:00Z\"")),
        strdup(GRISEDALE_EV("22b306e8", "2026-12-03T09:30:00Z", "3",
                            "CANCELLED", "upd-4@grisedalebank.example>",
                            "\"2026-12-15T15:00:00Z\"")),
        strdup(GRISEDALE_EV("7c0d2a51", "2026-12-03T09:30:00Z", "3",
                            "CANCELLED", "upd-5@grisedalebank.example>",
                            "null"))};
    char got[512];
    for (int c = 1; c <= 2; c++) {
        run_order(evs, (const int[]){0, c}, 2, got, sizeof got);
        ck_assert_str_eq(got, "Interview with Grisedale Bank|Cancelled: "
                              "Grisedale Bank interview Tue 15 Dec 2026, "
                              "08:00");
        json_decref(calendar_cancel_notice(1, "e61a71ac:cancelled"));
        ck_assert_int_eq((int)co_fake_host_metric(host, "cancellations"), 1);
        run_order(evs, (const int[]){c, 0}, 2, got, sizeof got);
        ck_assert_str_eq(got, "Cancelled: Grisedale Bank interview Tue 15 "
                              "Dec 2026, 08:00");
    }
    for (int i = 0; i < 3; i++)
        free(evs[i]);
}
END_TEST

START_TEST(bad_timezone_refused)
{
    void *cfg = config("Atlantis/Lost", NULL, 0);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst),
        CO_FATAL);
    ck_assert(strstr(host->error_msg, "Atlantis/Lost") != NULL);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

START_TEST(briefing_before_and_after)
{
    void *cfg = config(NULL, NULL, 60000);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    ck_assert_int_eq(plugin->start(inst), CO_OK);
    /* briefing first, then the event: joined at once */
    char *b = brief("a1", "Alpha summary");
    char *e = ev("INTERVIEW", "a1", "Alpha");
    ck_assert_int_eq(process(inst, "b-x", b, "research_tasks"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 0);
    ck_assert_int_eq(process(inst, "a1", e, "classified_events"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 1);
    json_t *n = emitted(0);
    ck_assert_str_eq(json_string_value(json_object_get(n, "summary")),
                     "Alpha summary");
    json_decref(n);
    free(b);
    free(e);
    /* event first: parked, emitted when its briefing arrives */
    e = ev("OFFER", "a2", "Beta");
    b = brief("a2", "Beta summary");
    ck_assert_int_eq(process(inst, "a2", e, "classified_events"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 1);
    host->now_ms += 1000;
    ck_assert_int_eq(process(inst, "b-y", b, "research_tasks"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 2);
    n = emitted(1);
    ck_assert_str_eq(json_string_value(json_object_get(n, "summary")),
                     "Beta summary");
    ck_assert_str_eq(host->emits[1].key, "a2");
    json_decref(n);
    free(b);
    free(e);
    /* an assessment is not researched: emitted at once */
    e = ev("ASSESSMENT", "a3", "Gamma");
    ck_assert_int_eq(process(inst, "a3", e, "classified_events"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 3);
    ck_assert_str_eq(host->emits[2].key, "a3");
    free(e);
    /* nor is an event that names no company (trial 89: held until the
     * next record) */
    e = ev("OFFER", "a4", " ");
    ck_assert_int_eq(process(inst, "a4", e, "classified_events"), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 4);
    ck_assert_str_eq(host->emits[3].key, "a4");
    free(e);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

START_TEST(wait_expires_across_restart)
{
    void *cfg = config(NULL, NULL, 5000);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    ck_assert_int_eq(plugin->start(inst), CO_OK);
    char *e = ev("INTERVIEW", "c1", "Gamma");
    ck_assert_int_eq(process(inst, "c1", e, "classified_events"), CO_OK);
    free(e);
    ck_assert_uint_eq(host->emit_cnt, 0);
    plugin->destroy(inst); /* "restart": parked event only in state */
    inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    ck_assert_int_eq(plugin->start(inst), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 0); /* not yet due */
    host->now_ms += 6000;
    e = ev("REJECTION", "c2", "Delta"); /* any record triggers the check */
    ck_assert_int_eq(process(inst, "c2", e, "classified_events"), CO_OK);
    free(e);
    ck_assert_uint_eq(host->emit_cnt, 1);
    json_t *n = emitted(0);
    ck_assert_str_eq(json_string_value(json_object_get(n, "event_key")), "c1");
    ck_assert(strstr(json_string_value(json_object_get(n, "summary")),
                     "Gamma") != NULL);
    json_decref(n);
    /* the late briefing for c1 does not notify again */
    char *b = brief("c1", "late");
    ck_assert_int_eq(process(inst, "b", b, "research_tasks"), CO_OK);
    free(b);
    ck_assert_uint_eq(host->emit_cnt, 1);
    plugin->destroy(inst);
    /* and a restart after that finds nothing parked */
    inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    host->now_ms += 60000;
    ck_assert_int_eq(plugin->start(inst), CO_OK);
    ck_assert_uint_eq(host->emit_cnt, 1);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("notifier-plugin");
    TCase *t = tcase_create("module");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, descriptor);
    tcase_add_test(t, types_and_fields);
    tcase_add_test(t, interview_told_once);
    tcase_add_test(t, calendar_cancel_both_orders);
    tcase_add_test(t, moved_says_old_time);
    tcase_add_test(t, moved_found_by_subject);
    tcase_add_test(t, offer_reminder_once);
    tcase_add_test(t, own_withdrawal_cancels);
    tcase_add_test(t, rejection_and_text_cancel);
    tcase_add_test(t, own_reply_either_order);
    tcase_add_test(t, calendar_uid_cancel);
    tcase_add_test(t, calendar_cancel_outdates_older_versions);
    tcase_add_test(t, outlook_cancel_as_classified);
    tcase_add_test(t, bad_timezone_refused);
    tcase_add_test(t, briefing_before_and_after);
    tcase_add_test(t, wait_expires_across_restart);
    suite_add_tcase(s, t);
    return s;
}
CO_TEST_MAIN(suite)
