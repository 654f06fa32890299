/*
 * `careerops relabel` (see co_relabel.h).
 */
#include "co_relabel.h"

#include "co_relabel_int.h"
#include "co_pgmig.h"
#include "util.h"
#include "co_cli.h"
#include "co_readfile.h"
#include "kafka.h"
#include "manifest.h"

#include <getopt.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

static void co__relabel_usage(FILE *f)
{
    fprintf(f, "usage: careerops relabel KEY LABEL [--company C] [--date T] "
               "[--role R] [--note TEXT]\n"
               "                         [CONNECTION] [--topic T | --no-emit]\n"
               "       careerops relabel --export CSV [CONNECTION]\n"
               "       careerops relabel --list [CONNECTION]\n"
               "CONNECTION: --conninfo DSN (or --dsn) | --manifest M "
               "[--stage S] [--set PATH=VALUE]...;\n"
               "            default $CAREEROPS_STATE;\n"
               "            --schema S (default $CAREEROPS_DEMO_SCHEMA, else "
               "demo).\n\n"
               "Corrects a stored event: records the correction in "
               "<schema>.corrections,\nupdates the event in postgres-sink's "
               "events table and (with --manifest)\nsends the corrected event "
               "to the classified-events topic. KEY is the\nevent key or a "
               "unique prefix (" CO__RELABEL_MIN_PREFIX_S
               "+ characters); LABEL one of INTERVIEW, "
               "OFFER,\nASSESSMENT, REJECTION, APPLICATION_ACK, "
               "RECRUITER_OUTREACH, OTHER.\n--company \"\" / --date \"\" / "
               "--role \"\" set null; --date is RFC 3339 (stored in UTC),\nor "
               "a day (YYYY-MM-DD) for an OFFER's or ASSESSMENT's deadline "
               "without a time.\n--export writes the "
               "corrections as a labels CSV (and CSV.emails/) for\ncareerops "
               "train --corrections and careerops eval.\n");
}

/* Options of one invocation. */
typedef struct co__relabel_s {
    const char *conninfo, *manifest, *stage, *schema, *topic, *note;
    const char *company, *date, *role, *export_csv;
    int set_company, set_date, set_role, list, no_emit;
    const char **sets; /* --set PATH=VALUE, NULL-terminated, as run's */
    co_manifest_t *m;
    const co_stage_conf_t *sink; /* the postgres-sink stage, or NULL */
} co__relabel_t;

/* 1 if s is valid UTF-8 (jansson refuses a string that is not). */
static int co__relabel_utf8(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    json_decref(j);
    return s == NULL || j != NULL;
}

/* 1 if s has a control character (C0, DEL) or one that co_cli_invisible()
 * names: C1, bidirectional marks, embeddings, overrides and isolates, line
 * and paragraph separators, U+061C, and invisible characters (U+200B-D,
 * U+2060-4, U+00AD, U+FEFF): a name that reorders or breaks the line it
 * is shown on, or that looks like another (trials 55, 57, 58). */
static int co__relabel_ctl(const char *s)
{
    unsigned cp;
    for (const char *c = s; c != NULL && *c; c++) {
        const unsigned char *u = (const unsigned char *)c;
        if (u[0] < 0x20 || u[0] == 0x7f || co_cli_invisible(c, &cp) > 0)
            return 1;
        /* tag characters (U+E0000-U+E007F) and variation selectors
         * (U+FE00-U+FE0F): invisible too (trial 59) */
        if (u[0] == 0xf3 && u[1] == 0xa0 && (u[2] == 0x80 || u[2] == 0x81))
            return 1;
        if (u[0] == 0xef && u[1] == 0xb8 && u[2] >= 0x80 && u[2] <= 0x8f)
            return 1;
    }
    return 0;
}

/* The length of a space-like character at s (ASCII space, U+00A0,
 * U+2000-U+200A, U+202F, U+205F, U+2800 braille blank, U+3000), or 0. */
static size_t co__relabel_space(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == ' ')
        return 1;
    if (u[0] == 0xc2 && u[1] == 0xa0)
        return 2;
    if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8a || u[2] == 0xaf) &&
        u[2] >= 0x80)
        return 3;
    if ((u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) ||
        (u[0] == 0xe2 && u[1] == 0xa0 && u[2] == 0x80) ||
        (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80))
        return 3;
    return 0;
}

/* 1 if non-empty s begins or ends with a space-like character (so is
 * only such characters): "Acme" and "Acme\u00a0" look the same in a
 * table (trial 59: two "Saltmarsh Robotics" applications). */
static int co__relabel_blank_edge(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return 0;
    if (co__relabel_space(s) > 0)
        return 1;
    const char *last = s;
    for (const char *c = s; *c;) {
        size_t n = co__relabel_space(c);
        last = c;
        c += n > 0 ? n : 1;
        while (n == 0 && (*c & 0xc0) == 0x80) /* the rest of a character */
            c++;
    }
    return co__relabel_space(last) > 0;
}

/* --export may replace an earlier export, never another file (trial 59:
 * a manifest was overwritten with the CSV; /dev/full made CSV.emails/ and
 * failed silently; a FIFO hung it; a missing folder was named by its
 * CSV.emails). 0, or 2 said. */
