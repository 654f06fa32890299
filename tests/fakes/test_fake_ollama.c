/**
 * @file tests/fakes/test_fake_ollama.c
 * @brief The fake Ollama answers as WIRE.md section 2 describes.
 */
#include "co_fake_ollama.h"
#include "co_http.h"
#include "co_test.h"

#include <jansson.h>

static co_fake_t *fake;
static co_fake_ollama_t *ollama;
static char url[256];

static void setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    fake = co_fake_start(0);
    ck_assert_ptr_nonnull(fake);
    ollama = co_fake_ollama_install(fake);
    ck_assert_ptr_nonnull(ollama);
    co_fake_ollama_add_model(ollama, "llama3.2:3b");
    co_fake_ollama_add_model(ollama, "qwen2.5");
}

static void teardown(void)
{
    co_fake_stop(fake);
}

static const char *at(const char *path)
{
    snprintf(url, sizeof url, "%s%s", co_fake_url(fake), path);
    return url;
}

/* POSTs body to /api/chat; returns the parsed response (or NULL if not
 * JSON) and sets *status. */
static json_t *chat(const char *body, long *status, co_http_response_t *keep)
{
    co_http_response_t r;
    ck_assert_int_eq(
        co_http_post_json(NULL, at("/api/chat"), body, NULL, 5000, &r), 0);
    *status = r.status;
    json_t *j = json_loads(r.body, 0, NULL);
    if (keep != NULL)
        *keep = r;
    else
        co_http_response_clear(&r);
    return j;
}

static const char *chat_req =
    "{\"model\":\"llama3.2:3b\",\"stream\":false,\"format\":{\"type\":"
    "\"object\"},\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
    "{\"role\":\"user\",\"content\":\"We would like to invite you to an "
    "interview\"}]}";

START_TEST(info_routes)
{
    co_http_response_t r;
    ck_assert_int_eq(co_http_get(NULL, at("/"), NULL, 5000, &r), 0);
    ck_assert_str_eq(r.body, "Ollama is running");
    co_http_response_clear(&r);

    ck_assert_int_eq(co_http_get(NULL, at("/api/version"), NULL, 5000, &r), 0);
    json_t *v = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(v, "version")));
    json_decref(v);
    co_http_response_clear(&r);

    ck_assert_int_eq(co_http_get(NULL, at("/api/tags"), NULL, 5000, &r), 0);
    json_t *t = json_loads(r.body, 0, NULL);
    json_t *models = json_object_get(t, "models");
    ck_assert_uint_eq(json_array_size(models), 2);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(models, 1), "name")),
        "qwen2.5:latest");
    ck_assert_str_eq(
        json_string_value(json_object_get(
            json_object_get(json_array_get(models, 0), "details"), "format")),
        "gguf");
    json_decref(t);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(chat_non_stream_shape)
{
    long status;
    json_t *j = chat(chat_req, &status, NULL);
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "model")),
                     "llama3.2:3b");
    ck_assert(json_is_true(json_object_get(j, "done")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "done_reason")),
                     "stop");
    ck_assert(json_integer_value(json_object_get(j, "total_duration")) > 0);
    ck_assert(json_integer_value(json_object_get(j, "eval_duration")) > 0);
    ck_assert(json_integer_value(json_object_get(j, "prompt_eval_count")) > 0);
    json_t *msg = json_object_get(j, "message");
    ck_assert_str_eq(json_string_value(json_object_get(msg, "role")),
                     "assistant");
    /* The heuristic answer is a JSON document inside a string. */
    json_t *ev =
        json_loads(json_string_value(json_object_get(msg, "content")), 0, NULL);
    ck_assert_ptr_nonnull(ev);
    ck_assert_str_eq(json_string_value(json_object_get(ev, "event_type")),
                     "INTERVIEW");
    json_decref(ev);
    json_decref(j);
}
END_TEST

