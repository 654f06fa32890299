/**
 * @file tests/fakes/test_co_http.c
 * @brief co_http (lib/http) against the generic fake server.
 */
#include "co_fake.h"
#include "co_http.h"
#include "co_redact.h"
#include "co_test.h"

#include <string.h>

static co_fake_t *fake;
static char url[256];

static void setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    fake = co_fake_start(0);
    ck_assert_ptr_nonnull(fake);
}

static void teardown(void)
{
    co_fake_stop(fake);
    fake = NULL;
}

static const char *at(const char *path)
{
    snprintf(url, sizeof url, "%s%s", co_fake_url(fake), path);
    return url;
}

static void push(int status, const char *body, const char *headers,
                 int delay_ms, int drop)
{
    co_fake_script_t s = {.status = status,
                          .body = body,
                          .headers = headers,
                          .delay_ms = delay_ms,
                          .drop = drop};
    ck_assert_int_eq(co_fake_push(fake, &s), 0);
}

START_TEST(post_json_reaches_the_server_verbatim)
{
    push(200, "{\"ok\":true}", "X-Test: yes", 0, 0);
    co_http_t *h = co_http_new();
    const char *hdrs[] = {"Authorization: Bearer tok-123", NULL};
    co_http_response_t r;
    const char *doc = "{\"model\":\"m\",\"n\":[1,2,3]}";
    ck_assert_int_eq(
        co_http_post_json(h, at("/api/chat?x=1&x=2"), doc, hdrs, 5000, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"ok\":true}");
    ck_assert_uint_eq(r.body_len, 11);
    ck_assert_str_eq(r.content_type, "application/json");
    ck_assert_int_eq(r.retry_after_ms, -1);

    const co_fake_request_t *q = co_fake_last_request(fake);
    ck_assert_ptr_nonnull(q);
    ck_assert_str_eq(q->method, "POST");
    ck_assert_str_eq(q->path, "/api/chat");
    ck_assert_str_eq(q->body, doc);
    ck_assert_str_eq(co_fake_request_header(q, "content-type"),
                     "application/json");
    ck_assert_str_eq(co_fake_request_header(q, "Authorization"),
                     "Bearer tok-123");
    ck_assert_uint_eq(q->arg_cnt, 2);
    ck_assert_str_eq(q->args[1].name, "x");
    ck_assert_str_eq(q->args[1].value, "2");

    uint32_t ra = 1;
    char msg[128];
    ck_assert_int_eq(co_http_classify(&r, &ra, msg, sizeof msg), CO_OK);
    ck_assert_uint_eq(ra, 0);
    co_http_response_clear(&r);

    /* The handle is reused for a second request. */
    push(204, NULL, NULL, 0, 0);
    ck_assert_int_eq(co_http_get(h, at("/again"), NULL, 5000, &r), 0);
    ck_assert_int_eq(r.status, 204);
    ck_assert_str_eq(r.body, "");
    ck_assert_str_eq(co_fake_last_request(fake)->method, "GET");
    ck_assert_uint_eq(co_fake_request_count(fake), 2);
    co_http_response_clear(&r);
    co_http_destroy(h);
}
END_TEST

START_TEST(statuses_map_to_stage_codes)
{
    static const struct {
        int status;
        co_status_t want;
    } cases[] = {{200, CO_OK},    {201, CO_OK},    {301, CO_FAIL},
                 {400, CO_FAIL},  {401, CO_FAIL},  {403, CO_FAIL},
                 {404, CO_FAIL},  {408, CO_RETRY}, {429, CO_RETRY},
                 {432, CO_FAIL},  {500, CO_RETRY}, {502, CO_RETRY},
                 {503, CO_RETRY}, {504, CO_RETRY}};
    co_http_t *h = co_http_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        push(cases[i].status, "{\"error\":\"e\"}", NULL, 0, 0);
        co_http_response_t r;
        ck_assert_int_eq(co_http_get(h, at("/x"), NULL, 5000, &r), 0);
        ck_assert_int_eq(r.status, cases[i].status);
        char msg[256];
        ck_assert_int_eq(co_http_classify(&r, NULL, msg, sizeof msg),
                         cases[i].want);
        if (cases[i].want != CO_OK) {
            char want[64];
            snprintf(want, sizeof want, "HTTP %d: {\"error\":\"e\"}",
                     cases[i].status);
            ck_assert_str_eq(msg, want);
            ck_assert_str_eq(co_http_error_class(&r), "http");
        }
        co_http_response_clear(&r);
    }
    co_http_destroy(h);
}
END_TEST

