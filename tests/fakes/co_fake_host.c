/**
 * @file tests/fakes/co_fake_host.c
 * @brief The fake host for plugin unit tests; see co_fake_host.h.
 */
#include "co_fake_host.h"
#include "emit_check.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct co__fh_kv_s {
    char *key;
    char *value;
    size_t value_len;
    double num; /* metrics */
    int done;   /* idempotency keys */
    struct co__fh_kv_s *next;
} co__fh_kv_t;

typedef struct co__fh_priv_s {
    co__fh_kv_t *state, *idem, *metrics;
} co__fh_priv_t;

#define CO__FH(st) ((co_fake_host_t *)(void *)(st))

static co__fh_kv_t *co__fh_find(co__fh_kv_t **list, const char *key, int create)
{
    for (co__fh_kv_t *e = *list; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    if (!create)
        return NULL;
    co__fh_kv_t *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->key = strdup(key);
    e->next = *list;
    *list = e;
    return e;
}

static void co__fh_list_free(co__fh_kv_t *e)
{
    while (e) {
        co__fh_kv_t *n = e->next;
        free(e->key);
        free(e->value);
        free(e);
        e = n;
    }
}

static char *co__fh_dup(const void *p, size_t n)
{
    if (p == NULL)
        return NULL;
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static void co__fh_log(co_stage_t *st, co_log_level_t level, const char *fmt,
                       ...)
{
    co_fake_host_t *h = CO__FH(st);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->last_log, sizeof h->last_log, fmt, ap);
    va_end(ap);
    h->log_cnt++;
    if (level != CO_LOG_DEBUG || getenv("CO_FAKE_HOST_DEBUG") != NULL)
        fprintf(stderr, "[fake-host %d] %s\n", (int)level, h->last_log);
}

static void *co__fh_alloc(size_t n)
{
    return malloc(n);
}

static void co__fh_free(void *p)
{
    free(p);
}

static int co__fh_emit(co_stage_t *st, const co_record_t *rec)
{
    co_fake_host_t *h = CO__FH(st);
    /* refused as the host refuses it (its message on stderr) */
    const char *why = co_emit_refusal(rec, h->in_init);
    if (why != NULL) {
        fprintf(stderr, "fake host: %s; refused with CO_ERR_INVAL\n", why);
        return CO_ERR_INVAL;
    }
    if (h->emit_rc != 0)
        return h->emit_rc;
    co_fake_emit_t *p = realloc(h->emits, (h->emit_cnt + 1) * sizeof *h->emits);
    if (p == NULL)
        return CO_ERR_NOMEM;
    h->emits = p;
    co_fake_emit_t *e = &p[h->emit_cnt++];
    e->key = co__fh_dup(rec->key, rec->key_len);
    e->key_len = rec->key_len;
    e->value = co__fh_dup(rec->value, rec->value_len);
    e->value_len = rec->value_len;
    e->topic = rec->topic ? strdup(rec->topic) : NULL;
    return 0;
}

static void co__fh_set_error(co_stage_t *st, const char *cls, const char *fmt,
                             ...)
{
    co_fake_host_t *h = CO__FH(st);
    h->error_set = 1;
    snprintf(h->error_class, sizeof h->error_class, "%s", cls ? cls : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->error_msg, sizeof h->error_msg, fmt, ap);
    va_end(ap);
}

static void co__fh_retry_after(co_stage_t *st, uint32_t ms)
{
    co_fake_host_t *h = CO__FH(st);
    h->retry_after_set = 1;
    h->retry_after_ms = ms;
}

static int co__fh_add_dead(co_fake_host_t *h, const co_record_t *rec,
                           const char *cls, const char *msg, int attempts)
{
    co_fake_dead_t *p = realloc(h->dead, (h->dead_cnt + 1) * sizeof *h->dead);
    if (p == NULL)
        return CO_ERR_NOMEM;
    h->dead = p;
    co_fake_dead_t *d = &p[h->dead_cnt++];
    d->key = co__fh_dup(rec->key, rec->key_len);
    d->value = co__fh_dup(rec->value, rec->value_len);
    d->error_class = strdup(cls ? cls : "");
    d->message = strdup(msg ? msg : "");
    d->attempts = attempts;
    return 0;
}

static int co__fh_dead_letter(co_stage_t *st, const co_record_t *rec,
                              const char *cls, const char *msg)
{
    return co__fh_add_dead(CO__FH(st), rec, cls, msg, 1);
}

static int co__fh_secret(co_stage_t *st, const char *name, char **out,
                         size_t *out_len)
{
    co_fake_host_t *h = CO__FH(st);
    *out = NULL;
    if (h->secrets_dir == NULL || name == NULL || strchr(name, '/') != NULL)
        return CO_ERR_NOTFOUND;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", h->secrets_dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return CO_ERR_NOTFOUND;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    *out = co__fh_dup(buf, n);
    if (out_len)
        *out_len = n;
    return *out ? 0 : CO_ERR_NOMEM;
}

static void co__fh_metric(co_fake_host_t *h, const char *name, double v,
                          int add)
{
    co__fh_priv_t *pv = h->priv;
    co__fh_kv_t *e = co__fh_find(&pv->metrics, name, 1);
    if (e != NULL)
        e->num = add ? e->num + v : v;
}

static void co__fh_metric_add(co_stage_t *st, const char *name, double d)
{
    co__fh_metric(CO__FH(st), name, d, 1);
}

static void co__fh_metric_set(co_stage_t *st, const char *name, double v)
{
    co__fh_metric(CO__FH(st), name, v, 0);
}

static int co__fh_state_get(co_stage_t *st, const char *key, char **out,
                            size_t *out_len)
{
    co__fh_priv_t *pv = CO__FH(st)->priv;
    co__fh_kv_t *e = co__fh_find(&pv->state, key, 0);
    *out = NULL;
    if (e == NULL)
        return CO_ERR_NOTFOUND;
    *out = co__fh_dup(e->value, e->value_len);
    if (out_len)
        *out_len = e->value_len;
    return 0;
}

static int co__fh_state_put(co_stage_t *st, const char *key, const void *v,
                            size_t n)
{
    co__fh_priv_t *pv = CO__FH(st)->priv;
    co__fh_kv_t *e = co__fh_find(&pv->state, key, 1);
    if (e == NULL)
        return CO_ERR_STATE;
    free(e->value);
    e->value = co__fh_dup(v, n);
    e->value_len = n;
    return 0;
}

static int co__fh_idem_begin(co_stage_t *st, const char *key)
{
    co__fh_priv_t *pv = CO__FH(st)->priv;
    co__fh_kv_t *e = co__fh_find(&pv->idem, key, 0);
    if (e != NULL)
        return e->done ? CO_IDEM_DONE : CO_IDEM_PENDING;
    return co__fh_find(&pv->idem, key, 1) ? CO_IDEM_NEW : CO_ERR_STATE;
}

static int co__fh_idem_commit(co_stage_t *st, const char *key)
{
    co__fh_priv_t *pv = CO__FH(st)->priv;
    co__fh_kv_t *e = co__fh_find(&pv->idem, key, 1);
    if (e == NULL)
        return CO_ERR_STATE;
    e->done = 1;
    return 0;
}

static int co__fh_stopping(co_stage_t *st)
{
    return CO__FH(st)->stopping;
}

static int64_t co__fh_now(co_stage_t *st)
{
    return CO__FH(st)->now_ms;
}

static int co__fh_sleep(co_stage_t *st, int64_t ms)
{
    co_fake_host_t *h = CO__FH(st);
    if (h->stopping)
        return 1;
    if (ms > 0) {
        h->now_ms += ms;
        h->slept_ms += ms;
    }
    return 0;
}

static const char *co__fh_stage_name(co_stage_t *st)
{
    (void)st;
    return "test-stage";
}

static char *co__fh_resolve(co_stage_t *st, const char *path)
{
    co_fake_host_t *h = CO__FH(st);
    char *out = NULL;
    if (path[0] == '/' || h->base_dir == NULL)
        return strdup(path);
    if (asprintf(&out, "%s/%s", h->base_dir, path) < 0)
        return NULL;
    return out;
}

co_fake_host_t *co_fake_host_new(void)
{
    co_fake_host_t *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->priv = calloc(1, sizeof(co__fh_priv_t));
    if (h->priv == NULL) {
        free(h);
        return NULL;
    }
    h->now_ms = CO_FAKE_HOST_EPOCH_MS;
    co_host_api_t *a = &h->api;
    a->size = sizeof *a;
    a->version = ((uint32_t)CO_ABI_MAJOR << 16) | CO_ABI_MINOR;
    a->log = co__fh_log;
    a->alloc = co__fh_alloc;
    a->free = co__fh_free;
    a->emit = co__fh_emit;
    a->set_error = co__fh_set_error;
    a->retry_after = co__fh_retry_after;
    a->dead_letter = co__fh_dead_letter;
    a->secret = co__fh_secret;
    a->metric_add = co__fh_metric_add;
    a->metric_set = co__fh_metric_set;
    a->state_get = co__fh_state_get;
    a->state_put = co__fh_state_put;
    a->source_offset = co__fh_state_put; /* acks are immediate here */
    a->idem_begin = co__fh_idem_begin;
    a->idem_commit = co__fh_idem_commit;
    a->stopping = co__fh_stopping;
    a->now_ms = co__fh_now;
    a->sleep_ms = co__fh_sleep;
    a->stage_name = co__fh_stage_name;
    a->resolve_path = co__fh_resolve;
    return h;
}

void co_fake_host_free(co_fake_host_t *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->emit_cnt; i++) {
        free(h->emits[i].key);
        free(h->emits[i].value);
        free(h->emits[i].topic);
    }
    free(h->emits);
    for (size_t i = 0; i < h->dead_cnt; i++) {
        free(h->dead[i].key);
        free(h->dead[i].value);
        free(h->dead[i].error_class);
        free(h->dead[i].message);
    }
    free(h->dead);
    co__fh_priv_t *pv = h->priv;
    co__fh_list_free(pv->state);
    co__fh_list_free(pv->idem);
    co__fh_list_free(pv->metrics);
    free(pv);
    free(h);
}

