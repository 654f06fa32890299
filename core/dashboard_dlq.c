/* The newest dead letters of a file of any size (see dashboard_dlq.h). */
#include "dashboard_dlq.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a file that is not a regular one is, in words. */
static const char *co__dlq_what(mode_t m)
{
    if (S_ISFIFO(m))
        return "a named pipe";
    if (S_ISDIR(m))
        return "a folder";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a file";
}

int co_dlq_open(const char *path, int flags, char *errstr, size_t errstr_size)
{
    /* O_NONBLOCK: open(2) of a FIFO waits for its other end otherwise */
    int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT)
        return -ENOENT;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        co_errf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        co_errf(errstr, errstr_size,
                "%s: %s, not a regular file (dead letters are the JSON "
                "lines a console-sink writes to a file)",
                path, co__dlq_what(st.st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

/* Lines up to this long are counted by parsing them; longer ones by
 * their first and last characters ('{' and '}'). */
#define CO__DLQ_PARSE_MAX ((long long)1 << 20)

/* A letter becomes a jansson tree of at most this many values (trial 47:
 * 1 MiB lines of tiny arrays, "[[],[],...]", made trees of 50 MB each, and
 * a listing of them 1.5 to 3 GB): one with more is read member by member,
 * and members beyond what is left of the budget are omitted; a listing
 * stops adding letters at CO__DLQ_ANSWER_NODES values. A value costs
 * jansson 100 to 300 bytes: 6 MB a letter, 75 MB a listing at most. */
#define CO__DLQ_NODES_MAX    ((size_t)20000)
#define CO__DLQ_ANSWER_NODES ((size_t)250000)

enum { CO__DLQ_BLANK, CO__DLQ_GARBAGE, CO__DLQ_LETTER };

/* The number of JSON values in s (len bytes), an upper bound counted from
 * its brackets and commas outside strings; counting stops past `limit`. */
static size_t co__dlq_nodes(const char *s, size_t len, size_t limit)
{
    size_t n = 1;
    int in_str = 0;
    for (size_t i = 0; i < len && n <= limit; i++) {
        char c = s[i];
        if (in_str && c == '\\')
            i++; /* an escape: its next character is not the end */
        else if (in_str)
            in_str = c != '"';
        else if (c == '"')
            in_str = 1;
        else
            n += c == '[' || c == '{' || c == ',';
    }
    return n;
}

static int co__dlq_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The kind of the line [start, end) of fd, by its first and last
 * characters that are not blanks; -1 on a read error. */
static int co__dlq_braces(int fd, long long start, long long end)
{
    char head[64], tail[64];
    size_t len = (size_t)(end - start), h = len < 64 ? len : 64;
    if (pread(fd, head, h, (off_t)start) != (ssize_t)h ||
        pread(fd, tail, h, (off_t)(end - (long long)h)) != (ssize_t)h)
        return -1;
    size_t i = 0, k = h;
    while (i < h && co__dlq_space(head[i]))
        i++;
    while (k > 0 && co__dlq_space(tail[k - 1]))
        k--;
    if (i == h && k == 0 && len <= 64)
        return CO__DLQ_BLANK;
    return i < h && k > 0 && head[i] == '{' && tail[k - 1] == '}'
               ? CO__DLQ_LETTER
               : CO__DLQ_GARBAGE;
}

/* The kind of the line text (len bytes): blank, not a JSON object, or a
 * letter (parsed into *out when out is not NULL, else freed). One of more
 * than CO__DLQ_NODES_MAX values is told by its first and last characters
 * that are not blanks, and not parsed. */
static int co__dlq_text_kind(const char *text, size_t len, json_t **out)
{
    size_t i = 0, k = len;
    while (i < len && co__dlq_space(text[i]))
        i++;
    while (k > i && co__dlq_space(text[k - 1]))
        k--;
    if (i == len)
        return CO__DLQ_BLANK;
    if (co__dlq_nodes(text, len, CO__DLQ_NODES_MAX) > CO__DLQ_NODES_MAX)
        return text[i] == '{' && text[k - 1] == '}' ? CO__DLQ_LETTER
                                                    : CO__DLQ_GARBAGE;
    json_t *j = json_loadb(text, len, 0, NULL);
    int kind = json_is_object(j) ? CO__DLQ_LETTER : CO__DLQ_GARBAGE;
    if (kind == CO__DLQ_LETTER && out != NULL)
        *out = j;
    else
        json_decref(j);
    return kind;
}

/* The kind of the line [start, end) of fd, as co__dlq_text_kind() says;
 * one over CO__DLQ_PARSE_MAX bytes is told by co__dlq_braces(). -1 on a
 * read error. */
static int co__dlq_kind(int fd, long long start, long long end)
{
    long long len = end - start;
    if (len == 0)
        return CO__DLQ_BLANK;
    if (len > CO__DLQ_PARSE_MAX)
        return co__dlq_braces(fd, start, end);
    char *text = malloc((size_t)len);
    if (text == NULL ||
        pread(fd, text, (size_t)len, (off_t)start) != (ssize_t)len) {
        free(text);
        return -1;
    }
    int kind = co__dlq_text_kind(text, (size_t)len, NULL);
    free(text);
    return kind;
}

/* The counts of a file's complete lines, kept between listings (the
 * dashboard asks every few seconds; trial 47: each request parsed every
 * line of the file again): a file grown since, the same one (device,
 * inode, the byte before `upto` still a '\n'), is counted from `upto` on.
 * One file at a time: the dashboard reads one. */
static struct {
    pthread_mutex_t mu;
    dev_t dev;
    ino_t ino;
    long long upto; /* counted: lines before this offset */
    size_t total, unreadable;
    char head[256], tail[256]; /* the file's first bytes, those before upto */
    size_t headn, tailn;
} co__dlq_seen = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Reads the first bytes of fd and those before offset upto (at most 256
 * each) into head and tail; 0, or -1. A file replaced under the same
 * inode, or rewritten in place, differs there (trial 49: counts of the
 * old file were kept). */
static int co__dlq_marks(int fd, long long upto, char *head, size_t *headn,
                         char *tail, size_t *tailn)
{
    *headn = upto < 256 ? (size_t)upto : 256;
    *tailn = *headn;
    return pread(fd, head, *headn, 0) == (ssize_t)*headn &&
                   pread(fd, tail, *tailn, (off_t)(upto - (long long)*tailn)) ==
                       (ssize_t)*tailn
               ? 0
               : -1;
}

/* Counts the letters and unreadable lines of the first `size` bytes of
 * fd, read by pieces from the counts kept for its first lines (a last
 * line without '\n' counts, and is counted again next time); -1 on a
 * read error. */
static int co__dlq_count(int fd, const struct stat *st, co_dlq_counts_t *n)
{
    char buf[1 << 16], head[256], tail[256];
    size_t headn, tailn;
    long long size = (long long)st->st_size, at = 0;
    pthread_mutex_lock(&co__dlq_seen.mu);
    if (co__dlq_seen.dev == st->st_dev && co__dlq_seen.ino == st->st_ino &&
        co__dlq_seen.upto > 0 && co__dlq_seen.upto <= size &&
        co__dlq_marks(fd, co__dlq_seen.upto, head, &headn, tail, &tailn) == 0 &&
        headn == co__dlq_seen.headn &&
        memcmp(head, co__dlq_seen.head, headn) == 0 &&
        memcmp(tail, co__dlq_seen.tail, tailn) == 0 &&
        tail[tailn - 1] == '\n') {
        at = co__dlq_seen.upto;
        n->total = co__dlq_seen.total;
        n->unreadable = co__dlq_seen.unreadable;
    }
    pthread_mutex_unlock(&co__dlq_seen.mu);
    long long start = at;
    while (at < size) {
        size_t want = size - at < (long long)sizeof buf ? (size_t)(size - at)
                                                        : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)at);
        if (got <= 0)
            return -1;
        for (char *p = buf, *e = buf + got;
             (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) {
            long long nl = at + (p - buf);
            /* a line wholly in buf is read there (W5: a malloc and a
             * pread per line made 30 million short lines take 76 s) */
            int k = start >= at ? co__dlq_text_kind(buf + (start - at),
                                                    (size_t)(nl - start), NULL)
                                : co__dlq_kind(fd, start, nl);
            if (k < 0)
                return -1;
            n->total += k == CO__DLQ_LETTER;
            n->unreadable += k == CO__DLQ_GARBAGE;
            start = nl + 1;
        }
        at += got;
    }
    int marked =
        start > 0 && co__dlq_marks(fd, start, head, &headn, tail, &tailn) == 0;
    pthread_mutex_lock(&co__dlq_seen.mu);
    co__dlq_seen.dev = st->st_dev;
    co__dlq_seen.ino = st->st_ino;
    co__dlq_seen.upto = marked ? start : 0;
    if (marked) {
        memcpy(co__dlq_seen.head, head, headn);
        memcpy(co__dlq_seen.tail, tail, tailn);
        co__dlq_seen.headn = headn;
        co__dlq_seen.tailn = tailn;
    }
    co__dlq_seen.total = n->total;
    co__dlq_seen.unreadable = n->unreadable;
    pthread_mutex_unlock(&co__dlq_seen.mu);
    int k = start < size ? co__dlq_kind(fd, start, size) : CO__DLQ_BLANK;
    n->total += k == CO__DLQ_LETTER;
    n->unreadable += k == CO__DLQ_GARBAGE;
    return k < 0 ? -1 : 0;
}

/* The start of the line that ends at `end` (exclusive): the byte after
 * the previous '\n', found by reading backwards in pieces; -1 on a read
 * error. */
static long long co__dlq_line_start(int fd, long long end)
{
    char buf[1 << 16];
    long long at = end;
    while (at > 0) {
        size_t n = at < (long long)sizeof buf ? (size_t)at : sizeof buf;
        if (pread(fd, buf, n, (off_t)(at - (long long)n)) != (ssize_t)n)
            return -1;
        for (size_t i = n; i > 0; i--)
            if (buf[i - 1] == '\n')
                return at - (long long)n + (long long)i;
        at -= (long long)n;
    }
    return 0;
}

/* Cuts the string `j` to CO_DLQ_FIELD_MAX bytes (at a character's
 * start), noting it in `cut` as PATH: `full`, its length in bytes. */
static void co__dlq_cut_string(json_t *j, const char *path, size_t full,
                               json_t *cut)
{
    const char *s = json_string_value(j);
    size_t m = CO_DLQ_FIELD_MAX;
    if (json_string_length(j) <= m)
        return;
    while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
        m--;
    json_object_set_new(cut, path, json_integer((json_int_t)full));
    json_string_setn(j, s, m);
}

/* Cuts the strings in `j` longer than CO_DLQ_FIELD_MAX (at a character's
 * start), each noted in `cut` as PATH: its length in bytes. */
static void co__dlq_cut(json_t *j, const char *path, json_t *cut)
{
    const char *k;
    json_t *v;
    size_t i;
    co_buf_t p = {0};
    if (json_is_string(j) && json_string_length(j) > CO_DLQ_FIELD_MAX) {
        co__dlq_cut_string(j, path, json_string_length(j), cut);
    } else if (json_is_object(j)) {
        json_object_foreach(j, k, v)
        {
            p.len = 0;
            co_buf_printf(&p, "%s%s%s", path, path[0] ? "." : "", k);
            co__dlq_cut(v, p.data, cut);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            p.len = 0;
            co_buf_printf(&p, "%s[%zu]", path, i);
            co__dlq_cut(v, p.data, cut);
        }
    }
    co_buf_free(&p);
}

/* A letter over CO__DLQ_PARSE_MAX is read member by member (trial 46: a
 * 15 MB letter of a million small members took over 100 MB as a jansson
 * tree): its top-level members of at most CO__DLQ_MEMBER_MAX bytes are
 * parsed, a longer string is read from its start, larger objects,
 * arrays and numbers are omitted, and so are the members after the first
 * CO__DLQ_MEMBERS_MAX. */
#define CO__DLQ_MEMBER_MAX  ((size_t)64 << 10)
#define CO__DLQ_MEMBERS_MAX 256

static size_t co__dlq_blanks(const char *s, size_t len, size_t i)
{
    while (i < len && co__dlq_space(s[i]))
        i++;
    return i;
}

/* The code point of the 4 hex digits at s, or -1. */
static long co__dlq_hex4(const char *s)
{
    char h[5] = {s[0], s[1], s[2], s[3], 0}, *e;
    long v = strtol(h, &e, 16);
    return *e == 0 && h[0] != '-' && h[0] != '+' && h[0] != ' ' ? v : -1;
}

/* The end (past its closing quote) of the JSON string at s[i] == '"', or
 * 0 when it has none; its decoded length in *dec, and in *head the end of
 * the escapes or characters that decode to `want` bytes or more (its
 * closing quote when it is shorter). */
static size_t co__dlq_string(const char *s, size_t len, size_t i, size_t want,
                             size_t *dec, size_t *head)
{
    *dec = 0;
    *head = 0;
    for (i++; i < len; i++) {
        if (*head == 0 && *dec >= want)
            *head = i;
        if (s[i] == '"') {
            *head = *head ? *head : i;
            return i + 1;
        }
        if (s[i] != '\\') {
            (*dec)++;
        } else if (i + 5 < len && s[i + 1] == 'u') {
            long c = co__dlq_hex4(s + i + 2);
            if (c >= 0xD800 && c < 0xDC00 && i + 11 < len && s[i + 6] == '\\' &&
                s[i + 7] == 'u') {
                *dec += 4; /* a surrogate pair: 4 bytes of UTF-8 */
                i += 11;
            } else {
                *dec += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
                i += 5;
            }
        } else {
            (*dec)++;
            i++;
        }
    }
    return 0;
}

/* The end of the JSON value at s[i] (strings and brackets matched, not
 * otherwise checked), or 0. */
static size_t co__dlq_value_end(const char *s, size_t len, size_t i)
{
    size_t dec, head, depth = 0;
    if (i < len && s[i] == '"')
        return co__dlq_string(s, len, i, 0, &dec, &head);
    if (i < len && s[i] != '{' && s[i] != '[') { /* a number, true, ... */
        while (i < len && !co__dlq_space(s[i]) && s[i] != ',' && s[i] != '}' &&
               s[i] != ']')
            i++;
        return i;
    }
    for (; i < len; i++) {
        if (s[i] == '"') {
            i = co__dlq_string(s, len, i, 0, &dec, &head);
            if (i-- == 0)
                return 0;
        } else if (s[i] == '{' || s[i] == '[') {
            depth++;
        } else if ((s[i] == '}' || s[i] == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

/* The member `key` of a large letter, its value the text v (vlen bytes),
 * set in `o` when it has at most *budget values (taken from it); or named
 * in `omit` with its size; -1 when it is not JSON. */
static int co__dlq_member(json_t *o, const char *key, const char *v,
                          size_t vlen, json_t *cut, json_t *omit,
                          size_t *budget)
{
    size_t dec, head, nodes = co__dlq_nodes(v, vlen, *budget);
    json_t *j = NULL;
    if (vlen <= CO__DLQ_MEMBER_MAX && nodes <= *budget) {
        j = json_loadb(v, vlen, JSON_DECODE_ANY, NULL);
        if (j == NULL)
            return -1;
        *budget -= nodes;
    } else if (v[0] == '"') { /* its start, the length it has in full */
        co__dlq_string(v, vlen, 0, CO_DLQ_FIELD_MAX + 1, &dec, &head);
        co_buf_t b = {0};
        co_buf_add(&b, v, head);
        co_buf_add(&b, "\"", 1);
        j = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
        co_buf_free(&b);
        if (j == NULL)
            return -1;
        co__dlq_cut_string(j, key, dec, cut);
    }
    if (j == NULL)
        json_object_set_new(omit, key, json_integer((json_int_t)vlen));
    else
        json_object_set_new(o, key, j);
    return 0;
}

/* The letter of the line s (len bytes, over CO__DLQ_PARSE_MAX or of more
 * than CO__DLQ_NODES_MAX values) without parsing it whole, as
 * CO__DLQ_MEMBER_MAX and the *budget of values say; NULL when it is not a
 * JSON object. */
static json_t *co__dlq_scan(const char *s, size_t len, json_t *cut,
                            json_t *omit, size_t *budget)
{
    size_t i = co__dlq_blanks(s, len, 0), n = 0, dec, head;
    json_t *o = json_object();
    if (i >= len || s[i] != '{')
        goto bad;
    i = co__dlq_blanks(s, len, i + 1);
    for (; i >= len || s[i] != '}'; n++) {
        if (n == CO__DLQ_MEMBERS_MAX) {
            json_object_set_new(omit, "(the other members)",
                                json_integer((json_int_t)(len - i)));
            return o;
        }
        size_t ke = i < len && s[i] == '"'
                        ? co__dlq_string(s, len, i, 0, &dec, &head)
                        : 0;
        json_t *k = ke > 0 && ke - i <= CO__DLQ_MEMBER_MAX
                        ? json_loadb(s + i, ke - i, JSON_DECODE_ANY, NULL)
                        : NULL;
        i = ke > 0 ? co__dlq_blanks(s, len, ke) : len;
        size_t vs = co__dlq_blanks(s, len, i + 1);
        size_t ve = i < len && s[i] == ':' ? co__dlq_value_end(s, len, vs) : 0;
        int bad = !json_is_string(k) || ve == 0 ||
                  co__dlq_member(o, json_string_value(k), s + vs, ve - vs, cut,
                                 omit, budget) != 0;
        json_decref(k);
        i = bad ? len : co__dlq_blanks(s, len, ve);
        if (i >= len || (s[i] != ',' && s[i] != '}'))
            goto bad;
        if (s[i] == ',')
            i = co__dlq_blanks(s, len, i + 1);
        else
            break;
    }
    if (co__dlq_blanks(s, len, i + 1) == len)
        return o;
bad:
    json_decref(o);
    return NULL;
}

/* The kind of the line [start, end) of fd, as co__dlq_kind() says, its
 * letter in *out and the number of its values in *nodes; one over
 * CO__DLQ_PARSE_MAX bytes or CO__DLQ_NODES_MAX values is read by
 * co__dlq_scan(), one over CO_DLQ_LETTER_MAX bytes not at all. -1 on a
 * read error. */
static int co__dlq_letter(int fd, long long start, long long end, json_t **out,
                          json_t *cut, json_t *omit, size_t *nodes)
{
    size_t len = (size_t)(end - start);
    *nodes = 0;
    if (len == 0 || len > CO_DLQ_LETTER_MAX)
        return co__dlq_kind(fd, start, end);
    char *text = malloc(len);
    if (text == NULL || pread(fd, text, len, (off_t)start) != (ssize_t)len) {
        free(text);
        return -1;
    }
    size_t nn = co__dlq_nodes(text, len, CO__DLQ_NODES_MAX);
    if (len <= (size_t)CO__DLQ_PARSE_MAX && nn <= CO__DLQ_NODES_MAX) {
        int kind = co__dlq_text_kind(text, len, out);
        free(text);
        *nodes = nn;
        return kind;
    }
    size_t budget = CO__DLQ_NODES_MAX;
    *out = co__dlq_scan(text, len, cut, omit, &budget);
    free(text);
    *nodes = CO__DLQ_NODES_MAX - budget;
    if (*out != NULL)
        return CO__DLQ_LETTER;
    json_object_clear(cut);
    json_object_clear(omit);
    return co__dlq_braces(fd, start, end);
}

/* Sets `notes` as the member `name` of letter j when it has any, counting
 * the letter in *count. */
static void co__dlq_note(json_t *j, const char *name, json_t *notes,
                         size_t *count)
{
    if (json_object_size(notes) == 0)
        return;
    (*count)++;
    json_object_set(j, name, notes);
}

/* Lists the newest letters of fd (the first `size` bytes) into arr, from
 * the end, as co_dlq_tail() says; 0, or -1 on a read error. */
static int co__dlq_list(int fd, long long size, size_t max, json_t *arr,
                        co_dlq_counts_t *n, size_t *big)
{
    long long end = size;
    size_t seen = 0, bytes = 0, nodes = 0;
    int full = 0;
    while (end > 0 && json_array_size(arr) < max) {
        char c; /* the '\n' that ends this line, if any */
        if (pread(fd, &c, 1, (off_t)(end - 1)) != 1)
            return -1;
        if (c == '\n' && --end == 0)
            break;
        long long start = co__dlq_line_start(fd, end);
        if (start < 0)
            return -1;
        size_t len = (size_t)(end - start);
        if (json_array_size(arr) > 0 && bytes + len > CO_DLQ_ANSWER_MAX &&
            len <= CO_DLQ_LETTER_MAX) {
            full = 1; /* this one, and the older ones, are left out */
            break;
        }
        json_t *j = NULL, *cut = json_object(), *omit = json_object();
        size_t nn = 0;
        int k = co__dlq_letter(fd, start, end, &j, cut, omit, &nn);
        if (j != NULL && json_array_size(arr) > 0 &&
            nodes + nn > CO__DLQ_ANSWER_NODES) {
            json_decref(j); /* this one, and the older ones, are left out */
            json_decref(cut);
            json_decref(omit);
            full = 1;
            break;
        }
        nodes += nn;
        if (k == CO__DLQ_LETTER && j != NULL) {
            co__dlq_cut(j, "", cut);
            co__dlq_note(j, "truncated", cut, &n->truncated);
            co__dlq_note(j, "omitted", omit, &n->too_large);
        }
        json_decref(cut);
        json_decref(omit);
        if (k < 0)
            return -1;
        if (k == CO__DLQ_LETTER && j == NULL) { /* over CO_DLQ_LETTER_MAX */
            (*big)++;
            seen++;
        } else if (k == CO__DLQ_LETTER) {
            json_array_insert_new(arr, 0, j);
            bytes += len;
            seen++;
        }
        end = start;
    }
    n->left_out = *big;
    if (full && n->total > seen) {
        size_t rest = max - json_array_size(arr);
        n->left_out += n->total - seen < rest ? n->total - seen : rest;
    }
    return 0;
}

json_t *co_dlq_tail(const char *path, size_t max, co_dlq_counts_t *n,
                    char *errstr, size_t errstr_size)
{
    memset(n, 0, sizeof *n);
    int fd = co_dlq_open(path, O_RDONLY, errstr, errstr_size);
    if (fd == -ENOENT)
        return json_array();
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    /* the file's size now: letters appended meanwhile wait for the next
     * listing */
    long long size = (long long)st.st_size;
    json_t *arr = json_array();
    size_t big = 0;
    /* one count at a time: a listing asked for while another counts a
     * large file waits for it and goes on from its counts (W5: two
     * requests each counted 30 million lines) */
    static pthread_mutex_t counting = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&counting);
    int failed = co__dlq_count(fd, &st, n) != 0;
    pthread_mutex_unlock(&counting);
    failed = failed || co__dlq_list(fd, size, max, arr, n, &big) != 0;
    close(fd);
    if (failed) {
        co_errf(errstr, errstr_size, "%s: read failed", path);
        json_decref(arr);
        memset(n, 0, sizeof *n);
        return NULL;
    }
    if (big > 0)
        co_log_warn("dashboard: %s: %zu dead letter(s) over %zu MiB not "
                    "listed (read them with careerops dlq show)",
                    path, big, CO_DLQ_LETTER_MAX >> 20);
    return arr;
}

char *co_dlq_read_small(const char *path)
{
    char err[512];
    int fd = path ? co_dlq_open(path, O_RDONLY, err, sizeof err) : -ENOENT;
    if (fd == -1)
        co_log_warn("dashboard: %s", err);
    if (fd < 0)
        return NULL;
    co_buf_t b = {0};
    char chunk[4096];
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) > 0 && b.len < (64u << 20))
        co_buf_add(&b, chunk, (size_t)got);
    close(fd);
    return b.data;
}

void co_dlq_letter_key(const json_t *l, char *buf, size_t size)
{
    const char *t = json_string_value(
        json_object_get(json_object_get(l, "headers"), "careerops.error.time"));
    snprintf(buf, size, "%lld:%lld\t%s\t",
             (long long)json_integer_value(json_object_get(l, "partition")),
             (long long)json_integer_value(json_object_get(l, "offset")),
             t ? t : "");
}

size_t co_dlq_mark_replayed(const char *sidecar, json_t *arr)
{
    char *text = sidecar ? co_dlq_read_small(sidecar) : NULL;
    size_t n = 0, i;
    json_t *l;
    json_array_foreach(arr, i, l)
    {
        char want[256];
        co_dlq_letter_key(l, want, sizeof want);
        for (const char *p = text; p && *p;
             p = strchr(p, '\n'), p = p ? p + 1 : p)
            if (strncmp(p, want, strlen(want)) == 0) {
                const char *t = p + strlen(want), *e = strchr(t, '\n');
                json_object_set_new(
                    l, "replayed_at",
                    json_stringn(t, e ? (size_t)(e - t) : strlen(t)));
                n++;
                break;
            }
    }
    free(text);
    return n;
}
