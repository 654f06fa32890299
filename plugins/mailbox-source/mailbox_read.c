/**
 * @file plugins/mailbox-source/mailbox_read.c
 * @brief mbox framing, Maildir/.eml listing, keys and positions (pure).
 *
 * The mbox reader is written here rather than taken from GMime: GMime's
 * mbox mode (GMIME_FORMAT_MBOX) cuts a message at any `From ` line after a
 * blank line and, on some inputs, returns NULL without reaching the end of
 * the stream, so a `while (!eos)` loop never ends (gmime#116, known-bugs
 * case 08). Framing is a line scan; parsing the messages stays GMime's job.
 */
#include "mailbox_read.h"
#include "co_mail.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const format_names[] = {"auto", "mbox", "mboxrd", "maildir",
                                           "eml"};

int mailbox_format_parse(const char *s, mailbox_format_t *out)
{
    if (s == NULL) { /* not set: the option's default */
        *out = MAILBOX_AUTO;
        return 0;
    }
    for (int i = 0; i < (int)G_N_ELEMENTS(format_names); i++)
        if (g_ascii_strcasecmp(s, format_names[i]) == 0) {
            *out = (mailbox_format_t)i;
            return 0;
        }
    if (g_ascii_strcasecmp(s, "mboxo") == 0) {
        *out = MAILBOX_MBOX;
        return 0;
    }
    return -1;
}

const char *mailbox_format_name(mailbox_format_t f)
{
    return (int)f >= 0 && (size_t)f < G_N_ELEMENTS(format_names)
               ? format_names[f]
               : "?";
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int has_maildir_subdirs(const char *dir)
{
    char *cur = g_build_filename(dir, "cur", NULL);
    char *nw = g_build_filename(dir, "new", NULL);
    int r = is_dir(cur) || is_dir(nw);
    g_free(cur);
    g_free(nw);
    return r;
}

/* What a path that is neither a file nor a folder is, for the error. */
static const char *special_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a pipe (FIFO)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "a file of an unknown kind";
}

/* A packed file: its format by magic number (gzip RFC 1952, bzip2, xz,
 * zstd RFC 8878, zip, 7z, tar) and the command that unpacks it. Mailboxes
 * are often exported packed (Google Takeout, a backup), and "not mail"
 * alone does not say what to do. */
typedef struct {
    const char *magic;
    size_t len, at;
    const char *kind, *fix;
} packed_t;

