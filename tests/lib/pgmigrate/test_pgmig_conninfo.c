/**
 * @file tests/lib/pgmigrate/test_pgmig_conninfo.c
 * @brief co_pgmig_conninfo_error() (trial 43): libpq's own words about a
 *        conninfo it cannot parse, which quote a piece of it, are never
 *        printed; a connection failure keeps its words without the
 *        password. The messages are libpq 15's, taken from PQconninfoParse
 *        and PQconnectdb here. No server needed.
 */
#include "co_pgmig.h"
#include "co_test.h"

#include <string.h>

/* libpq's parse error for `ci`, made safe, into out. */
static void parse_error(const char *ci, char *out, size_t n)
{
    char *perr = NULL;
    PQconninfoOption *o = PQconninfoParse(ci, &perr);
    ck_assert_ptr_null(o);
    ck_assert_ptr_nonnull(perr);
    co_pgmig_conninfo_error(out, n, ci, perr);
    PQfreemem(perr);
}

START_TEST(t_parse_errors_hide_the_text)
{
    static const struct {
        const char *ci, *secret, *says;
    } cases[] = {
        {"postgresql://app:my%pa55w0rdSECRET@127.0.0.1:5432/careerops",
         "pa55w0rd",
         "percent-encoding in the URI (a % in a password is "
         "written %25)"},
        {"host=127.0.0.1 password=Secr3tPart Tail9x dbname=x", "Tail9x",
         "put a value that holds a space in single quotes"},
        {"host=127.0.0.1 password='Secr3t", "Secr3t", "is not closed"},
        {"postgresql://app:Secr3t@[::1/db", "Secr3t", "malformed URI"},
        {"postgresql://app:Secr3t@h/db?Secr3tkey", "Secr3t", "malformed URI"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[512];
        parse_error(cases[i].ci, out, sizeof out);
        ck_assert_msg(strstr(out, cases[i].secret) == NULL, "%s", out);
        ck_assert_msg(strstr(out, cases[i].says) != NULL, "%s: %s", cases[i].ci,
                      out);
        ck_assert_msg(strstr(out, "the conninfo could not be parsed") == out,
                      "%s", out);
    }
}
END_TEST

/* A password with an unencoded '@' or '/' makes libpq split the URI in
 * the wrong places (trial 44: host "ss" looked up in DNS, the rest printed
 * as the database name): ambiguous, refused before connecting. */
START_TEST(t_ambiguous_uri)
{
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous(
                         "postgresql://careerops:Pa@ss/w0rd@127.0.0.1:5432/db"),
                     1);
    ck_assert_int_eq(
        co_pgmig_conninfo_ambiguous("postgresql://u:Sek@r3tX@127.0.0.1/db"), 1);
    ck_assert_int_eq(
        co_pgmig_conninfo_ambiguous("postgres://u:Sekr3t/abc@127.0.0.1/db"), 1);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous(
                         "postgresql://u:Pa%40ss%2Fw0rd@127.0.0.1:5432/db"),
                     0);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous(
                         "postgresql://u@127.0.0.1/db?options=a@b/c"),
                     0);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous("postgresql:///db?host=/run"),
                     0);
    ck_assert_int_eq(
        co_pgmig_conninfo_ambiguous("host=a user=u password=p@ss/x dbname=d"),
        0);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous(NULL), 0);
    /* trial 51: a port that is no number (a password after the host) */
    ck_assert_int_eq(
        co_pgmig_conninfo_ambiguous("postgresql://127.0.0.1:p%40ss/db"), 1);
    ck_assert_int_eq(
        co_pgmig_conninfo_ambiguous("postgresql://h:5432,h2:SECRET/db"), 1);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous(
                         "postgresql://u:pw@h1:5432,[::1]:5433,h3/db?x=a:b"),
                     0);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous("postgresql://[::1]/db"), 0);
    ck_assert_int_eq(co_pgmig_conninfo_ambiguous("postgresql://h:/db"), 0);
}
END_TEST

/* trial 53: values libpq checks only when it connects (the state store
 * then waited for ever) */
