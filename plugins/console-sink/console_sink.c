/**
 * @file plugins/console-sink/console_sink.c
 * @brief console-sink (sink): prints records readably, one block per record
 *        (notifications as title + fields), to stdout or appended to a file;
 *        or, with `format: jsonl`, one JSON line per record with its headers
 *        (used by the demo to keep dead letters and their reasons).
 *
 * process() formats into a buffer; flush() writes the buffer (fflush, and
 * fsync for a file) before returning CO_OK, so input offsets are committed
 * only for records that were printed. With `once` (default), each record
 * key is claimed with api->idem_begin() and committed after the write:
 * a replay (a second run, a redelivery) prints nothing twice. A key claimed
 * but never committed (a crash between the write and the commit) is printed
 * again: a console cannot be asked what it showed.
 *
 * Text blocks of one batch are written in date order (a notification's
 * scheduled date, else its email's date, undated last; arrival order among
 * equals), so a mailbox read in one go prints its notifications in date
 * order. The 64-hex event key is printed only with `verbose`.
 */
#include "console_format.h"

#include <careerops/plugin.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const co_host_api_t *console_api;

/** Configuration struct filled by the host from console_options. */
struct console_config {
    const char *path;
    const char *format;
    int once;
    int64_t max_value_bytes;
    int verbose;
    const char *now;
};

static const co_option_t console_options[] = {
    {CO_OPT_STR, "path", NULL, CO_OPT_PATH | CO_OPT_OUTPUT, 0, 0,
     offsetof(struct console_config, path),
     "File to append to; unset or \"-\" prints to standard output."},
    {CO_OPT_STR, "format", "text", 0, 0, 0,
     offsetof(struct console_config, format),
     "\"text\": a readable block per record (notifications as title and "
     "fields); \"jsonl\": one JSON object per record with key, headers and "
     "value."},
    {CO_OPT_BOOL, "once", "true", 0, 0, 0,
     offsetof(struct console_config, once),
     "Print each record key only once, across restarts (the host's "
     "idempotency keys); false prints every delivery."},
    {CO_OPT_INT, "max_value_bytes", "65536", 0, 0, 1073741824,
     offsetof(struct console_config, max_value_bytes),
     "jsonl: bytes of the value kept (cut at a character boundary, "
     "value_truncated set); 0 = no limit."},
    {CO_OPT_BOOL, "verbose", "false", 0, 0, 0,
     offsetof(struct console_config, verbose),
     "text: also print each notification's event key (64 hex)."},
    {CO_OPT_STR, "now", NULL, 0, 0, 0, offsetof(struct console_config, now),
     "text: the time a scheduled date is compared with to mark it \"past\" "
     "(RFC 3339, e.g. 2025-10-20T00:00:00Z); unset = the wall clock at each "
     "record."},
    {0},
};

/** A text block waiting for flush(), with the time it is ordered by. */
struct console_block {
    int64_t when; /**< console_sort_time() */
    size_t seq;   /**< arrival order, to keep the sort stable */
    char *text;   /**< owned */
};

/** One sink instance. */
struct console {
    co_stage_t *st;
    const struct console_config *cfg;
    FILE *out;
    int is_file, jsonl;
    int sync;    /**< a regular file: fsync after each write */
    int lasting; /**< a write error cannot end while this runs: a pipe or
                      socket without a name (EPIPE), or a device */
    char *buf;   /**< formatted, not yet written */
    size_t len, cap;
    char **keys; /**< idempotency keys claimed, committed after the write */
    size_t n_keys, cap_keys;
    struct console_block *blocks; /**< text mode: this batch, unsorted */
    size_t n_blocks, cap_blocks;
    int64_t now; /**< `now` parsed, or -1 for the wall clock */
};

/* ABI 1.2 check: `careerops validate` refuses a bad format or `now`
 * before any stage starts (init() says the same). */
