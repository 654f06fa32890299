/**
 * @file tests/fakes/test_fake_host_check.c
 * @brief co_fake_host_start_plugin() calls the descriptor's check() (ABI
 *        1.2) as the host does (trial 40: it never did): after the option
 *        table's checks, before init(); a refusal fails the start with the
 *        message, and a 1.1 descriptor's check() is never read.
 */
#include "co_fake_host.h"
#include "co_test.h"

#include <stddef.h>
#include <unistd.h>

struct tcheck_config {
    const char *mode;
};

static const co_option_t tcheck_options[] = {
    {CO_OPT_STR, "mode", "fast", 0, 0, 0, offsetof(struct tcheck_config, mode),
     "fast or safe"},
    {0}};

static int inits, checks;

static co_status_t tcheck_check(const void *config, char *err, size_t errsz)
{
    const struct tcheck_config *c = config;
    checks++;
    if (strcmp(c->mode, "fast") == 0 || strcmp(c->mode, "safe") == 0)
        return CO_OK;
    if (strcmp(c->mode, "") == 0)
        return CO_FATAL; /* no message: the host says it refused */
    snprintf(err, errsz, "%s\"%s\" is unknown: use fast or safe",
             strcmp(c->mode, "other") == 0 ? "" : "mode: ", c->mode);
    return CO_FATAL;
}

static co_status_t tcheck_init(const co_host_api_t *api, co_stage_t *st,
                               const void *config, void **instance)
{
    (void)api;
    (void)st;
    (void)config;
    inits++;
    *instance = NULL;
    return CO_OK;
}

static co_status_t tcheck_process(void *instance, const co_record_t *rec)
{
    (void)instance;
    (void)rec;
    return CO_OK;
}

static co_plugin_t tcheck_plugin = {
    CO_PLUGIN_HEADER,          .name = "tcheck",
    .version = "1.0.0",        .description = "check() test plugin",
    .license = "Apache-2.0",   .kinds = CO_KIND_PROCESSOR,
    .options = tcheck_options, .config_size = sizeof(struct tcheck_config),
    .init = tcheck_init,       .process = tcheck_process,
    .check = tcheck_check,
};

static co_fake_host_t *host;
static co_fake_plugin_t run;

static void setup(void)
{
    host = co_fake_host_new();
    ck_assert_ptr_nonnull(host);
    memset(&run, 0, sizeof run);
    inits = checks = 0;
    tcheck_plugin.abi_minor = CO_ABI_MINOR;
}

static void teardown(void)
{
    co_fake_host_stop_plugin(&run);
    co_fake_host_free(host);
}

static co_status_t start(const char *mode)
{
    json_t *conf = json_pack("{s:s}", "mode", mode);
    return co_fake_host_start_plugin(host, &tcheck_plugin, conf, NULL, &run);
}

START_TEST(accepted_config_reaches_init)
{
    ck_assert_int_eq(start("safe"), CO_OK);
    ck_assert_int_eq(checks, 1);
    ck_assert_int_eq(inits, 1);
    ck_assert_int_eq(run.faults, 0);
    ck_assert_int_eq(host->error_set, 0);
}
END_TEST

/* What start() wrote to stderr (at most one line is looked at). */
static char *stderr_of(const char *mode, co_status_t *st)
{
    static char line[1024];
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(f), 2);
    *st = start(mode);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(f);
    if (fgets(line, sizeof line, f) == NULL)
        line[0] = '\0';
    fclose(f);
    return line;
}

/* a refusal: CO_FATAL, one fault, no init(), the message kept and printed
 * at the option's path, as `careerops validate` prints it */
START_TEST(refused_config_fails_the_start)
{
    co_status_t st;
    ck_assert_str_eq(stderr_of("slow", &st),
                     "config: stages[0].config.mode: \"slow\" is unknown: "
                     "use fast or safe\n");
    ck_assert_int_eq(st, CO_FATAL);
    ck_assert_int_eq(checks, 1);
    ck_assert_int_eq(inits, 0);
    ck_assert_int_eq(run.faults, 1);
    ck_assert_int_eq(host->error_set, 1);
    ck_assert_str_eq(host->error_class, "config");
    ck_assert_str_eq(host->error_msg,
                     "mode: \"slow\" is unknown: use fast or safe");
}
END_TEST

/* no message from check(): the start still fails, with the host's words */
START_TEST(refusal_without_message)
{
    ck_assert_int_eq(start(""), CO_FATAL);
    ck_assert_int_eq(inits, 0);
    ck_assert_str_eq(host->error_msg, "refused by the plugin's check");
}
END_TEST

/* a message that names no option is the config object's */
START_TEST(refusal_without_option_name)
{
    ck_assert_int_eq(start("other"), CO_FATAL);
    ck_assert_str_eq(host->error_msg, "\"other\" is unknown: use fast or safe");
}
END_TEST

/* the option table's own faults come first: check() never sees them */
START_TEST(table_faults_skip_check)
{
    json_t *conf = json_pack("{s:i}", "mode", 3);
    ck_assert_int_eq(
        co_fake_host_start_plugin(host, &tcheck_plugin, conf, NULL, &run),
        CO_FATAL);
    ck_assert_int_eq(checks, 0);
    ck_assert_int_eq(inits, 0);
}
END_TEST

/* a plugin built for 1.1 had reserved[0] there: never called */
START_TEST(minor_1_has_no_check)
{
    tcheck_plugin.abi_minor = 1;
    ck_assert_int_eq(start("slow"), CO_OK);
    ck_assert_int_eq(checks, 0);
    ck_assert_int_eq(inits, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fake_host_check");
    TCase *tc = tcase_create("check");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, accepted_config_reaches_init);
    tcase_add_test(tc, refused_config_fails_the_start);
    tcase_add_test(tc, refusal_without_message);
    tcase_add_test(tc, refusal_without_option_name);
    tcase_add_test(tc, table_faults_skip_check);
    tcase_add_test(tc, minor_1_has_no_check);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(suite)
