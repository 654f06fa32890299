/**
 * @file plugins/chroma-sink/tests/test_research_fakes.c
 * @brief The fake Tavily and fake Chroma answer as WIRE.md sections 3 and
 *        4 describe: checked over HTTP with co_http (the plugins' client).
 */
#include "co_fake_chroma.h"
#include "co_fake_tavily.h"
#include "co_http.h"
#include "co_test.h"

#include <jansson.h>

static co_fake_t *srv;

static void setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    srv = co_fake_start(0);
    ck_assert_ptr_nonnull(srv);
}

static void teardown(void)
{
    co_fake_stop(srv);
}

/* One request; returns the status, *body the parsed answer (any JSON). */
static long call(const char *method, const char *path, const char *body,
                 const char *header, json_t **out)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", co_fake_url(srv), path);
    const char *hs[] = {header, NULL};
    co_http_request_t req = {.method = method,
                             .url = url,
                             .headers = hs,
                             .body = body,
                             .body_len = body ? strlen(body) : 0};
    co_http_response_t r;
    ck_assert_int_eq(co_http_perform(NULL, &req, &r), 0);
    long st = r.status;
    if (out != NULL)
        *out = json_loadb(r.body, r.body_len, JSON_DECODE_ANY, NULL);
    co_http_response_clear(&r);
    return st;
}

static const char *detail(json_t *j)
{
    return json_string_value(
        json_object_get(json_object_get(j, "detail"), "error"));
}

START_TEST(tavily_wire)
{
    co_fake_tavily_t *t = co_fake_tavily_install(srv);
    co_fake_tavily_set_key(t, "tvly-k");
    const char *auth = "Authorization: Bearer tvly-k";
    json_t *j = NULL;
    ck_assert_int_eq(call("POST", "/search", "{\"query\":\"Acme\"}", NULL, &j),
                     401);
    ck_assert_str_eq(detail(j), "Unauthorized: missing or invalid API key.");
    json_decref(j);
    ck_assert_int_eq(call("POST", "/search", "{\"query\":\"A\"}", auth, &j),
                     400);
    ck_assert_str_eq(detail(j), "Query is too short. Min query length is 2 "
                                "characters.");
    json_decref(j);
    ck_assert_int_eq(call("POST", "/search",
                          "{\"query\":\"Acme\",\"topic\":\"sports\"}", auth,
                          &j),
                     400);
    json_decref(j);
    ck_assert_int_eq(
        call("POST", "/search",
             "{\"query\":\"Acme Rail\",\"topic\":\"news\",\"max_results\":2}",
             auth, &j),
        200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "query")),
                     "Acme Rail");
    ck_assert(json_is_null(json_object_get(j, "answer")));
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(j, "usage"), "credits")),
                     1);
    json_t *res = json_object_get(j, "results");
    ck_assert_uint_eq(json_array_size(res), 2);
    json_t *r0 = json_array_get(res, 0);
    ck_assert_str_eq(json_string_value(json_object_get(r0, "url")),
                     "https://news.example/acme-rail/1");
    ck_assert(json_is_real(json_object_get(r0, "score")));
    ck_assert_ptr_nonnull(json_object_get(r0, "published_date"));
    json_decref(j);
    int codes[] = {429, 432, 433, 500};
    for (int i = 0; i < 4; i++) {
        co_fake_tavily_push_error(t, codes[i], NULL, i == 0 ? 7 : -1);
        ck_assert_int_eq(
            call("POST", "/search", "{\"query\":\"Acme\"}", auth, &j),
            codes[i]);
        ck_assert_ptr_nonnull(detail(j));
        json_decref(j);
    }
    ck_assert_uint_eq(co_fake_tavily_search_count(t), 8);
}
END_TEST

