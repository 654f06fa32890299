/**
 * @file tests/lib/sealed/test_sealed.c
 * @brief lib/sealed: a sealed secret round-trips, is not in plain text,
 *        and a wrong key, an altered text, a plain file or a bad key are
 *        refused with a reason.
 */
#include "co_sealed.h"
#include "co_test.h"

#include <sodium.h>
#include <string.h>

START_TEST(t_seal)
{
    ck_assert_int_ge(sodium_init(), 0);
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    const char *tok = "1//fake-refresh-token-0123456789";
    char *sealed = NULL, *back = NULL, err[256];
    ck_assert_int_eq(co_sealed_seal(tok, key, &sealed), 0);
    ck_assert_ptr_null(strstr(sealed, tok)); /* not in plain text */
    ck_assert_ptr_null(strstr(sealed, "fake-refresh"));
    ck_assert_int_eq(strncmp(sealed, CO_SEALED_MAGIC " ", 20), 0);
    ck_assert_int_eq(
        co_sealed_open(sealed, strlen(sealed), hex, &back, err, sizeof err), 0);
    ck_assert_str_eq(back, tok);
    free(back);
    /* wrong key */
    char bad[65];
    memcpy(bad, hex, 65);
    bad[0] = bad[0] == '0' ? '1' : '0';
    ck_assert_int_eq(
        co_sealed_open(sealed, strlen(sealed), bad, &back, err, sizeof err),
        CO_SEALED_BAD_KEY);
    ck_assert_ptr_nonnull(strstr(err, "does not open"));
    /* tampered: indistinguishable from a wrong key, which is likelier */
    sealed[30] = sealed[30] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(
        co_sealed_open(sealed, strlen(sealed), hex, &back, err, sizeof err),
        CO_SEALED_BAD_KEY);
    ck_assert_ptr_nonnull(strstr(err, "does not open"));
    /* plain token file */
    ck_assert_int_eq(
        co_sealed_open(tok, strlen(tok), hex, &back, err, sizeof err),
        CO_SEALED_BAD_TEXT);
    ck_assert_ptr_nonnull(strstr(err, "not a sealed file"));
    /* key not hex */
    ck_assert_int_eq(
        co_sealed_open(sealed, strlen(sealed), "xyz", &back, err, sizeof err),
        CO_SEALED_BAD_KEY);
    ck_assert_ptr_nonnull(strstr(err, "64 hex digits"));
    /* a key of 63 digits, and one written in base64 */
    hex[63] = '\0';
    ck_assert_int_eq(
        co_sealed_open(sealed, strlen(sealed), hex, &back, err, sizeof err),
        CO_SEALED_BAD_KEY);
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, key, sizeof key,
                      sodium_base64_VARIANT_ORIGINAL);
    ck_assert_int_eq(
        co_sealed_open(sealed, strlen(sealed), b64, &back, err, sizeof err),
        CO_SEALED_BAD_KEY);
    free(sealed);
}
END_TEST

static Suite *sealed_suite(void)
{
    Suite *s = suite_create("sealed");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, t_seal);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(sealed_suite)
