/*
 * The eval command: figures on the dev set through the real plugin (loaded
 * by the capture API from the manifest tests/classify/rules-eval.json),
 * JSON and text output, any folder and CSV of the documented form, and
 * clear errors for a missing file, a bad header, an unknown label or a bad
 * date. Runs `$CAREEROPS_BIN eval`, which the host dispatches to the
 * rules-classifier plugin's command (ABI 1.1).
 */
#include "co_test.h"
#include "rules_eval.h"

#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/co-eval-XXXXXX";

static const char *env_or_fail(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v != NULL && *v, "%s is not set (run through meson test)",
                  name);
    return v;
}

/* Run the eval program with extra arguments; stdout and stderr are read
 * into malloc'd strings. Returns the exit status. */
static int run_eval(const char *labels, const char *emails, const char *extra,
                    char **out, char **err)
{
    const char *root = env_or_fail("CAREEROPS_SOURCE_ROOT");
    const char *bin = env_or_fail("CAREEROPS_BIN");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' eval --manifest "
             "'%s/tests/classify/rules-eval.json' --stage classify --labels "
             "'%s' --emails '%s' %s >'%s/out' 2>'%s/err'",
             bin, root, labels, emails, extra, tmpdir, tmpdir);
    int st = system(cmd);
    ck_assert_msg(st != -1 && WIFEXITED(st), "cannot run: %s", cmd);
    char path[4096];
    const char *names[2] = {"out", "err"};
    char **dst[2] = {out, err};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        *dst[i] = strdup(buf);
    }
    return WEXITSTATUS(st);
}

static void write_file(const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    strcpy(tmpdir, "/tmp/co-eval-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static double num(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = o;
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, "."))
        v = json_object_get(v, tok);
    ck_assert_msg(json_is_number(v), "%s is not a number", path);
    return json_number_value(v);
}

START_TEST(dev_set_json)
{
    const char *root = env_or_fail("CAREEROPS_SOURCE_ROOT");
    char labels[4096], emails[4096];
    snprintf(labels, sizeof labels, "%s/datasets/dev/labels.csv", root);
    snprintf(emails, sizeof emails, "%s/datasets/dev/emails", root);
    char *out, *err;
    int rc = run_eval(labels, emails, "--json", &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    json_error_t je;
    json_t *o = json_loads(out, 0, &je);
    ck_assert_msg(o != NULL, "not JSON: %s", je.text);
    ck_assert_int_ge(num(o, "count"), 150);
    ck_assert(num(o, "labels.INTERVIEW.precision") >= 0.95);
    ck_assert(num(o, "labels.INTERVIEW.recall") >= 0.85);
    ck_assert(num(o, "labels.OFFER.precision") >= 0.9);
    ck_assert(num(o, "labels.ASSESSMENT.precision") >= 0.9);
    ck_assert(num(o, "labels.OTHER.f1") > 0);
    ck_assert(num(o, "company_accuracy") > 0.5);
    ck_assert(num(o, "date_accuracy") > 0.5);
    ck_assert_int_eq(num(o, "failed"), 0);
    /* the confusion matrix rows add up to the count */
    double sum = 0;
    const char *k;
    json_t *row;
    json_object_foreach(json_object_get(o, "confusion"), k, row)
    {
        const char *k2;
        json_t *cell;
        json_object_foreach(row, k2, cell) sum += json_number_value(cell);
    }
    ck_assert_int_eq((int)sum, (int)num(o, "count"));
    json_decref(o);
    free(out);
    free(err);
}
END_TEST

START_TEST(any_folder_text_output)
{
    const char *root = env_or_fail("CAREEROPS_SOURCE_ROOT");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/mail/sub' && cp '%s/datasets/holdout/emails/"
             "h-001.eml' '%s/mail/sub/a.eml' && cp '%s/datasets/holdout/"
             "emails/h-025.eml' '%s/mail/b.eml'",
             tmpdir, root, tmpdir, root, tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    /* quoted fields, CRLF, a further column, lower-case label */
    write_file("my.csv", "file,label,company,scheduled_date,notes\r\n"
                         "sub/a.eml,INTERVIEW,\"Zephyr Payments, Inc.\","
                         "2025-09-16T11:00:00-07:00,\"note, with comma\"\r\n"
                         "b.eml,other,,,\r\n");
    char labels[4096], emails[4096], *out, *err;
    snprintf(labels, sizeof labels, "%s/my.csv", tmpdir);
    snprintf(emails, sizeof emails, "%s/mail", tmpdir);
    int rc = run_eval(labels, emails, "--mismatches", &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(out, "confusion matrix") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "company accuracy: 1.000 (1/1") != NULL, "%s",
                  out);
    ck_assert_msg(strstr(out, "date accuracy: 1.000 (1/1") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "messages: 2, accuracy 1.000") != NULL, "%s",
                  out);
    free(out);
    free(err);
}
END_TEST

