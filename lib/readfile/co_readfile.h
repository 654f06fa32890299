/**
 * @file co_readfile.h
 * @brief Read a whole file (a key, a secret, a manifest) with a size limit,
 *        without blocking for ever on a named pipe that nothing writes to
 *        (lib/readfile: libc only; prefix co_readfile_). Shared by the host
 *        (co_read_file_max() in core/util.c) and by the libraries and
 *        plugins, which cannot link core/ (trial 54).
 */
#ifndef CO_READFILE_H
#define CO_READFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/** How long co_readfile_max() waits for a named pipe's first bytes (ms). */
#define CO_READFILE_FIFO_WAIT_MS 5000

/**
 * @brief Read the whole file at `path`, at most `max` bytes.
 *
 * Opened with O_NONBLOCK, so open() never waits for a writer: a named pipe
 * (FIFO) gets CO_READFILE_FIFO_WAIT_MS for its first bytes (a pipe of
 * `<(...)` is read; a FIFO that nothing writes to is refused).
 * @param out Set on success to a malloc'd copy with a NUL after the last
 *        byte (free() it; wipe it first when it holds a secret).
 * @param len Set to the number of bytes read (may be NULL).
 * @returns 0, or -errno: -EISDIR for a folder, -EFBIG when a regular
 *          file is larger than `max` (by its size before reading),
 *          CO_READFILE_ENDLESS for a device or a pipe once `max` bytes have
 *          come (/dev/zero), -EIO for a read error,
 *          -ETIMEDOUT for a named pipe that nothing wrote to in time,
 *          -ENOMEM, or open()'s errno (-ENOENT, -EACCES...).
 * @remark Thread-safe (no shared state).
 */
int co_readfile_max(const char *path, char **out, size_t *len, size_t max);

/**
 * @brief Open `path` for reading as co_readfile_max() does, for a reader
 *        that goes line by line (a model, a rules table): a named pipe
 *        gets CO_READFILE_FIFO_WAIT_MS for its first bytes, a folder is
 *        refused; then an ordinary blocking stream.
 * @param rc Set to 0, or to the error (-ETIMEDOUT for a FIFO that nothing
 *        wrote to, -EISDIR, open()'s -errno) when NULL is returned.
 * @param size Set to a regular file's size in bytes, 0 for anything else
 *        (may be NULL).
 * @returns A stream to fclose(), or NULL. Thread-safe.
 */
FILE *co_readfile_open(const char *path, int *rc, size_t *size);

/** co_readfile_max()'s error for a device or pipe that sent more than
 *  `max` bytes: not an errno (they are below 4096), said by
 *  co_readfile_strerror(). */
#define CO_READFILE_ENDLESS (-0x10001)

/**
 * @brief The reason for co_readfile_max()'s error rc (a negative errno or
 *        CO_READFILE_ENDLESS) in words: strerror(), but -ETIMEDOUT said as
 *        "a named pipe (FIFO) that nothing wrote to within 5 s: give a
 *        regular file" and CO_READFILE_ENDLESS as "a device or stream that
 *        did not end within the size limit".
 * @returns A static string. Thread-safe.
 */
const char *co_readfile_strerror(int rc);

/**
 * @brief What `path` is when it is neither missing nor a regular file, for
 *        a check that must not open it (a plugin's check(), `careerops
 *        validate`): stat() only, a symbolic link followed.
 * @returns NULL for a regular file or a path stat() cannot see for
 *          another reason than its absence (the read says why), else
 *          "missing (no such file)", "a named pipe (FIFO)", "a folder", "a
 *          socket" or "a device" (static strings). Thread-safe.
 */
const char *co_readfile_kind(const char *path);

/**
 * @brief co_readfile_kind() said whole, for "'PATH' is %s: FIX": NULL for
 *        a regular file, "missing (no such file)", or e.g. "a named pipe
 *        (FIFO), not a regular file".
 * @returns NULL or a static string. Thread-safe.
 */
const char *co_readfile_not_regular(const char *path);

/**
 * @brief Open a new file for writing that will replace `path` once
 *        written (co_tmpfile_commit()): an unnamed file in path's folder
 *        (Linux O_TMPFILE), so that a process killed while it writes
 *        leaves nothing behind; where the file system has no O_TMPFILE, a
 *        named "DIR/.co-tmp.XXXXXX" (mkstemp()), whose name is put in
 *        tmpname.
 * @param path The final name. Borrowed. Its folder must exist.
 * @param tmpname Out: "" for an unnamed file, else the temporary name
 *        (remove it with co_tmpfile_abandon() if the write fails).
 * @param cap Size of tmpname in bytes: at least strlen(path) + 12.
 * @returns A file descriptor open for writing (mode 0600, close-on-exec;
 *          the caller closes it), or -1 with errno set. Thread-safe.
 */
int co_tmpfile_open(const char *path, char *tmpname, size_t cap);

/**
 * @brief write(2) all of `len` bytes: again after a signal (EINTR) or a
 *        short write (a full pipe, a file system's limit per call).
 * @param fd Open for writing. Borrowed.
 * @param buf The bytes (borrowed); `len` in bytes.
 * @returns 0 when all were written, or -1 with errno set (ENOSPC when a
 *          write wrote nothing). Thread-safe.
 */
int co_write_all(int fd, const void *buf, size_t len);

/**
 * @brief Give the file that co_tmpfile_open() opened its final name
 *        `path`, replacing a file there (rename() semantics). Call it
 *        after the data is written (and fsync()ed if it must survive a
 *        crash), before closing fd.
 * @param fd,tmpname As co_tmpfile_open() gave them. Borrowed.
 * @param path The final name. Borrowed.
 * @returns 0, or -1 with errno set (a named temporary file is removed).
 *          Thread-safe.
 */
