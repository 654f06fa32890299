/*
 * clf-trace: for each row of a labels file, the rules' label, the learned
 * model's probabilities and the combined label, as TSV on stdout (for
 * tuning the decision and for scripts/cv.sh); the last two columns are the
 * row's expected scheduled date and the combined event's, each as the UTC
 * minute "YYYY-MM-DDTHH:MM" or empty.
 *
 *   clf-trace --model MODEL --labels CSV --emails DIR [--rules DIR]
 */
#include "co_mail.h"
#include "rules_eval.h"
#include "rules_engine.h"
#include "rules_model.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A UTC minute since the epoch as "YYYY-MM-DDTHH:MM"; "" when negative. */
static void trace_minute(long long minute, char *out, size_t out_size)
{
    out[0] = '\0';
    if (minute < 0)
        return;
    time_t tt = (time_t)(minute * 60);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, out_size, "%Y-%m-%dT%H:%M", &tm);
}

int main(int argc, char **argv)
{
    const char *model = NULL, *labels = NULL, *emails = NULL;
    const char *rules = RULES_SOURCE_DATADIR;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--model") == 0)
            model = argv[i + 1];
        else if (strcmp(argv[i], "--labels") == 0)
            labels = argv[i + 1];
        else if (strcmp(argv[i], "--emails") == 0)
            emails = argv[i + 1];
        else if (strcmp(argv[i], "--rules") == 0)
            rules = argv[i + 1];
    }
    if (model == NULL || labels == NULL || emails == NULL) {
        fprintf(stderr, "usage: clf-trace --model MODEL --labels CSV --emails "
                        "DIR [--rules DIR]\n");
        return 2;
    }
    char err[512];
    rules_db_t *db = rules_db_new();
    if (rules_db_load_dir(db, rules, err, sizeof err) < 0 ||
        rules_db_finish(db, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    rules_model_t *clf =
        rules_model_load(model, RULES_MODE_COMBINED, err, sizeof err);
    if (clf == NULL) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    co_eval_label_t *rows = NULL;
    size_t n = 0;
    if (co_eval_read_labels(labels, emails, &rows, &n) != 0)
        return 2;
    printf("file\texpected\trules\tcombined\tmodel\tbulk\tcontext\talerts\t"
           "calendar\trules_conf\tconfidence");
    for (int l = 0; l < RULES_NLABELS; l++)
        printf("\tp_%s", rules_label_name((rules_label_t)l));
    printf("\texpected_date\tdate");
    for (int l = 0; l < RULES_NLABELS; l++)
        printf("\tscore_%s", rules_label_name((rules_label_t)l));
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        char *raw = NULL, *json = NULL, key[65];
        size_t len = 0;
        if (co_read_file(rows[i].path, &raw, &len) != 0 ||
            co_mail_to_json(raw, len, NULL, NULL, &json, NULL, key, err,
                            sizeof err) != 0) {
            free(raw);
            continue;
        }
        free(raw);
        json_t *e = json_loads(json, 0, NULL);
        free(json);
        rules_result_t res;
        rules_model_trace_t tr;
        if (e != NULL && rules_model_classify(clf, db, e, &res, &tr) == 0) {
            printf("%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%d\t%d", rows[i].path,
                   rules_label_name((rules_label_t)rows[i].label),
                   rules_label_name(tr.rules_label),
                   rules_label_name(res.label),
                   rules_label_name(tr.model_label), tr.bulk, tr.context,
                   tr.alerts_sender, tr.calendar);
            printf("\t%.2f\t%.2f", tr.rules_confidence, res.confidence);
            for (int l = 0; l < RULES_NLABELS; l++)
                printf("\t%.4f", tr.prob[l]);
            char want[32], got[32];
            long long gm = -1;
            trace_minute(rows[i].minute, want, sizeof want);
            if (res.scheduled[0] == '\0' ||
                co_eval_parse_rfc3339(res.scheduled, &gm) != 0)
                gm = -1;
            trace_minute(gm, got, sizeof got);
            printf("\t%s\t%s", want, got);
            for (int l = 0; l < RULES_NLABELS; l++)
                printf("\t%.1f", tr.rules_score[l]);
            printf("\n");
            rules_result_clear(&res);
        }
        json_decref(e);
    }
    co_eval_labels_free(rows, n);
    rules_model_free(clf);
    rules_db_free(db);
    return 0;
}
