/*
 * rules-classifier: the embedded default classifier (processor).
 *
 * Consumes careerops.email.v1 records, emits one careerops.event.v1 record
 * per email (same key). Deterministic, no network. The rules are data
 * files (share/careerops/rules/ *.tsv) that a user can extend with the
 * `extra_rules` option; the matching logic is in rules_engine.c.
 *
 * Where the rules are found when `rules_dir` is not set:
 *  1. when this module runs from the build tree (its file is under
 *     RULES_BUILD_DIR, a compile-time define set by meson), the source
 *     tree's data folder RULES_SOURCE_DATADIR, so edits to the tables take
 *     effect without installing;
 *  2. otherwise the installed folder RULES_DATADIR
 *     (PREFIX/share/careerops/rules).
 */
#include <careerops/plugin.h>

#include "rules_engine.h"
#include "rules_eval.h"
#include "rules_memory.h"
#include "rules_model.h"
#include "co_clf.h"
#include "co_readfile.h"

#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RULES_DATADIR
#define RULES_DATADIR "/usr/local/share/careerops/rules"
#endif

static const co_host_api_t *rules_api;

typedef struct rules_config_s {
    const char *rules_dir;
    const char *const *extra_rules;
    const char *model;
    const char *model_file;
    const char *decision;
    int64_t company_memory;
    const char *const *own_addresses;
} rules_config_t;

typedef struct rules_inst_s {
    co_stage_t *st;
    rules_db_t *db;
    rules_model_t *clf;
    rules_memory_t *memory;
    const char *model;
    uint64_t count[RULES_NLABELS];
} rules_inst_t;

static const co_option_t rules_options[] = {
    {CO_OPT_STR, "rules_dir", NULL, CO_OPT_PATH, 0, 0,
     offsetof(rules_config_t, rules_dir),
     "Folder of *.tsv rule tables; default: the installed "
     "share/careerops/rules (the source tree's data/ when run from the "
     "build tree)."},
    {CO_OPT_STRLIST, "extra_rules", NULL, CO_OPT_PATH, 0, 0,
     offsetof(rules_config_t, extra_rules),
     "Extra rule files (same TSV formats) loaded after rules_dir, e.g. a "
     "user's own sender domains or phrases."},
    {CO_OPT_STR, "model", "rules-v1", 0, 0, 0, offsetof(rules_config_t, model),
     "Value written to classifier.model in each event."},
    {CO_OPT_STR, "model_file", NULL, CO_OPT_PATH, 0, 0,
     offsetof(rules_config_t, model_file),
     "Learned model (careerops train --out); default: classifier.model in "
     "the rules folder (the build tree's when run from it); without one "
     "the rules decide alone."},
    {CO_OPT_STR, "decision", "combined", 0, 0, 0,
     offsetof(rules_config_t, decision),
     "combined (rules for bulk mail and job alerts, the model for the "
     "rest), rules (rules only) or model (model only)."},
    {CO_OPT_INT, "company_memory", "0", 0, 0, 1000000,
     offsetof(rules_config_t, company_memory),
     "How many company spellings the stage remembers from earlier messages "
     "of the same sender domain, to give one company one spelling "
     "(\"Ashcombe\" after \"Ashcombe Partners\"); 0 (the default): off. "
     "Depends on the order the stage reads mail in "
     "(docs/classification.md, \"The company memory\")."},
    {CO_OPT_STRLIST, "own_addresses", NULL, 0, 0, 0,
     offsetof(rules_config_t, own_addresses),
     "The user's own e-mail addresses: a message from one is the user's "
     "own (a reply to a recruiter), never an event of the company's kind "
     "unless it gives or confirms an interview time; without them such a "
     "reply is inferred (a reply from a personal mailbox to an "
     "organisation's address; docs/classification.md, \"The user's own "
     "messages\")."},
    {CO_OPT_END, NULL, NULL, 0, 0, 0, 0, NULL}};