START_TEST(t_bad_values)
{
    char why[200];
    static const char *const bad[] = {
        "host=h sslmode=bogus",
        "host=h sslmode = 'Require'",
        "postgresql://u@h/db?sslmode=BADPW",
        "host=h gssencmode=",
        "postgresql://u@h/db?a=1&target_session_attrs=readwrite",
        "host=h channel_binding=yes"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        ck_assert_msg(co_pgmig_conninfo_bad_value(bad[i], why, sizeof why) == 1,
                      "%s", bad[i]);
        ck_assert_ptr_nonnull(strstr(why, "use one of"));
        ck_assert_ptr_null(strstr(why, "BADPW"));
    }
    static const char *const good[] = {
        "host=h sslmode=verify-full password='a b'",
        "host=h sslmode = 'require' dbname=x",
        "postgresql://u:p@h/db?sslmode=disable&target_session_attrs=any",
        "postgresql://u@h/db",
        "dbname=x",
        "",
        NULL};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(co_pgmig_conninfo_bad_value(good[i], why, sizeof why) ==
                          0,
                      "%s", good[i] ? good[i] : "NULL");
}
END_TEST

START_TEST(t_connection_error_without_password)
{
    char out[512];
    /* a quoted password piece and the bare value are left out; the host
     * and user libpq quotes stay */
    co_pgmig_conninfo_error(
        out, sizeof out, "postgresql://app:Secr3tPW@127.0.0.1:9/db",
        "connection to server at \"127.0.0.1\", port 9 failed: Connection "
        "refused Secr3tPW \"Secr3tPW\"\n\tIs the server running?");
    ck_assert_msg(strstr(out, "Secr3t") == NULL, "%s", out);
    ck_assert_msg(strstr(out, "\"127.0.0.1\", port 9 failed") != NULL, "%s",
                  out);
    ck_assert_msg(strchr(out, '\n') == NULL, "%s", out);
    co_pgmig_conninfo_error(out, sizeof out,
                            "host=h user=app password='a b\\'c' dbname=d",
                            "FATAL: password 'a b\\'c' for user \"app\"");
    ck_assert_msg(strstr(out, "a b") == NULL, "%s", out);
    ck_assert_msg(strstr(out, "\"app\"") != NULL, "%s", out);
    /* trial 48: pairs apart by a newline, a "://" inside a value */
    co_pgmig_conninfo_error(out, sizeof out,
                            "host=h\npassword=NL48PW\ndbname=a://b",
                            "FATAL: password NL48PW for \"NL48PW\"");
    ck_assert_msg(strstr(out, "NL48") == NULL, "%s", out);
    /* a message whose password cannot be found: quoted pieces hidden */
    co_pgmig_conninfo_error(out, sizeof out, "password = Xy9 host=h",
                            "bad \"Xy9\"");
    ck_assert_msg(strstr(out, "Xy9") == NULL, "%s", out);
    co_pgmig_conninfo_error(out, 4, NULL, NULL);
    ck_assert_str_eq(out, "unk");
}
END_TEST

/* trial 56: more ports than hosts passed validate and run retried the
 * connection for ever ("could not match 3 port numbers to 2 hosts") */
START_TEST(t_host_port_counts)
{
    static const struct {
        const char *ci;
        int bad;
    } cases[] = {
        {"host=a,b port=1,2,3", 1},
        {"host=a port=1,2", 1},
        {"port=1,2", 1},
        {"host=a,b hostaddr=127.0.0.1", 1},
        {"postgresql://u@a:1,b:2/db?port=1,2,3", 1},
        {"host=a,b port=1,2", 0},
        {"host=a,b port=5432", 0},
        {"host=a,b hostaddr=127.0.0.1,127.0.0.2 port=1,2", 0},
        {"hostaddr=127.0.0.1 port=5432", 0},
        {"postgresql://u@a:1,b:2/db", 0},
        {"dbname=x", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *perr = NULL, why[200] = "";
        PQconninfoOption *o = PQconninfoParse(cases[i].ci, &perr);
        ck_assert_msg(o != NULL, "%s: %s", cases[i].ci, perr ? perr : "");
        ck_assert_msg(co_pgmig_conninfo_counts_bad(o, why, sizeof why) ==
                          cases[i].bad,
                      "%s: %s", cases[i].ci, why);
        if (cases[i].bad)
            ck_assert_msg(strstr(why, "give one") != NULL, "%s", why);
        PQconninfoFree(o);
    }
    ck_assert_int_eq(co_pgmig_conninfo_counts_bad(NULL, NULL, 0), 0);
}
END_TEST

static Suite *conninfo_suite(void)
{
    Suite *s = suite_create("pgmig_conninfo");
    TCase *tc = tcase_create("redact");
    tcase_add_test(tc, t_parse_errors_hide_the_text);
    tcase_add_test(tc, t_connection_error_without_password);
    tcase_add_test(tc, t_ambiguous_uri);
    tcase_add_test(tc, t_bad_values);
    tcase_add_test(tc, t_host_port_counts);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(conninfo_suite)
