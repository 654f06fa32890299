/* core/manifest*.c: every malformed --set path is an error and a 20,000-
 * level path neither recurses nor overflows; topic cycles and dead-letter
 * loops are refused with the stages' JSON paths; `plugin` is a plain
 * name and `plugin_file` the only way to a path; co_path_join() and
 * co_path_tilde(). */
#include "co_test.h"

#include "manifest.h"
#include "util.h"

#include <stdlib.h>

static const char *base =
    "{\"pipeline\":\"p\",\"stages\":["
    "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
    "{\"name\":\"mid\",\"plugin\":\"mock-passthrough\",\"input\":\"a\","
    "\"output\":\"b\"},"
    "{\"name\":\"sink\",\"plugin\":\"mock-sink\",\"input\":\"b\"}]}";

static co_manifest_t *load(const char *text, const char *set, co_diag_t *d)
{
    const char *sets[] = {set, NULL};
    return co_manifest_load_buffer(text, strlen(text), "m.json", "/tmp",
                                   set ? sets : NULL, d);
}

/* The number of faults whose message starts with `prefix` and holds
 * `part`. */
static size_t count(const co_diag_t *d, const char *prefix, const char *part)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (strncmp(d->msgs[i], prefix, strlen(prefix)) == 0 &&
            (part == NULL || strstr(d->msgs[i], part) != NULL))
            n++;
    return n;
}

/* Each of the n --set forms on the base manifest gives no fault. */
static void assert_sets_clean(const char *const *good, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        co_diag_t d = {0};
        co_manifest_t *m = load(base, good[i], &d);
        ck_assert_msg(d.n == 0, "%s: %s", good[i], d.n ? d.msgs[0] : "");
        co_manifest_free(m);
    }
}

START_TEST(set_malformed_forms_are_errors)
{
    static const char *bad[] = {
        "kafka.=1", "a..b=1", "=1", "a.=", "a.b.=1", ".a=1", "a.=1",
        "stages[0].=1", "stages[]=1", "stages[x]=1", "stages[0]x=1", "a]=1",
        "[0]=1", "kafka.a..b=1", "kafka..x=1", "kafka.x.=1", "noequals",
        "stages[99].plugin=x", "stages.nope.plugin=x", "stages.mid=1",
        /* values that are not UTF-8 (trial 28) */
        "pipeline=a\xff"
        "b",
        "kafka.client.id=a\xff"
        "b",
        /* paths that are not UTF-8 (trial 29) */
        "kafka.bogus\xff=1", "stages.mid.rate_limit.per_second\xff=0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        co_diag_t d = {0};
        co_manifest_t *m = load(base, bad[i], &d);
        char want[128];
        /* the path only: a value may be a password (trial 46) */
        snprintf(want, sizeof want, "--set %.*s", (int)strcspn(bad[i], "="),
                 bad[i]);
        ck_assert_msg(count(&d, want, NULL) == 1, "%s: %zu faults, first: %s",
                      bad[i], d.n, d.n ? d.msgs[0] : "(none)");
        co_diag_free(&d);
        co_manifest_free(m);
    }
    /* an index into an array that does not exist: one fault, and the
     * manifest is left as it was (no empty array for the plugin to
     * refuse as an unknown option) */
    co_diag_t d = {0};
    co_manifest_t *m = load(base, "stages.mid.config.x[0]=1", &d);
    ck_assert_msg(d.n == 1 && count(&d, "--set stages.mid.config.x[0]",
                                    "'x' does not exist") == 1,
                  "%zu faults, first: %s", d.n, d.n ? d.msgs[0] : "(none)");
    ck_assert_ptr_null(json_object_get(m->stages[1].config, "x"));
    co_diag_free(&d);
    co_manifest_free(m);
    /* a string value starting with '[': the fault shows how to quote it,
     * never the value (trial 47: a password) */
    m = load(base, "http.listen=[::1]:0", &d);
    ck_assert_uint_eq(count(&d, "--set http.listen", "--set 'PATH=\"[...\"'"),
                      1);
    co_diag_free(&d);
    co_manifest_free(m);
    /* the good forms still work */
    static const char *good[] = {
        "stages.mid.config.x=5", "stages[1].concurrency=2",
        "kafka.bootstrap.servers=embedded",
        "stages.sink.config.p=", "defaults.errors.retries=4"};
    assert_sets_clean(good, sizeof good / sizeof good[0]);
}
END_TEST

