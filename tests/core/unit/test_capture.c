/* The in-process capture (careerops eval's engine) with the host's retry
 * and rate-limit rules on the simulated clock, using the mock plugins. */
#include "co_test.h"

#include "capture.h"

#include <stdint.h>
#include <unistd.h>

static char dir[256];

static const char *manifest(const char *stage_extra)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{\"pipeline\":\"cap\",\"stages\":[{\"name\":\"p\","
            "\"plugin\":\"%s\",\"input\":\"in\",\"output\":\"out\"%s}]}",
            strstr(stage_extra, "fail_every") ? "mock-fault"
                                              : "mock-passthrough",
            stage_extra);
    fclose(f);
    return path;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/co-cap-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void feed(co_capture_t *c, const char *company, int seq)
{
    char v[128];
    snprintf(v, sizeof v, "{\"seq\":%d,\"company\":\"%s\"}", seq, company);
    ck_assert_int_eq(co_capture_process(c, "k", 1, v, strlen(v)), CO_OK);
}

START_TEST(rate_limit_stage_wide)
{
    char e[2048];
    co_capture_t *c = co_capture_new(
        manifest(",\"rate_limit\":{\"per_minute\":5,\"burst\":1}"), "p", NULL,
        e, sizeof e);
    ck_assert_msg(c != NULL, "%s", e);
    int64_t t0 = co_capture_now_ms(c);
    for (int i = 0; i < 12; i++)
        feed(c, i % 2 ? "A" : "B", i + 1);
    int64_t el = co_capture_now_ms(c) - t0;
    ck_assert_int_ge(el, 131000); /* 11 waits of 12 s */
    ck_assert_int_le(el, 133000);
    ck_assert_uint_eq(co_capture_count(c), 12);
    co_capture_destroy(c);
}
END_TEST

START_TEST(rate_limit_per_key)
{
    char e[2048];
    co_capture_t *c =
        co_capture_new(manifest(",\"rate_limit\":{\"per_minute\":5,\"burst\":1,"
                                "\"key\":\"company\"}"),
                       "p", NULL, e, sizeof e);
    ck_assert_msg(c != NULL, "%s", e);
    int64_t t0 = co_capture_now_ms(c);
    for (int i = 0; i < 6; i++) /* A B A B A B: two buckets */
        feed(c, i % 2 ? "A" : "B", i + 1);
    int64_t el = co_capture_now_ms(c) - t0;
    ck_assert_int_ge(el, 23000); /* 2 waits of 12 s per key, interleaved */
    ck_assert_int_le(el, 25000);
    co_capture_destroy(c);
}
END_TEST

START_TEST(retry_then_fail_on_simulated_clock)
{
    char e[2048];
    const char *sets[] = {"stages.p.config.fail_every=1000",
                          "stages.p.config.retry_every=1",
                          "stages.p.config.retry_times=5", NULL};
    co_capture_t *c = co_capture_new(
        manifest(",\"config\":{\"fail_every\":1000},"
                 "\"errors\":{\"retries\":3,\"backoff_ms\":1000}"),
        "p", sets, e, sizeof e);
    ck_assert_msg(c != NULL, "%s", e);
    const char *v = "{\"seq\":1}";
    /* RETRY 5 times > 3 retries: FAIL, with the reason */
    ck_assert_int_eq(co_capture_process(c, "k", 1, v, strlen(v)), CO_FAIL);
    ck_assert_ptr_nonnull(strstr(co_capture_error(c), "gave up after 3"));
    ck_assert_uint_eq(co_capture_count(c), 0);
    co_capture_destroy(c);
    /* a bad manifest is reported with its path */
    c = co_capture_new(manifest(",\"config\":{\"nope\":1}"), "p", NULL, e,
                       sizeof e);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(e, "stages[0] (p).config.nope"));
}
END_TEST

static Suite *capture_suite(void)
{
    Suite *s = suite_create("capture");
    TCase *tc = tcase_create("capture");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, rate_limit_stage_wide);
    tcase_add_test(tc, rate_limit_per_key);
    tcase_add_test(tc, retry_then_fail_on_simulated_clock);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(capture_suite)
