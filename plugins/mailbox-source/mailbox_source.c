/**
 * @file plugins/mailbox-source/mailbox_source.c
 * @brief mailbox-source: mbox files, Maildir trees and folders of .eml
 *        files into careerops.email.v1 records (raw_inbox_stream), with
 *        the position kept in the host's state store.
 *
 * Each message goes through co_mail_source_emit() (lib/mail): the shared
 * normalizer (GMime), the raw bytes stored in the archive (claim check),
 * then a bounded record with key = the idempotency key (hex), the header
 * `careerops.email.hash` and the archive reference; a message that cannot
 * become a record is a dead letter carrying the reference and the reason.
 *
 * Position (state key "position"): for an mbox the byte offset after the
 * last message emitted, for a Maildir or .eml folder the set of message
 * keys seen. It is handed to api->source_offset() after each batch, which
 * stores it only once the batch is acknowledged, and read back in start():
 * a restart re-reads at most the last unacknowledged batch (duplicates
 * carry the same key) and never skips a message.
 *
 * A position says what it belongs to: the path, and for an mbox the
 * SHA-256 of the first and of the last 4 KiB before the offset. An mbox
 * offset is kept only in a file that still holds those bytes there
 * (checked at the start and whenever the file's size or modification time
 * changes or another file is renamed over the path), otherwise the file
 * is read from its start. An .eml folder's position also has a SHA-256 of
 * each file read: a file whose content changed is read again. Maildir
 * names are unique to a message: the keys alone suffice.
 */
#include "co_mail.h"
#include "co_mail_source.h"
#include "mailbox_read.h"

#include <careerops/plugin.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAILBOX_STATE_KEY "position"

/** Listings in a row, with nothing read, for files that vanished between
 *  a listing and their read (Maildir renames new/ -> cur/ when mail is
 *  marked read): a file that moved is found at the next listing. */
#define MAILBOX_RELISTS_MAX 3

static const co_host_api_t *mailbox_api;

/** Configuration filled by the host from the option table. */
typedef struct mailbox_cfg_s {
    const char *path;
    const char *format;
    int follow;
    int64_t poll_interval_ms;
    int64_t settle_ms;
    int64_t batch;
    co_mail_source_cfg_t mail; /* shared: limits, archive, skip_keys_file */
} mailbox_cfg_t;

static const co_option_t mailbox_options[] = {
    {CO_OPT_STR, "path", NULL, CO_OPT_REQUIRED | CO_OPT_PATH | CO_OPT_INPUT, 0,
     0, offsetof(mailbox_cfg_t, path),
     "The mbox file, Maildir (or Maildir++ tree) or folder of .eml files to "
     "read; relative to the manifest's folder."},
    {CO_OPT_STR, "format", "auto", 0, 0, 0, offsetof(mailbox_cfg_t, format),
     "auto, mbox (mboxo: >From lines kept), mboxrd (one > removed from "
     ">From lines), maildir or eml; auto reads a file starting with "
     "\"From \" as mboxrd, a folder with cur/ or new/ as a Maildir, another "
     "folder as .eml files, another file as one message."},
    {CO_OPT_BOOL, "follow", "false", 0, 0, 0, offsetof(mailbox_cfg_t, follow),
     "false: end the stage (EOF) once everything is read; true: keep "
     "watching for mbox growth, new Maildir files and new .eml files."},
    {CO_OPT_INT, "poll_interval_ms", "1000", 0, 10, 3600000,
     offsetof(mailbox_cfg_t, poll_interval_ms),
     "With follow: how often to look for new mail, in milliseconds."},
    {CO_OPT_INT, "settle_ms", "2000", 0, 0, 3600000,
     offsetof(mailbox_cfg_t, settle_ms),
     "With follow on an mbox: the last message is read only once the file "
     "has not grown for this long (a writer may still be appending it)."},
    {CO_OPT_INT, "batch", "100", 0, 1, 100000, offsetof(mailbox_cfg_t, batch),
     "Messages emitted per poll; the position is saved after each batch."},
    CO_MAIL_SOURCE_OPTIONS(mailbox_cfg_t, mail),
    {0},
};

/** One stage instance. */
typedef struct mailbox_s {
    co_stage_t *st;
    const mailbox_cfg_t *cfg;
    int seen_any;     /* emitted at least one message in this run */
    int warned_empty; /* said so once when there was nothing */
    mailbox_format_t fmt;
    co_mail_source_t *ms;
    char *path; /* the configured path resolved (realpath), stored with the
                   position */
    /* mbox */
    int fd;
    char *map;
    size_t map_len;
    uint64_t offset;
    mailbox_mark_t mark; /* the bytes before offset (unset at offset 0) */
    mailbox_mbox_t mb;
    uint64_t last_size;
    struct timespec last_mtime; /* a rewrite of the same size shows here */
    int64_t last_growth_ms;
    /* without follow: the host's clock (now_ms) at which the file, as last
     * seen, has not changed for settle_ms (its mtime's age counted) */
    int64_t settled_at_ms;
    /* Maildir / .eml */
    GHashTable *seen;     /* key -> content fingerprint (.eml) or NULL */
    GHashTable *fp_cache; /* .eml path -> mailbox_fp_t: not hashed again
                             while its stat does not change */
    unsigned changed;     /* .eml files read again this poll: changed */
    char changed_eg[256]; /* one of them */
    GPtrArray *pending;
    guint pending_i;
    int saw_missing;       /* a listed file vanished: list again before EOF */
    int relists;           /* polls in a row that listed again for that */
    mailbox_skips_t skips; /* what the last listing passed over */
    GHashTable *said;      /* path -> why: entries passed over, said once */
    GHashTable *failed;    /* path -> mailbox_fail_t: files that could not
                              be read, dead-lettered; tried again only once
                              they change (this run) or in the next run */
    /* this run: the key of each message emitted -> where it was read, to
     * report messages that share their idempotency key (DESIGN.md: they
     * become one email downstream, which must not happen silently) */
    GHashTable *run_keys;
    unsigned long long read_run;       /* messages read this run */
    unsigned long long same_key;       /* of them, with an earlier one's key */
    int told_totals;                   /* the EOF line was logged */
    unsigned long long told_unblanked; /* mb.unblanked already said */
    unsigned long long told_headless;  /* mb.headless already said */
    int told_incomplete;   /* said once that the last mbox message waits */
    unsigned told_not_eml; /* .eml folder: files skipped for their names,
                              as many as said (WARN) */
    int tail_waits; /* bytes after the position wait for settle_ms (follow;
                       without follow, a last message with no line break in
                       a file written in the last settle_ms) */
} mailbox_t;

/* ---- mbox file mapping -----------------------------------------------------
 */

static void mailbox_unmap(mailbox_t *m)
{
    if (m->map != NULL)
        munmap(m->map, m->map_len);
    m->map = NULL;
    m->map_len = 0;
}

/* Map the whole current file; returns its size or -1. Its modification
 * time in *mtime (may be NULL). */
static int64_t mailbox_remap(mailbox_t *m, struct timespec *mtime)
{
    struct stat st;
    if (fstat(m->fd, &st) != 0)
        return -1;
    if (mtime != NULL)
        *mtime = st.st_mtim;
    size_t size = (size_t)st.st_size;
    if (size == m->map_len && m->map != NULL)
        return (int64_t)size;
    mailbox_unmap(m);
    if (size == 0)
        return 0;
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, m->fd, 0);
    if (p == MAP_FAILED)
        return -1;
    m->map = p;
    m->map_len = size;
    return (int64_t)size;
}

