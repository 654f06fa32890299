/**
 * @file plugins/postgres-sink/postgres_sink.c
 * @brief postgres-sink: emails, events and briefings as rows in PostgreSQL.
 *
 * process() turns each record into a row (by its "schema" field) and
 * buffers it; flush() upserts the buffer in ONE transaction and returns
 * CO_OK only after COMMIT, so the host commits input offsets only for
 * records that are in the database. When `batch_size` records are buffered,
 * process() writes them early the same way (memory stays bounded between
 * flushes); offsets still wait for flush(). Upserts are keyed by the
 * idempotency key (ON CONFLICT (key) DO UPDATE, skipped when the document
 * is unchanged), so replays leave one row per key.
 *
 * PostgreSQL down: flush() returns CO_RETRY (and logs "waiting for
 * PostgreSQL" at most every 5 s) and keeps the buffer; the host retries.
 * Never a dead letter for it. A record the server itself rejects (a data
 * error) goes to the dead-letter topic; the rest of the batch commits.
 * See README.md for options, tables and columns; pgsink_db.c for the SQL.
 */
#include "pgsink.h"
#include "co_pgmig.h"

#include <careerops/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const co_host_api_t *pgsink_api;

/* Minimum interval between two "waiting for PostgreSQL" lines (ms). */
#define PGSINK_WARN_EVERY_MS 5000

static const co_option_t pgsink_options[] = {
    {CO_OPT_STR, "conninfo", NULL, CO_OPT_REQUIRED | CO_OPT_SECRET, 0, 0,
     offsetof(struct pgsink_config, conninfo),
     "libpq connection string or URI of the database, e.g. "
     "${secret:postgres_url} or postgresql://careerops@127.0.0.1/careerops."},
    {CO_OPT_STR, "schema", "public", 0, 0, 0,
     offsetof(struct pgsink_config, schema),
     "PostgreSQL schema that holds the tables (created if missing)."},
    {CO_OPT_INT, "batch_size", "500", 0, 1, 100000,
     offsetof(struct pgsink_config, batch_size),
     "Buffered records at which process() writes a batch before the next "
     "flush (one transaction per batch)."},
    {CO_OPT_STRLIST, "tables", "emails,events,briefings", 0, 0, 0,
     offsetof(struct pgsink_config, tables),
     "Tables this stage may write: emails (careerops.email.v1), events "
     "(careerops.event.v1), briefings (careerops.briefing.v1). A record for "
     "another table is dead-lettered."},
    {CO_OPT_INT, "connect_timeout_s", "5", 0, 1, 300,
     offsetof(struct pgsink_config, connect_timeout_s),
     "Seconds to wait for a connection before reporting PostgreSQL "
     "unreachable (unless conninfo sets connect_timeout)."},
    {CO_OPT_INT, "wait_s", "60", 0, 0, 3600,
     offsetof(struct pgsink_config, wait_s),
     "Seconds flush() keeps reconnecting (with backoff) while PostgreSQL is "
     "down before it returns RETRY to the host; 0 returns RETRY at once."},
    {0},
};

/** One sink instance. */
struct pgsink {
    co_stage_t *st;
    const struct pgsink_config *cfg;
    int enabled[PGSINK_NTABLES];
    PGconn *conn;          /**< NULL until connected (and migrated) */
    pgsink_batch_t *batch; /**< rows not yet committed */
    int waiting;           /**< "waiting" logged, not yet recovered */
    int64_t last_warn_ms;
    int no_early_write; /**< a write failed: leave it to flush() */
};

static void pgsink_waiting(struct pgsink *ps, const char *why)
{
    int64_t now = pgsink_api->now_ms(ps->st);
    if (!ps->waiting || now - ps->last_warn_ms >= PGSINK_WARN_EVERY_MS) {
        pgsink_api->log(ps->st, CO_LOG_WARN,
                        "waiting for PostgreSQL (%zu records buffered): %s",
                        pgsink_batch_count(ps->batch), why);
        ps->last_warn_ms = now;
    }
    ps->waiting = 1;
    pgsink_api->set_error(ps->st, "postgresql", "waiting for PostgreSQL: %s",
                          why);
}