START_TEST(retry_after_seconds_is_the_hint)
{
    push(429, "slow down", "Retry-After: 7", 0, 0);
    co_http_response_t r;
    ck_assert_int_eq(co_http_get(NULL, at("/limited"), NULL, 5000, &r), 0);
    ck_assert_int_eq(r.retry_after_ms, 7000);
    uint32_t ra = 0;
    char msg[64];
    ck_assert_int_eq(co_http_classify(&r, &ra, msg, sizeof msg), CO_RETRY);
    ck_assert_uint_eq(ra, 7000);
    ck_assert_str_eq(msg, "HTTP 429: slow down");
    co_http_response_clear(&r);
}
END_TEST

START_TEST(retry_after_parsing)
{
    /* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
    const int64_t t = 1445412480;
    ck_assert_int_eq(co_http_parse_retry_after("120", 0), 120000);
    ck_assert_int_eq(co_http_parse_retry_after("  5 ", 0), 5000);
    ck_assert_int_eq(co_http_parse_retry_after("0", 0), 0);
    ck_assert_int_eq(
        co_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", t - 10),
        10000);
    ck_assert_int_eq(
        co_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", t + 10), 0);
    ck_assert_int_eq(co_http_parse_retry_after("99999999999", 0),
                     24LL * 3600 * 1000);
    ck_assert_int_eq(co_http_parse_retry_after("soon", 0), -1);
    ck_assert_int_eq(co_http_parse_retry_after("5s", 0), -1);
    ck_assert_int_eq(co_http_parse_retry_after("", 0), -1);
    ck_assert_int_eq(co_http_parse_retry_after(NULL, 0), -1);
}
END_TEST

START_TEST(timeout_is_transient)
{
    push(200, "{}", NULL, 3000, 0); /* the fake stops the delay at teardown */
    co_http_response_t r;
    int rc = co_http_get(NULL, at("/slow"), NULL, 200, &r);
    ck_assert_int_eq(rc, CO_ERR_TRANSIENT);
    ck_assert_int_eq(r.fail, CO_HTTP_TIMEOUT);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.error, "timed out"));
    char msg[256];
    ck_assert_int_eq(co_http_classify(&r, NULL, msg, sizeof msg), CO_RETRY);
    ck_assert_str_eq(co_http_error_class(&r), "timeout");
    co_http_response_clear(&r);
}
END_TEST

/* A stop hook that answers 1 once the fake has received `after`
 * requests, i.e. while the server sits on the last one (trial 57: SIGTERM
 * during a request waited for timeout_ms), or at once with after 0. */
typedef struct stop_after_s {
    size_t after;
    int calls;
} stop_after_t;

static int stop_after(void *ctx)
{
    stop_after_t *s = ctx;
    s->calls++;
    return co_fake_request_count(fake) >= s->after;
}

