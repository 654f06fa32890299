/**
 * @file plugins/slack-sink/tests/test_alerts.c
 * @brief core/alerts.c with an injected clock against the in-process fake
 *        Slack webhook and fake PagerDuty Events API v2.
 */
#include "alerts.h"
#include "co_fake_slack.h"
#include "co_test.h"

#include <jansson.h>

#define T0     1735689600000LL /* 2025-01-01T00:00:00Z */
#define PD_KEY "0123456789abcdef0123456789abcdef"

static co_fake_t *fake;
static co_fake_slack_t *slack;
static char url[256];
static co_manifest_t m;

static void setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    fake = co_fake_start(0);
    ck_assert_ptr_nonnull(fake);
    slack = co_fake_slack_install(fake);
    memset(&m, 0, sizeof m);
    m.pipeline = "demo";
    m.alerts.dlq_depth = 10;
    m.alerts.consumer_lag = 100;
    m.alerts.topic = "alerts";
    snprintf(url, sizeof url, "%s/services/T0/B0/ALERTS", co_fake_url(fake));
    m.alerts.webhook_url = url;
}

static void teardown(void)
{
    co_fake_stop(fake);
}

static json_t *next_record(co_alerts_t *a)
{
    char *s = NULL;
    ck_assert_int_eq(co_alerts_pending_record(a, &s), 1);
    json_t *j = json_loads(s, 0, NULL);
    ck_assert_ptr_nonnull(j);
    free(s);
    return j;
}

#define JSTR(j, k) json_string_value(json_object_get((j), (k)))

START_TEST(eleven_dead_letters_one_alert_then_one_resolve)
{
    co_alerts_t *a = co_alerts_new(&m);
    ck_assert_ptr_nonnull(a);
    int64_t now = T0;
    /* the depth grows one dead letter per second up to 11, stays there */
    for (int d = 0; d <= 11; d++, now += 1000)
        co_alerts_tick(a, d, 0, now);
    for (int i = 0; i < 20; i++, now += 1000)
        co_alerts_tick(a, 11 + i % 3, 0, now);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    co_alerts_counts_t c;
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 1);
    ck_assert_int_eq(c.resolves, 0);
    ck_assert_int_eq(c.posted, 1);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 1);
    char *post = co_fake_slack_post_at(slack, 0);
    ck_assert_ptr_nonnull(strstr(post, "dead-letter depth 11 is above 10"));
    free(post);

    /* falls back under the threshold: one resolve, however many ticks */
    for (int i = 0; i < 10; i++, now += 1000)
        co_alerts_tick(a, 10 - i % 4, 0, now);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 1);
    ck_assert_int_eq(c.resolves, 1);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 2);
    post = co_fake_slack_post_at(slack, 1);
    ck_assert_ptr_nonnull(strstr(post, "back to or under 10"));
    free(post);

    /* the records for the alerts topic */
    json_t *r1 = next_record(a), *r2 = next_record(a);
    char *none = NULL;
    ck_assert_int_eq(co_alerts_pending_record(a, &none), 0);
    ck_assert_str_eq(JSTR(r1, "schema"), "careerops.alert.v1");
    ck_assert_str_eq(JSTR(r1, "alert"), "dlq_depth");
    ck_assert_str_eq(JSTR(r1, "action"), "trigger");
    ck_assert_int_eq(json_integer_value(json_object_get(r1, "value")), 11);
    ck_assert_int_eq(json_integer_value(json_object_get(r1, "threshold")), 10);
    /* the injected clock: the 12th tick (depth 11) at T0 + 11 s */
    ck_assert_str_eq(JSTR(r1, "time"), "2025-01-01T00:00:11.000Z");
    ck_assert_str_eq(JSTR(r1, "dedup_key"),
                     "careerops/demo/dlq_depth/1735689611000");
    ck_assert_str_eq(JSTR(r2, "action"), "resolve");
    ck_assert_str_eq(JSTR(r2, "dedup_key"), JSTR(r1, "dedup_key"));
    ck_assert_str_eq(co_alerts_topic(a), "alerts");
    json_decref(r1);
    json_decref(r2);
    co_alerts_free(a);
}
END_TEST

START_TEST(each_crossing_alerts_again)
{
    co_alerts_t *a = co_alerts_new(&m);
    int64_t now = T0;
    int depths[] = {11, 12, 3, 15, 15, 2};
    for (size_t i = 0; i < sizeof depths / sizeof *depths; i++, now += 1000)
        co_alerts_tick(a, depths[i], -1, now);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    co_alerts_counts_t c;
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 2);
    ck_assert_int_eq(c.resolves, 2);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 4);
    co_alerts_free(a);
}
END_TEST

