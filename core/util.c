/* Small helpers: clocks, buffers, files. */
#include "util.h"
#include "co_readfile.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t co_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t co_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void co_sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

char *co_rfc3339_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char tmp[32];
    strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%03ldZ", tmp, ts.tv_nsec / 1000000L);
    return buf;
}

int co_buf_add(co_buf_t *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int co_buf_printf(co_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if (co_buf_add(b, "", 0) != 0) /* ensure allocated */
        return -1;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void co_buf_free(co_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int co_read_file(const char *path, char **out, size_t *len)
{
    return co_read_file_max(path, out, len, CO_READ_FILE_MAX);
}

const char *co_read_strerror(int rc)
{
    return co_readfile_strerror(rc);
}

/* lib/readfile's reader, shared with the libraries and plugins (trial 54:
 * they opened key files with fopen(), which a FIFO blocks for ever) */
int co_read_file_max(const char *path, char **out, size_t *len, size_t max)
{
    return co_readfile_max(path, out, len, max);
}

static void co__oom(void)
{
    fputs("{\"level\":\"error\",\"msg\":\"out of memory\"}\n", stderr);
    abort();
}

char *co_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        co__oom();
    return d;
}

void *co_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        co__oom();
    return p;
}

void *co_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        co__oom();
    return p;
}

void co_errf(char *errstr, size_t size, const char *fmt, ...)
{
    if (errstr == NULL || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, size, fmt, ap);
    va_end(ap);
    co_secret_redact(errstr, size);
    /* a name with an escape sequence in it (trial 53: a --stage or a
     * plugin name) reaches no terminal as is */
    char *v = co_visible(errstr);
    snprintf(errstr, size, "%s", v);
    free(v);
}

/* ---- secrets kept out of messages ---------------------------------------- */

typedef struct {
    char *value; /* the content */
    char *shown; /* "${secret:NAME}" */
} co__secret_t;

static pthread_mutex_t co__secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static co__secret_t *co__secrets;
static size_t co__n_secrets;

void co_secret_note(const char *name, const char *value)
{
    if (name == NULL || value == NULL || strlen(value) < 4)
        return;
    pthread_mutex_lock(&co__secrets_lock);
    for (size_t i = 0; i < co__n_secrets; i++)
        if (strcmp(co__secrets[i].value, value) == 0) {
            pthread_mutex_unlock(&co__secrets_lock);
            return;
        }
    co__secret_t *v =
        realloc(co__secrets, (co__n_secrets + 1) * sizeof *co__secrets);
    if (v == NULL)
        co__oom();
    co__secrets = v;
    co_buf_t s = {0};
    co_buf_printf(&s, "${secret:%s}", name);
    co__secrets[co__n_secrets].value = co_strdup(value);
    co__secrets[co__n_secrets].shown = s.data;
    co__n_secrets++;
    pthread_mutex_unlock(&co__secrets_lock);
}

/* A secret cut short by a message buffer (trial 53: a 520-byte secret in
 * librdkafka's 512-byte "Invalid value ..." was printed but its end) is
 * found by its first CO__SECRET_HEAD bytes: from there, as many bytes as
 * match the secret are hidden when they run to the end of the text or are
 * at least half the secret or 32 bytes. A shorter secret must match
 * whole. */
#define CO__SECRET_HEAD 16

void co_secret_redact(char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return;
    pthread_mutex_lock(&co__secrets_lock);
    for (size_t i = 0; i < co__n_secrets; i++) {
        const char *val = co__secrets[i].value;
        size_t vl = strlen(val),
               head = vl < CO__SECRET_HEAD ? vl : CO__SECRET_HEAD;
        const char *p = buf, *hit;
        co_buf_t out = {0};
        int found = 0;
        while ((hit = memmem(p, strlen(p), val, head)) != NULL) {
            size_t l = head;
            while (l < vl && hit[l] == val[l])
                l++;
            /* a start the secret shares with other text is no secret
             * (trial 70: a webhook secret "http://127.0.0.1:37175/..." hid
             * the dashboard's "http://127.0.0.1:3"): only the whole secret,
             * one cut by the end of the text, half of it or 32 bytes of it
             * are hidden */
            if (l < vl && hit[l] != '\0' && l * 2 < vl && l < 32) {
                co_buf_add(&out, p, (size_t)(hit - p) + l);
                p = hit + l;
                continue;
            }
            co_buf_add(&out, p, (size_t)(hit - p));
            co_buf_printf(&out, "%s", co__secrets[i].shown);
            p = hit + l;
            found = 1;
        }
        size_t rest = strlen(p), cut = 0;
        if (strlen(buf) + 1 == size) /* full: the end may be a cut secret */
            for (size_t k = rest < head ? rest : head - 1; k > 0 && !cut; k--)
                if (memcmp(p + rest - k, val, k) == 0)
                    cut = k;
        if (!found && cut == 0) {
            co_buf_free(&out);
            continue;
        }
        co_buf_add(&out, p, rest - cut);
        if (cut > 0)
            co_buf_printf(&out, "%s", co__secrets[i].shown);
        snprintf(buf, size, "%s", out.data);
        co_buf_free(&out);
    }
    pthread_mutex_unlock(&co__secrets_lock);
}