static co_status_t console_check(const void *config, char *err, size_t errsz)
{
    const struct console_config *cfg = config;
    const char *fmt = cfg->format ? cfg->format : "text";
    int64_t now;
    if (strcmp(fmt, "text") != 0 && strcmp(fmt, "jsonl") != 0) {
        snprintf(err, errsz,
                 "format: \"%s\" is unknown: use \"text\" or \"jsonl\"", fmt);
        return CO_FATAL;
    }
    if (cfg->now != NULL && *cfg->now != '\0' &&
        console_parse_time(cfg->now, &now) != 0) {
        snprintf(err, errsz,
                 "now: \"%s\" is not a time: use an RFC 3339 time such as "
                 "2025-10-20T09:00:00Z, or leave it unset for the wall clock",
                 cfg->now);
        return CO_FATAL;
    }
    /* stat() only: validate said ok for a folder, run failed (trial 56) */
    struct stat sb;
    if (cfg->path != NULL && *cfg->path != '\0' && strcmp(cfg->path, "-") &&
        stat(cfg->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(err, errsz,
                 "path: '%s' is a folder: name a file in it (created with "
                 "mode 0600), or \"-\" for standard output",
                 cfg->path);
        return CO_FATAL;
    }
    return CO_OK;
}

/* Whether a write error on fd lasts as long as this process: a pipe or a
 * socket that has no name (standard output of `run | head`, or "/dev/stdout"
 * that opens it again: trial 58) has no reader after EPIPE for good, and a
 * device (/dev/full, a terminal hung up) answers the same for ever. A
 * regular file (a full disk) and a named FIFO (its reader can start
 * again) are retried. */
static int console_lasting(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || S_ISREG(sb.st_mode))
        return 0;
    if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) || S_ISSOCK(sb.st_mode))
        return 1;
    if (!S_ISFIFO(sb.st_mode))
        return 0;
    /* an unnamed pipe reads as "pipe:[INODE]" in /proc */
    char link[64], to[32];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, to, sizeof to - 1);
    return n >= 5 && memcmp(to, "pipe:", 5) == 0;
}

/* `path` opened for appending, created 0600 whatever the umask (it holds
 * mail content: notifications, dead letters), or NULL with errno set.
 * Opened without waiting: a FIFO that nothing reads blocked open() for
 * ever, SIGTERM not heard (trial 55); it is ENXIO now, and one with a
 * reader is written to as before (blocking). */
static FILE *console_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK,
                  0600);
    int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (fl >= 0)
        fl = fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fl >= 0 ? fdopen(fd, "a") : NULL;
    if (f == NULL && fd >= 0) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

static co_status_t console_init(const co_host_api_t *api, co_stage_t *st,
                                const void *config, void **instance)
{
    const struct console_config *cfg = config;
    struct console *c = calloc(1, sizeof *c);
    if (c == NULL) {
        api->set_error(st, "memory", "console-sink: out of memory");
        return CO_FATAL;
    }
    *instance = c;
    c->st = st;
    c->cfg = cfg;
    const char *fmt = cfg->format ? cfg->format : "text";
    char err[512];
    if (console_check(cfg, err, sizeof err) != CO_OK) {
        api->set_error(st, "config", "console-sink: %s", err);
        return CO_FATAL;
    }
    c->jsonl = strcmp(fmt, "jsonl") == 0;
    c->now = -1;
    if (cfg->now != NULL && *cfg->now != '\0')
        console_parse_time(cfg->now, &c->now); /* checked above */
    if (cfg->path == NULL || *cfg->path == '\0' ||
        strcmp(cfg->path, "-") == 0) {
        c->out = stdout;
    } else {
        c->out = console_open(cfg->path);
        if (c->out == NULL) {
            api->set_error(st, "config",
                           "console-sink: cannot open `path` %s for "
                           "appending: %s; check the folder exists and is "
                           "writable",
                           cfg->path,
                           errno == ENXIO ? "a named pipe (FIFO) that nothing "
                                            "reads: start its reader first"
                                          : strerror(errno));
            return CO_FATAL;
        }
        c->is_file = 1;
        /* only a regular file has anything to sync: /dev/null, a FIFO or a
         * terminal answers fsync with EINVAL */
        struct stat sb;
        c->sync = fstat(fileno(c->out), &sb) == 0 && S_ISREG(sb.st_mode);
    }
    c->lasting = console_lasting(fileno(c->out));
    return CO_OK;
}

