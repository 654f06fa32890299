/*
 * `careerops eval` in the host binary (CAREEROPS_BIN) on the holdout set:
 * the same command as co-eval-test, wired into core/main.c. Skipped (77)
 * while the host is built without the mail library (core/meson.build must
 * link co_mail_dep and define CO_HAVE_MAIL).
 */
#include "co_test.h"

#include <jansson.h>
#include <sys/wait.h>

int main(void)
{
    const char *bin = getenv("CAREEROPS_BIN");
    const char *root = getenv("CAREEROPS_SOURCE_ROOT");
    if (bin == NULL || root == NULL) {
        fprintf(stderr, "CAREEROPS_BIN / CAREEROPS_SOURCE_ROOT not set\n");
        return 1;
    }
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' eval --manifest '%s/tests/classify/rules-eval.json' "
             "--stage classify --labels '%s/datasets/holdout/labels.csv' "
             "--emails '%s/datasets/holdout/emails' --json 2>/dev/null",
             bin, root, root, root);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return 1;
    static char out[1 << 16];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 2 && n == 0) {
        fprintf(stderr, "SKIP: careerops eval is not built with the mail "
                        "library yet (exit 2)\n");
        return CO_TEST_SKIP;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "FAIL: careerops eval exited %d\n",
                WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return 1;
    }
    json_t *o = json_loads(out, 0, NULL);
    json_t *cnt = json_object_get(o, "count");
    json_t *prec = json_object_get(
        json_object_get(json_object_get(o, "labels"), "INTERVIEW"),
        "precision");
    int ok = json_integer_value(cnt) == 32 && json_is_number(prec) &&
             json_number_value(prec) >= 0.9;
    fprintf(stderr, "%s: count %lld, INTERVIEW precision %.3f\n",
            ok ? "PASS" : "FAIL", (long long)json_integer_value(cnt),
            json_number_value(prec));
    json_decref(o);
    return ok ? 0 : 1;
}
