/* Placeholder until the evaluation command lands (issue 4). */
#include <stdio.h>
int co_cmd_eval(int argc, char **argv);
int co_cmd_eval(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "error: eval is not built in this version\n");
    return 2;
}
