/* sd_notify(3) through libsystemd loaded on first use (notify_systemd.h). */
#include "notify_systemd.h"
#include "log.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef CO_HAVE_SD_DAEMON_H
/* the header only checks our prototypes: nothing is linked */
#include <systemd/sd-daemon.h>
typedef __typeof__(sd_notify) co__sd_notify_fn;
typedef __typeof__(sd_watchdog_enabled) co__sd_watchdog_enabled_fn;
#else
typedef int co__sd_notify_fn(int unset_environment, const char *state);
typedef int co__sd_watchdog_enabled_fn(int unset_environment, uint64_t *usec);
#endif

static pthread_once_t co__sd_once = PTHREAD_ONCE_INIT;
static co__sd_notify_fn *co__sd_notify;
static uint64_t co__sd_watchdog_usec; /* 0: no WatchdogSec */
static _Atomic uint64_t co__sd_last_ping_usec;

static void co__sd_init(void)
{
    const char *sock = getenv("NOTIFY_SOCKET");
    if (sock == NULL || sock[0] == '\0')
        return;
    void *dl = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        co_log_warn("NOTIFY_SOCKET is set but libsystemd.so.0 cannot be "
                    "loaded (%s): install the Debian package libsystemd0; "
                    "systemd gets no READY=1 from this process",
                    dlerror());
        return;
    }
    void *n = dlsym(dl, "sd_notify"), *w = dlsym(dl, "sd_watchdog_enabled");
    if (n == NULL || w == NULL) {
        co_log_warn("libsystemd.so.0 has no sd_notify/sd_watchdog_enabled: "
                    "install a newer libsystemd0");
        return;
    }
    co__sd_watchdog_enabled_fn *wd;
    /* POSIX: a data pointer from dlsym converts to a function pointer */
    *(void **)&co__sd_notify = n;
    *(void **)&wd = w;
    uint64_t usec = 0;
    if (wd(0, &usec) > 0)
        co__sd_watchdog_usec = usec;
}

/* Send `state` (newline-separated assignments). */
static void co__sd_send(const char *state)
{
    pthread_once(&co__sd_once, co__sd_init);
    if (co__sd_notify == NULL)
        return;
    int rc = co__sd_notify(0, state);
    if (rc < 0)
        co_log_warn("sd_notify(\"%.40s...\") failed: error %d", state, -rc);
}

/* `head` (may be empty) and a STATUS= line when status is not NULL; a
 * newline in status would start another assignment: it becomes a space. */
static void co__sd_send_status(const char *head, const char *status)
{
    char st[768] = "", buf[1024];
    if (status != NULL) {
        snprintf(st, sizeof st, "%s", status);
        for (char *p = st; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    snprintf(buf, sizeof buf, "%s%s%s%s", head, head[0] && status ? "\n" : "",
             status ? "STATUS=" : "", st);
    co__sd_send(buf);
}

void co_notify_ready(const char *status)
{
    co__sd_send_status("READY=1", status);
}

void co_notify_stopping(const char *status)
{
    co__sd_send_status("STOPPING=1", status);
}

void co_notify_status(const char *status)
{
    if (status != NULL)
        co__sd_send_status("", status);
}

void co_notify_watchdog(void)
{
    pthread_once(&co__sd_once, co__sd_init);
    if (co__sd_notify == NULL || co__sd_watchdog_usec == 0)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
    uint64_t last = atomic_load(&co__sd_last_ping_usec);
    if (last != 0 && now - last < co__sd_watchdog_usec / 4)
        return;
    atomic_store(&co__sd_last_ping_usec, now);
    co__sd_send("WATCHDOG=1");
}