/* ---- one message ------------------------------------------------------------
 */

/* Normalize, archive and emit (or dead-letter) one message.
 * Returns 0, or -1 when the archive or the host could not take it (retry
 * later; the stage's error says why). */
/* How many messages with an earlier one's key are listed one by one. */
#define MAILBOX_SAME_KEY_LINES 10

/* Count a message emitted with `key`, read at `where`; one with the key of
 * an earlier message of this run is logged with both places. */
static void mailbox_note_key(mailbox_t *m, const char *key, const char *where)
{
    m->read_run++;
    const char *first = g_hash_table_lookup(m->run_keys, key);
    if (first == NULL) {
        g_hash_table_insert(m->run_keys, g_strdup(key), g_strdup(where));
        return;
    }
    m->same_key++;
    mailbox_api->metric_add(m->st, "same_key_messages", 1);
    /* the first MAILBOX_SAME_KEY_LINES pairs are listed, the rest counted
     * (trial 55: one line per message, 5,429 for a mailbox read 150
     * times over); the totals at the end of the run give the number */
    if (m->same_key > MAILBOX_SAME_KEY_LINES)
        return;
    /* an mbox position "mbox@OFFSET" reads "byte OFFSET" */
    int mbox = strncmp(where, "mbox@", 5) == 0;
    mailbox_api->log(m->st, CO_LOG_INFO,
                     "%s: the messages at %s%s and at %s%s have the same "
                     "idempotency key %.12s... (the same sender, date, "
                     "subject and Message-ID: copies of one email): the first "
                     "is the one emitted and stored, the later one is "
                     "skipped",
                     m->cfg->path, mbox ? "byte " : "", first + (mbox ? 5 : 0),
                     mbox ? "byte " : "", where + (mbox ? 5 : 0), key);
    if (m->same_key == MAILBOX_SAME_KEY_LINES)
        mailbox_api->log(m->st, CO_LOG_INFO,
                         "%s: further messages with the idempotency key of an "
                         "earlier one are counted, not listed "
                         "(metric same_key_messages; the total at the end)",
                         m->cfg->path);
}

/* A folder read as .eml files that is the cur/, new/ or tmp/ of a Maildir:
 * that Maildir's path (g_free), else NULL. */
static char *mailbox_maildir_above(const char *path)
{
    char *base = g_path_get_basename(path), *up = g_path_get_dirname(path);
    int sub = strcmp(base, "cur") == 0 || strcmp(base, "new") == 0 ||
              strcmp(base, "tmp") == 0;
    g_free(base);
    char *cur = g_build_filename(up, "cur", NULL),
         *nw = g_build_filename(up, "new", NULL);
    struct stat a, b;
    int md = sub && stat(cur, &a) == 0 && S_ISDIR(a.st_mode) &&
             stat(nw, &b) == 0 && S_ISDIR(b.st_mode);
    g_free(cur);
    g_free(nw);
    if (!md) {
        g_free(up);
        return NULL;
    }
    return up;
}

/* What mailbox_skip_same() needs: the stage and where the message is. */
typedef struct {
    mailbox_t *m;
    const char *where;
} mailbox_at_t;

/* co_mail_msg_t.skip: a message with the key of one emitted earlier in
 * this run is counted and logged, and not emitted. Copies of one email
 * cost nothing; two different messages with one key (the same sender,
 * date, subject and Message-ID, other bodies: MIME test suites, trial 66)
 * would otherwise be classified twice, the notifier announcing the first
 * (it keeps the first event of a key) and postgres-sink storing the last
 * (an upsert by key): one email, two stories. The first one read is the
 * one every stage sees. */
static int mailbox_skip_same(void *ud, const char *key)
{
    mailbox_at_t *at = ud;
    if (g_hash_table_lookup(at->m->run_keys, key) == NULL)
        return 0;
    mailbox_note_key(at->m, key, at->where);
    return 1;
}

static int mailbox_one(mailbox_t *m, const char *raw, size_t len,
                       const char *source_json, const char *dl_key)
{
    mailbox_at_t at = {m, dl_key};
    co_mail_msg_t msg = {.raw = raw,
                         .len = len,
                         .source_json = source_json,
                         .dl_key = dl_key,
                         .skip = mailbox_skip_same,
                         .ud = &at};
    char key[65];
    int rc = co_mail_source_emit(m->ms, &msg, key);
    if (rc == CO_MAIL_EMITTED)
        mailbox_note_key(m, key, dl_key);
    else if (rc == CO_MAIL_SKIPPED_KNOWN)
        m->read_run++; /* read, and settled before (skip_keys_file) */
    return rc < 0 ? -1 : 0;
}

static char *mailbox_source_json(const char *kind, const char *path,
                                 const char *folder, const char *name,
                                 int64_t offset)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(kind));
    json_object_set_new(o, "path", json_string(path));
    if (folder != NULL)
        json_object_set_new(o, "folder", json_string(folder));
    if (name != NULL)
        json_object_set_new(o, "file", json_string(name));
    if (offset >= 0)
        json_object_set_new(o, "offset", json_integer(offset));
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return s;
}

static int mailbox_save(mailbox_t *m)
{
    char *pos =
        mailbox_position_encode(m->fmt, m->path, m->offset, &m->mark, m->seen);
    int rc =
        mailbox_api->source_offset(m->st, MAILBOX_STATE_KEY, pos, strlen(pos));
    g_free(pos);
    return rc;
}

static co_status_t mailbox_wait(mailbox_t *m, int timeout_ms)
{
    int64_t ms = m->cfg->poll_interval_ms;
    if (timeout_ms >= 0 && ms > timeout_ms)
        ms = timeout_ms;
    if (ms > 0)
        mailbox_api->sleep_ms(m->st, ms);
    return CO_OK;
}

/* "N files skipped because their names do not end in .eml (e.g. X)", or
 * "1 file skipped because its name ...", into buf; 1 when the example is
 * a Maildir's file (the fix is to read that Maildir), else 0. */
static int mailbox_not_eml_said(const mailbox_skips_t *k, char *buf,
                                size_t size)
{
    int one = k->not_eml == 1;
    /* a Maildir inside the folder: its files are named by Maildir's rules
     * (trial 77: "rename them NAME.eml" for md/cur/1700...:2,S) */
    const char *eg = k->not_eml_eg;
    const char *cur = strstr(eg, "/cur/"), *nw = strstr(eg, "/new/");
    const char *sub = cur != NULL ? cur : nw;
    int maildir = sub != NULL || strncmp(eg, "cur/", 4) == 0 ||
                  strncmp(eg, "new/", 4) == 0;
    if (maildir)
        snprintf(buf, size,
                 "%u file%s skipped because %s not end in .eml (e.g. %s): "
                 "%.*s is a Maildir; give it as config.path (the demo's "
                 "--mailbox) to read it",
                 k->not_eml, one ? "" : "s",
                 one ? "its name does" : "their names do", eg,
                 sub != NULL ? (int)(sub - eg) : 1, sub != NULL ? eg : ".");
    else
        snprintf(buf, size,
                 "%u file%s skipped because %s not end in .eml (e.g. %s)",
                 k->not_eml, one ? "" : "s",
                 one ? "its name does" : "their names do", eg);
    return maildir;
}

