/* The ollama-classifier tests' shared fixture (see ollama_fixture.h). */
#include "ollama_fixture.h"
#include "co_test.h"

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *a);

co_fake_t *fake;
co_fake_ollama_t *ollama;
co_fake_host_t *host;
const co_plugin_t *plugin;
co_fake_plugin_t run;

void ollama_fixture_setup(void)
{
    setenv("CAREEROPS_LOOPBACK_ONLY", "1", 1);
    fake = co_fake_start(0);
    ck_assert_ptr_nonnull(fake);
    ollama = co_fake_ollama_install(fake);
    co_fake_ollama_add_model(ollama, MODEL);
    host = co_fake_host_new();
    plugin = co_plugin_entry(&host->api);
    ck_assert_ptr_nonnull(plugin);
}

void ollama_fixture_teardown(void)
{
    co_fake_host_stop_plugin(&run);
    co_fake_host_free(host);
    co_fake_stop(fake);
}

co_status_t ollama_fixture_start(json_t *more, const char *extra)
{
    json_t *conf =
        json_pack("{s:s,s:s}", "base_url", co_fake_url(fake), "model", MODEL);
    if (more != NULL) {
        json_object_update(conf, more);
        json_decref(more);
    }
    co_status_t s = co_fake_host_start_plugin(host, plugin, conf, extra, &run);
    /* a configuration check() refuses is a fault (CO_FATAL before init(),
     * as validate and run refuse it) */
    if (s == CO_OK)
        ck_assert_int_eq(run.faults, 0);
    return s;
}

co_record_t ollama_email_record(const char *key, const char *subject,
                                const char *text)
{
    json_t *e =
        json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:s,s:s,s:b,s:[],s:[],s:{}}",
                  "schema", "careerops.email.v1", "key", key, "message_id",
                  "<m1@lindqvist-robotics.example>", "from", "name",
                  "Mara Lind", "address", "mara@lindqvist-robotics.example",
                  "subject", subject, "date", "2025-02-20T09:00:00Z",
                  "text_truncated", 0, "calendar", "attachments", "headers");
    json_object_set_new(e, "text", json_string(text));
    return co_fake_record_json(key, e);
}
