/**
 * @file plugins/mailbox-source/tests/test_mailbox_source.c
 * @brief mailbox-source driven through co_plugin_entry() by the fake host
 *        (tests/fakes): configuration from the option table (the host's
 *        own filler), emits, dead letters, positions across restarts,
 *        follow mode on the simulated clock.
 */
#include "co_fake_host.h"
#include "mailbox_test_util.h"
#include "options.h"

#include <careerops/plugin.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

const co_plugin_t *co_plugin_entry(const co_host_api_t *api);

typedef struct {
    co_fake_host_t *h;
    const co_plugin_t *p;
    void *cfg;
    co_optmem_t *mem;
    void *inst;
} run_t;

/* Configure (JSON text) and init + start an instance on host h. */
static co_status_t run_open(run_t *r, co_fake_host_t *h, const char *config)
{
    memset(r, 0, sizeof *r);
    r->h = h;
    r->p = co_plugin_entry(&h->api);
    json_t *c = json_loads(config, 0, NULL);
    ck_assert_msg(c != NULL, "bad test config %s", config);
    r->cfg = co_options_fill(r->p, c, NULL, &r->mem);
    json_decref(c);
    ck_assert_ptr_nonnull(r->cfg);
    co_fake_host_clear_error(h);
    co_status_t s =
        r->p->init(&h->api, co_fake_host_stage(h), r->cfg, &r->inst);
    if (s == CO_OK)
        s = r->p->start(r->inst);
    return s;
}

static void run_close(run_t *r)
{
    if (r->p->destroy != NULL)
        r->p->destroy(r->inst);
    co_options_free(r->cfg, r->mem);
}

/* Poll until EOF (or `max_polls`); returns the last status. */
static co_status_t run_polls(run_t *r, int max_polls)
{
    co_status_t s = CO_OK;
    for (int i = 0; i < max_polls; i++) {
        s = r->p->poll(r->inst, 100);
        if (s == CO_EOF || s == CO_FATAL)
            break;
    }
    return s;
}

/* Open with config c and poll to EOF; the log lines written before the
 * polls. */
static size_t run_to_eof(run_t *r, co_fake_host_t *h, const char *c)
{
    ck_assert_int_eq(run_open(r, h, c), CO_OK);
    size_t logs = h->log_cnt;
    ck_assert_int_eq(run_polls(r, 10), CO_EOF);
    return logs;
}

static char *cfg_json(const char *path, const char *extra)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(path));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *r =
        g_strdup_printf("%.*s%s%s}", (int)strlen(s) - 1, s,
                        extra != NULL ? "," : "", extra != NULL ? extra : "");
    free(s);
    return r;
}

/* Every emitted record: key is 64 hex and equals the JSON "key" field. */
static void check_emits(co_fake_host_t *h, size_t from)
{
    for (size_t i = from; i < h->emit_cnt; i++) {
        json_t *v = json_loads(h->emits[i].value, 0, NULL);
        ck_assert_ptr_nonnull(v);
        ck_assert_str_eq(json_string_value(json_object_get(v, "schema")),
                         "careerops.email.v1");
        ck_assert_uint_eq(h->emits[i].key_len, 64);
        ck_assert_str_eq(json_string_value(json_object_get(v, "key")),
                         h->emits[i].key);
        ck_assert(json_is_object(json_object_get(v, "source")));
        json_decref(v);
    }
}

static int count_corpus(const char *rel, const char *extra, size_t *dead)
{
    co_fake_host_t *h = co_fake_host_new();
    char *path = mbt_corpus(rel);
    char *c = cfg_json(path, extra);
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(run_polls(&r, 1000), CO_EOF);
    check_emits(h, 0);
    int n = (int)h->emit_cnt;
    if (dead != NULL)
        *dead = h->dead_cnt;
    run_close(&r);
    co_fake_host_free(h);
    g_free(c);
    g_free(path);
    return n;
}