static int rules_is_dir(const char *p)
{
    struct stat sb;
    return p != NULL && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The default rules folder (see the file comment). */
static const char *rules_default_dir(void)
{
#if defined(RULES_BUILD_DIR) && defined(RULES_SOURCE_DATADIR)
    Dl_info info;
    if (dladdr((void *)&rules_default_dir, &info) != 0 &&
        info.dli_fname != NULL &&
        strncmp(info.dli_fname, RULES_BUILD_DIR, strlen(RULES_BUILD_DIR)) ==
            0 &&
        rules_is_dir(RULES_SOURCE_DATADIR))
        return RULES_SOURCE_DATADIR;
    if (!rules_is_dir(RULES_DATADIR) && rules_is_dir(RULES_SOURCE_DATADIR))
        return RULES_SOURCE_DATADIR;
#endif
    return RULES_DATADIR;
}

/* The default model: the one meson built in the build tree when the rules
 * come from the source tree (a module run from the build tree), else
 * classifier.model in the rules folder. */
static void rules_default_model(const char *dir, char *out, size_t n)
{
#if defined(RULES_BUILD_DIR) && defined(RULES_SOURCE_DATADIR)
    if (strcmp(dir, RULES_SOURCE_DATADIR) == 0) {
        snprintf(out, n, "%s/classifier.model", RULES_BUILD_DIR);
        return;
    }
#endif
    snprintf(out, n, "%s/classifier.model", dir);
}

/* The model init() loads: model_file, else the default one when it exists
 * or the decision needs a model. Returns 1 and fills `out` when there is
 * one to load, 0 when the rules decide alone. */
static int rules_model_path(const rules_config_t *cfg, const char *dir,
                            int mode, char *out, size_t n)
{
    struct stat sb;
    if (cfg->model_file && *cfg->model_file) {
        snprintf(out, n, "%s", cfg->model_file);
        return 1;
    }
    rules_default_model(dir, out, n);
    return mode == RULES_MODE_MODEL || stat(out, &sb) == 0;
}

/* ABI 1.2 check: the option values a table cannot restrict and the model
 * file (read in full before it is loaded, a truncated one refused, see
 * co_clf_model_check()), refused by `careerops validate` and run's start
 * before any stage starts (init() says the same). */
static co_status_t rules_check(const void *config, char *err, size_t errsz)
{
    const rules_config_t *cfg = config;
    int mode = rules_mode_parse(cfg->decision);
    if (mode < 0) {
        snprintf(err, errsz,
                 "decision: \"%s\" is not a decision mode: use combined "
                 "(the default), rules or model",
                 cfg->decision);
        return CO_FATAL;
    }
    for (size_t i = 0; cfg->own_addresses && cfg->own_addresses[i]; i++)
        if (!rules_own_address_ok(cfg->own_addresses[i])) {
            snprintf(err, errsz,
                     "own_addresses: \"%.200s\" is not an e-mail address "
                     "(one '@' with a name before it and a domain after, "
                     "no spaces): give your addresses, e.g. "
                     "[\"me@example.org\"]",
                     cfg->own_addresses[i]);
            return CO_FATAL;
        }
    /* stat() only (check() opens nothing): a FIFO hung run's start
     * (trial 55) */
    for (size_t i = 0; cfg->extra_rules && cfg->extra_rules[i]; i++) {
        const char *kind = co_readfile_not_regular(cfg->extra_rules[i]);
        if (kind != NULL) {
            snprintf(err, errsz,
                     "extra_rules[%zu]: '%s' is %s: "
                     "name a rules table (.tsv)",
                     i, cfg->extra_rules[i], kind);
            return CO_FATAL;
        }
    }
    const char *dkind = cfg->rules_dir && *cfg->rules_dir
                            ? co_readfile_kind(cfg->rules_dir)
                            : "a folder";
    if (dkind == NULL || strcmp(dkind, "a folder") != 0) {
        snprintf(err, errsz,
                 "rules_dir: '%s' is %s, not a folder: name the folder of "
                 "the *.tsv rules tables",
                 cfg->rules_dir, dkind != NULL ? dkind : "a file");
        return CO_FATAL;
    }
    if (cfg->rules_dir && *cfg->rules_dir &&
        rules_db_count_dir(cfg->rules_dir) == 0) {
        /* "./" or an empty folder passed validate, then run's start
         * failed (trial 65) */
        snprintf(err, errsz,
                 "rules_dir: '%s' holds no *.tsv rules tables: name the "
                 "folder that holds them, or leave rules_dir out for the "
                 "installed ones",
                 cfg->rules_dir);
        return CO_FATAL;
    }
    const char *dir = cfg->rules_dir && *cfg->rules_dir ? cfg->rules_dir
                                                        : rules_default_dir();
    char path[1024], e[1200];
    if (!rules_model_path(cfg, dir, mode, path, sizeof path) ||
        co_clf_model_check(path, e, sizeof e) == 0)
        return CO_OK;
    if (cfg->model_file && *cfg->model_file)
        snprintf(err, errsz,
                 "model_file: %s: give the path of a model made by "
                 "`careerops train --out FILE`, or remove model_file to use "
                 "the bundled one",
                 e);
    else
        snprintf(err, errsz,
                 "decision: \"model\" needs a learned model: %s: set "
                 "model_file to a model made by `careerops train --out "
                 "FILE`, or use decision combined or rules",
                 e);
    return CO_FATAL;
}

static co_status_t rules_init(const co_host_api_t *api, co_stage_t *st,
                              const void *config, void **instance)
{
    const rules_config_t *cfg = config;
    rules_inst_t *in = calloc(1, sizeof *in);
    if (in == NULL) {
        api->set_error(st, "memory", "out of memory");
        return CO_FATAL;
    }
    *instance = in;
    in->st = st;
    in->model = cfg->model && *cfg->model ? cfg->model : "rules-v1";
    in->db = rules_db_new();
    char err[512];
    const char *dir = cfg->rules_dir && *cfg->rules_dir ? cfg->rules_dir
                                                        : rules_default_dir();
    if (in->db == NULL || rules_db_load_dir(in->db, dir, err, sizeof err) < 0) {
        api->set_error(st, "config",
                       "rules-classifier: %s (set the rules_dir option to a "
                       "folder of rule tables)",
                       in->db ? err : "out of memory");
        return CO_FATAL;
    }
    for (size_t i = 0; cfg->extra_rules && cfg->extra_rules[i]; i++)
        if (rules_db_load_file(in->db, cfg->extra_rules[i], err, sizeof err) !=
            0) {
            api->set_error(st, "config",
                           "rules-classifier: extra_rules: %s (fix the file "
                           "or remove it from extra_rules)",
                           err);
            return CO_FATAL;
        }
    for (size_t i = 0; cfg->own_addresses && cfg->own_addresses[i]; i++)
        if (rules_db_add_own_address(in->db, cfg->own_addresses[i]) != 0) {
            rules_check(cfg, err, sizeof err);
            api->set_error(st, "config", "rules-classifier: %s", err);
            return CO_FATAL;
        }
    if (rules_db_finish(in->db, err, sizeof err) != 0) {
        api->set_error(st, "config", "rules-classifier: %s", err);
        return CO_FATAL;
    }
    int mode = rules_mode_parse(cfg->decision);
    if (mode < 0) {
        rules_check(cfg, err, sizeof err);
        api->set_error(st, "config", "rules-classifier: %s", err);
        return CO_FATAL;
    }
    in->memory = rules_memory_new((size_t)cfg->company_memory);
    if (in->memory == NULL) {
        api->set_error(st, "memory", "out of memory");
        return CO_FATAL;
    }
    char model_path[1024];
    if (rules_model_path(cfg, dir, mode, model_path, sizeof model_path)) {
        in->clf =
            rules_model_load(model_path, (rules_mode_t)mode, err, sizeof err);
        if (in->clf == NULL) {
            api->set_error(st, "config",
                           "rules-classifier: %s (build it with careerops "
                           "train, set model_file, or set decision to "
                           "rules)",
                           err);
            return CO_FATAL;
        }
    } else
        api->log(st, CO_LOG_WARN,
                 "rules-classifier: no learned model at %s: the rules decide "
                 "alone (set model_file)",
                 model_path);
    api->log(st, CO_LOG_INFO,
             "rules-classifier: %zu phrases, %zu senders from %s; model %s "
             "(decision %s)",
             rules_db_phrase_count(in->db), rules_db_sender_count(in->db), dir,
             in->clf ? model_path : "none",
             cfg->decision ? cfg->decision : "combined");
    return CO_OK;
}

static co_status_t rules_process(void *instance, const co_record_t *rec)
{
    rules_inst_t *in = instance;
    json_error_t jerr;
    if (rec->value == NULL || rec->value_len == 0) {
        rules_api->set_error(in->st, "parse",
                             "empty record: expected a careerops.email.v1 "
                             "JSON document");
        return CO_FAIL;
    }
    json_t *email = json_loadb(rec->value, rec->value_len, 0, &jerr);
    if (email == NULL || !json_is_object(email)) {
        rules_api->set_error(in->st, "parse",
                             "record is not a JSON object (%s at line %d): "
                             "expected careerops.email.v1",
                             email ? "not an object" : jerr.text,
                             email ? 0 : jerr.line);
        json_decref(email);
        return CO_FAIL;
    }
    const char *schema = json_string_value(json_object_get(email, "schema"));
    if (schema == NULL || strcmp(schema, "careerops.email.v1") != 0) {
        rules_api->set_error(in->st, "schema",
                             "record schema is \"%s\", expected "
                             "\"careerops.email.v1\" (is the stage's input "
                             "the raw inbox topic?)",
                             schema ? schema : "(none)");
        json_decref(email);
        return CO_FAIL;
    }
    rules_result_t res;
    if (rules_model_classify(in->clf, in->db, email, &res, NULL) != 0) {
        rules_api->set_error(in->st, "classify", "cannot classify record");
        json_decref(email);
        return CO_FAIL;
    }
    if (rules_memory_apply(in->memory, in->db, email, &res) < 0) {
        rules_api->set_error(in->st, "memory", "out of memory");
        rules_result_clear(&res);
        json_decref(email);
        return CO_RETRY;
    }
    json_t *ev = rules_event_json(&res, email, in->model);
    char *out = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    co_status_t status = CO_OK;
    if (out == NULL) {
        rules_api->set_error(in->st, "memory", "cannot build the event");
        status = CO_RETRY;
    } else {
        co_record_t o = CO_RECORD_INIT;
        const char *key = json_string_value(json_object_get(email, "key"));
        if (rec->key != NULL && rec->key_len > 0) {
            o.key = rec->key;
            o.key_len = rec->key_len;
        } else if (key != NULL) {
            o.key = key;
            o.key_len = strlen(key);
        }
        o.value = out;
        o.value_len = strlen(out);
        int rc = rules_api->emit(in->st, &o);
        if (rc != 0) {
            rules_api->set_error(in->st, "emit", "emit failed (%d)", rc);
            status = CO_RETRY;
        } else {
            char m[64];
            snprintf(m, sizeof m, "events_%s", rules_label_name(res.label));
            for (char *p = m; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            rules_api->metric_add(in->st, m, 1);
            in->count[res.label]++;
        }
        free(out);
    }
    rules_result_clear(&res);
    json_decref(email);
    return status;
}

static void rules_destroy(void *instance)
{
    rules_inst_t *in = instance;
    if (in == NULL)
        return;
    rules_db_free(in->db);
    rules_model_free(in->clf);
    rules_memory_free(in->memory);
    free(in);
}

static const co_plugin_t rules_plugin = {
    CO_PLUGIN_HEADER,
    .name = "rules-classifier",
    .version = "1.0.0",
    .description = "Classifies emails into job-search events with data-file "
                   "rules (ATS senders, calendar invitations, phrases in "
                   "en/de/fr/es, bulk-mail evidence); no network.",
    .license = "Apache-2.0",
    .kinds = CO_KIND_PROCESSOR,
    .flags = CO_PLUGIN_NO_INPUT_HEADERS, /* reads no input header */
    .options = rules_options,
    .config_size = sizeof(rules_config_t),
    .init = rules_init,
    .process = rules_process,
    .destroy = rules_destroy,
    .commands = rules_commands, /* eval, train (ABI 1.1) */
    .check = rules_check,       /* decision (ABI 1.2) */
};

CO_PLUGIN_EXPORT const co_plugin_t *co_plugin_entry(const co_host_api_t *api)
{
    rules_api = api;
    return &rules_plugin;
}
