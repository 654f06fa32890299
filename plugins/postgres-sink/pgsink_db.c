/*
 * postgres-sink internals: record -> row, batches, migrations, upserts.
 * See pgsink.h and README.md (tables and columns).
 */
#include "pgsink.h"
#include "co_pgmig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tables and columns ------------------------------------------------- */

static const char *const pgsink_table_names[PGSINK_NTABLES] = {
    "emails", "events", "briefings"};
static const char *const pgsink_schemas[PGSINK_NTABLES] = {
    "careerops.email.v1", "careerops.event.v1", "careerops.briefing.v1"};

const char *pgsink_table_name(int table)
{
    return table >= 0 && table < PGSINK_NTABLES ? pgsink_table_names[table]
                                                : "?";
}

int pgsink_table_from_name(const char *name)
{
    for (int t = 0; t < PGSINK_NTABLES; t++)
        if (name != NULL && strcmp(name, pgsink_table_names[t]) == 0)
            return t;
    return -1;
}

int pgsink_table_for_schema(const char *schema)
{
    for (int t = 0; t < PGSINK_NTABLES; t++)
        if (schema != NULL && strcmp(schema, pgsink_schemas[t]) == 0)
            return t;
    return -1;
}

/* Column flags. */
#define PGSINK_TS 1 /* text in the row, timestamptz in the table */

typedef struct {
    const char *name;
    const char *type; /* type in jsonb_to_recordset */
    int flags;
} pgsink_col_t;

/* Columns the upsert writes, per table; must match the migrations. */
static const pgsink_col_t pgsink_cols_emails[] = {
    {"key", "text", 0},
    {"message_id", "text", 0},
    {"thread_id", "text", 0},
    {"subject", "text", 0},
    {"sender", "text", 0},
    {"sender_name", "text", 0},
    {"received_at", "text", PGSINK_TS},
    {"doc", "jsonb", 0},
    {"source_topic", "text", 0},
    {"source_partition", "integer", 0},
    {"source_offset", "bigint", 0},
    {"archive_url", "text", 0},
    {"archive_sha256", "text", 0},
    {"archive_size", "bigint", 0},
    {NULL, NULL, 0}};
static const pgsink_col_t pgsink_cols_events[] = {
    {"key", "text", 0},
    {"event_type", "text", 0},
    {"company", "text", 0},
    {"role", "text", 0},
    {"scheduled_at", "text", PGSINK_TS},
    {"confidence", "double precision", 0},
    {"subject", "text", 0},
    {"sender", "text", 0},
    {"received_at", "text", PGSINK_TS},
    {"classifier", "text", 0},
    {"model", "text", 0},
    {"doc", "jsonb", 0},
    {"source_topic", "text", 0},
    {"source_partition", "integer", 0},
    {"source_offset", "bigint", 0},
    {NULL, NULL, 0}};
static const pgsink_col_t pgsink_cols_briefings[] = {
    {"key", "text", 0},
    {"company", "text", 0},
    {"event_key", "text", 0},
    {"event_type", "text", 0},
    {"summary", "text", 0},
    {"generated_at", "text", PGSINK_TS},
    {"doc", "jsonb", 0},
    {"source_topic", "text", 0},
    {"source_partition", "integer", 0},
    {"source_offset", "bigint", 0},
    {NULL, NULL, 0}};
static const pgsink_col_t *const pgsink_cols[PGSINK_NTABLES] = {
    pgsink_cols_emails, pgsink_cols_events, pgsink_cols_briefings};

/* ---- record -> row ------------------------------------------------------ */

/* A JSON string at a path of object members ("a", "b" = doc.a.b), or NULL
 * when absent or not a string. */
static const char *pgsink_str(const json_t *doc, const char *a, const char *b)
{
    const json_t *v = json_object_get(doc, a);
    if (b != NULL)
        v = json_object_get(v, b);
    return json_string_value(v);
}

/* Set a typed text column: NULL stays SQL NULL; long text is cut at a
 * UTF-8 boundary to PGSINK_TYPED_MAX bytes (btree index entries are
 * limited; the document keeps the whole value). */
static int pgsink_set_text(json_t *row, const char *col, const char *v,
                           size_t max)
{
    if (v == NULL)
        return json_object_set_new(row, col, json_null());
    size_t len = strlen(v);
    if (max > 0 && len > max) {
        len = max;
        while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80)
            len--; /* v[len] is a continuation byte: back to a start */
    }
    return json_object_set_new(row, col, json_stringn(v, len));
}

/* The idempotency key: the document's own field if present, else the
 * record key. */
static const char *pgsink_pick_key(const co_record_t *rec, const char *field,
                                   char *buf, size_t buf_size)
{
    if (field != NULL && field[0] != '\0')
        return field;
    if (rec->key == NULL || rec->key_len == 0 || rec->key_len >= buf_size)
        return rec->key_len >= buf_size ? "" : NULL;
    memcpy(buf, rec->key, rec->key_len);
    buf[rec->key_len] = '\0';
    return buf;
}

