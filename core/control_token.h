/**
 * @file core/control_token.h
 * @brief The control endpoint's token (core/control.c): read from
 *        `http.token_file`, or made at each start and written to a private
 *        0600 file that other local users cannot read. Not installed.
 */
#ifndef CO_CORE_CONTROL_TOKEN_H
#define CO_CORE_CONTROL_TOKEN_H

#include <stddef.h>

/**
 * @brief Read the token of `http.token_file`: one line of
 *        CO_CONTROL_TOKEN_MIN or more characters without spaces; warns
 *        when the file is readable by other users.
 * @param token Receives it, NUL-terminated (at most `tsz` bytes).
 * @param token_file Receives a copy of `file` (the caller frees it).
 * @returns 0, or -1 with the reason in errstr (never the token).
 * @remark Any thread; no state.
 */
int co_control_token_read(const char *file, char *token, size_t tsz,
                          char **token_file, char *errstr, size_t sz);

/**
 * @brief Make a random 64-character token and write it (mode 0600) to
 *        `$XDG_RUNTIME_DIR/careerops/PIPELINE-PID.token` (else
 *        `/tmp/careerops-UID/`, a folder of mode 0700), after removing
 *        the token files of processes that are gone.
 * @param token Receives it (`tsz` at least 65).
 * @param token_file Receives the file's path (the caller frees it and
 *        removes the file at stop).
 * @returns 0, or -1 with the reason in errstr.
 * @remark Any thread.
 */
int co_control_token_make(const char *pipeline, char *token, size_t tsz,
                          char **token_file, char *errstr, size_t sz);

#endif
