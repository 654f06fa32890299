/* careerops: the host runtime's command line. */
#include "bootfile.h"
#include "broker_unread.h"
#include "command.h"
#include "crash.h"
#include "dashboard.h"
#include "dlq.h"
#include "err.h"
#include "graph.h"
#include "kafka.h"
#include "loader.h"
#include "log.h"
#include "manifest.h"
#include "options.h"
#include "pipeline.h"
#include "plugtest.h"
#include "util.h"
#include "co_cli.h"
#include "validate.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CO_VERSION
#define CO_VERSION "0.0.0"
#endif

static void co__usage(FILE *f)
{
    fprintf(f,
            "careerops %s: a Kafka Connect-style host for CareerOps stage "
            "plugins\n\n"
            "usage: careerops COMMAND [options]\n\n"
            "commands:\n"
            "  run MANIFEST [--stage NAME]... [--set PATH=VALUE]...\n"
            "                        run the pipeline (all stages, or the "
            "named ones)\n"
            "  validate MANIFEST [--set PATH=VALUE]...\n"
            "                        check a manifest and its plugins' "
            "options; exit 2 on faults\n"
            "  plugins list          list installed plugins\n"
            "  plugins info NAME     show a plugin's options\n"
            "  plugins test NAME --input IN.jsonl [--expect OUT.jsonl]\n"
            "                        run a processor/sink on JSONL records, "
            "compare its output\n"
            "  graph MANIFEST [--format dot|mermaid]\n"
            "                        print the pipeline as a graph\n"
            "  broker [--bootstrap-file F] [--manifest M]...\n"
            "                        run the embedded broker (in memory) as "
            "its own process\n"
            "  dlq list|show|replay MANIFEST ...\n"
            "                        inspect dead letters, send them back\n"
            "  serve MANIFEST [--listen ADDR:PORT]\n"
            "                        serve the dashboard on the stored data\n"
            "  relabel KEY LABEL [--company C] [--date T] [--role R] ...\n"
            "                        correct a stored event (PostgreSQL, "
            "downstream)\n"
            "  applications [--status S] [--csv|--json|--ics]\n"
            "                        list the applications (PostgreSQL)\n"
            "  archive init|put|get|ls|prune, backup, restore REF --dsn D\n"
            "                        raw email archive and backups\n",
            CO_VERSION);
    fprintf(f, "\ncommands of the installed plugins:\n");
    if (co_command_print_all(f) == 0)
        fprintf(f, "  (none found)\n");
    fprintf(f,
            "\n`careerops COMMAND --help` describes each command. Plugins "
            "(and their\ncommands) are searched in CAREEROPS_PLUGIN_PATH, "
            "then %s.\n",
            co_plugin_search_path());
}

/* Whether a word asks for help (--help, -h). */
static int co__is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* Collect repeated --set/--stage values into NULL-terminated arrays. */
typedef struct {
    const char **v;
    size_t n;
} co__list_t;

static void co__list_add(co__list_t *l, const char *s)
{
    l->v = realloc(l->v, (l->n + 2) * sizeof *l->v);
    l->v[l->n++] = s;
    l->v[l->n] = NULL;
}

static co_manifest_t *co__load(const char *path, co__list_t *sets)
{
    co_diag_t d = {0};
    co_manifest_t *m = co_manifest_load(path, sets->v, &d);
    if (m != NULL)
        co_validate_plugins(m, &d);
    if (m == NULL || d.n > 0) {
        co_diag_print(&d, path);
        fprintf(stderr, "%zu error%s in %s\n", d.n, d.n == 1 ? "" : "s",
                path[0] ? co_cli_shown(path) : "manifest ''");
        co_diag_free(&d);
        co_manifest_free(m);
        return NULL;
    }
    return m;
}