char *co_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return co_strdup(".");
    if (slash == path)
        return co_strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = co_xmalloc(n + 1);
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

int co_path_tilde(const char *path, char *with_home, size_t cap,
                  const char **rest)
{
    if (path[0] != '~')
        return 0;
    size_t n = strcspn(path + 1, "/");
    *rest = path + 1 + n;
    if (n == 0) {
        snprintf(with_home, cap, "${env:HOME}");
        return 1;
    }
    char name[256], buf[4096];
    struct passwd pw, *found = NULL;
    if (n >= sizeof name)
        return 0;
    memcpy(name, path + 1, n);
    name[n] = '\0';
    if (getpwnam_r(name, &pw, buf, sizeof buf, &found) != 0 || found == NULL)
        return 0; /* "~x" that names no account: a name like any other */
    snprintf(with_home, cap, "%s", pw.pw_dir);
    return 1;
}

char *co_path_join(const char *dir, const char *path)
{
    if (path[0] == '/' || dir == NULL || dir[0] == '\0')
        return co_strdup(path);
    /* "./x" in "." is "./x", not "././x" (trial 62: in every message) */
    while (path[0] == '.' && path[1] == '/' && path[2 + strspn(path + 2, "/")])
        path += 2 + strspn(path + 2, "/");
    /* "./" (or ".") itself: the folder, "./" in ".", not "././" */
    if (path[0] == '.' && path[1 + strspn(path + 1, "/")] == '\0')
        path = "";
    size_t n = strlen(dir) + strlen(path) + 2;
    char *r = co_xmalloc(n);
    snprintf(r, n, "%s/%s", dir, path);
    return r;
}

int co_eval_parse_rfc3339(const char *s, long long *minute_utc)
{
    long long t;
    if (co_parse_rfc3339_sec(s, &t) != 0)
        return -1;
    *minute_utc = t >= 0 ? t / 60 : -((-t + 59) / 60);
    return 0;
}

int co_days_in_month(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return mdays[m - 1] + (m == 2 && leap);
}

int co_parse_rfc3339_sec(const char *s, long long *sec_utc)
{
    int y, mo, d, h, mi, sec = 0, n = 0;
    if (s == NULL ||
        sscanf(s, "%4d-%2d-%2d%*[Tt ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) !=
            5 ||
        n == 0)
        return -1;
    const char *p = s + n;
    if (*p == ':') {
        if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
            return -1;
        sec = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') {
            p++;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z')
        p++;
    else if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59 ||
            oh < 0 || om < 0)
            return -1;
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else
        return -1;
    if (*p != '\0' || d < 1 || d > co_days_in_month(y, mo) || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec > 60)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *sec_utc = (long long)timegm(&tm) - (long long)off * 60;
    /* a leap second (RFC 3339 5.7) is 23:59:60 in UTC only: the minute
     * it ends is the last of a UTC day (note 18: :60 was taken at any
     * minute) */
    if (sec == 60 && (*sec_utc - 1) % 86400 != 86399)
        return -1;
    return 0;
}

/* Optimal string alignment distance, capped: names here are short keys and
 * labels, so a 64-column table on the stack does; glib and the Debian
 * libraries we use have no edit distance in their public API. */
static int co__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    enum { W = 64 };
    if (la >= W || lb >= W)
        return W;
    int dd[W][W];
    for (size_t i = 0; i <= la; i++)
        dd[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        dd[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) !=
                       tolower((unsigned char)b[j - 1]);
            int v = dd[i - 1][j] + 1;
            if (dd[i][j - 1] + 1 < v)
                v = dd[i][j - 1] + 1;
            if (dd[i - 1][j - 1] + cost < v)
                v = dd[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && dd[i - 2][j - 2] + 1 < v)
                v = dd[i - 2][j - 2] + 1;
            dd[i][j] = v;
        }
    return dd[la][lb];
}

const char *co_closest_name(const char *word, const char *const *names)
{
    const char *best = NULL;
    int best_d = 3;
    int len = (int)strlen(word);
    for (size_t i = 0; names && names[i]; i++) {
        int dist = co__edit_distance(word, names[i]);
        if (dist == 0 && strcmp(word, names[i]) == 0)
            return NULL;
        if (dist < best_d && dist < len) {
            best_d = dist;
            best = names[i];
        }
    }
    return best;
}

const char *co_stop_signal_name(int sig)
{
    return sig == SIGINT    ? "SIGINT"
           : sig == SIGTERM ? "SIGTERM"
           : sig == SIGHUP  ? "SIGHUP"
                            : "a signal";
}
