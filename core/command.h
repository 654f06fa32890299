/**
 * @file core/command.h
 * @brief Plugin commands (ABI 1.1, co_command_t): finding the plugin that
 *        registered a command word, listing them in `careerops --help`, and
 *        the host services a command may call. Not installed.
 *
 * Which plugins are scanned: every .so file (directly or one folder deep)
 * in each folder of the plugin path, CAREEROPS_PLUGIN_PATH first, then the
 * install folder (see co_plugin_search_path()), in that order; the longest
 * matching name wins, then the first plugin in path order. Scanning loads
 * (dlopens) each plugin, so the plugin path must hold trusted plugins only, as
 * for `careerops run`.
 *
 * Thread-safety: main thread only.
 */
#ifndef CO_CORE_COMMAND_H
#define CO_CORE_COMMAND_H

#include <careerops/plugin.h>
#include <stdio.h>

/**
 * @brief Run the plugin command named by argv[0] (and the following words
 *        for a multi-word name), if a plugin in the plugin path has one.
 * @param argc,argv The command line after the program name. Borrowed.
 * @param rc Set to the command's exit status when it ran; 2 when argv[0]
 *        is only the first word of plugin commands ("auth" of "auth gmail")
 *        and the second word is missing or unknown (the error, naming the
 *        known words, is printed on stderr).
 * @returns 1 if a command ran or that error was printed, 0 if no plugin has
 *          a command by that name.
 */
int co_command_dispatch(int argc, char **argv, int *rc);

/**
 * @brief Print one line per plugin command ("  NAME HELP  (plugin P)") to
 *        f, in plugin path order, skipping names already taken.
 * @returns The number of commands printed.
 */
size_t co_command_print_all(FILE *f);

/**
 * @brief Whether `name` is one of the host's built-in command words (run,
 *        validate, ...), which a plugin command can never replace.
 */
int co_command_is_builtin(const char *name);

/** @brief The host service stage_config() (see careerops/host_api.h). */
int co_command_stage_config(const char *manifest, const char *stage,
                            const char *plugin, char **config_json, int *index,
                            char *err, size_t err_size);

#endif