/* `careerops run --help` */
static void co__run_usage(void)
{
    printf("usage: careerops run MANIFEST [--stage NAME]... "
           "[--set PATH=VALUE]...\n"
           "                     [--until-idle] [--drain-timeout-ms "
           "MS] [--bootstrap-file F]\n\n"
           "Runs every stage of MANIFEST (one thread per plugin "
           "instance), or only the\nstages named with --stage (ops "
           "run one process per stage). SIGTERM/SIGINT/SIGHUP\nfinish "
           "in-flight records, flush, commit and exit 0 (1 when some "
           "could not be\nfinished: they are read again at the next "
           "start; 1 too when the broker\ndropped records before a stage "
           "read them, the DATA LOSS lines); a second\nsignal stops "
           "at once.\n\n"
           "  --stage NAME        run only this stage (repeatable)\n"
           "  --set PATH=VALUE    override a manifest field, e.g. "
           "stages.classify.plugin=mock-passthrough\n"
           "                      or "
           "kafka.bootstrap.servers=127.0.0.1:9092\n"
           "  --until-idle        exit 0 once every source is done "
           "and every stage caught up\n"
           "  --drain-timeout-ms  embedded broker: on stop, wait this "
           "long for downstream stages (30000)\n"
           "  --bootstrap-file F  embedded broker: write its address "
           "to F\n"
           "  --no-backpressure   never pause sources (tests; risks "
           "loss on the embedded broker)\n");
}

static int co__cmd_run(int argc, char **argv)
{
    static const struct option lo[] = {
        {"stage", required_argument, 0, 's'},
        {"set", required_argument, 0, 'S'},
        {"until-idle", no_argument, 0, 'i'},
        {"drain-timeout-ms", required_argument, 0, 'd'},
        {"bootstrap-file", required_argument, 0, 'b'},
        {"no-backpressure", no_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    co__list_t stages = {0}, sets = {0};
    co_run_opts_t o = {0};
    o.drain_timeout_ms = 30000;
    int c;
    static const char *const rep[] = {"stage", "set", NULL};
    if (co_cli_once(argc, argv, lo, rep, "careerops run") != 0)
        return 2;
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "s:S:ih", lo, NULL)) != -1) {
        switch (c) {
        case 's':
            co__list_add(&stages, optarg);
            break;
        case 'S':
            co__list_add(&sets, optarg);
            break;
        case 'i':
            o.until_idle = 1;
            break;
        case 'd': {
            char *end;
            errno = 0;
            long long v = strtoll(optarg, &end, 10);
            if (end == optarg || *end != '\0' || errno != 0 || v < 0) {
                fprintf(stderr,
                        "error: --drain-timeout-ms %s: give a number of "
                        "milliseconds, 0 or more (default 30000)\n",
                        co_cli_shown(optarg));
                free(stages.v);
                free(sets.v);
                return 2;
            }
            o.drain_timeout_ms = v;
            break;
        }
        case 'b':
            o.bootstrap_file = optarg;
            break;
        case 'n':
            o.no_backpressure = 1;
            break;
        case 'h':
            co__run_usage();
            return 0;
        default: /* getopt printed what was wrong */
            fprintf(stderr, "see `careerops run --help`\n");
            return 2;
        }
    }
    if (optind >= argc || optind + 1 < argc) {
        if (optind >= argc)
            fprintf(stderr, "error: run needs a MANIFEST (see careerops run "
                            "--help)\n");
        else
            co_cli_unexpected("run", argv[optind + 1]);
        free(stages.v);
        free(sets.v);
        return 2;
    }
    /* SIGTERM, SIGINT and SIGHUP wait from here for co_pipeline_run()'s
     * signal thread (every thread made later inherits the mask): during
     * the checks before it (the plugins loaded, a classifier's model read:
     * a second or two) they killed the host without a word, exit 143
     * (trial 62) */
    sigset_t stop_sigs;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGINT);
    sigaddset(&stop_sigs, SIGTERM);
    sigaddset(&stop_sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
    /* the manifest first: a run that starts no broker refuses the option
     * as such (co_pipeline_run), not by the file's contents (a review: "a
     * program still answers" for the broker file it meant to read) */
    co_manifest_t *m = co__load(argv[optind], &sets);
    if (m == NULL ||
        (o.bootstrap_file != NULL && m->embedded &&
         co_bootfile_check("--bootstrap-file", o.bootstrap_file) != 0)) {
        co_manifest_free(m);
        free(stages.v);
        free(sets.v);
        return 2;
    }
    o.stages = stages.n ? stages.v : NULL;
    int rc = co_pipeline_run(m, &o);
    co_manifest_free(m);
    free(stages.v);
    free(sets.v);
    return rc;
}

