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
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
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
    /* the last message waits until the file has been quiet for 2 s, and
     * the file is not said to be empty meanwhile (note 29) */
    size_t logs = h->log_cnt;
    ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->emit_cnt, 0);
    ck_assert_msg(h->log_cnt == logs, "logged while waiting: %s", h->last_log);
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
    /* pipe.eml and gone.eml named, then the two counts */
    ck_assert_uint_eq(h->log_cnt, logs + 4);
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
    ck_assert_uint_eq(k.said->len, 2);
    g_ptr_array_unref(l);
    mailbox_skips_clear(&k);
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
 * sender, date and subject) are emitted once, the first one read (its
 * body, not the later one's: trial 66), and the collision is counted and
 * logged with both places; the EOF line gives the run's totals. */
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
    ck_assert_uint_eq(h->emit_cnt, 2);
    ck_assert_str_ne(h->emits[0].key, h->emits[1].key);
    ck_assert_ptr_nonnull(strstr(h->emits[0].value, "first body"));
    ck_assert(co_fake_host_metric(h, "same_key_messages") == 1.0);
    ck_assert(co_fake_host_metric(h, "messages_read") == 2.0);
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

/* trial 55: one line per message with an earlier one's key flooded the
 * log (5,429 lines): ten pairs are listed, then one line, then the totals */
START_TEST(same_key_lines_capped)
{
    char *tmp = mbt_tmpdir();
    char *path = g_build_filename(tmp, "dup.mbox", NULL);
    GString *text = g_string_new(NULL);
    for (int i = 0; i < 25; i++)
        g_string_append(text, "From a@x Mon Jan  1 00:00:00 2024\n"
                              "From: Recruiter <r@acme.example>\n"
                              "Message-ID: <same@acme.example>\n"
                              "Subject: Interview invitation\n\nbody\n\n");
    ck_assert(g_file_set_contents(path, text->str, (gssize)text->len, NULL));
    co_fake_host_t *h = co_fake_host_new();
    char *c = cfg_json(path, NULL);
    run_t r;
    size_t logs = run_to_eof(&r, h, c);
    ck_assert_uint_eq(h->emit_cnt, 1);
    ck_assert(co_fake_host_metric(h, "same_key_messages") == 24.0);
    ck_assert_uint_eq(h->log_cnt, logs + 10 + 1 + 1);
    ck_assert_msg(strstr(h->last_log, "25 messages read this run, 24 of "
                                      "them") != NULL,
                  "%s", h->last_log);
    run_close(&r);
    co_fake_host_free(h);
    mbt_rm_rf(tmp);
    g_free(c);
    g_string_free(text, TRUE);
    g_free(path);
    g_free(tmp);
}
END_TEST

/* ---- the position belongs to the bytes it was read in (trial 41) -------- */

/* Every log line of the fake host, to check what the plugin says. */
static GString *pos_logs;
static void (*pos_log_next)(co_stage_t *, co_log_level_t, const char *, ...);

static void pos_log(co_stage_t *st, co_log_level_t level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    g_string_append_printf(pos_logs, "%d %s\n", (int)level, line);
    pos_log_next(st, level, "%s", line);
}

/* The position tests' fixture: a temporary folder, a fake host whose log
 * lines are kept in pos_logs, and strings freed at the end of the test. */
static char *pos_tmp;
static co_fake_host_t *pos_h;
static GPtrArray *pos_owned;

static void pos_setup(void)
{
    pos_tmp = mbt_tmpdir();
    pos_owned = g_ptr_array_new_with_free_func(g_free);
    pos_h = co_fake_host_new();
    pos_log_next = pos_h->api.log;
    pos_h->api.log = pos_log;
    if (pos_logs == NULL)
        pos_logs = g_string_new(NULL);
    g_string_truncate(pos_logs, 0);
}

static void pos_teardown(void)
{
    co_fake_host_free(pos_h);
    mbt_rm_rf(pos_tmp);
    g_free(pos_tmp);
    g_ptr_array_free(pos_owned, TRUE);
}

/* pos_tmp/name, freed by the fixture. */
static const char *pos_file(const char *name)
{
    char *p = g_build_filename(pos_tmp, name, NULL);
    g_ptr_array_add(pos_owned, p);
    return p;
}

/* cfg_json(path, extra), freed by the fixture. */
static const char *pos_cfg(const char *path, const char *extra)
{
    char *c = cfg_json(path, extra);
    g_ptr_array_add(pos_owned, c);
    return c;
}

/* Message i of the test mailboxes: its own Message-ID, and a body whose
 * length depends on i (messages do not line up between two files). */
static void pos_msg(GString *s, int i)
{
    g_string_append_printf(s,
                           "From r%d@acme.example Wed Mar  5 09:%02d:00 2025\n"
                           "From: Recruiter %d <r%d@acme.example>\n"
                           "Subject: Opening %d\n"
                           "Message-ID: <opening-%d@acme.example>\n\n",
                           i, i % 60, i, i, i, i);
    for (int l = 0; l < 3 + i % 7; l++)
        g_string_append_printf(s, "Line %d of message %d: about the role.\n", l,
                               i);
    g_string_append_c(s, '\n');
}

/* Write messages [from, to) to path (an mbox); its size. */
static size_t pos_write_mbox(const char *path, int from, int to)
{
    GString *s = g_string_new(NULL);
    for (int i = from; i < to; i++)
        pos_msg(s, i);
    ck_assert(g_file_set_contents(path, s->str, (gssize)s->len, NULL));
    size_t n = s->len;
    g_string_free(s, TRUE);
    return n;
}

/* Message i's record since `from` (a new reference, json_decref it). */
static json_t *pos_record(co_fake_host_t *h, size_t from, int i)
{
    char want[64];
    snprintf(want, sizeof want, "<opening-%d@acme.example>", i);
    for (size_t k = from; k < h->emit_cnt; k++) {
        json_t *v = json_loads(h->emits[k].value, 0, NULL);
        const char *id = json_string_value(json_object_get(v, "message_id"));
        if (id != NULL && strcmp(id, want) == 0)
            return v;
        json_decref(v);
    }
    return NULL;
}

/* Message i was emitted by h since record `from`. */
static int pos_emitted(co_fake_host_t *h, size_t from, int i)
{
    json_t *v = pos_record(h, from, i);
    int hit = v != NULL;
    json_decref(v);
    return hit;
}

/* Every record since `from` is one of messages [lo, hi), each of
 * [want_lo, hi) is there, and nothing was dead-lettered. */
static void pos_check_all(co_fake_host_t *h, size_t from, int lo, int want_lo,
                          int hi)
{
    ck_assert_msg(h->dead_cnt == 0, "%zu dead letters, the first: %s",
                  h->dead_cnt, h->dead_cnt > 0 ? h->dead[0].message : "");
    for (int i = want_lo; i < hi; i++)
        ck_assert_msg(pos_emitted(h, from, i), "message %d lost", i);
    for (size_t k = from; k < h->emit_cnt; k++) {
        json_t *v = json_loads(h->emits[k].value, 0, NULL);
        const char *id = json_string_value(json_object_get(v, "message_id"));
        int n = -1;
        ck_assert_msg(id != NULL && sscanf(id, "<opening-%d@", &n) == 1 &&
                          n >= lo && n < hi,
                      "record %zu is not one of the messages: %s", k,
                      h->emits[k].value);
        json_decref(v);
    }
}

/* One run of the stage to EOF with config c. */
static void pos_run(co_fake_host_t *h, const char *c)
{
    run_t r;
    run_to_eof(&r, h, c);
    run_close(&r);
}

/* Trial 41: the mbox is rewritten as a compaction or a new export does
 * (the first 10 messages dropped, 30 new ones appended: the file ends
 * larger). The stored offset points into the middle of another message
 * now: it is not kept, the file is read from the start, every new message
 * arrives and no fragment becomes a dead letter. An unchanged file then
 * resumes where it was. */
START_TEST(position_rewritten_larger_same_path)
{
    const char *mbox = pos_file("inbox.mbox");
    size_t before = pos_write_mbox(mbox, 0, 40);
    co_fake_host_t *h = pos_h;
    const char *c = pos_cfg(mbox, "\"batch\":7");
    pos_run(h, c);
    ck_assert_uint_eq(h->emit_cnt, 40);
    size_t after = pos_write_mbox(mbox, 10, 70);
    ck_assert_uint_gt(after, before);
    size_t mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, c);
    pos_check_all(h, mark, 10, 40, 70);
    ck_assert_uint_eq(h->emit_cnt - mark, 60); /* 30 again (same keys) */
    ck_assert_msg(strstr(pos_logs->str, "reading it from the start") != NULL,
                  "%s", pos_logs->str);
    ck_assert_msg(strstr(pos_logs->str, mbox) != NULL, "%s", pos_logs->str);
    /* unchanged: resumed at its end, nothing read again */
    mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, c);
    ck_assert_uint_eq(h->emit_cnt, mark);
    ck_assert_msg(strstr(pos_logs->str, "resuming") != NULL, "%s",
                  pos_logs->str);
    /* messages appended: only they are read */
    pos_write_mbox(mbox, 10, 75);
    pos_run(h, c);
    ck_assert_uint_eq(h->emit_cnt, mark + 5);
    pos_check_all(h, mark, 70, 70, 75);
}
END_TEST

