/* postgres-sink against a real PostgreSQL (CAREEROPS_TEST_PG): migrations,
 * round trips through every table, idempotent replays, rejected rows, and
 * the plugin itself driven through co_plugin_entry() with the fake host.
 * Each test works in its own PostgreSQL schema, dropped afterwards. */
#include "co_fake_host.h"
#include "co_test.h"
#include "pgsink.h"

#include <careerops/plugin.h>
#include <unistd.h>

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api);

static char t_schema[64];
static PGconn *t_conn;

static PGresult *t_exec(const char *sql)
{
    PGresult *r = PQexec(t_conn, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
                      PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", sql, PQresultErrorMessage(r));
    return r;
}

/* A one-value query in the test schema; returns a malloc'd string or NULL
 * for SQL NULL. Parameters are text. */
static char *t_query(const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(t_conn, sql, n, NULL, params, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(r));
    char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
                  ? strdup(PQgetvalue(r, 0, 0))
                  : NULL;
    PQclear(r);
    return v;
}

static long t_count(const char *sql)
{
    char *v = t_query(sql, 0, NULL);
    long n = v != NULL ? atol(v) : -1;
    free(v);
    return n;
}

static void t_setup(void)
{
    snprintf(t_schema, sizeof t_schema, "careerops_t_%ld", (long)getpid());
    t_conn = PQconnectdb(co_test_pg());
    ck_assert_msg(PQstatus(t_conn) == CONNECTION_OK, "%s",
                  PQerrorMessage(t_conn));
    PQclear(t_exec("SET client_min_messages = warning"));
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", t_schema);
    PQclear(t_exec(sql));
    snprintf(sql, sizeof sql, "SET search_path = %s", t_schema);
    PQclear(t_exec(sql));
}

static void t_teardown(void)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", t_schema);
    PQclear(t_exec(sql));
    PQfinish(t_conn);
}

static void t_migrate(void)
{
    char err[512];
    int lost;
    ck_assert_int_eq(
        pgsink_migrate(t_conn, t_schema, 0, err, sizeof err, &lost),
        pgsink_schema_latest());
}

static co_record_t t_rec(const char *key, const char *value, int64_t off)
{
    co_record_t r = CO_RECORD_INIT;
    r.key = key;
    r.key_len = key != NULL ? strlen(key) : 0;
    r.value = value;
    r.value_len = strlen(value);
    r.topic = "classified_events";
    r.partition = 0;
    r.offset = off;
    return r;
}

/* Add a record (JSON object) to the batch. */
static void t_add(pgsink_batch_t *b, const char *key, json_t *doc, int64_t off)
{
    char *value = json_dumps(doc, JSON_COMPACT);
    co_record_t rec = t_rec(key, value, off);
    json_t *row;
    char err[512];
    int table = pgsink_row_build(&rec, &row, err, sizeof err);
    ck_assert_msg(table >= 0, "%s", err);
    ck_assert_int_eq(pgsink_batch_add(b, table, row, &rec), 0);
    free(value);
}

static json_t *t_event(const char *key, const char *company, const char *when)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:f, s:[s], s:{s:s, s:s},"
        " s:{s:s, s:s, s:s, s:s}}",
        "schema", "careerops.event.v1", "event_type", "INTERVIEW", "company",
        company, "role", "Engineer", "scheduled_date", when, "confidence", 0.75,
        "evidence", "quote", "classifier", "name", "rules-classifier", "model",
        "rules-v1", "email", "key", key, "subject", "Interview", "from",
        "hr@widgets.example", "date", "2025-03-01T09:00:00Z");
}

static void t_write_ok(pgsink_batch_t *b)
{
    char err[1024];
    ck_assert_int_eq(pgsink_write(t_conn, t_schema, b, err, sizeof err),
                     PGSINK_WRITE_OK);
    ck_assert_msg(pgsink_batch_failed_count(b) == 0, "%s", err);
}

START_TEST(migrate_empty_and_again)
{
    t_migrate();
    t_migrate();
    ck_assert_int_eq(t_count("SELECT count(*) FROM careerops_sink_migrations"),
                     pgsink_schema_latest());
    ck_assert_int_eq(t_count("SELECT count(*) FROM pg_tables WHERE schemaname"
                             " = current_schema() AND tablename IN "
                             "('emails', 'events', 'briefings')"),
                     3);
    ck_assert_int_eq(t_count("SELECT count(*) FROM pg_indexes WHERE "
                             "schemaname = current_schema() AND indexname = "
                             "'events_company_idx'"),
                     1);
}
END_TEST