START_TEST(chat_streams_ndjson_by_default)
{
    co_fake_ollama_push_content(ollama, "{\"a\":1}", 0);
    co_http_response_t r;
    long status;
    json_t *j =
        chat("{\"model\":\"qwen2.5:latest\",\"messages\":[]}", &status, &r);
    ck_assert_ptr_null(j); /* several JSON objects, not one */
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(r.content_type, "application/x-ndjson");
    char *save = NULL, *line, *copy = strdup(r.body);
    int n = 0;
    char content[64] = "";
    json_t *last = NULL;
    for (line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), n++) {
        json_decref(last);
        last = json_loads(line, 0, NULL);
        ck_assert_ptr_nonnull(last);
        strncat(content,
                json_string_value(json_object_get(
                    json_object_get(last, "message"), "content")),
                sizeof content - strlen(content) - 1);
    }
    ck_assert_int_eq(n, 3);
    ck_assert(json_is_true(json_object_get(last, "done")));
    ck_assert_str_eq(content, "{\"a\":1}");
    json_decref(last);
    free(copy);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(chat_errors_as_ollama)
{
    long status;
    json_t *j = chat("{\"model\":\"nope\",\"stream\":false,\"messages\":[]}",
                     &status, NULL);
    ck_assert_int_eq(status, 404);
    ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
                     "model 'nope' not found");
    json_decref(j);

    j = chat("", &status, NULL);
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
                     "missing request body");
    json_decref(j);

    j = chat("{\"messages\":[]}", &status, NULL);
    ck_assert_int_eq(status, 400);
    ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
                     "model is required");
    json_decref(j);

    j = chat("{not json", &status, NULL);
    ck_assert_int_eq(status, 400);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "error")),
                                 "invalid character"));
    json_decref(j);

    j = chat("{\"model\":\"qwen2.5\",\"stream\":false,\"format\":42}", &status,
             NULL);
    ck_assert_int_eq(status, 400);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "error")),
                                 "invalid format"));
    json_decref(j);

    co_http_response_t r;
    ck_assert_int_eq(co_http_get(NULL, at("/api/chat"), NULL, 5000, &r), 0);
    ck_assert_int_eq(r.status, 405);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(scripted_answers_in_order)
{
    co_fake_ollama_push_error(ollama, 503, CO_FAKE_OLLAMA_BUSY, 0);
    co_fake_ollama_push_error(ollama, 500,
                              "llama runner process has "
                              "terminated",
                              0);
    co_fake_ollama_push_content(ollama, "this is not JSON {", 0);
    co_fake_ollama_set_default_content(ollama, "{\"x\":2}");
    long status;
    json_t *j = chat(chat_req, &status, NULL);
    ck_assert_int_eq(status, 503);
    ck_assert_str_eq(json_string_value(json_object_get(j, "error")),
                     "server busy, please try again.  maximum pending "
                     "requests exceeded");
    json_decref(j);
    j = chat(chat_req, &status, NULL);
    ck_assert_int_eq(status, 500);
    json_decref(j);
    j = chat(chat_req, &status, NULL);
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(j, "message"), "content")),
                     "this is not JSON {");
    json_decref(j);
    j = chat(chat_req, &status, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(j, "message"), "content")),
                     "{\"x\":2}");
    json_decref(j);
    ck_assert_uint_eq(co_fake_ollama_chat_count(ollama), 4);
    /* The request log has the exact bodies. */
    ck_assert_str_eq(co_fake_request_at(fake, 0)->body, chat_req);
}
END_TEST

START_TEST(raw_script_overrides_the_service)
{
    co_fake_script_t s = {.path = "/api/chat",
                          .status = 200,
                          .content_type = "text/html",
                          .body = "<html>proxy error</html>"};
    co_fake_push(fake, &s);
    long status;
    json_t *j = chat(chat_req, &status, NULL);
    ck_assert_ptr_null(j);
    ck_assert_int_eq(status, 200);
    ck_assert_uint_eq(co_fake_ollama_chat_count(ollama), 0);
}
END_TEST

START_TEST(slow_answer_times_out)
{
    co_fake_ollama_set_delay(ollama, 3000);
    co_http_response_t r;
    ck_assert_int_eq(
        co_http_post_json(NULL, at("/api/chat"), chat_req, NULL, 150, &r),
        CO_ERR_TRANSIENT);
    ck_assert_int_eq(r.fail, CO_HTTP_TIMEOUT);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(embed_is_deterministic)
{
    const char *req = "{\"model\":\"qwen2.5\",\"input\":[\"a\",\"b\",\"a\"]}";
    co_http_response_t r;
    ck_assert_int_eq(
        co_http_post_json(NULL, at("/api/embed"), req, NULL, 5000, &r), 0);
    ck_assert_int_eq(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *e = json_object_get(j, "embeddings");
    ck_assert_uint_eq(json_array_size(e), 3);
    ck_assert_uint_eq(json_array_size(json_array_get(e, 0)), 8);
    ck_assert(json_equal(json_array_get(e, 0), json_array_get(e, 2)));
    ck_assert(!json_equal(json_array_get(e, 0), json_array_get(e, 1)));
    json_decref(j);
    co_http_response_clear(&r);

    ck_assert_int_eq(co_http_post_json(NULL, at("/api/embed"),
                                       "{\"model\":\"qwen2.5\",\"input\":[1]}",
                                       NULL, 5000, &r),
                     0);
    ck_assert_int_eq(r.status, 400);
    ck_assert_str_eq(r.body, "{\"error\":\"invalid input type\"}");
    co_http_response_clear(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fake_ollama");
    TCase *tc = tcase_create("wire");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, info_routes);
    tcase_add_test(tc, chat_non_stream_shape);
    tcase_add_test(tc, chat_streams_ndjson_by_default);
    tcase_add_test(tc, chat_errors_as_ollama);
    tcase_add_test(tc, scripted_answers_in_order);
    tcase_add_test(tc, raw_script_overrides_the_service);
    tcase_add_test(tc, slow_answer_times_out);
    tcase_add_test(tc, embed_is_deterministic);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
