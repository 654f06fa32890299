/**
 * @file plugins/slack-sink/tests/test_slack_sink.c
 * @brief slack-sink through co_plugin_entry() and the fake host (simulated
 *        clock, in-memory idempotency keys) against the in-process fake
 *        Slack webhook.
 */
#include "co_fake_host.h"
#include "co_fake_slack.h"
#include "co_test.h"
#include "slack_test_data.h"

#include <jansson.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a);

static co_fake_t *fake;
static co_fake_slack_t *slack;
static co_fake_host_t *host;
static const co_plugin_t *plugin;
static co_fake_plugin_t run; /* the plugin under test */

static void setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    fake = co_fake_start(0);
    ck_assert_ptr_nonnull(fake);
    slack = co_fake_slack_install(fake);
    ck_assert_ptr_nonnull(slack);
    host = co_fake_host_new();
    plugin = co_plugin_entry(&host->api);
}

static void teardown(void)
{
    co_fake_host_stop_plugin(&run);
    co_fake_host_free(host);
    co_fake_stop(fake);
}

/* Starts the plugin posting to `path` on the fake. */
static co_status_t start_plugin(const char *path, const char *on_pending)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", co_fake_url(fake), path);
    json_t *conf = json_pack("{s:s}", "webhook_url", url);
    if (on_pending != NULL)
        json_object_set_new(conf, "on_pending", json_string(on_pending));
    co_status_t s = co_fake_host_start_plugin(host, plugin, conf, NULL, &run);
    if (s == CO_OK)
        ck_assert_int_eq(run.faults, 0);
    return s;
}

static co_status_t deliver(const char *key, const char *subject, int retries,
                           int *attempts)
{
    char *v = slack_test_notification(key, subject);
    co_record_t rec = CO_RECORD_INIT;
    rec.value = v;
    rec.value_len = strlen(v);
    co_status_t st =
        co_fake_host_process(host, plugin, run.inst, &rec, retries, attempts);
    free(v);
    return st;
}

/* The stage's `now` option (the demo's CAREEROPS_DEMO_NOW, as for
 * console-sink) is the clock a scheduled date is marked past against. */
START_TEST(now_option_is_the_clock)
{
    char url[256];
    snprintf(url, sizeof url, "%s/services/T1/B1/N1", co_fake_url(fake));
    json_t *conf = json_pack("{s:s, s:s}", "webhook_url", url, "now",
                             "2025-03-01T00:00:00Z"); /* before the date */
    ck_assert_int_eq(co_fake_host_start_plugin(host, plugin, conf, NULL, &run),
                     CO_OK);
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    char *body = co_fake_slack_post_at(slack, 0);
    ck_assert_ptr_nonnull(body);
    ck_assert_ptr_nonnull(strstr(body, SLACK_TEST_SHOWN));
    ck_assert_ptr_null(strstr(body, ", past"));
    free(body);
    co_fake_host_stop_plugin(&run);
    /* a bad `now` is refused at start, naming the option and the fix */
    conf = json_pack("{s:s, s:s}", "webhook_url", url, "now", "yesterday");
    ck_assert_int_eq(co_fake_host_start_plugin(host, plugin, conf, NULL, &run),
                     CO_FATAL);
    ck_assert_ptr_nonnull(
        strstr(host->error_msg, "now: \"yesterday\" is not a time"));
    ck_assert_ptr_nonnull(strstr(host->error_msg, "RFC 3339"));
}
END_TEST

START_TEST(interview_posted_once)
{
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", NULL), CO_OK);
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
    char *body = co_fake_slack_post_at(slack, 0);
    json_t *m = json_loads(body, 0, NULL);
    char *blocks = json_dumps(json_object_get(m, "blocks"), JSON_COMPACT);
    ck_assert_ptr_nonnull(strstr(blocks, "Lindqvist Robotics"));
    ck_assert_ptr_nonnull(strstr(blocks, SLACK_TEST_SHOWN));
    ck_assert_ptr_nonnull(strstr(blocks, SLACK_TEST_BRIEFING));
    free(blocks);
    json_decref(m);
    free(body);
    /* the same event again (replay, redelivery): no second post */
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
    ck_assert_uint_eq(co_fake_slack_attempts(slack), 1);
    ck_assert(co_fake_host_metric(host, "skipped_duplicates") == 1);
    ck_assert(co_fake_host_metric(host, "posted") == 1);
}
END_TEST