static int co__cmd_validate(int argc, char **argv)
{
    static const struct option lo[] = {{"set", required_argument, 0, 'S'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    co__list_t sets = {0};
    int c;
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "S:h", lo, NULL)) != -1) {
        if (c == 'S')
            co__list_add(&sets, optarg);
        else if (c == 'h') {
            printf(
                "usage: careerops validate MANIFEST [--set PATH=VALUE]...\n\n"
                "Parses the manifest, resolves secrets and plugins, and "
                "checks every stage's\nconfig against its plugin's "
                "options. Prints each fault with its JSON path and\nexits "
                "2, or prints \"ok\" and exits 0 (warnings, such as an "
                "input no stage\nwrites, do not change the exit).\n");
            return 0;
        } else {
            fprintf(stderr, "see `careerops validate --help`\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "error: validate needs a MANIFEST\n");
        free(sets.v);
        return 2;
    }
    if (optind + 1 < argc) {
        co_cli_unexpected("validate", argv[optind + 1]);
        free(sets.v);
        return 2;
    }
    co_manifest_t *m = co__load(argv[optind], &sets);
    free(sets.v);
    if (m == NULL)
        return 2;
    co_diag_t d = {0};
    if (co_validate_outputs(m, NULL, &d) > 0) {
        co_diag_print(&d, argv[optind]);
        fprintf(stderr, "%zu error%s in %s\n", d.n, d.n == 1 ? "" : "s",
                co_cli_shown(argv[optind]));
        co_diag_free(&d);
        co_manifest_free(m);
        return 2;
    }
    /* inputs no stage writes: a warning, not a fault (trial 16) */
    co_manifest_unfed_inputs(m, &d);
    /* a source runs one instance (trial 70: concurrency 4 passed silently) */
    for (size_t i = 0; i < m->n_stages; i++)
        if (m->stages[i].n_inputs == 0 && !m->stages[i].input_invalid &&
            m->stages[i].concurrency > 1) {
            char sp[CO_STAGE_PATH_MAX + 16];
            co_manifest_stage_path(sp, sizeof sp, i, m->stages[i].name);
            strncat(sp, ".concurrency", sizeof sp - strlen(sp) - 1);
            co_diag_add(&d, sp,
                        "is %d, but a source (a stage with no input) runs "
                        "one instance: it is ignored",
                        m->stages[i].concurrency);
        }
    /* more instances than partitions: the group gives each partition to
     * one member, the others idle (trial 80: no word of it) */
    for (size_t i = 0; i < m->n_stages; i++) {
        const co_stage_conf_t *s = &m->stages[i];
        long parts = 0;
        for (size_t k = 0; k < s->n_inputs; k++)
            for (size_t t = 0; t < m->n_topics; t++)
                if (strcmp(m->topics[t].name, s->inputs[k]) == 0)
                    parts += m->topics[t].partitions;
        if (s->n_inputs == 0 || parts == 0 || s->concurrency <= parts)
            continue;
        char sp[CO_STAGE_PATH_MAX + 16];
        co_manifest_stage_path(sp, sizeof sp, i, s->name);
        strncat(sp, ".concurrency", sizeof sp - strlen(sp) - 1);
        co_diag_add(&d, sp,
                    "is %d, but its input has %ld partition%s: %ld "
                    "instance%s get none (a consumer group gives each "
                    "partition to one member); raise topics.%s.partitions",
                    s->concurrency, parts, parts == 1 ? "" : "s",
                    s->concurrency - parts,
                    s->concurrency - parts == 1 ? "" : "s", s->inputs[0]);
    }
    co_diag_print_as(&d, argv[optind], "warning");
    co_diag_free(&d);
    printf("ok: %s: pipeline %s, %zu stage%s, %zu topic%s\n",
           co_cli_shown(argv[optind]), m->pipeline, m->n_stages,
           m->n_stages == 1 ? "" : "s", m->n_topics,
           m->n_topics == 1 ? "" : "s");
    co_manifest_free(m);
    return 0;
}

static const char *co__kinds(uint32_t k, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s%s%s", (k & CO_KIND_SOURCE) ? "source" : "",
             (k & CO_KIND_SOURCE) && (k & ~CO_KIND_SOURCE) ? "," : "",
             (k & CO_KIND_PROCESSOR) ? "processor" : "",
             (k & CO_KIND_PROCESSOR) && (k & CO_KIND_SINK) ? "," : "",
             (k & CO_KIND_SINK) ? "sink" : "");
    return buf;
}

