/* Unit tests of core/backpressure.c and co_stage_backpressure()
 * (core/worker_source.c) on librdkafka's mock cluster: the mock is
 * recognised from its metadata; a downstream group that has not committed
 * yet counts from offset 0 (never "unknown, ignore"); a source host that
 * starts on a topic already holding records counts them (issue 12's crash
 * test: ten restarted sources each ran a whole limit ahead until the mock
 * dropped records); a paused source saves its acknowledged positions. */
#include "co_test.h"

#include "backpressure.h"
#include "kafka.h"
#include "port.h"
#include "stage.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

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

/* ---- co_stage_backpressure() ------------------------------------------- */

/* The downstream position the fake runtime reports (-2: not measured). */
static int64_t fake_committed = -2;
static int64_t fake_downstream(void *arg, const char *topic, int32_t p)
{
    (void)arg;
    (void)p;
    return strcmp(topic, "a") == 0
               ? __atomic_load_n(&fake_committed, __ATOMIC_SEQ_CST)
               : -1;
}

/* Produce n records to partition 0 of a, as an earlier host did. */
static void prefill(const char *bootstrap, int n)
{
    char e[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    ck_assert_int_eq(
        rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, e, sizeof e),
        RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
    ck_assert_ptr_nonnull(rk);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(rd_kafka_producev(
                             rk, RD_KAFKA_V_TOPIC("a"), RD_KAFKA_V_PARTITION(0),
                             RD_KAFKA_V_VALUE("x", 1), RD_KAFKA_V_END),
                         0);
    ck_assert_int_eq(rd_kafka_flush(rk, 10000), 0);
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
    int mock = 0;
    ck_assert_int_eq(co_kafka_create_topics(m, bs, &mock, e, sizeof e), 0);
    ck_assert_int_eq(mock, 1);

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
    ck_assert_int_eq(co_bp_downstream_end(&rt, "a", 0), 0);
    commit_sink(m, bs, 7);
    prefill(bs, 12); /* another host's records count too */
    co_bp_tick(&rt);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 0), 7);
    ck_assert_int_eq(co_runtime_downstream_committed(&rt, "a", 1), 0);
    ck_assert_int_eq(co_bp_downstream_end(&rt, "a", 0), 12);
    ck_assert_int_eq(co_bp_downstream_end(&rt, "a", 1), 0);
    ck_assert_int_eq(co_bp_downstream_end(&rt, "b", 0), -1);
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

/* The end offset the fake runtime measured (-1: not measured). */
static int64_t fake_end = -1;
static int64_t fake_downstream_end(void *arg, const char *topic, int32_t p)
{
    (void)arg;
    return strcmp(topic, "a") == 0 && p == 0
               ? __atomic_load_n(&fake_end, __ATOMIC_SEQ_CST)
               : -1;
}

typedef struct {
    co_stage_t *st;
    int returned;
} bp_call_t;

