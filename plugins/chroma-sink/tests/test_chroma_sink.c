/**
 * @file plugins/chroma-sink/tests/test_chroma_sink.c
 * @brief chroma-sink against the in-process fake Chroma (v2) and fake
 *        Ollama, driven by the fake host (simulated clock, the host's own
 *        option validation and filling).
 */
#include "co_fake_chroma.h"
#include "co_fake_host.h"
#include "co_fake_ollama.h"
#include "co_test.h"
#include "options.h"

#include <jansson.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a);

#define TENANT "default_tenant"
#define DB     "default_database"
#define COLL   "careerops_briefings"

static co_fake_t *chr_srv, *oll_srv;
static co_fake_chroma_t *chroma;
static co_fake_ollama_t *ollama;
static co_fake_host_t *host;
static const co_plugin_t *plugin;
static void *cfg;
static co_optmem_t *cfg_mem;
static void *inst;

static void setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    chr_srv = co_fake_start(0);
    ck_assert_ptr_nonnull(chr_srv);
    chroma = co_fake_chroma_install(chr_srv);
    oll_srv = co_fake_start(0);
    ck_assert_ptr_nonnull(oll_srv);
    ollama = co_fake_ollama_install(oll_srv);
    co_fake_ollama_add_model(ollama, "nomic-embed-text");
    host = co_fake_host_new();
    plugin = co_plugin_entry(&host->api);
    ck_assert_ptr_nonnull(plugin);
}

static void teardown(void)
{
    if (inst != NULL)
        plugin->destroy(inst);
    inst = NULL;
    co_options_free(cfg, cfg_mem);
    cfg = NULL;
    cfg_mem = NULL;
    co_fake_host_free(host);
    co_fake_stop(chr_srv);
    co_fake_stop(oll_srv);
}

static co_status_t start_plugin(const char *extra)
{
    json_t *conf = json_pack("{s:s,s:s}", "chroma_url", co_fake_url(chr_srv),
                             "ollama_url", co_fake_url(oll_srv));
    if (extra != NULL) {
        json_t *x = json_loads(extra, 0, NULL);
        ck_assert_ptr_nonnull(x);
        json_object_update(conf, x);
        json_decref(x);
    }
    co_diag_t d = {0};
    int faults =
        co_options_validate(plugin->options, conf, "stages[0].config", &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "config: %s\n", d.msgs[i]);
    co_diag_free(&d);
    ck_assert_int_eq(faults, 0);
    cfg = co_options_fill(plugin, conf, ".", &cfg_mem);
    json_decref(conf);
    return plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst);
}

/* A careerops.briefing.v1 record for `company`; free rec->value. */
static co_record_t briefing(const char *id, const char *company)
{
    char summary[200], url1[100], url2[100];
    snprintf(summary, sizeof summary,
             "## %s\n\n%s builds things. [news](https://news.example/%s/1)",
             company, company, id);
    snprintf(url1, sizeof url1, "https://news.example/%s/1", id);
    snprintf(url2, sizeof url2, "https://general.example/%s/1", id);
    json_t *b = json_pack(
        "{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:s,s:[{s:s,s:s,s:s},{s:s,s:s,s:n}],"
        "s:s,s:{s:s,s:s}}",
        "schema", "careerops.briefing.v1", "briefing_id", id, "company",
        company, "role", "Firmware Engineer", "event", "key", id, "event_type",
        "INTERVIEW", "scheduled_date", "2025-03-04T15:00:00Z", "summary",
        summary, "sources", "title", "News 1", "url", url1, "published_date",
        "2025-02-01", "title", "About", "url", url2, "published_date",
        "generated_at", "2025-01-01T00:00:00Z", "generator", "plugin",
        "tavily-researcher", "model", "extractive");
    co_record_t rec = CO_RECORD_INIT;
    rec.key = id;
    rec.key_len = strlen(id);
    rec.value = json_dumps(b, JSON_COMPACT);
    rec.value_len = strlen(rec.value);
    json_decref(b);
    return rec;
}