/* Connect and migrate if not connected. Returns CO_OK, CO_RETRY (server
 * unreachable; err says why) or CO_FATAL (migration refused). */
static co_status_t pgsink_connect(struct pgsink *ps, char *err, size_t n)
{
    if (ps->conn != NULL && PQstatus(ps->conn) == CONNECTION_OK)
        return CO_OK;
    PQfinish(ps->conn);
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%lld",
             (long long)ps->cfg->connect_timeout_s);
    /* Defaults first: keywords in the conninfo (expanded from dbname)
     * override them. */
    const char *const keys[] = {"connect_timeout", "fallback_application_name",
                                "dbname", NULL};
    const char *const vals[] = {timeout, "careerops-postgres-sink",
                                ps->cfg->conninfo, NULL};
    ps->conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(ps->conn) != CONNECTION_OK) {
        co_pgmig_conninfo_error(err, n, ps->cfg->conninfo,
                                PQerrorMessage(ps->conn));
        for (char *p = err; *p != '\0'; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
        for (size_t len = strlen(err); len > 0 && err[len - 1] == ' ';)
            err[--len] = '\0';
        PQfinish(ps->conn);
        ps->conn = NULL;
        return CO_RETRY;
    }
    int lost;
    int v = pgsink_migrate(ps->conn, ps->cfg->schema, 0, err, n, &lost);
    if (v < 0) {
        PQfinish(ps->conn);
        ps->conn = NULL;
        return lost ? CO_RETRY : CO_FATAL;
    }
    return CO_OK;
}

/* A WARN for each key whose stored email and event stayed because a
 * different raw message came with it (note 31: the second run of such a
 * mailbox kept the first silently). */
static void pgsink_log_kept(struct pgsink *ps)
{
    const json_t *kept = pgsink_batch_kept(ps->batch);
    const char *key;
    const json_t *sha;
    json_object_foreach((json_t *)kept, key, sha)
    {
        pgsink_api->log(
            ps->st, CO_LOG_WARN,
            "key %s: a different message with this key is stored already "
            "(raw SHA-256 %.12s..., this one %.12s...): kept the stored "
            "email and event; two messages share sender, date, subject and "
            "Message-ID",
            key, json_string_value(json_array_get(sha, 0)),
            json_string_value(json_array_get(sha, 1)));
    }
    if (json_object_size(kept) > 0)
        pgsink_api->metric_add(ps->st, "kept_stored",
                               (double)json_object_size(kept));
}

/* Write the buffer in one transaction (see pgsink_write()). */
static co_status_t pgsink_write_buffer(struct pgsink *ps)
{
    char err[1024] = "";
    if (pgsink_batch_count(ps->batch) == 0)
        return CO_OK;
    /* A connection that broke since the last write is retried at once. */
    for (int attempt = 0; attempt < 2; attempt++) {
        int had_conn = ps->conn != NULL;
        co_status_t cs = pgsink_connect(ps, err, sizeof err);
        if (cs == CO_FATAL) {
            pgsink_api->set_error(ps->st, "postgresql", "%s", err);
            return CO_FATAL;
        }
        if (cs == CO_RETRY)
            break;
        pgsink_write_t w =
            pgsink_write(ps->conn, ps->cfg->schema, ps->batch, err, sizeof err);
        if (w == PGSINK_WRITE_FATAL) {
            pgsink_api->set_error(ps->st, "postgresql", "%s", err);
            return CO_FATAL;
        }
        if (w == PGSINK_WRITE_OK) {
            size_t n = pgsink_batch_count(ps->batch);
            size_t nf = pgsink_batch_failed_count(ps->batch);
            for (size_t i = 0; i < nf; i++) {
                const char *msg;
                const co_record_t *rec =
                    pgsink_batch_failed(ps->batch, i, &msg);
                if (pgsink_api->dead_letter(ps->st, rec, "postgresql", msg) !=
                    0) {
                    /* Keep the batch: writing it again changes nothing,
                     * and the rejected records get another chance. */
                    pgsink_api->set_error(ps->st, "postgresql",
                                          "cannot dead-letter a record the "
                                          "database rejected: %s",
                                          msg);
                    return CO_RETRY;
                }
            }
            pgsink_log_kept(ps);
            if (ps->waiting)
                pgsink_api->log(ps->st, CO_LOG_INFO,
                                "PostgreSQL is reachable again; wrote the "
                                "%zu buffered records",
                                n);
            ps->waiting = 0;
            ps->no_early_write = 0;
            pgsink_api->metric_add(ps->st, "records_written", (double)(n - nf));
            if (nf > 0)
                pgsink_api->metric_add(ps->st, "records_rejected", (double)nf);
            pgsink_batch_clear(ps->batch);
            pgsink_api->metric_set(ps->st, "buffered", 0);
            return CO_OK;
        }
        /* Connection lost mid-transaction: nothing committed. */
        PQfinish(ps->conn);
        ps->conn = NULL;
        if (!had_conn)
            break;
    }
    pgsink_waiting(ps, err);
    return CO_RETRY;
}