/* Whether the mbox bytes before the position are blank lines only (a file
 * of "\n" is an empty mailbox read to its end: "0 messages found", not
 * "nothing new since the last run"; trial 76). */
static int mailbox_blank_before(const mailbox_t *m)
{
    if (m->map == NULL || m->offset > m->map_len)
        return 0;
    for (uint64_t i = 0; i < m->offset; i++)
        if (!g_ascii_isspace(m->map[i]))
            return 0;
    return 1;
}

/* End of a poll that emitted n messages: save the position, report a
 * refused emit (rc != 0), or say EOF / wait when nothing was new. */
static co_status_t mailbox_poll_end(mailbox_t *m, int n, int rc, int again,
                                    int timeout_ms)
{
    if (n > 0 && mailbox_save(m) != 0) {
        mailbox_api->set_error(m->st, "state", "cannot save the position");
        return CO_RETRY;
    }
    if (rc != 0)
        return CO_RETRY; /* co_mail_source_emit() set the error */
    if (n > 0)
        m->seen_any = 1;
    if (n > 0 || again)
        return CO_OK;
    /* follow: an mbox whose bytes wait for settle_ms is not empty (note
     * 29: "0 messages found" 2 s before its one message was read) */
    if (!m->seen_any && !m->warned_empty && !m->tail_waits) {
        /* a mistyped folder or an empty export must not look like an
         * inbox read to its end: nothing read ever is "0 messages found" */
        int never = g_hash_table_size(m->seen) == 0 &&
                    (m->offset == 0 || mailbox_blank_before(m));
        /* an .eml folder whose listing holds no message is "0 messages
         * found" whatever the stored position says (trial 72: files named
         * o1, o2 ... read under an account with state from another mailbox
         * was "nothing new since the last run", at INFO) */
        if (m->fmt == MAILBOX_EML &&
            (m->pending == NULL || m->pending->len == 0))
            never = 1;
        m->warned_empty = 1;
        const mailbox_skips_t *k = &m->skips;
        int eml = never && m->fmt == MAILBOX_EML;
        if (eml && k->not_regular > 0)
            mailbox_api->log(m->st, CO_LOG_WARN,
                             "%s: %u entries skipped because they are not "
                             "regular files (FIFOs, sockets, devices, "
                             "dangling or looping links), e.g. %s",
                             m->cfg->path, k->not_regular, k->not_regular_eg);
        char *md = eml ? mailbox_maildir_above(m->path) : NULL;
        if (md != NULL) /* trial 67: "rename them NAME.eml" for cur/ */
            mailbox_api->log(m->st, CO_LOG_WARN,
                             "0 messages found in %s: it is a folder of the "
                             "Maildir %s: point config.path at %s (and leave "
                             "config.format auto or maildir)",
                             m->cfg->path, md, md);
        else if (eml && k->not_eml > 0) {
            char what[256];
            int maildir = mailbox_not_eml_said(k, what, sizeof what);
            mailbox_api->log(m->st, CO_LOG_WARN, "0 messages found in %s: %s%s",
                             m->cfg->path, what,
                             maildir ? ""
                                     : ": rename them NAME.eml, or point "
                                       "config.path at one message file");
            m->told_not_eml = k->not_eml;
        } else if (never)
            mailbox_api->log(m->st, CO_LOG_WARN,
                             "0 messages found in %s (read as %s): expected "
                             "an mbox file, a Maildir with cur/ and new/, or "
                             "a folder of .eml files",
                             m->cfg->path, mailbox_format_name(m->fmt));
        else /* resumed where the last run stopped: nothing is wrong */
            mailbox_api->log(m->st, CO_LOG_INFO,
                             "%s: nothing new since the last run (read as "
                             "%s)",
                             m->cfg->path, mailbox_format_name(m->fmt));
        g_free(md);
    }
    if (m->fmt == MAILBOX_EML && m->skips.not_eml > m->told_not_eml) {
        /* files passed over for their names beside .eml files: said too
         * (once, again if more appear), whatever was read before */
        char what[256];
        int maildir = mailbox_not_eml_said(&m->skips, what, sizeof what);
        mailbox_api->log(m->st, CO_LOG_WARN, "%s: %s%s", m->cfg->path, what,
                         maildir
                             ? ""
                             : ": not read; rename them NAME.eml if they are "
                               "messages");
        m->told_not_eml = m->skips.not_eml;
    }
    if (m->mb.unblanked > m->told_unblanked) {
        mailbox_api->log(
            m->st, CO_LOG_WARN,
            "%s: %llu line%s inside messages read this run look%s like an "
            "mbox separator (\"From <address> <date>\", then a header "
            "field) with no blank line before %s, so each was read as part "
            "of the message before it; if they start messages of their own, "
            "the file was written without the blank line mbox puts between "
            "messages: export the mailbox again, or add that line before "
            "each",
            m->cfg->path, m->mb.unblanked - m->told_unblanked,
            m->mb.unblanked - m->told_unblanked == 1 ? "" : "s",
            m->mb.unblanked - m->told_unblanked == 1 ? "s" : "",
            m->mb.unblanked - m->told_unblanked == 1 ? "it" : "them");
        m->told_unblanked = m->mb.unblanked;
    }
    if (m->mb.headless > m->told_headless) {
        unsigned long long k = m->mb.headless - m->told_headless;
        mailbox_api->log(
            m->st, CO_LOG_WARN,
            "%s: %llu line%s inside messages read this run look%s like an "
            "mbox separator (\"From <address> <date>\" after a blank line) "
            "with no header field after %s, so each was read as part of the "
            "message before it: a body line that the mbox writer did not "
            "escape as \">From \", or a message whose header fields are "
            "missing (then fix or remove that entry)",
            m->cfg->path, k, k == 1 ? "" : "s", k == 1 ? "s" : "",
            k == 1 ? "it" : "them");
        m->told_headless = m->mb.headless;
    }
    if (!m->cfg->follow && m->tail_waits) {
        /* the last message of the mbox waits for the file to settle: sleep
         * until then (at most timeout_ms at a time), no EOF before */
        int64_t ms = m->settled_at_ms - mailbox_api->now_ms(m->st);
        if (timeout_ms >= 0 && ms > timeout_ms)
            ms = timeout_ms;
        if (ms > 0)
            mailbox_api->sleep_ms(m->st, ms);
        return CO_OK;
    }
    if (!m->cfg->follow) {
        if (!m->told_totals && m->read_run > 0) /* 0: said above */
            mailbox_api->log(
                m->st, CO_LOG_INFO,
                "%s: %llu message%s read this run, %llu of them "
                "with the idempotency key of an earlier one "
                "(the first of a key emitted, the later ones skipped)",
                m->cfg->path, m->read_run, m->read_run == 1 ? "" : "s",
                m->same_key);
        m->told_totals = 1;
        return CO_EOF;
    }
    return mailbox_wait(m, timeout_ms);
}

/* ---- mbox
 * --------------------------------------------------------------------- */

/* Only line breaks (and spaces or tabs): not a message. */
static int mailbox_blank_only(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\n' && p[i] != '\r' && p[i] != ' ' && p[i] != '\t')
            return 0;
    return 1;
}