/* Trial 41: config.path changed to another file (CAREEROPS_MAILBOX) that
 * is longer than the stored offset: read from its start. A copy of the
 * first file with messages appended (the same bytes before the offset)
 * continues at the offset. */
START_TEST(position_other_file)
{
    const char *a = pos_file("a.mbox");
    const char *b = pos_file("b.mbox");
    const char *copy = pos_file("a-later.mbox");
    size_t na = pos_write_mbox(a, 0, 20);
    size_t nb = pos_write_mbox(b, 100, 150);
    ck_assert_uint_gt(nb, na);
    co_fake_host_t *h = pos_h;
    const char *ca = pos_cfg(a, NULL);
    const char *cb = pos_cfg(b, NULL);
    const char *cc = pos_cfg(copy, NULL);
    pos_run(h, ca);
    ck_assert_uint_eq(h->emit_cnt, 20);
    size_t mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, cb);
    pos_check_all(h, mark, 100, 100, 150);
    ck_assert_uint_eq(h->emit_cnt - mark, 50);
    ck_assert_msg(strstr(pos_logs->str, a) != NULL &&
                      strstr(pos_logs->str, b) != NULL,
                  "the log names both files: %s", pos_logs->str);
    /* back to a.mbox: its position is b's now, which a does not hold */
    mark = h->emit_cnt;
    pos_run(h, ca);
    pos_check_all(h, mark, 0, 0, 20);
    /* a longer copy of a.mbox elsewhere: continues after message 19 */
    pos_write_mbox(copy, 0, 26);
    mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, cc);
    ck_assert_uint_eq(h->emit_cnt - mark, 6);
    pos_check_all(h, mark, 20, 20, 26);
    ck_assert_msg(strstr(pos_logs->str, "resuming") != NULL, "%s",
                  pos_logs->str);
}
END_TEST

