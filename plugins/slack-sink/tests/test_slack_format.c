/**
 * @file plugins/slack-sink/tests/test_slack_format.c
 * @brief slack_format.c: escaping, truncation, the Block Kit layout and the
 *        mapping of Slack's answers (pure functions, no host, no network).
 */
#include "co_test.h"
#include "slack_format.h"
#include "slack_test_data.h"

#include <jansson.h>

static json_t *format(const char *subject, int repeat)
{
    char *n = slack_test_notification(NULL, subject), err[512], *key = NULL;
    char *out =
        slack_format_message(n, strlen(n), repeat, &key, err, sizeof err);
    ck_assert_msg(out != NULL, "format failed: %s", err);
    ck_assert_str_eq(key, SLACK_TEST_KEY);
    json_t *j = json_loads(out, 0, NULL);
    ck_assert_ptr_nonnull(j);
    free(n);
    free(key);
    free(out);
    return j;
}

/* trial 68: a correction of an event already posted is posted once under
 * its notice_key, not skipped as a repeat of the event_key */
START_TEST(correction_posted_under_notice_key)
{
    char *n = slack_test_notification(NULL, "Interview"), err[512], *key = NULL;
    json_t *j = json_loads(n, 0, NULL);
    ck_assert_ptr_nonnull(j);
    json_object_set_new(j, "notice_key",
                        json_string(SLACK_TEST_KEY "#corrected@x"));
    char *m = json_dumps(j, JSON_COMPACT);
    char *out = slack_format_message(m, strlen(m), 0, &key, err, sizeof err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_str_eq(key, SLACK_TEST_KEY "#corrected@x");
    free(out);
    free(key);
    free(m);
    json_decref(j);
    free(n);
}
END_TEST

START_TEST(escape_three_characters_only)
{
    char *e = slack_escape("a & b <!channel> *bold* \"q\" >");
    ck_assert_str_eq(e, "a &amp; b &lt;!channel&gt; *bold* \"q\" &gt;");
    free(e);
    e = slack_escape(NULL);
    ck_assert_str_eq(e, "");
    free(e);
}
END_TEST

START_TEST(truncate_marks_with_ellipsis)
{
    char *t = slack_truncate("abcdef", 6);
    ck_assert_str_eq(t, "abcdef");
    free(t);
    t = slack_truncate("abcdefg", 6);
    ck_assert_str_eq(t, "abcde\xE2\x80\xA6");
    ck_assert_uint_eq(slack_utf8_len(t), 6);
    free(t);
    /* never inside a UTF-8 sequence */
    t = slack_truncate("\xC3\xA5\xC3\xA4\xC3\xB6\xC3\xA5", 3);
    ck_assert_str_eq(t, "\xC3\xA5\xC3\xA4\xE2\x80\xA6");
    free(t);
    /* never inside an entity or a link */
    t = slack_truncate("xy&amp;zzzz", 5);
    ck_assert_str_eq(t, "xy\xE2\x80\xA6");
    free(t);
    t = slack_truncate("ab <https://x.example|x> cd", 10);
    ck_assert_str_eq(t, "ab \xE2\x80\xA6");
    free(t);
}
END_TEST

START_TEST(interview_blocks)
{
    json_t *m = format(NULL, 0);
    json_t *blocks = json_object_get(m, "blocks");
    ck_assert_uint_eq(json_array_size(blocks), 5);
    const char *types[] = {"header", "section", "section", "context",
                           "actions"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(json_string_value(json_object_get(
                             json_array_get(blocks, i), "type")),
                         types[i]);
    json_t *hdr = json_object_get(json_array_get(blocks, 0), "text");
    ck_assert_str_eq(json_string_value(json_object_get(hdr, "type")),
                     "plain_text");
    ck_assert_str_eq(json_string_value(json_object_get(hdr, "text")),
                     "Interview: Lindqvist Robotics");
    const char *sec = json_string_value(json_object_get(
        json_object_get(json_array_get(blocks, 1), "text"), "text"));
    ck_assert_ptr_nonnull(strstr(sec, "*Company:* Lindqvist Robotics"));
    ck_assert_ptr_nonnull(strstr(sec, SLACK_TEST_SHOWN));
    /* the sender's <address> is escaped */
    ck_assert_ptr_nonnull(
        strstr(sec, "Mara Lind &lt;mara@lindqvist-robotics.example&gt;"));
    const char *src = json_string_value(json_object_get(
        json_object_get(json_array_get(blocks, 2), "text"), "text"));
    ck_assert_ptr_nonnull(strstr(src, "<https://lindqvist-robotics.example/"
                                      "about|Lindqvist Robotics - About>"));
    json_t *btn = json_array_get(
        json_object_get(json_array_get(blocks, 4), "elements"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(btn, "url")),
                     SLACK_TEST_BRIEFING);
    ck_assert_str_eq(json_string_value(json_object_get(btn, "type")), "button");
    const char *text = json_string_value(json_object_get(m, "text"));
    ck_assert_ptr_nonnull(strstr(text, "Lindqvist Robotics"));
    ck_assert_ptr_nonnull(strstr(text, "Tue 4 Mar 2025, 16:00"));
    json_decref(m);
}
END_TEST

START_TEST(hostile_subject_is_escaped)
{
    json_t *m = format("Hi <!channel> see <https://evil.test|click> & win", 0);
    char *all = json_dumps(m, JSON_COMPACT);
    ck_assert_ptr_null(strstr(all, "<!channel>"));
    ck_assert_ptr_null(strstr(all, "<https://evil.test"));
    ck_assert_ptr_nonnull(strstr(
        all, "Hi &lt;!channel&gt; see &lt;https://evil.test|click&gt; &amp; "
             "win"));
    free(all);
    json_decref(m);
}
END_TEST

START_TEST(hostile_source_link_cannot_break_out)
{
    json_t *n =
        json_pack("{s:s, s:s, s:s, s:[{s:s, s:s}], s:s}", "schema",
                  "careerops.notification.v1", "event_key", "k1", "event_type",
                  "OFFER", "sources", "title", "x> <!here", "url",
                  "https://a.example/?q=1|<!channel>&b=2", "briefing_url",
                  "javascript:alert(1)");
    char *s = json_dumps(n, JSON_COMPACT), err[256];
    char *out = slack_format_message(s, strlen(s), 0, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_null(strstr(out, "<!here"));
    ck_assert_ptr_null(strstr(out, "<!channel"));
    ck_assert_ptr_nonnull(
        strstr(out, "<https://a.example/?q=1%7C&lt;!channel&gt;&amp;b=2|x&gt; "
                    "&lt;!here>"));
    /* a non-http briefing link gets no button */
    ck_assert_ptr_null(strstr(out, "\"actions\""));
    free(out);
    free(s);
    json_decref(n);
}
END_TEST

START_TEST(limits_respected)
{
    size_t big = 100000;
    char *longtext = malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        longtext[i] = "a<&b"[i % 4];
    longtext[big] = '\0';
    json_t *n = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[]}", "schema",
                          "careerops.notification.v1", "event_key", "k2",
                          "title", longtext, "company", longtext, "summary",
                          longtext, "date_local", "Mon 3 Mar", "sources");
    json_t *srcs = json_object_get(n, "sources");
    for (int i = 0; i < 40; i++)
        json_array_append_new(srcs, json_pack("{s:s,s:s}", "title", longtext,
                                              "url", "https://s.example/"));
    char *s = json_dumps(n, JSON_COMPACT), err[256];
    char *out = slack_format_message(s, strlen(s), 0, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(out);
    json_t *m = json_loads(out, 0, NULL);
    json_t *blocks = json_object_get(m, "blocks");
    ck_assert_uint_le(json_array_size(blocks), SLACK_MAX_BLOCKS);
    size_t i;
    json_t *b;
    json_array_foreach(blocks, i, b)
    {
        const char *t = json_string_value(
            json_object_get(json_object_get(b, "text"), "text"));
        const char *type = json_string_value(json_object_get(b, "type"));
        if (strcmp(type, "header") == 0) {
            /* cut before an entity rather than through it */
            ck_assert_uint_le(slack_utf8_len(t), SLACK_MAX_HEADER_TEXT);
            ck_assert_uint_ge(slack_utf8_len(t), SLACK_MAX_HEADER_TEXT - 5);
        } else if (strcmp(type, "section") == 0) {
            ck_assert_uint_le(slack_utf8_len(t), SLACK_MAX_SECTION_TEXT);
            ck_assert_ptr_nonnull(strstr(t, "\xE2\x80\xA6"));
        }
    }
    const char *text = json_string_value(json_object_get(m, "text"));
    ck_assert_uint_le(slack_utf8_len(text), SLACK_MAX_TEXT);
    /* "and 30 more" for sources over the cap */
    ck_assert_ptr_nonnull(strstr(out, "and 30 more"));
    json_decref(m);
    free(out);
    free(s);
    json_decref(n);
    free(longtext);
}
END_TEST

START_TEST(bad_records_named)
{
    char err[512];
    ck_assert_ptr_null(
        slack_format_message("nope", 4, 0, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "not a JSON object"));
    const char *ev = "{\"schema\":\"careerops.event.v1\",\"event_key\":\"k\"}";
    ck_assert_ptr_null(
        slack_format_message(ev, strlen(ev), 0, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "careerops.event.v1"));
    ck_assert_ptr_nonnull(strstr(err, "notifier"));
    const char *nokey = "{\"schema\":\"careerops.notification.v1\"}";
    ck_assert_ptr_null(
        slack_format_message(nokey, strlen(nokey), 0, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "event_key"));
}
END_TEST

START_TEST(repeat_marked)
{
    json_t *m = format(NULL, 1);
    char *all = json_dumps(m, JSON_COMPACT);
    ck_assert_ptr_nonnull(strstr(all, "possible repeat"));
    free(all);
    json_decref(m);
}
END_TEST

/* A date before now is marked past; no date: the email's date. */
START_TEST(past_and_email_date)
{
    json_t *m = format(NULL, 0);
    const char *sec = json_string_value(json_object_get(
        json_object_get(json_array_get(json_object_get(m, "blocks"), 1),
                        "text"),
        "text"));
    ck_assert_ptr_nonnull(strstr(sec, SLACK_TEST_SHOWN ", past"));
    json_decref(m);
    const char *n =
        "{\"schema\":\"careerops.notification.v1\",\"event_key\":\"k\","
        "\"event_type\":\"OFFER\",\"date_utc\":null,"
        "\"email\":{\"subject\":\"Offer\",\"date\":\"2025-10-07T13:12:00Z\","
        "\"date_local\":\"2025-10-07T09:12:00-04:00\"}}";
    char err[256],
        *out = slack_format_message(n, strlen(n), 0, NULL, err, sizeof err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_ptr_nonnull(strstr(out, "no time read (see the message); email "
                                      "sent Tue 7 Oct 2025, 09:12"));
    ck_assert_ptr_null(strstr(out, "past"));
    free(out);
}
END_TEST

/* An offer's date is labelled "Reply by" (the notifier's date_label). */
START_TEST(deadline_label)
{
    const char *n =
        "{\"schema\":\"careerops.notification.v1\",\"event_key\":\"k\","
        "\"event_type\":\"OFFER\",\"date_utc\":\"2026-12-11T22:00:00Z\","
        "\"date_local\":\"2026-12-11T17:00:00-05:00\","
        "\"date_label\":\"reply by\",\"email\":{\"subject\":\"Offer\"}}";
    char err[256],
        *out = slack_format_message(n, strlen(n), 0, NULL, err, sizeof err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_msg(
        strstr(out, "*Reply by:* Fri 11 Dec 2026, 17:00 (UTC-05:00)") != NULL,
        "%s", out);
    ck_assert_ptr_null(strstr(out, "*When:*"));
    free(out);
    /* a deadline given as a day without a time */
    n = "{\"schema\":\"careerops.notification.v1\",\"event_key\":\"k\","
        "\"event_type\":\"ASSESSMENT\",\"date_utc\":null,"
        "\"due_date\":\"2026-12-14\",\"date_label\":\"due\","
        "\"email\":{\"subject\":\"Take-home\"}}";
    out = slack_format_message(n, strlen(n), 0, NULL, err, sizeof err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_msg(strstr(out, "*Due:* Mon 14 Dec 2026 (no time given)") != NULL,
                  "%s", out);
    free(out);
}
END_TEST

/* "past" is judged against the given now, not the wall clock. */
START_TEST(past_against_given_now)
{
    char *n = slack_test_notification(NULL, NULL), err[512];
    int64_t before, after, t;
    ck_assert_int_eq(slack_parse_time("2025-03-01", &before), 0);
    ck_assert_int_eq(slack_parse_time("2025-03-05T00:00:00Z", &after), 0);
    ck_assert_int_eq(after - before, 4 * 86400);
    ck_assert_int_eq(slack_parse_time("2025-03-05T00:00:00.250Z", &t), 0);
    ck_assert_int_eq(t, after);
    ck_assert_int_eq(slack_parse_time("soon", &t), -1);
    ck_assert_int_eq(slack_parse_time("2025-03-05 junk", &t), -1);
    ck_assert_int_eq(slack_parse_time(NULL, &t), -1);
    char *out =
        slack_format_message_at(n, strlen(n), 0, before, NULL, err, sizeof err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_ptr_null(strstr(out, ", past"));
    free(out);
    out =
        slack_format_message_at(n, strlen(n), 0, after, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(strstr(out, SLACK_TEST_SHOWN ", past"));
    free(out);
    free(n);
}
END_TEST

START_TEST(classify_answers)
{
    uint32_t d;
    char msg[256];
    ck_assert_int_eq(slack_classify(200, "ok", -1, &d, msg, sizeof msg), CO_OK);
    ck_assert_int_eq(slack_classify(200, "ok\n", -1, &d, msg, sizeof msg),
                     CO_OK);
    ck_assert_int_eq(slack_classify(200, "{\"ok\":true,\"ts\":\"1\"}", -1, &d,
                                    msg, sizeof msg),
                     CO_OK);
    ck_assert_int_eq(slack_classify(204, "", -1, &d, msg, sizeof msg), CO_OK);
    /* a 200 that is not Slack's answer is no post (trial 89) */
    ck_assert_int_eq(slack_classify(200, "<html>Proxy login</html>", -1, &d,
                                    msg, sizeof msg),
                     CO_RETRY);
    ck_assert_ptr_nonnull(strstr(msg, "not Slack's"));
    ck_assert_int_eq(slack_classify(200, "", -1, &d, msg, sizeof msg),
                     CO_RETRY);
    ck_assert_int_eq(slack_classify(429, "", 2000, &d, msg, sizeof msg),
                     CO_RETRY);
    ck_assert_uint_eq(d, 2000);
    ck_assert_int_eq(slack_classify(429, NULL, -1, &d, msg, sizeof msg),
                     CO_RETRY);
    ck_assert_uint_eq(d, 1000);
    ck_assert_int_eq(
        slack_classify(500, "rollup_error", -1, &d, msg, sizeof msg), CO_RETRY);
    ck_assert_int_eq(
        slack_classify(400, "invalid_payload", -1, &d, msg, sizeof msg),
        CO_FAIL);
    ck_assert_str_eq(msg, "slack: HTTP 400 invalid_payload");
    ck_assert_int_eq(
        slack_classify(410, "channel_is_archived", -1, &d, msg, sizeof msg),
        CO_FAIL);
    ck_assert_int_eq(slack_classify(404, "no_service", -1, &d, msg, sizeof msg),
                     CO_FAIL);
    ck_assert_str_eq(msg, "slack: HTTP 404 no_service");
    /* {"ok":false} is never success, even with HTTP 200 */
    ck_assert_int_eq(
        slack_classify(200, "{\"ok\":false,\"error\":\"channel_not_found\"}",
                       -1, &d, msg, sizeof msg),
        CO_FAIL);
    ck_assert_str_eq(msg, "slack: HTTP 200 ok:false channel_not_found");
    ck_assert_int_eq(slack_classify(200,
                                    "{\"ok\":false,\"error\":\"invalid_auth\"}",
                                    -1, &d, msg, sizeof msg),
                     CO_FAIL);
    ck_assert_int_eq(slack_classify(200,
                                    "{\"ok\":false,\"error\":\"ratelimited\"}",
                                    3000, &d, msg, sizeof msg),
                     CO_RETRY);
    ck_assert_uint_eq(d, 3000);
    ck_assert_int_eq(
        slack_classify(503, "{\"ok\":false}", -1, &d, msg, sizeof msg),
        CO_RETRY);
    ck_assert_int_eq(
        slack_classify(200, "{\"ok\":true}", -1, &d, msg, sizeof msg), CO_OK);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("slack_format");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, escape_three_characters_only);
    tcase_add_test(tc, correction_posted_under_notice_key);
    tcase_add_test(tc, truncate_marks_with_ellipsis);
    tcase_add_test(tc, interview_blocks);
    tcase_add_test(tc, hostile_subject_is_escaped);
    tcase_add_test(tc, hostile_source_link_cannot_break_out);
    tcase_add_test(tc, limits_respected);
    tcase_add_test(tc, bad_records_named);
    tcase_add_test(tc, repeat_marked);
    tcase_add_test(tc, past_and_email_date);
    tcase_add_test(tc, deadline_label);
    tcase_add_test(tc, past_against_given_now);
    tcase_add_test(tc, classify_answers);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