/* Keep the offset only if the mapped file still holds the bytes read
 * before it (m->mark; a position saved without one: only if the offset is
 * a message boundary), else read the file from the start. Logs why.
 * @param saved_for The path the stored position names (at the start), or
 *        NULL.
 * @param starting At the start: say that the position is kept. */
static void mailbox_check_offset(mailbox_t *m, const char *saved_for,
                                 int starting)
{
    if (m->offset == 0 && !m->mark.set)
        return;
    char why[256];
    int legacy = !m->mark.set, ok;
    if (!legacy)
        ok = mailbox_mark_check(&m->mark, m->offset, m->map, m->map_len, why,
                                sizeof why);
    else if (!(ok = mailbox_mbox_boundary(m->map, m->map_len, m->offset)))
        snprintf(why, sizeof why,
                 m->offset > m->map_len
                     ? "it has %zu bytes, fewer than the stored offset"
                     : "byte %zu is not the start of a message (rewritten, "
                       "or another file)",
                 m->offset > m->map_len ? m->map_len : (size_t)m->offset);
    const char *other =
        saved_for != NULL && strcmp(saved_for, m->path) != 0 ? saved_for : NULL;
    unsigned long long off = (unsigned long long)m->offset;
    if (ok) {
        /* "resuming PATH at offset N, " as before (scripts grep it) */
        if (starting && legacy)
            mailbox_api->log(
                m->st, CO_LOG_WARN,
                "resuming %s at offset %llu, a position saved by an older "
                "version without a fingerprint of the bytes before it: kept "
                "because it is a message boundary of this file (if the file "
                "was rewritten since, clear the stage's position to read it "
                "all again)",
                m->cfg->path, off);
        else if (starting && other != NULL)
            mailbox_api->log(m->st, CO_LOG_INFO,
                             "resuming %s at offset %llu, a position saved "
                             "for %s: this file has the same bytes before it "
                             "(a copy, or a longer export of the same "
                             "mailbox)",
                             m->cfg->path, off, other);
        else if (starting)
            mailbox_api->log(m->st, CO_LOG_INFO,
                             "resuming %s at offset %llu, the bytes before it "
                             "unchanged",
                             m->cfg->path, off);
        mailbox_mark_take(&m->mark, m->map, m->map_len, m->offset);
        return;
    }
    mailbox_api->log(m->st, CO_LOG_WARN,
                     "%s: the stored position, offset %llu%s%s, is not one "
                     "of this file: %s; reading it from the start (messages "
                     "read before are emitted again with the same "
                     "idempotency keys and stored once downstream)",
                     m->cfg->path, off, other != NULL ? " in " : "",
                     other != NULL ? other : "", why);
    m->offset = 0;
    memset(&m->mark, 0, sizeof m->mark);
    memset(&m->mb, 0, sizeof m->mb);
    g_hash_table_remove_all(m->run_keys); /* read again: no news */
}

/* The path names another file than the one open (a new export or a
 * compaction renamed over it): open that one. Returns 1 when it did. */