static int co__relabel_export_ok(const char *csv)
{
    static const char head[] = "file,label,company,scheduled_date,key,"
                               "corrected_at\n";
    const char *shown = co_cli_shown(csv);
    /* "" or a folder made CSV.emails/ and then failed (trial 37) */
    struct stat st;
    if (strcmp(csv, "-") == 0) {
        /* a file "-" and a folder "-.emails" (trial 63): the emails are
         * files of their own, so there is no standard-output form */
        fprintf(stderr,
                "error: --export -: the export is a CSV file and a folder of "
                "emails next to it (CSV.emails), so it cannot go to standard "
                "output: give the path of the CSV file, e.g. --export "
                "corrections.csv (./- for a file named -)\n");
        return 2;
    }
    if (csv[0] == '\0' || (stat(csv, &st) == 0 && S_ISDIR(st.st_mode))) {
        fprintf(stderr,
                "error: --export '%s' is %s: give the path of the CSV file to "
                "write (its emails go to the folder CSV.emails next to it)\n",
                shown, csv[0] ? "a folder" : "empty");
        return 2;
    }
    char dir[4096], why[4400];
    int err;
    co_newfile_t k = co_newfile_check(csv, 1, dir, sizeof dir, &err);
    if (k != CO_NEWFILE_OK) {
        fprintf(stderr,
                "error: --export %s: %s (give the path of a new CSV "
                "file in a folder you can write to)\n",
                shown,
                co_newfile_why(k, co_cli_shown(dir), err, why, sizeof why));
        return 2;
    }
    int ours;
    co_peek_t kind = co_readfile_replaceable(csv, head, &ours);
    if (!ours) {
        fprintf(stderr,
                "error: --export '%s' is %s: it would be overwritten; give a "
                "new path (or an earlier export's)\n",
                shown,
                kind == CO_PEEK_REGULAR ? "a file that is not an earlier export"
                : kind == CO_PEEK_LINK  ? "a symbolic link"
                                        : co_readfile_kind(csv));
        return 2;
    }
    char *emails = NULL;
    if (asprintf(&emails, "%s.emails", csv) >= 0 && lstat(emails, &st) == 0 &&
        !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "error: --export '%s': %s.emails (where its emails go) "
                "exists and is not a folder: give another path\n",
                shown, shown);
        free(emails);
        return 2;
    }
    free(emails);
    return 0;
}

/* Finds the connection and schema (see the file comment); 0 or 2. */
static int co__relabel_connection(co__relabel_t *r)
{
    if (r->manifest != NULL) {
        co_diag_t diags = {0};
        r->m = co_manifest_load(r->manifest, r->sets, &diags);
        if (r->m == NULL || diags.n > 0) {
            co_diag_print(&diags, r->manifest);
            co_diag_free(&diags);
            return 2;
        }
        co_diag_free(&diags);
        for (size_t i = 0; i < r->m->n_stages && r->sink == NULL; i++) {
            const co_stage_conf_t *s = &r->m->stages[i];
            if (r->stage ? strcmp(s->name, r->stage) == 0
                         : strcmp(s->plugin, "postgres-sink") == 0)
                r->sink = s;
        }
        if (r->sink == NULL || strcmp(r->sink->plugin, "postgres-sink") != 0) {
            char all[512];
            fprintf(
                stderr,
                "error: %s: %s%s (name the postgres-sink stage with "
                "--stage, or give --conninfo; stages: %s)\n",
                co_cli_shown(r->manifest),
                r->sink    ? "that stage is not a postgres-sink stage"
                : r->stage ? "no stage named "
                           : "no postgres-sink stage",
                r->sink || !r->stage ? "" : co_cli_shown(r->stage),
                co_manifest_stage_list(r->m, CO_STAGE_ANY, all, sizeof all));
            return 2;
        }
        const char *ci =
            json_string_value(json_object_get(r->sink->config, "conninfo"));
        const char *sc =
            json_string_value(json_object_get(r->sink->config, "schema"));
        if (r->conninfo == NULL)
            r->conninfo = ci;
        if (r->schema == NULL)
            r->schema = sc;
    }
    if (r->conninfo == NULL && getenv("CAREEROPS_STATE") != NULL &&
        *getenv("CAREEROPS_STATE") != '\0')
        r->conninfo = getenv("CAREEROPS_STATE"); /* as `applications` */
    if (r->conninfo == NULL) {
        fprintf(stderr, "error: give --conninfo DSN (or --dsn), --manifest "
                        "M (its postgres-sink stage names the database), or "
                        "set CAREEROPS_STATE (eval \"$(bash scripts/pg.sh "
                        "env)\" for the demo's)\n");
        return 2;
    }
    /* like `careerops applications`: the demo's schema unless told */
    if (r->schema == NULL || *r->schema == '\0')
        r->schema = getenv("CAREEROPS_DEMO_SCHEMA");
    if (r->schema == NULL || *r->schema == '\0')
        r->schema = "demo";
    return 0;
}

static int co__relabel_ok(PGconn *c, PGresult *res, const char *what)
{
    ExecStatusType s = PQresultStatus(res);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return 1;
    fprintf(stderr, "error: %s: %s", what,
            co_cli_shown_lines(PQerrorMessage(c)));
    return 0;
}

/* Runs schema-templated SQL without parameters; 0 or 1. */
static int co__relabel_exec(PGconn *c, const char *schema, const char *sql,
                            const char *what)
{
    char *q = co__relabel_sql(c, schema, sql);
    PGresult *res = q ? PQexec(c, q) : NULL;
    free(q);
    int ok = res != NULL && co__relabel_ok(c, res, what);
    PQclear(res);
    return ok ? 0 : 1;
}

/* Run inside the relabel's transaction. The advisory lock (until its end)
 * lets one relabel at a time create the table: CREATE TABLE IF NOT EXISTS
 * is not safe against itself (trial 45: 6 of 12 first relabels at once
 * failed on "pg_type_typname_nsp_index"); the ALTERs below serialize
 * them anyway. */
