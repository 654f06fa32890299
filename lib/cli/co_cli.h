/**
 * @file co_cli.h
 * @brief Command-line helpers shared by the host's commands and the
 *        plugins' commands (lib/cli: libc only; prefix co_cli_).
 */
#ifndef CO_CLI_H
#define CO_CLI_H

#include <getopt.h>

/**
 * @brief Refuse an option that takes a value and is given more than once
 *        (getopt_long() keeps the last one silently: trial 43's
 *        `serve --listen A --listen B` listened on B).
 *
 * Scans argv[1..argc) up to "--" for the long options of `lo` (`--name V`,
 * `--name=V`) and their short letters (`-x V`, `-xV`) when an entry's `val`
 * is that letter. Options without an argument, and those named in
 * `repeatable`, may repeat.
 * @param lo getopt_long()'s table (borrowed).
 * @param repeatable Names of options that may repeat (NULL-terminated), or
 *        NULL.
 * @param cmd The command, for the message ("careerops serve").
 * @returns 0, or 2 after printing on stderr "error: CMD: --NAME given
 *          twice ('A', then 'B'): give it once", the option named as typed
 *          (--dsn, -o; "'A', then as --conninfo 'B'" for an alias); the
 *          values are left out when either looks like a connection string
 *          with a password (USER:PASSWORD@ in a URI, or password=).
 * Thread-safety: reentrant.
 */
int co_cli_once(int argc, char *const argv[], const struct option *lo,
                const char *const *repeatable, const char *cmd);

#endif