static int co__list_failed;

static void co__list_one(const char *file, const co_plugin_handle_t *h,
                         const char *err, void *arg)
{
    (void)arg;
    char k[64];
    /* the mock plugins drive the tests; say so to a user reading the list */
    if (h)
        /* the plugin's own words, escaped (trial 57: printed raw) */
        printf("%-20s %-8s %-18s %s%s\n", co_cli_shown(h->desc->name),
               co_cli_shown(h->desc->version ? h->desc->version : "?"),
               co__kinds(h->desc->kinds, k, sizeof k),
               strncmp(h->desc->name, "mock-", 5) == 0 ? "(test) " : "",
               co_cli_shown(h->desc->description ? h->desc->description : ""));
    else {
        co__list_failed = 1;
        fprintf(stderr, "warning: %s: %s\n", co_cli_shown(file), err);
    }
}

static int co__cmd_plugins(int argc, char **argv)
{
    int help = argc >= 2 && co__is_help(argv[argc - 1]);
    if (argc < 2 || (help && strcmp(argv[1], "test") != 0)) {
        printf("usage: careerops plugins list\n"
               "       careerops plugins info NAME|FILE.so\n"
               "       careerops plugins test NAME --input IN.jsonl "
               "[--expect OUT.jsonl] [--config JSON]\n\n"
               "list prints the installed plugins (name, version, kinds); "
               "info one plugin's\noptions; test runs a processor or sink "
               "on JSONL records (see `careerops\nplugins test --help`).\n");
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "list") == 0 && argc > 2) {
        if (argv[2][0] == '-')
            fprintf(stderr,
                    "error: plugins list takes no option (got '%s'); see "
                    "`careerops plugins --help`\n",
                    co_cli_shown(argv[2]));
        else
            fprintf(stderr,
                    "error: plugins list takes no argument (got '%s'); for "
                    "one plugin's options: careerops plugins info %s\n",
                    co_cli_shown(argv[2]), co_cli_shown(argv[2]));
        return 2;
    }
    if (strcmp(argv[1], "list") == 0) {
        printf("%-20s %-8s %-18s %s\n", "NAME", "VERSION", "KINDS",
               "DESCRIPTION");
        co_plugin_foreach(co__list_one, NULL);
        return 0;
    }
    if (strcmp(argv[1], "test") == 0)
        return co_cmd_plugins_test(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0 && argc < 3) {
        fprintf(stderr, "error: plugins info needs a NAME (see `careerops "
                        "plugins list`) or the path of a .so file\n");
        return 2;
    }
    if (strcmp(argv[1], "info") == 0 && argc > 3) {
        /* trial 59: the extra word (an option) was ignored */
        fprintf(stderr,
                "error: plugins info takes one NAME or FILE.so (got also "
                "'%s'); see `careerops plugins --help`\n",
                co_cli_shown(argv[3]));
        return 2;
    }
    if (strcmp(argv[1], "info") == 0 && argc >= 3) {
        char e[2048];
        const co_plugin_handle_t *h;
        co_plugin_handle_t *owned = NULL;
        if (strchr(argv[2], '/'))
            h = owned = co_plugin_open_file(argv[2], e, sizeof e);
        else
            h = co_plugin_load(argv[2], e, sizeof e);
        if (h == NULL) {
            fprintf(stderr, "error: %s\n", e);
            return 2;
        }
        const co_plugin_t *p = h->desc;
        char k[64];
        printf(
            "name:        %s\nversion:     %s\nlicense:     %s\nkinds:       "
            "%s\nabi:         %u.%u\nfile:        %s\ndescription: %s\n",
            co_cli_shown(p->name), co_cli_shown(p->version ? p->version : "?"),
            co_cli_shown(p->license ? p->license : "?"),
            co__kinds(p->kinds, k, sizeof k), p->abi_major, p->abi_minor,
            co_cli_shown(h->file),
            co_cli_shown_lines(p->description ? p->description : ""));
        if (p->kinds & (CO_KIND_PROCESSOR | CO_KIND_SINK))
            printf("input headers: %s\n",
                   co_plugin_input_headers(p, -1)
                       ? "read (input_headers defaults to true)"
                       : "not needed (input_headers defaults to false)");
        printf("options:\n");
        co_options_print(p->options, stdout);
        co_plugin_handle_free(owned);
        return 0;
    }
    fprintf(stderr, "error: unknown plugins command '%s' (list, info, test)\n",
            co_cli_shown(argv[1]));
    return 2;
}

