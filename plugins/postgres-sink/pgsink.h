/**
 * @file plugins/postgres-sink/pgsink.h
 * @brief postgres-sink internals: record -> row, batches, schema
 *        migrations and the batch upsert. Pure functions (no host API),
 *        compiled into the module and into the tests. Not installed.
 *
 * Threading: a batch and a PGconn belong to one thread (one instance).
 */
#ifndef PGSINK_H
#define PGSINK_H

#include <careerops/types.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

/**
 * The plugin's configuration struct, filled by the host from the option
 * table of postgres_sink.c (offsetof of these fields); tests and the
 * benchmark fill it themselves to drive the plugin through its ABI. Every
 * pointer is borrowed (host-owned strings). Units as the options say.
 */
struct pgsink_config {
    const char *conninfo;      /**< libpq URI or key=value string */
    const char *schema;        /**< PostgreSQL schema of the tables */
    int64_t batch_size;        /**< records per flush */
    const char *const *tables; /**< NULL-terminated table names, NULL: all */
    int64_t connect_timeout_s; /**< libpq connect_timeout, seconds */
    int64_t wait_s;            /**< keep retrying a down server, seconds */
};

/** The tables the sink writes, one per record schema. */
typedef enum pgsink_table_e {
    PGSINK_EMAILS = 0,    /**< careerops.email.v1 */
    PGSINK_EVENTS = 1,    /**< careerops.event.v1 */
    PGSINK_BRIEFINGS = 2, /**< careerops.briefing.v1 */
    PGSINK_NTABLES = 3
} pgsink_table_t;

/** Longest idempotency key accepted, in bytes. */
#define PGSINK_KEY_MAX 512
/** Typed (filterable, indexed) text columns are cut to this many bytes at a
 *  UTF-8 boundary; the JSONB document keeps the whole value. */
#define PGSINK_TYPED_MAX 512

/** @brief Table name ("emails"...). Static string. */
const char *pgsink_table_name(int table);
/** @brief Table for a name, or -1. */
int pgsink_table_from_name(const char *name);
/** @brief Table for a record's "schema" value, or -1 if unknown. */
int pgsink_table_for_schema(const char *schema);

/**
 * @brief Turn one record into a row for its table.
 * @param rec The record (borrowed). Its value must be a JSON object with a
 *        known "schema".
 * @param row Set to a new JSON object whose members are the table's
 *        columns (decref it).
 * @returns The table (>= 0), or -1 with a message naming the problem and
 *          the fix in `err` (the record belongs in the dead-letter topic).
 */
int pgsink_row_build(const co_record_t *rec, json_t **row, char *err,
                     size_t err_size);

/** A batch of rows waiting to be written, and the records they came from. */
typedef struct pgsink_batch_s pgsink_batch_t;

/** @brief A new empty batch, or NULL (no memory). */
pgsink_batch_t *pgsink_batch_new(void);
/** @brief Free a batch; NULL is allowed. */
void pgsink_batch_free(pgsink_batch_t *b);
/**
 * @brief Add a row (reference stolen) and a copy of its record (for the
 *        dead-letter topic). A later row with the same key in the same table
 *        replaces the earlier one in the write (the newest version wins).
 * @returns 0 or CO_ERR_NOMEM.
 */
int pgsink_batch_add(pgsink_batch_t *b, int table, json_t *row,
                     const co_record_t *rec);
/** @brief Records added since the last clear. */
size_t pgsink_batch_count(const pgsink_batch_t *b);
/** @brief Forget every row, record and failure. */
void pgsink_batch_clear(pgsink_batch_t *b);
/** @brief Records the server rejected in the last pgsink_write(). */
size_t pgsink_batch_failed_count(const pgsink_batch_t *b);
/**
 * @brief Failed record i (0..failed_count-1) as the original record
 *        (pointers owned by the batch, valid until clear) and the server's
 *        message.
 */
const co_record_t *pgsink_batch_failed(const pgsink_batch_t *b, size_t i,
                                       const char **message);

/**
 * @brief Keys the last pgsink_write() kept as they were because a
 *        *different* raw message with the key is stored (the README's
 *        "first one stored stays"): an object, key -> [stored SHA-256,
 *        incoming SHA-256] (borrowed, valid until the next write or clear).
 *        Each key once, whether seen in emails, events or both.
 */
const json_t *pgsink_batch_kept(const pgsink_batch_t *b);

/**
 * @brief Migration 3 (pg_applications.c): the applications tables, the
 *        functions that derive them from events and the triggers that keep
 *        them current ("{s}" = the schema). See docs/applications.md.
 */
extern const char pgsink_applications_sql[];

/**
 * @brief Migration 5: interviews of an application, one per scheduled time,
 *        an interview moved or cancelled marked `superseded_by` (and left
 *        out of next_interview); redefines the rederive function and
 *        re-derives every application. See docs/applications.md.
 */
extern const char pgsink_interviews_sql[];

/**
 * @brief Migration 6: what cancels an interview: a calendar CANCEL of its
 *        UID whatever the message's label, a rejection (or the move to
 *        REJECTED / WITHDRAWN) before its time; a moved slot keeps the
 *        replaced one's join link and notes its time (`moved_from`).
 *        Redefines the rederive and the trigger's key lookup, re-derives
 *        every application. See docs/applications.md, "Interviews".
 */
