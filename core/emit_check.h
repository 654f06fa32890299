/**
 * @file core/emit_check.h
 * @brief The records emit() refuses, one rule for the host (host_api.c)
 *        and the fake host of plugin tests (tests/fakes/co_fake_host.c,
 *        installed as careerops-plugin-test). Depends on plugin-api types
 *        only. Not installed.
 */
#ifndef CO_CORE_EMIT_CHECK_H
#define CO_CORE_EMIT_CHECK_H

#include <careerops/types.h>

/**
 * @brief Why emit() must refuse `rec` (with CO_ERR_INVAL), for the host's
 *        and the fake host's emit() alike (plugin-api host_api.h).
 * @param rec The record a plugin gave emit() (borrowed; NULL is refused).
 * @param in_init 1 when the call comes from the plugin's init(), where no
 *        producer exists yet.
 * @returns A static sentence naming the fault and the fix, or NULL when
 *          the record may be emitted: a NULL record, a NULL value or key
 *          with a length, header_cnt without headers, a header without a
 *          name or with a NULL value and a length. Thread-safe, pure.
 */
const char *co_emit_refusal(const co_record_t *rec, int in_init);

#endif
