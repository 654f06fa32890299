/**
 * @file tests/lib/redact/test_redact.c
 * @brief co_redact() and co_redact_spans(): the password of a URI or of a
 *        libpq key=value string is *** wherever a message names the
 *        string (trials 45-48), and nothing else is changed.
 */
#include "co_redact.h"
#include "co_test.h"

#include <string.h>

/* A string and how a message shows it. */
typedef struct {
    const char *in, *shown;
} redact_case_t;

/* Each case's string through redact() is its shown form. */
static void expect_shown(void (*redact)(char *, size_t, const char *),
                         const redact_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[256];
        redact(out, sizeof out, cases[i].in);
        ck_assert_str_eq(out, cases[i].shown);
    }
}

START_TEST(t_redact)
{
    static const redact_case_t cases[] = {
        /* trial 45: userinfo, an unencoded '@' or '/', the query,
         * key=value with quotes */
        {"postgresql://alice:S3cretPW@127.0.0.1:1/x",
         "postgresql://alice:***@127.0.0.1:1/x"},
        {"postgresql://alice:p@ss@127.0.0.1:55745/careerops",
         "postgresql://alice:***@127.0.0.1:55745/careerops"},
        {"postgresql://alice:pa/ss@127.0.0.1/db",
         "postgresql://alice:***@127.0.0.1/db"},
        {"postgresql://h/db?user=u&password=Xy9z&sslmode=off",
         "postgresql://h/db?user=u&password=***&sslmode=off"},
        {"host=h password='a b' dbname=d", "host=h password=*** dbname=d"},
        {"postgresql://alice@127.0.0.1/db", "postgresql://alice@127.0.0.1/db"},
        {"postgresql://h:5432/db", "postgresql://h:5432/db"},
        {"postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db"},
        {"corrections.csv", "corrections.csv"},
        {"", ""},
        /* trial 46: a '?' in the password, an escaped space, a second
         * password in the query, sslpassword, another scheme */
        {"postgresql://postgres:TR?PW5@127.0.0.1:1/db",
         "postgresql://postgres:***@127.0.0.1:1/db"},
        {"host=127.0.0.1 port=1 password=TR\\ PW4",
         "host=127.0.0.1 port=1 password=***"},
        {"postgresql://postgres:TRPW10@127.0.0.1:1/db?password=QPW11",
         "postgresql://postgres:***@127.0.0.1:1/db?password=***"},
        {"postgresql://postgres:TR?PW@h/db?password=QPW12",
         "postgresql://postgres:***@h/db?password=***"},
        {"host=h port=1 sslpassword=SSLPW7 password=P8",
         "host=h port=1 sslpassword=*** password=***"},
        {"mysql://u:MY?PW@h/db", "mysql://u:***@h/db"},
        {"user=bob passwordx=1", "user=bob passwordx=***"},
        {"user=bob sslkey=/k.pem", "user=bob sslkey=/k.pem"},
        /* trial 51: a secret parameter before a later ':'...'@'; a user
         * and password with no scheme; a second host's port */
        {"postgresql://host/db?password=sec&application_name=a:b@c",
         "postgresql://host/db?password=***&application_name=a:***@c"},
        {"https://h/x?token=TOKSECRET&r=http://me@ex",
         "https://h/x?token=***&r=http:***@ex"},
        {"alice:Hunter2@nas:/backups", "alice:***@nas:/backups"},
        {"alice:STATEPW2@dbhost/careerops", "alice:***@dbhost/careerops"},
        {"postgresql://h:5432,h2:secret/db", "postgresql://h:5432,h2:***"},
        /* trial 52: a URI after a "${" (a default missing its '}'), a
         * word named like a secret without '=' */
        {"${env:PG:-postgresql://u:SECRETPW@h/db", "${env:***@h/db"},
        {"${oops postgresql://u:hunter2@h/db",
         "${oops postgresql://u:***@h/db"},
        {"${env:A:-postgresql://u:hunter2@h/db}", "${env:***@h/db}"},
        /* trial 47: a percent-encoded or upper-case key */
        {"postgresql://127.0.0.1:1/db?user=u&%70assword=HIDDEN1",
         "postgresql://127.0.0.1:1/db?user=u&%70assword=***"},
        {"postgresql://h/db?PASSWORD=UP&x=1",
         "postgresql://h/db?PASSWORD=***&x=1"},
        {"host=h PASSWORD=UPPERPW dbname=d", "host=h PASSWORD=*** dbname=d"},
        /* trial 48: a key=value string holding "://" is not a URI; a ':'
         * and an '@' in the query; a newline or tab between pairs; an s3
         * password with '@' '/' '?' '#'; '=' missing after the key */
        {"host=h password=ab://cd@ef dbname=d", "host=h password=*** dbname=d"},
        {"dbname=postgresql://x password=KV48",
         "dbname=postgresql://x password=***"},
        {"postgresql://h/db?application_name=a:b@c&password=Q48",
         "postgresql://h/db?application_name=a:***@c&password=***"},
        {"postgresql://u:P1@h/db?application_name=a@c&password=Q49",
         "postgresql://u:***@c&password=***"},
        {"host=h\npassword=NL48\ndbname=d", "host=h\npassword=***\ndbname=d"},
        {"host=h\tpassword=TAB48", "host=h\tpassword=***"},
        {"s3://AK:se@c/r?e#t@minio/bucket", "s3://AK:***@minio/bucket"},
        {"host=h password SPACE48 dbname=d", "host=h password *** dbname=d"},
        {"  password = 'x y'  ", "  password = ***  "},
        /* trial 49: '?' or '#' in a user name, credentials without '@',
         * white space before a URI, near-miss URIs, a URI as a value, a
         * URL's other secret parameters */
        {"postgresql://us?er:SEK4@127.0.0.1:1/db",
         "postgresql://us?er:***@127.0.0.1:1/db"},
        {"postgresql://us#er:SEK5@h/db", "postgresql://us#er:***@h/db"},
        {"s3://AKIA:SEK83", "s3://AKIA:***"},
        {"s3://AKIA:SEK83/prefix", "s3://AKIA:***"},
        {" postgresql://u:SEK6@h/db", " postgresql://u:***@h/db"},
        {"postgresql:/u:SEK40@h/db", "postgresql:/u:***@h/db"},
        {"postgresql//u:SEK41@h/db", "postgresql//u:***@h/db"},
        {"dbname=postgresql://u:SEK7@h/db host=x",
         "dbname=postgresql://u:***@h/db host=x"},
        {"s3://bucket/p?secret_key=SEK70&a=1",
         "s3://bucket/p?secret_key=***&a=1"},
        {"s3://b/p?X-Amz-Signature=SEK71", "s3://b/p?X-Amz-Signature=***"},
        {"file:///tmp/a?password=SEK81", "file:///tmp/a?password=***"},
        {"file://u:SEK74@/tmp/a", "file://u:***@/tmp/a"},
        {"postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db"},
        {"postgresql://u:pw@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"},
        /* trial 50: '@' or '/' in a user name, a secret key with '/' or
         * '#', loose schemes, a password word inside a URI, more names,
         * hosts with ports, ';' parameters */
        {"postgresql://me@ex.com:SEK1@127.0.0.1:1/db",
         "postgresql://me@ex.com:***@127.0.0.1:1/db"},
        {"postgresql://u/x:SEK2@h/db", "postgresql://u/x:***@h/db"},
        {"s3://AK:wJalr/K7MD#x", "s3://AK:***"},
        {"s3:/AK:SEK3", "s3:/AK:***"},
        {"s3:AK:SEK4", "s3:AK:***"},
        {"postgresql:/h:SEK5", "postgresql:/h:***"},
        {"postgresql://postgres@/db password=SEK6?host=/x",
         "postgresql://postgres@/db password=***?host=/x"},
        {"file:///x?sig=SEK7&a=1", "file:///x?sig=***&a=1"},
        {"file:///x;pwd=SEK8", "file:///x;pwd=***"},
        {"postgresql://host:5432,host2:5433/db",
         "postgresql://host:5432,host2:5433/db"},
        {"postgresql://u@h:5432/db", "postgresql://u@h:5432/db"},
        {"file:/tmp/x.json", "file:/tmp/x.json"},
        {"memory:", "memory:"},
        /* trial 54: a query name holding key, sig or auth, as well as
         * secret, token, credential */
        {"https://h/t?client_secret=SEK54a&x=1",
         "https://h/t?client_secret=***&x=1"},
        {"https://h/t?apiKey=SEK54b", "https://h/t?apiKey=***"},
        {"https://h/t?auth_code=SEK54c&sigv=SEK54d",
         "https://h/t?auth_code=***&sigv=***"},
        {"s3://b/p?X-Amz-Credential=AK%2F1&X-Amz-Signature=SEK54e",
         "s3://b/p?X-Amz-Credential=***&X-Amz-Signature=***"},
        {"https://h/t?access_token=SEK54f", "https://h/t?access_token=***"},
        {"https://h/t?page=2", "https://h/t?page=2"},
    };
    expect_shown(co_redact, cases, sizeof cases / sizeof cases[0]);
    char small[4];
    co_redact(small, sizeof small, NULL);
    ck_assert_str_eq(small, "");
    co_redact(small, sizeof small, "postgresql://u:LONGSECRET@h");
    ck_assert_str_eq(small, "pos");
}
END_TEST