START_TEST(corpus_samples_counts)
{
    size_t dead = 0;
    ck_assert_int_eq(
        count_corpus("known-bugs/08-mbox-unescaped-from.mbox", NULL, &dead), 2);
    ck_assert_uint_eq(dead, 0);
    ck_assert_int_eq(count_corpus("mime-torture/mimekit/UnitTests/TestData/"
                                  "mbox/simple.mbox.txt",
                                  "\"format\":\"mbox\"", &dead),
                     3);
    ck_assert_int_eq(count_corpus("mime-torture/mimekit/UnitTests/TestData/"
                                  "mbox/unmunged.mbox.txt",
                                  NULL, &dead),
                     2);
    ck_assert_int_eq(count_corpus("mime-torture/mimekit/UnitTests/TestData/"
                                  "mbox/issue1189.mbox.txt",
                                  NULL, &dead),
                     4);
    ck_assert_int_eq(
        count_corpus("known-bugs/10-maildir-new-noinfo", NULL, &dead), 4);
    /* stalwart's Maildir++ tree: 6 files whose content is one letter; each
     * is read and dead-lettered with its reason */
    ck_assert_int_eq(count_corpus("mime-torture/stalwart-mail-parser/"
                                  "resources/maildir",
                                  NULL, &dead),
                     0);
    ck_assert_uint_eq(dead, 6);
}
END_TEST

START_TEST(kb09_key_matches_eml)
{
    co_fake_host_t *h = co_fake_host_new();
    char *p1 = mbt_corpus("known-bugs/09-mboxrd-escaped-from.mbox");
    char *c1 = cfg_json(p1, "\"format\":\"mboxrd\"");
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c1), CO_OK);
    ck_assert_int_eq(run_polls(&r, 10), CO_EOF);
    run_close(&r);
    co_fake_host_t *h2 = co_fake_host_new();
    char *p2 = mbt_corpus("known-bugs/09-mboxrd-escaped-from.expected.eml");
    char *c2 = cfg_json(p2, NULL);
    ck_assert_int_eq(run_open(&r, h2, c2), CO_OK);
    ck_assert_int_eq(run_polls(&r, 10), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt, 1);
    ck_assert_uint_eq(h2->emit_cnt, 1);
    ck_assert_str_eq(h->emits[0].key, h2->emits[0].key);
    json_t *a = json_loads(h->emits[0].value, 0, NULL);
    json_t *b = json_loads(h2->emits[0].value, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(a, "text")),
                     json_string_value(json_object_get(b, "text")));
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_object_get(a, "source"), "kind")),
                     "mbox");
    json_decref(a);
    json_decref(b);
    co_fake_host_free(h);
    co_fake_host_free(h2);
    g_free(p1);
    g_free(c1);
    g_free(p2);
    g_free(c2);
}
END_TEST

START_TEST(spamassassin_restart)
{
    char *tmp = mbt_tmpdir();
    char *mbox = g_build_filename(tmp, "spam.mbox", NULL);
    ck_assert_int_eq(mbt_build_spamassassin(mbox, NULL, NULL), 782);
    co_fake_host_t *h = co_fake_host_new();
    char *c = cfg_json(mbox, "\"batch\":50");
    run_t r;
    /* first life: 5 batches, then the broker refuses one poll, then the
     * process ends (instance destroyed without EOF) */
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_uint_eq(h->emit_cnt + h->dead_cnt, 250);
    h->emit_rc = CO_ERR_KAFKA;
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_RETRY);
    h->emit_rc = 0;
    run_close(&r);
    /* second life resumes from the stored offset */
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(run_polls(&r, 1000), CO_EOF);
    run_close(&r);
    check_emits(h, 0);
    GHashTable *keys = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < h->emit_cnt; i++)
        g_hash_table_add(keys, h->emits[i].key);
    printf("spamassassin mbox: %zu records, %zu dead letters, %u distinct "
           "keys\n",
           h->emit_cnt, h->dead_cnt, g_hash_table_size(keys));
    ck_assert_uint_eq(h->emit_cnt + h->dead_cnt, 782);
    ck_assert_uint_eq(h->dead_cnt, 0);
    /* every message once: the fake host acknowledges at once, so the
     * restart repeats nothing (the SIGKILL test through the real host
     * counts repeats) */
    ck_assert_uint_eq(g_hash_table_size(keys), 782);
    /* a third life reads nothing more */
    size_t before = h->emit_cnt;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(run_polls(&r, 10), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt, before);
    g_hash_table_destroy(keys);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(c);
    g_free(mbox);
    g_free(tmp);
}
END_TEST

