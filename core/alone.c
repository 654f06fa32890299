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
    size_t rl = 0, ml = 0, sl = 0, n_readers = 0;
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
            /* "dl (reads dlq_c from classify)": the topic each one reads,
             * an output or dead letters (trial 62: all were put under the
             * first writer's output) */
            n_readers++;
            if (rl < sizeof readers)
                rl += (size_t)snprintf(readers + rl, sizeof readers - rl,
                                       "%s%s (reads %s from %s)",
                                       rl ? ", " : "", co_cli_shown(s->name),
                                       co_cli_shown(s->inputs[k]),
                                       co_cli_shown(w));
            if (ml < sizeof more)
                ml += (size_t)snprintf(more + ml, sizeof more - ml,
                                       " --stage %s", co_cli_shown(s->name));
            break;
        }
    }
    if (n_readers > 0 && o->bootstrap_file == NULL) {
        fprintf(stderr,
                "error: stage%s %s %s not in this process, and this process "
                "runs its own in-memory broker: no other process can reach "
                "it, so those records would be lost with it (and a source "
                "would save its position past them). Run the stages "
                "together (no --stage), add%s, or start `careerops broker "
                "--bootstrap-file F` and give every host --set "
                "kafka.bootstrap.servers=$(cat F)\n",
                n_readers > 1 ? "s" : "", readers, n_readers > 1 ? "are" : "is",
                more);
        return 2;
    }
    /* trial 61: a process with no source of its own saw itself idle at
     * once and ended, its broker with it, before the source of another
     * process had written anything */
    if (o->bootstrap_file != NULL && o->until_idle && sources[0] != '\0') {
        fprintf(stderr,
                "error: --until-idle with --bootstrap-file: %s %s of "
                "other processes write%s into this process's broker, "
                "and this process cannot tell when they are done, so it "
                "would end (and its broker with it) too early. Run it "
                "without --until-idle and stop it (SIGTERM) once they "
                "have finished, or run the sources here\n",
                strchr(sources, ',') ? "the sources" : "the source", sources,
                strchr(sources, ',') ? "" : "s");
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