int pgsink_row_build(const co_record_t *rec, json_t **row, char *err,
                     size_t err_size)
{
    *row = NULL;
    if (rec->value == NULL || rec->value_len == 0) {
        snprintf(err, err_size,
                 "record has no value: postgres-sink expects a JSON "
                 "document with a \"schema\" field");
        return -1;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(rec->value, rec->value_len, 0, &jerr);
    if (doc == NULL) {
        snprintf(err, err_size,
                 "record value is not JSON that PostgreSQL can store "
                 "(line %d, column %d): %s",
                 jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (!json_is_object(doc)) {
        snprintf(err, err_size,
                 "record value is a JSON %s, expected an "
                 "object with a \"schema\" field",
                 json_is_array(doc) ? "array" : "scalar");
        json_decref(doc);
        return -1;
    }
    const char *schema = pgsink_str(doc, "schema", NULL);
    int table = pgsink_table_for_schema(schema);
    if (table < 0) {
        snprintf(err, err_size,
                 "unknown record schema \"%.100s\": postgres-sink stores "
                 "careerops.email.v1 (emails), careerops.event.v1 (events) "
                 "and careerops.briefing.v1 (briefings); route other "
                 "topics elsewhere",
                 schema != NULL ? schema : "(missing)");
        json_decref(doc);
        return -1;
    }
    char keybuf[PGSINK_KEY_MAX + 1];
    const char *key_field =
        table == PGSINK_EMAILS   ? pgsink_str(doc, "key", NULL)
        : table == PGSINK_EVENTS ? pgsink_str(doc, "email", "key")
                                 : pgsink_str(doc, "key", NULL);
    const char *key = pgsink_pick_key(rec, key_field, keybuf, sizeof keybuf);
    if (key == NULL && table == PGSINK_BRIEFINGS)
        key = pgsink_str(doc, "event", "key");
    json_t *r = json_object();
    json_t *key_json = key != NULL ? json_string(key) : NULL;
    if (key == NULL || key[0] == '\0' || strlen(key) > PGSINK_KEY_MAX ||
        key_json == NULL) {
        snprintf(err, err_size,
                 "%s record has no usable idempotency key (a non-empty UTF-8 "
                 "text of at most %d bytes, from the record key or the "
                 "document's %s)",
                 schema, PGSINK_KEY_MAX,
                 table == PGSINK_EVENTS ? "email.key" : "key");
        json_decref(key_json);
        json_decref(r);
        json_decref(doc);
        return -1;
    }
    int bad = json_object_set_new(r, "key", key_json);
    const size_t M = PGSINK_TYPED_MAX;
    switch (table) {
    case PGSINK_EMAILS:
        bad |= pgsink_set_text(r, "message_id",
                               pgsink_str(doc, "message_id", NULL), M);
        bad |= pgsink_set_text(r, "thread_id",
                               pgsink_str(doc, "thread_id", NULL), M);
        bad |=
            pgsink_set_text(r, "subject", pgsink_str(doc, "subject", NULL), 0);
        bad |=
            pgsink_set_text(r, "sender", pgsink_str(doc, "from", "address"), M);
        bad |= pgsink_set_text(r, "sender_name",
                               pgsink_str(doc, "from", "name"), M);
        bad |=
            pgsink_set_text(r, "received_at", pgsink_str(doc, "date", NULL), M);
        /* the claim check: where the raw message is (docs/archive.md) */
        bad |= pgsink_set_text(r, "archive_url",
                               pgsink_str(doc, "archive", "archive_url"), 0);
        bad |= pgsink_set_text(r, "archive_sha256",
                               pgsink_str(doc, "archive", "sha256"), M);
        {
            const json_t *as =
                json_object_get(json_object_get(doc, "archive"), "size");
            bad |= json_object_set_new(
                r, "archive_size",
                json_is_integer(as) ? json_integer(json_integer_value(as))
                                    : json_null());
        }
        break;
    case PGSINK_EVENTS: {
        const char *et = pgsink_str(doc, "event_type", NULL);
        if (et == NULL || et[0] == '\0') {
            snprintf(err, err_size,
                     "careerops.event.v1 record %.80s has no \"event_type\" "
                     "string (INTERVIEW, OFFER, ...): fix the classifier",
                     key);
            json_decref(r);
            json_decref(doc);
            return -1;
        }
        bad |= pgsink_set_text(r, "event_type", et, M);
        bad |=
            pgsink_set_text(r, "company", pgsink_str(doc, "company", NULL), M);
        bad |= pgsink_set_text(r, "role", pgsink_str(doc, "role", NULL), M);
        bad |= pgsink_set_text(r, "scheduled_at",
                               pgsink_str(doc, "scheduled_date", NULL), M);
        const json_t *conf = json_object_get(doc, "confidence");
        bad |= json_object_set_new(r, "confidence",
                                   json_is_number(conf)
                                       ? json_real(json_number_value(conf))
                                       : json_null());
        bad |= pgsink_set_text(r, "subject",
                               pgsink_str(doc, "email", "subject"), 0);
        bad |=
            pgsink_set_text(r, "sender", pgsink_str(doc, "email", "from"), M);
        bad |= pgsink_set_text(r, "received_at",
                               pgsink_str(doc, "email", "date"), M);
        bad |= pgsink_set_text(r, "classifier",
                               pgsink_str(doc, "classifier", "name"), M);
        bad |= pgsink_set_text(r, "model",
                               pgsink_str(doc, "classifier", "model"), M);
        break;
    }
    default: {
        const char *ek = pgsink_str(doc, "event", "key");
        const char *et = pgsink_str(doc, "event", "event_type");
        bad |=
            pgsink_set_text(r, "company", pgsink_str(doc, "company", NULL), M);
        bad |= pgsink_set_text(
            r, "event_key",
            ek != NULL ? ek : pgsink_str(doc, "event_key", NULL), M);
        bad |= pgsink_set_text(
            r, "event_type",
            et != NULL ? et : pgsink_str(doc, "event_type", NULL), M);
        bad |=
            pgsink_set_text(r, "summary", pgsink_str(doc, "summary", NULL), 0);
        bad |= pgsink_set_text(r, "generated_at",
                               pgsink_str(doc, "generated_at", NULL), M);
        break;
    }
    }
    bad |= json_object_set_new(r, "doc", doc); /* steals doc */
    bad |= pgsink_set_text(r, "source_topic", rec->topic, 0);
    bad |= json_object_set_new(r, "source_partition",
                               rec->topic != NULL ? json_integer(rec->partition)
                                                  : json_null());
    bad |= json_object_set_new(r, "source_offset",
                               rec->topic != NULL ? json_integer(rec->offset)
                                                  : json_null());
    if (bad) {
        snprintf(err, err_size, "out of memory building a row");
        json_decref(r);
        return -1;
    }
    *row = r;
    return table;
}

/* ---- batches ------------------------------------------------------------ */

typedef struct {
    co_record_t rec; /* pointers below are owned copies */
    co_header_t *headers;
} pgsink_orig_t;

typedef struct {
    size_t orig;
    char *message;
} pgsink_failure_t;

struct pgsink_batch_s {
    pgsink_orig_t *orig;
    size_t n, cap;
    json_t *rows[PGSINK_NTABLES]; /* key -> row (row "_i" = orig index) */
    pgsink_failure_t *failed;
    size_t nfailed;
    json_t *kept; /* key -> [stored sha256, incoming sha256] */
};

pgsink_batch_t *pgsink_batch_new(void)
{
    pgsink_batch_t *b = calloc(1, sizeof *b);
    if (b == NULL || (b->kept = json_object()) == NULL) {
        free(b);
        return NULL;
    }
    for (int t = 0; t < PGSINK_NTABLES; t++) {
        if ((b->rows[t] = json_object()) == NULL) {
            pgsink_batch_free(b);
            return NULL;
        }
    }
    return b;
}

static void pgsink_orig_free(pgsink_orig_t *o)
{
    for (size_t i = 0; i < o->rec.header_cnt; i++) {
        free((char *)o->headers[i].name);
        free((void *)o->headers[i].value);
    }
    free(o->headers);
    free((void *)o->rec.key);
    free((void *)o->rec.value);
    free((char *)o->rec.topic);
}

static void pgsink_failures_clear(pgsink_batch_t *b)
{
    for (size_t i = 0; i < b->nfailed; i++)
        free(b->failed[i].message);
    free(b->failed);
    b->failed = NULL;
    b->nfailed = 0;
    json_object_clear(b->kept);
}

const json_t *pgsink_batch_kept(const pgsink_batch_t *b)
{
    return b->kept;
}

void pgsink_batch_clear(pgsink_batch_t *b)
{
    for (size_t i = 0; i < b->n; i++)
        pgsink_orig_free(&b->orig[i]);
    b->n = 0;
    for (int t = 0; t < PGSINK_NTABLES; t++)
        json_object_clear(b->rows[t]);
    pgsink_failures_clear(b);
}

void pgsink_batch_free(pgsink_batch_t *b)
{
    if (b == NULL)
        return;
    pgsink_batch_clear(b);
    free(b->orig);
    for (int t = 0; t < PGSINK_NTABLES; t++)
        json_decref(b->rows[t]);
    json_decref(b->kept);
    free(b);
}

static void *pgsink_memdup(const void *p, size_t len)
{
    if (p == NULL)
        return NULL;
    char *d = malloc(len + 1);
    if (d != NULL) {
        memcpy(d, p, len);
        d[len] = '\0';
    }
    return d;
}

int pgsink_batch_add(pgsink_batch_t *b, int table, json_t *row,
                     const co_record_t *rec)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        pgsink_orig_t *o = realloc(b->orig, cap * sizeof *o);
        if (o == NULL) {
            json_decref(row);
            return CO_ERR_NOMEM;
        }
        b->orig = o;
        b->cap = cap;
    }
    pgsink_orig_t *o = &b->orig[b->n];
    memset(o, 0, sizeof *o);
    o->rec.size = sizeof o->rec;
    o->rec.key = pgsink_memdup(rec->key, rec->key_len);
    o->rec.key_len = rec->key_len;
    o->rec.value = pgsink_memdup(rec->value, rec->value_len);
    o->rec.value_len = rec->value_len;
    o->rec.topic = rec->topic != NULL ? strdup(rec->topic) : NULL;
    o->rec.partition = rec->partition;
    o->rec.offset = rec->offset;
    o->rec.timestamp_ms = rec->timestamp_ms;
    int bad = (rec->key != NULL && o->rec.key == NULL) ||
              (rec->value != NULL && o->rec.value == NULL) ||
              (rec->topic != NULL && o->rec.topic == NULL);
    if (rec->header_cnt > 0 && rec->headers != NULL) {
        o->headers = calloc(rec->header_cnt, sizeof *o->headers);
        bad |= o->headers == NULL;
        for (size_t i = 0; !bad && i < rec->header_cnt; i++) {
            const co_header_t *h = &rec->headers[i];
            o->headers[i].name = h->name != NULL ? strdup(h->name) : NULL;
            o->headers[i].value = pgsink_memdup(h->value, h->value_len);
            o->headers[i].value_len = h->value_len;
            o->rec.header_cnt = i + 1;
            bad |= (h->name != NULL && o->headers[i].name == NULL) ||
                   (h->value != NULL && o->headers[i].value == NULL);
        }
        o->rec.headers = o->headers;
    }
    bad |= json_object_set_new(row, "_i", json_integer((json_int_t)b->n));
    const char *key = json_string_value(json_object_get(row, "key"));
    if (bad || key == NULL || json_object_set(b->rows[table], key, row) != 0) {
        pgsink_orig_free(o);
        json_decref(row);
        return CO_ERR_NOMEM;
    }
    json_decref(row);
    b->n++;
    return 0;
}

size_t pgsink_batch_count(const pgsink_batch_t *b)
{
    return b->n;
}

size_t pgsink_batch_failed_count(const pgsink_batch_t *b)
{
    return b->nfailed;
}

const co_record_t *pgsink_batch_failed(const pgsink_batch_t *b, size_t i,
                                       const char **message)
{
    if (i >= b->nfailed)
        return NULL;
    if (message != NULL)
        *message = b->failed[i].message;
    return &b->orig[b->failed[i].orig].rec;
}

/* ---- SQL helpers -------------------------------------------------------- */

/* libpq as linked into this plugin, for lib/pgmigrate. */
static const co_pgmig_pq_t pgsink_pq = CO_PGMIG_PQ_LINKED;

int pgsink_conn_lost(PGconn *c, const PGresult *r)
{
    return co_pgmig_conn_lost(&pgsink_pq, c, r);
}

static int pgsink_ok(const PGresult *r)
{
    return co_pgmig_ok(&pgsink_pq, r);
}

/* Server message on one line. */
static void pgsink_errcopy(char *dst, size_t n, const char *what,
                           const char *msg)
{
    co_pgmig_errline(dst, n, what, msg);
}

/* `tmpl` with every "{s}" replaced by the quoted schema. malloc'd. */
static char *pgsink_sql(PGconn *c, const char *tmpl, const char *schema)
{
    char *q = PQescapeIdentifier(c, schema, strlen(schema));
    if (q == NULL)
        return NULL;
    size_t ql = strlen(q), n = 0;
    for (const char *p = tmpl; (p = strstr(p, "{s}")) != NULL; p += 3)
        n++;
    size_t cap = strlen(tmpl) + n * ql + 1;
    char *out = malloc(cap), *o = out;
    if (out != NULL) {
        for (const char *p = tmpl; *p != '\0';) {
            if (strncmp(p, "{s}", 3) == 0) {
                memcpy(o, q, ql);
                o += ql;
                p += 3;
            } else {
                *o++ = *p++;
            }
        }
        *o = '\0';
    }
    PQfreemem(q);
    return out;
}

/* ---- migrations --------------------------------------------------------- */

/* Append-only: never edit a released migration; add a new one. "{s}" is
 * the schema. */
static const co_pgmig_step_t pgsink_migrations[] = {
    {1, "emails, events and briefings",
     /* Timestamps in documents are untrusted text: accept only ISO 8601 /
      * RFC 3339 shapes (not 'now' or 'infinity'), NULL for anything else. */
     "CREATE FUNCTION {s}.careerops_timestamptz(t text) RETURNS timestamptz"
     " LANGUAGE plpgsql STABLE AS $f$ BEGIN"
     "  IF t IS NULL OR t !~ '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}"
     "(:\\d{2}(\\.\\d+)?)?)?([Zz]|[+-]\\d{2}(:?\\d{2})?)?$' THEN"
     "   RETURN NULL; END IF;"
     "  RETURN t::timestamptz;"
     " EXCEPTION WHEN others THEN RETURN NULL;"
     " END $f$;"
     "CREATE TABLE {s}.emails ("
     " key text PRIMARY KEY,"
     " message_id text,"
     " thread_id text,"
     " subject text,"
     " sender text,"
     " sender_name text,"
     " received_at timestamptz,"
     " doc jsonb NOT NULL,"
     " source_topic text,"
     " source_partition integer,"
     " source_offset bigint,"
     " inserted_at timestamptz NOT NULL DEFAULT now(),"
     " updated_at timestamptz NOT NULL DEFAULT now());"
     "CREATE TABLE {s}.events ("
     " key text PRIMARY KEY,"
     " event_type text NOT NULL,"
     " company text,"
     " role text,"
     " scheduled_at timestamptz,"
     " confidence double precision,"
     " subject text,"
     " sender text,"
     " received_at timestamptz,"
     " classifier text,"
     " model text,"
     " doc jsonb NOT NULL,"
     " source_topic text,"
     " source_partition integer,"
     " source_offset bigint,"
     " inserted_at timestamptz NOT NULL DEFAULT now(),"
     " updated_at timestamptz NOT NULL DEFAULT now());"
     "CREATE TABLE {s}.briefings ("
     " key text PRIMARY KEY,"
     " company text,"
     " event_key text,"
     " event_type text,"
     " summary text,"
     " generated_at timestamptz,"
     " doc jsonb NOT NULL,"
     " source_topic text,"
     " source_partition integer,"
     " source_offset bigint,"
     " inserted_at timestamptz NOT NULL DEFAULT now(),"
     " updated_at timestamptz NOT NULL DEFAULT now());"},
    {2, "indexes for the dashboard's filters",
     "CREATE INDEX events_type_scheduled_idx"
     " ON {s}.events (event_type, scheduled_at);"
     "CREATE INDEX events_company_idx ON {s}.events (lower(company));"
     "CREATE INDEX events_received_idx ON {s}.events (received_at);"
     "CREATE INDEX emails_received_idx ON {s}.emails (received_at);"
     "CREATE INDEX emails_sender_idx ON {s}.emails (lower(sender));"
     "CREATE INDEX briefings_company_idx ON {s}.briefings (lower(company));"
     "CREATE INDEX briefings_event_idx ON {s}.briefings (event_key);"},
    {3, "applications and their transitions", pgsink_applications_sql},
    {4, "the raw message's archive reference of each email (issue 17)",
     "ALTER TABLE {s}.emails ADD COLUMN archive_url text,"
     " ADD COLUMN archive_sha256 text, ADD COLUMN archive_size bigint;"},
    {5, "one interview per time; a rescheduled interview replaces its slot",
     pgsink_interviews_sql},
    {6,
     "what cancels an interview: a calendar CANCEL whatever its label, "
     "a rejection before its time; a moved slot keeps its join link",
     pgsink_cancels_sql},
    {7,
     "a rejection cancels an interview only when it names no role, the "
     "interview's role, or is in its thread",
     pgsink_role_cancels_sql},
    {8,
     "calendar cancels: STATUS:CANCELLED cancels, a CANCEL finds a slot "
     "moved by text, a cancel labelled REJECTION cancels its slot only; "
     "each slot's end",
     pgsink_calendar_cancels_sql},
    {9,
     "more ways to say an interview moved: 'move your panel from Tuesday to "
     "Wednesday', 'moved your interview to', '(previously Thursday ...)'",
     pgsink_moved_cues_sql},
    {10,
     "the move cues across a wrapped line or an HTML break; 'rebooked', "
     "'push your interview back to', 'new slot', 'postponed', 'déplacé'",
     pgsink_moved_cues_wrap_sql},
    {11,
     "more ways to say an interview moved: 'rearrange', 'instead?', "
     "'now takes place on'",
     pgsink_moved_cues_more_sql},
    {12,
     "automatic company aliases: 'Ashcombe' and 'Ashcombe Partners' from "
     "the company's own domain are one company",
     pgsink_auto_aliases_sql},
    {13,
     "a decision recorded with --decide before two spellings merged stays "
     "with the merged application",
     pgsink_merged_decisions_sql},
    {14,
     "your own reply declining an offer or withdrawing closes the "
     "application (DECLINED, WITHDRAWN) unless you decided with --decide",
     pgsink_own_decisions_sql},
    {15,
     "the cost of a flush: the derivation runs without JIT; the keys an "
     "alias may concern are looked up by index",
     pgsink_flush_cost_sql},
    {16,
     "a move that names who between the appointment and its new time: "
     "'moved your interview with Fallowmere to Wednesday'",
     pgsink_moved_cues_with_sql},
    {17,
     "a rejection naming another role than the application's is an "
     "application of its own: it no longer closes the one with an interview "
     "ahead",
     pgsink_other_role_sql},
    {18,
     "one account's writers no longer wait for another's: the lock of a "
     "company's applications names the schema",
     pgsink_lock_schema_sql},
};

#define PGSINK_LATEST                                                          \
    ((int)(sizeof pgsink_migrations / sizeof pgsink_migrations[0]))

int pgsink_schema_latest(void)
{
    return PGSINK_LATEST;
}

/* lib/pgmigrate's sql() hook: "{s}" -> the quoted schema (arg). */
static char *pgsink_mig_sql(void *arg, PGconn *c, const char *tmpl)
{
    return pgsink_sql(c, tmpl, arg);
}

int pgsink_migrate(PGconn *c, const char *schema, int target, char *err,
                   size_t err_size, int *lost)
{
    *lost = 0;
    if (target == 0)
        target = PGSINK_LATEST;
    if (target < 0 || target > PGSINK_LATEST) {
        snprintf(err, err_size,
                 "postgres-sink schema version %d does not "
                 "exist (1..%d)",
                 target, PGSINK_LATEST);
        return -1;
    }
    PGresult *r = PQexec(c, "SET TIME ZONE 'UTC'");
    if (!pgsink_ok(r)) {
        *lost = pgsink_conn_lost(c, r);
        pgsink_errcopy(err, err_size, "postgres-sink migration failed",
                       r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c));
        PQclear(r);
        return -1;
    }
    PQclear(r);
    char what[300];
    snprintf(what, sizeof what, "postgres-sink tables in schema %s", schema);
    const co_pgmig_t m = {
        .steps = pgsink_migrations,
        .n_steps = PGSINK_LATEST,
        .table = "{s}.careerops_sink_migrations",
        .lock_sql = "SELECT pg_advisory_xact_lock("
                    "hashtext('careerops-sink:' || $1))",
        .lock_param = schema,
        .prelude = "CREATE SCHEMA IF NOT EXISTS {s}",
        .what = what,
        .upgrade = "upgrade the plugin",
        .sql = pgsink_mig_sql,
        .arg = (void *)schema,
    };
    return co_pgmig_run(&pgsink_pq, c, &m, target, err, err_size, lost);
}