static const char co__relabel_ddl[] =
    "SELECT pg_advisory_xact_lock(hashtext('careerops.corrections'));"
    "CREATE TABLE IF NOT EXISTS {s}.corrections ("
    " id bigserial PRIMARY KEY,"
    " event_key text NOT NULL,"
    " field text NOT NULL,"
    " old_value text,"
    " new_value text,"
    " corrected_at timestamptz NOT NULL DEFAULT now(),"
    " corrected_by text NOT NULL DEFAULT current_user,"
    " note text);"
    "CREATE INDEX IF NOT EXISTS corrections_event_key_idx"
    " ON {s}.corrections (event_key, corrected_at);"
    /* the fields a correction names; role and due_date came later (a
     * table made before keeps its rows, its check is replaced) */
    "ALTER TABLE {s}.corrections DROP CONSTRAINT IF EXISTS"
    " corrections_field_check;"
    "ALTER TABLE {s}.corrections ADD CONSTRAINT corrections_field_check"
    " CHECK (field IN ('event_type', 'company', 'scheduled_date', 'role',"
    " 'due_date'));";

/* The fields a correction may change, in the order they are recorded. */
enum { CO__RELABEL_NFIELDS = 5 };

/* A day of the calendar (co_relabel_int.h). */
int co__relabel_day(const char *s)
{
    int y, mo, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 ||
        n != 10 || mo < 1 || mo > 12 || d < 1 || y < 1900)
        return 0;
    return d <= co_days_in_month(y, mo);
}

/* RFC 3339 with a zone -> "YYYY-MM-DDTHH:MM:SSZ", to the second (eval
 * compares the minute); 0, or -1 for a date-time that is not one of the
 * calendar (2026-02-29, an offset +99:00: trial 37) or before 1970. */
static int co__relabel_utc(const char *s, char out[32])
{
    long long sec;
    if (co_parse_rfc3339_sec(s, &sec) != 0 || sec < 0)
        return -1;
    time_t t = (time_t)sec;
    struct tm u;
    if (gmtime_r(&t, &u) == NULL)
        return -1;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &u);
    return 0;
}

/* A date argument of relabel or applications (co_relabel_int.h). */
int co__relabel_when_ok(const char *s)
{
    long long sec;
    return s != NULL &&
           (co__relabel_day(s) || co_parse_rfc3339_sec(s, &sec) == 0);
}

/* A string-or-null field of the doc as text, or NULL. */
static const char *co__relabel_field(json_t *doc, const char *k)
{
    return json_string_value(json_object_get(doc, k));
}

static int co__relabel_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Delivery report: records the first error. */
static void co__relabel_dr(rd_kafka_t *rk, const rd_kafka_message_t *m,
                           void *opaque)
{
    (void)rk;
    rd_kafka_resp_err_t *err = opaque;
    if (m->err && *err == RD_KAFKA_RESP_ERR_NO_ERROR)
        *err = m->err;
}

/* Sends the corrected event downstream; 0, or 1 with the reason printed.
 * `again`: NULL, or the label when nothing changed and the stored event is
 * sent again (an earlier send may have failed; downstream keeps one event
 * per key). */
static int co__relabel_emit(co__relabel_t *r, const char *key,
                            const char *value, const char *again)
{
    const char *topic = r->topic;
    for (size_t i = 0; topic == NULL && i < r->m->n_stages; i++) {
        const co_stage_conf_t *s = &r->m->stages[i];
        size_t n = strlen(s->plugin);
        if (s->output != NULL && n > 11 &&
            strcmp(s->plugin + n - 11, "-classifier") == 0)
            topic = s->output;
    }
    if (topic == NULL) {
        fprintf(stderr,
                "warning: %s has no classifier stage with an output "
                "topic: give --topic to send the corrected event\n",
                co_cli_shown(r->manifest));
        return 1;
    }
    if (r->m->embedded) {
        printf("not sent to %s: the manifest uses the embedded broker, which "
               "lives inside `careerops run`; the stored event is corrected\n",
               co_cli_shown(topic));
        return 0;
    }
    const char *bs =
        json_string_value(json_object_get(r->m->kafka, "bootstrap.servers"));
    char e[512];
    rd_kafka_resp_err_t derr = RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_conf_t *conf = co_kafka_conf_new(r->m, bs, e, sizeof e);
    rd_kafka_t *rk = NULL;
    if (conf != NULL) {
        rd_kafka_conf_set_dr_msg_cb(conf, co__relabel_dr);
        rd_kafka_conf_set_opaque(conf, &derr);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, e, sizeof e);
        if (rk == NULL)
            rd_kafka_conf_destroy(conf);
    }
    if (rk == NULL) {
        fprintf(stderr, "error: kafka producer for %s: %s\n",
                bs ? co_cli_shown(bs) : "(no bootstrap.servers)", e);
        return 1;
    }
    rd_kafka_resp_err_t perr = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
        RD_KAFKA_V_VALUE((void *)value, strlen(value)),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER("careerops.correction", "1", 1), RD_KAFKA_V_END);
    if (perr == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_flush(rk, 15000) != RD_KAFKA_RESP_ERR_NO_ERROR)
        perr = RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (perr == RD_KAFKA_RESP_ERR_NO_ERROR)
        perr = derr;
    rd_kafka_destroy(rk);
    if (perr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr,
                "error: the corrected event is stored but was not sent to "
                "%s at %s: %s (run the command again when the broker is "
                "up)\n",
                co_cli_shown(topic), co_cli_shown(bs), rd_kafka_err2str(perr));
        return 1;
    }
    if (again != NULL)
        printf("%s: nothing to change (already %s); sent the stored event "
               "again to %s\n",
               key, again, co_cli_shown(topic));
    else
        printf("sent the corrected event to %s\n", co_cli_shown(topic));
    return 0;
}