/* ABI 1.2 check, also run by init(): conninfo, schema and tables, so that
 * `careerops validate` refuses what init() would (trial 36: a table name
 * misspelt passed validate and stopped run). No connection is made. */
static co_status_t pgsink_check_config(const void *config, char *err,
                                       size_t errsz)
{
    const struct pgsink_config *cfg = config;
    char *perr = NULL;
    PQconninfoOption *opts =
        cfg->conninfo != NULL ? PQconninfoParse(cfg->conninfo, &perr) : NULL;
    if (opts == NULL) {
        /* libpq's words quote the piece it cannot parse: a password's,
         * maybe (trial 43) */
        char why[256];
        co_pgmig_conninfo_error(why, sizeof why, cfg->conninfo,
                                perr != NULL ? perr : "missing");
        snprintf(err, errsz,
                 "conninfo: not a libpq connection string or URI (%s): "
                 "use e.g. postgresql://user@127.0.0.1:5432/careerops",
                 cfg->conninfo != NULL ? why : "missing");
        PQfreemem(perr);
        return CO_FATAL;
    }
    char cwhy[200];
    int counts = co_pgmig_conninfo_counts_bad(opts, cwhy, sizeof cwhy);
    PQconninfoFree(opts);
    if (counts) {
        snprintf(err, errsz, "conninfo: %s", cwhy);
        return CO_FATAL;
    }
    if (co_pgmig_conninfo_ambiguous(cfg->conninfo)) {
        snprintf(err, errsz, "conninfo: %s", CO_PGMIG_AMBIGUOUS_HINT);
        return CO_FATAL;
    }
    char why[200];
    if (co_pgmig_conninfo_bad_value(cfg->conninfo, why, sizeof why)) {
        snprintf(err, errsz, "conninfo: %s", why);
        return CO_FATAL;
    }
    if (cfg->schema == NULL || cfg->schema[0] == '\0' ||
        strlen(cfg->schema) > 63) {
        snprintf(err, errsz,
                 "schema: must be a PostgreSQL schema name of 1 to 63 "
                 "bytes, e.g. \"public\" or \"careerops\"");
        return CO_FATAL;
    }
    for (const char *const *t = cfg->tables; t != NULL && *t != NULL; t++)
        if (pgsink_table_from_name(*t) < 0) {
            snprintf(err, errsz,
                     "tables: unknown table \"%s\"; use emails, events "
                     "and/or briefings",
                     *t);
            return CO_FATAL;
        }
    return CO_OK;
}

static co_status_t pgsink_init(const co_host_api_t *api, co_stage_t *st,
                               const void *config, void **instance)
{
    const struct pgsink_config *cfg = config;
    struct pgsink *ps = calloc(1, sizeof *ps);
    *instance = ps;
    if (ps == NULL) {
        api->set_error(st, "config", "out of memory");
        return CO_FATAL;
    }
    ps->st = st;
    ps->cfg = cfg;
    char err[512];
    if (pgsink_check_config(cfg, err, sizeof err) != CO_OK) {
        api->set_error(st, "config", "option %s", err);
        return CO_FATAL;
    }
    for (const char *const *t = cfg->tables; t != NULL && *t != NULL; t++)
        ps->enabled[pgsink_table_from_name(*t)] = 1;
    if ((ps->batch = pgsink_batch_new()) == NULL) {
        api->set_error(st, "config", "out of memory");
        return CO_FATAL;
    }
    return CO_OK;
}

