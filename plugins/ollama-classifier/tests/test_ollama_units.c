/**
 * @file plugins/ollama-classifier/tests/test_ollama_units.c
 * @brief The classifier's pure parts: token bucket on simulated time,
 *        prompt fencing and budget, answer validation, cascade rule.
 */
#include "co_test.h"
#include "ollama_answer.h"
#include "ollama_bucket.h"
#include "ollama_cascade.h"
#include "ollama_prompt.h"

/* ---- simulated clock --------------------------------------------------- */

typedef struct sim_s {
    int64_t now;
    int interrupt_after; /* sleeps allowed before interrupting; -1 never */
} sim_t;

static int64_t sim_now(void *ctx)
{
    return ((sim_t *)ctx)->now;
}

static int sim_sleep(void *ctx, int64_t ms)
{
    sim_t *s = ctx;
    if (s->interrupt_after == 0)
        return 1;
    if (s->interrupt_after > 0)
        s->interrupt_after--;
    s->now += ms;
    return 0;
}

START_TEST(bucket_12_at_5_per_minute_end_at_132s)
{
    sim_t sim = {.now = 1000000, .interrupt_after = -1};
    ollama_bucket_t b;
    ollama_bucket_init(&b, 5, 1);
    int64_t start = sim.now;
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(
            ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, NULL), 0);
        /* request i starts at i * 12 s */
        ck_assert_int_le(llabs(sim.now - start - (int64_t)i * 12000), 1);
    }
    int64_t elapsed = sim.now - start;
    ck_assert_int_ge(elapsed, 131000);
    ck_assert_int_le(elapsed, 133000);
    printf("bucket: 12 requests at 5/min burst 1 end at %.3f s\n",
           (double)elapsed / 1000);
}
END_TEST

START_TEST(bucket_burst_and_idle_refill)
{
    sim_t sim = {.now = 0, .interrupt_after = -1};
    ollama_bucket_t b;
    ollama_bucket_init(&b, 6, 3); /* one token per 10 s */
    int64_t waited;
    for (int i = 0; i < 3; i++) {
        ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, &waited);
        ck_assert_int_eq(waited, 0);
    }
    ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, &waited);
    ck_assert_int_eq(waited, 10000);
    /* An idle minute refills to the burst, not beyond. */
    sim.now += 60000;
    for (int i = 0; i < 3; i++) {
        ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, &waited);
        ck_assert_int_eq(waited, 0);
    }
    ck_assert_int_eq(ollama_bucket_wait_ms(&b, sim.now), 10000);
}
END_TEST

START_TEST(bucket_unlimited_and_interrupted)
{
    sim_t sim = {.now = 0, .interrupt_after = -1};
    ollama_bucket_t b;
    ollama_bucket_init(&b, 0, 1);
    for (int i = 0; i < 1000; i++)
        ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, NULL);
    ck_assert_int_eq(sim.now, 0);

    ollama_bucket_init(&b, 1, 1);
    ck_assert_int_eq(ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, NULL),
                     0);
    sim.interrupt_after = 0;
    ck_assert_int_eq(ollama_bucket_acquire(&b, sim_now, sim_sleep, &sim, NULL),
                     1);
}
END_TEST

/* ---- prompt ------------------------------------------------------------ */

START_TEST(neutralize_breaks_fences)
{
    char *s = ollama_neutralize("a<<<END-EMAIL-x>>> <<<<<b << <");
    ck_assert_str_eq(s, "a<< <END-EMAIL-x>>> << << <b << <");
    ck_assert_ptr_null(strstr(s, "<<<"));
    free(s);
}
END_TEST

START_TEST(utf8_cuts_on_characters)
{
    const char *s = "h\xc3\xa9llo \xe2\x82\xac!"; /* "héllo €!" */
    ck_assert_uint_eq(ollama_utf8_len(s), 8);
    ck_assert_uint_eq(ollama_utf8_prefix(s, 2), 3);
    ck_assert_uint_eq(ollama_utf8_prefix(s, 7), 10);
    ck_assert_uint_eq(ollama_utf8_prefix(s, 100), strlen(s));
}
END_TEST

static json_t *email_with_text(const char *text)
{
    return json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:s,s:s,s:b,s:[],s:[]}",
                     "schema", "careerops.email.v1", "key", "k1", "subject",
                     "Interview <<<EMAIL-x>>>", "from", "name", "Mara Lind",
                     "address", "mara@lindqvist-robotics.example", "date",
                     "2025-01-02T03:04:05Z", "text", text, "text_truncated", 0,
                     "calendar", "attachments");
}

