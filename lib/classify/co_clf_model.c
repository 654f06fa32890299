/*
 * Multinomial logistic regression over hashed features: AdaGrad training
 * with L2 (seeded shuffling, deterministic), temperature scaling fitted on
 * a held-out share of the messages, and the model file.
 */
#include "co_clf.h"
#include "co_readfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define K          CO_CLF_NLABELS
#define CO_CLF_DIM (1u << CO_CLF_HASH_BITS)

static const char *const co_clf_labels[K] = {
    "INTERVIEW",          "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
    "RECRUITER_OUTREACH", "OTHER"};

const char *co_clf_label_name(int i)
{
    return i >= 0 && i < K ? co_clf_labels[i] : "OTHER";
}

int co_clf_label_parse(const char *name)
{
    for (int i = 0; name && i < K; i++)
        if (strcasecmp(name, co_clf_labels[i]) == 0)
            return i;
    return -1;
}

struct co_clf_model_s {
    float *w; /* CO_CLF_DIM * K */
    float bias[K];
    double temperature;
    char sha[65];
    size_t examples;
    co_clf_train_opts_t opts;
};

void co_clf_train_opts_default(co_clf_train_opts_t *o)
{
    o->seed = 1;
    o->epochs = 12;
    o->lr = 0.3;
    o->l2 = 1e-6;
    o->calib_frac = 0.2;
}

static co_clf_model_t *co_clf_model_alloc(void)
{
    co_clf_model_t *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->w = calloc((size_t)CO_CLF_DIM * K, sizeof *m->w);
    if (m->w == NULL) {
        free(m);
        return NULL;
    }
    m->temperature = 1.0;
    return m;
}

void co_clf_model_free(co_clf_model_t *m)
{
    if (m == NULL)
        return;
    free(m->w);
    free(m);
}

double co_clf_model_temperature(const co_clf_model_t *m)
{
    return m->temperature;
}

const char *co_clf_model_dataset_sha256(const co_clf_model_t *m)
{
    return m->sha;
}

static void co_clf_scores(const co_clf_model_t *m, const co_clf_vec_t *x,
                          double s[K])
{
    for (int k = 0; k < K; k++)
        s[k] = m->bias[k];
    for (size_t j = 0; j < x->n; j++) {
        const float *row = m->w + (size_t)x->idx[j] * K;
        double v = x->val[j];
        for (int k = 0; k < K; k++)
            s[k] += v * row[k];
    }
}

static int co_clf_softmax(const double s[K], double t, double p[K])
{
    double mx = s[0] / t;
    int best = 0;
    for (int k = 1; k < K; k++)
        if (s[k] / t > mx) {
            mx = s[k] / t;
            best = k;
        }
    double z = 0;
    for (int k = 0; k < K; k++) {
        p[k] = exp(s[k] / t - mx);
        z += p[k];
    }
    for (int k = 0; k < K; k++)
        p[k] /= z;
    return best;
}

int co_clf_model_predict(const co_clf_model_t *m, const co_clf_vec_t *x,
                         double prob[CO_CLF_NLABELS])
{
    double s[K];
    co_clf_scores(m, x, s);
    return co_clf_softmax(s, m->temperature, prob);
}