/** fsync the file when there is something to sync; 0 or -1 (errno set).
 * EINVAL/ENOTSUP mean the file cannot be synced: nothing to do. */
static int console_sync(const struct console *c)
{
    if (!c->sync || fsync(fileno(c->out)) == 0)
        return 0;
    return errno == EINVAL || errno == ENOTSUP ? 0 : -1;
}

/* A regular file removed or replaced since it was opened (deleted by
 * hand, moved away by log rotation): appending to the old inode lost the
 * notifications in silence (trial 85). Opened again by its path, created
 * if need be: 0, or -1 with the stage's error set when it cannot be (its
 * folder gone: the records are kept and retried). */
static int console_reopen_if_gone(struct console *c)
{
    struct stat now, open_sb;
    if (!c->is_file || !c->sync || fstat(fileno(c->out), &open_sb) != 0)
        return 0;
    if (stat(c->cfg->path, &now) == 0 && now.st_dev == open_sb.st_dev &&
        now.st_ino == open_sb.st_ino)
        return 0;
    FILE *f = console_open(c->cfg->path);
    if (f == NULL) {
        int e = errno;
        console_api->set_error(
            c->st, "io",
            "console-sink: %s was removed or replaced, and cannot be "
            "created again: %s; the records are kept and written once it "
            "can be (create its folder)",
            c->cfg->path, strerror(e));
        return -1;
    }
    fclose(c->out);
    c->out = f;
    console_api->log(c->st, CO_LOG_WARN,
                     "console-sink: %s was removed or replaced since it was "
                     "opened (log rotation?): writing to it anew",
                     c->cfg->path);
    return 0;
}

