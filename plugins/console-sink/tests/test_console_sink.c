/*
 * console-sink as the host sees it (dlopen + fake host): a notification
 * printed as a titled block with the local date; nothing written before
 * flush(); `once` skips a key already printed, also after a restart;
 * jsonl keeps headers and repairs invalid UTF-8; a bad format is refused.
 */
#include "co_fake_host.h"
#include "co_test.h"

#include <careerops/plugin.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void *handle;
static const co_plugin_t *plugin;
static co_fake_host_t *host;
static char dir[] = "/tmp/console-sink-test.XXXXXX";
static char path[256];

static void setup(void)
{
    host = co_fake_host_new();
    char err[512];
    plugin =
        co_fake_host_dlopen(host, CONSOLE_MODULE, 0, &handle, err, sizeof err);
    ck_assert_msg(plugin != NULL, "%s", err);
    strcpy(dir, "/tmp/console-sink-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.txt", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
    dlclose(handle);
    co_fake_host_free(host);
}

static void *config(const char *format, int once)
{
    char *cfg = calloc(1, plugin->config_size);
    for (const co_option_t *o = plugin->options; o->type != CO_OPT_END; o++) {
        ck_assert_msg(o->description && *o->description, "%s", o->name);
        if (strcmp(o->name, "path") == 0)
            *(const char **)(cfg + o->offset) = path;
        else if (strcmp(o->name, "format") == 0)
            *(const char **)(cfg + o->offset) = format;
        else if (strcmp(o->name, "once") == 0)
            *(int *)(cfg + o->offset) = once;
        else if (strcmp(o->name, "max_value_bytes") == 0)
            *(int64_t *)(cfg + o->offset) = 20;
    }
    return cfg;
}

static char *slurp(void)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return strdup("");
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static co_status_t put(void *inst, const char *key, const void *value,
                       size_t len, const co_header_t *h, size_t nh)
{
    co_record_t rec = CO_RECORD_INIT;
    rec.key = key;
    rec.key_len = key ? strlen(key) : 0;
    rec.value = value;
    rec.value_len = len;
    rec.headers = h;
    rec.header_cnt = nh;
    rec.topic = "notifications";
    rec.offset = 7;
    return co_fake_host_process(host, plugin, inst, &rec, 3, NULL);
}

static const char *notif =
    "{\"schema\":\"careerops.notification.v1\",\"event_key\":\"k1\","
    "\"event_type\":\"INTERVIEW\",\"title\":\"Interview with Acme Corp: "
    "SRE\",\"company\":\"Acme Corp\",\"role\":\"SRE\",\"date_utc\":"
    "\"2025-03-04T19:00:00Z\",\"date_local\":\"2025-03-04T14:00:00-05:00\","
    "\"timezone\":\"America/New_York\",\"summary\":\"An interview.\","
    "\"sources\":[{\"title\":\"News\",\"url\":\"https://n.example\"}],"
    "\"briefing_url\":\"https://d.example/k1\",\"email\":{\"subject\":"
    "\"Invitation\",\"from\":\"hr@acme.example\"}}";

START_TEST(text_block_once)
{
    void *cfg = config("text", 1);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    ck_assert_int_eq(put(inst, "k1", notif, strlen(notif), NULL, 0), CO_OK);
    char *s = slurp();
    ck_assert_str_eq(s, ""); /* nothing before flush */
    free(s);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    s = slurp();
    ck_assert_msg(strstr(s, "== Interview with Acme Corp: SRE ==\n") == s, "%s",
                  s);
    ck_assert(strstr(s, "when:     Tue 4 Mar 2025, 14:00 (America/New_York)"));
    ck_assert(strstr(s, "company:  Acme Corp\n"));
    ck_assert(strstr(s, "email:    \"Invitation\" from hr@acme.example\n"));
    ck_assert(strstr(s, "briefing: https://d.example/k1\n"));
    ck_assert(strstr(s, "sources:  News <https://n.example>\n"));
    size_t first = strlen(s);
    free(s);
    /* the same key again, in this instance and after a restart: skipped */
    ck_assert_int_eq(put(inst, "k1", notif, strlen(notif), NULL, 0), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    plugin->destroy(inst);
    inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    ck_assert_int_eq(put(inst, "k1", notif, strlen(notif), NULL, 0), CO_OK);
    ck_assert_int_eq(put(inst, "k2", "plain", 5, NULL, 0), CO_OK);
    ck_assert_int_eq(put(inst, "k2", "plain", 5, NULL, 0), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    s = slurp();
    ck_assert_str_eq(s + first, "k2: plain\n\n");
    size_t second = strlen(s);
    free(s);
    /* dead letters of one email from two stages: one line each; the same
     * stage's again: skipped (trial 80: one line for two) */
    co_header_t st1[] = {{"careerops.error.stage", "classify", 8}};
    co_header_t st2[] = {{"careerops.error.stage", "store", 5}};
    ck_assert_int_eq(put(inst, "k3", "dl1", 3, st1, 1), CO_OK);
    ck_assert_int_eq(put(inst, "k3", "dl2", 3, st2, 1), CO_OK);
    ck_assert_int_eq(put(inst, "k3", "dl1", 3, st1, 1), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    s = slurp();
    ck_assert_msg(strstr(s + second, "dl1") && strstr(s + second, "dl2") &&
                      strstr(strstr(s + second, "dl1") + 1, "dl1") == NULL,
                  "%s", s + second);
    free(s);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

/* A notification with scheduled date `utc` (NULL: none) and email date
 * `sent` (UTC; NULL: none), in America/New_York. */
static char *notif_at(const char *key, const char *company, const char *utc,
                      const char *local, const char *sent,
                      const char *sent_local)
{
    json_t *n = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, s:{s:s, s:s?, s:s?}}",
        "schema", "careerops.notification.v1", "event_key", key, "event_type",
        "INTERVIEW", "title", company, "company", company, "date_utc", utc,
        "date_local", local, "timezone", "America/New_York", "email", "subject",
        "Hello", "date", sent, "date_local", sent_local);
    char *s = json_dumps(n, JSON_COMPACT);
    json_decref(n);
    return s;
}

/* One batch in date order (scheduled date, else the email's date, undated
 * last); a scheduled date before `now` marked past; the email's date when
 * no date is given; no event key unless `verbose`. */
START_TEST(readable_order_past_key)
{
    const char *k64 =
        "a3d3506a14a94a2053edeb5ffabd68a4816a56495328e49e81fb106e9895917c";
    char *n[4] = {
        notif_at("kA", "Later Co", "2025-03-10T15:00:00Z",
                 "2025-03-10T11:00:00-04:00", "2025-02-20T10:00:00Z", NULL),
        notif_at(k64, "Past Co", "2025-03-04T19:00:00Z",
                 "2025-03-04T14:00:00-05:00", "2025-02-25T10:00:00Z", NULL),
        notif_at("kC", "Undated Co", NULL, NULL, "2025-03-01T08:00:00Z",
                 "2025-03-01T03:00:00-05:00"),
        notif_at("kD", "Nothing Co", NULL, NULL, NULL, NULL)};
    for (int verbose = 0; verbose <= 1; verbose++) {
        co_fake_plugin_t fp = {0};
        ck_assert_int_eq(
            co_fake_host_start_plugin(
                host, plugin,
                json_pack("{s:s, s:b, s:s, s:b}", "path", path, "verbose",
                          verbose, "now", "2025-03-05T00:00:00Z", "once", 0),
                NULL, &fp),
            CO_OK);
        for (int i = 0; i < 4; i++)
            ck_assert_int_eq(put(fp.inst, "k", n[i], strlen(n[i]), NULL, 0),
                             CO_OK);
        ck_assert_int_eq(fp.p->flush(fp.inst), CO_OK);
        co_fake_host_stop_plugin(&fp);
        char *s = slurp();
        const char *c = strstr(s, "== Undated Co ==");
        const char *p = strstr(s, "== Past Co ==");
        const char *l = strstr(s, "== Later Co ==");
        const char *d = strstr(s, "== Nothing Co ==");
        ck_assert_msg(c && p && l && d && c < p && p < l && l < d, "%s", s);
        ck_assert_msg(strstr(s, "when:     Tue 4 Mar 2025, 14:00 "
                                "(America/New_York), past\n"),
                      "%s", s);
        ck_assert_msg(strstr(s, "when:     Mon 10 Mar 2025, 11:00 "
                                "(America/New_York)\n"),
                      "%s", s);
        ck_assert_msg(
            strstr(s,
                   "when:     no time read (see the message); email sent Sat 1 "
                   "Mar 2025, 03:00 (America/New_York)\n"),
            "%s", s);
        ck_assert_msg(strstr(s, "when:     no time read (see the message); the "
                                "email has no date\n"),
                      "%s", s);
        if (verbose)
            ck_assert_msg(strstr(s, "key:      ") && strstr(s, k64), "%s", s);
        else
            ck_assert_msg(!strstr(s, "key:") && !strstr(s, k64), "%s", s);
        free(s);
        unlink(path);
    }
    for (int i = 0; i < 4; i++)
        free(n[i]);
}
END_TEST

/* An offer's date is labelled "reply by:" (the notifier's date_label),
 * an assessment's "due:"; without a date, the email's date stays "when:";
 * a deadline given as a day without a time (due_date) is shown as that
 * day, labelled. */
START_TEST(deadline_labels)
{
    char *n[4] = {
        notif_at("kO", "Bluefin Logistics", "2026-12-11T22:00:00Z",
                 "2026-12-11T17:00:00-05:00", "2026-12-01T10:00:00Z", NULL),
        notif_at("kA", "Quill Labs", "2026-12-12T22:00:00Z",
                 "2026-12-12T17:00:00-05:00", "2026-12-01T11:00:00Z", NULL),
        notif_at("kU", "Undated Co", NULL, NULL, "2026-12-01T12:00:00Z",
                 "2026-12-01T07:00:00-05:00"),
        notif_at("kD", "Day Co", NULL, NULL, "2026-12-01T13:00:00Z",
                 "2026-12-01T08:00:00-05:00")};
    static const char *const dl[4] = {"reply by", "due", "reply by", "due"};
    co_fake_plugin_t fp = {0};
    ck_assert_int_eq(co_fake_host_start_plugin(
                         host, plugin,
                         json_pack("{s:s, s:s, s:b}", "path", path, "now",
                                   "2026-12-01T00:00:00Z", "once", 0),
                         NULL, &fp),
                     CO_OK);
    for (int i = 0; i < 4; i++) {
        json_t *j = json_loads(n[i], 0, NULL);
        json_object_set_new(j, "date_label", json_string(dl[i]));
        if (i == 3)
            json_object_set_new(j, "due_date", json_string("2026-12-14"));
        char *v = json_dumps(j, JSON_COMPACT);
        ck_assert_int_eq(put(fp.inst, "k", v, strlen(v), NULL, 0), CO_OK);
        free(v);
        json_decref(j);
        free(n[i]);
    }
    ck_assert_int_eq(fp.p->flush(fp.inst), CO_OK);
    co_fake_host_stop_plugin(&fp);
    char *s = slurp();
    ck_assert_msg(strstr(s, "  reply by: Fri 11 Dec 2026, 17:00 "
                            "(America/New_York)\n"),
                  "%s", s);
    ck_assert_msg(strstr(s, "  due:      Sat 12 Dec 2026, 17:00 "), "%s", s);
    ck_assert_msg(
        strstr(s, "  when:     no time read (see the message); email sent "),
        "%s", s);
    ck_assert_msg(strstr(s, "  due:      Mon 14 Dec 2026 (no time given)\n"),
                  "%s", s);
    free(s);
}
END_TEST

START_TEST(bad_now)
{
    co_fake_plugin_t fp = {0};
    ck_assert_int_eq(
        co_fake_host_start_plugin(
            host, plugin,
            json_pack("{s:s, s:s}", "path", path, "now", "yesterday"), NULL,
            &fp),
        CO_FATAL);
    ck_assert(strstr(host->error_msg, "RFC 3339") != NULL);
    co_fake_host_stop_plugin(&fp);
}
END_TEST

START_TEST(jsonl_headers_utf8)
{
    void *cfg = config("jsonl", 0);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst), CO_OK);
    co_header_t h[] = {{"careerops.error.message", "no header field", 15},
                       {"careerops.error.class", "parse", 5}};
    const char raw[] = "bad \xff\xfe bytes and a long tail of text";
    ck_assert_int_eq(put(inst, "d1", raw, sizeof raw - 1, h, 2), CO_OK);
    ck_assert_int_eq(put(inst, "d1", raw, sizeof raw - 1, h, 2), CO_OK);
    ck_assert_int_eq(plugin->flush(inst), CO_OK);
    char *s = slurp();
    char *nl = strchr(s, '\n');
    ck_assert_ptr_nonnull(nl);
    *nl = '\0';
    json_t *j = json_loads(s, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "key")), "d1");
    json_t *hd = json_object_get(j, "headers");
    ck_assert_str_eq(
        json_string_value(json_object_get(hd, "careerops.error.message")),
        "no header field");
    const char *v = json_string_value(json_object_get(j, "value"));
    ck_assert(strncmp(v, "bad \xef\xbf\xbd", 7) == 0);
    ck_assert_uint_le(strlen(v), 20);
    ck_assert(json_is_true(json_object_get(j, "value_truncated")));
    ck_assert(strchr(nl + 1, '\n') != NULL); /* once=false: both lines */
    json_decref(j);
    free(s);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

