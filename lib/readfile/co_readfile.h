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
 * @returns 0, or -errno: -EISDIR for a folder, -EFBIG when it is larger
 *          than `max` (a regular file by its size before reading; a device
 *          or a pipe once `max` bytes have come), -EIO for a read error,
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

/**
 * @brief The reason for co_readfile_max()'s error rc (a negative errno) in
 *        words: strerror(), but -ETIMEDOUT said as "a named pipe (FIFO)
 *        that nothing wrote to within 5 s: give a regular file".
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

#endif
