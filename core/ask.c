/* Placeholder: `careerops ask` lands with its issue. */
#include <stdio.h>
int co_cmd_ask(int argc, char **argv);
int co_cmd_ask(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "error: 'ask' is not available in this build yet\n");
    return 2;
}
