/**
 * @file tests/lib/cli/test_cli.c
 * @brief co_visible() and its forms for messages: control characters
 *        written \xNN, U+202E and the other invisible characters \uNNNN;
 *        co_cli_shown() keeps CO_CLI_SHOWN_SLOTS results valid at once;
 *        co_cli_shown_lines() keeps line breaks.
 */
#include "co_cli.h"
#include "co_test.h"

#include <stdlib.h>
#include <string.h>

START_TEST(t_visible)
{
    char *v = co_visible("a\033[31mb\xe2\x80\xae"
                         "c\xe2\x80\xa8"
                         "d\xc2\x9b"
                         "e\x7f\n");
    ck_assert_str_eq(v, "a\\x1b[31mb\\u202ec\\u2028d\\u009be\\x7f\\x0a");
    free(v);
    v = co_visible("caf\xc3\xa9 \xe2\x81\xa6x\xef\xbb\xbf");
    ck_assert_str_eq(v, "caf\xc3\xa9 \\u2066x\\ufeff"); /* é stays */
    free(v);
}
END_TEST

START_TEST(t_invisible)
{
    unsigned u = 0;
    ck_assert_uint_eq(co_cli_invisible("\xe2\x80\xae!", &u), 3);
    ck_assert_uint_eq(u, 0x202e);
    ck_assert_uint_eq(co_cli_invisible("\xc2\x85", &u), 2);
    ck_assert_uint_eq(u, 0x85);
    ck_assert_uint_eq(co_cli_invisible("\xd8\x9c", &u), 2);
    ck_assert_uint_eq(u, 0x061c);
    /* trial 59: fillers and other characters that show nothing */
    ck_assert_uint_eq(co_cli_invisible("\xe3\x85\xa4", &u), 3);
    ck_assert_uint_eq(u, 0x3164);
    ck_assert_uint_eq(co_cli_invisible("\xe1\x85\x9f", &u), 3);
    ck_assert_uint_eq(u, 0x115f);
    ck_assert_uint_eq(co_cli_invisible("\xcd\x8f", &u), 2);
    ck_assert_uint_eq(u, 0x034f);
    ck_assert_uint_eq(co_cli_invisible("\xef\xbf\xbb", &u), 3);
    ck_assert_uint_eq(u, 0xfffb);
    ck_assert_uint_eq(co_cli_invisible("\xe3\x85\xa5", &u), 0); /* U+3165 */
    ck_assert_uint_eq(co_cli_invisible("\033", &u), 0);         /* \x1b: C0 */
    ck_assert_uint_eq(co_cli_invisible("\xe2\x80", &u), 0);     /* cut short */
    ck_assert_uint_eq(co_cli_invisible("\xc3\xa9", &u), 0);
}
END_TEST

START_TEST(t_shown)
{
    const char *s[CO_CLI_SHOWN_SLOTS];
    char want[CO_CLI_SHOWN_SLOTS][16];
    for (int i = 0; i < CO_CLI_SHOWN_SLOTS; i++) {
        char w[16];
        snprintf(w, sizeof w, "w%d\033", i);
        snprintf(want[i], sizeof want[i], "w%d\\x1b", i);
        s[i] = co_cli_shown(w);
    }
    /* all still valid: one message may show CO_CLI_SHOWN_SLOTS words */
    for (int i = 0; i < CO_CLI_SHOWN_SLOTS; i++)
        ck_assert_str_eq(s[i], want[i]);
    ck_assert_str_eq(co_cli_shown(NULL), "(null)");
    ck_assert_str_eq(
        co_cli_shown_lines("ERROR:  \"x\033\"\nDETAIL: \xe2\x80\xae\n"),
        "ERROR:  \"x\\x1b\"\nDETAIL: \\u202e\n");
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    tcase_add_test(tc, t_visible);
    tcase_add_test(tc, t_invisible);
    tcase_add_test(tc, t_shown);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(cli_suite)