START_TEST(hostile_subject_arrives_escaped)
{
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", NULL), CO_OK);
    ck_assert_int_eq(deliver(NULL,
                             "Re: <!channel> <https://evil.test|click> & more",
                             3, NULL),
                     CO_OK);
    const co_fake_request_t *r = co_fake_last_request(fake);
    ck_assert_ptr_null(strstr(r->body, "<!channel>"));
    ck_assert_ptr_null(strstr(r->body, "<https://evil.test"));
    ck_assert_ptr_nonnull(strstr(
        r->body, "Re: &lt;!channel&gt; &lt;https://evil.test|click&gt; &amp; "
                 "more"));
}
END_TEST

START_TEST(rate_limited_twice_then_ok)
{
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", NULL), CO_OK);
    co_fake_slack_push(slack, 429, NULL, 2);
    co_fake_slack_push(slack, 429, NULL, 2);
    int attempts = 0;
    int64_t t0 = host->now_ms;
    ck_assert_int_eq(deliver(NULL, NULL, 5, &attempts), CO_OK);
    ck_assert_int_eq(attempts, 3);
    ck_assert_uint_eq(co_fake_slack_attempts(slack), 3);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
    /* waited (simulated) for both Retry-After: 2 */
    ck_assert_int_ge(host->now_ms - t0, 4000);
    ck_assert_int_ge(host->slept_ms, 4000);
    /* the post after 429s is not marked as a repeat */
    char *body = co_fake_slack_post_at(slack, 0);
    ck_assert_ptr_null(strstr(body, "possible repeat"));
    free(body);
}
END_TEST

START_TEST(server_error_retried)
{
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", NULL), CO_OK);
    co_fake_slack_push(slack, 500, "rollup_error", -1);
    int attempts = 0;
    ck_assert_int_eq(deliver(NULL, NULL, 3, &attempts), CO_OK);
    ck_assert_int_eq(attempts, 2);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
}
END_TEST

/* 4xx answers go to the dead-letter topic with Slack's body. */
static void expect_fail(const char *path, int push_status,
                        const char *push_body, const char *want)
{
    ck_assert_int_eq(start_plugin(path, NULL), CO_OK);
    if (push_status)
        co_fake_slack_push(slack, push_status, push_body, -1);
    int attempts = 0;
    ck_assert_int_eq(deliver(NULL, NULL, 3, &attempts), CO_FAIL);
    ck_assert_int_eq(attempts, 1);
    ck_assert_uint_eq(host->dead_cnt, 1);
    ck_assert_msg(strstr(host->dead[0].message, want) != NULL,
                  "dead letter says '%s'", host->dead[0].message);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 0);
}

START_TEST(invalid_payload_fails)
{
    expect_fail("/services/T1/B1/X1", 400, "invalid_payload",
                "HTTP 400 invalid_payload");
}
END_TEST

START_TEST(archived_channel_fails)
{
    expect_fail("/services/archived/B1/X1", 0, NULL,
                "HTTP 410 channel_is_archived");
}
END_TEST

START_TEST(no_service_fails)
{
    expect_fail("/services/gone/B1/X1", 0, NULL, "HTTP 404 no_service");
}
END_TEST

START_TEST(channel_not_found_fails)
{
    expect_fail("/services/notfound/B1/X1", 0, NULL,
                "HTTP 404 channel_not_found");
}
END_TEST

START_TEST(revoked_token_fails)
{
    expect_fail("/services/revoked/B1/X1", 0, NULL, "HTTP 403 invalid_token");
}
END_TEST

