/**
 * @file core/log.h
 * @brief The host's logger: one JSON object per line on stderr
 *        ({"ts":..,"level":..,"stage":..,"plugin":..,"msg":..}).
 * @remark Thread-safe: each line is written with one locked write.
 */
#ifndef CO_CORE_LOG_H
#define CO_CORE_LOG_H

#include <careerops/types.h>
#include <stdarg.h>

/** @brief Set the minimum level written (default INFO; env
 *         CAREEROPS_LOG_LEVEL=debug|info|warn|error). */
void co_log_set_level(co_log_level_t level);
/** @brief Read CAREEROPS_LOG_LEVEL once at start-up. */
void co_log_init_from_env(void);
/** @brief True if `level` would be written. */
int co_log_enabled(co_log_level_t level);
/**
 * @brief Write one log line.
 * @param stage,plugin Names to tag the line with, or NULL.
 */
void co_log(co_log_level_t level, const char *stage, const char *plugin,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/** @brief va_list form of co_log(). */
void co_logv(co_log_level_t level, const char *stage, const char *plugin,
             const char *fmt, va_list ap);

#define co_log_error(...) co_log(CO_LOG_ERROR, NULL, NULL, __VA_ARGS__)
#define co_log_warn(...)  co_log(CO_LOG_WARN, NULL, NULL, __VA_ARGS__)
#define co_log_info(...)  co_log(CO_LOG_INFO, NULL, NULL, __VA_ARGS__)
#define co_log_debug(...) co_log(CO_LOG_DEBUG, NULL, NULL, __VA_ARGS__)

#endif