co_stage_t *co_fake_host_stage(co_fake_host_t *h)
{
    return (co_stage_t *)(void *)h;
}

void co_fake_host_clear_error(co_fake_host_t *h)
{
    h->error_set = 0;
    h->error_class[0] = '\0';
    h->error_msg[0] = '\0';
    h->retry_after_set = 0;
    h->retry_after_ms = 0;
}

double co_fake_host_metric(co_fake_host_t *h, const char *name)
{
    co__fh_priv_t *pv = h->priv;
    co__fh_kv_t *e = co__fh_find(&pv->metrics, name, 0);
    return e ? e->num : 0;
}

const co_plugin_t *co_fake_host_dlopen(co_fake_host_t *h, const char *module,
                                       int extra_flags, void **handle,
                                       char *err, size_t err_size)
{
    *handle = dlopen(module, RTLD_NOW | RTLD_LOCAL | extra_flags);
    co_plugin_entry_fn entry =
        *handle ? (co_plugin_entry_fn)dlsym(*handle, CO_PLUGIN_ENTRY_SYMBOL)
                : NULL;
    const co_plugin_t *p = entry ? entry(&h->api) : NULL;
    if (p == NULL) {
        const char *e = dlerror();
        snprintf(err, err_size, "%s: %s", module,
                 e ? e : "the entry point returned no plugin");
    }
    return p;
}