START_TEST(maildir_moves_do_not_repeat)
{
    char *src = mbt_corpus("known-bugs/10-maildir-new-noinfo");
    char *tmp = mbt_tmpdir();
    char *md = g_build_filename(tmp, "md", NULL);
    mbt_copy_tree(src, md);
    co_fake_host_t *h = co_fake_host_new();
    char *c = cfg_json(md, "\"batch\":3");
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(run_polls(&r, 10), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt, 4);
    json_t *v = json_loads(h->emits[0].value, 0, NULL);
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_object_get(v, "source"), "kind")),
                     "maildir");
    json_decref(v);
    /* a mail reader moves new/ to cur/ and sets flags */
    char *a = g_build_filename(md, "new", "1741170002.M2P100.mailhost", NULL);
    char *b =
        g_build_filename(md, "cur", "1741170002.M2P100.mailhost:2,S", NULL);
    ck_assert_int_eq(g_rename(a, b), 0);
    char *c3 =
        g_build_filename(md, "cur", "1741170003.M3P100.mailhost:2,", NULL);
    char *c3b =
        g_build_filename(md, "cur", "1741170003.M3P100.mailhost:2,RS", NULL);
    ck_assert_int_eq(g_rename(c3, c3b), 0);
    /* and a new message arrives */
    char *n5 = g_build_filename(md, "new", "1741170005.M5P100.mailhost", NULL);
    ck_assert(g_file_set_contents(n5,
                                  "From: jobs@example.com\nSubject: five\n"
                                  "Message-ID: <five@example.com>\n\nhi\n",
                                  -1, NULL));
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(run_polls(&r, 10), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt, 5);
    check_emits(h, 0);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(a);
    g_free(b);
    g_free(c3);
    g_free(c3b);
    g_free(n5);
    g_free(c);
    g_free(md);
    g_free(tmp);
    g_free(src);
}
END_TEST

START_TEST(follow_mbox_growth)
{
    char *tmp = mbt_tmpdir();
    char *mbox = g_build_filename(tmp, "in.mbox", NULL);
    const char *m1 = "From a@example.com Wed Mar  5 09:00:00 2025\n"
                     "From: a@example.com\nSubject: one\n"
                     "Message-ID: <one@example.com>\n\nbody\n\n";
    const char *m2 = "From a@example.com Wed Mar  5 10:00:00 2025\n"
                     "From: a@example.com\nSubject: two\n"
                     "Message-ID: <two@example.com>\n\nbody\n\n";
    ck_assert(g_file_set_contents(mbox, m1, -1, NULL));
    co_fake_host_t *h = co_fake_host_new();
    char *c = cfg_json(mbox, "\"follow\":true,\"poll_interval_ms\":500,"
                             "\"settle_ms\":2000");
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    /* the last message waits until the file has been quiet for 2 s */
    ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 0);
    for (int i = 0; i < 5 && h->emit_cnt == 0; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 1);
    /* growth: appended message */
    FILE *f = fopen(mbox, "ab");
    fputs(m2, f);
    fclose(f);
    for (int i = 0; i < 10 && h->emit_cnt < 2; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 2);
    /* a writer that appends after an extra blank line: that line is no
     * message (no "empty message" dead letter, no extra count) */
    f = fopen(mbox, "ab");
    fputs("\nFrom jobs@acme.example Mon Dec  1 10:00:00 2025\n"
          "From: a@acme.example\nSubject: hi\n\nbody\n",
          f);
    fclose(f);
    for (int i = 0; i < 10 && h->emit_cnt < 3; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 3);
    ck_assert_uint_eq(h->dead_cnt, 0);
    /* an empty entry at the end: a dead letter once the file has settled
     * (its writer may still add the headers), not part of message 3 */
    f = fopen(mbox, "ab");
    fputs("\nFrom b@example.com Mon Dec  1 11:00:00 2025\n", f);
    fclose(f);
    for (int i = 0; i < 10 && h->dead_cnt == 0; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->dead_cnt, 1);
    ck_assert_uint_eq(h->emit_cnt, 3);
    ck_assert_msg(strstr(h->dead[0].message, "empty message") != NULL, "%s",
                  h->dead[0].message);
    /* never EOF while following */
    ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_int_gt(h->slept_ms, 0);
    run_close(&r);
    check_emits(h, 0);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(c);
    g_free(mbox);
    g_free(tmp);
}
END_TEST

