/*
 * A passthrough processor with `careerops` commands (ABI 1.1), built twice
 * by tests/abi/meson.build:
 * - "abi-cmd" (CO_ABI_MINOR): registers `abi-hello`, `abi multi word` and
 *   `run` (a built-in name the host must never hand to a plugin);
 * - "abi-v10" (minor 0): the same table in the slot that ABI 1.0 reserved;
 *   a 1.1 host must ignore it (the commands abort if run) and still load
 *   and run the plugin as a 1.0 processor.
 * Both forward the input's headers and set CO_PLUGIN_NO_INPUT_HEADERS (ABI
 * 1.3) in co_plugin_t::flags: a host must ignore it for the 1.0 build, so
 * that one still gets (and forwards) the headers, as every 1.0-1.2 plugin
 * does.
 */
#include <careerops/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ABI_TEST_NAME
#error "define ABI_TEST_NAME and ABI_TEST_MINOR"
#endif

static const co_host_api_t *cmd_api;

static co_status_t cmd_init(const co_host_api_t *api, co_stage_t *st,
                            const void *config, void **instance)
{
    (void)config;
    *instance = st;
    cmd_api = api;
    return CO_OK;
}

static co_status_t cmd_process(void *instance, const co_record_t *rec)
{
    co_record_t out = CO_RECORD_INIT;
    out.key = rec->key;
    out.key_len = rec->key_len;
    out.value = rec->value;
    out.value_len = rec->value_len;
    out.headers = rec->headers;
    out.header_cnt = rec->header_cnt;
    return cmd_api->emit(instance, &out) == 0 ? CO_OK : CO_RETRY;
}

/* Prints its arguments and the host's ABI; exits 7 so the test can tell
 * the status is passed through. */
static int cmd_hello(const co_host_api_t *api, int argc, char **argv)
{
    if (ABI_TEST_MINOR < 1)
        abort(); /* a 1.0 plugin's slot must never be read */
    printf("hello from " ABI_TEST_NAME " (host ABI %u.%u, stage_config %s):",
           api->version >> 16, api->version & 0xffffu,
           CO_API_HAS(api, stage_config) ? "yes" : "no");
    for (int i = 0; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    return 7;
}

static int cmd_never(const co_host_api_t *api, int argc, char **argv)
{
    (void)api;
    (void)argc;
    (void)argv;
    abort(); /* `run` is the host's */
}

static const co_command_t cmd_commands[] = {
    {"abi-hello", "[ARGS...]   print the arguments", cmd_hello},
    {"abi multi word", "[ARGS...]   a command of three words", cmd_hello},
    {"run", "a built-in name: never dispatched to a plugin", cmd_never},
    /* trial 83: names --help listed that can never run */
    {"plugins list", "a built-in's subcommand: never dispatched", cmd_never},
    {"", "an empty name: never listed", cmd_never},
    {"two  spaces", "two spaces in a name: never listed", cmd_never},
    {NULL, NULL, NULL},
};

static const co_plugin_t cmd_plugin = {
    .abi_major = CO_ABI_MAJOR,
    .abi_minor = ABI_TEST_MINOR,
    .size = sizeof(co_plugin_t),
    .name = ABI_TEST_NAME,
    .version = "1.0.0",
    .description = "Test passthrough with commands.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* read only from minor 3 on */
    .init = cmd_init,
    .process = cmd_process,
    .commands = cmd_commands,
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    (void)api;
    return &cmd_plugin;
}
