/* A working sink plugin whose own words (version, licence, description,
 * an option's description and default) carry a terminal escape and a
 * right-to-left override, so plugins_words.sh can see that `plugins list`
 * and `plugins info` print them escaped (trial 57: printed raw). Built for
 * the tests only. */
#include <careerops/plugin.h>

#include <stddef.h>

struct loud_config {
    const char *tone;
};

static const co_option_t loud_options[] = {
    {CO_OPT_STR, "tone", "\x1b]0;pwned\x07", 0, 0, 0,
     offsetof(struct loud_config, tone),
     "a tone \x1b[31mred\x1b[0m and \xe2\x80\xae"
     "desrever"},
    {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}};

static int loud_instance;

static co_status_t loud_init(const co_host_api_t *api, co_stage_t *st,
                             const void *config, void **instance)
{
    (void)api;
    (void)st;
    (void)config;
    *instance = &loud_instance;
    return CO_OK;
}

static co_status_t loud_process(void *instance, const co_record_t *rec)
{
    (void)instance;
    (void)rec;
    return CO_OK;
}

static void loud_destroy(void *instance)
{
    (void)instance;
}

static const co_plugin_t loud_plugin = {
    CO_PLUGIN_HEADER,
    .name = "loud",
    .version = "1.0\x1b[2J",
    .description = "A sink \x1b[31min red\x1b[0m, \xe2\x80\xae"
                   "desrever",
    .license = "MIT\x1b[1m",
    .kinds = CO_KIND_SINK,
    .options = loud_options,
    .config_size = sizeof(struct loud_config),
    .init = loud_init,
    .process = loud_process,
    .destroy = loud_destroy,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    (void)api;
    return &loud_plugin;
}
