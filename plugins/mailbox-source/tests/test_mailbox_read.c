/**
 * @file plugins/mailbox-source/tests/test_mailbox_read.c
 * @brief The mailbox reader as pure functions: mbox framing on the corpus
 *        samples and known-bugs cases 08/09/10, the 782-message mbox built
 *        from negatives/spamassassin, Maildir keys, positions.
 */
#include "co_mail.h"
#include "mailbox_test_util.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* Frame all messages of an mbox file (at_eof). Each message's bytes are
 * appended to `msgs` (GBytes*) when not NULL. Never more than `limit`
 * iterations: a reader that does not advance is a failure, not a hang. */
static int frame_file(const char *path, int rd, GPtrArray *msgs)
{
    gchar *b = NULL;
    gsize l = 0;
    ck_assert_msg(g_file_get_contents(path, &b, &l, NULL), "read %s", path);
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    size_t pos = 0, s, e, next;
    int n = 0;
    alarm(60);
    while (mailbox_mbox_next(b, l, pos, 1, &st, &s, &e, &next)) {
        ck_assert_msg(next > pos || (pos == 0 && next > 0),
                      "no progress at %zu", pos);
        ck_assert_uint_le(e, next);
        if (msgs != NULL) {
            if (rd) {
                size_t ul;
                char *u = mailbox_mboxrd_unquote(b + s, e - s, &ul);
                g_ptr_array_add(msgs, g_bytes_new_take(u, ul));
            } else {
                g_ptr_array_add(msgs, g_bytes_new(b + s, e - s));
            }
        }
        pos = next;
        n++;
        ck_assert_int_lt(n, 100000);
    }
    alarm(0);
    ck_assert_uint_eq(pos, l); /* everything consumed */
    g_free(b);
    return n;
}

static int frame_corpus(const char *rel, int rd, GPtrArray *msgs)
{
    char *p = mbt_corpus(rel);
    int n = frame_file(p, rd, msgs);
    g_free(p);
    return n;
}

START_TEST(kb08_unescaped_from)
{
    GPtrArray *m =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    ck_assert_int_eq(
        frame_corpus("known-bugs/08-mbox-unescaped-from.mbox", 0, m), 2);
    gsize l;
    const char *first = g_bytes_get_data(g_ptr_array_index(m, 0), &l);
    /* message 1 is whole: the body line "From the hiring team's side" and
     * what follows it are in it */
    ck_assert(g_strstr_len(first, (gssize)l,
                           "\nFrom the hiring team's side, we'd like") != NULL);
    char *whole = g_strndup(first, l);
    ck_assert(g_str_has_suffix(whole, "Best,\nRecruiting\n"));
    g_free(whole);
    const char *second = g_bytes_get_data(g_ptr_array_index(m, 1), &l);
    ck_assert(g_str_has_prefix(second, "From: Recruiting Team"));
    g_ptr_array_unref(m);
}
END_TEST

START_TEST(kb09_mboxrd_unquoted)
{
    GPtrArray *m =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    ck_assert_int_eq(
        frame_corpus("known-bugs/09-mboxrd-escaped-from.mbox", 1, m), 1);
    char *p = mbt_corpus("known-bugs/09-mboxrd-escaped-from.expected.eml");
    gchar *exp = NULL;
    gsize el = 0;
    ck_assert(g_file_get_contents(p, &exp, &el, NULL));
    gsize l;
    const char *got = g_bytes_get_data(g_ptr_array_index(m, 0), &l);
    ck_assert_uint_eq(l, el);
    ck_assert(memcmp(got, exp, el) == 0);
    /* so the key is the one the .eml gives */
    char k1[65], k2[65], err[256], *j = NULL;
    ck_assert_int_eq(
        co_mail_to_json(got, l, NULL, NULL, &j, NULL, k1, err, sizeof err), 0);
    free(j);
    ck_assert_int_eq(
        co_mail_to_json(exp, el, NULL, NULL, &j, NULL, k2, err, sizeof err), 0);
    free(j);
    ck_assert_str_eq(k1, k2);
    g_free(exp);
    g_free(p);
    g_ptr_array_unref(m);
}
END_TEST

