/* lib/cli: see co_cli.h. */
#include "co_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entry of `lo` that `arg` (an argv word starting with '-') names and
 * where its value is: *val the value inside the word or NULL (then it is
 * the next word). -1 when the word names no option that takes a value. */
static int co__opt_find(const struct option *lo, const char *arg,
                        const char **val)
{
    *val = NULL;
    if (arg[1] == '-') {
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        for (int i = 0; lo[i].name != NULL; i++)
            if (strlen(lo[i].name) == n && strncmp(lo[i].name, name, n) == 0) {
                *val = eq ? eq + 1 : NULL;
                return lo[i].has_arg == required_argument ? i : -1;
            }
        return -1;
    }
    for (int i = 0; lo[i].name != NULL; i++)
        if (lo[i].flag == NULL && lo[i].val == (unsigned char)arg[1] &&
            lo[i].has_arg == required_argument) {
            *val = arg[2] ? arg + 2 : NULL;
            return i;
        }
    return -1;
}

int co_cli_once(int argc, char *const argv[], const struct option *lo,
                const char *const *repeatable, const char *cmd)
{
    int nlo = 0;
    while (lo[nlo].name != NULL)
        nlo++;
    const char **first = calloc((size_t)nlo + 1, sizeof *first);
    if (first == NULL)
        return 0; /* out of memory: the check is skipped */
    int rc = 0;
    for (int a = 1; a < argc && rc == 0; a++) {
        if (strcmp(argv[a], "--") == 0)
            break;
        if (argv[a][0] != '-' || argv[a][1] == '\0')
            continue;
        const char *val;
        int i = co__opt_find(lo, argv[a], &val);
        if (i < 0)
            continue;
        if (val == NULL)
            val = a + 1 < argc ? argv[++a] : "";
        /* aliases (--dsn and --conninfo) share their first entry */
        for (int j = 0; j < i; j++)
            if (lo[i].flag == NULL && lo[i].val != 0 && lo[j].flag == NULL &&
                lo[j].val == lo[i].val) {
                i = j;
                break;
            }
        int rep = 0;
        for (size_t r = 0; repeatable && repeatable[r]; r++)
            rep |= strcmp(repeatable[r], lo[i].name) == 0;
        if (rep)
            continue;
        if (first[i] != NULL) {
            fprintf(stderr,
                    "error: %s: --%s given twice ('%s', then '%s'): give it "
                    "once\n",
                    cmd, lo[i].name, first[i], val);
            rc = 2;
        }
        first[i] = val;
    }
    free(first);
    return rc;
}
