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

/* The graph with topic names resolved once: each stage's input topics
 * and targets, and each topic's consumers (a search is then linear in
 * the stages and topics; 300 stages took 12 s of name comparisons). */
typedef struct {
    size_t *in_off; /* stage j's inputs: in[in_off[j] .. in_off[j + 1]) */
    int *in;
    int (*tg)[2], (*dl)[2];
    int *ntg;
    size_t *cons_off; /* topic t's consumers: cons[cons_off[t] ..] */
    int *cons;
} co__graph_t;

static void co__graph_build(const co_manifest_t *m, co__graph_t *g)
{
    size_t ns = m->n_stages, nt = m->n_topics, total = 0;
    for (size_t j = 0; j < ns; j++)
        total += m->stages[j].n_inputs;
    g->in_off = co_xcalloc(ns + 1, sizeof *g->in_off);
    g->in = co_xcalloc(total + 1, sizeof *g->in);
    g->tg = co_xcalloc(ns + 1, sizeof *g->tg);
    g->dl = co_xcalloc(ns + 1, sizeof *g->dl);
    g->ntg = co_xcalloc(ns + 1, sizeof *g->ntg);
    g->cons_off = co_xcalloc(nt + 1, sizeof *g->cons_off);
    g->cons = co_xcalloc(total + 1, sizeof *g->cons);
    size_t *count = co_xcalloc(nt + 1, sizeof *count);
    for (size_t j = 0, o = 0; j < ns; j++) {
        const co_stage_conf_t *st = &m->stages[j];
        g->in_off[j] = o;
        for (size_t k = 0; k < st->n_inputs; k++) {
            int t = co__topic_index(m, st->inputs[k]);
            g->in[o++] = t;
            if (t >= 0)
                count[t]++;
        }
        g->in_off[j + 1] = o;
        g->ntg[j] = co__targets(st, g->tg[j], g->dl[j], m);
    }
    for (size_t t = 0; t < nt; t++)
        g->cons_off[t + 1] = g->cons_off[t] + count[t];
    memset(count, 0, (nt + 1) * sizeof *count);
    for (size_t j = 0; j < ns; j++)
        for (size_t o = g->in_off[j]; o < g->in_off[j + 1]; o++)
            if (g->in[o] >= 0)
                g->cons[g->cons_off[g->in[o]] + count[g->in[o]]++] = (int)j;
    free(count);
}

static void co__graph_free(co__graph_t *g)
{
    free(g->in_off);
    free(g->in);
    free(g->tg);
    free(g->dl);
    free(g->ntg);
    free(g->cons_off);
    free(g->cons);
}

static int co__is_input(const co__graph_t *g, size_t j, int t)
{
    for (size_t o = g->in_off[j]; o < g->in_off[j + 1]; o++)
        if (g->in[o] == t)
            return 1;
    return 0;
}

/* Breadth-first from topic `start` to any input of stage `i`; fills r[].
 * Returns the input topic reached, or -1. */
static int co__search(const co_manifest_t *m, const co__graph_t *g, size_t i,
                      int start, co__reach_t *r, int *queue)
{
    memset(r, 0, m->n_topics * sizeof *r);
    int head = 0, tail = 0;
    r[start] = (co__reach_t){1, -1, 0, -1};
    queue[tail++] = start;
    while (head < tail) {
        int t = queue[head++];
        if (co__is_input(g, i, t))
            return t;
        for (size_t c = g->cons_off[t]; c < g->cons_off[t + 1]; c++) {
            int j = g->cons[c];
            for (int k = 0; k < g->ntg[j]; k++) {
                int to = g->tg[j][k];
                if (!r[to].seen) {
                    r[to] = (co__reach_t){1, j, g->dl[j][k], t};
                    queue[tail++] = to;
                }
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
    co__graph_t g;
    co__graph_build(m, &g);
    for (size_t i = 0; i < m->n_stages; i++)
        for (int k = 0; k < g.ntg[i]; k++) {
            int end = co__search(m, &g, i, g.tg[i][k], r, queue);
            if (end >= 0)
                co__report(m, i, g.tg[i][k], g.dl[i][k], end, r, d);
        }
    co__graph_free(&g);
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
    /* a `topics` entry no stage uses: a typo, most likely (trial 28) */
    size_t cap = nw + 1;
    for (size_t i = 0; i < m->n_stages; i++)
        cap += m->stages[i].n_inputs;
    const char **u = co_xcalloc(cap, sizeof *u);
    size_t nu = 0;
    for (size_t i = 0; i < nw; i++)
        u[nu++] = w[i];
    for (size_t i = 0; i < m->n_stages; i++)
        for (size_t k = 0; k < m->stages[i].n_inputs; k++)
            u[nu++] = m->stages[i].inputs[k];
    const char *tn;
    json_t *tv;
    json_object_foreach(json_object_get(m->root, "topics"), tn, tv)
    {
        size_t j = 0;
        while (j < nu && strcmp(u[j], tn) != 0)
            j++;
        if (j < nu)
            continue;
        char path[300];
        snprintf(path, sizeof path, "topics.%s", tn);
        const char *near = co_closest_name(tn, u);
        co_diag_add(warn, path, "no stage reads or writes topic \"%s\"%s%s%s",
                    tn, near ? ": did you mean \"" : "", near ? near : "",
                    near ? "\"?" : "");
        added++;
    }
    free(u);
    free(w);
    return added;
}