START_TEST(migrate_previous_with_data)
{
    char err[512];
    int lost;
    int latest = pgsink_schema_latest();
    ck_assert_int_eq(
        pgsink_migrate(t_conn, t_schema, 1, err, sizeof err, &lost), 1);
    ck_assert_int_eq(t_count("SELECT count(*) FROM pg_indexes WHERE "
                             "schemaname = current_schema() AND indexname = "
                             "'events_company_idx'"),
                     0);
    pgsink_batch_t *b = pgsink_batch_new();
    for (int i = 0; i < 50; i++) {
        char key[32];
        snprintf(key, sizeof key, "k%02d", i);
        json_t *ev =
            t_event(key, "Fictional Widgets Ltd", "2025-03-04T15:00:00Z");
        t_add(b, key, ev, i);
        json_decref(ev);
    }
    t_write_ok(b);
    pgsink_batch_free(b);
    t_migrate();
    ck_assert_int_eq(t_count("SELECT max(version) FROM "
                             "careerops_sink_migrations"),
                     latest);
    /* migration 3 derives the applications of the events already stored */
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"), 1);
    /* migration 18: the applications' lock names the schema (trial 85: one
     * account's writers waited for another's) */
    ck_assert_int_eq(
        t_count("SELECT count(*) FROM pg_proc WHERE proname = "
                "'careerops_application_rederive' AND pronamespace = "
                "current_schema()::regnamespace AND prosrc LIKE "
                "'%careerops-app:\"' || current_schema() || '\":%'"),
        1);
    ck_assert_int_eq(t_count("SELECT count(*) FROM events WHERE company = "
                             "'Fictional Widgets Ltd' AND doc->>'schema' = "
                             "'careerops.event.v1'"),
                     50);
    ck_assert_int_eq(t_count("SELECT count(*) FROM pg_indexes WHERE "
                             "schemaname = current_schema() AND indexname = "
                             "'events_company_idx'"),
                     1);
}
END_TEST

/* Migration 8 over data stored under migration 7: a calendar CANCEL that
 * the classifier labelled REJECTION had rejected the application; after
 * the upgrade it cancels its slot only (the application is INTERVIEWING
 * again) and the slot has its calendar end. */
START_TEST(migrate_8_calendar_cancel_not_rejection)
{
    char err[512];
    int lost;
    ck_assert_int_eq(
        pgsink_migrate(t_conn, t_schema, 7, err, sizeof err, &lost), 7);
    PQclear(t_exec(
        "INSERT INTO emails (key, received_at, doc) VALUES"
        " ('i1', '2030-01-01T08:00:00Z', '{\"calendar\": [{\"uid\": "
        "\"u@cal\", \"method\": \"REQUEST\", \"sequence\": 0, "
        "\"start\": \"2030-01-10T15:00:00Z\", \"end\": "
        "\"2030-01-10T15:30:00Z\"}]}'),"
        " ('c1', '2030-01-02T08:00:00Z', '{\"text\": \"This event has been "
        "canceled.\", \"calendar\": [{\"uid\": \"u@cal\", \"method\": "
        "\"CANCEL\", \"sequence\": 1, \"start\": "
        "\"2030-01-10T15:00:00Z\"}]}')"));
    PQclear(t_exec(
        "INSERT INTO events (key, event_type, company, scheduled_at,"
        " received_at, doc) VALUES"
        " ('i1', 'INTERVIEW', 'Acme', '2030-01-10T15:00:00Z',"
        "  '2030-01-01T08:00:00Z', '{}'),"
        " ('c1', 'REJECTION', 'Acme', NULL, '2030-01-02T08:00:00Z', '{}')"));
    char *st = t_query("SELECT status FROM applications", 0, NULL);
    ck_assert_str_eq(st, "REJECTED");
    free(st);
    t_migrate();
    st = t_query("SELECT status FROM applications", 0, NULL);
    ck_assert_str_eq(st, "INTERVIEWING");
    free(st);
    char *iv = t_query("SELECT concat_ws('|', i->>'superseded_by', i->>'end')"
                       " FROM applications, jsonb_array_elements(interviews) i",
                       0, NULL);
    ck_assert_str_eq(iv, "c1|2030-01-10T15:30:00Z");
    free(iv);
}
END_TEST

START_TEST(migrate_refuses_newer)
{
    t_migrate();
    PQclear(t_exec("INSERT INTO careerops_sink_migrations VALUES (999, 'x')"));
    char err[512];
    int lost;
    ck_assert_int_eq(
        pgsink_migrate(t_conn, t_schema, 0, err, sizeof err, &lost), -1);
    ck_assert_int_eq(lost, 0);
    ck_assert_ptr_nonnull(strstr(err, "version 999"));
    ck_assert_ptr_nonnull(strstr(err, "upgrade the plugin"));
}
END_TEST

static const char *const t_tricky[] = {
    "it's \"quoted\" and back\\slashed \\\\ \\x00 \\n \\u0041",
    "'; DROP TABLE events; --",
    "\x01\x02\x7f\xc3\xa9\xe2\x82\xac \xf0\x9f\x93\xa7 "
    "binary-looking\tdata\r\n",
    "$1 $$ $f$ {s} %s %n ${secret:x} \" ' ` ;",
};

/* Every text a record carries comes back unchanged from every table, in
 * the typed columns and in the document. */