/* How many times `needle` occurs in pos_logs. */
static int pos_log_count(const char *needle)
{
    int n = 0;
    for (const char *p = pos_logs->str; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* Trial 42: a one-shot run reads an mbox another program is still
 * writing, cut mid-line in the last message's body (and, later, mid-way
 * through the next separator line). The last message, which does not end
 * with a line break, is not read while the file keeps changing (said once
 * at INFO; no EOF meanwhile); what the writer appends within settle_ms is
 * read whole in the same run. Every message once, complete, nothing
 * dead-lettered. */
START_TEST(position_mbox_cut_mid_message)
{
    const char *mbox = pos_file("writing.mbox");
    GString *full = g_string_new(NULL);
    for (int i = 0; i < 8; i++)
        pos_msg(full, i);
    const char *line = strstr(full->str, "Line 1 of message 5: ");
    ck_assert_ptr_nonnull(line);
    size_t cut1 = (size_t)(line - full->str) + 10; /* mid-line */
    const char *sep = strstr(full->str, "From r7@acme.example ");
    ck_assert_ptr_nonnull(sep);
    size_t cut2 = (size_t)(sep - full->str) + 9; /* mid-separator */
    co_fake_host_t *h = pos_h;
    const char *c = pos_cfg(mbox, "\"batch\":2");

    ck_assert(g_file_set_contents(mbox, full->str, (gssize)cut1, NULL));
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    int64_t t0 = h->now_ms;
    /* 3 batches of 2, then 1 poll that waits (less than settle_ms) */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_int_lt(h->now_ms - t0, 2000);
    pos_check_all(h, 0, 0, 0, 5);
    ck_assert_uint_eq(h->emit_cnt, 5);
    ck_assert_msg(pos_log_count("waiting until it has not changed") == 1, "%s",
                  pos_logs->str);
    ck_assert_msg(strstr(pos_logs->str, "0 messages found") == NULL, "%s",
                  pos_logs->str);

    /* more written, now cut inside the separator line of message 7 */
    ck_assert(g_file_set_contents(mbox, full->str, (gssize)cut2, NULL));
    size_t mark = h->emit_cnt;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    /* message 6 ends in the cut separator line: it waits too (read now,
     * it would carry "From r7@" at the end of its body) */
    pos_check_all(h, mark, 5, 5, 6);
    ck_assert_uint_eq(h->emit_cnt - mark, 1);
    ck_assert_msg(pos_log_count("waiting until it has not changed") == 1, "%s",
                  pos_logs->str);
    ck_assert_msg(strstr(pos_logs->str, "reading it from the start") == NULL,
                  "%s", pos_logs->str);
    /* message 5 whole: its last body line is there */
    json_t *v = pos_record(h, mark, 5);
    ck_assert_ptr_nonnull(v);
    char *txt = json_dumps(v, 0);
    ck_assert_msg(strstr(txt, "Line 7 of message 5") != NULL, "%s", txt);
    free(txt);
    json_decref(v);

    /* the writer is done: the rest is read, then EOF */
    ck_assert(g_file_set_contents(mbox, full->str, (gssize)full->len, NULL));
    mark = h->emit_cnt;
    ck_assert_int_eq(run_polls(&r, 10), CO_EOF);
    run_close(&r);
    pos_check_all(h, mark, 6, 6, 8);
    ck_assert_uint_eq(h->emit_cnt - mark, 2);
    v = pos_record(h, mark, 6);
    ck_assert_ptr_nonnull(v);
    txt = json_dumps(v, 0);
    ck_assert_msg(strstr(txt, "From r7") == NULL, "%s", txt);
    free(txt);
    json_decref(v);
    pos_check_all(h, 0, 0, 0, 8);
    ck_assert_uint_eq(h->emit_cnt, 8);

    /* stopped while it waited: the position is at the waiting message's
     * start, and the next run reads it */
    g_string_truncate(pos_logs, 0);
    pos_msg(full, 8);
    ck_assert(
        g_file_set_contents(mbox, full->str, (gssize)full->len - 3, NULL));
    mark = h->emit_cnt;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt, mark);
    ck_assert(g_file_set_contents(mbox, full->str, (gssize)full->len, NULL));
    pos_run(h, c);
    pos_check_all(h, mark, 8, 8, 9);
    ck_assert_uint_eq(h->emit_cnt - mark, 1);
    ck_assert_msg(strstr(pos_logs->str, "resuming") != NULL, "%s",
                  pos_logs->str);
    g_string_free(full, TRUE);
}
END_TEST

/* Trial 72: a one-shot run (no follow) of an mbox just written whose last
 * message has no final line break (printf '...position at Lfco.' >
 * nonl.mbox, then the demo) read "0 messages" and said so only at INFO.
 * The run waits until the file has not changed for settle_ms and reads it,
 * in the same run: a one-message file, and a CRLF mbox whose third
 * message ends without a line break. */
