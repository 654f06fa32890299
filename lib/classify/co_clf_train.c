/*
 * `careerops train` (see co_clf_train.h).
 */
#include "co_clf_train.h"

#include "co_clf.h"
#include "co_mail.h"
#include "co_relabel.h"
#include "rules_eval.h" /* the labels reader of `eval` */
#include "util.h"
#include "co_readfile.h"
#include "co_cli.h"
#include "co_redact.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void co__train_usage(FILE *f)
{
    fprintf(f, "usage: careerops train --labels CSV --emails DIR [--labels CSV "
               "--emails DIR]...\n"
               "                       --out MODEL [--seed N] [--epochs N] "
               "[--no-augment]\n"
               "                       [--corrections CSV|DSN [--corrections-"
               "weight W]\n"
               "                        [--corrections-schema S]]\n"
               "Trains the learned classifier of rules-classifier on labeled "
               "folders of .eml\nfiles (CSV header file,label,company,"
               "scheduled_date, as for careerops eval).\n");
}

typedef struct co__train_set_s {
    co_clf_example_t *ex;
    size_t n, cap;
} co__train_set_t;

static co_clf_example_t *co__train_push(co__train_set_t *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->ex = realloc(s->ex, s->cap * sizeof *s->ex);
        if (s->ex == NULL)
            abort();
    }
    co_clf_example_t *e = &s->ex[s->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* Each training message as is, then its robustness copies at half weight
 * (docs/classification.md, "Model"): a neutral sender, subject + first
 * paragraph, concepts only, subject + first paragraph as concepts only. */
static const co_clf_variant_t co__train_variants[] = {
    CO_CLF_AS_IS, CO_CLF_NEUTRAL_SENDER, CO_CLF_FIRST_PARAGRAPH,
    CO_CLF_CONCEPTS_ONLY, CO_CLF_FIRST_PARAGRAPH_CONCEPTS};
#define CO__TRAIN_NVARIANTS                                                    \
    ((int)(sizeof co__train_variants / sizeof co__train_variants[0]))

/* Normalize, hash into the data-set digest and featurize one message. */
static int co__train_message(co_clf_extractor_t *x, const co_eval_label_t *r,
                             uint32_t group, int augment,
                             crypto_hash_sha256_state *digest,
                             co__train_set_t *set)
{
    char *raw = NULL, *json = NULL;
    size_t rawlen = 0, jlen = 0;
    char key[65], err[512] = "";
    int rc = co_read_file(r->path, &raw, &rawlen);
    if (rc != 0) {
        fprintf(stderr, "error: %s: cannot read: %s\n", co_cli_shown(r->path),
                co_read_strerror(rc));
        return 2;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)raw, rawlen);
    const char *lab = co_clf_label_name(r->label);
    crypto_hash_sha256_update(digest, (const unsigned char *)lab, strlen(lab));
    crypto_hash_sha256_update(digest, h, sizeof h);
    rc = co_mail_to_json(raw, rawlen, NULL, NULL, &json, &jlen, key, err,
                         sizeof err);
    free(raw);
    if (rc != 0) {
        fprintf(stderr,
                "error: %s: not a message: %s (fix or remove the row)\n",
                co_cli_shown(r->path), err);
        return 2;
    }
    json_error_t je;
    json_t *email = json_loadb(json, jlen, 0, &je);
    free(json);
    for (int v = 0; v < (augment ? CO__TRAIN_NVARIANTS : 1); v++) {
        co_clf_example_t *e = co__train_push(set);
        if (co_clf_featurize(x, email, co__train_variants[v], &e->x) != 0) {
            fprintf(stderr, "error: %s: cannot compute features\n",
                    co_cli_shown(r->path));
            json_decref(email);
            return 1;
        }
        e->label = r->label;
        e->group = group;
        e->augmented = v > 0;
        e->weight = v > 0 ? 0.5f : 1.0f;
    }
    json_decref(email);
    return 0;
}

/* `--corrections`: each corrected email, featurized like a labeled
 * message, weighted. */
typedef struct co__train_corr_s {
    co_clf_extractor_t *x;
    co__train_set_t *set;
    crypto_hash_sha256_state *digest;
    uint32_t group;
    float weight;
    int augment;
    size_t per[CO_CLF_NLABELS];
} co__train_corr_t;