static const packed_t *packed_kind(const char *h, size_t n)
{
    static const packed_t known[] = {
        {"\x1f\x8b", 2, 0, "a gzip file", "gunzip FILE"},
        {"BZh", 3, 0, "a bzip2 file", "bunzip2 FILE"},
        {"\xfd"
         "7zXZ\0",
         6, 0, "an xz file", "unxz FILE"},
        {"\x28\xb5\x2f\xfd", 4, 0, "a zstd file", "unzstd FILE"},
        {"PK\x03\x04", 4, 0, "a zip archive", "unzip FILE"},
        {"7z\xbc\xaf\x27\x1c", 6, 0, "a 7z archive", "7z x FILE"},
        {"ustar", 5, 257, "a tar archive", "tar -xf FILE"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (n >= known[i].at + known[i].len &&
            memcmp(h + known[i].at, known[i].magic, known[i].len) == 0 &&
            (known[i].magic[0] != 'B' ||
             (n > 3 && h[3] >= '1' && h[3] <= '9'))) /* bzip2: BZh1..9 */
            return &known[i];
    return NULL;
}

mailbox_format_t mailbox_detect(const char *path, char *err, size_t errsz)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return MAILBOX_AUTO;
    }
    if (S_ISDIR(st.st_mode)) {
        if (has_maildir_subdirs(path))
            return MAILBOX_MAILDIR;
        /* a Maildir++ tree whose root has only sub-folders */
        DIR *d = opendir(path);
        mailbox_format_t f = MAILBOX_EML;
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            if (e->d_name[0] != '.' || strcmp(e->d_name, ".") == 0 ||
                strcmp(e->d_name, "..") == 0)
                continue;
            char *sub = g_build_filename(path, e->d_name, NULL);
            if (has_maildir_subdirs(sub))
                f = MAILBOX_MAILDIR;
            g_free(sub);
        }
        if (d != NULL)
            closedir(d);
        return f;
    }
    if (!S_ISREG(st.st_mode)) {
        /* reading a pipe or a device would block or never end, and a
         * stream cannot be re-read from a stored position */
        snprintf(err, errsz,
                 "%s is %s, not a regular file, Maildir or folder: save the "
                 "stream to a file first (e.g. `cat ... > mail.mbox`) and "
                 "read that file",
                 path, special_kind(st.st_mode));
        return MAILBOX_AUTO;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return MAILBOX_AUTO;
    }
    char head[4096];
    size_t n = fread(head, 1, sizeof head, f), z = 0;
    if (n > 0 && head[0] == '\0' && co_mail_utf16(head, n) == NULL) {
        /* NUL bytes before the header fields (not UTF-16BE text): skipped
         * while reading, so the window holds what follows them however
         * many there are (trial 75: 4 KiB of NULs made it "not mail") */
        int c;
        rewind(f);
        while ((c = getc(f)) == 0)
            z++;
        if (c != EOF)
            ungetc(c, f);
        n = fread(head, 1, sizeof head, f);
    }
    fclose(f);
    if (z > 0 && n == 0) {
        snprintf(err, errsz,
                 "%s is not mail: it holds %zu NUL bytes and nothing else; "
                 "give an mbox file, a Maildir, or a folder of .eml files",
                 path, z);
        return MAILBOX_AUTO;
    }
    const char *h = head;
    if (n >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0) {
        h += 3;
        n -= 3;
    }
    size_t pl = strlen(path), blank = 0;
    while (blank < n && g_ascii_isspace(h[blank]))
        blank++;
    /* blank only ("\n"): as empty (trial 49) */
    if (blank == n && pl > 4 && g_ascii_strcasecmp(path + pl - 4, ".eml") == 0)
        return MAILBOX_EML; /* an empty message, dead-lettered as such, as
                               in a folder of .eml files (trial 48: the
                               demo said "0 messages found" and no more) */
    if (n == 0 || (blank == n && z == 0))
        return MAILBOX_MBOXRD; /* an empty file is an empty mailbox (a new
                                  Thunderbird folder), not an empty message;
                                  so is one of blank lines (trial 76: "not
                                  mail" for "\n" as .mbox) */
    size_t bl = 0; /* blank lines before it (trial 77: "not mail") */
    while (bl < n && (h[bl] == '\n' || h[bl] == '\r'))
        bl++;
    if (n - bl >= 5 && memcmp(h + bl, "From ", 5) == 0) {
        /* an mbox separator, or a "From " line with header fields after
         * it (Thunderbird's "From - ...", Takeout's); not a letter that
         * starts "From the desk of ..." (note 29: it passed validate, then
         * was dead-lettered as a message without header fields) */
        h += bl;
        n -= bl;
        const char *nl = memchr(h, '\n', n);
        size_t l1 = nl != NULL ? (size_t)(nl - h) : n;
        if (l1 > 0 && h[l1 - 1] == '\r')
            l1--;
        int eml = pl > 4 && g_ascii_strcasecmp(path + pl - 4, ".eml") == 0;
        int from = nl == NULL || mailbox_mbox_strict_line(h, l1) ||
                   co_mail_has_header_block(nl + 1, n - (size_t)(nl + 1 - h));
        if (from && z > 0 && !eml) {
            /* an mbox after NUL bytes: its reader would take them for a
             * message (trial 77: "neither an mbox From line ...") */
            snprintf(err, errsz,
                     "%s starts with %zu NUL bytes before its mbox \"From \" "
                     "line: remove them first (`tr -d '\\000' < FILE > "
                     "clean.mbox`) and read clean.mbox",
                     path, z);
            return MAILBOX_AUTO;
        }
        if (from) /* one message after NULs, as in a folder of .eml */
            return z > 0 ? MAILBOX_EML : MAILBOX_MBOXRD;
        snprintf(err, errsz,
                 "%s is not mail: its first line \"%.*s%s\" is neither an "
                 "mbox separator (\"From ADDRESS DATE\") nor followed by "
                 "RFC 5322 header fields (\"Name: value\"); give an mbox "
                 "file, a Maildir, or a folder of .eml files",
                 path, (int)(l1 > 48 ? 48 : l1), h, l1 > 48 ? "..." : "");
        return MAILBOX_AUTO;
    }
    /* after NUL bytes too: one message, its NULs dropped as in a folder of
     * .eml files (trial 74: "not mail ... binary data" for the one file,
     * read inside a folder) */
    if (co_mail_has_header_block(h, n))
        return MAILBOX_EML;
    const packed_t *packed = packed_kind(h, n);
    if (packed != NULL) {
        /* a .tgz is a tar inside gzip: gunzip alone leaves the tar */
        size_t l = strlen(path);
        int tgz = packed->magic[0] == '\x1f' &&
                  ((l > 4 && g_ascii_strcasecmp(path + l - 4, ".tgz") == 0) ||
                   (l > 7 && g_ascii_strcasecmp(path + l - 7, ".tar.gz") == 0));
        snprintf(err, errsz,
                 "%s is not mail but %s: unpack it first (%s) and give the "
                 "unpacked mailbox, .eml file or folder",
                 path, tgz ? "a gzip-compressed tar archive" : packed->kind,
                 tgz ? "tar -xzf FILE" : packed->fix);
        return MAILBOX_AUTO;
    }
    /* UTF-16 text (a byte order mark, or every other byte NUL: Windows
     * tools' "Unicode" export): mail is ASCII or UTF-8 bytes; iconv turns
     * it into them, not "binary data" (note 29) */
    const char *utf16 = co_mail_utf16(h, n);
    if (utf16 != NULL) {
        snprintf(err, errsz,
                 "%s is %s text, not mail (mail is ASCII or UTF-8 bytes): "
                 "convert it first (`iconv -f %s -t UTF-8 %s > mail.mbox`, "
                 "or mail.eml for one message) and read the converted file",
                 path, utf16, utf16, path);
        return MAILBOX_AUTO;
    }
    char after[64] = "";
    if (z > 0)
        snprintf(after, sizeof after, " after %zu NUL bytes", z);
    snprintf(err, errsz,
             "%s is not mail: it starts%s with neither an mbox \"From \" "
             "line nor RFC 5322 header fields (\"Name: value\")%s",
             path, after,
             memchr(h, '\0', n) != NULL ? " and holds binary data" : "");
    return MAILBOX_AUTO;
}

/* ---- mbox ------------------------------------------------------------------
 */

/* [pos, *eol) is the line without its line break; returns the offset after
 * the break (len if none). */
static size_t line_end(const char *buf, size_t len, size_t pos, size_t *eol)
{
    const char *nl = memchr(buf + pos, '\n', len - pos);
    size_t e = nl != NULL ? (size_t)(nl - buf) : len;
    size_t after = nl != NULL ? e + 1 : len;
    if (e > pos && buf[e - 1] == '\r')
        e--;
    *eol = e;
    return after;
}

/* A header field line: a name of printable characters but ':' and space,
 * then ':'. */
static int header_line(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != ':') {
        unsigned char c = (unsigned char)s[i];
        if (c <= 32 || c >= 127)
            return 0;
        i++;
    }
    return i > 0 && i < n;
}

static int word_eq(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && memcmp(a, b, an) == 0;
}