static int mailbox_reopen(mailbox_t *m)
{
    struct stat now, cur;
    if (stat(m->cfg->path, &now) != 0 || !S_ISREG(now.st_mode) ||
        fstat(m->fd, &cur) != 0 ||
        (now.st_dev == cur.st_dev && now.st_ino == cur.st_ino))
        return 0;
    int fd = open(m->cfg->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* try again at the next poll */
    mailbox_unmap(m);
    close(m->fd);
    m->fd = fd;
    mailbox_api->log(m->st, CO_LOG_INFO,
                     "%s was replaced by another file (renamed over it): "
                     "checking the position against it",
                     m->cfg->path);
    return 1;
}

/* The host's clock (now_ms) at which a file last changed at `mtime`
 * (wall clock) will not have changed for settle_ms: now when it is older
 * than that. The wall clock gives its age once; the wait itself is counted
 * on the host's clock, which the stage sleeps on. */
static int64_t mailbox_settled_at(const mailbox_t *m, struct timespec mtime,
                                  int64_t now)
{
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t age_ms = ((int64_t)wall.tv_sec - (int64_t)mtime.tv_sec) * 1000 +
                     ((int64_t)wall.tv_nsec - (int64_t)mtime.tv_nsec) / 1000000;
    if (age_ms < 0) /* a modification time in the future: the full wait */
        age_ms = 0;
    return age_ms >= m->cfg->settle_ms ? now
                                       : now + (m->cfg->settle_ms - age_ms);
}

static co_status_t mailbox_poll_mbox(mailbox_t *m, int timeout_ms)
{
    int replaced = mailbox_reopen(m);
    struct timespec mtime;
    int64_t size = mailbox_remap(m, &mtime);
    if (size < 0) {
        mailbox_api->set_error(m->st, "io", "cannot read %s: %s", m->cfg->path,
                               strerror(errno));
        return CO_RETRY;
    }
    int64_t now = mailbox_api->now_ms(m->st);
    if ((uint64_t)size != m->last_size || replaced ||
        mtime.tv_sec != m->last_mtime.tv_sec ||
        mtime.tv_nsec != m->last_mtime.tv_nsec) {
        /* rewritten in place or replaced: the offset may be another
         * message's middle now */
        mailbox_check_offset(m, NULL, 0);
        m->last_size = (uint64_t)size;
        m->last_mtime = mtime;
        m->last_growth_ms = now;
        m->settled_at_ms = mailbox_settled_at(m, mtime, now);
    }
    int at_eof =
        !m->cfg->follow || now - m->last_growth_ms >= m->cfg->settle_ms;
    int n = 0, rc = 0, held = 0;
    while (n < m->cfg->batch && !mailbox_api->stopping(m->st)) {
        size_t s, e, next;
        if (m->map == NULL ||
            !mailbox_mbox_next(m->map, m->map_len, (size_t)m->offset, at_eof,
                               &m->mb, &s, &e, &next))
            break;
        if (!m->cfg->follow && next == m->map_len &&
            m->map[m->map_len - 1] != '\n' && now < m->settled_at_ms) {
            /* the file's last message does not end with a line break and
             * the file changed within settle_ms: a writer may still be at
             * work (every mbox writer ends a message with one; trial 42: read
             * at once, it was emitted cut and its rest dead-lettered later).
             * This run waits until the file has not changed for settle_ms,
             * then reads it (whole if the writer finished it meanwhile, as
             * it is if the file stayed so: a hand-made file; trial 72: a
             * one-shot run that skipped it read "0 messages" of a file just
             * written). A file older than that is read at once. */
            if (!m->told_incomplete)
                mailbox_api->log(
                    m->st, CO_LOG_INFO,
                    "%s: the last message (offset %llu) does not end with a "
                    "line break and the file changed %lld ms ago (a program "
                    "may still be writing it): waiting until it has not "
                    "changed for settle_ms (%lld ms), then reading it",
                    m->cfg->path, (unsigned long long)m->offset,
                    (long long)(m->cfg->settle_ms - (m->settled_at_ms - now)),
                    (long long)m->cfg->settle_ms);
            m->told_incomplete = 1;
            held = 1;
            break;
        }
        if (s < (size_t)m->offset + 5 &&
            mailbox_blank_only(m->map + s, e - s)) {
            /* the extra blank line a writer put before the separator it
             * appended, read after a resume or in follow mode: no message.
             * After a "From " line (s moved past it) blank content is an
             * empty message: dead-lettered as such, never dropped unseen */
            m->offset = next;
            continue;
        }
        char *src = mailbox_source_json("mbox", m->cfg->path, NULL, NULL,
                                        (int64_t)m->offset);
        char dl_key[64];
        snprintf(dl_key, sizeof dl_key, "mbox@%llu",
                 (unsigned long long)m->offset);
        if (m->fmt == MAILBOX_MBOXRD) {
            size_t ul;
            char *u = mailbox_mboxrd_unquote(m->map + s, e - s, &ul);
            rc = mailbox_one(m, u, ul, src, dl_key);
            g_free(u);
        } else {
            rc = mailbox_one(m, m->map + s, e - s, src, dl_key);
        }
        free(src);
        if (rc != 0)
            break;
        m->offset = next;
        n++;
    }
    if (m->offset != m->mark.end) /* what the saved position belongs to */
        mailbox_mark_take(&m->mark, m->map, m->map_len, m->offset);
    m->tail_waits =
        held || (!at_eof && m->map != NULL && (size_t)m->offset < m->map_len);
    return mailbox_poll_end(m, n, rc, 0, timeout_ms);
}

/* ---- Maildir and .eml
 * --------------------------------------------------------- */

/* Say (WARN) each entry the last listing passed over by name and why,
 * once: not again while it stays as it is (follow mode lists every poll);
 * an entry fixed and broken again is said again. */
static void mailbox_say_skips(mailbox_t *m)
{
    GHashTable *now =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const GPtrArray *said = m->skips.said;
    for (guint i = 0; said != NULL && i < said->len; i++) {
        const mailbox_skip_t *k = g_ptr_array_index(said, i);
        const char *before = g_hash_table_lookup(m->said, k->path);
        if (before == NULL || strcmp(before, k->why) != 0) {
            mailbox_api->log(m->st, CO_LOG_WARN, "%s: skipped, %s", k->path,
                             k->why);
            mailbox_api->metric_add(m->st, "skipped_entries", 1);
        }
        g_hash_table_replace(now, g_strdup(k->path), g_strdup(k->why));
    }
    g_hash_table_destroy(m->said);
    m->said = now;
}

static void mailbox_list(mailbox_t *m)
{
    if (m->pending != NULL)
        g_ptr_array_unref(m->pending);
    mailbox_skips_clear(&m->skips);
    m->pending = m->fmt == MAILBOX_MAILDIR
                     ? mailbox_maildir_list_counted(m->cfg->path, &m->skips)
                     : mailbox_eml_list_counted(m->cfg->path, &m->skips);
    m->pending_i = 0;
    m->saw_missing = 0;
    mailbox_say_skips(m);
}

/* Read the whole file at path into *raw (g_free) and its length into
 * *len; *sb is its fstat() before reading. Opened with O_NONBLOCK and
 * checked with fstat(): a file replaced by a FIFO or a device since the
 * listing is refused, never waited on. Returns 0, an errno value, or -1
 * for a file that is not a regular file (what it is in why). */
static int mailbox_read_file(const char *path, char **raw, size_t *len,
                             struct stat *sb, char *why, size_t whysz)
{
    int e = 0, fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        e = errno;
    else if (fstat(fd, sb) != 0)
        e = errno;
    else if (S_ISDIR(sb->st_mode))
        e = EISDIR;
    else if (!S_ISREG(sb->st_mode))
        e = -1;
    if (e != 0) {
        if (e > 0)
            snprintf(why, whysz, "%s", strerror(e));
        else
            snprintf(why, whysz, "%s, not a regular file",
                     S_ISFIFO(sb->st_mode)   ? "a pipe (FIFO)"
                     : S_ISSOCK(sb->st_mode) ? "a socket"
                                             : "a device");
        if (fd >= 0)
            close(fd);
        return e;
    }
    size_t cap = (size_t)sb->st_size + 1, n = 0;
    char *b = g_malloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            b = g_realloc(b, cap);
        }
        ssize_t r = read(fd, b + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            snprintf(why, whysz, "%s", strerror(e));
            g_free(b);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = '\0';
    *raw = b;
    *len = n;
    return 0;
}

/* What an .eml file was when it was last hashed. */
typedef struct mailbox_fp_s {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    char hex[33];
} mailbox_fp_t;

static void mailbox_fp_put(mailbox_t *m, const char *path,
                           const struct stat *sb, const char *hex)
{
    mailbox_fp_t *c = g_new0(mailbox_fp_t, 1);
    c->dev = sb->st_dev;
    c->ino = sb->st_ino;
    c->size = sb->st_size;
    c->mtime = sb->st_mtim;
    c->ctime = sb->st_ctim;
    memcpy(c->hex, hex, sizeof c->hex);
    g_hash_table_replace(m->fp_cache, g_strdup(path), c);
}

/* The content fingerprint of the .eml file at path (hashed again only
 * when its stat changed since). Returns 0, or -1 when it cannot be read. */
static int mailbox_fp(mailbox_t *m, const char *path, char hex[33])
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return -1;
    const mailbox_fp_t *c = g_hash_table_lookup(m->fp_cache, path);
    if (c != NULL && c->dev == sb.st_dev && c->ino == sb.st_ino &&
        c->size == sb.st_size && c->mtime.tv_sec == sb.st_mtim.tv_sec &&
        c->mtime.tv_nsec == sb.st_mtim.tv_nsec &&
        c->ctime.tv_sec == sb.st_ctim.tv_sec &&
        c->ctime.tv_nsec == sb.st_ctim.tv_nsec) {
        memcpy(hex, c->hex, 33);
        return 0;
    }
    char *raw = NULL, why[256];
    size_t len = 0;
    if (mailbox_read_file(path, &raw, &len, &sb, why, sizeof why) != 0)
        return -1;
    mailbox_content_sha256(raw, len, hex);
    g_free(raw);
    mailbox_fp_put(m, path, &sb, hex);
    return 0;
}

/* A file listed before: a Maildir message is never read twice (its name is
 * unique to it); an .eml file only when its content is not that read
 * (rewritten, or another export with the same file names). */
static int mailbox_dir_seen(mailbox_t *m, const mailbox_file_t *f)
{
    gpointer want = NULL;
    if (!g_hash_table_lookup_extended(m->seen, f->key, NULL, &want))
        return 0;
    if (m->fmt == MAILBOX_MAILDIR)
        return 1;
    char hex[33];
    if (mailbox_fp(m, f->path, hex) != 0)
        return 0; /* gone: the read below says so */
    if (want != NULL && strcmp(hex, want) == 0)
        return 1;
    if (m->changed++ == 0)
        snprintf(m->changed_eg, sizeof m->changed_eg, "%s", f->key);
    return 0;
}

/* A file that could not be read, as it was then: it is tried again once
 * it changes (chmod, chown and a rewrite change its ctime). */
typedef struct mailbox_fail_s {
    int have; /* stat() worked */
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
} mailbox_fail_t;

static void mailbox_fail_take(mailbox_fail_t *f, const char *path)
{
    struct stat sb;
    memset(f, 0, sizeof *f);
    if (stat(path, &sb) == 0) {
        f->have = 1;
        f->dev = sb.st_dev;
        f->ino = sb.st_ino;
        f->ctime = sb.st_ctim;
    }
}

