/**
 * @file tests/lib/readfile/test_readfile.c
 * @brief co_readfile_max() and co_readfile_kind(): a regular file read
 *        whole, a folder, a file over the limit, a missing one; a named pipe
 *        (FIFO) that nothing writes to refused after 5 s instead of
 *        blocking open() for ever (trial 54: run hung on a plugin's FIFO
 *        key file, deaf to SIGTERM), a pipe that has a writer read.
 */
#include "co_readfile.h"
#include "co_test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* mkdtemp()'s template, restored after each test */
#define DIR_TEMPLATE "/tmp/co-readfile-XXXXXX"
static char dir[] = DIR_TEMPLATE;

static char *path_in(const char *name)
{
    static char p[4][256];
    static int n;
    char *s = p[n++ % 4];
    snprintf(s, sizeof p[0], "%s/%s", dir, name);
    return s;
}

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    static const char *const names[] = {"key", "big", "fifo", "fifo2", "sub",
                                        "pk",  "ln",  "pf",   "file"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(path_in(names[i]));
    rmdir(dir);
    strcpy(dir, DIR_TEMPLATE);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(t_regular)
{
    char *out = NULL;
    size_t len = 0;
    write_file(path_in("key"), "AKIA\nsecond\n");
    ck_assert_int_eq(co_readfile_max(path_in("key"), &out, &len, 64), 0);
    ck_assert_uint_eq(len, 12);
    ck_assert_str_eq(out, "AKIA\nsecond\n");
    free(out);
    ck_assert_ptr_null(co_readfile_kind(path_in("key")));
    write_file(path_in("big"), "0123456789");
    ck_assert_int_eq(co_readfile_max(path_in("big"), &out, &len, 9), -EFBIG);
    ck_assert_int_eq(co_readfile_max(path_in("big"), &out, &len, 10), 0);
    free(out);
    write_file(path_in("big"), "");
    ck_assert_int_eq(co_readfile_max(path_in("big"), &out, NULL, 10), 0);
    ck_assert_str_eq(out, "");
    free(out);
    ck_assert_int_eq(co_readfile_max(path_in("none"), &out, &len, 10), -ENOENT);
    ck_assert_str_eq(co_readfile_kind(path_in("none")),
                     "missing (no such file)");
    ck_assert_int_eq(mkdir(path_in("sub"), 0700), 0);
    ck_assert_int_eq(co_readfile_max(path_in("sub"), &out, &len, 10), -EISDIR);
    ck_assert_str_eq(co_readfile_kind(path_in("sub")), "a folder");
    ck_assert_int_eq(co_readfile_max("/dev/zero", &out, &len, 100),
                     CO_READFILE_ENDLESS);
    ck_assert_msg(strstr(co_readfile_strerror(CO_READFILE_ENDLESS),
                         "did not end within the size limit"),
                  "%s", co_readfile_strerror(CO_READFILE_ENDLESS));
    ck_assert_str_eq(co_readfile_kind("/dev/null"), "a device");
}
END_TEST

/* co_readfile_peek(): kinds without following a link or blocking on a
 * FIFO; a regular file's head; the not-regular wording whole */
START_TEST(t_peek_and_wording)
{
    char head[8];
    ssize_t n;
    long long size;
    write_file(path_in("pk"), "HOST:1234\n");
    ck_assert_int_eq(
        co_readfile_peek(path_in("pk"), head, sizeof head, &n, &size),
        CO_PEEK_REGULAR);
    ck_assert_int_eq(n, 7);
    ck_assert_str_eq(head, "HOST:12");
    ck_assert_int_eq(size, 10);
    ck_assert_int_eq(
        co_readfile_peek(path_in("nothing"), head, sizeof head, &n, &size),
        CO_PEEK_ABSENT);
    ck_assert_int_eq(symlink(path_in("pk"), path_in("ln")), 0);
    ck_assert_int_eq(
        co_readfile_peek(path_in("ln"), head, sizeof head, &n, &size),
        CO_PEEK_LINK);
    ck_assert_int_eq(mkfifo(path_in("pf"), 0600), 0);
    ck_assert_int_eq(
        co_readfile_peek(path_in("pf"), head, sizeof head, &n, &size),
        CO_PEEK_OTHER);
    ck_assert_int_eq(n, -1);
    ck_assert_str_eq(co_readfile_not_regular(path_in("pf")),
                     "a named pipe (FIFO), not a regular file");
    ck_assert_str_eq(co_readfile_not_regular(path_in("nothing")),
                     "missing (no such file)");
    ck_assert_ptr_null(co_readfile_not_regular(path_in("pk")));
}
END_TEST

/* co_newfile_check(): the folder, the name, and (probe) whether the file
 * system takes a new file; nothing left behind; the words */
START_TEST(t_newfile)
{
    char d[4096], why[512];
    int err;
    ck_assert_int_eq(co_newfile_check(path_in("new"), 1, d, sizeof d, &err),
                     CO_NEWFILE_OK);
    ck_assert_str_eq(d, dir);
    ck_assert_int_eq(access(path_in("new"), F_OK), -1);
    ck_assert_int_eq(co_newfile_check("bare", 0, d, sizeof d, &err),
                     CO_NEWFILE_OK);
    ck_assert_str_eq(d, ".");
    ck_assert_int_eq(co_newfile_check("", 1, d, sizeof d, &err),
                     CO_NEWFILE_EMPTY);
    ck_assert_int_eq(co_newfile_check("x/", 1, d, sizeof d, &err),
                     CO_NEWFILE_EMPTY);
    ck_assert_int_eq(co_newfile_check(path_in("none/x"), 1, d, sizeof d, &err),
                     CO_NEWFILE_NO_FOLDER);
    ck_assert_str_eq(
        co_newfile_why(CO_NEWFILE_NO_FOLDER, "D", err, why, sizeof why),
        "its folder D does not exist");
    write_file(path_in("file"), "x");
    ck_assert_int_eq(co_newfile_check(path_in("file/x"), 1, d, sizeof d, &err),
                     CO_NEWFILE_NOT_FOLDER);
    ck_assert_int_eq(
        co_newfile_check(path_in("file/sub/x"), 1, d, sizeof d, &err),
        CO_NEWFILE_NOT_FOLDER);
    char name[400];
    int at = snprintf(name, sizeof name, "%s/", dir);
    memset(name + at, 'm', 300);
    name[at + 300] = '\0';
    ck_assert_int_eq(co_newfile_check(name, 1, d, sizeof d, &err),
                     CO_NEWFILE_LONG_NAME);
    ck_assert_str_eq(
        co_newfile_why(CO_NEWFILE_LONG_NAME, "D", 0, why, sizeof why),
        "its name is longer than 255 bytes");
    /* procfs takes no new file; only the probe finds it */
    ck_assert_int_eq(co_newfile_check("/proc/x", 0, d, sizeof d, &err),
                     CO_NEWFILE_OK);
    ck_assert_int_eq(co_newfile_check("/proc/x", 1, d, sizeof d, &err),
                     CO_NEWFILE_CANNOT);
    ck_assert_int_ne(err, 0);
}
END_TEST

/* A FIFO nothing writes to: -ETIMEDOUT after CO_READFILE_FIFO_WAIT_MS, not
 * a blocked open(); said as a FIFO in words. */
START_TEST(t_fifo_no_writer)
{
    ck_assert_int_eq(mkfifo(path_in("fifo"), 0600), 0);
    ck_assert_str_eq(co_readfile_kind(path_in("fifo")), "a named pipe (FIFO)");
    alarm(30); /* a blocking open() fails the test instead of hanging it */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    char *out = NULL;
    int rc = co_readfile_max(path_in("fifo"), &out, NULL, 64);
    clock_gettime(CLOCK_MONOTONIC, &b);
    alarm(0);
    ck_assert_int_eq(rc, -ETIMEDOUT);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    ck_assert_msg(ms >= CO_READFILE_FIFO_WAIT_MS - 100 && ms < 15000,
                  "waited %ld ms", ms);
    ck_assert_ptr_nonnull(strstr(co_readfile_strerror(rc),
                                 "a named pipe (FIFO) that nothing wrote to "
                                 "within 5 s: give a regular file"));
}
END_TEST

/* A FIFO a process writes to (as `<(...)` is) is read whole. */
START_TEST(t_fifo_writer)
{
    ck_assert_int_eq(mkfifo(path_in("fifo2"), 0600), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *f = fopen(path_in("fifo2"), "w");
        if (f != NULL) {
            fputs("from a pipe\n", f);
            fclose(f);
        }
        _exit(0);
    }
    alarm(30);
    char *out = NULL;
    size_t len = 0;
    int rc = co_readfile_max(path_in("fifo2"), &out, &len, 64);
    alarm(0);
    waitpid(pid, NULL, 0);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(out, "from a pipe\n");
    free(out);
}
END_TEST

static Suite *readfile_suite(void)
{
    Suite *s = suite_create("readfile");
    TCase *tc = tcase_create("readfile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 40);
    tcase_add_test(tc, t_regular);
    tcase_add_test(tc, t_peek_and_wording);
    tcase_add_test(tc, t_newfile);
    tcase_add_test(tc, t_fifo_no_writer);
    tcase_add_test(tc, t_fifo_writer);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(readfile_suite)
