/* careerops graph: a manifest's stages and topics as Graphviz DOT or a
 * Mermaid flowchart (split out of core/main.c). */
#include "graph.h"

#include "co_cli.h"
#include "manifest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A Graphviz/Mermaid node id: prefix + name with '-' and '.' as '_'. */
static void co__graph_id(char *out, size_t n, const char *prefix,
                         const char *name)
{
    size_t j = 0;
    j += (size_t)snprintf(out, n, "%s", prefix);
    for (const char *p = name; *p && j + 1 < n; p++)
        out[j++] = (*p == '-' || *p == '.') ? '_' : *p;
    out[j] = '\0';
}

/* The options of `graph`: -1 to draw (sets and *fmt filled), else the
 * exit status (0 after --help, 2 after a usage error, printed). */
static int co__graph_args(int argc, char **argv, const char **sets,
                          const char **fmt)
{
    static const struct option lo[] = {{"format", required_argument, 0, 'f'},
                                       {"set", required_argument, 0, 'S'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    static const char *const rep[] = {"set", NULL};
    size_t n_sets = 0;
    int c;
    if (co_cli_once(argc, argv, lo, rep, "careerops graph") != 0)
        return 2;
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "f:S:h", lo, NULL)) != -1) {
        if (c == 'f')
            *fmt = optarg;
        else if (c == 'S')
            sets[n_sets++] = optarg;
        else if (c == 'h') {
            printf("usage: careerops graph MANIFEST [--format dot|mermaid] "
                   "[--set PATH=VALUE]...\n\n"
                   "Prints stages (boxes) and topics (ellipses) as Graphviz "
                   "DOT (render with\n`dot -Tsvg`) or a Mermaid flowchart "
                   "(GitHub renders it in Markdown).\n");
            return 0;
        } else {
            fprintf(stderr, "see `careerops graph --help`\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "error: graph needs a MANIFEST\n");
        return 2;
    }
    if (optind + 1 < argc) {
        co_cli_unexpected("graph", argv[optind + 1]);
        return 2;
    }
    if (strcmp(*fmt, "mermaid") != 0 && strcmp(*fmt, "dot") != 0) {
        fprintf(stderr, "error: --format %s: give dot or mermaid\n",
                co_cli_shown(*fmt));
        return 2;
    }
    return -1;
}

int co_cmd_graph(int argc, char **argv)
{
    const char *fmt = "dot";
    /* the --set values, NULL-terminated: at most one per word */
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (sets == NULL)
        return 2;
    int rc = co__graph_args(argc, argv, sets, &fmt);
    if (rc >= 0) {
        free(sets);
        return rc;
    }
    int mermaid = strcmp(fmt, "mermaid") == 0;
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(argv[optind], sets, &d);
    free(sets);
    /* drawing needs stage names, plugins and topics only: faults elsewhere
     * (a secret file not present on this machine) are warnings here; a
     * name the manifest's rules refuse (an escape sequence, U+202E) is
     * not drawn, DOT and Mermaid would carry it to the terminal */
    int usable =
        m != NULL && (m->pipeline == NULL || co_manifest_name_ok(m->pipeline));
    for (size_t i = 0; usable && i < m->n_topics; i++)
        usable = co_manifest_name_ok(m->topics[i].name);
    for (size_t i = 0; usable && i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        usable = co_manifest_name_ok(s->name) && s->plugin && s->dlq_topic &&
                 co_manifest_name_ok(s->dlq_topic) &&
                 (s->output == NULL || co_manifest_name_ok(s->output));
        for (size_t k = 0; usable && k < s->n_inputs; k++)
            usable = co_manifest_name_ok(s->inputs[k]);
    }
    if (!usable) {
        co_diag_print(&d, argv[optind]);
        co_diag_free(&d);
        co_manifest_free(m);
        return 2;
    }
    for (size_t i = 0; i < d.n && usable; i++)
        if (strncmp(d.msgs[i], "--set", 5) == 0)
            usable = 0; /* an override that did not apply is an error */
    if (!usable) {
        co_diag_print(&d, argv[optind]);
        co_diag_free(&d);
        co_manifest_free(m);
        return 2;
    }
    co_diag_print_as(&d, argv[optind], "warning");
    co_diag_free(&d);
    char a[300], b[300];
    if (mermaid)
        printf("flowchart LR\n");
    else
        printf("digraph \"%s\" {\n  rankdir=LR;\n", m->pipeline);
    for (size_t i = 0; i < m->n_topics; i++) {
        co__graph_id(a, sizeof a, "t_", m->topics[i].name);
        if (mermaid)
            printf("  %s([%s])\n", a, m->topics[i].name);
        else
            printf("  %s [label=\"%s\\n(%d partitions)\", shape=ellipse];\n", a,
                   m->topics[i].name, m->topics[i].partitions);
    }
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        co__graph_id(a, sizeof a, "s_", s->name);
        if (mermaid)
            printf("  %s[\"%s<br/>%s\"]\n", a, s->name, s->plugin);
        else
            printf("  %s [label=\"%s\\n%s\", shape=box];\n", a, s->name,
                   s->plugin);
        for (size_t k = 0; k < s->n_inputs; k++) {
            co__graph_id(b, sizeof b, "t_", s->inputs[k]);
            printf(mermaid ? "  %s --> %s\n" : "  %s -> %s;\n", b, a);
        }
        if (s->output) {
            co__graph_id(b, sizeof b, "t_", s->output);
            printf(mermaid ? "  %s --> %s\n" : "  %s -> %s;\n", a, b);
        }
        if (!s->tolerance_all || s->dlq_topic == NULL)
            continue; /* errors.tolerance none: a failure stops the stage */
        co__graph_id(b, sizeof b, "t_", s->dlq_topic);
        printf(mermaid ? "  %s -. failures .-> %s\n"
                       : "  %s -> %s [style=dashed, label=\"failures\"];\n",
               a, b);
    }
    if (!mermaid)
        printf("}\n");
    co_manifest_free(m);
    return 0;
}
