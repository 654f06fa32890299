/* Plugin commands (ABI 1.1): discovery, dispatch, listing, services. */
#include "command.h"
#include "co_cli.h"
#include "crash.h"
#include "err.h"
#include "loader.h"
#include "manifest.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const co__builtins[] = {
    "run",  "validate", "plugins", "graph",     "broker", "dlq",
    "help", "--help",   "-h",      "--version", NULL};

int co_command_is_builtin(const char *name)
{
    for (size_t i = 0; co__builtins[i]; i++)
        if (strcmp(co__builtins[i], name) == 0)
            return 1;
    return 0;
}

/* How many words of argv the command name matches (0: no match). */
static int co__cmd_matches(const char *name, int argc, char **argv)
{
    int w = 0;
    const char *p = name;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t l = sp ? (size_t)(sp - p) : strlen(p);
        if (w >= argc || strlen(argv[w]) != l || strncmp(argv[w], p, l) != 0)
            return 0;
        w++;
        p += l;
        while (*p == ' ')
            p++;
    }
    return w;
}

/* A command name the host can dispatch: words of printable characters
 * with one space between them, whose first word is no built-in command
 * (trial 83: `careerops --help` listed "plugins list", which the built-in
 * `plugins` always takes, an empty name and "two  spaces"). */
static int co__cmd_name_ok(const char *name)
{
    size_t fl = strcspn(name, " ");
    char first[64];
    if (fl == 0 || fl >= sizeof first)
        return 0;
    memcpy(first, name, fl);
    first[fl] = '\0';
    if (co_command_is_builtin(first))
        return 0;
    for (const char *p = name; *p; p++)
        if ((unsigned char)*p <= ' ' &&
            !(*p == ' ' && p[1] != ' ' && p[1] != '\0'))
            return 0;
    return 1;
}

static const co_command_t *co__commands(const co_plugin_handle_t *h)
{
    if (h == NULL || !CO_PLUGIN_HAS(h->desc, commands, 1))
        return NULL;
    return h->desc->commands;
}

typedef struct {
    int argc;
    char **argv;
    int best;   /* words matched by the chosen command */
    char *file; /* its plugin file */
    char *name; /* its name */
} co__find_t;

static void co__find_one(const char *file, const co_plugin_handle_t *h,
                         const char *err, void *arg)
{
    (void)err;
    co__find_t *f = arg;
    for (const co_command_t *c = co__commands(h); c && c->name; c++) {
        int w = co__cmd_name_ok(c->name)
                    ? co__cmd_matches(c->name, f->argc, f->argv)
                    : 0;
        if (w > f->best && c->run != NULL) { /* longest name, then path order */
            f->best = w;
            free(f->file);
            free(f->name);
            f->file = co_strdup(file);
            f->name = co_strdup(c->name);
        }
    }
}

/* The names of the commands whose first word is `word` ("auth gmail"
 * for "auth"), listed ", "-separated into a growing string. */
typedef struct {
    const char *word;
    char *known; /* second words, ", "-separated */
} co__family_t;

static void co__family_one(const char *file, const co_plugin_handle_t *h,
                           const char *err, void *arg)
{
    (void)file;
    (void)err;
    co__family_t *f = arg;
    size_t wl = strlen(f->word);
    for (const co_command_t *c = co__commands(h); c && c->name; c++) {
        if (strncmp(c->name, f->word, wl) != 0 || c->name[wl] != ' ')
            continue;
        const char *rest = c->name + wl + 1;
        if (strchr(rest, ' ') != NULL)
            continue; /* two-word families only ("auth gmail") */
        size_t old = f->known ? strlen(f->known) : 0;
        f->known = realloc(f->known, old + strlen(rest) + 3);
        snprintf(f->known + old, strlen(rest) + 3, "%s%s", old ? ", " : "",
                 rest);
    }
}

/* `auth` or `auth outlook` when only `auth gmail` exists: the missing or
 * unknown second word is named with the known ones. 1 when reported, 2
 * when `auth --help` printed the family's usage. */
static int co__family_error(int argc, char **argv)
{
    co__family_t f = {.word = argv[0]};
    co_plugin_foreach(co__family_one, &f);
    if (f.known == NULL)
        return 0;
    const char *what = strcmp(argv[0], "auth") == 0 ? "provider" : "subcommand";
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
         strcmp(argv[1], "help") == 0)) {
        /* trial 59: `careerops auth --help` was an error (exit 2) */
        printf("usage: careerops %s %s [OPTIONS]\n\n%ss: %s (`careerops %s "
               "%.*s --help` for one's options)\n",
               argv[0], strcmp(what, "provider") == 0 ? "PROVIDER" : "COMMAND",
               what, f.known, argv[0], (int)strcspn(f.known, ","), f.known);
        free(f.known);
        return 2; /* said: exit 0 */
    }
    if (argc < 2 || argv[1][0] == '-')
        fprintf(stderr, "error: %s needs a %s: %s (e.g. `careerops %s %.*s`)\n",
                argv[0], what, f.known, argv[0], (int)strcspn(f.known, ","),
                f.known);
    else
        fprintf(stderr, "error: unknown %s '%s' (known: %s)\n", what,
                co_cli_shown(argv[1]), f.known);
    free(f.known);
    return 1;
}

