/*
 * The host's state store: backend dispatch (see state.h) and the two
 * backends without a server, `memory:` and `file:PATH`.
 *
 * Both keep one jansson document (jansson is our JSON library and doubles
 * as the hash map here, so no container of our own):
 *   {"careerops_state": 1,
 *    "state": {NS: {KEY: VALUE}},
 *    "idem":  {NS: {KEY: "pending" | "done"}}}
 * VALUE is a JSON string when the bytes are valid UTF-8 (NUL included, as
 * jansson allows), else {"base64": "..."} (libsodium's codec).
 *
 * memory: one document per name ("memory:" or "memory:NAME") shared by
 * every store open on that name in the process (stage workers each open
 * their own store), freed when the last one closes. Guarded by a mutex.
 *
 * file:PATH: every operation takes an exclusive flock() on PATH.lock (which
 * serializes threads and processes alike, since each store has its own
 * open file description), re-reads PATH if another writer replaced it, and
 * writes a fsync'ed unnamed file of the folder (co_tmpfile_open()) linked
 * over PATH, so a crash leaves the old or the new file, never a torn one.
 */
#include "state.h"
#include "log.h"
#include "co_readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- shared helpers ---------------------------------------------------- */

void co__state_log(const char *level, const char *fmt, ...)
{
    co_log_level_t l = strcmp(level, "error") == 0  ? CO_LOG_ERROR
                       : strcmp(level, "warn") == 0 ? CO_LOG_WARN
                       : strcmp(level, "info") == 0 ? CO_LOG_INFO
                                                    : CO_LOG_DEBUG;
    va_list ap;
    va_start(ap, fmt);
    co_logv(l, NULL, "state", fmt, ap);
    va_end(ap);
}

int co__state_backoff(co_state_t *s, int attempt, int64_t *waited_ms)
{
    int64_t delay = 100;
    for (int i = 0; i < attempt && delay < 5000; i++)
        delay *= 2;
    if (delay > 5000)
        delay = 5000;
    for (int64_t slept = 0; slept < delay; slept += 100) {
        if (s->should_stop != NULL) {
            if (s->should_stop(s->should_stop_arg))
                return 1;
        } else if (*waited_ms >= CO_STATE_MAX_WAIT_MS) {
            return 1;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        *waited_ms += 100;
    }
    return 0;
}

void co_state_set_stop(co_state_t *s, int (*should_stop)(void *arg), void *arg)
{
    if (s == NULL)
        return;
    s->should_stop = should_stop;
    s->should_stop_arg = arg;
}

/* ---- the document model (memory and file) ------------------------------- */

static json_t *co__doc_new(void)
{
    return json_pack("{s:i, s:{}, s:{}}", "careerops_state",
                     CO_STATE_DOC_VERSION, "state", "idem");
}

/* The object for namespace `ns` in section `sec`, created if `create`. */
static json_t *co__doc_ns(json_t *doc, const char *sec, const char *ns,
                          int create)
{
    json_t *s = json_object_get(doc, sec);
    json_t *n = json_object_get(s, ns);
    if (n == NULL && create) {
        n = json_object();
        if (json_object_set_new(s, ns, n) != 0)
            return NULL;
    }
    return n;
}

static json_t *co__value_to_json(const void *value, size_t len)
{
    json_t *str = json_stringn(value != NULL ? value : "", len);
    if (str != NULL)
        return str; /* valid UTF-8 */
    size_t b64_len =
        sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64_len);
    if (b64 == NULL)
        return NULL;
    sodium_bin2base64(b64, b64_len, value, len, sodium_base64_VARIANT_ORIGINAL);
    json_t *o = json_pack("{s:s}", "base64", b64);
    free(b64);
    return o;
}

static int co__doc_get(json_t *doc, const char *ns, const char *key, char **out,
                       size_t *out_len)
{
    json_t *v = json_object_get(co__doc_ns(doc, "state", ns, 0), key);
    if (v == NULL)
        return CO_ERR_NOTFOUND;
    return co_state_value_decode(v, out, out_len);
}

