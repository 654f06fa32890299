/* Unit tests of the mock plugins, each loaded with dlopen into a fake host
 * (mock_test_host.c, on tests/fakes/co_fake_host.c) with a simulated clock. */
#include "co_test.h"
#include "mock_test_host.h"
#include <signal.h>
#include <unistd.h>

/* A fresh temporary folder per test (tests run in forked children). */
static char tmpdir[256];

static void tmp_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/co-mock-XXXXXX", base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* "name=<tmpdir>/file" (one of 4 rotating buffers). */
static const char *opt_path(const char *name, const char *file)
{
    static char opts[4][600];
    static int next;
    char *p = opts[next++ % 4];
    snprintf(p, 600, "%s=%s", name, tmp_path(file));
    return p;
}

static void write_file(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* The emitted value's integer "seq", or -1. */
static int64_t value_seq(const co_fake_emit_t *r)
{
    json_t *doc = json_loads(r->value, 0, NULL);
    json_t *s = json_object_get(doc, "seq");
    int64_t v = json_is_integer(s) ? json_integer_value(s) : -1;
    json_decref(doc);
    return v;
}

/* ---- descriptors ------------------------------------------------------ */

static void check_descriptor(const char *module, const char *name,
                             uint32_t kinds)
{
    mt_host_t *h = mt_host_new(module, NULL);
    const co_plugin_t *p = h->plugin;
    ck_assert_uint_eq(p->abi_major, CO_ABI_MAJOR);
    ck_assert_uint_eq(p->abi_minor, CO_ABI_MINOR);
    ck_assert_uint_eq(p->size, sizeof(co_plugin_t));
    ck_assert_str_eq(p->name, name);
    ck_assert_uint_eq(p->kinds, kinds);
    ck_assert(p->description != NULL && p->description[0] != '\0');
    ck_assert(p->license != NULL && p->version != NULL);
    for (const co_option_t *o = p->options; o && o->type; o++) {
        ck_assert_msg(o->description && o->description[0], "%s.%s", name,
                      o->name);
        size_t width = o->type == CO_OPT_BOOL ? sizeof(int) : 8;
        ck_assert_msg(o->offset + width <= p->config_size, "%s.%s offset", name,
                      o->name);
    }
    mt_host_free(h);
}

START_TEST(descriptors)
{
    check_descriptor("mock-source", "mock-source", CO_KIND_SOURCE);
    check_descriptor("mock-passthrough", "mock-passthrough", CO_KIND_PROCESSOR);
    check_descriptor("mock-fault", "mock-fault", CO_KIND_PROCESSOR);
    /* mock-sink needs `path`: its init fails but the descriptor loads. */
    check_descriptor("mock-sink", "mock-sink", CO_KIND_SINK);
}
END_TEST

/* ---- mock-source ------------------------------------------------------ */

START_TEST(source_generates_count_records)
{
    const char *opts[] = {"count=5", "value_size=100", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    ck_assert_int_eq(h->init_status, CO_OK);
    ck_assert_int_eq(h->plugin->start(h->inst), CO_OK);
    ck_assert_int_eq(h->plugin->poll(h->inst, 100), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 5);
    for (size_t i = 0; i < 5; i++) {
        const co_fake_emit_t *r = &h->fh->emits[i];
        char key[16];
        snprintf(key, sizeof key, "k%zu", i + 1);
        ck_assert_str_eq(r->key, key);
        ck_assert_uint_eq(r->value_len, 100);
        ck_assert_int_eq(value_seq(r), (int64_t)i + 1);
        json_t *doc = json_loads(r->value, 0, NULL);
        const char *pay = json_string_value(json_object_get(doc, "payload"));
        ck_assert_uint_eq(strspn(pay, "x"), strlen(pay));
        json_decref(doc);
    }
    ck_assert_str_eq(mt_state(h, "next"), "6");
    ck_assert_int_eq(h->plugin->poll(h->inst, 100), CO_EOF);
    ck_assert_uint_eq(h->fh->emit_cnt, 5);
    mt_host_free(h);
}
END_TEST

START_TEST(source_small_value_size_stays_json)
{
    const char *opts[] = {"count=2", "value_size=1", "key_prefix=rec-", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 2);
    ck_assert_str_eq(h->fh->emits[1].key, "rec-2");
    ck_assert_str_eq(h->fh->emits[1].value, "{\"seq\":2,\"payload\":\"\"}");
    mt_host_free(h);
}
END_TEST

START_TEST(source_batches_and_stores_position_each_batch)
{
    const char *opts[] = {"count=25", "batch=10", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    const char *expect[] = {"11", "21", "26"};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
        ck_assert_uint_eq(h->fh->emit_cnt, i < 2 ? 10 * (i + 1) : 25);
        ck_assert_str_eq(mt_state(h, "next"), expect[i]);
    }
    ck_assert_int_eq(h->source_offsets, 3);
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_EOF);
    mt_host_free(h);
}
END_TEST

START_TEST(source_restart_continues_from_stored_position)
{
    const char *opts[] = {"count=10", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    mt_state_set(h, "next", "8");
    ck_assert_int_eq(h->plugin->start(h->inst), CO_OK);
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 3);
    ck_assert_str_eq(h->fh->emits[0].key, "k8");
    ck_assert_str_eq(h->fh->emits[2].key, "k10");
    mt_host_free(h);
}
END_TEST

START_TEST(source_bad_or_unreachable_state)
{
    mt_host_t *h = mt_host_new("mock-source", NULL);
    h->state_down = 1;
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_RETRY);
    ck_assert_str_eq(h->fh->error_class, "state");
    ck_assert_uint_eq(h->fh->emit_cnt, 0);
    h->state_down = 0;
    mt_state_set(h, "next", "abc");
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_FATAL);
    ck_assert_ptr_nonnull(strstr(h->fh->error_msg, "\"abc\""));
    mt_host_free(h);
}
END_TEST