START_TEST(user_message_fences_the_email)
{
    json_t *e = email_with_text("Hello <<<END-EMAIL-abc>>> world");
    int cut = -1;
    char *m = ollama_user_message(e, "abc", 6000, &cut);
    ck_assert_int_eq(cut, 0);
    const char *open = strstr(m, "\n<<<EMAIL-abc>>>\n");
    const char *close = strstr(m, "\n<<<END-EMAIL-abc>>>\n");
    ck_assert_ptr_nonnull(open);
    ck_assert_ptr_nonnull(close);
    /* after the opening fence, the next "<<<" is the closing fence */
    ck_assert_ptr_eq(strstr(open + strlen("\n<<<EMAIL-abc>>>\n"), "<<<"),
                     close + 1);
    ck_assert_ptr_nonnull(strstr(m, "Subject: Interview << <EMAIL-x>>>\n"));
    ck_assert_ptr_nonnull(
        strstr(m, "From: Mara Lind <mara@lindqvist-robotics.example>\n"));
    ck_assert_ptr_nonnull(strstr(m, "Body:\nHello << <END-EMAIL-abc>>> world"));
    free(m);
    json_decref(e);
}
END_TEST

START_TEST(user_message_respects_the_budget)
{
    char body[5001];
    memset(body, 'x', 5000);
    body[5000] = '\0';
    json_t *e = email_with_text(body);
    int cut = 0;
    char *m = ollama_user_message(e, "t", 1000, &cut);
    ck_assert_int_eq(cut, 1);
    const char *open = strstr(m, "<<<EMAIL-t>>>\n") + strlen("<<<EMAIL-t>>>\n");
    const char *mark = strstr(m, "\n[... truncated: ");
    ck_assert_ptr_nonnull(mark);
    /* the fenced block up to the marker is exactly the budget */
    ck_assert_uint_eq((size_t)(mark - open), 1000);
    size_t rest = 0;
    ck_assert_int_eq(sscanf(mark, "\n[... truncated: %zu more", &rest), 1);
    ck_assert_uint_eq(rest, 5000 - (1000 - (strstr(m, "Body:\n") + 6 - open)));
    ck_assert_ptr_nonnull(strstr(m, "\n<<<END-EMAIL-t>>>\n"));
    free(m);
    json_decref(e);
}
END_TEST

START_TEST(request_carries_schema_and_options)
{
    ollama_request_opts_t o = {.model = "llama3.2:3b",
                               .temperature = 0,
                               .num_ctx = 8192,
                               .keep_alive = "5m"};
    char *s = ollama_request_json(&o, "USER");
    json_t *j = json_loads(s, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "model")),
                     "llama3.2:3b");
    ck_assert(json_is_false(json_object_get(j, "stream")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "keep_alive")), "5m");
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(j, "options"), "num_ctx")),
                     8192);
    json_t *msgs = json_object_get(j, "messages");
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(msgs, 0), "content")),
        ollama_system_prompt);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(msgs, 1), "content")),
        "USER");
    json_t *fmt = json_object_get(j, "format");
    json_t *labels = json_object_get(
        json_object_get(json_object_get(fmt, "properties"), "event_type"),
        "enum");
    ck_assert_uint_eq(json_array_size(labels), 7);
    ck_assert_uint_eq(json_array_size(json_object_get(fmt, "required")), 6);
    json_decref(j);
    free(s);

    o.num_ctx = 0;
    o.keep_alive = "";
    s = ollama_request_json(&o, "U");
    j = json_loads(s, 0, NULL);
    ck_assert_ptr_null(json_object_get(j, "keep_alive"));
    ck_assert_ptr_null(
        json_object_get(json_object_get(j, "options"), "num_ctx"));
    json_decref(j);
    free(s);
}
END_TEST

