/**
 * @file plugins/mailbox-source/tests/mailbox_test_util.h
 * @brief Test helpers: corpus paths, temporary folders, and the 782-message
 *        mbox built from ../shared/corpus/negatives/spamassassin.
 */
#ifndef MAILBOX_TEST_UTIL_H
#define MAILBOX_TEST_UTIL_H

#include "co_test.h"
#include "mailbox_read.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

/** "$CAREEROPS_CORPUS/rel", g_free it. */
static inline char *mbt_corpus(const char *rel)
{
    return g_build_filename(co_test_corpus(), rel, NULL);
}

/** A new empty temporary folder, g_free it (remove with mbt_rm_rf). */
static inline char *mbt_tmpdir(void)
{
    GError *e = NULL;
    char *d = g_dir_make_tmp("mailbox-test-XXXXXX", &e);
    ck_assert_msg(d != NULL, "mkdtemp: %s", e != NULL ? e->message : "?");
    return d;
}

/** Remove path and what is under it; symlinks are removed, never
 *  followed (a test's `ln -s . self` must not send it round). */
static inline void mbt_rm_rf(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        g_unlink(path);
        return;
    }
    GDir *d = g_dir_open(path, 0, NULL);
    if (d != NULL) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            char *p = g_build_filename(path, n, NULL);
            mbt_rm_rf(p);
            g_free(p);
        }
        g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

/** Copy folder src to dst recursively (files byte for byte). */
static inline void mbt_copy_tree(const char *src, const char *dst)
{
    g_mkdir_with_parents(dst, 0700);
    GDir *d = g_dir_open(src, 0, NULL);
    ck_assert_msg(d != NULL, "cannot open %s", src);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL) {
        char *s = g_build_filename(src, n, NULL);
        char *t = g_build_filename(dst, n, NULL);
        if (g_file_test(s, G_FILE_TEST_IS_DIR)) {
            mbt_copy_tree(s, t);
        } else {
            gchar *b = NULL;
            gsize l = 0;
            ck_assert(g_file_get_contents(s, &b, &l, NULL));
            ck_assert(g_file_set_contents(t, b, (gssize)l, NULL));
            g_free(b);
        }
        g_free(s);
        g_free(t);
    }
    g_dir_close(d);
}

static inline void mbt_collect(const char *dir, GPtrArray *out)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            mbt_collect(p, out);
        else if (g_str_has_suffix(n, ".txt"))
            g_ptr_array_add(out, g_strdup(p));
        g_free(p);
    }
    if (d != NULL)
        g_dir_close(d);
}

static inline gint mbt_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/**
 * Build an mboxrd file at `out` from every message of
 * negatives/spamassassin/data. 548 files already start with an mbox
 * `From ` line and 234 do not (they start with Return-Path: or Received:);
 * those get `From MAILER-DAEMON Thu Jan  1 00:00:00 1970`. Body lines
 * matching `^>*From ` get one more `>`; each message ends with a newline
 * and a blank line.
 * @param expected If not NULL, receives (GBytes*) each message's bytes as
 *        a reader must return them (without the From line, with a final
 *        newline).
 * @param with_from Set to the number of files that had a From line.
 * @returns The number of messages written.
 */
static inline int mbt_build_spamassassin(const char *out, GPtrArray *expected,
                                         int *with_from)
{
    char *root = mbt_corpus("negatives/spamassassin/data");
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    mbt_collect(root, files);
    g_free(root);
    g_ptr_array_sort(files, mbt_cmp);
    GString *mb = g_string_new(NULL);
    int froms = 0;
    for (guint i = 0; i < files->len; i++) {
        gchar *b = NULL;
        gsize l = 0;
        ck_assert(
            g_file_get_contents(g_ptr_array_index(files, i), &b, &l, NULL));
        const char *body = b;
        if (l >= 5 && memcmp(b, "From ", 5) == 0) {
            const char *nl = memchr(b, '\n', l);
            ck_assert_ptr_nonnull(nl);
            g_string_append_len(mb, b, nl - b + 1);
            body = nl + 1;
            froms++;
        } else {
            g_string_append(mb,
                            "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n");
        }
        GString *orig = g_string_new_len(body, (gssize)(b + l - body));
        if (orig->len == 0 || orig->str[orig->len - 1] != '\n')
            g_string_append_c(orig, '\n');
        for (const char *p = orig->str; p < orig->str + orig->len;) {
            const char *q = p;
            while (*q == '>')
                q++;
            if (strncmp(q, "From ", 5) == 0)
                g_string_append_c(mb, '>');
            const char *nl = memchr(p, '\n', orig->str + orig->len - p);
            g_string_append_len(mb, p, nl - p + 1);
            p = nl + 1;
        }
        g_string_append_c(mb, '\n');
        if (expected != NULL)
            g_ptr_array_add(expected, g_bytes_new(orig->str, orig->len));
        g_string_free(orig, TRUE);
        g_free(b);
    }
    ck_assert(g_file_set_contents(out, mb->str, (gssize)mb->len, NULL));
    g_string_free(mb, TRUE);
    int n = (int)files->len;
    g_ptr_array_free(files, TRUE);
    if (with_from != NULL)
        *with_from = froms;
    return n;
}

/** Write a small message (subject `s`, a Message-ID of its own) to
 *  path. */
static inline void mbt_write_msg(const char *path, const char *s)
{
    char *m = g_strdup_printf("From: Ada Quill <ada@quillworks.example>\n"
                              "To: me@example.net\nSubject: %s\n"
                              "Message-ID: <%s@quillworks.example>\n\n"
                              "Hello %s\n",
                              s, s, s);
    ck_assert_msg(g_file_set_contents(path, m, -1, NULL), "write %s", path);
    g_free(m);
}

/** Path joined from parts (NULL-terminated), g_free it. */
#define mbt_path(...) g_build_filename(__VA_ARGS__, NULL)

#endif