static int console_append(struct console *c, const char *s)
{
    size_t n = strlen(s);
    if (c->len + n + 1 > c->cap) {
        size_t nc = c->cap ? c->cap : 4096;
        while (nc < c->len + n + 1)
            nc *= 2;
        char *nb = realloc(c->buf, nc);
        if (nb == NULL)
            return -1;
        c->buf = nb;
        c->cap = nc;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    return 0;
}

static int console_keep_block(struct console *c, int64_t when, char *text)
{
    if (c->n_blocks == c->cap_blocks) {
        size_t nc = c->cap_blocks ? c->cap_blocks * 2 : 64;
        void *nb = realloc(c->blocks, nc * sizeof *c->blocks);
        if (nb == NULL)
            return -1;
        c->blocks = nb;
        c->cap_blocks = nc;
    }
    c->blocks[c->n_blocks] = (struct console_block){when, c->n_blocks, text};
    c->n_blocks++;
    return 0;
}

static int console_block_cmp(const void *a, const void *b)
{
    const struct console_block *x = a, *y = b;
    if (x->when != y->when)
        return x->when < y->when ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Text mode: the batch's blocks into the write buffer, in date order. */
static int console_sort_blocks(struct console *c)
{
    if (c->n_blocks > 1) /* qsort's base must not be NULL, even for 0 */
        qsort(c->blocks, c->n_blocks, sizeof *c->blocks, console_block_cmp);
    int rc = 0;
    for (size_t i = 0; i < c->n_blocks; i++) {
        if (rc == 0)
            rc = console_append(c, c->blocks[i].text);
        free(c->blocks[i].text);
    }
    c->n_blocks = 0;
    return rc;
}

static int console_keep_key(struct console *c, const char *key)
{
    if (c->n_keys == c->cap_keys) {
        size_t nc = c->cap_keys ? c->cap_keys * 2 : 64;
        void *nk = realloc(c->keys, nc * sizeof *c->keys);
        if (nk == NULL)
            return -1;
        c->keys = nk;
        c->cap_keys = nc;
    }
    c->keys[c->n_keys] = strdup(key);
    return c->keys[c->n_keys++] ? 0 : -1;
}

static co_status_t console_process(void *instance, const co_record_t *rec)
{
    struct console *c = instance;
    char *key = NULL;
    if (c->cfg->once) {
        /* a dead letter: once per stage that failed on it (trial 80: two
         * stages failing on one email made two dead letters, one line) */
        const char *why = NULL;
        size_t wl = 0;
        for (size_t i = 0; i < rec->header_cnt; i++)
            if (rec->headers[i].name != NULL &&
                strcmp(rec->headers[i].name, "careerops.error.stage") == 0) {
                why = rec->headers[i].value;
                wl = rec->headers[i].value_len;
            }
        if (rec->key != NULL && rec->key_len > 0 && why != NULL) {
            if (asprintf(&key, "%.*s\x1f%.*s", (int)rec->key_len,
                         (const char *)rec->key, (int)wl, why) < 0)
                key = NULL;
        } else if (rec->key != NULL && rec->key_len > 0)
            key = strndup(rec->key, rec->key_len);
        else if (asprintf(&key, "%s:%d:%lld", rec->topic ? rec->topic : "",
                          (int)rec->partition, (long long)rec->offset) < 0)
            key = NULL;
        if (key == NULL) {
            console_api->set_error(c->st, "memory",
                                   "console-sink: out of memory");
            return CO_RETRY;
        }
        for (size_t i = 0; i < c->n_keys; i++)
            if (strcmp(c->keys[i], key) == 0) {
                free(key); /* already buffered in this batch */
                return CO_OK;
            }
        int r = console_api->idem_begin(c->st, key);
        if (r == CO_IDEM_DONE) {
            console_api->metric_add(c->st, "skipped_repeats", 1);
            free(key);
            return CO_OK;
        }
        if (r < 0) {
            free(key);
            console_api->set_error(c->st, "state",
                                   "console-sink: state store unreachable");
            return CO_RETRY;
        }
    }
    int rc;
    if (c->jsonl) {
        char *s = console_format_jsonl(rec, (size_t)c->cfg->max_value_bytes);
        rc = s ? console_append(c, s) : -1;
        if (rc == 0)
            rc = console_append(c, "\n");
        free(s);
    } else {
        console_text_opts_t o = {c->cfg->verbose,
                                 c->now >= 0 ? c->now : (int64_t)time(NULL)};
        char *s = console_format_text(rec, &o);
        rc = s ? console_keep_block(c, console_sort_time(rec), s) : -1;
        if (rc != 0)
            free(s);
    }
    if (rc == 0 && key != NULL)
        rc = console_keep_key(c, key);
    free(key);
    if (rc != 0) {
        console_api->set_error(c->st, "memory", "console-sink: out of memory");
        return CO_RETRY;
    }
    console_api->metric_add(c->st, "printed", 1);
    return CO_OK;
}

static co_status_t console_flush(void *instance)
{
    struct console *c = instance;
    if (console_sort_blocks(c) != 0) {
        console_api->set_error(c->st, "memory", "console-sink: out of memory");
        return CO_RETRY;
    }
    if (c->len > 0 && console_reopen_if_gone(c) != 0)
        return CO_RETRY;
    if (c->len > 0) {
        /* a regular file's size before: a write cut short (a full disk, a
         * file-size limit) is taken back, so no half block stays in the
         * file and the retry appends it whole (trial 59) */
        /* with a lock on the file, so that another console-sink on it
         * (flock too) cannot append between the size and the cut; a
         * writer that takes no lock (`tee -a`): cut only when the file
         * grew by no more than this block (a review: its lines went) */
        struct stat sb;
        int fd = fileno(c->out);
        int locked = c->sync && flock(fd, LOCK_EX) == 0;
        off_t before = c->sync && fstat(fd, &sb) == 0 ? sb.st_size : (off_t)-1;
        int failed = fwrite(c->buf, 1, c->len, c->out) != c->len ||
                     fflush(c->out) != 0 || console_sync(c) != 0;
        int e = errno;
        if (failed && before >= 0 && fstat(fd, &sb) == 0 &&
            sb.st_size >= before && sb.st_size - before <= (off_t)c->len) {
            /* the write's reason is the one to say, not the cut's */
            int cut = ftruncate(fd, before);
            (void)cut;
        }
        if (locked)
            flock(fd, LOCK_UN);
        if (failed) {
            /* EINVAL (a /proc file that takes no such text), EFBIG (a
             * file-size limit), EBADF, EROFS: never transient, whatever
             * the file (trial 59: retried for ever) */
            if ((c->lasting && e != EAGAIN && e != EINTR) || e == EINVAL ||
                e == EFBIG || e == EBADF || e == EROFS) {
                /* standard output closed (`run | head`), or a device that
                 * answers the same for ever: retrying would last for ever
                 * (trials 57, 58) */
                const char *to = c->is_file ? c->cfg->path : "stdout";
                if (e == EPIPE)
                    console_api->set_error(
                        c->st, "io",
                        "console-sink: %s was closed (Broken pipe): nothing "
                        "can read it again; the stage stops and its records "
                        "are read again at the next start",
                        c->is_file ? to : "standard output");
                else
                    console_api->set_error(
                        c->st, "io",
                        "console-sink: cannot write to %s: %s (%s): the "
                        "stage stops and its records are read again at the "
                        "next start; give a file or - as `path`",
                        to, strerror(e),
                        c->lasting ? "a device, which answers the same for "
                                     "ever"
                                   : "it will not change while this runs");
                clearerr(c->out);
                return CO_FATAL;
            }
            console_api->set_error(
                c->st, "io", "console-sink: cannot write to %s: %s",
                c->is_file ? c->cfg->path : "stdout",
                e == EPIPE ? "its reader went away (Broken pipe); the "
                             "records are kept and written when a reader "
                             "opens it again"
                           : strerror(e));
            clearerr(c->out);
            return CO_RETRY;
        }
        c->len = 0;
    }
    for (size_t i = 0; i < c->n_keys; i++) {
        if (console_api->idem_commit(c->st, c->keys[i]) != 0) {
            /* printed; only the claim stays pending (a repeat after a
             * restart at worst) */
            console_api->log(c->st, CO_LOG_WARN,
                             "console-sink: could not commit key %s",
                             c->keys[i]);
        }
        free(c->keys[i]);
    }
    c->n_keys = 0;
    return CO_OK;
}

static void console_destroy(void *instance)
{
    struct console *c = instance;
    if (c == NULL)
        return;
    if (c->is_file && c->out != NULL)
        fclose(c->out);
    for (size_t i = 0; i < c->n_keys; i++)
        free(c->keys[i]);
    free(c->keys);
    for (size_t i = 0; i < c->n_blocks; i++)
        free(c->blocks[i].text);
    free(c->blocks);
    free(c->buf);
    free(c);
}

static const co_plugin_t console_desc = {
    CO_PLUGIN_HEADER,
    .name = "console-sink",
    .version = "1.0.0",
    .description = "Prints records readably (notifications as a titled "
                   "block) to standard output or a file, or as JSON lines.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SINK,
    .options = console_options,
    .config_size = sizeof(struct console_config),
    .init = console_init,
    .process = console_process,
    .flush = console_flush,
    .destroy = console_destroy,
    .check = console_check, /* format, now (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    console_api = api;
    return &console_desc;
}
