/*
 * classify-eml: print what the rules classifier makes of .eml files
 * (label, scores, company, role, date, evidence). A tool for people
 * extending the rules (docs/classification.md); not installed.
 *
 *   build/tests/classify/classify-eml [--rules DIR] FILE.eml...
 */
#include "co_mail.h"
#include "rules_engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *dir = RULES_SOURCE_DATADIR;
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "--rules") == 0) {
        dir = argv[2];
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: classify-eml [--rules DIR] FILE.eml...\n");
        return 2;
    }
    char err[512];
    rules_db_t *db = rules_db_new();
    if (db == NULL || rules_db_load_dir(db, dir, err, sizeof err) < 0 ||
        rules_db_finish(db, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        rules_db_free(db);
        return 2;
    }
    int rc = 0;
    for (; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            rc = 1;
            continue;
        }
        char *raw = NULL;
        size_t cap = 0, len = 0, n;
        char chunk[65536];
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (len + n > cap) {
                cap = (len + n) * 2;
                raw = realloc(raw, cap);
            }
            memcpy(raw + len, chunk, n);
            len += n;
        }
        fclose(f);
        char *json = NULL, key[65];
        if (co_mail_to_json(raw, len, NULL, NULL, &json, NULL, key, err,
                            sizeof err) != 0) {
            printf("%s: not a message: %s\n", argv[i], err);
            free(raw);
            rc = 1;
            continue;
        }
        free(raw);
        json_t *e = json_loads(json, 0, NULL);
        free(json);
        rules_result_t r;
        rules_classify(db, e, &r);
        printf("%s: %s %.2f  company=%s role=%s date=%s%s%s%s%s\n", argv[i],
               rules_label_name(r.label), r.confidence,
               r.company ? r.company : "-", r.role ? r.role : "-",
               r.scheduled[0] ? r.scheduled : "-",
               r.due_day[0] ? " due_day=" : "", r.due_day,
               r.rescheduled ? " rescheduled" : "",
               r.offer_call ? " offer_call" : "");
        printf("  scores:");
        for (int l = 0; l < RULES_NLABELS; l++)
            printf(" %s=%.1f", rules_label_name((rules_label_t)l), r.score[l]);
        printf(" context=%.1f bulk=%.1f\n", r.context, r.bulk);
        for (size_t k = 0; k < r.n_evidence; k++)
            printf("  - %s\n", r.evidence[k]);
        rules_result_clear(&r);
        json_decref(e);
    }
    rules_db_free(db);
    return rc;
}