START_TEST(position_mbox_new_file_without_final_break)
{
    const char *one = pos_file("nonl.mbox");
    const char *nonl = "From a@x Mon Nov 30 10:00:00 2026\n"
                       "From: HR <hr@lf.example>\n"
                       "Subject: Offer\n\n"
                       "We are pleased to offer you the Backend Engineer "
                       "position at Lfco.";
    ck_assert(g_file_set_contents(one, nonl, -1, NULL));
    co_fake_host_t *h = pos_h;
    run_t r;
    ck_assert_int_eq(run_open(&r, h, pos_cfg(one, NULL)), CO_OK);
    int64_t t0 = h->now_ms;
    ck_assert_int_eq(run_polls(&r, 60), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt, 1);
    ck_assert_uint_eq(h->dead_cnt, 0);
    /* it waited about settle_ms (2 s by default), not more */
    ck_assert_int_ge(h->now_ms - t0, 1500);
    ck_assert_int_le(h->now_ms - t0, 2100);
    ck_assert_msg(strstr(h->emits[0].value, "Lfco.") != NULL, "%s",
                  h->emits[0].value);
    ck_assert_msg(pos_log_count("waiting until it has not changed") == 1, "%s",
                  pos_logs->str);
    ck_assert_msg(strstr(pos_logs->str, "0 messages found") == NULL, "%s",
                  pos_logs->str);

    const char *crlf = pos_file("crlf.mbox");
    GString *b = g_string_new(NULL);
    for (int i = 0; i < 3; i++)
        g_string_append_printf(b,
                               "%sFrom r%d@crlf.example Mon Nov 30 10:00:00 "
                               "2026\r\nFrom: HR <hr@crlf.example>\r\n"
                               "Subject: Interview %d\r\n"
                               "Message-ID: <crlf-%d@crlf.example>\r\n\r\n"
                               "Interview %d at Crlfco.",
                               i > 0 ? "\r\n\r\n" : "", i, i, i, i);
    ck_assert(g_file_set_contents(crlf, b->str, (gssize)b->len, NULL));
    size_t mark = h->emit_cnt;
    ck_assert_int_eq(run_open(&r, h, pos_cfg(crlf, "\"settle_ms\":500")),
                     CO_OK);
    ck_assert_int_eq(run_polls(&r, 60), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(h->emit_cnt - mark, 3);
    ck_assert_uint_eq(h->dead_cnt, 0);
    ck_assert_msg(strstr(h->emits[mark + 2].value, "Interview 2 at Crlfco.") !=
                      NULL,
                  "%s", h->emits[mark + 2].value);
    g_string_free(b, TRUE);
}
END_TEST

/* Trial 72: mail files named o1, o2, r1, r2 (no .eml) under an account
 * whose state came from another mailbox read "nothing new since the last
 * run" at INFO; with no state they gave the warning. The warning is given
 * whatever the state says, and files skipped for their names beside .eml
 * files are named too. */
START_TEST(position_eml_skipped_files_with_state)
{
    const char *mbox = pos_file("before.mbox");
    ck_assert(g_file_set_contents(mbox,
                                  "From a@x.example Mon Nov 30 10:00:00 2026\n"
                                  "From: HR <hr@own.example>\n"
                                  "Subject: Before\n\nRead before.\n",
                                  -1, NULL));
    const char *own = pos_file("own"), *both = pos_file("both");
    ck_assert_int_eq(g_mkdir(own, 0700), 0);
    ck_assert_int_eq(g_mkdir(both, 0700), 0);
    const char *names[] = {"o1", "o2", "r1", "r2"};
    for (int i = 0; i < 4; i++) {
        char *body = g_strdup_printf("From: HR <hr@own.example>\n"
                                     "Subject: Own %d\n\nOwn message %d.\n",
                                     i, i);
        char *p = g_build_filename(own, names[i], NULL);
        ck_assert(g_file_set_contents(p, body, -1, NULL));
        g_free(p);
        /* both: o1.eml, o2, r1, r2 */
        p = g_strdup_printf("%s/%s%s", both, names[i], i == 0 ? ".eml" : "");
        ck_assert(g_file_set_contents(p, body, -1, NULL));
        g_free(p);
        g_free(body);
    }
    co_fake_host_t *h = pos_h;
    pos_run(h, pos_cfg(mbox, NULL));
    ck_assert_uint_eq(h->emit_cnt, 1);
    /* both: the .eml read, the 3 others named; own, under the state of
     * both (keys of .eml files read): "0 messages found", the 4 named, not
     * "nothing new"; both again: nothing new, the 3 named again */
    const struct {
        const char *dir, *said;
        size_t emits;
        int none;
    } runs[] = {{both, ": 3 files skipped because their names do ", 2, 0},
                {own, ": 4 files skipped because their names do ", 2, 1},
                {both, ": 3 files skipped because their names do ", 2, 0}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        g_string_truncate(pos_logs, 0);
        pos_run(h, pos_cfg(runs[i].dir, NULL));
        ck_assert_uint_eq(h->emit_cnt, runs[i].emits);
        ck_assert_msg(pos_log_count(runs[i].said) == 1, "%zu: %s", i,
                      pos_logs->str);
        ck_assert_msg(pos_log_count("0 messages found in ") == runs[i].none,
                      "%zu: %s", i, pos_logs->str);
        ck_assert_msg(i == 2 || strstr(pos_logs->str, "nothing new") == NULL,
                      "%zu: %s", i, pos_logs->str);
    }
}
END_TEST

/* Trial 72: a "From " separator after a blank line with NUL and garbage
 * bytes instead of header fields was appended to the message before it,
 * silently. It is a dead letter of its own (no header fields), as is the
 * empty entry after it; the same line with text after it stays in the
 * message before, said at WARN. */
START_TEST(position_mbox_damaged_entry_dead_lettered)
{
    static const char bad[] =
        "From alice@x.example Mon Jan  1 00:00:00 2026\n"
        "From: HR <hr@one.example>\nSubject: one\n"
        "Message-ID: <one@one.example>\n\nbody one\n\n"
        "From bob@x.example Mon Jan  1 00:00:00 2026\n"
        "\0\001garbage without headers \377\376\n\n"
        "From carol@x.example Mon Jan  1 00:00:00 2026\n\n\n"
        "From alice@x.example Mon Jan  1 00:00:00 2026\n"
        "From: HR <hr@two.example>\nSubject: two\n"
        "Message-ID: <two@two.example>\n\nbody two\n";
    const char *mbox = pos_file("onebad.mbox");
    ck_assert(g_file_set_contents(mbox, bad, sizeof bad - 1, NULL));
    co_fake_host_t *h = pos_h;
    pos_run(h, pos_cfg(mbox, NULL));
    ck_assert_uint_eq(h->emit_cnt, 2);
    ck_assert_uint_eq(h->dead_cnt, 2);
    ck_assert_msg(strstr(h->dead[0].message, "no header fields") != NULL, "%s",
                  h->dead[0].message);
    ck_assert_msg(strstr(h->dead[1].message, "empty message") != NULL, "%s",
                  h->dead[1].message);
    ck_assert_msg(strstr(h->emits[0].value, "garbage") == NULL, "%s",
                  h->emits[0].value);
    ck_assert_msg(pos_log_count("with no header field after") == 0, "%s",
                  pos_logs->str);

    const char *text = pos_file("text.mbox");
    ck_assert(g_file_set_contents(
        text,
        "From alice@x.example Mon Jan  1 00:00:00 2026\n"
        "From: HR <hr@one.example>\nSubject: log\n\nThe log said:\n\n"
        "From bob@x.example Mon Jan  1 00:00:00 2026\n"
        "delivered to the wrong folder\n",
        -1, NULL));
    size_t mark = h->emit_cnt, dead = h->dead_cnt;
    pos_run(h, pos_cfg(text, NULL));
    ck_assert_uint_eq(h->emit_cnt - mark, 1);
    ck_assert_uint_eq(h->dead_cnt, dead);
    ck_assert_msg(strstr(h->emits[mark].value, "wrong folder") != NULL, "%s",
                  h->emits[mark].value);
    ck_assert_msg(pos_log_count("1 line inside messages read this run looks "
                                "like an mbox separator (\"From <address> "
                                "<date>\" after a blank line) with no header "
                                "field after it") == 1,
                  "%s", pos_logs->str);
}
END_TEST

/* A finished export whose writer left out the last line break (the file
 * not changed for longer than settle_ms): its last message is read, not
 * held back as if a writer were still at work. */
START_TEST(position_mbox_old_file_without_final_break)
{
    const char *mbox = pos_file("export.mbox");
    GString *full = g_string_new(NULL);
    for (int i = 0; i < 3; i++)
        pos_msg(full, i);
    while (full->len > 0 && full->str[full->len - 1] == '\n')
        g_string_truncate(full, full->len - 1);
    ck_assert(g_file_set_contents(mbox, full->str, (gssize)full->len, NULL));
    struct timespec old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
    ck_assert_int_eq(utimensat(AT_FDCWD, mbox, old, 0), 0);
    co_fake_host_t *h = pos_h;
    pos_run(h, pos_cfg(mbox, "\"batch\":2"));
    pos_check_all(h, 0, 0, 0, 3);
    ck_assert_uint_eq(h->emit_cnt, 3);
    ck_assert_msg(pos_log_count("waiting until it has not changed") == 0, "%s",
                  pos_logs->str);
    g_string_free(full, TRUE);
}
END_TEST

/* Store a position as another version would have (the fake host's state). */
static void pos_store(co_fake_host_t *h, const char *json)
{
    ck_assert_int_eq(
        h->api.state_put(co_fake_host_stage(h), "position", json, strlen(json)),
        0);
}

/* A position saved by an older version (an offset, no fingerprint): kept
 * where the file has a message boundary at the offset (messages were
 * appended), else the file is read from the start. */
START_TEST(position_legacy_mbox)
{
    const char *mbox = pos_file("inbox.mbox");
    size_t n20 = pos_write_mbox(mbox, 0, 20);
    char *old = g_strdup_printf("{\"format\":\"mboxrd\",\"offset\":%zu}", n20);
    co_fake_host_t *h = pos_h;
    const char *c = pos_cfg(mbox, NULL);
    pos_write_mbox(mbox, 0, 25);
    pos_store(h, old);
    pos_run(h, c);
    ck_assert_uint_eq(h->emit_cnt, 5);
    pos_check_all(h, 0, 20, 20, 25);
    ck_assert_msg(strstr(pos_logs->str, "older version") != NULL, "%s",
                  pos_logs->str);
    /* rewritten (trial 41's way) under the same old position */
    pos_write_mbox(mbox, 10, 50);
    pos_store(h, old);
    size_t mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, c);
    pos_check_all(h, mark, 10, 10, 50);
    ck_assert_uint_eq(h->emit_cnt - mark, 40);
    ck_assert_msg(strstr(pos_logs->str, "is not the start of a message") !=
                      NULL,
                  "%s", pos_logs->str);
    g_free(old);
}
END_TEST