static int co__doc_put(json_t *doc, const char *ns, const char *key,
                       const void *value, size_t len)
{
    json_t *n = co__doc_ns(doc, "state", ns, 1);
    json_t *v = co__value_to_json(value, len);
    if (n == NULL || v == NULL || json_object_set_new(n, key, v) != 0)
        return CO_ERR_NOMEM;
    return 0;
}

/* Returns the claim result and sets *changed when the document changed. */
static int co__doc_idem_begin(json_t *doc, const char *ns, const char *key,
                              int *changed)
{
    json_t *n = co__doc_ns(doc, "idem", ns, 1);
    if (n == NULL)
        return CO_ERR_NOMEM;
    const char *st = json_string_value(json_object_get(n, key));
    *changed = 0;
    if (st == NULL) {
        if (json_object_set_new(n, key, json_string("pending")) != 0)
            return CO_ERR_NOMEM;
        *changed = 1;
        return CO_IDEM_NEW;
    }
    return strcmp(st, "done") == 0 ? CO_IDEM_DONE : CO_IDEM_PENDING;
}

static int co__doc_idem_commit(json_t *doc, const char *ns, const char *key)
{
    json_t *n = co__doc_ns(doc, "idem", ns, 1);
    if (n == NULL || json_object_set_new(n, key, json_string("done")) != 0)
        return CO_ERR_NOMEM;
    return 0;
}

/* ---- memory: ------------------------------------------------------------ */

typedef struct co__mem_db_s {
    struct co__mem_db_s *next;
    char *name;
    json_t *doc;
    int refs;
} co__mem_db_t;

typedef struct {
    co_state_t base;
    co__mem_db_t *db;
} co__mem_state_t;

static pthread_mutex_t co__mem_lock = PTHREAD_MUTEX_INITIALIZER;
static co__mem_db_t *co__mem_dbs;

static int co__mem_get(co_state_t *s, const char *ns, const char *key,
                       char **out, size_t *out_len)
{
    co__mem_state_t *m = (co__mem_state_t *)s;
    pthread_mutex_lock(&co__mem_lock);
    int rc = co__doc_get(m->db->doc, ns, key, out, out_len);
    pthread_mutex_unlock(&co__mem_lock);
    return rc;
}

static int co__mem_put(co_state_t *s, const char *ns, const char *key,
                       const void *value, size_t len)
{
    co__mem_state_t *m = (co__mem_state_t *)s;
    pthread_mutex_lock(&co__mem_lock);
    int rc = co__doc_put(m->db->doc, ns, key, value, len);
    pthread_mutex_unlock(&co__mem_lock);
    return rc;
}

static int co__mem_idem_begin(co_state_t *s, const char *ns, const char *key)
{
    co__mem_state_t *m = (co__mem_state_t *)s;
    int changed;
    pthread_mutex_lock(&co__mem_lock);
    int rc = co__doc_idem_begin(m->db->doc, ns, key, &changed);
    pthread_mutex_unlock(&co__mem_lock);
    return rc;
}

static int co__mem_idem_commit(co_state_t *s, const char *ns, const char *key)
{
    co__mem_state_t *m = (co__mem_state_t *)s;
    pthread_mutex_lock(&co__mem_lock);
    int rc = co__doc_idem_commit(m->db->doc, ns, key);
    pthread_mutex_unlock(&co__mem_lock);
    return rc;
}

static void co__mem_close(co_state_t *s)
{
    co__mem_state_t *m = (co__mem_state_t *)s;
    pthread_mutex_lock(&co__mem_lock);
    if (--m->db->refs == 0) {
        for (co__mem_db_t **pp = &co__mem_dbs; *pp != NULL; pp = &(*pp)->next) {
            if (*pp == m->db) {
                *pp = m->db->next;
                break;
            }
        }
        json_decref(m->db->doc);
        free(m->db->name);
        free(m->db);
    }
    pthread_mutex_unlock(&co__mem_lock);
    free(m);
}

