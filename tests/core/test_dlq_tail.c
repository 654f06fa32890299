/**
 * @file tests/core/test_dlq_tail.c
 * @brief co_dlq_tail() (core/dashboard_dlq.c), trial 43: a dead-letter
 *        file over 64 MiB was listed as empty, with no word; now its
 *        newest letters are read from its end, and a file that cannot be
 *        read is an error saying why. Trial 45: a named pipe hung it
 *        (now refused at once, like a folder or a device); 60 letters of
 *        15 MiB made an answer of 900 MB (now the listing stops at
 *        CO_DLQ_ANSWER_MAX, long strings are cut, the rest counted);
 *        total counted blank and garbage lines as letters.
 */
#include "co_test.h"

#include "dashboard_dlq.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
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
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(json_array_size(a), 200);
    /* the hole's line, with the first letter on it, is not JSON */
    ck_assert_int_eq(n.total, 299);
    ck_assert_int_eq(n.unreadable, 1);
    ck_assert_int_eq(n.left_out, 0);
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
    /* a 70 MiB letter (a hole between its braces) with its line break */
    off_t end = st.st_size + ((off_t)70 << 20);
    ck_assert_int_eq(ftruncate(fd, end), 0);
    ck_assert_int_eq(pwrite(fd, "{", 1, st.st_size), 1);
    ck_assert_int_eq(pwrite(fd, "}\n", 2, end), 2);
    close(fd);
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(json_array_size(a), 3);
    ck_assert_int_eq(n.total, 4);
    ck_assert_int_eq(n.left_out, 1);
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
    /* blank lines are no letters, nor unreadable; garbage, an array and a
     * truncated object are unreadable (trial 45 counted them all) */
    fputs("\n  \nnot json\n[1,2]\n{\"offset\":\n\n{\"offset\":5}", f);
    fclose(f); /* the last line without \n */
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(json_array_size(a), 6);
    ck_assert_int_eq(n.total, 6);
    ck_assert_int_eq(n.unreadable, 3);
    json_decref(a);
    unlink(path);
    a = co_dlq_tail(path, 200, &n, err, sizeof err); /* none yet */
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(json_array_size(a), 0);
    ck_assert_int_eq(n.total, 0);
    json_decref(a);
    a = co_dlq_tail(dir, 200, &n, err, sizeof err); /* a folder */
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(err, dir) &&
                      strstr(err, "a folder, not a regular file"),
                  "%s", err);
    a = co_dlq_tail("/dev/zero", 200, &n, err, sizeof err);
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(err, "a character device"), "%s", err);
}
END_TEST

/* A named pipe with no writer (trial 45: every endpoint thread waited in
 * open() for good): refused at once, saying what it is. */
START_TEST(t_fifo_refused_at_once)
{
    char path[128];
    snprintf(path, sizeof path, "%s/fifo.jsonl", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_ptr_null(a);
    ck_assert_msg(strstr(err, "a named pipe, not a regular file"), "%s", err);
    /* for writing (the replays' sidecar) too: no reader, no wait */
    ck_assert_int_lt(co_dlq_open(path, O_WRONLY | O_APPEND, err, sizeof err),
                     0);
    unlink(path);
}
END_TEST

/* Appends a letter whose value is `size` bytes of 'x'. */
static void big_letter(const char *path, int offset, size_t size)
{
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "{\"partition\":0,\"offset\":%d,\"headers\":{\"m\":\"e\"},"
            "\"value\":\"",
            offset);
    for (size_t i = 0; i < size; i++)
        fputc('x', f);
    fputs("\"}\n", f);
    fclose(f);
}

/* Trial 45: 60 letters of 15 MiB, 3 listings at once took 62 s and 5.5
 * GB. The listing stops before its letters pass CO_DLQ_ANSWER_MAX (32
 * MiB), says how many it left out, and cuts long strings. */