/* Builds the corrected doc and the list of changes. */
static json_t *co__relabel_doc(json_t *doc,
                               const char *fields[CO__RELABEL_NFIELDS],
                               const char *newv[CO__RELABEL_NFIELDS],
                               const char *note, int *changed)
{
    json_t *d = json_deep_copy(doc);
    json_t *corr = json_object_get(d, "correction");
    /* `old` keeps what the classifier said first. */
    json_t *old = json_object_get(corr, "old");
    old = json_is_object(old) ? json_incref(old) : json_object();
    json_t *flist = json_array();
    /* `previous`: what this correction changed, as it was just before it
     * (a second correction is announced against the first, not against
     * the classifier's word; trial 68) */
    json_t *prev = json_object();
    *changed = 0;
    for (int i = 0; i < CO__RELABEL_NFIELDS; i++) {
        if (fields[i] == NULL)
            continue;
        const char *before = co__relabel_field(d, fields[i]);
        if (co__relabel_same(before, newv[i]))
            continue;
        (*changed)++;
        json_object_set_new(prev, fields[i],
                            before ? json_string(before) : json_null());
        if (json_object_get(old, fields[i]) == NULL)
            json_object_set_new(old, fields[i],
                                before ? json_string(before) : json_null());
        json_object_set_new(d, fields[i],
                            newv[i] ? json_string(newv[i]) : json_null());
        json_array_append_new(flist, json_string(fields[i]));
    }
    char now[32];
    time_t t = time(NULL);
    struct tm u;
    gmtime_r(&t, &u);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &u);
    json_object_set_new(d, "correction",
                        json_pack("{s:s,s:s,s:o,s:o,s:o,s:s?}", "at", now, "by",
                                  "careerops relabel", "fields", flist, "old",
                                  old, "previous", prev, "note", note));
    json_object_set_new(d, "confidence", json_real(1.0));
    /* The user has decided: an LLM/local disagreement is settled. */
    json_object_del(d, "unsure");
    return d;
}

/* The application an event belongs to and that application's own
 * decision (`careerops applications --decide`), read before and after a
 * correction of the company: the application's id derives from the
 * company (docs/applications.md). */
typedef struct co__relabel_app_s {
    char id[64], status[32], ck[600]; /* "" when none */
    char company[520];                /* the application's company */
    long n_events;                    /* the application's events */
    int merged; /* the event's company is an alias of the application's */
} co__relabel_app_t;

/* Reads the application of event `key` and its own decision into *a;
 * 0 (a->id "" when there is none or the schema has no applications),
 * or 1 with the reason printed. */
static int co__relabel_app_of(PGconn *c, const char *schema, const char *key,
                              co__relabel_app_t *a)
{
    *a = (co__relabel_app_t){0};
    const char *p1[1] = {schema};
    PGresult *res = PQexecParams(
        c,
        "SELECT to_regclass(format('%I.application_decisions', $1::text))"
        " IS NOT NULL",
        1, NULL, p1, NULL, NULL, 0);
    int ok = co__relabel_ok(c, res, "reading the applications");
    int has = ok && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!has)
        return ok ? 0 : 1;
    char *q = co__relabel_sql(
        c, schema,
        "SELECT a.id, coalesce(d.status, ''), a.company_key,"
        " cardinality(a.event_keys), coalesce(a.company, ''),"
        " {s}.careerops_company_key(e.company) IS DISTINCT FROM a.company_key"
        " FROM {s}.applications a LEFT JOIN {s}.application_decisions d"
        " ON d.application_id = a.id JOIN {s}.events e ON e.key = $1"
        " WHERE a.event_keys @> ARRAY[$1::text]"
        " ORDER BY a.id LIMIT 1");
    const char *p2[1] = {key};
    res = q ? PQexecParams(c, q, 1, NULL, p2, NULL, NULL, 0) : NULL;
    free(q);
    ok = res != NULL && co__relabel_ok(c, res, "reading the applications");
    if (ok && PQntuples(res) == 1) {
        snprintf(a->id, sizeof a->id, "%s", PQgetvalue(res, 0, 0));
        snprintf(a->status, sizeof a->status, "%s", PQgetvalue(res, 0, 1));
        snprintf(a->ck, sizeof a->ck, "%s", PQgetvalue(res, 0, 2));
        a->n_events = atol(PQgetvalue(res, 0, 3));
        snprintf(a->company, sizeof a->company, "%s", PQgetvalue(res, 0, 4));
        a->merged = strcmp(PQgetvalue(res, 0, 5), "t") == 0;
    }
    PQclear(res);
    return ok ? 0 : 1;
}

/* After a new company moved an event out of application `before`, which
 * had a decision of its own, into application `after` (read once by the
 * caller, co__relabel_app_of): when `before` is gone (all its events
 * moved) and `after` has no decision, the decision follows the event (its row
 * is moved to the new id). Else says where the decision stays and how to
 * carry it over or forget it, in `note`. 0, or 1 with the reason
 * printed. */