/* co_redact_login(): a URL's login is hidden with its password (trial 54:
 * an archive URL's message quoted "LEAKME" of s3://LEAKME@bucket and the
 * access key id of s3://AK:PW@b) */
START_TEST(t_redact_login)
{
    static const redact_case_t cases[] = {
        {"s3://LEAKME@bucket", "s3://***@bucket"},
        {"s3://AK54:PW54@b/p", "s3://***@b/p"},
        {"s3://AK54:PW54", "s3://***"},
        {"file://u54:PW54@/tmp/a", "file://***@/tmp/a"},
        {"alice54:PW54@nas:/backups", "***@nas:/backups"},
        {"alice54@nas:/backups", "***@nas:/backups"},
        {"s3://b/p?X-Amz-Signature=SIG54", "s3://b/p?X-Amz-Signature=***"},
        {"https://h:443/x?to=a", "https://h:443/x?to=a"},
        {"s3://bucket/prefix", "s3://bucket/prefix"},
        {"file:///tmp/arch", "file:///tmp/arch"},
        {"/tmp/arch", "/tmp/arch"},
    };
    expect_shown(co_redact_login, cases, sizeof cases / sizeof cases[0]);
}
END_TEST

/* the spans are the secrets' bytes, in order; a string with more than
 * room is counted whole */
