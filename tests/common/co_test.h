/**
 * @file tests/common/co_test.h
 * @brief Small helpers shared by the Check test programs.
 *
 * Each test program defines a `Suite *` factory and ends with
 * CO_TEST_MAIN(factory). Exit code 77 tells meson the test was skipped.
 */
#ifndef CO_TEST_H
#define CO_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Exit code meson treats as "skipped". */
#define CO_TEST_SKIP 77

/** Runs the suite and exits 0 (all passed) or 1. */
#define CO_TEST_MAIN(factory)                                                  \
    int main(void)                                                             \
    {                                                                          \
        SRunner *sr = srunner_create(factory());                               \
        srunner_run_all(sr, CK_NORMAL);                                        \
        int nf = srunner_ntests_failed(sr);                                    \
        srunner_free(sr);                                                      \
        return nf == 0 ? 0 : 1;                                                \
    }

/** True when running under CI (CI=true), where missing inputs fail. */
static inline int co_test_in_ci(void)
{
    const char *ci = getenv("CI");
    return ci != NULL && strcmp(ci, "true") == 0;
}

/**
 * Exit the process as skipped (77) with a reason, or as failed under CI:
 * a test whose input is missing must fail loudly in CI.
 */
static inline void co_test_skip_or_fail(const char *why)
{
    fprintf(stderr, "%s: %s\n", co_test_in_ci() ? "FAIL" : "SKIP", why);
    exit(co_test_in_ci() ? 1 : CO_TEST_SKIP);
}

/** The shared corpus folder (env CAREEROPS_CORPUS), or skip/fail. */
static inline const char *co_test_corpus(void)
{
    const char *d = getenv("CAREEROPS_CORPUS");
    if (d == NULL || d[0] == '\0')
        co_test_skip_or_fail("CAREEROPS_CORPUS is not set");
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/README.md", d);
    FILE *f = fopen(probe, "r");
    if (f == NULL)
        co_test_skip_or_fail("the shared corpus (../shared/corpus) is missing");
    else
        fclose(f);
    return d;
}

/** PostgreSQL conninfo for tests (env CAREEROPS_TEST_PG), or skip/fail. */
static inline const char *co_test_pg(void)
{
    const char *c = getenv("CAREEROPS_TEST_PG");
    if (c == NULL || c[0] == '\0')
        co_test_skip_or_fail(
            "CAREEROPS_TEST_PG is not set (scripts/pg.sh start)");
    return c;
}

#endif