static int co__relabel_follow(PGconn *c, const char *schema,
                              const co__relabel_app_t *before,
                              const co__relabel_app_t *after, char *note,
                              size_t n)
{
    if (strcmp(after->id, before->id) == 0)
        return 0;
    char *q = co__relabel_sql(
        c, schema, "SELECT count(*) FROM {s}.applications WHERE id = $1");
    const char *p1[1] = {before->id};
    PGresult *res = q ? PQexecParams(c, q, 1, NULL, p1, NULL, NULL, 0) : NULL;
    free(q);
    if (res == NULL || !co__relabel_ok(c, res, "reading the applications")) {
        PQclear(res);
        return 1;
    }
    int gone = strcmp(PQgetvalue(res, 0, 0), "0") == 0;
    PQclear(res);
    if (!gone) {
        if (after->id[0] != '\0' && after->status[0] == '\0')
            snprintf(note, n,
                     "application %s keeps its decision %s (its other "
                     "emails); this event is now application %s: careerops "
                     "applications --decide %s=%s decides it too\n",
                     before->id, before->status, after->id, after->id,
                     before->status);
        return 0;
    }
    if (after->id[0] != '\0' && after->status[0] == '\0' &&
        after->n_events > 1) {
        /* an application of its own already (trial 74: another company's
         * interviews went WITHDRAWN, and relabelling back left them so) */
        snprintf(note, n,
                 "application %s is gone; its decision %s is kept under its "
                 "id: this event is now in application %s, which has other "
                 "emails, so the decision does not move there (relabel back "
                 "to restore it; careerops applications --decide %s=%s "
                 "decides the other too, --decide %s=NONE forgets it)\n",
                 before->id, before->status, after->id, after->id,
                 before->status, before->id);
        return 0;
    }
    if (after->id[0] == '\0' || after->status[0] != '\0') {
        snprintf(note, n,
                 "application %s is gone; its decision %s is kept under its "
                 "id%s%s%s (relabel back to restore it, or careerops "
                 "applications --decide %s=NONE forgets it)\n",
                 before->id, before->status,
                 after->id[0] ? ": application " : "", after->id,
                 after->id[0] ? " has a decision of its own" : "", before->id);
        return 0;
    }
    static const char *const sql[2] = {
        "UPDATE {s}.application_decisions SET application_id = $2"
        " WHERE application_id = $1",
        "SELECT {s}.careerops_application_rederive($1)"};
    const char *pv[2][2] = {{before->id, after->id}, {after->ck, NULL}};
    int ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
        q = co__relabel_sql(c, schema, sql[i]);
        res = q ? PQexecParams(c, q, 2 - i, NULL, pv[i], NULL, NULL, 0) : NULL;
        free(q);
        ok = res != NULL && co__relabel_ok(c, res, "moving the decision");
        PQclear(res);
    }
    if (ok)
        snprintf(note, n,
                 "your decision %s follows the application: %s is now %s\n",
                 before->status, before->id, after->id);
    return ok ? 0 : 1;
}