static void *bp_thread(void *arg)
{
    bp_call_t *c = arg;
    co_stage_backpressure(c->st, "a");
    __atomic_store_n(&c->returned, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* 1 when the call returned within `ms` milliseconds. */
static int returned_within(bp_call_t *c, int ms)
{
    for (int i = 0;
         i < ms / 10 && !__atomic_load_n(&c->returned, __ATOMIC_SEQ_CST); i++)
        usleep(10 * 1000);
    return __atomic_load_n(&c->returned, __ATOMIC_SEQ_CST);
}

/* co_stage_backpressure() on topic b, which no stage reads. */
static void *bp_thread_b(void *arg)
{
    bp_call_t *c = arg;
    co_stage_backpressure(c->st, "b");
    __atomic_store_n(&c->returned, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static co_manifest_t *load_src(const char *bootstrap, const char *dir)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"pipeline\":\"bpunit\",\"kafka\":{\"bootstrap.servers\":"
             "\"%s\"},\"state\":\"file:%s/state.json\","
             "\"defaults\":{\"partitions\":2},\"stages\":["
             "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\","
             "\"commit_interval_ms\":50,\"config\":{\"count\":1}},"
             "{\"name\":\"sink\",\"plugin\":\"mock-sink\",\"input\":\"a\","
             "\"config\":{\"path\":\"x\"}}]}",
             bootstrap, dir);
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load_buffer(text, strlen(text),
                                               "bpunit.json", dir, NULL, &d);
    ck_assert_msg(m != NULL, "manifest: %s", d.n ? d.msgs[0] : "(no detail)");
    co_diag_free(&d);
    return m;
}

/* A source's test bed: a state folder under $TMPDIR, an embedded broker
 * with topic "a" (2 partitions); m is the test's manifest (load_src),
 * freed by bp_src_stop() with the broker and the folder. */
typedef struct {
    char dir[512];
    co_embedded_t *em;
    const char *bs;
    co_manifest_t *m;
} bp_src_fixture_t;

static void bp_src_start(bp_src_fixture_t *fx)
{
    char e[1024];
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/co-bpunit.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(fx->dir));
    fx->em = co_embedded_start(1, e, sizeof e);
    ck_assert_msg(fx->em != NULL, "embedded broker: %s", e);
    fx->bs = co_embedded_bootstraps(fx->em);
    ck_assert_int_eq(co_embedded_create_topic(fx->em, "a", 2), 0);
    fx->m = NULL;
}

static void bp_src_stop(bp_src_fixture_t *fx)
{
    co_manifest_free(fx->m);
    co_embedded_stop(fx->em);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A source host that starts (or restarts) on a topic whose partition 0
 * already holds 50 records its downstream group has not committed: with
 * a limit of 40 it must pause before its first record, not emit a whole
 * limit more (it used to count the topic as empty until its own first
 * delivery report). The end offset the runtime measured (other
 * instances' and hosts' records) counts too; once downstream is within
 * the limit it goes on. While paused it saves the positions of what it
 * emitted and was acknowledged. */
START_TEST(restarted_source_counts_records_already_in_topic)
{
    char e[1024];
    bp_src_fixture_t fx;
    bp_src_start(&fx);
    const char *bs = fx.bs;
    prefill(bs, 50);
    co_manifest_t *m = fx.m = load_src(bs, fx.dir);
    int stop = 0;
    co_stage_env_t env = {.stop = &stop,
                          .mock_broker = 1,
                          .bp_limit_records = 40,
                          .downstream_committed = fake_downstream,
                          .downstream_end = fake_downstream_end};
    co_stage_t *st = co_stage_new(&env, m, &m->stages[0], 0, bs, e, sizeof e);
    ck_assert_msg(st != NULL, "stage: %s", e);
    ck_assert_int_eq(co_port_kafka_setup(st, e, sizeof e), 0);
    /* one record of 100 bytes emitted and acknowledged, its position
     * pending: the window allows 40 records, not 2 MiB / 181 */
    st->emit_seq = 1;
    st->bytes_out = 100;
    st->pend = co_xcalloc(1, sizeof *st->pend);
    st->pend[0].key = co_strdup("next");
    st->pend[0].value = co_strdup("2");
    st->pend[0].len = 1;
    st->pend[0].seq = 1;
    st->n_pend = 1;
    __atomic_store_n(&fake_committed, -2, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fake_end, -1, __ATOMIC_SEQ_CST);

    bp_call_t c = {.st = st};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, bp_thread, &c), 0);
    usleep(300 * 1000);
    ck_assert_msg(!__atomic_load_n(&c.returned, __ATOMIC_SEQ_CST),
                  "not measured yet: counts from 0, 50 > 40, must pause");
    __atomic_store_n(&fake_committed, 5, __ATOMIC_SEQ_CST);
    usleep(300 * 1000);
    ck_assert_msg(!__atomic_load_n(&c.returned, __ATOMIC_SEQ_CST),
                  "45 records behind with a limit of 40: must pause");
    ck_assert_int_eq(co_stage_get_status(st), CO_STAGE_PAUSED);
    /* the acknowledged position was saved during the pause */
    ck_assert_uint_eq(st->n_pend, 0);
    char *v = NULL;
    size_t vl = 0;
    ck_assert_int_eq(co_state_get(st->state, st->ns, "next", &v, &vl), 0);
    ck_assert_str_eq(v, "2");
    free(v);
    /* downstream caught up with this host's 50, but the runtime measured
     * 100 (another instance or host wrote 50 more): still 50 behind */
    __atomic_store_n(&fake_end, 100, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fake_committed, 50, __ATOMIC_SEQ_CST);
    usleep(300 * 1000);
    ck_assert_msg(!__atomic_load_n(&c.returned, __ATOMIC_SEQ_CST),
                  "the broker's end offset counts: 50 behind, must pause");
    __atomic_store_n(&fake_committed, 80, __ATOMIC_SEQ_CST);
    ck_assert_msg(returned_within(&c, 2000),
                  "downstream caught up: must go on");
    pthread_join(t, NULL);
    ck_assert_int_eq(st->n_hw, 2);
    ck_assert_int_eq(st->hw[0], 50);
    ck_assert_int_eq(st->hw[1], 0);
    co_stage_free(st);
    bp_src_stop(&fx);
}
END_TEST

/* The size limit counts what the mock counts: a record of 100 bytes
 * (key, value, headers) with its framing takes 181 bytes of the 5 MiB
 * window, so 40% of it is 11,586 records, under the 40,000 of the
 * message-set limit; a first emit (size unknown) is checked again at the
 * next one. */