int mailbox_mbox_strict_line(const char *line, size_t n)
{
    static const char *const dn[] = {"Mon", "Tue", "Wed", "Thu",
                                     "Fri", "Sat", "Sun"};
    static const char *const mn[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (n < 5 || memcmp(line, "From ", 5) != 0)
        return 0;
    /* tokens after "From " */
    const char *tok[12];
    size_t tl[12];
    int nt = 0;
    size_t i = 5;
    while (i < n && nt < 12) {
        while (i < n && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= n)
            break;
        size_t s = i;
        while (i < n && line[i] != ' ' && line[i] != '\t')
            i++;
        tok[nt] = line + s;
        tl[nt++] = i - s;
    }
    if (nt < 5)
        return 0;
    int k = 1; /* tok[0] is the address */
    int day_name = 0;
    for (size_t d = 0; d < G_N_ELEMENTS(dn); d++)
        if (tl[k] == 3 && g_ascii_strncasecmp(tok[k], dn[d], 3) == 0)
            day_name = 1;
    if (day_name)
        k++;
    int month = 0;
    for (size_t m = 0; k < nt && m < G_N_ELEMENTS(mn); m++)
        if (tl[k] == 3 && g_ascii_strncasecmp(tok[k], mn[m], 3) == 0)
            month = 1;
    if (!month)
        return 0;
    k++;
    if (k >= nt || tl[k] > 2 || !isdigit((unsigned char)tok[k][0]) ||
        (tl[k] == 2 && !isdigit((unsigned char)tok[k][1])))
        return 0;
    k++;
    /* hh:mm or hh:mm:ss */
    if (k >= nt || tl[k] < 4 || !isdigit((unsigned char)tok[k][0]) ||
        memchr(tok[k], ':', tl[k]) == NULL)
        return 0;
    for (size_t c = 0; c < tl[k]; c++)
        if (!isdigit((unsigned char)tok[k][c]) && tok[k][c] != ':')
            return 0;
    k++;
    /* a year later on the line (after an optional zone) */
    for (; k < nt; k++) {
        if (tl[k] != 4 && tl[k] != 2)
            continue;
        size_t c = 0;
        while (c < tl[k] && isdigit((unsigned char)tok[k][c]))
            c++;
        if (c == tl[k])
            return 1;
    }
    return 0;
}

/* The first word after "From " and its length. */
static size_t from_word(const char *line, size_t n, const char **w)
{
    size_t i = 5;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t s = i;
    while (i < n && line[i] != ' ' && line[i] != '\t')
        i++;
    *w = line + s;
    return i - s;
}

/* "digits@host": the shape of a Takeout-like separator word. */
static int digits_at(const char *w, size_t n, const char **host)
{
    size_t i = 0;
    while (i < n && isdigit((unsigned char)w[i]))
        i++;
    if (i == 0 || i >= n || w[i] != '@')
        return 0;
    *host = w + i + 1;
    return 1;
}

static int dialect_match(const mailbox_mbox_t *st, const char *w, size_t wn)
{
    if (st->word[0] == '\0')
        return 0;
    if (word_eq(w, wn, st->word))
        return 1;
    const char *h1, *h2;
    size_t sn = strlen(st->word);
    if (digits_at(st->word, sn, &h1) && digits_at(w, wn, &h2))
        return (size_t)(st->word + sn - h1) == (size_t)(w + wn - h2) &&
               memcmp(h1, h2, (size_t)(w + wn - h2)) == 0;
    return 0;
}

static size_t bom_len(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* An empty entry: from `next` (the line after a strict "From " line that
 * follows a blank line), blank lines and then either another strict "From "
 * line that is a separator in its own right (a header line after it, or
 * another empty entry: two empty entries in a row are two), or, when
 * `at_eof`, the end of the file. The entry is a message of no content,
 * which becomes a dead letter ("empty message"), not part of the message
 * before it. A loop, not recursion: a run of empty entries is read
 * without a frame per entry. */
static int empty_entry(const char *buf, size_t len, size_t next, int at_eof)
{
    for (;;) {
        size_t p = next, eol;
        for (;;) {
            if (p >= len)
                return at_eof; /* blank lines to the end of the file */
            size_t after = line_end(buf, len, p, &eol);
            if (eol > p)
                break;
            p = after;
        }
        if (p == next)
            return 0; /* no blank line: a body line */
        size_t h = line_end(buf, len, p, &eol), heol;
        if (!mailbox_mbox_strict_line(buf + p, eol - p))
            return 0;
        if (h >= len)
            return at_eof; /* the next entry's "From " line ends the file */
        line_end(buf, len, h, &heol);
        if (header_line(buf + h, heol - h))
            return 1;
        next = h; /* is that "From " line an empty entry too? */
    }
}

/* The line at `next` is an escaped envelope line (">From ...", ">>From
 * ...": a message saved with its own mbox "From " line, then written to
 * this mbox), or several, and a header field line follows: the separator
 * before them starts a message (trial 66: three such messages were read as
 * one). The normalizer drops those lines (co_mail.c, defect
 * mbox-from-line). */
static int escaped_from_then_header(const char *buf, size_t len, size_t next)
{
    int escaped = 0;
    for (;;) { /* a stack of them: ">From ...", ">>From ..." (trial 67) */
        size_t q = next;
        while (q < len && buf[q] == '>')
            q++;
        if (q == next || len - q < 5 || memcmp(buf + q, "From ", 5) != 0)
            break;
        size_t eol;
        next = line_end(buf, len, next, &eol);
        escaped = 1;
    }
    if (!escaped || next >= len)
        return 0;
    size_t heol;
    line_end(buf, len, next, &heol);
    return header_line(buf + next, heol - next);
}

/* A line holding bytes that no line of text has: NUL or a C0 control but
 * TAB, VT, FF, CR and ESC (ISO-2022-JP text has ESC). Where an entry's
 * header fields should be, that is a damaged entry, not a body line. */
static int binary_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\v' && c != '\f' && c != '\r' &&
            c != 0x1b)
            return 1;
    }
    return 0;
}

