/*
 * extract-check: the company and scheduled date the rules classifier
 * extracts from each message when the label is the expected one (the label
 * decision forced through the decision hook), so that extraction can be
 * measured apart from classification (scripts/extract_report.py).
 *
 *   build/plugins/rules-classifier/tests/extract-check [--rules DIR]
 *   reads lines "PATH<TAB>LABEL" on stdin, writes
 *   "PATH<TAB>COMPANY<TAB>DATE<TAB>ROLE"
 */
#include "co_mail.h"
#include "rules_engine.h"
#include "rules_memory.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void force_label(void *arg, const json_t *email,
                        const rules_decision_t *d, rules_label_t *label,
                        double *confidence)
{
    (void)email;
    (void)d;
    (void)confidence;
    *label = *(const rules_label_t *)arg;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *raw = NULL;
    size_t cap = 0, n;
    char chunk[65536];
    *len = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (*len + n > cap) {
            cap = (*len + n) * 2;
            char *nr = realloc(raw, cap);
            if (nr == NULL) {
                free(raw);
                fclose(f);
                return NULL;
            }
            raw = nr;
        }
        memcpy(raw + *len, chunk, n);
        *len += n;
    }
    fclose(f);
    return raw;
}

int main(int argc, char **argv)
{
    const char *dir = RULES_SOURCE_DATADIR;
    if (argc == 3 && strcmp(argv[1], "--rules") == 0)
        dir = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: extract-check [--rules DIR] < PATH\\tLABEL "
                        "lines\n");
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
    /* each message alone, as the stage's default has it; EXTRACT_MEMORY=N:
     * the stage's company memory of N names over the lines, in their order
     * (company_memory: N) */
    const char *mv = getenv("EXTRACT_MEMORY");
    rules_memory_t *mem =
        rules_memory_new(mv != NULL ? (size_t)strtoul(mv, NULL, 10) : 0);
    char line[4096];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        *tab = '\0';
        rules_label_t want = RULES_OTHER;
        for (int l = 0; l < RULES_NLABELS; l++)
            if (strcmp(tab + 1, rules_label_name((rules_label_t)l)) == 0)
                want = (rules_label_t)l;
        size_t len;
        char *raw = slurp(line, &len);
        char *json = NULL, key[65];
        if (raw == NULL || co_mail_to_json(raw, len, NULL, NULL, &json, NULL,
                                           key, err, sizeof err) != 0) {
            printf("%s\t\t\t\n", line);
            free(raw);
            continue;
        }
        free(raw);
        if (getenv("EXTRACT_DUMP") != NULL)
            fprintf(stderr, "%s\n", json);
        json_t *e = json_loads(json, 0, NULL);
        free(json);
        rules_result_t r;
        if (e != NULL &&
            rules_classify_ex(db, e, force_label, &want, &r) == 0) {
            rules_memory_apply(mem, db, e, &r);
            printf("%s\t%s\t%s\t%s\n", line, r.company ? r.company : "",
                   r.scheduled, r.role ? r.role : "");
            rules_result_clear(&r);
        } else
            printf("%s\t\t\t\n", line);
        json_decref(e);
    }
    rules_memory_free(mem);
    rules_db_free(db);
    return 0;
}