START_TEST(t_spans)
{
    const char *s = "host=h password=A1 sslpassword='B 2'";
    co_redact_span_t sp[4];
    ck_assert_uint_eq(co_redact_spans(s, sp, 4), 2);
    ck_assert_uint_eq(sp[0].len, 2);
    ck_assert_int_eq(memcmp(s + sp[0].off, "A1", 2), 0);
    ck_assert_int_eq(memcmp(s + sp[1].off, "'B 2'", 5), 0);
    ck_assert_uint_eq(co_redact_spans(s, NULL, 0), 2);
    ck_assert_uint_eq(co_redact_spans(NULL, sp, 4), 0);
    ck_assert_uint_eq(co_redact_spans("postgresql://u:@h", sp, 4), 1);
    ck_assert_uint_eq(sp[0].len, 0);
    char many[2048] = "", out[2048];
    for (int i = 0; i < 40; i++)
        strcat(many, "password=SEC ");
    co_redact(out, sizeof out, many);
    ck_assert_msg(strstr(out, "SEC") == NULL, "%s", out);
}
END_TEST

/* co_url_server(): only SCHEME://HOST[:PORT] in the authority; each way
 * of writing a password there is a fault (trial 53) */
START_TEST(t_url_server)
{
    static const struct {
        const char *url;
        co_url_fault_t f;
        size_t rest; /* offset of the rest when CO_URL_OK */
    } c[] = {
        {"imaps://imap.example.com", CO_URL_OK, 24},
        {"imaps://imap.example.com:993/", CO_URL_OK, 28},
        {"imap://127.0.0.1:143", CO_URL_OK, 20},
        {"imaps://[::1]:993", CO_URL_OK, 17},
        {"imaps://[fe80::1%25eth0]", CO_URL_OK, 24},
        {"https://h.example/token?x=a@b", CO_URL_OK, 17},
        {"https://h:65535/", CO_URL_OK, 15},
        {"imaps://me%3APW%40host.example", CO_URL_HOST, 0},
        {"imaps://host.example%3APW", CO_URL_HOST, 0},
        {"imaps:///host.example:PW", CO_URL_HOST, 0},
        {"imaps://[::1]PW", CO_URL_HOST, 0},
        {"imaps://[::1:PW]", CO_URL_HOST, 0},
        {"imaps://[::1", CO_URL_HOST, 0},
        {"imaps://[1.2]", CO_URL_HOST, 0},
        {"imaps://[::1%]", CO_URL_HOST, 0},
        {"imaps://ho_st", CO_URL_HOST, 0},
        {"imaps://host:PW", CO_URL_PORT, 0},
        {"imaps://host:", CO_URL_PORT, 0},
        {"imaps://host:0", CO_URL_PORT, 0},
        {"imaps://host:65536", CO_URL_PORT, 0},
        {"imaps://host:99999", CO_URL_PORT, 0},
        {"imaps://host:20240815", CO_URL_PORT, 0},
        {"imaps://[::1]:", CO_URL_PORT, 0},
        {"imaps://me@host", CO_URL_USERINFO, 0},
        {"https://client:PW@127.0.0.1:1/token", CO_URL_USERINFO, 0},
        {"https://u:P/W@h/", CO_URL_USERINFO, 0},
        {"imaps:/host.example:PW", CO_URL_NOT_URI, 0},
        {"imaps//me:PW@host", CO_URL_NOT_URI, 0},
        {"host:993", CO_URL_NOT_URI, 0},
        {"", CO_URL_NOT_URI, 0},
        {NULL, CO_URL_NOT_URI, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t rest = 0;
        co_url_fault_t f = co_url_server(c[i].url, 0, &rest);
        ck_assert_msg(f == c[i].f, "%s: %d, not %d", c[i].url, (int)f,
                      (int)c[i].f);
        if (f == CO_URL_OK)
            ck_assert_msg(rest == c[i].rest, "%s: rest %zu", c[i].url, rest);
    }
}
END_TEST

/* co_url_server()'s flags: a '#' fragment, a secret in the query (trial
 * 54: oauth_token_url?client_secret=...), read even when the host is bad */
START_TEST(t_url_server_flags)
{
    const unsigned all = CO_URL_NO_FRAGMENT | CO_URL_NO_QUERY_SECRET;
    static const struct {
        const char *url;
        co_url_fault_t f;
    } c[] = {
        {"https://h.example/token", CO_URL_OK},
        {"https://h.example/token?audience=x", CO_URL_OK},
        {"https://h.example/token#frag", CO_URL_FRAGMENT},
        {"https://h.example#frag", CO_URL_FRAGMENT},
        {"https://h.example/t?client_secret=CS", CO_URL_QUERY_SECRET},
        {"https://h.example/t?a=1&X-Amz-Signature=S", CO_URL_QUERY_SECRET},
        {"https://h.example/t?ACCESS_TOKEN=T", CO_URL_QUERY_SECRET},
        {"https://h.example/t?api_key=K", CO_URL_QUERY_SECRET},
        {"https://h_x/t?client_secret=CS", CO_URL_QUERY_SECRET},
        {"https://u:PW@h.example/t#x", CO_URL_USERINFO},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        co_url_fault_t f = co_url_server(c[i].url, all, NULL);
        ck_assert_msg(f == c[i].f, "%s: %d, not %d", c[i].url, (int)f,
                      (int)c[i].f);
    }
    /* without the flags, the same URLs are servers' */
    ck_assert_int_eq(co_url_server("https://h/t?client_secret=CS#x", 0, NULL),
                     CO_URL_OK);
}
END_TEST

static Suite *redact_suite(void)
{
    Suite *s = suite_create("redact");
    TCase *tc = tcase_create("redact");
    tcase_add_test(tc, t_redact);
    tcase_add_test(tc, t_spans);
    tcase_add_test(tc, t_url_server);
    tcase_add_test(tc, t_url_server_flags);
    tcase_add_test(tc, t_redact_login);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(redact_suite)