int mailbox_after_blank_line(const char *buf, size_t pos)
{
    return pos >= 2 && buf[pos - 1] == '\n' &&
           (buf[pos - 2] == '\n' ||
            (pos >= 3 && buf[pos - 2] == '\r' && buf[pos - 3] == '\n'));
}

int mailbox_mbox_is_separator(const char *buf, size_t len, size_t pos,
                              int at_eof, const mailbox_mbox_t *st)
{
    if (pos + 5 > len || memcmp(buf + pos, "From ", 5) != 0)
        return 0;
    size_t eol;
    size_t next = line_end(buf, len, pos, &eol);
    int strict = mailbox_mbox_strict_line(buf + pos, eol - pos);
    int after_blank = mailbox_after_blank_line(buf, pos);
    int first = pos == bom_len(buf, len);
    if (next >= len) /* the header line after it has not arrived: once no
                        more will, an empty entry at the end of the file */
        return at_eof && strict && (after_blank || first);
    size_t neol;
    line_end(buf, len, next, &neol);
    /* No header field after a full-form line after a blank line: an
     * entry of its own when escaped envelope lines and then a header
     * follow, when it is empty, or when binary data stands where its
     * header should be (trial 72: NUL and garbage bytes there were read as
     * the body of the message before, though every entry is to be emitted
     * or dead-lettered). A line of text there is read as a body line: an
     * mboxo writer that does not escape "From " in bodies writes exactly
     * that, and a damaged entry of text cannot be told from it; such lines
     * are counted (st->headless) and said at WARN, never cut silently. */
    if (!header_line(buf + next, neol - next))
        return (strict && (after_blank || first) &&
                (escaped_from_then_header(buf, len, next) ||
                 binary_line(buf + next, neol - next) ||
                 empty_entry(buf, len, next, at_eof)));
    if (first)
        return 1; /* the file's first line */
    if (strict && after_blank)
        return 1;
    if (st != NULL && !st->strict_first) {
        const char *w;
        size_t wn = from_word(buf + pos, eol - pos, &w);
        return dialect_match(st, w, wn);
    }
    return 0;
}

static void mbox_learn(const char *buf, size_t len, mailbox_mbox_t *st)
{
    if (st->learned)
        return;
    size_t b = bom_len(buf, len);
    size_t eol;
    line_end(buf, len, b, &eol);
    /* wait for the whole first line */
    if (memchr(buf + b, '\n', len - b) == NULL)
        return;
    st->learned = 1;
    if (eol - b < 5 || memcmp(buf + b, "From ", 5) != 0) {
        st->strict_first = 1;
        return;
    }
    st->strict_first = mailbox_mbox_strict_line(buf + b, eol - b);
    const char *w;
    size_t wn = from_word(buf + b, eol - b, &w);
    if (wn >= sizeof st->word)
        wn = sizeof st->word - 1;
    memcpy(st->word, w, wn);
    st->word[wn] = '\0';
}

/* A line at buf[p] (a line start, not a separator) that has a separator's
 * full form, read with the message before it but counted, so that the
 * reader says so. Returns 1 when a header field follows it (a message of
 * its own whose writer left out the blank line before it, or a quoted mbox
 * in a body; not cut there: a separator needs the blank line, corpus
 * known-bugs/08; trial 63: three messages read as one without a word), 2
 * when a blank line is before it and a line that is no header field after
 * it (a body line of a writer that does not escape "From ", or an entry
 * whose header is missing), else 0. */
static int stray_separator(const char *buf, size_t len, size_t p)
{
    size_t eol;
    if (len - p < 5 || memcmp(buf + p, "From ", 5) != 0)
        return 0;
    size_t next = line_end(buf, len, p, &eol);
    if (next >= len || !mailbox_mbox_strict_line(buf + p, eol - p))
        return 0;
    size_t neol;
    line_end(buf, len, next, &neol);
    if (header_line(buf + next, neol - next))
        return 1;
    return mailbox_after_blank_line(buf, p) ? 2 : 0;
}

int mailbox_mbox_next(const char *buf, size_t len, size_t pos, int at_eof,
                      mailbox_mbox_t *st, size_t *msg_start, size_t *msg_end,
                      size_t *next)
{
    if (pos == 0)
        pos = bom_len(buf, len);
    if (pos >= len)
        return 0;
    mbox_learn(buf, len, st);
    if (!st->learned && !at_eof)
        return 0;
    size_t start = pos, eol;
    if (len - pos >= 5 && memcmp(buf + pos, "From ", 5) == 0 &&
        (mailbox_mbox_is_separator(buf, len, pos, at_eof, st) ||
         pos == bom_len(buf, len))) {
        start = line_end(buf, len, pos, &eol);
        if (start >= len && !at_eof)
            return 0;
    }
    size_t p = start, end = len;
    int found = 0;
    unsigned long long unblanked = 0, headless = 0;
    while (p < len) {
        if (buf[p] == 'F' &&
            mailbox_mbox_is_separator(buf, len, p, at_eof, st)) {
            end = p;
            found = 1;
            break;
        }
        if (buf[p] == 'F') {
            int stray = stray_separator(buf, len, p);
            unblanked += stray == 1;
            headless += stray == 2;
        }
        const char *nl = memchr(buf + p, '\n', len - p);
        if (nl == NULL)
            break;
        p = (size_t)(nl - buf) + 1;
    }
    if (!found && !at_eof)
        return 0;
    /* the blank line an mbox writer adds before the next separator */
    size_t e = end;
    if (e >= start + 2 && buf[e - 1] == '\n') {
        if (buf[e - 2] == '\n')
            e--;
        else if (e >= start + 4 && buf[e - 2] == '\r' && buf[e - 3] == '\n')
            e -= 2;
    }
    *msg_start = start;
    *msg_end = e;
    *next = end;
    st->unblanked += unblanked;
    st->headless += headless;
    return 1;
}

