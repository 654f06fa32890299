/* careerops run --stage on the process's own in-memory broker: inputs
 * nobody here writes (a warning), topics written here that stages of other
 * processes read (refused without --bootstrap-file), and --until-idle
 * with sources in other processes (refused: their end cannot be seen). */
#include "alone.h"
#include "co_cli.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* Whether stage w writes topic t: its output or its dead letters. */
static int co__writes(const co_stage_conf_t *w, const char *t)
{
    return (w->output != NULL && strcmp(w->output, t) == 0) ||
           (w->dlq_topic != NULL && strcmp(w->dlq_topic, t) == 0);
}

const char *co_alone_local_writer(const co_manifest_t *m,
                                  const co_run_opts_t *o, const char *topic)
{
    for (size_t j = 0; j < m->n_stages; j++) {
        const co_stage_conf_t *w = &m->stages[j];
        if (co__writes(w, topic) && co_run_is_local(o, w->name))
            return w->name;
    }
    return NULL;
}

int co_alone_check(const co_manifest_t *m, const co_run_opts_t *o)
{
    if (!m->embedded || o->stages == NULL)
        return 0;
    char readers[1024] = "", more[1024] = "", sources[512] = "";
    const char *first_w = NULL, *first_t = NULL;
    size_t rl = 0, ml = 0, sl = 0;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (co_run_is_local(o, s->name))
            continue;
        if (s->n_inputs == 0 && sl < sizeof sources)
            sl += (size_t)snprintf(sources + sl, sizeof sources - sl, "%s%s",
                                   sl ? ", " : "", co_cli_shown(s->name));
        for (size_t k = 0; k < s->n_inputs; k++) {
            const char *w = co_alone_local_writer(m, o, s->inputs[k]);
            if (w == NULL)
                continue;
            if (first_w == NULL) {
                first_w = w;
                first_t = s->inputs[k];
            }
            if (rl < sizeof readers)
                rl +=
                    (size_t)snprintf(readers + rl, sizeof readers - rl, "%s%s",
                                     rl ? ", " : "", co_cli_shown(s->name));
            if (ml < sizeof more)
                ml += (size_t)snprintf(more + ml, sizeof more - ml,
                                       " --stage %s", co_cli_shown(s->name));
            break;
        }
    }
    if (first_w != NULL && o->bootstrap_file == NULL) {
        fprintf(stderr,
                "error: --stage %s writes %s, which stage%s %s read%s, but "
                "%s not in this process and this process runs its own "
                "in-memory broker: no other process can reach it, so those "
                "records would be lost with it (and a source would save its "
                "position past them). Run the stages together (no "
                "--stage), add%s, or start `careerops broker "
                "--bootstrap-file F` and give every host --set "
                "kafka.bootstrap.servers=$(cat F)\n",
                co_cli_shown(first_w), co_cli_shown(first_t),
                strchr(readers, ',') ? "s" : "", readers,
                strchr(readers, ',') ? "" : "s",
                strchr(readers, ',') ? "they are" : "it is", more);
        return 2;
    }
    /* trial 61: a process with no source of its own saw itself idle at
     * once and ended, its broker with it, before the source of another
     * process had written anything */
    if (o->bootstrap_file != NULL && o->until_idle && sources[0] != '\0') {
        fprintf(stderr,
                "error: --until-idle with --bootstrap-file: the source%s "
                "%s of other processes write into this process's broker, "
                "and this process cannot tell when they are done, so it "
                "would end (and its broker with it) too early. Run it "
                "without --until-idle and stop it (SIGTERM) once they "
                "have finished, or run the sources here\n",
                strchr(sources, ',') ? "s" : "", sources);
        return 2;
    }
    return 0;
}

void co_alone_warn_inputs(const co_manifest_t *m, const co_run_opts_t *o)
{
    /* with --bootstrap-file the other processes join this broker */
    for (size_t i = 0;
         o->stages != NULL && o->bootstrap_file == NULL && i < m->n_stages;
         i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (!co_run_is_local(o, s->name))
            continue;
        for (size_t k = 0; k < s->n_inputs; k++) {
            const char *writer = NULL;
            for (size_t j = 0; j < m->n_stages && writer == NULL; j++)
                if (co__writes(&m->stages[j], s->inputs[k]))
                    writer = m->stages[j].name;
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
