/*
 * A stored key from what the user typed: the whole key or an unambiguous
 * prefix, in any case (see co__key_prefix_find() in co_relabel_int.h).
 * One lookup for `careerops relabel KEY` (event keys) and `careerops
 * applications --decide ID` (application ids).
 */
#include "co_relabel_int.h"
#include "co_cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* candidates listed for an ambiguous prefix */
enum { CO__KEY_SHOW = 5 };

int co__key_prefix_find(PGconn *c, const char *schema, const char *table,
                        const char *column, const char *arg, char **out,
                        char *err, size_t err_size)
{
    *out = NULL;
    /* keys are written in lower-case hex: "4DD7AAAA" is "4dd7aaaa" */
    char *want = strdup(arg);
    if (want == NULL) {
        snprintf(err, err_size, "out of memory");
        return 1;
    }
    for (char *p = want; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM {s}.%s WHERE %s = $1 OR (length($1) "
             ">= " CO__RELABEL_MIN_PREFIX_S " AND left(%s, length($1)) = $1) "
             "ORDER BY %s = $1 DESC, %s LIMIT %d",
             column, table, column, column, column, column, CO__KEY_SHOW + 1);
    char *q = co__relabel_sql(c, schema, sql);
    const char *p1[1] = {want};
    PGresult *r = q ? PQexecParams(c, q, 1, NULL, p1, NULL, NULL, 0) : NULL;
    free(q);
    if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(err, err_size, "%s",
                 r ? PQresultErrorMessage(r) : PQerrorMessage(c));
        err[strcspn(err, "\n")] = '\0';
        PQclear(r);
        free(want);
        return 1;
    }
    int n = PQntuples(r);
    int rc = 0;
    if (n == 1 || (n > 1 && strcmp(PQgetvalue(r, 0, 0), want) == 0)) {
        *out = strdup(PQgetvalue(r, 0, 0));
        rc = *out ? 0 : 1;
        if (rc)
            snprintf(err, err_size, "out of memory");
    } else if (n == 0) {
        err[0] = '\0'; /* the caller says what it looked for */
        rc = 2;
    } else {
        size_t len = (size_t)snprintf(
            err, err_size,
            "prefix '%s' matches %s%d %ss in %s.%s:", co_cli_shown(arg),
            n > CO__KEY_SHOW ? "more than " : "",
            n > CO__KEY_SHOW ? CO__KEY_SHOW : n, column, co_cli_shown(schema),
            table);
        for (int i = 0; i < n && i < CO__KEY_SHOW && len < err_size; i++)
            len += (size_t)snprintf(err + len, err_size - len, "%s %s",
                                    i ? "," : "", PQgetvalue(r, i, 0));
        if (len < err_size)
            snprintf(err + len, err_size - len, "%s; give more characters",
                     n > CO__KEY_SHOW ? ", ..." : "");
        rc = 3;
    }
    PQclear(r);
    free(want);
    return rc;
}
