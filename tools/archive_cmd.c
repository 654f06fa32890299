/**
 * @file tools/archive_cmd.c
 * @brief `careerops archive init|put|get|ls|prune`, `careerops backup` and
 *        `careerops restore`: the raw message archive (lib/archive) and the
 *        state store's backups (pg_dump -Fc / pg_restore) on it.
 *        docs/archive.md describes the settings and the reference format.
 *
 * Settings: --archive URL (CAREEROPS_ARCHIVE; default .run/archive, the
 * demo's state folder), --s3-endpoint (CAREEROPS_ARCHIVE_S3_ENDPOINT),
 * --s3-region (CAREEROPS_ARCHIVE_S3_REGION), --s3-access-key-file
 * (CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE), --s3-secret-key-file
 * (CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE), --retry-seconds N
 * (CAREEROPS_ARCHIVE_RETRY_SECONDS).
 * Exit status: 0 done, 1 a store or database error (message on stderr),
 * 2 usage errors.
 */
#include "co_archive.h"
#include "co_pgmig.h"
#include "co_redact.h"
#include "co_cli.h"         /* co_cli_once(), co_cli_shown() */
#include "co_readfile.h"    /* co_tmpfile_open() */
#include "co_relabel_int.h" /* co__relabel_dsn_refused() */
#include "util.h"           /* co_buf_t */

#include <errno.h>
#include <ctype.h>
#include <signal.h>
#include <fcntl.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int co_cmd_archive(int argc, char **argv);
int co_cmd_backup(int argc, char **argv);
int co_cmd_restore(int argc, char **argv);

#define CO_ARCH_DEFAULT_URL ".run/archive"
#define CO_BACKUP_PREFIX    "backups/"

/* The archive options shared by the three commands. */
typedef struct {
    co_archive_config_t cfg;
    const char *dsn, *out, *older;
    long keep;
    int url_default; /* neither --archive nor CAREEROPS_ARCHIVE was given */
} co__arch_opts_t;

enum {
    CO_OPT_S3_ENDPOINT = 256,
    CO_OPT_S3_REGION,
    CO_OPT_AK,
    CO_OPT_SK,
    CO_OPT_RETRY,
    CO_OPT_DSN,
    CO_OPT_KEEP,
    CO_OPT_OLDER
};