extern const char pgsink_cancels_sql[];

/**
 * @brief Migration 7: a rejection cancels an interview slot only when it
 *        names no role, the invitation's role, or shares its thread
 *        (careerops_application_interviews redefined; every application
 *        re-derived). See docs/applications.md, "Interviews".
 */
extern const char pgsink_role_cancels_sql[];

/**
 * @brief Migration 8: calendar cancels and each interview's end. A VEVENT
 *        with STATUS:CANCELLED cancels its UID as METHOD:CANCEL does
 *        (careerops_cancel_uids() and its index redefined); a slot moved
 *        by a text message keeps the replaced slot's UID, so a CANCEL of
 *        the invitation cancels it; a calendar cancel labelled REJECTION
 *        cancels its slot only and moves no status unless its new text
 *        clearly rejects (careerops_text_rejects()); each slot stores
 *        `end` when its calendar part gives DTEND or DURATION. Redefines
 *        the interviews and the rederive, re-derives every application.
 *        See docs/applications.md, "Interviews".
 */
extern const char pgsink_calendar_cancels_sql[];

/**
 * @brief Migration 9: careerops_interview_moved() also reads "move your
 *        panel from Tuesday to Wednesday", "moved your interview to
 *        Friday", "has been moved" and "(previously Thursday ...)" as a
 *        moved slot; re-derives every application. See docs/
 *        applications.md, "Interviews".
 */
extern const char pgsink_moved_cues_sql[];
/**
 * @brief Migration 10: careerops_interview_moved() reads migration 9's
 *        cues across a wrapped line or an HTML break, and "rebooked",
 *        "push your interview back to", "new slot", "postponed",
 *        "déplacé", "reporté"; re-derives every application. See docs/
 *        applications.md, "Interviews".
 */
extern const char pgsink_moved_cues_wrap_sql[];
/**
 * @brief Migration 11: careerops_interview_moved() also reads
 *        "rearrange", "... instead?" and "now takes place on" as a moved
 *        slot; re-derives every application.
 */
extern const char pgsink_moved_cues_more_sql[];
/**
 * @brief Migration 16: careerops_interview_moved() also reads a move that
 *        names who between the appointment and its new time ("moved your
 *        interview with Fallowmere to Wednesday"); re-derives every
 *        application.
 */
extern const char pgsink_moved_cues_with_sql[];
/**
 * @brief Migration 17: a REJECTION naming a role that no other event of its
 *        application names (while one of them names a role), outside their
 *        threads, is an application of its own role; re-derives every
 *        application.
 */
extern const char pgsink_other_role_sql[];
extern const char pgsink_lock_schema_sql[];
/**
 * @brief Migration 12: automatic company aliases: a short company named
 *        from its own domain (a label spelling it, not the user's own
 *        domain) whose first words begin the one longer company named from
 *        that domain is its alias (`company_aliases.auto`), unless the
 *        longer one is an alias itself; kept up to date by statement
 *        triggers on events (insert, update, delete); re-derives the
 *        applications concerned.
 */
extern const char pgsink_auto_aliases_sql[];
/** Migration 13: a decision recorded before a merge stays with the merged
 *  application (pg_applications.c). */
extern const char pgsink_merged_decisions_sql[];
/** Migration 14: your own reply declining an offer or withdrawing closes
 *  the application (pg_applications.c). */
extern const char pgsink_own_decisions_sql[];
/** Migration 15: the cost of a flush: no JIT for the derivation, alias
 *  keys looked up by index (pg_applications.c). */
extern const char pgsink_flush_cost_sql[];

/** @brief The newest schema version of the sink's tables. */
int pgsink_schema_latest(void);

/**
 * @brief Create the PostgreSQL schema `schema` if needed and migrate the
 *        sink's tables in it to `target` (0 = newest), in one transaction
 *        under an advisory lock. Versions are kept in
 *        `schema`.careerops_sink_migrations.
 * @param lost Set to 1 if the connection failed (retry later).
 * @returns The version reached, or -1 with the reason in err.
 */
int pgsink_migrate(PGconn *c, const char *schema, int target, char *err,
                   size_t err_size, int *lost);

/** Outcome of pgsink_write(). */
typedef enum pgsink_write_e {
    PGSINK_WRITE_OK = 0,   /**< committed (rows the server rejected, if
                                any, are listed as failed) */
    PGSINK_WRITE_CONN = 1, /**< connection lost: nothing was committed;
                                reconnect and write the same batch again */
    PGSINK_WRITE_FATAL = 2 /**< an error retrying cannot fix (e.g. a table
                                was dropped, permission denied) */
} pgsink_write_t;

/**
 * @brief Upsert every row of the batch in one transaction: one
 *        INSERT ... SELECT FROM jsonb_to_recordset($1) ... ON CONFLICT (key)
 *        DO UPDATE per table. If the server rejects the data, the batch is
 *        written again row by row under savepoints and the rows it rejects
 *        are listed as failed (the rest commit).
 * @returns See pgsink_write_t; err holds the server's message.
 */
pgsink_write_t pgsink_write(PGconn *c, const char *schema, pgsink_batch_t *b,
                            char *err, size_t err_size);

/** @brief True if a failed call means the connection is gone (server down
 *  or restarting) rather than a problem with the statement. */
int pgsink_conn_lost(PGconn *c, const PGresult *r);

#endif
