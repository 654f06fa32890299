/* The manifest's `state`: the store's form, a file: store's path (its
 * symlink followed) and what `run` will need of its folder, a PostgreSQL
 * connection string as libpq parses it. Split from manifest.c. */
#include "lazylib.h" /* co_pq(): libpq, loaded when used */
#include "log.h"
#include "manifest_int.h"
#include "options.h" /* co_options_check_path() */
#include "util.h"
#include "state.h"
#include "co_pgmig.h"
#include "co_redact.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The forms co_state_open() takes: memory:, file:PATH, a postgresql:// or
 * postgres:// URI (libpq's two schemes), or key=value conninfo. Anything
 * else (another scheme, a bare word) libpq refuses only at run time. */
static int co__state_form_ok(const char *sv)
{
    if (strncmp(sv, "memory:", 7) == 0 || strncmp(sv, "file:", 5) == 0 ||
        strncmp(sv, "postgresql://", 13) == 0 ||
        strncmp(sv, "postgres://", 11) == 0)
        return 1;
    return strstr(sv, "://") == NULL && strchr(sv, '=') != NULL;
}

/* Where the symlink `path` leads: realpath(), or for a link to a file not
 * created yet, its target joined to the link's folder (a link made before
 * the first run). malloc'd, or NULL with errno set. */
static char *co__link_target(const char *path)
{
    char *real = realpath(path, NULL);
    if (real != NULL || errno != ENOENT)
        return real;
    /* a chain of links whose last one leads to a file not created yet
     * (trial 62: two links were "Too many levels"): followed link by link,
     * at most 40 as the kernel does */
    char *t = co_strdup(path);
    for (int hop = 0; hop < 40; hop++) {
        char to[PATH_MAX];
        ssize_t n = readlink(t, to, sizeof to - 1);
        if (n <= 0) {
            free(t);
            return NULL;
        }
        to[n] = '\0';
        char *dir = co_dirname(t);
        char *next = to[0] == '/' ? co_strdup(to) : co_path_join(dir, to);
        free(dir);
        free(t);
        t = next;
        struct stat sb;
        if (lstat(t, &sb) != 0)
            return t;               /* the file to be created */
        if (!S_ISLNK(sb.st_mode)) { /* appeared meanwhile */
            char *r = realpath(t, NULL);
            free(t);
            return r;
        }
    }
    free(t);
    errno = ELOOP;
    return NULL;
}

/* What `run` needs beside the file: to create files in its folder (the
 * new copy it links over the file, PATH.lock), a PATH.lock it can open, and
 * a name short enough for ".lock" (trial 60: validate said ok, run refused
 * or waited for ever on "cannot write: Permission denied"). */
static void co__check_state_room(const char *given, const char *abs,
                                 const char *dir, co_diag_t *d)
{
    if (access(dir, W_OK | X_OK) != 0) {
        co_diag_add(d, "state",
                    "file:%s: cannot create files in the folder %s (%s): "
                    "give the user running careerops write access to it, or "
                    "name a file in another folder",
                    given, dir, strerror(errno));
        return;
    }
    const char *base = strrchr(abs, '/');
    base = base != NULL ? base + 1 : abs;
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (name_max <= 0)
        name_max = NAME_MAX;
    if ((long)strlen(base) + 5 > name_max) {
        const char *gb = strrchr(given, '/');
        gb = gb != NULL ? gb + 1 : given;
        co_diag_add(d, "state",
                    "file:%s: the name%s is too long for its lock file "
                    "(NAME.lock, %ld bytes at most): give a name of %ld "
                    "bytes or less",
                    given, strcmp(base, gb) == 0 ? "" : " of its link's target",
                    name_max, name_max - 5);
        return;
    }
    char *lock = NULL;
    struct stat sb, ds;
    if (asprintf(&lock, "%s.lock", abs) < 0)
        return;
    int there = stat(lock, &sb) == 0;
    if ((there && (!S_ISREG(sb.st_mode) || access(lock, R_OK | W_OK) != 0)) ||
        (!there && lstat(lock, &sb) == 0)) /* a link that leads nowhere */
        co_diag_add(d, "state",
                    "file:%s: its lock file %s is %s: move it away (run "
                    "creates it)",
                    given, lock,
                    !there                 ? "a link that leads nowhere"
                    : !S_ISREG(sb.st_mode) ? "not a regular file"
                                           : "not readable and writable");
    free(lock);
    /* a sticky folder (/tmp): another user's file there cannot be
     * replaced, and every write would fail, "Operation not permitted"
     * (trial 61: validate said ok, run waited for ever) */
    if (stat(dir, &ds) == 0 && (ds.st_mode & S_ISVTX) && geteuid() != 0 &&
        ds.st_uid != geteuid() && stat(abs, &sb) == 0 && sb.st_uid != geteuid())
        co_diag_add(d, "state",
                    "file:%s belongs to another user in %s, a folder where "
                    "only a file's owner may replace it (sticky, like "
                    "/tmp): run as its owner, or name a file of your own",
                    given, dir);
}

