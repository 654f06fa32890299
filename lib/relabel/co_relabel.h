/**
 * @file lib/relabel/co_relabel.h
 * @brief User corrections: `careerops relabel` records a correction of a
 *        stored event in PostgreSQL, updates the stored event and sends the
 *        corrected event downstream; `careerops train --corrections` reads
 *        the corrections back (co_corrections_read()). Compiled into the
 *        careerops program (libpq, the manifest loader, librdkafka).
 *
 * Usage:
 *   careerops relabel KEY LABEL [--company C] [--date T] [--role R]
 *                     [--note TEXT]
 *                     [CONNECTION] [--topic T | --no-emit]
 *   careerops relabel --export CSV [CONNECTION]
 *   careerops relabel --list [CONNECTION]
 * CONNECTION: --conninfo DSN, or --manifest M [--stage S] (the manifest's
 * postgres-sink stage: its conninfo and schema); --schema S overrides the
 * schema (default: the stage's, else public).
 *
 * KEY is the event's key (`email.key`, 64 hex digits) or a unique prefix
 * of at least 8 of them. LABEL is one of INTERVIEW, OFFER, ASSESSMENT,
 * REJECTION, APPLICATION_ACK, RECRUITER_OUTREACH, OTHER. --company "",
 * --date "" and --role "" set null; --date takes RFC 3339 with a zone and
 * is stored in UTC, or for an OFFER or ASSESSMENT a day YYYY-MM-DD (the
 * event's due_date; each clears the other).
 *
 * In one transaction: the table `<schema>.corrections` is created if
 * missing (its field check widened to role and due_date when it was made
 * before them); one row per changed field (event_key, field, old_value,
 * new_value, corrected_at, corrected_by, note); the stored event's `doc`
 * gets the new values, confidence 1, no `unsure` mark and a `correction`
 * object ({"at", "by", "fields", "old": {field: old value}, "note"}), and
 * its typed columns follow. After the commit, with --manifest (a broker other
 * than "embedded"), the corrected careerops.event.v1 is produced, keyed by the
 * event key, to --topic or the output topic of the manifest's first
 * *-classifier stage, so that sinks and the notifier see it.
 *
 * --export writes CSV (header file,label,company,scheduled_date,key,
 * corrected_at; the current, corrected values) and, next to it, the folder
 * CSV.emails/ with each corrected email's careerops.email.v1 document as
 * KEY.json (from postgres-sink's `emails` table; an event whose email is
 * not stored is skipped with a warning). `careerops eval` and
 * `careerops train --corrections` read that pair.
 *
 * Exit status: 0 done (also "nothing to change"); 1 database or broker
 * failure; 2 bad arguments, unknown key, ambiguous prefix.
 */
#ifndef CO_RELABEL_H
#define CO_RELABEL_H

#include <jansson.h>
#include <stddef.h>

/**
 * @brief The `relabel` sub-command.
 * @param argc,argv Arguments after the word "relabel" (borrowed).
 * @returns The process exit status (see the file comment).
 * @remark Main thread.
 */
int co_cmd_relabel(int argc, char **argv);

/**
 * @brief Called for each correction by co_corrections_read().
 * @param email The corrected message's careerops.email.v1 document
 *        (borrowed, valid during the call).
 * @param label The corrected label, 0..6 in careerops.event.v1 order.
 * @param what A name for messages (the file or the event key).
 * @returns 0 to go on, non-zero to stop (co_corrections_read() returns it).
 */
typedef int (*co_correction_fn)(void *arg, const json_t *email, int label,
                                const char *what);

/**
 * @brief Read a user's corrections with their emails.
 * @param src A CSV written by `careerops relabel --export` (or any labels
 *        CSV whose files are .eml messages or careerops.email.v1 .json
 *        documents, relative to the CSV's folder), or a PostgreSQL
 *        connection string (postgres:// or postgresql:// URI, or
 *        "key=value ..." text) to read `<schema>.corrections` joined with
 *        the stored events and emails directly.
 * @param schema The schema for a database source; NULL means "public".
 * @param count Out: corrections delivered.
 * @param err Receives "SOURCE: reason" on failure.
 * @returns 0; the callback's non-zero value; or -1 (unreadable source, bad
 *          CSV, database error, a file that is neither a message nor an
 *          email document).
 * @remark Main thread; no global state besides libpq's.
 */
int co_corrections_read(const char *src, const char *schema,
                        co_correction_fn fn, void *arg, size_t *count,
                        char *err, size_t err_size);

#endif