START_TEST(tricky_values_round_trip)
{
    t_migrate();
    pgsink_batch_t *b = pgsink_batch_new();
    size_t n = sizeof t_tricky / sizeof t_tricky[0];
    json_t *docs = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *v = t_tricky[i];
        char key[512];
        snprintf(key, sizeof key, "%s#%zu", v, i);
        json_t *email =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}",
                      "schema", "careerops.email.v1", "key", key, "message_id",
                      v, "thread_id", v, "subject", v, "from", "name", v,
                      "address", v, "date", v, "text", v);
        json_t *event =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:s, s:s},"
                      " s:{s:s, s:s, s:s, s:s}}",
                      "schema", "careerops.event.v1", "event_type", v,
                      "company", v, "role", v, "scheduled_date", v, "evidence",
                      v, "classifier", "name", v, "model", v, "email", "key",
                      key, "subject", v, "from", v, "date", v);
        json_t *brief = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s}",
                                  "schema", "careerops.briefing.v1", "key", key,
                                  "company", v, "event", "key", v, "event_type",
                                  v, "summary", v, "generated_at", v);
        t_add(b, NULL, email, (int64_t)i);
        t_add(b, NULL, event, (int64_t)i);
        t_add(b, NULL, brief, (int64_t)i);
        json_array_append_new(docs, email);
        json_array_append_new(docs, event);
        json_array_append_new(docs, brief);
    }
    t_write_ok(b);
    pgsink_batch_free(b);

    static const char *const checks[] = {
        "SELECT count(*) FROM emails WHERE key = $2 AND message_id = $1 AND "
        "thread_id = $1 AND subject = $1 AND sender = $1 AND sender_name = $1"
        " AND received_at IS NULL AND doc->>'text' = $1 AND doc = $3::jsonb",
        "SELECT count(*) FROM events WHERE key = $2 AND event_type = $1 AND "
        "company = $1 AND role = $1 AND subject = $1 AND sender = $1 AND "
        "classifier = $1 AND model = $1 AND scheduled_at IS NULL AND "
        "doc->'evidence'->>0 = $1 AND doc = $3::jsonb",
        "SELECT count(*) FROM briefings WHERE key = $2 AND company = $1 AND "
        "event_key = $1 AND event_type = $1 AND summary = $1 AND "
        "generated_at IS NULL AND doc = $3::jsonb",
    };
    for (size_t i = 0; i < n; i++) {
        char key[512];
        snprintf(key, sizeof key, "%s#%zu", t_tricky[i], i);
        for (int t = 0; t < 3; t++) {
            char *doc = json_dumps(json_array_get(docs, i * 3 + (size_t)t), 0);
            const char *const p[] = {t_tricky[i], key, doc};
            char *c = t_query(checks[t], 3, p);
            ck_assert_msg(c != NULL && strcmp(c, "1") == 0,
                          "table %d value %zu did not round-trip", t, i);
            free(c);
            free(doc);
        }
    }
    json_decref(docs);
    ck_assert_int_eq(t_count("SELECT (SELECT count(*) FROM emails) + (SELECT "
                             "count(*) FROM events) + (SELECT count(*) FROM "
                             "briefings)"),
                     (long)n * 3);
}
END_TEST

/* The claim check (issue 17): an email's archive reference gets its own
 * columns (migration 4), for the dashboard's "show original". */
START_TEST(archive_reference_columns)
{
    t_migrate();
    pgsink_batch_t *b = pgsink_batch_new();
    const char *sha =
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    json_t *email = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:i, s:s}}", "schema", "careerops.email.v1",
        "key", "with-archive", "subject", "s", "archive", "archive_url",
        "file:///srv/archive/sha256/58/"
        "91b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
        "size", 2400000, "sha256", sha);
    json_t *plain = json_pack("{s:s, s:s, s:s}", "schema", "careerops.email.v1",
                              "key", "no-archive", "subject", "s");
    t_add(b, NULL, email, 1);
    t_add(b, NULL, plain, 2);
    json_decref(email);
    json_decref(plain);
    t_write_ok(b);
    pgsink_batch_free(b);
    ck_assert_int_eq(
        t_count("SELECT count(*) FROM emails WHERE key = 'with-archive' AND "
                "archive_url LIKE 'file:///srv/archive/sha256/58/%' AND "
                "archive_sha256 = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc716"
                "3af34d08286a2e846f6be03' AND archive_size = 2400000"),
        1);
    ck_assert_int_eq(
        t_count("SELECT count(*) FROM emails WHERE key = 'no-archive' AND "
                "archive_url IS NULL AND archive_size IS NULL"),
        1);
}
END_TEST

/* Replays leave one row per key and do not touch unchanged rows; a new
 * version of a document replaces the old. */
START_TEST(replay_is_idempotent)
{
    t_migrate();
    pgsink_batch_t *b = pgsink_batch_new();
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 300; i++) {
            char key[32];
            snprintf(key, sizeof key, "key-%03d", i);
            json_t *ev =
                t_event(key, "Fictional Widgets Ltd", "2025-03-04T15:00:00Z");
            t_add(b, key, ev, i);
            json_decref(ev);
        }
        t_write_ok(b);
        pgsink_batch_clear(b);
        ck_assert_int_eq(t_count("SELECT count(*) FROM events"), 300);
        ck_assert_int_eq(
            t_count("SELECT count(*) FROM events WHERE xmin = (SELECT xmin "
                    "FROM events WHERE key = 'key-000')"),
            300); /* all rows from the first transaction: not rewritten */
    }
    /* The same key twice in one batch: the newer version wins. */
    json_t *ev = t_event("key-007", "Old Name Ltd", "2025-03-04T15:00:00Z");
    t_add(b, "key-007", ev, 1000);
    json_decref(ev);
    ev = t_event("key-007", "New Name Ltd", "2025-03-04T15:00:00Z");
    t_add(b, "key-007", ev, 1001);
    json_decref(ev);
    t_write_ok(b);
    pgsink_batch_free(b);
    ck_assert_int_eq(t_count("SELECT count(*) FROM events"), 300);
    char *c = t_query("SELECT company || ' ' || source_offset || ' ' || "
                      "(updated_at > inserted_at) FROM events WHERE key = "
                      "'key-007'",
                      0, NULL);
    ck_assert_str_eq(c, "New Name Ltd 1001 true");
    free(c);
}
END_TEST