/* Poll (bounded, simulated clock) until messages [lo, hi) have all been
 * emitted since record `from`. */
static void pos_follow_until(run_t *r, co_fake_host_t *h, size_t from, int lo,
                             int hi)
{
    for (int i = 0; i < 200; i++) {
        int all = 1;
        for (int k = lo; k < hi && all; k++)
            all = pos_emitted(h, from, k);
        if (all)
            return;
        ck_assert_int_eq(r->p->poll(r->inst, 1000), CO_OK);
    }
    ck_abort_msg("messages %d to %d did not all arrive: %zu records", lo,
                 hi - 1, h->emit_cnt - from);
}

/* Following an mbox that is rewritten while the stage runs: in place
 * (truncated and written again, larger), or replaced by a file renamed
 * over it (what an export or a compaction does): every message arrives.
 * A replacement that keeps the bytes read continues where it was. */
START_TEST(position_follow_rewritten)
{
    const char *mbox = pos_file("inbox.mbox");
    pos_write_mbox(mbox, 0, 20);
    co_fake_host_t *h = pos_h;
    const char *c = pos_cfg(mbox, "\"follow\":true,\"poll_interval_ms\":500,"
                                  "\"settle_ms\":1000,\"batch\":9");
    run_t r;
    ck_assert_int_eq(run_open(&r, h, c), CO_OK);
    pos_follow_until(&r, h, 0, 0, 20);
    ck_assert_uint_eq(h->emit_cnt, 20);
    /* in place: the same inode, larger */
    GString *s = g_string_new(NULL);
    for (int i = 10; i < 50; i++)
        pos_msg(s, i);
    FILE *f = fopen(mbox, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(s->str, 1, s->len, f), s->len);
    fclose(f);
    size_t mark = h->emit_cnt;
    pos_follow_until(&r, h, mark, 10, 50);
    pos_check_all(h, mark, 10, 10, 50);
    /* renamed over it: another file at the path */
    pos_write_mbox(mbox, 30, 70);
    mark = h->emit_cnt;
    pos_follow_until(&r, h, mark, 30, 70);
    pos_check_all(h, mark, 30, 30, 70);
    ck_assert_msg(strstr(pos_logs->str, "was replaced by another file") != NULL,
                  "%s", pos_logs->str);
    /* renamed over it again, the same bytes and 5 more messages */
    pos_write_mbox(mbox, 30, 75);
    mark = h->emit_cnt;
    pos_follow_until(&r, h, mark, 70, 75);
    for (int i = 0; i < 5; i++) /* and nothing more comes */
        ck_assert_int_eq(r.p->poll(r.inst, 1000), CO_OK);
    ck_assert_uint_eq(h->emit_cnt - mark, 5);
    pos_check_all(h, mark, 70, 70, 75);
    run_close(&r);
    g_string_free(s, TRUE);
}
END_TEST

