/**
 * @file tests/core/state/state_cases.h
 * @brief State store tests shared by every backend. The including program
 *        defines `static char *t_uri(void)` (the store URI for the current
 *        test; the same URI on every call within one test) and calls
 *        co_state_cases_add().
 */
#ifndef CO_TEST_STATE_CASES_H
#define CO_TEST_STATE_CASES_H

#include "co_test.h"
#include "state.h"

#include <pthread.h>

static char *t_uri(void);

/** Values that must survive the store unchanged. */
static const char *const co_tricky_values[] = {
    "it's \"quoted\" and back\\slashed \\\\ \\x00 \\n",
    "'; DROP TABLE events; --",
    "\x01\x02\x7f\xc3\xa9\xe2\x82\xac \xf0\x9f\x93\xa7 "
    "binary-looking\tdata\r\n",
    "Robert'); DROP TABLE careerops_state;--",
    "",
};

static co_state_t *t_open(void)
{
    char err[512] = "";
    co_state_t *s = co_state_open(t_uri(), err, sizeof err);
    ck_assert_msg(s != NULL, "open %s: %s", t_uri(), err);
    return s;
}

static void t_expect(co_state_t *s, const char *ns, const char *key,
                     const void *want, size_t want_len)
{
    char *v = NULL;
    size_t len = 99;
    ck_assert_int_eq(co_state_get(s, ns, key, &v, &len), 0);
    ck_assert_uint_eq(len, want_len);
    ck_assert(memcmp(v, want, want_len) == 0);
    ck_assert_int_eq(v[len], '\0');
    free(v);
}

START_TEST(state_get_put)
{
    co_state_t *s = t_open();
    char *v = (char *)"untouched";
    size_t len = 5;
    ck_assert_int_eq(co_state_get(s, "stage-a", "missing", &v, &len),
                     CO_ERR_NOTFOUND);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(co_state_put(s, "stage-a", "offset", "41", 2), 0);
    ck_assert_int_eq(co_state_put(s, "stage-a", "offset", "42", 2), 0);
    t_expect(s, "stage-a", "offset", "42", 2);
    /* Namespaces are separate. */
    ck_assert_int_eq(co_state_get(s, "stage-b", "offset", &v, &len),
                     CO_ERR_NOTFOUND);
    ck_assert_int_eq(co_state_put(s, "stage-b", "offset", "7", 1), 0);
    t_expect(s, "stage-a", "offset", "42", 2);
    t_expect(s, "stage-b", "offset", "7", 1);
    co_state_close(s);
}
END_TEST

START_TEST(state_tricky_values)
{
    co_state_t *keep = t_open(); /* keeps a memory: store alive */
    co_state_t *s = t_open();
    size_t n = sizeof co_tricky_values / sizeof co_tricky_values[0];
    for (size_t i = 0; i < n; i++) {
        const char *v = co_tricky_values[i];
        char key[32];
        snprintf(key, sizeof key, "k%zu", i);
        ck_assert_int_eq(co_state_put(s, "ns", key, v, strlen(v)), 0);
        if (v[0] != '\0') {
            /* the same text as namespace and key */
            ck_assert_int_eq(co_state_put(s, v, v, v, strlen(v)), 0);
            ck_assert_int_eq(co_state_idem_begin(s, v, v), CO_IDEM_NEW);
            ck_assert_int_eq(co_state_idem_commit(s, v, v), 0);
            ck_assert_int_eq(co_state_idem_begin(s, v, v), CO_IDEM_DONE);
        }
    }
    /* Bytes that are not text: NUL, invalid UTF-8. */
    static const unsigned char bin[] = {0x00, 0xff, 0xfe, '\'', 0x00,
                                        '\\', 0x80, 0xc3, 0x28, 0x00};
    ck_assert_int_eq(co_state_put(s, "ns", "bin", bin, sizeof bin), 0);
    co_state_close(s);
    s = t_open();
    for (size_t i = 0; i < n; i++) {
        const char *v = co_tricky_values[i];
        char key[32];
        snprintf(key, sizeof key, "k%zu", i);
        t_expect(s, "ns", key, v, strlen(v));
        if (v[0] != '\0')
            t_expect(s, v, v, v, strlen(v));
    }
    t_expect(s, "ns", "bin", bin, sizeof bin);
    co_state_close(s);
    co_state_close(keep);
}
END_TEST

START_TEST(state_idem)
{
    co_state_t *s = t_open();
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "k1"), CO_IDEM_NEW);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "k1"), CO_IDEM_PENDING);
    ck_assert_int_eq(co_state_idem_begin(s, "other", "k1"), CO_IDEM_NEW);
    ck_assert_int_eq(co_state_idem_commit(s, "slack", "k1"), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "k1"), CO_IDEM_DONE);
    ck_assert_int_eq(co_state_idem_commit(s, "slack", "k1"), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "k1"), CO_IDEM_DONE);
    /* Commit without a claim records it as done. */
    ck_assert_int_eq(co_state_idem_commit(s, "slack", "k2"), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "k2"), CO_IDEM_DONE);
    co_state_close(s);
}
END_TEST