/* {"ok":false} with HTTP 200 is not a post */
START_TEST(ok_false_fails)
{
    expect_fail("/services/webapi/B1/X1", 0, NULL,
                "HTTP 200 ok:false invalid_auth");
    ck_assert(co_fake_host_metric(host, "posted") == 0);
}
END_TEST

START_TEST(failed_then_replayed_not_marked)
{
    /* a dead-lettered event replayed later is posted as new, since Slack
     * said it did not post it */
    expect_fail("/services/T1/B1/X1", 400, "invalid_payload",
                "invalid_payload");
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
    char *body = co_fake_slack_post_at(slack, 0);
    ck_assert_ptr_null(strstr(body, "possible repeat"));
    free(body);
}
END_TEST

START_TEST(pending_claim_reposted_marked)
{
    /* a crash between Slack's answer and idem_commit leaves the claim
     * pending: simulate it by claiming the key as a previous run did */
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", NULL), CO_OK);
    ck_assert_int_eq(
        host->api.idem_begin(co_fake_host_stage(host), SLACK_TEST_KEY),
        CO_IDEM_NEW);
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
    char *body = co_fake_slack_post_at(slack, 0);
    ck_assert_ptr_nonnull(strstr(body, "possible repeat"));
    free(body);
    ck_assert(co_fake_host_metric(host, "possible_repeats") == 1);
    /* and it is done now */
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
}
END_TEST

START_TEST(pending_claim_skipped)
{
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", "skip"), CO_OK);
    host->api.idem_begin(co_fake_host_stage(host), SLACK_TEST_KEY);
    ck_assert_int_eq(deliver(NULL, NULL, 3, NULL), CO_OK);
    ck_assert_uint_eq(co_fake_slack_attempts(slack), 0);
    ck_assert(co_fake_host_metric(host, "pending_skipped") == 1);
}
END_TEST

START_TEST(bad_record_dead_lettered)
{
    ck_assert_int_eq(start_plugin("/services/T1/B1/X1", NULL), CO_OK);
    const char *v = "{\"schema\":\"careerops.event.v1\"}";
    co_record_t rec = CO_RECORD_INIT;
    rec.value = v;
    rec.value_len = strlen(v);
    ck_assert_int_eq(
        co_fake_host_process(host, plugin, run.inst, &rec, 3, NULL), CO_FAIL);
    ck_assert_str_eq(host->dead[0].error_class, "schema");
    ck_assert_uint_eq(co_fake_slack_attempts(slack), 0);
}
END_TEST

START_TEST(bad_config_fatal)
{
    /* refused by check() before init(), as validate and run refuse it */
    ck_assert_int_eq(start_plugin("/services/x", "sometimes"), CO_FATAL);
    ck_assert_int_eq(run.faults, 1);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "on_pending"));
    co_fake_host_stop_plugin(&run);
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    json_t *conf = json_pack("{s:s}", "webhook_url",
                             "https://hooks.slack.example/services/T/B/X");
    co_status_t s = co_fake_host_start_plugin(host, plugin, conf, NULL, &run);
    ck_assert_int_eq(s, CO_FATAL);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "webhook_url"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("slack_sink");
    TCase *tc = tcase_create("sink");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, interview_posted_once);
    tcase_add_test(tc, now_option_is_the_clock);
    tcase_add_test(tc, hostile_subject_arrives_escaped);
    tcase_add_test(tc, rate_limited_twice_then_ok);
    tcase_add_test(tc, server_error_retried);
    tcase_add_test(tc, invalid_payload_fails);
    tcase_add_test(tc, archived_channel_fails);
    tcase_add_test(tc, no_service_fails);
    tcase_add_test(tc, channel_not_found_fails);
    tcase_add_test(tc, revoked_token_fails);
    tcase_add_test(tc, ok_false_fails);
    tcase_add_test(tc, failed_then_replayed_not_marked);
    tcase_add_test(tc, pending_claim_reposted_marked);
    tcase_add_test(tc, pending_claim_skipped);
    tcase_add_test(tc, bad_record_dead_lettered);
    tcase_add_test(tc, bad_config_fatal);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