/* Connect early so a bad database shows at start; an unreachable one is
 * only logged (records buffer; flush() waits for the server). */
static co_status_t pgsink_start(void *instance)
{
    struct pgsink *ps = instance;
    char err[1024] = "";
    co_status_t cs = pgsink_connect(ps, err, sizeof err);
    if (cs == CO_FATAL) {
        pgsink_api->set_error(ps->st, "postgresql", "%s", err);
        return CO_FATAL;
    }
    if (cs == CO_RETRY)
        pgsink_waiting(ps, err);
    return CO_OK;
}

static co_status_t pgsink_process(void *instance, const co_record_t *rec)
{
    struct pgsink *ps = instance;
    char err[1024];
    json_t *row;
    int table = pgsink_row_build(rec, &row, err, sizeof err);
    if (table < 0) {
        pgsink_api->set_error(ps->st, "schema", "%s", err);
        return CO_FAIL;
    }
    if (!ps->enabled[table]) {
        json_decref(row);
        pgsink_api->set_error(ps->st, "config",
                              "record is for table %s, which option tables "
                              "does not include: add it, or stop routing "
                              "this topic to the stage",
                              pgsink_table_name(table));
        return CO_FAIL;
    }
    if (pgsink_batch_add(ps->batch, table, row, rec) != 0) {
        pgsink_api->set_error(ps->st, "memory", "out of memory");
        return CO_FATAL;
    }
    size_t n = pgsink_batch_count(ps->batch);
    pgsink_api->metric_set(ps->st, "buffered", (double)n);
    if (n >= (size_t)ps->cfg->batch_size && !ps->no_early_write) {
        co_status_t cs = pgsink_write_buffer(ps);
        if (cs != CO_OK)
            ps->no_early_write = 1; /* flush() reports and retries */
    }
    return CO_OK;
}

/* While the server is down, keep trying for up to wait_s (on the host's
 * clock, interrupted when the stage stops), then let the host retry: the
 * host's own retry budget for flush() is small, and an outage of a minute
 * must not fail the stage. */
static co_status_t pgsink_flush(void *instance)
{
    struct pgsink *ps = instance;
    int64_t deadline = pgsink_api->now_ms(ps->st) + ps->cfg->wait_s * 1000;
    int64_t delay = 250;
    for (;;) {
        co_status_t cs = pgsink_write_buffer(ps);
        if (cs != CO_RETRY || !ps->waiting || pgsink_api->stopping(ps->st) ||
            pgsink_api->now_ms(ps->st) >= deadline)
            return cs;
        if (pgsink_api->sleep_ms(ps->st, delay) != 0)
            return cs;
        delay = delay * 2 > 5000 ? 5000 : delay * 2;
    }
}

static void pgsink_stop(void *instance)
{
    struct pgsink *ps = instance;
    PQfinish(ps->conn);
    ps->conn = NULL;
}

static void pgsink_destroy(void *instance)
{
    struct pgsink *ps = instance;
    if (ps == NULL)
        return;
    PQfinish(ps->conn);
    pgsink_batch_free(ps->batch);
    free(ps);
}

static const co_plugin_t pgsink_plugin = {
    CO_PLUGIN_HEADER,
    .name = "postgres-sink",
    .version = "1.0.0",
    .description = "Stores emails, events and briefings in PostgreSQL "
                   "tables with idempotent upserts.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_SINK,
    .options = pgsink_options,
    .config_size = sizeof(struct pgsink_config),
    .init = pgsink_init,
    .start = pgsink_start,
    .process = pgsink_process,
    .flush = pgsink_flush,
    .stop = pgsink_stop,
    .destroy = pgsink_destroy,
    .check = pgsink_check_config, /* conninfo, schema, tables (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    pgsink_api = api;
    return &pgsink_plugin;
}