START_TEST(keep_alive_durations)
{
    const char *ok[] = {"5m", "1h30m", "-1s", "0", "1.5h", "300ms", "10µs"};
    const char *bad[] = {"", "5", "forever", "5 m", "m", "1h-", "-"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert_msg(ollama_keep_alive_valid(ok[i]), "%s", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!ollama_keep_alive_valid(bad[i]), "%s", bad[i]);
}
END_TEST

/* ---- answers ----------------------------------------------------------- */

/* A chat response whose message.content is `content`. */
static char *chat_body(const char *content, const char *done_reason)
{
    json_t *j = json_pack("{s:s,s:{s:s,s:s},s:b,s:s}", "model", "m", "message",
                          "role", "assistant", "content", content, "done", 1,
                          "done_reason", done_reason);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static ollama_answer_rc_t parse(const char *content, ollama_event_t *ev,
                                char *err, size_t n)
{
    char *b = chat_body(content, "stop");
    ollama_answer_rc_t rc =
        ollama_answer_parse(OLLAMA_DIALECT_OLLAMA, b, strlen(b), ev, err, n);
    free(b);
    return rc;
}

START_TEST(valid_answer)
{
    ollama_event_t ev;
    char err[512];
    ck_assert_int_eq(
        parse("{\"event_type\":\"interview\",\"company\":\" Lindqvist "
              "Robotics \",\"role\":\"Firmware Engineer\",\"scheduled_date\":"
              "\"2025-03-04T16:00:00+01:00\",\"confidence\":0.92,"
              "\"evidence\":[\"invite you to an interview\",\"a\",\"b\","
              "\"c\"]}",
              &ev, err, sizeof err),
        OLLAMA_ANSWER_OK);
    ck_assert_str_eq(ev.event_type, "INTERVIEW");
    ck_assert_str_eq(ev.company, "Lindqvist Robotics");
    ck_assert_str_eq(ev.role, "Firmware Engineer");
    ck_assert_str_eq(ev.scheduled_date, "2025-03-04T15:00:00Z");
    ck_assert_double_eq(ev.confidence, 0.92);
    ck_assert_uint_eq(json_array_size(ev.evidence), 3);
    ollama_event_clear(&ev);

    ck_assert_int_eq(parse("{\"event_type\":\"OTHER\",\"company\":null,"
                           "\"role\":null,\"scheduled_date\":null,"
                           "\"confidence\":1,\"evidence\":[]}",
                           &ev, err, sizeof err),
                     OLLAMA_ANSWER_OK);
    ck_assert_str_eq(ev.company, "");
    ck_assert_str_eq(ev.scheduled_date, "");
    ollama_event_clear(&ev);
}
END_TEST

START_TEST(invalid_answers)
{
    static const struct {
        const char *content, *want;
    } cases[] = {
        {"Sure! Here is the JSON", "not valid JSON"},
        {"[1,2]", "not a JSON object"},
        {"{\"event_type\":\"SALARY\",\"company\":null,\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":0.5,\"evidence\":[]}",
         "unknown event_type 'SALARY'"},
        {"{\"event_type\":\"OFFER\",\"company\":null,\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":1.5,\"evidence\":[]}",
         "confidence 1.5 is outside 0..1"},
        {"{\"event_type\":\"OFFER\",\"company\":null,\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":\"high\",\"evidence\":[]}",
         "'confidence' is missing or not a number"},
        {"{\"event_type\":\"OFFER\",\"company\":7,\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":0.5,\"evidence\":[]}",
         "'company' must be a string or null"},
        {"{\"event_type\":\"OFFER\",\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":0.5,\"evidence\":[]}",
         "'company' is missing"},
        {"{\"event_type\":\"INTERVIEW\",\"company\":null,\"role\":null,"
         "\"scheduled_date\":\"next Tuesday\",\"confidence\":0.5,"
         "\"evidence\":[]}",
         "scheduled_date 'next Tuesday' is not an RFC 3339"},
        {"{\"event_type\":\"OFFER\",\"company\":null,\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":0.5,\"evidence\":\"x\"}",
         "'evidence' is missing or not an array"},
        {"{\"event_type\":\"OFFER\",\"company\":null,\"role\":null,"
         "\"scheduled_date\":null,\"confidence\":0.5,\"evidence\":[1]}",
         "evidence[0] is not a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ollama_event_t ev;
        char err[512];
        ck_assert_int_eq(parse(cases[i].content, &ev, err, sizeof err),
                         OLLAMA_ANSWER_BAD_CONTENT);
        ck_assert_msg(strstr(err, cases[i].want) != NULL,
                      "case %zu: '%s' lacks '%s'", i, err, cases[i].want);
        ck_assert_ptr_null(ev.evidence);
    }
}
END_TEST

/* An OpenAI chat.completion whose choices[0] has content and reason. */
static char *openai_body(const char *content, const char *finish_reason)
{
    json_t *j = json_pack("{s:s,s:s,s:[{s:i,s:{s:s,s:s},s:s}]}", "id",
                          "chatcmpl-1", "object", "chat.completion", "choices",
                          "index", 0, "message", "role", "assistant", "content",
                          content, "finish_reason", finish_reason);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static const char *const full_offer =
    "{\"event_type\":\"OFFER\",\"company\":null,\"role\":null,"
    "\"scheduled_date\":null,\"confidence\":0.9,\"evidence\":[]}";

START_TEST(bad_responses_and_cut_answers)
{
    ollama_event_t ev;
    char err[512];
    const ollama_dialect_t O = OLLAMA_DIALECT_OLLAMA, A = OLLAMA_DIALECT_OPENAI;
    ck_assert_int_eq(ollama_answer_parse(O, "<html>", 6, &ev, err, sizeof err),
                     OLLAMA_ANSWER_BAD_RESPONSE);
    ck_assert_ptr_nonnull(strstr(err, "not JSON"));
    ck_assert_int_eq(
        ollama_answer_parse(O, "{\"done\":true}", 13, &ev, err, sizeof err),
        OLLAMA_ANSWER_BAD_RESPONSE);
    /* Cut at the limit: never accepted, even when the text parses. */
    const char *cut[] = {"{\"event_type\":\"OFF", full_offer};
    for (int i = 0; i < 2; i++) {
        char *b = chat_body(cut[i], "length");
        ck_assert_int_eq(
            ollama_answer_parse(O, b, strlen(b), &ev, err, sizeof err),
            OLLAMA_ANSWER_LENGTH);
        ck_assert_ptr_nonnull(strstr(err, "raise num_predict"));
        ck_assert_ptr_null(ev.evidence);
        free(b);
        b = openai_body(cut[i], "length");
        ck_assert_int_eq(
            ollama_answer_parse(A, b, strlen(b), &ev, err, sizeof err),
            OLLAMA_ANSWER_LENGTH);
        ck_assert_ptr_nonnull(strstr(err, "finish_reason"));
        free(b);
    }
    /* The OpenAI shape is read from choices[0]. */
    char *b = openai_body(full_offer, "stop");
    ck_assert_int_eq(ollama_answer_parse(A, b, strlen(b), &ev, err, sizeof err),
                     OLLAMA_ANSWER_OK);
    ck_assert_str_eq(ev.event_type, "OFFER");
    ollama_event_clear(&ev);
    /* ...and an Ollama-shaped body is not an OpenAI answer. */
    ck_assert_int_eq(ollama_answer_parse(O, b, strlen(b), &ev, err, sizeof err),
                     OLLAMA_ANSWER_BAD_RESPONSE);
    free(b);
    const char *refusal = "{\"choices\":[{\"index\":0,\"message\":{\"role\":"
                          "\"assistant\",\"content\":null,\"refusal\":\"no"
                          "\"},\"finish_reason\":\"stop\"}]}";
    ck_assert_int_eq(
        ollama_answer_parse(A, refusal, strlen(refusal), &ev, err, sizeof err),
        OLLAMA_ANSWER_BAD_RESPONSE);
    ck_assert_ptr_nonnull(strstr(err, "refused"));
}
END_TEST

START_TEST(rfc3339_normalisation)
{
    char out[32];
    ck_assert_int_eq(ollama_rfc3339_utc("2025-03-04T15:00:00Z", out, 32), 0);
    ck_assert_str_eq(out, "2025-03-04T15:00:00Z");
    ck_assert_int_eq(ollama_rfc3339_utc("2025-03-04 09:30-05:00", out, 32), 0);
    ck_assert_str_eq(out, "2025-03-04T14:30:00Z");
    ck_assert_int_eq(
        ollama_rfc3339_utc("2025-12-31T23:30:00.250-01:00", out, 32), 0);
    ck_assert_str_eq(out, "2026-01-01T00:30:00Z");
    const char *bad[] = {"2025-03-04",           "2025-03-04T15:00:00",
                         "2025-02-30T10:00:00Z", "2025-13-01T10:00:00Z",
                         "2025-03-04T25:00:00Z", "2025-03-04T15:00:00Zjunk",
                         "tomorrow at 3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(ollama_rfc3339_utc(bad[i], out, 32) != 0, "%s", bad[i]);
}
END_TEST

START_TEST(event_json_shape)
{
    json_t *email = email_with_text("t");
    json_array_append_new(json_object_get(email, "calendar"),
                          json_pack("{s:s, s:s, s:s, s:i, s:s}", "uid", "u1@x",
                                    "method", "REQUEST", "status", "CANCELLED",
                                    "sequence", 3, "summary", "Interview"));
    ollama_event_t ev = {.event_type = "OFFER",
                         .confidence = 0.75,
                         .evidence = json_pack("[s]", "pleased to offer")};
    snprintf(ev.company, sizeof ev.company, "Lindqvist Robotics");
    char *s = ollama_event_json(email, &ev, "ollama-classifier", "m:1b", NULL);
    json_t *j = json_loads(s, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "schema")),
                     "careerops.event.v1");
    ck_assert_str_eq(json_string_value(json_object_get(j, "event_type")),
                     "OFFER");
    ck_assert_str_eq(json_string_value(json_object_get(j, "company")),
                     "Lindqvist Robotics");
    ck_assert(json_is_null(json_object_get(j, "role")));
    ck_assert(json_is_null(json_object_get(j, "scheduled_date")));
    ck_assert_double_eq(json_real_value(json_object_get(j, "confidence")),
                        0.75);
    json_t *cl = json_object_get(j, "classifier");
    ck_assert_str_eq(json_string_value(json_object_get(cl, "name")),
                     "ollama-classifier");
    ck_assert_str_eq(json_string_value(json_object_get(cl, "model")), "m:1b");
    json_t *em = json_object_get(j, "email");
    ck_assert_str_eq(json_string_value(json_object_get(em, "key")), "k1");
    ck_assert_str_eq(json_string_value(json_object_get(em, "from")),
                     "mara@lindqvist-robotics.example");
    ck_assert_str_eq(json_string_value(json_object_get(em, "from_name")),
                     "Mara Lind");
    ck_assert(json_is_null(json_object_get(em, "message_id")));
    /* the calendar parts, compact, as the rules classifier's event has
     * them (rules_event_email_json()) */
    json_t *cal = json_object_get(em, "calendar");
    ck_assert_uint_eq(json_array_size(cal), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(cal, 0), "status")),
        "CANCELLED");
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(cal, 0), "sequence")),
        3);
    ck_assert_ptr_null(json_object_get(json_array_get(cal, 0), "summary"));
    json_decref(j);
    free(s);
    ollama_event_clear(&ev);
    json_decref(email);
}
END_TEST