static void expect_error(const char *csv, const char *needle)
{
    write_file("bad.csv", csv);
    char labels[4096], *out, *err;
    snprintf(labels, sizeof labels, "%s/bad.csv", tmpdir);
    const char *root = env_or_fail("CAREEROPS_SOURCE_ROOT");
    char emails[4096];
    snprintf(emails, sizeof emails, "%s/datasets/holdout/emails", root);
    int rc = run_eval(labels, emails, "", &out, &err);
    ck_assert_int_eq(rc, 2);
    ck_assert_msg(strstr(err, needle) != NULL, "stderr lacks \"%s\": %s",
                  needle, err);
    free(out);
    free(err);
}

START_TEST(errors)
{
    expect_error("name,label\nh-001.eml,INTERVIEW\n", "header must start");
    expect_error("file,label,company,scheduled_date\nnope.eml,OTHER,,\n",
                 "bad.csv:2: message file");
    expect_error("file,label,company,scheduled_date\nh-001.eml,HIRED,,\n",
                 "bad.csv:2: unknown label \"HIRED\"");
    expect_error("file,label,company,scheduled_date\n"
                 "h-001.eml,INTERVIEW,,tomorrow\n",
                 "is not RFC 3339");
    expect_error("file,label,company,scheduled_date\n", "no rows");
    char *out, *err;
    ck_assert_int_eq(
        run_eval("/nonexistent/labels.csv", "/tmp", "", &out, &err), 2);
    ck_assert_msg(strstr(err, "cannot read the labels file") != NULL, "%s",
                  err);
    free(out);
    free(err);
}
END_TEST

START_TEST(definitions)
{
    char a[64], b[64];
    co_eval_company_key("The Acme Corp.", a, sizeof a);
    co_eval_company_key("acme", b, sizeof b);
    ck_assert_str_eq(a, b);
    co_eval_company_key("Soluciones Marea S.L.", a, sizeof a);
    co_eval_company_key("Soluciones Marea", b, sizeof b);
    ck_assert_str_eq(a, b);
    co_eval_company_key("Harbor & Pike", a, sizeof a);
    co_eval_company_key("Harbor Pike Partners", b, sizeof b);
    ck_assert_str_ne(a, b);
    long long m1, m2;
    ck_assert_int_eq(co_eval_parse_rfc3339("2025-03-04T14:00:00Z", &m1), 0);
    ck_assert_int_eq(co_eval_parse_rfc3339("2025-03-04T15:00:59.5+01:00", &m2),
                     0);
    ck_assert(m1 == m2); /* same UTC minute */
    ck_assert_int_eq(co_eval_parse_rfc3339("2025-03-04", &m1), -1);
    ck_assert_int_eq(co_eval_parse_rfc3339("2025-03-04T14:00:00", &m1), -1);
    /* days and offsets of the calendar only (trial 37: 2026-02-29 became
     * 1 March, +99:00 was applied); seconds kept */
    static const char *const bad[] = {
        "2026-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2100-02-29T10:00:00Z",
        "2026-03-01T10:00:00+99:00", "2026-03-01T10:00:00-24:00",
        "2026-03-01T10:00:00+01:99", "2026-03-01T24:00:00Z",
        "2026-03-01T10:00:00+0100",
        /* a leap second only at 23:59:60 UTC (note 18) */
        "2026-03-01T10:30:60Z", "2016-12-31T23:59:60+01:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(co_parse_rfc3339_sec(bad[i], &m1) == -1, "%s", bad[i]);
    ck_assert_int_eq(co_parse_rfc3339_sec("2024-02-29T10:00:00Z", &m1), 0);
    ck_assert_int_eq(co_parse_rfc3339_sec("2026-12-18T23:59:59+01:00", &m1), 0);
    ck_assert_int_eq(m1 % 60, 59);
    ck_assert_int_eq(co_parse_rfc3339_sec("2026-12-18T23:00:00-01:30", &m2), 0);
    ck_assert_int_eq(m2 - m1, 5401); /* 2026-12-19T00:30:00Z vs 22:59:59Z */
    ck_assert_int_eq(co_parse_rfc3339_sec("2016-12-31T23:59:60Z", &m1), 0);
    ck_assert_int_eq(co_parse_rfc3339_sec("2016-12-31T18:59:60-05:00", &m2), 0);
    ck_assert(m1 == m2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("classify_eval");
    TCase *tc = tcase_create("eval");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, dev_set_json);
    tcase_add_test(tc, any_folder_text_output);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, definitions);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