/* Typed timestamps accept RFC 3339 only; the document keeps the text. */
START_TEST(timestamps)
{
    t_migrate();
    pgsink_batch_t *b = pgsink_batch_new();
    static const char *const when[][2] = {
        {"2025-03-04T15:00:00+02:00", "2025-03-04 13:00:00+00"},
        {"2025-03-04T15:00:00Z", "2025-03-04 15:00:00+00"},
        {"2025-03-04", "2025-03-04 00:00:00+00"},
        {"now", NULL},
        {"infinity", NULL},
        {"2025-02-30T10:00:00Z", NULL},
        {"next Tuesday", NULL},
    };
    size_t n = sizeof when / sizeof when[0];
    for (size_t i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "t%zu", i);
        json_t *ev = t_event(key, "X", when[i][0]);
        t_add(b, key, ev, 0);
        json_decref(ev);
    }
    t_write_ok(b);
    pgsink_batch_free(b);
    for (size_t i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "t%zu", i);
        const char *const p[] = {key};
        char *got = t_query("SELECT scheduled_at::text FROM events WHERE key"
                            " = $1",
                            1, p);
        if (when[i][1] == NULL)
            ck_assert_msg(got == NULL, "%s gave %s", when[i][0], got);
        else
            ck_assert_str_eq(got, when[i][1]);
        free(got);
        char *text = t_query("SELECT doc->>'scheduled_date' FROM events "
                             "WHERE key = $1",
                             1, p);
        ck_assert_str_eq(text, when[i][0]);
        free(text);
    }
}
END_TEST

/* Rows the server rejects are listed with the message; the rest commit. */
START_TEST(rejected_rows_listed)
{
    t_migrate();
    PQclear(t_exec("ALTER TABLE events ADD CONSTRAINT no_evil CHECK "
                   "(company <> 'Evil Example Corp')"));
    pgsink_batch_t *b = pgsink_batch_new();
    for (int i = 0; i < 10; i++) {
        char key[16];
        snprintf(key, sizeof key, "r%d", i);
        json_t *ev = t_event(key, i % 4 == 1 ? "Evil Example Corp" : "Good Ltd",
                             "2025-03-04T15:00:00Z");
        t_add(b, key, ev, i);
        json_decref(ev);
    }
    char err[1024];
    ck_assert_int_eq(pgsink_write(t_conn, t_schema, b, err, sizeof err),
                     PGSINK_WRITE_OK);
    ck_assert_uint_eq(pgsink_batch_failed_count(b), 3); /* r1 r5 r9 */
    for (size_t i = 0; i < 3; i++) {
        const char *msg;
        const co_record_t *rec = pgsink_batch_failed(b, i, &msg);
        ck_assert_ptr_nonnull(strstr(msg, "no_evil"));
        ck_assert_ptr_nonnull(strstr(rec->value, "Evil Example Corp"));
        ck_assert_str_eq(rec->topic, "classified_events");
    }
    pgsink_batch_free(b);
    ck_assert_int_eq(t_count("SELECT count(*) FROM events"), 7);
}
END_TEST

/* ---- the plugin through the fake host ---------------------------------- */

static const char *const t_all_tables[] = {"events", "briefings", NULL};

START_TEST(plugin_writes_and_rejects)
{
    co_fake_host_t *h = co_fake_host_new();
    const co_plugin_t *p = co_plugin_entry(&h->api);
    ck_assert_int_eq(p->kinds, CO_KIND_SINK);
    for (const co_option_t *o = p->options; o->type != CO_OPT_END; o++)
        ck_assert_msg(o->description[0] != '\0', "%s", o->name);
    struct pgsink_config cfg = {co_test_pg(), t_schema, 500,
                                t_all_tables, 5,        0};
    ck_assert_uint_eq(p->config_size, sizeof cfg);
    void *inst = NULL;
    ck_assert_int_eq(p->init(&h->api, co_fake_host_stage(h), &cfg, &inst),
                     CO_OK);
    ck_assert_int_eq(p->start(inst), CO_OK);
    for (int i = 0; i < 1234; i++) {
        char key[32];
        snprintf(key, sizeof key, "p%04d", i);
        json_t *ev =
            t_event(key, "Fictional Widgets Ltd", "2025-03-04T15:00:00Z");
        char *value = json_dumps(ev, JSON_COMPACT);
        co_record_t rec = t_rec(key, value, i);
        ck_assert_int_eq(p->process(inst, &rec), CO_OK);
        free(value);
        json_decref(ev);
    }
    /* batch_size 500: two batches were written early, 234 wait. */
    ck_assert_int_eq(t_count("SELECT count(*) FROM events"), 1000);
    ck_assert_int_eq(p->flush(inst), CO_OK);
    ck_assert_int_eq(t_count("SELECT count(*) FROM events"), 1234);
    ck_assert_double_eq(co_fake_host_metric(h, "records_written"), 1234);
    ck_assert_int_eq(p->flush(inst), CO_OK); /* nothing buffered */

    co_record_t bad = t_rec("k", "{\"schema\":\"careerops.alert.v1\"}", 0);
    co_fake_host_clear_error(h);
    ck_assert_int_eq(p->process(inst, &bad), CO_FAIL);
    ck_assert_ptr_nonnull(strstr(h->error_msg, "unknown record schema"));
    co_record_t email =
        t_rec("k", "{\"schema\":\"careerops.email.v1\",\"key\":\"e1\"}", 0);
    co_fake_host_clear_error(h);
    ck_assert_int_eq(p->process(inst, &email), CO_FAIL);
    ck_assert_ptr_nonnull(strstr(h->error_msg, "table emails"));
    p->stop(inst);
    p->destroy(inst);
    co_fake_host_free(h);
}
END_TEST

