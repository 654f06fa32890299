/**
 * @file tests/core/test_dlq_tail.c
 * @brief co_dlq_tail() (core/dashboard_dlq.c), trial 43: a dead-letter
 *        file over 64 MiB was listed as empty, with no word; now its
 *        newest letters are read from its end, and a file that cannot be
 *        read is an error saying why.
 */
#include "co_test.h"

#include "dashboard_dlq.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/co-dlq-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    rmdir(dir);
}

/* Appends letters first..last-1 ({"offset":N}) to the file at path. */
static void letters(const char *path, int first, int last)
{
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    for (int i = first; i < last; i++)
        fprintf(f, "{\"partition\":0,\"offset\":%d}\n", i);
    fclose(f);
}

START_TEST(t_newest_of_a_big_file)
{
    char path[128];
    snprintf(path, sizeof path, "%s/dl.jsonl", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    /* 66 MiB of hole (no line break: one line that is not JSON), then
     * 300 letters: the first shares the hole's line */
    ck_assert_int_eq(ftruncate(fd, (off_t)66 << 20), 0);
    close(fd);
    letters(path, 0, 300);
    size_t total = 0;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &total, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(json_array_size(a), 200);
    ck_assert_int_eq(total, 300);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(a, 0), "offset")),
        100);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(a, 199), "offset")),
        299);
    json_decref(a);
    unlink(path);
}
END_TEST

/* The newest letter alone over the size limit (trial 44: a 100 MB line
 * at the end listed none): passed over, the older ones listed. */
START_TEST(t_huge_newest_letter)
{
    char path[128];
    snprintf(path, sizeof path, "%s/huge.jsonl", dir);
    letters(path, 0, 3);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    /* a 70 MiB line (a hole) with its line break */
    ck_assert_int_eq(ftruncate(fd, st.st_size + ((off_t)70 << 20)), 0);
    ck_assert_int_eq(pwrite(fd, "\n", 1, st.st_size + ((off_t)70 << 20)), 1);
    close(fd);
    size_t total = 0;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &total, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(json_array_size(a), 3);
    ck_assert_int_eq(total, 4);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(a, 2), "offset")), 2);
    json_decref(a);
    unlink(path);
}
END_TEST

START_TEST(t_small_missing_unreadable)
{
    char path[128];
    snprintf(path, sizeof path, "%s/small.jsonl", dir);
    letters(path, 0, 5);
    FILE *f = fopen(path, "a");
    fputs("not json\n{\"offset\":5}", f); /* a last line without \n */
    fclose(f);
    size_t total = 0;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &total, err, sizeof err);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(json_array_size(a), 6);
    ck_assert_int_eq(total, 7);
    json_decref(a);
    unlink(path);
    a = co_dlq_tail(path, 200, &total, err, sizeof err); /* none yet */
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(json_array_size(a), 0);
    ck_assert_int_eq(total, 0);
    json_decref(a);
    a = co_dlq_tail(dir, 200, &total, err, sizeof err); /* a folder */
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(err, dir) && strstr(err, "not a regular file"), "%s",
                  err);
}
END_TEST

static Suite *dlq_suite(void)
{
    Suite *s = suite_create("dlq_tail");
    TCase *tc = tcase_create("tail");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, t_newest_of_a_big_file);
    tcase_add_test(tc, t_small_missing_unreadable);
    tcase_add_test(tc, t_huge_newest_letter);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(dlq_suite)