char *mailbox_mboxrd_unquote(const char *msg, size_t len, size_t *out_len)
{
    char *out = g_malloc(len + 1);
    size_t w = 0, p = 0;
    while (p < len) {
        size_t q = p;
        while (q < len && msg[q] == '>')
            q++;
        int drop = q > p && len - q >= 5 && memcmp(msg + q, "From ", 5) == 0;
        const char *nl = memchr(msg + p, '\n', len - p);
        size_t e = nl != NULL ? (size_t)(nl - msg) + 1 : len;
        size_t from = p + (drop ? 1 : 0);
        memcpy(out + w, msg + from, e - from);
        w += e - from;
        p = e;
    }
    out[w] = '\0';
    *out_len = w;
    return out;
}

/* ---- Maildir and .eml folders ----------------------------------------------
 */

char *mailbox_maildir_key(const char *folder, const char *name)
{
    size_t n = strlen(name);
    /* ":2," per the Maildir spec; "!2," and ";2," where ':' is not allowed
     * in file names (Dovecot's maildir on such systems) */
    const char *info = strstr(name, ":2,");
    if (info == NULL)
        info = strstr(name, "!2,");
    if (info == NULL)
        info = strstr(name, ";2,");
    if (info != NULL)
        n = (size_t)(info - name);
    if (folder == NULL || folder[0] == '\0')
        return g_strndup(name, n);
    return g_strdup_printf("%s/%.*s", folder, (int)n, name);
}

void mailbox_file_free(gpointer p)
{
    mailbox_file_t *f = p;
    if (f == NULL)
        return;
    g_free(f->key);
    g_free(f->path);
    g_free(f->folder);
    g_free(f);
}

static void add_file(GPtrArray *out, char *key, char *path, const char *folder)
{
    mailbox_file_t *f = g_new0(mailbox_file_t, 1);
    f->key = key;
    f->path = path;
    f->folder = g_strdup(folder != NULL ? folder : "");
    g_ptr_array_add(out, f);
}

static gint mbx_cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_regular(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

void mailbox_skips_clear(mailbox_skips_t *sk)
{
    if (sk == NULL)
        return;
    if (sk->said != NULL)
        g_ptr_array_unref(sk->said);
    memset(sk, 0, sizeof *sk);
}

static void skip_free(gpointer p)
{
    mailbox_skip_t *s = p;
    g_free(s->path);
    g_free(s->why);
    g_free(s);
}

static void skip_note(unsigned *n, char *eg, size_t egsz, const char *rel)
{
    if ((*n)++ == 0)
        snprintf(eg, egsz, "%s", rel);
}

/** What one folder entry is (entry_kind()). */
enum walk_entry_e {
    WALK_GONE = 0, /* removed since readdir(): nothing to say */
    WALK_FILE,     /* a regular file, or a symlink to one */
    WALK_DIR,      /* a folder (not a symlink) */
    WALK_DIR_LINK, /* a symlink to a folder */
    WALK_OTHER     /* anything else: *why says what */
};

/* Classify the entry at p without opening it (a FIFO is never opened, so
 * it never blocks). *st: what it is or links to. *why (g_free) for
 * WALK_OTHER: "a pipe (FIFO), not a regular file", "a symlink to nothing
 * (...)", ... */
static int entry_kind(const char *p, struct stat *st, char **why)
{
    struct stat ls;
    *why = NULL;
    if (lstat(p, &ls) != 0) {
        if (errno == ENOENT)
            return WALK_GONE;
        *why = g_strdup_printf("cannot be examined (%s)", strerror(errno));
        return WALK_OTHER;
    }
    if (!S_ISLNK(ls.st_mode)) {
        *st = ls;
        if (S_ISREG(ls.st_mode))
            return WALK_FILE;
        if (S_ISDIR(ls.st_mode))
            return WALK_DIR;
        *why =
            g_strdup_printf("%s, not a regular file", special_kind(ls.st_mode));
        return WALK_OTHER;
    }
    char *to = g_file_read_link(p, NULL);
    const char *t = to != NULL ? to : "?";
    int rc = WALK_OTHER;
    if (stat(p, st) != 0) {
        int e = errno;
        if (e == ENOENT)
            *why =
                g_strdup_printf("a symlink to nothing (%s does not exist)", t);
        else if (e == ELOOP)
            *why = g_strdup_printf("a symlink loop (%s: %s)", t, strerror(e));
        else
            *why = g_strdup_printf("a symlink whose target cannot be reached "
                                   "(%s: %s)",
                                   t, strerror(e));
    } else if (S_ISREG(st->st_mode)) {
        rc = WALK_FILE;
    } else if (S_ISDIR(st->st_mode)) {
        rc = WALK_DIR_LINK;
    } else {
        *why = g_strdup_printf("a symlink to %s (%s), not a regular file",
                               special_kind(st->st_mode), t);
    }
    g_free(to);
    return rc;
}

/** A symlink to a folder, followed once every real folder is read. */
typedef struct walk_link_s {
    char *path;
    char *rel; /* .eml: path relative to the root; Maildir: folder name */
    int depth;
} walk_link_t;

/** One listing: what it found, what it passed over, where it has been. */
typedef struct walk_s {
    GPtrArray *out;
    mailbox_skips_t *sk; /* NULL: not counted */
    GHashTable *visited; /* "dev:ino" of each folder read -> its rel */
    GQueue links;        /* walk_link_t*: folder symlinks, in order */
    GHashTable *above;   /* "dev:ino" of each folder that holds the top */
    int maildir;
} walk_t;

/* Name one entry passed over, with why (taken). */
static void walk_say(walk_t *w, const char *path, char *why)
{
    if (w->sk == NULL) {
        g_free(why);
        return;
    }
    if (w->sk->said == NULL)
        w->sk->said = g_ptr_array_new_with_free_func(skip_free);
    mailbox_skip_t *s = g_new0(mailbox_skip_t, 1);
    s->path = g_strdup(path);
    s->why = why;
    g_ptr_array_add(w->sk->said, s);
}

/* The names in dir, sorted (dot-files left out unless keep_dots; "." and
 * ".." always). NULL when the folder cannot be read: said, except a
 * folder that is not there (ENOENT) when `quiet_enoent`. */
static GPtrArray *walk_names(walk_t *w, const char *dir, int keep_dots,
                             int quiet_enoent)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (errno != ENOENT || !quiet_enoent)
            walk_say(w, dir,
                     g_strdup_printf("a folder that cannot be read (%s)",
                                     strerror(errno)));
        return NULL;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 ||
            (n[0] == '.' && !keep_dots))
            continue;
        g_ptr_array_add(names, g_strdup(n));
    }
    closedir(d);
    g_ptr_array_sort(names, mbx_cmp_str);
    return names;
}