START_TEST(source_emit_failure_retries_same_record)
{
    const char *opts[] = {"count=5", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    h->emit_fail_at = 3;
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_RETRY);
    ck_assert_uint_eq(h->fh->emit_cnt, 2);
    ck_assert_str_eq(mt_state(h, "next"), "3");
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 5);
    ck_assert_str_eq(h->fh->emits[2].key, "k3");
    mt_host_free(h);
}
END_TEST

START_TEST(source_rate_paces_on_host_clock)
{
    const char *opts[] = {"count=20", "rate=10", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    int64_t t0 = h->fh->now_ms;
    int polls = 0;
    while (h->plugin->poll(h->inst, 1000) == CO_OK && polls < 1000)
        polls++;
    ck_assert_uint_eq(h->fh->emit_cnt, 20);
    /* Record i (0-based) is emitted no earlier than t0 + 100 ms * i. */
    for (size_t i = 0; i < 20; i++)
        ck_assert_int_ge(mt_emit_at(h, i), t0 + 100 * (int64_t)i);
    ck_assert_int_eq(mt_emit_at(h, 19), t0 + 1900);
    ck_assert_int_eq(h->fh->slept_ms, 1900);
    mt_host_free(h);
}
END_TEST

START_TEST(source_follow_keeps_polling)
{
    const char *opts[] = {"count=2", "follow=true", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    ck_assert_int_eq(h->plugin->poll(h->inst, 50), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 2);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(h->plugin->poll(h->inst, 50), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 2);
    ck_assert_int_eq(h->fh->slept_ms, 150);
    mt_host_free(h);
}
END_TEST

START_TEST(source_stops_when_host_stops)
{
    const char *opts[] = {"count=100", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    h->fh->stopping = 1;
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 0);
    mt_host_free(h);
}
END_TEST

START_TEST(source_reads_jsonl_file)
{
    const char *path = tmp_path("in.jsonl");
    write_file(path,
               "{\"key\":\"a\",\"value\":\"plain text\"}\n"
               "\n"
               "{\"key\":\"b\",\"value\":{\"n\":1,\"s\":\"x\"}}\n"
               "not json\n"
               "{\"value\":null}\n"
               "{\"key\":\"e\",\"value\":\"last, no newline\"}",
               "w");
    const char *opts[] = {opt_path("file", "in.jsonl"), NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    ck_assert_int_eq(h->init_status, CO_OK);
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 4);
    ck_assert_str_eq(h->fh->emits[0].key, "a");
    ck_assert_str_eq(h->fh->emits[0].value, "plain text");
    ck_assert_str_eq(h->fh->emits[1].value, "{\"n\":1,\"s\":\"x\"}");
    ck_assert_ptr_null(h->fh->emits[2].key);
    ck_assert_ptr_null(h->fh->emits[2].value);
    ck_assert_str_eq(h->fh->emits[3].value, "last, no newline");
    ck_assert_uint_eq(h->fh->dead_cnt, 1);
    ck_assert_str_eq(h->fh->dead[0].key, "line:4");
    ck_assert_str_eq(h->fh->dead[0].value, "not json");
    ck_assert_str_eq(h->fh->dead[0].error_class, "parse");
    /* 5 records (4 emitted, 1 dead-lettered): next is 6. */
    ck_assert_str_eq(mt_state(h, "next"), "6");
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_EOF);
    mt_host_free(h);

    /* A restarted source skips what was acknowledged. */
    h = mt_host_new("mock-source", opts);
    mt_state_set(h, "next", "4");
    ck_assert_int_eq(h->plugin->poll(h->inst, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 2);
    ck_assert_ptr_null(h->fh->emits[0].key);
    ck_assert_str_eq(h->fh->emits[1].key, "e");
    mt_host_free(h);
}
END_TEST

START_TEST(source_follows_growing_file)
{
    const char *path = tmp_path("in.jsonl");
    write_file(path, "{\"key\":\"a\",\"value\":\"1\"}\n{\"key\":\"b\",", "w");
    const char *opts[] = {opt_path("file", "in.jsonl"), "follow=true", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    ck_assert_int_eq(h->plugin->poll(h->inst, 10), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 1); /* "b" is still being written */
    ck_assert_int_eq(h->plugin->poll(h->inst, 10), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 1);
    write_file(path, "\"value\":\"2\"}\n{\"key\":\"c\",\"value\":\"3\"}\n",
               "a");
    ck_assert_int_eq(h->plugin->poll(h->inst, 10), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 3);
    ck_assert_str_eq(h->fh->emits[1].key, "b");
    ck_assert_str_eq(h->fh->emits[2].value, "3");
    mt_host_free(h);
}
END_TEST

START_TEST(source_missing_file_is_fatal)
{
    const char *opts[] = {"file=/nonexistent/co-mock/in.jsonl", NULL};
    mt_host_t *h = mt_host_new("mock-source", opts);
    ck_assert_int_eq(h->init_status, CO_FATAL);
    ck_assert_ptr_nonnull(
        strstr(h->fh->error_msg, "/nonexistent/co-mock/in.jsonl"));
    mt_host_free(h);
}
END_TEST

/* ---- mock-passthrough ------------------------------------------------- */

START_TEST(passthrough_emits_unchanged)
{
    mt_host_t *h = mt_host_new("mock-passthrough", NULL);
    ck_assert_int_eq(h->init_status, CO_OK);
    co_header_t hd[] = {{"ce_id", "id-1", 4}, {"ce_type", "t.v1", 4}};
    ck_assert_int_eq(mt_process(h, "k1", "{\"a\":1}", hd, 2), CO_OK);
    ck_assert_int_eq(mt_process(h, NULL, NULL, NULL, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 2);
    ck_assert_str_eq(h->fh->emits[0].key, "k1");
    ck_assert_str_eq(h->fh->emits[0].value, "{\"a\":1}");
    ck_assert_str_eq(mt_emit_header(h, 0, "ce_id"), "id-1");
    ck_assert_uint_eq(json_object_size(json_array_get(h->emit_headers, 0)), 2);
    ck_assert_ptr_null(h->fh->emits[1].key);
    h->emit_fail_at = h->emit_calls + 1;
    ck_assert_int_eq(mt_process(h, "k2", "v", NULL, 0), CO_RETRY);
    ck_assert_str_eq(h->fh->error_class, "emit");
    mt_host_free(h);
}
END_TEST

/* ---- mock-sink -------------------------------------------------------- */

START_TEST(sink_writes_lines_on_flush)
{
    const char *out = tmp_path("out.jsonl");
    const char *opts[] = {opt_path("path", "out.jsonl"), NULL};
    mt_host_t *h = mt_host_new("mock-sink", opts);
    ck_assert_int_eq(h->init_status, CO_OK);
    ck_assert_int_eq(mt_process(h, "k1", "{\"seq\":1}", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, NULL, "quote \" and\nnewline", NULL, 0),
                     CO_OK);
    ck_assert_uint_eq(mt_count_lines(out), 0); /* not before flush */
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_OK);
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_OK); /* nothing twice */
    ck_assert_uint_eq(mt_count_lines(out), 2);

    char *text = mt_read_file(out);
    char *second = strchr(text, '\n') + 1;
    json_error_t err;
    json_t *a = json_loadb(text, (size_t)(second - text), 0, &err);
    json_t *b = json_loads(second, JSON_DISABLE_EOF_CHECK, &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(json_string_value(json_object_get(a, "key")), "k1");
    ck_assert_str_eq(json_string_value(json_object_get(a, "value")),
                     "{\"seq\":1}");
    ck_assert_str_eq(json_string_value(json_object_get(a, "topic")),
                     "in_topic");
    ck_assert_int_eq(json_integer_value(json_object_get(a, "partition")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "offset")), 40);
    ck_assert(json_is_null(json_object_get(b, "key")));
    ck_assert_str_eq(json_string_value(json_object_get(b, "value")),
                     "quote \" and\nnewline");
    ck_assert_int_eq(json_integer_value(json_object_get(b, "offset")), 41);
    json_decref(a);
    json_decref(b);
    free(text);
    mt_host_free(h);
}
END_TEST

START_TEST(sink_headers_option)
{
    const char *out = tmp_path("out.jsonl");
    const char *opts[] = {opt_path("path", "out.jsonl"), "headers=true", NULL};
    mt_host_t *h = mt_host_new("mock-sink", opts);
    co_header_t hd[] = {{"ce_type", "careerops.x", 11}};
    ck_assert_int_eq(mt_process(h, "k", "v", hd, 1), CO_OK);
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_OK);
    char *text = mt_read_file(out);
    json_t *a = json_loads(text, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(a, "headers"), "ce_type")),
                     "careerops.x");
    json_decref(a);
    free(text);
    mt_host_free(h);
}
END_TEST