/* Was path dead-lettered as unreadable, and is it unchanged since? */
static int mailbox_failed_before(mailbox_t *m, const char *path)
{
    const mailbox_fail_t *was = g_hash_table_lookup(m->failed, path);
    if (was == NULL)
        return 0;
    mailbox_fail_t now;
    mailbox_fail_take(&now, path);
    return now.have == was->have &&
           (!now.have || (now.dev == was->dev && now.ino == was->ino &&
                          now.ctime.tv_sec == was->ctime.tv_sec &&
                          now.ctime.tv_nsec == was->ctime.tv_nsec));
}

/* The symbolic name of an errno value a read can give ("errno N" in buf
 * for another one). */
static const char *mailbox_errno_name(int e, char buf[24])
{
    switch (e) {
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case EISDIR:
        return "EISDIR";
    case EIO:
        return "EIO";
    case ELOOP:
        return "ELOOP";
    case ENXIO:
        return "ENXIO";
    case EMFILE:
        return "EMFILE";
    case ENFILE:
        return "ENFILE";
    case ENOMEM:
        return "ENOMEM";
    case ESTALE:
        return "ESTALE";
    case -1:
        return "not a regular file";
    default:
        snprintf(buf, 24, "errno %d", e);
        return buf;
    }
}

/* A listed file that exists but cannot be read (err: an errno value, or
 * -1 when it is not a regular file; why: the text): a dead letter keyed
 * by the file's key, naming the path, the error and the fix. It is not
 * recorded as read (the next run tries again), and this run tries it
 * again only once it changes. Returns 0, or -1 when the host did not take
 * the dead letter (its error is set). */
static int mailbox_unreadable(mailbox_t *m, const mailbox_file_t *f, int err,
                              const char *why)
{
    char fix[256];
    if (err == EACCES || err == EPERM)
        snprintf(fix, sizeof fix,
                 "the user the pipeline runs as (uid %ld) may not read it: "
                 "chmod a+r the file (and a+x its folders), or run as its "
                 "owner",
                 (long)getuid());
    else if (err == EIO || err == ESTALE)
        snprintf(fix, sizeof fix,
                 "the disk or network file system failed: check it, or copy "
                 "the mailbox elsewhere");
    else if (err == EMFILE || err == ENFILE || err == ENOMEM)
        snprintf(fix, sizeof fix,
                 "the system was short of files or memory: raise the limit "
                 "(ulimit -n) or free memory");
    else if (err == EISDIR || err == -1)
        snprintf(fix, sizeof fix,
                 "save the message to a regular file under that name");
    else
        snprintf(fix, sizeof fix, "make the file readable");
    char msg[1024], eb[24];
    const char *en = mailbox_errno_name(err, eb);
    snprintf(msg, sizeof msg,
             "%s: cannot read %s: %s (%s): %s; not recorded as read, so the "
             "next run tries it again (with follow: as soon as the file "
             "changes)",
             f->key, f->path, why, en, fix);
    json_t *v = json_pack("{s:s,s:s,s:s,s:s,s:s}", "path", f->path, "file",
                          f->key, "errno", en, "error", why, "fix", fix);
    char *vj = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    co_record_t rec = CO_RECORD_INIT;
    rec.key = f->key;
    rec.key_len = strlen(f->key);
    rec.value = vj;
    rec.value_len = vj != NULL ? strlen(vj) : 0;
    int e = mailbox_api->dead_letter(m->st, &rec, "io", msg);
    free(vj);
    if (e != 0) {
        mailbox_api->set_error(m->st, "emit",
                               "the host did not take a dead letter");
        return -1;
    }
    mailbox_api->metric_add(m->st, "dead_letters", 1);
    mailbox_api->metric_add(m->st, "unreadable_files", 1);
    mailbox_api->log(m->st, CO_LOG_WARN, "dead letter %s", msg);
    mailbox_fail_t *was = g_new0(mailbox_fail_t, 1);
    mailbox_fail_take(was, f->path);
    g_hash_table_replace(m->failed, g_strdup(f->path), was);
    return 0;
}

/* An .eml file that is an mbox of several messages (its first line an
 * mbox "From " separator, and another after a blank line with header
 * fields after it): read as one message, as the folder's format says,
 * but said at WARN (trial 74: an interview and a rejection became the
 * body of an acknowledgement, with nothing said). */
static void mailbox_eml_is_mbox(mailbox_t *m, const char *path, const char *raw,
                                size_t len)
{
    /* after what the normalizer skips before a message too: a byte order
     * mark, NUL bytes, blank lines (trial 77: each hid the WARN) */
    size_t skip = co_mail_lead_len(raw, len, NULL);
    raw += skip;
    len -= skip;
    const char *nl = memchr(raw, '\n', len);
    if (len < 5 || memcmp(raw, "From ", 5) != 0 || nl == NULL)
        return;
    size_t n = (size_t)(nl - raw);
    n -= n > 0 && raw[n - 1] == '\r'; /* CRLF lines too (trial 75) */
    if (!mailbox_mbox_strict_line(raw, n))
        return;
    unsigned more = 0;
    for (const char *p = nl + 1; p != NULL && p < raw + len;) {
        const char *e = memchr(p, '\n', (size_t)(raw + len - p));
        n = e ? (size_t)(e - p) : (size_t)(raw + len - p);
        n -= n > 0 && p[n - 1] == '\r';
        if (n >= 5 && memcmp(p, "From ", 5) == 0 &&
            mailbox_after_blank_line(raw, (size_t)(p - raw)) &&
            mailbox_mbox_strict_line(p, n) && e != NULL &&
            co_mail_has_header_block(e + 1, (size_t)(raw + len - e - 1)))
            more++;
        p = e ? e + 1 : NULL;
    }
    if (more > 0)
        mailbox_api->log(m->st, CO_LOG_WARN,
                         "%s looks like an mbox of %u messages saved as .eml: "
                         "it is read as one message (the others in its "
                         "body); give it to a stage of its own as an mbox "
                         "(config.path, or the demo's --mailbox FILE), or "
                         "split it",
                         path, more + 1);
}

