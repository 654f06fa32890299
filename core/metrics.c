/* Metrics registry and Prometheus text rendering. */
#include "metrics.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const double co__buckets[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.25,
                                     0.5,   1,     2.5,  5,    10,  60};
#define CO__NB (sizeof co__buckets / sizeof co__buckets[0])

struct co_metric_s {
    char *name, *labels, *help;
    co_metric_type_t type;
    pthread_mutex_t lock;
    double value;
    double sum;
    unsigned long long counts[CO__NB + 1];
    unsigned long long count;
};

static pthread_mutex_t co__reg_lock = PTHREAD_MUTEX_INITIALIZER;
static co_metric_t **co__reg;
static size_t co__reg_n;

co_metric_t *co_metric(const char *name, const char *labels,
                       co_metric_type_t type, const char *help)
{
    if (labels == NULL)
        labels = "";
    pthread_mutex_lock(&co__reg_lock);
    for (size_t i = 0; i < co__reg_n; i++)
        if (strcmp(co__reg[i]->name, name) == 0 &&
            strcmp(co__reg[i]->labels, labels) == 0) {
            pthread_mutex_unlock(&co__reg_lock);
            return co__reg[i];
        }
    co_metric_t *m = co_xcalloc(1, sizeof *m);
    m->name = co_strdup(name);
    m->labels = co_strdup(labels);
    m->help = co_strdup(help ? help : name);
    m->type = type;
    pthread_mutex_init(&m->lock, NULL);
    co_metric_t **v = realloc(co__reg, (co__reg_n + 1) * sizeof *v);
    if (v == NULL)
        abort();
    co__reg = v;
    co__reg[co__reg_n++] = m;
    pthread_mutex_unlock(&co__reg_lock);
    return m;
}

void co_metric_add(co_metric_t *m, double v)
{
    pthread_mutex_lock(&m->lock);
    m->value += v;
    pthread_mutex_unlock(&m->lock);
}

void co_metric_set(co_metric_t *m, double v)
{
    pthread_mutex_lock(&m->lock);
    m->value = v;
    pthread_mutex_unlock(&m->lock);
}

void co_metric_observe_n(co_metric_t *m, double s, uint64_t n)
{
    pthread_mutex_lock(&m->lock);
    size_t i = 0;
    while (i < CO__NB && s > co__buckets[i])
        i++;
    m->counts[i] += n;
    m->count += n;
    m->sum += s * (double)n;
    pthread_mutex_unlock(&m->lock);
}

void co_metric_observe(co_metric_t *m, double s)
{
    co_metric_observe_n(m, s, 1);
}

double co_metric_value(co_metric_t *m)
{
    pthread_mutex_lock(&m->lock);
    double v = m->type == CO_METRIC_HISTOGRAM ? (double)m->count : m->value;
    pthread_mutex_unlock(&m->lock);
    return v;
}

static const char *co__type_name(co_metric_type_t t)
{
    return t == CO_METRIC_COUNTER ? "counter"
           : t == CO_METRIC_GAUGE ? "gauge"
                                  : "histogram";
}

static int co__by_name(const void *a, const void *b)
{
    const co_metric_t *x = *(co_metric_t *const *)a;
    const co_metric_t *y = *(co_metric_t *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->labels, y->labels);
}

char *co_metrics_render(void)
{
    co_buf_t b = {0};
    pthread_mutex_lock(&co__reg_lock);
    /* Prometheus wants each family's samples together: sort a copy. */
    co_metric_t **all = co_xcalloc(co__reg_n, sizeof *all);
    memcpy(all, co__reg, co__reg_n * sizeof *all);
    qsort(all, co__reg_n, sizeof *all, co__by_name);
    for (size_t i = 0; i < co__reg_n; i++) {
        co_metric_t *m = all[i];
        int first = i == 0 || strcmp(all[i - 1]->name, m->name) != 0;
        if (first)
            co_buf_printf(&b, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
                          m->name, co__type_name(m->type));
        pthread_mutex_lock(&m->lock);
        const char *sep = m->labels[0] ? "," : "";
        if (m->type != CO_METRIC_HISTOGRAM) {
            if (m->labels[0])
                co_buf_printf(&b, "%s{%s} %.17g\n", m->name, m->labels,
                              m->value);
            else
                co_buf_printf(&b, "%s %.17g\n", m->name, m->value);
        } else {
            unsigned long long cum = 0;
            for (size_t k = 0; k < CO__NB; k++) {
                cum += m->counts[k];
                co_buf_printf(&b, "%s_bucket{%s%sle=\"%g\"} %llu\n", m->name,
                              m->labels, sep, co__buckets[k], cum);
            }
            co_buf_printf(&b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", m->name,
                          m->labels, sep, m->count);
            co_buf_printf(&b, "%s_sum{%s} %.17g\n%s_count{%s} %llu\n", m->name,
                          m->labels, m->sum, m->name, m->labels, m->count);
        }
        pthread_mutex_unlock(&m->lock);
    }
    pthread_mutex_unlock(&co__reg_lock);
    free(all);
    if (b.data == NULL)
        co_buf_add(&b, "", 0);
    return b.data;
}
