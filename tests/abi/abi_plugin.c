/*
 * A plugin that claims an ABI version the host must refuse: built twice by
 * tests/abi/meson.build, as "abi-major" (major CO_ABI_MAJOR + 1, i.e. 2.0
 * against ABI 1 headers) and "abi-minor" (CO_ABI_MAJOR.CO_ABI_MINOR + 1).
 * If the host loaded it anyway, any callback aborts, so the test cannot
 * pass by accident.
 */
#include <careerops/plugin.h>
#include <stdlib.h>

#ifndef ABI_TEST_NAME
#error "define ABI_TEST_NAME, ABI_TEST_MAJOR and ABI_TEST_MINOR"
#endif

static co_status_t abi_test_init(const co_host_api_t *api, co_stage_t *st,
                                 const void *config, void **instance)
{
    (void)api;
    (void)st;
    (void)config;
    (void)instance;
    abort(); /* never reached: the host must refuse the plugin first */
}

static co_status_t abi_test_process(void *instance, const co_record_t *rec)
{
    (void)instance;
    (void)rec;
    abort();
}

static const co_plugin_t abi_test_plugin = {
    .abi_major = ABI_TEST_MAJOR,
    .abi_minor = ABI_TEST_MINOR,
    .size = sizeof(co_plugin_t),
    .name = ABI_TEST_NAME,
    .version = "1.0.0",
    .description = "Test plugin built for an ABI the host does not support.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .init = abi_test_init,
    .process = abi_test_process,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    (void)api;
    return &abi_test_plugin;
}