static const co_state_ops_t co__mem_ops = {co__mem_get, co__mem_put,
                                           co__mem_idem_begin,
                                           co__mem_idem_commit, co__mem_close};

static co_state_t *co__mem_open(const char *name, char *errstr, size_t n)
{
    co__mem_state_t *m = calloc(1, sizeof *m);
    if (m == NULL) {
        snprintf(errstr, n, "state memory:%s: out of memory", name);
        return NULL;
    }
    m->base.ops = &co__mem_ops;
    pthread_mutex_lock(&co__mem_lock);
    co__mem_db_t *db = co__mem_dbs;
    while (db != NULL && strcmp(db->name, name) != 0)
        db = db->next;
    if (db == NULL) {
        db = calloc(1, sizeof *db);
        if (db != NULL) {
            db->name = strdup(name);
            db->doc = co__doc_new();
            if (db->name == NULL || db->doc == NULL) {
                free(db->name);
                json_decref(db->doc);
                free(db);
                db = NULL;
            } else {
                db->next = co__mem_dbs;
                co__mem_dbs = db;
            }
        }
    }
    if (db != NULL)
        db->refs++;
    pthread_mutex_unlock(&co__mem_lock);
    if (db == NULL) {
        free(m);
        snprintf(errstr, n, "state memory:%s: out of memory", name);
        return NULL;
    }
    m->db = db;
    return &m->base;
}

/* ---- file:PATH ---------------------------------------------------------- */

typedef struct {
    co_state_t base;
    char *path;
    int lock_fd;
    json_t *doc;
    struct stat seen; /* identity of the file `doc` was read from */
    int have_seen;
} co__file_state_t;

static int co__file_same(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
           a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Re-read the file if another store replaced it. Lock held. */
static int co__file_refresh(co__file_state_t *f, char *errstr, size_t n)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT) {
            snprintf(errstr, n, "state file %s: %s", f->path, strerror(errno));
            return CO_ERR_STATE;
        }
        if (f->doc == NULL && (f->doc = co__doc_new()) == NULL)
            return CO_ERR_NOMEM;
        return 0;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(errstr, n, "state file %s: %s", f->path, strerror(errno));
        close(fd);
        return CO_ERR_STATE;
    }
    if (f->doc != NULL && f->have_seen && co__file_same(&st, &f->seen)) {
        close(fd);
        return 0;
    }
    json_error_t jerr;
    FILE *fp = fdopen(fd, "r");
    json_t *doc = fp != NULL ? json_loadf(fp, 0, &jerr) : NULL;
    if (fp != NULL)
        fclose(fp);
    else
        close(fd);
    if (doc == NULL || !json_is_object(json_object_get(doc, "state")) ||
        !json_is_object(json_object_get(doc, "idem"))) {
        snprintf(errstr, n,
                 "state file %s is not a CareerOps state file (%s): move it "
                 "away or point `state` at another file",
                 f->path, doc == NULL ? jerr.text : "missing state/idem");
        json_decref(doc);
        return CO_ERR_STATE;
    }
    char why[300];
    if (co_state_doc_check(doc, why, sizeof why) != 0) {
        snprintf(errstr, n, "state file %s: %s", f->path, why);
        json_decref(doc);
        return CO_ERR_STATE;
    }
    json_decref(f->doc);
    f->doc = doc;
    f->seen = st;
    f->have_seen = 1;
    return 0;
}