START_TEST(kb10_maildir_new_without_info)
{
    char *root = mbt_corpus("known-bugs/10-maildir-new-noinfo");
    GPtrArray *l = mailbox_maildir_list(root);
    ck_assert_int_eq(l->len, 4);
    const char *want[] = {
        "1741170001.M1P100.mailhost", "1741170002.M2P100.mailhost",
        "1741170003.M3P100.mailhost", "1741170004.M4P100.mailhost"};
    for (int i = 0; i < 4; i++)
        ck_assert_str_eq(((mailbox_file_t *)g_ptr_array_index(l, i))->key,
                         want[i]);
    g_ptr_array_unref(l);
    /* move new/ -> cur/ with flags: same keys */
    char *tmp = mbt_tmpdir();
    char *copy = g_build_filename(tmp, "md", NULL);
    mbt_copy_tree(root, copy);
    char *a = g_build_filename(copy, "new", "1741170001.M1P100.mailhost", NULL);
    char *b =
        g_build_filename(copy, "cur", "1741170001.M1P100.mailhost:2,RS", NULL);
    ck_assert_int_eq(g_rename(a, b), 0);
    l = mailbox_maildir_list(copy);
    ck_assert_int_eq(l->len, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_str_eq(((mailbox_file_t *)g_ptr_array_index(l, i))->key,
                         want[i]);
    g_ptr_array_unref(l);
    const char *names[] = {"123.M1P2.host:2,S", "123.M1P2.host!2,S",
                           "123.M1P2.host;2,S", "123.M1P2.host"};
    for (int i = 0; i < 4; i++) {
        char *k = mailbox_maildir_key(i == 0 ? ".Jobs" : "", names[i]);
        ck_assert_str_eq(k, i == 0 ? ".Jobs/123.M1P2.host" : "123.M1P2.host");
        g_free(k);
    }
    mbt_rm_rf(tmp);
    g_free(a);
    g_free(b);
    g_free(copy);
    g_free(tmp);
    g_free(root);
}
END_TEST

#define MK "mime-torture/mimekit/UnitTests/TestData/mbox/"

START_TEST(corpus_mbox_samples)
{
    /* separators "From - " (Thunderbird) at the start of lines not after a
     * blank line */
    ck_assert_int_eq(frame_corpus(MK "simple.mbox.txt", 0, NULL), 3);
    /* BOM, "From -", and "From Russia with love" body lines */
    ck_assert_int_eq(frame_corpus(MK "unmunged.mbox.txt", 0, NULL), 2);
    /* Gmail-like "From 1844347792267117879@xxx" without a date */
    ck_assert_int_eq(frame_corpus(MK "issue1189.mbox.txt", 0, NULL), 4);
    ck_assert_int_eq(
        frame_corpus("known-bugs/08-mbox-unescaped-from.mbox", 0, NULL), 2);
}
END_TEST

START_TEST(corpus_maildir_sample)
{
    char *root =
        mbt_corpus("mime-torture/stalwart-mail-parser/resources/maildir");
    char err[256] = "";
    ck_assert_int_eq(mailbox_detect(root, err, sizeof err), MAILBOX_MAILDIR);
    GPtrArray *l = mailbox_maildir_list(root);
    ck_assert_int_eq(l->len, 6);
    int nested = 0, sub = 0, top = 0;
    for (guint i = 0; i < l->len; i++) {
        mailbox_file_t *f = g_ptr_array_index(l, i);
        /* stalwart's names use ";2," (Dovecot on systems without ':') */
        ck_assert_msg(strstr(f->key, ":2,") == NULL &&
                          strstr(f->key, ";2,") == NULL,
                      "key %s keeps the info suffix", f->key);
        if (strcmp(f->folder, ".My Folder.Nested Folder") == 0)
            nested++;
        else if (strcmp(f->folder, ".My Folder") == 0)
            sub++;
        else if (f->folder[0] == '\0')
            top++;
    }
    ck_assert_int_eq(top, 2);
    ck_assert_int_eq(sub, 2);
    ck_assert_int_eq(nested, 2);
    g_ptr_array_unref(l);
    g_free(root);
}
END_TEST

START_TEST(spamassassin_782)
{
    char *tmp = mbt_tmpdir();
    char *mbox = g_build_filename(tmp, "spam.mbox", NULL);
    GPtrArray *exp =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    int with_from = 0;
    int n = mbt_build_spamassassin(mbox, exp, &with_from);
    printf("spamassassin: %d files, %d with an mbox From line, %d without\n", n,
           with_from, n - with_from);
    ck_assert_int_eq(n, 782);
    ck_assert_int_eq(with_from, 548);
    char err[256] = "";
    ck_assert_int_eq(mailbox_detect(mbox, err, sizeof err), MAILBOX_MBOXRD);
    GPtrArray *got =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    ck_assert_int_eq(frame_file(mbox, 1, got), 782);
    for (guint i = 0; i < 782; i++)
        ck_assert_msg(
            g_bytes_equal(g_ptr_array_index(got, i), g_ptr_array_index(exp, i)),
            "message %u differs from its file", i);
    g_ptr_array_unref(got);
    g_ptr_array_unref(exp);
    mbt_rm_rf(tmp);
    g_free(mbox);
    g_free(tmp);
}
END_TEST

/* trial 63: three messages written with no blank line between them are
 * read as one (a separator needs it: known-bugs/08), and counted so that
 * the reader says so; a body line "From ..." is not counted */
START_TEST(unblanked_separators_counted)
{
    const char *three = "From a@example.com Wed Mar  5 09:00:00 2025\n"
                        "Subject: one\n\nbody one\n"
                        "From b@example.com Wed Mar  5 10:00:00 2025\n"
                        "Subject: two\n\nbody two\n"
                        "From c@example.com Wed Mar  5 11:00:00 2025\n"
                        "Subject: three\n\nFrom the team, thanks\n";
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    size_t s, e, next;
    ck_assert_int_eq(
        mailbox_mbox_next(three, strlen(three), 0, 1, &st, &s, &e, &next), 1);
    ck_assert_uint_eq(next, strlen(three));
    ck_assert_uint_eq(st.unblanked, 2);
    memset(&st, 0, sizeof st);
    char *kb = mbt_corpus("known-bugs/08-mbox-unescaped-from.mbox");
    ck_assert_int_eq(frame_file(kb, 0, NULL), 2);
    g_free(kb);
}
END_TEST

/* trial 66: a separator followed by an escaped envelope line (">From ...",
 * a message saved with its own "From " line), or a stack of them (trial
 * 67), and then the header: each is a message of its own, in mboxo and
 * mboxrd, and its subject is read */
START_TEST(escaped_envelope_after_separator)
{
    const char *three = "From a@example.com Wed Mar  5 09:00:00 2025\n"
                        ">From a@example.com Wed Mar  5 09:00:00 2025\n"
                        "Subject: one\n\nbody one\n\n"
                        "From b@example.com Wed Mar  5 10:00:00 2025\n"
                        ">From b@example.com Wed Mar  5 10:00:00 2025\n"
                        ">>From b@example.com Wed Mar  5 08:00:00 2025\n"
                        "Subject: two\n\nbody two\n\n"
                        "From c@example.com Wed Mar  5 11:00:00 2025\n"
                        ">>From c@example.com Wed Mar  5 11:00:00 2025\n"
                        "Subject: three\n\n>From the team, thanks\n";
    char *tmp = mbt_tmpdir(), *path = mbt_path(tmp, "x.mbox");
    ck_assert(g_file_set_contents(path, three, -1, NULL));
    static const char *const subj[] = {"one", "two", "three"};
    for (int rd = 0; rd <= 1; rd++) {
        GPtrArray *m =
            g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        ck_assert_int_eq(frame_file(path, rd, m), 3);
        for (guint i = 0; i < 3; i++) {
            gsize l;
            const char *b = g_bytes_get_data(g_ptr_array_index(m, i), &l);
            char k[65], err[256], *j = NULL;
            ck_assert_int_eq(
                co_mail_to_json(b, l, NULL, NULL, &j, NULL, k, err, sizeof err),
                0);
            char *want = g_strdup_printf("\"subject\":\"%s\"", subj[i]);
            ck_assert_msg(strstr(j, want) != NULL, "rd %d msg %u: %s", rd, i,
                          j);
            g_free(want);
            free(j);
        }
        g_ptr_array_unref(m);
    }
    mbt_rm_rf(tmp);
    g_free(path);
    g_free(tmp);
}
END_TEST

START_TEST(follow_waits_for_separator)
{
    const char *one = "From a@example.com Wed Mar  5 09:00:00 2025\n"
                      "Subject: one\n\nbody one\n\n";
    const char *two = "From a@example.com Wed Mar  5 10:00:00 2025\n"
                      "Subject: two\n\nbody two\n";
    GString *b = g_string_new(one);
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    size_t s, e, next;
    /* growing file: the only message may still be written */
    ck_assert_int_eq(
        mailbox_mbox_next(b->str, b->len, 0, 0, &st, &s, &e, &next), 0);
    g_string_append(b, two);
    ck_assert_int_eq(
        mailbox_mbox_next(b->str, b->len, 0, 0, &st, &s, &e, &next), 1);
    ck_assert_uint_eq(next, strlen(one));
    ck_assert_int_eq((int)(e - s), (int)strlen("Subject: one\n\nbody one\n"));
    ck_assert_int_eq(
        mailbox_mbox_next(b->str, b->len, next, 0, &st, &s, &e, &next), 0);
    ck_assert_int_eq(
        mailbox_mbox_next(b->str, b->len, next, 1, &st, &s, &e, &next), 1);
    ck_assert_uint_eq(next, b->len);
    /* a separator whose header line has not arrived yet is not one */
    GString *c = g_string_new(one);
    g_string_append(c, "From a@example.com Wed Mar  5 10:00:00 2025\n");
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(
        mailbox_mbox_next(c->str, c->len, 0, 0, &st, &s, &e, &next), 0);
    g_string_free(b, TRUE);
    g_string_free(c, TRUE);
}
END_TEST

/* Empty entries (trial 11): one at the end of the file is an entry once
 * no more bytes will come (at_eof), and not before (it may still be
 * written); two in a row are two entries; every entry is framed once. */
START_TEST(empty_entries_framed)
{
    const char *one = "From a@example.com Wed Mar  5 09:00:00 2025\n"
                      "Subject: one\n\nbody one\n\n";
    const char *sep = "From b@example.com Wed Mar  5 10:00:00 2025\n";
    const char *tails[] = {"", "\n", "\n\n"};
    for (size_t t = 0; t < G_N_ELEMENTS(tails); t++) {
        char *m = g_strconcat(one, sep, tails[t], NULL);
        size_t len = strlen(m), s, e, next;
        mailbox_mbox_t st;
        memset(&st, 0, sizeof st);
        /* growing: "one" may go on, the "From " line may get headers */
        ck_assert_int_eq(mailbox_mbox_next(m, len, 0, 0, &st, &s, &e, &next),
                         0);
        ck_assert_int_eq(mailbox_mbox_next(m, len, 0, 1, &st, &s, &e, &next),
                         1);
        ck_assert_uint_eq(next, strlen(one));
        ck_assert_int_eq((int)(e - s),
                         (int)strlen("Subject: one\n\nbody one\n"));
        ck_assert_int_eq(mailbox_mbox_next(m, len, next, 1, &st, &s, &e, &next),
                         1);
        ck_assert_uint_eq(next, len);
        ck_assert_uint_eq(s, strlen(one) + strlen(sep));
        for (size_t i = s; i < e; i++)
            ck_assert_msg(m[i] == '\n', "tail %zu: not empty", t);
        ck_assert_int_eq(mailbox_mbox_next(m, len, next, 1, &st, &s, &e, &next),
                         0);
        g_free(m);
    }
    /* two empty entries between two messages: four entries */
    char *m = g_strconcat(one, sep, "\n", sep, "\n", one, NULL);
    size_t len = strlen(m), pos = 0, s, e, next;
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    size_t lens[4];
    int n = 0;
    while (n < 5 && mailbox_mbox_next(m, len, pos, 1, &st, &s, &e, &next)) {
        lens[n < 4 ? n : 3] = e - s;
        pos = next;
        n++;
    }
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(pos, len);
    ck_assert_uint_gt(lens[0], 10);
    ck_assert_uint_le(lens[1], 1);
    ck_assert_uint_le(lens[2], 1);
    ck_assert_uint_gt(lens[3], 10);
    g_free(m);
}
END_TEST

/* Trial 72: a separator after a blank line with binary data (NUL, C0
 * controls) where its header should be is an entry of its own (then an
 * empty entry, then a message): 4 entries, message 1 without the garbage.
 * The same separator with a line of text after it stays a body line (an
 * unescaped body line cannot be told from an entry without its header),
 * counted in st.headless; a CRLF mbox and ISO-2022-JP's ESC the same. */
START_TEST(damaged_entry_framed)
{
    static const char bad[] =
        "From alice@x.example Mon Jan  1 00:00:00 2026\n"
        "From: HR <hr@one.example>\nSubject: one\n\nbody one\n\n"
        "From bob@x.example Mon Jan  1 00:00:00 2026\n"
        "\0\001garbage without headers \377\376\n\n"
        "From carol@x.example Mon Jan  1 00:00:00 2026\n\n\n"
        "From alice@x.example Mon Jan  1 00:00:00 2026\n"
        "From: HR <hr@two.example>\nSubject: two\n\nbody two\n";
    size_t len = sizeof bad - 1, pos = 0, s, e, next, at[5];
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    int n = 0;
    while (n < 5 && mailbox_mbox_next(bad, len, pos, 1, &st, &s, &e, &next)) {
        at[n++] = s;
        if (n == 1)
            ck_assert_msg(memchr(bad + s, '\0', e - s) == NULL &&
                              e - s == strlen("From: HR <hr@one.example>\n"
                                              "Subject: one\n\nbody one\n"),
                          "message 1: %zu bytes", e - s);
        if (n == 2) {
            ck_assert_int_eq(bad[s], '\0');
            char k[65], err[256] = "", *j = NULL;
            ck_assert_int_eq(co_mail_to_json(bad + s, e - s, NULL, NULL, &j,
                                             NULL, k, err, sizeof err),
                             CO_ERR_INVAL);
            ck_assert_msg(strstr(err, "no header fields"), "%s", err);
        }
        pos = next;
    }
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(pos, len);
    ck_assert_uint_eq(st.headless, 0);
    ck_assert(memcmp(bad + at[3], "From: HR <hr@two", 16) == 0);

    /* a line of text after it: part of the message, counted */
    const char *text[] = {"From alice@x.example Mon Jan  1 00:00:00 2026\n"
                          "Subject: one\n\nThe log said:\n\n"
                          "From bob@x.example Mon Jan  1 00:00:00 2026\n"
                          "delivered to the wrong folder\n",
                          "From alice@x.example Mon Jan  1 00:00:00 2026\r\n"
                          "Subject: one\r\n\r\nThe log said:\r\n\r\n"
                          "From bob@x.example Mon Jan  1 00:00:00 2026\r\n"
                          "\033$B$3$s$K$A$O\033(B\r\n"};
    for (size_t t = 0; t < G_N_ELEMENTS(text); t++) {
        memset(&st, 0, sizeof st);
        size_t l = strlen(text[t]);
        ck_assert_int_eq(
            mailbox_mbox_next(text[t], l, 0, 1, &st, &s, &e, &next), 1);
        ck_assert_uint_eq(next, l);
        ck_assert_uint_eq(st.headless, 1);
    }
    /* CRLF with binary data: an entry of its own */
    static const char crlf[] =
        "From alice@x.example Mon Jan  1 00:00:00 2026\r\n"
        "Subject: one\r\n\r\nbody\r\n\r\n"
        "From bob@x.example Mon Jan  1 00:00:00 2026\r\n\002\003\r\n";
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(
        mailbox_mbox_next(crlf, sizeof crlf - 1, 0, 1, &st, &s, &e, &next), 1);
    ck_assert_uint_lt(next, sizeof crlf - 1);
    ck_assert_int_eq(
        mailbox_mbox_next(crlf, sizeof crlf - 1, next, 1, &st, &s, &e, &next),
        1);
    ck_assert_uint_eq(next, sizeof crlf - 1);
}
END_TEST

START_TEST(crlf_mbox)
{
    const char *m = "From a@example.com Wed Mar  5 09:00:00 2025\r\n"
                    "Subject: one\r\n\r\nbody\r\n\r\n"
                    "From a@example.com Wed Mar  5 10:00:00 2025\r\n"
                    "Subject: two\r\n\r\nbody\r\n\r\n";
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    size_t s, e, next;
    ck_assert_int_eq(mailbox_mbox_next(m, strlen(m), 0, 1, &st, &s, &e, &next),
                     1);
    ck_assert_int_eq((int)(e - s), (int)strlen("Subject: one\r\n\r\nbody\r\n"));
    ck_assert_int_eq(
        mailbox_mbox_next(m, strlen(m), next, 1, &st, &s, &e, &next), 1);
    ck_assert_uint_eq(next, strlen(m));
}
END_TEST

static const struct {
    const char *line;
    int strict;
} strict_lines[] = {
    {"From jobs@example.com Wed Mar  5 09:00:00 2025", 1},
    {"From fork-admin@xent.com  Tue Aug 20 22:30:46 2002", 1},
    {"From 1844347792267117879@xxx Fri Sep 26 17:18:40 +0000 2025", 1},
    {"From MAILER-DAEMON Thu Jan  1 00:00:00 1970", 1},
    {"From a@b Mar 5 09:00 2025", 1},
    {"From the hiring team's side, we'd like to schedule a call.", 0},
    {"From Russia with love", 0},
    {"From - ", 0},
    {"From 1844347792267117879@xxx", 0},
    {"From a@b Wed Mar  5 2025", 0},
};

START_TEST(strict_separator_lines)
{
    const char *l = strict_lines[_i].line;
    ck_assert_msg(mailbox_mbox_strict_line(l, strlen(l)) ==
                      strict_lines[_i].strict,
                  "%s", l);
}
END_TEST

START_TEST(mboxrd_unquote_levels)
{
    const char *in = ">From a\n>>From b\nFrom c\n> From d\n>Fromage\n";
    size_t n;
    char *o = mailbox_mboxrd_unquote(in, strlen(in), &n);
    ck_assert_str_eq(o, "From a\n>From b\nFrom c\n> From d\n>Fromage\n");
    g_free(o);
}
END_TEST

START_TEST(positions_roundtrip)
{
    /* a position of an older version: an offset and no fingerprint */
    const char *old = "{\"format\":\"mboxrd\",\"offset\":12345}";
    mailbox_pos_t pos;
    char err[256];
    ck_assert_int_eq(mailbox_position_decode(old, strlen(old), MAILBOX_MBOX,
                                             &pos, NULL, err, sizeof err),
                     0);
    ck_assert_uint_eq(pos.offset, 12345);
    ck_assert_int_eq(pos.mark.set, 0);
    ck_assert_ptr_null(pos.path);
    ck_assert_int_eq(mailbox_position_decode(old, strlen(old), MAILBOX_MAILDIR,
                                             &pos, NULL, err, sizeof err),
                     -1);
    ck_assert(strstr(err, "mboxrd") != NULL);
    /* this version: the path and the bytes before the offset */
    const char *text = "From a@b Wed Mar  5 09:00:00 2025\nSubject: x\n\nhi\n";
    mailbox_mark_t mk;
    mailbox_mark_take(&mk, text, strlen(text), strlen(text));
    char *p = mailbox_position_encode(MAILBOX_MBOXRD, "/m/in.mbox",
                                      strlen(text), &mk, NULL);
    ck_assert_msg(g_str_has_prefix(p, "{\"format\":\"mboxrd\",\"path\":\"/m/"
                                      "in.mbox\",\"offset\":49,\"bytes\":{"
                                      "\"end\":49,\"first_sha256\":\""),
                  "%s", p);
    ck_assert_int_eq(mailbox_position_decode(p, strlen(p), MAILBOX_MBOXRD, &pos,
                                             NULL, err, sizeof err),
                     0);
    ck_assert_str_eq(pos.path, "/m/in.mbox");
    ck_assert_uint_eq(pos.offset, 49);
    ck_assert(pos.mark.set && pos.mark.end == 49 &&
              memcmp(pos.mark.first, mk.first, 32) == 0 &&
              memcmp(pos.mark.last, mk.last, 32) == 0);
    g_free(pos.path);
    g_free(p);
    const char *bad = "{\"format\":\"mbox\",\"offset\":3,\"bytes\":{\"end\":3,"
                      "\"first_sha256\":\"zz\"}}";
    ck_assert_int_eq(mailbox_position_decode(bad, strlen(bad), MAILBOX_MBOX,
                                             &pos, NULL, err, sizeof err),
                     -1);
    ck_assert(strstr(err, "fingerprint") != NULL);
    /* Maildir: keys only; .eml: keys and the content of each file */
    GHashTable *seen =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_insert(seen, g_strdup("b"), NULL);
    g_hash_table_insert(seen, g_strdup(".Jobs/a"), NULL);
    p = mailbox_position_encode(MAILBOX_MAILDIR, NULL, 0, NULL, seen);
    ck_assert_str_eq(p,
                     "{\"format\":\"maildir\",\"seen\":[\".Jobs/a\",\"b\"]}");
    GHashTable *back =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ck_assert_int_eq(mailbox_position_decode(p, strlen(p), MAILBOX_MAILDIR,
                                             &pos, back, err, sizeof err),
                     0);
    ck_assert_int_eq(g_hash_table_size(back), 2);
    ck_assert(g_hash_table_contains(back, ".Jobs/a"));
    ck_assert_int_eq(pos.content_sha256, 0);
    ck_assert_int_eq(mailbox_position_decode("nope", 4, MAILBOX_MAILDIR, &pos,
                                             back, err, sizeof err),
                     -1);
    g_free(p);
    char hex[33];
    mailbox_content_sha256("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"); /* FIPS 180 */
    g_hash_table_remove_all(seen);
    g_hash_table_insert(seen, g_strdup("x/1.eml"), g_strdup(hex));
    p = mailbox_position_encode(MAILBOX_EML, "/m/eml", 0, NULL, seen);
    ck_assert_str_eq(p, "{\"format\":\"eml\",\"path\":\"/m/eml\",\"seen\":["
                        "\"x/1.eml\"],\"content_sha256\":{\"x/1.eml\":"
                        "\"ba7816bf8f01cfea414140de5dae2223\"}}");
    g_hash_table_remove_all(back);
    ck_assert_int_eq(mailbox_position_decode(p, strlen(p), MAILBOX_EML, &pos,
                                             back, err, sizeof err),
                     0);
    ck_assert_int_eq(pos.content_sha256, 1);
    ck_assert_str_eq(g_hash_table_lookup(back, "x/1.eml"), hex);
    g_free(pos.path);
    g_free(p);
    g_hash_table_destroy(seen);
    g_hash_table_destroy(back);
}
END_TEST

/* Messages [from, to) of a test mbox (bodies of different lengths). */
static GString *mark_mbox(int from, int to, int body_lines)
{
    GString *s = g_string_new(NULL);
    for (int i = from; i < to; i++) {
        g_string_append_printf(s,
                               "From r@acme.example Wed Mar  5 09:00:00 2025\n"
                               "From: r@acme.example\nSubject: %d\n\n",
                               i);
        for (int l = 0; l < body_lines + i % 5; l++)
            g_string_append_printf(s, "line %d of message %d\n", l, i);
        g_string_append_c(s, '\n');
    }
    return s;
}

/* The mark of a position: kept when the file only grew, refused with the
 * reason when the bytes before the offset changed (also beyond the 4 KiB
 * window: the first bytes), and a rewound offset must be a message start. */
START_TEST(position_mark_checks)
{
    GString *a = mark_mbox(0, 300, 3);
    size_t off = a->len;
    ck_assert_uint_gt(off, 2 * MAILBOX_MARK_WINDOW);
    mailbox_mark_t mk;
    mailbox_mark_take(&mk, a->str, a->len, 0);
    ck_assert_int_eq(mk.set, 0);
    mailbox_mark_take(&mk, a->str, a->len, off);
    ck_assert_int_eq(mk.set, 1);
    char why[256];
    GString *grown = mark_mbox(0, 310, 3);
    ck_assert_int_eq(
        mailbox_mark_check(&mk, off, grown->str, grown->len, why, sizeof why),
        1);
    ck_assert(mailbox_mbox_boundary(grown->str, grown->len, off));
    ck_assert(!mailbox_mbox_boundary(grown->str, grown->len, off + 3));
    /* rewound to the start of message 100 (scripts/source_rewind.py) */
    const char *m100 = strstr(a->str, "Subject: 100\n");
    size_t at =
        (size_t)(g_strrstr_len(a->str, m100 - a->str, "\nFrom ") - a->str) +
        1; /* its "From " line */
    ck_assert_int_eq(
        mailbox_mark_check(&mk, at, grown->str, grown->len, why, sizeof why),
        1);
    ck_assert_int_eq(mailbox_mark_check(&mk, at + 1, grown->str, grown->len,
                                        why, sizeof why),
                     0);
    ck_assert_msg(strstr(why, "not the start of a message") != NULL, "%s", why);
    /* the first 10 dropped, more appended: larger, other bytes there */
    GString *rw = mark_mbox(10, 330, 3);
    ck_assert_uint_gt(rw->len, off);
    ck_assert_int_eq(
        mailbox_mark_check(&mk, off, rw->str, rw->len, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "first 4096 bytes") != NULL, "%s", why);
    /* the first bytes the same, a message changed in the middle */
    GString *mid = mark_mbox(0, 310, 3);
    char *x = strstr(mid->str, "Subject: 150\n");
    memcpy(x, "Subject: 15 \n", 13);
    g_string_insert(mid, x - mid->str, "X-Flag: 1\n");
    ck_assert_int_eq(
        mailbox_mark_check(&mk, off, mid->str, mid->len, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "bytes before byte") != NULL, "%s", why);
    /* shorter */
    ck_assert_int_eq(
        mailbox_mark_check(&mk, off, a->str, off - 1, why, sizeof why), 0);
    ck_assert_msg(strstr(why, "fewer than") != NULL, "%s", why);
    g_string_free(a, TRUE);
    g_string_free(grown, TRUE);
    g_string_free(rw, TRUE);
    g_string_free(mid, TRUE);
}
END_TEST

START_TEST(formats_and_detection)
{
    mailbox_format_t f;
    ck_assert_int_eq(mailbox_format_parse("MBOXRD", &f), 0);
    ck_assert_int_eq(f, MAILBOX_MBOXRD);
    ck_assert_int_eq(mailbox_format_parse("mboxo", &f), 0);
    ck_assert_int_eq(f, MAILBOX_MBOX);
    ck_assert_int_eq(mailbox_format_parse("pst", &f), -1);
    /* an empty string is a mistake in the manifest, not "auto" */
    ck_assert_int_eq(mailbox_format_parse("", &f), -1);
    ck_assert_int_eq(mailbox_format_parse(NULL, &f), 0);
    ck_assert_int_eq(f, MAILBOX_AUTO);
    char err[256] = "";
    ck_assert_int_eq(mailbox_detect("/nonexistent/x.mbox", err, sizeof err),
                     MAILBOX_AUTO);
    ck_assert(strstr(err, "No such file") != NULL);
    char *p = mbt_corpus("known-bugs/01-rfc2047-adjacent-b-words.eml");
    ck_assert_int_eq(mailbox_detect(p, err, sizeof err), MAILBOX_EML);
    g_free(p);
    p = mbt_corpus(MK "unmunged.mbox.txt"); /* BOM then "From -" */
    ck_assert_int_eq(mailbox_detect(p, err, sizeof err), MAILBOX_MBOXRD);
    g_free(p);
    p = mbt_corpus("known-bugs");
    ck_assert_int_eq(mailbox_detect(p, err, sizeof err), MAILBOX_EML);
    GPtrArray *l = mailbox_eml_list(p);
    ck_assert_int_eq(l->len, 5); /* 01 03 06 09.expected 11.expected */
    g_ptr_array_unref(l);
    g_free(p);
    /* an empty file: an empty mailbox, but an empty message when named
     * .eml (trial 48), dead-lettered as in a folder */
    char *tmp = mbt_tmpdir();
    char *e = g_build_filename(tmp, "x.EML", NULL);
    char *m = g_build_filename(tmp, "inbox", NULL);
    ck_assert(g_file_set_contents(e, "", 0, NULL));
    ck_assert(g_file_set_contents(m, "", 0, NULL));
    ck_assert_int_eq(mailbox_detect(e, err, sizeof err), MAILBOX_EML);
    ck_assert(g_file_set_contents(e, "\n \r\n", 4, NULL)); /* blank only */
    ck_assert_int_eq(mailbox_detect(e, err, sizeof err), MAILBOX_EML);
    ck_assert_int_eq(mailbox_detect(m, err, sizeof err), MAILBOX_MBOXRD);
    /* blank lines only, not named .eml: an empty mailbox too (trial 76:
     * "not mail" where the same bytes as .eml were an empty message) */
    ck_assert(g_file_set_contents(m, "\n\r\n\n", 4, NULL));
    ck_assert_int_eq(mailbox_detect(m, err, sizeof err), MAILBOX_MBOXRD);
    mbt_rm_rf(tmp);
    g_free(e);
    g_free(m);
    g_free(tmp);
}
END_TEST

/* Trial 5, defects 5 and 16: a pipe or a device is refused at once (never
 * opened, so nothing blocks), with the fix; a file that is not mail (1 MB
 * of random bytes, plain text) is refused before anything reads it. */
START_TEST(detect_refuses_streams_and_non_mail)
{
    char err[512] = "";
    char *tmp = mbt_tmpdir();
    char *fifo = g_build_filename(tmp, "stream", NULL);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(mailbox_detect(fifo, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "is a pipe (FIFO), not a regular file") &&
                      strstr(err, "save the stream to a file first"),
                  "%s", err);
    ck_assert_int_eq(mailbox_detect("/dev/zero", err, sizeof err),
                     MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "/dev/zero is a character device"), "%s", err);

    char *bin = g_build_filename(tmp, "big.bin", NULL);
    GRand *r = g_rand_new_with_seed(5);
    size_t n = 1 << 20;
    guint32 *buf = g_malloc(n);
    for (size_t i = 0; i < n / 4; i++)
        buf[i] = g_rand_int(r);
    buf[0] |= 0x01010101u; /* no help from a NUL at the very start */
    ck_assert(g_file_set_contents(bin, (const char *)buf, (gssize)n, NULL));
    ck_assert_int_eq(mailbox_detect(bin, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "is not mail") != NULL, "%s", err);

    char *txt = g_build_filename(tmp, "notes.txt", NULL);
    ck_assert(
        g_file_set_contents(txt, "just some notes\nno headers\n", -1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "neither an mbox \"From \" line nor RFC 5322"),
                  "%s", err);
    /* a message after blank lines, and one with CRLF, stay .eml */
    ck_assert(
        g_file_set_contents(txt, "\r\nSubject : hi\r\n\r\nbody\r\n", -1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_EML);
    /* trial 72: a message with a NUL byte in a field or in its body is
     * read, as it is in a folder (it was "not mail ... binary data") */
    static const char nul[] = "From: HR <hr@nul.example>\nSubject: Offer\0 "
                              "letter\n\nWe offer\0 you the role.\n";
    ck_assert(g_file_set_contents(txt, nul, sizeof nul - 1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_EML);
    /* trial 74: NULs before the header fields, the same */
    static const char lead[] = "\0\0\0From: HR <hr@nul.example>\n"
                               "Subject: Offer\n\nWe offer you the role.\n";
    ck_assert(g_file_set_contents(txt, lead, sizeof lead - 1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_EML);
    /* trial 75: more NULs than the detection window (4 KiB) the same; a
     * file of NULs only, or of NULs then no mail, says how many */
    GString *pad = g_string_new(NULL);
    g_string_set_size(pad, 9000);
    memset(pad->str, 0, pad->len);
    ck_assert(g_file_set_contents(txt, pad->str, (gssize)pad->len, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "holds 9000 NUL bytes and nothing else"), "%s",
                  err);
    g_string_append(pad, "just notes\n");
    ck_assert(g_file_set_contents(txt, pad->str, (gssize)pad->len, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "it starts after 9000 NUL bytes with neither"),
                  "%s", err);
    g_string_truncate(pad, 9000);
    g_string_append_len(pad, lead + 3, sizeof lead - 4);
    ck_assert(g_file_set_contents(txt, pad->str, (gssize)pad->len, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_EML);
    g_string_free(pad, TRUE);
    /* trial 77: blank lines before an mbox's first separator; NULs before
     * it: refused saying so in an mbox, one message in an .eml */
    static const char pre[] = "\0\n\nFrom x@y.example Mon Jan  5 10:00:00 "
                              "2026\nSubject: hi\n\nb\n";
    char *mb = g_build_filename(tmp, "pre.mbox", NULL);
    ck_assert(g_file_set_contents(mb, pre + 1, sizeof pre - 2, NULL));
    ck_assert_int_eq(mailbox_detect(mb, err, sizeof err), MAILBOX_MBOXRD);
    ck_assert(g_file_set_contents(mb, pre, sizeof pre - 1, NULL));
    ck_assert_int_eq(mailbox_detect(mb, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "starts with 1 NUL bytes before its mbox"), "%s",
                  err);
    char *me = g_build_filename(tmp, "pre.eml", NULL);
    ck_assert(g_file_set_contents(me, pre, sizeof pre - 1, NULL));
    ck_assert_int_eq(mailbox_detect(me, err, sizeof err), MAILBOX_EML);
    g_free(mb);
    g_free(me);
    /* trial 53: "name:value" lines with no field a message has (a copy of
     * /etc/passwd) are no message; a header block of unknown fields longer
     * than what detection reads is still taken as one */
    ck_assert(g_file_set_contents(
        txt, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n", -1,
        NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "is not mail") != NULL, "%s", err);
    GString *big = g_string_new("");
    while (big->len < 6000)
        g_string_append(big, "Odd-Field: value\n");
    ck_assert(g_file_set_contents(txt, big->str, (gssize)big->len, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_EML);
    g_string_free(big, TRUE);
    ck_assert(g_file_set_contents(txt, "Odd: 1\nFrom: a@b.example\n\nbody\n",
                                  -1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_EML);
    /* a packed mailbox says what it is and how to unpack it */
    ck_assert(g_file_set_contents(txt, "\x1f\x8b\x08\0\0\0", 6, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "is not mail but a gzip file: unpack it first "
                              "(gunzip FILE)"),
                  "%s", err);
    ck_assert(g_file_set_contents(txt, "PK\x03\x04\x14\0", 6, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "zip archive: unpack it first (unzip FILE)"),
                  "%s", err);
    /* a letter that starts "From the desk of" is no mbox (note 29);
     * Thunderbird's "From - " line with header fields after it is */
    ck_assert(g_file_set_contents(
        txt, "From the desk of Dana Holt\nDear Jordan,\n", -1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "its first line \"From the desk of Dana Holt\" "
                              "is neither an mbox separator"),
                  "%s", err);
    ck_assert(g_file_set_contents(txt,
                                  "From - Wed Mar 5 09:00:00 2025\n"
                                  "X-Mozilla-Status: 0001\nSubject: hi\n\nb\n",
                                  -1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_MBOXRD);
    ck_assert(g_file_set_contents(txt, "From x@y.example\nSubject: hi\n\nb\n",
                                  -1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_MBOXRD);
    /* UTF-16 text, with and without a byte order mark: how to convert it */
    static const char u16le[] = "\xff\xfe"
                                "F\0r\0o\0m\0 \0a\0";
    static const char u16be[] = "\0F\0r\0o\0m\0 \0a\0@\0b";
    ck_assert(g_file_set_contents(txt, u16le, sizeof u16le - 1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "is UTF-16LE text, not mail") &&
                      strstr(err, "iconv -f UTF-16LE -t UTF-8"),
                  "%s", err);
    ck_assert(g_file_set_contents(txt, u16be, sizeof u16be - 1, NULL));
    ck_assert_int_eq(mailbox_detect(txt, err, sizeof err), MAILBOX_AUTO);
    ck_assert_msg(strstr(err, "is UTF-16BE text, not mail"), "%s", err);
    g_rand_free(r);
    g_free(buf);
    mbt_rm_rf(tmp);
    g_free(fifo);
    g_free(bin);
    g_free(txt);
    g_free(tmp);
}
END_TEST

/* Make root, each folder of dirs[] under it, and a message in each file
 * of files[]. */
static void mk_tree(const char *root, const char *const *dirs, size_t nd,
                    const char *const *files, size_t nf)
{
    ck_assert_int_eq(g_mkdir_with_parents(root, 0700), 0);
    for (size_t i = 0; i < nd; i++) {
        char *p = mbt_path(root, dirs[i]);
        ck_assert_int_eq(g_mkdir_with_parents(p, 0700), 0);
        g_free(p);
    }
    for (size_t i = 0; i < nf; i++) {
        char *p = mbt_path(root, files[i]);
        mbt_write_msg(p, files[i]);
        g_free(p);
    }
}

/* The keys of a listing joined with ' '. g_free it. */
static char *keys_of(GPtrArray *l)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < l->len; i++)
        g_string_append_printf(
            s, "%s%s", i ? " " : "",
            ((mailbox_file_t *)g_ptr_array_index(l, i))->key);
    return g_string_free(s, FALSE);
}

/* The entries a listing names, "path: why" lines (paths relative to
 * root). g_free it. */
static char *said_of(const mailbox_skips_t *k, const char *root)
{
    GString *s = g_string_new(NULL);
    size_t rl = strlen(root) + 1;
    for (guint i = 0; k->said != NULL && i < k->said->len; i++) {
        const mailbox_skip_t *e = g_ptr_array_index(k->said, i);
        g_string_append_printf(s, "%s: %s\n", e->path + rl, e->why);
    }
    return g_string_free(s, FALSE);
}

/* List root (a Maildir, or an .eml folder) and check the keys found (joined
 * with ' ') and the entries named ("path: why" lines, relative to root);
 * returns the counts of what was passed over. */
static mailbox_skips_t list_check(const char *root, int maildir,
                                  const char *keys, const char *said)
{
    mailbox_skips_t k = {0};
    GPtrArray *l = maildir ? mailbox_maildir_list_counted(root, &k)
                           : mailbox_eml_list_counted(root, &k);
    char *got = keys_of(l), *named = said_of(&k, root);
    ck_assert_str_eq(got, keys);
    ck_assert_str_eq(named, said);
    g_free(got);
    g_free(named);
    g_ptr_array_unref(l);
    mailbox_skips_t counts = k;
    counts.said = NULL;
    mailbox_skips_clear(&k);
    ck_assert_ptr_null(k.said);
    return counts;
}

/* Trial: `ln -s . odd/self` in an .eml folder read every message 9 times.
 * Each folder is read once (by device and inode), real folders first, so
 * a loop, a second link to a folder and a link inside a linked folder add
 * nothing; a link to a folder outside is followed, but not one to a folder
 * that holds the top one (trial 66: it read the mail around it); each link
 * not followed is named. */
START_TEST(eml_list_symlink_loops_read_once)
{
    char *tmp = mbt_tmpdir();
    char *odd = mbt_path(tmp, "odd"), *out = mbt_path(tmp, "elsewhere");
    const char *dirs[] = {"sub"}, *files[] = {"a.eml", "b.eml", "sub/c.eml"};
    const char *outside[] = {"d.eml"};
    mk_tree(odd, dirs, 1, files, G_N_ELEMENTS(files));
    mk_tree(out, dirs, 0, outside, 1);
    const char *links[][2] = {{".", "self"},      /* the trial's loop */
                              {"sub", "again"},   /* a second way in */
                              {"..", "sub/up"},   /* back up: a loop */
                              {tmp, "above"},     /* holds the top: not read */
                              {out, "external"}}; /* outside: followed */
    for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
        char *l = mbt_path(odd, links[i][1]);
        ck_assert_int_eq(symlink(links[i][0], l), 0);
        g_free(l);
    }
    char *ext = mbt_path(out, "back"); /* from outside back in */
    ck_assert_int_eq(symlink(odd, ext), 0);
    list_check(odd, 0, "a.eml b.eml external/d.eml sub/c.eml",
               "above: a symlink to a folder that holds the top folder: not "
               "read (it would read the mail around the mailbox; link the "
               "folder you mean instead)\n"
               "again: a symlink to the folder sub, read already: not read "
               "twice (a loop, or a second way in)\n"
               "self: a symlink to the top folder, read already: not read "
               "twice (a loop, or a second way in)\n"
               "sub/up: a symlink to the top folder, read already: not read "
               "twice (a loop, or a second way in)\n"
               "external/back: a symlink to the top folder, read already: "
               "not read twice (a loop, or a second way in)\n");
    mbt_rm_rf(tmp);
    g_free(ext);
    g_free(out);
    g_free(odd);
    g_free(tmp);
}
END_TEST

/* The same in a Maildir++ tree: `ln -s . .Loop` (it has cur/ and new/, so
 * it looks like a sub-folder) and a second link to .Jobs list nothing
 * twice. */
START_TEST(maildir_list_symlink_loops_read_once)
{
    char *tmp = mbt_tmpdir();
    char *md = mbt_path(tmp, "md");
    const char *dirs[] = {"cur", "new", "tmp", ".Jobs/cur", ".Jobs/new"};
    const char *files[] = {"cur/1.m:2,S", "new/2.m", ".Jobs/cur/3.m:2,"};
    mk_tree(md, dirs, G_N_ELEMENTS(dirs), files, G_N_ELEMENTS(files));
    char *loop = mbt_path(md, ".Loop"), *again = mbt_path(md, ".Again");
    ck_assert_int_eq(symlink(".", loop), 0);
    ck_assert_int_eq(symlink(".Jobs", again), 0);
    list_check(md, 1, ".Jobs/3.m 1.m 2.m",
               ".Again: a symlink to the folder .Jobs, read already: "
               "not read twice (a loop, or a second way in)\n"
               ".Loop: a symlink to the top folder, read already: not "
               "read twice (a loop, or a second way in)\n");
    /* the plain listing is the same */
    GPtrArray *l = mailbox_maildir_list(md);
    ck_assert_uint_eq(l->len, 3);
    g_ptr_array_unref(l);
    /* trial 67: cur/ (or a sub-folder's new/) a link to a folder that holds
     * the Maildir read the files around it; named, not read */
    char *md2 = mbt_path(tmp, "md2");
    const char *dirs2[] = {"new", ".Jobs/cur"};
    const char *files2[] = {"new/4.m", ".Jobs/cur/5.m:2,"};
    mk_tree(md2, dirs2, G_N_ELEMENTS(dirs2), files2, G_N_ELEMENTS(files2));
    char *around = mbt_path(tmp, "around.txt");
    ck_assert(g_file_set_contents(around, "x", 1, NULL));
    g_free(around);
    char *cur2 = mbt_path(md2, "cur"), *jn = mbt_path(md2, ".Jobs/new");
    ck_assert_int_eq(symlink("..", cur2), 0);
    ck_assert_int_eq(symlink("/", jn), 0);
    list_check(md2, 1, ".Jobs/5.m 4.m",
               "cur: a symlink to a folder that holds the top folder: not "
               "read (it would read the mail around the mailbox; link the "
               "folder you mean instead)\n"
               ".Jobs/new: a symlink to a folder that holds the top folder: "
               "not read (it would read the mail around the mailbox; link "
               "the folder you mean instead)\n");
    mbt_rm_rf(tmp);
    g_free(cur2);
    g_free(jn);
    g_free(md2);
    g_free(loop);
    g_free(again);
    g_free(md);
    g_free(tmp);
}
END_TEST

/* Trial: a FIFO, a dangling symlink, a symlink loop and a link to
 * /dev/zero named *.eml were passed over without a word when another
 * message was read. Each is named with why, none is opened (a FIFO would
 * block); in a Maildir anything in cur/ or new/ that is not a message
 * file is named too. A file not named .eml is only counted. */
START_TEST(listings_name_what_they_skip)
{
    char *tmp = mbt_tmpdir();
    char *sk = mbt_path(tmp, "sk"), *md = mbt_path(tmp, "md");
    const char *eml[] = {"a.eml"};
    mk_tree(sk, eml, 0, eml, 1);
    char *p = mbt_path(sk, "pipe.eml");
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    g_free(p);
    p = mbt_path(sk, "other.fifo"); /* not named .eml: counted only */
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    g_free(p);
    const char *links[][2] = {{"/nonexistent/x.eml", "gone.eml"},
                              {"loop.eml", "loop.eml"},
                              {"/dev/zero", "zero.eml"}};
    for (size_t i = 0; i < G_N_ELEMENTS(links); i++) {
        p = mbt_path(sk, links[i][1]);
        ck_assert_int_eq(symlink(links[i][0], p), 0);
        g_free(p);
    }
    alarm(30); /* a FIFO opened would block: fail, do not hang */
    mailbox_skips_t k =
        list_check(sk, 0, "a.eml",
                   "gone.eml: a symlink to nothing (/nonexistent/x.eml "
                   "does not exist)\n"
                   "loop.eml: a symlink loop (loop.eml: Too many levels of "
                   "symbolic links)\n"
                   "pipe.eml: a pipe (FIFO), not a regular file\n"
                   "zero.eml: a symlink to a character device (/dev/zero), "
                   "not a regular file\n");
    ck_assert_uint_eq(k.not_regular, 5);

    const char *dirs[] = {"cur", "new", "cur/folder:2,S"}, *one[] = {"cur/1.m"};
    mk_tree(md, dirs, G_N_ELEMENTS(dirs), one, 1);
    p = mbt_path(md, "new", "2.fifo");
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    g_free(p);
    p = mbt_path(md, "new", "3.gone");
    ck_assert_int_eq(symlink("nowhere", p), 0);
    g_free(p);
    k = list_check(md, 1, "1.m",
                   "new/2.fifo: a pipe (FIFO), not a regular file\n"
                   "new/3.gone: a symlink to nothing (nowhere does "
                   "not exist)\n"
                   "cur/folder:2,S: a folder, not a message file\n");
    ck_assert_uint_eq(k.not_regular, 3);
    alarm(0);
    mbt_rm_rf(tmp);
    g_free(sk);
    g_free(md);
    g_free(tmp);
}
END_TEST

/* A folder the user cannot read is named, not passed over in silence
 * (root reads every folder: checked only as another user). */
START_TEST(listings_name_unreadable_folders)
{
    if (geteuid() == 0)
        return; /* root reads mode 000: tests/.../mailbox_unreadable.sh */
    char *tmp = mbt_tmpdir();
    char *locked = mbt_path(tmp, "locked");
    g_mkdir_with_parents(locked, 0700);
    char *p = mbt_path(tmp, "a.eml");
    mbt_write_msg(p, "a");
    ck_assert_int_eq(chmod(locked, 0), 0);
    mailbox_skips_t k = {0};
    GPtrArray *l = mailbox_eml_list_counted(tmp, &k);
    char *said = said_of(&k, tmp);
    ck_assert_uint_eq(l->len, 1);
    ck_assert_str_eq(said, "locked: a folder that cannot be read "
                           "(Permission denied)\n");
    g_free(said);
    g_ptr_array_unref(l);
    mailbox_skips_clear(&k);
    chmod(locked, 0700);
    mbt_rm_rf(tmp);
    g_free(p);
    g_free(locked);
    g_free(tmp);
}
END_TEST

static Suite *read_suite(void)
{
    Suite *s = suite_create("mailbox-read");
    TCase *tc = tcase_create("read");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, kb08_unescaped_from);
    tcase_add_test(tc, unblanked_separators_counted);
    tcase_add_test(tc, damaged_entry_framed);
    tcase_add_test(tc, escaped_envelope_after_separator);
    tcase_add_test(tc, detect_refuses_streams_and_non_mail);
    tcase_add_test(tc, kb09_mboxrd_unquoted);
    tcase_add_test(tc, kb10_maildir_new_without_info);
    tcase_add_test(tc, corpus_mbox_samples);
    tcase_add_test(tc, corpus_maildir_sample);
    tcase_add_test(tc, spamassassin_782);
    tcase_add_test(tc, follow_waits_for_separator);
    tcase_add_test(tc, crlf_mbox);
    tcase_add_test(tc, empty_entries_framed);
    tcase_add_loop_test(tc, strict_separator_lines, 0,
                        (int)(sizeof strict_lines / sizeof *strict_lines));
    tcase_add_test(tc, mboxrd_unquote_levels);
    tcase_add_test(tc, positions_roundtrip);
    tcase_add_test(tc, position_mark_checks);
    tcase_add_test(tc, formats_and_detection);
    tcase_add_test(tc, eml_list_symlink_loops_read_once);
    tcase_add_test(tc, maildir_list_symlink_loops_read_once);
    tcase_add_test(tc, listings_name_what_they_skip);
    tcase_add_test(tc, listings_name_unreadable_folders);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(read_suite)