static volatile sig_atomic_t co__broker_stop;
static void co__on_sig(int s)
{
    co__broker_stop = s;
}

/* The most brokers `careerops broker --brokers N` starts. */
#define CO_BROKERS_MAX 16

/* `careerops broker`'s options into *o. Returns -1 to go on, else the
 * exit status (0 after --help). */
typedef struct {
    const char *bfile;
    int brokers;
    co__list_t manifests, sets;
} co__broker_opts_t;

static int co__broker_args(int argc, char **argv, co__broker_opts_t *o)
{
    static const struct option lo[] = {
        {"bootstrap-file", required_argument, 0, 'b'},
        {"manifest", required_argument, 0, 'm'},
        {"brokers", required_argument, 0, 'n'},
        {"set", required_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    static const char *const rep[] = {"manifest", "set", NULL};
    if (co_cli_once(argc, argv, lo, rep, "careerops broker") != 0)
        return 2;
    optind = 1;
    int c;
    while ((c = co_cli_getopt(argc, argv, "b:m:n:S:h", lo, NULL)) != -1) {
        if (c == 'b')
            o->bfile = optarg;
        else if (c == 'm')
            co__list_add(&o->manifests, optarg);
        else if (c == 'S')
            co__list_add(&o->sets, optarg);
        else if (c == 'n') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || v < 1 || v > CO_BROKERS_MAX) {
                fprintf(stderr,
                        "error: --brokers %s: give a broker count from 1 to "
                        "%d\n",
                        co_cli_shown(optarg), CO_BROKERS_MAX);
                return 2;
            }
            o->brokers = (int)v;
        } else if (c == 'h') {
            printf("usage: careerops broker [--bootstrap-file F] [--manifest "
                   "M]... [--set PATH=VALUE]...\n"
                   "                        [--brokers N]\n\n"
                   "Runs librdkafka's mock cluster as its own process so "
                   "several stage hosts on\nthis machine can share it. It "
                   "speaks the Kafka protocol on loopback ports but\nkeeps "
                   "everything IN MEMORY (only the newest 5 MiB per "
                   "partition): for demos\nand tests, never production. "
                   "Prints the bootstrap servers (and writes them\nto F); "
                   "creates the topics of each --manifest (--set "
                   "overrides a field of\neach, as `run --set` does: give "
                   "the stages' own --set). Stops on\nSIGTERM/SIGINT/"
                   "SIGHUP; at the stop, records the manifests' stages have "
                   "not read\nare named, exit status 1.\n");
            return 0;
        } else { /* getopt printed what was wrong */
            fprintf(stderr, "see `careerops broker --help`\n");
            return 2;
        }
    }
    if (optind < argc) { /* trial 41: `broker demo.json` made no topics */
        const char *shown = co_cli_shown(argv[optind]);
        fprintf(stderr,
                "error: careerops broker takes no argument '%s'; a manifest "
                "whose topics it creates is --manifest %s\n",
                shown, shown);
        return 2;
    }
    if (o->sets.n > 0 && o->manifests.n == 0) {
        fprintf(stderr, "error: --set overrides fields of the --manifest "
                        "files: give the manifest with --manifest M\n");
        return 2;
    }
    if (o->bfile != NULL &&
        co_bootfile_check("--bootstrap-file", o->bfile) != 0)
        return 2;
    return -1;
}

