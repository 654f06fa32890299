/* gmail-source pure helpers: quota bucket, error bodies, retry hints,
 * Pub/Sub push bodies, base64url both ways (sealed tokens: tests/lib/sealed).
 */
#include "co_mail.h"
#include "co_test.h"
#include "gmail_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

START_TEST(t_bucket)
{
    gmail_bucket_t b;
    gmail_bucket_init(&b, 10, 20, 0); /* 10 units/s, burst 20 */
    ck_assert_int_eq(gmail_bucket_take(&b, 5, 0), 0);
    ck_assert_int_eq(gmail_bucket_take(&b, 5, 0), 0);
    ck_assert_int_eq(gmail_bucket_take(&b, 5, 0), 0);
    ck_assert_int_eq(gmail_bucket_take(&b, 5, 0), 0);
    /* empty: 5 units need 500 ms at 10/s */
    int64_t w = gmail_bucket_take(&b, 5, 0);
    ck_assert_int_ge(w, 500);
    ck_assert_int_le(w, 501);
    ck_assert_int_gt(gmail_bucket_take(&b, 5, 499), 0);
    ck_assert_int_eq(gmail_bucket_take(&b, 5, 500), 0);
    /* more than the burst is taken once full */
    ck_assert_int_eq(gmail_bucket_take(&b, 100, 10000), 0);
}
END_TEST

START_TEST(t_errors)
{
    gmail_err_t e;
    gmail_parse_error(
        "{\"error\":{\"code\":403,\"message\":\"User Rate Limit Exceeded\","
        "\"errors\":[{\"domain\":\"usageLimits\",\"reason\":"
        "\"userRateLimitExceeded\",\"message\":\"User Rate Limit "
        "Exceeded\"}]}}",
        &e);
    ck_assert_str_eq(e.reason, "userRateLimitExceeded");
    ck_assert_str_eq(e.message, "User Rate Limit Exceeded");
    ck_assert(gmail_is_rate_limit(403, &e));
    gmail_parse_error("{\"error\":\"invalid_grant\",\"error_description\":"
                      "\"Token has been expired or revoked.\"}",
                      &e);
    ck_assert_str_eq(e.reason, "invalid_grant");
    ck_assert_str_eq(e.message, "Token has been expired or revoked.");
    ck_assert(!gmail_is_rate_limit(400, &e));
    gmail_parse_error("{\"error\":{\"code\":403,\"message\":\"Forbidden\","
                      "\"errors\":[{\"reason\":\"forbidden\"}]}}",
                      &e);
    ck_assert(!gmail_is_rate_limit(403, &e));
    ck_assert(gmail_is_rate_limit(429, &e));
    gmail_parse_error("not json", &e);
    ck_assert_str_eq(e.reason, "");
    gmail_parse_error(NULL, &e);
    ck_assert_str_eq(e.message, "");
}
END_TEST

/* trial 57: only `error` and `error_description`, escaped, each cut to
 * GMAIL_ERR_FIELD_MAX bytes on a UTF-8 boundary */