START_TEST(briefing_stored_under_collection_uuid)
{
    ck_assert_int_eq(start_plugin(NULL), CO_OK);
    co_record_t rec = briefing("b1", "Lindqvist Robotics");
    ck_assert_int_eq(plugin->process(inst, &rec), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), -1);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    char uuid[37];
    ck_assert_int_eq(co_fake_chroma_uuid(chroma, TENANT, DB, COLL, uuid), 0);
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), 1);
    char *r = co_fake_chroma_record(chroma, TENANT, DB, COLL, "b1");
    ck_assert_ptr_nonnull(r);
    json_t *j = json_loads(r, 0, NULL);
    free(r);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "embedding")), 8);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(j, "document")),
               "Lindqvist Robotics builds things"));
    json_t *m = json_object_get(j, "metadata");
    ck_assert_str_eq(json_string_value(json_object_get(m, "company")),
                     "Lindqvist Robotics");
    ck_assert_str_eq(json_string_value(json_object_get(m, "event_type")),
                     "INTERVIEW");
    ck_assert_str_eq(json_string_value(json_object_get(m, "scheduled_date")),
                     "2025-03-04T15:00:00Z");
    ck_assert_str_eq(json_string_value(json_object_get(m, "generated_at")),
                     "2025-01-01T00:00:00Z");
    ck_assert_str_eq(json_string_value(json_object_get(m, "source_urls")),
                     "https://news.example/b1/1\nhttps://general.example/b1/1");
    ck_assert_int_eq(json_integer_value(json_object_get(m, "source_count")), 2);
    /* every metadata value is a scalar */
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
        ck_assert(json_is_string(v) || json_is_integer(v));
    json_decref(j);

    /* GET by name (404), create with get_or_create + cosine, upsert by
     * UUID. */
    ck_assert_uint_eq(co_fake_request_count(chr_srv), 3);
    const co_fake_request_t *q = co_fake_request_at(chr_srv, 0);
    ck_assert_str_eq(q->method, "GET");
    ck_assert_str_eq(q->path, "/api/v2/tenants/" TENANT "/databases/" DB
                              "/collections/" COLL);
    q = co_fake_request_at(chr_srv, 1);
    json_t *c = json_loads(q->body, 0, NULL);
    ck_assert(json_is_true(json_object_get(c, "get_or_create")));
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(c, "metadata"), "hnsw:space")),
                     "cosine");
    json_decref(c);
    q = co_fake_request_at(chr_srv, 2);
    char path[200];
    snprintf(path, sizeof path,
             "/api/v2/tenants/" TENANT "/databases/" DB "/collections/%s/"
             "upsert",
             uuid);
    ck_assert_str_eq(q->path, path);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "upsert"), 1);
    free((void *)rec.value);
}
END_TEST

START_TEST(existing_collection_found_by_name_and_batched)
{
    char uuid[37];
    ck_assert_int_eq(
        co_fake_chroma_create(chroma, "acme", "jobs_db", "briefs", 0, uuid), 0);
    ck_assert_int_eq(start_plugin("{\"tenant\":\"acme\",\"database\":"
                                  "\"jobs_db\",\"collection\":\"briefs\","
                                  "\"batch_size\":2}"),
                     CO_OK);
    co_record_t r[5];
    char id[8];
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "c%d", i);
        r[i] = briefing(id, i % 2 ? "Oduya Freight" : "Brightwater Labs");
        ck_assert_int_eq(plugin->process(inst, &r[i]), CO_OK);
    }
    ck_assert_int_eq(plugin->process(inst, &r[0]), CO_OK); /* redelivery */
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, "acme", "jobs_db", "briefs"),
                     5);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "create"), 0);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "get"), 1);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "upsert"), 3); /* 2+2+1 */
    ck_assert_uint_eq(co_fake_request_count(oll_srv), 3);
    ck_assert_ptr_nonnull(strstr(co_fake_request_at(chr_srv, 1)->path, uuid));
    /* A replay of everything leaves the count unchanged. */
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(plugin->process(inst, &r[i]), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, "acme", "jobs_db", "briefs"),
                     5);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "upsert"), 6);
    for (int i = 0; i < 5; i++)
        free((void *)r[i].value);
}
END_TEST

START_TEST(dimension_mismatch_is_dead_lettered_with_chroma_message)
{
    ck_assert_int_eq(co_fake_chroma_create(chroma, TENANT, DB, COLL, 768, NULL),
                     0);
    ck_assert_int_eq(start_plugin(NULL), CO_OK);
    co_record_t a = briefing("d1", "Oduya Freight");
    co_record_t b = briefing("d2", "Brightwater Labs");
    ck_assert_int_eq(plugin->process(inst, &a), CO_OK);
    ck_assert_int_eq(plugin->process(inst, &b), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_uint_eq(host->dead_cnt, 2);
    ck_assert_str_eq(host->dead[0].key, "d1");
    ck_assert_str_eq(host->dead[0].value, a.value);
    ck_assert_str_eq(host->dead[0].error_class, "chroma");
    ck_assert_ptr_nonnull(
        strstr(host->dead[0].message,
               "Collection expecting embedding with dimension of 768, got 8"));
    ck_assert_str_eq(host->dead[1].key, "d2");
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), 0);
    /* the buffer is empty: the next flush sends nothing */
    size_t before = co_fake_request_count(chr_srv);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_uint_eq(co_fake_request_count(chr_srv), before);
    free((void *)a.value);
    free((void *)b.value);
}
END_TEST