/* An empty mbox entry (a "From " line and no message) is a dead letter
 * ("empty message"), not dropped uncounted as the blank line of a writer
 * (trial 14: 9 entries in, 8 read, 0 dead letters). Trial 11: one at the
 * end of the file is a dead letter in the same run (without follow, the
 * file is read to its end), and two in a row are two dead letters: every
 * "From " entry is either emitted or dead-lettered. */
START_TEST(empty_mbox_entries_at_end_and_in_a_row)
{
    const char *msg = "From a@example.com Wed Mar  5 09:00:00 2025\n"
                      "From: a@example.com\nSubject: %s\n"
                      "Message-ID: <%s@example.com>\n\nbody\n\n";
    const char *sep = "From b@example.com Wed Mar  5 10:00:00 2025\n";
    char *one = g_strdup_printf(msg, "one", "one");
    char *two = g_strdup_printf(msg, "two", "two");
    char *four = g_strdup_printf(msg, "four", "four");
    struct {
        const char *name;
        char *text;
        size_t emits, dead;
    } cases[] = {
        {"one empty between two", g_strconcat(one, sep, "\n", four, NULL), 2,
         1},
        {"empty at the end", g_strconcat(one, two, sep, "\n", NULL), 2, 1},
        {"empty at the end, no blank line", g_strconcat(one, sep, NULL), 1, 1},
        {"two in a row", g_strconcat(one, sep, "\n", sep, "\n", four, NULL), 2,
         2},
        {"two in a row at the end", g_strconcat(one, sep, "\n", sep, NULL), 1,
         2},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *tmp = mbt_tmpdir();
        char *mbox = g_build_filename(tmp, "in.mbox", NULL);
        ck_assert(g_file_set_contents(mbox, cases[i].text, -1, NULL));
        co_fake_host_t *h = co_fake_host_new();
        char *c = cfg_json(mbox, NULL);
        run_t r;
        run_to_eof(&r, h, c);
        ck_assert_msg(h->emit_cnt == cases[i].emits &&
                          h->dead_cnt == cases[i].dead,
                      "%s: %zu emitted, %zu dead letters", cases[i].name,
                      h->emit_cnt, h->dead_cnt);
        for (size_t d = 0; d < h->dead_cnt; d++)
            ck_assert_msg(strstr(h->dead[d].message, "empty message") != NULL,
                          "%s: %s", cases[i].name, h->dead[d].message);
        run_close(&r);
        co_fake_host_free(h);
        mbt_rm_rf(tmp);
        g_free(c);
        g_free(mbox);
        g_free(tmp);
        g_free(cases[i].text);
    }
    g_free(one);
    g_free(two);
    g_free(four);
}
END_TEST