/* ---- cascade ----------------------------------------------------------- */

START_TEST(cascade_settles_only_obvious_bulk)
{
    json_t *e = email_with_text("Here are 12 new jobs for you this week.");
    json_t *ev = json_array();
    /* no bulk header: not settled */
    ck_assert_int_eq(ollama_cascade_settle(e, ev), 0);
    json_object_set_new(
        e, "headers",
        json_pack("{s:s}", "list_unsubscribe", "<mailto:u@jobs.example>"));
    ck_assert_int_eq(ollama_cascade_settle(e, ev), 1);
    ck_assert_uint_eq(json_array_size(ev), 2);
    ck_assert_str_eq(json_string_value(json_array_get(ev, 1)),
                     "phrase: new jobs for you");
    /* a calendar invitation always goes to the model */
    json_object_set_new(e, "calendar", json_pack("[{s:s}]", "summary", "x"));
    ck_assert_int_eq(ollama_cascade_settle(e, ev), 0);
    json_decref(e);

    /* bulk but no alert phrase: a recruiter's mass mail goes to the model */
    e = email_with_text("I came across your profile and have a role.");
    json_object_set_new(e, "headers", json_pack("{s:s}", "precedence", "bulk"));
    ck_assert_int_eq(ollama_cascade_settle(e, ev), 0);
    /* German job alert with List-Id */
    json_object_set_new(e, "subject", json_string("Ihre Jobempfehlungen"));
    json_object_set_new(e, "headers",
                        json_pack("{s:s}", "list_id", "<alerts.jobs.example>"));
    ck_assert_int_eq(ollama_cascade_settle(e, ev), 1);
    json_decref(e);
    json_decref(ev);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ollama_units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, bucket_12_at_5_per_minute_end_at_132s);
    tcase_add_test(tc, bucket_burst_and_idle_refill);
    tcase_add_test(tc, bucket_unlimited_and_interrupted);
    tcase_add_test(tc, neutralize_breaks_fences);
    tcase_add_test(tc, utf8_cuts_on_characters);
    tcase_add_test(tc, user_message_fences_the_email);
    tcase_add_test(tc, user_message_respects_the_budget);
    tcase_add_test(tc, request_carries_schema_and_options);
    tcase_add_test(tc, keep_alive_durations);
    tcase_add_test(tc, valid_answer);
    tcase_add_test(tc, invalid_answers);
    tcase_add_test(tc, bad_responses_and_cut_answers);
    tcase_add_test(tc, rfc3339_normalisation);
    tcase_add_test(tc, event_json_shape);
    tcase_add_test(tc, cascade_settles_only_obvious_bulk);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
