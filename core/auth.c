/* Placeholder: `careerops auth` lands with its issue. */
#include <stdio.h>
int co_cmd_auth(int argc, char **argv);
int co_cmd_auth(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "error: 'auth' is not available in this build yet\n");
    return 2;
}