static const struct option co__arch_lo[] = {
    {"archive", required_argument, NULL, 'a'},
    {"s3-endpoint", required_argument, NULL, CO_OPT_S3_ENDPOINT},
    {"s3-region", required_argument, NULL, CO_OPT_S3_REGION},
    {"s3-access-key-file", required_argument, NULL, CO_OPT_AK},
    {"s3-secret-key-file", required_argument, NULL, CO_OPT_SK},
    {"retry-seconds", required_argument, NULL, CO_OPT_RETRY},
    {"dsn", required_argument, NULL, CO_OPT_DSN},
    {"keep", required_argument, NULL, CO_OPT_KEEP},
    {"older-than", required_argument, NULL, CO_OPT_OLDER},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static const char *co__env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static const char co__arch_settings[] =
    "archive settings (flag, or environment variable):\n"
    "  --archive URL             CAREEROPS_ARCHIVE: file:///dir, a folder, "
    "or\n"
    "                            s3://bucket/prefix "
    "(default " CO_ARCH_DEFAULT_URL ")\n"
    "  --s3-endpoint URL         CAREEROPS_ARCHIVE_S3_ENDPOINT (default AWS)\n"
    "  --s3-region R             CAREEROPS_ARCHIVE_S3_REGION (us-east-1)\n"
    "  --s3-access-key-file F    CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE\n"
    "  --s3-secret-key-file F    CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE\n"
    "  --retry-seconds N         CAREEROPS_ARCHIVE_RETRY_SECONDS (30)\n";

/* Whether option `name` is one of `takes` (",keep,dsn,"): the options
 * beyond the archive settings that the command uses; else said (trial
 * 78: `backup -o FILE` exited 0 and wrote no FILE). */
static int co__arch_takes(const char *takes, const char *name, const char *cmd)
{
    char k[32];
    snprintf(k, sizeof k, ",%s,", name);
    if (strstr(takes, k) != NULL)
        return 1;
    fprintf(stderr, "%s takes no --%s (see %s --help)\n", cmd, name, cmd);
    return 0;
}

/* Parse argv into o; cmd ("careerops backup") names the command in the
 * errors; takes lists the options beyond the archive settings it uses
 * (",keep,dsn,"). Returns optind, or -1 (said, exit 2), or -2 (--help
 * printed, exit 0). */
static int co__arch_parse(int argc, char **argv, co__arch_opts_t *o,
                          const char *usage, const char *cmd, const char *takes)
{
    memset(o, 0, sizeof *o);
    o->cfg.url = co__env("CAREEROPS_ARCHIVE");
    o->url_default = o->cfg.url == NULL;
    if (o->cfg.url == NULL)
        o->cfg.url = CO_ARCH_DEFAULT_URL;
    o->cfg.s3_endpoint = co__env("CAREEROPS_ARCHIVE_S3_ENDPOINT");
    o->cfg.retry_note = "careerops archive"; /* a wait is announced */
    o->cfg.s3_region = co__env("CAREEROPS_ARCHIVE_S3_REGION");
    o->cfg.s3_access_key_file = co__env("CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE");
    o->cfg.s3_secret_key_file = co__env("CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE");
    const char *retry = co__env("CAREEROPS_ARCHIVE_RETRY_SECONDS");
    o->dsn = co__env("CAREEROPS_STATE");
    o->keep = 7;
    int c;
    if (co_cli_once(argc, argv, co__arch_lo, NULL, cmd) != 0)
        return -1; /* said; exit 2 */
    optind = 1;
    while ((c = co_cli_getopt(argc, argv, "a:o:h", co__arch_lo, NULL)) != -1) {
        switch (c) {
        case 'a':
            o->cfg.url = optarg;
            o->url_default = 0;
            break;
        case CO_OPT_S3_ENDPOINT:
            o->cfg.s3_endpoint = optarg;
            break;
        case CO_OPT_S3_REGION:
            o->cfg.s3_region = optarg;
            break;
        case CO_OPT_AK:
            o->cfg.s3_access_key_file = optarg;
            break;
        case CO_OPT_SK:
            o->cfg.s3_secret_key_file = optarg;
            break;
        case CO_OPT_RETRY:
            retry = optarg;
            break;
        case CO_OPT_DSN:
            if (!co__arch_takes(takes, "dsn", cmd))
                return -1;
            o->dsn = optarg;
            break;
        case CO_OPT_KEEP: {
            if (!co__arch_takes(takes, "keep", cmd))
                return -1;
            char *e;
            errno = 0;
            long k = strtol(optarg, &e, 10);
            /* a count past 1,000,000 is a typo, and past long's range
             * strtol gave LONG_MAX in silence (trial 80) */
            if (*e || e == optarg || errno == ERANGE || k < 1 || k > 1000000) {
                fprintf(stderr,
                        "%s: --keep %s: give a count of backups to keep, "
                        "from 1 to 1000000\n",
                        cmd, co_cli_shown(optarg));
                return -1;
            }
            o->keep = k;
            break;
        }
        case CO_OPT_OLDER:
            if (!co__arch_takes(takes, "older-than", cmd))
                return -1;
            o->older = optarg;
            break;
        case 'o':
            if (!co__arch_takes(takes, "output", cmd))
                return -1;
            o->out = optarg;
            break;
        case 'h':
            printf("%s\n%s", usage, co__arch_settings);
            return -2;
        default:
            fprintf(stderr, "%s\n", usage);
            return -1;
        }
    }
    if (retry) {
        char *e;
        long s = strtol(retry, &e, 10);
        if (*e || s < 1 || s > 86400) {
            fprintf(stderr,
                    "careerops archive: retry seconds '%s' "
                    "(--retry-seconds or "
                    "CAREEROPS_ARCHIVE_RETRY_SECONDS): give 1 to 86400\n",
                    co_cli_shown(retry));
            return -1;
        }
        o->cfg.retry_budget_ms = s * 1000;
    }
    return optind;
}

static co_archive_t *co__arch_open(const co__arch_opts_t *o)
{
    char err[1024];
    co_archive_t *a = co_archive_open(&o->cfg, err, sizeof err);
    if (a == NULL)
        fprintf(stderr, "careerops: archive: %s\n", co_cli_shown(err));
    return a;
}

/* co__arch_open() for a command that reads (get, ls, prune, restore):
 * a folder archive that does not exist is refused with how to create it,
 * or, when none was configured, what to configure. */
static co_archive_t *co__arch_open_existing(const co__arch_opts_t *o,
                                            const char *cmd)
{
    co_archive_t *a = co__arch_open(o);
    if (a == NULL || co_archive_exists(a))
        return a;
    char url[1200];
    co_archive_url_of(a, "", url, sizeof url);
    url[strlen(url) - 1] = '\0';   /* the trailing slash */
    char shown[1200], given[1200]; /* no password (trial 49) */
    co_redact(shown, sizeof shown, url);
    co_redact(given, sizeof given, o->cfg.url);
    if (o->url_default)
        fprintf(stderr,
                "careerops %s: no archive at %s (the default: neither "
                "--archive nor CAREEROPS_ARCHIVE is set): set one of them to "
                "your archive (a folder, file:///dir or s3://bucket/prefix), "
                "or create this one with `careerops archive init`\n",
                cmd, co_cli_shown(shown));
    else
        fprintf(stderr,
                "careerops %s: no archive at %s (the folder does not exist): "
                "create it with `careerops archive init --archive %s`, or "
                "point --archive / CAREEROPS_ARCHIVE at the archive that "
                "holds your data\n",
                cmd, co_cli_shown(shown), co_cli_shown(given));
    co_archive_close(a);
    return NULL;
}

static void co__ref_print(const co_archive_ref_t *r)
{
    printf("{\"archive_url\":\"%s\",\"size\":%llu,\"sha256\":\"%s\"%s%s}\n",
           r->url, (unsigned long long)r->size, r->sha256,
           r->existed ? ",\"existed\":true" : "",
           r->repaired ? ",\"repaired\":true" : "");
}

static int co__ls_cb(const char *key, time_t mtime, uint64_t size, void *ud)
{
    (void)ud;
    char t[32];
    struct tm tm;
    strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&mtime, &tm));
    printf("%s\t%llu\t%s\n", t, (unsigned long long)size, key);
    return 0;
}

