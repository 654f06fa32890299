/**
 * @file core/bootfile.h
 * @brief The `--bootstrap-file F` of `careerops broker` and `careerops
 *        run`: the embedded broker's address ("HOST:PORT[,HOST:PORT]...\n")
 *        written where hosts of other stages read it.
 *
 * Thread-safety: none of these keeps state; call them from the main
 * thread (they print to stderr / the log).
 */
#ifndef CO_CORE_BOOTFILE_H
#define CO_CORE_BOOTFILE_H

/**
 * @brief Check a bootstrap-file path before anything starts.
 *
 * The folder must exist (a typo is refused, not created). An existing
 * path must be a bootstrap file of an earlier run (or empty), never a
 * manifest, a symbolic link or a device; and no broker may still answer
 * at the address it holds (a second broker would take the file over from
 * a live one and remove it at exit). The probe is a TCP connect() with a
 * 300 ms limit to each numeric address in the file; names are not looked
 * up (no traffic leaves for a host the file names).
 *
 * @param opt The option's name for messages ("--bootstrap-file").
 *            Borrowed.
 * @param path The path given. Borrowed.
 * @returns 0 (usable), or 2 with the reason and the fix on stderr.
 */
int co_bootfile_check(const char *opt, const char *path);

/**
 * @brief Write `bootstraps` and a newline to `path` atomically, mode
 *        0644: an unnamed file in path's folder given its name when whole
 *        (co_tmpfile_open(); no "PATH.tmp" is touched).
 * @param path,bootstraps Borrowed.
 * @returns 0, or -1 with errno set (the temporary file removed).
 */
int co_bootfile_write(const char *path, const char *bootstraps);

/**
 * @brief Remove `path` if it still holds `bootstraps` (a stale address
 *        would send the next run to a dead port; a file another broker
 *        wrote since is left alone). A failure is logged as a warning.
 * @param path,bootstraps Borrowed.
 */
void co_bootfile_remove(const char *path, const char *bootstraps);

#endif