START_TEST(follow_eml_folder_and_dead_letters)
{
    char *tmp = mbt_tmpdir();
    co_fake_host_t *h = co_fake_host_new();
    char *arch = g_build_filename(tmp, "archive", NULL);
    char *extra = g_strdup_printf(
        "\"follow\":true,\"format\":\"eml\",\"archive\":\"%s\"", arch);
    char *c = cfg_json(tmp, extra);
    g_free(extra);
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 0);
    char *good = g_build_filename(tmp, "a.eml", NULL);
    char *bad = g_build_filename(tmp, "b.eml", NULL);
    char *other = g_build_filename(tmp, "notes.txt", NULL);
    ck_assert(g_file_set_contents(
        good, "From: jobs@example.com\nSubject: s\n\nx\n", -1, NULL));
    ck_assert(g_file_set_contents(bad, "\x01\x02 binary junk, no header\n", -1,
                                  NULL));
    ck_assert(g_file_set_contents(other, "Subject: not an eml\n\n", -1, NULL));
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 1);
    ck_assert_uint_eq(h->dead_cnt, 1);
    ck_assert_str_eq(h->dead[0].key, "b.eml");
    ck_assert(strstr(h->dead[0].message, "not an RFC 5322 message") != NULL);
    /* the claim check: the reference, never the raw bytes */
    ck_assert(strstr(h->dead[0].value, "\"archive_url\":\"file://") != NULL);
    ck_assert(strstr(h->dead[0].value, "\"size\":26") != NULL);
    ck_assert(strstr(h->dead[0].value, "binary junk") == NULL);
    ck_assert(strstr(h->dead[0].message, "raw message: file://") != NULL);
    /* the record carries its reference too */
    ck_assert(strstr(h->emits[0].value, "\"archive\":{\"archive_url\":") !=
              NULL);
    /* the raw bytes are in the archive under their SHA-256 */
    const char *sha = strstr(h->dead[0].value, "\"sha256\":\"") + 10;
    char *obj = g_strdup_printf("%s/sha256/%.2s/%.62s", arch, sha, sha + 2);
    char *back = NULL;
    gsize blen = 0;
    ck_assert_msg(g_file_get_contents(obj, &back, &blen, NULL), "%s", obj);
    ck_assert_uint_eq(blen, 26);
    ck_assert(memcmp(back, "\x01\x02 binary junk", 14) == 0);
    g_free(back);
    g_free(obj);
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 1);
    run_close(&r);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(good);
    g_free(bad);
    g_free(other);
    g_free(c);
    g_free(arch);
    g_free(tmp);
}
END_TEST

/* A folder of files that are not .eml: the warning counts them and says
 * what to do; a FIFO and a dangling link are counted apart. */
START_TEST(eml_folder_reports_skipped_files)
{
    char *tmp = mbt_tmpdir();
    for (int i = 0; i < 3; i++) {
        char *p = g_strdup_printf("%s/%05d.txt", tmp, i);
        ck_assert(g_file_set_contents(p, "Subject: s\n\nx\n", -1, NULL));
        g_free(p);
    }
    char *fifo = g_build_filename(tmp, "pipe.eml", NULL);
    char *link = g_build_filename(tmp, "gone.eml", NULL);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(symlink("/nonexistent/x.eml", link), 0);
    co_fake_host_t *h = co_fake_host_new();
    char *c = cfg_json(tmp, NULL);
    run_t r;
    size_t logs = run_to_eof(&r, h, c);
    ck_assert_uint_eq(h->emit_cnt, 0);
    ck_assert_uint_eq(h->log_cnt, logs + 2);
    char *want = g_strdup_printf(
        "0 messages found in %s: 3 files skipped because their names do not "
        "end in .eml (e.g. 0000",
        tmp);
    ck_assert_msg(strstr(h->last_log, want) != NULL, "%s", h->last_log);
    g_free(want);
    mailbox_skips_t k;
    GPtrArray *l = mailbox_eml_list_counted(tmp, &k);
    ck_assert_uint_eq(l->len, 0);
    ck_assert_uint_eq(k.not_eml, 3);
    ck_assert_uint_eq(k.not_regular, 2);
    g_ptr_array_unref(l);
    run_close(&r);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(c);
    g_free(fifo);
    g_free(link);
    g_free(tmp);
}
END_TEST

/* Messages that share their idempotency key (no Message-ID, the same
 * sender, date and subject) are all emitted, and the collision is counted
 * and logged with both places; the EOF line gives the run's totals. */
