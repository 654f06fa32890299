/* Unit tests of core/backpressure.c on librdkafka's mock cluster: the mock
 * is recognised from its metadata, and a downstream group that has not
 * committed yet counts from offset 0 (never "unknown, ignore"). */
#include "co_test.h"

#include "backpressure.h"
#include "kafka.h"

#include <stdint.h>

static co_manifest_t *load(const char *bootstrap)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"pipeline\":\"bpunit\",\"kafka\":{\"bootstrap.servers\":"
             "\"%s\"},\"defaults\":{\"partitions\":2},\"stages\":["
             "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
             "{\"name\":\"sink\",\"plugin\":\"mock-sink\",\"input\":\"a\","
             "\"config\":{\"path\":\"x\"}}]}",
             bootstrap);
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load_buffer(text, strlen(text),
                                               "bpunit.json", ".", NULL, &d);
    ck_assert_ptr_nonnull(m);
    co_diag_free(&d);
    return m;
}

/* Commit `offset` on partition 0 of topic a for the sink's group. */
static void commit_sink(co_manifest_t *m, const char *bootstrap, int64_t offset)
{
    char e[512], g[300];
    co_kafka_group_id(m, "sink", g, sizeof g);
    rd_kafka_conf_t *conf = co_kafka_conf_new(m, bootstrap, e, sizeof e);
    ck_assert_ptr_nonnull(conf);
    ck_assert_int_eq(co_kafka_set(conf, "group.id", g, e, sizeof e), 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
    ck_assert_ptr_nonnull(rk);
    rd_kafka_topic_partition_list_t *pl = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(pl, "a", 0)->offset = offset;
    ck_assert_int_eq(rd_kafka_commit(rk, pl, 0), 0);
    rd_kafka_topic_partition_list_destroy(pl);
    rd_kafka_destroy(rk);
}

START_TEST(mock_recognised_and_unknown_commit_counts_from_zero)
{
    char e[512];
    co_embedded_t *em = co_embedded_start(1, e, sizeof e);
    ck_assert_ptr_nonnull(em);
    const char *bs = co_embedded_bootstraps(em);
    ck_assert_int_eq(co_embedded_create_topic(em, "a", 2), 0);
    co_manifest_t *m = load(bs);
    ck_assert_int_eq(co_bp_broker_is_mock(m, bs, 10000), 1);

    co_runtime_t rt;
    memset(&rt, 0, sizeof rt);
    rt.m = m;
    rt.bootstrap = (char *)bs;
    rt.mock_broker = 1;
    pthread_mutex_init(&rt.bp_lock, NULL);
    ck_assert_int_eq(co_bp_limit(&rt, 0), CO_MOCK_PARTITION_SETS * 4 / 10);
    ck_assert_int_eq(co_bp_limit(&rt, 1), 0);
    co_run_opts_t o = {0};
    const char *only_src[] = {"src", NULL};
    o.stages = only_src; /* a source host: the sink runs elsewhere */
    co_bp_init(&rt, &o);
    ck_assert_uint_eq(rt.n_bp, 1);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 0), -2);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "b", 0), -1);
    co_bp_tick(&rt); /* the sink has not committed: it counts from 0 */
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 0), 0);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 1), 0);
    commit_sink(m, bs, 7);
    co_bp_tick(&rt);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 0), 7);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 1), 0);
    co_bp_free(&rt);
    pthread_mutex_destroy(&rt.bp_lock);
    co_manifest_free(m);
    co_embedded_stop(em);
}
END_TEST

START_TEST(real_limit_without_mock)
{
    co_runtime_t rt;
    memset(&rt, 0, sizeof rt);
    ck_assert_int_eq(co_bp_limit(&rt, 0), CO_BP_LIMIT_RECORDS);
}
END_TEST

static Suite *bp_suite(void)
{
    Suite *s = suite_create("backpressure");
    TCase *tc = tcase_create("backpressure");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, mock_recognised_and_unknown_commit_counts_from_zero);
    tcase_add_test(tc, real_limit_without_mock);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(bp_suite)
