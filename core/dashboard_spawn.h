/**
 * @file core/dashboard_spawn.h
 * @brief The dashboard's actions run this program as a child
 *        (`careerops relabel`, `dlq replay`, `archive get`): argv, an
 *        optional database connection string passed in the environment,
 *        the output captured. Not installed.
 */
#ifndef CO_CORE_DASHBOARD_SPAWN_H
#define CO_CORE_DASHBOARD_SPAWN_H

#include "util.h"

/** Seconds the dashboard waits for its database (to connect, for each
 *  statement, and a relabel child for each lock), as a string. */
#define CO_DASHBOARD_DB_TIMEOUT_S "3"

/** Seconds a relabel child may take in all before it is killed. */
#define CO_DASHBOARD_RELABEL_S 10

/** Seconds a replay or archive-get child may take before it is killed
 *  (trial 45: no limit; a broker or an archive that does not answer held
 *  the request for good). */
#define CO_DASHBOARD_CHILD_S 30

/** co_dashboard_spawn()'s answer when the child outlived its time. */
#define CO_DASHBOARD_SPAWN_LATE (-2)

/**
 * @brief Run this program (/proc/self/exe) with `argv`.
 * @param conninfo When not NULL, handed to the child as the environment
 *        variable CAREEROPS_STATE (which replaces an inherited one), never
 *        as an argument: /proc/PID/cmdline is readable by every local
 *        user, /proc/PID/environ by this user only, and a conninfo can
 *        hold a password (trial 43); with it, PGCONNECT_TIMEOUT (unless
 *        set) and "-c lock_timeout" in PGOPTIONS bound the child's waits
 *        to CO_DASHBOARD_DB_TIMEOUT_S each (trial 45).
 * @param out_fd The child's stdout, or -1: into `out` with its stderr.
 * @param timeout_s Seconds the child may take (0: no limit); then it is
 *        killed (SIGKILL).
 * @param out Receives the child's stderr (and its stdout with -1).
 * @returns The child's exit status, CO_DASHBOARD_SPAWN_LATE when it was
 *          killed for its time, or -1 when it could not run or did not
 *          exit.
 * @remark Blocks until the child ends; any thread.
 */
int co_dashboard_spawn(char *const argv[], const char *conninfo, int out_fd,
                       int timeout_s, co_buf_t *out);

/**
 * @brief Run this program as co_dashboard_spawn() does, output captured,
 *        and make the answer of a dashboard action.
 * @param status Set to 200, 400 (exit 2: an unknown key, label or offset;
 *        exit 1 of a child without conninfo: the broker unreachable),
 *        503 (a child on the database, conninfo given, that exits 1: the
 *        database failed or refused, its words logged, not answered: trial
 *        45 answered a raw constraint error as a 400; or one killed for its
 *        time) or 500.
 * @returns `{"ok":true,"output":...}` or `{"ok":false,"error":...}`
 *          (malloc'd; the caller frees it).
 */
char *co_dashboard_answer(char *const argv[], const char *conninfo,
                          int timeout_s, unsigned *status);

#endif