START_TEST(set_deep_path_is_refused)
{
    size_t levels = 20000;
    char *set = malloc(levels * 2 + 8);
    char *p = set;
    for (size_t i = 0; i < levels; i++) {
        *p++ = 'a';
        *p++ = i + 1 < levels ? '.' : '=';
    }
    strcpy(p, "1");
    co_diag_t d = {0};
    co_manifest_t *m = load(base, set, &d);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(count(&d, "--set a.a.a", "too deep"), 1);
    ck_assert_ptr_null(json_object_get(m->root, "a")); /* nothing applied */
    co_diag_free(&d);
    co_manifest_free(m);
    /* 32 levels are allowed */
    p = set;
    for (size_t i = 0; i < CO_SET_MAX_DEPTH; i++) {
        *p++ = 'x';
        *p++ = '.';
    }
    strcpy(p - 1, "=1");
    m = load(base, set, &d);
    ck_assert_uint_eq(count(&d, "--set", NULL), 0);
    co_diag_free(&d);
    co_manifest_free(m);
    free(set);
}
END_TEST

START_TEST(topic_cycle_names_stages)
{
    const char *text =
        "{\"pipeline\":\"p\",\"stages\":["
        "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
        "{\"name\":\"one\",\"plugin\":\"mock-passthrough\",\"input\":\"a\","
        "\"output\":\"b\"},"
        "{\"name\":\"two\",\"plugin\":\"mock-passthrough\",\"input\":\"b\","
        "\"output\":\"c\"},"
        "{\"name\":\"three\",\"plugin\":\"mock-passthrough\",\"input\":\"c\","
        "\"output\":\"a\"},"
        "{\"name\":\"self\",\"plugin\":\"mock-passthrough\",\"input\":\"s\","
        "\"output\":\"s\"}]}";
    co_diag_t d = {0};
    co_manifest_t *m = load(text, NULL, &d);
    /* one report per cycle, from its first stage, naming every stage */
    ck_assert_uint_eq(
        count(&d, "stages[1] (one).output: topic cycle", "stages[2] (two)"), 1);
    ck_assert_uint_eq(count(&d, "stages[1] (one).output", "stages[3] (three)"),
                      1);
    ck_assert_uint_eq(count(&d, "stages[4] (self).output: topic cycle", "'s'"),
                      1);
    ck_assert_uint_eq(d.n, 2);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

START_TEST(dead_letter_loops)
{
    /* a dead-letter reader failing into its own input */
    const char *direct =
        "{\"pipeline\":\"p\",\"stages\":["
        "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
        "{\"name\":\"dead\",\"plugin\":\"mock-sink\","
        "\"input\":\"dlq_dead_letters\"}]}";
    co_diag_t d = {0};
    co_manifest_t *m = load(direct, NULL, &d);
    ck_assert_uint_eq(
        count(&d, "stages[1] (dead).errors.dead_letter_topic: dead-letter loop",
              "stages[1] (dead)"),
        1);
    ck_assert_uint_eq(d.n, 1);
    co_diag_free(&d);
    co_manifest_free(m);
    /* fixed either way: tolerance none, or another dead-letter topic */
    const char *sets[] = {"stages.dead.errors.tolerance=none",
                          "stages.dead.errors.dead_letter_topic=dlq2"};
    for (int i = 0; i < 2; i++) {
        m = load(direct, sets[i], &d);
        ck_assert_msg(d.n == 0, "%s: %s", sets[i], d.n ? d.msgs[0] : "");
        co_manifest_free(m);
    }
    /* through a chain: a retry stage re-feeding the dead letters */
    const char *chain =
        "{\"pipeline\":\"p\",\"stages\":["
        "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
        "{\"name\":\"work\",\"plugin\":\"mock-passthrough\",\"input\":\"a\","
        "\"output\":\"b\"},"
        "{\"name\":\"retry\",\"plugin\":\"mock-passthrough\","
        "\"input\":\"dlq_dead_letters\",\"output\":\"a\","
        "\"errors\":{\"tolerance\":\"none\"}}]}";
    m = load(chain, NULL, &d);
    ck_assert_uint_eq(
        count(&d, "stages[1] (work).errors.dead_letter_topic: dead-letter loop",
              "stages[2] (retry) writes 'a'"),
        1);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

/* The trial's loop: notify (stages[2]) dead-letters into raw, classify's
 * input; the field to change is notify's dead_letter_topic, though
 * classify (the loop's first stage) finds it. */
START_TEST(dead_letter_loop_names_the_dead_letter_field)
{
    const char *text =
        "{\"pipeline\":\"p\",\"stages\":["
        "{\"name\":\"ingest\",\"plugin\":\"mock-source\",\"output\":\"raw\"},"
        "{\"name\":\"classify\",\"plugin\":\"mock-passthrough\","
        "\"input\":\"raw\",\"output\":\"ev\"},"
        "{\"name\":\"notify\",\"plugin\":\"mock-sink\",\"input\":\"ev\","
        "\"errors\":{\"dead_letter_topic\":\"raw\"}}]}";
    co_diag_t d = {0};
    co_manifest_t *m = load(text, NULL, &d);
    ck_assert_uint_eq(count(&d,
                            "stages[2] (notify).errors.dead_letter_topic: "
                            "dead-letter loop",
                            "Give stages[2] (notify) another"),
                      1);
    ck_assert_msg(d.n == 1, "%zu faults, first: %s", d.n, d.msgs[0]);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

/* A bad value in "defaults" is one fault at defaults.FIELD, not one per
 * stage at stages[N] paths the file does not have; a stage that sets the
 * field itself is not blamed. */
START_TEST(defaults_faults_at_defaults)
{
    const char *text =
        "{\"pipeline\":\"p\",\"defaults\":{\"errors\":{\"tolerance\":"
        "\"some\",\"retries\":-1,\"bogus\":1},\"concurrency\":\"x\"},"
        "\"stages\":["
        "{\"name\":\"gen\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
        "{\"name\":\"mid\",\"plugin\":\"mock-passthrough\",\"input\":\"a\","
        "\"output\":\"b\",\"errors\":{\"retries\":-2}},"
        "{\"name\":\"out\",\"plugin\":\"mock-sink\",\"input\":\"b\"}]}";
    co_diag_t d = {0};
    co_manifest_t *m = load(text, NULL, &d);
    ck_assert_uint_eq(count(&d, "defaults.errors.tolerance: must be", NULL), 1);
    ck_assert_uint_eq(count(&d, "defaults.errors.retries: ", "(got -1)"), 1);
    ck_assert_uint_eq(count(&d, "defaults.errors.bogus: unknown key", NULL), 1);
    ck_assert_uint_eq(count(&d, "defaults.concurrency: must be", NULL), 1);
    ck_assert_uint_eq(count(&d, "stages[1] (mid).errors.retries: ", "-2"), 1);
    ck_assert_msg(d.n == 5, "%zu faults, first: %s", d.n, d.msgs[0]);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

START_TEST(plugin_names_and_files)
{
    static const char *bad[] = {
        "../../../tmp/x/evil", "/tmp/evil", "sub/evil", "..", ".hidden", "a b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char set[128];
        snprintf(set, sizeof set, "stages.sink.plugin=%s", bad[i]);
        co_diag_t d = {0};
        co_manifest_t *m = load(base, set, &d);
        ck_assert_msg(count(&d, "stages[2] (sink).plugin:", "plugin_file") == 1,
                      "%s: %s", bad[i], d.n ? d.msgs[0] : "(none)");
        ck_assert_ptr_null(m->stages[2].plugin);
        co_diag_free(&d);
        co_manifest_free(m);
    }
    co_diag_t d = {0};
    co_manifest_t *m = load(base, "stages.sink.plugin_file=lib/my-sink.so", &d);
    /* both: the file's plugin must call itself `plugin` */
    ck_assert_msg(d.n == 0, "%s", d.n ? d.msgs[0] : "");
    ck_assert_str_eq(m->stages[2].plugin, "mock-sink");
    ck_assert_str_eq(m->stages[2].plugin_file, "/tmp/lib/my-sink.so");
    co_manifest_free(m);
    const char *pf = "{\"pipeline\":\"p\",\"stages\":[{\"name\":\"src\","
                     "\"plugin_file\":\"lib/my-source.so\",\"output\":\"a\"}]}";
    m = load(pf, NULL, &d);
    ck_assert_msg(d.n == 0, "%s", d.n ? d.msgs[0] : "");
    ck_assert_str_eq(m->stages[0].plugin, "my-source");
    ck_assert_str_eq(m->stages[0].plugin_file, "/tmp/lib/my-source.so");
    co_manifest_free(m);
    m = load(pf, "stages[0].plugin_file=lib/x.txt", &d);
    ck_assert_uint_eq(count(&d, "stages[0] (src).plugin_file:", ".so"), 1);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

/* What `run` would refuse, validate refuses first, naming the field. */
START_TEST(top_level_values_run_would_refuse)
{
    static const struct {
        const char *set, *prefix, *part;
    } bad[] = {
        {"kafka.bootstrap.servers=", "kafka.bootstrap.servers:", "is empty"},
        {"kafka.bootstrap.servers= ", "kafka.bootstrap.servers:", "is empty"},
        {"state=mysql://x", "state:", "postgresql://"},
        {"state=mydb", "state:", "key=value"},
        /* state files run would refuse after the broker started */
        {"state=file:", "state:", "names no file"},
        /* trial 28: accepted before */
        {"stages.mid.rate_limit={\"per_second\":0}",
         "stages[1] (mid).rate_limit:", "limits nothing"},
        {"stages.mid.errors={\"backoff_ms\":5000,\"backoff_max_ms\":10}",
         "stages[1] (mid).errors.backoff_max_ms:", "below backoff_ms"},
        {"state=file:/tmp", "state:", "is a folder"},
        {"state=file:/nonexistent-co-dir/s.json", "state:", "does not exist"},
        /* trial 29: run refused these only after the broker started, and
         * a FIFO blocked it for good */
        {"state=file:/dev/zero", "state:", "not a regular file"},
        {"state=file:/etc/passwd", "state:", "not a CareerOps state file"},
        {"description=5", "description:", "must be a string"},
        {"stages.mid.description=5",
         "stages[1] (mid).description:", "must be a string"},
        {"http.max_connections=1",
         "http.max_connections:", "between 2 and 1000"},
        {"http.idle_timeout_s=0", "http.idle_timeout_s:", "between 1 and 3600"},
        {"http.idle_timeout_s=\"30\"", "http.idle_timeout_s:",
         "must be an integer (1 to 3600), not \"30\" (a string: write the "
         "number without quotes)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        co_diag_t d = {0};
        co_manifest_t *m = load(base, bad[i].set, &d);
        ck_assert_msg(d.n == 1 && count(&d, bad[i].prefix, bad[i].part) == 1,
                      "%s: %zu faults, first: %s", bad[i].set, d.n,
                      d.n ? d.msgs[0] : "(none)");
        co_diag_free(&d);
        co_manifest_free(m);
    }
    static const char *good[] = {"state=postgresql://u@h/db",
                                 "state=postgres://h/db",
                                 "state=host=h dbname=d",
                                 "state=file:s.json",
                                 "state=memory:",
                                 "description=a pipeline",
                                 "kafka.bootstrap.servers=k1:9092",
                                 "http.idle_timeout_s=5",
                                 "http.max_connections=64"};
    assert_sets_clean(good, sizeof good / sizeof good[0]);
}
END_TEST

/* a path relative to the manifest's folder: "./x" in "." is "./x", not
 * "././x" as every message said (trial 62), and "./" is "./" (trial 65:
 * "././"); "~NAME" is an account's home
 * only when NAME is an account */
START_TEST(path_join_and_tilde)
{
    const char *cases[][3] = {{".", "./x", "./x"},     {".", "././x", "./x"},
                              {"d", ".//x", "d/x"},    {"d", "x", "d/x"},
                              {"d", "/abs", "/abs"},   {"d", "./", "d/"},
                              {"d", "../x", "d/../x"}, {"", "./x", "./x"},
                              {".", "./", "./"},       {"d", ".", "d/"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *j = co_path_join(cases[i][0], cases[i][1]);
        ck_assert_str_eq(j, cases[i][2]);
        free(j);
    }
    char home[1024];
    const char *rest = NULL;
    ck_assert_int_eq(co_path_tilde("~/a", home, sizeof home, &rest), 1);
    ck_assert_str_eq(home, "${env:HOME}");
    ck_assert_str_eq(rest, "/a");
    ck_assert_int_eq(co_path_tilde("~root/a", home, sizeof home, &rest), 1);
    ck_assert_str_eq(rest, "/a");
    ck_assert_int_eq(home[0], '/');
    ck_assert_int_eq(
        co_path_tilde("~no-such-account-here/a", home, sizeof home, &rest), 0);
    ck_assert_int_eq(co_path_tilde("a~/b", home, sizeof home, &rest), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("manifest-checks");
    TCase *t = tcase_create("checks");
    tcase_add_test(t, set_malformed_forms_are_errors);
    tcase_add_test(t, set_deep_path_is_refused);
    tcase_add_test(t, topic_cycle_names_stages);
    tcase_add_test(t, dead_letter_loops);
    tcase_add_test(t, dead_letter_loop_names_the_dead_letter_field);
    tcase_add_test(t, defaults_faults_at_defaults);
    tcase_add_test(t, plugin_names_and_files);
    tcase_add_test(t, top_level_values_run_would_refuse);
    tcase_add_test(t, path_join_and_tilde);
    suite_add_tcase(s, t);
    return s;
}
CO_TEST_MAIN(suite)