/* Run the broker of `o` until a signal. Returns the exit status. */
static int co__broker_serve(const co__broker_opts_t *o)
{
    char e[1024];
    co_embedded_t *em = co_embedded_start(o->brokers, e, sizeof e);
    if (em == NULL) {
        fprintf(stderr, "error: %s\n", e);
        return 1;
    }
    for (size_t i = 0; i < o->manifests.n; i++)
        if (co_embedded_create_manifest_topics(em, o->manifests.v[i],
                                               o->sets.v) != 0) {
            co_embedded_stop(em);
            return 2;
        }
    const char *bs = co_embedded_bootstraps(em);
    if (o->bfile != NULL && co_bootfile_write(o->bfile, bs) != 0) {
        /* EEXIST: another broker's, said; the same refusal as before the
         * start (trial 60: exit 1 here, 2 there) */
        int taken = errno == EEXIST;
        if (!taken)
            fprintf(stderr,
                    "error: --bootstrap-file: cannot write %s: %s (give a "
                    "path in a folder you can write to)\n",
                    co_cli_shown(o->bfile), strerror(errno));
        co_embedded_stop(em);
        return taken ? 2 : 1;
    }
    /* the address only once it is this broker's (trial 60: a broker that
     * lost the race for the file had printed its address, then exited) */
    printf("%s\n", bs);
    fflush(stdout);
    co_log_info("embedded broker (in memory) at %s", bs);
    signal(SIGTERM, co__on_sig);
    signal(SIGINT, co__on_sig);
    signal(SIGHUP, co__on_sig); /* a closed terminal: stop as SIGTERM does */
    while (!co__broker_stop)
        pause();
    co_log_info("embedded broker at %s: received %s, stopping%s%s", bs,
                co_stop_signal_name(co__broker_stop),
                o->bfile ? " and removing " : "", o->bfile ? o->bfile : "");
    /* what the stages of its manifests have not read dies with it: said,
     * exit 1 (trial 63: 40 emails lost, every exit status 0) */
    int64_t unread =
        co_broker_unread(bs, o->manifests.v, o->manifests.n, o->sets.v, 5000);
    if (o->bfile != NULL)
        co_bootfile_remove(o->bfile, bs);
    co_embedded_stop(em);
    return unread > 0 ? 1 : 0;
}

static int co__cmd_broker(int argc, char **argv)
{
    co__broker_opts_t o = {.brokers = 1};
    int rc = co__broker_args(argc, argv, &o);
    if (rc < 0)
        rc = co__broker_serve(&o);
    free(o.manifests.v);
    free(o.sets.v);
    return rc;
}

/* ---- relabel, applications ------------------------------------------------
 */

/* `relabel`, `applications`, `archive`, `backup` and `restore` live in
 * careerops-tools (tools/tools_main.c),
 * which links libpq, libical and the mail library so that this host binary
 * does not. It is found in ../tools/ next to this program (the build tree),
 * then in CO_TOOLSDIR (the install). Returns only on failure. */