START_TEST(same_key_messages_reported)
{
    char *tmp = mbt_tmpdir();
    char *path = g_build_filename(tmp, "dup.mbox", NULL);
    const char *msg = "From a@x Mon Jan  1 00:00:00 2024\n"
                      "From: Recruiter <r@acme.example>\n"
                      "Date: Mon, 6 Oct 2025 10:00:00 +0000\n"
                      "Subject: Interview invitation\n\n";
    char *text = g_strdup_printf("%sfirst body\n\n%ssecond body\n\n"
                                 "From a@x Mon Jan  1 00:00:00 2024\n"
                                 "From: Other <o@b.example>\n"
                                 "Date: Mon, 6 Oct 2025 11:00:00 +0000\n"
                                 "Subject: Hi\n\nthird\n",
                                 msg, msg);
    ck_assert(g_file_set_contents(path, text, -1, NULL));
    co_fake_host_t *h = co_fake_host_new();
    char *c = cfg_json(path, NULL);
    run_t r;
    size_t logs = run_to_eof(&r, h, c);
    ck_assert_uint_eq(h->emit_cnt, 3);
    ck_assert_str_eq(h->emits[0].key, h->emits[1].key);
    ck_assert_str_ne(h->emits[0].key, h->emits[2].key);
    ck_assert(co_fake_host_metric(h, "same_key_messages") == 1.0);
    ck_assert_uint_eq(h->log_cnt, logs + 2); /* the pair, the totals */
    ck_assert_msg(strstr(h->last_log, "3 messages read this run, 1 of them "
                                      "with the idempotency key of an "
                                      "earlier one") != NULL,
                  "%s", h->last_log);
    run_close(&r);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(c);
    g_free(text);
    g_free(path);
    g_free(tmp);
}
END_TEST

START_TEST(config_errors)
{
    co_fake_host_t *h = co_fake_host_new();
    run_t r;
    char *c = cfg_json("/nonexistent/inbox.mbox", NULL);
    ck_assert_int_eq(run_open(&r, h, c), CO_FATAL);
    ck_assert(strstr(h->error_msg, "config.path") != NULL);
    ck_assert(strstr(h->error_msg, "No such file") != NULL);
    run_close(&r);
    g_free(c);
    char *dir = mbt_corpus("known-bugs");
    c = cfg_json(dir, "\"format\":\"mbox\"");
    ck_assert_int_eq(run_open(&r, h, c), CO_FATAL);
    ck_assert(strstr(h->error_msg, "folder") != NULL);
    run_close(&r);
    g_free(c);
    c = cfg_json(dir, "\"format\":\"pst\"");
    ck_assert_int_eq(run_open(&r, h, c), CO_FATAL);
    ck_assert(strstr(h->error_msg, "config.format") != NULL);
    run_close(&r);
    g_free(c);
    g_free(dir);
    co_fake_host_free(h);
    /* the option table: every option documented */
    const co_plugin_t *p = co_plugin_entry(NULL);
    for (const co_option_t *o = p->options; o->type != CO_OPT_END; o++)
        ck_assert_msg(o->description != NULL && strlen(o->description) > 10,
                      "option %s lacks a description", o->name);
    ck_assert(p->kinds == CO_KIND_SOURCE);
}
END_TEST

static Suite *source_suite(void)
{
    Suite *s = suite_create("mailbox-source");
    TCase *tc = tcase_create("source");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, corpus_samples_counts);
    tcase_add_test(tc, kb09_key_matches_eml);
    tcase_add_test(tc, spamassassin_restart);
    tcase_add_test(tc, maildir_moves_do_not_repeat);
    tcase_add_test(tc, eml_folder_reports_skipped_files);
    tcase_add_test(tc, follow_mbox_growth);
    tcase_add_test(tc, empty_mbox_entries_at_end_and_in_a_row);
    tcase_add_test(tc, follow_eml_folder_and_dead_letters);
    tcase_add_test(tc, config_errors);
    tcase_add_test(tc, same_key_messages_reported);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(source_suite)
