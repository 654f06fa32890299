/* The rules tests' shared fixture: the rules database loaded from the
 * source tree's data folder (RULES_SOURCE_DATADIR) before each test and
 * freed after it, and date_of(), rules_find_date() as a string. Header-only
 * (static) so each test program gets its own copy; include it once, after
 * co_test.h. */
#ifndef RULES_TEST_DB_H
#define RULES_TEST_DB_H

#include "rules_engine.h"

static rules_db_t *db;

static void setup(void)
{
    char err[512] = "";
    db = rules_db_new();
    ck_assert_ptr_nonnull(db);
    ck_assert_msg(rules_db_load_dir(db, RULES_SOURCE_DATADIR, err, sizeof err) >
                      0,
                  "%s", err);
    ck_assert_msg(rules_db_finish(db, err, sizeof err) == 0, "%s", err);
}

static void teardown(void)
{
    rules_db_free(db);
    db = NULL;
}

/* rules_find_date() at reference time ref (UTC seconds) and sender offset
 * off (minutes, INT_MIN: unknown); "" when no date is found. Not every
 * test program uses it. */
__attribute__((unused)) static const char *date_of(const char *text,
                                                   long long ref, int off)
{
    static char out[32];
    if (!rules_find_date(db, text, ref, off, out, sizeof out))
        out[0] = '\0';
    return out;
}

#endif