static void walk_eml(walk_t *w, const char *dir, const char *rel, int depth);
static void walk_maildir(walk_t *w, const char *dir, const char *folder,
                         int depth);

/* "dev:ino": a folder whatever the path it is reached by. */
static char *walk_id(const struct stat *st)
{
    return g_strdup_printf("%llu:%llu", (unsigned long long)st->st_dev,
                           (unsigned long long)st->st_ino);
}

/* Read the folder dir (st: its stat) once: a folder already read (through
 * a symlink, or a bind mount) or deeper than 8 levels is said and passed
 * over. */
static void walk_folder(walk_t *w, const char *dir, const char *rel, int depth,
                        const struct stat *st, int via_link)
{
    if (depth > 8) {
        walk_say(w, dir,
                 g_strdup("a folder more than 8 levels below the top: not "
                          "read"));
        return;
    }
    char *id = walk_id(st);
    const char *before = g_hash_table_lookup(w->visited, id);
    if (before != NULL) {
        walk_say(w, dir,
                 g_strdup_printf(
                     "%s %s%s, read already: not read twice%s",
                     via_link ? "a symlink to" : "the same as",
                     before[0] ? "the folder " : "the top folder", before,
                     via_link ? " (a loop, or a second way in)" : ""));
        g_free(id);
        return;
    }
    g_hash_table_insert(w->visited, id, g_strdup(rel));
    if (w->maildir)
        walk_maildir(w, dir, rel, depth);
    else
        walk_eml(w, dir, rel, depth);
}

static void walk_link(walk_t *w, const char *path, const char *rel, int depth)
{
    walk_link_t *l = g_new0(walk_link_t, 1);
    l->path = g_strdup(path);
    l->rel = g_strdup(rel);
    l->depth = depth;
    g_queue_push_tail(&w->links, l);
}

/* The folders that hold root (its real path's parents, up to /). */
static GHashTable *walk_above(const char *root)
{
    GHashTable *h =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char *p = realpath(root, NULL);
    while (p != NULL && strcmp(p, "/") != 0) {
        char *up = g_path_get_dirname(p);
        free(p);
        p = strdup(up);
        g_free(up);
        struct stat st;
        if (p != NULL && stat(p, &st) == 0)
            g_hash_table_add(h, walk_id(&st));
    }
    free(p);
    return h;
}

/* Is the folder at path (a symlink) one that holds the top folder, or /?
 * Then it is said and not read: it would read the mail around the
 * mailbox, not in it (trials 66, 67). */
static int walk_holds_top(walk_t *w, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    char *id = walk_id(&st);
    int above = g_hash_table_contains(w->above, id);
    g_free(id);
    if (above)
        walk_say(w, path,
                 g_strdup("a symlink to a folder that holds the top "
                          "folder: not read (it would read the mail "
                          "around the mailbox; link the folder you "
                          "mean instead)"));
    return above;
}

/* Walk root, then the folder symlinks found (each folder once: its real
 * path is read first, so a message keeps its key whatever the order the
 * folder lists its entries in). A symlink to a folder that holds the top
 * folder (`ln -s .. up`) is not followed: it would read every message
 * around the mailbox, not in it (trial 66). */
static void walk_run(walk_t *w, const char *root)
{
    struct stat st;
    w->visited = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    w->above = walk_above(root);
    g_queue_init(&w->links);
    if (stat(root, &st) == 0)
        walk_folder(w, root, "", 0, &st, 0);
    walk_link_t *l;
    while ((l = g_queue_pop_head(&w->links)) != NULL) {
        if (stat(l->path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!walk_holds_top(w, l->path))
                walk_folder(w, l->path, l->rel, l->depth, &st, 1);
        }
        g_free(l->path);
        g_free(l->rel);
        g_free(l);
    }
    g_hash_table_destroy(w->above);
    g_hash_table_destroy(w->visited);
}

static void walk_maildir(walk_t *w, const char *dir, const char *folder,
                         int depth)
{
    static const char *const subs[] = {"new", "cur"};
    for (size_t s = 0; s < G_N_ELEMENTS(subs); s++) {
        char *sd = g_build_filename(dir, subs[s], NULL);
        if (walk_holds_top(w, sd)) { /* trial 67: `ln -s .. cur` */
            g_free(sd);
            continue;
        }
        GPtrArray *names = walk_names(w, sd, 0, 1);
        for (guint i = 0; names != NULL && i < names->len; i++) {
            const char *n = g_ptr_array_index(names, i);
            char *p = g_build_filename(sd, n, NULL), *why = NULL;
            struct stat st;
            int k = entry_kind(p, &st, &why);
            if (k == WALK_FILE) {
                add_file(w->out, mailbox_maildir_key(folder, n), p, folder);
                continue; /* p taken */
            }
            if (k != WALK_GONE) {
                if (w->sk != NULL)
                    skip_note(&w->sk->not_regular, w->sk->not_regular_eg,
                              sizeof w->sk->not_regular_eg, p);
                walk_say(w, p,
                         why != NULL ? why
                                     : g_strdup("a folder, not a message "
                                                "file"));
            }
            g_free(p);
        }
        if (names != NULL)
            g_ptr_array_unref(names);
        g_free(sd);
    }
    GPtrArray *names = walk_names(w, dir, 1, 1);
    for (guint i = 0; names != NULL && i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        if (strcmp(n, "cur") == 0 || strcmp(n, "new") == 0 ||
            strcmp(n, "tmp") == 0)
            continue;
        char *sub = g_build_filename(dir, n, NULL), *why = NULL;
        struct stat st;
        int k = entry_kind(sub, &st, &why);
        g_free(why); /* not a folder: not part of the Maildir */
        if ((k == WALK_DIR || k == WALK_DIR_LINK) && has_maildir_subdirs(sub)) {
            char *f = folder[0] == '\0' ? g_strdup(n)
                                        : g_strdup_printf("%s/%s", folder, n);
            if (k == WALK_DIR)
                walk_folder(w, sub, f, depth + 1, &st, 0);
            else
                walk_link(w, sub, f, depth + 1);
            g_free(f);
        }
        g_free(sub);
    }
    if (names != NULL)
        g_ptr_array_unref(names);
}