START_TEST(plugin_bad_config)
{
    co_fake_host_t *h = co_fake_host_new();
    const co_plugin_t *p = co_plugin_entry(&h->api);
    struct pgsink_config cfg = {
        "host=127.0.0.1 nonsense", "public", 10, NULL, 5, 0};
    void *inst = NULL;
    ck_assert_int_eq(p->init(&h->api, co_fake_host_stage(h), &cfg, &inst),
                     CO_FATAL);
    ck_assert_ptr_nonnull(strstr(h->error_msg, "option conninfo"));
    p->destroy(inst);
    static const char *const tables[] = {"events", "alerts", NULL};
    struct pgsink_config cfg2 = {co_test_pg(), "public", 10, tables, 5, 0};
    inst = NULL;
    ck_assert_int_eq(p->init(&h->api, co_fake_host_stage(h), &cfg2, &inst),
                     CO_FATAL);
    ck_assert_ptr_nonnull(strstr(h->error_msg, "unknown table \"alerts\""));
    p->destroy(inst);
    co_fake_host_free(h);
}
END_TEST

/* No server: records buffer, flush() says RETRY and the log says why. */
START_TEST(plugin_retry_when_unreachable)
{
    co_fake_host_t *h = co_fake_host_new();
    const co_plugin_t *p = co_plugin_entry(&h->api);
    struct pgsink_config cfg = {"postgresql://nobody@127.0.0.1:1/careerops",
                                "public",
                                2,
                                t_all_tables,
                                5,
                                0};
    void *inst = NULL;
    ck_assert_int_eq(p->init(&h->api, co_fake_host_stage(h), &cfg, &inst),
                     CO_OK);
    ck_assert_int_eq(p->start(inst), CO_OK);
    ck_assert_ptr_nonnull(strstr(h->last_log, "waiting for PostgreSQL"));
    for (int i = 0; i < 5; i++) {
        char key[16];
        snprintf(key, sizeof key, "u%d", i);
        json_t *ev = t_event(key, "X", "2025-03-04T15:00:00Z");
        char *value = json_dumps(ev, JSON_COMPACT);
        co_record_t rec = t_rec(key, value, i);
        ck_assert_int_eq(p->process(inst, &rec), CO_OK);
        free(value);
        json_decref(ev);
    }
    co_fake_host_clear_error(h);
    h->now_ms += 6000; /* the "waiting" line repeats at most every 5 s */
    ck_assert_int_eq(p->flush(inst), CO_RETRY);
    ck_assert_str_eq(h->error_class, "postgresql");
    ck_assert_ptr_nonnull(strstr(h->error_msg, "waiting for PostgreSQL"));
    ck_assert_ptr_nonnull(strstr(h->last_log, "5 records buffered"));
    ck_assert_uint_eq(h->dead_cnt, 0);
    /* With wait_s, flush() keeps trying (on the host's clock) first. */
    cfg.wait_s = 30;
    int64_t slept = h->slept_ms;
    ck_assert_int_eq(p->flush(inst), CO_RETRY);
    ck_assert_int_ge(h->slept_ms - slept, 30000);
    ck_assert_int_le(h->slept_ms - slept, 36000);
    p->destroy(inst);
    co_fake_host_free(h);
}
END_TEST

/* ---- the derivation of migration 15 against migration 14's ------------- */

/* One message of the mixed mailbox: its email and its event. */
struct t_msg {
    const char *key, *type, *company, *role, *date, *sched, *thread;
    const char *sender, *subject, *text, *cal; /* cal: JSON array or NULL */
    int own;                                   /* own_decision reply */
};

#define T_CAL(uid, method, seq, start)                                         \
    "[{\"uid\": \"" uid "\", \"method\": \"" method "\", \"sequence\": " seq   \
    ", \"start\": \"" start "\"}]"

/* Four companies in mixed order, in batches of four: a move by text and
 * the user's reply at the new time, a rejection before the new slot and an
 * interview after it (Summit Ridge, and an outreach stored last but dated
 * first); two roles, a calendar update, a rejection for the other role, an
 * event without a company in a thread, an offer and the user's own reply
 * declining it (Larkspur); a calendar CANCEL labelled OTHER in another
 * thread and a second round (Quillon); a short and a long name from one
 * domain, an automatic alias, and a rejection after the interview
 * (Ashcombe). */