START_TEST(chroma_down_10s_is_retried_nothing_lost)
{
    ck_assert_int_eq(start_plugin(NULL), CO_OK);
    co_record_t r[3] = {briefing("e1", "Oduya Freight"),
                        briefing("e2", "Brightwater Labs"),
                        briefing("e3", "Lindqvist Robotics")};
    co_fake_chroma_set_down(chroma, 1);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(plugin->process(inst, &r[i]), CO_OK);
    /* The host's flush policy: retry with backoff (500 ms doubling) until
     * it succeeds; the server comes back after 10 s (simulated). */
    int64_t t0 = host->now_ms, backoff = 500;
    int retries = 0;
    co_status_t s;
    for (;;) {
        if (host->now_ms - t0 >= 10000)
            co_fake_chroma_set_down(chroma, 0);
        co_fake_host_clear_error(host);
        s = plugin->flush(inst);
        if (s != CO_RETRY)
            break;
        ck_assert_str_eq(host->error_class, "connect");
        retries++;
        host->now_ms += backoff;
        backoff = backoff * 2 > 60000 ? 60000 : backoff * 2;
    }
    ck_assert_int_eq(s, CO_OK);
    ck_assert_int_ge(retries, 5);
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), 3);
    ck_assert_uint_eq(host->dead_cnt, 0);
    ck_assert_uint_ge(co_fake_chroma_ops(chroma, "dropped"), 5);
    for (int i = 0; i < 3; i++)
        free((void *)r[i].value);
}
END_TEST

START_TEST(server_errors_retry_then_succeed)
{
    ck_assert_int_eq(start_plugin(NULL), CO_OK);
    co_record_t rec = briefing("f1", "Oduya Freight");
    ck_assert_int_eq(plugin->process(inst, &rec), CO_OK);
    co_fake_script_t s500 = {
        .method = "POST",
        .status = 500,
        .body = "{\"error\":\"InternalError\",\"message\":\"compaction\"}",
        .headers = "Retry-After: 4"};
    co_fake_push(chr_srv, &s500); /* the create */
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->flush(inst), CO_RETRY);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "InternalError: compaction"));
    ck_assert_uint_eq(host->retry_after_ms, 4000);
    co_fake_script_t e503 = {
        .path = "/api/embed", .status = 503, .body = "{\"error\":\"busy\"}"};
    co_fake_push(oll_srv, &e503);
    ck_assert_int_eq(plugin->flush(inst), CO_RETRY);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), 1);
    free((void *)rec.value);
}
END_TEST

START_TEST(token_headers)
{
    co_fake_chroma_set_token(chroma, "ct-1");
    ck_assert_int_eq(start_plugin("{\"token\":\"ct-1\"}"), CO_OK);
    co_record_t rec = briefing("g1", "Oduya Freight");
    ck_assert_int_eq(plugin->process(inst, &rec), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_str_eq(
        co_fake_request_header(co_fake_last_request(chr_srv), "x-chroma-token"),
        "ct-1");
    plugin->destroy(inst);
    inst = NULL;
    co_options_free(cfg, cfg_mem);
    cfg = NULL;
    ck_assert_int_eq(start_plugin("{\"token\":\"ct-1\",\"token_header\":"
                                  "\"authorization\"}"),
                     CO_OK);
    ck_assert_int_eq(plugin->process(inst, &rec), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    ck_assert_str_eq(
        co_fake_request_header(co_fake_last_request(chr_srv), "Authorization"),
        "Bearer ct-1");
    plugin->destroy(inst);
    inst = NULL;
    co_options_free(cfg, cfg_mem);
    cfg = NULL;
    /* a wrong token stops the stage with Chroma's answer */
    ck_assert_int_eq(start_plugin("{\"token\":\"nope\"}"), CO_OK);
    ck_assert_int_eq(plugin->process(inst, &rec), CO_OK);
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->flush(inst), CO_FATAL);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "401"));
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), 1);
    free((void *)rec.value);
}
END_TEST

START_TEST(bad_input_and_missing_model)
{
    ck_assert_int_eq(start_plugin("{\"embed_model\":\"mxbai-embed-large\"}"),
                     CO_OK);
    co_record_t bad = CO_RECORD_INIT;
    bad.key = "x";
    bad.key_len = 1;
    bad.value = "{\"schema\":\"careerops.event.v1\"}";
    bad.value_len = strlen(bad.value);
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->process(inst, &bad), CO_FAIL);
    ck_assert_str_eq(host->error_class, "schema");
    co_record_t rec = briefing("h1", "Oduya Freight");
    ck_assert_int_eq(plugin->process(inst, &rec), CO_OK);
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->flush(inst), CO_FATAL);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "ollama pull"));
    free((void *)rec.value);
}
END_TEST

START_TEST(bad_config_is_fatal)
{
    ck_assert_int_eq(start_plugin("{\"token_header\":\"cookie\"}"), CO_FATAL);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "token_header"));
}
END_TEST

static Suite *chroma_suite(void)
{
    Suite *s = suite_create("chroma-sink");
    TCase *tc = tcase_create("plugin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, briefing_stored_under_collection_uuid);
    tcase_add_test(tc, existing_collection_found_by_name_and_batched);
    tcase_add_test(tc, dimension_mismatch_is_dead_lettered_with_chroma_message);
    tcase_add_test(tc, chroma_down_10s_is_retried_nothing_lost);
    tcase_add_test(tc, server_errors_retry_then_succeed);
    tcase_add_test(tc, token_headers);
    tcase_add_test(tc, bad_input_and_missing_model);
    tcase_add_test(tc, bad_config_is_fatal);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(chroma_suite)
