/**
 * @file core/crash.h
 * @brief A last line when the process crashes inside a plugin: which stage,
 *        which plugin, which callback and which input record (trial 40: a
 *        SIGSEGV in process() ended the log at "running 4 stage
 *        instance(s)", naming nothing).
 */
#ifndef CO_CRASH_H
#define CO_CRASH_H

#include <stdint.h>

/**
 * @brief Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT
 *        that write one line to stderr with what the crashing thread was
 *        doing (co_crash_enter()), then re-raise the signal with its default
 *        action (the exit status stays 128 + signal, a core dump is still
 *        written where the system writes them). The handlers run on an
 *        alternate stack of their own thread when one is set, else on the
 *        thread's stack; they use only async-signal-safe calls. Idempotent.
 *        Not installed under sanitizers (their runtime reports crashes).
 */
void co_crash_install(void);

/**
 * @brief Notes, for this thread, the plugin call under way: stage and
 *        plugin names and the callback ("process()"), and the input
 *        record's topic, partition and offset (topic NULL: none). The
 *        strings are borrowed and must outlive co_crash_leave(). Cheap
 *        (thread-local stores); call around every plugin callback.
 */
void co_crash_enter(const char *stage, const char *plugin, const char *fn,
                    const char *topic, int32_t partition, int64_t offset);

/** @brief The plugin call of this thread returned (co_crash_enter()). */
void co_crash_leave(void);

#endif