START_TEST(sink_fail_on_flush_retries_then_writes_once)
{
    const char *out = tmp_path("out.jsonl");
    const char *opts[] = {opt_path("path", "out.jsonl"), "fail_on_flush=2",
                          "sleep_ms=7", NULL};
    mt_host_t *h = mt_host_new("mock-sink", opts);
    ck_assert_int_eq(mt_process(h, "k1", "v1", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, "k2", "v2", NULL, 0), CO_OK);
    ck_assert_int_eq(h->fh->slept_ms, 14);
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_RETRY);
    ck_assert_str_eq(h->fh->error_class, "injected");
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_RETRY);
    ck_assert_uint_eq(mt_count_lines(out), 0);
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_OK);
    ck_assert_uint_eq(mt_count_lines(out), 2);
    mt_host_free(h);
}
END_TEST

START_TEST(sink_rejects_invalid_utf8)
{
    const char *opts[] = {opt_path("path", "out.jsonl"), NULL};
    mt_host_t *h = mt_host_new("mock-sink", opts);
    ck_assert_int_eq(mt_process(h, "k", "bad \xff byte", NULL, 0), CO_FAIL);
    ck_assert_str_eq(h->fh->error_class, "encoding");
    mt_host_free(h);
}
END_TEST

START_TEST(sink_side_effect_unguarded_repeats)
{
    const char *cnt = tmp_path("count.txt");
    const char *opts[] = {opt_path("path", "out.jsonl"),
                          opt_path("counter_file", "count.txt"), NULL};
    mt_host_t *h = mt_host_new("mock-sink", opts);
    ck_assert_int_eq(mt_process(h, "k1", "v", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, "k1", "v", NULL, 0), CO_OK);
    ck_assert_uint_eq(mt_count_lines(cnt), 2);
    mt_host_free(h);
}
END_TEST

