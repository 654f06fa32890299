/* careerops run --stage on the process's own in-memory broker: inputs
 * nobody here writes (a warning), outputs nobody here reads (refused
 * without --bootstrap-file). */
#include "alone.h"
#include "co_cli.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

const char *co_alone_local_writer(const co_manifest_t *m,
                                  const co_run_opts_t *o, const char *topic)
{
    for (size_t j = 0; j < m->n_stages; j++) {
        const co_stage_conf_t *w = &m->stages[j];
        if (w->output != NULL && strcmp(w->output, topic) == 0 &&
            co_run_is_local(o, w->name))
            return w->name;
    }
    return NULL;
}

int co_alone_check(const co_manifest_t *m, const co_run_opts_t *o)
{
    if (!m->embedded || o->stages == NULL || o->bootstrap_file != NULL)
        return 0;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (co_run_is_local(o, s->name))
            continue;
        for (size_t k = 0; k < s->n_inputs; k++) {
            const char *w = co_alone_local_writer(m, o, s->inputs[k]);
            if (w == NULL)
                continue;
            fprintf(stderr,
                    "error: --stage %s writes %s, which stage %s reads, but "
                    "%s is not in this process and this process runs its "
                    "own in-memory broker: no other process can reach it, "
                    "so those records would be lost with it (and a source "
                    "would save its position past them). Run the stages "
                    "together (no --stage), give --stage %s too, or start "
                    "`careerops broker --bootstrap-file F` and give every "
                    "host --set kafka.bootstrap.servers=$(cat F)\n",
                    co_cli_shown(w), co_cli_shown(s->inputs[k]),
                    co_cli_shown(s->name), co_cli_shown(s->name),
                    co_cli_shown(s->name));
            return 2;
        }
    }
    return 0;
}

void co_alone_warn_inputs(const co_manifest_t *m, const co_run_opts_t *o)
{
    for (size_t i = 0; o->stages != NULL && i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (!co_run_is_local(o, s->name))
            continue;
        for (size_t k = 0; k < s->n_inputs; k++) {
            const char *writer = NULL;
            for (size_t j = 0; j < m->n_stages && writer == NULL; j++) {
                const co_stage_conf_t *w = &m->stages[j];
                if (w->output != NULL && strcmp(w->output, s->inputs[k]) == 0)
                    writer = w->name;
            }
            if (writer != NULL &&
                co_alone_local_writer(m, o, s->inputs[k]) == NULL)
                co_log(CO_LOG_WARN, s->name, s->plugin,
                       "input %s is written by stage %s, which is not in this "
                       "process, and this process runs its own in-memory "
                       "broker: nothing will arrive. Run the stages together "
                       "(no --stage), or start `careerops broker "
                       "--bootstrap-file F` and give every host --set "
                       "kafka.bootstrap.servers=ADDRESS",
                       s->inputs[k], writer);
        }
    }
}
