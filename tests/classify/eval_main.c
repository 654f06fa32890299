/*
 * co-eval-test: `careerops eval` as its own program, built with the mail
 * library, so the classification tests can run the evaluation before (and
 * independently of) the host binary's wiring.
 */
#include "eval.h"

int main(int argc, char **argv)
{
    return co_cmd_eval(argc, argv);
}