static gint by_key(gconstpointer a, gconstpointer b)
{
    const mailbox_file_t *x = *(mailbox_file_t *const *)a;
    const mailbox_file_t *y = *(mailbox_file_t *const *)b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : strcmp(x->path, y->path);
}

GPtrArray *mailbox_maildir_list(const char *root)
{
    return mailbox_maildir_list_counted(root, NULL);
}

GPtrArray *mailbox_maildir_list_counted(const char *root,
                                        mailbox_skips_t *skips)
{
    walk_t w = {.out = g_ptr_array_new_with_free_func(mailbox_file_free),
                .sk = skips,
                .maildir = 1};
    if (skips != NULL)
        memset(skips, 0, sizeof *skips);
    walk_run(&w, root);
    g_ptr_array_sort(w.out, by_key);
    return w.out;
}

static int eml_name(const char *n)
{
    size_t l = strlen(n);
    return l > 4 && g_ascii_strcasecmp(n + l - 4, ".eml") == 0;
}

static void walk_eml(walk_t *w, const char *dir, const char *rel, int depth)
{
    mailbox_skips_t *sk = w->sk;
    GPtrArray *names = walk_names(w, dir, 0, 0);
    for (guint i = 0; names != NULL && i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        char *p = g_build_filename(dir, n, NULL), *why = NULL;
        char *r =
            rel[0] == '\0' ? g_strdup(n) : g_strdup_printf("%s/%s", rel, n);
        struct stat st;
        int k = entry_kind(p, &st, &why);
        if (k == WALK_DIR) {
            walk_folder(w, p, r, depth + 1, &st, 0);
        } else if (k == WALK_DIR_LINK) {
            walk_link(w, p, r, depth + 1);
        } else if (k == WALK_OTHER) {
            if (sk != NULL)
                skip_note(&sk->not_regular, sk->not_regular_eg,
                          sizeof sk->not_regular_eg, r);
            /* one named .eml was meant to be read: say why it is not */
            if (eml_name(n))
                walk_say(w, p, why);
            else
                g_free(why);
        } else if (k == WALK_FILE && eml_name(n)) {
            add_file(w->out, r, p, "");
            p = NULL;
            r = NULL;
        } else if (k == WALK_FILE && sk != NULL) {
            skip_note(&sk->not_eml, sk->not_eml_eg, sizeof sk->not_eml_eg, r);
        }
        g_free(p);
        g_free(r);
    }
    if (names != NULL)
        g_ptr_array_unref(names);
}

GPtrArray *mailbox_eml_list(const char *root)
{
    return mailbox_eml_list_counted(root, NULL);
}

GPtrArray *mailbox_eml_list_counted(const char *root, mailbox_skips_t *skips)
{
    walk_t w = {.out = g_ptr_array_new_with_free_func(mailbox_file_free),
                .sk = skips};
    if (skips != NULL)
        memset(skips, 0, sizeof *skips);
    if (is_regular(root))
        add_file(w.out, g_path_get_basename(root), g_strdup(root), "");
    else
        walk_run(&w, root);
    g_ptr_array_sort(w.out, by_key);
    return w.out;
}

/* ---- positions
 * --------------------------------------------------------------- */

static void sha256(unsigned char out[32], const char *p, size_t n)
{
    crypto_hash_sha256(out, (const unsigned char *)p, n);
}

void mailbox_mark_take(mailbox_mark_t *mk, const char *buf, size_t len,
                       uint64_t end)
{
    memset(mk, 0, sizeof *mk);
    if (end == 0 || end > len)
        return;
    size_t w = end < MAILBOX_MARK_WINDOW ? (size_t)end : MAILBOX_MARK_WINDOW;
    sha256(mk->first, buf, w);
    sha256(mk->last, buf + end - w, w);
    mk->end = end;
    mk->set = 1;
}

int mailbox_mbox_boundary(const char *buf, size_t len, uint64_t pos)
{
    if (pos == 0)
        return 1;
    if (pos > len || buf[pos - 1] != '\n')
        return 0;
    if (pos == len)
        return 1;
    mailbox_mbox_t st;
    memset(&st, 0, sizeof st);
    mbox_learn(buf, len, &st);
    return mailbox_mbox_is_separator(buf, len, (size_t)pos, 1, &st);
}

