/*
 * careerops-tools: the commands that work on the PostgreSQL state store
 * (`relabel`, `applications`) and the archive (`archive`, `backup`,
 * `restore`), kept out of the `careerops` host binary so
 * that the host links neither libpq nor libical nor the mail library
 * (idle RSS, docs/benchmarks.md). `careerops relabel ...` and
 * `careerops applications ...` exec this program (core/main.c); it is
 *  installed in libexecdir/careerops and found in ../tools/ beside
 * `careerops` in the build tree.
 */
#include "co_cli.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

int co_cmd_relabel(int argc, char **argv);
int co_cmd_applications(int argc, char **argv);
int co_cmd_archive(int argc, char **argv);
int co_cmd_backup(int argc, char **argv);
int co_cmd_restore(int argc, char **argv);

int main(int argc, char **argv)
{
    co_log_init_from_env();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: careerops relabel|applications|archive|backup|"
                "restore ...\n\n"
                "careerops-tools runs the `careerops` commands that use "
                "PostgreSQL or the\narchive; `careerops COMMAND --help` "
                "describes each one.\n");
        return argc < 2 ? 2 : 0;
    }
    /* getopt_long names argv[0] in its messages ("unrecognized option"):
     * make it the command the user typed, like our own errors */
    char name[64];
    snprintf(name, sizeof name, "careerops %s", argv[1]);
    char *cmd = argv[1];
    argv[1] = name;
    if (strcmp(cmd, "relabel") == 0)
        return co_cmd_relabel(argc - 1, argv + 1);
    if (strcmp(cmd, "applications") == 0)
        return co_cmd_applications(argc - 1, argv + 1);
    if (strcmp(cmd, "archive") == 0)
        return co_cmd_archive(argc - 1, argv + 1);
    if (strcmp(cmd, "backup") == 0)
        return co_cmd_backup(argc - 1, argv + 1);
    if (strcmp(cmd, "restore") == 0)
        return co_cmd_restore(argc - 1, argv + 1);
    fprintf(stderr, "error: careerops-tools has no command '%s'\n",
            co_cli_shown(cmd));
    return 2;
}