START_TEST(limit_in_mock_units)
{
    char e[1024];
    bp_src_fixture_t fx;
    bp_src_start(&fx);
    const char *bs = fx.bs;
    co_manifest_t *m = fx.m = load_src(bs, fx.dir);
    int stop = 0;
    co_stage_env_t env = {.stop = &stop,
                          .mock_broker = 1,
                          .bp_limit_records = CO_MOCK_PARTITION_SETS * 4 / 10,
                          .downstream_committed = fake_downstream};
    co_stage_t *st = co_stage_new(&env, m, &m->stages[0], 0, bs, e, sizeof e);
    ck_assert_msg(st != NULL, "stage: %s", e);
    ck_assert_int_eq(co_port_kafka_setup(st, e, sizeof e), 0);
    __atomic_store_n(&fake_committed, 0, __ATOMIC_SEQ_CST);
    co_stage_backpressure(st, "a"); /* nothing emitted: size unknown */
    ck_assert_uint_eq(st->bp_recheck, 1);
    /* an emitted record's size counts its headers (its own and the
     * CloudEvents ones), not only its key and value */
    co_header_t h = {.name = "h12345", .value = "v123", .value_len = 4};
    co_record_t rec = {.size = sizeof rec,
                       .key = "k1",
                       .key_len = 2,
                       .value = "0123456789",
                       .value_len = 10,
                       .headers = &h,
                       .header_cnt = 1,
                       .partition = 0};
    ck_assert_int_eq(st->port->emit(st, &rec), 0);
    ck_assert_int_eq(rd_kafka_flush(st->producer, 10000), 0);
    ck_assert_int_ge(st->bytes_out, 2 + 10 + 6 + 4 + 2 + 14 + 3 + 2);
    st->emit_seq = 1000;
    st->bytes_out = 100 * 1000;
    st->bp_recheck = 0;
    /* 11,586 - 11,000 behind - 1: room 585, next check 64 emits on */
    st->hw[0] = 11000;
    co_stage_backpressure(st, "a");
    ck_assert_uint_eq(st->bp_recheck, 1000 + 64);
    /* 11,586 behind: no room */
    st->hw[0] = 11586;
    st->bp_recheck = 0;
    bp_call_t c = {.st = st};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, bp_thread, &c), 0);
    usleep(300 * 1000);
    ck_assert(!__atomic_load_n(&c.returned, __ATOMIC_SEQ_CST));
    __atomic_store_n(&fake_committed, 1, __ATOMIC_SEQ_CST);
    pthread_join(t, NULL);
    co_stage_free(st);
    bp_src_stop(&fx);
}
END_TEST

/* A topic that no stage of the manifest reads (downstream_committed -1)
 * has no lag to bound: the records in flight alone do not stall the
 * producer (they did, every few ms at 1 KiB on the mock: 2 MiB of them),
 * and the stage does not ask again. */
START_TEST(unread_topic_never_pauses)
{
    char e[1024];
    bp_src_fixture_t fx;
    bp_src_start(&fx);
    co_manifest_t *m = fx.m = load_src(fx.bs, fx.dir);
    int stop = 0;
    co_stage_env_t env = {.stop = &stop,
                          .mock_broker = 1,
                          .bp_limit_records = 40,
                          .downstream_committed = fake_downstream};
    co_stage_t *st =
        co_stage_new(&env, m, &m->stages[0], 0, fx.bs, e, sizeof e);
    ck_assert_msg(st != NULL, "stage: %s", e);
    st->emit_seq = 1000;
    st->bytes_out = 1024 * 1000;
    st->inflight = 5000; /* far over the limit of 40 */
    bp_call_t c = {.st = st};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, bp_thread_b, &c), 0);
    ck_assert_msg(returned_within(&c, 1000), "no reader of b: must not pause");
    pthread_join(t, NULL);
    ck_assert_int_ne(co_stage_get_status(st), CO_STAGE_PAUSED);
    ck_assert_uint_eq(st->bp_recheck, UINT64_MAX);
    st->inflight = 0;
    co_stage_free(st);
    bp_src_stop(&fx);
}
END_TEST

static Suite *bp_suite(void)
{
    Suite *s = suite_create("backpressure");
    TCase *tc = tcase_create("backpressure");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, mock_recognised_and_unknown_commit_counts_from_zero);
    tcase_add_test(tc, real_limit_without_mock);
    tcase_add_test(tc, restarted_source_counts_records_already_in_topic);
    tcase_add_test(tc, limit_in_mock_units);
    tcase_add_test(tc, unread_topic_never_pauses);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(bp_suite)