/* Files n.eml, n from `first`, holding messages [from, to). */
static void pos_write_eml(const char *dir, int first, int from, int to)
{
    g_mkdir_with_parents(dir, 0700);
    for (int i = from; i < to; i++) {
        char *p = g_strdup_printf("%s/%d.eml", dir, first + i - from);
        GString *s = g_string_new(NULL);
        pos_msg(s, i);
        const char *nl = strchr(s->str, '\n'); /* no "From " line */
        ck_assert(g_file_set_contents(p, nl + 1, -1, NULL));
        g_string_free(s, TRUE);
        g_free(p);
    }
}

/* An .eml folder keys its files by name: another export written over it
 * (the same names, other messages), or config.path set to another folder
 * with the same names, is read again where the content differs. A
 * position of an older version (names only) reads every file again. */
START_TEST(position_eml_other_content)
{
    const char *a = pos_file("a");
    const char *b = pos_file("b");
    pos_write_eml(a, 1, 0, 5);
    co_fake_host_t *h = pos_h;
    const char *ca = pos_cfg(a, NULL);
    const char *cb = pos_cfg(b, NULL);
    pos_run(h, ca);
    ck_assert_uint_eq(h->emit_cnt, 5);
    /* a new export over it: 1.eml..8.eml are messages 10..17 */
    pos_write_eml(a, 1, 10, 18);
    size_t mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, ca);
    pos_check_all(h, mark, 10, 10, 18);
    ck_assert_uint_eq(h->emit_cnt - mark, 8);
    ck_assert_msg(strstr(pos_logs->str, "5 files read before have another "
                                        "content") != NULL,
                  "%s", pos_logs->str);
    mark = h->emit_cnt;
    pos_run(h, ca); /* nothing changed: nothing read */
    ck_assert_uint_eq(h->emit_cnt, mark);
    /* another folder: 1..3 the same messages, 4.eml another one */
    pos_write_eml(b, 1, 10, 13);
    pos_write_eml(b, 4, 20, 21);
    g_string_truncate(pos_logs, 0);
    pos_run(h, cb);
    ck_assert_uint_eq(h->emit_cnt - mark, 1);
    pos_check_all(h, mark, 20, 20, 21);
    ck_assert_msg(strstr(pos_logs->str, a) != NULL, "%s", pos_logs->str);
    /* an older version's position: names only */
    pos_store(h, "{\"format\":\"eml\",\"seen\":[\"1.eml\",\"2.eml\","
                 "\"3.eml\",\"4.eml\",\"5.eml\",\"6.eml\",\"7.eml\","
                 "\"8.eml\"]}");
    mark = h->emit_cnt;
    g_string_truncate(pos_logs, 0);
    pos_run(h, ca);
    pos_check_all(h, mark, 10, 10, 18);
    ck_assert_msg(strstr(pos_logs->str, "older version") != NULL, "%s",
                  pos_logs->str);
}
END_TEST

