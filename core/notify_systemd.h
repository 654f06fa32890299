/**
 * @file core/notify_systemd.h
 * @brief Tells systemd how a `careerops run` process is doing
 *        (sd_notify(3): READY=1, STOPPING=1, WATCHDOG=1, STATUS=...), for
 *        units with `Type=notify` (deploy/systemd/careerops@.service).
 *        Not installed.
 *
 * Nothing happens unless `$NOTIFY_SOCKET` is set (systemd sets it for
 * `Type=notify` units; elsewhere every function returns at once and no
 * library is loaded). When it is set, libsystemd (libsystemd.so.0, Debian
 * package libsystemd0) is loaded with dlopen on the first call, so the host
 * binary links no extra library and processes outside systemd keep their
 * idle RSS. If it cannot be loaded, one warning says so and the calls do
 * nothing (systemd then times the start out, which names the unit).
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef CO_CORE_NOTIFY_SYSTEMD_H
#define CO_CORE_NOTIFY_SYSTEMD_H

/**
 * @brief READY=1 with `STATUS=<status>`: the stages are running.
 * @param status One line for `systemctl status` (copied), or NULL.
 */
void co_notify_ready(const char *status);

/**
 * @brief STOPPING=1 with `STATUS=<status>`: shutdown has begun.
 * @param status One line (copied), or NULL.
 */
void co_notify_stopping(const char *status);

/**
 * @brief `STATUS=<status>` alone, e.g. a stage that failed.
 * @param status One line (copied); NULL does nothing.
 */
void co_notify_status(const char *status);

/**
 * @brief WATCHDOG=1 when the unit sets `WatchdogSec=`, at most once per
 *        quarter of that interval (cheap to call on every supervisor tick).
 * @remark Call it from the loop whose progress should keep the service
 *         alive (the supervisor loop): if that loop hangs, systemd kills
 *         and restarts the process after WatchdogSec.
 */
void co_notify_watchdog(void);

#endif
