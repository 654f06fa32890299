/*
 * The `careerops` commands of rules-classifier (ABI 1.1, co_command_t):
 * `eval` (rules_eval.c) and `train` (lib/classify/co_clf_train.c). They
 * live in the plugin so that the host links neither the mail library nor
 * the classifier.
 */
#include "rules_eval.h"
#include "co_clf_train.h"

#include <stdio.h>

static int rules_eval_run(const co_host_api_t *api, int argc, char **argv)
{
    if (!CO_API_HAS(api, capture_open)) {
        fprintf(stderr, "error: `eval` needs a host of plugin ABI 1.1 or "
                        "newer: upgrade careerops\n");
        return 1;
    }
    return rules_cmd_eval(api, argc, argv);
}

static int rules_train_run(const co_host_api_t *api, int argc, char **argv)
{
    (void)api;
    return co_cmd_train(argc, argv);
}

const co_command_t rules_commands[] = {
    {"eval",
     "--manifest M --stage S --labels CSV --emails DIR [--json]\n"
     "                        measure a classifier stage on a labelled set",
     rules_eval_run},
    {"train",
     "--labels CSV --emails DIR --out MODEL [--seed N]\n"
     "                        train the learned classifier of "
     "rules-classifier",
     rules_train_run},
    {NULL, NULL, NULL},
};
