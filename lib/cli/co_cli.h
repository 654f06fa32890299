/**
 * @file co_cli.h
 * @brief Command-line helpers shared by the host's commands and the
 *        plugins' commands (lib/cli: libc only; prefix co_cli_).
 */
#ifndef CO_CLI_H
#define CO_CLI_H

#include <getopt.h>
#include <stddef.h>

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
/**
 * @brief A copy of the text s that is safe to print on a terminal: C0
 *        controls and DEL written \\xNN; C1 controls, U+2028/U+2029,
 *        bidirectional controls and marks, zero-width and other invisible
 *        characters written \\uNNNN (an escape sequence in a name must not
 *        reach the terminal). Malloc'd (free()); aborts on out of memory.
 *        Pure; any thread.
 */
char *co_visible(const char *s);

/**
 * @brief Whether s begins with a character that co_visible() writes
 *        \\uNNNN (a C1 control, U+2028, U+2029, a bidirectional control or
 *        mark, an invisible character), for other escapings (JSON logs).
 * @param s UTF-8 text (borrowed), not empty.
 * @param u Set to the character's code point when one is found.
 * @returns Its length in bytes (2 or 3), or 0.
 * Thread-safety: pure; any thread.
 */
size_t co_cli_invisible(const char *s, unsigned *u);

/** How many co_cli_shown() results stay valid at once. */
#define CO_CLI_SHOWN_SLOTS 8

/**
 * @brief co_visible() of s (NULL: "(null)") for a message printed at once:
 *        `fprintf(stderr, "... '%s'\n", co_cli_shown(word))`, with no copy
 *        to free. The text lives in a buffer of the calling thread that the
 *        CO_CLI_SHOWN_SLOTS-th next call of that thread reuses (the last
 *        ones stay allocated until exit), so one message may show up to
 *        CO_CLI_SHOWN_SLOTS words.
 * Thread-safety: any thread (each has its own buffers); meant for the
 *        commands' messages, not for a loop of a long-lived thread.
 */
const char *co_cli_shown(const char *s);

/**
 * @brief co_cli_shown() that keeps line breaks: for a message of several
 *        lines from a library (libpq's "ERROR: ...\nDETAIL: ...\n"), which
 *        may quote a word of the command line. Same slots as co_cli_shown().
 * Thread-safety: as co_cli_shown().
 */
const char *co_cli_shown_lines(const char *s);

/**
 * @brief Print "error: unexpected argument 'WORD' (CMD takes one
 *        MANIFEST)" on stderr, WORD through co_visible().
 * @param cmd The command word ("run", "validate", "graph", "serve").
 * @param word The extra argument (borrowed).
 * Thread-safety: any thread.
 */
void co_cli_unexpected(const char *cmd, const char *word);

/**
 * @brief getopt_long() that prints its own errors, through co_visible():
 *        getopt_long()'s messages print the word as typed, so an escape
 *        sequence or U+202E in a mistyped option reached the terminal
 *        (trial 54).
 *
 * Sets opterr to 0 and calls getopt_long(argc, argv, optstring, lo,
 * longindex). When that returns '?', prints on stderr the message glibc
 * would ("CMD: unrecognized option '--x'", "CMD: option '--f' requires an
 * argument", "CMD: option '--h' doesn't allow an argument", "CMD: invalid
 * option -- 'x'", "CMD: option requires an argument -- 'f'"), CMD being
 * argv[0], every word shown by co_visible(); an ambiguous abbreviation is
 * "unrecognized or ambiguous".
 * @returns What getopt_long() returns.
 * Thread-safety: not thread-safe (getopt's globals), as getopt_long().
 */
int co_cli_getopt(int argc, char *const argv[], const char *optstring,
                  const struct option *lo, int *longindex);

#endif