static const struct t_msg t_mixed[] = {
    {"sr1", "APPLICATION_ACK", "Summit Ridge Analytics", "Data Engineer",
     "2026-11-20T10:00:00Z", NULL, "<t-sr1>", "jobs@summitridge.example",
     "Thank you for applying", "We received your application.", NULL, 0},
    {"lk1", "APPLICATION_ACK", "Larkspur Labs", "Backend Engineer",
     "2026-10-01T10:00:00Z", NULL, "<t-lk1>", "hr@larkspur.example",
     "Application received", "Thanks for applying.", NULL, 0},
    {"lk2", "APPLICATION_ACK", "Larkspur Labs", "Data Analyst",
     "2026-10-02T10:00:00Z", NULL, "<t-lk2>", "hr@larkspur.example",
     "Application received", "Thanks for applying.", NULL, 0},
    {"as1", "RECRUITER_OUTREACH", "Ashcombe Partners", NULL,
     "2026-09-01T10:00:00Z", NULL, "<t-as1>", "talent@ashcombe.example",
     "A role at Ashcombe Partners", "Would you like to talk?", NULL, 0},
    {"qu1", "INTERVIEW", "Quillon", "Engineer", "2026-10-28T10:00:00Z",
     "2026-11-05T16:00:00Z", "<t-qu1>", "hr@quillon.example", "Interview",
     "Invitation attached.",
     T_CAL("qu-uid", "REQUEST", "0", "2026-11-05T16:00:00Z"), 0},
    {"sr2", "INTERVIEW", "Summit Ridge Analytics", NULL, "2026-12-01T16:00:00Z",
     "2026-12-08T21:00:00Z", "<t-sr2>", "jobs@summitridge.example",
     "Interview invitation",
     "We would like to invite you to an interview on Tuesday, December 8.",
     NULL, 0},
    {"lk3", "ASSESSMENT", "Larkspur Labs", NULL, "2026-10-05T10:00:00Z", NULL,
     "<t-lk1>", "hr@larkspur.example", "Your assessment", "Take the test.",
     NULL, 0},
    {"as2", "INTERVIEW", "Ashcombe", NULL, "2026-09-05T10:00:00Z",
     "2026-09-15T09:00:00Z", "<t-as2>", "talent@ashcombe.example", "Interview",
     "See you on the 15th.", NULL, 0},
    {"lk9", "INTERVIEW", NULL, NULL, "2026-10-08T10:00:00Z",
     "2026-10-18T10:00:00Z", "<t-lk2>", "hr@larkspur.example",
     "Re: Application received", "Could we talk on the 18th?", NULL, 0},
    {"lk4", "INTERVIEW", "Larkspur Labs", "Backend Engineer",
     "2026-10-10T10:00:00Z", "2026-10-20T15:00:00Z", "<t-lk1>",
     "hr@larkspur.example", "Interview", "Invitation attached.",
     T_CAL("lk-uid", "REQUEST", "0", "2026-10-20T15:00:00Z"), 0},
    {"sr3", "INTERVIEW", "Summit Ridge Analytics", NULL, "2026-12-03T16:00:00Z",
     "2026-12-09T17:30:00Z", "<t-sr2>", "jobs@summitridge.example",
     "Interview time change",
     "Sorry, we need to move your interview.\nPreviously: Tuesday, "
     "December 8\nNew time: Wednesday, December 9",
     NULL, 0},
    {"sr4", "INTERVIEW", "Summit Ridge Analytics", NULL, "2026-12-03T18:00:00Z",
     "2026-12-09T17:30:00Z", "<t-sr2>", "me@example.net",
     "Re: Interview time change",
     "Thanks, that works for me.\n> New time: Wednesday, December 9", NULL, 0},
    {"lk5", "INTERVIEW", "Larkspur Labs", NULL, "2026-10-12T10:00:00Z",
     "2026-10-21T15:00:00Z", "<t-lk1>", "hr@larkspur.example",
     "Updated invitation", "Updated invitation attached.",
     T_CAL("lk-uid", "REQUEST", "1", "2026-10-21T15:00:00Z"), 0},
    {"qu2", "OTHER", NULL, NULL, "2026-10-30T10:00:00Z", NULL, "<t-qu9>",
     "calendar@quillon.example", "Canceled event", "This event was canceled.",
     T_CAL("qu-uid", "CANCEL", "1", "2026-11-05T16:00:00Z"), 0},
    {"qu3", "INTERVIEW", "Quillon", NULL, "2026-11-01T10:00:00Z",
     "2026-11-12T16:00:00Z", "<t-qu1>", "hr@quillon.example", "Second round",
     "Please join us on the 12th.", NULL, 0},
    {"sr5", "REJECTION", "Summit Ridge Analytics", NULL, "2026-12-05T10:00:00Z",
     NULL, "<t-sr2>", "jobs@summitridge.example", "Your application",
     "We have filled the position.", NULL, 0},
    {"lk6", "REJECTION", "Larkspur Labs", "Data Analyst",
     "2026-10-15T10:00:00Z", NULL, "<t-lk3>", "hr@larkspur.example",
     "Data Analyst", "We are not moving forward.", NULL, 0},
    {"lk7", "OFFER", "Larkspur Labs", NULL, "2026-10-25T10:00:00Z", NULL,
     "<t-lk1>", "hr@larkspur.example", "Offer", "We are happy to offer.", NULL,
     0},
    {"as3", "REJECTION", "Ashcombe", NULL, "2026-09-20T10:00:00Z", NULL,
     "<t-as2>", "talent@ashcombe.example", "Update",
     "Unfortunately we went with other candidates.", NULL, 0},
    {"sr0", "RECRUITER_OUTREACH", "Summit Ridge Analytics", NULL,
     "2026-11-01T10:00:00Z", NULL, "<t-sr0>", "jobs@summitridge.example",
     "Hello", "Are you open to a new role?", NULL, 0},
    {"sr6", "INTERVIEW", "Summit Ridge Analytics", NULL, "2026-12-10T10:00:00Z",
     "2026-12-20T10:00:00Z", "<t-sr2>", "jobs@summitridge.example", "Interview",
     "One more talk?", NULL, 0},
    {"lk8", "OTHER", "Larkspur Labs", NULL, "2026-10-27T10:00:00Z", NULL,
     "<t-lk1>", "me@example.net", "Re: Offer",
     "I've decided to decline the offer.", NULL, 1},
};