static int co__train_correction(void *arg, const json_t *email, int label,
                                const char *what)
{
    co__train_corr_t *c = arg;
    char *doc = json_dumps(email, JSON_COMPACT | JSON_SORT_KEYS);
    const char *lab = co_clf_label_name(label);
    crypto_hash_sha256_update(c->digest, (const unsigned char *)lab,
                              strlen(lab));
    if (doc != NULL)
        crypto_hash_sha256_update(c->digest, (const unsigned char *)doc,
                                  strlen(doc));
    free(doc);
    for (int v = 0; v < (c->augment ? CO__TRAIN_NVARIANTS : 1); v++) {
        co_clf_example_t *e = co__train_push(c->set);
        if (co_clf_featurize(c->x, email, co__train_variants[v], &e->x) != 0) {
            fprintf(stderr, "error: %s: cannot compute features\n", what);
            return 1;
        }
        e->label = label;
        e->group = c->group;
        e->augmented = v > 0;
        e->weight = c->weight * (v > 0 ? 0.5f : 1.0f);
    }
    c->group++;
    c->per[label]++;
    return 0;
}

/* A training set that cannot make a useful model: one label only is an
 * error (exit 2); a small set, or labels without an example, a warning
 * (trial 28: a model of one message took dev accuracy to 0.399). */
static int co__train_set_check(const size_t *per, size_t messages)
{
    int labels = 0;
    for (int k = 0; k < CO_CLF_NLABELS; k++)
        labels += per[k] > 0;
    if (labels < 2) {
        fprintf(stderr,
                "error: the training set has %s: a model needs mail of at "
                "least two labels (the bundled one was trained on 3,668 "
                "messages of all seven)\n",
                messages == 0 ? "no messages" : "one label only");
        return 2;
    }
    if (messages < 200)
        fprintf(stderr,
                "warning: %zu messages is a small training set: expect a "
                "weak model (the bundled one was trained on 3,668); check "
                "it with `careerops eval` before using it\n",
                messages);
    for (int k = 0; k < CO_CLF_NLABELS; k++)
        if (per[k] == 0)
            fprintf(stderr,
                    "warning: no %s message in the training set: the model "
                    "will never answer %s\n",
                    co_clf_label_name(k), co_clf_label_name(k));
    return 0;
}

/* --out may replace a model, never another file (trial 29: `--out
 * eml/01.eml` overwrote a training email with a model). 0, or 2 said. */
static int co__train_out_ok(const char *out)
{
    /* where it can be written: found only after training (trials 57, 58:
     * a missing folder, "", /proc/x, a name of 300 bytes) */
    if (out[0] == '\0') {
        fprintf(stderr, "error: --out is empty: give the path of the model "
                        "file to write\n");
        return 2;
    }
    char dir[4096], why[4400];
    int err;
    co_newfile_t k = co_newfile_check(out, 1, dir, sizeof dir, &err);
    if (k != CO_NEWFILE_OK) {
        fprintf(stderr, "error: --out %s: %s (%s)\n", co_cli_shown(out),
                co_newfile_why(k, co_cli_shown(dir), err, why, sizeof why),
                k == CO_NEWFILE_NO_FOLDER
                    ? "create it first, or give a path in an existing folder"
                    : "give the path of a model file in a folder you can "
                      "write to");
        return 2;
    }
    int ours;
    co_peek_t kind =
        co_readfile_replaceable(out, "careerops-classifier-model ", &ours);
    if (ours)
        return 0; /* a new file, or a model */
    fprintf(stderr,
            kind == CO_PEEK_REGULAR
                ? "error: --out %s exists and is not a model file: give a new "
                  "path (or remove the file first)\n"
                : "error: --out %s is not a regular file (a folder, link, "
                  "device or named pipe): give the path of a new model "
                  "file\n",
            co_cli_shown(out));
    return 2;
}

