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

#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a);
/* The host's stage_config service (core/command.c), which `ask` uses. */
int co_command_stage_config(const char *manifest, const char *stage,
                            const char *plugin, char **config_json, int *index,
                            char *err, size_t err_size);

#define TENANT "default_tenant"
#define DB     "default_database"
#define COLL   "careerops_briefings"

static co_fake_t *chr_srv, *oll_srv;
static co_fake_chroma_t *chroma;
static co_fake_ollama_t *ollama;
static co_fake_host_t *host;
static const co_plugin_t *plugin;
static co_fake_plugin_t run; /* the plugin under test */

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
    co_fake_host_stop_plugin(&run);
    co_fake_host_free(host);
    co_fake_stop(chr_srv);
    co_fake_stop(oll_srv);
}

static co_status_t start_plugin(const char *extra)
{
    json_t *conf = json_pack("{s:s,s:s}", "chroma_url", co_fake_url(chr_srv),
                             "ollama_url", co_fake_url(oll_srv));
    co_status_t s = co_fake_host_start_plugin(host, plugin, conf, extra, &run);
    ck_assert_int_eq(run.faults, 0);
    return s;
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
    return co_fake_record_json(id, b);
}

START_TEST(briefing_stored_under_collection_uuid)
{
    ck_assert_int_eq(start_plugin(NULL), CO_OK);
    co_record_t rec = briefing("b1", "Lindqvist Robotics");
    ck_assert_int_eq(plugin->process(run.inst, &rec), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), -1);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
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
        ck_assert_int_eq(plugin->process(run.inst, &r[i]), CO_OK);
    }
    ck_assert_int_eq(plugin->process(run.inst, &r[0]), CO_OK); /* redelivery */
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, "acme", "jobs_db", "briefs"),
                     5);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "create"), 0);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "get"), 1);
    ck_assert_uint_eq(co_fake_chroma_ops(chroma, "upsert"), 3); /* 2+2+1 */
    ck_assert_uint_eq(co_fake_request_count(oll_srv), 3);
    ck_assert_ptr_nonnull(strstr(co_fake_request_at(chr_srv, 1)->path, uuid));
    /* A replay of everything leaves the count unchanged. */
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(plugin->process(run.inst, &r[i]), CO_OK);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
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
    ck_assert_int_eq(plugin->process(run.inst, &a), CO_OK);
    ck_assert_int_eq(plugin->process(run.inst, &b), CO_OK);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
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
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
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
        ck_assert_int_eq(plugin->process(run.inst, &r[i]), CO_OK);
    /* The host's flush policy: retry with backoff (500 ms doubling) until
     * it succeeds; the server comes back after 10 s (simulated). */
    int64_t t0 = host->now_ms, backoff = 500;
    int retries = 0;
    co_status_t s;
    for (;;) {
        if (host->now_ms - t0 >= 10000)
            co_fake_chroma_set_down(chroma, 0);
        co_fake_host_clear_error(host);
        s = plugin->flush(run.inst);
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
    ck_assert_int_eq(plugin->process(run.inst, &rec), CO_OK);
    co_fake_script_t s500 = {
        .method = "POST",
        .status = 500,
        .body = "{\"error\":\"InternalError\",\"message\":\"compaction\"}",
        .headers = "Retry-After: 4"};
    co_fake_push(chr_srv, &s500); /* the create */
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->flush(run.inst), CO_RETRY);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "InternalError: compaction"));
    ck_assert_uint_eq(host->retry_after_ms, 4000);
    co_fake_script_t e503 = {
        .path = "/api/embed", .status = 503, .body = "{\"error\":\"busy\"}"};
    co_fake_push(oll_srv, &e503);
    ck_assert_int_eq(plugin->flush(run.inst), CO_RETRY);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
    ck_assert_int_eq(co_fake_chroma_count(chroma, TENANT, DB, COLL), 1);
    free((void *)rec.value);
}
END_TEST

