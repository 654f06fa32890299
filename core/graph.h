/**
 * @file core/graph.h
 * @brief `careerops graph MANIFEST [--format dot|mermaid] [--set
 *        PATH=VALUE]...`: print a manifest's stages (boxes) and topics
 *        (ellipses), with the dead-letter topics of stages that tolerate
 *        failures as dashed edges, as Graphviz DOT or a Mermaid flowchart.
 *        Not installed.
 *
 * Faults of the manifest that do not change the drawing (a secret file not
 * present on this machine) are printed as warnings; a manifest without
 * stage names, plugins or topics, or a --set that did not apply, is an
 * error.
 *
 * Thread-safety: main thread only (getopt's globals).
 */
#ifndef CO_CORE_GRAPH_H
#define CO_CORE_GRAPH_H

/**
 * @brief The `graph` command.
 * @param argc,argv The words after `careerops` ("graph" first). Borrowed.
 * @returns 0 (the drawing printed on stdout), 2 on a usage error or a
 *          manifest that cannot be drawn (the reason on stderr).
 */
int co_cmd_graph(int argc, char **argv);

#endif
