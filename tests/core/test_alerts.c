/* core/alerts.c with an injected clock and no webhook: alerts.for_s holds
 * a crossing back until it has lasted that long (like Prometheus' `for:`);
 * a dip under the threshold restarts the wait; while pending nothing is
 * fired (one WARN line), then exactly one trigger and one resolve. */
#include "co_test.h"

#include "alerts.h"

#include <jansson.h>

#define T0 1735689600000LL /* 2025-01-01T00:00:00Z */

static co_manifest_t m;

static int pending_records(co_alerts_t *a, const char *action)
{
    int n = 0;
    char *j;
    while (co_alerts_pending_record(a, &j)) {
        json_t *r = json_loads(j, 0, NULL);
        if (strcmp(json_string_value(json_object_get(r, "action")), action) ==
            0)
            n++;
        json_decref(r);
        free(j);
    }
    return n;
}

START_TEST(for_s_holds_the_alert_back)
{
    memset(&m, 0, sizeof m);
    m.pipeline = "p";
    m.alerts.dlq_depth = 0; /* off */
    m.alerts.consumer_lag = 100;
    m.alerts.for_s = 60;
    m.alerts.topic = "alerts";
    co_alerts_t *a = co_alerts_new(&m);
    ck_assert_ptr_nonnull(a);
    co_alerts_counts_t c;
    /* an import: lag high for 40 s, then back: never fires */
    for (int s = 0; s <= 40; s += 5)
        co_alerts_tick(a, -1, 5000, T0 + s * 1000LL);
    co_alerts_tick(a, -1, 10, T0 + 45000);
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 0);
    ck_assert_int_eq(pending_records(a, "trigger"), 0);
    /* high again: the 60 s start over from here (T0+50 s) */
    co_alerts_tick(a, -1, 500, T0 + 50000);
    co_alerts_tick(a, -1, 500, T0 + 100000); /* 50 s: still pending */
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 0);
    co_alerts_tick(a, -1, 500, T0 + 110000); /* 60 s: fires */
    co_alerts_tick(a, -1, 900, T0 + 120000); /* still firing: no second */
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 1);
    ck_assert_int_eq(pending_records(a, "trigger"), 1);
    co_alerts_tick(a, -1, 100, T0 + 130000); /* back: resolved at once */
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.resolves, 1);
    ck_assert_int_eq(pending_records(a, "resolve"), 1);
    co_alerts_free(a);

    /* for_s 0: the first tick above fires */
    m.alerts.for_s = 0;
    a = co_alerts_new(&m);
    co_alerts_tick(a, -1, 101, T0);
    co_alerts_counts(a, &c);
    ck_assert_int_eq(c.alerts, 1);
    co_alerts_free(a);
}
END_TEST

START_TEST(for_s_from_the_manifest)
{
    const char *text = "{\"pipeline\":\"p\",\"alerts\":{\"for_s\":5},"
                       "\"stages\":[{\"name\":\"s\",\"plugin\":\"mock-source\","
                       "\"output\":\"a\"}]}";
    co_diag_t d = {0};
    co_manifest_t *mf = co_manifest_load_buffer(text, strlen(text), "m.json",
                                                "/tmp", NULL, &d);
    ck_assert_int_eq(d.n, 0);
    ck_assert_int_eq(mf->alerts.for_s, 5);
    co_manifest_free(mf);
    text = "{\"pipeline\":\"p\",\"stages\":[{\"name\":\"s\",\"plugin\":"
           "\"mock-source\",\"output\":\"a\"}]}";
    mf = co_manifest_load_buffer(text, strlen(text), "m.json", "/tmp", NULL,
                                 &d);
    ck_assert_int_eq(mf->alerts.for_s, 60); /* the default */
    co_manifest_free(mf);
    const char *bad = "{\"pipeline\":\"p\",\"alerts\":{\"for_s\":-1},"
                      "\"stages\":[{\"name\":\"s\",\"plugin\":\"mock-source\","
                      "\"output\":\"a\"}]}";
    mf = co_manifest_load_buffer(bad, strlen(bad), "m.json", "/tmp", NULL, &d);
    ck_assert_int_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msgs[0], "alerts.for_s"));
    co_diag_free(&d);
    co_manifest_free(mf);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("alerts");
    TCase *t = tcase_create("for_s");
    tcase_add_test(t, for_s_holds_the_alert_back);
    tcase_add_test(t, for_s_from_the_manifest);
    suite_add_tcase(s, t);
    return s;
}
CO_TEST_MAIN(suite)
