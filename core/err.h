/**
 * @file core/err.h
 * @brief Names and messages for co_err_t and co_status_t.
 */
#ifndef CO_CORE_ERR_H
#define CO_CORE_ERR_H
#include <careerops/types.h>

/** @brief Human-readable message for a co_err_t (static string). */
const char *co_strerror(int err);
/** @brief Symbolic name ("CONFIG") for a co_err_t (static string). */
const char *co_err_name(int err);
/** @brief Name ("RETRY") of a co_status_t (static string). */
const char *co_status_name(co_status_t st);
/** The plugin returned FAIL without set_error(): the reason said then
 *  (dead letters, `plugins test`, errors.tolerance none). */
#define CO_FAIL_NO_REASON                                                      \
    "the plugin returned FAIL (and gave no reason: a plugin says why with "    \
    "set_error())"
#endif