START_TEST(stop_hook_ends_a_hanging_request)
{
    push(200, "{}", NULL, 20000, 0); /* the fake stops the delay at teardown */
    stop_after_t sa = {.after = 1};
    co_http_request_t req = {.method = "POST",
                             .url = at("/token"),
                             .body = "a=b",
                             .body_len = 3,
                             .timeout_ms = 30000,
                             .stop = stop_after,
                             .stop_ctx = &sa};
    co_http_response_t r;
    ck_assert_int_eq(co_http_perform(NULL, &req, &r), CO_ERR_TRANSIENT);
    /* heard within libcurl's progress interval (about 1 s), not 30 s */
    ck_assert_msg(r.elapsed_ms < 10000, "took %lld ms",
                  (long long)r.elapsed_ms);
    ck_assert_int_gt(sa.calls, 1);
    ck_assert_int_eq(r.fail, CO_HTTP_STOPPED);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strncmp(r.error, "stopped while waiting ", 22) == 0, "%s",
                  r.error);
    ck_assert_ptr_nonnull(strstr(r.error, "POST"));
    ck_assert_ptr_null(strstr(r.error, "/token")); /* no URL path */
    char msg[256];
    ck_assert_int_eq(co_http_classify(&r, NULL, msg, sizeof msg), CO_RETRY);
    ck_assert_str_eq(co_http_error_class(&r), "stopping");
    co_http_response_clear(&r);
    ck_assert_uint_eq(co_fake_request_count(fake), 1);

    /* already stopping: nothing is sent */
    sa = (stop_after_t){.after = 0};
    ck_assert_int_eq(co_http_perform(NULL, &req, &r), CO_ERR_TRANSIENT);
    ck_assert_int_eq(r.fail, CO_HTTP_STOPPED);
    ck_assert_msg(strncmp(r.error, "stopped while about to send POST", 32) == 0,
                  "%s", r.error);
    co_http_response_clear(&r);
    ck_assert_uint_eq(co_fake_request_count(fake), 1);

    /* a hook that never fires changes nothing */
    push(201, "{\"ok\":1}", NULL, 0, 0);
    sa = (stop_after_t){.after = 1000};
    ck_assert_int_eq(co_http_perform(NULL, &req, &r), 0);
    ck_assert_int_eq(r.status, 201);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(refused_and_dropped_connections_are_transient)
{
    co_fake_t *gone = co_fake_start(0);
    char u[128];
    snprintf(u, sizeof u, "%s/api/chat", co_fake_url(gone));
    co_fake_stop(gone);
    co_http_response_t r;
    ck_assert_int_eq(co_http_post_json(NULL, u, "{}", NULL, 2000, &r),
                     CO_ERR_TRANSIENT);
    ck_assert_int_eq(r.fail, CO_HTTP_CONNECT);
    ck_assert_int_eq(co_http_classify(&r, NULL, NULL, 0), CO_RETRY);
    ck_assert_str_eq(co_http_error_class(&r), "connect");
    co_http_response_clear(&r);

    push(200, "{}", NULL, 0, 1); /* close without answering */
    ck_assert_int_eq(co_http_get(NULL, at("/drop"), NULL, 2000, &r),
                     CO_ERR_TRANSIENT);
    ck_assert_int_eq(r.fail, CO_HTTP_CONNECT);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(loopback_guard_refuses_other_hosts)
{
    co_http_response_t r;
    ck_assert_int_eq(
        co_http_get(NULL, "http://example.com/api/tags", NULL, 1000, &r),
        CO_ERR_INVAL);
    ck_assert_int_eq(r.fail, CO_HTTP_NOT_LOOPBACK);
    ck_assert_ptr_nonnull(strstr(r.error, "example.com"));
    ck_assert_int_eq(co_http_classify(&r, NULL, NULL, 0), CO_FATAL);
    ck_assert_str_eq(co_http_error_class(&r), "config");
    co_http_response_clear(&r);

    char err[256];
    ck_assert_int_eq(
        co_http_check_url("http://10.0.0.1:11434/", err, sizeof err),
        CO_ERR_INVAL);
    ck_assert_int_eq(
        co_http_check_url("http://127.0.0.1:11434/", err, sizeof err), 0);
    ck_assert_int_eq(co_http_check_url("http://localhost/", err, sizeof err),
                     0);
    ck_assert_int_eq(co_http_check_url("http://[::1]:80/", err, sizeof err), 0);
    /* a login or password in the URL is refused and not quoted (trial 53:
     * "https://client:PW@host/token" was logged on every retry) */
    static const char *const login[] = {
        "http://client:HTTPPW53@127.0.0.1:1/token", "http://me@127.0.0.1/",
        "http://u:HTTP/PW53@127.0.0.1/", "ftp://u:HTTPPW53@127.0.0.1/"};
    for (size_t i = 0; i < sizeof login / sizeof login[0]; i++) {
        ck_assert_int_eq(co_http_check_url(login[i], err, sizeof err),
                         CO_ERR_INVAL);
        ck_assert_msg(strstr(err, "PW53") == NULL && strstr(err, "me@") == NULL,
                      "%s: %s", login[i], err);
    }
    ck_assert_ptr_nonnull(strstr(err, "holds a login or password"));
    ck_assert_int_eq(
        co_http_check_url("http://127.0.0.1/a?to=me@x", err, sizeof err), 0);
    ck_assert(co_host_is_loopback("127.1.2.3"));
    ck_assert(!co_host_is_loopback("127.0.0.1.example.com"));
    ck_assert(!co_host_is_loopback("128.0.0.1"));
    /* trial 56: the host's checks (core/url.c) took "localhost" only */
    ck_assert(co_host_is_loopback("LOCALHOST"));
    ck_assert(co_host_is_loopback("::1"));
    ck_assert(!co_host_is_loopback("localhost.example"));
    ck_assert(!co_host_is_loopback(NULL));

    /* Without the variable any host passes the check. */
    unsetenv("CAREEROPS_LOOPBACK_ONLY");
    ck_assert_int_eq(co_http_check_url("https://example.com/", err, sizeof err),
                     0);
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
}
END_TEST

/* co_http_check_url_ex(): a URL that is or carries a credential (trial
 * 54): plain http only to a loopback host as libcurl reads it ("http:/h"
 * with one slash passed a prefix check), no '#' fragment, no secret in the
 * query; none of it quoted */
START_TEST(secret_urls_are_checked_as_curl_reads_them)
{
    const unsigned all =
        CO_HTTP_URL_TLS | CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET;
    unsetenv("CAREEROPS_LOOPBACK_ONLY");
    static const char *const bad[] = {
        "http:/hooks.example/T/B/SEK54",
        "http://hooks.example/T/B/SEK54",
        "HTTP://hooks.example/T/B/SEK54",
        "http://127.0.0.1:1@hooks.example/SEK54",
        "https://h.example/token#SEK54",
        "https://h.example/token?client_secret=SEK54",
        "https://h.example/token?X-Amz-Signature=SEK54",
        "https:/h.example/token/SEK54",
    };
    char err[384];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(co_http_check_url_ex(bad[i], all, err, sizeof err) ==
                          CO_ERR_INVAL,
                      "accepted %s", bad[i]);
        ck_assert_msg(strstr(err, "SEK54") == NULL &&
                          strstr(err, "hooks.example") == NULL,
                      "%s: %s", bad[i], err);
    }
    ck_assert_int_eq(
        co_http_check_url_ex(bad[0], CO_HTTP_URL_TLS, err, sizeof err),
        CO_ERR_INVAL);
    ck_assert_int_eq(
        co_http_check_url_ex(bad[1], CO_HTTP_URL_TLS, err, sizeof err),
        CO_ERR_INVAL);
    ck_assert_ptr_nonnull(strstr(err, "plain http://"));
    static const char *const good[] = {
        "https://hooks.slack.com/services/T/B/X", "http://127.0.0.1:9/hook",
        "http://localhost/hook", "http://[::1]:80/token?audience=x"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(co_http_check_url_ex(good[i], all, err, sizeof err) == 0,
                      "%s: %s", good[i], err);
    /* without flags, as before */
    ck_assert_int_eq(co_http_check_url("https://h.example/t?client_secret=x#f",
                                       err, sizeof err),
                     0);
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
}
END_TEST

START_TEST(bad_urls_are_config_errors)
{
    co_http_response_t r;
    ck_assert_int_eq(co_http_get(NULL, "ftp://127.0.0.1/x", NULL, 1000, &r),
                     CO_ERR_INVAL);
    ck_assert_int_eq(r.fail, CO_HTTP_BAD_URL);
    ck_assert_ptr_nonnull(strstr(r.error, "ftp"));
    ck_assert_int_eq(co_http_classify(&r, NULL, NULL, 0), CO_FATAL);
    co_http_response_clear(&r);
    ck_assert_int_eq(co_http_get(NULL, "not a url", NULL, 1000, &r),
                     CO_ERR_INVAL);
    ck_assert_int_eq(r.fail, CO_HTTP_BAD_URL);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(oversized_body_is_refused)
{
    char big[10001];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    push(200, big, NULL, 0, 0);
    co_http_request_t req = {
        .url = at("/big"), .timeout_ms = 5000, .max_body = 1000};
    co_http_response_t r;
    ck_assert_int_eq(co_http_perform(NULL, &req, &r), CO_ERR_UPSTREAM);
    ck_assert_int_eq(r.fail, CO_HTTP_TOO_LARGE);
    ck_assert_int_eq(co_http_classify(&r, NULL, NULL, 0), CO_FAIL);
    co_http_response_clear(&r);
}
END_TEST

START_TEST(long_error_bodies_are_cut_on_one_line)
{
    char body[1000];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    body[5] = '\n';
    push(500, body, NULL, 0, 0);
    co_http_response_t r;
    ck_assert_int_eq(co_http_get(NULL, at("/e"), NULL, 5000, &r), 0);
    char msg[512];
    co_http_classify(&r, NULL, msg, sizeof msg);
    ck_assert_uint_eq(strlen(msg), strlen("HTTP 500: ") + 300 + 3);
    ck_assert_ptr_null(strchr(msg, '\n'));
    co_http_response_clear(&r);
}
END_TEST

START_TEST(unrouted_paths_and_methods)
{
    co_fake_route(fake, "GET", "/only-get", NULL, NULL);
    co_http_response_t r;
    ck_assert_int_eq(
        co_http_post_json(NULL, at("/only-get"), "{}", NULL, 5000, &r), 0);
    ck_assert_int_eq(r.status, 405);
    co_http_response_clear(&r);
    ck_assert_int_eq(co_http_get(NULL, at("/nothing"), NULL, 5000, &r), 0);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(r.body, "404 page not found");
    co_http_response_clear(&r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("co_http");
    TCase *tc = tcase_create("fake");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, post_json_reaches_the_server_verbatim);
    tcase_add_test(tc, statuses_map_to_stage_codes);
    tcase_add_test(tc, retry_after_seconds_is_the_hint);
    tcase_add_test(tc, retry_after_parsing);
    tcase_add_test(tc, timeout_is_transient);
    tcase_add_test(tc, stop_hook_ends_a_hanging_request);
    tcase_add_test(tc, refused_and_dropped_connections_are_transient);
    tcase_add_test(tc, loopback_guard_refuses_other_hosts);
    tcase_add_test(tc, bad_urls_are_config_errors);
    tcase_add_test(tc, secret_urls_are_checked_as_curl_reads_them);
    tcase_add_test(tc, oversized_body_is_refused);
    tcase_add_test(tc, long_error_bodies_are_cut_on_one_line);
    tcase_add_test(tc, unrouted_paths_and_methods);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
