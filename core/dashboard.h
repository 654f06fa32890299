/**
 * @file core/dashboard.h
 * @brief The job seeker's dashboard behind the control endpoint
 *        (core/control.c): the web UI's files at `/` and its JSON API
 *        under `/api/` over postgres-sink's tables. Not installed.
 *        docs/dashboard.md is the user's view.
 *
 * The control endpoint checks Host on every request, and Origin and the
 * control token on every POST, before it calls co_dashboard_post(); this
 * file only answers.
 *
 * Thread-safety: co_dashboard_get() and co_dashboard_post() run on
 * libmicrohttpd's threads, several at once, and open their own PostgreSQL
 * connection per request (3 s at most to connect and per statement); the
 * dashboard itself is read-only after co_dashboard_new().
 */
#ifndef CO_CORE_DASHBOARD_H
#define CO_CORE_DASHBOARD_H

#include "manifest.h"

#include <microhttpd.h>

/** The dashboard's settings, taken from the manifest. */
typedef struct co_dashboard_s co_dashboard_t;

/**
 * @brief Settings from `m`: the database and schema of its first
 *        postgres-sink stage (else `$CAREEROPS_STATE` and schema
 *        "public"), the dead-letter file of a console-sink stage reading a
 *        dead-letter topic (relative to the manifest's folder), the
 *        manifest's file (for dead-letter replay), and the folder of the web
 * files
 *        (`$CAREEROPS_WEBDIR`, else the installed folder, else the source
 *        tree's web/).
 * @param m The manifest (borrowed; what is needed is copied).
 * @returns A new dashboard (free with co_dashboard_free()); never NULL.
 */
co_dashboard_t *co_dashboard_new(const co_manifest_t *m);

/** @brief Free; NULL is allowed. */
void co_dashboard_free(co_dashboard_t *d);

/**
 * @brief Answer a GET of the dashboard: a web file, or
 *        /api/applications, /api/application?id=ID, /api/interviews,
 *        /api/funnel, /api/deadletters.
 * @param status Set to the HTTP status.
 * @param type Set to the content type (static string).
 * @returns The body (malloc'd, NUL-terminated, the caller frees it), or
 *          NULL when `url` is not a dashboard route.
 */
char *co_dashboard_get(co_dashboard_t *d, struct MHD_Connection *c,
                       const char *url, unsigned *status, const char **type);

/**
 * @brief GET /api/emails/KEY/original: the raw message of an email from
 *        the archive ("show original", issue 17). The reference comes from
 *        postgres-sink's emails.archive_url (else doc.archive.archive_url);
 *        the bytes from `careerops archive get REF --archive ROOT` (ROOT:
 *        the reference up to "/sha256/"; S3 settings from the
 *        CAREEROPS_ARCHIVE_S3_* environment), written to an unlinked
 *        temporary file first so that a failure is a JSON error, then sent
 *        from it. `message/rfc822` as a download (KEY.eml), or
 *        `text/plain` inline with `?view=text`. 404 unknown email or no
 *        reference, 502 the archive cannot give the bytes, 503 no database.
 * @returns MHD's answer to queueing the response.
 * @remark Blocks the request's thread until the archive answered.
 */
enum MHD_Result co_dashboard_original(co_dashboard_t *d,
                                      struct MHD_Connection *c,
                                      const char *url);

/**
 * @brief Answer a POST already checked for Host, Origin and token:
 *        /api/relabel?key=KEY&label=LABEL runs `careerops relabel KEY LABEL
 *        --no-emit` (this program) on the dashboard's database;
 *        /api/deadletters/replay?offset=P:O runs `careerops dlq replay
 *        MANIFEST --offset P:O`. Blocks until the command ends.
 * @param status Set to the HTTP status.
 * @returns A JSON body (malloc'd), or NULL when `url` is not a dashboard
 *          route.
 */
char *co_dashboard_post(co_dashboard_t *d, struct MHD_Connection *c,
                        const char *url, unsigned *status);

/**
 * @brief The libpq connection string of the dashboard's database (the
 *        first postgres-sink stage's `conninfo`, else $CAREEROPS_STATE),
 *        or NULL when there is none. Owned by `d`; may hold a password:
 *        never log it as is.
 */
const char *co_dashboard_conninfo(const co_dashboard_t *d);

/**
 * @brief The schema of postgres-sink's tables the dashboard reads (the
 *        first postgres-sink stage's `schema`, "public" by default). Owned
 *        by `d`. Any thread.
 */
const char *co_dashboard_schema(const co_dashboard_t *d);

/**
 * @brief `careerops serve MANIFEST [--listen ADDR:PORT]`: the control
 *        endpoint with the dashboard and no pipeline, until SIGINT or
 *        SIGTERM; prints the URL on stdout, and logs a warning naming the
 *        database (without its password) and the fix when it does not
 *        answer at start (core/serve.c).
 * @returns Exit status: 0 stopped by a signal, 2 bad usage, bad manifest or
 *          no place to listen.
 * @remark Main thread; blocks SIGINT and SIGTERM.
 */
int co_cmd_serve(int argc, char **argv);

#endif
