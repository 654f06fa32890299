/* A last line when a plugin crashes the host (core/crash.h).
 *
 * Why our own code: no Debian library writes "which stage, which record"
 * from a signal handler; glibc's backtrace() is not async-signal-safe and
 * gives addresses, not the record the operator needs to find the input.
 * The handler formats with its own integer printer and write(2) only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "crash.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* What this thread is doing inside a plugin (NULL stage: nothing). */
static __thread const char *co__stage, *co__plugin, *co__fn, *co__topic;
static __thread int32_t co__partition;
static __thread int64_t co__offset;

void co_crash_enter(const char *stage, const char *plugin, const char *fn,
                    const char *topic, int32_t partition, int64_t offset)
{
    co__stage = stage;
    co__plugin = plugin;
    co__fn = fn;
    co__topic = topic;
    co__partition = partition;
    co__offset = offset;
}

void co_crash_leave(void)
{
    co__stage = NULL;
}

/* Appends s (at most n bytes of room left, NUL kept) to the line. */
static void co__put(char *line, size_t *len, size_t cap, const char *s)
{
    while (s && *s && *len + 1 < cap)
        line[(*len)++] = *s++;
    line[*len] = '\0';
}

static void co__put_int(char *line, size_t *len, size_t cap, int64_t v)
{
    char d[24];
    int i = (int)sizeof d - 1, neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    d[i] = '\0';
    do {
        d[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u && i > 1);
    if (neg)
        d[--i] = '-';
    co__put(line, len, cap, d + i);
}

static const char *co__signame(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    default:
        return "SIGABRT";
    }
}

static void co__on_crash(int sig)
{
    char line[768];
    size_t n = 0;
    co__put(line, &n, sizeof line, "careerops: crashed (");
    co__put(line, &n, sizeof line, co__signame(sig));
    if (co__stage != NULL) {
        co__put(line, &n, sizeof line, ") in stage ");
        co__put(line, &n, sizeof line, co__stage);
        co__put(line, &n, sizeof line, ", plugin ");
        co__put(line, &n, sizeof line, co__plugin);
        co__put(line, &n, sizeof line, ", in ");
        co__put(line, &n, sizeof line, co__fn);
        if (co__topic != NULL) {
            co__put(line, &n, sizeof line, " of the record ");
            co__put(line, &n, sizeof line, co__topic);
            co__put(line, &n, sizeof line, "[");
            co__put_int(line, &n, sizeof line, co__partition);
            co__put(line, &n, sizeof line, "]@");
            co__put_int(line, &n, sizeof line, co__offset);
            co__put(line, &n, sizeof line,
                    " (not committed: it is read again at the next start; "
                    "`careerops plugins test` with that record reproduces "
                    "it)");
        }
        co__put(line, &n, sizeof line, "\n");
    } else {
        co__put(line, &n, sizeof line, ") outside any plugin call\n");
    }
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
}

void co_crash_install(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    (void)co__on_crash; /* the sanitizer's runtime reports crashes */
    return;
#else
    static int done;
    if (done)
        return;
    done = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = co__on_crash;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
#endif
}
