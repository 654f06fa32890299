/**
 * @file plugins/ollama-classifier/ollama_local.c
 * @brief The local second opinion and fallback; see ollama_local.h.
 */
#include "ollama_local.h"

#include "rules_engine.h"
#include "rules_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RULES_DATADIR
#define RULES_DATADIR "/usr/local/share/careerops/rules"
#endif

struct ollama_local_s {
    rules_db_t *db;
    rules_model_t *clf;
    char name[64];
};

static int ollama_local_exists(const char *p)
{
    struct stat sb;
    return p != NULL && stat(p, &sb) == 0;
}

ollama_local_t *ollama_local_load(const char *rules_dir, const char *model_file,
                                  char *err, size_t err_size)
{
    const char *dir = rules_dir;
    char model[1024];
    if (dir == NULL || *dir == '\0') {
        dir = RULES_DATADIR;
#if defined(RULES_SOURCE_DATADIR) && defined(RULES_BUILD_DIR)
        if (!ollama_local_exists(RULES_DATADIR "/classifier.model"))
            dir = RULES_SOURCE_DATADIR;
#endif
    }
    if (model_file != NULL && *model_file != '\0')
        snprintf(model, sizeof model, "%s", model_file);
    else
        snprintf(model, sizeof model, "%s/classifier.model", dir);
#if defined(RULES_SOURCE_DATADIR) && defined(RULES_BUILD_DIR)
    if ((model_file == NULL || *model_file == '\0') &&
        strcmp(dir, RULES_SOURCE_DATADIR) == 0)
        snprintf(model, sizeof model, "%s/classifier.model", RULES_BUILD_DIR);
#endif
    ollama_local_t *l = calloc(1, sizeof *l);
    if (l == NULL || (l->db = rules_db_new()) == NULL) {
        snprintf(err, err_size, "out of memory");
        ollama_local_free(l);
        return NULL;
    }
    char why[512];
    if (rules_db_load_dir(l->db, dir, why, sizeof why) < 0 ||
        rules_db_finish(l->db, why, sizeof why) != 0) {
        snprintf(err, err_size, "local classifier: %s (set local_rules_dir)",
                 why);
        ollama_local_free(l);
        return NULL;
    }
    if (ollama_local_exists(model) || (model_file && *model_file)) {
        l->clf = rules_model_load(model, RULES_MODE_COMBINED, why, sizeof why);
        if (l->clf == NULL) {
            snprintf(err, err_size,
                     "local classifier: %s (set local_model_file to a "
                     "model from careerops train)",
                     why);
            ollama_local_free(l);
            return NULL;
        }
        snprintf(l->name, sizeof l->name, "rules-v1+model-%.8s",
                 rules_model_dataset(l->clf));
    } else {
        snprintf(l->name, sizeof l->name, "rules-v1");
    }
    return l;
}

void ollama_local_free(ollama_local_t *l)
{
    if (l == NULL)
        return;
    rules_model_free(l->clf);
    rules_db_free(l->db);
    free(l);
}

const char *ollama_local_name(const ollama_local_t *l)
{
    return l->name;
}

int ollama_local_classify(ollama_local_t *l, const json_t *email,
                          ollama_event_t *ev)
{
    memset(ev, 0, sizeof *ev);
    rules_result_t res;
    memset(&res, 0, sizeof res);
    if (rules_model_classify(l->clf, l->db, email, &res, NULL) != 0)
        return -1;
    ev->event_type = ollama_labels[res.label < 7 ? res.label : 6];
    ev->confidence = res.confidence;
    snprintf(ev->company, sizeof ev->company, "%s",
             res.company ? res.company : "");
    snprintf(ev->role, sizeof ev->role, "%s", res.role ? res.role : "");
    snprintf(ev->scheduled_date, sizeof ev->scheduled_date, "%s",
             res.scheduled);
    ev->evidence = json_array();
    for (size_t i = 0; i < res.n_evidence && i < 3; i++)
        json_array_append_new(ev->evidence, json_string(res.evidence[i]));
    rules_result_clear(&res);
    return 0;
}

int ollama_labels_disagree(const char *a, const char *b)
{
    if (a == NULL || b == NULL || strcmp(a, b) == 0)
        return 0;
    return strcmp(a, "OTHER") != 0 || strcmp(b, "OTHER") != 0;
}