START_TEST(sink_side_effect_idempotent)
{
    const char *out = tmp_path("out.jsonl");
    const char *cnt = tmp_path("count.txt");
    const char *opts[] = {opt_path("path", "out.jsonl"),
                          opt_path("counter_file", "count.txt"),
                          "idempotent=true", NULL};
    mt_host_t *h = mt_host_new("mock-sink", opts);
    ck_assert_int_eq(h->init_status, CO_OK);
    ck_assert_int_eq(mt_process(h, "k1", "v", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, "k1", "v", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, "k2", "v", NULL, 0), CO_OK);
    ck_assert_uint_eq(mt_count_lines(cnt), 2);
    ck_assert_int_eq(h->fh->api.idem_begin(h->st, "k1"), CO_IDEM_DONE);
    /* Claimed but never committed (a crash in between): done again. */
    ck_assert_int_eq(h->fh->api.idem_begin(h->st, "k3"), CO_IDEM_NEW);
    ck_assert_int_eq(mt_process(h, "k3", "v", NULL, 0), CO_OK);
    ck_assert_uint_eq(mt_count_lines(cnt), 3);
    /* State store down: RETRY, no side effect. */
    h->state_down = 1;
    ck_assert_int_eq(mt_process(h, "k4", "v", NULL, 0), CO_RETRY);
    ck_assert_str_eq(h->fh->error_class, "state");
    ck_assert_uint_eq(mt_count_lines(cnt), 3);
    /* Every delivery is still recorded in the sink file. */
    ck_assert_int_eq(h->plugin->flush(h->inst), CO_OK);
    ck_assert_uint_eq(mt_count_lines(out), 4);
    char *text = mt_read_file(cnt);
    ck_assert_str_eq(text, "k1\nk2\nk3\n");
    free(text);
    mt_host_free(h);
}
END_TEST