static int co__relabel_one(co__relabel_t *r, PGconn *c, const char *keyarg,
                           int label)
{
    if (co__relabel_exec(c, r->schema, "BEGIN", "begin") ||
        co__relabel_exec(c, r->schema, co__relabel_ddl, "corrections table"))
        return 1;
    char *key = NULL, e[1024];
    int found = co__key_prefix_find(c, r->schema, "events", "key", keyarg, &key,
                                    e, sizeof e);
    if (found == 1 || found == 3) {
        fprintf(stderr, "error: %s%s\n",
                found == 1 ? "reading the event: " : "", co_cli_shown(e));
        return found == 1 ? 1 : 2;
    }
    if (found == 2) {
        fprintf(stderr,
                "error: no stored event with key '%s' in %s.events (keys are "
                "64 hex digits, or a prefix of " CO__RELABEL_MIN_PREFIX_S
                "+; is postgres-sink storing events in schema %s?)\n",
                co_cli_shown(keyarg), co_cli_shown(r->schema),
                co_cli_shown(r->schema));
        return 2;
    }
    char *q = co__relabel_sql(
        c, r->schema,
        "SELECT doc::text FROM {s}.events WHERE key = $1 FOR UPDATE");
    const char *p1[1] = {key};
    PGresult *res = q ? PQexecParams(c, q, 1, NULL, p1, NULL, NULL, 0) : NULL;
    free(q);
    int ok = res != NULL && co__relabel_ok(c, res, "reading the event");
    if (!ok || PQntuples(res) != 1) {
        if (ok) /* between the two statements */
            fprintf(stderr, "error: event %s was deleted meanwhile\n", key);
        PQclear(res);
        free(key);
        return 1;
    }
    json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    /* --date sets the time (RFC 3339) or, for a deadline without one, the
     * day (due_date); each clears the other */
    int day = r->set_date && co__relabel_day(r->date);
    const char *fields[CO__RELABEL_NFIELDS] = {
        "event_type", r->set_company ? "company" : NULL,
        r->set_date ? "scheduled_date" : NULL, r->set_role ? "role" : NULL,
        r->set_date && (day || json_object_get(doc, "due_date") != NULL)
            ? "due_date"
            : NULL};
    char date[32] = "";
    if (r->set_date && r->date[0] != '\0' && !day)
        co__relabel_utc(r->date, date); /* checked in co_cmd_relabel() */
    const char *newv[CO__RELABEL_NFIELDS] = {
        co__relabel_labels[label],
        r->set_company && r->company[0] != '\0' ? r->company : NULL,
        date[0] ? date : NULL,
        r->set_role && r->role[0] != '\0' ? r->role : NULL,
        day ? r->date : NULL};
    const char *oldv[CO__RELABEL_NFIELDS];
    for (int i = 0; i < CO__RELABEL_NFIELDS; i++)
        oldv[i] = fields[i] ? co__relabel_field(doc, fields[i]) : NULL;
    int changed = 0;
    json_t *nd = co__relabel_doc(doc, fields, newv, r->note, &changed);
    int rc = 0;
    if (changed == 0) {
        co__relabel_exec(c, r->schema, "ROLLBACK", "rollback");
        /* with a broker to send to, send the stored event again: an
         * earlier run may have stored it and failed to send it, and its
         * error says to run the command again (trial: downstream kept the
         * stale event). Sending is idempotent downstream (keyed). */
        int emit = r->m != NULL && !r->no_emit;
        if (!emit || r->m->embedded)
            printf("%s: nothing to change (already %s)\n", key, newv[0]);
        if (emit) {
            char *stored =
                json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
            rc = stored != NULL ? co__relabel_emit(r, key, stored, newv[0]) : 1;
            free(stored);
        }
        goto out;
    }
    q = co__relabel_sql(c, r->schema,
                        "INSERT INTO {s}.corrections (event_key, field, "
                        "old_value, new_value, note) VALUES ($1,$2,$3,$4,$5)");
    for (int i = 0; i < CO__RELABEL_NFIELDS && rc == 0; i++) {
        if (fields[i] == NULL || co__relabel_same(oldv[i], newv[i]))
            continue;
        const char *pv[5] = {key, fields[i], oldv[i], newv[i], r->note};
        res = PQexecParams(c, q, 5, NULL, pv, NULL, NULL, 0);
        rc = co__relabel_ok(c, res, "recording the correction") ? 0 : 1;
        PQclear(res);
    }
    free(q);
    char *value = json_dumps(nd, JSON_COMPACT | JSON_REAL_PRECISION(6));
    /* a new company gives the event another application (its id derives
     * from the company): the decision of the old one may follow it */
    int moves = fields[1] != NULL && !co__relabel_same(oldv[1], newv[1]);
    co__relabel_app_t before = {0};
    char note[768] = "";
    if (rc == 0 && moves)
        rc = co__relabel_app_of(c, r->schema, key, &before);
    if (rc == 0) {
        q = co__relabel_sql(
            c, r->schema,
            "UPDATE {s}.events SET doc = $2::jsonb, event_type = $3,"
            " company = left($2::jsonb->>'company', 512),"
            " role = left($2::jsonb->>'role', 512),"
            " scheduled_at = {s}.careerops_timestamptz("
            "$2::jsonb->>'scheduled_date'),"
            " confidence = 1, updated_at = now() WHERE key = $1");
        const char *pv[3] = {key, value, newv[0]};
        res = PQexecParams(c, q, 3, NULL, pv, NULL, NULL, 0);
        free(q);
        rc = co__relabel_ok(c, res, "updating the event") ? 0 : 1;
        PQclear(res);
    }
    co__relabel_app_t now = {0}; /* the event's application afterwards */
    if (rc == 0 && moves)
        rc = co__relabel_app_of(c, r->schema, key, &now);
    if (rc == 0 && before.status[0] != '\0')
        rc = co__relabel_follow(c, r->schema, &before, &now, note, sizeof note);
    if (rc == 0 && moves && newv[1] != NULL) {
        /* said, not done in silence (note 33: a longer name of the same
         * sender domain joined the application of the shorter one) */
        size_t l = strlen(note);
        if (rc == 0 && !now.merged && now.id[0] != '\0' && l == 0 &&
            strcmp(now.id, before.id) != 0)
            /* where the email went (trial 77: a new company's application
             * was made in silence) */
            snprintf(note, sizeof note,
                     "this event is now in application %s (%s, %ld "
                     "email%s)\n",
                     now.id, co_cli_shown(now.company), now.n_events,
                     now.n_events == 1 ? "" : "s");
        else if (rc == 0 && now.merged && now.id[0] != '\0')
            snprintf(note + l, sizeof note - l,
                     "%s is an alias of the company key %s "
                     "(company_aliases; docs/applications.md, Grouping): "
                     "this event joined that company's application %s "
                     "(careerops applications shows it as %s)\n",
                     co_cli_shown(newv[1]), co_cli_shown(now.ck), now.id,
                     co_cli_shown(now.company));
    }
    if (rc == 0)
        rc = co__relabel_exec(c, r->schema, "COMMIT", "commit");
    else
        co__relabel_exec(c, r->schema, "ROLLBACK", "rollback");
    if (rc == 0) {
        printf("%s:", key);
        for (int i = 0; i < CO__RELABEL_NFIELDS; i++)
            if (fields[i] && !co__relabel_same(oldv[i], newv[i]))
                printf(" %s %s -> %s;", fields[i],
                       co_cli_shown(oldv[i] ? oldv[i] : "null"),
                       co_cli_shown(newv[i] ? newv[i] : "null"));
        printf(" recorded in %s.corrections, event updated\n",
               co_cli_shown(r->schema));
        fputs(note, stdout);
        if (r->m != NULL && !r->no_emit)
            rc = co__relabel_emit(r, key, value, NULL);
    }
    free(value);
out:
    json_decref(nd);
    json_decref(doc);
    free(key);
    return rc;
}

static int co__relabel_list(co__relabel_t *r, PGconn *c)
{
    int has = co__relabel_has_table(c, r->schema);
    if (has <= 0) {
        if (has == 0)
            printf("no corrections in schema %s yet\n",
                   co_cli_shown(r->schema));
        else
            fprintf(stderr, "error: %s", co_cli_shown_lines(PQerrorMessage(c)));
        return has == 0 ? 0 : 1;
    }
    char *q = co__relabel_sql(
        c, r->schema,
        "SELECT to_char(corrected_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), event_key, field,"
        " coalesce(old_value, 'null'), coalesce(new_value, 'null'),"
        " coalesce(note, '') FROM {s}.corrections ORDER BY id");
    PGresult *res = q ? PQexec(c, q) : NULL;
    free(q);
    if (res == NULL || !co__relabel_ok(c, res, "listing corrections")) {
        PQclear(res);
        return 1;
    }
    for (int i = 0; i < PQntuples(res); i++)
        printf("%s  %.16s  %s: %s -> %s%s%s\n", PQgetvalue(res, i, 0),
               co_cli_shown(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2),
               co_cli_shown(PQgetvalue(res, i, 3)),
               co_cli_shown(PQgetvalue(res, i, 4)),
               *PQgetvalue(res, i, 5) ? "  # " : "",
               co_cli_shown(PQgetvalue(res, i, 5)));
    PQclear(res);
    return 0;
}

