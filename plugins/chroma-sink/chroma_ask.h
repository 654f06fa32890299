/**
 * @file plugins/chroma-sink/chroma_ask.h
 * @brief `careerops ask`, a command of the chroma-sink plugin (ABI 1.1):
 *        retrieval over the briefings a chroma-sink stage stored.
 */
#ifndef CHROMA_ASK_H
#define CHROMA_ASK_H

#include <careerops/plugin.h>

/** One-line help of `careerops ask` (co_command_t::help). */
#define CHROMA_ASK_HELP                                                        \
    "\"QUESTION\" --manifest M [--stage S] [-n N] [--company NAME]\n"          \
    "                        search the company briefings a chroma-sink "      \
    "stage stored"

/**
 * @brief Run `careerops ask`.
 * @param api The host services (stage_config is required, ABI >= 1.1).
 * @param options chroma-sink's option table: the defaults of settings the
 *        stage leaves out.
 * @param argc,argv The command line from the word "ask" on (borrowed).
 * @returns 0 briefings printed; 1 nothing stored/found or a service error;
 *          2 usage or manifest errors (messages on stderr).
 * @remark Main thread (it calls getopt).
 */
int chroma_cmd_ask(const co_host_api_t *api, const co_option_t *options,
                   int argc, char **argv);

#endif
