/**
 * @file plugins/gmail-source/gmail_auth.h
 * @brief `careerops auth gmail`, a command of the gmail-source plugin
 *        (ABI 1.1): Google's OAuth 2.0 installed-app flow storing a sealed
 *        refresh token (see gmail_auth.c).
 */
#ifndef GMAIL_AUTH_H
#define GMAIL_AUTH_H

#include <careerops/plugin.h>

/** One-line help of `careerops auth gmail` (co_command_t::help). */
#define GMAIL_AUTH_HELP                                                        \
    "--client-id-file F --client-secret-file F --token-out F --key-file K\n"   \
    "                        obtain and store a sealed Gmail refresh token "   \
    "(OAuth 2.0)"

/**
 * @brief Run `careerops auth gmail`.
 * @param api The host services (only logging and memory are used).
 * @param argc,argv The command line from the word "auth" on (borrowed).
 * @returns 0 the token is stored; 1 the flow failed; 2 usage errors.
 * @remark Main thread (getopt, a loopback listener thread of its own).
 */
int gmail_cmd_auth(const co_host_api_t *api, int argc, char **argv);

#endif