/* pos_cfg(path, extra) with the archive in the fixture's folder (extra
 * may be NULL). */
static const char *pos_cfg_archive(const char *path, const char *extra)
{
    char *e = g_strdup_printf("%s%s\"archive\":\"%s\"", extra ? extra : "",
                              extra ? "," : "", pos_file("archive"));
    const char *c = pos_cfg(path, e);
    g_free(e);
    return c;
}

/* Open the stage on dir with follow (archive in the fixture) and poll it
 * n times, each answering OK. */
static void pos_follow(run_t *r, const char *dir, int n)
{
    const char *c =
        pos_cfg_archive(dir, "\"follow\":true,\"poll_interval_ms\":100");
    ck_assert_int_eq(run_open(r, pos_h, c), CO_OK);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(r->p->poll(r->inst, 100), CO_OK);
}

/* pos_tmp/name: a symlink to /proc/self/mem, a file that exists and
 * cannot be read, whoever reads it (root too): read() at offset 0 is EIO. */
static const char *pos_unreadable(const char *name)
{
    const char *p = pos_file(name);
    ck_assert_int_eq(symlink("/proc/self/mem", p), 0);
    return p;
}

/* Trial: an unreadable file in a Maildir (mode 000 as another user) made
 * the source list the folder again forever, at 100 % CPU, and the message
 * was lost without a word. It is a dead letter now (key: its Maildir key;
 * the path, the error and the fix), the stage ends (EOF), the file is not
 * recorded as read, and the next run reads it once it is readable. */
START_TEST(unreadable_maildir_file_is_a_dead_letter)
{
    const char *md = pos_file("md");
    ck_assert_int_eq(g_mkdir_with_parents(pos_file("md/cur"), 0700), 0);
    ck_assert_int_eq(g_mkdir_with_parents(pos_file("md/new"), 0700), 0);
    mbt_write_msg(pos_file("md/cur/1000.a:2,S"), "one");
    const char *bad = pos_unreadable("md/cur/1001.b:2,S");
    const char *locked = pos_file("md/cur/1002.c:2,S");
    mbt_write_msg(locked, "three");
    int as_user = geteuid() != 0; /* root reads mode 000 */
    if (as_user)
        ck_assert_int_eq(chmod(locked, 0), 0);
    const char *c = pos_cfg_archive(md, NULL);
    run_t r;
    ck_assert_int_eq(run_open(&r, pos_h, c), CO_OK);
    ck_assert_int_eq(run_polls(&r, 5), CO_EOF);
    run_close(&r);
    ck_assert_uint_eq(pos_h->emit_cnt, as_user ? 1 : 2);
    ck_assert_uint_eq(pos_h->dead_cnt, as_user ? 2 : 1);
    const co_fake_dead_t *d = &pos_h->dead[0];
    ck_assert_str_eq(d->key, "1001.b");
    ck_assert_str_eq(d->error_class, "io");
    char *want = g_strdup_printf("1001.b: cannot read %s: Input/output error "
                                 "(EIO): the disk or network file system "
                                 "failed",
                                 bad);
    ck_assert_msg(strstr(d->message, want) != NULL, "%s", d->message);
    g_free(want);
    ck_assert(strstr(d->message, "not recorded as read") != NULL);
    ck_assert(strstr(d->value, "\"errno\":\"EIO\"") != NULL);
    if (as_user) {
        ck_assert_str_eq(pos_h->dead[1].key, "1002.c");
        ck_assert(strstr(pos_h->dead[1].message, "Permission denied (EACCES)"));
        ck_assert(strstr(pos_h->dead[1].message, "chmod a+r"));
    }
    ck_assert(co_fake_host_metric(pos_h, "unreadable_files") ==
              (as_user ? 2 : 1));
    ck_assert_int_eq(pos_log_count("skipping"), 0);
    /* fixed: the next run reads it (and nothing read before) */
    ck_assert_int_eq(g_unlink(bad), 0);
    mbt_write_msg(bad, "two");
    if (as_user)
        ck_assert_int_eq(chmod(locked, 0600), 0);
    size_t before = pos_h->emit_cnt;
    pos_run(pos_h, c);
    ck_assert_uint_eq(pos_h->emit_cnt, before + (as_user ? 2 : 1));
    ck_assert_uint_eq(pos_h->dead_cnt, as_user ? 2 : 1);
}
END_TEST