START_TEST(consumer_lag_alert)
{
    co_alerts_t *a = co_alerts_new(&m);
    co_alerts_tick(a, 0, 100, T0);
    co_alerts_tick(a, 0, 101, T0 + 1000);
    co_alerts_tick(a, 0, 5000, T0 + 2000);
    co_alerts_tick(a, 0, 100, T0 + 3000);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    json_t *r1 = next_record(a), *r2 = next_record(a);
    ck_assert_str_eq(JSTR(r1, "alert"), "consumer_lag");
    ck_assert_int_eq(json_integer_value(json_object_get(r1, "value")), 101);
    ck_assert_str_eq(JSTR(r2, "action"), "resolve");
    json_decref(r1);
    json_decref(r2);
    ck_assert_uint_eq(co_fake_slack_posts(slack), 2);
    co_alerts_free(a);
}
END_TEST

START_TEST(pagerduty_trigger_and_resolve)
{
    snprintf(url, sizeof url, "%s/v2/enqueue", co_fake_url(fake));
    m.alerts.kind = "pagerduty";
    m.alerts.routing_key = PD_KEY;
    co_alerts_t *a = co_alerts_new(&m);
    co_alerts_tick(a, 11, 0, T0);
    co_alerts_tick(a, 0, 0, T0 + 1000);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    ck_assert_uint_eq(co_fake_pagerduty_events(slack), 2);
    char *e1 = co_fake_pagerduty_event_at(slack, 0);
    char *e2 = co_fake_pagerduty_event_at(slack, 1);
    json_t *j1 = json_loads(e1, 0, NULL), *j2 = json_loads(e2, 0, NULL);
    ck_assert_str_eq(JSTR(j1, "event_action"), "trigger");
    ck_assert_str_eq(JSTR(j1, "routing_key"), PD_KEY);
    ck_assert_str_eq(JSTR(j1, "dedup_key"),
                     "careerops/demo/dlq_depth/1735689600000");
    json_t *p = json_object_get(j1, "payload");
    ck_assert_str_eq(JSTR(p, "severity"), "error");
    ck_assert_str_eq(JSTR(p, "source"), "demo");
    ck_assert_ptr_nonnull(strstr(JSTR(p, "summary"), "dead-letter depth 11"));
    ck_assert_str_eq(JSTR(j2, "event_action"), "resolve");
    ck_assert_str_eq(JSTR(j2, "dedup_key"), JSTR(j1, "dedup_key"));
    co_alerts_counts_t c;
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.posted, 2);
    json_decref(j1);
    json_decref(j2);
    free(e1);
    free(e2);
    co_alerts_free(a);
}
END_TEST

START_TEST(pagerduty_bad_key_counted_as_error)
{
    snprintf(url, sizeof url, "%s/v2/enqueue", co_fake_url(fake));
    m.alerts.kind = "pagerduty";
    m.alerts.routing_key = "short";
    co_alerts_t *a = co_alerts_new(&m);
    co_alerts_tick(a, 11, 0, T0);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    co_alerts_counts_t c;
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.posted, 0);
    ck_assert_int_eq(c.post_errors, 1);
    /* 400 is final: one request only */
    ck_assert_uint_eq(co_fake_request_count(fake), 1);
    co_alerts_free(a);
}
END_TEST

START_TEST(post_retried_after_server_error)
{
    co_fake_slack_push(slack, 500, "rollup_error", -1);
    co_alerts_t *a = co_alerts_new(&m);
    co_alerts_tick(a, 11, 0, T0);
    ck_assert_int_eq(co_alerts_drain(a, 20000), 0);
    co_alerts_counts_t c;
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.posted, 1);
    ck_assert_uint_eq(co_fake_slack_attempts(slack), 2);
    co_alerts_free(a);
}
END_TEST

START_TEST(off_without_thresholds_and_log_only_without_url)
{
    m.alerts.dlq_depth = 0;
    m.alerts.consumer_lag = 0;
    ck_assert_ptr_null(co_alerts_new(&m));
    co_alerts_tick(NULL, 100, 100, T0); /* no-op */
    m.alerts.dlq_depth = 10;
    m.alerts.webhook_url = NULL;
    co_alerts_t *a = co_alerts_new(&m);
    ck_assert_ptr_nonnull(a);
    co_alerts_tick(a, 11, 1000000, T0);
    ck_assert_int_eq(co_alerts_drain(a, 1000), 0);
    json_t *r = next_record(a);
    ck_assert_str_eq(JSTR(r, "alert"), "dlq_depth");
    json_decref(r);
    ck_assert_uint_eq(co_fake_request_count(fake), 0);
    co_alerts_free(a);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("alerts");
    TCase *tc = tcase_create("alerts");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, eleven_dead_letters_one_alert_then_one_resolve);
    tcase_add_test(tc, each_crossing_alerts_again);
    tcase_add_test(tc, consumer_lag_alert);
    tcase_add_test(tc, pagerduty_trigger_and_resolve);
    tcase_add_test(tc, pagerduty_bad_key_counted_as_error);
    tcase_add_test(tc, post_retried_after_server_error);
    tcase_add_test(tc, off_without_thresholds_and_log_only_without_url);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