static const char co__archive_usage[] =
    "usage: careerops archive init|put FILE...|get REF [-o FILE]|ls "
    "[PREFIX]|prune --older-than DAYS [options]\n"
    "  init          create the folder or the S3 bucket\n"
    "  put FILE...   store files content-addressed; prints each reference "
    "(JSON)\n"
    "  get REF       write an object (archive_url, sha256:HEX or key) to "
    "stdout or -o FILE\n"
    "  ls [PREFIX]   list objects: date, size, key\n"
    "  prune --older-than DAYS\n"
    "                delete raw messages (sha256/) stored more than DAYS "
    "days ago\n"
    "(a backup of the PostgreSQL tables into the archive and its restore are "
    "the\ncommands `careerops backup` and `careerops restore REF --dsn D`; "
    "see their --help)";

/* `archive get REF [-o OUT]`: the content to OUT (NULL: stdout). OUT is
 * written under an unnamed or temporary name and renamed into place when
 * whole: a failed get leaves an existing OUT as it was (trial 56: it was
 * removed, /dev/null too) and a killed one leaves no part. A device or a
 * named pipe is written directly; a pipe with no reader is refused (it
 * hung the get), and so is a folder. */
static int co__get_to(co_archive_t *a, const char *ref, const char *outp,
                      char *err, size_t errlen)
{
    struct stat st;
    char tmp[4200] = "";
    FILE *out = stdout;
    int fd = -1, special = 0;
    if (outp != NULL) {
        const char *shown = co_cli_shown(outp);
        int existed = stat(outp, &st) == 0;
        special = existed && !S_ISREG(st.st_mode);
        if (special && S_ISDIR(st.st_mode)) {
            fprintf(stderr,
                    "careerops archive get: -o %s: a folder: give a file "
                    "path in it\n",
                    shown);
            return 2;
        }
        /* a device or a named pipe is written as it is; O_NONBLOCK: a
         * pipe with no reader fails (ENXIO) instead of hanging */
        fd = special ? open(outp, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                     : co_tmpfile_open(outp, tmp, sizeof tmp);
        /* a file replaced keeps its mode (trial 57: 0644 became 0600) */
        if (fd >= 0 && existed && !special)
            (void)fchmod(fd, st.st_mode & 07777);
        int fl = special && fd >= 0 ? fcntl(fd, F_GETFL) : 0;
        if (fd < 0 || fl < 0 ||
            (special && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) ||
            (out = fdopen(fd, "wb")) == NULL) {
            int e = errno;
            fprintf(stderr, "careerops archive get: -o %s: %s\n", shown,
                    e == ENXIO ? "a named pipe that nothing reads from"
                               : strerror(e));
            if (fd >= 0)
                close(fd);
            co_tmpfile_abandon(tmp);
            return e == ENOENT || e == ENOTDIR || e == ENXIO ? 2 : 1;
        }
    }
    int rc = 0, got = co_archive_get(a, ref, out, err, errlen);
    if (got < 0) {
        fprintf(stderr, "careerops archive get: %s\n", co_cli_shown(err));
        rc = got == -2 ? 2 : 1; /* -2: the reference names nothing */
    }
    if (out == stdout)
        return rc;
    if (rc == 0 && (fflush(out) != 0 ||
                    (!special && co_tmpfile_commit(fd, tmp, outp) != 0))) {
        fprintf(stderr, "careerops archive get: -o %s: %s\n",
                co_cli_shown(outp), strerror(errno));
        rc = 1;
    }
    if (rc != 0)
        co_tmpfile_abandon(tmp);
    fclose(out);
    return rc;
}

int co_cmd_archive(int argc, char **argv)
{
    co__arch_opts_t o;
    if (argc < 2) {
        fprintf(stderr, "%s\n", co__archive_usage);
        return 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
        strcmp(sub, "help") == 0) {
        printf("%s\n%s", co__archive_usage, co__arch_settings);
        return 0;
    }
    char cmd[64];
    snprintf(cmd, sizeof cmd, "careerops archive %s", sub);
    int i = co__arch_parse(argc - 1, argv + 1, &o, co__archive_usage, cmd,
                           strcmp(sub, "get") == 0     ? ",output,"
                           : strcmp(sub, "prune") == 0 ? ",older-than,"
                                                       : ",");
    if (i == -2)
        return 0;
    if (i < 0)
        return 2;
    int nargs = argc - 1 - i;
    char **args = argv + 1 + i;
    co_archive_t *a = NULL;
    char err[1024];
    int rc = 0;
    /* init, prune, ls and get take no more words than these (trial 55:
     * `archive init extra` ran and exited 0) */
    int most = strcmp(sub, "init") == 0 || strcmp(sub, "prune") == 0 ? 0
               : strcmp(sub, "ls") == 0 || strcmp(sub, "get") == 0   ? 1
                                                                     : -1;
    if (most >= 0 && nargs > most) {
        fprintf(stderr, "careerops archive %s: unexpected argument '%s'\n%s\n",
                sub, co_cli_shown(args[most]), co__archive_usage);
        return 2;
    }
    if (strcmp(sub, "init") == 0) {
        if ((a = co__arch_open(&o)) == NULL)
            return 2;
        int existed = co_archive_exists(a);
        if (co_archive_init(a, err, sizeof err) < 0) {
            fprintf(stderr, "careerops archive init: %s\n", co_cli_shown(err));
            rc = 1;
        } else {
            /* trial 60: it said nothing, created or not */
            char url[1200], shown[1200];
            co_archive_url_of(a, "", url, sizeof url);
            co_redact(shown, sizeof shown, url);
            printf("archive %s: %s\n", co_cli_shown(shown),
                   strncmp(url, "s3://", 5) == 0 ? "bucket ready"
                   : existed                     ? "already there"
                                                 : "created");
        }
    } else if (strcmp(sub, "put") == 0) {
        if (nargs < 1) {
            fprintf(stderr, "careerops archive put: give one or more FILEs\n");
            return 2;
        }
        if ((a = co__arch_open(&o)) == NULL)
            return 2;
        for (int k = 0; k < nargs && rc == 0; k++) {
            co_archive_ref_t ref;
            if (co_archive_put_file(a, args[k], &ref, err, sizeof err) < 0) {
                struct stat st;
                fprintf(stderr, "careerops archive put: %s\n",
                        co_cli_shown(err));
                /* no such file, a folder or a pipe: the command line is
                 * wrong */
                rc = stat(args[k], &st) != 0 || !S_ISREG(st.st_mode) ? 2 : 1;
            } else {
                co__ref_print(&ref);
            }
        }
    } else if (strcmp(sub, "get") == 0) {
        if (nargs != 1) {
            fprintf(stderr, "careerops archive get: give one REF "
                            "(archive_url, sha256:HEX or key)\n");
            return 2;
        }
        if ((a = co__arch_open_existing(&o, "archive get")) == NULL)
            return 2;
        rc = co__get_to(a, args[0], o.out, err, sizeof err);
    } else if (strcmp(sub, "ls") == 0) {
        if ((a = co__arch_open_existing(&o, "archive ls")) == NULL)
            return 2;
        if (co_archive_list(a, nargs ? args[0] : "", co__ls_cb, NULL, err,
                            sizeof err) < 0) {
            fprintf(stderr, "careerops archive ls: %s\n", co_cli_shown(err));
            rc = 1;
        }
    } else if (strcmp(sub, "prune") == 0) {
        char *e = NULL;
        double days = o.older ? strtod(o.older, &e) : -1;
        /* decimal only: strtod also reads 0x10, 1e2 and "nan" */
        /* trial 57: "" (an unset $DAYS) read as 0 and pruned everything */
        if (o.older == NULL || *e || e == o.older ||
            !(days >= 0 && days < 1e6) ||
            o.older[strspn(o.older, "0123456789.")] != '\0' ||
            strpbrk(o.older, "0123456789") == NULL) {
            fprintf(stderr, "careerops archive prune: give --older-than DAYS "
                            "(a number of days, 0 to 999999)\n");
            return 2;
        }
        if ((a = co__arch_open_existing(&o, "archive prune")) == NULL)
            return 2;
        size_t n = 0;
        time_t before = time(NULL) - (time_t)(days * 86400.0);
        if (co_archive_prune(a, "sha256/", before, &n, err, sizeof err) < 0) {
            fprintf(stderr, "careerops archive prune: %s\n", co_cli_shown(err));
            rc = 1;
        }
        /* after a failure, only what was removed before it (trial 55:
         * "pruned 0 objects" followed the error) */
        if (rc == 0 || n > 0)
            printf("pruned %zu object%s stored more than %s day%s ago%s\n", n,
                   n == 1 ? "" : "s", co_cli_shown(o.older),
                   days == 1 ? "" : "s", rc == 0 ? "" : " before the error");
    } else {
        /* an option before the command (trial 72: "archive --archive X
         * ls" said "unknown command '--archive'") */
        fprintf(stderr,
                sub[0] == '-'
                    ? "careerops archive: '%s' comes before the command: "
                      "write the command first (init, put, get, ls, prune), "
                      "then its options\n%s\n"
                    : "careerops archive: unknown command '%s'\n%s\n",
                co_cli_shown(sub), co__archive_usage);
        return 2;
    }
    co_archive_close(a);
    return rc;
}

/* The files backup and restore make (the dump, the service file that
 * holds an sslpassword, its folder) and the pg_dump or pg_restore they
 * run: every signal whose default action ends the process (SIGINT,
 * SIGTERM, SIGHUP, SIGPIPE from a closed `| head`, SIGQUIT from Ctrl-\,
 * SIGUSR1, SIGALRM ...), unless it was ignored when the command started
 * (nohup), removes the files and stops the child before the command ends
 * by that signal (trial 49: the service file stayed in /tmp with the
 * password in it; trial 51: SIGPIPE and SIGQUIT left it, and pg_dump ran
 * on). The child gets SIGINT, SIGTERM and SIGHUP as they came, SIGTERM for
 * the others. Only async-signal-safe calls here. */
enum { CO__TMP_DUMP, CO__TMP_SERVICE, CO__TMP_DIR, CO__TMP_N };
static char co__tmp[CO__TMP_N][128];
static volatile pid_t co__child;
static sigset_t co__handled; /* the signals co__on_signal() handles */

static void co__on_signal(int sig)
{
    if (co__child > 0)
        kill(co__child,
             sig == SIGINT || sig == SIGTERM || sig == SIGHUP ? sig : SIGTERM);
    for (int i = 0; i < CO__TMP_N; i++)
        if (co__tmp[i][0] != '\0') {
            if (i == CO__TMP_DIR)
                rmdir(co__tmp[i]);
            else
                unlink(co__tmp[i]);
        }
    signal(sig, SIG_DFL);
    raise(sig); /* blocked here: delivered, by default, on return */
}

/* 1 when the default action of `sig` is not to end the process. */
static int co__sig_harmless(int sig)
{
    return sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD ||
           sig == SIGCONT || sig == SIGTSTP || sig == SIGTTIN ||
           sig == SIGTTOU || sig == SIGURG || sig == SIGWINCH;
}

/* Installs co__on_signal() for every signal that ends the process by
 * default and is not ignored; once. */
static void co__sig_install(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    sigemptyset(&co__handled);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = co__on_signal;
    sigfillset(&sa.sa_mask); /* one cleanup at a time */
    for (int sig = 1; sig < NSIG; sig++) {
        /* glibc keeps two real-time signals for itself: EINVAL */
        if (co__sig_harmless(sig) || sigaction(sig, NULL, &old) != 0 ||
            old.sa_handler == SIG_IGN)
            continue;
        if (sigaction(sig, &sa, NULL) == 0)
            sigaddset(&co__handled, sig);
    }
}

/* Track `path` (NULL: no longer) in slot i; the first call installs the
 * handlers. */
static void co__tmp_track(int i, const char *path)
{
    co__sig_install();
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    snprintf(co__tmp[i], sizeof co__tmp[i], "%s", path ? path : "");
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Copies what fd gives to stderr line by line, each secret of `dsn`
 * (co_redact_spans()) written as ***, each line through co_cli_shown():
 * pg_dump and pg_restore quote pieces of their connection string in
 * errors (trial 50: `database "db password=pw" does not exist`). */
static void co__filter_stderr(int fd, const char *dsn)
{
    co_redact_span_t sp[16];
    size_t ns = co_redact_spans(dsn, sp, 16);
    if (ns > 16)
        ns = 16;
    FILE *in = fdopen(fd, "r");
    if (in == NULL) {
        close(fd);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    co_buf_t out = {0};
    while ((n = getline(&line, &cap, in)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        out.len = 0;
        co_buf_add(&out, "", 0); /* NUL-terminated, also when empty */
        for (ssize_t i = 0; i < n;) {
            size_t hit = 0;
            for (size_t k = 0; k < ns && hit == 0; k++)
                if (sp[k].len > 0 && (size_t)(n - i) >= sp[k].len &&
                    memcmp(line + i, dsn + sp[k].off, sp[k].len) == 0)
                    hit = sp[k].len;
            if (hit > 0) {
                co_buf_add(&out, "***", 3);
                i += (ssize_t)hit;
            } else {
                co_buf_add(&out, &line[i++], 1);
            }
        }
        /* they quote the database or host name as given: an escape
         * sequence in --dsn is written \x1b */
        fprintf(stderr, "%s\n", co_cli_shown(out.data));
    }
    co_buf_free(&out);
    free(line);
    fclose(in);
}

/* Run argv (no shell) with the environment envp, its stderr through
 * co__filter_stderr() for `dsn`; wait; 0 when it exited 0. */
static int co__run(char *const argv[], char *const envp[], const char *dsn)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    /* no signal between fork() and co__child set (the child would run
     * on), nor our handler in the child before exec */
    co__sig_install();
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; sig++)
            if (sigismember(&co__handled, sig) == 1)
                signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        execvpe(argv[0], argv, envp);
        fprintf(stderr,
                "careerops: cannot run %s: %s (install Debian's "
                "postgresql-client)\n",
                argv[0], strerror(errno));
        _exit(127);
    }
    co__child = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(pfd[1]);
    co__filter_stderr(pfd[0], dsn);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) {
            co__child = 0;
            return -1;
        }
    co__child = 0;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* pg_dump's and pg_restore's connection, none of it on their command
 * line, which every local user reads in /proc/PID/cmdline (trial 45: `-d
 * DSN` showed the password; trial 48: the sslpassword; trial 51: `-d
 * dbname='db password=pw'`, from a URI with a password in its path): each
 * setting of `dsn` goes in the environment variable libpq reads it from
 * (PGHOST, PGDATABASE, PGPASSWORD ...: PQconninfoOption.envvar), in their
 * environment, which only their owner reads. The few that libpq reads
 * from no variable (sslpassword, keepalives ...) go in a service file of
 * our own, 0600 in a 0700 folder, named by PGSERVICEFILE, and -d names the
 * service; with no such setting -d is "" and libpq takes them all from the
 * environment. */
typedef struct {
    char **envp; /* NULL-terminated; envp[0..nown) malloc'd */
    size_t nown;
    co_buf_t svc;  /* the service file's key=value lines, or "" */
    char d[32];    /* -d: "service=careerops" or "" */
    char dir[64];  /* the service file's folder, or "" */
    char file[96]; /* the service file, or "" */
} co__pg_env_t;

extern char **environ;

static void co__pg_env_free(co__pg_env_t *e)
{
    for (size_t i = 0; e->envp != NULL && i < e->nown; i++)
        free(e->envp[i]);
    free(e->envp);
    co_buf_free(&e->svc);
    if (e->file[0] != '\0')
        unlink(e->file);
    if (e->dir[0] != '\0')
        rmdir(e->dir);
    co__tmp_track(CO__TMP_SERVICE, NULL);
    co__tmp_track(CO__TMP_DIR, NULL);
}

/* 1 when `word` (lower case) is one of libpq's connection keywords. */
static int co__pg_keyword(const char *word)
{
    PQconninfoOption *all = PQconndefaults();
    int found = 0;
    for (PQconninfoOption *p = all; p && p->keyword && !found; p++)
        found = strcmp(p->keyword, word) == 0;
    PQconninfoFree(all);
    return found;
}

/* A setting inside the value of another (trial 51): libpq reads
 * `postgresql://h/db password=pw` as the database "db password=pw" and
 * `user='u sslmode=require'` as that user name, so the setting is lost
 * and pg_dump's messages quote the value. Refused (printed, the value
 * not): a `KEY=` word in the value of `key`, KEY one of libpq's keywords
 * or ending in "password" (only those in options, which holds `-c
 * name=value`). 0, or -1. */
static int co__pg_misplaced(const char *cmd, const char *key, const char *val)
{
    if (strcmp(key, "password") == 0 || strcmp(key, "sslpassword") == 0)
        return 0;
    for (const char *p = val; *p; p++) {
        if (p != val && strchr(" \t\r\n\f\v?&;", p[-1]) == NULL)
            continue;
        char word[48];
        size_t n = 0;
        while (n + 1 < sizeof word &&
               (isalpha((unsigned char)p[n]) || p[n] == '_' || p[n] == '-')) {
            word[n] = (char)tolower((unsigned char)p[n]);
            n++;
        }
        word[n] = '\0';
        if (n == 0 || p[n] != '=')
            continue;
        int secret = n >= 8 && strcmp(word + n - 8, "password") == 0;
        if (!secret && (strcmp(key, "options") == 0 || !co__pg_keyword(word)))
            continue;
        const char *what = strcmp(key, "dbname") == 0 ? "database name"
                           : strcmp(key, "user") == 0 ? "user name"
                                                      : key;
        fprintf(stderr,
                "%s: the connection string's %s holds \"%s=\", which "
                "libpq reads as part of the %s, not as a setting: in a "
                "URI, settings go after '?' "
                "(postgresql://USER@HOST/DB?sslmode=require); in key=value "
                "pairs, quote no setting inside another's value. A "
                "password is best kept out of the string: PGPASSWORD or "
                "~/.pgpass (docs/archive.md)\n",
                cmd, what, word, what);
        return -1;
    }
    return 0;
}

/* Adds `key`=`v` to the service file's lines; 0, or -1 (printed): libpq
 * drops white space around a service file's value and ends it at a line
 * break. */
static int co__pg_svc_add(const char *cmd, co__pg_env_t *e, const char *key,
                          const char *v)
{
    int pw = strcmp(key, "sslpassword") == 0;
    size_t vl = strlen(v);
    if (vl > 0 &&
        (isspace((unsigned char)v[0]) || isspace((unsigned char)v[vl - 1]))) {
        /* libpq strips it from a service file's line (trial 49) */
        fprintf(stderr,
                "%s: the connection string's %s begins or ends with white "
                "space, which libpq drops when it reads a service file: %s\n",
                cmd, key,
                pw ? "change the key's password" : "remove the white space");
        return -1;
    }
    if (strpbrk(v, "\r\n") != NULL) { /* a service file line ends there */
        fprintf(stderr,
                "%s: the connection string's %s holds a line break, which "
                "libpq cannot read from a service file: %s\n",
                cmd, key,
                pw ? "change the key's password" : "remove the line break");
        return -1;
    }
    co_buf_printf(&e->svc, "%s=%s\n", key, v);
    return 0;
}

/* Writes the service "careerops" (e->svc) to a new private file, adds
 * PGSERVICEFILE to e->envp and names the service in e->d; 0, or -1
 * (printed). */
static int co__pg_service(const char *cmd, co__pg_env_t *e)
{
    snprintf(e->dir, sizeof e->dir, "/tmp/careerops-pg-XXXXXX");
    if (mkdtemp(e->dir) == NULL) {
        fprintf(stderr, "%s: temporary folder: %s\n", cmd, strerror(errno));
        e->dir[0] = '\0';
        return -1;
    }
    co__tmp_track(CO__TMP_DIR, e->dir);
    snprintf(e->file, sizeof e->file, "%s/pg_service.conf", e->dir);
    co__tmp_track(CO__TMP_SERVICE, e->file);
    int fd = open(e->file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL || fprintf(f, "[careerops]\n%s", e->svc.data) < 0 ||
        fclose(f) != 0) {
        fprintf(stderr, "%s: %s: %s\n", cmd, e->file, strerror(errno));
        if (f == NULL && fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = strlen(e->file) + 16;
    e->envp[e->nown] = co_xmalloc(n);
    snprintf(e->envp[e->nown++], n, "PGSERVICEFILE=%s", e->file);
    snprintf(e->d, sizeof e->d, "service=careerops");
    return 0;
}

/* One setting of the connection string (p->val not NULL) to e: its
 * variable, or the service file's lines; 0, or -1 (printed). */
static int co__pg_setting(const char *cmd, const PQconninfoOption *p,
                          co__pg_env_t *e)
{
    if (strcmp(p->keyword, "port") == 0 &&
        strspn(p->val, "0123456789,") != strlen(p->val)) {
        /* "postgresql://h:pw/db": libpq reads pw as the port and prints
         * it (trial 50) */
        fprintf(stderr,
                "%s: the connection string's port is not a number (a "
                "password after the host? write USER:PASSWORD@HOST:PORT)\n",
                cmd);
        return -1;
    }
    if (co__pg_misplaced(cmd, p->keyword, p->val) != 0)
        return -1;
    if (p->envvar == NULL)
        return co__pg_svc_add(cmd, e, p->keyword, p->val);
    size_t n = strlen(p->envvar) + strlen(p->val) + 2;
    e->envp[e->nown] = co_xmalloc(n);
    snprintf(e->envp[e->nown++], n, "%s=%s", p->envvar, p->val);
    return 0;
}

/* 0 with *e filled; -1 (refused, printed: exit 2). */
static int co__pg_env(const char *cmd, const char *dsn, co__pg_env_t *e)
{
    memset(e, 0, sizeof *e);
    char refused[512];
    if (co__relabel_dsn_refused(dsn, refused, sizeof refused) != 0) {
        fprintf(stderr, "%s: the connection string (--dsn%s): %s\n", cmd,
                strcmp(cmd, "careerops backup") == 0 ? " or CAREEROPS_STATE"
                                                     : "",
                refused);
        return -1;
    }
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    size_t nenv = 0, nopt = 0;
    while (environ[nenv] != NULL)
        nenv++;
    for (PQconninfoOption *p = opts; p && p->keyword; p++)
        nopt++;
    e->envp = co_xcalloc(nenv + nopt + 2, sizeof *e->envp);
    co_buf_printf(&e->svc, "%s", "");
    const char *service = NULL, *nokey = NULL;
    int bad = 0;
    for (PQconninfoOption *p = opts; p && p->keyword && !bad; p++) {
        if (p->val == NULL)
            continue;
        if (strcmp(p->keyword, "service") == 0)
            service = p->val;
        if (p->envvar == NULL && nokey == NULL)
            nokey = p->keyword;
        bad = co__pg_setting(cmd, p, e) != 0;
    }
    if (!bad && service != NULL && nokey != NULL) {
        fprintf(stderr,
                "%s: the connection string names a service and sets %s, "
                "which libpq reads from no environment variable: put %s in "
                "the service's entry of your service file instead\n",
                cmd, nokey, nokey);
        bad = 1;
    }
    bad = bad || (e->svc.len > 0 && co__pg_service(cmd, e) != 0);
    PQconninfoFree(opts);
    if (bad) {
        co__pg_env_free(e);
        memset(e, 0, sizeof *e);
        return -1;
    }
    size_t k = e->nown;
    for (size_t i = 0; i < nenv; i++) {
        size_t nl = strcspn(environ[i], "=");
        int ours = 0;
        for (size_t j = 0; j < e->nown && !ours; j++)
            ours = strncmp(e->envp[j], environ[i], nl + 1) == 0;
        if (!ours)
            e->envp[k++] = environ[i];
    }
    return 0;
}

typedef struct {
    char **keys;
    size_t n, cap;
} co__keys_t;

static int co__keys_cb(const char *key, time_t mtime, uint64_t size, void *ud)
{
    (void)mtime;
    (void)size;
    co__keys_t *k = ud;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        char **v = realloc(k->keys, cap * sizeof *v);
        if (v == NULL)
            return 1;
        k->keys = v;
        k->cap = cap;
    }
    if ((k->keys[k->n] = strdup(key)) != NULL)
        k->n++;
    return 0;
}

static int co__strcmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static const char co__backup_usage[] =
    "usage: careerops backup [--dsn DSN] [--keep N] [archive options]\n"
    "  writes pg_dump -Fc of the state store database (all schemas: the "
    "host's\n"
    "  state and the plugins' tables) to the archive under backups/, keeps "
    "the\n"
    "  newest N (default 7) and prints the backup's reference (JSON)\n"
    "  --dsn DSN     the database (default CAREEROPS_STATE)";

int co_cmd_backup(int argc, char **argv)
{
    co__arch_opts_t o;
    int i = co__arch_parse(argc, argv, &o, co__backup_usage, "careerops backup",
                           ",keep,dsn,");
    if (i == -2)
        return 0;
    if (i < 0)
        return 2;
    if (i != argc) {
        fprintf(stderr, "careerops backup: unexpected argument '%s'\n%s\n",
                co_cli_shown(argv[i]), co__backup_usage);
        return 2;
    }
    if (o.dsn == NULL) {
        fprintf(stderr, "careerops backup: no database: give --dsn DSN or "
                        "set CAREEROPS_STATE\n");
        return 2;
    }
    co__pg_env_t env;
    if (co__pg_env("careerops backup", o.dsn, &env) != 0)
        return 2;
    co_archive_t *a = co__arch_open(&o);
    if (a == NULL) {
        co__pg_env_free(&env);
        return 2;
    }
    char tmp[] = "/tmp/careerops-backup-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd >= 0)
        co__tmp_track(CO__TMP_DUMP, tmp);
    if (fd < 0) {
        fprintf(stderr, "careerops backup: temporary file: %s\n",
                strerror(errno));
        co_archive_close(a);
        co__pg_env_free(&env);
        return 1;
    }
    close(fd);
    char *pd[] = {"pg_dump", "-Fc", "--no-owner", "-f", tmp, "-d", env.d, NULL};
    int rc = 0;
    char err[1024];
    if (co__run(pd, env.envp, o.dsn) < 0) {
        fprintf(stderr, "careerops backup: pg_dump failed (message above); "
                        "check --dsn / CAREEROPS_STATE\n");
        rc = 1;
    }
    co_archive_ref_t ref;
    if (rc == 0) {
        char key[256], stamp[32];
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S",
                 gmtime_r(&ts.tv_sec, &tm));
        snprintf(key, sizeof key, CO_BACKUP_PREFIX "%s.%03ldZ.dump", stamp,
                 ts.tv_nsec / 1000000);
        if (co_archive_put_named(a, key, tmp, &ref, err, sizeof err) < 0) {
            fprintf(stderr, "careerops backup: %s\n", co_cli_shown(err));
            rc = 1;
        }
    }
    unlink(tmp);
    co__tmp_track(CO__TMP_DUMP, NULL);
    if (rc == 0) {
        /* Retention by count: the keys sort by date. */
        co__keys_t k = {0};
        if (co_archive_list(a, CO_BACKUP_PREFIX, co__keys_cb, &k, err,
                            sizeof err) < 0) {
            fprintf(stderr, "careerops backup: retention: %s\n",
                    co_cli_shown(err));
            rc = 1;
        } else {
            qsort(k.keys, k.n, sizeof *k.keys, co__strcmp);
            for (size_t j = 0; j + (size_t)o.keep < k.n; j++)
                if (co_archive_delete(a, k.keys[j], err, sizeof err) < 0) {
                    fprintf(stderr, "careerops backup: retention: %s\n",
                            co_cli_shown(err));
                    rc = 1;
                    break;
                }
        }
        for (size_t j = 0; j < k.n; j++)
            free(k.keys[j]);
        free(k.keys);
        co__ref_print(&ref);
    }
    co_archive_close(a);
    co__pg_env_free(&env);
    return rc;
}

static const char co__restore_usage[] =
    "usage: careerops restore REF --dsn DSN [archive options]\n"
    "  loads a backup (its archive_url or key, or 'latest') into an EMPTY\n"
    "  database with pg_restore; refuses a database that has tables";

int co_cmd_restore(int argc, char **argv)
{
    co__arch_opts_t o;
    int i = co__arch_parse(argc, argv, &o, co__restore_usage,
                           "careerops restore", ",dsn,");
    if (i == -2)
        return 0;
    if (i < 0)
        return 2;
    if (argc - i != 1) {
        fprintf(stderr, "careerops restore: give one REF\n%s\n",
                co__restore_usage);
        return 2;
    }
    const char *ref = argv[i];
    /* --dsn is required here: restoring over CAREEROPS_STATE by accident
     * must not happen. */
    int has_dsn = 0;
    for (int j = 1; j < argc; j++)
        if (strncmp(argv[j], "--dsn", 5) == 0)
            has_dsn = 1;
    if (!has_dsn) {
        fprintf(stderr, "careerops restore: give --dsn DSN (the empty "
                        "database to load into)\n");
        return 2;
    }
    co__pg_env_t env;
    if (co__pg_env("careerops restore", o.dsn, &env) != 0)
        return 2;
    PGconn *pg = PQconnectdb(o.dsn);
    if (PQstatus(pg) != CONNECTION_OK) {
        char why[512];
        co_pgmig_conninfo_error(why, sizeof why, o.dsn, PQerrorMessage(pg));
        fprintf(stderr, "careerops restore: --dsn: %s\n", why);
        PQfinish(pg);
        co__pg_env_free(&env);
        return 1;
    }
    PGresult *r = PQexec(pg, "SELECT count(*) FROM pg_tables WHERE schemaname "
                             "NOT IN ('pg_catalog','information_schema')");
    long ntab = PQresultStatus(r) == PGRES_TUPLES_OK
                    ? strtol(PQgetvalue(r, 0, 0), NULL, 10)
                    : -1;
    PQclear(r);
    PQfinish(pg);
    if (ntab != 0) {
        fprintf(stderr,
                "careerops restore: the database of --dsn %s: "
                "restore into an empty database (createdb NAME)\n",
                ntab < 0 ? "could not be inspected" : "has tables");
        co__pg_env_free(&env);
        return ntab < 0 ? 1 : 2;
    }
    co_archive_t *a = co__arch_open_existing(&o, "restore");
    if (a == NULL) {
        co__pg_env_free(&env);
        return 2;
    }
    char err[1024], key[512];
    int rc = 0;
    if (strcmp(ref, "latest") == 0) {
        co__keys_t k = {0};
        if (co_archive_list(a, CO_BACKUP_PREFIX, co__keys_cb, &k, err,
                            sizeof err) < 0 ||
            k.n == 0) {
            fprintf(stderr, "careerops restore: no backup in the archive%s%s\n",
                    k.n ? ": " : "", k.n ? co_cli_shown(err) : "");
            rc = 1;
        } else {
            qsort(k.keys, k.n, sizeof *k.keys, co__strcmp);
            snprintf(key, sizeof key, "%s", k.keys[k.n - 1]);
            ref = key;
        }
        for (size_t j = 0; j < k.n; j++)
            free(k.keys[j]);
        free(k.keys);
    }
    char tmp[] = "/tmp/careerops-restore-XXXXXX";
    int fd = rc == 0 ? mkstemp(tmp) : -1;
    if (fd >= 0)
        co__tmp_track(CO__TMP_DUMP, tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (rc == 0 && f == NULL) {
        fprintf(stderr, "careerops restore: temporary file: %s\n",
                strerror(errno));
        rc = 1;
    }
    int got = rc == 0 ? co_archive_get(a, ref, f, err, sizeof err) : 0;
    if (got < 0) {
        fprintf(stderr, "careerops restore: %s\n", co_cli_shown(err));
        rc = got == -2 ? 2 : 1; /* -2: the reference names nothing */
    }
    if (f && fclose(f) != 0)
        rc = 1;
    if (rc == 0) {
        char *pr[] = {"pg_restore", "--no-owner", "--exit-on-error",
                      "-d",         env.d,        tmp,
                      NULL};
        if (co__run(pr, env.envp, o.dsn) < 0) {
            fprintf(stderr, "careerops restore: pg_restore failed (message "
                            "above)\n");
            rc = 1;
        } else {
            fprintf(stderr, "careerops restore: %s loaded\n",
                    co_cli_shown(ref));
        }
    }
    if (fd >= 0)
        unlink(tmp);
    co__tmp_track(CO__TMP_DUMP, NULL);
    co_archive_close(a);
    co__pg_env_free(&env);
    return rc;
}
