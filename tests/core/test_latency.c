/* The latency histogram of co_stage_process_one() (core/stage.c) when the
 * worker chains the records of a batch: the clock is read once per block
 * of up to 32 records while blocks end within their first millisecond,
 * yet every record is counted once; a slow record is observed with its
 * own time, and from then on each record has its own clock reads. */
#include "co_test.h"

#include "kafka.h"
#include "metrics.h"
#include "port.h"
#include "stage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static co_manifest_t *load(const char *bootstrap, const char *dir)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"pipeline\":\"latunit\",\"kafka\":{\"bootstrap.servers\":"
             "\"%s\"},\"stages\":["
             "{\"name\":\"fast\",\"plugin\":\"mock-sink\",\"input\":\"a\","
             "\"config\":{\"path\":\"%s/out.jsonl\"}},"
             "{\"name\":\"slow\",\"plugin\":\"mock-fault\",\"input\":\"a\","
             "\"output\":\"b\",\"config\":{\"sleep_ms\":3}}]}",
             bootstrap, dir);
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load_buffer(text, strlen(text),
                                               "latunit.json", dir, NULL, &d);
    ck_assert_msg(m != NULL, "manifest: %s", d.n ? d.msgs[0] : "(no detail)");
    co_diag_free(&d);
    return m;
}

/* The longest latency block seen (blocks shrink back to one record when
 * one crosses a millisecond, which a slow machine makes happen now and
 * then). */
static uint32_t max_block;

/* Process n records as the worker does within one batch (the first one
 * alone, the others chained), then end the batch. */
static void batch(co_stage_t *st, int n)
{
    co_record_t rec = CO_RECORD_INIT;
    rec.value = "{\"n\":1}";
    rec.value_len = strlen(rec.value);
    rec.topic = "a";
    for (int i = 0; i < n; i++) {
        st->lat_start_ms = i ? st->lat_end_ms : -1;
        ck_assert_int_eq(co_stage_process_one(st, &rec), CO_OK);
        if (st->lat_block > max_block)
            max_block = st->lat_block;
    }
    co_stage_lat_close(st);
    co_stage_publish_counts(st);
}

/* The histogram's count for stage `name`, from the rendered metrics. */
static long count_of(const char *name)
{
    char *txt = co_metrics_render(), key[128];
    snprintf(key, sizeof key,
             "careerops_processing_seconds_count{stage=\"%s\"} ", name);
    const char *p = strstr(txt, key);
    long n = p ? strtol(p + strlen(key), NULL, 10) : -1;
    free(txt);
    return n;
}

START_TEST(every_record_counted_with_fewer_clock_reads)
{
    char e[1024], dir[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/co-latunit.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    co_embedded_t *em = co_embedded_start(1, e, sizeof e);
    ck_assert_msg(em != NULL, "embedded broker: %s", e);
    const char *bs = co_embedded_bootstraps(em);
    ck_assert_int_eq(co_embedded_create_topic(em, "b", 1), 0);
    co_manifest_t *m = load(bs, dir);
    int stop = 0;
    co_stage_env_t env = {.stop = &stop};

    /* fast records: all counted; blocks grow past one record */
    co_stage_t *fast = co_stage_new(&env, m, &m->stages[0], 0, bs, e, sizeof e);
    ck_assert_msg(fast != NULL, "stage: %s", e);
    if (fast->ph->desc->start)
        ck_assert_int_eq(fast->ph->desc->start(fast->inst), CO_OK);
    for (int b = 0; b < 10; b++)
        batch(fast, 256);
    ck_assert_int_eq(count_of("fast"), 2560);
    ck_assert_uint_gt(max_block, 1);
    ck_assert_uint_eq(fast->lat_pend, 0);

    /* 3 ms per record: each record its own observation, none at 0 */
    co_stage_t *slow = co_stage_new(&env, m, &m->stages[1], 0, bs, e, sizeof e);
    ck_assert_msg(slow != NULL, "stage: %s", e);
    ck_assert_int_eq(co_port_kafka_setup(slow, e, sizeof e), 0);
    batch(slow, 20);
    ck_assert_int_eq(count_of("slow"), 20);
    ck_assert_uint_eq(slow->lat_block, 1);
    char *txt = co_metrics_render();
    ck_assert_msg(strstr(txt, "careerops_processing_seconds_bucket{stage="
                              "\"slow\",le=\"0.001\"} 0\n") != NULL,
                  "a 3 ms record counted as under 1 ms");
    free(txt);
    slow->port->drain(slow, 10000);

    co_stage_free(fast);
    co_stage_free(slow);
    co_manifest_free(m);
    co_embedded_stop(em);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *lat_suite(void)
{
    Suite *s = suite_create("latency");
    TCase *tc = tcase_create("latency");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_record_counted_with_fewer_clock_reads);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(lat_suite)