START_TEST(token_headers)
{
    co_fake_chroma_set_token(chroma, "ct-1");
    ck_assert_int_eq(start_plugin("{\"token\":\"ct-1\"}"), CO_OK);
    co_record_t rec = briefing("g1", "Oduya Freight");
    ck_assert_int_eq(plugin->process(run.inst, &rec), CO_OK);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
    ck_assert_str_eq(
        co_fake_request_header(co_fake_last_request(chr_srv), "x-chroma-token"),
        "ct-1");
    co_fake_host_stop_plugin(&run);
    ck_assert_int_eq(start_plugin("{\"token\":\"ct-1\",\"token_header\":"
                                  "\"authorization\"}"),
                     CO_OK);
    ck_assert_int_eq(plugin->process(run.inst, &rec), CO_OK);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
    ck_assert_str_eq(
        co_fake_request_header(co_fake_last_request(chr_srv), "Authorization"),
        "Bearer ct-1");
    co_fake_host_stop_plugin(&run);
    /* a wrong token stops the stage with Chroma's answer */
    ck_assert_int_eq(start_plugin("{\"token\":\"nope\"}"), CO_OK);
    ck_assert_int_eq(plugin->process(run.inst, &rec), CO_OK);
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->flush(run.inst), CO_FATAL);
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
    ck_assert_int_eq(plugin->process(run.inst, &bad), CO_FAIL);
    ck_assert_str_eq(host->error_class, "schema");
    co_record_t rec = briefing("h1", "Oduya Freight");
    ck_assert_int_eq(plugin->process(run.inst, &rec), CO_OK);
    co_fake_host_clear_error(host);
    ck_assert_int_eq(plugin->flush(run.inst), CO_FATAL);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "ollama pull"));
    free((void *)rec.value);
}
END_TEST

START_TEST(bad_config_is_fatal)
{
    /* refused by check() (validate), as init() would */
    json_t *conf =
        json_pack("{s:s,s:s,s:s}", "chroma_url", co_fake_url(chr_srv),
                  "ollama_url", co_fake_url(oll_srv), "token_header", "cookie");
    ck_assert_int_eq(co_fake_host_start_plugin(host, plugin, conf, NULL, &run),
                     CO_FATAL);
    ck_assert_int_eq(run.faults, 1);
    ck_assert_ptr_nonnull(strstr(host->error_msg, "token_header"));
}
END_TEST

/* ---- careerops ask (chroma_ask.c, a command) against the same fakes ---- */

static char tmpdir[64];

/* Writes a manifest with one chroma-sink stage named "vectors" whose
 * config is the plugin's test config (tenant and database left to the
 * plugin's defaults); returns its path (static). */
static const char *write_manifest(const char *extra_config)
{
    static char path[128];
    snprintf(tmpdir, sizeof tmpdir, "/tmp/co-ask-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(path, sizeof path, "%s/m.json", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{\"pipeline\":\"ask-test\",\"kafka\":{\"bootstrap.servers\":"
            "\"embedded\"},\"state\":\"memory:\",\"stages\":["
            "{\"name\":\"store\",\"plugin\":\"mock-sink\",\"input\":"
            "\"research_tasks\",\"config\":{}},"
            "{\"name\":\"vectors\",\"plugin\":\"chroma-sink\",\"input\":"
            "\"research_tasks\",\"config\":{\"chroma_url\":\"%s\","
            "\"ollama_url\":\"%s\",\"collection\":\"" COLL "\"%s}}]}\n",
            co_fake_url(chr_srv), co_fake_url(oll_srv),
            extra_config ? extra_config : "");
    fclose(f);
    return path;
}

/* Runs the plugin's `ask` command (ABI 1.1) with stdout captured, as the
 * host would; returns the exit status and sets *out (malloc'd). */
static int run_ask(char **out, int argc, char **argv)
{
    char file[128];
    snprintf(file, sizeof file, "%s/out.txt", tmpdir);
    fflush(stdout);
    int saved = dup(1);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, 1);
    close(fd);
    const co_command_t *cmd = plugin->commands;
    while (cmd != NULL && cmd->name != NULL && strcmp(cmd->name, "ask") != 0)
        cmd++;
    ck_assert_ptr_nonnull(cmd);
    ck_assert_ptr_nonnull(cmd->run);
    co_host_api_t a = host->api;
    a.stage_config = co_command_stage_config;
    int rc = cmd->run(&a, argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    FILE *f = fopen(file, "r");
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    unlink(file);
    *out = buf;
    return rc;
}

static void store_two(void)
{
    ck_assert_int_eq(start_plugin(NULL), CO_OK);
    co_record_t a = briefing("q1", "Lindqvist Robotics");
    co_record_t b = briefing("q2", "Oduya Freight");
    ck_assert_int_eq(plugin->process(run.inst, &a), CO_OK);
    ck_assert_int_eq(plugin->process(run.inst, &b), CO_OK);
    ck_assert_int_eq(plugin->flush(run.inst), CO_OK);
    free((void *)a.value);
    free((void *)b.value);
}