int co_tmpfile_commit(int fd, const char *tmpname, const char *path);

/**
 * @brief co_tmpfile_commit() that never replaces: the file gets its name
 *        only if nothing has it yet (link() semantics), so that of two
 *        processes creating the same path at once one wins and the other
 *        learns it (trial 59: two `careerops broker --bootstrap-file F`
 *        started together both ran).
 * @returns 0, or -1 with errno set: EEXIST when path exists. On failure
 *          the file stays as it was (fd open, a named temporary file
 *          kept): co_tmpfile_commit() may still replace path with it, or
 *          co_tmpfile_abandon() drops it. Thread-safe.
 */
int co_tmpfile_commit_new(int fd, const char *tmpname, const char *path);

/**
 * @brief Remove the temporary name of a write that failed (nothing to do
 *        for an unnamed file: closing its descriptor frees it).
 * @param tmpname As co_tmpfile_open() gave it. Borrowed.
 */
void co_tmpfile_abandon(const char *tmpname);

/** What co_readfile_peek() found at a path. */
typedef enum {
    CO_PEEK_ABSENT = 0,  /**< nothing there (lstat() failed) */
    CO_PEEK_REGULAR = 1, /**< a regular file: its head was read */
    CO_PEEK_LINK = 2,    /**< a symbolic link (not followed) */
    CO_PEEK_OTHER = 3    /**< a folder, named pipe, device or socket */
} co_peek_t;

/**
 * @brief Look at an existing path that a command is about to replace (a
 *        file it writes whole), without following a link or blocking on a
 *        named pipe: its kind and, for a regular file, its first bytes.
 *        Both `--bootstrap-file` and `auth gmail --token-out` replace a
 *        path only when it is absent or one they wrote (trials 55, 56).
 * @param path Borrowed.
 * @param head Out: up to cap - 1 first bytes, NUL-terminated ("" unless
 *        CO_PEEK_REGULAR and readable).
 * @param cap Size of head in bytes (at least 1).
 * @param n Out: bytes read into head (-1 when not read).
 * @param size Out: the file's size in bytes (0 unless CO_PEEK_REGULAR).
 * @returns The kind. Thread-safe.
 */
co_peek_t co_readfile_peek(const char *path, char *head, size_t cap, ssize_t *n,
                           long long *size);

/**
 * @brief co_readfile_peek() for a command about to replace `path` with a
 *        file of its own kind, which begins with `magic`: whether it may
 *        (absent, or a regular file that is empty or begins with magic).
 *        One rule for `train --out` (a model) and `relabel --export` (an
 *        earlier export's header).
 * @param path,magic Borrowed; magic at most 255 bytes.
 * @param ours Out: 1 when path may be replaced, else 0.
 * @returns What is at path. Thread-safe.
 */
co_peek_t co_readfile_replaceable(const char *path, const char *magic,
                                  int *ours);

/** What co_newfile_check() found in the way of a new file. */
typedef enum {
    CO_NEWFILE_OK = 0,         /**< a file can be created there */
    CO_NEWFILE_NO_FOLDER = 1,  /**< its folder does not exist */
    CO_NEWFILE_NOT_FOLDER = 2, /**< its folder is a file (or a link to one) */
    CO_NEWFILE_FOLDER_ERR = 3, /**< its folder cannot be looked at (err) */
    CO_NEWFILE_EMPTY = 4,      /**< the path is "" or ends in '/' */
    CO_NEWFILE_LONG_NAME = 5,  /**< its last component is too long */
    CO_NEWFILE_CANNOT = 6      /**< the folder takes no new file (err) */
} co_newfile_t;

/**
 * @brief Whether a file could be created at `path`, checked before a long
 *        job whose output it is (trial 58: `train --out /proc/x`, a name
 *        of 300 bytes or a path under a regular file failed only after
 *        training). One question for `--bootstrap-file`, `train --out` and
 *        `validate`'s output paths, which word the answer themselves.
 * @param path Borrowed.
 * @param probe 0 to look at the folder and the name only (stat(), no
 *        side effect: validate); 1 to also open an unnamed file there
 *        (O_TMPFILE, dropped at once; on a file system without it, a
 *        "DIR/.co-tmp.XXXXXX" file created and removed), which finds file
 *        systems such as /proc and /sys that take no new file, and
 *        permissions.
 * @param dir Out: path's folder ("." for a bare name), cap bytes.
 * @param err Out: errno for CO_NEWFILE_FOLDER_ERR and CO_NEWFILE_CANNOT,
 *        the folder's name limit in bytes for CO_NEWFILE_LONG_NAME (what
 *        co_newfile_why() says), else 0.
 * @returns The first problem found, or CO_NEWFILE_OK. Thread-safe.
 */
co_newfile_t co_newfile_check(const char *path, int probe, char *dir,
                              size_t cap, int *err);

/**
 * @brief The words for a co_newfile_check() answer, to follow "PATH: ":
 *        e.g. "its folder DIR does not exist", "its name is longer than
 *        255 bytes".
 * @param k The answer (not CO_NEWFILE_OK).
 * @param dir_shown The folder as the caller shows it (escaped). Borrowed.
 * @param err As co_newfile_check() set it.
 * @param buf,cap Out: the words, NUL-terminated (cut to fit).
 * @returns buf. Thread-safe.
 */
char *co_newfile_why(co_newfile_t k, const char *dir_shown, int err, char *buf,
                     size_t cap);

#endif
