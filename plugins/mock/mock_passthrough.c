/**
 * @file plugins/mock/mock_passthrough.c
 * @brief mock-passthrough: a processor that emits every record unchanged
 *        (key, value, and the headers it is handed) to the stage's output
 *        topic. For tests and benchmarks of the host's own overhead.
 *
 * It declares CO_PLUGIN_NO_INPUT_HEADERS (ABI 1.3), like a processor that
 * needs none: a stage of it gets the input's headers, and so forwards them,
 * only with `"input_headers": true` in the manifest.
 */
#include "mock_common.h"

static const co_host_api_t *mock_passthrough_api;

/** The instance only needs the stage handle. */
struct mock_passthrough {
    co_stage_t *st;
};

static co_status_t mock_passthrough_init(const co_host_api_t *api,
                                         co_stage_t *st, const void *config,
                                         void **instance)
{
    (void)config;
    struct mock_passthrough *mp = api->alloc(sizeof *mp);
    if (mp == NULL) {
        api->set_error(st, "memory", "out of memory creating mock-passthrough");
        return CO_FATAL;
    }
    mp->st = st;
    *instance = mp;
    return CO_OK;
}

static co_status_t mock_passthrough_process(void *instance,
                                            const co_record_t *rec)
{
    struct mock_passthrough *mp = instance;
    return mock_forward(mock_passthrough_api, mp->st, rec);
}

static void mock_passthrough_destroy(void *instance)
{
    mock_passthrough_api->free(instance);
}

static const co_plugin_t mock_passthrough_plugin = {
    CO_PLUGIN_HEADER,
    .name = "mock-passthrough",
    .version = "1.0.0",
    .description =
        "Test processor: emits every record unchanged (input headers only "
        "with input_headers: true).",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    /* forwards the input's headers only with `input_headers: true` */
    .flags = CO_PLUGIN_NO_INPUT_HEADERS,
    .options = NULL,
    .config_size = 0,
    .init = mock_passthrough_init,
    .process = mock_passthrough_process,
    .destroy = mock_passthrough_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    mock_passthrough_api = api;
    return &mock_passthrough_plugin;
}