/* splitmix64: seeds and the calibration split. */
static uint64_t co_clf_mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Fit weights on the examples with use[i] set. */
static int co_clf_fit(co_clf_model_t *m, const co_clf_example_t *ex, size_t n,
                      const unsigned char *use, const co_clf_train_opts_t *o)
{
    float *g2 = calloc((size_t)CO_CLF_DIM * K, sizeof *g2);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (g2 == NULL || order == NULL) {
        free(g2);
        free(order);
        return -1;
    }
    double gb[K] = {0};
    size_t cnt = 0;
    for (size_t i = 0; i < n; i++)
        if (use == NULL || use[i])
            order[cnt++] = i;
    uint64_t rng = co_clf_mix(o->seed);
    const double eps = 1e-8;
    for (int e = 0; e < o->epochs; e++) {
        for (size_t i = cnt; i > 1; i--) { /* Fisher-Yates */
            rng = co_clf_mix(rng);
            size_t j = (size_t)(rng % i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t r = 0; r < cnt; r++) {
            const co_clf_example_t *x = &ex[order[r]];
            double s[K], p[K], g[K];
            co_clf_scores(m, &x->x, s);
            co_clf_softmax(s, 1.0, p);
            for (int k = 0; k < K; k++)
                g[k] = (p[k] - (k == x->label ? 1.0 : 0.0)) * x->weight;
            for (size_t j = 0; j < x->x.n; j++) {
                float *row = m->w + (size_t)x->x.idx[j] * K;
                float *acc = g2 + (size_t)x->x.idx[j] * K;
                double v = x->x.val[j];
                for (int k = 0; k < K; k++) {
                    double gr = g[k] * v + o->l2 * row[k];
                    acc[k] += (float)(gr * gr);
                    row[k] -= (float)(o->lr * gr / (sqrt(acc[k]) + eps));
                }
            }
            for (int k = 0; k < K; k++) {
                gb[k] += g[k] * g[k];
                m->bias[k] -= (float)(o->lr * g[k] / (sqrt(gb[k]) + eps));
            }
        }
    }
    free(g2);
    free(order);
    return 0;
}

co_clf_model_t *co_clf_model_train(const co_clf_example_t *ex, size_t n,
                                   const co_clf_train_opts_t *opts,
                                   const char *dataset_sha256, char *err,
                                   size_t err_size)
{
    co_clf_train_opts_t o;
    if (opts)
        o = *opts;
    else
        co_clf_train_opts_default(&o);
    if (n == 0) {
        snprintf(err, err_size, "no training examples");
        return NULL;
    }
    unsigned char *train = malloc(n), *calib = malloc(n);
    co_clf_model_t *m = co_clf_model_alloc();
    if (train == NULL || calib == NULL || m == NULL) {
        free(train);
        free(calib);
        co_clf_model_free(m);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    size_t ncal = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t h = co_clf_mix(o.seed ^ co_clf_mix(ex[i].group + 1));
        int held = (double)(h % 10000) < o.calib_frac * 10000.0;
        train[i] = !held;
        calib[i] = held && !ex[i].augmented;
        ncal += calib[i];
    }
    /* 1. fit on the rest, choose the temperature that minimises the
     *    held-out negative log-likelihood */
    double best_t = 1.0;
    if (ncal >= 20 && co_clf_fit(m, ex, n, train, &o) == 0) {
        double best_nll = INFINITY;
        for (int step = 0; step <= 60; step++) {
            double t = 0.25 * pow(20.0, step / 60.0); /* 0.25 .. 5 */
            double nll = 0;
            for (size_t i = 0; i < n; i++) {
                if (!calib[i])
                    continue;
                double s[K], p[K];
                co_clf_scores(m, &ex[i].x, s);
                co_clf_softmax(s, t, p);
                nll -= log(fmax(p[ex[i].label], 1e-12));
            }
            if (nll < best_nll) {
                best_nll = nll;
                best_t = t;
            }
        }
    }
    free(train);
    free(calib);
    /* 2. retrain on everything */
    memset(m->w, 0, (size_t)CO_CLF_DIM * K * sizeof *m->w);
    memset(m->bias, 0, sizeof m->bias);
    if (co_clf_fit(m, ex, n, NULL, &o) != 0) {
        co_clf_model_free(m);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    m->temperature = best_t;
    m->examples = n;
    m->opts = o;
    snprintf(m->sha, sizeof m->sha, "%s", dataset_sha256 ? dataset_sha256 : "");
    return m;
}

/* ---------------------------------------------------------------------- */
/* Model file                                                              */

#define CO_CLF_MAGIC "careerops-classifier-model"

int co_clf_model_save(const co_clf_model_t *m, const char *path, char *err,
                      size_t err_size)
{
    /* an unnamed file linked over path when whole: a failed or killed
     * write leaves the model that was there (fopen "w" truncated it) */
    char tmp[4200];
    int fd = co_tmpfile_open(path, tmp, sizeof tmp);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (f == NULL) {
        snprintf(err, err_size, "%s: cannot write: %s", path, strerror(errno));
        if (fd >= 0) {
            co_tmpfile_abandon(tmp);
            close(fd);
        }
        return -1;
    }
    size_t rows = 0;
    for (size_t i = 0; i < CO_CLF_DIM; i++)
        for (int k = 0; k < K; k++)
            if (fabsf(m->w[i * K + k]) >= 1e-5f) {
                rows++;
                break;
            }
    fprintf(f, "%s %d\n", CO_CLF_MAGIC, CO_CLF_FORMAT_VERSION);
    fprintf(f, "features %d hash_bits %d\n", CO_CLF_FEATURES_VERSION,
            CO_CLF_HASH_BITS);
    fprintf(f, "labels");
    for (int k = 0; k < K; k++)
        fprintf(f, " %s", co_clf_labels[k]);
    fprintf(f, "\ntemperature %.6f\n", m->temperature);
    fprintf(f, "dataset_sha256 %s\n", m->sha[0] ? m->sha : "-");
    fprintf(f,
            "training examples %zu seed %llu epochs %d lr %g l2 %g "
            "calib_frac %g\n",
            m->examples, (unsigned long long)m->opts.seed, m->opts.epochs,
            m->opts.lr, m->opts.l2, m->opts.calib_frac);
    fprintf(f, "bias");
    for (int k = 0; k < K; k++)
        fprintf(f, " %.6g", m->bias[k]);
    fprintf(f, "\nrows %zu\n", rows);
    for (size_t i = 0; i < CO_CLF_DIM; i++) {
        const float *r = m->w + i * K;
        int nz = 0;
        for (int k = 0; k < K; k++)
            nz |= fabsf(r[k]) >= 1e-5f;
        if (!nz)
            continue;
        fprintf(f, "%zu", i);
        for (int k = 0; k < K; k++)
            fprintf(f, " %.5g", r[k]);
        fputc('\n', f);
    }
    fprintf(f, "end\n");
    /* others' hosts load it: 0644, as a plain write under umask 022 */
    if (fflush(f) != 0 || ferror(f) || fchmod(fd, 0644) != 0 ||
        co_tmpfile_commit(fd, tmp, path) != 0) {
        snprintf(err, err_size, "%s: write error: %s", path, strerror(errno));
        co_tmpfile_abandon(tmp);
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        snprintf(err, err_size, "%s: write error: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* One weight or bias of a model file: a finite decimal number (digits, an
 * optional fraction and exponent). strtof() alone also takes "nan", "inf",
 * "1e999" (inf) and hex ("-0x29657"), which loaded and then broke every
 * classification (trial 14). Returns 0 and sets *out and *end, or -1. */
static int co__clf_num(char *p, char **end, float *out)
{
    while (*p == ' ' || *p == '\t')
        p++;
    const char *q = p;
    if (*q == '-' || *q == '+')
        q++;
    if (!isdigit((unsigned char)*q) &&
        !(*q == '.' && isdigit((unsigned char)q[1])))
        return -1;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
        return -1;
    char *e;
    float v = strtof(p, &e);
    if (e == p || !isfinite(v))
        return -1;
    *out = v;
    *end = e;
    return 0;
}

/* Reads a model file, header and weight rows to the closing "end" line
 * that co_clf_model_save() writes last: a file cut anywhere (a copy that
 * stopped, a full disk) lacks it, or has fewer rows than "rows N" says. */
static co_clf_model_t *co_clf_model_read(const char *path, char *err,
                                         size_t err_size)
{
    /* a FIFO that nothing writes to is refused after 5 s (trial 55: it
     * hung validate), a folder at once */
    int rc;
    FILE *f = co_readfile_open(path, &rc, NULL);
    if (f == NULL) {
        snprintf(err, err_size, "%s: cannot read the model: %s", path,
                 co_readfile_strerror(rc));
        return NULL;
    }
    co_clf_model_t *m = co_clf_model_alloc();
    char line[512];
    long ln = 0;
    int version = -1, feat = -1, bits = -1;
    size_t rows = 0;
    int end = 0;
    const char *why = NULL;
    if (m == NULL)
        why = "out of memory";
    while (why == NULL && fgets(line, sizeof line, f)) {
        ln++;
        if (ln == 1) {
            if (sscanf(line, CO_CLF_MAGIC " %d", &version) != 1)
                why = "not a CareerOps classifier model (first line)";
            else if (version != CO_CLF_FORMAT_VERSION)
                why = "another model format version (retrain it with this "
                      "careerops train)";
            continue;
        }
        if (sscanf(line, "features %d hash_bits %d", &feat, &bits) == 2) {
            if (feat != CO_CLF_FEATURES_VERSION || bits != CO_CLF_HASH_BITS)
                why = "made with other feature settings (retrain it with "
                      "this careerops train)";
        } else if (strncmp(line, "temperature ", 12) == 0) {
            m->temperature = strtod(line + 12, NULL);
            if (!(m->temperature > 0.01 && m->temperature < 100))
                why = "bad temperature";
        } else if (strncmp(line, "dataset_sha256 ", 15) == 0) {
            snprintf(m->sha, sizeof m->sha, "%.64s", line + 15);
            m->sha[strcspn(m->sha, "\r\n")] = '\0';
        } else if (strncmp(line, "bias", 4) == 0) {
            char *p = line + 4;
            for (int k = 0; k < K && why == NULL; k++)
                if (co__clf_num(p, &p, &m->bias[k]) != 0)
                    why = "bad bias line (a number that is not a finite "
                          "decimal)";
        } else if (sscanf(line, "rows %zu", &rows) == 1) {
            for (size_t r = 0; r < rows && why == NULL; r++) {
                /* a row cut short is the file's last, without its '\n' */
                if (!fgets(line, sizeof line, f) || !strchr(line, '\n')) {
                    why = "truncated (fewer weight rows than announced)";
                    break;
                }
                ln++;
                char *p = line, *e;
                unsigned long idx = strtoul(p, &e, 10);
                if (e == p || idx >= CO_CLF_DIM) {
                    why = "bad weight row";
                    break;
                }
                p = e;
                for (int k = 0; k < K && why == NULL; k++) {
                    if (co__clf_num(p, &e, &m->w[idx * K + (size_t)k]) != 0)
                        why = "bad weight row (a weight that is not a "
                              "finite decimal number)";
                    p = e;
                }
            }
        } else if (strcmp(line, "end\n") == 0 || strcmp(line, "end") == 0 ||
                   strcmp(line, "end\r\n") == 0) {
            end = 1;
            break;
        }
    }
    fclose(f);
    if (why == NULL && (version < 0 || feat < 0))
        why = "no header (empty or not a model file)";
    else if (why == NULL && !end)
        why = "truncated (no \"end\" line after the weight rows: the file "
              "was cut, e.g. a copy that stopped or a full disk)";
    if (why != NULL) {
        snprintf(err, err_size, "%s:%ld: %s", path, ln, why);
        co_clf_model_free(m);
        return NULL;
    }
    return m;
}

co_clf_model_t *co_clf_model_load(const char *path, char *err, size_t err_size)
{
    return co_clf_model_read(path, err, err_size);
}

int co_clf_model_check(const char *path, char *err, size_t err_size)
{
    co_clf_model_t *m = co_clf_model_read(path, err, err_size);
    co_clf_model_free(m);
    return m ? 0 : -1;
}