int mailbox_mark_check(const mailbox_mark_t *mk, uint64_t offset,
                       const char *buf, size_t len, char *why, size_t whysz)
{
    if (mk->end > len) {
        snprintf(why, whysz,
                 "it has %zu bytes, fewer than the %llu read before "
                 "(rewritten or truncated)",
                 len, (unsigned long long)mk->end);
        return 0;
    }
    if (offset > mk->end) {
        snprintf(why, whysz,
                 "the stored offset %llu is past the %llu bytes its "
                 "fingerprint covers",
                 (unsigned long long)offset, (unsigned long long)mk->end);
        return 0;
    }
    size_t w =
        mk->end < MAILBOX_MARK_WINDOW ? (size_t)mk->end : MAILBOX_MARK_WINDOW;
    unsigned char h[32];
    sha256(h, buf, w);
    if (memcmp(h, mk->first, sizeof h) != 0) {
        snprintf(why, whysz,
                 "its first %zu bytes are not those read before (another "
                 "file, or rewritten)",
                 w);
        return 0;
    }
    sha256(h, buf + mk->end - w, w);
    if (memcmp(h, mk->last, sizeof h) != 0) {
        snprintf(why, whysz,
                 "the %zu bytes before byte %llu are not those read before "
                 "(rewritten: messages removed, added or changed before it)",
                 w, (unsigned long long)mk->end);
        return 0;
    }
    if (offset != mk->end && !mailbox_mbox_boundary(buf, len, offset)) {
        snprintf(why, whysz, "byte %llu is not the start of a message",
                 (unsigned long long)offset);
        return 0;
    }
    return 1;
}

void mailbox_content_sha256(const char *raw, size_t len, char hex[33])
{
    unsigned char h[32];
    sha256(h, raw, len);
    sodium_bin2hex(hex, 33, h, 16);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *hex_json(const unsigned char h[32])
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, 32);
    return json_string(hex);
}

/* 64 hex digits into h; 0 or -1. */
static int hex_back(json_t *v, unsigned char h[32])
{
    const char *s = json_string_value(v);
    size_t n = 0;
    if (s == NULL || strlen(s) != 64 ||
        sodium_hex2bin(h, 32, s, 64, NULL, &n, NULL) != 0 || n != 32)
        return -1;
    return 0;
}

char *mailbox_position_encode(mailbox_format_t f, const char *path,
                              uint64_t offset, const mailbox_mark_t *mark,
                              GHashTable *seen)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(mailbox_format_name(f)));
    if (path != NULL)
        json_object_set_new(o, "path", json_string(path));
    if (f == MAILBOX_MBOX || f == MAILBOX_MBOXRD) {
        json_object_set_new(o, "offset", json_integer((json_int_t)offset));
        if (mark != NULL && mark->set) {
            json_t *b = json_object();
            json_object_set_new(b, "end", json_integer((json_int_t)mark->end));
            json_object_set_new(b, "first_sha256", hex_json(mark->first));
            json_object_set_new(b, "last_sha256", hex_json(mark->last));
            json_object_set_new(o, "bytes", b);
        }
    } else {
        GPtrArray *keys = g_ptr_array_new();
        if (seen != NULL) {
            GHashTableIter it;
            gpointer k;
            g_hash_table_iter_init(&it, seen);
            while (g_hash_table_iter_next(&it, &k, NULL))
                g_ptr_array_add(keys, k);
        }
        g_ptr_array_sort(keys, cmp_str);
        json_t *arr = json_array();
        json_t *fp = json_object();
        for (guint i = 0; i < keys->len; i++) {
            const char *k = g_ptr_array_index(keys, i);
            json_array_append_new(arr, json_string(k));
            const char *v = g_hash_table_lookup(seen, k);
            if (v != NULL)
                json_object_set_new(fp, k, json_string(v));
        }
        g_ptr_array_free(keys, TRUE);
        json_object_set_new(o, "seen", arr);
        if (f == MAILBOX_EML)
            json_object_set_new(o, "content_sha256", fp);
        else
            json_decref(fp);
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    char *r = g_strdup(s);
    free(s);
    return r;
}

int mailbox_position_decode(const char *json, size_t len, mailbox_format_t f,
                            mailbox_pos_t *pos, GHashTable *seen, char *err,
                            size_t errsz)
{
    memset(pos, 0, sizeof *pos);
    json_error_t je;
    json_t *o = json_loadb(json, len, 0, &je);
    if (!json_is_object(o)) {
        snprintf(err, errsz, "stored position is not a JSON object (%s)",
                 je.text);
        json_decref(o);
        return -1;
    }
    mailbox_format_t sf;
    const char *fs = json_string_value(json_object_get(o, "format"));
    int mbox = f == MAILBOX_MBOX || f == MAILBOX_MBOXRD;
    if (fs == NULL || mailbox_format_parse(fs, &sf) != 0 ||
        (mbox != (sf == MAILBOX_MBOX || sf == MAILBOX_MBOXRD))) {
        snprintf(err, errsz,
                 "stored position is for format \"%s\", the stage reads %s",
                 fs != NULL ? fs : "?", mailbox_format_name(f));
        json_decref(o);
        return -1;
    }
    if (mbox) {
        json_t *v = json_object_get(o, "offset");
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(err, errsz, "stored mbox position has no offset");
            json_decref(o);
            return -1;
        }
        pos->offset = (uint64_t)json_integer_value(v);
        json_t *b = json_object_get(o, "bytes");
        if (b != NULL) {
            json_t *e = json_object_get(b, "end");
            if (!json_is_integer(e) || json_integer_value(e) <= 0 ||
                hex_back(json_object_get(b, "first_sha256"), pos->mark.first) !=
                    0 ||
                hex_back(json_object_get(b, "last_sha256"), pos->mark.last) !=
                    0) {
                snprintf(err, errsz,
                         "stored mbox position has a malformed fingerprint");
                json_decref(o);
                return -1;
            }
            pos->mark.end = (uint64_t)json_integer_value(e);
            pos->mark.set = 1;
        }
    } else {
        json_t *arr = json_object_get(o, "seen");
        json_t *fp = json_object_get(o, "content_sha256");
        pos->content_sha256 = json_is_object(fp);
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v)
        {
            if (!json_is_string(v) || seen == NULL)
                continue;
            const char *k = json_string_value(v);
            const char *h = json_string_value(json_object_get(fp, k));
            g_hash_table_insert(seen, g_strdup(k), g_strdup(h));
        }
    }
    const char *p = json_string_value(json_object_get(o, "path"));
    pos->path = p != NULL ? g_strdup(p) : NULL;
    json_decref(o);
    return 0;
}