static co_status_t mailbox_poll_dir(mailbox_t *m, int timeout_ms)
{
    int n = 0, rc = 0, listed = 0;
    while (n < m->cfg->batch && !mailbox_api->stopping(m->st)) {
        if (m->pending == NULL || m->pending_i >= m->pending->len) {
            if (listed)
                break; /* listed once in this poll: nothing new */
            mailbox_list(m);
            listed = 1;
            continue;
        }
        mailbox_file_t *f = g_ptr_array_index(m->pending, m->pending_i);
        if (mailbox_dir_seen(m, f)) {
            m->pending_i++;
            continue;
        }
        if (mailbox_failed_before(m, f->path)) {
            m->pending_i++; /* dead-lettered, unchanged since */
            continue;
        }
        char *raw = NULL, why[256];
        size_t len = 0;
        struct stat sb; /* before reading: a later change shows */
        int err = mailbox_read_file(f->path, &raw, &len, &sb, why, sizeof why);
        if (err == ENOENT) {
            /* moved (new/ -> cur/, flags) or deleted since the listing: the
             * next listing finds it under its new name */
            mailbox_api->log(m->st, CO_LOG_DEBUG, "skipping %s for now: %s",
                             f->path, why);
            m->saw_missing = 1;
            m->pending_i++;
            continue;
        }
        if (err != 0) { /* there, but not readable: never a silent loss */
            if ((rc = mailbox_unreadable(m, f, err, why)) != 0)
                break;
            m->pending_i++;
            continue;
        }
        const char *base = strrchr(f->path, '/');
        char *src = mailbox_source_json(
            m->fmt == MAILBOX_MAILDIR ? "maildir" : "eml", m->cfg->path,
            m->fmt == MAILBOX_MAILDIR ? f->folder : NULL,
            base != NULL ? base + 1 : f->path, -1);
        char hex[33] = "";
        if (m->fmt == MAILBOX_EML) {
            mailbox_content_sha256(raw, len, hex);
            mailbox_fp_put(m, f->path, &sb, hex);
            mailbox_eml_is_mbox(m, f->path, raw, len);
        }
        rc = mailbox_one(m, raw, len, src, f->key);
        free(src);
        g_free(raw);
        if (rc != 0)
            break;
        g_hash_table_insert(m->seen, g_strdup(f->key),
                            m->fmt == MAILBOX_EML ? g_strdup(hex) : NULL);
        m->pending_i++;
        n++;
    }
    if (m->changed > 0) {
        mailbox_api->log(m->st, CO_LOG_INFO,
                         "%s: %u files read before have another content now "
                         "(e.g. %s: rewritten, or another export with the "
                         "same file names): read again",
                         m->cfg->path, m->changed, m->changed_eg);
        m->changed = 0;
    }
    int again = m->saw_missing; /* list again on the next poll */
    m->saw_missing = 0;
    if (!again || n > 0) {
        m->relists = 0;
    } else if (++m->relists > MAILBOX_RELISTS_MAX) {
        /* files renamed away again and again between the listing and the
         * read: bounded, never a busy loop */
        mailbox_api->log(m->st, CO_LOG_INFO,
                         "%s: files keep disappearing between the listing "
                         "and the read (%d listings in a row; another "
                         "program renames or deletes them): they are read "
                         "%s",
                         m->cfg->path, MAILBOX_RELISTS_MAX,
                         m->cfg->follow ? "at the next poll"
                                        : "by the next run");
        m->relists = 0;
        again = 0;
    }
    return mailbox_poll_end(m, n, rc, again, timeout_ms);
}

/* ---- lifecycle
 * ------------------------------------------------------------------ */

/* The format asked for against what path is: an mbox format for a folder
 * or maildir for a file is refused (trial 67: validate said ok, run failed
 * with no fix); "" when it fits, else "format: ..." in err. */
static int mailbox_format_fits(const char *path, const char *asked,
                               mailbox_format_t want, int dir, char *err,
                               size_t errsz)
{
    if (((want == MAILBOX_MBOX || want == MAILBOX_MBOXRD) && dir) ||
        (want == MAILBOX_MAILDIR && !dir)) {
        snprintf(err, errsz,
                 "format: \"%s\" does not fit path %s, which is a %s: use "
                 "auto (the default: it tells an mbox file, a Maildir and a "
                 "folder of .eml files apart)%s",
                 asked, path, dir ? "folder" : "file",
                 dir ? ", maildir or eml" : ", mbox or eml (one message)");
        return 0;
    }
    char e[512];
    if (want == MAILBOX_MAILDIR && dir &&
        mailbox_detect(path, e, sizeof e) != MAILBOX_MAILDIR) {
        /* trial 69: validate said ok, run read nothing */
        snprintf(err, errsz,
                 "format: \"maildir\" does not fit path %s, a folder with "
                 "no cur/ or new/ (nor Maildir++ sub-folders): use auto (a "
                 "folder of .eml files is read as such) or point path at "
                 "the Maildir",
                 path);
        return 0;
    }
    mailbox_format_t is = want == MAILBOX_EML && !dir
                              ? mailbox_detect(path, e, sizeof e)
                              : MAILBOX_AUTO;
    if (is == MAILBOX_MBOX || is == MAILBOX_MBOXRD) {
        /* note 31: eml read an mbox of two messages as one, silently */
        snprintf(err, errsz,
                 "format: \"%s\" does not fit path %s, an mbox file (it "
                 "starts with a \"From \" separator line; eml would read all "
                 "of it as one message): use auto (the default) or mbox",
                 asked, path);
        return 0;
    }
    return 1;
}

/* The fix to add to a refusal of config.path by mailbox_detect(), unless
 * it gives one (unpack, convert or save first; "give an mbox file ...":
 * trial 76 read it twice) */
static const char *mailbox_path_fix(const char *e)
{
    return strstr(e, "give an mbox file") != NULL || strstr(e, " first") != NULL
               ? ""
               : "; point it at an mbox file, a Maildir or a folder of .eml "
                 "files";
}

/* ABI 1.2 check: `careerops validate` refuses an unknown format, and a
 * path that is a pipe, a device or a socket, before any stage starts
 * (init() says the same; trial 41: validate passed /dev/zero). A path
 * that does not exist yet is left to init() (a mailbox may appear). */
static co_status_t mailbox_check(const void *config, char *err, size_t errsz)
{
    const mailbox_cfg_t *cfg = config;
    mailbox_format_t f;
    if (mailbox_format_parse(cfg->format, &f) != 0) {
        snprintf(err, errsz,
                 "format: \"%s\" is unknown: use auto (the default), mbox, "
                 "mboxrd, maildir or eml",
                 cfg->format);
        return CO_FATAL;
    }
    struct stat st;
    char e[512] = "";
    if (cfg->path != NULL && strcmp(cfg->path, "/") == 0) {
        snprintf(err, errsz,
                 "path: / is the root folder, not a mailbox: give your mbox "
                 "file, Maildir or folder of .eml files");
        return CO_FATAL;
    }
    if (cfg->path != NULL && cfg->path[0] && stat(cfg->path, &st) == 0 &&
        (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) &&
        !mailbox_format_fits(cfg->path, cfg->format, f, S_ISDIR(st.st_mode),
                             err, errsz))
        return CO_FATAL;
    if (cfg->path != NULL && cfg->path[0] && stat(cfg->path, &st) == 0 &&
        !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        mailbox_detect(cfg->path, e, sizeof e);
        snprintf(err, errsz, "path: %s", e[0] ? e : "not a regular file");
        return CO_FATAL;
    }
    /* a file init() refuses: a packed mailbox (a .gz, a Takeout .zip;
     * trial 61), a text or binary file that is not mail (trial 63), one
     * that cannot be read: said by validate too (run refused it, validate
     * said ok) */
    if (cfg->path != NULL && cfg->path[0] && stat(cfg->path, &st) == 0 &&
        S_ISREG(st.st_mode) &&
        mailbox_detect(cfg->path, e, sizeof e) == MAILBOX_AUTO) {
        snprintf(err, errsz, "path: %s%s", e, mailbox_path_fix(e));
        return CO_FATAL;
    }
    return co_mail_source_check(&cfg->mail, err, errsz);
}