/* With follow, an unreadable .eml file is a dead letter once, not at
 * every poll; once it changes (rewritten, chmod) it is read. */
START_TEST(unreadable_eml_file_follow_tried_once_until_changed)
{
    const char *dir = pos_file("eml");
    ck_assert_int_eq(g_mkdir_with_parents(dir, 0700), 0);
    mbt_write_msg(pos_file("eml/a.eml"), "a");
    const char *bad = pos_unreadable("eml/b.eml");
    run_t r;
    pos_follow(&r, dir, 4);
    ck_assert_uint_eq(pos_h->emit_cnt, 1);
    ck_assert_uint_eq(pos_h->dead_cnt, 1);
    ck_assert_str_eq(pos_h->dead[0].key, "b.eml");
    ck_assert_int_eq(g_unlink(bad), 0);
    mbt_write_msg(bad, "b");
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_uint_eq(pos_h->emit_cnt, 2);
    ck_assert_uint_eq(pos_h->dead_cnt, 1);
    run_close(&r);
}
END_TEST

/* Trial: a FIFO, a dangling symlink, a symlink loop and a link to
 * /dev/zero named *.eml were passed over in silence when another message
 * was read, and `ln -s . odd/self` read each message 9 times. Each entry
 * is named once (WARN), also across the polls of follow mode; none is
 * opened (the FIFO would block the stage); each message is read once.
 * An entry fixed and broken again is named again. */
START_TEST(skipped_entries_named_once)
{
    const char *dir = pos_file("sk");
    ck_assert_int_eq(g_mkdir_with_parents(pos_file("sk/odd"), 0700), 0);
    mbt_write_msg(pos_file("sk/a.eml"), "a");
    mbt_write_msg(pos_file("sk/odd/b.eml"), "b");
    mbt_write_msg(pos_file("sk/odd/c.eml"), "c");
    ck_assert_int_eq(symlink(".", pos_file("sk/odd/self")), 0);
    const char *fifo = pos_file("sk/pipe.eml");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(symlink("/nonexistent/x.eml", pos_file("sk/gone.eml")), 0);
    ck_assert_int_eq(symlink("loop.eml", pos_file("sk/loop.eml")), 0);
    ck_assert_int_eq(symlink("/dev/zero", pos_file("sk/zero.eml")), 0);
    alarm(60); /* a FIFO opened would block: fail, do not hang */
    run_t r;
    pos_follow(&r, dir, 4);
    ck_assert_uint_eq(pos_h->emit_cnt, 3);
    ck_assert_uint_eq(pos_h->dead_cnt, 0);
    ck_assert_int_eq(pos_log_count(": skipped, "), 5);
    const char *want[] = {
        "/sk/pipe.eml: skipped, a pipe (FIFO), not a regular file",
        "/sk/gone.eml: skipped, a symlink to nothing (/nonexistent/x.eml does "
        "not exist)",
        "/sk/loop.eml: skipped, a symlink loop (loop.eml: Too many levels of "
        "symbolic links)",
        "/sk/zero.eml: skipped, a symlink to a character device (/dev/zero), "
        "not a regular file",
        "/sk/odd/self: skipped, a symlink to the folder odd, read already: "
        "not read twice (a loop, or a second way in)"};
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        ck_assert_msg(pos_log_count(want[i]) == 1, "%s not once in:\n%s",
                      want[i], pos_logs->str);
    ck_assert(co_fake_host_metric(pos_h, "skipped_entries") == 5);
    /* removed, then back: named again */
    ck_assert_int_eq(g_unlink(fifo), 0);
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(r.p->poll(r.inst, 100), CO_OK);
    ck_assert_int_eq(pos_log_count(want[0]), 2);
    alarm(0);
    run_close(&r);
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
    tcase_add_test(tc, same_key_lines_capped);
    suite_add_tcase(s, tc);
    TCase *pos = tcase_create("position");
    tcase_set_timeout(pos, 600);
    tcase_add_checked_fixture(pos, pos_setup, pos_teardown);
    tcase_add_test(pos, position_rewritten_larger_same_path);
    tcase_add_test(pos, position_other_file);
    tcase_add_test(pos, position_mbox_cut_mid_message);
    tcase_add_test(pos, position_mbox_old_file_without_final_break);
    tcase_add_test(pos, position_mbox_new_file_without_final_break);
    tcase_add_test(pos, position_eml_skipped_files_with_state);
    tcase_add_test(pos, position_mbox_damaged_entry_dead_lettered);
    tcase_add_test(pos, position_legacy_mbox);
    tcase_add_test(pos, position_follow_rewritten);
    tcase_add_test(pos, position_eml_other_content);
    suite_add_tcase(s, pos);
    TCase *odd = tcase_create("odd-entries");
    tcase_set_timeout(odd, 120);
    tcase_add_checked_fixture(odd, pos_setup, pos_teardown);
    tcase_add_test(odd, unreadable_maildir_file_is_a_dead_letter);
    tcase_add_test(odd, unreadable_eml_file_follow_tried_once_until_changed);
    tcase_add_test(odd, skipped_entries_named_once);
    suite_add_tcase(s, odd);
    return s;
}

CO_TEST_MAIN(source_suite)