/* ---- the upsert --------------------------------------------------------- */

/* Append to a growing string; returns 0 or -1 (no memory). */
static int pgsink_cat(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = (*cap ? *cap : 1024);
        while (*len + n + 1 > c)
            c *= 2;
        char *p = realloc(*buf, c);
        if (p == NULL)
            return -1;
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

/* Where emails and events keep the raw message's SHA-256 (jsonb path). */
static const char *pgsink_sha_path(int table)
{
    return table == PGSINK_EMAILS ? "'{archive,sha256}'" : "'{email,sha256}'";
}

/*
 * INSERT INTO {s}.T AS t (cols) SELECT r.col | ts(r.col) ...
 * FROM jsonb_to_recordset($1::jsonb) AS r(col type, ...)
 * ON CONFLICT (key) DO UPDATE SET col = EXCLUDED.col, ..., updated_at = now()
 * WHERE t.doc IS DISTINCT FROM EXCLUDED.doc
 * (so replaying the same records writes nothing). Template with {s}.
 */
static char *pgsink_upsert_tmpl(int table)
{
    const pgsink_col_t *cols = pgsink_cols[table];
    char *b = NULL;
    size_t len = 0, cap = 0;
    int bad = pgsink_cat(&b, &len, &cap, "INSERT INTO {s}.");
    bad |= pgsink_cat(&b, &len, &cap, pgsink_table_names[table]);
    bad |= pgsink_cat(&b, &len, &cap, " AS t (");
    for (const pgsink_col_t *c = cols; c->name != NULL; c++) {
        bad |= pgsink_cat(&b, &len, &cap, c == cols ? "" : ", ");
        bad |= pgsink_cat(&b, &len, &cap, c->name);
    }
    bad |= pgsink_cat(&b, &len, &cap, ") SELECT ");
    for (const pgsink_col_t *c = cols; c->name != NULL; c++) {
        bad |= pgsink_cat(&b, &len, &cap, c == cols ? "" : ", ");
        if (c->flags & PGSINK_TS)
            bad |= pgsink_cat(&b, &len, &cap, "{s}.careerops_timestamptz(");
        bad |= pgsink_cat(&b, &len, &cap, "r.");
        bad |= pgsink_cat(&b, &len, &cap, c->name);
        if (c->flags & PGSINK_TS)
            bad |= pgsink_cat(&b, &len, &cap, ")");
    }
    bad |=
        pgsink_cat(&b, &len, &cap, " FROM jsonb_to_recordset($1::jsonb) AS r(");
    for (const pgsink_col_t *c = cols; c->name != NULL; c++) {
        bad |= pgsink_cat(&b, &len, &cap, c == cols ? "" : ", ");
        bad |= pgsink_cat(&b, &len, &cap, c->name);
        bad |= pgsink_cat(&b, &len, &cap, " ");
        bad |= pgsink_cat(&b, &len, &cap, c->type);
    }
    bad |= pgsink_cat(&b, &len, &cap, ") ON CONFLICT (key) DO UPDATE SET ");
    for (const pgsink_col_t *c = cols + 1; c->name != NULL; c++) {
        bad |= pgsink_cat(&b, &len, &cap, c->name);
        bad |= pgsink_cat(&b, &len, &cap, " = EXCLUDED.");
        bad |= pgsink_cat(&b, &len, &cap, c->name);
        bad |= pgsink_cat(&b, &len, &cap, ", ");
    }
    bad |= pgsink_cat(&b, &len, &cap,
                      "updated_at = now()"
                      " WHERE t.doc IS DISTINCT FROM EXCLUDED.doc");
    /* One key, two different raw messages (the same sender, date, subject
     * and Message-ID, other bytes; trial 67): the first one stored stays,
     * email and event, as the notifier announced the first. The same
     * message read again (a new normalizer, a reclassification) has the
     * same SHA-256 and is updated. */
    if (table == PGSINK_EMAILS || table == PGSINK_EVENTS) {
        const char *sha = pgsink_sha_path(table);
        char g[320];
        snprintf(g, sizeof g,
                 " AND (t.doc #>> %s IS NULL OR EXCLUDED.doc #>> %s IS NULL OR"
                 " t.doc #>> %s = EXCLUDED.doc #>> %s)",
                 sha, sha, sha, sha);
        bad |= pgsink_cat(&b, &len, &cap, g);
    }
    /* A user's correction (careerops relabel) outlives reclassification. */
    if (table == PGSINK_EVENTS)
        bad |= pgsink_cat(&b, &len, &cap,
                          " AND NOT (t.doc ? 'correction' AND NOT"
                          " EXCLUDED.doc ? 'correction')");
    if (bad) {
        free(b);
        return NULL;
    }
    return b;
}

/* Upsert the rows of one table given as a JSON array text. */
static PGresult *pgsink_upsert(PGconn *c, const char *schema, int table,
                               const char *rows_json)
{
    char *tmpl = pgsink_upsert_tmpl(table);
    char *sql = tmpl != NULL ? pgsink_sql(c, tmpl, schema) : NULL;
    free(tmpl);
    if (sql == NULL)
        return NULL;
    const char *const params[] = {rows_json};
    PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    free(sql);
    return r;
}

/* Result of one statement: 0 ok, 1 connection lost, 2 statement failed
 * (message in err). Clears r. */
static int pgsink_check(PGconn *c, PGresult *r, char *err, size_t n,
                        const char *what)
{
    if (pgsink_ok(r)) {
        PQclear(r);
        return 0;
    }
    int lost = pgsink_conn_lost(c, r);
    pgsink_errcopy(err, n, what,
                   r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(c));
    PQclear(r);
    return lost ? 1 : 2;
}

/* Row by row under savepoints, after the server refused the batch. */
static pgsink_write_t pgsink_write_each(PGconn *c, const char *schema,
                                        pgsink_batch_t *b, char *err, size_t n)
{
    int rc = pgsink_check(c, PQexec(c, "BEGIN"), err, n, "BEGIN");
    if (rc != 0)
        return rc == 1 ? PGSINK_WRITE_CONN : PGSINK_WRITE_FATAL;
    for (int t = 0; t < PGSINK_NTABLES; t++) {
        const char *key;
        json_t *row;
        json_object_foreach(b->rows[t], key, row)
        {
            json_t *one = json_pack("[O]", row);
            char *text = one != NULL ? json_dumps(one, JSON_COMPACT) : NULL;
            json_decref(one);
            if (text == NULL) {
                snprintf(err, n, "out of memory");
                PQclear(PQexec(c, "ROLLBACK"));
                return PGSINK_WRITE_FATAL;
            }
            rc = pgsink_check(c, PQexec(c, "SAVEPOINT pgsink_row"), err, n,
                              "SAVEPOINT");
            char row_err[1024];
            int row_rc =
                rc == 0 ? pgsink_check(c, pgsink_upsert(c, schema, t, text),
                                       row_err, sizeof row_err,
                                       pgsink_table_names[t])
                        : rc;
            free(text);
            if (row_rc == 1 || rc != 0)
                return rc == 2 ? PGSINK_WRITE_FATAL : PGSINK_WRITE_CONN;
            if (row_rc == 2) {
                pgsink_failure_t *f =
                    realloc(b->failed, (b->nfailed + 1) * sizeof *f);
                if (f == NULL) {
                    PQclear(PQexec(c, "ROLLBACK"));
                    snprintf(err, n, "out of memory");
                    return PGSINK_WRITE_FATAL;
                }
                b->failed = f;
                f[b->nfailed].orig =
                    (size_t)json_integer_value(json_object_get(row, "_i"));
                f[b->nfailed].message = strdup(row_err);
                b->nfailed++;
                rc = pgsink_check(c,
                                  PQexec(c, "ROLLBACK TO SAVEPOINT pgsink_row"),
                                  err, n, "ROLLBACK TO SAVEPOINT");
            } else {
                rc = pgsink_check(c, PQexec(c, "RELEASE SAVEPOINT pgsink_row"),
                                  err, n, "RELEASE SAVEPOINT");
            }
            if (rc != 0)
                return rc == 1 ? PGSINK_WRITE_CONN : PGSINK_WRITE_FATAL;
        }
    }
    rc = pgsink_check(c, PQexec(c, "COMMIT"), err, n, "COMMIT");
    return rc == 0 ? PGSINK_WRITE_OK
                   : (rc == 1 ? PGSINK_WRITE_CONN : PGSINK_WRITE_FATAL);
}

/* Rows of `table` (a JSON array text) that the upsert will keep as stored
 * because a different raw message holds the key: into b->kept. Only
 * emails and events carry the raw message's SHA-256. Returns as
 * pgsink_check(). */
static int pgsink_find_kept(PGconn *c, const char *schema, int table,
                            const char *rows_json, pgsink_batch_t *b, char *err,
                            size_t n)
{
    if (table != PGSINK_EMAILS && table != PGSINK_EVENTS)
        return 0;
    const char *sha = pgsink_sha_path(table);
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl,
             "SELECT r.key, t.doc #>> %s, r.doc #>> %s"
             " FROM jsonb_to_recordset($1::jsonb) AS r(key text, doc jsonb)"
             " JOIN {s}.%s AS t ON t.key = r.key"
             " WHERE t.doc #>> %s <> r.doc #>> %s",
             sha, sha, pgsink_table_names[table], sha, sha);
    char *sql = pgsink_sql(c, tmpl, schema);
    if (sql == NULL) {
        snprintf(err, n, "out of memory");
        return 2;
    }
    const char *const params[] = {rows_json};
    PGresult *r = PQexecParams(c, sql, 1, NULL, params, NULL, NULL, 0);
    free(sql);
    for (int i = 0; pgsink_ok(r) && i < PQntuples(r); i++)
        json_object_set_new(
            b->kept, PQgetvalue(r, i, 0),
            json_pack("[ss]", PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)));
    return pgsink_check(c, r, err, n, "same-key check");
}