/* The email and the event of m, added to b. */
static void t_add_msg(pgsink_batch_t *b, const struct t_msg *m, int64_t off)
{
    json_t *cal = m->cal != NULL ? json_loads(m->cal, 0, NULL) : json_array();
    ck_assert_ptr_nonnull(cal);
    json_t *em = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}, s:s, s:s, s:o}",
                           "schema", "careerops.email.v1", "key", m->key,
                           "message_id", m->key, "thread_id", m->thread,
                           "subject", m->subject, "from", "address", m->sender,
                           "date", m->date, "text", m->text, "calendar", cal);
    t_add(b, m->key, em, off);
    json_decref(em);
    json_t *ev = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}}", "schema",
                           "careerops.event.v1", "event_type", m->type, "email",
                           "key", m->key, "subject", m->subject, "from",
                           m->sender, "date", m->date, "thread_id", m->thread);
    if (m->company != NULL)
        json_object_set_new(ev, "company", json_string(m->company));
    if (m->role != NULL)
        json_object_set_new(ev, "role", json_string(m->role));
    if (m->sched != NULL)
        json_object_set_new(ev, "scheduled_date", json_string(m->sched));
    if (m->own)
        json_object_set_new(ev, "own_decision", json_true());
    t_add(b, m->key, ev, off);
    json_decref(ev);
}

static void t_sql(const char *fmt, const char *schema)
{
    char sql[1024];
    snprintf(sql, sizeof sql, fmt, schema, schema, schema, schema);
    PQclear(t_exec(sql));
}

/* The mixed mailbox through the sink's write path (one transaction per
 * batch of four, as flushes), then a relabel, a decision and a delete. */
static void t_store_mixed(const char *schema)
{
    size_t n = sizeof t_mixed / sizeof t_mixed[0];
    pgsink_batch_t *b = pgsink_batch_new();
    for (size_t i = 0; i < n; i++) {
        t_add_msg(b, &t_mixed[i], (int64_t)i);
        if (i % 4 == 3 || i == n - 1) {
            char err[1024];
            ck_assert_int_eq(pgsink_write(t_conn, schema, b, err, sizeof err),
                             PGSINK_WRITE_OK);
            pgsink_batch_clear(b);
        }
    }
    pgsink_batch_free(b);
    /* careerops relabel sr6 OTHER; applications --decide (Quillon's
     * WITHDRAWN before its second round); the cancel's event deleted */
    t_sql("UPDATE %s.events SET event_type = 'OTHER', doc = doc ||"
          " '{\"event_type\": \"OTHER\", \"correction\": {\"event_type\":"
          " \"OTHER\"}}' WHERE key = 'sr6'",
          schema);
    t_sql("SELECT %s.careerops_application_decide(id, 'WITHDRAWN',"
          " '2026-11-02T10:00:00Z') FROM %s.applications"
          " WHERE company_key = 'quillon'",
          schema);
    t_sql("DELETE FROM %s.events WHERE key = 'qu2'", schema);
}

/* Every derived value: applications, transitions and automatic aliases. */
static char *t_snapshot(const char *schema)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT coalesce(string_agg(row_to_json(a)::text, E'\\n'"
             "  ORDER BY a.id), '') FROM (SELECT id, company_key, company,"
             "  role, status, first_seen, last_event_at, last_event_key,"
             "  last_event_type, next_interview, interviews, thread_ids,"
             "  event_keys FROM %s.applications) a) || E'\\n' ||"
             " (SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n'"
             "  ORDER BY t.application_id, t.seq), '') FROM (SELECT"
             "  application_id, seq, from_status, to_status, event_key,"
             "  event_type, email_message_id, email_date"
             "  FROM %s.application_transitions) t) || E'\\n' ||"
             " (SELECT coalesce(string_agg(alias_key || '>' || company_key,"
             "  ' ' ORDER BY alias_key), '') FROM %s.company_aliases)",
             schema, schema, schema);
    char *v = t_query(sql, 0, NULL);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Migration 15 makes a flush cheaper, not different: the mixed mailbox
 * stored flush by flush under migration 14's functions, the same tables
 * derived again from nothing under migration 15's, and the mailbox stored
 * flush by flush under migration 15's give the same rows. */
START_TEST(derivation_same_as_migration_14)
{
    char err[512], other[80];
    int lost;
    ck_assert_int_eq(
        pgsink_migrate(t_conn, t_schema, 14, err, sizeof err, &lost), 14);
    t_store_mixed(t_schema);
    char *want = t_snapshot(t_schema);
    /* what the mailbox exercises */
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"), 5);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications WHERE"
                             " status IN ('REJECTED', 'DECLINED',"
                             " 'WITHDRAWN')"),
                     5);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications a,"
                             " jsonb_array_elements(a.interviews) i"
                             " WHERE i ? 'superseded_by'"),
                     5);
    ck_assert_int_eq(t_count("SELECT count(*) FROM company_aliases"
                             " WHERE alias_key = 'ashcombe' AND auto"),
                     1);

    t_migrate();
    PQclear(t_exec("TRUNCATE applications, application_transitions"));
    PQclear(t_exec("SELECT careerops_applications_rederive_all()"));
    char *full = t_snapshot(t_schema);
    ck_assert_str_eq(full, want);

    snprintf(other, sizeof other, "%s_b", t_schema);
    snprintf(err, sizeof err, "DROP SCHEMA IF EXISTS %s CASCADE", other);
    PQclear(t_exec(err));
    ck_assert_int_eq(pgsink_migrate(t_conn, other, 0, err, sizeof err, &lost),
                     pgsink_schema_latest());
    t_store_mixed(other);
    char *flushed = t_snapshot(other);
    ck_assert_str_eq(flushed, want);
    snprintf(err, sizeof err, "DROP SCHEMA %s CASCADE", other);
    PQclear(t_exec(err));
    free(want);
    free(full);
    free(flushed);
}
END_TEST