co_record_t co_fake_record_json(const char *key, json_t *value)
{
    co_record_t rec = CO_RECORD_INIT;
    rec.key = key;
    rec.key_len = strlen(key);
    rec.value = json_dumps(value, JSON_COMPACT);
    rec.value_len = rec.value ? strlen(rec.value) : 0;
    json_decref(value);
    return rec;
}

co_status_t co_fake_host_process(co_fake_host_t *h, const co_plugin_t *p,
                                 void *inst, const co_record_t *rec,
                                 int max_retries, int *attempts)
{
    int n = 0;
    int64_t backoff = 500;
    co_status_t st;
    for (;;) {
        co_fake_host_clear_error(h);
        st = p->process(inst, rec);
        n++;
        if (st != CO_RETRY || n > max_retries)
            break;
        int64_t wait = h->retry_after_set && h->retry_after_ms > backoff
                           ? h->retry_after_ms
                           : backoff;
        co__fh_sleep(co_fake_host_stage(h), wait);
        backoff = backoff * 2 > 60000 ? 60000 : backoff * 2;
    }
    if (attempts)
        *attempts = n;
    if (st == CO_RETRY || st == CO_FAIL) {
        co__fh_add_dead(h, rec, h->error_class, h->error_msg, n);
        return CO_FAIL;
    }
    return st;
}