START_TEST(t_answer_bounded)
{
    char path[128];
    snprintf(path, sizeof path, "%s/big.jsonl", dir);
    letters(path, 0, 2);
    for (int i = 2; i < 7; i++)
        big_letter(path, i, (size_t)9 << 20);
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(n.total, 7);
    ck_assert_int_eq(json_array_size(a), 3); /* 27 MiB: a 4th passes 32 */
    ck_assert_int_eq(n.left_out, 4);         /* 2 big, 2 small ones */
    ck_assert_int_eq(n.truncated, 3);
    json_t *l = json_array_get(a, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(l, "offset")), 4);
    ck_assert_uint_eq(json_string_length(json_object_get(l, "value")),
                      CO_DLQ_FIELD_MAX);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(l, "truncated"), "value")),
                     9 << 20);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(l, "headers"), "m")),
        "e");
    json_decref(a);
    unlink(path);
}
END_TEST

/* Trial 46: a 15 MB letter whose value is an object of a million small
 * members was parsed whole (3 listings at once took 1.16 GB). A letter
 * over 1 MiB is read member by member: its small members listed, the
 * large object omitted and named with its size. */
START_TEST(t_many_small_members)
{
    char path[128];
    snprintf(path, sizeof path, "%s/members.jsonl", dir);
    letters(path, 0, 1);
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    long at = ftell(f);
    fputs("{\"partition\":0,\"offset\":1,\"key\":\"k\",\"value\":{", f);
    long v0 = ftell(f) - 1;
    for (int i = 0; i < 200000; i++)
        fprintf(f, "%s\"k%d\":%d", i ? "," : "", i, i);
    fputs("}, \"headers\":{\"m\":\"e\"}}\n", f);
    long end = ftell(f);
    fclose(f);
    ck_assert_int_gt(end - at, 1 << 20);
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(json_array_size(a), 2);
    ck_assert_int_eq(n.total, 2);
    ck_assert_int_eq(n.left_out, 0);
    ck_assert_int_eq(n.too_large, 1);
    json_t *l = json_array_get(a, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(l, "offset")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(l, "key")), "k");
    ck_assert_ptr_null(json_object_get(l, "value"));
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(l, "omitted"), "value")),
                     end - 23 - v0); /* to its closing brace */
    ck_assert_str_eq(
        json_string_value(json_object_get(json_object_get(l, "headers"), "m")),
        "e");
    ck_assert_ptr_null(json_object_get(json_array_get(a, 0), "omitted"));
    json_decref(a);
    unlink(path);
}
END_TEST

/* Trial 47: letters under 1 MiB of tiny arrays ("[[],[],...]") became
 * trees of 50 MB each, a listing of them 1.5 to 3 GB. A letter of more
 * than 20,000 values is read member by member, members past that budget
 * omitted; a listing stops at 250,000 values, the older letters left
 * out and counted. Each letter here: three members of 9,000 tiny arrays
 * (27 KB, under the 64 KiB member limit, and 18,001 values as counted:
 * brackets and commas), then an offset. */
START_TEST(t_tiny_arrays_bounded)
{
    char path[128];
    snprintf(path, sizeof path, "%s/tiny.jsonl", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int l = 0; l < 40; l++) {
        fputs("{", f);
        for (int m = 0; m < 3; m++) {
            fprintf(f, "\"a%d\":[", m);
            for (int i = 0; i < 9000; i++)
                fputs(i ? ",[]" : "[]", f);
            fputs("],", f);
        }
        fprintf(f, "\"offset\":%d}\n", l);
    }
    fclose(f);
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ck_assert_int_eq(n.total, 40);
    ck_assert_int_eq(n.unreadable, 0);
    /* 18,003 values a letter: 13 letters within 250,000 */
    size_t listed = json_array_size(a);
    ck_assert_msg(listed == 13, "%zu listed", listed);
    ck_assert_int_eq(n.left_out, 40 - listed);
    ck_assert_int_eq(n.too_large, listed);
    for (size_t i = 0; i < listed; i++) {
        json_t *l = json_array_get(a, i);
        ck_assert_int_eq(json_integer_value(json_object_get(l, "offset")),
                         (json_int_t)(40 - listed + i));
        ck_assert_int_eq(json_array_size(json_object_get(l, "a0")), 9000);
        ck_assert_ptr_null(json_object_get(l, "a1"));
        json_t *om = json_object_get(l, "omitted");
        ck_assert_int_eq(json_integer_value(json_object_get(om, "a1")),
                         9000 * 3 + 1);
        ck_assert_ptr_nonnull(json_object_get(om, "a2"));
    }
    json_decref(a);
    unlink(path);
}
END_TEST