/* Migration 17: a rejection for another role than the one applied for
 * (its own thread) is an application of its own; the application with an
 * interview ahead keeps its status and its slot. A rejection naming no
 * role still ends the application. */
static const struct t_msg t_other_role[] = {
    {"fh1", "APPLICATION_ACK", "Fernhollow", "Platform Engineer",
     "2026-11-01T10:00:00Z", NULL, "<t-fh1>", "jobs@fernhollow.example",
     "Application received", "Thanks for applying.", NULL, 0},
    {"fh2", "INTERVIEW", "Fernhollow", "Platform Engineer",
     "2026-11-05T10:00:00Z", "2026-12-20T15:00:00Z", "<t-fh1>",
     "jobs@fernhollow.example", "Interview",
     "We would like to invite you on December 20.", NULL, 0},
    {"fh3", "REJECTION", "Fernhollow", "Data Analyst", "2026-11-10T10:00:00Z",
     NULL, "<t-fh3>", "jobs@fernhollow.example", "Data Analyst",
     "We are not moving forward with your application for the Data Analyst "
     "role.",
     NULL, 0},
    {"gw1", "APPLICATION_ACK", "Glimwater", "Platform Engineer",
     "2026-11-01T10:00:00Z", NULL, "<t-gw1>", "jobs@glimwater.example",
     "Application received", "Thanks for applying.", NULL, 0},
    {"gw2", "INTERVIEW", "Glimwater", "Platform Engineer",
     "2026-11-05T10:00:00Z", "2026-12-20T15:00:00Z", "<t-gw1>",
     "jobs@glimwater.example", "Interview",
     "We would like to invite you on December 20.", NULL, 0},
    {"gw3", "REJECTION", "Glimwater", NULL, "2026-11-10T10:00:00Z", NULL,
     "<t-gw3>", "jobs@glimwater.example", "Your application",
     "We are not moving forward.", NULL, 0},
};

START_TEST(other_role_rejection_own_application)
{
    t_migrate();
    pgsink_batch_t *b = pgsink_batch_new();
    for (size_t i = 0; i < sizeof t_other_role / sizeof t_other_role[0]; i++)
        t_add_msg(b, &t_other_role[i], (int64_t)i);
    char err[1024];
    ck_assert_int_eq(pgsink_write(t_conn, t_schema, b, err, sizeof err),
                     PGSINK_WRITE_OK);
    pgsink_batch_free(b);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"
                             " WHERE company_key = 'fernhollow'"),
                     2);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"
                             " WHERE company_key = 'fernhollow'"
                             " AND role = 'Data Analyst'"
                             " AND status = 'REJECTED'"
                             " AND event_keys = ARRAY['fh3']"),
                     1);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"
                             " WHERE company_key = 'fernhollow'"
                             " AND role = 'Platform Engineer'"
                             " AND status <> 'REJECTED'"
                             " AND next_interview = '2026-12-20T15:00:00Z'"),
                     1);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"
                             " WHERE company_key = 'glimwater'"
                             " AND status = 'REJECTED'"
                             " AND next_interview IS NULL"),
                     1);
    ck_assert_int_eq(t_count("SELECT count(*) FROM applications"
                             " WHERE company_key = 'glimwater'"),
                     1);
}
END_TEST

static Suite *pg_suite(void)
{
    co_test_pg(); /* skip (77) the whole program without a server */
    Suite *s = suite_create("postgres-sink-pg");
    TCase *tc = tcase_create("pg");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, t_setup, t_teardown);
    tcase_add_test(tc, migrate_empty_and_again);
    tcase_add_test(tc, migrate_previous_with_data);
    tcase_add_test(tc, migrate_8_calendar_cancel_not_rejection);
    tcase_add_test(tc, migrate_refuses_newer);
    tcase_add_test(tc, tricky_values_round_trip);
    tcase_add_test(tc, replay_is_idempotent);
    tcase_add_test(tc, archive_reference_columns);
    tcase_add_test(tc, timestamps);
    tcase_add_test(tc, rejected_rows_listed);
    tcase_add_test(tc, plugin_writes_and_rejects);
    tcase_add_test(tc, plugin_bad_config);
    tcase_add_test(tc, plugin_retry_when_unreachable);
    tcase_add_test(tc, derivation_same_as_migration_14);
    tcase_add_test(tc, other_role_rejection_own_application);
    suite_add_tcase(s, tc);
    return s;
}

CO_TEST_MAIN(pg_suite)
