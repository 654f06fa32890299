/*
 * `careerops relabel --export` and co_corrections_read() (see
 * co_relabel.h).
 */
#include "co_relabel.h"

#include "co_mail.h"
#include "co_relabel_int.h"
#include "co_pgmig.h"
#include "rules_eval.h"
#include "util.h"
#include "co_cli.h"
#include "co_readfile.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *co__relabel_sql(PGconn *c, const char *schema, const char *sql)
{
    char *q = PQescapeIdentifier(c, schema, strlen(schema));
    if (q == NULL)
        return NULL;
    size_t ql = strlen(q), n = 1;
    for (const char *p = sql; *p; p++)
        n += strncmp(p, "{s}", 3) == 0 ? ql : 1;
    char *out = malloc(n), *o = out;
    for (const char *p = sql; out != NULL && *p;) {
        if (strncmp(p, "{s}", 3) == 0) {
            memcpy(o, q, ql);
            o += ql;
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    if (out != NULL)
        *o = '\0';
    PQfreemem(q);
    return out;
}

/* 1 when <schema>.corrections exists, 0 when not, -1 on error. */
int co__relabel_has_table(PGconn *c, const char *schema)
{
    char *q = co__relabel_sql(c, schema,
                              "SELECT to_regclass('{s}.corrections') IS NULL");
    PGresult *res = q ? PQexec(c, q) : NULL;
    free(q);
    int rc =
        res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
            ? strcmp(PQgetvalue(res, 0, 0), "f") == 0
            : -1;
    PQclear(res);
    return rc;
}

/* The seven labels (shared by relabel and the corrections reader). */
const char *const co__relabel_labels[7] = {
    "INTERVIEW",          "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
    "RECRUITER_OUTREACH", "OTHER"};

int co__relabel_label(const char *name)
{
    for (int i = 0; name != NULL && i < 7; i++)
        if (strcasecmp(name, co__relabel_labels[i]) == 0)
            return i;
    return -1;
}

PGresult *co__relabel_corrected(PGconn *c, const char *schema, char *err,
                                size_t err_size)
{
    int has = co__relabel_has_table(c, schema);
    if (has <= 0) {
        snprintf(err, err_size, "%s",
                 has == 0 ? "no corrections table yet in this schema (run "
                            "careerops relabel first)"
                          : PQerrorMessage(c));
        return NULL;
    }
    char *q = co__relabel_sql(
        c, schema,
        "SELECT e.key, e.event_type, e.doc->>'company',"
        " e.doc->>'scheduled_date', em.doc::text,"
        " to_char(max(k.corrected_at) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM {s}.corrections k JOIN {s}.events e ON e.key = k.event_key"
        " LEFT JOIN {s}.emails em ON em.key = e.key"
        " GROUP BY e.key, e.event_type, e.doc, em.doc ORDER BY e.key");
    PGresult *res = q ? PQexec(c, q) : NULL;
    free(q);
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        snprintf(err, err_size, "%s", PQerrorMessage(c));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Writes a whole file under its name only once all of it is written
 * (a full disk left an earlier export's email empty); 0 or -1 with errno
 * set. */
static int co__relabel_write(const char *path, const char *data, size_t len)
{
    char tmp[4200];
    int fd = co_tmpfile_open(path, tmp, sizeof tmp);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int e = errno;
        close(fd);
        co_tmpfile_abandon(tmp);
        errno = e;
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len || fflush(f) != 0;
    int e = errno;
    if (!bad && co_tmpfile_commit(fileno(f), tmp, path) != 0) {
        bad = 1;
        e = errno;
    } else if (bad) {
        co_tmpfile_abandon(tmp);
    }
    fclose(f);
    errno = e;
    return bad ? -1 : 0;
}

/* One CSV field, quoted when needed (RFC 4180). */
static void co__csv_field(FILE *f, const char *s, int last)
{
    if (s != NULL && strpbrk(s, ",\"\r\n") != NULL) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else if (s != NULL) {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

void co__relabel_conn_why(char *why, size_t n, const char *dsn, const char *msg)
{
    char raw[512];
    co_pgmig_conninfo_error(raw, sizeof raw, dsn, msg);
    snprintf(why, n, "%s", co_cli_shown(raw));
}

int co__relabel_export(PGconn *c, const char *schema, const char *csv)
{
    char err[512];
    PGresult *res = co__relabel_corrected(c, schema, err, sizeof err);
    if (res == NULL) {
        fprintf(stderr, "error: %s: %s\n", schema, err);
        return 1;
    }
    char *dir = NULL, *base = strdup(csv);
    if (base == NULL || asprintf(&dir, "%s.emails", csv) < 0) {
        free(base);
        PQclear(res);
        return 1;
    }
    const char *rel = basename(base);
    /* a name that starts with a space would be trimmed by the readers of
     * the file column (eval, train --corrections): "./ name" keeps it */
    const char *dot = isspace((unsigned char)rel[0]) ? "./" : "";
    FILE *f = NULL;
    int rc = 0, fd = -1;
    char tmp[4200] = "";
    /* the CSV replaces an earlier export only once whole (a full disk left
     * an earlier export empty, or cut after a row, with exit 1); the emails
     * are mail: the owner's only, as the archive's (docs/operations.md) */
    struct stat ds;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "error: cannot create %s: %s\n", co_cli_shown(dir),
                strerror(errno));
        rc = 1;
    } else if (lstat(dir, &ds) == 0 && S_ISDIR(ds.st_mode) &&
               ds.st_uid == geteuid() && (ds.st_mode & 077) != 0 &&
               chmod(dir, 0700) != 0) {
        /* an earlier export's folder, or one made by hand, open to others
         * (trial 64: 0777 kept: others could replace the training emails) */
        fprintf(stderr, "error: cannot make %s private (chmod 0700): %s\n",
                co_cli_shown(dir), strerror(errno));
        rc = 1;
    } else if ((fd = co_tmpfile_open(csv, tmp, sizeof tmp)) < 0 ||
               (f = fdopen(fd, "w")) == NULL) {
        fprintf(stderr, "error: cannot write %s: %s\n", co_cli_shown(csv),
                strerror(errno));
        if (fd >= 0)
            close(fd);
        co_tmpfile_abandon(tmp);
        rc = 1;
    }
    size_t written = 0, skipped = 0;
    if (f != NULL)
        fputs("file,label,company,scheduled_date,key,corrected_at\n", f);
    for (int i = 0; f != NULL && rc == 0 && i < PQntuples(res); i++) {
        const char *key = PQgetvalue(res, i, 0);
        if (PQgetisnull(res, i, 4)) {
            fprintf(stderr,
                    "warning: %s: the email is not stored (give "
                    "postgres-sink the raw inbox topic too); skipped\n",
                    key);
            skipped++;
            continue;
        }
        /* The key names a file: keep it to a safe alphabet. */
        if (key[strspn(key, "0123456789abcdefABCDEF-_.")] != '\0' ||
            key[0] == '.') {
            fprintf(stderr,
                    "warning: key '%.40s' is not a file name; "
                    "skipped\n",
                    key);
            skipped++;
            continue;
        }
        char *path = NULL, *file = NULL;
        if (asprintf(&path, "%s/%s.json", dir, key) < 0 ||
            asprintf(&file, "%s%s.emails/%s.json", dot, rel, key) < 0) {
            rc = 1;
        } else if (co__relabel_write(path, PQgetvalue(res, i, 4),
                                     (size_t)PQgetlength(res, i, 4)) != 0) {
            fprintf(stderr, "error: cannot write %s: %s\n", co_cli_shown(path),
                    strerror(errno));
            rc = 1;
        } else {
            /* the labels CSV as datasets/WRITING.md defines it: company
             * empty for OTHER, scheduled_date only for INTERVIEW, OFFER and
             * ASSESSMENT (the classifier's guesses stay in the event) */
            const char *label = PQgetvalue(res, i, 1);
            int other = strcmp(label, "OTHER") == 0;
            int dated = strcmp(label, "INTERVIEW") == 0 ||
                        strcmp(label, "OFFER") == 0 ||
                        strcmp(label, "ASSESSMENT") == 0;
            co__csv_field(f, file, 0);
            co__csv_field(f, label, 0);
            co__csv_field(
                f, PQgetisnull(res, i, 2) || other ? "" : PQgetvalue(res, i, 2),
                0);
            co__csv_field(
                f,
                PQgetisnull(res, i, 3) || !dated ? "" : PQgetvalue(res, i, 3),
                0);
            co__csv_field(f, key, 0);
            co__csv_field(f, PQgetvalue(res, i, 5), 1);
            written++;
        }
        free(path);
        free(file);
    }
    if (f != NULL) {
        if (rc == 0 && fflush(f) != 0) {
            fprintf(stderr, "error: cannot write %s: %s\n", co_cli_shown(csv),
                    strerror(errno));
            rc = 1;
        }
        if (rc == 0 && co_tmpfile_commit(fileno(f), tmp, csv) != 0) {
            fprintf(stderr, "error: cannot write %s: %s\n", co_cli_shown(csv),
                    strerror(errno));
            rc = 1;
        } else if (rc != 0) {
            co_tmpfile_abandon(tmp);
        }
        fclose(f);
    }
    if (rc != 0)
        fprintf(stderr, "error: nothing exported: %s is as it was\n",
                co_cli_shown(csv));
    if (rc == 0)
        printf("exported %zu correction%s to %s (emails in %s)%s\n", written,
               written == 1 ? "" : "s", co_cli_shown(csv), co_cli_shown(dir),
               skipped ? "; some skipped, see above" : "");
    PQclear(res);
    free(dir);
    free(base);
    return rc;
}

/* A file of a labels CSV: a careerops.email.v1 document or a message. */
static json_t *co__corrections_email(const char *path, char *err,
                                     size_t err_size)
{
    char *raw = NULL;
    size_t len = 0;
    int rc = co_read_file(path, &raw, &len);
    if (rc != 0) {
        snprintf(err, err_size, "%s: cannot read: %s", path,
                 co_read_strerror(rc));
        return NULL;
    }
    json_t *email = NULL;
    size_t i = 0;
    while (i < len && (raw[i] == ' ' || raw[i] == '\n' || raw[i] == '\t'))
        i++;
    if (i < len && raw[i] == '{') {
        json_error_t je;
        email = json_loadb(raw, len, 0, &je);
        const char *schema =
            json_string_value(json_object_get(email, "schema"));
        if (schema == NULL || strcmp(schema, "careerops.email.v1") != 0) {
            snprintf(err, err_size,
                     "%s: not a careerops.email.v1 document (%s)", path,
                     email ? "wrong schema" : je.text);
            json_decref(email);
            email = NULL;
        }
    } else {
        char *json = NULL, key[65], why[256] = "";
        size_t jlen = 0;
        if (co_mail_to_json(raw, len, NULL, NULL, &json, &jlen, key, why,
                            sizeof why) != 0)
            snprintf(err, err_size, "%s: not a message: %s", path, why);
        else
            email = json_loadb(json, jlen, 0, NULL);
        free(json);
    }
    free(raw);
    return email;
}

static int co__corrections_csv(const char *csv, co_correction_fn fn, void *arg,
                               size_t *count, char *err, size_t err_size)
{
    char *copy = strdup(csv);
    if (copy == NULL)
        return -1;
    co_eval_label_t *rows = NULL;
    size_t n = 0;
    int rc = co_eval_read_labels(csv, dirname(copy), &rows, &n);
    free(copy);
    if (rc != 0) {
        snprintf(err, err_size, "%s: bad labels file (see above)", csv);
        return -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *email = co__corrections_email(rows[i].path, err, err_size);
        if (email == NULL) {
            rc = -1;
            break;
        }
        rc = fn(arg, email, rows[i].label, rows[i].path);
        json_decref(email);
        if (rc == 0)
            (*count)++;
    }
    co_eval_labels_free(rows, n);
    return rc;
}

int co__relabel_dsn_refused(const char *dsn, char *err, size_t err_size)
{
    if (co_pgmig_conninfo_ambiguous(dsn)) {
        snprintf(err, err_size, "%s", CO_PGMIG_AMBIGUOUS_HINT);
        return -1;
    }
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
    if (opts != NULL) {
        PQconninfoFree(opts);
        return 0;
    }
    /* not libpq's words, which quote a piece of it: it may hold a
     * password (trial 43) */
    char why[256];
    co__relabel_conn_why(why, sizeof why, dsn, perr ? perr : "unreadable");
    snprintf(err, err_size,
             "PostgreSQL cannot read it (%s): give a URI "
             "(postgresql://USER@HOST/DB) or key=value pairs",
             why);
    PQfreemem(perr);
    return -1;
}

static int co__corrections_db(const char *dsn, const char *schema,
                              co_correction_fn fn, void *arg, size_t *count,
                              char *err, size_t err_size)
{
    if (co__relabel_dsn_refused(dsn, err, err_size) != 0)
        return -1;
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        char why[512];
        co__relabel_conn_why(why, sizeof why, dsn, PQerrorMessage(c));
        const char *fix = co_pgmig_connect_fix(PQerrorMessage(c));
        snprintf(err, err_size, "cannot connect to PostgreSQL (%s): %s", why,
                 fix ? fix
                     : CO__RELABEL_PG_START ", or give a running server's "
                                            "connection string");
        PQfinish(c);
        return -1;
    }
    PGresult *res =
        co__relabel_corrected(c, schema ? schema : "public", err, err_size);
    int rc = res ? 0 : -1;
    for (int i = 0; res != NULL && rc == 0 && i < PQntuples(res); i++) {
        const char *key = PQgetvalue(res, i, 0);
        int label = co__relabel_label(PQgetvalue(res, i, 1));
        if (PQgetisnull(res, i, 4) || label < 0) {
            fprintf(stderr, "warning: correction %s: %s; skipped\n", key,
                    label < 0 ? "unknown label" : "the email is not stored");
            continue;
        }
        json_t *email = json_loads(PQgetvalue(res, i, 4), 0, NULL);
        if (email == NULL) {
            fprintf(stderr,
                    "warning: correction %s: stored email is not "
                    "JSON; skipped\n",
                    key);
            continue;
        }
        rc = fn(arg, email, label, key);
        json_decref(email);
        if (rc == 0)
            (*count)++;
    }
    PQclear(res);
    PQfinish(c);
    return rc;
}

int co_corrections_read(const char *src, const char *schema,
                        co_correction_fn fn, void *arg, size_t *count,
                        char *err, size_t err_size)
{
    *count = 0;
    err[0] = '\0';
    struct stat sb;
    int db = strncmp(src, "postgres://", 11) == 0 ||
             strncmp(src, "postgresql://", 13) == 0 ||
             (strchr(src, '=') != NULL && stat(src, &sb) != 0);
    return db ? co__corrections_db(src, schema, fn, arg, count, err, err_size)
              : co__corrections_csv(src, fn, arg, count, err, err_size);
}