static co_status_t mailbox_init(const co_host_api_t *api, co_stage_t *st,
                                const void *config, void **instance)
{
    const mailbox_cfg_t *cfg = config;
    mailbox_api = api;
    mailbox_format_t want;
    if (cfg->path == NULL || cfg->path[0] == '\0') {
        api->set_error(st, "config",
                       "config.path is required: an mbox file, a Maildir or "
                       "a folder of .eml files");
        return CO_FATAL;
    }
    if (mailbox_format_parse(cfg->format, &want) != 0) {
        char e[256];
        mailbox_check(cfg, e, sizeof e);
        api->set_error(st, "config", "config.%s", e);
        return CO_FATAL;
    }
    char err[512] = "";
    mailbox_format_t found = mailbox_detect(cfg->path, err, sizeof err);
    if (found == MAILBOX_AUTO) {
        api->set_error(st, "config", "config.path: %s%s", err,
                       mailbox_path_fix(err));
        return CO_FATAL;
    }
    struct stat sb;
    int dir = stat(cfg->path, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (want == MAILBOX_AUTO)
        want = found;
    if (strcmp(cfg->path, "/") == 0 ||
        !mailbox_format_fits(cfg->path, cfg->format, want, dir, err,
                             sizeof err)) {
        if (strcmp(cfg->path, "/") == 0)
            mailbox_check(cfg, err, sizeof err);
        api->set_error(st, "config", "config.%s", err);
        return CO_FATAL;
    }
    mailbox_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return CO_FATAL;
    m->st = st;
    m->cfg = cfg;
    m->fmt = want;
    m->fd = -1;
    m->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->fp_cache =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->said = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->failed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char *real = realpath(cfg->path, NULL);
    m->path = g_strdup(real != NULL ? real : cfg->path);
    free(real);
    m->run_keys =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    *instance = m;
    if (want == MAILBOX_MBOX || want == MAILBOX_MBOXRD) {
        m->fd = open(cfg->path, O_RDONLY | O_CLOEXEC);
        if (m->fd < 0) {
            api->set_error(st, "config", "cannot open %s: %s", cfg->path,
                           strerror(errno));
            return CO_FATAL;
        }
    }
    co_mail_init();
    if ((m->ms = co_mail_source_new(api, st, &cfg->mail)) == NULL)
        return CO_FATAL;
    api->log(st, CO_LOG_INFO, "reading %s as %s%s, archive %s", cfg->path,
             mailbox_format_name(want), cfg->follow ? ", following" : "",
             co_mail_source_archive(m->ms));
    return CO_OK;
}

/* A stored Maildir or .eml position: say what is kept of it. */
static void mailbox_resume_dir(mailbox_t *m, const mailbox_pos_t *pos)
{
    unsigned n = g_hash_table_size(m->seen);
    const char *other =
        pos->path != NULL && strcmp(pos->path, m->path) != 0 ? pos->path : NULL;
    if (m->fmt == MAILBOX_EML && n > 0 && !pos->content_sha256) {
        /* names only: another export may have put other mail under them */
        mailbox_api->log(m->st, CO_LOG_WARN,
                         "%s: the stored position (%u files read) was saved "
                         "by an older version, without the content of the "
                         "files: reading every .eml file again (messages "
                         "read before are emitted again with the same "
                         "idempotency keys and stored once downstream)",
                         m->cfg->path, n);
        g_hash_table_remove_all(m->seen);
    } else if (other != NULL) {
        mailbox_api->log(
            m->st, CO_LOG_INFO,
            "resuming %s with the position saved for %s (%u messages read): "
            "%s",
            m->cfg->path, other, n,
            m->fmt == MAILBOX_MAILDIR
                ? "a message whose Maildir name was read there is not read "
                  "again (a Maildir name belongs to one message)"
                : "a file with the name and content of one read there is not "
                  "read again");
    } else {
        mailbox_api->log(m->st, CO_LOG_INFO, "resuming %s, %u messages read",
                         m->cfg->path, n);
    }
}

static co_status_t mailbox_start(void *instance)
{
    mailbox_t *m = instance;
    char *stored = NULL;
    size_t len = 0;
    int rc = mailbox_api->state_get(m->st, MAILBOX_STATE_KEY, &stored, &len);
    if (rc == CO_ERR_NOTFOUND)
        return CO_OK;
    if (rc != 0) {
        mailbox_api->set_error(m->st, "state",
                               "cannot read the stored position");
        return CO_RETRY;
    }
    char err[256];
    mailbox_pos_t pos;
    g_hash_table_remove_all(m->seen);
    rc = mailbox_position_decode(stored, len, m->fmt, &pos, m->seen, err,
                                 sizeof err);
    mailbox_api->free(stored);
    if (rc != 0) {
        mailbox_api->log(m->st, CO_LOG_WARN,
                         "%s: %s: reading from the start (duplicates keep "
                         "their keys)",
                         m->cfg->path, err);
        g_hash_table_remove_all(m->seen);
        return CO_OK;
    }
    if (m->fmt != MAILBOX_MBOX && m->fmt != MAILBOX_MBOXRD) {
        mailbox_resume_dir(m, &pos);
    } else if (mailbox_remap(m, NULL) < 0) {
        g_free(pos.path);
        mailbox_api->set_error(m->st, "io", "cannot read %s: %s", m->cfg->path,
                               strerror(errno));
        return CO_RETRY;
    } else {
        m->offset = pos.offset;
        m->mark = pos.mark;
        mailbox_check_offset(m, pos.path, 1);
    }
    g_free(pos.path);
    return CO_OK;
}

static co_status_t mailbox_poll(void *instance, int timeout_ms)
{
    mailbox_t *m = instance;
    if (m->fmt == MAILBOX_MBOX || m->fmt == MAILBOX_MBOXRD)
        return mailbox_poll_mbox(m, timeout_ms);
    return mailbox_poll_dir(m, timeout_ms);
}

static void mailbox_destroy(void *instance)
{
    mailbox_t *m = instance;
    if (m == NULL)
        return;
    mailbox_unmap(m);
    if (m->fd >= 0)
        close(m->fd);
    if (m->pending != NULL)
        g_ptr_array_unref(m->pending);
    if (m->seen != NULL)
        g_hash_table_destroy(m->seen);
    if (m->fp_cache != NULL)
        g_hash_table_destroy(m->fp_cache);
    if (m->said != NULL)
        g_hash_table_destroy(m->said);
    if (m->failed != NULL)
        g_hash_table_destroy(m->failed);
    mailbox_skips_clear(&m->skips);
    g_free(m->path);
    if (m->run_keys != NULL)
        g_hash_table_destroy(m->run_keys);
    co_mail_source_free(m->ms);
    free(m);
}

static const co_plugin_t mailbox_plugin = {
    CO_PLUGIN_HEADER,
    .name = "mailbox-source",
    .version = "1.0.0",
    .description = "Reads mbox files (mboxo/mboxrd, Google Takeout), Maildir "
                   "trees and folders of .eml files into careerops.email.v1 "
                   "records, remembering its position.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SOURCE,
    .options = mailbox_options,
    .config_size = sizeof(mailbox_cfg_t),
    .init = mailbox_init,
    .start = mailbox_start,
    .poll = mailbox_poll,
    .destroy = mailbox_destroy,
    .check = mailbox_check, /* format, path, archive (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    /* GMime's start-up is not thread-safe: do it on the host's main
     * thread (the host itself no longer links the mail library) */
    co_mail_init();
    mailbox_api = api;
    return &mailbox_plugin;
}