static void cleanup_manifest(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/m.json", tmpdir);
    unlink(p);
    rmdir(tmpdir);
}

START_TEST(ask_prints_the_company_briefing)
{
    store_two();
    const char *m = write_manifest(NULL);
    char *argv[] = {"ask",        "what do I know about Oduya Freight",
                    "--manifest", (char *)m,
                    "-n",         "1",
                    "--company",  "Oduya Freight",
                    NULL};
    char *out = NULL;
    ck_assert_int_eq(run_ask(&out, 8, argv), 0);
    ck_assert_ptr_nonnull(strstr(out, "1. Oduya Freight - INTERVIEW "
                                      "2025-03-04T15:00:00Z (distance "));
    ck_assert_ptr_nonnull(strstr(out, "id q2)"));
    ck_assert_ptr_nonnull(strstr(out, "   ## Oduya Freight"));
    ck_assert_ptr_nonnull(strstr(out, "     https://news.example/q2/1\n"));
    ck_assert_ptr_nonnull(strstr(out, "     https://general.example/q2/1\n"));
    ck_assert_ptr_null(strstr(out, "Lindqvist"));
    free(out);
    /* The query: the question's embedding, n_results, the where filter,
     * by the collection's UUID. */
    char uuid[37], path[200];
    ck_assert_int_eq(co_fake_chroma_uuid(chroma, TENANT, DB, COLL, uuid), 0);
    snprintf(path, sizeof path,
             "/api/v2/tenants/" TENANT "/databases/" DB "/collections/%s/query",
             uuid);
    const co_fake_request_t *r = co_fake_last_request(chr_srv);
    ck_assert_str_eq(r->path, path);
    json_t *q = json_loads(r->body, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(q, "n_results")), 1);
    ck_assert_uint_eq(json_array_size(json_array_get(
                          json_object_get(q, "query_embeddings"), 0)),
                      8);
    json_decref(q);
    json_t *e = json_loads(co_fake_last_request(oll_srv)->body, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(e, "input")),
                     "what do I know about Oduya Freight");
    json_decref(e);

    /* Without --company: the nearest briefings, both companies. */
    char *argv2[] = {"ask",  "what",       "do",      "I",
                     "know", "--manifest", (char *)m, NULL};
    ck_assert_int_eq(run_ask(&out, 7, argv2), 0);
    ck_assert_ptr_nonnull(strstr(out, "1. "));
    ck_assert_ptr_nonnull(strstr(out, "2. "));
    ck_assert_ptr_nonnull(strstr(out, "Lindqvist Robotics"));
    ck_assert_ptr_nonnull(strstr(out, "Oduya Freight"));
    free(out);
    cleanup_manifest();
}
END_TEST

START_TEST(ask_errors)
{
    const char *m = write_manifest(NULL);
    char *out = NULL;
    /* nothing stored yet */
    char *argv[] = {"ask", "anything", "--manifest", (char *)m, NULL};
    ck_assert_int_eq(run_ask(&out, 4, argv), 1);
    free(out);
    /* unknown company */
    store_two();
    char *argv2[] = {"ask",       "x?",         "--manifest", (char *)m,
                     "--company", "Nobody Ltd", NULL};
    ck_assert_int_eq(run_ask(&out, 6, argv2), 1);
    ck_assert_ptr_nonnull(strstr(out, "No briefings found for Nobody Ltd."));
    free(out);
    /* usage */
    char *argv3[] = {"ask", "--manifest", (char *)m, NULL};
    ck_assert_int_eq(run_ask(&out, 3, argv3), 2);
    free(out);
    char *argv4[] = {"ask",     "q",     "--manifest", (char *)m,
                     "--stage", "store", NULL};
    ck_assert_int_eq(run_ask(&out, 6, argv4), 2);
    free(out);
    /* Chroma down */
    co_fake_chroma_set_down(chroma, 1);
    ck_assert_int_eq(run_ask(&out, 4, argv), 1);
    free(out);
    cleanup_manifest();
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
    TCase *ta = tcase_create("ask");
    tcase_add_checked_fixture(ta, setup, teardown);
    tcase_set_timeout(ta, 30);
    tcase_add_test(ta, ask_prints_the_company_briefing);
    tcase_add_test(ta, ask_errors);
    suite_add_tcase(s, ta);
    return s;
}

CO_TEST_MAIN(chroma_suite)
