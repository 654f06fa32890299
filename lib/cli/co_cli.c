/* lib/cli: see co_cli.h. */
#include "co_cli.h"
#include "co_redact.h"

#include <getopt.h>
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

/* 1 when `v` looks like a connection string that names a password (one
 * co_redact() would hide, or the word in any case): its values are not
 * echoed (trial 45). */
static int co__cli_secretish(const char *v)
{
    return co_redact_spans(v, NULL, 0) > 0 || strcasestr(v, "password");
}

int co_cli_once(int argc, char *const argv[], const struct option *lo,
                const char *const *repeatable, const char *cmd)
{
    int nlo = 0;
    while (lo[nlo].name != NULL)
        nlo++;
    const char **first = calloc((size_t)nlo + 1, sizeof *first);
    const char **typed = calloc((size_t)nlo + 1, sizeof *typed);
    size_t *tlen = calloc((size_t)nlo + 1, sizeof *tlen);
    int rc = 0;
    if (first == NULL || typed == NULL || tlen == NULL)
        argc = 0; /* out of memory: the check is skipped */
    for (int a = 1; a < argc && rc == 0; a++) {
        if (strcmp(argv[a], "--") == 0)
            break;
        if (argv[a][0] != '-' || argv[a][1] == '\0')
            continue;
        const char *val, *word = argv[a];
        int i = co__opt_find(lo, word, &val);
        if (i < 0)
            continue;
        /* the option as typed: "--dsn" of --dsn=V, "-o" of -oV */
        size_t wl = word[1] == '-' ? strcspn(word, "=") : 2;
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
            int same = tlen[i] == wl && strncmp(typed[i], word, wl) == 0;
            if (co__cli_secretish(first[i]) || co__cli_secretish(val))
                fprintf(stderr,
                        "error: %s: %.*s given twice%s%.*s (its values are "
                        "not shown: a connection string with a password): "
                        "give it once\n",
                        cmd, (int)tlen[i], typed[i], same ? "" : ", then as ",
                        same ? 0 : (int)wl, word);
            else {
                char *a = co_visible(first[i]), *b = co_visible(val);
                fprintf(
                    stderr,
                    "error: %s: %.*s given twice ('%s', then %s%.*s%s'%s'): "
                    "give it once\n",
                    cmd, (int)tlen[i], typed[i], a, same ? "" : "as ",
                    same ? 0 : (int)wl, word, same ? "" : " ", b);
                free(a);
                free(b);
            }
            rc = 2;
        }
        first[i] = val;
        typed[i] = word;
        tlen[i] = wl;
    }
    free(first);
    free(typed);
    free(tlen);
    return rc;
}

/* How many entries of `lo` the option word `w` ("--name" or "--name=V")
 * can name, whole or abbreviated as getopt_long() takes them: those whose
 * val is `val`, or, with val -1, all (0 when the name is one entry's
 * whole name: then it is not ambiguous). */
static int co__long_word_is(const struct option *lo, const char *w, int val)
{
    if (w == NULL || strncmp(w, "--", 2) != 0 || w[2] == '\0')
        return 0;
    size_t n = strcspn(w + 2, "=");
    int found = 0;
    for (int i = 0; lo != NULL && lo[i].name != NULL; i++) {
        if (strncmp(lo[i].name, w + 2, n) != 0)
            continue;
        if (val == -1 && lo[i].name[n] == '\0')
            return 0;
        found += val == -1 || (lo[i].flag == NULL && lo[i].val == val);
    }
    return found;
}

int co_cli_getopt(int argc, char *const argv[], const char *optstring,
                  const struct option *lo, int *longindex)
{
    opterr = 0;
    int c = getopt_long(argc, argv, optstring, lo, longindex);
    char *cmd;
    if (c != '?') {
        /* "--offset --set X": getopt takes the next option for the value
         * (trial 76: then "unexpected argument X"); a value of its own
         * that starts with "--" is given as --offset=--VALUE */
        if (c == -1 || optarg == NULL || optind < 2 || optind - 1 >= argc ||
            argv[optind - 1] != optarg || strncmp(optarg, "--", 2) != 0 ||
            optarg[2] == '\0')
            return c;
        cmd = co_visible(argc > 0 ? argv[0] : "careerops");
        char *name = co_visible(argv[optind - 2]);
        char *next = co_visible(optarg);
        next[strcspn(next, "=")] = '\0';
        fprintf(stderr,
                "%s: option '%s' needs a value, not the option '%s' after it "
                "(a value that starts with -- is written %s=VALUE)\n",
                cmd, name, next, name);
        free(name);
        free(next);
        free(cmd);
        return '?';
    }
    cmd = co_visible(argc > 0 ? argv[0] : "careerops");
    const char *w = optind >= 2 && optind - 1 < argc ? argv[optind - 1] : NULL;
    if (optopt != 0 && co__long_word_is(lo, w, optopt)) {
        /* the name as typed, without a value (it may be a secret) */
        char *shown = co_visible(w);
        shown[strcspn(shown, "=")] = '\0';
        fprintf(stderr,
                strchr(w, '=') ? "%s: option '%s' doesn't allow an argument\n"
                               : "%s: option '%s' requires an argument\n",
                cmd, shown);
        free(shown);
    } else if (optopt != 0) {
        char ch[8];
        if (optopt > 0x20 && optopt < 0x7f)
            snprintf(ch, sizeof ch, "%c", optopt);
        else
            snprintf(ch, sizeof ch, "\\x%02x", (unsigned)optopt & 0xffu);
        const char *has = optstring ? strchr(optstring, optopt) : NULL;
        if (has != NULL && has[1] == ':')
            fprintf(stderr, "%s: option requires an argument -- '%s'\n", cmd,
                    ch);
        else
            fprintf(stderr, "%s: invalid option -- '%s'\n", cmd, ch);
    } else {
        char *shown = co_visible(w != NULL ? w : "?");
        shown[strcspn(shown, "=")] = '\0';
        fprintf(stderr,
                co__long_word_is(lo, w, -1) > 1
                    ? "%s: option '%s' is ambiguous\n"
                    : "%s: unrecognized option '%s'\n",
                cmd, shown);
        free(shown);
    }
    free(cmd);
    return c;
}
