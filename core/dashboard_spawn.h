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

/**
 * @brief Run this program (/proc/self/exe) with `argv`.
 * @param conninfo When not NULL, handed to the child as the environment
 *        variable CAREEROPS_STATE (which replaces an inherited one), never
 *        as an argument: /proc/PID/cmdline is readable by every local
 *        user, /proc/PID/environ by this user only, and a conninfo can
 *        hold a password (trial 43).
 * @param out_fd The child's stdout, or -1: into `out` with its stderr.
 * @param out Receives the child's stderr (and its stdout with -1).
 * @returns The child's exit status, or -1 when it could not run or did
 *          not exit.
 * @remark Blocks until the child ends; any thread.
 */
int co_dashboard_spawn(char *const argv[], const char *conninfo, int out_fd,
                       co_buf_t *out);

/**
 * @brief Run this program as co_dashboard_spawn() does, output captured,
 *        and make the answer of a dashboard action.
 * @param status Set to 200, 400 (exit 1 or 2: an unknown key, label or
 *        offset; the broker or the database unreachable) or 500.
 * @returns `{"ok":true,"output":...}` or `{"ok":false,"error":...}`
 *          (malloc'd; the caller frees it).
 */
char *co_dashboard_answer(char *const argv[], const char *conninfo,
                          unsigned *status);

#endif