START_TEST(sink_config_errors_are_fatal)
{
    mt_host_t *h = mt_host_new("mock-sink", NULL);
    ck_assert_int_eq(h->init_status, CO_FATAL);
    ck_assert_ptr_nonnull(strstr(h->fh->error_msg, "`path`"));
    mt_host_free(h);

    const char *opts[] = {opt_path("path", "out.jsonl"), "idempotent=true",
                          NULL};
    h = mt_host_new("mock-sink", opts);
    ck_assert_int_eq(h->init_status, CO_FATAL);
    ck_assert_ptr_nonnull(strstr(h->fh->error_msg, "counter_file"));
    mt_host_free(h);

    const char *opts2[] = {"path=/nonexistent/co-mock/out.jsonl", NULL};
    h = mt_host_new("mock-sink", opts2);
    ck_assert_int_eq(h->init_status, CO_FATAL);
    ck_assert_ptr_nonnull(
        strstr(h->fh->error_msg, "/nonexistent/co-mock/out.jsonl"));
    mt_host_free(h);
}
END_TEST

/* ---- mock-fault ------------------------------------------------------- */

static co_status_t fault_seq(mt_host_t *h, int seq)
{
    char key[32], value[64];
    snprintf(key, sizeof key, "k%d", seq);
    snprintf(value, sizeof value, "{\"seq\":%d,\"payload\":\"\"}", seq);
    return mt_process(h, key, value, NULL, 0);
}

START_TEST(fault_fail_every)
{
    const char *opts[] = {"fail_every=3", NULL};
    mt_host_t *h = mt_host_new("mock-fault", opts);
    for (int s = 1; s <= 9; s++) {
        co_status_t st = fault_seq(h, s);
        ck_assert_int_eq(st, s % 3 == 0 ? CO_FAIL : CO_OK);
        if (s % 3 == 0) {
            char msg[64];
            snprintf(msg, sizeof msg, "injected failure for seq %d", s);
            ck_assert_str_eq(h->fh->error_class, "injected");
            ck_assert_str_eq(h->fh->error_msg, msg);
        }
    }
    ck_assert_uint_eq(h->fh->emit_cnt, 6);
    ck_assert_int_eq(value_seq(&h->fh->emits[2]), 4);
    mt_host_free(h);
}
END_TEST