START_TEST(chroma_wire)
{
    co_fake_chroma_t *c = co_fake_chroma_install(srv);
    const char *base = "/api/v2/tenants/default_tenant/databases/"
                       "default_database/collections";
    json_t *j = NULL;
    ck_assert_int_eq(call("GET", "/api/v2/heartbeat", NULL, NULL, &j), 200);
    ck_assert(json_is_integer(json_object_get(j, "nanosecond heartbeat")));
    json_decref(j);
    ck_assert_int_eq(call("GET", "/api/v1/heartbeat", NULL, NULL, &j), 410);
    ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
                     "Unimplemented");
    json_decref(j);
    char path[512];
    snprintf(path, sizeof path, "%s/mail", base);
    ck_assert_int_eq(call("GET", path, NULL, NULL, &j), 404);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "Collection [mail] does not exist");
    json_decref(j);
    const char *create = "{\"name\":\"mail\",\"metadata\":{\"hnsw:space\":"
                         "\"cosine\"}}";
    ck_assert_int_eq(call("POST", base, create, NULL, &j), 200);
    char id[64];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
    ck_assert_uint_eq(strlen(id), 36);
    ck_assert_int_eq(id[14], '4');
    json_decref(j);
    ck_assert_int_eq(call("POST", base, create, NULL, &j), 409);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "Collection [mail] already exists");
    json_decref(j);
    ck_assert_int_eq(call("POST", base,
                          "{\"name\":\"mail\",\"get_or_create\":true}", NULL,
                          &j),
                     200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "id")), id);
    json_decref(j);
    snprintf(path, sizeof path, "%s/mail/add", base);
    ck_assert_int_eq(call("POST", path, "{\"ids\":[\"a\"]}", NULL, &j), 400);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "Collection ID is not a valid UUIDv4");
    json_decref(j);
    snprintf(path, sizeof path, "%s/%s/add", base, id);
    ck_assert_int_eq(call("POST", path,
                          "{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1,0],[0,1]"
                          "],\"documents\":[\"x\",\"y\"],\"metadatas\":[{"
                          "\"k\":\"v\"},{\"k\":\"w\"}]}",
                          NULL, &j),
                     201);
    ck_assert(json_is_object(j) && json_object_size(j) == 0);
    json_decref(j);
    ck_assert_int_eq(call("POST", path,
                          "{\"ids\":[\"c\"],\"embeddings\":[[1,0,0]]}", NULL,
                          &j),
                     400);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "Collection expecting embedding with dimension of 2, "
                     "got 3");
    json_decref(j);
    snprintf(path, sizeof path, "%s/%s/count", base, id);
    ck_assert_int_eq(call("GET", path, NULL, NULL, &j), 200);
    ck_assert(json_is_integer(j));
    ck_assert_int_eq(json_integer_value(j), 2);
    json_decref(j);
    snprintf(path, sizeof path, "%s/%s/query", base, id);
    ck_assert_int_eq(call("POST", path,
                          "{\"query_embeddings\":[[0.9,0.1]],\"n_results\":"
                          "2}",
                          NULL, &j),
                     200);
    ck_assert_str_eq(json_string_value(json_array_get(
                         json_array_get(json_object_get(j, "ids"), 0), 0)),
                     "a");
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(json_array_get(json_object_get(j, "metadatas"), 0),
                           1),
            "k")),
        "w");
    ck_assert(json_is_null(json_object_get(j, "embeddings")));
    json_decref(j);
    co_fake_chroma_set_token(c, "s3");
    ck_assert_int_eq(call("GET", path, NULL, NULL, NULL), 401);
    snprintf(path, sizeof path, "%s/%s/count", base, id);
    ck_assert_int_eq(call("GET", path, NULL, "x-chroma-token: s3", NULL), 200);
    ck_assert_int_eq(call("GET", path, NULL, "Authorization: Bearer s3", NULL),
                     200);
    snprintf(path, sizeof path, "/api/v2/tenants/t/databases/db/collections");
    ck_assert_int_eq(call("GET", path, NULL, "x-chroma-token: s3", NULL), 400);
}
END_TEST

/* What a real Chroma 1.5.9 showed (real_chroma.sh compares the two):
 * databases must exist, names follow Chroma's rule, errors say so. */
START_TEST(chroma_databases_and_names)
{
    co_fake_chroma_install(srv);
    const char *dbs = "/api/v2/tenants/default_tenant/databases";
    json_t *j = NULL;
    ck_assert_int_eq(call("GET", "/api/v2/healthcheck", NULL, NULL, &j), 200);
    ck_assert(json_is_true(json_object_get(j, "is_executor_ready")));
    json_decref(j);
    char path[512];
    snprintf(path, sizeof path, "%s/jobs_db/collections", dbs);
    ck_assert_int_eq(call("POST", path, "{\"name\":\"mail\"}", NULL, &j), 400);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "Database [jobs_db] does not exist");
    json_decref(j);
    ck_assert_int_eq(call("POST", dbs, "{\"name\":\"jobs_db\"}", NULL, &j),
                     200);
    json_decref(j);
    ck_assert_int_eq(call("POST", dbs, "{\"name\":\"jobs_db\"}", NULL, &j),
                     409);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "Database [jobs_db] already exists");
    json_decref(j);
    ck_assert_int_eq(call("POST", path, "{\"name\":\"mail\"}", NULL, &j), 200);
    ck_assert_str_eq(json_string_value(json_object_get(j, "database")),
                     "jobs_db");
    json_decref(j);
    ck_assert_int_eq(call("POST", path, "{\"name\":\"-ab\"}", NULL, &j), 400);
    ck_assert_ptr_nonnull(
        strstr(json_string_value(json_object_get(j, "message")),
               "Expected a name containing 3-512 characters"));
    json_decref(j);
    snprintf(path, sizeof path, "%s/ab/collections", dbs);
    ck_assert_int_eq(call("GET", path, NULL, NULL, &j), 400);
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "database name must be at least 3 characters");
    json_decref(j);
}
END_TEST

static Suite *fakes_suite(void)
{
    Suite *s = suite_create("research-fakes");
    TCase *tc = tcase_create("wire");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, tavily_wire);
    tcase_add_test(tc, chroma_wire);
    tcase_add_test(tc, chroma_databases_and_names);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(fakes_suite)