pgsink_write_t pgsink_write(PGconn *c, const char *schema, pgsink_batch_t *b,
                            char *err, size_t n)
{
    pgsink_failures_clear(b);
    err[0] = '\0';
    if (b->n == 0)
        return PGSINK_WRITE_OK;
    int rc = pgsink_check(c, PQexec(c, "BEGIN"), err, n, "BEGIN");
    if (rc != 0)
        return rc == 1 ? PGSINK_WRITE_CONN : PGSINK_WRITE_FATAL;
    int data_error = 0;
    for (int t = 0; t < PGSINK_NTABLES && rc == 0; t++) {
        if (json_object_size(b->rows[t]) == 0)
            continue;
        json_t *arr = json_array();
        const char *key;
        json_t *row;
        json_object_foreach(b->rows[t], key, row)
        {
            json_array_append(arr, row);
        }
        char *text = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
        if (text == NULL) {
            snprintf(err, n, "out of memory");
            PQclear(PQexec(c, "ROLLBACK"));
            return PGSINK_WRITE_FATAL;
        }
        rc = pgsink_find_kept(c, schema, t, text, b, err, n);
        PGresult *r = rc == 0 ? pgsink_upsert(c, schema, t, text) : NULL;
        free(text);
        if (rc != 0)
            break;
        if (!pgsink_ok(r) && r != NULL && !pgsink_conn_lost(c, r)) {
            const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            /* Classes 22 (data) and 23 (constraint), 54 (limits): a row's
             * fault; anything else (missing table, permissions) is not. */
            data_error = st != NULL && (strncmp(st, "22", 2) == 0 ||
                                        strncmp(st, "23", 2) == 0 ||
                                        strncmp(st, "54", 2) == 0);
        }
        rc = pgsink_check(c, r, err, n, pgsink_table_names[t]);
    }
    if (rc == 0)
        rc = pgsink_check(c, PQexec(c, "COMMIT"), err, n, "COMMIT");
    if (rc == 0)
        return PGSINK_WRITE_OK;
    if (rc == 1)
        return PGSINK_WRITE_CONN;
    PQclear(PQexec(c, "ROLLBACK"));
    if (!data_error)
        return PGSINK_WRITE_FATAL;
    return pgsink_write_each(c, schema, b, err, n);
}