START_TEST(state_bad_args)
{
    co_state_t *s = t_open();
    char *v;
    ck_assert_int_eq(co_state_get(s, NULL, "k", &v, NULL), CO_ERR_INVAL);
    ck_assert_int_eq(co_state_put(s, "ns", NULL, "x", 1), CO_ERR_INVAL);
    ck_assert_int_eq(co_state_put(s, "ns", "\xff\xfe", "x", 1), CO_ERR_INVAL);
    ck_assert_int_eq(co_state_idem_begin(s, "\xc3\x28", "k"), CO_ERR_INVAL);
    ck_assert_int_eq(co_state_idem_begin(NULL, "ns", "k"), CO_ERR_INVAL);
    co_state_close(NULL);
    co_state_close(s);
}
END_TEST

/* Two stores on the same URI (two stage workers) see each other's writes,
 * and a claim made by one is PENDING for the other. */
START_TEST(state_two_stores)
{
    co_state_t *a = t_open(), *b = t_open();
    ck_assert_int_eq(co_state_put(a, "ns", "k", "from-a", 6), 0);
    t_expect(b, "ns", "k", "from-a", 6);
    ck_assert_int_eq(co_state_put(b, "ns", "k", "from-b", 6), 0);
    t_expect(a, "ns", "k", "from-b", 6);
    ck_assert_int_eq(co_state_idem_begin(a, "ns", "key"), CO_IDEM_NEW);
    ck_assert_int_eq(co_state_idem_begin(b, "ns", "key"), CO_IDEM_PENDING);
    ck_assert_int_eq(co_state_idem_commit(b, "ns", "key"), 0);
    ck_assert_int_eq(co_state_idem_begin(a, "ns", "key"), CO_IDEM_DONE);
    co_state_close(a);
    co_state_close(b);
}
END_TEST

#define T_THREADS 4
#define T_KEYS    100

typedef struct {
    int new_count;
    int err_count;
} t_claims_t;

static void *t_claimer(void *arg)
{
    t_claims_t *c = arg;
    char err[512];
    co_state_t *s = co_state_open(t_uri(), err, sizeof err);
    if (s == NULL) {
        c->err_count = T_KEYS;
        return NULL;
    }
    for (int i = 0; i < T_KEYS; i++) {
        char key[32];
        snprintf(key, sizeof key, "key-%d", i);
        int rc = co_state_idem_begin(s, "race", key);
        if (rc == CO_IDEM_NEW)
            c->new_count++;
        else if (rc < 0)
            c->err_count++;
    }
    co_state_close(s);
    return NULL;
}

/* Claims race from several threads, each with its own store: every key is
 * NEW exactly once. */
START_TEST(state_claim_race)
{
    co_state_t *keep = t_open(); /* keeps a memory: store alive */
    pthread_t th[T_THREADS];
    t_claims_t c[T_THREADS];
    memset(c, 0, sizeof c);
    for (int i = 0; i < T_THREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, t_claimer, &c[i]), 0);
    int total = 0;
    for (int i = 0; i < T_THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(c[i].err_count, 0);
        total += c[i].new_count;
    }
    ck_assert_int_eq(total, T_KEYS);
    co_state_close(keep);
}
END_TEST

/* For backends that keep data: close and reopen keeps values and claims. */
START_TEST(state_survives_reopen)
{
    co_state_t *s = t_open();
    ck_assert_int_eq(co_state_put(s, "gmail", "historyId", "123456", 6), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "done-key"), CO_IDEM_NEW);
    ck_assert_int_eq(co_state_idem_commit(s, "slack", "done-key"), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "open-key"), CO_IDEM_NEW);
    co_state_close(s);
    s = t_open();
    t_expect(s, "gmail", "historyId", "123456", 6);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "done-key"), CO_IDEM_DONE);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "open-key"),
                     CO_IDEM_PENDING);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "new-key"), CO_IDEM_NEW);
    co_state_close(s);
}
END_TEST

/** Add the shared cases to `tc`; `persistent` adds the reopen test. */
static void co_state_cases_add(TCase *tc, int persistent)
{
    tcase_add_test(tc, state_get_put);
    tcase_add_test(tc, state_idem);
    tcase_add_test(tc, state_bad_args);
    tcase_add_test(tc, state_two_stores);
    tcase_add_test(tc, state_claim_race);
    tcase_add_test(tc, state_tricky_values);
    if (persistent)
        tcase_add_test(tc, state_survives_reopen);
}

#endif