START_TEST(fault_retry_then_succeed)
{
    const char *opts[] = {"retry_every=5", "retry_times=2", NULL};
    mt_host_t *h = mt_host_new("mock-fault", opts);
    ck_assert_int_eq(fault_seq(h, 4), CO_OK);
    ck_assert_int_eq(fault_seq(h, 5), CO_RETRY);
    ck_assert_int_eq(fault_seq(h, 10), CO_RETRY); /* counted per key */
    ck_assert_int_eq(fault_seq(h, 5), CO_RETRY);
    ck_assert_int_eq(fault_seq(h, 5), CO_OK);
    ck_assert_int_eq(fault_seq(h, 10), CO_RETRY);
    ck_assert_int_eq(fault_seq(h, 10), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 3);
    ck_assert_int_eq(value_seq(&h->fh->emits[1]), 5);
    ck_assert_int_eq(value_seq(&h->fh->emits[2]), 10);
    /* A redelivery after success starts counting again. */
    ck_assert_int_eq(fault_seq(h, 5), CO_RETRY);
    mt_host_free(h);
}
END_TEST

START_TEST(fault_fatal_and_passthrough)
{
    const char *opts[] = {"fatal_at=4", "fail_every=2", "sleep_ms=5", NULL};
    mt_host_t *h = mt_host_new("mock-fault", opts);
    ck_assert_int_eq(fault_seq(h, 2), CO_FAIL);
    ck_assert_int_eq(fault_seq(h, 4), CO_FATAL); /* fatal wins over fail */
    ck_assert_str_eq(h->fh->error_msg, "injected fatal error at seq 4");
    /* No seq, or not JSON: passed through. */
    ck_assert_int_eq(mt_process(h, "x", "not json", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, "y", "{\"seq\":\"4\"}", NULL, 0), CO_OK);
    ck_assert_int_eq(mt_process(h, "z", NULL, NULL, 0), CO_OK);
    ck_assert_uint_eq(h->fh->emit_cnt, 3);
    ck_assert_int_eq(h->fh->slept_ms, 25);
    mt_host_free(h);
}
END_TEST

START_TEST(fault_abort_after)
{
    const char *opts[] = {"abort_after=3", NULL};
    mt_host_t *h = mt_host_new("mock-fault", opts);
    ck_assert_int_eq(fault_seq(h, 1), CO_OK);
    ck_assert_int_eq(fault_seq(h, 2), CO_OK);
    fault_seq(h, 3); /* abort() */
    ck_abort_msg("mock-fault did not abort");
}
END_TEST

static Suite *mock_suite(void)
{
    Suite *s = suite_create("mock-plugins");
    TCase *tc = tcase_create("descriptors");
    tcase_add_test(tc, descriptors);
    suite_add_tcase(s, tc);

    tc = tcase_create("source");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, source_generates_count_records);
    tcase_add_test(tc, source_small_value_size_stays_json);
    tcase_add_test(tc, source_batches_and_stores_position_each_batch);
    tcase_add_test(tc, source_restart_continues_from_stored_position);
    tcase_add_test(tc, source_bad_or_unreachable_state);
    tcase_add_test(tc, source_emit_failure_retries_same_record);
    tcase_add_test(tc, source_rate_paces_on_host_clock);
    tcase_add_test(tc, source_follow_keeps_polling);
    tcase_add_test(tc, source_stops_when_host_stops);
    tcase_add_test(tc, source_reads_jsonl_file);
    tcase_add_test(tc, source_follows_growing_file);
    tcase_add_test(tc, source_missing_file_is_fatal);
    suite_add_tcase(s, tc);

    tc = tcase_create("passthrough");
    tcase_add_test(tc, passthrough_emits_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("sink");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, sink_writes_lines_on_flush);
    tcase_add_test(tc, sink_headers_option);
    tcase_add_test(tc, sink_fail_on_flush_retries_then_writes_once);
    tcase_add_test(tc, sink_rejects_invalid_utf8);
    tcase_add_test(tc, sink_side_effect_unguarded_repeats);
    tcase_add_test(tc, sink_side_effect_idempotent);
    tcase_add_test(tc, sink_config_errors_are_fatal);
    suite_add_tcase(s, tc);

    tc = tcase_create("fault");
    tcase_add_test(tc, fault_fail_every);
    tcase_add_test(tc, fault_retry_then_succeed);
    tcase_add_test(tc, fault_fatal_and_passthrough);
    /* abort() kills the process: only when each test runs in a fork. */
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode == NULL || strcmp(fork_mode, "no") != 0)
        tcase_add_test_raise_signal(tc, fault_abort_after, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(mock_suite)
