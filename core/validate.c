/* Manifest checks against the plugins' declarations. */
#include "validate.h"
#include "control.h"
#include "loader.h"
#include "options.h"

#include <librdkafka/rdkafka.h>
#include <string.h>

/* Each kafka property through librdkafka's own parser on a scratch
 * configuration: an unknown name or a bad value is a fault at kafka.NAME
 * here, not a FAILED stage at run time. */
static void co__validate_kafka(const co_manifest_t *m, co_diag_t *d)
{
    if (m->kafka == NULL)
        return;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *k;
    json_t *v;
    json_object_foreach(m->kafka, k, v)
    {
        char e[512], path[300];
        if (!json_is_string(v) || k[0] == '\0' ||
            strcmp(k, "bootstrap.servers") == 0)
            continue; /* reported by the manifest parser, or "embedded" */
        if (rd_kafka_conf_set(conf, k, json_string_value(v), e, sizeof e) !=
            RD_KAFKA_CONF_OK) {
            snprintf(path, sizeof path, "kafka.%s", k);
            co_diag_add(d, path,
                        "%s (librdkafka %s; see its CONFIGURATION.md for "
                        "the property names and values)",
                        e, rd_kafka_version_str());
        }
    }
    rd_kafka_conf_destroy(conf);
}

int co_validate_plugins(const co_manifest_t *m, co_diag_t *d)
{
    size_t before = d->n;
    co__validate_kafka(m, d);
    char e[512];
    if (co_control_listen_check(m->http_listen, e, sizeof e) != 0)
        co_diag_add(d, "http.listen", "%s", e);
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        char path[64], e[2048];
        if (s->plugin == NULL || s->name == NULL)
            continue; /* already reported by the manifest parser */
        snprintf(path, sizeof path, "stages[%zu].%s", i,
                 s->plugin_file ? "plugin_file" : "plugin");
        const co_plugin_handle_t *h =
            co_plugin_load_as(s->plugin, s->plugin_file, e, sizeof e);
        if (h == NULL) {
            co_diag_add(d, path, "%s", e);
            continue;
        }
        const co_plugin_t *p = h->desc;
        snprintf(path, sizeof path, "stages[%zu]", i);
        int src = s->n_inputs == 0;
        int sink = s->n_inputs > 0 && s->output == NULL;
        if (src && !(p->kinds & CO_KIND_SOURCE))
            co_diag_add(d, path,
                        "stage has no input, so it is a source, but plugin "
                        "%s is not a source: add \"input\"",
                        s->plugin);
        else if (sink && !(p->kinds & (CO_KIND_SINK | CO_KIND_PROCESSOR)))
            co_diag_add(d, path,
                        "plugin %s cannot consume records (it is "
                        "a source): remove \"input\"",
                        s->plugin);
        else if (!src && !sink && !(p->kinds & CO_KIND_PROCESSOR) &&
                 !(p->kinds & CO_KIND_SINK))
            co_diag_add(d, path, "plugin %s cannot consume records", s->plugin);
        else if (!src && !sink && !(p->kinds & CO_KIND_PROCESSOR))
            co_diag_add(d, path,
                        "plugin %s is a sink: it takes \"input\" but "
                        "produces nothing, so remove \"output\"",
                        s->plugin);
        if (s->delivery == CO_DELIVERY_EXACTLY_ONCE) {
            char dp[64];
            snprintf(dp, sizeof dp, "stages[%zu].delivery", i);
            co_diag_add(d, dp,
                        "\"exactly-once\" (transactional producer) is not "
                        "available in this version: use \"at-least-once\" "
                        "with idempotency keys (docs/manifest.md)");
        }
        snprintf(path, sizeof path, "stages[%zu].config", i);
        co_options_validate(p->options, s->config, path, d);
    }
    return (int)(d->n - before);
}