START_TEST(bad_format)
{
    void *cfg = config("yaml", 1);
    void *inst = NULL;
    ck_assert_int_eq(
        plugin->init(&host->api, co_fake_host_stage(host), cfg, &inst),
        CO_FATAL);
    ck_assert(strstr(host->error_msg, "jsonl") != NULL);
    plugin->destroy(inst);
    free(cfg);
}
END_TEST

/* `path: "-"` in a manifest is stdout: the host's option filling keeps
 * "-" (no file named "-" next to the manifest). */
START_TEST(dash_is_stdout)
{
    char out[300], dash[300];
    snprintf(out, sizeof out, "%s/stdout.txt", dir);
    snprintf(dash, sizeof dash, "%s/-", dir);
    host->base_dir = dir;
    co_fake_plugin_t fp = {0};
    ck_assert_int_eq(co_fake_host_start_plugin(host, plugin,
                                               json_pack("{s:s}", "path", "-"),
                                               NULL, &fp),
                     CO_OK);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    co_status_t st = put(fp.inst, "k9", "to stdout", 9, NULL, 0);
    co_status_t fl = fp.p->flush(fp.inst);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    ck_assert_int_eq(st, CO_OK);
    ck_assert_int_eq(fl, CO_OK);
    co_fake_host_stop_plugin(&fp);
    ck_assert_msg(access(dash, F_OK) != 0, "a file named '-' was written");
    FILE *f = fopen(out, "r");
    char line[128] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    unlink(out);
    ck_assert_str_eq(line, "k9: to stdout\n");
}
END_TEST