static int co__exec_tools(int argc, char **argv)
{
    char exe[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *targv[argc + 2];
    targv[0] = "careerops-tools";
    for (int i = 0; i < argc; i++)
        targv[i + 1] = argv[i];
    targv[argc + 1] = NULL;
    if (n > 0) {
        exe[n] = '\0';
        char *dir = co_dirname(exe);
        snprintf(path, sizeof path, "%s/../tools/careerops-tools", dir);
        free(dir);
        if (access(path, X_OK) == 0)
            execv(path, targv);
    }
    snprintf(path, sizeof path, "%s/careerops-tools", CO_TOOLSDIR);
    execv(path, targv);
    fprintf(stderr,
            "error: `careerops %s` needs careerops-tools: %s: %s (in a "
            "build tree, build it with `ninja -C build "
            "tools/careerops-tools`; an install puts it there)\n",
            argv[0], path, strerror(errno));
    return 1;
}

#ifndef CO_PLUGIN_COMMANDS
#define CO_PLUGIN_COMMANDS ""
#endif

/* A command of a plugin of this tree ("NAME=PLUGIN;...", from meson.build)
 * whose plugin is not installed or does not load: say which plugin and how
 * to get it. argv[0] is the command's first word. 1 when reported. */
static int co__missing_plugin_command(int argc, char **argv)
{
    const char *p = CO_PLUGIN_COMMANDS;
    while (*p) {
        const char *eq = strchr(p, '='), *end = strchr(p, ';');
        if (end == NULL)
            end = p + strlen(p);
        if (eq == NULL || eq > end)
            break;
        char name[64], plugin[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
        snprintf(plugin, sizeof plugin, "%.*s", (int)(end - eq - 1), eq + 1);
        p = *end ? end + 1 : end;
        size_t w = strcspn(name, " ");
        if (strlen(argv[0]) != w || strncmp(argv[0], name, w) != 0)
            continue; /* "auth" matches "auth gmail": the family's plugin */
        char e[2048];
        const co_plugin_handle_t *h = co_plugin_load(plugin, e, sizeof e);
        if (h != NULL)
            snprintf(e, sizeof e,
                     "loads from %s but does not provide it: "
                     "rebuild it (`ninja -C build`)",
                     h->file);
        fprintf(stderr,
                "error: `careerops %s` is a command of the %s plugin, which "
                "is not available: %s\n(build every plugin: `ninja -C "
                "build`; `scripts/demo.sh` builds only the demo's; a build "
                "made with -Dplugins=NAMES must list %s: `meson configure "
                "build -Dplugins=all && ninja -C build`)\n",
                name, plugin, e, plugin);
        (void)argc;
        return 1;
    }
    return 0;
}

static int co__dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    co_log_init_from_env();
    co_crash_install();
    /* a file-size limit (ulimit -f) makes a write fail with EFBIG, which
     * every command says, instead of killing it without a word (trial 61:
     * relabel --export, exit 153); kept across the tools' exec */
    signal(SIGXFSZ, SIG_IGN);
    if (argc >= 3 && strcmp(argv[1], "help") == 0) {
        /* `careerops help run` is `careerops run --help` */
        char *hargv[argc + 1];
        hargv[0] = argv[0];
        for (int i = 2; i < argc; i++)
            hargv[i - 1] = argv[i];
        hargv[argc - 1] = "--help";
        hargv[argc] = NULL;
        return co__dispatch(argc, hargv);
    }
    return co__dispatch(argc, argv);
}

/* The commands: argv as main() has it. */
static int co__dispatch(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        co__usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("careerops %s (plugin ABI %d.%d, librdkafka %s)\n", CO_VERSION,
               CO_ABI_MAJOR, CO_ABI_MINOR, rd_kafka_version_str());
        return 0;
    }
    const char *cmd = argv[1];
    int rc;
    if (strcmp(cmd, "run") == 0)
        rc = co__cmd_run(argc - 1, argv + 1);
    else if (strcmp(cmd, "validate") == 0)
        rc = co__cmd_validate(argc - 1, argv + 1);
    else if (strcmp(cmd, "plugins") == 0)
        rc = co__cmd_plugins(argc - 1, argv + 1);
    else if (strcmp(cmd, "graph") == 0)
        rc = co_cmd_graph(argc - 1, argv + 1);
    else if (strcmp(cmd, "broker") == 0)
        rc = co__cmd_broker(argc - 1, argv + 1);
    else if (strcmp(cmd, "dlq") == 0)
        rc = co_cmd_dlq(argc - 1, argv + 1);
    else if (strcmp(cmd, "serve") == 0) /* core/dashboard.c */
        rc = co_cmd_serve(argc - 1, argv + 1);
    else if (strcmp(cmd, "relabel") == 0 || strcmp(cmd, "applications") == 0 ||
             strcmp(cmd, "archive") == 0 || strcmp(cmd, "backup") == 0 ||
             strcmp(cmd, "restore") == 0)
        rc = co__exec_tools(argc - 1, argv + 1);
    else if (co_command_dispatch(argc - 1, argv + 1, &rc))
        ; /* a plugin's command (ABI 1.1) ran */
    else if (co__missing_plugin_command(argc - 1, argv + 1))
        rc = 2;
    else {
        fprintf(stderr, "error: unknown command '%s'\n\n", co_cli_shown(cmd));
        co__usage(stderr);
        rc = 2;
    }
    co_plugins_unload_all();
    return rc;
}