/* The file's lines are counted once (trial 47: every request parsed the
 * whole file again): a grown file is counted from where the last count
 * stopped, a line still being written is counted again, and a file
 * truncated or replaced is counted anew. */
static size_t total_of(const char *path)
{
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    json_decref(a);
    return n.total;
}

START_TEST(t_counts_follow_the_file)
{
    char path[128], other[140];
    snprintf(path, sizeof path, "%s/grow.jsonl", dir);
    snprintf(other, sizeof other, "%s/other.jsonl", dir);
    letters(path, 0, 5);
    ck_assert_int_eq(total_of(path), 5);
    letters(path, 5, 8);
    ck_assert_int_eq(total_of(path), 8);
    FILE *f = fopen(path, "a");
    fputs("{\"offset\":", f); /* half written */
    fclose(f);
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_int_eq(n.total, 8);
    ck_assert_int_eq(n.unreadable, 1);
    json_decref(a);
    f = fopen(path, "a");
    fputs("8}\n", f);
    fclose(f);
    a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_int_eq(n.total, 9);
    ck_assert_int_eq(n.unreadable, 0);
    json_decref(a);
    letters(other, 0, 2);
    ck_assert_int_eq(total_of(other), 2);
    ck_assert_int_eq(total_of(path), 9);
    ck_assert_int_eq(truncate(path, 0), 0);
    letters(path, 0, 3);
    ck_assert_int_eq(total_of(path), 3);
    /* trial 49: rewritten in place (same inode), longer than before, and
     * at the same size: counted anew */
    f = fopen(path, "w");
    for (int i = 0; i < 10; i++)
        fputs("not-json-line-that-is-long!\n", f);
    fclose(f);
    a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_int_eq(n.total, 0);
    ck_assert_int_eq(n.unreadable, 10);
    json_decref(a);
    f = fopen(path, "w");
    for (int i = 0; i < 10; i++)
        fputs("{\"offset\":1234567890123456}\n", f); /* the same length */
    fclose(f);
    a = co_dlq_tail(path, 200, &n, err, sizeof err);
    ck_assert_int_eq(n.total, 10);
    ck_assert_int_eq(n.unreadable, 0);
    json_decref(a);
    unlink(path);
    unlink(other);
}
END_TEST

/* W5: lines read in the 64 KiB pieces of the count, and lines that cross
 * a piece's end (read on their own), are counted alike: letters, garbage,
 * blank lines of every length around the boundaries; two listings at
 * once (the second waits for the first's count) agree. */
static void *t_count_thread(void *path)
{
    co_dlq_counts_t n;
    char err[256] = "";
    json_t *a = co_dlq_tail(path, 200, &n, err, sizeof err);
    json_decref(a);
    return (void *)(uintptr_t)(n.total * 1000000 + n.unreadable);
}

START_TEST(t_count_across_pieces)
{
    char path[128];
    snprintf(path, sizeof path, "%s/pieces.jsonl", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    size_t letters_n = 0, garbage_n = 0;
    for (int i = 0; i < 60000; i++) {
        int pad = (i * 7919) % 97; /* lengths that fall across 64 KiB */
        if (i % 11 == 0) {
            fprintf(f, "{\"broken\": %*s\n", pad, "");
            garbage_n++;
        } else if (i % 13 == 0) {
            fprintf(f, "%*s\n", pad, "");
        } else {
            fprintf(f, "{\"offset\":%d,\"pad\":\"%*s\"}\n", i, pad, "");
            letters_n++;
        }
    }
    fclose(f);
    pthread_t t[2];
    void *r[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, t_count_thread, path), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(t[i], &r[i]), 0);
    uintptr_t want = letters_n * 1000000 + garbage_n;
    ck_assert_uint_eq((uintptr_t)r[0], want);
    ck_assert_uint_eq((uintptr_t)r[1], want);
    unlink(path);
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
    tcase_add_test(tc, t_fifo_refused_at_once);
    tcase_add_test(tc, t_answer_bounded);
    tcase_add_test(tc, t_many_small_members);
    tcase_add_test(tc, t_tiny_arrays_bounded);
    tcase_add_test(tc, t_counts_follow_the_file);
    tcase_add_test(tc, t_count_across_pieces);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(dlq_suite)
