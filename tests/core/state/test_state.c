/* State store: the memory: and file: backends (no server needed). */
#include "co_test.h"
#include "state.h"
#include "state_cases.h"

#include <sys/stat.h>
#include <unistd.h>

static char t_dir[256];
static char t_uri_buf[512];

static char *t_uri(void)
{
    return t_uri_buf;
}

static void t_memory_setup(void)
{
    snprintf(t_uri_buf, sizeof t_uri_buf, "memory:test");
}

static void t_file_setup(void)
{
    snprintf(t_dir, sizeof t_dir, "%s/co-state-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(t_dir));
    snprintf(t_uri_buf, sizeof t_uri_buf, "file:%s/state.json", t_dir);
}

static void t_file_teardown(void)
{
    char p[600];
    snprintf(p, sizeof p, "%s/state.json", t_dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/state.json.lock", t_dir);
    unlink(p);
    rmdir(t_dir);
}

/* Named memory stores are separate; the last close frees the data. */
START_TEST(memory_names)
{
    char err[256];
    co_state_t *a = co_state_open("memory:a", err, sizeof err);
    co_state_t *b = co_state_open("memory:b", err, sizeof err);
    co_state_t *d = co_state_open(NULL, err, sizeof err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(co_state_put(a, "ns", "k", "a", 1), 0);
    char *v;
    ck_assert_int_eq(co_state_get(b, "ns", "k", &v, NULL), CO_ERR_NOTFOUND);
    ck_assert_int_eq(co_state_get(d, "ns", "k", &v, NULL), CO_ERR_NOTFOUND);
    co_state_close(a);
    a = co_state_open("memory:a", err, sizeof err);
    ck_assert_int_eq(co_state_get(a, "ns", "k", &v, NULL), CO_ERR_NOTFOUND);
    co_state_close(a);
    co_state_close(b);
    co_state_close(d);
}
END_TEST

/* The file is JSON a person can read; text stays text, bytes are base64. */
START_TEST(file_format)
{
    co_state_t *s = t_open();
    ck_assert_int_eq(co_state_put(s, "mailbox", "pos", "{\"off\":12}", 10), 0);
    ck_assert_int_eq(co_state_put(s, "mailbox", "raw", "\xff\x00", 2), 0);
    ck_assert_int_eq(co_state_idem_begin(s, "slack", "k"), CO_IDEM_NEW);
    co_state_close(s);
    char p[600], buf[4096];
    snprintf(p, sizeof p, "%s/state.json", t_dir);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\"pos\":\"{\\\"off\\\":12}\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"raw\":{\"base64\":\"/wA=\"}"));
    ck_assert_ptr_nonnull(strstr(buf, "\"slack\":{\"k\":\"pending\"}"));
    snprintf(p, sizeof p, "%s/state.json.tmp", t_dir);
    ck_assert_int_ne(access(p, F_OK), 0);
}
END_TEST

/* A file that is not ours is refused at open with its name and a fix. */
START_TEST(file_corrupt)
{
    char p[600], err[1024] = "";
    snprintf(p, sizeof p, "%s/state.json", t_dir);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"not\": \"state\"", f);
    fclose(f);
    ck_assert_ptr_null(co_state_open(t_uri(), err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, p));
    ck_assert_ptr_nonnull(strstr(err, "not a CareerOps state file"));
    ck_assert_ptr_null(co_state_open("file:", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "no path"));
}
END_TEST

static Suite *state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *mem = tcase_create("memory");
    tcase_add_checked_fixture(mem, t_memory_setup, NULL);
    co_state_cases_add(mem, 0);
    tcase_add_test(mem, memory_names);
    suite_add_tcase(s, mem);
    TCase *file = tcase_create("file");
    tcase_add_checked_fixture(file, t_file_setup, t_file_teardown);
    co_state_cases_add(file, 1);
    tcase_add_test(file, file_format);
    tcase_add_test(file, file_corrupt);
    suite_add_tcase(s, file);
    return s;
}

CO_TEST_MAIN(state_suite)