START_TEST(t_err_shown)
{
    gmail_err_t e;
    char out[1024], body[2048], desc[400];
    gmail_parse_error("{\"error\":\"invalid_grant\",\"error_description\":"
                      "\"Bad\\u001b[31m code\\nnext \\u202e!\",\"refresh_"
                      "token\":\"LEAK\"}",
                      &e);
    gmail_err_shown(&e, out, sizeof out);
    ck_assert_str_eq(out, "invalid_grant: Bad\\x1b[31m code\\x0anext \\u202e!");
    /* 199 ASCII bytes then a 2-byte character: cut before it */
    memset(desc, 'x', 199);
    snprintf(desc + 199, sizeof desc - 199, "\xc3\xa9tail");
    snprintf(body, sizeof body,
             "{\"error\":\"server_error\",\"error_description\":\"%s\"}", desc);
    gmail_parse_error(body, &e);
    gmail_err_shown(&e, out, sizeof out);
    ck_assert_int_eq(strncmp(out, "server_error: xxx", 17), 0);
    ck_assert_uint_eq(strlen(out), strlen("server_error: ") + 199 + 3);
    ck_assert_str_eq(out + strlen(out) - 4, "x...");
    /* a reason alone; nothing known */
    gmail_parse_error("{\"error\":\"invalid_scope\"}", &e);
    gmail_err_shown(&e, out, sizeof out);
    ck_assert_str_eq(out, "invalid_scope");
    gmail_parse_error("<html>oops</html>", &e);
    gmail_err_shown(&e, out, sizeof out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(t_retry_after_text)
{
    int64_t at;
    ck_assert_int_eq(gmail_parse_rfc3339("2023-03-07T18:03:15.961Z", &at), 0);
    ck_assert_int_eq(at, 1678212195961LL);
    ck_assert_int_eq(gmail_parse_rfc3339("2023-03-07T19:03:15+01:00", &at), 0);
    ck_assert_int_eq(at, 1678212195000LL);
    ck_assert_int_eq(gmail_parse_rfc3339("yesterday", &at), -1);
    const char *m = "User-rate limit exceeded.  Retry after "
                    "2023-03-07T18:03:15.961Z";
    ck_assert_int_eq(gmail_retry_after_text(m, 1678212190000LL), 5961);
    ck_assert_int_eq(gmail_retry_after_text(m, 1678212200000LL), 0);
    ck_assert_int_eq(gmail_retry_after_text("Too many concurrent requests "
                                            "for user",
                                            0),
                     -1);
    ck_assert_int_eq(gmail_retry_after_text(NULL, 0), -1);
}
END_TEST

static char *push_body(const char *inner)
{
    size_t l = strlen(inner);
    size_t el = sodium_base64_encoded_len(l, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(el);
    sodium_bin2base64(b64, el, (const unsigned char *)inner, l,
                      sodium_base64_VARIANT_ORIGINAL);
    char *out = NULL;
    ck_assert_int_ge(
        asprintf(&out,
                 "{\"message\":{\"data\":\"%s\",\"messageId\":\"1\","
                 "\"message_id\":\"1\",\"publishTime\":"
                 "\"2024-11-06T15:30:45Z\"},\"subscription\":"
                 "\"projects/p/subscriptions/s\"}",
                 b64),
        0);
    free(b64);
    return out;
}

START_TEST(t_push_body)
{
    uint64_t h = 0;
    char err[256];
    char *b = push_body("{\"emailAddress\":\"jordan.doe@example.com\","
                        "\"historyId\":\"1234567890\"}");
    ck_assert_int_eq(gmail_push_history_id(b, strlen(b), &h, err, sizeof err),
                     0);
    ck_assert_uint_eq(h, 1234567890ULL);
    free(b);
    b = push_body("{\"emailAddress\":\"jordan.doe@example.com\","
                  "\"historyId\":987654}");
    ck_assert_int_eq(gmail_push_history_id(b, strlen(b), &h, err, sizeof err),
                     0);
    ck_assert_uint_eq(h, 987654ULL);
    free(b);
    b = push_body("{\"emailAddress\":\"jordan.doe@example.com\"}");
    ck_assert_int_eq(gmail_push_history_id(b, strlen(b), &h, err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "historyId"));
    free(b);
    ck_assert_int_eq(gmail_push_history_id("{}", 2, &h, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "message.data"));
}
END_TEST

START_TEST(t_b64_padding)
{
    /* Gmail's raw: padded (gogcli#922) or unpadded (body.data) */
    const char *msg = "From: a@example.com\r\nSubject: x?\r\n\r\nhi>>?";
    size_t l = strlen(msg);
    int vars[2] = {sodium_base64_VARIANT_URLSAFE,
                   sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    for (int v = 0; v < 2; v++) {
        size_t el = sodium_base64_encoded_len(l, vars[v]);
        char *b = malloc(el);
        sodium_bin2base64(b, el, (const unsigned char *)msg, l, vars[v]);
        ck_assert(v == 0 ? strchr(b, '=') != NULL : strchr(b, '=') == NULL);
        unsigned char *out = NULL;
        size_t ol = 0;
        ck_assert_int_eq(co_mail_b64url_decode(b, strlen(b), &out, &ol), 0);
        ck_assert_uint_eq(ol, l);
        ck_assert_int_eq(memcmp(out, msg, l), 0);
        free(out);
        free(b);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("gmail-util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, t_bucket);
    tcase_add_test(tc, t_errors);
    tcase_add_test(tc, t_err_shown);
    tcase_add_test(tc, t_retry_after_text);
    tcase_add_test(tc, t_push_body);
    tcase_add_test(tc, t_b64_padding);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