/* CREATE ... IF NOT EXISTS notices are not news for the user. */
static void co__relabel_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* 0 when `schema` exists; else 2 with the schemas that hold an events
 * table printed, to choose from with --schema. */
static int co__relabel_schema_ok(PGconn *c, const char *schema)
{
    const char *p[1] = {schema};
    PGresult *res = PQexecParams(
        c,
        "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1),"
        " coalesce((SELECT string_agg(table_schema, ', ' ORDER BY"
        " table_schema) FROM information_schema.tables WHERE table_name ="
        " 'events'), '')",
        1, NULL, p, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) == PGRES_TUPLES_OK &&
        strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        const char *have = PQgetvalue(res, 0, 1);
        fprintf(stderr,
                "error: schema '%s' does not exist in this database; "
                "choose one with --schema (schemas with an events table: "
                "%s)\n",
                co_cli_shown(schema),
                have[0] ? have : "none yet: run a pipeline with postgres-sink");
        rc = 2;
    }
    PQclear(res);
    return rc;
}

/* co_cmd_relabel() with `sets`, room for argc --set values. */
static int co__relabel_cmd(int argc, char **argv, const char **sets)
{
    static const struct option longopts[] = {
        {"company", required_argument, NULL, 'c'},
        {"date", required_argument, NULL, 'd'},
        {"role", required_argument, NULL, 'r'},
        {"note", required_argument, NULL, 'n'},
        {"conninfo", required_argument, NULL, 'C'},
        {"dsn", required_argument, NULL, 'C'}, /* as `applications` says */
        {"manifest", required_argument, NULL, 'm'},
        {"stage", required_argument, NULL, 's'},
        {"schema", required_argument, NULL, 'S'},
        {"topic", required_argument, NULL, 't'},
        {"no-emit", no_argument, NULL, 'N'},
        {"export", required_argument, NULL, 'x'},
        {"list", no_argument, NULL, 'l'},
        {"set", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    co__relabel_t r = {0};
    size_t nsets = 0;
    r.sets = sets;
    static const char *const rep[] = {"set", NULL};
    if (co_cli_once(argc, argv, longopts, rep, "careerops relabel") != 0)
        return 2;
    optind = 0;
    int ch;
    while ((ch = co_cli_getopt(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            r.company = optarg;
            r.set_company = 1;
            break;
        case 'd':
            r.date = optarg;
            r.set_date = 1;
            break;
        case 'r':
            r.role = optarg;
            r.set_role = 1;
            break;
        case 'n':
            r.note = optarg;
            break;
        case 'C':
            r.conninfo = optarg;
            break;
        case 'm':
            r.manifest = optarg;
            break;
        case 'e':
            sets[nsets++] = optarg;
            break;
        case 's':
            r.stage = optarg;
            break;
        case 'S':
            if (*optarg == '\0') {
                fprintf(stderr, "error: --schema '' names no schema; give "
                                "the schema of the events (the demo's is "
                                "demo) or leave --schema out\n");
                return 2;
            }
            r.schema = optarg;
            break;
        case 't':
            r.topic = optarg;
            break;
        case 'N':
            r.no_emit = 1;
            break;
        case 'x':
            r.export_csv = optarg;
            break;
        case 'l':
            r.list = 1;
            break;
        case 'h':
            co__relabel_usage(stdout);
            return 0;
        default:
            co__relabel_usage(stderr);
            return 2;
        }
    }
    int npos = argc - optind;
    int correcting = r.export_csv == NULL && !r.list;
    if ((correcting && npos != 2) || (!correcting && npos != 0)) {
        if (correcting && npos > 2)
            fprintf(stderr,
                    "error: give KEY and LABEL only (got also '%s'; quote a "
                    "--company or --note of several words)\n",
                    co_cli_shown(argv[optind + 2]));
        else
            fprintf(stderr, "error: %s\n",
                    correcting ? "give KEY and LABEL"
                               : "--export and --list take no KEY or LABEL");
        co__relabel_usage(stderr);
        return 2;
    }
    /* trial 60: `--list --export F` listed and wrote nothing, `--export F
     * --company X` ignored --company */
    const char *lone = r.export_csv != NULL && r.list ? "--list"
                       : r.set_company                ? "--company"
                       : r.set_date                   ? "--date"
                       : r.set_role                   ? "--role"
                       : r.note != NULL               ? "--note"
                       : r.no_emit                    ? "--no-emit"
                       : r.topic != NULL              ? "--topic"
                                                      : NULL;
    if (!correcting && lone != NULL) {
        fprintf(stderr, "error: %s does not go with %s: %s\n", lone,
                r.export_csv != NULL ? "--export" : "--list",
                r.export_csv != NULL && r.list
                    ? "give one of them"
                    : "it belongs to a correction (relabel KEY LABEL ...)");
        co__relabel_usage(stderr);
        return 2;
    }
    int label = correcting ? co__relabel_label(argv[optind + 1]) : 0;
    if (label < 0) {
        fprintf(stderr,
                "error: label '%s' is not one of INTERVIEW, OFFER, "
                "ASSESSMENT, REJECTION, APPLICATION_ACK, RECRUITER_OUTREACH, "
                "OTHER\n",
                co_cli_shown(argv[optind + 1]));
        return 2;
    }
    /* the real minimum of the prefix lookup in co__relabel_one() */
    if (correcting && strlen(argv[optind]) < CO__RELABEL_MIN_PREFIX) {
        fprintf(stderr,
                "error: key prefix '%s' is too short: give the event key (64 "
                "hex digits) or a unique prefix of %d+ characters\n",
                co_cli_shown(argv[optind]), CO__RELABEL_MIN_PREFIX);
        return 2;
    }
    /* note 31: run, eval and dlq take --set; a correction must reach the
     * database and topic the pipeline was run with */
    if (nsets > 0 && r.manifest == NULL) {
        fprintf(stderr, "error: --set needs --manifest (it changes the "
                        "manifest, as in careerops run --set)\n");
        return 2;
    }
    /* trial 28: --topic without --manifest was ignored; text that is not
     * UTF-8 reached PostgreSQL as a raw encoding error */
    if (r.topic != NULL && r.manifest == NULL) {
        fprintf(stderr, "error: --topic needs --manifest (the broker to send "
                        "the corrected event to is the manifest's)\n");
        return 2;
    }
    const char *bad = r.set_company && !co__relabel_utf8(r.company) ? "company"
                      : r.set_role && !co__relabel_utf8(r.role)     ? "role"
                      : r.note != NULL && !co__relabel_utf8(r.note) ? "note"
                                                                    : NULL;
    if (bad != NULL) {
        fprintf(stderr,
                "error: --%s is not valid UTF-8: give the text in "
                "UTF-8 (check the shell's locale)\n",
                bad);
        return 2;
    }
    if (r.export_csv != NULL && co__relabel_export_ok(r.export_csv) != 0)
        return 2;
    /* a line break or another control character splits the table row
     * and the --list line (trial 37) */
    const char *ctl = r.set_company && co__relabel_ctl(r.company) ? "company"
                      : r.set_role && co__relabel_ctl(r.role)     ? "role"
                                                                  : NULL;
    if (ctl != NULL) {
        fprintf(stderr,
                "error: --%s contains a control character or an invisible "
                "one (a line break, a tab, a bidirectional override, a zero "
                "width or filler character): give it on one line as plain "
                "text\n",
                ctl);
        return 2;
    }
    const char *edge = r.set_company && co__relabel_blank_edge(r.company)
                           ? "company"
                       : r.set_role && co__relabel_blank_edge(r.role) ? "role"
                                                                      : NULL;
    if (edge != NULL) {
        fprintf(stderr,
                "error: --%s begins or ends with a space (or a character "
                "that looks like one): give the name without it\n",
                edge);
        return 2;
    }
    /* the events table's company and role columns keep 512 bytes (the
     * correction kept all of 100,000: trial 70) */
    const char *lng = r.set_company && strlen(r.company) > 512 ? "company"
                      : r.set_role && strlen(r.role) > 512     ? "role"
                                                               : NULL;
    if (lng != NULL) {
        fprintf(stderr,
                "error: --%s is %zu bytes long: give at most 512 (a name, "
                "not a text)\n",
                lng, strlen(strcmp(lng, "company") == 0 ? r.company : r.role));
        return 2;
    }
    char tmp[32];
    int deadline = label == 1 || label == 2; /* OFFER, ASSESSMENT */
    if (correcting && r.set_date && co__relabel_day(r.date) && !deadline) {
        fprintf(stderr,
                "error: --date '%s' is a day without a time: only an OFFER's "
                "or an ASSESSMENT's deadline may be a day; give the time too, "
                "e.g. %sT15:00:00Z\n",
                co_cli_shown(r.date), co_cli_shown(r.date));
        return 2;
    }
    if (r.set_date && r.date[0] != '\0' && !co__relabel_day(r.date) &&
        co__relabel_utc(r.date, tmp) != 0) {
        fprintf(stderr,
                "error: --date '%s' is not an RFC 3339 date-time with a zone, "
                "e.g. 2026-03-04T15:00:00Z or 2026-03-04T16:00:00+01:00, nor "
                "a day (2026-03-04, an OFFER's or ASSESSMENT's deadline "
                "without a time) (\"\" clears it)\n",
                co_cli_shown(r.date));
        return 2;
    }
    int rc = co__relabel_connection(&r);
    if (rc != 0) {
        co_manifest_free(r.m);
        return rc;
    }
    char refused[512];
    if (co__relabel_dsn_refused(r.conninfo, refused, sizeof refused) != 0) {
        fprintf(stderr, "error: the connection string: %s\n", refused);
        co_manifest_free(r.m);
        return 2;
    }
    PGconn *c = PQconnectdb(r.conninfo);
    PQsetNoticeProcessor(c, co__relabel_quiet, NULL);
    if (PQstatus(c) != CONNECTION_OK) {
        char why[512];
        co__relabel_conn_why(why, sizeof why, r.conninfo, PQerrorMessage(c));
        const char *fix = co_pgmig_connect_fix(PQerrorMessage(c));
        fprintf(stderr, "error: cannot connect to PostgreSQL (%s): %s\n", why,
                fix ? fix
                    : CO__RELABEL_PG_START ", or give --conninfo (or "
                                           "--manifest) for a running server");
        rc = 1;
    } else if (co__relabel_schema_ok(c, r.schema) != 0) {
        rc = 2;
    } else if (r.list) {
        rc = co__relabel_list(&r, c);
    } else if (r.export_csv != NULL) {
        rc = co__relabel_export(c, r.schema, r.export_csv);
    } else {
        rc = co__relabel_one(&r, c, argv[optind], label);
    }
    PQfinish(c);
    co_manifest_free(r.m);
    return rc;
}

int co_cmd_relabel(int argc, char **argv)
{
    const char **sets = co_xcalloc((size_t)argc + 1, sizeof *sets);
    int rc = co__relabel_cmd(argc, argv, sets);
    free(sets);
    return rc;
}