int co_command_dispatch(int argc, char **argv, int *rc)
{
    if (argc < 1 || co_command_is_builtin(argv[0]))
        return 0;
    co__find_t f = {.argc = argc, .argv = argv};
    co_plugin_foreach(co__find_one, &f);
    if (f.file == NULL) {
        int said = co__family_error(argc, argv);
        if (!said)
            return 0;
        *rc = said == 2 ? 0 : 2; /* 2: its help was asked for */
        return 1;
    }
    char err[2048] = "";
    co_plugin_handle_t *h = co_plugin_open_file(f.file, err, sizeof err);
    const co_command_t *c = co__commands(h);
    while (c && c->name && strcmp(c->name, f.name) != 0)
        c++;
    if (c == NULL || c->name == NULL) {
        fprintf(stderr, "error: %s: %s\n", f.file,
                err[0] ? err : "the command went away while loading");
        *rc = 1;
    } else {
        /* a crash names the plugin (trial 83: "outside any plugin call") */
        co_crash_enter("none (a plugin command)", h->desc->name,
                       "its command's run()", NULL, 0, 0);
        *rc = c->run(&co_host_api, argc, argv);
        co_crash_leave();
    }
    co_plugin_handle_free(h);
    free(f.file);
    free(f.name);
    return 1;
}

typedef struct {
    FILE *out;
    char **seen;
    size_t n;
} co__print_t;

static void co__print_one(const char *file, const co_plugin_handle_t *h,
                          const char *err, void *arg)
{
    (void)file;
    (void)err;
    co__print_t *p = arg;
    for (const co_command_t *c = co__commands(h); c && c->name; c++) {
        int dup = !co__cmd_name_ok(c->name);
        for (size_t i = 0; i < p->n && !dup; i++)
            dup = strcmp(p->seen[i], c->name) == 0;
        if (dup)
            continue;
        p->seen = realloc(p->seen, (p->n + 1) * sizeof *p->seen);
        p->seen[p->n++] = co_strdup(c->name);
        fprintf(p->out, "  %s %s [%s]\n", c->name, c->help ? c->help : "",
                h->desc->name);
    }
}

size_t co_command_print_all(FILE *f)
{
    co__print_t p = {.out = f};
    co_plugin_foreach(co__print_one, &p);
    size_t n = p.n;
    for (size_t i = 0; i < p.n; i++)
        free(p.seen[i]);
    free(p.seen);
    return n;
}

int co_command_stage_config(const char *manifest, const char *stage,
                            const char *plugin, char **config_json, int *index,
                            char *err, size_t err_size)
{
    *config_json = NULL;
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(manifest, NULL, &d);
    if (m == NULL || d.n > 0) {
        co_diag_join(&d, manifest, "cannot be read", err, err_size);
        co_diag_free(&d);
        co_manifest_free(m);
        return CO_ERR_INVAL;
    }
    const co_stage_conf_t *sc = NULL;
    for (size_t i = 0; i < m->n_stages && sc == NULL; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        if (stage != NULL ? strcmp(s->name, stage) == 0
                          : strcmp(s->plugin, plugin) == 0)
            sc = s;
    }
    int rc = 0;
    char names[512];
    if (sc == NULL || strcmp(sc->plugin, plugin) != 0) {
        if (sc != NULL)
            co_errf(err, err_size,
                    "%s: stage %s (stages[%d]) uses plugin %s, not %s: name a "
                    "%s stage",
                    manifest, sc->name, sc->index, sc->plugin, plugin, plugin);
        else if (stage != NULL)
            co_errf(
                err, err_size,
                "%s: no stage named %s: name a %s stage (stages: %s)", manifest,
                stage, plugin,
                co_manifest_stage_list(m, CO_STAGE_ANY, names, sizeof names));
        else
            co_errf(err, err_size,
                    "%s: no %s stage: add one or name another "
                    "manifest",
                    manifest, plugin);
        rc = CO_ERR_NOTFOUND;
    } else {
        *config_json =
            sc->config ? json_dumps(sc->config, JSON_COMPACT) : co_strdup("{}");
        if (index != NULL)
            *index = sc->index;
    }
    co_diag_free(&d);
    co_manifest_free(m);
    return rc;
}
