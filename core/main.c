/* careerops: the host runtime's command line (under construction). */
#include <stdio.h>
int main(void)
{
    fprintf(stderr, "careerops: under construction\n");
    return 1;
}