/* `path: "/dev/null"`: not a regular file, nothing to fsync (fsync would
 * answer EINVAL and the flush would be retried for ever). */
START_TEST(dev_null_flushes)
{
    co_fake_plugin_t fp = {0};
    ck_assert_int_eq(
        co_fake_host_start_plugin(
            host, plugin, json_pack("{s:s}", "path", "/dev/null"), NULL, &fp),
        CO_OK);
    ck_assert_int_eq(put(fp.inst, "k8", "gone", 4, NULL, 0), CO_OK);
    ck_assert_int_eq(fp.p->flush(fp.inst), CO_OK);
    co_fake_host_stop_plugin(&fp);
}
END_TEST

/* Trial 85: the file removed while the stage runs (by hand, or rotated
 * away): the next flush writes to a new file of that path, not to the
 * deleted inode; with its folder gone too, the flush is retried with the
 * reason, the records kept. */
START_TEST(file_removed_reopened)
{
    co_fake_plugin_t fp = {0};
    ck_assert_int_eq(
        co_fake_host_start_plugin(
            host, plugin,
            json_pack("{s:s, s:s}", "path", path, "format", "jsonl"), NULL,
            &fp),
        CO_OK);
    ck_assert_int_eq(put(fp.inst, "k1", "\"one\"", 5, NULL, 0), CO_OK);
    ck_assert_int_eq(fp.p->flush(fp.inst), CO_OK);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(put(fp.inst, "k2", "\"two\"", 5, NULL, 0), CO_OK);
    ck_assert_int_eq(fp.p->flush(fp.inst), CO_OK);
    char *got = slurp();
    ck_assert_msg(strstr(got, "two") != NULL && strstr(got, "one") == NULL,
                  "after the file was removed: '%s'", got);
    free(got);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    ck_assert_int_eq(put(fp.inst, "k3", "\"three\"", 7, NULL, 0), CO_OK);
    ck_assert_int_eq(fp.p->flush(fp.inst), CO_RETRY);
    ck_assert_msg(strstr(host->error_msg, "cannot be created again") != NULL,
                  "%s", host->error_msg);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    ck_assert_int_eq(fp.p->flush(fp.inst), CO_OK);
    got = slurp();
    ck_assert_msg(strstr(got, "three") != NULL, "kept: '%s'", got);
    free(got);
    co_fake_host_stop_plugin(&fp);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("console-sink");
    TCase *t = tcase_create("module");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, text_block_once);
    tcase_add_test(t, jsonl_headers_utf8);
    tcase_add_test(t, readable_order_past_key);
    tcase_add_test(t, deadline_labels);
    tcase_add_test(t, bad_now);
    tcase_add_test(t, bad_format);
    tcase_add_test(t, dash_is_stdout);
    tcase_add_test(t, dev_null_flushes);
    tcase_add_test(t, file_removed_reopened);
    suite_add_tcase(s, t);
    return s;
}
CO_TEST_MAIN(suite)
