/* Unit tests of the host's core modules: manifest parsing and overrides,
 * option tables, `when` predicates, token bucket, backoff, metrics. */
#include "co_test.h"

#include "bootfile.h"
#include "manifest.h"
#include "metrics.h"
#include "options.h"
#include "backoff.h"
#include "co_bucket.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/co-unit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static int diag_has(const co_diag_t *d, const char *prefix)
{
    for (size_t i = 0; i < d->n; i++)
        if (strncmp(d->msgs[i], prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

static const char *good =
    "{\"pipeline\":\"p\",\"defaults\":{\"partitions\":3,"
    "\"errors\":{\"retries\":5}},"
    "\"topics\":{\"a\":{\"partitions\":6}},"
    "\"stages\":["
    "{\"name\":\"src\",\"plugin\":\"mock-source\",\"output\":\"a\"},"
    "{\"name\":\"mid\",\"plugin\":\"x\",\"input\":\"a\",\"output\":\"b\","
    "\"when\":{\"event_type\":[\"INTERVIEW\",\"OFFER\"]},"
    "\"rate_limit\":{\"per_minute\":5,\"burst\":1},"
    "\"errors\":{\"tolerance\":\"none\"},\"config\":{\"k\":\"${env:CO_UNIT_X:-"
    "dflt}\"}},"
    "{\"name\":\"sink\",\"plugin\":\"y\",\"input\":[\"b\"]}]}";

START_TEST(manifest_defaults_and_topics)
{
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(write_tmp("m.json", good), NULL, &d);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(d.n, 0);
    ck_assert(m->embedded);
    ck_assert_uint_eq(m->n_stages, 3);
    ck_assert_int_eq(co_manifest_partitions(m, "a"), 6);
    ck_assert_int_eq(co_manifest_partitions(m, "b"), 3);
    ck_assert_int_eq(co_manifest_partitions(m, "dlq_dead_letters"), 3);
    const co_stage_conf_t *mid = co_manifest_stage(m, "mid");
    ck_assert_int_eq(mid->retries, 5);       /* from defaults */
    ck_assert_int_eq(mid->tolerance_all, 0); /* stage wins */
    ck_assert_int_eq(mid->backoff_ms, 500);  /* built-in default */
    ck_assert_int_eq(mid->backoff_max_ms, 60000);
    ck_assert(mid->rate_per_s > 0.0833 && mid->rate_per_s < 0.0834);
    ck_assert_str_eq(json_string_value(json_object_get(mid->config, "k")),
                     "dflt");
    ck_assert_str_eq(mid->dlq_topic, "dlq_dead_letters");
    co_manifest_free(m);
}
END_TEST

/* A default may use a substitution itself (trial 48: pipelines/demo.json
 * named port 55432 whatever CAREEROPS_PG_PORT said), four deep at most. */
START_TEST(manifest_nested_default)
{
    const char *sets[] = {
        "stages.mid.config.k=${env:CO_UNIT_NA:-a${env:CO_UNIT_NB:-b}c}", NULL};
    co_diag_t d = {0};
    unsetenv("CO_UNIT_NA");
    setenv("CO_UNIT_NB", "X", 1);
    co_manifest_t *m = co_manifest_load(write_tmp("m.json", good), sets, &d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(json_string_value(json_object_get(
                         co_manifest_stage(m, "mid")->config, "k")),
                     "aXc");
    co_manifest_free(m);
    unsetenv("CO_UNIT_NB");
    m = co_manifest_load(write_tmp("m.json", good), sets, &d);
    ck_assert_str_eq(json_string_value(json_object_get(
                         co_manifest_stage(m, "mid")->config, "k")),
                     "abc");
    co_manifest_free(m);
    const char *deep[] = {"stages.mid.config.k=${env:CO_UNIT_NA:-${env:CO_"
                          "UNIT_NA:-${env:CO_UNIT_NA:-${env:CO_UNIT_NA:-${"
                          "env:CO_UNIT_NA:-${env:CO_UNIT_NA:-x}}}}}}",
                          NULL};
    m = co_manifest_load(write_tmp("m.json", good), deep, &d);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_ptr_nonnull(strstr(d.msgs[0], "nested more than 4 deep"));
    co_diag_free(&d);
    co_manifest_free(m);
    /* trial 49: a shell form that is no name; a kafka property as an
     * array */
    const char *odd[] = {"stages.mid.config.k=${env:CO_UNIT_NA-x}",
                         "kafka.sasl.password=[1,2]",
                         "stages.mid.config.j=${env:1A:-x}", NULL};
    m = co_manifest_load(write_tmp("m.json", good), odd, &d);
    ck_assert_uint_eq(d.n, 3);
    int name = 0, array = 0;
    for (size_t i = 0; i < d.n; i++) {
        name |= strstr(d.msgs[i], "is not an environment variable name") != 0;
        array |= strstr(d.msgs[i], "not a JSON array") != 0;
    }
    ck_assert(name && array);
    co_diag_free(&d);
    co_manifest_free(m);
    /* trial 51: "$${" is a literal "${" */
    const char *lit[] = {"stages.mid.config.l=a$${HOME}b$${env:X}", NULL};
    m = co_manifest_load(write_tmp("m.json", good), lit, &d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(json_string_value(json_object_get(
                         co_manifest_stage(m, "mid")->config, "l")),
                     "a${HOME}b${env:X}");
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

START_TEST(manifest_set_overrides)
{
    co_diag_t d = {0};
    const char *sets[] = {"stages.mid.plugin=mock-passthrough",
                          "stages[2].config.path=out.jsonl",
                          "kafka.bootstrap.servers=127.0.0.1:9092",
                          "stages.mid.concurrency=4", NULL};
    co_manifest_t *m = co_manifest_load(write_tmp("m.json", good), sets, &d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert(!m->embedded);
    ck_assert_str_eq(co_manifest_stage(m, "mid")->plugin, "mock-passthrough");
    ck_assert_int_eq(co_manifest_stage(m, "mid")->concurrency, 4);
    ck_assert_str_eq(json_string_value(json_object_get(
                         co_manifest_stage(m, "sink")->config, "path")),
                     "out.jsonl");
    co_manifest_free(m);
    const char *bad[] = {"stages.nosuch.plugin=x", "noequals", NULL};
    m = co_manifest_load(write_tmp("m.json", good), bad, &d);
    ck_assert_uint_eq(d.n, 2);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

START_TEST(manifest_faults_have_paths)
{
    co_diag_t d = {0};
    const char *txt =
        "{\"pipeline\":\"p q\",\"extra\":1,\"secrets_dir\":\"nosuch\","
        "\"stages\":[{\"name\":\"a\",\"plugin\":\"x\",\"output\":\"t\","
        "\"concurrency\":0,\"errors\":{\"tolerance\":\"some\"},"
        "\"config\":{\"k\":\"${secret:missing}\"}},"
        "{\"name\":\"a\",\"plugin\":\"y\",\"input\":\"t\","
        "\"delivery\":\"maybe\",\"rate_limit\":{\"per_second\":-1}}]}";
    co_manifest_t *m = co_manifest_load(write_tmp("bad.json", txt), NULL, &d);
    ck_assert_ptr_nonnull(m);
    ck_assert(diag_has(&d, "pipeline: "));
    ck_assert(diag_has(&d, "extra: unknown key"));
    ck_assert(diag_has(
        &d, "stages[0] (a).concurrency: must be between 1 and 64 (got 0)"));
    ck_assert(diag_has(&d, "stages[0] (a).errors.tolerance: "));
    ck_assert(diag_has(&d, "stages[0] (a).config.k: secret 'missing'"));
    ck_assert(diag_has(
        &d, "stages[1] (a).name: \"a\" is already the name of stages[0]"));
    ck_assert(diag_has(&d, "stages[1] (a).delivery: "));
    ck_assert(diag_has(&d, "stages[1] (a).rate_limit.per_second: must be "
                           "between 0 and 1e+09 (got -1)"));
    co_diag_free(&d);
    co_manifest_free(m);
    /* not JSON at all */
    m = co_manifest_load(write_tmp("nj.json", "{\"a\":"), NULL, &d);
    ck_assert_ptr_null(m);
    ck_assert(diag_has(&d, "line 1 column"));
    co_diag_free(&d);
}
END_TEST

START_TEST(manifest_secret_read)
{
    char sd[600];
    snprintf(sd, sizeof sd, "%s/secrets", tmpdir);
    mkdir(sd, 0700);
    write_tmp("secrets/tok", "s3cr3t\n");
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(
        write_tmp("s.json",
                  "{\"pipeline\":\"p\",\"secrets_dir\":\"secrets\",\"stages\":"
                  "[{\"name\":\"a\",\"plugin\":\"x\",\"output\":\"t\","
                  "\"config\":{\"k\":\"Bearer ${secret:tok}\"}}]}"),
        NULL, &d);
    ck_assert_uint_eq(d.n, 0);
    ck_assert_str_eq(
        json_string_value(json_object_get(m->stages[0].config, "k")),
        "Bearer s3cr3t");
    co_manifest_free(m);
}
END_TEST

/* trial 51: a secret that is not UTF-8, or holds a NUL byte, is refused
 * (it used to leave "${secret:pg}" in the field, or cut the value); a
 * diagnostic that quotes the value hides the password in it */
START_TEST(manifest_secret_bad_bytes)
{
    char sd[600], f[700];
    snprintf(sd, sizeof sd, "%s/secrets", tmpdir);
    mkdir(sd, 0700);
    snprintf(f, sizeof f, "%s/latin1", sd);
    FILE *fp = fopen(f, "wb");
    fwrite("p\xe9ssw\xf6rd\n", 1, 9, fp);
    fclose(fp);
    snprintf(f, sizeof f, "%s/nul", sd);
    fp = fopen(f, "wb");
    fwrite("ab\0cd", 1, 5, fp);
    fclose(fp);
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(
        write_tmp("s.json",
                  "{\"pipeline\":\"p\",\"secrets_dir\":\"secrets\",\"stages\":"
                  "[{\"name\":\"a\",\"plugin\":\"x\",\"output\":\"t\","
                  "\"config\":{\"k\":\"${secret:latin1}\",\"n\":"
                  "\"${secret:nul}\",\"u\":\"postgresql://al:Hunter2@h/"
                  "${env:CO_UNIT_NOPE}\"}}]}"),
        NULL, &d);
    ck_assert_uint_eq(d.n, 3);
    int utf8 = 0, nul = 0, env = 0;
    for (size_t i = 0; i < d.n; i++) {
        ck_assert_ptr_null(strstr(d.msgs[i], "Hunter2"));
        utf8 |= strstr(d.msgs[i], "not UTF-8 text") != NULL;
        nul |= strstr(d.msgs[i], "holds a NUL byte") != NULL;
        env |= strstr(d.msgs[i], "CO_UNIT_NOPE is not set") != NULL;
    }
    ck_assert(utf8 && nul && env);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

/* trial 52 D2: a field named as a credential (webhook_url, api_key,
 * kafka's sasl.password) is never quoted by a diagnostic, not even in
 * part; other fields still are (with URL passwords as ***) */
START_TEST(manifest_secret_field_hidden)
{
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(
        write_tmp(
            "sf.json",
            "{\"pipeline\":\"p\",\"kafka\":{\"sasl.password\":"
            "\"KAFKAPW${env:CO_UNIT_NOPE}\",\"sasl.oauthbearer.config\":"
            "\"clientSecret=OAUTHPW${env:CO_UNIT_NOPE}\"},\"stages\":"
            "[{\"name\":\"a\",\"plugin\":\"x\",\"output\":\"t\","
            "\"config\":{\"webhook_url\":\"https://hooks.example/"
            "HOOKPW${env:CO_UNIT_NOPE}\",\"api_key\":\"KEYPW${oops}\","
            "\"Access_Token\":\"TOKPW${env:CO_UNIT_NOPE\",\"topic_x\":"
            "\"visible${env:CO_UNIT_NOPE}\",\"my_webhook\":\"${env:H-https://"
            "h.example/HOOKPW2}\",\"file\":\"${env:PG-postgresql://a:"
            "FILEPW@h/x}\",\"state\":\"${PG:-postgresql://a:STATEPW@"
            "h/db}\",\"conninfo\":\"${env:X-host=h password=CONNPW}"
            "\"}}]}"),
        NULL, &d);
    ck_assert_uint_eq(d.n, 10);
    int visible = 0;
    for (size_t i = 0; i < d.n; i++) {
        ck_assert_msg(strstr(d.msgs[i], "PW") == NULL, "%s", d.msgs[i]);
        visible |= strstr(d.msgs[i], "\"visible${env:CO_UNIT_NOPE}\"") != NULL;
    }
    ck_assert(visible);
    co_diag_free(&d);
    co_manifest_free(m);
}
END_TEST

/* A secret's first bytes shared with other text (trial 70: a webhook
 * "http://127.0.0.1:37175/..." hid the dashboard's address) are shown; the
 * whole secret, one cut by the end of the text, and most of one are not. */
/* co_secret_redact() of `in` gives `want`. */
static void check_redacted(const char *in, const char *want)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", in);
    co_secret_redact(buf, sizeof buf);
    ck_assert_str_eq(buf, want);
}

START_TEST(secret_redact_shared_start)
{
    co_secret_note("hook", "http://127.0.0.1:37175/services/T0/B0/SECRETXYZ");
    check_redacted("dashboard: http://127.0.0.1:38137/#token=abc",
                   "dashboard: http://127.0.0.1:38137/#token=abc");
    check_redacted("post to http://127.0.0.1:37175/services/T0/B0/SECRETXYZ ok",
                   "post to ${secret:hook} ok");
    check_redacted("cut: http://127.0.0.1:37175/serv", "cut: ${secret:hook}");
    check_redacted("most: http://127.0.0.1:37175/services/T0/ and more",
                   "most: ${secret:hook} and more");
}
END_TEST

START_TEST(when_predicates)
{
    json_t *w = json_loads("{\"event_type\":[\"INTERVIEW\",\"OFFER\"],"
                           "\"email.lang\":\"de\"}",
                           0, NULL);
    const char *v1 = "{\"event_type\":\"OFFER\",\"email\":{\"lang\":\"de\"}}";
    const char *v2 = "{\"event_type\":\"OTHER\",\"email\":{\"lang\":\"de\"}}";
    const char *v3 = "{\"event_type\":\"OFFER\"}";
    ck_assert_int_eq(co_when_match(w, v1, strlen(v1)), 1);
    ck_assert_int_eq(co_when_match(w, v2, strlen(v2)), 0);
    ck_assert_int_eq(co_when_match(w, v3, strlen(v3)), 0);
    ck_assert_int_eq(co_when_match(w, "not json", 8), 0);
    ck_assert_int_eq(co_when_match(NULL, "x", 1), 1);
    json_decref(w);
}
END_TEST

struct cfg {
    const char *s;
    int64_t i;
    double d;
    int b;
    const char *const *l;
    const char *j;
    const char *p;
};

static const co_option_t opts[] = {
    {CO_OPT_STR, "s", "hello", CO_OPT_SECRET, 0, 0, offsetof(struct cfg, s),
     "A string, a secret."},
    {CO_OPT_INT, "i", "7", 0, 1, 10, offsetof(struct cfg, i), "An int."},
    {CO_OPT_DOUBLE, "d", "0.5", 0, 0, 1, offsetof(struct cfg, d), "A num."},
    {CO_OPT_BOOL, "b", "true", 0, 0, 0, offsetof(struct cfg, b), "A bool."},
    {CO_OPT_STRLIST, "l", "x, y", 0, 0, 0, offsetof(struct cfg, l), "A list."},
    {CO_OPT_JSON, "j", NULL, 0, 0, 0, offsetof(struct cfg, j), "JSON."},
    {CO_OPT_STR, "p", NULL, CO_OPT_REQUIRED | CO_OPT_PATH, 0, 0,
     offsetof(struct cfg, p), "A path."},
    {0}};

/* Trial 83: an option table the host took whole (a name twice, a default
 * outside its range) is refused at load, with the option's name and the
 * fix; the bundled tables pass. */
START_TEST(options_table_faults)
{
    typedef struct {
        int64_t a;
        const char *b;
    } cfg_t;
    char e[400];
    const co_option_t good[] = {
        {CO_OPT_INT, "a", "5", 0, 0, 10, offsetof(cfg_t, a), "A number."},
        {CO_OPT_STR, "b", "x", 0, 0, 0, offsetof(cfg_t, b), "A string."},
        {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}};
    ck_assert_int_eq(co_options_table_fault(good, sizeof(cfg_t), e, sizeof e),
                     0);
    ck_assert_int_eq(co_options_table_fault(NULL, 0, e, sizeof e), 0);
    static const struct {
        co_option_t o[3];
        const char *want;
    } bad[] = {
        {{{CO_OPT_STR, "b", NULL, 0, 0, 0, 8, "One."},
          {CO_OPT_STR, "b", NULL, 0, 0, 0, 8, "Two."},
          {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}},
         "declares option 'b' twice (options[0] and [1])"},
        {{{CO_OPT_INT, "a", "50", 0, 0, 10, 0, "A number."},
          {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}},
         "option 'a' with the default \"50\", outside its range 0..10"},
        {{{CO_OPT_INT, "a", "abc", 0, 0, 0, 0, "A number."},
          {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}},
         "option 'a' with the default \"abc\", which is not of its type"},
        {{{CO_OPT_INT, "a", NULL, 0, 0, 0, 4096, "A number."},
          {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}},
         "option 'a' at offset 4096, outside config_size 16"},
        {{{CO_OPT_INT, "a", NULL, 0, 0, 0, 0, ""},
          {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}},
         "option 'a' without a description"},
        {{{CO_OPT_INT, NULL, NULL, 0, 0, 0, 0, "A number."},
          {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}},
         "options[0] without a name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(
            co_options_table_fault(bad[i].o, sizeof(cfg_t), e, sizeof e), -1);
        ck_assert_msg(strstr(e, bad[i].want) != NULL, "case %zu: %s", i, e);
    }
}
END_TEST

/* "did you mean" hints: a typo is near its name, a stranger is not */
START_TEST(closest_name_hints)
{
    static const char *const keys[] = {"input", "output", "when", NULL};
    static const char *const labels[] = {"INTERVIEW", "OFFER", "OTHER", NULL};
    ck_assert_str_eq(co_closest_name("inputs", keys), "input");
    ck_assert_str_eq(co_closest_name("inptu", keys), "input"); /* a swap */
    ck_assert_str_eq(co_closest_name("INTERVEIW", labels), "INTERVIEW");
    ck_assert_str_eq(co_closest_name("offer", labels), "OFFER"); /* case */
    ck_assert_ptr_null(co_closest_name("input", keys));          /* it is one */
    ck_assert_ptr_null(co_closest_name("colour", keys));
    ck_assert_ptr_null(co_closest_name("ab", keys)); /* all edits */
    ck_assert_ptr_null(co_closest_name("x", labels));
}
END_TEST

START_TEST(options_validate_and_fill)
{
    co_plugin_t p = {CO_PLUGIN_HEADER, .name = "t", .options = opts,
                     .config_size = sizeof(struct cfg)};
    co_diag_t d = {0};
    json_t *c = json_loads("{\"i\":11,\"b\":\"yes\",\"zz\":1,\"s\":"
                           "{\"password\":\"OBJPW\"}}",
                           0, NULL);
    ck_assert_int_eq(co_options_validate(opts, c, "stages[0].config", &d), 5);
    /* trial 53: a secret option's value is never shown, whatever its type */
    ck_assert(diag_has(&d, "stages[0].config.s: must be a string, not an "
                           "object (not shown)"));
    for (size_t i = 0; i < d.n; i++)
        ck_assert_ptr_null(strstr(d.msgs[i], "OBJPW"));
    ck_assert(
        diag_has(&d, "stages[0].config.i: must be between 1 and 10 (got 11)"));
    ck_assert(diag_has(&d, "stages[0].config.b: must be a bool"));
    /* a string where a bool is wanted: why a substitution gives one */
    ck_assert(diag_has(&d, "stages[0].config.b: must be a bool, not \"yes\" "
                           "(a string: written in quotes"));
    ck_assert(diag_has(&d, "stages[0].config.zz: the plugin declares no"));
    ck_assert(diag_has(&d, "stages[0].config.p: required option missing"));
    co_diag_free(&d);
    json_decref(c);
    c = json_loads(
        "{\"p\":\"data/x\",\"l\":[\"a\",\"b\",\"c\"],\"j\":{\"k\":[1]}}", 0,
        NULL);
    ck_assert_int_eq(co_options_validate(opts, c, "c", &d), 0);
    co_optmem_t *mem;
    struct cfg *cfg = co_options_fill(&p, c, "/base", &mem);
    ck_assert_str_eq(cfg->s, "hello");
    ck_assert_int_eq(cfg->i, 7);
    ck_assert(cfg->d == 0.5);
    ck_assert_int_eq(cfg->b, 1);
    ck_assert_str_eq(cfg->l[2], "c");
    ck_assert_ptr_null(cfg->l[3]);
    ck_assert_str_eq(cfg->j, "{\"k\":[1]}");
    ck_assert_str_eq(cfg->p, "/base/data/x");
    co_options_free(cfg, mem);
    json_decref(c);
    /* comma-separated default list */
    c = json_loads("{\"p\":\"/abs\"}", 0, NULL);
    cfg = co_options_fill(&p, c, "/base", &mem);
    ck_assert_str_eq(cfg->l[0], "x");
    ck_assert_str_eq(cfg->l[1], "y");
    ck_assert_str_eq(cfg->p, "/abs");
    co_options_free(cfg, mem);
    json_decref(c);
}
END_TEST

START_TEST(bucket_simulated_time)
{
    /* 5 per minute, burst 1: 12 takes finish at 132 s */
    co_bucket_t b;
    int64_t now = 1000000;
    co_bucket_init(&b, 5.0 / 60.0, 1, now);
    int64_t start = now;
    for (int i = 0; i < 12; i++) {
        int64_t w;
        while ((w = co_bucket_take(&b, now)) > 0)
            now += w;
    }
    ck_assert_int_ge(now - start, 131000);
    ck_assert_int_le(now - start, 133000);
    /* unlimited */
    co_bucket_init(&b, 0, 1, 0);
    ck_assert_int_eq(co_bucket_take(&b, 0), 0);
    ck_assert_int_eq(co_bucket_take(&b, 0), 0);
    /* a rate so low its wait would not fit in int64 (trial 71: 1e-300, an
     * undefined cast): a day at most */
    co_bucket_init(&b, 1e-300, 1, 0);
    ck_assert_int_eq(co_bucket_take(&b, 0), 0);
    ck_assert_int_eq(co_bucket_take(&b, 1), 86400000);
}
END_TEST

START_TEST(backoff_schedule)
{
    /* equal jitter: between half and all of base*2^(n-1), capped */
    ck_assert_int_eq(co_backoff_ms(1, 500, 60000, 0, 0.0), 250);
    ck_assert_int_eq(co_backoff_ms(1, 500, 60000, 0, 0.999999), 499);
    ck_assert_int_eq(co_backoff_ms(3, 500, 60000, 0, 0.0), 1000);
    ck_assert_int_le(co_backoff_ms(30, 500, 60000, 0, 0.99), 60000);
    ck_assert_int_ge(co_backoff_ms(30, 500, 60000, 0, 0.0), 30000);
    /* a Retry-After hint raises the delay */
    ck_assert_int_eq(co_backoff_ms(1, 500, 60000, 2000, 0.0), 2000);
}
END_TEST

START_TEST(metrics_prometheus_text)
{
    co_metric_t *a = co_metric("t_unit_total", "stage=\"x\"", CO_METRIC_COUNTER,
                               "Help text");
    co_metric_t *h = co_metric("t_unit_seconds", "stage=\"x\"",
                               CO_METRIC_HISTOGRAM, "Latency");
    co_metric_t *b = co_metric("t_unit_total", "stage=\"y\"", CO_METRIC_COUNTER,
                               "Help text");
    co_metric_add(a, 2);
    co_metric_add(b, 1);
    co_metric_observe(h, 0.003);
    co_metric_observe(h, 2.0);
    co_metric_observe_n(h, 0.0, 5); /* a batch of fast records at once */
    char *txt = co_metrics_render();
    ck_assert_ptr_nonnull(strstr(txt, "# TYPE t_unit_total counter\n"
                                      "t_unit_total{stage=\"x\"} 2\n"
                                      "t_unit_total{stage=\"y\"} 1\n"));
    ck_assert_ptr_nonnull(
        strstr(txt, "t_unit_seconds_bucket{stage=\"x\",le=\"0.001\"} 5\n"));
    ck_assert_ptr_nonnull(
        strstr(txt, "t_unit_seconds_bucket{stage=\"x\",le=\"0.005\"} 6\n"));
    ck_assert_ptr_nonnull(
        strstr(txt, "t_unit_seconds_bucket{stage=\"x\",le=\"+Inf\"} 7\n"));
    ck_assert_ptr_nonnull(strstr(txt, "t_unit_seconds_count{stage=\"x\"} 7\n"));
    free(txt);
}
END_TEST

/* Two brokers that find the same stale bootstrap file and write theirs
 * at once (released together through a pipe): exactly one wins (a review:
 * both replaced the file, and both would run, in 39 of 40 rounds). */
START_TEST(bootfile_stale_race_one_winner)
{
    char path[512];
    snprintf(path, sizeof path, "%s/race.bs", tmpdir);
    for (int round = 0; round < 10; round++) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("127.0.0.1:1\n", f); /* nothing answers there: stale */
        fclose(f);
        int gate[2];
        ck_assert_int_eq(pipe(gate), 0);
        pid_t kid[2];
        for (int c = 0; c < 2; c++) {
            kid[c] = fork();
            ck_assert_int_ge(kid[c], 0);
            if (kid[c] == 0) {
                int s = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a = {.sin_family = AF_INET};
                a.sin_addr.s_addr = htonl(0x7f000001);
                socklen_t al = sizeof a;
                if (s < 0 || bind(s, (void *)&a, sizeof a) != 0 ||
                    listen(s, 4) != 0 || getsockname(s, (void *)&a, &al))
                    _exit(3);
                char bs[64], x;
                snprintf(bs, sizeof bs, "127.0.0.1:%u", ntohs(a.sin_port));
                close(gate[1]);
                if (read(gate[0], &x, 1) < 0)
                    _exit(3);
                if (freopen("/dev/null", "w", stderr) == NULL)
                    _exit(3);
                int rc = co_bootfile_write(path, bs);
                usleep(300000); /* keep answering while the other looks */
                _exit(rc == 0 ? 0 : 1);
            }
        }
        close(gate[0]);
        close(gate[1]); /* both go */
        int won = 0, st;
        for (int c = 0; c < 2; c++) {
            ck_assert_int_eq(waitpid(kid[c], &st, 0), kid[c]);
            ck_assert(WIFEXITED(st) && WEXITSTATUS(st) != 3);
            won += WEXITSTATUS(st) == 0;
        }
        ck_assert_msg(won == 1, "round %d: %d brokers took the file", round,
                      won);
    }
    unlink(path);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, manifest_defaults_and_topics);
    tcase_add_test(tc, manifest_set_overrides);
    tcase_add_test(tc, manifest_nested_default);
    tcase_add_test(tc, manifest_faults_have_paths);
    tcase_add_test(tc, manifest_secret_read);
    tcase_add_test(tc, manifest_secret_bad_bytes);
    tcase_add_test(tc, manifest_secret_field_hidden);
    tcase_add_test(tc, secret_redact_shared_start);
    tcase_add_test(tc, when_predicates);
    tcase_add_test(tc, closest_name_hints);
    tcase_add_test(tc, options_validate_and_fill);
    tcase_add_test(tc, options_table_faults);
    tcase_add_test(tc, bucket_simulated_time);
    tcase_add_test(tc, backoff_schedule);
    tcase_add_test(tc, metrics_prometheus_text);
    tcase_add_test(tc, bootfile_stale_race_one_winner);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(core_suite)
