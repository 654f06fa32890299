/**
 * @file plugins/mock/mock_common.h
 * @brief Helpers shared by the mock plugins (static, private to each module).
 *
 * Every mock plugin is its own shared module; these helpers are `static
 * inline` so that each module gets its own hidden copy and exports nothing
 * but co_plugin_entry().
 */
#ifndef CO_MOCK_COMMON_H
#define CO_MOCK_COMMON_H

#include <careerops/plugin.h>

/**
 * @brief Emit `rec` unchanged (key, value, headers, timestamp) to the stage's
 *        output topic.
 * @param api The host services. @param st The stage handle.
 * @param rec Borrowed input record; the host copies what is emitted.
 * @returns CO_OK, or CO_RETRY after api->set_error() when the host could not
 *          take the record (its producer queue stayed full): the host then
 *          redelivers the same input record.
 * @remark Stage worker thread only.
 */
static inline co_status_t mock_forward(const co_host_api_t *api, co_stage_t *st,
                                       const co_record_t *rec)
{
    co_record_t out = CO_RECORD_INIT;
    out.key = rec->key;
    out.key_len = rec->key_len;
    out.value = rec->value;
    out.value_len = rec->value_len;
    out.headers = rec->headers;
    out.header_cnt = rec->header_cnt;
    out.timestamp_ms = rec->timestamp_ms;
    int rc = api->emit(st, &out);
    if (rc != 0) {
        api->set_error(st, "emit", "could not emit the record (error %d)", rc);
        return CO_RETRY;
    }
    return CO_OK;
}

#endif
