/* Topic cycles and dead-letter loops, and inputs no stage writes. A stage that
 * consumes topic IN makes edges IN -> its output and, with errors.tolerance
 * "all", IN -> its dead-letter topic. A path from one of a stage's edges back
 * to one of its inputs is a cycle: records (or dead letters, which fail again
 * and again) would circle forever, so the manifest is refused. */
#include "manifest_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** How the search reached a topic: through which stage, and whether
 *  through that stage's dead-letter edge. */
typedef struct {
    int seen;
    int stage; /* -1: the start */
    int dlq;
    int from; /* previous topic index */
} co__reach_t;

static int co__topic_index(const co_manifest_t *m, const char *name)
{
    for (size_t i = 0; name && i < m->n_topics; i++)
        if (strcmp(m->topics[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The topics stage s writes to when it consumes: output, dead letters. */
static int co__targets(const co_stage_conf_t *s, int *out, int *is_dlq,
                       const co_manifest_t *m)
{
    int n = 0;
    if (s->n_inputs == 0 || s->name == NULL)
        return 0;
    if (s->output && (out[n] = co__topic_index(m, s->output)) >= 0)
        is_dlq[n++] = 0;
    if (s->tolerance_all && s->dlq_topic &&
        (out[n] = co__topic_index(m, s->dlq_topic)) >= 0)
        is_dlq[n++] = 1;
    return n;
}

static int co__is_input(const co_stage_conf_t *s, int t, const co_manifest_t *m)
{
    for (size_t k = 0; k < s->n_inputs; k++)
        if (co__topic_index(m, s->inputs[k]) == t)
            return 1;
    return 0;
}

/* Breadth-first from topic `start` to any input of stage `s`; fills r[].
 * Returns the input topic reached, or -1. */
static int co__search(const co_manifest_t *m, const co_stage_conf_t *s,
                      int start, co__reach_t *r, int *queue)
{
    memset(r, 0, m->n_topics * sizeof *r);
    int head = 0, tail = 0;
    r[start] = (co__reach_t){1, -1, 0, -1};
    queue[tail++] = start;
    while (head < tail) {
        int t = queue[head++];
        if (co__is_input(s, t, m))
            return t;
        for (size_t j = 0; j < m->n_stages; j++) {
            const co_stage_conf_t *o = &m->stages[j];
            if (!co__is_input(o, t, m))
                continue;
            int tg[2], dl[2];
            int n = co__targets(o, tg, dl, m);
            for (int k = 0; k < n; k++)
                if (!r[tg[k]].seen) {
                    r[tg[k]] = (co__reach_t){1, (int)j, dl[k], t};
                    queue[tail++] = tg[k];
                }
        }
    }
    return -1;
}

/* Reports the cycle of stage i (edge to topic `start`, dead-letter edge if
 * `dlq`) ending at input `end`, unless a stage of lower index is on it
 * (that stage reports it). */
static void co__report(const co_manifest_t *m, size_t i, int start, int dlq,
                       int end, const co__reach_t *r, co_diag_t *d)
{
    const co_stage_conf_t *s = &m->stages[i];
    int any_dlq = dlq;
    for (int t = end; r[t].stage >= 0; t = r[t].from) {
        if ((size_t)r[t].stage < i)
            return;
        any_dlq |= r[t].dlq;
    }
    co_buf_t b = {0};
    co_buf_printf(&b, "stages[%zu] (%s) %s '%s'", i, s->name,
                  dlq ? "dead-letters to" : "writes", m->topics[start].name);
    /* the path is stored backwards: collect, then print in order */
    int chain[256], n = 0;
    for (int t = end; r[t].stage >= 0 && n < 256; t = r[t].from)
        chain[n++] = t;
    int n0 = n;
    for (int k = n0 - 1; k >= 0; k--) {
        int t = chain[k];
        co_buf_printf(&b, " -> stages[%d] (%s) %s '%s'", r[t].stage,
                      m->stages[r[t].stage].name,
                      r[t].dlq ? "dead-letters to" : "writes",
                      m->topics[t].name);
    }
    /* a loop is fixed at a dead_letter_topic: name the first one on it
     * (the loop's own stage's, else the first later stage's) */
    size_t at = i;
    for (int k = n0 - 1; !dlq && any_dlq && k >= 0; k--)
        if (r[chain[k]].dlq) {
            at = (size_t)r[chain[k]].stage;
            break;
        }
    char path[CO_STAGE_PATH_MAX + 32];
    co_manifest_stage_path(path, CO_STAGE_PATH_MAX, at, m->stages[at].name);
    strcat(path, any_dlq ? ".errors.dead_letter_topic" : ".output");
    if (any_dlq)
        co_diag_add(d, path,
                    "dead-letter loop: %s, which stages[%zu] consumes: a "
                    "record that fails there is dead-lettered back into its "
                    "own input and fails again, forever. Give stages[%zu] "
                    "(%s) another errors.dead_letter_topic (one no stage "
                    "on the loop reads) or errors.tolerance \"none\"",
                    b.data, i, at, m->stages[at].name);
    else
        co_diag_add(d, path,
                    "topic cycle: %s, which stages[%zu] consumes: records "
                    "would circle forever. Break the cycle (a stage must not "
                    "feed its own input)",
                    b.data, i);
    co_buf_free(&b);
}

void co__check_topology(const co_manifest_t *m, co_diag_t *d)
{
    if (m->n_topics == 0)
        return;
    co__reach_t *r = co_xcalloc(m->n_topics, sizeof *r);
    int *queue = co_xcalloc(m->n_topics, sizeof *queue);
    for (size_t i = 0; i < m->n_stages; i++) {
        int tg[2], dl[2];
        int n = co__targets(&m->stages[i], tg, dl, m);
        for (int k = 0; k < n; k++) {
            int end = co__search(m, &m->stages[i], tg[k], r, queue);
            if (end >= 0)
                co__report(m, i, tg[k], dl[k], end, r, d);
        }
    }
    free(queue);
    free(r);
}

size_t co_manifest_unfed_inputs(const co_manifest_t *m, co_diag_t *warn)
{
    /* the topics written: stages' outputs and dead letters, the alerts */
    const char **w = co_xcalloc(2 * m->n_stages + 2, sizeof *w);
    size_t nw = 0, added = 0;
    for (size_t i = 0; i < m->n_stages; i++) {
        if (m->stages[i].output)
            w[nw++] = m->stages[i].output;
        if (m->stages[i].dlq_topic)
            w[nw++] = m->stages[i].dlq_topic;
    }
    if (m->alerts.topic)
        w[nw++] = m->alerts.topic;
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        for (size_t k = 0; k < s->n_inputs; k++) {
            size_t j = 0;
            while (j < nw && strcmp(w[j], s->inputs[k]) != 0)
                j++;
            if (j < nw)
                continue; /* written */
            char path[64];
            if (s->n_inputs > 1)
                snprintf(path, sizeof path, "stages[%zu].input[%zu]", i, k);
            else
                snprintf(path, sizeof path, "stages[%zu].input", i);
            const char *near = co_closest_name(s->inputs[k], w);
            if (near != NULL)
                co_diag_add(warn, path,
                            "topic \"%s\" is written by no stage of this "
                            "pipeline: did you mean \"%s\"? (fed from "
                            "outside the pipeline, it is fine)",
                            s->inputs[k], near);
            else
                co_diag_add(warn, path,
                            "topic \"%s\" is written by no stage of this "
                            "pipeline: stage %s reads only what is produced "
                            "to it from outside",
                            s->inputs[k], s->name ? s->name : "?");
            added++;
        }
    }
    free(w);
    return added;
}