/* file:PATH must name a file (it is created) in a folder that exists:
 * `run` would refuse it only after the broker started (trial 28). */
static void co__check_state_file(const char *given, const char *abs,
                                 co_diag_t *d)
{
    struct stat sb;
    /* only spaces made files named "   " and "   .lock" (trial 64) */
    if (given[strspn(given, " \t\r\n")] == '\0' ||
        abs[strlen(abs) - 1] == '/') {
        co_diag_add(d, "state",
                    "\"file:%s\" names no file: write file:PATH, e.g. "
                    "\"file:careerops-state.json\" (relative to the manifest)",
                    given);
        return;
    }
    if (stat(abs, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        co_diag_add(d, "state",
                    "file:%s is a folder: name a file in it, e.g. "
                    "\"file:%s/state.json\"",
                    given, given);
        return;
    }
    if (stat(abs, &sb) == 0 &&
        !(S_ISREG(sb.st_mode) && (size_t)sb.st_size > CO_READ_FILE_MAX)) {
        /* run reads it: the same checks (a very large one: at run time) */
        json_t *doc = NULL;
        char *text = NULL, why[300];
        size_t len = 0;
        int rrc = S_ISREG(sb.st_mode) ? co_read_file(abs, &text, &len) : 0;
        if (rrc == -EACCES) { /* not "another file" (trial 61) */
            co_diag_add(d, "state",
                        "file:%s cannot be read (%s): give the user running "
                        "careerops read and write access to it",
                        given, strerror(EACCES));
            return;
        }
        if (rrc == 0 && text != NULL)
            doc = json_loadb(text, len, 0, NULL);
        /* ours (co__doc_new() writes this key first), but not JSON whole:
         * cut short by a copy or a damaged disk (trial 60: "another
         * file") */
        static const char head[] = "{\"careerops_state\":";
        int ours = doc == NULL && text != NULL && len >= 2 &&
                   strncmp(text, head,
                           len < sizeof head - 1 ? len : sizeof head - 1) == 0;
        free(text);
        if (ours)
            co_diag_add(d, "state",
                        "file:%s is a CareerOps state file cut short or "
                        "damaged (not whole JSON): restore it from a backup, "
                        "or move it away to start again (sources then read "
                        "from the start; the sinks' keys store each record "
                        "once)",
                        given);
        else if (doc == NULL ||
                 !json_is_object(json_object_get(doc, "state")) ||
                 !json_is_object(json_object_get(doc, "idem")))
            co_diag_add(d, "state",
                        "file:%s is %s, not a CareerOps state file: move it "
                        "away or name another file (a new one is created)",
                        given,
                        !S_ISREG(sb.st_mode) ? "not a regular file (a pipe "
                                               "or a device)"
                        : sb.st_size == 0    ? "empty"
                                             : "another file");
        else if (co_state_doc_check(doc, why, sizeof why) != 0)
            co_diag_add(d, "state", "file:%s: %s", given, why);
        else {
            /* ours: can run write it, its lock and its new copies? */
            char *dir = co_dirname(abs);
            co__check_state_room(given, abs, dir, d);
            free(dir);
        }
        json_decref(doc);
        return;
    }
    char *dir = co_dirname(abs);
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        co_diag_add(d, "state",
                    "file:%s: the folder %s does not exist: create it or "
                    "name a file in a folder that exists",
                    given, dir);
    else
        co__check_state_room(given, abs, dir, d);
    free(dir);
}

/* 1 with libpq's reason, made safe to print, when libpq cannot parse the
 * connection string (a key it does not know: trial 54's "foo=bar" passed
 * validate, and postgres-sink's conninfo refused it). libpq is loaded
 * here, as `run` would load it for the store; without it, 0 (run says).
 * 2 when it parses but its hosts and ports do not pair up (trial 56). */
static int co__state_parse_fault(const char *conninfo, char *why, size_t n)
{
    const co_pq_api_t *pq = co_pq(NULL, 0);
    if (pq == NULL)
        return 0;
    char *perr = NULL;
    PQconninfoOption *o = pq->conninfoParse(conninfo, &perr);
    /* 2: parsed, but its hosts and ports do not pair up */
    int bad = o == NULL ? 1 : co_pgmig_conninfo_counts_bad(o, why, n) ? 2 : 0;
    if (o == NULL)
        co_pgmig_conninfo_error(why, n, conninfo,
                                perr != NULL ? perr : "out of memory");
    pq->conninfoFree(o);
    pq->freemem(perr);
    return bad;
}

/* Whether s holds only spaces, tabs and line breaks (or nothing). A
 * function of its own: GCC 12's -Wstringop-overread took strspn(sv + 5)
 * in co__parse_state() for a read past a string of length 0 under
 * -O2 -fsanitize=address (trial 70). */
static int co__all_blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

void co__parse_state(co_manifest_t *m, json_t *root, co_diag_t *d)
{
    json_t *stv = json_object_get(root, "state");
    if (stv != NULL && !json_is_string(stv) && !json_is_null(stv)) {
        co_diag_add(d, "state",
                    "must be a string: a PostgreSQL connection string, "
                    "\"file:PATH\" or \"memory:\"");
    } else if (json_is_string(stv) && co__all_blank(json_string_value(stv))) {
        /* not the in-memory store in silence (trial 80: an unset
         * ${env:...:-} lost every position at a restart) */
        co_diag_add(d, "state",
                    "is empty: write a PostgreSQL connection string, "
                    "\"file:PATH\", or \"memory:\" for the in-memory store "
                    "(positions and once-only claims lost when the process "
                    "ends)");
    } else if (json_is_string(stv)) {
        const char *sv = json_string_value(stv);
        char why[200], home[1024];
        const char *rest;
        int fault;
        if (strstr(sv, "${") != NULL)
            ; /* a substitution that failed, reported where it was read */
        else if (!co__state_form_ok(sv)) {
            /* its password never printed (trial 45: "mysql://u:pw@h/db") */
            char shown[512];
            co_redact(shown, sizeof shown, sv);
            co_diag_add(d, "state",
                        "\"%s\" is not a state store: write a PostgreSQL "
                        "URI (postgresql://USER@HOST/DB or postgres://...), "
                        "a libpq key=value connection string (\"host=H "
                        "dbname=D\"), \"file:PATH\" or \"memory:\"",
                        shown);
        } else if (strncmp(sv, "file://", 7) == 0) {
            /* "file://st.json" wrote /st.json (trial 65): the form is not a
             * URL */
            co_diag_add(d, "state",
                        "\"%s\": the state store's form is file:PATH, not a "
                        "file:// URL: write \"file:%s\"",
                        sv, sv + 7);
        } else if (strncmp(sv, "file:", 5) == 0 && !co__all_blank(sv + 5) &&
                   !co_path_tilde(sv + 5, home, sizeof home, &rest) &&
                   co_options_check_path(sv + 5, 0, "state", d)) {
            ; /* "file: st.json " (trial 65: made "st.json ") */
        } else if (strncmp(sv, "file:", 5) == 0 &&
                   co_path_tilde(sv + 5, home, sizeof home, &rest)) {
            /* as for the plugins' file options (trial 62) */
            co_diag_add(d, "state",
                        "\"%s\" starts with ~ after file:, which nothing "
                        "expands in a manifest: give the full path, e.g. "
                        "\"file:%s%s\"",
                        sv, home, rest);
        } else if (strncmp(sv, "file:", 5) == 0) {
            char *abs =
                sv[5] == '/' ? co_strdup(sv + 5) : co_path_join(m->dir, sv + 5);
            /* a symlink: its target, for the writes (a rename replaced the
             * link by a file, the target kept its old state) and the locks
             * (two spellings of one file each locked their own; trial 60) */
            struct stat lsb;
            if (lstat(abs, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
                char *real = co__link_target(abs);
                if (real == NULL)
                    co_diag_add(d, "state",
                                "file:%s is a symbolic link that cannot be "
                                "followed (%s): point `state` at the file "
                                "itself",
                                sv + 5, strerror(errno));
                else {
                    free(abs);
                    abs = real;
                }
            }
            co__check_state_file(sv + 5, abs, d);
            size_t n = strlen(abs) + 6;
            m->state = co_xmalloc(n);
            snprintf(m->state, n, "file:%s", abs);
            free(abs);
        } else if (co_pgmig_conninfo_ambiguous(sv)) {
            /* `run` refused it only when opening the store (trial 45) */
            co_diag_add(d, "state", "%s", CO_PGMIG_AMBIGUOUS_HINT);
        } else if (co_pgmig_conninfo_bad_value(sv, why, sizeof why)) {
            co_diag_add(d, "state", "%s", why);
        } else if (strncmp(sv, "memory:", 7) != 0 &&
                   (fault = co__state_parse_fault(sv, why, sizeof why))) {
            if (fault == 2)
                co_diag_add(d, "state", "%s", why);
            else
                co_diag_add(d, "state",
                            "not a libpq connection string or URI (%s): use "
                            "e.g. postgresql://user@127.0.0.1:5432/careerops",
                            why);
        } else {
            m->state = co_strdup(sv);
        }
    }
}

void co_manifest_state_warn_split(const co_manifest_t *m)
{
    if (m->state != NULL && strncmp(m->state, "memory:", 7) != 0)
        return;
    co_log_warn("state is the in-memory store (%s) and this process runs "
                "only some of the stages: its source positions and "
                "once-only claims (notifications sent) end with it, so a "
                "restart reads its inputs again and repeats what it sent; "
                "give the stages' processes one state store: set `state` "
                "(CAREEROPS_STATE for pipelines/demo.json) to a PostgreSQL "
                "connection string (docs/manifest.md)",
                m->state != NULL ? m->state : "no `state` given");
}