int co_cmd_train(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"labels", required_argument, NULL, 'l'},
        {"emails", required_argument, NULL, 'e'},
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"epochs", required_argument, NULL, 'E'},
        {"no-augment", no_argument, NULL, 'A'},
        {"corrections", required_argument, NULL, 'c'},
        {"corrections-weight", required_argument, NULL, 'w'},
        {"corrections-schema", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *labels[64], *emails[64], *out = NULL;
    size_t nl = 0, ne = 0;
    int augment = 1;
    const char *corrections = NULL, *corr_schema = NULL;
    double corr_weight = 5.0;
    co_clf_train_opts_t opts;
    co_clf_train_opts_default(&opts);
    /* --labels and --emails come in pairs, one per training set */
    static const char *const rep[] = {"labels", "emails", NULL};
    if (co_cli_once(argc, argv, longopts, rep, "careerops train") != 0)
        return 2;
    optind = 0;
    int c;
    while ((c = co_cli_getopt(argc, argv, "", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'l':
        case 'e':
            if ((c == 'l' ? nl : ne) >= 64) {
                fprintf(stderr, "error: at most 64 --labels/--emails pairs\n");
                return 2;
            }
            if (c == 'l')
                labels[nl++] = optarg;
            else
                emails[ne++] = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            errno = 0;
            opts.seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end ||
                optarg[strspn(optarg, " ")] == '-') { /* strtoull wraps -1 */
                fprintf(stderr,
                        "error: --seed %s: expected a non-negative integer\n",
                        co_cli_shown(optarg));
                return 2;
            }
            break;
        case 'E':
            opts.epochs = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || opts.epochs < 1 ||
                opts.epochs > 1000) {
                fprintf(stderr, "error: --epochs %s: expected 1..1000\n",
                        co_cli_shown(optarg));
                return 2;
            }
            break;
        case 'A':
            augment = 0;
            break;
        case 'c':
            corrections = optarg;
            break;
        case 'S':
            corr_schema = optarg;
            break;
        case 'w':
            corr_weight = strtod(optarg, &end);
            if (end == optarg || *end || !(corr_weight > 0) ||
                corr_weight > 1000) {
                fprintf(stderr,
                        "error: --corrections-weight %s: expected a number "
                        "in (0, 1000]\n",
                        co_cli_shown(optarg));
                return 2;
            }
            break;
        case 'h':
            co__train_usage(stdout);
            return 0;
        default:
            co__train_usage(stderr);
            return 2;
        }
    }
    if (nl == 0 || nl != ne || out == NULL || optind < argc) {
        fprintf(stderr, "error: %s\n",
                optind < argc ? "unexpected argument"
                : out == NULL ? "--out MODEL is required"
                              : "give --labels CSV and --emails DIR in pairs");
        co__train_usage(stderr);
        return 2;
    }
    if (co__train_out_ok(out) != 0)
        return 2;
    if (sodium_init() < 0) {
        fprintf(stderr, "error: libsodium cannot start\n");
        return 1;
    }
    co_clf_extractor_t *x = co_clf_extractor_new();
    if (x == NULL) {
        fprintf(stderr, "error: cannot create the stemmers\n");
        return 1;
    }
    crypto_hash_sha256_state digest;
    crypto_hash_sha256_init(&digest);
    co__train_set_t set = {0};
    size_t per[CO_CLF_NLABELS] = {0}, messages = 0;
    int rc = 0;
    for (size_t p = 0; p < nl && rc == 0; p++) {
        co_eval_label_t *rows = NULL;
        size_t n = 0;
        rc = co_eval_read_labels(labels[p], emails[p], &rows, &n);
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = co__train_message(x, &rows[i], (uint32_t)messages, augment,
                                   &digest, &set);
            per[rows[i].label]++;
            messages++;
        }
        co_eval_labels_free(rows, n);
    }
    size_t ncorr = 0;
    if (rc == 0 && corrections != NULL) {
        co__train_corr_t cc = {.x = x,
                               .set = &set,
                               .digest = &digest,
                               .group = (uint32_t)messages,
                               .weight = (float)corr_weight,
                               .augment = augment};
        char cerr[600];
        int crc =
            co_corrections_read(corrections, corr_schema, co__train_correction,
                                &cc, &ncorr, cerr, sizeof cerr);
        if (crc != 0) {
            /* a connection string is shown without its password (trial
             * 45) */
            char shown[512];
            co_redact(shown, sizeof shown, corrections);
            fprintf(stderr, "error: --corrections %s: %s\n",
                    co_cli_shown(shown),
                    cerr[0] ? co_cli_shown_lines(cerr)
                            : "cannot read the corrections");
            rc = 2;
        }
        for (int k = 0; k < CO_CLF_NLABELS; k++)
            per[k] += cc.per[k];
        messages += ncorr;
    }
    co_clf_extractor_free(x);
    if (rc == 0)
        rc = co__train_set_check(per, messages);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&digest, h);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    co_clf_model_t *m = NULL;
    char err[512];
    if (rc == 0) {
        m = co_clf_model_train(set.ex, set.n, &opts, hex, err, sizeof err);
        if (m == NULL) {
            fprintf(stderr, "error: training failed: %s\n", err);
            rc = 1;
        }
    }
    if (m != NULL && co_clf_model_save(m, out, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        rc = 1;
    }
    if (rc == 0) {
        fprintf(stderr, "careerops train: %zu messages (", messages);
        for (int k = 0; k < CO_CLF_NLABELS; k++)
            fprintf(stderr, "%s%s %zu", k ? ", " : "", co_clf_label_name(k),
                    per[k]);
        fprintf(stderr,
                "), %zu examples, %zu corrections (weight %g), temperature "
                "%.3f, data set sha256 %s -> %s\n",
                set.n, ncorr, corrections ? corr_weight : 0.0,
                co_clf_model_temperature(m), hex, co_cli_shown(out));
    }
    co_clf_model_free(m);
    for (size_t i = 0; i < set.n; i++)
        co_clf_vec_free(&set.ex[i].x);
    free(set.ex);
    return rc;
}