/* Write the document atomically. Lock held. */
static int co__file_save(co__file_state_t *f)
{
    /* an unnamed file in the folder, linked over PATH once written: no
     * PATH.tmp to follow if it is a symlink (trial 60: a link at
     * state.json.tmp had its target overwritten) or to fail on if it is a
     * folder */
    char tmp[4200] = "";
    int fd = co_tmpfile_open(f->path, tmp, sizeof tmp);
    if (fd < 0)
        goto fail;
    /* one write of the whole text: json_dumpfd() writes token by token
     * (trial 28: some 42,000 write calls in 2 s of idempotent claims) */
    char *text = json_dumps(f->doc, JSON_COMPACT);
    size_t len = text ? strlen(text) : 0;
    if (text != NULL)
        text[len++] = '\n'; /* over the NUL: json_dumps allocates it */
    int written = text != NULL && co_write_all(fd, text, len) == 0;
    free(text);
    struct stat st;
    if (!written || fsync(fd) != 0 || fstat(fd, &st) != 0 ||
        co_tmpfile_commit(fd, tmp, f->path) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        goto fail;
    }
    if (close(fd) != 0)
        goto fail;
    tmp[0] = '\0'; /* committed: nothing to remove */
    /* Make the rename durable: fsync the folder. */
    char *dir = strdup(f->path);
    if (dir != NULL) {
        char *slash = strrchr(dir, '/');
        const char *d = slash == NULL ? "." : (slash == dir ? "/" : dir);
        if (slash != NULL && slash != dir)
            *slash = '\0';
        int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    f->seen = st;
    f->have_seen = 1;
    return 0;
fail:
    co__state_log("error", "state file %s: cannot write: %s", f->path,
                  strerror(errno));
    co_tmpfile_abandon(tmp);
    return CO_ERR_STATE;
}

/* flock(LOCK_EX) on PATH.lock that does not wait unheard: while another
 * process holds it (trial 62: `flock state.json.lock sleep 600` kept a run
 * in flock(), deaf to its first two stop signals) a warning names the
 * file every 5 s, and the wait ends when the store's should_stop says so
 * (CO_STATE_MAX_WAIT_MS without one). The store's own operations hold the
 * lock for a write and an fsync, so a wait of seconds is someone else's.
 * 0, or CO_ERR_STATE with the reason in errstr. */
static int co__file_flock(co__file_state_t *f, char *errstr, size_t n)
{
    /* another store's hold is one read, or one write and an fsync (a few
     * ms): polled every 0.5 ms for the first 100 ms, so that stages that
     * share the file wait about as long as a blocking flock() made them,
     * not a backoff step per contended claim */
    for (int i = 0; i < 200; i++) {
        if (flock(f->lock_fd, LOCK_EX | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            break; /* said below */
        struct timespec ts = {0, 500 * 1000};
        nanosleep(&ts, NULL);
    }
    int64_t waited = 100, warned_at = 0;
    for (int attempt = 0;; attempt++) {
        if (flock(f->lock_fd, LOCK_EX | LOCK_NB) == 0) {
            if (warned_at > 0)
                co__state_log("info", "state file %s: %s.lock is free again",
                              f->path, f->path);
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK) {
            snprintf(errstr, n, "state file %s: cannot lock %s.lock: %s",
                     f->path, f->path, strerror(errno));
            return CO_ERR_STATE;
        }
        if (waited >= warned_at + 5000) {
            co__state_log("warn",
                          "state file %s: waiting for %s.lock, which another "
                          "process holds (`fuser %s.lock` names it)",
                          f->path, f->path, f->path);
            warned_at = waited;
        }
        /* 100, 200, 400, then every 800 ms */
        if (co__state_backoff(&f->base, attempt < 3 ? attempt : 3, &waited)) {
            snprintf(errstr, n,
                     "state file %s: stopped waiting for %s.lock, which "
                     "another process holds (%s): stop that process (`fuser "
                     "%s.lock` names it) or name another state file",
                     f->path, f->path,
                     f->base.should_stop != NULL ? "asked to stop"
                                                 : "30 s limit",
                     f->path);
            return CO_ERR_STATE;
        }
    }
}

static int co__file_lock(co__file_state_t *f)
{
    char err[512];
    if (co__file_flock(f, err, sizeof err) != 0) {
        co__state_log("error", "%s", err);
        return CO_ERR_STATE;
    }
    int rc = co__file_refresh(f, err, sizeof err);
    if (rc != 0) {
        co__state_log("error", "%s", err);
        flock(f->lock_fd, LOCK_UN);
    }
    return rc;
}

static void co__file_unlock(co__file_state_t *f)
{
    flock(f->lock_fd, LOCK_UN);
}

static int co__file_get(co_state_t *s, const char *ns, const char *key,
                        char **out, size_t *out_len)
{
    co__file_state_t *f = (co__file_state_t *)s;
    int rc = co__file_lock(f);
    if (rc != 0)
        return rc;
    rc = co__doc_get(f->doc, ns, key, out, out_len);
    co__file_unlock(f);
    return rc;
}

static int co__file_put(co_state_t *s, const char *ns, const char *key,
                        const void *value, size_t len)
{
    co__file_state_t *f = (co__file_state_t *)s;
    int rc = co__file_lock(f);
    if (rc != 0)
        return rc;
    rc = co__doc_put(f->doc, ns, key, value, len);
    if (rc == 0)
        rc = co__file_save(f);
    if (rc != 0)
        f->have_seen = 0; /* memory may differ from the file: re-read */
    co__file_unlock(f);
    return rc;
}

static int co__file_idem_begin(co_state_t *s, const char *ns, const char *key)
{
    co__file_state_t *f = (co__file_state_t *)s;
    int changed = 0;
    int rc = co__file_lock(f);
    if (rc != 0)
        return rc;
    rc = co__doc_idem_begin(f->doc, ns, key, &changed);
    if (rc >= 0 && changed && co__file_save(f) != 0) {
        f->have_seen = 0;
        rc = CO_ERR_STATE;
    }
    co__file_unlock(f);
    return rc;
}

static int co__file_idem_commit(co_state_t *s, const char *ns, const char *key)
{
    co__file_state_t *f = (co__file_state_t *)s;
    int rc = co__file_lock(f);
    if (rc != 0)
        return rc;
    rc = co__doc_idem_commit(f->doc, ns, key);
    if (rc == 0)
        rc = co__file_save(f);
    if (rc != 0)
        f->have_seen = 0;
    co__file_unlock(f);
    return rc;
}

static void co__file_close(co_state_t *s)
{
    co__file_state_t *f = (co__file_state_t *)s;
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    json_decref(f->doc);
    free(f->path);
    free(f);
}

static const co_state_ops_t co__file_ops = {
    co__file_get, co__file_put, co__file_idem_begin, co__file_idem_commit,
    co__file_close};

co_state_t *co__state_file_open(const char *path, int (*should_stop)(void *),
                                void *arg, char *errstr, size_t n)
{
    char dummy[1];
    if (errstr == NULL || n == 0) {
        errstr = dummy;
        n = sizeof dummy;
    }
    if (path[0] == '\0') {
        snprintf(errstr, n,
                 "state \"file:\" has no path: write file:PATH, e.g. "
                 "file:state.json");
        return NULL;
    }
    co__file_state_t *f = calloc(1, sizeof *f);
    size_t plen = strlen(path);
    char *lock_path = malloc(plen + 6);
    if (f == NULL || lock_path == NULL || (f->path = strdup(path)) == NULL) {
        snprintf(errstr, n, "state file %s: out of memory", path);
        free(lock_path);
        if (f != NULL) {
            free(f->path);
            free(f);
        }
        return NULL;
    }
    f->base.ops = &co__file_ops;
    co_state_set_stop(&f->base, should_stop, arg);
    snprintf(lock_path, plen + 6, "%s.lock", path);
    f->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f->lock_fd < 0) {
        snprintf(errstr, n, "state file %s: cannot create %s: %s", path,
                 lock_path, strerror(errno));
        free(lock_path);
        co__file_close(&f->base);
        return NULL;
    }
    free(lock_path);
    /* Read it now so a corrupt file is reported at open. */
    int rc = co__file_flock(f, errstr, n);
    if (rc == 0) {
        rc = co__file_refresh(f, errstr, n);
        flock(f->lock_fd, LOCK_UN);
    }
    if (rc != 0) {
        co__file_close(&f->base);
        return NULL;
    }
    return &f->base;
}

/* ---- dispatch ----------------------------------------------------------- */

co_state_t *co_state_open(const char *uri, char *errstr, size_t errstr_size)
{
    char dummy[1];
    if (errstr == NULL || errstr_size == 0) {
        errstr = dummy;
        errstr_size = sizeof dummy;
    }
    errstr[0] = '\0';
    co_state_t *s;
    if (uri == NULL || uri[0] == '\0')
        s = co__mem_open("", errstr, errstr_size);
    else if (strncmp(uri, "memory:", 7) == 0)
        s = co__mem_open(uri + 7, errstr, errstr_size);
    else if (strncmp(uri, "file:", 5) == 0)
        s = co__state_file_open(uri + 5, NULL, NULL, errstr, errstr_size);
    else
        return co_state_pg_open(uri, errstr, errstr_size);
    return s;
}

/* Namespaces and keys are UTF-8 text (PostgreSQL `text`, JSON object keys):
 * jansson's validator says whether they are. */
static int co__utf8_ok(const char *str)
{
    json_t *j = json_string(str);
    json_decref(j);
    return j != NULL;
}

static int co__state_args_ok(co_state_t *s, const char *ns, const char *key)
{
    return s != NULL && ns != NULL && key != NULL && co__utf8_ok(ns) &&
           co__utf8_ok(key);
}

int co_state_get(co_state_t *s, const char *ns, const char *key, char **out,
                 size_t *out_len)
{
    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (!co__state_args_ok(s, ns, key) || out == NULL)
        return CO_ERR_INVAL;
    return s->ops->get(s, ns, key, out, out_len);
}

int co_state_put(co_state_t *s, const char *ns, const char *key,
                 const void *value, size_t value_len)
{
    if (!co__state_args_ok(s, ns, key) || (value == NULL && value_len > 0))
        return CO_ERR_INVAL;
    return s->ops->put(s, ns, key, value, value_len);
}

int co_state_idem_begin(co_state_t *s, const char *ns, const char *key)
{
    if (!co__state_args_ok(s, ns, key))
        return CO_ERR_INVAL;
    return s->ops->idem_begin(s, ns, key);
}

int co_state_idem_commit(co_state_t *s, const char *ns, const char *key)
{
    if (!co__state_args_ok(s, ns, key))
        return CO_ERR_INVAL;
    return s->ops->idem_commit(s, ns, key);
}

void co_state_close(co_state_t *s)
{
    if (s != NULL)
        s->ops->close(s);
}

int co_state_claim_stage(const char *uri, const char *stage, int *fd)
{
    if (uri == NULL || strncmp(uri, "file:", 5) != 0 || uri[5] == '\0')
        return 0;
    if (*fd < 0) {
        char *lock_path = NULL;
        if (asprintf(&lock_path, "%s.lock", uri + 5) < 0)
            return -1;
        *fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        free(lock_path);
        if (*fd < 0)
            return -1;
    }
    /* one byte per stage name (FNV-1a), away from offset 0 */
    uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)stage; *c; c++)
        h = (h ^ *c) * 16777619u;
    struct flock fl = {.l_type = F_WRLCK,
                       .l_whence = SEEK_SET,
                       .l_start = 1 + (off_t)(h & 0x3fffffff),
                       .l_len = 1};
    if (fcntl(*fd, F_OFD_SETLK, &fl) == 0)
        return 0;
    return errno == EAGAIN || errno == EACCES ? 1 : -1;
}
